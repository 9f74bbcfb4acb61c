"""Pictures of a very long word stay small and quick; of ordinary sentences, as they were.

    python benchmarks/long_tokens.py --run runs/reference [--letters 5000] [--sentences 6]

1. A record whose source and target each hold one word of ``--letters`` letters
   (a sentence of six tokens a side) is drawn by every picture `viz` makes,
   each ``--repeats`` times in a fresh process: the drawing's wall seconds
   (the fastest: the machine may be shared), the process's peak resident
   memory (``ru_maxrss``: Python, numpy and matplotlib included; the largest)
   and the picture's size in pixels. Bars: at most 5 s and 500 MiB a picture.
2. The same for the ``--base`` commit's viz (``git archive``, nothing checked
   out) on a word of ``--base-letters`` letters, under a 4 GiB address-space
   cap: how it grew before labels were bounded.
3. The run's first ``--sentences`` held-out sentences, translated with a beam of
   2 (their two best kept), are drawn by this checkout's viz and by the base
   commit's: every PNG and every GIF frame compared pixel by pixel, and the
   heatmap's drawing time measured side by side, ``--rounds`` alternating
   rounds of fresh processes (the median of each side).

Prints tables on stderr and one JSON object on stdout, on one line.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SECONDS_BAR = 5.0
MEMORY_BAR_MIB = 500.0
BASE_ADDRESS_SPACE = 4 * 2**30
# Every picture viz makes: (name, file suffix, how it is drawn from the records).
PICTURES = [
    ("heatmap", "png", "plot_heatmap"),
    ("heatmap", "svg", "plot_heatmap"),
    ("heatmap", "pdf", "plot_heatmap"),
    ("heatmap", "jpg", "plot_heatmap"),
    ("bars", "png", "plot_token_bars"),
    ("bar", "png", "plot_token_bars:1"),
    ("attention", "gif", "animate_attention"),
    ("attention", "html", "animate_attention"),
    ("page", "html", "to_html"),
    ("nbest", "png", "plot_hypotheses"),
    ("grid", "png", "plot_grid"),
    ("compare", "png", "plot_comparison"),
    ("training", "gif", "animate_training"),
    ("training", "png", "plot_training"),
    ("report", "html", "write_report"),
]
# The pictures compared before and after, pixel by pixel, for ordinary sentences.
COMPARED = [
    ("heatmap", "png", "plot_heatmap"),
    ("bars", "png", "plot_token_bars"),
    ("bar", "png", "plot_token_bars:1"),
    ("attention", "gif", "animate_attention"),
    ("nbest", "png", "plot_hypotheses"),
    ("training", "png", "plot_training"),
    ("training", "gif", "animate_training"),
]


# --- in a child process: draw, and say what it cost ---------------------------------------


def child(spec: dict) -> None:
    """Draw ``spec``'s pictures with the viz of ``spec["viz"]``; print their costs as JSON."""
    sys.path.insert(0, spec["viz"])
    if spec.get("address_space"):
        resource.setrlimit(resource.RLIMIT_AS, (spec["address_space"],) * 2)
    import viz

    records = viz.read_records(spec["records"])
    snapshots = json.loads(Path(spec["snapshots"]).read_text()) if spec.get("snapshots") else None
    results = []
    for name, extension, how in spec["pictures"]:
        for number, record in enumerate(records[: spec.get("count", 1)], start=1):
            path = Path(spec["out"]) / f"{number:02d}.{name}.{extension}"
            started = time.perf_counter()
            try:
                for _ in range(spec.get("repeat", 1)):
                    _draw(viz, how, record, records, snapshots, path)
                error = None
            except (MemoryError, OverflowError, ValueError, RuntimeError) as failure:
                error = f"{type(failure).__name__}: {str(failure)[:120]}"
            seconds = (time.perf_counter() - started) / spec.get("repeat", 1)
            results.append(
                {
                    "picture": f"{name}.{extension}",
                    "path": str(path),
                    "seconds": seconds,
                    "error": error,
                }
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"results": results, "peak_mib": peak}))


def _draw(viz, how: str, record, records, snapshots, path: Path) -> None:
    function, _, index = how.partition(":")
    if function == "plot_token_bars":
        viz.plot_token_bars(record, None if not index else int(index), path=path)
    elif function == "plot_grid":
        viz.plot_grid([record, records[-1]], path=path)
    elif function == "plot_comparison":
        viz.plot_comparison([record, record], labels=["one model", "another"], path=path)
    elif function in ("animate_training", "plot_training"):
        weights, source, target, options = _training(record, snapshots)
        getattr(viz, function)(weights, source, target, path=path, **options)
    elif function == "write_report":
        viz.write_report([(record.sentence or "", record)], path=path, metrics={"bleu": 40.0})
    else:
        getattr(viz, function)(record, path=path)


