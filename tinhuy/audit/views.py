"""The audit log page: read-only, for the province office administrators."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from tinhuy.audit.forms import AuditFilterForm
from tinhuy.audit.presenting import describe
from tinhuy.audit.queries import AuditFilters, audit_events, unit_suggestions
from tinhuy.org.access import require_province_admin, scope_for, visible_structures

PAGE_SIZE = 50


@login_required
@require_safe
def audit_log(request: HttpRequest) -> HttpResponse:
    """Events newest first. A filter value that cannot be used is named on the page and no
    events are listed (an unfiltered list under a filter the user thinks is applied misleads)."""
    require_province_admin(request.user)
    scope = scope_for(request.user)
    form = AuditFilterForm(
        request.GET or None, scope=scope, structures=visible_structures(request.user)
    )
    page = rows = None
    if not form.is_bound or form.is_valid():
        filters = AuditFilters(**form.cleaned_data) if form.is_bound else AuditFilters()
        page = Paginator(audit_events(filters), PAGE_SIZE).get_page(request.GET.get("page"))
        rows = describe(page.object_list, scope)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/audit_log.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "unit_names": unit_suggestions(scope),
        },
    )
