"""Reads of reporting cycles that the progress pages and the reminders share: which tasks a
cycle expects a report from, which of them reported, and which are late.

A cycle expects a report from every *leaf* task of its programme (a task holding tasks takes
its progress from them) that is not cancelled, has started by the end of the period (or has no
start date) and was not already done before it — a task reported done in this very cycle is
still expected (its report is the one that says so). A report is late when it was sent after
the cycle's due date; a missing report is late once the due date has passed.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils import timezone

from tinhuy.programs.models import (
    Node,
    NodeKind,
    NodeStatus,
    Programme,
    ProgressReport,
    ReportingCycle,
)

NEXT_PERIOD_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}
REPORT_GRACE_DAYS = 10  # the proposed due date: ten days after the period ends


@dataclass(frozen=True)
class TaskLine:
    """A task as a cycle's table shows it (one row of one query)."""

    id: int
    path: str
    code: str
    title: str
    status: str
    start_on: datetime.date | None
    due_on: datetime.date | None
    lead_unit_id: int | None
    lead_unit: str
    responsible: str
    programme_id: int = 0

    @property
    def label(self) -> str:
        return f"{self.code} {self.title}".strip()


@dataclass(frozen=True)
class ReportLine:
    id: int
    cycle_id: int
    node_id: int
    status: str
    progress: int
    submitted_at: datetime.datetime


@dataclass
class CycleRow:
    """One task of a cycle: its report (or none) and whether it is late."""

    task: TaskLine
    report: ReportLine | None
    late: bool


@dataclass
class CycleSummary:
    cycle: ReportingCycle
    expected: int = 0
    reported: int = 0
    late: int = 0
    missing_late: int = 0  # late because missing (past due, no report)
    rows: list[CycleRow] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return self.expected - self.reported


_TASK_FIELDS = (
    "id",
    "path",
    "code",
    "title",
    "status",
    "start_on",
    "due_on",
    "lead_unit_id",
    "lead_unit__name",
    "responsible__full_name",
)


def leaf_tasks(programmes: Iterable[int], node_ids: set[int] | None = None) -> list[TaskLine]:
    """The leaf tasks of the programmes, in tree order, not cancelled (one query). With
    ``node_ids`` only those nodes and the ones below them (what a user who leads part of a
    programme sees)."""
    rows = list(
        Node.objects.filter(programme_id__in=list(programmes))
        .order_by("programme_id", "path")
        .values_list(*_TASK_FIELDS, "programme_id", "kind", "parent_id")
    )
    parents = {row[-1] for row in rows if row[-1] is not None}
    shown_paths: tuple[str, ...] | None = None
    if node_ids is not None:
        shown_paths = tuple(row[1] for row in rows if row[0] in node_ids)
    tasks = []
    for row in rows:
        pk, path, code, title, status, start_on, due_on, lead_id, lead, person, prog, kind, _ = row
        if kind != NodeKind.TASK or pk in parents or status == NodeStatus.CANCELLED:
            continue
        if shown_paths is not None and not path.startswith(shown_paths):
            continue
        tasks.append(
            TaskLine(
                pk,
                path,
                code,
                title,
                status,
                start_on,
                due_on,
                lead_id,
                lead or "",
                person or "",
                prog,
            )
        )
    return tasks


def reports_of(cycles: Sequence[ReportingCycle]) -> list[ReportLine]:
    """Every report of the cycles (one query of the columns shown)."""
    return [
        ReportLine(*row)
        for row in ProgressReport.objects.filter(cycle__in=[c.pk for c in cycles])
        .order_by()
        .values_list("id", "cycle_id", "node_id", "status", "progress", "submitted_at")
    ]


def local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def is_expected(task: TaskLine, cycle: ReportingCycle, reported: bool) -> bool:
    if task.start_on is not None and task.start_on > cycle.period_end:
        return False
    # Done before this cycle: nothing more to report (its done report is in an earlier cycle).
    return not (task.status == NodeStatus.DONE and not reported)


def summarise(
    cycles: Sequence[ReportingCycle],
    tasks: Sequence[TaskLine],
    reports: Sequence[ReportLine],
    today: datetime.date,
    *,
    with_rows: bool = False,
) -> list[CycleSummary]:
    """For each cycle: how many tasks it expects, how many reported, how many are late; with
    ``with_rows`` the table's rows too. No query."""
    by_cycle: dict[int, dict[int, ReportLine]] = defaultdict(dict)
    for report in reports:
        by_cycle[report.cycle_id][report.node_id] = report
    out = []
    for cycle in cycles:
        summary = CycleSummary(cycle)
        got = by_cycle[cycle.pk]
        for task in tasks:
            sent = got.get(task.id)
            if not is_expected(task, cycle, sent is not None):
                continue
            summary.expected += 1
            if sent is not None:
                summary.reported += 1
                late = local_day(sent.submitted_at) > cycle.due_on
            else:
                late = today > cycle.due_on
                summary.missing_late += late
            summary.late += late
            if with_rows:
                summary.rows.append(CycleRow(task, sent, late))
        out.append(summary)
    return out


def cycles_of(programme: Programme) -> list[ReportingCycle]:
    """A programme's cycles, latest first."""
    return list(
        ReportingCycle.objects.filter(programme=programme)
        .select_related("closed_by")
        .order_by("-period_start")
    )


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later, clamped to the month's end (31/01 + 1 → 28 or 29/02)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    last = (following - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last))


def propose_next(
    programme: Programme, frequency: str, today: datetime.date, latest: ReportingCycle | None
) -> tuple[datetime.date, datetime.date, datetime.date]:
    """(start, end, due) of the next period of ``frequency``: right after the latest cycle, or
    the calendar period (month, quarter, year) holding today; due ten days after its end."""
    months = NEXT_PERIOD_MONTHS.get(frequency, 3)
    if latest is not None:
        start = latest.period_end + datetime.timedelta(days=1)
    else:
        month = today.month
        if months == 3:
            month = (today.month - 1) // 3 * 3 + 1
        elif months == 12:
            month = 1
        start = datetime.date(today.year, month, 1)
    end = add_months(start, months) - datetime.timedelta(days=1)
    return start, end, end + datetime.timedelta(days=REPORT_GRACE_DAYS)
