"""The lab's server: its API through FastAPI's TestClient, and ``python -m seq2seq serve``.

The API tests serve the tiny run of conftest.py; the command-line tests start
real processes on loopback ports.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cli import ROOT, assert_one_clear_error, run_module
from test_viz_labels import TOKENS

from seq2seq.lab.app import LabRun, create_app
from seq2seq.lab.limits import Limits
from seq2seq.lab.server import load_runs
from seq2seq.text import normalize
from viz.labels import label

SENTENCES = ["I eat.", "The red car is fast.", "Maria's dog does not eat the cake."]
HOSTILE = '<script>window.__pwned=1</script> <img src=x onerror="window.__pwned=1">'
SMALL = Limits(max_body_bytes=4096, max_sentences=4, max_words=12, max_beam=3)


@pytest.fixture(scope="module")
def tiny_lab_run(tiny_run) -> LabRun:
    return load_runs([tiny_run])[0]


@pytest.fixture(scope="module")
def client(tiny_lab_run):
    from fastapi.testclient import TestClient

    with TestClient(create_app([tiny_lab_run], SMALL)) as client:
        yield client


@pytest.fixture(scope="module")
def two_runs_client(tiny_lab_run):
    from fastapi.testclient import TestClient

    twin = replace(tiny_lab_run, name="twin")
    with TestClient(create_app([tiny_lab_run, twin], SMALL)) as client:
        yield client


def translate(client, sentences, **fields):
    return client.post("/api/translate", json={"sentences": sentences, **fields})


def assert_refused(response, status: int, limit: str | None = None) -> dict:
    """A JSON refusal with one sentence of error (naming ``limit``), and no traceback."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert isinstance(body["error"], str) and "Traceback" not in body["error"]
    if limit is not None:
        assert body["limit"] == limit
        assert limit in body["error"] or limit == "run"
    return body


# --- the runs ----------------------------------------------------------------------------


def test_runs_lists_each_run_with_its_scores_settings_and_the_limits(client, tiny_run):
    answer = client.get("/api/runs").json()
    metrics = json.loads((tiny_run / "metrics.json").read_text())
    [run] = answer["runs"]
    assert run["name"] == tiny_run.name
    assert run["metrics"]["exact_match"] == metrics["exact_match"]
    assert run["metrics"]["bleu"] == metrics["bleu"]
    assert run["settings"]["attention"] == "additive" and run["settings"]["units"] == 64
    assert answer["limits"] == {
        "max_body_bytes": 4096,
        "max_sentences": 4,
        "max_words": 12,
        "max_beam": 3,
        "max_alternatives": 10,
    }


def test_colours_are_viz_colour_stops(client):
    from viz.style import colour_stops, get_style

    stops = client.get("/api/colours").json()["stops"]
    assert [tuple(stop) for stop in stops] == colour_stops(get_style("projector"))


# --- translating -------------------------------------------------------------------------


def test_translate_answers_one_record_per_sentence_with_the_models_own_attention(
    client, tiny_translator
):
    records = translate(client, SENTENCES).json()["records"]
    expected = tiny_translator.translate_batch(SENTENCES)
    assert [record["sentence"] for record in records] == SENTENCES
    for record, translation in zip(records, expected):
        # Nothing asked, weights given: version 1, which every reader of records reads.
        assert record["format"] == "attention-record" and record["version"] == 1
        assert record["source_tokens"] == translation.source_tokens
        assert record["target_tokens"] == translation.target_tokens
        np.testing.assert_allclose(record["weights"], translation.weights, atol=2e-6)
        assert record["model"]["run"] == "tiny" and record["model"]["beam_width"] == 1


def test_a_beam_answers_its_best_hypotheses_best_first_each_with_its_attention(client):
    [record] = translate(client, ["The red car is fast."], beam=3).json()["records"]
    hypotheses = record["hypotheses"]
    assert 1 < len(hypotheses) <= 3
    assert hypotheses[0]["target_tokens"] == record["target_tokens"]
    scores = [hypothesis["score"] for hypothesis in hypotheses]
    assert scores == sorted(scores, reverse=True)
    for hypothesis in hypotheses:
        weights = np.array(hypothesis["weights"])
        assert weights.shape == (len(hypothesis["target_tokens"]), len(record["source_tokens"]))
        np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-4)


