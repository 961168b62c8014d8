"""Figure look-up: "Nghệ An có bao nhiêu dân năm 2019", "dien tich Vinh" → the figure, from the
latest edition; or what was not understood, said plainly.

The matching is pure (``parse``, ``find_place_runs``, ``choose_indicator``, ``match_places``,
``choose_place`` work on plain keys and can be tested without a database); ``lookup`` and
``answer_for`` load the keys and the figures, in a handful of queries whatever the size of the
edition. How a question is read (``docs/gazetteer.md`` says it for users):

1. The query is folded (``fold``: no marks, đ as d, lower case; NFKC, so "km²" is "km2") and cut
   into words.
2. Four-digit words from 1800 to 2100 are years: the last is the year asked (others are said
   to be left); without one, the latest year with data, and the answer says so. A year and the
   "năm" before it are a gap no name runs across ("năm 2020 dân số" is not Nam Đàn).
3. The place is a run of words that is a place's whole folded name (the longest first), or a
   code of three digits or more; "tỉnh", "huyện", "tp"… just before it narrow the kind; "tỉnh"
   alone is the province. Places sharing a name (Huyện Nghi Lộc until 2025, Xã Nghi Lộc since)
   are told apart by which has the figure for that year and existed then. Failing a whole name,
   the beginning of one ("quynh"); failing that, a name a letter or two off is asked back.
4. The indicator, among the other words: the longest phrase that names one — its name, its code,
   its ``SYNONYMS`` ("bao nhiêu dân", "rộng"), its unit as said aloud ("km vuông", "người trên
   một km2"). Plain words ("dân", "người", "rộng") count in the search box only with a question
   word ("bao nhiêu"): "người Nghệ An" is a search.
5. Whatever is left must be ``QUESTION_WORDS``; other words are quoted back as read past (the
   look-up page) or make it no question at all (the search box's answer).

No answer gives ``Suggestions``: a sentence saying which part was not understood or has no
figure, what was understood, the indicators and places to try (those that have the figure) and
the years with data.

What every question reads whole (the indicators, the places, the edition's years) is kept in
this process's memory per edition (``_catalogue``: a few editions at most, as objects, neither
pickled on every read as Django's cache would nor evicted by others' keys), keyed on the edition
and on
``actions.catalogue_version()``, a counter in the database that the actions bump when a place or
an indicator is saved: every process sees the new number at once, so none answers from what it
kept before. A published edition is a key of its own; its frozen figures never change. A question
then costs one query for the latest edition (the counter read with it) and its figures query.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from tinhuy.documents.numbers import format_number
from tinhuy.gazetteer.actions import LOOKUP_CATALOGUE, catalogue_version
from tinhuy.gazetteer.figures import KIND_RANK, MAX_YEAR, MIN_YEAR, shown_as_sample
from tinhuy.gazetteer.models import (
    CatalogueVersion,
    Edition,
    EditionObservation,
    Indicator,
    Place,
    PlaceKind,
)
from tinhuy.gazetteer.queries import CompiledQuery
from tinhuy.search.suggest import edit_distance
from tinhuy.search.text import fold, normalize

MAX_QUERY = 200  # a question is short; the rest of a long paste is ignored
_WORD = re.compile(r"[^\W_]+")

# Words before a name that say which kind of place is meant.
KIND_WORDS: dict[tuple[str, ...], str] = {  # values: PlaceKind
    ("tinh",): PlaceKind.PROVINCE,
    ("thanh", "pho"): PlaceKind.CITY,
    ("tp",): PlaceKind.CITY,
    ("thi", "xa"): PlaceKind.TOWN,
    ("tx",): PlaceKind.TOWN,
    ("huyen",): PlaceKind.DISTRICT,
    ("quan",): PlaceKind.DISTRICT,
    ("phuong",): PlaceKind.WARD,
    ("xa",): PlaceKind.COMMUNE,
    ("dac", "khu"): PlaceKind.SPECIAL_ZONE,
}
# Words of a question that name nothing ("dân số của huyện Nghi Lộc năm 2019 là bao nhiêu").
# Dropped only when the place is not found with them: "nam" is also the first word of Nam Đàn.
FILLERS = frozenset(
    {"cua", "o", "tai", "la", "bao", "nhieu", "nam", "the", "nao", "va", "so", "lieu", "ve"}
)
# Words a question may carry around its indicator and place, folded: asking ("cho tôi biết…
# là bao nhiêu?"), where and when ("ở, trên địa bàn, hiện nay, mới nhất"). What is left after the
# indicator, the place, the year and these is quoted back as not understood.
_QUESTION_WORDS = """
    a ah ban biet ca can chi cho chung co cong cuu dang day den dia diem duoc gan gi gio
    giup hay hien hoi hom khoang khong kia la lam len luc may minh moi muon nay ne nhat nhe nhi
    nhu oi ong roi sao sinh song tai thoi thong thuoc tin toan toi tong tra tren trong u vao
    vay voi vui long xem xin hoac dat khu vuc cap nhat so lieu chi tieu ta nha trung binh
    binh quan uoc khoang chung theo tu
    of in the what is how many much does live lived living year province city district
