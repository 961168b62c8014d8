"""Review of a province's own changes that reach no unit below it (``record(...,
reaches_below=False)``: its conferences, their reports, attendance and invitees, its headcount,
reminders sent over it). ``queries._rejudged`` then keeps its organisations' standings and
judges again the province's own rows and every unit below it taking part in a conference
(``_progress(..., participants_only=True)``). Each case compares the national figure put
together from the provinces' parts with the same plan computed from scratch
(``roll_up_by_part=False``, the oracle), and checks the splice was taken (no province judged
whole) where it should be."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.study.test_parts_review import _issued, _new_plan, _two_levels
from tests.study.test_progress_by_part import _change_under, _computing, _plan, _same, at
from tinhuy.org import versions
from tinhuy.org.access import scope_for
from tinhuy.org.models import Unit
from tinhuy.study import queries

D = datetime.date


@pytest.fixture(autouse=True)
def no_kept_parts():
    queries._PARTS.clear()
    queries._LATEST.clear()
    yield
    queries._PARTS.clear()
    queries._LATEST.clear()


def _both(plan, scope, day, root=None):  # type: ignore[no-untyped-def]
    """The plan's progress at ``root`` (the top by default) put together from the parts, after
    checking it against the same computed from scratch."""
    parted_plan = _plan(plan, by_part=True)
    root = parted_plan.issuing_unit if root is None else Unit.objects.get(pk=root.pk)
    parted = queries.plan_progress(parted_plan, root, scope, day, with_children=True)
    whole = queries.plan_progress(_plan(plan, by_part=False), root, scope, day, with_children=True)
    _same(parted, whole)
    _plan(plan, by_part=True)
    return parted


def _judged(monkeypatch, plan, scope, day, root=None):  # type: ignore[no-untyped-def]
    """``_both``, and the units whose part (or organisation) was judged from its rows for it."""
    computed = _computing(monkeypatch)
    parted_plan = _plan(plan, by_part=True)
    root = parted_plan.issuing_unit if root is None else Unit.objects.get(pk=root.pk)
    parted = queries.plan_progress(parted_plan, root, scope, day, with_children=True)
    judged = list(computed)
    monkeypatch.undo()
    whole = queries.plan_progress(_plan(plan, by_part=False), root, scope, day, with_children=True)
    _same(parted, whole)
    _plan(plan, by_part=True)
    return parted, judged


def _row(progress, unit, role):  # type: ignore[no-untyped-def]
    return next(r for r in progress.rows if r.unit_id == unit.pk and r.progress.role == role)


def _all_members_online():  # type: ignore[no-untyped-def]
    """One level: every member of a district-level unit, at its conference or, online, at a
    grassroots organisation taking part as its bridge point."""
    from tinhuy.study.actions import RuleSpec

    return [
        RuleSpec("huyen", "Toàn thể đảng viên", 1, D(2021, 1, 1), D(2021, 2, 1), True, ("co-so",))
    ]


def _organisations(province, n):  # type: ignore[no-untyped-def]
    return list(Unit.objects.filter(parent=province, level__code="co-so").order_by("code")[:n])


def _cell(organisation):  # type: ignore[no-untyped-def]
    return Unit.objects.filter(parent=organisation).order_by("code").first()


# ---------------------------------------------------------------------------------------------


def test_bridge_points_two_levels_below_across_register_edit_and_cancel(
    units, personas, monkeypatch
) -> None:
    """The province's conference with bridge points at its organisations and at a cell (two
    levels below it, under another organisation): registered, its date moved past the day
    viewed and a bridge point dropped, then cancelled. Every step judges the province's own
    rows and its participants again, for a day kept before and a day kept after the
    conference; the organisations are never judged whole."""
    from tinhuy.study.actions import (
        BridgeSpec,
        ConferenceSpec,
        do_cancel_conference,
        do_edit_conference,
        do_register_conference,
    )

    office = personas.province_office
    scope = scope_for(office)
    plan = _issued(
        units,
        personas,
        _two_levels(("co-so", "chi-bo"), online=True),
    )
    province = units.nghiloc
    a, b, c = _organisations(province, 3)
    cell = _cell(c)
    early, late = D(2021, 1, 25), D(2021, 3, 15)
    for day in (early, late):
        _both(plan, scope, day)

    def spec(date, bridges):  # type: ignore[no-untyped-def]
        return ConferenceSpec(
            host=province,
            date=date,
            length_sessions=1,
            mode="online",
            bridge_points=[BridgeSpec(u, 20) for u in bridges],
        )

    conference = do_register_conference(
        plan,
        spec(D(2021, 1, 20), [a, b, cell]),
        acting_user=office,
        confirm_problems=True,
        recorded_at=at(D(2021, 1, 5)),
    )
    for day in (early, late):
        progress, judged = _judged(monkeypatch, plan, scope, day)
        assert judged == []
        assert _row(progress, cell, "participant").progress.held_on == D(2021, 1, 20)

    do_edit_conference(
        conference, spec(D(2021, 2, 10), [a, cell]), acting_user=office, confirm_problems=True
    )
    for day in (early, late):
        progress, judged = _judged(monkeypatch, plan, scope, day)
        assert judged == []
    assert _row(progress, b, "participant").progress.status.value == "missing"
    assert _row(progress, a, "participant").progress.status.value == "held_late"

    do_cancel_conference(conference, acting_user=office, reason="Hoãn")
    for day in (early, late):  # the conference stands on these days: cancelled later
        progress, judged = _judged(monkeypatch, plan, scope, day)
        assert judged == []
    assert _row(progress, cell, "participant").progress.conference_id == conference.pk
    progress = _both(plan, scope, timezone.localdate())
    assert _row(progress, cell, "participant").progress.conference_id is None
    # The province's own page reads the same spliced part.
    _both(plan, scope, late, root=province)


def test_all_members_participants_due_without_a_bridge_figure(units, personas, monkeypatch) -> None:
    """A plan whose lowest level is the provinces', its organisations taking part as bridge
    points: an overdue organisation with no bridge point counts its loaded members, else its
    headcount. The province's conference then takes one of them in (counted from its bridge
    point), and is cancelled (the organisation counts its members again)."""
    from tinhuy.org.actions import do_set_headcount
    from tinhuy.study.actions import (
        BridgeSpec,
        ConferenceSpec,
        MemberSpec,
        do_cancel_conference,
        do_load_members,
        do_register_conference,
    )

    office = personas.province_office
    scope = scope_for(office)
    plan = _issued(
        units,
        personas,
        _all_members_online(),
    )
    province = units.nghiloc
    a, b, c = _organisations(province, 3)
    do_load_members(
        units.structure_2020,
        [MemberSpec(f"OC-A{i}", f"Lê Thị {i}", _cell(a)) for i in range(6)],
        acting_user=office,
    )
    do_set_headcount(Unit.objects.get(pk=b.pk), headcount=17, acting_user=office)
    day = timezone.localdate()  # the member list is known today
    progress = _both(plan, scope, day)
    assert _row(progress, a, "participant").progress.people.expected == 6
    assert _row(progress, b, "participant").progress.people.expected == 17

    conference = do_register_conference(
        plan,
        ConferenceSpec(
            host=province,
            date=D(2021, 1, 20),
            length_sessions=1,
            mode="online",
            bridge_points=[BridgeSpec(a, 4), BridgeSpec(c, 9)],
        ),
        acting_user=office,
        confirm_problems=True,
        recorded_at=at(D(2021, 1, 5)),
    )
    progress, judged = _judged(monkeypatch, plan, scope, day)
    assert judged == []
    assert _row(progress, a, "participant").progress.people.expected == 4
    assert _row(progress, b, "participant").progress.people.expected == 17

    do_cancel_conference(conference, acting_user=office, reason="Hoãn")
    progress, judged = _judged(monkeypatch, plan, scope, day)
    assert judged == []
    assert _row(progress, a, "participant").progress.people.expected == 6
    assert _row(progress, a, "participant").progress.expected_source.value == "members"


def test_a_report_while_a_bridge_point_s_organisation_changed_too(
    units, personas, monkeypatch
) -> None:
    """The province's report gives its bridge points' attendance, while one of them (an
    organisation, the other a cell under a second organisation) had a member list loaded
    under it at the same time: that organisation is judged whole, the cell's participant row
    again, the others kept."""
    from tinhuy.study.actions import (
        BridgeSpec,
        ConferenceSpec,
        MemberSpec,
        ReportSpec,
        do_amend_report,
        do_load_members,
        do_register_conference,
        do_report_conference,
    )

    office = personas.province_office
    scope = scope_for(office)
    plan = _issued(
        units,
        personas,
        _two_levels(("co-so", "chi-bo"), online=True),
    )
    province = units.nghiloc
    a, b = _organisations(province, 2)
    cell = _cell(b)
    conference = do_register_conference(
        plan,
        ConferenceSpec(
            host=province,
            date=D(2021, 1, 20),
            length_sessions=1,
            mode="online",
            bridge_points=[BridgeSpec(a, 30), BridgeSpec(cell, 12)],
        ),
        acting_user=office,
        confirm_problems=True,
        recorded_at=at(D(2021, 1, 5)),
    )
    day = timezone.localdate()
    _both(plan, scope, day)
    do_load_members(
        units.structure_2020,
        [MemberSpec(f"OC-R{i}", f"Phan Văn {i}", _cell(a)) for i in range(3)],
        acting_user=office,
    )
    do_report_conference(
        conference,
        ReportSpec(60, 50, bridge_attended={a.pk: 25, cell.pk: 7}),
        acting_user=office,
        reported_at=at(D(2021, 1, 21)),
    )
    progress, judged = _judged(monkeypatch, plan, scope, day)
    assert judged == [a.pk]
    assert _row(progress, a, "participant").progress.people.attended == 25
    assert _row(progress, cell, "participant").progress.people.attended == 7
    assert _row(progress, province, "host").progress.people.expected == 60

    do_amend_report(
        conference,
        ReportSpec(60, 52, bridge_attended={cell.pk: 9}),
        acting_user=office,
        reported_at=at(D(2021, 1, 22)),
    )
    for when, attended in ((D(2021, 1, 21), 7), (day, 9)):
        progress, judged = _judged(monkeypatch, plan, scope, when)
        assert _row(progress, cell, "participant").progress.people.attended == attended
    assert judged == []


def test_per_person_attendance_invitees_and_check_in_at_the_province(
    units, personas, monkeypatch
) -> None:
    """Per-person attendance at the province's conference counts every member loaded under
    the province as expected; invitees and check-in change no figure. Each is the province's
    own change: spliced, and the same as from scratch (also after a member list for one of its
    organisations' cells, which moves the province's own row)."""
    from tinhuy.study.actions import (
        AttendanceSpec,
        ConferenceSpec,
        InviteeSpec,
        MemberSpec,
        RuleSpec,
        do_add_invitees,
        do_check_in,
        do_load_members,
        do_record_attendance,
        do_register_conference,
    )

    office = personas.province_office
    scope = scope_for(office)
    today = timezone.localdate()
    plan = _issued(
        units,
        personas,
        [
            RuleSpec(
                "huyen",
                "Cán bộ chủ chốt",
                1,
                today - datetime.timedelta(days=10),
                today + datetime.timedelta(days=10),
                True,
                ("co-so",),
            ),
            RuleSpec(
                "co-so",
                "Toàn thể đảng viên",
                1,
                today - datetime.timedelta(days=10),
                today + datetime.timedelta(days=20),
            ),
        ],
    )
    province = units.nghiloc
    a, b = _organisations(province, 2)
    do_load_members(
        units.structure_2020,
        [MemberSpec(f"OC-P{i}", f"Hồ Văn {i}", _cell(a)) for i in range(4)],
        acting_user=office,
    )
    conference = do_register_conference(
        plan,
        ConferenceSpec(host=province, date=today, length_sessions=1),
        acting_user=office,
        confirm_problems=True,
    )
    _both(plan, scope, today)
    do_record_attendance(
        conference,
        [AttendanceSpec(f"OC-P{i}", "present") for i in range(3)],
        acting_user=office,
    )
    progress, judged = _judged(monkeypatch, plan, scope, today)
    assert judged == []
    assert _row(progress, province, "host").progress.people.expected == 4
    assert _row(progress, province, "host").progress.people.attended == 3

    [invitee] = do_add_invitees(conference, [InviteeSpec(None, "Khách Mời")], acting_user=office)
    progress, judged = _judged(monkeypatch, plan, scope, today)
    assert judged == []
    assert do_check_in(invitee, acting_user=office)
    do_load_members(
        units.structure_2020,
        [MemberSpec(f"OC-Q{i}", f"Võ Văn {i}", _cell(b)) for i in range(5)],
        acting_user=office,
    )
    progress, judged = _judged(monkeypatch, plan, scope, today)
    assert judged == [b.pk]
    assert _row(progress, province, "host").progress.people.expected == 9


def test_the_province_s_headcount_at_the_all_members_level(units, personas, monkeypatch) -> None:
    """An overdue province at the plan's lowest level, with no member loaded under it, counts
    its headcount: setting it is its own change, spliced; its own page (children's totals
    included) reads the same."""
    from tinhuy.org.actions import do_set_headcount

    office = personas.province_office
    scope = scope_for(office)
    plan = _issued(
        units,
        personas,
        _all_members_online(),
    )
    province = units.vinh
    day = D(2021, 3, 1)
    _both(plan, scope, day)
    _both(plan, scope, day, root=province)
    for headcount in (321, None, 45):
        do_set_headcount(Unit.objects.get(pk=province.pk), headcount=headcount, acting_user=office)
        progress, judged = _judged(monkeypatch, plan, scope, day)
        assert judged == []
        own = _row(progress, province, "host").progress
        assert own.people.expected == (headcount or 0)
        _, judged = _judged(monkeypatch, plan, scope, day, root=province)
        assert judged == []


def test_a_draft_plan_a_province_s_headcount_then_issued(units, personas, monkeypatch) -> None:
    """Under a draft nothing is overdue; a province's headcount changed meanwhile is spliced
    into the draft's parts, and once issued (a change at the top) every part is judged whole,
    with the headcount counted."""
    from tinhuy.org.actions import do_set_headcount
    from tinhuy.study.actions import do_issue_plan
    from tinhuy.study.models import Plan

    office = personas.province_office
    scope = scope_for(office)
    plan = _new_plan(
        units,
        personas,
        _all_members_online(),
    )
    day = D(2021, 3, 1)
    _both(plan, scope, day)
    do_set_headcount(Unit.objects.get(pk=units.vinh.pk), headcount=88, acting_user=office)
    progress, judged = _judged(monkeypatch, plan, scope, day)
    assert judged == []
    assert {r.progress.status.value for r in progress.rows} == {"not_scheduled"}
    do_issue_plan(plan, issued_on=D(2021, 1, 2), signer_name="Người ký", acting_user=office)
    plan = Plan.objects.select_related("structure", "issuing_unit").get(pk=plan.pk)
    progress, judged = _judged(monkeypatch, plan, scope, day)
    assert units.vinh.pk in judged
    assert _row(progress, units.vinh, "host").progress.people.expected == 88


def test_reminders_over_a_province(plan_2020, personas, units, monkeypatch) -> None:
    """Reminders sent over one province are recorded at it as its own change: its part (the
    run judged it inside its transaction, before the change was counted) is spliced next."""
    from tinhuy.study.actions import do_send_reminders

    office = personas.province_office
    scope = scope_for(office)
    day = D(2021, 1, 15)
    _both(plan_2020, scope, day)
    before = versions.current(plan_2020.structure_id)
    do_send_reminders(
        _plan(plan_2020, by_part=True),
        as_of=day,
        within_days=7,
        acting_user=office,
        root=Unit.objects.get(pk=units.nghiloc.pk),
    )
    after = versions.current(plan_2020.structure_id)
    own = versions.own_part(units.nghiloc.pk)
    assert after.get(own, 0) == before.get(own, 0) + 1
    _, judged = _judged(monkeypatch, plan_2020, scope, day)
    assert judged == []


def test_own_changes_then_one_reaching_below_then_own_again(
    plan_2020, personas, units, monkeypatch
) -> None:
    """A chain of kept parts, each from the previous: the province's own change (spliced), an
    organisation's and the province's own together (that organisation judged), a member list
    for two organisations' cells (recorded at the province, the organisations of its cells
    judged: 582a0bc), the province renamed (reaching below by default: judged whole), and the
    province's own change again (spliced from the whole one)."""
    from tinhuy.org.actions import do_rename_unit
    from tinhuy.study.actions import MemberSpec, ReportSpec, do_amend_report, do_load_members
    from tinhuy.study.models import Conference

    office = personas.province_office
    scope = scope_for(office)
    province = units.nghiloc
    conference = Conference.objects.get(plan=plan_2020, host=province, cancelled_at__isnull=True)
    latest = conference.reports.order_by("-version").first()
    day = timezone.localdate()
    _both(plan_2020, scope, day)

    def amend(attended: int) -> None:
        do_amend_report(
            conference,
            ReportSpec(latest.expected_count, attended),
            acting_user=office,
            reported_at=at(D(2021, 1, 5)),
        )

    amend(1)
    _, judged = _judged(monkeypatch, plan_2020, scope, day)
    assert judged == []
    a, b = _organisations(province, 2)
    _change_under(Unit.objects.get(pk=a.pk), office)
    amend(2)
    _, judged = _judged(monkeypatch, plan_2020, scope, day)
    assert judged == [a.pk]
    do_load_members(
        plan_2020.structure,
        [
            MemberSpec("OC-W1", "Đinh Văn Một", _cell(a)),
            MemberSpec("OC-W2", "Đinh Văn Hai", _cell(b)),
        ],
        acting_user=office,
    )
    progress, judged = _judged(monkeypatch, plan_2020, scope, day)
    assert sorted(judged) == sorted([a.pk, b.pk])
    do_rename_unit(
        Unit.objects.get(pk=province.pk), name="Huyện Nghi Lộc (mới)", acting_user=office
    )
    progress, judged = _judged(monkeypatch, plan_2020, scope, day)
    assert judged == [province.pk]
    amend(3)
    progress, judged = _judged(monkeypatch, plan_2020, scope, day)
    assert judged == []
    assert _row(progress, province, "host").progress.people.attended == 3
    assert _row(progress, province, "host").name == "Huyện Nghi Lộc (mới)"


def test_own_change_in_a_plan_without_participant_levels(units, personas) -> None:
    """A plan whose rules name no participant level (no unit takes part as a bridge point: the
    demo's in-person provincial rule, ``_province_rule_2020(online=False)``, is one). The
    province's own change — its first conference registered — has ``_rejudged`` judge the
    units taking part in its conferences: none here. (It used to filter the units by
    ``level_id__in=[]``, which ``plain_rows`` compiled into ``EmptyResultSet``: the national
    page and the province's own page answered 500 after any such change.)"""
    from tinhuy.study.actions import ConferenceSpec, do_register_conference

    office = personas.province_office
    scope = scope_for(office)
    plan = _issued(
        units,
        personas,
        _two_levels(),
    )
    day = D(2021, 3, 15)
    _both(plan, scope, day)
    conference = do_register_conference(
        plan,
        ConferenceSpec(host=units.vinh, date=D(2021, 1, 20), length_sessions=1),
        acting_user=office,
        confirm_problems=True,
        recorded_at=at(D(2021, 1, 5)),
    )
    progress = _both(plan, scope, day)
    assert _row(progress, units.vinh, "host").progress.conference_id == conference.pk
