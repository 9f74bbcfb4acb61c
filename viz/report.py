"""A printable report: each sentence with its heatmap and bars, then the run's numbers.

One HTML file with everything inline (pictures as ``data:`` PNGs, CSS in the
head, no script), so it opens offline, can be mailed around and prints on A4
or Letter paper, readable in black and white.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import io
import math
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from viz._files import output_path, write_text_atomically
from viz._validate import NO_ATTENTION, Attention, as_attention, as_tokens, has_attention
from viz.bars import PANEL_MIN_INCHES, _small_multiples
from viz.heatmap import plot_heatmap
from viz.html import HTML_FORMATS, asset, document
from viz.labels import joined, text_label
from viz.length import plot_scores_by_length
from viz.style import Style, get_style, rc_context

# Three bar charts a row: the browser scales that sheet to the page (about 7 inches of A4 or
# Letter within its margins) by less than a tenth, where four would shrink the labels by a third.
BARS_MAX_INCHES = 3 * PANEL_MIN_INCHES


def _percent(value: float) -> str:
    return f"{value:.1%}"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


# Known numbers of a run: (label, how to write the value, what it means).
SCORES: dict[str, tuple[str, Callable[[Any], str], str]] = {
    "exact_match": ("Exact match", _percent, "translations identical to a reference"),
    "bleu": ("BLEU", "{:.1f}".format, "word n-gram overlap with the references, 0 to 100"),
    "chrf": ("chrF", "{:.1f}".format, "character n-gram F-score, 0 to 100"),
    "aer": (
        "Alignment error rate",
        "{:.3f}".format,
        "attention's strongest links against gold word alignments; 0 is perfect",
    ),
    "pairs": ("Test pairs", "{:,}".format, "sentence pairs scored"),
    "sentences": ("Distinct sources", "{:,}".format, "different source sentences translated"),
    "beam_width": ("Beam width", "{}".format, "1 is greedy decoding"),
    "epochs": ("Epochs", "{}".format, "passes over the training data"),
    "train_seconds": ("Training time", _duration, "wall-clock time of training"),
}
STATISTICS: dict[str, tuple[str, Callable[[Any], str], str]] = {
    "attention_entropy": (
        "Entropy",
        "{:.2f} nats".format,
        "spread of each output token's weights; 0 means it read a single source token",
    ),
    "attention_coverage": (
        "Coverage",
        "{:.2f} per source token".format,
        "attention each source token received over the whole output; 1 is even",
    ),
    "attention_ignored_share": (
        "Ignored source tokens",
        _percent,
        "share of source tokens that almost no output token read",
    ),
}


def write_report(
    entries: Sequence[tuple[str, Any]],
    *,
    path: str | os.PathLike[str],
    title: str = "Attention report",
    metrics: Mapping[str, Any] | None = None,
    statistics: Mapping[str, Any] | None = None,
    config: Mapping[str, Any] | None = None,
    style: str = "paper",
    progress: Callable[[], object] | None = None,
) -> Path:
    """Write one self-contained HTML report of several translations and their run; return its path.

    ``entries`` are pairs ``(sentence, translation)``: the sentence as typed
    and its ``Translation`` (or tuple ``(weights, source_tokens,
    target_tokens)``, ``weights`` of shape ``(len(target_tokens),
    len(source_tokens))``). Each gets its translation, a heatmap and the bars
    behind every output token, drawn in ``style`` ("paper" by default). A
    translation whose weights are None (a model without attention) gets its
    translation and a line saying why there is no picture.

    ``metrics`` (a run's ``metrics.json``, say) and ``statistics`` (attention
    statistics) become tables with known names labelled and explained; other
    numbers and strings are listed as given, nested lists and dictionaries
    left out. Attention statistics found in ``metrics`` join ``statistics``.
    Scores by source length found there (``by_length``, as ``python -m seq2seq
    evaluate --by-length`` writes them) get a table and their picture
    (`viz.plot_scores_by_length`).
    ``config`` (a mapping or a dataclass) is listed as a small table. ``path``
    must end in .html; the file appears whole or not at all. ``progress``, if
    given, is called once per sentence drawn.
    """
    target = output_path(path, HTML_FORMATS)
    items = _entries(entries)
    get_style(style)  # an unknown style fails before anything is drawn
    numbers = _mapping(metrics, "metrics")
    by_length = _length_section(numbers.pop("by_length", None), style)
    scores = {key: value for key, value in numbers.items() if key not in STATISTICS}
    spread = {key: value for key, value in numbers.items() if key in STATISTICS}
    spread.update(_mapping(statistics, "statistics"))
    settings = _config_table(_mapping(config, "config"))
    run = _numbers_table("Scores", scores, SCORES) + _numbers_table(
        "Attention statistics", spread, STATISTICS
    )
    drawn = []
    for number, (sentence, attention) in enumerate(items, start=1):
        drawn.append(_entry_section(number, sentence, attention, style))
        if progress is not None:
            progress()
    sections = "\n".join(drawn)
    count = f"{len(items)} sentence{'s' if len(items) != 1 else ''}"
    lead = (
        "For each: the translation, its attention as a heatmap (a row per word written, a "
        "column per word read, darker for more weight) and, for every word written, the "
        "weights behind it as bars, the largest highlighted."
        if any(isinstance(attention, Attention) for _, attention in items)
        else f"For each, the translation: {html.escape(NO_ATTENTION)}."
    )
    main = f"""<h1>{html.escape(title)}</h1>
