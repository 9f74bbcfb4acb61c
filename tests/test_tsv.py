"""tsv:PATH: tab-separated pair files, the real Tatoeba pairs of ../shared/data, and bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seq2seq import artifacts
from seq2seq.config import Config
from seq2seq.corpora import load_corpus
from seq2seq.corpora.tsv import read_pairs
from seq2seq.errors import UserError
from seq2seq.text import tokenize

TATOEBA = "tatoeba-eng-fra-5k.tsv"


@pytest.fixture
def tatoeba(shared_data) -> Path:
    return shared_data / TATOEBA


def test_tatoeba_file_reads_as_english_french_pairs_without_alignments(tatoeba):
    pairs = list(read_pairs(tatoeba))
    assert len(pairs) == 5000
    assert (pairs[0].source, pairs[0].target) == ("Go.", "Va !")
    assert all(pair.alignment is None and "\t" not in pair.target for pair in pairs)


def test_tatoeba_corpus_splits_by_source_and_keeps_every_pair(tatoeba):
    corpus = load_corpus(Config(corpus=f"tsv:{tatoeba}"))
    parts = [corpus.train, corpus.validation, corpus.test]
    assert sum(map(len, parts)) == 5000
    sources = [{" ".join(tokenize(p.source)) for p in part} for part in parts]
    assert not (sources[0] & sources[1] or sources[0] & sources[2] or sources[1] & sources[2])


def test_reverse_translates_french_to_english(tatoeba):
    corpus = load_corpus(Config(corpus=f"tsv:{tatoeba}", reverse=True))
    assert ("Va !", "Go.") in [
        (p.source, p.target) for p in corpus.train + corpus.test + corpus.validation
    ]
    assert corpus.name.endswith("reversed")


def test_max_length_then_max_pairs_keep_the_first_short_pairs(tatoeba):
    corpus = load_corpus(Config(corpus=f"tsv:{tatoeba}", max_length=3, max_pairs=300))
    kept = corpus.train + corpus.validation + corpus.test
    expected = [
        (p.source, p.target)
        for p in read_pairs(tatoeba)
        if len(tokenize(p.source)) <= 3 and len(tokenize(p.target)) <= 3
    ][:300]
    assert sorted((p.source, p.target) for p in kept) == sorted(expected)


@pytest.mark.slow  # a tiny training run: about 15 s
def test_tiny_training_on_tatoeba_scores_bleu_and_chrf_but_no_aer(tatoeba, tmp_path):
    from seq2seq.training import train

    config = Config(
        corpus=f"tsv:{tatoeba}",
        max_pairs=300,
        max_vocabulary=100,
        embedding_dim=16,
        units=32,
        epochs=1,
        batch_size=32,
        seed=1,
    )
    run = tmp_path / "run"
    metrics = train(config, run, log=lambda message: None)
    assert {"exact_match", "bleu", "chrf", "attention_entropy"} <= set(metrics)
    assert "aer" not in metrics
    assert "aer" not in json.loads((run / artifacts.METRICS).read_text())
    assert not (run / artifacts.TEST_ALIGNMENT).exists()
    assert Config.load(run / artifacts.CONFIG) == config
    assert len(artifacts.read_vocabulary(run / artifacts.TARGET_VOCABULARY)) == 100 + 2


# --- any pairs file ------------------------------------------------------------------


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def test_two_column_txt_file_with_blank_lines_crlf_and_bom_reads(tmp_path):
    path = write(tmp_path / "pairs.txt", "\ufeffHi.\tSalut.\r\n\r\n  \nRun!\tCours !\r\n")
    assert [(p.source, p.target) for p in read_pairs(path)] == [
        ("Hi.", "Salut."),
        ("Run!", "Cours !"),
    ]


def test_a_line_starting_with_hash_is_a_pair(tmp_path):
    path = write(tmp_path / "pairs.tsv", "#1 fan.\t#1 fan.\n")
    assert [p.source for p in read_pairs(path)] == ["#1 fan."]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Hi.\tSalut.\nRun! Cours !\n", r"pairs.tsv, line 2: no tab between source and target"),
        ("Hi.\tSalut.\n\t Cours !\n", r"pairs.tsv, line 2: the source sentence is empty"),
        ("Hi.\t \tCC-BY\n", r"pairs.tsv, line 1: the target sentence is empty"),
        (b"Hi.\tSalut.\nCaf\xe9\tCaf\xe9\n", r"pairs.tsv, line 2, byte 4: the file is not UTF-8"),
        ("", r"pairs.tsv holds no sentence pairs"),
        ("\n \n", r"pairs.tsv holds no sentence pairs"),
    ],
)
def test_bad_file_names_itself_and_the_line(tmp_path, content, message):
    path = write(tmp_path / "pairs.tsv", content)
    with pytest.raises(UserError, match=message):
        list(read_pairs(path))


def test_missing_file_is_named(tmp_path):
    with pytest.raises(UserError, match=r"nowhere.tsv does not exist; give a file of"):
        load_corpus(Config(corpus=f"tsv:{tmp_path / 'nowhere.tsv'}"))


def test_directory_is_not_a_pairs_file(tmp_path):
    with pytest.raises(UserError, match="is a directory; give a file of source<TAB>target lines"):
        load_corpus(Config(corpus=f"tsv:{tmp_path}"))


def test_too_few_pairs_to_split_is_a_user_error(tmp_path):
    path = write(tmp_path / "pairs.tsv", "Hi.\tSalut.\nRun!\tCours !\n")
    with pytest.raises(UserError, match="leaves no validation pairs"):
        load_corpus(Config(corpus=f"tsv:{path}"))
