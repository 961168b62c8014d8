"""The one to-do list of the home page: the Board's follow-ups and programme work together,
soonest due first, each from its own module's scoped read, escaped."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from tinhuy.todo import Todo, TodoItem, todo_for, todo_html

EVIL = '<script>alert("x")</script>'


def _item(kind: str, what: str, due: datetime.date, **extra: Any) -> TodoItem:
    values = {"url": "/x/?a=1&b=2", "where": "", "lead_unit": "", "person": "", "overdue": False}
    return TodoItem(kind, what, due_on=due, **{**values, **extra})


def test_the_rows_escape_everything_and_say_what_each_is() -> None:
    todo = Todo(
        [
            _item("follow_up", EVIL, datetime.date(2026, 1, 5), overdue=True, person=EVIL),
            _item("task", "1.2 Lập quy hoạch", datetime.date(2026, 2, 6), where=EVIL),
            _item("milestone", "Trình phê duyệt", datetime.date(2026, 3, 7), where="1.2 Lập"),
        ],
        follow_ups=1,
        programme_work=True,
    )
    rows = todo_html(todo)
    assert "<script>" not in rows and rows.count("&lt;script&gt;") == 3
    first, second, third = rows.split("</li>")[:3]
    assert "Quá hạn" in first and "Quá hạn" not in second
    assert "Nhiệm vụ" in second and "hạn 06/02/2026" in second and "a=1&amp;b=2" in second
    assert "Mốc" in third and "1.2 Lập ·" in third


@pytest.mark.django_db
def test_the_office_sees_follow_ups_and_programme_work_soonest_first(personas: Any) -> None:
    """The demo's Gazetteer programme is running with an overdue task; the demo meeting's
    follow-ups are open."""
    today = datetime.date(2026, 12, 4)
    todo = todo_for(personas.province_office, today=today, limit=50)
    kinds = {item.kind for item in todo.items}
    assert "follow_up" in kinds and kinds & {"task", "milestone"}
    assert [i.due_on for i in todo.items] == sorted(i.due_on for i in todo.items)
    assert todo.follow_ups >= sum(1 for i in todo.items if i.kind == "follow_up")
    assert todo.programme_work


@pytest.mark.django_db
def test_the_home_page_links_each_modules_list(client_for: Any, personas: Any) -> None:
    page = client_for(personas.province_office).get(reverse("home")).content.decode()
    assert reverse("meetings_follow_ups") in page
    assert reverse("programs_due") in page


@pytest.mark.django_db
def test_nghi_loc_sees_no_other_units_work(personas: Any) -> None:
    todo = todo_for(personas.nghiloc_officer, today=datetime.date(2026, 12, 4), limit=50)
    assert all("Vinh" not in item.lead_unit for item in todo.items)
    assert not todo.programme_work