<p class="lead">{count}. {lead}</p>
{f"<h2>Run</h2>{run}" if run else ""}
{by_length}
<h2>Translations</h2>
{sections}
{f"<h2>Configuration</h2>{settings}" if settings else ""}"""
    page = document(title, asset("report.css"), main)
    write_text_atomically(target, page)
    return target


def _entries(entries: Sequence[tuple[str, Any]]) -> list[tuple[str, Attention | list | None]]:
    """Check the (sentence, translation) pairs; an empty translation becomes None, one
    without weights its target tokens."""
    if isinstance(entries, str | bytes) or not isinstance(entries, Sequence):
        raise ValueError(
            f"entries is a {type(entries).__name__}; "
            "expected a list of (sentence, translation) pairs."
        )
    if not entries:
        raise ValueError("entries is empty; expected at least one (sentence, translation) pair.")
    checked = []
    for number, entry in enumerate(entries):
        if not (isinstance(entry, Sequence) and not isinstance(entry, str) and len(entry) == 2):
            raise ValueError(
                f"entry {number} is a {type(entry).__name__}; "
                "expected a pair (sentence, translation)."
            )
        sentence, translation = entry
        if not isinstance(sentence, str):
            raise ValueError(
                f"entry {number} starts with a {type(sentence).__name__}; "
                "expected the sentence as typed (a string), then its translation."
            )
        if _is_empty(translation):
            checked.append((sentence, None))
        elif not has_attention(translation):
            checked.append((sentence, as_tokens(translation)[1]))
        else:
            checked.append((sentence, as_attention(translation)))
    return checked


def _is_empty(translation: Any) -> bool:
    """Whether the model wrote no token at all: nothing to draw, but worth reporting."""
    if isinstance(translation, tuple) and len(translation) == 3:
        target_tokens = translation[2]
    else:
        target_tokens = getattr(translation, "target_tokens", None)
    return isinstance(target_tokens, Sequence) and len(target_tokens) == 0


def _entry_section(
    number: int, sentence: str, attention: Attention | list | None, style: str
) -> str:
    shown = html.escape(text_label(sentence, limit=None))
    heading = f'<h3><span class="number">{number}.</span>{shown}</h3>'
    if attention is None:
        return (
            f'<section class="entry">{heading}<p class="translation empty">'
            "no translation: the model ended at once, so there is nothing to draw</p></section>"
        )
    if isinstance(attention, list):  # the target tokens of a model without attention
        translation = html.escape(joined(attention))
        return (
            f'<section class="entry">{heading}<p class="translation"><span class="arrow">→'
            f'</span>{translation}</p><p class="empty no-attention">No heatmap or bars: '
            f"{html.escape(NO_ATTENTION)}.</p></section>"
        )
    translation = html.escape(joined(attention.target_tokens))
    chosen = get_style(style)
    heatmap = _image(
        plot_heatmap(attention, style=style), chosen, f"attention heatmap of {translation}"
    )
    with rc_context(chosen):
        bars = _small_multiples(attention, chosen, max_inches=BARS_MAX_INCHES)
    bars = _image(bars, chosen, f"attention bars behind {translation}")
    return f"""<section class="entry">
{heading}
<p class="translation"><span class="arrow">→</span>{translation}</p>
<figure>{heatmap}<figcaption>Where each word of the translation looked.</figcaption></figure>
<figure>{bars}<figcaption>The weights behind each word written.</figcaption></figure>
</section>"""


def _length_section(by_length: Any, style: str) -> str:
    """Scores by source length as a table and a picture; "" if there are none."""
    if by_length is None:
        return ""
    buckets = by_length.get("buckets") if isinstance(by_length, Mapping) else None
    if not isinstance(buckets, list) or not buckets:
        raise ValueError(
            "metrics['by_length'] holds no 'buckets' list; expected what "
            "python -m seq2seq evaluate --by-length writes."
        )
    figure = plot_scores_by_length({"this run": buckets}, style=style)
    rows = "".join(
        f'<tr><th scope="row">{bucket["shortest"]}–{bucket["longest"]}'
        f"{' (beyond the cut)' if bucket.get('set') == 'beyond the cut' else ''}</th>"
        f'<td class="value">{bucket["sentences"]:,}</td>'
        f'<td class="value">{bucket["bleu"]:.1f}</td><td class="value">{bucket["chrf"]:.1f}</td>'
        f'<td class="value">{bucket["exact_match"]:.1%}</td></tr>'
        for bucket in buckets
    )
    table = (
        '<table class="by-length"><tr><th scope="col">source tokens</th>'
        '<th scope="col">sentences</th><th scope="col">BLEU</th><th scope="col">chrF</th>'
        f'<th scope="col">exact match</th></tr>{rows}</table>'
    )
    picture = _image(figure, get_style(style), "BLEU by source length")
    return f"""<h2>Scores by source length</h2>
