"""Properties, on generated input: normalization, tokens, the serving normalization, pairs files."""

from __future__ import annotations

import codecs
import re
import string
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seq2seq.corpora.tsv import read_pairs
from seq2seq.errors import UserError
from seq2seq.text import normalize, tokenize

PUNCTUATION = '.,;:!?¿¡"()«»“”…'  # the marks normalize sets apart

# All of Unicode, lone surrogates included, with the characters that trip text
# code up made common: controls, line and paragraph separators, the byte-order
# mark, joiners and emoji sequences, combining marks, letters whose case or
# composition is special.
SPECIAL = [
    "\x00",
    "\x07",
    "\x1c",
    "\x85",
    "\r",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\u200b",
    "\u200d",
    "\u00a0",
    "\u202f",
    "\u3000",
    "👩\u200d👩\u200d👧",
    "🇪🇸",
    "\u0301",
    "\u0302",
    "\u0323",
    "\u0327",
    "\u030a",
    "\u030c",
    "İ",
    "Σ",
    "ẞ",
    "ǅ",
    "J",
    "W",
    "Ω",
    "K",
    "ﬁ",
    "\u037e",
    "'",
    "’",
    "-",
    *PUNCTUATION,
]
MARKS = [
    "\u0300",
    "\u0301",
    "\u0302",
    "\u0303",
    "\u0304",
    "\u0308",
    "\u030a",
    "\u030c",
    "\u0323",
    "\u0327",
    "\u0331",
]
# A letter, capital or not, with combining marks after it: what NFC composes.
# (Each property on ANY_TEXT also shows that normalize never raises on it.)
ACCENTED = st.builds(
    lambda letter, marks: letter + "".join(marks),
    st.sampled_from(string.ascii_letters),
    st.lists(st.sampled_from(MARKS), min_size=1, max_size=2),
)
ANY_TEXT = st.lists(st.characters(exclude_categories=()) | st.sampled_from(SPECIAL) | ACCENTED).map(
    "".join
)

FAST = settings(max_examples=300, deadline=None)


@FAST
@given(ANY_TEXT)
def test_normalize_is_idempotent(text):
    assert normalize(normalize(text)) == normalize(text)


@FAST
@given(ANY_TEXT)
def test_normalized_text_is_lowercase_with_single_spaces_between_tokens(text):
    normalized = normalize(text)
    assert normalized == normalized.strip(" ")
    assert "  " not in normalized
    assert all(character == " " or not character.isspace() for character in normalized)
    assert normalized == normalized.lower()


@FAST
@given(ANY_TEXT)
def test_every_punctuation_mark_is_a_token_of_its_own(text):
    tokens = tokenize(text)
    assert all(len(token) == 1 for token in tokens if set(token) & set(PUNCTUATION))
    marks = [
        character for character in unicodedata.normalize("NFC", text) if character in PUNCTUATION
    ]
    assert [token for token in tokens if token in PUNCTUATION] == marks


@FAST
@given(ANY_TEXT)
def test_tokens_are_the_normalized_words_and_joining_them_is_stable(text):
    tokens = tokenize(text)
    assert tokens == normalize(text).split()
    assert all(token and not any(character.isspace() for character in token) for token in tokens)
    assert normalize(" ".join(tokens)) == normalize(text)


# --- the serving normalization (seq2seq.export) agrees with normalize --------------------

# What sentences are made of: letters (capitals, precomposed accents, accents
# written as combining marks, final sigma), digits, spaces, the punctuation,
# apostrophes and hyphens, with the elided words and possessives the rules look for.
SENTENCE_PARTS = st.one_of(
    st.sampled_from(list("abcdelmnqstuyzABCDELMNQSTUZ0123456789")),
    st.sampled_from(list("áéíóúàèçñüœßÁÉÍÓÚÀÈÇÑÜŒΣσςİ")),
    st.sampled_from(MARKS),
    ACCENTED,
    st.sampled_from([" ", "  ", "\t", "\n", "\u00a0", "\u202f"]),
    st.sampled_from([*PUNCTUATION, "'", "’", "-", "_"]),
    st.sampled_from(["l'", "qu'", "jusqu'", "'s", "-t-", "'s'", "d'l'", "c-"]),
)
SENTENCES = st.lists(st.lists(SENTENCE_PARTS, max_size=20).map("".join), min_size=1, max_size=6)
# Every character this Python's Unicode version assigns (RE2 may know newer ones).
ASSIGNED_TEXT = st.lists(
    st.text(st.characters(exclude_categories=("Cs", "Cn")), max_size=30), min_size=1, max_size=6
)


@pytest.fixture(scope="module")
def serving_normalize():
    import tensorflow as tf

    from seq2seq.export import normalize_strings

    signature = [tf.TensorSpec([None], tf.string)]
    compiled = tf.function(normalize_strings, input_signature=signature)
    return lambda texts: [text.decode("utf-8") for text in compiled(tf.constant(texts)).numpy()]


