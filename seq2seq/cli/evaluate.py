"""``python -m seq2seq evaluate``: score a run and add the scores to its metrics.json."""

from __future__ import annotations

import argparse
import dataclasses

from seq2seq.cli.common import (
    add_beam_argument,
    add_run_argument,
    format_table,
    positive_int,
    read_metrics,
    score_rows,
)


def add(commands) -> None:
    evaluate = commands.add_parser(
        "evaluate",
        help="score a run: exact match, BLEU, chrF, AER, attention statistics",
        description="Score a run on its own held-out pairs, or on the test split of another "
        "corpus; print the scores and add them to RUN/metrics.json under 'evaluations'.",
    )
    evaluate.add_argument(
        "--corpus",
        metavar="SPEC",
        help="score on this corpus' test split (embedded, tsv:PATH, "
        "tfds:NAME[/CONFIG], anki:LANGUAGE) instead of RUN/test.tsv",
    )
    evaluate.add_argument(
        "--reverse", action="store_true", help="with --corpus: read its pairs the other way round"
    )
    evaluate.add_argument(
        "--max-length",
        type=positive_int,
        metavar="N",
        help="with --corpus: drop pairs longer than N tokens",
    )
    evaluate.add_argument(
        "--max-pairs", type=positive_int, metavar="N", help="with --corpus: read at most N pairs"
    )
    evaluate.add_argument(
        "--data-dir",
        metavar="DIR",
        help="with --corpus tfds:/anki:, where tensorflow-datasets keeps data",
    )
    add_run_argument(evaluate)
    add_beam_argument(evaluate)
    evaluate.set_defaults(job=run)


def run(arguments: argparse.Namespace) -> None:
    from seq2seq import artifacts
    from seq2seq.evaluation import evaluate
    from seq2seq.inference import Translator

    translator = Translator.load(arguments.run)
    # Read before the work, so a damaged file is refused before minutes of translating.
    path = arguments.run / artifacts.METRICS
    recorded = read_metrics(path)
    if arguments.corpus is None:
        name, pairs = artifacts.TEST_PAIRS, artifacts.read_test_pairs(arguments.run)
    else:
        from seq2seq.corpora import load_corpus

        config = dataclasses.replace(
            translator.config,
            corpus=arguments.corpus,
            reverse=arguments.reverse,
            max_length=arguments.max_length,
            max_pairs=arguments.max_pairs,
            data_dir=arguments.data_dir,
            source_language=None,
            target_language=None,
        )
        corpus = load_corpus(config)
        name, pairs = f"{corpus.name} (test split)", corpus.test
    print(f"Translating {len(pairs):,} pairs of {name} (beam width {arguments.beam}).")
    metrics = evaluate(translator, pairs, arguments.beam, per_sentence=True, progress=True)
    metrics["beam_width"] = arguments.beam
    rows = [
        ("pairs", f"{metrics['pairs']:,}"),
        ("distinct sources", f"{metrics['sentences']:,}"),
        *score_rows(metrics),
        ("attention entropy", f"{metrics['attention_entropy']:.2f} nats"),
        ("attention coverage", f"{metrics['attention_coverage']:.2f} per source token"),
        ("ignored source tokens", f"{metrics['attention_ignored_share']:.1%}"),
    ]
    print(format_table(rows))
    recorded.setdefault("evaluations", {})[name] = metrics
    artifacts.write_json(path, recorded)
    print(f"\nAdded to {path} under evaluations / {name!r}, with per-sentence statistics.")
