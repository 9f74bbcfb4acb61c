"""Models side by side: the same source sentence, where each of several models looked."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from matplotlib.figure import Figure

from viz._validate import as_attention
from viz.grid import plot_grid
from viz.labels import joined

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
    attentions = [as_attention(translation) for translation in translations]
    first = attentions[0].source_tokens
    for number, attention in enumerate(attentions[1:], start=1):
        if attention.source_tokens != first:
            raise ValueError(
                f"translation {number} ({labels[number]!r}) reads the source tokens "
                f"{attention.source_labels} but translation 0 ({labels[0]!r}) reads "
                f"{attentions[0].source_labels}; "
                "expected every model to translate the same source sentence."
            )
    return plot_grid(
        attentions,
        titles=[
            f"{label}\n{joined(attention.target_tokens)}"
            for label, attention in zip(labels, attentions)
        ],
        columns=min(len(attentions), COMPARISON_COLUMNS),
        path=path,
        style=style,
    )
