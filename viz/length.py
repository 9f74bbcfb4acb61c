"""Scores by source length: one line per model, the way Bahdanau et al. (2015) drew Figure 2.

Their figure is the classic evidence for attention: the encoder-decoder
without it (RNNencdec) loses BLEU steadily as sentences grow, while the same
network with attention (RNNsearch) holds its score. `plot_scores_by_length`
draws that picture for any models scored in buckets of source length (as
``python -m seq2seq evaluate --by-length`` does): a line per model over the
buckets, and below it how many sentences each bucket holds, so that a point
scored on a handful of sentences reads as the guess it is.

A bucket is a mapping with ``shortest`` and ``longest`` (source tokens),
``sentences`` (how many) and the scores (``bleu``, ``chrf``, 0 to 100;
``exact_match``, 0 to 1); a ``set`` of ``"beyond the cut"`` marks sentences
longer than any the model trained on, which get a shaded band of their own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.figure import Figure

from viz._files import FIGURE_FORMATS, output_path, save_figure
from viz.style import STYLES, get_style, rc_context

# metric → (axis label, factor to its shown scale)
METRICS = {"bleu": ("BLEU", 1.0), "chrf": ("chrF", 1.0), "exact_match": ("exact match (%)", 100.0)}
BEYOND_CUT = "beyond the cut"
# Okabe-Ito colours and distinct dashes and markers: lines stay apart in any colour
# vision and in black and white.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
DASHES = ("-", "--", "-.", ":")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
COUNT_COLOUR = "0.55"
ROUNDING = 1e-6  # scores may pass 100 by this much


def plot_scores_by_length(
    runs: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    metric: str = "bleu",
    path: str | os.PathLike[str] | None = None,
    title: str | None = None,
    style: str = "projector",
) -> Figure:
    """Draw ``metric`` against source length, one line per run, the counts below.

    ``runs`` maps each run's label (say "attention" and "no attention") to its
    buckets (see the module's docstring), as ``metrics.json`` holds them under
    ``by_length``. The x axis has one place per bucket of any run, short to
    long, those beyond the cut last and shaded. ``metric`` is ``bleu``,
    ``chrf`` or ``exact_match``. With ``path`` (.png, .svg, .pdf, .jpg), also
    writes the figure there.
    """
    if metric not in METRICS:
        raise ValueError(f"metric {metric!r} is unknown; expected one of {', '.join(METRICS)}.")
    checked = _check_runs(runs, metric)
    chosen = get_style(style)
    target = None if path is None else output_path(path, FIGURE_FORMATS)
    places = sorted({_place(bucket) for buckets in checked.values() for bucket in buckets})
    position = {place: index for index, place in enumerate(places)}
    label, factor = METRICS[metric]
    # Inches: a bucket's room grows with the style's type, so a page gets a smaller figure.
    width = max(7.0, 1.1 * len(places) + 2.5) * chosen.tick_size / STYLES["projector"].tick_size
    with rc_context(chosen):
        figure = Figure(figsize=(width, 0.7 * width), layout="constrained")
        scores, counts = figure.subplots(2, 1, sharex=True, height_ratios=(3, 1))
        for number, (name, buckets) in enumerate(checked.items()):
            # The sentences beyond the cut are a set of their own: the line breaks there.
            parts = [[b for b in buckets if _place(b)[0] == beyond] for beyond in (False, True)]
            for index, part in enumerate(part for part in parts if part):
                scores.plot(
                    [position[_place(bucket)] for bucket in part],
                    [factor * bucket[metric] for bucket in part],
                    label=name if index == 0 else None,
                    color=COLOURS[number % len(COLOURS)],
                    linestyle=DASHES[number % len(DASHES)],
                    marker=MARKERS[number % len(MARKERS)],
                    linewidth=2.5,
                    markersize=8,
                )
        scores.set_ylim(0, 100 * 1.04)
        scores.set_ylabel(label)
        scores.grid(axis="y", color="0.85")
        # Above the plot, where no line runs: one column per run, under the title.
        scores.legend(
            title=title,
            loc="lower center",
            bbox_to_anchor=(0.5, 1.0),
            ncols=len(checked) if len(checked) <= 3 else 2,
            fontsize=chosen.tick_size * 0.9,
            title_fontsize=chosen.title_size,
            frameon=False,
        )
        _draw_counts(counts, checked, position, chosen.tick_size * 0.75)
        counts.set_ylabel("sentences", fontsize=chosen.label_size * 0.85)
        counts.set_xticks(range(len(places)), [_bucket_label(place) for place in places])
        counts.set_xlabel("source sentence length (tokens)")
        _shade_beyond_cut([scores, counts], places, chosen.tick_size * 0.85)
        for ax in (scores, counts):
            ax.spines[["top", "right"]].set_visible(False)
            ax.tick_params(axis="x", labelsize=chosen.tick_size * 0.85)
    if target is not None:
        save_figure(figure, target, chosen)
    return figure


def _check_runs(
    runs: Mapping[str, Sequence[Mapping[str, Any]]], metric: str
) -> dict[str, list[Mapping[str, Any]]]:
    """``runs`` with each run's buckets sorted short to long; a ValueError names a bad one."""
    if not isinstance(runs, Mapping) or not runs:
        raise ValueError(
            "runs is empty or not a mapping; expected {label: buckets} with at least one run."
        )
    checked = {}
    for name, buckets in runs.items():
        if isinstance(buckets, str | bytes | Mapping) or not isinstance(buckets, Sequence):
            raise ValueError(
                f"run {name!r} has {type(buckets).__name__}; expected a list of buckets."
            )
        if not buckets:
            raise ValueError(f"run {name!r} has no buckets; expected at least one.")
        for number, bucket in enumerate(buckets):
            missing = [
                key for key in ("shortest", "longest", "sentences", metric) if key not in bucket
            ]
            if missing:
                raise ValueError(
                    f"bucket {number} of run {name!r} lacks {', '.join(missing)}; expected "
                    "shortest, longest, sentences and the score."
                )
            # sacrebleu's BLEU of a perfect match can come out a few ulps over 100
            if not 0 <= bucket[metric] <= (100 + ROUNDING) / METRICS[metric][1]:
                raise ValueError(
                    f"bucket {number} of run {name!r} has {metric} {bucket[metric]!r}; expected "
                    f"0 to {100 / METRICS[metric][1]:g}."
                )
        checked[str(name)] = sorted(buckets, key=_place)
    return checked


def _place(bucket: Mapping[str, Any]) -> tuple[bool, int, int]:
    """Where a bucket goes on the x axis: held-out sentences first, then by length."""
    return (bucket.get("set") == BEYOND_CUT, int(bucket["shortest"]), int(bucket["longest"]))


def _bucket_label(place: tuple[bool, int, int]) -> str:
    _, shortest, longest = place
    return str(shortest) if shortest == longest else f"{shortest}–{longest}"


def _draw_counts(ax, runs: dict[str, list], position: dict, font_size: float) -> None:
    """Bars of the sentences in each bucket: one grey bar where every run that has the
    bucket counts the same, else a bar per run in its colour."""
    counts: dict[tuple, dict[int, int]] = {}
    for number, buckets in enumerate(runs.values()):
        for bucket in buckets:
            counts.setdefault(_place(bucket), {})[number] = int(bucket["sentences"])
    for place, by_run in counts.items():
        if len(set(by_run.values())) == 1:
            bars = [(0.0, 0.7, COUNT_COLOUR, next(iter(by_run.values())))]
        else:
            width = 0.7 / len(by_run)
            bars = [
                (
                    (index - (len(by_run) - 1) / 2) * width,
                    width,
                    COLOURS[number % len(COLOURS)],
                    count,
                )
                for index, (number, count) in enumerate(sorted(by_run.items()))
            ]
        for offset, width, colour, count in bars:
            drawn = ax.bar(position[place] + offset, count, width=width, color=colour)
            ax.bar_label(drawn, fontsize=font_size, padding=2)
    ax.set_ylim(0, 1.35 * max(max(by_run.values()) for by_run in counts.values()))
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)


def _shade_beyond_cut(axes, places: list, font_size: float) -> None:
    """A band behind the buckets of sentences longer than any trained on, labelled once."""
    beyond = [index for index, place in enumerate(places) if place[0]]
    if not beyond:
        return
    for ax in axes:
        ax.axvspan(beyond[0] - 0.5, beyond[-1] + 0.5, color="0.92", zorder=0)
    axes[0].text(
        (beyond[0] + beyond[-1]) / 2,
        100,
        "longer than any\nsentence trained on",
        ha="center",
        va="top",
        fontsize=font_size,
        color="0.3",
    )
