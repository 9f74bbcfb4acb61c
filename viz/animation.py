"""Decoding step by step: a frame per target token, the rows written so far, the newest outlined."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from matplotlib import animation
from matplotlib.axes import Axes
from matplotlib.collections import QuadMesh
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from PIL import Image

from viz._files import format_of, output_path, write_atomically, write_text_atomically
from viz._validate import Attention, as_attention
from viz.heatmap import (
    add_colour_bar,
    cell_inches,
    draw_heatmap,
    heatmap_size,
)
from viz.labels import text_label
from viz.style import (
    SMALLEST_FONT,
    Style,
    drawn_inches,
    get_style,
    line_characters,
    rc_context,
)

ANIMATION_FORMATS = ("gif", "mp4", "html")
# Frames a second of the decoding animation: 0.6 s a word, time to read the row it adds.
DECODING_FPS = 5 / 3
# A line of a title takes this many times its font size.
TITLE_LINE_SPACING = 1.2


class AnimatedHeatmap(NamedTuple):
    """A heatmap figure and the artists its frames change in place."""

    figure: Figure
    ax: Axes
    cells: QuadMesh
    texts: list[list[Text]]  # texts[target][source]: the numbers in the cells, if written


def heatmap_for_frames(
    attention: Attention, style: Style, extra_height: float = 0.0
) -> AnimatedHeatmap:
    """A heatmap with its colour bar, ``extra_height`` inches taller for titles."""
    cell = cell_inches(attention, style)
    width, height = heatmap_size(attention, style, cell)
    figure = Figure(figsize=(width, height + extra_height), layout="compressed")
    ax = figure.add_subplot()
    cells, texts = draw_heatmap(ax, attention, style, cell=cell)
    add_colour_bar(cells, ax, style)
    return AnimatedHeatmap(figure, ax, cells, texts)


def freeze_layout(heatmap: AnimatedHeatmap) -> None:
    """Lay out once, with the longest title set, then keep it: frames must not jump or rescale."""
    heatmap.figure.draw_without_rendering()
    heatmap.figure.set_layout_engine("none")
    # Matplotlib keeps the axis label just clear of the tick labels shown;
    # pin it where all of them put it, so it stays still as rows appear.
    ax = heatmap.ax
    label_x = ax.yaxis.label.get_position()[0]  # display pixels
    ax.yaxis.set_label_coords(ax.transAxes.inverted().transform((label_x, 0))[0], 0.5)


def fit_title(title: Text, ax: Axes) -> None:
    """Smaller type for ``title``, centred over ``ax`` (laid out), if it would run past the
    figure's edge: a long word in wide letters over a small matrix."""
    figure_width = ax.figure.get_figwidth()
    box = ax.get_position()
    centre = (box.x0 + box.x1) / 2 * figure_width
    # Less a twentieth: type is drawn a little wider than its outlines measure.
    room = 2 * min(centre, figure_width - centre) * 0.95
    size = title.get_fontsize()
    drawn = drawn_inches(title.get_text(), size)
    if drawn > room:
        title.set_fontsize(max(SMALLEST_FONT, size * room / drawn))


def movie_target(path: str | os.PathLike[str] | None, fps: float) -> Path | None:
    """Check ``path`` and ``fps`` before anything is drawn; ``path`` as a Path, if given."""
    if not fps > 0:
        raise ValueError(f"fps is {fps}; expected a positive number of frames a second.")
    if path is None:
        return None
    target = output_path(path, ANIMATION_FORMATS)
    check_writer(target)
    return target


def play(
    heatmap: AnimatedHeatmap,
    show_frame: Callable[[int], None],
    frames: int,
    *,
    fps: float,
    target: Path | None,
    style: Style,
) -> animation.FuncAnimation:
    """``frames`` frames drawn by ``show_frame`` as an animation, written to ``target`` if given."""
    movie = animation.FuncAnimation(heatmap.figure, show_frame, frames=frames, interval=1000 / fps)
    if target is not None:
        save_animation(movie, target, style, fps=fps)
    return movie


def frame_matrix(weights: np.ndarray, step: int) -> np.ma.MaskedArray:
    """``weights`` (target, source) with rows after ``step`` masked: what frame ``step`` shows."""
    not_written_yet = np.zeros(weights.shape, dtype=bool)
    not_written_yet[step + 1 :] = True
    return np.ma.masked_array(weights, mask=not_written_yet)


