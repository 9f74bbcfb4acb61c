"""Time translation and drawing with a trained run.

    python benchmarks/inference_speed.py [--run runs/reference] [--sentences 1000]

Translates the run's held-out test sources in one batched call per decoding
mode (greedy, then beam search), after a warm-up call that traces the compiled
loops; writes each kind of picture of one sentence, and the training pictures
of one probe sentence, a few times; and runs ``python -m seq2seq translate``
on one sentence, pictures included, from a cold start (a new process) a few
times. Prints one table: sentences per second per mode, seconds per picture
and per cold command (the median of the repeats), and the bars promised.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import machine, print_table  # noqa: E402
from seq2seq import artifacts  # noqa: E402
from seq2seq.errors import UserError  # noqa: E402

BARS = {
    "greedy sentences/s": (">=", 200.0),
    "heatmap.png seconds": ("<=", 0.5),
    "cold translate seconds": ("<=", 8.0),
}
COLD_SENTENCE = "Maria likes the red cars."


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", type=Path, default=ROOT / "runs" / "reference")
    parser.add_argument("--sentences", type=int, default=1000)
    parser.add_argument("--beam", type=int, default=4, help="beam width to time (default: 4)")
    parser.add_argument("--repeats", type=int, default=5, help="writes per picture kind")
    arguments = parser.parse_args()
    test_pairs = arguments.run / artifacts.TEST_PAIRS
    if not test_pairs.is_file():
        print(f"error: {test_pairs} is missing; run `python train.py` first.", file=sys.stderr)
        return 2

    import viz
    from seq2seq import Translator

    try:
        translator = Translator.load(arguments.run)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    test = artifacts.read_test_pairs(arguments.run)
    sources = [pair.source for pair in test][: arguments.sentences]

    results: dict[str, float] = {}
    for label, beam_width in (("greedy", 1), (f"beam {arguments.beam}", arguments.beam)):
        translator.translate_batch(sources, beam_width)  # trace the loop
        started = time.perf_counter()
        translations = translator.translate_batch(sources, beam_width)
        results[f"{label} sentences/s"] = len(sources) / (time.perf_counter() - started)

    sample = max(translations[:50], key=lambda t: len(t.source_tokens))
    with tempfile.TemporaryDirectory() as scratch:
        for name, draw in (
            ("heatmap.png", viz.plot_heatmap),
            ("attention.gif", viz.animate_attention),
            ("bars.png", viz.plot_token_bars),
            ("page.html", viz.to_html),
        ):
            path = Path(scratch) / name
            draw(sample, path=path)  # warm-up: fonts, caches
            seconds = []
            for _ in range(arguments.repeats):
                started = time.perf_counter()
                draw(sample, path=path)
                seconds.append(time.perf_counter() - started)
            results[f"{name} seconds"] = statistics.median(seconds)
        probe = artifacts.read_snapshots(arguments.run)["probes"][0]
        snapshots = (
            [entry["weights"] for entry in probe["epochs"]],
            probe["source_tokens"],
            probe["target_tokens"],
        )
        for name, draw in (
            ("training.gif", viz.animate_training),
            ("training.png", viz.plot_training),
        ):
            path = Path(scratch) / name
            seconds = []
            for _ in range(arguments.repeats):
                started = time.perf_counter()
                draw(*snapshots, path=path)
                seconds.append(time.perf_counter() - started)
            results[f"{name} seconds"] = statistics.median(seconds)
        results["cold translate seconds"] = statistics.median(
            _cold_translate(arguments.run, Path(scratch) / "cold") for _ in range(arguments.repeats)
        )

    print(
        f"\n{len(sources):,} held-out sentences of {arguments.run}; pictures of a "
        f"{len(sample.target_tokens)}x{len(sample.source_tokens)} translation, training "
        f"pictures of {len(snapshots[0])} snapshots; cold start: {COLD_SENTENCE!r}"
    )
    print(f"on {machine()}")
    return 0 if print_table(results, BARS) else 1


def _cold_translate(run: Path, out: Path) -> float:
    """Wall seconds of ``python -m seq2seq translate`` of one sentence, all pictures written."""
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "seq2seq",
            "translate",
            "--run",
            str(run),
            "--out",
            str(out),
            COLD_SENTENCE,
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
