"""The run configuration: one frozen dataclass whose defaults are the reference model.

Every field is a command-line flag of ``train.py`` (``units`` → ``--units``), its
help text is the field's ``help`` metadata, and every run directory keeps the
configuration it was trained with as ``config.json``. This module does not
import TensorFlow, so ``--help`` and flag errors are instant.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seq2seq.errors import UserError

RNN_KINDS = ("gru", "lstm")
SCORES = ("additive", "dot", "general", "scaled_dot")
CORPUS_KINDS = ("embedded",)


def _option(default: Any, help: str, choices: tuple[str, ...] | None = None) -> Any:
    return field(default=default, metadata={"help": help, "choices": choices})


@dataclass(frozen=True)
class Config:
    # data
    corpus: str = _option("embedded", "where the sentence pairs come from: embedded")
    corpus_size: int = _option(24_000, "pairs generated for the embedded corpus")
    validation_fraction: float = _option(0.1, "share of pairs held out for validation")
    test_fraction: float = _option(0.1, "share of pairs held out for the final test")
    # model
    embedding_dim: int = _option(128, "size of the token embeddings, both sides")
    units: int = _option(256, "decoder GRU units; each encoder direction gets half")
    encoder: str = _option("gru", "encoder RNN cell", RNN_KINDS)
    encoder_layers: int = _option(1, "stacked bidirectional encoder layers")
    decoder_layers: int = _option(1, "stacked decoder GRU layers")
    attention: str = _option("additive", "attention score", SCORES)
    dropout: float = _option(0.1, "dropout on embeddings and before the output layer")
    # training
    batch_size: int = _option(64, "sentence pairs per batch")
    epochs: int = _option(6, "maximum number of epochs")
    learning_rate: float = _option(3e-3, "Adam learning rate")
    patience: int = _option(3, "epochs without validation improvement before stopping")
    seed: int = _option(0, "seed for the corpus, the split, shuffling and initial weights")

    def __post_init__(self) -> None:
        for name in ("corpus_size", "embedding_dim", "units", "encoder_layers",
                     "decoder_layers", "batch_size", "epochs", "patience"):  # fmt: skip
            if getattr(self, name) < 1:
                raise UserError(f"{_flag(name)} must be at least 1, got {getattr(self, name)}.")
        if self.units % 2:
            raise UserError(
                f"--units must be even (each encoder direction gets half), got {self.units}."
            )
        for name in ("validation_fraction", "test_fraction", "dropout"):
            if not 0 <= getattr(self, name) < 1:
                raise UserError(f"{_flag(name)} must be in [0, 1), got {getattr(self, name)}.")
        if self.validation_fraction + self.test_fraction >= 1:
            raise UserError(
                "--validation-fraction and --test-fraction together must leave pairs "
                "for training; lower one of them."
            )
        if self.learning_rate <= 0:
            raise UserError(f"--learning-rate must be positive, got {self.learning_rate}.")
        kind = self.corpus.split(":", 1)[0]
        if kind not in CORPUS_KINDS:
            raise UserError(
                f"--corpus {self.corpus!r} is not a known corpus; use one of: "
                + ", ".join(CORPUS_KINDS)
                + "."
            )
        for spec in dataclasses.fields(self):
            choices = spec.metadata["choices"]
            if choices and getattr(self, spec.name) not in choices:
                raise UserError(
                    f"{_flag(spec.name)} must be one of {', '.join(choices)}, "
                    f"got {getattr(self, spec.name)!r}."
                )

    # --- files -------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "the configuration") -> Config:
        """Validate ``data`` (as read from ``config.json``) and build a `Config`."""
        if not isinstance(data, dict):
            raise UserError(f"{source} must hold a JSON object of settings.")
        known = {spec.name: spec for spec in dataclasses.fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise UserError(
                f"{source} has unknown setting(s) {', '.join(unknown)}; "
                "it was written by another version, so retrain or remove them."
            )
        for name, value in data.items():
            expected = type(known[name].default)
            if expected is float and isinstance(value, int) and not isinstance(value, bool):
                continue
            if type(value) is not expected:
                raise UserError(
                    f"{source}: setting {name!r} must be {_KINDS[expected]}, got {value!r}."
                )
        return cls(**data)

    @classmethod
    def load(cls, path: Path) -> Config:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise UserError(
                f"{path} is missing; is this a run directory written by train.py?"
            ) from None
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise UserError(f"{path} is not valid JSON ({error}); retrain to rewrite it.") from None
        return cls.from_dict(data, source=str(path))

    # --- command line --------------------------------------------------------------

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """Add one ``--flag`` per field, defaulting to the reference value."""
        group = parser.add_argument_group("configuration (defaults are the reference model)")
        for spec in dataclasses.fields(cls):
            group.add_argument(
                _flag(spec.name),
                dest=spec.name,
                type=type(spec.default),
                default=spec.default,
                choices=spec.metadata["choices"],
                metavar=None if spec.metadata["choices"] else _METAVARS[type(spec.default)],
                help=f"{spec.metadata['help']} (default: {spec.default})",
            )

    @classmethod
    def from_arguments(cls, arguments: argparse.Namespace) -> Config:
        return cls(**{spec.name: getattr(arguments, spec.name) for spec in dataclasses.fields(cls)})


_METAVARS = {int: "N", float: "X", str: "SPEC"}
_KINDS = {int: "an integer", float: "a number", str: "text"}


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")
