"""Files: the format comes from the path's extension, and a file appears whole or not at all."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path

from matplotlib.figure import Figure

from viz.style import Style, rc_context

FIGURE_FORMATS = ("png", "svg", "pdf", "jpg", "jpeg")


def format_of(path: Path) -> str:
    """The lower-case extension of ``path`` without its dot: "png", "gif", ..."""
    return path.suffix.lower().lstrip(".")


def output_path(path: str | os.PathLike[str], formats: tuple[str, ...]) -> Path:
    """``path`` as a Path, if its extension is one of ``formats``; a ValueError otherwise."""
    path = Path(path)
    if format_of(path) not in formats:
        allowed = ", ".join(f".{extension}" for extension in formats)
        raise ValueError(
            f"cannot write {str(path)!r}: the extension {path.suffix or '(none)'!r} is not "
            f"supported; expected one of {allowed}."
        )
    return path


def write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write(temporary)`` and rename the result onto ``path``, making parent folders.

    The temporary file sits next to ``path`` (so the rename is atomic), has a
    name of its own (so two processes writing one path never share it) and
    keeps the extension (so writers that read it, such as ``model.save``
    wanting ``.keras``, pick the right format). A crash leaves ``path`` as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.partial{path.suffix}")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_text_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8 with `write_atomically`."""
    write_atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def save_figure(figure: Figure, path: Path, style: Style) -> None:
    """Write ``figure`` to ``path`` (already checked by `output_path`) at the style's dpi."""
    with rc_context(style):
        write_atomically(
            path,
            lambda temporary: figure.savefig(temporary, format=format_of(path), dpi=style.dpi),
        )