"""
QUESTION_WORDS = FILLERS | frozenset(_QUESTION_WORDS.split())
# With one of these, a plain word like "dân" or "rộng" names an indicator even in the search box
# ("Vinh có bao nhiêu dân"); without one such words are a search ("người Nghệ An", "rộng").
CUES = frozenset({"bao", "nhieu", "may", "khoang", "many", "much"})

# Other ways of asking for an indicator, keyed by the folded name or the code (as words) of the
# indicators they fit: (phrases that name it anywhere, plain words that name it in a question).
# A few English words too, for the site's English version ("population of Vinh 2019").
SYNONYMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "dan so": (
        ("dan so", "so dan", "dan cu", "so dan cu", "nhan khau", "so nhan khau", "so nguoi",
         "quy mo dan so", "tong dan so", "dong dan", "population"),
        ("dan", "nguoi", "nguoi dan", "cu dan", "nguoi sinh song", "nguoi song", "people"),
    ),
    "dien tich": (
        ("dien tich", "dien tich tu nhien", "tong dien tich", "dien tich dat tu nhien",
         "dien tich dia ly", "dien tich hanh chinh", "rong bao nhieu", "rong lon bao nhieu",
         "be rong", "quy mo dien tich", "area", "land area"),
        ("rong", "rong lon", "lon"),
    ),
    "mat do dan so": (
        # Not "số dân trên…": "số dân trên địa bàn Vinh" is the population.
        ("mat do dan so", "mat do", "mat do dan cu", "mat do dan", "mat do nguoi",
         "dan cu dong duc", "density", "population density"),
        (),
    ),
}  # fmt: skip
SYNONYMS["dien tich tu nhien"] = SYNONYMS["dien tich"]
# How people say a unit: each part of an indicator's unit ("người/km²": "người", "km²").
UNIT_WORDS: dict[str, tuple[str, ...]] = {
    "km2": ("km2", "km vuong", "kilomet vuong", "ki lo met vuong", "kilo met vuong",
            "cay so vuong", "ki lo met", "km"),
    "nguoi": ("nguoi", "dan", "nguoi dan", "nhan khau"),
    "ha": ("ha", "hecta", "hec ta", "hectare"),
}  # fmt: skip
# "người/km²" said aloud: "người trên (một) km2", "người mỗi km2".
PER_WORDS: tuple[tuple[str, ...], ...] = (
    (), ("tren",), ("tren", "mot"), ("tren", "1"), ("moi",), ("mot",), ("1",), ("cho", "moi"),
)  # fmt: skip
MAX_SUGGESTIONS = 8
T = TypeVar("T")
KEPT_CATALOGUES = 4  # editions whose catalogue a process keeps (the public reads the latest)


# Pure matching ------------------------------------------------------------------------------


def _compatible(text: str) -> str:
    """NFKC: "km²" is "km2", full-width digits are digits (after NFKC, NFC as ``fold`` wants)."""
    return unicodedata.normalize("NFKC", text)


def words(text: str) -> list[str]:
    """The folded words of a query ("Dân số Nghi Lộc" → ["dan", "so", "nghi", "loc"])."""
    return _WORD.findall(fold(_compatible(text[:MAX_QUERY])))


def as_typed(text: str) -> dict[str, str]:
    """Each folded word → the word as typed, to quote the user back ("ha noi" → "Hà Nội")."""
    typed = _WORD.findall(normalize(_compatible(text[:MAX_QUERY])))
    folded = words(text)
    # Folding keeps word boundaries; if some odd input does not, quote the folded words.
    return dict(zip(folded, typed, strict=True)) if len(typed) == len(folded) else {}


def parse(tokens: Sequence[str]) -> tuple[int | None, list[str]]:
    """(year, other words): the last four-digit word from 1800 to 2100 is the year."""
    year = None
    for token in tokens:
        if _is_year(token):
            year = int(token)
    if year is None:
        return None, list(tokens)
    rest = list(tokens)
    rest.reverse()
    rest.remove(str(year))  # the last occurrence, as found above
    rest.reverse()
    return year, rest


@dataclass(frozen=True)
class IndicatorKey:
    pk: int
    code: str
    name: str
    words: tuple[str, ...]  # of the folded name
    code_words: tuple[str, ...]
    unit: str = ""

    @classmethod
    def of(cls, indicator: Indicator) -> IndicatorKey:
        return cls(
            indicator.pk,
            indicator.code,
            indicator.name,
            tuple(_WORD.findall(indicator.name_folded or fold(indicator.name))),
            tuple(_WORD.findall(indicator.code.lower())),
            indicator.unit,
        )


@dataclass(frozen=True)
class IndicatorMatch:
    indicator: IndicatorKey
    matched: tuple[str, ...]  # the indicator's words found in the query
    rest: list[str]  # the query's other words


def _score(indicator: IndicatorKey, present: set[str]) -> tuple[float, tuple[str, ...]]:
    """(share of the name's words present, those words), by name or by code, the better."""
    best: tuple[float, tuple[str, ...]] = (0.0, ())
    for name_words in (indicator.words, indicator.code_words):
        if not name_words:
            continue
        matched = tuple(dict.fromkeys(w for w in name_words if w in present))
        share = len(matched) / len(set(name_words))
        if (share, len(matched)) > (best[0], len(best[1])):
            best = (share, matched)
    return best


def _consume(tokens: list[str], name_words: tuple[str, ...], matched: tuple[str, ...]) -> list[str]:
    """The query's words without the indicator's: its whole name as a run if it is there."""
    n = len(name_words)
    for start in range(len(tokens) - n + 1):
        if tuple(tokens[start : start + n]) == name_words:
            return tokens[:start] + tokens[start + n :]
    rest = list(tokens)
    for word in matched:
        rest.remove(word)
    return rest


def best_indicator(
    tokens: Sequence[str], indicators: Iterable[IndicatorKey]
) -> IndicatorMatch | None:
    """The indicator the words name (see the module docstring), or None."""
    present = set(tokens)
    ranked = []
    for indicator in indicators:
        share, matched = _score(indicator, present)
        if matched and (share == 1.0 or len(matched) >= 2):
            ranked.append((-share, -len(matched), len(indicator.name), indicator.code, indicator))
    if not ranked:
        return None
    indicator = min(ranked, key=lambda r: r[:4])[-1]
    _share, matched = _score(indicator, present)
    name_words = indicator.words if set(matched) <= set(indicator.words) else indicator.code_words
    return IndicatorMatch(indicator, matched, _consume(list(tokens), name_words, matched))


def partial_indicators(
    tokens: Sequence[str], indicators: Iterable[IndicatorKey]
) -> list[IndicatorKey]:
    """Indicators sharing a word with the query, or with a word the query starts (≥ 2 letters)."""
    present = set(tokens)
    found = []
    for indicator in indicators:
        hits = sum(
            1
            for w in set(indicator.words) | set(indicator.code_words)
            if w in present or any(len(t) >= 2 and w.startswith(t) for t in present)
        )
        if hits:
            found.append((-hits, indicator.name, indicator))
    found.sort(key=lambda r: (r[0], r[1]))
    return [r[2] for r in found]


@dataclass(frozen=True)
class PlaceKey:
    pk: int
    code: str
    folded: str  # the folded name: "nghi loc"
    kind: str
    valid_from_year: int | None
    valid_to_year: int | None

    @classmethod
    def of(cls, place: Place) -> PlaceKey:
        return cls(
            place.pk,
            place.code,
            place.name_folded,
            place.kind,
            place.valid_from.year if place.valid_from else None,
            place.valid_to.year if place.valid_to else None,
        )

    def existed_in(self, year: int) -> bool:
        return (self.valid_from_year or MIN_YEAR) <= year <= (self.valid_to_year or MAX_YEAR)


@dataclass(frozen=True)
class PlaceMatch:
    places: list[PlaceKey]
    exact: bool  # by exact name or code: the candidates share one name


def _strip_kind(tokens: Sequence[str]) -> tuple[str | None, list[str]]:
    for kind_words, kind in KIND_WORDS.items():
        n = len(kind_words)
        if tuple(tokens[:n]) == kind_words:
            return kind, list(tokens[n:])
    return None, list(tokens)


def match_places(tokens: Sequence[str], places: Sequence[PlaceKey]) -> PlaceMatch:
    """The places the words name, best tier first: exact, name prefix, word prefix."""
    variants = [list(tokens)]
    without_fillers = [t for t in tokens if t not in FILLERS]
    if without_fillers != variants[0]:
        variants.append(without_fillers)
    for variant in variants:
        kind, name_words = _strip_kind(variant)
        pool = [p for p in places if kind is None or p.kind == kind]
        name = " ".join(name_words)
        if not name:
            if kind == PlaceKind.PROVINCE:
                return PlaceMatch(pool, True)
            continue
        exact = [p for p in pool if name in (p.folded, p.code)]
        if exact:
            return PlaceMatch(exact, True)
        prefix = [p for p in pool if p.folded.startswith(name)]
        if prefix:
            return PlaceMatch(prefix, False)
        inner = [p for p in pool if f" {name}" in f" {p.folded}"]
        if inner:
            return PlaceMatch(inner, False)
    return PlaceMatch([], False)


def choose_place(
    match: PlaceMatch, years_with_data: dict[int, set[int]], year: int | None
) -> PlaceKey | None:
    """The one place meant, among the candidates with the figure (``years_with_data``: place pk →
    years); None when none has it, or when different names have it (a prefix like "quynh")."""
    have = [
        p
        for p in match.places
        if years_with_data.get(p.pk) and (year is None or year in years_with_data[p.pk])
    ]
    if not have:
        return None
    if not match.exact and len({p.folded for p in have}) > 1:
        return None

    def rank(p: PlaceKey) -> tuple[int, int, str]:
        when = year if year is not None else max(years_with_data[p.pk])
        return (0 if p.existed_in(when) else 1, KIND_RANK.get(p.kind, 99), p.code)

    return min(have, key=rank)


# Questions in plain words -------------------------------------------------------------------
#
# "Nghệ An có bao nhiêu dân năm 2019": the place is found first, as the run of words that is a
# place's whole folded name (the longest; "Vinh" is a name of one word and "nam dan" of two, so
# "dân" inside "Nam Đàn" is never read as "dân số"); then the indicator, among the other words,
# by its name, its code, its synonyms (``SYNONYMS``) or its unit ("km2", "người trên km2"); what is
# left must be question words (``QUESTION_WORDS``), else it is quoted back as not understood.


@dataclass(frozen=True)
class Phrase:
    """A run of folded words naming an indicator; ``strong`` ones name it even in a search."""

    words: tuple[str, ...]
    position: int  # of the indicator in the catalogue's ``indicator_keys``
    strong: bool


def _phrase_words(text: str) -> tuple[str, ...]:
    return tuple(words(text))


def unit_phrases(unit: str) -> list[tuple[tuple[str, ...], bool]]:
    """How a question may say the unit: "km²" → "km2", "km vuông"… (weak: "Vinh rộng bao nhiêu
    km2"); "người/km²" → "người trên km2"… (strong: nothing else is said so)."""
    parts = [" ".join(words(part)) for part in _compatible(unit).split("/")]
    if not all(parts) or len(parts) > 2:
        return []
    spoken = [UNIT_WORDS.get(part, (part,)) for part in parts]
    if len(parts) == 1:
        return [(_phrase_words(alias), False) for alias in spoken[0]]
    return [
        ((*_phrase_words(first), *per, *_phrase_words(second)), True)
        for first in spoken[0]
        for second in spoken[1]
        for per in PER_WORDS
    ]


def indicator_phrases(key: IndicatorKey, position: int) -> list[Phrase]:
    """Every way of naming the indicator: its name, its code, its synonyms, its unit."""
    found: dict[tuple[str, ...], bool] = {}

    def add(phrase: tuple[str, ...], strong: bool) -> None:
        if phrase:
            found[phrase] = found.get(phrase, False) or strong

    add(key.words, True)
    add(key.code_words, True)
    for name in dict.fromkeys((" ".join(key.words), " ".join(key.code_words))):
        named, plain = SYNONYMS.get(name, ((), ()))
        for text in named:
            add(_phrase_words(text), True)
        for text in plain:
            add(_phrase_words(text), False)
    for phrase, is_strong in unit_phrases(key.unit):
        add(phrase, is_strong)
    return [Phrase(words_, position, is_strong) for words_, is_strong in found.items()]


@dataclass(frozen=True)
class IndicatorChoice:
    indicator: IndicatorKey
    used: frozenset[int]  # positions of the words that named it


def choose_indicator(
    tokens: Sequence[str],
    phrases_by_word: dict[str, list[Phrase]],
    keys: Sequence[IndicatorKey],
    *,
    plain_words: bool,
) -> IndicatorChoice | None:
    """The indicator the words name: the one with the longest phrase present (then one named
    strongly, then more words named, then the shorter name); ``plain_words``: the weak phrases
    count too (a question: the look-up page, or a search with "bao nhiêu")."""
    by_indicator: dict[int, list[tuple[int, int, Phrase]]] = {}
    for start, token in enumerate(tokens):
        for phrase in phrases_by_word.get(token, ()):
            end = start + len(phrase.words)
            if tuple(tokens[start:end]) == phrase.words and (phrase.strong or plain_words):
                by_indicator.setdefault(phrase.position, []).append((start, end, phrase))
    ranked = []
    for position, hits in by_indicator.items():
        used: set[int] = set()
        longest, strong = 0, False
        # The longest phrases first; a shorter one inside a longer one adds nothing.
        for start, end, phrase in sorted(hits, key=lambda h: h[0] - h[1]):
            span = set(range(start, end))
            if span & used:
                continue
            used |= span
            longest = max(longest, end - start)
            strong = strong or phrase.strong
        key = keys[position]
        rank = (-longest, not strong, -len(used), len(key.name), key.code)
        ranked.append((rank, IndicatorChoice(key, frozenset(used))))
    if ranked:
        return min(ranked, key=lambda r: r[0])[1]
    # A name in another order ("nghe an dan so" is found above; "so dan" too): by shared words.
    match = best_indicator(tokens, keys)
    if match is None:
        return None
    left = list(match.rest)
    used = set()
    for position, token in enumerate(tokens):
        if token in left:
            left.remove(token)
        else:
            used.add(position)
    return IndicatorChoice(match.indicator, frozenset(used))


@dataclass(frozen=True)
class PlaceRun:
    """A place's whole name in the question, with the kind word before it if there is one."""

    start: int  # of the kind word, or of the name
    end: int
    places: tuple[PlaceKey, ...]  # the places of that name (of that kind, if one is said)
    name_length: int


def find_place_runs(
    tokens: Sequence[str],
    names_by_word: dict[str, list[tuple[tuple[str, ...], PlaceKey]]],
    by_code: dict[str, PlaceKey],
) -> list[PlaceRun]:
    """The places named in the question, longest names first, none overlapping another, in the
    order of the question. A code counts from three digits ("429"), not "40 năm"."""
    spans: dict[tuple[int, int], list[PlaceKey]] = {}
    for start, token in enumerate(tokens):
        for name_words, place in names_by_word.get(token, ()):
            end = start + len(name_words)
            if tuple(tokens[start:end]) == name_words:
                spans.setdefault((start, end), []).append(place)
        if len(token) >= 3 and token in by_code:
            spans.setdefault((start, start + 1), []).append(by_code[token])
    taken: set[int] = set()
    runs = []
    for (start, end), places in sorted(spans.items(), key=lambda s: (s[0][0] - s[0][1], s[0][0])):
        if taken & set(range(start, end)):
            continue
        kind, kind_start = None, start
        for kind_words, kind_value in KIND_WORDS.items():
            n = len(kind_words)
            before = set(range(start - n, start))
            if n <= start and tuple(tokens[start - n : start]) == kind_words and not taken & before:
                kind, kind_start = kind_value, start - n
                break
        of_kind = [p for p in places if p.kind == kind]
        # "huyện Vinh": no district is called so; the name counts, the kind word is read past.
        chosen = tuple(of_kind or places)
        taken |= set(range(kind_start, end))
        runs.append(PlaceRun(kind_start, end, chosen, end - start))
    runs.sort(key=lambda r: r.start)
    return runs


# The answer ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One figure, as the latest edition published it, with where to read the whole series."""

    value: Decimal
    value_display: str  # "1.234,5"
    unit: str
    year: int
    place_code: str
    place_name: str  # "Huyện Nghi Lộc"
    indicator_code: str
    indicator_name: str
    source: str
    note: str
    is_sample: bool
    edition_year: int
    edition_title: str
    series_url: str  # the indicator's page in that edition
    place_url: str
    # The question named no year: this is the latest year with the figure, and the page says so.
    year_given: bool = True
    # Words of the question read past (look-up page only), as typed: the page says so.
    ignored: str = ""
    # Other years the question named ("2019 và 2020"): the answer is the last; the page says so.
    other_years: str = ""
    # Other indicators the question named ("dân số và diện tích"): to be asked one by one.
    other_indicators: str = ""


@dataclass(frozen=True)
class Link:
    code: str
    name: str
    url: str


@dataclass(frozen=True)
class Suggestions:
    message: str
    indicators: list[Link] = field(default_factory=list)
    places: list[Link] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    # What the question was understood to ask, as (what, which): ("Chỉ tiêu", "Dân số")…
    understood: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class LookupResult:
    query: str
    answer: Answer | None
    suggestions: Suggestions | None


def _indicator_url(edition: Edition, code: str) -> str:
    return reverse("gazetteer_indicator", kwargs={"year": edition.year, "code": code})


def _place_url(edition: Edition, code: str) -> str:
    return reverse("gazetteer_place", kwargs={"year": edition.year, "code": code})


@dataclass(frozen=True)
class _Catalogue:
    """What every question against an edition reads whole, loaded once and cached."""

    indicators: list[Indicator]  # each annotated ``published``: the edition has its figures
    places: dict[int, Place]  # in dictionary order
    indicator_keys: list[IndicatorKey]
    place_keys: list[PlaceKey]
    published: frozenset[int]  # pks of the indicators with figures in the edition
    # Each word of an indicator's name or code → the positions in ``indicator_keys`` of the
    # indicators it is a word of: only those can match a question (``best_indicator``).
    indicators_by_word: dict[str, tuple[int, ...]]
    # Indicator pk → the places with its figures in the edition and their years, newest first:
    # read the first time a question without an answer asks (the edition's figures are frozen
    # with it), then kept with the rest.
    of_indicator: dict[int, tuple[frozenset[int], list[int]]] = field(default_factory=dict)
    # First word of a phrase → the phrases naming an indicator (``choose_indicator``).
    phrases_by_word: dict[str, list[Phrase]] = field(default_factory=dict)
    # First word of a place's folded name → (its words, the place); places by code.
    place_names_by_word: dict[str, list[tuple[tuple[str, ...], PlaceKey]]] = field(
        default_factory=dict
    )
    places_by_code: dict[str, PlaceKey] = field(default_factory=dict)

    def indicators_with_words(self, tokens: Iterable[str]) -> list[IndicatorKey]:
        """The indicators sharing a word with ``tokens``, in catalogue order."""
        found: set[int] = set()
        for token in tokens:
            found.update(self.indicators_by_word.get(token, ()))
        return [self.indicator_keys[i] for i in sorted(found)]

    @classmethod
    def load(cls, edition: Edition) -> _Catalogue:
        has_figures = EditionObservation.objects.filter(edition=edition, indicator=OuterRef("pk"))
        indicators: list[Indicator] = list(
            Indicator.objects.annotate(published=Exists(has_figures))
        )
        places = {p.pk: p for p in Place.objects.all()}
        indicator_keys = [IndicatorKey.of(i) for i in indicators]
        by_word: dict[str, list[int]] = {}
        phrases: dict[str, list[Phrase]] = {}
        for position, key in enumerate(indicator_keys):
            for word in dict.fromkeys((*key.words, *key.code_words)):
                by_word.setdefault(word, []).append(position)
            for phrase in indicator_phrases(key, position):
                phrases.setdefault(phrase.words[0], []).append(phrase)
        place_keys = [PlaceKey.of(p) for p in places.values()]
        names: dict[str, list[tuple[tuple[str, ...], PlaceKey]]] = {}
        for place in place_keys:
            name_words = tuple(place.folded.split())
            if name_words:
                names.setdefault(name_words[0], []).append((name_words, place))
        return cls(
            indicators,
            places,
            indicator_keys,
            place_keys,
            frozenset(i.pk for i in indicators if getattr(i, "published", False)),
            {word: tuple(positions) for word, positions in by_word.items()},
            phrases_by_word=phrases,
            place_names_by_word=names,
            places_by_code={p.code: p for p in place_keys},
        )


def _latest_edition_query() -> QuerySet[Edition]:
    version = CatalogueVersion.objects.filter(name=LOOKUP_CATALOGUE).values("value")[:1]
    return Edition.objects.annotate(catalogue_version=Coalesce(Subquery(version), 0)).order_by(
        "-year"
    )[:1]


_latest_edition = CompiledQuery(_latest_edition_query)


def latest_edition() -> Edition | None:
    """The latest edition, with the catalogue's version read in the same query (compiled once
    per process: every look-up and every search page asks)."""
    rows = _latest_edition()
    return rows[0] if rows else None


def _edition_key(edition: Edition) -> str:
    published = edition.published_at.isoformat() if edition.published_at else ""
    return f"{edition.pk}:{published}"


def catalogue_key(edition: Edition) -> str:
    """The cache key: the edition (a new one is published: a new key) and the catalogue's
    version in the database (a place or indicator saved: a new key in every process)."""
    version = getattr(edition, "catalogue_version", None)
    if version is None:
        version = catalogue_version()
    return f"gazetteer:lookup:{_edition_key(edition)}:{version}"


_kept: OrderedDict[str, object] = OrderedDict()
_kept_lock = threading.Lock()


def _remembered(key: str, load: Callable[[], T]) -> T:
    """``load()``, kept under ``key`` in this process (the most recent few keys)."""
    with _kept_lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]  # type: ignore[return-value]
    value = load()
    with _kept_lock:
        _kept[key] = value
        while len(_kept) > 3 * KEPT_CATALOGUES:  # a catalogue, its years and examples per edition
            _kept.popitem(last=False)
    return value


