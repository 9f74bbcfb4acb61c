"""The static page in headless Chromium: download size, first translation, typing, beam 4.

    python benchmarks/web_page.py --run runs/spa --sentences 50 [--parity 1000]

Exports each ``--run`` on its own (``python -m seq2seq export --web``), serves the
folder with Python's ``http.server`` on loopback, as a USB stick would be served,
and measures in headless Chromium (Selenium and the system's chromedriver):

- the bytes the page downloads, as sent (the weights gzipped);
- from opening the page with an empty cache to its first translation on screen;
- from the last key press to the heatmap painted, typing held-out sentences of at
  most 16 tokens key by key, greedy and with a beam of 4 (the page's own clock);
- each question of the page's own model (5 alternatives a step, a forced prefix, a
  hidden word, a pointed step, its own translation read), greedy, in milliseconds
  from asking to the answer, beside a plain translation of the same sentences;
- with ``--parity N``, the page's greedy and beam-4 translations of N held-out
  sources against `Translator.translate_batch`.

Bars: download ≤ 8 MB, first translation ≤ 3 s, key press to heatmap p95 ≤ 50 ms
greedy and ≤ 150 ms at beam 4, each question's p95 ≤ 50 ms; parity: greedy tokens
equal for ≥ 99.9 % (any difference at a near tie, < 1e-4), weights within 1e-4,
beam-4 best equal ≥ 99.5 %.
Prints a table per run on stderr and one JSON object on stdout, on one line.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import machine, print_table  # noqa: E402

MAX_TOKENS = 16
COLD_OPENS = 3
WAIT_SECONDS = 60.0
NEAR_TIE = 1e-4
WEIGHT_TOLERANCE = 1e-4
BARS = {
    "download_mb": ("<=", 8.0),
    "first_translation_s": ("<=", 3.0),
    "key_to_heatmap_p95_ms": ("<=", 50.0),
    "beam4_key_to_heatmap_p95_ms": ("<=", 150.0),
    "greedy_equal_share": (">=", 0.999),
    "greedy_differences_not_near_ties": ("<=", 0),
    "weights_beyond_1e-4": ("<=", 0),
    "beam4_best_equal_share": (">=", 0.995),
    **{f"{name}_p95_ms": ("<=", 50.0) for name in ("alternatives", "prefix", "hide", "point")},
    "reference_p95_ms": ("<=", 50.0),
}
DRAWN = "return document.getElementById('panels').dataset.drawn"
LATENCY = "return Number(document.getElementById('panels').dataset.latencyMs)"
DRAWN_AT = "return Number(document.getElementById('panels').dataset.drawnAtMs)"
DOWNLOADED = """
const entries = [...performance.getEntriesByType("navigation"),
                 ...performance.getEntriesByType("resource")];
