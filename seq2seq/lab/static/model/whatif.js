// Questions to put to the model while it translates: force words, hide words, point the
// attention (seq2seq/whatif.py, rule for rule, with the same messages).
//
// - prefix: the model must write these words first (normalized as a target sentence
//   is), then goes on by itself; the score is the log-probability of the whole path.
// - hide: source words the attention may not read, at every step; the others are
//   renormalized, w'_s = w_s · [s visible] / Σ_r w_r · [r visible], which is the
//   softmax over the visible words' scores alone. Only the attention is blind: the
//   encoder still reads every word.
// - point: at step t the attention reads source word s alone (weight 1), at that
//   step only; the steps before and after attend as they would.
//
// Words are named by position (from 0) or as typed; steps count from 0.

import { END, PAD, START, UNK, normalize } from "./text.js";

// Long enough for any word, short enough that an error message stays one line.
const QUOTED_MAX_CHARACTERS = 30;

/** A question the sentence or the model cannot answer; ``option`` names which option. */
export class WhatIfError extends Error {
  constructor(message, option) {
    super(message);
    this.option = option;
  }
}

/**
 * @typedef {object} WhatIf
 * @property {string | string[] | null} [prefix] the words it must write first
 * @property {(number | string)[]} [hide] source words (positions or words) hidden
 * @property {[number, number | string][]} [point] (step, word) pairs
 */

/** Whether ``whatIf`` asks anything. */
export function asks({ prefix = null, hide = [], point = [] } = {}) {
  return Boolean(prefix && prefix.length) || hide.length > 0 || point.length > 0;
}

/** A `WhatIf` resolved against one sentence: the ids and positions decoding takes. */
export class Steering {
  /**
   * @param {number[]} prefixIds target ids forced
   * @param {string[]} prefixWords the words forced, as the translation shows them
   * @param {number[]} hidden source positions, sorted
   * @param {[number, number][]} pointed (step, source position) pairs, by step
   */
  constructor(prefixIds, prefixWords, hidden, pointed) {
    Object.assign(this, { prefixIds, prefixWords, hidden, pointed });
    this.pointedAt = new Map(pointed);
  }

  /**
   * Where the attention may look at ``step`` (length,): 1 at the visible source
   * positions, or at the one position this step is pointed at; null where it may look
   * everywhere (seq2seq.inference._SteeringTensors.mask_at).
   * @returns {Uint8Array | null}
   */
  maskAt(step, length) {
    if (this.pointedAt.has(step)) {
      const mask = new Uint8Array(length);
      mask[this.pointedAt.get(step)] = 1;
      return mask;
    }
    if (!this.hidden.length) return null;
    const mask = new Uint8Array(length).fill(1);
    for (const position of this.hidden) mask[position] = 0;
    return mask;
  }

  /** The word forced at ``step``, or -1 past the prefix. */
  forcedAt(step) {
    return step < this.prefixIds.length ? this.prefixIds[step] : -1;
  }
}

/**
 * ``whatIf`` for the sentence of normalized ``words`` (read as ``sourceIds``).
 * @param {WhatIf} whatIf
 * @param {string[]} words
 * @param {number[]} sourceIds
 * @param {Map<string, number>} targetLookup the target vocabulary's words → ids
 * @param {[number, number]} unknownIds [UNK]'s source and target ids
 * @param {number} limit how many tokens a translation of this sentence may have
 * @returns {Steering}
 */
export function resolve(whatIf, words, sourceIds, targetLookup, unknownIds, limit) {
  const [sourceUnknown, targetUnknown] = unknownIds;
  const unknownWords = new Set(words.filter((word, i) => sourceIds[i] === sourceUnknown));
  const prefixWords = prefixWordsOf(whatIf.prefix ?? null);
  if (prefixWords.length > limit) {
    throw new WhatIfError(`The prefix has ${prefixWords.length.toLocaleString("en")} tokens; ` +
      `a translation of this sentence has at most ${limit}, so give at most that many.`, "prefix");
  }
  const prefixIds = prefixWords.map((word) =>
    targetId(word, targetLookup, unknownWords, targetUnknown));
  const hidden = hiddenOf(whatIf.hide ?? [], words);
  const pointed = pointedOf(whatIf.point ?? [], words, hidden, limit);
  return new Steering(prefixIds, prefixWords, hidden, pointed);
}

