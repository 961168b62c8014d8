"""Review of the kept provinces' parts (``tinhuy.study.parts``, ``queries._parts_of``,
``queries._rejudged``): cases where a kept, spliced or stored part could differ from computing
from scratch (``roll_up_by_part=False``, the oracle). Nghệ An's 2020 structure stands in for a
country, its district-level units for provinces, their grassroots organisations for the
"organisations" a province's part is judged again for."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from tests.study.test_progress_by_part import _computing, _plan, _same, at
from tinhuy.org import versions
from tinhuy.org.access import scope_for
from tinhuy.org.models import Unit
from tinhuy.study import queries

D = datetime.date


@pytest.fixture(autouse=True)
def no_kept_parts():
    queries._PARTS.clear()
    yield
    queries._PARTS.clear()


def _whole(plan_2020, root, scope, day, **kwargs):  # type: ignore[no-untyped-def]
    return queries.plan_progress(_plan(plan_2020, by_part=False), root, scope, day, **kwargs)


def _parted(plan_2020, root, scope, day, **kwargs):  # type: ignore[no-untyped-def]
    return queries.plan_progress(_plan(plan_2020, by_part=True), root, scope, day, **kwargs)


def _province_with_a_conference(plan):  # type: ignore[no-untyped-def]
    """A province (depth 1) that held a conference of its own, and that conference."""
    from tinhuy.study.models import Conference

    conference = (
        Conference.objects.filter(plan=plan, host__depth=1, cancelled_at__isnull=True)
        .exclude(host__kind="advisory")
        .select_related("host")
        .order_by("host__code")
        .first()
    )
    assert conference is not None
    return conference.host, conference


# ---------------------------------------------------------------------------------------------
# 1. A province's own row depends on data under its organisations: the splice keeps it stale.


def test_a_member_list_under_one_organisation_moves_the_province_s_own_row(
    plan_2020, personas, units
) -> None:
    """A province conference with per-person attendance counts as "to reach" every member
    loaded under the province (``host_people``: ``members_under.count(host_path)``). A member
    list loaded for a cell of ONE organisation moves that organisation's version and the
    province's by the same one (``_common_ancestor`` of the cells is the cell), so
    ``_rejudged`` judges that organisation again and keeps the province's own row — whose
    "expected" just changed."""
    from tinhuy.study.actions import (
        AttendanceSpec,
        MemberSpec,
        do_load_members,
        do_record_attendance,
    )

    office = personas.province_office
    scope = scope_for(office)
    plan = _plan(plan_2020, by_part=True)
    province, conference = _province_with_a_conference(plan)
    cell = (
        Unit.objects.filter(path__startswith=province.path, depth=3, kind="cell")
        .order_by("path")
        .first()
    )
    assert cell is not None
    structure = province.structure
    do_load_members(
        structure,
        [MemberSpec(f"RV-{i}", f"Nguyễn Văn {i}", cell) for i in range(3)],
        acting_user=office,
    )
    do_record_attendance(
        conference,
        [AttendanceSpec(f"RV-{i}", "present") for i in range(3)],
        acting_user=office,
    )
    day = timezone.localdate()  # the loads and the attendance are known today
    first = _parted(plan_2020, plan.issuing_unit, scope, day, with_children=True)
    _same(first, _whole(plan_2020, plan.issuing_unit, scope, day, with_children=True))
    own = [r for r in first.rows if r.unit_id == province.pk and r.progress.role == "host"]
    assert own[0].progress.people.expected == 3

    # Two more members of the same cell: the organisation and the province move by one each.
    before = versions.current(structure.pk)
    do_load_members(
        structure,
        [MemberSpec(f"RV-{i}", f"Nguyễn Văn {i}", cell) for i in range(3, 5)],
        acting_user=office,
    )
    after = versions.current(structure.pk)
    organisation = versions.sub_part_of(cell.path)
    assert after[province.pk] - before[province.pk] == 1
    assert after[organisation] - before.get(organisation, 0) == 1

    whole = _whole(plan_2020, plan.issuing_unit, scope, day, with_children=True)
    own = [r for r in whole.rows if r.unit_id == province.pk and r.progress.role == "host"]
    assert own[0].progress.people.expected == 5  # every member under the province
    _same(_parted(plan_2020, plan.issuing_unit, scope, day, with_children=True), whole)


def _two_levels(participants: tuple[str, ...] = (), *, online: bool = False):  # type: ignore[no-untyped-def]
    """The rules of a plan of the 2020 structure: the district level's key cadres (with the
    ``participants`` levels taking part as bridge points), then every member of the grassroots
    organisations."""
    from tinhuy.study.actions import RuleSpec

    return [
        RuleSpec("huyen", "Cán bộ chủ chốt", 1, D(2021, 1, 1), D(2021, 2, 1), online, participants),
        RuleSpec("co-so", "Toàn thể đảng viên", 1, D(2021, 1, 1), D(2021, 3, 1)),
    ]


def _issued(units, personas, rules):  # type: ignore[no-untyped-def]
    """``_new_plan``, issued on 02/01/2021."""
    from tinhuy.study.actions import do_issue_plan
    from tinhuy.study.models import Plan

    plan = _new_plan(units, personas, rules)
    do_issue_plan(
        plan, issued_on=D(2021, 1, 2), signer_name="Người ký", acting_user=personas.province_office
    )
    return Plan.objects.select_related("structure", "issuing_unit").get(pk=plan.pk)


def _new_plan(units, personas, rules):  # type: ignore[no-untyped-def]
    """A draft plan of the 2020 structure, issued by the province (the "country"'s top)."""
    from tinhuy.study.actions import do_create_plan

    plan = do_create_plan(
        structure=units.structure_2020,
        title="Kế hoạch rà soát phần đã giữ",
        source_document="Nghị quyết thử nghiệm",
        topics=["Chuyên đề thử nghiệm"],
        rules=rules,
        issuing_unit=units.province_2020,
        acting_user=personas.province_office,
    )
    return plan


def test_the_province_s_own_row_at_the_all_members_level_after_a_member_list(
    units, personas
) -> None:
    """The same hole without per-person attendance: in a plan whose lowest level is the
    provinces' (its organisations take part as bridge points), an overdue province's own row
    counts every member loaded under it. A member list for one organisation's cell moves that
    organisation and the province by one; the splice keeps the province's row."""
    from tinhuy.org.models import Structure
    from tinhuy.study.actions import MemberSpec, RuleSpec, do_issue_plan, do_load_members
    from tinhuy.study.models import Plan

    office = personas.province_office
    scope = scope_for(office)
    plan = _new_plan(
        units,
        personas,
        [
            RuleSpec(
                "huyen", "Toàn thể đảng viên", 1, D(2021, 2, 1), D(2021, 3, 1), False, ("co-so",)
            )
        ],
    )
    do_issue_plan(plan, issued_on=D(2021, 1, 20), signer_name="Người ký", acting_user=office)
    cell = units.nghiloc_cell
    do_load_members(
        units.structure_2020, [MemberSpec("RV-A", "Trần Thị A", cell)], acting_user=office
    )
    day = timezone.localdate()

    def progress(by_part: bool):  # type: ignore[no-untyped-def]
        Structure.objects.filter(pk=units.structure_2020.pk).update(roll_up_by_part=by_part)
        fresh = Plan.objects.select_related("structure", "issuing_unit").get(pk=plan.pk)
        return queries.plan_progress(fresh, fresh.issuing_unit, scope, day, with_children=True)

    _same(progress(True), progress(False))
    do_load_members(
        units.structure_2020,
        [MemberSpec(f"RV-B{i}", f"Trần Thị B{i}", cell) for i in range(4)],
        acting_user=office,
    )
    whole = progress(False)
    nghiloc = [r for r in whole.rows if r.unit_id == units.nghiloc.pk]
    assert [r.progress.people.expected for r in nghiloc] == [5]
    _same(progress(True), whole)


# ---------------------------------------------------------------------------------------------
# 2. A stored part outlives the code that judged it.


def test_a_deploy_that_judges_differently_is_not_seen_by_the_stored_parts(
    plan_2020, personas, monkeypatch
) -> None:
    """A part's key is the plan, state, province, date, scope, language and data versions:
    not the code (compliance rules, problem texts, the translation catalogue). After a deploy
    that changes how a standing is judged, a restarted worker — and ``study-warm``, which the
    operations guide says to run after each deploy — reads the parts the old code stored, and
    the national page keeps the old judgement (for a past date, until the province's data
    change or the part is pushed out). Simulated here by a compliance change: every host's
    conference gets one more problem."""
    import io

    from django.core.management import call_command

    from tinhuy.study import compliance as c

    scope = scope_for(personas.province_office)
    day = D(2021, 1, 15)
    _parted(plan_2020, plan_2020.issuing_unit, scope, day)  # stored by the old code

    real = c.evaluate_host

    def stricter(*args, **kwargs):  # type: ignore[no-untyped-def]
        progress = real(*args, **kwargs)
        if progress.held_on is not None:
            progress.problems = [*progress.problems, "Quy định mới sau khi triển khai"]
        return progress

    from tinhuy.study import parts

    monkeypatch.setattr(c, "evaluate_host", stricter)  # the new release …
    monkeypatch.setattr(parts, "RELEASE", "the next release")  # … whose sources differ
    queries._PARTS.clear()  # the workers restarted
    call_command("study_warm", as_of="15/01/2021", stdout=io.StringIO())  # "after each deploy"
    whole = _whole(plan_2020, plan_2020.issuing_unit, scope, day, with_children=True)
    assert any("Quy định mới sau khi triển khai" in r.progress.problems for r in whole.rows)
    _same(_parted(plan_2020, plan_2020.issuing_unit, scope, day, with_children=True), whole)


# ---------------------------------------------------------------------------------------------
# 3. Versions go back with a rolled-back transaction; the worker's memory does not.


def _register_and_report(plan, host, office, expected, attended):  # type: ignore[no-untyped-def]
    from tinhuy.study.actions import (
        ConferenceSpec,
        ReportSpec,
        do_register_conference,
        do_report_conference,
    )

    conference = do_register_conference(
        plan,
        ConferenceSpec(host=host, date=D(2021, 1, 10), length_sessions=1, segments=[]),
        acting_user=office,
        confirm_problems=True,
        recorded_at=at(D(2021, 1, 5)),
    )
    do_report_conference(
        conference,
        ReportSpec(expected, attended),
        acting_user=office,
        reported_at=at(D(2021, 1, 11)),
    )
    return conference


def _free_organisation(plan, province):  # type: ignore[no-untyped-def]
    return (
        Unit.objects.filter(parent=province, level__code="co-so")
        .exclude(pk__in=plan.conferences.values("host_id"))
        .order_by("code")
        .first()
    )


def test_a_part_judged_inside_a_transaction_that_rolls_back_is_served_later(
    plan_2020, personas, units
) -> None:
    """``DataVersion`` numbers are reused after a rollback: a part judged from a transaction's
    own uncommitted change (kept in the worker's memory, ``queries._PARTS``) carries the key
    that the NEXT, different, committed change will have. The database tier rolls back with the
    data (as the docs say); the process tier does not, and serves the phantom figures."""
    office = personas.province_office
    scope = scope_for(office)
    day = D(2021, 1, 15)
    plan = _plan(plan_2020, by_part=True)
    queries.plan_progress(plan, plan.issuing_unit, scope, day)
    host = _free_organisation(plan, units.nghiloc)

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        _register_and_report(plan, host, office, expected=30, attended=30)
        queries.plan_progress(plan, plan.issuing_unit, scope, day)  # kept in memory
        raise Undo

    _register_and_report(plan, host, office, expected=40, attended=10)  # the same two bumps
    whole = _whole(plan_2020, plan.issuing_unit, scope, day)
    row = next(r for r in whole.rows if r.unit_id == host.pk)
    assert row.progress.people.attended == 10
    _same(_parted(plan_2020, plan.issuing_unit, scope, day), whole)


# ---------------------------------------------------------------------------------------------
# 4. Row order among units of the same name.


def test_units_of_the_same_name_in_two_provinces_are_listed_as_from_scratch(
    plan_2020, personas, units
) -> None:
    """Rows are sorted by (level, name); from scratch, units of the same name keep the
    database's order (``Unit.Meta.ordering``: name, then id); put together from parts they
    follow the provinces' order. Communes of the same name in different provinces are common
    in a country ("Xã Tân Lập")."""
    from tinhuy.org.actions import do_rename_unit

    office = personas.province_office
    scope = scope_for(office)
    day = D(2021, 3, 1)
    first = Unit.objects.filter(parent=units.vinh, level__code="co-so").order_by("id").first()
    # an organisation of a province listed before Vinh, with a larger id
    later = (
        Unit.objects.filter(depth=2, level__code="co-so", structure=units.structure_2020)
        .exclude(path__startswith=units.vinh.path)
        .filter(pk__gt=first.pk)
        .order_by("id")
    )
    vinh_sort = units.vinh.name_sort
    other = next(
        u for u in later if Unit.objects.get(pk=versions.part_of(u.path)).name_sort < vinh_sort
    )
    do_rename_unit(other, name=first.name, acting_user=office)
    whole = _whole(plan_2020, plan_2020.issuing_unit, scope, day)
    assert [r.unit_id for r in whole.rows if r.name == first.name] == [first.pk, other.pk]
    _same(_parted(plan_2020, plan_2020.issuing_unit, scope, day), whole)


def test_a_renamed_organisation_keeps_its_place_among_units_of_its_name(
    plan_2020, personas, units
) -> None:
    """The same inside one province's splice: the organisation judged again is appended to the
    kept rows before the (stable) sort, so it goes after a kept unit of the same name, whatever
    their ids."""
    from tinhuy.org.actions import do_rename_unit

    office = personas.province_office
    scope = scope_for(office)
    day = D(2021, 3, 1)
    two = list(Unit.objects.filter(parent=units.nghiloc, level__code="co-so").order_by("id")[:2])
    _parted(plan_2020, plan_2020.issuing_unit, scope, day)
    do_rename_unit(two[0], name=two[1].name, acting_user=office)  # the smaller id, renamed
    whole = _whole(plan_2020, plan_2020.issuing_unit, scope, day)
    assert [r.unit_id for r in whole.rows if r.name == two[1].name] == [two[0].pk, two[1].pk]
    _same(_parted(plan_2020, plan_2020.issuing_unit, scope, day), whole)


# ---------------------------------------------------------------------------------------------
# Risky cases that hold today: kept as regression tests.


def test_a_bridge_report_at_the_top_refreshes_the_provinces_taking_part(
    plan_2020, personas
) -> None:
    """The provinces take part in the top's conference as bridge points; its report (the
    bridge points' attendance) is recorded at the top, which moves the whole structure's
    version: every province's participant row is judged again."""
    from tinhuy.study.actions import ReportSpec, do_amend_report, do_report_conference
    from tinhuy.study.models import Conference

    office = personas.province_office
    scope = scope_for(office)
    day = D(2021, 3, 1)
    conference = Conference.objects.get(plan=plan_2020, host=plan_2020.issuing_unit)
    bridge = conference.bridge_points.order_by("unit__code").first()
    _parted(plan_2020, plan_2020.issuing_unit, scope, day)
    latest = conference.reports.order_by("-version").first()
    spec = ReportSpec(
        latest.expected_count if latest else 100,
        latest.attended_count if latest else 90,
        bridge_attended={bridge.unit_id: bridge.expected_count // 2},
    )
    act = do_amend_report if latest else do_report_conference
    act(conference, spec, acting_user=office, reported_at=at(D(2021, 2, 1)))
    whole = _whole(plan_2020, plan_2020.issuing_unit, scope, day, with_children=True)
    row = next(
        r for r in whole.rows if r.unit_id == bridge.unit_id and r.progress.role == "participant"
    )
    assert row.progress.people.attended == bridge.expected_count // 2
    _same(_parted(plan_2020, plan_2020.issuing_unit, scope, day, with_children=True), whole)
    province = Unit.objects.get(pk=bridge.unit_id)
    _same(
        _parted(plan_2020, province, scope, day, with_children=True),
        _whole(plan_2020, province, scope, day, with_children=True),
    )


def test_a_cancelled_conference_of_an_organisation_is_judged_again(
    plan_2020, personas, units, monkeypatch
) -> None:
    from tinhuy.study.actions import ConferenceSpec, do_cancel_conference, do_register_conference

    office = personas.province_office
    scope = scope_for(office)
    day = D(2021, 3, 1)
    plan = _plan(plan_2020, by_part=True)
    host = _free_organisation(plan, units.nghiloc)
    conference = do_register_conference(
        plan,
        ConferenceSpec(host=host, date=D(2021, 1, 20), length_sessions=1, segments=[]),
        acting_user=office,
        confirm_problems=True,
        recorded_at=at(D(2021, 1, 5)),
    )
    _parted(plan_2020, plan.issuing_unit, scope, day)
    do_cancel_conference(conference, acting_user=office, reason="Mưa bão")
    today = timezone.localdate()
    for when in (day, today):  # before the cancellation was known, and after
        computed = _computing(monkeypatch)
        parted = _parted(plan_2020, plan.issuing_unit, scope, when)
        monkeypatch.undo()
        whole = _whole(plan_2020, plan.issuing_unit, scope, when)
        _same(parted, whole)
        if when == day:
            assert computed == [host.pk]  # judged again alone
    row = next(r for r in whole.rows if r.unit_id == host.pk)
    assert row.progress.conference_id is None


def test_a_report_amended_as_of_a_past_date(plan_2020, personas, units, monkeypatch) -> None:
    """An amendment made (``reported_at``) between two dates: the later date's part judges the
    organisation again with it, the earlier date's keeps the earlier revision."""
    from tinhuy.study.actions import ReportSpec, do_amend_report

    office = personas.province_office
    scope = scope_for(office)
    plan = _plan(plan_2020, by_part=True)
    host = _free_organisation(plan, units.nghiloc)
    conference = _register_and_report(plan, host, office, expected=30, attended=20)
    early, late = D(2021, 1, 15), D(2021, 3, 1)
    for day in (early, late):
        _parted(plan_2020, plan.issuing_unit, scope, day)
    do_amend_report(
        conference, ReportSpec(30, 29), acting_user=office, reported_at=at(D(2021, 2, 1))
    )
    for day, attended in ((early, 20), (late, 29)):
        parted = _parted(plan_2020, plan.issuing_unit, scope, day)
        whole = _whole(plan_2020, plan.issuing_unit, scope, day)
        _same(parted, whole)
        assert next(r for r in parted.rows if r.unit_id == host.pk).progress.people.attended == (
            attended
        )


def test_a_member_list_of_an_overdue_organisation(plan_2020, personas, units) -> None:
    """At the plan's lowest level an overdue organisation counts its loaded members: a member
    list for one of its cells moves it (and its province): judged again, as from scratch."""
    from tinhuy.study.actions import MemberSpec, do_load_members

    office = personas.province_office
    scope = scope_for(office)
    day = timezone.localdate()
    plan = _plan(plan_2020, by_part=True)
    organisation = _free_organisation(plan, units.nghiloc)
    cell = Unit.objects.filter(parent=organisation).order_by("code").first()
    _parted(plan_2020, plan.issuing_unit, scope, day)
    do_load_members(
        units.structure_2020,
        [MemberSpec(f"RV-M{i}", f"Lê Văn {i}", cell) for i in range(7)],
        acting_user=office,
    )
    whole = _whole(plan_2020, plan.issuing_unit, scope, day)
    row = next(r for r in whole.rows if r.unit_id == organisation.pk)
    assert row.progress.people.expected == 7
    _same(_parted(plan_2020, plan.issuing_unit, scope, day), whole)


def test_a_new_organisation_under_a_province(plan_2020, personas, units) -> None:
    from tinhuy.org.actions import UnitSpec, do_create_units

    office = personas.province_office
    scope = scope_for(office)
    day = D(2021, 3, 1)
    _parted(plan_2020, plan_2020.issuing_unit, scope, day)
    _parted(plan_2020, units.nghiloc, scope, day)
    do_create_units(
        units.structure_2020,
        [UnitSpec("RV-CS-MOI", "Đảng bộ xã Mới Lập", "co-so", "grassroots", units.nghiloc.code)],
        acting_user=office,
    )
    whole = _whole(plan_2020, plan_2020.issuing_unit, scope, day)
    assert any(r.name == "Đảng bộ xã Mới Lập" for r in whole.rows)
    _same(_parted(plan_2020, plan_2020.issuing_unit, scope, day), whole)
    _same(
        _parted(plan_2020, units.nghiloc, scope, day, with_children=True),
        _whole(plan_2020, units.nghiloc, scope, day, with_children=True),
    )


def test_a_draft_plan_then_issued(units, personas) -> None:
    """Under a draft nothing is overdue (MISSING reads NOT_SCHEDULED); once issued the same
    date's parts are judged again (the state is in the slot, and issuing moves the top)."""
    from tinhuy.org.models import Structure
    from tinhuy.study.actions import do_issue_plan
    from tinhuy.study.models import Plan

    office = personas.province_office
    scope = scope_for(office)
    plan = _new_plan(
        units,
        personas,
        _two_levels(),
    )
    day = D(2021, 6, 1)

    def progress(by_part: bool):  # type: ignore[no-untyped-def]
        Structure.objects.filter(pk=units.structure_2020.pk).update(roll_up_by_part=by_part)
        fresh = Plan.objects.select_related("structure", "issuing_unit").get(pk=plan.pk)
        return queries.plan_progress(fresh, fresh.issuing_unit, scope, day, with_children=True)

    draft = progress(True)
    _same(draft, progress(False))
    assert {r.progress.status.value for r in draft.rows} == {"not_scheduled"}
    do_issue_plan(plan, issued_on=D(2021, 1, 2), signer_name="Người ký", acting_user=office)
    issued = progress(True)
    _same(issued, progress(False))
    assert {r.progress.status.value for r in issued.rows} == {"missing"}


def test_an_english_part_judged_again_stays_english(plan_2020, personas, units) -> None:
    from django.utils import translation

    office = personas.province_office
    scope = scope_for(office)
    day = D(2021, 3, 1)
    plan = _plan(plan_2020, by_part=True)
    with translation.override("en"):
        _parted(plan_2020, plan.issuing_unit, scope, day)
    _parted(plan_2020, plan.issuing_unit, scope, day)  # the Vietnamese parts, kept too
    host = _free_organisation(plan, units.nghiloc)
    _register_and_report(plan, host, office, expected=30, attended=28)  # lacks topics: a problem
    for language in ("en", "vi"):
        with translation.override(language):
            parted = _parted(plan_2020, plan.issuing_unit, scope, day)
            whole = _whole(plan_2020, plan.issuing_unit, scope, day)
        _same(parted, whole)
        assert next(r for r in parted.rows if r.unit_id == host.pk).progress.problems


def test_organisations_taking_part_in_their_province_s_conference(
    units, personas, monkeypatch
) -> None:
    """Organisations as bridge points of their province's conference: registering and
    reporting it are the province's own changes that reach no unit below but those taking
    part, so the province's own rows and its participants are judged again, its organisations
    kept — also after an organisation of it changed in between."""
    from tinhuy.org.models import Structure
    from tinhuy.study.actions import (
        BridgeSpec,
        ConferenceSpec,
        ReportSpec,
        do_register_conference,
        do_report_conference,
    )
    from tinhuy.study.models import Plan

    office = personas.province_office
    scope = scope_for(office)
    plan = _issued(units, personas, _two_levels(("co-so",)))
    day = D(2021, 3, 15)

    def same() -> queries.PlanProgress:
        out = []
        for by_part in (True, False):
            Structure.objects.filter(pk=units.structure_2020.pk).update(roll_up_by_part=by_part)
            fresh = Plan.objects.select_related("structure", "issuing_unit").get(pk=plan.pk)
            out.append(
                queries.plan_progress(fresh, fresh.issuing_unit, scope, day, with_children=True)
            )
        _same(*out)
        return out[0]

    same()
    two = list(Unit.objects.filter(parent=units.nghiloc, level__code="co-so").order_by("code")[:2])
    conference = do_register_conference(
        plan,
        ConferenceSpec(
            host=units.nghiloc,
            date=D(2021, 1, 20),
            length_sessions=1,
            bridge_points=[BridgeSpec(unit, 40) for unit in two],
        ),
        acting_user=office,
        confirm_problems=True,
        recorded_at=at(D(2021, 1, 5)),
    )
    computed = _computing(monkeypatch)
    progress = same()
    assert units.nghiloc.pk not in computed  # spliced, not judged whole
    assert {
        r.progress.status.value
        for r in progress.rows
        if r.unit_id in {u.pk for u in two} and r.progress.role == "participant"
    } == {"held_on_time"}
    _change_under(two[0], office)  # an organisation's own change, then the province's report
    do_report_conference(
        conference,
        ReportSpec(50, 45, bridge_attended={two[0].pk: 33}),
        acting_user=office,
        reported_at=at(D(2021, 1, 21)),
    )
    progress = same()
    assert units.nghiloc.pk not in computed
    assert two[0].pk in computed  # the organisation that changed, judged again
    row = next(
        r for r in progress.rows if r.unit_id == two[0].pk and r.progress.role == "participant"
    )
    assert row.progress.people.attended == 33


def _change_under(unit: Unit, office) -> None:  # type: ignore[no-untyped-def]
    from tinhuy.org.actions import do_set_headcount

    unit.refresh_from_db()
    do_set_headcount(unit, headcount=(unit.headcount or 0) + 11, acting_user=office)


def test_a_stored_part_of_the_previous_release_after_a_new_field(
    plan_2020, personas, monkeypatch
) -> None:
    """Rows are pickled as a flat tuple for ``queries._unit_row``, by position. The next release
    that adds a field to ``UnitRow`` or ``UnitProgress`` (the docstring invites it: "a new
    field forgotten there fails here") finds the previous release's parts in
    ``study_keptpart`` under the very keys it asks for: unpickling calls the new ``_unit_row``
    with one argument too few, and nothing catches it — every national and province page of
    that plan and date answers 500 (``study-warm`` too) until the table is emptied by hand.
    Simulated by the next release's ``_unit_row`` taking one more field."""
    scope = scope_for(personas.province_office)
    day = D(2021, 1, 15)
    _parted(plan_2020, plan_2020.issuing_unit, scope, day)  # stored by this release
    real = queries._unit_row

    def next_release(*fields, **kwargs):  # type: ignore[no-untyped-def]
        if len(fields) != 21:  # the previous release's 20 fields and the new one
            raise TypeError(
                f"_unit_row() takes 21 positional arguments but {len(fields)} were given"
            )
        return real(*fields[:20])

    monkeypatch.setattr(queries, "_unit_row", next_release)
    queries._PARTS.clear()  # the workers restarted on the new release
    _same(
        _parted(plan_2020, plan_2020.issuing_unit, scope, day),
        _whole(plan_2020, plan_2020.issuing_unit, scope, day),
    )


def test_a_province_page_after_its_bridge_points_changed_sums_theirs_again(
    units, personas, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    """The province's page keeps its organisations' totals from one part to the next and sums
    again those whose rows were judged again: after a conference of the province's own with
    bridge points, those of every organisation taking part, as from scratch."""
    from tinhuy.org.models import Structure
    from tinhuy.study.actions import (
        BridgeSpec,
        ConferenceSpec,
        do_register_conference,
    )
    from tinhuy.study.models import Plan

    office = personas.province_office
    scope = scope_for(office)
    plan = _issued(units, personas, _two_levels(("co-so",)))
    day = D(2021, 3, 15)

    def page(by_part: bool) -> queries.PlanProgress:
        Structure.objects.filter(pk=units.structure_2020.pk).update(roll_up_by_part=by_part)
        fresh = Plan.objects.select_related("structure", "issuing_unit").get(pk=plan.pk)
        with django_capture_on_commit_callbacks(execute=True):  # as between requests
            return queries.plan_progress(fresh, units.nghiloc, scope, day, with_children=True)

    summed: list[set[int]] = []
    real = queries._by_sub

    def counting(rows, level_order):  # type: ignore[no-untyped-def]
        rows = list(rows)
        summed.append({versions.sub_part_of(r.progress.path) for r in rows} - {None})
        return real(rows, level_order)

    monkeypatch.setattr(queries, "_by_sub", counting)
    page(True)
    page(True)
    assert len(summed) == 1
    two = list(Unit.objects.filter(parent=units.nghiloc, level__code="co-so").order_by("code")[:2])
    do_register_conference(
        plan,
        ConferenceSpec(
            host=units.nghiloc,
            date=D(2021, 1, 20),
            length_sessions=1,
            bridge_points=[BridgeSpec(unit, 40) for unit in two],
        ),
        acting_user=office,
        confirm_problems=True,
        recorded_at=at(D(2021, 1, 5)),
    )
    spliced = page(True)
    # Every organisation takes part at the province's level (co-so is a participant level):
    # all their participant rows are judged again, and their totals summed again — but once,
    # over the rows under them, not the province's whole part.
    organisations = set(
        Unit.objects.filter(parent=units.nghiloc, level__code="co-so").values_list("pk", flat=True)
    )
    assert summed[1:] == [organisations]
    _same(spliced, page(False))
