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
import re
from collections.abc import Sequence
from importlib import resources
from typing import Any

from viz._files import output_path, write_text_atomically
from viz._validate import Attention, as_attention
from viz.labels import is_shortened, joined, label, text_label, visible
from viz.style import colour_stops, get_style

HTML_FORMATS = ("html", "htm")
_SURROGATE = re.compile("[\ud800-\udfff]")
ASSETS = resources.files("viz") / "assets"


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
    page = _page(attentions, text_label(title or "Where the model looked"))
    if target is not None:
        write_text_atomically(target, page)
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
    main = f"""<h1>{html.escape(title)}</h1>
<p class="hint">Point at, tab to or click a word of the translation to see which words it read.
Clicking pins it.</p>
{sections}
<div class="legend">0 <span class="scale" style="background: linear-gradient(to right, {gradient})">
</span> 1 attention weight</div>"""
    scripts = (
        _data_script("attention-data", data)
        + _data_script("attention-colours", stops)
        + f"<script>{asset('page.js')}</script>"
    )
    return document(title, asset("page.css"), main, after=scripts)


def asset(name: str) -> str:
    """The text of a file of ``viz/assets``: the CSS and JavaScript the pages inline."""
    return (ASSETS / name).read_text(encoding="utf-8")


def document(title: str, css: str, main: str, *, after: str = "") -> str:
    """A whole HTML page: ``main`` inside ``<main>``, then ``after``; ``css`` inline."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{css}</style>
</head>
<body>
<main>
{main}
</main>
{after}
</body>
</html>
"""


def _section(number: int, attention: Attention, stops: list[tuple[str, str]]) -> str:
    source_text = html.escape(joined(attention.source_tokens))
    target_text = html.escape(joined(attention.target_tokens))
    sources = "".join(
        f'<span class="token source" data-source-index="{j}"{_tooltip(token)}>'
        f'{html.escape(label(token))}<span class="weight"></span></span>'
        for j, token in enumerate(attention.source_tokens)
    )
    targets = "".join(
        f'<button type="button" class="token target" data-target-index="{i}" '
        f'aria-pressed="false"{_tooltip(token)}>{html.escape(label(token))}</button>'
        for i, token in enumerate(attention.target_tokens)
    )
    return f"""<section data-sentence-index="{number}">
<h2>{source_text} → {target_text}</h2>
<div class="side"><span class="side-name">source</span><p class="tokens">{sources}</p></div>
<div class="side"><span class="side-name">target</span><p class="tokens">{targets}</p></div>
{_table(attention, stops)}
</section>"""


def _tooltip(token: str) -> str:
    """A ``title`` attribute holding the whole token, where its label leaves part of it out."""
    return f' title="{html.escape(visible(token))}"' if is_shortened(token) else ""


def _table(attention: Attention, stops: list[tuple[str, str]]) -> str:
    """The matrix as a table: a row per target token, a cell coloured by each weight."""
    source_labels = [html.escape(shown) for shown in attention.source_labels]
    target_labels = [html.escape(shown) for shown in attention.target_labels]
    header = "".join(
        f'<th scope="col"{_tooltip(token)}>{shown}</th>'
        for token, shown in zip(attention.source_tokens, source_labels)
    )
    body = []
    for target_token, target_label, weights in zip(
        attention.target_tokens, target_labels, attention.weights
    ):
        cells = "".join(
            f'<td style="background-color: {_colour(weight, stops)}" '
            f'title="{target_label} ← {source_label}: {_label(weight)}"></td>'
            for source_label, weight in zip(source_labels, weights)
        )
        body.append(f'<tr><th scope="row"{_tooltip(target_token)}>{target_label}</th>{cells}</tr>')
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


def _data_script(element_id: str, value: Any) -> str:
    """``value`` as a JSON data element that cannot end early: every "<" becomes \\u003c.

    A lone surrogate (which JSON may hold, but UTF-8 cannot) is written as its escape too.
    """
    text = json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")
    text = _SURROGATE.sub(lambda match: f"\\u{ord(match[0]):04x}", text)
    return f'<script type="application/json" id="{element_id}">{text}</script>\n'
