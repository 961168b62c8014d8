"""Drafting a study plan in the browser: a new draft (structure, issuing unit, name, source,
topics), then its editing page (name and source, topics, a rule per level with its participant
levels) and, when it is ready, its draft for the Standing Board (``tinhuy.meetings``).

Thin: fetch through ``tinhuy.study.drafting``, validate with a form, write through an action
of ``tinhuy.study.actions`` (which checks what the data can tell and refuses any change once the
plan is issued), render. Every form of the editing page posts to its own address; an invalid
one is shown again, with its errors, in the page it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinhuy.meetings.actions import do_create_draft
from tinhuy.meetings.models import Draft, DraftKind
from tinhuy.org.models import Level
from tinhuy.register.models import DocType
from tinhuy.study.actions import (
    check_plan_ready,
    do_add_topic,
    do_create_plan,
    do_edit_plan_header,
    do_edit_topic,
    do_remove_rule,
    do_remove_topic,
    do_reorder_topics,
    do_set_rule,
)
from tinhuy.study.drafting import (
    draft_plans_for,
    drafting_units,
    get_plan_for_drafting,
    submitting_units,
)
from tinhuy.study.forms import BoardDraftForm, NewPlanForm, PlanHeaderForm, RuleForm, TopicForm
from tinhuy.study.models import LevelRule, Plan, PlanState, Topic
from tinhuy.study.reports import length_label


@login_required
@require_GET
def plan_drafts(request: HttpRequest) -> HttpResponse:
    """The draft plans the user may edit, and the way to a new one."""
    units = drafting_units(request.user)
    if not units.exists():
        raise Http404("No unit to draft plans for.")
    context = {"plans": draft_plans_for(request.user)}
    return render(request, "study/plan_drafts.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def plan_draft_new(request: HttpRequest) -> HttpResponse:
    """A new draft plan: structure, issuing unit, name, source resolution and topics."""
    units = drafting_units(request.user)
    if not units.exists():
        raise Http404("No unit to draft plans for.")
    form = NewPlanForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = do_create_plan(
                structure=data["structure"],
                title=data["title"],
                source_document=data["source_document"],
                topics=data["topics"],
                rules=[],
                issuing_unit=data["issuing_unit"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã tạo dự thảo kế hoạch; hãy thêm quy định cho từng cấp."))
            return redirect("study_plan_draft", plan_id=plan.pk)
    return render(request, "study/plan_draft_new.html", {"form": form})


@dataclass
class LevelBlock:
    """One level of the plan on the editing page: its rule if it has one, and its form."""

    level: Level
    rule: LevelRule | None
    form: RuleForm
    length: str = ""
    participants: list[str] = field(default_factory=list)


def _levels_below(levels: list[Level], level: Level) -> list[tuple[str, str]]:
    return [(lv.code, lv.name) for lv in levels if lv.order > level.order]


def _rule_form(levels: list[Level], level: Level, *args: Any, **kwargs: Any) -> RuleForm:
    return RuleForm(*args, level_code=level.code, below=_levels_below(levels, level), **kwargs)


def _rule_initial(rule: LevelRule) -> dict[str, Any]:
    return {
        "audience": rule.audience,
        "length_sessions": rule.length_sessions,
        "window_start": rule.window_start,
        "deadline": rule.deadline,
        "online_allowed": rule.online_allowed,
        "participant_levels": [lv.code for lv in rule.participant_levels.all()],
        "presenter_rule": rule.presenter_rule,
    }


def _plan_levels(plan: Plan) -> list[Level]:
    """The levels a plan may have rules for: its issuing unit's and those below."""
    return list(
        Level.objects.filter(
            structure_id=plan.structure_id, order__gte=plan.issuing_unit.level.order
        ).order_by("order")
    )


