"""Training that is stopped (Ctrl-C), killed (SIGKILL) and resumed loses nothing it saved.

One run goes through all three in turn, each in its own process, as a user's would:
Ctrl-C after the first epoch, ``--resume``, SIGKILL in the middle of a later
epoch, ``--resume`` again to the end.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from seq2seq import Translator, artifacts

ROOT = Path(__file__).resolve().parent.parent
# Epochs of a few seconds each, so a signal sent after a save lands mid-epoch.
SETTINGS = [
    "--corpus-size",
    "3000",
    "--embedding-dim",
    "32",
    "--units",
    "64",
    "--epochs",
    "4",
    "--batch-size",
    "16",
    "--learning-rate",
    "0.01",
    "--seed",
    "5",
]


def start(out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "train.py", "--out", str(out), "--no-pictures", *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)},
    )


def saved_epoch(out: Path) -> int:
    try:
        return json.loads((out / artifacts.RESUME / artifacts.RESUME_STATE).read_text())["epoch"]
    except (FileNotFoundError, json.JSONDecodeError):
        return 0


def wait_for_epoch(process: subprocess.Popen, out: Path, epoch: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while saved_epoch(out) < epoch:
        if process.poll() is not None:
            pytest.fail(f"training ended before epoch {epoch}:\n{process.stdout.read()}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"no epoch {epoch} within {timeout} s")
        time.sleep(0.05)


def translate(out: Path) -> list[str]:
    return Translator.load(out).translate("The red car is fast.").target_tokens


@pytest.mark.slow
def test_ctrl_c_then_sigkill_then_resume_lose_nothing(tmp_path):
    out = tmp_path / "run"

    # Ctrl-C after the first epoch: a clean stop, exit 130, a model to translate with.
    process = start(out, *SETTINGS)
    wait_for_epoch(process, out, 1)
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 130, output
    assert "Stopped by Ctrl-C" in output and "--resume" in output
    assert "Traceback" not in output
    assert not (out / artifacts.METRICS).exists()
    stopped_at = saved_epoch(out)
    assert stopped_at >= 1
    assert translate(out)

    # Starting again without --resume would throw the epochs away: refused.
    again = subprocess.run(
        [sys.executable, "train.py", "--out", str(out), *SETTINGS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert again.returncode == 2
    assert "unfinished run" in again.stderr and "--resume" in again.stderr

    # --resume, then SIGKILL in the middle of a later epoch.
    process = start(out, "--resume")
    wait_for_epoch(process, out, stopped_at + 1)
    time.sleep(0.5)
    model_before_kill = (out / artifacts.MODEL).read_bytes()
    process.kill()
    process.communicate(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert (out / artifacts.MODEL).read_bytes() == model_before_kill
    assert not [path for path in out.rglob(".*partial*")]
    assert translate(out)
    killed_at = saved_epoch(out)

    # --resume to the end: every epoch in the history, once.
    process = start(out, "--resume")
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 0, output
    assert f"Resuming {out} after epoch {killed_at} of 4." in output
    metrics = json.loads((out / artifacts.METRICS).read_text())
    history = json.loads((out / artifacts.HISTORY).read_text())
    assert metrics["epochs"] == len(history["loss"]) == len(history["val_loss"]) == 4
    snapshots = artifacts.read_snapshots(out)
    whole_epochs = [
        entry["epoch"]
        for entry in snapshots["probes"][0]["epochs"]
        if float(entry["epoch"]).is_integer()
    ]
    assert whole_epochs == [0, 1, 2, 3, 4]
    assert not (out / artifacts.RESUME).exists()
    assert translate(out)

    # A finished run has nothing to resume.
    done = subprocess.run(
        [sys.executable, "train.py", "--out", str(out), "--resume"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert done.returncode == 2 and "finished training" in done.stderr
