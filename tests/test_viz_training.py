"""viz.training: one sentence's attention after each epoch, animated or on one sheet."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib import animation
from matplotlib.text import Annotation, Text
from PIL import Image
from samples import RED_CAR

from viz import animate_training, plot_training
from viz.training import epoch_title

# Animations made only to inspect a frame are never rendered; matplotlib says so on deletion.
pytestmark = pytest.mark.filterwarnings("ignore:Animation was deleted")

SOURCE, TARGET = RED_CAR.source_tokens, RED_CAR.target_tokens
CAPTIONS = ["coche coche coche", "el coche", "el coche rojo rojo .", "el coche rojo ."]


def learning(snapshots: int = 4) -> np.ndarray:
    """(snapshots, 4, 4): even attention before training, RED_CAR's alignment at the end."""
    even = np.full(RED_CAR.weights.shape, 0.25)
    progress = np.linspace(0, 1, snapshots)[:, None, None]
    return (1 - progress) * even + progress * RED_CAR.weights


def frame(movie: animation.FuncAnimation, number: int):
    """The heatmap's axes after drawing frame ``number`` of ``movie``."""
    movie._func(number)
    return movie._fig.axes[0]


def epoch_line(ax) -> Text:
    """The epoch's text: the title, or the annotation above the caption when there are captions."""
    annotations = [text for text in ax.texts if isinstance(text, Annotation)]
    return annotations[0] if annotations else ax.title


def heading(movie: animation.FuncAnimation) -> str:
    return epoch_line(movie._fig.axes[0]).get_text()


def headings(movie: animation.FuncAnimation, frames: int) -> list[str]:
    """The heading of each of the first ``frames`` frames, drawing them in turn."""
    titles = []
    for number in range(frames):
        frame(movie, number)
        titles.append(heading(movie))
    return titles


def test_gif_has_one_frame_per_snapshot(tmp_path):
    animate_training(learning(5), SOURCE, TARGET, path=tmp_path / "training.gif", fps=4)
    with Image.open(tmp_path / "training.gif") as gif:
        assert gif.n_frames == 5
        assert gif.info["duration"] == 250


def test_html_holds_a_player_with_one_picture_per_snapshot(tmp_path):
    animate_training(learning(3), SOURCE, TARGET, path=tmp_path / "training.html")
    page = (tmp_path / "training.html").read_text(encoding="utf-8")
    assert 'class="animation"' in page
    assert page.count("data:image/png;base64") == 3


@pytest.mark.skipif(not animation.writers.is_available("ffmpeg"), reason="ffmpeg is absent")
def test_mp4_is_written_when_ffmpeg_is_installed(tmp_path):
    animate_training(learning(2), SOURCE, TARGET, path=tmp_path / "training.mp4")
    assert (tmp_path / "training.mp4").stat().st_size > 0


def test_mp4_without_ffmpeg_is_a_runtime_error_saying_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(animation.writers, "is_available", lambda name: False)
    with pytest.raises(RuntimeError, match=r"needs ffmpeg"):
        animate_training(learning(), SOURCE, TARGET, path=tmp_path / "training.mp4")
    assert not list(tmp_path.iterdir())


def test_each_frame_shows_its_snapshot_on_the_same_0_to_1_scale():
    stack = learning()
    movie = animate_training(stack, SOURCE, TARGET)
    for number in range(len(stack)):
        image = frame(movie, number).collections[0]
        assert np.array_equal(image.get_array(), stack[number])
        assert image.get_clim() == (0, 1)


def test_cell_numbers_follow_the_snapshot():
    movie = animate_training(learning(), SOURCE, TARGET)
    assert {text.get_text() for text in frame(movie, 0).texts} == {"0.25"}
    assert [text.get_text() for text in frame(movie, 3).texts] == [
        f"{weight:.2f}" for weight in RED_CAR.weights.ravel()
    ]


def test_titles_count_epochs_and_call_epoch_0_before_training():
    movie = animate_training(learning(), SOURCE, TARGET)
    assert headings(movie, 4) == [
        "epoch 0 of 3: before training",
        "epoch 1 of 3",
        "epoch 2 of 3",
        "epoch 3 of 3",
    ]


def test_given_epochs_label_the_frames():
    movie = animate_training(learning(3), SOURCE, TARGET, epochs=[1, 5, 10])
    frame(movie, 1)
    assert heading(movie) == "epoch 5 of 10"


def test_parts_of_an_epoch_label_the_frames_to_two_decimals():
    movie = animate_training(learning(), SOURCE, TARGET, epochs=[0, 0.0625, 0.5, 2])
    assert headings(movie, 4) == [
        "epoch 0 of 2: before training",
        "epoch 0.06 of 2",
        "epoch 0.50 of 2",
        "epoch 2 of 2",
    ]


def test_captions_are_shown_under_the_epoch_one_per_frame():
    movie = animate_training(learning(), SOURCE, TARGET, captions=CAPTIONS)
    for number, caption in enumerate(CAPTIONS):
        ax = frame(movie, number)
        assert ax.get_title().strip() == caption
        assert heading(movie) == epoch_title(number, 3)
        heading_box = epoch_line(ax).get_window_extent()
        assert heading_box.y0 >= ax.title.get_window_extent().y1 - 1  # above, not on top


