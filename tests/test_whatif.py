"""Questions to the model: alternatives, a forced prefix, hidden words, pointed attention,
a given translation read; each a decoding option of the one `Translator`."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from samples import ranking_unk_first

from seq2seq.errors import UserError
from seq2seq.text import UNK
from seq2seq.translation import SURPRISING_PROBABILITY
from seq2seq.whatif import WhatIf, WhatIfError

SENTENCE = "The red car is fast."
SENTENCES = [SENTENCE, "Maria's dog does not eat the cake.", "Is the house big?"]
UNKNOWN = "Zebra okapi gnu yak."


def teacher_forced_probabilities(translator, sentence, target_tokens):
    """The softmax of the logits at each step of reading ``target_tokens`` ``(T + 1, V)``."""
    source = translator.vectorizers.source(tf.constant([" ".join(sentence)])).to_tensor()
    target = translator.vectorizers.target_ids([" ".join(target_tokens)]).to_tensor()
    logits, _ = translator.model.forward(source, target[:, :-1])
    return tf.nn.softmax(logits)[0].numpy()


# --- alternatives ----------------------------------------------------------------------


@pytest.mark.parametrize("beam_width", [1, 3])
def test_the_alternatives_of_a_step_are_the_top_k_of_the_softmax_of_its_logits(
    tiny_translator, beam_width
):
    translation = tiny_translator.translate(SENTENCE, beam_width, alternatives=4)
    assert len(translation.alternatives) == len(translation.target_tokens)
    probabilities = teacher_forced_probabilities(
        tiny_translator, translation.source_tokens, translation.target_tokens
    )
    vocabulary = list(tiny_translator.target_vocabulary)
    for step, alternatives in enumerate(translation.alternatives):
        row = probabilities[step].copy()
        row[vocabulary.index(UNK)] = 0.0  # no source [UNK]: decoding rules [UNK] out
        best = np.argsort(-row)[:4]
        assert [word for word, _ in alternatives] == [vocabulary[i] for i in best]
        np.testing.assert_allclose([p for _, p in alternatives], row[best], atol=1e-5)
    # The word written is the first alternative wherever nothing was forced.
    assert translation.target_tokens[0] == translation.alternatives[0][0][0]


def test_asking_for_alternatives_changes_nothing_else(tiny_translator):
    plain = tiny_translator.translate_batch(SENTENCES)
    asked = tiny_translator.translate_batch(SENTENCES, alternatives=3)
    for expected, actual in zip(plain, asked):
        assert actual.target_tokens == expected.target_tokens
        np.testing.assert_allclose(actual.weights, expected.weights, atol=1e-6)
        assert actual.score == pytest.approx(expected.score, rel=1e-6)  # float32 sums
        assert list(actual.ranks) == [1] * len(actual.target_tokens)
        assert not expected.alternatives and expected.log_probabilities is None


# --- a forced prefix ---------------------------------------------------------------------


def test_forcing_the_models_own_translation_gives_it_back_weights_and_score(tiny_translator):
    plain = tiny_translator.translate_batch(SENTENCES)
    questions = [WhatIf(prefix=translation.target_tokens) for translation in plain]
    forced = tiny_translator.translate_batch(SENTENCES, what_if=questions)
    for expected, actual in zip(plain, forced):
        assert actual.target_tokens == expected.target_tokens
        assert actual.forced == len(expected.target_tokens)
        np.testing.assert_allclose(actual.weights, expected.weights, atol=1e-6)
        # The same sum of float32 log-probabilities, to their precision.
        assert actual.score == pytest.approx(expected.score, rel=1e-6)


@pytest.mark.parametrize("beam_width", [1, 3])
def test_a_forced_paths_score_is_what_align_scores_it(tiny_translator, beam_width):
    plain = tiny_translator.translate(SENTENCE)
    prefix = [plain.target_tokens[0], "perro"]  # a word the model would not write there
    forced = tiny_translator.translate(SENTENCE, beam_width, prefix=prefix)
    assert forced.target_tokens[:2] == prefix and forced.forced == 2
    aligned = tiny_translator.align([SENTENCE], [forced.text])[0]
    assert forced.score == pytest.approx(aligned.score, abs=1e-5)
    np.testing.assert_allclose(forced.log_probabilities, aligned.log_probabilities, atol=1e-5)
    np.testing.assert_array_equal(forced.ranks, aligned.ranks)
    np.testing.assert_allclose(forced.weights, aligned.weights, atol=1e-5)


def test_a_prefix_is_normalized_like_a_target_sentence(tiny_translator):
    plain = tiny_translator.translate(SENTENCE)
    typed = tiny_translator.translate(SENTENCE, prefix=plain.sentence.upper())
    assert typed.target_tokens == plain.target_tokens


def test_a_word_the_model_cannot_write_is_refused_naming_it(tiny_translator):
    with pytest.raises(WhatIfError, match=r"'zebra'.*target vocabulary") as refused:
        tiny_translator.translate(SENTENCE, prefix="el zebra")
    assert refused.value.option == "prefix"
    with pytest.raises(WhatIfError, match="marker"):
        tiny_translator.translate(SENTENCE, prefix=["el", "[END]"])


def test_an_unknown_source_word_may_be_forced_and_is_written_as_typed(tiny_translator):
    translation = tiny_translator.translate("The zebra eats.", prefix="el zebra")
    assert translation.target_tokens[:2] == ["el", "zebra"]


def test_a_prefix_longer_than_the_longest_translation_is_refused(tiny_translator):
    with pytest.raises(WhatIfError, match="at most 16"):
        tiny_translator.translate("I eat.", prefix="el " * 17)


# --- hidden source words ---------------------------------------------------------------------


@pytest.mark.parametrize("beam_width", [1, 3])
def test_a_hidden_word_gets_no_weight_at_any_step_and_rows_still_sum_to_one(
    tiny_translator, beam_width
):
    translation = tiny_translator.translate(SENTENCE, beam_width, hide=["red", 4])
    assert translation.hidden == (1, 4)
    assert (translation.weights[:, [1, 4]] == 0.0).all()
    np.testing.assert_allclose(translation.weights.sum(axis=1), 1.0, atol=1e-5)


def test_hiding_every_word_is_refused(tiny_translator):
    with pytest.raises(WhatIfError, match="nothing to read"):
        tiny_translator.translate("I eat.", hide=["i", "eat", "."])


@pytest.mark.parametrize(
    ("hide", "message"),
    [(["blue"], "'blue' is not a word of the sentence"), ([9], "position 9 does not exist")],
)
def test_hiding_a_word_that_is_not_there_is_refused(tiny_translator, hide, message):
    with pytest.raises(WhatIfError, match=message):
        tiny_translator.translate(SENTENCE, hide=hide)


# --- pointed attention -----------------------------------------------------------------------


@pytest.mark.parametrize("beam_width", [1, 3])
def test_a_pointed_step_reads_its_word_alone_and_the_steps_before_are_untouched(
    tiny_translator, beam_width
):
    plain = tiny_translator.translate(SENTENCE, beam_width)
    pointed = tiny_translator.translate(SENTENCE, beam_width, point=[(1, "fast")])
    assert pointed.pointed == ((1, 4),)
    assert pointed.weights[1, 4] == 1.0
    assert (np.delete(pointed.weights[1], 4) == 0.0).all()
    if beam_width == 1:  # a beam may keep another first word once step 1 changes
        np.testing.assert_allclose(pointed.weights[0], plain.weights[0], atol=1e-6)
    # Only that step: the next one attends as it will again.
    assert pointed.weights[2].max() < 1.0


@pytest.mark.parametrize(
    ("point", "message"),
    [
        ([(40, "red")], "Step 40 is out of range"),
        ([(1, 0), (1, "car")], "pointed twice"),
        ([(-1, "car")], "whole number"),
    ],
)
def test_a_point_out_of_range_is_refused(tiny_translator, point, message):
    with pytest.raises(WhatIfError, match=message):
        tiny_translator.translate("The car and the dog.", point=point)


def test_a_word_that_appears_twice_is_pointed_at_by_position(tiny_translator):
    with pytest.raises(WhatIfError, match=r"appears 2 times.*\(0, 3\)"):
        tiny_translator.translate("The car and the dog.", point=[(0, "the")])
    translation = tiny_translator.translate("The car and the dog.", point=[(0, 3)])
    assert translation.weights[0, 3] == 1.0


def test_a_hidden_word_cannot_be_pointed_at(tiny_translator):
    with pytest.raises(WhatIfError, match="hidden"):
        tiny_translator.translate(SENTENCE, hide=["red"], point=[(0, "red")])


# --- all of them, in batches, with unknown words ------------------------------------------


def test_a_batch_of_questions_answers_each_as_if_asked_alone(tiny_translator):
    questions = [WhatIf(prefix="el perro"), None, WhatIf(hide=["house"], point=[(0, "big")])]
    batch = tiny_translator.translate_batch(SENTENCES, what_if=questions, alternatives=2)
    for sentence, question, batched in zip(SENTENCES, questions, batch):
        alone = tiny_translator.translate_batch([sentence], what_if=[question], alternatives=2)[0]
        assert batched.target_tokens == alone.target_tokens
        np.testing.assert_allclose(batched.weights, alone.weights, atol=1e-5)
        assert batched.alternatives[0][0][0] == alone.alternatives[0][0][0]


def test_the_n_best_all_start_with_the_forced_prefix(tiny_translator):
    translation = tiny_translator.translate(SENTENCE, 3, 3, prefix="el perro")
    assert all(h.target_tokens[:2] == ["el", "perro"] for h in translation.hypotheses)


@pytest.mark.parametrize(
    "question",
    [
        {"alternatives": 3},
        {"prefix": "zebra"},
        {"hide": ["gnu"]},
        {"point": [(1, "okapi")]},
    ],
)
def test_unknown_words_are_still_copied_where_the_attention_reads_them(tiny_run, question):
    translator = ranking_unk_first(tiny_run)
    translation = translator.translate(UNKNOWN, **question)
    words = ["zebra", "okapi", "gnu", "yak", "."]
    assert UNK not in translation.target_tokens
    vocabulary = set(translator.target_vocabulary)
    for step, token in enumerate(translation.target_tokens):
        if token not in vocabulary and step >= translation.forced:
            assert token == words[int(np.argmax(translation.weights[step]))]
    for alternatives in translation.alternatives:
        # An [UNK] alternative is offered as the word its attention reads.
        assert UNK not in [word for word, _ in alternatives]


def test_options_of_the_wrong_kind_are_one_clear_error(tiny_translator):
    with pytest.raises(UserError, match="alternatives"):
        tiny_translator.translate(SENTENCE, alternatives=-1)
    with pytest.raises(UserError, match="one question"):
        tiny_translator.translate_batch(SENTENCES, what_if=[WhatIf(hide=["red"])])
    with pytest.raises(WhatIfError, match="pair"):
        tiny_translator.translate(SENTENCE, point=["red"])


# --- a given translation, read -------------------------------------------------------------


def test_reading_the_models_own_translation_surprises_it_nowhere(tiny_translator):
    plain = tiny_translator.translate(SENTENCE)
    read = tiny_translator.align([SENTENCE], [plain.text])[0]
    assert list(read.ranks) == [1] * len(plain.target_tokens)
    assert read.surprises == ()


def test_reading_a_translation_marks_the_words_the_model_did_not_expect(tiny_translator):
    plain = tiny_translator.translate(SENTENCE)
    mine = [plain.target_tokens[0], "perro", *plain.target_tokens[2:]]
    read = tiny_translator.align([SENTENCE], [" ".join(mine)], alternatives=3)[0]
    assert read.target_tokens == mine
    assert read.ranks[1] > 1 and 1 in read.surprises
    assert np.exp(read.log_probabilities[1]) < SURPRISING_PROBABILITY
    # What it expected instead is its first alternative there.
    assert read.alternatives[1][0][0] == plain.target_tokens[1]
    # The score adds the probability of ending there to the words' own.
    assert read.score <= read.log_probabilities.sum() + 1e-6
