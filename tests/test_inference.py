"""Translator: loading a run, greedy decoding, and the attention it returns."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from samples import ranking_unk_first

from seq2seq import Translation, Translator
from seq2seq.errors import UserError
from seq2seq.text import UNK

SENTENCES = ["The red car is fast.", "Maria's dog does not eat the cake.", "Is the house big?"]


def test_translation_weights_have_one_row_per_output_and_one_column_per_input(tiny_translator):
    translation = tiny_translator.translate("The small cat sleeps.")
    assert isinstance(translation, Translation)
    assert translation.source_tokens == ["the", "small", "cat", "sleeps", "."]
    assert translation.weights.shape == (
        len(translation.target_tokens),
        len(translation.source_tokens),
    )
    np.testing.assert_allclose(translation.weights.sum(axis=1), 1.0, atol=1e-5)
    assert translation.score <= 0.0


def test_greedy_weights_equal_a_teacher_forced_pass_over_the_output(tiny_translator):
    translations = tiny_translator.translate_batch(SENTENCES)
    forced = tiny_translator.align(SENTENCES, [t.text for t in translations])
    for greedy, teacher_forced in zip(translations, forced):
        assert teacher_forced.target_tokens == greedy.target_tokens
        np.testing.assert_allclose(greedy.weights, teacher_forced.weights, atol=1e-5)


def test_greedy_score_equals_the_teacher_forced_log_probability(tiny_translator):
    from seq2seq.inference import max_steps

    # Only a translation that ended with [END] scored it; one cut at the step limit did not.
    translations = tiny_translator.translate_batch(SENTENCES)
    ended = [
        (sentence, translation)
        for sentence, translation in zip(SENTENCES, translations)
        if len(translation.target_tokens) < max_steps(len(translation.source_tokens))
    ]
    assert ended
    for sentence, translation in ended:
        forced = tiny_translator.align([sentence], [translation.text])[0]
        assert translation.score == pytest.approx(forced.score, abs=1e-4)


def test_a_batch_translates_like_one_sentence_at_a_time(tiny_translator):
    sentences = [*SENTENCES, "We swim.", "Does John read the newspapers under the old tree?"]
    batch = tiny_translator.translate_batch(sentences)
    for sentence, batched in zip(sentences, batch):
        alone = tiny_translator.translate(sentence)
        assert batched.target_tokens == alone.target_tokens
        np.testing.assert_allclose(batched.weights, alone.weights, atol=1e-5)


def test_unknown_words_show_as_unk_in_the_source_tokens(tiny_translator):
    translation = tiny_translator.translate("The zebra eats.")
    assert translation.source_tokens == ["the", "[UNK]", "eats", "."]


def test_a_model_that_ranks_unk_first_translates_as_if_unk_were_not_in_its_vocabulary(
    tiny_run, tiny_translator
):
    translator = ranking_unk_first(tiny_run)
    source = translator.vectorizers.source(tf.constant(["the red car is fast ."])).to_tensor()
    start = tf.constant([[translator.start_id]], tf.int64)
    logits, _ = translator.model.forward(source, start)
    assert translator.target_vocabulary[int(np.argmax(logits[0, 0]))] == UNK  # the premise
    masked = translator.translate_batch(SENTENCES)
    expected = tiny_translator.translate_batch(SENTENCES)
    assert [t.target_tokens for t in masked] == [t.target_tokens for t in expected]


@pytest.mark.parametrize("beam_width", [1, 3])
def test_decoding_never_writes_unk(tiny_run, beam_width):
    sentences = [*SENTENCES, "Zebra okapi gnu yak."]
    translations = ranking_unk_first(tiny_run).translate_batch(sentences, beam_width=beam_width)
    assert all(translation.target_tokens for translation in translations)
    assert not any(UNK in translation.target_tokens for translation in translations)


@pytest.mark.parametrize("beam_width", [1, 3])
def test_an_unknown_word_is_copied_where_the_attention_reads_it(tiny_run, beam_width):
    translator = ranking_unk_first(tiny_run)
    (translation,) = translator.translate_batch(["Zebra okapi gnu yak."], beam_width)
    assert translation.source_tokens == [UNK, UNK, UNK, UNK, "."]
    vocabulary = set(translator.target_vocabulary)
    copied = [
        step for step, token in enumerate(translation.target_tokens) if token not in vocabulary
    ]
    assert copied, "the premise: the model ranks [UNK] first, so it copies where it may"
    for step, token in enumerate(translation.target_tokens):
        peak = int(np.argmax(translation.weights[step]))
        # A copy is the word at the attention's peak, and only an unknown word is copied.
        if step in copied:
            assert token == ["zebra", "okapi", "gnu", "yak", "."][peak]
        assert (translation.source_tokens[peak] == UNK) == (step in copied)


def test_unk_is_ruled_out_unless_the_attention_peaks_on_an_unknown_source_word(tiny_translator):
    unknown = int(tiny_translator.unknown_id)
    vocabulary_size = len(tiny_translator.target_vocabulary)
    source = tf.constant([[5, 1, 6], [5, 1, 6]], tf.int64)  # source id 1 is [UNK]
    weights = tf.constant([[0.6, 0.3, 0.1], [0.2, 0.7, 0.1]])
    allowed = tiny_translator._allow_copies(tf.zeros([2, vocabulary_size]), source, weights)
    assert allowed[0, unknown] == -np.inf and allowed[1, unknown] == 0.0
    assert np.isfinite(np.delete(allowed.numpy(), unknown, axis=1)).all()


def test_a_beam_of_one_is_greedy_decoding(tiny_translator):
    greedy = tiny_translator.translate_batch(SENTENCES)
    beam = tiny_translator.translate_batch(SENTENCES, beam_width=1)
    for expected, actual in zip(greedy, beam):
        assert actual.target_tokens == expected.target_tokens
        np.testing.assert_array_equal(actual.weights, expected.weights)


@pytest.mark.parametrize("beam_width", [2, 5])
def test_beam_search_returns_the_attention_of_the_hypothesis_it_chose(tiny_translator, beam_width):
    translations = tiny_translator.translate_batch(SENTENCES, beam_width=beam_width)
    forced = tiny_translator.align(SENTENCES, [t.text for t in translations])
    for beam, teacher_forced in zip(translations, forced):
        assert beam.weights.shape == (len(beam.target_tokens), len(beam.source_tokens))
        np.testing.assert_allclose(beam.weights, teacher_forced.weights, atol=1e-5)
        assert beam.score == pytest.approx(teacher_forced.score, abs=1e-4)


def test_beam_search_finds_translations_at_least_as_probable_on_the_whole(tiny_translator):
    sentences = [*SENTENCES, "The zebra eats.", "dog dog dog", "We swim."]
    greedy = tiny_translator.translate_batch(sentences)
    beam = tiny_translator.translate_batch(sentences, beam_width=4)
    assert sum(t.score for t in beam) >= sum(t.score for t in greedy) - 1e-4


def test_a_beam_batch_translates_like_one_sentence_at_a_time(tiny_translator):
    batch = tiny_translator.translate_batch(SENTENCES, beam_width=3)
    for sentence, batched in zip(SENTENCES, batch):
        alone = tiny_translator.translate(sentence, beam_width=3)
        assert batched.target_tokens == alone.target_tokens
        np.testing.assert_allclose(batched.weights, alone.weights, atol=1e-5)


def test_each_of_the_n_best_hypotheses_carries_its_own_teacher_forced_attention(
    tiny_translator,
):
    translations = tiny_translator.translate_batch(SENTENCES, beam_width=4, n_best=4)
    for sentence, translation in zip(SENTENCES, translations):
        hypotheses = translation.hypotheses
        assert len(hypotheses) == 4
        assert hypotheses[0].target_tokens == translation.target_tokens
        assert len({tuple(h.target_tokens) for h in hypotheses}) == 4
        assert [h.score for h in hypotheses] == sorted((h.score for h in hypotheses), reverse=True)
        forced = tiny_translator.align([sentence] * 4, [h.text for h in hypotheses])
        for hypothesis, teacher_forced in zip(hypotheses, forced):
            np.testing.assert_allclose(hypothesis.weights, teacher_forced.weights, atol=1e-5)


def test_the_best_of_n_is_the_translation_beam_search_returns_alone(tiny_translator):
    alone = tiny_translator.translate_batch(SENTENCES, beam_width=3)
    with_n_best = tiny_translator.translate_batch(SENTENCES, beam_width=3, n_best=2)
    for single, ranked in zip(alone, with_n_best):
        assert ranked.target_tokens == single.target_tokens
        assert not single.hypotheses


def test_more_hypotheses_than_the_beam_keeps_is_a_user_error(tiny_translator):
    with pytest.raises(UserError, match="beam width of at least 3"):
        tiny_translator.translate("The dog eats.", beam_width=2, n_best=3)


@pytest.mark.parametrize("beam_width", [0, -1, 2.5, True])
def test_a_beam_width_that_is_not_a_positive_whole_number_is_a_user_error(
    tiny_translator, beam_width
):
    with pytest.raises(UserError, match="beam width"):
        tiny_translator.translate("The dog eats.", beam_width=beam_width)


@pytest.mark.parametrize("sentence", ["", "   \t"])
def test_an_empty_sentence_is_a_user_error(tiny_translator, sentence):
    with pytest.raises(UserError, match="empty"):
        tiny_translator.translate(sentence)


def test_translations_stop_at_a_length_derived_from_the_source(tiny_translator):
    translation = tiny_translator.translate("dog " * 30)
    assert len(translation.target_tokens) <= 2 * 30 + 10


def test_loading_a_directory_that_is_not_a_run_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match=r"config\.json is missing"):
        Translator.load(tmp_path)
    with pytest.raises(UserError, match="not a directory"):
        Translator.load(tmp_path / "nowhere")


def test_loading_a_run_with_a_damaged_model_is_a_user_error(tiny_run, tmp_path):
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    for path in tiny_run.iterdir():
        (damaged / path.name).write_bytes(path.read_bytes())
    (damaged / "model.keras").write_bytes(b"not a zip file")
    with pytest.raises(UserError, match="cannot be loaded"):
        Translator.load(damaged)


# --- without attention ----------------------------------------------------------------


@pytest.mark.parametrize("beam_width", [1, 3])
def test_a_model_without_attention_translates_with_no_weights(tiny_none_translator, beam_width):
    translations = tiny_none_translator.translate_batch(SENTENCES, beam_width, n_best=beam_width)
    assert all(translation.target_tokens for translation in translations)
    for translation in translations:
        assert translation.weights is None
        assert all(hypothesis.weights is None for hypothesis in translation.hypotheses)


def test_without_attention_a_beam_of_one_is_greedy_and_scores_are_the_models(tiny_none_translator):
    from seq2seq.inference import max_steps

    greedy = tiny_none_translator.translate_batch(SENTENCES)
    beam = tiny_none_translator.translate_batch(SENTENCES, beam_width=1)
    assert [t.target_tokens for t in beam] == [t.target_tokens for t in greedy]
    forced = tiny_none_translator.align(SENTENCES, [t.text for t in greedy])
    for translation, teacher_forced in zip(greedy, forced):
        assert teacher_forced.weights is None
        if len(translation.target_tokens) < max_steps(len(translation.source_tokens)):
            assert translation.score == pytest.approx(teacher_forced.score, abs=1e-4)


@pytest.mark.parametrize("beam_width", [1, 3])
def test_without_attention_unk_is_never_written_nor_copied(tiny_none_run, beam_width):
    translator = ranking_unk_first(tiny_none_run)
    (translation,) = translator.translate_batch(["Zebra okapi gnu yak."], beam_width)
    assert translation.source_tokens == [UNK, UNK, UNK, UNK, "."]
    assert translation.target_tokens
    assert set(translation.target_tokens) <= set(translator.target_vocabulary) - {UNK}
