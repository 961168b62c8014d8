"""At the top of a structure of many provinces, progress is put together from each part's
(``Structure.roll_up_by_part``; issue 12, "the path to the whole country"). Nghệ An's 2020
structure stands in for a country here: its 23 district-level units for the provinces."""

from __future__ import annotations

import datetime
import gc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tinhuy.org import versions
from tinhuy.org.access import scope_for
from tinhuy.org.models import DataVersion, Structure, Unit
from tinhuy.study import queries
from tinhuy.study.actions import (
    ConferenceSpec,
    ReportSpec,
    do_register_conference,
    do_report_conference,
)
from tinhuy.study.models import Plan

D = datetime.date


def at(day: D) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC)


DAYS = (D(2020, 11, 20), D(2021, 1, 15), D(2021, 3, 1))


@pytest.fixture(autouse=True)
def no_kept_parts():
    queries._PARTS.clear()
    yield
    queries._PARTS.clear()


def _plan(plan: Plan, *, by_part: bool) -> Plan:
    Structure.objects.filter(pk=plan.structure_id).update(roll_up_by_part=by_part)
    return Plan.objects.select_related("structure", "issuing_unit").get(pk=plan.pk)


def _standing(row):  # type: ignore[no-untyped-def]
    p = row.progress
    return (
        row.unit_id, row.name, row.level_name, row.deadline, p.role, p.status, p.conference_id, p.held_on,
        p.reported, p.people, p.expected_source, p.problems, p.notes,
    )  # fmt: skip


def _totals(totals):  # type: ignore[no-untyped-def]
    return [
        (t.level_id, t.units, dict(t.by_status), t.reported, t.non_compliant, t.unknown, t.people)
        for t in totals
    ]


def _same(a: queries.PlanProgress, b: queries.PlanProgress) -> None:
    assert [_standing(r) for r in a.rows] == [_standing(r) for r in b.rows]
    assert _totals(r.totals for r in a.rules) == _totals(r.totals for r in b.rules)
    assert [(child.pk, _totals(t)) for child, t in a.children] == [
        (child.pk, _totals(t)) for child, t in b.children
    ]


@pytest.mark.parametrize("persona", ["province_office", "board_member"])
def test_the_sum_of_the_parts_is_the_whole(plan_2020, personas, persona) -> None:
    """Row for row, level for level, child for child, as computed from every row at once."""
    scope = scope_for(getattr(personas, persona))
    for day in DAYS:
        whole = queries.plan_progress(
            _plan(plan_2020, by_part=False), plan_2020.issuing_unit, scope, day, with_children=True
        )
        parted = queries.plan_progress(
            _plan(plan_2020, by_part=True), plan_2020.issuing_unit, scope, day, with_children=True
        )
        assert len(whole.rows) > 150
        _same(parted, whole)


def test_a_part_is_kept_until_something_under_it_changes(plan_2020, personas, units) -> None:
    plan = _plan(plan_2020, by_part=True)
    office = personas.province_office
    scope = scope_for(office)
    day = D(2021, 1, 15)
    first = queries.plan_progress(plan, plan.issuing_unit, scope, day, with_children=True)
    with CaptureQueriesContext(connection) as reused:
        again = queries.plan_progress(plan, plan.issuing_unit, scope, day, with_children=True)
    _same(again, first)
    # versions, children, then the top's own standing only: no part read again
    assert len(reused) <= 16
    kept = dict(zip((c.pk for c, _t in first.children), first.children, strict=True))

    # An audited change under Nghi Lộc (a conference of one of its grassroots organisations)
    # moves Nghi Lộc's version only: its part is computed again, the others are kept.
    host = (
        Unit.objects.filter(path__startswith=units.nghiloc.path, level__code="co-so")
        .exclude(pk__in=plan.conferences.values("host_id"))
        .first()
    )
    assert host is not None
    before = versions.current(plan.structure_id)
    conference = do_register_conference(
        plan,
        ConferenceSpec(host=host, date=D(2021, 1, 10), length_sessions=1, segments=[]),
        acting_user=office,
        confirm_problems=True,
        recorded_at=at(D(2021, 1, 5)),
    )
    do_report_conference(
        conference, ReportSpec(30, 28), acting_user=office, reported_at=at(D(2021, 1, 11))
    )
    after = versions.current(plan.structure_id)
    assert after[units.nghiloc.pk] == before.get(units.nghiloc.pk, 0) + 2
    # … and the organisation it falls under, in the same statement; nothing else.
    assert after[host.pk] == before.get(host.pk, 0) + 2
    assert {k: v for k, v in after.items() if k not in (units.nghiloc.pk, host.pk)} == {
        k: v for k, v in before.items() if k not in (units.nghiloc.pk, host.pk)
    }
    changed = queries.plan_progress(plan, plan.issuing_unit, scope, day, with_children=True)
    _same(
        changed,
        queries.plan_progress(
            _plan(plan_2020, by_part=False), plan.issuing_unit, scope, day, with_children=True
        ),
    )
    for child, totals in changed.children:
        if child.pk == units.nghiloc.pk:
            assert _totals(totals) != _totals(kept[child.pk][1])
        else:
            assert totals is kept[child.pk][1] or _totals(totals) == _totals(kept[child.pk][1])


