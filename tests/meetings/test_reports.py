"""The files of the meetings module: the disposition table (.docx landscape and .xlsx) and the
conclusion notice (.docx), each in the Party format with its mandatory parts."""

from __future__ import annotations

import datetime
import io
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.table import Table
from python_calamine import CalamineWorkbook

from tinhuy.documents.docx import PARTY_TITLE
from tinhuy.meetings import actions, reports
from tinhuy.meetings.actions import FollowUpSpec, MemberSpec
from tinhuy.meetings.models import DispositionKind, Draft, DraftVersion, Meeting, Outcome
from tinhuy.org.actions import do_add_person
from tinhuy.register.actions import do_issue
from tinhuy.register.queries import body_for_unit

from .conftest import Board

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://example.com/x","Bấm vào đây")'


@dataclass
class Heard:
    version: DraftVersion
    meeting: Meeting
    item: Any
    general: Any  # an opinion on the whole draft
    anchored: Any  # lines 6–7, with a proposed wording
    formula: Any  # line 5, a text starting with "="


@pytest.fixture
def heard(draft: Draft, board: Board, personas: Any, units: Any, meeting_day: Any) -> Heard:
    """Version 1 on the agenda of a meeting with an absent member, three opinions on it."""
    version = actions.do_submit_version(draft, acting_user=board.officer)
    an, binh, cuong = board.members
    meeting = actions.do_create_meeting(
        body=units.province_2020,
        date=meeting_day,
        presiding=an,
        members=[
            MemberSpec(an),
            MemberSpec(binh),
            MemberSpec(cuong, present=False, absence_reason="Đi công tác Trung ương"),
        ],
        guests="Lãnh đạo Sở Văn hóa và Thể thao",
        acting_user=personas.province_office,
    )
    item = actions.do_add_item(meeting, draft, acting_user=personas.province_office)
    anchored = actions.do_give_opinion(
        version,
        text="Bổ sung yêu cầu công khai cho Nhân dân.",
        line_from=6,
        line_to=7,
        proposed_text="2. Số hóa, công khai để Nhân dân truy cập, tìm số liệu.",
        author_name="Trần Thị Bình",
        acting_user=personas.board_member,
    )
    formula = actions.do_give_opinion(
        version,
        text=FORMULA,
        line_from=5,
        line_to=5,
        author_name="Lê Văn Cường",
        acting_user=personas.board_member,
    )
    general = actions.do_give_opinion(
        version,
        text="Nêu rõ lộ trình, thời gian thực hiện.",
        author_name="Nguyễn Văn An",
        acting_user=personas.board_member,
    )
    return Heard(version, meeting, item, general, anchored, formula)


def _open(data: bytes) -> Any:
    return Document(io.BytesIO(data))


def _cell_lines(cell: Any) -> list[str]:
    return [p.text for p in cell.paragraphs]


def _all_text(document: Any) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                parts += _cell_lines(cell)
    return "\n".join(parts)


def _check_header(document: Any, *, superior: str, name: str, number: str, date: str) -> None:
    """Issuing body (superior, the body in bold capitals, "*") and number on the left; the Party
    title and the place-date line in italics on the right."""
    header: Table = document.tables[0]
    left, right = header.rows[0].cells
    assert _cell_lines(left) == [superior, name, "*"]
    assert all(run.bold for run in left.paragraphs[1].runs)
    assert right.paragraphs[0].text == PARTY_TITLE
    number_cell, date_cell = header.rows[1].cells
    assert number_cell.text == number
    assert date_cell.text == date
    assert all(run.italic for run in date_cell.paragraphs[0].runs)


def _signature(document: Any) -> tuple[list[str], list[str]]:
    """(recipients, signature block) of the closing table."""
    left, right = document.tables[-1].rows[0].cells
    return _cell_lines(left), [line for line in _cell_lines(right) if line]


# --- the disposition table (.docx) -------------------------------------------------------------


