"""Reminders of a study plan: who is due or overdue, escalation, e-mail, the page, the ICS feed.

The feed's writer (escaping, folding) is tested in ``tests/documents/test_calendars.py``.

The demo plan's deadlines: province 30/11/2020, district level 30/12/2020, grassroots 30/01/2021.
In the sample, Quế Phong (415) holds nothing, Quỳ Châu (416) holds its conference late on
20/01/2021, and some grassroots organisations hold theirs in February or never.
"""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from icalendar import Calendar

from tinhuy.accounts.actions import do_create_user
from tinhuy.audit.models import AuditEvent
from tinhuy.org.access import scope_for
from tinhuy.org.actions import do_grant_membership, do_revoke_membership
from tinhuy.org.models import Membership, Role, Unit
from tinhuy.study import reminders as r
from tinhuy.study.access import ics_token
from tinhuy.study.actions import (
    ConferenceSpec,
    do_cancel_conference,
    do_register_conference,
    do_send_reminders,
)
from tinhuy.study.compliance import Status, UnitProgress
from tinhuy.study.models import Conference
from tinhuy.study.queries import UnitRow
from tinhuy.study.reports import length_label

D = datetime.date
GRASSROOTS_DEADLINE = D(2021, 1, 30)


# --- Pure selection, case by case ------------------------------------------------------------


def row(
    code: str,
    path: str,
    status: Status,
    deadline: D = GRASSROOTS_DEADLINE,
    role: str = "host",
    level_id: int = 3,
) -> UnitRow:
    unit_id = int(path.strip("/").split("/")[-1])
    progress = UnitProgress(unit_id=unit_id, path=path, level_id=level_id, role=role, status=status)
    return UnitRow(unit_id, f"Đơn vị {code}", code, code, "Cấp cơ sở", deadline, progress)


@pytest.mark.parametrize(
    ("status", "as_of", "role", "due"),
    [
        (Status.NOT_SCHEDULED, D(2021, 1, 23), "host", True),  # 7 days left: due
        (Status.NOT_SCHEDULED, D(2021, 1, 22), "host", False),  # 8 days left: not yet
        (Status.SCHEDULED, D(2021, 1, 25), "host", True),  # scheduled, not held: still due
        (Status.NOT_SCHEDULED, D(2021, 1, 30), "host", True),  # the deadline day itself
        (Status.HELD_ON_TIME, D(2021, 1, 25), "host", False),
        (Status.HELD_LATE, D(2021, 1, 25), "host", False),
        (Status.MISSING, D(2021, 1, 31), "host", False),  # overdue, not due
        (Status.NOT_SCHEDULED, D(2021, 1, 25), "participant", False),  # bridge points: no
    ],
)
def test_a_host_is_due_when_unheld_and_the_deadline_is_at_most_n_days_away(
    status: Status, as_of: D, role: str, due: bool
) -> None:
    """Due: host role, not scheduled or scheduled, 0 ≤ deadline − as-of ≤ N (here 7)."""
    progress = row("X", "/1/2/3/", status, role=role).progress
    assert r.is_due(progress, GRASSROOTS_DEADLINE, as_of, 7) is due


@pytest.mark.parametrize(
    ("status", "role", "overdue"),
    [
        (Status.MISSING, "host", True),
        (Status.MISSING, "participant", False),
        (Status.HELD_LATE, "host", False),  # held late is late, not overdue
        (Status.SCHEDULED, "host", False),
        (Status.NOT_SCHEDULED, "host", False),
    ],
)
def test_a_host_is_overdue_only_when_its_status_is_missing(
    status: Status, role: str, overdue: bool
) -> None:
    assert r.is_overdue(row("X", "/1/2/3/", status, role=role).progress) is overdue


def test_select_counts_days_left_for_due_units_and_days_past_for_overdue_ones() -> None:
    """Rows keep their order; a held unit is in neither list."""
    rows = [
        row("A", "/1/2/10/", Status.NOT_SCHEDULED),
        row("B", "/1/2/11/", Status.HELD_ON_TIME),
        row("C", "/1/2/12/", Status.MISSING, deadline=D(2021, 1, 20)),
        row("D", "/1/2/13/", Status.SCHEDULED),
    ]
    due, overdue = r.select(rows, D(2021, 1, 25), 7)
    assert [(x.unit.code, x.kind, x.days) for x in due] == [("A", "due", 5), ("D", "due", 5)]
    assert [(x.unit.code, x.kind, x.days) for x in overdue] == [("C", "overdue", 5)]


def ref(code: str, path: str) -> r.UnitRef:
    return r.UnitRef(int(path.strip("/").split("/")[-1]), code, code, path, "Cấp huyện", code)


