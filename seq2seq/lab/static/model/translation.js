// `Translation`: one translated sentence and the attention behind it (seq2seq/translation.py).

import { casedAsTyped, detokenize } from "./text.js";

// A word the model would not have written, and gave less than this chance, surprised it.
export const SURPRISING_PROBABILITY = 0.1;

export class Translation {
  /**
   * @param {object} fields
   * @param {string[]} fields.sourceTokens as the model read them ([UNK] for unknown words)
   * @param {string[]} fields.targetTokens
   * @param {Float64Array[]} fields.weights (target tokens, source tokens): each row sums to 1
   * @param {number} fields.score the log-probability of the target tokens, [END] included
   * @param {string} [fields.typed] the sentence as typed
   * @param {number[]} [fields.margins] per step, the chosen word's log-probability less
   *   the next best's (greedy decoding only)
   * @param {Translation[]} [fields.hypotheses] the n best, best first, this one among them
   *
   * What a question to the model adds (whatif.js; each empty when not asked):
   * @param {[string, number][][]} [fields.alternatives] per target token, the most
   *   probable words of its step as (word, probability), best first
   * @param {number[] | null} [fields.logProbabilities] per target token, its
   *   log-probability under the model
   * @param {number[] | null} [fields.ranks] per target token, its rank among the words
   *   the model could write there (1: the one it would write)
   * @param {number} [fields.forced] how many leading target tokens were forced
   * @param {number[]} [fields.hidden] the source positions hidden from the attention
   * @param {[number, number][]} [fields.pointed] (step, source position) pairs pointed at
   */
  constructor({
    sourceTokens, targetTokens, weights, score, typed, margins, hypotheses = [],
    alternatives = [], logProbabilities = null, ranks = null, forced = 0, hidden = [],
    pointed = [],
  }) {
    Object.assign(this, {
      sourceTokens, targetTokens, weights, score, typed, margins, hypotheses,
      alternatives, logProbabilities, ranks, forced, hidden, pointed,
    });
  }

  withHypotheses(hypotheses) {
    return new Translation({ ...this, hypotheses });
  }

  /** The target tokens joined by spaces. */
  get text() {
    return this.targetTokens.join(" ");
  }

  /**
   * The target tokens the model did not expect: not the word it would have written
   * there (rank above 1) and given a probability below `SURPRISING_PROBABILITY`. Empty
   * where log-probabilities and ranks are unknown.
   * @returns {number[]}
   */
  get surprises() {
    if (this.logProbabilities === null || this.ranks === null) return [];
    // Rounded to float32, as Python compares its float32 log-probabilities.
    const threshold = Math.log(SURPRISING_PROBABILITY);
    return this.targetTokens.map((_, t) => t)
      .filter((t) => Math.fround(this.logProbabilities[t]) < threshold && this.ranks[t] > 1);
  }

  /** The translation as a reader writes it, names capitalised as typed. */
  get sentence() {
    if (this.typed === undefined) return detokenize(this.targetTokens);
    return detokenize(casedAsTyped(this.targetTokens, this.typed, this.sourceTokens));
  }
}
