"""Campaign figures that cannot flatter (issue 11, item 1).

TP Vinh as of 01/02/2021 (``tinhuy.study.demo``): of its six grassroots organisations three held
nothing by the deadline (30/01/2021), one held its conference without reporting, two reported.
Every one of them is due, so every one counts in the rate: the reported ones with their reports,
the others with the people they must reach (the sample headcount kept on the unit) and nobody
reached. The page, the API, the .xlsx and the .docx say the same numbers.
"""

from __future__ import annotations

import datetime
import io
import json
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from tinhuy.org.access import scope_for
from tinhuy.org.actions import do_set_headcount
from tinhuy.org.models import Level, Unit, UnitKind
from tinhuy.study import compliance as c
from tinhuy.study import queries
from tinhuy.study.actions import (
    BridgeSpec,
    ConferenceSpec,
    MemberSpec,
    SegmentSpec,
    do_load_members,
    do_register_conference,
)
from tinhuy.study.models import ConferenceReport
from tinhuy.study.queries import end_of_day

FEBRUARY = datetime.date(2021, 2, 1)


def _grassroots(vinh: Unit) -> list[Unit]:
    return list(
        Unit.objects.filter(parent=vinh, kind=UnitKind.GRASSROOTS, level__code="co-so").order_by(
            "code"
        )
    )


def _expected_by_hand(plan, vinh: Unit, as_of: datetime.date) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """(people to reach, people reached, overdue units) of Vinh's grassroots level, from the
    stored reports and headcounts, without ``plan_progress``: the oracle of these tests."""
    expected = learned = overdue = 0
    for unit in _grassroots(vinh):
        report = (
            ConferenceReport.objects.filter(
                conference__plan=plan,
                conference__host=unit,
                conference__cancelled_at__isnull=True,
                reported_at__lt=end_of_day(as_of),
            )
            .order_by("-version")
            .first()
        )
        held = plan.conferences.filter(
            host=unit, date__lte=as_of, cancelled_at__isnull=True
        ).exists()
        if report is not None:
            expected += report.expected_count
            learned += report.attended_count + report.made_up_count
        else:
            assert unit.headcount is not None  # the demo gives every grassroots one
            expected += unit.headcount
            overdue += not held
    return expected, learned, overdue


def _pct(expected: int, learned: int) -> str:
    """A ratio as the page writes it: one decimal, a comma."""
    return f"{learned / expected * 100:.1f}".replace(".", ",") + "%"


def _vinh_february(plan, vinh, user):  # type: ignore[no-untyped-def]
    return queries.plan_progress(plan, vinh, scope_for(user), FEBRUARY, with_children=True)


def test_vinh_in_february_counts_its_three_overdue_grassroots_units(
    plan_2020, personas, units
) -> None:
    progress = _vinh_february(plan_2020, units.vinh, personas.province_office)
    grassroots = next(line for line in queries.level_lines(progress) if line.name == "Cấp cơ sở")
    expected, learned, overdue = _expected_by_hand(plan_2020, units.vinh, FEBRUARY)
    assert overdue == grassroots.missing == 3
    assert (grassroots.expected, grassroots.learned, grassroots.unknown) == (expected, learned, 0)
    assert grassroots.coverage is not None
    assert grassroots.coverage < 0.5  # not 99,1 %: half of Vinh's organisations learned nothing
    missing = [r for r in progress.rows if r.progress.status == c.Status.MISSING]
    assert len(missing) == 3
    for row in missing:
        assert row.progress.expected_source == c.ExpectedSource.SAMPLE_HEADCOUNT
        assert row.progress.people == c.People(expected=Unit.objects.get(pk=row.unit_id).headcount)
        assert row.progress.people.coverage == 0


