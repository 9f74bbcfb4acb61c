"""Text normalization and the Keras vocabularies that turn tokens into ids."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import keras

PAD, UNK, START, END = "", "[UNK]", "[START]", "[END]"

_PUNCTUATION = re.compile(r"([.,;:!?¿¡\"()])")
_POSSESSIVE = re.compile(r"(\w)'s\b")


def normalize(text: str) -> str:
    """Lowercase, keep accents and ñ, and set punctuation apart as its own token.

    >>> normalize("¿Es rojo el coche de María?")
    '¿ es rojo el coche de maría ?'
    >>> normalize("Maria's dog is big.")
    "maria 's dog is big ."
    """
    text = unicodedata.normalize("NFC", text).replace("\u2019", "'").lower()
    text = _POSSESSIVE.sub(r"\1 's", text)
    text = _PUNCTUATION.sub(r" \1 ", text)
    return " ".join(text.split())


def tokenize(text: str) -> list[str]:
    return normalize(text).split()


def with_markers(normalized: str) -> str:
    """Wrap a normalized target sentence in ``[START]`` and ``[END]``."""
    return f"{START} {normalized} {END}"


def build_vectorizer(
    texts: Iterable[str] | None = None, vocabulary: list[str] | None = None
) -> keras.layers.TextVectorization:
    """A `TextVectorization` over normalized, space-separated text.

    Either learn the vocabulary from ``texts`` (most frequent first) or take a
    saved ``vocabulary`` as it is. Index 0 is padding and index 1 is ``[UNK]``;
    target texts carry ``[START]``/``[END]`` (`with_markers`), so those two are
    learned like any other token.
    """
    import keras

    vectorizer = keras.layers.TextVectorization(
        standardize=None, split="whitespace", output_mode="int", ragged=True
    )
    if vocabulary is not None:
        vectorizer.set_vocabulary(vocabulary)
    else:
        vectorizer.adapt(list(texts or []), batch_size=4096)
    return vectorizer
