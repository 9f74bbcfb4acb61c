"""Peak memory of the reference training run, measured from outside the process.

    python benchmarks/memory.py [-- extra train.py flags]

Runs ``python train.py`` (the reference run, pictures included) in a fresh
process and reads its peak resident set size from the kernel's accounting
(``wait4``, the ``ru_maxrss`` of ``resource.getrusage``), so nothing inside the
run is changed by measuring it. Prints one table: wall time, peak memory and
the exact match it reached.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import machine, print_table  # noqa: E402

BARS = {"exact_match": (">=", 0.98)}


def run_measured(command: Sequence[str], cwd: Path = ROOT) -> tuple[float, float]:
    """Run ``command`` to the end; its wall seconds and peak resident memory in MiB.

    Raises ``RuntimeError`` with the end of its error output if it fails.
    """
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            tail = errors.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"{' '.join(command)} exited with {process.returncode}:\n{tail}")
    return seconds, usage.ru_maxrss / 1024  # Linux counts ru_maxrss in KiB


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("train_flags", nargs="*", help="flags passed on to train.py")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "reference"
        command = [sys.executable, "train.py", "--out", str(out), *arguments.train_flags]
        seconds, peak = run_measured(command)
        metrics = json.loads((out / "metrics.json").read_text())
    results = {
        "wall_seconds": seconds,
        "peak_memory_mib": peak,
        "train_seconds": metrics["train_seconds"],
        "exact_match": metrics["exact_match"],
    }
    print(f"\n{' '.join(['train.py', *arguments.train_flags])} on {machine()}")
    return 0 if print_table(results, BARS) else 1


if __name__ == "__main__":
    sys.exit(main())