def test_the_disposition_table_is_a_landscape_party_document_with_rows_in_line_order(
    heard: Heard, board: Board
) -> None:
    actions.do_dispose(heard.general, kind=DispositionKind.ACCEPTED, acting_user=board.officer)
    actions.do_dispose(
        heard.anchored,
        kind=DispositionKind.PARTLY,
        explanation="Bổ sung công khai; giữ nguyên cách viết số hóa.",
        acting_user=board.officer,
    )
    # heard.formula is left unanswered: the page offers the download at any time.
    document = _open(reports.disposition_table_docx(heard.version))

    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)
    today = timezone.localdate()
    _check_header(
        document,
        superior="TỈNH ỦY NGHỆ AN",
        name="BAN TUYÊN GIÁO",
        number="",
        date=f"Nghệ An, ngày {today:%d} tháng {today:%m} năm {today:%Y}",
    )
    texts = [p.text for p in document.paragraphs]
    assert "BẢNG TỔNG HỢP, TIẾP THU, GIẢI TRÌNH Ý KIẾN GÓP Ý" in texts
    assert "vào dự thảo Kế hoạch triển khai Đề án Địa chí Nghệ An" in texts
    assert "(Dự thảo lần trình 1)" in texts
    assert any("tại phiên họp ngày 29/10/2020" in text for text in texts)

    table: Table = document.tables[1]
    header = [cell.text for cell in table.rows[0].cells]
    assert header == [
        "TT",
        "Phần của dự thảo",
        "Nội dung ý kiến",
        "Đồng chí / cơ quan góp ý",
        "Tiếp thu, giải trình",
    ]
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    assert [row[0] for row in rows] == ["1", "2", "3"]
    # The opinion on the whole draft first, then by line.
    assert [row[1].split("\n")[0] for row in rows] == ["Ý kiến chung", "Dòng 5", "Dòng 6–7"]
    assert [row[3] for row in rows] == ["Nguyễn Văn An", "Lê Văn Cường", "Trần Thị Bình"]
    general, formula, anchored = rows
    assert general[4] == "Tiếp thu"
    assert "“1. Biên soạn khoa học, có hệ thống, có sử liệu.”" in formula[1]
    assert formula[2] == FORMULA  # a Word document runs no formula: the text as typed
    assert formula[4] == "Chưa tiếp thu, giải trình"
    assert "“2. Số hóa để thuận tiện truy cập, tìm số liệu." in anchored[1]
    assert "Đề nghị sửa thành: “2. Số hóa, công khai để Nhân dân" in anchored[2]
    assert anchored[4].split("\n") == [
        "Tiếp thu một phần",
        "Bổ sung công khai; giữ nguyên cách viết số hóa.",
    ]
    # The label of each answer is bold; an unanswered opinion reads in italics.
    answer = table.rows[3].cells[4].paragraphs[0].runs
    assert answer[0].text == "Tiếp thu một phần" and answer[0].bold
    assert all(run.italic for run in table.rows[2].cells[4].paragraphs[0].runs)
    # Signed by the drafting body; no "Nơi nhận:" (the table travels with the draft).
    recipients, signature = _signature(document)
    assert "Nơi nhận:" not in recipients
    assert signature == ["T/M BAN TUYÊN GIÁO"]


def test_the_table_sent_with_the_revised_version_says_where_each_change_was_made(
    heard: Heard, board: Board, draft: Draft, personas: Any
) -> None:
    officer = board.officer
    actions.do_dispose(heard.general, kind=DispositionKind.ACCEPTED, acting_user=officer)
    actions.do_dispose(
        heard.anchored, kind=DispositionKind.PARTLY, explanation="Một phần.", acting_user=officer
    )
    actions.do_dispose(
        heard.formula,
        kind=DispositionKind.NOT_ACCEPTED,
        explanation="Giữ nguyên: đã nêu ở mục II.",
        acting_user=officer,
    )
    actions.do_save_text(draft, text=draft.text + "\n4. Công khai.", acting_user=officer)
    revised = actions.do_submit_version(draft, acting_user=officer)
    document = _open(
        reports.disposition_table_docx(heard.version, position="Trưởng ban", signer="Hoàng Văn Đức")
    )
    day = timezone.localdate(revised.submitted_at)
    assert document.tables[0].rows[1].cells[1].text.endswith(f"năm {day:%Y}")
    assert "(Kèm theo dự thảo lần trình 2)" in [p.text for p in document.paragraphs]
    rows = [[cell.text for cell in row.cells] for row in document.tables[1].rows[1:]]
    assert rows[0][4].split("\n") == ["Tiếp thu", "Đã sửa ở lần trình 2."]
    assert rows[1][4].split("\n") == ["Giải trình, không tiếp thu", "Giữ nguyên: đã nêu ở mục II."]
    assert rows[2][4].split("\n") == ["Tiếp thu một phần", "Một phần.", "Đã sửa ở lần trình 2."]
    assert _signature(document)[1] == ["T/M BAN TUYÊN GIÁO", "TRƯỞNG BAN", "Hoàng Văn Đức"]
    _header, *sheet = _xlsx_rows(reports.disposition_table_xlsx(heard.version))
    assert [(row[7], row[9]) for row in sheet] == [
        ("Tiếp thu", 2),
        ("Giải trình, không tiếp thu", ""),
        ("Tiếp thu một phần", 2),
    ]


