"""How a token becomes a label: the one rule every picture and page of `viz` draws tokens by.

A token is shown as the characters it is: ``$5-$10`` reads ``$5-$10``, never as
mathematics (`viz.style.rc_context` turns matplotlib's mathtext and LaTeX off for
every picture), and markup such as ``<b>`` stays text in the pages. Two things change:

- Characters that would be invisible or would rearrange the text around them
  become escapes a reader can see, as Python writes them: control characters
  (``\\n``, ``\\t``, ``\\x1b``), lone surrogates, line and paragraph separators,
  the bidirectional embeddings, overrides and isolates (``\\u202e``) and the two
  code points XML cannot hold (``\\uffff``). Right-to-left marks, combining
  marks and the joiners inside emoji are drawn as they are.
- A label longer than `MAX_LABEL_LENGTH` characters is cut to one character
  fewer and ends in `ELLIPSIS`. The cut never splits an escape, and it moves
  back over combining marks and joiners so that no letter loses its accent.

Only the first ``MAX_LABEL_LENGTH + 1`` characters of a token are ever looked
at, so a label costs the same whatever the token's length: that is what bounds
every picture's size, time and memory. The full token stays in the record, and
in the pages' tooltips.

>>> label("$5-$10")
'$5-$10'
>>> label("tab\\there")
'tab\\\\there'
>>> label("a" * 40)
'aaaaaaaaaaaaaaaaaaaaaaaaaaaaa…'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Room for long real words (German compounds, Finnish cases) at projector size: 30
# characters of 16 points are about 4 inches, a third of the largest heatmap.
MAX_LABEL_LENGTH = 30
# Free text (a title quoting a translation, a caption): about three lines of a title.
MAX_TEXT_LENGTH = 240
ELLIPSIS = "…"

_NAMED_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}
# Embeddings, overrides and isolates change the direction of the text after them
# (in an SVG or a browser), marks only of their neighbours: these four ranges are shown.
_DIRECTION_CONTROLS = frozenset(
    chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
)
_NOT_IN_XML = frozenset("\ufffe\uffff")
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
ZERO_WIDTH_JOINER = "\u200d"
_WHITE_SPACE = re.compile(r"(\s+)")


def label(token: str) -> str:
    """``token`` as every picture shows it: `visible`, then cut to `MAX_LABEL_LENGTH`."""
    return _shortened(_pieces(token, MAX_LABEL_LENGTH + 1), MAX_LABEL_LENGTH)


def labels(tokens: Iterable[str]) -> list[str]:
    """`label` of each of ``tokens``."""
    return [label(token) for token in tokens]


def joined(tokens: Iterable[str]) -> str:
    """The labels of ``tokens`` with a space between: a sentence in a title."""
    return " ".join(labels(tokens))


def visible(text: str) -> str:
    """``text`` with the characters that would hide or rearrange text written as escapes.

    >>> visible("new\\nline \\u202eevil")
    'new\\\\nline \\\\u202eevil'
    """
    return "".join(_pieces(text, len(text)))


def text_label(text: str, *, limit: int | None = MAX_TEXT_LENGTH, keep_end: bool = False) -> str:
    """Free text (a title, a caption, a sentence as typed) as the pictures show it.

    Each word (a run without white space) is `label`-led, so one long word
    cannot crowd out the rest; the white space between words stays, made
    `visible` (a line break stays a line break). The whole is then cut, between
    words, to at most ``limit`` characters (None: not cut, for a page that
    wraps it): its start kept, or with ``keep_end`` its end (the newest words
    of a translation being written).
    """
    parts = [
        part if part.isspace() and set(part) <= {" ", "\n"} else label(part)
        for part in _WHITE_SPACE.split(text)
        if part
    ]
    if limit is None or sum(map(len, parts)) <= limit:
        return "".join(parts)
    if keep_end:
        kept = reversed(_fitting(reversed(parts), limit - 1))
        return ELLIPSIS + "".join(kept).lstrip(" ")
    return "".join(_fitting(parts, limit - 1)).rstrip(" ") + ELLIPSIS


def is_shortened(token: str) -> bool:
    """Whether ``token``'s label leaves part of it out (the pages then show it in a tooltip)."""
    return len(token) > MAX_LABEL_LENGTH or label(token) != visible(token)


def _fitting(parts: Iterable[str], limit: int) -> list[str]:
    """The leading ``parts`` whose lengths add up to at most ``limit`` (cut inside the first
    if even that one is longer)."""
    kept, length = [], 0
    for part in parts:
        if length + len(part) > limit:
            if not kept:
                kept.append(part[:limit])
            break
        kept.append(part)
        length += len(part)
    return kept


def _pieces(text: str, limit: int) -> list[str]:
    """The first ``limit`` characters of ``text``, each as itself or as its escape."""
    return [_escape(character) for character in text[:limit]]


def _escape(character: str) -> str:
    if character in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[character]
    if (
        unicodedata.category(character) in _HIDDEN_CATEGORIES
        or character in _DIRECTION_CONTROLS
        or character in _NOT_IN_XML
    ):
        code = ord(character)
        if code < 0x100:
            return f"\\x{code:02x}"
        return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
    return character


def _shortened(pieces: list[str], limit: int) -> str:
    """``pieces`` joined, or if longer than ``limit`` characters, cut and ended with `ELLIPSIS`."""
    whole = "".join(pieces)
    if len(whole) <= limit:
        return whole
    kept, length = 0, 0
    while kept < len(pieces) and length + len(pieces[kept]) <= limit - 1:
        length += len(pieces[kept])
        kept += 1
    cut = kept
    while cut > 0 and _continues(pieces, cut):
        cut -= 1
    return "".join(pieces[: cut or kept]) + ELLIPSIS


def _continues(pieces: list[str], position: int) -> bool:
    """Whether the piece at ``position`` belongs to the character before it (no cut there)."""
    piece = pieces[position]
    return (
        pieces[position - 1] == ZERO_WIDTH_JOINER
        or piece == ZERO_WIDTH_JOINER
        or (len(piece) == 1 and _is_mark(piece))
    )


def _is_mark(character: str) -> bool:
    """A combining mark, variation selector or emoji skin tone: part of the character before."""
    return (
        unicodedata.category(character) in ("Mn", "Mc", "Me")
        or "\ufe00" <= character <= "\ufe0f"
        or "\U000e0100" <= character <= "\U000e01ef"
        or "\U0001f3fb" <= character <= "\U0001f3ff"
        or "\U000e0020" <= character <= "\U000e007f"
    )
