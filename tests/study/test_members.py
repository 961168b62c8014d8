"""Members per cell and per-person attendance: the actions, the upload pages, and progress.

Where a conference has attendance rows, progress counts people from them: expected = the members
loaded under the host, attended = those marked present. The Vinh officer loads members for
Vinh's cells only; Nghi Lộc's units are 404 to him.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.conftest import Personas, Units
from tests.study.test_conferences import (
    DAY,
    ClientFor,
    make_fresh_plan,
    register,
    today,
)
from tinhuy.audit.models import AuditEvent
from tinhuy.org.access import scope_for
from tinhuy.org.models import Unit
from tinhuy.study.actions import (
    AttendanceSpec,
    MemberSpec,
    do_load_members,
    do_record_attendance,
    rebuild_tallies,
)
from tinhuy.study.models import Attendance, Conference, Member, Plan
from tinhuy.study.queries import plan_progress


@pytest.fixture
def fresh_plan(units: Units, personas: Personas) -> Plan:
    """The issued test plan of ``test_conferences``, with no conference yet."""
    return make_fresh_plan(units, personas)


def csv_bytes(rows: Sequence[Sequence[str]], header: Sequence[str] | None = None) -> bytes:
    lines = [",".join(header or ("Họ và tên", "Số thẻ đảng viên", "Mã chi bộ"))]
    lines += [",".join(row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def written() -> tuple[int, int, int]:
    return Member.objects.count(), Attendance.objects.count(), AuditEvent.objects.count()


def post_file(client: Client, url: str, content: bytes, name: str = "dang-vien.csv") -> Any:
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


def messages_of(response: Any) -> list[str]:
    errors = [e.message for e in response.context["errors"]]
    return errors or [str(e) for e in response.context["form"].errors.get("file", [])]


def members_url(unit: Unit) -> str:
    return reverse("study_members_upload", args=[unit.id])


@pytest.fixture
def vinh_client(personas: Personas, client_for: ClientFor) -> Client:
    return client_for(personas.vinh_officer)


@pytest.fixture
def second_cell(units: Units) -> Unit:
    """Another cell of the same grassroots organisation of Vinh."""
    return Unit.objects.get(structure=units.structure_2020, code="412-CS01-CB02")


# Loading members -----------------------------------------------------------------------------


def test_the_vinh_officer_loads_members_of_his_cells_from_csv(
    units: Units, vinh_client: Client, second_cell: Unit
) -> None:
    """Each member is written on its cell with the cell's path; one audit event for the file."""
    content = csv_bytes(
        [
            ("Nguyễn Văn An", "0100001", units.vinh_cell.code),
            ("Trần Thị Bình", "0100002", units.vinh_cell.code),
            ("Lê Văn Cường", "0100003", second_cell.code),
        ]
    )
    events = AuditEvent.objects.count()

    response = post_file(vinh_client, members_url(units.vinh), content)

    assert response.status_code == 302
    member = Member.objects.get(member_code="0100003")
    assert (member.cell, member.cell_path, member.full_name) == (
        second_cell,
        second_cell.path,
        "Lê Văn Cường",
    )
    assert Member.objects.filter(cell=units.vinh_cell).count() == 2
    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.latest("id")
    assert event.action == "members.load"
    assert event.after["created"] == 3
    assert event.unit == units.vinh_grassroots  # the lowest unit holding both cells
    page = vinh_client.get(members_url(units.vinh)).content.decode()
    assert "3 đảng viên mới" in page
    assert "Đã nạp 3 đảng viên" in page


def test_members_load_from_the_xlsx_template(units: Units, vinh_client: Client) -> None:
    """The template lists Vinh's cells on a second sheet; its first sheet is filled in."""
    response = vinh_client.get(reverse("study_members_template", args=[units.vinh.id]))
    workbook = load_workbook(io.BytesIO(response.content))
    cells = [row[0] for row in workbook["Chi bộ"].iter_rows(min_row=2, values_only=True)]
    assert units.vinh_cell.code in cells
    assert units.nghiloc_cell.code not in cells
    sheet = workbook["Đảng viên"]
    sheet.append(["Phạm Thị Dung", "0100009", units.vinh_cell.code])
    out = io.BytesIO()
    workbook.save(out)

    response = post_file(vinh_client, members_url(units.vinh), out.getvalue(), "dv.xlsx")

    assert response.status_code == 302
    assert Member.objects.get(member_code="0100009").cell == units.vinh_cell


