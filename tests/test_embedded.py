"""The embedded corpus: deterministic, rich enough, and its alignments fit its tokens."""

from __future__ import annotations

import pytest

from seq2seq.corpora import embedded
from seq2seq.corpora.pairs import split
from seq2seq.text import tokenize


@pytest.fixture(scope="module")
def pairs():
    return embedded.generate(6000, seed=11)


def test_same_seed_gives_the_same_pairs():
    assert embedded.generate(200, seed=5) == embedded.generate(200, seed=5)


def test_other_seed_gives_other_pairs():
    assert embedded.generate(200, seed=5) != embedded.generate(200, seed=6)


def test_sources_are_distinct(pairs):
    assert len({pair.source for pair in pairs}) == len(pairs)


def test_sentences_have_3_to_15_tokens(pairs):
    for pair in pairs:
        assert 3 <= len(tokenize(pair.source)) <= 15
        assert 3 <= len(tokenize(pair.target)) <= 15


def test_alignment_links_stay_inside_both_sentences(pairs):
    for pair in pairs:
        source_len, target_len = len(tokenize(pair.source)), len(tokenize(pair.target))
        assert all(0 <= t < target_len and 0 <= s < source_len for t, s in pair.alignment)


def test_every_target_token_translates_some_source_token(pairs):
    for pair in pairs:
        aligned = {t for t, _ in pair.alignment}
        assert aligned == set(range(len(tokenize(pair.target)))), pair


def test_alignments_link_the_words_that_translate_each_other(pairs):
    """Spot checks on the links themselves, read through the tokens."""
    checked = 0
    for pair in pairs:
        source, target = tokenize(pair.source), tokenize(pair.target)
        links = {(target[t], source[s]) for t, s in pair.alignment}
        if "car" in source and "coche" in target:
            assert ("coche", "car") in links
            checked += 1
        if "red" in source and "rojo" in target:
            assert ("rojo", "red") in links
        if source[-1] == "?":
            assert ("?", "?") in links and ("¿", source[0]) in links
        if "not" in source:
            assert ("no", "not") in links
    assert checked > 10


def test_vocabulary_has_at_least_150_words_per_side():
    pairs = embedded.generate(20_000, seed=0)
    assert len({token for pair in pairs for token in tokenize(pair.source)}) >= 150
    assert len({token for pair in pairs for token in tokenize(pair.target)}) >= 150


@pytest.mark.parametrize(
    ("phenomenon", "test"),
    [
        ("adjective after noun", lambda s, t: "red car" in s and "coche rojo" in t),
        ("adjective agrees with noun", lambda s, t: "red houses" in s and "casas rojas" in t),
        ("feminine plural agreement", lambda s, t: "las" in t.split() and "as ." in t),
        ("negation", lambda s, t: "does not" in s and " no " in t),
        ("subject-pronoun drop", lambda s, t: s.startswith("i ") and "yo" not in t.split()),
        ("possessive reordering", lambda s, t: "'s" in s and " de " in t),
        ("contraction de + el", lambda s, t: " del " in t),
        ("contraction a + el", lambda s, t: t.startswith("al ")),
        ("object pronoun before the verb", lambda s, t: "helps him" in s and "lo ayuda" in t),
        ("gustar agrees with what is liked", lambda s, t: " like" in s and " gustan " in t),
        ("question inversion", lambda s, t: t.startswith("¿") and s.endswith("?")),
        ("accents and ñ", lambda s, t: "ñ" in t and "á" in t),
    ],
)
def test_corpus_shows_the_phenomena_attention_should_reveal(pairs, phenomenon, test):
    normalized = [(" ".join(tokenize(p.source)), " ".join(tokenize(p.target))) for p in pairs]
    assert any(test(source, target) for source, target in normalized), phenomenon


def test_pronoun_drop_aligns_the_verb_with_pronoun_and_verb():
    for pair in embedded.generate(6000, seed=1):
        source, target = tokenize(pair.source), tokenize(pair.target)
        if source[:2] == ["i", "eat"]:
            assert target[0] == "como"
            assert {(0, 0), (0, 1)} <= pair.alignment
            return
    pytest.fail("no sentence starting with 'I eat' in 6,000 pairs")


def test_gustar_turns_the_sentence_around():
    for pair in embedded.generate(6000, seed=2):
        source, target = tokenize(pair.source), tokenize(pair.target)
        if source[:2] == ["maria", "likes"]:
            plural = target[4] in {
                "los",
                "las",
                "unos",
                "unas",
                "estos",
                "estas",
                "esos",
                "esas",
                "mis",
                "tus",
                "nuestros",
                "nuestras",
            }
            assert target[:4] == ["a", "maría", "le", "gustan" if plural else "gusta"]
            links = {(target[t], source[s]) for t, s in pair.alignment}
            assert {("a", "maria"), ("maría", "maria"), ("le", "maria")} <= links
            assert ("gusta", "likes") in links or ("gustan", "likes") in links
            return
    pytest.fail("no sentence starting with 'Maria likes' in 6,000 pairs")


def test_rendered_sentences_are_written_like_sentences(pairs):
    for pair in pairs[:200]:
        assert pair.source[0].isupper()
        assert pair.source[-1] in ".?" and pair.target[-1] in ".?"
        assert " ." not in pair.source and " ?" not in pair.target


def test_split_keeps_every_source_in_one_part_and_is_seeded(pairs):
    corpus = split("embedded", pairs, 0.1, 0.1, seed=4)
    parts = [corpus.train, corpus.validation, corpus.test]
    sources = [{pair.source for pair in part} for part in parts]
    assert sum(len(part) for part in parts) == len(pairs)
    assert not (sources[0] & sources[1] or sources[0] & sources[2] or sources[1] & sources[2])
    assert len(corpus.test) == len(pairs) // 10
    assert split("embedded", pairs, 0.1, 0.1, seed=4) == corpus
