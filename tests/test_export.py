"""The SavedModel for serving: exported once, served in a process that imports TensorFlow alone."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from samples import ranking_unk_first

from seq2seq.cli import main
from seq2seq.errors import UserError
from seq2seq.export import export
from seq2seq.text import normalize

ROOT = Path(__file__).resolve().parent.parent

SENTENCES = [
    "The red car is fast.",
    "¿Dónde está el coche rojo?",
    "L'homme qu'il aime, c\u2019est Marie-Claire !",
    "Maria's DOG doesn't eat; the girls\u00a0sleep…",
    "THE BIG HOUSE IS OLD",
    "nin\u0303o «Café» (Straße) d'l'été",
    "dog",
]
BLANK = " \t "

# Runs in a fresh, isolated interpreter, away from the checkout; it checks that
# loading and serving never imported this package.
SERVE = """
import json, sys
import numpy as np
import tensorflow as tf

model = tf.saved_model.load(sys.argv[1])
outputs = model.signatures["serving_default"](sentences=tf.constant(json.loads(sys.argv[2])))
decode = np.vectorize(bytes.decode, otypes=[str])
json.dump(
    {
        name: (decode(value.numpy()) if value.dtype == tf.string else value.numpy()).tolist()
        for name, value in outputs.items()
    },
    sys.stdout,
)
assert not [name for name in sys.modules if name.split(".")[0] in ("seq2seq", "viz")]
"""


# What saved_model_cli prints: "Result for output key NAME:" and the array as NumPy prints it.
OUTPUT_KEY = re.compile(r"^Result for output key (\w+):$", re.MULTILINE)
BYTES = re.compile(r'''b'(?:[^'\\]|\\.)*'|b"(?:[^"\\]|\\.)*"''')
NUMBER = re.compile(r"-?\d+(?:\.\d*)?(?:e[-+]\d+)?")


def saved_model_cli(directory: Path, sentences: list[str]) -> dict[str, np.ndarray]:
    """Run ``saved_model_cli run`` on ``directory``; each output as a flat array of what it printed.

    The tool loads the SavedModel as TensorFlow Serving's C++ loader does: a
    graph in a session whose variables are restored by name.
    """
    command = ["run", "--dir", str(directory), "--tag_set", "serve"]
    command += ["--signature_def", "serving_default", "--input_exprs", f"sentences={sentences!r}"]
    result = subprocess.run(
        [sys.executable, "-m", "tensorflow.python.tools.saved_model_cli", *command],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    pieces = OUTPUT_KEY.split(result.stdout)[1:]
    outputs = {}
    for name, text in zip(pieces[::2], pieces[1::2]):
        strings = BYTES.findall(text)
        if strings:
            outputs[name] = np.array([ast.literal_eval(item).decode() for item in strings])
        else:
            outputs[name] = np.array([float(number) for number in NUMBER.findall(text)])
    return outputs


def run_module(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "seq2seq", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def exported(tiny_run, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """``python -m seq2seq export`` of the tiny run, and what it printed."""
    out = tmp_path_factory.mktemp("export") / "served"
    return out, run_module("export", "--run", str(tiny_run), "--out", str(out))


@pytest.fixture(scope="module")
def served(exported) -> dict:
    """The signature's outputs for SENTENCES and BLANK, computed in a fresh process."""
    out, _ = exported
    return serve_in_a_fresh_process(out)


