// Questions a panel asks of its run (docs/what-if.md), and what the page shows of the
// answer: the alternatives of a word, each word's probability and rank, what was asked
// and what the path it asked for costs. A question is either the model steered,
// ``{prefix, hide, point}`` (forced words, hidden source positions, pointed steps), or
// a translation for it to read, ``{reference}``; null asks nothing.

import { caption } from "./heatmap.js";
import { element } from "./dom.js";

// The most probable words of every step the page asks for: a handful is what a reader
// compares, and each is a button to force.
export const ALTERNATIVES = 5;

/**
 * @typedef {{prefix: string[] | null, hide: number[], point: {step: number, source: number}[]}
 *   | {reference: string}} Question
 */

/** The fields of the lab's API (and of the page's back end) that ask ``question``. */
export function fieldsOf(question) {
  if (!question) return {};
  if (isReading(question)) return { reference: question.reference };
  const fields = {};
  if (question.prefix && question.prefix.length) fields.prefix = question.prefix;
  if (question.hide.length) fields.hide = question.hide;
  if (question.point.length) fields.point = question.point;
  return fields;
}

export const isReading = (question) => Boolean(question && question.reference !== undefined);

/** The steering part of ``question`` (nothing of a translation read). */
function steering(question) {
  if (!question || isReading(question)) return { prefix: null, hide: [], point: [] };
  return question;
}

/** ``question`` with the words ``tokens[:step]`` and then ``words`` forced. */
export function forcing(question, tokens, step, words) {
  return { ...steering(question), prefix: [...tokens.slice(0, step), ...words] };
}

/** ``question`` with source position ``column`` hidden, or shown again if it was hidden. */
export function hiding(question, column) {
  const asked = steering(question);
  const hide = asked.hide.includes(column)
    ? asked.hide.filter((position) => position !== column)
    : [...asked.hide, column].sort((a, b) => a - b);
  return orNull({ ...asked, hide });
}

/** ``question`` with ``step`` pointed at ``column``, or no longer if it was. */
export function pointing(question, step, column) {
  const asked = steering(question);
  const others = asked.point.filter((point) => point.step !== step);
  const was = asked.point.find((point) => point.step === step);
  const point = was && was.source === column
    ? others
    : [...others, { step, source: column }].sort((a, b) => a.step - b.step);
  return orNull({ ...asked, point });
}

function orNull(question) {
  const asks = (question.prefix && question.prefix.length) || question.hide.length ||
    question.point.length;
  return asks ? question : null;
}

const probability = (p) => (p >= 0.005 ? p.toFixed(2) : "<0.01");

/**
 * The alternatives of word ``row`` of ``shown`` as bars, each word a button that forces
 * it (``data-word``), the word written marked; where it was not among them (a forced
 * word, a word of a translation read), it follows with its rank.
 * @param {HTMLElement} container
 * @param {object} shown a record's view: target_tokens, alternatives, log_probabilities, ranks
 * @param {number | null} row
 */
export function renderAlternatives(container, shown, row) {
  container.replaceChildren();
  if (row === null || !shown.alternatives) return;
  const written = shown.target_tokens[row];
  const rows = shown.alternatives[row].map(([word, p]) => ({ word, p, rank: null }));
  if (!rows.some(({ word }) => word === written) && shown.log_probabilities) {
    rows.push({ word: written, p: Math.exp(shown.log_probabilities[row]), rank: shown.ranks[row] });
  }
  for (const { word, p, rank } of rows) {
    const isWritten = word === written;
    const line = element("div", `alternative${isWritten ? " written-word" : ""}`);
    const button = element("button", "alternative-word", word);
    button.type = "button";
    button.dataset.word = word;
    button.dataset.step = String(row);
    if (isWritten) button.setAttribute("aria-current", "true");
    button.title = isWritten
      ? `“${word}” is what was written at word ${row + 1}`
      : `Make the model write “${word}” at word ${row + 1} and go on by itself`;
    const fill = element("span", "bar-fill");
    fill.style.width = `${(100 * p).toFixed(1)}%`;
    const track = element("span", "bar-track");
    track.append(fill);
    const note = rank === null ? probability(p) : `${probability(p)} · rank ${rank}`;
    line.append(button, track, element("span", "alternative-probability", note));
    container.append(line);
  }
}

/**
 * Each word of ``shown`` with its probability and rank, the unexpected ones marked, as
 * `translate --alternatives` prints them.
 * @param {HTMLTableElement} table
 * @param {object} shown
 */
export function renderWords(table, shown) {
  table.replaceChildren();
  if (!shown.log_probabilities) return;
  const head = element("tr");
  for (const name of ["", "word", "probability", "rank", ""]) head.append(element("th", "", name));
  table.append(head);
  const surprises = new Set(shown.surprises || []);
  const pointed = new Map((shown.pointed || []).map(({ step, source }) => [step, source]));
  shown.target_tokens.forEach((word, t) => {
    const notes = [];
    if (t < (shown.forced || 0)) notes.push("forced");
    if (pointed.has(t)) notes.push(`pointed at ${shown.source_tokens[pointed.get(t)]}`);
    if (surprises.has(t)) notes.push("unexpected");
    const line = element("tr", surprises.has(t) ? "surprise" : "");
    line.dataset.targetIndex = String(t);
    line.append(
      element("td", "word-number", String(t + 1)),
      element("td", "word-token", word),
      element("td", "word-probability", probability(Math.exp(shown.log_probabilities[t]))),
      element("td", "word-rank", String(shown.ranks[t])),
      element("td", "word-note", notes.join("; ")),
    );
    table.append(line);
  });
}

/**
 * What was asked, in words, and the log-probability of the path shown beside the
 * model's own translation's.
 * @param {object} shown the view of the answer
 * @param {object | null} own the record of the model's own translation
 * @param {Question | null} question
 * @returns {{asked: string, scores: string}}
 */
export function describe(shown, own, question) {
  if (!question) return { asked: "", scores: "" };
  const lines = caption(shown).filter((line) => !line.startsWith("unexpected"));
  const asked = isReading(question)
    ? "Your translation, read by the model"
    : `Asked: ${lines.join(" · ") || "nothing the translation reaches"}`;
  const path = isReading(question) ? "your translation" : "this path";
  const ownScore = own ? `; the model's own translation ${own.score.toFixed(2)}` : "";
  return { asked, scores: `Log-probability of ${path} ${shown.score.toFixed(2)}${ownScore}.` };
}
