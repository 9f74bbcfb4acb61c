"""Time ``python train.py`` (the reference run) and check it reaches its quality bar.

    python benchmarks/reference_run.py [--out DIR] [-- extra train.py flags]

Prints one table: wall time of the whole command, time inside ``fit``, epochs,
and the test-split numbers against the bars the reference model promises.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import machine, print_table  # noqa: E402

BARS = {"exact_match": (">=", 0.98), "aer": ("<=", 0.15), "wall_seconds": ("<=", 120.0)}


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
            cwd=ROOT,
            check=True,
        )
        wall = time.perf_counter() - started
        metrics = json.loads((out / "metrics.json").read_text())
    metrics["wall_seconds"] = wall
    print(f"\nreference run on {machine()}")
    names = ("wall_seconds", "train_seconds", "epochs", "exact_match", "bleu", "aer")
    return 0 if print_table({name: metrics[name] for name in names}, BARS) else 1


if __name__ == "__main__":
    sys.exit(main())
