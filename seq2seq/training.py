"""Train a `Seq2Seq` with ``fit`` and write its run directory."""

from __future__ import annotations

import math
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import keras
import tensorflow as tf

from seq2seq import artifacts
from seq2seq.callbacks import (
    AttentionSnapshots,
    KeepBest,
    ResumePoint,
    StopOnInterrupt,
    TimeBudget,
)
from seq2seq.config import Config
from seq2seq.corpora import Corpus, load_corpus
from seq2seq.corpora.pairs import spread_by_length
from seq2seq.distribution import distribute, fitting, make_strategy, writes_run_directory
from seq2seq.evaluation import evaluate
from seq2seq.inference import Translator
from seq2seq.model import Seq2Seq, masked_accuracy
from seq2seq.pipeline import Vectorizers, make_dataset
from seq2seq.text import PAD_ID, build_vectorizer, normalize, with_markers

# The learning rate decays to this share of its peak by the end of training.
DECAY_TO = 0.05


def build_vectorizers(corpus: Corpus, max_words: int | None = None) -> Vectorizers:
    """Vocabularies of the training pairs, each capped at ``max_words`` tokens if given."""
    return Vectorizers(
        build_vectorizer((normalize(pair.source) for pair in corpus.train), max_words=max_words),
        build_vectorizer(
            (with_markers(normalize(pair.target)) for pair in corpus.train), max_words=max_words
        ),
    )


def build_model(config: Config, vectorizers: Vectorizers, steps_per_epoch: int) -> Seq2Seq:
    model = Seq2Seq.from_config_and_vocabularies(
        config, vectorizers.source.vocabulary_size(), vectorizers.target.vocabulary_size()
    )
    # A cosine decay to a twentieth of the rate settles the weights in few epochs
    # instead of letting a constant rate knock them about at the end. On large
    # corpora a warmup first keeps the early steps from stalling the decoder.
    # Under a time budget, `TimeBudget` sets the rate before each step instead.
    warmup_steps = round(config.warmup_epochs * steps_per_epoch)
    learning_rate = config.learning_rate
    if config.time_budget is None:
        learning_rate = keras.optimizers.schedules.CosineDecay(
            0.0 if warmup_steps else config.learning_rate,
            decay_steps=config.epochs * steps_per_epoch - warmup_steps,
            alpha=DECAY_TO,
            warmup_target=config.learning_rate if warmup_steps else None,
            warmup_steps=warmup_steps,
        )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0),
        # Keras averages a masked loss over the unmasked entries, so ignoring the
        # padding class gives the mean cross-entropy over real target tokens.
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=PAD_ID),
        metrics=[masked_accuracy],
    )
    return model


class TrainingCallbacks(NamedTuple):
    """The callbacks of one ``fit``, by name; `as_list` gives them in the order they run.

    A model without attention has no snapshots to take, and a run without a time
    budget no `TimeBudget`: those are None.
    """

    snapshots: AttentionSnapshots | None
    keep_best: KeepBest
    resume_point: ResumePoint
    stop_on_interrupt: StopOnInterrupt
    time_budget: TimeBudget | None

    def as_list(self) -> list[keras.callbacks.Callback]:
        return [callback for callback in self if callback is not None]


