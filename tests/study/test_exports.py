"""Exports of the dashboard: the unit table as .xlsx and the summary report as a Party .docx.

Both answer 404 exactly where the dashboard does, and carry plan_progress's figures unchanged.
"""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from tinhuy.documents.numbers import format_number, format_percent
from tinhuy.documents.party_style import PARTY_STYLE
from tinhuy.documents.xlsx import Column, table_xlsx
from tinhuy.org.access import scope_for
from tinhuy.study import queries
from tinhuy.study.compliance import Status

MID_JANUARY = datetime.date(2021, 1, 15)
EXPORTS = ("study_unit_table_xlsx", "study_report_docx")


def _url(name: str, plan, **params: object) -> str:  # type: ignore[no-untyped-def]
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse(name, args=[plan.pk]) + (f"?{query}" if query else "")


# --- scope -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXPORTS)
def test_anonymous_citizen_is_sent_to_log_in(client_for, personas, plan_2020, name) -> None:
    response = client_for(personas.citizen).get(_url(name, plan_2020))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", EXPORTS)
@pytest.mark.parametrize(
    ("persona", "unit", "status"),
    [
        ("province_office", "province_2020", 200),
        ("province_office", "nghiloc", 200),
        ("board_member", "vinh", 200),
        ("vinh_officer", "vinh", 200),
        ("vinh_officer", "nghiloc", 404),
        ("vinh_officer", "province_2020", 404),
        ("nghiloc_officer", "nghiloc", 200),
        ("nghiloc_officer", "vinh", 404),
    ],
)
def test_exports_answer_404_outside_the_users_scope(
    client_for, personas, units, plan_2020, name, persona, unit, status
) -> None:
    client = client_for(getattr(personas, persona))
    response = client.get(_url(name, plan_2020, don_vi=getattr(units, unit).pk))
    assert response.status_code == status


@pytest.mark.parametrize("name", EXPORTS)
def test_the_vinh_officer_cannot_export_the_2025_plan(
    client_for, personas, plan_2025, name
) -> None:
    assert client_for(personas.vinh_officer).get(_url(name, plan_2025)).status_code == 404


@pytest.mark.parametrize("name", EXPORTS)
def test_a_bad_date_is_a_400(client_for, personas, plan_2020, name) -> None:
    response = client_for(personas.province_office).get(_url(name, plan_2020, ngay="31/02/2021"))
    assert response.status_code == 400


# --- the unit table as .xlsx -------------------------------------------------------------------


def _sheet(response):  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return load_workbook(io.BytesIO(response.content)).active


def test_xlsx_has_the_rows_of_plan_progress(client_for, personas, plan_2020, units) -> None:
    user = personas.province_office
    response = client_for(user).get(_url("study_unit_table_xlsx", plan_2020, ngay="15/01/2021"))
    sheet = _sheet(response)
    progress = queries.plan_progress(plan_2020, units.province_2020, scope_for(user), MID_JANUARY)
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Đơn vị"
    assert len(rows) - 1 == len(progress.rows)
    assert [row[0] for row in rows[1:]] == [r.name for r in progress.rows]
    # Units not due yet (nothing held, deadline ahead) and units whose people to reach are not
    # known have a blank, not a 0 nobody counted.
    assert [row[8] for row in rows[1:]] == [
        r.progress.people.expected
        if r.progress.is_due and not r.progress.expected_unknown
        else None
        for r in progress.rows
    ]
    assert [row[12] for row in rows[1:]] == [
        queries.EXPECTED_SOURCE_LABELS[r.progress.expected_source] for r in progress.rows
    ]


def test_xlsx_follows_the_pages_filters(client_for, personas, plan_2020) -> None:
    """Same filter, same rows: the late district committees Kỳ Sơn and Tương Dương."""
    response = client_for(personas.province_office).get(
        _url("study_unit_table_xlsx", plan_2020, ngay="15/01/2021", trang_thai="muon")
    )
    rows = list(_sheet(response).iter_rows(values_only=True))[1:]
    assert sorted(row[0] for row in rows) == ["Đảng bộ huyện Kỳ Sơn", "Đảng bộ huyện Tương Dương"]
    kyson = next(row for row in rows if row[0] == "Đảng bộ huyện Kỳ Sơn")
    assert kyson[5] == "Tổ chức muộn"
    assert kyson[6].date() == datetime.date(2021, 1, 5)  # a real date cell
    assert kyson[4].date() == datetime.date(2020, 12, 30)