return entries.reduce((total, entry) => total + entry.encodedBodySize, 0);
"""
# Runs in the page: a run's Translator, each sentence translated, as plain JSON. Takes
# the run's name, the sentences, the beam width and, optionally, whether to use SIMD.
TRANSLATE = """
const [run, sentences, beam, ...rest] = arguments;
const done = rest.pop();
const simd = rest.length ? rest[0] : true;
import("/static/backend.js").then(async (backend) => {
  const page = await backend.browserBackend(location.origin + "/", {simd});
  const translator = await page.translator(run);
  if (translator.model.simd !== simd) throw new Error(`SIMD is ${translator.model.simd}`);
  done(sentences.map((sentence) => {
    const t = translator.translate(sentence, beam, 1);
    return {tokens: t.targetTokens, weights: t.weights && t.weights.map((row) => Array.from(row)),
            score: t.score, margins: t.margins || null, sentence: t.sentence};
  }));
}).catch((error) => done(String(error.stack || error)));
"""
# Runs in the page: each sentence translated by the page's own model, then asked each
# question (greedy), the time of each answer in milliseconds, by the question's name.
QUESTIONS = """
const [run, sentences, done] = arguments;
import("/static/backend.js").then(async (module) => {
  const backend = await module.browserBackend(location.origin + "/");
  const times = {plain: [], alternatives: [], prefix: [], hide: [], point: [], reference: []};
  for (const sentence of sentences) {
    const own = (await backend.translate([sentence], run, 1))[0];
    const questions = {
      plain: {}, alternatives: {alternatives: 5}, prefix: {prefix: own.target_tokens.slice(0, 2)},
      hide: {hide: [0]}, point: {point: [{step: 1, source: 0}]},
      reference: {reference: own.target_tokens.join(" ")},
    };
    for (const [name, asked] of Object.entries(questions)) {
      const started = performance.now();
      await backend.translate([sentence], run, 1, asked);
      times[name].push(performance.now() - started);
    }
  }
  done(times);
}).catch((error) => done(String(error.stack || error)));
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", type=Path, action="append", required=True, dest="runs")
    parser.add_argument("--sentences", type=int, default=50, help="sentences to type (50)")
    parser.add_argument("--parity", type=int, default=0, metavar="N", help="held-out sources")
    arguments = parser.parse_args()
    report, passed = {}, True
    for run in arguments.runs:
        results = measure(run, arguments.sentences, arguments.parity)
        # Other work on the machine shows in the times: say how busy it was.
        results["load_average"] = os.getloadavg()[0]
        stdout, sys.stdout = sys.stdout, sys.stderr
        try:
            print(
                f"\n{run.name}: {machine()}, {os.cpu_count()} cores, load average "
                f"{results['load_average']:.1f}; headless Chromium, http.server on loopback"
            )
            bars = {name: bar for name, bar in BARS.items() if name in results}
            passed &= print_table({k: v for k, v in results.items() if isinstance(v, float)}, bars)
        finally:
            sys.stdout = stdout
        report[run.name] = results
    print(json.dumps({"runs": report, "passed": passed}))
    return 0 if passed else 1


def measure(run: Path, sentences: int, parity_sources: int) -> dict:
    from seq2seq import artifacts
    from seq2seq.web import export_web, serve_folder

    pairs = artifacts.read_test_pairs(run)
    sources = list(dict.fromkeys(pair.source for pair in pairs))
    with tempfile.TemporaryDirectory(prefix="web-page-") as folder:
        page = export_web([run], Path(folder) / "page")
        with serve_folder(page) as url:
            address = f"{url}#runs={run.name}"
            results = cold_opens(address)
            short = [s for s in sources if len(_tokens(s)) <= MAX_TOKENS][:sentences]
            browser = _browser()
            try:
                _open(browser, address)
                greedy = _type_all(browser, short)
                _choose_beam(browser, 4)
                beam = _type_all(browser, short)
                results |= _percentiles("key_to_heatmap", greedy)
                results |= _percentiles("beam4_key_to_heatmap", beam)
                results |= measure_questions(browser, run, short)
                if parity_sources:
                    results |= measure_parity(browser, run, sources[:parity_sources])
            finally:
                browser.quit()
    return results


def cold_opens(address: str) -> dict:
    """Download size and time to the first translation, each open with an empty cache."""
    times, sizes = [], []
    for _ in range(COLD_OPENS):
        browser = _browser()
        try:
            browser.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
            _open(browser, address)
            times.append(browser.execute_script(DRAWN_AT) / 1000)
            sizes.append(browser.execute_script(DOWNLOADED) / 1e6)
        finally:
            browser.quit()
    return {
        "download_mb": max(sizes),
        "first_translation_s": statistics.median(times),
        "first_translation_max_s": max(times),
    }


def measure_questions(browser, run: Path, sentences: list[str]) -> dict:
    """Each question's time to its answer in the page's own model (`QUESTIONS`)."""
    browser.set_script_timeout(600)
    here = browser.current_url
    browser.get(here.split("#")[0] + "runs/")  # the page's origin, no page
    times = browser.execute_async_script(QUESTIONS, run.name, sentences)
    browser.get(here)
    if not isinstance(times, dict):
        raise RuntimeError(f"the page failed: {times}")
    results = {}
    for name, latencies in times.items():
        results |= _percentiles(name, latencies)
    return results


