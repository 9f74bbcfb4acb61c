"""viz.length: scores against source length, one line per model, the counts below."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest
from PIL import Image

from viz import plot_scores_by_length

SVG_TEXT = "{http://www.w3.org/2000/svg}text"


def buckets(bleu_of, count_of=lambda shortest: 100, beyond=False) -> list[dict]:
    """Buckets 1-5 … 16-20 (or beyond the cut: 17-20, 21-24) with these scores and counts."""
    edges = [(17, 20), (21, 24)] if beyond else [(1, 5), (6, 10), (11, 15), (16, 20)]
    return [
        {
            "set": "beyond the cut" if beyond else "held out",
            "shortest": shortest,
            "longest": longest,
            "sentences": count_of(shortest),
            "bleu": bleu_of(shortest),
            "chrf": bleu_of(shortest),
            "exact_match": bleu_of(shortest) / 100,
        }
        for shortest, longest in edges
    ]


ATTENTION = buckets(lambda shortest: 98.0)
NONE = buckets(lambda shortest: 95.0 - 4 * shortest)


def test_one_line_per_run_over_the_buckets_short_to_long():
    figure = plot_scores_by_length({"attention": ATTENTION, "no attention": NONE[::-1]})
    scores, counts = figure.axes
    lines = {line.get_label(): line for line in scores.get_lines()}
    assert set(lines) == {"attention", "no attention"}
    np.testing.assert_allclose(lines["no attention"].get_ydata(), [91, 71, 51, 31])
    np.testing.assert_allclose(lines["attention"].get_xdata(), [0, 1, 2, 3])
    assert [label.get_text() for label in counts.get_xticklabels()] == [
        "1–5",
        "6–10",
        "11–15",
        "16–20",
    ]
    assert scores.get_ylabel() == "BLEU" and scores.get_ylim()[0] == 0
    # the lines are told apart without colour too
    assert lines["attention"].get_linestyle() != lines["no attention"].get_linestyle()
    assert lines["attention"].get_marker() != lines["no attention"].get_marker()


def test_the_counts_are_shown_once_where_the_runs_share_them_and_per_run_where_not():
    shared = plot_scores_by_length({"a": ATTENTION, "b": NONE}).axes[1]
    assert [patch.get_height() for patch in shared.patches] == [100] * 4
    assert [text.get_text() for text in shared.texts] == ["100"] * 4
    other = buckets(lambda shortest: 50.0, count_of=lambda shortest: shortest)
    split = plot_scores_by_length({"a": ATTENTION, "b": other}).axes[1]
    assert sorted(patch.get_height() for patch in split.patches) == sorted(
        [100] * 4 + [1, 6, 11, 16]
    )


def test_buckets_beyond_the_cut_come_last_in_a_shaded_band_with_the_line_broken():
    figure = plot_scores_by_length({"spa": NONE + buckets(lambda s: 20.0, beyond=True)})
    scores, counts = figure.axes
    labels = [label.get_text() for label in counts.get_xticklabels()]
    assert labels[-2:] == ["17–20", "21–24"] and labels[:4] == ["1–5", "6–10", "11–15", "16–20"]
    held_out, beyond = scores.get_lines()
    np.testing.assert_allclose(held_out.get_xdata(), [0, 1, 2, 3])
    np.testing.assert_allclose(beyond.get_xdata(), [4, 5])
    assert beyond.get_label().startswith("_")  # one legend entry per run
    assert any("longer than any" in text.get_text() for text in scores.texts)
    assert scores.patches  # the band


def test_a_perfect_bleu_a_few_ulps_over_100_is_drawn_as_100():
    perfect = buckets(lambda shortest: 100.00000000000004)
    line = plot_scores_by_length({"a": perfect}).axes[0].get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), 100.0)


@pytest.mark.parametrize(
    ("metric", "label"), [("chrf", "chrF"), ("exact_match", "exact match (%)")]
)
def test_other_metrics_are_drawn_on_a_0_to_100_scale(metric, label):
    scores = plot_scores_by_length({"a": NONE}, metric=metric).axes[0]
    assert scores.get_ylabel() == label
    assert max(scores.get_lines()[0].get_ydata()) == pytest.approx(91.0)


def test_png_and_svg_are_written_with_the_labels_as_text(tmp_path):
    plot_scores_by_length({"attention": ATTENTION}, path=tmp_path / "length.png")
    with Image.open(tmp_path / "length.png") as image:
        assert image.width > 600 and image.height > 400
    plot_scores_by_length({"attention": ATTENTION}, path=tmp_path / "length.svg")
    texts = {node.text for node in ElementTree.parse(tmp_path / "length.svg").iter(SVG_TEXT)}
    assert {"attention", "6–10", "BLEU"} <= texts


@pytest.mark.parametrize(
    ("runs", "options", "message"),
    [
        ({}, {}, "runs is empty"),
        ({"a": []}, {}, "run 'a' has no buckets"),
        ({"a": "1-5"}, {}, "run 'a' has str"),
        ({"a": [{"shortest": 1, "longest": 5}]}, {}, "lacks sentences, bleu"),
        ({"a": buckets(lambda s: 120.0)}, {}, "has bleu 120.0; expected 0 to 100"),
        ({"a": ATTENTION}, {"metric": "ter"}, "metric 'ter' is unknown"),
        ({"a": ATTENTION}, {"path": "length.gif"}, "'.gif' is not supported"),
    ],
)
def test_bad_input_is_refused_in_one_sentence(runs, options, message):
    with pytest.raises(ValueError, match=message):
        plot_scores_by_length(runs, **options)
