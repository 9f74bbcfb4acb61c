"""The attention record: one translation's attention as JSON, from any model, for any tool.

A record is a JSON object (one per line in a ``.jsonl`` file)::

    {"format": "attention-record", "version": 1,
     "source_tokens": ["I", "eat", "."],
     "target_tokens": ["como", "."],
     "weights": [[0.2, 0.7, 0.1], [0.0, 0.1, 0.9]],
     "score": -0.31,
     "sentence": "I eat.", "model": {"run": "reference", "attention": "additive"},
     "hypotheses": [{"target_tokens": [...], "weights": [...], "score": ...}, ...]}

``source_tokens``, ``target_tokens`` and ``weights`` (rows are target tokens,
columns source tokens) are required; ``format`` and ``version`` are written
always and checked when present; ``score`` (a log-probability), ``sentence``
(the input as typed), ``model`` (free-form facts about what produced it) and
``hypotheses`` (the n best, best first, each with its own target tokens,
weights and score over the same source tokens) are optional.

Version 2 adds what a question to the model asked and learned, each optional
(a version 1 record, which has none of them, reads as before)::

     "alternatives": [[["el", 0.93], ["la", 0.04]], ...],  # per target token, best first
     "log_probabilities": [-0.07, ...], "ranks": [1, ...],  # per target token
     "surprises": [3],                  # target tokens the model did not expect
     "forced": 2,                       # how many leading target tokens were forced
     "hidden": [1],                     # source positions hidden from the attention
     "pointed": [{"step": 2, "source": 4}]  # where the attention was pointed

``alternatives`` are the most probable words at each step with their
probabilities; ``log_probabilities`` and ``ranks`` say how probable each
written word was and where it ranked (1: the model's first choice); a hidden
column has weight 0 in every row. A hypothesis may carry its own
``alternatives``, ``log_probabilities``, ``ranks`` and ``surprises``.
`translate --save-records`, the lab's API and the export's users all write
this one shape, and every function of `viz` draws it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from viz._files import write_text_atomically
from viz._questions import questions_of, questions_to_json
from viz._validate import as_attention

FORMAT = "attention-record"
VERSION = 2


class RecordError(ValueError):
    """A record that is not one: the message names the field and what was expected."""


# A hypothesis nested in a record keeps these fields; the rest are its record's.
HYPOTHESIS_FIELDS = (
    "target_tokens",
    "weights",
    "score",
    "alternatives",
    "log_probabilities",
    "ranks",
    "surprises",
)


@dataclass(frozen=True)
class AttentionRecord:
    """One translation and the attention behind it, with the n best hypotheses if known.

    ``weights`` has shape ``(len(target_tokens), len(source_tokens))``. It has
    the attributes every `viz` function reads, so a record is drawn as it is.
    """

    source_tokens: list[str]
    target_tokens: list[str]
    weights: np.ndarray
    score: float | None = None
    sentence: str | None = None
    model: dict[str, Any] = field(default_factory=dict)
    hypotheses: tuple[AttentionRecord, ...] = ()
    alternatives: tuple[tuple[tuple[str, float], ...], ...] = ()
    log_probabilities: np.ndarray | None = None
    ranks: np.ndarray | None = None
    surprises: tuple[int, ...] = ()
    forced: int = 0
    hidden: tuple[int, ...] = ()
    pointed: tuple[tuple[int, int], ...] = ()

    @classmethod
    def of(cls, translation: Any, **extra: Any) -> AttentionRecord:
        """The record of anything with ``weights``, ``source_tokens`` and ``target_tokens``.

        A ``score``, ``hypotheses`` and the version 2 fields (see the module)
        are taken where present; ``extra`` sets ``sentence`` and ``model``.
        """
        attention = as_attention(translation)
        hypotheses = tuple(
            cls.of(hypothesis) for hypothesis in getattr(translation, "hypotheses", ()) or ()
        )
        score = getattr(translation, "score", None)
        return cls(
            attention.source_tokens,
            attention.target_tokens,
            attention.weights,
            None if score is None else float(score),
            hypotheses=hypotheses,
            **questions_of(translation, attention.weights),
            **extra,
        )

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON-ready dict (weights rounded to 6 decimals)."""
        record: dict[str, Any] = {"format": FORMAT, "version": VERSION}
        record["source_tokens"] = list(self.source_tokens)
        record["target_tokens"] = list(self.target_tokens)
        record["weights"] = np.round(np.asarray(self.weights, dtype=float), 6).tolist()
        if self.score is not None:
            record["score"] = round(float(self.score), 6)
        if self.sentence is not None:
            record["sentence"] = self.sentence
        if self.model:
            record["model"] = dict(self.model)
        if self.hypotheses:
            record["hypotheses"] = [
                _hypothesis_json(hypothesis.to_json()) for hypothesis in self.hypotheses
            ]
        return record | questions_to_json(self)

    @classmethod
    def from_json(cls, data: Any) -> AttentionRecord:
        """A record from its JSON form; `RecordError` naming the bad field otherwise."""
        if not isinstance(data, Mapping):
            raise RecordError(f"a record is a JSON object, not {_json_type(data)}")
        _check_header(data)
        for name in ("source_tokens", "target_tokens", "weights"):
            if name not in data:
                raise RecordError(f"field {name!r} is missing")
        hypotheses = data.get("hypotheses", [])
        if not isinstance(hypotheses, list):
            raise RecordError(f"field 'hypotheses' is {_json_type(hypotheses)}; expected a list")
        parsed = []
        for number, hypothesis in enumerate(hypotheses, start=1):
            if not isinstance(hypothesis, Mapping):
                raise RecordError(
                    f"hypothesis {number} is {_json_type(hypothesis)}; expected an object"
                )
            try:
                parsed.append(cls.from_json({"source_tokens": data["source_tokens"], **hypothesis}))
            except RecordError as error:
                raise RecordError(f"hypothesis {number}: {error}") from None
        model = data.get("model", {})
        if not isinstance(model, Mapping):
            raise RecordError(f"field 'model' is {_json_type(model)}; expected an object")
        try:
            attention = as_attention(
                (data["weights"], data["source_tokens"], data["target_tokens"])
            )
            questions = questions_of(data, attention.weights)
        except ValueError as error:
            raise RecordError(str(error).rstrip(".")) from None
        return cls(
            attention.source_tokens,
            attention.target_tokens,
            attention.weights,
            _optional(data, "score", (int, float), "a number"),
            _optional(data, "sentence", str, "a string"),
            dict(model),
            tuple(parsed),
            **questions,
        )


