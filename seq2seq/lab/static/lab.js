// The lab's page: type a sentence, see where each run's attention looked, and ask the
// model what if (questions.js). One script for both back ends (backend.js): the lab's
// server, or the model run in the page from an exported folder. Plain modern
// JavaScript and the DOM, no libraries: it must work offline. Tokens come from users
// and models, so they only ever enter the page as text (textContent), never as markup.

import { questionOf, readAddress, writeAddress } from "./address.js";
import { Refusal, browserBackend, serverBackend } from "./backend.js";
import { $, element } from "./dom.js";
import { heatmap } from "./heatmap.js";
import { DamagedFile } from "./model/arrays.js";
import { UNK, casedAsTyped, detokenize } from "./model/text.js";
import { pngFile, svgFile } from "./pictures.js";
import {
  ALTERNATIVES, describe, fieldsOf, forcing, hiding, isReading, pointing, renderAlternatives,
  renderWords,
} from "./questions.js";

// Typing pauses between words are longer than this; the server is asked once a pause.
const SERVER_DEBOUNCE_MS = 90;
// The page's own model answers within a frame or two: translate at each key press,
// only letting key presses that arrived during one translation share the next.
const BROWSER_DEBOUNCE_MS = 0;
const PLAY_STEP_MS = 700;
// What a panel shows instead of a heatmap for a run without attention (weights null).
const NO_ATTENTION = "This model has no attention: it reads the sentence only through " +
  "the encoder's final state, so there is no heatmap to draw.";
const ADDRESS_MS = 300; // the address follows the sentence once typing pauses
// Every translation asks for each step's most probable words, to show beside the bars.
const ASKED = { alternatives: ALTERNATIVES };

const state = {
  backend: null,
  beam: 1,
  step: 0, // output words shown: rows 0 .. step - 1, the current one is step - 1
  playing: null,
  request: 0, // the latest request; older answers are dropped
  sentence: undefined, // the sentence the panels show, which questions are asked of
  lastKeyAt: 0,
  askedAt: 0, // when the latest question was asked, for its time to the picture
  answered: 0, // questions answered, for tests and benchmarks
  refocus: null, // [panel, selector] of what gets the focus back after a redraw
  panels: [],
};

const say = (text) => { $("#status").textContent = text; };
const isProjector = () => document.documentElement.classList.contains("projector");

// --- what a panel shows -----------------------------------------------------------

// The hypothesis a panel shows, as a record of its own (the best one is the record),
// with what was asked and what the model said of each of its words.
function view(panel) {
  const record = panel.record;
  const chosen = (record.hypotheses || [])[panel.hypothesis] || record;
  const shown = {
    format: record.format, version: record.version,
    source_tokens: record.source_tokens, target_tokens: chosen.target_tokens,
    weights: chosen.weights, score: chosen.score, sentence: record.sentence, model: record.model,
  };
  for (const name of ["alternatives", "log_probabilities", "ranks", "surprises"]) {
    if (chosen[name] !== undefined) shown[name] = chosen[name];
  }
  if (record.forced) shown.forced = record.forced;
  if (record.hidden) shown.hidden = record.hidden;
  if (record.pointed) {
    shown.pointed = record.pointed.filter(({ step }) => step < shown.target_tokens.length);
  }
  return shown;
}

// The translation as a reader writes it: detokenized, names cased as typed.
const written = (shown) =>
  detokenize(casedAsTyped(shown.target_tokens, shown.sentence || "", shown.source_tokens));

// Which output word the bars are about: pinned, else pointed at, else the current step.
function chosenRow(panel, length) {
  const row = panel.pinned ?? panel.pointed ?? Math.min(state.step, length) - 1;
  return row >= 0 && row < length ? row : null;
}

function render() {
  const longest = Math.max(0, ...state.panels.filter((p) => p.record)
    .map((p) => view(p).target_tokens.length));
  const slider = $("#step");
  slider.max = String(longest);
  state.step = Math.min(state.step, longest);
  slider.value = String(state.step);
  $("#step-label").textContent = `${state.step} of ${longest} words`;
  for (const panel of state.panels) renderPanel(panel);
  if (state.refocus) {
    const [panel, selector] = state.refocus;
    state.refocus = null;
    const target = $(selector, panel.root);
    if (target) target.focus();
  }
}

