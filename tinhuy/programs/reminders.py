"""Reminders of programme work, through the machinery every reminder shares
(``tinhuy.reminders``):

- **late report** ("chậm báo cáo"): a reporting cycle still open whose due date has passed, and
  a task it expects a report from (``cycles.summarise``) that sent none;
- **overdue** ("quá hạn"): a task of a running programme, not done or cancelled, whose due date
  has passed.

One message per lead unit lists that unit's late reports and overdue tasks; it goes to the
unit's office officers and heads — the people who report for it — and to nobody else, so a
message never names a task of a unit outside its reader's scope. A task without a lead unit has
nobody to remind.

A reminder is identified by (kind, cycle and task, as-of date) or (kind, task, as-of date):
each run's audit event lists what it reminded of, and a later run the same day skips it.
Reading what a run would send is ``plan_run`` (``tinhuy programs-remind --dry-run`` prints it);
sending is the action ``tinhuy.programs.actions.do_send_programme_reminders``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum

from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from tinhuy import reminders as shared
from tinhuy.org.access import Scope
from tinhuy.org.models import Unit
from tinhuy.programs import cycles, queries
from tinhuy.programs.models import Node, ReportingCycle

AUDIT_ACTION = "programme.reminders_sent"
TEMPLATE = "programs/email/progress_reminder.txt"
_RUNNING = ("approved", "in_progress")


class Kind(StrEnum):
    LATE_REPORT = "late_report"
    OVERDUE = "overdue"


KIND_LABELS = {Kind.LATE_REPORT: "Chậm báo cáo", Kind.OVERDUE: "Quá hạn"}


@dataclass(frozen=True)
class Item:
    """One thing a unit is reminded of."""

    kind: Kind
    node_id: int
    task: str  # "1.1.2 Lập quy hoạch…"
    programme: str
    due_on: datetime.date  # the cycle's report deadline, or the task's due date
    days: int  # days past it
    cycle: str = ""  # "01/01/2021–31/03/2021" for a late report
    cycle_id: int | None = None
    link: str = ""

    @property
    def key(self) -> tuple[str, str]:
        """What identifies it within an as-of date (as ``shared.sent_keys`` reads)."""
        ident = f"{self.cycle_id}:{self.node_id}" if self.cycle_id else str(self.node_id)
        return (str(self.kind), ident)


@dataclass
class UnitReminder:
    """One message: a lead unit's late reports and overdue tasks."""

    unit_id: int
    unit: str
    items: list[Item]
    recipients: tuple[str, ...] = ()
    subject: str = ""
    text: str = ""

    def of(self, kind: Kind) -> list[Item]:
        return [i for i in self.items if i.kind == kind]


# --- Selection -------------------------------------------------------------------------------


def _link(name: str, *args: int) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def late_reports(scope: Scope, as_of: datetime.date) -> list[tuple[Item, int]]:
    """(late report, lead unit id) for every open cycle past its due date of a running
    programme the scope sees (three queries)."""
    open_cycles = list(
        ReportingCycle.objects.filter(
            closed_at__isnull=True,
            due_on__lt=as_of,
            programme__in=queries.programmes_for(scope).filter(state__in=_RUNNING).values("pk"),
        )
        .select_related("programme")
        .order_by("due_on", "id")
    )
    if not open_cycles:
        return []
    tasks = cycles.leaf_tasks({c.programme_id for c in open_cycles})
    by_programme: dict[int, list[cycles.TaskLine]] = defaultdict(list)
    for task in tasks:
        by_programme[task.programme_id].append(task)
    reports = cycles.reports_of(open_cycles)
    out: list[tuple[Item, int]] = []
    for cycle in open_cycles:
        (summary,) = cycles.summarise(
            [cycle], by_programme[cycle.programme_id], reports, as_of, with_rows=True
        )
        for row in summary.rows:
            if row.report is not None or not row.late or row.task.lead_unit_id is None:
                continue
            item = Item(
                Kind.LATE_REPORT,
                row.task.id,
                row.task.label,
                cycle.programme.title,
                cycle.due_on,
                (as_of - cycle.due_on).days,
                str(cycle),
                cycle.pk,
                _link("programs_report", cycle.pk, row.task.id),
            )
            out.append((item, row.task.lead_unit_id))
    return out


