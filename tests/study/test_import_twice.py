"""Excel over several days: the report file uploaded again changes nothing and says so; rows
that say what is recorded are skipped and counted; only what changed is written.

The Vinh officer works on Vinh's subtree (``tests/conftest.py``).
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.conftest import Personas, Units
from tests.study.test_conferences import DAY, counts, make_fresh_plan, register, today
from tests.study.test_report_upload import (
    as_bytes,
    download,
    errors_of,
    fill,
    held,
    row_of,
    upload,
    vinh_client,  # noqa: F401 - a fixture
)
from tinhuy.study.actions import MemberSpec, ReportSpec, do_load_members, do_report_conference
from tinhuy.study.models import Attendance, Conference, ConferenceReport, Plan


@pytest.fixture
def fresh_plan(units: Units, personas: Personas) -> Plan:
    return make_fresh_plan(units, personas)


def with_topics(**values: object) -> dict[str, object]:
    return {"topics": "1", "topic_presenter": "Lê Văn Cường", **values}


def test_the_same_file_uploaded_twice_changes_nothing_the_second_time_and_says_so(
    fresh_plan: Plan,
    units: Units,
    vinh_client: Client,  # noqa: F811
) -> None:
    """Two rows: one held and reported, one only registered. The second upload of the very same
    file writes nothing — no conference, report or audit event — and counts both rows as
    already recorded."""
    workbook = download(vinh_client, fresh_plan, units.vinh.id)
    fill(workbook, row_of(workbook, "412"), **held(today() - 3 * DAY, length=2, **with_topics()))
    later = held(today() + 5 * DAY, **with_topics())
    for key in ("expected", "attended", "made_up", "reflections"):
        del later[key]
    fill(workbook, row_of(workbook, units.vinh_grassroots.code), **later)
    content = as_bytes(workbook)
    first = upload(vinh_client, fresh_plan, content)
    assert first.status_code == 200, errors_of(first)
    assert len(first.context["rows"]) == 2
    before = counts()

    second = upload(vinh_client, fresh_plan, content, confirm=False)

    assert second.status_code == 200, errors_of(second)
    assert counts() == before
    assert second.context["rows"] == []
    assert [r.number for r in second.context["unchanged"]] == [
        2,
        row_of(workbook, units.vinh_grassroots.code),
    ]
    page = second.content.decode()
    assert "không thay đổi gì" in page
    assert "Đã có, không đổi: 2 dòng." in page


def test_a_file_whose_rows_needed_a_confirmation_is_not_asked_again_when_unchanged(
    fresh_plan: Plan,
    units: Units,
    vinh_client: Client,  # noqa: F811
) -> None:
    """Without the topics column the row breaks the topics rule: confirmed once; the same file
    again is recorded as it is, with no second question."""
    workbook = download(vinh_client, fresh_plan, units.vinh.id)
    fill(workbook, row_of(workbook, units.vinh_grassroots.code), **held(today() - 2 * DAY))
    content = as_bytes(workbook)
    asked = upload(vinh_client, fresh_plan, content, confirm=False)
    assert [p.column for p in asked.context["problems"]] == ["Chuyên đề đã quán triệt"]
    assert upload(vinh_client, fresh_plan, content).status_code == 200
    before = counts()

    again = upload(vinh_client, fresh_plan, content, confirm=False)

    assert again.status_code == 200
    assert not again.context.get("problems")
    assert counts() == before
    assert "Đã có, không đổi: 1 dòng." in again.content.decode()


def test_an_earlier_copy_of_the_template_is_taken_again_and_only_its_changed_row_written(
    fresh_plan: Plan,
    units: Units,
    personas: Personas,
    vinh_client: Client,  # noqa: F811
) -> None:
    """Day 1: a template with Vinh's registered conference pre-filled; its figures typed and
    uploaded (reported). Day 3: the same copy, one figure corrected, and a new row for a
    grassroots organisation: the corrected row amends the report (version 2), the new row is
    registered and reported; nothing is refused for being “already reported”."""
    day = today() - 3 * DAY
    register(fresh_plan, units.vinh, day, personas.vinh_officer, sessions=2)
    workbook = download(vinh_client, fresh_plan, units.vinh.id)
    fill(workbook, 2, expected=120, attended=110, made_up=4, reflections=100)
    assert upload(vinh_client, fresh_plan, as_bytes(workbook)).status_code == 200
    conference = Conference.objects.get(plan=fresh_plan, host=units.vinh)

    fill(workbook, 2, attended=112)
    grassroots = row_of(workbook, units.vinh_grassroots.code)
    fill(workbook, grassroots, **held(today() - DAY, **with_topics()))
    response = upload(vinh_client, fresh_plan, as_bytes(workbook))

    assert response.status_code == 200, errors_of(response)
    assert [(r.number, r.done()) for r in response.context["rows"]] == [
        (2, ["sửa báo cáo (bản mới)"]),
        (grassroots, ["đăng ký", "báo cáo"]),
    ]
    versions = list(
        ConferenceReport.objects.filter(conference=conference)
        .order_by("version")
        .values_list("version", "attended_count")
    )
    assert versions == [(1, 110), (2, 112)]


def test_a_date_typed_over_the_pre_filled_one_moves_that_registration(
    fresh_plan: Plan,
    units: Units,
    personas: Personas,
    vinh_client: Client,  # noqa: F811
) -> None:
    """Postponed: the template pre-filled the registered conference of the 5th; the 7th typed
    over it moves that conference (edited, audited) instead of registering a second one."""
    conference = register(
        fresh_plan, units.vinh_grassroots, today() + 5 * DAY, personas.vinh_officer
    )
    workbook = download(vinh_client, fresh_plan, units.vinh.id)
    number = row_of(workbook, units.vinh_grassroots.code)
    fill(workbook, number, date=(today() + 7 * DAY).strftime("%d/%m/%Y"))
    conferences = Conference.objects.count()

    response = upload(vinh_client, fresh_plan, as_bytes(workbook))

    assert response.status_code == 200, errors_of(response)
    assert Conference.objects.count() == conferences
    conference.refresh_from_db()
    assert conference.date == today() + 7 * DAY
    assert [(r.number, r.done()) for r in response.context["rows"]] == [(number, ["sửa đăng ký"])]


def test_a_date_typed_over_a_conference_reported_since_is_refused_on_its_cell(
    fresh_plan: Plan,
    units: Units,
    personas: Personas,
    vinh_client: Client,  # noqa: F811
) -> None:
    """The copy was downloaded before the report; the reported conference's date no longer
    changes: the row and the column are named, with the registered date, nothing written."""
    day = today() - 2 * DAY
    conference = register(fresh_plan, units.vinh_grassroots, day, personas.vinh_officer)
    workbook = download(vinh_client, fresh_plan, units.vinh.id)
    do_report_conference(conference, ReportSpec(30, 30), acting_user=personas.vinh_officer)
    number = row_of(workbook, units.vinh_grassroots.code)
    fill(workbook, number, date=(day - DAY).strftime("%d/%m/%Y"))
    before = counts()

    response = upload(vinh_client, fresh_plan, as_bytes(workbook))

    assert response.status_code == 400
    assert counts() == before
    (message,) = errors_of(response)
    assert f"Dòng {number}, cột “Ngày tổ chức”" in message
    assert f"đã đăng ký: “{day.strftime('%d/%m/%Y')}”" in message


# The attendance list -------------------------------------------------------------------------


@pytest.fixture
def attended(fresh_plan: Plan, units: Units, personas: Personas) -> Conference:
    """Vinh's grassroots conference three days ago, two members of its cell loaded."""
    do_load_members(
        units.structure_2020,
        [
            MemberSpec("0100001", "Nguyễn Văn An", units.vinh_cell),
            MemberSpec("0100002", "Trần Thị Bình", units.vinh_cell),
        ],
        acting_user=personas.vinh_officer,
    )
    return register(fresh_plan, units.vinh_grassroots, today() - 3 * DAY, personas.vinh_officer)


