"""Questions to the model in the page: the page's model (static/model/whatif.js,
inference.js) against `Translator`, option by option, and the page's controls
(questions.js, lab.js) with both back ends, the lab's server and the static page, in
headless Chromium.

One exported folder and one lab's server of the tiny run, and one browser, for the
module. Each question is asked of the test split's first sentences, greedy and with a
beam of 3; the Python side decodes all of a kind in one batch.
"""

from __future__ import annotations

import math

import numpy as np
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


# --- the page's controls, with either back end ---------------------------------------

SENTENCE = "The red car is fast."
ANSWERED = "return Number(document.getElementById('panels').dataset.answered || 0)"
# What the first panel shows of a question, read in one go (a redraw between two reads
# would leave stale elements).
ASKED = """
const panel = document.querySelector("#panels > .panel");
const all = (selector) => Array.from(panel.querySelectorAll(selector));
const text = (selector) => all(selector).map((node) => node.textContent);
const indices = (selector, name) => all(selector).map((node) => Number(node.dataset[name]));
return {
  tokens: text(".translation .token"),
  forced_tokens: text(".translation .token.forced"),
  weights: all(".heatmap g.row").map((row) =>
    Array.from(row.querySelectorAll("rect.cell"), (cell) => Number(cell.dataset.weight))),
  hidden_labels: indices(".heatmap .source-label.hidden-source", "sourceIndex"),
  hatched: indices(".heatmap rect.hidden-column", "sourceIndex"),
  bold_rows: all(".heatmap .target-label").map((label) =>
    label.getAttribute("font-weight") === "bold"),
  surprise_rows: all(".heatmap .target-label").map((label) =>
    label.classList.contains("surprise")),
  pointed: all(".heatmap rect.pointed-cell").map((cell) =>
    [Number(cell.dataset.targetIndex), Number(cell.dataset.sourceIndex)]),
  alternatives: text(".alternatives .alternative-word"),
  asked: panel.querySelector(".question").hidden ? null : panel.querySelector(".asked").textContent,
  scores: panel.querySelector(".scores").textContent,
  words: all(".words tr[data-target-index]").map((row) =>
    Array.from(row.children, (cell) => cell.textContent)),
  status: document.getElementById("status").textContent,
};
"""


@pytest.fixture(scope="module")
def lab(tiny_run):
    from seq2seq.lab.app import create_app
    from seq2seq.lab.server import BackgroundLab, load_runs

    background = BackgroundLab(create_app(load_runs([tiny_run])))
    yield background
    background.stop()


@pytest.fixture(params=["server", "static"])
def lab_url(request, site) -> str:
    """Where the page is: served by the lab's server, or exported and served as files."""
    return request.getfixturevalue("lab").url if request.param == "server" else site


def open_lab(browser, url: str, address: str = "") -> None:
    from urllib.parse import quote

    browser.get("about:blank")
    browser.get_log("browser")  # what earlier tests left in the console
    browser.get(f"{url}#s={quote(SENTENCE)}{address}")
    wait(browser, lambda: browser.execute_script("return document.body.dataset.ready") == "true")


def wait(browser, condition, seconds: float = 30) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, seconds, poll_frequency=0.05).until(lambda _: condition())


def answered(browser, action) -> dict:
    """Do ``action`` (a question asked in the page) and what the page shows once answered."""
    before = browser.execute_script(ANSWERED)
    action()
    wait(browser, lambda: browser.execute_script(ANSWERED) > before)
    return browser.execute_script(ASKED)


def first(browser, selector: str):
    return browser.find_element("css selector", f"#panels > .panel {selector}")


def every(browser, selector: str) -> list:
    return browser.find_elements("css selector", f"#panels > .panel:first-child {selector}")


def console_errors(browser) -> list[dict]:
    """The console's errors, less Chromium's own note of the lab's server refusing a
    question (status 422): that refusal is the API's answer, which the page shows."""
    return [
        entry
        for entry in browser.get_log("browser")
        if entry["level"] == "SEVERE"
        and not (entry["source"] == "network" and "status of 422" in entry["message"])
    ]


