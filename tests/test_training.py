"""A whole (tiny) training run and the run directory it leaves."""

from __future__ import annotations

import json

import numpy as np

from seq2seq import artifacts
from seq2seq.config import Config


def test_the_run_directory_holds_everything_needed_to_translate_later(tiny_run):
    for name in (artifacts.MODEL, artifacts.CONFIG, artifacts.SOURCE_VOCABULARY,
                 artifacts.TARGET_VOCABULARY, artifacts.METRICS, artifacts.HISTORY,
                 artifacts.TEST_PAIRS, artifacts.TEST_ALIGNMENT, artifacts.CHECKPOINT):  # fmt: skip
        assert (tiny_run / name).is_file(), name
    assert not [p for p in tiny_run.iterdir() if p.name.startswith(".")]


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


def test_the_same_seed_repeats_the_run(tiny_run, tiny_config, tmp_path):
    from seq2seq import Translator
    from seq2seq.training import train

    again = train(tiny_config, tmp_path / "again", log=lambda message: None)
    first = json.loads((tiny_run / artifacts.METRICS).read_text())
    for name in ("exact_match", "bleu", "aer", "epochs"):
        assert again[name] == first[name], name
    sentence = "The small cat sleeps."
    expected = Translator.load(tiny_run).translate(sentence)
    repeated = Translator.load(tmp_path / "again").translate(sentence)
    assert repeated.target_tokens == expected.target_tokens
    np.testing.assert_array_equal(repeated.weights, expected.weights)
