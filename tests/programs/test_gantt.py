"""The timeline (Gantt) as server-rendered SVG: bars follow the dates, the baseline lies under
the plan once approved, milestones are diamonds, every text is escaped, and the page scrolls
the chart inside its own box."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from tests.programs.running import Running, running_fixture  # noqa: F401 - the fixture
from tinhuy.programs import gantt
from tinhuy.programs.queries import tree

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
TODAY = datetime.date(2021, 7, 1)


def _svg(r: Running, today: datetime.date = TODAY) -> ET.Element:
    result = tree(r.programme)
    chart = gantt.build(
        result,
        gantt.milestones_of(r.programme, result.by_id),
        gantt.baseline_of(r.programme),
        today,
    )
    assert chart is not None
    return ET.fromstring(str(gantt.render(chart)))  # noqa: S314 - our own output


def _row(svg: ET.Element, node_id: int) -> ET.Element:
    (row,) = [g for g in svg.iter(f"{SVG}g") if g.get("data-node") == str(node_id)]
    return row


def _rect(row: ET.Element, cls: str) -> ET.Element:
    (rect,) = [r for r in row.iter(f"{SVG}rect") if r.get("class") == cls]
    return rect


def test_bars_start_and_end_where_the_dates_say(running: Running) -> None:
    svg = _svg(running)
    # The axis starts on 1 January of the first year: 2021 (the tasks start then).
    vinh = _rect(_row(svg, running.vinh_task.pk), "plan")
    x = int(vinh.get("x") or 0)
    assert x == gantt.LABEL_WIDTH
    # 1/1/2021 → 31/12/2021: 365 days at half a pixel each.
    assert int(vinh.get("width") or 0) == int(Decimal(365) * gantt.DAY_WIDTH)
    department = _rect(_row(svg, running.task.pk), "plan")
    # 1/1/2021 → 31/12/2022: twice as long.
    assert int(department.get("width") or 0) == int(Decimal(730) * gantt.DAY_WIDTH)
    # The item spans its children: the longer one.
    item = _rect(_row(svg, running.task.parent_id), "plan")
    assert (item.get("x"), item.get("width")) == (department.get("x"), department.get("width"))


def test_the_baseline_lies_under_the_plan_and_milestones_are_diamonds(running: Running) -> None:
    svg = _svg(running)
    row = _row(svg, running.vinh_task.pk)
    plan, base = _rect(row, "plan"), _rect(row, "baseline")
    assert base.get("x") == plan.get("x")
    assert int(base.get("y") or 0) > int(plan.get("y") or 0)
    (diamond,) = list(row.iter(f"{SVG}polygon"))
    # Khởi công, 1/6/2021: 151 days after 1/1/2021.
    top = diamond.get("points", "").split()[0]
    assert int(top.split(",")[0]) == gantt.LABEL_WIDTH + int(Decimal(151) * gantt.DAY_WIDTH)
    assert "Khởi công — 01/06/2021" in (diamond.findtext(f"{SVG}title") or "")


def test_texts_are_escaped_and_today_is_drawn(running: Running) -> None:
    text = str(gantt.render(gantt.build(tree(running.programme), [], {}, TODAY)))  # type: ignore[arg-type]
    assert "&lt;Vinh&gt; &amp; ven sông" in text
    assert "<Vinh>" not in text
    svg = ET.fromstring(text)  # noqa: S314 - our own output, well-formed
    labels = [
        t.findtext(f"{SVG}title") for t in svg.iter(f"{SVG}text") if t.get("class") == "label"
    ]
    assert any((label or "").endswith(" Chỉnh trang đô thị <Vinh> & ven sông") for label in labels)
    (line,) = [x for x in svg.iter(f"{SVG}line") if x.get("class") == "today"]
    days = (TODAY - datetime.date(2021, 1, 1)).days
    assert int(line.get("x1") or 0) == gantt.LABEL_WIDTH + int(Decimal(days) * gantt.DAY_WIDTH)
    years = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "year"]
    assert years == ["2021", "2022"]
    quarters = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "quarter"]
    assert quarters[:4] == ["Q1", "Q2", "Q3", "Q4"]


def test_progress_fills_the_bar(running: Running, personas: Any) -> None:
    from tinhuy.programs import actions
    from tinhuy.programs.models import NodeStatus

    actions.do_report(
        running.vinh_task,
        running.cycle,
        actions.ReportSpec(NodeStatus.ON_TRACK, 50),
        acting_user=personas.province_office,
    )
    row = _row(_svg(running), running.vinh_task.pk)
    plan, done = _rect(row, "plan"), _rect(row, "progress")
    assert int(done.get("width") or 0) == int(int(plan.get("width") or 0) * 50 / 100)


def test_a_programme_without_dates_has_no_chart(plan: Any) -> None:
    from tinhuy.programs.queries import Tree

    assert gantt.build(Tree([], {}, Decimal(0), Decimal(0)), [], {}, TODAY) is None


def test_the_page_scrolls_the_chart_in_its_own_box_and_is_scoped(
    running: Running, personas: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    url = reverse("programs_gantt", args=[running.programme.pk])
    client = client_for(personas.province_office)
    with django_assert_max_num_queries(12):
        page = client.get(url).content.decode()
    assert 'class="gantt-scroll' in page and "overflow-x: auto" in page
    assert "<svg" in page and "&lt;Vinh&gt;" in page
    vinh = client_for(personas.vinh_officer).get(url).content.decode()
    assert "Chỉnh trang đô thị" in vinh
    assert "Lập quy hoạch mạng lưới giao thông" not in vinh
    assert client_for(personas.nghiloc_officer).get(url).status_code == 404


def test_no_element_takes_a_bootstrap_layout_class(running: Running) -> None:
    """The chart sits in a Bootstrap page: an SVG group named "row" took ``.row > *``'s
    ``width: 100%`` and every bar ran to the chart's right edge (found in the browser)."""
    bootstrap = {"row", "col", "container", "d-flex"}
    for element in _svg(running).iter():
        assert not set((element.get("class") or "").split()) & bootstrap, element.attrib
