"""The audit log page: read-only, for the province office administrators."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tinhuy.audit.forms import AuditFilterForm
from tinhuy.audit.queries import AuditFilters, audit_events, known_actions
from tinhuy.org.access import require_province_admin


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    require_province_admin(request.user)
    form = AuditFilterForm(request.GET or None)
    filters = AuditFilters()
    if form.is_bound and form.is_valid():
        filters = AuditFilters(**form.cleaned_data)
    page = Paginator(audit_events(filters), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/audit_log.html",
        {"form": form, "page": page, "actions": known_actions(), "query": query.urlencode()},
    )
