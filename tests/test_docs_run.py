"""Every code block of the README and the guide runs, page by page, in document order.

Slow: a page's blocks run in a folder of their own that holds a copy of the reference
run as ``runs/reference``, with ``python`` this interpreter. How a block is run:

- ``bash``: each line as the shell runs it; ``python3 run.py ARGS`` as ``python ARGS``
  (the environment is made); a ``train.py`` command on a small model (`SMALL` is
  appended: later flags win), except one that writes ``runs/reference``, whose output
  is the copy already there;
- ``python``: as a script;
- ``<!-- not run: why -->`` above a block keeps it from running (tests/test_docs.py
  still parses its commands); ``<!-- while serving: COMMAND -->`` runs it while
  COMMAND serves the lab on a free port, which replaces ``localhost:8000``;
- a block that reads ``runs/spa`` runs where ``SEQ2SEQ_SPA_RUN`` names a spa run.
"""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from docs_blocks import PAGES, ROOT, blocks

SMALL = ["--epochs", "1", "--corpus-size", "1000", "--max-pairs", "800"]
SMALL += ["--units", "32", "--embedding-dim", "16", "--no-pictures"]
TIMEOUT = 600


def sandbox(folder: Path, reference_run: Path) -> dict[str, str]:
    """Lay out ``folder`` for a page's blocks; the environment to run them in."""
    shutil.copytree(reference_run, folder / "runs" / "reference")
    for name in ("train.py", "benchmarks"):
        (folder / name).symlink_to(ROOT / name)
    from seq2seq.corpora import embedded

    pairs = embedded.generate(1200, seed=7)  # a pairs file for tsv: examples
    (folder / "fra.txt").write_text("".join(f"{p.source}\t{p.target}\n" for p in pairs))
    spa = os.environ.get("SEQ2SEQ_SPA_RUN")
    if spa:
        (folder / "runs" / "spa").symlink_to(Path(spa).resolve())
    programs = folder.parent / f"{folder.name}-bin"
    programs.mkdir()
    for name in ("python", "python3"):  # a script, not a link: a venv knows itself by its path
        (programs / name).write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} "$@"\n')
        (programs / name).chmod(0o755)
    path = [str(programs), str(Path(sys.executable).parent), "/usr/bin", "/bin"]
    return {
        **os.environ,
        "PATH": os.pathsep.join(path),
        "PYTHONPATH": str(ROOT),
        "MPLBACKEND": "Agg",
    }


def shell_line(line: str) -> str | None:
    """The line to run for a line of a ``bash`` block; None where none is to run."""
    words = shlex.split(line, comments=True)
    if not words:
        return None
    redirect = ""
    if ">" in words:
        at = words.index(">")
        words, redirect = words[:at], f" > {shlex.quote(words[at + 1])}"
    python = next((i for i, word in enumerate(words) if word in ("python", "python3")), None)
    if python is not None and words[python + 1 : python + 2] == ["run.py"]:
        rest = words[python + 2 :]
        words = [*words[: python + 1], *(rest[1:] if rest[:1] == ["--dev"] else rest)]
    if python is not None and words[python + 1 : python + 2] == ["train.py"]:
        out = words[words.index("--out") + 1] if "--out" in words else "runs/reference"
        if out.rstrip("/") == "runs/reference":
            return None  # the copy of the reference run is this command's output
        words = [*words, *SMALL]
    return shlex.join(words) + redirect


def succeeds(arguments: list[str], folder: Path, environment: dict[str, str], where: str) -> None:
    completed = subprocess.run(
        arguments, cwd=folder, env=environment, capture_output=True, text=True, timeout=TIMEOUT
    )
    assert completed.returncode == 0, f"{where}: {arguments[-1]}\n{completed.stderr[-3000:]}"


def run_shell(code: str, folder: Path, environment: dict[str, str], where: str) -> None:
    for line in code.replace("\\\n", " ").splitlines():
        command = shell_line(line)
        if command is not None:
            succeeds(["bash", "-c", command], folder, environment, where)


def run_python(code: str, folder: Path, environment: dict[str, str], where: str) -> None:
    script = folder / "block.py"
    script.write_text(code, encoding="utf-8")
    succeeds([sys.executable, str(script)], folder, environment, where)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serving(command: str, folder: Path, environment: dict[str, str]):
    """Start ``command`` (``python -m seq2seq serve …``) on a free port; (process, port)."""
    port = free_port()
    process = subprocess.Popen(
        [*shlex.split(shell_line(command)), "--port", str(port)],
        cwd=folder,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/runs", timeout=5)
            return process, port
        except OSError:
            if process.poll() is not None:
                raise AssertionError(f"{command} ended: {process.stderr.read()}") from None
            time.sleep(1)
    process.kill()
    raise AssertionError(f"{command} did not answer within 300 s")


def runnable(page: Path) -> bool:
    return any(
        block.language in ("bash", "python") and not block.note.startswith("not run")
        for block in blocks(page)
    )


@pytest.mark.slow
@pytest.mark.parametrize("page", [page for page in PAGES if runnable(page)], ids=lambda p: p.name)
def test_every_block_of_the_page_runs(page, reference_run, tmp_path):
    folder = tmp_path / "work"
    folder.mkdir()
    environment = sandbox(folder, reference_run)
    ran = waiting_for_spa = 0
    for block in blocks(page):
        if block.note.startswith("not run") or block.language not in ("bash", "python"):
            continue
        if "runs/spa" in block.code and not os.environ.get("SEQ2SEQ_SPA_RUN"):
            waiting_for_spa += 1
            continue
        code, server = block.code, None
        if block.note.startswith("while serving: "):
            server, port = serving(block.note.removeprefix("while serving: "), folder, environment)
            code = code.replace("localhost:8000", f"localhost:{port}")
        try:
            if block.language == "bash":
                run_shell(code, folder, environment, str(block))
            else:
                run_python(code, folder, environment, str(block))
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=60)
        ran += 1
    if ran == 0 and waiting_for_spa:
        pytest.skip(f"its {waiting_for_spa} blocks read runs/spa; SEQ2SEQ_SPA_RUN names one")
    assert ran > 0
