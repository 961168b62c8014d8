"""Study campaigns for the home page's to-do list: what the units a person works for must do
next in the issued plans of their structure —

- **register** the conference their unit must hold (a rule of the plan at the unit's level,
  and no conference of the unit registered, or all of them cancelled), due by the rule's
  deadline;
- **report** a conference of their unit that took place and has no report yet, due the day
  it was held (so overdue from the next day);
- the units **under** theirs that had to hold a conference, have held none by today and are
  past the deadline: one line per rule with their number, leading to the dashboard's "chưa tổ
  chức, đã quá hạn" filter, and the day reminders were last sent over their units.

Only people who act for a unit (its office officers, its head, the province office) get these
lines; a Board member or a gazetteer editor gets none. A closed plan asks nothing more.
One query when there is nothing to do; four at most.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tinhuy.audit.models import AuditEvent
from tinhuy.bulk import CompiledRows, as_date
from tinhuy.org.models import Role, Unit
from tinhuy.presenting import url_for
from tinhuy.study.models import Conference, ConferenceReport, LevelRule, Plan, PlanState
from tinhuy.study.queries import ROW_FILTERS, RowFilter
from tinhuy.study.reminders import AUDIT_ACTION as REMINDERS_SENT

if TYPE_CHECKING:
    from tinhuy.org.access import AnyUser

TODO_LIMIT = 10
ACTING_ROLES = (Role.PROVINCE_ADMIN, Role.OFFICE_OFFICER, Role.UNIT_HEAD)


@dataclass(frozen=True)
class TodoRow:
    kind: str  # "register", "report" or "units_overdue"
    title: str
    plan: str
    unit: str  # the unit that must act (for "units_overdue": the unit they are under)
    due_on: datetime.date
    overdue: bool
    url: str
    note: str = ""  # for "units_overdue": when reminders were last sent over the person's units


@dataclass(frozen=True)
class _Duty:
    """A rule of an issued plan beside one of the person's units in the plan's structure."""

    rule_id: int
    deadline: datetime.date
    level_id: int
    level: str
    plan_id: int
    plan: str
    unit_id: int
    unit: str
    unit_path: str
    unit_level_id: int

    @property
    def hosts(self) -> bool:
        """The person's unit is one the rule asks to hold a conference."""
        return self.unit_level_id == self.level_id


# Every rule of an issued plan beside each unit the person acts for in the plan's structure:
# one read, compiled once (the home page makes it on every visit, for everyone).
_DUTIES = CompiledRows(
    lambda user_id: (
        LevelRule.objects.filter(
            plan__state=PlanState.ISSUED,
            plan__structure__units__memberships__user_id=user_id,
            plan__structure__units__memberships__role__in=ACTING_ROLES,
        )
        .order_by("deadline", "id", "plan__structure__units__path")
        .values_list(
            "id",
            "deadline",
            "level_id",
            "level__name",
            "plan_id",
            "plan__title",
            "plan__structure__units__id",
            "plan__structure__units__name",
            "plan__structure__units__path",
            "plan__structure__units__level_id",
        )
        .distinct()
    ),
    arity=1,
    convert={1: as_date},
)


def todo_rows(user: AnyUser, today: datetime.date, limit: int = TODO_LIMIT) -> list[TodoRow]:
    """At most ``limit`` rows, soonest due first (the overdue ones therefore first)."""
    if not user.is_authenticated:
        return []
    duties = [_Duty(*row) for row in _DUTIES(user.pk)]
    if not duties:
        return []
    rows = _to_register_or_report(duties, today)
    rows += _overdue_under(duties, today)
    rows.sort(key=lambda row: (row.due_on, row.kind, row.title))
    return rows[:limit]


