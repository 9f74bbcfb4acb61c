"""viz.html in a real browser: hover, focus and click the page that `viz.to_html` writes.

Headless Chromium from the system's packages (Debian: ``apt-get install chromium
chromium-driver``), driven by Selenium. Selenium rather than Playwright: it
installs from PyPI as pure Python and starts the system's chromedriver as
given, whereas Playwright pins a browser build of its own and expects to
download it. With the driver's path given, Selenium never runs Selenium Manager,
so nothing is downloaded.

Where the browser or Selenium is missing the tests skip, unless
``SEQ2SEQ_REQUIRE_BROWSER=1`` (continuous integration sets it) makes them
fail. With ``SEQ2SEQ_SCREENSHOTS`` naming a folder, the screenshot is copied
there to look at.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from samples import RED_CAR

from viz import to_html
from viz.labels import is_shortened, label

# Tokens that are HTML or script: the page must show them as text and run none of them.
SOURCE_TOKENS = [
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
    '"&amp;"',
    "niño",
]
TARGET_TOKENS = [
    '"&amp;"',
    '<img src=x onerror="window.__pwned=1">',
    'x" onmouseover="window.__pwned=1',  # would break out of the table cells' title attribute
    "fin",
]
WEIGHTS = np.array(
    [
        [0.70, 0.10, 0.15, 0.05],  # one largest weight
        [0.05, 0.45, 0.05, 0.45],  # two equal largest: both are top
        [0.125, 0.25, 0.625, 0.0],  # exact halves in binary: 0.12 and 0.62, as in the pictures
        [1 / 3, 1 / 3, 1 / 3, 0.0],  # three equal largest
    ]
)
HIGHLIGHT = "rgba(213, 94, 0, 1)"  # --highlight in the page's CSS, as Chromium computes it


def _browser_missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "the selenium package is not installed (pip install -e '.[dev]')"
    if _chromium() is None or shutil.which("chromedriver") is None:
        return "Chromium or chromedriver is missing (apt-get install chromium chromium-driver)"
    return None


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def driver() -> Iterator:
    missing = _browser_missing()
    if missing is not None:
        if os.environ.get("SEQ2SEQ_REQUIRE_BROWSER") == "1":
            pytest.fail(f"SEQ2SEQ_REQUIRE_BROWSER=1 but {missing}.")
        pytest.skip(f"{missing}.")

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = _chromium()
    for argument in (
        "--headless=new",
        "--no-sandbox",  # root in a container has no sandbox to drop into
        "--disable-dev-shm-usage",
        "--window-size=1200,900",
        "--force-device-scale-factor=1",
    ):
        options.add_argument(argument)
    # The console's messages, for tests that check the page logs no error.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    yield browser
    browser.quit()


def screenshot(browser, path: Path) -> None:
    """Save what ``browser`` shows as the PNG ``path``; copy it to ``SEQ2SEQ_SCREENSHOTS`` too."""
    assert browser.save_screenshot(str(path))
    assert path.read_bytes().startswith(b"\x89PNG")
    folder = os.environ.get("SEQ2SEQ_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(folder) / path.name)


@pytest.fixture(scope="module")
def page_url(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("page") / "attention.html"
    to_html([(WEIGHTS, SOURCE_TOKENS, TARGET_TOKENS), RED_CAR], path=path)
    return path.as_uri()


@pytest.fixture
def page(driver, page_url):
    """The page freshly loaded, with the mouse resting on its title."""
    driver.get(page_url)
    hover(driver, heading(driver))
    return driver


def heading(driver):
    """The page's title: somewhere for the mouse to rest off every token."""
    from selenium.webdriver.common.by import By

    return driver.find_element(By.TAG_NAME, "h1")


def hover(driver, element) -> None:
    from selenium.webdriver import ActionChains

    ActionChains(driver, duration=0).move_to_element(element).perform()


def target(driver, index: int, section: int = 0):
    from selenium.webdriver.common.by import By

    selector = f'section[data-sentence-index="{section}"] [data-target-index="{index}"]'
    return driver.find_element(By.CSS_SELECTOR, selector)


def sources(driver, section: int = 0) -> list:
    from selenium.webdriver.common.by import By

    selector = f'section[data-sentence-index="{section}"] [data-source-index]'
    return driver.find_elements(By.CSS_SELECTOR, selector)


def tops(driver, section: int = 0) -> set[int]:
    return {j for j, source in enumerate(sources(driver, section)) if "top" in class_names(source)}


def labels(driver, section: int = 0) -> list[str]:
    from selenium.webdriver.common.by import By

    selector = f'section[data-sentence-index="{section}"] [data-source-index] .weight'
    return [label.text for label in driver.find_elements(By.CSS_SELECTOR, selector)]


def class_names(element) -> list[str]:
    return (element.get_attribute("class") or "").split()


def largest(row: np.ndarray) -> set[int]:
    return set(np.flatnonzero(row == row.max()).tolist())


def test_hovering_each_target_token_marks_exactly_its_largest_weights_top(page):
    for i, row in enumerate(WEIGHTS):
        hover(page, target(page, i))
        assert tops(page) == largest(row), f"target token {i}"