def test_escalation_sends_one_message_per_parent_listing_its_overdue_children() -> None:
    """Two overdue children of one district and one of another: two escalations; the district
    escalation carries the earliest deadline and the largest delay."""
    overdue = [
        r.Reminder(r.Kind.OVERDUE, ref("A1", "/1/2/10/"), 3, D(2021, 1, 30), 2, Status.MISSING),
        r.Reminder(r.Kind.OVERDUE, ref("A2", "/1/2/11/"), 3, D(2021, 1, 20), 12, Status.MISSING),
        r.Reminder(r.Kind.OVERDUE, ref("B1", "/1/3/12/"), 3, D(2021, 1, 30), 2, Status.MISSING),
    ]
    parents = {2: ref("A", "/1/2/"), 3: ref("B", "/1/3/")}
    escalations = r.escalate(overdue, parents, "/1/")
    assert [(e.unit.code, [c.unit.code for c in e.children]) for e in escalations] == [
        ("A", ["A1", "A2"]),
        ("B", ["B1"]),
    ]
    assert escalations[0].kind == r.Kind.ESCALATION
    assert (escalations[0].deadline, escalations[0].days) == (D(2021, 1, 20), 12)


def test_escalation_skips_parents_outside_the_run_and_the_top_unit() -> None:
    """A district's own run does not escalate the district to the province; the province,
    having no parent, is escalated to nobody."""
    overdue = [
        r.Reminder(r.Kind.OVERDUE, ref("A", "/1/2/"), 2, D(2020, 12, 30), 5, Status.MISSING),
        r.Reminder(r.Kind.OVERDUE, ref("A1", "/1/2/10/"), 3, D(2021, 1, 30), 2, Status.MISSING),
        r.Reminder(r.Kind.OVERDUE, ref("P", "/1/"), 1, D(2020, 11, 30), 9, Status.MISSING),
    ]
    parents = {1: ref("P", "/1/"), 2: ref("A", "/1/2/")}
    assert [e.unit.code for e in r.escalate(overdue, parents, "/1/2/")] == ["A"]
    assert [e.unit.code for e in r.escalate(overdue, parents, "/1/")] == ["P", "A"]


@pytest.mark.parametrize(
    ("sessions", "label"), [(1, "1 buổi"), (2, "1 ngày"), (3, "3 buổi"), (4, "2 ngày")]
)
def test_lengths_read_as_offices_write_them(sessions: int, label: str) -> None:
    assert length_label(sessions) == label


# --- The demo plan, as of three dates -----------------------------------------------------------


def codes(reminders: list[r.Reminder]) -> set[str]:
    return {x.unit.code for x in reminders}


def grassroots_not_held_by(plan, day: D) -> set[str]:  # type: ignore[no-untyped-def]
    """Grassroots organisations with no conference dated on or before ``day``, read straight
    from the conferences (independently of ``plan_progress``)."""
    held = Conference.objects.filter(plan=plan, date__lte=day, host__level__code="co-so")
    return set(
        Unit.objects.filter(structure=plan.structure, level__code="co-so")
        .exclude(pk__in=held.values("host_id"))
        .values_list("code", flat=True)
    )


def run(plan, day: D, within: int = 7, root: Unit | None = None, scope=r.EVERYTHING):  # type: ignore[no-untyped-def]
    return r.reminders_for(plan, root or plan.issuing_unit, scope, day, within)


def test_on_15_01_2021_nothing_is_due_and_two_districts_are_overdue(plan_2020) -> None:  # type: ignore[no-untyped-def]
    """The grassroots deadline is 15 days away; Quế Phong has held nothing and Quỳ Châu's
    conference (20/01) is still ahead, both past the 30/12/2020 deadline. The province gets
    one escalation listing both."""
    result = run(plan_2020, D(2021, 1, 15))
    assert result.due == []
    assert codes(result.overdue) == {"415", "416"}
    assert all(x.days == 16 for x in result.overdue)
    assert [(e.unit.code, codes(list(e.children))) for e in result.escalations] == [
        ("40", {"415", "416"})
    ]


def test_on_15_01_2021_a_15_day_window_reaches_the_grassroots_deadline(plan_2020) -> None:  # type: ignore[no-untyped-def]
    result = run(plan_2020, D(2021, 1, 15), within=15)
    assert codes(result.due) == grassroots_not_held_by(plan_2020, D(2021, 1, 15))
    assert {x.days for x in result.due} == {15}
    assert run(plan_2020, D(2021, 1, 15), within=14).due == []


