"""Drawing every picture of a few translations into one folder."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PIL import Image
from processes import (
    each_stopping_signal,
    pictures,
    signal_and_wait,
    start,
    unfinished,
    wait_for_files,
)
from samples import QUESTION, RED_CAR

from seq2seq.pictures import draw, slug, training_pictures, translation_pictures
from seq2seq.translation import Translation
from viz.batch import PARALLEL_FROM


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("¿Está el niño aquí?", "esta-el-nino-aqui"),
        ("Maria's dog", "maria-s-dog"),
        ("?!", "sentence"),
        ("word " * 30, "word-word-word-word-word-word-word-word"),
    ],
)
def test_slug_makes_a_short_portable_file_name(sentence, expected):
    assert slug(sentence) == expected


def test_draw_writes_four_pictures_per_translation_in_the_order_given(tmp_path):
    paths = draw([QUESTION, RED_CAR], tmp_path)
    assert [path.name for path in paths] == [
        f"{number}.{kind}"
        for number in ("01-is-the-boy-here", "02-the-red-car")
        for kind in ("attention.gif", "heatmap.png", "bars.png", "page.html")
    ]
    assert Image.open(paths[0]).n_frames == len(QUESTION.target_tokens)
    assert "niño" in paths[3].read_text(encoding="utf-8")


def test_files_are_named_after_the_sentences_when_given(tmp_path):
    paths = draw([RED_CAR], tmp_path, sentences=["My red car!"])
    assert paths[1].name == "01-my-red-car.heatmap.png"


def test_the_n_best_sheet_is_drawn_where_a_beam_kept_several_hypotheses(tmp_path):
    second = Translation(
        RED_CAR.source_tokens, ["el", "auto", "rojo", "."], np.eye(4, dtype=np.float32), -2.5
    )
    one = dataclasses.replace(RED_CAR, hypotheses=(RED_CAR,))
    several = dataclasses.replace(RED_CAR, hypotheses=(RED_CAR, second))
    names = [picture.path.name for picture in translation_pictures([one, several], tmp_path)]
    assert [name for name in names if "nbest" in name] == ["02-the-red-car.nbest.png"]


def test_an_empty_translation_is_skipped(tmp_path):
    empty = Translation(["hello", "."], [], np.zeros((0, 2), np.float32), -3.0)
    paths = draw([empty, RED_CAR], tmp_path)
    assert [path.name.split(".")[0] for path in paths] == ["02-the-red-car"] * 4


def test_many_pictures_are_drawn_by_worker_processes_just_the_same(tmp_path):
    serial = draw([QUESTION, RED_CAR], tmp_path / "serial")
    # Three translations make twelve pictures: enough for the worker processes.
    parallel = draw([QUESTION, RED_CAR, RED_CAR], tmp_path / "parallel", workers=2)
    assert len(parallel) == 12 >= PARALLEL_FROM
    for one, other in zip(serial, parallel[:8]):
        assert one.name == other.name
        if one.suffix == ".png":
            assert Image.open(one).size == Image.open(other).size
        assert other.stat().st_size > 0


def test_the_training_sheet_shows_the_first_epoch_forming_and_the_end(tmp_path):
    weights = RED_CAR.weights.tolist()
    epochs = [0, 0.05, 0.1, 0.25, 0.5, 1, 2, 3]
    snapshots = {
        "probes": [
            {
                "source": "the red car",
                "source_tokens": RED_CAR.source_tokens,
                "target_tokens": RED_CAR.target_tokens,
                "epochs": [
                    {"epoch": epoch, "weights": weights, "translation": "el coche rojo"}
                    for epoch in epochs
                ],
            }
        ]
    }
    animation, sheet = training_pictures(snapshots, tmp_path)
    assert animation.path.name == "training-01-the-red-car.gif"
    assert animation.options["epochs"] == epochs
    assert sheet.options["show"] == [0, 0.1, 0.25, 0.5, 1, 3]


@pytest.mark.slow  # a translate process per signal, 800 pictures queued: about half a minute each
@each_stopping_signal
def test_translate_stops_drawing_at_once_and_leaves_no_process_or_unfinished_file(
    tiny_run, tmp_path, signum, whole_group, status, name
):
    sentences = tmp_path / "sentences.txt"
    lines = ["The red car is fast.", "Maria's dog does not eat the cake.", "I eat."] * 67
    sentences.write_text("\n".join(lines[:200]) + "\n", encoding="utf-8")
    out = tmp_path / "pictures"
    process = start(
        "-m", "seq2seq", "translate", "--run", str(tiny_run), "--file", str(sentences),
        "--out", str(out),
    )  # fmt: skip
    wait_for_files(process, out, 2, timeout=120)
    ended = signal_and_wait(process, signum, whole_group=whole_group)
    assert ended.returncode == status, ended.stderr
    assert ended.seconds < 2.0
    assert ended.left == []
    assert unfinished(out) == []
    written = len(pictures(out))
    assert 2 <= written < 800
    assert ended.stderr.strip().splitlines()[-1] == (
        f"Stopped by {name}: {written} of 800 pictures written to {out}; "
        "no unfinished file is left."
    )
    assert "Traceback" not in ended.stderr
