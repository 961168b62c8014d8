"""Programme work for the home page's to-do list: the tasks and milestones overdue or due within
30 days in the programmes a user sees, soonest due first (the overdue ones therefore first)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import NoReverseMatch, reverse

from tinhuy.org.access import scope_for
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


def _node_url(node_id: int) -> str:
    try:
        return reverse("programs_node", args=[node_id])
    except NoReverseMatch:
        return ""


def todo_rows(user: AnyUser, today: datetime.date, limit: int = TODO_LIMIT) -> list[TodoRow]:
    """At most ``limit`` rows: open tasks and milestones of running programmes the user sees,
    due by ``today`` + 30 days, soonest first (two queries whatever the numbers)."""
    scope = scope_for(user)
    soon = today + datetime.timedelta(days=queries.DUE_SOON_DAYS)
    rows: list[TodoRow] = []
    for node in queries.open_tasks(scope).filter(due_on__lte=soon)[:limit]:
        assert node.due_on is not None  # noqa: S101 - open_tasks have a due date
        label = str(node)
        rows.append(
            TodoRow(
                "task",
                label,
                label,
                node.programme.title,
                node.lead_unit.name if node.lead_unit else "",
                node.due_on,
                node.due_on < today,
                (node.due_on - today).days,
                _node_url(node.pk),
            )
        )
    milestones = (
        queries.open_milestones(scope)
        .filter(due_on__lte=soon, node__status__in=_OPEN)
        .only(
            "id",
            "title",
            "due_on",
            "node__id",
            "node__code",
            "node__title",
            "node__programme__id",
            "node__programme__title",
            "node__lead_unit__id",
            "node__lead_unit__name",
        )[:limit]
    )
    for mark in milestones:
        node = mark.node
        rows.append(
            TodoRow(
                "milestone",
                mark.title,
                str(node),
                node.programme.title,
                node.lead_unit.name if node.lead_unit else "",
                mark.due_on,
                mark.due_on < today,
                (mark.due_on - today).days,
                _node_url(node.pk),
            )
        )
    rows.sort(key=lambda r: (r.due_on, r.kind != "task", r.title))
    return rows[:limit]
