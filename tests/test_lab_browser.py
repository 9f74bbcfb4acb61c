"""The lab's page in headless Chromium: typing, stepping, the beam, two runs, downloads.

The server runs in a thread of the test process on a free loopback port, serving
the tiny run (additive attention) and a tiny run with dot-product attention.
Browser, skips and ``SEQ2SEQ_REQUIRE_BROWSER`` as in test_browser.py.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import httpx
import numpy as np
import pytest
from test_browser import driver, hover, screenshot  # noqa: F401  (driver is a fixture)
from test_lab import HOSTILE

from seq2seq.lab.app import create_app
from seq2seq.lab.server import BackgroundLab, load_runs

SENTENCE = "The red car is fast."
WAIT_SECONDS = 20


@pytest.fixture(scope="module")
def dot_run(tmp_path_factory, tiny_config) -> Path:
    from seq2seq.training import train

    out = tmp_path_factory.mktemp("runs") / "dot"
    # Smaller and shorter than the tiny run: it only has to attend differently.
    config = dataclasses.replace(tiny_config, attention="dot", corpus_size=600, epochs=1)
    train(config, out, log=lambda message: None)
    return out


@pytest.fixture(scope="module")
def lab(tiny_run, dot_run):
    background = BackgroundLab(create_app(load_runs([tiny_run, dot_run])))
    yield background
    background.stop()


@pytest.fixture
def page(driver, lab):  # noqa: F811  (the driver fixture, imported)
    driver.get(lab.url)
    wait(driver, lambda: driver.execute_script("return document.body.dataset.ready") == "true")
    return driver


def wait(browser, condition, seconds: float = WAIT_SECONDS) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, seconds, poll_frequency=0.05).until(lambda _: condition())


def api_record(lab, sentence: str, run: str, beam: int = 1) -> dict:
    body = {"sentences": [sentence], "run": run, "beam": beam}
    return httpx.post(f"{lab.url}api/translate", json=body, timeout=30).json()["records"][0]


def type_sentence(page, sentence: str) -> None:
    """Replace the text box's sentence, key by key, and wait until its heatmaps are drawn."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = page.find_element(By.ID, "sentence")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(sentence)
    script = "return document.getElementById('panels').dataset.sentence"
    wait(page, lambda: page.execute_script(script) == sentence)


def panel(page, number: int):
    from selenium.webdriver.common.by import By

    return page.find_elements(By.CSS_SELECTOR, "#panels > .panel")[number]


# What a panel shows, read in one go: a redraw between two reads would leave stale elements.
SNAPSHOT = """
const panel = document.querySelectorAll("#panels > .panel")[arguments[0]];
const all = (selector) => Array.from(panel.querySelectorAll(selector));
const text = (selector) => all(selector).map((node) => node.textContent);
const classes = (selector, name) => all(selector).map((node) => node.classList.contains(name));
const outline = panel.querySelector(".heatmap rect.current-row");
return {
  tokens: text(".translation .token"),
  future: classes(".translation .token", "future"),
  current: classes(".translation .token", "current"),
  pending: classes(".heatmap g.row", "pending"),
  weights: all(".heatmap g.row").map((row) =>
    Array.from(row.querySelectorAll("rect.cell"), (cell) => Number(cell.dataset.weight))),
  row_tops: all(".heatmap g.row rect.cell:first-child")
    .map((cell) => Number(cell.getAttribute("y"))),
  outline_top: outline && Number(outline.getAttribute("y")),
  fills: all(".heatmap rect.cell").map((cell) => cell.getAttribute("fill")),
  sources: text(".heatmap text.source-label"),
  bar_tokens: text(".bars .bar-token"),
  bar_weights: text(".bars .bar-weight"),
  scores: text(".hypothesis-score"),
  facts: panel.querySelector(".run-facts").textContent,
};
"""


def snapshot(page, number: int = 0) -> dict:
    return page.execute_script(SNAPSHOT, number)


def same_weights(shown: list, expected: list) -> bool:
    """Equal to a few ulps of float32: a sentence decoded in a batch of another size (the page's
    request and the test's may be decoded together) can differ in the last digit."""
    return np.shape(shown) == np.shape(expected) and np.allclose(shown, expected, atol=1e-5)


def shows(page, number: int, record: dict) -> bool:
    """Whether panel ``number`` shows this record's translation and weights."""
    shown = snapshot(page, number)
    return shown["tokens"] == record["target_tokens"] and same_weights(
        shown["weights"], record["weights"]
    )


def tokens(page, number: int = 0) -> list:
    return panel(page, number).find_elements("css selector", ".translation .token")


def set_step(page, step: int) -> None:
    """Move the decoding slider with the keyboard: Home, then the right arrow ``step`` times."""
    from selenium.webdriver.common.keys import Keys

    page.find_element("id", "step").send_keys(Keys.HOME, *[Keys.ARROW_RIGHT] * step)


