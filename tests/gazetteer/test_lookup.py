"""Figure look-up: "dân số Nghi Lộc 2019" → the figure from the latest edition, case by case.

The matching rules are tested on plain keys first (no database), then end to end on the
figures of ``test_figures.build_figures``: the population of Nghi Lộc (district) 2019–2020 and
of the commune Nghi Lộc in 2025, of Vinh (sample data) and Nghệ An, the area of Vinh and Nghệ An.
Everything here is public: the citizen asks, no login.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.gazetteer.test_figures import Figures, build_figures
from tinhuy.gazetteer.lookup import (
    IndicatorKey,
    PlaceKey,
    PlaceMatch,
    answer_for,
    best_indicator,
    choose_place,
    lookup,
    match_places,
    parse,
    words,
)
from tinhuy.gazetteer.models import PlaceKind

# These tests build their own figures and entries: start from a gazetteer without the demo.
pytestmark = pytest.mark.usefixtures("empty_gazetteer")

SAMPLE = "số liệu minh họa"


@pytest.fixture
def figures_data(personas) -> Figures:  # type: ignore[no-untyped-def]
    return build_figures(personas.editor)


# Pure matching ----------------------------------------------------------------------------------


def _indicator(pk: int, code: str, name: str) -> IndicatorKey:
    return IndicatorKey(pk, code, name, tuple(words(name)), tuple(words(code)))


INDICATORS = [
    _indicator(1, "dan-so", "Dân số"),
    _indicator(2, "mat-do-dan-so", "Mật độ dân số"),
    _indicator(3, "dan-so-thanh-thi", "Dân số thành thị"),
    _indicator(4, "dien-tich", "Diện tích"),
    _indicator(5, "dien-tich-dat-nong-nghiep", "Diện tích đất nông nghiệp"),
    _indicator(6, "grdp", "Tổng sản phẩm trên địa bàn"),
]


def _place(pk: int, code: str, name: str, kind: str, since=None, until=None) -> PlaceKey:  # type: ignore[no-untyped-def]
    return PlaceKey(pk, code, " ".join(words(name)), kind, since, until)


PLACES = [
    _place(1, "40", "Nghệ An", PlaceKind.PROVINCE),
    _place(2, "412", "Vinh", PlaceKind.CITY, until=2025),
    _place(3, "16xxx", "Vinh Hưng", PlaceKind.WARD, since=2025),
    _place(4, "16yyy", "Thành Vinh", PlaceKind.WARD, since=2025),
    _place(5, "429", "Nghi Lộc", PlaceKind.DISTRICT, until=2025),
    _place(6, "17zzz", "Nghi Lộc", PlaceKind.COMMUNE, since=2025),
    _place(7, "430", "Nam Đàn", PlaceKind.DISTRICT, until=2025),
    _place(8, "421", "Quỳnh Lưu", PlaceKind.DISTRICT, until=2025),
    _place(9, "18aaa", "Quỳnh Văn", PlaceKind.COMMUNE, since=2025),
]


@pytest.mark.parametrize(
    "query,year,rest",
    [
        ("dân số Nghi Lộc 2019", 2019, ["dan", "so", "nghi", "loc"]),
        ("2019 dan so vinh", 2019, ["dan", "so", "vinh"]),
        ("dan so vinh 20199", None, ["dan", "so", "vinh", "20199"]),  # not a year
        ("dan so vinh 1799", None, ["dan", "so", "vinh", "1799"]),  # before 1800
        ("dan so vinh 2101", None, ["dan", "so", "vinh", "2101"]),  # after 2100
        ("dan so 1800", 1800, ["dan", "so"]),
        ("dan so 2100", 2100, ["dan", "so"]),
        ("dan so 2019 2020", 2020, ["dan", "so", "2019"]),  # the last one
    ],
)
def test_a_four_digit_word_from_1800_to_2100_is_the_year(query, year, rest):
    assert parse(words(query)) == (year, rest)


@pytest.mark.parametrize(
    "query,code,rest",
    [
        ("dan so nghi loc", "dan-so", ["nghi", "loc"]),
        ("mat do dan so vinh", "mat-do-dan-so", ["vinh"]),  # more words matched wins the tie
        ("dan so thanh thi vinh", "dan-so-thanh-thi", ["vinh"]),
        ("dien tich vinh", "dien-tich", ["vinh"]),  # the shorter of two full matches
        ("dien tich dat nong nghiep vinh", "dien-tich-dat-nong-nghiep", ["vinh"]),
        ("grdp nghe an", "grdp", ["nghe", "an"]),  # by code
        ("nghe an dan so", "dan-so", ["nghe", "an"]),  # in any order
        ("nam dan dan so", "dan-so", ["nam", "dan"]),  # the name as a run, not the first "dan"
    ],
)
def test_the_indicator_is_the_best_match_of_its_name(query, code, rest):
    match = best_indicator(words(query), INDICATORS)
    assert match is not None
    assert (match.indicator.code, match.rest) == (code, rest)


@pytest.mark.parametrize("query", ["nam dan", "vinh", "nghe an", "so", "phan boi chau", ""])
def test_one_stray_word_of_a_name_is_no_indicator(query):
    """ "nam dan" shares "dan" with "Dân số": a search for Nam Đàn is not a figure question."""
    assert best_indicator(words(query), INDICATORS) is None


@pytest.mark.parametrize(
    "query,codes,exact",
    [
        ("vinh", ["412"], True),  # exact before prefix: not Vinh Hưng
        ("vinh h", ["16xxx"], False),  # a prefix
        ("nghi loc", ["429", "17zzz"], True),  # two places share the name
        ("huyen nghi loc", ["429"], True),  # the kind word narrows it
        ("xa nghi loc", ["17zzz"], True),
        ("tp vinh", ["412"], True),
        ("thanh pho vinh", ["412"], True),
        ("nghe an", ["40"], True),
        ("tinh nghe an", ["40"], True),
        ("tinh", ["40"], True),  # the province
        ("412", ["412"], True),  # a code
        ("quynh", ["421", "18aaa"], False),
        ("luu", ["421"], False),  # a later word of the name
        ("cua huyen nghi loc", ["429"], True),  # fillers are dropped when nothing matches
        ("nam dan", ["430"], True),  # but "nam" is not dropped when it is part of a name
        ("ha noi", [], False),
    ],
)
def test_places_match_exactly_first_then_by_prefix(query, codes, exact):
    match = match_places(words(query), PLACES)
    assert sorted(p.code for p in match.places) == sorted(codes)
    if codes:
        assert match.exact is exact


def test_of_places_sharing_a_name_the_one_with_the_figure_that_year_is_chosen():
    """Huyện Nghi Lộc has 2019, Xã Nghi Lộc 2025: each year picks its own place."""
    match = PlaceMatch([PLACES[4], PLACES[5]], True)
    years = {5: {2019, 2020}, 6: {2025}}
    assert choose_place(match, years, 2019).code == "429"
    assert choose_place(match, years, 2025).code == "17zzz"
    assert choose_place(match, years, 2021) is None
    # Without a year: each candidate at its latest year, the one that existed then; both did,
    # so the higher level.
    assert choose_place(match, years, None).code == "429"


def test_a_prefix_matching_two_names_with_figures_is_not_guessed():
    match = PlaceMatch([PLACES[7], PLACES[8]], False)
    assert choose_place(match, {8: {2019}, 9: {2025}}, None) is None
    assert choose_place(match, {8: {2019}}, None).code == "421"


# End to end -------------------------------------------------------------------------------------


def test_dan_so_nghi_loc_2019_answers_with_value_unit_source_and_edition(figures_data):
    result = lookup("dân số Nghi Lộc 2019")
    answer = result.answer
    assert answer is not None and result.suggestions is None
    assert answer.value == Decimal("225000.5")
    assert answer.value_display == "225.000,5"
    assert (answer.unit, answer.year) == ("người", 2019)
    assert (answer.place_code, answer.place_name) == ("429", "Huyện Nghi Lộc")
    assert (answer.indicator_code, answer.indicator_name) == ("dan-so", "Dân số")
    assert answer.source == "Niên giám thống kê tỉnh Nghệ An 2020"
    assert answer.is_sample is False
    assert answer.edition_year == figures_data.latest.year  # not the older edition's 200.000
    assert answer.series_url == reverse(
        "gazetteer_indicator", args=[figures_data.latest.year, "dan-so"]
    )


def test_dien_tich_vinh_without_marks_is_the_city_not_vinh_hung(figures_data):
    answer = answer_for("dien tich Vinh")
    assert answer is not None
    assert (answer.place_name, answer.value, answer.unit) == (
        "Thành phố Vinh",
        Decimal("104.96"),
        "km²",
    )


@pytest.mark.parametrize(
    "query",
    ["DÂN SỐ NGHỆ AN", "dan so nghe an", "dân số tỉnh Nghệ An", "dân số tỉnh", "Dân số  Nghệ An"],
)
def test_capitals_marks_and_the_word_tinh_all_name_the_province(figures_data, query):
    answer = answer_for(query)
    assert answer is not None
    assert (answer.place_code, answer.year) == ("40", 2020)


def test_without_a_year_the_latest_year_with_data_answers(figures_data):
    answer = answer_for("dân số huyện Nghi Lộc")
    assert answer is not None
    assert (answer.year, answer.value) == (2020, Decimal("226100"))


def test_nghi_loc_in_2025_is_the_commune(figures_data):
    answer = answer_for("dan so nghi loc 2025")
    assert answer is not None
    assert answer.place_name == "Xã Nghi Lộc"


def test_decomposed_input_and_the_indicator_code_also_answer(figures_data):
    import unicodedata

    assert answer_for(unicodedata.normalize("NFD", "dân số Nghi Lộc 2019")) is not None
    assert answer_for("dan-so 429 2019").value == Decimal("225000.5")  # type: ignore[union-attr]


def test_a_sample_figure_says_so(figures_data):
    answer = answer_for("dân số Vinh 2019")
    assert answer is not None and answer.is_sample is True and answer.source == ""


@pytest.mark.parametrize(
    "query,message,indicators,places,years",
    [
        ("dân số Hà Nội", "Không có địa danh “Hà Nội”", ["dan-so"], [], [2025, 2020, 2019]),
        ("dân số Vinh 1990", "năm 1990", ["dan-so"], ["412"], [2019]),
        ("dân số", "của địa danh nào", ["dan-so"], ["40", "429", "412"], [2025, 2020, 2019]),
        ("GDP Nghi Lộc", "Chưa nhận ra chỉ tiêu", [], ["429"], [2025, 2020, 2019]),
        ("dien tich nghi loc", "chưa có số liệu", ["dien-tich"], ["429"], [2019]),
        # An indicator without figures in the edition is recognised (not read as "dân số") but
        # not suggested: it has no page to link to.
        (
            "mật độ dân số Vinh",
            "chưa có số liệu “Mật độ dân số”",
            ["dan-so"],
            [],
            [2025, 2020, 2019],
        ),
    ],
)
def test_no_answer_gives_suggestions(figures_data, query, message, indicators, places, years):
    """What was recognised, what partly matched, and the years there are figures for."""
    result = lookup(query)
    assert result.answer is None
    suggestions = result.suggestions
    assert suggestions is not None
    assert message in suggestions.message
    codes = [link.code for link in suggestions.indicators]
    assert codes[: len(indicators)] == indicators
    assert "mat-do-dan-so" not in codes
    place_codes = {link.code for link in suggestions.places}
    assert set(places) <= place_codes
    assert suggestions.years == years


@pytest.mark.parametrize(
    "query", ["Phan Bội Châu", "nam dan", "nghe an", "", "   ", "*", '"', "😀", "a" * 10_000]
)
def test_an_ordinary_search_has_no_answer_box(figures_data, query):
    assert answer_for(query) is None


def test_lookup_page_shows_the_answer_box_with_the_badge(figures_data, client):
    response = client.get(reverse("gazetteer_lookup"), {"q": "dan so vinh 2019"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "339.114" in text and SAMPLE in text
    assert reverse("gazetteer_indicator", args=[figures_data.latest.year, "dan-so"]) in text
    assert f"Ấn bản {figures_data.latest.year}" in text


def test_lookup_page_shows_suggestions_and_survives_junk(figures_data, client):
    response = client.get(reverse("gazetteer_lookup"), {"q": "dân số Hà Nội"})
    assert response.status_code == 200
    assert 'id="gz-suggestions"' in response.content.decode()
    for junk in ['"', "*", "😀", "a" * 10_000, "\x00", "dan so 99999999999999999999"]:
        expected = 400 if "\x00" in junk else 200  # NUL: refused by tinhuy.middleware
        assert client.get(reverse("gazetteer_lookup"), {"q": junk}).status_code == expected
    assert client.get(reverse("gazetteer_lookup")).status_code == 200


def test_a_look_up_runs_a_fixed_number_of_queries(figures_data, django_assert_max_num_queries):
    """Edition, indicators, places, figures: four queries; an ordinary search two."""
    with django_assert_max_num_queries(4):
        assert answer_for("dân số Nghi Lộc 2019") is not None
    with django_assert_max_num_queries(2):
        assert answer_for("Phan Bội Châu") is None
    with django_assert_max_num_queries(6):
        assert lookup("dân số Hà Nội").answer is None


def test_suggestions_read_an_indicators_figures_once(figures_data, django_assert_num_queries):
    """The places and years of an indicator's figures are kept with the catalogue: asked again
    (about it, or in other words), a question without an answer reads only the edition."""
    first = lookup("dân số")
    with django_assert_num_queries(1):
        again = lookup("dan so")
    assert again.suggestions == first.suggestions
    assert first.suggestions is not None and first.suggestions.years == [2025, 2020, 2019]


def test_before_any_edition_there_is_nothing_to_answer(db):
    from tinhuy.gazetteer.models import Edition

    if Edition.objects.exists():
        pytest.skip("the database already holds an edition")
    assert answer_for("dân số Nghi Lộc 2019") is None
    assert "Chưa có ấn bản" in lookup("dân số Nghi Lộc 2019").suggestions.message  # type: ignore[union-attr]


# The catalogue cache ----------------------------------------------------------------------------


def test_a_warm_look_up_reads_only_the_edition_and_the_figures(
    figures_data, django_assert_max_num_queries
):
    """Indicators and places come from the cache after the first question of an edition."""
    assert answer_for("dân số Nghi Lộc 2019") is not None
    with django_assert_max_num_queries(2):
        assert answer_for("diện tích Vinh") is not None


def test_saving_an_indicator_retires_the_cached_catalogue(figures_data, personas):
    """The editor changes the unit of "Dân số": the next answer carries the new unit."""
    from tinhuy.gazetteer.actions import do_save_indicator

    assert answer_for("dân số Vinh 2019").unit == "người"  # type: ignore[union-attr]
    population = figures_data.population
    do_save_indicator(
        population.code,
        population.name,
        "nghìn người",
        population.definition,
        acting_user=personas.editor,
    )
    assert answer_for("dân số Vinh 2019").unit == "nghìn người"  # type: ignore[union-attr]


def test_loading_places_retires_the_cached_catalogue(figures_data, personas):
    """A place created after the catalogue was cached is found by the next question."""
    from tinhuy.gazetteer.actions import do_load_places
    from tinhuy.gazetteer.models import Place

    place = Place.objects.filter(kind=PlaceKind.COMMUNE, observations__isnull=True).first()
    assert place is not None
    name, code = place.name, place.code
    place.delete()  # as if the places were loaded before this commune existed
    assert "Không có địa danh" in lookup(f"dân số {name}").suggestions.message  # type: ignore[union-attr]
    assert do_load_places(acting_user=personas.editor) == 1
    suggestions = lookup(f"dân số {name}").suggestions
    assert "Không có địa danh" not in suggestions.message  # type: ignore[union-attr]
    assert code in [link.code for link in suggestions.places]  # type: ignore[union-attr]


def test_a_save_in_another_process_retires_this_processs_cache(figures_data):
    """The key holds the counter stored in the database: a save made by another process
    (here: the counter moved, the unit changed, nothing said to this process) is seen."""
    from django.db.models import F

    from tinhuy.gazetteer.models import CatalogueVersion, Indicator

    assert answer_for("dân số Vinh 2019").unit == "người"  # type: ignore[union-attr]
    Indicator.objects.filter(code="dan-so").update(unit="người (ước)")
    assert answer_for("dân số Vinh 2019").unit == "người"  # type: ignore[union-attr]  # cached
    CatalogueVersion.objects.update(value=F("value") + 1)
    assert answer_for("dân số Vinh 2019").unit == "người (ước)"  # type: ignore[union-attr]


def test_publishing_an_edition_answers_from_it_at_once(figures_data, personas):
    from tinhuy.gazetteer.actions import ObservationSpec, do_publish_edition, do_save_observations

    before = answer_for("dân số Vinh 2019")
    assert before is not None and before.value == Decimal("339114")
    do_save_observations(
        [
            ObservationSpec(
                figures_data.population,
                figures_data.vinh,
                2019,
                Decimal("340000"),
                source="Niên giám",
            )
        ],
        acting_user=personas.editor,
    )
    edition = do_publish_edition(
        figures_data.latest.year + 1, title="Ấn bản mới", acting_user=personas.editor
    )
    after = answer_for("dân số Vinh 2019")
    assert after is not None
    assert (after.value, after.edition_year) == (Decimal("340000"), edition.year)
