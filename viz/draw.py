"""``python -m viz draw RECORDS.jsonl --to png,svg,gif,html --out DIR``: records into pictures.

Any attention record (`viz.record`), from this project's ``translate
--save-records``, its lab, or a hand-written file of another model's weights, is
drawn into every format asked for. Record N (counting from 1) gives
``record-NN.heatmap.png`` (and ``.svg``, ``.pdf``, ``.jpg``), ``record-NN.attention.gif``
and ``record-NN.page.html``; a record with hypotheses also gives
``record-NN.nbest.png`` (one per figure format), its n best side by side.
A record of a model without attention (its weights are null) has no matrix to
draw: it gets no files, and the command says so.

A bad record, a missing file or an unknown format is one line on stderr and
exit status 2. Nothing here imports TensorFlow.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from viz._validate import NO_ATTENTION
from viz.animation import animate_attention
from viz.grid import plot_hypotheses
from viz.heatmap import plot_heatmap
from viz.html import to_html
from viz.record import AttentionRecord, RecordError, read_records
from viz.style import STYLES

EXIT_USER_ERROR = 2
FIGURES = ("png", "svg", "pdf", "jpg")
# What each other format draws, as (file suffix, viz function).
MOVING = {"gif": ("attention.gif", animate_attention), "html": ("page.html", to_html)}
FORMATS = (*FIGURES, *MOVING)


class UsageError(ValueError):
    """A command line that cannot be carried out: the message says what to give instead."""


def draw_records(
    records: Sequence[AttentionRecord], out: Path, formats: Sequence[str], style: str = "projector"
) -> list[Path]:
    """Draw every record into each of ``formats`` (see `FORMATS`) in folder ``out``; the paths.

    A record without weights (its model has no attention) is skipped.
    """
    paths = []
    for number, record in enumerate(records, start=1):
        if record.weights is None:
            continue
        for path, draw in _pictures(record, out / f"record-{number:02d}", formats):
            options = {} if draw is to_html else {"style": style}
            draw(record, path=path, **options)
            paths.append(path)
    return paths


def _pictures(
    record: AttentionRecord, stem: Path, formats: Sequence[str]
) -> list[tuple[Path, Callable[..., Any]]]:
    """The files of one record: which path, drawn by which function."""
    pictures = []
    for extension in formats:
        if extension in MOVING:
            suffix, draw = MOVING[extension]
            pictures.append((Path(f"{stem}.{suffix}"), draw))
            continue
        pictures.append((Path(f"{stem}.heatmap.{extension}"), plot_heatmap))
        if record.hypotheses:
            pictures.append((Path(f"{stem}.nbest.{extension}"), plot_hypotheses))
    return pictures


def parse_formats(text: str) -> list[str]:
    """``"png,gif"`` → ``["png", "gif"]``; `UsageError` naming an unknown one."""
    formats = [name.strip().lower().lstrip(".") for name in text.split(",") if name.strip()]
    unknown = [name for name in formats if name not in FORMATS]
    if unknown or not formats:
        raise UsageError(
            f"--to {text!r} names {'no format' if not formats else repr(unknown[0])}; "
            f"give a comma-separated list of {', '.join(FORMATS)}."
        )
    return list(dict.fromkeys(formats))


def read(path: Path) -> list[AttentionRecord]:
    """The records of ``path``; `UsageError` or `RecordError` in one line otherwise."""
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "does not exist"
        raise UsageError(f"{path} {what}; give a JSON Lines file of attention records.")
    try:
        return read_records(path)
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text; give a JSON Lines file of records.") from None


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m viz",
        description="Draw attention records (JSON, one record per line) from any model.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    draw = commands.add_parser(
        "draw",
        help="draw attention records into pictures",
        description="Draw each attention record of a JSON Lines file (or a .json file) "
        "into every format asked for: heatmaps, the decoding animation, the interactive "
        "page, and the n best side by side where a record has hypotheses.",
    )
    draw.add_argument("records", type=Path, metavar="RECORDS", help="a .jsonl file of records")
    draw.add_argument(
        "--to",
        default="png,gif,html",
        metavar="FORMATS",
        help=f"comma-separated formats: {', '.join(FORMATS)} (default: png,gif,html)",
    )
    draw.add_argument("--out", type=Path, required=True, help="folder for the pictures")
    draw.add_argument("--style", choices=STYLES, default="projector", help="(default: projector)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m viz draw``: returns the exit status."""
    arguments = parser().parse_args(argv)
    try:
        formats = parse_formats(arguments.to)
        if arguments.out.exists() and not arguments.out.is_dir():
            raise UsageError(f"--out {arguments.out} is a file; choose a folder to write into.")
        records = read(arguments.records)
        paths = draw_records(records, arguments.out, formats, arguments.style)
    except (UsageError, RecordError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    drawn = [record for record in records if record.weights is not None]
    print(f"{len(drawn)} record(s) drawn into {len(paths)} files:")
    print("\n".join(f"  {path}" for path in paths))
    unweighted = [number for number, record in enumerate(records, 1) if record.weights is None]
    if unweighted:
        numbers = ", ".join(str(number) for number in unweighted)
        print(f"Not drawn: record(s) {numbers}; {NO_ATTENTION}.")
    return 0
