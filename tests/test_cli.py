"""The command lines as a user runs them: ``python train.py`` and ``python -m seq2seq``."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from seq2seq.config import Config

ROOT = Path(__file__).resolve().parent.parent


def run_train(*arguments: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "train.py", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_module(*arguments: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "seq2seq", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def assert_one_clear_error(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_help_documents_every_flag():
    result = run_train("--help")
    assert result.returncode == 0
    for spec in dataclasses.fields(Config):
        assert "--" + spec.name.replace("_", "-") in result.stdout
    assert "--out" in result.stdout and "--overwrite" in result.stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--units", "-4"], "--units must be at least 1, got -4."),
        (["--dropout", "1.5"], "--dropout must be in [0, 1), got 1.5."),
        (["--corpus", "web"], "--corpus 'web' is not a known corpus"),
        (["--epochs", "many"], "argument --epochs: invalid int value: 'many'"),
        (["--attention", "cosine"], "argument --attention: invalid choice: 'cosine'"),
        (["--colour", "blue"], "unrecognized arguments: --colour blue"),
    ],
)
def test_bad_flags_exit_non_zero_with_one_clear_message(arguments, message):
    assert_one_clear_error(run_train(*arguments), message)


def test_an_output_directory_holding_a_different_run_is_refused(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "config.json").write_text(json.dumps(Config(units=64).to_dict()))
    result = run_train("--out", str(out))
    assert result.returncode == 2
    assert f"error: {out} holds a different run (units 64 there, 256 here)" in result.stderr
    assert "Traceback" not in result.stderr
    assert json.loads((out / "config.json").read_text())["units"] == 64


def test_a_tiny_training_run_end_to_end(tmp_path):
    out = tmp_path / "run"
    result = run_train(
        "--out",
        str(out),
        "--corpus-size",
        "300",
        "--units",
        "16",
        "--embedding-dim",
        "8",
        "--epochs",
        "1",
    )
    assert result.returncode == 0, result.stderr
    assert "exact match" in result.stdout and "AER" in result.stdout
    assert f"Run directory: {out}" in result.stdout
    assert (out / "model.keras").is_file()
    # One epoch of a model this small may end a translation at once, which draws nothing.
    everything = sorted((out / "pictures").iterdir())
    pictures = [path for path in everything if not path.name.startswith("training-")]
    drawn = len(pictures) // len(KINDS)
    # The attention over the epochs: an animation and a sheet per probe sentence.
    training = [path.suffix for path in everything if path.name.startswith("training-")]
    assert training and training == [".gif", ".png"] * (len(training) // 2)
    assert [path.name.split(".", 1)[1] for path in pictures] == KINDS * drawn
    assert result.stdout.count("→") == 3
    assert result.stdout.count("no picture") == 3 - drawn
    for path in everything:
        assert str(path) in result.stdout


# --- python -m seq2seq translate ------------------------------------------------------

KINDS = ["attention.gif", "bars.png", "heatmap.png", "page.html"]


def test_the_module_command_lists_its_subcommands():
    result = run_module("--help")
    assert result.returncode == 0
    assert "translate" in result.stdout


def test_translate_prints_each_translation_and_writes_its_pictures(tiny_run, tmp_path):
    result = run_module(
        "translate",
        "--run",
        str(tiny_run),
        "--out",
        str(tmp_path),
        "The red car is fast.",
        "Is the dog big?",
    )
    assert result.returncode == 0, result.stderr
    assert "The red car is fast.\n  → " in result.stdout
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == [f"01-the-red-car-is-fast.{kind}" for kind in KINDS] + [
        f"02-is-the-dog-big.{kind}" for kind in KINDS
    ]
    for name in names:
        assert str(tmp_path / name) in result.stdout


def test_translate_reads_sentences_from_a_file_and_skips_blank_lines(tiny_run, tmp_path):
    sentences = tmp_path / "sentences.txt"
    sentences.write_text("The cat sleeps.\n\n  \nWe swim.\n", encoding="utf-8")
    result = run_module(
        "translate",
        "--run",
        str(tiny_run),
        "--file",
        str(sentences),
        "--beam",
        "3",
        "--no-pictures",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("→") == 2
    assert "Pictures" not in result.stdout
    assert not (tiny_run / "translations").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ([], "Nothing to translate; give sentences as arguments or --file FILE."),
        (["   "], "The sentence is empty"),
        (["--file", "missing.txt"], "missing.txt does not exist"),
        (["--beam", "0", "Hello."], "argument --beam: must be at least 1, got 0"),
    ],
)
def test_translate_refuses_bad_input_with_one_clear_message(tiny_run, arguments, message):
    assert_one_clear_error(run_module("translate", "--run", str(tiny_run), *arguments), message)


def test_translate_names_the_line_of_a_file_that_is_not_utf8(tiny_run, tmp_path):
    sentences = tmp_path / "latin1.txt"
    sentences.write_bytes("The cat.\nThe café.\n".encode("latin-1"))
    result = run_module("translate", "--run", str(tiny_run), "--file", str(sentences))
    assert_one_clear_error(result, f"{sentences}, line 2, byte 8: the file is not UTF-8")


def test_translate_with_a_directory_that_is_not_a_run_is_refused(tmp_path):
    result = run_module("translate", "--run", str(tmp_path / "nowhere"), "Hello.")
    assert_one_clear_error(result, "is not a directory; pass a run directory written by train.py")


# --- python -m seq2seq evaluate -------------------------------------------------------


def copy_run(run: Path, destination: Path) -> Path:
    destination.mkdir()
    for path in run.iterdir():
        if path.is_file():
            (destination / path.name).write_bytes(path.read_bytes())
    return destination


def test_evaluate_prints_the_scores_and_adds_them_to_the_metrics(tiny_run, tmp_path):
    run = copy_run(tiny_run, tmp_path / "run")
    before = json.loads((run / "metrics.json").read_text())
    result = run_module("evaluate", "--run", str(run))
    assert result.returncode == 0, result.stderr
    for name in ("exact match", "BLEU", "chrF", "AER", "attention entropy"):
        assert name in result.stdout
    metrics = json.loads((run / "metrics.json").read_text())
    evaluation = metrics["evaluations"]["test.tsv"]
    # The run's own test pairs, scored again, give the numbers training wrote.
    assert evaluation["bleu"] == pytest.approx(before["bleu"])
    assert evaluation["aer"] == pytest.approx(before["aer"])
    assert len(evaluation["per_sentence"]) == evaluation["sentences"]
    assert {name: metrics[name] for name in before} == before


def test_evaluate_on_a_pairs_file_scores_without_aer(tiny_run, tmp_path):
    pairs = tmp_path / "pairs.tsv"
    nouns = ("dog", "cat", "boy", "girl", "car", "house", "tree", "river", "cow", "book")
    lines = [f"The {noun} {verb}.\tEl {noun} {verb}.\n" for noun in nouns for verb in ("a", "b")]
    pairs.write_text("".join(lines), encoding="utf-8")
    run = copy_run(tiny_run, tmp_path / "run")
    result = run_module("evaluate", "--run", str(run), "--corpus", f"tsv:{pairs}", "--beam", "2")
    assert result.returncode == 0, result.stderr
    assert "chrF" in result.stdout and "AER" not in result.stdout
    (name,) = json.loads((run / "metrics.json").read_text())["evaluations"]
    assert name == f"tsv:{pairs} (test split)"


def test_evaluate_with_an_unknown_corpus_kind_is_refused(tiny_run):
    result = run_module("evaluate", "--run", str(tiny_run), "--corpus", "web:news")
    assert_one_clear_error(result, "--corpus 'web:news' is not a known corpus")


# --- a run without attention --------------------------------------------------------------


def test_a_run_without_attention_translates_in_a_fresh_process_and_says_why_it_draws_nothing(
    tiny_none_run, tmp_path
):
    records = tmp_path / "records.jsonl"
    result = run_module(
        "translate",
        "--run",
        str(tiny_none_run),
        "--out",
        str(tmp_path / "pictures"),
        "--beam",
        "2",
        "--save-records",
        str(records),
        "The red car is fast.",
    )
    assert result.returncode == 0, result.stderr
    assert "The red car is fast.\n  → " in result.stdout
    assert "No pictures: the model has no attention" in result.stdout
    assert not (tmp_path / "pictures").exists()
    [record] = [json.loads(line) for line in records.read_text(encoding="utf-8").splitlines()]
    assert record["weights"] is None and record["model"]["attention"] == "none"


def test_a_run_without_attention_is_evaluated_without_aer_and_says_so(tiny_none_run, tmp_path):
    run = copy_run(tiny_none_run, tmp_path / "run")
    result = run_module("evaluate", "--run", str(run))
    assert result.returncode == 0, result.stderr
    rows = [line.split("  ")[1] for line in result.stdout.splitlines() if line.startswith("  ")]
    assert "BLEU" in rows and "AER" not in rows and "attention entropy" not in rows
    assert "none, so no AER and no attention statistics" in result.stdout
    evaluation = json.loads((run / "metrics.json").read_text())["evaluations"]["test.tsv"]
    assert "aer" not in evaluation and "attention_entropy" not in evaluation


def test_compare_draws_a_run_without_attention_beside_one_with(tiny_run, tiny_none_run, tmp_path):
    result = run_module(
        "compare",
        "--run",
        str(tiny_run),
        "--run",
        str(tiny_none_run),
        "--out",
        str(tmp_path),
        "The red car is fast.",
    )
    assert result.returncode == 0, result.stderr
    assert "additive →" in result.stdout and "none →" in result.stdout
    assert [path.name for path in tmp_path.iterdir()] == ["01-the-red-car-is-fast.compare.png"]


# --- python -m seq2seq evaluate --by-length ---------------------------------------------


def test_evaluate_by_length_scores_each_run_per_bucket_into_a_table_its_metrics_and_a_picture(
    tiny_run, tiny_none_run, tmp_path
):
    runs = [copy_run(run, tmp_path / run.name) for run in (tiny_run, tiny_none_run)]
    out = tmp_path / "pictures"
    arguments = ["evaluate", "--run", str(runs[0]), "--run", str(runs[1]), "--by-length"]
    result = run_module(*arguments, "--bucket-width", "4", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "tiny (additive attention)" in result.stdout
    assert "tiny-none (no attention)" in result.stdout
    assert (out / "scores-by-length.png").read_bytes().startswith(b"\x89PNG")
    test_pairs = len((tiny_run / "test.tsv").read_text(encoding="utf-8").splitlines())
    for run in runs:
        by_length = json.loads((run / "metrics.json").read_text())["by_length"]
        assert by_length["bucket_width"] == 4 and by_length["beam_width"] == 1
        buckets = by_length["buckets"]
        assert sum(bucket["sentences"] for bucket in buckets) <= test_pairs  # distinct sources
        assert [bucket["shortest"] for bucket in buckets] == sorted(
            bucket["shortest"] for bucket in buckets
        )
        row = next(line for line in result.stdout.splitlines() if line.strip().startswith("5–8"))
        assert f"{next(b for b in buckets if b['shortest'] == 5)['sentences']:,}" in row


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--by-length", "--corpus", "embedded"], "--by-length scores each run's own held-out"),
        (["--beyond-cut"], "go with --by-length"),
        (["--by-length", "--beyond-cut"], "without --max-length, so no pairs lie beyond a cut"),
    ],
)
def test_evaluate_by_length_refuses_what_it_cannot_do_in_one_line(tiny_run, extra, message):
    assert_one_clear_error(run_module("evaluate", "--run", str(tiny_run), *extra), message)
