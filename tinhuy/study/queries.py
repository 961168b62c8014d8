"""Reads of study campaigns shared by pages, API and exports.

``plan_progress`` gathers, in a fixed number of queries, everything known about a plan on a
date (conferences recorded by then, the latest report revision made by then, attendance
recorded by then) and hands plain facts to ``tinhuy.study.compliance``. Every unit that is due
by the date (it held its conference, or its deadline passed) counts in the rates with the people
it must reach: from its reports (or its bridge point's registration); at the plan's lowest level,
whose audience is all members, else its member list, else the headcount kept on the unit. A unit
none of these covers — above the lowest level, any unit not reported yet, for its audience is
chosen cadres no member list counts — is counted as unknown, never as nobody
(``compliance.ExpectedSource``).

The unit table (``UnitFilters``: status, level, order) is one vocabulary for the dashboard, its
.xlsx and .docx exports and the API, so the same filters give the same rows everywhere; its rows
as shown (``Line``, ``LevelLine``) are read here too, and laid out by ``tinhuy.study.reports``.
"""

from __future__ import annotations

import bisect
import datetime
import functools
import itertools
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple, Self

from django.conf import settings
from django.db import connection, transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinhuy.bulk import as_date, as_json, many_objects_kept, plain_rows
from tinhuy.org import versions
from tinhuy.org.access import Scope
from tinhuy.org.models import Level, Role, Unit, UnitKind
from tinhuy.study import compliance as c
from tinhuy.study import parts
from tinhuy.study.models import (
    AgendaSegment,
    AttendanceStatus,
    AttendanceTally,
    BridgePoint,
    Conference,
    ConferenceReport,
    LevelRule,
    MemberTally,
    Plan,
    PlanState,
    Topic,
)

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise


def plans_for(scope: Scope) -> QuerySet[Plan]:
    """Plans on structures where the user sees at least one unit. Drafts are for the province
    office, the Standing Board members who comment on them, and a unit office drafting its own
    unit's plan — not for the other units."""
    plans = Plan.objects.select_related("structure", "issuing_unit")
    if scope.everything:
        return plans
    if Role.BOARD_MEMBER not in scope.roles:
        plans = plans.filter(
            ~Q(state=PlanState.DRAFT)
            | scope.q("issuing_unit__", change=True)
            | scope.q("draft__submitting_unit__", change=True)  # the body that submits it
        )
    return plans.filter(structure__in=scope.units().values("structure_id"))


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first instant after ``day`` in the site's time zone: what was known "as of" it."""
    midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    return timezone.make_aware(midnight)


@dataclass
class RuleRow:
    rule: LevelRule
    totals: c.LevelTotals


@dataclass
class UnitRow:
    unit_id: int
    name: str
    code: str
    name_sort: str
    level_name: str
    deadline: datetime.date
    progress: c.UnitProgress

    def __reduce__(self) -> tuple[Callable[..., UnitRow], tuple[Any, ...]]:
        # A kept part (``tinhuy.study.parts``) is 50,000 of these for the country: pickled as
        # one flat tuple each, a worker's first national view reads them in half the time.
        p = self.progress
        return _unit_row, (
            self.unit_id, self.name, self.code, self.name_sort, self.level_name, self.deadline,
            p.unit_id, p.path, p.level_id, p.role, p.status.value, p.conference_id, p.held_on,
            p.reported, *p.people.as_tuple(), p.expected_source.value, p.problems, p.notes,
        )  # fmt: skip


_STATUS = {status.value: status for status in c.Status}
_SOURCE = {source.value: source for source in c.ExpectedSource}
_new = object.__new__


def _unit_row(  # one parameter per field: the flat tuple of UnitRow.__reduce__
    unit_id: int, name: str, code: str, name_sort: str, level_name: str,
    deadline: datetime.date, progress_unit_id: int, path: str, level_id: int, role: str,
    status: str, conference_id: int | None, held_on: datetime.date | None, reported: bool,
    expected: int, attended: int, made_up: int, expected_source: str, problems: list[str],
    notes: list[str],
) -> UnitRow:  # fmt: skip
    """A ``UnitRow`` from its flat tuple, its objects' fields set without their ``__init__``
    (a test checks every field comes back: ``test_a_kept_row_comes_back_whole``). One by one,
    not by ``__dict__.update``: asking for an object's ``__dict__`` makes it a dictionary of
    its own, one more object per row for the garbage collector to walk (a nation's 50,000 rows:
    five objects each instead of seven, read back a quarter faster)."""
    progress = _new(c.UnitProgress)
    progress.unit_id = progress_unit_id
    progress.path = path
    progress.level_id = level_id
    progress.role = role
    progress.status = _STATUS[status]
    progress.conference_id = conference_id
    progress.held_on = held_on
    progress.reported = reported
    progress.people = c.People(expected, attended, made_up)
    progress.expected_source = _SOURCE[expected_source]
    progress.problems = problems
    progress.notes = notes
    row = _new(UnitRow)
    row.unit_id = unit_id
    row.name = name
    row.code = code
    row.name_sort = name_sort
    row.level_name = level_name
    row.deadline = deadline
    row.progress = progress
    return row


class Child(NamedTuple):
    """A unit right below the dashboard's root, as its chart names and links it and its unit
    selector lists it (a province has 1,500 of them since 2025: plain values, not model
    instances)."""

    pk: int
    name: str
    path: str
    kind: str
    level_id: int
    name_sort: str


@dataclass
class PlanProgress:
    plan: Plan
    as_of: datetime.date
    root: Unit
    rules: list[RuleRow]
    rows: list[UnitRow]
    children: list[tuple[Child, list[c.LevelTotals]]] = field(default_factory=list)
    # Every unit right below the root that the scope sees, advisory boards too, by name: read
    # with the children (``with_children``), for the unit selector (``unit_choices``).
    below: list[Child] = field(default_factory=list)


class _Report(NamedTuple):
    expected_count: int
    attended_count: int
    made_up_count: int
    bridge_attended: dict[str, int]


def facts_of_rule(rule: LevelRule) -> c.RuleFacts:
    """What the compliance checks read of a level's rule."""
    return c.RuleFacts(
        level_id=rule.level_id,
        length_sessions=rule.length_sessions,
        window_start=rule.window_start,
        deadline=rule.deadline,
        online_allowed=rule.online_allowed,
        presenter_rule=rule.presenter_rule,
    )


