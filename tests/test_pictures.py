"""Drawing every picture of a few translations into one folder."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from samples import QUESTION, RED_CAR

from seq2seq.pictures import draw, slug
from seq2seq.translation import Translation


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
        for kind in ("heatmap.png", "attention.gif", "bars.png", "page.html")
    ]
    assert Image.open(paths[1]).n_frames == len(QUESTION.target_tokens)
    assert "niño" in paths[3].read_text(encoding="utf-8")


def test_files_are_named_after_the_sentences_when_given(tmp_path):
    paths = draw([RED_CAR], tmp_path, sentences=["My red car!"])
    assert paths[0].name == "01-my-red-car.heatmap.png"


def test_an_empty_translation_is_skipped(tmp_path):
    empty = Translation(["hello", "."], [], np.zeros((0, 2), np.float32), -3.0)
    paths = draw([empty, RED_CAR], tmp_path)
    assert [path.name.split(".")[0] for path in paths] == ["02-the-red-car"] * 4
