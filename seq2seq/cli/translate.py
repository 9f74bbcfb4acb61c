"""``python -m seq2seq translate``: translate sentences, print them, draw their attention."""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from pathlib import Path

from seq2seq.cli.common import (
    add_beam_argument,
    add_run_argument,
    add_sentence_arguments,
    check_folder,
    positive_int,
    print_paths,
    sentences,
    translate_and_print,
)
from seq2seq.config import Config
from seq2seq.errors import UserError
from seq2seq.translation import Translation


def add(commands) -> None:
    translate = commands.add_parser(
        "translate",
        help="translate sentences and draw their attention",
        description="Translate sentences with a trained run; write a heatmap, an animation, "
        "bar charts and an interactive page per sentence.",
    )
    add_sentence_arguments(translate)
    translate.add_argument(
        "--out", type=Path, help="folder for the pictures (default: RUN/translations)"
    )
    translate.add_argument("--no-pictures", action="store_true", help="print the translations only")
    add_run_argument(translate)
    add_beam_argument(translate)
    translate.add_argument(
        "--n-best",
        type=positive_int,
        default=1,
        metavar="N",
        help="print the N most probable hypotheses of the beam and draw them side by side "
        "(needs --beam N or wider; default: 1)",
    )
    translate.add_argument(
        "--save-records",
        type=Path,
        metavar="FILE",
        help="also write one attention record per sentence to FILE (JSON Lines); "
        "python -m viz draw FILE draws them",
    )
    _add_question_arguments(translate)
    translate.set_defaults(job=run)


def _add_question_arguments(translate: argparse.ArgumentParser) -> None:
    questions = translate.add_argument_group(
        "what if",
        "Ask the model a question while it translates; each answer is printed beside its "
        "own translation, word by word, and drawn with what was asked marked.",
    )
    questions.add_argument(
        "--prefix",
        metavar="TEXT",
        help="the words the translation must start with; the model goes on from there",
    )
    questions.add_argument(
        "--hide",
        metavar="WORD[,WORD...]",
        help="source words the attention may not read, at any step (the encoder still reads "
        "them, so their meaning reaches the decoder through the words around them)",
    )
    questions.add_argument(
        "--point",
        metavar="STEP:WORD",
        action="append",
        default=[],
        help="at output word STEP (counting from 1) the attention reads WORD alone, then "
        "the model goes on by itself; may be given for several steps",
    )
    questions.add_argument(
        "--alternatives",
        type=positive_int,
        default=0,
        metavar="K",
        help="also print the K most probable words at each step",
    )
    questions.add_argument(
        "--reference",
        metavar="TEXT",
        help="your own translation of the one sentence given: the model reads it and says "
        "how probable each word was, and which it did not expect",
    )


def run(arguments: argparse.Namespace) -> None:
    given = sentences(arguments)
    if arguments.n_best > arguments.beam:
        raise UserError(
            f"--n-best {arguments.n_best} asks for more hypotheses than --beam {arguments.beam} "
            f"keeps; give --beam {arguments.n_best} or wider."
        )
    if arguments.save_records is not None and arguments.save_records.is_dir():
        raise UserError(f"--save-records {arguments.save_records} is a folder; name a file.")
    out = None if arguments.no_pictures else arguments.out or arguments.run / "translations"
    if out is not None:
        check_folder(out)
    if _asks(arguments):
        translations = ask_and_print(arguments, given)
    else:
        translations = translate_and_print(arguments.run, given, arguments.beam, arguments.n_best)
    if out is not None:
        from seq2seq.pictures import cores, draw, no_attention_note

        note = no_attention_note(translations)
        if note:
            print(f"\n{note}")
        else:
            print_paths("Pictures", draw(translations, out, given, workers=cores()))
    if arguments.save_records is not None:
        _save_records(arguments, given, translations)


def _save_records(
    arguments: argparse.Namespace, sentences: Sequence[str], translations: Sequence[Translation]
) -> None:
    """Write an attention record per translation to ``--save-records``."""
    import viz
    from seq2seq import artifacts
    from seq2seq.records import model_facts, translation_records

    config = Config.load(arguments.run / artifacts.CONFIG)
    model = model_facts(arguments.run, config, arguments.beam)
    records = translation_records(translations, sentences, model)
    path = viz.write_records(records, arguments.save_records)
    skipped = len(translations) - len(records)
    note = f" ({skipped} translation(s) ended at once and have none)" if skipped else ""
    print(f"\n{len(records)} attention record(s) written to {path}{note}")


# --- what if -------------------------------------------------------------------------


def _asks(arguments: argparse.Namespace) -> bool:
    return bool(
        arguments.prefix
        or arguments.hide
        or arguments.point
        or arguments.alternatives
        or arguments.reference is not None
    )


