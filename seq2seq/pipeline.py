"""tf.data batches for ``fit``: ids, length buckets, padding only to the batch's longest."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import tensorflow as tf

from seq2seq.corpora.pairs import Pair
from seq2seq.text import normalize, with_markers

# Sentences of similar length share a batch, so a batch of short sentences
# is not padded to the longest sentence of the corpus.
BUCKET_WIDTH = 4


class Vectorizers:
    """The source and target `TextVectorization` layers of one run."""

    def __init__(self, source, target):
        self.source, self.target = source, target

    def target_ids(self, targets: Sequence[str]) -> tf.RaggedTensor:
        """Ragged ids ``(N, None)`` of target sentences, wrapped in [START] … [END]."""
        return self.target(tf.constant([with_markers(normalize(target)) for target in targets]))

    def pairs_to_ids(self, pairs: list[Pair]) -> tuple[tf.RaggedTensor, tf.RaggedTensor]:
        """Ragged source ids ``(N, None)`` and target ids with [START]/[END] ``(N, None)``."""
        sources = tf.constant([normalize(pair.source) for pair in pairs])
        return self.source(sources), self.target_ids([pair.target for pair in pairs])


def make_dataset(
    pairs: list[Pair], vectorizers: Vectorizers, batch_size: int, shuffle: bool, seed: int = 0
) -> tf.data.Dataset:
    """Batches of ``((source, target_in), target_out)``, each ``(B, longest in batch)``.

    ``target_in`` is the target from ``[START]`` without ``[END]``; ``target_out``
    is the same sentence one step ahead, what the decoder must predict.
    """
    source_ids, target_ids = vectorizers.pairs_to_ids(pairs)
    lengths = np.maximum(source_ids.row_lengths().numpy(), target_ids.row_lengths().numpy() - 1)
    boundaries = list(range(BUCKET_WIDTH + 1, int(lengths.max()) + 1, BUCKET_WIDTH))

    dataset = tf.data.Dataset.from_tensor_slices(
        (
            source_ids.to_tensor(),
            source_ids.row_lengths(),
            target_ids.to_tensor(),
            target_ids.row_lengths(),
        )
    )
    dataset = dataset.map(
        lambda source, source_length, target, target_length: (
            source[:source_length],
            target[:target_length],
        )
    ).cache()
    if shuffle:
        dataset = dataset.shuffle(len(pairs), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.bucket_by_sequence_length(
        lambda source, target: tf.maximum(tf.shape(source)[0], tf.shape(target)[0] - 1),
        bucket_boundaries=boundaries,
        bucket_batch_sizes=[batch_size] * (len(boundaries) + 1),
    )
    # Every bucket ends with one partial batch, so the count is the same each epoch;
    # stating it gives Keras' progress bar a total from the first epoch on.
    buckets = np.digitize(lengths, boundaries)
    batches = sum(math.ceil(count / batch_size) for count in np.bincount(buckets) if count)
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(batches))
    dataset = dataset.map(
        lambda source, target: ((source, target[:, :-1]), target[:, 1:]),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    return dataset.prefetch(tf.data.AUTOTUNE)
