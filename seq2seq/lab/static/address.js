// What the page shows, in its address: a link opens on the same picture. The part
// after "#" never reaches a server, so a static host serves the one page for any.
//
//   #s=The%20red%20car.&runs=reference,spa&beam=4&step=3
//
// A question asked of a panel's run travels too, the first panel's as prefix, hide,
// point and mine, the second's with a "2" after each name:
//
//   &prefix=el+perro&hide=1,4&point=2:3     forced words, hidden source positions,
//                                           step:source pairs (counted from 0)
//   &mine2=El+coche+rojo+es+rápido.         a translation for the model to read

/** The address's names of a panel's question, panel by panel. */
const QUESTION_FIELDS = ["prefix", "hide", "point", "mine"];
export const PANELS = 2;
const suffix = (panel) => (panel === 0 ? "" : String(panel + 1));

/**
 * @typedef {object} AskedInAddress a question as written in the address, unchecked
 * @property {string} [prefix]
 * @property {string} [hide]
 * @property {string} [point]
 * @property {string} [mine]
 */

/**
 * @typedef {object} Shown
 * @property {string} [sentence]
 * @property {string[]} [runs]
 * @property {string} [beam] as written in the address; the page checks it
 * @property {string} [step]
 * @property {AskedInAddress[]} questions one per panel, empty where nothing is asked
 */

/**
 * What the address asks to show.
 * @param {string} hash location.hash
 * @returns {Shown}
 */
export function readAddress(hash) {
  const fields = new URLSearchParams(hash.replace(/^#/, ""));
  const shown = { questions: [] };
  if (fields.has("s")) shown.sentence = fields.get("s");
  if (fields.has("runs")) shown.runs = fields.get("runs").split(",").filter(Boolean);
  if (fields.has("beam")) shown.beam = fields.get("beam");
  if (fields.has("step")) shown.step = fields.get("step");
  for (let panel = 0; panel < PANELS; panel += 1) {
    const asked = {};
    for (const name of QUESTION_FIELDS) {
      const value = fields.get(name + suffix(panel));
      if (value) asked[name] = value;
    }
    shown.questions.push(asked);
  }
  return shown;
}

/**
 * The address of what is shown (without the page's own).
 * @param {{sentence: string, runs: string[], beam: number, step: number,
 *   questions: (object | null)[]}} shown ``step`` is Infinity when the whole translation
 *   is shown; ``questions`` are the panels' (see `questionOf`)
 * @returns {string}
 */
export function writeAddress({ sentence, runs, beam, step, questions = [] }) {
  const fields = new URLSearchParams();
  fields.set("s", sentence);
  fields.set("runs", runs.join(","));
  fields.set("beam", String(beam));
  if (Number.isFinite(step)) fields.set("step", String(step));
  questions.forEach((question, panel) => {
    if (!question) return;
    const end = suffix(panel);
    if (question.reference) fields.set(`mine${end}`, question.reference);
    if (question.prefix && question.prefix.length) {
      fields.set(`prefix${end}`, question.prefix.join(" "));
    }
    if (question.hide && question.hide.length) fields.set(`hide${end}`, question.hide.join(","));
    if (question.point && question.point.length) {
      fields.set(`point${end}`, question.point.map(({ step: at, source }) => `${at}:${source}`)
        .join(","));
    }
  });
  return `#${fields.toString()}`;
}

/** A number as the address writes positions: whole, at most four digits. */
const POSITION = /^\d{1,4}$/;

/**
 * The question an address asks of a panel, checked for its form (the model checks the
 * rest): ``{prefix, hide, point}`` or ``{reference}``, or null where nothing is asked.
 * @param {AskedInAddress} asked
 * @returns {{question: object | null, problem: string | null}} ``problem`` says, in one
 *   sentence, what of it could not be read
 */
export function questionOf(asked) {
  if (asked.mine) return { question: { reference: asked.mine.slice(0, 1000) }, problem: null };
  const question = { prefix: null, hide: [], point: [] };
  if (asked.prefix) question.prefix = asked.prefix.slice(0, 1000).split(" ").filter(Boolean);
  if (asked.hide) {
    const positions = asked.hide.split(",");
    if (!positions.every((position) => POSITION.test(position))) {
      return { question: null, problem: `The link's hide=${asked.hide.slice(0, 20)} is not a ` +
        "list of source positions (0, 1, …), so nothing is hidden." };
    }
    question.hide = positions.map(Number);
  }
  if (asked.point) {
    const pairs = asked.point.split(",").map((pair) => pair.split(":"));
    if (!pairs.every((pair) => pair.length === 2 && pair.every((n) => POSITION.test(n)))) {
      return { question: null, problem: `The link's point=${asked.point.slice(0, 20)} is not a ` +
        "list of step:source pairs (2:3, …), so nothing is pointed." };
    }
    question.point = pairs.map(([step, source]) => ({ step: Number(step), source: Number(source) }));
  }
  const asks = question.prefix || question.hide.length || question.point.length;
  return { question: asks ? question : null, problem: null };
}
