"""Reminders (copyable text, escalation, sending by e-mail) and the per-unit ICS calendar feed."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tinhuy.apikit import MAX_ID
from tinhuy.documents.calendars import ICS_CONTENT_TYPE
from tinhuy.documents.responses import download
from tinhuy.org.access import scope_for
from tinhuy.org.models import Unit
from tinhuy.study import reminders as r
from tinhuy.study import reports
from tinhuy.study.access import (
    get_plan_for_user,
    get_unit_for_ics_token,
    ics_token,
    progress_root_for,
)
from tinhuy.study.actions import do_send_reminders
from tinhuy.study.models import PlanState


def _is_number(text: str, largest: int) -> bool:
    """ASCII digits for a number from 0 to ``largest`` ("²".isdigit() is true and int("²")
    fails; the length is checked first, as int() refuses more than 4,300 digits)."""
    return (
        text.isascii()
        and text.isdigit()
        and len(text) <= len(str(largest))
        and int(text) <= largest
    )


def _options(request: HttpRequest) -> tuple[int | None, datetime.date, int, list[str]]:
    """(?don_vi=, ?ngay=, ?trong=) with defaults, and a message per value that was not valid."""
    errors: list[str] = []
    unit_text = request.GET.get("don_vi", "").strip()
    if unit_text and not _is_number(unit_text, MAX_ID):
        raise Http404("No unit matches the given query.")
    as_of = timezone.localdate()
    day_text = request.GET.get("ngay", "").strip()
    if day_text:
        try:
            as_of = r.parse_day(day_text)
        except ValueError:
            errors.append(
                _("Ngày “%(value)s” không hợp lệ; hãy nhập theo dạng ngày/tháng/năm, ví dụ "
                  "15/01/2021. Đang hiển thị ngày hôm nay.") % {"value": day_text[:20]}
            )  # fmt: skip
    within = r.DEFAULT_WITHIN_DAYS
    within_text = request.GET.get("trong", "").strip()
    if within_text:
        if _is_number(within_text, r.MAX_WITHIN_DAYS):
            within = int(within_text)
        else:
            errors.append(
                _("Số ngày “%(value)s” không hợp lệ; hãy nhập một số từ 0 đến %(max)s. Đang "
                  "dùng %(default)s ngày.")
                % {"value": within_text[:20], "max": r.MAX_WITHIN_DAYS,
                   "default": r.DEFAULT_WITHIN_DAYS}
            )  # fmt: skip
    return (int(unit_text) if unit_text else None), as_of, within, errors


@login_required
@require_http_methods(["GET", "POST"])
def reminders_page(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Units due within N days and overdue over the user's subtree, each with a text to copy;
    the escalations; a button sending the e-mails (POST, for users who may change the unit)."""
    plan = get_plan_for_user(request.user, plan_id)
    unit_id, as_of, within, errors = _options(request)
    root = progress_root_for(request.user, plan, unit_id)
    scope = scope_for(request.user)
    can_send = scope.can_change(root) and plan.state == PlanState.ISSUED
    query = urlencode({"don_vi": root.pk, "ngay": as_of.strftime("%d/%m/%Y"), "trong": within})
    if request.method == "POST":
        if not scope.can_change(root):
            raise PermissionDenied
        if errors:
            for error in errors:
                messages.error(request, error)
        else:
            try:
                outcome = do_send_reminders(
                    plan, as_of=as_of, within_days=within, acting_user=request.user, root=root
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _sent_message(outcome))
        return HttpResponseRedirect(f"{request.path}?{query}")

    reminders = None
    sent: set[tuple[str, str]] = set()
    if plan.state == PlanState.ISSUED:
        reminders = r.reminders_for(plan, root, scope, as_of, within)
        sent = r.sent_keys(plan, as_of)
    children = scope.units(
        Unit.objects.filter(parent=root, level__in=plan.rules.values("level"))
    ).order_by("name_sort")
    parent = root.parent
    if parent is not None and not scope.can_view(parent):
        parent = None
    ics_url = request.build_absolute_uri(
        reverse("study_unit_ics", args=[root.pk])
        + "?"
        + urlencode({"token": ics_token(request.user, root)})
    )
    sections = []
    if reminders is not None:
        sections = [
            _section(
                "due",
                _("Sắp đến hạn (trong %(n)s ngày)") % {"n": within},
                _("Không có đơn vị nào sắp đến hạn mà chưa tổ chức hội nghị."),
                reminders.due,
                sent,
            ),
            _section(
                "overdue",
                _("Quá hạn, chưa tổ chức"),
                _("Không có đơn vị nào quá hạn."),
                reminders.overdue,
                sent,
            ),
            _section(
                "escalation",
                _("Báo cáo cấp trên: danh sách đơn vị trực thuộc quá hạn"),
                _("Không có gì cần báo cáo cấp trên."),
                reminders.escalations,
                sent,
            ),
        ]
    return render(
        request,
        "study/reminders.html",
        {
            "plan": plan,
            "root": root,
            "parent": parent,
            "children": children,
            "as_of": as_of,
            "within": within,
            "errors": errors,
            "reminders": reminders,
            "sections": sections,
            "can_send": can_send,
            "ics_url": ics_url,
            "webcal_url": "webcal://" + ics_url.split("://", 1)[1],
            "query": query,
        },
    )


def _section(
    kind: str, title: str, empty: str, items: list[r.Reminder], sent: set[tuple[str, str]]
) -> dict[str, object]:
    return {
        "kind": kind,
        "title": title,
        "empty": empty,
        "items": [
            {"r": item, "sent": item.key in sent, "field_id": f"{kind}-{item.unit.id}"}
            for item in items
        ],
    }


def _sent_message(outcome: r.Outcome) -> str:
    text = _("Đã gửi %(n)s thư nhắc.") % {"n": outcome.emails}
    if outcome.already_sent:
        text += " " + _("%(n)s lời nhắc đã gửi trước đó cho ngày này, không gửi lại.") % {
            "n": len(outcome.already_sent)
        }
    if outcome.no_recipients:
        text += " " + _(
            "%(n)s đơn vị chưa có cán bộ văn phòng hay thủ trưởng có địa chỉ thư: hãy sao chép "
            "lời nhắc để gửi qua tin nhắn."
        ) % {"n": len(outcome.no_recipients)}
    return text


@require_GET
def unit_ics(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The unit's calendar for calendar apps, which cannot log in: the URL carries a signed
    token; a bad token, or a user who no longer sees the unit, gets 404."""
    unit = get_unit_for_ics_token(request.GET.get("token", ""), unit_id)
    response = download(
        reports.unit_calendar(unit), f"lich-{unit.pk}.ics", ICS_CONTENT_TYPE, inline=True
    )
    # Calendar apps poll; five minutes of the reader's own cache spares the database.
    response["Cache-Control"] = "private, max-age=300"
    return response


urlpatterns: list[URLPattern] = [
    path("<int:plan_id>/nhac-viec/", reminders_page, name="study_reminders"),
    path("lich/<int:unit_id>.ics", unit_ics, name="study_unit_ics"),
]
