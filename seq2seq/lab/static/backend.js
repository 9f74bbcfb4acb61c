// Where the lab's page gets its translations: the lab's server (`python -m seq2seq
// serve`, its JSON API), or the model itself, run in the page from an exported folder
// (`python -m seq2seq export --web`). Both answer with the same attention records.

import { DamagedFile, arraysOf, fetchUnpacked } from "./model/arrays.js";
import { SCORES } from "./model/attention.js";
import { SentenceError, Translator } from "./model/inference.js";
import { normalize } from "./model/text.js";
import { WhatIfError, asks } from "./model/whatif.js";

const FORMAT = "seq2seq-web";
const VERSION = 1;
const ENCODERS = ["gru", "lstm"];
// The lab's limit (seq2seq/lab/limits.py), for a manifest written before it held it.
const MAX_ALTERNATIVES = 10;

/**
 * What a request asks besides translating, as the API's fields (docs/what-if.md).
 * @typedef {object} Asked
 * @property {number} [alternatives] the most probable words of every step to keep
 * @property {string | string[]} [prefix] the words the translation must start with
 * @property {(number | string)[]} [hide] source tokens hidden from the attention
 * @property {{step: number, source: number | string}[]} [point] steps pointed at one token
 * @property {string} [reference] a translation for the model to read instead
 */

/**
 * @typedef {object} Backend
 * @property {"server" | "browser"} kind
 * @property {{name: string, settings: object, metrics: object}[]} runs
 * @property {{max_words: number, max_beam: number, max_alternatives: number}} limits
 * @property {[string, string][]} stops viz's colour map: (background, text) per step
 * @property {(sentences: string[], run: string, beam: number, asked?: Asked)
 *   => Promise<object[]>} translate attention records (viz/record.py, version 2), the
 *   beam's every hypothesis in each
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
    async translate(sentences, run, beam, asked = {}) {
      const response = await api("api/translate", { sentences, run, beam, ...asked });
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
    limits: { max_alternatives: MAX_ALTERNATIVES, ...manifest.limits },
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
    /** As the lab's server answers (seq2seq/lab/app.py), checks and refusals alike. */
    async translate(sentences, run, beam, asked = {}) {
      const { alternatives = 0, reference = null, ...whatIf } = asked;
      const point = (whatIf.point || []).map(({ step, source }) => [step, source]);
      const question = { ...whatIf, point };
      checkBeam(beam, backend.limits);
      checkAlternatives(alternatives, backend.limits);
      const translator = await backend.translator(run);
      sentences.forEach((sentence) => checkWords(sentence, "sentence", backend.limits));
      const reading = reference !== null;
      if ((reading || asks(question)) && sentences.length !== 1) {
        throw new Refusal("A question (prefix, hide, point, reference) is asked of one " +
          `sentence; 'sentences' holds ${sentences.length}.`);
      }
      if (reading) checkLength(checkWords(reference, "reference", backend.limits), "reference");
      else if (question.prefix) checkLength(normalize([question.prefix].flat().join(" ")));
      const settings = byName.get(run).settings;
      const model = {
        run, beam_width: reading ? 1 : beam, attention: settings.attention,
        encoder: settings.encoder,
      };
      return sentences.map((sentence) => {
        try {
          const translation = reading
            ? translator.align(sentence, reference, alternatives)
            : translator.translate(sentence, beam, beam, { alternatives, ...question });
          return record(translation, sentence, model);
        } catch (error) {
          if (error instanceof SentenceError || error instanceof WhatIfError) {
            throw new Refusal(error.message);
          }
          throw error;
        }
      });
    },
  };

  // A prefix, or a translation to read, no longer than a translation may be (limits.py).
  function checkLength(normalized, name = "prefix") {
    const count = normalized ? normalized.split(" ").length : 0;
    const longest = 2 * backend.limits.max_words + 10;
    if (count > longest) {
      throw new Refusal(`The ${name} has ${count.toLocaleString("en")} words and punctuation ` +
        `marks; a translation has at most ${longest} (2 × max_words + 10).`);
    }
  }
  return backend;
}

async function loadTranslator(base, manifest, run, options) {
  const { settings } = run;
  if (settings.attention !== "none" && !SCORES.includes(settings.attention)) {
    throw new Refusal(`The run ${run.name} has attention ${settings.attention}, which this page ` +
      `does not compute (it computes ${SCORES.join(", ")} and none).`);
  }
  if (!ENCODERS.includes(settings.encoder)) {
    throw new Refusal(`The run ${run.name} has a ${settings.encoder} encoder, which this page ` +
      "does not run.");
  }
  const file = (path) => {
    if (!manifest.files[path]) throw new DamagedFile(`manifest.json does not list ${path}.`);
    return fetchUnpacked(base, path, manifest.files[path]);
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

function checkAlternatives(count, limits) {
  if (!(Number.isInteger(count) && count >= 0 && count <= limits.max_alternatives)) {
    throw new Refusal(`'alternatives' is ${count}; give from 0 to max_alternatives, ` +
      `${limits.max_alternatives}, words a step.`);
  }
}

/** A sentence (or a reference) normalized, refused where empty or too long. */
function checkWords(sentence, name, limits) {
  const normalized = normalize(sentence);
  if (!normalized) {
    throw new Refusal(name === "sentence"
      ? "A sentence is empty; give at least one word to translate."
      : `A ${name} is empty; give at least one word.`);
  }
  const count = normalized.split(" ").length;
  if (name === "sentence" && count > limits.max_words) {
    throw new Refusal(`A sentence has ${count.toLocaleString("en")} words and punctuation ` +
      `marks; max_words is ${limits.max_words}: split it into shorter sentences.`);
  }
  return normalized;
}

const round = (x) => Math.round(x * 1e6) / 1e6;
// Weights (T, S) as plain arrays; null, a model without attention, stays null.
const rows = (weights) => weights && weights.map((row) => Array.from(row, round));

/**
 * The attention record of a translation, as the lab's server writes it (viz/record.py:
 * AttentionRecord.of(translation).to_json()), with what a question asked and learned.
 */
function record(translation, sentence, model) {
  const json = {
    format: "attention-record",
    version: 2,
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
      ...learned(h),
    }));
  }
  Object.assign(json, learned(translation));
  if (translation.hidden.length) json.hidden = [...translation.hidden];
  if (translation.forced) json.forced = translation.forced;
  if (translation.pointed.length) {
    json.pointed = translation.pointed.map(([step, source]) => ({ step, source }));
  }
  return json;
}

/** What a question learned of each word of a translation, as viz/_questions.py writes it. */
function learned(translation) {
  const json = {};
  if (translation.alternatives.length) {
    json.alternatives = translation.alternatives.map((step) =>
      step.map(([word, probability]) => [word, round(probability)]));
  }
  if (translation.logProbabilities && translation.logProbabilities.length) {
    json.log_probabilities = translation.logProbabilities.map(round);
    json.ranks = [...translation.ranks];
  }
  const surprises = translation.surprises;
  if (surprises.length) json.surprises = surprises;
  return json;
}