// Rebuilt only when what is shown changes: pointing at a word must not replace the
// word under the pointer (nor the one with the keyboard's focus).
function renderPanel(panel) {
  const key = panel.record && [panel.record, panel.hypothesis, isProjector()];
  const built = panel.built;
  if (!key || !built || key.some((part, k) => part !== built[k])) buildPanel(panel, key);
  if (!panel.record) return;
  const shown = view(panel);
  const row = chosenRow(panel, shown.target_tokens.length);
  $(".translation", panel.root).querySelectorAll(".token").forEach((button, i) => {
    button.setAttribute("aria-pressed", String(panel.pinned === i));
    button.classList.toggle("future", i >= state.step);
    button.classList.toggle("current", i === state.step - 1);
    button.classList.toggle("chosen", i === row);
  });
  if (shown.weights !== null) {
    $(".heatmap", panel.root).querySelectorAll("g.row").forEach((group, i) => {
      group.classList.toggle("pending", i >= state.step);
    });
    placeOutline($(".heatmap .current-row", panel.root), state.step - 1);
    placeOutline($(".heatmap .chosen-row", panel.root), row);
  }
  // Rebuilt only when the chosen word changes: its buttons may be under the pointer.
  const side = [panel.record, panel.hypothesis, row];
  if (!panel.side || side.some((part, k) => part !== panel.side[k])) {
    panel.side = side;
    renderBars(panel, shown, row);
    renderAlternatives($(".alternatives", panel.root), shown, row);
  }
}

function buildPanel(panel, key) {
  const root = panel.root;
  for (const part of [".translation", ".heatmap", ".bars", ".alternatives", ".words",
    ".hypotheses"]) {
    $(part, root).replaceChildren();
  }
  $(".written", root).textContent = "";
  panel.built = key;
  panel.side = null;
  root.classList.toggle("empty", !panel.record);
  root.classList.toggle("has-question", Boolean(panel.question));
  if (!panel.record) return;
  const shown = view(panel);
  const line = $(".translation", root);
  const surprises = new Set(shown.surprises || []);
  shown.target_tokens.forEach((token, i) => {
    const button = element("button", "token target", token);
    button.type = "button";
    button.dataset.targetIndex = String(i);
    button.classList.toggle("forced", i < (shown.forced || 0));
    button.classList.toggle("surprise", Boolean(panel.question) && surprises.has(i));
    line.append(button);
  });
  $(".written", root).textContent = written(shown);
  const stops = state.backend.stops;
  const attention = shown.weights !== null;
  root.classList.toggle("no-attention", !attention);
  for (const button of root.querySelectorAll("[data-format]")) {
    button.disabled = !attention && button.dataset.format !== "json";
  }
  $(".heatmap", root).append(attention
    ? heatmap(panel.question ? shown : plain(shown), {
      labels: true, projector: isProjector(), stops, interactive: true,
    })
    : element("p", "muted no-attention-note", NO_ATTENTION));
  const { asked, scores } = describe(shown, panel.own, panel.question);
  $(".question", root).hidden = !panel.question;
  $(".asked", root).textContent = asked;
  $(".scores", root).textContent = scores;
  if (panel.question) renderWords($(".words", root), shown);
  renderHypotheses(panel);
}

// What the model said of each word marks a picture only where a question was asked:
// the model's own translation is not "unexpected" anywhere worth marking.
function plain(shown) {
  const { surprises, ...rest } = shown;
  return rest;
}

// An outline drawn around row `index` of the heatmap, or hidden.
function placeOutline(outline, index) {
  const rows = outline.ownerSVGElement.querySelectorAll("g.row");
  const shown = index !== null && index >= 0 && index < rows.length;
  outline.classList.toggle("hidden", !shown);
  if (shown) outline.setAttribute("y", Number(rows[index].dataset.top) + 1);
}

