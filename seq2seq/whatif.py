"""Questions to put to the model while it translates: force words, hide words, point the attention.

A `WhatIf` asks, of one sentence, any of these; `Translator.translate` takes
them as decoding options (one decoding loop, greedy or beam, answers all):

- ``prefix``: the model must write these words first (normalized as a target
  sentence is), then goes on by itself. The translation's ``score`` is the
  log-probability of the whole path, forced words included, as `Translator.align`
  would score it.
- ``hide``: source words the attention may not read, at every step. The
  weights of the others are renormalized::

      w'_s = w_s · [s visible] / Σ_r w_r · [r visible]

  which is the softmax over the visible words' scores alone, so a hidden column
  is exactly 0 and each row still sums to 1. Only the attention is blind: the
  encoder still reads every word, so what a hidden word says still reaches the
  decoder through the keys of the words around it (each key of the
  bidirectional encoder has read the whole sentence) and through the decoder's
  start state, which sums up the whole sentence.
- ``point``: at step t the attention reads source word s alone (weight 1,
  every other 0), whatever its scores say; only at that step, as Seq2Seq-Vis'
  attention mode did (Strobelt et al., 2018). The steps before and after attend
  as they would, so the model goes on by itself from what it wrote there.
  Several steps may be pointed, one word each.

Words are named by position (0-based, an ``int``) or as typed (a ``str``,
normalized; hiding a word hides each place it appears, pointing at one needs
it to appear once). Steps count from 0, as the rows of the weights do.

Both hiding and pointing are masks on the attention (`Attention`'s ``mask``:
the softmax over the positions the mask keeps), so no layer changes: the
decoding loop hands the decoder a different mask at each step.

`resolve` checks a question against the sentence and the target vocabulary and
turns it into ids and positions (a `Steering`); a question that cannot be asked
is a `WhatIfError` naming the option.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from seq2seq.errors import UserError
from seq2seq.text import END, PAD, PAD_ID, START, UNK, normalize

# Long enough for any word, short enough that an error message stays one line.
QUOTED_MAX_CHARACTERS = 30


class WhatIfError(UserError):
    """A question the sentence or the model cannot answer; ``option`` names which option."""

    def __init__(self, message: str, option: str):
        super().__init__(message)
        self.option = option


@dataclass(frozen=True)
class WhatIf:
    """What to ask of the model while it translates one sentence (see the module).

    ``prefix``: the words it must write first, a string or a list of tokens.
    ``hide``: source words (positions or words) the attention may not read.
    ``point``: ``(step, word)`` pairs: at ``step`` the attention reads ``word`` alone.
    """

    prefix: str | Sequence[str] | None = None
    hide: Sequence[int | str] = ()
    point: Sequence[tuple[int, int | str]] = ()

    def __bool__(self) -> bool:
        return bool(self.prefix) or bool(self.hide) or bool(self.point)


@dataclass(frozen=True)
class Steering:
    """A `WhatIf` resolved against one sentence: ids and positions the decoding loop takes.

    ``prefix_ids`` are target ids; ``prefix_words`` the words forced, as the
    translation shows them (a word outside the target vocabulary that the source
    reads as [UNK] is forced as [UNK] and shown as typed). ``hidden`` are source
    positions, sorted; ``pointed`` ``(step, source position)`` pairs, by step.
    """

    prefix_ids: tuple[int, ...] = ()
    prefix_words: tuple[str, ...] = ()
    hidden: tuple[int, ...] = ()
    pointed: tuple[tuple[int, int], ...] = ()


def resolve(
    what_if: WhatIf,
    words: Sequence[str],
    source_ids: Sequence[int],
    target_lookup: Mapping[str, int],
    unknown_ids: tuple[int, int],
    limit: int,
) -> Steering:
    """``what_if`` for the sentence of normalized ``words`` (read as ``source_ids``).

    ``target_lookup`` maps the target vocabulary's words to ids; ``unknown_ids``
    are [UNK]'s source and target ids; ``limit`` is how many tokens a
    translation of this sentence may have (`seq2seq.inference.max_steps`).
    """
    source_unknown, target_unknown = unknown_ids
    unknown_words = {word for word, id_ in zip(words, source_ids) if id_ == source_unknown}
    prefix_words = _prefix_words(what_if.prefix)
    if len(prefix_words) > limit:
        raise WhatIfError(
            f"The prefix has {len(prefix_words):,} tokens; a translation of this sentence has "
            f"at most {limit}, so give at most that many.",
            "prefix",
        )
    prefix_ids = tuple(
        _target_id(word, target_lookup, unknown_words, target_unknown) for word in prefix_words
    )
    hidden = _hidden(what_if.hide, words)
    pointed = _pointed(what_if.point, words, hidden, limit)
    return Steering(prefix_ids, tuple(prefix_words), hidden, pointed)


def steering_arrays(
    steerings: Sequence[Steering | None], source: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The decoding loop's inputs for a batch of sentences, source ids ``(B, S)``.

    Returns ``prefix`` ``(B, P)`` target ids (padded, P >= 1), ``prefix_lengths``
    ``(B,)``, ``visible`` ``(B, S)`` (real source tokens not hidden) and
    ``pointed`` ``(B, L, S)``, True at the one position each pointed step reads
    (L >= 1; a step past L, or a row all False, is not pointed).
    """
    steerings = [steering or Steering() for steering in steerings]
    batch, source_length = source.shape
    prefix_length = max([1, *(len(s.prefix_ids) for s in steerings)])
    steps = max([1, *(step + 1 for s in steerings for step, _ in s.pointed)])
    prefix = np.full((batch, prefix_length), PAD_ID, np.int64)
    prefix_lengths = np.zeros(batch, np.int32)
    visible = source != PAD_ID
    pointed = np.zeros((batch, steps, source_length), bool)
    for row, steering in enumerate(steerings):
        prefix[row, : len(steering.prefix_ids)] = steering.prefix_ids
        prefix_lengths[row] = len(steering.prefix_ids)
        visible[row, list(steering.hidden)] = False
        for step, position in steering.pointed:
            pointed[row, step, position] = True
    return prefix, prefix_lengths, visible, pointed


