"""Draw every picture of a few translations, or of a run's training, into one folder.

Used by ``python -m seq2seq translate`` and by the end of ``python train.py``.
Each picture is a `Picture` job: which `viz` function draws it, with what, and
where. The jobs are independent and drawing is pure Python (matplotlib), so
the command line has more than a handful drawn by worker processes, one per
core. `viz` is imported only where a picture is drawn, so ``--help`` stays
instant.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import unicodedata
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

from seq2seq.records import with_words
from seq2seq.translation import Translation

# Fewer jobs than this are drawn in this process: starting a worker (importing
# matplotlib) costs about as much as drawing one sentence's four pictures.
PARALLEL_FROM = 8
# What each translation gets, its file suffix and the `viz` function that draws it;
# the animation first, as it takes longest.
TRANSLATION_PICTURES = {
    "attention.gif": "animate_attention",
    "heatmap.png": "plot_heatmap",
    "bars.png": "plot_token_bars",
    "page.html": "to_html",
}


class Picture(NamedTuple):
    """One file to draw: ``viz.<draw>(*arguments, path=path, **options)``."""

    path: Path
    draw: str
    arguments: tuple
    options: dict[str, Any]


def slug(sentence: str, width: int = 40) -> str:
    """A short, portable file-name stem for ``sentence``: ``"¿Está?"`` → ``"esta"``."""
    ascii_text = unicodedata.normalize("NFKD", sentence).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(words)[:width].rstrip("-") or "sentence"


def draw(
    translations: Sequence[Translation],
    out: Path,
    sentences: Sequence[str] | None = None,
    workers: int = 1,
) -> list[Path]:
    """Write a heatmap, an animation, bar charts and a page per translation; their paths."""
    return draw_all(translation_pictures(translations, out, sentences), workers)


def translation_pictures(
    translations: Sequence[Translation], out: Path, sentences: Sequence[str] | None = None
) -> list[Picture]:
    """The four pictures of each translation, in the order given, and its n best side by side.

    Files are named ``NN-<slug>.<kind>`` after the sentence as given (or its
    source tokens), so a folder of them sorts in the order given. An empty
    translation (the model ended at once) has no attention to draw and is skipped,
    and so is one of a model without attention (`no_attention_note` says why).
    A translation with n-best hypotheses also gets ``NN-<slug>.nbest.png``.
    """
    if sentences is None:
        sentences = [" ".join(translation.source_tokens) for translation in translations]
    pictures = []
    for number, (translation, sentence) in enumerate(zip(translations, sentences), start=1):
        if not translation.target_tokens or translation.weights is None:
            continue
        stem = f"{number:02d}-{slug(sentence)}"
        pictures += [
            Picture(out / f"{stem}.{kind}", function, (translation,), {})
            for kind, function in TRANSLATION_PICTURES.items()
        ]
        translation = with_words(translation)
        if len(translation.hypotheses) > 1:
            pictures.append(
                Picture(out / f"{stem}.nbest.png", "plot_hypotheses", (translation,), {})
            )
    return pictures


def no_attention_note(translations: Sequence[Translation]) -> str | None:
    """The line to print instead of pictures when a translation has no weights, else None."""
    if all(translation.weights is not None for translation in translations):
        return None
    from viz._validate import NO_ATTENTION

    return f"No pictures: {NO_ATTENTION}."


def training_pictures(snapshots: dict | None, out: Path) -> list[Picture]:
    """An animation across training, and a sheet of six snapshots, per probe sentence.

    ``snapshots`` is what `seq2seq.artifacts.read_snapshots` returns (None for
    a run that has none, such as a model without attention: no pictures);
    files are named ``training-NN-<slug>.gif`` and ``.png``. The sheet shows
    the untrained model, the last four snapshots of the first epoch (where the
    alignment forms) and the end of training.
    """
    if snapshots is None:
        return []
    pictures = []
    for number, probe in enumerate(snapshots["probes"], start=1):
        entries = probe["epochs"]
        epochs = [entry["epoch"] for entry in entries]
        arguments = (
            [entry["weights"] for entry in entries],
            probe["source_tokens"],
            probe["target_tokens"],
        )
        options = {
            "epochs": epochs,
            "captions": [f"model: {_shorten(entry['translation'])}" for entry in entries],
        }
        first_epoch = [epoch for epoch in epochs if 0 < epoch <= 1][-4:]
        sheet = sorted({epochs[0], *first_epoch, epochs[-1]})
        stem = out / f"training-{number:02d}-{slug(probe['source'])}"
        pictures += [
            Picture(Path(f"{stem}.gif"), "animate_training", arguments, options),
            Picture(Path(f"{stem}.png"), "plot_training", arguments, {**options, "show": sheet}),
        ]
    return pictures


def draw_all(pictures: Sequence[Picture], workers: int = 1) -> list[Path]:
    """Draw ``pictures``; their paths, in order.

    With ``workers`` > 1 and many pictures, that many worker processes draw
    them. The workers are spawned, so they import the ``__main__`` module
    afresh: only a program whose main module is guarded by ``if __name__ ==
    "__main__":`` (as ``train.py`` and ``python -m seq2seq`` are) may ask for them.
    """
    for folder in {picture.path.parent for picture in pictures}:
        folder.mkdir(parents=True, exist_ok=True)
    workers = min(workers, len(pictures))
    if len(pictures) < PARALLEL_FROM or workers < 2:
        for picture in pictures:
            _draw(picture)
    else:
        # Spawned, not forked: forking a process that runs TensorFlow's threads can hang.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            for done in [pool.submit(_draw, picture) for picture in pictures]:
                done.result()  # raises what the worker raised
    return [picture.path for picture in pictures]


def _draw(picture: Picture) -> None:
    import viz

    getattr(viz, picture.draw)(*picture.arguments, path=picture.path, **picture.options)


def cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _shorten(text: str, width: int = 44) -> str:
    """One caption line: an untrained model babbles on to the step limit."""
    text = text or "(nothing)"
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def draw_comparison(translations: Sequence[Translation], labels: Sequence[str], path: Path) -> Path:
    """The heatmaps of one sentence from several runs, side by side."""
    import viz
    from seq2seq.errors import UserError

    try:
        viz.plot_comparison(translations, labels=labels, path=path)
    except ValueError as error:
        raise UserError(f"These runs cannot be compared side by side: {error}") from None
    return path