def test_a_change_at_the_top_renews_every_part(plan_2020, personas, monkeypatch) -> None:
    plan = _plan(plan_2020, by_part=True)
    scope = scope_for(personas.province_office)
    day = D(2021, 1, 15)
    queries.plan_progress(plan, plan.issuing_unit, scope, day)
    children = len(queries._children(scope, plan.issuing_unit))
    assert children >= 20
    versions.bump(plan.structure_id, plan.issuing_unit.path)  # what record() does at the top
    computed = _computing(monkeypatch)
    queries.plan_progress(plan, plan.issuing_unit, scope, day)
    assert len(computed) == children  # all judged again, none spliced


def test_this_process_keeps_a_part_once_its_transaction_commits(
    plan_2020, personas, django_capture_on_commit_callbacks
) -> None:
    """A part judged inside a transaction may count changes that will be rolled back (their
    versions are then reused by the next changes): the worker's memory takes it on commit."""
    plan = _plan(plan_2020, by_part=True)
    scope = scope_for(personas.province_office)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queries.plan_progress(plan, plan.issuing_unit, scope, D(2021, 1, 15))
    assert queries._PARTS == {} and callbacks
    for callback in callbacks:
        callback()
    assert len(queries._PARTS) == len(callbacks)


def test_versions_count_every_change_of_a_part(units) -> None:
    structure = units.structure_2020.pk
    assert versions.part_of("/1/") == versions.WHOLE
    assert versions.part_of("/1/18/") == 18
    assert versions.part_of("/1/18/123/456/") == 18
    start = versions.current(structure)
    for _ in range(3):
        versions.bump(structure, units.vinh.path)
    versions.bump(structure, None)
    now = versions.current(structure)
    assert (
        now[versions.part_of(units.vinh.path)]
        == start.get(versions.part_of(units.vinh.path), 0) + 3
    )
    assert now[versions.WHOLE] == start.get(versions.WHOLE, 0) + 1
    assert DataVersion.objects.filter(structure_id=structure).count() == len(now)


def test_a_view_reads_the_versions_it_is_keyed_by(units) -> None:
    """A year of changes leaves a version per organisation that changed; a view reads its
    parts' and, to judge a province again, that province's organisations' — not the others'."""
    structure = units.structure_2020.pk
    vinh, nghiloc = units.vinh.pk, units.nghiloc.pk
    under_vinh = Unit.objects.filter(parent_id=vinh).first()
    under_nghiloc = Unit.objects.filter(parent_id=nghiloc).first()
    assert under_vinh is not None and under_nghiloc is not None
    before = versions.current(structure)
    for unit in (under_vinh, under_nghiloc):
        versions.bump(structure, unit.path)
    versions.bump(structure, units.vinh.path, reaches_below=False)
    assert set(versions.current(structure, [vinh, versions.own_part(vinh)])) == {
        vinh,
        versions.own_part(vinh),
    }
    below_vinh = versions.below(structure, vinh)
    assert below_vinh[under_vinh.pk] == before.get(under_vinh.pk, 0) + 1
    assert set(below_vinh) == set(
        DataVersion.objects.filter(
            structure_id=structure, part__in=Unit.objects.filter(parent_id=vinh).values("pk")
        ).values_list("part", flat=True)
    )
    assert under_nghiloc.pk not in below_vinh and nghiloc not in below_vinh
    assert set(versions.current(structure)) >= {vinh, nghiloc, under_vinh.pk, under_nghiloc.pk}


