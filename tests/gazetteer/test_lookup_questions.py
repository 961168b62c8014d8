"""Figure look-up in plain Vietnamese, on the demo gazetteer (``tinhuy demo``, loaded for the
session): "Nghệ An có bao nhiêu dân năm 2019", "nghe an rong bao nhieu km2", "mật độ dân số
Nghệ An"… with or without marks, and what the look-up says when it does not understand.

The demo's latest edition has three indicators: "Dân số" (người; the province 2019 cited, the
districts of Vinh, Nghi Lộc, Đô Lương, Nam Đàn, Hưng Nguyên and Quỳnh Lưu 2019–2023 sample data),
"Diện tích tự nhiên" (km²; the province 2023) and "Mật độ dân số" (người/km²; the province
2019). Expected values are read from the edition, never copied here.

Everything here is public: the citizen asks, no login.
"""

from __future__ import annotations

import unicodedata

import pytest
from django.urls import reverse

from tinhuy.gazetteer.lookup import (
    IndicatorKey,
    PlaceKey,
    answer_for,
    choose_indicator,
    examples,
    find_place_runs,
    indicator_phrases,
    latest_edition,
    lookup,
    unit_phrases,
    words,
)
from tinhuy.gazetteer.models import EditionObservation, PlaceKind
from tinhuy.search.text import fold

PROVINCE, VINH, DO_LUONG, NAM_DAN, QUYNH_LUU, HUNG_NGUYEN, NGHI_LOC = (
    "40",
    "412",
    "427",
    "430",
    "421",
    "431",
    "429",
)


def _figure(code: str, place: str, year: int | None) -> EditionObservation:
    """The latest edition's figure (the latest year when ``year`` is None)."""
    edition = latest_edition()
    assert edition is not None
    rows = EditionObservation.objects.filter(
        edition=edition, indicator__code=code, place__code=place
    ).order_by("-year")
    if year is not None:
        rows = rows.filter(year=year)
    figure = rows.first()
    assert figure is not None, (code, place, year)
    return figure