class _MembersUnder:
    """Members loaded under a path, from the tallies per cell: the cells in path order with
    running totals, so a subtree (a contiguous run of paths) is two binary searches."""

    def __init__(self, counts: Iterable[tuple[str, int]]) -> None:
        cells = sorted(counts)
        self.paths = [path for path, _n in cells]
        self.running = list(itertools.accumulate((n for _p, n in cells), initial=0))

    def count(self, path: str) -> int:
        # Paths end with "/" and "0" follows "/": the subtree is [path, path[:-1] + "0").
        first = bisect.bisect_left(self.paths, path)
        last = bisect.bisect_left(self.paths, path[:-1] + "0", first)
        return self.running[last] - self.running[first]


def row_order(level_order: list[int]) -> Callable[[UnitRow], tuple[int, str, int]]:
    """The unit table's order: by level, name, then id (units of one name — communes of two
    provinces — in one order however the rows were put together)."""
    index = {level_id: i for i, level_id in enumerate(level_order)}
    return lambda r: (index[r.progress.level_id], r.name_sort, r.unit_id)


def plan_progress(
    plan: Plan, root: Unit, scope: Scope, as_of: datetime.date, *, with_children: bool = False
) -> PlanProgress:
    """Every expected unit's standing under ``root`` (inclusive), as known at the end of a day.

    In a structure of many provinces (``Structure.roll_up_by_part``) a province's progress is
    computed from its own rows once for a date and a state of its data, and kept
    (``_kept_parts``): its page reads it, and the top's is its own standing and every
    province's put together (``_progress_by_part``). Elsewhere it is computed from the rows
    under ``root``."""
    with many_objects_kept():
        if plan.structure.roll_up_by_part:
            if root.parent_id is None:
                return _progress_by_part(plan, root, scope, as_of, with_children=with_children)
            if root.depth == 1:
                return _province(plan, root, scope, as_of, with_children=with_children)
        return _progress(plan, root, scope, as_of, with_children=with_children)


def _children(scope: Scope, root: Unit) -> list[Child]:
    """The units right below ``root`` that the scope sees, by name, advisory boards too (they
    expect nothing themselves, but units below them may; the chart leaves them out)."""
    units = scope.units(Unit.objects.filter(parent=root)).order_by("name_sort")
    return [
        Child(*row)
        for row in plain_rows(
            units.values_list("id", "name", "path", "kind", "level_id", "name_sort")
        )
    ]


def _as_child(unit: Unit) -> Child:
    return Child(unit.pk, unit.name, unit.path, unit.kind, unit.level_id, unit.name_sort)


def _charted(children: list[Child]) -> list[Child]:
    """The children the coverage chart shows: not the advisory boards."""
    return [child for child in children if child.kind != UnitKind.ADVISORY]


def _path_of(field: str) -> Subquery:
    """The path of the unit a column names, looked up row by row (by primary key)."""
    return Subquery(Unit.objects.filter(pk=OuterRef(field)).values("path")[:1])


