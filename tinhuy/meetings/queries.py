"""Reads of the meetings module shared by pages, API and exports."""

from __future__ import annotations

import datetime
import difflib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count, F, IntegerField, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhuy.bulk import CompiledRows, as_date, as_datetime
from tinhuy.meetings.models import (
    AgendaItem,
    Attendance,
    Draft,
    DraftAttachment,
    DraftState,
    DraftVersion,
    FollowUp,
    FollowUpState,
    Meeting,
    Opinion,
    Outcome,
)
from tinhuy.meetings.plans import rule_lines
from tinhuy.org.access import Scope
from tinhuy.register.models import DocType, EntryState, RegisterEntry


def is_overdue(follow_up: FollowUp | FollowUpLine, today: datetime.date | None = None) -> bool:
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
        F("line_from").asc(nulls_first=True), "id"
    )


class DispositionLine(NamedTuple):
    """An opinion as the disposition table shows it: one row of the database, no model
    instance. ``kind`` and ``explanation`` are None while it is unanswered."""

    line_from: int | None
    line_to: int | None
    author_name: str
    text: str
    proposed_text: str
    kind: str | None
    explanation: str | None

    @classmethod
    def of(cls, opinion: Opinion) -> DispositionLine:
        """The row of an opinion read with ``disposition_rows``."""
        answer = getattr(opinion, "disposition", None)  # none: an AttributeError subclass
        return cls(
            opinion.line_from,
            opinion.line_to,
            opinion.author_name,
            opinion.text,
            opinion.proposed_text,
            answer.kind if answer else None,
            answer.explanation if answer else None,
        )


_disposition_table = CompiledRows(
    lambda version_id: (
        Opinion.objects.filter(version_id=version_id)
        .order_by(F("line_from").asc(nulls_first=True), "id")
        .values_list(
            "line_from",
            "line_to",
            "author_name",
            "text",
            "proposed_text",
            "disposition__kind",
            "disposition__explanation",
        )
    ),
    arity=1,
)


def disposition_table(version: DraftVersion) -> list[DispositionLine]:
    """``disposition_rows`` as rows of the columns the table shows (in the same order; its SQL
    compiled once)."""
    return [DispositionLine(*row) for row in _disposition_table(version.pk)]


def _opinion_count() -> RawSQL:
    """The opinions on an agenda item's version: a correlated subquery, written out. A join
    with GROUP BY over every opinion of the meeting's versions was several times slower, and
    Django's ``Subquery`` cost more to resolve and compile on each request (0.2 ms) than the
    subquery takes to run. The names are the models' own, quoted for the database."""
    q = connection.ops.quote_name
    opinion, item = Opinion._meta.db_table, AgendaItem._meta.db_table
    of_opinion = Opinion._meta.get_field("version").column
    of_item = AgendaItem._meta.get_field("version").column
    return RawSQL(  # noqa: S611 - no value in the text, only the models' names
        f"SELECT COUNT(*) FROM {q(opinion)} "  # noqa: S608 - names from the models' _meta
        f"WHERE {q(opinion)}.{q(of_opinion)} = {q(item)}.{q(of_item)}",
        (),
        output_field=IntegerField(),
    )


class AgendaLine(NamedTuple):
    """An agenda item as the meeting page shows it: one row of the database, no model
    instance."""

    id: int
    order: int
    draft_id: int
    title: str  # the draft's
    submitting_unit: str  # its name
    version: int  # the number of the version heard
    opinion_count: int  # opinions on that version
    conclusion: str
    outcome: str
    concluded_at: datetime.datetime | None


_agenda = CompiledRows(
    lambda meeting_id: (
        AgendaItem.objects.filter(meeting_id=meeting_id)
        .annotate(opinion_count=_opinion_count())
        .order_by("order")
        .values_list(
            "id",
            "order",
            "draft_id",
            "draft__title",
            "draft__submitting_unit__name",
            "version__number",
            "opinion_count",
            "conclusion",
            "outcome",
            "concluded_at",
        )
    ),
    arity=1,
    convert={9: as_datetime},
)


