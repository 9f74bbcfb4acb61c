"""The spa preset beside the tutorial's design, each given the same minutes of training.

    python benchmarks/spa_budget.py --corpus tsv:../shared/data/spa-eng.tsv

Both models learn English→Spanish from the training split that
``train.py --preset spa`` makes of the corpus, and both are scored on its test
split (every reference of a repeated source used):

- **this project**: the ``spa`` preset's model, vocabularies and batches,
  trained for the preset's epochs;
- **the tutorial's design** (`benchmarks.tutorial_baseline`): its text
  standardization (accents stripped) and vocabularies of 5,000 tokens a side,
  256 units, Adam at Keras' default rate, shuffled batches of 64 padded to
  their longest sentence, trained until its clock reaches the project's.

The clock counts training only. A learning curve scores each model at points
of its clock: the project every half epoch (``--points-per-epoch``), the
baseline as soon as its clock passes the same minutes. The clock stops while a
point is scored: greedy decoding of every distinct test source, BLEU and chrF
(sacrebleu) after both sides' text is brought to the tutorial's form, so that
stripped accents cost the baseline nothing; the project's BLEU on its own
lowercased tokens (as ``train.py`` reports it) is given too, and at the budget
the scores of its beam search beside the greedy ones that the lead compares.
Last, training throughput side by side at the preset's vocabulary (both models
reading this project's ids, `benchmarks.throughput.side_by_side`).

Prints the curve and a summary table on stderr and one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import keras  # noqa: E402

from benchmarks.common import machine, print_table  # noqa: E402
from seq2seq.config import Config  # noqa: E402

BARS = {"bleu_lead": (">=", 5.0), "train_target_tokens_per_s_ratio": (">=", 2.0)}
BEAM_WIDTH = 4  # the project's beam search, scored once at the budget beside its greedy output
TUTORIAL = {"units": 256, "batch": 64, "vocabulary": 5000, "padding": "batch"}


class Curve(keras.callbacks.Callback):
    """Scores the model at points of its training clock, which stops while it scores.

    A point falls every ``every_steps`` steps (rounded, so a fraction of an
    epoch's steps ends on the epoch's last step), or as soon as the clock
    passes the next of ``marks`` (seconds); after the last mark, training stops.
    """

    def __init__(
        self,
        score: Callable[[], dict[str, float]],
        every_steps: float | None = None,
        marks: list[float] | None = None,
    ):
        super().__init__()
        self.score, self.every_steps, self.marks = score, every_steps, list(marks or [])
        self.points: list[dict[str, float]] = []
        self.seconds, self.steps = 0.0, 0
        self._next_point = every_steps

    def on_train_begin(self, logs=None):
        self._since = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.seconds += time.perf_counter() - self._since
        self.steps += 1
        if self.every_steps and self.steps >= round(self._next_point):
            self._next_point += self.every_steps
            self._add_point()
        elif self.marks and self.seconds >= self.marks[0]:
            self.marks = [mark for mark in self.marks if mark > self.seconds]
            self._add_point()
            self.model.stop_training = not self.marks
        self._since = time.perf_counter()

    def on_train_end(self, logs=None):
        if not self.points or self.points[-1]["steps"] != self.steps:
            self._add_point()

    def _add_point(self) -> None:
        point = {"minutes": self.seconds / 60, "steps": self.steps, **self.score()}
        self.points.append(point)
        _print_scores(point)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="anki:spa", metavar="SPEC")
    parser.add_argument("--epochs", type=int, help="the project's epochs (default: the preset's)")
    parser.add_argument("--max-pairs", type=int, help="read only this many pairs (a quick try)")
    parser.add_argument("--points-per-epoch", type=int, default=2)
    parser.add_argument("--throughput-steps", type=int, default=100, help="per round")
    parser.add_argument("--rounds", type=int, default=3, help="throughput rounds per model")
    arguments = parser.parse_args()

    from seq2seq import presets
    from seq2seq.corpora import load_corpus
    from seq2seq.evaluation import group_references

    values = {**presets.settings("spa"), "corpus": arguments.corpus}
    for name in ("epochs", "max_pairs"):
        if getattr(arguments, name) is not None:
            values[name] = getattr(arguments, name)
    config = Config(**values)
    keras.utils.set_random_seed(config.seed)
    corpus = load_corpus(config)
    sources, written = group_references(corpus.test, tokenized=False)
    print(
        f"{len(corpus.train):,} train pairs, {len(sources):,} distinct test sources",
        file=sys.stderr,
    )

    print("this project:", file=sys.stderr)
    project, beam, vectorizers = _train_project(config, corpus, sources, written, arguments)
    print("the tutorial's design:", file=sys.stderr)
    marks = [point["minutes"] * 60 for point in project]
    baseline = _train_baseline(config, corpus, sources, written, marks)

    from benchmarks.throughput import side_by_side

    speeds, ratios = side_by_side(
        config,
        corpus,
        vectorizers,
        ["project", "baseline"],
        sources[:1000],
        warmup=20,
        steps=arguments.throughput_steps,
        rounds=arguments.rounds,
        padding=TUTORIAL["padding"],
    )
    summary = {
        "budget_minutes": project[-1]["minutes"],
        "project_bleu": project[-1]["bleu"],
        "baseline_bleu": baseline[-1]["bleu"],
        "bleu_lead": project[-1]["bleu"] - baseline[-1]["bleu"],
        "project_chrf": project[-1]["chrf"],
        "baseline_chrf": baseline[-1]["chrf"],
        "project_bleu_own_tokens": project[-1]["bleu_own_tokens"],
        f"project_bleu_beam{BEAM_WIDTH}": beam["bleu"],
        f"project_chrf_beam{BEAM_WIDTH}": beam["chrf"],
        "project_train_target_tokens_per_s": speeds["project"]["train_target_tokens_per_s"],
        "baseline_train_target_tokens_per_s": speeds["baseline"]["train_target_tokens_per_s"],
        "train_target_tokens_per_s_ratio": ratios["train_target_tokens_per_s"],
    }
    # Decoding speed is left out: after only the timed steps the two models write
    # outputs of very different lengths (about 1 token against 5), which would set
    # it more than their decoders do. benchmarks/throughput.py reports it beside
    # the output lengths.
    with contextlib.redirect_stdout(sys.stderr):
        print(f"\n{arguments.corpus}, {len(corpus.train):,} train pairs, on {machine()}")
        print(f"\n{'minutes':>7} {'project BLEU':>12} {'tutorial BLEU':>13}")
        for mine, theirs in zip(project, baseline):
            print(f"{mine['minutes']:>7.1f} {mine['bleu']:>12.1f} {theirs['bleu']:>13.1f}")
        print()
        passed = print_table(summary, BARS)
    report = {
        **summary,
        "curve": {"project": project, "baseline": baseline},
        "throughput": speeds,
        "setup": {
            "corpus": arguments.corpus,
            "train_pairs": len(corpus.train),
            "test_sources": len(sources),
            "project": config.to_dict(),
            "tutorial": TUTORIAL,
            "machine": machine(),
        },
    }
    print(json.dumps(report))
    return 0 if passed else 1


def _print_scores(scores: dict[str, float], prefix: str = "") -> None:
    print(
        prefix + "  ".join(f"{name} {value:.4g}" for name, value in scores.items()),
        file=sys.stderr,
        flush=True,
    )


def _scorer(
    translate: Callable[[list[str]], list[list[str]]],
    sources: list[str],
    written: list[list[str]],
    own_tokens: bool,
) -> Callable[[], dict[str, float]]:
    """Scores of the translations of ``sources`` in the tutorial's text form (and, with
    ``own_tokens``, BLEU on this project's tokens)."""
    from benchmarks.tutorial_baseline import tutorial_standardize
    from seq2seq.evaluation import bleu, chrf
    from seq2seq.text import tokenize

    references = [[tutorial_standardize(t).split() for t in accepted] for accepted in written]
    own_references = [[tokenize(t) for t in accepted] for accepted in written]

    def score() -> dict[str, float]:
        hypotheses = translate(sources)
        common = [tutorial_standardize(" ".join(tokens)).split() for tokens in hypotheses]
        scores = {"bleu": bleu(common, references), "chrf": chrf(common, references)}
        if own_tokens:
            scores["bleu_own_tokens"] = bleu(hypotheses, own_references)
        return scores

    return score