def forget_catalogues() -> None:
    """Drop what this process kept (tests; the keys already retire on every save)."""
    with _kept_lock:
        _kept.clear()


def _catalogue(edition: Edition) -> _Catalogue:
    return _remembered(catalogue_key(edition), lambda: _Catalogue.load(edition))


def _edition_years(edition: Edition) -> list[int]:
    """The edition's years with figures, newest first (frozen with the edition: kept)."""
    return _remembered(
        f"gazetteer:lookup-years:{_edition_key(edition)}",
        lambda: _distinct_years(EditionObservation.objects.filter(edition=edition)),
    )


@dataclass
class _Search:
    """One look-up against one edition; what it reads whole comes from the cache, once."""

    edition: Edition
    tokens: list[str]
    typed: dict[str, str] = field(default_factory=dict)
    asked: bool = False  # a question (the look-up page, or "?" typed): plain words count
    _loaded: _Catalogue | None = None

    @property
    def catalogue(self) -> _Catalogue:
        if self._loaded is None:
            self._loaded = _catalogue(self.edition)
        return self._loaded

    @property
    def indicators(self) -> list[Indicator]:
        """Every indicator, each knowing whether the edition has figures for it (``published``):
        all are matched ("mật độ dân số" must not read as "dân số"), only those are suggested."""
        return self.catalogue.indicators

    def published(self, pk: int) -> bool:
        return pk in self.catalogue.published

    @property
    def places(self) -> dict[int, Place]:
        return self.catalogue.places

    def indicator_keys(self) -> list[IndicatorKey]:
        return self.catalogue.indicator_keys

    def place_keys(self) -> list[PlaceKey]:
        return self.catalogue.place_keys

    def of_indicator(self, indicator_pk: int) -> tuple[frozenset[int], list[int]]:
        """(pks of the places with the indicator's figures, their years newest first)."""
        kept = self.catalogue.of_indicator.get(indicator_pk)
        if kept is None:
            # Two ranges of the edition's unique index (edition, indicator, place, year).
            rows = EditionObservation.objects.filter(
                edition=self.edition, indicator_id=indicator_pk
            )
            places = frozenset(rows.values_list("place_id", flat=True).distinct().order_by())
            kept = (places, _distinct_years(rows))
            self.catalogue.of_indicator[indicator_pk] = kept
        return kept

    def figures(self, indicator_pk: int, place_pks: Iterable[int]) -> list[EditionObservation]:
        return list(
            EditionObservation.objects.filter(
                edition=self.edition, indicator_id=indicator_pk, place_id__in=list(place_pks)
            ).order_by("year")
        )

    def quote(self, tokens: Iterable[str]) -> str:
        """The words as the user typed them ("ha noi" typed "Hà Nội" → "Hà Nội")."""
        return " ".join(self.typed.get(w, w) for w in tokens)

    def answer(self, figure: EditionObservation, found: _Found) -> Answer:
        indicator = next(i for i in self.indicators if i.pk == figure.indicator_id)
        place = self.places[figure.place_id]
        return Answer(
            value=figure.value.normalize() + 0,
            value_display=format_number(figure.value),
            unit=indicator.unit,
            year=figure.year,
            place_code=place.code,
            place_name=place.full_name,
            indicator_code=indicator.code,
            indicator_name=indicator.name,
            source=figure.source,
            note=figure.note,
            is_sample=shown_as_sample(figure.is_sample, figure.source),
            edition_year=self.edition.year,
            edition_title=self.edition.title,
            series_url=_indicator_url(self.edition, indicator.code),
            place_url=_place_url(self.edition, place.code),
            year_given=found.year is not None,
            ignored=self.quote(found.unknown),
            other_years=", ".join(str(y) for y in found.other_years),
            other_indicators=", ".join(found.other_indicators),
        )