def test_the_records_read_back_as_viz_records(client):
    from viz import AttentionRecord

    [record] = translate(client, ["I eat."], beam=2).json()["records"]
    parsed = AttentionRecord.from_json(record)
    assert parsed.to_json() == record


def test_html_and_script_in_a_sentence_come_back_as_plain_json_strings(client):
    response = translate(client, [HOSTILE])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    [record] = response.json()["records"]
    assert record["sentence"] == HOSTILE
    assert len(record["source_tokens"]) == len(normalize(HOSTILE).split())


# --- choosing the run --------------------------------------------------------------------


def test_the_run_may_be_left_out_when_one_run_is_served(client):
    assert translate(client, ["I eat."]).json()["records"][0]["model"]["run"] == "tiny"


def test_each_of_two_runs_is_chosen_by_its_name(two_runs_client):
    for name in ("tiny", "twin"):
        [record] = translate(two_runs_client, ["I eat."], run=name).json()["records"]
        assert record["model"]["run"] == name


def test_with_two_runs_served_a_request_must_name_one(two_runs_client):
    body = assert_refused(translate(two_runs_client, ["I eat."]), 422, "run")
    assert "tiny" in body["error"] and "twin" in body["error"]


@pytest.mark.parametrize("name", ["other", "../tiny", "/etc", "tiny/../tiny"])
def test_a_run_that_is_not_served_by_that_name_is_refused_even_a_path(client, tiny_run, name):
    body = assert_refused(translate(client, ["I eat."], run=name), 404, "run")
    assert "tiny" in body["error"]


def test_the_folder_of_a_served_run_given_as_its_name_is_refused(client, tiny_run):
    assert_refused(translate(client, ["I eat."], run=str(tiny_run)), 404, "run")


# --- limits and bad requests -------------------------------------------------------------


def test_more_sentences_than_max_sentences_are_refused(client):
    assert_refused(translate(client, ["I eat."] * 5), 422, "max_sentences")


def test_a_sentence_of_more_than_max_words_is_refused(client):
    assert_refused(translate(client, ["I eat " + "the cake " * 6]), 422, "max_words")


@pytest.mark.parametrize("beam", [0, -1, 4])
def test_a_beam_outside_one_to_max_beam_is_refused(client, beam):
    assert_refused(translate(client, ["I eat."], beam=beam), 422, "max_beam")


def test_a_body_over_max_body_bytes_is_refused(client):
    assert_refused(translate(client, ["I eat. " * 700]), 413, "max_body_bytes")


def test_a_body_sent_in_chunks_is_held_to_the_same_limit(client):
    def chunks():
        for _ in range(10):
            yield b" " * 1000

    response = client.post(
        "/api/translate", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert_refused(response, 413, "max_body_bytes")


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"sentences": "I eat."}',
        b'{"sentences": [1, 2]}',
        b'{"sentences": ["I eat."], "beam": "wide"}',
        b'{"sentences": ["I eat."], "run": ["tiny"]}',
        b"{}",
    ],
)
def test_malformed_requests_get_one_json_error(client, body):
    response = client.post(
        "/api/translate", content=body, headers={"content-type": "application/json"}
    )
    assert_refused(response, 422)


@pytest.mark.parametrize("sentences", [[], ["   "], ["I eat.", ""]])
def test_no_sentence_or_an_empty_one_is_refused(client, sentences):
    assert_refused(translate(client, sentences), 422)


def test_an_unknown_path_is_a_json_404(client):
    assert_refused(client.get("/api/nothing"), 404)


# --- many clients at once ----------------------------------------------------------------


class CountingTranslator:
    """A translator that records every `translate_batch` call it passes on."""

    def __init__(self, translator):
        self.translator = translator
        self.calls: list[tuple[list[str], int]] = []

    def translate_batch(self, sentences, beam_width=1, n_best=1):
        self.calls.append((list(sentences), beam_width))
        return self.translator.translate_batch(sentences, beam_width, n_best)


