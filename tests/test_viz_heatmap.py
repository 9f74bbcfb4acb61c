"""viz.heatmap: the attention matrix as a heatmap."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image
from samples import QUESTION, RED_CAR, WITHOUT_ATTENTION, sentence

from viz import plot_heatmap
from viz.style import SMALLEST_FONT

SVG_TEXT = "{http://www.w3.org/2000/svg}text"


def tick_labels(axis) -> list[str]:
    return [label.get_text() for label in axis.get_ticklabels()]


def test_returns_a_figure_without_writing_when_no_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert isinstance(plot_heatmap(RED_CAR), Figure)
    assert not list(tmp_path.iterdir())


def test_png_is_a_valid_image_of_reasonable_size(tmp_path):
    plot_heatmap(RED_CAR, path=tmp_path / "heatmap.png")
    with Image.open(tmp_path / "heatmap.png") as image:
        assert image.format == "PNG"
        assert min(image.size) >= 300 and max(image.size) <= 2000


def test_svg_keeps_every_token_as_text(tmp_path):
    weights, source_tokens, _ = sentence(3)
    tricky = (weights, source_tokens, ["<b>", "a&b", "niño"])
    plot_heatmap(tricky, path=tmp_path / "heatmap.svg")
    # Parsing proves the markup characters were escaped; the text survives as text.
    root = ElementTree.parse(tmp_path / "heatmap.svg").getroot()
    texts = {"".join(element.itertext()).strip() for element in root.iter(SVG_TEXT)}
    assert set(source_tokens) | {"<b>", "a&b", "niño"} <= texts


def test_svg_draws_non_ascii_tokens_as_themselves(tmp_path):
    plot_heatmap(QUESTION, path=tmp_path / "heatmap.svg")
    svg = (tmp_path / "heatmap.svg").read_text(encoding="utf-8")
    assert all(f">{token}<" in svg for token in ["¿", "está", "niño", "aquí"])


def test_pdf_is_a_pdf(tmp_path):
    plot_heatmap(RED_CAR, path=tmp_path / "heatmap.pdf")
    assert (tmp_path / "heatmap.pdf").read_bytes().startswith(b"%PDF")


def test_jpg_is_a_jpeg(tmp_path):
    plot_heatmap(RED_CAR, path=tmp_path / "heatmap.JPG")
    with Image.open(tmp_path / "heatmap.JPG") as image:
        assert image.format == "JPEG"


def test_source_tokens_label_the_columns_and_target_tokens_the_rows():
    ax = plot_heatmap(QUESTION).axes[0]
    assert tick_labels(ax.xaxis) == QUESTION.source_tokens
    assert tick_labels(ax.yaxis) == QUESTION.target_tokens


def test_a_labelled_colour_bar_runs_from_0_to_1():
    figure = plot_heatmap(RED_CAR)
    heatmap, colour_bar = figure.axes
    assert colour_bar.get_ylabel() == "attention weight"
    assert heatmap.collections[0].get_clim() == (0, 1)


def test_short_sentences_get_the_weights_written_in_the_cells():
    texts = [text.get_text() for text in plot_heatmap(RED_CAR).axes[0].texts]
    assert texts == [f"{weight:.2f}" for weight in RED_CAR.weights.ravel()]


def test_annotate_false_writes_no_numbers():
    assert len(plot_heatmap(RED_CAR, annotate=False).axes[0].texts) == 0


def test_long_sentences_get_no_numbers_unless_asked():
    assert len(plot_heatmap(sentence(20)).axes[0].texts) == 0
    assert len(plot_heatmap(sentence(20), annotate=True).axes[0].texts) == 400


def test_a_60_token_sentence_gets_a_sane_size_and_readable_labels():
    figure = plot_heatmap(sentence(60))
    width, height = figure.get_size_inches()
    assert 8 <= width <= 20 and 8 <= height <= 20
    label = figure.axes[0].get_xticklabels()[0]
    assert SMALLEST_FONT <= label.get_fontsize() < 16
    assert label.get_rotation() == 90


def test_a_3_token_sentence_gets_a_small_figure():
    width, height = plot_heatmap(sentence(3)).get_size_inches()
    assert 3 <= width <= 8 and 2.5 <= height <= 6


def test_paper_style_uses_smaller_labels_than_projector():
    def label_size(style: str) -> float:
        return plot_heatmap(RED_CAR, style=style).axes[0].get_yticklabels()[0].get_fontsize()

    assert label_size("paper") < label_size("projector")


def test_draws_into_a_given_axes_and_returns_its_figure():
    figure = Figure()
    ax = figure.add_subplot()
    assert plot_heatmap(RED_CAR, ax=ax) is figure
    assert ax.collections[0].get_array().shape == (4, 4)


def test_title_is_shown():
    assert plot_heatmap(RED_CAR, title="Adjectives swap").axes[0].get_title() == "Adjectives swap"


def test_a_tuple_draws_the_same_matrix_as_a_translation():
    as_tuple = (RED_CAR.weights, RED_CAR.source_tokens, RED_CAR.target_tokens)
    drawn = plot_heatmap(as_tuple).axes[0].collections[0].get_array()
    assert np.array_equal(drawn, RED_CAR.weights)


def test_a_translation_without_attention_is_refused_in_one_sentence_saying_why():
    with pytest.raises(ValueError, match=r"no attention weights; the model has no attention"):
        plot_heatmap(WITHOUT_ATTENTION)
