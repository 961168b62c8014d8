"""One vocabulary for the unit table (``queries.UnitFilters``) and the files built from it
(``tinhuy.study.reports``).

The dashboard (``?trang_thai=&cap=&sap_xep=``), its .xlsx export (the same parameters) and the
API (``status=&level=``) narrow the same ``plan_progress`` rows with the same filters: for the
same filters they list the same units in the same order. Who may read what is tested with each
page (``test_dashboard``, ``test_exports``, ``test_api``); here the province office reads the
whole province, the largest table of the sample.
"""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from tinhuy.org.access import scope_for
from tinhuy.org.models import Unit
from tinhuy.study import queries
from tinhuy.study.queries import ROW_FILTER_SLUGS, ROW_FILTERS, RowFilter, UnitFilters
from tinhuy.study.schemas import StatusFilter

FEBRUARY = datetime.date(2021, 2, 1)  # late, missing, held on time and non-compliant units
# The filters the API takes: its ``StatusFilter`` is a part of ``RowFilter``.
API_FILTERS = [RowFilter(value.value) for value in StatusFilter]


def _level(plan, code: str) -> int:  # type: ignore[no-untyped-def]
    return plan.rules.get(level__code=code).level_id  # type: ignore[no-any-return]


def page_ids(client, plan, params: dict[str, object]) -> list[int]:  # type: ignore[no-untyped-def]
    """The unit ids of the dashboard's table, every page of it, in order."""
    ids: list[int] = []
    number = 1
    while True:
        response = client.get(
            reverse("study_dashboard", args=[plan.pk]), {**params, "trang": number}
        )
        assert response.status_code == 200
        body = response.content.decode()
        ids += [int(pk) for pk in re.findall(r'<tr data-unit="(\d+)"', body)]
        if not response.context["page"].has_next():
            return ids
        number += 1


def xlsx_ids(client, plan, params: dict[str, object]) -> list[int]:  # type: ignore[no-untyped-def]
    """The unit ids of the .xlsx export's rows (read by their codes), in order."""
    response = client.get(reverse("study_unit_table_xlsx", args=[plan.pk]), params)
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    ids = dict(Unit.objects.filter(structure=plan.structure).values_list("code", "id"))
    return [ids[row[1]] for row in rows[1:]]


def api_ids(client, plan, params: dict[str, object]) -> list[int]:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/study/plans/{plan.pk}/units", {**params, "page_size": 200})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["count"] == len(data["items"])  # one page holds them all
    return [item["id"] for item in data["items"]]


@pytest.mark.parametrize("level", [None, "huyen", "co-so"])
@pytest.mark.parametrize("status", [None, *API_FILTERS])
def test_the_page_the_xlsx_and_the_api_give_the_same_rows_for_the_same_filters(
    client_for, personas, plan_2020, status, level, django_assert_max_num_queries
) -> None:
    client = client_for(personas.province_office)
    level_id = _level(plan_2020, level) if level else None
    page_params: dict[str, object] = {"ngay": "01/02/2021"}
    api_params: dict[str, object] = {"as_of": "2021-02-01"}
    if status is not None:
        page_params["trang_thai"] = ROW_FILTERS[status].slug
        api_params["status"] = status.value
    if level_id is not None:
        page_params["cap"] = api_params["level"] = level_id
    with django_assert_max_num_queries(16):
        from_api = api_ids(client, plan_2020, api_params)
    with django_assert_max_num_queries(18):
        from_xlsx = xlsx_ids(client, plan_2020, page_params)
    from_page = page_ids(client, plan_2020, page_params)
    assert from_page == from_xlsx == from_api
    # And what the shared filters say, read without any page.
    progress = queries.plan_progress(
        plan_2020, plan_2020.issuing_unit, scope_for(personas.province_office), FEBRUARY
    )
    expected = UnitFilters(status=status, level_id=level_id).apply(progress.rows)
    assert from_api == [row.unit_id for row in expected]


def test_some_filters_keep_something_and_leave_something_out(
    client_for, personas, plan_2020
) -> None:
    """The comparison above is not between empty tables: as of 01/02/2021 each filter of the
    API keeps some district or grassroots units and leaves others out."""
    client = client_for(personas.province_office)
    every = api_ids(client, plan_2020, {"as_of": "2021-02-01"})
    for status in (RowFilter.HELD_LATE, RowFilter.MISSING, RowFilter.HELD_ON_TIME):
        kept = api_ids(client, plan_2020, {"as_of": "2021-02-01", "status": status.value})
        assert 0 < len(kept) < len(every), status


@pytest.mark.parametrize("status", [RowFilter.ATTENTION, RowFilter.UNREPORTED])
@pytest.mark.parametrize("sort", ["", "-ty-le", "ngay", "trang-thai"])
def test_the_page_and_the_xlsx_share_the_pages_own_filters_and_order(
    client_for, personas, plan_2020, status, sort
) -> None:
    client = client_for(personas.province_office)
    params = {"ngay": "01/02/2021", "trang_thai": ROW_FILTERS[status].slug, "sap_xep": sort}
    assert page_ids(client, plan_2020, params) == xlsx_ids(client, plan_2020, params)


def test_the_attention_filter_is_late_missing_or_not_compliant(plan_2020, personas) -> None:
    progress = queries.plan_progress(
        plan_2020, plan_2020.issuing_unit, scope_for(personas.province_office), FEBRUARY
    )
    attention = {id(row) for row in UnitFilters(status=RowFilter.ATTENTION).apply(progress.rows)}
    parts = set()
    for status in (RowFilter.HELD_LATE, RowFilter.MISSING, RowFilter.NON_COMPLIANT):
        parts |= {id(row) for row in UnitFilters(status=status).apply(progress.rows)}
    assert attention == parts and attention


def test_every_filter_has_one_slug_and_an_unknown_sort_is_refused() -> None:
    assert len(ROW_FILTER_SLUGS) == len(ROW_FILTERS) == len(RowFilter)
    for status, spec in ROW_FILTERS.items():
        assert UnitFilters.from_slugs(spec.slug).status == status
        assert UnitFilters(status=status).status_slug == spec.slug
    assert UnitFilters.from_slugs("", None, "-ten") == UnitFilters(sort="-ten")
    with pytest.raises(ValueError, match="sort"):
        UnitFilters(sort="tuoi")


def test_the_api_rejects_a_filter_it_does_not_know(client_for, personas, plan_2020) -> None:
    response = client_for(personas.province_office).get(
        f"/api/v1/study/plans/{plan_2020.pk}/units", {"status": "qua-han"}
    )
    assert response.status_code == 422


# --- the plan as a Party document -------------------------------------------------------------


def test_the_plan_document_is_vietnamese_for_an_english_reader(
    client_for, personas, plan_2020
) -> None:
    """Lengths are worded "1 buổi", "1 ngày" whatever the reader's language."""
    client = client_for(personas.province_office)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("study_plan_docx", args=[plan_2020.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="ke-hoach-{plan_2020.pk}.docx"'
    document = Document(io.BytesIO(response.content))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Cấp")
    lengths = [row.cells[2].text for row in table.rows[1:]]
    assert lengths and all(re.fullmatch(r"\d+ (buổi|ngày)", text) for text in lengths)
