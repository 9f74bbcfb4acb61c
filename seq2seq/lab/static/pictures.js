// The heatmap as a file, drawn in the page: SVG as it is, PNG through a canvas. The
// static page has no server to draw with viz; the lab's server still draws its own.

import { heatmap } from "./heatmap.js";

const PNG_SCALE = 2; // sharp on a projector and in slides

/**
 * The heatmap of ``shown`` as an SVG file.
 * @param {object} shown a record's source_tokens, target_tokens and weights
 * @param {[string, string][]} stops
 * @returns {Blob}
 */
export function svgFile(shown, stops) {
  const svg = heatmap(shown, { labels: true, projector: false, stops, standalone: true });
  const text = new XMLSerializer().serializeToString(svg);
  return new Blob([`<?xml version="1.0" encoding="UTF-8"?>\n${text}\n`], { type: "image/svg+xml" });
}

/**
 * The heatmap of ``shown`` as a PNG file.
 * @param {object} shown
 * @param {[string, string][]} stops
 * @returns {Promise<Blob>}
 */
export async function pngFile(shown, stops) {
  const svg = svgFile(shown, stops);
  const url = URL.createObjectURL(svg);
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = document.createElement("canvas");
    canvas.width = Math.ceil(image.width * PNG_SCALE);
    canvas.height = Math.ceil(image.height * PNG_SCALE);
    const context = canvas.getContext("2d");
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    return await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  } finally {
    URL.revokeObjectURL(url);
  }
}
