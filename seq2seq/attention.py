"""Attention: where the decoder looks in the source at each output step.

For a decoder state (the *query*) q and the encoder outputs (the *keys*)
k_1 … k_S, attention gives every source position a score, turns the scores
into weights with a softmax, and returns the weighted average of the keys::

    weights_s = softmax_s(score(q, k_s))        # sums to 1 over s
    context   = sum_s weights_s * k_s

The score decides what "matching" means:

- additive (Bahdanau et al., 2015):   score = vᵀ tanh(W_q q + W_k k)
- dot (Luong et al., 2015):           score = qᵀ k
- general (Luong et al., 2015):       score = qᵀ W k
- scaled dot (Vaswani et al., 2017):  score = qᵀ k / √d

Padded source positions get a weight of exactly zero, so each row of weights
is a distribution over the real source tokens only. The layer returns the
weights along with the context: they are the picture this project draws.
"""

from __future__ import annotations

import keras
from keras import ops

from seq2seq.config import SCORES


@keras.saving.register_keras_serializable(package="seq2seq")
class Attention(keras.layers.Layer):
    """``context, weights = attention(query, keys, mask=source_mask)``.

    Shapes: query ``(batch, target_len, query_dim)``, keys ``(batch, source_len,
    key_dim)``, mask ``(batch, source_len)`` bool (True = real token) → context
    ``(batch, target_len, key_dim)``, weights ``(batch, target_len, source_len)``.

    ``units`` is the size of the hidden layer of the additive score; dot and
    scaled dot need ``query_dim == key_dim`` and have no weights.
    """

    def __init__(self, score: str = "additive", units: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if score not in SCORES:
            raise ValueError(f"score must be one of {', '.join(SCORES)}, got {score!r}")
        self.score = score
        self.units = units
        # Masks are taken through ``mask=``; the outputs carry none.
        self.supports_masking = True

    def build(self, query_shape, keys_shape):
        query_dim, key_dim = query_shape[-1], keys_shape[-1]
        if self.score == "additive":
            units = self.units or key_dim
            self.query_kernel = self.add_weight(name="query_kernel", shape=(query_dim, units))
            self.key_kernel = self.add_weight(name="key_kernel", shape=(key_dim, units))
            self.v = self.add_weight(name="v", shape=(units,))
        elif self.score == "general":
            self.kernel = self.add_weight(name="kernel", shape=(query_dim, key_dim))
        elif query_dim != key_dim:
            raise ValueError(
                f"{self.score} attention needs query and key sizes to match, "
                f"got {query_dim} and {key_dim}"
            )

    def call(self, query, keys, mask=None):
        scores = self.scores(query, keys)  # (batch, target_len, source_len)
        # Softmax in float32 even under mixed precision: the weights are the output.
        scores = ops.cast(scores, "float32")
        if mask is not None:
            mask = ops.expand_dims(ops.cast(mask, "bool"), 1)  # (batch, 1, source_len)
            scores = ops.where(mask, scores, -1e9)
        # softmax, written out: Keras' own warns on one-token sources, where it is exactly right
        exponentials = ops.exp(scores - ops.max(scores, axis=-1, keepdims=True))
        weights = exponentials / ops.sum(exponentials, axis=-1, keepdims=True)
        if mask is not None:
            # exp(-1e9) already underflows to 0; this keeps it exact if every key is masked.
            weights = ops.where(mask, weights, 0.0)
        context = ops.matmul(ops.cast(weights, keys.dtype), keys)  # (batch, target_len, key_dim)
        return context, weights

    def compute_mask(self, query, keys, mask=None):
        return None

    def scores(self, query, keys):
        """Unnormalized scores ``(batch, target_len, source_len)``."""
        if self.score == "additive":
            projected_query = ops.matmul(query, self.query_kernel)[:, :, None, :]  # (B, T, 1, U)
            projected_keys = ops.matmul(keys, self.key_kernel)[:, None, :, :]  # (B, 1, S, U)
            return ops.matmul(ops.tanh(projected_query + projected_keys), self.v)
        if self.score == "general":
            query = ops.matmul(query, self.kernel)
        scores = ops.matmul(query, ops.transpose(keys, (0, 2, 1)))
        if self.score == "scaled_dot":
            scores = scores / ops.sqrt(ops.cast(ops.shape(keys)[-1], scores.dtype))
        return scores

    def compute_output_spec(self, query, keys, mask=None):
        batch, target_len, _ = query.shape
        source_len, key_dim = keys.shape[1], keys.shape[2]
        return (
            keras.KerasTensor((batch, target_len, key_dim), dtype=keys.dtype),
            keras.KerasTensor((batch, target_len, source_len), dtype="float32"),
        )

    def get_config(self):
        return {**super().get_config(), "score": self.score, "units": self.units}