def same_weights(shown: list, expected) -> bool:
    return np.shape(shown) == np.shape(expected) and np.allclose(shown, expected, atol=TOLERANCE)


def test_clicking_an_alternative_forces_it_and_the_model_goes_on_from_there(
    driver,  # noqa: F811  (the fixture, imported)
    lab_url,
    tiny_translator,
):
    open_lab(driver, lab_url)
    own = tiny_translator.translate(SENTENCE, alternatives=5)
    every(driver, ".translation .token")[1].click()  # pins word 2: its alternatives show
    assert driver.execute_script(ASKED)["alternatives"] == [w for w, _ in own.alternatives[1]]
    choice = own.alternatives[1][2][0]
    shown = answered(driver, lambda: every(driver, ".alternatives [data-word]")[2].click())
    expected = tiny_translator.translate(SENTENCE, prefix=[own.target_tokens[0], choice])
    assert shown["tokens"] == expected.target_tokens
    assert same_weights(shown["weights"], expected.weights)
    assert shown["forced_tokens"] == expected.target_tokens[:2]
    assert shown["bold_rows"] == [row < 2 for row in range(len(expected.target_tokens))]
    assert f"{expected.score:.2f}" in shown["scores"] and f"{own.score:.2f}" in shown["scores"]
    assert shown["asked"].startswith("Asked: forced (bold):")
    assert shown["words"][1][1:4] == [
        choice,
        f"{np.exp(expected.log_probabilities[1]):.2f}",
        str(expected.ranks[1]),
    ]
    assert console_errors(driver) == []


def test_a_column_header_hides_its_word_and_the_keyboard_shows_it_again(
    driver,  # noqa: F811  (the fixture, imported)
    lab_url,
    tiny_translator,
):
    from selenium.webdriver import ActionChains
    from selenium.webdriver.common.keys import Keys

    open_lab(driver, lab_url)
    own = tiny_translator.translate(SENTENCE)
    shown = answered(driver, lambda: every(driver, ".heatmap .source-label")[1].click())
    expected = tiny_translator.translate(SENTENCE, hide=[1])
    assert shown["tokens"] == expected.target_tokens
    assert same_weights(shown["weights"], expected.weights)
    assert all(row[1] == 0 for row in shown["weights"])
    assert shown["hidden_labels"] == [1] and shown["hatched"] == [1]
    assert shown["asked"] == "Asked: hidden: red"
    # The focus is back on the header: Enter shows the word again.
    focused = driver.switch_to.active_element
    assert focused.get_attribute("data-source-index") == "1"
    shown = answered(driver, lambda: ActionChains(driver).send_keys(Keys.ENTER).perform())
    assert shown["tokens"] == own.target_tokens and shown["hidden_labels"] == []
    assert shown["asked"] is None and same_weights(shown["weights"], own.weights)


def test_hiding_every_word_is_refused_with_a_message_and_the_picture_stays(
    driver,  # noqa: F811  (the fixture, imported)
    lab_url,
):
    open_lab(driver, lab_url, "&hide=0,1,2,3,4")
    before = driver.execute_script(ASKED)
    assert before["hidden_labels"] == [0, 1, 2, 3, 4]
    every(driver, ".heatmap .source-label")[5].click()
    wait(driver, lambda: "Hiding all 6 source words" in driver.execute_script(ASKED)["status"])
    after = driver.execute_script(ASKED)
    assert {**after, "status": ""} == {**before, "status": ""}
    assert console_errors(driver) == []


def test_pointing_from_the_bars_makes_that_step_read_the_word_alone(
    driver,  # noqa: F811  (the fixture, imported)
    lab_url,
    tiny_translator,
):
    open_lab(driver, lab_url)
    every(driver, ".translation .token")[2].click()
    shown = answered(driver, lambda: every(driver, ".bars button[data-source-index]")[0].click())
    expected = tiny_translator.translate(SENTENCE, point=[(2, 0)])
    assert shown["tokens"] == expected.target_tokens
    assert same_weights(shown["weights"], expected.weights)
    assert shown["weights"][2] == [1, 0, 0, 0, 0, 0] and shown["pointed"] == [[2, 0]]
    pressed = every(driver, '.bars button[aria-pressed="true"]')
    assert [button.text for button in pressed] == ["the"]


