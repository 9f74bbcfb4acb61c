"""`Translator`: load a run directory, translate sentences, return their attention.

Decoding, greedy or beam search, runs as one compiled TensorFlow loop per batch
(no Python between steps); each step keeps the attention row it used, so the
weights returned are exactly the ones that chose each word.

A translation never shows ``[UNK]``. A word outside the source vocabulary (a
name, a rare word) reads as ``[UNK]``; at a step whose attention weighs such a
word most, the model may write ``[UNK]``, and the word written is that source
word, copied as typed (lowercased), the way Jean et al. (2015, "On Using Very
Large Target Vocabulary for Neural Machine Translation") replace unknown words
through the attention. At any other step ``[UNK]`` is ruled out and the next
most probable word is written. A model without attention (``--attention
none``) has no attention to copy through, so ``[UNK]`` is ruled out at every
step, and its translations carry no weights (``weights=None``).
"""

from __future__ import annotations

import dataclasses
import math
import zipfile
from collections.abc import Sequence
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from seq2seq import artifacts
from seq2seq.config import Config
from seq2seq.errors import UserError
from seq2seq.model import Seq2Seq
from seq2seq.pipeline import Vectorizers
from seq2seq.text import END, MAX_TOKENS, PAD_ID, START, UNK, build_vectorizer, normalize
from seq2seq.translation import Translation

BATCH_SIZE = 256


def max_steps(source_lengths):
    """The longest translation allowed for sources of these lengths."""
    return 2 * source_lengths + 10


def token_counts(source: tf.Tensor) -> tf.Tensor:
    """Tokens of each row of source ids ``(B, S)`` before its padding: ``(B,)`` int32."""
    return tf.reduce_sum(tf.cast(tf.not_equal(source, PAD_ID), tf.int32), axis=1)


def target_lengths(tokens, end_id: int) -> tf.Tensor:
    """How many tokens each translation keeps: those before its first ``[END]`` or padding.

    tokens ``(B, steps)`` (a tensor or a NumPy array) → ``(B,)`` int32. One
    definition for the `Translator` and the exported graph, which runs it as it is.
    """
    tokens = tf.convert_to_tensor(tokens)
    stops = tf.cast((tokens == end_id) | (tokens == PAD_ID), tf.int32)
    before_stop = tf.cumsum(stops, axis=1) == 0  # (B, steps)
    return tf.reduce_sum(tf.cast(before_stop, tf.int32), axis=1)


