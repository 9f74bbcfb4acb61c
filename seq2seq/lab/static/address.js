// What the page shows, in its address: a link opens on the same picture. The part
// after "#" never reaches a server, so a static host serves the one page for any.
//
//   #s=The%20red%20car.&runs=reference,spa&beam=4&step=3

/**
 * @typedef {object} Shown
 * @property {string} [sentence]
 * @property {string[]} [runs]
 * @property {string} [beam] as written in the address; the page checks it
 * @property {string} [step]
 */

/**
 * What the address asks to show.
 * @param {string} hash location.hash
 * @returns {Shown}
 */
export function readAddress(hash) {
  const fields = new URLSearchParams(hash.replace(/^#/, ""));
  const shown = {};
  if (fields.has("s")) shown.sentence = fields.get("s");
  if (fields.has("runs")) shown.runs = fields.get("runs").split(",").filter(Boolean);
  if (fields.has("beam")) shown.beam = fields.get("beam");
  if (fields.has("step")) shown.step = fields.get("step");
  return shown;
}

/**
 * The address of what is shown (without the page's own).
 * @param {{sentence: string, runs: string[], beam: number, step: number}} shown
 *   ``step`` is Infinity when the whole translation is shown
 * @returns {string}
 */
export function writeAddress({ sentence, runs, beam, step }) {
  const fields = new URLSearchParams();
  fields.set("s", sentence);
  fields.set("runs", runs.join(","));
  fields.set("beam", String(beam));
  if (Number.isFinite(step)) fields.set("step", String(step));
  return `#${fields.toString()}`;
}
