"""The study campaign's lines of the home page's to-do list (``tinhuy.study.todo``): register,
report, and the units under one's own past the deadline with nothing held."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from tinhuy.study.models import Conference, ConferenceReport, Plan, PlanState
from tinhuy.study.todo import todo_rows
from tinhuy.todo import todo_for

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2021, 2, 1)


def _campaign(user: Any, today: datetime.date = AS_OF) -> list[Any]:
    return todo_rows(user, today)


def _vinh_conference(units: Any) -> Conference:
    return Conference.objects.filter(host=units.vinh, cancelled_at__isnull=True).get()


def test_vinh_sees_the_three_grassroots_units_past_the_deadline_with_nothing_held(
    personas: Any,
) -> None:
    rows = _campaign(personas.vinh_officer)
    assert [(row.kind, row.title, row.overdue) for row in rows] == [
        ("units_overdue", "3 đơn vị cấp cơ sở chưa tổ chức hội nghị, đã quá hạn", True)
    ]
    plan = Plan.objects.get(state=PlanState.ISSUED)
    assert rows[0].url == f"/hoc-tap/{plan.pk}/tien-do/?trang_thai=qua-han"
    assert rows[0].unit == "Đảng bộ thành phố Vinh"
    assert rows[0].due_on == plan.rules.get(level__name__icontains="cơ sở").deadline


def test_before_the_deadline_no_unit_is_overdue(personas: Any) -> None:
    plan = Plan.objects.get(state=PlanState.ISSUED)
    first_deadline = min(rule.deadline for rule in plan.rules.all())
    assert _campaign(personas.vinh_officer, first_deadline) == []


def test_a_unit_whose_conference_was_cancelled_must_register_one(personas: Any, units: Any) -> None:
    conference = _vinh_conference(units)
    Conference.objects.filter(pk=conference.pk).update(cancelled_at=timezone.now())
    rows = _campaign(personas.vinh_officer)
    register = [row for row in rows if row.kind == "register"]
    assert len(register) == 1
    assert register[0].unit == "Đảng bộ thành phố Vinh"
    assert register[0].due_on == conference.rule.deadline
    assert register[0].overdue is True
    assert register[0].url == f"/hoc-tap/{conference.plan_id}/hoi-nghi/dang-ky/"


def test_a_conference_held_and_not_reported_must_be_reported(personas: Any, units: Any) -> None:
    conference = _vinh_conference(units)
    ConferenceReport.objects.filter(conference=conference).delete()
    report = [row for row in _campaign(personas.vinh_officer) if row.kind == "report"]
    assert [(row.title, row.due_on, row.url) for row in report] == [
        (
            f"Báo cáo kết quả hội nghị ngày {conference.date:%d/%m/%Y}",
            conference.date,
            f"/hoc-tap/hoi-nghi/{conference.pk}/bao-cao/",
        )
    ]
    # Not before it takes place.
    before = conference.date - datetime.timedelta(days=1)
    assert [r for r in _campaign(personas.vinh_officer, before) if r.kind == "report"] == []


def test_each_officer_sees_only_the_units_under_their_own(personas: Any) -> None:
    nghiloc = _campaign(personas.nghiloc_officer)
    assert nghiloc and all("Vinh" not in row.unit and "Vinh" not in row.title for row in nghiloc)
    office = {row.title for row in _campaign(personas.province_office)}
    assert any(title.startswith("30 đơn vị cấp cơ sở") for title in office)


def test_who_does_not_act_for_a_unit_gets_no_campaign_line(personas: Any) -> None:
    assert _campaign(personas.board_member) == []
    assert _campaign(personas.editor) == []
    assert _campaign(personas.citizen) == []


def test_a_closed_plan_asks_nothing(personas: Any) -> None:
    Plan.objects.filter(state=PlanState.ISSUED).update(state=PlanState.CLOSED)
    assert _campaign(personas.vinh_officer) == []


def test_the_lines_take_three_queries_at_most_and_one_when_there_is_nothing(
    personas: Any, django_assert_num_queries: Any
) -> None:
    # The duties, the unit's conferences, the counts, the reminder runs.
    with django_assert_num_queries(4):
        _campaign(personas.vinh_officer)
    with django_assert_num_queries(1):
        _campaign(personas.board_member)
    Plan.objects.filter(state=PlanState.ISSUED).update(state=PlanState.CLOSED)
    with django_assert_num_queries(1):
        _campaign(personas.province_office)


def test_the_home_page_shows_the_line_with_its_plan(personas: Any, client_for: Any) -> None:
    todo = todo_for(personas.vinh_officer, today=AS_OF)
    assert any(item.kind == "units_overdue" for item in todo.items)
    # Today the demo's deadlines are long past and some units held theirs late: fewer are left.
    (line,) = _campaign(personas.vinh_officer, timezone.localdate())
    page = client_for(personas.vinh_officer).get("/").content.decode()
    assert line.title in page and line.title.endswith("chưa tổ chức hội nghị, đã quá hạn")
    assert f"{line.url}" in page.replace("&amp;", "&") and "Học tập" in page


def test_the_overdue_line_says_when_reminders_were_last_sent_over_ones_units(
    personas: Any, units: Any
) -> None:
    from tinhuy.study.actions import do_send_reminders

    (line,) = _campaign(personas.vinh_officer)
    assert line.note == "chưa nhắc việc"
    plan = Plan.objects.get(state=PlanState.ISSUED)
    # Nghi Lộc's reminders are not Vinh's.
    do_send_reminders(
        plan, as_of=AS_OF, within_days=7, root=units.nghiloc, acting_user=personas.nghiloc_officer
    )
    assert _campaign(personas.vinh_officer)[0].note == "chưa nhắc việc"
    do_send_reminders(
        plan, as_of=AS_OF, within_days=7, root=units.vinh, acting_user=personas.vinh_officer
    )
    today = timezone.localdate()
    assert _campaign(personas.vinh_officer)[0].note == f"đã nhắc {today:%d/%m/%Y}"
    # A run over the whole province covers Vinh too; the office sees it on its own line.
    office = _campaign(personas.province_office)
    assert all(row.note == f"đã nhắc {today:%d/%m/%Y}" for row in office)