def test_top_source_tokens_are_outlined_in_the_highlight_colour(page):
    hover(page, target(page, 1))
    for j, source in enumerate(sources(page)):
        outlined = source.value_of_css_property("border-top-color") == HIGHLIGHT
        assert outlined == (j in largest(WEIGHTS[1])), f"source token {j}"


def test_hover_labels_show_each_weight_to_two_decimals(page):
    for i, row in enumerate(WEIGHTS):
        hover(page, target(page, i))
        assert labels(page) == [f"{weight:.2f}" for weight in row], f"target token {i}"


def test_hover_colours_source_tokens_like_the_tables_row(page):
    from selenium.webdriver.common.by import By

    for i in range(len(TARGET_TOKENS)):
        hover(page, target(page, i))
        cells = page.find_elements(
            By.CSS_SELECTOR, f'section[data-sentence-index="0"] tbody tr:nth-child({i + 1}) td'
        )
        expected = [cell.value_of_css_property("background-color") for cell in cells]
        shown = [source.value_of_css_property("background-color") for source in sources(page)]
        assert shown == expected, f"target token {i}"


def test_highlight_moves_with_the_mouse_and_clears_when_it_leaves(page):
    hover(page, target(page, 0))
    hover(page, target(page, 2))
    assert "active" not in class_names(target(page, 0))
    assert "active" in class_names(target(page, 2))
    assert tops(page) == largest(WEIGHTS[2])
    hover(page, heading(page))
    assert tops(page) == set()
    assert labels(page) == [""] * len(SOURCE_TOKENS)


def test_tab_focuses_target_tokens_in_order_and_shows_each(page):
    from selenium.webdriver import ActionChains
    from selenium.webdriver.common.keys import Keys

    for i, row in enumerate(WEIGHTS):
        ActionChains(page).send_keys(Keys.TAB).perform()
        assert page.switch_to.active_element == target(page, i)
        assert tops(page) == largest(row), f"target token {i}"
        assert labels(page) == [f"{weight:.2f}" for weight in row], f"target token {i}"


def test_click_pins_a_token_until_it_is_clicked_again(page):
    from selenium.webdriver import ActionChains

    title = heading(page)
    target(page, 2).click()
    ActionChains(page, duration=0).move_to_element(title).click().perform()  # leave and blur
    assert target(page, 2).get_attribute("aria-pressed") == "true"
    assert tops(page) == largest(WEIGHTS[2])

    hover(page, target(page, 0))
    assert tops(page) == largest(WEIGHTS[0])
    hover(page, title)
    assert tops(page) == largest(WEIGHTS[2])

    target(page, 2).click()
    hover(page, title)
    assert target(page, 2).get_attribute("aria-pressed") == "false"
    assert tops(page) == set()


def test_enter_on_a_focused_token_pins_it(page):
    from selenium.webdriver import ActionChains
    from selenium.webdriver.common.keys import Keys

    ActionChains(page).send_keys(Keys.TAB, Keys.TAB, Keys.ENTER, Keys.TAB).perform()
    assert target(page, 1).get_attribute("aria-pressed") == "true"
    page.execute_script("document.activeElement.blur()")
    assert tops(page) == largest(WEIGHTS[1])


def test_each_section_answers_only_its_own_tokens(page):
    hover(page, target(page, 1, section=1))
    assert tops(page, section=1) == largest(RED_CAR.weights[1])
    assert tops(page, section=0) == set()
    assert labels(page, section=0) == [""] * len(SOURCE_TOKENS)


def test_html_in_tokens_shows_as_the_literal_token(page):
    targets = [target(page, i) for i in range(len(TARGET_TOKENS))]
    assert [element.text for element in targets] == [label(token) for token in TARGET_TOKENS]
    # A token cut short is whole in its tooltip, markup and quotes included.
    assert [element.get_attribute("title") for element in targets] == [
        token if is_shortened(token) else "" for token in TARGET_TOKENS
    ]
    shown = page.execute_script(
        'return Array.from(document.querySelectorAll("section[data-sentence-index=\\"0\\"] '
        '[data-source-index]"), (source) => source.firstChild.nodeValue);'
    )
    assert shown == [label(token) for token in SOURCE_TOKENS]
    assert page.execute_script("return document.querySelectorAll('img').length") == 0
    assert page.execute_script("return document.scripts.length") == 3  # data, colours, code


def test_no_token_runs_as_script_when_hovered_focused_or_clicked(page):
    from selenium.webdriver.common.by import By

    for i in range(len(TARGET_TOKENS)):
        hover(page, target(page, i))
        target(page, i).click()
    for cell in page.find_elements(By.CSS_SELECTOR, 'section[data-sentence-index="0"] td'):
        hover(page, cell)
    assert page.execute_script("return typeof window.__pwned") == "undefined"


def test_the_page_loads_nothing_but_itself(page, page_url):
    assert page.execute_script("return performance.getEntriesByType('resource').length") == 0
    navigation = page.execute_script("return performance.getEntriesByType('navigation')[0].name")
    assert navigation == page_url


def test_screenshot_of_a_pinned_token_with_two_top_sources(page, tmp_path):
    target(page, 1).click()
    hover(page, heading(page))
    screenshot(page, tmp_path / "attention-page.png")
