"""The page's normalization (static/model/text.js) against seq2seq.text, in headless Chromium.

The parity test is the specification: every English sentence of the Tatoeba file,
12,000 generated strings of the characters that normalization treats specially,
and every character Python's Unicode tables know, each normalized by both.
"""

from __future__ import annotations

import random
import sys
import unicodedata

import pytest
from test_browser import driver  # noqa: F401  (a fixture)

from seq2seq.lab.app import STATIC
from seq2seq.text import cased_as_typed, detokenize, normalize
from seq2seq.web import serve_folder

# Runs in the page: normalize (or the display form of) every string given, in one call.
NORMALIZE = """
const [strings, done] = arguments;
import("./text.js").then((text) => done(strings.map(text.normalize)), (e) => done(String(e)));
"""
DISPLAY = """
const [cases, done] = arguments;
import("./text.js").then((text) => done(cases.map(([tokens, typed, readAs]) =>
  text.detokenize(text.casedAsTyped(tokens, typed, readAs)))), (e) => done(String(e)));
"""

# What the generated strings are made of: what the rules of text.py look at, and more.
PIECES = [
    *"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_",
    *"áéíóúñüçàèßøåæœÁÉÍÓÚÑÜÇÀÈ",
    *"ΑΣσςΩωάΐ",  # Greek: the final sigma
    *"ДжЯюЁё",
    *"שלוםمرحبا",  # right to left
    *"日本語中文한국어",
    *"\u0300\u0301\u0303\u0308\u0327\u030c\u0307",  # combining marks
    *"İıǰẞǅ\u212a\u1e9e",  # letters whose case changes their length or form
    *"'\u2019\u02bc`´",  # apostrophes
    *"-\u2010\u2011\u2013\u2014",  # hyphens and dashes
    *'.,;:!?¿¡"()«»“”…[]{}/\\@#%&*+=<>|~^$',
    *" \t\n\r\v\f\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2009\u200a",  # spaces to Python
    *"\u2028\u202f\u205f\u3000\ufeff\u200b",  # and the last two, not to Python
    "'s",
    "qu'",
    "l'",
    "d'",
    "jusqu'",
    "-",
    "Tom's",
    "🙂",
    "👍🏽",
    "\U0001d400",  # mathematical bold capital A: a letter outside the first plane
]


def generated(count: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(PIECES, k=rng.randint(1, 24))) for _ in range(count)]


def known_characters() -> list[str]:
    """Every character Python's Unicode tables assign, outside the surrogates and private use."""
    return [
        chr(code)
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) not in ("Cn", "Cs", "Co")
    ]


@pytest.fixture(scope="module")
def page(driver):  # noqa: F811  (the driver fixture, imported)
    with serve_folder(STATIC / "model") as url:
        driver.get(url)  # the folder's listing: somewhere on the modules' origin
        driver.set_script_timeout(120)
        yield driver


def in_page(page, script: str, items: list) -> list:
    answer = page.execute_async_script(script, items)
    assert isinstance(answer, list), answer
    return answer


def mismatches(page, strings: list[str]) -> list[tuple[str, str, str]]:
    shown = in_page(page, NORMALIZE, strings)
    return [(s, normalize(s), js) for s, js in zip(strings, shown) if normalize(s) != js]


def test_the_page_normalizes_every_english_sentence_of_the_tatoeba_file_as_python(
    page, shared_data
):
    lines = (shared_data / "spa-eng.tsv").read_text(encoding="utf-8").splitlines()
    english = list(dict.fromkeys(line.split("\t")[0] for line in lines))
    assert len(english) > 50_000
    assert mismatches(page, english) == []


def test_the_page_normalizes_generated_strings_as_python(page):
    assert mismatches(page, generated(12_000)) == []


def test_the_page_normalizes_every_known_character_as_python(page):
    # Each character as a word on its own, before a possessive, around a hyphen and
    # after an elided article: its case, composition, and whether it is a letter or space.
    characters = known_characters()
    strings = [f"{c}'s {c}-{c} l'{c}.{c}" for c in characters]
    assert len(strings) > 140_000
    assert mismatches(page, strings) == []


def test_the_page_writes_a_translation_as_python_does(page):
    rng = random.Random(1)
    words = ["tom", "vive", "en", "boston", ".", "¿", "?", "«", "»", '"', "l'", "-ci", "'s", "mary"]
    typed = ["Tom lives in Boston.", "Is Mary here? Mary is.", "KENJI vit à Osaka", "« Tom »"]
    cases = []
    for _ in range(2000):
        tokens = rng.choices(words, k=rng.randint(0, 12))
        sentence = rng.choice(typed)
        read_as = rng.choice([None, ["[UNK]", *normalize(sentence).split()[1:]]])
        cases.append([tokens, sentence, read_as])
    shown = in_page(page, DISPLAY, cases)
    expected = [detokenize(cased_as_typed(t, typed, read)) for t, typed, read in cases]
    assert shown == expected
