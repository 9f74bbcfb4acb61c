"""``python -m seq2seq report``: one printable HTML report of a run on some sentences."""

from __future__ import annotations

import argparse

from seq2seq.cli.common import (
    add_beam_argument,
    add_out_argument,
    add_run_argument,
    add_sentence_arguments,
    check_folder,
    read_metrics,
    sentences,
)


def add(commands) -> None:
    report = commands.add_parser(
        "report",
        help="write a printable HTML report of a run on some sentences",
        description="Translate sentences with a run and write one self-contained HTML file: "
        "each sentence's translation, heatmap and bars, then the run's scores, attention "
        "statistics and configuration. It opens offline and prints.",
    )
    add_sentence_arguments(report)
    add_out_argument(report, "report.html")
    report.add_argument("--title", help="the report's title (default: the run's name)")
    add_run_argument(report)
    add_beam_argument(report)
    report.set_defaults(job=run)


def run(arguments: argparse.Namespace) -> None:
    import viz
    from seq2seq import artifacts
    from seq2seq.inference import Translator
    from seq2seq.progress import progress

    given = sentences(arguments)
    check_folder(arguments.out)
    metrics = read_metrics(arguments.run / artifacts.METRICS)
    metrics = {name: value for name, value in metrics.items() if name != "evaluations"}
    translator = Translator.load(arguments.run)
    translations = translator.translate_batch(given, arguments.beam)
    with progress(len(given), "sentence", "Drawing") as advance:
        path = viz.write_report(
            list(zip(given, translations)),
            path=arguments.out / "report.html",
            title=arguments.title or f"Attention report: {arguments.run.name}",
            metrics=metrics,
            config=translator.config.to_dict() if translator.config else None,
            progress=advance,
        )
    print(f"Report on {len(given)} sentence(s) written to {path}")
