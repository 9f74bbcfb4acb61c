// The heatmap of a record as SVG: rows are target tokens, columns source tokens, each
// cell coloured by viz's colour map and labelled with its weight. What a question to
// the model asked is marked as viz/whatif.py marks it: hidden columns hatched with
// their labels grey, pointed cells outlined, forced words bold, unexpected words in the
// highlight colour. Tokens come from users and models, so they only ever enter the
// picture as text (textContent).

const SVG = "http://www.w3.org/2000/svg";
const INK = "#1a1a1a";
const HIDDEN = "#8c8c8c"; // viz.whatif.HIDDEN_COLOUR, matplotlib's grey 0.55
const HIGHLIGHT = "#D55E00"; // viz.style's highlight, Okabe-Ito vermillion
let patterns = 0; // each heatmap's hatching needs an id of its own in the document

/**
 * An SVG element with these attributes.
 * @param {string} tag
 * @param {Record<string, string | number>} attributes
 * @returns {SVGElement}
 */
export function svgElement(tag, attributes) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

/**
 * The nearest of viz's evenly spaced colour stops: the same rule as viz.to_html.
 * @param {[string, string][]} stops (background, text) per stop
 * @param {number} weight
 * @returns {[string, string]}
 */
export function colour(stops, weight) {
  return stops[Math.round(Math.min(Math.max(weight, 0), 1) * (stops.length - 1))];
}

/**
 * One line per thing asked, as viz.whatif.caption writes them under its heatmap.
 * @param {object} shown a record's tokens and its version 2 fields
 * @returns {string[]}
 */
export function caption(shown) {
  const source = shown.source_tokens;
  const target = shown.target_tokens;
  const lines = [];
  if (shown.forced) lines.push(`forced (bold): ${target.slice(0, shown.forced).join(" ")}`);
  if (shown.hidden && shown.hidden.length) {
    lines.push(`hidden: ${shown.hidden.map((column) => source[column]).join(", ")}`);
  }
  for (const { step, source: column } of shown.pointed || []) {
    lines.push(`pointed: ${target[step]} (word ${step + 1}) → ${source[column]}`);
  }
  if (shown.surprises && shown.surprises.length) {
    lines.push(`unexpected (highlighted): ${shown.surprises.map((row) => target[row]).join(", ")}`);
  }
  return lines;
}

/**
 * The heatmap of ``shown`` (source_tokens, target_tokens, weights, and what was asked:
 * forced, hidden, pointed, surprises). Rows not decoded yet (class "pending") and the
 * outlines of the current and chosen rows are for the page's style and script; with
 * ``interactive`` the source labels are buttons (they hide their word). ``standalone``
 * writes a file of its own: a white ground, its colours and font as attributes, no
 * outlines, and the caption of what was asked under the matrix.
 * @param {{source_tokens: string[], target_tokens: string[], weights: number[][]}} shown
 * @param {{labels: boolean, projector: boolean, stops: [string, string][],
 *   standalone?: boolean, interactive?: boolean}} options
 * @returns {SVGSVGElement}
 */
export function heatmap(shown, { labels, projector, stops, standalone = false, interactive = false }) {
  const cell = labels ? (projector ? 58 : 44) : 9;
  const font = projector ? 22 : 15;
  const wide = (tokens) => (labels ? Math.max(1, ...tokens.map((t) => t.length)) * font * 0.62 : 0);
  const lines = standalone ? caption(shown) : [];
  const left = labels ? wide(shown.target_tokens) + 12 : 0;
  const top = labels ? wide(shown.source_tokens) * 0.72 + font + 8 : 0;
  const matrixWidth = cell * shown.source_tokens.length;
  const bottom = top + cell * shown.target_tokens.length;
  const width = Math.max(left + matrixWidth, ...lines.map((line) => line.length * font * 0.55)) + 2;
  const height = bottom + 2 + lines.length * font * 1.4 + (lines.length ? font * 0.6 : 0);
  const svg = svgElement("svg", {
    viewBox: `0 0 ${width} ${height}`, width, height, role: "img", class: "matrix",
  });
  if (standalone) {
    svg.setAttribute("xmlns", SVG);
    svg.setAttribute("font-family", "DejaVu Sans, Segoe UI, sans-serif");
    svg.append(svgElement("rect", { x: 0, y: 0, width, height, fill: "#ffffff" }));
  }
  const title = svgElement("title", {});
  title.textContent = `attention of “${shown.target_tokens.join(" ")}” over ` +
    `“${shown.source_tokens.join(" ")}”`;
  svg.append(title);
  const hidden = new Set(shown.hidden || []);
  if (labels) svg.append(...axisLabels(shown, hidden, { left, top, cell, font, interactive }));
  shown.weights.forEach((weights, i) => {
    const row = svgElement("g", { class: "row", "data-target-index": i, "data-top": top + i * cell });
    weights.forEach((weight, j) => row.append(...heatmapCell(shown, i, j, weight, {
      x: left + j * cell, y: top + i * cell, cell, font, labels, stops,
    })));
    svg.append(row);
  });
  svg.append(...marks(shown, hidden, { left, top, cell, labels }));
  if (labels && !standalone) {
    for (const name of ["current-row", "chosen-row"]) {
      svg.append(svgElement("rect", {
        class: `${name} hidden`, x: left + 1, y: top + 1,
        width: cell * shown.source_tokens.length - 2, height: cell - 2,
      }));
    }
  }
  lines.forEach((line, k) => {
    const text = svgElement("text", {
      class: "caption", x: left, y: bottom + font * (1.4 * k + 1.5), "font-size": font, fill: INK,
    });
    text.textContent = line;
    svg.append(text);
  });
  return svg;
}

