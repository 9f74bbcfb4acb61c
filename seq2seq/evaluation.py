"""How good a run is: exact match, BLEU, chrF; how well its attention aligns words; how it spreads.

Scores compare normalized tokens (`seq2seq.text.tokenize`: lowercased,
punctuation split off); `as_written_scores` also compares the detokenized
translations with the cased targets, the way published results are. A source with
several translations in the test pairs (Tatoeba has ``Go.`` → ``Va !``,
``Marche.``, ``Bouge !``) is translated once and scored against all of them,
as multi-reference BLEU and chrF do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

Alignment = frozenset[tuple[int, int]]  # (target position, source position) links
Tokens = Sequence[str]

# A source token whose attention, summed over all output steps, stays below this
# was in effect not read.
IGNORED_BELOW = 0.1


def exact_match(hypotheses: Sequence[Tokens], references: Sequence[Sequence[Tokens]]) -> float:
    """Share of sentences translated token for token like one of their references."""
    if not references:
        return 0.0
    hits = sum(
        any(list(h) == list(r) for r in accepted) for h, accepted in zip(hypotheses, references)
    )
    return hits / len(references)


def bleu(hypotheses: Sequence[Tokens], references: Sequence[Sequence[Tokens]]) -> float:
    """Corpus BLEU (sacrebleu, 0–100) against each sentence's references.

    The tokens are already split, so sacrebleu's own tokenizer is turned off.
    """
    from sacrebleu.metrics import BLEU

    metric = BLEU(tokenize="none", force=True)
    return metric.corpus_score(_joined(hypotheses), _streams(references)).score


def chrf(hypotheses: Sequence[Tokens], references: Sequence[Sequence[Tokens]]) -> float:
    """Corpus chrF (sacrebleu, 0–100): F-score of character 6-grams, recall weighted twice.

    It gives credit for a right stem with a wrong ending (``fatigué`` for
    ``fatiguée``), which BLEU's whole words do not; spaces are not counted.
    """
    from sacrebleu.metrics import CHRF

    return CHRF().corpus_score(_joined(hypotheses), _streams(references)).score


def as_written_scores(
    hypotheses: Sequence[str], references: Sequence[Sequence[str]]
) -> dict[str, float]:
    """BLEU and chrF of sentences as a reader sees them, the way published results are scored.

    ``hypotheses`` are detokenized translations (`seq2seq.text.detokenize`),
    ``references`` each sentence's targets as the corpus writes them, cased;
    sacrebleu tokenizes both (its ``13a`` tokenizer) and compares them
    case-sensitively. Returns ``bleu_as_written`` and ``chrf_as_written``.
    """
    from sacrebleu.metrics import BLEU, CHRF

    streams = _streams([list(accepted) for accepted in references])
    return {
        "bleu_as_written": BLEU().corpus_score(list(hypotheses), streams).score,
        "chrf_as_written": CHRF().corpus_score(list(hypotheses), streams).score,
    }


def unknown_share(sentences: Iterable[Tokens]) -> float:
    """Share of the tokens of ``sentences`` that read as ``[UNK]`` (0.0 when there are none)."""
    from seq2seq.text import UNK

    unknown = total = 0
    for tokens in sentences:
        unknown += sum(token == UNK for token in tokens)
        total += len(tokens)
    return unknown / total if total else 0.0


def _joined(hypotheses: Sequence[Tokens]) -> list[str]:
    return [" ".join(tokens) for tokens in hypotheses]


def _streams(references: Sequence[Sequence[Tokens | str]]) -> list[list[str | None]]:
    """sacrebleu's layout: stream k holds each sentence's k-th reference (None if it has fewer).

    A reference is a sentence, or its tokens, which are joined by spaces.
    """
    most = max((len(accepted) for accepted in references), default=0)
    return [
        [_sentence(accepted[k]) if k < len(accepted) else None for accepted in references]
        for k in range(most)
    ]


def _sentence(reference: Tokens | str) -> str:
    return reference if isinstance(reference, str) else " ".join(reference)


# --- alignment ------------------------------------------------------------------


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


# --- how attention spreads ----------------------------------------------------------


def row_entropy(weights: np.ndarray) -> np.ndarray:
    """Entropy in nats of each row of ``weights (T, S)``: shape ``(T,)``.

    0 when an output token looks at a single source token, ``log S`` when it
    looks at all ``S`` evenly; ``exp`` of it is how many tokens it in effect reads.
    """
    weights = np.asarray(weights, dtype=np.float64)
    safe = np.where(weights > 0, weights, 1.0)
    return -(weights * np.log(safe)).sum(axis=1)


def coverage(weights: np.ndarray) -> np.ndarray:
    """How much attention each source token received over the output: shape ``(S,)``."""
    return np.asarray(weights, dtype=np.float64).sum(axis=0)


def sentence_attention(weights: np.ndarray) -> dict[str, float]:
    """One sentence's attention ``(T, S)``: mean row entropy (nats), mean coverage, ignored share.

    The ignored share is the fraction of source tokens whose coverage is below
    `IGNORED_BELOW`. With no output token, the entropy is NaN.
    """
    received = coverage(weights)
    return {
        "entropy": float(row_entropy(weights).mean()) if len(weights) else float("nan"),
        "coverage": float(received.mean()),
        "ignored_share": float((received < IGNORED_BELOW).mean()),
    }


def attention_statistics(translations: Sequence) -> dict[str, float]:
    """Means over ``translations`` (each a `Translation`) of `sentence_attention`.

    ``attention_entropy`` is in nats; a sentence without output tokens has no
    entropy and is left out of that mean (0.0 when no sentence has one).
    """
    rows = [sentence_attention(translation.weights) for translation in translations]

    def mean(name: str) -> float:
        values = [row[name] for row in rows if not np.isnan(row[name])]
        return float(np.mean(values)) if values else 0.0

    return {
        "attention_entropy": mean("entropy"),
        "attention_coverage": mean("coverage"),
        "attention_ignored_share": mean("ignored_share"),
    }


# --- a run ----------------------------------------------------------------------------


def group_references(pairs, tokenized: bool = True) -> tuple[list[str], list[list]]:
    """Distinct sources (by their normalized text, in first-seen order) and their references.

    Each reference is a list of normalized tokens, or with ``tokenized``
    False the target as the pair writes it.
    """
    from seq2seq.text import normalize, tokenize

    groups: dict[str, tuple[str, list]] = {}
    for pair in pairs:
        _, accepted = groups.setdefault(normalize(pair.source), (pair.source, []))
        accepted.append(tokenize(pair.target) if tokenized else pair.target)
    return [source for source, _ in groups.values()], [refs for _, refs in groups.values()]


def evaluate(translator, pairs, beam_width: int = 1, per_sentence: bool = False) -> dict:
    """Translate the sources of ``pairs`` and score against their targets.

    Returns ``pairs`` and ``sentences`` (distinct sources translated),
    ``exact_match``, ``bleu``, ``chrf`` (on lowercased, normalized tokens),
    ``bleu_as_written`` and ``chrf_as_written`` (`as_written_scores`),
    ``source_unk_share`` (the share of source tokens outside the source
    vocabulary, `unknown_share`), the `attention_statistics` of the
    translations, and ``aer`` where pairs carry gold alignments: the reference
    target is fed to the decoder (teacher forcing) and each target word is
    linked to the source word its attention weighs most. With
    ``per_sentence``, ``per_sentence`` lists each sentence's translation,
    entropy, ignored share and the coverage of each of its source tokens.
    A model without attention has neither AER nor attention statistics: its
    metrics and sentences leave them out.
    """
    if not pairs:
        raise ValueError("evaluate needs at least one pair")
    from seq2seq.text import tokenize

    sources, written = group_references(pairs, tokenized=False)
    references = [[tokenize(target) for target in accepted] for accepted in written]
    translations = translator.translate_batch(sources, beam_width)
    hypotheses = [translation.target_tokens for translation in translations]
    metrics = {
        "pairs": len(pairs),
        "sentences": len(sources),
        "exact_match": exact_match(hypotheses, references),
        "bleu": bleu(hypotheses, references),
        "chrf": chrf(hypotheses, references),
        **as_written_scores([translation.sentence for translation in translations], written),
        "source_unk_share": unknown_share(t.source_tokens for t in translations),
    }
    if not translator.has_attention:
        if per_sentence:
            metrics["per_sentence"] = [_tokens_row(t) for t in translations]
        return metrics
    metrics |= attention_statistics(translations)
    aligned = [pair for pair in pairs if pair.alignment is not None]
    if aligned:
        forced = translator.align(
            [pair.source for pair in aligned], [pair.target for pair in aligned]
        )
        metrics["aer"] = alignment_error_rate(
            (argmax_alignment(translation.weights) for translation in forced),
            (pair.alignment for pair in aligned),
        )
    if per_sentence:
        metrics["per_sentence"] = [_sentence_row(t) for t in translations]
    return metrics


def _tokens_row(translation) -> dict:
    return {
        "source_tokens": translation.source_tokens,
        "target_tokens": translation.target_tokens,
    }


def _sentence_row(translation) -> dict:
    spread = sentence_attention(translation.weights)
    return {
        **_tokens_row(translation),
        "entropy": None if np.isnan(spread["entropy"]) else round(spread["entropy"], 4),
        "ignored_share": round(spread["ignored_share"], 4),
        "coverage": [round(float(value), 4) for value in coverage(translation.weights)],
    }
