"""Exact match, BLEU, chrF, alignment error rate and attention statistics on hand-made cases."""

from __future__ import annotations

import io
import math
import sys

import numpy as np
import pytest

from seq2seq import progress
from seq2seq.artifacts import read_test_pairs
from seq2seq.corpora.pairs import Pair
from seq2seq.evaluation import (
    BEYOND_CUT,
    HELD_OUT,
    alignment_error_rate,
    argmax_alignment,
    as_written_scores,
    attention_statistics,
    bleu,
    bucket_scores,
    chrf,
    evaluate,
    exact_match,
    format_length_table,
    group_references,
    length_buckets,
    row_entropy,
    scores_by_length,
    sentence_attention,
    unknown_share,
)
from seq2seq.translation import Translation


def single(references):
    return [[reference] for reference in references]


def test_exact_match_counts_whole_sentences():
    hypotheses = [["el", "perro"], ["la", "casa"], ["un", "gato"]]
    references = [["el", "perro"], ["la", "casa", "roja"], ["un", "gato"]]
    assert exact_match(hypotheses, single(references)) == pytest.approx(2 / 3)


def test_exact_match_accepts_any_of_the_references():
    references = [[["va", "!"], ["marche", "."], ["bouge", "!"]]]
    assert exact_match([["marche", "."]], references) == 1.0
    assert exact_match([["cours", "!"]], references) == 0.0


def test_bleu_is_100_for_identical_and_lower_otherwise():
    references = [["el", "coche", "rojo", "es", "rápido", "."]] * 3
    assert bleu(references, single(references)) == pytest.approx(100.0)
    assert bleu([["el", "coche", "azul", "es", "lento", "."]] * 3, single(references)) < 50


def test_chrf_is_100_for_identical_and_gives_credit_for_a_close_ending():
    references = single([["je", "suis", "fatiguée", "."]])
    assert chrf([["je", "suis", "fatiguée", "."]], references) == pytest.approx(100.0)
    close = chrf([["je", "suis", "fatigué", "."]], references)
    assert 50 < close < 100
    assert chrf([["il", "pleut", "."]], references) < close


def test_scores_take_sentences_with_different_numbers_of_references():
    references = [
        [["je", "suis", "très", "fatigué", "."], ["je", "suis", "très", "fatiguée", "."]],
        [["il", "fait", "très", "beau", "."]],
    ]
    hypotheses = [["je", "suis", "très", "fatiguée", "."], ["il", "fait", "très", "beau", "."]]
    assert bleu(hypotheses, references) == pytest.approx(100.0)
    assert chrf(hypotheses, references) == pytest.approx(100.0)


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


# --- attention statistics -------------------------------------------------------------


def test_row_entropy_is_zero_for_one_hot_and_log_n_for_uniform_rows():
    weights = np.array([[1.0, 0.0, 0.0, 0.0], [0.25, 0.25, 0.25, 0.25]])
    np.testing.assert_allclose(row_entropy(weights), [0.0, math.log(4)])


def test_sentence_attention_worked_example():
    # source token 2 receives 0.05 in all: ignored; coverage = 2 rows / 3 tokens
    weights = np.array([[0.5, 0.5, 0.0], [0.0, 0.95, 0.05]])
    stats = sentence_attention(weights)
    expected_entropy = (math.log(2) - 0.95 * math.log(0.95) - 0.05 * math.log(0.05)) / 2
    assert stats["entropy"] == pytest.approx(expected_entropy)
    assert stats["coverage"] == pytest.approx(2 / 3)
    assert stats["ignored_share"] == pytest.approx(1 / 3)


def test_attention_statistics_average_sentences_and_skip_empty_outputs_for_entropy():
    sharp = Translation(["a", "b"], ["x", "y"], np.eye(2), 0.0)
    empty = Translation(["a", "b"], [], np.zeros((0, 2)), 0.0)
    stats = attention_statistics([sharp, empty])
    assert stats["attention_entropy"] == 0.0
    assert stats["attention_coverage"] == pytest.approx(0.5)  # (1 + 0) / 2
    assert stats["attention_ignored_share"] == pytest.approx(0.5)  # (0 + 1) / 2


# --- a run ----------------------------------------------------------------------------


