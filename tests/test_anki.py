"""The Anki builder: tensorflow-datasets' own builder checks on dummy files, then anki:LANG."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
import tensorflow_datasets as tfds

from seq2seq.config import Config
from seq2seq.corpora import anki, load_corpus
from seq2seq.errors import UserError

DUMMY_DATA = Path(__file__).parent / "data" / "anki"


class AnkiBuilderTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = anki.Anki
    EXAMPLE_DIR = str(DUMMY_DATA)  # download_and_extract returns this folder
    # the TensorFlow mirror's layout (spa) and manythings.org's (fra)
    BUILDER_CONFIG_NAMES_TO_TEST: ClassVar[list[str]] = ["spa", "fra"]
    SPLITS: ClassVar[dict[str, int]] = {"train": 6}
    SKIP_CHECKSUMS = True  # no checksums file: manythings.org re-packs its zips as Tatoeba grows


@pytest.fixture
def offline_downloads(monkeypatch):
    """Serve the dummy data in place of every download."""
    monkeypatch.setattr(
        tfds.download.DownloadManager, "download_and_extract", lambda self, url: DUMMY_DATA
    )


def test_anki_corpus_pairs_english_with_the_language_without_alignments(
    offline_downloads, tmp_path
):
    config = Config(
        corpus="anki:spa", data_dir=str(tmp_path), validation_fraction=0.25, test_fraction=0.25
    )
    corpus = load_corpus(config)
    pairs = corpus.train + corpus.validation + corpus.test
    assert sorted((p.source, p.target) for p in pairs) == sorted(
        tuple(line.split("\t"))
        for line in (DUMMY_DATA / "spa-eng" / "spa.txt").read_text().splitlines()
    )
    assert all(pair.alignment is None for pair in pairs)


def test_anki_corpus_reversed_keeps_the_first_pairs_of_the_file(offline_downloads, tmp_path):
    config = Config(
        corpus="anki:fra",
        data_dir=str(tmp_path),
        reverse=True,
        max_pairs=4,
        validation_fraction=0.34,
        test_fraction=0.34,
    )
    corpus = load_corpus(config)
    pairs = corpus.train + corpus.validation + corpus.test
    assert sorted((p.source, p.target) for p in pairs) == sorted(
        [("Va !", "Go."), ("Marche.", "Go."), ("Bouge !", "Go."), ("Salut !", "Hi.")]
    )


def test_unknown_anki_language_lists_the_known_ones():
    with pytest.raises(UserError, match=r"anki:xyz is not a language .* anki:fra"):
        load_corpus(Config(corpus="anki:xyz"))


def test_failed_download_says_to_download_elsewhere_and_use_tsv(monkeypatch, tmp_path):
    # An address that cannot resolve: the real download path fails, and fast.
    monkeypatch.setitem(anki.MIRROR, "spa", ("http://anki.invalid/spa-eng.zip", "spa-eng/spa.txt"))
    with pytest.raises(UserError) as raised:
        load_corpus(Config(corpus="anki:spa", data_dir=str(tmp_path)))
    message = str(raised.value)
    assert message.startswith("Downloading anki:spa failed (no connection to anki.invalid)")
    assert "http://anki.invalid/spa-eng.zip in a browser" in message
    assert "--corpus tsv:PATH/spa.txt" in message
