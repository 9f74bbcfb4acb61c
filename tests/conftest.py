"""Shared fixtures: a tiny trained run (and its twin without attention), the reference run
(slow), and the real sentence pairs of ../shared/data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parent.parent
# ../shared/data beside the checkout, or where SEQ2SEQ_SHARED_DATA says (a worktree elsewhere).
SHARED_DATA = Path(os.environ.get("SEQ2SEQ_SHARED_DATA", ROOT.parent / "shared" / "data"))

# Trains in seconds and already writes Spanish-looking sentences.
TINY = dict(
    corpus_size=1500,
    embedding_dim=32,
    units=64,
    epochs=4,
    batch_size=32,
    learning_rate=1e-2,
    seed=3,
)


@pytest.fixture(scope="session")
def tiny_config():
    from seq2seq.config import Config

    return Config(**TINY)


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory, tiny_config) -> Path:
    """A run directory written by `seq2seq.training.train` with the tiny configuration."""
    from seq2seq.training import train

    out = tmp_path_factory.mktemp("runs") / "tiny"
    train(tiny_config, out, log=lambda message: None)
    return out


@pytest.fixture(scope="session")
def tiny_none_run(tmp_path_factory, tiny_config) -> Path:
    """The tiny run's twin without attention (``--attention none``)."""
    from dataclasses import replace

    from seq2seq.training import train

    out = tmp_path_factory.mktemp("runs") / "tiny-none"
    train(replace(tiny_config, attention="none"), out, log=lambda message: None)
    return out


@pytest.fixture(scope="session")
def tiny_none_translator(tiny_none_run):
    from seq2seq import Translator

    return Translator.load(tiny_none_run)


@pytest.fixture(scope="session")
def tiny_translator(tiny_run):
    from seq2seq import Translator

    return Translator.load(tiny_run)


@pytest.fixture(scope="session")
def reference_run(tmp_path_factory) -> Path:
    """The reference run, trained in full by ``python train.py`` (about two minutes): slow.

    ``SEQ2SEQ_REFERENCE_RUN=DIR`` uses a finished run instead (tests only read it).
    """
    if os.environ.get("SEQ2SEQ_REFERENCE_RUN"):
        return Path(os.environ["SEQ2SEQ_REFERENCE_RUN"])
    out = tmp_path_factory.mktemp("runs") / "reference"
    subprocess.run(
        [sys.executable, "train.py", "--out", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=900,
    )
    return out


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent (a user's clone); these tests need its real pairs")
    return SHARED_DATA