def _progress(
    plan: Plan,
    root: Unit,
    scope: Scope,
    as_of: datetime.date,
    *,
    with_children: bool = False,
    own_only: bool = False,
    participants_only: bool = False,
) -> PlanProgress:
    """``plan_progress`` from the rows under ``root``; ``own_only``: of ``root`` alone;
    ``participants_only``: the rows of the units below ``root`` taking part in conferences
    above them (bridge points), not their own conferences'."""
    known_before = end_of_day(as_of)
    rules = list(plan.rules.select_related("level").prefetch_related("participant_levels"))
    topic_ids = list(plan.topics.values_list("id", flat=True))
    participant_rule: dict[int, LevelRule] = {}
    for rule in rules:
        for level in rule.participant_levels.all():
            participant_rule[level.pk] = rule
    host_rule = {rule.level_id: rule for rule in rules}

    # Thousands of rows each: read by the cursor (``plain_rows``), dates and JSON converted
    # here, where the ORM would convert every value of every row.
    # A committee's advisory board holds no conference of its own: the Party organisation in
    # it does, as a unit of its own.
    expected_units = Unit.objects.filter(structure_id=plan.structure_id, path__subtree=root.path)
    if own_only:
        expected_units = expected_units.filter(pk=root.pk)
    if participants_only:
        if not participant_rule:
            return PlanProgress(plan=plan, as_of=as_of, root=root, rules=[], rows=[])
        expected_units = expected_units.exclude(pk=root.pk)
        host_rule = {}  # read for the rules' totals only: no host's row is made
    units = plain_rows(
        scope.units(expected_units)
        .filter(level_id__in=[*host_rule, *participant_rule])
        .exclude(kind=UnitKind.ADVISORY)
        .values_list(
            "id",
            "path",
            "level_id",
            "name",
            "code",
            "name_sort",
            "headcount",
            "headcount_is_sample",
        )
    )
    if participants_only and not units:
        return PlanProgress(plan=plan, as_of=as_of, root=root, rules=[], rows=[])

    # The conferences that can bear on a unit under the root: those hosted in its subtree and
    # those it attends as a bridge point (a conference above it). At the structure's top that
    # is the whole plan; below it, a small part of a national plan, read by the ids of the
    # expected units just read, and the rows of those conferences then by their ids (the
    # database plans a join through the path worse: it reads the whole plan).
    recorded = Conference.objects.filter(plan=plan, recorded_at__lt=known_before).exclude(
        cancelled_at__lt=known_before
    )
    columns = ("id", "rule_id", "host_id", "host__path", "date", "length_sessions", "mode")
    whole_plan = root.parent_id is None and not own_only
    if whole_plan:
        conferences = plain_rows(recorded.values_list(*columns))
        of_part = Q(conference__plan=plan)
    else:
        hosts = [row[0] for row in units if row[2] in host_rule]
        # The host's path by a lookup per row: a join makes PostgreSQL read every unit.
        conferences = plain_rows(
            recorded.filter(host_id__any=set(hosts))
            .annotate(host_path=_path_of("host_id"))
            .values_list(*columns[:3], "host_path", *columns[4:])
        )
        participants = [row[0] for row in units if row[2] in participant_rule]
        if participants:
            hosted = {row[0] for row in conferences}
            conferences += [
                row
                for row in plain_rows(
                    recorded.filter(bridge_points__unit_id__any=set(participants))
                    .values_list(*columns)
                    .distinct()
                )
                if row[0] not in hosted
            ]
        of_part = Q(conference_id__any={row[0] for row in conferences})
    segments: dict[int, list[c.SegmentFacts]] = defaultdict(list)
    segment_rows = AgendaSegment.objects.filter(of_part).order_by(
        "conference_id",
        "order",  # not by the conference's date: no join
    )
    if not whole_plan:
        segment_rows = segment_rows.annotate(presenter_path=_path_of("presenter_unit_id"))
    for conf_id, *segment in plain_rows(
        segment_rows.values_list(
            "conference_id",
            "topic_id",
            "content_kind",
            "presenter_name",
            "presenter_role",
            "presenter_unit__path" if whole_plan else "presenter_path",
        )
    ):
        segments[conf_id].append(c.SegmentFacts(*segment))
    facts = {
        row[0]: c.ConferenceFacts(
            row[0], row[3], as_date(row[4]), row[5], row[6], tuple(segments[row[0]])
        )
        for row in conferences
    }

    # The latest revision known then, per conference, as plain values (no model instances).
    reports: dict[int, _Report] = {}
    for conf_id, expected, attended, made_up, bridge_attended in plain_rows(
        ConferenceReport.objects.filter(of_part, reported_at__lt=known_before)
        .order_by("conference_id", "-version")
        .values_list(
            "conference_id", "expected_count", "attended_count", "made_up_count", "bridge_attended"
        )
    ):
        if conf_id not in reports:
            reports[conf_id] = _Report(expected, attended, made_up, as_json(bridge_attended))
    reported_ids = set(reports)

    # Counted from the tallies the actions keep beside the rows (a few thousand rows, not one
    # per person); their timestamps replay what was known on the date.
    attendance: dict[int, dict[str, int]] = defaultdict(dict)
    for conf_id, status, n in plain_rows(
        AttendanceTally.objects.filter(of_part, recorded_at__lt=known_before)
        .values_list("conference_id", "status")
        .annotate(n=Sum("count"))
        .values_list("conference_id", "status", "n")
    ):
        attendance[conf_id][status] = n
    # Read whatever the date: per-person attendance counts against it, and so does every unit
    # due without a report (one query, always, so the count does not depend on the data).
    member_tallies = MemberTally.objects.filter(
        structure_id=plan.structure_id, cell_path__subtree=root.path, loaded_at__lt=known_before
    )

    @functools.cache
    def members_under() -> _MembersUnder:
        if own_only:  # one sum, not the cells of a whole country
            total = member_tallies.aggregate(n=Sum("count"))["n"] or 0
            return _MembersUnder([(root.path, total)])
        return _MembersUnder(
            plain_rows(
                member_tallies.values_list("cell_path")
                .annotate(n=Sum("count"))
                .order_by("cell_path")  # sorted already: the sort below only checks it
                .values_list("cell_path", "n")
            )
        )

    if not participants_only:  # whom only a unit due without a figure needs: read then
        members_under()

    def host_people(conf_ids: list[int], host_path: str) -> c.People:
        """People of a host's held conferences. With per-person attendance the expected are the
        members under the host, counted once however many sessions were held; otherwise the
        reported counts add up (e.g. a second session for those who missed the first)."""
        with_rows = [i for i in conf_ids if i in attendance]
        if with_rows:
            expected = members_under().count(host_path)
            attended = sum(attendance[i].get(AttendanceStatus.PRESENT, 0) for i in with_rows)
            made_up = sum(attendance[i].get(AttendanceStatus.MADE_UP, 0) for i in with_rows)
            attended = min(attended, expected)
            return c.People(expected, attended, min(made_up, expected - attended))
        total = c.People()
        for conf_id in conf_ids:
            report = reports.get(conf_id)
            if report is not None:
                total += c.People(
                    report.expected_count, report.attended_count, report.made_up_count
                )
        return total

    by_host: dict[tuple[int, int], list[c.ConferenceFacts]] = defaultdict(list)
    for conf_id, rule_id, host_id, *_rest in conferences:
        by_host[(rule_id, host_id)].append(facts[conf_id])
    bridge_counts: dict[int, int] = defaultdict(int)
    by_bridge: dict[tuple[int, int], list[tuple[c.ConferenceFacts, c.People, bool]]] = defaultdict(
        list
    )
    rule_of_conf = {row[0]: row[1] for row in conferences}
    # Of the same part: at the top by the plan, below it by the ids read above.
    for conf_id, unit_id, expected in plain_rows(
        BridgePoint.objects.filter(of_part).values_list(
            "conference_id", "unit_id", "expected_count"
        )
    ):
        if conf_id not in facts:
            continue  # recorded after the date, or cancelled by then
        bridge_counts[conf_id] += 1
        known = reports.get(conf_id)
        known_attended = known.bridge_attended.get(str(unit_id), 0) if known else 0
        people = c.People(expected=expected, attended=known_attended)
        by_bridge[(rule_of_conf[conf_id], unit_id)].append(
            (facts[conf_id], people, conf_id in reports)
        )

    level_names = dict(
        Level.objects.filter(structure_id=plan.structure_id).values_list("id", "name")
    )
    rule_facts = {rule.pk: facts_of_rule(rule) for rule in rules}
    rows: list[UnitRow] = []
    headcounts: dict[int, tuple[int | None, bool]] = {}
    for unit_id, path, level_id, name, code, name_sort, headcount, sample_headcount in units:
        headcounts[unit_id] = (headcount, bool(sample_headcount))
        if level_id in host_rule:
            rule = host_rule[level_id]
            held = [f for f in by_host[(rule.pk, unit_id)] if f.date <= as_of]
            people = host_people([f.id for f in held], path)
            progress = c.evaluate_host(
                unit_id,
                path,
                rule_facts[rule.pk],
                by_host[(rule.pk, unit_id)],
                topic_ids=topic_ids,
                bridge_counts=bridge_counts,
                reported_ids=reported_ids,
                people=people,
                as_of=as_of,
            )
            if any(f.id in reports or f.id in attendance for f in held):
                progress.expected_source = c.ExpectedSource.REPORT
            rows.append(
                UnitRow(
                    unit_id, name, code, name_sort, level_names[level_id], rule.deadline, progress
                )
            )
        if level_id in participant_rule:
            rule = participant_rule[level_id]
            progress = c.evaluate_participant(
                unit_id, path, rule_facts[rule.pk], by_bridge[(rule.pk, unit_id)], as_of=as_of
            )
            if progress.held_on is not None:
                progress.expected_source = c.ExpectedSource.BRIDGE
            rows.append(
                UnitRow(
                    unit_id, name, code, name_sort, level_names[level_id], rule.deadline, progress
                )
            )

    if plan.state == PlanState.DRAFT:
        # Nothing can be overdue under a plan that has not been issued.
        for row in rows:
            if row.progress.status == c.Status.MISSING:
                row.progress.status = c.Status.NOT_SCHEDULED
    # Units due with no figure of their own: held without a report yet, or overdue with
    # nothing held. At the plan's lowest level, whose audience is every member under the unit,
    # they count with nobody reached out of their members or headcount; above it the audience
    # is chosen cadres, whom no member list counts, so they stay unknown until reported.
    all_members_level = rules[-1].level_id if rules else None
    for row in rows:
        progress = row.progress
        if not progress.is_due or progress.expected_source != c.ExpectedSource.NOT_DUE:
            continue
        if progress.level_id != all_members_level:
            progress.people = c.People()
            progress.expected_source = c.ExpectedSource.UNKNOWN
            continue
        members = members_under().count(progress.path)
        headcount, sample_headcount = headcounts[progress.unit_id]
        if members:
            progress.people = c.People(expected=members)
            progress.expected_source = c.ExpectedSource.MEMBERS
        elif headcount is not None:
            progress.people = c.People(expected=headcount)
            progress.expected_source = (
                c.ExpectedSource.SAMPLE_HEADCOUNT
                if sample_headcount
                else c.ExpectedSource.HEADCOUNT
            )
        else:
            progress.people = c.People()
            progress.expected_source = c.ExpectedSource.UNKNOWN
    level_order = [rule.level_id for rule in rules]
    totals = c.roll_up((row.progress for row in rows), level_order)
    result = PlanProgress(
        plan=plan,
        as_of=as_of,
        root=root,
        rules=[RuleRow(rule, total) for rule, total in zip(rules, totals, strict=True)],
        rows=sorted(rows, key=row_order(level_order)),
    )
    if with_children:
        result.below = _children(scope, root)
        result.children = _children_totals(rows, _charted(result.below), root, level_order)
    return result


