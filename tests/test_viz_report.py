"""viz.report: one printable, self-contained HTML file of sentences, pictures and numbers."""

from __future__ import annotations

import base64
import binascii
import io
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from samples import QUESTION, RED_CAR, WITHOUT_ATTENTION

from viz import write_report

MALICIOUS = (
    np.array([[0.6, 0.4], [0.3, 0.7]]),
    ["<script>alert(1)</script>", "&"],
    ["</script><!--", "a&b"],
)
NOTHING = (np.zeros((0, 2)), ["hola", "."], [])  # the model ended at once
TINY = (np.ones((1, 1)), ["hi"], ["hola"])  # quick to draw, for tests of the rest of the page
ENTRIES = [
    ("The red car.", RED_CAR),
    ("Is the boy here?", QUESTION),
    ("<b>bold</b> & co", MALICIOUS),
    ("Hola.", NOTHING),
]
METRICS = {
    "exact_match": 0.875,
    "bleu": 91.23,
    "chrf": 95.5,
    "aer": 0.1004,
    "epochs": 6,
    "train_seconds": 59.8,
    "attention_entropy": 0.2257,
    "learning_rate_final": 0.00125,
    "evaluations": {"tatoeba": {"bleu": 12.5}},
    "per_sentence": [{"entropy": 0.5}],
}
STATISTICS = {"attention_coverage": 1.048, "attention_ignored_share": 0.0468}
CONFIG = {"attention": "additive", "units": 256, "max_length": None, "nested": {"a": 1}}


@dataclass(frozen=True)
class Settings:
    attention: str = "dot"
    epochs: int = 12