def test_group_references_gathers_translations_of_the_same_normalized_source():
    pairs = [Pair("Go.", "Va !"), Pair("Hi.", "Salut."), Pair("go .", "Marche.")]
    sources, references = group_references(pairs)
    assert sources == ["Go.", "Hi."]
    assert references == [[["va", "!"], ["marche", "."]], [["salut", "."]]]


class EchoTranslator:
    """Stands in for `Translator`: 'translates' each source into its own tokens."""

    has_attention = True

    def __init__(self):
        self.aligned = None

    def translate_batch(self, sources, beam_width=1):
        return [
            Translation(s.lower().split(), s.lower().split(), np.eye(len(s.split())), 0.0)
            for s in sources
        ]

    def align(self, sources, targets):
        self.aligned = list(sources)
        return [
            Translation(s.split(), t.split(), np.eye(len(t.split()), len(s.split())), 0.0)
            for s, t in zip(sources, targets)
        ]


def test_evaluate_reports_scores_and_attention_but_no_aer_without_gold_links():
    pairs = [Pair("a b", "a b"), Pair("a b", "c d"), Pair("e f", "g h")]
    metrics = evaluate(EchoTranslator(), pairs)
    assert (metrics["pairs"], metrics["sentences"]) == (3, 2)
    assert metrics["exact_match"] == 0.5
    assert {
        "bleu",
        "chrf",
        "attention_entropy",
        "attention_coverage",
        "attention_ignored_share",
    } <= set(metrics)
    assert "aer" not in metrics


def test_evaluate_measures_aer_on_the_pairs_with_gold_links():
    translator = EchoTranslator()
    pairs = [Pair("a b", "x y", frozenset({(0, 0), (1, 1)})), Pair("c d", "z w")]
    metrics = evaluate(translator, pairs)
    assert translator.aligned == ["a b"]
    assert metrics["aer"] == 0.0


def test_evaluate_per_sentence_gives_each_source_token_its_coverage(tiny_translator, tiny_run):
    pairs = read_test_pairs(tiny_run)[:20]
    metrics = evaluate(tiny_translator, pairs, per_sentence=True)
    rows = metrics["per_sentence"]
    assert len(rows) == metrics["sentences"]
    for row in rows:
        assert len(row["coverage"]) == len(row["source_tokens"])
        # Each output token spends one unit of attention over the source.
        assert sum(row["coverage"]) == pytest.approx(len(row["target_tokens"]), abs=1e-2)


def test_evaluate_shows_a_bar_of_the_sentences_translated_on_a_terminal(
    tiny_translator, tiny_run, monkeypatch
):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(progress, "DELAY_SECONDS", 0)
    monkeypatch.setattr(sys, "stderr", Terminal())
    pairs = read_test_pairs(tiny_run)[:70]
    metrics = evaluate(tiny_translator, pairs, progress=True)
    shown = sys.stderr.getvalue()
    assert (
        "Translating: 100%" in shown and f"{metrics['sentences']}/{metrics['sentences']}" in shown
    )


def test_unknown_share_counts_unk_tokens_over_all_tokens():
    assert unknown_share([["the", "[UNK]", "eats", "."], ["[UNK]", "[UNK]"]]) == 0.5
    assert unknown_share([]) == 0.0


def test_evaluate_reports_the_share_of_source_tokens_it_does_not_know(tiny_translator):
    pairs = [Pair("The zebra eats.", "la cebra come ."), Pair("I eat.", "como .")]
    metrics = evaluate(tiny_translator, pairs)
    # "the [UNK] eats ." and "i eat .": one unknown token of seven
    assert metrics["source_unk_share"] == pytest.approx(1 / 7)


def test_as_written_scores_are_case_sensitive_and_read_punctuation_joined_to_words():
    references = [["Tom quiere aprender español."]]
    assert as_written_scores(["Tom quiere aprender español."], references) == {
        "bleu_as_written": pytest.approx(100.0),
        "chrf_as_written": pytest.approx(100.0),
    }
    lowercased = as_written_scores(["tom quiere aprender español."], references)
    assert lowercased["bleu_as_written"] < 100.0 and lowercased["chrf_as_written"] < 100.0