def _children_totals(
    rows: Iterable[UnitRow], children: list[Child], root: Unit, level_order: list[int]
) -> list[tuple[Child, list[c.LevelTotals]]]:
    """Each child's totals per level, in one pass over the rows: a row belongs to the child
    whose id follows the root's in its path."""
    by_child = _totals_by(rows, root.path.strip("/").count("/") + 1, level_order)
    empty = [c.LevelTotals(level_id) for level_id in level_order]  # only read
    return [(child, by_child.get(child.pk, empty)) for child in children]


def _totals_by(
    rows: Iterable[UnitRow], position: int, level_order: list[int]
) -> dict[int, list[c.LevelTotals]]:
    """The totals per level of each unit at ``position`` in the rows' paths ("/1/5/9/": 5 at
    1), from the rows under it, in one pass. A province has 1,500–3,000 units right below it,
    most with rows at one level: the levels without any share one empty total (never changed:
    totals are only read)."""
    under: dict[int, dict[int, c.LevelTotals]] = {}
    for row in rows:
        progress = row.progress
        ids = progress.path.strip("/").split("/")
        if len(ids) <= position:
            continue
        key = int(ids[position])
        levels = under.get(key)
        if levels is None:
            levels = under[key] = {}
        totals = levels.get(progress.level_id)
        if totals is None:
            totals = levels[progress.level_id] = c.LevelTotals(progress.level_id)
        totals.add(progress)
    empty = {level_id: c.LevelTotals(level_id) for level_id in level_order}
    return {
        key: [levels.get(level_id, empty[level_id]) for level_id in level_order]
        for key, levels in under.items()
    }


# Each province's progress at the top of a structure of many, as last used in this process
# (the first tier; the second is the database's, ``tinhuy.study.parts``): {key: Part}, oldest
# first.
_PARTS: OrderedDict[str, parts.Part] = OrderedDict()
_PARTS_LOCK = threading.Lock()


def _kept_parts(
    plan: Plan,
    slots: list[parts.Slot],
    keys: list[str],
    compute: Callable[[parts.Slot], parts.Part],
) -> list[parts.Part]:
    """Each slot's part: from this process, else from the database, else computed and kept in
    both."""
    found: dict[str, parts.Part] = {}
    with _PARTS_LOCK:
        for key in keys:
            part = _PARTS.get(key)
            if part is not None:
                _PARTS.move_to_end(key)
                found[key] = part
    stored = parts.fetch(key for key in keys if key not in found)
    for slot, key in zip(slots, keys, strict=True):
        if key in found:
            continue
        if key in stored:
            found[key] = stored[key]
        else:
            found[key] = compute(slot)
            parts.store(plan.pk, slot, key, found[key])
        # Inside a transaction the part may count changes that will be rolled back, whose
        # versions the next committed changes reuse: this process keeps it once committed.
        # (The database's copy goes with the transaction either way.)
        if connection.in_atomic_block:
            transaction.on_commit(functools.partial(_remember, slot, key, found[key]))
        else:
            _remember(slot, key, found[key])
    return [found[key] for key in keys]


# The key of each slot's part last kept in this process: a province's page right after a
# change starts from it (``_rejudged``) instead of reading the stored one back.
_LATEST: dict[str, str] = {}


def _remember(slot: parts.Slot, key: str, part: parts.Part) -> None:
    with _PARTS_LOCK:
        # The slot's previous part can never be asked for again (its versions have moved on;
        # the store drops it too): out of memory now, not when pushed out by newer ones. Kept,
        # a province changing all day fills the process with its past parts, which every full
        # garbage collection walks (a worker holding the nation's parts: 26,000 objects more
        # after each change of Ho Chi Minh City's whole part, 660,000 after eight; a full
        # collection of them 0.2 s).
        superseded = _LATEST.get(slot.digest)
        if superseded is not None and superseded != key:
            old = _PARTS.pop(superseded, None)
            if old is not None and _kept_sub_totals(old) is not None:
                del _SUB_TOTALS[id(old)]
        _PARTS[key] = part
        _LATEST[slot.digest] = key
        while len(_PARTS) > settings.TINHUY_PROGRESS_PARTS_KEPT:
            _PARTS.popitem(last=False)
        if len(_LATEST) > 4 * settings.TINHUY_PROGRESS_PARTS_KEPT:
            _LATEST.clear()  # slots of days gone by; the store still has their parts


def _previous(slot: parts.Slot) -> parts.Part | None:
    """The slot's part as last kept, in this process or else in the database."""
    with _PARTS_LOCK:
        key = _LATEST.get(slot.digest)
        part = _PARTS.get(key) if key is not None else None
    return part if part is not None else parts.latest(slot)


