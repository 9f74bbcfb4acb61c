// `Translator`: translate sentences in the page and return their attention
// (seq2seq/inference.py). Greedy decoding or beam search; each step keeps the
// attention row it used, so the weights returned are the ones that chose each word.
//
// A translation never shows [UNK]: at a step whose attention weighs a source [UNK]
// most, the model may write [UNK], and the source word is copied in its place (Jean
// et al., 2015); at any other step [UNK] is ruled out.

import { Seq2Seq } from "./model.js";
import { END, MAX_TOKENS, PAD_ID, START, UNK, normalize } from "./text.js";
import { Translation } from "./translation.js";

/** The longest translation allowed for a source of this length. */
export const maxSteps = (sourceLength) => 2 * sourceLength + 10;

/** A sentence the model cannot translate: empty, or too long. */
export class SentenceError extends Error {}

/** How many tokens a translation keeps: those before its first [END] or padding. */
function targetLength(tokens, endId) {
  const stop = tokens.findIndex((token) => token === endId || token === PAD_ID);
  return stop === -1 ? tokens.length : stop;
}

/** log_softmax of logits (V,), in place. */
function logSoftmax(logits) {
  let largest = -Infinity;
  for (let v = 0; v < logits.length; v += 1) largest = Math.max(largest, logits[v]);
  let total = 0;
  for (let v = 0; v < logits.length; v += 1) total += Math.exp(logits[v] - largest);
  const shift = largest + Math.log(total);
  for (let v = 0; v < logits.length; v += 1) logits[v] -= shift;
  return logits;
}

/** The first index of the largest value, as argmax breaks ties. */
function argmax(values) {
  let best = 0;
  for (let i = 1; i < values.length; i += 1) if (values[i] > values[best]) best = i;
  return best;
}

export class Translator {
  /**
   * @param {object} settings the run's settings (manifest)
   * @param {Map<string, {data: Float32Array, shape: number[]}>} arrays
   * @param {{source: string[], target: string[]}} vocabulary
   * @param {{simd?: boolean}} [options] for `Seq2Seq`
   */
  constructor(settings, arrays, vocabulary, options = {}) {
    this.model = new Seq2Seq(settings, arrays, options);
    this.sourceVocabulary = vocabulary.source;
    this.targetVocabulary = vocabulary.target;
    this.sourceLookup = new Map(vocabulary.source.map((token, index) => [token, index]));
    const target = new Map(vocabulary.target.map((token, index) => [token, index]));
    this.startId = target.get(START);
    this.endId = target.get(END);
    this.unknownId = target.get(UNK);
    this.sourceUnknownId = this.sourceLookup.get(UNK);
  }

  /**
   * The translation of ``sentence``: greedy with ``beamWidth`` 1, else the beam's most
   * probable finished hypothesis; with ``nBest`` > 1 its ``hypotheses`` hold the n best.
   * @param {string} sentence as typed
   * @param {number} [beamWidth]
   * @param {number} [nBest]
   * @returns {Translation}
   */
  translate(sentence, beamWidth = 1, nBest = 1) {
    const words = this.normalize(sentence).split(" ");
    const source = words.map((word) => this.sourceLookup.get(word) ?? this.sourceUnknownId);
    const ranked = beamWidth === 1
      ? [this.greedyLoop(source)]
      : rankedHypotheses(this.beamLoop(source, beamWidth), nBest);
    const hypotheses = ranked
      .filter(({ score }) => Number.isFinite(score))
      .map(({ tokens, weights, score, margins }) =>
        this.record(source, tokens, weights, score, words, sentence, margins));
    const best = hypotheses[0];
    return nBest > 1 ? best.withHypotheses(hypotheses) : best;
  }

  /**
   * Greedy decoding of source ids (S,): tokens (steps,), weights (steps, S), the score
   * and, per step, how far the chosen word's log-probability is above the next best.
   */
  greedyLoop(source) {
    const { keys, states: start } = this.model.encode(source);
    const limit = maxSteps(source.length);
    let states = [start];
    let token = this.startId;
    let score = 0;
    const tokens = [];
    const weights = [];
    const margins = [];
    for (let step = 0; step < limit; step += 1) {
      const out = this.model.decoder.step([token], keys, states);
      states = out.states;
      const logProbs = this.allowCopies(logSoftmax(out.logits[0]), source, out.weights[0]);
      const [best, second] = twoLargest(logProbs);
      token = best;
      score += logProbs[token];
      margins.push(logProbs[best] - logProbs[second]);
      tokens.push(token);
      weights.push(out.weights[0]);
      if (token === this.endId) break;
    }
    return { tokens, weights, score, margins };
  }

