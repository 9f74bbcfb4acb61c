"""Decoding with and without questions, and against an earlier revision, side by side.

    python benchmarks/whatif_speed.py [--run runs/reference] [--against main] [--rounds 3]

Times `Translator.translate_batch` on the run's held-out sources (greedy, and a
beam of 4) in this tree and in revision ``--against`` (its ``seq2seq`` package
taken with ``git archive``), each in a fresh process, the two taking turns for
``--rounds`` rounds so that both see the same load; then, in this tree, the
same sentences asked each question of `seq2seq.whatif` (alternatives, a forced
prefix, a hidden word, a pointed step) and read back with `Translator.align`.
Every measure is the best of ``--repeats`` calls after a warm-up call that
traces the compiled loops; a round's ratios divide measures taken in it.

Bars: decoding asked nothing is as fast as before (this tree's sentences a
second at least 0.95 of the earlier revision's, the median over rounds).
Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Last, not first: a measuring process takes seq2seq from the tree its PYTHONPATH names.
sys.path.append(str(ROOT))

from benchmarks.common import machine, print_table  # noqa: E402

PLAIN_RATIO_BAR = 0.95
ALTERNATIVES = 5


def main() -> int:
    arguments = _parser().parse_args()
    if arguments.child:
        print(json.dumps(_measure(arguments)))
        return 0
    with tempfile.TemporaryDirectory(prefix="whatif-speed-") as scratch:
        earlier = Path(scratch)
        archive = subprocess.run(
            ["git", "archive", arguments.against, "seq2seq"],
            cwd=ROOT,
            check=True,
            capture_output=True,
        ).stdout
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(earlier, filter="data")
        rounds = []
        for _ in range(arguments.rounds):
            before = _child(arguments, earlier, questions=False)
            after = _child(arguments, ROOT, questions=True)
            rounds.append((before, after))
    results = _results(rounds)
    bars = {
        "greedy: now / before": (">=", PLAIN_RATIO_BAR),
        f"beam {arguments.beam}: now / before": (">=", PLAIN_RATIO_BAR),
    }
    print(
        f"\n{arguments.sentences:,} held-out sentences of {arguments.run}, {arguments.rounds} "
        f"rounds against {arguments.against}; on {machine()}"
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
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--questions", action="store_true", help=argparse.SUPPRESS)
    return parser


def _child(arguments: argparse.Namespace, tree: Path, questions: bool) -> dict[str, float]:
    """One process's measures, with ``tree``'s seq2seq package first on the path."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--run",
        str(arguments.run),
        "--sentences",
        str(arguments.sentences),
        "--beam",
        str(arguments.beam),
        "--repeats",
        str(arguments.repeats),
        *(["--questions"] if questions else []),
    ]
    environment = {**os.environ, "PYTHONPATH": str(tree), "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(command, cwd=tree, env=environment, check=True, capture_output=True)
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


def _measure(arguments: argparse.Namespace) -> dict[str, float]:
    """Sentences a second of each kind of decoding, in this process's seq2seq."""
    from seq2seq import Translator, artifacts

    translator = Translator.load(arguments.run)
    sources = [pair.source for pair in artifacts.read_test_pairs(arguments.run)]
    sources = sources[: arguments.sentences]

    def rate(call) -> float:
        call()  # traces the loop
        best = float("inf")
        for _ in range(arguments.repeats):
            started = time.perf_counter()
            call()
            best = min(best, time.perf_counter() - started)
        return len(sources) / best

    results = {
        "greedy": rate(lambda: translator.translate_batch(sources)),
        f"beam {arguments.beam}": rate(lambda: translator.translate_batch(sources, arguments.beam)),
    }
    if not arguments.questions:
        return results
    from seq2seq.whatif import WhatIf

    own = translator.translate_batch(sources)
    asked = {
        f"{ALTERNATIVES} alternatives": ([None] * len(sources), ALTERNATIVES),
        "prefix of 2 words": ([WhatIf(prefix=t.target_tokens[:2]) for t in own], 0),
        "first word hidden": ([WhatIf(hide=[0]) for _ in sources], 0),
        "step 1 pointed at word 0": ([WhatIf(point=[(1, 0)]) for _ in sources], 0),
    }
    for name, (what_if, alternatives) in asked.items():
        results[f"greedy, {name}"] = rate(
            lambda what_if=what_if, alternatives=alternatives: translator.translate_batch(
                sources, what_if=what_if, alternatives=alternatives
            )
        )
    results[f"beam {arguments.beam}, {ALTERNATIVES} alternatives"] = rate(
        lambda: translator.translate_batch(sources, arguments.beam, alternatives=ALTERNATIVES)
    )
    targets = [t.text for t in own]
    results["read (align), with ranks"] = rate(lambda: translator.align(sources, targets))
    return results


def _results(rounds: list[tuple[dict, dict]]) -> dict[str, float]:
    """Medians over the rounds: sentences a second, and ratios taken within each round."""
    results: dict[str, float] = {}
    plain = [name for name in rounds[0][0]]
    for name in plain:
        results[f"{name} before (sentences/s)"] = statistics.median(b[name] for b, _ in rounds)
        results[f"{name} now (sentences/s)"] = statistics.median(a[name] for _, a in rounds)
        results[f"{name}: now / before"] = statistics.median(a[name] / b[name] for b, a in rounds)
    for name in rounds[0][1]:
        if name in plain:
            continue
        mode = name.split(",")[0] if name.startswith(("greedy", "beam")) else "greedy"
        results[f"{name} (sentences/s)"] = statistics.median(a[name] for _, a in rounds)
        results[f"{name}: / {mode} now"] = statistics.median(a[name] / a[mode] for _, a in rounds)
    return results


if __name__ == "__main__":
    sys.exit(main())
