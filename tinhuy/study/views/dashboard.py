"""The progress dashboard, the unit table (.xlsx) and the summary report (.docx).

All three read one ``queries.plan_progress`` call over the chosen unit's subtree as of the chosen
date and narrow it with one ``queries.UnitFilters``, so a figure on the page, in the spreadsheet,
in the Party report and in the API is the same figure. The rows, filters and order live in
``tinhuy.study.queries``, the files' content in ``tinhuy.study.reports``; this module parses the
query string, lays out the page and its charts, and answers.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from html import escape as escape_text
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from tinhuy.apikit import MAX_ID
from tinhuy.documents.docx import DOCX_CONTENT_TYPE
from tinhuy.documents.numbers import format_number
from tinhuy.documents.responses import download
from tinhuy.documents.xlsx import XLSX_CONTENT_TYPE
from tinhuy.org.access import scope_for
from tinhuy.org.models import Unit
from tinhuy.presenting import lines
from tinhuy.study import presenters, queries, reports
from tinhuy.study.access import get_plan_for_user, progress_root_for
from tinhuy.study.models import Plan
from tinhuy.study.queries import ROW_FILTERS, SORT_CHOICES, PlanProgress, UnitFilters, UnitRow

UNIT_TABLE_PAGE = 100  # rows of the unit table per page
# A province of the two-level government has some 1,500 units right below it: a chart of them
# all is unreadable, so it shows those with the lowest rates, and says so; the table has all.
CHART_BARS = 40
UNKNOWN_NAMED = 20  # units "without a figure" named under the chart; the rest are counted


class DashboardForm(forms.Form):
    """The query parameters of the dashboard and its exports (in Vietnamese, like ``don_vi``);
    all optional. ``filters()`` turns them into the vocabulary the API shares."""

    # Ids beyond a 64-bit key are a 400 here, never an overflow in the database.
    don_vi = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    ngay = forms.DateField(
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={"invalid": gettext_lazy("Ngày phải có dạng dd/mm/yyyy, ví dụ 15/01/2021.")},
    )
    trang_thai = forms.ChoiceField(
        required=False,
        choices=[
            ("", gettext_lazy("Mọi trạng thái")),
            *((spec.slug, spec.label) for spec in ROW_FILTERS.values()),
        ],
    )
    cap = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    sap_xep = forms.ChoiceField(required=False, choices=SORT_CHOICES)

    def filters(self) -> UnitFilters:
        data = self.cleaned_data
        return UnitFilters.from_slugs(data["trang_thai"], data["cap"], data["sap_xep"])


# ---------------------------------------------------------------------------------------------
# Charts: plain data for the page's script, laid out from the progress.


def _short_name(name: str) -> str:
    """ "Đảng bộ huyện Nghi Lộc" → "Huyện Nghi Lộc": chart labels need the room."""
    short = name.removeprefix("Đảng bộ ")
    return short[:1].upper() + short[1:]


def coverage_chart(progress: PlanProgress, url_for: Callable[[int], str]) -> dict[str, Any] | None:
    """Coverage (%) of each child unit per level, from the children's roll-ups; None when no
    child has anyone expected. A child whose units are overdue with nothing held has people
    expected and nobody reached: its bar is there, at 0 %. Beyond ``CHART_BARS`` children,
    the chart keeps those with the lowest rate over all levels (in name order) and its note
    says how many it shows of how many."""
    # One pass over a province's 3,000 children: the rate over all levels of those with people
    # expected.
    rated = []
    for child, totals in progress.children:
        expected = reached = 0
        for t in totals:
            expected += t.expected
            reached += t.attended + t.made_up
        if expected:
            rated.append((reached / expected, child, totals))
    if not rated:
        return None
    note = ""
    if len(rated) > CHART_BARS:
        note = _(
            "%(shown)s đơn vị có tỷ lệ thấp nhất trong %(all)s đơn vị trực thuộc; bảng đơn vị "
            "dưới đây có đủ."
        ) % {"shown": format_number(CHART_BARS), "all": format_number(len(rated))}
        # The sort is stable: of equal rates, the first in name order.
        lowest = sorted(rated, key=lambda r: r[0])[:CHART_BARS]
        kept = {child.pk for _rate, child, _totals in lowest}
        rated = [r for r in rated if r[1].pk in kept]
    children = [(child, totals) for _rate, child, totals in rated]
    datasets = []
    for index, rule_row in enumerate(progress.rules):
        ratios = [totals[index].people.coverage for _child, totals in children]
        if any(ratio is not None for ratio in ratios):  # no empty level in the legend
            datasets.append(
                {
                    "label": rule_row.rule.level.name,
                    "data": [None if r is None else round(r * 100, 1) for r in ratios],
                }
            )
    return {
        "labels": [_short_name(child.name) for child, _totals in children],
        "urls": [url_for(child.pk) for child, _totals in children],
        "datasets": datasets,
        "axis": _("Tỷ lệ cán bộ, đảng viên đã học tập (%)"),
        "note": note,
    }


def coverage_unknown(progress: PlanProgress) -> list[str]:
    """The child units with units due whose people to reach are not known (no report, member
    list or headcount): the chart cannot count them, the page names them (the first
    ``UNKNOWN_NAMED``, then how many more)."""
    names = []
    for child, totals in progress.children:
        unknown = sum(t.unknown for t in totals)
        if unknown:
            names.append(
                _("%(name)s (%(n)s đơn vị)")
                % {"name": _short_name(child.name), "n": format_number(unknown)}
            )
    if len(names) > UNKNOWN_NAMED:
        more = len(names) - UNKNOWN_NAMED
        names = [
            *names[:UNKNOWN_NAMED],
            _("và %(n)s đơn vị trực thuộc khác") % {"n": format_number(more)},
        ]
    return names


def timeline_chart(progress: PlanProgress) -> dict[str, Any]:
    """Per level: the cumulative number of expected units whose conference was held, by date,
    with the level's window and deadline."""
    held_by_level: dict[int, Counter[datetime.date]] = defaultdict(Counter)
    for row in progress.rows:  # one pass: a nation has 300,000
        if row.progress.held_on is not None:
            held_by_level[row.progress.level_id][row.progress.held_on] += 1
    levels = []
    for rule_row in progress.rules:
        rule = rule_row.rule
        held = held_by_level[rule.level_id]
        points, total = [], 0
        for day in sorted(held):
            total += held[day]
            points.append([day.isoformat(), total])
        levels.append(
            {
                "label": rule.level.name,
                "start": rule.window_start.isoformat(),
                "deadline": rule.deadline.isoformat(),
                "expected": rule_row.totals.units,
                "points": points,
            }
        )
    return {
        "as_of": progress.as_of.isoformat(),
        "levels": levels,
        "text": {
            "axis": _("% đơn vị đã tổ chức hoặc dự"),
            "deadline": _("Hạn"),
            "units": _("đơn vị"),
        },
    }


