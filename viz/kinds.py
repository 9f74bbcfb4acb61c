"""The kinds of picture an attention record gets, in one table that every tool reads.

``python -m seq2seq translate`` draws each kind in its first format,
``python -m viz draw --to FORMATS`` each kind in every format asked for that it
has, and the lab's ``/api/picture?format=`` one kind in one format, with the
media type named here. A record's files are named ``STEM.KIND.FORMAT``:
``01-the-red-car.heatmap.png``, ``record-02.attention.gif``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FIGURES = ("png", "svg", "pdf", "jpg")


@dataclass(frozen=True)
class Kind:
    """One kind of picture: its name in file names, the `viz` function, the formats it has."""

    name: str
    draw: str  # the name of the viz function: viz.<draw>(record, path=...)
    formats: tuple[str, ...]  # its usual format first
    # Drawn only for a record of which this is true (every record where it is None).
    drawn_for: Callable[[Any], bool] | None = None
    takes_style: bool = True  # the function has a style= ("projector" or "paper")

    def file(self, stem: Path, extension: str) -> Path:
        """``STEM.KIND.FORMAT``, next to ``stem``."""
        return stem.with_name(f"{stem.name}.{self.name}.{extension}")


def has_hypotheses(record: Any) -> bool:
    """Whether ``record`` holds more than one of the n best of a beam, to draw side by side."""
    return len(getattr(record, "hypotheses", ()) or ()) > 1


def has_answers(record: Any) -> bool:
    """Whether ``record`` answers a question to the model: each step's most probable words,
    or each word's log-probability (`viz.whatif.plot_alternatives` draws them)."""
    return bool(getattr(record, "alternatives", None)) or (
        getattr(record, "log_probabilities", None) is not None
    )


# The animation first: it takes longest, so a pool of workers starts it first.
KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("attention", "animate_attention", ("gif", "mp4")),
        Kind("heatmap", "plot_heatmap", FIGURES),
        Kind("bars", "plot_token_bars", FIGURES),
        Kind("page", "to_html", ("html",), takes_style=False),
        Kind("nbest", "plot_hypotheses", FIGURES, drawn_for=has_hypotheses),
        Kind("alternatives", "plot_alternatives", FIGURES, drawn_for=has_answers),
    )
}
MEDIA_TYPES = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "mp4": "video/mp4",
    "html": "text/html",
}
# Every format some kind is written in: pictures, then moving pictures, then pages.
FORMATS: tuple[str, ...] = tuple(
    extension
    for extension in MEDIA_TYPES
    if any(extension in kind.formats for kind in KINDS.values())
)
# Each kind in its usual format: what ``translate`` draws, and ``viz draw`` by default.
USUAL_FORMATS: tuple[str, ...] = tuple(
    extension
    for extension in FORMATS
    if any(kind.formats[0] == extension for kind in KINDS.values())
)


def files_of(record: Any, stem: Path, formats: Sequence[str]) -> list[tuple[Path, Kind]]:
    """The files of ``record`` in ``formats``: each kind in each of its formats asked for.

    In the table's order (kinds, then their formats), so the longest work comes first.
    """
    files = []
    for kind in KINDS.values():
        if kind.drawn_for is not None and not kind.drawn_for(record):
            continue
        files += [
            (kind.file(stem, extension), kind) for extension in formats if extension in kind.formats
        ]
    return files