/** The hatching over hidden columns and the outlines of pointed cells. */
function marks(shown, hidden, { left, top, cell, labels }) {
  const nodes = [];
  const rows = shown.target_tokens.length;
  if (hidden.size) {
    patterns += 1;
    const id = `hatch-${patterns}`;
    const pattern = svgElement("pattern", {
      id, width: 8, height: 8, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)",
    });
    pattern.append(svgElement("rect", { x: 0, y: 0, width: 2.5, height: 8, fill: HIDDEN }));
    const definitions = svgElement("defs", {});
    definitions.append(pattern);
    nodes.push(definitions);
    for (const column of hidden) {
      nodes.push(svgElement("rect", {
        class: "hidden-column", x: left + column * cell, y: top, width: cell,
        height: rows * cell, fill: `url(#${id})`, "pointer-events": "none",
        "data-source-index": column,
      }));
    }
  }
  for (const { step, source } of shown.pointed || []) {
    if (step >= rows) continue;
    nodes.push(svgElement("rect", {
      class: "pointed-cell", x: left + source * cell + 1.5, y: top + step * cell + 1.5,
      width: cell - 3, height: cell - 3, fill: "none", stroke: HIGHLIGHT,
      "stroke-width": labels ? 3 : 1.5, "pointer-events": "none",
      "data-target-index": step, "data-source-index": source,
    }));
  }
  return nodes;
}

function heatmapCell(shown, i, j, weight, { x, y, cell, font, labels, stops }) {
  const [background, text] = colour(stops, weight);
  const rect = svgElement("rect", {
    class: "cell", x, y, width: cell, height: cell, fill: background, stroke: "#ffffff",
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

function axisLabels(shown, hidden, { left, top, cell, font, interactive }) {
  const nodes = [];
  shown.source_tokens.forEach((token, j) => {
    const x = left + j * cell + cell / 2;
    const isHidden = hidden.has(j);
    const label = svgElement("text", {
      class: `source-label${isHidden ? " hidden-source" : ""}`, x, y: top - 6,
      "font-size": font, fill: isHidden ? HIDDEN : INK, transform: `rotate(-45 ${x} ${top - 6})`,
      "data-source-index": j,
    });
    if (isHidden) label.setAttribute("font-style", "italic");
    if (interactive) {
      label.setAttribute("tabindex", "0");
      label.setAttribute("role", "button");
      label.setAttribute("aria-pressed", String(isHidden));
      label.setAttribute("aria-label",
        `${isHidden ? "show" : "hide"} source word ${j + 1}, ${token}`);
    }
    label.textContent = token;
    nodes.push(label);
  });
  const surprises = new Set(shown.surprises || []);
  shown.target_tokens.forEach((token, i) => {
    const forced = i < (shown.forced || 0);
    const surprising = surprises.has(i);
    const classes = ["target-label", forced && "forced", surprising && "surprise"];
    const label = svgElement("text", {
      class: classes.filter(Boolean).join(" "), x: left - 8, y: top + i * cell + cell / 2,
      "font-size": font, fill: surprising ? HIGHLIGHT : INK, "text-anchor": "end",
      "dominant-baseline": "central",
    });
    if (forced) label.setAttribute("font-weight", "bold");
    label.textContent = token;
    nodes.push(label);
  });
  return nodes;
}
