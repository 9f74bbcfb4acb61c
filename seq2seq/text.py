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
    return _split(unicodedata.normalize("NFC", text.lower()))


def _split(text: str) -> str:
    """What `normalize` does after lowercasing: set tokens apart by single spaces."""
    text = text.replace("\u2019", "'")
    text = _POSSESSIVE.sub(r"\1 's", text)
    text = _ELISION.sub(r"\1' ", text)
    text = _HYPHEN.sub(" -", text)
    text = _PUNCTUATION.sub(r" \1 ", text)
    return " ".join(text.split())


def cased_as_typed(
    tokens: Sequence[str], typed: str, read_as: Sequence[str] | None = None
) -> list[str]:
    """``tokens`` with each word that ``typed`` capitalises inside a sentence written so.

    A capital inside a sentence marks a name, which the translation most often
    keeps: ``["mary", "vive", "en", "boston", "."]`` for "Mary lives in Boston."
    gives ``["mary", "vive", "en", "Boston", "."]`` (detokenizing capitalises
    *Mary*). A sentence's first word is left alone, since its capital says
    nothing, unless ``read_as`` (the source tokens the model read) shows it was
    ``[UNK]``: a word the model does not know, copied, is written as typed.
    Everything is left alone when the cased tokens of ``typed`` do not line up
    with its normalized ones.
    """
    lowered = normalize(typed).split()
    cased = _split(unicodedata.normalize("NFC", typed)).split()
    if len(cased) != len(lowered):
        return list(tokens)
    unknown = [False] * len(lowered)
    if read_as is not None and len(read_as) == len(lowered):
        unknown = [token == UNK for token in read_as]
    names, sentence_starts = {}, True
    for lower, word, is_unknown in zip(lowered, cased, unknown):
        is_word = any(character.isalpha() for character in lower)
        named = is_unknown or not sentence_starts
        if is_word and named and word != lower and word.lower() == lower:
            names[lower] = word
        sentence_starts = (sentence_starts and not is_word) or lower in _SENTENCE_ENDS
    return [names.get(token, token) for token in tokens]


# Detokenizing: punctuation that leans on the word before it, or on the word after it.
_CLOSING = frozenset(".,;:!?…»”)")
_OPENING = frozenset("¿¡«“(")
_SENTENCE_ENDS = frozenset(".!?…")


def detokenize(tokens: Sequence[str]) -> str:
    """Tokens as `normalize` writes them, rejoined as a reader expects the sentence.

    No space before closing punctuation, an English possessive or a word
    after a hyphen, none after ``¿``, ``¡``, an opening quote or an elided
    article; the first letter of each sentence capitalised. Names inside a
    sentence stay lowercase: `normalize` has dropped their case.

    >>> detokenize("¿ es rojo el coche de maría ?".split())
    '¿Es rojo el coche de maría?'
    >>> detokenize("tom dijo : « hola , l' homme -ci » .".split())
    "Tom dijo: «hola, l'homme-ci»."
    >>> detokenize("no abras la caja . puede haber una bomba .".split())
    'No abras la caja. Puede haber una bomba.'
    """
    text, glue, quotes, sentence_starts = "", True, 0, True
    for token in tokens:
        if sentence_starts and any(character.isalpha() for character in token):
            token, sentence_starts = _capitalised(token), False
        sentence_starts |= token in _SENTENCE_ENDS
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
    return text


def _capitalised(token: str) -> str:
    """``token`` with its first character upper case, if that is a letter (opening
    punctuation skipped); markup or a number stays as it is.

    >>> [_capitalised(token) for token in ["hola", "¿qué", "$x$", "<b>hola", "3d"]]
    ['Hola', '¿Qué', '$x$', '<b>hola', '3d']
    """
    first = len(token) - len(token.lstrip("".join(_OPENING)))
    if first == len(token) or not token[first].isalpha():
        return token
    return token[:first] + token[first].upper() + token[first + 1 :]


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
