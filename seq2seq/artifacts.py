"""The run directory: everything needed to translate later, in a fresh process.

Each file is written to a temporary name beside its final one and renamed into
place, so a run directory never holds a half-written file.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from seq2seq.config import Config
from seq2seq.errors import UserError
from viz._files import write_atomically, write_text_atomically

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
SNAPSHOTS = "snapshots.json"  # the attention on probe sentences after each epoch
RESUME = "resume"  # a folder: the model with its optimizer after the last whole epoch
RESUME_STATE = "state.json"  # in RESUME: epoch, history, early-stopping state, model file
# What a run writes: an overwritten run loses these, and nothing else in the folder.
RUN_FILES = (
    MODEL,
    CHECKPOINT,
    CONFIG,
    SOURCE_VOCABULARY,
    TARGET_VOCABULARY,
    METRICS,
    HISTORY,
    TEST_PAIRS,
    TEST_ALIGNMENT,
    SNAPSHOTS,
)
RUN_FOLDERS = (PICTURES, RESUME)


def write_text(path: Path, text: str) -> None:
    write_text_atomically(path, text)


def write_json(path: Path, data: Any) -> None:
    write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def save_model(model, path: Path) -> None:
    write_atomically(path, model.save)


def write_vocabulary(path: Path, vocabulary: list[str]) -> None:
    """One token per line; line 1 is ``[UNK]`` (the padding token, "", is implied)."""
    if vocabulary[0] != "":
        raise ValueError("a vocabulary starts with the padding token ''")
    write_text(path, "".join(f"{token}\n" for token in vocabulary[1:]))


def read_vocabulary(path: Path) -> list[str]:
    lines = read_run_text(path, "the run directory is incomplete, so retrain it").splitlines()
    return ["", *lines]


def read_run_text(path: Path, if_missing: str) -> str:
    """The UTF-8 text of a file of a run directory; `UserError` if it is missing or damaged.

    ``if_missing`` ends the sentence said when ``path`` does not exist.
    """
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path} is missing; {if_missing}.") from None
    except UnicodeDecodeError as error:
        raise UserError(
            f"{path} is not UTF-8 (byte {error.start + 1}); it is damaged, so retrain the run."
        ) from None
    except OSError as error:  # a folder of that name, no permission to read it
        raise UserError(
            f"{path} cannot be read ({error.strerror}); make it a readable file or retrain."
        ) from None


def read_json(path: Path) -> Any:
    """A JSON file of a run directory, or None where there is none; `UserError` if damaged."""
    if not path.exists():
        return None
    text = read_run_text(path, "")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise UserError(
            f"{path} is not valid JSON ({error}); fix or delete it, or retrain the run."
        ) from None


def prepare_run_directory(out: Path, config: Config, overwrite: bool) -> str | None:
    """Make sure training may write a new run into ``out``; say what it replaces, if anything.

    An empty or missing directory is fine. A finished run with the same
    configuration may be replaced; an unfinished one needs ``--resume`` or
    ``--overwrite``, and a different run needs ``--overwrite``. Nothing is
    removed here: where a note is returned, the caller removes the old run
    with `clear_run` once the new one is sure to start (its corpus is read),
    so a mistake found on the way loses nothing.
    """
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} is a file, not a directory; choose another --out.")
    if not out.exists() or not any(out.iterdir()):
        out.mkdir(parents=True, exist_ok=True)
        return None
    if overwrite:
        return f"Overwriting {out} (--overwrite)."
    earlier = _earlier_config(out)
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
    if is_unfinished(out):
        raise UserError(
            f"{out} holds an unfinished run of this configuration; pass --resume to go on "
            "from its last whole epoch, or --overwrite to start again."
        )
    return f"Replacing the earlier run in {out}: it has the same configuration."


def resume_state(out: Path) -> tuple[Config, dict]:
    """The configuration and resume state of the unfinished run in ``out``, for ``--resume``."""
    if not out.is_dir():
        raise UserError(f"{out} is not a run directory, so there is nothing to resume.")
    config = _earlier_config(out)
    if not is_unfinished(out):
        finished = (out / METRICS).exists()
        raise UserError(
            f"{out} has "
            + (
                "finished training"
                if finished
                else "no resume point yet (no whole epoch was trained)"
            )
            + "; drop --resume to train it again."
        )
    path = out / RESUME / RESUME_STATE
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        if not (out / RESUME / state["model"]).is_file() or int(state["epoch"]) < 1:
            raise ValueError(state)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise UserError(
            f"{path} is damaged, so the run cannot go on; pass --overwrite to start again."
        ) from None
    return config, state


def is_unfinished(out: Path) -> bool:
    return (out / RESUME / RESUME_STATE).is_file() and not (out / METRICS).exists()


def clear_run(out: Path) -> None:
    """Remove what a run wrote into ``out`` (and only that)."""
    for name in RUN_FILES:
        (out / name).unlink(missing_ok=True)
    for name in RUN_FOLDERS:
        if (out / name).is_dir():
            shutil.rmtree(out / name)


def _earlier_config(out: Path) -> Config:
    if not (out / CONFIG).exists():
        raise UserError(
            f"{out} already holds files that are not a run; choose another --out "
            "or pass --overwrite."
        )
    try:
        return Config.load(out / CONFIG)
    except UserError:
        raise UserError(
            f"{out} holds a run whose config.json cannot be read; choose another --out "
            "or pass --overwrite."
        ) from None


def read_snapshots(run: Path) -> dict | None:
    """What `seq2seq.callbacks.AttentionSnapshots` recorded, or None for a run without it."""
    return read_json(run / SNAPSHOTS)


def read_test_pairs(run: Path) -> list:
    """The held-out pairs `write_test_pairs` wrote, with their gold alignments if any."""
    from seq2seq.corpora.pairs import Pair

    path = run / TEST_PAIRS
    lines = read_run_text(path, "retrain the run or evaluate on --corpus SPEC").splitlines()
    pairs = []
    for number, line in enumerate(lines, start=1):
        source, tab, target = line.partition("\t")
        if not (tab and source.strip() and target.strip()):
            raise UserError(
                f"{path}, line {number}: not a source<TAB>target pair; the file is damaged, "
                "so retrain the run or evaluate on --corpus SPEC."
            )
        pairs.append(Pair(source, target, None))
    alignment_path = run / TEST_ALIGNMENT
    if not alignment_path.exists():
        return pairs
    alignments = read_run_text(alignment_path, "").splitlines()
    if len(alignments) != len(pairs):
        raise UserError(
            f"{alignment_path} has {len(alignments):,} lines for the {len(pairs):,} pairs of "
            f"{path}; it is damaged, so delete it (no AER is then measured) or retrain the run."
        )
    for number, (pair, line) in enumerate(zip(pairs, alignments), start=1):
        try:
            links = frozenset(
                (int(t), int(s)) for s, t in (link.split("-") for link in line.split())
            )
        except ValueError:
            raise UserError(
                f"{alignment_path}, line {number}: links must read i-j (source word i, target "
                "word j); it is damaged, so delete it (no AER is then measured) or retrain."
            ) from None
        pairs[number - 1] = Pair(pair.source, pair.target, links)
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
