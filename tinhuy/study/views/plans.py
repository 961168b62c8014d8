"""Plan list and plan detail pages, and the issued plan as a Party-format .docx."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tinhuy.documents import docx
from tinhuy.org.access import scope_for
from tinhuy.study import queries
from tinhuy.study.access import get_plan_for_user
from tinhuy.study.models import LevelRule, Plan, PlanState, Topic


def length_label(sessions: int) -> str:
    """A rule's length as the plan writes it: 2 sessions are "1 ngày", 1 session "1 buổi"."""
    if sessions % 2 == 0:
        return _("%(n)s ngày") % {"n": sessions // 2}
    return _("%(n)s buổi") % {"n": sessions}


@dataclass(frozen=True)
class RuleView:
    rule: LevelRule
    length: str
    participants: list[str]


@dataclass(frozen=True)
class PlanParts:
    topics: list[Topic]
    rules: list[RuleView]


def _plan_parts(plan: Plan) -> PlanParts:
    """Topics and level rules with their participant levels, in three queries."""
    rules = plan.rules.select_related("level").prefetch_related("participant_levels")
    return PlanParts(
        topics=list(plan.topics.all()),
        rules=[
            RuleView(
                rule,
                length_label(rule.length_sessions),
                [level.name for level in rule.participant_levels.all()],
            )
            for rule in rules
        ],
    )


@login_required
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = queries.plans_for(scope_for(request.user))
    return render(request, "study/plan_list.html", {"plans": plans})


@login_required
@require_GET
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id)
    parts = _plan_parts(plan)
    return render(
        request,
        "study/plan_detail.html",
        {
            "plan": plan,
            "topics": parts.topics,
            "rules": parts.rules,
            "presenter_rule": any(view.rule.presenter_rule for view in parts.rules),
        },
    )


# The issued plan as a Party document. Its text is Vietnamese whatever the site's language.


def plan_summary(plan: Plan) -> str:
    """The summary line under "KẾ HOẠCH": the title without its leading "Kế hoạch"."""
    summary = plan.title.removeprefix("Kế hoạch").strip()
    return summary[:1].lower() + summary[1:]


def plan_document(plan: Plan, parts: PlanParts) -> bytes:
    issuer, parent = plan.issuing_unit, plan.issuing_unit.parent
    body = docx.issuing_body(issuer.name, parent.name if parent else None)
    draft = plan.state == PlanState.DRAFT
    document = docx.PartyDocument(
        body=body,
        number=docx.number_line(plan.number, document_symbol="KH", body=body),
        place_date=docx.place_date_line(plan.place, plan.issued_on),
        document_type="Kế hoạch",
        summary=plan_summary(plan),
        note="(Dự thảo)" if draft else "",
    )
    if plan.is_sample:
        document.paragraph(
            "Ghi chú: số, ngày của kế hoạch là dữ liệu minh họa của phần mềm, không phải văn "
            "bản thật.",
            italic=True,
        )
    document.heading("I. MỤC ĐÍCH, YÊU CẦU")
    document.paragraph(
        f"1. Tổ chức học tập, quán triệt {plan.source_document} nhằm giúp cán bộ, đảng viên nắm "
        "vững nội dung cơ bản, tư tưởng cốt lõi của Nghị quyết; tạo sự thống nhất cao về nhận "
        "thức và hành động trong toàn Đảng bộ."
    )
    document.paragraph(
        "2. Việc học tập, quán triệt phải được tổ chức nghiêm túc, đúng thành phần, thời lượng "
        "và thời hạn quy định cho từng cấp; các đơn vị báo cáo kết quả đầy đủ, kịp thời."
    )
    document.heading("II. NỘI DUNG HỌC TẬP, QUÁN TRIỆT")
    for topic in parts.topics:
        document.paragraph(f"{topic.order}. {topic.title}.")
    document.heading("III. THÀNH PHẦN, THỜI LƯỢNG, THỜI GIAN")
    rows = [
        [
            rule_view.rule.level.name,
            rule_view.rule.audience
            + (
                f" (cùng {', '.join(name.lower() for name in rule_view.participants)})"
                if rule_view.participants
                else ""
            ),
            rule_view.length,
            f"{docx.date_text(rule_view.rule.window_start)} – "
            f"{docx.date_text(rule_view.rule.deadline)}",
            "Có" if rule_view.rule.online_allowed else "Không",
        ]
        for rule_view in parts.rules
    ]
    document.table(
        ["Cấp", "Thành phần", "Thời lượng", "Thời gian", "Trực tuyến có điểm cầu"],
        rows,
        widths_mm=[28, 58, 20, 32, 22],
    )
    document.heading("IV. HÌNH THỨC VÀ BÁO CÁO VIÊN")
    if any(rule_view.rule.presenter_rule for rule_view in parts.rules):
        document.paragraph(
            "1. Báo cáo viên cấp trên chỉ trình bày Nghị quyết và Chương trình hành động của "
            "Tỉnh ủy; kế hoạch thực hiện của đơn vị do đồng chí Bí thư, Chủ tịch hoặc thủ trưởng "
            "đơn vị trình bày."
        )
    online = [view.rule.level.name.lower() for view in parts.rules if view.rule.online_allowed]
    if online:
        document.paragraph(
            f"2. Hội nghị {', '.join(online)} được tổ chức trực tuyến, kết nối đến các điểm cầu; "
            "mỗi điểm cầu có người chủ trì và báo cáo số người phải dự, số người dự."
        )
    else:
        document.paragraph("2. Các hội nghị được tổ chức trực tiếp.")
    document.heading("V. TỔ CHỨC THỰC HIỆN")
    document.paragraph(
        "Các đảng bộ trực thuộc xây dựng kế hoạch, tổ chức học tập, quán triệt ở cấp mình và "
        "chỉ đạo cấp dưới; báo cáo kết quả về Ban Thường vụ "
        f"{body.committee} (qua Văn phòng) sau khi tổ chức hội nghị."
    )
    on = plan.issued_on or timezone.localdate(plan.created_at)
    return document.close(
        signature=docx.Signature(),
        recipients=docx.recipient_lines(docx.upward_recipients(body, on), body),
    )


@login_required
@require_GET
def plan_docx(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, plan_id)
    content = plan_document(plan, _plan_parts(plan))
    response = HttpResponse(content, content_type=docx.DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="ke-hoach-{plan.pk}.docx"'
    return response


urlpatterns: list[URLPattern] = [
    path("", plan_list, name="study_plans"),
    path("<int:plan_id>/", plan_detail, name="study_plan"),
    path("<int:plan_id>/ke-hoach.docx", plan_docx, name="study_plan_docx"),
]
