"""viz.grid: several sentences' heatmaps on one sheet."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from PIL import Image
from samples import QUESTION, RED_CAR, sentence

from viz import plot_grid, plot_hypotheses

THREE = [RED_CAR, QUESTION, sentence(7)]


def test_three_translations_give_three_heatmaps_and_one_colour_bar():
    *heatmaps, colour_bar = plot_grid(THREE).axes
    assert [len(ax.collections) for ax in heatmaps] == [1, 1, 1]
    assert colour_bar.get_ylabel() == "attention weight"


def test_titles_default_to_the_target_sentences():
    titles = [ax.get_title() for ax in plot_grid([RED_CAR, QUESTION]).axes[:2]]
    assert titles == ["el coche rojo .", "¿ está el niño aquí ?"]


def test_given_titles_are_used():
    figure = plot_grid([RED_CAR, QUESTION], titles=["one", "two"])
    assert [ax.get_title() for ax in figure.axes[:2]] == ["one", "two"]


def test_one_column_stacks_the_heatmaps():
    *heatmaps, _ = plot_grid(THREE, columns=1).axes
    lefts = {ax.get_subplotspec().colspan.start for ax in heatmaps}
    rows = [ax.get_subplotspec().rowspan.start for ax in heatmaps]
    assert lefts == {0} and rows == [0, 1, 2]


def test_empty_list_is_a_value_error():
    with pytest.raises(ValueError, match="translations is empty"):
        plot_grid([])


def test_wrong_number_of_titles_is_a_value_error():
    with pytest.raises(ValueError, match="2 titles for 3 translations"):
        plot_grid(THREE, titles=["one", "two"])


def test_png_is_written(tmp_path):
    plot_grid(THREE, path=tmp_path / "grid.png")
    with Image.open(tmp_path / "grid.png") as image:
        assert image.format == "PNG" and image.size[0] > image.size[1]


def test_zero_columns_is_a_value_error():
    with pytest.raises(ValueError, match="columns is 0"):
        plot_grid(THREE, columns=0)


def test_hypotheses_are_drawn_side_by_side_titled_with_rank_and_score():
    weights = QUESTION.weights[:, :4] / QUESTION.weights[:, :4].sum(axis=1, keepdims=True)
    second = (weights, RED_CAR.source_tokens, QUESTION.target_tokens)  # no score: a bare tuple
    translation = SimpleNamespace(hypotheses=[RED_CAR, second])
    *panels, _ = plot_hypotheses(translation).axes
    assert [ax.get_subplotspec().colspan.start for ax in panels] == [0, 1]
    assert [ax.get_title() for ax in panels] == [
        "1. el coche rojo .\nlog-probability -0.40",
        "2. ¿ está el niño aquí ?",
    ]


def test_a_translation_without_hypotheses_is_a_value_error():
    with pytest.raises(ValueError, match="no hypotheses to draw"):
        plot_hypotheses(RED_CAR)
