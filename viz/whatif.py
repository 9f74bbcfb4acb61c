"""What a question to the model changed, drawn: marks on the heatmap, and each step's alternatives.

A record (or ``Translation``) that answers a question carries the fields of
`viz.record`'s version 2: ``alternatives``, ``log_probabilities``, ``ranks``,
``surprises``, ``forced``, ``hidden`` and ``pointed``.

- `mark_questions` marks them on a heatmap already drawn: hidden columns
  hatched (their labels grey), the pointed cells outlined, forced rows' labels
  bold, unexpected words' labels in the highlight colour, and one caption line
  saying what was asked. `viz.plot_heatmap` calls it.
- `plot_alternatives`: one small chart per target token, the k most probable
  words of its step as bars, the word written highlighted, added below with
  its rank where it was not among them (a forced word, a word of a translation
  read), and a panel whose word surprised the model titled so.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from viz._files import FIGURE_FORMATS, output_path, save_figure
from viz._questions import questions_of
from viz._validate import Attention, as_attention
from viz.labels import label, labels
from viz.style import (
    SHEET_MAX_INCHES,
    SMALLEST_FONT,
    Style,
    get_style,
    label_inches,
    rc_context,
)

HIDDEN_COLOUR = "0.55"
# Panels of the alternatives: never narrower than this, bars this tall (inches).
PANEL_MIN_INCHES = 3.0
BAR_INCHES = 0.32
# The written word below the alternatives, when it was not among them.
RANK_GAP = 0.6
# A caption line under a heatmap stays within about this many characters.
CAPTION_CHARACTERS = 48


def asked(translation: Any) -> dict[str, Any]:
    """The question fields of ``translation`` (checked; empty ones left out)."""
    attention = as_attention(translation)
    if isinstance(translation, tuple):
        return {}
    return questions_of(
        translation,
        len(attention.target_tokens),
        len(attention.source_tokens),
        attention.weights,
    )


def mark_questions(ax: Axes, translation: Any, style: Style) -> None:
    """Mark on a heatmap drawn into ``ax`` (`viz.heatmap.draw_heatmap`) what was asked.

    Hidden source columns are hatched and their labels greyed, each pointed
    cell outlined, forced target rows' labels bold, unexpected words' labels
    in the highlight colour; a caption under the matrix says it in words.
    """
    fields = asked(translation)
    if not fields:
        return
    attention = as_attention(translation)
    target_length = len(attention.target_tokens)
    source_labels, target_labels = ax.get_xticklabels(), ax.get_yticklabels()
    for column in fields.get("hidden", ()):
        ax.add_patch(
            Rectangle(
                (column, 0),
                1,
                target_length,
                fill=False,
                hatch="//",
                edgecolor=HIDDEN_COLOUR,
                linewidth=0,
            )
        )
        source_labels[column].set_color(HIDDEN_COLOUR)
        source_labels[column].set_fontstyle("italic")
    for step, column in fields.get("pointed", ()):
        ax.add_patch(
            Rectangle((column, step), 1, 1, fill=False, edgecolor=style.highlight, linewidth=3)
        )
    for row in range(fields.get("forced", 0)):
        target_labels[row].set_fontweight("bold")
    for row in fields.get("surprises", ()):
        target_labels[row].set_color(style.highlight)
    lines = caption(attention, fields)
    if lines:
        ax.annotate(
            "\n".join(lines),
            xy=(0, 0),
            xycoords="axes fraction",
            xytext=(0, -style.label_size * 0.6),
            textcoords="offset points",
            va="top",
            fontsize=caption_size(style),
            parse_math=False,
        )


def caption_size(style: Style) -> float:
    return style.label_size * 0.85


def caption_inches(translation: Any, style: Style) -> float:
    """The height the caption of `mark_questions` takes under a heatmap (0 when none)."""
    fields = asked(translation)
    lines = len(caption(as_attention(translation), fields)) if fields else 0
    return lines * 1.3 * caption_size(style) / 72 + (0.2 if lines else 0.0)


def caption(attention: Attention, fields: dict[str, Any]) -> list[str]:
    """A line per thing asked: ``forced (bold): el perro``, ``hidden: red``, ...; the
    words of each line cut short where there are many."""
    source, target = labels(attention.source_tokens), labels(attention.target_tokens)
    parts = []
    if fields.get("forced"):
        parts.append(f"forced (bold): {' '.join(target[: fields['forced']])}")
    if fields.get("hidden"):
        parts.append(f"hidden: {', '.join(source[column] for column in fields['hidden'])}")
    for step, column in fields.get("pointed", ()):
        parts.append(f"pointed: {target[step]} (word {step + 1}) → {source[column]}")
    if fields.get("surprises"):
        words = ", ".join(target[row] for row in fields["surprises"])
        parts.append(f"unexpected (highlighted): {words}")
    return [
        part if len(part) <= CAPTION_CHARACTERS else part[: CAPTION_CHARACTERS - 1] + "…"
        for part in parts
    ]


def plot_alternatives(
    translation: Any,
    *,
    path: str | os.PathLike[str] | None = None,
    style: str = "projector",
) -> Figure:
    """Each step's most probable words as bars, the word written highlighted.

    ``translation`` is a ``Translation`` or record with ``alternatives`` (or at
    least ``log_probabilities``): one panel per target token, bars of the
    alternatives' probabilities on a 0..1 axis, best on top. A written word
    that was not among them (forced, or in a translation read) gets a bar of
    its own below, labelled with its rank. With ``path`` (.png, .svg, .pdf,
    .jpg), also writes the figure there.
    """
    attention = as_attention(translation)
    fields = asked(translation)
    if "alternatives" not in fields and "log_probabilities" not in fields:
        raise ValueError(
            "the translation has no alternatives or log-probabilities; translate it with "
            "alternatives=K (or read it with align) to draw them."
        )
    chosen = get_style(style)
    target = None if path is None else output_path(path, FIGURE_FORMATS)
    steps = _steps(attention, fields)
    with rc_context(chosen):
        figure = _panels(steps, chosen)
    if target is not None:
        save_figure(figure, target, chosen)
    return figure


class _Step:
    """One panel: the words and probabilities drawn, which is the word written, the title."""

    def __init__(self, labels, probabilities, written, title, surprising, below):
        self.labels: list[str] = labels
        self.probabilities: list[float] = probabilities
        self.written: int | None = written
        self.title: str = title
        self.surprising: bool = surprising
        self.below: bool = below  # the written word is drawn apart, below the alternatives


def _steps(attention: Attention, fields: dict[str, Any]) -> list[_Step]:
    alternatives = fields.get("alternatives") or ((),) * len(attention.target_tokens)
    log_probabilities = fields.get("log_probabilities")
    ranks = fields.get("ranks")
    pointed = dict(fields.get("pointed", ()))
    steps = []
    for row, (word, step_alternatives) in enumerate(zip(attention.target_tokens, alternatives)):
        words = [alternative for alternative, _ in step_alternatives]
        shown = labels(words)
        probabilities = [probability for _, probability in step_alternatives]
        notes = []
        if row < fields.get("forced", 0):
            notes.append("forced")
        if row in pointed:
            notes.append(f"pointed at {label(attention.source_tokens[pointed[row]])}")
        surprising = row in fields.get("surprises", ())
        if surprising:
            notes.append("unexpected")
        title = f"{row + 1}. {label(word)}" + (f"\n({', '.join(notes)})" if notes else "")
        written, below = (words.index(word), False) if word in words else (None, True)
        if below and log_probabilities is not None:
            rank = f", rank {ranks[row]}" if ranks is not None else ""
            shown.append(f"{label(word)}{rank}")
            probabilities.append(float(np.exp(log_probabilities[row])))
            written = len(shown) - 1
        steps.append(_Step(shown, probabilities, written, title, surprising, below))
    return steps


def _panels(steps: Sequence[_Step], style: Style) -> Figure:
    """A near-square grid of panels, one per step, at most `SHEET_MAX_INCHES` wide."""
    font = max(SMALLEST_FONT, style.tick_size * 0.75)
    every_label = [text for step in steps for text in step.labels] or [""]
    panel_width = max(PANEL_MIN_INCHES, label_inches(every_label, font) + 2.0)
    columns = max(1, min(math.ceil(math.sqrt(len(steps))), int(SHEET_MAX_INCHES // panel_width)))
    rows = math.ceil(len(steps) / columns)
    bars = max(len(step.labels) for step in steps) + RANK_GAP
    panel_height = bars * BAR_INCHES + 1.3
    figure = Figure(
        figsize=(columns * panel_width, rows * panel_height + 0.7), layout="constrained"
    )
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    for index, ax in enumerate(axes):
        if index >= len(steps):
            ax.remove()
            continue
        _draw_step(ax, steps[index], style, font)
    figure.suptitle("The most probable words at each step", fontsize=style.title_size)
    return figure


def _draw_step(ax: Axes, step: _Step, style: Style, font: float) -> None:
    """Horizontal bars, best on top; the word written highlighted, apart if not among them."""
    count = len(step.labels)
    positions = np.arange(count, dtype=float)
    if step.below and step.written is not None:
        positions[step.written] += RANK_GAP
    colours = [style.highlight if i == step.written else style.bar for i in range(count)]
    bars = ax.barh(positions, step.probabilities, height=0.75, color=colours)
    numbers = [f"{p:.2f}" if p >= 0.005 else "<0.01" for p in step.probabilities]
    ax.bar_label(bars, labels=numbers, fontsize=font * 0.85, padding=2)
    ax.set_yticks(positions, labels=step.labels, fontsize=font, parse_math=False)
    ax.set_ylim(max(positions, default=0) + 0.6, -0.6)
    ax.set_xlim(0, 1.15)
    ax.set_xticks([0, 0.5, 1])
    ax.tick_params(axis="x", labelsize=font * 0.85)
    ax.tick_params(axis="y", length=0)
    ax.spines[["top", "right"]].set_visible(False)
    title = ax.set_title(step.title, fontsize=style.label_size, parse_math=False)
    if step.surprising:
        title.set_color(style.highlight)