def test_a_version_without_opinions_says_so(draft: Draft, board: Board) -> None:
    version = actions.do_submit_version(draft, acting_user=board.officer)
    document = _open(reports.disposition_table_docx(version))
    assert len(document.tables) == 2  # header and closing: no empty table
    assert any("chưa có ý kiến góp ý nào" in p.text for p in document.paragraphs)


def test_sample_data_is_marked_as_such(
    draft: Draft, board: Board, personas: Any, heard: Heard
) -> None:
    assert "minh họa" not in "\n".join(
        p.text for p in _open(reports.disposition_table_docx(heard.version)).paragraphs
    )
    actions.do_give_opinion(
        heard.version,
        text="Ý kiến minh họa.",
        is_sample=True,
        author_name="Nguyễn Văn An",
        acting_user=personas.board_member,
    )
    texts = [p.text for p in _open(reports.disposition_table_docx(heard.version)).paragraphs]
    assert any(text.startswith("Ghi chú:") and "dữ liệu minh họa" in text for text in texts)
    _header, *sheet = _xlsx_rows(reports.disposition_table_xlsx(heard.version))
    assert [row[10] for row in sheet] == ["", "x", "", ""]  # the two general ones first


def test_the_disposition_table_reads_a_fixed_number_of_queries(
    heard: Heard, personas: Any, board: Board
) -> None:
    with CaptureQueriesContext(connection) as few:
        reports.disposition_table_docx(DraftVersion.objects.get(pk=heard.version.pk))
    for n in range(5):
        actions.do_give_opinion(
            heard.version,
            text=f"Ý kiến {n}.",
            line_from=1,
            line_to=2,
            author_name="Trần Thị Bình",
            acting_user=personas.board_member,
        )
    actions.do_dispose(heard.general, kind=DispositionKind.ACCEPTED, acting_user=board.officer)
    with CaptureQueriesContext(connection) as more:
        reports.disposition_table_docx(DraftVersion.objects.get(pk=heard.version.pk))
    assert len(more) == len(few) == 8


# --- the disposition table (.xlsx) -------------------------------------------------------------


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return workbook.get_sheet_by_index(0).to_python()


def test_the_workbook_has_the_same_rows_with_formulas_neutralised(
    heard: Heard, board: Board
) -> None:
    actions.do_dispose(
        heard.anchored,
        kind=DispositionKind.NOT_ACCEPTED,
        explanation="=1+1 không phải công thức",
        acting_user=board.officer,
    )
    data = reports.disposition_table_xlsx(heard.version)
    header, *rows = _xlsx_rows(data)
    assert header[:4] == ["TT", "Từ dòng", "Đến dòng", "Đoạn được góp ý"]
    assert [row[0] for row in rows] == [1, 2, 3]
    assert [row[1] for row in rows] == ["", 5, 6]
    assert [row[2] for row in rows] == ["", 5, 7]
    general, formula, anchored = rows
    assert general[4] == "Nêu rõ lộ trình, thời gian thực hiện."
    assert general[7] == "Chưa tiếp thu, giải trình"
    # A text that would run as a formula is written with the apostrophe that makes it text.
    assert formula[4] == "'" + FORMULA
    assert formula[3] == "1. Biên soạn khoa học, có hệ thống, có sử liệu."
    assert anchored[5] == "2. Số hóa, công khai để Nhân dân truy cập, tìm số liệu."
    assert anchored[6] == "Trần Thị Bình"
    assert anchored[7] == "Giải trình, không tiếp thu"
    assert anchored[8] == "'=1+1 không phải công thức"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet


# --- the conclusion notice ---------------------------------------------------------------------