def _training(record, snapshots):
    """The run's first probe, or four made-up snapshots of ``record``, captioned."""
    if snapshots is not None:
        probe = snapshots["probes"][0]
        entries = probe["epochs"]
        options = {
            "epochs": [entry["epoch"] for entry in entries],
            "captions": [f"model: {entry['translation']}" for entry in entries],
        }
        weights = [entry["weights"] for entry in entries]
        return weights, probe["source_tokens"], probe["target_tokens"], options
    captions = [f"model: {' '.join(record.target_tokens)}"] * 4
    return [record.weights] * 4, record.source_tokens, record.target_tokens, {"captions": captions}


# --- in this process ------------------------------------------------------------------------


def run_child(spec: dict, timeout: float = 900) -> dict:
    command = [sys.executable, __file__, "--child", json.dumps(spec)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"results": [], "peak_mib": float("nan"), "failed": done.stderr[-600:]}
    return json.loads(lines[-1])


def long_word_record(letters: int, folder: Path) -> Path:
    """Records of one sentence holding a word of ``letters`` letters a side, with two hypotheses."""
    sys.path.insert(0, str(ROOT))
    import numpy as np

    import viz

    word = ("supercalifragilistic" * (letters // 20 + 1))[:letters]
    source = ["i", "paid", word, "for", "it", "."]
    target = ["pagué", word, "por", "eso", "."]
    rng = np.random.default_rng(0)
    weights = rng.dirichlet(np.ones(len(source)), size=len(target))
    other = viz.AttentionRecord(source, [word, "."], weights[:2], score=-3.0)
    record = viz.AttentionRecord(
        source,
        target,
        weights,
        score=-1.0,
        sentence=" ".join(source),
        hypotheses=(viz.AttentionRecord(source, target, weights, score=-1.0), other),
    )
    return viz.write_records([record], folder / "long.jsonl")


def ordinary_records(run: Path, count: int, folder: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from seq2seq import artifacts, quiet

    quiet.install()
    from seq2seq.inference import Translator
    from seq2seq.records import model_facts, translation_records

    sentences = [pair.source for pair in artifacts.read_test_pairs(run)][:count]
    translations = Translator.load(run).translate_batch(sentences, 2, n_best=2)
    records = translation_records(translations, sentences, model_facts(run, None, 2))
    import viz

    return viz.write_records(records, folder / "ordinary.jsonl")


def base_viz(commit: str, folder: Path) -> Path:
    """The ``viz`` package of ``commit``, unpacked into ``folder`` (nothing checked out)."""
    archive = folder / "base.tar"
    with archive.open("wb") as file:
        subprocess.run(["git", "archive", commit, "viz"], cwd=ROOT, stdout=file, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(folder / "base", filter="data")
    return folder / "base"


def pixel_size(path: str) -> str:
    from PIL import Image

    if not path.endswith((".png", ".gif", ".jpg")) or not Path(path).exists():
        return ""
    with Image.open(path) as image:
        return f"{image.size[0]}×{image.size[1]}"


def same_pixels(one: Path, other: Path) -> bool:
    import numpy as np
    from PIL import Image, ImageSequence

    with Image.open(one) as first, Image.open(other) as second:
        frames = [np.asarray(f.convert("RGBA")) for f in ImageSequence.Iterator(first)]
        others = [np.asarray(f.convert("RGBA")) for f in ImageSequence.Iterator(second)]
    return len(frames) == len(others) and all(
        a.shape == b.shape and (a == b).all() for a, b in zip(frames, others)
    )


def measure_long(
    records: Path, viz_root: Path, out: Path, repeats: int = 1, **extra
) -> dict[str, dict]:
    """Each picture drawn ``repeats`` times, each in a fresh process: the fastest time and
    the largest peak memory (the machine is shared: the fastest is the least disturbed)."""
    rows = {}
    for picture in PICTURES:
        spec = {
            "viz": str(viz_root),
            "records": str(records),
            "pictures": [picture],
            "out": str(out),
            **extra,
        }
        answers = [run_child(spec) for _ in range(repeats)]
        results = [
            (answer["results"] or [{"error": answer.get("failed", "?"), "seconds": None}])[0]
            for answer in answers
        ]
        timed = [result["seconds"] for result in results if result["seconds"] is not None]
        rows[f"{picture[0]}.{picture[1]}"] = {
            "seconds": min(timed) if timed else None,
            "peak_mib": max(answer["peak_mib"] for answer in answers),
            "pixels": pixel_size(results[0].get("path", "")),
            "error": next((result["error"] for result in results if result["error"]), None),
        }
    return rows


def compare_ordinary(records: Path, snapshots: Path, base: Path, out: Path, count: int) -> dict:
    """Every COMPARED picture of every record, by both viz, pixel by pixel."""
    drawn = {}
    for side, root in (("after", ROOT), ("before", base)):
        spec = {
            "viz": str(root),
            "records": str(records),
            "snapshots": str(snapshots),
            "pictures": COMPARED,
            "out": str(out / side),
            "count": count,
        }
        (out / side).mkdir(parents=True, exist_ok=True)
        drawn[side] = run_child(spec)["results"]
    same = {}
    for after, before in zip(drawn["after"], drawn["before"]):
        kind = after["picture"]
        same.setdefault(kind, [0, 0])
        same[kind][1] += 1
        same[kind][0] += same_pixels(Path(after["path"]), Path(before["path"]))
    return same


def heatmap_times(records: Path, base: Path, out: Path, count: int, rounds: int) -> dict:
    """Seconds a heatmap, each side in fresh processes, rounds alternating: the medians."""
    times: dict[str, list[float]] = {"before": [], "after": []}
    for _ in range(rounds):
        for side, root in (("before", base), ("after", ROOT)):
            spec = {
                "viz": str(root),
                "records": str(records),
                "pictures": [("heatmap", "png", "plot_heatmap")],
                "out": str(out / side),
                "count": count,
                "repeat": 3,
            }
            results = run_child(spec)["results"]
            times[side].append(statistics.median(result["seconds"] for result in results))
    return {side: statistics.median(values) for side, values in times.items()}


def report(arguments, long_rows, base_rows, same, times) -> bool:
    passed = True
    print(
        f"\nA word of {arguments.letters:,} letters, each picture in {arguments.repeats} "
        "fresh processes (the fastest)",
        file=sys.stderr,
    )
    print(f"{'picture':<16} {'seconds':>8} {'peak MiB':>9} {'pixels':>11}  ok", file=sys.stderr)
    for name, row in long_rows.items():
        good = (
            row["error"] is None
            and row["seconds"] <= SECONDS_BAR
            and row["peak_mib"] <= MEMORY_BAR_MIB
        )
        passed &= good
        seconds = "failed" if row["seconds"] is None else f"{row['seconds']:.2f}"
        print(
            f"{name:<16} {seconds:>8} {row['peak_mib']:>9.0f} {row['pixels']:>11}  "
            f"{'yes' if good else 'NO ' + (row['error'] or '')}",
            file=sys.stderr,
        )
    if base_rows:
        print(
            f"\nThe base commit's viz, a word of {arguments.base_letters:,} letters "
            f"(address space capped at {BASE_ADDRESS_SPACE / 2**30:.0f} GiB)",
            file=sys.stderr,
        )
        for name, row in base_rows.items():
            seconds = "—" if row["seconds"] is None else f"{row['seconds']:.2f}"
            print(
                f"{name:<16} {seconds:>8} {row['peak_mib']:>9.0f} {row['pixels']:>11}  "
                f"{row['error'] or ''}",
                file=sys.stderr,
            )
    if not same:
        return passed
    print(
        f"\n{arguments.sentences} held-out sentences of {arguments.run}, before and after",
        file=sys.stderr,
    )
    for kind, (equal, total) in same.items():
        passed &= equal == total
        print(f"{kind:<16} {equal}/{total} pictures identical, pixel by pixel", file=sys.stderr)
    ratio = times["after"] / times["before"]
    print(
        f"heatmap.png      {times['before']:.3f} s before, {times['after']:.3f} s after "
        f"(after/before {ratio:.2f}), medians of {arguments.rounds} alternating rounds",
        file=sys.stderr,
    )
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--run", type=Path, default=ROOT / "runs" / "reference")
    parser.add_argument("--letters", type=int, default=5000, help="the long word's letters (5000)")
    parser.add_argument("--base", default="0239d78", help="the commit to compare with (0239d78)")
    parser.add_argument(
        "--base-letters", type=int, default=400, help="the long word for the base commit (400)"
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="fresh processes per long-word picture (3)"
    )
    parser.add_argument("--sentences", type=int, default=6, help="ordinary sentences (6; 0: none)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of heatmap timing (5)")
    arguments = parser.parse_args()
    if arguments.child:
        child(json.loads(arguments.child))
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        base = base_viz(arguments.base, folder)
        long_record = long_word_record(arguments.letters, folder)
        long_rows = measure_long(long_record, ROOT, folder / "long", arguments.repeats)
        base_rows = {}
        if arguments.base_letters:
            base_record = long_word_record(arguments.base_letters, folder / "base-long")
            base_rows = measure_long(
                base_record, base, folder / "base-long", address_space=BASE_ADDRESS_SPACE
            )
        same, times = {}, {}
        if arguments.sentences:
            ordinary = ordinary_records(arguments.run, arguments.sentences, folder)
            snapshots = arguments.run / "snapshots.json"
            compared = folder / "ordinary"
            same = compare_ordinary(ordinary, snapshots, base, compared, arguments.sentences)
            timed = folder / "timing"
            times = heatmap_times(ordinary, base, timed, arguments.sentences, arguments.rounds)
    passed = report(arguments, long_rows, base_rows, same, times)
    print(
        json.dumps(
            {
                "long_word": long_rows,
                "base_long_word": base_rows,
                "ordinary_identical": same,
                "heatmap_seconds": times,
                "passed": passed,
                "setup": {
                    key: str(value) for key, value in vars(arguments).items() if key != "child"
                },
            },
            ensure_ascii=False,
        )
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
