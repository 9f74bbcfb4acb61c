"""Run a Python command in this project's own environment, making it first where needed.

    python3 run.py train.py           # train the reference model and draw its attention
    python3 run.py --dev -m pytest    # the tests (the `dev` extra is installed first)
    python3 run.py -m seq2seq serve --run runs/reference

The environment is the folder `.venv` beside this file. The first call makes it
with `venv` from a Python that TensorFlow has wheels for (the one running this
script, or else the newest fitting `python3.X` on the PATH) and fills it with
`pip install -e .`; later calls fill it again only when pyproject.toml changed.
It needs nothing but Python itself, so it works where pip refuses to install
into the system (PEP 668: Debian's, Ubuntu's and Homebrew's Python) and inside
an activated virtual environment or conda alike. In an environment of your
own, `pip install -e . && python train.py` does the same.

Only the standard library, and syntax old Pythons read, so that a Python too
old or too new for TensorFlow still gets to say which one to install.
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(ROOT, ".venv")
STAMP = os.path.join(VENV, ".seeing-attention-installed")  # what was installed, as a digest
WINDOWS = os.name == "nt"


def say(message):
    print("run.py: " + message, file=sys.stderr, flush=True)


def fail(message):
    """One line saying what is wrong and what to do, then exit status 1."""
    say("error: " + message)
    sys.exit(1)


def supported_pythons():
    """(lowest, first unsupported) Python, as (major, minor), from ``requires-python``."""
    with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as file:
        found = re.search(r'^requires-python\s*=\s*"(.*)"', file.read(), re.MULTILINE)
    bounds = dict(re.findall(r"(>=|<)\s*(\d+\.\d+)", found.group(1)))
    return tuple(tuple(int(part) for part in bounds[key].split(".")) for key in (">=", "<"))


def version_of(command):
    """The (major, minor) version of the Python that ``command`` starts; None if it fails."""
    try:
        completed = subprocess.run(
            [*command, "-c", "import sys; print(sys.version_info[0], sys.version_info[1])"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.fullmatch(rb"(\d+) (\d+)\s*", completed.stdout)
    if completed.returncode != 0 or not found:
        return None  # pyenv's shims, for one, exist for versions that are not switched on
    return int(found.group(1)), int(found.group(2))


def candidates(lowest, too_new):
    """Commands that may start a fitting Python: this one first, then others, newest first."""
    yield [sys.executable]
    for minor in range(too_new[1] - 1, lowest[1] - 1, -1):
        if WINDOWS and shutil.which("py"):
            yield ["py", f"-{lowest[0]}.{minor}"]
        found = shutil.which(f"python{lowest[0]}.{minor}")
        if found:
            yield [found]


def choose_python(lowest, too_new):
    """The first of `candidates` whose version TensorFlow has wheels for, and that version."""
    for command in candidates(lowest, too_new):
        version = version_of(command)
        if version is not None and lowest <= version < too_new:
            return command, version
    return None, None


def environment_python():
    if WINDOWS:
        return os.path.join(VENV, "Scripts", "python.exe")
    return os.path.join(VENV, "bin", "python")


def range_text(lowest, too_new):
    return f"{lowest[0]}.{lowest[1]} to {too_new[0]}.{too_new[1] - 1}"


def make_environment(lowest, too_new):
    """Make `VENV` with a fitting Python, or say which Python to install."""
    command, version = choose_python(lowest, too_new)
    if command is None:
        fail(
            f"TensorFlow has wheels for Python {range_text(lowest, too_new)}, and this is "
            f"Python {sys.version_info[0]}.{sys.version_info[1]} with no other on the PATH: "
            "install one (e.g. `sudo apt install python3.12-venv`, `brew install python@3.12` "
            f"or `uv python install 3.12`) and run `python3.12 {' '.join(sys.argv)}` again."
        )
    name = f"Python {version[0]}.{version[1]} ({' '.join(command)})"
    if subprocess.run([*command, "-c", "import ensurepip"], stderr=subprocess.DEVNULL).returncode:
        fail(
            f"{name} cannot make a virtual environment without its venv package: on Debian "
            f"and Ubuntu, `sudo apt install python3-venv` (or python{version[0]}.{version[1]}"
            "-venv), then run again."
        )
    say(f"making .venv with {name}")
    if subprocess.run([*command, "-m", "venv", VENV]).returncode:
        shutil.rmtree(VENV, ignore_errors=True)  # half made: the next call starts afresh
        fail(f"could not make {VENV}; the lines above say why.")


def check_environment(lowest, too_new):
    """`VENV`'s Python, made where there is none; a fitting version, or one line saying so."""
    python = environment_python()
    if not os.path.exists(python):
        make_environment(lowest, too_new)
    version = version_of([python])
    if version is None or not lowest <= version < too_new:
        fail(
            f"{VENV} does not hold a working Python {range_text(lowest, too_new)}; delete the "
            "folder and run again."
        )
    return python


def install_digest(dev):
    """What an install of this pyproject.toml, with or without the `dev` extra, is known by."""
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as file:
        return hashlib.sha256(file.read() + (b"[dev]" if dev else b"")).hexdigest()


def install(python, dev):
    """``pip install -e .`` (``.[dev]``) into `VENV`, unless that install is there already."""
    installed = []
    if os.path.exists(STAMP):
        with open(STAMP) as file:
            installed = file.read().split()
    if install_digest(dev) in installed:
        return
    target = ".[dev]" if dev else "."
    say(f"installing this project ({target}) and its dependencies into .venv")
    if subprocess.run([python, "-m", "pip", "install", "-e", target], cwd=ROOT).returncode:
        fail("pip could not install it; the lines above say why.")
    with open(STAMP, "w") as file:  # a dev install holds the plain one too
        file.write("\n".join([install_digest(dev)] + ([install_digest(False)] if dev else [])))


def main(argv):
    dev = argv[:1] == ["--dev"]
    command = argv[1:] if dev else argv
    if not command or command[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    lowest, too_new = supported_pythons()
    python = check_environment(lowest, too_new)
    install(python, dev)
    if WINDOWS:  # no exec there that keeps the console and the exit status
        return subprocess.run([python, *command]).returncode
    os.execv(python, [python, *command])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
