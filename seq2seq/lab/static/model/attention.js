// Attention: where the decoder looks in the source at each output step
// (seq2seq/attention.py). For a query q (the decoder's state) and keys k_1 … k_S
// (the encoder's outputs):
//
//     weights_s = softmax_s(score(q, k_s))        # sums to 1 over s
//     context   = sum_s weights_s * k_s
//
//   additive (Bahdanau et al., 2015):   score = vᵀ tanh(W_q q + W_k k)
//   dot (Luong et al., 2015):           score = qᵀ k
//   general (Luong et al., 2015):       score = qᵀ W k
//   scaled dot (Vaswani et al., 2017):  score = qᵀ k / √d
//
// One sentence at a time, so no source position is padding and no mask is needed.

import { Dense, dot } from "./model.js";

export const SCORES = ["additive", "dot", "general", "scaled_dot"];

export class Attention {
  /**
   * @param {string} score one of SCORES
   * @param {Map<string, {data: Float32Array, shape: number[]}>} arrays
   * @param {string} prefix the arrays' names start with it, as the export names them
   */
  constructor(score, arrays, prefix) {
    if (!SCORES.includes(score)) throw new Error(`attention ${score} is not one the page computes`);
    this.score = score;
    const get = (name) => arrays.get(`${prefix}.${name}`);
    if (score === "additive") {
      this.queryKernel = new Dense(get("query_kernel")); // (query_dim, units)
      this.keyKernel = new Dense(get("key_kernel")); // (key_dim, units)
      this.v = get("v").data; // (units,)
    } else if (score === "general") {
      this.kernel = new Dense(get("kernel")); // (query_dim, key_dim)
    }
  }

  /**
   * What does not change from step to step: the keys, and for the additive score
   * their projection W_k k.
   * @param {Float64Array} keys (S, key_dim), row-major
   * @param {number} length S
   */
  prepare(keys, length) {
    const keyDim = keys.length / length;
    const prepared = { keys, length, keyDim };
    if (this.score === "additive") {
      const units = this.v.length;
      prepared.projectedKeys = new Float64Array(length * units); // (S, units)
      for (let s = 0; s < length; s += 1) {
        this.keyKernel.call(keys.subarray(s * keyDim, (s + 1) * keyDim),
          prepared.projectedKeys.subarray(s * units, (s + 1) * units));
      }
    }
    return prepared;
  }

  /**
   * ``context, weights = attention(query, keys)`` for one query.
   * @param {Float64Array} query (query_dim,)
   * @param {object} prepared what `prepare` returned
   * @returns {{context: Float64Array, weights: Float64Array}} (key_dim,), (S,)
   */
  call(query, prepared) {
    const { keys, length, keyDim } = prepared;
    const scores = this.scores(query, prepared); // (S,)
    let largest = -Infinity;
    for (let s = 0; s < length; s += 1) largest = Math.max(largest, scores[s]);
    let total = 0;
    const weights = new Float64Array(length);
    for (let s = 0; s < length; s += 1) {
      weights[s] = Math.exp(scores[s] - largest);
      total += weights[s];
    }
    const context = new Float64Array(keyDim);
    for (let s = 0; s < length; s += 1) {
      // Rounded to float32, as Keras computes them: the weights are the output.
      weights[s] = Math.fround(weights[s] / total);
      const weight = weights[s];
      const row = s * keyDim;
      for (let d = 0; d < keyDim; d += 1) context[d] += weight * keys[row + d];
    }
    return { context, weights };
  }

  /** Unnormalized scores (S,) of one query. */
  scores(query, { keys, length, keyDim, projectedKeys }) {
    const scores = new Float64Array(length);
    if (this.score === "additive") {
      const units = this.v.length;
      const projectedQuery = this.queryKernel.call(query); // (units,)
      const v = this.v;
      for (let s = 0; s < length; s += 1) {
        let score = 0;
        const row = s * units;
        for (let u = 0; u < units; u += 1) {
          score += v[u] * Math.tanh(projectedQuery[u] + projectedKeys[row + u]);
        }
        scores[s] = score;
      }
      return scores;
    }
    const asked = this.score === "general" ? this.kernel.call(query) : query;
    const scale = this.score === "scaled_dot" ? Math.sqrt(keyDim) : 1;
    for (let s = 0; s < length; s += 1) scores[s] = dot(asked, 0, keys, s * keyDim, keyDim) / scale;
    return scores;
  }
}
