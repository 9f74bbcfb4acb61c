"""Commands started as a terminal starts them, in a process group of their own, then signalled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# How long a command may take to end once signalled, workers and clean-up included.
STOP_SECONDS = 2.0
# The two ways a command is stopped: Ctrl-C from a terminal reaches its whole process
# group; SIGTERM from `timeout` or a process manager reaches the main process alone.
# Each case: the signal, whether the whole group gets it, the exit status, its name.
each_stopping_signal = pytest.mark.parametrize(
    ("signum", "whole_group", "status", "name"),
    [(signal.SIGINT, True, 130, "Ctrl-C"), (signal.SIGTERM, False, 143, "SIGTERM")],
    ids=["ctrl-c-to-the-group", "sigterm-to-the-main-process"],
)


@dataclass
class Ended:
    returncode: int
    seconds: float  # from the signal to the command's end
    stderr: str
    left: list[str]  # processes of its group still running STOP_SECONDS after the signal


def start(*arguments: str) -> subprocess.Popen:
    """``python ARGUMENTS`` in its own process group (its id is the process's), as a shell does."""
    return subprocess.Popen(
        [sys.executable, *arguments],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(ROOT)},
    )


def wait_for_files(process: subprocess.Popen, folder: Path, count: int, timeout: float) -> None:
    """Wait until ``folder`` holds ``count`` pictures (drawing is under way)."""
    deadline = time.monotonic() + timeout
    while not folder.is_dir() or sum(1 for _ in pictures(folder)) < count:
        if process.poll() is not None:
            pytest.fail(f"the command ended before drawing:\n{process.stderr.read()}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"fewer than {count} pictures in {folder} after {timeout} s")
        time.sleep(0.02)


def signal_and_wait(process: subprocess.Popen, signum: int, *, whole_group: bool) -> Ended:
    """Send ``signum`` to the process group (Ctrl-C in a terminal) or to the process alone."""
    group = os.getpgid(process.pid)
    sent = time.monotonic()
    if whole_group:
        os.killpg(group, signum)
    else:
        os.kill(process.pid, signum)
    try:
        returncode = process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(group, signal.SIGKILL)
        pytest.fail(f"still running 30 s after signal {signum}")
    seconds = time.monotonic() - sent
    time.sleep(max(0.0, sent + STOP_SECONDS - time.monotonic()))
    left = running_in_group(group)
    if left:
        os.killpg(group, signal.SIGKILL)
    return Ended(returncode, seconds, process.stderr.read(), left)


def running_in_group(group: int) -> list[str]:
    """The processes of process group ``group`` that still run (not zombies), as command lines."""
    running = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue  # ended while being read
        state, process_group = fields[0], int(fields[2])
        if process_group == group and state != "Z":
            running.append(f"{entry.name}: {command}")
    return running


def pictures(folder: Path) -> list[Path]:
    """The finished files of ``folder`` (not the hidden ``.partial`` ones being written)."""
    return [path for path in folder.iterdir() if not path.name.startswith(".")]


def unfinished(folder: Path) -> list[Path]:
    return [path for path in folder.iterdir() if ".partial" in path.name]
