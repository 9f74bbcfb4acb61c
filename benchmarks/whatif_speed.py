"""Decoding with and without questions, and against an earlier revision, side by side.

    python benchmarks/whatif_speed.py [--run runs/reference] [--against main] [--rounds 5]

Times `Translator.translate_batch` on the run's held-out sources, greedy and
with a beam of 4, in this tree and as revision ``--against`` decodes them: that
revision's ``seq2seq/inference.py`` is loaded beside this one (``git show``)
and its `Translator` shares this one's model, so both decode with the same
weights in the same process, taking turns call by call, for ``--rounds``
rounds; and the greedy translations read back (`Translator.align`, which now
also ranks every word) the same way. Then, in this tree, the same sentences
asked each question of `seq2seq.whatif` (alternatives, a forced prefix, a
hidden word, a pointed step), each timed in the same rounds as plain decoding.
After a warm-up call that traces the compiled loops, each kind of call is made
``--repeats`` times a round; a rate is the best of all its calls (other work on
the machine only ever slows a call down), by the wall clock and by this
process's CPU time, and a ratio divides two such rates. On a machine shared
with other work the wall clock's ratios wander by 10 % and more from one run
to the next; the CPU time's, which count the work done, far less.

Bar: decoding asked nothing is as fast as before (this tree's sentences per CPU
second at least 0.95 of the earlier revision's). Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import machine, print_table  # noqa: E402

PLAIN_RATIO_BAR = 0.95
ALTERNATIVES = 5


def main() -> int:
    arguments = _parser().parse_args()
    from seq2seq import Translator, artifacts
    from seq2seq.whatif import WhatIf

    now = Translator.load(arguments.run)
    before = _earlier(arguments.against).Translator(now.model, now.vectorizers, now.config)
    sources = [pair.source for pair in artifacts.read_test_pairs(arguments.run)]
    sources = sources[: arguments.sentences]
    own = now.translate_batch(sources)
    targets = [translation.text for translation in own]
    beam = arguments.beam
    calls: dict[str, Callable[[], object]] = {
        "greedy before": lambda: before.translate_batch(sources),
        "greedy now": lambda: now.translate_batch(sources),
        f"beam {beam} before": lambda: before.translate_batch(sources, beam),
        f"beam {beam} now": lambda: now.translate_batch(sources, beam),
        "read before": lambda: before.align(sources, targets),
        "read now": lambda: now.align(sources, targets),
    }
    questions = {
        f"{ALTERNATIVES} alternatives": ([None] * len(sources), ALTERNATIVES),
        "prefix of 2 words": ([WhatIf(prefix=t.target_tokens[:2]) for t in own], 0),
        "first word hidden": ([WhatIf(hide=[0]) for _ in sources], 0),
        "step 1 pointed at word 0": ([WhatIf(point=[(1, 0)]) for _ in sources], 0),
    }
    for name, (what_if, alternatives) in questions.items():
        calls[f"greedy, {name}"] = lambda what_if=what_if, alternatives=alternatives: (
            now.translate_batch(sources, what_if=what_if, alternatives=alternatives)
        )
    calls[f"beam {beam}, {ALTERNATIVES} alternatives"] = lambda: now.translate_batch(
        sources, beam, alternatives=ALTERNATIVES
    )
    calls[f"read, {ALTERNATIVES} alternatives"] = lambda: now.align(sources, targets, ALTERNATIVES)
    for call in calls.values():
        call()  # traces the loops (a single batch is decoded eagerly the first time)
        call()
    rounds = [
        {name: _rate(call, len(sources), arguments.repeats) for name, call in calls.items()}
        for _ in range(arguments.rounds)
    ]  # sentences a second, the best of a round's calls, by each clock
    results = _results(rounds, beam)
    bars = {
        "/ before: greedy now, cpu": (">=", PLAIN_RATIO_BAR),
        f"/ before: beam {beam} now, cpu": (">=", PLAIN_RATIO_BAR),
    }
    print(
        f"\n{len(sources):,} held-out sentences of {arguments.run}, {arguments.rounds} rounds, "
        f"against {arguments.against}'s inference.py; on {machine()}"
    )
    passed = print_table(results, bars)
    print(json.dumps({**results, "passed": passed, "against": arguments.against}))
    return 0 if passed else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", type=Path, default=ROOT / "runs" / "reference")
    parser.add_argument("--against", default="main", help="the revision to compare (main)")
    parser.add_argument("--sentences", type=int, default=1000)
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=3)
    return parser


def _earlier(revision: str):
    """Revision ``revision``'s ``seq2seq/inference.py``, loaded as a module of its own."""
    text = subprocess.run(
        ["git", "show", f"{revision}:seq2seq/inference.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    folder = Path(tempfile.mkdtemp(prefix="whatif-speed-"))
    path = folder / "inference_before.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("inference_before", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # autograph reads a function's source through its module
    spec.loader.exec_module(module)
    return module


def _rate(call: Callable[[], object], sentences: int, repeats: int) -> dict[str, float]:
    """Sentences a second of ``call`` by the wall clock and by this process's CPU time,
    each the best of ``repeats`` calls."""
    wall = cpu = float("inf")
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    return {"wall": sentences / wall, "cpu": sentences / cpu}


def _results(rounds: list[dict[str, dict[str, float]]], beam: int) -> dict[str, float]:
    """Each kind's best rate over the rounds, and each ratio of best rates, by the wall
    clock and by CPU time."""
    best = {
        name: {clock: max(r[name][clock] for r in rounds) for clock in ("wall", "cpu")}
        for name in rounds[0]
    }
    results: dict[str, float] = {}

    def compare(name: str, label: str, to: str) -> None:
        results[f"{name} (sentences/s)"] = best[name]["wall"]
        for clock in ("wall", "cpu"):
            results[f"{label}: {name}, {clock}"] = best[name][clock] / best[to][clock]

    for mode in ("greedy", f"beam {beam}", "read"):
        results[f"{mode} before (sentences/s)"] = best[f"{mode} before"]["wall"]
        compare(f"{mode} now", "/ before", f"{mode} before")
    for name in rounds[0]:
        if name.endswith(("before", "now")):
            continue
        mode = name.split(",")[0] if "," in name else "greedy"
        compare(name, f"/ {mode} now", f"{mode} now")
    return results


if __name__ == "__main__":
    sys.exit(main())
