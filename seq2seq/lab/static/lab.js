// The lab's page: type a sentence, see where each run's attention looked.
// Plain ES2017 and the DOM, no libraries: it must work offline. Tokens come from
// users and models, so they only ever enter the page as text (textContent),
// never as markup.
(() => {
  "use strict";

  const SVG = "http://www.w3.org/2000/svg";
  const DEBOUNCE_MS = 90; // typing pauses between words are longer than this
  const PLAY_STEP_MS = 700;
  // What a panel shows instead of a heatmap for a run without attention (weights null).
  const NO_ATTENTION = "This model has no attention: it reads the sentence only through " +
    "the encoder's final state, so there is no heatmap to draw.";
  const $ = (selector, root = document) => root.querySelector(selector);

  const state = {
    runs: [],
    limits: {},
    stops: [],
    beam: 1,
    step: 0, // output words shown: rows 0 .. step - 1, the current one is step - 1
    playing: null,
    request: 0, // the latest request; older answers are dropped
    lastKeyAt: 0,
    panels: [],
  };

  // The nearest of viz's evenly spaced colour stops: the same rule as viz.to_html.
  const colour = (weight) =>
    state.stops[Math.round(Math.min(Math.max(weight, 0), 1) * (state.stops.length - 1))];

  const element = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };

  const svgElement = (tag, attributes) => {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    return node;
  };

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
      throw new Error(message);
    }
    return response;
  }

  const say = (text) => { $("#status").textContent = text; };

  // --- what a panel shows -----------------------------------------------------------

  // The hypothesis a panel shows, as a record of its own (the best one is the record).
  function view(panel) {
    const record = panel.record;
    const chosen = (record.hypotheses || [])[panel.hypothesis] || record;
    return {
      format: record.format, version: record.version,
      source_tokens: record.source_tokens, target_tokens: chosen.target_tokens,
      weights: chosen.weights, score: chosen.score, sentence: record.sentence, model: record.model,
    };
  }

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
  }

  // Rebuilt only when what is shown changes: pointing at a word must not replace the
  // word under the pointer (nor the one with the keyboard's focus).
  function renderPanel(panel) {
    const projector = document.documentElement.classList.contains("projector");
    const key = panel.record && [panel.record, panel.hypothesis, projector];
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
    if (shown.weights === null) return; // no attention: nothing more to draw
    $(".heatmap", panel.root).querySelectorAll("g.row").forEach((group, i) => {
      group.classList.toggle("pending", i >= state.step);
    });
    placeOutline($(".heatmap .current-row", panel.root), state.step - 1);
    placeOutline($(".heatmap .chosen-row", panel.root), row);
    renderBars(panel, shown, row);
  }

  function buildPanel(panel, key) {
    const root = panel.root;
    for (const part of [".translation", ".heatmap", ".bars", ".hypotheses"]) {
      $(part, root).replaceChildren();
    }
    panel.built = key;
    root.classList.toggle("empty", !panel.record);
    if (!panel.record) return;
    const shown = view(panel);
    const line = $(".translation", root);
    shown.target_tokens.forEach((token, i) => {
      const button = element("button", "token target", token);
      button.type = "button";
      button.dataset.targetIndex = String(i);
      line.append(button);
    });
    const attention = shown.weights !== null;
    root.classList.toggle("no-attention", !attention);
    for (const button of root.querySelectorAll("[data-format]")) {
      button.disabled = !attention && button.dataset.format !== "json";
    }
    $(".heatmap", root).append(attention ? heatmap(shown, { labels: true })
      : element("p", "muted no-attention-note", NO_ATTENTION));
    if (!attention) $(".bars", root).append(element("p", "muted", "No weights to show."));
    renderHypotheses(panel);
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
    if (row === null) {
      bars.append(element("p", "muted", "Step the decoding or choose a word of the translation."));
      return;
    }
    bars.append(element("p", "bars-title", `“${shown.target_tokens[row]}” read:`));
    const weights = shown.weights[row];
    const largest = Math.max(...weights);
    shown.source_tokens.forEach((token, j) => {
      const bar = element("div", "bar");
      bar.dataset.sourceIndex = String(j);
      bar.classList.toggle("top", weights[j] === largest);
      const fill = element("span", "bar-fill");
      fill.style.width = `${(100 * weights[j]).toFixed(1)}%`;
      const track = element("span", "bar-track");
      track.append(fill);
      bar.append(element("span", "bar-token", token), track,
        element("span", "bar-weight", weights[j].toFixed(2)));
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
      const shown = { source_tokens: record.source_tokens, ...hypothesis };
      item.append(button);
      if (shown.weights !== null) item.append(heatmap(shown, { labels: false }));
      list.append(item);
    });
  }

  // --- the heatmap, as SVG ------------------------------------------------------------

  // Rows are target tokens, columns source tokens. Rows not decoded yet (class "pending")
  // and the outlines of the current and chosen rows are the style's and `renderPanel`'s.
  function heatmap(shown, { labels }) {
    const projector = document.documentElement.classList.contains("projector");
    const cell = labels ? (projector ? 58 : 44) : 9;
    const font = projector ? 22 : 15;
    const wide = (tokens) => (labels ? Math.max(1, ...tokens.map((t) => t.length)) * font * 0.62 : 0);
    const left = labels ? wide(shown.target_tokens) + 12 : 0;
    const top = labels ? wide(shown.source_tokens) * 0.72 + font + 8 : 0;
    const width = left + cell * shown.source_tokens.length + 2;
    const height = top + cell * shown.target_tokens.length + 2;
    const svg = svgElement("svg", {
      viewBox: `0 0 ${width} ${height}`, width, height, role: "img", class: "matrix",
    });
    const title = svgElement("title", {});
    title.textContent = `attention of “${shown.target_tokens.join(" ")}” over ` +
      `“${shown.source_tokens.join(" ")}”`;
    svg.append(title);
    if (labels) svg.append(...axisLabels(shown, { left, top, cell, font }));
    shown.weights.forEach((weights, i) => {
      const row = svgElement("g", { class: "row", "data-target-index": i, "data-top": top + i * cell });
      weights.forEach((weight, j) => row.append(...heatmapCell(shown, i, j, weight, {
        x: left + j * cell, y: top + i * cell, cell, font, labels,
      })));
      svg.append(row);
    });
    if (labels) {
      for (const name of ["current-row", "chosen-row"]) {
        svg.append(svgElement("rect", {
          class: `${name} hidden`, x: left + 1, y: top + 1,
          width: cell * shown.source_tokens.length - 2, height: cell - 2,
        }));
      }
    }
    return svg;
  }

  function heatmapCell(shown, i, j, weight, { x, y, cell, font, labels }) {
    const [background, text] = colour(weight);
    const rect = svgElement("rect", {
      class: "cell", x, y, width: cell, height: cell, fill: background,
      "data-target-index": i, "data-source-index": j, "data-weight": weight,
    });
    const tooltip = svgElement("title", {});
    tooltip.textContent = `${shown.target_tokens[i]} ← ${shown.source_tokens[j]}: ${weight.toFixed(2)}`;
    rect.append(tooltip);
    if (!labels) return [rect];
    const number = svgElement("text", {
      class: "cell-weight", x: x + cell / 2, y: y + cell / 2, fill: text,
      "font-size": Math.round(font * 0.72), "text-anchor": "middle", "dominant-baseline": "central",
    });
    number.textContent = weight.toFixed(2);
    return [rect, number];
  }

  function axisLabels(shown, { left, top, cell, font }) {
    const nodes = [];
    shown.source_tokens.forEach((token, j) => {
      const x = left + j * cell + cell / 2;
      const label = svgElement("text", {
        class: "source-label", x, y: top - 6, "font-size": font,
        transform: `rotate(-45 ${x} ${top - 6})`,
      });
      label.textContent = token;
      nodes.push(label);
    });
    shown.target_tokens.forEach((token, i) => {
      const label = svgElement("text", {
        class: "target-label", x: left - 8, y: top + i * cell + cell / 2, "font-size": font,
        "text-anchor": "end", "dominant-baseline": "central",
      });
      label.textContent = token;
      nodes.push(label);
    });
    return nodes;
  }

  // --- talking to the server ----------------------------------------------------------

  async function translate() {
    const sentence = $("#sentence").value;
    const number = ++state.request;
    if (!sentence.trim()) {
      for (const panel of state.panels) panel.record = null;
      render();
      say("");
      return;
    }
    try {
      const answers = await Promise.all(state.panels.map((panel) =>
        api("/api/translate", { sentences: [sentence], run: panel.run, beam: state.beam })
          .then((response) => response.json())));
      if (number !== state.request) return; // a later sentence is on its way
      state.panels.forEach((panel, k) => {
        panel.record = answers[k].records[0];
        panel.hypothesis = 0;
        panel.pinned = null;
      });
      stopPlaying();
      state.step = Infinity; // the whole translation, until the decoding is stepped
      render();
      say("");
      $("#panels").dataset.sentence = sentence; // what is on screen, for tests and benchmarks
      markDrawn(sentence);
    } catch (error) {
      if (number === state.request) say(error.message);
    }
  }

  // How long from the last key press to the heatmap on screen (after the next paint),
  // kept on the panels with the sentence drawn, for the benchmark to read.
  function markDrawn(sentence) {
    const pressed = state.lastKeyAt;
    requestAnimationFrame(() => requestAnimationFrame(() => {
      const panels = $("#panels");
      if (pressed) panels.dataset.latencyMs = (performance.now() - pressed).toFixed(1);
      panels.dataset.drawn = sentence;
    }));
  }

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
      } else {
        say(`Drawing the ${format.toUpperCase()}…`);
        const response = await api(`/api/picture?format=${format}`, { record: shown });
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
      say(error.message);
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
    }, PLAY_STEP_MS);
    render();
  }

  // --- set-up -------------------------------------------------------------------------

  function addPanel(run) {
    const root = $("#panel-template").content.firstElementChild.cloneNode(true);
    const panel = { root, run, record: null, hypothesis: 0, pinned: null, pointed: null };
    const select = $(".run", root);
    for (const { name } of state.runs) select.append(new Option(name, name, false, name === run));
    select.addEventListener("change", () => {
      panel.run = select.value;
      showFacts(panel);
      translate();
    });
    listenToTokens(panel);
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

  function showFacts(panel) {
    const run = state.runs.find((r) => r.name === panel.run);
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
    let timer = null;
    input.addEventListener("keydown", () => { state.lastKeyAt = performance.now(); });
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(translate, DEBOUNCE_MS);
    });
    $("#beam").addEventListener("change", () => {
      state.beam = Number($("#beam").value);
      translate();
    });
    $("#step").addEventListener("input", () => {
      stopPlaying();
      state.step = Number($("#step").value);
      render();
    });
    $("#play").addEventListener("click", play);
    $("#projector").addEventListener("click", () => {
      const on = document.documentElement.classList.toggle("projector");
      $("#projector").setAttribute("aria-pressed", String(on));
      render();
    });
  }

  async function start() {
    try {
      const [runs, colours] = await Promise.all([api("/api/runs"), api("/api/colours")]);
      Object.assign(state, await runs.json());
      state.stops = (await colours.json()).stops;
    } catch (error) {
      say(`The lab's server cannot be reached: ${error.message}`);
      return;
    }
    $("#scale").style.background =
      `linear-gradient(to right, ${state.stops.map(([background]) => background).join(", ")})`;
    for (let width = 1; width <= state.limits.max_beam; width += 1) {
      $("#beam").append(new Option(String(width), String(width), width === 1, width === 1));
    }
    state.runs.slice(0, 2).forEach((run) => addPanel(run.name));
    listen();
    await translate();
    document.body.dataset.ready = "true";
  }

  start();
})();
