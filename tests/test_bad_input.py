"""The catalogue of bad input: every mistake a user can reach, and the one line it gets back.

Each group below is a table of cases: what the user typed, or what a file or a run
directory holds, and a fragment of the message the user then reads. A command-line case
passes when the command exits with status 2, prints no traceback and says one line (besides
argparse's usage block and TensorFlow's start-up noise) holding that fragment. A case on a
run directory also finds every file of the run unchanged, byte for byte: a failed command
never loses what was saved. The pictures (`viz`) answer bad weights with a ValueError.

Commands that stop before TensorFlow loads run as a process of their own, one per case.
The others load TensorFlow, seconds each, so the `answers` fixture runs all of them through
the command line's own entry points (``seq2seq.cli.train_main`` for ``train.py``,
``seq2seq.cli.main`` for ``python -m seq2seq``) in one process; `test_a_real_command_*`
runs a few as real commands too, to show a process of their own answers the same.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from test_config import NEWER_SETTINGS

import viz
from seq2seq.config import Config

ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENT = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
TRAIN, MODULE = "train.py", "-m seq2seq"
# Lines TensorFlow, XLA and absl print on their own; no message of ours looks like them.
NOISE = re.compile(r"^(I0000|W0000|E0000|WARNING: All log messages)")
# Should a bad corpus ever train, it trains something small.
SMALL = ("--epochs", "1", "--units", "8", "--embedding-dim", "8")
PICTURE_KINDS = ["attention.gif", "bars.png", "heatmap.png", "page.html"]


@dataclass(frozen=True)
class Case:
    """One mistake: the arguments that make it and a fragment of the line the user reads.

    In ``arguments``, ``{data}`` and ``{runs}`` stand for the folders of files and of run
    directories that the `answers` fixture writes.
    """

    name: str
    arguments: tuple[str, ...]
    says: str


@dataclass(frozen=True)
class Damage:
    """A run directory that ``damage`` spoilt, and a fragment of the line the user reads."""

    name: str
    damage: Callable[[Path], None]
    says: str
    commands: tuple[str, ...] = ("translate", "evaluate")


@dataclass(frozen=True)
class Answer:
    code: int
    stdout: str
    stderr: str


def params(cases) -> list:
    return [pytest.param(case, id=case.name) for case in cases]


def said(stderr: str) -> list[str]:
    """The lines of ``stderr`` that a user reads: not TensorFlow's, not argparse's usage."""
    lines = [line for line in stderr.splitlines() if line.strip() and not NOISE.match(line)]
    if lines and lines[0].startswith("usage: "):
        lines.pop(0)
        while lines and lines[0].startswith(" "):
            lines.pop(0)
    return lines


def assert_refused(answer: Answer, says: str) -> None:
    assert "Traceback" not in answer.stderr, answer.stderr
    assert answer.code == 2, answer
    lines = said(answer.stderr)
    assert len(lines) == 1, lines
    assert says in lines[0]


def command(program: str, *arguments: str) -> Answer:
    """Run ``python train.py ...`` or ``python -m seq2seq ...`` as a user would."""
    result = subprocess.run(
        [sys.executable, *program.split(), *arguments],
        cwd=ROOT,
        env=ENVIRONMENT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return Answer(result.returncode, result.stdout, result.stderr)


def fingerprint(path: Path) -> dict[str, str | None]:
    """Every file and folder under ``path`` (or the file ``path``), with a digest of its bytes."""
    if not path.is_dir():
        return {".": hashlib.sha256(path.read_bytes()).hexdigest()} if path.exists() else {}
    return {
        str(item.relative_to(path)): (
            hashlib.sha256(item.read_bytes()).hexdigest() if item.is_file() else None
        )
        for item in sorted(path.rglob("*"))
    }


# --- command-line values: refused before anything loads -----------------------------

TRAIN_FLAGS = [
    Case("unknown flag", ("--colour", "blue"), "unrecognized arguments: --colour blue"),
    Case("flag without its value", ("--epochs",), "argument --epochs: expected one argument"),
    Case(
        "epochs not a number", ("--epochs", "many"), "argument --epochs: invalid int value: 'many'"
    ),
    Case("epochs not whole", ("--epochs", "2.5"), "argument --epochs: invalid int value: '2.5'"),
    Case("epochs zero", ("--epochs", "0"), "--epochs must be at least 1, got 0."),
    Case("epochs negative", ("--epochs", "-3"), "--epochs must be at least 1, got -3."),
    Case("units zero", ("--units", "0"), "--units must be at least 1, got 0."),
    Case("units negative", ("--units", "-4"), "--units must be at least 1, got -4."),
    Case("units odd", ("--units", "33"), "--units must be even (each encoder direction gets half)"),
    Case("units not a number", ("--units", "lots"), "argument --units: invalid int value: 'lots'"),
    Case("batch size zero", ("--batch-size", "0"), "--batch-size must be at least 1, got 0."),
    Case("batch size negative", ("--batch-size", "-8"), "--batch-size must be at least 1, got -8."),
    Case(
        "learning rate zero",
        ("--learning-rate", "0"),
        "--learning-rate must be positive and finite, got 0.0.",
    ),
    Case(
        "learning rate negative",
        ("--learning-rate", "-0.1"),
        "--learning-rate must be positive and finite, got -0.1.",
    ),
    Case(
        "learning rate NaN",
        ("--learning-rate", "nan"),
        "--learning-rate must be positive and finite, got nan.",
    ),
    Case(
        "learning rate infinite",
        ("--learning-rate", "inf"),
        "--learning-rate must be positive and finite, got inf.",
    ),
    Case(
        "learning rate not a number",
        ("--learning-rate", "fast"),
        "argument --learning-rate: invalid float value: 'fast'",
    ),
    Case("dropout one", ("--dropout", "1"), "--dropout must be in [0, 1), got 1.0."),
    Case("dropout above one", ("--dropout", "1.5"), "--dropout must be in [0, 1), got 1.5."),
    Case("dropout negative", ("--dropout", "-0.1"), "--dropout must be in [0, 1), got -0.1."),
    Case("dropout NaN", ("--dropout", "nan"), "--dropout must be in [0, 1), got nan."),
    Case(
        "unknown attention",
        ("--attention", "cosine"),
        "argument --attention: invalid choice: 'cosine' (choose from",
    ),
    Case(
        "unknown encoder",
        ("--encoder", "transformer"),
        "argument --encoder: invalid choice: 'transformer' (choose from",
    ),
    Case(
        "unknown corpus kind",
        ("--corpus", "web"),
        "--corpus 'web' is not a known corpus; use one of: embedded[:long], tsv:PATH, "
        "tfds:NAME[/CONFIG], anki:LANGUAGE.",
    ),
    Case(
        "corpus tsv without a path",
        ("--corpus", "tsv"),
        "--corpus 'tsv' is incomplete or malformed; write it as tsv:PATH.",
    ),
    Case("corpus tsv: with an empty path", ("--corpus", "tsv:  "), "write it as tsv:PATH."),
    Case(
        "corpus embedded with an argument",
        ("--corpus", "embedded:big"),
        "--corpus 'embedded:big' is incomplete or malformed; write it as embedded[:long].",
    ),
    Case("corpus tfds without a name", ("--corpus", "tfds:"), "write it as tfds:NAME[/CONFIG]."),
    Case("corpus anki without a language", ("--corpus", "anki:"), "write it as anki:LANGUAGE."),
    Case(
        "one language without the other",
        ("--corpus", "tfds:x", "--source-language", "en"),
        "Give both --source-language and --target-language, or neither.",
    ),
    Case("seed negative", ("--seed", "-1"), "--seed must be between 0 and 4294967295, got -1."),
    Case("seed too large", ("--seed", str(2**32)), "--seed must be between 0 and 4294967295"),
    Case(
        "vocabulary too small",
        ("--max-vocabulary", "5"),
        "--max-vocabulary must be at least 10, got 5.",
    ),
    Case(
        "nothing left to train on",
        ("--validation-fraction", "0.6", "--test-fraction", "0.5"),
        "--validation-fraction and --test-fraction together must leave pairs for training",
    ),
]

MODULE_ARGUMENTS = [
    Case("no command", (), "the following arguments are required: COMMAND"),
    Case("unknown command", ("translat", "Hello."), "argument COMMAND: invalid choice: 'translat'"),
    Case(
        "translate without --run",
        ("translate", "Hello."),
        "the following arguments are required: --run",
    ),
    Case("evaluate without --run", ("evaluate",), "the following arguments are required: --run"),
    Case(
        "translate with an unknown flag",
        ("translate", "--run", "r", "--colour", "x"),
        "unrecognized arguments: --colour",
    ),
    Case(
        "beam zero",
        ("translate", "--run", "r", "--beam", "0", "Hello."),
        "argument --beam: must be at least 1, got 0",
    ),
    Case(
        "beam not a number",
        ("translate", "--run", "r", "--beam", "two", "Hello."),
        "argument --beam: invalid int value: 'two'",
    ),
    Case(
        "evaluate beam negative",
        ("evaluate", "--run", "r", "--beam", "-1"),
        "argument --beam: must be at least 1, got -1",
    ),
    Case(
        "evaluate max length zero",
        ("evaluate", "--run", "r", "--max-length", "0"),
        "argument --max-length: must be at least 1, got 0",
    ),
]


@pytest.mark.parametrize("case", params(TRAIN_FLAGS))
def test_train_refuses_a_bad_flag_in_one_line(case, tmp_path):
    out = tmp_path / "run"
    assert_refused(command(TRAIN, *case.arguments, "--out", str(out)), case.says)
    assert not out.exists()


@pytest.mark.parametrize("case", params(MODULE_ARGUMENTS))
def test_the_module_command_refuses_bad_arguments_in_one_line(case):
    assert_refused(command(MODULE, *case.arguments), case.says)


# --- corpus files: train.py --corpus tsv:PATH ---------------------------------------

NOUNS = ("dog", "cat", "boy", "girl", "car", "house", "tree", "river", "cow", "book")
VERBS = ("sleeps", "eats", "runs", "waits", "sings", "falls")
PAIRS = "".join(f"The {noun} {verb}.\tEl {noun} {verb}.\n" for noun in NOUNS for verb in VERBS)
LONG_LINE = " ".join(["word"] * 200_000) + "\tmot\n"  # one line of 1 MB
FILES = {
    "pairs.tsv": PAIRS.encode(),
    "empty.tsv": b"",
    "blank.tsv": b"\n   \n\t\n",
    "latin1.tsv": "The cat.\tLe chat.\nThe café.\tLe café.\n".encode("latin-1"),
    "no-tab.tsv": b"The cat.\tLe chat.\nThe dog. Le chien.\n",
    "no-source.tsv": b"The cat.\tLe chat.\n\tLe chien.\n",
    "no-target.tsv": b"The cat.\tLe chat.\nThe dog.\t  \n",
    "one-pair.tsv": b"The cat.\tLe chat.\n",
    "long-line.tsv": (PAIRS + LONG_LINE).encode(),
    "blank.txt": b"\n  \n\n",
    "latin1.txt": "The cat.\nThe café.\n".encode("latin-1"),
    "long.txt": ("The cat sleeps.\n" + "word " * 5_000 + "\n").encode(),
}

CORPUS_FILES = [
    Case(
        "missing",
        ("tsv:{data}/missing.tsv",),
        "missing.tsv does not exist; give a file of source<TAB>target lines after tsv:.",
    ),
    Case(
        "a folder",
        ("tsv:{data}/folder",),
        "folder is a directory; give a file of source<TAB>target lines after tsv:.",
    ),
    Case(
        "empty",
        ("tsv:{data}/empty.tsv",),
        "empty.tsv holds no sentence pairs; give a file of source<TAB>target lines.",
    ),
    Case("blank lines only", ("tsv:{data}/blank.tsv",), "blank.tsv holds no sentence pairs"),
    Case(
        "not UTF-8",
        ("tsv:{data}/latin1.tsv",),
        "latin1.tsv, line 2, byte 8: the file is not UTF-8; save it as UTF-8 text.",
    ),
    Case(
        "a line without a tab",
        ("tsv:{data}/no-tab.tsv",),
        "no-tab.tsv, line 2: no tab between source and target; write each pair as "
        "source<TAB>target.",
    ),
    Case(
        "empty source",
        ("tsv:{data}/no-source.tsv",),
        "no-source.tsv, line 2: the source sentence is empty; fill it in or delete the line.",
    ),
    Case(
        "empty target",
        ("tsv:{data}/no-target.tsv",),
        "no-target.tsv, line 2: the target sentence is empty",
    ),
    Case(
        "a line of 1 MB",
        ("tsv:{data}/long-line.tsv",),
        "A pair has a sentence of 200,000 tokens (it begins 'word word word word word word '), "
        "more than the 100 a sentence may have; pass --max-length 100 or less to drop such "
        "pairs.",
    ),
    Case(
        "too few pairs",
        ("tsv:{data}/one-pair.tsv",),
        "leaves no validation pairs (1 train, 0 validation, 0 test); give it more pairs",
    ),
    Case(
        "--max-length drops every pair",
        ("tsv:{data}/pairs.tsv", "--max-length", "1"),
        "leaves no train pairs (0 train, 0 validation, 0 test); give it more pairs, loosen "
        "--max-length and --max-pairs.",
    ),
]


@pytest.mark.parametrize("case", params(CORPUS_FILES))
def test_train_refuses_a_bad_corpus_file_in_one_line(case, answers):
    assert_refused(answers[f"corpus: {case.name}"], case.says)


def test_evaluate_refuses_a_bad_corpus_file_and_keeps_the_metrics(answers):
    assert_refused(answers["evaluate: corpus without a tab"], "no-tab.tsv, line 2: no tab")
    assert answers.unchanged("evaluated")


def test_a_line_of_1_mb_is_dropped_by_max_length(answers):
    answer = answers["evaluate: a line of 1 MB under --max-length"]
    assert answer.code == 0, answer.stderr
    assert "Translating 6 pairs of tsv:" in answer.stdout  # the 60 short pairs' test split


@pytest.mark.slow
def test_train_on_a_file_with_a_line_of_1_mb_under_max_length(tmp_path):
    pairs = tmp_path / "long-line.tsv"
    pairs.write_bytes(FILES["long-line.tsv"])
    answer = command(
        TRAIN,
        "--corpus",
        f"tsv:{pairs}",
        "--max-length",
        "20",
        *SMALL,
        "--out",
        str(tmp_path / "run"),
    )
    assert answer.code == 0, answer.stderr
    assert "Corpus tsv:" in answer.stdout and "48 train, 6 validation, 6 test" in answer.stdout


# --- sentences to translate ------------------------------------------------------------

SENTENCES = [
    Case("empty", ("",), "The sentence is empty; give at least one word to translate."),
    Case("whitespace only", ("  \t ",), "The sentence is empty"),
    Case("one empty among others", ("The cat sleeps.", ""), "The sentence is empty"),
    Case("nothing at all", (), "Nothing to translate; give sentences as arguments or --file FILE."),
    # The model learnt sentences of a few words; 5,000 of them are a pasted text, whose
    # translation would run 10,010 steps and whose pictures would take hours.
    Case(
        "5,000 words",
        (" ".join(["word"] * 5_000),),
        "The sentence has 5,000 tokens (words and punctuation), more than the 100 a sentence "
        "may have; split it into shorter sentences.",
    ),
    Case(
        "--file missing",
        ("--file", "{data}/missing.txt"),
        "missing.txt does not exist; give a UTF-8 text file with one sentence per line.",
    ),
    Case(
        "--file a folder",
        ("--file", "{data}/folder"),
        "folder is a directory; give a UTF-8 text file with one sentence per line.",
    ),
    Case(
        "--file not UTF-8",
        ("--file", "{data}/latin1.txt"),
        "latin1.txt, line 2, byte 8: the file is not UTF-8; save it as UTF-8 text.",
    ),
    Case("--file of blank lines", ("--file", "{data}/blank.txt"), "Nothing to translate"),
    Case(
        "--file with a line of 5,000 words",
        ("--file", "{data}/long.txt"),
        "The sentence has 5,000 tokens",
    ),
]


@pytest.mark.parametrize("case", params(SENTENCES))
def test_translate_refuses_a_bad_sentence_in_one_line(case, answers):
    assert_refused(answers[f"sentence: {case.name}"], case.says)


def test_unknown_words_translate_and_show_as_unk_in_the_pictures(answers):
    answer = answers["translate: unknown words"]
    assert answer.code == 0, answer.stderr
    assert "The zorblax quuxes.\n  → " in answer.stdout
    page = (answers.data / "unknown" / "01-the-zorblax-quuxes.page.html").read_text("utf-8")
    assert "[UNK]" in page


def test_unknown_words_show_as_unk_in_the_printed_translation(answers):
    assert "[UNK]" in answers["translate: unknown words"].stdout


def test_emoji_and_other_scripts_translate_and_are_drawn(answers):
    answer = answers["translate: emoji and other scripts"]
    assert answer.code == 0, answer.stderr
    assert "😀 東京 مرحبا\n  → " in answer.stdout
    drawn = sorted(path.name for path in (answers.data / "scripts").iterdir())
    assert drawn == [f"01-sentence.{kind}" for kind in PICTURE_KINDS]


def test_translate_refuses_an_out_that_is_a_file(answers):
    assert_refused(answers["translate: --out is a file"], "is a file")
    assert answers.unchanged("out-file")


def test_pictures_of_other_scripts_are_written_whatever_fonts_are_installed(tmp_path):
    tokens = ["😀", "東京", "مرحبا"]
    with warnings.catch_warnings():
        # Where no installed font has a glyph, matplotlib warns and draws a box.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        viz.plot_heatmap((np.full((1, 3), 1 / 3), tokens, ["hola"]), path=tmp_path / "h.png")
        viz.plot_token_bars((np.full((1, 3), 1 / 3), tokens, ["hola"]), path=tmp_path / "b.png")
    assert (tmp_path / "h.png").stat().st_size > 0 and (tmp_path / "b.png").stat().st_size > 0


# --- run directories ----------------------------------------------------------------------


def remove(name: str) -> Callable[[Path], None]:
    def damage(run: Path) -> None:
        path = run / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()

    return damage


def write(name: str, content: bytes) -> Callable[[Path], None]:
    def damage(run: Path) -> None:
        remove(name)(run)
        (run / name).write_bytes(content)

    return damage


def set_settings(**settings) -> Callable[[Path], None]:
    """Change config.json's settings; a value of ``...`` drops the setting."""

    def damage(run: Path) -> None:
        config = json.loads((run / "config.json").read_text("utf-8"))
        config.update(settings)
        config = {name: value for name, value in config.items() if value is not ...}
        (run / "config.json").write_text(json.dumps(config), "utf-8")

    return damage


