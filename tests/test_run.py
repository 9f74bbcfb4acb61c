"""run.py, the README's set-up: which Python it makes .venv with, and what it says when it can't.

The whole route, from a clean checkout with Debian's own Python to the pictures,
runs in .ci/run; these tests check its decisions with stand-in Pythons, in seconds.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("run", ROOT / "run.py")
run = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run)

SUPPORTED = ((3, 10), (3, 14))
OLD_PYTHON = Path("/root/.pyenv/versions/3.9.18/bin/python3")  # on the project's machines


def stand_in(folder: Path, name: str, version: str, ensurepip: bool = True) -> str:
    """An executable that answers run.py's questions as a Python of ``version`` would."""
    path = folder / name
    path.write_text(
        "#!/bin/sh\n"
        f'case "$2" in *version_info*) echo "{version.replace(".", " ")}";; '
        f"*ensurepip*) exit {0 if ensurepip else 1};; esac\n"
    )
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_the_supported_pythons_are_pyprojects_and_the_readmes():
    assert run.supported_pythons() == SUPPORTED
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "Python 3.10 to 3.13" in readme


def test_a_fitting_python_is_chosen_past_one_too_new_and_a_broken_shim(tmp_path, monkeypatch):
    too_new = stand_in(tmp_path, "python3.14", "3.14")
    broken = tmp_path / "python3.13"  # as pyenv's shim for a version that is not switched on
    broken.write_text("#!/bin/sh\necho 'pyenv: python3.13: command not found' >&2\nexit 127\n")
    broken.chmod(0o755)
    fitting = stand_in(tmp_path, "python3.12", "3.12")
    monkeypatch.setattr(run, "candidates", lambda *_: iter([[too_new], [str(broken)], [fitting]]))
    assert run.choose_python(*SUPPORTED) == ([fitting], (3, 12))


def test_the_newest_fitting_python_on_the_path_comes_after_the_running_one(tmp_path, monkeypatch):
    for minor in (10, 12):
        stand_in(tmp_path, f"python3.{minor}", f"3.{minor}")
    monkeypatch.setenv("PATH", str(tmp_path))
    found = list(run.candidates(*SUPPORTED))
    assert found == [
        [sys.executable],
        [str(tmp_path / "python3.12")],
        [str(tmp_path / "python3.10")],
    ]


@pytest.mark.skipif(
    not OLD_PYTHON.exists(), reason=f"needs a Python TensorFlow has no wheel for, {OLD_PYTHON}"
)
def test_a_python_without_tensorflow_wheels_and_no_other_gets_one_line(tmp_path):
    for name in ("run.py", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    completed = subprocess.run(
        [str(OLD_PYTHON), "run.py", "train.py"],
        cwd=tmp_path,
        env={"PATH": str(tmp_path / "nothing-here")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 1
    assert completed.stdout == ""
    assert re.fullmatch(
        r"run\.py: error: TensorFlow has wheels for Python 3\.10 to 3\.13, and this is Python 3\.9"
        r" .*install one .* and run `python3\.12 run\.py train\.py` again\.\n",
        completed.stderr,
    )
    assert not (tmp_path / ".venv").exists()


def test_a_python_without_venv_names_the_package_to_install(tmp_path, monkeypatch, capsys):
    debian = stand_in(tmp_path, "python3", "3.11", ensurepip=False)
    monkeypatch.setattr(run, "candidates", lambda *_: iter([[debian]]))
    monkeypatch.setattr(run, "VENV", str(tmp_path / ".venv"))
    with pytest.raises(SystemExit) as exit:
        run.make_environment(*SUPPORTED)
    assert exit.value.code == 1
    message = capsys.readouterr().err
    assert "sudo apt install python3-venv` (or python3.11-venv)" in message
    assert message.count("\n") == 1
    assert not (tmp_path / ".venv").exists()


def test_an_install_is_done_once_for_each_pyproject(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(run, "STAMP", str(tmp_path / "installed"))
    failing_pip = shutil.which("false")
    with pytest.raises(SystemExit):
        run.install(failing_pip, dev=True)  # nothing installed yet: pip runs, and fails
    assert "pip could not install it" in capsys.readouterr().err
    (tmp_path / "installed").write_text(run.install_digest(True) + "\n" + run.install_digest(False))
    run.install(failing_pip, dev=True)  # installed: pip is not run again
    run.install(failing_pip, dev=False)  # the dev install holds the plain one
    assert capsys.readouterr().err == ""
    (tmp_path / "installed").write_text(run.install_digest(False))
    with pytest.raises(SystemExit):
        run.install(failing_pip, dev=True)  # the plain install lacks the dev extra


def test_help_says_what_it_does_without_making_anything(tmp_path):
    shutil.copy(ROOT / "run.py", tmp_path / "run.py")
    completed = subprocess.run(
        [sys.executable, "run.py", "--help"], cwd=tmp_path, capture_output=True, text=True
    )
    assert completed.returncode == 0
    assert "python3 run.py train.py" in completed.stdout
    assert os.listdir(tmp_path) == ["run.py"]