def _find(search: _Search, *, strict: bool = False) -> tuple[Answer | None, _Found]:
    """The answer, and what was recognised on the way (for suggestions when there is none).

    ``strict`` (the answer box over search results): only a question whose every word is
    understood and whose place is named whole answers; the look-up page answers and says which
    words it read past.
    """
    year, _rest = parse(search.tokens)
    rest, years_named = _year_as_boundary(search.tokens)
    found = _Found(year=year, other_years=sorted(set(years_named) - {year} if year else set()))
    catalogue = search.catalogue
    runs = find_place_runs(rest, catalogue.place_names_by_word, catalogue.places_by_code)
    in_runs = {i for run in runs for i in range(run.start, run.end)}
    others = [t for i, t in enumerate(rest) if i not in in_runs]
    plain_words = not strict or search.asked or any(t in CUES for t in rest)
    choice = choose_indicator(
        others, catalogue.phrases_by_word, catalogue.indicator_keys, plain_words=plain_words
    )
    left = [
        t for i, t in enumerate(others) if (choice is None or i not in choice.used) and t != _GAP
    ]
    while choice is not None:
        # "dân số và diện tích Nghệ An": the first indicator answers, the others are named.
        other = choose_indicator(
            left, catalogue.phrases_by_word, catalogue.indicator_keys, plain_words=plain_words
        )
        if other is None or other.indicator.pk == choice.indicator.pk:
            break
        found.other_indicators.append(other.indicator.name)
        left = [t for i, t in enumerate(left) if i not in other.used]
    unknown = [t for t in _without_kind_words(left) if t not in QUESTION_WORDS]
    if choice is not None:
        found.indicator = choice.indicator
        found.published = search.published(choice.indicator.pk)
    names = {run.places[0].folded for run in runs}
    if len(names) > 1:
        found.several = runs
    elif runs:
        found.place_match = PlaceMatch([p for run in runs for p in run.places], True)
    elif not unknown and _names_the_province(left):
        # "dân số toàn tỉnh", "dân số tỉnh": the province (not "Hà Tĩnh", folded alike).
        found.place_match = PlaceMatch(
            [p for p in search.place_keys() if p.kind == PlaceKind.PROVINCE], True
        )
    elif unknown and choice is not None:
        # Not a whole name: the beginning of one ("quynh", "vinh h"), as typed so far; quoted
        # back with its kind words ("xã Hà Nội", "Hà Tĩnh") when there is none.
        place_words = [t for t in left if t not in QUESTION_WORDS]
        match = match_places(place_words, search.place_keys())
        if match.places:
            found.place_match, unknown = match, []
        else:
            found.place_words = place_words
            found.alike = spelled_alike(place_words, search.place_keys())
    found.unknown = unknown
    if choice is None or not found.published or found.several:
        return None, found
    if found.place_match is None or not found.place_match.places:
        return None, found
    if strict and (unknown or not found.place_match.exact):
        return None, found
    figures = search.figures(choice.indicator.pk, (p.pk for p in found.place_match.places))
    years: dict[int, set[int]] = {}
    for figure in figures:
        years.setdefault(figure.place_id, set()).add(figure.year)
    found.years_by_place = years
    place = choose_place(found.place_match, years, year)
    if place is None:
        return None, found
    found.place = place
    wanted = year if year is not None else max(years[place.pk])
    figure = next(f for f in figures if f.place_id == place.pk and f.year == wanted)
    return search.answer(figure, found), found


