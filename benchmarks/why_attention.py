"""Why attention: one network with and without it, the same minutes of training, scored by length.

    python benchmarks/why_attention.py [--budget SECONDS] [--out runs/why-attention]
                                       [--picture docs/why-attention.png]

Trains ``python train.py --preset long`` (additive attention) and ``--preset
long --attention none`` (the same encoder and decoder, the decoder reading
only the encoder's final state), one after the other, each in a process of
its own and for the same wall-clock budget (the preset's 150 seconds unless
``--budget`` says otherwise; the learning rate decays over it). Then scores
both on their held-out pairs by source length (``python -m seq2seq evaluate
--by-length``): BLEU, chrF and exact match per bucket of 5 tokens, and the
picture of Bahdanau et al. (2015, Figure 2), one line per model.

The experiment promises four things, checked as bars on BLEU:

- attention holds up: its longest bucket scores at least 90 % of its shortest;
- the model without attention does not: it loses at least 40 % of its shortest
  bucket's BLEU by the longest;
- in the longest bucket attention leads by at least 20 BLEU;
- in the shortest the two are within 10 BLEU: the loss is about length, not
  about a model too small to translate at all.

Each training's time is printed with the CPU time it took: on a machine shared
with other work, CPU seconds well under twice the wall seconds (two cores)
say how much of the budget went to others. Prints the table and the bars on
stderr and one JSON object on stdout; exits 1 when a bar is not met.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import machine, print_table  # noqa: E402

BARS = {
    "attention longest / shortest": (">=", 0.90),
    "none loses, shortest to longest": (">=", 0.40),
    "attention lead, longest": (">=", 20.0),
    "gap, shortest": ("<=", 10.0),
    "attention train seconds": ("<=", 180.0),
    "none train seconds": ("<=", 180.0),
}
MODELS = {"attention": [], "none": ["--attention", "none"]}  # train.py flags over the preset


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--budget",
        type=float,
        help="seconds of training each (default: the long preset's time budget)",
    )
    parser.add_argument(
        "--pairs", type=int, help="pairs of the corpus (default: the preset's); for a quick try"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "why-attention")
    parser.add_argument("--picture", type=Path, help="also copy the length picture here")
    parser.add_argument(
        "--no-train",
        action="store_true",
        help="score and draw the two runs already in --out instead of training them",
    )
    arguments = parser.parse_args()

    from seq2seq import presets
    from seq2seq.evaluation import evaluate_by_length

    budget = arguments.budget or presets.settings("long")["time_budget"]
    print(f"{machine()}, load average {os.getloadavg()[0]:.1f}", file=sys.stderr)
    report: dict = {"budget_seconds": budget, "load_average_before": os.getloadavg()[0]}
    runs = {}
    for name, flags in MODELS.items():
        runs[name] = arguments.out / ("long" if name == "attention" else "long-none")
        if arguments.no_train:
            report[name] = _trained(runs[name])
        else:
            report[name] = _train(runs[name], budget, arguments.pairs, flags)
    report["load_average_after"] = os.getloadavg()[0]
    picture = evaluate_by_length(
        list(runs.values()),
        out=arguments.out,
        log=lambda line: print(line, file=sys.stderr),
    )
    if arguments.picture:
        arguments.picture.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(picture, arguments.picture)
    for name, run in runs.items():
        metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
        report[name] |= {"bleu": metrics["bleu"], "buckets": metrics["by_length"]["buckets"]}
    report |= _measures(report["attention"]["buckets"], report["none"]["buckets"])
    results = {
        "attention longest / shortest": report["attention_longest_over_shortest"],
        "none loses, shortest to longest": report["none_loss"],
        "attention lead, longest": report["lead_longest"],
        "gap, shortest": report["gap_shortest"],
        "attention train seconds": report["attention"]["train_seconds"],
        "none train seconds": report["none"]["train_seconds"],
    }
    with contextlib.redirect_stdout(sys.stderr):
        print()
        passed = print_table(results, BARS)
    print(json.dumps(report))
    return 0 if passed else 1


def _train(out: Path, budget: float, pairs: int | None, flags: list[str]) -> dict:
    """Train one model of the long preset into ``out``; its seconds, epochs and CPU time."""
    command = [sys.executable, str(ROOT / "train.py"), "--preset", "long", *flags]
    command += ["--time-budget", str(budget), "--out", str(out), "--overwrite", "--no-pictures"]
    if pairs:
        command += ["--corpus-size", str(pairs)]
    print(" ".join(command[1:]), file=sys.stderr)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, check=True, cwd=ROOT, stdout=sys.stderr)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # the whole process: corpus, training, scoring
    return _trained(out) | {"process_cpu_seconds": round(cpu, 1)}


def _trained(out: Path) -> dict:
    """The seconds and epochs that the run in ``out`` trained."""
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    return {"train_seconds": metrics["train_seconds"], "epochs": metrics["epochs"]}


def _measures(attention: list[dict], none: list[dict]) -> dict:
    """The four numbers the bars check, on the held-out buckets' BLEU."""
    attention = [bucket for bucket in attention if bucket["set"] == "held out"]
    none = [bucket for bucket in none if bucket["set"] == "held out"]
    return {
        "attention_longest_over_shortest": _kept(attention),
        "none_loss": 1.0 - _kept(none),
        "lead_longest": attention[-1]["bleu"] - none[-1]["bleu"],
        "gap_shortest": abs(attention[0]["bleu"] - none[0]["bleu"]),
    }


def _kept(buckets: list[dict]) -> float:
    """The share of its shortest bucket's BLEU a model keeps in its longest; NaN, which no
    bar passes, for a model that scores 0 on its shortest (too briefly trained to say)."""
    shortest, longest = buckets[0]["bleu"], buckets[-1]["bleu"]
    return longest / shortest if shortest > 0 else float("nan")


if __name__ == "__main__":
    sys.exit(main())
