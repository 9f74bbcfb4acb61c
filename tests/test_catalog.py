"""tfds:NAME: catalog datasets, mocked by tensorflow-datasets, or a toy one built offline."""

from __future__ import annotations

from typing import ClassVar

import pytest
import requests
import tensorflow_datasets as tfds

from seq2seq.config import Config
from seq2seq.corpora import load_corpus
from seq2seq.errors import UserError

TED = "ted_hrlr_translate/pt_to_en"


class ToyTranslate(tfds.core.GeneratorBasedBuilder):
    """German→English with train, validation and test splits, written in code."""

    VERSION = tfds.core.Version("1.0.0")
    SPLITS: ClassVar[dict[str, list[tuple[str, str]]]] = {
        "train": [(f"Ich habe {n} Katzen.", f"I have {n} cats.") for n in range(10)]
        + [("Das ist ein sehr langer Satz mit vielen Wörtern.", "This is a very long sentence.")],
        "validation": [("Guten Morgen.", "Good morning."), ("Danke.", "Thanks.")],
        "test": [("Hallo.", "Hello."), ("Tschüss.", "Bye.")],
    }

    def _info(self):
        return tfds.core.DatasetInfo(
            builder=self,
            features=tfds.features.Translation(languages=("de", "en")),
            supervised_keys=("de", "en"),
        )

    def _split_generators(self, dl_manager):
        return {name: self._generate_examples(pairs) for name, pairs in self.SPLITS.items()}

    def _generate_examples(self, pairs):
        for index, (german, english) in enumerate(pairs):
            yield index, {"de": german, "en": english}


def toy(tmp_path, **settings) -> Config:
    return Config(corpus="tfds:toy_translate", data_dir=str(tmp_path), **settings)


def test_a_dataset_with_its_own_splits_keeps_them(tmp_path):
    corpus = load_corpus(toy(tmp_path))
    assert corpus.name == "tfds:toy_translate"
    assert len(corpus.train) == 11
    for part in ("validation", "test"):
        pairs = getattr(corpus, part)
        assert sorted((p.source, p.target) for p in pairs) == sorted(ToyTranslate.SPLITS[part])
    assert all(isinstance(p.source, str) and p.alignment is None for p in corpus.train)


def test_max_length_and_max_pairs_apply_to_each_split(tmp_path):
    corpus = load_corpus(toy(tmp_path, max_length=5, max_pairs=3))
    assert len(corpus.train) == 3
    assert all(p.target.startswith("I have") for p in corpus.train)  # not the long one
    assert len(corpus.validation) == len(corpus.test) == 2


def test_the_language_flags_choose_the_direction(tmp_path):
    corpus = load_corpus(toy(tmp_path, source_language="en", target_language="de"))
    assert ("Hello.", "Hallo.") in [(p.source, p.target) for p in corpus.test]


def test_a_language_the_dataset_lacks_is_named(tmp_path):
    with pytest.raises(UserError, match="no language 'fr'; its languages are de, en"):
        load_corpus(toy(tmp_path, source_language="fr", target_language="en"))


def test_mocked_catalog_dataset_pairs_its_supervised_keys_and_splits_itself(tmp_path):
    with tfds.testing.mock_data(num_examples=40):
        forward = load_corpus(Config(corpus=f"tfds:{TED}", data_dir=str(tmp_path)))
        backward = load_corpus(Config(corpus=f"tfds:{TED}", data_dir=str(tmp_path), reverse=True))
    pairs = forward.train + forward.validation + forward.test
    assert 30 <= len(pairs) <= 40 and forward.test and forward.validation  # blank ones skipped
    assert all(isinstance(p.source, str) and isinstance(p.target, str) for p in pairs)
    turned = backward.train + backward.validation + backward.test
    assert sorted((p.target, p.source) for p in turned) == sorted(
        (p.source, p.target) for p in pairs
    )
    assert backward.name == f"tfds:{TED} reversed"


def test_unknown_dataset_suggests_catalog_names_and_tsv():
    with pytest.raises(UserError, match=r"no dataset 'no_such_corpus'.*tfds:.*tsv:PATH"):
        load_corpus(Config(corpus="tfds:no_such_corpus"))


def test_unknown_config_of_a_known_dataset_is_a_user_error():
    with pytest.raises(UserError, match="cannot open 'ted_hrlr_translate/xx_to_yy'"):
        load_corpus(Config(corpus="tfds:ted_hrlr_translate/xx_to_yy"))


def test_a_dataset_without_translation_feature_is_refused(tmp_path):
    with (
        tfds.testing.mock_data(num_examples=2),
        pytest.raises(UserError, match="tfds:mnist has no translation feature"),
    ):
        load_corpus(Config(corpus="tfds:mnist", data_dir=str(tmp_path)))


def test_failed_download_gives_one_sentence_with_the_way_out(monkeypatch, tmp_path):
    def unreachable(self, url):
        raise requests.exceptions.ConnectionError("Name or service not known")

    monkeypatch.setattr(tfds.download.DownloadManager, "download_and_extract", unreachable)
    with pytest.raises(UserError) as raised:
        load_corpus(Config(corpus=f"tfds:{TED}", data_dir=str(tmp_path)))
    message = str(raised.value)
    assert message.startswith(f"Downloading tfds:{TED} failed (Name or service not known)")
    assert "--corpus tsv:PATH" in message
