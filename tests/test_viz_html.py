"""viz.html: one standalone interactive page."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import numpy as np
import pytest
from samples import QUESTION, RED_CAR

from viz import to_html

MALICIOUS = (
    np.array([[0.6, 0.4], [0.3, 0.7]]),
    ["<script>alert(1)</script>", '" onmouseover="x'],
    ["</script><!--", "a&b"],
)


class Elements(HTMLParser):
    """Every start tag of a page, as (tag, attributes), and the text inside each token."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def with_attribute(self, name: str) -> list[tuple[str, dict[str, str | None]]]:
        return [(tag, attributes) for tag, attributes in self.tags if name in attributes]


def embedded_data(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="attention-data">(.*?)</script>', page)
    return json.loads(match.group(1))


def test_page_is_standalone():
    page = to_html(QUESTION)
    assert not re.search(r"(src|href)\s*=", page)
    assert "http://" not in page and "https://" not in page


def test_page_declares_utf8_and_keeps_non_ascii_tokens():
    page = to_html(QUESTION)
    assert '<meta charset="utf-8">' in page
    assert ">niño<" in page and ">¿<" in page


def test_embedded_json_is_the_weight_matrix_and_tokens():
    (sentence,) = embedded_data(to_html(QUESTION))["sentences"]
    assert np.array_equal(np.array(sentence["weights"]), QUESTION.weights)
    assert sentence["source_tokens"] == QUESTION.source_tokens
    assert sentence["target_tokens"] == QUESTION.target_tokens


def test_malicious_tokens_appear_only_as_text():
    page = to_html(MALICIOUS)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '" onmouseover="x' not in page
    assert not any("onmouseover" in attributes for _, attributes in Elements(page).tags)


def test_a_token_cannot_close_the_json_script_early():
    page = to_html(MALICIOUS)
    assert page.count("</script>") == 3  # the data, the colours and the code: nothing more
    assert embedded_data(page)["sentences"][0]["target_tokens"] == MALICIOUS[2]


def test_one_focusable_button_per_target_token_in_order():
    targets = Elements(to_html(QUESTION)).with_attribute("data-target-index")
    assert [attributes["data-target-index"] for _, attributes in targets] == [
        "0",
        "1",
        "2",
        "3",
        "4",
        "5",
    ]
    assert {tag for tag, _ in targets} == {"button"}


def test_one_element_with_a_weight_label_per_source_token():
    elements = Elements(to_html(QUESTION))
    sources = elements.with_attribute("data-source-index")
    assert [attributes["data-source-index"] for _, attributes in sources] == [
        "0",
        "1",
        "2",
        "3",
        "4",
    ]
    labels = [
        attributes for tag, attributes in elements.tags if attributes.get("class") == "weight"
    ]
    assert len(labels) == len(QUESTION.source_tokens)


def test_table_has_a_coloured_cell_per_weight_with_its_value():
    page = to_html(RED_CAR)
    cells = re.findall(r'<td style="background-color: (#[0-9a-f]{6})" title="([^"]*)"', page)
    assert len(cells) == RED_CAR.weights.size
    assert cells[2][1] == "el ← car: 0.01"
    assert cells[0][0] != cells[1][0]  # 0.97 and 0.01 look different


def test_a_list_gives_one_section_per_translation():
    page = to_html([RED_CAR, QUESTION], title="Two sentences")
    sections = Elements(page).with_attribute("data-sentence-index")
    assert [attributes["data-sentence-index"] for _, attributes in sections] == ["0", "1"]
    assert len(embedded_data(page)["sentences"]) == 2
    assert "<h1>Two sentences</h1>" in page


def test_path_writes_the_returned_page(tmp_path):
    page = to_html(RED_CAR, path=tmp_path / "pages" / "attention.html")
    assert (tmp_path / "pages" / "attention.html").read_text(encoding="utf-8") == page


def test_empty_list_is_a_value_error():
    with pytest.raises(ValueError, match="empty list"):
        to_html([])


def test_labels_round_halves_as_the_pictures_do():
    halves = (np.array([[0.125, 0.625, 0.25]]), ["a", "b", "c"], ["x"])
    page = to_html(halves)
    (sentence,) = embedded_data(page)["sentences"]
    assert sentence["labels"] == [["0.12", "0.62", "0.25"]]  # as matplotlib's "%.2f" writes them
    assert re.findall(r'title="x ← \w: ([0-9.]+)"', page) == sentence["labels"][0]
    assert "toFixed" not in page  # the page shows these labels; it does not round again
