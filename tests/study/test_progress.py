"""Progress of a plan as known on a date, from the database (``queries.plan_progress``)."""

import datetime

from django.utils import timezone

from tinhuy.org.access import scope_for
from tinhuy.org.models import Unit, UnitKind
from tinhuy.study import compliance as c
from tinhuy.study.actions import (
    ConferenceSpec,
    ReportSpec,
    do_amend_report,
    do_cancel_conference,
    do_register_conference,
    do_report_conference,
)
from tinhuy.study.models import Conference
from tinhuy.study.queries import plan_progress

D = datetime.date


def at(day: D) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def totals(progress) -> dict[str, c.LevelTotals]:
    return {row.rule.level.code: row.totals for row in progress.rules}


def test_mid_january_shows_late_missing_and_a_presenter_violation(plan_2020, personas) -> None:
    progress = plan_progress(
        plan_2020, plan_2020.issuing_unit, scope_for(personas.province_office), D(2021, 1, 15)
    )
    district = totals(progress)["huyen"]
    assert district.units == 23
    assert district.by_status[c.Status.HELD_LATE] == 2  # Kỳ Sơn, Tương Dương
    assert district.by_status[c.Status.MISSING] == 2  # Quế Phong, Quỳ Châu
    assert district.non_compliant == 1
    [row] = [r for r in progress.rows if r.progress.non_compliant]
    assert row.name == "Đảng bộ huyện Anh Sơn"
    grassroots = totals(progress)["co-so"]
    assert grassroots.by_status[c.Status.MISSING] == 0  # the deadline 30/01/2021 has not passed


def test_after_the_grassroots_deadline_the_missing_count_changes(plan_2020, personas) -> None:
    scope = scope_for(personas.province_office)
    before = totals(plan_progress(plan_2020, plan_2020.issuing_unit, scope, D(2021, 1, 15)))
    after = totals(plan_progress(plan_2020, plan_2020.issuing_unit, scope, D(2021, 2, 1)))
    grassroots_units = Unit.objects.filter(structure=plan_2020.structure, level__code="co-so")
    held_by_deadline = (
        Conference.objects.filter(plan=plan_2020, host__in=grassroots_units)
        .filter(date__lte=D(2021, 1, 30))
        .values("host").distinct().count()
    )  # fmt: skip
    assert after["co-so"].by_status[c.Status.MISSING] == grassroots_units.count() - held_by_deadline
    assert after["co-so"].by_status[c.Status.MISSING] > before["co-so"].by_status[c.Status.MISSING]
    # Quỳ Châu held on 20/01/2021: missing in mid-January, late on 01/02/2021.
    assert after["huyen"].by_status[c.Status.MISSING] == 1
    assert after["huyen"].by_status[c.Status.HELD_LATE] == 3


def test_the_province_level_counts_the_districts_bridge_points(plan_2020, personas) -> None:
    progress = plan_progress(
        plan_2020, plan_2020.issuing_unit, scope_for(personas.province_office), D(2020, 12, 1)
    )
    province = totals(progress)["tinh"]
    assert province.units == 24  # the province hosts; 23 district-level units take part
    assert province.by_status[c.Status.HELD_ON_TIME] == 24
    assert sum(1 for r in progress.rows if r.progress.role == "participant") == 23


def test_an_amended_report_is_replayed_as_it_was_known(plan_2020, personas, units) -> None:
    """The first version counts until the day of the correction; the correction after."""
    host = units.vinh_grassroots
    conference = Conference.objects.filter(plan=plan_2020, host=host).first()
    if conference is None:
        conference = do_register_conference(
            plan_2020, ConferenceSpec(host=host, date=D(2021, 1, 8), length_sessions=1),
            acting_user=personas.vinh_officer, recorded_at=at(D(2021, 1, 2)),
        )  # fmt: skip
    report = conference.reports.order_by("-version").first()
    if report is None:
        do_report_conference(
            conference, ReportSpec(50, 40), acting_user=None, reported_at=at(conference.date)
        )
    first_day = conference.reports.order_by("-version").first().reported_at.date()  # type: ignore[union-attr]
    amend_day = first_day + datetime.timedelta(days=10)
    do_amend_report(
        conference, ReportSpec(77, 77), acting_user=personas.vinh_officer, reported_at=at(amend_day)
    )
    scope = scope_for(personas.province_office)

    def people(as_of: D) -> c.People:
        rows = plan_progress(plan_2020, host, scope, as_of).rows
        return next(r.progress.people for r in rows if r.unit_id == host.pk)

    assert people(amend_day - datetime.timedelta(days=1)) != c.People(77, 77)
    assert people(amend_day) == c.People(77, 77)


