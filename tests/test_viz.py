"""viz as a package: input checks, files, styles, imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from samples import RED_CAR

import viz
from viz._files import write_atomically
from viz._validate import as_attention
from viz.style import STYLES, colour_stops, font_family

ROOT = Path(__file__).resolve().parent.parent

# Every public entry point, called the way its users call it.
ENTRY_POINTS = {
    "plot_heatmap": viz.plot_heatmap,
    "plot_token_bars": viz.plot_token_bars,
    "animate_attention": viz.animate_attention,
    "to_html": viz.to_html,
    "plot_grid": lambda translation, **options: viz.plot_grid([translation], **options),
}
entry_points = pytest.mark.parametrize("draw", ENTRY_POINTS.values(), ids=ENTRY_POINTS.keys())

TOKENS = ["a", "b", "c"]


@entry_points
def test_shape_mismatch_is_a_value_error_naming_the_expected_shape(draw):
    weights = np.full((3, 4), 0.25)
    with pytest.raises(ValueError, match=r"shape \(3, 4\) .* 5 source .* 3 target .*\(3, 5\)"):
        draw((weights, ["a", "b", "c", "d", "e"], TOKENS))


@entry_points
@pytest.mark.parametrize("bad", [np.nan, np.inf], ids=["nan", "inf"])
def test_non_finite_weights_are_a_value_error(draw, bad):
    weights = np.full((3, 3), 1 / 3)
    weights[1, 2] = bad
    with pytest.raises(ValueError, match=r"NaN or infinite .* \[1, 2\]"):
        draw((weights, TOKENS, TOKENS))


@entry_points
def test_negative_weights_are_a_value_error(draw):
    weights = np.full((3, 3), 1 / 3)
    weights[0, 0] = -0.1
    with pytest.raises(ValueError, match=r"negative value -0\.1 at"):
        draw((weights, TOKENS, TOKENS))


@entry_points
@pytest.mark.parametrize("side", ["source", "target"])
def test_no_tokens_on_a_side_is_a_value_error(draw, side):
    tokens = {"source": TOKENS, "target": TOKENS, side: []}
    weights = np.zeros((len(tokens["target"]), len(tokens["source"])))
    with pytest.raises(ValueError, match=f"no {side} tokens"):
        draw((weights, tokens["source"], tokens["target"]))


@entry_points
def test_one_dimensional_weights_are_a_value_error(draw):
    with pytest.raises(ValueError, match="1 dimension"):
        draw((np.full(3, 1 / 3), TOKENS, TOKENS))


@entry_points
def test_a_token_that_is_not_a_string_is_a_value_error(draw):
    with pytest.raises(ValueError, match=r"source token 1 is 7 \(int\)"):
        draw((np.full((3, 3), 1 / 3), ["a", 7, "c"], TOKENS))


@entry_points
def test_unknown_extension_is_a_value_error_naming_the_allowed_ones(draw, tmp_path):
    with pytest.raises(ValueError, match=r"'\.bmp' is not supported; expected one of \."):
        draw(RED_CAR, path=tmp_path / "picture.bmp")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "draw",
    [viz.plot_heatmap, viz.plot_token_bars, viz.animate_attention, ENTRY_POINTS["plot_grid"]],
    ids=["plot_heatmap", "plot_token_bars", "animate_attention", "plot_grid"],
)
def test_unknown_style_is_a_value_error_naming_the_known_ones(draw):
    with pytest.raises(ValueError, match="style 'poster' is unknown; expected one of 'projector'"):
        draw(RED_CAR, style="poster")


def test_something_without_weights_is_a_type_error():
    with pytest.raises(TypeError, match="expected a Translation"):
        viz.plot_heatmap("the red car")


def test_rows_need_not_sum_to_one():
    weights = np.array([[0.2, 0.1], [3.0, 0.0]])
    assert np.array_equal(as_attention((weights, ["a", "b"], ["x", "y"])).weights, weights)


@settings(max_examples=25, deadline=None)
@given(
    st.integers(1, 8).flatmap(
        lambda target_length: st.integers(1, 8).map(
            lambda source_length: (target_length, source_length)
        )
    ),
    st.randoms(use_true_random=False),
)
def test_any_valid_shape_is_accepted_as_given(shape, random):
    weights = np.array([[random.random() for _ in range(shape[1])] for _ in range(shape[0])])
    source_tokens = [f"s{index}" for index in range(shape[1])]
    target_tokens = [f"t{index}" for index in range(shape[0])]
    attention = as_attention((weights, source_tokens, target_tokens))
    assert np.array_equal(attention.weights, weights)
    assert (attention.source_tokens, attention.target_tokens) == (source_tokens, target_tokens)


def test_missing_parent_folders_are_created(tmp_path):
    path = tmp_path / "deep" / "er" / "heatmap.png"
    viz.plot_heatmap(RED_CAR, path=path)
    assert path.is_file()


def test_writing_leaves_only_the_file(tmp_path):
    viz.plot_heatmap(RED_CAR, path=tmp_path / "heatmap.png")
    assert [path.name for path in tmp_path.iterdir()] == ["heatmap.png"]


def test_a_failed_write_keeps_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "heatmap.png"
    path.write_bytes(b"old picture")

    def crash_halfway(temporary: Path) -> None:
        temporary.write_bytes(b"half a pict")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(path, crash_halfway)
    assert path.read_bytes() == b"old picture"
    assert [entry.name for entry in tmp_path.iterdir()] == ["heatmap.png"]


def test_plotting_leaves_global_rcparams_alone():
    before = dict(matplotlib.rcParams)
    viz.plot_heatmap(RED_CAR, style="paper")
    assert dict(matplotlib.rcParams) == before


def test_fonts_start_with_dejavu_sans_and_list_only_installed_ones():
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    assert font_family()[0] == "DejaVu Sans"
    assert set(font_family()) <= installed


def test_colour_stops_run_from_light_to_dark():
    stops = colour_stops(STYLES["projector"])
    assert len(stops) == 11
    assert (stops[0][1], stops[-1][1]) == ("#262626", "#ffffff")  # dark text on light, and back


@pytest.fixture(scope="module")
def modules_after_import() -> str:
    """What ``import viz`` loads in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-c", "import sys, viz; print(sorted(sys.modules))"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_import_viz_does_not_import_tensorflow(modules_after_import):
    assert "'tensorflow'" not in modules_after_import
    assert "'seq2seq'" not in modules_after_import


def test_import_viz_leaves_seaborn_and_pyplot_for_later(modules_after_import):
    assert "'seaborn'" not in modules_after_import
    assert "'matplotlib.pyplot'" not in modules_after_import


def test_python_m_viz_draw_does_not_import_tensorflow(tmp_path):
    records = viz.write_records([RED_CAR], tmp_path / "records.jsonl")
    # -X importtime lists every module the command imports, one per line, on stderr.
    command = ["-m", "viz", "draw", str(records), "--to", "png", "--out", str(tmp_path / "out")]
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    imported = {line.split("|")[-1].strip() for line in completed.stderr.splitlines()}
    assert "viz.draw" in imported and (tmp_path / "out" / "record-01.heatmap.png").is_file()
    assert not {name for name in imported if name.split(".")[0] in ("tensorflow", "seq2seq")}
