"""The side-by-side benchmark runs end to end on a slice of the real pairs and reports
what BENCHMARKS.md quotes from it."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow  # two models trained and scored, then timed side by side: about a minute
def test_spa_budget_gives_both_models_the_same_minutes(shared_data, tmp_path):
    lines = (shared_data / "spa-eng.tsv").read_text(encoding="utf-8").splitlines()
    random.Random(2).shuffle(lines)
    pairs = tmp_path / "spa-eng-1500.tsv"
    pairs.write_text("\n".join(lines[:1500]) + "\n", encoding="utf-8")
    command = [sys.executable, str(ROOT / "benchmarks" / "spa_budget.py"), "--corpus"]
    command += [f"tsv:{pairs}", "--epochs", "2", "--throughput-steps", "5", "--rounds", "1"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode in (0, 1), result.stderr[-2000:]  # 1: a bar is not met
    report = json.loads(result.stdout.strip().splitlines()[-1])

    project, baseline = report["curve"]["project"], report["curve"]["baseline"]
    assert len(project) == 2 * 2  # two points an epoch, the last on the last step
    assert [point["steps"] for point in project] == sorted({p["steps"] for p in project})
    # One point per mark its clock passes: fewer only where one step passes two marks.
    assert 1 <= len(baseline) <= len(project)
    assert baseline[-1]["minutes"] >= project[-1]["minutes"]
    for mine, theirs in zip(project, baseline):
        assert theirs["minutes"] >= mine["minutes"]  # the baseline's point once its clock passes
    assert report["budget_minutes"] == project[-1]["minutes"]
    assert report["bleu_lead"] == pytest.approx(project[-1]["bleu"] - baseline[-1]["bleu"])
    for name in ("project_bleu_beam4", "project_chrf_beam4", "baseline_chrf"):
        assert 0.0 <= report[name] <= 100.0
    assert report["train_target_tokens_per_s_ratio"] > 0.0
    assert report["setup"]["project"]["tie_embeddings"] is True
    assert "lead" in result.stderr and "tutorial BLEU" in result.stderr


@pytest.mark.slow  # two small models of the long preset, 8 seconds each, scored by length
def test_why_attention_trains_both_models_for_the_same_seconds_and_scores_them_by_length(
    tmp_path,
):
    picture = tmp_path / "why-attention.png"
    command = [sys.executable, str(ROOT / "benchmarks" / "why_attention.py"), "--budget", "8"]
    command += ["--pairs", "1500", "--out", str(tmp_path / "runs"), "--picture", str(picture)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert result.returncode in (0, 1), result.stderr[-2000:]  # 1: a bar is not met
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["budget_seconds"] == 8.0
    for name in ("attention", "none"):
        assert report[name]["train_seconds"] >= 8.0
        buckets = [bucket for bucket in report[name]["buckets"] if bucket["set"] == "held out"]
        assert [bucket["shortest"] for bucket in buckets] == sorted(b["shortest"] for b in buckets)
    attention, none = report["attention"]["buckets"], report["none"]["buckets"]
    assert report["lead_longest"] == pytest.approx(attention[-1]["bleu"] - none[-1]["bleu"])
    assert picture.read_bytes().startswith(b"\x89PNG")
    assert "attention lead, longest" in result.stderr