def attendance_file(*rows: tuple[str, str, str]) -> SimpleUploadedFile:
    lines = ["Số thẻ đảng viên,Điểm danh,Lý do vắng", *(",".join(row) for row in rows)]
    return SimpleUploadedFile("diem-danh.csv", ("\n".join(lines) + "\n").encode())


def test_the_same_attendance_list_twice_changes_nothing_and_a_longer_one_adds_its_new_rows(
    attended: Conference,
    vinh_client: Client,  # noqa: F811
) -> None:
    url = reverse("study_conference_attendance", args=[attended.id])
    first = ("0100001", "Có mặt", "")
    vinh_client.post(url, {"file": attendance_file(first)})
    recorded = Attendance.objects.filter(conference=attended).count()
    before = counts()

    again = vinh_client.post(url, {"file": attendance_file(first)}, follow=True)

    assert counts() == before
    page = again.content.decode()
    assert "không thay đổi gì" in page
    assert "Đã có, không đổi: 1 dòng." in page
    longer = vinh_client.post(
        url, {"file": attendance_file(first, ("0100002", "Vắng", "Ốm"))}, follow=True
    )
    assert Attendance.objects.filter(conference=attended).count() == recorded + 1
    assert "Đã ghi điểm danh 1 đảng viên" in longer.content.decode()
    assert "Đã có, không đổi: 1 dòng." in longer.content.decode()


def test_a_changed_attendance_row_is_refused_naming_what_is_recorded(
    attended: Conference,
    vinh_client: Client,  # noqa: F811
) -> None:
    """The recorded status is history the tallies keep: another one is refused on its row,
    never dropped silently."""
    url = reverse("study_conference_attendance", args=[attended.id])
    vinh_client.post(url, {"file": attendance_file(("0100001", "Có mặt", ""))})
    before = counts()

    response = vinh_client.post(url, {"file": attendance_file(("0100001", "Vắng", "Ốm"))})

    assert response.status_code == 400
    assert counts() == before
    (error,) = response.context["errors"]
    assert (error.row, error.column) == (2, "Số thẻ đảng viên")
    assert "đã được điểm danh ở hội nghị này là “Có mặt”" in error.message
