"""Sentence pairs and their train/validation/test split."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Pair:
    """A source sentence, its translation and, when known, the gold word alignment.

    ``alignment`` holds ``(target_position, source_position)`` links over the
    normalized tokens (`seq2seq.text.tokenize`), in the index order of an
    attention matrix ``weights[target, source]``.
    """

    source: str
    target: str
    alignment: frozenset[tuple[int, int]] | None = None


@dataclass(frozen=True)
class Corpus:
    name: str
    train: list[Pair]
    validation: list[Pair]
    test: list[Pair]


def split(
    name: str, pairs: list[Pair], validation_fraction: float, test_fraction: float, seed: int
) -> Corpus:
    """Shuffle ``pairs`` with ``seed`` and cut them into train, validation and test.

    Pairs that share a source sentence land in the same split, so no test
    sentence is ever seen in training.
    """
    sources = sorted({pair.source for pair in pairs})
    random.Random(seed).shuffle(sources)
    test_count = round(len(sources) * test_fraction)
    validation_count = round(len(sources) * validation_fraction)
    part_of = {}
    for index, source in enumerate(sources):
        if index < test_count:
            part_of[source] = "test"
        elif index < test_count + validation_count:
            part_of[source] = "validation"
        else:
            part_of[source] = "train"
    parts: dict[str, list[Pair]] = {"train": [], "validation": [], "test": []}
    for pair in pairs:
        parts[part_of[pair.source]].append(pair)
    return Corpus(name, **parts)