def test_frames_keep_the_layout_still_however_long_the_caption():
    movie = animate_training(learning(), SOURCE, TARGET, captions=["", "", "", "x " * 40])
    positions = []
    for number in (0, 3):
        frame(movie, number)
        movie._fig.draw_without_rendering()
        positions.append([ax.get_position().bounds for ax in movie._fig.axes])
        box = epoch_line(movie._fig.axes[0]).get_window_extent()
        positions.append((box.y0, round((box.x0 + box.x1) / 2)))
    assert positions[0] == positions[2] and positions[1] == positions[3]


def test_a_list_of_lists_works_as_well_as_an_array():
    movie = animate_training(learning(2).tolist(), SOURCE, TARGET)
    assert np.array_equal(frame(movie, 1).collections[0].get_array(), RED_CAR.weights)


def bad_nan() -> np.ndarray:
    stack = learning()
    stack[2, 1, 3] = np.nan
    return stack


def bad_negative() -> np.ndarray:
    stack = learning()
    stack[1, 0, 0] = -0.5
    return stack


BAD_INPUTS = {
    "one matrix": (lambda: (RED_CAR.weights, {}), r"2 dimension\(s\).*expected 3"),
    "wrong shape": (
        lambda: (np.full((4, 4, 3), 0.3), {}),
        r"shape \(4, 4, 3\) but there are 4 source tokens and 4 target tokens",
    ),
    "nan": (lambda: (bad_nan(), {}), r"snapshot 2 \(epoch 2\): .*NaN or infinite .*\[1, 3\]"),
    "negative": (lambda: (bad_negative(), {}), r"snapshot 1 \(epoch 1\): .*negative value -0\.5"),
    "no snapshots": (lambda: ([], {}), "no snapshots"),
    "no snapshots in an array": (lambda: (np.zeros((0, 4, 4)), {}), "no snapshots"),
    "ragged": (lambda: ([RED_CAR.weights, RED_CAR.weights[:2]], {}), "not an array of numbers"),
    "too few epochs": (lambda: (learning(), {"epochs": [0, 1, 2]}), "3 epochs for 4 snapshots"),
    "epochs backwards": (lambda: (learning(), {"epochs": [0, 2, 1, 3]}), "increasing"),
    "negative epoch": (lambda: (learning(), {"epochs": [-1, 0, 1, 2]}), "increasing"),
    "epoch not a number": (lambda: (learning(), {"epochs": [0, "1", 2, 3]}), "expected numbers"),
    "epoch NaN": (lambda: (learning(), {"epochs": [0, 1, float("nan"), 3]}), "expected numbers"),
    "too many captions": (
        lambda: (learning(), {"captions": [*CAPTIONS, "more"]}),
        "5 captions for 4 snapshots",
    ),
    "one caption string": (lambda: (learning(), {"captions": "el coche"}), "single string"),
    "caption not text": (lambda: (learning(), {"captions": ["a", "b", 3, "d"]}), "caption 2"),
}


@pytest.mark.parametrize("draw", [animate_training, plot_training])
@pytest.mark.parametrize("case", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_is_a_value_error_naming_it(draw, case):
    make, message = case
    weights_by_epoch, options = make()
    with pytest.raises(ValueError, match=message):
        draw(weights_by_epoch, SOURCE, TARGET, **options)


@pytest.mark.parametrize("draw", [animate_training, plot_training])
def test_empty_tokens_are_a_value_error(draw):
    with pytest.raises(ValueError, match="no source tokens"):
        draw(np.zeros((2, 4, 0)), [], TARGET)


def test_fps_must_be_positive():
    with pytest.raises(ValueError, match="fps is 0"):
        animate_training(learning(), SOURCE, TARGET, fps=0)


def test_unknown_extension_writes_nothing(tmp_path):
    with pytest.raises(ValueError, match=r"'\.png' is not supported"):
        animate_training(learning(), SOURCE, TARGET, path=tmp_path / "training.png")
    assert not list(tmp_path.iterdir())


def test_sheet_shows_the_first_and_last_epoch_and_at_most_six():
    *panels, colour_bar = plot_training(learning(12), SOURCE, TARGET).axes
    titles = [ax.get_title() for ax in panels]
    assert len(panels) == 6
    assert titles[0] == "before training" and titles[-1] == "epoch 11"
    assert colour_bar.get_ylabel() == "attention weight"


def test_sheet_shows_the_epochs_asked_for_with_their_captions():
    figure = plot_training(
        learning(), SOURCE, TARGET, epochs=[0, 2, 4, 6], captions=CAPTIONS, show=[2, 6]
    )
    *panels, _ = figure.axes
    assert [ax.get_title() for ax in panels] == ["epoch 2\nel coche", "epoch 6\nel coche rojo ."]
    assert np.array_equal(panels[1].collections[0].get_array(), RED_CAR.weights)


def test_sheet_of_an_epoch_without_snapshot_is_a_value_error():
    with pytest.raises(ValueError, match=r"epoch 7, which has no snapshot; expected some of \["):
        plot_training(learning(), SOURCE, TARGET, show=[1, 7])


@pytest.mark.parametrize("extension", ["png", "svg", "pdf"])
def test_sheet_is_written_in_the_format_of_its_extension(tmp_path, extension):
    path = tmp_path / f"training.{extension}"
    plot_training(learning(3), SOURCE, TARGET, path=path, style="paper")
    data = path.read_bytes()
    if extension == "png":
        with Image.open(path) as image:
            assert image.format == "PNG" and image.size[0] > image.size[1]
    elif extension == "svg":
        assert b"<svg" in data and b"before training" in data
    else:
        assert data.startswith(b"%PDF")
