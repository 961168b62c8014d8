"""Reminders of a study plan: units due soon, units overdue, escalation upward.

Who is due or overdue is read from ``queries.plan_progress`` rows, never recomputed, so a
reminder can never disagree with the dashboard:

- **due**: a unit that must host a conference, has not held it (not scheduled, or scheduled),
  and whose deadline is at most N days away;
- **overdue**: a host whose status is *missing* (the deadline has passed, nothing held);
- **escalation**: one message per parent unit listing its overdue children, for parents inside
  the subtree the run covers.

Each reminder goes to the office officers and heads of its unit (``Membership`` roles), by
e-mail and as a text to copy into a messaging app on the page. A reminder is identified by
(plan, unit, kind, as-of date); the audit event of each run records the ones it sent, and a
later run skips them, so nobody is reminded twice of the same thing. Who receives, what was
sent and the sending are shared with the other reminders (``tinhuy.reminders``).

Three pieces, in this order: **selecting** (pure functions over progress rows), **writing**
the texts, **reading** what a run would send (``reminders_for``, ``plan_run``). Sending is the
action ``tinhuy.study.actions.do_send_reminders``; a unit's calendar (.ics) is written by
``tinhuy.study.reports.unit_calendar`` and its signed link checked by
``tinhuy.study.access.get_unit_for_ics_token``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tinhuy import reminders as shared
from tinhuy.org.access import Scope
from tinhuy.org.models import Unit

# Shared with every kind of reminder; imported here too under study's names, which the study
# action, command, page and tests use.
from tinhuy.reminders import DEFAULT_WITHIN_DAYS as DEFAULT_WITHIN_DAYS
from tinhuy.reminders import EVERYTHING as EVERYTHING
from tinhuy.reminders import MAX_WITHIN_DAYS as MAX_WITHIN_DAYS
from tinhuy.reminders import RECIPIENT_ROLES as RECIPIENT_ROLES
from tinhuy.reminders import days_left as days_left
from tinhuy.reminders import parse_day as parse_day
from tinhuy.reminders import recipients_by_unit as recipients_by_unit
from tinhuy.study.compliance import STATUS_LABELS, Status, UnitProgress
from tinhuy.study.models import LevelRule, Plan, PlanState
from tinhuy.study.queries import UnitRow, plan_progress
from tinhuy.study.reports import length_label, plan_reference

AUDIT_ACTION = "study.reminders_sent"
DUE_STATUSES = frozenset({Status.NOT_SCHEDULED, Status.SCHEDULED})


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


# --- Selection: pure functions over progress rows ------------------------------------------------


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
    return shared.render_text(TEMPLATES[reminder.kind], context)


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
    return shared.sent_keys(AUDIT_ACTION, plan, as_of)


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