def overdue(scope: Scope, as_of: datetime.date) -> list[tuple[Item, int]]:
    """(overdue task, lead unit id) of the running programmes the scope sees (one query)."""
    out: list[tuple[Item, int]] = []
    for node in queries.overdue_tasks(scope, as_of).filter(lead_unit__isnull=False):
        if node.due_on is None or node.lead_unit_id is None:  # excluded by the queries
            continue
        item = Item(
            Kind.OVERDUE,
            node.pk,
            str(node),
            node.programme.title,
            node.due_on,
            (as_of - node.due_on).days,
            link=_link("programs_node", node.pk),
        )
        out.append((item, node.lead_unit_id))
    return out


# --- Texts -----------------------------------------------------------------------------------


def subject_for(reminder: UnitReminder) -> str:
    values = {
        "late": len(reminder.of(Kind.LATE_REPORT)),
        "overdue": len(reminder.of(Kind.OVERDUE)),
        "unit": reminder.unit,
    }
    if values["late"] and values["overdue"]:
        return (
            _(
                "Nhắc việc chương trình: %(late)s báo cáo tiến độ chậm, %(overdue)s nhiệm vụ quá "
                "hạn — %(unit)s"
            )
            % values
        )
    if values["late"]:
        return _("Nhắc việc chương trình: %(late)s báo cáo tiến độ chậm — %(unit)s") % values
    return _("Nhắc việc chương trình: %(overdue)s nhiệm vụ quá hạn — %(unit)s") % values


def text_for(reminder: UnitReminder, as_of: datetime.date) -> str:
    return shared.render_text(
        TEMPLATE,
        {
            "unit": reminder.unit,
            "late": reminder.of(Kind.LATE_REPORT),
            "overdue": reminder.of(Kind.OVERDUE),
            "as_of": as_of.strftime("%d/%m/%Y"),
        },
    )


# --- Reading: what a run would send ----------------------------------------------------------


def reminders_for(as_of: datetime.date, scope: Scope = shared.EVERYTHING) -> list[UnitReminder]:
    """One reminder per lead unit with something late, with its texts and recipients."""
    by_unit: dict[int, list[Item]] = defaultdict(list)
    for item, unit_id in [*late_reports(scope, as_of), *overdue(scope, as_of)]:
        by_unit[unit_id].append(item)
    if not by_unit:
        return []
    names = dict(Unit.objects.filter(pk__in=list(by_unit)).values_list("pk", "name"))
    addresses = shared.recipients_by_unit(by_unit)
    out = []
    for unit_id in sorted(by_unit, key=lambda u: (names.get(u, ""), u)):
        reminder = UnitReminder(unit_id, names.get(unit_id, ""), by_unit[unit_id])
        reminder.recipients = addresses.get(unit_id, ())
        out.append(reminder)
    return out


def run_target() -> ContentType:
    """What a run's audit event is about: programme tasks as a whole."""
    return ContentType.objects.get_for_model(Node)


@dataclass
class Outcome:
    """What a run sends (each message only with what was not sent yet), what it skips and
    why."""

    as_of: datetime.date
    to_send: list[UnitReminder] = field(default_factory=list)
    already_sent: list[Item] = field(default_factory=list)
    no_recipients: list[UnitReminder] = field(default_factory=list)

    def keys(self, kind: Kind) -> list[str]:
        return [i.key[1] for r in self.to_send for i in r.items if i.kind == kind]

    @property
    def emails(self) -> int:
        return len(self.to_send)


def plan_run(*, as_of: datetime.date, scope: Scope = shared.EVERYTHING) -> Outcome:
    """What ``do_send_programme_reminders`` would send now (``--dry-run`` prints this)."""
    done = shared.sent_keys(AUDIT_ACTION, run_target(), as_of)
    outcome = Outcome(as_of)
    for reminder in reminders_for(as_of, scope):
        fresh = [i for i in reminder.items if i.key not in done]
        outcome.already_sent += [i for i in reminder.items if i.key in done]
        if not fresh:
            continue
        reminder.items = fresh
        if not reminder.recipients:
            # Not recorded as sent: once the unit has an officer with an address, it gets it.
            outcome.no_recipients.append(reminder)
            continue
        reminder.subject = subject_for(reminder)
        reminder.text = text_for(reminder, as_of)
        outcome.to_send.append(reminder)
    return outcome
