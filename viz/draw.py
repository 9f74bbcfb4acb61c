"""``python -m viz draw RECORDS.jsonl --to png,svg,gif,html --out DIR``: records into pictures.

Any attention record (`viz.record`), from this project's ``translate
--save-records``, its lab, or a hand-written file of another model's weights, is
drawn into every format asked for, as every kind of `viz.kinds` that has the
format: record N (counting from 1) gives ``record-NN.heatmap.png`` and
``record-NN.bars.png`` (and ``.svg``, ``.pdf``, ``.jpg``),
``record-NN.attention.gif`` (and ``.mp4``, with ffmpeg) and
``record-NN.page.html``; a record with several hypotheses also gives
``record-NN.nbest.png`` (one per picture format), its n best side by side, and a
record that answers a question to the model ``record-NN.alternatives.png``, each
step's most probable words (`viz.whatif.plot_alternatives`). A record of a
model without attention (its weights are null) has no matrix to draw: it gets
no files, and the command says so.

Many pictures are drawn by worker processes, with a progress bar on a terminal;
Ctrl-C stops them (exit status 130) and says how many were written. A bad
record, a missing file or an unknown format is one line on stderr and exit
status 2. Nothing here imports TensorFlow.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from viz._validate import NO_ATTENTION
from viz.animation import check_writer
from viz.batch import Picture, Stopped, cores, draw_all
from viz.kinds import FORMATS, USUAL_FORMATS, files_of
from viz.record import AttentionRecord, RecordError, read_records
from viz.style import STYLES

EXIT_USER_ERROR = 2


class UsageError(ValueError):
    """A command line that cannot be carried out: the message says what to give instead."""


def draw_records(
    records: Sequence[AttentionRecord],
    out: Path,
    formats: Sequence[str],
    style: str = "projector",
    *,
    workers: int = 1,
    progress: bool = False,
) -> list[Path]:
    """Draw every record into each of ``formats`` (see `FORMATS`) in folder ``out``; the paths.

    A record without weights (its model has no attention) is skipped.

    ``workers`` and ``progress`` are `viz.batch.draw_all`'s.
    """
    pictures = []
    for number, record in enumerate(records, start=1):
        if record.weights is None:
            continue
        for path, kind in files_of(record, out / f"record-{number:02d}", formats):
            options = {"style": style} if kind.takes_style else {}
            pictures.append(Picture(path, kind.draw, (record,), options))
    return draw_all(pictures, workers, progress=progress)


def parse_formats(text: str) -> list[str]:
    """``"png,gif"`` → ``["png", "gif"]``; `UsageError` naming an unknown one."""
    formats = [name.strip().lower().lstrip(".") for name in text.split(",") if name.strip()]
    unknown = [name for name in formats if name not in FORMATS]
    if unknown or not formats:
        raise UsageError(
            f"--to {text!r} names {'no format' if not formats else repr(unknown[0])}; "
            f"give a comma-separated list of {', '.join(FORMATS)}."
        )
    if "mp4" in formats:
        try:
            check_writer(Path("attention.mp4"))
        except RuntimeError as error:
            raise UsageError(str(error)) from None
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
        "into every format asked for: heatmaps, bar charts, the decoding animation, the "
        "interactive page, and the n best side by side where a record has hypotheses.",
    )
    draw.add_argument("records", type=Path, metavar="RECORDS", help="a .jsonl file of records")
    draw.add_argument(
        "--to",
        default=",".join(USUAL_FORMATS),
        metavar="FORMATS",
        help=f"comma-separated formats: {', '.join(FORMATS)} (default: {','.join(USUAL_FORMATS)})",
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
        paths = draw_records(
            records, arguments.out, formats, arguments.style, workers=cores(), progress=True
        )
    except (UsageError, RecordError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except Stopped as stopped:
        print(stopped, file=sys.stderr)
        return stopped.exit_status
    drawn = [record for record in records if record.weights is not None]
    print(f"{len(drawn)} record(s) drawn into {len(paths)} files:")
    print("\n".join(f"  {path}" for path in paths))
    unweighted = [number for number, record in enumerate(records, 1) if record.weights is None]
    if unweighted:
        numbers = ", ".join(str(number) for number in unweighted)
        print(f"Not drawn: record(s) {numbers}; {NO_ATTENTION}.")
    return 0
