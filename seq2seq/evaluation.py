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


def evaluate(
    translator, pairs, beam_width: int = 1, per_sentence: bool = False, progress: bool = False
) -> dict:
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
    ``progress`` shows a bar of the sentences translated, on a terminal.
    A model without attention has neither AER nor attention statistics: its
    metrics and sentences leave them out.
    """
    if not pairs:
        raise ValueError("evaluate needs at least one pair")
    from seq2seq.text import tokenize

    sources, written = group_references(pairs, tokenized=False)
    references = [[tokenize(target) for target in accepted] for accepted in written]
    if progress:
        from seq2seq.progress import progress as bar

        with bar(len(sources), "sentence", "Translating") as advance:
            translations = translator.translate_batch(sources, beam_width, progress=advance)
    else:
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


# --- scores by source length ------------------------------------------------------------

BUCKET_WIDTH = 5  # source tokens a bucket spans
# At the long end, a bucket of fewer sentences than this joins the one before it: a
# score of three sentences says little.
FEWEST_IN_BUCKET = 10
HELD_OUT, BEYOND_CUT = "held out", "beyond the cut"  # the two sets a bucket can belong to


def length_buckets(
    lengths: Iterable[int], width: int = BUCKET_WIDTH, fewest: int = FEWEST_IN_BUCKET
) -> list[tuple[int, int]]:
    """Buckets ``(shortest, longest)`` of ``width`` tokens that cover ``lengths``: 1–5, 6–10, …

    Only buckets holding a length are kept. From the long end, a bucket with
    fewer than ``fewest`` lengths joins the one before it, so the last bucket
    may be wider; every length falls in exactly one bucket.
    """
    if width < 1:
        raise ValueError(f"a bucket spans at least 1 token, got width {width}")
    counts: dict[int, int] = {}
    for length in lengths:
        counts[(length - 1) // width] = counts.get((length - 1) // width, 0) + 1
    buckets = [[index * width + 1, (index + 1) * width, counts[index]] for index in sorted(counts)]
    while len(buckets) > 1 and buckets[-1][2] < fewest:
        last = buckets.pop()
        buckets[-1][1:] = [last[1], buckets[-1][2] + last[2]]
    return [(shortest, longest) for shortest, longest, _ in buckets]


def source_length(source: str) -> int:
    """Tokens of a source sentence, as the model reads it (`seq2seq.text.normalize`)."""
    from seq2seq.text import normalize

    return len(normalize(source).split())


def bucket_scores(
    hypotheses: Sequence[Tokens],
    references: Sequence[Sequence[Tokens]],
    lengths: Sequence[int],
    buckets: Sequence[tuple[int, int]],
    set_name: str = HELD_OUT,
) -> list[dict]:
    """BLEU, chrF and exact match of the sentences whose source length falls in each bucket.

    One row per bucket that holds a sentence: ``set`` (``set_name``),
    ``shortest`` and ``longest`` (source tokens), ``sentences``, ``bleu``,
    ``chrf``, ``exact_match``.
    """
    rows = []
    for shortest, longest in buckets:
        inside = [index for index, length in enumerate(lengths) if shortest <= length <= longest]
        if not inside:
            continue
        chosen = [hypotheses[index] for index in inside]
        accepted = [references[index] for index in inside]
        rows.append(
            {
                "set": set_name,
                "shortest": shortest,
                "longest": longest,
                "sentences": len(inside),
                "bleu": bleu(chosen, accepted),
                "chrf": chrf(chosen, accepted),
                "exact_match": exact_match(chosen, accepted),
            }
        )
    return rows


def scores_by_length(
    translator,
    pairs,
    beyond_cut=(),
    *,
    width: int = BUCKET_WIDTH,
    beam_width: int = 1,
) -> list[dict]:
    """Translate the sources of ``pairs`` and score them by source length (`bucket_scores`).

    ``beyond_cut`` are pairs longer than any the model trained on (the
    sentences a ``--max-length`` cut left out); they are translated too and
    scored in buckets of their own, whose ``set`` is `BEYOND_CUT`. Each
    distinct source counts once, against all its references; every sentence
    lands in exactly one bucket.
    """
    from seq2seq.text import tokenize

    rows = []
    for set_name, part in ((HELD_OUT, pairs), (BEYOND_CUT, beyond_cut)):
        if not part:
            continue
        sources, written = group_references(part, tokenized=False)
        references = [[tokenize(target) for target in accepted] for accepted in written]
        translations = translator.translate_batch(sources, beam_width)
        lengths = [source_length(source) for source in sources]
        hypotheses = [translation.target_tokens for translation in translations]
        buckets = length_buckets(lengths, width)
        rows += bucket_scores(hypotheses, references, lengths, buckets, set_name)
    return rows


def describe(config) -> str:
    """A run's attention as tables and legends name it: "additive attention", "no attention"."""
    if config is None:
        return "attention unknown"
    return "no attention" if config.attention == "none" else f"{config.attention} attention"


