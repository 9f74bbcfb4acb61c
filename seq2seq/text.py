"""Text normalization and the Keras vocabularies that turn tokens into ids."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import keras

PAD, UNK, START, END = "", "[UNK]", "[START]", "[END]"
PAD_ID = 0  # TextVectorization gives padding id 0, so a zero id marks "no token here"
# The most tokens a sentence may have, to train on or to translate. Longer "sentences"
# are paragraphs or broken files: an RNN steps through them one token at a time,
# decoding may run twice as many steps, and their pictures take minutes to draw.
MAX_TOKENS = 100

_PUNCTUATION = re.compile(r"([.,;:!?¿¡\"()«»“”…])")
_POSSESSIVE = re.compile(r"(\w)'s\b")
# French (and Catalan, Italian, Portuguese) elision: "l'homme" reads as "l' homme",
# so "homme" is one token whatever article comes before it.
_ELISION = re.compile(r"\b(qu|jusqu|lorsqu|puisqu|[cdjlmnst])'(?=\w)")
# A hyphen between words starts a token of its own: "calme-toi" → "calme -toi",
# "dá-me" → "dá -me"; the verb is then the same token as without its clitic.
_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")


def normalize(text: str) -> str:
    """Lowercase, keep accents and ñ, and set punctuation apart as its own token.

    An English possessive, a French elided article or pronoun and a word after a
    hyphen become tokens of their own; other contractions (``don't``) stay whole.

    >>> normalize("¿Es rojo el coche de María?")
    '¿ es rojo el coche de maría ?'
    >>> normalize("Maria's dog is big.")
    "maria 's dog is big ."
    >>> normalize("Qu'est-ce que c'est ?")
    "qu' est -ce que c' est ?"
    """
    # Lowercase first: NFC may compose a lowercase letter with its mark where the
    # capital has no composed form ("J\u030c" → "ǰ"), so composing last keeps
    # normalize(normalize(x)) == normalize(x).
    text = unicodedata.normalize("NFC", text.lower()).replace("\u2019", "'")
    text = _POSSESSIVE.sub(r"\1 's", text)
    text = _ELISION.sub(r"\1' ", text)
    text = _HYPHEN.sub(" -", text)
    text = _PUNCTUATION.sub(r" \1 ", text)
    return " ".join(text.split())


# Detokenizing: punctuation that leans on the word before it, or on the word after it.
_CLOSING = frozenset(".,;:!?…»”)")
_OPENING = frozenset("¿¡«“(")


def detokenize(tokens: Sequence[str]) -> str:
    """Tokens as `normalize` writes them, rejoined as a reader expects the sentence.

    No space before closing punctuation, an English possessive or a word
    after a hyphen, none after ``¿``, ``¡``, an opening quote or an elided
    article; the first letter capitalised. Names inside the sentence stay
    lowercase: `normalize` has dropped their case.

    >>> detokenize("¿ es rojo el coche de maría ?".split())
    '¿Es rojo el coche de maría?'
    >>> detokenize("tom dijo : « hola , l' homme -ci » .".split())
    "Tom dijo: «hola, l'homme-ci»."
    """
    text, glue, quotes = "", True, 0
    for token in tokens:
        closing_quote = token == '"' and quotes % 2 == 1
        quotes += token == '"'
        leans_back = (
            token in _CLOSING
            or token == "'s"
            or closing_quote
            or (token.startswith("-") and len(token) > 1)
        )
        text += token if glue or leans_back else " " + token
        glue = (
            token in _OPENING
            or (token == '"' and not closing_quote)
            or (token.endswith("'") and len(token) > 1)
        )
    first = next((i for i, character in enumerate(text) if character.isalpha()), None)
    return text if first is None else text[:first] + text[first].upper() + text[first + 1 :]


def tokenize(text: str) -> list[str]:
    return normalize(text).split()


def with_markers(normalized: str) -> str:
    """Wrap a normalized target sentence in ``[START]`` and ``[END]``."""
    return f"{START} {normalized} {END}"


def build_vectorizer(
    texts: Iterable[str] | None = None,
    vocabulary: list[str] | None = None,
    max_words: int | None = None,
) -> keras.layers.TextVectorization:
    """A `TextVectorization` over normalized, space-separated text.

    Either learn the vocabulary from ``texts`` (most frequent first, at most
    ``max_words`` tokens besides padding and ``[UNK]``; rarer ones read as
    ``[UNK]``) or take a saved ``vocabulary`` as it is. Index 0 is padding and
    index 1 is ``[UNK]``; target texts carry ``[START]``/``[END]``
    (`with_markers`), so those two are learned like any other token (they occur
    in every sentence, so a cap keeps them).
    """
    import keras

    vectorizer = keras.layers.TextVectorization(
        max_tokens=None if max_words is None else max_words + 2,
        standardize=None,
        split="whitespace",
        output_mode="int",
        ragged=True,
    )
    if vocabulary is not None:
        vectorizer.set_vocabulary(vocabulary)
    else:
        vectorizer.adapt(list(texts or []), batch_size=4096)
    return vectorizer
