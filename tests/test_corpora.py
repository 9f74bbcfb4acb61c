"""What every corpus goes through: --reverse, --max-length, --max-pairs and the split."""

from __future__ import annotations

import pytest

from seq2seq.config import Config
from seq2seq.corpora import beyond_cut, load_corpus, tsv
from seq2seq.corpora.pairs import Pair, select, split
from seq2seq.errors import UserError
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


def test_beyond_cut_gives_the_pairs_whose_source_the_max_length_left_out(tmp_path):
    lines = ["A b c.\tx", "One two three four five six.\ty", "Short.\tA very long target indeed."]
    path = tmp_path / "pairs.tsv"
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    config = Config(corpus=f"tsv:{path}", max_length=4)
    trained = {pair.source for pair in select(tsv.read_pairs(path), config.max_length)}
    beyond = beyond_cut(config)
    assert [pair.source for pair in beyond] == ["One two three four five six."]
    assert not trained & {pair.source for pair in beyond}
    # Read the other way, the long target is the long source.
    reversed_config = Config(corpus=f"tsv:{path}", max_length=4, reverse=True)
    assert [pair.source for pair in beyond_cut(reversed_config)] == ["A very long target indeed."]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"corpus": "embedded", "max_length": 10}, "tsv: and anki: corpora"),
        ({"corpus": "tsv:pairs.tsv"}, "without --max-length, so no pairs lie beyond a cut"),
    ],
)
def test_beyond_cut_refuses_a_corpus_without_a_cut_or_without_a_file(settings, message):
    with pytest.raises(UserError, match=message):
        beyond_cut(Config(**settings))
