"""Sentence pairs, the filters every corpus goes through, and the train/validation/test split."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from seq2seq.errors import UserError
from seq2seq.text import MAX_TOKENS, normalize


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
        alignment = (
            None
            if self.alignment is None
            else frozenset((source, target) for target, source in self.alignment)
        )
        return Pair(self.target, self.source, alignment)


def spread_by_length(pairs: Iterable[Pair], count: int = 3) -> list[Pair]:
    """Up to ``count`` pairs with distinct sources, short to long, spread over their lengths.

    Used to pick the sentences that ``train.py`` draws and the probes whose
    attention is recorded after every epoch.
    """
    by_source = {pair.source: pair for pair in pairs}
    sources = sorted(by_source, key=lambda source: (len(source.split()), source))
    if not sources:
        return []
    quantiles = [0.3, 0.6, 0.9] if count == 3 else [(i + 1) / (count + 1) for i in range(count)]
    picks = sorted({round(q * (len(sources) - 1)) for q in quantiles})
    return [by_source[sources[i]] for i in picks][:count]


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

    Lengths count normalized tokens; a pair that ``max_length`` lets through
    with more than `MAX_TOKENS` tokens a side is a `UserError`. It stops reading
    ``pairs`` once it has ``max_pairs``, so a large file or dataset is read only
    as far as needed.
    """
    kept = 0
    limit = MAX_TOKENS if max_length is None else min(max_length, MAX_TOKENS)
    for pair in pairs:
        length, text = _longest_side(pair, limit)
        if max_length is not None and length > max_length:
            continue
        if length > MAX_TOKENS:
            raise UserError(
                f"A pair has a sentence of {length:,} tokens (it begins {text[:30]!r}), more "
                f"than the {MAX_TOKENS} a sentence may have; pass --max-length {MAX_TOKENS} "
                "or less to drop such pairs."
            )
        yield pair
        kept += 1
        if kept == max_pairs:
            return


def _longest_side(pair: Pair, limit: int) -> tuple[int, str]:
    """Tokens and text of the pair's longer side, or ``(0, "")`` where neither exceeds ``limit``.

    A text of n characters has at most n tokens, so short ones skip normalizing.
    """
    long = [text for text in (pair.source, pair.target) if len(text) > limit]
    return max(((len(normalize(text).split()), text) for text in long), default=(0, ""))


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
