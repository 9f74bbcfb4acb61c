"""Exact match, BLEU and alignment error rate on hand-made cases."""

from __future__ import annotations

import numpy as np
import pytest

from seq2seq.evaluation import alignment_error_rate, argmax_alignment, bleu, exact_match


def test_exact_match_counts_whole_sentences():
    hypotheses = [["el", "perro"], ["la", "casa"], ["un", "gato"]]
    references = [["el", "perro"], ["la", "casa", "roja"], ["un", "gato"]]
    assert exact_match(hypotheses, references) == pytest.approx(2 / 3)


def test_bleu_is_100_for_identical_and_lower_otherwise():
    references = [["el", "coche", "rojo", "es", "rápido", "."]] * 3
    assert bleu(references, references) == pytest.approx(100.0)
    assert bleu([["el", "coche", "azul", "es", "lento", "."]] * 3, references) < 50


def test_argmax_alignment_links_each_row_to_its_heaviest_column():
    weights = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    assert argmax_alignment(weights) == {(0, 0), (1, 2)}


def test_aer_worked_example():
    # gold: 3 links; predicted: 2 links, 1 of them right -> 1 - 2*1/(2+3) = 0.6
    gold = [frozenset({(0, 0), (1, 2), (2, 1)})]
    predicted = [frozenset({(0, 0), (1, 1)})]
    assert alignment_error_rate(predicted, gold) == pytest.approx(0.6)


def test_aer_is_zero_for_perfect_links_and_one_for_none_right():
    gold = [frozenset({(0, 0), (1, 1)}), frozenset({(0, 1)})]
    assert alignment_error_rate(gold, gold) == 0.0
    assert alignment_error_rate([frozenset({(0, 1), (1, 0)}), frozenset({(0, 0)})], gold) == 1.0


def test_aer_refuses_corpora_of_different_sizes():
    with pytest.raises(ValueError):
        alignment_error_rate([frozenset()], [frozenset(), frozenset()])