def test_loading_the_same_file_again_keeps_members_and_updates_names(
    units: Units, personas: Personas
) -> None:
    do_load_members(
        units.structure_2020,
        [MemberSpec("0100001", "Nguyễn Văn An", units.vinh_cell)],
        acting_user=personas.vinh_officer,
    )
    result = do_load_members(
        units.structure_2020,
        [
            MemberSpec("0100001", "Nguyễn Văn Ân", units.vinh_cell),
            MemberSpec("0100002", "Trần Thị Bình", units.vinh_cell),
        ],
        acting_user=personas.vinh_officer,
    )

    assert (result.created, result.renamed, result.unchanged) == (1, 1, 0)
    assert Member.objects.get(member_code="0100001").full_name == "Nguyễn Văn Ân"


def test_a_member_on_two_cells_in_the_file_is_an_error_naming_both_rows(
    units: Units, vinh_client: Client, second_cell: Unit
) -> None:
    content = csv_bytes(
        [
            ("Nguyễn Văn An", "0100001", units.vinh_cell.code),
            ("Trần Thị Bình", "0100002", units.vinh_cell.code),
            ("Nguyễn Văn An", "0100001", second_cell.code),
        ]
    )
    before = written()

    response = post_file(vinh_client, members_url(units.vinh), content)

    assert response.status_code == 400
    assert written() == before
    (message,) = messages_of(response)
    assert message.startswith("Dòng 4, cột “Số thẻ đảng viên”: ")
    assert "đã có ở dòng 2 với chi bộ “412-CS01-CB01”" in message
    assert "ở đây với chi bộ “412-CS01-CB02”" in message


def test_a_member_already_loaded_on_another_cell_is_an_error(
    units: Units, personas: Personas, vinh_client: Client, second_cell: Unit
) -> None:
    do_load_members(
        units.structure_2020,
        [MemberSpec("0100001", "Nguyễn Văn An", units.vinh_cell)],
        acting_user=personas.vinh_officer,
    )
    before = written()

    response = post_file(
        vinh_client,
        members_url(units.vinh),
        csv_bytes([("Nguyễn Văn An", "0100001", second_cell.code)]),
    )

    (message,) = messages_of(response)
    assert message.startswith("Dòng 2, cột “Số thẻ đảng viên”: ")
    assert "đã sinh hoạt ở chi bộ “412-CS01-CB01”" in message
    assert written() == before


def test_the_action_refuses_a_member_on_two_cells_too(
    units: Units, personas: Personas, second_cell: Unit
) -> None:
    """Callers other than the page (API, command) get the same check from the action."""
    before = written()
    with pytest.raises(ValidationError) as error:
        do_load_members(
            units.structure_2020,
            [
                MemberSpec("0100001", "Nguyễn Văn An", units.vinh_cell, row=2),
                MemberSpec("0100001", "Nguyễn Văn An", second_cell, row=3),
            ],
            acting_user=personas.vinh_officer,
        )
    assert "Dòng 3: đảng viên số thẻ “0100001” đã có ở dòng 2" in error.value.messages[0]
    assert written() == before


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        (("Hồ Văn Em", "0100005", "429-CS02-CB03"), "Mã chi bộ", "không có chi bộ mã “429-CS02-CB03”"),
        (("Hồ Văn Em", "0100005", "999-X"), "Mã chi bộ", "không có chi bộ mã “999-X”"),
        (("Hồ Văn Em", "0100005", "412-CS01"), "Mã chi bộ", "có chi bộ trực thuộc"),
        (("", "0100005", "412-CS01-CB01"), "Họ và tên", "chưa có họ và tên"),
        (("Hồ Văn Em", "", "412-CS01-CB01"), "Số thẻ đảng viên", "chưa có số thẻ"),
        (("Hồ Văn Em", "0" * 33, "412-CS01-CB01"), "Số thẻ đảng viên", "dài quá 32"),
        (("Hồ Văn Em", "-5", "412-CS01-CB01"), "Số thẻ đảng viên", "“-5” không phải số thẻ"),
        (("Hồ Văn Em", "10^30", "412-CS01-CB01"), "Số thẻ đảng viên", "“10^30” không phải số thẻ"),
        (("Hồ Văn Em", "AB", "412-CS01-CB01"), "Số thẻ đảng viên", "không phải số thẻ"),
    ],
)  # fmt: skip
def test_a_bad_member_row_is_refused_naming_row_and_column(
    units: Units, vinh_client: Client, row: tuple[str, str, str], column: str, fragment: str
) -> None:
    content = csv_bytes([("Nguyễn Văn An", "0100001", units.vinh_cell.code), row])
    before = written()

    response = post_file(vinh_client, members_url(units.vinh), content)

    assert written() == before
    messages = messages_of(response)
    assert any(m.startswith(f"Dòng 3, cột “{column}”: ") and fragment in m for m in messages), (
        messages
    )