def test_xlsx_for_the_vinh_officer_covers_vinh_only(client_for, personas, plan_2020) -> None:
    response = client_for(personas.vinh_officer).get(
        _url("study_unit_table_xlsx", plan_2020, ngay="15/01/2021")
    )
    names = {row[0] for row in list(_sheet(response).iter_rows(values_only=True))[1:]}
    assert "Đảng bộ thành phố Vinh" in names
    assert all("Vinh" in name for name in names)


def test_xlsx_helper_writes_a_bold_frozen_header_and_dd_mm_yyyy_dates() -> None:
    content = table_xlsx(
        [Column("Đơn vị", 40), Column("Ngày", 14, "date"), Column("Tỷ lệ", 10, "percent")],
        [["Đảng bộ huyện Nghi Lộc", datetime.date(2020, 12, 8), 0.969]],
        sheet_title="Tiến độ",
    )
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "Tiến độ"
    assert sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 40
    assert sheet["B2"].number_format == "dd/mm/yyyy"
    assert sheet["C2"].number_format == "0.0%"
    assert sheet["C2"].value == 0.969


# --- the summary report as .docx ---------------------------------------------------------------


def _report(client, plan, **params):  # type: ignore[no-untyped-def]
    response = client.get(_url("study_report_docx", plan, **params))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return Document(io.BytesIO(response.content))


def test_report_has_the_party_header_blocks(client_for, personas, plan_2020) -> None:
    document = _report(client_for(personas.province_office), plan_2020, ngay="15/01/2021")
    header = document.tables[0]
    assert header.rows[0].cells[0].text.split("\n") == ["ĐẢNG BỘ TỈNH NGHỆ AN", "TỈNH ỦY", "*"]
    assert header.rows[0].cells[1].text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert header.rows[1].cells[0].text == "Số     -BC/TU"
    assert header.rows[1].cells[1].text == "Nghệ An, ngày 15 tháng 01 năm 2021"
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "BÁO CÁO"
    assert paragraphs[1] == f"kết quả học tập, quán triệt {plan_2020.source_document}"


def test_report_for_vinh_is_issued_by_the_city_committee(client_for, personas, plan_2020) -> None:
    document = _report(client_for(personas.vinh_officer), plan_2020, ngay="15/01/2021")
    header = document.tables[0]
    assert header.rows[0].cells[0].text.split("\n") == [
        "ĐẢNG BỘ TỈNH NGHỆ AN",
        "THÀNH ỦY VINH",
        "*",
    ]
    assert header.rows[1].cells[0].text == "Số     -BC/TU"
    assert header.rows[1].cells[1].text == "Vinh, ngày 15 tháng 01 năm 2021"
    recipients = [p.text for p in document.tables[-1].rows[0].cells[0].paragraphs]
    assert recipients[-1] == "- Lưu Văn phòng Thành ủy."


def test_report_for_nghi_loc_is_issued_by_the_district_committee(
    client_for, personas, plan_2020
) -> None:
    document = _report(client_for(personas.nghiloc_officer), plan_2020, ngay="15/01/2021")
    left = document.tables[0].rows[0].cells[0].text.split("\n")
    assert left == ["ĐẢNG BỘ TỈNH NGHỆ AN", "HUYỆN ỦY NGHI LỘC", "*"]
    assert document.tables[0].rows[1].cells[0].text == "Số     -BC/HU"


def test_report_totals_equal_plan_progress(client_for, personas, plan_2020, units) -> None:
    """Every figure of the totals table is plan_progress's, in Vietnamese notation."""
    user = personas.board_member
    document = _report(client_for(user), plan_2020, ngay="15/01/2021")
    progress = queries.plan_progress(plan_2020, units.province_2020, scope_for(user), MID_JANUARY)
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Nội dung")
    header = [cell.text for cell in table.rows[0].cells]
    assert header == ["Nội dung", *(r.rule.level.name for r in progress.rules)]
    figures = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in table.rows[1:]}
    totals = [r.totals for r in progress.rules]
    assert figures["Số đơn vị phải thực hiện"] == [format_number(t.units) for t in totals]
    assert figures["Tổ chức muộn"] == [format_number(t.by_status[Status.HELD_LATE]) for t in totals]
    assert figures["Chưa tổ chức, đã quá hạn"] == [
        format_number(t.by_status[Status.MISSING]) for t in totals
    ]
    assert figures["Đã báo cáo kết quả"] == [format_number(t.reported) for t in totals]
    assert figures["Chưa đạt yêu cầu"] == [format_number(t.non_compliant) for t in totals]
    assert figures["Số người phải học tập"] == [format_number(t.people.expected) for t in totals]
    assert figures["Số người đã học tập (kể cả học bù)"] == [
        format_number(t.people.attended + t.people.made_up) for t in totals
    ]
    assert figures["Tỷ lệ"] == [format_percent(t.people.coverage) for t in totals]
    assert figures["Tổ chức muộn"][1] == "2"  # Kỳ Sơn and Tương Dương