# Questions and what they ask: (indicator, place, year or None for the latest).
QUESTIONS = [
    ("Nghệ An có bao nhiêu dân năm 2019", "dan-so", PROVINCE, 2019),
    ("Nghệ An rộng bao nhiêu km2", "dien-tich", PROVINCE, None),
    ("diện tích Nghệ An", "dien-tich", PROVINCE, None),
    ("mật độ dân số Nghệ An", "mat-do-dan-so", PROVINCE, None),
    ("dân số TP Vinh 2019", "dan-so", VINH, 2019),
    ("Dân số tỉnh Nghệ An năm 2019 là bao nhiêu người?", "dan-so", PROVINCE, 2019),
    ("Năm 2019 Nghệ An có bao nhiêu người", "dan-so", PROVINCE, 2019),
    ("cho tôi biết dân số của thành phố Vinh năm 2021", "dan-so", VINH, 2021),
    ("Vinh có bao nhiêu người", "dan-so", VINH, None),
    ("Vinh bao nhiêu dân", "dan-so", VINH, None),
    ("số dân thành phố Vinh năm 2020", "dan-so", VINH, 2020),
    ("Đô Lương có bao nhiêu người năm 2021", "dan-so", DO_LUONG, 2021),
    ("dân số huyện Đô Lương", "dan-so", DO_LUONG, None),
    ("bao nhiêu người sống ở Nam Đàn", "dan-so", NAM_DAN, None),
    ("Nam Đàn có bao nhiêu dân năm 2020", "dan-so", NAM_DAN, 2020),
    ("số người ở Quỳnh Lưu năm 2022", "dan-so", QUYNH_LUU, 2022),
    ("tổng số dân huyện Hưng Nguyên", "dan-so", HUNG_NGUYEN, None),
    ("quy mô dân số Nghi Lộc hiện nay", "dan-so", NGHI_LOC, None),
    ("dân số toàn tỉnh năm 2019", "dan-so", PROVINCE, 2019),
    ("dân số tính đến 2019 của Nghệ An", "dan-so", PROVINCE, 2019),
    ("Nghệ An đông dân cỡ nào", "dan-so", PROVINCE, None),
    ("tỉnh Nghệ An có diện tích tự nhiên là bao nhiêu?", "dien-tich", PROVINCE, None),
    ("diện tích Nghệ An bao nhiêu km vuông", "dien-tich", PROVINCE, None),
    ("Tỉnh Nghệ An có diện tích bao nhiêu km²", "dien-tich", PROVINCE, None),
    ("Nghệ An rộng bao nhiêu", "dien-tich", PROVINCE, 2023),
    ("mật độ dân số trung bình của Nghệ An năm 2019", "mat-do-dan-so", PROVINCE, 2019),
    ("bao nhiêu người trên một km2 ở Nghệ An", "mat-do-dan-so", PROVINCE, None),
    ("Nghệ An có mật độ dân số bao nhiêu người/km²", "mat-do-dan-so", PROVINCE, None),
    ("mật độ dân cư tỉnh Nghệ An", "mat-do-dan-so", PROVINCE, None),
    # "trung bình", "trên địa bàn" qualify the population, not the density.
    ("dân số trung bình của Nghệ An năm 2019", "dan-so", PROVINCE, 2019),
    ("số dân trên địa bàn thành phố Vinh năm 2022", "dan-so", VINH, 2022),
    ("Vinh có bao nhiêu người sinh sống", "dan-so", VINH, None),
    ("Dân số của TP. Vinh", "dan-so", VINH, None),
    # "năm" before the year is not the "Nam" of a name: not Nam Đàn, not Xã Hưng Nguyên Nam.
    ("Năm 2020 dân số Vinh là bao nhiêu", "dan-so", VINH, 2020),
    ("bao nhiêu người ở Hưng Nguyên năm 2019", "dan-so", HUNG_NGUYEN, 2019),
    ("Nam Đàn năm 2021 có bao nhiêu dân", "dan-so", NAM_DAN, 2021),
    # The site's English version.
    ("population of Vinh 2019", "dan-so", VINH, 2019),
    ("how many people live in Nghe An", "dan-so", PROVINCE, None),
    ("Nghe An area", "dien-tich", PROVINCE, None),
    ("population density of Nghe An", "mat-do-dan-so", PROVINCE, None),
]


def _variants(question: str) -> list[str]:
    """As typed with marks, without marks, in capitals, decomposed (an old keyboard)."""
    return [
        question,
        fold(question),
        question.upper(),
        unicodedata.normalize("NFD", question),
    ]


@pytest.mark.parametrize(
    "question,typed,code,place,year",
    [
        (question, typed, code, place, year)
        for question, code, place, year in QUESTIONS
        for typed in _variants(question)
    ],
)
def test_a_question_in_plain_words_is_answered(db, question, typed, code, place, year):
    """With or without marks, any capitals, decomposed: the same figure of the latest edition."""
    result = lookup(typed)
    answer = result.answer
    assert answer is not None, (typed, result.suggestions)
    figure = _figure(code, place, year)
    assert (answer.indicator_code, answer.place_code, answer.year) == (code, place, figure.year)
    assert answer.value == figure.value.normalize()
    assert answer.year_given is (str(year) in question if year else False)


def test_a_question_without_a_year_answers_the_latest_year_and_says_so(db, client):
    answer = lookup("Vinh có bao nhiêu người").answer
    assert answer is not None and answer.year_given is False
    assert answer.year == _figure("dan-so", VINH, None).year
    html = client.get(reverse("gazetteer_lookup"), {"q": "Vinh có bao nhiêu người"}).content
    assert "Câu hỏi không nêu năm" in html.decode()
    with_year = client.get(reverse("gazetteer_lookup"), {"q": "dân số Vinh 2019"}).content
    assert "Câu hỏi không nêu năm" not in with_year.decode()


@pytest.mark.parametrize(
    "question", ["dân số Vinh năm 2019 và 2020", "dân số Vinh từ 2019 đến 2020"]
)
def test_several_years_answer_the_last_and_say_so(db, client, question):
    answer = lookup(question).answer
    assert answer is not None
    assert (answer.year, answer.other_years, answer.ignored) == (2020, "2019", "")
    html = client.get(reverse("gazetteer_lookup"), {"q": question}).content.decode()
    assert "Câu hỏi nêu nhiều năm: đây là số liệu năm 2020; năm 2019" in html