class Translator:
    """Translate with a trained `Seq2Seq` and its vocabularies."""

    def __init__(self, model: Seq2Seq, vectorizers: Vectorizers, config: Config | None = None):
        self.model = model
        self.vectorizers = vectorizers
        self.config = config
        self.source_vocabulary = np.array(vectorizers.source.get_vocabulary())
        self.target_vocabulary = np.array(vectorizers.target.get_vocabulary())
        lookup = {token: index for index, token in enumerate(self.target_vocabulary)}
        self.start_id, self.end_id, self.unknown_id = lookup[START], lookup[END], lookup[UNK]
        self._source_lookup = {token: index for index, token in enumerate(self.source_vocabulary)}
        # Added to a step's log-probabilities unless its attention peaks on a source [UNK].
        never = np.zeros(len(self.target_vocabulary), np.float32)
        never[self.unknown_id] = -np.inf
        self._no_unknown = tf.constant(never)  # (V,)
        self.has_attention = model.has_attention
        self._decoders: dict[int, tf.types.experimental.PolymorphicFunction] = {}
        self._eager_widths: set[int] = set()  # widths already decoded once eagerly
        # Teacher forcing, compiled once: run eagerly, Keras' RNN layers step through
        # time in Python, ten times slower.
        ids = tf.TensorSpec([None, None], tf.int64)
        self._forward = tf.function(
            lambda source, target_in: model.forward(source, target_in, training=False),
            input_signature=[ids, ids],
        )

    @classmethod
    def load(cls, run_dir: str | Path) -> Translator:
        """Load the model and vocabularies that ``train.py`` wrote to ``run_dir``."""
        run_dir = Path(run_dir)
        if not run_dir.is_dir():
            raise UserError(
                f"{run_dir} is not a directory; pass a run directory written by train.py."
            )
        config = Config.load(run_dir / artifacts.CONFIG)
        paths = [run_dir / artifacts.SOURCE_VOCABULARY, run_dir / artifacts.TARGET_VOCABULARY]
        vocabularies = [artifacts.read_vocabulary(path) for path in paths]
        model_path = run_dir / artifacts.MODEL
        if not model_path.exists():
            raise UserError(f"{model_path} is missing; training did not finish, so retrain.")
        # Keras reports a file that is no zip archive as "File not found"; say what it is.
        if not zipfile.is_zipfile(model_path):
            raise UserError(
                f"{model_path} cannot be loaded (it is damaged: not a .keras archive); "
                "retrain the run."
            )
        try:
            model = keras.saving.load_model(model_path, compile=False, safe_mode=True)
        except Exception as error:  # Keras raises many types for a damaged file
            reason = str(error).strip().split("\n")[0] or type(error).__name__
            raise UserError(
                f"{model_path} cannot be loaded ({reason}); retrain the run."
            ) from error
        if not isinstance(model, Seq2Seq):
            raise UserError(
                f"{model_path} holds a {type(model).__name__}, not a model that train.py "
                "writes; retrain the run."
            )
        # A vocabulary of another run (or edited) would map words to the wrong embeddings.
        sizes = model.settings["source_vocabulary_size"], model.settings["target_vocabulary_size"]
        for path, vocabulary, size in zip(paths, vocabularies, sizes):
            if len(vocabulary) != size:
                raise UserError(
                    f"{path} holds {len(vocabulary) - 1} tokens but the model knows {size - 1}; "
                    "the file is damaged or from another run, so retrain the run."
                )
        try:
            vectorizers = Vectorizers(*(build_vectorizer(vocabulary=v) for v in vocabularies))
        except ValueError:  # a blank line or a repeated token
            raise UserError(
                f"{run_dir} holds a damaged vocabulary (a blank line or a token twice); "
                "retrain the run."
            ) from None
        if not {START, END} <= set(vocabularies[1]):
            raise UserError(f"{paths[1]} lacks the {START} and {END} markers; retrain the run.")
        return cls(model, vectorizers, config)

    # --- public ------------------------------------------------------------------

    def translate(self, sentence: str, beam_width: int = 1, n_best: int = 1) -> Translation:
        return self.translate_batch([sentence], beam_width, n_best)[0]

    def translate_batch(
        self, sentences: Sequence[str], beam_width: int = 1, n_best: int = 1
    ) -> list[Translation]:
        """Translations of ``sentences``, batched, in the order given.

        ``beam_width=1`` is greedy decoding; a wider beam keeps that many
        hypotheses per sentence and returns the most probable finished one,
        with the attention that hypothesis used. With ``n_best`` > 1 each
        translation's ``hypotheses`` holds the ``n_best`` most probable of the
        beam's hypotheses, best first (the translation itself is the first),
        each backtracked to the attention it used.
        """
        _check_whole(beam_width, 1, "The beam width")
        _check_whole(n_best, 1, "n_best")
        if n_best > beam_width:
            raise UserError(
                f"n_best is {n_best} but the beam keeps only {beam_width} hypotheses; "
                f"give a beam width of at least {n_best}."
            )
        normalized = [self._normalize(sentence) for sentence in sentences]
        results: list[Translation | None] = [None] * len(normalized)
        # Sorting by length keeps padding, and wasted decoding steps, small.
        order = sorted(range(len(normalized)), key=lambda i: len(normalized[i].split()))
        batch_size = max(1, BATCH_SIZE // beam_width)
        decode = self._decoder(beam_width, batches=math.ceil(len(order) / batch_size))
        for begin in range(0, len(order), batch_size):
            chunk = order[begin : begin + batch_size]
            words = [normalized[i].split() for i in chunk]
            source, source_rows = self._source_ids(words)
            outputs = [_numpy(output) for output in decode(source)]
            ranked = [outputs] if beam_width == 1 else _ranked_hypotheses(*outputs, n_best)
            lengths = [target_lengths(tokens, self.end_id).numpy() for tokens, _, _ in ranked]
            for row, index in enumerate(chunk):
                hypotheses = [
                    self._record(
                        source_rows[row],
                        tokens[row, : length[row]],
                        None if weights is None else weights[row],
                        scores[row],
                        words[row],
                        sentences[index],
                    )
                    for (tokens, weights, scores), length in zip(ranked, lengths)
                    if np.isfinite(scores[row])
                ]
                results[index] = (
                    dataclasses.replace(hypotheses[0], hypotheses=tuple(hypotheses))
                    if n_best > 1
                    else hypotheses[0]
                )
        return results

    def align(self, sources: Sequence[str], targets: Sequence[str]) -> list[Translation]:
        """The attention the model pays while reading given translations (teacher forcing).

        Each `Translation` holds ``targets[i]`` as ``target_tokens`` and, as
        ``score``, its log-probability under the model.
        """
        translations = []
        for begin in range(0, len(sources), BATCH_SIZE):
            source, source_rows = self._source_ids(
                [self._normalize(s).split() for s in sources[begin : begin + BATCH_SIZE]]
            )
            target_ids = self.vectorizers.target_ids(targets[begin : begin + BATCH_SIZE])
            target_ids = target_ids.to_tensor()
            logits, weights = self._forward(source, target_ids[:, :-1])
            log_probs = tf.nn.log_softmax(logits).numpy()
            target_out = target_ids[:, 1:].numpy()  # (B, T): each ends with [END], then padding
            lengths = target_lengths(target_out, self.end_id).numpy()
            weights = [None] * len(target_out) if weights is None else weights.numpy()
            rows = zip(source_rows, target_out, lengths, log_probs, weights)
            for source_row, target_row, length, row_log_probs, row_weights in rows:
                # The score includes [END]: the probability of stopping there.
                scored = target_row[: length + 1]
                score = row_log_probs[np.arange(len(scored)), scored].sum()
                translations.append(
                    self._record(source_row, target_row[:length], row_weights, score)
                )
        return translations

    # --- decoding ------------------------------------------------------------------

    def _decoder(self, beam_width: int, batches: int):
        """The decoding loop for this beam width, compiled unless running it once.

        Tracing the loop into a graph costs about a second, ten times what
        decoding one batch eagerly does; so the first call of a width that is a
        single batch (the command line translating a few sentences) runs the
        same loop eagerly, and later calls, or longer ones, compile it once.
        """
        if beam_width not in self._decoders:
            loop = (
                self.greedy_loop
                if beam_width == 1
                else lambda source: self._beam_loop(source, beam_width)
            )
            if batches == 1 and beam_width not in self._eager_widths:
                self._eager_widths.add(beam_width)
                return loop
            signature = [tf.TensorSpec([None, None], tf.int64)]
            self._decoders[beam_width] = tf.function(loop, input_signature=signature)
        return self._decoders[beam_width]

    def greedy_loop(self, source: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor | None, tf.Tensor]:
        """Greedy decoding: source ids ``(B, S)`` → tokens ``(B, steps)``, weights ``(B, steps, S)``
        (None without attention) and scores ``(B,)``.

        Rows are cut with `target_lengths`. Runs eagerly as it is; wrapped in
        ``tf.function`` it compiles (the export does, and `translate_batch` for
        more than a batch). Whether the model has attention is settled when the
        loop is traced, so a model with attention runs the same graph as before.
        """
        keys, mask, states = self.model.encode(source)
        batch = tf.shape(source)[0]
        limits = max_steps(token_counts(source))  # (B,)
        token = tf.fill([batch], tf.constant(self.start_id, tf.int64))
        done = tf.zeros([batch], tf.bool)
        scores = tf.zeros([batch])
        tokens = tf.TensorArray(tf.int64, size=0, dynamic_size=True)
        weights = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
        for step in tf.range(tf.reduce_max(limits)):
            logits, step_weights, states = self.model.decoder.step(token, keys, mask, states)
            log_probs = self._allow_copies(tf.nn.log_softmax(logits), source, step_weights)
            token = tf.argmax(log_probs, axis=-1)  # (B,)
            scores += tf.where(done, 0.0, tf.reduce_max(log_probs, axis=-1))
            token = tf.where(done, tf.zeros_like(token), token)
            tokens = tokens.write(step, token)
            if self.has_attention:
                weights = weights.write(step, step_weights)
            done = done | tf.equal(token, self.end_id) | (step + 1 >= limits)
            if tf.reduce_all(done):
                break
        weights = tf.transpose(weights.stack(), [1, 0, 2]) if self.has_attention else None
        return tf.transpose(tokens.stack()), weights, scores

    def _beam_loop(self, source, beam_width):
        """Beam search over source ``(B, S)`` with K = ``beam_width`` hypotheses each.

        Returns, per step, each hypothesis' token ``(steps, B, K)``, the
        hypothesis it extends ``(steps, B, K)`` and the attention row that chose
        the token ``(steps, B, K, S)`` (None without attention), plus final
        log-probabilities ``(B, K)``; `_ranked_hypotheses` follows the pointers
        back from the best ones.
        """
        k = beam_width
        keys, mask, states = self.model.encode(source)
        batch = tf.shape(source)[0]
        limits = max_steps(token_counts(source))  # (B,)
        # Hypothesis (b, j) lives in row b * K + j of every flattened tensor.
        keys, mask = tf.repeat(keys, k, axis=0), tf.repeat(mask, k, axis=0)
        sources = tf.repeat(source, k, axis=0)  # (B * K, S)
        states = [tf.repeat(state, k, axis=0) for state in states]
        token = tf.fill([batch * k], tf.constant(self.start_id, tf.int64))
        # All K hypotheses start identical; only the first may extend, or the
        # beam would fill with K copies of the same sentence.
        scores = tf.tile(tf.constant([[0.0] + [-np.inf] * (k - 1)]), [batch, 1])  # (B, K)
        done = tf.zeros([batch, k], tf.bool)
        vocabulary_size = len(self.target_vocabulary)
        # A finished hypothesis may only be extended by padding, at no cost.
        after_end = tf.constant(np.r_[0.0, np.full(vocabulary_size - 1, -np.inf)], tf.float32)
        tokens = tf.TensorArray(tf.int64, size=0, dynamic_size=True)
        parents = tf.TensorArray(tf.int64, size=0, dynamic_size=True)
        weights = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
        for step in tf.range(tf.reduce_max(limits)):
            logits, step_weights, states = self.model.decoder.step(token, keys, mask, states)
            log_probs = self._allow_copies(tf.nn.log_softmax(logits), sources, step_weights)
            log_probs = tf.reshape(log_probs, [batch, k, vocabulary_size])
            log_probs = tf.where(done[..., None], after_end, log_probs)
            candidates = tf.reshape(scores[..., None] + log_probs, [batch, k * vocabulary_size])
            scores, best = tf.math.top_k(candidates, k=k)  # (B, K) each
            parent = tf.cast(best // vocabulary_size, tf.int64)  # (B, K)
            token_2d = tf.cast(best % vocabulary_size, tf.int64)  # (B, K)
            rows = tf.reshape(parent + tf.range(batch, dtype=tf.int64)[:, None] * k, [-1])
            states = [tf.gather(state, rows) for state in states]
            done = tf.gather(done, parent, batch_dims=1)
            done = done | tf.equal(token_2d, self.end_id) | (step + 1 >= limits[:, None])
            token = tf.reshape(token_2d, [-1])
            tokens = tokens.write(step, token_2d)
            parents = parents.write(step, parent)
            if self.has_attention:
                step_weights = tf.reshape(tf.gather(step_weights, rows), [batch, k, -1])
                weights = weights.write(step, step_weights)
            if tf.reduce_all(done):
                break
        return (
            tokens.stack(),
            parents.stack(),
            weights.stack() if self.has_attention else None,
            scores,
        )

    def _allow_copies(self, log_probs, source, step_weights):
        """``log_probs`` ``(B, V)`` with [UNK] ruled out, except in rows whose attention
        ``(B, S)`` weighs a source [UNK] most (the word is then copied, `_record`);
        without attention, in every row."""
        if step_weights is None:
            return log_probs + self._no_unknown
        peak = tf.gather(source, tf.argmax(step_weights, axis=-1), batch_dims=1)  # (B,)
        reads_unknown = tf.equal(peak, self._source_lookup[UNK])[:, None]  # (B, 1)
        return tf.where(reads_unknown, log_probs, log_probs + self._no_unknown)

    def _record(
        self, source_ids, target_ids, weights, score, words=None, typed=None
    ) -> Translation:
        """Look up the ids of one translation already cut by `target_lengths`.

        With the source's ``words``, each ``[UNK]`` written is the word its
        attention row weighs most (a reference fed by `align` keeps its ``[UNK]``);
        ``typed`` is the sentence as typed. ``weights`` is None without attention.
        """
        if weights is not None:
            weights = np.asarray(weights[: len(target_ids), : len(source_ids)], dtype=np.float32)
        target_tokens = [str(t) for t in self.target_vocabulary[target_ids]]
        if words is not None and weights is not None:
            for step in np.flatnonzero(target_ids == self.unknown_id):
                target_tokens[step] = words[int(np.argmax(weights[step]))]
        return Translation(
            source_tokens=[str(t) for t in self.source_vocabulary[source_ids]],
            target_tokens=target_tokens,
            weights=weights,
            score=float(score),
            typed=typed,
        )

    def _source_ids(
        self, sentences: Sequence[Sequence[str]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Source ids padded to the longest sentence ``(B, S)``, and each sentence's own.

        ``sentences`` are the normalized sentences split into tokens. The ids
        are the source vectorizer's ([UNK] for a word outside the vocabulary),
        looked up in Python: for the few sentences a lab request or a command
        brings, its eager string ops cost half as much again as decoding them.
        """
        unknown = self._source_lookup[UNK]
        rows = [
            np.array([self._source_lookup.get(token, unknown) for token in tokens], np.int64)
            for tokens in sentences
        ]
        padded = np.full((len(rows), max(map(len, rows), default=0)), PAD_ID, np.int64)
        for index, row in enumerate(rows):
            padded[index, : len(row)] = row
        return padded, rows

    @staticmethod
    def _normalize(sentence: str) -> str:
        if not isinstance(sentence, str):
            raise UserError(f"Sentences must be text, got {type(sentence).__name__}.")
        normalized = normalize(sentence)
        if not normalized:
            raise UserError("The sentence is empty; give at least one word to translate.")
        length = normalized.count(" ") + 1
        if length > MAX_TOKENS:
            raise UserError(
                f"The sentence has {length:,} tokens (words and punctuation), more than the "
                f"{MAX_TOKENS} a sentence may have; split it into shorter sentences."
            )
        return normalized


def _ranked_hypotheses(tokens, parents, weights, scores, n_best):
    """The ``n_best`` most probable hypotheses of each sentence, followed back to the first step.

    tokens, parents ``(steps, B, K)``; weights ``(steps, B, K, S)`` or None;
    scores ``(B, K)`` → a list, best first, of tokens ``(B, steps)``, weights
    ``(B, steps, S)`` (None without attention) and scores ``(B,)``.
    """
    steps, batch = tokens.shape[:2]
    rows = np.arange(batch)
    ranking = np.argsort(-scores, axis=1, kind="stable")  # (B, K)
    ranked = []
    for rank in range(n_best):
        hypothesis = ranking[:, rank]  # (B,)
        rank_tokens = np.zeros((batch, steps), tokens.dtype)
        rank_weights = None
        if weights is not None:
            rank_weights = np.zeros((batch, steps, weights.shape[-1]), weights.dtype)
        rank_scores = scores[rows, hypothesis]
        for step in reversed(range(steps)):
            rank_tokens[:, step] = tokens[step, rows, hypothesis]
            if weights is not None:
                rank_weights[:, step] = weights[step, rows, hypothesis]
            hypothesis = parents[step, rows, hypothesis]
        ranked.append((rank_tokens, rank_weights, rank_scores))
    return ranked


def _numpy(tensor: tf.Tensor | None) -> np.ndarray | None:
    return None if tensor is None else tensor.numpy()


def _check_whole(value, least: int, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise UserError(f"{name} must be a whole number >= {least}, got {value!r}.")
