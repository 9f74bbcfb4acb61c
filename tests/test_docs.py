"""The README and the guide (docs/): their commands parse, their Python compiles, their
links lead somewhere, the command line page is what --help prints, the site builds with
warnings as errors; and, in the slow suite, every block runs (tests/test_docs_run.py).

``python tests/test_docs.py`` writes the command line page's help blocks anew.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import yaml
from docs_blocks import (
    OTHER_PROGRAMS,
    PAGES,
    ROOT,
    blocks,
    commands,
    help_blocks,
    help_text,
    parse,
    python_arguments,
    write_help,
)

COMMAND_LINE_PAGE = ROOT / "docs" / "command-line.md"
SHELL_BLOCKS = [block for page in PAGES for block in blocks(page) if block.language == "bash"]
PYTHON_BLOCKS = [block for page in PAGES for block in blocks(page) if block.language == "python"]
LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.mark.parametrize("block", SHELL_BLOCKS, ids=str)
def test_every_command_of_a_shell_block_parses(block):
    for command in commands(block.code):
        arguments = python_arguments(command)
        if arguments is None:
            assert command[0] in OTHER_PROGRAMS, f"{block}: unknown program {command[0]}"
        else:
            assert parse(arguments) is None, f"{block}: {' '.join(command)}: {parse(arguments)}"


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=str)
def test_every_python_block_compiles(block):
    compile(block.code, str(block), "exec")


def test_every_block_says_its_language():
    unnamed = [str(block) for page in PAGES for block in blocks(page) if not block.language]
    assert unnamed == []


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_relative_link_leads_to_a_file(page):
    text = page.read_text(encoding="utf-8")
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        path = (page.parent / target.split("#")[0]).resolve()
        assert path.exists(), f"{page.name} links to {target}, which is not there"


def test_the_command_line_page_is_what_help_prints():
    for command, block in help_blocks(COMMAND_LINE_PAGE):
        # Only the wrapping may differ: it follows the terminal's width.
        assert block.code.split() == help_text(command).split(), (
            f"{block} is not what `{command}` prints: run python tests/test_docs.py"
        )


def test_the_command_line_page_has_every_command():
    from seq2seq.cli import COMMANDS

    documented = {command for command, _ in help_blocks(COMMAND_LINE_PAGE)}
    expected = {
        f"python -m seq2seq {module.__name__.rsplit('.', 1)[1]} --help" for module in COMMANDS
    }
    expected |= {"python train.py --help", "python -m viz draw --help", "python3 run.py --help"}
    assert expected <= documented


def test_the_site_lists_every_page():
    nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]

    def pages(entries) -> set[str]:
        found = set()
        for entry in entries:
            for value in entry.values():
                found |= pages(value) if isinstance(value, list) else {value}
        return found

    assert pages(nav) == {page.name for page in (ROOT / "docs").glob("*.md")}


def test_the_site_builds_with_warnings_as_errors(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "python-api.html").read_text(encoding="utf-8").count("translate_batch") > 1


if __name__ == "__main__":
    write_help(COMMAND_LINE_PAGE)
    print(f"wrote the help blocks of {COMMAND_LINE_PAGE.relative_to(ROOT)}")