def measure_parity(browser, run: Path, sources: list[str]) -> dict:
    from seq2seq import Translator

    translator = Translator.load(run)
    browser.set_script_timeout(3600)
    browser.get(browser.current_url.split("#")[0] + "runs/")  # the page's origin, no page
    found = {}
    for beam in (1, 4):
        answers = browser.execute_async_script(TRANSLATE, run.name, sources, beam)
        if not isinstance(answers, list):
            raise RuntimeError(f"the page failed: {answers}")
        expected = translator.translate_batch(sources, beam_width=beam)
        found[beam] = parity(sources, expected, answers)
    greedy, beam4 = found[1], found[4]
    return {
        "parity_sources": float(len(sources)),
        "greedy_equal_share": greedy["same"] / len(sources),
        "greedy_differences_not_near_ties": float(len(greedy["differences"]) - greedy["ties"]),
        "weights_beyond_1e-4": float(greedy["far"] + beam4["far"]),
        "largest_weight_gap": max(greedy["largest_gap"], beam4["largest_gap"]),
        "beam4_best_equal_share": beam4["same"] / len(sources),
        "greedy_differences": greedy["differences"],
        "beam4_differences": beam4["differences"],
    }


def parity(sentences: list[str], expected: list, answers: list[dict]) -> dict:
    """How the page's translations stand against the Translator's, sentence by sentence.

    ``same``: equal tokens; ``differences``: (sentence, Python's tokens, the page's, the
    page's margin at the first differing step); ``ties``: differences at a margin under
    `NEAR_TIE`; ``far``: equal tokens with a weight off by more than `WEIGHT_TOLERANCE`
    or a score by more than 1e-3; ``written``: equal tokens written differently.
    """
    same, ties, far, written, largest, differences = 0, 0, 0, 0, 0.0, []
    for sentence, python, page in zip(sentences, expected, answers):
        if python.target_tokens != page["tokens"]:
            pairs = zip(python.target_tokens, page["tokens"])
            step = next(
                (i for i, (a, b) in enumerate(pairs) if a != b),
                min(len(python.target_tokens), len(page["tokens"])),
            )
            margins = page["margins"] or []
            margin = margins[step] if step < len(margins) else None
            ties += margin is not None and margin < NEAR_TIE
            differences.append((sentence, python.target_tokens, page["tokens"], margin))
            continue
        same += 1
        weights = np.asarray(page["weights"], dtype=np.float32).reshape(python.weights.shape)
        gap = float(np.max(np.abs(weights - python.weights), initial=0.0))
        largest = max(largest, gap)
        far += gap > WEIGHT_TOLERANCE or abs(page["score"] - python.score) > 1e-3
        written += page["sentence"] != python.sentence
    return {
        "same": same,
        "ties": ties,
        "far": far,
        "written": written,
        "largest_gap": largest,
        "differences": differences,
    }


def _tokens(sentence: str) -> list[str]:
    from seq2seq.text import tokenize

    return tokenize(sentence)


def _percentiles(name: str, latencies: list[float]) -> dict:
    ordered = sorted(latencies)
    return {
        f"{name}_p50_ms": float(statistics.median(ordered)),
        f"{name}_p95_ms": float(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]),
    }


def _browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser")
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1400,1000",
    ):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


def _open(browser, address: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(address)
    WebDriverWait(browser, WAIT_SECONDS, poll_frequency=0.02).until(
        lambda _: browser.execute_script("return document.body.dataset.ready") == "true"
    )


def _choose_beam(browser, width: int) -> None:
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element("id", "beam")).select_by_value(str(width))


def _type_all(browser, sentences: list[str]) -> list[float]:
    """Type each sentence into the page; the page's key-to-heatmap time of each, in ms."""
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    box = browser.find_element("id", "sentence")
    latencies = []
    for sentence in sentences:
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys(sentence)
        WebDriverWait(browser, WAIT_SECONDS, poll_frequency=0.01).until(
            lambda _, sentence=sentence: browser.execute_script(DRAWN) == sentence
        )
        latencies.append(browser.execute_script(LATENCY))
        time.sleep(0.2)  # a pause between sentences, as a person makes
    return latencies


if __name__ == "__main__":
    sys.exit(main())
