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
import math
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seq2seq.errors import UserError
from seq2seq.text import MAX_TOKENS

RNN_KINDS = ("gru", "lstm")
SCORES = ("additive", "dot", "general", "scaled_dot")
# --attention: a score, or none for the encoder-decoder without attention (seq2seq.model)
ATTENTIONS = (*SCORES, "none")
STRATEGIES = ("default", "mirrored", "multiworker")  # train.py --strategy; see seq2seq.distribution
# kind → how to write it; `seq2seq.corpora.load_corpus` reads each
CORPUS_KINDS = {
    "embedded": "embedded[:long]",
    "tsv": "tsv:PATH",
    "tfds": "tfds:NAME[/CONFIG]",
    "anki": "anki:LANGUAGE",
}


def _option(
    default: Any,
    help: str,
    choices: tuple[str, ...] | None = None,
    unset: str = "none",
    metavar: str | None = None,
) -> Any:
    """A field with its ``--help`` text; ``unset`` says what a default of None means."""
    metadata = {"help": help, "choices": choices, "unset": unset, "metavar": metavar}
    return field(default=default, metadata=metadata)


def _language_option(direction: str) -> Any:
    """``--source-language`` (``direction`` "from") or ``--target-language`` ("into")."""
    help = f"tfds: the dataset's language to translate {direction}"
    return _option(None, help, unset="the dataset's own", metavar="KEY")


