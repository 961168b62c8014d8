"""Indicators and figures: tables, charts, downloads, yearly import, figure look-up.

Public pages show what an edition froze (``EditionObservation``), the latest by default and any
older one at its permanent ``<year>/`` URL; each runs a fixed number of queries. The import page
is for gazetteer editors only (404 to everyone else) and writes the working figures, which the
public sees once the next edition is published.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from tinhuy.documents.csvfile import CSV_CONTENT_TYPE
from tinhuy.documents.forms import UploadForm, handle_upload
from tinhuy.documents.responses import download
from tinhuy.documents.xlsx import XLSX_CONTENT_TYPE
from tinhuy.gazetteer import figures, lookup, queries
from tinhuy.gazetteer.access import require_editor
from tinhuy.gazetteer.imports import figures as figure_imports
from tinhuy.gazetteer.models import Edition, EditionObservation, Indicator, Place


def _edition(year: int) -> Edition:
    """The edition of that year, or 404 (a year too large for the column is simply unknown)."""
    if year > 32767:  # PositiveSmallIntegerField; a larger number overflows the column.
        raise Http404("No edition.")
    return queries.get_edition(year)


def _param(request: HttpRequest, name: str, max_length: int) -> str:
    # NUL is dropped: PostgreSQL refuses it in text.
    return request.GET.get(name, "").replace("\x00", "").strip()[:max_length]


# Indicators -------------------------------------------------------------------------------------


@require_safe
def indicators_latest(request: HttpRequest) -> HttpResponse:
    """``chi-tieu/``: to the latest edition's list (302: it moves every year)."""
    edition = queries.get_edition(None)
    return HttpResponseRedirect(reverse("gazetteer_indicators", kwargs={"year": edition.year}))


@require_safe
def indicators(request: HttpRequest, year: int) -> HttpResponse:
    """The indicators the edition has figures for."""
    edition = _edition(year)
    return render(
        request,
        "gazetteer/figures_indicators.html",
        {
            "edition": edition,
            "indicators": list(figures.indicators_in(edition)),
            "latest": queries.latest_edition(),
        },
    )


@require_safe
def indicator_latest(request: HttpRequest, code: str) -> HttpResponse:
    """``chi-tieu/<code>/``: to the indicator in the latest edition."""
    edition = queries.get_edition(None)
    indicator = figures.get_indicator(edition, code)
    return HttpResponseRedirect(
        reverse("gazetteer_indicator", kwargs={"year": edition.year, "code": indicator.code})
    )