def agenda(meeting_id: int) -> list[AgendaLine]:
    """A meeting's agenda items in order, the columns the meeting page shows (its SQL compiled
    once: the page reads it on every request)."""
    return [AgendaLine(*row) for row in _agenda(meeting_id)]


_agenda_candidates = CompiledRows(
    lambda body_id, meeting_id: (
        Draft.objects.filter(state=DraftState.SUBMITTED, issuing_unit_id=body_id)
        .exclude(items__meeting_id=meeting_id)
        .order_by("title", "id")
        .values_list("id", "title")
    ),
    arity=2,
)


def agenda_candidates(body_id: int, meeting_id: int) -> list[tuple[int, str]]:
    """(id, title) of the submitted drafts a committee issues that are not on the meeting's
    agenda yet, by title: what the meeting page offers to add (its SQL compiled once)."""
    return [(pk, title) for pk, title in _agenda_candidates(body_id, meeting_id)]


def meeting_items(meeting_id: int) -> QuerySet[AgendaItem]:
    """A meeting's agenda items in order with ``opinion_count``, their draft, submitting unit
    and version (without the texts: a draft's and its versions' can be long) and their
    follow-ups (lead unit and person), soonest due first."""
    return (
        AgendaItem.objects.filter(meeting_id=meeting_id)
        .select_related("draft__submitting_unit", "version")
        .defer("draft__text", "version__text", "version__plan_snapshot")
        .annotate(opinion_count=_opinion_count())
        .prefetch_related(
            Prefetch(
                "follow_ups",
                queryset=FollowUp.objects.select_related("lead_unit", "person").order_by("due_on"),
            )
        )
        .order_by("order")
    )


FOLLOW_UP_LINE = (
    "id",
    "item_id",
    "what",
    "lead_unit__name",
    "person__full_name",
    "due_on",
    "state",
)


class FollowUpLine(NamedTuple):
    """A follow-up as a list shows it: one row of the database, no model instance."""

    id: int
    item_id: int
    what: str
    lead_unit: str  # its name
    person: str  # its full name
    due_on: datetime.date
    state: str


def follow_up_lines(follow_ups: QuerySet[FollowUp]) -> list[FollowUpLine]:
    """The rows of ``follow_ups`` (filtered, ordered, sliced), the columns of a list only."""
    return [FollowUpLine(*row) for row in follow_ups.values_list(*FOLLOW_UP_LINE)]


_meeting_follow_ups = CompiledRows(
    lambda meeting_id: (
        FollowUp.objects.filter(item__meeting_id=meeting_id)
        .order_by("due_on", "id")
        .values_list(*FOLLOW_UP_LINE)
    ),
    arity=1,
    convert={5: as_date},
)


def meeting_follow_ups(meeting_id: int) -> dict[int, list[FollowUpLine]]:
    """The follow-ups of a meeting's items by item id, each item's soonest due first."""
    by_item: dict[int, list[FollowUpLine]] = defaultdict(list)
    for row in _meeting_follow_ups(meeting_id):
        line = FollowUpLine(*row)
        by_item[line.item_id].append(line)
    return by_item


def latest_version(draft: Draft) -> DraftVersion | None:
    return draft.versions.order_by("-number").first()


def unanswered(version: DraftVersion) -> int:
    """Opinions on a version that have no disposition yet."""
    return version.opinions.filter(disposition__isnull=True).count()


def concluded_item(draft: Draft) -> AgendaItem | None:
    """The latest Board conclusion on a draft (by meeting date)."""
    return (
        draft.items.filter(concluded_at__isnull=False)
        .select_related("meeting", "version")
        .order_by("-meeting__date", "-concluded_at")
        .first()
    )


