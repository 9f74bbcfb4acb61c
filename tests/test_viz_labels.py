"""Tokens are drawn as the text they are, and labels are bounded: the rule, then every picture.

The pictures are read back as SVG (matplotlib keeps their text as ``<text>``
elements) and the pages as HTML: the label of every token is there, as `label`
writes it, whatever the token held (mathtext, LaTeX, markup, control
characters, right-to-left and combining marks, emoji with joiners, ten
thousand letters).
"""

from __future__ import annotations

import html.parser
import json
import unicodedata
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from samples import RED_CAR
from test_properties import SPECIAL

import viz
from viz.labels import (
    ELLIPSIS,
    MAX_LABEL_LENGTH,
    MAX_TEXT_LENGTH,
    is_shortened,
    label,
    text_label,
    visible,
)
from viz.style import get_style, rc_context

MARKUP = [
    "$",
    "$5-$10",
    "$\\frac{a}$",
    "$x^2_i$",
    "\\",
    "\\n",
    "^",
    "_",
    "{",
    "}",
    "%",
    "&",
    "#",
    "~",
    "<b>",
    "</text>",
    "<script>alert(1)</script>",
    "&amp;",
    '"',
    "]]>",
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u2067",  # right-to-left isolate
    "שלום",
    "مرحبا",
    "e\u0301\u0301\u0301",
    "👨\u200d👩\u200d👧\u200d👦",
    "\ufffe",
    "\uffff",
    "\ud800",  # a lone surrogate: JSON can hold one
    "\t",
    "\x1b[31m",
]
CHARACTER = st.characters(exclude_categories=()) | st.sampled_from([*SPECIAL, *MARKUP])
# Tokens of one to ten thousand characters: short mixes, and one piece repeated.
TOKENS = st.one_of(
    st.lists(CHARACTER, min_size=1, max_size=12).map("".join),
    st.builds(
        lambda piece, count: (piece * count)[: max(1, count)],
        st.sampled_from(["w", "é", "\u0301", "😀", "$", "<", "a$b", "👨\u200d👩\u200d👧"]),
        st.integers(1, 10_000),
    ),
)
HIDDEN = {"Cc", "Cs", "Zl", "Zp"}


def hidden(character: str) -> bool:
    """What a label must never hold raw: invisible, layout-changing or not XML."""
    return (
        unicodedata.category(character) in HIDDEN
        or "\u202a" <= character <= "\u202e"
        or "\u2066" <= character <= "\u2069"
        or character in "\ufffe\uffff"
    )


# --- the rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("$5-$10", "$5-$10"),
        ("$\\frac{a}$", "$\\frac{a}$"),
        ("<b>niño</b>", "<b>niño</b>"),
        ("two\nlines", "two\\nlines"),
        ("\x1b[0m", "\\x1b[0m"),
        ("\u202eevil", "\\u202eevil"),
        ("a\u200fb", "a\u200fb"),  # a mark stays: it changes no more than its neighbours
        ("\ud83d", "\\ud83d"),
        ("👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧"),
        ("x" * MAX_LABEL_LENGTH, "x" * MAX_LABEL_LENGTH),
        ("x" * (MAX_LABEL_LENGTH + 1), "x" * (MAX_LABEL_LENGTH - 1) + ELLIPSIS),
    ],
)
def test_a_token_is_shown_as_the_characters_it_is(token, expected):
    assert label(token) == expected


def test_a_cut_never_splits_an_escape_nor_takes_a_letter_from_its_accent():
    assert label("a" * 27 + "\n") == "a" * 27 + "\\n"
    assert label("a" * 28 + "\n" + "b") == "a" * 28 + ELLIPSIS
    assert label("e" * 28 + "\u0301" + "x" * 10) == "e" * 28 + "\u0301" + ELLIPSIS
    assert label("e" * 29 + "\u0301" + "x" * 10) == "e" * 28 + ELLIPSIS
    family = "👨\u200d👩\u200d👧"
    assert label(family * 10) == family * 5 + ELLIPSIS


@settings(max_examples=300, deadline=None)
@given(TOKENS)
def test_every_label_is_short_visible_and_the_token_or_its_start(token):
    shown = label(token)
    assert 0 < len(shown) <= MAX_LABEL_LENGTH
    assert not any(hidden(character) for character in shown)
    if len(visible(token)) <= MAX_LABEL_LENGTH:
        assert shown == visible(token) and not is_shortened(token)
    else:
        assert shown.endswith(ELLIPSIS) and visible(token).startswith(shown[:-1])
        assert is_shortened(token)
    assert label(shown) == shown


@settings(max_examples=200, deadline=None)
@given(st.lists(TOKENS, min_size=1, max_size=40).map(" ".join), st.booleans())
def test_free_text_is_cut_between_words_to_its_limit(text, keep_end):
    shown = text_label(text, keep_end=keep_end)
    assert len(shown) <= MAX_TEXT_LENGTH
    assert not any(hidden(character) for character in shown.replace("\n", ""))
    words = [label(word) for word in shown.strip(ELLIPSIS).split()]
    assert all(len(word) <= MAX_LABEL_LENGTH for word in words)


# --- every picture -------------------------------------------------------------------------


def record_of(source_tokens: list[str], target_tokens: list[str], seed: int) -> viz.AttentionRecord:
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.ones(len(source_tokens)), size=len(target_tokens))
    second = viz.AttentionRecord(source_tokens, target_tokens[:1], weights[:1], score=-2.0)
    first = viz.AttentionRecord(source_tokens, target_tokens, weights, score=-1.0)
    return viz.AttentionRecord(
        source_tokens,
        target_tokens,
        weights,
        score=-1.0,
        sentence=" ".join(source_tokens),
        hypotheses=(first, second),
    )


