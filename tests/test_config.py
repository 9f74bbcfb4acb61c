"""The configuration: reference defaults, validation, and its file."""

from __future__ import annotations

import dataclasses
import json

import pytest

from seq2seq.config import Config
from seq2seq.errors import UserError


def test_config_round_trips_through_its_file(tmp_path):
    config = Config(units=64, attention="dot", dropout=0.2)
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config.to_dict()))
    assert Config.load(path) == config


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
        ({"learning_rate": -1.0}, "--learning-rate must be positive"),
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


def test_config_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "config.json"
    path.write_text("{units: 3")
    with pytest.raises(UserError, match="is not valid JSON"):
        Config.load(path)
