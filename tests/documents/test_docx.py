"""The Party-document renderer: naming of the issuing body, header blocks, page, fonts, closing."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import translation
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Length, Pt

from tinhuy.documents import docx
from tinhuy.documents.numbers import format_number, format_percent
from tinhuy.documents.party_style import PARTY_STYLE, PartyStyle

PROVINCE = "Đảng bộ tỉnh Nghệ An"


@pytest.mark.parametrize(
    ("name", "parent", "superior", "issuing", "symbol", "committee"),
    [
        (PROVINCE, None, "ĐẢNG BỘ TỈNH NGHỆ AN", "TỈNH ỦY", "TU", "Tỉnh ủy"),
        ("Đảng bộ thành phố Vinh", PROVINCE, "ĐẢNG BỘ TỈNH NGHỆ AN", "THÀNH ỦY VINH", "TU",
         "Thành ủy Vinh"),
        ("Đảng bộ huyện Nghi Lộc", PROVINCE, "ĐẢNG BỘ TỈNH NGHỆ AN", "HUYỆN ỦY NGHI LỘC", "HU",
         "Huyện ủy Nghi Lộc"),
        ("Đảng bộ thị xã Cửa Lò", PROVINCE, "ĐẢNG BỘ TỈNH NGHỆ AN", "THỊ ỦY CỬA LÒ", "TU",
         "Thị ủy Cửa Lò"),
        ("Đảng bộ Khối các cơ quan tỉnh", PROVINCE, "ĐẢNG BỘ TỈNH NGHỆ AN",
         "ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH", "ĐU", "Đảng ủy Khối các cơ quan tỉnh"),
        ("Đảng bộ xã Anh Sơn", PROVINCE, "ĐẢNG BỘ TỈNH NGHỆ AN", "ĐẢNG ỦY XÃ ANH SƠN", "ĐU",
         "Đảng ủy xã Anh Sơn"),
        ("Chi bộ số 01", "Đảng bộ huyện Nghi Lộc", "ĐẢNG BỘ HUYỆN NGHI LỘC",
         "BAN THƯỜNG VỤ CHI BỘ SỐ 01", "", "Chi bộ số 01"),
    ],
)  # fmt: skip
def test_issuing_body_is_derived_from_the_unit_name(
    name: str, parent: str | None, superior: str, issuing: str, symbol: str, committee: str
) -> None:
    """The committee that issues for a Party organisation, in capitals, under its superior."""
    body = docx.issuing_body(name, parent)
    assert (body.superior, body.name, body.symbol, body.committee) == (
        superior,
        issuing,
        symbol,
        committee,
    )


def test_a_district_committee_archives_in_its_own_office_and_reports_to_the_province() -> None:
    body = docx.issuing_body("Đảng bộ huyện Nghi Lộc", PROVINCE)
    assert body.superior_committee == "Tỉnh ủy"
    assert body.place == "Nghi Lộc"
    assert docx.recipient_lines(["Các tổ chức đảng trực thuộc"], body) == [
        "- Các tổ chức đảng trực thuộc,",
        "- Lưu Văn phòng Huyện ủy.",
    ]


def test_number_line_leaves_a_blank_for_the_office_when_there_is_no_number() -> None:
    province = docx.issuing_body(PROVINCE, None)
    assert docx.number_line("15-KH/TU", document_symbol="KH", body=province) == "Số 15-KH/TU"
    assert docx.number_line("", document_symbol="BC", body=province) == "Số     -BC/TU"
    district = docx.issuing_body("Đảng bộ huyện Nghi Lộc", PROVINCE)
    assert docx.number_line("", document_symbol="BC", body=district) == "Số     -BC/HU"


def test_place_date_line_writes_day_and_month_with_two_digits() -> None:
    assert (
        docx.place_date_line("Nghệ An", datetime.date(2021, 1, 15))
        == "Nghệ An, ngày 15 tháng 01 năm 2021"
    )
    assert (
        docx.place_date_line("Nghệ An", datetime.date(2020, 10, 29))
        == "Nghệ An, ngày 29 tháng 10 năm 2020"
    )


def test_the_propaganda_board_is_named_as_it_was_on_the_documents_date() -> None:
    assert docx.propaganda_board("Trung ương", datetime.date(2021, 1, 15)) == (
        "Ban Tuyên giáo Trung ương"
    )
    assert docx.propaganda_board("Trung ương", datetime.date(2025, 11, 1)) == (
        "Ban Tuyên giáo và Dân vận Trung ương"
    )


def test_numbers_use_vietnamese_separators_whatever_the_readers_language() -> None:
    """Documents write figures with ``tinhuy.documents.numbers``: dots group thousands, a
    comma before the decimals, even for a reader of the English site."""
    with translation.override("en"):
        assert format_number(1234567) == "1.234.567"
        assert format_number(1234.5, 1) == "1.234,5"
        assert format_percent(0.969) == "96,9%"
        assert format_percent(None) == "—"


def _mm(length: Length | None) -> float:
    """Millimetres to 0.1 mm: Word stores lengths in twentieths of a point."""
    assert length is not None
    return round(length.mm, 1)


def _render(style: PartyStyle = PARTY_STYLE) -> bytes:
    body = docx.issuing_body(PROVINCE, None)
    document = docx.PartyDocument(
        body=body,
        number=docx.number_line("15-KH/TU", document_symbol="KH", body=body),
        place_date=docx.place_date_line("Nghệ An", datetime.date(2020, 10, 29)),
        document_type="Kế hoạch",
        summary="tổ chức học tập, quán triệt Nghị quyết",
        style=style,
    )
    document.heading("I. MỤC ĐÍCH, YÊU CẦU")
    document.paragraph("Nội dung của kế hoạch.")
    document.table(["Cấp", "Số đơn vị"], [["Cấp tỉnh", "1"], ["Cấp huyện", "23"]])
    return document.close(
        signature=docx.Signature(name="Nguyễn Văn A"),
        recipients=docx.recipient_lines(["Các đảng bộ trực thuộc"], body),
    )


def test_header_blocks_carry_the_issuing_body_the_party_title_number_and_date() -> None:
    document = Document(io.BytesIO(_render()))
    header = document.tables[0]
    left, right = (cell.text.split("\n") for cell in header.rows[0].cells)
    assert left == ["ĐẢNG BỘ TỈNH NGHỆ AN", "TỈNH ỦY", "*"]
    assert right == ["ĐẢNG CỘNG SẢN VIỆT NAM"]
    issuing_run = header.rows[0].cells[0].paragraphs[1].runs[0]
    assert issuing_run.bold
    party_run = header.rows[0].cells[1].paragraphs[0].runs[0]
    assert party_run.bold and party_run.underline
    assert party_run.font.size == Pt(PARTY_STYLE.party_title_pt)
    number, date = header.rows[1].cells
    assert number.text == "Số 15-KH/TU"
    assert date.text == "Nghệ An, ngày 29 tháng 10 năm 2020"
    assert date.paragraphs[0].runs[0].italic


def test_document_type_and_summary_are_centred_and_bold() -> None:
    paragraphs = Document(io.BytesIO(_render())).paragraphs
    kind, summary = paragraphs[0], paragraphs[1]
    assert kind.text == "KẾ HOẠCH"
    assert summary.text == "tổ chức học tập, quán triệt Nghị quyết"
    for paragraph in (kind, summary):
        assert paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER
        assert paragraph.runs[0].bold


def test_body_paragraphs_are_justified_at_the_body_size() -> None:
    paragraphs = Document(io.BytesIO(_render())).paragraphs
    body = next(p for p in paragraphs if p.text == "Nội dung của kế hoạch.")
    assert body.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert body.runs[0].font.size == Pt(14)


def test_page_is_a4_with_the_party_margins_and_times_new_roman() -> None:
    """A4 portrait, margins 25/25/35/15 mm (top, bottom, left, right), Times New Roman."""
    document = Document(io.BytesIO(_render()))
    section = document.sections[0]
    assert (_mm(section.page_width), _mm(section.page_height)) == (210, 297)
    assert _mm(section.top_margin) == PARTY_STYLE.margin_top_mm == 25
    assert _mm(section.bottom_margin) == PARTY_STYLE.margin_bottom_mm == 25
    assert _mm(section.left_margin) == PARTY_STYLE.margin_left_mm == 35
    assert _mm(section.right_margin) == PARTY_STYLE.margin_right_mm == 15
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == fonts.get(qn("w:cs")) == "Times New Roman"
    # No run names another font.
    runs = [run for p in document.paragraphs for run in p.runs]
    runs += [run for t in document.tables for c in t._cells for p in c.paragraphs for run in p.runs]
    assert {run.font.name for run in runs} <= {None, "Times New Roman"}


def test_an_office_can_change_the_margins_in_the_style_module() -> None:
    style = PartyStyle(margin_left_mm=30, margin_right_mm=20)
    section = Document(io.BytesIO(_render(style))).sections[0]
    assert (_mm(section.left_margin), _mm(section.right_margin)) == (30, 20)


def test_page_numbers_start_on_page_two_at_the_top_centre() -> None:
    """A PAGE field in the header; the first page has its own, empty header."""
    section = Document(io.BytesIO(_render())).sections[0]
    assert section.different_first_page_header_footer
    assert section.first_page_header.paragraphs[0].text == ""
    header = section.header.paragraphs[0]
    assert header.alignment == WD_ALIGN_PARAGRAPH.CENTER
    instructions = header._p.findall(".//" + qn("w:instrText"))
    assert [i.text.strip() for i in instructions] == ["PAGE"]


def test_body_tables_have_a_bold_header_row_that_repeats() -> None:
    table = Document(io.BytesIO(_render())).tables[1]
    assert [c.text for c in table.rows[0].cells] == ["Cấp", "Số đơn vị"]
    assert table.rows[0].cells[0].paragraphs[0].runs[0].bold
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert [c.text for c in table.rows[2].cells] == ["Cấp huyện", "23"]


def test_closing_has_recipients_left_and_the_signature_block_right() -> None:
    closing = Document(io.BytesIO(_render())).tables[-1]
    recipients, signature = closing.rows[0].cells
    heading = recipients.paragraphs[0]
    assert heading.text == "Nơi nhận:"
    assert heading.runs[0].underline
    assert [p.text for p in recipients.paragraphs[1:]] == [
        "- Các đảng bộ trực thuộc,",
        "- Lưu Văn phòng Tỉnh ủy.",
    ]
    lines = [p.text for p in signature.paragraphs]
    assert lines[:2] == ["T/M BAN THƯỜNG VỤ", "BÍ THƯ"]
    assert lines[-1] == "Nguyễn Văn A"
    assert lines[2:-1] == [""] * PARTY_STYLE.signature_blank_lines  # room for the seal
    assert signature.paragraphs[-1].runs[0].bold