def svg_texts(path: Path) -> list[str]:
    """The text of every ``<text>`` element of an SVG (each line of it, for several lines)."""
    root = ElementTree.parse(path).getroot()
    texts = []
    for element in root.iter("{http://www.w3.org/2000/svg}text"):
        texts += "".join(element.itertext()).split("\n")
    return texts


def draw_svg(kind: str, record: viz.AttentionRecord, path: Path) -> None:
    """The picture ``kind`` of ``record``, as an SVG; animations at their last frame."""
    tokens = (record.source_tokens, record.target_tokens)
    draw = {
        "heatmap": lambda: viz.plot_heatmap(record, path=path),
        "bars": lambda: viz.plot_token_bars(record, path=path),
        "bar": lambda: viz.plot_token_bars(record, index=-1, path=path),
        "nbest": lambda: viz.plot_hypotheses(record, path=path),
        "grid": lambda: viz.plot_grid([record, RED_CAR], path=path),
        "compare": lambda: viz.plot_comparison([record, record], labels=["a", "b"], path=path),
        "sheet": lambda: viz.plot_training([record.weights] * 2, *tokens, path=path),
        "attention": lambda: viz.animate_attention(record),
        "training": lambda: viz.animate_training(
            [record.weights] * 2, *tokens, captions=["a", "b"]
        ),
    }
    drawn = draw[kind]()
    if kind in ("attention", "training"):
        # The animation's own drawing of its last frame (titles and labels rewritten), kept
        # as SVG rather than pixels, as viz saves every figure.
        drawn._func(len(record.target_tokens) - 1 if kind == "attention" else 1)
        with rc_context(get_style("projector")):
            drawn._fig.savefig(path, format="svg")


FIGURES = ["heatmap", "bars", "bar", "nbest", "grid", "compare", "sheet", "attention", "training"]
# Which tokens each picture labels: bars and the n-best sheet leave some sides out.
SHOWN = {"bar": "source", "nbest": "source"}


def assert_labels_drawn(kind: str, record: viz.AttentionRecord, texts: list[str]) -> None:
    expected = {label(token) for token in record.source_tokens}
    if SHOWN.get(kind) != "source":
        expected |= {label(token) for token in record.target_tokens}
    drawn = set(texts)
    words = {word for text in texts for word in text.split()}
    missing = [shown for shown in expected if shown not in drawn and shown not in words]
    # A small multiple titles its panel "N. label": the label is a word of the title.
    missing = [shown for shown in missing if not any(text.endswith(shown) for text in texts)]
    assert not missing, f"{kind}: labels {missing!r} not drawn; texts {texts!r}"
    assert all(len(text) <= MAX_TEXT_LENGTH + 2 for text in texts)
    assert not any(hidden(character) for text in texts for character in text)


@pytest.mark.parametrize("kind", FIGURES)
def test_every_picture_draws_its_tokens_literally_and_shortened(kind, tmp_path):
    record = record_of(
        ["I", "paid", "$5-$10", "$\\frac{a}$", "w" * 5000, "\u202e<b>", "."],
        ["pagué", "$5-$10", "👨\u200d👩\u200d👧" * 20, "tab\there", "."],
        seed=0,
    )
    draw_svg(kind, record, tmp_path / f"{kind}.svg")
    assert_labels_drawn(kind, record, svg_texts(tmp_path / f"{kind}.svg"))


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.sampled_from(FIGURES),
    st.lists(TOKENS, min_size=1, max_size=3),
    st.lists(TOKENS, min_size=1, max_size=3),
    st.integers(0, 2**31),
)
def test_any_tokens_are_drawn_as_their_labels_by_any_picture(
    tmp_path, kind, source_tokens, target_tokens, seed
):
    record = record_of(source_tokens, target_tokens, seed)
    path = tmp_path / f"{kind}.svg"
    draw_svg(kind, record, path)
    assert_labels_drawn(kind, record, svg_texts(path))


class TokenText(html.parser.HTMLParser):
    """The text and ``title`` of each element of class ``token`` of a page."""

    def __init__(self):
        super().__init__()
        self.tokens: list[tuple[str, str | None]] = []
        self._reading = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "token" in (attributes.get("class") or "").split():
            self.tokens.append(("", attributes.get("title")))
            self._reading = True  # its own text comes first, its weight's label after

    def handle_data(self, data):
        if self._reading:
            self.tokens[-1] = (data, self.tokens[-1][1])
            self._reading = False


@settings(max_examples=10, deadline=None)
@given(st.lists(TOKENS, min_size=1, max_size=4), st.lists(TOKENS, min_size=1, max_size=4))
def test_the_page_shows_labels_and_keeps_whole_tokens_in_tooltips(source_tokens, target_tokens):
    record = record_of(source_tokens, target_tokens, 0)
    page = viz.to_html(record)
    parser = TokenText()
    parser.feed(page)
    tokens = [*source_tokens, *target_tokens]
    assert [text for text, _ in parser.tokens] == [label(token) for token in tokens]
    assert [title for _, title in parser.tokens] == [
        visible(token) if is_shortened(token) else None for token in tokens
    ]
    data = page.split('id="attention-data">')[1].split("</script>")[0]
    assert json.loads(data)["sentences"][0]["source_tokens"] == source_tokens
    page.encode("utf-8")  # no lone surrogate slipped through


def test_the_report_shows_labels(tmp_path):
    record = record_of(["$5-$10", "w" * 5000], ["\u202e" + "x" * 40], 0)
    page = viz.write_report([("$5-$10 " + "w" * 5000, record)], path=tmp_path / "r.html")
    text = page.read_text(encoding="utf-8")
    assert "$5-$10 " + label("w" * 5000) in text and "w" * 100 not in text
    assert label("\u202e" + "x" * 40) in text and "\u202e" not in text