def test_requests_from_many_clients_are_decoded_in_one_batch_each_answered_its_own(
    tiny_lab_run,
):
    from fastapi.testclient import TestClient

    counting = CountingTranslator(tiny_lab_run.translator)
    run = replace(tiny_lab_run, translator=counting)
    sentences = [f"The {colour} car is fast." for colour in ("red", "blue", "big", "small")]
    sentences += ["I eat.", "Maria's dog does not eat the cake."]
    # A wide window, so that six threads surely arrive within it on a loaded machine.
    with TestClient(create_app([run], SMALL, window=0.5)) as client:
        start = threading.Barrier(len(sentences))

        def one_client(sentence):
            start.wait()
            return translate(client, [sentence]).json()["records"][0]

        with ThreadPoolExecutor(len(sentences)) as pool:
            records = list(pool.map(one_client, sentences))
    assert len(counting.calls) == 1
    assert sorted(counting.calls[0][0]) == sorted(sentences)
    for sentence, record in zip(sentences, records):
        assert record["sentence"] == sentence
        assert record["source_tokens"] == normalize(sentence).split()


def test_each_beam_width_gets_a_batch_of_its_own(tiny_lab_run):
    from fastapi.testclient import TestClient

    counting = CountingTranslator(tiny_lab_run.translator)
    run = replace(tiny_lab_run, translator=counting)
    with TestClient(create_app([run], SMALL, window=0.5)) as client:
        start = threading.Barrier(4)

        def one_client(beam):
            start.wait()
            return translate(client, ["I eat."], beam=beam).json()["records"][0]

        with ThreadPoolExecutor(4) as pool:
            records = list(pool.map(one_client, [1, 2, 1, 2]))
    assert sorted(beam for _, beam in counting.calls) == [1, 2]
    assert [record["model"]["beam_width"] for record in records] == [1, 2, 1, 2]


class FailingTranslator:
    def translate_batch(self, sentences, beam_width=1, n_best=1):
        raise RuntimeError("the model broke")


def test_a_model_that_fails_answers_json_and_the_other_runs_keep_serving(tiny_lab_run):
    from fastapi.testclient import TestClient

    broken = LabRun("broken", FailingTranslator(), {}, {})
    with TestClient(create_app([tiny_lab_run, broken], SMALL), raise_server_exceptions=False) as c:
        body = assert_refused(translate(c, ["I eat."], run="broken"), 500)
        assert "the model broke" not in body["error"]
        assert translate(c, ["I eat."], run="tiny").status_code == 200


# --- pictures ----------------------------------------------------------------------------

MAGIC = {"png": b"\x89PNG", "gif": b"GIF89a", "svg": b"<?xml"}


@pytest.mark.parametrize("kind", ["png", "svg", "gif"])
def test_a_record_is_drawn_by_viz_in_each_format(client, kind):
    [record] = translate(client, ["I eat."]).json()["records"]
    response = client.post(f"/api/picture?format={kind}", json={"record": record})
    assert response.status_code == 200, response.text
    assert response.content.startswith(MAGIC[kind])
    suffix = "attention.gif" if kind == "gif" else f"heatmap.{kind}"
    assert f'filename="i-eat.{suffix}"' in response.headers["content-disposition"]


