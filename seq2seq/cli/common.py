"""What several commands share: their common flags, reading sentences, printing tables."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from seq2seq.errors import UserError

if TYPE_CHECKING:
    from seq2seq.translation import Translation

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130  # the shell's code for a process stopped by Ctrl-C


def run_reporting_errors(job: Callable[[], None]) -> int:
    """Run ``job``; the exit status, with a user's mistake or Ctrl-C said in one line."""
    try:
        job()
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt as error:
        # Drawing stopped (viz.batch.Stopped) says what it wrote, and by which signal.
        print(str(error) or "Interrupted.", file=sys.stderr)
        return getattr(error, "exit_status", EXIT_INTERRUPTED)
    return 0


# --- flags ---------------------------------------------------------------------------


def add_sentence_arguments(parser: argparse.ArgumentParser) -> None:
    """The sentences to work on: as arguments, and the lines of ``--file``."""
    parser.add_argument(
        "sentences", nargs="*", metavar="SENTENCE", help="sentences to translate (quote each one)"
    )
    parser.add_argument("--file", type=Path, help="also translate this file's lines (UTF-8)")


def add_run_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--run", type=Path, required=True, help="run directory written by train.py")


def add_out_argument(parser: argparse.ArgumentParser, what: str) -> None:
    """``--out``, the folder a command must be told to write ``what`` into."""
    parser.add_argument("--out", type=Path, required=True, help=f"folder to write {what} to")


def add_runs_argument(parser: argparse.ArgumentParser, how_many: str) -> None:
    """``--run`` given once per run, gathered in ``runs``."""
    parser.add_argument(
        "--run",
        type=Path,
        action="append",
        required=True,
        dest="runs",
        metavar="RUN",
        help=f"a run directory written by train.py; {how_many}",
    )


def add_beam_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--beam",
        type=positive_int,
        default=1,
        metavar="N",
        help="beam width; 1 decodes greedily (default: 1)",
    )


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


# --- input ---------------------------------------------------------------------------


def sentences(arguments: argparse.Namespace) -> list[str]:
    """The sentences given as arguments, then those of ``--file``."""
    given = list(arguments.sentences)
    if arguments.file is not None:
        given += read_sentences(arguments.file)
    if not given:
        raise UserError("Nothing to translate; give sentences as arguments or --file FILE.")
    return given


def read_sentences(path: Path) -> list[str]:
    """The non-blank lines of a UTF-8 text file."""
    from seq2seq.textfiles import numbered_lines

    expected = "a UTF-8 text file with one sentence per line"
    return [line.strip() for _, line in numbered_lines(path, expected)]


def check_folder(out: Path) -> None:
    """Refuse an ``--out`` that cannot hold files, before any work is done."""
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} is a file, not a folder; choose a folder to write into.")


def read_metrics(path: Path) -> dict:
    """``metrics.json`` of a run, empty where there is none; `UserError` if it is damaged."""
    from seq2seq import artifacts

    metrics = artifacts.read_json(path)
    if metrics is None:
        return {}
    if not isinstance(metrics, dict):
        raise UserError(f"{path} must hold a JSON object of scores; fix or delete it.")
    return metrics


# --- output --------------------------------------------------------------------------


def translate_and_print(
    run: Path, sentences: Sequence[str], beam_width: int = 1, n_best: int = 1
) -> list[Translation]:
    """Translate ``sentences`` with ``run``; print each, how it was read, and its n best."""
    from seq2seq.inference import Translator
    from seq2seq.text import UNK

    translations = Translator.load(run).translate_batch(sentences, beam_width, n_best)
    for sentence, translation in zip(sentences, translations):
        text = translation.sentence or "(nothing: the model ended at once, so there is no picture)"
        print(f"  {sentence}\n  → {text}   (log-probability {translation.score:.2f})")
        if UNK in translation.source_tokens:
            print(f"    read as: {' '.join(translation.source_tokens)}   ({UNK}: an unknown word)")
        for rank, hypothesis in enumerate(translation.hypotheses, start=1):
            print(f"    {rank}. {hypothesis.text or '(nothing)'}   ({hypothesis.score:.2f})")
    return translations


def print_paths(heading: str, paths: Sequence[Path]) -> None:
    print(f"\n{heading} ({len(paths)} files):")
    print("\n".join(f"  {path}" for path in paths))


def score_rows(metrics: dict) -> list[tuple[str, str]]:
    """Table rows of the translation scores in ``metrics``; AER where it was measured."""
    return [
        ("exact match", f"{metrics['exact_match']:.3f}"),
        ("BLEU", f"{metrics['bleu']:.1f}"),
        ("chrF", f"{metrics['chrf']:.1f}"),
        *([("AER", f"{metrics['aer']:.3f}")] if "aer" in metrics else []),
        *_as_written_rows(metrics),
    ]


def _as_written_rows(metrics: dict) -> list[tuple[str, str]]:
    """Scores of the cased, detokenized sentences, and the share of unknown source words."""
    if "bleu_as_written" not in metrics:  # scored before they were measured
        return []
    return [
        (
            "BLEU, chrF as written",
            f"{metrics['bleu_as_written']:.1f}, {metrics['chrf_as_written']:.1f}",
        ),
        ("source words [UNK]", f"{metrics['source_unk_share']:.1%}"),
    ]


def format_table(rows: Sequence[tuple[str, str]]) -> str:
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"  {name:<{width}}  {value}" for name, value in rows)
