"""Questions to the model in the page (static/model/whatif.js, inference.js): the page's
records against `Translator`'s, option by option, in headless Chromium.

One exported folder of the tiny run and one browser for the module. Each question
is asked of the test split's first sentences, greedy and with a beam of 3; the
Python side decodes all of a kind in one batch.
"""

from __future__ import annotations

import math

import pytest
from test_browser import driver  # noqa: F401  (a fixture)

from seq2seq import artifacts
from seq2seq.web import export_web, serve_folder
from seq2seq.whatif import WhatIf

SENTENCES = 6
ALTERNATIVES = 3
TOLERANCE = 1e-4
# Runs in the page: the static page's back end asked each (sentence, beam, asked) of a
# run, as the page asks it; a refusal comes back as {"refused": message}.
ASK = """
const [run, cases, done] = arguments;
import("/static/backend.js").then(async (module) => {
  const backend = await module.browserBackend(location.origin + "/");
  const answers = [];
  for (const [sentence, beam, asked] of cases) {
    try {
      answers.push((await backend.translate([sentence], run, beam, asked))[0]);
    } catch (error) {
      if (!(error instanceof module.Refusal)) throw error;
      answers.push({refused: error.message});
    }
  }
  done(answers);
}).catch((error) => done(String(error.stack || error)));
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory, tiny_run):
    page = export_web([tiny_run], tmp_path_factory.mktemp("web") / "page")
    with serve_folder(page) as url:
        yield url


@pytest.fixture(scope="module")
def page(driver, site):  # noqa: F811  (the driver fixture, imported)
    driver.get(site + "runs/")  # the folder's listing: somewhere on the page's origin
    driver.set_script_timeout(120)
    return driver


def ask_page(page, cases: list[tuple[str, int, dict]]) -> list[dict]:
    answers = page.execute_async_script(ASK, "tiny", cases)
    assert isinstance(answers, list), answers
    return answers


def python_records(translator, cases: list[tuple[str, int, dict]]) -> list[dict]:
    """What the lab's server answers to each case (seq2seq/lab/app.py), decoded in batches
    of a kind: a record of version 2, as JSON."""
    from viz import AttentionRecord

    records: list[dict | None] = [None] * len(cases)
    kinds: dict[tuple, list[int]] = {}
    for index, (_, beam, asked) in enumerate(cases):
        kinds.setdefault(("reference" in asked, beam), []).append(index)
    for (reading, beam), indices in kinds.items():
        sentences = [cases[i][0] for i in indices]
        if reading:
            references = [cases[i][2]["reference"] for i in indices]
            translations = translator.align(sentences, references, ALTERNATIVES)
        else:
            questions = [what_if(cases[i][2]) for i in indices]
            translations = translator.translate_batch(
                sentences, beam, n_best=beam, what_if=questions, alternatives=ALTERNATIVES
            )
        for i, translation in zip(indices, translations):
            model = {"run": "tiny", "beam_width": 1 if reading else beam}
            model |= {"attention": "additive", "encoder": "gru"}
            record = AttentionRecord.of(translation, sentence=cases[i][0], model=model)
            records[i] = record.to_json()
    return records


def what_if(asked: dict) -> WhatIf | None:
    point = [(item["step"], item["source"]) for item in asked.get("point", [])]
    question = WhatIf(asked.get("prefix"), asked.get("hide", []), point)
    return question or None


def differences(expected, found, where: str = "record") -> list[str]:
    """Where the page's record differs from Python's: numbers beyond `TOLERANCE`, anything
    else not equal."""
    if isinstance(expected, dict) and isinstance(found, dict):
        if set(expected) != set(found):
            return [f"{where}: fields {sorted(set(expected) ^ set(found))}"]
        return [d for key in expected for d in differences(expected[key], found[key], key)]
    if isinstance(expected, list) and isinstance(found, list):
        if len(expected) != len(found):
            return [f"{where}: {len(found)} items, not {len(expected)}"]
        return [
            d
            for index, pair in enumerate(zip(expected, found))
            for d in differences(*pair, f"{where}[{index}]")
        ]
    numbers = (int, float)
    if isinstance(expected, float) and isinstance(found, numbers):
        same = math.isclose(expected, found, rel_tol=0, abs_tol=TOLERANCE)
    else:
        same = expected == found and type(expected) is type(found)
    return [] if same else [f"{where}: {found!r}, not {expected!r}"]


@pytest.fixture(scope="module")
def sentences(tiny_run) -> list[str]:
    pairs = artifacts.read_test_pairs(tiny_run)
    return list(dict.fromkeys(pair.source for pair in pairs))[:SENTENCES]


@pytest.fixture(scope="module")
def own(tiny_translator, sentences):
    """The model's own translations, with their alternatives: where the questions start."""
    return tiny_translator.translate_batch(sentences, alternatives=ALTERNATIVES)


