"""Tab-separated pair files: ``source<TAB>target[<TAB>anything]``, one pair a line.

This is the format of the Anki files of manythings.org (``fra.txt``: English,
French, attribution) and of the classic tutorials' ``spa-eng/spa.txt``, and of
any two-column pairs file, whatever its extension (``.tsv``, ``.txt``). Columns
after the second are ignored, blank lines are skipped, duplicate pairs are kept
(the split keeps them on the same side), and there are no comment lines: a
line that starts with ``#`` is a pair like any other.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from seq2seq.corpora.pairs import Pair
from seq2seq.errors import UserError
from seq2seq.textfiles import numbered_lines


def read_pairs(path: Path) -> Iterator[Pair]:
    """The pairs of the file at ``path``, read lazily, in file order.

    Raises `UserError` naming the file (and the line) when it is missing, a
    directory, not UTF-8, malformed or without a single pair.
    """
    count = 0
    for number, line in numbered_lines(path, "a file of source<TAB>target lines after tsv:"):
        fields = line.split("\t")
        if len(fields) < 2:
            raise UserError(
                f"{path}, line {number}: no tab between source and target; "
                "write each pair as source<TAB>target."
            )
        source, target = fields[0].strip(), fields[1].strip()
        if not source or not target:
            side = "source" if not source else "target"
            raise UserError(
                f"{path}, line {number}: the {side} sentence is empty; "
                "fill it in or delete the line."
            )
        count += 1
        yield Pair(source, target)
    if not count:
        raise UserError(f"{path} holds no sentence pairs; give a file of source<TAB>target lines.")
