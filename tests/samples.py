"""Hand-written attention for the viz tests: short sentences and long made-up ones, and a
translation without any (a model without attention); and a translator rigged to rank [UNK]
first, for the tests of unknown words."""

from __future__ import annotations

import numpy as np

from seq2seq.translation import Translation

RED_CAR = Translation(
    source_tokens=["the", "red", "car", "."],
    target_tokens=["el", "coche", "rojo", "."],
    weights=np.array(
        [
            [0.97, 0.01, 0.01, 0.01],
            [0.02, 0.03, 0.94, 0.01],
            [0.01, 0.95, 0.03, 0.01],
            [0.00, 0.00, 0.02, 0.98],
        ]
    ),
    score=-0.4,
)

QUESTION = Translation(
    source_tokens=["is", "the", "boy", "here", "?"],
    target_tokens=["¿", "está", "el", "niño", "aquí", "?"],
    weights=np.array(
        [
            [0.40, 0.02, 0.02, 0.01, 0.55],
            [0.90, 0.03, 0.03, 0.02, 0.02],
            [0.05, 0.85, 0.05, 0.03, 0.02],
            [0.02, 0.10, 0.85, 0.02, 0.01],
            [0.01, 0.01, 0.03, 0.93, 0.02],
            [0.10, 0.00, 0.05, 0.05, 0.80],
        ]
    ),
    score=-1.2,
)

# What a model without attention (--attention none) translates: tokens and a score, no weights.
WITHOUT_ATTENTION = Translation(
    source_tokens=["the", "red", "car", "."],
    target_tokens=["el", "coche", "rojo", "."],
    weights=None,
    score=-0.9,
)


def sentence(length: int) -> tuple[np.ndarray, list[str], list[str]]:
    """A near-diagonal (weights, source_tokens, target_tokens) of ``length`` tokens a side."""
    weights = np.full((length, length), 0.2 / length) + 0.8 * np.eye(length)
    source_tokens = [f"word{index}" for index in range(length)]
    target_tokens = [f"palabra{index}" for index in range(length)]
    return weights, source_tokens, target_tokens


def ranking_unk_first(run):
    """A translator of ``run`` whose model ranks [UNK] first at every step, unmasked."""
    from seq2seq import Translator

    translator = Translator.load(run)  # a model of its own: the change stays in this test
    project = translator.model.decoder.project
    bias = project.bias.numpy()
    bias[list(translator.target_vocabulary).index("[UNK]")] += 1000.0
    project.bias.assign(bias)
    return translator


# RED_CAR asked questions: "rojo" forced as "azul", "red" hidden, step 3 pointed at ".".
ASKED = Translation(
    source_tokens=["the", "red", "car", "."],
    target_tokens=["el", "coche", "azul", "."],
    weights=np.array(
        [
            [0.97, 0.00, 0.02, 0.01],
            [0.03, 0.00, 0.96, 0.01],
            [0.30, 0.00, 0.60, 0.10],
            [0.00, 0.00, 0.00, 1.00],
        ]
    ),
    score=-6.1,
    alternatives=(
        (("el", 0.97), ("la", 0.02)),
        (("coche", 0.95), ("carro", 0.03)),
        (("limpio", 0.40), ("viejo", 0.30)),
        ((".", 0.99), ("y", 0.01)),
    ),
    log_probabilities=np.array([-0.03, -0.05, -6.0, -0.01]),
    ranks=np.array([1, 1, 25, 1]),
    forced=3,
    hidden=(1,),
    pointed=((3, 3),),
)
