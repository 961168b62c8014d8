"""The progress dashboard: scope, as-of date, totals, the unit table's filters and sorting, the
htmx fragment, chart data, and a query count that does not grow with the number of units.

The sample as of 15/01/2021 (``tinhuy.study.demo``): Kỳ Sơn and Tương Dương held their district
conference late, Quế Phong and Quỳ Châu not at all (deadline 30/12/2020 passed), Anh Sơn's own
plan was presented by a province reporter (presenter rule). The grassroots deadline is
30/01/2021, so grassroots units only turn "missing" as of 01/02/2021.
"""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tinhuy.org.access import scope_for
from tinhuy.org.models import Unit
from tinhuy.study import queries
from tinhuy.study.compliance import Status
from tinhuy.study.queries import filter_rows, sort_rows

MID_JANUARY = "15/01/2021"
FEBRUARY = "01/02/2021"


def _url(plan, **params: object) -> str:  # type: ignore[no-untyped-def]
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("study_dashboard", args=[plan.pk]) + (f"?{query}" if query else "")


def _unit_rows(body: str) -> list[tuple[str, str]]:
    """(unit id, status) of every row of the unit table."""
    return re.findall(r'<tr data-unit="(\d+)" data-status="(\w+)">', body)


def _unit(code: str) -> Unit:
    return Unit.objects.get(structure__code="nghe-an-2020", code=code)


# --- scope -------------------------------------------------------------------------------------


def test_anonymous_citizen_is_sent_to_log_in(client_for, personas, plan_2020) -> None:
    response = client_for(personas.citizen).get(_url(plan_2020))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_province_office_dashboard_defaults_to_the_province(
    client_for, personas, plan_2020, units
) -> None:
    response = client_for(personas.province_office).get(_url(plan_2020, ngay=MID_JANUARY))
    assert response.status_code == 200
    assert response.context["dash"].root == units.province_2020


def test_the_vinh_officer_dashboard_defaults_to_vinh(
    client_for, personas, plan_2020, units
) -> None:
    """He cannot see the province, so his dashboard covers Vinh's subtree only."""
    response = client_for(personas.vinh_officer).get(_url(plan_2020, ngay=MID_JANUARY))
    assert response.status_code == 200
    assert response.context["dash"].root == units.vinh
    paths = {row.progress.path for row in response.context["dash"].progress.rows}
    assert all(path.startswith(units.vinh.path) for path in paths)
    body = response.content.decode()
    assert "Đảng bộ huyện Nghi Lộc" not in body


def test_the_vinh_officer_gets_404_for_nghi_loc(client_for, personas, plan_2020, units) -> None:
    response = client_for(personas.vinh_officer).get(_url(plan_2020, don_vi=units.nghiloc.pk))
    assert response.status_code == 404


def test_the_nghi_loc_officer_gets_404_for_vinh_and_for_the_province(
    client_for, personas, plan_2020, units
) -> None:
    client = client_for(personas.nghiloc_officer)
    assert client.get(_url(plan_2020, don_vi=units.vinh.pk)).status_code == 404
    assert client.get(_url(plan_2020, don_vi=units.province_2020.pk)).status_code == 404
    assert client.get(_url(plan_2020)).context["dash"].root == units.nghiloc


def test_the_vinh_officer_gets_404_for_the_2025_plan(client_for, personas, plan_2025) -> None:
    assert client_for(personas.vinh_officer).get(_url(plan_2025)).status_code == 404


def test_a_unit_of_another_structure_is_404(client_for, personas, plan_2020, units) -> None:
    """The 2025 province root is visible to the office, but it is not in the 2020 plan."""
    client = client_for(personas.province_office)
    assert client.get(_url(plan_2020, don_vi=units.province_2025.pk)).status_code == 404