_GAP = "|"  # where the year was: no name or phrase runs across it (never a word of a query)


def _is_year(token: str) -> bool:
    # ASCII digits only: a year typed in other scripts is not what anyone means here.
    return re.fullmatch(r"[0-9]{4}", token) is not None and MIN_YEAR <= int(token) <= MAX_YEAR


def _year_as_boundary(tokens: Sequence[str]) -> tuple[list[str], list[int]]:
    """The words with every year (and "năm" just before it) as a gap, and those years in
    order: "năm 2020 dân số Vinh" must not read "nam dan" (Nam Đàn), nor "Hưng Nguyên năm 2019"
    "Hưng Nguyên Nam"; "2019 và 2020", "2019-2023" are years, not words not understood."""
    out = list(tokens)
    years = []
    for at, token in enumerate(tokens):
        if _is_year(token):
            years.append(int(token))
            out[at] = _GAP
            if at > 0 and out[at - 1] == "nam":
                out[at - 1] = _GAP
    return out, years


def _without_kind_words(tokens: Sequence[str]) -> list[str]:
    """The words without "huyện", "thành phố", "tp"…: read past ("thành" alone is not)."""
    kept, i = [], 0
    while i < len(tokens):
        for kind_words in KIND_WORDS:
            if tuple(tokens[i : i + len(kind_words)]) == kind_words:
                i += len(kind_words)
                break
        else:
            kept.append(tokens[i])
            i += 1
    return kept


