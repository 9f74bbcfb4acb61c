"""``python train.py``: train a run, print its scores, draw held-out sentences."""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

from seq2seq import presets
from seq2seq.cli.common import (
    EXIT_INTERRUPTED,
    format_table,
    print_paths,
    run_reporting_errors,
    score_rows,
    translate_and_print,
)
from seq2seq.config import STRATEGIES, Config
from seq2seq.errors import UserError


def train_parser(defaults: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="train.py",
        description="Train the encoder-decoder with attention and write a run directory.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="run directory to write (default: runs/NAME of --preset, so runs/reference)",
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace whatever --out holds, even a different run",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="go on from the last whole epoch of the unfinished run in --out, "
        "with the configuration saved there",
    )
    parser.add_argument(
        "--strategy",
        choices=STRATEGIES,
        default="default",
        help="tf.distribute strategy: default (one device), mirrored (every GPU "
        "of this machine), multiworker (machines named by TF_CONFIG) "
        "(default: default)",
    )
    parser.add_argument(
        "--no-pictures",
        action="store_true",
        help="skip drawing held-out sentences and the attention over training at the end",
    )
    parser.add_argument(
        "--preset", default=presets.DEFAULT, metavar="NAME", help=presets.describe()
    )
    Config.add_arguments(parser, defaults)
    return parser


def train_main(argv: Sequence[str] | None = None) -> int:
    arguments = train_parser().parse_args(argv)
    given = presets.given_settings(train_parser(defaults=False), argv)
    return run_reporting_errors(lambda: _train(arguments, given))


def _train(arguments: argparse.Namespace, given: set[str]) -> None:
    config = presets.configure(arguments, given)
    arguments.out = arguments.out or Path("runs", arguments.preset)
    started = time.perf_counter()
    from seq2seq.distribution import writes_run_directory
    from seq2seq.training import train

    if arguments.resume and arguments.overwrite:
        raise UserError("--resume goes on with a run and --overwrite replaces it; choose one.")
    metrics = train(
        config,
        arguments.out,
        overwrite=arguments.overwrite,
        resume=arguments.resume,
        strategy=arguments.strategy,
    )
    if metrics is None:  # stopped by Ctrl-C, after saving
        raise SystemExit(EXIT_INTERRUPTED)
    rows = [
        *score_rows(metrics),
        ("epochs", str(metrics["epochs"])),
        ("train time", f"{metrics['train_seconds']:.0f} s"),
        ("total time", f"{time.perf_counter() - started:.0f} s"),
    ]
    print(f"\nTest split ({metrics['pairs']:,} pairs):")
    print(format_table(rows))
    if not writes_run_directory(arguments.strategy):
        print("\nThis worker trained beside the chief, which alone writes the run directory.")
        return
    print(f"\nRun directory: {arguments.out}")
    if not arguments.no_pictures:
        _draw_pictures(arguments.out)


def _draw_pictures(run: Path) -> None:
    """Translate and draw held-out sentences, and the attention forming over training."""
    from seq2seq import artifacts, pictures
    from seq2seq.corpora.pairs import spread_by_length

    samples = [pair.source for pair in spread_by_length(artifacts.read_test_pairs(run))]
    print(f"\nThe attention behind {len(samples)} held-out sentences:")
    folder = run / artifacts.PICTURES
    translations = translate_and_print(run, samples)
    # Both sets in one go, so they share the worker processes that draw them.
    drawn = pictures.translation_pictures(translations, folder, samples)
    forming = pictures.training_pictures(artifacts.read_snapshots(run), folder)
    pictures.draw_all(drawn + forming, workers=pictures.cores())
    note = pictures.no_attention_note(translations)
    if note:
        print(f"\n{note}")
        return
    print_paths("Pictures", [picture.path for picture in drawn])
    print_paths("The attention forming over training", [picture.path for picture in forming])
