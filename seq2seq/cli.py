"""Command lines: ``python train.py`` and ``python -m seq2seq``.

User mistakes surface as `UserError`: one line on stderr, exit status 2.
"""

from __future__ import annotations

import argparse
import atexit
import dataclasses
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from seq2seq import presets
from seq2seq.config import STRATEGIES, Config
from seq2seq.errors import UserError

if TYPE_CHECKING:
    from seq2seq.translation import Translation

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130  # the shell's code for a process stopped by Ctrl-C


def train_parser(defaults: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="train.py",
        description="Train the encoder-decoder with attention and write a run directory.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="run directory to write (default: runs/NAME of --preset, so runs/reference)",
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace whatever --out holds, even a different run",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="go on from the last whole epoch of the unfinished run in --out, "
        "with the configuration saved there",
    )
    parser.add_argument(
        "--strategy",
        choices=STRATEGIES,
        default="default",
        help="tf.distribute strategy: default (one device), mirrored (every GPU "
        "of this machine), multiworker (machines named by TF_CONFIG) "
        "(default: default)",
    )
    parser.add_argument(
        "--no-pictures",
        action="store_true",
        help="skip drawing held-out sentences and the attention over training at the end",
    )
    parser.add_argument(
        "--preset", default=presets.DEFAULT, metavar="NAME", help=presets.describe()
    )
    Config.add_arguments(parser, defaults)
    return parser


def train_main(argv: Sequence[str] | None = None) -> int:
    arguments = train_parser().parse_args(argv)
    given = presets.given_settings(train_parser(defaults=False), argv)
    return _run_reporting_errors(lambda: _train(arguments, given))


def _train(arguments: argparse.Namespace, given: set[str]) -> None:
    config = presets.configure(arguments, given)
    arguments.out = arguments.out or Path("runs", arguments.preset)
    started = time.perf_counter()
    from seq2seq import artifacts
    from seq2seq.training import train

    if arguments.resume and arguments.overwrite:
        raise UserError("--resume goes on with a run and --overwrite replaces it; choose one.")
    metrics = train(
        config,
        arguments.out,
        overwrite=arguments.overwrite,
        resume=arguments.resume,
        strategy=arguments.strategy,
    )
    if metrics is None:  # stopped by Ctrl-C, after saving
        raise SystemExit(EXIT_INTERRUPTED)
    rows = [
        *score_rows(metrics),
        ("epochs", str(metrics["epochs"])),
        ("train time", f"{metrics['train_seconds']:.0f} s"),
        ("total time", f"{time.perf_counter() - started:.0f} s"),
    ]
    print(f"\nTest split ({metrics['pairs']:,} pairs):")
    print(format_table(rows))
    print(f"\nRun directory: {arguments.out}")
    if arguments.no_pictures:
        return

    from seq2seq import pictures
    from seq2seq.corpora.pairs import spread_by_length

    samples = [pair.source for pair in spread_by_length(artifacts.read_test_pairs(arguments.out))]
    print(f"\nThe attention behind {len(samples)} held-out sentences:")
    folder = arguments.out / artifacts.PICTURES
    translations = _translate_and_print(arguments.out, samples)
    # Both sets in one go, so they share the worker processes that draw them.
    drawn = pictures.translation_pictures(translations, folder, samples)
    forming = pictures.training_pictures(artifacts.read_snapshots(arguments.out), folder)
    pictures.draw_all(drawn + forming, workers=pictures.cores())
    note = pictures.no_attention_note(translations)
    if note:
        print(f"\n{note}")
        return
    _print_paths("Pictures", [picture.path for picture in drawn])
    _print_paths("The attention forming over training", [picture.path for picture in forming])