def spelled_alike(tokens: Sequence[str], places: Iterable[PlaceKey]) -> list[PlaceKey]:
    """The places whose folded name is within a letter or two of the words ("vihn" → Vinh,
    "nghe ann" → Nghệ An; a kind word before the name read past): one edit up to six letters,
    two beyond ("ha noi" is not "na loi"), the first letter as typed (a misspelt first letter is
    rare, and checking every name would cost more than the rest of the question); the closest
    first, then the higher level."""
    _kind, name_words = _strip_kind(tokens)
    name = " ".join(name_words)
    if len(name) < 3:
        return []
    limit = 1 if len(name) <= 6 else 2
    # Names starting as typed, or with its first two letters swapped: a few dozen of a thousand
    # places, so a miss costs well under a millisecond.
    starts = {name[0], name[1]}
    letters = set(name)
    ranked = []
    for place in places:
        folded = place.folded
        if not folded or folded[0] not in starts or abs(len(folded) - len(name)) > limit:
            continue
        if len(letters.symmetric_difference(folded)) > 2 * limit:  # each edit: two letters at most
            continue
        distance = edit_distance(name, folded, limit)
        if distance <= limit:
            ranked.append((distance, KIND_RANK.get(place.kind, 99), place.folded, place))
    ranked.sort(key=lambda r: r[:3])
    return [r[3] for r in ranked]


