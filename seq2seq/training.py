"""Train a `Seq2Seq` with ``fit`` and write its run directory."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import keras

from seq2seq import artifacts
from seq2seq.config import Config
from seq2seq.corpora import Corpus, load_corpus
from seq2seq.evaluation import evaluate
from seq2seq.inference import Translator
from seq2seq.model import Seq2Seq, masked_accuracy, masked_loss
from seq2seq.pipeline import Vectorizers, make_dataset
from seq2seq.text import build_vectorizer, normalize, with_markers


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
    # instead of letting a constant rate knock them about at the end.
    learning_rate = keras.optimizers.schedules.CosineDecay(
        config.learning_rate, decay_steps=config.epochs * steps_per_epoch, alpha=0.05
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate, clipnorm=1.0),
        loss=masked_loss,
        metrics=[masked_accuracy],
    )
    return model


def train(
    config: Config, out: Path, overwrite: bool = False, log: Callable[[str], None] = print
) -> dict[str, float]:
    """Train on ``config.corpus``, write the run directory ``out``, return its metrics."""
    note = artifacts.prepare_run_directory(out, config, overwrite)
    if note:
        log(note)
    keras.utils.set_random_seed(config.seed)

    corpus = load_corpus(config)
    vectorizers = build_vectorizers(corpus, config.max_vocabulary)
    log(
        f"Corpus {corpus.name}: {len(corpus.train):,} train, {len(corpus.validation):,} "
        f"validation, {len(corpus.test):,} test pairs; vocabularies of "
        f"{vectorizers.source.vocabulary_size()} source and "
        f"{vectorizers.target.vocabulary_size()} target tokens."
    )
    train_batches = make_dataset(corpus.train, vectorizers, config.batch_size, True, config.seed)
    validation_batches = make_dataset(corpus.validation, vectorizers, config.batch_size, False)

    model = build_model(config, vectorizers, int(train_batches.cardinality()))
    callbacks = [
        keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=config.patience, restore_best_weights=True
        ),
        keras.callbacks.ModelCheckpoint(
            out / artifacts.CHECKPOINT, monitor="val_loss", save_best_only=True
        ),
    ]
    log(
        f"Training a {config.encoder.upper()} encoder and GRU decoder with {config.attention} "
        f"attention, {config.units} units, for up to {config.epochs} epochs."
    )
    started = time.perf_counter()
    history = model.fit(
        train_batches, validation_data=validation_batches, epochs=config.epochs,
        callbacks=callbacks, shuffle=False, verbose=1 if sys.stdout.isatty() else 2,
    )  # fmt: skip
    train_seconds = time.perf_counter() - started

    artifacts.save_model(model, out / artifacts.MODEL)
    artifacts.write_vocabulary(
        out / artifacts.SOURCE_VOCABULARY, vectorizers.source.get_vocabulary()
    )
    artifacts.write_vocabulary(
        out / artifacts.TARGET_VOCABULARY, vectorizers.target.get_vocabulary()
    )
    artifacts.write_json(out / artifacts.CONFIG, config.to_dict())
    artifacts.write_json(
        out / artifacts.HISTORY,
        {name: [float(v) for v in values] for name, values in history.history.items()},
    )
    artifacts.write_test_pairs(out, corpus.test)

    log(f"Evaluating on {len(corpus.test):,} held-out test pairs.")
    metrics = evaluate(Translator(model, vectorizers, config), corpus.test)
    metrics["epochs"] = len(history.history["loss"])
    metrics["train_seconds"] = round(train_seconds, 1)
    artifacts.write_json(out / artifacts.METRICS, metrics)
    return metrics
