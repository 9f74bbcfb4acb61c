"""``python -m seq2seq evaluate``: score a run and add the scores to its metrics.json."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from seq2seq.cli.common import (
    add_beam_argument,
    add_runs_argument,
    format_table,
    positive_int,
    read_metrics,
    score_rows,
)
from seq2seq.errors import UserError


def add(commands) -> None:
    evaluate = commands.add_parser(
        "evaluate",
        help="score a run: exact match, BLEU, chrF, AER, attention statistics; or runs by length",
        description="Score a run on its own held-out pairs, or on the test split of another "
        "corpus; print the scores and add them to RUN/metrics.json under 'evaluations'. "
        "With --by-length, score one or more runs by source length, side by side.",
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
    evaluate.add_argument(
        "--by-length",
        action="store_true",
        help="score each run's held-out pairs by source length: BLEU, chrF and exact match "
        "per bucket of --bucket-width tokens, as a table, in RUN/metrics.json under "
        "'by_length' and as a picture, one line per run (Bahdanau et al., 2015, Figure 2)",
    )
    evaluate.add_argument(
        "--bucket-width",
        type=positive_int,
        default=5,
        metavar="N",
        help="with --by-length: source tokens a bucket spans (default: 5)",
    )
    evaluate.add_argument(
        "--beyond-cut",
        action="store_true",
        help="with --by-length: also translate the pairs of each run's corpus longer than its "
        "--max-length, never trained on, as buckets of their own",
    )
    evaluate.add_argument(
        "--out",
        type=Path,
        help="with --by-length: folder for scores-by-length.png (default: the first --run)",
    )
    add_runs_argument(evaluate, "give --run again, with --by-length, to score runs side by side")
    add_beam_argument(evaluate)
    evaluate.set_defaults(job=run)


def run(arguments: argparse.Namespace) -> None:
    from seq2seq import artifacts
    from seq2seq.evaluation import evaluate, evaluate_by_length
    from seq2seq.inference import Translator

    if arguments.by_length:
        if arguments.corpus is not None:
            raise UserError("--by-length scores each run's own held-out pairs; drop --corpus.")
        evaluate_by_length(
            arguments.runs,
            beam_width=arguments.beam,
            width=arguments.bucket_width,
            beyond_cut=arguments.beyond_cut,
            out=arguments.out,
        )
        return
    if len(arguments.runs) > 1 or arguments.beyond_cut or arguments.out is not None:
        raise UserError(
            "Several --run, --beyond-cut and --out go with --by-length; add it, or drop them."
        )
    (arguments.run,) = arguments.runs
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
    ]
    if "attention_entropy" in metrics:
        rows += [
            ("attention entropy", f"{metrics['attention_entropy']:.2f} nats"),
            ("attention coverage", f"{metrics['attention_coverage']:.2f} per source token"),
            ("ignored source tokens", f"{metrics['attention_ignored_share']:.1%}"),
        ]
    else:
        rows.append(("attention", "none, so no AER and no attention statistics"))
    print(format_table(rows))
    recorded.setdefault("evaluations", {})[name] = metrics
    artifacts.write_json(path, recorded)
    print(f"\nAdded to {path} under evaluations / {name!r}, with per-sentence statistics.")