def test_a_unit_changed_in_the_admin_moves_its_part(units, rf) -> None:
    """The admin edits a unit's name or headcount without an action: it moves the part too."""
    from django.contrib import admin

    from tinhuy.org.admin import UnitAdmin

    unit = Unit.objects.get(pk=units.vinh.pk)
    part = versions.part_of(unit.path)
    before = versions.current(unit.structure_id).get(part, 0)
    unit.headcount = 1234
    UnitAdmin(Unit, admin.site).save_model(rf.post("/"), unit, form=None, change=True)
    assert versions.current(unit.structure_id)[part] == before + 1


def test_a_part_is_kept_per_language(plan_2020, personas) -> None:
    """The problems of a standing are worded in the request's language, and the .docx report
    asks for Vietnamese whatever the page's: an English view must not word a Vietnamese one."""
    from django.utils import translation

    plan = _plan(plan_2020, by_part=True)
    scope = scope_for(personas.province_office)
    day = D(2021, 1, 15)

    def problems(progress: queries.PlanProgress) -> list[str]:
        return [p for row in progress.rows for p in row.progress.problems]

    with translation.override("en"):
        english = problems(queries.plan_progress(plan, plan.issuing_unit, scope, day))
    with translation.override("vi"):
        vietnamese = problems(queries.plan_progress(plan, plan.issuing_unit, scope, day))
        whole = problems(
            queries.plan_progress(_plan(plan_2020, by_part=False), plan.issuing_unit, scope, day)
        )
    assert vietnamese == whole
    assert english and english != vietnamese


def test_units_below_an_advisory_board_count_in_the_sum(plan_2020, personas) -> None:
    """An advisory board right below the top expects nothing itself, but the Party
    organisations below it are expected like any other: the parts cover them too, and the
    chart leaves the board itself out."""
    from tinhuy.org.actions import UnitSpec, do_create_units
    from tinhuy.org.models import UnitKind

    board = Unit.objects.get(parent=plan_2020.issuing_unit, kind=UnitKind.ADVISORY)
    do_create_units(
        board.structure,
        [UnitSpec("TEST-BAN-CS", "Chi bộ cơ sở Ban thử", "co-so", "grassroots", board.code)],
        acting_user=None,
    )
    scope = scope_for(personas.province_office)
    day = D(2021, 3, 1)
    whole = queries.plan_progress(
        _plan(plan_2020, by_part=False), plan_2020.issuing_unit, scope, day, with_children=True
    )
    parted = queries.plan_progress(
        _plan(plan_2020, by_part=True), plan_2020.issuing_unit, scope, day, with_children=True
    )
    assert any(row.name == "Chi bộ cơ sở Ban thử" for row in whole.rows)
    _same(parted, whole)
    assert board.pk not in {child.pk for child, _totals in parted.children}