def test_the_board_member_sees_any_district(client_for, personas, plan_2020, units) -> None:
    client = client_for(personas.board_member)
    response = client.get(_url(plan_2020, don_vi=units.nghiloc.pk, ngay=MID_JANUARY))
    assert response.status_code == 200
    assert response.context["dash"].root == units.nghiloc


def test_the_unit_selector_offers_only_the_users_scope(
    client_for, personas, plan_2020, units
) -> None:
    vinh = client_for(personas.vinh_officer).get(_url(plan_2020)).context["unit_choices"]
    ids = {pk for pk, _label in vinh}
    assert units.vinh.pk in ids
    assert units.vinh_grassroots.pk in ids
    assert units.province_2020.pk not in ids
    assert units.nghiloc.pk not in ids
    office = client_for(personas.province_office).get(_url(plan_2020)).context["unit_choices"]
    assert {units.province_2020.pk, units.vinh.pk, units.nghiloc.pk} <= {pk for pk, _ in office}


# --- as of a date ------------------------------------------------------------------------------


def test_as_of_mid_january_late_and_missing_districts_and_anh_son_presenter_problem(
    client_for, personas, plan_2020
) -> None:
    client = client_for(personas.province_office)
    response = client.get(_url(plan_2020, ngay=MID_JANUARY))
    body = response.content.decode()
    assert "số liệu đến hết ngày 15/01/2021" in body
    rows = _unit_rows(body)
    district_rows = dict(
        (unit_id, status)
        for unit_id, status in rows
        if unit_id in {str(_unit(code).pk) for code in ("415", "416", "417", "418")}
        and status != Status.HELD_ON_TIME  # their province conference (bridge point) was on time
    )
    assert district_rows == {
        str(_unit("415").pk): Status.MISSING,  # Quế Phong
        str(_unit("416").pk): Status.MISSING,  # Quỳ Châu: scheduled for 20/01 only
        str(_unit("417").pk): Status.HELD_LATE,  # Kỳ Sơn
        str(_unit("418").pk): Status.HELD_LATE,  # Tương Dương
    }
    anh_son = [
        line
        for line in response.context["lines"]
        if line.unit_id == _unit("424").pk and line.problems
    ]
    assert [line.level for line in anh_son] == ["Cấp huyện và tương đương"]
    assert "Báo cáo viên Tỉnh ủy (minh họa)" in anh_son[0].problems[0]
    assert anh_son[0].problems[0] in body
    levels = {line.name: line for line in response.context["levels"]}
    district = levels["Cấp huyện và tương đương"]
    assert (district.late, district.missing, district.non_compliant) == (2, 2, 1)
    assert levels["Cấp cơ sở"].missing == 0  # the grassroots deadline has not passed yet


def test_as_of_february_grassroots_missing_appear(client_for, personas, plan_2020) -> None:
    """After 30/01/2021 grassroots units without a conference are missing; Quỳ Châu, which held
    its conference on 20/01, turns from missing into late."""
    client = client_for(personas.province_office)
    january = {x.name: x for x in client.get(_url(plan_2020, ngay=MID_JANUARY)).context["levels"]}
    february = {x.name: x for x in client.get(_url(plan_2020, ngay=FEBRUARY)).context["levels"]}
    assert january["Cấp cơ sở"].missing == 0
    assert february["Cấp cơ sở"].missing > 0
    assert (
        february["Cấp huyện và tương đương"].late,
        february["Cấp huyện và tương đương"].missing,
    ) == (3, 1)
    response = client.get(_url(plan_2020, ngay=FEBRUARY, trang_thai="qua-han", cap=_level("co-so")))
    rows = _unit_rows(response.content.decode())
    assert len(rows) == february["Cấp cơ sở"].missing
    assert {status for _unit_id, status in rows} == {Status.MISSING}


def _level(code: str) -> int:
    from tinhuy.org.models import Level

    return Level.objects.get(structure__code="nghe-an-2020", code=code).pk


