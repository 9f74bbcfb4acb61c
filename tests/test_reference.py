"""The reference model, trained in full by ``python train.py``: its promised quality.

Slow (about two minutes on two cores): ``python -m pytest -m slow``. The run is
conftest's ``reference_run``, which the slow tests of the guide share.
"""

from __future__ import annotations

import json

import numpy as np
import pytest


@pytest.mark.slow
def test_reference_run_reaches_its_quality_bar(reference_run):
    metrics = json.loads((reference_run / "metrics.json").read_text())
    assert metrics["exact_match"] >= 0.98
    assert metrics["aer"] <= 0.15


@pytest.mark.slow
def test_reference_attention_links_each_word_to_its_translation(reference_run):
    from seq2seq import Translator

    translation = Translator.load(reference_run).translate("The red car is very fast.")
    assert translation.target_tokens == ["el", "coche", "rojo", "es", "muy", "rápido", "."]
    looked_at = [translation.source_tokens[s] for s in np.argmax(translation.weights, axis=1)]
    assert looked_at == ["the", "car", "red", "is", "very", "fast", "."]
