"""Training and greedy-decoding throughput of this project's model beside the tutorial's design.

    python benchmarks/throughput.py --corpus tsv:../shared/data/tatoeba-eng-fra-5k.tsv \\
        --units 256 --batch 64 --steps 150 --translate 1000

Both models read the same ids (this project's vocabularies) with the same
units and batch size, in one process. Each trains with ``fit`` on its own
input pipeline for ``--warmup`` steps (tracing and compiling) and then for
``--steps`` timed steps; ``train_target_tokens_per_s`` counts the real target
tokens of the timed batches only, not padding. Each then translates
``--translate`` held-out sources greedily, once untimed on a few sentences
and then timed: this project with `seq2seq.inference.Translator.translate_batch`
(a compiled loop per batch), the baseline with the tutorial's Python loop
(`benchmarks.tutorial_baseline`), in batches of the same size.

Prints a table on stderr and one JSON object on stdout, on one line: the
first model's measures at the top level (``"model": "project"``, with
``train_target_tokens_per_s`` and ``greedy_sentences_per_s`` among them), then
``"baseline": {...}`` with the same measures of the tutorial's design,
``"ratios": {...}`` (project over baseline, the median of the rounds' ratios)
and ``"setup": {...}``. ``--model`` times one of the two alone.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keras  # noqa: E402
import numpy as np  # noqa: E402

from benchmarks.common import machine, print_table  # noqa: E402
from seq2seq.config import Config  # noqa: E402

MEASURES = ("train_target_tokens_per_s", "greedy_sentences_per_s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus",
        default="embedded",
        metavar="SPEC",
        help="embedded, tsv:PATH, tfds:NAME or anki:LANGUAGE (default: embedded)",
    )
    parser.add_argument("--units", type=int, default=256)
    parser.add_argument("--batch", type=int, default=64, help="sentence pairs per batch")
    parser.add_argument("--steps", type=int, default=150, help="timed training steps per round")
    parser.add_argument("--warmup", type=int, default=20, help="untimed training steps first")
    parser.add_argument("--translate", type=int, default=1000, help="sentences to translate")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="timed rounds per model, alternating between the models (default: 3)",
    )
    parser.add_argument("--model", choices=("both", "project", "baseline"), default="both")
    parser.add_argument(
        "--baseline-padding",
        choices=("corpus", "batch"),
        default="corpus",
        help="pad the baseline's batches to the corpus' longest sentence or to each batch's "
        "own (default: corpus)",
    )
    parser.add_argument(
        "--corpus-size", type=int, default=Config.corpus_size, help="pairs of the embedded corpus"
    )
    parser.add_argument(
        "--embedding-dim",
        type=int,
        default=Config.embedding_dim,
        help="this project's embedding size (the baseline's is --units)",
    )
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    if min(arguments.warmup, arguments.steps, arguments.translate, arguments.rounds) < 1:
        parser.error("--warmup, --steps, --translate and --rounds must be at least 1")

    from seq2seq.corpora import load_corpus
    from seq2seq.training import build_vectorizers

    config = Config(
        corpus=arguments.corpus,
        corpus_size=arguments.corpus_size,
        units=arguments.units,
        embedding_dim=arguments.embedding_dim,
        batch_size=arguments.batch,
        seed=arguments.seed,
    )
    keras.utils.set_random_seed(config.seed)
    corpus = load_corpus(config)
    vectorizers = build_vectorizers(corpus, config.max_vocabulary)
    held_out = [pair.source for pair in corpus.test or corpus.train]
    sentences = [held_out[i % len(held_out)] for i in range(arguments.translate)]

    names = ["project", "baseline"] if arguments.model == "both" else [arguments.model]
    results, ratios = side_by_side(
        config,
        corpus,
        vectorizers,
        names,
        sentences,
        warmup=arguments.warmup,
        steps=arguments.steps,
        rounds=arguments.rounds,
        padding=arguments.baseline_padding,
    )
    first, *others = names
    report = {
        "model": first,
        **results[first],
        **{name: results[name] for name in others},
        "setup": {
            "corpus": arguments.corpus,
            "train_pairs": len(corpus.train),
            "units": config.units,
            "batch": config.batch_size,
            "warmup_steps": arguments.warmup,
            "timed_steps": arguments.steps,
            "rounds": arguments.rounds,
            "translated": len(sentences),
            "baseline_padding": arguments.baseline_padding,
            "machine": machine(),
        },
    }
    if ratios:
        report["ratios"] = ratios
    with contextlib.redirect_stdout(sys.stderr):
        print(
            f"\n{arguments.corpus}, {config.units} units, batch {config.batch_size}, "
            f"median of {arguments.rounds} rounds, on {machine()}"
        )
        for name, measures in results.items():
            print(f"\n{name}")
            print_table({measure: measures[measure] for measure in _TABLE}, {})
        if ratios:
            print("\nproject / baseline")
            print_table(ratios, {})
    print(json.dumps(report))
    return 0


def side_by_side(
    config: Config,
    corpus,
    vectorizers,
    names: list[str],
    sentences: list[str],
    *,
    warmup: int,
    steps: int,
    rounds: int,
    padding: str,
) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """Each model's medians over ``rounds`` rounds, and the project-over-baseline ratios
    (the median of the rounds' ratios; empty unless both models ran)."""
    build = {"project": _project, "baseline": _baseline}
    models = {name: build[name](config, corpus, vectorizers, padding) for name in names}
    # Rounds alternate between the models, so a burst of other work on the
    # machine slows both rather than one; each measure is the median of its rounds.
    for trainer in models.values():
        trainer.warm_up(warmup, sentences)
    measured: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    for _ in range(rounds):
        for name, trainer in models.items():
            measured[name].append(trainer.time_training(steps))
    for index in range(rounds):
        for name, trainer in models.items():
            measured[name][index].update(trainer.time_translation(sentences))
    results = {name: _medians(rounds_of) for name, rounds_of in measured.items()}
    if len(results) < 2:
        return results, {}
    ratios = {
        name: statistics.median(
            project[name] / baseline[name]
            for project, baseline in zip(measured["project"], measured["baseline"])
        )
        for name in MEASURES
    }
    return results, ratios


_TABLE = (
    "train_target_tokens_per_s",
    "train_steps_per_s",
    "train_padding_share",
    "greedy_sentences_per_s",
    "greedy_mean_length",
)


def _medians(rounds: list[dict[str, float]]) -> dict[str, float]:
    return {name: statistics.median(measured[name] for measured in rounds) for name in rounds[0]}


class _Trainer:
    """One model, the pipeline that feeds it and the way it translates."""

    def __init__(self, model, make_batches, translate):
        self.model, self.make_batches, self.translate = model, make_batches, translate
        self.timed_tokens: dict[int, tuple[int, int]] = {}

    def warm_up(self, steps: int, sentences: list[str]) -> None:
        """Trace training (every batch shape of ``steps`` batches) and decoding."""
        self.model.fit(
            self.make_batches().repeat(),
            steps_per_epoch=steps,
            epochs=1,
            verbose=0,
            shuffle=False,
        )
        self.translate(sentences)

    def time_training(self, steps: int) -> dict[str, float]:
        """Fit ``steps + 1`` batches of a fresh pipeline; time the last ``steps``.

        The first step waits for the pipeline to fill, so it is left out.
        ``make_batches()`` builds the same seeded pipeline every call, so a
        copy read apart from training tells which batches the timed steps saw.
        """
        if steps not in self.timed_tokens:
            real = padded = 0
            for _, target_out in self.make_batches().repeat().skip(1).take(steps):
                real += int(np.count_nonzero(target_out))
                padded += int(np.size(target_out))
            self.timed_tokens[steps] = real, padded
        real, padded = self.timed_tokens[steps]
        stopwatch = _Stopwatch()
        self.model.fit(
            self.make_batches().repeat(),
            steps_per_epoch=steps + 1,
            epochs=1,
            verbose=0,
            shuffle=False,
            callbacks=[stopwatch],
        )
        seconds = stopwatch.stopped - stopwatch.started
        return {
            "train_seconds": seconds,
            "train_target_tokens": real,
            "train_target_tokens_per_s": real / seconds,
            "train_steps_per_s": steps / seconds,
            "train_padding_share": 1 - real / padded,
        }

    def time_translation(self, sentences: list[str]) -> dict[str, float]:
        started = time.perf_counter()
        outputs = self.translate(sentences)
        seconds = time.perf_counter() - started
        return {
            "greedy_seconds": seconds,
            "greedy_sentences_per_s": len(sentences) / seconds,
            "greedy_mean_length": sum(map(len, outputs)) / len(outputs),
        }


class _Stopwatch(keras.callbacks.Callback):
    """Times from the end of the first training step to the end of the last."""

    def on_train_batch_end(self, batch, logs=None):
        if batch == 0:
            self.started = time.perf_counter()
        self.stopped = time.perf_counter()


def _project(config, corpus, vectorizers, padding) -> _Trainer:
    from seq2seq.inference import Translator
    from seq2seq.pipeline import make_dataset
    from seq2seq.training import build_model

    def make_batches():
        return make_dataset(corpus.train, vectorizers, config.batch_size, True, config.seed)

    model = build_model(config, vectorizers, int(make_batches().cardinality()))
    translator = Translator(model, vectorizers, config)

    def translate(sentences):
        return [t.target_tokens for t in translator.translate_batch(sentences)]

    return _Trainer(model, make_batches, translate)


def _baseline(config, corpus, vectorizers, padding) -> _Trainer:
    from benchmarks.tutorial_baseline import build_baseline, make_baseline_dataset
    from seq2seq.inference import BATCH_SIZE

    def make_batches():
        return make_baseline_dataset(
            corpus.train, vectorizers, config.batch_size, padding, config.seed
        )

    model = build_baseline(vectorizers, config.units)

    def translate(sentences):
        # Batches of the size this project's Translator uses, in the order given.
        return [
            text.split()
            for begin in range(0, len(sentences), BATCH_SIZE)
            for text in model.translate(sentences[begin : begin + BATCH_SIZE])
        ]

    return _Trainer(model, make_batches, translate)


if __name__ == "__main__":
    sys.exit(main())
