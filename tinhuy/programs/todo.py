"""Programme work for the home page's to-do list: the tasks and milestones overdue or due within
30 days in the programmes a user sees, soonest due first (the overdue ones therefore first)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tinhuy.org.access import scope_for
from tinhuy.presenting import url_for
from tinhuy.programs import queries

if TYPE_CHECKING:
    from tinhuy.org.access import AnyUser

TODO_LIMIT = 10
_OPEN = ("not_started", "on_track", "behind")


@dataclass(frozen=True)
class TodoRow:
    kind: str  # "task" or "milestone"
    title: str  # the task ("1.1.2 Lập quy hoạch…") or the milestone
    task: str  # the task a milestone belongs to; the task itself for a task
    programme: str
    lead_unit: str
    due_on: datetime.date
    overdue: bool
    days: int  # days left (0 on the day), negative once overdue
    url: str


def todo_rows(user: AnyUser, today: datetime.date, limit: int = TODO_LIMIT) -> list[TodoRow]:
    """At most ``limit`` rows: open tasks and milestones of running programmes the user sees,
    due by ``today`` + 30 days, soonest first (two queries of the columns shown, whatever the
    numbers)."""
    scope = scope_for(user)
    soon = today + datetime.timedelta(days=queries.DUE_SOON_DAYS)
    url = url_for("programs_node", "node_id")
    tasks = (
        queries.open_tasks(scope)
        .filter(due_on__lte=soon)
        .values_list("id", "code", "title", "programme__title", "lead_unit__name", "due_on")[:limit]
    )
    rows = []
    for pk, code, title, programme, lead, due_on in tasks:
        assert due_on is not None  # noqa: S101 - open_tasks have a due date
        label = f"{code} {title}".strip()
        rows.append(
            TodoRow(
                "task",
                label,
                label,
                programme,
                lead or "",
                due_on,
                due_on < today,
                (due_on - today).days,
                url(pk),
            )
        )
    milestones = (
        queries.open_milestones(scope)
        .filter(due_on__lte=soon, node__status__in=_OPEN)
        .values_list(
            "title",
            "due_on",
            "node_id",
            "node__code",
            "node__title",
            "node__programme__title",
            "node__lead_unit__name",
        )[:limit]
    )
    rows += [
        TodoRow(
            "milestone",
            title,
            f"{code} {task}".strip(),
            programme,
            lead or "",
            due_on,
            due_on < today,
            (due_on - today).days,
            url(node_id),
        )
        for title, due_on, node_id, code, task, programme, lead in milestones
    ]
    rows.sort(key=lambda r: (r.due_on, r.kind != "task", r.title))
    return rows[:limit]