@require_safe
def indicator(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """Definition, unit, a table place × year, and a line chart per place."""
    edition = _edition(year)
    found = figures.get_indicator(edition, code)
    table = figures.indicator_table(figures.indicator_figures(edition, found))
    latest = queries.latest_edition()
    return render(
        request,
        "gazetteer/figures_indicator.html",
        {
            "edition": edition,
            "indicator": found,
            "table": table,
            "chart": table.chart_data(),
            "latest": latest,
            "is_latest": latest is not None and latest.pk == edition.pk,
        },
    )


# Downloads --------------------------------------------------------------------------------------


def _indicator_rows(year: int, code: str) -> tuple[Edition, Indicator, list[EditionObservation]]:
    edition = _edition(year)
    found = figures.get_indicator(edition, code)
    return edition, found, figures.indicator_figures(edition, found)


def _place_rows(year: int, code: str) -> tuple[Edition, Place, list[EditionObservation]]:
    """The place page's query (``figures.place_figures``): the page and its files agree."""
    edition = _edition(year)
    place = figures.get_place(code)
    return edition, place, figures.place_figures(edition, place)


@require_safe
def indicator_csv(request: HttpRequest, year: int, code: str) -> HttpResponse:
    edition, found, rows = _indicator_rows(year, code)
    return download(figures.figures_csv(rows), f"{found.code}-{edition.year}.csv", CSV_CONTENT_TYPE)


@require_safe
def indicator_xlsx(request: HttpRequest, year: int, code: str) -> HttpResponse:
    edition, found, rows = _indicator_rows(year, code)
    content = figures.figures_xlsx(rows, sheet_title=found.name)
    return download(content, f"{found.code}-{edition.year}.xlsx", XLSX_CONTENT_TYPE)


@require_safe
def place_csv(request: HttpRequest, year: int, code: str) -> HttpResponse:
    edition, place, rows = _place_rows(year, code)
    return download(
        figures.figures_csv(rows), f"so-lieu-{place.code}-{edition.year}.csv", CSV_CONTENT_TYPE
    )


@require_safe
def place_xlsx(request: HttpRequest, year: int, code: str) -> HttpResponse:
    edition, place, rows = _place_rows(year, code)
    content = figures.figures_xlsx(rows, sheet_title=place.full_name)
    return download(content, f"so-lieu-{place.code}-{edition.year}.xlsx", XLSX_CONTENT_TYPE)


# Look-up ----------------------------------------------------------------------------------------


@require_safe
def lookup_page(request: HttpRequest) -> HttpResponse:
    """``tra-cuu/?q=dân số Nghi Lộc 2019``: the figure, or what to try instead."""
    q = _param(request, "q", lookup.MAX_QUERY)
    result = lookup.lookup(q) if q else None
    return render(
        request,
        "gazetteer/figures_lookup.html",
        {
            "q": q,
            "result": result,
            "answer": result.answer if result else None,
            "edition": queries.latest_edition(),
            "examples": [] if q else lookup.examples(),
        },
    )


# Import (editors) -------------------------------------------------------------------------------


class FiguresImportForm(UploadForm):
    """The shared upload form (size checked before the file is read) and a dry run."""

    dry_run = forms.BooleanField(
        label=gettext_lazy("Chỉ kiểm tra tệp, chưa ghi gì"), required=False
    )


@login_required
@require_http_methods(["GET", "POST"])
def figures_import(request: HttpRequest) -> HttpResponse:
    """Upload a year's figures (CSV or .xlsx); every row is checked, then all are saved or none.
    A file too large answers 413, a refused file or rows with errors 400."""
    require_editor(request.user)
    upload = handle_upload(
        request,
        lambda form: figure_imports.import_observations(
            form.read(),
            form.filename,
            acting_user=request.user,
            dry_run=form.cleaned_data["dry_run"],
        ),
        form_class=FiguresImportForm,
    )
    result = upload.result
    checked = result if upload.succeeded and upload.form.cleaned_data["dry_run"] else None
    if upload.succeeded and result is not None and checked is None:
        messages.success(
            request,
            _(
                "Đã nhập tệp “%(file)s”: %(added)s số liệu mới, %(revised)s số liệu được sửa. "
                "Công chúng sẽ thấy các số liệu này khi ấn bản sau được công bố."
            )
            % {"file": upload.form.filename, "added": result.added, "revised": result.revised},
        )
        return redirect("gazetteer_figures_import")
    return render(
        request,
        "gazetteer/figures_import.html",
        {
            **upload.context(),
            "checked": checked,
            "indicators": list(Indicator.objects.order_by("name")),
            "sheet_name": figure_imports.SHEET_NAME,
            "min_year": figures.MIN_YEAR,
            "max_year": figures.MAX_YEAR,
        },
        status=upload.status,
    )


@login_required
@require_safe
def figures_template(request: HttpRequest) -> HttpResponse:
    """The file to fill in: ``?format=xlsx`` (default) or ``?format=csv``."""
    require_editor(request.user)
    file_format = request.GET.get("format", "xlsx")
    if file_format == "xlsx":
        content = figure_imports.template_xlsx()
        return download(content, "mau-nhap-so-lieu.xlsx", XLSX_CONTENT_TYPE)
    if file_format == "csv":
        content = figure_imports.template_csv()
        return download(content, "mau-nhap-so-lieu.csv", CSV_CONTENT_TYPE)
    raise Http404("No such template format.")


urlpatterns: list[URLPattern] = [
    path("chi-tieu/", indicators_latest, name="gazetteer_indicators_latest"),
    path("chi-tieu/<slug:code>/", indicator_latest, name="gazetteer_indicator_latest"),
    path("<int:year>/chi-tieu/", indicators, name="gazetteer_indicators"),
    path("<int:year>/chi-tieu/<slug:code>/", indicator, name="gazetteer_indicator"),
    path(
        "<int:year>/chi-tieu/<slug:code>/so-lieu.csv",
        indicator_csv,
        name="gazetteer_indicator_csv",
    ),
    path(
        "<int:year>/chi-tieu/<slug:code>/so-lieu.xlsx",
        indicator_xlsx,
        name="gazetteer_indicator_xlsx",
    ),
    path("<int:year>/dia-danh/<str:code>/so-lieu.csv", place_csv, name="gazetteer_place_csv"),
    path("<int:year>/dia-danh/<str:code>/so-lieu.xlsx", place_xlsx, name="gazetteer_place_xlsx"),
    path("tra-cuu/", lookup_page, name="gazetteer_lookup"),
    path("bien-tap/so-lieu/nhap/", figures_import, name="gazetteer_figures_import"),
    path("bien-tap/so-lieu/mau/", figures_template, name="gazetteer_figures_template"),
]