def test_several_indicators_answer_one_and_name_the_others(db, client):
    question = "dân số và diện tích Nghệ An"
    answer = lookup(question).answer
    assert answer is not None
    assert (answer.indicator_code, answer.other_indicators, answer.ignored) == (
        "dan-so",
        "Diện tích tự nhiên",
        "",
    )
    html = client.get(reverse("gazetteer_lookup"), {"q": question}).content.decode()
    assert "Câu hỏi nêu nhiều chỉ tiêu: đây là “Dân số”; hãy hỏi riêng “Diện tích tự nhiên”" in html


def test_a_sample_figure_keeps_its_label_in_the_answer(db, client):
    answer = lookup("dân số Vinh 2019").answer
    assert answer is not None and answer.is_sample is True
    html = client.get(reverse("gazetteer_lookup"), {"q": "dan so vinh 2019"}).content.decode()
    assert "số liệu minh họa" in html


# What is not understood ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question,says,understood",
    [
        # The place.
        ("dân số Hà Nội", "Không có địa danh “Hà Nội”", [("Chỉ tiêu", "Dân số")]),
        ("Hà Nội có bao nhiêu dân", "Không có địa danh “Hà Nội”", [("Chỉ tiêu", "Dân số")]),
        ("dien tich Da Nang", "Không có địa danh “Da Nang”", [("Chỉ tiêu", "Diện tích tự nhiên")]),
        # "Tĩnh" folds to "tinh" ("tỉnh"): Hà Tĩnh is not the province of Nghệ An.
        ("dân số Hà Tĩnh", "Không có địa danh “Hà Tĩnh”", [("Chỉ tiêu", "Dân số")]),
        ("dân số xã Hà Nội", "Không có địa danh “xã Hà Nội”", [("Chỉ tiêu", "Dân số")]),
        ("dân số", "của địa danh nào", [("Chỉ tiêu", "Dân số")]),
        # The indicator.
        (
            "GDP Vinh",
            "Chưa nhận ra chỉ tiêu nào trong câu hỏi: không hiểu “GDP”",
            [("Địa danh", "Thành phố Vinh")],
        ),
        (
            "tỷ lệ hộ nghèo Nghệ An 2019",
            "không hiểu “tỷ lệ hộ nghèo”",
            [("Địa danh", "Tỉnh Nghệ An"), ("Năm", "2019")],
        ),
        ("Vinh", "Chưa nhận ra chỉ tiêu nào", [("Địa danh", "Thành phố Vinh")]),
        # The year.
        (
            "dân số Vinh 1990",
            "Chưa có số liệu “Dân số” năm 1990 của Thành phố Vinh",
            [("Chỉ tiêu", "Dân số"), ("Địa danh", "Thành phố Vinh"), ("Năm", "1990")],
        ),
        (
            "Nghệ An rộng bao nhiêu km2 năm 2000",
            "năm 2000 của Tỉnh Nghệ An",
            [("Chỉ tiêu", "Diện tích tự nhiên"), ("Địa danh", "Tỉnh Nghệ An"), ("Năm", "2000")],
        ),
        # A figure the edition does not have for that place.
        (
            "mật độ dân số Vinh",
            "chưa có số liệu “Mật độ dân số” của Thành phố Vinh",
            [("Chỉ tiêu", "Mật độ dân số"), ("Địa danh", "Thành phố Vinh")],
        ),
        # Two places at once.
        ("dân số Vinh và Đô Lương", "nhiều địa danh", [("Chỉ tiêu", "Dân số")]),
    ],
)
def test_what_is_not_understood_is_said(db, question, says, understood):
    result = lookup(question)
    assert result.answer is None
    suggestions = result.suggestions
    assert suggestions is not None
    assert says in suggestions.message
    for part in understood:
        assert part in suggestions.understood


