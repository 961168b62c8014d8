"""The to-do list on the home page: the open follow-ups of the units a user sees, soonest due
first, the overdue ones marked."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone

from tinhuy.meetings.queries import FollowUpLine, follow_up_lines, is_overdue, open_follow_ups
from tinhuy.org.access import scope_for

if TYPE_CHECKING:
    from tinhuy.org.access import AnyUser

TODO_LIMIT = 10


@dataclass(frozen=True)
class TodoRow:
    follow_up: FollowUpLine
    overdue: bool


@dataclass(frozen=True)
class Todo:
    rows: list[TodoRow]
    total: int  # all open follow-ups, of which ``rows`` are the first

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def todo_for(user: AnyUser, *, today: datetime.date | None = None, limit: int = TODO_LIMIT) -> Todo:
    """At most ``limit`` open follow-ups (one query of the columns shown; a second counts them
    when there are more)."""
    today = today or timezone.localdate()
    follow_ups = open_follow_ups(scope_for(user))
    first = follow_up_lines(follow_ups[: limit + 1])
    total = len(first) if len(first) <= limit else follow_ups.count()
    return Todo([TodoRow(f, is_overdue(f, today)) for f in first[:limit]], total)
