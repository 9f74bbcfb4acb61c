"""Command lines: ``python train.py`` and ``python -m seq2seq``.

User mistakes surface as `UserError`: one line on stderr, exit status 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from seq2seq.config import Config
from seq2seq.errors import UserError

EXIT_USER_ERROR = 2


def train_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="train.py",
        description="Train the encoder-decoder with attention and write a run directory.",
    )
    parser.add_argument("--out", type=Path, default=Path("runs/reference"),
                        help="run directory to write (default: runs/reference)")  # fmt: skip
    parser.add_argument("--overwrite", action="store_true",
                        help="replace whatever --out holds, even a different run")  # fmt: skip
    Config.add_arguments(parser)
    return parser


def train_main(argv: Sequence[str] | None = None) -> int:
    arguments = train_parser().parse_args(argv)
    return _run_reporting_errors(lambda: _train(arguments))


def _train(arguments: argparse.Namespace) -> None:
    config = Config.from_arguments(arguments)
    started = time.perf_counter()
    from seq2seq import artifacts
    from seq2seq.training import train

    metrics = train(config, arguments.out, overwrite=arguments.overwrite)
    rows = [
        *score_rows(metrics),
        ("epochs", str(metrics["epochs"])),
        ("train time", f"{metrics['train_seconds']:.0f} s"),
        ("total time", f"{time.perf_counter() - started:.0f} s"),
    ]
    print(f"\nTest split ({metrics['pairs']:,} pairs):")
    print(format_table(rows))
    print(f"\nRun directory: {arguments.out}")

    samples = held_out_samples(artifacts.read_test_pairs(arguments.out))
    print(f"\nThe attention behind {len(samples)} held-out sentences:")
    _translate_and_draw(arguments.out, samples, arguments.out / artifacts.PICTURES)


def held_out_samples(test_pairs: Sequence, count: int = 3) -> list[str]:
    """``count`` sources of ``test_pairs``, short to long, spread over their lengths."""
    sources = sorted(
        {pair.source for pair in test_pairs}, key=lambda source: (len(source.split()), source)
    )
    picks = {round(q * (len(sources) - 1)) for q in (0.3, 0.6, 0.9)}
    return [sources[i] for i in sorted(picks)][:count]


# --- python -m seq2seq ---------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m seq2seq COMMAND``: ``translate`` or ``evaluate`` a trained run."""
    parser = argparse.ArgumentParser(
        prog="python -m seq2seq",
        description="Translate with a trained run and draw where its attention looked.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    translate = commands.add_parser(
        "translate",
        help="translate sentences and draw their attention",
        description="Translate sentences with a trained run; write a heatmap, an animation, "
        "bar charts and an interactive page per sentence.",
    )
    translate.add_argument(
        "sentences", nargs="*", metavar="SENTENCE", help="sentences to translate (quote each one)"
    )
    translate.add_argument("--file", type=Path, help="also translate this file's lines (UTF-8)")
    translate.add_argument(
        "--out", type=Path, help="folder for the pictures (default: RUN/translations)"
    )
    translate.add_argument("--no-pictures", action="store_true", help="print the translations only")
    _add_run_arguments(translate)
    translate.set_defaults(job=_translate)

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
        type=_positive_int,
        metavar="N",
        help="with --corpus: drop pairs longer than N tokens",
    )
    evaluate.add_argument(
        "--max-pairs", type=_positive_int, metavar="N", help="with --corpus: read at most N pairs"
    )
    evaluate.add_argument(
        "--data-dir",
        metavar="DIR",
        help="with --corpus tfds:/anki:, where tensorflow-datasets keeps data",
    )
    _add_run_arguments(evaluate)
    evaluate.set_defaults(job=_evaluate)

    arguments = parser.parse_args(argv)
    return _run_reporting_errors(lambda: arguments.job(arguments))


def _add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """``--run`` and ``--beam``, which every command on a trained run takes."""
    parser.add_argument("--run", type=Path, required=True, help="run directory written by train.py")
    parser.add_argument(
        "--beam",
        type=_positive_int,
        default=1,
        metavar="N",
        help="beam width; 1 decodes greedily (default: 1)",
    )


def _translate(arguments: argparse.Namespace) -> None:
    sentences = list(arguments.sentences)
    if arguments.file is not None:
        sentences += read_sentences(arguments.file)
    if not sentences:
        raise UserError("Nothing to translate; give sentences as arguments or --file FILE.")
    out = None if arguments.no_pictures else arguments.out or arguments.run / "translations"
    _translate_and_draw(arguments.run, sentences, out, arguments.beam)


def _evaluate(arguments: argparse.Namespace) -> None:
    from seq2seq import artifacts
    from seq2seq.evaluation import evaluate
    from seq2seq.inference import Translator

    translator = Translator.load(arguments.run)
    if arguments.corpus is None:
        name, pairs = artifacts.TEST_PAIRS, artifacts.read_test_pairs(arguments.run)
    else:
        from seq2seq.corpora import load_corpus

        config = dataclasses.replace(
            translator.config, corpus=arguments.corpus, reverse=arguments.reverse,
            max_length=arguments.max_length, max_pairs=arguments.max_pairs,
            data_dir=arguments.data_dir, source_language=None, target_language=None,
        )  # fmt: skip
        corpus = load_corpus(config)
        name, pairs = f"{corpus.name} (test split)", corpus.test
    print(f"Translating {len(pairs):,} pairs of {name} (beam width {arguments.beam}).")
    metrics = evaluate(translator, pairs, arguments.beam, per_sentence=True)
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
    path = arguments.run / artifacts.METRICS
    recorded = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    recorded.setdefault("evaluations", {})[name] = metrics
    artifacts.write_json(path, recorded)
    print(f"\nAdded to {path} under evaluations / {name!r}, with per-sentence statistics.")


def _translate_and_draw(
    run: Path, sentences: Sequence[str], out: Path | None, beam_width: int = 1
) -> None:
    from seq2seq.inference import Translator

    translations = Translator.load(run).translate_batch(sentences, beam_width)
    for sentence, translation in zip(sentences, translations):
        text = translation.text or "(nothing: the model ended at once, so there is no picture)"
        print(f"  {sentence}\n  → {text}   (log-probability {translation.score:.2f})")
    if out is not None:
        from seq2seq.pictures import draw

        paths = draw(translations, out, sentences)
        print(f"\nPictures ({len(paths)} files):")
        print("\n".join(f"  {path}" for path in paths))


def read_sentences(path: Path) -> list[str]:
    """The non-blank lines of a UTF-8 text file."""
    from seq2seq.textfiles import numbered_lines

    expected = "a UTF-8 text file with one sentence per line"
    return [line.strip() for _, line in numbered_lines(path, expected)]


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def score_rows(metrics: dict) -> list[tuple[str, str]]:
    """Table rows of the translation scores in ``metrics``; AER where it was measured."""
    return [
        ("exact match", f"{metrics['exact_match']:.3f}"),
        ("BLEU", f"{metrics['bleu']:.1f}"),
        ("chrF", f"{metrics['chrf']:.1f}"),
        *([("AER", f"{metrics['aer']:.3f}")] if "aer" in metrics else []),
    ]


def format_table(rows: Sequence[tuple[str, str]]) -> str:
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"  {name:<{width}}  {value}" for name, value in rows)


def _run_reporting_errors(job) -> int:
    try:
        job()
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    return 0