  /**
   * Beam search over source ids (S,) with K = ``beamWidth`` hypotheses. Per step, each
   * hypothesis' token (K,), the hypothesis it extends (K,) and the attention row that
   * chose its token (K, S); and the final log-probabilities (K,).
   */
  beamLoop(source, beamWidth) {
    const k = beamWidth;
    const { keys, states: start } = this.model.encode(source);
    const limit = maxSteps(source.length);
    const size = this.targetVocabulary.length;
    let states = Array.from({ length: k }, () => start);
    let token = new Array(k).fill(this.startId);
    // All K hypotheses start identical; only the first may extend, or the beam would
    // fill with K copies of the same sentence.
    let scores = Array.from({ length: k }, (_, j) => (j === 0 ? 0 : -Infinity));
    let done = new Array(k).fill(false);
    const steps = [];
    for (let step = 0; step < limit; step += 1) {
      const out = this.model.decoder.step(token, keys, states);
      // The K best of the K × V extensions, each a hypothesis' score plus a word's
      // log-probability; a finished hypothesis may only be extended by padding, at no cost.
      const best = new TopK(k);
      for (let j = 0; j < k; j += 1) {
        if (done[j]) {
          best.offer(j * size + PAD_ID, scores[j]);
          continue;
        }
        const logProbs = this.allowCopies(logSoftmax(out.logits[j]), source, out.weights[j]);
        for (let v = 0; v < size; v += 1) {
          const value = scores[j] + logProbs[v];
          if (value > best.floor) best.offer(j * size + v, value);
        }
      }
      const parent = best.indices.map((index) => Math.floor(index / size));
      token = best.indices.map((index) => index % size);
      scores = best.values;
      states = parent.map((j) => out.states[j]);
      done = parent.map((j, i) => done[j] || token[i] === this.endId || step + 1 >= limit);
      steps.push({ tokens: token, parents: parent, weights: parent.map((j) => out.weights[j]) });
      if (done.every(Boolean)) break;
    }
    return { steps, scores };
  }

  /**
   * ``logProbs`` (V,) with [UNK] ruled out, unless the attention ``weights`` (S,) weigh a
   * source [UNK] most (the word is then copied, `record`).
   */
  allowCopies(logProbs, source, weights) {
    if (source[argmax(weights)] !== this.sourceUnknownId) logProbs[this.unknownId] = -Infinity;
    return logProbs;
  }

  /**
   * One hypothesis as a `Translation`, cut before its [END]; each [UNK] written is the
   * source word its attention row weighs most.
   */
  record(source, tokens, weights, score, words, typed, margins) {
    const length = targetLength(tokens, this.endId);
    const targetTokens = tokens.slice(0, length).map((id, step) =>
      (id === this.unknownId ? words[argmax(weights[step])] : this.targetVocabulary[id]));
    return new Translation({
      sourceTokens: source.map((id) => this.sourceVocabulary[id]),
      targetTokens,
      weights: weights.slice(0, length),
      score,
      typed,
      margins: margins && margins.slice(0, length + 1),
    });
  }

  /** The sentence normalized; `SentenceError` when it is empty or too long. */
  normalize(sentence) {
    const normalized = normalize(sentence);
    if (!normalized) {
      throw new SentenceError("The sentence is empty; give at least one word to translate.");
    }
    const length = normalized.split(" ").length;
    if (length > MAX_TOKENS) {
      throw new SentenceError(`The sentence has ${length.toLocaleString("en")} tokens (words ` +
        `and punctuation), more than the ${MAX_TOKENS} a sentence may have; split it into ` +
        "shorter sentences.");
    }
    return normalized;
  }
}

/** The indices of the largest value (the first, as `argmax`) and of the next largest. */
function twoLargest(values) {
  let best = 0;
  let second = -1;
  for (let i = 1; i < values.length; i += 1) {
    if (values[i] > values[best]) {
      second = best;
      best = i;
    } else if (second === -1 || values[i] > values[second]) {
      second = i;
    }
  }
  return [best, second];
}

/**
 * The ``k`` largest of the values offered, largest first, with their indices; of equal
 * values the one offered first (the lower index) first, as tf.math.top_k orders them.
 * Extensions that cannot be chosen (-Infinity) are never offered: a beam with one
 * hypothesis alive has far more than K others.
 */
class TopK {
  constructor(k) {
    this.k = k;
    this.indices = [];
    this.values = [];
    this.floor = -Infinity; // what a value must exceed to be kept
  }

  offer(index, value) {
    const { k, values, indices } = this;
    if (!(value > this.floor)) return;
    let place = values.length;
    while (place > 0 && value > values[place - 1]) place -= 1;
    values.splice(place, 0, value);
    indices.splice(place, 0, index);
    if (values.length > k) {
      values.pop();
      indices.pop();
    }
    if (values.length === k) this.floor = values[k - 1];
  }
}

/**
 * The ``nBest`` most probable hypotheses of a beam, each followed back to the first
 * step: tokens (steps,), weights (steps, S), score. The ranking is stable, as NumPy's.
 */
function rankedHypotheses({ steps, scores }, nBest) {
  const ranking = scores.map((score, j) => j)
    .sort((a, b) => (scores[b] - scores[a]) || (a - b));
  return ranking.slice(0, nBest).map((last) => {
    const tokens = new Array(steps.length);
    const weights = new Array(steps.length);
    let hypothesis = last;
    for (let step = steps.length - 1; step >= 0; step -= 1) {
      tokens[step] = steps[step].tokens[hypothesis];
      weights[step] = steps[step].weights[hypothesis];
      hypothesis = steps[step].parents[hypothesis];
    }
    return { tokens, weights, score: scores[last] };
  });
}