def _train_project(config, corpus, sources, written, arguments):
    from seq2seq.inference import Translator
    from seq2seq.pipeline import make_dataset
    from seq2seq.training import build_model, build_vectorizers

    vectorizers = build_vectorizers(corpus, config.max_vocabulary)
    batches = make_dataset(corpus.train, vectorizers, config.batch_size, True, config.seed)
    steps = int(batches.cardinality())
    model = build_model(config, vectorizers, steps)
    translator = Translator(model, vectorizers, config)

    def translate(texts, beam_width=1):
        return [
            translation.target_tokens
            for translation in translator.translate_batch(texts, beam_width)
        ]

    curve = Curve(
        _scorer(translate, sources, written, own_tokens=True),
        every_steps=max(1.0, steps / arguments.points_per_epoch),
    )
    model.fit(
        batches,
        epochs=config.epochs,
        steps_per_epoch=steps,
        callbacks=[curve],
        shuffle=False,
        verbose=0,
    )
    beam = _scorer(lambda texts: translate(texts, BEAM_WIDTH), sources, written, own_tokens=False)()
    _print_scores(beam, f"  beam of {BEAM_WIDTH}: ")
    return curve.points, beam, vectorizers


def _train_baseline(config, corpus, sources, written, marks):
    from benchmarks.tutorial_baseline import (
        TUTORIAL_TEXT,
        build_baseline,
        make_baseline_dataset,
        tutorial_vectorizers,
    )
    from seq2seq.inference import BATCH_SIZE

    vectorizers = tutorial_vectorizers(corpus.train, TUTORIAL["vocabulary"])
    batches = make_baseline_dataset(
        corpus.train,
        vectorizers,
        TUTORIAL["batch"],
        TUTORIAL["padding"],
        config.seed,
        TUTORIAL_TEXT,
    )
    steps = int(batches.cardinality())
    model = build_baseline(vectorizers, TUTORIAL["units"], TUTORIAL_TEXT)

    def translate(texts):
        return [
            line.split()
            for begin in range(0, len(texts), BATCH_SIZE)
            for line in model.translate(texts[begin : begin + BATCH_SIZE])
        ]

    curve = Curve(_scorer(translate, sources, written, own_tokens=False), marks=marks)
    # Epochs enough to outlast any budget; the curve stops training at its last mark.
    model.fit(
        batches.repeat(),
        epochs=10_000,
        steps_per_epoch=steps,
        callbacks=[curve],
        shuffle=False,
        verbose=0,
    )
    return curve.points


if __name__ == "__main__":
    sys.exit(main())
