"""What every corpus goes through: --reverse, --max-length, --max-pairs and the split."""

from __future__ import annotations

from seq2seq.config import Config
from seq2seq.corpora import load_corpus
from seq2seq.corpora.pairs import Pair, select, split
from seq2seq.text import tokenize


def test_reversed_pair_swaps_the_sentences_and_turns_the_links():
    pair = Pair("I eat .", "como .", frozenset({(0, 0), (0, 1), (1, 2)}))
    assert pair.reversed() == Pair("como .", "I eat .", frozenset({(0, 0), (1, 0), (2, 1)}))
    assert Pair("a", "b").reversed().alignment is None


def test_select_filters_by_tokens_on_either_side_then_keeps_the_first():
    pairs = [
        Pair("a b c", "x"),
        Pair("a", "x y z"),
        Pair("a.", "x."),
        Pair("b", "y"),
        Pair("c", "z"),
    ]
    assert list(select(pairs, max_length=2)) == pairs[2:]
    assert list(select(pairs, max_length=2, max_pairs=2)) == pairs[2:4]
    assert list(select(pairs, max_pairs=1)) == pairs[:1]


def test_select_stops_reading_once_it_has_enough():
    def endless():
        while True:
            yield Pair("a", "b")

    assert len(list(select(endless(), max_pairs=3))) == 3


def test_split_keeps_sources_that_normalize_alike_together():
    pairs = [Pair(f"Sentence {n}.", f"Phrase {n}.") for n in range(40)]
    pairs += [Pair("SENTENCE 7 .", "Phrase sept.")]
    corpus = split("toy", pairs, 0.2, 0.2, seed=0)
    part_of = {
        pair.source: name
        for name in ("train", "validation", "test")
        for pair in getattr(corpus, name)
    }
    assert part_of["SENTENCE 7 ."] == part_of["Sentence 7."]


def test_embedded_corpus_reversed_is_spanish_to_english_with_links_in_range():
    corpus = load_corpus(Config(corpus_size=200, reverse=True))
    pair = corpus.train[0]
    assert corpus.name == "embedded reversed"
    for target, source in pair.alignment:
        assert target < len(tokenize(pair.target)) and source < len(tokenize(pair.source))
    assert any(token in tokenize(pair.target) for token in ("the", "a", "i", "is", "."))
