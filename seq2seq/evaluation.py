"""How good a run is: exact match, BLEU, and how well its attention aligns words."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

Alignment = frozenset[tuple[int, int]]  # (target position, source position) links


def exact_match(hypotheses: Sequence[Sequence[str]], references: Sequence[Sequence[str]]) -> float:
    """Share of sentences translated token for token right."""
    if not references:
        return 0.0
    return sum(list(h) == list(r) for h, r in zip(hypotheses, references)) / len(references)


def bleu(hypotheses: Sequence[Sequence[str]], references: Sequence[Sequence[str]]) -> float:
    """Corpus BLEU (sacrebleu, 0–100) over the normalized tokens.

    The tokens are already split, so sacrebleu's own tokenizer is turned off.
    """
    from sacrebleu.metrics import BLEU

    return (
        BLEU(tokenize="none", force=True)
        .corpus_score([" ".join(h) for h in hypotheses], [[" ".join(r) for r in references]])
        .score
    )


def argmax_alignment(weights: np.ndarray) -> Alignment:
    """Link every target row of ``weights (T, S)`` to the source position it weighs most."""
    return frozenset((t, int(s)) for t, s in enumerate(np.argmax(weights, axis=1)))


def alignment_error_rate(predicted: Iterable[Alignment], gold: Iterable[Alignment]) -> float:
    """AER of Och & Ney (2003) over a corpus, with sure links = possible links.

    AER = 1 - (|A∩S| + |A∩P|) / (|A| + |S|), which with S = P is
    1 - 2|A∩S| / (|A| + |S|): 0 when the links match exactly.
    """
    hits = predicted_count = gold_count = 0
    for links, sure in zip(predicted, gold, strict=True):
        hits += len(links & sure)
        predicted_count += len(links)
        gold_count += len(sure)
    if predicted_count + gold_count == 0:
        return 0.0
    return 1.0 - 2.0 * hits / (predicted_count + gold_count)


def evaluate(translator, pairs) -> dict[str, float]:
    """Translate the sources of ``pairs`` greedily and score against their targets.

    AER is measured where pairs carry gold alignments: the reference target is
    fed to the decoder (teacher forcing) and each target word is linked to the
    source word its attention weighs most.
    """
    from seq2seq.text import tokenize

    translations = translator.translate_batch([pair.source for pair in pairs])
    hypotheses = [translation.target_tokens for translation in translations]
    references = [tokenize(pair.target) for pair in pairs]
    metrics = {
        "pairs": len(pairs),
        "exact_match": exact_match(hypotheses, references),
        "bleu": bleu(hypotheses, references),
    }
    aligned = [pair for pair in pairs if pair.alignment is not None]
    if aligned:
        forced = translator.align(
            [pair.source for pair in aligned], [pair.target for pair in aligned]
        )
        metrics["aer"] = alignment_error_rate(
            (argmax_alignment(translation.weights) for translation in forced),
            (pair.alignment for pair in aligned),
        )
    return metrics
