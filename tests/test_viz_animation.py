"""viz.animation: the heatmap filling in one decoding step at a time."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib import animation
from PIL import Image
from samples import QUESTION, RED_CAR

from viz import animate_attention
from viz.animation import frame_matrix

# Animations made only to inspect a frame are never rendered; matplotlib says so on deletion.
pytestmark = pytest.mark.filterwarnings("ignore:Animation was deleted")


def show_frame(step: int) -> animation.FuncAnimation:
    """The animation of QUESTION with frame ``step`` drawn into its figure."""
    movie = animate_attention(QUESTION)
    movie._func(step)
    return movie


def test_gif_has_one_frame_per_target_token(tmp_path):
    animate_attention(QUESTION, path=tmp_path / "attention.gif", fps=2.5)
    with Image.open(tmp_path / "attention.gif") as gif:
        assert gif.n_frames == len(QUESTION.target_tokens)
        assert gif.info["duration"] == 400


def test_html_holds_the_javascript_player(tmp_path):
    animate_attention(RED_CAR, path=tmp_path / "attention.html")
    page = (tmp_path / "attention.html").read_text(encoding="utf-8")
    assert 'class="animation"' in page
    assert page.count("data:image/png;base64") == len(RED_CAR.target_tokens)


@pytest.mark.skipif(not animation.writers.is_available("ffmpeg"), reason="ffmpeg is absent")
def test_mp4_is_written_when_ffmpeg_is_installed(tmp_path):
    animate_attention(RED_CAR, path=tmp_path / "attention.mp4")
    assert (tmp_path / "attention.mp4").stat().st_size > 0


def test_mp4_without_ffmpeg_is_a_runtime_error_saying_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(animation.writers, "is_available", lambda name: False)
    with pytest.raises(RuntimeError, match=r"needs ffmpeg.*write \.gif/\.html instead"):
        animate_attention(RED_CAR, path=tmp_path / "attention.mp4")
    assert not list(tmp_path.iterdir())


def test_frame_title_is_the_translation_so_far():
    assert show_frame(2)._fig.axes[0].get_title() == "¿ está el"


def test_frame_shows_rows_up_to_its_step_and_masks_the_rest():
    shown = show_frame(2)._fig.axes[0].collections[0].get_array()
    assert not shown.mask[:3].any() and shown.mask[3:].all()
    assert np.array_equal(shown[:3], QUESTION.weights[:3])


def test_frame_outlines_the_row_being_written():
    (outline,) = show_frame(4)._fig.axes[0].patches
    assert (outline.get_y(), outline.get_height()) == (4, 1)  # row 4 spans y = 4 to 5


def test_frame_hides_labels_and_numbers_of_rows_not_written_yet():
    ax = show_frame(1)._fig.axes[0]
    assert [label.get_text() for label in ax.get_yticklabels()] == ["¿", "está", "", "", "", ""]
    visible = [text.get_text() for text in ax.texts if text.get_visible()]
    assert visible == [f"{weight:.2f}" for weight in QUESTION.weights[:2].ravel()]


def test_frames_keep_the_layout_still():
    movie = animate_attention(QUESTION)
    figure = movie._fig
    positions = []
    for step in (0, len(QUESTION.target_tokens) - 1):
        movie._func(step)
        figure.draw_without_rendering()
        positions.append([ax.get_position().bounds for ax in figure.axes])
    assert positions[0] == positions[1]


def test_frame_matrix_masks_exactly_the_rows_after_the_step():
    weights = np.arange(12.0).reshape(4, 3)
    assert frame_matrix(weights, 1).mask.tolist() == [[False] * 3] * 2 + [[True] * 3] * 2
    assert not frame_matrix(weights, 3).mask.any()


def test_frames_per_second_must_be_positive():
    with pytest.raises(ValueError, match="fps is 0"):
        animate_attention(RED_CAR, fps=0)
