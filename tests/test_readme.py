"""The README's two commands are the ones that run: CI runs the test command verbatim."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
TEST_COMMAND = 'pip install -e ".[dev]" && python -m pytest'
MAIN_COMMAND = "pip install -e . && python train.py"


def test_quick_start_holds_the_two_commands():
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert MAIN_COMMAND in quick_start
    assert TEST_COMMAND in quick_start


def test_ci_runs_the_readme_test_command():
    assert TEST_COMMAND in (ROOT / ".ci" / "run").read_text()