def test_a_csv_not_saved_as_utf8_is_refused_with_the_line(
    units: Units, vinh_client: Client
) -> None:
    content = "Họ và tên,Số thẻ đảng viên,Mã chi bộ\n".encode() + b"Nguy\xea\xf1 V\xe3n,1,412\n"
    before = written()

    response = post_file(vinh_client, members_url(units.vinh), content)

    (message,) = messages_of(response)
    assert "UTF-8" in message
    assert "dòng 2" in message
    assert written() == before


def test_a_missing_column_is_named(units: Units, vinh_client: Client) -> None:
    content = csv_bytes([("An", "1")], header=("Họ và tên", "Số thẻ đảng viên"))

    response = post_file(vinh_client, members_url(units.vinh), content)

    (message,) = messages_of(response)
    assert message.startswith("Dòng 1, cột “Mã chi bộ”: thiếu cột này.")


def test_a_members_file_over_the_size_limit_is_refused(units: Units, vinh_client: Client) -> None:
    content = csv_bytes([("Nguyễn Văn An", f"01{i:05}", units.vinh_cell.code) for i in range(100)])
    before = written()

    with override_settings(TINHUY_IMPORT_MAX_BYTES=1024):
        response = post_file(vinh_client, members_url(units.vinh), content)

    assert "Tệp quá lớn" in messages_of(response)[0]
    assert written() == before


def test_the_members_page_is_404_outside_the_officers_scope(
    units: Units, vinh_client: Client
) -> None:
    before = written()
    url = members_url(units.nghiloc)
    assert vinh_client.get(url).status_code == 404
    assert (
        vinh_client.get(reverse("study_members_template", args=[units.nghiloc.id])).status_code
        == 404
    )
    content = csv_bytes([("Hồ Văn Em", "0100005", units.nghiloc_cell.code)])
    assert post_file(vinh_client, url, content).status_code == 404
    assert written() == before  # fmt: skip


# Attendance ----------------------------------------------------------------------------------


@pytest.fixture
def loaded(units: Units, personas: Personas, second_cell: Unit) -> None:
    """Three members in Vinh's grassroots organisation 01, one in another of Vinh's
    organisations, one in Nghi Lộc."""
    other = Unit.objects.get(structure=units.structure_2020, code="412-CS02-CB01")
    do_load_members(
        units.structure_2020,
        [
            MemberSpec("0100001", "Nguyễn Văn An", units.vinh_cell),
            MemberSpec("0100002", "Trần Thị Bình", units.vinh_cell),
            MemberSpec("0100003", "Lê Văn Cường", second_cell),
            MemberSpec("0200001", "Võ Văn Dũng", other),
        ],
        acting_user=personas.vinh_officer,
    )
    do_load_members(
        units.structure_2020,
        [MemberSpec("2900001", "Hồ Thị Em", units.nghiloc_cell)],
        acting_user=personas.nghiloc_officer,
    )


@pytest.fixture
def grassroots_conference(
    fresh_plan: Plan, units: Units, personas: Personas, loaded: None
) -> Conference:
    return register(fresh_plan, units.vinh_grassroots, today() - 3 * DAY, personas.vinh_officer)


ATTENDANCE_HEADER = ("Số thẻ đảng viên", "Điểm danh", "Lý do vắng")


def attendance_url(conference: Conference) -> str:
    return reverse("study_conference_attendance", args=[conference.id])


def test_attendance_is_recorded_per_person_and_progress_counts_people_from_it(
    fresh_plan: Plan,
    units: Units,
    personas: Personas,
    vinh_client: Client,
    grassroots_conference: Conference,
) -> None:
    """Two present, one absent: expected = the 3 members under the host, attended = 2."""
    content = csv_bytes(
        [("0100001", "Có mặt", ""), ("0100002", "có mat", ""), ("0100003", "Vắng", "Ốm")],
        header=ATTENDANCE_HEADER,
    )
    events = AuditEvent.objects.count()

    response = post_file(vinh_client, attendance_url(grassroots_conference), content)

    assert response.status_code == 302
    statuses = dict(grassroots_conference.attendance.values_list("member__member_code", "status"))
    assert statuses == {"0100001": "present", "0100002": "present", "0100003": "absent"}
    assert grassroots_conference.attendance.get(status="absent").reason == "Ốm"
    assert AuditEvent.objects.count() == events + 1
    assert AuditEvent.objects.latest("id").action == "conference.attendance"
    progress = plan_progress(fresh_plan, units.vinh, scope_for(personas.vinh_officer), today())
    row = next(r for r in progress.rows if r.unit_id == units.vinh_grassroots.id)
    assert (row.progress.people.expected, row.progress.people.attended) == (3, 2)
    page = vinh_client.get(reverse("study_conference_detail", args=[grassroots_conference.id]))
    assert "Có mặt: <strong>2</strong>" in page.content.decode()


