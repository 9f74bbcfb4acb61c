"""Draw every picture of a few translations, or of a run's training, into one folder.

Used by ``python -m seq2seq translate`` and by the end of ``python train.py``.
Each picture is a `viz.batch.Picture` job; the kinds a translation gets are
`viz.kinds`' table, each in its usual format. `viz.batch` draws them, more than
a handful in worker processes, with a progress bar, and stops them cleanly on
Ctrl-C. `viz` is imported only where a picture is drawn, so ``--help`` stays instant.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from seq2seq.records import with_words
from seq2seq.translation import Translation

if TYPE_CHECKING:
    from viz.batch import Picture


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
    """Every kind of picture of each translation (`viz.kinds`), in its usual format.

    That is an animation, a heatmap, bar charts and a page, the n best side by
    side where a translation holds more than one hypothesis, and each step's most
    probable words where it answers a question to the model. Files are named
    ``NN-<slug>.<kind>.<format>`` after the sentence as given (or its source
    tokens), so a folder of them sorts in the order given. An empty translation
    (the model ended at once) has no attention to draw and is skipped, and so is
    one of a model without attention (`no_attention_note` says why).
    """
    from viz.batch import Picture
    from viz.kinds import USUAL_FORMATS, files_of

    if sentences is None:
        sentences = [" ".join(translation.source_tokens) for translation in translations]
    pictures = []
    for number, (translation, sentence) in enumerate(zip(translations, sentences), start=1):
        if not translation.target_tokens or translation.weights is None:
            continue
        translation = with_words(translation)
        stem = out / f"{number:02d}-{slug(sentence)}"
        pictures += [
            Picture(path, kind.draw, (translation,), {})
            for path, kind in files_of(translation, stem, USUAL_FORMATS)
        ]
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
    from viz.batch import Picture

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
    """Draw ``pictures`` as the command line does: a progress bar on a terminal, and
    `viz.batch.Stopped` (a KeyboardInterrupt saying what was written) on Ctrl-C or SIGTERM."""
    from viz.batch import draw_all

    return draw_all(pictures, workers, progress=True)


def cores() -> int:
    """The cores this process may run on (`viz.batch.cores`)."""
    from viz.batch import cores

    return cores()


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