def _computing(monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    """The units whose part is computed from their rows (not read from memory or the store)."""
    computed: list[int] = []
    real = queries._progress

    def counting(plan, root, scope, as_of, **kwargs):  # type: ignore[no-untyped-def]
        if not kwargs.get("own_only") and not kwargs.get("participants_only"):
            computed.append(root.pk)
        return real(plan, root, scope, as_of, **kwargs)

    monkeypatch.setattr(queries, "_progress", counting)
    return computed


def test_a_new_worker_reads_the_parts_another_stored(plan_2020, personas, monkeypatch) -> None:
    """The parts are kept in the database too: a worker that has never computed them (its
    memory empty) reads them there and judges nothing, with the same figures."""
    from tinhuy.study.models import KeptPart

    plan = _plan(plan_2020, by_part=True)
    scope = scope_for(personas.province_office)
    day = D(2021, 1, 15)
    computed = _computing(monkeypatch)
    first = queries.plan_progress(plan, plan.issuing_unit, scope, day, with_children=True)
    children = len(queries._children(scope, plan.issuing_unit))
    assert len(computed) == children == KeptPart.objects.count()
    queries._PARTS.clear()  # another worker, or this one restarted
    computed.clear()
    with CaptureQueriesContext(connection) as read:
        again = queries.plan_progress(plan, plan.issuing_unit, scope, day, with_children=True)
    assert computed == []
    _same(again, first)
    assert sum("study_keptpart" in q["sql"] for q in read.captured_queries) == 1  # one read


def test_everyone_who_sees_a_whole_province_shares_its_part(
    plan_2020, personas, monkeypatch
) -> None:
    plan = _plan(plan_2020, by_part=True)
    day = D(2021, 1, 15)
    queries.plan_progress(plan, plan.issuing_unit, scope_for(personas.province_office), day)
    queries._PARTS.clear()
    computed = _computing(monkeypatch)
    board = queries.plan_progress(plan, plan.issuing_unit, scope_for(personas.board_member), day)
    assert computed == []  # the province office's parts, read from the store
    _same(
        board,
        queries.plan_progress(
            _plan(plan_2020, by_part=False),
            plan.issuing_unit,
            scope_for(personas.board_member),
            day,
        ),
    )


def test_a_change_replaces_the_stored_part_of_its_province_only(plan_2020, personas, units) -> None:
    from tinhuy.org.actions import do_set_headcount
    from tinhuy.study.models import KeptPart

    plan = _plan(plan_2020, by_part=True)
    scope = scope_for(personas.province_office)
    day = D(2021, 3, 1)
    queries.plan_progress(plan, plan.issuing_unit, scope, day)
    before = dict(KeptPart.objects.values_list("slot", "key"))
    grassroots = Unit.objects.filter(path__startswith=units.nghiloc.path, level__code="co-so")
    do_set_headcount(grassroots.first(), headcount=77, acting_user=personas.province_office)
    changed = queries.plan_progress(plan, plan.issuing_unit, scope, day)
    after = dict(KeptPart.objects.values_list("slot", "key"))
    assert before.keys() == after.keys()  # one part per slot: the old one is gone
    renewed = [slot for slot in after if after[slot] != before[slot]]
    assert len(renewed) == 1
    assert KeptPart.objects.get(slot=renewed[0]).data  # Nghi Lộc's, with its new figures
    queries._PARTS.clear()
    _same(
        queries.plan_progress(plan, plan.issuing_unit, scope, day),
        queries.plan_progress(_plan(plan_2020, by_part=False), plan.issuing_unit, scope, day),
    )
    assert changed.rows


def test_the_store_keeps_the_newest_parts_of_a_plan(plan_2020, personas, settings) -> None:
    from tinhuy.study.models import KeptPart

    settings.TINHUY_PROGRESS_PARTS_STORED = 5
    plan = _plan(plan_2020, by_part=True)
    scope = scope_for(personas.province_office)
    queries.plan_progress(plan, plan.issuing_unit, scope, D(2021, 1, 15))
    assert KeptPart.objects.filter(plan=plan).count() == 5
    newest = set(KeptPart.objects.order_by("-id").values_list("id", flat=True)[:5])
    assert set(KeptPart.objects.values_list("id", flat=True)) == newest


def test_study_warm_computes_today_s_parts_before_anyone_asks(
    plan_2020, personas, monkeypatch
) -> None:
    import io

    from django.core.management import call_command

    from tinhuy.study.models import KeptPart

    plan = _plan(plan_2020, by_part=True)
    out = io.StringIO()
    call_command("study_warm", as_of="15/01/2021", language=["vi", "en"], stdout=out)
    children = len(queries._children(scope_for(personas.province_office), plan.issuing_unit))
    assert KeptPart.objects.filter(plan=plan, as_of=D(2021, 1, 15)).count() == 2 * children
    assert f"kế hoạch {plan.pk} (vi), ngày 15/01/2021" in out.getvalue()
    queries._PARTS.clear()
    computed = _computing(monkeypatch)
    queries.plan_progress(
        plan, plan.issuing_unit, scope_for(personas.province_office), D(2021, 1, 15)
    )
    assert computed == []


def test_study_warm_names_a_plan_it_cannot_warm(plan_2020) -> None:
    from django.core.management import CommandError, call_command

    _plan(plan_2020, by_part=False)
    with pytest.raises(CommandError, match=f"Không có kế hoạch mã {plan_2020.pk} trên cơ cấu"):
        call_command("study_warm", plan=[plan_2020.pk])
    with pytest.raises(CommandError, match="không hợp lệ"):
        call_command("study_warm", as_of="31/02/2021")


def test_a_province_page_reads_its_kept_part(plan_2020, personas, units, monkeypatch) -> None:
    """A unit right below the top shows its kept part (the one the national figure sums), with
    its children's totals rolled up from the part's rows: the same as from its rows, and not
    judged again while nothing under it changes."""
    scope = scope_for(personas.province_office)
    for day in DAYS:
        for unit in Unit.objects.filter(parent=plan_2020.issuing_unit).exclude(kind="advisory"):
            whole = queries.plan_progress(
                _plan(plan_2020, by_part=False), unit, scope, day, with_children=True
            )
            parted = queries.plan_progress(
                _plan(plan_2020, by_part=True), unit, scope, day, with_children=True
            )
            _same(parted, whole)
    plan = _plan(plan_2020, by_part=True)
    day = DAYS[1]
    queries.plan_progress(plan, plan.issuing_unit, scope, day)  # the national view keeps them
    computed = _computing(monkeypatch)
    vinh = queries.plan_progress(
        plan, units.vinh, scope_for(personas.vinh_officer), day, with_children=True
    )
    assert computed == []  # Vinh's officer sees all of Vinh: the national view's part
    assert vinh.children and vinh.rows
    # Rows handed out are the page's own list: sorting them leaves the kept part as it was.
    vinh.rows.reverse()
    again = queries.plan_progress(plan, units.vinh, scope, day, with_children=True)
    _same(
        again,
        queries.plan_progress(
            _plan(plan_2020, by_part=False), units.vinh, scope, day, with_children=True
        ),
    )


def test_a_province_s_children_totals_are_summed_once_per_part(
    plan_2020, personas, units, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    """Every view of one kept part shows its organisations' totals summed the first time; a
    part judged again for one organisation sums that one's rows only, the others' totals
    carried over — the same figures as from scratch."""
    plan = _plan(plan_2020, by_part=True)
    office = personas.province_office
    scope = scope_for(office)
    day = DAYS[2]
    summed: list[set[int]] = []  # the organisations of the rows each sum went over
    real = queries._by_sub

    def counting(rows, level_order):  # type: ignore[no-untyped-def]
        rows = list(rows)
        summed.append({versions.sub_part_of(r.progress.path) for r in rows} - {None})
        return real(rows, level_order)

    def view(a_scope=scope):  # type: ignore[no-untyped-def]
        # As between requests: the part judged is kept in this process once committed.
        with django_capture_on_commit_callbacks(execute=True):
            return queries.plan_progress(plan, units.vinh, a_scope, day, with_children=True)

    monkeypatch.setattr(queries, "_by_sub", counting)
    first = view()
    again = view()
    assert len(summed) == 1 and len(summed[0]) > 1
    _same(again, first)
    organisation = Unit.objects.filter(parent=units.vinh, pk__in=summed[0]).order_by("code").first()
    assert organisation is not None
    _change_under(organisation, office)
    changed = view()
    assert summed[1:] == [{organisation.pk}]
    monkeypatch.undo()
    whole = queries.plan_progress(
        _plan(plan_2020, by_part=False), units.vinh, scope, day, with_children=True
    )
    _same(changed, whole)
    mine = view(scope_for(personas.vinh_officer))
    assert [c.pk for c, _t in mine.children] == [c.pk for c, _t in whole.children]


def test_a_province_s_part_judged_again_replaces_the_one_it_came_from_in_memory(
    plan_2020, personas, units, django_capture_on_commit_callbacks
) -> None:
    """Once a province's part is judged again after a change, the part it came from can never
    be asked for again: it leaves this process's memory with its organisations' totals, so that
    a province changing all day does not fill the worker (and every garbage collection) with
    its past parts."""
    plan = _plan(plan_2020, by_part=True)
    office = personas.province_office
    scope = scope_for(office)

    def view():  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            return queries.plan_progress(plan, units.vinh, scope, DAYS[2], with_children=True)

    view()
    [before] = queries._PARTS.values()
    assert any(kept is before for kept, _totals in queries._SUB_TOTALS.values())
    for organisation in Unit.objects.filter(parent=units.vinh).order_by("code")[:3]:
        _change_under(organisation, office)
        view()
    [after] = queries._PARTS.values()
    assert after is not before
    assert not any(kept is before for kept, _totals in queries._SUB_TOTALS.values())
    assert any(kept is after for kept, _totals in queries._SUB_TOTALS.values())


def test_a_kept_row_comes_back_whole(plan_2020, personas) -> None:
    """A stored part's rows are pickled as flat tuples (``UnitRow.__reduce__``): every field of
    every object comes back, whatever the standing (a new field forgotten there fails here)."""
    import pickle

    from tinhuy.study import compliance as c

    scope = scope_for(personas.province_office)
    rows = [
        row
        for day in DAYS
        for row in queries.plan_progress(plan_2020, plan_2020.issuing_unit, scope, day).rows
    ]
    back = pickle.loads(pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL))  # noqa: S301
    # Read back with their attributes in the objects themselves, not in a dictionary of each
    # object's own: one object fewer per row for the garbage collector to walk (asked before
    # ``vars`` below makes one).
    for again in back:
        for obj in (again, again.progress):
            assert not any(isinstance(ref, dict) for ref in gc.get_referents(obj)), obj
    assert back == rows
    for row, again in zip(rows, back, strict=True):
        assert vars(again).keys() == vars(row).keys()
        assert vars(again.progress) == vars(row.progress)
        assert type(again.progress.status) is c.Status
        assert type(again.progress.expected_source) is c.ExpectedSource
    assert any(r.progress.problems for r in rows)
    assert any(r.progress.held_on for r in rows) and any(r.progress.people.attended for r in rows)


def _change_under(unit: Unit, office) -> None:  # type: ignore[no-untyped-def]
    """An audited change of a unit's own: its headcount."""
    from tinhuy.org.actions import do_set_headcount

    do_set_headcount(unit, headcount=(unit.headcount or 0) + 11, acting_user=office)


def test_a_change_under_one_organisation_judges_that_one_again(
    plan_2020, personas, units, monkeypatch
) -> None:
    """A province whose one organisation changed keeps its other organisations' standings and
    judges that one again: the same figures as judging everything, for a fraction of it."""
    plan = _plan(plan_2020, by_part=True)
    office = personas.province_office
    scope = scope_for(office)
    day = D(2021, 3, 1)
    queries.plan_progress(plan, plan.issuing_unit, scope, day, with_children=True)
    organisations = list(
        Unit.objects.filter(parent=units.nghiloc, level__code="co-so").order_by("code")[:2]
    )
    for organisation in organisations:
        _change_under(organisation, office)
    cell = Unit.objects.filter(parent=organisations[0]).first()
    assert cell is not None
    _change_under(cell, office)  # a cell falls under its organisation
    computed = _computing(monkeypatch)
    parted = queries.plan_progress(plan, plan.issuing_unit, scope, day, with_children=True)
    assert sorted(computed) == sorted(o.pk for o in organisations)
    monkeypatch.undo()
    whole = queries.plan_progress(
        _plan(plan_2020, by_part=False), plan.issuing_unit, scope, day, with_children=True
    )
    _same(parted, whole)
    assert any(r.unit_id == organisations[0].pk for r in parted.rows)
    # Nghi Lộc's own page reads the spliced part.
    _same(
        queries.plan_progress(
            _plan(plan_2020, by_part=True), units.nghiloc, scope, day, with_children=True
        ),
        queries.plan_progress(
            _plan(plan_2020, by_part=False), units.nghiloc, scope, day, with_children=True
        ),
    )


def test_a_change_of_the_province_s_own_judges_its_own_rows_again(
    plan_2020, personas, units, monkeypatch
) -> None:
    """Its headcount, its conferences: they bear on its own rows (and on whoever takes part in
    its conferences), not on its organisations' — which are kept."""
    plan = _plan(plan_2020, by_part=True)
    office = personas.province_office
    scope = scope_for(office)
    day = D(2021, 3, 1)
    queries.plan_progress(plan, plan.issuing_unit, scope, day)
    before = versions.current(plan.structure_id)
    _change_under(Unit.objects.get(pk=units.nghiloc.pk), office)
    after = versions.current(plan.structure_id)
    own = versions.own_part(units.nghiloc.pk)
    assert after[own] == before.get(own, 0) + 1
    assert after[units.nghiloc.pk] == before[units.nghiloc.pk] + 1
    computed = _computing(monkeypatch)
    parted = queries.plan_progress(plan, plan.issuing_unit, scope, day, with_children=True)
    assert computed == []
    monkeypatch.undo()
    whole = queries.plan_progress(
        _plan(plan_2020, by_part=False), plan.issuing_unit, scope, day, with_children=True
    )
    _same(parted, whole)
    row = next(r for r in parted.rows if r.unit_id == units.nghiloc.pk)
    assert row.name == Unit.objects.get(pk=units.nghiloc.pk).name


def test_a_member_list_recorded_at_the_province_judges_the_organisations_it_reached(
    plan_2020, personas, units, monkeypatch
) -> None:
    """A member list for cells of two of its organisations is recorded at the province (their
    common ancestor) and moves the counts under those two: they are judged again, with the
    province's own rows, the others kept."""
    from tinhuy.study.actions import MemberSpec, do_load_members

    plan = _plan(plan_2020, by_part=True)
    office = personas.province_office
    scope = scope_for(office)
    day = timezone.localdate()  # the list is known today
    queries.plan_progress(plan, plan.issuing_unit, scope, day)
    organisations = list(
        Unit.objects.filter(parent=units.nghiloc, level__code="co-so").order_by("code")[:2]
    )
    cells = [
        Unit.objects.filter(path__startswith=organisation.path, kind="cell").first()
        for organisation in organisations
    ]
    assert all(cells)
    do_load_members(
        plan.structure,
        [MemberSpec(f"TC-{i}", f"Trần Văn {i}", cell) for i, cell in enumerate(cells)],
        acting_user=office,
    )
    computed = _computing(monkeypatch)
    parted = queries.plan_progress(plan, plan.issuing_unit, scope, day, with_children=True)
    assert sorted(computed) == sorted(o.pk for o in organisations)
    monkeypatch.undo()
    _same(
        parted,
        queries.plan_progress(
            _plan(plan_2020, by_part=False), plan.issuing_unit, scope, day, with_children=True
        ),
    )


def test_a_change_of_the_province_s_own_reaching_below_judges_it_whole(
    plan_2020, personas, units, monkeypatch
) -> None:
    """A change recorded at the province that reaches below it in other ways (here: when it
    began, which every unit under it shares) is not accounted for: the province is judged
    whole."""
    from tinhuy.org.actions import do_set_unit_validity

    plan = _plan(plan_2020, by_part=True)
    office = personas.province_office
    scope = scope_for(office)
    day = D(2021, 3, 1)
    queries.plan_progress(plan, plan.issuing_unit, scope, day)
    province = Unit.objects.get(pk=units.nghiloc.pk)
    do_set_unit_validity(
        province, valid_from=D(2015, 1, 1), valid_to=province.valid_to, acting_user=office
    )
    computed = _computing(monkeypatch)
    parted = queries.plan_progress(plan, plan.issuing_unit, scope, day, with_children=True)
    assert computed == [units.nghiloc.pk]
    monkeypatch.undo()
    _same(
        parted,
        queries.plan_progress(
            _plan(plan_2020, by_part=False), plan.issuing_unit, scope, day, with_children=True
        ),
    )


def test_too_many_organisations_changed_judge_the_province_whole(
    plan_2020, personas, units, monkeypatch
) -> None:
    plan = _plan(plan_2020, by_part=True)
    office = personas.province_office
    scope = scope_for(office)
    day = D(2021, 3, 1)
    queries.plan_progress(plan, plan.issuing_unit, scope, day)
    monkeypatch.setattr(queries, "REJUDGED_AT_MOST", 1)
    for organisation in Unit.objects.filter(parent=units.nghiloc, level__code="co-so")[:2]:
        _change_under(organisation, office)
    computed = _computing(monkeypatch)
    changed = queries.plan_progress(plan, plan.issuing_unit, scope, day)
    assert computed == [units.nghiloc.pk]
    monkeypatch.undo()
    _same(
        changed,
        queries.plan_progress(_plan(plan_2020, by_part=False), plan.issuing_unit, scope, day),
    )
