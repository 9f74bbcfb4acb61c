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

Version 2 also holds records of a model without attention (``--attention
none``): their ``weights`` are ``null``, and so are their hypotheses'; `viz`
draws no matrix for them but says why.

A record is written at the lowest version that holds it: version 1 where it
has weights and asks nothing, so that every reader of version 1 still reads
it. `translate --save-records`, the lab's API and the export's users all write
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
from viz._validate import as_attention, as_tokens, has_attention

FORMAT = "attention-record"
VERSION = 2  # the newest version this viz reads
WITHOUT_WEIGHTS = 2  # the first version whose weights may be null


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

    ``weights`` has shape ``(len(target_tokens), len(source_tokens))``, or is
    None for a model without attention. It has the attributes every `viz`
    function reads, so a record is drawn as it is.
    """

    source_tokens: list[str]
    target_tokens: list[str]
    weights: np.ndarray | None
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
        ``weights`` may be None.
        """
        if has_attention(translation):
            weights, source_tokens, target_tokens = as_attention(translation)
        else:
            (source_tokens, target_tokens), weights = as_tokens(translation), None
        hypotheses = tuple(
            cls.of(hypothesis) for hypothesis in getattr(translation, "hypotheses", ()) or ()
        )
        score = getattr(translation, "score", None)
        questions = questions_of(translation, len(target_tokens), len(source_tokens), weights)
        return cls(
            source_tokens,
            target_tokens,
            weights,
            None if score is None else float(score),
            hypotheses=hypotheses,
            **questions,
            **extra,
        )

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON-ready dict (weights rounded to 6 decimals), at the lowest
        version that holds it."""
        questions = questions_to_json(self)
        asks = questions or any(questions_to_json(h) for h in self.hypotheses)
        version = 1 if self.weights is not None and not asks else VERSION
        record: dict[str, Any] = {"format": FORMAT, "version": version}
        record["source_tokens"] = list(self.source_tokens)
        record["target_tokens"] = list(self.target_tokens)
        record["weights"] = (
            None
            if self.weights is None
            else np.round(np.asarray(self.weights, dtype=float), 6).tolist()
        )
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
        return record | questions

    @classmethod
    def from_json(cls, data: Any) -> AttentionRecord:
        """A record from its JSON form; `RecordError` naming the bad field otherwise."""
        if not isinstance(data, Mapping):
            raise RecordError(f"a record is a JSON object, not {_json_type(data)}")
        version = _check_header(data)
        for name in ("source_tokens", "target_tokens", "weights"):
            if name not in data:
                raise RecordError(f"field {name!r} is missing")
        if data["weights"] is None and version < WITHOUT_WEIGHTS:
            raise RecordError(
                f"field 'weights' is null, which version {version} does not allow; a record "
                f"of a model without attention is version {WITHOUT_WEIGHTS}"
            )
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
                parsed.append(
                    cls.from_json(
                        {"version": version, "source_tokens": data["source_tokens"], **hypothesis}
                    )
                )
            except RecordError as error:
                raise RecordError(f"hypothesis {number}: {error}") from None
            if (parsed[-1].weights is None) != (data["weights"] is None):
                raise RecordError(
                    f"hypothesis {number} and its record disagree: one has weights, the other "
                    "null; a model has attention for all its hypotheses or for none"
                )
        model = data.get("model", {})
        if not isinstance(model, Mapping):
            raise RecordError(f"field 'model' is {_json_type(model)}; expected an object")
        parts = (data["weights"], data["source_tokens"], data["target_tokens"])
        try:
            if data["weights"] is None:
                (source_tokens, target_tokens), weights = as_tokens(parts), None
            else:
                weights, source_tokens, target_tokens = as_attention(parts)
            questions = questions_of(data, len(target_tokens), len(source_tokens), weights)
        except ValueError as error:
            raise RecordError(str(error).rstrip(".")) from None
        return cls(
            source_tokens,
            target_tokens,
            weights,
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


def _check_header(data: Mapping[str, Any]) -> int:
    """The record's version (the newest where it names none); `RecordError` for a bad header."""
    if data.get("format", FORMAT) != FORMAT:
        raise RecordError(f"field 'format' is {data['format']!r}; expected {FORMAT!r}")
    version = data.get("version", VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= VERSION:
        raise RecordError(f"field 'version' is {version!r}; this viz reads versions 1 to {VERSION}")
    return version


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
