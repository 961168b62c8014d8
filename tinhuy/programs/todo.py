"""Programme work for the home page's to-do list: the tasks and milestones overdue or due within
30 days in the programmes a user sees, soonest due first (the overdue ones therefore first)."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tinhuy.bulk import CompiledRows, as_date
from tinhuy.org.access import EVERYTHING, Scope, scope_for
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


def _tasks(scope: Scope, soon: datetime.date, limit: int) -> Any:
    return (
        queries.open_tasks(scope)
        .filter(due_on__lte=soon)
        .values_list("id", "code", "title", "programme__title", "lead_unit__name", "due_on")[:limit]
    )


def _milestones(scope: Scope, soon: datetime.date, limit: int) -> Any:
    return (
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




@functools.lru_cache(maxsize=4)
def _everything(limit: int) -> tuple[CompiledRows, CompiledRows]:
    """The two reads for a user who sees everything (their SQL takes nothing from the user),
    compiled once per limit: the home page makes them on every visit."""
    return (
        CompiledRows(
            lambda soon: _tasks(EVERYTHING, soon, limit), arity=1, dates=(0,), convert={5: as_date}
        ),
        CompiledRows(
            lambda soon: _milestones(EVERYTHING, soon, limit),
            arity=1,
            dates=(0,),
            convert={1: as_date},
        ),
    )


def todo_rows(user: AnyUser, today: datetime.date, limit: int = TODO_LIMIT) -> list[TodoRow]:
    """At most ``limit`` rows: open tasks and milestones of running programmes the user sees,
    due by ``today`` + 30 days, soonest first (two queries of the columns shown, whatever the
    numbers)."""
    scope = scope_for(user)
    soon = today + datetime.timedelta(days=queries.DUE_SOON_DAYS)
    url = url_for("programs_node", "node_id")
    if scope.everything:  # the province office: the same SQL every time, compiled once
        task_read, milestone_read = _everything(limit)
        tasks, milestones = task_read(soon), milestone_read(soon)
    else:
        tasks, milestones = _tasks(scope, soon, limit), _milestones(scope, soon, limit)
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