def _conclude(heard: Heard, board: Board, units: Any, personas: Any) -> tuple[Any, Any]:
    deputy = do_add_person(
        board.body, full_name="Phạm Thị Dung", position="Phó Trưởng ban", acting_user=None
    )
    vinh_person = do_add_person(
        units.vinh, full_name="Hồ Sỹ Hà", position="Chánh Văn phòng Thành ủy", acting_user=None
    )
    actions.do_conclude(
        heard.item,
        conclusion=(
            "Ban Thường vụ Tỉnh ủy cơ bản thống nhất với dự thảo.\n"
            "Giao Ban Tuyên giáo tiếp thu ý kiến, hoàn chỉnh trước khi ban hành."
        ),
        outcome=Outcome.APPROVED_AFTER_REVISION,
        follow_ups=[
            FollowUpSpec(
                "Tiếp thu ý kiến, hoàn chỉnh dự thảo.",
                board.body,
                deputy,
                datetime.date(2020, 11, 5),
            ),
            FollowUpSpec(
                "Cập nhật số liệu của thành phố",
                units.vinh,
                vinh_person,
                datetime.date(2021, 1, 15),
            ),
        ],
        acting_user=personas.province_office,
    )
    return deputy, vinh_person


def test_the_conclusion_notice_before_its_number_leaves_the_blanks_for_the_office(
    heard: Heard, board: Board, units: Any, personas: Any
) -> None:
    _conclude(heard, board, units, personas)
    document = _open(reports.conclusion_notice_docx(heard.meeting))
    _check_header(
        document,
        superior="ĐẢNG BỘ TỈNH NGHỆ AN",
        name="TỈNH ỦY",
        number="Số     -TB/TU",
        date="Nghệ An, ngày     tháng     năm     ",
    )
    texts = [p.text for p in document.paragraphs]
    assert "THÔNG BÁO" in texts
    # One item: "… về …".
    assert (
        "kết luận của Ban Thường vụ Tỉnh ủy về dự thảo Kế hoạch triển khai Đề án Địa chí Nghệ An"
        in texts
    )
    body = "\n".join(texts)
    assert (
        "Ngày 29/10/2020, Ban Thường vụ Tỉnh ủy họp dưới sự chủ trì của đồng chí Nguyễn Văn An, "
        "Ủy viên Ban Thường vụ." in body
    )
    assert "Dự họp có các đồng chí Ủy viên Ban Thường vụ: Nguyễn Văn An, Trần Thị Bình." in body
    assert "Vắng: đồng chí Lê Văn Cường (lý do: Đi công tác Trung ương)." in body
    assert "Mời dự: Lãnh đạo Sở Văn hóa và Thể thao." in body
    assert "1. Kế hoạch triển khai Đề án Địa chí Nghệ An" in texts
    assert "Cơ quan trình: Ban Tuyên giáo Tỉnh ủy (dự thảo lần trình 1)." in texts
    assert "Ban Thường vụ Tỉnh ủy cơ bản thống nhất với dự thảo." in texts
    assert (
        "- Giao Ban Tuyên giáo Tỉnh ủy: Tiếp thu ý kiến, hoàn chỉnh dự thảo; người phụ trách: "
        "Phạm Thị Dung, Phó Trưởng ban; hoàn thành trước 05/11/2020." in texts
    )
    assert (
        f"- Giao {units.vinh.name}: Cập nhật số liệu của thành phố; người phụ trách: Hồ Sỹ Hà, "
        "Chánh Văn phòng Thành ủy; hoàn thành trước 15/01/2021." in texts
    )
    assert (
        "Văn phòng Tỉnh ủy thông báo ý kiến kết luận của Ban Thường vụ Tỉnh ủy để các cơ quan, "
        "đơn vị liên quan biết, thực hiện." in texts
    )
    recipients, signature = _signature(document)
    assert signature == ["T/L BAN THƯỜNG VỤ", "CHÁNH VĂN PHÒNG"]
    assert recipients == [
        "Nơi nhận:",
        "- Các đồng chí Ủy viên Ban Thường vụ Tỉnh ủy,",
        "- Ban Tuyên giáo Tỉnh ủy,",
        f"- {units.vinh.name},",
        "- Lưu Văn phòng Tỉnh ủy.",
    ]
    assert document.sections[0].orientation == WD_ORIENT.PORTRAIT