def _render_page(
    request: HttpRequest,
    plan: Plan,
    *,
    header_form: PlanHeaderForm | None = None,
    new_topic_form: TopicForm | None = None,
    topic_forms: dict[int, TopicForm] | None = None,
    rule_forms: dict[str, RuleForm] | None = None,
    board_form: BoardDraftForm | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    topic_forms = topic_forms or {}
    rule_forms = rule_forms or {}
    topics = list(plan.topics.order_by("order"))
    rules = {
        rule.level_id: rule
        for rule in plan.rules.select_related("level").prefetch_related("participant_levels")
    }
    levels = _plan_levels(plan)
    blocks = []
    for level in levels:
        rule = rules.get(level.pk)
        form = rule_forms.get(level.code) or _rule_form(
            levels, level, initial=_rule_initial(rule) if rule else None
        )
        block = LevelBlock(level, rule, form)
        if rule is not None:
            block.length = length_label(rule.length_sessions)
            block.participants = [lv.name for lv in rule.participant_levels.all()]
        blocks.append(block)
    board_draft = Draft.objects.filter(plan=plan).first()
    editable = plan.state == PlanState.DRAFT
    errors = list(errors or [])
    if not editable:
        # The forms are not shown on an issued plan: what refused a change goes on top.
        posted: list[forms.Form | None] = [header_form, new_topic_form, board_form]
        posted += [*topic_forms.values(), *rule_forms.values()]
        for refused in posted:
            if refused is not None:
                errors.extend(str(e) for e in refused.non_field_errors())
    context = {
        "plan": plan,
        "editable": editable,
        "header_form": header_form
        or PlanHeaderForm(initial={"title": plan.title, "source_document": plan.source_document}),
        "new_topic_form": new_topic_form or TopicForm(prefix="moi"),
        "topics": [
            (
                topic,
                topic_forms.get(topic.pk)
                or TopicForm(
                    prefix=f"cd-{topic.pk}",
                    initial={"title": topic.title, "documents": topic.documents},
                ),
            )
            for topic in topics
        ],
        "blocks": blocks,
        "has_rules": bool(rules),
        "board_draft": board_draft,
        "board_form": board_form
        or (
            BoardDraftForm(units=submitting_units(request.user, plan))
            if editable and board_draft is None
            else None
        ),
        "errors": errors,
    }
    return render(request, "study/plan_draft.html", context, status=status)


def _messages_of(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


@login_required
@require_http_methods(["GET", "POST"])
def plan_draft(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The draft plan's editing page; a POST changes its name and source."""
    plan = get_plan_for_drafting(request.user, plan_id)
    if request.method == "GET":
        return _render_page(request, plan)
    form = PlanHeaderForm(request.POST)
    if form.is_valid():
        try:
            do_edit_plan_header(
                plan,
                title=form.cleaned_data["title"],
                source_document=form.cleaned_data["source_document"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã lưu tên và văn bản được quán triệt."))
            return redirect("study_plan_draft", plan_id=plan.pk)
    return _render_page(request, plan, header_form=form)


@login_required
@require_POST
def topic_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_plan_for_drafting(request.user, plan_id)
    form = TopicForm(request.POST, prefix="moi")
    if form.is_valid():
        try:
            do_add_topic(
                plan,
                title=form.cleaned_data["title"],
                documents=form.cleaned_data["documents"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã thêm chuyên đề."))
            return redirect("study_plan_draft", plan_id=plan.pk)
    return _render_page(request, plan, new_topic_form=form)


def _topic_of(plan: Plan, topic_id: int) -> Topic:
    topic = Topic.objects.filter(pk=topic_id, plan=plan).select_related("plan").first()
    if topic is None:
        raise Http404("No topic matches the given query.")
    return topic


TOPIC_ACTIONS = ("luu", "xoa", "len", "xuong")


@login_required
@require_POST
def topic_change(request: HttpRequest, plan_id: int, topic_id: int) -> HttpResponse:
    """Save (``luu``), remove (``xoa``) or move up (``len``) or down (``xuong``) one topic."""
    plan = get_plan_for_drafting(request.user, plan_id)
    topic = _topic_of(plan, topic_id)
    action = request.POST.get("thao_tac", "luu")
    if action not in TOPIC_ACTIONS:
        return _render_page(request, plan, errors=[_("Không rõ thao tác.")], status=400)
    form = TopicForm(request.POST if action == "luu" else None, prefix=f"cd-{topic.pk}")
    try:
        if action == "luu":
            if not form.is_valid():
                return _render_page(request, plan, topic_forms={topic.pk: form})
            do_edit_topic(
                topic,
                title=form.cleaned_data["title"],
                documents=form.cleaned_data["documents"],
                acting_user=request.user,
            )
            messages.success(request, _("Đã lưu chuyên đề."))
        elif action == "xoa":
            do_remove_topic(topic, acting_user=request.user)
            messages.success(request, _("Đã xóa chuyên đề."))
        else:
            ids = list(plan.topics.order_by("order").values_list("pk", flat=True))
            at = ids.index(topic.pk)
            to = at - 1 if action == "len" else at + 1
            if 0 <= to < len(ids):
                ids[at], ids[to] = ids[to], ids[at]
                do_reorder_topics(plan, ids, acting_user=request.user)
    except ValidationError as exc:
        return _render_page(request, plan, errors=_messages_of(exc))
    return redirect("study_plan_draft", plan_id=plan.pk)


@login_required
@require_POST
def rule_change(request: HttpRequest, plan_id: int, level_code: str) -> HttpResponse:
    """Save the rule of a level (added if the plan has none for it yet) or remove it
    (``thao_tac=xoa``). A level the structure lacks is refused by the action, in words."""
    plan = get_plan_for_drafting(request.user, plan_id)
    levels = _plan_levels(plan)
    level = next((lv for lv in levels if lv.code == level_code), None)
    if request.POST.get("thao_tac") == "xoa":
        rule = plan.rules.select_related("level").filter(level__code=level_code).first()
        if rule is None:
            raise Http404("No rule matches the given query.")
        try:
            do_remove_rule(rule, acting_user=request.user)
        except ValidationError as exc:
            return _render_page(request, plan, errors=_messages_of(exc))
        messages.success(request, _("Đã bỏ quy định của %(level)s.") % {"level": rule.level})
        return redirect("study_plan_draft", plan_id=plan.pk)
    below = _levels_below(levels, level) if level is not None else []
    form = RuleForm(request.POST, level_code=level_code, below=below)
    if form.is_valid():
        try:
            do_set_rule(plan, form.spec(), acting_user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã lưu quy định của %(level)s.") % {"level": level})
            return redirect("study_plan_draft", plan_id=plan.pk)
    if level is None:  # no card to show the form in: its errors go on top
        errors = [str(e) for errs in form.errors.values() for e in errs]
        return _render_page(request, plan, errors=errors)
    return _render_page(request, plan, rule_forms={level_code: form})


@login_required
@require_POST
def board_draft_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan's draft for the Standing Board, submitted by a body the user chooses."""
    plan = get_plan_for_drafting(request.user, plan_id)
    units = submitting_units(request.user, plan)
    if not units.exists():
        raise PermissionDenied
    form = BoardDraftForm(request.POST, units=units)
    if form.is_valid():
        try:
            check_plan_ready(plan)
            draft = do_create_draft(
                kind=DraftKind.STUDY_PLAN,
                title=plan.title,
                doc_type=DocType.KH,
                submitting_unit=form.cleaned_data["submitting_unit"],
                issuing_unit=plan.issuing_unit,
                plan=plan,
                acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Đã tạo dự thảo “%(title)s” để trình Ban Thường vụ.") % {"title": draft.title},
            )
            return redirect("study_plan_draft", plan_id=plan.pk)
    return _render_page(request, plan, board_form=form)


urlpatterns: list[URLPattern] = [
    path("soan-thao/", plan_drafts, name="study_plan_drafts"),
    path("soan-thao/moi/", plan_draft_new, name="study_plan_draft_new"),
    path("<int:plan_id>/soan-thao/", plan_draft, name="study_plan_draft"),
    path("<int:plan_id>/soan-thao/chuyen-de/", topic_add, name="study_plan_draft_topic_add"),
    path(
        "<int:plan_id>/soan-thao/chuyen-de/<int:topic_id>/",
        topic_change,
        name="study_plan_draft_topic",
    ),
    path(
        "<int:plan_id>/soan-thao/cap/<slug:level_code>/", rule_change, name="study_plan_draft_rule"
    ),
    path("<int:plan_id>/soan-thao/trinh/", board_draft_create, name="study_plan_draft_board"),
]
