"""The quiet terminal: TensorFlow's start-up notices stay off it, real errors do not."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTICE = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"


LEVELS = (None, "0", "1", "2", "3")  # TF_CPP_MIN_LOG_LEVEL as users leave or set it
# A line of TensorFlow's C++ log, as absl writes it: "E0000 00:00:1796665405.5 19960 x.cc:52] ..."
LOG_LINE = re.compile(r"^[IWEF]\d{4} [\d:.]+ +\d+ [\w.]+:\d+\]", re.MULTILINE)


def environment(verbose: bool = False, level: str | None = None, python_path: str = str(ROOT)):
    """The environment of a user's terminal: TF_CPP_MIN_LOG_LEVEL unset, or set to ``level``."""
    quiet_variables = ("TF_CPP_MIN_LOG_LEVEL", "SEQ2SEQ_VERBOSE")
    variables = {key: value for key, value in os.environ.items() if key not in quiet_variables}
    variables["PYTHONPATH"] = python_path
    if verbose:
        variables["SEQ2SEQ_VERBOSE"] = "1"
    if level is not None:
        variables["TF_CPP_MIN_LOG_LEVEL"] = level
    return variables


def run(
    arguments: list[str], verbose: bool = False, python_path: str = str(ROOT)
) -> subprocess.CompletedProcess:
    """A fresh Python as a user starts it: TF_CPP_MIN_LOG_LEVEL unset, as on their terminal."""
    return subprocess.run(
        [sys.executable, *arguments],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=environment(verbose, python_path=python_path),
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


@pytest.fixture(scope="module")
def at_each_level(tiny_run) -> dict[str | None, tuple[str, str]]:
    """stdout and stderr of a translation, then a TensorFlow error, for each of `LEVELS`.

    What ``python -m seq2seq translate`` does (`quiet.install`, then the command), and
    then a reshape TensorFlow refuses; the five processes run side by side.
    """
    script = (
        "from seq2seq import quiet; quiet.install()\n"
        "from seq2seq.cli import main\n"
        f"main(['translate', '--run', {str(tiny_run)!r}, 'I see the cat.', '--no-pictures'])\n"
        "import tensorflow as tf\n"
        "tf.reshape(tf.constant([1, 2, 3]), [2])\n"
    )
    processes = {
        level: subprocess.Popen(
            [sys.executable, "-c", script],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=environment(level=level),
        )
        for level in LEVELS
    }
    return {level: process.communicate(timeout=300) for level, process in processes.items()}


@pytest.mark.parametrize("level", LEVELS, ids=lambda level: f"TF_CPP_MIN_LOG_LEVEL={level}")
def test_no_notice_reaches_the_terminal_at_any_log_level(at_each_level, level):
    stdout, stderr = at_each_level[level]
    assert stdout.startswith("  I see the cat.\n  → ")
    assert LOG_LINE.findall(stderr) == []
    assert "absl" not in stderr and "oneDNN" not in stderr and "cuInit" not in stderr


@pytest.mark.parametrize("level", LEVELS, ids=lambda level: f"TF_CPP_MIN_LOG_LEVEL={level}")
def test_a_real_error_still_shows_at_any_log_level(at_each_level, level):
    _, stderr = at_each_level[level]
    assert "InvalidArgumentError" in stderr
    assert "Input to reshape is a tensor with 3 values" in stderr
