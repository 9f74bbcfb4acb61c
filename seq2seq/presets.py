"""Named starting points for ``train.py --preset NAME``: checked-in settings, not code.

A preset is a set of `Config` values kept in ``presets.json`` beside this
module. The settings of a run come from three layers, each overriding the one
before: the `Config` defaults (the reference model), the preset's settings,
then the flags given on the command line.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any

from seq2seq.config import Config
from seq2seq.errors import UserError

DEFAULT = "reference"
_SETTINGS = frozenset(spec.name for spec in dataclasses.fields(Config))


@cache
def presets() -> dict[str, dict[str, Any]]:
    """Every preset by name: ``{"about": one line, "settings": {field: value}}``."""
    text = resources.files("seq2seq").joinpath("presets.json").read_text(encoding="utf-8")
    return json.loads(text)


def settings(name: str) -> dict[str, Any]:
    """The `Config` values of preset ``name``; `UserError` for a name there is none of."""
    known = presets()
    if name not in known:
        raise UserError(f"--preset {name!r} is not a preset; choose one of: {', '.join(known)}.")
    values = dict(known[name]["settings"])
    # Checks the names and types of the checked-in values (a typo there is a bug).
    Config.from_dict(values, source=f"preset {name!r} of seq2seq/presets.json")
    return values


def describe() -> str:
    """The help text of ``--preset``: each name and what it trains."""
    listed = "; ".join(f"{name}: {preset['about']}" for name, preset in presets().items())
    return (
        f"start from a named configuration that the flags below override. {listed} "
        f"(default: {DEFAULT})"
    )


def given_settings(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> set[str]:
    """The `Config` fields whose flags ``argv`` gives, whatever value they give.

    ``parser`` adds its settings with ``defaults=False`` (`Config.add_arguments`),
    so only the flags on the command line come back: giving a flag its default
    value still overrides the preset.
    """
    return set(vars(parser.parse_args(argv))) & _SETTINGS


def configure(arguments: argparse.Namespace, given: set[str]) -> Config:
    """The run's `Config`: defaults, then the preset ``arguments.preset``, then ``given`` flags."""
    values = settings(arguments.preset)
    values.update({name: getattr(arguments, name) for name in given})
    return Config(**values)