function prefixWordsOf(prefix) {
  if (prefix === null) return [];
  if (typeof prefix !== "string") {
    if (!Array.isArray(prefix) || !prefix.every((word) => typeof word === "string")) {
      throw new WhatIfError("The prefix must be text or a list of words.", "prefix");
    }
    prefix = prefix.join(" ");
  }
  const normalized = normalize(prefix);
  return normalized ? normalized.split(" ") : [];
}

/** The id a forced word is written with; a `WhatIfError` for one the model cannot write. */
function targetId(word, targetLookup, unknownWords, targetUnknown) {
  if ([START, END, UNK].includes(word.toUpperCase()) || word === PAD) {
    throw new WhatIfError(`The prefix holds the marker ${quoted(word)}; give words of the ` +
      "translation only.", "prefix");
  }
  if (targetLookup.has(word)) return targetLookup.get(word);
  if (unknownWords.has(word)) return targetUnknown; // a name the model copies through [UNK]
  throw new WhatIfError(`The model cannot write ${quoted(word)}: it is not among the ` +
    `${(targetLookup.size - 1).toLocaleString("en")} words of its target vocabulary nor a word ` +
    "of the sentence that it copies; force a word it knows.", "prefix");
}

function hiddenOf(hide, words) {
  const hidden = new Set();
  for (const word of asList(hide)) {
    if (typeof word === "string") places(word, words, "hide").forEach((p) => hidden.add(p));
    else hidden.add(position(word, words, "hide"));
  }
  if (hidden.size && hidden.size === words.length) {
    throw new WhatIfError(`Hiding all ${words.length} source words leaves the attention ` +
      "nothing to read; keep at least one visible.", "hide");
  }
  return [...hidden].sort((a, b) => a - b);
}

function pointedOf(point, words, hidden, limit) {
  const pointed = new Map();
  for (const item of asList(point)) {
    if (!Array.isArray(item) || item.length !== 2) {
      throw new WhatIfError(`Each point is a pair (step, word), got ${quoted(JSON.stringify(item))}.`,
        "point");
    }
    const [step, word] = item;
    if (!Number.isInteger(step) || step < 0) {
      throw new WhatIfError(`A point's step must be a whole number from 0, got ${step}.`, "point");
    }
    if (step >= limit) {
      throw new WhatIfError(`Step ${step} is out of range: a translation of this sentence has at ` +
        `most ${limit} steps, 0 to ${limit - 1}.`, "point");
    }
    let at;
    if (typeof word === "string") {
      const found = places(word, words, "point");
      if (found.length > 1) {
        throw new WhatIfError(`${quoted(word)} appears ${found.length} times in the sentence; ` +
          `point at one by its position (${found.join(", ")}).`, "point");
      }
      at = found[0];
    } else {
      at = position(word, words, "point");
    }
    if (hidden.includes(at)) {
      throw new WhatIfError(`Source word ${at} (${quoted(words[at])}) is hidden, so the ` +
        "attention cannot be pointed at it; hide it or point at it, not both.", "point");
    }
    if (pointed.has(step)) {
      throw new WhatIfError(`Step ${step} is pointed twice; point each step once.`, "point");
    }
    pointed.set(step, at);
  }
  return [...pointed].sort((a, b) => a[0] - b[0]);
}

/** ``value`` as a list of items; one word, position or point stands alone. */
function asList(value) {
  if (typeof value === "string" || typeof value === "number") return [value];
  return Array.from(value);
}

/** The positions of ``word`` (normalized) among the sentence's ``words``. */
function places(word, words, option) {
  const normalized = normalize(word);
  const found = [];
  words.forEach((token, i) => { if (token === normalized) found.push(i); });
  if (!found.length) {
    throw new WhatIfError(`${quoted(word)} is not a word of the sentence (${words.join(" ")}); ` +
      "name one of its words.", option);
  }
  return found;
}

function position(at, words, option) {
  if (!Number.isInteger(at)) {
    throw new WhatIfError("A source word is named by its position or as typed, got " +
      `${quoted(String(at))}.`, option);
  }
  if (at < 0 || at >= words.length) {
    throw new WhatIfError(`Source position ${at} does not exist: the sentence has ` +
      `${words.length} words and punctuation marks, 0 to ${words.length - 1}.`, option);
  }
  return at;
}

/** ``text`` cut short and quoted as Python's repr quotes it. */
function quoted(text) {
  const characters = [...text];
  if (characters.length > QUOTED_MAX_CHARACTERS) {
    text = `${characters.slice(0, QUOTED_MAX_CHARACTERS - 1).join("")}…`;
  }
  if (text.includes("'") && !text.includes('"')) return `"${text}"`;
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}