function renderBars(panel, shown, row) {
  const bars = $(".bars", panel.root);
  bars.replaceChildren();
  if (shown.weights === null) {
    bars.append(element("p", "muted", "No weights to show."));
    return;
  }
  if (row === null) {
    bars.append(element("p", "muted", "Step the decoding or choose a word of the translation."));
    return;
  }
  const target = shown.target_tokens[row];
  bars.append(element("p", "bars-title", `“${target}” read:`));
  const weights = shown.weights[row];
  const largest = Math.max(...weights);
  const pointed = (shown.pointed || []).find(({ step }) => step === row);
  const hidden = new Set(shown.hidden || []);
  shown.source_tokens.forEach((token, j) => {
    const bar = element("div", "bar");
    bar.dataset.sourceIndex = String(j);
    bar.classList.toggle("top", weights[j] === largest);
    // Each source word is a button that points this step's attention at it alone.
    const word = element("button", "bar-token", token);
    word.type = "button";
    word.dataset.sourceIndex = String(j);
    word.disabled = hidden.has(j);
    word.setAttribute("aria-pressed", String(Boolean(pointed) && pointed.source === j));
    word.title = `Make “${target}” (word ${row + 1}) read only “${token}”`;
    const fill = element("span", "bar-fill");
    fill.style.width = `${(100 * weights[j]).toFixed(1)}%`;
    const track = element("span", "bar-track");
    track.append(fill);
    bar.append(word, track, element("span", "bar-weight", weights[j].toFixed(2)));
    bars.append(bar);
  });
}

function renderHypotheses(panel) {
  const list = $(".hypotheses", panel.root);
  const record = panel.record;
  const hypotheses = record.hypotheses && record.hypotheses.length ? record.hypotheses : [record];
  hypotheses.forEach((hypothesis, k) => {
    const item = element("li", "hypothesis");
    const button = element("button", "hypothesis-choice");
    button.type = "button";
    button.dataset.hypothesisIndex = String(k);
    button.setAttribute("aria-pressed", String(k === panel.hypothesis));
    button.append(
      element("span", "hypothesis-text", hypothesis.target_tokens.join(" ") || "(nothing)"),
      element("span", "hypothesis-score", `log-probability ${hypothesis.score.toFixed(2)}`),
    );
    const shown = { source_tokens: record.source_tokens, hidden: record.hidden, ...hypothesis };
    const stops = state.backend.stops;
    item.append(button);
    if (shown.weights !== null) {
      item.append(heatmap(shown, { labels: false, projector: isProjector(), stops }));
    }
    list.append(item);
  });
}

// --- translating ------------------------------------------------------------------

// The sentence typed, translated by each panel's run. A new sentence sets the panels'
// questions aside (they were about the last one); with ``keep`` (a beam or a run
// changed, a link opened) each panel asks its question again, and a question the
// sentence cannot take is dropped with its reason said.
async function translate(keep = false) {
  const sentence = $("#sentence").value;
  const number = ++state.request;
  if (!sentence.trim()) {
    // The last picture stays: a half-typed sentence is not worth losing it for.
    say(state.panels.some((panel) => panel.record) ? "Type a sentence to translate it." : "");
    rememberAddress();
    return;
  }
  const questions = state.panels.map((panel) => (keep ? panel.question : null));
  try {
    const answers = await Promise.all(state.panels.map((panel, k) =>
      answersFor(panel, sentence, questions[k])));
    if (number !== state.request) return; // a later sentence is on its way
    const refusals = [];
    state.panels.forEach((panel, k) => {
      const { own, asked, refusal } = answers[k];
      panel.own = own;
      panel.record = asked || own;
      panel.question = asked ? questions[k] : null;
      if (!isReading(panel.question)) $(".mine-input", panel.root).value = "";
      if (refusal) refusals.push(refusal.message);
      panel.hypothesis = 0;
      panel.pinned = null;
      panel.asking += 1; // an answer to an earlier question is about another picture
    });
    state.sentence = sentence;
    stopPlaying();
    state.step = state.wantedStep ?? Infinity; // the whole translation, until it is stepped
    state.wantedStep = undefined;
    render();
    say(refusals.join(" ") || unknownWords(answers[0].own));
    $("#panels").dataset.sentence = sentence; // what is on screen, for tests and benchmarks
    markDrawn(sentence);
    rememberAddress();
  } catch (error) {
    if (number === state.request) sayError(error);
  }
}