# --- python -m seq2seq ---------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m seq2seq COMMAND``: translate, evaluate, compare, report or export runs."""
    parser = argparse.ArgumentParser(
        prog="python -m seq2seq",
        description="Translate with a trained run and draw where its attention looked.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    builders = (_add_translate, _add_evaluate, _add_compare, _add_report, _add_export, _add_serve)
    for add_command in builders:
        add_command(commands)
    arguments = parser.parse_args(argv)
    return _run_reporting_errors(lambda: arguments.job(arguments))


def _add_translate(commands) -> None:
    translate = commands.add_parser(
        "translate",
        help="translate sentences and draw their attention",
        description="Translate sentences with a trained run; write a heatmap, an animation, "
        "bar charts and an interactive page per sentence.",
    )
    _add_sentence_arguments(translate)
    translate.add_argument(
        "--out", type=Path, help="folder for the pictures (default: RUN/translations)"
    )
    translate.add_argument("--no-pictures", action="store_true", help="print the translations only")
    _add_run_argument(translate)
    _add_beam_argument(translate)
    translate.add_argument(
        "--n-best",
        type=_positive_int,
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
    translate.set_defaults(job=_translate)


def _add_evaluate(commands) -> None:
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
    evaluate.add_argument(
        "--by-length",
        action="store_true",
        help="score each run's held-out pairs by source length: BLEU, chrF and exact match "
        "per bucket of --bucket-width tokens, as a table, in RUN/metrics.json under "
        "'by_length' and as a picture, one line per run (Bahdanau et al., 2015, Figure 2)",
    )
    evaluate.add_argument(
        "--bucket-width",
        type=_positive_int,
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
    _add_runs_argument(evaluate, "give --run again, with --by-length, to score runs side by side")
    _add_beam_argument(evaluate)
    evaluate.set_defaults(job=_evaluate)


def _add_compare(commands) -> None:
    compare = commands.add_parser(
        "compare",
        help="draw the attention of two or more runs side by side",
        description="Translate the same sentences with several runs (for example additive "
        "and dot-product attention) and draw their heatmaps side by side, one picture per "
        "sentence.",
    )
    _add_sentence_arguments(compare)
    _add_runs_argument(compare, "give --run once per run to compare (at least two)")
    compare.add_argument(
        "--label",
        action="append",
        dest="labels",
        metavar="TEXT",
        help="a panel title per --run, in the same order (default: each run's attention score)",
    )
    compare.add_argument("--out", type=Path, required=True, help="folder for the pictures")
    _add_beam_argument(compare)
    compare.set_defaults(job=_compare)


def _add_report(commands) -> None:
    report = commands.add_parser(
        "report",
        help="write a printable HTML report of a run on some sentences",
        description="Translate sentences with a run and write one self-contained HTML file: "
        "each sentence's translation, heatmap and bars, then the run's scores, attention "
        "statistics and configuration. It opens offline and prints.",
    )
    _add_sentence_arguments(report)
    report.add_argument("--out", type=Path, required=True, help="folder to write report.html to")
    report.add_argument("--title", help="the report's title (default: the run's name)")
    _add_run_argument(report)
    _add_beam_argument(report)
    report.set_defaults(job=_report)


def _add_export(commands) -> None:
    export = commands.add_parser(
        "export",
        help="write a run as a TensorFlow SavedModel for serving",
        description="Write a run as a TensorFlow SavedModel whose serving_default signature "
        "translates a batch of sentences greedily and returns the translations with their "
        "attention; it needs TensorFlow alone, not this package.",
    )
    _add_run_argument(export)
    export.add_argument("--out", type=Path, required=True, help="folder to write the SavedModel to")
    export.add_argument(
        "--overwrite", action="store_true", help="replace what --out holds, if anything"
    )
    export.set_defaults(job=_export)


def _add_serve(commands) -> None:
    from seq2seq.lab.server import DEFAULT_HOST, DEFAULT_PORT

    serve = commands.add_parser(
        "serve",
        help="serve the lab: a page where you type sentences and see their attention",
        description="Load each run once and serve the lab: a page that translates as you "
        "type and draws the attention, step by step, with the beam's best hypotheses, and "
        "its JSON API (described at /docs). Serves until Ctrl-C.",
    )
    _add_runs_argument(serve, "give --run again to serve more runs")
    serve.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default: {DEFAULT_HOST}, this computer only; "
        "0.0.0.0 lets anyone on the network in)",
    )
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT})"
    )
    serve.set_defaults(job=_serve)