def train(
    config: Config,
    out: Path,
    overwrite: bool = False,
    log: Callable[[str], None] = print,
    *,
    resume: bool = False,
    strategy: str = "default",
) -> dict[str, float] | None:
    """Train on ``config.corpus``, write the run directory ``out``, return its metrics.

    With ``resume``, go on from the last whole epoch of the unfinished run in
    ``out``, with the configuration saved there (``config`` is then ignored).
    Returns None when Ctrl-C stopped training early: the best model so far and
    the resume point stay in ``out``.
    """
    # Another worker neither makes nor checks ``out``: the chief alone keeps the files.
    writes = writes_run_directory(strategy)
    config, state, replacing = _start(config, out, overwrite, resume, log, writes)
    make_repeatable(config.seed)
    distribution = make_strategy(strategy)
    if not writes:  # another worker: same work, but the chief alone keeps the files
        out = Path(tempfile.mkdtemp(prefix="seq2seq-worker-"))

    corpus = load_corpus(config)
    if replacing:
        artifacts.clear_run(out)
        log(replacing)
    vectorizers = build_vectorizers(corpus, config.max_vocabulary)
    log(_corpus_summary(corpus, vectorizers))
    _write_inputs(out, config, corpus, vectorizers)
    train_batches, validation_batches = _batches(corpus, vectorizers, config, state, distribution)
    steps_per_epoch = int(train_batches.cardinality())
    with distribution.scope():
        if resume:
            model = keras.saving.load_model(out / artifacts.RESUME / state["model"], safe_mode=True)
        else:
            model = build_model(config, vectorizers, steps_per_epoch)
    callbacks = _callbacks(out, config, corpus, vectorizers, state, steps_per_epoch)
    log(_model_summary(config, distribution.num_replicas_in_sync))
    with fitting(model, distribution, validation_batches):
        model.fit(
            train_batches,
            validation_data=validation_batches,
            epochs=config.epochs,
            initial_epoch=state.get("epoch", 0),
            steps_per_epoch=steps_per_epoch,
            callbacks=callbacks.as_list(),
            shuffle=False,
            verbose=1 if sys.stdout.isatty() else 2,
        )
    if callbacks.stop_on_interrupt.interrupted:
        log(_interrupted_message(out, state.get("epoch", 0)))
        return None
    metrics = _finish(model, out, config, corpus, vectorizers, state, log)
    metrics["train_seconds"] = round(callbacks.resume_point.seconds, 1)
    artifacts.write_json(out / artifacts.METRICS, metrics)
    shutil.rmtree(out / artifacts.RESUME, ignore_errors=True)  # finished: it has served
    if not writes:
        shutil.rmtree(out, ignore_errors=True)
    return metrics


def _start(
    config: Config,
    out: Path,
    overwrite: bool,
    resume: bool,
    log: Callable[[str], None],
    writes: bool,
) -> tuple[Config, dict, str | None]:
    """The configuration, the resume state (empty for a new run) and what replacing ``out``
    will say, if it replaces a finished run (and this process ``writes`` it)."""
    if not resume:
        replacing = artifacts.prepare_run_directory(out, config, overwrite) if writes else None
        return config, {}, replacing
    config, state = artifacts.resume_state(out)
    log(f"Resuming {out} after epoch {state['epoch']} of {config.epochs}.")
    return config, state, None


def _corpus_summary(corpus: Corpus, vectorizers: Vectorizers) -> str:
    return (
        f"Corpus {corpus.name}: {len(corpus.train):,} train, {len(corpus.validation):,} "
        f"validation, {len(corpus.test):,} test pairs; vocabularies of "
        f"{vectorizers.source.vocabulary_size()} source and "
        f"{vectorizers.target.vocabulary_size()} target tokens."
    )


def _model_summary(config: Config, replicas: int) -> str:
    where = f" on {replicas} replicas." if replicas > 1 else "."
    attention = (
        "without attention" if config.attention == "none" else f"with {config.attention} attention"
    )
    budget = "" if config.time_budget is None else f" or {config.time_budget:g} s"
    return (
        f"Training a {config.encoder.upper()} encoder and GRU decoder {attention}, "
        f"{config.units} units, for up to {config.epochs} epochs{budget}{where}"
    )


def _write_inputs(out: Path, config: Config, corpus: Corpus, vectorizers: Vectorizers) -> None:
    """What translating needs besides the model: written before the first epoch, so the
    run can translate as soon as one epoch is saved."""
    artifacts.write_json(out / artifacts.CONFIG, config.to_dict())
    artifacts.write_vocabulary(
        out / artifacts.SOURCE_VOCABULARY, vectorizers.source.get_vocabulary()
    )
    artifacts.write_vocabulary(
        out / artifacts.TARGET_VOCABULARY, vectorizers.target.get_vocabulary()
    )
    artifacts.write_test_pairs(out, corpus.test)