def edit_lines(name: str, edit: Callable[[list[bytes]], list[bytes]]) -> Callable[[Path], None]:
    def damage(run: Path) -> None:
        lines = (run / name).read_bytes().split(b"\n")
        (run / name).write_bytes(b"\n".join(edit(lines)))

    return damage


def not_a_folder(run: Path) -> None:
    shutil.rmtree(run)
    run.write_text("not a run\n")


def emptied(run: Path) -> None:
    shutil.rmtree(run)
    run.mkdir()


def truncated(run: Path) -> None:
    model = run / "model.keras"
    model.write_bytes(model.read_bytes()[: model.stat().st_size // 2])


def swapped_vocabularies(run: Path) -> None:
    source, target = run / "source_vocabulary.txt", run / "target_vocabulary.txt"
    source_text = source.read_bytes()
    source.write_bytes(target.read_bytes())
    target.write_bytes(source_text)


def config_folder(run: Path) -> None:
    (run / "config.json").unlink()
    (run / "config.json").mkdir()


def zip_of_something_else(run: Path) -> None:
    (run / "model.keras").unlink()
    with zipfile.ZipFile(run / "model.keras", "w") as archive:
        archive.writestr("notes.txt", "not a model")


HELD_OUT = ("evaluate",)  # only evaluate reads the held-out pairs and the metrics

RUN_DIRECTORIES = [
    Damage(
        "missing", shutil.rmtree, "is not a directory; pass a run directory written by train.py."
    ),
    Damage("a file", not_a_folder, "is not a directory; pass a run directory written by train.py."),
    Damage(
        "an empty folder",
        emptied,
        "config.json is missing; is this a run directory written by train.py?",
    ),
    Damage(
        "no model.keras",
        remove("model.keras"),
        "model.keras is missing; training did not finish, so retrain.",
    ),
    Damage(
        "no source vocabulary",
        remove("source_vocabulary.txt"),
        "source_vocabulary.txt is missing; the run directory is incomplete, so retrain it.",
    ),
    Damage(
        "no target vocabulary",
        remove("target_vocabulary.txt"),
        "target_vocabulary.txt is missing; the run directory is incomplete, so retrain it.",
    ),
    Damage(
        "no config.json",
        remove("config.json"),
        "config.json is missing; is this a run directory written by train.py?",
    ),
    # A setting this version does not know may change how the model reads or writes text;
    # guessing would translate wrongly without a word, so it is refused, not ignored.
    Damage(
        "config.json from a newer version",
        set_settings(colour="blue"),
        "config.json has unknown setting(s) colour; it was written by another version, "
        "so retrain or remove them.",
    ),
    Damage(
        "config.json not JSON",
        write("config.json", b"{units: 3"),
        "config.json is not valid JSON (Expecting property name enclosed in double quotes",
    ),
    Damage("config.json empty", write("config.json", b""), "config.json is not valid JSON"),
    Damage(
        "config.json a list",
        write("config.json", b"[1, 2]"),
        "config.json must hold a JSON object of settings.",
    ),
    Damage(
        "config.json not UTF-8",
        write("config.json", b"\xff\xfe{}"),
        "config.json is not valid JSON ('utf-8' codec can't decode byte 0xff",
    ),
    Damage(
        "config.json a folder",
        config_folder,
        "config.json cannot be read (Is a directory); make it a readable file or retrain.",
    ),
    Damage(
        "config.json units a word",
        set_settings(units="many"),
        "config.json: setting 'units' must be an integer, got 'many'; fix the file or "
        "retrain the run.",
    ),
    Damage(
        "config.json units odd",
        set_settings(units=63),
        "config.json: --units must be even (each encoder direction gets half), got 63; fix "
        "the file or retrain the run.",
    ),
    Damage(
        "config.json learning rate NaN",
        set_settings(learning_rate=float("nan")),
        "config.json: --learning-rate must be positive and finite, got nan",
    ),
    Damage(
        "model.keras truncated",
        truncated,
        "model.keras cannot be loaded (it is damaged: not a .keras archive); retrain the run.",
    ),
    Damage(
        "model.keras random bytes",
        write("model.keras", np.random.default_rng(0).bytes(50_000)),
        "model.keras cannot be loaded (it is damaged: not a .keras archive); retrain the run.",
    ),
    Damage(
        "model.keras empty",
        write("model.keras", b""),
        "model.keras cannot be loaded (it is damaged: not a .keras archive); retrain the run.",
    ),
    Damage(
        "model.keras a zip of something else",
        zip_of_something_else,
        "model.keras cannot be loaded (\"There is no item named 'config.json' in the "
        'archive"); retrain the run.',
    ),
    Damage(
        "target vocabulary cut short",
        edit_lines("target_vocabulary.txt", lambda x: x[:5]),
        "target_vocabulary.txt holds 5 tokens but the model knows",
    ),
    Damage("vocabularies swapped", swapped_vocabularies, "tokens but the model knows"),
    Damage(
        "vocabulary with a blank line",
        edit_lines("source_vocabulary.txt", lambda x: [*x[:2], b"", *x[3:]]),
        "holds a damaged vocabulary (a blank line or a token twice); retrain the run.",
    ),
    Damage(
        "target vocabulary without [START]",
        edit_lines(
            "target_vocabulary.txt",
            lambda x: [b"start" if line == b"[START]" else line for line in x],
        ),
        "target_vocabulary.txt lacks the [START] and [END] markers; retrain the run.",
    ),
    Damage(
        "vocabulary not UTF-8",
        edit_lines("source_vocabulary.txt", lambda x: [*x[:2], b"caf\xe9", *x[3:]]),
        "source_vocabulary.txt is not UTF-8 (byte",
    ),
    Damage(
        "vocabulary a folder",
        lambda run: (remove("target_vocabulary.txt")(run), (run / "target_vocabulary.txt").mkdir()),
        "target_vocabulary.txt cannot be read (Is a directory)",
    ),
    Damage(
        "no test.tsv",
        remove("test.tsv"),
        "test.tsv is missing; retrain the run or evaluate on --corpus SPEC.",
        HELD_OUT,
    ),
    Damage(
        "test.tsv line without a tab",
        edit_lines("test.tsv", lambda x: [x[0].replace(b"\t", b" "), *x[1:]]),
        "test.tsv, line 1: not a source<TAB>target pair; the file is damaged",
        HELD_OUT,
    ),
    Damage(
        "test.tsv not UTF-8",
        edit_lines("test.tsv", lambda x: [b"caf\xe9\tcaf\xe9", *x[1:]]),
        "test.tsv is not UTF-8 (byte 4); it is damaged, so retrain the run.",
        HELD_OUT,
    ),
    Damage(
        "test.align shorter than test.tsv",
        edit_lines("test.align", lambda x: x[:3]),
        "test.align has 3 lines for the",
        HELD_OUT,
    ),
    Damage(
        "test.align link not i-j",
        edit_lines("test.align", lambda x: [b"0-0 1:1", *x[1:]]),
        "test.align, line 1: links must read i-j (source word i, target word j)",
        HELD_OUT,
    ),
    Damage(
        "metrics.json not JSON",
        write("metrics.json", b'{"bleu": '),
        "metrics.json is not valid JSON (Expecting value",
        HELD_OUT,
    ),
    Damage(
        "metrics.json a list",
        write("metrics.json", b"[]"),
        "metrics.json must hold a JSON object of scores; fix or delete it.",
        HELD_OUT,
    ),
]


@pytest.mark.parametrize("case", params(RUN_DIRECTORIES))
def test_a_damaged_run_directory_is_refused_and_left_as_it_was(case, answers):
    for name in case.commands:
        assert_refused(answers[f"{name}: {case.name}"], case.says)
    assert answers.unchanged(case.name)


def test_a_run_from_an_older_version_loads_with_defaults_for_newer_settings(answers):
    answer = answers["translate: from an older version"]
    assert answer.code == 0, answer.stderr
    assert "  The cat sleeps.\n  → " in answer.stdout
    assert answers.unchanged("older")


# --- train.py --out: what the directory already holds ------------------------------------

RUN_SETTINGS = "<the flags of the run's own settings>"
OUTPUTS = [
    Case(
        "--out is a file",
        ("--out", "{data}/pairs.tsv", *SMALL),
        "pairs.tsv is a file, not a directory; choose another --out.",
    ),
    Case(
        "--out holds files that are not a run",
        ("--out", "{runs}/notes", *SMALL),
        "notes already holds files that are not a run; choose another --out or pass --overwrite.",
    ),
    Case(
        "--out holds a run whose config.json is damaged",
        ("--out", "{runs}/damaged", *SMALL),
        "damaged holds a run whose config.json cannot be read; choose another --out or pass "
        "--overwrite.",
    ),
    Case(
        "--out holds a different run",
        ("--out", "{runs}/different", *SMALL),
        "different holds a different run (corpus_size 1500 there, 24000 here",
    ),
    Case(
        "the same run again, its corpus file gone",
        ("--out", "{runs}/same", "--corpus", "tsv:{data}/gone.tsv", RUN_SETTINGS),
        "gone.tsv does not exist",
    ),
]


@pytest.mark.parametrize("case", params(OUTPUTS))
def test_train_refuses_an_out_it_may_not_write_and_leaves_it_as_it_was(case, answers):
    assert_refused(answers[f"out: {case.name}"], case.says)
    assert answers.unchanged(f"out: {case.name}")


# --- weights handed to the pictures ---------------------------------------------------------

SOURCE, TARGET = ["el", "gato", "."], ["the", "cat"]
WEIGHTS = np.full((2, 3), 1 / 3)  # (len(TARGET), len(SOURCE))


def spoilt(value: float) -> np.ndarray:
    weights = WEIGHTS.copy()
    weights[1, 2] = value
    return weights


BAD_WEIGHTS = [
    Case(
        "wrong shape",
        (WEIGHTS.T, SOURCE, TARGET),
        "weights has shape (3, 2) but there are 3 source tokens and 2 target tokens; "
        "expected (2, 3).",
    ),
    Case(
        "NaN",
        (spoilt(np.nan), SOURCE, TARGET),
        "weights has 1 NaN or infinite value(s), the first at [1, 2]; expected finite "
        "weights between 0 and 1.",
    ),
    Case("infinite", (spoilt(np.inf), SOURCE, TARGET), "NaN or infinite value(s)"),
    Case(
        "negative",
        (spoilt(-0.1), SOURCE, TARGET),
        "weights has negative value -0.1 at [1, 2]; expected weights of at least 0.",
    ),
    Case("empty", (np.zeros((0, 0)), [], []), "there are no source tokens; expected at least one."),
    Case("no target tokens", (np.zeros((0, 3)), SOURCE, []), "there are no target tokens"),
    Case(
        "1-D",
        (WEIGHTS[0], SOURCE, TARGET[:1]),
        "weights has 1 dimension(s), shape (3,); expected a 2-D matrix of shape (1, 3) "
        "(target tokens, source tokens).",
    ),
    Case("3-D", (WEIGHTS[None], SOURCE, TARGET), "weights has 3 dimension(s)"),
    Case(
        "a source token too many",
        (WEIGHTS, [*SOURCE, "!"], TARGET),
        "weights has shape (2, 3) but there are 4 source tokens and 2 target tokens; "
        "expected (2, 4).",
    ),
    Case(
        "a target token too few",
        (WEIGHTS, SOURCE, TARGET[:1]),
        "but there are 3 source tokens and 1 target tokens; expected (1, 3).",
    ),
    Case(
        "not numbers",
        (np.full((2, 3), "x"), SOURCE, TARGET),
        "weights is not a matrix of numbers; expected a float array of shape (2, 3).",
    ),
    Case(
        "tokens as one string",
        (WEIGHTS, "el gato .", TARGET),
        "source_tokens is a str; expected a list of strings, one per token.",
    ),
    Case(
        "a token not a string",
        (WEIGHTS, ["el", 7, "."], TARGET),
        "source token 1 is 7 (int); expected every token to be a string.",
    ),
]

DRAWINGS = {
    "plot_heatmap": viz.plot_heatmap,
    "animate_attention": viz.animate_attention,
    "plot_token_bars": lambda attention: viz.plot_token_bars(attention, index=0),
    "plot_token_bars of every token": viz.plot_token_bars,
    "to_html": viz.to_html,
    "plot_grid": lambda attention: viz.plot_grid([attention]),
}


@pytest.mark.parametrize("draw", DRAWINGS.values(), ids=DRAWINGS.keys())
@pytest.mark.parametrize("case", params(BAD_WEIGHTS))
def test_bad_weights_are_a_value_error_of_one_sentence(case, draw):
    with pytest.raises(ValueError) as caught:
        draw(case.arguments)
    assert case.says in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("draw", "says"),
    [
        (viz.to_html, "translation is an empty list; expected at least one translation."),
        (viz.plot_grid, "translations is empty; expected at least one translation to draw."),
    ],
    ids=["to_html", "plot_grid"],
)
def test_no_translations_at_all_are_a_value_error(draw, says):
    with pytest.raises(ValueError, match=re.escape(says)):
        draw([])


# --- a real command answers as the entry point did ----------------------------------------


def test_a_real_command_refuses_a_damaged_run_as_the_entry_point_did(answers):
    run = answers.runs / "model.keras truncated"
    answer = command(MODULE, "translate", "--run", str(run), "The cat sleeps.")
    assert_refused(answer, "model.keras cannot be loaded (it is damaged: not a .keras archive)")
    assert said(answer.stderr) == said(answers["translate: model.keras truncated"].stderr)
    assert answers.unchanged("model.keras truncated")


def test_a_real_command_refuses_a_bad_corpus_file_as_the_entry_point_did(answers, tmp_path):
    answer = command(
        TRAIN, "--corpus", f"tsv:{answers.data}/no-tab.tsv", *SMALL, "--out", str(tmp_path / "run")
    )
    assert said(answer.stderr) == said(answers["corpus: a line without a tab"].stderr)
    assert_refused(answer, "no-tab.tsv, line 2: no tab between source and target")


# --- the commands above that load TensorFlow, run in one process -------------------------

DRIVER = """
import contextlib, io, json, sys, traceback
from seq2seq import cli

answers = []
for program, arguments in json.load(sys.stdin):
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            code = {"train.py": cli.train_main, "-m seq2seq": cli.main}[program](arguments)
        except SystemExit as exit:  # argparse, or a command's own exit status
            code = exit.code if isinstance(exit.code, int) else int(exit.code is not None)
        except BaseException:  # what Python prints before it exits with status 1
            traceback.print_exc()
            code = 1
    answers.append([code, stdout.getvalue(), stderr.getvalue()])
json.dump(answers, open(sys.argv[1], "w", encoding="utf-8"))
"""


class Answers(dict):
    """``name → Answer`` of every command in the module that loads TensorFlow.

    ``data`` holds the files the catalogue wrote, ``runs`` the run directories it spoilt,
    and `unchanged` says whether a run directory's files are as they were before.
    """

    def __init__(self, data: Path, runs: Path):
        super().__init__()
        self.data, self.runs = data, runs
        self.before: dict[str, dict] = {}
        self.paths: dict[str, Path] = {}

    def keep(self, key: str, path: Path) -> Path:
        self.paths[key], self.before[key] = path, fingerprint(path)
        return path

    def unchanged(self, key: str) -> bool:
        return fingerprint(self.paths[key]) == self.before[key]


def copy_run(tiny_run: Path, destination: Path) -> Path:
    shutil.copytree(tiny_run, destination)
    return destination


def train_flags(config: dict) -> list[str]:
    """The flags of ``train.py`` that give ``config`` back (switches are left off)."""
    defaults = Config().to_dict()
    flags = []
    for name, value in config.items():
        if value != defaults[name] and name != "corpus":
            flags += ["--" + name.replace("_", "-"), str(value)]
    return flags


@pytest.fixture(scope="module")
def answers(tmp_path_factory, tiny_run) -> Answers:
    root = tmp_path_factory.mktemp("catalogue")
    answers = Answers(root / "data", root / "runs")
    answers.data.mkdir()
    answers.runs.mkdir()
    (answers.data / "folder").mkdir()
    for name, content in FILES.items():
        (answers.data / name).write_bytes(content)
    places = {"data": str(answers.data), "runs": str(answers.runs)}
    commands: dict[str, tuple[str, list[str]]] = {}

    def fill(arguments) -> list[str]:
        return [argument.format(**places) for argument in arguments]

    for case in CORPUS_FILES:
        out = str(root / "out" / case.name)
        commands[f"corpus: {case.name}"] = (
            TRAIN,
            ["--corpus", *fill(case.arguments), *SMALL, "--out", out],
        )
    evaluated = answers.keep("evaluated", copy_run(tiny_run, answers.runs / "evaluated"))
    commands["evaluate: corpus without a tab"] = (
        MODULE,
        ["evaluate", "--run", str(evaluated), "--corpus", f"tsv:{answers.data}/no-tab.tsv"],
    )
    filtered = copy_run(tiny_run, answers.runs / "filtered")
    commands["evaluate: a line of 1 MB under --max-length"] = (
        MODULE,
        [
            "evaluate",
            "--run",
            str(filtered),
            "--max-length",
            "20",
            "--corpus",
            f"tsv:{answers.data}/long-line.tsv",
        ],
    )

    translating = str(copy_run(tiny_run, answers.runs / "translating"))
    for case in SENTENCES:
        commands[f"sentence: {case.name}"] = (
            MODULE,
            ["translate", "--run", translating, "--no-pictures", *fill(case.arguments)],
        )
    for name, folder, sentence in [
        ("unknown words", "unknown", "The zorblax quuxes."),
        ("emoji and other scripts", "scripts", "😀 東京 مرحبا"),
    ]:
        commands[f"translate: {name}"] = (
            MODULE,
            ["translate", "--run", translating, "--out", f"{answers.data}/{folder}", sentence],
        )
    out_file = answers.keep("out-file", answers.data / "pairs.tsv")
    commands["translate: --out is a file"] = (
        MODULE,
        ["translate", "--run", translating, "--out", str(out_file), "The cat sleeps."],
    )

    for case in RUN_DIRECTORIES:
        run = copy_run(tiny_run, answers.runs / case.name)
        case.damage(run)
        answers.keep(case.name, run)
        for name in case.commands:
            arguments = ["The cat sleeps.", "--no-pictures"] if name == "translate" else []
            commands[f"{name}: {case.name}"] = (MODULE, [name, "--run", str(run), *arguments])
    older = copy_run(tiny_run, answers.runs / "older")
    set_settings(**dict.fromkeys(NEWER_SETTINGS, ...))(older)
    answers.keep("older", older)
    commands["translate: from an older version"] = (
        MODULE,
        ["translate", "--run", str(older), "--no-pictures", "The cat sleeps."],
    )

    (answers.runs / "notes").mkdir()
    (answers.runs / "notes" / "notes.txt").write_text("my notes\n")
    set_settings(units="many")(copy_run(tiny_run, answers.runs / "damaged"))
    copy_run(tiny_run, answers.runs / "different")
    same = copy_run(tiny_run, answers.runs / "same")
    set_settings(corpus=f"tsv:{answers.data}/gone.tsv")(same)
    tiny_flags = train_flags(json.loads((same / "config.json").read_text("utf-8")))
    for case in OUTPUTS:
        arguments = fill(argument for argument in case.arguments if argument != RUN_SETTINGS)
        if RUN_SETTINGS in case.arguments:
            arguments += tiny_flags
        out = Path(arguments[arguments.index("--out") + 1])
        answers.keep(f"out: {case.name}", out)
        commands[f"out: {case.name}"] = (TRAIN, arguments)

    results = root / "answers.json"
    subprocess.run(
        [sys.executable, "-c", DRIVER, str(results)],
        input=json.dumps(list(commands.values())),
        cwd=ROOT,
        env=ENVIRONMENT,
        text=True,
        capture_output=True,
        timeout=600,
        check=True,
    )
    for name, answer in zip(commands, json.loads(results.read_text("utf-8")), strict=True):
        answers[name] = Answer(*answer)
    return answers
