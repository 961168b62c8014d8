"""Reminders of a study plan: units due soon, units overdue, escalation upward; the ICS feed.

Who is due or overdue is read from ``queries.plan_progress`` rows, never recomputed, so a
reminder can never disagree with the dashboard:

- **due**: a unit that must host a conference, has not held it (not scheduled, or scheduled),
  and whose deadline is at most N days away;
- **overdue**: a host whose status is *missing* (the deadline has passed, nothing held);
- **escalation**: one message per parent unit listing its overdue children, for parents inside
  the subtree the run covers.

Each reminder goes to the office officers and heads of its unit (``Membership`` roles), by
e-mail from ``do_send_reminders`` and as a text to copy into a messaging app on the page.
A reminder is identified by (plan, unit, kind, as-of date); the audit event of each run records
the ones it sent, and a later run skips them, so nobody is reminded twice of the same thing.

The second half writes a unit's calendar (deadlines and conferences) as RFC 5545 text for
calendar apps, which subscribe through a signed URL because they cannot log in.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhuy.audit.actions import record
from tinhuy.audit.models import AuditEvent
from tinhuy.org.access import Scope, scope_for
from tinhuy.org.models import Membership, Role, Unit
from tinhuy.study.compliance import STATUS_LABELS, Status, UnitProgress
from tinhuy.study.models import BridgePoint, Conference, LevelRule, Plan, PlanState
from tinhuy.study.queries import UnitRow, plan_progress

if TYPE_CHECKING:
    from tinhuy.org.access import AnyUser

AUDIT_ACTION = "study.reminders_sent"
# Who receives a unit's reminders: the people who can act on them there.
RECIPIENT_ROLES = (Role.OFFICE_OFFICER, Role.UNIT_HEAD)
DUE_STATUSES = frozenset({Status.NOT_SCHEDULED, Status.SCHEDULED})
DEFAULT_WITHIN_DAYS = 7
MAX_WITHIN_DAYS = 366
# The command runs for the whole plan, as the province office would.
EVERYTHING = Scope(everything=True, view_paths=(), change_paths=(), roles=frozenset())


class Kind(StrEnum):
    DUE = "due"
    OVERDUE = "overdue"
    ESCALATION = "escalation"


KIND_LABELS = {
    Kind.DUE: "Sắp đến hạn",
    Kind.OVERDUE: "Quá hạn",
    Kind.ESCALATION: "Báo cáo cấp trên",
}


@dataclass(frozen=True)
class UnitRef:
    id: int
    code: str
    name: str
    path: str
    level_name: str
    name_sort: str = ""

    @property
    def parent_id(self) -> int | None:
        """The parent's primary key, read from the materialised path ("/1/17/230/" → 17)."""
        parts = self.path.strip("/").split("/")
        return int(parts[-2]) if len(parts) > 1 else None


@dataclass
class Reminder:
    """One message to one unit; ``children`` are the overdue units an escalation lists."""

    kind: Kind
    unit: UnitRef
    level_id: int
    deadline: datetime.date
    days: int  # days left (due) or days past the deadline (overdue, escalation: the most)
    status: Status
    children: tuple[Reminder, ...] = ()
    subject: str = ""
    text: str = ""
    recipients: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        """What identifies the reminder within a plan and an as-of date."""
        return (str(self.kind), self.unit.code)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def parse_day(text: str) -> datetime.date:
    """A date written dd/mm/yyyy; ``ValueError`` for anything else (31/02/2021 included)."""
    return datetime.datetime.strptime(text.strip(), "%d/%m/%Y").date()  # noqa: DTZ007 - a date


# --- Selection: pure functions over progress rows ------------------------------------------------


def days_left(deadline: datetime.date, as_of: datetime.date) -> int:
    """Whole days from ``as_of`` to the deadline (0 on the deadline day, negative after it)."""
    return (deadline - as_of).days


