"""A whole (tiny) training run and the run directory it leaves."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from seq2seq import artifacts
from seq2seq.config import Config


def test_the_run_directory_holds_everything_needed_to_translate_later(tiny_run):
    for name in (
        artifacts.MODEL,
        artifacts.CONFIG,
        artifacts.SOURCE_VOCABULARY,
        artifacts.TARGET_VOCABULARY,
        artifacts.METRICS,
        artifacts.HISTORY,
        artifacts.TEST_PAIRS,
        artifacts.TEST_ALIGNMENT,
        artifacts.SNAPSHOTS,
    ):
        assert (tiny_run / name).is_file(), name
    # Nothing half-written is left behind, and a finished run needs no resume point.
    assert not [p for p in tiny_run.iterdir() if p.name.startswith(".")]
    assert not (tiny_run / artifacts.RESUME).exists()


def test_metrics_hold_the_promised_numbers(tiny_run):
    metrics = json.loads((tiny_run / artifacts.METRICS).read_text())
    for name in ("exact_match", "bleu", "aer", "train_seconds"):
        assert isinstance(metrics[name], float), name
    assert 0.0 <= metrics["exact_match"] <= 1.0
    assert 0.0 <= metrics["aer"] <= 1.0
    assert metrics["train_seconds"] > 0


def test_config_json_is_the_configuration_trained(tiny_run, tiny_config):
    assert Config.load(tiny_run / artifacts.CONFIG) == tiny_config


def test_history_has_one_entry_per_epoch(tiny_run, tiny_config):
    history = json.loads((tiny_run / artifacts.HISTORY).read_text())
    assert len(history["loss"]) == len(history["val_loss"]) == tiny_config.epochs
    assert history["loss"][-1] < history["loss"][0]


def test_test_pairs_and_alignments_line_up(tiny_run, tiny_config):
    pairs = (tiny_run / artifacts.TEST_PAIRS).read_text(encoding="utf-8").splitlines()
    alignments = (tiny_run / artifacts.TEST_ALIGNMENT).read_text().splitlines()
    assert (
        len(pairs) == len(alignments) == round(tiny_config.corpus_size * tiny_config.test_fraction)
    )
    assert all(line.count("\t") == 1 for line in pairs)
    assert all("-" in link for line in alignments for link in line.split())


def test_attention_snapshots_cover_every_epoch_from_the_untrained_model(tiny_run, tiny_config):
    snapshots = artifacts.read_snapshots(tiny_run)
    assert 1 <= len(snapshots["probes"]) <= 3
    # 1,200 training pairs in batches of 32: 38 steps an epoch, and snapshots after
    # 2, 5, 10 and 19 of them (a 16th, an 8th, a quarter and half of the first epoch).
    within_first = [round(steps / 38, 4) for steps in (2, 5, 10, 19)]
    for probe in snapshots["probes"]:
        epochs = [entry["epoch"] for entry in probe["epochs"]]
        assert epochs == [0, *within_first, *range(1, tiny_config.epochs + 1)]
        shape = (len(probe["target_tokens"]), len(probe["source_tokens"]))
        for entry in probe["epochs"]:
            weights = np.array(entry["weights"])
            assert weights.shape == shape
            np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-3)
            assert isinstance(entry["translation"], str)
        # Training sharpens the attention: each row's largest weight grows.
        first, last = (np.array(probe["epochs"][i]["weights"]).max(axis=1).mean() for i in (0, -1))
        assert last > first


@pytest.mark.slow
def test_the_same_seed_repeats_the_run_in_another_process(tiny_run, tiny_config, tmp_path):
    """Seeds and TensorFlow's deterministic ops: a second process trains the same model."""
    import os
    import subprocess
    import sys

    from seq2seq import Translator

    flags = [
        f"--{name.replace('_', '-')}={value}"
        for name, value in tiny_config.to_dict().items()
        if value != Config.__dataclass_fields__[name].default
    ]
    completed = subprocess.run(
        [sys.executable, "train.py", "--out", str(tmp_path / "again"), "--no-pictures", *flags],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    first = json.loads((tiny_run / artifacts.METRICS).read_text())
    again = json.loads((tmp_path / "again" / artifacts.METRICS).read_text())
    for name in ("exact_match", "bleu", "chrf", "aer", "attention_entropy", "epochs"):
        assert again[name] == first[name], name
    assert (tmp_path / "again" / artifacts.HISTORY).read_text() == (
        tiny_run / artifacts.HISTORY
    ).read_text()
    sentence = "The small cat sleeps."
    expected = Translator.load(tiny_run).translate(sentence)
    repeated = Translator.load(tmp_path / "again").translate(sentence)
    assert repeated.target_tokens == expected.target_tokens
    np.testing.assert_array_equal(repeated.weights, expected.weights)


def learning_rates(config: Config, steps: list[int], steps_per_epoch: int = 10) -> list[float]:
    """The learning rate that `build_model`'s optimizer gives at each of ``steps``."""
    import keras

    from seq2seq.pipeline import Vectorizers
    from seq2seq.text import build_vectorizer
    from seq2seq.training import build_model

    vocabulary = ["", "[UNK]", "[START]", "[END]", "a"]
    vectorizers = Vectorizers(*(build_vectorizer(vocabulary=vocabulary) for _ in range(2)))
    optimizer = build_model(config, vectorizers, steps_per_epoch).optimizer
    schedule = keras.optimizers.schedules.deserialize(optimizer.get_config()["learning_rate"])
    return [float(schedule(step)) for step in steps]


def test_without_warmup_the_rate_starts_at_its_peak_and_decays_to_a_twentieth():
    rates = learning_rates(Config(epochs=3, learning_rate=0.01), [0, 30])
    assert rates == pytest.approx([0.01, 0.0005])


def test_warmup_raises_the_rate_from_zero_to_its_peak_over_its_epochs_then_decays():
    config = Config(epochs=3, warmup_epochs=1.0, learning_rate=0.01)
    rates = learning_rates(config, [0, 5, 10, 30])
    assert rates == pytest.approx([0.0, 0.005, 0.01, 0.0005])


class _Clock:
    """A stand-in for ``time.perf_counter`` that moves only when told."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _budget(monkeypatch, seconds: float, warmup_steps: int = 0):
    """A `TimeBudget` of ``seconds`` at a peak rate of 0.01, on a clock the test moves."""
    import types

    from seq2seq import callbacks

    clock = _Clock()
    monkeypatch.setattr(callbacks.time, "perf_counter", clock)
    budget = callbacks.TimeBudget(seconds, 0.01, warmup_steps, alpha=0.05)
    optimizer = types.SimpleNamespace(iterations=types.SimpleNamespace(numpy=lambda: 0))
    budget.set_model(types.SimpleNamespace(optimizer=optimizer, stop_training=False))
    budget.on_train_begin()
    return budget, clock, optimizer


def test_under_a_time_budget_the_rate_decays_over_the_seconds_to_a_twentieth(monkeypatch):
    budget, clock, _ = _budget(monkeypatch, 10.0)
    rates = []
    for spent in (0.0, 5.0, 10.0, 12.0):
        clock.now = 100.0 + spent
        rates.append(budget.rate())
    assert rates == pytest.approx([0.01, 0.01 * (0.05 + 0.95 * 0.5), 0.0005, 0.0005])


def test_under_a_time_budget_warmup_counts_steps_then_the_decay_takes_the_time_left(
    monkeypatch,
):
    budget, clock, optimizer = _budget(monkeypatch, 10.0, warmup_steps=4)
    optimizer.iterations.numpy = lambda: 1
    assert budget.rate() == pytest.approx(0.005)
    clock.now, optimizer.iterations.numpy = 102.0, lambda: 4
    assert budget.rate() == pytest.approx(0.01)  # warm after 2 s: 8 s of decay left
    clock.now = 106.0
    assert budget.rate() == pytest.approx(0.01 * (0.05 + 0.95 * 0.5))


def test_a_spent_budget_stops_training_after_the_batch(monkeypatch):
    budget, clock, _ = _budget(monkeypatch, 10.0)
    budget.on_train_batch_end(0)
    assert not budget.model.stop_training
    clock.now = 110.0
    budget.on_train_batch_end(1)
    assert budget.model.stop_training


def test_a_run_with_a_time_budget_trains_about_that_long_whatever_its_epochs(tmp_path, tiny_config):
    from dataclasses import replace

    from seq2seq.training import train

    config = replace(tiny_config, corpus_size=600, epochs=500, time_budget=3.0, patience=500)
    metrics = train(config, tmp_path / "run", log=lambda message: None)
    assert metrics["epochs"] < 500
    assert metrics["train_seconds"] >= 3.0
    history = json.loads((tmp_path / "run" / "history.json").read_text())
    assert len(history["loss"]) == metrics["epochs"]  # the last, cut short, was kept too


def test_a_model_without_attention_records_no_attention_snapshots(tiny_none_run):
    assert not (tiny_none_run / "snapshots.json").exists()
    metrics = json.loads((tiny_none_run / "metrics.json").read_text())
    assert "aer" not in metrics and metrics["bleu"] >= 0
