"""The attention record: versioned JSON in and out, bad records named by line and field."""

from __future__ import annotations

import json

import numpy as np
import pytest
from samples import ASKED, QUESTION, RED_CAR, WITHOUT_ATTENTION

import viz
from viz.record import (
    FORMAT,
    VERSION,
    WITHOUT_WEIGHTS,
    AttentionRecord,
    RecordError,
    read_records,
)


def test_a_translation_survives_json_lines_unchanged(tmp_path):
    path = viz.write_records([RED_CAR, QUESTION], tmp_path / "records.jsonl")
    first, second = read_records(path)
    assert first.source_tokens == RED_CAR.source_tokens
    assert second.target_tokens == QUESTION.target_tokens
    np.testing.assert_allclose(first.weights, RED_CAR.weights)
    assert first.score == pytest.approx(RED_CAR.score)


def test_every_record_names_its_format_and_version_1_where_it_has_weights():
    record = AttentionRecord.of(RED_CAR, sentence="The red car.", model={"run": "reference"})
    data = json.loads(json.dumps(record.to_json()))
    assert (data["format"], data["version"]) == (FORMAT, 1)
    assert data["sentence"] == "The red car."
    assert data["model"] == {"run": "reference"}


def test_hypotheses_keep_their_own_weights_over_the_shared_source():
    best = AttentionRecord.of(RED_CAR)
    other = AttentionRecord(RED_CAR.source_tokens, ["el", "coche", "."], np.eye(3, 4), -2.0)
    record = AttentionRecord(
        best.source_tokens, best.target_tokens, best.weights, best.score, hypotheses=(best, other)
    )
    data = record.to_json()
    assert "source_tokens" not in data["hypotheses"][1]
    again = AttentionRecord.from_json(data)
    assert again.hypotheses[1].target_tokens == ["el", "coche", "."]
    assert again.hypotheses[1].source_tokens == RED_CAR.source_tokens
    np.testing.assert_array_equal(again.hypotheses[1].weights, np.eye(3, 4))


def test_a_hand_written_record_needs_only_tokens_and_weights():
    record = AttentionRecord.from_json(
        {"source_tokens": ["a", "b"], "target_tokens": ["x"], "weights": [[0.25, 0.75]]}
    )
    assert record.score is None
    assert record.weights.shape == (1, 2)


def test_a_record_is_drawn_like_a_translation(tmp_path):
    record = AttentionRecord.of(QUESTION)
    figure = viz.plot_heatmap(record, path=tmp_path / "heatmap.png")
    assert (tmp_path / "heatmap.png").stat().st_size > 0
    assert figure.axes


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"source_tokens": ["a"], "target_tokens": ["x"]}', r"line 2: field 'weights' is missing"),
        (
            '{"source_tokens": ["a"], "target_tokens": ["x"], "weights": [[1, 2]]}',
            r"line 2: .*shape",
        ),
        (
            '{"source_tokens": "a b", "target_tokens": ["x"], "weights": [[1]]}',
            r"line 2: source_tokens",
        ),
        ("[1, 2]", r"line 2: a record is a JSON object, not a list"),
        (
            '{"version": 9, "source_tokens": ["a"], "target_tokens": ["x"], "weights": [[1]]}',
            r"line 2: field 'version' is 9",
        ),
        (
            '{"source_tokens": ["a"], "target_tokens": ["x"], "weights": [[1]], "score": "high"}',
            r"line 2: field 'score' is a string",
        ),
        (
            '{"source_tokens": ["a"], "target_tokens": ["x"], "weights": [[1]], '
            '"hypotheses": [{"target_tokens": ["y", "z"], "weights": [[1]]}]}',
            r"line 2: hypothesis 1: .*shape",
        ),
        ("{not json", r"line 2: not JSON"),
    ],
)
def test_a_bad_record_is_named_by_line_and_field(tmp_path, line, message):
    good = '{"source_tokens": ["a"], "target_tokens": ["x"], "weights": [[1.0]]}'
    path = tmp_path / "records.jsonl"
    path.write_text(f"{good}\n{line}\n", encoding="utf-8")
    with pytest.raises(RecordError, match=message):
        read_records(path)