def animate_attention(
    translation: Any,
    *,
    path: str | os.PathLike[str] | None = None,
    fps: float = DECODING_FPS,
    style: str = "projector",
) -> animation.FuncAnimation:
    """Animate the heatmap over the decoding steps: frame t shows target rows 0..t.

    ``translation`` is a ``Translation`` or a tuple ``(weights, source_tokens,
    target_tokens)``, ``weights`` of shape ``(len(target_tokens),
    len(source_tokens))``; there are ``len(target_tokens)`` frames, ``fps`` a
    second. Frame t outlines row t and titles the translation so far. With
    ``path`` (.gif, .mp4, .html), also writes the animation there; .mp4 needs
    ffmpeg and raises RuntimeError without it.
    """
    attention = as_attention(translation)
    chosen = get_style(style)
    target = movie_target(path, fps)
    target_labels = attention.target_labels
    with rc_context(chosen):
        cell = cell_inches(attention, chosen)
        width = heatmap_size(attention, chosen, cell)[0]
        whole = " ".join(target_labels)
        wrap_width = line_characters(whole, width, chosen.title_size, least=20)

        def title_of(step: int) -> str:
            """The translation so far, its newest words kept when it is too long to show."""
            return textwrap.fill(
                text_label(" ".join(target_labels[: step + 1]), keep_end=True), wrap_width
            )

        # The whole translation is the longest title; the figure makes room for its lines
        # (half an inch more than a heatmap holds two).
        lines = title_of(len(target_labels) - 1).count("\n") + 1
        extra = 0.5 + max(0, lines - 2) * TITLE_LINE_SPACING * chosen.title_size / 72
        heatmap = heatmap_for_frames(attention, chosen, extra_height=extra)
        outline = heatmap.ax.add_patch(
            Rectangle(
                (0, 0),
                len(attention.source_tokens),
                1,
                fill=False,
                edgecolor=chosen.highlight,
                linewidth=4,
                clip_on=False,
                zorder=3,  # above the white lines between cells
            )
        )
        title = heatmap.ax.set_title(title_of(len(target_labels) - 1))
        freeze_layout(heatmap)
        fit_title(title, heatmap.ax)

    def show_step(step: int) -> None:
        heatmap.cells.set_array(frame_matrix(attention.weights, step))
        for row, row_texts in enumerate(heatmap.texts):
            for text in row_texts:
                text.set_visible(row <= step)
        heatmap.ax.set_yticklabels(
            [label if row <= step else "" for row, label in enumerate(target_labels)]
        )
        outline.set_y(step)
        title.set_text(title_of(step))

    return play(heatmap, show_step, len(target_labels), fps=fps, target=target, style=chosen)


def check_writer(path: Path) -> None:
    """Raise RuntimeError, before anything is drawn, if ``path`` cannot be written here.

    Only .mp4 needs a program from outside Python: ffmpeg.
    """
    if format_of(path) == "mp4" and not animation.writers.is_available("ffmpeg"):
        raise RuntimeError(
            "Writing .mp4 needs ffmpeg, which is not installed; "
            "install ffmpeg or write .gif/.html instead."
        )


def save_animation(movie: animation.Animation, path: Path, style: Style, *, fps: float) -> None:
    """Write ``movie`` to ``path`` (.gif, .mp4 or .html) atomically, ``fps`` frames a second.

    .html is a self-contained page with matplotlib's JavaScript player, every
    frame inline as a PNG.
    """
    extension = format_of(path)
    with rc_context(style):
        if extension == "html":
            page = movie.to_jshtml(fps=fps)
            write_text_atomically(path, page)
            return
        writer = GifWriter(fps=fps) if extension == "gif" else animation.FFMpegWriter(fps=fps)
        write_atomically(path, lambda temporary: movie.save(temporary, writer, dpi=style.dpi))


class GifWriter(animation.PillowWriter):
    """Matplotlib's Pillow writer, with one 256-colour palette shared by every frame.

    Pillow otherwise builds a palette per frame (median cut, about 50 ms for a
    1000-pixel frame), and a colour can shift a little from one frame to the
    next. One palette, built from every frame at half resolution, takes about a
    third of the time, keeps each weight's colour still, and makes a smaller file.
    """

    def finish(self) -> None:
        frames = [frame.convert("RGB") for frame in self._frames]
        sample = np.concatenate([np.asarray(frame)[::2, ::2] for frame in frames])
        palette = Image.fromarray(sample).quantize(colors=256)
        frames = [frame.quantize(palette=palette, dither=Image.Dither.NONE) for frame in frames]
        frames[0].save(
            self.outfile,
            save_all=True,
            append_images=frames[1:],
            duration=int(1000 / self.fps),
            loop=0,
        )
