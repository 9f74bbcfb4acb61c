"""``python -m seq2seq translate`` asked a question: --prefix, --hide, --point,
--alternatives and --reference, printed beside the model's own translation."""

from __future__ import annotations

import numpy as np
import pytest

import viz
from seq2seq.cli import main

SENTENCE = "The red car is fast."


def translate(tiny_run, *arguments: str) -> list[str]:
    return ["translate", "--run", str(tiny_run), SENTENCE, *arguments]


def test_a_question_is_answered_word_by_word_beside_the_models_own(
    tiny_run, tiny_translator, tmp_path, capsys
):
    own = tiny_translator.translate(SENTENCE)
    records, out = tmp_path / "records.jsonl", tmp_path / "pictures"
    arguments = ["--prefix", "el perro", "--hide", "red", "--point", "3:fast"]
    arguments += ["--alternatives", "2", "--out", str(out), "--save-records", str(records)]
    assert main(translate(tiny_run, *arguments)) == 0
    printed = capsys.readouterr().out
    answer = tiny_translator.translate(
        SENTENCE, prefix="el perro", hide=["red"], point=[(2, "fast")], alternatives=2
    )
    assert f"  → {own.sentence}   (log-probability {own.score:.2f})" in printed
    assert (
        f"  ? {answer.sentence}   (log-probability {answer.score:.2f}: forced el perro; "
        "hidden red; word 3 pointed at fast)"
    ) in printed
    assert "      2 perro" in printed and "forced" in printed
    assert "pointed at fast" in printed and "instead: " in printed
    (record,) = viz.read_records(records)
    assert record.target_tokens == answer.target_tokens
    assert (record.forced, record.hidden, record.pointed) == (2, (1,), ((2, 4),))
    assert (record.weights[:, 1] == 0).all() and record.weights[2, 4] == 1.0
    assert (out / "01-the-red-car-is-fast.alternatives.png").is_file()
    assert (out / "01-the-red-car-is-fast.heatmap.png").is_file()


def test_a_reference_is_read_and_its_unexpected_words_marked(tiny_run, tiny_translator, capsys):
    own = tiny_translator.translate(SENTENCE)
    mine = " ".join([own.target_tokens[0], "perro", *own.target_tokens[2:]])
    assert main(translate(tiny_run, "--reference", mine, "--no-pictures")) == 0
    printed = capsys.readouterr().out
    read = tiny_translator.align([SENTENCE], [mine])[0]
    assert f"(log-probability {read.score:.2f}: your translation, read by the model)" in printed
    line = next(line for line in printed.splitlines() if line.startswith("      2 perro"))
    probability = f"{np.exp(read.log_probabilities[1]):.3f}"
    assert probability in line and str(read.ranks[1]) in line and "unexpected" in line
    assert "parts from the model's own at word 2" in printed


def test_the_n_best_of_a_forced_beam_are_printed_each_starting_with_the_prefix(tiny_run, capsys):
    arguments = ["--prefix", "el perro", "--beam", "3", "--n-best", "3", "--no-pictures"]
    assert main(translate(tiny_run, *arguments)) == 0
    ranked = [
        line
        for line in capsys.readouterr().out.splitlines()
        if line[:7] in ("    1. ", "    2. ", "    3. ")
    ]
    assert len(ranked) == 3
    assert all(line[7:].startswith("el perro ") for line in ranked)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--point", "0:red"], "--point '0:red' is not STEP:WORD with STEP a number from 1."),
        (["--point", "99:red"], "so STEP goes from 1 to 22."),
        (["--hide", "blue"], "'blue' is not a word of the sentence (the red car is fast .)"),
        (["--hide", "the,red,car,is,fast,."], "Hiding all 6 source words"),
        (["--prefix", "el <b>"], "The model cannot write '<b>'"),
        (["--reference", "el coche", "--prefix", "el"], "--reference reads your translation"),
    ],
)
def test_a_question_that_cannot_be_asked_is_one_line(tiny_run, capsys, arguments, message):
    assert main(translate(tiny_run, "--no-pictures", *arguments)) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and message in error and error.count("\n") == 1
