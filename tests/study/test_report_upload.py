"""Reporting by Excel: the pre-filled template, and the upload that writes all rows or none.

Every refusal names the row and the column in Vietnamese and leaves the conferences, reports and
audit log as they were. The Vinh officer reports for Vinh's subtree only.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tests.conftest import Personas, Units
from tests.study.test_conferences import (
    DAY,
    ClientFor,
    counts,
    make_fresh_plan,
    register,
    today,
)
from tinhuy.audit.models import AuditEvent
from tinhuy.documents.xlsx import META_SHEET, XLSX_CONTENT_TYPE
from tinhuy.org.access import scope_for
from tinhuy.study.actions import ReportSpec, do_report_conference
from tinhuy.study.compliance import Status
from tinhuy.study.imports import reports
from tinhuy.study.models import Conference, ConferenceReport, Plan
from tinhuy.study.queries import plan_progress

COLUMNS = reports.REPORT_COLUMNS


@pytest.fixture
def fresh_plan(units: Units, personas: Personas) -> Plan:
    """The issued test plan of ``test_conferences``, with no conference yet."""
    return make_fresh_plan(units, personas)


def dmy(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def download(client: Client, plan: Plan, unit_id: int | str) -> Workbook:
    response = client.get(reverse("study_report_template", args=[plan.id]), {"don_vi": unit_id})
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    return load_workbook(io.BytesIO(response.content))


def row_of(workbook: Workbook, code: str) -> int:
    sheet = workbook[reports.REPORT_SHEET]
    for number, (value,) in enumerate(sheet.iter_rows(min_col=1, max_col=1, values_only=True), 1):
        if value == code:
            return number
    raise AssertionError(f"no row for {code}")


def fill(workbook: Workbook, number: int, **values: Any) -> None:
    """Type values into row ``number``, by field (``date``, ``attended``…)."""
    sheet = workbook[reports.REPORT_SHEET]
    fields = list(COLUMNS)
    for key, value in values.items():
        sheet.cell(row=number, column=fields.index(key) + 1, value=value)


def held(day: datetime.date | str, **changes: Any) -> dict[str, Any]:
    """A held conference's cells, as a unit would type them."""
    values = {
        "date": day if isinstance(day, str) else dmy(day),
        "length": 1,
        "mode": "Trực tiếp",
        "venue": "Hội trường",
        "expected": 40,
        "attended": 38,
        "made_up": 2,
        "reflections": 36,
        "presenter": "Nguyễn Văn Bí",
        "presenter_role": "Bí thư",
    }
    values.update(changes)
    return values