def _row_url(plan: Plan, as_of: datetime.date) -> Callable[[int], SafeString]:
    """A unit's own dashboard on the same date (escaped once, for an attribute)."""
    base = escape(reverse("study_dashboard", args=[plan.pk]))
    day = f"{as_of:%d/%m/%Y}"
    return lambda pk: SafeString(f"{base}?don_vi={int(pk)}&amp;ngay={day}")


def unit_options(choices: list[tuple[int, str]], selected: int) -> SafeString:
    """The unit selector's options (a province's 1,500 communes: built here, not by a
    template loop)."""
    chosen = {selected: " selected"}
    return lines(
        f'<option value="{int(pk)}"{chosen.get(pk, "")}>{escape_text(label)}</option>'
        for pk, label in choices
    )


# ---------------------------------------------------------------------------------------------
# Loading: plan, parameters, root unit, then one plan_progress call.


@dataclass
class Dashboard:
    plan: Plan
    progress: PlanProgress
    filters: UnitFilters

    @property
    def root(self) -> Unit:
        return self.progress.root

    @property
    def as_of(self) -> datetime.date:
        return self.progress.as_of

    # The selected values of the table's filter form.
    @property
    def status(self) -> str:
        return self.filters.status_slug

    @property
    def level_id(self) -> int | None:
        return self.filters.level_id

    @property
    def sort(self) -> str:
        return self.filters.sort

    def rows(self) -> list[UnitRow]:
        """The unit table's rows: the filters, then the sort."""
        return self.filters.apply(self.progress.rows)