def test_progress_replays_the_member_list_as_it_was_on_the_date(
    fresh_plan: Plan,
    units: Units,
    personas: Personas,
    vinh_client: Client,
    grassroots_conference: Conference,
) -> None:
    """Attendance recorded three days ago against three members; a fourth member loaded today
    counts from today on, not in a replay of yesterday."""
    content = csv_bytes([("0100001", "Có mặt", "")], header=ATTENDANCE_HEADER)
    assert post_file(vinh_client, attendance_url(grassroots_conference), content).status_code == 302
    three_days_ago = timezone.now() - 3 * DAY
    grassroots_conference.attendance.update(recorded_at=three_days_ago)
    Conference.objects.filter(pk=grassroots_conference.pk).update(recorded_at=three_days_ago)
    Member.objects.update(loaded_at=three_days_ago)
    rebuild_tallies()  # the rows were back-dated behind the actions' back
    do_load_members(
        units.structure_2020,
        [MemberSpec("0100009", "Phan Văn Giang", units.vinh_cell)],
        acting_user=personas.vinh_officer,
    )
    scope = scope_for(personas.vinh_officer)

    def expected_on(day: datetime.date) -> tuple[int, int]:
        rows = plan_progress(fresh_plan, units.vinh, scope, day).rows
        row = next(r for r in rows if r.unit_id == units.vinh_grassroots.id)
        return row.progress.people.expected, row.progress.people.attended

    assert expected_on(today() - DAY) == (3, 1)
    assert expected_on(today()) == (4, 1)


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        (("0200001", "Có mặt", ""), "Số thẻ đảng viên", "không thuộc Tổ chức cơ sở đảng số 01"),
        (("2900001", "Có mặt", ""), "Số thẻ đảng viên", "không có đảng viên số thẻ “2900001”"),
        (("0999999", "Có mặt", ""), "Số thẻ đảng viên", "không có đảng viên số thẻ “0999999”"),
        (("0100001", "Có mặt", ""), "Số thẻ đảng viên", "đã được điểm danh ở dòng 2"),
        (("0100002", "Đi muộn", ""), "Điểm danh", "không có tình trạng “Đi muộn”"),
        (("0100002", "", ""), "Điểm danh", "chưa ghi điểm danh"),
    ],
)  # fmt: skip
def test_a_bad_attendance_row_is_refused_naming_row_and_column(
    vinh_client: Client,
    grassroots_conference: Conference,
    row: tuple[str, str, str],
    column: str,
    fragment: str,
) -> None:
    content = csv_bytes([("0100001", "Có mặt", ""), row], header=ATTENDANCE_HEADER)
    before = written()

    response = post_file(vinh_client, attendance_url(grassroots_conference), content)

    assert response.status_code == 400
    assert written() == before
    messages = messages_of(response)
    assert any(m.startswith(f"Dòng 3, cột “{column}”: ") and fragment in m for m in messages), (
        messages
    )


def test_a_member_already_recorded_at_the_conference_is_refused(
    personas: Personas, vinh_client: Client, grassroots_conference: Conference
) -> None:
    do_record_attendance(
        grassroots_conference,
        [AttendanceSpec("0100001", "present")],
        acting_user=personas.vinh_officer,
    )
    before = written()

    response = post_file(
        vinh_client,
        attendance_url(grassroots_conference),
        csv_bytes([("0100001", "Vắng", "")], header=ATTENDANCE_HEADER),
    )

    (message,) = messages_of(response)
    assert message.startswith("Dòng 2, cột “Số thẻ đảng viên”: ")
    assert "đã được điểm danh ở hội nghị này" in message
    assert written() == before