def _add_sentence_arguments(parser: argparse.ArgumentParser) -> None:
    """The sentences to work on: as arguments, and the lines of ``--file``."""
    parser.add_argument(
        "sentences", nargs="*", metavar="SENTENCE", help="sentences to translate (quote each one)"
    )
    parser.add_argument("--file", type=Path, help="also translate this file's lines (UTF-8)")


def _add_run_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--run", type=Path, required=True, help="run directory written by train.py")


def _add_runs_argument(parser: argparse.ArgumentParser, how_many: str) -> None:
    """``--run`` given once per run, gathered in ``runs``."""
    parser.add_argument(
        "--run",
        type=Path,
        action="append",
        required=True,
        dest="runs",
        metavar="RUN",
        help=f"a run directory written by train.py; {how_many}",
    )


def _add_beam_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--beam",
        type=_positive_int,
        default=1,
        metavar="N",
        help="beam width; 1 decodes greedily (default: 1)",
    )


def _translate(arguments: argparse.Namespace) -> None:
    sentences = _sentences(arguments)
    if arguments.n_best > arguments.beam:
        raise UserError(
            f"--n-best {arguments.n_best} asks for more hypotheses than --beam {arguments.beam} "
            f"keeps; give --beam {arguments.n_best} or wider."
        )
    if arguments.save_records is not None and arguments.save_records.is_dir():
        raise UserError(f"--save-records {arguments.save_records} is a folder; name a file.")
    out = None if arguments.no_pictures else arguments.out or arguments.run / "translations"
    if out is not None:
        _check_folder(out)
    translations = _translate_and_draw(
        arguments.run, sentences, out, arguments.beam, arguments.n_best
    )
    if arguments.save_records is not None:
        _save_records(arguments, sentences, translations)


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


def _evaluate(arguments: argparse.Namespace) -> None:
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
    recorded = _read_metrics(path)
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
    metrics = evaluate(translator, pairs, arguments.beam, per_sentence=True)
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


def _export(arguments: argparse.Namespace) -> None:
    from seq2seq.export import SIGNATURE, export

    out = export(arguments.run, arguments.out, overwrite=arguments.overwrite)
    print(f"SavedModel written to {out} (signature {SIGNATURE}: sentences → translations).")


def _serve(arguments: argparse.Namespace) -> None:
    from seq2seq.lab.server import serve

    serve(arguments.runs, arguments.host, arguments.port)


def _compare(arguments: argparse.Namespace) -> None:
    from seq2seq.inference import Translator
    from seq2seq.pictures import draw_comparison, slug

    sentences = _sentences(arguments)
    _check_folder(arguments.out)
    if len(arguments.runs) < 2:
        raise UserError("Give --run at least twice: compare needs two runs or more.")
    if arguments.labels is not None and len(arguments.labels) != len(arguments.runs):
        raise UserError(
            f"There are {len(arguments.labels)} --label(s) for {len(arguments.runs)} --run(s); "
            "give one label per run, or none."
        )
    translators = [Translator.load(run) for run in arguments.runs]
    labels = arguments.labels or _labels(arguments.runs, translators)
    translations = [t.translate_batch(sentences, arguments.beam) for t in translators]
    paths = []
    for number, (sentence, *per_run) in enumerate(zip(sentences, *translations), start=1):
        print(f"  {sentence}")
        for label, translation in zip(labels, per_run):
            print(f"  {label:>{max(map(len, labels))}} → {translation.sentence}")
        if any(not translation.target_tokens for translation in per_run):
            print("  (a run ended at once, so there is no picture)")
            continue
        path = arguments.out / f"{number:02d}-{slug(sentence)}.compare.png"
        arguments.out.mkdir(parents=True, exist_ok=True)
        paths.append(draw_comparison(per_run, labels, path))
    _print_paths("Pictures", paths)


def _labels(runs: Sequence[Path], translators) -> list[str]:
    """Each run's attention score, or its folder name where two runs share a score."""
    scores = [translator.config.attention for translator in translators]
    if len(set(scores)) == len(scores):
        return scores
    return [run.name for run in runs]


