// `Translator`: translate sentences in the page and return their attention
// (seq2seq/inference.py). Greedy decoding or beam search; each step keeps the
// attention row it used, so the weights returned are the ones that chose each word.
//
// A translation never shows [UNK]: at a step whose attention weighs a source [UNK]
// most, the model may write [UNK], and the source word is copied in its place (Jean
// et al., 2015); at any other step [UNK] is ruled out.
//
// Decoding takes questions (whatif.js): a prefix to force, source words to hide from
// the attention, steps at which to point it, and how many alternatives to report at
// each step. A translation that asks some gets, besides its attention, each word's
// log-probability and rank under the model; `align` reads a given translation.

import { Seq2Seq } from "./model.js";
import { END, MAX_TOKENS, PAD_ID, START, UNK, normalize } from "./text.js";
import { Translation } from "./translation.js";
import { WhatIfError, asks, resolve } from "./whatif.js";

// Each step's alternatives are drawn and sent as text: a handful is what a reader compares.
export const MAX_ALTERNATIVES = 20;

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

/**
 * What one step says of the word ``chosen`` (inference._step_details): its
 * log-probability under the model, its rank among the allowed words (1: the one
 * decoding would write) and, with ``alternatives`` > 0, the most probable allowed words
 * and their probabilities, [UNK] left out where it is ruled out.
 * @param {Float64Array} allowed (V,) log-probabilities with the decoding rule applied
 * @param {number} unknown the model's own log-probability of [UNK], before the rule
 * @param {number} unknownId
 * @param {number} chosen
 * @param {number} alternatives
 */
function stepDetails(allowed, unknown, unknownId, chosen, alternatives) {
  const value = allowed[chosen];
  let above = 0;
  for (let v = 0; v < allowed.length; v += 1) above += allowed[v] > value;
  const details = {
    logProbability: chosen === unknownId ? unknown : value,
    rank: 1 + above,
  };
  if (alternatives) {
    const best = new TopK(alternatives);
    for (let v = 0; v < allowed.length; v += 1) {
      if (allowed[v] > best.floor) best.offer(v, allowed[v]);
    }
    details.alternativeIds = best.indices;
    details.alternativeProbabilities = best.values.map(Math.exp);
  }
  return details;
}

