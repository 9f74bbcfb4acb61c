"""Reading a user's UTF-8 text file line by line, with errors that name the file and line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from seq2seq.errors import UserError


def numbered_lines(path: Path, expected: str) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` of each non-blank line of ``path``, read lazily.

    Line ends and a leading byte-order mark are dropped. A missing file, a
    directory or bytes that are not UTF-8 raise `UserError`; ``expected`` says
    what the file should be ("a text file with one sentence per line").
    """
    if not path.exists():
        raise UserError(f"{path} does not exist; give {expected}.")
    if path.is_dir():
        raise UserError(f"{path} is a directory; give {expected}.")
    with path.open("rb") as file:
        for number, raw in enumerate(file, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as error:
                raise UserError(
                    f"{path}, line {number}, byte {error.start + 1}: the file is not UTF-8; "
                    "save it as UTF-8 text."
                ) from None
            line = line.rstrip("\r\n")
            if line.strip():
                yield number, line