def _report(arguments: argparse.Namespace) -> None:
    import viz
    from seq2seq import artifacts
    from seq2seq.inference import Translator

    sentences = _sentences(arguments)
    _check_folder(arguments.out)
    metrics = _read_metrics(arguments.run / artifacts.METRICS)
    metrics = {name: value for name, value in metrics.items() if name != "evaluations"}
    translator = Translator.load(arguments.run)
    translations = translator.translate_batch(sentences, arguments.beam)
    path = viz.write_report(
        list(zip(sentences, translations)),
        path=arguments.out / "report.html",
        title=arguments.title or f"Attention report: {arguments.run.name}",
        metrics=metrics,
        config=translator.config.to_dict() if translator.config else None,
    )
    print(f"Report on {len(sentences)} sentence(s) written to {path}")


def _check_folder(out: Path) -> None:
    """Refuse an ``--out`` that cannot hold files, before any work is done."""
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} is a file, not a folder; choose a folder to write into.")


def _read_metrics(path: Path) -> dict:
    """``metrics.json`` of a run, empty where there is none; `UserError` if it is damaged."""
    from seq2seq import artifacts

    metrics = artifacts.read_json(path)
    if metrics is None:
        return {}
    if not isinstance(metrics, dict):
        raise UserError(f"{path} must hold a JSON object of scores; fix or delete it.")
    return metrics


def _sentences(arguments: argparse.Namespace) -> list[str]:
    """The sentences given as arguments, then those of ``--file``."""
    sentences = list(arguments.sentences)
    if arguments.file is not None:
        sentences += read_sentences(arguments.file)
    if not sentences:
        raise UserError("Nothing to translate; give sentences as arguments or --file FILE.")
    return sentences


def _translate_and_draw(
    run: Path, sentences: Sequence[str], out: Path | None, beam_width: int = 1, n_best: int = 1
) -> list[Translation]:
    translations = _translate_and_print(run, sentences, beam_width, n_best)
    if out is not None:
        from seq2seq.pictures import cores, draw, no_attention_note

        note = no_attention_note(translations)
        if note:
            print(f"\n{note}")
            return translations
        _print_paths("Pictures", draw(translations, out, sentences, workers=cores()))
    return translations


def _translate_and_print(
    run: Path, sentences: Sequence[str], beam_width: int = 1, n_best: int = 1
) -> list[Translation]:
    from seq2seq.inference import Translator
    from seq2seq.text import UNK

    translations = Translator.load(run).translate_batch(sentences, beam_width, n_best)
    for sentence, translation in zip(sentences, translations):
        text = translation.sentence or "(nothing: the model ended at once, so there is no picture)"
        print(f"  {sentence}\n  → {text}   (log-probability {translation.score:.2f})")
        if UNK in translation.source_tokens:
            print(f"    read as: {' '.join(translation.source_tokens)}   ({UNK}: an unknown word)")
        for rank, hypothesis in enumerate(translation.hypotheses, start=1):
            print(f"    {rank}. {hypothesis.text or '(nothing)'}   ({hypothesis.score:.2f})")
    return translations


def _print_paths(heading: str, paths: Sequence[Path]) -> None:
    print(f"\n{heading} ({len(paths)} files):")
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
        *_as_written_rows(metrics),
    ]


def _as_written_rows(metrics: dict) -> list[tuple[str, str]]:
    """Scores of the cased, detokenized sentences, and the share of unknown source words."""
    if "bleu_as_written" not in metrics:  # scored before they were measured
        return []
    return [
        (
            "BLEU, chrF as written",
            f"{metrics['bleu_as_written']:.1f}, {metrics['chrf_as_written']:.1f}",
        ),
        ("source words [UNK]", f"{metrics['source_unk_share']:.1%}"),
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
        return EXIT_INTERRUPTED
    return 0


def exit_now(code: int) -> None:
    """End a finished command at once: exit handlers run, output is flushed, nothing else.

    TensorFlow's teardown when the interpreter exits takes about a second and
    does nothing a finished command needs (every file it wrote is closed and
    renamed into place), so the command-line entry points skip it.
    """
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