def test_your_translation_is_read_with_each_words_probability_and_rank(
    driver,  # noqa: F811  (the fixture, imported)
    lab_url,
    tiny_translator,
):
    own = tiny_translator.translate(SENTENCE, alternatives=3)
    mine = " ".join([own.target_tokens[0], own.alternatives[1][2][0], *own.target_tokens[2:]])
    open_lab(driver, lab_url)
    box = first(driver, ".mine-input")
    shown = answered(driver, lambda: box.send_keys(mine))
    [read] = tiny_translator.align([SENTENCE], [mine])
    assert shown["tokens"] == read.target_tokens
    assert same_weights(shown["weights"], read.weights)
    assert [row[2:4] for row in shown["words"]] == [
        [f"{p:.2f}" if p >= 0.005 else "<0.01", str(rank)]
        for p, rank in zip(np.exp(read.log_probabilities), read.ranks)
    ]
    marked = [row for row, surprise in enumerate(shown["surprise_rows"]) if surprise]
    assert marked == list(read.surprises)
    assert f"your translation {read.score:.2f}" in shown["scores"]
    shown = answered(driver, lambda: first(driver, ".back").click())
    assert shown["tokens"] == own.target_tokens and shown["asked"] is None
    assert first(driver, ".mine-input").get_attribute("value") == ""


def test_a_link_reopens_the_same_question_and_a_bad_one_gets_a_message(
    driver,  # noqa: F811  (the fixture, imported)
    lab_url,
    tiny_translator,
):
    open_lab(driver, lab_url, "&prefix=el+perro&hide=1&point=3:4")
    expected = tiny_translator.translate(SENTENCE, prefix="el perro", hide=[1], point=[(3, 4)])
    shown = driver.execute_script(ASKED)
    assert shown["tokens"] == expected.target_tokens
    assert shown["hatched"] == [1] and shown["pointed"] == [[3, 4]]
    assert shown["forced_tokens"] == ["el", "perro"]
    own = tiny_translator.translate(SENTENCE)
    open_lab(driver, lab_url, "&point=500:1")
    shown = driver.execute_script(ASKED)
    assert "Step 500 is out of range" in shown["status"]
    assert shown["tokens"] == own.target_tokens and shown["asked"] is None
    assert console_errors(driver) == []


def test_a_word_the_model_cannot_write_gets_a_message_and_the_picture_stays(
    driver,  # noqa: F811  (the fixture, imported)
    lab_url,
):
    from selenium.webdriver.common.keys import Keys

    open_lab(driver, lab_url)
    every(driver, ".translation .token")[1].click()
    before = driver.execute_script(ASKED)
    first(driver, ".force-word").send_keys("<b>lleva</b>", Keys.ENTER)
    said = "The model cannot write '<b>lleva</b>'"
    wait(driver, lambda: said in driver.execute_script(ASKED)["status"])
    assert {**driver.execute_script(ASKED), "status": ""} == {**before, "status": ""}
    assert driver.execute_script("return document.querySelectorAll('#panels b').length") == 0
    assert console_errors(driver) == []


def test_a_downloaded_record_of_a_question_is_redrawn_by_viz_with_its_marks(
    driver,  # noqa: F811  (the fixture, imported)
    site,
    tmp_path,
):
    from viz.draw import draw_records, read

    behaviour = {"behavior": "allow", "downloadPath": str(tmp_path)}
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", behaviour)
    open_lab(driver, site, "&prefix=el&hide=1")
    first(driver, '[data-format="json"]').click()
    path = tmp_path / "the-red-car-is-fast.record.json"
    wait(driver, lambda: path.exists())
    [record] = read(path)
    assert (record.forced, record.hidden, len(record.alternatives)) == (
        1,
        (1,),
        len(record.target_tokens),
    )
    drawn = draw_records([record], tmp_path / "drawn", ["png"])
    assert {p.name for p in drawn} >= {"record-01.heatmap.png", "record-01.alternatives.png"}