def test_page_api_xlsx_and_docx_say_the_same_numbers(
    client_for, personas, plan_2020, units
) -> None:
    """One query feeds all four: TP Vinh's grassroots line as of 01/02/2021."""
    expected, learned, _overdue = _expected_by_hand(plan_2020, units.vinh, FEBRUARY)
    rate = _pct(expected, learned)
    client = client_for(personas.vinh_officer)

    page = client.get(
        reverse("study_dashboard", args=[plan_2020.pk]) + "?ngay=01/02/2021"
    )  # Vinh is the officer's default unit
    assert page.status_code == 200
    [line] = [line for line in page.context["levels"] if line.name == "Cấp cơ sở"]
    assert (line.units, line.missing, line.expected, line.learned) == (6, 3, expected, learned)
    row = re.search(rf'<tr data-level="{line.level_id}">(.*?)</tr>', page.content.decode(), re.S)
    assert row is not None
    assert rate in row.group(1)

    api = client.get(
        f"/api/v1/study/plans/{plan_2020.pk}/progress",
        {"as_of": "2021-02-01", "unit": units.vinh.pk},
    )
    assert api.status_code == 200, api.content
    [level] = [lv for lv in api.json()["levels"] if lv["level_name"] == "Cấp cơ sở"]
    assert (level["expected_units"], level["missing"]) == (6, 3)
    assert (level["expected_people"], level["attended_people"]) == (expected, learned)
    assert level["unknown_people_units"] == 0
    assert round(level["coverage"] * 100, 1) == round(learned / expected * 100, 1)

    xlsx = client.get(
        reverse("study_unit_table_xlsx", args=[plan_2020.pk])
        + f"?don_vi={units.vinh.pk}&ngay=01/02/2021"
    )
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    grassroots_rows = [r for r in rows[1:] if r[2] == "Cấp cơ sở"]
    assert len(grassroots_rows) == 6
    assert sum(r[8] for r in grassroots_rows) == expected
    assert sum(r[9] + r[10] for r in grassroots_rows) == learned
    assert [r[5] for r in grassroots_rows].count("Chưa tổ chức (quá hạn)") == 3

    docx = client.get(
        reverse("study_report_docx", args=[plan_2020.pk])
        + f"?don_vi={units.vinh.pk}&ngay=01/02/2021"
    )
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    sentence = next(p for p in text.splitlines() if p.startswith("- Cấp cơ sở"))
    assert f"{learned}/{expected} người đã học tập" in sentence
    assert f"(đạt {rate})" in sentence
    assert "3 đơn vị chưa tổ chức đã quá hạn" in sentence


def test_overdue_units_are_bars_at_zero_on_the_chart(client_for, personas, plan_2020) -> None:
    response = client_for(personas.vinh_officer).get(
        reverse("study_dashboard", args=[plan_2020.pk]) + "?ngay=01/02/2021"
    )
    chart = response.context["coverage_chart"]
    assert len(chart["labels"]) == 6  # every grassroots organisation, none left out
    [grassroots] = [d for d in chart["datasets"] if d["label"] == "Cấp cơ sở"]
    assert grassroots["data"].count(0) == 4  # three overdue and one held without a report
    found = re.search(
        r'id="coverage-data" type="application/json">(.*?)</script>', response.content.decode()
    )
    assert found is not None
    assert json.loads(found.group(1))["datasets"] == chart["datasets"]


def test_lowest_rate_first_puts_the_overdue_units_first(client_for, personas, plan_2020) -> None:
    response = client_for(personas.vinh_officer).get(
        reverse("study_dashboard", args=[plan_2020.pk]) + "?ngay=01/02/2021&sap_xep=ty-le"
    )
    lines = response.context["lines"]
    rates = [line.coverage for line in lines]
    assert rates[:4] == [0.0, 0.0, 0.0, 0.0]
    assert {line.status for line in lines[:4]} >= {c.Status.MISSING}
    known = [r for r in rates if r is not None]
    assert known == sorted(known)


def test_a_unit_without_headcount_is_said_unknown_not_left_out(
    client_for, personas, plan_2020, units
) -> None:
    progress = _vinh_february(plan_2020, units.vinh, personas.province_office)
    overdue = next(r for r in progress.rows if r.progress.status == c.Status.MISSING)
    unit = Unit.objects.get(pk=overdue.unit_id)
    do_set_headcount(unit, headcount=None, acting_user=personas.province_office)
    expected, learned = _expected_by_hand_without(plan_2020, units.vinh, unit)

    response = client_for(personas.vinh_officer).get(
        reverse("study_dashboard", args=[plan_2020.pk]) + "?ngay=01/02/2021"
    )
    [line] = [line for line in response.context["levels"] if line.name == "Cấp cơ sở"]
    assert (line.units, line.missing, line.unknown) == (6, 3, 1)
    assert (line.expected, line.learned) == (expected, learned)
    body = response.content.decode()
    assert "1 đơn vị chưa rõ số phải học, chưa tính vào tỷ lệ" in body
    row = re.search(rf'<tr data-unit="{unit.pk}" data-status="missing">(.*?)</tr>', body, re.S)
    assert row is not None  # still in the table
    assert "chưa rõ số phải học" in row.group(1)
    assert "Tổ chức cơ sở đảng số" in body and "(1 đơn vị)" in body  # named under the chart

    api = client_for(personas.vinh_officer).get(
        f"/api/v1/study/plans/{plan_2020.pk}/units",
        {"as_of": "2021-02-01", "unit": units.vinh.pk, "status": "missing"},
    )
    sources = {item["id"]: item["expected_source"] for item in api.json()["items"]}
    assert sources[unit.pk] == "unknown"
    assert sorted(sources.values()) == ["sample_headcount", "sample_headcount", "unknown"]


