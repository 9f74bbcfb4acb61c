"""viz.compare: one source sentence, several models' attention side by side."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest
from PIL import Image
from samples import QUESTION, RED_CAR, WITHOUT_ATTENTION

from viz import plot_comparison

SVG_TEXT = "{http://www.w3.org/2000/svg}text"

# The same source as QUESTION, another model's words and weights.
DOT = (
    np.full((4, 5), 0.2),
    QUESTION.source_tokens,
    ["¿", "está", "aquí", "?"],
)
LABELS = ["additive", "dot"]


def test_one_panel_per_model_titled_with_its_label_and_translation():
    *panels, colour_bar = plot_comparison([QUESTION, DOT], labels=LABELS).axes
    assert [ax.get_title() for ax in panels] == [
        "additive\n¿ está el niño aquí ?",
        "dot\n¿ está aquí ?",
    ]
    assert colour_bar.get_ylabel() == "attention weight"


def test_panels_sit_side_by_side_sharing_one_0_to_1_colour_bar():
    figure = plot_comparison([QUESTION, DOT, QUESTION], labels=["a", "b", "c"])
    *panels, _ = figure.axes
    assert [ax.get_subplotspec().rowspan.start for ax in panels] == [0, 0, 0]
    assert [ax.get_subplotspec().colspan.start for ax in panels] == [0, 1, 2]
    assert all(ax.collections[0].get_clim() == (0, 1) for ax in panels)


def test_every_panel_reads_the_same_source_and_writes_its_own_target():
    *panels, _ = plot_comparison([QUESTION, DOT], labels=LABELS).axes
    sources = [[label.get_text() for label in ax.get_xticklabels()] for ax in panels]
    targets = [[label.get_text() for label in ax.get_yticklabels()] for ax in panels]
    assert sources == [QUESTION.source_tokens, QUESTION.source_tokens]
    assert targets == [QUESTION.target_tokens, DOT[2]]
    assert np.array_equal(panels[1].collections[0].get_array(), DOT[0])


def test_a_single_model_is_drawn_alone():
    *panels, _ = plot_comparison([RED_CAR], labels=["additive"]).axes
    assert [ax.get_title() for ax in panels] == ["additive\nel coche rojo ."]


def test_different_source_sentences_are_a_value_error_naming_both():
    with pytest.raises(
        ValueError,
        match=r"translation 1 \('dot'\) reads the source tokens \['the', 'red', 'car', '\.'\] "
        r"but translation 0 \('additive'\) reads \['is', .*same source sentence",
    ):
        plot_comparison([QUESTION, RED_CAR], labels=LABELS)


def test_one_label_per_translation_is_needed():
    with pytest.raises(ValueError, match="there are 1 labels for 2 translations"):
        plot_comparison([QUESTION, DOT], labels=["additive"])


def test_a_label_string_is_not_a_list_of_labels():
    with pytest.raises(ValueError, match="labels is the string 'ab'"):
        plot_comparison([QUESTION, DOT], labels="ab")


def test_no_translations_is_a_value_error():
    with pytest.raises(ValueError, match="translations is empty"):
        plot_comparison([], labels=[])


def test_bad_weights_are_a_value_error():
    weights = np.full((4, 5), 0.2)
    weights[2, 0] = np.nan
    with pytest.raises(ValueError, match=r"NaN or infinite .* \[2, 0\]"):
        plot_comparison([QUESTION, (weights, DOT[1], DOT[2])], labels=LABELS)


def test_png_is_wider_than_tall(tmp_path):
    plot_comparison([QUESTION, DOT], labels=LABELS, path=tmp_path / "comparison.png")
    with Image.open(tmp_path / "comparison.png") as image:
        assert image.format == "PNG" and image.size[0] > image.size[1]


def test_svg_keeps_labels_and_tokens_as_text(tmp_path):
    plot_comparison([QUESTION, DOT], labels=["<additive>", "dot & co"], path=tmp_path / "c.svg")
    root = ElementTree.parse(tmp_path / "c.svg").getroot()
    texts = {"".join(element.itertext()).strip() for element in root.iter(SVG_TEXT)}
    assert {"<additive>", "dot & co", "niño", "here"} <= texts


def test_pdf_is_a_pdf(tmp_path):
    plot_comparison([QUESTION, DOT], labels=LABELS, path=tmp_path / "comparison.pdf", style="paper")
    assert (tmp_path / "comparison.pdf").read_bytes().startswith(b"%PDF")


def test_unknown_extension_writes_nothing(tmp_path):
    with pytest.raises(ValueError, match=r"'\.gif' is not supported"):
        plot_comparison([QUESTION, DOT], labels=LABELS, path=tmp_path / "comparison.gif")
    assert not list(tmp_path.iterdir())


def test_a_model_without_attention_gets_a_panel_that_says_so_beside_the_heatmap():
    figure = plot_comparison([RED_CAR, WITHOUT_ATTENTION], labels=["additive", "none"])
    heatmap, plain = figure.axes[:2]
    assert heatmap.collections  # the matrix
    assert not plain.collections and not plain.axison
    assert "el coche rojo ." in plain.get_title()
    said = " ".join(text.get_text() for text in plain.texts).replace("\n", " ")
    assert "has no attention" in said and "no matrix to draw" in said
    assert len(figure.axes) == 3  # and one colour bar, for the heatmap
