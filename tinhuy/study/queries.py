"""Reads of study campaigns shared by pages, API and exports.

``plan_progress`` gathers, in a fixed number of queries, everything known about a plan on a
date (conferences recorded by then, the latest report revision made by then, attendance
recorded by then) and hands plain facts to ``tinhuy.study.compliance``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from tinhuy.org.access import Scope
from tinhuy.org.models import Level, Role, Unit
from tinhuy.study import compliance as c
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
)


def plans_for(scope: Scope) -> QuerySet[Plan]:
    """Plans on structures where the user sees at least one unit. Drafts are for the province
    office and the Standing Board members who comment on them, not yet for the units."""
    plans = Plan.objects.select_related("structure", "issuing_unit")
    if scope.everything:
        return plans
    if Role.BOARD_MEMBER not in scope.roles:
        plans = plans.exclude(state=PlanState.DRAFT)
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


@dataclass
class PlanProgress:
    plan: Plan
    as_of: datetime.date
    root: Unit
    rules: list[RuleRow]
    rows: list[UnitRow]
    children: list[tuple[Unit, list[c.LevelTotals]]] = field(default_factory=list)


class _Report(NamedTuple):
    expected_count: int
    attended_count: int
    made_up_count: int
    bridge_attended: dict[str, int]


def _rule_facts(rule: LevelRule) -> c.RuleFacts:
    return c.RuleFacts(
        level_id=rule.level_id,
        length_sessions=rule.length_sessions,
        window_start=rule.window_start,
        deadline=rule.deadline,
        online_allowed=rule.online_allowed,
        presenter_rule=rule.presenter_rule,
    )


def _people_by_path_prefix(member_counts: dict[str, int]) -> dict[str, int]:
    """Members under every ancestor path of every cell ("/1/", "/1/5/", …)."""
    totals: dict[str, int] = defaultdict(int)
    for cell_path, n in member_counts.items():
        parts = cell_path.strip("/").split("/")
        for depth in range(1, len(parts) + 1):
            totals["/" + "/".join(parts[:depth]) + "/"] += n
    return totals


def plan_progress(
    plan: Plan, root: Unit, scope: Scope, as_of: datetime.date, *, with_children: bool = False
) -> PlanProgress:
    """Every expected unit's standing under ``root`` (inclusive), as known at the end of a day."""
    known_before = end_of_day(as_of)
    rules = list(plan.rules.select_related("level").prefetch_related("participant_levels"))
    topic_ids = list(plan.topics.values_list("id", flat=True))
    participant_rule: dict[int, LevelRule] = {}
    for rule in rules:
        for level in rule.participant_levels.all():
            participant_rule[level.pk] = rule
    host_rule = {rule.level_id: rule for rule in rules}

    units = list(
        scope.units(Unit.objects.filter(structure_id=plan.structure_id, path__subtree=root.path))
        .filter(level_id__in=[*host_rule, *participant_rule])
        .values_list("id", "path", "level_id", "name", "code", "name_sort")
    )

    conferences = list(
        Conference.objects.filter(plan=plan, recorded_at__lt=known_before)
        .exclude(cancelled_at__lt=known_before)
        .values_list("id", "rule_id", "host_id", "host__path", "date", "length_sessions", "mode")
    )
    conference_ids = [row[0] for row in conferences]
    segments: dict[int, list[c.SegmentFacts]] = defaultdict(list)
    for conf_id, topic_id, kind, name, role, unit_path in AgendaSegment.objects.filter(
        conference__plan=plan
    ).values_list(
        "conference_id",
        "topic_id",
        "content_kind",
        "presenter_name",
        "presenter_role",
        "presenter_unit__path",
    ):
        segments[conf_id].append(c.SegmentFacts(topic_id, kind, name, role, unit_path))
    facts = {
        row[0]: c.ConferenceFacts(row[0], row[3], row[4], row[5], row[6], tuple(segments[row[0]]))
        for row in conferences
    }

    # The latest revision known then, per conference, as plain values (no model instances).
    reports: dict[int, _Report] = {}
    for conf_id, *values in (
        ConferenceReport.objects.filter(conference__plan=plan, reported_at__lt=known_before)
        .order_by("conference_id", "-version")
        .values_list(
            "conference_id", "expected_count", "attended_count", "made_up_count", "bridge_attended"
        )
    ):
        if conf_id not in reports:
            reports[conf_id] = _Report(*values)
    reported_ids = set(reports)

    # Counted from the tallies the actions keep beside the rows (a few thousand rows, not one
    # per person); their timestamps replay what was known on the date.
    attendance: dict[int, dict[str, int]] = defaultdict(dict)
    for conf_id, status, n in (
        AttendanceTally.objects.filter(conference__plan=plan, recorded_at__lt=known_before)
        .values_list("conference_id", "status")
        .annotate(n=Sum("count"))
        .values_list("conference_id", "status", "n")
    ):
        attendance[conf_id][status] = n
    members_under: dict[str, int] = {}
    if attendance:
        member_counts = dict(
            MemberTally.objects.filter(structure_id=plan.structure_id, loaded_at__lt=known_before)
            .values_list("cell_path")
            .annotate(n=Sum("count"))
            .values_list("cell_path", "n")
        )
        members_under = _people_by_path_prefix(member_counts)

    def host_people(conf_ids: list[int], host_path: str) -> c.People:
        """People of a host's held conferences. With per-person attendance the expected are the
        members under the host, counted once however many sessions were held; otherwise the
        reported counts add up (e.g. a second session for those who missed the first)."""
        with_rows = [i for i in conf_ids if i in attendance]
        if with_rows:
            expected = members_under.get(host_path, 0)
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
    for conf_id, rule_id, host_id, *_ in conferences:
        by_host[(rule_id, host_id)].append(facts[conf_id])
    bridge_counts: dict[int, int] = defaultdict(int)
    by_bridge: dict[tuple[int, int], list[tuple[c.ConferenceFacts, c.People, bool]]] = defaultdict(
        list
    )
    rule_of_conf = {row[0]: row[1] for row in conferences}
    for conf_id, unit_id, expected in BridgePoint.objects.filter(
        conference_id__in=conference_ids
    ).values_list("conference_id", "unit_id", "expected_count"):
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
    rule_facts = {rule.pk: _rule_facts(rule) for rule in rules}
    rows: list[UnitRow] = []
    for unit_id, path, level_id, name, code, name_sort in units:
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
    level_order = [rule.level_id for rule in rules]
    totals = c.roll_up((row.progress for row in rows), level_order)
    result = PlanProgress(
        plan=plan,
        as_of=as_of,
        root=root,
        rules=[RuleRow(rule, total) for rule, total in zip(rules, totals, strict=True)],
        rows=sorted(rows, key=lambda r: (level_order.index(r.progress.level_id), r.name_sort)),
    )
    if with_children:
        children = list(scope.units(Unit.objects.filter(parent=root)).order_by("name_sort"))
        # One pass over the rows: a row belongs to the child whose path starts its own.
        child_of_path = {child.path: child for child in children}
        under: dict[int, list[c.UnitProgress]] = {child.pk: [] for child in children}
        depth = root.path.count("/") + 1  # "/1/" → a child's "/1/5/" is 3 parts of the split
        for row in rows:
            parts = row.progress.path.split("/")
            child = child_of_path.get("/".join(parts[:depth]) + "/")
            if child is not None:
                under[child.pk].append(row.progress)
        result.children = [(child, c.roll_up(under[child.pk], level_order)) for child in children]
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
