"""The one check every picture runs first: is this a weight matrix with its two token lists?"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from viz.labels import labels

# What every picture says instead of drawing a translation without weights.
NO_ATTENTION = (
    "the model has no attention: it reads the source only through the encoder's final "
    "state, so there is no matrix to draw"
)


class Attention(NamedTuple):
    """Validated attention: ``weights[t, s]`` is how much target token t attended to source token s.

    ``weights`` has shape ``(len(target_tokens), len(source_tokens))``, finite and >= 0.
    """

    weights: np.ndarray
    source_tokens: list[str]
    target_tokens: list[str]

    @property
    def source_labels(self) -> list[str]:
        """The source tokens as the pictures show them (`viz.labels.label`)."""
        return labels(self.source_tokens)

    @property
    def target_labels(self) -> list[str]:
        """The target tokens as the pictures show them (`viz.labels.label`)."""
        return labels(self.target_tokens)


def as_attention(translation: Any) -> Attention:
    """Check ``translation`` and return it as an `Attention`.

    ``translation`` is anything with ``.weights``, ``.source_tokens`` and
    ``.target_tokens`` (a ``seq2seq.Translation``, say), or a tuple
    ``(weights, source_tokens, target_tokens)``. Bad input raises a ValueError
    of one sentence naming what is wrong and what was expected; so does a
    translation whose weights are None (its model has no attention).
    """
    weights, source_tokens, target_tokens = _parts(translation)
    source_tokens = _tokens(source_tokens, "source")
    target_tokens = _tokens(target_tokens, "target")
    if weights is None:
        raise ValueError(f"this translation has no attention weights; {NO_ATTENTION}.")
    return Attention(
        _weights(weights, len(source_tokens), len(target_tokens)), source_tokens, target_tokens
    )


def as_tokens(translation: Any) -> tuple[list[str], list[str]]:
    """The checked ``(source_tokens, target_tokens)`` of ``translation``, weights or not."""
    _, source_tokens, target_tokens = _parts(translation)
    return _tokens(source_tokens, "source"), _tokens(target_tokens, "target")


def has_attention(translation: Any) -> bool:
    """Whether ``translation`` has weights to draw (a model without attention has None)."""
    return _parts(translation)[0] is not None


def _parts(translation: Any) -> tuple[Any, Any, Any]:
    if isinstance(translation, tuple) and len(translation) == 3:
        return translation
    if all(hasattr(translation, name) for name in Attention._fields):
        return translation.weights, translation.source_tokens, translation.target_tokens
    raise TypeError(
        f"expected a Translation (with .weights, .source_tokens and .target_tokens) "
        f"or a tuple (weights, source_tokens, target_tokens), got {type(translation).__name__}."
    )


def _tokens(tokens: Any, side: str) -> list[str]:
    if isinstance(tokens, str) or not isinstance(tokens, Sequence | np.ndarray):
        raise ValueError(
            f"{side}_tokens is a {type(tokens).__name__}; "
            "expected a list of strings, one per token."
        )
    if len(tokens) == 0:
        raise ValueError(f"there are no {side} tokens; expected at least one.")
    for position, token in enumerate(tokens):
        if not isinstance(token, str):
            raise ValueError(
                f"{side} token {position} is {token!r} ({type(token).__name__}); "
                "expected every token to be a string."
            )
    return list(tokens)


def _weights(weights: Any, source_length: int, target_length: int) -> np.ndarray:
    expected = (target_length, source_length)
    try:
        matrix = np.asarray(weights, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            f"weights is not a matrix of numbers; expected a float array of shape {expected}."
        ) from None
    if matrix.ndim != 2:
        raise ValueError(
            f"weights has {matrix.ndim} dimension(s), shape {matrix.shape}; "
            f"expected a 2-D matrix of shape {expected} (target tokens, source tokens)."
        )
    if matrix.shape != expected:
        raise ValueError(
            f"weights has shape {matrix.shape} but there are {source_length} source tokens "
            f"and {target_length} target tokens; expected {expected}."
        )
    not_finite = ~np.isfinite(matrix)
    if not_finite.any():
        row, column = np.argwhere(not_finite)[0]
        raise ValueError(
            f"weights has {not_finite.sum()} NaN or infinite value(s), the first at "
            f"[{row}, {column}]; expected finite weights between 0 and 1."
        )
    if (matrix < 0).any():
        row, column = np.argwhere(matrix < 0)[0]
        raise ValueError(
            f"weights has negative value {matrix[row, column]:g} at [{row}, {column}]; "
            "expected weights of at least 0."
        )
    return matrix
