"""The attention layer: shapes, masking, row sums, gradients and saving, for every score."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from seq2seq.attention import Attention
from seq2seq.config import SCORES


@st.composite
def attention_inputs(draw):
    """Random sizes and a random padding mask with at least one real key per row."""
    batch = draw(st.integers(1, 4))
    target_len = draw(st.integers(1, 6))
    source_len = draw(st.integers(1, 9))
    dim = draw(st.sampled_from([2, 4, 8]))
    lengths = draw(st.lists(st.integers(1, source_len), min_size=batch, max_size=batch))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    query = rng.normal(size=(batch, target_len, dim)).astype("float32")
    keys = rng.normal(size=(batch, source_len, dim)).astype("float32")
    mask = np.arange(source_len)[None, :] < np.array(lengths)[:, None]
    return query, keys, mask


@pytest.mark.parametrize("score", SCORES)
@settings(max_examples=25, deadline=None)
@given(inputs=attention_inputs())
def test_weights_are_distributions_over_real_tokens_only(score, inputs):
    query, keys, mask = inputs
    context, weights = Attention(score)(query, keys, mask=mask)
    context, weights = np.asarray(context), np.asarray(weights)

    batch, target_len, dim = query.shape
    assert context.shape == (batch, target_len, dim)
    assert weights.shape == (batch, target_len, keys.shape[1])
    padded = np.broadcast_to(~mask[:, None, :], weights.shape)
    assert np.all(weights[padded] == 0.0)
    assert np.all(weights >= 0.0)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, atol=1e-5)
    np.testing.assert_allclose(context, weights @ keys, atol=1e-5)


@pytest.mark.parametrize("score", SCORES)
def test_padding_values_do_not_change_the_output(score):
    rng = np.random.default_rng(0)
    query = rng.normal(size=(2, 3, 4)).astype("float32")
    keys = rng.normal(size=(2, 5, 4)).astype("float32")
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 0]], bool)
    layer = Attention(score)
    context, weights = layer(query, keys, mask=mask)
    noisy_keys = np.where(mask[..., None], keys, 100.0).astype("float32")
    noisy_context, noisy_weights = layer(query, noisy_keys, mask=mask)
    np.testing.assert_allclose(context, noisy_context, atol=1e-6)
    np.testing.assert_allclose(weights, noisy_weights, atol=1e-6)


@pytest.mark.parametrize("score", SCORES)
def test_gradients_reach_query_keys_and_every_weight(score):
    rng = np.random.default_rng(1)
    query = tf.constant(rng.normal(size=(2, 3, 4)), tf.float32)
    keys = tf.constant(rng.normal(size=(2, 5, 4)), tf.float32)
    layer = Attention(score)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([query, keys])
        context, _ = layer(query, keys, mask=np.array([[1, 1, 1, 1, 0], [1, 1, 1, 1, 1]], bool))
        loss = tf.reduce_sum(context**2)
    for gradient in tape.gradient(loss, [query, keys, *layer.trainable_variables]):
        assert gradient is not None
        assert np.all(np.isfinite(gradient))
        assert np.any(np.abs(gradient) > 0)


def test_dot_scores_refuse_different_query_and_key_sizes():
    with pytest.raises(ValueError, match="sizes to match"):
        Attention("dot")(np.zeros((1, 2, 4), "float32"), np.zeros((1, 3, 6), "float32"))


def test_unknown_score_is_refused():
    with pytest.raises(ValueError, match="score must be one of"):
        Attention("cosine")


@pytest.mark.parametrize("score", SCORES)
def test_saved_and_loaded_model_gives_identical_outputs(score, tmp_path):
    query = keras.Input((None, 8))
    keys = keras.Input((None, 8))
    mask = keras.Input((None,), dtype="bool")
    context, weights = Attention(score, units=6)(query, keys, mask=mask)
    model = keras.Model([query, keys, mask], [context, weights])

    rng = np.random.default_rng(2)
    inputs = [
        rng.normal(size=(2, 3, 8)).astype("float32"),
        rng.normal(size=(2, 5, 8)).astype("float32"),
        np.array([[1, 1, 0, 0, 0], [1, 1, 1, 1, 1]], bool),
    ]
    path = tmp_path / "attention.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    for expected, actual in zip(model(inputs), loaded(inputs)):
        np.testing.assert_array_equal(np.asarray(expected), np.asarray(actual))
    assert loaded.layers[-1].get_config()["score"] == score
