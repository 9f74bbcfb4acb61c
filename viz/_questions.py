"""The record's fields of a question to the model (version 2), read, checked and written.

What each field means is in `viz.record`'s docstring. The checks run on a
record read from JSON and on any object `AttentionRecord.of` takes, so every
picture can trust them: one entry per target token, positions in range, a
hidden column without weight. A bad field is a ValueError naming it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

QUESTION_FIELDS = (
    "alternatives",
    "log_probabilities",
    "ranks",
    "surprises",
    "forced",
    "hidden",
    "pointed",
)
# Written to 6 decimals; a weight that rounds to this little is no weight.
ROUNDING = 1e-6


def questions_of(
    source: Any, target_length: int, source_length: int, weights: np.ndarray | None
) -> dict[str, Any]:
    """The question fields ``source`` has (attributes or mapping keys), checked against its
    token counts and the ``weights`` ``(T, S)`` they go with (None: a model without
    attention, which has no attention to hide a word from or to point)."""
    found = source if isinstance(source, Mapping) else vars_of(source)
    values = {name: found.get(name) for name in QUESTION_FIELDS}
    if weights is None:
        for name in ("hidden", "pointed"):
            if _given(values[name]):
                raise ValueError(
                    f"field {name!r} asks about the attention, but the record has no weights "
                    "(a model without attention)"
                )
    checked: dict[str, Any] = {}
    if _given(values["alternatives"]):
        checked["alternatives"] = _alternatives(values["alternatives"], target_length)
    if _given(values["log_probabilities"]):
        checked["log_probabilities"] = _log_probabilities(
            values["log_probabilities"], target_length
        )
    if _given(values["ranks"]):
        checked["ranks"] = _ranks(values["ranks"], target_length)
    if _given(values["surprises"]):
        checked["surprises"] = _positions(values["surprises"], target_length, "surprises", "target")
    if values["forced"]:
        checked["forced"] = _forced(values["forced"], target_length)
    if _given(values["hidden"]):
        checked["hidden"] = _hidden(values["hidden"], weights)
    if _given(values["pointed"]):
        checked["pointed"] = _pointed(values["pointed"], target_length, source_length)
    return checked


def questions_to_json(record: Any) -> dict[str, Any]:
    """The question fields of ``record`` that hold something, as JSON-ready values."""
    data: dict[str, Any] = {}
    if record.alternatives:
        data["alternatives"] = [
            [[word, round(float(probability), 6)] for word, probability in step]
            for step in record.alternatives
        ]
    if record.log_probabilities is not None:
        data["log_probabilities"] = np.round(record.log_probabilities.astype(float), 6).tolist()
    if record.ranks is not None:
        data["ranks"] = record.ranks.tolist()
    for name in ("surprises", "hidden"):
        if getattr(record, name):
            data[name] = list(getattr(record, name))
    if record.forced:
        data["forced"] = record.forced
    if record.pointed:
        data["pointed"] = [{"step": step, "source": source} for step, source in record.pointed]
    return data


def vars_of(source: Any) -> dict[str, Any]:
    """The question attributes of an object (a ``Translation``, say), None where absent."""
    return {name: getattr(source, name, None) for name in QUESTION_FIELDS}


def _given(value: Any) -> bool:
    if value is None:
        return False
    return len(value) > 0 if isinstance(value, Sequence | np.ndarray) else True


def _alternatives(value: Any, target_length: int) -> tuple[tuple[tuple[str, float], ...], ...]:
    steps = _per_token(value, target_length, "alternatives")
    checked = []
    for step, alternatives in enumerate(steps):
        if isinstance(alternatives, str) or not isinstance(alternatives, Sequence):
            raise ValueError(
                f"field 'alternatives', step {step}: expected a list of [word, probability] pairs"
            )
        pairs = []
        for pair in alternatives:
            if (
                isinstance(pair, str)
                or not isinstance(pair, Sequence)
                or len(pair) != 2
                or not isinstance(pair[0], str)
                or not _is_number(pair[1])
                or not -ROUNDING <= pair[1] <= 1 + ROUNDING
            ):
                raise ValueError(
                    f"field 'alternatives', step {step}: {pair!r} is not a [word, probability] "
                    "pair with a probability from 0 to 1"
                )
            pairs.append((pair[0], float(pair[1])))
        checked.append(tuple(pairs))
    return tuple(checked)


def _log_probabilities(value: Any, target_length: int) -> np.ndarray:
    values = _per_token(value, target_length, "log_probabilities")
    if not all(_is_number(item) for item in values):
        raise ValueError("field 'log_probabilities' holds something other than numbers")
    array = np.asarray(values, dtype=float)
    if not (np.isfinite(array) & (array <= ROUNDING)).all():
        raise ValueError("field 'log_probabilities' holds a value that is not finite and <= 0")
    return array


def _ranks(value: Any, target_length: int) -> np.ndarray:
    values = _per_token(value, target_length, "ranks")
    if not all(_is_whole(item) and item >= 1 for item in values):
        raise ValueError("field 'ranks' holds something other than whole numbers >= 1")
    return np.asarray(values, dtype=np.int64)


def _forced(value: Any, target_length: int) -> int:
    if not _is_whole(value) or not 0 <= value <= target_length:
        raise ValueError(
            f"field 'forced' is {value!r}; expected how many of the {target_length} "
            "target tokens were forced"
        )
    return int(value)


def _hidden(value: Any, weights: np.ndarray) -> tuple[int, ...]:
    source_length = weights.shape[1]
    hidden = _positions(value, source_length, "hidden", "source")
    if len(set(hidden)) == source_length:
        raise ValueError("field 'hidden' hides every source token; at least one stays visible")
    for column in hidden:
        if (weights[:, column] > ROUNDING).any():
            raise ValueError(
                f"field 'hidden' names source token {column}, but its column has weight; "
                "a hidden token gets none"
            )
    return hidden


def _pointed(value: Any, target_length: int, source_length: int) -> tuple[tuple[int, int], ...]:
    if isinstance(value, str | Mapping) or not isinstance(value, Sequence):
        raise ValueError("field 'pointed' is not a list of {step, source} objects")
    pointed = []
    for item in value:
        pair = (item.get("step"), item.get("source")) if isinstance(item, Mapping) else item
        if isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise ValueError(f"field 'pointed': {item!r} is not a {{step, source}} object")
        step, source = pair
        if not (_is_whole(step) and 0 <= step < target_length):
            raise ValueError(
                f"field 'pointed': step {step!r} is not one of 0 to {target_length - 1}"
            )
        if not (_is_whole(source) and 0 <= source < source_length):
            raise ValueError(
                f"field 'pointed': source {source!r} is not one of 0 to {source_length - 1}"
            )
        pointed.append((int(step), int(source)))
    return tuple(pointed)


def _per_token(value: Any, target_length: int, name: str) -> list:
    if isinstance(value, str) or not isinstance(value, Sequence | np.ndarray):
        raise ValueError(f"field {name!r} is not a list")
    if len(value) != target_length:
        raise ValueError(
            f"field {name!r} has {len(value)} entries; expected one per target token "
            f"({target_length})"
        )
    return list(value)


def _positions(value: Any, length: int, name: str, side: str) -> tuple[int, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence | np.ndarray):
        raise ValueError(f"field {name!r} is not a list of positions")
    for position in value:
        if not (_is_whole(position) and 0 <= position < length):
            raise ValueError(
                f"field {name!r} holds {position!r}; expected {side} positions 0 to {length - 1}"
            )
    return tuple(int(position) for position in value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.number) and not isinstance(value, bool)


def _is_whole(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)
