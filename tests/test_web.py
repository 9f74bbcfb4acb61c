"""The static page (seq2seq/web.py and static/model/): the export, and the model run in
headless Chromium against `Translator.translate_batch`.

One exported folder and one browser per module. The trained tiny run is held to the
parity bars on its whole test split; runs of every other shape the page computes
(dot, general and scaled-dot scores, an LSTM encoder, stacked layers, a tied output
layer) are checked untrained, on fewer sentences: the forward pass is the same
whatever the weights are.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import shutil
from pathlib import Path

import keras
import numpy as np
import pytest
from test_browser import driver  # noqa: F401  (a fixture)
from test_lab_browser import panel, same_weights, snapshot, type_sentence, wait
from test_web_whatif import ASK

from benchmarks.web_page import TRANSLATE, parity
from seq2seq import Translator, artifacts
from seq2seq.errors import UserError
from seq2seq.text import PAD_ID
from seq2seq.web import (
    MANIFEST,
    decode_arrays,
    encode_arrays,
    export_web,
    model_arrays,
    serve_folder,
)

SEED = 7


def untrained_run(folder: Path, tiny_run: Path, config) -> Path:
    """A run of ``config``'s shape with the tiny run's vocabularies and fresh weights."""
    from seq2seq.model import Seq2Seq

    folder.mkdir(parents=True)
    for name in (artifacts.SOURCE_VOCABULARY, artifacts.TARGET_VOCABULARY, artifacts.TEST_PAIRS):
        shutil.copy(tiny_run / name, folder / name)
    sizes = [
        len(artifacts.read_vocabulary(folder / name))
        for name in (artifacts.SOURCE_VOCABULARY, artifacts.TARGET_VOCABULARY)
    ]
    # Seeded: the weights, and so the parity of their near ties, must not hang on which
    # tests ran before.
    keras.utils.set_random_seed(SEED)
    model = Seq2Seq.from_config_and_vocabularies(config, *sizes)
    model.build(((None, None), (None, None)))
    # Training teaches a model never to write padding; fresh weights would, now and then,
    # and decoding goes on unseen after it, so its score would hang on near ties.
    bias = model.decoder.output_bias if config.tie_embeddings else model.decoder.project.bias
    bias.assign(np.where(np.arange(bias.shape[0]) == PAD_ID, -1e4, 0.0).astype(np.float32))
    artifacts.save_model(model, folder / artifacts.MODEL)
    artifacts.write_json(folder / artifacts.CONFIG, config.to_dict())
    return folder


SHAPES = {
    "dot": dict(attention="dot"),
    "scaled": dict(attention="scaled_dot", decoder_layers=2),
    "lstm": dict(attention="general", encoder="lstm", encoder_layers=2, tie_embeddings=True),
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory, tiny_run, tiny_config) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("shapes")
    made = {"tiny": tiny_run}
    for name, changes in SHAPES.items():
        config = dataclasses.replace(tiny_config, **changes)
        made[name] = untrained_run(folder / name, tiny_run, config)
    return made


@pytest.fixture(scope="module")
def exported(tmp_path_factory, runs) -> Path:
    return export_web(list(runs.values()), tmp_path_factory.mktemp("web") / "page")


@pytest.fixture(scope="module")
def site(exported):
    with serve_folder(exported) as url:
        yield url


@pytest.fixture(scope="module")
def page(driver, site):  # noqa: F811  (the driver fixture, imported)
    driver.get(site + "runs/")  # the folder's listing: somewhere on the page's origin
    driver.set_script_timeout(300)
    return driver


def in_page(page, run: str, sentences: list[str], beam: int = 1, simd: bool = True) -> list[dict]:
    answer = page.execute_async_script(TRANSLATE, run, sentences, beam, simd)
    assert isinstance(answer, list), answer
    return answer


def sources(run: Path, count: int | None = None) -> list[str]:
    found = list(dict.fromkeys(pair.source for pair in artifacts.read_test_pairs(run)))
    return found[:count]


def compare(
    page, run: Path, name: str, sentences: list[str], beam: int = 1, simd: bool = True
) -> dict:
    """How the page's translations stand against the Translator's (`parity`)."""
    expected = Translator.load(run).translate_batch(sentences, beam_width=beam)
    return parity(sentences, expected, in_page(page, name, sentences, beam, simd))


def test_encoded_arrays_come_back_rounded_to_the_kept_mantissa_bits():
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=(7, 5)).astype(np.float32), np.float32([1.0, -2.5e-3, 0.0, 3e5])]
    back = decode_arrays(encode_arrays(arrays, 16), [a.shape for a in arrays])
    for array, decoded in zip(arrays, back):
        assert decoded.shape == array.shape
        np.testing.assert_allclose(decoded, array, rtol=2.0**-17, atol=0)
    exact = decode_arrays(encode_arrays(arrays, 23), [a.shape for a in arrays])
    assert all(np.array_equal(a, b) for a, b in zip(arrays, exact))


def test_the_export_writes_the_page_each_runs_files_and_a_manifest_with_their_sha256(
    exported, runs
):
    manifest = json.loads((exported / MANIFEST).read_text())
    assert (manifest["format"], manifest["version"]) == ("seq2seq-web", 1)
    assert [run["name"] for run in manifest["runs"]] == list(runs)
    for path, facts in manifest["files"].items():
        data = (exported / path).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (facts["bytes"], facts["sha256"])
        if path.endswith(".gz"):
            unpacked = gzip.decompress(data)
            described = facts["gunzipped"]
            assert (described["bytes"], described["sha256"]) == (
                len(unpacked),
                hashlib.sha256(unpacked).hexdigest(),
            )
    assert {"index.html", "static/lab.js", "static/model/model.js"} <= set(manifest["files"])
    tiny = manifest["runs"][0]
    assert tiny["settings"]["attention"] == "additive"
    arrays = model_arrays(Translator.load(runs["tiny"]).model)
    assert [a["name"] for a in tiny["arrays"]] == [name for name, _ in arrays]
    data = (exported / tiny["weights"]).read_bytes()
    decoded = decode_arrays(data, [tuple(a["shape"]) for a in tiny["arrays"]])
    for (_, array), back in zip(arrays, decoded):
        np.testing.assert_allclose(back, array, rtol=2.0**-17)
    vocabulary = json.loads(gzip.decompress((exported / tiny["vocabulary"]).read_bytes()))
    assert vocabulary["source"][:2] == ["", "[UNK]"]
    assert '<meta name="backend" content="browser">' in (exported / "index.html").read_text()


def test_a_run_the_page_cannot_run_is_refused_at_export_with_the_reason(
    tmp_path, tiny_run, tiny_config, monkeypatch
):
    from seq2seq import web

    monkeypatch.setattr(web, "PAGE_SCORES", ("dot",))
    with pytest.raises(UserError, match=r"attention is 'additive'.*the page computes dot"):
        export_web([tiny_run], tmp_path / "page")
    assert not (tmp_path / "page").exists()


def test_the_export_command_writes_a_page_and_a_savedmodel_takes_one_run(
    tmp_path, tiny_run, capsys
):
    from seq2seq.cli import main

    assert main(["export", "--run", str(tiny_run), "--web", str(tmp_path / "page")]) == 0
    said = capsys.readouterr().out
    assert "Static page written to" in said and "python -m http.server" in said
    assert (tmp_path / "page" / MANIFEST).is_file()
    twice = ["export", "--run", str(tiny_run), "--run", str(tiny_run), "--out", str(tmp_path / "m")]
    assert main(twice) != 0
    assert "give --run once" in capsys.readouterr().err


def test_greedy_translations_in_the_page_equal_the_translators_on_the_test_split(page, runs):
    sentences = sources(runs["tiny"])
    found = compare(page, runs["tiny"], "tiny", sentences)
    assert found["same"] >= 0.999 * len(sentences), found["differences"]
    assert found["ties"] == len(found["differences"]), found["differences"]
    assert found["far"] == 0 and found["written"] == 0


def test_beam_search_in_the_page_finds_the_translators_best_hypothesis(page, runs):
    sentences = sources(runs["tiny"])
    found = compare(page, runs["tiny"], "tiny", sentences, beam=4)
    assert found["same"] >= 0.995 * len(sentences), found["differences"]
    assert found["far"] == 0 and found["written"] == 0


@pytest.mark.parametrize(("name", "simd"), [*((name, True) for name in SHAPES), ("lstm", False)])
def test_every_score_cell_and_layer_count_runs_as_in_python(page, runs, name, simd):
    sentences = sources(runs["tiny"], 12)
    found = compare(page, runs[name], name, sentences, simd=simd)
    assert found["same"] + found["ties"] == len(sentences), found["differences"]
    assert found["far"] == 0 and found["written"] == 0
    # Untrained, a model writes random words to its length limit (scores near -100), and a
    # beam keeps paths within rounding of each other: where the page's best path is
    # another one, it is as probable, to 0.01 (float32 against float64 over ~30 steps).
    expected = Translator.load(runs[name]).translate_batch(sentences, beam_width=3)
    answers = in_page(page, name, sentences, beam=3, simd=simd)
    assert parity(sentences, expected, answers)["far"] == 0
    gaps = [
        abs(answer["score"] - python.score)
        for python, answer in zip(expected, answers)
        if python.target_tokens != answer["tokens"]
    ]
    assert all(gap < 1e-2 for gap in gaps), gaps


def test_a_run_without_attention_translates_in_the_page_as_in_python_with_no_weights(
    driver,  # noqa: F811  (the fixture, imported)
    tiny_none_run,
    tiny_none_translator,
    tmp_path,
):
    page = export_web([tiny_none_run], tmp_path / "page")
    manifest = json.loads((page / MANIFEST).read_text())
    assert not any(a["name"].startswith("decoder.attention") for a in manifest["runs"][0]["arrays"])
    sentences = sources(tiny_none_run, 40)
    with serve_folder(page) as url:
        driver.get(url + "runs/")
        driver.set_script_timeout(300)
        for beam in (1, 3):
            expected = tiny_none_translator.translate_batch(sentences, beam_width=beam)
            answers = in_page(driver, tiny_none_run.name, sentences, beam)
            same = [a["tokens"] == e.target_tokens for a, e in zip(answers, expected)]
            assert sum(same) >= len(sentences) - 1, (beam, same)
            for answer, python, equal in zip(answers, expected, same):
                assert answer["weights"] is None and python.weights is None
                assert not equal or abs(answer["score"] - python.score) < 1e-3
        asked = {"hide": [0]}
        [refused] = driver.execute_async_script(ASK, tiny_none_run.name, [[SENTENCE, 1, asked]])
        assert "This model has no attention, so there is none to hide" in refused["refused"]


# --- the page itself ---------------------------------------------------------------------

SENTENCE = "The red car is fast."


@pytest.fixture
def lab_page(driver, site):  # noqa: F811  (the driver fixture, imported)
    open_page(driver, site)
    return driver


def open_page(browser, url: str, ready: bool = True) -> None:
    browser.get("about:blank")
    browser.get_log("browser")  # what earlier tests left in the console
    browser.get(url)
    if ready:
        wait(
            browser, lambda: browser.execute_script("return document.body.dataset.ready") == "true"
        )


def console_errors(browser) -> list[dict]:
    return [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def status(browser) -> str:
    return browser.find_element("id", "status").text


def set_sentence(browser, sentence: str) -> None:
    """Put ``sentence`` in the text box at once (a paste) and let the page react."""
    browser.execute_script(
        "const box = document.getElementById('sentence'); box.value = arguments[0];"
        "box.dispatchEvent(new Event('input'));",
        sentence,
    )


def test_the_static_page_draws_the_translators_record_and_the_written_sentence(lab_page, runs):
    type_sentence(lab_page, SENTENCE)
    expected = Translator.load(runs["tiny"]).translate(SENTENCE)
    shown = snapshot(lab_page, 0)
    assert shown["tokens"] == expected.target_tokens
    assert same_weights(shown["weights"], expected.weights.tolist())
    written = lab_page.find_element("css selector", "#panels > .panel .written").text
    assert written == expected.sentence
    assert lab_page.execute_script("return document.documentElement.dataset.backend") == "browser"
    assert console_errors(lab_page) == []


def test_the_n_best_of_a_wider_beam_are_the_translators(lab_page, runs):
    from selenium.webdriver.support.ui import Select

    type_sentence(lab_page, SENTENCE)
    Select(lab_page.find_element("id", "beam")).select_by_value("3")
    expected = Translator.load(runs["tiny"]).translate(SENTENCE, beam_width=3, n_best=3)
    texts = [hypothesis.text or "(nothing)" for hypothesis in expected.hypotheses]
    script = (
        "return [...document.querySelectorAll('#panels > .panel:first-child .hypothesis-text')]"
        ".map((node) => node.textContent)"
    )
    wait(lab_page, lambda: lab_page.execute_script(script) == texts)


def test_the_address_opens_on_the_same_sentence_runs_beam_and_step(lab_page, site):
    from urllib.parse import quote

    open_page(lab_page, f"{site}#s={quote('I eat.')}&runs=dot,tiny&beam=2&step=1")
    assert lab_page.find_element("id", "sentence").get_attribute("value") == "I eat."
    runs = "return [...document.querySelectorAll('select.run')].map((s) => s.value)"
    assert lab_page.execute_script(runs) == ["dot", "tiny"]
    assert lab_page.find_element("id", "beam").get_attribute("value") == "2"
    assert lab_page.find_element("id", "step").get_attribute("value") == "1"
    type_sentence(lab_page, "We sleep.")
    wait(lab_page, lambda: "s=We+sleep." in lab_page.current_url)
    assert "runs=dot%2Ctiny" in lab_page.current_url and "beam=2" in lab_page.current_url


@pytest.mark.parametrize(
    ("address", "said"),
    [
        ("#runs=nowhere,tiny", "does not have"),
        ("#beam=1000000", "the beam is 1"),
    ],
)
def test_a_hand_edited_address_says_what_it_cannot_show_and_shows_the_rest(
    lab_page, site, address, said
):
    open_page(lab_page, site + address)
    assert said in status(lab_page)
    assert snapshot(lab_page, 0)["tokens"]
    assert console_errors(lab_page) == []


@pytest.mark.parametrize(
    ("sentence", "said"),
    [
        ("", "Type a sentence"),
        ("word " * 2000, "max_words is 40"),
        ("Xylophonists zqwx!", "knows none of these words"),
        ("🙂 🙃", "knows none of these words"),
        ("שלום עולם", "knows none of these words"),
    ],
)
def test_bad_input_gets_a_message_keeps_a_picture_and_logs_no_error(lab_page, sentence, said):
    type_sentence(lab_page, SENTENCE)
    before = snapshot(lab_page, 0)
    set_sentence(lab_page, sentence)
    wait(lab_page, lambda: said in status(lab_page))
    after = snapshot(lab_page, 0)
    assert after["tokens"], "a picture is kept"
    if said in ("Type a sentence", "max_words is 40"):
        assert after == before
    assert console_errors(lab_page) == []


def test_the_page_keeps_translating_with_its_server_stopped(driver, exported):  # noqa: F811
    with serve_folder(exported) as url:
        open_page(driver, url)
    with pytest.raises(OSError):
        __import__("urllib.request").request.urlopen(url, timeout=5)
    type_sentence(driver, "I eat.")
    assert snapshot(driver, 0)["tokens"]
    assert console_errors(driver) == []


def test_the_page_fetches_nothing_from_elsewhere_nor_after_loading(lab_page, site):
    resources = "return performance.getEntriesByType('resource').map((entry) => entry.name)"
    loaded = lab_page.execute_script(resources)
    assert loaded and all(name.startswith(site) for name in loaded)
    type_sentence(lab_page, "I eat.")
    assert lab_page.execute_script(resources) == loaded
    policy = lab_page.find_element("css selector", 'meta[http-equiv="Content-Security-Policy"]')
    assert policy.get_attribute("content").startswith("default-src 'self'")


@pytest.mark.parametrize(("damage", "said"), [("cut", "cut short"), ("flip", "is damaged")])
def test_a_damaged_weights_file_is_refused_by_its_sha256(
    driver,  # noqa: F811  (the fixture, imported)
    exported,
    tmp_path,
    damage,
    said,
):
    copy = shutil.copytree(exported, tmp_path / "page")
    weights = copy / "runs" / "tiny" / "weights.bin.gz"
    data = bytearray(weights.read_bytes())
    if damage == "cut":
        data = data[: len(data) // 2]
    else:
        data[len(data) // 2] ^= 0x01
    weights.write_bytes(bytes(data))
    with serve_folder(copy) as url:
        open_page(driver, url, ready=False)
        wait(driver, lambda: said in status(driver))
    assert "weights.bin.gz" in status(driver)
    assert snapshot(driver, 0)["tokens"] == []
    assert console_errors(driver) == []


def test_a_host_that_sends_the_gz_files_content_encoded_gzip_is_read_and_checked_too(
    driver,  # noqa: F811  (the fixture, imported)
    exported,
    runs,
    tmp_path,
):
    import urllib.request

    # Replaced: the same length unpacked, one byte changed, packed again.
    copy = shutil.copytree(exported, tmp_path / "page")
    weights = copy / "runs" / "tiny" / "weights.bin.gz"
    unpacked = bytearray(gzip.decompress(weights.read_bytes()))
    unpacked[len(unpacked) // 2] ^= 0x01
    weights.write_bytes(gzip.compress(bytes(unpacked)))
    for folder, damaged in ((exported, False), (copy, True)):
        with serve_folder(folder, gzip_encoding=True) as url:
            with urllib.request.urlopen(url + "runs/tiny/weights.bin.gz", timeout=10) as answer:
                assert answer.headers["Content-Encoding"] == "gzip"
            open_page(driver, url, ready=not damaged)
            if damaged:
                wait(driver, lambda: "is damaged" in status(driver))
                assert "weights.bin.gz" in status(driver)
            else:
                type_sentence(driver, SENTENCE)
                expected = Translator.load(runs["tiny"]).translate(SENTENCE)
                shown = snapshot(driver, 0)
                assert shown["tokens"] == expected.target_tokens
                assert same_weights(shown["weights"], expected.weights.tolist())
                sizes = driver.execute_script(
                    "return performance.getEntriesByType('resource')"
                    ".filter((e) => e.name.endsWith('weights.bin.gz'))"
                    ".map((e) => [e.encodedBodySize, e.decodedBodySize])"
                )
                assert sizes and sizes[0][1] > sizes[0][0], "the browser unpacked the weights"
        assert console_errors(driver) == []


def test_a_run_of_an_attention_the_page_does_not_know_is_refused_by_name(
    driver,  # noqa: F811  (the fixture, imported)
    exported,
    tmp_path,
):
    copy = shutil.copytree(exported, tmp_path / "page")
    manifest = json.loads((copy / MANIFEST).read_text())
    manifest["runs"][0]["settings"]["attention"] = "multihead"
    (copy / MANIFEST).write_text(json.dumps(manifest))
    with serve_folder(copy) as url:
        open_page(driver, url, ready=False)
        wait(driver, lambda: "attention multihead" in status(driver))
    assert "does not compute" in status(driver)
    assert console_errors(driver) == []


def test_the_plain_sha256_equals_pythons(lab_page):
    rng = np.random.default_rng(0)
    chunks = [rng.integers(0, 256, size, dtype=np.uint8).tobytes() for size in (0, 55, 64, 999)]
    script = """
    const [chunks, done] = arguments;
    import("/static/model/sha256.js").then((m) => done(chunks.map(
      (chunk) => m.sha256Plain(Uint8Array.from(chunk)))));
    """
    shown = lab_page.execute_async_script(script, [list(chunk) for chunk in chunks])
    assert shown == [hashlib.sha256(chunk).hexdigest() for chunk in chunks]


def test_the_downloads_are_drawn_in_the_page_and_the_record_is_vizs(lab_page, tmp_path):
    from viz import read_records

    lab_page.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    type_sentence(lab_page, "I eat.")
    for format in ("png", "svg", "json"):
        button = panel(lab_page, 0).find_element("css selector", f'[data-format="{format}"]')
        button.click()
    png, svg = tmp_path / "i-eat.heatmap.png", tmp_path / "i-eat.heatmap.svg"
    record = tmp_path / "i-eat.record.json"
    wait(lab_page, lambda: png.exists() and svg.exists() and record.exists())
    assert png.read_bytes().startswith(b"\x89PNG")
    assert b"<svg" in svg.read_bytes() and svg.read_text().count('class="cell"') >= 2
    (drawn,) = read_records(record)
    assert drawn.target_tokens == snapshot(lab_page, 0)["tokens"]
    assert not panel(lab_page, 0).find_element("css selector", '[data-format="gif"]').is_displayed()


@pytest.mark.slow  # a short spa run trained, exported, and 1,000 sources decoded twice in the page
def test_a_short_spa_run_translates_in_the_page_as_in_python(shared_data, driver, tmp_path):  # noqa: F811
    import random

    from seq2seq.cli import train_main

    lines = (shared_data / "spa-eng.tsv").read_text(encoding="utf-8").splitlines()
    random.Random(4).shuffle(lines)
    pairs = tmp_path / "spa-eng-15000.tsv"
    pairs.write_text("\n".join(lines[:15_000]) + "\n", encoding="utf-8")
    run = tmp_path / "spa-short"
    argv = ["--preset", "spa", "--corpus", f"tsv:{pairs}", "--no-pictures", "--epochs", "2"]
    assert train_main([*argv, "--out", str(run)]) == 0
    held_out = sources(run, 1000)
    assert len(held_out) == 1000
    translator = Translator.load(run)
    with serve_folder(export_web([run], tmp_path / "page")) as url:
        driver.get(url + "runs/")
        driver.set_script_timeout(1800)
        for beam, share in ((1, 0.999), (4, 0.995)):
            answers = driver.execute_async_script(TRANSLATE, run.name, held_out, beam)
            assert isinstance(answers, list), answers
            expected = translator.translate_batch(held_out, beam_width=beam)
            found = parity(held_out, expected, answers)
            assert found["same"] >= share * len(held_out), found["differences"]
            assert found["far"] == 0 and found["written"] == 0
            if beam == 1:
                assert found["ties"] == len(found["differences"]), found["differences"]
