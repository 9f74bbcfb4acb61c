"""tf.data batches for ``fit``: sentences of like length together, padded to the batch's longest."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import tensorflow as tf

from seq2seq.corpora.pairs import Pair
from seq2seq.text import normalize, with_markers

# Sentences are shuffled, then sorted by length within pools of this many
# batches and cut into batches: a batch holds sentences of nearly one length,
# so it is hardly padded, while which sentences share a pool, and the order of
# the batches, change every epoch.
POOL_BATCHES = 32


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
    source_lengths = source_ids.row_lengths().numpy()
    target_lengths = target_ids.row_lengths().numpy() - 1
    # Each pair's place in the corpus sorted by its longer side, then by target
    # length (the decoder's steps cost the most), then by source length.
    order = np.lexsort((source_lengths, target_lengths, np.maximum(source_lengths, target_lengths)))
    rank = tf.constant(np.argsort(order))

    def sort_and_split(pool):
        pool = tf.gather(pool, tf.argsort(tf.gather(rank, pool)))
        return tf.data.Dataset.from_tensor_slices(pool).batch(batch_size)

    def to_ids(batch):
        target = tf.gather(target_ids, batch)
        source = tf.gather(source_ids, batch).to_tensor()
        return (source, target[:, :-1].to_tensor()), target[:, 1:].to_tensor()

    pool_size = POOL_BATCHES * batch_size
    dataset = tf.data.Dataset.range(len(pairs))
    if shuffle:
        dataset = dataset.shuffle(len(pairs), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(pool_size).flat_map(sort_and_split)
    if shuffle:
        dataset = dataset.shuffle(POOL_BATCHES, seed=seed, reshuffle_each_iteration=True)
    # Only the last pool can be short, so the count is the same each epoch; stating
    # it gives Keras' progress bar a total from the first epoch on.
    batches = len(pairs) // pool_size * POOL_BATCHES + math.ceil(
        len(pairs) % pool_size / batch_size
    )
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(batches))
    dataset = dataset.map(to_ids, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)