@dataclass(frozen=True)
class Config:
    # data
    corpus: str = _option(
        "embedded",
        "where the sentence pairs come from: embedded (English→Spanish grammar; embedded:long "
        "its sentences of 3 to 40 tokens), tsv:PATH "
        "(source<TAB>target lines), tfds:NAME[/CONFIG] (a tensorflow-datasets translation "
        "dataset), anki:LANGUAGE (English→LANGUAGE pairs from manythings.org/anki, e.g. anki:spa)",
    )
    corpus_size: int = _option(24_000, "pairs generated for the embedded corpus")
    reverse: bool = _option(False, "translate the other way: the corpus' target becomes the source")
    max_length: int | None = _option(
        None,
        "drop pairs with more than N tokens on either side",
        unset=f"none, but a pair with a sentence over {MAX_TOKENS} tokens is refused",
    )
    max_pairs: int | None = _option(
        None,
        "keep the first N pairs that --max-length lets through, of the file or of each split "
        "of a dataset (Anki files go shortest first)",
        unset="all",
    )
    source_language: str | None = _language_option("from")
    target_language: str | None = _language_option("into")
    data_dir: str | None = _option(
        None,
        "where tensorflow-datasets keeps downloads and prepared data (tfds:, anki:)",
        unset="its own, ~/tensorflow_datasets",
        metavar="DIR",
    )
    validation_fraction: float = _option(0.1, "share of pairs held out for validation")
    test_fraction: float = _option(0.1, "share of pairs held out for the final test")
    max_vocabulary: int | None = _option(
        None,
        "keep the N most frequent tokens of each side; rarer ones read as [UNK]",
        unset="every token of the training pairs",
    )
    # model
    embedding_dim: int = _option(128, "size of the token embeddings, both sides")
    units: int = _option(256, "decoder GRU units; each encoder direction gets half")
    encoder: str = _option("gru", "encoder RNN cell", RNN_KINDS)
    encoder_layers: int = _option(1, "stacked bidirectional encoder layers")
    decoder_layers: int = _option(1, "stacked decoder GRU layers")
    attention: str = _option(
        "additive",
        "attention score, or none: no attention, the decoder reads the source only through "
        "the encoder's final state (the baseline that shows what attention is for)",
        ATTENTIONS,
    )
    dropout: float = _option(0.1, "dropout on embeddings and before the output layer")
    tie_embeddings: bool = _option(
        False,
        "the output layer reuses the target embeddings, transposed: fewer weights, and its "
        "product over a large target vocabulary costs --embedding-dim/--units as much",
    )
    # training
    batch_size: int = _option(64, "sentence pairs per batch")
    epochs: int = _option(4, "maximum number of epochs")
    learning_rate: float = _option(3e-3, "Adam learning rate")
    warmup_epochs: float = _option(
        0.0, "epochs over which the learning rate rises from 0 before its cosine decay"
    )
    time_budget: float | None = _option(
        None,
        "stop training after this many seconds; the learning rate then decays over the "
        "seconds instead of over --epochs, which still caps the epochs",
        unset="none: train --epochs epochs",
        metavar="SECONDS",
    )
    patience: int = _option(3, "epochs without validation improvement before stopping")
    seed: int = _option(0, "seed for the corpus, the split, shuffling and initial weights")

    def __post_init__(self) -> None:
        for name in (
            "corpus_size",
            "embedding_dim",
            "units",
            "encoder_layers",
            "decoder_layers",
            "batch_size",
            "epochs",
            "patience",
            "max_length",
            "max_pairs",
            "max_vocabulary",
        ):
            value, least = getattr(self, name), _LEAST.get(name, 1)
            if value is not None and value < least:
                raise UserError(f"{_flag(name)} must be at least {least}, got {value}.")
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
        if not 0 < self.learning_rate < math.inf:  # also false for NaN
            raise UserError(
                f"--learning-rate must be positive and finite, got {self.learning_rate}."
            )
        if self.time_budget is not None and not 0 < self.time_budget < math.inf:
            raise UserError(
                f"--time-budget must be a positive number of seconds, got {self.time_budget}."
            )
        if not 0 <= self.warmup_epochs < self.epochs:
            raise UserError(
                f"--warmup-epochs must be at least 0 and less than --epochs ({self.epochs}), "
                f"got {self.warmup_epochs}."
            )
        if not 0 <= self.seed < 2**32:  # the range NumPy and TensorFlow accept
            raise UserError(f"--seed must be between 0 and {2**32 - 1}, got {self.seed}.")
        self._check_corpus()
        for spec in dataclasses.fields(self):
            choices = spec.metadata["choices"]
            if choices and getattr(self, spec.name) not in choices:
                raise UserError(
                    f"{_flag(spec.name)} must be one of {', '.join(choices)}, "
                    f"got {getattr(self, spec.name)!r}."
                )

    def _check_corpus(self) -> None:
        kind, colon, argument = self.corpus.partition(":")
        if kind not in CORPUS_KINDS:
            raise UserError(
                f"--corpus {self.corpus!r} is not a known corpus; use one of: "
                + ", ".join(CORPUS_KINDS.values())
                + "."
            )
        if (kind == "embedded" and colon and argument != "long") or (
            kind != "embedded" and not argument.strip()
        ):
            raise UserError(
                f"--corpus {self.corpus!r} is incomplete or malformed; "
                f"write it as {CORPUS_KINDS[kind]}."
            )
        if (self.source_language is None) != (self.target_language is None):
            raise UserError("Give both --source-language and --target-language, or neither.")
        if self.source_language is not None and kind != "tfds":
            raise UserError(
                "--source-language and --target-language choose the languages of a tfds: "
                f"corpus; drop them for --corpus {self.corpus} (--reverse swaps its direction)."
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
            expected, optional = _value_type(name), _is_optional(name)
            if value is None and optional:
                continue
            if expected is float and isinstance(value, int) and not isinstance(value, bool):
                continue
            if type(value) is not expected:
                kind = _KINDS[expected] + (" or null" if optional else "")
                raise UserError(
                    f"{source}: setting {name!r} must be {kind}, got {value!r}; "
                    "fix the file or retrain the run."
                )
        try:
            return cls(**data)
        except UserError as error:  # its message names the flag; say which file holds it
            raise UserError(
                f"{source}: {str(error).rstrip('.')}; fix the file or retrain the run."
            ) from None

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
        except OSError as error:  # a folder of that name, no permission to read it
            raise UserError(
                f"{path} cannot be read ({error.strerror}); make it a readable file or retrain."
            ) from None
        return cls.from_dict(data, source=str(path))

    # --- command line --------------------------------------------------------------

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser, defaults: bool = True) -> None:
        """Add one ``--flag`` per field, defaulting to the reference value.

        With ``defaults`` False a flag that is not given leaves no attribute, so
        a parse tells which settings the command line gave (`seq2seq.presets`).
        """
        group = parser.add_argument_group("configuration (defaults are the reference model)")
        for spec in dataclasses.fields(cls):
            kind, help = _value_type(spec.name), spec.metadata["help"]
            default = spec.default if defaults else argparse.SUPPRESS
            if kind is bool:  # --name sets it, --no-name clears it (over a preset's value)
                group.add_argument(
                    _flag(spec.name),
                    dest=spec.name,
                    action=argparse.BooleanOptionalAction,
                    default=default,
                    help=help,
                )
                continue
            shown = spec.metadata["unset"] if spec.default is None else spec.default
            group.add_argument(
                _flag(spec.name),
                dest=spec.name,
                type=kind,
                default=default,
                choices=spec.metadata["choices"],
                metavar=spec.metadata["metavar"]
                or (None if spec.metadata["choices"] else _METAVARS[kind]),
                help=f"{help} (default: {shown})",
            )

    @classmethod
    def from_arguments(cls, arguments: argparse.Namespace) -> Config:
        return cls(**{spec.name: getattr(arguments, spec.name) for spec in dataclasses.fields(cls)})


_METAVARS = {int: "N", float: "X", str: "SPEC"}
_KINDS = {int: "an integer", float: "a number", str: "text", bool: "true or false"}
_LEAST = {"max_vocabulary": 10}  # room for the sentence markers and punctuation
_HINTS = typing.get_type_hints(Config)


def _value_type(name: str) -> type:
    """The type of a field's values: ``int`` for ``int | None``."""
    kinds = [kind for kind in typing.get_args(_HINTS[name]) if kind is not type(None)]
    return kinds[0] if kinds else _HINTS[name]


def _is_optional(name: str) -> bool:
    return type(None) in typing.get_args(_HINTS[name])


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")
