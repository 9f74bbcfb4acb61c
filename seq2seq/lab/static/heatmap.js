// The heatmap of a record as SVG: rows are target tokens, columns source tokens, each
// cell coloured by viz's colour map and labelled with its weight. Tokens come from
// users and models, so they only ever enter the picture as text (textContent).

const SVG = "http://www.w3.org/2000/svg";
const INK = "#1a1a1a";

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
 * The heatmap of ``shown`` (source_tokens, target_tokens, weights). Rows not decoded
 * yet (class "pending") and the outlines of the current and chosen rows are for the
 * page's style and script. ``standalone`` writes a file of its own: a white ground,
 * its colours and font as attributes, no outlines.
 * @param {{source_tokens: string[], target_tokens: string[], weights: number[][]}} shown
 * @param {{labels: boolean, projector: boolean, stops: [string, string][], standalone?: boolean}} options
 * @returns {SVGSVGElement}
 */
export function heatmap(shown, { labels, projector, stops, standalone = false }) {
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
  if (standalone) {
    svg.setAttribute("xmlns", SVG);
    svg.setAttribute("font-family", "DejaVu Sans, Segoe UI, sans-serif");
    svg.append(svgElement("rect", { x: 0, y: 0, width, height, fill: "#ffffff" }));
  }
  const title = svgElement("title", {});
  title.textContent = `attention of “${shown.target_tokens.join(" ")}” over ` +
    `“${shown.source_tokens.join(" ")}”`;
  svg.append(title);
  if (labels) svg.append(...axisLabels(shown, { left, top, cell, font }));
  shown.weights.forEach((weights, i) => {
    const row = svgElement("g", { class: "row", "data-target-index": i, "data-top": top + i * cell });
    weights.forEach((weight, j) => row.append(...heatmapCell(shown, i, j, weight, {
      x: left + j * cell, y: top + i * cell, cell, font, labels, stops,
    })));
    svg.append(row);
  });
  if (labels && !standalone) {
    for (const name of ["current-row", "chosen-row"]) {
      svg.append(svgElement("rect", {
        class: `${name} hidden`, x: left + 1, y: top + 1,
        width: cell * shown.source_tokens.length - 2, height: cell - 2,
      }));
    }
  }
  return svg;
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

function axisLabels(shown, { left, top, cell, font }) {
  const nodes = [];
  shown.source_tokens.forEach((token, j) => {
    const x = left + j * cell + cell / 2;
    const label = svgElement("text", {
      class: "source-label", x, y: top - 6, "font-size": font, fill: INK,
      transform: `rotate(-45 ${x} ${top - 6})`,
    });
    label.textContent = token;
    nodes.push(label);
  });
  shown.target_tokens.forEach((token, i) => {
    const label = svgElement("text", {
      class: "target-label", x: left - 8, y: top + i * cell + cell / 2, "font-size": font,
      fill: INK, "text-anchor": "end", "dominant-baseline": "central",
    });
    label.textContent = token;
    nodes.push(label);
  });
  return nodes;
}