def test_the_date_defaults_to_today(client_for, personas, plan_2020) -> None:
    from django.utils import timezone

    response = client_for(personas.province_office).get(_url(plan_2020))
    assert response.context["dash"].as_of == timezone.localdate()


def test_an_impossible_date_is_a_400_with_a_vietnamese_message(
    client_for, personas, plan_2020
) -> None:
    response = client_for(personas.province_office).get(_url(plan_2020, ngay="31/02/2021"))
    assert response.status_code == 400
    assert "dd/mm/yyyy" in response.content.decode()


def test_the_page_shows_what_plan_progress_computes(client_for, personas, plan_2020, units) -> None:
    """The totals table is plan_progress's roll-up, unchanged."""
    user = personas.province_office
    response = client_for(user).get(_url(plan_2020, ngay=MID_JANUARY))
    progress = queries.plan_progress(
        plan_2020, units.province_2020, scope_for(user), datetime.date(2021, 1, 15)
    )
    for line, rule_row in zip(response.context["levels"], progress.rules, strict=True):
        totals = rule_row.totals
        assert line.units == totals.units
        assert line.late == totals.by_status[Status.HELD_LATE]
        assert line.missing == totals.by_status[Status.MISSING]
        assert line.reported == totals.reported
        assert line.non_compliant == totals.non_compliant
        assert line.expected == totals.people.expected
        assert line.learned == totals.people.attended + totals.people.made_up
        assert line.coverage == totals.people.coverage
    # The unit table shows a page of 100 rows; the pages together are every row.
    first = _unit_rows(response.content.decode())
    assert len(first) == min(100, len(progress.rows)) and len(progress.rows) > 100
    second = client_for(user).get(_url(plan_2020, ngay=MID_JANUARY, trang="2"))
    rest = _unit_rows(second.content.decode())
    assert len(first) + len(rest) == len(progress.rows)
    assert {u for u, _s in first} | {u for u, _s in rest} == {str(r.unit_id) for r in progress.rows}
    assert (
        f"{len(progress.rows)} dòng, đang xem 101–{len(progress.rows)}" in second.content.decode()
    )


def test_numbers_use_vietnamese_separators(client_for, personas, plan_2020) -> None:
    body = client_for(personas.province_office).get(_url(plan_2020, ngay=MID_JANUARY)).content
    totals = body.decode()[body.decode().index('id="level-totals"') :]
    assert re.search(r">\d{1,3}\.\d{3}<", totals)  # thousands: 1.497
    assert re.search(r">\d{1,3},\d%<", totals)  # coverage: 96,9%


def test_sample_plan_shows_the_sample_data_banner(client_for, personas, plan_2020) -> None:
    body = client_for(personas.province_office).get(_url(plan_2020)).content.decode()
    assert 'id="sample-banner"' in body


# --- the unit table ----------------------------------------------------------------------------


def test_filter_late_shows_only_late_units(client_for, personas, plan_2020) -> None:
    body = (
        client_for(personas.province_office)
        .get(_url(plan_2020, ngay=MID_JANUARY, trang_thai="muon"))
        .content.decode()
    )
    rows = _unit_rows(body)
    assert {unit_id for unit_id, _ in rows} == {str(_unit("417").pk), str(_unit("418").pk)}


def test_filter_non_compliant_shows_anh_son_with_its_problem(
    client_for, personas, plan_2020
) -> None:
    body = (
        client_for(personas.province_office)
        .get(_url(plan_2020, ngay=MID_JANUARY, trang_thai="khong-dat"))
        .content.decode()
    )
    assert [unit_id for unit_id, _ in _unit_rows(body)] == [str(_unit("424").pk)]
    assert "phải do Bí thư, Chủ tịch hoặc thủ trưởng của đơn vị trình bày" in body


