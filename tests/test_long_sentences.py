"""The long sentences of ``embedded:long``: every length up to 40 tokens, gold links that fit."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest

from seq2seq.config import Config
from seq2seq.corpora import embedded, load_corpus, long_sentences
from seq2seq.text import tokenize


@pytest.fixture(scope="module")
def pairs():
    return long_sentences.generate(3000, seed=7)


def test_same_seed_gives_the_same_pairs_and_another_seed_others():
    assert long_sentences.generate(300, seed=5) == long_sentences.generate(300, seed=5)
    assert long_sentences.generate(300, seed=5) != long_sentences.generate(300, seed=6)


def test_sources_are_distinct_and_no_side_is_longer_than_40_tokens(pairs):
    assert len({pair.source for pair in pairs}) == len(pairs)
    for pair in pairs:
        assert 3 <= len(tokenize(pair.source)) <= 40
        assert len(tokenize(pair.target)) <= long_sentences.LONGEST == 40


def test_each_band_of_lengths_holds_its_share_of_the_pairs(pairs):
    counts = Counter(long_sentences._band(len(tokenize(pair.source))) for pair in pairs)
    assert set(counts) == set(long_sentences.BANDS)
    for band, share in long_sentences.BANDS.items():
        assert counts[band] == pytest.approx(share * len(pairs), abs=1), band


def test_alignment_links_stay_inside_and_every_target_token_translates_something(pairs):
    for pair in pairs:
        source_length, target_length = len(tokenize(pair.source)), len(tokenize(pair.target))
        assert all(0 <= t < target_length and 0 <= s < source_length for t, s in pair.alignment)
        assert {t for t, _ in pair.alignment} == set(range(target_length)), pair


@pytest.mark.parametrize(
    ("english", "spanish"),
    [
        ("because", "porque"),
        ("while", "mientras"),
        ("who", "que"),
        ("every", "todos"),
        ("sometimes", "veces"),
    ],
)
def test_connectors_relative_clauses_and_adverbials_link_to_their_translation(
    pairs, english, spanish
):
    found = 0
    for pair in pairs:
        source, target = tokenize(pair.source), tokenize(pair.target)
        if english in source and spanish in target:
            links = {(target[t], source[s]) for t, s in pair.alignment}
            assert (spanish, english) in links, pair
            found += 1
    assert found > 10


def test_a_relative_clause_agrees_with_the_noun_it_follows(pairs):
    found = 0
    for pair in pairs:
        source, target = tokenize(pair.source), tokenize(pair.target)
        for position in range(1, len(source) - 2):
            if source[position - 1 : position + 1] == ["boys", "who"]:
                found += 1
                # "niños ... que" and a verb in the third person plural: -an or -en
                that = target.index("que", target.index("niños"))
                assert target[that + 1][-1] == "n", pair
    assert found


def test_embedded_long_is_a_corpus_of_its_own_and_the_default_corpus_is_unchanged():
    corpus = load_corpus(Config(corpus="embedded:long", corpus_size=500))
    assert corpus.name == "embedded:long"
    assert max(len(tokenize(pair.source)) for pair in corpus.train) > 30
    # What embedded.generate wrote before the long sentences existed, to the byte.
    pairs = embedded.generate(2000, seed=0)
    text = "".join(f"{p.source}\t{p.target}\t{sorted(p.alignment)}\n" for p in pairs)
    digest = hashlib.sha256(text.encode()).hexdigest()
    assert digest == "6184982e98e549ca266eb23ced87e7ce6b4cb453030f2d2416ccb9625900a61b"