def serve_in_a_fresh_process(out: Path) -> dict:
    """The outputs of the export in ``out`` for SENTENCES and BLANK, from a process that
    imports nothing of the project (``-I``)."""
    result = subprocess.run(
        [sys.executable, "-I", "-c", SERVE, str(out), json.dumps([*SENTENCES, BLANK])],
        cwd=out.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_export_command_prints_where_it_wrote_the_saved_model(exported):
    out, result = exported
    assert result.returncode == 0, result.stderr
    assert f"SavedModel written to {out}" in result.stdout
    assert (out / "saved_model.pb").is_file()
    assert not [path for path in out.parent.iterdir() if path.name.startswith(".")]


def test_served_translations_and_attention_equal_the_translators(served, tiny_translator):
    translations = tiny_translator.translate_batch(SENTENCES)
    for row, translation in enumerate(translations):
        target_length, source_length = served["target_lengths"][row], served["source_lengths"][row]
        assert served["target_tokens"][row][:target_length] == translation.target_tokens
        assert served["source_tokens"][row][:source_length] == translation.source_tokens
        assert served["translations"][row] == translation.text
        weights = np.array(served["weights"][row])[:target_length, :source_length]
        np.testing.assert_allclose(weights, translation.weights, atol=1e-5)
        assert served["scores"][row] == pytest.approx(translation.score, abs=1e-4)


def test_saved_model_cli_loads_the_export_and_prints_the_translators_outputs(
    exported, tiny_translator
):
    sentences = ["Maria likes the red cars.", "¿Dónde está el coche rojo?", "I eat."]
    printed = saved_model_cli(exported[0], sentences)
    translations = tiny_translator.translate_batch(sentences)
    assert list(printed["translations"]) == [translation.text for translation in translations]
    np.testing.assert_allclose(
        printed["scores"], [translation.score for translation in translations], atol=1e-4
    )
    longest_target, longest_source = max(printed["target_lengths"]), max(printed["source_lengths"])
    weights = printed["weights"].reshape(len(sentences), int(longest_target), int(longest_source))
    for row, translation in enumerate(translations):
        target_length, source_length = translation.weights.shape
        assert (printed["target_lengths"][row], printed["source_lengths"][row]) == (
            target_length,
            source_length,
        )
        np.testing.assert_allclose(
            weights[row, :target_length, :source_length], translation.weights, atol=1e-5
        )


def test_served_normalization_is_pythons(served):
    assert served["normalized"] == [normalize(sentence) for sentence in [*SENTENCES, BLANK]]


def test_served_outputs_are_padded_with_empty_tokens_and_zero_weights(served):
    weights = np.array(served["weights"])  # (B, T, S)
    target_lengths, source_lengths = served["target_lengths"], served["source_lengths"]
    assert weights.shape == (len(SENTENCES) + 1, max(target_lengths), max(source_lengths))
    for row, (target_length, source_length) in enumerate(zip(target_lengths, source_lengths)):
        assert not weights[row, target_length:].any() and not weights[row, :, source_length:].any()
        assert set(served["target_tokens"][row][target_length:]) <= {""}
        assert set(served["source_tokens"][row][source_length:]) <= {""}
        if target_length:
            np.testing.assert_allclose(weights[row, :target_length].sum(axis=1), 1, atol=1e-5)


def test_a_blank_sentence_is_served_as_an_empty_translation(served):
    assert served["translations"][-1] == ""
    assert served["target_lengths"][-1] == served["source_lengths"][-1] == 0
    assert served["scores"][-1] == 0


def test_export_replaces_an_existing_folder_only_when_told(tiny_run, tmp_path):
    out = tmp_path / "served"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(UserError, match=re.escape(f"{out} already holds files; choose another")):
        export(tiny_run, out)
    assert (out / "notes.txt").exists()
    assert export(tiny_run, out, overwrite=True) == out
    assert (out / "saved_model.pb").is_file() and not (out / "notes.txt").exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["served"]


def test_export_command_refuses_an_existing_out_with_one_line(tiny_run, tmp_path, capsys):
    (tmp_path / "model.txt").write_text("something")
    assert main(["export", "--run", str(tiny_run), "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"error: {tmp_path} already holds files; choose another --out or pass --overwrite.\n"
    )


def test_export_command_refuses_a_missing_run_with_one_line(tmp_path, capsys):
    assert main(["export", "--run", str(tmp_path / "nowhere"), "--out", str(tmp_path / "x")]) == 2
    assert capsys.readouterr().err == (
        f"error: {tmp_path / 'nowhere'} is not a directory; "
        "pass a run directory written by train.py.\n"
    )
    assert not (tmp_path / "x").exists()


def test_the_graph_copies_an_unknown_word_as_the_translator_does(tiny_run):
    import tensorflow as tf

    from seq2seq.export import translate_strings

    translator = ranking_unk_first(tiny_run)  # so that it copies unknown words
    sentences = ["Zebra okapi gnu yak.", "The red car is fast."]
    outputs = translate_strings(
        translator, tf.function(translator.greedy_loop), tf.constant(sentences)
    )
    translations = translator.translate_batch(sentences)
    assert any("zebra" in t.target_tokens or "yak" in t.target_tokens for t in translations)
    for row, translation in enumerate(translations):
        written = [token.decode() for token in outputs["target_tokens"][row].numpy()]
        assert written[: len(translation.target_tokens)] == translation.target_tokens
        assert outputs["translations"][row].numpy().decode() == translation.text


def test_a_run_without_attention_exports_its_translations_without_a_weights_output(
    tiny_none_run, tiny_none_translator, tmp_path
):
    out = export(tiny_none_run, tmp_path / "served")
    outputs = serve_in_a_fresh_process(out)
    assert "weights" not in outputs and "scores" in outputs
    expected = tiny_none_translator.translate_batch(SENTENCES)
    assert outputs["translations"] == [t.text for t in expected] + [""]
    np.testing.assert_allclose(outputs["scores"][:-1], [t.score for t in expected], atol=1e-4)