// A panel's own translation of ``sentence`` and, where it asks one, the answer to its
// question (or the refusal of it).
async function answersFor(panel, sentence, question) {
  const own = state.backend.translate([sentence], panel.run, state.beam, ASKED);
  if (!question) return { own: (await own)[0] };
  const asked = state.backend.translate([sentence], panel.run, state.beam,
    { ...ASKED, ...fieldsOf(question) });
  const [ownAnswer, askedAnswer] = await Promise.allSettled([own, asked]);
  if (ownAnswer.status === "rejected") throw ownAnswer.reason;
  if (askedAnswer.status === "fulfilled") {
    return { own: ownAnswer.value[0], asked: askedAnswer.value[0] };
  }
  if (!(askedAnswer.reason instanceof Refusal)) throw askedAnswer.reason;
  return { own: ownAnswer.value[0], refusal: askedAnswer.reason };
}

// --- asking the model (questions.js) -------------------------------------------------

/**
 * Ask ``question`` of a panel's run about the sentence shown, and show the answer with
 * word ``pin`` chosen; a refusal is said and the last picture stays. ``refocus`` is the
 * selector, in the panel, of what gets the keyboard's focus back after the redraw.
 */
async function ask(panel, question, { pin = null, refocus = null } = {}) {
  if (!question) {
    back(panel, refocus);
    return;
  }
  if (state.sentence === undefined || !panel.own) return;
  const number = ++panel.asking;
  const round = state.request;
  try {
    const [answer] = await state.backend.translate([state.sentence], panel.run, state.beam,
      { ...ASKED, ...fieldsOf(question) });
    if (number !== panel.asking || round !== state.request) return; // asked again since
    panel.question = question;
    panel.record = answer;
    if (!isReading(question)) $(".mine-input", panel.root).value = "";
    showAnswer(panel, pin, refocus);
    say("");
  } catch (error) {
    if (number === panel.asking && round === state.request) sayError(error);
  }
}

/** The model's own translation again, in place of the answer to a question. */
function back(panel, refocus = null) {
  panel.asking += 1;
  panel.question = null;
  panel.record = panel.own;
  $(".mine-input", panel.root).value = "";
  showAnswer(panel, null, refocus);
  say("");
}

function showAnswer(panel, pin, refocus) {
  panel.hypothesis = 0;
  panel.pinned = pin;
  stopPlaying();
  state.step = Infinity;
  state.refocus = refocus && [panel, refocus];
  render();
  markAnswered();
  rememberAddress();
}

// The word the side shows, where a question about it is asked from.
function chosenWord(panel) {
  if (!panel.record) return { shown: null, row: null };
  const shown = view(panel);
  return { shown, row: chosenRow(panel, shown.target_tokens.length) };
}

function force(panel, row, words, refocus) {
  const { shown } = chosenWord(panel);
  if (!words.length) {
    say("Type a word to force it there.");
    return;
  }
  state.askedAt = performance.now();
  ask(panel, forcing(panel.question, shown.target_tokens, row, words), { pin: row, refocus });
}

// Hiding and pointing steer the model's own decoding; a translation being read is not.
function steers(panel) {
  if (!isReading(panel.question)) return true;
  say("Hiding and pointing steer the model's own translation: go back to it (or empty " +
    "your translation) first.");
  return false;
}

function hide(panel, column) {
  if (!steers(panel)) return;
  state.askedAt = performance.now();
  ask(panel, hiding(panel.question, column), {
    pin: panel.pinned, refocus: `.heatmap .source-label[data-source-index="${column}"]`,
  });
}

function point(panel, row, column, refocus) {
  if (!steers(panel)) return;
  state.askedAt = performance.now();
  ask(panel, pointing(panel.question, row, column), { pin: row, refocus });
}

function read(panel, reference) {
  state.askedAt = performance.now();
  if (!reference.trim()) {
    if (isReading(panel.question)) back(panel, ".mine-input");
    return;
  }
  ask(panel, { reference }, { refocus: ".mine-input" });
}

// A note where the model knew none of the words: it can only copy them.
function unknownWords(record) {
  const words = record.source_tokens.filter((token) => /\p{L}|\p{N}/u.test(token));
  if (words.length && words.every((token) => token === UNK)) {
    return "The model knows none of these words: it reads each as [UNK] and can only copy it.";
  }
  return "";
}