def test_report_lists_late_missing_and_non_compliant_units(client_for, personas, plan_2020) -> None:
    document = _report(client_for(personas.province_office), plan_2020, ngay="15/01/2021")
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "TT")
    rows = {row.cells[1].text: row.cells[4].text for row in table.rows[1:]}
    assert rows == {
        "Đảng bộ huyện Anh Sơn": "Đã tổ chức đúng hạn, ngày 08/12/2020",
        "Đảng bộ huyện Kỳ Sơn": "Tổ chức muộn, ngày 05/01/2021",
        # The demo keeps no headcount on district-level committees (tinhuy.study.demo).
        "Đảng bộ huyện Quế Phong": "Chưa tổ chức (quá hạn), chưa rõ số người phải học",
        "Đảng bộ huyện Quỳ Châu": "Chưa tổ chức (quá hạn), chưa rõ số người phải học",
        "Đảng bộ huyện Tương Dương": "Tổ chức muộn, ngày 12/01/2021",
    }
    anh_son = next(row for row in table.rows if row.cells[1].text == "Đảng bộ huyện Anh Sơn")
    assert "Bí thư, Chủ tịch hoặc thủ trưởng" in anh_son.cells[5].text


def test_report_as_of_february_lists_missing_grassroots(client_for, personas, plan_2020) -> None:
    document = _report(client_for(personas.province_office), plan_2020, ngay="01/02/2021")
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "TT")
    grassroots = [row for row in table.rows[1:] if row.cells[2].text == "Cấp cơ sở"]
    assert grassroots
    assert {row.cells[4].text for row in grassroots} == {"Chưa tổ chức (quá hạn)"}


def test_report_has_sample_note_signature_and_recipients(client_for, personas, plan_2020) -> None:
    document = _report(client_for(personas.province_office), plan_2020, ngay="15/01/2021")
    paragraphs = [p.text for p in document.paragraphs]
    assert any("dữ liệu minh họa" in text for text in paragraphs)
    assert any("đến hết ngày 15/01/2021" in text for text in paragraphs)
    recipients, signature = document.tables[-1].rows[0].cells
    lines = [p.text for p in recipients.paragraphs]
    assert lines[0] == "Nơi nhận:"
    assert recipients.paragraphs[0].runs[0].underline
    assert "- Ban Tuyên giáo Trung ương," in lines  # its name in January 2021
    assert lines[-1] == "- Lưu Văn phòng Tỉnh ủy."
    assert [p.text for p in signature.paragraphs][:2] == ["T/M BAN THƯỜNG VỤ", "BÍ THƯ"]


def test_report_page_uses_times_new_roman_and_the_party_margins(
    client_for, personas, plan_2020
) -> None:
    document = _report(client_for(personas.province_office), plan_2020, ngay="15/01/2021")
    section = document.sections[0]
    for margin, expected in (
        (section.top_margin, PARTY_STYLE.margin_top_mm),
        (section.bottom_margin, PARTY_STYLE.margin_bottom_mm),
        (section.left_margin, PARTY_STYLE.margin_left_mm),
        (section.right_margin, PARTY_STYLE.margin_right_mm),
    ):
        assert margin is not None
        assert round(margin.mm, 1) == expected
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert section.different_first_page_header_footer


def test_report_is_in_vietnamese_even_for_an_english_reader(
    client_for, personas, plan_2020
) -> None:
    client = client_for(personas.province_office)
    client.cookies["django_language"] = "en"
    document = _report(client, plan_2020, ngay="15/01/2021")
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "TT")
    assert "Tổ chức muộn, ngày 05/01/2021" in [row.cells[4].text for row in table.rows]


@pytest.mark.parametrize("name", EXPORTS)
def test_export_query_count_is_bounded(
    client_for, personas, plan_2020, name, django_assert_max_num_queries
) -> None:
    """One plan_progress call, whatever the number of units."""
    client = client_for(personas.province_office)
    with django_assert_max_num_queries(18):
        assert client.get(_url(name, plan_2020, ngay="15/01/2021")).status_code == 200