def _parts_of(
    plan: Plan, scope: Scope, as_of: datetime.date, units: list[Child]
) -> list[parts.Part]:
    """The parts of these units right below the top of a structure of many provinces, each
    kept while nothing recorded under it, at the top, or under the plan's issuing unit changed
    (``tinhuy.org.versions``: every audited change moves them in its own transaction)."""
    ids = [unit.pk for unit in units]
    issuing_part = versions.part_of(plan.issuing_unit.path)
    stamp = versions.current(
        plan.structure_id,
        [versions.WHOLE, issuing_part, *ids, *(versions.own_part(pk) for pk in ids)],
    )
    shared = (
        stamp.get(versions.WHOLE, 0),
        stamp.get(issuing_part, 0),
    )
    # The problems and notes of a standing are worded in the language of the request (the
    # .docx report asks for Vietnamese whatever the page's): a part per language. A part is
    # the same for every person who sees the whole province.
    language = translation.get_language()
    slots = [
        parts.Slot(
            plan.pk,
            str(plan.state),  # the enum's repr is not the string's: one slot either way
            unit.pk,
            as_of,
            "whole" if scope.can_view(unit) else (scope.everything, scope.view_paths),
            language,
        )
        for unit in units
    ]
    keys = [slot.key((*shared, stamp.get(slot.unit_id, 0))) for slot in slots]

    def compute(slot: parts.Slot) -> parts.Part:
        version = stamp.get(slot.unit_id, 0)
        # Its organisations' versions, read before their rows: a change in between then
        # shows as newer than the part (judged again), never as older.
        here = {**stamp, **versions.below(plan.structure_id, slot.unit_id)}
        previous = _previous(slot)
        if previous is not None:
            spliced = _rejudged(plan, scope, as_of, slot.unit_id, previous, shared, version, here)
            if spliced is not None:
                return spliced
        progress = _progress(plan, Unit.objects.get(pk=slot.unit_id), scope, as_of)
        totals = [rule_row.totals for rule_row in progress.rules]
        return _part(slot.unit_id, progress.rows, totals, shared, version, here)

    return _kept_parts(plan, slots, keys, compute)


# More organisations changed than this since a province's part was kept: judge the province
# again as a whole (each organisation judged alone costs a few queries).
REJUDGED_AT_MOST = 50


def _part(
    province_id: int,
    rows: list[UnitRow],
    totals: list[c.LevelTotals],
    shared: tuple[int, ...],
    version: int,
    stamp: dict[int, int],
) -> parts.Part:
    subs = sorted(
        {sub for row in rows if (sub := versions.sub_part_of(row.progress.path)) is not None}
    )
    return parts.Part(
        rows,
        totals,
        shared,
        version,
        tuple((s, stamp.get(s, 0)) for s in subs),
        stamp.get(versions.own_part(province_id), 0),
    )


def _rejudged(
    plan: Plan,
    scope: Scope,
    as_of: datetime.date,
    province_id: int,
    previous: parts.Part,
    shared: tuple[int, ...],
    version: int,
    stamp: dict[int, int],
) -> parts.Part | None:
    """A province's part from its previous one, when every change since was under a few of
    its organisations (``versions.bump`` moves the province and the organisation together)
    or of the province's own that reach no unit below it (its conferences, its headcount):
    those organisations are judged again from their rows, and so are the province's own rows
    and, after its own changes, the units taking part in its conferences; the others'
    standings are kept. None when the plan or the top changed, a change of the province's own
    reached below it, or too many organisations changed."""
    if previous.shared != shared or previous.version < 0:
        return None
    changed = {
        sub: stamp.get(sub, 0) - seen for sub, seen in previous.sub if stamp.get(sub, 0) != seen
    }
    own = stamp.get(versions.own_part(province_id), 0) - previous.own
    if (not changed and not own) or len(changed) > REJUDGED_AT_MOST or own < 0:
        return None
    if sum(changed.values()) + own != version - previous.version:
        return None  # a change of the province's own reaching below it, or under a new unit
    # The province's own rows are judged again too: they count the members loaded under it
    # (per-person attendance, the lowest level's stand-in), which an organisation's change
    # moves. Cheap: one unit, and the members as one sum.
    rows = []
    touched = set(changed)  # the organisations whose rows are judged again
    for r in previous.rows:
        sub = versions.sub_part_of(r.progress.path)
        if sub is None or sub in changed:
            continue
        if own and r.progress.role == "participant":
            touched.add(sub)
            continue
        rows.append(r)
    province = Unit.objects.get(pk=province_id)
    rows += _progress(plan, province, scope, as_of, own_only=True).rows
    if own:
        # Its conferences changed: whoever takes part in them below it is judged again.
        for r in _progress(plan, province, scope, as_of, participants_only=True).rows:
            sub = versions.sub_part_of(r.progress.path)
            if sub not in changed:
                rows.append(r)
                if sub is not None:
                    touched.add(sub)
    for unit in Unit.objects.filter(pk__in=changed):
        rows += _progress(plan, unit, scope, as_of).rows
    level_order = list(plan.rules.order_by("level__order").values_list("level_id", flat=True))
    rows.sort(key=row_order(level_order))
    totals = c.roll_up((row.progress for row in rows), level_order)
    part = _part(province_id, rows, totals, shared, version, stamp)
    with _PARTS_LOCK:
        kept = _kept_sub_totals(previous)
    if kept is not None:
        # The organisations' totals but those with rows judged again are the previous part's.
        by_sub = {sub: t for sub, t in kept.items() if sub not in touched}
        judged = (r for r in rows if versions.sub_part_of(r.progress.path) in touched)
        _remember_sub_totals(part, by_sub | _by_sub(judged, level_order))
    return part


def _province(
    plan: Plan, root: Unit, scope: Scope, as_of: datetime.date, *, with_children: bool
) -> PlanProgress:
    """A province's page in a structure of many: its kept part, and its children's totals
    from the part's rows."""
    [part] = _parts_of(plan, scope, as_of, [_as_child(root)])
    rules = list(plan.rules.select_related("level").prefetch_related("participant_levels"))
    result = PlanProgress(
        plan=plan,
        as_of=as_of,
        root=root,
        rules=[RuleRow(rule, totals) for rule, totals in zip(rules, part.totals, strict=True)],
        rows=list(part.rows),  # the kept list is shared: never sorted in place
    )
    if with_children:
        level_order = [rule.level_id for rule in rules]
        result.below = _children(scope, root)
        result.children = _kept_children_totals(part, _charted(result.below), level_order)
    return result


# The totals of each organisation right below a province in a kept part, summed once per part
# in this process: {id of the part: (the part, {organisation: its totals per level})}. The part
# is held beside them, so that its id names it while they are kept.
_SUB_TOTALS: OrderedDict[int, tuple[parts.Part, dict[int, list[c.LevelTotals]]]] = OrderedDict()


def _by_sub(rows: Iterable[UnitRow], level_order: list[int]) -> dict[int, list[c.LevelTotals]]:
    """Each organisation's totals per level (``versions.sub_part_of``: third in a path)."""
    return _totals_by(rows, 2, level_order)


