"""`Translation`: the one record that inference hands to the pictures."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seq2seq.text import cased_as_typed, detokenize

# A word the model would not have written, and gave less than this chance, surprised it.
SURPRISING_PROBABILITY = 0.1


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

    What a question to the model adds (`seq2seq.whatif`; each empty when not asked):

    - ``alternatives[t]``: the most probable words at step ``t`` as ``(word,
      probability)`` pairs, best first, whatever was written there.
    - ``log_probabilities[t]`` and ``ranks[t]`` ``(len(target_tokens),)``: the
      log-probability of target token ``t`` under the model and its rank among
      the words it could write there (1: the one it would write).
    - ``forced``: how many leading target tokens were forced (a prefix).
    - ``hidden``: the source positions hidden from the attention.
    - ``pointed``: ``(step, source position)`` pairs where the attention was pointed.
    """

    source_tokens: list[str]
    target_tokens: list[str]
    weights: np.ndarray | None
    score: float
    hypotheses: tuple[Translation, ...] = ()
    typed: str | None = None
    alternatives: tuple[tuple[tuple[str, float], ...], ...] = ()
    log_probabilities: np.ndarray | None = None
    ranks: np.ndarray | None = None
    forced: int = 0
    hidden: tuple[int, ...] = ()
    pointed: tuple[tuple[int, int], ...] = ()

    @property
    def text(self) -> str:
        """The target tokens joined by spaces."""
        return " ".join(self.target_tokens)

    @property
    def surprises(self) -> tuple[int, ...]:
        """The target tokens the model did not expect: not the word it would have written
        there (rank above 1) and given a probability below `SURPRISING_PROBABILITY`.
        Empty where ``log_probabilities`` and ``ranks`` are unknown."""
        if self.log_probabilities is None or self.ranks is None:
            return ()
        unlikely = np.asarray(self.log_probabilities) < np.log(SURPRISING_PROBABILITY)
        return tuple(int(t) for t in np.flatnonzero(unlikely & (np.asarray(self.ranks) > 1)))

    @property
    def sentence(self) -> str:
        """The translation as a reader writes it (`seq2seq.text.detokenize`), names
        capitalised as in the sentence typed (`seq2seq.text.cased_as_typed`)."""
        if self.typed is None:
            return detokenize(self.target_tokens)
        return detokenize(cased_as_typed(self.target_tokens, self.typed, self.source_tokens))
