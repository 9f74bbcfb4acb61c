"""The embedded grammar's long sentences: ``--corpus embedded:long``, up to 40 tokens a side.

Bahdanau et al. (2015, Figure 2) showed an encoder-decoder without attention
losing its BLEU as sentences grow past about twenty words, while the same
network with attention holds it. This corpus lets a laptop show the same in
minutes: the words and rules of `seq2seq.corpora.embedded` (reordering,
agreement, pronoun drop, contractions), put together into sentences of every
length from 3 to 40 tokens, with their gold alignments:

- clauses joined by connectors (``Maria reads a book and the boys sleep`` →
  ``María lee un libro y los niños duermen``; ``but`` → ``pero``, ``because``
  → ``porque``, ``while`` → ``mientras``, ``when`` → ``cuando``);
- relative clauses on noun phrases (``the man who eats the apples`` → ``el
  hombre que come las manzanas``; ``the book that I read`` → ``el libro que
  leo``; ``the car that is red`` → ``el coche que es rojo``);
- adverbials of time and manner (``every day`` → ``todos los días``, ``in the
  morning`` → ``por la mañana``, ``slowly`` → ``despacio``).

Short sentences are the most common and long ones the fewest, as in text
people write (`BANDS`): a model learns its short sentences first, and what it
does with the long ones is then a matter of how it reads them. Even the
longest band holds 6 % of the pairs, about 150 of the held-out pairs of the
``long`` preset: enough for a score by length
(`seq2seq.evaluation.scores_by_length`).
"""

from __future__ import annotations

import random

from seq2seq.corpora.embedded import (
    ADJECTIVES,
    VERBS,
    Grammar,
    NounPhrase,
    Phrase,
    TargetWord,
    Word,
    _agree,
    to_pair,
)
from seq2seq.corpora.pairs import Pair

# Source lengths in tokens, and the share of the pairs each band holds.
BANDS = {
    (3, 5): 0.10,
    (6, 10): 0.30,
    (11, 15): 0.18,
    (16, 20): 0.12,
    (21, 25): 0.09,
    (26, 30): 0.08,
    (31, 35): 0.07,
    (36, 40): 0.06,
}
LONGEST = max(longest for _, longest in BANDS)  # tokens a side, at most

# (english, spanish): clauses after the first are joined by one of these
CONNECTORS = [
    (("and",), ("y",)),
    ((",", "but"), (",", "pero")),
    (("because",), ("porque",)),
    (("while",), ("mientras",)),
    (("when",), ("cuando",)),
    ((",", "so"), (",", "así", "que")),
]

# Adverbials at the end of a clause: (english, spanish, links as (spanish index, english
# index) pairs). A link list of None links every Spanish word to every English one.
ADVERBIALS = [
    (("every", "day"), ("todos", "los", "días"), ((0, 0), (1, 0), (2, 1))),
    (("every", "morning"), ("todas", "las", "mañanas"), ((0, 0), (1, 0), (2, 1))),
    (("in", "the", "morning"), ("por", "la", "mañana"), ((0, 0), (1, 1), (2, 2))),
    (("in", "the", "afternoon"), ("por", "la", "tarde"), ((0, 0), (1, 1), (2, 2))),
    (("at", "night"), ("por", "la", "noche"), ((0, 0), (1, 0), (2, 1))),
    (("on", "sundays"), ("los", "domingos"), ((0, 0), (1, 1))),
    (("today",), ("hoy",), None),
    (("sometimes",), ("a", "veces"), None),
    (("often",), ("a", "menudo"), None),
    (("together",), ("juntos",), None),
    (("slowly",), ("despacio",), None),
    (("again",), ("otra", "vez"), None),
]

CHANCES = {
    "adverbial": 0.3,  # a clause ends with an adverbial
    "relative": 0.25,  # a noun phrase outside a relative clause gets one
}
CLAUSE_KINDS = ("person", "animal", "food", "thing", "readable", "place")