def test_a_conference_recorded_later_is_unknown_before(plan_2020, personas, units) -> None:
    host = units.nghiloc_cell.parent
    Conference.objects.filter(plan=plan_2020, host=host).update(cancelled_at=at(D(2020, 11, 2)))
    do_register_conference(
        plan_2020, ConferenceSpec(host=host, date=D(2021, 1, 20), length_sessions=1),
        acting_user=personas.nghiloc_officer, recorded_at=at(D(2021, 1, 18)),
    )  # fmt: skip
    scope = scope_for(personas.province_office)

    def status(as_of: D) -> c.Status:
        rows = plan_progress(plan_2020, host, scope, as_of).rows
        return next(r.progress.status for r in rows if r.unit_id == host.pk)

    assert status(D(2021, 1, 17)) == c.Status.NOT_SCHEDULED
    assert status(D(2021, 1, 18)) == c.Status.SCHEDULED
    assert status(D(2021, 1, 21)) == c.Status.HELD_ON_TIME


def test_a_cancelled_conference_counts_until_its_cancellation(plan_2020, personas, units) -> None:
    """Cancelling is soft: replaying a date before the cancellation still sees the conference."""
    host = units.nghiloc_cell.parent
    Conference.objects.filter(plan=plan_2020, host=host).update(cancelled_at=at(D(2020, 11, 2)))
    conference = do_register_conference(
        plan_2020,
        ConferenceSpec(host=host, date=D(2021, 1, 25), length_sessions=1),
        acting_user=personas.nghiloc_officer,
        recorded_at=at(D(2021, 1, 5)),
    )
    do_cancel_conference(conference, acting_user=personas.nghiloc_officer)
    scope = scope_for(personas.province_office)

    def status(as_of: D) -> c.Status:
        rows = plan_progress(plan_2020, host, scope, as_of).rows
        return next(r.progress.status for r in rows if r.unit_id == host.pk)

    assert status(D(2021, 1, 10)) == c.Status.SCHEDULED  # cancelled only today
    assert status(timezone.localdate()) == c.Status.MISSING
    assert Conference.objects.filter(pk=conference.pk).exists()


def test_a_units_officer_sees_progress_of_his_subtree_only(plan_2020, personas, units) -> None:
    progress = plan_progress(plan_2020, units.vinh, scope_for(personas.vinh_officer), D(2021, 2, 1))
    paths = {r.progress.path for r in progress.rows}
    assert paths and all(p.startswith(units.vinh.path) for p in paths)
    expected_hosts = Unit.objects.filter(
        path__startswith=units.vinh.path, level__code__in=["huyen", "co-so"]
    )
    # Vinh appears twice: host at the district level, bridge point at the province level.
    assert len(progress.rows) == expected_hosts.count() + 1
    assert [r.progress.role for r in progress.rows].count("participant") == 1


def test_children_roll_up_their_subtrees(plan_2020, personas) -> None:
    progress = plan_progress(
        plan_2020,
        plan_2020.issuing_unit,
        scope_for(personas.province_office),
        D(2021, 2, 1),
        with_children=True,
    )
    # 23 district-level units; the province's advisory board (an agency) expects nothing
    assert len(progress.children) == 23
    child_ids = [child.pk for child, _totals in progress.children]
    assert not Unit.objects.filter(pk__in=child_ids, kind=UnitKind.ADVISORY).exists()
    grand = sum(totals_[2].units for _, totals_ in progress.children)
    assert grand == totals(progress)["co-so"].units


def test_progress_costs_a_fixed_number_of_queries(
    plan_2020, personas, django_assert_max_num_queries
) -> None:
    scope = scope_for(personas.province_office)
    with django_assert_max_num_queries(12):
        plan_progress(plan_2020, plan_2020.issuing_unit, scope, D(2021, 2, 1), with_children=True)


