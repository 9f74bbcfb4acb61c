"""Export a run as a TensorFlow SavedModel that translates strings, for serving.

``python -m seq2seq export --run RUN --out DIR`` writes a SavedModel that needs
TensorFlow alone, not this package, to translate; TensorFlow Serving and
``saved_model_cli run`` load it as well as ``tf.saved_model.load``::

    model = tf.saved_model.load("exported")
    outputs = model.signatures["serving_default"](sentences=tf.constant(["The red car."]))
    outputs["translations"]  # (B,) string: the target tokens joined by spaces
    outputs["weights"]       # (B, T, S) float32: attention of target step t on source token s

Everything `Translator.translate_batch` does at ``beam_width=1`` runs inside the
graph: normalization in TensorFlow string ops (`normalize_strings`), the
run's own vocabulary layer, the Translator's greedy loop, and `target_lengths`
to cut each translation. Keras' `keras.export.ExportArchive` writes it: it
saves every variable the signature reads, so loaders that restore variables by
name in a session (TensorFlow Serving, ``saved_model_cli``) find them all.

The signature's outputs, with B = batch, T = the longest translation, S = the
longest source (shorter rows padded with "" or 0):

``translations`` ``(B,)`` string, ``normalized`` ``(B,)`` string (the sentence as
`seq2seq.text.normalize` writes it), ``source_tokens`` ``(B, S)`` and
``target_tokens`` ``(B, T)`` string (a source word outside the vocabulary
reads ``[UNK]``; an ``[UNK]`` written is the source word copied, as the
`Translator` does), ``source_lengths`` and ``target_lengths`` ``(B,)`` int32,
``weights`` ``(B, T, S)`` float32 and ``scores`` ``(B,)`` float32 (the
log-probability of each translation, ``[END]`` included).

A sentence with no words (empty, or only spaces) translates to nothing; the
Python `Translator` refuses it instead.

A run without attention (``--attention none``) exports the same signature
without ``weights``: its model has none, so a client that reads them finds the
output missing rather than a matrix of made-up numbers. Its translations never
hold ``[UNK]``, as the `Translator`'s do not.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
import unicodedata
import uuid
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from seq2seq.errors import UserError
from seq2seq.inference import Translator, target_lengths
from seq2seq.text import _PUNCTUATION

SIGNATURE = "serving_default"
SENTENCES = tf.TensorSpec([None], tf.string, name="sentences")

# Python's `\w` (str.isalnum() or "_") written for RE2, whose `\w` is ASCII only.
_WORD = r"[\pL\pN_]"
_NOT_WORD = r"[^\pL\pN_]"
# What str.split() splits on: Unicode separators and the C0/C1 separators it adds.
_SPACES = r"[\t-\r\x1c-\x1f\x85\pZ]+"


def export(run: str | Path, out: str | Path, overwrite: bool = False) -> Path:
    """Write the run at ``run`` as a SavedModel to ``out`` and return ``out``.

    The SavedModel is written to a temporary folder beside ``out`` and renamed
    into place, so ``out`` never holds half a model. An ``out`` that exists and
    is not empty is replaced only with ``overwrite``.
    """
    run, out = Path(run), Path(out)
    _check_out(out, overwrite)
    archive = serving_archive(Translator.load(run))
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.partial-{uuid.uuid4().hex[:8]}")
    try:
        archive.write_out(str(temporary), verbose=False)
        _move_into_place(temporary, out)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return out


def serving_archive(translator: Translator) -> keras.export.ExportArchive:
    """The translator's model, source vocabulary and greedy loop as one `SIGNATURE` endpoint."""
    archive = keras.export.ExportArchive()
    archive.track(translator.model)
    vocabulary = translator.vectorizers.source
    vocabulary.build()  # a no-op once the vocabulary is set, but `track` wants a built layer
    archive.track(vocabulary)  # so that its lookup table is saved too
    # The archive traces the endpoint without autograph; the loop needs it for its
    # early `break`, so it is compiled as a function of its own.
    decode = tf.function(translator.greedy_loop)
    archive.add_endpoint(
        SIGNATURE,
        lambda sentences: translate_strings(translator, decode, sentences),
        input_signature=[SENTENCES],
    )
    return archive


def _check_out(out: Path, overwrite: bool) -> None:
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} is a file, not a directory; choose another --out.")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise UserError(f"{out} already holds files; choose another --out or pass --overwrite.")


def _move_into_place(temporary: Path, out: Path) -> None:
    """Rename ``temporary`` to ``out``; an old ``out`` is moved aside first, then deleted."""
    if not out.exists() or not any(out.iterdir()):
        os.replace(temporary, out)
        return
    old = out.with_name(f".{out.name}.old-{uuid.uuid4().hex[:8]}")
    os.replace(out, old)
    os.replace(temporary, out)
    shutil.rmtree(old, ignore_errors=True)


