"""The attention matrix as a heatmap: rows are target tokens (written), columns source (read)."""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import QuadMesh
from matplotlib.colorbar import Colorbar
from matplotlib.figure import Figure
from matplotlib.text import Text

from viz._files import FIGURE_FORMATS, output_path, save_figure
from viz._validate import Attention, as_attention
from viz.labels import text_label
from viz.style import (
    CHARACTER_WIDTH,
    SMALLEST_FONT,
    Style,
    colormap,
    get_style,
    label_inches,
    label_rotation,
    rc_context,
)
from viz.whatif import caption_inches, mark_questions

# Numbers in the cells help up to about this many tokens a side; past it they crowd.
AUTO_ANNOTATE_MAX_TOKENS = 15
COLOUR_BAR_LABEL = "attention weight"


def cell_inches(attention: Attention, style: Style) -> float:
    """The side of one square cell: the style's size, smaller when the matrix would be too big."""
    longest_side = max(attention.weights.shape)
    return min(style.cell_inches, style.max_matrix_inches / longest_side)


def cell_inches_in(ax: Axes, attention: Attention, style: Style) -> float:
    """Roughly the cell side of a heatmap drawn into ``ax``, whose labels take a fifth of it."""
    box = ax.get_position()
    target_length, source_length = attention.weights.shape
    return min(
        cell_inches(attention, style),
        0.8 * box.width * ax.figure.get_figwidth() / source_length,
        0.8 * box.height * ax.figure.get_figheight() / target_length,
    )


def tick_size(cell: float, style: Style) -> float:
    """The token labels' font size: the style's, shrunk so labels stay within a cell's height."""
    return max(SMALLEST_FONT, min(style.tick_size, 0.75 * cell * 72))


def source_rotation(attention: Attention, cell: float, style: Style) -> float:
    """Degrees to turn the source labels above columns ``cell`` inches wide."""
    return label_rotation(attention.source_labels, tick_size(cell, style), cell)


def heatmap_size(attention: Attention, style: Style, cell: float) -> tuple[float, float]:
    """Inches (width, height) of a figure holding one heatmap, its labels and a colour bar.

    Only a first guess at the margins: constrained layout settles the exact ones.
    """
    font = tick_size(cell, style)
    rotation = math.radians(source_rotation(attention, cell, style))
    source_labels = label_inches(attention.source_labels, font) * math.sin(rotation) + font / 72
    axis_label = 2 * style.label_size / 72
    colour_bar = 0.35 + 4 * CHARACTER_WIDTH * style.tick_size / 72 + axis_label
    target_length, source_length = attention.weights.shape
    width = (
        source_length * cell
        + label_inches(attention.target_labels, font)
        + axis_label
        + colour_bar
        + 0.3
    )
    height = target_length * cell + source_labels + axis_label + 2 * style.title_size / 72 + 0.3
    return width, height


def draw_heatmap(
    ax: Axes, attention: Attention, style: Style, *, cell: float, annotate: bool | None = None
) -> tuple[QuadMesh, list[list[Text]]]:
    """Draw ``attention`` into ``ax`` without a colour bar; return the cells and their numbers.

    Seaborn's heatmap draws it: cell ``(t, s)`` spans ``[s, s + 1] × [t, t + 1]``
    with row 0 on top. ``annotate=None`` writes numbers when neither side is
    longer than `AUTO_ANNOTATE_MAX_TOKENS`. They come back as
    ``texts[target][source]`` (empty when not written), so the animations can
    update them in place.
    """
    if annotate is None:
        annotate = max(attention.weights.shape) <= AUTO_ANNOTATE_MAX_TOKENS
    # Rows an animation has not reached yet are masked; they show as blank paper.
    cmap = colormap(style).with_extremes(bad="white")
    # "0.00" is four characters; keep them inside the cell.
    annotation_size = max(SMALLEST_FONT, min(style.annotation_size, 0.4 * cell * 72))
    import seaborn  # loads pandas: on first use, so that importing viz stays fast

    written_before = len(ax.texts)
    # A fixed 0..1 scale and square cells make pictures of different sentences comparable;
    # thin white lines between cells let the eye follow a row across a projected picture.
    seaborn.heatmap(
        attention.weights,
        ax=ax,
        vmin=0,
        vmax=1,
        cmap=cmap,
        cbar=False,
        square=True,
        annot=annotate,
        fmt=".2f",
        annot_kws={"fontsize": annotation_size},
        linewidths=min(1.0, cell * 72 / 20),
        linecolor="white",
        # The labels are set below; seaborn's own would be measured for overlap, one
        # off-screen rendering of the whole figure per label.
        xticklabels=False,
        yticklabels=False,
    )
    _label_axes(ax, attention, style, cell)
    texts = ax.texts[written_before:]
    for text in texts:
        # Inside the axes anyway: leaving them out of the layout halves its cost.
        text.set_in_layout(False)
    source_length = len(attention.source_tokens)
    rows = [texts[start : start + source_length] for start in range(0, len(texts), source_length)]
    return ax.collections[0], rows


