"""Attention records of translations, and ``translate --save-records`` / ``--n-best``."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from samples import RED_CAR

import viz
from seq2seq.cli import main
from seq2seq.records import model_facts, translation_records, with_words
from seq2seq.translation import Translation

SENTENCE = "Maria likes the red cars."
NOTHING = Translation(RED_CAR.source_tokens, [], np.zeros((0, 4)), -9.0)


def test_hypotheses_that_wrote_nothing_are_left_out():
    translation = dataclasses.replace(RED_CAR, hypotheses=(RED_CAR, NOTHING, RED_CAR))
    assert with_words(translation).hypotheses == (RED_CAR, RED_CAR)


def test_a_translation_that_wrote_nothing_has_no_record():
    records = translation_records([RED_CAR, NOTHING], ["The red car.", "?"], {"run": "r"})
    assert [record.sentence for record in records] == ["The red car."]
    assert records[0].model == {"run": "r"}


def test_save_records_writes_one_record_per_sentence(tiny_run, tiny_translator, tmp_path, capsys):
    path = tmp_path / "records.jsonl"
    arguments = ["translate", "--run", str(tiny_run), "I eat.", SENTENCE, "--no-pictures"]
    assert main([*arguments, "--save-records", str(path)]) == 0
    assert f"2 attention record(s) written to {path}" in capsys.readouterr().out
    records = viz.read_records(path)
    translations = tiny_translator.translate_batch(["I eat.", SENTENCE])
    assert [record.sentence for record in records] == ["I eat.", SENTENCE]
    for record, translation in zip(records, translations):
        assert record.target_tokens == translation.target_tokens
        np.testing.assert_allclose(record.weights, translation.weights, atol=1e-6)
        assert record.model == model_facts(tiny_run, tiny_translator.config, beam_width=1)
        assert record.model["run"] == "tiny" and record.hypotheses == ()


def test_n_best_prints_draws_and_records_every_hypothesis(
    tiny_run, tiny_translator, tmp_path, capsys
):
    path, out = tmp_path / "records.jsonl", tmp_path / "pictures"
    arguments = ["translate", "--run", str(tiny_run), SENTENCE, "--beam", "4", "--n-best", "4"]
    assert main([*arguments, "--out", str(out), "--save-records", str(path)]) == 0
    printed = capsys.readouterr().out
    hypotheses = tiny_translator.translate(SENTENCE, beam_width=4, n_best=4).hypotheses
    assert len(hypotheses) == 4
    for rank, hypothesis in enumerate(hypotheses, start=1):
        assert (
            f"    {rank}. {hypothesis.text or '(nothing)'}   ({hypothesis.score:.2f})\n" in printed
        )
    (record,) = viz.read_records(path)
    written = [hypothesis for hypothesis in hypotheses if hypothesis.text]
    assert [h.target_tokens for h in record.hypotheses] == [h.target_tokens for h in written]
    assert [h.score for h in record.hypotheses] == pytest.approx([h.score for h in written])
    assert (out / "01-maria-likes-the-red-cars.nbest.png").is_file()


def test_n_best_wider_than_the_beam_is_one_line(tiny_run, capsys):
    arguments = ["translate", "--run", str(tiny_run), "I eat.", "--beam", "2", "--n-best", "4"]
    assert main(arguments) == 2
    assert capsys.readouterr().err == (
        "error: --n-best 4 asks for more hypotheses than --beam 2 keeps; give --beam 4 or wider.\n"
    )


def test_save_records_into_a_folder_is_one_line(tiny_run, tmp_path, capsys):
    arguments = ["translate", "--run", str(tiny_run), "I eat.", "--save-records", str(tmp_path)]
    assert main(arguments) == 2
    assert capsys.readouterr().err == (
        f"error: --save-records {tmp_path} is a folder; name a file.\n"
    )
