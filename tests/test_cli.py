"""``python train.py`` as a user runs it: help, bad flags, a whole tiny run."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from seq2seq.config import Config

ROOT = Path(__file__).resolve().parent.parent


def run_train(*arguments: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "train.py", *arguments],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def test_help_documents_every_flag():
    result = run_train("--help")
    assert result.returncode == 0
    for spec in dataclasses.fields(Config):
        assert "--" + spec.name.replace("_", "-") in result.stdout
    assert "--out" in result.stdout and "--overwrite" in result.stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--units", "-4"], "--units must be at least 1, got -4."),
        (["--dropout", "1.5"], "--dropout must be in [0, 1), got 1.5."),
        (["--corpus", "web"], "--corpus 'web' is not a known corpus"),
        (["--epochs", "many"], "argument --epochs: invalid int value: 'many'"),
        (["--attention", "cosine"], "argument --attention: invalid choice: 'cosine'"),
        (["--colour", "blue"], "unrecognized arguments: --colour blue"),
    ],
)
def test_bad_flags_exit_non_zero_with_one_clear_message(arguments, message):
    result = run_train(*arguments)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_an_output_directory_holding_a_different_run_is_refused(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "config.json").write_text(json.dumps(Config(units=64).to_dict()))
    result = run_train("--out", str(out))
    assert result.returncode == 2
    assert f"error: {out} holds a different run (units 64 there, 256 here)" in result.stderr
    assert "Traceback" not in result.stderr
    assert json.loads((out / "config.json").read_text())["units"] == 64


def test_a_tiny_training_run_end_to_end(tmp_path):
    out = tmp_path / "run"
    result = run_train("--out", str(out), "--corpus-size", "300", "--units", "16",
                       "--embedding-dim", "8", "--epochs", "1")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "exact match" in result.stdout and "AER" in result.stdout
    assert f"Run directory: {out}" in result.stdout
    assert (out / "model.keras").is_file()