def _names_the_province(tokens: Sequence[str]) -> bool:
    """ "tỉnh" on its own ("dân số tỉnh", "toàn tỉnh"), not "tính đến" (folded alike)."""
    return any(t == "tinh" and tokens[i + 1 : i + 2] != ["den"] for i, t in enumerate(tokens))


@dataclass
class _Found:
    year: int | None = None
    indicator: IndicatorKey | None = None
    place_match: PlaceMatch | None = None
    place_words: list[str] = field(default_factory=list)  # a place asked for, not known
    years_by_place: dict[int, set[int]] = field(default_factory=dict)
    place: PlaceKey | None = None
    published: bool = True  # the edition has figures for the indicator
    unknown: list[str] = field(default_factory=list)  # words not understood
    several: list[PlaceRun] = field(default_factory=list)  # more than one place named
    other_years: list[int] = field(default_factory=list)  # named besides ``year`` (the last)
    other_indicators: list[str] = field(default_factory=list)  # named besides ``indicator``
    alike: list[PlaceKey] = field(default_factory=list)  # places spelled like ``place_words``


def partial_places(tokens: Sequence[str], places: Iterable[PlaceKey]) -> list[PlaceKey]:
    """Places with a word of the query in their name ("nghi" → Nghi Lộc, Nghi Xuân…), most
    words shared first; kind words and fillers do not count."""
    kind_words = {w for words_ in KIND_WORDS for w in words_}
    wanted = {t for t in tokens if t not in FILLERS and t not in kind_words and not t.isdigit()}
    ranked = []
    for place in places:
        shared = len(wanted & set(place.folded.split(" ")))
        if shared:
            ranked.append((-shared, KIND_RANK.get(place.kind, 99), place.folded, place))
    ranked.sort(key=lambda r: r[:3])
    return [r[3] for r in ranked]


def _suggest(search: _Search, found: _Found) -> Suggestions:
    edition = search.edition
    indicator = found.indicator

    indicators = [indicator] if indicator else []
    indicators += [
        k
        for k in partial_indicators(search.tokens, search.indicator_keys())
        if indicator is None or k.pk != indicator.pk
    ]
    if indicator is None:
        # Not understood: show what there is to ask about.
        indicators += [k for k in search.indicator_keys() if k not in indicators]
    indicators = [k for k in indicators if search.published(k.pk)]  # the others have no page

    if found.several:
        places = [p for run in found.several for p in run.places]
    elif found.place_match is not None and found.place_match.places:
        with_data = [p for p in found.place_match.places if found.years_by_place.get(p.pk)]
        places = with_data or found.place_match.places
        if indicator is not None and found.published and not with_data:
            # The place has no such figure: the places that have it follow.
            pks = search.of_indicator(indicator.pk)[0]
            places = places + _by_level(p for p in search.place_keys() if p.pk in pks)
    elif indicator is not None and found.published:
        # The places that have this figure.
        pks = search.of_indicator(indicator.pk)[0]
        with_data = _by_level(p for p in search.place_keys() if p.pk in pks)
        places = found.alike + (partial_places(found.place_words, with_data) or with_data)
    else:
        words_left = found.unknown if indicator is not None else parse(search.tokens)[1]
        places = partial_places(words_left, search.place_keys())
    # ``search.places`` is in dictionary order, and the partial matches keep it within a rank.
    place_rows = [search.places[p.pk] for p in list(dict.fromkeys(places))[:MAX_SUGGESTIONS]]

    if found.years_by_place:
        years = sorted(set().union(*found.years_by_place.values()), reverse=True)
    elif indicator is not None and found.published:
        years = list(search.of_indicator(indicator.pk)[1])
    else:
        years = _edition_years(edition)
    return Suggestions(
        _why(found, search),
        [Link(k.code, k.name, _indicator_url(edition, k.code)) for k in indicators][
            :MAX_SUGGESTIONS
        ],
        [Link(p.code, p.full_name, _place_url(edition, p.code)) for p in place_rows],
        years,
        _understood(found, search),
    )


def _by_level(places: Iterable[PlaceKey]) -> list[PlaceKey]:
    # Stable: dictionary order within a level.
    return sorted(places, key=lambda p: KIND_RANK.get(p.kind, 99))


def _distinct_years(figures: QuerySet[EditionObservation]) -> list[int]:
    return sorted(figures.values_list("year", flat=True).distinct().order_by(), reverse=True)


def _place_names(search: _Search, places: Iterable[PlaceKey]) -> str:
    names = dict.fromkeys(search.places[p.pk].full_name for p in places)
    return ", ".join(names)


