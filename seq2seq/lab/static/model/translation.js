// `Translation`: one translated sentence and the attention behind it (seq2seq/translation.py).

import { casedAsTyped, detokenize } from "./text.js";

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
   */
  constructor({ sourceTokens, targetTokens, weights, score, typed, margins, hypotheses = [] }) {
    Object.assign(this, { sourceTokens, targetTokens, weights, score, typed, margins, hypotheses });
  }

  withHypotheses(hypotheses) {
    return new Translation({ ...this, hypotheses });
  }

  /** The target tokens joined by spaces. */
  get text() {
    return this.targetTokens.join(" ");
  }

  /** The translation as a reader writes it, names capitalised as typed. */
  get sentence() {
    if (this.typed === undefined) return detokenize(this.targetTokens);
    return detokenize(casedAsTyped(this.targetTokens, this.typed, this.sourceTokens));
  }
}
