"""The example sentences of the README, the guide, the notebook and the lab: right ones.

A sentence an example translates with the reference run must be one the embedded
grammar makes, and the reference run must translate it as the grammar does. "As the
grammar does" is found by the grammar itself: `grammar_translations` runs it with its
random choices driven through every way of making the English sentence (choices of
words the sentence lacks are cut off), and keeps the Spanish of each way that makes it.

The fast tests find every example sentence in the code of the pages, the notebook and
the lab's page, and check each against the grammar; the slow test translates them all
with the reference run. A few sentences are shown on purpose as the model gets them
wrong (the teacher's guide's answers): they are listed with what the guide says it writes.
"""

from __future__ import annotations

import json
import random
import re
from functools import cache
from pathlib import Path

import pytest
from docs_blocks import PAGES, ROOT, blocks

from seq2seq.corpora import embedded
from seq2seq.text import tokenize

# Each example sentence, and its Spanish as the grammar writes it.
EXAMPLES = {
    "Maria likes the red cars.": "A María le gustan los coches rojos.",
    "The red car is fast.": "El coche rojo es rápido.",
    "Is the red car very fast?": "¿Es muy rápido el coche rojo?",
    "Is the house big?": "¿Es grande la casa?",
    "Maria's dog does not eat the cake.": "El perro de María no come el pastel.",
    "The small girls are happy.": "Las niñas pequeñas son felices.",
    "My friend reads the old books near the river.": (
        "Mi amigo lee los libros viejos cerca del río."
    ),
}
# Shown because the model gets them wrong, with what the guide says the reference run writes.
WRONG_ON_PURPOSE = {
    "I eat.": "como tu árboles .",  # outside the grammar: it writes three tokens at least
    "The red small car is fast.": "el coche pequeño es rápido .",  # two adjectives on a noun
    "The purple car is fast.": "el coche es rápido .",  # an unknown adjective
    "The zebra is fast.": "el estudiante es rápido .",  # an unknown noun
}
# Sentences of other runs' examples (the spa run, a hand-made record).
OTHER_RUNS = {
    "Where is the train station?",
    "I don't like coffee.",
    "She bought a red car.",
    "Tom wants to learn Spanish.",
    "She sings.",
}
SENTENCE = re.compile(r'(?<!")"([A-Z¿][^"\n]*?[a-z][.?!])"(?!")')  # "A sentence." in code


class _Dead(Exception):
    """The grammar chose among words the sentence does not have."""


# One value in each interval between the grammar's thresholds on ``random()``.
_ROLLS = (0.2, 0.45, 0.57, 0.7, 0.95)


class _Driven(random.Random):
    """A ``random.Random`` whose every answer is the next of ``decisions``, extended with 0.

    ``choice`` only offers the options that name a word of ``words`` (or a kind of noun).
    """

    def __init__(self, decisions: list[int], words: set[str]):
        super().__init__(0)
        self.decisions, self.words, self.taken, self.widths = decisions, words, 0, []

    def decide(self, width: int) -> int:
        if width == 0:
            raise _Dead
        if self.taken == len(self.decisions):
            self.decisions.append(0)
        self.widths.append(width)
        self.taken += 1
        return self.decisions[self.taken - 1]

    def random(self) -> float:
        return _ROLLS[self.decide(len(_ROLLS))]

    def choice(self, options):
        fitting = [option for option in options if self._fits(option)]
        return fitting[self.decide(len(fitting))]

    def _fits(self, option) -> bool:
        if isinstance(option, str):  # a word, or a kind of noun
            return option in self.words or option in embedded.NOUNS
        english = [text for text in _flatten(option) if isinstance(text, str)][:2]
        return any(text in self.words for text in english)


def _flatten(option):
    for item in option:
        yield from _flatten(item) if isinstance(item, tuple) else (item,)


class _DrivenGrammar(embedded.Grammar):
    def chance(self, probability: float) -> bool:
        return bool(self.rng.decide(2))


@cache
def grammar_translations(english: str) -> frozenset[str]:
    """Every Spanish sentence the embedded grammar pairs with ``english`` (as it writes them)."""
    words = set(tokenize(english))
    found, decisions = set(), []
    while True:
        rng = _Driven(decisions, words)
        try:
            pair = embedded.to_pair(_DrivenGrammar(rng).sentence())
            if pair.source == english:
                found.add(pair.target)
        except _Dead:
            pass
        del decisions[rng.taken :]  # then the next way: the last decision with options left
        while decisions and decisions[-1] + 1 >= rng.widths[len(decisions) - 1]:
            decisions.pop()
        if not decisions:
            return frozenset(found)
        decisions[-1] += 1


def example_sentences() -> dict[str, set[str]]:
    """Each sentence that an example translates with the reference run, and where."""
    found: dict[str, set[str]] = {}

    def add(text: str, where: str) -> None:
        for sentence in SENTENCE.findall(text):
            found.setdefault(sentence, set()).add(where)

    for page in PAGES:
        for block in blocks(page):
            if "runs/reference" in block.code + block.note and block.language != "text":
                add(block.code, str(block))
    notebook = json.loads((ROOT / "notebooks" / "attention_workshop.ipynb").read_text())
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            add("".join(cell["source"]), "the notebook")
    add((ROOT / "seq2seq" / "lab" / "static" / "index.html").read_text(), "the lab's page")
    return found


def test_every_example_sentence_is_known_here():
    unknown = {
        sentence: where
        for sentence, where in example_sentences().items()
        if sentence not in {*EXAMPLES, *WRONG_ON_PURPOSE, *OTHER_RUNS}
    }
    assert unknown == {}, "add these to EXAMPLES (or say why they are wrong on purpose)"


@pytest.mark.parametrize("english", EXAMPLES)
def test_the_grammar_pairs_each_example_with_its_spanish(english):
    assert grammar_translations(english) == {EXAMPLES[english]}


@pytest.mark.parametrize("english", ["I eat.", "The red small car is fast.", "The zebra is fast."])
def test_the_sentences_wrong_on_purpose_are_outside_the_grammar(english):
    assert grammar_translations(english) == set()


def test_the_grammar_search_finds_a_pair_of_the_corpus():
    pair = embedded.generate(50, seed=11)[-1]
    assert pair.target in grammar_translations(pair.source)


@pytest.mark.slow
def test_the_reference_run_translates_every_example_as_the_grammar_does(reference_run):
    from seq2seq import Translator

    translator = Translator.load(reference_run)
    sentences = [*EXAMPLES, *WRONG_ON_PURPOSE]
    translations = dict(zip(sentences, translator.translate_batch(sentences)))
    wrong = {
        english: translations[english].text
        for english, spanish in EXAMPLES.items()
        if translations[english].target_tokens != tokenize(spanish)
    }
    assert wrong == {}
    said = {english: translations[english].text for english in WRONG_ON_PURPOSE}
    assert said == WRONG_ON_PURPOSE


def test_every_example_appears_somewhere():
    shown = example_sentences()
    teaching = " ".join((ROOT / "docs" / "teaching.md").read_text(encoding="utf-8").split())
    assert set(EXAMPLES) <= set(shown)
    assert all(f"*{english}*" in teaching for english in WRONG_ON_PURPOSE)
    assert all(f"*{spanish}*" in teaching for spanish in WRONG_ON_PURPOSE.values())


if __name__ == "__main__":
    for sentence, where in sorted(example_sentences().items()):
        print(f"{sentence}  ({', '.join(sorted(where))})  {set(grammar_translations(sentence))}")
    print(Path(__file__).name)
