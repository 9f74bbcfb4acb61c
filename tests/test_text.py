"""Normalization and the Keras vocabularies."""

from __future__ import annotations

import numpy as np
import pytest

from seq2seq.text import (
    END,
    PAD,
    START,
    UNK,
    build_vectorizer,
    detokenize,
    normalize,
    tokenize,
    with_markers,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The red car is fast.", "the red car is fast ."),
        ("¿Dónde está el niño?", "¿ dónde está el niño ?"),
        ("Maria's dog", "maria 's dog"),
        ("Maria\u2019s dog", "maria 's dog"),
        ("  many   spaces\there ", "many spaces here"),
        ("Ça va, Élodie !", "ça va , élodie !"),
        ("NIÑO", "niño"),
        ("L'homme qu'il aime.", "l' homme qu' il aime ."),
        ("C\u2019est jusqu'à demain, aujourd'hui.", "c' est jusqu' à demain , aujourd'hui ."),
        ("Qu'est-ce que c'est ?", "qu' est -ce que c' est ?"),
        ("Calme-toi ! Dá-me isso.", "calme -toi ! dá -me isso ."),
        ("Je\u202fsuis «\u00a0prêt\u00a0»…", "je suis « prêt » …"),
        ("I'm sure you don't.", "i'm sure you don't ."),
    ],
)
def test_normalize(text, expected):
    assert normalize(text) == expected


def test_normalize_composes_accents_written_as_two_code_points():
    assert normalize("nin\u0303o") == "niño"


def test_tokenize_of_blank_text_is_empty():
    assert tokenize(" \t ") == []


def test_vectorizer_reserves_padding_unknown_start_and_end():
    vectorizer = build_vectorizer([with_markers("el perro come"), with_markers("el gato")])
    vocabulary = vectorizer.get_vocabulary()
    assert vocabulary[:2] == [PAD, UNK]
    assert {START, END, "el", "perro", "gato", "come"} <= set(vocabulary)
    ids = vectorizer(["el loro come"]).to_list()[0]
    assert ids == [vocabulary.index("el"), 1, vocabulary.index("come")]


def test_vectorizer_keeps_only_the_most_frequent_words_when_capped():
    texts = [with_markers("a a a b b c"), with_markers("a b d")]
    vocabulary = build_vectorizer(texts, max_words=4).get_vocabulary()
    assert vocabulary[:2] == [PAD, UNK]
    assert sorted(vocabulary[2:]) == sorted(["a", "b", START, END])


def test_vectorizer_from_a_saved_vocabulary_maps_the_same():
    learned = build_vectorizer(["a b c", "a b", "a"])
    restored = build_vectorizer(vocabulary=learned.get_vocabulary())
    texts = ["a b c d", "c a"]
    np.testing.assert_array_equal(learned(texts).to_tensor(), restored(texts).to_tensor())


@pytest.mark.parametrize(
    "sentence",
    [
        "Tom quiere aprender español.",
        "¿Es rojo el coche de maría?",
        "¡No lo hagas, por favor!",
        "Maria's dog is big; isn't it?",
        "Qu'est-ce que c'est ?".replace(" ?", "?"),
        'Él dijo: "ven aquí".',
        "Dijo: «ven» (ahora).",
    ],
)
def test_detokenize_undoes_normalize_for_a_sentence_with_only_its_first_letter_capital(sentence):
    assert detokenize(tokenize(sentence)) == sentence


def test_detokenize_capitalises_the_first_letter_after_opening_punctuation():
    assert detokenize(["¿", "«", "dónde", "»", "?"]) == "¿«Dónde»?"


def test_detokenize_of_no_tokens_is_empty():
    assert detokenize([]) == ""