def is_due(
    progress: UnitProgress, deadline: datetime.date, as_of: datetime.date, within_days: int
) -> bool:
    """A host that has not held its conference, with the deadline at most N days away."""
    return (
        progress.role == "host"
        and progress.status in DUE_STATUSES
        and 0 <= days_left(deadline, as_of) <= within_days
    )


def is_overdue(progress: UnitProgress) -> bool:
    """A host whose deadline has passed with nothing held (``Status.MISSING``)."""
    return progress.role == "host" and progress.status == Status.MISSING


def _ref(row: UnitRow) -> UnitRef:
    return UnitRef(
        row.unit_id, row.code, row.name, row.progress.path, row.level_name, row.name_sort
    )


def select(
    rows: Iterable[UnitRow], as_of: datetime.date, within_days: int
) -> tuple[list[Reminder], list[Reminder]]:
    """(due, overdue) reminders, in the rows' order (level, then Vietnamese name order)."""
    due: list[Reminder] = []
    overdue: list[Reminder] = []
    for row in rows:
        progress = row.progress
        if is_due(progress, row.deadline, as_of, within_days):
            due.append(
                Reminder(
                    Kind.DUE,
                    _ref(row),
                    progress.level_id,
                    row.deadline,
                    days_left(row.deadline, as_of),
                    progress.status,
                )
            )
        elif is_overdue(progress):
            overdue.append(
                Reminder(
                    Kind.OVERDUE,
                    _ref(row),
                    progress.level_id,
                    row.deadline,
                    -days_left(row.deadline, as_of),
                    progress.status,
                )
            )
    return due, overdue


def escalate(
    overdue: Sequence[Reminder], parents: Mapping[int, UnitRef], root_path: str
) -> list[Reminder]:
    """One escalation per parent of overdue units, for parents inside the run's subtree.

    A parent outside it (the province, when a district office runs its own reminders) is left
    to whoever covers that parent. Sorted by the parents' Vietnamese name order.
    """
    children: dict[int, list[Reminder]] = defaultdict(list)
    for reminder in overdue:
        parent_id = reminder.unit.parent_id
        if parent_id is not None and parent_id in parents:
            children[parent_id].append(reminder)
    escalations = []
    for parent_id, items in children.items():
        parent = parents[parent_id]
        if not parent.path.startswith(root_path):
            continue
        escalations.append(
            Reminder(
                Kind.ESCALATION,
                parent,
                items[0].level_id,
                min(r.deadline for r in items),
                max(r.days for r in items),
                Status.MISSING,
                children=tuple(items),
            )
        )
    return sorted(escalations, key=lambda r: (r.unit.path.count("/"), r.unit.name_sort))


# --- Texts ------------------------------------------------------------------------------------


