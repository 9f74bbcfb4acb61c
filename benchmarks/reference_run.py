"""Time ``python train.py`` (the reference run) and check it reaches its quality bar.

    python benchmarks/reference_run.py [--out DIR] [-- extra train.py flags]

Prints one table: wall time of the whole command, time inside ``fit``, epochs,
and the test-split numbers against the bars the reference model promises.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BARS = {"exact_match": (">=", 0.98), "aer": ("<=", 0.15), "wall_seconds": ("<=", 300.0)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="run directory (default: a temporary one)")
    parser.add_argument("train_flags", nargs="*", help="flags passed on to train.py")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        out = arguments.out or Path(scratch) / "reference"
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "train.py", "--out", str(out), "--overwrite", *arguments.train_flags],
            cwd=ROOT, check=True,
        )  # fmt: skip
        wall = time.perf_counter() - started
        metrics = json.loads((out / "metrics.json").read_text())
    metrics["wall_seconds"] = wall
    print(f"\nreference run on {platform.node()} ({platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()})")  # fmt: skip
    print(f"{'measure':<14} {'value':>9}  {'bar':>9}  ok")
    passed = True
    for name in ("wall_seconds", "train_seconds", "epochs", "exact_match", "bleu", "aer"):
        value = metrics[name]
        bar = ""
        ok = ""
        if name in BARS:
            sign, limit = BARS[name]
            good = value >= limit if sign == ">=" else value <= limit
            passed &= good
            bar, ok = f"{sign} {limit:g}", "yes" if good else "NO"
        print(f"{name:<14} {value:>9.3f}  {bar:>9}  {ok}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