def test_bridge_point_attendance_is_replayed_as_it_was_known(plan_2020, personas, units) -> None:
    """Amending the province conference's bridge figures later does not rewrite the past."""
    conference = Conference.objects.get(plan=plan_2020, host=plan_2020.issuing_unit)
    report = conference.reports.order_by("-version").first()
    assert report is not None
    before = report.bridge_attended[str(units.vinh.pk)]
    do_amend_report(
        conference,
        ReportSpec(
            report.expected_count, report.attended_count, bridge_attended={units.vinh.pk: 1}
        ),
        acting_user=personas.province_office,
        reported_at=at(D(2021, 3, 1)),
    )
    scope = scope_for(personas.province_office)

    def vinh_at_province_level(as_of: D) -> c.People:
        rows = plan_progress(plan_2020, plan_2020.issuing_unit, scope, as_of).rows
        return next(
            r.progress.people
            for r in rows
            if r.unit_id == units.vinh.pk and r.progress.role == "participant"
        )

    assert vinh_at_province_level(D(2021, 1, 15)).attended == before
    assert vinh_at_province_level(D(2021, 3, 1)).attended == 1
    # Bridge points left out of an amendment keep their earlier figures.
    latest = conference.reports.order_by("-version").first()
    assert latest is not None and len(latest.bridge_attended) == 23


def test_nothing_is_overdue_under_a_draft_plan(plan_2025, personas) -> None:
    progress = plan_progress(
        plan_2025, plan_2025.issuing_unit, scope_for(personas.province_office), D(2026, 6, 1)
    )
    assert progress.rows
    assert all(r.progress.status == c.Status.NOT_SCHEDULED for r in progress.rows)


def test_draft_plans_are_for_the_province_office_and_the_board(
    plan_2025, plan_2020, personas
) -> None:
    from tinhuy.study.queries import plans_for

    assert plan_2025 in plans_for(scope_for(personas.province_office))
    assert plan_2025 in plans_for(scope_for(personas.board_member))
    assert plan_2025 not in plans_for(scope_for(personas.editor))
    assert plan_2020 in plans_for(scope_for(personas.vinh_officer))


def test_members_are_expected_once_however_many_sessions_are_held(
    plan_2020, personas, units
) -> None:
    """A make-up session with per-person attendance does not double the expected members."""
    from tinhuy.study.actions import (
        AttendanceSpec,
        MemberSpec,
        do_load_members,
        do_record_attendance,
    )

    host = units.vinh_grassroots
    Conference.objects.filter(plan=plan_2020, host=host).update(cancelled_at=at(D(2020, 11, 2)))
    cell = units.vinh_cell
    do_load_members(
        plan_2020.structure,
        [MemberSpec(f"TEST{i:03d}", f"Nguyễn Văn Thử {i}", cell) for i in range(10)],
        acting_user=personas.vinh_officer,
    )
    first, second = (
        do_register_conference(
            plan_2020, ConferenceSpec(host=host, date=day, length_sessions=1),
            acting_user=personas.vinh_officer, recorded_at=at(D(2021, 1, 2)),
        )
        for day in (D(2021, 1, 8), D(2021, 1, 12))
    )  # fmt: skip
    do_record_attendance(
        first,
        [AttendanceSpec(f"TEST{i:03d}", "present" if i < 7 else "absent") for i in range(10)],
        acting_user=personas.vinh_officer,
    )
    do_record_attendance(
        second,
        [AttendanceSpec(f"TEST{i:03d}", "made_up") for i in range(7, 9)],
        acting_user=personas.vinh_officer,
    )
    # Attendance is known from the day it was recorded (today).
    rows = plan_progress(
        plan_2020, host, scope_for(personas.province_office), timezone.localdate()
    ).rows
    people = next(r.progress.people for r in rows if r.unit_id == host.pk)
    assert people == c.People(expected=10, attended=7, made_up=2)


def test_a_subtree_reads_its_own_part_and_judges_as_the_whole_does(plan_2020, personas) -> None:
    """Below the top, ``plan_progress`` reads only the conferences hosted in the subtree and
    those its units attend as bridge points (issue 12: a province of a national plan must not
    read the country). Each district's rows are what the province's computation says of them,
    field for field, at dates before, during and after the campaign."""
    scope = scope_for(personas.province_office)

    def standing(row):  # type: ignore[no-untyped-def]
        p = row.progress
        return (
            p.unit_id, p.role, p.status, p.conference_id, p.held_on, p.reported, p.people,
            p.expected_source, p.problems, p.notes,
        )  # fmt: skip

    for day in (D(2020, 11, 20), D(2021, 1, 15), D(2021, 3, 1)):
        whole = plan_progress(plan_2020, plan_2020.issuing_unit, scope, day, with_children=True)
        for child, totals_ in whole.children:
            unit = Unit.objects.get(pk=child.pk)
            part = plan_progress(plan_2020, unit, scope, day)
            expected = [standing(r) for r in whole.rows if r.progress.path.startswith(child.path)]
            assert sorted(map(standing, part.rows), key=repr) == sorted(expected, key=repr)
            assert [(r.totals.units, r.totals.people) for r in part.rules] == [
                (t.units, t.people) for t in totals_
            ]
