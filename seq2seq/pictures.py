"""Draw every picture of a few translations into one folder.

Used by ``python -m seq2seq translate`` and by the end of ``python train.py``.
`viz` is imported here, not at the top of the command line, so ``--help``
stays instant.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from seq2seq.translation import Translation


def slug(sentence: str, width: int = 40) -> str:
    """A short, portable file-name stem for ``sentence``: ``"¿Está?"`` → ``"esta"``."""
    ascii_text = unicodedata.normalize("NFKD", sentence).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(words)[:width].rstrip("-") or "sentence"


def draw(
    translations: Sequence[Translation], out: Path, sentences: Sequence[str] | None = None
) -> list[Path]:
    """Write a heatmap, an animation, bar charts and a page per translation.

    Files are named ``NN-<slug>.<kind>`` after the sentence as given (or its
    source tokens), so a folder of them sorts in the order given; returns the
    paths written. An empty translation (the model ended at once) has no
    attention to draw and is skipped.
    """
    import viz

    out.mkdir(parents=True, exist_ok=True)
    paths = []
    if sentences is None:
        sentences = [" ".join(translation.source_tokens) for translation in translations]
    for number, (translation, sentence) in enumerate(zip(translations, sentences), start=1):
        if not translation.target_tokens:
            continue
        stem = out / f"{number:02d}-{slug(sentence)}"
        writers = {
            "heatmap.png": viz.plot_heatmap,
            "attention.gif": viz.animate_attention,
            "bars.png": viz.plot_token_bars,
            "page.html": viz.to_html,
        }
        for kind, write in writers.items():
            path = Path(f"{stem}.{kind}")
            write(translation, path=path)
            paths.append(path)
    return paths


def draw_training(snapshots: dict, out: Path) -> list[Path]:
    """An animation across epochs, and a sheet of a few of them, per probe sentence.

    ``snapshots`` is what `seq2seq.artifacts.read_snapshots` returns; files are
    named ``training-NN-<slug>.gif`` and ``.png``.
    """
    import viz

    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, probe in enumerate(snapshots["probes"], start=1):
        epochs = probe["epochs"]
        arguments = (
            [entry["weights"] for entry in epochs],
            probe["source_tokens"],
            probe["target_tokens"],
        )
        options = dict(
            epochs=[entry["epoch"] for entry in epochs],
            captions=[f"model: {_shorten(entry['translation'])}" for entry in epochs],
        )
        stem = out / f"training-{number:02d}-{slug(probe['source'])}"
        for suffix, write in ((".gif", viz.animate_training), (".png", viz.plot_training)):
            path = Path(f"{stem}{suffix}")
            write(*arguments, path=path, **options)
            paths.append(path)
    return paths


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
