"""A study plan as a draft's version sees it: frozen as data (to compare versions by) and as the
numbered text the Board comments on. The plan itself is edited on the study pages while it is a
draft; each submitted version keeps what it was then."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tinhuy.meetings.subjects import Issuing

if TYPE_CHECKING:
    from tinhuy.meetings.models import Draft
    from tinhuy.org.access import AnyUser
    from tinhuy.register.models import RegisterEntry
    from tinhuy.study.models import Plan


def plan_snapshot(plan: Plan) -> dict[str, Any]:
    rules = plan.rules.select_related("level").prefetch_related("participant_levels")
    return {
        "title": plan.title,
        "source_document": plan.source_document,
        "topics": list(plan.topics.order_by("order").values_list("title", flat=True)),
        "rules": [
            {
                "level": rule.level.code,
                "level_name": rule.level.name,
                "audience": rule.audience,
                "length_sessions": rule.length_sessions,
                "window_start": rule.window_start.isoformat(),
                "deadline": rule.deadline.isoformat(),
                "online_allowed": rule.online_allowed,
                "participant_levels": sorted(level.name for level in rule.participant_levels.all()),
                "presenter_rule": rule.presenter_rule,
            }
            for rule in sorted(rules, key=lambda r: r.level.order)
        ],
    }


def _date(iso: str) -> str:
    return datetime.date.fromisoformat(iso).strftime("%d/%m/%Y")


def _yes_no(value: bool) -> str:
    return _("có") if value else _("không")


def rule_lines(rule: dict[str, Any]) -> list[str]:
    """A level's rule as the lines of the plan's text (and of the comparison of versions)."""
    lines = [
        _("- Đối tượng: %(a)s") % {"a": rule["audience"]},
        _("- Thời lượng: %(n)s buổi") % {"n": rule["length_sessions"]},
        _("- Thời gian: từ %(start)s, hoàn thành trước %(deadline)s")
        % {"start": _date(rule["window_start"]), "deadline": _date(rule["deadline"])},
        _("- Học trực tuyến có điểm cầu: %(yes)s") % {"yes": _yes_no(rule["online_allowed"])},
    ]
    if rule["participant_levels"]:
        lines.append(
            _("- Dự tại điểm cầu: %(levels)s") % {"levels": ", ".join(rule["participant_levels"])}
        )
    lines.append(
        _("- Áp dụng quy định báo cáo viên: %(yes)s") % {"yes": _yes_no(rule["presenter_rule"])}
    )
    return lines


def plan_text(snapshot: dict[str, Any]) -> str:
    """The plan as plain text with one fact per line, Vietnamese, dates dd/mm/yyyy."""
    lines = [
        snapshot["title"],
        _("Văn bản được quán triệt: %(s)s") % {"s": snapshot["source_document"]},
        "",
        _("I. CHUYÊN ĐỀ"),
        *(f"{n}. {title}" for n, title in enumerate(snapshot["topics"], start=1)),
        "",
        _("II. CÁC CẤP HỌC TẬP, QUÁN TRIỆT"),
    ]
    for n, rule in enumerate(snapshot["rules"], start=1):
        lines.append(f"{n}. {rule['level_name']}")
        lines.extend(rule_lines(rule))
    return "\n".join(lines)


class StudyPlanSubject:
    """A study plan draft: the plan is edited on the study pages; each version freezes it; the
    plan issues itself with its "KH" number."""

    kind = "study_plan"
    written_elsewhere = _lazy("Nội dung dự thảo kế hoạch được soạn ở các trang của kế hoạch.")

    def snapshot(self, draft: Draft) -> dict[str, Any] | None:
        return plan_snapshot(draft.plan) if draft.plan is not None else None

    def text(self, snapshot: dict[str, Any]) -> str:
        return plan_text(snapshot)

    def blockers(self, draft: Draft) -> list[str]:
        return []

    def issue(
        self, draft: Draft, issuing: Issuing, *, acting_user: AnyUser
    ) -> RegisterEntry | None:
        from tinhuy.register.queries import entry_for_target
        from tinhuy.study.actions import do_issue_plan

        if draft.plan is None:
            return None
        plan = do_issue_plan(draft.plan, **issuing.as_kwargs(), acting_user=acting_user)
        entry = entry_for_target(plan)
        assert entry is not None  # noqa: S101 - do_issue_plan links its entry to the plan
        return entry

    def synced(self, draft: Draft) -> None:
        return None
