"""Register pages: the bodies a user sees, one body's register (filters: period, type), and
for the office the forms that give a number by hand and cancel one with a reason."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tinhuy.apikit import parse_id
from tinhuy.org.access import scope_for
from tinhuy.register import access, actions, queries
from tinhuy.register.forms import CancelForm, IssueForm, PeriodForm
from tinhuy.register.models import DocType, IssuingBody, NumberingPeriod

PAGE_SIZE = 50


@login_required
@require_GET
def body_list(request: HttpRequest) -> HttpResponse:
    bodies = queries.bodies_for(scope_for(request.user))
    return render(request, "register/body_list.html", {"bodies": bodies})


def _current_period(periods: list[NumberingPeriod]) -> NumberingPeriod | None:
    today = timezone.localdate()
    return next((p for p in periods if p.contains(today)), None)


@login_required
@require_GET
def register(request: HttpRequest, body_id: int) -> HttpResponse:
    body = access.get_body_for_user(request.user, body_id)
    periods = list(body.periods.all())
    period_id = parse_id(request.GET.get("thoi_ky"))
    if period_id is not None and period_id not in {p.pk for p in periods}:
        period_id = None
    doc_type = request.GET.get("loai", "")
    if doc_type not in DocType.values:
        doc_type = ""
    rows = queries.entries(body, period_id=period_id, doc_type=doc_type or None)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("trang"))
    context = {
        "body": body,
        "periods": periods,
        "period_id": period_id,
        "doc_types": DocType.choices,
        "doc_type": doc_type,
        "page": page,
        "can_keep": access.can_keep(request.user, body),
    }
    return render(request, "register/register.html", context)


def _next_table(body: IssuingBody) -> tuple[NumberingPeriod | None, list[tuple[str, str]]]:
    """Today's period and the next number of every type in it, for the issue page."""
    period = _current_period(list(body.periods.all()))
    if period is None:
        return None, []
    taken = queries.next_numbers(period)
    return period, [
        (str(label), body.symbol_for(value, taken.get(value, 1)))
        for value, label in DocType.choices
    ]


@login_required
@require_http_methods(["GET", "POST"])
def issue(request: HttpRequest, body_id: int) -> HttpResponse:
    body = access.get_body_for_keeper(request.user, body_id)
    form = IssueForm(
        request.POST if request.method == "POST" else None,
        initial={"issued_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = actions.do_issue(
                body,
                data["doc_type"],
                issued_on=data["issued_on"],
                summary=data["summary"],
                signer_name=data["signer_name"],
                signer_position=data["signer_position"],
                authority=data["authority"],
                recipients=data["recipients"],
                number=data["number"],
                reason=data["reason"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Đã cấp %(line)s ngày %(date)s.")
                % {"line": entry.number_line, "date": entry.issued_on.strftime("%d/%m/%Y")},
            )
            return redirect("register_body", body_id=body.pk)
    period, next_table = _next_table(body)
    context = {"body": body, "form": form, "period": period, "next_table": next_table}
    return render(request, "register/issue_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, body_id: int, entry_id: int) -> HttpResponse:
    body = access.get_body_for_keeper(request.user, body_id)
    entry = access.get_entry_for_keeper(request.user, body, entry_id)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_cancel_entry(
                entry, reason=form.cleaned_data["reason"], acting_user=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã hủy %(line)s.") % {"line": entry.number_line})
            return redirect("register_body", body_id=body.pk)
    return render(
        request, "register/cancel_form.html", {"body": body, "entry": entry, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def open_period(request: HttpRequest, body_id: int) -> HttpResponse:
    """The office opens the next numbering period (a new term after a congress, a new year)."""
    body = access.get_body_for_keeper(request.user, body_id)
    form = PeriodForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            period = actions.do_open_period(
                body,
                label=data["label"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã mở thời kỳ “%(label)s”.") % {"label": period.label})
            return redirect("register_body", body_id=body.pk)
    context = {"body": body, "form": form, "periods": list(body.periods.all())}
    return render(request, "register/period_form.html", context)


urlpatterns: list[URLPattern] = [
    path("", body_list, name="register_bodies"),
    path("<int:body_id>/", register, name="register_body"),
    path("<int:body_id>/cap-so/", issue, name="register_issue"),
    path("<int:body_id>/huy/<int:entry_id>/", cancel, name="register_cancel"),
    path("<int:body_id>/thoi-ky/", open_period, name="register_open_period"),
]