def _expected_by_hand_without(plan, vinh, unknown: Unit) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """The oracle with one overdue unit's headcount unknown: it is left out of the rate."""
    expected = learned = 0
    for unit in _grassroots(vinh):
        if unit.pk == unknown.pk:
            continue
        report = (
            ConferenceReport.objects.filter(
                conference__plan=plan, conference__host=unit, reported_at__lt=end_of_day(FEBRUARY)
            )
            .order_by("-version")
            .first()
        )
        if report is not None:
            expected += report.expected_count
            learned += report.attended_count + report.made_up_count
        else:
            expected += unit.headcount or 0
    return expected, learned


def test_a_loaded_member_list_comes_before_the_headcount(plan_2020, personas, units) -> None:
    """Members are known from the day they are loaded: as of today, an overdue organisation
    with three members loaded in one of its cells must reach three people, not its headcount."""
    today = timezone.localdate()
    progress = queries.plan_progress(
        plan_2020, units.vinh, scope_for(personas.province_office), today
    )
    overdue = next(r for r in progress.rows if r.progress.status == c.Status.MISSING)
    cell = Unit.objects.filter(parent_id=overdue.unit_id).order_by("code").first()
    assert cell is not None
    do_load_members(
        plan_2020.structure,
        [MemberSpec(f"H3-{n}", f"Đảng viên thử {n}", cell) for n in range(3)],
        acting_user=personas.province_office,
    )
    again = queries.plan_progress(plan_2020, units.vinh, scope_for(personas.province_office), today)
    row = next(r for r in again.rows if r.unit_id == overdue.unit_id)
    assert row.progress.people == c.People(expected=3)
    assert row.progress.expected_source == c.ExpectedSource.MEMBERS
    # Before they were loaded (01/02/2021) the headcount still stands.
    before = _vinh_february(plan_2020, units.vinh, personas.province_office)
    row = next(r for r in before.rows if r.unit_id == overdue.unit_id)
    assert row.progress.expected_source == c.ExpectedSource.SAMPLE_HEADCOUNT


def test_units_not_due_yet_count_nobody_and_show_a_dash(client_for, personas, plan_2020) -> None:
    """In mid-January the grassroots deadline (30/01/2021) is ahead: a unit that has not held
    its conference is not expected yet, and its cell says so rather than "0"."""
    response = client_for(personas.vinh_officer).get(
        reverse("study_dashboard", args=[plan_2020.pk]) + "?ngay=15/01/2021"
    )
    not_due = [line for line in response.context["lines"] if not line.is_due]
    assert not_due
    assert all(line.expected_source == c.ExpectedSource.NOT_DUE for line in not_due)
    body = response.content.decode()
    assert "Chưa đến hạn: chưa tính vào số phải học" in body


