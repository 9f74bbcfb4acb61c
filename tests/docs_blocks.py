"""The code blocks of the README and the guide (docs/*.md), read as the tests run them.

A block is a fenced code block; the HTML comment on the line above it, if any, is
its note: ``<!-- not run: why -->`` keeps it from being run (its commands are still
checked against the parsers), ``<!-- while serving: COMMAND -->`` runs it while
COMMAND serves the lab, ``<!-- help: COMMAND -->`` marks the command line page's
copy of COMMAND's output.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.DOTALL | re.MULTILINE)
NOTE = re.compile(r"<!-- ([^\n]*?) -->\n\Z")

# Programs a page may name besides this project's own, which the parsers cannot check.
OTHER_PROGRAMS = {"pip", "curl", "printf", "saved_model_cli", "ruff", "mkdocs", "sudo", "nmcli"}


@dataclass
class Block:
    page: Path
    line: int
    language: str
    code: str
    note: str

    def __str__(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        before = text[: match.start()]
        note = NOTE.search(before)
        found.append(
            Block(
                page,
                before.count("\n") + 1,
                match.group(1),
                match.group(2),
                note.group(1) if note else "",
            )
        )
    return found


def commands(code: str) -> list[list[str]]:
    """The commands of a shell block: lines joined where they end in ``\\``, split at ``&&``,
    without comments, redirections or leading ``NAME=value`` assignments."""
    commands = []
    for line in code.replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        while words:
            command = words[: words.index("&&")] if "&&" in words else words
            words = words[len(command) + 1 :]
            while command and re.fullmatch(r"[A-Z_]+=.*", command[0]):
                command = command[1:]
            if ">" in command:
                command = command[: command.index(">")]
            if command:
                commands.append(command)
    return commands


def python_arguments(command: list[str]) -> list[str] | None:
    """What follows ``python`` in ``command`` (``python3 run.py [--dev]`` counts as
    ``python``); None for another program."""
    if command[0] not in ("python", "python3"):
        return None
    arguments = command[1:]
    if arguments[:1] == ["run.py"]:
        arguments = arguments[2:] if arguments[1:2] == ["--dev"] else arguments[1:]
    return arguments


def parse(arguments: list[str], output: io.StringIO | None = None) -> str | None:
    """Parse ``python ARGUMENTS`` with the project's own parser: the error, or None.

    What it prints (``--help``) goes to ``output``."""
    from seq2seq.cli import parser
    from seq2seq.cli.train import train_parser
    from viz.draw import parser as viz_parser

    if arguments[:1] == ["train.py"]:
        parse_with, rest = train_parser(), arguments[1:]
    elif arguments[:2] == ["-m", "seq2seq"]:
        parse_with, rest = parser(), arguments[2:]
    elif arguments[:2] == ["-m", "viz"]:
        parse_with, rest = viz_parser(), arguments[2:]
    elif arguments[:1] == ["-m"] and arguments[1] in ("pytest", "pip", "jupyterlab", "http.server"):
        return None
    elif arguments and arguments[0].startswith(("benchmarks/", "tests/")):
        return None if (ROOT / arguments[0]).is_file() else f"no script {arguments[0]}"
    else:
        return f"not a command of this project: python {' '.join(arguments)}"
    errors = io.StringIO()
    try:
        with (
            contextlib.redirect_stderr(errors),
            contextlib.redirect_stdout(output or io.StringIO()),
        ):
            parse_with.parse_args(rest)
    except SystemExit as exit:
        return errors.getvalue().strip() if exit.code else None
    return None


def help_text(command: str) -> str:
    """What ``COMMAND`` prints, for a ``<!-- help: COMMAND -->`` block, 100 columns wide."""
    words = shlex.split(command)
    if words[:2] == ["python3", "run.py"]:
        from test_run import run

        return run.__doc__.strip() + "\n"
    output = io.StringIO()
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"
    try:
        parse(words[1:], output)
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous
    return output.getvalue()


def help_blocks(page: Path) -> list[tuple[str, Block]]:
    return [
        (block.note.removeprefix("help: "), block)
        for block in blocks(page)
        if block.note.startswith("help: ")
    ]


def write_help(page: Path) -> None:
    """Write each ``<!-- help: COMMAND -->`` block of ``page`` anew from COMMAND's output."""
    text = page.read_text(encoding="utf-8")
    for command, _ in help_blocks(page):
        marker = f"<!-- help: {command} -->\n```text\n"
        start = text.index(marker) + len(marker)
        end = text.index("```\n", start)
        text = text[:start] + help_text(command) + text[end:]
    page.write_text(text, encoding="utf-8")