def test_evaluate_as_written_counts_the_case_that_the_token_scores_ignore():
    # EchoTranslator writes the source lowercased: "I saw tom in the big old house."
    pairs = [Pair("I saw Tom in the big old house .", "I saw Tom in the big old house.")]
    metrics = evaluate(EchoTranslator(), pairs)
    assert metrics["bleu"] == pytest.approx(100.0)
    assert metrics["bleu_as_written"] < 100.0


def test_a_model_without_attention_is_scored_without_aer_or_attention_statistics(
    tiny_none_translator, tiny_none_run
):
    pairs = read_test_pairs(tiny_none_run)[:20]
    assert all(pair.alignment is not None for pair in pairs)  # gold links there to measure
    metrics = evaluate(tiny_none_translator, pairs, per_sentence=True)
    assert {"exact_match", "bleu", "chrf"} <= set(metrics)
    assert not {"aer", "attention_entropy", "attention_coverage"} & set(metrics)
    assert set(metrics["per_sentence"][0]) == {"source_tokens", "target_tokens"}


# --- scores by source length ---------------------------------------------------------


@pytest.mark.parametrize(
    ("lengths", "width", "buckets"),
    [
        ([3, 5, 6, 12, 40] * 10, 5, [(1, 5), (6, 10), (11, 15), (36, 40)]),
        ([1, 2, 3, 4] * 10, 2, [(1, 2), (3, 4)]),
        # a long tail of few sentences joins the bucket before it
        ([5] * 20 + [8] * 20 + [13] * 3 + [30], 5, [(1, 5), (6, 30)]),
    ],
)
def test_length_buckets_cover_every_length_once(lengths, width, buckets):
    assert length_buckets(lengths, width) == buckets
    for length in lengths:
        assert sum(shortest <= length <= longest for shortest, longest in buckets) == 1


def test_bucket_scores_count_each_sentence_in_exactly_one_bucket():
    sources = [["w"] * length for length in (3, 4, 7, 8, 9, 12)]
    hypotheses = [list(source) for source in sources]
    hypotheses[-1] = ["x"] * 12  # the one sentence of 11-15 is wrong
    lengths = [len(source) for source in sources]
    rows = bucket_scores(hypotheses, single(sources), lengths, length_buckets(lengths, 5, 1))
    assert [(row["shortest"], row["longest"], row["sentences"]) for row in rows] == [
        (1, 5, 2),
        (6, 10, 3),
        (11, 15, 1),
    ]
    assert sum(row["sentences"] for row in rows) == len(sources)
    assert [row["exact_match"] for row in rows] == [1.0, 1.0, 0.0]
    assert rows[0]["bleu"] == pytest.approx(100.0) and rows[2]["bleu"] == pytest.approx(0.0)
    assert {row["set"] for row in rows} == {HELD_OUT}


def test_scores_by_length_score_sentences_beyond_the_cut_in_buckets_of_their_own():
    def pairs(length: int, count: int, target: str) -> list[Pair]:
        return [Pair(" ".join([f"w{index}"] * length), target) for index in range(count)]

    held_out = [*pairs(3, 10, "x"), *pairs(3, 1, "y"), *pairs(7, 10, "x")]
    beyond = [*pairs(17, 10, "x"), *pairs(21, 2, "x")]
    rows = scores_by_length(EchoTranslator(), held_out, beyond, width=5)
    assert [(row["set"], row["shortest"], row["longest"], row["sentences"]) for row in rows] == [
        (HELD_OUT, 1, 5, 10),  # "w0 w0 w0" twice is one source, scored against both references
        (HELD_OUT, 6, 10, 10),
        (BEYOND_CUT, 16, 25, 12),  # too few for 21-25 on their own: they join 16-20
    ]


def test_a_table_by_length_has_a_row_per_bucket_and_each_runs_three_scores():
    row = {"set": HELD_OUT, "shortest": 1, "longest": 5, "sentences": 12}
    runs = {
        "a (additive attention)": [{**row, "bleu": 99.5, "chrf": 99.8, "exact_match": 0.92}],
        "b (no attention)": [{**row, "bleu": 50.25, "chrf": 70.0, "exact_match": 0.5}],
    }
    lines = format_length_table(runs).splitlines()
    assert "a (additive attention)" in lines[0] and "b (no attention)" in lines[0]
    assert lines[2].split() == ["1–5", "12", "99.5", "99.8", "92.0%", "50.2", "70.0", "50.0%"]