def test_the_dashboard_query_count_does_not_depend_on_units_being_due(
    client_for, personas, plan_2020
) -> None:
    """The member list is read on every date: mid-January (nothing overdue at Vinh) and
    February (three overdue) cost the same."""
    client = client_for(personas.vinh_officer)
    url = reverse("study_dashboard", args=[plan_2020.pk])
    client.get(url + "?ngay=15/01/2021")  # warm the session
    counts = []
    for day in ("15/01/2021", "01/02/2021"):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{url}?ngay={day}").status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_a_later_faulty_conference_is_a_note_on_the_page_the_xlsx_and_the_api(
    client_for, personas, plan_2020, units
) -> None:
    """Vinh's second district conference (28/12/2020, online with a bridge point, which the
    district level does not allow) leaves Vinh compliant on its 23/12/2020 conference; the
    fault is shown beside it as a note, everywhere the unit table goes."""
    province = units.province_2020
    segments = [
        SegmentSpec("resolution", "Báo cáo viên Tỉnh ủy", "reporter", province, topic_order=1),
        SegmentSpec("resolution", "Báo cáo viên Tỉnh ủy", "reporter", province, topic_order=2),
        SegmentSpec("own_plan", "Bí thư Thành ủy", "secretary", units.vinh),
    ]
    do_register_conference(
        plan_2020,
        ConferenceSpec(
            units.vinh,
            datetime.date(2020, 12, 28),
            2,
            mode="online",
            segments=segments,
            bridge_points=[BridgeSpec(units.vinh_grassroots, 40)],
        ),
        acting_user=personas.vinh_officer,
        confirm_problems=True,
        # Registered before the date looked at: figures replay what was known then.
        recorded_at=datetime.datetime(2020, 12, 20, 2, tzinfo=datetime.UTC),  # 9:00 in Vinh
    )
    client = client_for(personas.vinh_officer)
    district = {"cap": Level.objects.get(structure=units.structure_2020, code="huyen").pk}

    page = client.get(
        reverse("study_dashboard", args=[plan_2020.pk]),
        {"ngay": "01/02/2021", "cap": district["cap"]},
    )
    [line] = [x for x in page.context["lines"] if x.unit_id == units.vinh.pk]
    assert line.status == c.Status.HELD_ON_TIME and line.problems == []
    assert line.held_on == datetime.date(2020, 12, 23)
    [note] = line.notes
    assert "28/12/2020" in note and "điểm cầu" in note
    body = page.content.decode()
    assert note in body
    [levels] = [x for x in page.context["levels"] if x.level_id == district["cap"]]
    assert levels.non_compliant == 0

    xlsx = client.get(
        reverse("study_unit_table_xlsx", args=[plan_2020.pk]),
        {"ngay": "01/02/2021", "cap": district["cap"]},
    )
    [row] = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))[1:]
    assert (row[0], row[13], row[14]) == ("Đảng bộ thành phố Vinh", None, note)

    api = client.get(
        f"/api/v1/study/plans/{plan_2020.pk}/units",
        {"as_of": "2021-02-01", "level": district["cap"]},
    )
    [item] = api.json()["items"]
    assert (item["problems"], item["notes"]) == ([], [note])


def test_above_the_lowest_level_an_unreported_unit_stays_unknown(
    plan_2020, personas, units
) -> None:
    """The district level's audience is its key cadres, not every member under the district: an
    overdue district with a headcount and a loaded member list still says "chưa rõ số phải học"
    and stays out of the rate, while its grassroots organisations (the lowest level, all
    members) count by their member list. Found on the national bench: two missing provincial
    conferences made the provincial level's rate 4,8 % out of every member of the province."""
    as_of = timezone.localdate()  # members count from the day they are loaded
    scope = scope_for(personas.province_office)
    quephong = Unit.objects.get(structure=units.structure_2020, name="Đảng bộ huyện Quế Phong")
    before = queries.plan_progress(plan_2020, units.province_2020, scope, as_of)
    district = Level.objects.get(structure=units.structure_2020, code="huyen")
    [line_before] = [x for x in queries.level_lines(before) if x.name == district.name]

    do_set_headcount(quephong, headcount=4_000, acting_user=personas.province_office)
    grassroots = Unit.objects.filter(parent=quephong).order_by("code").first()
    cell = Unit.objects.filter(parent=grassroots).order_by("code").first()
    assert grassroots is not None and cell is not None
    do_load_members(
        plan_2020.structure,
        [MemberSpec(f"QP-{n}", f"Đảng viên thử {n}", cell) for n in range(7)],
        acting_user=personas.province_office,
    )
    after = queries.plan_progress(plan_2020, units.province_2020, scope, as_of)
    row = next(
        r
        for r in after.rows
        if r.unit_id == quephong.pk
        and r.progress.level_id == district.pk
        and r.progress.role == "host"
    )
    assert row.progress.status == c.Status.MISSING
    assert row.progress.expected_source == c.ExpectedSource.UNKNOWN
    assert row.progress.people == c.People()
    [line_after] = [x for x in queries.level_lines(after) if x.name == district.name]
    assert (line_after.expected, line_after.learned, line_after.unknown) == (
        line_before.expected,
        line_before.learned,
        line_before.unknown,
    )
    assert line_after.unknown >= 1
    # The lowest level: the loaded members stand in for the organisation that has not reported.
    lowest = next(r for r in after.rows if r.unit_id == grassroots.pk)
    if lowest.progress.expected_source != c.ExpectedSource.REPORT:
        assert lowest.progress.expected_source == c.ExpectedSource.MEMBERS
        assert lowest.progress.people.expected == 7
