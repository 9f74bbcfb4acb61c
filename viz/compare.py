"""Models side by side: the same source sentence, where each of several models looked."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from matplotlib.figure import Figure

from viz._validate import as_tokens
from viz.grid import plot_grid
from viz.labels import joined
from viz.labels import labels as token_labels

# Side by side up to this many panels a row; more wrap onto further rows.
COMPARISON_COLUMNS = 4


def plot_comparison(
    translations: Sequence[Any],
    *,
    labels: Sequence[str],
    path: str | os.PathLike[str] | None = None,
    style: str = "projector",
) -> Figure:
    """Draw the attention of several models on one source sentence, side by side.

    Each of ``translations`` is a ``Translation`` or a tuple ``(weights,
    source_tokens, target_tokens)``, ``weights`` of shape
    ``(len(target_tokens), len(source_tokens))``; all share the same source
    tokens, while their target tokens may differ. ``labels`` names the model
    behind each (say "additive" and "dot"); panel k is titled with label k and
    its translation. One colour bar serves all panels, on the same 0..1 scale.
    A translation whose weights are None (a model without attention) gets a
    panel with its translation and a line saying there is no matrix to draw.
    With ``path`` (.png, .svg, .pdf, .jpg), also writes the figure there.
    """
    if len(translations) == 0:
        raise ValueError("translations is empty; expected one translation per model to compare.")
    if isinstance(labels, str):
        raise ValueError(
            f"labels is the string {labels!r}; expected a list of one per translation."
        )
    if len(labels) != len(translations):
        raise ValueError(
            f"there are {len(labels)} labels for {len(translations)} translations; "
            "expected one label per translation."
        )
    tokens = [as_tokens(translation) for translation in translations]
    first = tokens[0][0]
    for number, (source_tokens, _) in enumerate(tokens[1:], start=1):
        if source_tokens != first:
            raise ValueError(
                f"translation {number} ({labels[number]!r}) reads the source tokens "
                f"{token_labels(source_tokens)} but translation 0 ({labels[0]!r}) reads "
                f"{token_labels(first)}; "
                "expected every model to translate the same source sentence."
            )
    return plot_grid(
        translations,
        titles=[
            f"{label}\n{joined(target_tokens)}" for label, (_, target_tokens) in zip(labels, tokens)
        ],
        columns=min(len(translations), COMPARISON_COLUMNS),
        path=path,
        style=style,
    )
