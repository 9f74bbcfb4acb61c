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
// One sentence at a time, so no source position is padding. A mask (1: may be read)
// hides source positions from a question (whatif.js): the softmax then runs over the
// positions kept, and the others get weight exactly 0.

import { Dense } from "./model.js";

export const SCORES = ["additive", "dot", "general", "scaled_dot"];

// tanh through exp, 1.7 times Math.tanh's speed in V8; the additive score takes S × units
// of them a step, for each hypothesis of the beam. Off by at most ~1e-16.
const tanh = (x) => 1 - 2 / (Math.exp(2 * x) + 1);

export class Attention {
  /**
   * @param {string} score one of SCORES
   * @param {Map<string, {data: Float32Array, shape: number[]}>} arrays
   * @param {string} prefix the arrays' names start with it, as the export names them
   * @param {object | null} [simd] what simd.kernels returned
   */
  constructor(score, arrays, prefix, simd = null) {
    if (!SCORES.includes(score)) throw new Error(`attention ${score} is not one the page computes`);
    this.score = score;
    const get = (name) => arrays.get(`${prefix}.${name}`);
    if (score === "additive") {
      this.queryKernel = Dense.ofKernel(get("query_kernel"), null, simd); // (query_dim, units)
      this.keyKernel = Dense.ofKernel(get("key_kernel"), null, simd); // (key_dim, units)
      this.v = get("v").data; // (units,)
    } else if (score === "general") {
      this.kernel = Dense.ofKernel(get("kernel"), null, simd); // (query_dim, key_dim)
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
   * ``context, weights = attention(query, keys, mask)`` for one query.
   * @param {Float64Array} query (query_dim,)
   * @param {object} prepared what `prepare` returned
   * @param {boolean} [projected] whether the query is already W_q q (additive) or W q (general)
   * @param {Uint8Array | null} [mask] (S,): 1 where the attention may look; null, everywhere
   * @returns {{context: Float64Array, weights: Float64Array}} (key_dim,), (S,)
   */
  call(query, prepared, projected = false, mask = null) {
    const { keys, length, keyDim } = prepared;
    const scores = this.scores(query, prepared, projected); // (S,)
    let largest = -Infinity;
    for (let s = 0; s < length; s += 1) {
      if (!mask || mask[s]) largest = Math.max(largest, scores[s]);
    }
    let total = 0;
    const weights = new Float64Array(length);
    for (let s = 0; s < length; s += 1) {
      weights[s] = !mask || mask[s] ? Math.exp(scores[s] - largest) : 0;
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

  /**
   * `call` for B queries at once, the query's projection done for all of them together.
   * @param {Float64Array[]} queries (B, query_dim)
   * @param {object} prepared
   * @param {(Uint8Array | null)[] | null} [masks] (B, S), or null where nothing is hidden
   * @returns {{contexts: Float64Array[], weights: Float64Array[]}} (B, key_dim), (B, S)
   */
  callRows(queries, prepared, masks = null) {
    let projected = queries;
    if (this.score === "additive") projected = this.queryKernel.callRows(queries);
    else if (this.score === "general") projected = this.kernel.callRows(queries);
    const contexts = [];
    const weights = [];
    projected.forEach((query, b) => {
      const { context, weights: row } = this.call(query, prepared, true, masks && masks[b]);
      contexts.push(context);
      weights.push(row);
    });
    return { contexts, weights };
  }

  /** Unnormalized scores (S,) of one query (already projected, if ``projected``). */
  scores(query, { keys, length, keyDim, projectedKeys }, projected = false) {
    const scores = new Float64Array(length);
    if (this.score === "additive") {
      const units = this.v.length;
      const projectedQuery = projected ? query : this.queryKernel.call(query); // (units,)
      const v = this.v;
      for (let s = 0; s < length; s += 1) {
        let score = 0;
        const row = s * units;
        for (let u = 0; u < units; u += 1) {
          score += v[u] * tanh(projectedQuery[u] + projectedKeys[row + u]);
        }
        scores[s] = score;
      }
      return scores;
    }
    const asked = this.score === "general" && !projected ? this.kernel.call(query) : query;
    const scale = this.score === "scaled_dot" ? Math.sqrt(keyDim) : 1;
    for (let s = 0; s < length; s += 1) {
      let score = 0;
      const row = s * keyDim;
      for (let d = 0; d < keyDim; d += 1) score += asked[d] * keys[row + d];
      scores[s] = score / scale;
    }
    return scores;
  }
}