def read_records(path: str | os.PathLike[str]) -> list[AttentionRecord]:
    """The records of a JSON Lines file (or of a ``.json`` file: one record or a list).

    A bad record raises `RecordError` naming its line (or position) and field.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise RecordError(f"{path} is not JSON ({error.msg} at line {error.lineno})") from None
        items = list(enumerate(data if isinstance(data, list) else [data], start=1))
        where = "record"
    else:
        items = [(number, line) for number, line in enumerate(text.splitlines(), start=1)]
        items = [(number, _json_line(path, number, line)) for number, line in items if line.strip()]
        where = "line"
    records = []
    for number, data in items:
        try:
            records.append(AttentionRecord.from_json(data))
        except RecordError as error:
            raise RecordError(f"{path}, {where} {number}: {error}") from None
    if not records:
        raise RecordError(f"{path} holds no records; expected one JSON object per line")
    return records


def write_records(records: Iterable[Any], path: str | os.PathLike[str]) -> Path:
    """Write records (or anything `AttentionRecord.of` takes) as JSON Lines, atomically."""
    path = Path(path)
    lines = [
        json.dumps(
            (
                record if isinstance(record, AttentionRecord) else AttentionRecord.of(record)
            ).to_json(),
            ensure_ascii=False,
        )
        for record in records
    ]
    text = "".join(f"{line}\n" for line in lines)
    write_text_atomically(path, text)
    return path


def _check_header(data: Mapping[str, Any]) -> None:
    if data.get("format", FORMAT) != FORMAT:
        raise RecordError(f"field 'format' is {data['format']!r}; expected {FORMAT!r}")
    version = data.get("version", VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= VERSION:
        raise RecordError(f"field 'version' is {version!r}; this viz reads versions 1 to {VERSION}")


def _hypothesis_json(record: dict[str, Any]) -> dict[str, Any]:
    """A hypothesis as it is nested: its source tokens, and what was asked, are its record's."""
    return {key: record[key] for key in HYPOTHESIS_FIELDS if key in record}


def _optional(data: Mapping[str, Any], name: str, types: type | tuple, expected: str) -> Any:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, types) or isinstance(value, bool):
        raise RecordError(f"field {name!r} is {_json_type(value)}; expected {expected}")
    return float(value) if expected == "a number" else value


def _json_line(path: Path, number: int, line: str) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as error:
        raise RecordError(f"{path}, line {number}: not JSON ({error.msg})") from None


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)
