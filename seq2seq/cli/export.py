"""``python -m seq2seq export``: a run as a TensorFlow SavedModel, or runs as a static page."""

from __future__ import annotations

import argparse
from pathlib import Path

from seq2seq.cli.common import add_runs_argument
from seq2seq.errors import UserError


def add(commands) -> None:
    export = commands.add_parser(
        "export",
        help="write a run as a TensorFlow SavedModel for serving, or runs as a static page",
        description="Write a run as a TensorFlow SavedModel whose serving_default signature "
        "translates a batch of sentences greedily and returns the translations with their "
        "attention; it needs TensorFlow alone, not this package. Or, with --web, write a "
        "static page (the lab) that runs the models of one or more runs in the browser.",
    )
    add_runs_argument(export, "give --run again for each run of a --web page")
    where = export.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, help="folder to write the SavedModel to")
    where.add_argument(
        "--web", type=Path, help="folder to write a static page to, for any static web host"
    )
    export.add_argument(
        "--overwrite", action="store_true", help="replace what --out or --web holds, if anything"
    )
    export.set_defaults(job=run)


def run(arguments: argparse.Namespace) -> None:
    if arguments.web is not None:
        from seq2seq.web import export_web, summary

        print(summary(export_web(arguments.runs, arguments.web, overwrite=arguments.overwrite)))
        return
    from seq2seq.export import SIGNATURE, export

    if len(arguments.runs) > 1:
        raise UserError("--out writes one run's SavedModel; give --run once (or --web for a page).")
    out = export(arguments.runs[0], arguments.out, overwrite=arguments.overwrite)
    print(f"SavedModel written to {out} (signature {SIGNATURE}: sentences → translations).")
