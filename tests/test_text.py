"""Normalization and the Keras vocabularies."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from seq2seq.text import (
    END,
    PAD,
    START,
    UNK,
    build_vectorizer,
    cased_as_typed,
    detokenize,
    normalize,
    tokenize,
    with_markers,
)
from seq2seq.translation import Translation


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


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        (["$\\frac{a}$", "es", "mi", "amigo", "."], "$\\frac{a}$ es mi amigo."),
        (["<b>hola</b>", "."], "<b>hola</b>."),
        (["pagué", "$5-$10", "."], "Pagué $5-$10."),
    ],
)
def test_detokenize_capitalises_a_letter_never_markup(tokens, expected):
    assert detokenize(tokens) == expected


def test_detokenize_of_no_tokens_is_empty():
    assert detokenize([]) == ""


@pytest.mark.parametrize(
    ("tokens", "typed", "expected"),
    [
        ("mary vive en boston .", "Mary lives in Boston.", "mary vive en Boston ."),
        ("le dije a tom que no .", "I told Tom no.", "le dije a Tom que no ."),
        # A capital that starts a sentence says nothing: "el" stays lower case.
        ("el perro duerme . el gato no .", "The dog sleeps. The cat doesn't.", None),
        ("¿ dónde está tom ?", "¿Dónde está Tom?", "¿ dónde está Tom ?"),
        # Tokens that do not line up (the elision splits only in lower case): nothing changes.
        ("l' homme de Paris", "L'Homme de Paris", None),
    ],
)
def test_a_word_capitalised_inside_the_typed_sentence_keeps_its_capital(tokens, typed, expected):
    assert cased_as_typed(tokens.split(), typed) == (expected or tokens).split()


def test_a_translation_is_written_with_the_names_of_the_sentence_typed():
    translation = Translation(
        source_tokens=["i", "told", "tom", "."],
        target_tokens=["le", "dije", "a", "tom", "."],
        weights=np.full((5, 4), 0.25),
        score=-1.0,
        typed="I told Tom.",
    )
    assert translation.sentence == "Le dije a Tom."
    assert dataclasses.replace(translation, typed=None).sentence == "Le dije a tom."


def test_an_unknown_word_copied_from_the_start_of_the_sentence_is_written_as_typed():
    tokens = ["kenji", "vive", "en", "osaka", "."]
    typed = "Kenji lives in Osaka."
    assert cased_as_typed(tokens, typed) == ["kenji", "vive", "en", "Osaka", "."]
    read_as = ["[UNK]", "lives", "in", "osaka", "."]
    assert cased_as_typed(tokens, typed, read_as) == ["Kenji", "vive", "en", "Osaka", "."]