def test_a_sentence_and_run_are_translated_and_drawn(client):
    response = client.post(
        "/api/picture?format=svg", json={"sentence": "The red car is fast.", "run": "tiny"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in response.content


def test_the_svg_holds_the_tokens_as_escaped_text(client):
    [record] = translate(client, [HOSTILE]).json()["records"]
    svg = client.post("/api/picture?format=svg", json={"record": record}).content
    assert b"<script" not in svg and b"<img" not in svg


@pytest.mark.parametrize(
    "body, words",
    [
        ({"record": {"source_tokens": ["a"], "target_tokens": ["b"]}}, "weights"),
        ({"record": {"source_tokens": ["a"], "target_tokens": ["b"], "weights": [[0.5]] * 2}}, "2"),
        ({}, "either"),
        ({"record": {}, "sentence": "I eat."}, "either"),
    ],
)
def test_a_bad_record_or_request_is_refused_naming_what_is_wrong(client, body, words):
    response = client.post("/api/picture?format=png", json=body)
    assert words in assert_refused(response, 422)["error"]


def test_a_record_too_long_to_draw_is_refused(client):
    tokens = [f"w{i}" for i in range(13)]
    record = {"source_tokens": tokens, "target_tokens": ["x"], "weights": [[1 / 13] * 13]}
    assert_refused(client.post("/api/picture", json={"record": record}), 422, "max_words")


def test_an_unknown_picture_format_is_refused(client):
    [record] = translate(client, ["I eat."]).json()["records"]
    assert_refused(client.post("/api/picture?format=bmp", json={"record": record}), 422)


# --- any text: drawn, or refused naming a limit, never a 500 -------------------------------


@pytest.fixture(scope="module")
def roomy_client(tiny_lab_run):
    """The lab under its default limits (a body of 256 KiB: tokens of thousands of letters)."""
    from fastapi.testclient import TestClient

    with TestClient(create_app([tiny_lab_run]), raise_server_exceptions=False) as client:
        yield client


def post_json(client, path: str, body: dict):
    """``body`` as JSON with every non-ASCII character escaped: lone surrogates travel too."""
    return client.post(path, content=json.dumps(body), headers={"content-type": "application/json"})


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(TOKENS, min_size=1, max_size=3),
    st.lists(TOKENS, min_size=1, max_size=3),
    st.sampled_from(["svg", "svg", "png", "gif"]),
    st.integers(0, 2**31),
)
def test_any_record_within_the_limits_is_drawn_as_its_labels(
    roomy_client, source_tokens, target_tokens, extension, seed
):
    weights = np.random.default_rng(seed).dirichlet(np.ones(len(source_tokens)), len(target_tokens))
    record = {"source_tokens": source_tokens, "target_tokens": target_tokens}
    response = post_json(
        roomy_client,
        f"/api/picture?format={extension}",
        {"record": {**record, "weights": weights.tolist()}},
    )
    if response.status_code != 200:
        assert_refused(response, 413, "max_body_bytes")
        return
    assert response.content.startswith(MAGIC[extension])
    if extension == "svg":
        texts = set(svg_text_lines(response.content))
        assert {label(token) for token in source_tokens + target_tokens} <= texts


def svg_text_lines(svg: bytes) -> list[str]:
    import xml.etree.ElementTree as ElementTree

    root = ElementTree.fromstring(svg)
    return [
        line
        for element in root.iter("{http://www.w3.org/2000/svg}text")
        for line in "".join(element.itertext()).split("\n")
    ]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(TOKENS, min_size=1, max_size=6).map(" ".join))
def test_any_sentence_is_translated_or_refused_naming_what_is_wrong(roomy_client, sentence):
    response = post_json(roomy_client, "/api/translate", {"sentences": [sentence]})
    if response.status_code == 200:
        [record] = response.json()["records"]
        assert record["sentence"] == sentence
    else:
        assert_refused(response, response.status_code)
        assert response.status_code in (413, 422)


def test_a_sentence_holding_half_a_character_is_refused_not_a_500(roomy_client):
    body = assert_refused(
        post_json(roomy_client, "/api/translate", {"sentences": ["x\ud800y"]}), 422
    )
    assert "\\ud800" in body["error"]
    picture = post_json(roomy_client, "/api/picture?format=png", {"sentence": "x\ud800y"})
    assert_refused(picture, 422)


def test_a_word_of_five_thousand_letters_is_drawn_shortened(roomy_client):
    word = "w" * 5000
    [record] = post_json(
        roomy_client, "/api/translate", {"sentences": [f"I paid {word} for it."]}
    ).json()["records"]
    record["target_tokens"][0] = word  # as a model that copies it would write it
    svg = post_json(roomy_client, "/api/picture?format=svg", {"record": record}).content
    assert label(word) in svg_text_lines(svg) and word not in svg.decode()


# --- the page, its files, its headers ----------------------------------------------------