def _to_register_or_report(duties: list[_Duty], today: datetime.date) -> list[TodoRow]:
    hosting = [duty for duty in duties if duty.hosts]
    if not hosting:
        return []
    conferences = list(
        Conference.objects.filter(
            host_id__in={duty.unit_id for duty in hosting},
            plan_id__in={duty.plan_id for duty in hosting},
            cancelled_at__isnull=True,
        )
        .annotate(reported=Exists(ConferenceReport.objects.filter(conference=OuterRef("pk"))))
        .values_list("id", "host_id", "plan_id", "date", "reported")
    )
    registered = {(host, plan) for _pk, host, plan, _day, _reported in conferences}
    register = url_for("study_conference_register", "plan_id")
    report = url_for("study_conference_report", "conference_id")
    rows = [
        TodoRow(
            "register",
            _("Đăng ký hội nghị học tập, quán triệt"),
            duty.plan,
            duty.unit,
            duty.deadline,
            duty.deadline < today,
            register(duty.plan_id),
        )
        for duty in hosting
        if (duty.unit_id, duty.plan_id) not in registered
    ]
    names = {duty.unit_id: duty.unit for duty in hosting}
    titles = {duty.plan_id: duty.plan for duty in hosting}
    for pk, host, plan, day, reported in conferences:
        if reported or day > today:
            continue
        rows.append(
            TodoRow(
                "report",
                _("Báo cáo kết quả hội nghị ngày %(d)s") % {"d": f"{day:%d/%m/%Y}"},
                titles[plan],
                names[host],
                day,
                day < today,
                report(pk),
            )
        )
    return rows


def _overdue_under(duties: list[_Duty], today: datetime.date) -> list[TodoRow]:
    """Per rule past its deadline: how many units under the person's, at the rule's level, have
    held no conference of the plan by ``today`` (one read counts them for every such rule; one
    registered for a later day does not count as held)."""
    past: dict[int, list[_Duty]] = {}
    for duty in duties:
        if duty.deadline < today:
            past.setdefault(duty.rule_id, []).append(duty)
    if not past:
        return []
    counts: dict[str, Any] = {}
    anywhere = Q()
    for rule_id, mine in past.items():
        under = Q()
        for duty in mine:
            under |= Q(path__startswith=duty.unit_path) & ~Q(pk=duty.unit_id)
        anywhere |= under
        held = Conference.objects.filter(
            host=OuterRef("pk"),
            plan_id=mine[0].plan_id,
            cancelled_at__isnull=True,
            date__lte=today,
        )
        counts[f"r{rule_id}"] = Count(
            "pk", filter=under & Q(level_id=mine[0].level_id) & ~Exists(held)
        )
    found = Unit.objects.filter(anywhere).aggregate(**counts)
    reminded = _last_reminders(past, found)
    missing = ROW_FILTERS[RowFilter.MISSING].slug
    rows = []
    for rule_id, mine in past.items():
        count = found[f"r{rule_id}"]
        if not count:
            continue
        duty = mine[0]
        dashboard = reverse("study_dashboard", args=[duty.plan_id])
        level = duty.level[:1].lower() + duty.level[1:]
        rows.append(
            TodoRow(
                "units_overdue",
                ngettext(
                    "%(n)s đơn vị %(level)s chưa tổ chức hội nghị, đã quá hạn",
                    "%(n)s đơn vị %(level)s chưa tổ chức hội nghị, đã quá hạn",
                    count,
                )
                % {"n": count, "level": level},
                duty.plan,
                ", ".join(d.unit for d in mine),
                duty.deadline,
                True,
                f"{dashboard}?trang_thai={missing}",
                reminded.get(rule_id, ""),
            )
        )
    return rows


def _last_reminders(past: dict[int, list[_Duty]], found: dict[str, Any]) -> dict[int, str]:
    """Per rule with units left behind: "đã nhắc dd/mm/yyyy", the last reminder run of its plan
    over (part of) the person's units — run from one of them, from above them or from below —,
    or "chưa nhắc việc" (one read of the plans' runs)."""
    wanted = {rule_id: mine for rule_id, mine in past.items() if found[f"r{rule_id}"]}
    if not wanted:
        return {}
    plans = {str(mine[0].plan_id) for mine in wanted.values()}
    runs = AuditEvent.objects.filter(
        action=REMINDERS_SENT, target_type=Plan._meta.label, target_id__in=plans
    ).order_by("-created_at", "-id")
    runs_by_plan: dict[str, list[tuple[str, datetime.datetime]]] = {}
    for plan_id, path, made in runs.values_list("target_id", "unit_path", "created_at")[:500]:
        runs_by_plan.setdefault(plan_id, []).append((path, made))
    notes = {}
    for rule_id, mine in wanted.items():
        last = next(
            (
                made
                for path, made in runs_by_plan.get(str(mine[0].plan_id), ())
                if any(
                    path.startswith(duty.unit_path) or duty.unit_path.startswith(path)
                    for duty in mine
                )
            ),
            None,
        )
        notes[rule_id] = (
            _("đã nhắc %(d)s") % {"d": f"{timezone.localtime(last):%d/%m/%Y}"}
            if last is not None
            else _("chưa nhắc việc")
        )
    return notes