def test_a_place_without_the_figure_points_to_the_places_that_have_it(db):
    """ "mật độ dân số Vinh": Vinh, then the province (which has the density), not communes
    that share a word with the question."""
    suggestions = lookup("mật độ dân số Vinh").suggestions
    assert suggestions is not None
    codes = [link.code for link in suggestions.places]
    assert codes[:2] == [VINH, PROVINCE]
    assert [link.code for link in suggestions.indicators][:1] == ["mat-do-dan-so"]


def test_an_unknown_place_suggests_no_unrelated_commune(db):
    """ "Hà Nội" shares no word with any place here: the suggestions are the places that have
    the figure, never a commune that happens to contain "An"."""
    suggestions = lookup("Hà Nội có bao nhiêu dân").suggestions
    assert suggestions is not None
    have = set(
        EditionObservation.objects.filter(
            edition=latest_edition(), indicator__code="dan-so"
        ).values_list("place__code", flat=True)
    )
    assert {link.code for link in suggestions.places} <= have


@pytest.mark.parametrize(
    "question,typed,place",
    [
        ("dân số Vihn", "Vihn", VINH),
        ("dan so nghe ann 2019", "nghe ann", PROVINCE),
        ("dân số Đô Lươngg", "Đô Lươngg", DO_LUONG),
    ],
)
def test_a_misspelt_place_is_asked_back(db, question, typed, place):
    """A letter or two off: "Có phải …?", that place first among the suggestions."""
    suggestions = lookup(question).suggestions
    assert suggestions is not None
    assert f"Không có địa danh “{typed}” trong địa chí. Có phải" in suggestions.message
    assert suggestions.places[0].code == place


def test_a_place_that_is_not_there_is_not_guessed(db):
    """ "Hà Nội" is two letters from "Na Loi": too far for a name this short."""
    suggestions = lookup("dân số Hà Nội").suggestions
    assert suggestions is not None and "Có phải" not in suggestions.message


def test_not_understood_words_are_read_past_and_said_on_the_page(db, client):
    """ "dân số thành thị Vinh": no such indicator; the population of Vinh answers, and the
    page says that "thành thị" was read past."""
    answer = lookup("dân số thành thị Vinh").answer
    assert answer is not None and answer.ignored == "thành thị"
    html = client.get(reverse("gazetteer_lookup"), {"q": "dân số thành thị Vinh"}).content
    assert "Không hiểu các từ “thành thị”" in html.decode()


def test_the_page_says_what_it_understood(db, client):
    html = client.get(reverse("gazetteer_lookup"), {"q": "dân số Vinh 1990"}).content.decode()
    assert 'id="gz-suggestions"' in html
    assert "Đã hiểu:" in html and "<strong>Thành phố Vinh</strong>" in html
    assert "năm 1990" in html


# The search box's answer: stricter ----------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["người Nghệ An", "nam dan", "Nam Đàn", "nghe an", "rộng", "dân ca ví giặm", "Vinh"],
)
def test_a_search_is_not_read_as_a_question(db, query):
    assert answer_for(query) is None


@pytest.mark.parametrize(
    "query",
    ["Nghệ An có bao nhiêu người", "dan so vinh 2019", "diện tích Nghệ An", "Vinh bao nhiêu dân"],
)
def test_a_question_in_the_search_box_gets_the_answer_box(db, query):
    assert answer_for(query) is not None


def test_the_search_box_answers_only_when_every_word_is_understood(db):
    assert answer_for("dân số thành thị Vinh") is None
    assert lookup("dân số thành thị Vinh").answer is not None


# Examples ----------------------------------------------------------------------------------------


def test_the_empty_look_up_page_offers_examples_that_all_answer(db, client):
    """The examples are made from the edition's figures: each one is answered."""
    found = examples()
    assert len(found) >= 3
    for question in found:
        assert lookup(question).answer is not None, question
    html = client.get(reverse("gazetteer_lookup")).content.decode()
    assert found[0] in html


def test_a_natural_question_runs_few_queries(db, django_assert_max_num_queries):
    lookup("dân số Vinh")  # the catalogue, read once per edition
    with django_assert_max_num_queries(2):
        assert lookup("Nghệ An có bao nhiêu dân năm 2019").answer is not None


# Pure matching ---------------------------------------------------------------------------------


