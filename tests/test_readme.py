"""The README's commands are the ones that run: CI runs them verbatim."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8")

MAIN_COMMAND = "python3 run.py train.py"
TEST_COMMAND = "python3 run.py --dev -m pytest"
# The same in an environment of one's own (a virtual environment or conda, activated).
OWN_MAIN_COMMAND = "pip install -e . && python train.py"
OWN_TEST_COMMAND = 'pip install -e ".[dev]" && python -m pytest'


def quick_start() -> str:
    return README.split("## Quick start", 1)[1].split("\n## ", 1)[0]


def test_quick_start_opens_with_the_two_commands():
    first_block = quick_start().split("```bash\n", 1)[1].split("```", 1)[0]
    assert first_block == f"{MAIN_COMMAND}\n{TEST_COMMAND}\n"


def test_quick_start_holds_the_commands_for_an_environment_of_ones_own():
    assert OWN_MAIN_COMMAND in quick_start()
    assert OWN_TEST_COMMAND in quick_start()


def test_ci_runs_the_first_command_with_debians_own_python_in_a_clean_checkout():
    line = next(line for line in CI.splitlines() if f"{MAIN_COMMAND})" in line)
    assert "PATH=/usr/bin:/bin" in line and "env -u VIRTUAL_ENV" in line
    assert "git archive" in CI


def test_ci_runs_the_test_commands_of_both_routes():
    assert f"{TEST_COMMAND} " in CI  # on a part of the suite, in the clean checkout
    assert OWN_TEST_COMMAND in CI
