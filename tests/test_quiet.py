"""The quiet terminal: TensorFlow's start-up notices stay off it, real errors do not."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTICE = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"


def run(
    arguments: list[str], verbose: bool = False, python_path: str = str(ROOT)
) -> subprocess.CompletedProcess:
    """A fresh Python as a user starts it: TF_CPP_MIN_LOG_LEVEL unset, as on their terminal."""
    quiet_variables = ("TF_CPP_MIN_LOG_LEVEL", "SEQ2SEQ_VERBOSE")
    environment = {key: value for key, value in os.environ.items() if key not in quiet_variables}
    environment["PYTHONPATH"] = python_path
    if verbose:
        environment["SEQ2SEQ_VERBOSE"] = "1"
    return subprocess.run(
        [sys.executable, *arguments],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=environment,
    )


@pytest.fixture(scope="module")
def translated(tiny_run) -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
    """``python -m seq2seq translate``, quiet and with SEQ2SEQ_VERBOSE=1."""
    arguments = ["-m", "seq2seq", "translate", "--run", str(tiny_run), "I eat.", "--no-pictures"]
    return run(arguments), run(arguments, verbose=True)


def test_translate_prints_only_its_own_lines(translated, tiny_translator):
    quiet, _ = translated
    translation = tiny_translator.translate("I eat.")
    assert quiet.returncode == 0
    assert quiet.stderr == ""
    assert quiet.stdout == (
        f"  I eat.\n  → {translation.sentence}   (log-probability {translation.score:.2f})\n"
    )


def test_seq2seq_verbose_brings_the_start_up_notices_back(translated):
    quiet, verbose = translated
    assert NOTICE in verbose.stderr
    assert verbose.stdout == quiet.stdout


def test_lines_of_an_import_that_are_not_notices_still_reach_stderr(tmp_path):
    (tmp_path / "noisy.py").write_text(
        textwrap.dedent(
            f"""
            import os
            os.write(2, b"{NOTICE}\\n")
            os.write(2, b"I0000 00:00:1796209522.792043   11039 port.cc:153] oneDNN custom "
                        b"operations are on. You may see slightly different numerical results\\n")
            os.write(2, b"E0000 00:00:1796209525.484297   11 loader.cc:7] libfoo.so is broken\\n")
            raise ImportError("noisy could not start")
            """
        )
    )
    script = "from seq2seq import quiet; quiet.install('noisy'); import noisy"
    completed = run(["-c", script], python_path=f"{ROOT}{os.pathsep}{tmp_path}")
    assert completed.returncode == 1
    assert "loader.cc:7] libfoo.so is broken\n" in completed.stderr
    assert "ImportError: noisy could not start" in completed.stderr
    assert "absl" not in completed.stderr and "oneDNN" not in completed.stderr


def test_an_error_from_tensorflow_still_shows():
    script = (
        "from seq2seq import quiet; quiet.install(); import tensorflow as tf; "
        "tf.reshape(tf.constant([1, 2, 3]), [2])"
    )
    completed = run(["-c", script])
    assert completed.returncode == 1
    assert "InvalidArgumentError" in completed.stderr
    assert "Input to reshape is a tensor with 3 values" in completed.stderr
    assert "absl" not in completed.stderr