def issue_blocker(draft: Draft) -> str | None:
    """Why the office cannot issue the draft yet, or None. The Board must have approved its
    latest version, or approved subject to revision a version the latest one revises; every
    opinion must be answered."""
    if draft.state == DraftState.ISSUED:
        return _("Dự thảo đã ban hành.")
    if draft.state == DraftState.WITHDRAWN:
        return _("Dự thảo đã rút.")
    latest = latest_version(draft)
    if latest is None:
        return _("Dự thảo chưa trình lần nào.")
    waiting = unanswered(latest)
    if waiting:
        return _("Còn %(n)s ý kiến góp ý vào lần trình %(v)s chưa được tiếp thu, giải trình.") % {
            "n": waiting,
            "v": latest.number,
        }
    item = concluded_item(draft)
    if item is None:
        return _("Chưa có kết luận của Ban Thường vụ về dự thảo này.")
    if item.outcome == Outcome.APPROVED and item.version_id == latest.pk:
        return None
    if item.outcome == Outcome.APPROVED_AFTER_REVISION:
        if latest.number > item.version.number:
            return None
        return _(
            "Ban Thường vụ giao tiếp thu, chỉnh sửa lần trình %(v)s: hãy trình bản đã chỉnh sửa "
            "kèm bảng tiếp thu, giải trình trước khi ban hành."
        ) % {"v": item.version.number}
    if item.outcome == Outcome.APPROVED:
        return _(
            "Ban Thường vụ đã thông qua lần trình %(v)s; lần trình %(latest)s sau đó chưa được "
            "thông qua."
        ) % {"v": item.version.number, "latest": latest.number}
    return _("Ban Thường vụ chưa thông qua dự thảo (kết luận ngày %(d)s: %(o)s).") % {
        "d": item.meeting.date.strftime("%d/%m/%Y"),
        "o": item.get_outcome_display(),
    }


def _notices(meeting: Meeting) -> QuerySet[RegisterEntry]:
    return RegisterEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Meeting),
        object_id=meeting.pk,
        doc_type=DocType.TB,
        state=EntryState.ISSUED,
    )


def notice_entry(meeting: Meeting) -> RegisterEntry | None:
    """The register's number of the meeting's conclusion notice (type TB), if given."""
    return _notices(meeting).select_related("body").first()


class NoticeNumber(NamedTuple):
    symbol: str
    issued_on: datetime.date


_notice_number = CompiledRows(
    lambda content_type_id, meeting_id: RegisterEntry.objects.filter(
        content_type_id=content_type_id,
        object_id=meeting_id,
        doc_type=DocType.TB,
        state=EntryState.ISSUED,
    ).values_list("symbol", "issued_on")[:1],
    arity=2,
    convert={1: as_date},
)


def notice_number(meeting: Meeting) -> NoticeNumber | None:
    """``notice_entry``'s symbol and date only, as the meeting page shows them."""
    kind = ContentType.objects.get_for_model(Meeting).pk
    return next((NoticeNumber(*r) for r in _notice_number(kind, meeting.pk)), None)


_attendance = CompiledRows(
    lambda meeting_id: (
        Attendance.objects.filter(meeting_id=meeting_id)
        .order_by("id")
        .values_list("present", "absence_reason", "person__full_name")
    ),
    arity=1,
    convert={0: bool},
)


def attendance(meeting: Meeting) -> list[tuple[bool, str, str]]:
    """Who of the committee attended: (present, absence reason, full name), in the order they
    were recorded."""
    return [(present, reason, name) for present, reason, name in _attendance(meeting.pk)]


def attachments_of(draft: Draft, version: DraftVersion | None = None) -> QuerySet[DraftAttachment]:
    """The documents a version was submitted with (uploaded before it, not removed by then);
    without a version, those the draft being written carries now."""
    attachments = DraftAttachment.objects.filter(draft=draft).order_by("uploaded_at", "id")
    if version is None:
        return attachments.filter(removed_at__isnull=True)
    return attachments.filter(uploaded_at__lte=version.submitted_at).filter(
        Q(removed_at__isnull=True) | Q(removed_at__gt=version.submitted_at)
    )
