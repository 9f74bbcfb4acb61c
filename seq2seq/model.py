"""The encoder-decoder: a bidirectional RNN encoder, attention, and a GRU decoder.

Reading order: `Encoder` turns source ids into one vector per source token
(the keys); `Decoder` runs a GRU over the target so far, asks `Attention`
where to look, and predicts the next token; `Seq2Seq` ties them together for
``fit`` (teacher forcing: all target steps at once) and exposes the two pieces
that decoding uses one step at a time (`Seq2Seq.encode`, `Decoder.step`).

Without attention (``attention="none"``) the same encoder and decoder are
joined the way Cho et al. (2014) joined them, the RNN Encoder-Decoder that
Bahdanau et al. (2015) measured attention against: the decoder reads the
source only through the encoder's summary c, its final state, which starts
the GRU and stands in for the attention's context at every step::

    with attention:  context_t = sum_s weights_ts * k_s      # (B, T, U), a new one each step
    without:         context_t = c                           # (B, T, U), the same one each step

So the two models differ in that line alone: same layers, same sizes, same
output layer reading ``[context_t, query_t]``. Sutskever et al. (2014) give
the decoder c only as its start state, which it must then carry through every
GRU step while it writes; fed c at every step, the baseline here gets all a
fixed vector can give, so what it loses as sentences grow is the vector's
doing. (Measured on the ``long`` preset, 4 epochs each: with c at every step
the model scores 96.7 BLEU on sentences of 1 to 5 tokens, with c as start
state only 65.4, far behind attention's 100 before length plays any part.)
However long the sentence, c is U numbers, and `Seq2Seq.encode` shows it: the
keys of a model without attention are ``(B, 1, U)``, one vector, where
attention gets ``(B, S, U)``.

Shapes use B = batch, S = source length, T = target length, U = units,
E = embedding size, V = vocabulary size.
"""

from __future__ import annotations

import keras
from keras import ops

from seq2seq.attention import Attention
from seq2seq.config import Config
from seq2seq.text import PAD_ID

# The fields of `Config` that shape the model (`Seq2Seq`'s keyword arguments); the others
# shape the data and the training.
MODEL_SETTINGS = (
    "embedding_dim",
    "units",
    "encoder",
    "encoder_layers",
    "decoder_layers",
    "attention",
    "dropout",
    "tie_embeddings",
)

# Names that model.keras files written before the current names still carry.
_OLD_SETTINGS = {
    "source_vocab_size": "source_vocabulary_size",
    "target_vocab_size": "target_vocabulary_size",
}


def _build(layer: keras.layers.Layer, *shapes) -> None:
    """Build ``layer`` for inputs of these shapes, unless a call already built it."""
    if not layer.built:
        layer.build(*shapes)


def _rnn(rnn_type: str, units: int) -> keras.layers.Layer:
    layer = {"gru": keras.layers.GRU, "lstm": keras.layers.LSTM}[rnn_type]
    return layer(units, return_sequences=True, return_state=True)


