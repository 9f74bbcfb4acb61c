"""The configuration: reference defaults, validation, and its file."""

from __future__ import annotations

import argparse
import dataclasses
import json

import pytest

from seq2seq.config import Config
from seq2seq.errors import UserError

# Settings added after the first config.json files were written: runs without them still load.
NEWER_SETTINGS = (
    "reverse",
    "max_length",
    "max_pairs",
    "source_language",
    "target_language",
    "data_dir",
    "max_vocabulary",
    "warmup_epochs",
)


def test_config_round_trips_through_its_file(tmp_path):
    config = Config(units=64, attention="dot", dropout=0.2)
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config.to_dict()))
    assert Config.load(path) == config


def test_config_with_corpus_settings_round_trips_through_its_file(tmp_path):
    config = Config(corpus="tsv:pairs.tsv", reverse=True, max_pairs=500, max_vocabulary=4000)
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config.to_dict()))
    assert Config.load(path) == config


def test_config_file_of_an_older_run_gets_defaults_for_newer_settings(tmp_path):
    older = {k: v for k, v in Config(units=64).to_dict().items() if k not in NEWER_SETTINGS}
    path = tmp_path / "config.json"
    path.write_text(json.dumps(older))
    assert Config.load(path) == Config(units=64)


def test_flags_set_switches_and_optional_settings():
    parser = argparse.ArgumentParser()
    Config.add_arguments(parser)
    config = Config.from_arguments(
        parser.parse_args(
            ["--corpus", "anki:fra", "--reverse", "--max-pairs", "9", "--data-dir", "d"]
        )
    )
    assert (config.corpus, config.reverse, config.max_pairs, config.data_dir) == (
        "anki:fra",
        True,
        9,
        "d",
    )
    assert Config.from_arguments(parser.parse_args([])) == Config()


def test_config_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Config().units = 3


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"units": 0}, "--units must be at least 1"),
        ({"units": 33}, "--units must be even"),
        ({"dropout": 1.0}, r"--dropout must be in \[0, 1\)"),
        ({"attention": "cosine"}, "--attention must be one of"),
        ({"encoder": "transformer"}, "--encoder must be one of"),
        ({"corpus": "wikipedia"}, "--corpus 'wikipedia' is not a known corpus"),
        (
            {"corpus": "wiki:pedia"},
            r"use one of: embedded\[:long\], tsv:PATH, tfds:NAME.*, anki:LANGUAGE",
        ),
        ({"corpus": "tsv"}, "--corpus 'tsv' is incomplete or malformed; write it as tsv:PATH"),
        ({"corpus": "tsv: "}, "write it as tsv:PATH"),
        ({"corpus": "tfds:"}, r"write it as tfds:NAME\[/CONFIG\]"),
        ({"corpus": "anki"}, "write it as anki:LANGUAGE"),
        ({"corpus": "embedded:big"}, r"write it as embedded\[:long\]"),
        ({"max_pairs": 0}, "--max-pairs must be at least 1"),
        ({"max_length": -2}, "--max-length must be at least 1"),
        ({"max_vocabulary": 5}, "--max-vocabulary must be at least 10"),
        ({"corpus": "tfds:wmt14_translate/de-en", "source_language": "de"}, "Give both"),
        ({"source_language": "en", "target_language": "es"}, "languages of a tfds: corpus"),
        ({"learning_rate": -1.0}, "--learning-rate must be positive"),
        ({"time_budget": 0.0}, "--time-budget must be a positive number of seconds, got 0.0"),
        ({"time_budget": float("inf")}, "--time-budget must be a positive number of seconds"),
        (
            {"warmup_epochs": 4.0},
            r"--warmup-epochs must be at least 0 and less than --epochs \(4\)",
        ),
        ({"validation_fraction": 0.5, "test_fraction": 0.5}, "must leave pairs for training"),
    ],
)
def test_bad_values_are_refused_with_the_flag_named(settings, message):
    with pytest.raises(UserError, match=message):
        Config(**settings)


def test_config_file_with_unknown_setting_is_refused(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({**Config().to_dict(), "colour": "blue"}))
    with pytest.raises(UserError, match="unknown setting"):
        Config.load(path)


def test_config_file_with_wrong_type_is_refused(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({**Config().to_dict(), "units": "many"}))
    with pytest.raises(UserError, match="'units' must be an integer"):
        Config.load(path)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("max_pairs", "many", "'max_pairs' must be an integer or null"),
        ("reverse", "yes", "'reverse' must be true or false"),
        ("max_pairs", True, "'max_pairs' must be an integer or null"),
        ("data_dir", 3, "'data_dir' must be text or null"),
    ],
)
def test_config_file_with_wrong_type_of_new_setting_is_refused(tmp_path, name, value, message):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({**Config().to_dict(), name: value}))
    with pytest.raises(UserError, match=message):
        Config.load(path)


def test_config_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "config.json"
    path.write_text("{units: 3")
    with pytest.raises(UserError, match="is not valid JSON"):
        Config.load(path)


def test_the_model_without_attention_and_the_long_sentences_are_settings_like_any_other(tmp_path):
    config = Config(attention="none", corpus="embedded:long", time_budget=150)
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config.to_dict()), encoding="utf-8")
    assert Config.load(path) == config