<p>Each bucket's sentences scored on their own: a model without attention loses its score as
sentences grow; attention keeps it (Bahdanau et al., 2015, Figure 2).</p>
{table}
<figure>{picture}<figcaption>BLEU by source length; below, the sentences in each
bucket.</figcaption></figure>"""


def _image(figure: Figure, style: Style, alt: str) -> str:
    """``figure`` as an inline PNG, shown at its size in inches so its fonts print true to size.

    ``alt`` must already be escaped.
    """
    buffer = io.BytesIO()
    with rc_context(style):
        figure.savefig(buffer, format="png", dpi=style.dpi)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    width = figure.get_figwidth()
    return f'<img alt="{alt}" style="width: {width:.2f}in" src="data:image/png;base64,{data}">'


def _mapping(value: Any, name: str) -> dict[str, Any]:
    """``value`` (a mapping, a dataclass or None) as a dict; a TypeError names anything else."""
    if value is None:
        return {}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{name} is a {type(value).__name__}; expected a dict of names to values.")


def _numbers_table(
    heading: str,
    numbers: Mapping[str, Any],
    known: Mapping[str, tuple[str, Callable[[Any], str], str]],
) -> str:
    """A table of ``numbers``, the ``known`` ones first, labelled and explained; "" if none."""
    ordered = [key for key in known if key in numbers]
    ordered += [key for key in numbers if key not in known]
    rows = []
    for key in ordered:
        value = numbers[key]
        if isinstance(value, Mapping | list | tuple | set):
            continue
        label, write, meaning = known.get(key, (key.replace("_", " ").capitalize(), None, ""))
        rows.append(
            f'<tr><th scope="row">{html.escape(label)}</th>'
            f'<td class="value">{html.escape(_value(value, write))}</td>'
            f'<td class="meaning">{html.escape(meaning)}</td></tr>'
        )
    if not rows:
        return ""
    return f"<h3>{html.escape(heading)}</h3><table>{''.join(rows)}</table>"


def _config_table(config: Mapping[str, Any]) -> str:
    """The run's configuration as a table of names and values; "" if there is none."""
    rows = [
        f'<tr><th scope="row">{html.escape(str(key))}</th>'
        f"<td>{html.escape(_value(value))}</td></tr>"
        for key, value in config.items()
        if not isinstance(value, Mapping)
    ]
    return f'<table class="config">{"".join(rows)}</table>' if rows else ""


def _value(value: Any, write: Callable[[Any], str] | None = None) -> str:
    """``value`` as text: by ``write`` where it can, else plainly; NaN is "n/a"."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and math.isnan(value):
        return "n/a"
    if write is not None:
        try:
            return write(value)
        except (TypeError, ValueError):
            pass
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list | tuple):
        return ", ".join(_value(item) for item in value)
    return str(value)