// A refusal says why in one sentence; anything else is a fault of the page's own.
function sayError(error) {
  if (error instanceof Refusal || error instanceof DamagedFile) {
    say(error.message);
  } else {
    say(`The page failed to translate this (${error.message}); reload it.`);
  }
}

// Calls ``then`` once the next frame is painted: a message posted from the frame's
// animation callback is delivered after it.
function afterPaint(then) {
  requestAnimationFrame(() => {
    const painted = new MessageChannel();
    painted.port1.onmessage = then;
    painted.port2.postMessage(null);
  });
}

// How long from the last key press to the heatmap on screen, kept on the panels with
// the sentence drawn, for the benchmarks to read.
function markDrawn(sentence) {
  const pressed = state.lastKeyAt;
  afterPaint(() => {
    const panels = $("#panels");
    if (pressed) panels.dataset.latencyMs = (performance.now() - pressed).toFixed(1);
    panels.dataset.drawnAtMs = performance.now().toFixed(1); // since the page was opened
    panels.dataset.drawn = sentence;
  });
}

// The same for a question: from the click or key press that asked it to its answer
// on screen, and how many questions have been answered.
function markAnswered() {
  const asked = state.askedAt;
  state.answered += 1;
  const answered = state.answered;
  afterPaint(() => {
    const panels = $("#panels");
    if (asked) panels.dataset.askLatencyMs = (performance.now() - asked).toFixed(1);
    panels.dataset.answered = String(answered);
  });
}

let addressTimer = null;
function rememberAddress() {
  clearTimeout(addressTimer);
  addressTimer = setTimeout(() => {
    const address = writeAddress({
      sentence: $("#sentence").value,
      runs: state.panels.map((panel) => panel.run),
      beam: state.beam,
      step: state.step >= Number($("#step").max) ? Infinity : state.step,
      questions: state.panels.map((panel) => panel.question),
    });
    if (address !== location.hash) history.replaceState(null, "", address);
  }, ADDRESS_MS);
}

// --- downloads ----------------------------------------------------------------------

async function download(panel, format) {
  if (!panel.record) return;
  const shown = view(panel);
  const stem = (shown.sentence || "attention").toLowerCase().replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "").slice(0, 40) || "attention";
  try {
    let blob;
    let name = `${stem}.record.json`;
    if (format === "json") {
      blob = new Blob([JSON.stringify(panel.record, null, 1)], { type: "application/json" });
    } else if (state.backend.kind === "browser") {
      name = `${stem}.heatmap.${format}`;
      blob = format === "svg"
        ? svgFile(shown, state.backend.stops) : await pngFile(shown, state.backend.stops);
    } else {
      say(`Drawing the ${format.toUpperCase()}…`);
      const response = await state.backend.picture(shown, format);
      const disposition = response.headers.get("Content-Disposition") || "";
      name = (disposition.match(/filename="([^"]+)"/) || [])[1] || `${stem}.${format}`;
      blob = await response.blob();
      say("");
    }
    const link = element("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  } catch (error) {
    sayError(error);
  }
}

// --- stepping through the decoding --------------------------------------------------

function stopPlaying() {
  clearInterval(state.playing);
  state.playing = null;
  $("#play").textContent = "Play";
  $("#play").setAttribute("aria-pressed", "false");
}

function play() {
  if (state.playing !== null) return stopPlaying();
  const longest = Number($("#step").max);
  if (state.step >= longest) state.step = 0;
  $("#play").textContent = "Pause";
  $("#play").setAttribute("aria-pressed", "true");
  state.playing = setInterval(() => {
    state.step += 1;
    if (state.step >= longest) stopPlaying();
    render();
    rememberAddress();
  }, PLAY_STEP_MS);
  render();
}

// --- set-up -------------------------------------------------------------------------

