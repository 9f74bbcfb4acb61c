"""The run directory: atomic files and the rules for reusing a directory."""

from __future__ import annotations

import json

import pytest

from seq2seq import artifacts
from seq2seq.config import Config
from seq2seq.errors import UserError


def test_write_text_replaces_the_file_and_leaves_no_temporary_behind(tmp_path):
    path = tmp_path / "metrics.json"
    path.write_text("old")
    artifacts.write_json(path, {"bleu": 99.5})
    assert json.loads(path.read_text()) == {"bleu": 99.5}
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.json"]


def test_vocabulary_round_trips_with_its_padding_token(tmp_path):
    vocabulary = ["", "[UNK]", "[START]", "[END]", "niño", "¿"]
    artifacts.write_vocabulary(tmp_path / "v.txt", vocabulary)
    assert artifacts.read_vocabulary(tmp_path / "v.txt") == vocabulary


def test_missing_or_empty_directory_is_ready_to_use(tmp_path):
    assert artifacts.prepare_run_directory(tmp_path / "new", Config(), overwrite=False) is None
    assert (tmp_path / "new").is_dir()
    assert artifacts.prepare_run_directory(tmp_path / "new", Config(), overwrite=False) is None


def _run_directory(tmp_path, config):
    out = tmp_path / "run"
    out.mkdir()
    artifacts.write_json(out / artifacts.CONFIG, config.to_dict())
    return out


def test_a_run_with_the_same_configuration_is_replaced_out_loud(tmp_path):
    out = _run_directory(tmp_path, Config())
    note = artifacts.prepare_run_directory(out, Config(), overwrite=False)
    assert "same configuration" in note


def test_a_different_run_is_refused_and_its_differences_named(tmp_path):
    out = _run_directory(tmp_path, Config(units=64))
    with pytest.raises(UserError, match=r"holds a different run \(units 64 there, 256 here\)"):
        artifacts.prepare_run_directory(out, Config(), overwrite=False)
    assert json.loads((out / artifacts.CONFIG).read_text())["units"] == 64


def test_a_different_run_is_replaced_with_overwrite(tmp_path):
    out = _run_directory(tmp_path, Config(units=64))
    assert "Overwriting" in artifacts.prepare_run_directory(out, Config(), overwrite=True)


def test_a_directory_of_other_files_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(UserError, match="not a run"):
        artifacts.prepare_run_directory(tmp_path, Config(), overwrite=False)


def test_a_file_is_refused(tmp_path):
    path = tmp_path / "file"
    path.write_text("")
    with pytest.raises(UserError, match="is a file"):
        artifacts.prepare_run_directory(path, Config(), overwrite=False)
