"""``python -m seq2seq compare`` and ``report``: pictures and pages for a room."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil

from PIL import Image
from test_cli import assert_one_clear_error, run_module

from seq2seq import artifacts


def test_compare_draws_each_sentence_from_every_run_side_by_side(tiny_run, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(tiny_run, other)
    out = tmp_path / "compared"
    result = run_module(
        "compare",
        "--run",
        str(tiny_run),
        "--run",
        str(other),
        "--label",
        "first",
        "--label",
        "second",
        "--out",
        str(out),
        "The red car is fast.",
        "Do you eat bread?",
    )
    assert result.returncode == 0, result.stderr
    pictures = sorted(out.iterdir())
    assert [path.name for path in pictures] == [
        "01-the-red-car-is-fast.compare.png",
        "02-do-you-eat-bread.compare.png",
    ]
    for path in pictures:
        with Image.open(path) as image:
            image.verify()
    assert result.stdout.count("first →") == result.stdout.count("second →") == 2


def test_compare_needs_two_runs_and_one_label_each(tiny_run, tmp_path):
    out = str(tmp_path / "compared")
    alone = run_module("compare", "--run", str(tiny_run), "--out", out, "Hello.")
    assert_one_clear_error(alone, "Give --run at least twice")
    labels = run_module(
        "compare",
        "--run",
        str(tiny_run),
        "--run",
        str(tiny_run),
        "--label",
        "one",
        "--out",
        out,
        "Hello.",
    )
    assert_one_clear_error(labels, "There are 1 --label(s) for 2 --run(s)")


def test_report_is_one_self_contained_page_with_the_runs_numbers(tiny_run, tmp_path):
    sentences = tmp_path / "sentences.txt"
    sentences.write_text("The red car is fast.\n\nMy sister eats bread.\n", encoding="utf-8")
    out = tmp_path / "report"
    result = run_module(
        "report",
        "--run",
        str(tiny_run),
        "--file",
        str(sentences),
        "--out",
        str(out),
        "<b>bold</b> cats",
    )
    assert result.returncode == 0, result.stderr
    assert [path.name for path in out.iterdir()] == ["report.html"]
    page = (out / "report.html").read_text(encoding="utf-8")
    for sentence in ("The red car is fast.", "My sister eats bread.", "&lt;b&gt;bold&lt;/b&gt;"):
        assert sentence in page
    assert "<b>bold</b>" not in page
    assert not re.search(r"(src|href)=\"(?!data:|#)", page), "the page must not load other files"
    images = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", page)
    assert len(images) >= 3  # a heatmap and bars per sentence with a translation
    for encoded in images:
        with Image.open(io.BytesIO(base64.b64decode(encoded))) as image:
            image.verify()
    metrics = json.loads((tiny_run / artifacts.METRICS).read_text())
    assert f"{metrics['bleu']:.1f}" in page
    assert "@media print" in page