def ask_and_print(arguments: argparse.Namespace, sentences: Sequence[str]) -> list[Translation]:
    """Translate ``sentences``, then ask each the question of the flags; print both, word by
    word. Returns the answers (what the pictures and records show)."""
    from seq2seq.inference import Translator

    reading = arguments.reference is not None
    if reading and (len(sentences) != 1 or arguments.prefix or arguments.hide or arguments.point):
        raise UserError(
            "--reference reads your translation of one sentence as it is: give one "
            "sentence and no --prefix, --hide or --point."
        )
    translator = Translator.load(arguments.run)
    own = translator.translate_batch(sentences, arguments.beam, arguments.n_best)
    if reading:
        answers = translator.align(sentences, [arguments.reference], arguments.alternatives)
    else:
        what_if = [_question(arguments, sentence) for sentence in sentences]
        answers = translator.translate_batch(
            sentences,
            arguments.beam,
            arguments.n_best,
            what_if=what_if,
            alternatives=arguments.alternatives,
        )
    for sentence, mine, answer in zip(sentences, own, answers):
        print(f"  {sentence}")
        print(f"  → {mine.sentence or '(nothing)'}   (log-probability {mine.score:.2f})")
        print(
            f"  ? {answer.sentence or '(nothing)'}   (log-probability {answer.score:.2f}: "
            f"{_asked(answer, reading)})"
        )
        print("\n".join(_word_lines(answer, mine)))
        for rank, hypothesis in enumerate(answer.hypotheses, start=1):
            print(f"    {rank}. {hypothesis.text or '(nothing)'}   ({hypothesis.score:.2f})")
    return answers


def _question(arguments: argparse.Namespace, sentence: str):
    """The flags' `WhatIf` for ``sentence``, each --point's step counted from 0."""
    from seq2seq.inference import max_steps
    from seq2seq.text import normalize
    from seq2seq.whatif import WhatIf

    limit = int(max_steps(len(normalize(sentence).split())))
    points = []
    for point in arguments.point:
        step, colon, word = point.partition(":")
        if not colon or not step.strip().isdigit() or int(step) < 1 or not word.strip():
            raise UserError(f"--point {point!r} is not STEP:WORD with STEP a number from 1.")
        if int(step) > limit:
            raise UserError(
                f"--point {point!r}: a translation of this sentence has at most {limit} words, "
                f"so STEP goes from 1 to {limit}."
            )
        points.append((int(step) - 1, word.strip()))
    hide = [word.strip() for word in (arguments.hide or "").split(",") if word.strip()]
    return WhatIf(arguments.prefix, hide, points)


def _asked(answer: Translation, read: bool) -> str:
    """What was asked, in words: ``forced el coche azul; hidden red; word 4 pointed at fast``."""
    if read:
        return "your translation, read by the model"
    parts = []
    if answer.forced:
        parts.append(f"forced {' '.join(answer.target_tokens[: answer.forced])}")
    if answer.hidden:
        parts.append(f"hidden {', '.join(answer.source_tokens[s] for s in answer.hidden)}")
    for step, source in answer.pointed:
        parts.append(f"word {step + 1} pointed at {answer.source_tokens[source]}")
    return "; ".join(parts) or "the model's own"


def _word_lines(answer: Translation, own: Translation) -> list[str]:
    """One line per word of ``answer``: its probability, its rank, what was asked of it,
    and the alternatives where there are some; then where it parted from ``own``."""
    from seq2seq.text import UNK

    width = max([4, *(len(token) for token in answer.target_tokens)])
    pointed = dict(answer.pointed)
    lines = [f"    {'':>3} {'word':<{width}}  probability  rank"]
    for step, token in enumerate(answer.target_tokens):
        notes = []
        if step < answer.forced:
            notes.append("forced")
        if step in pointed:
            notes.append(f"pointed at {answer.source_tokens[pointed[step]]}")
        if step in answer.surprises:
            notes.append("unexpected")
        if token == UNK:
            notes.append("a word the model does not know")
        if answer.alternatives:
            others = ", ".join(f"{w} {p:.2f}" for w, p in answer.alternatives[step] if w != token)
            notes.append(f"instead: {others}")
        probability = math.exp(answer.log_probabilities[step])
        lines.append(
            f"    {step + 1:>3} {token:<{width}}  {probability:>11.3f}  {answer.ranks[step]:>4}"
            + (f"  {'; '.join(notes)}" if notes else "")
        )
    parted = next(
        (
            step
            for step, (mine, theirs) in enumerate(zip(own.target_tokens, answer.target_tokens))
            if mine != theirs
        ),
        min(len(own.target_tokens), len(answer.target_tokens)),
    )
    if own.target_tokens == answer.target_tokens:
        lines.append("    (the model's own translation)")
    else:
        lines.append(
            f"    parts from the model's own at word {parted + 1}: it wrote "
            f"{' '.join(own.target_tokens[parted:]) or '(the end)'}"
        )
    return lines
