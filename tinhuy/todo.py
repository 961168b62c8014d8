"""The one to-do list on the home page: what the units a user sees must do next, from every
module — the Standing Board's follow-ups (``tinhuy.meetings.todo``), the tasks and
milestones of running programmes overdue or due within 30 days (``tinhuy.programs.todo``) and
the conferences of study campaigns to register or report, with the units under one's own that
are past the deadline (``tinhuy.study.todo``) — soonest due first, the overdue ones marked.
Each module keeps its own list page; this one shows the first few of all."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tinhuy.meetings import todo as meetings_todo
from tinhuy.presenting import html, lines, url_for
from tinhuy.programs import todo as programs_todo
from tinhuy.study import todo as study_todo

if TYPE_CHECKING:
    from tinhuy.org.access import AnyUser

TODO_LIMIT = 10


@dataclass(frozen=True)
class TodoItem:
    kind: (
        str  # "follow_up", "task", "milestone"; a campaign's "register", "report", "units_overdue"
    )
    what: str
    url: str
    # The task a milestone belongs to, the programme of a task, the plan of a campaign's line;
    # "" for a follow-up.
    where: str
    lead_unit: str
    person: str
    due_on: datetime.date
    overdue: bool
    note: str = ""  # a campaign line's reminders ("đã nhắc 05/01/2021")


@dataclass(frozen=True)
class Todo:
    items: list[TodoItem]
    follow_ups: int  # open follow-ups in all (the list page has them)
    programme_work: bool  # programme tasks or milestones are due (the due list has them)

    @property
    def total(self) -> int:
        return len(self.items)


def todo_for(user: AnyUser, *, today: datetime.date | None = None, limit: int = TODO_LIMIT) -> Todo:
    """The first ``limit`` things to do of every module, soonest due first."""
    today = today or timezone.localdate()
    follow_ups = meetings_todo.todo_for(user, today=today, limit=limit)
    url = url_for("meetings_follow_up", "follow_up_id")
    items = [
        TodoItem(
            "follow_up",
            row.follow_up.what,
            url(row.follow_up.id),
            "",
            row.follow_up.lead_unit,
            row.follow_up.person,
            row.follow_up.due_on,
            row.overdue,
        )
        for row in follow_ups.rows
    ]
    work = programs_todo.todo_rows(user, today, limit)
    items += [
        TodoItem(
            row.kind,
            row.title,
            row.url,
            row.task if row.kind == "milestone" else row.programme,
            row.lead_unit,
            "",
            row.due_on,
            row.overdue,
        )
        for row in work
    ]
    items += [
        TodoItem(
            row.kind, row.title, row.url, row.plan, row.unit, "", row.due_on, row.overdue, row.note
        )
        for row in study_todo.todo_rows(user, today, limit)
    ]
    items.sort(key=lambda item: (item.due_on, item.kind, item.what))
    return Todo(items[:limit], follow_ups.total, bool(work))


def todo_html(todo: Todo) -> SafeString:
    """The list's ``<li>`` rows: what (a link), "Quá hạn" when it is, what it belongs to, the
    lead unit and person, the due date."""
    due = html("{}", _("hạn"))  # escaped once
    overdue = html('<span class="badge text-bg-danger">{}</span>', _("Quá hạn"))
    kinds: dict[str, object] = {
        "task": html('<span class="badge text-bg-light border">{}</span> ', _("Nhiệm vụ")),
        "milestone": html('<span class="badge text-bg-light border">{}</span> ', _("Mốc")),
        "follow_up": "",
    }
    campaign = html('<span class="badge text-bg-light border">{}</span> ', _("Học tập"))
    kinds |= {"register": campaign, "report": campaign, "units_overdue": campaign}
    return lines(
        html(
            '<li class="py-1 border-bottom">{}<a href="{}">{}</a>\n'
            "  {}\n"
            '  <div class="small text-muted">{}{} · {} {:%d/%m/%Y}{}</div></li>',
            kinds[item.kind],
            item.url,
            item.what,
            overdue if item.overdue else "",
            f"{item.where} · " if item.where else "",
            " · ".join(part for part in (item.lead_unit, item.person) if part),
            due,
            item.due_on,
            f" · {item.note}" if item.note else "",
        )
        for item in todo.items
    )
