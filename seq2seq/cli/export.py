"""``python -m seq2seq export``: a run as a TensorFlow SavedModel for serving."""

from __future__ import annotations

import argparse

from seq2seq.cli.common import add_out_argument, add_run_argument


def add(commands) -> None:
    export = commands.add_parser(
        "export",
        help="write a run as a TensorFlow SavedModel for serving",
        description="Write a run as a TensorFlow SavedModel whose serving_default signature "
        "translates a batch of sentences greedily and returns the translations with their "
        "attention; it needs TensorFlow alone, not this package.",
    )
    add_run_argument(export)
    add_out_argument(export, "the SavedModel")
    export.add_argument(
        "--overwrite", action="store_true", help="replace what --out holds, if anything"
    )
    export.set_defaults(job=run)


def run(arguments: argparse.Namespace) -> None:
    from seq2seq.export import SIGNATURE, export

    out = export(arguments.run, arguments.out, overwrite=arguments.overwrite)
    print(f"SavedModel written to {out} (signature {SIGNATURE}: sentences → translations).")
