// Text normalization and the display form of a translation: seq2seq/text.py, rule for rule.
//
// Python's `re` and JavaScript's RegExp differ where it matters here, so the classes
// are spelled out: Python's \w is a letter, a number or "_" (str.isalnum), JavaScript's
// \w and \b are ASCII only; Python's str.split() splits on str.isspace(), which has
// U+001C-U+001F and U+0085 but not U+FEFF, unlike JavaScript's \s. Both sides take
// case and composition from their own Unicode tables, which agree on every character
// Python's tables know (the parity test checks them all).

export const PAD = "";
export const UNK = "[UNK]";
export const START = "[START]";
export const END = "[END]";
export const PAD_ID = 0;
// The most tokens a sentence may have (text.MAX_TOKENS).
export const MAX_TOKENS = 100;

const WORD = "[\\p{L}\\p{N}_]";
const SPACE = "[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";

const PUNCTUATION = /([.,;:!?¿¡"()«»“”…])/gu;
const POSSESSIVE = new RegExp(`(${WORD})'s(?!${WORD})`, "gu");
// French (and Catalan, Italian, Portuguese) elision: "l'homme" reads as "l' homme".
const ELISION = new RegExp(`(?<!${WORD})(qu|jusqu|lorsqu|puisqu|[cdjlmnst])'(?=${WORD})`, "gu");
// A hyphen between words starts a token of its own: "calme-toi" → "calme -toi".
const HYPHEN = new RegExp(`(?<=${WORD})-(?=${WORD})`, "gu");
const SPACES = new RegExp(`${SPACE}+`, "u");
const LETTER = /\p{L}/u;

/**
 * Lowercase, keep accents, and set punctuation apart as its own token (text.normalize).
 * @param {string} text
 * @returns {string}
 */
export function normalize(text) {
  // Lowercase first, as Python does: NFC may compose a lowercase letter with its mark
  // where the capital has no composed form.
  return split(text.toLowerCase().normalize("NFC"));
}

/**
 * What `normalize` does after lowercasing: set tokens apart by single spaces (text._split).
 * @param {string} text
 * @returns {string}
 */
export function split(text) {
  text = text.replaceAll("\u2019", "'");
  text = text.replace(POSSESSIVE, "$1 's");
  text = text.replace(ELISION, "$1' ");
  text = text.replace(HYPHEN, " -");
  text = text.replace(PUNCTUATION, " $1 ");
  return words(text).join(" ");
}

/** Python's ``text.split()``: the words between runs of whitespace, none empty. */
function words(text) {
  return text.split(SPACES).filter((word) => word !== "");
}

/** @param {string} text @returns {string[]} */
export function tokenize(text) {
  return words(normalize(text));
}

const isWord = (token) => LETTER.test(token);

const SENTENCE_ENDS = new Set([".", "!", "?", "…"]);
const CLOSING = new Set([".", ",", ";", ":", "!", "?", "…", "»", "”", ")"]);
const OPENING = new Set(["¿", "¡", "«", "“", "("]);

/**
 * ``tokens`` with each word that ``typed`` capitalises inside a sentence written so
 * (text.cased_as_typed); a word the model read as [UNK] is written as typed anywhere.
 * @param {string[]} tokens
 * @param {string} typed
 * @param {string[]} [readAs] the source tokens the model read
 * @returns {string[]}
 */
export function casedAsTyped(tokens, typed, readAs) {
  const lowered = words(normalize(typed));
  const cased = words(split(typed.normalize("NFC")));
  if (cased.length !== lowered.length) return [...tokens];
  let unknown = lowered.map(() => false);
  if (readAs && readAs.length === lowered.length) unknown = readAs.map((token) => token === UNK);
  const names = new Map();
  let sentenceStarts = true;
  lowered.forEach((lower, i) => {
    const word = cased[i];
    const named = unknown[i] || !sentenceStarts;
    if (isWord(lower) && named && word !== lower && word.toLowerCase() === lower) {
      names.set(lower, word);
    }
    sentenceStarts = (sentenceStarts && !isWord(lower)) || SENTENCE_ENDS.has(lower);
  });
  return tokens.map((token) => (names.has(token) ? names.get(token) : token));
}

/**
 * Tokens rejoined as a reader expects the sentence, each sentence capitalised
 * (text.detokenize).
 * @param {string[]} tokens
 * @returns {string}
 */
export function detokenize(tokens) {
  let text = "";
  let glue = true;
  let quotes = 0;
  let sentenceStarts = true;
  for (let token of tokens) {
    if (sentenceStarts && isWord(token)) {
      token = capitalised(token);
      sentenceStarts = false;
    }
    if (SENTENCE_ENDS.has(token)) sentenceStarts = true;
    const closingQuote = token === '"' && quotes % 2 === 1;
    if (token === '"') quotes += 1;
    const leansBack = CLOSING.has(token) || token === "'s" || closingQuote ||
      (token.startsWith("-") && [...token].length > 1);
    text += glue || leansBack ? token : ` ${token}`;
    glue = OPENING.has(token) || (token === '"' && !closingQuote) ||
      (token.endsWith("'") && [...token].length > 1);
  }
  return text;
}

/**
 * ``token`` with its first character upper case, if that is a letter (opening
 * punctuation skipped); markup or a number stays as it is (text._capitalised).
 */
function capitalised(token) {
  const characters = [...token];
  let first = 0;
  while (first < characters.length && OPENING.has(characters[first])) first += 1;
  if (first === characters.length || !LETTER.test(characters[first])) return token;
  characters[first] = characters[first].toUpperCase();
  return characters.join("");
}
