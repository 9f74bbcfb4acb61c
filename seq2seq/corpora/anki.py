"""The Anki pair files of manythings.org as a tensorflow-datasets builder: ``anki:LANGUAGE``.

manythings.org/anki packs Tatoeba's English sentences and their translations as
one zip a language (``fra-eng.zip`` holds ``fra.txt``: English, French,
attribution). They are the files of the classic sequence-to-sequence
tutorials; the Keras and TensorFlow ones use the Spanish file from a
TensorFlow mirror, which this builder uses too. tensorflow-datasets downloads,
caches and versions them like any catalog dataset (``--data-dir``).

manythings.org refuses downloads from programs that do not send a browser's
User-Agent, which tensorflow-datasets does not; where that happens, download the
zip in a browser, unzip it and train with ``--corpus tsv:PATH/fra.txt``. The
Spanish file comes from the TensorFlow mirror and downloads fine.

The sentences are from tatoeba.org, under CC-BY 2.0 (France): the third column
of each downloaded file names the authors, and must stay with the data.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import tensorflow_datasets as tfds

from seq2seq.config import Config
from seq2seq.corpora import catalog
from seq2seq.corpora.pairs import Corpus, Pair
from seq2seq.errors import UserError

# ISO 639-3 code → name, for the files of manythings.org/anki whose words are
# separated by spaces (the normalization splits on them).
LANGUAGES = {
    "ces": "Czech",
    "dan": "Danish",
    "deu": "German",
    "ell": "Greek",
    "fin": "Finnish",
    "fra": "French",
    "hun": "Hungarian",
    "ita": "Italian",
    "nld": "Dutch",
    "pol": "Polish",
    "por": "Portuguese",
    "ron": "Romanian",
    "rus": "Russian",
    "spa": "Spanish",
    "swe": "Swedish",
    "tur": "Turkish",
    "ukr": "Ukrainian",
}
MIRROR = {
    "spa": (
        "http://storage.googleapis.com/download.tensorflow.org/data/spa-eng.zip",
        "spa-eng/spa.txt",
    )
}


def source_of(language: str) -> tuple[str, str]:
    """The zip's address and the pairs file inside it."""
    return MIRROR.get(
        language, (f"https://www.manythings.org/anki/{language}-eng.zip", f"{language}.txt")
    )


class AnkiConfig(tfds.core.BuilderConfig):
    """One language: English sentences paired with their ``language`` translations."""

    def __init__(self, *, language: str, **kwargs):
        super().__init__(
            name=language, description=f"English–{LANGUAGES[language]} pairs", **kwargs
        )
        self.language = language


class Anki(tfds.core.GeneratorBasedBuilder):
    """English sentences and their translations from Tatoeba, packed by manythings.org/anki."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES: ClassVar[dict[str, str]] = {
        "1.0.0": "First release: one config a language, a single train split."
    }
    BUILDER_CONFIGS: ClassVar[list[AnkiConfig]] = [
        AnkiConfig(language=language) for language in LANGUAGES
    ]

    def _info(self) -> tfds.core.DatasetInfo:
        language = self.builder_config.language
        return tfds.core.DatasetInfo(
            builder=self,
            description=(
                "Sentence pairs from tatoeba.org as packed by manythings.org/anki, in the "
                "file's order (shortest sentences first)."
            ),
            features=tfds.features.Translation(languages=("en", language)),
            supervised_keys=("en", language),
            disable_shuffling=True,  # keep the file's order: --max-pairs takes the shortest
            homepage="https://www.manythings.org/anki/",
            license="CC-BY 2.0 (France), https://tatoeba.org/eng/terms_of_use",
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        url, member = source_of(self.builder_config.language)
        folder = dl_manager.download_and_extract(url)
        return {"train": self._generate_examples(folder / member)}

    def _generate_examples(self, path):
        language = self.builder_config.language
        with path.open(encoding="utf-8") as file:
            for number, line in enumerate(file, start=1):
                fields = [field.strip() for field in line.split("\t")]
                if len(fields) >= 2 and fields[0] and fields[1]:
                    yield number, {"en": fields[0], language: fields[1]}


def load(language: str, config: Config) -> Corpus:
    """English→``language`` pairs (``--reverse``: the other way), split by ``config.seed``."""
    builder, advice = _builder(language, config)
    return catalog.read_builder(builder, "en", language, config, f"anki:{language}", advice)


def all_pairs(language: str, config: Config) -> Iterator[Pair]:
    """Every English→``language`` pair of the file, in its order, before any filter or split."""
    builder, advice = _builder(language, config)
    catalog.prepare(builder, f"anki:{language}", advice)
    return catalog._pairs(builder, "train", "en", language)


def _builder(language: str, config: Config) -> tuple[Anki, str]:
    """The builder of ``language`` and what to do when its download fails."""
    if language not in LANGUAGES:
        raise UserError(
            f"anki:{language} is not a language of the Anki builder; use one of: "
            + ", ".join(f"anki:{code}" for code in LANGUAGES)
            + ", or a downloaded file with tsv:PATH."
        )
    url, member = source_of(language)
    builder = Anki(config=language, data_dir=config.data_dir)
    advice = (
        f"download {url} in a browser, unzip it and train on the file {member} inside with "
        f"--corpus tsv:PATH/{member.rsplit('/', 1)[-1]}"
    )
    return builder, advice
