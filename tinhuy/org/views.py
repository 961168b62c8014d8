"""Pages of the organisation: home, structure browser, unit page. Thin: fetch, query, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tinhuy.org import queries
from tinhuy.org.access import (
    get_structure_for_user,
    get_unit_for_user,
    scope_for,
    visible_structures,
)
from tinhuy.org.models import Membership


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("unit__structure", "unit__level")
        .order_by("unit__structure__code", "unit__name_sort")
    )
    structures = visible_structures(request.user)
    return render(request, "org/home.html", {"memberships": memberships, "structures": structures})


@login_required
def structure_detail(request: HttpRequest, structure_id: int) -> HttpResponse:
    structure = get_structure_for_user(request.user, structure_id)
    scope = scope_for(request.user)
    query = request.GET.get("q", "").strip()[:200]
    context = {"structure": structure, "query": query}
    if query:
        context["results"] = queries.units_list(scope, structure=structure, query=query)[:100]
    if request.headers.get("HX-Request") and "q" in request.GET:
        return render(request, "org/_search_results.html", context)
    context["roots"] = queries.scope_roots(scope, structure)
    context["level_counts"] = queries.level_counts(structure, scope)
    return render(request, "org/structure_detail.html", context)


@login_required
def unit_children(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, unit_id)
    return render(
        request, "org/_unit_children.html", {"unit": unit, "children": queries.children_of(unit)}
    )


@login_required
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = get_unit_for_user(request.user, unit_id)
    scope = scope_for(request.user)
    detail = queries.unit_detail(scope, unit)
    return render(
        request,
        "org/unit_detail.html",
        {"detail": detail, "unit": unit, "can_change": scope.can_change(unit)},
    )
