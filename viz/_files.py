"""Files: the format comes from the path's extension, and a file appears whole or not at all."""

from __future__ import annotations

import os
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from matplotlib.figure import Figure

from viz.style import Style, rc_context

FIGURE_FORMATS = ("png", "svg", "pdf", "jpg", "jpeg")
# The name `write_atomically` writes under first: ".STEM.RANDOM.partialSUFFIX" beside the file.
PARTIAL_NAME = re.compile(r"\.(?P<stem>.*)\.[0-9a-f]{8}\.partial(?P<suffix>.*)", re.DOTALL)


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
    temporary = partial_path(path)
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def partial_path(path: Path) -> Path:
    """A fresh name, of `PARTIAL_NAME`'s form, to write ``path`` under until it is whole."""
    return path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.partial{path.suffix}")


def remove_partial_files(paths: Iterable[Path]) -> list[Path]:
    """Remove what `write_atomically` left unfinished of ``paths`` (a killed writer's); those.

    Each folder is listed once, so this costs one listing however many paths it holds.
    """
    names_by_folder: dict[Path, set[str]] = defaultdict(set)
    for path in paths:
        names_by_folder[path.parent].add(path.name)
    removed = []
    for folder, names in names_by_folder.items():
        if not folder.is_dir():
            continue
        for entry in os.scandir(folder):
            match = PARTIAL_NAME.fullmatch(entry.name)
            if match and f"{match['stem']}{match['suffix']}" in names:
                Path(entry.path).unlink(missing_ok=True)
                removed.append(Path(entry.path))
    return removed


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