@settings(max_examples=200, deadline=None)
@given(SENTENCES)
def test_serving_normalization_agrees_on_sentences(serving_normalize, texts):
    assert serving_normalize(texts) == [normalize(text) for text in texts]


@settings(max_examples=200, deadline=None)
@given(ASSIGNED_TEXT)
def test_serving_normalization_agrees_on_any_assigned_characters(serving_normalize, texts):
    assert serving_normalize(texts) == [normalize(text) for text in texts]


# --- pairs files (seq2seq.corpora.tsv) ----------------------------------------------------

# A side of a pair as a user writes it: no tab or line feed, no space around it,
# and not starting with U+FEFF, which on the first line reads as a byte-order mark.
SIDE = (
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\t\n"), min_size=1)
    .map(str.strip)
    .filter(lambda side: side and not side.startswith("\ufeff"))
)
ATTRIBUTION = st.none() | st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="\n")
)
BLANK_LINES = st.sampled_from(["", " ", "\t", " \t  "])


@st.composite
def pairs_lines(draw):
    """The lines of a pairs file, blank ones among them, and the pairs they hold."""
    lines: list[bytes] = []
    pairs = []
    for source, target, attribution in draw(
        st.lists(st.tuples(SIDE, SIDE, ATTRIBUTION), max_size=8)
    ):
        while draw(st.booleans()):
            lines.append(draw(BLANK_LINES).encode())
        fields = [source, target] + ([] if attribution is None else [attribution])
        lines.append("\t".join(fields).encode())
        pairs.append((source, target))
    return lines, pairs


def as_file(draw, lines: list[bytes]) -> bytes:
    """The lines ended by LF or CRLF (the last maybe by nothing), maybe after a BOM."""
    endings = [draw(st.sampled_from([b"\n", b"\r\n"])) for _ in lines]
    if endings and draw(st.booleans()):
        endings[-1] = b""
    bom = codecs.BOM_UTF8 if draw(st.booleans()) else b""
    return bom + b"".join(line + ending for line, ending in zip(lines, endings))


@st.composite
def pairs_files(draw):
    """``(bytes of a pairs file, the pairs it holds)``."""
    lines, pairs = draw(pairs_lines().filter(lambda drawn: drawn[1]))
    return as_file(draw, lines), pairs


@st.composite
def malformed_line(draw):
    """``(bytes of one bad line, what the error says after "line N")``."""
    source, target = draw(SIDE), draw(SIDE)
    kind = draw(st.sampled_from(["no tab", "no source", "no target", "not UTF-8"]))
    if kind == "no tab":
        return source.encode(), ": no tab between source and target"
    if kind == "no source":
        return f"{draw(BLANK_LINES)}\t{target}".encode(), ": the source sentence is empty"
    if kind == "no target":
        return f"{source}\t{draw(BLANK_LINES)}".encode(), ": the target sentence is empty"
    text = f"{source}\t{target}"
    before = text[: draw(st.integers(0, len(text)))].encode()
    # A byte that starts nothing, a lead byte without its continuation, a
    # surrogate, a code point past U+10FFFF, an overlong "/".
    invalid = draw(
        st.sampled_from(
            [b"\xff", b"\x80", b"\xc3(", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf"]
        )
    )
    line = before + invalid + text[len(before.decode()) :].encode()
    # Bytes count from the start of the line's text, after any byte-order mark.
    return line, f", byte {len(before) + 1}: the file is not UTF-8"


@st.composite
def files_with_a_malformed_line(draw):
    """``(bytes of a pairs file, the number of its one bad line, what the error says)``."""
    lines, _ = draw(pairs_lines())
    bad, problem = draw(malformed_line())
    index = draw(st.integers(0, len(lines)))
    lines.insert(index, bad)
    return as_file(draw, lines), index + 1, problem


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("pairs") / "pairs.tsv"


@settings(max_examples=150, deadline=None)
@given(pairs_files())
def test_pairs_read_back_in_order_whatever_the_line_ends_blank_lines_and_bom(scratch, file):
    content, pairs = file
    scratch.write_bytes(content)
    assert [(pair.source, pair.target) for pair in read_pairs(scratch)] == pairs


@settings(max_examples=150, deadline=None)
@given(files_with_a_malformed_line())
def test_a_malformed_line_is_named_by_its_number(scratch, file):
    content, number, problem = file
    scratch.write_bytes(content)
    with pytest.raises(UserError, match=re.escape(f"{scratch}, line {number}{problem}")):
        list(read_pairs(scratch))


@FAST
@given(st.lists(ANY_TEXT | st.sampled_from(["the red car .", "[UNK] [START] maria"]), min_size=1))
def test_the_translator_looks_up_the_same_source_ids_as_the_vectorizer(tiny_translator, texts):
    normalized = [normalize(text) or "." for text in texts]
    padded, rows = tiny_translator._source_ids([text.split() for text in normalized])
    expected = tiny_translator.vectorizers.source(normalized)
    assert padded.tolist() == expected.to_tensor().numpy().tolist()
    assert [row.tolist() for row in rows] == expected.to_list()