def _prefix_words(prefix: str | Sequence[str] | None) -> list[str]:
    if prefix is None:
        return []
    if not isinstance(prefix, str):
        if not all(isinstance(word, str) for word in prefix):
            raise WhatIfError("The prefix must be text or a list of words.", "prefix")
        prefix = " ".join(prefix)
    return normalize(prefix).split()


def _target_id(
    word: str, target_lookup: Mapping[str, int], unknown_words: set[str], target_unknown: int
) -> int:
    """The id a forced word is written with; a `WhatIfError` for one the model cannot write."""
    if word.upper() in (START, END, UNK) or word == PAD:
        raise WhatIfError(
            f"The prefix holds the marker {_quoted(word)}; give words of the translation only.",
            "prefix",
        )
    if word in target_lookup:
        return target_lookup[word]
    if word in unknown_words:  # a name the model copies through [UNK]
        return target_unknown
    raise WhatIfError(
        f"The model cannot write {_quoted(word)}: it is not among the "
        f"{len(target_lookup) - 1:,} words of its target vocabulary nor a word of the sentence "
        "that it copies; force a word it knows.",
        "prefix",
    )


def _hidden(hide: Sequence[int | str], words: Sequence[str]) -> tuple[int, ...]:
    hidden: set[int] = set()
    for word in _as_list(hide, "hide"):
        if isinstance(word, str):
            hidden |= set(_places(word, words, "hide"))
        else:
            hidden.add(_position(word, words, "hide"))
    if hidden and len(hidden) == len(words):
        raise WhatIfError(
            f"Hiding all {len(words)} source words leaves the attention nothing to read; "
            "keep at least one visible.",
            "hide",
        )
    return tuple(sorted(hidden))


def _pointed(
    point: Sequence[tuple[int, int | str]],
    words: Sequence[str],
    hidden: tuple[int, ...],
    limit: int,
) -> tuple[tuple[int, int], ...]:
    pointed: dict[int, int] = {}
    for item in _as_list(point, "point"):
        if isinstance(item, str) or not isinstance(item, Sequence) or len(item) != 2:
            raise WhatIfError(
                f"Each point is a pair (step, word), got {_quoted(repr(item))}.", "point"
            )
        step, word = item
        if isinstance(step, bool) or not isinstance(step, int | np.integer) or step < 0:
            raise WhatIfError(
                f"A point's step must be a whole number from 0, got {step!r}.", "point"
            )
        if step >= limit:
            raise WhatIfError(
                f"Step {step} is out of range: a translation of this sentence has at most "
                f"{limit} steps, 0 to {limit - 1}.",
                "point",
            )
        if isinstance(word, str):
            places = _places(word, words, "point")
            if len(places) > 1:
                raise WhatIfError(
                    f"{_quoted(word)} appears {len(places)} times in the sentence; point at "
                    f"one by its position ({', '.join(map(str, places))}).",
                    "point",
                )
            position = places[0]
        else:
            position = _position(word, words, "point")
        if position in hidden:
            raise WhatIfError(
                f"Source word {position} ({_quoted(words[position])}) is hidden, so the "
                "attention cannot be pointed at it; hide it or point at it, not both.",
                "point",
            )
        if int(step) in pointed:
            raise WhatIfError(f"Step {step} is pointed twice; point each step once.", "point")
        pointed[int(step)] = position
    return tuple(sorted(pointed.items()))


def _as_list(value, option: str) -> list:
    """``value`` as a list of items; one word, position or point stands alone."""
    if isinstance(value, str | int | np.integer):
        return [value]
    value = list(value)
    if option == "point" and len(value) == 2 and not isinstance(value[0], Sequence):
        return [tuple(value)]  # one (step, word) pair
    return value


def _places(word: str, words: Sequence[str], option: str) -> list[int]:
    """The positions of ``word`` (normalized) among the sentence's ``words``."""
    normalized = normalize(word)
    places = [position for position, token in enumerate(words) if token == normalized]
    if not places:
        raise WhatIfError(
            f"{_quoted(word)} is not a word of the sentence ({' '.join(words)}); "
            "name one of its words.",
            option,
        )
    return places


def _position(position, words: Sequence[str], option: str) -> int:
    if isinstance(position, bool) or not isinstance(position, int | np.integer):
        raise WhatIfError(
            f"A source word is named by its position or as typed, got {position!r}.", option
        )
    if not 0 <= position < len(words):
        raise WhatIfError(
            f"Source position {position} does not exist: the sentence has {len(words)} "
            f"words and punctuation marks, 0 to {len(words) - 1}.",
            option,
        )
    return int(position)


def _quoted(text: str) -> str:
    if len(text) > QUOTED_MAX_CHARACTERS:
        text = text[: QUOTED_MAX_CHARACTERS - 1] + "…"
    return repr(text)
