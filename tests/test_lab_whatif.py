"""The lab's API asked questions: alternatives, a prefix, hidden and pointed words, a
translation to read; each answered as an attention record, each bad one refused as JSON."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import numpy as np
import pytest
from test_lab import SMALL, assert_refused, translate

from seq2seq.lab.app import create_app
from seq2seq.lab.server import load_runs

SENTENCE = "The red car is fast."


@pytest.fixture(scope="module")
def tiny_lab_run(tiny_run):
    return load_runs([tiny_run])[0]


@pytest.fixture(scope="module")
def client(tiny_lab_run):
    from fastapi.testclient import TestClient

    with TestClient(create_app([tiny_lab_run], SMALL)) as client:
        yield client


def ask(client, **fields) -> dict:
    response = translate(client, [SENTENCE], **fields)
    assert response.status_code == 200, response.text
    [record] = response.json()["records"]
    return record


def test_alternatives_come_with_every_step_as_the_translator_gives_them(client, tiny_translator):
    record = ask(client, alternatives=3)
    expected = tiny_translator.translate(SENTENCE, alternatives=3)
    assert record["target_tokens"] == expected.target_tokens
    assert len(record["alternatives"]) == len(expected.target_tokens)
    for step, alternatives in zip(expected.alternatives, record["alternatives"]):
        assert [word for word, _ in alternatives] == [word for word, _ in step]
        np.testing.assert_allclose([p for _, p in alternatives], [p for _, p in step], atol=1e-6)
    assert record["ranks"] == [1] * len(expected.target_tokens)


def test_a_prefix_is_written_first_and_scored_with_its_path(client, tiny_translator):
    record = ask(client, prefix="el perro", beam=2)
    expected = tiny_translator.translate(SENTENCE, 2, 2, prefix="el perro")
    assert record["target_tokens"][:2] == ["el", "perro"] and record["forced"] == 2
    assert record["target_tokens"] == expected.target_tokens
    assert record["score"] == pytest.approx(expected.score, abs=1e-5)
    assert all(h["target_tokens"][:2] == ["el", "perro"] for h in record["hypotheses"])


def test_hidden_words_by_position_or_word_get_no_weight(client):
    record = ask(client, hide=[1, "fast"])
    assert record["hidden"] == [1, 4]
    weights = np.array(record["weights"])
    assert (weights[:, [1, 4]] == 0).all()
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-5)


def test_a_pointed_step_reads_its_word_alone(client):
    record = ask(client, point=[{"step": 1, "source": "fast"}])
    assert record["pointed"] == [{"step": 1, "source": 4}]
    assert record["weights"][1][4] == 1.0


def test_a_reference_is_read_with_each_words_probability_and_rank(client, tiny_translator):
    own = tiny_translator.translate(SENTENCE)
    mine = " ".join([own.target_tokens[0], "perro", *own.target_tokens[2:]])
    record = ask(client, reference=mine, alternatives=2)
    read = tiny_translator.align([SENTENCE], [mine], alternatives=2)[0]
    assert record["target_tokens"] == read.target_tokens
    np.testing.assert_allclose(record["log_probabilities"], read.log_probabilities, atol=1e-5)
    assert record["ranks"] == list(read.ranks) and record["surprises"] == list(read.surprises)
    assert 1 in record["surprises"] and record["alternatives"][1][0][0] == own.target_tokens[1]


@pytest.mark.parametrize(
    ("fields", "limit", "words"),
    [
        ({"prefix": ["el"] * 35}, "max_words", "2 × max_words + 10"),
        ({"point": [{"step": 22, "source": 0}]}, "point", "Step 22 is out of range"),
        ({"point": [{"step": 1, "source": 6}]}, "point", "position 6 does not exist"),
        ({"hide": [6]}, "hide", "position 6 does not exist"),
        ({"hide": ["blue"]}, "hide", "'blue' is not a word of the sentence"),
        ({"hide": [0, 1, 2, 3, 4, 5]}, "hide", "nothing to read"),
        ({"prefix": "el <b>coche</b>"}, "prefix", "The model cannot write '<b>coche<"),
        ({"prefix": "[END]"}, "prefix", "marker"),
        ({"alternatives": 11}, "max_alternatives", "max_alternatives, 10"),
        ({"reference": "el " * 40}, "max_words", "The reference has 40"),
    ],
)
def test_a_question_that_cannot_be_asked_is_refused_naming_the_limit(client, fields, limit, words):
    body = assert_refused(translate(client, [SENTENCE], **fields), 422)
    assert body["limit"] == limit and words in body["error"]


def test_a_prefix_of_ten_thousand_words_is_refused_under_the_default_limits(tiny_lab_run):
    from fastapi.testclient import TestClient

    with TestClient(create_app([tiny_lab_run])) as client:
        response = translate(client, [SENTENCE], prefix="el " * 10_000)
    body = assert_refused(response, 422, "max_words")
    assert body["error"].startswith("The prefix has 10,000 words")


def test_a_question_is_asked_of_one_sentence(client):
    response = translate(client, [SENTENCE, "I eat."], hide=["red"])
    assert_refused(response, 422, "sentences")


@pytest.mark.parametrize("reference", ["", "  "])
def test_an_empty_reference_is_refused(client, reference):
    body = assert_refused(translate(client, [SENTENCE], reference=reference), 422)
    assert "reference is empty" in body["error"]


class CountingTranslator:
    """The tiny translator, counting the batches of each kind it is given."""

    def __init__(self, translator):
        self.translator = translator
        self.calls: list[tuple[int, bool]] = []

    def translate_batch(self, sentences, beam_width=1, n_best=1, **questions):
        self.calls.append((len(sentences), bool(questions.get("what_if"))))
        return self.translator.translate_batch(sentences, beam_width, n_best, **questions)

    def steer(self, sentence, what_if):
        return self.translator.steer(sentence, what_if)


def test_questions_are_batched_apart_from_plain_translations_and_a_bad_one_fails_alone(
    tiny_lab_run,
):
    from fastapi.testclient import TestClient

    counting = CountingTranslator(tiny_lab_run.translator)
    run = replace(tiny_lab_run, translator=counting)
    requests = [{}, {}, {"hide": ["red"]}, {"hide": ["car"]}, {"hide": ["blue"]}]
    with TestClient(create_app([run], SMALL, window=0.5)) as client:
        start = threading.Barrier(len(requests))

        def one_client(fields):
            start.wait()
            return translate(client, [SENTENCE], **fields)

        with ThreadPoolExecutor(len(requests)) as pool:
            responses = list(pool.map(one_client, requests))
    assert [response.status_code for response in responses] == [200] * 4 + [422]
    assert sorted(counting.calls) == [(2, False), (2, True)]
    hidden = [response.json()["records"][0].get("hidden") for response in responses[:4]]
    assert hidden == [None, None, [1], [2]]