def _kept_sub_totals(part: parts.Part) -> dict[int, list[c.LevelTotals]] | None:
    """The part's organisations' totals if kept (the caller holds ``_PARTS_LOCK``): an entry
    under its id only if it is held beside this very part, not one of a part gone since."""
    kept = _SUB_TOTALS.get(id(part))
    return kept[1] if kept is not None and kept[0] is part else None


def _remember_sub_totals(part: parts.Part, totals: dict[int, list[c.LevelTotals]]) -> None:
    with _PARTS_LOCK:
        _SUB_TOTALS[id(part)] = (part, totals)
        while len(_SUB_TOTALS) > settings.TINHUY_PROGRESS_PARTS_KEPT:
            _SUB_TOTALS.popitem(last=False)


def _sub_totals(part: parts.Part, level_order: list[int]) -> dict[int, list[c.LevelTotals]]:
    with _PARTS_LOCK:
        kept = _kept_sub_totals(part)
        if kept is not None:
            _SUB_TOTALS.move_to_end(id(part))
            return kept
    totals = _by_sub(part.rows, level_order)
    _remember_sub_totals(part, totals)
    return totals


def _kept_children_totals(
    part: parts.Part, children: list[Child], level_order: list[int]
) -> list[tuple[Child, list[c.LevelTotals]]]:
    """``_children_totals`` of a province's kept part: its children are the organisations its
    rows fall under, summed once per part (a province's 3,000: a third of its page's time),
    and only those judged again for a part spliced from another (``_rejudged``)."""
    by_sub = _sub_totals(part, level_order)
    empty = [c.LevelTotals(level_id) for level_id in level_order]  # only read
    return [(child, by_sub.get(child.pk, empty)) for child in children]


def _progress_by_part(
    plan: Plan, root: Unit, scope: Scope, as_of: datetime.date, *, with_children: bool
) -> PlanProgress:
    """The top's progress put together from its own standing and each unit's right below it
    (a province of a national structure): the DESIGN's "a national campaign rolls up across
    provinces from per-province tallies". Never mutated once kept: the views, exports and API
    only read a progress."""
    # Every unit right below the top makes a part, an advisory board too: the units below it
    # are expected like any other (the chart leaves the board itself out).
    children = _children(scope, root)
    own = _progress(plan, root, scope, as_of, own_only=True)
    kept = _parts_of(plan, scope, as_of, children)
    level_order = [rule_row.rule.level_id for rule_row in own.rules]
    rows = [*own.rows, *(row for part in kept for row in part.rows)]
    rows.sort(key=row_order(level_order))
    totals = [rule_row.totals for rule_row in own.rules]
    for part in kept:
        totals = [c.merge(a, b) for a, b in zip(totals, part.totals, strict=True)]
    result = PlanProgress(
        plan=plan,
        as_of=as_of,
        root=root,
        rules=[RuleRow(r.rule, t) for r, t in zip(own.rules, totals, strict=True)],
        rows=rows,
    )
    if with_children:
        result.below = children
        result.children = [
            (child, part.totals)
            for child, part in zip(children, kept, strict=True)
            if child.kind != UnitKind.ADVISORY
        ]
    return result


def known_conferences(plan: Plan, scope: Scope) -> QuerySet[Conference]:
    """Conferences of a plan hosted in the user's scope, newest first."""
    return (
        Conference.objects.filter(plan=plan, cancelled_at__isnull=True)
        .filter(scope.q("host__"))
        .select_related("host", "rule__level")
        .order_by("-date", "-id")
    )


def latest_report(conference: Conference) -> ConferenceReport | None:
    return conference.reports.order_by("-version").first()


def conference_filter_in_scope(scope: Scope) -> Q:
    return scope.q("host__")


# ---------------------------------------------------------------------------------------------
# The unit table: which rows, in which order. One vocabulary for the dashboard (?trang_thai=,
# ?cap=, ?sap_xep=), its .xlsx and .docx exports, and the API (status=, level=).


class RowFilter(StrEnum):
    """What the unit table can be narrowed to. The API's ``status`` takes these values; the
    page and its exports take the Vietnamese slug of each (``ROW_FILTERS``)."""

    ATTENTION = "attention"  # late, missing or not compliant: the units to chase
    HELD_LATE = c.Status.HELD_LATE.value
    MISSING = c.Status.MISSING.value
    NON_COMPLIANT = "non_compliant"
    UNREPORTED = "unreported"  # held, no report yet
    HELD_ON_TIME = c.Status.HELD_ON_TIME.value
    SCHEDULED = c.Status.SCHEDULED.value
    NOT_SCHEDULED = c.Status.NOT_SCHEDULED.value


def needs_attention(progress: c.UnitProgress) -> bool:
    """Held late, overdue, or held without meeting the plan's requirements."""
    return progress.status in (c.Status.HELD_LATE, c.Status.MISSING) or progress.non_compliant


@dataclass(frozen=True)
class RowFilterSpec:
    slug: str  # the page's and the exports' ?trang_thai= value
    label: StrOrPromise
    test: Callable[[c.UnitProgress], bool]


def _status_is(status: c.Status) -> Callable[[c.UnitProgress], bool]:
    return lambda progress: progress.status == status


# In the order the page offers them.
ROW_FILTERS: dict[RowFilter, RowFilterSpec] = {
    RowFilter.ATTENTION: RowFilterSpec(
        "can-chu-y", gettext_lazy("Cần chú ý: muộn, quá hạn hoặc chưa đạt"), needs_attention
    ),
    RowFilter.HELD_LATE: RowFilterSpec(
        "muon", gettext_lazy("Tổ chức muộn"), _status_is(c.Status.HELD_LATE)
    ),
    RowFilter.MISSING: RowFilterSpec(
        "qua-han", gettext_lazy("Chưa tổ chức, đã quá hạn"), _status_is(c.Status.MISSING)
    ),
    RowFilter.NON_COMPLIANT: RowFilterSpec(
        "khong-dat", gettext_lazy("Chưa đạt yêu cầu"), lambda p: p.non_compliant
    ),
    RowFilter.UNREPORTED: RowFilterSpec(
        "chua-bao-cao",
        gettext_lazy("Đã tổ chức, chưa báo cáo"),
        lambda p: p.held_on is not None and not p.reported,
    ),
    RowFilter.HELD_ON_TIME: RowFilterSpec(
        "dung-han", gettext_lazy("Đúng hạn"), _status_is(c.Status.HELD_ON_TIME)
    ),
    RowFilter.SCHEDULED: RowFilterSpec(
        "da-len-lich", gettext_lazy("Đã lên lịch"), _status_is(c.Status.SCHEDULED)
    ),
    RowFilter.NOT_SCHEDULED: RowFilterSpec(
        "chua-dang-ky", gettext_lazy("Chưa đăng ký"), _status_is(c.Status.NOT_SCHEDULED)
    ),
}
ROW_FILTER_SLUGS = {spec.slug: key for key, spec in ROW_FILTERS.items()}

