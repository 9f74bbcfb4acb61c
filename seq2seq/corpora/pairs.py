"""Sentence pairs, the filters every corpus goes through, and the train/validation/test split."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from seq2seq.text import normalize


@dataclass(frozen=True)
class Pair:
    """A source sentence, its translation and, when known, the gold word alignment.

    ``alignment`` holds ``(target_position, source_position)`` links over the
    normalized tokens (`seq2seq.text.tokenize`), in the index order of an
    attention matrix ``weights[target, source]``; it is None for corpora that
    come without alignments (files and datasets).
    """

    source: str
    target: str
    alignment: frozenset[tuple[int, int]] | None = None

    def reversed(self) -> Pair:
        """The pair read the other way: target becomes source, links turn around."""
        alignment = None if self.alignment is None else frozenset(
            (source, target) for target, source in self.alignment
        )  # fmt: skip
        return Pair(self.target, self.source, alignment)


@dataclass(frozen=True)
class Corpus:
    name: str
    train: list[Pair]
    validation: list[Pair]
    test: list[Pair]


def select(
    pairs: Iterable[Pair], max_length: int | None = None, max_pairs: int | None = None
) -> Iterator[Pair]:
    """The pairs with at most ``max_length`` tokens a side, up to the first ``max_pairs``.

    Lengths count normalized tokens. It stops reading ``pairs`` once it has
    ``max_pairs``, so a large file or dataset is read only as far as needed.
    """
    kept = 0
    for pair in pairs:
        if max_length is not None and (
            len(normalize(pair.source).split()) > max_length
            or len(normalize(pair.target).split()) > max_length
        ):
            continue
        yield pair
        kept += 1
        if kept == max_pairs:
            return


def split(
    name: str, pairs: list[Pair], validation_fraction: float, test_fraction: float, seed: int
) -> Corpus:
    """Shuffle ``pairs`` with ``seed`` and cut them into train, validation and test.

    Pairs whose sources read the same once normalized (``Go.`` and ``go .``)
    land in the same split, so no test sentence is ever seen in training; the
    fractions count distinct sources, not pairs.
    """
    sources = sorted({pair.source for pair in pairs})
    random.Random(seed).shuffle(sources)
    key_of = {source: normalize(source) for source in sources}
    keys = list(dict.fromkeys(key_of.values()))
    test_count = round(len(keys) * test_fraction)
    validation_count = round(len(keys) * validation_fraction)
    part_of = {}
    for index, key in enumerate(keys):
        if index < test_count:
            part_of[key] = "test"
        elif index < test_count + validation_count:
            part_of[key] = "validation"
        else:
            part_of[key] = "train"
    parts: dict[str, list[Pair]] = {"train": [], "validation": [], "test": []}
    for pair in pairs:
        parts[part_of[key_of[pair.source]]].append(pair)
    return Corpus(name, **parts)