def translate_strings(translator: Translator, decode, sentences: tf.Tensor) -> dict[str, tf.Tensor]:
    """Sentences ``(B,)`` → translations and their attention (see the module's docstring).

    ``decode`` is ``translator.greedy_loop``, compiled. Without attention
    there is no ``weights`` output.
    """
    normalized = normalize_strings(sentences)
    source = translator.vectorizers.source(normalized)  # (B, None) ragged ids
    source_lengths = tf.cast(source.row_lengths(), tf.int32)  # (B,)
    source = source.to_tensor()  # (B, S)
    attention = translator.has_attention
    decoded = tf.cond(
        tf.size(source) > 0,
        lambda: tuple(output for output in decode(source) if output is not None),
        lambda: _nothing_decoded(tf.shape(source)[0], attention),
    )  # (B, steps), (B, steps, S) with attention, (B,)
    tokens, scores = decoded[0], decoded[-1]
    lengths = tf.where(source_lengths > 0, target_lengths(tokens, translator.end_id), 0)  # (B,)
    longest = tf.reduce_max(tf.concat([lengths, [0]], 0))
    tokens = tokens[:, :longest]
    target_mask = tf.sequence_mask(lengths, longest)  # (B, T)
    source_mask = tf.sequence_mask(source_lengths, tf.shape(source)[1])  # (B, S)
    written = tf.gather(translator.target_vocabulary, tokens)  # (B, T)
    if attention:
        weights = decoded[1][:, :longest]
        written = tf.where(tokens == translator.unknown_id, _copies(normalized, weights), written)
    target_tokens = tf.where(target_mask, written, "")
    source_tokens = tf.gather(translator.source_vocabulary, source)
    outputs = {
        "translations": tf.strings.reduce_join(
            tf.RaggedTensor.from_tensor(target_tokens, lengths=lengths), axis=1, separator=" "
        ),
        "normalized": normalized,
        "source_tokens": tf.where(source_mask, source_tokens, ""),
        "source_lengths": source_lengths,
        "target_tokens": target_tokens,
        "target_lengths": lengths,
        "scores": tf.where(source_lengths > 0, scores, 0.0),
    }
    if attention:
        mask = target_mask[:, :, None] & source_mask[:, None, :]  # (B, T, S)
        outputs["weights"] = tf.where(mask, weights, 0.0)
    return outputs


def _copies(normalized: tf.Tensor, weights: tf.Tensor) -> tf.Tensor:
    """``(B, T)`` the source word each target step's attention ``(B, T, S)`` weighs most.

    An empty column is added to both, so that a batch with no source words
    (``S`` = 0) still has one to point at.
    """
    words = tf.strings.split(normalized).to_tensor()  # (B, S)
    words = tf.pad(words, [[0, 0], [0, 1]], constant_values="")
    weights = tf.pad(weights, [[0, 0], [0, 0], [0, 1]])
    return tf.gather(words, tf.argmax(weights, axis=-1), batch_dims=1)


def _nothing_decoded(batch, attention: bool):
    """What the greedy loop returns when no sentence has a word: no steps at all."""
    if not attention:
        return tf.zeros([batch, 0], tf.int64), tf.zeros([batch])
    return tf.zeros([batch, 0], tf.int64), tf.zeros([batch, 0, 0]), tf.zeros([batch])


# --- normalization in TensorFlow -------------------------------------------------------


