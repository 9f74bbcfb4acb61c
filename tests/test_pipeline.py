"""tf.data batches: shifted targets, padding per batch, bucketing, a known length."""

from __future__ import annotations

import numpy as np
import pytest

from seq2seq.corpora import embedded
from seq2seq.pipeline import Vectorizers, make_dataset
from seq2seq.text import END, START, build_vectorizer, normalize, with_markers


@pytest.fixture(scope="module")
def pairs():
    return embedded.generate(500, seed=2)


@pytest.fixture(scope="module")
def vectorizers(pairs):
    return Vectorizers(
        build_vectorizer(normalize(p.source) for p in pairs),
        build_vectorizer(with_markers(normalize(p.target)) for p in pairs),
    )


def test_target_out_is_target_in_one_step_ahead(pairs, vectorizers):
    vocabulary = vectorizers.target.get_vocabulary()
    (_, target_in), target_out = next(iter(make_dataset(pairs, vectorizers, 16, False)))
    target_in, target_out = target_in.numpy(), target_out.numpy()
    assert np.all(target_in[:, 0] == vocabulary.index(START))
    np.testing.assert_array_equal(target_in[:, 1:], target_out[:, :-1])
    for row in target_out:
        assert vocabulary[row[row != 0][-1]] == END


def test_batches_pad_to_their_own_longest_sentence_and_hold_similar_lengths(pairs, vectorizers):
    corpus_longest = max(len(normalize(p.source).split()) for p in pairs)
    widths, spreads = [], []
    for (source, _), _ in make_dataset(pairs, vectorizers, 16, True, seed=1):
        lengths = np.count_nonzero(source.numpy(), axis=1)
        assert source.shape[1] == lengths.max()
        widths.append(source.shape[1])
        spreads.append(lengths.max() - lengths.min())
    assert min(widths) < corpus_longest
    assert max(spreads) < corpus_longest - 3


def test_the_stated_number_of_batches_is_the_real_one(pairs, vectorizers):
    dataset = make_dataset(pairs, vectorizers, 16, True, seed=1)
    assert int(dataset.cardinality()) == sum(1 for _ in dataset)
    assert sum(int(target.shape[0]) for _, target in dataset) == len(pairs)


def test_shuffling_is_repeatable_for_a_seed(pairs, vectorizers):
    def first_batch(seed):
        (source, _), _ = next(iter(make_dataset(pairs, vectorizers, 16, True, seed=seed)))
        return source.numpy()

    np.testing.assert_array_equal(first_batch(7), first_batch(7))
