"""Pages of the organisation: home, structure browser, unit page. Thin: fetch, query, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from tinhuy.documents.csvfile import CSV_CONTENT_TYPE
from tinhuy.documents.forms import handle_upload
from tinhuy.documents.numbers import format_number, page_locale
from tinhuy.documents.responses import download
from tinhuy.org import importing, queries
from tinhuy.org.access import (
    get_structure_for_user,
    get_unit_for_change,
    get_unit_for_user,
    require_province_admin,
    scope_for,
    visible_structures,
)
from tinhuy.org.actions import do_set_headcount
from tinhuy.org.forms import HeadcountForm
from tinhuy.org.models import Membership
from tinhuy.todo import todo_for, todo_html


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(user=request.user)  # type: ignore[misc]
        .select_related("unit__structure", "unit__level")
        .order_by("unit__structure__code", "unit__name_sort")
    )
    structures = visible_structures(request.user)
    todo = todo_for(request.user)
    context = {
        "memberships": memberships,
        "structures": structures,
        "todo": todo,
        "todo_rows": todo_html(todo),
        # Put together here: a {% blocktranslate count %} cost the page about 0.1 ms.
        "todo_all": ngettext(
            "Xem tất cả %(n)s việc được giao", "Xem tất cả %(n)s việc được giao", todo.follow_ups
        )
        % {"n": todo.follow_ups},
    }
    return render(request, "org/home.html", context)


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
@require_http_methods(["GET", "POST"])
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The unit; a POST sets its headcount (404 outside the user's scope, 403 read-only)."""
    form = None
    if request.method == "POST":
        unit = get_unit_for_change(request.user, unit_id)
        form = HeadcountForm(request.POST)
        if form.is_valid():
            headcount = form.cleaned_data["headcount"]
            do_set_headcount(unit, headcount=headcount, acting_user=request.user)
            if headcount is None:
                messages.success(request, _("Đã ghi: chưa rõ số đảng viên của đơn vị."))
            else:
                messages.success(
                    request,
                    _("Đã ghi số đảng viên của đơn vị: %(n)s.")
                    % {"n": format_number(headcount, locale=page_locale())},
                )
            return redirect("unit_detail", unit_id=unit.pk)
    else:
        unit = get_unit_for_user(request.user, unit_id)
    scope = scope_for(request.user)
    can_change = scope.can_change(unit)
    if form is None and can_change:
        form = HeadcountForm(initial={"headcount": unit.headcount})
    return render(
        request,
        "org/unit_detail.html",
        {
            "detail": queries.unit_detail(scope, unit),
            "unit": unit,
            "can_change": can_change,
            "headcount_form": form,
        },
        status=400 if form is not None and form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def structure_import(request: HttpRequest, structure_id: int) -> HttpResponse:
    """Upload a CSV or .xlsx of new units (province office only); all rows or none are written."""
    require_province_admin(request.user)
    structure = get_structure_for_user(request.user, structure_id)
    upload = handle_upload(
        request,
        lambda form: importing.import_structure(
            structure, form.read(), form.filename, acting_user=request.user
        ),
    )
    if upload.succeeded and upload.result is not None:
        messages.success(
            request,
            _("Đã nhập %(n)s đơn vị từ tệp “%(file)s”.")
            % {"n": upload.result.created, "file": upload.form.filename},
        )
        return redirect("structure_detail", structure_id=structure.id)
    context = {
        "structure": structure,
        **upload.context(),
        "sheet_name": importing.SHEET_NAME,
        "levels": structure.levels.all(),
        "kinds": importing.kind_choices(),
    }
    return render(request, "org/structure_import.html", context, status=upload.status)


@login_required
@require_GET
def structure_import_template(request: HttpRequest, structure_id: int) -> HttpResponse:
    """The file to fill in: ``?format=xlsx`` (default) or ``?format=csv``."""
    require_province_admin(request.user)
    structure = get_structure_for_user(request.user, structure_id)
    file_format = request.GET.get("format", "xlsx")
    if file_format == "xlsx":
        content, content_type = importing.template_xlsx(structure), importing.XLSX_CONTENT_TYPE
    elif file_format == "csv":
        content, content_type = importing.template_csv(structure), CSV_CONTENT_TYPE
    else:
        raise Http404("No such template format.")
    return download(content, f"mau-nhap-{structure.code}.{file_format}", content_type)
