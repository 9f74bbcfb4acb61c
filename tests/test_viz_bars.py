"""viz.bars: the weights behind one target token, or behind each in small multiples."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import same_color
from PIL import Image
from samples import QUESTION, RED_CAR

from viz import plot_token_bars
from viz.style import STYLES


def bars_by_position(ax) -> list:
    """The bars of ``ax`` from left to right (seaborn groups them by colour)."""
    return sorted(ax.patches, key=lambda bar: bar.get_x())


def test_one_bar_per_source_token_with_their_labels():
    ax = plot_token_bars(QUESTION, index=1).axes[0]
    assert len(ax.patches) == len(QUESTION.source_tokens)
    assert [label.get_text() for label in ax.get_xticklabels()] == QUESTION.source_tokens


def test_bar_heights_are_the_row_of_weights():
    ax = plot_token_bars(QUESTION, index=3).axes[0]
    heights = [bar.get_height() for bar in bars_by_position(ax)]
    assert np.allclose(heights, QUESTION.weights[3])


def test_the_tallest_bar_is_the_argmax_and_only_it_is_highlighted():
    ax = plot_token_bars(QUESTION, index=0).axes[0]
    bars = bars_by_position(ax)
    highlighted = [
        position
        for position, bar in enumerate(bars)
        if same_color(bar.get_facecolor(), STYLES["projector"].highlight)
    ]
    assert highlighted == [int(np.argmax(QUESTION.weights[0]))] == [4]


def test_title_names_the_target_token():
    title = plot_token_bars(RED_CAR, index=2).axes[0].get_title()
    assert title == "Attention behind 'rojo' (output token 3 of 4)"


def test_negative_index_counts_from_the_end():
    title = plot_token_bars(QUESTION, index=-2).axes[0].get_title()
    assert "'aquí' (output token 5 of 6)" in title


@pytest.mark.parametrize("index", [6, -7])
def test_index_out_of_range_is_a_value_error(index):
    with pytest.raises(ValueError, match=rf"index {index} is out of range .* expected -6 to 5"):
        plot_token_bars(QUESTION, index=index)


def test_y_axis_runs_from_0_to_1():
    assert plot_token_bars(RED_CAR, index=0).axes[0].get_ylim() == (0, 1)


def test_no_index_draws_one_panel_per_target_token_sharing_y():
    axes = plot_token_bars(QUESTION).axes
    assert [ax.get_title() for ax in axes] == [
        f"{number}. {token}" for number, token in enumerate(QUESTION.target_tokens, start=1)
    ]
    assert all(ax.get_shared_y_axes().joined(axes[0], ax) for ax in axes)


def test_small_multiples_highlight_each_rows_argmax():
    for row, ax in enumerate(plot_token_bars(RED_CAR).axes):
        tallest = max(bars_by_position(ax), key=lambda bar: bar.get_height())
        assert same_color(tallest.get_facecolor(), STYLES["projector"].highlight)
        assert bars_by_position(ax).index(tallest) == np.argmax(RED_CAR.weights[row])


@pytest.mark.parametrize("index", [1, None], ids=["single", "small-multiples"])
def test_png_is_written(tmp_path, index):
    plot_token_bars(QUESTION, index=index, path=tmp_path / "bars.png")
    with Image.open(tmp_path / "bars.png") as image:
        assert image.format == "PNG" and min(image.size) >= 300
