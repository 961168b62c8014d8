"""Reminders of programme work: late reports and overdue tasks, one message per lead unit to its
office officers and heads, never naming another unit's task, never twice the same day.

The running programme's Q1 2021 cycle is due 10/04/2021. As of 15/04/2021 both tasks sent no
report (late: 5 days); the department's task is due 31/12/2022, Vinh's 31/12/2021, so neither is
overdue. As of 05/01/2022 Vinh's task is overdue too. The department has an office officer with
an address; TP Vinh's office officer is given one; a Vinh grassroots head never receives Vinh's.
"""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from tests.programs.running import Running, running_fixture  # noqa: F401 - the fixture
from tinhuy.accounts.actions import do_create_user
from tinhuy.audit.models import AuditEvent
from tinhuy.org.actions import do_grant_membership
from tinhuy.org.models import Role, Unit
from tinhuy.programs import actions
from tinhuy.programs import reminders as r
from tinhuy.programs.models import NodeStatus

pytestmark = pytest.mark.django_db

D = datetime.date


def account(username: str, unit: Unit, role: str) -> str:
    user = do_create_user(username, password="mat-khau-1", acting_user=None)
    user.email = f"{username}@nghean.dcs.vn"
    user.save(update_fields=["email"])
    do_grant_membership(user, unit, role, acting_user=None)
    return user.email


@pytest.fixture
def addresses(running: Running, agencies: Any, units: Any) -> dict[str, str]:
    return {
        "planning": account("vp-skhdt", agencies.planning, Role.OFFICE_OFFICER),
        "vinh": account("vp-vinh-ct", units.vinh, Role.OFFICE_OFFICER),
        "grassroots": account("cs-vinh", units.vinh_grassroots, Role.UNIT_HEAD),
        "nghiloc": account("vp-nghiloc-ct", units.nghiloc, Role.OFFICE_OFFICER),
    }


def _mine(outcome: r.Outcome, running: Running) -> dict[int, r.UnitReminder]:
    """The reminders about the running programme's tasks (the demo may hold others)."""
    ids = {running.task.pk, running.vinh_task.pk}
    return {x.unit_id: x for x in outcome.to_send if any(i.node_id in ids for i in x.items)}


def test_each_lead_unit_is_reminded_of_its_own_late_reports_only(
    running: Running, addresses: dict[str, str], agencies: Any, units: Any
) -> None:
    outcome = r.plan_run(as_of=D(2021, 4, 15))
    mine = _mine(outcome, running)
    assert set(mine) == {agencies.planning.pk, units.vinh.pk}
    vinh = mine[units.vinh.pk]
    assert [(i.kind, i.node_id, i.days) for i in vinh.items] == [
        (r.Kind.LATE_REPORT, running.vinh_task.pk, 5)
    ]
    assert addresses["vinh"] in vinh.recipients
    assert addresses["grassroots"] not in vinh.recipients
    assert addresses["nghiloc"] not in vinh.recipients
    assert "Lập quy hoạch" not in vinh.text
    assert "Chỉnh trang đô thị <Vinh> & ven sông" in vinh.text
    assert "01/01/2021–31/03/2021" in vinh.text and "10/04/2021" in vinh.text
    planning = mine[agencies.planning.pk]
    assert planning.recipients == (addresses["planning"],)
    assert "Chỉnh trang" not in planning.text
    # Nobody outside a lead unit receives anything about these tasks.
    everyone = {a for x in mine.values() for a in x.recipients}
    assert everyone == {addresses["planning"], addresses["vinh"]}


def test_nothing_is_late_before_the_due_date_or_once_reported(
    running: Running, addresses: dict[str, str], personas: Any
) -> None:
    assert _mine(r.plan_run(as_of=D(2021, 4, 10)), running) == {}
    actions.do_report(
        running.vinh_task,
        running.cycle,
        actions.ReportSpec(NodeStatus.ON_TRACK, 20),
        acting_user=personas.vinh_officer,
    )
    mine = _mine(r.plan_run(as_of=D(2021, 4, 15)), running)
    assert all(i.node_id != running.vinh_task.pk for x in mine.values() for i in x.items)


def test_a_locked_cycle_is_not_reminded(
    running: Running, addresses: dict[str, str], personas: Any
) -> None:
    actions.do_close_cycle(running.cycle, acting_user=personas.province_office)
    assert _mine(r.plan_run(as_of=D(2021, 4, 15)), running) == {}


def test_overdue_tasks_are_reminded_with_the_late_reports(
    running: Running, addresses: dict[str, str], units: Any
) -> None:
    mine = _mine(r.plan_run(as_of=D(2022, 1, 5)), running)
    vinh = mine[units.vinh.pk]
    kinds = sorted((str(i.kind), i.node_id) for i in vinh.items)
    assert kinds == [
        ("late_report", running.vinh_task.pk),
        ("overdue", running.vinh_task.pk),
    ]
    assert "1 báo cáo tiến độ chậm, 1 nhiệm vụ quá hạn" in vinh.subject
    assert "quá 5 ngày" in vinh.text


def test_sending_mails_once_audits_and_skips_what_was_sent(
    running: Running,
    addresses: dict[str, str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    as_of = D(2021, 4, 15)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = actions.do_send_programme_reminders(as_of=as_of, acting_user=None)
    sent = [m for m in mail.outbox if addresses["vinh"] in m.to]
    assert len(sent) == 1
    assert sent[0].to == [addresses["vinh"]]
    event = AuditEvent.objects.filter(action=r.AUDIT_ACTION).latest("pk")
    assert f"{running.cycle.pk}:{running.vinh_task.pk}" in event.after["sent"]["late_report"]
    assert outcome.emails >= 2
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = actions.do_send_programme_reminders(as_of=as_of, acting_user=None)
    assert again.emails == 0
    assert not mail.outbox
    assert len(again.already_sent) >= 2


def test_a_unit_without_an_address_is_reported_not_recorded(running: Running) -> None:
    outcome = r.plan_run(as_of=D(2021, 4, 15))
    assert all(x.recipients for x in outcome.to_send)
    ids = {i.node_id for x in outcome.no_recipients for i in x.items}
    assert running.task.pk in ids  # nobody at the department has an address here


def test_the_command_prints_a_dry_run_and_refuses_a_bad_date(
    running: Running, addresses: dict[str, str]
) -> None:
    out = io.StringIO()
    call_command("programs_remind", "--as-of", "15/04/2021", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "1 báo cáo chậm, 0 nhiệm vụ quá hạn → " + addresses["vinh"] in text
    assert "chạy thử, chưa gửi gì" in text
    assert not mail.outbox
    with pytest.raises(CommandError, match="không hợp lệ"):
        call_command("programs_remind", "--as-of", "31/02/2021", stdout=io.StringIO())


def test_the_cli_knows_the_command() -> None:
    from tinhuy.cli import ALIASES, USAGE

    assert ALIASES["programs-remind"] == "programs_remind"
    assert "programs-remind" in USAGE