class LongGrammar(Grammar):
    """`Grammar` with relative clauses on noun phrases, adverbials and clauses joined."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__(rng)
        self._in_relative = False

    def noun_phrase(self, kinds: tuple[str, ...]) -> NounPhrase:
        """A noun phrase of one of ``kinds``, sometimes followed by a relative clause."""
        kind = self.rng.choice(kinds)
        noun_phrase = super().noun_phrase((kind,))
        if self._in_relative or not self.chance(CHANCES["relative"]):
            return noun_phrase
        self._in_relative = True  # one level: no relative clause inside another
        try:
            relative = self._relative_clause(noun_phrase, kind)
        finally:
            self._in_relative = False
        phrase = noun_phrase.phrase
        noun_phrase.phrase = Phrase(
            phrase.source + relative.source, phrase.target + relative.target
        )
        return noun_phrase

    def _relative_clause(self, head: NounPhrase, kind: str) -> Phrase:
        """``who eats the apples`` → ``que come las manzanas``, about ``head``.

        People and animals do something; things are something (``that is red``)
        or have something done to them (``that I read`` → ``que leo``).
        """
        if kind in ("person", "animal"):
            that = Word("who" if kind == "person" else "that")
            base, third, spanish_forms, object_kinds = self.rng.choice(VERBS)
            verb = Word(third if head.number == "sg" else base)
            rest = self.noun_phrase(object_kinds).phrase if object_kinds else Phrase()
            return Phrase(
                [that, verb, *rest.source],
                [("que", (that,)), (spanish_forms.split()[head.person], (verb,)), *rest.target],
            )
        that = Word("that")
        objects = [verb for verb in VERBS if kind in verb[3]]
        if not objects or self.chance(0.4):
            be = Word("is" if head.number == "sg" else "are")
            english = self.rng.choice(list(ADJECTIVES))
            adjective = Word(english)
            spanish = _agree(ADJECTIVES[english], head.gender, head.number)
            return Phrase(
                [that, be, adjective],
                [
                    ("que", (that,)),
                    ("es" if head.number == "sg" else "son", (be,)),
                    (spanish, (adjective,)),
                ],
            )
        base, third, spanish_forms, _ = self.rng.choice(objects)
        subject = self.subject(("person",))
        verb = Word(third if subject.person == 2 else base)
        verb_words = (subject.pronoun, verb) if subject.dropped else (verb,)
        return Phrase(
            [that, *subject.phrase.source, verb],
            [
                ("que", (that,)),
                *subject.phrase.target,
                (spanish_forms.split()[subject.person], verb_words),
            ],
        )

    def clause(self) -> Phrase:
        """A statement without its full stop; one about doing something may end in an
        adverbial."""
        roll = self.rng.random()
        if roll < 0.55:
            phrase = self.verb_clause(question=False)
        elif roll < 0.7:
            phrase = self.liking_clause(question=False)
        else:
            phrase = self.copula_clause(question=False)
        phrase = _without_stop(phrase)
        if roll < 0.55 and self.chance(CHANCES["adverbial"]):
            adverbial = _adverbial(self.rng.choice(ADVERBIALS))
            phrase = Phrase(phrase.source + adverbial.source, phrase.target + adverbial.target)
        return phrase

    def long_sentence(self, clauses: int) -> Phrase:
        """``clauses`` statements joined by connectors, then the full stop."""
        phrase = self.clause()
        for _ in range(clauses - 1):
            english, spanish = self.rng.choice(CONNECTORS)
            words = [Word(text) for text in english]
            connector: list[TargetWord] = [
                (text, (words[min(index, len(words) - 1)],)) for index, text in enumerate(spanish)
            ]
            following = self.clause()
            phrase = Phrase(
                phrase.source + words + following.source,
                phrase.target + connector + following.target,
            )
        stop = Word(".")
        return Phrase([*phrase.source, stop], [*phrase.target, (".", (stop,))])


def _without_stop(phrase: Phrase) -> Phrase:
    """The statement ``phrase`` without the ``.`` that ends both sides."""
    assert phrase.source[-1].text == "." and phrase.target[-1][0] == "."
    return Phrase(phrase.source[:-1], phrase.target[:-1])


def _adverbial(entry) -> Phrase:
    english, spanish, links = entry
    words = [Word(text) for text in english]
    if links is None:
        return Phrase(words, [(text, tuple(words)) for text in spanish])
    return Phrase(
        words,
        [
            (text, tuple(words[e] for s, e in links if s == index))
            for index, text in enumerate(spanish)
        ],
    )


def _band(length: int) -> tuple[int, int] | None:
    """The band of `BANDS` that a source of ``length`` tokens falls in, None outside them all."""
    return next((band for band in BANDS if band[0] <= length <= band[1]), None)


def generate(size: int, seed: int) -> list[Pair]:
    """``size`` distinct pairs, their source lengths shared out over `BANDS`.

    Sentences of 1 to 5 clauses are drawn, and each is kept while its band
    holds fewer than its share of ``size``. Neither side has more than
    `LONGEST` tokens. The same ``size`` and ``seed`` always give the same
    pairs in the same order.
    """
    grammar = LongGrammar(random.Random(seed))
    shares = {band: round(share * size) for band, share in BANDS.items()}
    shares[min(BANDS)] += size - sum(shares.values())  # what rounding left over
    counts = dict.fromkeys(BANDS, 0)
    pairs: dict[str, Pair] = {}
    while len(pairs) < size:
        # Clauses for a band still open: about 9 tokens a clause.
        shortest, longest = grammar.rng.choice([b for b in BANDS if counts[b] < shares[b]])
        phrase = grammar.long_sentence(max(1, round((shortest + longest) / 18)))
        band = _band(len(phrase.source))
        if band is None or counts[band] >= shares[band] or len(phrase.target) > LONGEST:
            continue
        pair = to_pair(phrase)
        if pair.source not in pairs:
            pairs[pair.source] = pair
            counts[band] += 1
    return list(pairs.values())