def test_the_numbered_notice_carries_its_register_entry(
    heard: Heard, board: Board, units: Any, personas: Any
) -> None:
    _conclude(heard, board, units, personas)
    body = body_for_unit(units.province_2020)
    assert body is not None
    entry = do_issue(
        body,
        "TB",
        issued_on=datetime.date(2020, 11, 2),
        summary="Thông báo kết luận của Ban Thường vụ Tỉnh ủy tại phiên họp ngày 29/10/2020",
        signer_name="Nguyễn Văn Hùng",
        signer_position="Chánh Văn phòng",
        authority="T/L Ban Thường vụ",
        recipients="- Các đồng chí Ủy viên Ban Thường vụ Tỉnh ủy,\n- Ban Tuyên giáo Tỉnh ủy,\n"
        "- Lưu Văn phòng Tỉnh ủy.",
        target=heard.meeting,
        acting_user=personas.province_office,
    )
    document = _open(reports.conclusion_notice_docx(heard.meeting))
    _check_header(
        document,
        superior="ĐẢNG BỘ TỈNH NGHỆ AN",
        name="TỈNH ỦY",
        number=f"Số {entry.symbol}",
        date="Nghệ An, ngày 02 tháng 11 năm 2020",
    )
    assert entry.symbol.endswith("-TB/TU")
    recipients, signature = _signature(document)
    assert signature == ["T/L BAN THƯỜNG VỤ", "CHÁNH VĂN PHÒNG", "Nguyễn Văn Hùng"]
    assert recipients == [
        "Nơi nhận:",
        "- Các đồng chí Ủy viên Ban Thường vụ Tỉnh ủy,",
        "- Ban Tuyên giáo Tỉnh ủy,",
        "- Lưu Văn phòng Tỉnh ủy.",
    ]
    # The office may sign on behalf of the Board instead: parameters win over the register.
    document = _open(
        reports.conclusion_notice_docx(
            heard.meeting, authority="T/M BAN THƯỜNG VỤ", position="PHÓ BÍ THƯ", signer="Lê Hà"
        )
    )
    assert _signature(document)[1] == ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", "Lê Hà"]
    assert any(p.text.startswith("Ban Thường vụ Tỉnh ủy thông báo để") for p in document.paragraphs)


def test_a_meeting_of_several_items_is_summarised_by_its_date(
    heard: Heard, board: Board, units: Any, personas: Any, draft: Draft
) -> None:
    other = actions.do_create_draft(
        kind="text",
        title="Đề án số hóa tài liệu lưu trữ",
        doc_type="ĐA",
        submitting_unit=board.body,
        issuing_unit=units.province_2020,
        text="Nội dung đề án.",
        acting_user=board.officer,
    )
    actions.do_submit_version(other, acting_user=board.officer)
    actions.do_add_item(heard.meeting, other, acting_user=personas.province_office)
    document = _open(reports.conclusion_notice_docx(heard.meeting))
    texts = [p.text for p in document.paragraphs]
    assert "kết luận của Ban Thường vụ Tỉnh ủy tại phiên họp ngày 29/10/2020" in texts
    assert "2. Đề án số hóa tài liệu lưu trữ" in texts
    assert texts.count("(Chưa có kết luận.)") == 2


def test_a_sample_meeting_is_marked_as_such(board: Board, units: Any, personas: Any) -> None:
    meeting = actions.do_create_meeting(
        body=units.province_2020,
        date=datetime.date(2020, 10, 29),
        is_sample=True,
        acting_user=personas.province_office,
    )
    text = _all_text(_open(reports.conclusion_notice_docx(meeting)))
    assert "dữ liệu minh họa" in text


def test_the_notice_reads_a_fixed_number_of_queries(
    heard: Heard, board: Board, units: Any, personas: Any
) -> None:
    with CaptureQueriesContext(connection) as few:
        reports.conclusion_notice_docx(Meeting.objects.get(pk=heard.meeting.pk))
    _conclude(heard, board, units, personas)
    with CaptureQueriesContext(connection) as more:
        reports.conclusion_notice_docx(Meeting.objects.get(pk=heard.meeting.pk))
    assert len(more) == len(few) == 8


# --- the files open in an office suite ---------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
def test_both_documents_convert_to_pdf(
    heard: Heard, board: Board, units: Any, personas: Any, tmp_path: Path
) -> None:
    _conclude(heard, board, units, personas)
    files = {
        "bang-tiep-thu.docx": reports.disposition_table_docx(heard.version),
        "thong-bao.docx": reports.conclusion_notice_docx(heard.meeting),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    subprocess.run(  # noqa: S603 - a fixed command on files this test wrote
        [SOFFICE, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path)]  # type: ignore[list-item]
        + [str(tmp_path / name) for name in files],
        check=True,
        timeout=180,
        capture_output=True,
    )
    for name in files:
        pdf = tmp_path / name.replace(".docx", ".pdf")
        assert pdf.read_bytes().startswith(b"%PDF")