def _batches(
    corpus: Corpus, vectorizers: Vectorizers, config: Config, state: dict, distribution
) -> tuple[tf.data.Dataset, tf.data.Dataset]:
    """The training and validation batches, the training ones moved on past finished epochs."""
    train_batches = make_dataset(corpus.train, vectorizers, config.batch_size, True, config.seed)
    validation_batches = make_dataset(corpus.validation, vectorizers, config.batch_size, False)
    # Each iterator of the training batches draws the next shuffle order, and with
    # steps_per_epoch given, fit makes one per epoch. Drawing (not reading) one per
    # finished epoch moves a resumed run on to new orders instead of replaying the first.
    for _ in range(state.get("epoch", 0)):
        iter(train_batches)
    if distribution.num_replicas_in_sync > 1:
        return distribute(train_batches), distribute(validation_batches)
    return train_batches, validation_batches


def _callbacks(
    out: Path,
    config: Config,
    corpus: Corpus,
    vectorizers: Vectorizers,
    state: dict,
    steps_per_epoch: int,
) -> TrainingCallbacks:
    """The callbacks, writing into ``out`` on every worker (another worker's ``out`` is a
    temporary folder): saving reads the replicas' variables, which takes every worker."""
    keep_best = KeepBest(
        out / artifacts.MODEL,
        config.patience,
        state.get("best", math.inf),
        state.get("wait", 0),
    )
    resume_point = ResumePoint(out / artifacts.RESUME, state, [keep_best])
    snapshots = None
    if config.attention != "none":
        snapshots = AttentionSnapshots(
            out / artifacts.SNAPSHOTS,
            spread_by_length(corpus.validation or corpus.train),
            vectorizers,
            artifacts.read_snapshots(out),
        )
    savers = [saver for saver in (snapshots, keep_best, resume_point) if saver is not None]
    stop_on_interrupt = StopOnInterrupt(savers)
    time_budget = None
    if config.time_budget is not None:
        time_budget = TimeBudget(
            config.time_budget,
            config.learning_rate,
            round(config.warmup_epochs * steps_per_epoch),
            DECAY_TO,
            state.get("train_seconds", 0.0),
        )
    return TrainingCallbacks(snapshots, keep_best, resume_point, stop_on_interrupt, time_budget)


def _interrupted_message(out: Path, epochs_done: int) -> str:
    if epochs_done == 0:
        return "Stopped by Ctrl-C before the first epoch ended; nothing was saved to resume."
    return (
        f"Stopped by Ctrl-C. {out / artifacts.MODEL} holds the best model of the "
        f"{epochs_done} whole epoch(s); go on with train.py --out {out} --resume."
    )


def _finish(
    model: Seq2Seq,
    out: Path,
    config: Config,
    corpus: Corpus,
    vectorizers: Vectorizers,
    state: dict,
    log: Callable[[str], None],
) -> dict[str, float]:
    """Score the best epoch's model on the test pairs; write the loss history."""
    if not (out / artifacts.MODEL).exists():  # validation loss never improved (NaN)
        artifacts.save_model(model, out / artifacts.MODEL)
    # The best epoch's model is the one kept, whichever epoch came last.
    model = keras.saving.load_model(out / artifacts.MODEL, safe_mode=True)
    artifacts.write_json(out / artifacts.HISTORY, state["history"])
    log(f"Evaluating on {len(corpus.test):,} held-out test pairs.")
    metrics = evaluate(Translator(model, vectorizers, config), corpus.test)
    metrics["epochs"] = state["epoch"]
    return metrics


def make_repeatable(seed: int) -> None:
    """The same seed gives the same run: Python, NumPy and TensorFlow seeds, deterministic ops."""
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
