"""Reads of the meetings module shared by pages, API and exports."""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from tinhuy.meetings.models import (
    AgendaItem,
    Draft,
    DraftVersion,
    FollowUp,
    FollowUpState,
    Opinion,
)
from tinhuy.meetings.plans import rule_lines
from tinhuy.org.access import Scope


def is_overdue(follow_up: FollowUp, today: datetime.date | None = None) -> bool:
    return follow_up.state == FollowUpState.OPEN and follow_up.due_on < (
        today or timezone.localdate()
    )


def open_follow_ups(scope: Scope) -> QuerySet[FollowUp]:
    """Open follow-ups whose lead unit the user sees, soonest due first: the to-do list."""
    return (
        FollowUp.objects.filter(scope.q("lead_unit__"), state=FollowUpState.OPEN)
        .select_related("lead_unit", "person", "item__meeting", "item__draft")
        .order_by("due_on", "id")
    )


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed"
    old_number: int | None
    new_number: int | None
    text: str


def diff_versions(old: DraftVersion, new: DraftVersion) -> list[DiffLine]:
    """The lines of two versions side by side in order: kept, removed from ``old``, added in
    ``new``, each with its line number in the version it belongs to."""
    a, b = old.lines(), new.lines()
    out: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out += [DiffLine("same", i + 1, j1 + i - i1 + 1, a[i]) for i in range(i1, i2)]
            continue
        out += [DiffLine("removed", i + 1, None, a[i]) for i in range(i1, i2)]
        out += [DiffLine("added", None, j + 1, b[j]) for j in range(j1, j2)]
    return out


@dataclass(frozen=True)
class RuleChange:
    level_name: str
    kind: str  # "added", "removed", "changed"
    old: list[str]
    new: list[str]


def diff_plan_rules(old: DraftVersion, new: DraftVersion) -> list[RuleChange]:
    """For plan drafts: the levels whose rules differ between two versions."""
    before = {r["level"]: r for r in (old.plan_snapshot or {}).get("rules", [])}
    after = {r["level"]: r for r in (new.plan_snapshot or {}).get("rules", [])}
    changes = []
    for code in [*before, *(c for c in after if c not in before)]:
        was, now = before.get(code), after.get(code)
        if was == now:
            continue
        rule: dict[str, Any] = now or was  # type: ignore[assignment]
        kind = "added" if was is None else "removed" if now is None else "changed"
        changes.append(
            RuleChange(
                rule["level_name"],
                kind,
                rule_lines(was) if was else [],
                rule_lines(now) if now else [],
            )
        )
    return changes


def draft_versions(draft: Draft) -> QuerySet[DraftVersion]:
    """A draft's versions with how many opinions each has and how many are unanswered."""
    return draft.versions.annotate(
        opinion_count=Count("opinions"),
        unanswered_count=Count("opinions", filter=Q(opinions__disposition__isnull=True)),
    ).order_by("number")


def disposition_rows(version: DraftVersion) -> QuerySet[Opinion]:
    """The disposition table of a version: every opinion in line order with its answer."""
    return version.opinions.select_related("disposition", "disposition__revised_in").order_by(
        "line_from", "id"
    )


def meeting_items(meeting_id: int) -> QuerySet[AgendaItem]:
    return (
        AgendaItem.objects.filter(meeting_id=meeting_id)
        .select_related("draft__submitting_unit", "version")
        .prefetch_related(
            Prefetch(
                "follow_ups",
                queryset=FollowUp.objects.select_related("lead_unit", "person").order_by("due_on"),
            )
        )
        .annotate(opinion_count=Count("version__opinions", distinct=True))
        .order_by("order")
    )