def test_typing_draws_each_runs_heatmap_with_the_apis_weights_and_viz_colours(page, lab):
    from viz.style import colour_stops, get_style

    type_sentence(page, SENTENCE)
    stops = [background for background, _ in colour_stops(get_style("projector"))]
    for number, run in enumerate(("tiny", "dot")):
        record = api_record(lab, SENTENCE, run)
        shown = snapshot(page, number)
        assert shown["tokens"] == record["target_tokens"]
        assert same_weights(shown["weights"], record["weights"])
        assert shown["sources"] == record["source_tokens"]
        nearest = [int(np.floor(w * (len(stops) - 1) + 0.5)) for w in np.ravel(shown["weights"])]
        assert shown["fills"] == [stops[index] for index in nearest]


def test_two_runs_are_side_by_side_and_a_panel_switches_run(page, lab):
    from selenium.webdriver.support.ui import Select

    type_sentence(page, SENTENCE)
    tiny, dot = api_record(lab, SENTENCE, "tiny"), api_record(lab, SENTENCE, "dot")
    assert tiny["weights"] != dot["weights"]
    assert shows(page, 0, tiny) and shows(page, 1, dot)
    Select(panel(page, 1).find_element("css selector", "select.run")).select_by_value("tiny")
    wait(page, lambda: shows(page, 1, tiny))
    assert "additive" in snapshot(page, 1)["facts"]


def test_stepping_shows_the_partial_translation_and_outlines_the_current_row(page, lab):
    type_sentence(page, SENTENCE)
    length = len(api_record(lab, SENTENCE, "tiny")["target_tokens"])
    set_step(page, 2)
    shown = snapshot(page)
    assert shown["future"] == [i >= 2 for i in range(length)]
    assert shown["current"] == [i == 1 for i in range(length)]
    assert shown["pending"] == [i >= 2 for i in range(length)]
    assert shown["outline_top"] == shown["row_tops"][1] + 1
    assert page.find_element("id", "step-label").text == f"2 of {length} words"


def test_play_steps_through_every_output_word_and_stops_at_the_end(page, lab):
    type_sentence(page, "I eat.")
    length = len(api_record(lab, "I eat.", "tiny")["target_tokens"])
    set_step(page, 0)
    play = page.find_element("id", "play")
    play.click()
    assert play.text == "Pause"
    seen = set()

    def finished() -> bool:
        seen.add(page.find_element("id", "step").get_attribute("value"))
        return play.text == "Play"

    wait(page, finished, seconds=length * 0.7 + 10)
    assert page.find_element("id", "step").get_attribute("value") == str(length)
    assert len(seen) >= 2  # it went through steps, not straight to the end


def test_pointing_at_or_tabbing_to_an_output_word_shows_the_bars_of_its_weights(page, lab):
    from selenium.webdriver import ActionChains
    from selenium.webdriver.common.keys import Keys

    type_sentence(page, SENTENCE)
    record = api_record(lab, SENTENCE, "tiny")
    hover(page, tokens(page)[2])
    assert snapshot(page)["bar_weights"] == [f"{w:.2f}" for w in record["weights"][2]]
    assert snapshot(page)["bar_tokens"] == record["source_tokens"]
    hover(page, page.find_element("tag name", "h1"))
    tokens(page)[0].click()  # pins word 0
    ActionChains(page).send_keys(Keys.TAB).perform()  # the keyboard moves on to word 1
    assert page.switch_to.active_element.get_attribute("data-target-index") == "1"
    assert snapshot(page)["bar_weights"] == [f"{w:.2f}" for w in record["weights"][0]]


def test_a_wider_beam_lists_its_best_hypotheses_and_shows_the_one_chosen(page, lab):
    from selenium.webdriver.support.ui import Select

    type_sentence(page, SENTENCE)
    Select(page.find_element("id", "beam")).select_by_value("3")
    record = api_record(lab, SENTENCE, "tiny", beam=3)
    scores = [f"log-probability {h['score']:.2f}" for h in record["hypotheses"]]
    wait(page, lambda: snapshot(page)["scores"] == scores)
    panel(page, 0).find_elements("css selector", ".hypothesis-choice")[-1].click()
    assert shows(page, 0, record["hypotheses"][-1])


