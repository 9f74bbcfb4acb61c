"""Attention over training: one sentence's matrix snapshot by snapshot, from noise to an alignment.

The sentence is teacher-forced on its reference translation, so every snapshot
has the same shape ``(len(target_tokens), len(source_tokens))`` and only the
weights change from one snapshot to the next. Snapshots are labelled with the
epochs trained when they were taken: 0 before training, 0.25 a quarter into
the first epoch, 3 after the third.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np
from matplotlib import animation
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

from viz._validate import Attention, _tokens, _weights
from viz.animation import freeze_layout, heatmap_for_frames, movie_target, play
from viz.grid import plot_grid, wrap_lines
from viz.heatmap import cell_inches, heatmap_size
from viz.labels import text_label
from viz.style import (
    Style,
    colormap,
    get_style,
    line_characters,
    rc_context,
    text_colour_on,
)

# A sheet of small multiples shows at most this many epochs unless told which.
SHEET_EPOCHS = 6


def animate_training(
    weights_by_epoch: Any,
    source_tokens: Sequence[str],
    target_tokens: Sequence[str],
    *,
    path: str | os.PathLike[str] | None = None,
    epochs: Sequence[float] | None = None,
    captions: Sequence[str] | None = None,
    style: str = "projector",
    fps: float = 1.5,
) -> animation.FuncAnimation:
    """Animate one sentence's attention across training: one frame per snapshot.

    ``weights_by_epoch`` has shape ``(snapshots, len(target_tokens),
    len(source_tokens))``: the matrix recorded at each snapshot, the sentence
    teacher-forced on its reference. ``epochs`` labels the snapshots with the
    epochs trained so far (increasing numbers, 0 meaning before training, 0.5
    half of the first epoch; default 0, 1, 2, ...); a frame is titled
    "epoch 0.5 of N". ``captions`` (one string per snapshot,
    such as the model's own translation at that epoch) are shown under the
    title. The colour scale stays 0..1 in every frame. ``fps`` frames a second.
    With ``path`` (.gif, .mp4, .html), also writes the animation there; .mp4
    needs ffmpeg and raises RuntimeError without it.
    """
    stack, attention, epochs = _snapshots(weights_by_epoch, source_tokens, target_tokens, epochs)
    captions = _captions(captions, len(stack))
    chosen = get_style(style)
    target = movie_target(path, fps)
    titles = [epoch_title(epoch, epochs[-1]) for epoch in epochs]
    with rc_context(chosen):
        width = heatmap_size(attention, chosen, cell_inches(attention, chosen))[0]
        if captions is not None:
            captions = _pad_captions(captions, width, chosen.label_size)
        caption_lines = 0 if captions is None else captions[0].count("\n") + 1
        heatmap = heatmap_for_frames(
            attention, chosen, extra_height=1.3 * caption_lines * chosen.label_size / 72
        )
        heading, caption = _headings(heatmap.ax, max(titles, key=len), captions, chosen)
        freeze_layout(heatmap)
    cmap = colormap(chosen)

    def show_epoch(frame: int) -> None:
        weights = stack[frame]
        heatmap.cells.set_array(weights)
        for row, row_texts in enumerate(heatmap.texts):
            for column, text in enumerate(row_texts):
                weight = weights[row, column]
                text.set_text(f"{weight:.2f}")
                text.set_color(text_colour_on(cmap(min(weight, 1.0))))
        heading.set_text(titles[frame])
        if caption is not None:
            caption.set_text(captions[frame])

    show_epoch(0)
    return play(heatmap, show_epoch, len(stack), fps=fps, target=target, style=chosen)


def _headings(
    ax: Axes, longest_title: str, captions: list[str] | None, style: Style
) -> tuple[Text, Text | None]:
    """The epoch heading and, with captions, the caption under it (the axes' title)."""
    if captions is None:
        return ax.set_title(longest_title), None
    caption = ax.set_title(captions[0], fontsize=style.label_size)
    # The epoch sits just above the caption, whose lines all frames share.
    heading = ax.annotate(
        longest_title,
        xy=(0.5, 1),
        xycoords=caption,
        xytext=(0, 0.3 * style.label_size),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=style.title_size,
    )
    return heading, caption


def plot_training(
    weights_by_epoch: Any,
    source_tokens: Sequence[str],
    target_tokens: Sequence[str],
    *,
    path: str | os.PathLike[str] | None = None,
    epochs: Sequence[float] | None = None,
    captions: Sequence[str] | None = None,
    show: Sequence[float] | None = None,
    columns: int | None = None,
    style: str = "projector",
) -> Figure:
    """Small multiples of one sentence's attention at chosen snapshots, one shared colour bar.

    The arguments are those of `animate_training`. ``show`` lists the epochs
    to draw (labels from ``epochs``); by default up to six snapshots, evenly
    spread from the first to the last. ``columns`` defaults to up to 3. With
    ``path`` (.png, .svg, .pdf, .jpg), also writes the figure there.
    """
    stack, attention, epochs = _snapshots(weights_by_epoch, source_tokens, target_tokens, epochs)
    captions = _captions(captions, len(stack)) or [""] * len(stack)
    if show is None:
        count = min(len(stack), SHEET_EPOCHS)
        frames = sorted({round(position) for position in np.linspace(0, len(stack) - 1, count)})
    else:
        frames = [_frame_of(epoch, epochs) for epoch in show]
        if not frames:
            raise ValueError("show is empty; expected at least one epoch to draw.")
    return plot_grid(
        [(stack[frame], attention.source_tokens, attention.target_tokens) for frame in frames],
        titles=[
            "\n".join(filter(None, [epoch_title(epochs[frame]), captions[frame]]))
            for frame in frames
        ],
        path=path,
        columns=columns,
        style=style,
    )


def epoch_title(epoch: float, last: float | None = None) -> str:
    """A snapshot's heading: "epoch 3 of 12", "epoch 0.25 of 12", "epoch 3" without ``last``.

    Epoch 0 is before training.
    """
    if epoch == 0:
        return "before training" if not last else f"epoch 0 of {_number(last)}: before training"
    return f"epoch {_number(epoch)}" + ("" if last is None else f" of {_number(last)}")


def _number(epoch: float) -> str:
    """Whole epochs as they are, parts of one to two decimals: 3, 0.25, 0.06."""
    return str(int(epoch)) if float(epoch).is_integer() else f"{epoch:.2f}"


def _snapshots(
    weights_by_epoch: Any,
    source_tokens: Sequence[str],
    target_tokens: Sequence[str],
    epochs: Sequence[float] | None,
) -> tuple[np.ndarray, Attention, list[float]]:
    """Check the snapshots, the tokens and the epochs; the first snapshot as an `Attention`."""
    source_tokens = _tokens(source_tokens, "source")
    target_tokens = _tokens(target_tokens, "target")
    expected = f"(snapshots, {len(target_tokens)}, {len(source_tokens)})"
    try:
        stack = np.asarray(weights_by_epoch, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            "weights_by_epoch is not an array of numbers of one shape; "
            f"expected shape {expected}, one matrix per snapshot."
        ) from None
    if stack.ndim >= 1 and len(stack) == 0:
        raise ValueError(
            f"weights_by_epoch holds no snapshots; expected at least one matrix, shape {expected}."
        )
    if stack.ndim != 3:
        raise ValueError(
            f"weights_by_epoch has {stack.ndim} dimension(s), shape {stack.shape}; expected "
            f"3, shape {expected}: snapshots, target tokens, source tokens."
        )
    if stack.shape[1:] != (len(target_tokens), len(source_tokens)):
        raise ValueError(
            f"weights_by_epoch has shape {stack.shape} but there are {len(source_tokens)} "
            f"source tokens and {len(target_tokens)} target tokens; expected {expected}."
        )
    epochs = _epochs(epochs, len(stack))
    for frame, (epoch, weights) in enumerate(zip(epochs, stack)):
        try:
            _weights(weights, len(source_tokens), len(target_tokens))
        except ValueError as error:
            raise ValueError(f"snapshot {frame} (epoch {epoch}): {error}") from None
    return stack, Attention(stack[0], source_tokens, target_tokens), epochs


def _epochs(epochs: Sequence[float] | None, count: int) -> list[float]:
    if epochs is None:
        return list(range(count))
    if len(epochs) != count:
        raise ValueError(
            f"there are {len(epochs)} epochs for {count} snapshots; "
            "expected one epoch number per snapshot."
        )
    if not all(
        isinstance(epoch, (int, float, np.integer, np.floating))
        and not isinstance(epoch, bool)
        and math.isfinite(epoch)
        for epoch in epochs
    ):
        raise ValueError(
            f"epochs is {list(epochs)!r}; expected numbers of epochs trained, 0 meaning "
            "before training."
        )
    numbers = [int(epoch) if float(epoch).is_integer() else float(epoch) for epoch in epochs]
    if min(numbers) < 0 or any(later <= earlier for earlier, later in pairwise(numbers)):
        raise ValueError(
            f"epochs is {numbers}; expected increasing numbers from 0 (before training) up."
        )
    return numbers


def _captions(captions: Sequence[str] | None, count: int) -> list[str] | None:
    if captions is None:
        return None
    if isinstance(captions, str):
        raise ValueError("captions is a single string; expected a list of one per snapshot.")
    if len(captions) != count:
        raise ValueError(
            f"there are {len(captions)} captions for {count} snapshots; "
            "expected one caption per snapshot."
        )
    for frame, caption in enumerate(captions):
        if not isinstance(caption, str):
            raise ValueError(
                f"caption {frame} is {caption!r} ({type(caption).__name__}); "
                "expected every caption to be a string."
            )
    return [text_label(caption) for caption in captions]


def _pad_captions(captions: list[str], width: float, font_size: float) -> list[str]:
    """``captions`` wrapped to ``width`` inches, each as many lines as the longest.

    Equal lines keep the heading above them still; a blank caption becomes a
    space, as matplotlib does not place an empty title clear of the labels.
    """
    wrap_width = line_characters("".join(captions), width, font_size, least=20)
    wrapped = [wrap_lines(caption, wrap_width) or " " for caption in captions]
    lines = max(caption.count("\n") for caption in wrapped)
    return [caption + "\n" * (lines - caption.count("\n")) for caption in wrapped]


def _frame_of(epoch: float, epochs: list[float]) -> int:
    try:
        return epochs.index(epoch)
    except ValueError:
        raise ValueError(
            f"show names epoch {epoch!r}, which has no snapshot; expected some of {epochs}."
        ) from None