def normalize_strings(sentences: tf.Tensor) -> tf.Tensor:
    """`seq2seq.text.normalize` in TensorFlow string ops, for a batch ``(B,)`` of strings.

    Lowercasing is TensorFlow's (ICU), corrected by a table for the letters this
    Python's ``str.lower`` knows and ICU does not yet; Unicode NFC runs on code
    points, with tables built from this Python's `unicodedata` when the graph is
    traced. So the result is `seq2seq.text.normalize`'s (tests/test_properties.py
    checks it on arbitrary text) except for:

    - characters unassigned in this Python's Unicode version that RE2's (newer)
      tables know as letters or digits (``\\pL``, ``\\pN``): they count as such here;
    - bytes that are not UTF-8, which only a client sending raw bytes can give:
      each bad sequence reads as U+FFFD, the replacement character.

    NFC is written here rather than taken from tensorflow-text's
    ``normalize_utf8``, which is one op and faster (2 ms against 38 ms for 5,000
    random strings, the same results): a SavedModel holding that op loads only
    in a process that imported ``tensorflow_text`` first, so ``saved_model_cli``
    and a plain ``tf.saved_model.load`` refuse it ("Op type not registered
    'NormalizeUTF8'"), and serving would need a 194 MB package more.

    RE2 has no lookbehind and an ASCII ``\\w`` and ``\\b``, so each rule of
    `seq2seq.text` is written with capture groups around its context instead; the
    elision and hyphen rules run twice, because neighbouring matches share that
    context (``l'l'homme``, ``a-b-c``) and one pass skips every other one.
    """
    text = _lower(tf.strings.unicode_transcode(sentences, "UTF-8", "UTF-8", errors="replace"))
    code_points = tf.strings.unicode_decode(text, "UTF-8")
    # Letters added to Unicode after TensorFlow's ICU are lowered by a table.
    values, _ = _lookup(
        *_lowercase_table(), code_points.flat_values, default=code_points.flat_values
    )
    values, rows = _nfc(values, code_points.value_rowids())
    text = tf.strings.unicode_encode(
        tf.RaggedTensor.from_value_rowids(values, rows, nrows=code_points.nrows()), "UTF-8"
    )
    text = tf.strings.regex_replace(text, "\u2019", "'")
    text = tf.strings.regex_replace(text, rf"({_WORD})'s({_NOT_WORD}|$)", r"\1 's\2")
    elision = rf"(^|{_NOT_WORD})(qu|jusqu|lorsqu|puisqu|[cdjlmnst])'({_WORD})"
    hyphen = rf"({_WORD})-({_WORD})"
    for _ in range(2):
        text = tf.strings.regex_replace(text, elision, r"\1\2' \3")
    for _ in range(2):
        text = tf.strings.regex_replace(text, hyphen, r"\1 -\2")
    text = tf.strings.regex_replace(text, _PUNCTUATION.pattern, r" \1 ")
    text = tf.strings.regex_replace(text, _SPACES, " ")
    return tf.strings.regex_replace(text, "^ | $", "")


def _lower(text: tf.Tensor) -> tf.Tensor:
    """``str.lower``: ICU's lowercasing stops at a NUL, so each NUL-free piece goes alone."""
    pieces = tf.strings.lower(tf.strings.split(text, sep="\x00"), encoding="utf-8") + "\x00"
    joined = tf.strings.reduce_join(pieces, axis=-1)
    length = tf.strings.length(joined)
    return tf.strings.substr(joined, tf.zeros_like(length), length - 1)  # the last NUL off


@functools.cache
def _nfc_tables() -> dict[str, np.ndarray]:
    """What NFC needs, from `unicodedata`: decompositions, combining classes, compositions.

    Hangul syllables are left whole: the composition table pairs each leading
    syllable with each trailing consonant, so NFC needs no decomposition of them.
    """
    decompositions: dict[int, str] = {}
    classes: dict[int, int] = {}
    compositions: dict[int, int] = {}
    for code in range(sys.maxunicode + 1):
        character = chr(code)
        if unicodedata.combining(character):
            classes[code] = unicodedata.combining(character)
        decomposition = unicodedata.decomposition(character)
        if not decomposition or decomposition.startswith("<"):
            continue  # no canonical decomposition (Hangul syllables have none listed)
        decompositions[code] = unicodedata.normalize("NFD", character)
        parts = [chr(int(part, 16)) for part in decomposition.split()]
        # A primary composite: NFC puts the pair back together (not an exclusion).
        if len(parts) == 2 and unicodedata.normalize("NFC", "".join(parts)) == character:
            compositions[_pair(ord(parts[0]), ord(parts[1]))] = code
    for lead in range(19):
        for vowel in range(21):
            syllable = 0xAC00 + (lead * 21 + vowel) * 28
            compositions[_pair(0x1100 + lead, 0x1161 + vowel)] = syllable
            for trail in range(1, 28):
                compositions[_pair(syllable, 0x11A7 + trail)] = syllable + trail
    decomposed = sorted(decompositions)
    lengths = [len(decompositions[code]) for code in decomposed]
    flat = [ord(character) for code in decomposed for character in decompositions[code]]
    return {
        "decomposed": np.array(decomposed, np.int32),
        "decomposition_starts": np.cumsum([0, *lengths[:-1]], dtype=np.int32),
        "decomposition_lengths": np.array(lengths, np.int32),
        "decompositions": np.array(flat, np.int32),
        "classed": np.array(sorted(classes), np.int32),
        "classes": np.array([classes[code] for code in sorted(classes)], np.int32),
        "pairs": np.array(sorted(compositions), np.int64),
        "composites": np.array([compositions[key] for key in sorted(compositions)], np.int32),
    }


@functools.cache
def _lowercase_table() -> tuple[np.ndarray, np.ndarray]:
    """The letters TensorFlow's ICU lowercases otherwise than ``str.lower``, and their lowercase."""
    characters = [chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code < 0xE000]
    with tf.init_scope():  # runs eagerly, even while a graph is traced
        lowered = tf.strings.lower(characters, encoding="utf-8").numpy()
    pairs = [
        (ord(character), ord(character.lower()))
        for character, icu in zip(characters, lowered)
        if len(character.lower()) == 1 and character.lower().encode() != icu
    ]
    return np.array([upper for upper, _ in pairs], np.int32), np.array(
        [lower for _, lower in pairs], np.int32
    )