def questions(sentences: list[str], own: list, option: str) -> list[tuple[str, dict]]:
    """One question of this option per sentence: the model's second choice forced at its
    second word, its second word hidden, its second step pointed at the first word, or
    its own translation read with the second word changed for its second choice."""
    asked = []
    for sentence, translation in zip(sentences, own):
        tokens = translation.target_tokens
        second = translation.alternatives[1][1][0] if len(tokens) > 1 else tokens[0]
        question = {
            "prefix": {"prefix": [*tokens[:1], second]},
            "hide": {"hide": [1]},
            "point": {"point": [{"step": 1, "source": 0}]},
            "all": {"prefix": tokens[:1], "hide": [0], "point": [{"step": 2, "source": 1}]},
            "reference": {"reference": " ".join([*tokens[:1], second, *tokens[2:]])},
            "alternatives": {},
        }[option]
        asked.append((sentence, {"alternatives": ALTERNATIVES, **question}))
    return asked


@pytest.mark.parametrize("option", ["alternatives", "prefix", "hide", "point", "all", "reference"])
def test_each_question_is_answered_in_the_page_as_the_translator_answers_it(
    page, tiny_translator, sentences, own, option
):
    beams = (1,) if option == "reference" else (1, 3)
    cases = [(s, beam, asked) for beam in beams for s, asked in questions(sentences, own, option)]
    found = ask_page(page, cases)
    expected = python_records(tiny_translator, cases)
    for case, record, answer in zip(cases, expected, found):
        assert differences(record, answer) == [], case
    asked_fields = {"alternatives", "log_probabilities", "ranks"}
    assert asked_fields <= set(found[0]), "every answer holds each word's details"


def test_a_record_of_the_page_reads_and_draws_in_viz_with_its_marks(page, tmp_path):
    from viz import AttentionRecord, plot_heatmap

    asked = {"prefix": "el", "hide": [0], "point": [{"step": 2, "source": 1}], "alternatives": 2}
    [found] = ask_page(page, [("The red car is fast.", 2, asked)])
    record = AttentionRecord.from_json(found)
    assert record.forced == 1 and record.hidden == (0,) and record.pointed == ((2, 1),)
    assert record.hypotheses[0].alternatives == record.alternatives
    plot_heatmap(record, path=tmp_path / "asked.png")
    assert (tmp_path / "asked.png").stat().st_size > 0


BAD = [
    {"prefix": "<b>lleva</b>"},
    {"prefix": "[END]"},
    {"prefix": "el " * 30},
    {"hide": [0, 1, 2, 3, 4, 5]},
    {"hide": [9]},
    {"hide": ["blue"]},
    {"point": [{"step": 99, "source": 1}]},
    {"point": [{"step": 1, "source": 1}], "hide": [1]},
]


def test_a_question_the_sentence_cannot_take_is_refused_with_the_translators_words(
    page, tiny_translator
):
    from seq2seq.whatif import WhatIfError

    sentence = "The red car is fast."
    found = ask_page(page, [(sentence, 1, asked) for asked in BAD])
    for asked, answer in zip(BAD, found):
        with pytest.raises(WhatIfError) as refused:
            tiny_translator.steer(sentence, what_if(asked))
        assert answer == {"refused": str(refused.value)}, asked


def test_what_the_lab_refuses_before_decoding_the_page_refuses_in_the_labs_words(page):
    from seq2seq.lab.limits import DEFAULT_LIMITS, LimitExceeded

    sentence = "The red car is fast."
    cases = [{"alternatives": 11}, {"reference": "el " * 91}, {"reference": "  "}]
    found = ask_page(page, [(sentence, 1, asked) for asked in cases])
    expected = []
    for check in (
        lambda: DEFAULT_LIMITS.check_alternatives(11),
        lambda: DEFAULT_LIMITS.check_prefix(91, "reference"),
    ):
        with pytest.raises(LimitExceeded) as refused:
            check()
        expected.append(str(refused.value))
    expected.append("A reference is empty; give at least one word.")
    assert [answer["refused"] for answer in found] == expected


def test_asking_for_alternatives_changes_nothing_else(page, sentences):
    plain = ask_page(page, [(s, 1, {}) for s in sentences])
    asked = ask_page(page, [(s, 1, {"alternatives": 2}) for s in sentences])
    for record, detailed in zip(plain, asked):
        assert record["target_tokens"] == detailed["target_tokens"]
        assert record["weights"] == detailed["weights"] and record["score"] == detailed["score"]
        assert "alternatives" not in record and detailed["alternatives"]
