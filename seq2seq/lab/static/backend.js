// Where the lab's page gets its translations: the lab's server (`python -m seq2seq
// serve`, its JSON API), or the model itself, run in the page from an exported folder
// (`python -m seq2seq export --web`). Both answer with the same attention records.

import { DamagedFile, arraysOf, fetchChecked, gunzip } from "./model/arrays.js";
import { SCORES } from "./model/attention.js";
import { SentenceError, Translator } from "./model/inference.js";
import { normalize } from "./model/text.js";

const FORMAT = "seq2seq-web";
const VERSION = 1;
const ENCODERS = ["gru", "lstm"];

/**
 * @typedef {object} Backend
 * @property {"server" | "browser"} kind
 * @property {{name: string, settings: object, metrics: object}[]} runs
 * @property {{max_words: number, max_beam: number}} limits
 * @property {[string, string][]} stops viz's colour map: (background, text) per step
 * @property {(sentences: string[], run: string, beam: number) => Promise<object[]>} translate
 *   attention records (viz/record.py), the beam's every hypothesis in each
 */

/** A request the lab refuses: one sentence saying why and what to do. */
export class Refusal extends Error {}

/**
 * The lab's server, through its API (seq2seq/lab/app.py).
 * @returns {Promise<Backend>}
 */
export async function serverBackend() {
  const [runs, colours] = await Promise.all([api("api/runs"), api("api/colours")]);
  const { runs: served, limits } = await runs.json();
  return {
    kind: "server",
    runs: served,
    limits,
    stops: (await colours.json()).stops,
    async translate(sentences, run, beam) {
      const response = await api("api/translate", { sentences, run, beam });
      return (await response.json()).records;
    },
    /** The record drawn by viz on the server: a Response with the file. */
    picture(record, format) {
      return api(`api/picture?format=${format}`, { record });
    },
  };
}

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  if (!response.ok) {
    let message = `The server answered ${response.status}.`;
    try {
      message = (await response.json()).error || message;
    } catch (error) { /* not JSON: keep the status */ }
    throw new Refusal(message);
  }
  return response;
}

/**
 * The model run in the page, from the folder the export wrote at ``base``. A run's
 * files are fetched, checked and decoded when it is first asked for.
 * @param {string | URL} base
 * @param {{simd?: boolean}} [options] for the model (model.js): ``simd: false`` leaves
 *   WebAssembly out
 * @returns {Promise<Backend & {translator: (run: string) => Promise<Translator>}>}
 */
export async function browserBackend(base, options = {}) {
  const response = await fetch(new URL("manifest.json", base));
  if (!response.ok) {
    throw new Refusal(`manifest.json cannot be loaded (the server answered ${response.status}); ` +
      "serve the whole exported folder.");
  }
  const manifest = await response.json();
  if (manifest.format !== FORMAT || !(manifest.version >= 1 && manifest.version <= VERSION)) {
    throw new Refusal(`manifest.json is of format ${manifest.format} ${manifest.version}; this ` +
      `page reads ${FORMAT} 1 to ${VERSION}: export the page again.`);
  }
  const loading = new Map();
  const byName = new Map(manifest.runs.map((run) => [run.name, run]));
  const backend = {
    kind: "browser",
    runs: manifest.runs.map(({ name, settings, metrics }) => ({ name, settings, metrics })),
    limits: manifest.limits,
    stops: manifest.colours,
    translator(name) {
      if (!byName.has(name)) {
        return Promise.reject(new Refusal(`No run is exported under the name ${name}; the ` +
          `runs are ${[...byName.keys()].join(", ")}.`));
      }
      if (!loading.has(name)) {
        const load = loadTranslator(base, manifest, byName.get(name), options);
        load.catch(() => loading.delete(name)); // a later request tries again
        loading.set(name, load);
      }
      return loading.get(name);
    },
    async translate(sentences, run, beam) {
      checkBeam(beam, manifest.limits);
      const translator = await backend.translator(run);
      const settings = byName.get(run).settings;
      const model = { run, beam_width: beam, attention: settings.attention, encoder: settings.encoder };
      return sentences.map((sentence) => {
        checkWords(sentence, manifest.limits);
        try {
          return record(translator.translate(sentence, beam, beam), sentence, model);
        } catch (error) {
          if (error instanceof SentenceError) throw new Refusal(error.message);
          throw error;
        }
      });
    },
  };
  return backend;
}

async function loadTranslator(base, manifest, run, options) {
  const { settings } = run;
  if (!SCORES.includes(settings.attention)) {
    throw new Refusal(`The run ${run.name} has attention ${settings.attention}, which this page ` +
      `does not compute (it computes ${SCORES.join(", ")}).`);
  }
  if (!ENCODERS.includes(settings.encoder)) {
    throw new Refusal(`The run ${run.name} has a ${settings.encoder} encoder, which this page ` +
      "does not run.");
  }
  const file = (path) => {
    if (!manifest.files[path]) throw new DamagedFile(`manifest.json does not list ${path}.`);
    return fetchChecked(base, path, manifest.files[path]).then(gunzip);
  };
  const [weights, vocabulary] = await Promise.all([file(run.weights), file(run.vocabulary)]);
  const arrays = arraysOf(weights, run.arrays);
  const vocabularies = JSON.parse(new TextDecoder().decode(vocabulary));
  return new Translator(settings, arrays, vocabularies, options);
}

function checkBeam(beam, limits) {
  if (!(Number.isInteger(beam) && beam >= 1 && beam <= limits.max_beam)) {
    throw new Refusal(`'beam' is ${beam}; give a width from 1 to max_beam, ${limits.max_beam}.`);
  }
}

function checkWords(sentence, limits) {
  const normalized = normalize(sentence);
  if (!normalized) {
    throw new Refusal("A sentence is empty; give at least one word to translate.");
  }
  const count = normalized.split(" ").length;
  if (count > limits.max_words) {
    throw new Refusal(`A sentence has ${count.toLocaleString("en")} words and punctuation ` +
      `marks; max_words is ${limits.max_words}: split it into shorter sentences.`);
  }
}

const round = (x) => Math.round(x * 1e6) / 1e6;
const rows = (weights) => weights.map((row) => Array.from(row, round));

/** The attention record of a translation, as the lab's server writes it. */
function record(translation, sentence, model) {
  const json = {
    format: "attention-record",
    version: 1,
    source_tokens: translation.sourceTokens,
    target_tokens: translation.targetTokens,
    weights: rows(translation.weights),
    score: round(translation.score),
    sentence,
    model,
  };
  if (translation.hypotheses.length) {
    json.hypotheses = translation.hypotheses.map((h) => ({
      target_tokens: h.targetTokens, weights: rows(h.weights), score: round(h.score),
    }));
  }
  return json;
}