# Worst first, so that sorting by status puts the units to chase at the top.
STATUS_ORDER = {
    c.Status.MISSING: 0,
    c.Status.HELD_LATE: 1,
    c.Status.NOT_SCHEDULED: 2,
    c.Status.SCHEDULED: 3,
    c.Status.HELD_ON_TIME: 4,
}
SORT_KEYS: dict[str, Callable[[UnitRow], Any]] = {
    "ten": lambda r: r.name_sort,
    "trang-thai": lambda r: STATUS_ORDER[r.progress.status],
    "ty-le": lambda r: r.progress.people.coverage,
    "ngay": lambda r: r.progress.held_on,
}
SORT_CHOICES: list[tuple[str, StrOrPromise]] = [
    ("", gettext_lazy("Theo cấp, tên đơn vị")),
    ("ten", gettext_lazy("Tên đơn vị (A → Z)")),
    ("-ten", gettext_lazy("Tên đơn vị (Z → A)")),
    ("trang-thai", gettext_lazy("Trạng thái (cần chú ý trước)")),
    ("-trang-thai", gettext_lazy("Trạng thái (đúng hạn trước)")),
    ("ty-le", gettext_lazy("Tỷ lệ học tập (thấp trước)")),
    ("-ty-le", gettext_lazy("Tỷ lệ học tập (cao trước)")),
    ("ngay", gettext_lazy("Ngày tổ chức (sớm trước)")),
    ("-ngay", gettext_lazy("Ngày tổ chức (muộn trước)")),
]


def filter_rows(
    rows: Iterable[UnitRow], *, status: RowFilter | None = None, level_id: int | None = None
) -> list[UnitRow]:
    """The rows of one status filter (``ROW_FILTERS``) and one level, in their order."""
    test = ROW_FILTERS[status].test if status is not None else None
    return [
        row
        for row in rows
        if (level_id is None or row.progress.level_id == level_id)
        and (test is None or test(row.progress))
    ]


def sort_rows(rows: list[UnitRow], sort: str) -> list[UnitRow]:
    """Sorted by ``SORT_KEYS`` ("-" for descending); rows without a value (no date, nobody
    expected) come last either way; ties keep the level-then-name order."""
    if not sort:
        return rows
    key = SORT_KEYS[sort.removeprefix("-")]
    with_value = [row for row in rows if key(row) is not None]
    without = [row for row in rows if key(row) is None]
    return sorted(with_value, key=key, reverse=sort.startswith("-")) + without


@dataclass(frozen=True)
class UnitFilters:
    """The unit table's filters and order, however they were asked for: the page's and the
    exports' form (``from_slugs``) and the API's query schema both build one of these."""

    status: RowFilter | None = None
    level_id: int | None = None  # the level of the rule (the conference), not of the unit
    sort: str = ""  # a key of ``SORT_KEYS``, "-" first for descending; "" keeps level, name

    def __post_init__(self) -> None:
        if self.sort and self.sort.removeprefix("-") not in SORT_KEYS:
            raise ValueError(f"Unknown sort {self.sort!r}.")

    @classmethod
    def from_slugs(cls, status: str = "", level_id: int | None = None, sort: str = "") -> Self:
        """From the page's parameters: ``status`` is a slug of ``ROW_FILTERS`` or ""."""
        return cls(ROW_FILTER_SLUGS[status] if status else None, level_id, sort)

    @property
    def status_slug(self) -> str:
        return ROW_FILTERS[self.status].slug if self.status is not None else ""

    def apply(self, rows: Iterable[UnitRow]) -> list[UnitRow]:
        """The rows that pass the filters, in the asked order."""
        return sort_rows(filter_rows(rows, status=self.status, level_id=self.level_id), self.sort)


# ---------------------------------------------------------------------------------------------
# The unit table and the totals as the page, the spreadsheet and the report show them.

STATUS_BADGES = {
    c.Status.MISSING: "text-bg-danger",
    c.Status.HELD_LATE: "text-bg-warning",
    c.Status.NOT_SCHEDULED: "text-bg-secondary",
    c.Status.SCHEDULED: "text-bg-info",
    c.Status.HELD_ON_TIME: "text-bg-success",
}


# Where a unit's "people to reach" come from, as the table and the exports say it.
EXPECTED_SOURCE_LABELS: dict[c.ExpectedSource, StrOrPromise] = {
    c.ExpectedSource.NOT_DUE: gettext_lazy("chưa đến hạn"),
    c.ExpectedSource.REPORT: gettext_lazy("theo báo cáo"),
    c.ExpectedSource.BRIDGE: gettext_lazy("theo đăng ký điểm cầu"),
    c.ExpectedSource.MEMBERS: gettext_lazy("theo danh sách đảng viên đã nạp"),
    c.ExpectedSource.HEADCOUNT: gettext_lazy("theo số đảng viên ghi trên đơn vị"),
    c.ExpectedSource.SAMPLE_HEADCOUNT: gettext_lazy("theo số đảng viên ghi trên đơn vị (minh họa)"),
    c.ExpectedSource.UNKNOWN: gettext_lazy("chưa rõ số phải học"),
}


@dataclass(frozen=True)
class LevelLine:
    """The totals of one level, as a table row."""

    level_id: int
    name: str
    deadline: datetime.date
    units: int
    on_time: int
    late: int
    missing: int
    scheduled: int
    not_scheduled: int
    reported: int
    non_compliant: int
    expected: int
    learned: int  # attended + made up
    coverage: float | None  # a ratio; None when nobody is expected
    unknown: int = 0  # units due whose people to reach are not known: outside the ratio

    @property
    def held(self) -> int:
        return self.on_time + self.late

    @property
    def coverage_pct(self) -> float | None:
        return None if self.coverage is None else self.coverage * 100


