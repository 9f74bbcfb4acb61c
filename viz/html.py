"""A standalone interactive page: point at a word of the translation, see which words it read.

One file with its CSS, JavaScript and data inline, so it opens offline and can
be mailed around. The data sits in ``<script type="application/json"
id="attention-data">`` as ``{"sentences": [{"source_tokens": [...],
"target_tokens": [...], "weights": [[...], ...], "labels": [[...], ...]}, ...]}``,
``labels`` being the weights written to two decimals; section k of the page
(``data-sentence-index="k"``) shows sentence k with target tokens
``[data-target-index="i"]`` (focusable buttons) and source tokens
``[data-source-index="j"]``, each holding a ``.weight`` label. Hovering,
focusing or clicking (which pins) target token i colours each source token by
``weights[i][j]``, writes ``labels[i][j]`` in its label, and gives
the largest one(s) the class ``top``.
"""

from __future__ import annotations

import html
import json
import math
import os
from collections.abc import Sequence
from typing import Any

from viz._files import output_path, write_atomically
from viz._validate import Attention, as_attention
from viz.style import colour_stops, get_style

HTML_FORMATS = ("html", "htm")

_CSS = """
:root { --highlight: #D55E00; --ink: #1a1a1a; --muted: #5c5c5c; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "DejaVu Sans", "Segoe UI", system-ui, sans-serif;
       color: var(--ink); background: #fff; line-height: 1.4; }
main { max-width: 72rem; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
h1 { font-size: 2rem; margin: 0 0 .25rem; }
.hint { color: var(--muted); font-size: 1.1rem; margin: 0 0 2rem; }
section { margin-bottom: 3rem; }
h2 { font-size: 1.3rem; font-weight: normal; color: var(--muted); margin: 0 0 1rem; }
.side { display: flex; align-items: baseline; gap: 1rem; margin: .75rem 0; }
.side-name { width: 5.5rem; flex: none; color: var(--muted); font-size: 1rem; }
.tokens { display: flex; flex-wrap: wrap; gap: .4rem; margin: 0; }
.token { font: inherit; font-size: 1.5rem; padding: .2rem .55rem; border-radius: .35rem;
         border: 2px solid transparent; background: #f3f3f3; color: var(--ink);
         display: inline-flex; flex-direction: column; align-items: center; }
.source .weight { font-size: .85rem; min-height: 1.2em; font-variant-numeric: tabular-nums; }
.source.top { border-color: var(--highlight); box-shadow: 0 0 0 2px var(--highlight); }
button.token { cursor: pointer; }
button.token:hover, button.token.active { border-color: var(--ink); }
button.token[aria-pressed="true"] { background: var(--ink); color: #fff; }
button.token:focus-visible { outline: 3px solid var(--highlight); outline-offset: 2px; }
table.heatmap { border-collapse: collapse; margin-top: 1.5rem; font-size: 1rem; }
.heatmap th { font-weight: normal; padding: .2rem .45rem; }
.heatmap thead th { vertical-align: bottom; }
.heatmap td { width: 2.6rem; height: 2.6rem; border: 1px solid #fff; }
.heatmap tr.active th { font-weight: bold; }
.heatmap tr.active td { border-top: 3px solid var(--highlight);
                        border-bottom: 3px solid var(--highlight); }
.legend { display: flex; align-items: center; gap: .5rem; color: var(--muted); margin-top: .75rem; }
.legend .scale { width: 12rem; height: .9rem; border-radius: .2rem; }
"""

# Plain ES2015, no libraries: the page must work offline.
_SCRIPT = """
(() => {
  "use strict";
  const data = JSON.parse(document.getElementById("attention-data").textContent);
  const stops = JSON.parse(document.getElementById("attention-colours").textContent);
  // The same colours as the heatmap pictures: the nearest of evenly spaced stops.
  const colour = (weight) =>
    stops[Math.round(Math.min(Math.max(weight, 0), 1) * (stops.length - 1))];

  for (const section of document.querySelectorAll("section[data-sentence-index]")) {
    const { weights, labels } = data.sentences[Number(section.dataset.sentenceIndex)];
    const sources = Array.from(section.querySelectorAll("[data-source-index]"));
    const targets = Array.from(section.querySelectorAll("[data-target-index]"));
    const rows = Array.from(section.querySelectorAll("tbody tr"));
    let pinned = null;

    const show = (index) => {
      targets.forEach((target, i) => target.classList.toggle("active", i === index));
      rows.forEach((row, i) => row.classList.toggle("active", i === index));
      const row = index === null ? null : weights[index];
      const largest = row === null ? null : Math.max(...row);
      sources.forEach((source, j) => {
        const label = source.querySelector(".weight");
        if (row === null) {
          source.style.removeProperty("background-color");
          source.style.removeProperty("color");
          source.classList.remove("top");
          label.textContent = "";
          return;
        }
        const [background, text] = colour(row[j]);
        source.style.backgroundColor = background;
        source.style.color = text;
        source.classList.toggle("top", row[j] === largest);
        label.textContent = labels[index][j];
      });
    };

    targets.forEach((target, i) => {
      target.addEventListener("mouseenter", () => show(i));
      target.addEventListener("focus", () => show(i));
      target.addEventListener("mouseleave", () => show(pinned));
      target.addEventListener("blur", () => show(pinned));
      target.addEventListener("click", () => {
        pinned = pinned === i ? null : i;
        targets.forEach((other, k) => other.setAttribute("aria-pressed", String(k === pinned)));
        show(i);
      });
    });
  }
})();
"""