function checkWhole(value, least, name) {
  if (!Number.isInteger(value) || value < least) {
    throw new SentenceError(`${name} must be a whole number >= ${least}, got ${value}.`);
  }
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
    this.targetLookup = new Map(vocabulary.target.map((token, index) => [token, index]));
    this.startId = this.targetLookup.get(START);
    this.endId = this.targetLookup.get(END);
    this.unknownId = this.targetLookup.get(UNK);
    this.sourceUnknownId = this.sourceLookup.get(UNK);
  }

  /**
   * The translation of ``sentence``: greedy with ``beamWidth`` 1, else the beam's most
   * probable finished hypothesis; with ``nBest`` > 1 its ``hypotheses`` hold the n best.
   * ``asked`` holds a question (whatif.js: ``prefix``, ``hide``, ``point``) and how many
   * ``alternatives`` of every step to keep; either gives each word's log-probability
   * and rank. A question that cannot be asked throws a `WhatIfError`.
   * @param {string} sentence as typed
   * @param {number} [beamWidth]
   * @param {number} [nBest]
   * @param {import("./whatif.js").WhatIf & {alternatives?: number}} [asked]
   * @returns {Translation}
   */
  translate(sentence, beamWidth = 1, nBest = 1, asked = {}) {
    const { alternatives = 0, ...whatIf } = asked;
    this.checkAlternatives(alternatives);
    const words = this.normalize(sentence).split(" ");
    const source = this.sourceIds(words);
    const steering = asks(whatIf) ? this.steer(words, source, whatIf) : null;
    const options = { steering, alternatives };
    const ranked = beamWidth === 1
      ? [this.greedyLoop(source, options)]
      : rankedHypotheses(this.beamLoop(source, beamWidth, options), nBest);
    const hypotheses = ranked
      .filter(({ score }) => Number.isFinite(score))
      .map((decoded) => this.record(source, decoded, words, sentence, steering));
    const best = hypotheses[0];
    return nBest > 1 ? best.withHypotheses(hypotheses) : best;
  }

  /**
   * The attention the model pays while reading a given translation (teacher forcing,
   * Translator.align): ``reference`` as its target tokens (a word outside the target
   * vocabulary reads as [UNK]), its log-probability as the score, each word's
   * log-probability and rank, and with ``alternatives`` > 0 the most probable words of
   * each step.
   * @param {string} sentence as typed
   * @param {string} reference the translation to read
   * @param {number} [alternatives]
   * @returns {Translation}
   */
  align(sentence, reference, alternatives = 0) {
    this.checkAlternatives(alternatives);
    const words = this.normalize(sentence).split(" ");
    const source = this.sourceIds(words);
    const read = normalize(reference).split(" ").filter((word) => word !== "");
    const target = [START, ...read, END].map((word) =>
      this.targetLookup.get(word) ?? this.unknownId); // (T + 1,): [START] … [END]
    const { keys, states: start } = this.model.encode(source);
    let states = [start];
    const tokens = target.slice(1);
    const weights = [];
    const details = [];
    tokens.forEach((chosen, step) => {
      const out = this.model.decoder.step([target[step]], keys, states);
      states = out.states;
      const logProbs = logSoftmax(out.logits[0]);
      const unknown = logProbs[this.unknownId];
      this.allowCopies(logProbs, source, out.weights[0]);
      details.push(stepDetails(logProbs, unknown, this.unknownId, chosen, alternatives));
      weights.push(out.weights[0]);
    });
    const length = targetLength(tokens, this.endId);
    let score = 0; // [END] included: the probability of stopping there
    for (let step = 0; step <= length && step < tokens.length; step += 1) {
      score += details[step].logProbability;
    }
    return this.record(source, { tokens, weights, score, details }, words, sentence, null, false);
  }

  /**
   * Greedy decoding of source ids (S,), steered (whatif.js `Steering`) if asked: tokens
   * (steps,), weights (steps, S), the score (the log-probability of the path, forced
   * words included) and, per step, how far the chosen word's log-probability is above
   * the next best; with a question or alternatives, each step's details.
   */
  greedyLoop(source, { steering = null, alternatives = 0 } = {}) {
    const { keys, states: start } = this.model.encode(source);
    const limit = maxSteps(source.length);
    const detailed = steering !== null || alternatives > 0;
    let states = [start];
    let token = this.startId;
    let score = 0;
    const tokens = [];
    const weights = [];
    const margins = [];
    const details = [];
    for (let step = 0; step < limit; step += 1) {
      const masks = steering && [steering.maskAt(step, source.length)];
      const out = this.model.decoder.step([token], keys, states, masks);
      states = out.states;
      const logProbs = logSoftmax(out.logits[0]);
      const unknown = logProbs[this.unknownId]; // the model's own, before the rule
      this.allowCopies(logProbs, source, out.weights[0]);
      const [best, second] = twoLargest(logProbs);
      token = steering && steering.forcedAt(step) !== -1 ? steering.forcedAt(step) : best;
      score += token === this.unknownId ? unknown : logProbs[token];
      margins.push(logProbs[best] - logProbs[second]);
      if (detailed) details.push(stepDetails(logProbs, unknown, this.unknownId, token, alternatives));
      tokens.push(token);
      weights.push(out.weights[0]);
      if (token === this.endId) break;
    }
    return { tokens, weights, score, margins, details: detailed ? details : null };
  }

  /**
   * Beam search over source ids (S,) with K = ``beamWidth`` hypotheses, steered if
   * asked. Per step, each hypothesis' token (K,), the hypothesis it extends (K,), the
   * attention row that chose its token (K, S) and, with a question or alternatives, what
   * the step says of it; and the final log-probabilities (K,). A forced prefix is
   * written by the first hypothesis alone; the beam opens after it.
   */
  beamLoop(source, beamWidth, { steering = null, alternatives = 0 } = {}) {
    const k = beamWidth;
    const { keys, states: start } = this.model.encode(source);
    const limit = maxSteps(source.length);
    const size = this.targetVocabulary.length;
    const detailed = steering !== null || alternatives > 0;
    let states = Array.from({ length: k }, () => start);
    let token = new Array(k).fill(this.startId);
    // All K hypotheses start identical; only the first may extend, or the beam would
    // fill with K copies of the same sentence.
    let scores = Array.from({ length: k }, (_, j) => (j === 0 ? 0 : -Infinity));
    let done = new Array(k).fill(false);
    const steps = [];
    for (let step = 0; step < limit; step += 1) {
      const mask = steering && steering.maskAt(step, source.length);
      const out = this.model.decoder.step(token, keys, states, mask && token.map(() => mask));
      const forced = steering ? steering.forcedAt(step) : -1;
      // The K best of the K × V extensions, each a hypothesis' score plus a word's
      // log-probability; a finished hypothesis may only be extended by padding, at no
      // cost, and while forcing each may only write the prefix's word. An extension that
      // cannot be chosen is never offered, so while forcing the beam holds one hypothesis.
      const best = new TopK(k);
      const distributions = [];
      for (let j = 0; j < token.length; j += 1) {
        if (done[j]) {
          best.offer(j * size + PAD_ID, scores[j]);
          continue;
        }
        const logProbs = logSoftmax(out.logits[j]);
        const unknown = logProbs[this.unknownId];
        this.allowCopies(logProbs, source, out.weights[j]);
        distributions[j] = { logProbs, unknown };
        if (forced !== -1) {
          const value = scores[j] + (forced === this.unknownId ? unknown : logProbs[forced]);
          if (value > best.floor) best.offer(j * size + forced, value);
          continue;
        }
        for (let v = 0; v < size; v += 1) {
          const value = scores[j] + logProbs[v];
          if (value > best.floor) best.offer(j * size + v, value);
        }
      }
      const parent = best.indices.map((index) => Math.floor(index / size));
      token = best.indices.map((index) => index % size);
      scores = best.values;
      states = parent.map((j) => out.states[j]);
      const kept = { tokens: token, parents: parent, weights: parent.map((j) => out.weights[j]) };
      if (detailed) {
        // A finished hypothesis' padding says nothing: its translation ended before.
        kept.details = parent.map((j, i) => distributions[j] && stepDetails(
          distributions[j].logProbs, distributions[j].unknown, this.unknownId, token[i],
          alternatives));
      }
      done = parent.map((j, i) => done[j] || token[i] === this.endId || step + 1 >= limit);
      steps.push(kept);
      if (done.every(Boolean)) break;
    }
    return { steps, scores };
  }

  /** ``steering`` for the sentence of ``words`` read as ``source`` (whatif.resolve). */
  steer(words, source, whatIf) {
    if (!this.model.decoder.attention) {
      for (const option of ["hide", "point"]) {
        if (whatIf[option] && whatIf[option].length) {
          throw new WhatIfError(`This model has no attention, so there is none to ${option}; ` +
            "ask a model with attention, or ask for a prefix.", option);
        }
      }
    }
    return resolve(whatIf, words, source, this.targetLookup,
      [this.sourceUnknownId, this.unknownId], maxSteps(words.length));
  }

  /** The source ids of normalized words, [UNK] for a word outside the vocabulary. */
  sourceIds(words) {
    return words.map((word) => this.sourceLookup.get(word) ?? this.sourceUnknownId);
  }

  checkAlternatives(alternatives) {
    checkWhole(alternatives, 0, "alternatives");
    const most = Math.min(MAX_ALTERNATIVES, this.targetVocabulary.length - 2);
    if (alternatives > most) {
      throw new SentenceError(`alternatives is ${alternatives}; give at most ${most} words a step.`);
    }
  }

  /**
   * ``logProbs`` (V,) with [UNK] ruled out, unless the attention ``weights`` (S,) weigh a
   * source [UNK] most (the word is then copied, `record`).
   */
  allowCopies(logProbs, source, weights) {
    if (weights === null || source[argmax(weights)] !== this.sourceUnknownId) {
      logProbs[this.unknownId] = -Infinity;
    }
    return logProbs;
  }

  /**
   * One hypothesis (``tokens``, ``weights``, ``score``, and ``margins``, ``details`` where
   * kept) as a `Translation`, cut before its [END]. Each [UNK] written is the source word
   * its attention row weighs most, or the word forced there (``copies`` false, for a
   * translation read by `align`, keeps its [UNK]); ``steering`` is what was asked.
   */
  record(source, { tokens, weights, score, margins, details }, words, typed, steering,
    copies = true) {
    const length = targetLength(tokens, this.endId);
    const forcedWords = steering ? steering.prefixWords : [];
    const targetTokens = tokens.slice(0, length).map((id, step) => {
      if (id !== this.unknownId || !copies) return this.targetVocabulary[id];
      if (step < forcedWords.length) return forcedWords[step];
      return weights[step] ? words[argmax(weights[step])] : UNK;
    });
    const asked = {};
    if (details) {
      const kept = details.slice(0, length);
      asked.logProbabilities = kept.map((step) => step.logProbability);
      asked.ranks = kept.map((step) => step.rank);
      if (kept.length && kept[0].alternativeIds) {
        asked.alternatives = kept.map((step, t) => step.alternativeIds.map((id, a) => [
          id === this.unknownId && weights[t]
            ? words[argmax(weights[t])]
            : this.targetVocabulary[id],
          step.alternativeProbabilities[a],
        ]));
      }
    }
    if (steering) {
      asked.forced = steering.prefixIds.length;
      asked.hidden = steering.hidden;
      asked.pointed = steering.pointed.filter(([step]) => step < length);
    }
    return new Translation({
      sourceTokens: source.map((id) => this.sourceVocabulary[id]),
      targetTokens,
      weights: this.model.decoder.attention ? weights.slice(0, length) : null,
      score,
      typed,
      margins: margins && margins.slice(0, length + 1),
      ...asked,
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
  const detailed = steps.length > 0 && steps[0].details !== undefined;
  return ranking.slice(0, nBest).map((last) => {
    const tokens = new Array(steps.length);
    const weights = new Array(steps.length);
    const details = detailed ? new Array(steps.length) : null;
    let hypothesis = last;
    for (let step = steps.length - 1; step >= 0; step -= 1) {
      tokens[step] = steps[step].tokens[hypothesis];
      weights[step] = steps[step].weights[hypothesis];
      if (detailed) details[step] = steps[step].details[hypothesis];
      hypothesis = steps[step].parents[hypothesis];
    }
    return { tokens, weights, score: scores[last], details };
  });
}