def as_bytes(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(
    client: Client, plan: Plan, content: bytes, name: str = "bao-cao.xlsx", *, confirm: bool = True
) -> Any:
    """Upload a file; if the level's rules find problems with its rows and ``confirm``, choose
    the file again, tick “Vẫn lưu” under those problems and upload it again, as a user does."""
    url = reverse("study_report_upload", args=[plan.id])
    response = client.post(url, {"file": SimpleUploadedFile(name, content)})
    if confirm and response.status_code == 200 and response.context.get("problems"):
        digest = response.context["problems_digest"]
        response = client.post(
            url,
            {
                "file": SimpleUploadedFile(name, content),
                "confirm_problems": "on",
                "problems_seen": digest,
            },
        )
    return response


def errors_of(response: Any) -> list[str]:
    return [e.message for e in response.context["errors"]] or [
        str(e) for e in response.context["form"].errors.get("file", [])
    ]


def assert_refused(response: Any, before: tuple[int, int, int], *fragments: str) -> str:
    """The upload wrote nothing and one error message holds every fragment; returns it."""
    assert counts() == before
    messages = errors_of(response)
    matching = [m for m in messages if all(f in m for f in fragments)]
    assert matching, messages
    return matching[0]


@pytest.fixture
def vinh_client(personas: Personas, client_for: ClientFor) -> Client:
    return client_for(personas.vinh_officer)


# The template ------------------------------------------------------------------------------


def test_the_template_has_a_row_per_expected_conference_of_the_units_subtree(
    fresh_plan: Plan, units: Units, vinh_client: Client
) -> None:
    """Vinh's template: its district committee and its six grassroots organisations, with
    level and deadline, then the empty columns to fill; the hidden _meta names plan and version.
    """
    workbook = download(vinh_client, fresh_plan, units.vinh.id)

    sheet = workbook[reports.REPORT_SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(COLUMNS.values())
    codes = [row[0] for row in rows[1:] if row[0]]
    assert codes[0] == "412"
    assert sorted(codes[1:]) == [f"412-CS0{i}" for i in range(1, 7)]
    assert rows[1][2] == "Cấp huyện và tương đương"
    assert rows[1][3] == dmy(today() + 30 * DAY)  # the deadline, dd/mm/yyyy
    assert rows[1][5:] == (None,) * 12  # nothing to report yet
    meta = workbook[META_SHEET]
    assert meta.sheet_state == "hidden"
    assert (meta["A1"].value, meta["B1"].value) == ("plan_id", fresh_plan.id)
    assert (meta["A2"].value, meta["B2"].value) == ("template_version", reports.TEMPLATE_VERSION)


def test_the_template_pre_fills_a_registered_conference_awaiting_its_report(
    fresh_plan: Plan, units: Units, personas: Personas, vinh_client: Client
) -> None:
    day = today() - 3 * DAY
    register(fresh_plan, units.vinh_grassroots, day, personas.vinh_officer)

    workbook = download(vinh_client, fresh_plan, units.vinh.id)

    sheet = workbook[reports.REPORT_SHEET]
    row = [c.value for c in sheet[row_of(workbook, units.vinh_grassroots.code)]]
    assert row[4] == f"Đã đăng ký ngày {dmy(day)}, chưa báo cáo"
    assert row[5:9] == [dmy(day), 1, "Trực tiếp", None]  # no venue was given
    # The registration's own-plan segment also presented topic 1.
    assert row[13:] == ["Nguyễn Văn Bí", "Bí thư", "1", "Nguyễn Văn Bí"]


def test_the_board_member_may_download_a_template_but_not_upload(
    fresh_plan: Plan, units: Units, personas: Personas, client_for: ClientFor
) -> None:
    """A template is a read; writing through it is not the Board member's to do."""
    client = client_for(personas.board_member)
    workbook = download(client, fresh_plan, units.vinh.id)
    before = counts()

    response = upload(client, fresh_plan, as_bytes(workbook))

    assert response.status_code == 403
    assert counts() == before


# The round trip ----------------------------------------------------------------------------


def test_a_filled_template_registers_and_reports_its_rows_and_progress_sees_them(
    fresh_plan: Plan, units: Units, personas: Personas, vinh_client: Client
) -> None:
    """Download, fill two rows, upload: two conferences, two reports, four audit events; as of
    today the dashboard query counts them, as of yesterday (before the upload) it does not."""
    workbook = download(vinh_client, fresh_plan, units.vinh.id)
    fill(
        workbook,
        row_of(workbook, "412"),
        **held(today() - 10 * DAY, length=2, expected=200, attended=190, made_up=5),
    )
    early = today() - 40 * DAY  # before the window opens: accepted, flagged
    fill(workbook, row_of(workbook, units.vinh_grassroots.code), **held(early))
    events = AuditEvent.objects.count()

    response = upload(vinh_client, fresh_plan, as_bytes(workbook))

    assert response.status_code == 200, errors_of(response)
    assert [row.number for row in response.context["rows"]] == [2, row_of(workbook, "412-CS01")]
    page = response.content.decode()
    assert "Đã ghi 2 dòng" in page
    assert f"Ngày tổ chức {dmy(early)} trước ngày bắt đầu" in page  # confirmed, recorded
    district = Conference.objects.get(plan=fresh_plan, host=units.vinh)
    assert (district.date, district.length_sessions, district.recorded_by) == (
        today() - 10 * DAY,
        2,
        personas.vinh_officer,
    )
    segment = district.segments.get()
    assert (segment.content_kind, segment.presenter_role, segment.presenter_unit) == (
        "own_plan",
        "secretary",
        units.vinh,
    )
    report = ConferenceReport.objects.get(conference=district)
    assert (report.expected_count, report.attended_count, report.made_up_count) == (200, 190, 5)
    assert Conference.objects.get(plan=fresh_plan, host=units.vinh_grassroots).date == early
    actions = sorted(AuditEvent.objects.filter(id__gt=0).order_by("-id")[:4].values_list(
        "action", flat=True
    ))  # fmt: skip
    assert AuditEvent.objects.count() == events + 4
    assert actions == ["conference.register"] * 2 + ["conference.report"] * 2

    scope = scope_for(personas.vinh_officer)
    now = plan_progress(fresh_plan, units.vinh, scope, today())
    row = next(r for r in now.rows if r.unit_id == units.vinh.id)
    assert row.progress.status == Status.HELD_ON_TIME
    assert row.progress.reported
    assert (row.progress.people.expected, row.progress.people.attended) == (200, 190)
    before = plan_progress(fresh_plan, units.vinh, scope, today() - DAY)
    row = next(r for r in before.rows if r.unit_id == units.vinh.id)
    assert row.progress.status == Status.NOT_SCHEDULED  # not yet known yesterday


@pytest.mark.parametrize("typed", ["1", "Tất cả", "tat ca", "1."])
def test_the_topics_column_records_who_presented_which_topic(
    fresh_plan: Plan, units: Units, personas: Personas, vinh_client: Client, typed: str
) -> None:
    """Without the topics column a conference covers no topic and is flagged; with it, one
    Resolution segment per topic, by the reporter named, and the topic problem is gone."""
    reporter = "Lê Văn Cường, Ban Tuyên giáo Thành ủy"
    workbook = download(vinh_client, fresh_plan, units.vinh.id)
    day = today() - 5 * DAY
    fill(workbook, row_of(workbook, "412"), **held(day, length=2))
    grassroots = row_of(workbook, units.vinh_grassroots.code)
    fill(workbook, grassroots, **held(day, topics=typed, topic_presenter=reporter))

    response = upload(vinh_client, fresh_plan, as_bytes(workbook))

    assert response.status_code == 200, errors_of(response)
    conference = Conference.objects.get(plan=fresh_plan, host=units.vinh_grassroots)
    segments = [
        (s.topic.order if s.topic else None, s.content_kind, s.presenter_name, s.presenter_role)
        for s in conference.segments.order_by("order")
    ]
    assert sorted(segments, key=str) == sorted(
        [
            (1, "resolution", reporter, "reporter"),
            (None, "own_plan", "Nguyễn Văn Bí", "secretary"),
        ],
        key=str,
    )
    progress = plan_progress(fresh_plan, units.vinh, scope_for(personas.vinh_officer), today())
    problems = {r.unit_id: r.progress.problems for r in progress.rows}
    topic_problem = "chuyên đề"
    assert not any(topic_problem in p for p in problems[units.vinh_grassroots.id])
    assert any(topic_problem in p for p in problems[units.vinh.id])  # no topics column filled


def test_a_pre_filled_row_with_a_changed_topic_presenter_updates_the_registration(
    fresh_plan: Plan, units: Units, personas: Personas, vinh_client: Client
) -> None:
    """A conference registered with topic 1 is pre-filled with “1” and its reporter; another
    reporter typed over it, with the figures, edits the registration (audited) and reports."""
    workbook = download(vinh_client, fresh_plan, units.vinh.id)
    grassroots = row_of(workbook, units.vinh_grassroots.code)
    day = today() - 5 * DAY
    registration = held(day, topics="1", topic_presenter="Lê Văn Cường")
    for key in ("expected", "attended", "made_up", "reflections"):
        del registration[key]  # no numbers: the row only registers the conference
    fill(workbook, grassroots, **registration)
    assert upload(vinh_client, fresh_plan, as_bytes(workbook)).status_code == 200

    workbook = download(vinh_client, fresh_plan, units.vinh.id)
    row = [c.value for c in workbook[reports.REPORT_SHEET][grassroots]]
    assert row[15:] == ["1", "Lê Văn Cường"]
    fill(workbook, grassroots, topic_presenter="Trần Thị Dung", expected=40, attended=40)
    conferences = Conference.objects.count()

    response = upload(vinh_client, fresh_plan, as_bytes(workbook))

    assert response.status_code == 200, errors_of(response)
    assert Conference.objects.count() == conferences
    conference = Conference.objects.get(plan=fresh_plan, host=units.vinh_grassroots)
    topical = conference.segments.get(topic__isnull=False)
    assert (topical.topic.order, topical.presenter_name) == (1, "Trần Thị Dung")  # type: ignore[union-attr]
    assert conference.reports.get().attended_count == 40
    assert AuditEvent.objects.filter(
        action="conference.edit", target_id=str(conference.pk)
    ).exists()
    (written,) = response.context["rows"]
    assert written.done() == ["sửa đăng ký", "báo cáo"]


def test_a_date_after_the_deadline_is_shown_as_a_problem_and_written_once_confirmed(
    plan_2020: Plan, units: Units, vinh_client: Client
) -> None:
    """Vinh's grassroots organisation 01 has nothing in the demo; 05/02/2021 is past the
    grassroots deadline of 30/01/2021: the rule is named on the row and column, nothing is
    written; confirmed, the row is written and the result lists the confirmed problem."""
    workbook = download(vinh_client, plan_2020, units.vinh.id)
    number = row_of(workbook, "412-CS01")
    fill(
        workbook,
        number,
        **held(datetime.date(2021, 2, 5), topics="Tất cả", topic_presenter="Lê Văn Cường"),
    )
    before = counts()

    shown = upload(vinh_client, plan_2020, as_bytes(workbook), confirm=False)

    assert shown.status_code == 200
    assert counts() == before
    (problem,) = shown.context["problems"]
    assert (problem.row, problem.column) == (number, "Ngày tổ chức")
    assert "Quy định về thời gian tổ chức (Cấp cơ sở)" in problem.message
    assert "sau hạn hoàn thành 30/01/2021" in problem.message
    assert 'name="confirm_problems"' in shown.content.decode()

    response = upload(vinh_client, plan_2020, as_bytes(workbook))

    assert response.status_code == 200, errors_of(response)
    (row,) = response.context["rows"]
    assert row.late
    assert "sau hạn hoàn thành 30/01/2021" in response.content.decode()
    assert ConferenceReport.objects.filter(conference=row.conference).count() == 1
    conference = Conference.objects.get(pk=row.conference.pk)
    assert conference.problems_confirmed_by is not None
    assert [p["rule"] for p in conference.rule_problems] == ["window"]


def test_a_row_with_a_later_date_and_no_numbers_only_registers(
    fresh_plan: Plan, units: Units, vinh_client: Client
) -> None:
    workbook = download(vinh_client, fresh_plan, units.vinh.id)
    later = today() + 7 * DAY
    fill(workbook, 2, date=dmy(later), length=2, mode="Trực tuyến")

    response = upload(vinh_client, fresh_plan, as_bytes(workbook))

    assert response.status_code == 200, errors_of(response)
    conference = Conference.objects.get(plan=fresh_plan, host=units.vinh)
    assert (conference.date, conference.mode) == (later, "online")
    assert not conference.reports.exists()


def test_numbers_for_a_registered_conference_report_it_without_a_second_registration(
    fresh_plan: Plan, units: Units, personas: Personas, vinh_client: Client
) -> None:
    """The pre-filled row of a registered conference needs only its numbers."""
    conference = register(
        fresh_plan, units.vinh_grassroots, today() - 3 * DAY, personas.vinh_officer
    )
    workbook = download(vinh_client, fresh_plan, units.vinh.id)
    fill(workbook, row_of(workbook, "412-CS01"), expected=30, attended=29)
    conferences = Conference.objects.count()

    response = upload(vinh_client, fresh_plan, as_bytes(workbook))

    assert response.status_code == 200, errors_of(response)
    assert Conference.objects.count() == conferences
    assert conference.reports.get().attended_count == 29


def test_an_untouched_pre_filled_row_is_skipped(
    fresh_plan: Plan, units: Units, personas: Personas, vinh_client: Client
) -> None:
    register(fresh_plan, units.vinh_grassroots, today() - 3 * DAY, personas.vinh_officer)
    workbook = download(vinh_client, fresh_plan, units.vinh.id)
    before = counts()

    response = upload(vinh_client, fresh_plan, as_bytes(workbook))

    assert response.status_code == 200
    page = response.content.decode()
    assert "không thay đổi gì" in page
    assert "Đã có, không đổi: 1 dòng." in page
    assert counts() == before


# Bad input: each names row and column, and nothing is written ----------------------------------


@pytest.mark.parametrize(
    ("changes", "column", "fragment"),
    [
        ({"attended": 41}, "Số người dự", "số người dự (41) lớn hơn số người phải dự (40)"),
        ({"expected": -5}, "Số người phải dự", "không được là số âm (-5)"),
        ({"reflections": "-1"}, "Số bài thu hoạch", "không được là số âm (-1)"),
        ({"made_up": 3}, "Số người học bù", "lớn hơn số người vắng mặt (2)"),
        ({"attended": "ba mươi"}, "Số người dự", "“ba mươi” không phải số nguyên"),
        ({"attended": None}, "Số người dự", "chưa có số liệu"),
        ({"date": "31/02/2021"}, "Ngày tổ chức", "ngày “31/02/2021” không có thật"),
        ({"date": "2021-01-05"}, "Ngày tổ chức", "dd/mm/yyyy"),
        ({"length": 0}, "Thời lượng (buổi)", "ít nhất 1 buổi"),
        ({"mode": "Qua thư"}, "Hình thức", "không có hình thức “Qua thư”"),
        ({"presenter_role": "Trưởng thôn"}, "Chức danh người trình bày", "“Trưởng thôn”"),
        (
            {"topics": "2", "topic_presenter": "Lê Văn Cường"},
            "Chuyên đề đã quán triệt",
            "không hiểu “2”: hãy ghi số thứ tự chuyên đề (kế hoạch có các chuyên đề 1)",
        ),
        (
            {"topics": "chuyên đề một", "topic_presenter": "Lê Văn Cường"},
            "Chuyên đề đã quán triệt",
            "không hiểu “chuyen, de, mot”",
        ),
        ({"topics": "1"}, "Báo cáo viên chuyên đề", "có chuyên đề nhưng chưa có báo cáo viên"),
        (
            {"topic_presenter": "Lê Văn Cường"},
            "Chuyên đề đã quán triệt",
            "có báo cáo viên nhưng chưa ghi chuyên đề nào",
        ),
    ],
)
def test_a_bad_cell_is_refused_naming_its_row_and_column(
    fresh_plan: Plan,
    units: Units,
    vinh_client: Client,
    changes: dict[str, Any],
    column: str,
    fragment: str,
) -> None:
    workbook = download(vinh_client, fresh_plan, units.vinh.id)
    fill(workbook, 3, **held(today() - 2 * DAY, **changes))
    before = counts()

    response = upload(vinh_client, fresh_plan, as_bytes(workbook))

    assert response.status_code == 400
    assert_refused(response, before, "Dòng 3", f"cột “{column}”", fragment)


def test_a_unit_outside_the_reporters_scope_is_an_error_inside_the_upload(
    fresh_plan: Plan, units: Units, vinh_client: Client
) -> None:
    """Nghi Lộc's code in Vinh's file: not a 404, a row error, and no other row written. The
    error is the one a code that does not exist gets, so no file tells which codes exist."""
    workbook = download(vinh_client, fresh_plan, units.vinh.id)
    fill(workbook, 2, **held(today() - 2 * DAY))  # a good row: not written either
    fill(workbook, 5, code=units.nghiloc.code, **held(today() - 2 * DAY))
    before = counts()

    response = upload(vinh_client, fresh_plan, as_bytes(workbook))

    message = assert_refused(response, before, "Dòng 5", "cột “Mã đơn vị”")
    assert message == (
        "Dòng 5, cột “Mã đơn vị”: không có đơn vị mã “429” trong cơ cấu "
        f"“{fresh_plan.structure}” của kế hoạch."
    )


def test_an_unknown_unit_code_is_refused(
    fresh_plan: Plan, units: Units, vinh_client: Client
) -> None:
    workbook = download(vinh_client, fresh_plan, units.vinh.id)
    fill(workbook, 9, code="412-CS99", **held(today() - 2 * DAY))
    before = counts()

    response = upload(vinh_client, fresh_plan, as_bytes(workbook))

    assert_refused(response, before, "Dòng 9", "cột “Mã đơn vị”", "không có đơn vị mã “412-CS99”")


def test_a_unit_at_a_level_without_a_rule_is_refused(
    fresh_plan: Plan, units: Units, vinh_client: Client
) -> None:
    """The test plan has no rule for cells: a cell does not host a conference of its own."""
    workbook = download(vinh_client, fresh_plan, units.vinh.id)
    fill(workbook, 2, code=units.vinh_cell.code, **held(today() - 2 * DAY))
    before = counts()

    response = upload(vinh_client, fresh_plan, as_bytes(workbook))

    assert_refused(response, before, "Dòng 2", "cột “Mã đơn vị”", "kế hoạch không yêu cầu")


def test_new_figures_for_a_reported_conference_amend_its_report(
    fresh_plan: Plan, units: Units, personas: Personas, vinh_client: Client
) -> None:
    """Vinh reported its conference of that day on the page (100 expected, 90 present); a file
    row for the same unit and date with other figures is an amendment: a second version, the
    first kept, the notes the file has no column for carried over."""
    day = today() - 4 * DAY
    conference = register(fresh_plan, units.vinh, day, personas.vinh_officer, sessions=2)
    do_report_conference(
        conference, ReportSpec(100, 90, minutes="Biên bản"), acting_user=personas.vinh_officer
    )
    workbook = download(vinh_client, fresh_plan, units.vinh.id)
    fill(workbook, 2, **held(day, length=2, venue=None))

    response = upload(vinh_client, fresh_plan, as_bytes(workbook))

    assert response.status_code == 200, errors_of(response)
    versions = list(conference.reports.order_by("version").values_list(
        "version", "expected_count", "attended_count", "minutes"
    ))  # fmt: skip
    assert versions == [(1, 100, 90, "Biên bản"), (2, 40, 38, "Biên bản")]
    (row,) = response.context["rows"]
    assert row.done() == ["sửa báo cáo (bản mới)"]


def test_a_changed_registration_of_a_reported_conference_is_refused_naming_row_and_column(
    fresh_plan: Plan, units: Units, personas: Personas, vinh_client: Client
) -> None:
    """Reported, the conference's registration is history: another length is refused on its
    cell, saying what is registered; nothing is written, not even the other rows."""
    day = today() - 4 * DAY
    conference = register(fresh_plan, units.vinh, day, personas.vinh_officer, sessions=2)
    do_report_conference(conference, ReportSpec(100, 90), acting_user=personas.vinh_officer)
    workbook = download(vinh_client, fresh_plan, units.vinh.id)
    fill(workbook, 2, **held(day, length=3, expected=100, attended=90, made_up=0, reflections=0))
    fill(workbook, row_of(workbook, "412-CS01"), **held(day))
    before = counts()

    response = upload(vinh_client, fresh_plan, as_bytes(workbook))

    assert response.status_code == 400
    assert_refused(response, before, "Dòng 2", "cột “Thời lượng (buổi)”", "đã có báo cáo", "“2”")


def test_the_same_conference_twice_in_the_file_names_both_rows(
    fresh_plan: Plan, units: Units, vinh_client: Client
) -> None:
    workbook = download(vinh_client, fresh_plan, units.vinh.id)
    day = today() - 2 * DAY
    fill(workbook, 2, **held(day, length=2))
    fill(workbook, 9, code="412", **held(day, length=2))
    before = counts()

    response = upload(vinh_client, fresh_plan, as_bytes(workbook))

    assert_refused(response, before, "Dòng 9", "cột “Ngày tổ chức”", "dòng 2 đã ghi")


def test_numbers_for_a_conference_still_to_come_are_refused(
    fresh_plan: Plan, units: Units, vinh_client: Client
) -> None:
    workbook = download(vinh_client, fresh_plan, units.vinh.id)
    fill(workbook, 2, **held(today() + 2 * DAY, length=2))
    before = counts()

    response = upload(vinh_client, fresh_plan, as_bytes(workbook))

    assert_refused(response, before, "Dòng 2", "cột “Ngày tổ chức”", "chưa diễn ra")


def test_every_bad_row_is_reported_at_once(
    fresh_plan: Plan, units: Units, vinh_client: Client
) -> None:
    """All rows are checked before anything is written: three bad rows, three errors."""
    workbook = download(vinh_client, fresh_plan, units.vinh.id)
    fill(workbook, 2, **held(today() - 2 * DAY, length=2, attended=99))
    fill(workbook, 3, **held("31/02/2021"))
    fill(workbook, 4, **held(today() - 2 * DAY))  # good
    fill(workbook, 5, **held(today() - 2 * DAY, expected=-1))
    before = counts()

    response = upload(vinh_client, fresh_plan, as_bytes(workbook))

    assert counts() == before
    assert [e.row for e in response.context["errors"]] == [2, 3, 5]


def test_a_template_without_its_meta_sheet_is_refused(
    fresh_plan: Plan, units: Units, vinh_client: Client
) -> None:
    workbook = download(vinh_client, fresh_plan, units.vinh.id)
    fill(workbook, 2, **held(today() - 2 * DAY, length=2))
    del workbook[META_SHEET]
    before = counts()

    response = upload(vinh_client, fresh_plan, as_bytes(workbook))

    assert_refused(response, before, "không phải tệp mẫu báo cáo", "“_meta”")


def test_another_plans_template_is_refused(
    fresh_plan: Plan, plan_2020: Plan, units: Units, vinh_client: Client
) -> None:
    workbook = download(vinh_client, plan_2020, units.vinh.id)
    fill(workbook, 2, **held(today() - 2 * DAY, length=2))
    before = counts()

    response = upload(vinh_client, fresh_plan, as_bytes(workbook))

    assert_refused(
        response,
        before,
        "Trang tính “_meta”, dòng 1, cột B",
        f"mã kế hoạch trong tệp: “{plan_2020.id}”",
    )


def test_an_old_template_version_is_refused(
    fresh_plan: Plan, units: Units, vinh_client: Client
) -> None:
    workbook = download(vinh_client, fresh_plan, units.vinh.id)
    fill(workbook, 2, **held(today() - 2 * DAY, length=2))
    workbook[META_SHEET]["B2"] = reports.TEMPLATE_VERSION - 1
    before = counts()

    response = upload(vinh_client, fresh_plan, as_bytes(workbook))

    assert_refused(
        response,
        before,
        "Trang tính “_meta”, dòng 2, cột B",
        f"phiên bản “{reports.TEMPLATE_VERSION - 1}” đã cũ",
    )


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    fresh_plan: Plan, units: Units, vinh_client: Client
) -> None:
    workbook = download(vinh_client, fresh_plan, units.vinh.id)
    fill(workbook, 2, **held(today() - 2 * DAY, length=2))
    before = counts()

    with override_settings(TINHUY_IMPORT_MAX_BYTES=2048):
        response = upload(vinh_client, fresh_plan, as_bytes(workbook))

    assert_refused(response, before, "Tệp quá lớn", "chỉ nhận tệp đến 2 KB")


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"M\xe3 \xf0\xf5n v\xf2;Ng\xe0y\n412;05/01/2021\n", "bao-cao.csv"),  # Windows-1258
        (b"412,05/01/2021\n", "bao-cao.csv"),
        (b"\xd0\xcf\x11\xe0old excel", "bao-cao.xls"),
        (b"PK\x03\x04not really a zip", "bao-cao.xlsx"),
    ],
)
def test_a_csv_or_a_damaged_file_is_refused_with_a_reason(
    fresh_plan: Plan, vinh_client: Client, content: bytes, name: str
) -> None:
    """The report needs the template's _meta sheet, so only .xlsx is read; a non-UTF-8 CSV
    gets the same answer as any CSV."""
    before = counts()

    response = upload(vinh_client, fresh_plan, content, name)

    assert response.status_code == 400
    assert counts() == before
    (message,) = errors_of(response)
    assert ".xlsx" in message