@dataclass(frozen=True)
class Line:
    """One row of the unit table."""

    unit_id: int
    name: str
    code: str
    level: str  # the level of the conference, as the totals count it
    participant: bool  # takes part in a conference hosted above (a bridge point)
    deadline: datetime.date
    status: c.Status
    status_label: str
    badge: str  # the colour of the status on the page
    held_on: datetime.date | None
    reported: bool
    expected: int
    attended: int
    made_up: int
    coverage: float | None
    problems: list[str]
    expected_source: c.ExpectedSource = c.ExpectedSource.NOT_DUE
    notes: list[str] = field(default_factory=list)  # faults of conferences that do not count

    @property
    def learned(self) -> int:
        return self.attended + self.made_up

    @property
    def expected_known(self) -> bool:
        """Its people to reach are known (due or not): not "chưa rõ số phải học"."""
        return self.expected_source != c.ExpectedSource.UNKNOWN

    @property
    def expected_note(self) -> str:
        """Where the number of people to reach comes from, when it is not the unit's report."""
        if self.expected_source in (
            c.ExpectedSource.REPORT,
            c.ExpectedSource.BRIDGE,
            c.ExpectedSource.NOT_DUE,
        ):
            return ""
        return str(EXPECTED_SOURCE_LABELS[self.expected_source])

    @property
    def is_due(self) -> bool:
        """Counted in the rates: held, or its deadline passed."""
        return self.expected_source != c.ExpectedSource.NOT_DUE

    @property
    def coverage_pct(self) -> float | None:
        return None if self.coverage is None else self.coverage * 100

    @property
    def role(self) -> str:
        return _("Dự (điểm cầu)") if self.participant else _("Tổ chức")


def level_lines(progress: PlanProgress) -> list[LevelLine]:
    """One line of totals per level of the plan, top level first."""
    lines = []
    for rule_row in progress.rules:
        t = rule_row.totals
        lines.append(
            LevelLine(
                level_id=rule_row.rule.level_id,
                name=rule_row.rule.level.name,
                deadline=rule_row.rule.deadline,
                units=t.units,
                on_time=t.by_status[c.Status.HELD_ON_TIME],
                late=t.by_status[c.Status.HELD_LATE],
                missing=t.by_status[c.Status.MISSING],
                scheduled=t.by_status[c.Status.SCHEDULED],
                not_scheduled=t.by_status[c.Status.NOT_SCHEDULED],
                reported=t.reported,
                non_compliant=t.non_compliant,
                expected=t.people.expected,
                learned=t.people.attended + t.people.made_up,
                coverage=t.people.coverage,
                unknown=t.unknown,
            )
        )
    return lines


def unit_lines(progress: PlanProgress, rows: Iterable[UnitRow]) -> list[Line]:
    """The rows (``UnitFilters.apply`` of ``progress.rows``) as the unit table shows them."""
    level_names = {r.rule.level_id: r.rule.level.name for r in progress.rules}
    return [
        Line(
            unit_id=row.unit_id,
            name=row.name,
            code=row.code,
            level=level_names[row.progress.level_id],
            participant=row.progress.role == "participant",
            deadline=row.deadline,
            status=row.progress.status,
            status_label=_(c.STATUS_LABELS[row.progress.status]),
            badge=STATUS_BADGES[row.progress.status],
            held_on=row.progress.held_on,
            reported=row.progress.reported,
            expected=row.progress.people.expected,
            attended=row.progress.people.attended,
            made_up=row.progress.people.made_up,
            coverage=row.progress.people.coverage,
            problems=row.progress.problems,
            expected_source=row.progress.expected_source,
            notes=row.progress.notes,
        )
        for row in rows
    ]


def unit_choices(scope: Scope, progress: PlanProgress) -> list[tuple[int, str]]:
    """The dashboard's unit selector: the top of the scope and the units right below it, the
    chosen unit and its children, at the levels the plan covers, by depth and name. The
    children are the progress's own (``with_children``; a province's 3,000, read once for the
    chart and the selector); the others in one query."""
    root = progress.root
    levels = {r.rule.level_id for r in progress.rules} | {
        level.pk for r in progress.rules for level in r.rule.participant_levels.all()
    }
    # By ids (a path ends with its unit's own), which the database finds by index; a filter
    # on depth or on the parent's path reads every unit of the levels (50,000 nationwide).
    if scope.everything:
        tops = [int(root.path.strip("/").split("/")[0])]
    else:
        tops = [int(path.strip("/").split("/")[-1]) for path in scope.view_paths]
    units = {
        pk: (depth, name_sort, name)
        for pk, name, depth, name_sort in scope.units(
            Unit.objects.filter(structure_id=progress.plan.structure_id, level_id__in=levels)
        )
        .filter(Q(pk__in=tops) | Q(parent_id__in=tops) | Q(pk=root.pk))
        .values_list("id", "name", "depth", "name_sort")
    }
    for child in progress.below:
        if child.level_id in levels:
            units[child.pk] = (root.depth + 1, child.name_sort, child.name)
    # ``name_sort`` holds digits only: Python orders it as every database collation does.
    ordered = sorted(units.items(), key=lambda item: (item[1][0], item[1][1], item[0]))
    top = min((depth for depth, _sort, _name in units.values()), default=0)
    return [(pk, "\u2003" * (depth - top) + name) for pk, (depth, _sort, name) in ordered]


# ---------------------------------------------------------------------------------------------
# A plan's parts, and what a unit's calendar holds.


@dataclass(frozen=True)
class PlanParts:
    topics: list[Topic]
    rules: list[LevelRule]  # with their level and participant levels loaded


def plan_parts(plan: Plan) -> PlanParts:
    """Topics and level rules with their participant levels, in three queries."""
    rules = plan.rules.select_related("level").prefetch_related("participant_levels")
    return PlanParts(topics=list(plan.topics.all()), rules=list(rules))


@dataclass(frozen=True)
class CalendarItems:
    rules: list[LevelRule]  # deadlines: the rules of the unit's level, with plan and level
    conferences: list[Conference]  # hosted by the unit, with their plan
    bridges: list[BridgePoint]  # where the unit is a bridge point, with conference, plan, host


def unit_calendar_items(unit: Unit) -> CalendarItems:
    """What a unit's calendar shows, of issued plans only (three queries): the deadlines of
    the rules of its level, its conferences and those where it is a bridge point, none
    cancelled. Nothing of another unit but the host of a conference the unit takes part in."""
    rules = LevelRule.objects.filter(
        plan__structure_id=unit.structure_id, plan__state=PlanState.ISSUED, level_id=unit.level_id
    ).select_related("plan", "level")
    conferences = Conference.objects.filter(
        host=unit, cancelled_at__isnull=True, plan__state=PlanState.ISSUED
    ).select_related("plan")
    bridges = BridgePoint.objects.filter(
        unit=unit,
        conference__cancelled_at__isnull=True,
        conference__plan__state=PlanState.ISSUED,
    ).select_related("conference__plan", "conference__host")
    return CalendarItems(list(rules), list(conferences), list(bridges))
