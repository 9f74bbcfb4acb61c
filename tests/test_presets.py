"""``train.py --preset NAME``: checked-in settings between the defaults and the flags."""

from __future__ import annotations

import pytest

from seq2seq import presets
from seq2seq.cli import train_main, train_parser
from seq2seq.config import Config


def config_of(*argv: str) -> Config:
    """The configuration ``train.py`` would train with for these arguments."""
    arguments = train_parser().parse_args(argv)
    return presets.configure(arguments, presets.given_settings(train_parser(defaults=False), argv))


@pytest.mark.parametrize("name", list(presets.presets()))
def test_every_preset_is_a_valid_configuration(name):
    Config(**presets.settings(name))


def test_without_a_preset_the_configuration_is_the_reference_defaults():
    assert config_of() == config_of("--preset", "reference") == Config()


def test_the_spa_preset_loads_its_settings_over_the_defaults():
    config = config_of("--preset", "spa")
    assert config.corpus == "anki:spa"
    assert (config.max_length, config.max_vocabulary) == (16, 8000)
    assert config.units == Config().units  # a setting the preset leaves alone


def test_flags_override_the_preset_wherever_they_come_on_the_line():
    config = config_of("--epochs", "2", "--preset", "spa", "--corpus", "tsv:pairs.tsv")
    assert (config.epochs, config.corpus) == (2, "tsv:pairs.tsv")
    assert config.max_vocabulary == 8000


def test_a_flag_given_its_default_value_still_overrides_the_preset():
    assert presets.settings("spa")["warmup_epochs"] != Config().warmup_epochs == 0.0
    assert config_of("--preset", "spa", "--warmup-epochs", "0").warmup_epochs == 0.0


def test_a_switch_the_preset_turns_on_is_turned_off_by_its_no_flag():
    assert config_of("--preset", "spa").tie_embeddings
    assert not config_of("--preset", "spa", "--no-tie-embeddings").tie_embeddings
    assert config_of("--tie-embeddings").tie_embeddings
    assert not config_of().tie_embeddings


def test_help_lists_every_preset_and_what_it_is():
    help = " ".join(train_parser().format_help().split())
    for name, preset in presets.presets().items():
        assert f"{name}: {preset['about']}" in help


def test_an_unknown_preset_is_refused_in_one_line(capsys):
    assert train_main(["--preset", "spanish"]) == 2
    error = capsys.readouterr().err
    assert error == (
        "error: --preset 'spanish' is not a preset; choose one of: reference, spa, long.\n"
    )


def test_the_long_preset_trains_the_long_sentences_for_a_time_budget_with_or_without_attention():
    config = config_of("--preset", "long")
    assert (config.corpus, config.time_budget) == ("embedded:long", 150)
    assert config.units == Config().units and config.attention == "additive"
    assert config_of("--preset", "long", "--attention", "none").attention == "none"
