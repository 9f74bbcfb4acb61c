"""The run directory: everything needed to translate later, in a fresh process.

Each file is written to a temporary name beside its final one and renamed into
place, so a run directory never holds a half-written file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from seq2seq.config import Config
from seq2seq.errors import UserError

MODEL = "model.keras"
CHECKPOINT = "checkpoint.keras"
CONFIG = "config.json"
SOURCE_VOCABULARY = "source_vocabulary.txt"
TARGET_VOCABULARY = "target_vocabulary.txt"
METRICS = "metrics.json"
HISTORY = "history.json"
TEST_PAIRS = "test.tsv"
TEST_ALIGNMENT = "test.align"
PICTURES = "pictures"  # a folder: what train.py draws of three held-out sentences


def replace_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """``write`` a hidden temporary file beside ``path``, then rename it over ``path``.

    The temporary keeps the suffix, so writers that check it (``model.save``
    wants ``.keras``) accept it.
    """
    temporary = path.with_name(f".{path.stem}.partial{path.suffix}")
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    replace_atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def write_json(path: Path, data: Any) -> None:
    write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def save_model(model, path: Path) -> None:
    replace_atomically(path, model.save)


def write_vocabulary(path: Path, vocabulary: list[str]) -> None:
    """One token per line; line 1 is ``[UNK]`` (the padding token, "", is implied)."""
    if vocabulary[0] != "":
        raise ValueError("a vocabulary starts with the padding token ''")
    write_text(path, "".join(f"{token}\n" for token in vocabulary[1:]))


def read_vocabulary(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise UserError(
            f"{path} is missing; the run directory is incomplete, so retrain it."
        ) from None
    return ["", *lines]


def prepare_run_directory(out: Path, config: Config, overwrite: bool) -> str | None:
    """Make sure training may write into ``out``; say what it will replace, if anything.

    An empty or missing directory is fine. A run with the same configuration is
    replaced (the caller says so); anything else needs ``overwrite``.
    """
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} is a file, not a directory; choose another --out.")
    if not out.exists() or not any(out.iterdir()):
        out.mkdir(parents=True, exist_ok=True)
        return None
    if overwrite:
        return f"Overwriting {out} (--overwrite)."
    if not (out / CONFIG).exists():
        raise UserError(
            f"{out} already holds files that are not a run; choose another --out "
            "or pass --overwrite."
        )
    try:
        earlier = Config.load(out / CONFIG)
    except UserError:
        raise UserError(
            f"{out} holds a run whose config.json cannot be read; choose another --out "
            "or pass --overwrite."
        ) from None
    if earlier != config:
        differences = ", ".join(
            f"{name} {value!r} there, {getattr(config, name)!r} here"
            for name, value in earlier.to_dict().items()
            if getattr(config, name) != value
        )
        raise UserError(
            f"{out} holds a different run ({differences}); choose another --out "
            "or pass --overwrite to replace it."
        )
    return f"Replacing the earlier run in {out}: it has the same configuration."


def read_test_pairs(run: Path) -> list:
    """The held-out pairs `write_test_pairs` wrote, with their gold alignments if any."""
    from seq2seq.corpora.pairs import Pair

    try:
        lines = (run / TEST_PAIRS).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise UserError(
            f"{run / TEST_PAIRS} is missing; retrain the run or evaluate on --corpus SPEC."
        ) from None
    alignment_path = run / TEST_ALIGNMENT
    alignments: list = [None] * len(lines)
    if alignment_path.exists():
        alignments = [
            frozenset((int(t), int(s)) for s, t in (link.split("-") for link in line.split()))
            for line in alignment_path.read_text(encoding="utf-8").splitlines()
        ]
    pairs = []
    for line, alignment in zip(lines, alignments, strict=True):
        source, target = line.split("\t", 1)
        pairs.append(Pair(source, target, alignment))
    return pairs


def write_test_pairs(out: Path, pairs) -> None:
    """``test.tsv`` (source<TAB>target) and, where known, ``test.align``.

    ``test.align`` holds one line per pair in the Pharaoh format of word
    aligners: ``i-j`` links source token i to target token j.
    """
    write_text(out / TEST_PAIRS, "".join(f"{pair.source}\t{pair.target}\n" for pair in pairs))
    if all(pair.alignment is not None for pair in pairs):
        lines = (
            " ".join(f"{s}-{t}" for t, s in sorted(pair.alignment, key=lambda link: link[::-1]))
            for pair in pairs
        )
        write_text(out / TEST_ALIGNMENT, "".join(f"{line}\n" for line in lines))
