"""viz.whatif: a question's marks on the heatmap, and the alternatives of every step."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from matplotlib.colors import same_color
from matplotlib.patches import Rectangle
from PIL import Image
from samples import ASKED, RED_CAR

import viz
from viz.draw import main as draw_main
from viz.style import STYLES

HIGHLIGHT = STYLES["projector"].highlight


def outlines(ax) -> list[Rectangle]:
    """The rectangles drawn over the matrix (seaborn's cells are one mesh, not patches)."""
    return [patch for patch in ax.patches if isinstance(patch, Rectangle)]


def test_a_hidden_column_is_hatched_and_its_label_greyed():
    ax = viz.plot_heatmap(ASKED).axes[0]
    hatched = [patch for patch in outlines(ax) if patch.get_hatch()]
    assert [(patch.get_x(), patch.get_height()) for patch in hatched] == [(1, 4)]
    labels = ax.get_xticklabels()
    assert labels[1].get_color() != labels[0].get_color()


def test_a_pointed_cell_is_outlined_in_the_highlight_colour():
    ax = viz.plot_heatmap(ASKED).axes[0]
    (outlined,) = [patch for patch in outlines(ax) if not patch.get_hatch()]
    assert (outlined.get_x(), outlined.get_y()) == (3, 3)
    assert same_color(outlined.get_edgecolor(), HIGHLIGHT)


def test_forced_rows_are_bold_and_unexpected_words_highlighted_and_said_in_a_caption():
    ax = viz.plot_heatmap(ASKED).axes[0]
    labels = ax.get_yticklabels()
    assert [label.get_fontweight() for label in labels] == ["bold"] * 3 + ["normal"]
    assert same_color(labels[2].get_color(), HIGHLIGHT)
    assert not same_color(labels[0].get_color(), HIGHLIGHT)
    (caption,) = [text for text in ax.texts if "hidden" in text.get_text()]
    assert caption.get_text().splitlines() == [
        "forced (bold): el coche azul",
        "hidden: red",
        "pointed: . (word 4) → .",
        "unexpected (highlighted): azul",
    ]


def test_a_heatmap_asked_nothing_has_no_marks():
    ax = viz.plot_heatmap(RED_CAR).axes[0]
    assert not outlines(ax)
    assert not [text for text in ax.texts if "\n" in text.get_text()]


def test_one_panel_per_target_token_with_the_alternatives_as_bars():
    figure = viz.plot_alternatives(ASKED)
    assert len(figure.axes) == len(ASKED.target_tokens)
    first = figure.axes[0]
    assert [label.get_text() for label in first.get_yticklabels()] == ["el", "la"]
    widths = [bar.get_width() for bar in first.patches]
    np.testing.assert_allclose(widths, [0.97, 0.02])
    assert same_color(first.patches[0].get_facecolor(), HIGHLIGHT)
    assert not same_color(first.patches[1].get_facecolor(), HIGHLIGHT)


def test_a_forced_word_not_among_the_alternatives_gets_a_bar_with_its_rank():
    panel = viz.plot_alternatives(ASKED).axes[2]
    labels = [label.get_text() for label in panel.get_yticklabels()]
    assert labels == ["limpio", "viejo", "azul, rank 25"]
    np.testing.assert_allclose(panel.patches[-1].get_width(), np.exp(-6.0))
    assert same_color(panel.patches[-1].get_facecolor(), HIGHLIGHT)
    assert panel.get_title() == "3. azul\n(forced, unexpected)"
    assert same_color(panel.title.get_color(), HIGHLIGHT)


def test_a_translation_read_without_alternatives_shows_each_words_probability():
    read = dataclasses.replace(ASKED, alternatives=(), forced=0, hidden=(), pointed=())
    figure = viz.plot_alternatives(read)
    widths = [ax.patches[0].get_width() for ax in figure.axes]
    np.testing.assert_allclose(widths, np.exp(ASKED.log_probabilities))


def test_a_translation_without_alternatives_or_probabilities_is_a_clear_error():
    with pytest.raises(ValueError, match="alternatives=K"):
        viz.plot_alternatives(RED_CAR)


def test_alternatives_are_written_as_a_picture(tmp_path):
    path = tmp_path / "alternatives.png"
    viz.plot_alternatives(ASKED, path=path)
    with Image.open(path) as image:
        assert image.width > 400 and image.height > 300


def test_draw_redraws_a_records_marks_and_alternatives(tmp_path, capsys):
    records = viz.write_records([ASKED, RED_CAR], tmp_path / "asked.jsonl")
    out = tmp_path / "drawn"
    assert draw_main(["draw", str(records), "--to", "png", "--out", str(out)]) == 0
    assert sorted(path.name for path in out.iterdir()) == [
        "record-01.alternatives.png",
        "record-01.bars.png",
        "record-01.heatmap.png",
        "record-02.bars.png",
        "record-02.heatmap.png",
    ]
