"""Where sentence pairs come from. ``load_corpus(config)`` returns a split `Corpus`."""

from __future__ import annotations

from seq2seq.config import Config
from seq2seq.corpora.pairs import Corpus, Pair, split

__all__ = ["Corpus", "Pair", "load_corpus"]


def load_corpus(config: Config) -> Corpus:
    """The pairs that ``config.corpus`` names, split by ``config.seed``."""
    from seq2seq.corpora import embedded

    pairs = embedded.generate(config.corpus_size, seed=config.seed)
    return split("embedded", pairs, config.validation_fraction, config.test_fraction, config.seed)