def test_the_page_and_its_own_files_are_served(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for path, kind in (("/static/lab.js", "javascript"), ("/static/lab.css", "text/css")):
        response = client.get(path)
        assert response.status_code == 200 and kind in response.headers["content-type"]


def test_the_page_runs_no_inline_script_and_loads_nothing_from_elsewhere(client):
    import re

    page = client.get("/").text
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, flags=re.S)
    # Relative, so that the page exported by export --web works under any path of a host.
    assert scripts and all(
        'src="static/' in attributes and not body for attributes, body in scripts
    )
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert not re.search(r"\son[a-z]+=", page)  # no inline event handlers either


@pytest.mark.parametrize("path", ["/", "/static/lab.js", "/api/runs"])
def test_every_answer_carries_a_policy_that_allows_only_the_pages_own_files(client, path):
    policy = client.get(path).headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_the_api_is_documented_by_fastapis_openapi_page(client):
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/translate", "/api/runs", "/api/picture", "/api/colours"} <= set(paths)


# --- python -m seq2seq serve -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def test_serve_on_a_busy_port_says_so_in_one_line_and_exits_2(tiny_run):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_module("serve", "--run", str(tiny_run), "--port", str(port), timeout=60)
    assert_one_clear_error(result, f"Cannot listen on 127.0.0.1:{port}")
    assert len(error_lines(result.stderr)) == 1


def test_a_folder_that_is_not_a_run_is_refused_by_name(tmp_path):
    from seq2seq.errors import UserError

    with pytest.raises(UserError, match=str(tmp_path)):
        load_runs([tmp_path])


def test_two_runs_of_one_folder_name_are_refused(tiny_run):
    from seq2seq.errors import UserError

    with pytest.raises(UserError, match="both named 'tiny'"):
        load_runs([tiny_run, tiny_run])


@pytest.mark.slow  # a process that loads TensorFlow to refuse the folder: 5-10 s
def test_serve_on_a_folder_that_is_not_a_run_says_so_in_one_line_and_exits_2(tmp_path):
    result = run_module("serve", "--run", str(tmp_path), "--port", str(free_port()), timeout=120)
    assert_one_clear_error(result, str(tmp_path))
    assert len(error_lines(result.stderr)) == 1


def test_serve_serves_until_ctrl_c_past_vanished_and_slow_clients_then_exits_0(tiny_run):
    import httpx

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "seq2seq", "serve", "--run", str(tiny_run), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        first_line = server.stdout.readline()  # printed once the runs are loaded
        assert f"http://127.0.0.1:{port}/" in first_line
        with socket.create_connection(("127.0.0.1", port)) as slow:
            slow.sendall(b"POST /api/translate HTTP/1.1\r\nHost: x\r\nContent-Length: 999\r\n\r\n{")
            with socket.create_connection(("127.0.0.1", port)) as vanished:
                vanished.sendall(b"POST /api/translate HTTP/1.1\r\nHost: x\r\n")
            url = f"http://127.0.0.1:{port}/api/translate"
            response = httpx.post(url, json={"sentences": ["I eat."]}, timeout=30)
        assert response.status_code == 200
        assert response.json()["records"][0]["sentence"] == "I eat."
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


# --- a run without attention ----------------------------------------------------------------


@pytest.fixture(scope="module")
def none_client(tiny_none_run):
    from fastapi.testclient import TestClient

    with TestClient(create_app(load_runs([tiny_none_run]), SMALL)) as client:
        yield client


def test_a_run_without_attention_answers_records_with_null_weights(none_client, tiny_none_run):
    [run] = none_client.get("/api/runs").json()["runs"]
    assert run["settings"]["attention"] == "none"
    [record] = translate(none_client, ["The red car is fast."], beam=2).json()["records"]
    assert record["version"] == 2 and record["weights"] is None
    assert record["target_tokens"] and record["model"]["attention"] == "none"
    assert all(hypothesis["weights"] is None for hypothesis in record["hypotheses"])


@pytest.mark.parametrize("body", [{"sentence": "The red car is fast."}, "record"])
def test_a_picture_of_a_run_without_attention_is_refused_saying_why(none_client, body):
    if body == "record":
        [record] = translate(none_client, ["I eat."]).json()["records"]
        body = {"record": record}
    body = assert_refused(none_client.post("/api/picture?format=png", json=body), 422)
    assert "no attention" in body["error"]