def _load(request: HttpRequest, plan_id: int) -> tuple[Plan, DashboardForm, Dashboard | None]:
    """404 for a plan or unit outside the user's scope; no dashboard when a parameter is bad."""
    plan = get_plan_for_user(request.user, plan_id)
    form = DashboardForm(request.GET)
    if not form.is_valid():
        return plan, form, None
    data = form.cleaned_data
    root = progress_root_for(request.user, plan, data["don_vi"])
    as_of = data["ngay"] or timezone.localdate()
    progress = queries.plan_progress(plan, root, scope_for(request.user), as_of, with_children=True)
    return plan, form, Dashboard(plan, progress, form.filters())


def _load_for_export(request: HttpRequest, plan_id: int) -> Dashboard:
    _plan, form, dash = _load(request, plan_id)
    if dash is None:
        raise BadRequest("; ".join(str(e) for errors in form.errors.values() for e in errors))
    return dash


# ---------------------------------------------------------------------------------------------
# Pages.


@login_required
@require_GET
def dashboard(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The dashboard; an htmx request from the unit table's filters gets the table alone."""
    plan, form, dash = _load(request, plan_id)
    if dash is None:
        context = {"plan": plan, "form": form, "dash": None}
        return render(request, "study/dashboard.html", context, status=400)
    # A page of the table at a time: a province has thousands of expected units, a phone
    # shows a hundred well; the .xlsx has them all.
    page = Paginator(dash.rows(), UNIT_TABLE_PAGE).get_page(request.GET.get("trang"))
    table_lines = queries.unit_lines(dash.progress, page.object_list)
    context = {
        "plan": plan,
        "form": form,
        "dash": dash,
        "page": page,
        "lines": table_lines,
        "unit_rows": presenters.unit_rows(table_lines, _row_url(plan, dash.as_of)),
        # The first, the last and those around this one: a nation's table has 500 pages.
        "page_numbers": list(page.paginator.get_elided_page_range(page.number, on_each_side=2)),
        "status_filters": [(spec.slug, spec.label) for spec in ROW_FILTERS.values()],
        "sort_choices": SORT_CHOICES,
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "unit-table":
        response = render(request, "study/_unit_table.html", context)
    else:
        dashboard_url = reverse("study_dashboard", args=[plan.pk])
        choices = queries.unit_choices(scope_for(request.user), dash.progress)
        as_of = f"{dash.as_of:%d/%m/%Y}"
        context |= {
            "levels": queries.level_lines(dash.progress),
            "unit_options": unit_options(choices, dash.root.pk),
            "unit_choices": choices,
            "coverage_chart": coverage_chart(
                dash.progress, lambda pk: f"{dashboard_url}?don_vi={pk}&ngay={as_of}"
            ),
            "timeline_chart": timeline_chart(dash.progress),
            "coverage_unknown": coverage_unknown(dash.progress),
        }
        response = render(request, "study/dashboard.html", context)
    # The same URL answers a page or a fragment: caches must tell them apart.
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


# ---------------------------------------------------------------------------------------------
# Exports: the same rows as the page (all its pages), written by ``reports``.


@login_required
@require_GET
def unit_table_xlsx(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The unit table as on the page (same filters and order) as an .xlsx."""
    dash = _load_for_export(request, plan_id)
    content = reports.unit_table_xlsx(dash.progress, dash.rows())
    filename = f"tien-do-ke-hoach-{dash.plan.pk}-don-vi-{dash.root.pk}-{dash.as_of:%d-%m-%Y}.xlsx"
    return download(content, filename, XLSX_CONTENT_TYPE)


@login_required
@require_GET
def report_docx(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The summary report as a Party-format .docx, for the same unit and date as the page."""
    # Status labels and problems are worded as the document needs them: in Vietnamese.
    with translation.override("vi"):
        dash = _load_for_export(request, plan_id)
        content = reports.report_document(dash.progress)
    filename = f"bao-cao-ke-hoach-{dash.plan.pk}-don-vi-{dash.root.pk}-{dash.as_of:%d-%m-%Y}.docx"
    return download(content, filename, DOCX_CONTENT_TYPE)


urlpatterns: list[URLPattern] = [
    path("<int:plan_id>/tien-do/", dashboard, name="study_dashboard"),
    path("<int:plan_id>/tien-do/bang.xlsx", unit_table_xlsx, name="study_unit_table_xlsx"),
    path("<int:plan_id>/tien-do/bao-cao.docx", report_docx, name="study_report_docx"),
]