def _label_axes(ax: Axes, attention: Attention, style: Style, cell: float) -> None:
    """Token labels on both axes, the source on top: it is read first, then rows written below."""
    font = tick_size(cell, style)
    rotation = source_rotation(attention, cell, style)
    ax.set_xticks(
        np.arange(len(attention.source_tokens)) + 0.5,
        labels=attention.source_labels,
        fontsize=font,
        rotation=rotation,
        ha="left" if rotation else "center",
        rotation_mode="anchor",
    )
    ax.set_yticks(
        np.arange(len(attention.target_tokens)) + 0.5,
        labels=attention.target_labels,
        fontsize=font,
        rotation=0,
        va="center",  # as seaborn sets them
    )
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.set_xlabel("source (read)")
    ax.set_ylabel("target (written)")
    ax.tick_params(length=0)


def add_colour_bar(image: QuadMesh, axes: Axes | list[Axes], style: Style) -> Colorbar:
    """A colour bar for ``image``, labelled, taking its room from ``axes``."""
    colour_bar = image.figure.colorbar(image, ax=axes, fraction=0.05, pad=0.02)
    colour_bar.set_label(COLOUR_BAR_LABEL, fontsize=style.label_size)
    colour_bar.ax.tick_params(labelsize=style.tick_size * 0.85)
    colour_bar.outline.set_visible(False)
    return colour_bar


def plot_heatmap(
    translation: Any,
    *,
    path: str | os.PathLike[str] | None = None,
    annotate: bool | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    style: str = "projector",
) -> Figure:
    """Draw the attention of one translation as a heatmap with a colour bar.

    ``translation`` is a ``Translation`` or a tuple ``(weights, source_tokens,
    target_tokens)`` with ``weights`` of shape ``(len(target_tokens),
    len(source_tokens))``. Rows are target tokens, columns source tokens, the
    colour scale runs from 0 to 1. ``annotate=None`` writes the weights in the
    cells when neither side has more than 15 tokens. What a question to the
    model asked (hidden words, forced words, pointed steps: `viz.whatif`) is
    marked where the translation says so. With ``ax``, draws there
    and returns its figure. With ``path`` (.png, .svg, .pdf, .jpg), also writes
    the figure there.
    """
    attention = as_attention(translation)
    chosen = get_style(style)
    target = None if path is None else output_path(path, FIGURE_FORMATS)
    with rc_context(chosen):
        if ax is None:
            cell = cell_inches(attention, chosen)
            width, height = heatmap_size(attention, chosen, cell)
            height += caption_inches(translation, chosen)
            figure = Figure(figsize=(width, height), layout="compressed")
            ax = figure.add_subplot()
        else:
            figure = ax.figure
            cell = cell_inches_in(ax, attention, chosen)
        image, _ = draw_heatmap(ax, attention, chosen, cell=cell, annotate=annotate)
        mark_questions(ax, translation, chosen)
        add_colour_bar(image, ax, chosen)
        if title is not None:
            ax.set_title(text_label(title))
    if target is not None:
        save_figure(figure, target, chosen)
    return figure