def test_attendance_for_a_conference_still_to_come_is_refused(
    fresh_plan: Plan, units: Units, personas: Personas, vinh_client: Client, loaded: None
) -> None:
    upcoming = register(fresh_plan, units.vinh_grassroots, today() + 3 * DAY, personas.vinh_officer)
    before = written()

    response = post_file(
        vinh_client,
        attendance_url(upcoming),
        csv_bytes([("0100001", "Có mặt", "")], header=ATTENDANCE_HEADER),
    )

    assert "chưa diễn ra" in messages_of(response)[0]
    assert written() == before


def test_the_attendance_list_is_pre_filled_with_the_hosts_members(
    vinh_client: Client, grassroots_conference: Conference
) -> None:
    response = vinh_client.get(
        reverse("study_attendance_template", args=[grassroots_conference.id])
    )

    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook["Điểm danh"].iter_rows(min_row=2, values_only=True))
    assert sorted(row[0] for row in rows) == ["0100001", "0100002", "0100003"]


def test_the_filled_attendance_list_uploads_as_is(
    vinh_client: Client, grassroots_conference: Conference
) -> None:
    """The downloaded .xlsx, with the status column filled, is accepted unchanged."""
    response = vinh_client.get(
        reverse("study_attendance_template", args=[grassroots_conference.id])
    )
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Điểm danh"]
    for number in range(2, sheet.max_row + 1):
        sheet.cell(row=number, column=4, value="Học bù" if number == 2 else "Có mặt")
    out = io.BytesIO()
    workbook.save(out)

    response = post_file(
        vinh_client, attendance_url(grassroots_conference), out.getvalue(), "dd.xlsx"
    )

    assert response.status_code == 302
    assert grassroots_conference.attendance.filter(status="made_up").count() == 1
    assert grassroots_conference.attendance.count() == 3  # fmt: skip


def test_a_large_file_is_checked_the_same_way(
    fresh_plan: Plan, units: Units, personas: Personas, vinh_client: Client
) -> None:
    """From 5,000 rows on, members are read by subtree instead of by batches of codes; a
    member of Nghi Lộc, outside the Vinh officer's scope, is answered as a code never loaded."""
    many = [MemberSpec(f"09{i:05}", f"Đảng viên {i}", units.vinh_cell) for i in range(5000)]
    do_load_members(units.structure_2020, many, acting_user=personas.vinh_officer)
    do_load_members(
        units.structure_2020,
        [MemberSpec("2900001", "Hồ Thị Em", units.nghiloc_cell)],
        acting_user=personas.nghiloc_officer,
    )
    conference = register(fresh_plan, units.vinh_grassroots, today() - DAY, personas.vinh_officer)
    rows = [(spec.member_code, "Có mặt", "") for spec in many] + [("2900001", "Có mặt", "")]
    before = written()

    response = post_file(
        vinh_client, attendance_url(conference), csv_bytes(rows, header=ATTENDANCE_HEADER)
    )

    (message,) = messages_of(response)
    assert message.startswith("Dòng 5002, cột “Số thẻ đảng viên”: ")
    assert "không có đảng viên số thẻ “2900001”" in message
    assert "429-CS02-CB03" not in message and "Hồ Thị Em" not in message
    assert written() == before


def test_the_tallies_progress_reads_agree_with_the_rows(
    fresh_plan: Plan, vinh_client: Client, grassroots_conference: Conference
) -> None:
    """Each load and each attendance file adds tallies in the same transaction; rebuilding
    them from the rows gives the same counts."""
    from django.db.models import Count, Sum

    from tinhuy.study.models import AttendanceTally, MemberTally

    content = csv_bytes(
        [("0100001", "Có mặt", ""), ("0100002", "Vắng", "Ốm"), ("0100003", "Học bù", "")],
        header=ATTENDANCE_HEADER,
    )
    assert post_file(vinh_client, attendance_url(grassroots_conference), content).status_code == 302

    def tallied() -> tuple[dict[str, int], dict[str, int]]:
        attendance = dict(
            AttendanceTally.objects.values_list("status").annotate(n=Sum("count")).order_by()
        )
        members = dict(
            MemberTally.objects.values_list("cell_path").annotate(n=Sum("count")).order_by()
        )
        return attendance, members

    rows = (
        dict(Attendance.objects.values_list("status").annotate(n=Count("id")).order_by()),
        dict(Member.objects.values_list("cell_path").annotate(n=Count("id")).order_by()),
    )
    assert tallied() == rows
    assert rows[0] == {"present": 1, "absent": 1, "made_up": 1}
    rebuild_tallies()
    assert tallied() == rows
