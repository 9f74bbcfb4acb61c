"""``python -m seq2seq translate``: translate sentences, print them, draw their attention."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from seq2seq.cli.common import (
    add_beam_argument,
    add_run_argument,
    add_sentence_arguments,
    check_folder,
    positive_int,
    print_paths,
    sentences,
    translate_and_print,
)
from seq2seq.config import Config
from seq2seq.errors import UserError
from seq2seq.translation import Translation


def add(commands) -> None:
    translate = commands.add_parser(
        "translate",
        help="translate sentences and draw their attention",
        description="Translate sentences with a trained run; write a heatmap, an animation, "
        "bar charts and an interactive page per sentence.",
    )
    add_sentence_arguments(translate)
    translate.add_argument(
        "--out", type=Path, help="folder for the pictures (default: RUN/translations)"
    )
    translate.add_argument("--no-pictures", action="store_true", help="print the translations only")
    add_run_argument(translate)
    add_beam_argument(translate)
    translate.add_argument(
        "--n-best",
        type=positive_int,
        default=1,
        metavar="N",
        help="print the N most probable hypotheses of the beam and draw them side by side "
        "(needs --beam N or wider; default: 1)",
    )
    translate.add_argument(
        "--save-records",
        type=Path,
        metavar="FILE",
        help="also write one attention record per sentence to FILE (JSON Lines); "
        "python -m viz draw FILE draws them",
    )
    translate.set_defaults(job=run)


def run(arguments: argparse.Namespace) -> None:
    given = sentences(arguments)
    if arguments.n_best > arguments.beam:
        raise UserError(
            f"--n-best {arguments.n_best} asks for more hypotheses than --beam {arguments.beam} "
            f"keeps; give --beam {arguments.n_best} or wider."
        )
    if arguments.save_records is not None and arguments.save_records.is_dir():
        raise UserError(f"--save-records {arguments.save_records} is a folder; name a file.")
    out = None if arguments.no_pictures else arguments.out or arguments.run / "translations"
    if out is not None:
        check_folder(out)
    translations = translate_and_print(arguments.run, given, arguments.beam, arguments.n_best)
    if out is not None:
        from seq2seq.pictures import cores, draw

        print_paths("Pictures", draw(translations, out, given, workers=cores()))
    if arguments.save_records is not None:
        _save_records(arguments, given, translations)


def _save_records(
    arguments: argparse.Namespace, sentences: Sequence[str], translations: Sequence[Translation]
) -> None:
    """Write an attention record per translation to ``--save-records``."""
    import viz
    from seq2seq import artifacts
    from seq2seq.records import model_facts, translation_records

    config = Config.load(arguments.run / artifacts.CONFIG)
    model = model_facts(arguments.run, config, arguments.beam)
    records = translation_records(translations, sentences, model)
    path = viz.write_records(records, arguments.save_records)
    skipped = len(translations) - len(records)
    note = f" ({skipped} translation(s) ended at once and have none)" if skipped else ""
    print(f"\n{len(records)} attention record(s) written to {path}{note}")
