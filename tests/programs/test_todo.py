"""The programme rows of the home page's to-do list: overdue and due-soon tasks and milestones
of the programmes a user sees, soonest first, in two queries."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from tests.programs.running import Running, running_fixture  # noqa: F401 - the fixture
from tinhuy.programs import actions
from tinhuy.programs.models import NodeStatus
from tinhuy.programs.todo import todo_rows

pytestmark = pytest.mark.django_db

D = datetime.date


def _mine(rows: list[Any]) -> list[tuple[str, str, bool, int]]:
    names = ("Khởi công", "Trình phê duyệt")
    return [
        (r.kind, r.title, r.overdue, r.days)
        for r in rows
        if "Chỉnh trang" in r.task or "Lập quy hoạch" in r.task or r.title in names
    ]


def test_overdue_and_due_soon_rows_come_soonest_first(running: Running, personas: Any) -> None:
    rows = _mine(todo_rows(personas.province_office, D(2021, 5, 20), limit=50))
    # Vinh's milestone (1/6/2021) is due in 12 days; the tasks are due much later.
    assert rows == [("milestone", "Khởi công", False, 12)]
    later = todo_rows(personas.province_office, D(2022, 1, 5), limit=50)
    mine = _mine(later)
    assert mine[0] == ("milestone", "Khởi công", True, -218)
    assert ("task", str(running.vinh_task), True, -5) in mine
    assert all(r.due_on <= D(2022, 2, 4) for r in later)
    assert [r.due_on for r in later] == sorted(r.due_on for r in later)


def test_rows_are_scoped(running: Running, personas: Any) -> None:
    vinh = _mine(todo_rows(personas.vinh_officer, D(2022, 1, 5), limit=50))
    assert ("task", str(running.vinh_task), True, -5) in vinh
    assert all(
        "Lập quy hoạch" not in title and title != "Trình phê duyệt" for _, title, _, _ in vinh
    )
    nghiloc = _mine(todo_rows(personas.nghiloc_officer, D(2022, 1, 5), limit=50))
    assert nghiloc == []


def test_done_work_leaves_the_list_and_the_limit_holds(running: Running, personas: Any) -> None:
    actions.do_report(
        running.vinh_task,
        running.cycle,
        actions.ReportSpec(NodeStatus.DONE),
        acting_user=personas.vinh_officer,
    )
    assert _mine(todo_rows(personas.vinh_officer, D(2022, 1, 5), limit=50)) == []
    assert len(todo_rows(personas.province_office, D(2030, 1, 1), limit=1)) <= 1


def test_two_queries_whatever_the_numbers(
    running: Running, personas: Any, django_assert_num_queries: Any
) -> None:
    from tinhuy.org.access import scope_for

    scope_for(personas.province_office)  # the scope is read once per request
    with django_assert_num_queries(2):
        todo_rows(personas.province_office, D(2022, 1, 5))


def test_the_compiled_reads_of_the_province_office_give_the_orms_rows(
    running: Running, personas: Any
) -> None:
    """For a user who sees everything the two reads run as SQL compiled once, with the due
    date given each time (a date reaches SQLite as text, PostgreSQL as a date)."""
    from tinhuy.org.access import scope_for
    from tinhuy.programs import todo

    scope = scope_for(personas.province_office)
    for soon in (D(2021, 5, 20), D(2022, 1, 5), D(2030, 1, 1)):
        tasks, milestones = todo._everything(50)
        assert [tuple(r) for r in tasks(soon)] == list(todo._tasks(scope, soon, 50))
        assert [tuple(r) for r in milestones(soon)] == list(todo._milestones(scope, soon, 50))
