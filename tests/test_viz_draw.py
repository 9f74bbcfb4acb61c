"""``python -m viz draw``: attention records from any model into pictures, one line per mistake."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from samples import QUESTION, RED_CAR, WITHOUT_ATTENTION

import viz
from viz.draw import main

ROOT = Path(__file__).resolve().parent.parent

# As another framework's user writes them: plain JSON, no format or version fields.
HAND_WRITTEN = {
    "source_tokens": ["I", "eat", "."],
    "target_tokens": ["como", "."],
    "weights": [[0.2, 0.7, 0.1], [0.0, 0.1, 0.9]],
}
SECOND_BEST = viz.AttentionRecord(
    RED_CAR.source_tokens, ["el", "auto", "rojo", "."], np.eye(4), score=-2.5
)
WITH_HYPOTHESES = dataclasses.replace(
    viz.AttentionRecord.of(RED_CAR, sentence="The red car."),
    hypotheses=(viz.AttentionRecord.of(RED_CAR), SECOND_BEST),
)


def draw(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "viz", "draw", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def records(tmp_path) -> Path:
    """A file of two records: one hand-written, one of this project's with two hypotheses."""
    path = tmp_path / "records.jsonl"
    lines = [json.dumps(HAND_WRITTEN), json.dumps(WITH_HYPOTHESES.to_json())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_every_record_is_drawn_in_every_format_asked_for(records, tmp_path, capsys):
    out = tmp_path / "pictures"
    assert main(["draw", str(records), "--to", "png,svg,gif,html", "--out", str(out)]) == 0
    written = sorted(path.name for path in out.iterdir())
    assert written == [
        "record-01.attention.gif",
        "record-01.bars.png",
        "record-01.bars.svg",
        "record-01.heatmap.png",
        "record-01.heatmap.svg",
        "record-01.page.html",
        "record-02.attention.gif",
        "record-02.bars.png",
        "record-02.bars.svg",
        "record-02.heatmap.png",
        "record-02.heatmap.svg",
        "record-02.nbest.png",
        "record-02.nbest.svg",
        "record-02.page.html",
    ]
    assert (out / "record-01.heatmap.png").read_bytes().startswith(b"\x89PNG")
    assert (out / "record-01.attention.gif").read_bytes().startswith(b"GIF89a")
    assert "<svg" in (out / "record-02.nbest.svg").read_text()
    assert "como" in (out / "record-01.page.html").read_text()
    assert capsys.readouterr().out.startswith("2 record(s) drawn into 14 files:\n")


def test_the_n_best_sheet_shows_each_hypothesis_with_its_score(records, tmp_path):
    out = tmp_path / "pictures"
    assert main(["draw", str(records), "--to", "svg", "--out", str(out)]) == 0
    sheet = (out / "record-02.nbest.svg").read_text()
    assert "log-probability -0.40" in sheet and "log-probability -2.50" in sheet


def test_a_bad_record_is_one_line_naming_its_line_and_field(records, tmp_path):
    bad = {**HAND_WRITTEN, "weights": [[0.2, 0.7, 0.1]]}
    with records.open("a", encoding="utf-8") as file:
        file.write(json.dumps(bad) + "\n")
    completed = draw(str(records), "--out", str(tmp_path / "out"))
    assert completed.returncode == 2
    assert completed.stderr.count("\n") == 1 and "Traceback" not in completed.stderr
    assert completed.stderr.startswith(f"error: {records}, line 3: weights has shape (1, 3)")
    assert not (tmp_path / "out").exists()


def test_a_missing_field_is_named(tmp_path, capsys):
    path = tmp_path / "records.jsonl"
    path.write_text(json.dumps({"source_tokens": ["a"], "weights": [[1.0]]}) + "\n")
    assert main(["draw", str(path), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == f"error: {path}, line 1: field 'target_tokens' is missing\n"


def test_a_missing_file_is_one_line(tmp_path, capsys):
    missing = tmp_path / "nothing.jsonl"
    assert main(["draw", str(missing), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == (
        f"error: {missing} does not exist; give a JSON Lines file of attention records.\n"
    )


def test_an_unknown_format_is_one_line_before_any_file_is_read(tmp_path, capsys):
    arguments = [str(tmp_path / "nothing.jsonl"), "--to", "png,bmp", "--out", str(tmp_path)]
    assert main(["draw", *arguments]) == 2
    assert capsys.readouterr().err == (
        "error: --to 'png,bmp' names 'bmp'; give a comma-separated list of "
        "png, svg, pdf, jpg, gif, mp4, html.\n"
    )


def test_mp4_without_ffmpeg_is_one_line(records, tmp_path, capsys, monkeypatch):
    from matplotlib import animation

    monkeypatch.setattr(animation.writers, "is_available", lambda name: False)
    assert main(["draw", str(records), "--to", "png,mp4", "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.startswith("error: Writing .mp4 needs ffmpeg")
    assert not (tmp_path / "out").exists()


def test_help_lists_the_formats():
    completed = draw("--help")
    assert completed.returncode == 0
    assert "png, svg, pdf, jpg, gif, mp4, html" in " ".join(completed.stdout.split())


def test_records_translate_saves_are_drawn_as_they_are(tmp_path):
    path = viz.write_records([RED_CAR, QUESTION], tmp_path / "saved.jsonl")
    completed = draw(str(path), "--to", "png", "--out", str(tmp_path / "out"))
    assert completed.returncode == 0, completed.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "record-01.bars.png",
        "record-01.heatmap.png",
        "record-02.bars.png",
        "record-02.heatmap.png",
    ]


def test_a_record_without_attention_is_not_drawn_and_the_command_says_why(tmp_path, capsys):
    path = viz.write_records([WITHOUT_ATTENTION, RED_CAR], tmp_path / "records.jsonl")
    out = tmp_path / "pictures"
    assert main(["draw", str(path), "--to", "png", "--out", str(out)]) == 0
    drawn = sorted(file.name for file in out.iterdir())
    assert drawn == ["record-02.bars.png", "record-02.heatmap.png"]
    printed = capsys.readouterr().out
    assert "1 record(s) drawn" in printed
    assert "Not drawn: record(s) 1; the model has no attention" in printed
