"""The embedded English→Spanish corpus: a small grammar with gold word alignments.

It is generated in code so that training needs no network, and it is built to
give attention something to show:

- reordering: adjectives follow the noun (``the red car`` → ``el coche rojo``),
  possessives turn around (``Maria's dog`` → ``el perro de María``), object
  pronouns go before the verb (``she helps him`` → ``ella lo ayuda``), questions
  invert (``is the car red ?`` → ``¿ es rojo el coche ?``), and ``gustar`` turns
  the sentence around (``Maria likes the cars`` → ``a María le gustan los coches``);
- agreement: determiners and adjectives take the noun's gender and number,
  also across the verb (``the houses are red`` → ``las casas son rojas``);
- one-to-many and many-to-one words: pronoun drop (``I eat`` → ``como``),
  negation (``does not eat`` → ``no come``), contraction (``near the`` →
  ``cerca del``, ``a el`` → ``al``).

Every pair carries its gold alignment: which source words each target word
translates. The grammar builds both sentences from shared `Word` objects, so an
alignment is never written by hand and cannot drift from the tokens.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from seq2seq.corpora.pairs import Pair

# --- lexicon -----------------------------------------------------------------


def _nouns(table: str) -> dict[str, list[tuple[str, str, str, str, str]]]:
    """A table's rows by kind: (english singular, english plural, spanish singular, plural,
    gender)."""
    nouns: dict[str, list[tuple[str, str, str, str, str]]] = {}
    for line in table.strip().splitlines():
        kind, *noun = line.split()
        nouns.setdefault(kind, []).append(tuple(noun))
    return nouns


# kind of noun (what it can be the object of), english singular and plural, spanish
# singular and plural, gender
NOUNS = _nouns(
    """
    person    boy          boys          niño        niños        m
    person    girl         girls         niña        niñas        f
    person    man          men           hombre      hombres      m
    person    woman        women         mujer       mujeres      f
    person    friend       friends       amigo       amigos       m
    person    teacher      teachers      profesor    profesores   m
    person    doctor       doctors       médico      médicos      m
    person    student      students      estudiante  estudiantes  m
    person    grandmother  grandmothers  abuela      abuelas      f
    animal    dog          dogs          perro       perros       m
    animal    cat          cats          gato        gatos        m
    animal    bird         birds         pájaro      pájaros      m
    animal    horse        horses        caballo     caballos     m
    animal    cow          cows          vaca        vacas        f
    food      apple        apples        manzana     manzanas     f
    food      cake         cakes         pastel      pasteles     m
    food      orange       oranges       naranja     naranjas     f
    food      egg          eggs          huevo       huevos       m
    food      cookie       cookies       galleta     galletas     f
    food      sandwich     sandwiches    bocadillo   bocadillos   m
    readable  book         books         libro       libros       m
    readable  letter       letters       carta       cartas       f
    readable  newspaper    newspapers    periódico   periódicos   m
    readable  story        stories       historia    historias    f
    readable  map          maps          mapa        mapas        m
    thing     car          cars          coche       coches       m
    thing     table        tables        mesa        mesas        f
    thing     door         doors         puerta      puertas      f
    thing     window       windows       ventana     ventanas     f
    thing     chair        chairs        silla       sillas       f
    thing     shirt        shirts        camisa      camisas      f
    thing     key          keys          llave       llaves       f
    thing     phone        phones        teléfono    teléfonos    m
    thing     box          boxes         caja        cajas        f
    thing     cup          cups          taza        tazas        f
    thing     picture      pictures      cuadro      cuadros      m
    thing     bottle       bottles       botella     botellas     f
    thing     flower       flowers       flor        flores       f
    thing     song         songs         canción     canciones    f
    place     house        houses        casa        casas        f
    place     city         cities        ciudad      ciudades     f
    place     garden       gardens       jardín      jardines     m
    place     river        rivers        río         ríos         m
    place     mountain     mountains     montaña     montañas     f
    place     park         parks         parque      parques      m
    place     school       schools       escuela     escuelas     f
    place     street       streets       calle       calles       f
    place     tree         trees         árbol       árboles      m
    """
)

# english → spanish masculine singular; the other forms follow Spanish rules
ADJECTIVES = {
    "red": "rojo", "small": "pequeño", "fast": "rápido", "slow": "lento",
    "old": "viejo", "new": "nuevo", "white": "blanco", "black": "negro",
    "beautiful": "hermoso", "tall": "alto", "short": "bajo", "cheap": "barato",
    "expensive": "caro", "clean": "limpio", "dirty": "sucio", "yellow": "amarillo",
    "quiet": "tranquilo", "pretty": "bonito", "big": "grande", "green": "verde",
    "sad": "triste", "strong": "fuerte", "blue": "azul", "happy": "feliz",
    "young": "joven", "easy": "fácil",
}  # fmt: skip
ADJECTIVE_PLURALS = {"feliz": "felices", "joven": "jóvenes", "fácil": "fáciles"}

# english name → (spanish name, gender)
NAMES = {
    "maria": ("maría", "f"), "john": ("juan", "m"), "peter": ("pedro", "m"),
    "ann": ("ana", "f"), "lucy": ("lucía", "f"), "charles": ("carlos", "m"),
    "sophie": ("sofía", "f"), "joseph": ("josé", "m"), "michael": ("miguel", "m"),
    "helen": ("elena", "f"),
}  # fmt: skip

# english (singular, plural) → spanish (m sg, f sg, m pl, f pl)
DETERMINERS = [
    (("the", "the"), ("el", "la", "los", "las")),
    (("a", "some"), ("un", "una", "unos", "unas")),
    (("this", "these"), ("este", "esta", "estos", "estas")),
    (("that", "those"), ("ese", "esa", "esos", "esas")),
    (("my", "my"), ("mi", "mi", "mis", "mis")),
    (("your", "your"), ("tu", "tu", "tus", "tus")),
    (("our", "our"), ("nuestro", "nuestra", "nuestros", "nuestras")),
]

# Spanish present tense in the order of PERSONS below
# (english base, english third singular, spanish forms, object kinds or () if intransitive)
VERBS = [
    ("eat", "eats", "como comes come comemos comen", ("food",)),
    ("buy", "buys", "compro compras compra compramos compran", ("food", "thing", "readable")),
    ("see", "sees", "veo ves ve vemos ven", ("thing", "place")),
    ("read", "reads", "leo lees lee leemos leen", ("readable",)),
    ("want", "wants", "quiero quieres quiere queremos quieren", ("food", "thing")),
    ("have", "has", "tengo tienes tiene tenemos tienen", ("thing", "readable")),
    ("open", "opens", "abro abres abre abrimos abren", ("thing", "readable")),
    ("wash", "washes", "lavo lavas lava lavamos lavan", ("thing",)),
    ("find", "finds", "encuentro encuentras encuentra encontramos encuentran",
     ("thing", "readable")),
    ("need", "needs", "necesito necesitas necesita necesitamos necesitan", ("food", "thing")),
    ("sell", "sells", "vendo vendes vende vendemos venden", ("food", "thing", "readable")),
    ("paint", "paints", "pinto pintas pinta pintamos pintan", ("thing", "place")),
    ("write", "writes", "escribo escribes escribe escribimos escriben", ("readable",)),
    ("carry", "carries", "llevo llevas lleva llevamos llevan", ("thing", "food")),
    ("cook", "cooks", "cocino cocinas cocina cocinamos cocinan", ("food",)),
    ("draw", "draws", "dibujo dibujas dibuja dibujamos dibujan", ("thing", "place")),
    ("run", "runs", "corro corres corre corremos corren", ()),
    ("sleep", "sleeps", "duermo duermes duerme dormimos duermen", ()),
    ("walk", "walks", "camino caminas camina caminamos caminan", ()),
    ("swim", "swims", "nado nadas nada nadamos nadan", ()),
    ("work", "works", "trabajo trabajas trabaja trabajamos trabajan", ()),
    ("live", "lives", "vivo vives vive vivimos viven", ()),
    ("play", "plays", "juego juegas juega jugamos juegan", ()),
    ("dance", "dances", "bailo bailas baila bailamos bailan", ()),
    ("sing", "sings", "canto cantas canta cantamos cantan", ()),
]  # fmt: skip
# verbs whose object is a person, so it can be an object pronoun
PERSON_VERBS = [
    ("see", "sees", "veo ves ve vemos ven"),
    ("help", "helps", "ayudo ayudas ayuda ayudamos ayudan"),
    ("call", "calls", "llamo llamas llama llamamos llaman"),
    ("know", "knows", "conozco conoces conoce conocemos conocen"),
    ("visit", "visits", "visito visitas visita visitamos visitan"),
    ("love", "loves", "amo amas ama amamos aman"),
]
SER = ("am are is are are", "soy eres es somos son")
ESTAR = ("am are is are are", "estoy estás está estamos están")

# (english, spanish, person index, number, gender, dropped in spanish)
PRONOUNS = [
    ("i", "yo", 0, "sg", "m", True),
    ("you", "tú", 1, "sg", "m", True),
    ("he", "él", 2, "sg", "m", False),
    ("she", "ella", 2, "sg", "f", False),
    ("we", "nosotros", 3, "pl", "m", True),
    ("they", "ellos", 4, "pl", "m", False),
]

# object pronoun: (english, spanish clitic, person index)
OBJECT_PRONOUNS = [
    ("me", "me", 0),
    ("you", "te", 1),
    ("him", "lo", 2),
    ("her", "la", 2),
    ("us", "nos", 3),
    ("them", "los", 4),
]
# who likes, for "gustar": spanish dative clitic by person index; third persons add "a X"
DATIVES = ("me", "te", "le", "nos", "les")

# english → (spanish words, what can follow); a trailing "de" contracts with "el"
PREPOSITIONS = {
    "in": (("en",), ("place", "thing")),
    "on": (("sobre",), ("thing",)),
    "near": (("cerca", "de"), ("place", "thing")),
    "under": (("debajo", "de"), ("thing",)),
    "behind": (("detrás", "de"), ("place", "thing")),
    "with": (("con",), ("person", "animal")),
    "without": (("sin",), ("person", "animal")),
    "for": (("para",), ("person",)),
}
LOCATIVE = ("in", "on", "near", "under", "behind")

PROPER = {*NAMES, *(name for name, _ in NAMES.values()), "i"}


# --- sentence building ---------------------------------------------------------


@dataclass(eq=False)
class Word:
    """One source word; target words point at the `Word`s they translate."""

    text: str


TargetWord = tuple[str, tuple[Word, ...]]  # a target word and the source words it translates


@dataclass
class Phrase:
    """A source phrase and its translation, in their own word orders.

    ``target`` holds ``(text, source words it translates)`` pairs.
    """

    source: list[Word] = field(default_factory=list)
    target: list[TargetWord] = field(default_factory=list)


@dataclass
class NounPhrase:
    phrase: Phrase
    person: int
    number: str  # "sg" | "pl"
    gender: str  # "m" | "f"
    head: Word  # the noun, name or pronoun
    dropped: bool = False  # a subject pronoun that Spanish leaves out
    pronoun: Word | None = None


def _agree(masculine: str, gender: str, number: str) -> str:
    """Inflect a Spanish adjective given in the masculine singular."""
    if masculine.endswith("o"):
        stem = masculine[:-1]
        form = stem + ("o" if gender == "m" else "a")
        return form + "s" if number == "pl" else form
    if number == "sg":
        return masculine
    if masculine in ADJECTIVE_PLURALS:
        return ADJECTIVE_PLURALS[masculine]
    return masculine + ("s" if masculine.endswith("e") else "es")


def _contract(words: list[TargetWord], following: list[TargetWord]) -> list[TargetWord]:
    """Join ``words`` and ``following``, writing "de el" as "del" and "a el" as "al"."""
    (last, last_links), (first, first_links) = words[-1], following[0]
    if last in ("de", "a") and first == "el":
        contracted = {"de": "del", "a": "al"}[last]
        return [*words[:-1], (contracted, (*last_links, *first_links)), *following[1:]]
    return [*words, *following]


def _slot(gender: str, number: str) -> int:
    return {"m": 0, "f": 1}[gender] + (2 if number == "pl" else 0)


class Grammar:
    """Samples aligned sentence pairs; deterministic for a given ``random.Random``."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    # noun phrases ---------------------------------------------------------------

    def noun_phrase(self, kinds: tuple[str, ...]) -> NounPhrase:
        kind = self.rng.choice(kinds)
        en_sg, en_pl, es_sg, es_pl, gender = self.rng.choice(NOUNS[kind])
        number = "pl" if self.chance(0.35) else "sg"
        noun = Word(en_pl if number == "pl" else en_sg)
        noun_es = es_pl if number == "pl" else es_sg
        adjective = self._adjective_phrase(gender, number) if self.chance(0.6) else None

        phrase = Phrase()
        if self.chance(0.2):
            owner_en = self.rng.choice(list(NAMES))
            owner, marker = Word(owner_en), Word("'s")
            phrase.source = [owner, marker]
            if adjective:
                phrase.source += adjective.source
            phrase.source.append(noun)
            article = DETERMINERS[0][1][_slot(gender, number)]
            phrase.target = [(article, (marker,)), (noun_es, (noun,))]
            if adjective:
                phrase.target += adjective.target
            phrase.target += [("de", (marker,)), (NAMES[owner_en][0], (owner,))]
        else:
            (en_sg_det, en_pl_det), es_forms = self.rng.choice(DETERMINERS)
            determiner = Word(en_pl_det if number == "pl" else en_sg_det)
            phrase.source = [determiner]
            if adjective:
                phrase.source += adjective.source
            phrase.source.append(noun)
            phrase.target = [(es_forms[_slot(gender, number)], (determiner,)), (noun_es, (noun,))]
            if adjective:
                phrase.target += adjective.target
        person = 2 if number == "sg" else 4
        return NounPhrase(phrase, person, number, gender, head=noun)

    def _adjective_phrase(self, gender: str, number: str) -> Phrase:
        english = self.rng.choice(list(ADJECTIVES))
        adjective = Word(english)
        phrase = Phrase([adjective], [(_agree(ADJECTIVES[english], gender, number), (adjective,))])
        if self.chance(0.2):
            very = Word("very")
            phrase.source.insert(0, very)
            phrase.target.insert(0, ("muy", (very,)))
        return phrase

    def subject(self, kinds: tuple[str, ...]) -> NounPhrase:
        roll = self.rng.random()
        if roll < 0.4:
            english, spanish, person, number, gender, dropped = self.rng.choice(PRONOUNS)
            pronoun = Word(english)
            target = [] if dropped else [(spanish, (pronoun,))]
            phrase = Phrase([pronoun], target)
            return NounPhrase(phrase, person, number, gender, pronoun, dropped, pronoun)
        if roll < 0.55:
            english = self.rng.choice(list(NAMES))
            name = Word(english)
            spanish, gender = NAMES[english]
            return NounPhrase(Phrase([name], [(spanish, (name,))]), 2, "sg", gender, name)
        return self.noun_phrase(kinds)

    def prepositional_phrase(self, locative: bool = False) -> Phrase:
        english = self.rng.choice(LOCATIVE if locative else list(PREPOSITIONS))
        spanish_words, kinds = PREPOSITIONS[english]
        preposition = Word(english)
        object_ = self.noun_phrase(kinds).phrase
        target = [(spanish, (preposition,)) for spanish in spanish_words]
        return Phrase([preposition, *object_.source], _contract(target, object_.target))

    # clauses --------------------------------------------------------------------

    def verb_clause(self, question: bool) -> Phrase:
        """``X (does not) VERB (OBJECT) (PP) .`` or ``does X VERB ... ?``.

        An object pronoun moves before the Spanish verb: ``she helps him`` →
        ``ella lo ayuda``.
        """
        subject = self.subject(("person", "animal"))
        rest, clitic = Phrase(), []
        if self.chance(0.2):
            base, third, spanish_forms = self.rng.choice(PERSON_VERBS)
            english, spanish, _ = self.rng.choice(
                [o for o in OBJECT_PRONOUNS if o[2] != subject.person or o[2] in (2, 4)]
            )
            pronoun = Word(english)
            rest.source.append(pronoun)
            clitic.append((spanish, (pronoun,)))
            place_chance = 0.35
        else:
            base, third, spanish_forms, object_kinds = self.rng.choice(VERBS)
            if object_kinds:
                rest = self.noun_phrase(object_kinds).phrase
            place_chance = 0.35 if object_kinds else 0.7
        if self.chance(place_chance):
            place = self.prepositional_phrase()
            rest = Phrase(rest.source + place.source, rest.target + place.target)

        verb, auxiliary, negation, not_ = self._english_verb(subject, base, third, question)
        verb_words = (subject.pronoun, verb) if subject.dropped else (verb,)
        verb_group = [*clitic, (spanish_forms.split()[subject.person], verb_words)]
        if question:
            return _question(
                auxiliary,
                [*subject.phrase.source, verb, *rest.source],
                [*verb_group, *subject.phrase.target, *rest.target],
            )
        return _statement(
            [*subject.phrase.source, *negation, verb, *rest.source],
            subject.phrase.target,
            not_,
            [*verb_group, *rest.target],
        )

    def liking_clause(self, question: bool) -> Phrase:
        """``X likes Y`` → ``(a X) le gusta Y``: Spanish turns it around.

        The thing liked is the grammatical subject in Spanish, so the verb agrees
        with it (``gusta``/``gustan``), and the one who likes becomes a dative
        clitic (``me``, ``te``, ``le``, ...) with ``a X`` before it unless X is a
        dropped pronoun.
        """
        subject = self.subject(("person",))
        liked = self.noun_phrase(("food", "thing", "animal", "readable", "place"))
        like, auxiliary, negation, not_ = self._english_verb(subject, "like", "likes", question)
        experiencer = (
            [] if subject.dropped else _contract([("a", (subject.head,))], subject.phrase.target)
        )
        predicate = [
            (DATIVES[subject.person], (subject.head,)),
            ("gustan" if liked.number == "pl" else "gusta", (like,)),
            *liked.phrase.target,
        ]
        if question:
            return _question(
                auxiliary,
                [*subject.phrase.source, like, *liked.phrase.source],
                [*experiencer, *predicate],
            )
        return _statement(
            [*subject.phrase.source, *negation, like, *liked.phrase.source],
            experiencer,
            not_,
            predicate,
        )

    def copula_clause(self, question: bool) -> Phrase:
        """``X is (not) ADJ`` with ser, or ``X is PREP NP`` with estar."""
        subject = self.subject(("person", "animal", "thing", "food", "place", "readable"))
        location = not question and self.chance(0.35)
        english_forms, spanish_forms = ESTAR if location else SER
        be = Word(english_forms.split()[subject.person])
        be_words = (subject.pronoun, be) if subject.dropped else (be,)
        be_es = (spanish_forms.split()[subject.person], be_words)
        if location:
            predicate = self.prepositional_phrase(locative=True)
        else:
            predicate = self._adjective_phrase(subject.gender, subject.number)

        if question:
            return _question(
                be,
                [*subject.phrase.source, *predicate.source],
                [be_es, *predicate.target, *subject.phrase.target],
            )
        negation, not_ = [], None
        if not location and self.chance(0.2):
            not_ = Word("not")
            negation = [not_]
        return _statement(
            [*subject.phrase.source, be, *negation, *predicate.source],
            subject.phrase.target,
            not_,
            [be_es, *predicate.target],
        )

    def _english_verb(self, subject: NounPhrase, base: str, third: str, question: bool):
        """The English verb and its ``do``: ``(verb, auxiliary, negation words, not)``.

        ``does`` asks questions and carries negation, leaving the verb bare.
        """
        third_person = subject.person == 2
        auxiliary = Word("does" if third_person else "do")
        if not question and self.chance(0.25):
            not_ = Word("not")
            return Word(base), auxiliary, [auxiliary, not_], not_
        return Word(third if third_person and not question else base), auxiliary, [], None

    def sentence(self) -> Phrase:
        roll = self.rng.random()
        if roll < 0.4:
            return self.verb_clause(question=False)
        if roll < 0.52:
            return self.verb_clause(question=True)
        if roll < 0.62:
            return self.liking_clause(question=self.chance(0.25))
        if roll < 0.9:
            return self.copula_clause(question=False)
        return self.copula_clause(question=True)


