"""Where sentence pairs come from. ``load_corpus(config)`` returns a split `Corpus`.

- ``embedded``: the English→Spanish grammar, with gold alignments (`embedded`);
  ``embedded:long`` its sentences of 3 to 40 tokens (`long_sentences`);
- ``tsv:PATH``: a tab-separated pairs file (`tsv`);
- ``tfds:NAME[/CONFIG]``: a translation dataset of tensorflow-datasets (`catalog`);
- ``anki:LANGUAGE``: the Anki files of manythings.org, through this project's
  own tensorflow-datasets builder (`anki`).

Only the embedded corpus knows its word alignments; the others' pairs carry
``alignment=None``, so evaluation skips the alignment error rate for them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from seq2seq.config import Config
from seq2seq.corpora.pairs import Corpus, Pair, select, split
from seq2seq.errors import UserError
from seq2seq.text import MAX_TOKENS, normalize

__all__ = ["Corpus", "Pair", "beyond_cut", "load_corpus"]


def load_corpus(config: Config) -> Corpus:
    """The pairs that ``config.corpus`` names, filtered, turned by ``--reverse`` and split."""
    kind, _, argument = config.corpus.partition(":")
    if kind == "tfds":
        from seq2seq.corpora import catalog

        corpus = catalog.load(argument, config)
    elif kind == "anki":
        from seq2seq.corpora import anki

        corpus = anki.load(argument, config)
    else:
        if kind == "tsv":
            from seq2seq.corpora import tsv

            pairs = tsv.read_pairs(Path(argument).expanduser())
        elif argument == "long":
            from seq2seq.corpora import long_sentences

            pairs = long_sentences.generate(config.corpus_size, seed=config.seed)
        else:
            from seq2seq.corpora import embedded

            pairs = embedded.generate(config.corpus_size, seed=config.seed)
        corpus = _split(config, pairs)
    for part in ("train", "validation", "test"):
        if not getattr(corpus, part):
            raise UserError(
                f"Corpus {corpus.name} leaves no {part} pairs ({len(corpus.train)} train, "
                f"{len(corpus.validation)} validation, {len(corpus.test)} test); give it "
                "more pairs, loosen --max-length and --max-pairs"
                + ("." if part == "train" else f" or raise --{part}-fraction.")
            )
    return corpus


def _split(config: Config, pairs: Iterable[Pair]) -> Corpus:
    if config.reverse:
        pairs = (pair.reversed() for pair in pairs)
    selected = list(select(pairs, config.max_length, config.max_pairs))
    name = config.corpus + (" reversed" if config.reverse else "")
    return split(name, selected, config.validation_fraction, config.test_fraction, config.seed)


def beyond_cut(config: Config) -> list[Pair]:
    """The pairs of ``config.corpus`` whose source is longer than ``config.max_length``.

    A run trained on that corpus never saw them: the cut left them out (a
    source of more than `MAX_TOKENS` tokens is left out here too). Only files
    have pairs beyond a cut: ``tsv:`` and ``anki:`` corpora; ``--reverse``
    turns them round as it did for training.
    """
    if config.max_length is None:
        raise UserError(
            f"The run's corpus {config.corpus} was read without --max-length, so no pairs "
            "lie beyond a cut; drop --beyond-cut."
        )
    kind, _, argument = config.corpus.partition(":")
    if kind == "tsv":
        from seq2seq.corpora import tsv

        pairs: Iterable[Pair] = tsv.read_pairs(Path(argument).expanduser())
    elif kind == "anki":
        from seq2seq.corpora import anki

        pairs = anki.all_pairs(argument, config)
    else:
        raise UserError(
            f"--beyond-cut reads the pairs of tsv: and anki: corpora; this run's corpus is "
            f"{config.corpus}, which has none beyond its cut."
        )
    if config.reverse:
        pairs = (pair.reversed() for pair in pairs)
    return [
        pair
        for pair in pairs
        # A text of n characters has at most n tokens: short ones need no normalizing.
        if len(pair.source) > config.max_length
        and config.max_length < len(normalize(pair.source).split()) <= MAX_TOKENS
    ]
