"""The design of TensorFlow's tutorial "Neural machine translation with attention", as a baseline.

https://www.tensorflow.org/text/tutorials/nmt_with_attention builds an RNN
translator the way most users first meet one; this module rebuilds that
design in Keras 3 so `benchmarks/throughput.py` can time it beside this
project's model on the same ids:

- encoder: ``Embedding(units, mask_zero=True)`` and a bidirectional GRU of
  ``units`` a direction whose two directions are summed;
- cross-attention: one-head ``MultiHeadAttention(key_dim=units)``, its output
  added to the query and layer-normalized;
- decoder: ``Embedding(units, mask_zero=True)``, a GRU started from zeros, the
  cross-attention with the GRU's outputs as queries, ``Dense(vocabulary)``;
- training: Adam at Keras' default rate, cross-entropy masked to real tokens,
  batches that are shuffled, not sorted by length, and padded to the corpus'
  longest sentence (``padding="corpus"``) or, as the tutorial's
  ``RaggedTensor.to_tensor()`` does, to the batch's longest (``padding="batch"``);
- translation: greedy, driven from Python one step at a time in eager mode
  (the tutorial's ``translate``), stopping when every sentence has ended or
  after ``max_length`` steps.

Masks travel on the tensors (Keras' implicit masking) as in the tutorial;
the source mask is also passed by name (``context_mask``), because Keras 3's
``MultiHeadAttention`` takes the mask off a tensor it reads, and the context
is read again at every decoding step.

Text reaches it in one of two ways. By default it reads the ids of this
project's `seq2seq.pipeline.Vectorizers`, so that both models see identical
inputs (`benchmarks/throughput.py`). With `tutorial_vectorizers` and
`TUTORIAL_TEXT` it reads text as the tutorial does (`tutorial_standardize`:
accents stripped, 5,000 tokens a side, [START] and [END] around the source
too), for `benchmarks/spa_budget.py`.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import NamedTuple

import keras
import numpy as np
import tensorflow as tf

from seq2seq.corpora.pairs import Pair
from seq2seq.pipeline import Vectorizers
from seq2seq.text import END, START, build_vectorizer, normalize, with_markers

PADDINGS = ("corpus", "batch")


class TextForm(NamedTuple):
    """How a source and a target sentence become the space-separated text the vectorizers read."""

    source: Callable[[str], str]
    target: Callable[[str], str]


PROJECT_TEXT = TextForm(normalize, normalize)


def tutorial_standardize(text: str) -> str:
    """The tutorial's ``tf_lower_and_split_punct``, without its [START] and [END].

    NFKD, lowercase, keep only ``a-z``, spaces and ``.?!,¿`` (so accents and
    ``ñ``'s tilde go, and ``¡`` with them), set that punctuation apart.

    >>> tutorial_standardize("¿Todavía está en casa?")
    '¿ todavia esta en casa ?'
    """
    text = unicodedata.normalize("NFKD", text).lower()
    text = re.sub(r"[^ a-z.?!,¿]", "", text)
    return " ".join(re.sub(r"([.?!,¿])", r" \1 ", text).split())


TUTORIAL_TEXT = TextForm(
    lambda text: with_markers(tutorial_standardize(text)), tutorial_standardize
)


def tutorial_vectorizers(pairs: list[Pair], max_tokens: int = 5000) -> Vectorizers:
    """The tutorial's two `TextVectorization` layers: ``max_tokens`` a side, padding and
    [UNK] included, learned from the training pairs in `TUTORIAL_TEXT`'s form."""
    source = [TUTORIAL_TEXT.source(pair.source) for pair in pairs]
    target = [with_markers(TUTORIAL_TEXT.target(pair.target)) for pair in pairs]
    return Vectorizers(
        build_vectorizer(source, max_words=max_tokens - 2),
        build_vectorizer(target, max_words=max_tokens - 2),
    )


class TutorialEncoder(keras.layers.Layer):
    """Source ids ``(B, S)`` → context ``(B, S, U)``, the sum of both GRU directions."""

    def __init__(self, vocab_size: int, units: int, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.embedding = keras.layers.Embedding(vocab_size, units, mask_zero=True)
        self.rnn = keras.layers.Bidirectional(
            keras.layers.GRU(units, return_sequences=True, recurrent_initializer="glorot_uniform"),
            merge_mode="sum",
        )

    def call(self, source):
        return self.rnn(self.embedding(source))  # (B, S, U), carrying the source mask


class TutorialCrossAttention(keras.layers.Layer):
    """``LayerNorm(query + MHA(query, context))`` ``(B, T, U)``; keeps the weights ``(B, T, S)``."""

    def __init__(self, units: int, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.mha = keras.layers.MultiHeadAttention(key_dim=units, num_heads=1)
        self.layernorm = keras.layers.LayerNormalization()
        self.add = keras.layers.Add()

    def call(self, query, context, context_mask=None):
        output, scores = self.mha(
            query=query, value=context, value_mask=context_mask, return_attention_scores=True
        )
        self.last_attention_weights = keras.ops.mean(scores, axis=1)  # (B, T, S)
        return self.layernorm(self.add([query, output]))


class TutorialDecoder(keras.layers.Layer):
    """Target ids ``(B, T)`` and context ``(B, S, U)`` → logits ``(B, T, V)``."""

    def __init__(self, vocab_size: int, units: int, start_id: int, end_id: int, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.units, self.start_id, self.end_id = units, start_id, end_id
        self.embedding = keras.layers.Embedding(vocab_size, units, mask_zero=True)
        self.rnn = keras.layers.GRU(
            units, return_sequences=True, return_state=True, recurrent_initializer="glorot_uniform"
        )
        self.attention = TutorialCrossAttention(units)
        self.output_layer = keras.layers.Dense(vocab_size)

    def call(self, context, target, state=None, return_state=False, context_mask=None):
        x = self.embedding(target)  # (B, T, U)
        x, state = self.rnn(x, initial_state=state)  # (B, T, U), (B, U)
        x = self.attention(x, context, context_mask=context_mask)  # (B, T, U)
        self.last_attention_weights = self.attention.last_attention_weights
        logits = self.output_layer(x)  # (B, T, V)
        return (logits, state) if return_state else logits

    def initial_state(self, context):
        """The first tokens ``(B, 1)``, nothing done ``(B, 1)``, a zero GRU state ``(B, U)``."""
        batch = tf.shape(context)[0]
        start = tf.fill([batch, 1], tf.constant(self.start_id, tf.int64))
        return start, tf.zeros([batch, 1], tf.bool), tf.zeros([batch, self.units])

    def next_token(self, context, token, done, state, context_mask):
        """One greedy step: the argmax token ``(B, 1)``, padding once a sentence has ended."""
        logits, state = self(
            context, token, state=state, return_state=True, context_mask=context_mask
        )
        token = tf.argmax(logits, axis=-1)  # (B, 1)
        done = done | (token == self.end_id)
        return tf.where(done, tf.constant(0, tf.int64), token), done, state


class TutorialTranslator(keras.Model):
    """``model((source, target_in))`` → logits ``(B, T, V)``; `translate` decodes greedily."""

    def __init__(
        self, vectorizers: Vectorizers, units: int, text: TextForm = PROJECT_TEXT, **kwargs
    ):
        super().__init__(**kwargs)
        vocabulary = vectorizers.target.get_vocabulary()
        self.vectorizers, self.text = vectorizers, text
        self.target_vocabulary = tf.constant(vocabulary)
        self.encoder = TutorialEncoder(vectorizers.source.vocabulary_size(), units)
        self.decoder = TutorialDecoder(
            len(vocabulary), units, vocabulary.index(START), vocabulary.index(END)
        )

    def call(self, inputs):
        source, target_in = inputs
        logits = self.decoder(self.encoder(source), target_in)
        # The loss masks padding itself; a mask left on the logits would weight it twice.
        with contextlib.suppress(AttributeError):
            del logits._keras_mask
        return logits

    def translate(self, sentences: Sequence[str], max_length: int = 50) -> list[str]:
        """Greedy translations, one eager decoder call per output step for the whole batch."""
        source = self.vectorizers.source(tf.constant([self.text.source(s) for s in sentences]))
        source = source.to_tensor()
        context = self.encoder(source)
        token, done, state = self.decoder.initial_state(context)
        tokens, weights = [], []
        for _ in range(max_length):
            token, done, state = self.decoder.next_token(context, token, done, state, source != 0)
            tokens.append(token)
            weights.append(self.decoder.last_attention_weights)
            if tf.reduce_all(done):
                break
        self.last_attention_weights = tf.concat(weights, axis=1)  # (B, steps, S)
        words = tf.gather(self.target_vocabulary, tf.concat(tokens, axis=-1))
        text = tf.strings.reduce_join(words, axis=-1, separator=" ")
        text = tf.strings.regex_replace(text, r" *\[END\].*$", "")
        return [line.decode() for line in text.numpy()]


def masked_loss(target_out, logits):
    """Cross-entropy summed over real target tokens, divided by their number."""
    loss = keras.losses.sparse_categorical_crossentropy(target_out, logits, from_logits=True)
    mask = tf.cast(target_out != 0, loss.dtype)
    return tf.reduce_sum(loss * mask) / tf.reduce_sum(mask)


def build_baseline(
    vectorizers: Vectorizers, units: int, text: TextForm = PROJECT_TEXT
) -> TutorialTranslator:
    model = TutorialTranslator(vectorizers, units, text)
    model.compile(optimizer="adam", loss=masked_loss)
    return model


def make_baseline_dataset(
    pairs: list[Pair],
    vectorizers: Vectorizers,
    batch_size: int,
    padding: str,
    seed: int = 0,
    text: TextForm = PROJECT_TEXT,
) -> tf.data.Dataset:
    """The tutorial's batches ``((source, target_in), target_out)``, shuffled, never bucketed.

    Text goes through ``vectorizers`` batch by batch as in the tutorial;
    ``padding="corpus"`` pads every batch to the longest sentence of ``pairs``.
    """
    if padding not in PADDINGS:
        raise ValueError(f"padding must be one of {', '.join(PADDINGS)}, got {padding!r}")
    sources = [text.source(pair.source) for pair in pairs]
    targets = [with_markers(text.target(pair.target)) for pair in pairs]
    source_width = target_width = None
    if padding == "corpus":
        source_width = max(len(source.split()) for source in sources)
        target_width = max(len(target.split()) for target in targets) - 1

    def to_ids(source, target):
        target = vectorizers.target(target)
        return (
            (
                vectorizers.source(source).to_tensor(shape=[None, source_width]),
                target[:, :-1].to_tensor(shape=[None, target_width]),
            ),
            target[:, 1:].to_tensor(shape=[None, target_width]),
        )

    dataset = tf.data.Dataset.from_tensor_slices((np.array(sources), np.array(targets)))
    dataset = dataset.shuffle(len(pairs), seed=seed).batch(batch_size)
    return dataset.map(to_ids, num_parallel_calls=tf.data.AUTOTUNE)
