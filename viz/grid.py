"""Several sentences on one sheet: a heatmap each, one shared colour bar."""

from __future__ import annotations

import math
import os
import textwrap
from collections.abc import Sequence
from typing import Any

from matplotlib.figure import Figure

from viz._files import FIGURE_FORMATS, output_path, save_figure
from viz._validate import NO_ATTENTION, Attention, as_attention, as_tokens, has_attention
from viz.heatmap import (
    add_colour_bar,
    cell_inches,
    cell_inches_in,
    draw_heatmap,
    heatmap_size,
    tick_size,
)
from viz.labels import joined, text_label
from viz.style import (
    SHEET_MAX_INCHES,
    Style,
    get_style,
    label_inches,
    line_characters,
    rc_context,
)


def plot_grid(
    translations: Sequence[Any],
    *,
    path: str | os.PathLike[str] | None = None,
    columns: int | None = None,
    titles: Sequence[str] | None = None,
    style: str = "projector",
) -> Figure:
    """Draw the heatmaps of several translations on one sheet with one shared colour bar.

    Each of ``translations`` is a ``Translation`` or a tuple ``(weights,
    source_tokens, target_tokens)``, ``weights`` of shape
    ``(len(target_tokens), len(source_tokens))``. ``columns`` defaults to up to
    3; ``titles`` (one per translation) default to the target sentences. With
    ``path`` (.png, .svg, .pdf, .jpg), also writes the figure there. A
    translation whose weights are None (its model has no attention) gets a
    panel that says so in place of a matrix.
    """
    if len(translations) == 0:
        raise ValueError("translations is empty; expected at least one translation to draw.")
    attentions = [
        as_attention(translation) if has_attention(translation) else None
        for translation in translations
    ]
    chosen = get_style(style)
    target = None if path is None else output_path(path, FIGURE_FORMATS)
    if titles is None:
        titles = [joined(as_tokens(translation)[1]) for translation in translations]
    elif len(titles) != len(attentions):
        raise ValueError(
            f"there are {len(titles)} titles for {len(attentions)} translations; "
            "expected one title per translation."
        )
    titles = [text_label(title) for title in titles]
    if columns is None:
        columns = min(len(attentions), 3)
    elif columns < 1:
        raise ValueError(f"columns is {columns}; expected at least 1.")
    rows = math.ceil(len(attentions) / columns)
    drawn = [attention for attention in attentions if attention is not None]
    panel_width, panel_height = _panel_size(drawn, chosen, columns) if drawn else (6.0, 4.0)
    with rc_context(chosen):
        figure = Figure(figsize=(columns * panel_width, rows * panel_height), layout="compressed")
        axes = []
        for number, (attention, title) in enumerate(zip(attentions, titles), start=1):
            ax = figure.add_subplot(rows, columns, number)
            axes.append(ax)
            if attention is None:
                _without_attention(ax, title, chosen, panel_width)
                continue
            cell = cell_inches_in(ax, attention, chosen)
            image, _ = draw_heatmap(ax, attention, chosen, cell=cell)
            # No wider than the matrix and its labels, or it runs into the next panel's title.
            width = (
                len(attention.source_tokens) * cell
                + label_inches(attention.target_labels, tick_size(cell, chosen))
                + 2 * chosen.label_size / 72
            )
            characters = line_characters(title, width, chosen.label_size, least=10)
            ax.set_title(wrap_lines(title, characters), fontsize=chosen.label_size)
        # Every panel has the same fixed 0..1 scale, so one bar serves them all.
        if drawn:
            add_colour_bar(image, axes, chosen)
    if target is not None:
        save_figure(figure, target, chosen)
    return figure


def _panel_size(attentions: list[Attention], style: Style, columns: int) -> tuple[float, float]:
    """Inches (width, height) of each panel: room for the largest heatmap, the sheet capped."""
    cell = min(cell_inches(attention, style) for attention in attentions)
    width = max(heatmap_size(attention, style, cell)[0] for attention in attentions)
    # Shrinking the cells shrinks a panel less than in proportion: the label margins stay.
    cell *= min(1.0, SHEET_MAX_INCHES / (columns * width))
    sizes = [heatmap_size(attention, style, cell) for attention in attentions]
    return max(width for width, _ in sizes), max(height for _, height in sizes)


def _without_attention(ax, title: str, style: Style, inches: float) -> None:
    """A panel for a translation without weights: its title, and why there is no matrix."""
    characters = line_characters(title, inches, style.label_size, least=10)
    ax.set_axis_off()
    ax.set_title(wrap_lines(title, characters), fontsize=style.label_size)
    note = NO_ATTENTION[0].upper() + NO_ATTENTION[1:] + "."
    ax.text(
        0.5,
        0.5,
        wrap_lines(note, characters),
        ha="center",
        va="center",
        transform=ax.transAxes,
        fontsize=style.label_size,
        color="0.3",
    )


def wrap_lines(text: str, width: int) -> str:
    """``text`` with each of its lines wrapped at ``width`` characters; its own breaks are kept."""
    return "\n".join(textwrap.fill(line, width) for line in text.splitlines())


def plot_hypotheses(
    translation: Any,
    *,
    path: str | os.PathLike[str] | None = None,
    style: str = "projector",
) -> Figure:
    """Draw the n best hypotheses of one sentence side by side, titled with rank and score.

    ``translation`` has ``hypotheses``, best first (a ``Translation`` from
    ``translate_batch(..., n_best=n)`` or an `AttentionRecord`), each with
    ``weights`` of shape ``(len(its target_tokens), len(source_tokens))`` and
    a ``score`` (log-probability; may be None). With ``path``, also writes the figure.
    """
    hypotheses = list(getattr(translation, "hypotheses", ()) or ())
    if not hypotheses:
        raise ValueError("there are no hypotheses to draw; expected the n best of a beam search.")
    return plot_grid(
        hypotheses,
        path=path,
        columns=len(hypotheses),
        titles=hypothesis_titles(hypotheses),
        style=style,
    )


def hypothesis_titles(hypotheses: Sequence[Any]) -> list[str]:
    """``"2. el coche rojo .\\nlog-probability -1.25"`` for each hypothesis, best first."""
    titles = []
    for rank, hypothesis in enumerate(hypotheses, start=1):
        title = f"{rank}. {joined(as_attention(hypothesis).target_tokens)}"
        score = getattr(hypothesis, "score", None)
        titles.append(title if score is None else f"{title}\nlog-probability {score:.2f}")
    return titles