@keras.saving.register_keras_serializable(package="seq2seq")
class Encoder(keras.layers.Layer):
    """Source ids ``(B, S)`` → keys ``(B, S, U)`` and a summary ``(B, U)``.

    Each direction has U/2 units, so the concatenated keys have the decoder's
    size U and every attention score, dot products included, can compare them.
    """

    def __init__(
        self,
        vocabulary_size,
        embedding_dim,
        units,
        rnn_type="gru",
        num_layers=1,
        dropout=0.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.vocabulary_size, self.embedding_dim, self.units = vocabulary_size, embedding_dim, units
        self.rnn_type, self.num_layers, self.dropout = rnn_type, num_layers, dropout
        self.embedding = keras.layers.Embedding(vocabulary_size, embedding_dim)
        self.embedding_dropout = keras.layers.Dropout(dropout)
        self.rnns = [
            keras.layers.Bidirectional(_rnn(rnn_type, units // 2), merge_mode="concat")
            for _ in range(num_layers)
        ]

    def build(self, source_shape):
        _build(self.embedding, source_shape)
        shape = (*source_shape, self.embedding_dim)
        for rnn in self.rnns:
            _build(rnn, shape)
            shape = (*source_shape, self.units)

    def call(self, source, training=False):
        mask = ops.not_equal(source, PAD_ID)  # (B, S)
        keys = self.embedding_dropout(self.embedding(source), training=training)  # (B, S, E)
        for rnn in self.rnns:
            keys, *states = rnn(keys, mask=mask, training=training)  # (B, S, U)
        # The last layer's final states: [h_fw, h_bw] for GRU, [h_fw, c_fw, h_bw, c_bw] for LSTM.
        half = len(states) // 2
        summary = ops.concatenate([states[0], states[half]], axis=-1)  # (B, U)
        return keys, summary, mask

    def get_config(self):
        return {
            **super().get_config(),
            "vocabulary_size": self.vocabulary_size,
            "embedding_dim": self.embedding_dim,
            "units": self.units,
            "rnn_type": self.rnn_type,
            "num_layers": self.num_layers,
            "dropout": self.dropout,
        }


@keras.saving.register_keras_serializable(package="seq2seq")
class Decoder(keras.layers.Layer):
    """GRU over the target so far, attention over the keys, next-token logits.

    The attention query is the GRU's output at each step (Luong et al., 2015):
    it has just read the previous token and asks which source token comes next.
    Because the query does not depend on the previous context, training runs
    the GRU over all target steps at once and attends for all of them in one
    matrix product. With ``score="none"`` there is no attention layer: the one
    key, the encoder's summary, is the context at every step, and the weights
    returned are None.
    """

    def __init__(
        self,
        vocabulary_size,
        embedding_dim,
        units,
        num_layers=1,
        score="additive",
        dropout=0.0,
        tie_embeddings=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.vocabulary_size, self.embedding_dim, self.units = vocabulary_size, embedding_dim, units
        self.num_layers, self.score, self.dropout = num_layers, score, dropout
        self.tie_embeddings = tie_embeddings
        if tie_embeddings:
            # The output layer is the embedding matrix transposed (Press and Wolf, 2017):
            # the combined state has the embedding's size E instead of U, which
            # makes the largest product of a training step E/U as large.
            self.embedding = keras.layers.ReversibleEmbedding(vocabulary_size, embedding_dim)
        else:
            self.embedding = keras.layers.Embedding(vocabulary_size, embedding_dim)
            self.project = keras.layers.Dense(vocabulary_size)
        self.embedding_dropout = keras.layers.Dropout(dropout)
        self.bridges = [keras.layers.Dense(units, activation="tanh") for _ in range(num_layers)]
        self.rnns = [_rnn("gru", units) for _ in range(num_layers)]
        self.attention = None if score == "none" else Attention(score, units=units)
        self.combine = keras.layers.Dense(
            embedding_dim if tie_embeddings else units, activation="tanh"
        )
        self.output_dropout = keras.layers.Dropout(dropout)

    def build(self, target_in_shape):
        batch, target_length = target_in_shape
        _build(self.embedding, target_in_shape)
        for bridge in self.bridges:
            _build(bridge, (batch, self.units))
        shape = (batch, target_length, self.embedding_dim)
        for rnn in self.rnns:
            _build(rnn, shape)
            shape = (batch, target_length, self.units)
        if self.attention is not None:
            _build(self.attention, shape, (batch, None, self.units))
        _build(self.combine, (batch, target_length, 2 * self.units))
        if self.tie_embeddings:
            self.output_bias = self.add_weight(
                shape=(self.vocabulary_size,), initializer="zeros", name="output_bias"
            )
        else:
            _build(self.project, shape)

    def initial_states(self, summary):
        """One start state ``(B, U)`` per GRU layer, from the encoder's summary."""
        return [bridge(summary) for bridge in self.bridges]

    def call(self, target_in, keys, source_mask, states, training=False):
        """Teacher forcing. target_in ``(B, T)`` → logits ``(B, T, V)``, weights ``(B, T, S)``
        (None without attention)."""
        x = self.embedding_dropout(self.embedding(target_in), training=training)  # (B, T, E)
        for index, rnn in enumerate(self.rnns):
            x, _ = rnn(x, initial_state=states[index], training=training)  # (B, T, U)
        return self._predict(x, keys, source_mask, training)

    def step(self, token, keys, source_mask, states):
        """One decoding step. token ``(B,)`` → logits ``(B, V)``, weights ``(B, S)`` (None
        without attention), states."""
        x = self.embedding(token)  # (B, E)
        new_states = []
        for rnn, state in zip(self.rnns, states):
            x, state = rnn.cell(x, state)  # (B, U)
            new_states.append(state[0] if isinstance(state, (list, tuple)) else state)
        logits, weights = self._predict(x[:, None, :], keys, source_mask, training=False)
        return logits[:, 0], None if weights is None else weights[:, 0], new_states

    def _predict(self, query, keys, source_mask, training):
        if self.attention is None:
            # The one key, the encoder's summary, is the context of every step.
            context, weights = ops.broadcast_to(keys, ops.shape(query)), None  # (B, T, U)
        else:
            context, weights = self.attention(query, keys, mask=source_mask)  # (B, T, U), (B, T, S)
        hidden = self.combine(ops.concatenate([context, query], axis=-1))  # (B, T, U or E)
        hidden = self.output_dropout(hidden, training=training)
        if self.tie_embeddings:
            logits = self.embedding(hidden, reverse=True) + self.output_bias  # (B, T, V)
        else:
            logits = self.project(hidden)  # (B, T, V)
        return logits, weights

    def get_config(self):
        return {
            **super().get_config(),
            "vocabulary_size": self.vocabulary_size,
            "embedding_dim": self.embedding_dim,
            "units": self.units,
            "num_layers": self.num_layers,
            "score": self.score,
            "dropout": self.dropout,
            "tie_embeddings": self.tie_embeddings,
        }


@keras.saving.register_keras_serializable(package="seq2seq")
class Seq2Seq(keras.Model):
    """``model((source, target_in))`` → next-token logits ``(B, T, V)``, for ``fit``."""

    def __init__(
        self,
        source_vocabulary_size,
        target_vocabulary_size,
        embedding_dim=128,
        units=256,
        encoder="gru",
        encoder_layers=1,
        decoder_layers=1,
        attention="additive",
        dropout=0.0,
        tie_embeddings=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.settings = {
            "source_vocabulary_size": source_vocabulary_size,
            "target_vocabulary_size": target_vocabulary_size,
            "embedding_dim": embedding_dim,
            "units": units,
            "encoder": encoder,
            "encoder_layers": encoder_layers,
            "decoder_layers": decoder_layers,
            "attention": attention,
            "dropout": dropout,
            "tie_embeddings": tie_embeddings,
        }
        self.encoder = Encoder(
            source_vocabulary_size, embedding_dim, units, encoder, encoder_layers, dropout
        )
        self.decoder = Decoder(
            target_vocabulary_size,
            embedding_dim,
            units,
            decoder_layers,
            attention,
            dropout,
            tie_embeddings,
        )

    @classmethod
    def from_config_and_vocabularies(cls, config: Config, source_size: int, target_size: int):
        settings = {name: getattr(config, name) for name in MODEL_SETTINGS}
        return cls(source_size, target_size, **settings)

    @classmethod
    def from_config(cls, config):
        """The model of a saved configuration, of this version's names or the earlier ones."""
        return cls(**{_OLD_SETTINGS.get(name, name): value for name, value in config.items()})

    def build(self, input_shape):
        # Building each layer from the shapes, rather than by tracing a call,
        # loads a saved model in 0.3 s instead of 1 s.
        source_shape, target_in_shape = input_shape
        _build(self.encoder, source_shape)
        _build(self.decoder, target_in_shape)

    @property
    def has_attention(self) -> bool:
        return self.decoder.attention is not None

    def encode(self, source, training=False):
        """source ``(B, S)`` → keys ``(B, S, U)``, their mask ``(B, S)``, decoder start states.

        Without attention the decoder may read the encoder's summary alone: the
        keys are that one vector ``(B, 1, U)``, whatever the source length.
        """
        keys, summary, mask = self.encoder(source, training=training)
        if not self.has_attention:
            keys, mask = summary[:, None, :], ops.ones_like(mask[:, :1])  # (B, 1, U), (B, 1)
        return keys, mask, self.decoder.initial_states(summary)

    def forward(self, source, target_in, training=False):
        """Teacher forcing: logits ``(B, T, V)``, weights ``(B, T, S)`` (None without attention)."""
        keys, mask, states = self.encode(source, training=training)
        return self.decoder(target_in, keys, mask, states, training=training)

    def call(self, inputs, training=False):
        source, target_in = inputs
        logits, _ = self.forward(source, target_in, training=training)
        return logits

    def get_config(self):
        return {**super().get_config(), **self.settings}


@keras.saving.register_keras_serializable(package="seq2seq")
def masked_accuracy(target_out, logits):
    """Share of real target tokens predicted right under teacher forcing.

    A token counts as right when its logit is the largest: a max over the
    vocabulary, which costs a training step at 8,000 words less than half of
    what an argmax does (a tie, which argmax would break, counts as right).
    """
    target_out = ops.cast(target_out, "int32")
    mask = ops.cast(ops.not_equal(target_out, PAD_ID), "float32")
    chosen = ops.take_along_axis(logits, target_out[..., None], axis=-1)[..., 0]  # (B, T)
    hits = ops.cast(ops.greater_equal(chosen, ops.max(logits, axis=-1)), "float32")
    return ops.sum(hits * mask) / ops.maximum(ops.sum(mask), 1.0)
