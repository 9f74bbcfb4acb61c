"""Sequence-to-sequence translation with attention you can see.

``Translator`` (which imports TensorFlow) loads lazily, so ``import seq2seq``
and the command line's ``--help`` stay fast.
"""

import os

from seq2seq import quiet

# TensorFlow's C++ log lines drown the program's own output; `seq2seq.quiet` says
# which ones this leaves, and SEQ2SEQ_VERBOSE=1 shows them all.
if not quiet.verbose():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from seq2seq.translation import Translation

__all__ = ["Translation", "Translator"]


def __getattr__(name: str):
    if name == "Translator":
        from seq2seq.inference import Translator

        return Translator
    raise AttributeError(f"module 'seq2seq' has no attribute {name!r}")
