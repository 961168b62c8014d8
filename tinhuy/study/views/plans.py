"""Plan list and plan detail pages, and the issued plan as a Party-format .docx."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import translation
from django.views.decorators.http import require_GET

from tinhuy.documents.docx import DOCX_CONTENT_TYPE
from tinhuy.documents.responses import download
from tinhuy.org.access import scope_for
from tinhuy.study import queries, reports
from tinhuy.study.access import get_plan_for_user
from tinhuy.study.drafting import draft_plans_for, may_draft, own_unit_ids
from tinhuy.study.models import LevelRule, PlanState
from tinhuy.study.reports import length_label

__all__ = ["length_label", "plan_detail", "plan_docx", "plan_list", "urlpatterns"]


@dataclass(frozen=True)
class RuleView:
    rule: LevelRule
    length: str
    participants: list[str]


@login_required
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = list(queries.plans_for(scope_for(request.user)))
    # The drafts this user may edit, in one query (not one per plan).
    own = own_unit_ids(request.user)
    editable = set(draft_plans_for(request.user, own).values_list("pk", flat=True))
    for plan in plans:
        plan.may_draft = plan.pk in editable  # type: ignore[attr-defined]
    can_draft = scope_for(request.user).everything or bool(own)
    return render(request, "study/plan_list.html", {"plans": plans, "can_draft": can_draft})


@login_required
@require_GET
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id)
    parts = queries.plan_parts(plan)
    rules = [
        RuleView(
            rule,
            length_label(rule.length_sessions),
            [level.name for level in rule.participant_levels.all()],
        )
        for rule in parts.rules
    ]
    return render(
        request,
        "study/plan_detail.html",
        {
            "plan": plan,
            "topics": parts.topics,
            "rules": rules,
            "presenter_rule": any(rule.presenter_rule for rule in parts.rules),
            "may_draft": plan.state == PlanState.DRAFT and may_draft(request.user, plan),
        },
    )


@login_required
@require_GET
def plan_docx(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id)
    # A Party document is Vietnamese whatever the reader's language.
    with translation.override("vi"):
        content = reports.plan_document(plan)
    return download(content, f"ke-hoach-{plan.pk}.docx", DOCX_CONTENT_TYPE)


urlpatterns: list[URLPattern] = [
    path("", plan_list, name="study_plans"),
    path("<int:plan_id>/", plan_detail, name="study_plan"),
    path("<int:plan_id>/ke-hoach.docx", plan_docx, name="study_plan_docx"),
]
