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

Decoding takes questions (`seq2seq.whatif`): a prefix to force, source words
to hide from the attention, steps at which to point it, and how many
alternatives to report at each step. They are options of the same loops, fixed
when a loop is traced: a translation that asks none runs the loop as it always
ran, and one that asks some gets, besides its attention, each word's
log-probability and rank under the model.
"""

from __future__ import annotations

import dataclasses
import math
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

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
from seq2seq.whatif import Steering, WhatIf, WhatIfError, resolve, steering_arrays

BATCH_SIZE = 256
# Each step's alternatives are drawn and sent as text: a handful is what a reader compares.
MAX_ALTERNATIVES = 20
_IDS = tf.TensorSpec([None, None], tf.int64)
# The decoding loop's steering inputs (`seq2seq.whatif.steering_arrays`).
_STEERING_SIGNATURE = [
    tf.TensorSpec([None, None], tf.int64),  # prefix (B, P)
    tf.TensorSpec([None], tf.int32),  # prefix_lengths (B,)
    tf.TensorSpec([None, None], tf.bool),  # visible (B, S)
    tf.TensorSpec([None, None, None], tf.bool),  # pointed (B, L, S)
]


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
        self._target_lookup = lookup
        self.has_attention = model.has_attention
        # One compiled loop per (beam width, alternatives, steered).
        self._decoders: dict[tuple[int, int, bool], tf.types.experimental.PolymorphicFunction] = {}
        self._eager_kinds: set[tuple[int, int, bool]] = set()  # kinds decoded once eagerly
        # Teacher forcing, compiled once per number of alternatives: run eagerly,
        # Keras' RNN layers step through time in Python, ten times slower.
        self._readers: dict[int, tf.types.experimental.PolymorphicFunction] = {}

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

    def translate(
        self,
        sentence: str,
        beam_width: int = 1,
        n_best: int = 1,
        *,
        prefix: str | Sequence[str] | None = None,
        hide: Sequence[int | str] = (),
        point: Sequence[tuple[int, int | str]] = (),
        alternatives: int = 0,
    ) -> Translation:
        """The translation of one sentence; the options are `translate_batch`'s and a `WhatIf`'s.

        >>> translator.translate("She bought a red car.", hide=["red"])  # doctest: +SKIP
        """
        what_if = WhatIf(prefix, hide, point)
        return self.translate_batch(
            [sentence],
            beam_width,
            n_best,
            what_if=[what_if] if what_if else None,
            alternatives=alternatives,
        )[0]

    def translate_batch(
        self,
        sentences: Sequence[str],
        beam_width: int = 1,
        n_best: int = 1,
        *,
        progress: Callable[[int], object] | None = None,
        what_if: Sequence[WhatIf | Steering | None] | None = None,
        alternatives: int = 0,
    ) -> list[Translation]:
        """Translations of ``sentences``, batched, in the order given.

        ``beam_width=1`` is greedy decoding; a wider beam keeps that many
        hypotheses per sentence and returns the most probable finished one,
        with the attention that hypothesis used. With ``n_best`` > 1 each
        translation's ``hypotheses`` holds the ``n_best`` most probable of the
        beam's hypotheses, best first (the translation itself is the first),
        each backtracked to the attention it used. ``progress``, if given, is
        called with the number of sentences of each batch done.

        ``what_if`` holds one question per sentence (`seq2seq.whatif.WhatIf`, a
        `Steering` from `steer`, or None); ``alternatives`` > 0 keeps that many
        most probable words of every step. Either gives each translation its
        words' log-probabilities and ranks.
        """
        _check_whole(beam_width, 1, "The beam width")
        _check_whole(n_best, 1, "n_best")
        _check_whole(alternatives, 0, "alternatives")
        if n_best > beam_width:
            raise UserError(
                f"n_best is {n_best} but the beam keeps only {beam_width} hypotheses; "
                f"give a beam width of at least {n_best}."
            )
        if alternatives > min(MAX_ALTERNATIVES, len(self.target_vocabulary) - 2):
            raise UserError(
                f"alternatives is {alternatives}; give at most "
                f"{min(MAX_ALTERNATIVES, len(self.target_vocabulary) - 2)} words a step."
            )
        if what_if is not None and len(what_if) != len(sentences):
            raise UserError(
                f"There are {len(what_if)} questions for {len(sentences)} sentences; "
                "give one question (or None) per sentence."
            )
        normalized = [self._normalize(sentence) for sentence in sentences]
        steerings = self._steerings(normalized, what_if)
        steered = any(steering is not None for steering in steerings)
        results: list[Translation | None] = [None] * len(normalized)
        # Sorting by length keeps padding, and wasted decoding steps, small.
        order = sorted(range(len(normalized)), key=lambda i: len(normalized[i].split()))
        batch_size = max(1, BATCH_SIZE // beam_width)
        decode = self._decoder(
            beam_width, alternatives, steered, batches=math.ceil(len(order) / batch_size)
        )
        for begin in range(0, len(order), batch_size):
            chunk = order[begin : begin + batch_size]
            words = [normalized[i].split() for i in chunk]
            source, source_rows = self._source_ids(words)
            inputs = [source]
            if steered:
                inputs += steering_arrays([steerings[i] for i in chunk], source)
            ranked = self._ranked(decode(*inputs), beam_width, n_best)
            lengths = [target_lengths(tokens, self.end_id).numpy() for tokens, _, _ in ranked]
            for row, index in enumerate(chunk):
                hypotheses = [
                    self._record(
                        source_rows[row],
                        tokens[row, : length[row]],
                        {name: values[row] for name, values in steps.items()},
                        scores[row],
                        words[row],
                        sentences[index],
                        steerings[index],
                    )
                    for (tokens, steps, scores), length in zip(ranked, lengths)
                    if np.isfinite(scores[row])
                ]
                results[index] = (
                    dataclasses.replace(hypotheses[0], hypotheses=tuple(hypotheses))
                    if n_best > 1
                    else hypotheses[0]
                )
            if progress is not None:
                progress(len(chunk))
        return results

    def steer(self, sentence: str, what_if: WhatIf) -> Steering:
        """``what_if`` checked against ``sentence`` and this model's vocabularies.

        A question that cannot be asked is a `seq2seq.whatif.WhatIfError` naming
        the option, raised here, before any decoding. A model without attention
        can be asked for a prefix, but has no attention to hide a word from or to point.
        """
        if not self.has_attention:
            for option in ("hide", "point"):
                if getattr(what_if, option):
                    raise WhatIfError(
                        f"This model has no attention, so there is none to {option}; "
                        "ask a model with attention, or ask for a prefix.",
                        option,
                    )
        words = self._normalize(sentence).split()
        _, (source_ids,) = self._source_ids([words])
        return resolve(
            what_if,
            words,
            source_ids,
            self._target_lookup,
            (self._source_lookup[UNK], self.unknown_id),
            int(max_steps(len(words))),
        )

    def align(
        self, sources: Sequence[str], targets: Sequence[str], alternatives: int = 0
    ) -> list[Translation]:
        """The attention the model pays while reading given translations (teacher forcing).

        Each `Translation` holds ``targets[i]`` as ``target_tokens`` (a word
        outside the target vocabulary reads as ``[UNK]``) and, as ``score``,
        its log-probability under the model; ``log_probabilities`` and
        ``ranks`` say how probable each word was and where it ranked among the
        words the model could write there (1: the one it would have written;
        ``[UNK]`` ranks last unless the attention reads a source ``[UNK]``, the
        decoding rule), so `Translation.surprises` marks the words it did not
        expect. ``alternatives`` > 0 keeps that many most probable words a step.
        """
        _check_whole(alternatives, 0, "alternatives")
        translations = []
        for begin in range(0, len(sources), BATCH_SIZE):
            words = [self._normalize(s).split() for s in sources[begin : begin + BATCH_SIZE]]
            source, source_rows = self._source_ids(words)
            target_ids = self._target_ids(targets[begin : begin + BATCH_SIZE])
            target_out = target_ids[:, 1:]  # (B, T): each ends with [END], then padding
            steps = self._reader(alternatives)(source, target_ids)
            steps = {name: values.numpy() for name, values in steps.items()}
            lengths = target_lengths(target_out, self.end_id).numpy()
            for row, (source_row, length) in enumerate(zip(source_rows, lengths)):
                # The score includes [END]: the probability of stopping there.
                score = steps["log_probabilities"][row, : length + 1].sum()
                translations.append(
                    self._record(
                        source_row,
                        target_out[row, :length],
                        {name: values[row] for name, values in steps.items()},
                        score,
                        words[row],
                        copies=False,
                    )
                )
        return translations

    def _reader(self, alternatives: int):
        """`_teacher_forced_steps` for this many alternatives, compiled once."""
        if alternatives not in self._readers:
            self._readers[alternatives] = tf.function(
                lambda source, target_ids: self._teacher_forced_steps(
                    source, target_ids, alternatives
                ),
                input_signature=[_IDS, _IDS],
            )
        return self._readers[alternatives]

    def _teacher_forced_steps(self, source, target_ids, alternatives):
        """What each step of a teacher-forced pass says of the word it was given.

        source ``(B, S)`` and target ids ``(B, T + 1)`` (from [START] to [END],
        then padding) → a dict of ``weights`` ``(B, T, S)``, ``log_probabilities``
        and ``ranks`` ``(B, T)``, and the alternatives' ids and probabilities
        ``(B, T, alternatives)`` if asked.
        """
        target_out = target_ids[:, 1:]
        logits, weights = self.model.forward(source, target_ids[:, :-1], training=False)
        batch, steps = tf.shape(logits)[0], tf.shape(logits)[1]
        log_probs = tf.nn.log_softmax(logits)
        flat = tf.reshape(log_probs, [batch * steps, -1])  # (B * T, V)
        flat_sources = tf.repeat(source, steps, axis=0)  # (B * T, S)
        flat_weights = None if weights is None else tf.reshape(weights, [batch * steps, -1])
        allowed = self._allow_copies(flat, flat_sources, flat_weights)
        chosen = tf.reshape(target_out, [-1])
        details = _step_details(flat, allowed, chosen, alternatives)
        shaped = {name: _unflatten(values, batch, steps) for name, values in details.items()}
        return shaped if weights is None else {"weights": weights, **shaped}

    # --- decoding ------------------------------------------------------------------

    def _decoder(self, beam_width: int, alternatives: int, steered: bool, batches: int):
        """The decoding loop for this beam width and these options, compiled unless run once.

        Tracing the loop into a graph costs about a second, ten times what
        decoding one batch eagerly does; so the first call of a kind that is a
        single batch (the command line translating a few sentences) runs the
        same loop eagerly, and later calls, or longer ones, compile it once.
        The options are fixed in the graph: without them it is the plain loop.
        """
        kind = (beam_width, alternatives, steered)
        if kind not in self._decoders:

            def loop(source, *steering):
                steering = (
                    _SteeringTensors(*map(tf.convert_to_tensor, steering)) if steering else None
                )
                if beam_width == 1:
                    return self._greedy_loop(source, steering, alternatives)
                return self._beam_loop(source, beam_width, steering, alternatives)

            if batches == 1 and kind not in self._eager_kinds:
                self._eager_kinds.add(kind)
                return loop
            signature = [_IDS, *(_STEERING_SIGNATURE if steered else [])]
            self._decoders[kind] = tf.function(loop, input_signature=signature)
        return self._decoders[kind]

    def greedy_loop(self, source: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
        """Greedy decoding: source ids ``(B, S)`` → tokens ``(B, steps)``, weights ``(B, steps, S)``
        and scores ``(B,)``.

        Rows are cut with `target_lengths`. Runs eagerly as it is; wrapped in
        ``tf.function`` it compiles (the export does, and `translate_batch` for
        more than a batch). It is `_greedy_loop` asked nothing.
        """
        tokens, steps, scores = self._greedy_loop(source)
        return tokens, steps.get("weights"), scores

    def _greedy_loop(self, source, steering=None, alternatives=0):
        """Greedy decoding of source ids ``(B, S)``, steered (`_SteeringTensors`) if asked.

        Returns tokens ``(B, steps)``, a dict of what each step kept (``weights``
        ``(B, steps, S)``, and with options `_step_details`' ``(B, steps, ...)``)
        and scores ``(B,)``: the log-probability of each path, forced words included.
        """
        keys, mask, states = self.model.encode(source)
        batch = tf.shape(source)[0]
        limits = max_steps(token_counts(source))  # (B,)
        token = tf.fill([batch], tf.constant(self.start_id, tf.int64))
        done = tf.zeros([batch], tf.bool)
        scores = tf.zeros([batch])
        tokens = tf.TensorArray(tf.int64, size=0, dynamic_size=True)
        weights = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
        detailed = steering is not None or alternatives > 0
        details = _detail_arrays(alternatives) if detailed else {}
        for step in tf.range(tf.reduce_max(limits)):
            attend = mask if steering is None else steering.mask_at(step)
            logits, step_weights, states = self.model.decoder.step(token, keys, attend, states)
            model_log_probs = tf.nn.log_softmax(logits)  # (B, V)
            log_probs = self._allow_copies(model_log_probs, source, step_weights)
            token = tf.argmax(log_probs, axis=-1)  # (B,)
            if steering is not None:
                forcing, forced = steering.forced_at(step)
                token = tf.where(forcing, forced, token)
            if detailed:
                step_details = _step_details(model_log_probs, log_probs, token, alternatives)
                scores += tf.where(done, 0.0, step_details["log_probabilities"])
                details = {name: details[name].write(step, step_details[name]) for name in details}
            else:
                scores += tf.where(done, 0.0, tf.reduce_max(log_probs, axis=-1))
            token = tf.where(done, tf.zeros_like(token), token)
            tokens = tokens.write(step, token)
            if self.has_attention:
                weights = weights.write(step, step_weights)
            done = done | tf.equal(token, self.end_id) | (step + 1 >= limits)
            if tf.reduce_all(done):
                break
        # Whether the model has attention is settled when the loop is traced: a
        # model with attention runs the graph it always ran.
        steps = ({"weights": weights} if self.has_attention else {}) | details
        steps = {name: _batch_first(values.stack()) for name, values in steps.items()}
        return tf.transpose(tokens.stack()), steps, scores

    def _beam_loop(self, source, beam_width, steering=None, alternatives=0):
        """Beam search over source ``(B, S)`` with K = ``beam_width`` hypotheses each.

        Returns, per step, each hypothesis' token ``(steps, B, K)``, the
        hypothesis it extends ``(steps, B, K)`` and a dict of what the step
        kept for it (the attention row that chose the token ``(steps, B, K,
        S)`` as ``weights``; with options, `_step_details`' ``(steps, B, K,
        ...)``), plus final log-probabilities ``(B, K)``; `_ranked_hypotheses`
        follows the pointers back from the best ones. A forced prefix is
        written by the first hypothesis alone; the beam opens after it.
        """
        k = beam_width
        keys, mask, states = self.model.encode(source)
        batch = tf.shape(source)[0]
        limits = max_steps(token_counts(source))  # (B,)
        # Hypothesis (b, j) lives in row b * K + j of every flattened tensor.
        keys, mask = tf.repeat(keys, k, axis=0), tf.repeat(mask, k, axis=0)
        sources = tf.repeat(source, k, axis=0)  # (B * K, S)
        states = [tf.repeat(state, k, axis=0) for state in states]
        if steering is not None:
            hypotheses_steering = steering.repeated(k)
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
        detailed = steering is not None or alternatives > 0
        details = _detail_arrays(alternatives) if detailed else {}
        for step in tf.range(tf.reduce_max(limits)):
            attend = mask if steering is None else hypotheses_steering.mask_at(step)
            logits, step_weights, states = self.model.decoder.step(token, keys, attend, states)
            model_log_probs = tf.nn.log_softmax(logits)  # (B * K, V)
            allowed = self._allow_copies(model_log_probs, sources, step_weights)
            log_probs = tf.reshape(allowed, [batch, k, vocabulary_size])
            if steering is not None:
                # While forcing, each hypothesis may only write the prefix's word.
                forcing, forced = steering.forced_at(step)  # (B,) each
                only = tf.where(tf.one_hot(forced, vocabulary_size) > 0, 0.0, -np.inf)  # (B, V)
                model_3d = tf.reshape(model_log_probs, [batch, k, vocabulary_size])
                log_probs = tf.where(forcing[:, None, None], model_3d + only[:, None], log_probs)
            log_probs = tf.where(done[..., None], after_end, log_probs)
            candidates = tf.reshape(scores[..., None] + log_probs, [batch, k * vocabulary_size])
            scores, best = tf.math.top_k(candidates, k=k)  # (B, K) each
            parent = tf.cast(best // vocabulary_size, tf.int64)  # (B, K)
            token_2d = tf.cast(best % vocabulary_size, tf.int64)  # (B, K)
            rows = tf.reshape(parent + tf.range(batch, dtype=tf.int64)[:, None] * k, [-1])
            states = [tf.gather(state, rows) for state in states]
            done = tf.gather(done, parent, batch_dims=1)
            if detailed:
                chosen = tf.reshape(token_2d, [-1])
                step_details = _step_details(
                    tf.gather(model_log_probs, rows), tf.gather(allowed, rows), chosen, alternatives
                )
                details = {
                    name: details[name].write(step, _unflatten(values, batch, k))
                    for name, values in step_details.items()
                }
            done = done | tf.equal(token_2d, self.end_id) | (step + 1 >= limits[:, None])
            token = tf.reshape(token_2d, [-1])
            tokens = tokens.write(step, token_2d)
            parents = parents.write(step, parent)
            if self.has_attention:
                step_weights = tf.reshape(tf.gather(step_weights, rows), [batch, k, -1])
                weights = weights.write(step, step_weights)
            if tf.reduce_all(done):
                break
        # Whether the model has attention is settled when the loop is traced: a
        # model with attention runs the graph it always ran.
        steps = ({"weights": weights} if self.has_attention else {}) | details
        return (
            tokens.stack(),
            parents.stack(),
            {name: values.stack() for name, values in steps.items()},
            scores,
        )

    def _ranked(self, outputs, beam_width: int, n_best: int):
        """The decoded outputs as a list, best first, of (tokens, steps, scores) in NumPy."""
        outputs = tf.nest.map_structure(lambda tensor: tensor.numpy(), outputs)
        if beam_width == 1:
            return [outputs]
        return _ranked_hypotheses(*outputs, n_best)

    def _steerings(
        self, normalized: Sequence[str], what_if: Sequence[WhatIf | Steering | None] | None
    ) -> list[Steering | None]:
        """One `Steering` (or None) per normalized sentence, each question resolved."""
        if what_if is None:
            return [None] * len(normalized)
        return [
            question
            if question is None or isinstance(question, Steering)
            else self.steer(sentence, question)
            if question
            else None
            for sentence, question in zip(normalized, what_if)
        ]

    def _allow_copies(self, log_probs, source, step_weights):
        """``log_probs`` ``(B, V)`` with [UNK] ruled out, except in rows whose attention
        ``(B, S)`` weighs a source [UNK] most (the word is then copied, `_record`);
        without attention (``step_weights`` None), in every row."""
        if step_weights is None:
            return log_probs + self._no_unknown
        peak = tf.gather(source, tf.argmax(step_weights, axis=-1), batch_dims=1)  # (B,)
        reads_unknown = tf.equal(peak, self._source_lookup[UNK])[:, None]  # (B, 1)
        return tf.where(reads_unknown, log_probs, log_probs + self._no_unknown)

    def _record(
        self,
        source_ids,
        target_ids,
        steps,
        score,
        words=None,
        typed=None,
        steering: Steering | None = None,
        copies: bool = True,
    ) -> Translation:
        """Look up the ids of one translation already cut by `target_lengths`.

        ``steps`` holds what each step kept (``weights`` ``(steps, S)``, and
        what `_step_details` adds). With the source's ``words``, each ``[UNK]``
        written is the word its attention row weighs most, or the word forced
        there (``copies=False``, for a reference fed by `align`, keeps its
        ``[UNK]``); ``typed`` is the sentence as typed; ``steering`` what was asked.
        """
        length = len(target_ids)
        weights = steps.get("weights")  # None without attention
        if weights is not None:
            weights = np.asarray(weights[:length, : len(source_ids)], dtype=np.float32)
        target_tokens = [str(t) for t in self.target_vocabulary[target_ids]]
        forced_words = steering.prefix_words if steering is not None else ()
        if words is not None and copies and weights is not None:
            for step in np.flatnonzero(target_ids == self.unknown_id):
                copied = words[int(np.argmax(weights[step]))]
                target_tokens[step] = forced_words[step] if step < len(forced_words) else copied
        asked = {}
        if "log_probabilities" in steps:
            asked["log_probabilities"] = np.asarray(steps["log_probabilities"][:length], np.float32)
            asked["ranks"] = np.asarray(steps["ranks"][:length], np.int64)
        if "alternative_ids" in steps:
            asked["alternatives"] = self._alternatives(
                steps["alternative_ids"][:length],
                steps["alternative_probabilities"][:length],
                weights,
                words,
            )
        if steering is not None:
            asked["forced"] = len(steering.prefix_ids)
            asked["hidden"] = steering.hidden
            asked["pointed"] = tuple(point for point in steering.pointed if point[0] < length)
        return Translation(
            source_tokens=[str(t) for t in self.source_vocabulary[source_ids]],
            target_tokens=target_tokens,
            weights=weights,
            score=float(score),
            typed=typed,
            **asked,
        )

    def _alternatives(self, ids, probabilities, weights, words):
        """Each step's alternatives ``(steps, k)`` as (word, probability) pairs; an
        ``[UNK]`` among them is the source word its attention row weighs most."""
        steps = []
        for step, (step_ids, step_probabilities) in enumerate(zip(ids, probabilities)):
            copied = (
                UNK if words is None or weights is None else words[int(np.argmax(weights[step]))]
            )
            steps.append(
                tuple(
                    (
                        copied if id_ == self.unknown_id else str(self.target_vocabulary[id_]),
                        float(p),
                    )
                    for id_, p in zip(step_ids, step_probabilities)
                )
            )
        return tuple(steps)

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
        return _padded(rows), rows

    def _target_ids(self, sentences: Sequence[str]) -> np.ndarray:
        """Target ids of sentences as typed, from [START] to [END], padded ``(B, T + 1)``.

        Looked up in Python, as `_source_ids` are, with the target vectorizer's
        rules: normalized, split at spaces, [UNK] for a word it lacks.
        """
        rows = [
            [self._target_lookup.get(token, self.unknown_id) for token in tokens]
            for tokens in ([START, *normalize(sentence).split(), END] for sentence in sentences)
        ]
        return _padded(rows)

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


class _SteeringTensors(NamedTuple):
    """`seq2seq.whatif.steering_arrays` as the loop reads them.

    ``prefix`` ``(B, P)`` and ``prefix_lengths`` ``(B,)`` per sentence;
    ``visible`` ``(N, S)`` and ``pointed`` ``(N, L, S)`` per row of the loop
    (N = B, or B * K once `repeated` for a beam of K).
    """

    prefix: tf.Tensor
    prefix_lengths: tf.Tensor
    visible: tf.Tensor
    pointed: tf.Tensor

    def repeated(self, k: int) -> _SteeringTensors:
        """The masks once per hypothesis of a beam of ``k``."""
        return self._replace(
            visible=tf.repeat(self.visible, k, axis=0), pointed=tf.repeat(self.pointed, k, axis=0)
        )

    def mask_at(self, step) -> tf.Tensor:
        """Where the attention may look at ``step`` ``(N, S)``: the visible source
        positions, or the one position this step is pointed at."""
        last = tf.shape(self.pointed)[1] - 1
        pointing = tf.gather(self.pointed, tf.minimum(step, last), axis=1)  # (N, S)
        here = (step <= last) & tf.reduce_any(pointing, axis=-1)  # (N,)
        return tf.where(here[:, None], pointing, self.visible)

    def forced_at(self, step) -> tuple[tf.Tensor, tf.Tensor]:
        """Whether each sentence is still in its prefix at ``step`` ``(B,)``, and the word
        it must write there ``(B,)``."""
        last = tf.shape(self.prefix)[1] - 1
        forced = tf.gather(self.prefix, tf.minimum(step, last), axis=1)
        return step < self.prefix_lengths, forced


def _step_details(model_log_probs, allowed, chosen, alternatives: int) -> dict[str, tf.Tensor]:
    """What one step says of the word ``chosen`` ``(N,)`` in each row.

    ``model_log_probs`` ``(N, V)`` is the model's log-softmax; ``allowed`` the
    same with the decoding rule applied (`Translator._allow_copies`). Returns
    the chosen word's ``log_probabilities`` under the model ``(N,)``, its
    ``ranks`` among the allowed words ``(N,)`` (1: the one decoding would
    write), and with ``alternatives`` > 0 the most probable allowed words'
    ``alternative_ids`` and ``alternative_probabilities`` ``(N, alternatives)``:
    the top k of the softmax of the logits, [UNK] left out where it is ruled out.
    """
    chosen_allowed = tf.gather(allowed, chosen, batch_dims=1)  # (N,)
    details = {
        "log_probabilities": tf.gather(model_log_probs, chosen, batch_dims=1),
        "ranks": 1 + tf.reduce_sum(tf.cast(allowed > chosen_allowed[:, None], tf.int32), axis=-1),
    }
    if alternatives:
        values, ids = tf.math.top_k(allowed, k=alternatives)  # (N, k) each
        details["alternative_ids"] = ids
        details["alternative_probabilities"] = tf.exp(values)
    return details


def _detail_arrays(alternatives: int) -> dict[str, tf.TensorArray]:
    """One growing array per entry of `_step_details`, a step each."""
    types = {"log_probabilities": tf.float32, "ranks": tf.int32}
    if alternatives:
        types |= {"alternative_ids": tf.int32, "alternative_probabilities": tf.float32}
    return {name: tf.TensorArray(dtype, size=0, dynamic_size=True) for name, dtype in types.items()}


def _unflatten(values: tf.Tensor, first, second) -> tf.Tensor:
    """``(first * second, ...)`` → ``(first, second, ...)``."""
    return tf.reshape(values, tf.concat([[first, second], tf.shape(values)[1:]], 0))


def _batch_first(stacked: tf.Tensor) -> tf.Tensor:
    """``(steps, B, ...)`` → ``(B, steps, ...)``."""
    return tf.transpose(stacked, [1, 0, *range(2, stacked.shape.rank)])


def _ranked_hypotheses(tokens, parents, steps, scores, n_best):
    """The ``n_best`` most probable hypotheses of each sentence, followed back to the first step.

    tokens, parents ``(steps, B, K)``; ``steps`` a dict of what each step kept,
    ``(steps, B, K, ...)`` each; scores ``(B, K)`` → a list, best first, of
    tokens ``(B, steps)``, the dict ``(B, steps, ...)`` each, and scores ``(B,)``.
    """
    step_count, batch = tokens.shape[:2]
    rows = np.arange(batch)
    every_step = np.arange(step_count)[:, None]  # (steps, 1)
    ranking = np.argsort(-scores, axis=1, kind="stable")  # (B, K)
    ranked = []
    for rank in range(n_best):
        hypothesis = ranking[:, rank]  # (B,)
        path = np.zeros((step_count, batch), np.int64)  # which hypothesis, at each step
        for step in reversed(range(step_count)):
            path[step] = hypothesis
            hypothesis = parents[step, rows, hypothesis]
        ranked.append(
            (
                tokens[every_step, rows, path].T,
                {
                    name: np.swapaxes(kept[every_step, rows, path], 0, 1)
                    for name, kept in steps.items()
                },
                scores[rows, ranking[:, rank]],
            )
        )
    return ranked


def _padded(rows: Sequence[Sequence[int]]) -> np.ndarray:
    """Rows of ids padded with `PAD_ID` to the longest ``(B, longest)``."""
    padded = np.full((len(rows), max(map(len, rows), default=0)), PAD_ID, np.int64)
    for index, row in enumerate(rows):
        padded[index, : len(row)] = row
    return padded


def _check_whole(value, least: int, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise UserError(f"{name} must be a whole number >= {least}, got {value!r}.")