def test_filter_by_level(client_for, personas, plan_2020) -> None:
    response = client_for(personas.province_office).get(
        _url(plan_2020, ngay=MID_JANUARY, cap=_level("huyen"))
    )
    rows = _unit_rows(response.content.decode())
    assert len(rows) == 23  # 21 districts, towns and the city, and 2 blocks


def test_an_unknown_status_filter_is_a_400(client_for, personas, plan_2020) -> None:
    response = client_for(personas.province_office).get(_url(plan_2020, trang_thai="xyz"))
    assert response.status_code == 400


def test_ids_beyond_any_key_are_a_400_on_the_page_and_the_exports(
    client_for, personas, plan_2020
) -> None:
    """Never a database overflow (a 500 on both databases)."""
    client = client_for(personas.province_office)
    for name in ("study_dashboard", "study_unit_table_xlsx", "study_report_docx"):
        for params in ({"don_vi": 10**20}, {"cap": 2**63}, {"don_vi": "9" * 5000}):
            response = client.get(reverse(name, args=[plan_2020.pk]), params)
            assert response.status_code == 400, (name, params)


def test_drill_down_links_open_the_units_dashboard(client_for, personas, plan_2020) -> None:
    body = (
        client_for(personas.province_office)
        .get(_url(plan_2020, ngay=MID_JANUARY, trang_thai="muon"))
        .content.decode()
    )
    kyson = _unit("417").pk
    assert f'href="/hoc-tap/{plan_2020.pk}/tien-do/?don_vi={kyson}&amp;ngay=15/01/2021"' in body