def _key(pk: int, code: str, name: str, unit: str) -> IndicatorKey:
    return IndicatorKey(pk, code, name, tuple(words(name)), tuple(words(code)), unit)


KEYS = [
    _key(1, "dan-so", "Dân số", "người"),
    _key(2, "dien-tich", "Diện tích tự nhiên", "km²"),
    _key(3, "mat-do-dan-so", "Mật độ dân số", "người/km²"),
    _key(4, "so-ho", "Số hộ", "hộ"),
]


def _phrases() -> dict[str, list]:  # type: ignore[type-arg]
    by_word: dict[str, list] = {}  # type: ignore[type-arg]
    for position, key in enumerate(KEYS):
        for phrase in indicator_phrases(key, position):
            by_word.setdefault(phrase.words[0], []).append(phrase)
    return by_word


def test_a_unit_is_said_in_words():
    assert (("km2",), False) in unit_phrases("km²")
    assert (("km", "vuong"), False) in unit_phrases("km²")
    said = {phrase for phrase, strong in unit_phrases("người/km²") if strong}
    assert {("nguoi", "tren", "km2"), ("nguoi", "tren", "mot", "km2"), ("dan", "km2")} <= said
    assert unit_phrases("") == []


@pytest.mark.parametrize(
    "query,code",
    [
        ("mat do dan so", "mat-do-dan-so"),  # the longest name wins over "dân số" inside it
        ("bao nhieu nguoi tren mot km2", "mat-do-dan-so"),  # over "người" alone
        ("rong bao nhieu km2", "dien-tich"),
        ("co bao nhieu dan", "dan-so"),
        ("so ho", "so-ho"),  # an indicator without synonyms, by its name
        ("ho so", "so-ho"),  # and in another order
    ],
)
def test_the_indicator_is_the_longest_way_of_naming_one(query, code):
    choice = choose_indicator(words(query), _phrases(), KEYS, plain_words=True)
    assert choice is not None and choice.indicator.code == code


def test_plain_words_name_an_indicator_only_in_a_question():
    assert choose_indicator(["nguoi"], _phrases(), KEYS, plain_words=False) is None
    assert choose_indicator(["dan", "so"], _phrases(), KEYS, plain_words=False) is not None


def _place(pk: int, code: str, name: str, kind: str) -> PlaceKey:
    return PlaceKey(pk, code, " ".join(words(name)), kind, None, None)


PLACES = [
    _place(1, "40", "Nghệ An", PlaceKind.PROVINCE),
    _place(2, "412", "Vinh", PlaceKind.CITY),
    _place(3, "430", "Nam Đàn", PlaceKind.DISTRICT),
    _place(4, "17xxx", "Nam Đàn", PlaceKind.COMMUNE),
    _place(5, "16xxx", "Vinh Hưng", PlaceKind.WARD),
]


def _runs(query: str) -> list[tuple[int, int, list[str]]]:
    names: dict[str, list[tuple[tuple[str, ...], PlaceKey]]] = {}
    for place in PLACES:
        name_words = tuple(place.folded.split())
        names.setdefault(name_words[0], []).append((name_words, place))
    runs = find_place_runs(words(query), names, {p.code: p for p in PLACES})
    return [(r.start, r.end, sorted(p.code for p in r.places)) for r in runs]


def test_a_place_is_its_whole_name_with_the_kind_word_before_it():
    assert _runs("nam dan co bao nhieu dan") == [(0, 2, ["17xxx", "430"])]
    assert _runs("dan so huyen nam dan") == [(2, 5, ["430"])]
    assert _runs("dan so xa nam dan") == [(2, 5, ["17xxx"])]
    assert _runs("dan so vinh hung") == [(2, 4, ["16xxx"])]  # the longer name
    assert _runs("tp vinh") == [(0, 2, ["412"])]
    assert _runs("huyen vinh") == [(0, 2, ["412"])]  # no district Vinh: the name counts
    assert _runs("dan so 412") == [(2, 3, ["412"])]
    assert _runs("dan so 40 nam") == []  # a code counts from three digits
    assert _runs("vinh va nghe an") == [(0, 1, ["412"]), (2, 4, ["40"])]
