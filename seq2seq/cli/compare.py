"""``python -m seq2seq compare``: the same sentences through several runs, side by side."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from seq2seq.cli.common import (
    add_beam_argument,
    add_out_argument,
    add_runs_argument,
    add_sentence_arguments,
    check_folder,
    print_paths,
    sentences,
)
from seq2seq.errors import UserError


def add(commands) -> None:
    compare = commands.add_parser(
        "compare",
        help="draw the attention of two or more runs side by side",
        description="Translate the same sentences with several runs (for example additive "
        "and dot-product attention) and draw their heatmaps side by side, one picture per "
        "sentence.",
    )
    add_sentence_arguments(compare)
    add_runs_argument(compare, "give --run once per run to compare (at least two)")
    compare.add_argument(
        "--label",
        action="append",
        dest="labels",
        metavar="TEXT",
        help="a panel title per --run, in the same order (default: each run's attention score)",
    )
    add_out_argument(compare, "the pictures")
    add_beam_argument(compare)
    compare.set_defaults(job=run)


def run(arguments: argparse.Namespace) -> None:
    from seq2seq.inference import Translator
    from seq2seq.pictures import draw_comparison, slug

    given = sentences(arguments)
    check_folder(arguments.out)
    if len(arguments.runs) < 2:
        raise UserError("Give --run at least twice: compare needs two runs or more.")
    if arguments.labels is not None and len(arguments.labels) != len(arguments.runs):
        raise UserError(
            f"There are {len(arguments.labels)} --label(s) for {len(arguments.runs)} --run(s); "
            "give one label per run, or none."
        )
    translators = [Translator.load(run) for run in arguments.runs]
    labels = arguments.labels or _labels(arguments.runs, translators)
    translations = [t.translate_batch(given, arguments.beam) for t in translators]
    paths = []
    for number, (sentence, *per_run) in enumerate(zip(given, *translations), start=1):
        print(f"  {sentence}")
        for label, translation in zip(labels, per_run):
            print(f"  {label:>{max(map(len, labels))}} → {translation.sentence}")
        if any(not translation.target_tokens for translation in per_run):
            print("  (a run ended at once, so there is no picture)")
            continue
        path = arguments.out / f"{number:02d}-{slug(sentence)}.compare.png"
        arguments.out.mkdir(parents=True, exist_ok=True)
        paths.append(draw_comparison(per_run, labels, path))
    print_paths("Pictures", paths)


def _labels(runs: Sequence[Path], translators) -> list[str]:
    """Each run's attention score, or its folder name where two runs share a score."""
    scores = [translator.config.attention for translator in translators]
    if len(set(scores)) == len(scores):
        return scores
    return [run.name for run in runs]