def evaluate_by_length(
    runs: Sequence,
    *,
    beam_width: int = 1,
    width: int = BUCKET_WIDTH,
    beyond_cut: bool = False,
    out=None,
    log=print,
):
    """``python -m seq2seq evaluate --run A [--run B ...] --by-length``: returns the picture's path.

    Scores each run on its own held-out pairs by source length
    (`scores_by_length`), with ``beyond_cut`` also on the pairs of its corpus
    longer than its ``--max-length`` (`seq2seq.corpora.beyond_cut`); prints one
    table of every run's buckets; adds them to each ``RUN/metrics.json`` under
    ``by_length``; and draws them, one line per run, into
    ``OUT/scores-by-length.png`` (``out`` defaults to the first run's folder).
    """
    from pathlib import Path

    import viz
    from seq2seq import artifacts
    from seq2seq.corpora import beyond_cut as pairs_beyond_cut
    from seq2seq.errors import UserError
    from seq2seq.inference import Translator

    runs = [Path(run) for run in runs]
    if len({run.resolve() for run in runs}) < len(runs):
        raise UserError("A run is given twice; give each --run once.")
    out = Path(out) if out is not None else runs[0]
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} is a file, not a folder; choose a folder to write into.")
    labelled = {}
    for run in runs:
        translator = Translator.load(run)
        recorded = artifacts.read_json(run / artifacts.METRICS) or {}
        if not isinstance(recorded, dict):
            raise UserError(f"{run / artifacts.METRICS} must hold a JSON object of scores.")
        pairs = artifacts.read_test_pairs(run)
        beyond = pairs_beyond_cut(translator.config) if beyond_cut else []
        log(
            f"Translating {len(pairs):,} held-out pairs"
            + (f" and {len(beyond):,} beyond the cut" if beyond_cut else "")
            + f" with {run} (beam width {beam_width})."
        )
        buckets = scores_by_length(translator, pairs, beyond, width=width, beam_width=beam_width)
        recorded["by_length"] = {
            "beam_width": beam_width,
            "bucket_width": width,
            "buckets": buckets,
        }
        artifacts.write_json(run / artifacts.METRICS, recorded)
        labelled[f"{run.name} ({describe(translator.config)})"] = buckets
    log("\n" + format_length_table(labelled))
    path = out / "scores-by-length.png"
    viz.plot_scores_by_length(labelled, path=path, title="BLEU by source length")
    log(f"\nAdded to each run's metrics.json under 'by_length'; the picture: {path}")
    return path


def format_length_table(runs: dict[str, list[dict]]) -> str:
    """One row per bucket, the sentences it holds, then BLEU, chrF, exact match of each run."""
    scores = {name: {_bucket_key(row): row for row in rows} for name, rows in runs.items()}
    keys = sorted({key for rows in scores.values() for key in rows})
    width = max(len("BLEU   chrF   exact"), *(len(name) for name in runs))
    lines = [
        f"  {'source tokens':<22}{'sentences':>9}  "
        + "".join(f"{name:<{width}}  " for name in runs),
        f"  {'':<33}" + "".join(f"{'BLEU   chrF   exact':<{width}}  " for _ in runs),
    ]
    for key in keys:
        beyond, shortest, longest = key
        label = f"{shortest}–{longest}" + (" beyond the cut" if beyond else "")
        count = next(rows[key]["sentences"] for rows in scores.values() if key in rows)
        cells = [_scores_cell(rows.get(key)) for rows in scores.values()]
        lines.append(
            f"  {label:<22}{count:>9,}  " + "".join(f"{cell:<{width}}  " for cell in cells)
        )
    return "\n".join(line.rstrip() for line in lines)


def _bucket_key(row: dict) -> tuple[bool, int, int]:
    """Held-out buckets first, then those beyond the cut; short to long within each."""
    return row["set"] == BEYOND_CUT, row["shortest"], row["longest"]


def _scores_cell(row: dict | None) -> str:
    if row is None:
        return "–"
    return f"{row['bleu']:5.1f}  {row['chrf']:5.1f}  {row['exact_match']:6.1%}"