def _pair(first, second):
    """One int64 key for two code points (works on ints and tensors alike)."""
    return first * 0x110000 + second


def _lookup(keys: np.ndarray, values: np.ndarray, queries: tf.Tensor, default=0):
    """``values[keys == query]`` for each query, or ``default``; and whether it was found."""
    keys_tensor = tf.constant(keys)
    index = tf.minimum(tf.searchsorted(keys_tensor, queries), len(keys) - 1)
    found = tf.gather(keys_tensor, index) == queries
    return tf.where(found, tf.gather(values, index), default), found


def _nfc(values: tf.Tensor, rows: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """The code points of a batch of strings, and their row ids, in Unicode NFC.

    The three steps of the Unicode algorithm on the flat code points of the
    batch: decompose every character fully, sort each run of combining marks by
    combining class, then compose each mark with the last starter before it
    unless a mark of the same or a higher class comes between.
    """
    tables = _nfc_tables()
    values, rows = _decompose(tables, values, rows)
    values, classes = _order_marks(tables, values, rows)
    values, _, rows, _ = tf.while_loop(
        lambda *state: state[-1],
        lambda values, classes, rows, _: _compose_once(tables, values, classes, rows),
        (values, classes, rows, tf.constant(True)),
        shape_invariants=(tf.TensorShape([None]),) * 3 + (tf.TensorShape([]),),
    )
    return values, rows


def _decompose(tables: dict, values: tf.Tensor, rows: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Every code point replaced by its full canonical decomposition; rows repeated to match."""
    index, found = _lookup(tables["decomposed"], np.arange(len(tables["decomposed"])), values)
    lengths = tf.where(found, tf.gather(tables["decomposition_lengths"], index), 1)
    starts = tf.gather(tables["decomposition_starts"], index)
    offsets = tf.ragged.range(lengths).flat_values
    expanded = tf.gather(tables["decompositions"], tf.repeat(starts, lengths) + offsets)
    values = tf.where(tf.repeat(found, lengths), expanded, tf.repeat(values, lengths))
    return values, tf.repeat(rows, lengths)


def _order_marks(tables: dict, values: tf.Tensor, rows: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Each run of combining marks sorted by combining class; the code points and classes."""
    classes, _ = _lookup(tables["classed"], tables["classes"], values)
    row_starts = tf.concat([[True], rows[1:] != rows[:-1]], 0)
    runs = tf.cumsum(tf.cast((classes == 0) | row_starts, tf.int64))
    order = tf.argsort(runs * 256 + tf.cast(classes, tf.int64), stable=True)
    return tf.gather(values, order), tf.gather(classes, order)


def _compose_once(tables: dict, values: tf.Tensor, classes: tf.Tensor, rows: tf.Tensor):
    """One pass of composition: each starter joins at most one mark (or starter) after it.

    Returns the code points, classes and rows left, and whether anything was composed.
    """
    positions = tf.range(tf.size(values))
    starter = classes == 0
    before = tf.cumsum(tf.cast(starter, tf.int32), exclusive=True)
    last = tf.gather(  # the last starter before each position, -1 if none
        tf.concat([[-1], tf.boolean_mask(positions, starter)], 0), before
    )
    last_or_0 = tf.maximum(last, 0)
    previous_class = tf.gather(classes, tf.maximum(positions - 1, 0))
    unblocked = (last == positions - 1) | (~starter & (previous_class < classes))
    composite, pairs = _lookup(
        tables["pairs"],
        tables["composites"],
        _pair(tf.cast(tf.gather(values, last_or_0), tf.int64), tf.cast(values, tf.int64)),
    )
    candidate = (last >= 0) & (tf.gather(rows, last_or_0) == rows) & unblocked & pairs
    # One mark per starter a pass, the first, as NFC goes left to right; a
    # starter that itself joins the starter before waits for the next pass.
    first = tf.math.unsorted_segment_min(
        tf.where(candidate, positions, tf.size(values)), last_or_0, tf.size(values)
    )
    chosen = candidate & (tf.gather(first, last_or_0) == positions)
    chosen &= ~tf.gather(chosen, last_or_0)
    values = tf.tensor_scatter_nd_update(
        values, tf.boolean_mask(last_or_0, chosen)[:, None], tf.boolean_mask(composite, chosen)
    )
    keep = ~chosen
    return (
        tf.boolean_mask(values, keep),
        tf.boolean_mask(classes, keep),
        tf.boolean_mask(rows, keep),
        tf.reduce_any(chosen),
    )