def _understood(found: _Found, search: _Search) -> list[tuple[str, str]]:
    """What the question was read as, for the page to show beside what was not understood."""
    parts = []
    if found.indicator is not None:
        parts.append((_("Chỉ tiêu"), found.indicator.name))
    if found.several:
        parts.append((_("Địa danh"), _place_names(search, (r.places[0] for r in found.several))))
    elif found.place_match is not None and found.place_match.exact and found.place_match.places:
        shown = [found.place] if found.place else found.place_match.places
        parts.append((_("Địa danh"), _place_names(search, shown)))
    if found.year is not None:
        parts.append((_("Năm"), str(found.year)))
    return parts


def _why(found: _Found, search: _Search) -> str:
    """One or two sentences: which part of the question was not understood, or has no figure."""
    if not search.tokens:
        return _("Hãy gõ tên chỉ tiêu và địa danh, ví dụ “dân số Nghi Lộc 2019”.")
    unknown = search.quote(found.unknown)
    if found.indicator is None:
        if unknown:
            return _(
                "Chưa nhận ra chỉ tiêu nào trong câu hỏi: không hiểu “%(words)s”. Hãy dùng tên "
                "một chỉ tiêu dưới đây (dân số, diện tích…), ví dụ “dân số Nghi Lộc 2019”."
            ) % {"words": unknown}
        return _(
            "Chưa nhận ra chỉ tiêu nào (dân số, diện tích…). Hãy gõ tên chỉ tiêu và địa danh, "
            "ví dụ “dân số Nghi Lộc 2019”."
        )
    name = found.indicator.name
    if not found.published:
        return _("Ấn bản này chưa có số liệu “%(name)s”.") % {"name": name}
    if found.several:
        return _(
            "Câu hỏi nêu nhiều địa danh (%(places)s): hãy hỏi từng địa danh một, ví dụ "
            "“%(name)s %(place)s”."
        ) % {
            "places": _place_names(search, (r.places[0] for r in found.several)),
            "name": name,
            "place": search.places[found.several[0].places[0].pk].name,
        }
    if found.place_match is None:
        if found.place_words and found.alike:
            return _("Không có địa danh “%(words)s” trong địa chí. Có phải “%(place)s”?") % {
                "words": search.quote(found.place_words),
                "place": search.places[found.alike[0].pk].full_name,
            }
        if found.place_words:
            return _("Không có địa danh “%(words)s” trong địa chí.") % {
                "words": search.quote(found.place_words)
            }
        return _("Chỉ tiêu “%(name)s” của địa danh nào? Ví dụ “%(name)s Vinh”.") % {"name": name}
    if not found.place_match.places:
        return _("Không có địa danh “%(words)s” trong địa chí.") % {
            "words": search.quote(found.place_words)
        }
    candidates = found.place_match.places
    with_data = [p for p in candidates if found.years_by_place.get(p.pk)]
    if with_data and found.year is not None and (found.place_match.exact or len(with_data) == 1):
        return _(
            "Chưa có số liệu “%(name)s” năm %(year)s của %(place)s. Các năm có số liệu ở dưới."
        ) % {"name": name, "year": found.year, "place": _place_names(search, with_data)}
    if with_data:
        return _("Nhiều địa danh khớp với từ đã gõ; hãy chọn một địa danh.")
    return _("Ấn bản này chưa có số liệu “%(name)s” của %(place)s.") % {
        "name": name,
        "place": _place_names(search, candidates),
    }


def lookup(q: str, *, edition: Edition | None = None) -> LookupResult:
    """The answer to ``q`` from the edition (the latest by default), or suggestions."""
    edition = edition or latest_edition()
    if edition is None:
        return LookupResult(q, None, Suggestions(_("Chưa có ấn bản nào được công bố.")))
    search = _Search(edition, words(q), as_typed(q), asked=True)
    answer, found = _find(search)
    if answer is not None:
        return LookupResult(q, answer, None)
    return LookupResult(q, None, _suggest(search, found))


def answer_for(q: str, *, edition: Edition | None = None) -> Answer | None:
    """The answer box on top of the search results: the answer, or None (no suggestions, so a
    search that is not a figure question costs one or two small queries). ``edition``: the
    latest, as ``latest_edition`` read it (the page has it already), else it is read here.
    Stricter than ``lookup``: "người Nghệ An" is a search, "Nghệ An có bao nhiêu người" a
    question; every word must be understood."""
    tokens = words(q)
    if not tokens:
        return None
    edition = edition or latest_edition()
    if edition is None:
        return None
    return _find(_Search(edition, tokens, asked="?" in q), strict=True)[0]


# Ways of asking, keyed as ``SYNONYMS``: the look-up page offers one per indicator as examples.
def _question_forms() -> dict[str, str]:
    return {
        "dan so": _("%(place)s có bao nhiêu dân năm %(year)s"),
        "dien tich": _("%(place)s rộng bao nhiêu km2"),
        "dien tich tu nhien": _("%(place)s rộng bao nhiêu km2"),
        "mat do dan so": _("mật độ dân số %(place)s"),
    }


def examples(edition: Edition | None = None, *, limit: int = 6) -> list[str]:
    """Questions the edition answers, made from its figures: for each indicator the place of the
    highest level that has it, asked plainly ("dân số Nghệ An 2019") and, where a way of asking
    is known, in words ("Nghệ An có bao nhiêu dân năm 2019"). Kept with the catalogue."""
    edition = edition or latest_edition()
    if edition is None:
        return []
    found = edition
    return _remembered(f"{catalogue_key(found)}:examples", lambda: _examples(found))[:limit]


def _examples(edition: Edition) -> list[str]:
    search = _Search(edition, [])
    forms = _question_forms()
    found: list[str] = []
    for key in search.indicator_keys():
        if not search.published(key.pk):
            continue
        pks = search.of_indicator(key.pk)[0]
        places = _by_level(p for p in search.place_keys() if p.pk in pks)
        if not places:
            continue
        place = search.places[places[0].pk]
        year = max(f.year for f in search.figures(key.pk, [place.pk]))
        found.append(f"{key.name.lower()} {place.name} {year}")
        form = forms.get(" ".join(key.words)) or forms.get(" ".join(key.code_words))
        if form:
            found.append(form % {"place": place.name, "year": year})
    return found