def test_on_25_01_2021_grassroots_not_yet_held_are_due_and_quy_chau_is_no_longer_overdue(
    plan_2020,  # type: ignore[no-untyped-def]
) -> None:
    """Quỳ Châu held its conference late on 20/01: late, not overdue. Quế Phong still is."""
    result = run(plan_2020, D(2021, 1, 25))
    expected = grassroots_not_held_by(plan_2020, D(2021, 1, 25))
    assert {f"415-CS0{i}" for i in range(1, 7)} <= expected  # Quế Phong's: nothing at all
    assert codes(result.due) == expected
    assert {x.days for x in result.due} == {5}
    assert {x.status for x in result.due} == {Status.NOT_SCHEDULED, Status.SCHEDULED}
    assert codes(result.overdue) == {"415"}
    assert [e.unit.code for e in result.escalations] == ["40"]


def test_on_01_02_2021_the_grassroots_deadline_has_passed(plan_2020) -> None:  # type: ignore[no-untyped-def]
    """Nothing is due any more; every grassroots organisation without a conference by 30/01
    is overdue, and each of their districts gets one escalation listing them."""
    result = run(plan_2020, D(2021, 2, 1))
    missing = grassroots_not_held_by(plan_2020, GRASSROOTS_DEADLINE)
    assert result.due == []
    assert codes(result.overdue) == missing | {"415"}
    parents = [e.unit.code for e in result.escalations]
    assert len(parents) == len(set(parents))  # one message per parent
    assert set(parents) == {code.split("-CS")[0] for code in missing} | {"40"}
    que_phong = next(e for e in result.escalations if e.unit.code == "415")
    assert codes(list(que_phong.children)) == {f"415-CS0{i}" for i in range(1, 7)}
    assert que_phong.days == 2


def test_texts_name_the_plan_level_deadline_days_and_what_to_do(plan_2020) -> None:  # type: ignore[no-untyped-def]
    result = run(plan_2020, D(2021, 1, 25))
    due = next(x for x in result.due if x.status == Status.NOT_SCHEDULED)
    assert due.text.startswith(f"Kính gửi: {due.unit.name}\n")
    assert plan_2020.title in due.text
    assert "số 01-KH/TU, ngày 03/11/2020" in due.text
    assert "ở cấp cơ sở" in due.text
    assert "Thời lượng: 1 buổi." in due.text
    assert "Hạn hoàn thành: 30/01/2021 (còn 5 ngày, tính đến ngày 25/01/2021)." in due.text
    assert "chưa đăng ký lịch hội nghị" in due.text
    assert "30/01/2021" in due.subject and due.unit.name in due.subject
    scheduled = next(x for x in result.due if x.status == Status.SCHEDULED)
    assert "Đơn vị đã đăng ký lịch hội nghị." in scheduled.text

    (overdue,) = result.overdue
    assert "Hạn hoàn thành: 30/12/2020 (đã quá hạn 26 ngày" in overdue.text
    assert "ở cấp huyện và tương đương" in overdue.text
    assert "nêu rõ lý do chậm trễ" in overdue.text
    (escalation,) = result.escalations
    assert escalation.text.startswith("Kính gửi: Đảng bộ tỉnh Nghệ An\n")
    assert (
        "1. Đảng bộ huyện Quế Phong (mã 415): cấp huyện và tương đương, hạn 30/12/2020, "
        "quá hạn 26 ngày." in escalation.text
    )
    assert "\n\n\n" not in escalation.text  # template tags leave no holes


def test_a_unit_office_run_covers_its_subtree_and_escalates_only_to_itself(
    plan_2020,
    personas,
    units,  # type: ignore[no-untyped-def]
) -> None:
    result = run(plan_2020, D(2021, 2, 1), root=units.vinh, scope=scope_for(personas.vinh_officer))
    assert result.overdue
    assert all(x.unit.code.startswith("412-") for x in result.overdue)
    assert [e.unit.code for e in result.escalations] == ["412"]


# --- Sending e-mail --------------------------------------------------------------------------


def officer(username: str, unit: Unit, role: str = Role.OFFICE_OFFICER) -> str:
    """A new account with an address and a membership; returns the address."""
    user = do_create_user(username, password="mat-khau-1", acting_user=None)
    # do_create_user takes no e-mail address yet, so the address is set here.
    user.email = f"{username}@nghean.dcs.vn"
    user.save(update_fields=["email"])
    do_grant_membership(user, unit, role, acting_user=None)
    return user.email