def test_an_empty_file_holds_no_records(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("\n", encoding="utf-8")
    with pytest.raises(RecordError, match="holds no records"):
        read_records(path)


# --- version 2: what a question to the model asked and learned ---------------------------


def test_a_version_1_record_reads_with_nothing_asked():
    record = AttentionRecord.from_json(AttentionRecord.of(RED_CAR).to_json() | {"version": 1})
    assert record.alternatives == () and record.log_probabilities is None
    assert (record.forced, record.hidden, record.pointed, record.surprises) == (0, (), (), ())
    assert "alternatives" not in record.to_json()


def test_what_was_asked_survives_json_lines(tmp_path):
    path = viz.write_records([ASKED], tmp_path / "records.jsonl")
    (record,) = read_records(path)
    assert record.alternatives == ASKED.alternatives
    np.testing.assert_allclose(record.log_probabilities, ASKED.log_probabilities)
    np.testing.assert_array_equal(record.ranks, ASKED.ranks)
    assert record.surprises == ASKED.surprises == (2,)
    assert (record.forced, record.hidden, record.pointed) == (3, (1,), ((3, 3),))
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == 2
    assert data["pointed"] == [{"step": 3, "source": 3}]
    assert data["alternatives"][2] == [["limpio", 0.4], ["viejo", 0.3]]


def test_a_hypothesis_keeps_its_own_alternatives_and_ranks():
    other = AttentionRecord.of(ASKED)
    record = AttentionRecord.of(RED_CAR, sentence="The red car.")
    record = AttentionRecord(
        record.source_tokens, record.target_tokens, record.weights, hypotheses=(other,)
    )
    again = AttentionRecord.from_json(record.to_json())
    assert again.hypotheses[0].alternatives == ASKED.alternatives
    np.testing.assert_array_equal(again.hypotheses[0].ranks, ASKED.ranks)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("ranks", [1, 1], r"field 'ranks' has 2 entries; expected one per target token \(4\)"),
        ("ranks", [1, 0, 1, 1], "whole numbers >= 1"),
        ("log_probabilities", [0.5, 0, 0, 0], "finite and <= 0"),
        ("alternatives", [[["el", 2.0]], [], [], []], "probability from 0 to 1"),
        ("hidden", [0], "its column has weight"),
        ("hidden", [7], "source positions 0 to 3"),
        ("pointed", [{"step": 4, "source": 0}], "step 4 is not one of 0 to 3"),
        ("forced", 5, "field 'forced' is 5"),
    ],
)
def test_a_bad_question_field_is_named(field, value, message):
    data = AttentionRecord.of(ASKED).to_json() | {field: value}
    with pytest.raises(RecordError, match=message):
        AttentionRecord.from_json(data)


def test_hiding_every_source_token_is_not_a_record():
    data = {"source_tokens": ["a"], "target_tokens": ["x"], "weights": [[0.0]], "hidden": [0]}
    with pytest.raises(RecordError, match="hides every source token"):
        AttentionRecord.from_json(data)


def test_a_record_without_weights_is_version_2_and_reads_back_without_them(tmp_path):
    path = viz.write_records([WITHOUT_ATTENTION, RED_CAR], tmp_path / "records.jsonl")
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [line["version"] for line in lines] == [WITHOUT_WEIGHTS, 1] and VERSION == 2
    assert lines[0]["weights"] is None
    without, with_weights = read_records(path)
    assert without.weights is None and with_weights.weights is not None
    assert without.target_tokens == WITHOUT_ATTENTION.target_tokens


def test_hypotheses_of_a_model_without_attention_have_no_weights_either():
    best = AttentionRecord.of(WITHOUT_ATTENTION)
    other = AttentionRecord(best.source_tokens, ["el", "coche", "."], None, -2.0)
    record = AttentionRecord(
        best.source_tokens, best.target_tokens, None, best.score, hypotheses=(best, other)
    )
    again = AttentionRecord.from_json(json.loads(json.dumps(record.to_json())))
    assert [hypothesis.weights for hypothesis in again.hypotheses] == [None, None]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (
            {"version": 1, "source_tokens": ["a"], "target_tokens": ["x"], "weights": None},
            r"'weights' is null, which version 1 does not allow",
        ),
        (
            {
                "source_tokens": ["a"],
                "target_tokens": ["x"],
                "weights": None,
                "hypotheses": [{"target_tokens": ["y"], "weights": [[1.0]]}],
            },
            r"hypothesis 1 and its record disagree",
        ),
        (
            {"version": 2, "source_tokens": [], "target_tokens": ["x"], "weights": None},
            r"no source tokens",
        ),
    ],
)
def test_a_record_without_weights_is_checked_all_the_same(record, message):
    with pytest.raises(RecordError, match=message):
        AttentionRecord.from_json(record)


def test_a_record_written_before_version_2_still_reads():
    old = {"format": FORMAT, "version": 1, "source_tokens": ["a"], "target_tokens": ["x"]}
    record = AttentionRecord.from_json({**old, "weights": [[1.0]]})
    assert record.weights.shape == (1, 1)
