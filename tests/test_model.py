"""The encoder-decoder: it learns, it saves, and every configuration builds."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from seq2seq.config import SCORES, Config
from seq2seq.corpora import embedded
from seq2seq.corpora.pairs import Corpus
from seq2seq.inference import Translator
from seq2seq.model import Seq2Seq
from seq2seq.pipeline import make_dataset
from seq2seq.text import tokenize
from seq2seq.training import build_model, build_vectorizers


def _fit(pairs, config, epochs):
    corpus = Corpus("few", pairs, [], [])
    vectorizers = build_vectorizers(corpus)
    batches = make_dataset(pairs, vectorizers, config.batch_size, shuffle=True, seed=0)
    keras.utils.set_random_seed(0)
    model = build_model(config, vectorizers, int(batches.cardinality()))
    model.fit(batches, epochs=epochs, verbose=0, shuffle=False)
    return Translator(model, vectorizers, config)


def test_a_tiny_model_overfits_a_few_dozen_pairs():
    pairs = embedded.generate(40, seed=9)
    config = Config(
        embedding_dim=32, units=64, batch_size=8, dropout=0.0, learning_rate=1e-2, epochs=40
    )
    translator = _fit(pairs, config, epochs=config.epochs)
    translations = translator.translate_batch([pair.source for pair in pairs])
    right = sum(t.target_tokens == tokenize(p.target) for t, p in zip(translations, pairs))
    assert right == len(pairs)


# The reference's shape in the default run, the others in the slow one (7 to 14 s each).
@pytest.mark.parametrize(
    "settings",
    [
        {"attention": "additive"},
        *(
            pytest.param(settings, marks=pytest.mark.slow)
            for settings in [
                *({"attention": score} for score in SCORES if score != "additive"),
                {"encoder": "lstm"},
                {"encoder_layers": 2, "decoder_layers": 2},
                {"tie_embeddings": True},
            ]
        ),
    ],
    ids=lambda settings: "-".join(f"{k}={v}" for k, v in settings.items()),
)
def test_every_configuration_trains_saves_and_reloads(settings, tmp_path):
    config = Config(embedding_dim=8, units=16, batch_size=16, **settings)
    translator = _fit(embedded.generate(48, seed=4), config, epochs=1)
    model = translator.model
    source = np.array([[5, 6, 7, 0], [8, 9, 0, 0]])
    target_in = np.array([[2, 5, 6], [2, 7, 0]])

    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, compile=False, safe_mode=True)
    expected_logits, expected_weights = model.forward(source, target_in)
    logits, weights = loaded.forward(source, target_in)
    np.testing.assert_allclose(np.asarray(logits), np.asarray(expected_logits), atol=1e-6)
    np.testing.assert_allclose(np.asarray(weights), np.asarray(expected_weights), atol=1e-6)
    assert np.asarray(weights).shape == (2, 3, 4)
    assert np.all(np.asarray(weights)[1, :, 2:] == 0)


def test_a_tied_output_layer_is_the_target_embedding_matrix():
    source_size, target_size, embedding_dim, units = 50, 60, 8, 16
    shapes = ((2, 4), (2, 3))
    untied = Seq2Seq(source_size, target_size, embedding_dim, units)
    tied = Seq2Seq(source_size, target_size, embedding_dim, units, tie_embeddings=True)
    untied.build(shapes)
    tied.build(shapes)
    # Gone: the projection's kernel (U x V) and bias; the combined state shrinks
    # from U to E; a bias over the vocabulary stays.
    removed = units * target_size + target_size + 2 * units * (units - embedding_dim)
    removed += units - embedding_dim
    assert tied.count_params() == untied.count_params() - removed + target_size

    embeddings = tied.decoder.embedding.embeddings
    unit_rows = np.zeros((target_size, embedding_dim), "float32")
    unit_rows[7, 0] = 1.0  # token 7's logit is the combined state's first value
    embeddings.assign(unit_rows)
    tied.decoder.output_bias.assign(np.arange(target_size, dtype="float32"))
    logits, _ = tied.forward(np.array([[5, 6, 7, 0], [8, 9, 0, 0]]), np.array([[2, 5], [2, 7]]))
    logits = np.asarray(logits)
    others = np.delete(np.arange(target_size, dtype="float32"), 7)
    np.testing.assert_array_equal(
        np.delete(logits, 7, axis=-1), np.broadcast_to(others, (2, 2, 59))
    )
    assert np.all(np.abs(logits[..., 7] - 7.0) <= 1.0)  # tanh bounds the state
    assert np.any(logits[..., 7] != 7.0)


def test_a_model_saved_under_the_earlier_setting_names_still_loads(tiny_run, tmp_path):
    import json
    import shutil
    import zipfile

    old_run = tmp_path / "old"
    shutil.copytree(tiny_run, old_run)
    with zipfile.ZipFile(tiny_run / "model.keras") as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    saved = json.loads(files["config.json"])
    settings = saved["config"]
    for side in ("source", "target"):
        settings[f"{side}_vocab_size"] = settings.pop(f"{side}_vocabulary_size")
    files["config.json"] = json.dumps(saved).encode()
    with zipfile.ZipFile(old_run / "model.keras", "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)

    sentence = "The small cat sleeps."
    expected = Translator.load(tiny_run).translate(sentence)
    translated = Translator.load(old_run).translate(sentence)
    assert translated.target_tokens == expected.target_tokens
    np.testing.assert_allclose(translated.weights, expected.weights)


def test_a_model_without_attention_trains_saves_and_reloads_with_no_weights(tmp_path):
    config = Config(embedding_dim=8, units=16, batch_size=16, attention="none")
    model = _fit(embedded.generate(48, seed=4), config, epochs=1).model
    assert model.decoder.attention is None and not model.has_attention
    source = np.array([[5, 6, 7, 0], [8, 9, 0, 0]])
    target_in = np.array([[2, 5, 6], [2, 7, 0]])

    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras", compile=False, safe_mode=True)
    expected_logits, expected_weights = model.forward(source, target_in)
    logits, weights = loaded.forward(source, target_in)
    np.testing.assert_allclose(np.asarray(logits), np.asarray(expected_logits), atol=1e-6)
    assert weights is None and expected_weights is None
    assert not loaded.has_attention


def test_without_attention_the_decoder_reads_one_vector_whatever_the_source_length():
    model = Seq2Seq(50, 60, embedding_dim=8, units=16, attention="none")
    short, long = np.array([[5, 6, 0, 0, 0, 0]]), np.array([[5, 6, 7, 8, 9, 10]])
    for source in (short, long):
        keys, mask, _ = model.encode(source)
        _, summary, _ = model.encoder(source)
        assert tuple(keys.shape) == (1, 1, 16) and tuple(mask.shape) == (1, 1)
        np.testing.assert_allclose(np.asarray(keys)[:, 0], np.asarray(summary))
    # The same decoder with attention reads one key per source token.
    attentive = Seq2Seq(50, 60, embedding_dim=8, units=16)
    assert tuple(attentive.encode(long)[0].shape) == (1, 6, 16)


def test_a_model_without_attention_has_no_attention_weights_at_all():
    shapes = ((2, 4), (2, 3))
    none, additive = (Seq2Seq(50, 60, 8, 16, attention=kind) for kind in ("none", "additive"))
    none.build(shapes)
    additive.build(shapes)
    attention_weights = additive.decoder.attention.count_params()
    assert attention_weights > 0
    assert none.count_params() == additive.count_params() - attention_weights