@pytest.fixture
def addresses(units):  # type: ignore[no-untyped-def]
    """Quế Phong's office officer and head, a board member there (who gets no reminders), the
    province's office officer, and the head of a Vinh grassroots organisation."""
    que_phong = Unit.objects.get(structure=units.structure_2020, code="415")
    board = do_create_user("btv-qp", password="mat-khau-1", acting_user=None)
    board.email = "btv-qp@nghean.dcs.vn"
    board.save(update_fields=["email"])
    do_grant_membership(board, que_phong, Role.BOARD_MEMBER, acting_user=None)
    return {
        "que_phong": {officer("qp-vp", que_phong), officer("qp-bt", que_phong, Role.UNIT_HEAD)},
        "province": {officer("tu-vp", units.province_2020)},
        "vinh_grassroots": {officer("cs01-bt", units.vinh_grassroots, Role.UNIT_HEAD)},
    }


def sent_mail(outbox) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    return {m.subject: set(m.to) for m in outbox}


def send(plan, day: D, user=None, **kw):  # type: ignore[no-untyped-def]
    return do_send_reminders(plan, as_of=day, within_days=7, acting_user=user, **kw)


def test_it_emails_each_units_officers_and_escalates_to_the_parents_officers(
    plan_2020,
    units,
    personas,
    addresses,
    mailoutbox,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    """As of 25/01/2021: Quế Phong is overdue (its officer and head), the province gets the
    escalation (its officer), the Vinh grassroots organisation is due (its head). Units with
    nobody to write to get no mail."""
    assert units.vinh_grassroots.code in codes(run(plan_2020, D(2021, 1, 25)).due)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = send(plan_2020, D(2021, 1, 25), personas.province_office)

    by_recipients = {frozenset(m.to): m for m in mailoutbox}
    assert set(by_recipients) == {frozenset(a) for a in addresses.values()}
    overdue = by_recipients[frozenset(addresses["que_phong"])]
    assert overdue.subject.startswith("Quá hạn học tập, quán triệt Nghị quyết 26 ngày")
    assert "Kính gửi: Đảng bộ huyện Quế Phong" in overdue.body
    escalation = by_recipients[frozenset(addresses["province"])]
    assert "Đảng bộ huyện Quế Phong (mã 415)" in escalation.body
    due = by_recipients[frozenset(addresses["vinh_grassroots"])]
    assert "còn 5 ngày" in due.body
    assert outcome.emails == 3
    assert outcome.no_recipients  # the other due units have no addresses


def test_one_audit_event_per_run_records_counts_and_unit_codes(
    plan_2020,
    units,
    personas,
    addresses,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    before = AuditEvent.objects.filter(action=r.AUDIT_ACTION).count()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = send(plan_2020, D(2021, 1, 25), personas.province_office)
    events = list(AuditEvent.objects.filter(action=r.AUDIT_ACTION))
    assert len(events) == before + 1
    event = events[0]
    assert (event.actor, event.unit, event.target_id) == (
        personas.province_office,
        units.province_2020,
        str(plan_2020.pk),
    )
    assert event.after["as_of"] == "2021-01-25"
    assert event.after["sent"] == {
        "due": [units.vinh_grassroots.code],
        "overdue": ["415"],
        "escalation": ["40"],
    }
    assert event.after["counts"] == {
        "due": 1,
        "overdue": 1,
        "escalation": 1,
        "emails": 3,
        "already_sent": 0,
        "no_recipients": len(outcome.no_recipients),
    }


def test_a_second_run_sends_nothing_new(
    plan_2020,
    personas,
    addresses,
    mailoutbox,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    """Same plan, unit, kind and as-of date: not sent again; the run still has its event."""
    with django_capture_on_commit_callbacks(execute=True):
        send(plan_2020, D(2021, 1, 25), personas.province_office)
    assert len(mailoutbox) == 3
    with django_capture_on_commit_callbacks(execute=True):
        second = send(plan_2020, D(2021, 1, 25), None)
    assert len(mailoutbox) == 3
    assert second.emails == 0
    assert len(second.already_sent) == 3
    latest = AuditEvent.objects.filter(action=r.AUDIT_ACTION).first()
    assert latest is not None
    assert latest.after["sent"] == {"due": [], "overdue": [], "escalation": []}
    assert latest.after["counts"]["already_sent"] == 3


def test_a_new_as_of_date_is_a_new_reminder(
    plan_2020,
    personas,
    addresses,
    mailoutbox,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        send(plan_2020, D(2021, 1, 25), personas.province_office)
        send(plan_2020, D(2021, 1, 26), personas.province_office)
    assert len(mailoutbox) == 6
    assert sum("còn 4 ngày" in m.body for m in mailoutbox) == 1


def test_a_unit_without_an_address_gets_its_reminder_once_it_has_one(
    plan_2020,
    units,
    mailoutbox,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    """A reminder nobody could receive is not recorded as sent."""
    with django_capture_on_commit_callbacks(execute=True):
        first = send(plan_2020, D(2021, 1, 25))
    assert first.emails == 0
    assert "415" in {x.unit.code for x in first.no_recipients}
    officer("qp-vp", Unit.objects.get(structure=units.structure_2020, code="415"))
    with django_capture_on_commit_callbacks(execute=True):
        second = send(plan_2020, D(2021, 1, 25))
    assert [x.unit.code for x in second.to_send] == ["415"]
    assert [m.to for m in mailoutbox] == [["qp-vp@nghean.dcs.vn"]]


def test_mail_leaves_only_after_the_commit(
    plan_2020,
    addresses,
    mailoutbox,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send(plan_2020, D(2021, 1, 25))
    assert mailoutbox == []
    assert len(callbacks) == 1


def test_inactive_users_and_other_roles_get_no_mail(units, addresses) -> None:  # type: ignore[no-untyped-def]
    que_phong = Unit.objects.get(structure=units.structure_2020, code="415")
    user = get_user_model().objects.get(username="qp-bt")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert r.recipients_by_unit([que_phong.pk]) == {que_phong.pk: ("qp-vp@nghean.dcs.vn",)}


def test_a_draft_plan_sends_no_reminders(plan_2025) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="đã ban hành"):
        do_send_reminders(plan_2025, as_of=D(2025, 12, 1), within_days=7, acting_user=None)
    assert not AuditEvent.objects.filter(action=r.AUDIT_ACTION).exists()


# --- The command --------------------------------------------------------------------------------


def command(*args: str) -> str:
    out = io.StringIO()
    call_command("study_remind", *args, stdout=out)
    return out.getvalue()


def test_the_command_explains_itself_with_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        call_command("study_remind", "--help")
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert "--plan ID" in text and "--as-of" in text and "--within" in text and "--dry-run" in text
    assert "quá hạn" in text.split("\n\n")[1]


def test_the_command_dry_run_prints_what_it_would_send_and_sends_nothing(
    plan_2020,
    addresses,
    mailoutbox,  # type: ignore[no-untyped-def]
) -> None:
    out = command("--plan", str(plan_2020.pk), "--as-of", "25/01/2021", "--dry-run")
    assert "Quá hạn — Đảng bộ huyện Quế Phong (415) → " in out
    assert "Báo cáo cấp trên — Đảng bộ tỉnh Nghệ An (40) → tu-vp@nghean.dcs.vn" in out
    assert out.rstrip().endswith("Sẽ gửi 3 thư nhắc (chạy thử, chưa gửi gì).")
    assert mailoutbox == []
    assert not AuditEvent.objects.filter(action=r.AUDIT_ACTION).exists()


def test_the_command_sends_prints_and_then_skips_what_it_sent(
    plan_2020,
    addresses,
    mailoutbox,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        out = command("--plan", str(plan_2020.pk), "--as-of", "25/01/2021", "-v", "2")
    assert "Đã gửi 3 thư nhắc." in out
    assert "  Kính gửi: Đảng bộ huyện Quế Phong" in out  # -v 2 prints the texts
    assert len(mailoutbox) == 3
    with django_capture_on_commit_callbacks(execute=True):
        again = command("--plan", str(plan_2020.pk), "--as-of", "25/01/2021")
    assert "Bỏ qua 3 lời nhắc đã gửi cho ngày 25/01/2021." in again
    assert "Đã gửi 0 thư nhắc." in again
    assert len(mailoutbox) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--as-of", "31/02/2021"), "không hợp lệ"),
        (("--as-of", "2021-01-25"), "không hợp lệ"),
        (("--within", "-1"), "--within"),
    ],
)
def test_the_command_rejects_bad_options(plan_2020, args, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match=message):
        command("--plan", str(plan_2020.pk), *args)


def test_the_command_rejects_an_unknown_or_draft_plan(plan_2025) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="Không có kế hoạch mã 999999"):
        command("--plan", "999999")
    with pytest.raises(CommandError, match="đã ban hành"):
        command("--plan", str(plan_2025.pk), "--dry-run")


# --- The page ---------------------------------------------------------------------------------


def page(plan, **params: object) -> str:  # type: ignore[no-untyped-def]
    from urllib.parse import urlencode

    url = reverse("study_reminders", args=[plan.pk])
    return f"{url}?{urlencode(params)}" if params else url


def test_the_anonymous_citizen_is_sent_to_log_in(client_for, personas, plan_2020) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.citizen)
    for response in (client.get(page(plan_2020)), client.post(page(plan_2020))):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_vinh_officer_sees_only_vinhs_subtree(client_for, personas, units, plan_2020) -> None:  # type: ignore[no-untyped-def]
    response = client_for(personas.vinh_officer).get(page(plan_2020, ngay="01/02/2021"))
    assert response.status_code == 200
    body = response.content.decode()
    assert response.context["root"] == units.vinh
    overdue = codes(response.context["reminders"].overdue)
    assert overdue and all(code.startswith("412-") for code in overdue)
    assert "Nghi Lộc" not in body
    assert "Đảng bộ huyện Quế Phong" not in body


def test_another_districts_unit_is_404_for_the_vinh_officer(
    client_for,
    personas,
    units,
    plan_2020,  # type: ignore[no-untyped-def]
) -> None:
    client = client_for(personas.vinh_officer)
    assert client.get(page(plan_2020, don_vi=units.nghiloc.pk)).status_code == 404
    assert client.post(page(plan_2020, don_vi=units.nghiloc.pk)).status_code == 404
    assert client.get(page(plan_2020, don_vi="abc")).status_code == 404
    assert client.get(reverse("study_reminders", args=[999999])).status_code == 404


@pytest.mark.parametrize("value", ["99999999999999999999", "9223372036854775808", "²", "9" * 5000])
def test_a_unit_id_beyond_any_key_is_404_and_a_huge_window_is_explained(
    client_for, personas, plan_2020, value
) -> None:  # type: ignore[no-untyped-def]
    """Never a 500: not a database overflow, not int()'s refusal of 4,300 digits."""
    client = client_for(personas.province_office)
    assert client.get(page(plan_2020, don_vi=value)).status_code == 404
    response = client.get(page(plan_2020, trong=value))
    assert response.status_code == 200
    assert response.context["within"] == r.DEFAULT_WITHIN_DAYS
    assert "không hợp lệ" in response.content.decode()


def test_each_unit_has_a_readonly_text_to_copy_and_the_page_offers_the_calendar(
    client_for,
    personas,
    units,
    plan_2020,  # type: ignore[no-untyped-def]
) -> None:
    response = client_for(personas.province_office).get(
        page(plan_2020, ngay="25/01/2021", trong="7")
    )
    body = response.content.decode()
    assert body.count("<textarea") == len(response.context["reminders"].all) > 0
    assert re.search(r'<textarea id="overdue-\d+"[^>]* readonly>Kính gửi: Đảng bộ huyện Quế', body)
    assert 'data-copy-target="overdue-' in body
    assert "Sao chép" in body
    assert "study/reminders.js" in body
    assert "Đăng ký lịch (ICS)" in body
    assert reverse("study_unit_ics", args=[units.province_2020.pk]) + "?token=" in body
    assert "Gửi thư nhắc" in body


def test_a_bad_date_or_window_is_explained_and_today_is_shown(
    client_for,
    personas,
    plan_2020,  # type: ignore[no-untyped-def]
) -> None:
    response = client_for(personas.vinh_officer).get(page(plan_2020, ngay="31/02/2021", trong="x"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ngày “31/02/2021” không hợp lệ" in body
    assert "Số ngày “x” không hợp lệ" in body
    assert response.context["within"] == r.DEFAULT_WITHIN_DAYS


def test_a_draft_plan_has_nothing_to_remind(client_for, personas, plan_2025) -> None:  # type: ignore[no-untyped-def]
    response = client_for(personas.province_office).get(page(plan_2025))
    assert response.status_code == 200
    assert "Kế hoạch chưa ban hành hoặc đã kết thúc" in response.content.decode()
    assert "Gửi thư nhắc" not in response.content.decode()


def test_the_board_member_reads_but_cannot_send(client_for, personas, plan_2020) -> None:  # type: ignore[no-untyped-def]
    client = client_for(personas.board_member)
    response = client.get(page(plan_2020, ngay="25/01/2021"))
    assert response.status_code == 200
    assert "Gửi thư nhắc" not in response.content.decode()
    assert client.post(page(plan_2020, ngay="25/01/2021")).status_code == 403
    assert not AuditEvent.objects.filter(action=r.AUDIT_ACTION).exists()


def test_the_vinh_officer_sends_for_vinhs_subtree_only(
    client_for,
    personas,
    units,
    plan_2020,
    mailoutbox,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    """Posting sends Vinh's reminders (and its escalation), then shows the page again."""
    vinh_head = officer("vinh-bt", units.vinh, Role.UNIT_HEAD)
    que_phong = officer("qp-vp", Unit.objects.get(structure=units.structure_2020, code="415"))
    client = client_for(personas.vinh_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page(plan_2020, ngay="01/02/2021"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("study_reminders", args=[plan_2020.pk]))
    assert "Đã gửi 1 thư nhắc." in response.content.decode()
    assert [m.to for m in mailoutbox] == [[vinh_head]]
    assert que_phong not in {to for m in mailoutbox for to in m.to}
    event = AuditEvent.objects.filter(action=r.AUDIT_ACTION).get()
    assert (event.actor, event.unit) == (personas.vinh_officer, units.vinh)
    assert event.after["sent"]["escalation"] == ["412"]
    assert 'class="badge text-bg-success"' in response.content.decode()  # marked as sent


def test_the_page_query_count_is_bounded(
    client_for,
    personas,
    plan_2020,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    """As of 01/02/2021 the province page lists ~30 overdue units and ~20 escalations."""
    client = client_for(personas.province_office)
    with django_assert_max_num_queries(20):
        response = client.get(page(plan_2020, ngay="01/02/2021"))
    assert len(response.context["reminders"].all) > 40


# --- The ICS feed --------------------------------------------------------------------------------


def parse_ics(body: bytes) -> list[dict[str, str]]:
    """A tiny RFC 5545 reader: CRLF lines of at most 75 octets, unfolded; BEGIN/END nested
    correctly; returns the VEVENTs as {property (with parameters): value}."""
    text = body.decode()
    assert text.endswith("\r\n")
    physical = text.split("\r\n")[:-1]
    assert not any("\n" in line or "\r" in line for line in physical)
    assert all(len(line.encode()) <= 75 for line in physical)
    logical: list[str] = []
    for line in physical:
        if line.startswith(" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    stack: list[str] = []
    events: list[dict[str, str]] = []
    for line in logical:
        name, _, value = line.partition(":")
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                events.append({})
        elif name == "END":
            assert stack.pop() == value
        elif stack and stack[-1] == "VEVENT":
            events[-1][name] = value
    assert stack == []
    assert logical[0] == "BEGIN:VCALENDAR" and logical[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in logical
    assert any(line.startswith("X-WR-CALNAME:") for line in logical)
    return events


def ics_url(user, unit: Unit, token: str | None = None) -> str:  # type: ignore[no-untyped-def]
    token = ics_token(user, unit) if token is None else token
    return reverse("study_unit_ics", args=[unit.pk]) + f"?token={token}"


def test_the_feed_parses_with_deadlines_and_conferences(
    client,
    personas,
    units,
    plan_2020,  # type: ignore[no-untyped-def]
) -> None:
    """Vinh's calendar: its district-level deadline (all day), its own conference and the
    province conference it attends as a bridge point, each with a stable UID."""
    response = client.get(ics_url(personas.vinh_officer, units.vinh))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events = parse_ics(response.content)
    by_uid = {e["UID"]: e for e in events}
    rule = plan_2020.rules.get(level__code="huyen")
    deadline = by_uid[f"plan-{plan_2020.pk}-rule-{rule.pk}-unit-{units.vinh.pk}@tinhuy"]
    assert deadline["DTSTART;VALUE=DATE"] == "20201230"
    assert deadline["DTEND;VALUE=DATE"] == "20201231"
    assert deadline["SUMMARY"] == "Hạn hội nghị học tập\\, quán triệt — Cấp huyện và tương đương"
    assert "số 01-KH/TU\\, ngày 03/11/2020)\\nĐối tượng:" in deadline["DESCRIPTION"]
    own = Conference.objects.get(plan=plan_2020, host=units.vinh)
    conference = by_uid[f"conference-{own.pk}-unit-{units.vinh.pk}@tinhuy"]
    assert conference["DTSTART;VALUE=DATE"] == own.date.strftime("%Y%m%d")
    assert conference["LOCATION"] == "Hội trường Đảng bộ thành phố Vinh"
    bridge = next(e for uid, e in by_uid.items() if "-bridge-" in uid)
    assert bridge["DTSTART;VALUE=DATE"] == "20201117"
    assert all(re.fullmatch(r"\d{8}T\d{6}Z", e["DTSTAMP"]) for e in events)
    assert len(events) == 3


def test_a_conference_with_a_start_time_is_a_timed_event_in_utc(
    client,
    personas,
    units,
    plan_2020,  # type: ignore[no-untyped-def]
) -> None:
    """07:30 in Vinh is 00:30 UTC; one session lasts four hours."""
    conference = do_register_conference(
        plan_2020,
        ConferenceSpec(
            host=units.vinh_grassroots,
            date=D(2021, 1, 28),
            start_time=datetime.time(7, 30),
            length_sessions=1,
            venue="Nhà văn hóa khối 5; phường Hưng Bình, Vinh",
        ),
        acting_user=None,
    )
    events = parse_ics(client.get(ics_url(personas.vinh_officer, units.vinh_grassroots)).content)
    event = next(e for e in events if e["UID"].startswith(f"conference-{conference.pk}-"))
    assert (event["DTSTART"], event["DTEND"]) == ("20210128T003000Z", "20210128T043000Z")
    assert event["LOCATION"] == "Nhà văn hóa khối 5\\; phường Hưng Bình\\, Vinh"
    deadlines = [e for e in events if e["UID"].startswith("plan-")]
    assert [e["DTSTART;VALUE=DATE"] for e in deadlines] == ["20210130"]


def forged(token: str) -> str:
    value, _, signature = token.rpartition(":")
    return f"{value}:{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"


def test_a_forged_absent_or_foreign_token_is_404(client, personas, units) -> None:  # type: ignore[no-untyped-def]
    good = ics_token(personas.vinh_officer, units.vinh)
    other_salt = signing.dumps({"u": personas.vinh_officer.pk, "unit": units.vinh.pk})
    for url in (
        reverse("study_unit_ics", args=[units.vinh.pk]),
        ics_url(personas.vinh_officer, units.vinh, token=""),
        ics_url(personas.vinh_officer, units.vinh, token=forged(good)),
        ics_url(personas.vinh_officer, units.vinh, token=other_salt),
        ics_url(personas.vinh_officer, units.vinh, token="rubbish"),
        # A genuine token for Vinh does not open Nghi Lộc's calendar.
        reverse("study_unit_ics", args=[units.nghiloc.pk]) + f"?token={good}",
        # Signed, but the Vinh officer does not see Nghi Lộc.
        ics_url(personas.vinh_officer, units.nghiloc),
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(ics_url(personas.vinh_officer, units.vinh)).status_code == 200


def test_the_feed_closes_when_the_user_loses_the_unit(client, personas, units) -> None:  # type: ignore[no-untyped-def]
    url = ics_url(personas.vinh_officer, units.vinh)
    assert client.get(url).status_code == 200
    membership = Membership.objects.get(user=personas.vinh_officer, unit=units.vinh)
    do_revoke_membership(membership, acting_user=None)
    assert client.get(url).status_code == 404


def test_the_feed_query_count_is_bounded(
    client,
    personas,
    units,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    url = ics_url(personas.province_office, units.province_2020)
    # The link's generation (revocable links, tinhuy.accounts.models.FeedKey) is the seventh.
    with django_assert_max_num_queries(7):
        assert client.get(url).status_code == 200


def test_the_feed_is_valid_icalendar_and_names_nothing_outside_the_unit(
    client,
    personas,
    units,
    plan_2020,  # type: ignore[no-untyped-def]
) -> None:
    """Parsed back by ``icalendar``: every event complete; the Vinh grassroots feed holds its
    own deadline and conferences only: not a cancelled one, not another unit's (a Nghi Lộc
    conference on the same day), and no unit's name but its own."""
    own = do_register_conference(
        plan_2020,
        ConferenceSpec(host=units.vinh_grassroots, date=D(2021, 1, 27), length_sessions=1),
        acting_user=None,
    )
    cancelled = do_register_conference(
        plan_2020,
        ConferenceSpec(host=units.vinh_grassroots, date=D(2021, 1, 28), length_sessions=1),
        acting_user=None,
    )
    do_cancel_conference(cancelled, acting_user=None)
    nghiloc_grassroots = Unit.objects.get(structure=units.structure_2020, code="429-CS02")
    other = do_register_conference(
        plan_2020,
        ConferenceSpec(host=nghiloc_grassroots, date=D(2021, 1, 27), length_sessions=1),
        acting_user=None,
    )
    response = client.get(ics_url(personas.vinh_officer, units.vinh_grassroots))
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    for event in events:
        for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "TRANSP"):
            assert name in event, name
        assert event.decoded("DTSTART") < event.decoded("DTEND")
    uids = {str(event["UID"]) for event in events}
    assert f"conference-{own.pk}-unit-{units.vinh_grassroots.pk}@tinhuy" in uids
    assert not any(f"conference-{cancelled.pk}-" in uid for uid in uids)
    assert not any(f"conference-{other.pk}-" in uid for uid in uids)
    text = " ".join(
        str(event.get(name, "")) for event in events for name in ("SUMMARY", "DESCRIPTION")
    )
    others = Unit.objects.filter(structure=units.structure_2020).exclude(
        pk=units.vinh_grassroots.pk
    )
    assert [unit.name for unit in others if unit.name in text] == []