function addPanel(run) {
  const root = $("#panel-template").content.firstElementChild.cloneNode(true);
  const panel = {
    root, run, record: null, own: null, question: null, hypothesis: 0, pinned: null,
    pointed: null, asking: 0,
  };
  const select = $(".run", root);
  for (const { name } of state.backend.runs) {
    select.append(new Option(name, name, false, name === run));
  }
  select.addEventListener("change", () => {
    panel.run = select.value;
    panel.question = null; // its words were the other run's
    showFacts(panel);
    translate(true);
  });
  listenToTokens(panel);
  listenToQuestions(panel);
  for (const button of root.querySelectorAll("[data-format]")) {
    button.addEventListener("click", () => download(panel, button.dataset.format));
  }
  $("#panels").append(root);
  state.panels.push(panel);
  showFacts(panel);
}

// One listener per panel, on the lists, as the tokens inside are redrawn often.
function listenToTokens(panel) {
  const line = $(".translation", panel.root);
  const indexOf = (event) => {
    const token = event.target.closest("[data-target-index]");
    return token ? Number(token.dataset.targetIndex) : null;
  };
  const point = (event) => {
    const index = indexOf(event);
    if (index === null || index === panel.pointed) return;
    panel.pointed = index;
    render();
  };
  line.addEventListener("mouseover", point);
  line.addEventListener("focusin", point);
  line.addEventListener("mouseleave", () => {
    panel.pointed = null;
    render();
  });
  line.addEventListener("click", (event) => {
    const index = indexOf(event);
    if (index === null) return;
    panel.pinned = panel.pinned === index ? null : index;
    render();
  });
  $(".hypotheses", panel.root).addEventListener("click", (event) => {
    const choice = event.target.closest("[data-hypothesis-index]");
    if (!choice) return;
    panel.hypothesis = Number(choice.dataset.hypothesisIndex);
    panel.pinned = null;
    render();
    $(`[data-hypothesis-index="${panel.hypothesis}"]`, panel.root).focus();
  });
}

// The controls that ask a panel's run a question; keyboard and pointer alike.
function listenToQuestions(panel) {
  const root = panel.root;
  $(".alternatives", root).addEventListener("click", (event) => {
    const choice = event.target.closest("[data-word]");
    if (!choice) return;
    const row = Number(choice.dataset.step);
    force(panel, row, [choice.dataset.word], `.alternatives [data-word="${CSS.escape(choice.dataset.word)}"]`);
  });
  const typed = $(".force-word", root);
  const forceTyped = () => {
    const { row } = chosenWord(panel);
    if (row === null) {
      say("Choose a word of the translation first: the word typed is forced there.");
      return;
    }
    force(panel, row, [typed.value], ".force-word");
  };
  $(".force-button", root).addEventListener("click", forceTyped);
  typed.addEventListener("keydown", (event) => {
    if (event.key === "Enter") forceTyped();
  });
  const heatmap = $(".heatmap", root);
  heatmap.addEventListener("click", (event) => {
    const label = event.target.closest(".source-label[data-source-index]");
    if (label) {
      hide(panel, Number(label.dataset.sourceIndex));
      return;
    }
    const cell = event.target.closest("rect.cell");
    if (cell && (event.shiftKey || event.altKey)) {
      point(panel, Number(cell.dataset.targetIndex), Number(cell.dataset.sourceIndex), null);
    }
  });
  heatmap.addEventListener("keydown", (event) => {
    const label = event.target.closest(".source-label[data-source-index]");
    if (label && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault(); // a space would scroll the page
      hide(panel, Number(label.dataset.sourceIndex));
    }
  });
  $(".bars", root).addEventListener("click", (event) => {
    const word = event.target.closest("button[data-source-index]");
    const { row } = chosenWord(panel);
    if (!word || row === null) return;
    const column = Number(word.dataset.sourceIndex);
    point(panel, row, column, `.bars button[data-source-index="${column}"]`);
  });
  $(".back", root).addEventListener("click", () => {
    state.askedAt = performance.now();
    back(panel, `.translation .token`);
  });
  const mine = $(".mine-input", root);
  const wait = state.backend.kind === "browser" ? BROWSER_DEBOUNCE_MS : SERVER_DEBOUNCE_MS;
  let timer = null;
  mine.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => read(panel, mine.value), wait);
  });
}