def test_htmx_filter_request_gets_the_unit_table_alone(client_for, personas, plan_2020) -> None:
    response = client_for(personas.province_office).get(
        _url(plan_2020, ngay=MID_JANUARY, trang_thai="qua-han"),
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="unit-table",
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="unit-table"')
    assert "<html" not in body
    assert len(_unit_rows(body)) == 2
    assert "HX-Request" in response["Vary"]


def _district_lines(client, plan, sort: str):  # type: ignore[no-untyped-def]
    response = client.get(_url(plan, ngay=MID_JANUARY, cap=_level("huyen"), sap_xep=sort))
    return response.context["lines"]


def test_sorting_by_name_follows_vietnamese_order(client_for, personas, plan_2020) -> None:
    client = client_for(personas.province_office)
    names = [line.name for line in _district_lines(client, plan_2020, "ten")]
    assert names.index("Đảng bộ huyện Diễn Châu") < names.index("Đảng bộ huyện Đô Lương")
    assert names.index("Đảng bộ huyện Đô Lương") < names.index("Đảng bộ huyện Hưng Nguyên")
    assert [line.name for line in _district_lines(client, plan_2020, "-ten")] == names[::-1]


def test_sorting_by_status_puts_the_units_to_chase_first(client_for, personas, plan_2020) -> None:
    lines = _district_lines(client_for(personas.province_office), plan_2020, "trang-thai")
    statuses = [line.status for line in lines[:4]]
    assert statuses == [Status.MISSING, Status.MISSING, Status.HELD_LATE, Status.HELD_LATE]


def test_sorting_by_coverage_puts_units_without_figures_last(
    client_for, personas, plan_2020
) -> None:
    """Quế Phong and Quỳ Châu have no figures yet: last, whether ascending or descending."""
    client = client_for(personas.province_office)
    for sort, descending in (("ty-le", False), ("-ty-le", True)):
        lines = _district_lines(client, plan_2020, sort)
        with_figures = [line.coverage for line in lines if line.coverage is not None]
        assert with_figures == sorted(with_figures, reverse=descending)
        assert [line.coverage for line in lines[-2:]] == [None, None]


def test_sorting_by_date_of_the_conference(client_for, personas, plan_2020) -> None:
    lines = _district_lines(client_for(personas.province_office), plan_2020, "-ngay")
    dates = [line.held_on for line in lines if line.held_on is not None]
    assert dates == sorted(dates, reverse=True)
    assert dates[0] == datetime.date(2021, 1, 12)  # Tương Dương, the latest
    assert lines[-1].held_on is None


def test_filter_and_sort_functions_keep_every_row(plan_2020, personas, units) -> None:
    progress = queries.plan_progress(
        plan_2020,
        units.province_2020,
        scope_for(personas.province_office),
        datetime.date(2021, 1, 15),
    )
    every = filter_rows(progress.rows)
    assert every == progress.rows
    for sort in ("ten", "-ten", "trang-thai", "ty-le", "-ty-le", "ngay", "-ngay"):
        assert sorted(id(row) for row in sort_rows(every, sort)) == sorted(id(r) for r in every)


# --- charts ------------------------------------------------------------------------------------


def test_coverage_chart_has_one_bar_group_per_child_unit(client_for, personas, plan_2020) -> None:
    response = client_for(personas.province_office).get(_url(plan_2020, ngay=MID_JANUARY))
    chart = response.context["coverage_chart"]
    children = response.context["dash"].progress.children
    # The district-level units; the province's advisory board (an agency, tinhuy.meetings.demo)
    # is expected to hold nothing and is not one of them.
    assert len(chart["labels"]) == len(children) == 23
    assert "Huyện Nghi Lộc" in chart["labels"]
    district = next(d for d in chart["datasets"] if d["label"] == "Cấp huyện và tương đương")
    quephong = chart["labels"].index("Huyện Quế Phong")
    assert district["data"][quephong] is None  # nothing held, nobody counted
    body = response.content.decode()
    assert 'id="coverage-data" type="application/json"' in body
    assert 'src="/static/study/dashboard.js"' in body


def test_a_chart_of_many_children_keeps_the_lowest_rates_and_says_so(
    client_for, personas, plan_2020, monkeypatch
) -> None:
    """A province of the two-level government has 1,500 communes right below it: the chart
    keeps the ``CHART_BARS`` lowest overall rates (in name order), its note says how many of
    how many, and the unit table still has them all."""
    from tinhuy.study.views import dashboard as view

    client = client_for(personas.province_office)
    whole = client.get(_url(plan_2020, ngay=MID_JANUARY)).context
    monkeypatch.setattr(view, "CHART_BARS", 5)
    response = client.get(_url(plan_2020, ngay=MID_JANUARY))
    chart = response.context["coverage_chart"]
    assert len(chart["labels"]) == 5
    charted = [
        (child, totals)
        for child, totals in whole["dash"].progress.children
        if any(t.people.expected for t in totals)
    ]

    def rate(totals):  # type: ignore[no-untyped-def]
        expected = sum(t.people.expected for t in totals)
        return sum(t.people.attended + t.people.made_up for t in totals) / expected

    rates = sorted(rate(totals) for _child, totals in charted)
    kept = [
        rate(totals) for child, totals in charted if view._short_name(child.name) in chart["labels"]
    ]
    assert sorted(kept) == rates[:5]
    names = [view._short_name(child.name) for child, _totals in charted]
    assert chart["labels"] == [name for name in names if name in chart["labels"]]  # name order
    assert chart["note"] == f"5 đơn vị có tỷ lệ thấp nhất trong {len(charted)} đơn vị trực " + (
        "thuộc; bảng đơn vị dưới đây có đủ."
    )
    assert 'id="coverage-note"' in response.content.decode()
    assert response.context["dash"].progress.children == whole["dash"].progress.children


def test_the_units_without_a_figure_are_named_then_counted(
    client_for, personas, plan_2020, monkeypatch
) -> None:
    from tinhuy.study.views import dashboard as view

    client = client_for(personas.province_office)
    named = client.get(_url(plan_2020, ngay="01/03/2021")).context["coverage_unknown"]
    assert len(named) >= 2
    monkeypatch.setattr(view, "UNKNOWN_NAMED", 1)
    capped = client.get(_url(plan_2020, ngay="01/03/2021")).context["coverage_unknown"]
    assert capped == [named[0], f"và {len(named) - 1} đơn vị trực thuộc khác"]


def test_timeline_chart_counts_held_conferences_cumulatively_with_deadlines(
    client_for, personas, plan_2020
) -> None:
    response = client_for(personas.province_office).get(_url(plan_2020, ngay=MID_JANUARY))
    chart = response.context["timeline_chart"]
    levels = {level["label"]: level for level in chart["levels"]}
    assert levels["Cấp tỉnh"]["deadline"] == "2020-11-30"
    assert levels["Cấp tỉnh"]["points"] == [["2020-11-17", 24]]  # host and 23 bridge points
    district = levels["Cấp huyện và tương đương"]
    counts = [count for _day, count in district["points"]]
    assert counts == sorted(counts)
    assert counts[-1] == response.context["levels"][1].held == 21
    assert all(day <= "2021-01-15" for day, _count in district["points"])
    body = response.content.decode()
    found = re.search(r'id="timeline-data" type="application/json">(.*?)</script>', body)
    assert found is not None
    data = json.loads(found.group(1))
    assert data["as_of"] == "2021-01-15"


# --- queries -----------------------------------------------------------------------------------


def test_dashboard_query_count_is_bounded(
    client_for, personas, plan_2020, django_assert_max_num_queries
) -> None:
    client = client_for(personas.province_office)
    # 18 since the member list is read on every date, not only with per-person attendance:
    # units due without a report count their loaded members (then their headcount).
    with django_assert_max_num_queries(18):
        assert client.get(_url(plan_2020, ngay=MID_JANUARY)).status_code == 200


def test_dashboard_queries_do_not_grow_with_the_number_of_units(
    client_for, personas, plan_2020, units
) -> None:
    """The province (185 rows) costs as many queries as one district (8 rows), but one."""
    client = client_for(personas.province_office)

    def count(unit: Unit) -> int:
        client.get(_url(plan_2020, don_vi=unit.pk, ngay=MID_JANUARY))  # warm the session
        with CaptureQueriesContext(connection) as captured:
            response = client.get(_url(plan_2020, don_vi=unit.pk, ngay=MID_JANUARY))
        assert response.status_code == 200
        return len(captured)

    province = client.get(_url(plan_2020, don_vi=units.province_2020.pk, ngay=MID_JANUARY))
    district = client.get(_url(plan_2020, don_vi=units.vinh.pk, ngay=MID_JANUARY))
    assert len(province.context["lines"]) > 10 * len(district.context["lines"])
    # Below the top, one query more: the conferences above that the district attends.
    assert count(units.province_2020) + 1 == count(units.vinh)


def test_a_long_table_links_the_first_last_and_nearby_pages(
    client_for, personas, plan_2020, monkeypatch
) -> None:
    """A nation's table has 500 pages: the links are the first and last two, two each side of
    the page shown, and "…" between."""
    from tinhuy.study.views import dashboard as view

    monkeypatch.setattr(view, "UNIT_TABLE_PAGE", 5)
    response = client_for(personas.province_office).get(_url(plan_2020, ngay=MID_JANUARY, trang=10))
    pages = response.context["page"].paginator.num_pages
    assert pages > 20
    body = response.content.decode()
    nav = body[body.index('id="unit-pages"') :]
    nav = nav[: nav.index("</nav>")]
    shown = [int(n) for n in re.findall(r'class="page-link"[^>]*>(\d+)</a>', nav)]
    assert shown == [1, 2, 8, 9, 10, 11, 12, pages - 1, pages]
    assert nav.count("…") == 2
    assert 'aria-current="page">10<' in nav


@pytest.mark.parametrize("by_part", [False, True])
def test_a_draft_plan_without_rules_yet_has_a_dashboard(
    client_for, personas, units, by_part
) -> None:
    """A draft may be saved before its levels are set: its dashboard says nothing is expected
    yet (it used to answer 500: a filter on no level compiled into no query)."""
    from tinhuy.org.models import Structure
    from tinhuy.study.actions import do_create_plan

    Structure.objects.filter(pk=units.structure_2020.pk).update(roll_up_by_part=by_part)
    plan = do_create_plan(
        structure=units.structure_2020,
        title="Kế hoạch chưa có cấp học tập",
        source_document="Nghị quyết thử nghiệm",
        topics=["Chuyên đề thử nghiệm"],
        rules=[],
        issuing_unit=units.province_2020,
        acting_user=personas.province_office,
    )
    response = client_for(personas.province_office).get(_url(plan, ngay="15/01/2021"))
    assert response.status_code == 200
    assert _unit_rows(response.content.decode()) == []


def _selector_in_one_query(scope, progress) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    """The unit selector as one query of the database would list it: the scope's tops and the
    units right below them, the chosen unit and its children, at the plan's levels, by depth
    and name (``queries.unit_choices`` takes the children from the progress instead)."""
    from django.db.models import Q

    root = progress.root
    levels = {r.rule.level_id for r in progress.rules} | {
        level.pk for r in progress.rules for level in r.rule.participant_levels.all()
    }
    if scope.everything:
        tops = [int(root.path.strip("/").split("/")[0])]
    else:
        tops = [int(path.strip("/").split("/")[-1]) for path in scope.view_paths]
    near = Q(pk__in=tops) | Q(parent_id__in=tops) | Q(pk=root.pk) | Q(parent_id=root.pk)
    found = list(
        scope.units(
            Unit.objects.filter(structure_id=progress.plan.structure_id, level_id__in=levels)
        )
        .filter(near)
        .order_by("depth", "name_sort", "id")
        .values_list("id", "name", "depth")
    )
    top = min((depth for _pk, _name, depth in found), default=0)
    return [(pk, "\u2003" * (depth - top) + name) for pk, name, depth in found]


@pytest.mark.parametrize("by_part", [False, True])
def test_the_unit_selector_lists_what_one_query_would(plan_2020, personas, units, by_part) -> None:
    """The selector takes the chosen unit's children from the progress (read once for the chart
    and the selector): the same units in the same order as one query, for every persona and
    chosen unit, an advisory board included (the chart leaves it out, the selector does not),
    whether the province's progress is kept by parts or not."""
    from tests.study.test_progress_by_part import _plan
    from tinhuy.org.actions import do_create_unit
    from tinhuy.org.models import UnitKind

    plan = _plan(plan_2020, by_part=by_part)
    # An advisory board at a level the plan covers, below the province's top: the selector
    # finds it among Vinh's children only.
    advisory = do_create_unit(
        units.structure_2020,
        code="412-BTG",
        name="Ban Tuyên giáo Thành ủy Vinh",
        level_code="co-so",
        kind=UnitKind.ADVISORY,
        parent=units.vinh,
        is_sample=True,
        acting_user=None,
    )
    cases = [
        (personas.province_office, units.province_2020),
        (personas.province_office, units.vinh),
        (personas.province_office, units.vinh_grassroots),
        (personas.board_member, units.nghiloc),
        (personas.vinh_officer, units.vinh),
        (personas.vinh_officer, units.vinh_grassroots),
        (personas.nghiloc_officer, units.nghiloc),
    ]
    for user, root in cases:
        scope = scope_for(user)
        progress = queries.plan_progress(
            plan, root, scope, datetime.date(2021, 1, 15), with_children=True
        )
        choices = queries.unit_choices(scope, progress)
        assert choices == _selector_in_one_query(scope, progress), (user, root)
        if root == units.vinh:
            assert advisory.level_id in {r.rule.level_id for r in progress.rules}
            assert advisory.pk in {pk for pk, _label in choices}
            assert advisory.pk not in {child.pk for child, _totals in progress.children}