def test_an_empty_template_says_nothing_was_filled(
    fresh_plan: Plan, units: Units, vinh_client: Client
) -> None:
    workbook = download(vinh_client, fresh_plan, units.vinh.id)
    before = counts()

    response = upload(vinh_client, fresh_plan, as_bytes(workbook))

    assert_refused(response, before, "chưa có dòng nào được điền")


def test_a_missing_column_is_named(fresh_plan: Plan, units: Units, vinh_client: Client) -> None:
    workbook = download(vinh_client, fresh_plan, units.vinh.id)
    workbook[reports.REPORT_SHEET].delete_cols(11)  # Số người dự
    before = counts()

    response = upload(vinh_client, fresh_plan, as_bytes(workbook))

    assert_refused(response, before, "Dòng 1, cột “Số người dự”: thiếu cột này")


def test_the_upload_page_lists_the_units_and_the_columns(
    fresh_plan: Plan, units: Units, vinh_client: Client,
    django_assert_max_num_queries: Callable,
) -> None:  # fmt: skip
    with django_assert_max_num_queries(6):
        response = vinh_client.get(reverse("study_report_upload", args=[fresh_plan.id]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "412-CS06" in page
    assert "429" not in page.split('id="don_vi"')[1].split("</select>")[0]
    assert "Bí thư" in page


def test_a_date_stored_by_excel_as_a_date_is_read_as_typed(
    fresh_plan: Plan, units: Units, vinh_client: Client
) -> None:
    """A cell Excel turned into a real date (not text) is read as that day."""
    workbook = download(vinh_client, fresh_plan, units.vinh.id)
    day = today() - 6 * DAY
    fill(workbook, 2, **held(day, length=2))
    fill(workbook, 2, date=datetime.datetime.combine(day, datetime.time()))

    response = upload(vinh_client, fresh_plan, as_bytes(workbook))

    assert response.status_code == 200, errors_of(response)
    assert Conference.objects.get(plan=fresh_plan, host=units.vinh).date == day


def test_when_an_action_refuses_a_row_while_writing_the_earlier_rows_are_undone(
    fresh_plan: Plan, units: Units, vinh_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone reported the second row's conference between the check and the write: the
    action refuses, and the first row, already written, is rolled back with it."""
    workbook = download(vinh_client, fresh_plan, units.vinh.id)
    fill(workbook, 2, **held(today() - 2 * DAY, length=2))
    fill(workbook, 3, **held(today() - 2 * DAY))
    calls = []
    real = reports.do_report_conference

    def refuse_the_second(conference: Conference, spec: ReportSpec, **kwargs: Any) -> Any:
        calls.append(conference)
        if len(calls) == 2:
            raise ValidationError("Hội nghị này đã có báo cáo.")
        return real(conference, spec, **kwargs)

    monkeypatch.setattr(reports, "do_report_conference", refuse_the_second)
    before = counts()

    response = upload(vinh_client, fresh_plan, as_bytes(workbook))

    assert len(calls) == 2
    assert_refused(response, before, "Dòng 3: Hội nghị này đã có báo cáo.")
