"""Attention records of translations: what ``translate --save-records`` writes for `viz`.

A record (`viz.AttentionRecord`) holds one sentence's tokens, weights and
score, the sentence as typed, facts about the model, and the n best hypotheses
when beam search was asked for them; ``python -m viz draw`` draws it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seq2seq.config import Config
from seq2seq.translation import Translation

if TYPE_CHECKING:
    from viz import AttentionRecord


def with_words(translation: Translation) -> Translation:
    """``translation`` keeping only the hypotheses that wrote a word.

    A hypothesis that ended at once has no attention to draw or record.
    """
    hypotheses = tuple(hypothesis for hypothesis in translation.hypotheses if hypothesis.text)
    return dataclasses.replace(translation, hypotheses=hypotheses)


def model_facts(run: Path, config: Config | None, beam_width: int) -> dict[str, Any]:
    """What a record says about the model that wrote it: the run's name and settings."""
    facts: dict[str, Any] = {"run": run.name}
    if config is not None:
        facts |= {"attention": config.attention, "encoder": config.encoder, "units": config.units}
    return facts | {"beam_width": beam_width}


def translation_records(
    translations: Sequence[Translation], sentences: Sequence[str], model: dict[str, Any]
) -> list[AttentionRecord]:
    """One record per translation that wrote a word, with its sentence and ``model``."""
    from viz import AttentionRecord

    return [
        AttentionRecord.of(with_words(translation), sentence=sentence, model=model)
        for translation, sentence in zip(translations, sentences)
        if translation.target_tokens
    ]