def to_html(
    translation: Any,
    *,
    path: str | os.PathLike[str] | None = None,
    title: str | None = None,
) -> str:
    """One standalone HTML page showing where the model looked for each target token.

    ``translation`` is a ``Translation``, a tuple ``(weights, source_tokens,
    target_tokens)`` with ``weights`` of shape ``(len(target_tokens),
    len(source_tokens))``, or a list of these (one section each). Returns the
    page; with ``path`` (.html), also writes it there as UTF-8.
    """
    translations = translation if isinstance(translation, list) else [translation]
    if not translations:
        raise ValueError("translation is an empty list; expected at least one translation.")
    attentions = [as_attention(item) for item in translations]
    target = None if path is None else output_path(path, HTML_FORMATS)
    page = _page(attentions, title or "Where the model looked")
    if target is not None:
        write_atomically(target, lambda temporary: temporary.write_text(page, encoding="utf-8"))
    return page


def _page(attentions: list[Attention], title: str) -> str:
    stops = colour_stops(get_style("projector"))
    data = {
        "sentences": [
            {
                "source_tokens": attention.source_tokens,
                "target_tokens": attention.target_tokens,
                "weights": attention.weights.tolist(),
                "labels": [[_label(weight) for weight in row] for row in attention.weights],
            }
            for attention in attentions
        ]
    }
    sections = "\n".join(
        _section(number, attention, stops) for number, attention in enumerate(attentions)
    )
    gradient = ", ".join(background for background, _ in stops)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<main>
<h1>{html.escape(title)}</h1>
<p class="hint">Point at, tab to or click a word of the translation to see which words it read.
Clicking pins it.</p>
{sections}
<div class="legend">0 <span class="scale" style="background: linear-gradient(to right, {gradient})">
</span> 1 attention weight</div>
</main>
<script type="application/json" id="attention-data">{_json_for_script(data)}</script>
<script type="application/json" id="attention-colours">{_json_for_script(stops)}</script>
<script>{_SCRIPT}</script>
</body>
</html>
"""


def _section(number: int, attention: Attention, stops: list[tuple[str, str]]) -> str:
    source_text = html.escape(" ".join(attention.source_tokens))
    target_text = html.escape(" ".join(attention.target_tokens))
    sources = "".join(
        f'<span class="token source" data-source-index="{j}">{html.escape(token)}'
        '<span class="weight"></span></span>'
        for j, token in enumerate(attention.source_tokens)
    )
    targets = "".join(
        f'<button type="button" class="token target" data-target-index="{i}" '
        f'aria-pressed="false">{html.escape(token)}</button>'
        for i, token in enumerate(attention.target_tokens)
    )
    return f"""<section data-sentence-index="{number}">
<h2>{source_text} → {target_text}</h2>
<div class="side"><span class="side-name">source</span><p class="tokens">{sources}</p></div>
<div class="side"><span class="side-name">target</span><p class="tokens">{targets}</p></div>
{_table(attention, stops)}
</section>"""


def _table(attention: Attention, stops: list[tuple[str, str]]) -> str:
    """The matrix as a table: a row per target token, a cell coloured by each weight."""
    header = "".join(
        f'<th scope="col">{html.escape(token)}</th>' for token in attention.source_tokens
    )
    body = []
    for target_token, weights in zip(attention.target_tokens, attention.weights):
        cells = "".join(
            f'<td style="background-color: {_colour(weight, stops)}" '
            f'title="{html.escape(target_token)} ← {html.escape(source_token)}: '
            f'{_label(weight)}"></td>'
            for source_token, weight in zip(attention.source_tokens, weights)
        )
        body.append(f'<tr><th scope="row">{html.escape(target_token)}</th>{cells}</tr>')
    return (
        '<table class="heatmap"><caption hidden>attention weights: rows are target tokens, '
        f"columns source tokens</caption><thead><tr><th></th>{header}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _colour(weight: float, stops: Sequence[tuple[str, str]]) -> str:
    """The background of the stop nearest ``weight``: the same rule as the page's script."""
    # Half rounds up, as JavaScript's Math.round does (Python's round would go to even).
    position = math.floor(min(max(weight, 0.0), 1.0) * (len(stops) - 1) + 0.5)
    return stops[position][0]


def _label(weight: float) -> str:
    """A weight to two decimals, rounded as every picture rounds it.

    Written here rather than by the page's toFixed, which rounds halves such as 0.125 up
    where Python's format (and so matplotlib) rounds them to even.
    """
    return f"{weight:.2f}"


def _json_for_script(value: Any) -> str:
    """JSON that cannot end its <script> element early: every "<" becomes \\u003c."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")
