"""Decoding step by step: a frame per target token, the rows written so far, the newest outlined."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import animation
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from PIL import Image

from viz._files import format_of, output_path, write_atomically, write_text_atomically
from viz._validate import as_attention
from viz.heatmap import (
    add_colour_bar,
    cell_inches,
    draw_heatmap,
    heatmap_size,
)
from viz.style import CHARACTER_WIDTH, Style, get_style, rc_context

ANIMATION_FORMATS = ("gif", "mp4", "html")


def frame_matrix(weights: np.ndarray, step: int) -> np.ma.MaskedArray:
    """``weights`` (target, source) with rows after ``step`` masked: what frame ``step`` shows."""
    not_written_yet = np.zeros(weights.shape, dtype=bool)
    not_written_yet[step + 1 :] = True
    return np.ma.masked_array(weights, mask=not_written_yet)


def animate_attention(
    translation: Any,
    *,
    path: str | os.PathLike[str] | None = None,
    interval: int = 600,
    style: str = "projector",
) -> animation.FuncAnimation:
    """Animate the heatmap over the decoding steps: frame t shows target rows 0..t.

    ``translation`` is a ``Translation`` or a tuple ``(weights, source_tokens,
    target_tokens)``, ``weights`` of shape ``(len(target_tokens),
    len(source_tokens))``; there are ``len(target_tokens)`` frames, ``interval``
    milliseconds apart. Frame t outlines row t and titles the translation so
    far. With ``path`` (.gif, .mp4, .html), also writes the animation there;
    .mp4 needs ffmpeg and raises RuntimeError without it.
    """
    attention = as_attention(translation)
    chosen = get_style(style)
    target = None if path is None else output_path(path, ANIMATION_FORMATS)
    if interval <= 0:
        raise ValueError(f"interval is {interval}; expected a positive number of milliseconds.")
    if target is not None:
        check_writer(target)
    weights = attention.weights
    target_length, source_length = weights.shape
    with rc_context(chosen):
        cell = cell_inches(attention, chosen)
        width, height = heatmap_size(attention, chosen, cell)
        # Half an inch more than a heatmap: the title may wrap onto a second line.
        figure = Figure(figsize=(width, height + 0.5), layout="compressed")
        ax = figure.add_subplot()
        image, texts = draw_heatmap(
            ax,
            attention,
            chosen,
            cell=cell,
        )
        add_colour_bar(image, ax, chosen)
        outline = ax.add_patch(
            Rectangle(
                (-0.5, -0.5),
                source_length,
                1,
                fill=False,
                edgecolor=chosen.highlight,
                linewidth=4,
                clip_on=False,
                zorder=3,  # above the white lines between cells
            )
        )
        wrap_width = max(20, int(width * 72 / (CHARACTER_WIDTH * chosen.title_size)))
        title = ax.set_title(textwrap.fill(" ".join(attention.target_tokens), wrap_width))
        # Lay out once with the longest title, then freeze: frames must not jump or rescale.
        figure.draw_without_rendering()
        figure.set_layout_engine("none")
        # Matplotlib keeps the axis label just clear of the tick labels shown;
        # pin it where all of them put it, so it stays still as rows appear.
        label_x = ax.yaxis.label.get_position()[0]  # display pixels
        ax.yaxis.set_label_coords(ax.transAxes.inverted().transform((label_x, 0))[0], 0.5)

    def show_step(step: int) -> None:
        image.set_data(frame_matrix(weights, step))
        for row, row_texts in enumerate(texts):
            for text in row_texts:
                text.set_visible(row <= step)
        ax.set_yticklabels(
            [token if row <= step else "" for row, token in enumerate(attention.target_tokens)]
        )
        outline.set_y(step - 0.5)
        title.set_text(textwrap.fill(" ".join(attention.target_tokens[: step + 1]), wrap_width))

    movie = animation.FuncAnimation(figure, show_step, frames=target_length, interval=interval)
    if target is not None:
        save_animation(movie, target, chosen, fps=1000 / interval)
    return movie


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
            self.outfile, save_all=True, append_images=frames[1:],
            duration=int(1000 / self.fps), loop=0,
        )  # fmt: skip
