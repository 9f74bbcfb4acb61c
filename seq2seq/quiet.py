"""Keep TensorFlow's start-up and platform notices off the terminal, and nothing else.

Importing TensorFlow prints lines from C++ before its logging is set up (so
``TF_CPP_MIN_LOG_LEVEL`` cannot silence them): ``WARNING: All log messages
before absl::InitializeLog() is called are written to STDERR``, oneDNN's
notice, ``Could not find cuda drivers`` on a machine without a GPU, and on a
GPU machine notices about plugins registered twice. The command lines
(``train.py``, ``python -m seq2seq``) call `install`: the first import of
TensorFlow, wherever it happens, then runs with file descriptor 2 sent to a
temporary file, and every line of it that is not one of those notices is
written to the real stderr when the import ends, or fails.

After the import TensorFlow logs what it finds about the platform as errors
(``failed call to cuInit`` where CUDA's libraries are but no GPU, ``oneDNN
supports DT_BOOL only on platforms with AVX-512``), which a user's
``TF_CPP_MIN_LOG_LEVEL`` of 0, 1 or 2 lets through. So `install` sets it to 3,
whatever it was (TensorFlow reads it once, when it first logs): its C++ log
lines below FATAL stay off, and its errors reach Python as exceptions, which
the terminal shows. ``SEQ2SEQ_VERBOSE=1`` leaves all of it alone.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from types import ModuleType

VERBOSE = "SEQ2SEQ_VERBOSE"
LOG_LEVEL = "TF_CPP_MIN_LOG_LEVEL"

# What TensorFlow prints while it starts, on machines with and without a GPU.
NOTICES = re.compile(
    rb"^WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    rb"|^To enable the following instructions: .* rebuild TensorFlow"
    rb"|^[IWE]\d{4} [\d:. ]+\d+ \w+\.cc:\d+\] (?:"
    rb"oneDNN custom operations are on"
    rb"|Could not find cuda drivers on your machine"
    rb"|This TensorFlow binary is optimized to use available CPU instructions"
    rb"|Unable to register cu\w+ factory"
    rb"|computation placer already registered"
    rb"|TF-TRT Warning: Could not find TensorRT"
    rb"|failed call to cuInit"
    rb"|oneDNN supports DT_BOOL only on platforms with AVX-512"
    rb")"
)


def verbose() -> bool:
    """Whether the user asked to see everything TensorFlow prints (``SEQ2SEQ_VERBOSE=1``)."""
    return os.environ.get(VERBOSE, "") not in ("", "0")


def install(module: str = "tensorflow") -> None:
    """Filter the notices out of the first import of ``module``, then keep its log quiet."""
    if verbose() or module in sys.modules:
        return
    os.environ[LOG_LEVEL] = "3"
    if not any(isinstance(finder, _QuietImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _QuietImport(module))


@contextlib.contextmanager
def notices_filtered() -> Iterator[None]:
    """Send file descriptor 2 to a temporary file; replay all but `NOTICES` to it afterwards."""
    sys.stderr.flush()
    try:
        terminal = os.dup(2)
    except OSError:  # no stderr at all: nothing to keep clean
        yield
        return
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(terminal, 2)
            os.close(terminal)
            captured.seek(0)
            _write_all(b"".join(line for line in captured if not NOTICES.match(line)))


def _write_all(data: bytes) -> None:
    while data:
        data = data[os.write(2, data) :]


class _QuietImport(importlib.abc.MetaPathFinder):
    """Finds ``module`` as the other finders do, and loads it inside `notices_filtered`."""

    def __init__(self, module: str):
        self.module = module

    def find_spec(self, name, path, target=None):
        if name != self.module:
            return None
        sys.meta_path.remove(self)  # once is enough; and the search below must not find us
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


class _QuietLoader(importlib.abc.Loader):
    """Another loader, whose `exec_module` runs with the notices filtered."""

    def __init__(self, loader: importlib.abc.Loader):
        self.loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        with notices_filtered():
            self.loader.exec_module(module)

    def __getattr__(self, name: str):
        return getattr(self.loader, name)  # resources, source, is_package: the real loader's
