"""Bar charts of one row of the matrix: how much each source token mattered for one target token."""

from __future__ import annotations

import math
import operator
import os
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from viz._files import FIGURE_FORMATS, output_path, save_figure
from viz._validate import Attention, as_attention
from viz.style import (
    CHARACTER_WIDTH,
    SHEET_MAX_INCHES,
    SMALLEST_FONT,
    Style,
    get_style,
    label_inches,
    label_rotation,
    rc_context,
    text_inches,
)

# Small multiples: no panel narrower than this (inches).
PANEL_MIN_INCHES = 2.6
# One bar chart's height (inches), of which its source labels may take this much.
BARS_INCHES = 5.0
BARS_LABEL_INCHES = 1.5


def plot_token_bars(
    translation: Any,
    index: int | None = None,
    *,
    path: str | os.PathLike[str] | None = None,
    style: str = "projector",
) -> Figure:
    """Bar chart of the weights behind target token ``index``, over the source tokens.

    ``translation`` is a ``Translation`` or a tuple ``(weights, source_tokens,
    target_tokens)``, ``weights`` of shape ``(len(target_tokens),
    len(source_tokens))``; the chart shows ``weights[index]``, its largest bar
    highlighted, on a 0..1 axis. ``index`` counts from 0 and may be negative,
    as in Python; ``index=None`` draws small multiples, one chart per target
    token. With ``path`` (.png, .svg, .pdf, .jpg), also writes the figure there.
    """
    attention = as_attention(translation)
    chosen = get_style(style)
    target = None if path is None else output_path(path, FIGURE_FORMATS)
    target_length, source_length = attention.weights.shape
    with rc_context(chosen):
        if index is None:
            figure = _small_multiples(attention, chosen)
        else:
            row = _row_index(index, target_length)
            shown = attention.target_labels[row]
            title = f"Attention behind '{shown}' (output token {row + 1} of {target_length})"
            title_width = _title_inches(title, chosen.title_size)
            width = min(SHEET_MAX_INCHES, max(6.0, 0.7 * source_length + 2.0, title_width))
            figure = Figure(figsize=(width, BARS_INCHES), layout="constrained")
            ax = figure.add_subplot()
            rotation = _draw_bars(ax, attention, row, chosen, font=chosen.tick_size, numbers=True)
            labels = label_inches(attention.source_labels, chosen.tick_size)
            taller = labels * math.sin(math.radians(rotation)) - BARS_LABEL_INCHES
            if taller > 0:  # long words below the bars: the bars keep their height
                figure.set_size_inches(width, BARS_INCHES + taller)
            ax.set_title(title)
            ax.set_ylabel("attention weight")
    if target is not None:
        save_figure(figure, target, chosen)
    return figure


def _title_inches(title: str, font_size: float) -> float:
    """The figure width a single chart's title needs: it is centred over the bars, right of
    the weight axis, so a title drawn wider than its `CHARACTER_WIDTH` guess (wide letters)
    needs that axis's inch as well as its own width."""
    guess = len(title) * CHARACTER_WIDTH * font_size / 72
    drawn = text_inches(title, font_size)
    return guess + 0.5 if drawn <= guess else drawn + 1.5


def _row_index(index: int, target_length: int) -> int:
    index = operator.index(index)
    if not -target_length <= index < target_length:
        raise ValueError(
            f"index {index} is out of range for {target_length} target tokens; "
            f"expected {-target_length} to {target_length - 1}."
        )
    return index % target_length


def _draw_bars(
    ax: Axes, attention: Attention, row: int, style: Style, *, font: float | None, numbers: bool
) -> float:
    """One bar per source token for target token ``row``; the largest one(s) highlighted.

    Source tokens label the bars at ``font`` points (none when None); ``numbers``
    writes each weight above its bar when there is room. Returns the labels'
    rotation in degrees.
    """
    weights = attention.weights[row]
    # Positions, not tokens, on x: a sentence may repeat a token ("the ... the").
    positions = np.arange(len(weights))
    # Matplotlib's own bars: seaborn's barplot, drawing the same through its data
    # frames, took about 75 ms a panel.
    colours = np.where(weights == weights.max(), style.highlight, style.bar)
    bars = ax.bar(positions, weights, width=0.8, color=colours)
    ax.set_xlim(-0.5, len(weights) - 0.5)
    spacing = ax.get_position().width * ax.figure.get_figwidth() / len(weights)
    # Numbers on top of the bars, where they fit side by side.
    if numbers and label_inches(["0.00"], style.annotation_size) <= spacing:
        ax.bar_label(bars, fmt="%.2f", fontsize=style.annotation_size, padding=2)
    rotation = 0.0
    if font is None:
        ax.set_xticks([])
    else:
        source_labels = attention.source_labels
        # Slanted labels lean left, towards the first: reversed, as label_rotation measures.
        rotation = label_rotation(source_labels[::-1], font, spacing)
        ax.set_xticks(
            positions,
            labels=source_labels,
            fontsize=font,
            rotation=rotation,
            ha="right" if rotation == 45 else "center",
            rotation_mode="anchor" if rotation == 45 else "default",
        )
    ax.set_ylim(0, 1)
    ax.spines[["top", "right"]].set_visible(False)
    return rotation


def _small_multiples(
    attention: Attention, style: Style, max_inches: float = SHEET_MAX_INCHES
) -> Figure:
    """One bar chart per target token, in a near-square grid with a shared 0..1 axis.

    The sheet is at most ``max_inches`` wide: fewer columns, never narrower panels.
    """
    target_length, source_length = attention.weights.shape
    columns = min(math.ceil(math.sqrt(target_length)), max(1, int(max_inches // PANEL_MIN_INCHES)))
    rows = math.ceil(target_length / columns)
    panel_width = min(max(PANEL_MIN_INCHES, 0.28 * source_length + 0.8), max_inches / columns)
    # Labels as big as a bar is wide allows, never bigger than the style's; none if too small.
    font = min(style.tick_size * 0.75, 72 * (panel_width - 0.8) / source_length)
    labelled = font >= SMALLEST_FONT
    panel_height = 1.8 + (label_inches(attention.source_labels, font) if labelled else 0)
    figure = Figure(
        figsize=(columns * panel_width, rows * panel_height + 0.6), layout="constrained"
    )
    axes = figure.subplots(rows, columns, sharey=True, squeeze=False).ravel()
    target_labels = attention.target_labels
    for row, ax in enumerate(axes):
        if row >= target_length:
            ax.remove()
            continue
        _draw_bars(ax, attention, row, style, font=font if labelled else None, numbers=False)
        title = f"{row + 1}. {target_labels[row]}"
        # A long word's title shrinks to its panel rather than run into the next one's.
        title_font = style.label_size
        title_width = text_inches(title, title_font)
        if title_width > panel_width:
            title_font = max(SMALLEST_FONT, title_font * panel_width / title_width)
        ax.set_title(title, fontsize=title_font)
        ax.tick_params(axis="y", labelsize=max(font, SMALLEST_FONT))
    figure.suptitle("Attention behind each output token", fontsize=style.title_size)
    return figure