class Images(HTMLParser):
    """Every <img> of a page, and every attribute that could fetch something."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []
        self.fetching: list[tuple[str, str | None]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "img":
            self.images.append(attributes)
        self.fetching += [(name, value) for name, value in attrs if name in {"src", "href"}]


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[Path, Path, str]:
    """The folder, the path returned and the page of one report of ENTRIES."""
    folder = tmp_path_factory.mktemp("report")
    path = write_report(
        ENTRIES,
        path=folder / "nested" / "report.html",
        title="Run <7>",
        metrics=METRICS,
        statistics=STATISTICS,
        config=CONFIG,
    )
    return folder, path, path.read_text(encoding="utf-8")


def test_writes_one_file_and_returns_its_path(written):
    folder, path, _ = written
    assert path == folder / "nested" / "report.html"
    assert [entry.name for entry in (folder / "nested").iterdir()] == ["report.html"]


def test_nothing_is_fetched_from_outside_the_file(written):
    page = written[2]
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page and "<link" not in page and "url(" not in page
    fetching = Images(page).fetching
    assert fetching and all(value.startswith("data:image/png;base64,") for _, value in fetching)


def test_each_drawn_entry_has_a_heatmap_and_bars_that_decode_as_png(written):
    images = Images(written[2]).images
    assert len(images) == 2 * 3  # the entry without a translation has no pictures
    for image in images:
        encoded = image["src"].removeprefix("data:image/png;base64,")
        try:
            data = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            pytest.fail("an image is not valid base64")
        with Image.open(io.BytesIO(data)) as picture:
            picture.verify()
            assert picture.format == "PNG" and min(picture.size) >= 200


def test_images_are_shown_at_their_size_in_inches(written):
    widths = [
        re.search(r"width: ([\d.]+)in", image["style"]) for image in Images(written[2]).images
    ]
    assert all(width and 1 < float(width.group(1)) <= 8 for width in widths)


def test_each_sentence_appears_as_typed_with_its_translation(written):
    page = written[2]
    for sentence in ["The red car.", "Is the boy here?", "Hola."]:
        assert sentence in page
    assert "el coche rojo ." in page and "¿ está el niño aquí ?" in page
    assert "the model ended at once" in page


def test_all_text_is_escaped(written):
    page = written[2]
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt; &amp; co" in page
    assert "</script><!--" not in page and "&lt;/script&gt;&lt;!-- a&amp;b" in page
    assert "<script>alert(1)" not in page
    assert "<title>Run &lt;7&gt;</title>" in page and "<h1>Run &lt;7&gt;</h1>" in page


def cells(page: str) -> dict[str, str]:
    """Label → value of the metric tables."""
    rows = re.findall(r'<th scope="row">([^<]*)</th><td class="value">([^<]*)</td>', page)
    return dict(rows)


def test_known_metrics_are_labelled_and_formatted(written):
    expected = {
        "Exact match": "87.5%",
        "BLEU": "91.2",
        "chrF": "95.5",
        "Alignment error rate": "0.100",
        "Epochs": "6",
        "Training time": "59.8 s",
    }
    shown = cells(written[2])
    assert {label: shown.get(label) for label in expected} == expected


def test_attention_statistics_gather_from_metrics_and_statistics(written):
    page = written[2]
    statistics = page[page.index("<h3>Attention statistics</h3>") :].split("</table>")[0]
    assert cells(statistics) == {
        "Entropy": "0.23 nats",
        "Coverage": "1.05 per source token",
        "Ignored source tokens": "4.7%",
    }


def test_other_numbers_are_listed_and_nested_ones_left_out(written):
    page = written[2]
    assert cells(page)["Learning rate final"] == "0.00125"
    assert "Evaluations" not in page and "tatoeba" not in page and "Per sentence" not in page


def test_config_is_a_table_of_its_scalar_settings(written):
    page = written[2]
    config = page[page.index("<h2>Configuration</h2>") :]
    assert '<th scope="row">units</th><td>256</td>' in config
    assert '<th scope="row">max_length</th><td>none</td>' in config
    assert "nested" not in config


def test_a_dataclass_config_is_listed_too(tmp_path):
    page = write_report([("Hi.", TINY)], path=tmp_path / "r.html", config=Settings())
    page = page.read_text(encoding="utf-8")
    assert '<th scope="row">attention</th><td>dot</td>' in page


def test_without_numbers_there_is_no_run_section(tmp_path):
    page = write_report([("Hi.", TINY)], path=tmp_path / "r.html").read_text("utf-8")
    assert "<h2>Run</h2>" not in page and "<h2>Configuration</h2>" not in page
    assert "1 sentence." in page


def test_page_is_made_for_printing(written):
    page = written[2]
    assert "@media print" in page
    assert re.search(r"\.entry[^{]*\{[^}]*break-inside: avoid", page)


BAD = {
    "no entries": ([], {}, ValueError, "entries is empty"),
    "not a list": ("The red car.", {}, ValueError, "entries is a str"),
    "not a pair": ([RED_CAR], {}, ValueError, "entry 0 is a Translation; expected a pair"),
    "pair reversed": ([(RED_CAR, "The red car.")], {}, ValueError, "entry 0 starts with a"),
    "bad weights": (
        [("x", (np.full((2, 2), -1.0), ["a", "b"], ["c", "d"]))],
        {},
        ValueError,
        "negative value -1",
    ),
    "metrics not a dict": ([("x", TINY)], {"metrics": [1.0]}, TypeError, "metrics is a list"),
    "unknown style": ([("x", TINY)], {"style": "poster"}, ValueError, "style 'poster'"),
}


@pytest.mark.parametrize("case", BAD.values(), ids=BAD.keys())
def test_bad_input_fails_before_writing(tmp_path, case):
    entries, options, error, message = case
    with pytest.raises(error, match=message):
        write_report(entries, path=tmp_path / "report.html", **options)
    assert not list(tmp_path.iterdir())


def test_a_path_that_is_not_html_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match=r"'\.pdf' is not supported; expected one of \.html"):
        write_report([("The red car.", RED_CAR)], path=tmp_path / "report.pdf")
    assert not list(tmp_path.iterdir())


def test_progress_is_told_of_each_sentence_drawn(tmp_path):
    drawn = []
    entries = [("The red car.", RED_CAR), ("Is the boy here?", QUESTION)]
    write_report(entries, path=tmp_path / "r.html", progress=lambda: drawn.append(1))
    assert len(drawn) == 2


def test_a_translation_without_attention_is_reported_with_a_line_instead_of_pictures(tmp_path):
    path = write_report(
        [("The red car.", WITHOUT_ATTENTION), ("Hi.", TINY)], path=tmp_path / "report.html"
    )
    page = path.read_text(encoding="utf-8")
    entry = page.split("<h3>")[1]
    assert "el coche rojo ." in entry and "<img" not in entry
    assert "the model has no attention" in entry and "no matrix to draw" in entry
    assert len(Images(page).images) == 2  # the other entry's heatmap and bars


def test_scores_by_length_in_the_metrics_get_a_table_and_their_picture(tmp_path):
    bucket = {"set": "held out", "shortest": 1, "longest": 5, "sentences": 12}
    by_length = {
        "beam_width": 1,
        "bucket_width": 5,
        "buckets": [
            {**bucket, "bleu": 99.5, "chrf": 99.0, "exact_match": 0.95},
            {
                **bucket,
                "shortest": 6,
                "longest": 10,
                "bleu": 40.0,
                "chrf": 60.0,
                "exact_match": 0.1,
            },
        ],
    }
    metrics = {"bleu": 80.0, "by_length": by_length}
    page = write_report([("Hi.", TINY)], path=tmp_path / "r.html", metrics=metrics)
    page = page.read_text(encoding="utf-8")
    section = page.split("<h2>Scores by source length</h2>")[1].split("<h2>")[0]
    assert '<th scope="row">6–10</th><td class="value">12</td>' in section
    assert '<td class="value">40.0</td>' in section and "10.0%" in section
    assert len(Images(section).images) == 1
    with pytest.raises(ValueError, match="holds no 'buckets' list"):
        write_report([("Hi.", TINY)], path=tmp_path / "bad.html", metrics={"by_length": {}})


def test_a_report_of_a_model_without_attention_does_not_promise_heatmaps(tmp_path):
    page = write_report([("The red car.", WITHOUT_ATTENTION)], path=tmp_path / "r.html")
    lead = page.read_text(encoding="utf-8").split('<p class="lead">')[1].split("</p>")[0]
    assert "heatmap" not in lead and "the model has no attention" in lead
