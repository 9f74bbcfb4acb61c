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