def test_the_download_buttons_save_a_png_drawn_by_viz_and_the_json_record(page, tmp_path):
    behaviour = {"behavior": "allow", "downloadPath": str(tmp_path)}
    page.execute_cdp_cmd("Browser.setDownloadBehavior", behaviour)
    type_sentence(page, "I eat.")
    panel(page, 0).find_element("css selector", '[data-format="png"]').click()
    panel(page, 0).find_element("css selector", '[data-format="json"]').click()
    png, record = tmp_path / "i-eat.heatmap.png", tmp_path / "i-eat.record.json"
    deadline = time.monotonic() + WAIT_SECONDS
    while not (png.exists() and record.exists()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert png.read_bytes().startswith(b"\x89PNG")
    assert '"format": "attention-record"' in record.read_text()


def test_script_and_markup_in_tokens_show_as_text_and_run_nothing(page, lab):
    type_sentence(page, HOSTILE)
    record = api_record(lab, HOSTILE, "tiny")
    assert snapshot(page)["sources"] == record["source_tokens"]
    hover(page, tokens(page)[0])
    assert snapshot(page)["bar_tokens"] == record["source_tokens"]
    assert page.execute_script("return document.querySelectorAll('img').length") == 0
    assert page.execute_script("return document.scripts.length") == 1
    assert page.execute_script("return typeof window.__pwned") == "undefined"


def test_projector_mode_enlarges_the_type_and_keyboard_focus_is_visible(page):
    from selenium.webdriver import ActionChains
    from selenium.webdriver.common.keys import Keys

    type_sentence(page, "I eat.")
    before = float(tokens(page)[0].value_of_css_property("font-size").rstrip("px"))
    page.find_element("id", "projector").send_keys(Keys.ENTER)
    after = float(tokens(page)[0].value_of_css_property("font-size").rstrip("px"))
    assert after > 1.3 * before
    page.find_element("id", "play").click()
    page.find_element("id", "play").click()  # paused again
    ActionChains(page).send_keys(Keys.TAB, Keys.TAB, Keys.TAB).perform()  # slider, run, word
    focused = page.switch_to.active_element
    assert focused.get_attribute("data-target-index") == "0"
    assert focused.value_of_css_property("outline-style") == "solid"


def test_the_api_page_lists_every_endpoint_offline_under_the_labs_policy(driver, lab, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By

    driver.get(f"{lab.url}docs")
    paths = "return [...document.querySelectorAll('.opblock-summary-path')].map(e => e.textContent)"
    wait(driver, lambda: len(driver.execute_script(paths)) >= 3)
    assert {"/api/translate", "/api/runs", "/api/picture"} <= set(driver.execute_script(paths))
    assert "Seeing attention" in driver.find_element(By.CSS_SELECTOR, ".info .title").text
    policy = httpx.get(f"{lab.url}docs", timeout=30).headers["content-security-policy"]
    assert policy.startswith("default-src 'self'")
    screenshot(driver, tmp_path / "lab-docs.png")


@pytest.fixture(scope="module")
def none_lab(tiny_run, tiny_none_run):
    background = BackgroundLab(create_app(load_runs([tiny_run, tiny_none_run])))
    yield background
    background.stop()


@pytest.fixture(scope="module")
def none_site(tmp_path_factory, tiny_run, tiny_none_run):
    """Both runs exported as the static page (`export --web`), served as files."""
    from seq2seq.web import export_web, serve_folder

    page = export_web([tiny_run, tiny_none_run], tmp_path_factory.mktemp("web") / "page")
    with serve_folder(page) as url:
        yield url


@pytest.mark.parametrize("backend", ["server", "static"])
def test_a_run_without_attention_shows_its_translation_and_a_line_instead_of_a_heatmap(
    driver,  # noqa: F811  (the driver fixture, imported)
    request,
    backend,
    tiny_none_translator,
):
    url = request.getfixturevalue("none_lab").url if backend == "server" else None
    driver.get(url or request.getfixturevalue("none_site"))
    wait(driver, lambda: driver.execute_script("return document.body.dataset.ready") == "true")
    type_sentence(driver, SENTENCE)
    expected = tiny_none_translator.translate(SENTENCE)
    shown = snapshot(driver, 1)
    assert shown["tokens"] == expected.target_tokens and shown["weights"] == []
    assert shown["facts"].startswith("no attention")
    other = panel(driver, 1)
    note = other.find_element("css selector", ".heatmap").text
    assert "This model has no attention" in note and "no heatmap to draw" in note
    assert not other.find_elements("css selector", ".heatmap svg, .hypotheses svg")
    disabled = {
        button.get_attribute("data-format"): not button.is_enabled()
        for button in other.find_elements("css selector", "[data-format]")
    }
    assert disabled == {"png": True, "svg": True, "gif": True, "json": False}
    assert snapshot(driver, 0)["weights"]  # the run with attention beside it draws its own


def test_screenshots_of_the_lab(page, tmp_path):
    from selenium.webdriver.support.ui import Select

    type_sentence(page, SENTENCE)
    Select(page.find_element("id", "beam")).select_by_value("3")
    set_step(page, 3)
    screenshot(page, tmp_path / "lab.png")