function showFacts(panel) {
  const run = state.backend.runs.find((r) => r.name === panel.run);
  const facts = [];
  const attention = run.settings.attention;
  if (attention) facts.push(attention === "none" ? "no attention" : `${attention} attention`);
  if (run.metrics.exact_match !== undefined) {
    facts.push(`exact match ${run.metrics.exact_match.toFixed(3)}`);
  }
  if (run.metrics.bleu !== undefined) facts.push(`BLEU ${run.metrics.bleu.toFixed(1)}`);
  $(".run-facts", panel.root).textContent = facts.join(" · ");
}

function listen() {
  const input = $("#sentence");
  const wait = state.backend.kind === "browser" ? BROWSER_DEBOUNCE_MS : SERVER_DEBOUNCE_MS;
  let timer = null;
  input.addEventListener("keydown", () => { state.lastKeyAt = performance.now(); });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(translate, wait);
  });
  $("#beam").addEventListener("change", () => {
    state.beam = Number($("#beam").value);
    translate(true);
  });
  $("#step").addEventListener("input", () => {
    stopPlaying();
    state.step = Number($("#step").value);
    render();
    rememberAddress();
  });
  $("#play").addEventListener("click", play);
  $("#projector").addEventListener("click", () => {
    const on = document.documentElement.classList.toggle("projector");
    $("#projector").setAttribute("aria-pressed", String(on));
    render();
  });
}

// What the address asks for, where the page has it; a note on what it could not show.
function fromAddress() {
  const asked = readAddress(location.hash);
  const names = state.backend.runs.map((run) => run.name);
  const notes = [];
  let runs = names.slice(0, 2);
  if (asked.runs) {
    const missing = asked.runs.filter((name) => !names.includes(name));
    if (missing.length) {
      notes.push(`The link names the run ${missing.join(", ")}, which this page does not have ` +
        `(it has ${names.join(", ")}).`);
    }
    const found = asked.runs.filter((name) => names.includes(name)).slice(0, 2);
    if (found.length) runs = found;
  }
  let beam = 1;
  if (asked.beam !== undefined) {
    const width = Number(asked.beam);
    if (Number.isInteger(width) && width >= 1 && width <= state.backend.limits.max_beam) {
      beam = width;
    } else {
      notes.push(`The link asks for a beam of ${asked.beam.slice(0, 20)}; the widths are 1 to ` +
        `${state.backend.limits.max_beam}, so the beam is 1.`);
    }
  }
  if (asked.step !== undefined && /^\d{1,4}$/.test(asked.step)) state.wantedStep = Number(asked.step);
  if (asked.sentence !== undefined) $("#sentence").value = asked.sentence.slice(0, 10000);
  const questions = asked.questions.map((fields) => {
    const { question, problem } = questionOf(fields);
    if (problem) notes.push(problem);
    return question;
  });
  return { runs, beam, questions, notes };
}

async function start() {
  const kind = $('meta[name="backend"]').content;
  try {
    state.backend = kind === "browser"
      ? await browserBackend(new URL(".", location.href))
      : await serverBackend();
  } catch (error) {
    say(kind === "browser" ? error.message : `The lab's server cannot be reached: ${error.message}`);
    return;
  }
  document.documentElement.dataset.backend = state.backend.kind;
  $("#scale").style.background = `linear-gradient(to right, ${
    state.backend.stops.map(([background]) => background).join(", ")})`;
  const { runs, beam, questions, notes } = fromAddress();
  state.beam = beam;
  for (let width = 1; width <= state.backend.limits.max_beam; width += 1) {
    $("#beam").append(new Option(String(width), String(width), width === beam, width === beam));
  }
  runs.forEach((run) => addPanel(run));
  state.panels.forEach((panel, k) => {
    panel.question = questions[k] || null;
    if (isReading(panel.question)) $(".mine-input", panel.root).value = panel.question.reference;
  });
  listen();
  if (state.backend.kind === "browser") {
    say("Loading the model…");
    // Each run shown is fetched and checked now, so that nothing is fetched later.
    const loaded = await Promise.allSettled(runs.map((run) => state.backend.translator(run)));
    const failed = loaded.find((result) => result.status === "rejected");
    if (failed) {
      sayError(failed.reason);
      return;
    }
    say("");
  }
  await translate(true);
  if (notes.length) say([...notes, $("#status").textContent].join(" ").trim());
  document.body.dataset.ready = "true";
}

start();
