"""Command lines: ``python train.py`` and ``python -m seq2seq``.

User mistakes surface as `UserError`: one line on stderr, exit status 2.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from seq2seq.config import Config
from seq2seq.errors import UserError

EXIT_USER_ERROR = 2


def train_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="train.py",
        description="Train the encoder-decoder with attention and write a run directory.",
    )
    parser.add_argument("--out", type=Path, default=Path("runs/reference"),
                        help="run directory to write (default: runs/reference)")  # fmt: skip
    parser.add_argument("--overwrite", action="store_true",
                        help="replace whatever --out holds, even a different run")  # fmt: skip
    Config.add_arguments(parser)
    return parser


def train_main(argv: Sequence[str] | None = None) -> int:
    arguments = train_parser().parse_args(argv)
    return _run_reporting_errors(lambda: _train(arguments))


def _train(arguments: argparse.Namespace) -> None:
    config = Config.from_arguments(arguments)
    started = time.perf_counter()
    from seq2seq.training import train

    metrics = train(config, arguments.out, overwrite=arguments.overwrite)
    rows = [
        ("exact match", f"{metrics['exact_match']:.3f}"),
        ("BLEU", f"{metrics['bleu']:.1f}"),
        *([("AER", f"{metrics['aer']:.3f}")] if "aer" in metrics else []),
        ("epochs", str(metrics["epochs"])),
        ("train time", f"{metrics['train_seconds']:.0f} s"),
        ("total time", f"{time.perf_counter() - started:.0f} s"),
    ]
    print(f"\nTest split ({metrics['pairs']:,} pairs):")
    print(format_table(rows))
    print(f"\nRun directory: {arguments.out}")


def format_table(rows: Sequence[tuple[str, str]]) -> str:
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"  {name:<{width}}  {value}" for name, value in rows)


def _run_reporting_errors(job) -> int:
    try:
        job()
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    return 0