def _question(opening: Word, source: list[Word], target: list[TargetWord]) -> Phrase:
    """``OPENING ... ?`` → ``¿ ... ?``: ``¿`` translates the word that makes it a question."""
    mark = Word("?")
    return Phrase([opening, *source, mark], [("¿", (opening,)), *target, ("?", (mark,))])


def _statement(
    source: list[Word], before: list[TargetWord], not_: Word | None, after: list[TargetWord]
) -> Phrase:
    """``SOURCE .`` → ``BEFORE (no) AFTER .``: Spanish negates right before the verb group."""
    stop = Word(".")
    negation = [("no", (not_,))] if not_ else []
    return Phrase([*source, stop], [*before, *negation, *after, (".", (stop,))])


# --- rendering -----------------------------------------------------------------


def render(tokens: list[str]) -> str:
    """Write tokens as a sentence: capitals, no space before ``.``/``?``/``'s``."""
    text = ""
    for token in tokens:
        shown = token.capitalize() if token in PROPER else token
        if text and token not in {".", "?", "'s"} and not text.endswith("¿"):
            text += " "
        text += shown
    return text[0].upper() + text[1:] if text[0] != "¿" else "¿" + text[1].upper() + text[2:]


def to_pair(phrase: Phrase) -> Pair:
    position = {id(word): index for index, word in enumerate(phrase.source)}
    alignment = frozenset(
        (target_index, position[id(word)])
        for target_index, (_, words) in enumerate(phrase.target)
        for word in words
    )
    return Pair(
        source=render([word.text for word in phrase.source]),
        target=render([text for text, _ in phrase.target]),
        alignment=alignment,
    )


def generate(size: int, seed: int, min_length: int = 3, max_length: int = 15) -> list[Pair]:
    """``size`` distinct pairs, each side ``min_length`` to ``max_length`` tokens.

    The same ``size`` and ``seed`` always give the same pairs in the same order.
    """
    grammar = Grammar(random.Random(seed))
    pairs: dict[str, Pair] = {}
    while len(pairs) < size:
        phrase = grammar.sentence()
        lengths = (len(phrase.source), len(phrase.target))
        if min(lengths) < min_length or max(lengths) > max_length:
            continue
        pair = to_pair(phrase)
        pairs.setdefault(pair.source, pair)
    return list(pairs.values())