def length_label(sessions: int) -> str:
    """Half-day sessions as an office writes them: 1 → "1 buổi", 2 → "1 ngày", 3 → "3 buổi"."""
    if sessions % 2 == 0:
        return _("%(n)s ngày") % {"n": sessions // 2}
    return _("%(n)s buổi") % {"n": sessions}


def plan_reference(plan: Plan) -> str:
    """The plan as a sentence names it: title, then number and date once issued."""
    if plan.number and plan.issued_on:
        return _("%(title)s (số %(number)s, ngày %(date)s)") % {
            "title": plan.title,
            "number": plan.number,
            "date": plan.issued_on.strftime("%d/%m/%Y"),
        }
    return plan.title


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def subject_for(reminder: Reminder) -> str:
    deadline = reminder.deadline.strftime("%d/%m/%Y")
    if reminder.kind == Kind.DUE:
        return _(
            "Nhắc việc: hạn học tập, quán triệt Nghị quyết ngày %(deadline)s (còn %(days)s ngày)"
            " — %(unit)s"
        ) % {"deadline": deadline, "days": reminder.days, "unit": reminder.unit.name}
    if reminder.kind == Kind.OVERDUE:
        return _("Quá hạn học tập, quán triệt Nghị quyết %(days)s ngày — %(unit)s") % {
            "days": reminder.days,
            "unit": reminder.unit.name,
        }
    return _("%(n)s đơn vị trực thuộc quá hạn học tập, quán triệt Nghị quyết — %(unit)s") % {
        "n": len(reminder.children),
        "unit": reminder.unit.name,
    }


TEMPLATES = {
    Kind.DUE: "study/email/reminder_due.txt",
    Kind.OVERDUE: "study/email/reminder_overdue.txt",
    Kind.ESCALATION: "study/email/escalation.txt",
}


def text_for(
    reminder: Reminder, plan: Plan, rules: Mapping[int, LevelRule], as_of: datetime.date
) -> str:
    """The message body: the same text is e-mailed and offered to copy into Zalo."""
    rule = rules.get(reminder.level_id)
    context: dict[str, Any] = {
        "r": reminder,
        "plan_ref": plan_reference(plan),
        "level": _lower_first(reminder.unit.level_name),
        "audience": rule.audience.rstrip(".") if rule else "",
        "length": length_label(rule.length_sessions) if rule else "",
        "deadline": reminder.deadline.strftime("%d/%m/%Y"),
        "as_of": as_of.strftime("%d/%m/%Y"),
        "scheduled": reminder.status == Status.SCHEDULED,
        "has_parent": reminder.unit.parent_id is not None,
        "children": [
            {
                "name": child.unit.name,
                "code": child.unit.code,
                "level": _lower_first(child.unit.level_name),
                "deadline": child.deadline.strftime("%d/%m/%Y"),
                "days": child.days,
            }
            for child in reminder.children
        ],
    }
    # Blank lines the template tags leave behind are squeezed: a message reads as paragraphs.
    lines = render_to_string(TEMPLATES[reminder.kind], context).strip().splitlines()
    squeezed: list[str] = []
    for line in (line.rstrip() for line in lines):
        if line or (squeezed and squeezed[-1]):
            squeezed.append(line)
    return "\n".join(squeezed) + "\n"


# --- Reading: what a run would send ------------------------------------------------------------


@dataclass
class ReminderSet:
    plan: Plan
    root: Unit
    as_of: datetime.date
    within_days: int
    due: list[Reminder] = field(default_factory=list)
    overdue: list[Reminder] = field(default_factory=list)
    escalations: list[Reminder] = field(default_factory=list)

    @property
    def all(self) -> list[Reminder]:
        return [*self.due, *self.overdue, *self.escalations]


def recipients_by_unit(unit_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """E-mail addresses of the active office officers and heads of each unit (one query)."""
    found: dict[int, dict[str, str]] = defaultdict(dict)
    for unit_id, email in (
        Membership.objects.filter(
            unit_id__in=list(unit_ids), role__in=RECIPIENT_ROLES, user__is_active=True
        )
        .exclude(user__email="")
        .order_by("unit_id", "user__email")
        .values_list("unit_id", "user__email")
    ):
        found[unit_id].setdefault(email.lower(), email)  # one person, two roles: one address
    return {unit_id: tuple(emails.values()) for unit_id, emails in found.items()}


def _parents(overdue: Sequence[Reminder]) -> dict[int, UnitRef]:
    ids = {r.unit.parent_id for r in overdue} - {None}
    if not ids:
        return {}
    return {
        pk: UnitRef(pk, code, name, path, level_name, name_sort)
        for pk, code, name, path, level_name, name_sort in Unit.objects.filter(
            pk__in=ids
        ).values_list("id", "code", "name", "path", "level__name", "name_sort")
    }


def reminders_for(
    plan: Plan, root: Unit, scope: Scope, as_of: datetime.date, within_days: int
) -> ReminderSet:
    """Every reminder of the plan over ``root``'s subtree as of a date, with texts and
    recipients, in a fixed number of queries."""
    progress = plan_progress(plan, root, scope, as_of)
    due, overdue = select(progress.rows, as_of, within_days)
    escalations = escalate(overdue, _parents(overdue), root.path)
    result = ReminderSet(plan, root, as_of, within_days, due, overdue, escalations)
    rules = {row.rule.level_id: row.rule for row in progress.rules}
    recipients = recipients_by_unit({r.unit.id for r in result.all})
    for reminder in result.all:
        reminder.subject = subject_for(reminder)
        reminder.text = text_for(reminder, plan, rules, as_of)
        reminder.recipients = recipients.get(reminder.unit.id, ())
    return result


def sent_keys(plan: Plan, as_of: datetime.date) -> set[tuple[str, str]]:
    """(kind, unit code) of every reminder of the plan already sent for this as-of date."""
    keys: set[tuple[str, str]] = set()
    for after in AuditEvent.objects.filter(
        action=AUDIT_ACTION,
        target_type=Plan._meta.label,
        target_id=str(plan.pk),
        after__as_of=as_of.isoformat(),
    ).values_list("after", flat=True):
        for kind, codes in (after or {}).get("sent", {}).items():
            keys.update((kind, code) for code in codes)
    return keys


@dataclass
class Outcome:
    """What a run sends, what it skips and why."""

    reminders: ReminderSet
    to_send: list[Reminder]
    already_sent: list[Reminder]
    no_recipients: list[Reminder]

    def codes(self, kind: Kind) -> list[str]:
        return [r.unit.code for r in self.to_send if r.kind == kind]

    @property
    def emails(self) -> int:
        return len(self.to_send)


def plan_run(
    plan: Plan,
    *,
    as_of: datetime.date,
    within_days: int,
    scope: Scope = EVERYTHING,
    root: Unit | None = None,
) -> Outcome:
    """What ``do_send_reminders`` would send now (the command's ``--dry-run`` prints this)."""
    reminders = reminders_for(plan, root or plan.issuing_unit, scope, as_of, within_days)
    done = sent_keys(plan, as_of)
    outcome = Outcome(reminders, [], [], [])
    for reminder in reminders.all:
        if reminder.key in done:
            outcome.already_sent.append(reminder)
        elif not reminder.recipients:
            # Not recorded as sent: once the unit has an officer with an address, it gets it.
            outcome.no_recipients.append(reminder)
        else:
            outcome.to_send.append(reminder)
    return outcome


def check_can_remind(plan: Plan) -> None:
    if plan.state != PlanState.ISSUED:
        raise ValidationError(_("Chỉ nhắc việc được cho kế hoạch đã ban hành, chưa kết thúc."))


@transaction.atomic
def do_send_reminders(
    plan: Plan,
    *,
    as_of: datetime.date,
    within_days: int,
    acting_user: AnyUser | None,
    root: Unit | None = None,
) -> Outcome:
    """E-mail every reminder not yet sent for this as-of date, over ``root``'s subtree (by
    default the whole plan) within the acting user's scope; one audit event per run.

    The mail leaves after the commit, so a rolled-back run sends nothing.
    """
    check_can_remind(plan)
    # Two runs at once would both read "not sent yet": the lock on the plan row orders them.
    Plan.objects.select_for_update().filter(pk=plan.pk).first()
    scope = scope_for(acting_user) if acting_user is not None else EVERYTHING
    root = root or plan.issuing_unit
    outcome = plan_run(plan, as_of=as_of, within_days=within_days, scope=scope, root=root)
    messages = [
        EmailMessage(subject=r.subject, body=r.text, to=list(r.recipients)) for r in outcome.to_send
    ]
    record(
        AUDIT_ACTION,
        plan,
        acting_user=acting_user,
        unit=root,
        after={
            "as_of": as_of.isoformat(),
            "within_days": within_days,
            "root": root.code,
            "counts": {
                **{str(kind): len(outcome.codes(kind)) for kind in Kind},
                "emails": outcome.emails,
                "already_sent": len(outcome.already_sent),
                "no_recipients": len(outcome.no_recipients),
            },
            "sent": {str(kind): outcome.codes(kind) for kind in Kind},
        },
    )
    if messages:
        transaction.on_commit(lambda: get_connection().send_messages(messages))
    return outcome


# --- The ICS calendar feed ---------------------------------------------------------------------

ICS_SALT = "tinhuy.ics"
ICS_SESSION_HOURS = 4  # a session ("buổi") is a morning or an afternoon


def ics_token(user: AnyUser, unit: Unit) -> str:
    """The signed token of a unit's feed URL for a user; it lives as long as their scope."""
    return signing.dumps({"u": user.pk, "unit": unit.pk}, salt=ICS_SALT)


def unit_for_ics_token(token: str, unit_id: int) -> Unit | None:
    """The unit, if the token is genuine, names it, and its user is active and still sees it."""
    try:
        payload = signing.loads(token, salt=ICS_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("unit") != unit_id:
        return None
    user_id = payload.get("u")
    if not isinstance(user_id, int):
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    unit = Unit.objects.select_related("level").filter(pk=unit_id).first()
    if user is None or unit is None or not scope_for(user).can_view(unit):
        return None
    return unit


def ics_escape(text: str) -> str:
    """RFC 5545 TEXT: backslash, semicolon, comma and newlines escaped."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def ics_fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character."""
    data = line.encode()
    parts: list[bytes] = []
    limit = 75
    while len(data) > limit:
        cut = limit
        while data[cut] & 0xC0 == 0x80:  # a continuation byte: step back to the start
            cut -= 1
        parts.append(data[:cut])
        data = data[cut:]
        limit = 74  # continuation lines begin with a space, which counts
    parts.append(data)
    return "\r\n ".join(part.decode() for part in parts)


def _ics_date(day: datetime.date) -> str:
    return day.strftime("%Y%m%d")


def _ics_utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    summary: str
    start: datetime.date | datetime.datetime  # a date: an all-day event
    end: datetime.date | datetime.datetime  # exclusive, as RFC 5545 says
    description: str = ""
    location: str = ""
    busy: bool = False  # a deadline is a marker; a conference takes up the time

    def lines(self, stamp: str) -> list[str]:
        def when(name: str, value: datetime.date | datetime.datetime) -> str:
            if isinstance(value, datetime.datetime):
                return f"{name}:{_ics_utc(value)}"
            return f"{name};VALUE=DATE:{_ics_date(value)}"

        lines = [
            "BEGIN:VEVENT",
            f"UID:{self.uid}",
            f"DTSTAMP:{stamp}",
            when("DTSTART", self.start),
            when("DTEND", self.end),
            f"SUMMARY:{ics_escape(self.summary)}",
        ]
        if self.description:
            lines.append(f"DESCRIPTION:{ics_escape(self.description)}")
        if self.location:
            lines.append(f"LOCATION:{ics_escape(self.location)}")
        lines += [f"TRANSP:{'OPAQUE' if self.busy else 'TRANSPARENT'}", "END:VEVENT"]
        return lines


def write_calendar(name: str, events: Sequence[CalendarEvent], *, now: datetime.datetime) -> str:
    """A VCALENDAR document: CRLF line endings, folded lines."""
    stamp = _ics_utc(now)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Tinh uy so//Hoc tap quan triet//VI",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ics_escape(name)}",
        "X-WR-TIMEZONE:Asia/Ho_Chi_Minh",
        "REFRESH-INTERVAL;VALUE=DURATION:PT6H",
        "X-PUBLISHED-TTL:PT6H",
    ]
    for event in events:
        lines += event.lines(stamp)
    lines.append("END:VCALENDAR")
    return "".join(ics_fold(line) + "\r\n" for line in lines)


def _conference_span(
    day: datetime.date, start_time: datetime.time | None, sessions: int
) -> tuple[datetime.date | datetime.datetime, datetime.date | datetime.datetime]:
    """A timed event for up to a day with a known start time; else whole days."""
    if start_time is not None and sessions <= 2:
        # Conferences are timed in the province's zone, whatever the request's zone is.
        start = timezone.make_aware(
            datetime.datetime.combine(day, start_time), timezone.get_default_timezone()
        )
        return start, start + datetime.timedelta(hours=ICS_SESSION_HOURS * sessions)
    days = (sessions + 1) // 2
    return day, day + datetime.timedelta(days=days)


def _deadline_event(rule: LevelRule, unit: Unit) -> CalendarEvent:
    return CalendarEvent(
        uid=f"plan-{rule.plan_id}-rule-{rule.pk}-unit-{unit.pk}@tinhuy",
        summary=_("Hạn hội nghị học tập, quán triệt — %(level)s") % {"level": rule.level.name},
        start=rule.deadline,
        end=rule.deadline + datetime.timedelta(days=1),
        description=_(
            "%(plan)s\nĐối tượng: %(audience)s\nThời lượng: %(length)s\n"
            "Thời gian: từ %(start)s đến hết %(deadline)s."
        )
        % {
            "plan": plan_reference(rule.plan),
            "audience": rule.audience,
            "length": length_label(rule.length_sessions),
            "start": rule.window_start.strftime("%d/%m/%Y"),
            "deadline": rule.deadline.strftime("%d/%m/%Y"),
        },
    )


def _conference_event(conference: Conference, unit: Unit) -> CalendarEvent:
    start, end = _conference_span(
        conference.date, conference.start_time, conference.length_sessions
    )
    return CalendarEvent(
        uid=f"conference-{conference.pk}-unit-{unit.pk}@tinhuy",
        summary=_("Hội nghị học tập, quán triệt — %(unit)s") % {"unit": unit.name},
        start=start,
        end=end,
        description=_("%(plan)s\nThời lượng: %(length)s\nHình thức: %(mode)s.")
        % {
            "plan": plan_reference(conference.plan),
            "length": length_label(conference.length_sessions),
            "mode": conference.get_mode_display(),
        },
        location=conference.venue,
        busy=True,
    )


def _bridge_event(bridge: BridgePoint, unit: Unit) -> CalendarEvent:
    conference = bridge.conference
    start, end = _conference_span(
        conference.date, conference.start_time, conference.length_sessions
    )
    return CalendarEvent(
        uid=f"conference-{conference.pk}-bridge-unit-{unit.pk}@tinhuy",
        summary=_("Điểm cầu hội nghị học tập, quán triệt — %(host)s")
        % {"host": conference.host.name},
        start=start,
        end=end,
        description=_("%(plan)s\nThời lượng: %(length)s\nNgười chủ trì điểm cầu: %(person)s")
        % {
            "plan": plan_reference(conference.plan),
            "length": length_label(conference.length_sessions),
            "person": bridge.host_person or "—",
        },
        location=bridge.venue,
        busy=True,
    )


def unit_events(unit: Unit) -> list[CalendarEvent]:
    """The deadlines of every issued plan's rule the unit hosts, its conferences and the
    conferences where it is a bridge point (three queries)."""
    rules = LevelRule.objects.filter(
        plan__structure_id=unit.structure_id, plan__state=PlanState.ISSUED, level_id=unit.level_id
    ).select_related("plan", "level")
    conferences = Conference.objects.filter(
        host=unit, cancelled_at__isnull=True, plan__state=PlanState.ISSUED
    ).select_related("plan")
    bridges = BridgePoint.objects.filter(
        unit=unit,
        conference__cancelled_at__isnull=True,
        conference__plan__state=PlanState.ISSUED,
    ).select_related("conference__plan", "conference__host")
    events = [
        *(_deadline_event(rule, unit) for rule in rules),
        *(_conference_event(conference, unit) for conference in conferences),
        *(_bridge_event(bridge, unit) for bridge in bridges),
    ]
    return sorted(events, key=lambda e: (str(e.start), e.uid))


def unit_calendar(unit: Unit, *, now: datetime.datetime | None = None) -> str:
    name = _("Học tập, quán triệt — %(unit)s") % {"unit": unit.name}
    return write_calendar(name, unit_events(unit), now=now or timezone.now())
