"""`Translation`: the one record that inference hands to the pictures."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seq2seq.text import cased_as_typed, detokenize


@dataclass(frozen=True)
class Translation:
    """One translated sentence and the attention behind it.

    ``weights[t, s]`` is how much output token ``t`` attended to source token
    ``s``; shape ``(len(target_tokens), len(source_tokens))``, each row sums to 1.
    A model without attention (``--attention none``) has no weights: it is None.
    ``score`` is the log-probability of ``target_tokens`` (with the end marker)
    under the model. ``hypotheses`` holds, when beam search was asked for the
    n best, those translations, best first (this one among them), each with
    the weights that produced it; otherwise it is empty. ``typed`` is the
    source sentence as it was typed, where known: `sentence` takes the case of
    names from it.
    """

    source_tokens: list[str]
    target_tokens: list[str]
    weights: np.ndarray | None
    score: float
    hypotheses: tuple[Translation, ...] = ()
    typed: str | None = None

    @property
    def text(self) -> str:
        """The target tokens joined by spaces."""
        return " ".join(self.target_tokens)

    @property
    def sentence(self) -> str:
        """The translation as a reader writes it (`seq2seq.text.detokenize`), names
        capitalised as in the sentence typed (`seq2seq.text.cased_as_typed`)."""
        if self.typed is None:
            return detokenize(self.target_tokens)
        return detokenize(cased_as_typed(self.target_tokens, self.typed, self.source_tokens))
