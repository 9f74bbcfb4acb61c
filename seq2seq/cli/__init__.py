"""Command lines: ``python train.py`` and ``python -m seq2seq COMMAND``.

One module per command, each holding its flags (``add``) beside the code that
carries them out: `train`, `translate`, `evaluate`, `compare`, `report`,
`export`, `serve`; `common` holds the flags and printing they share. User
mistakes surface as `UserError`: one line on stderr, exit status 2. Nothing
here imports TensorFlow until a command runs, so ``--help`` stays instant.
"""

from __future__ import annotations

import argparse
import atexit
import os
import sys
from collections.abc import Sequence

from seq2seq.cli import compare, evaluate, export, report, serve, translate
from seq2seq.cli.common import EXIT_INTERRUPTED, EXIT_USER_ERROR, run_reporting_errors
from seq2seq.cli.train import train_main, train_parser

# The commands of ``python -m seq2seq``, in the order --help lists them.
COMMANDS = (translate, evaluate, compare, report, export, serve)

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_USER_ERROR",
    "exit_now",
    "main",
    "parser",
    "train_main",
    "train_parser",
]


def parser() -> argparse.ArgumentParser:
    """The parser of ``python -m seq2seq``, a subcommand per module of `COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="python -m seq2seq",
        description="Translate with a trained run and draw where its attention looked.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m seq2seq COMMAND``: returns the exit status."""
    arguments = parser().parse_args(argv)
    return run_reporting_errors(lambda: arguments.job(arguments))


def exit_now(code: int) -> None:
    """End a finished command at once: exit handlers run, output is flushed, nothing else.

    TensorFlow's teardown when the interpreter exits takes about a second and
    does nothing a finished command needs (every file it wrote is closed and
    renamed into place), so the command-line entry points skip it.
    """
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
