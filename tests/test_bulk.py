"""``tinhuy.bulk.insert_rows``: what goes in comes back, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import Units
from tinhuy.bulk import insert_rows
from tinhuy.gazetteer.models import Indicator, Observation, Place
from tinhuy.study.models import Member


@pytest.mark.django_db
def test_rows_come_back_as_written_with_strings_and_foreign_keys(units: Units) -> None:
    cell = units.nghiloc_cell
    loaded = datetime.datetime(2021, 1, 15, 2, 30, tzinfo=datetime.UTC)
    fields = (
        "structure_id", "cell_id", "province_id", "member_code", "full_name", "cell_path",
        "is_sample", "loaded_at",
    )  # fmt: skip
    rows = [
        (
            cell.structure_id,
            cell.pk,
            cell.province_id,
            f"BULK{i:05d}",
            f"Nguyễn Thị Hoà {i}",
            cell.path,
            True,
            loaded,
        )
        for i in range(2_500)  # several statements on SQLite (999 parameters each)
    ]

    insert_rows(Member, fields, rows)

    stored = Member.objects.filter(member_code__startswith="BULK").order_by("member_code")
    assert list(stored.values_list(*fields)) == rows


@pytest.mark.django_db
def test_datetimes_and_decimals_are_adapted_for_the_engine() -> None:
    place = Place.objects.first() or pytest.skip("no place in the demo")
    indicator = Indicator.objects.create(code="BULK", name="Chỉ tiêu thử", unit="người")
    stamp = datetime.datetime(2021, 1, 15, 2, 30, 5, tzinfo=datetime.UTC)
    fields = [f.name for f in Observation._meta.concrete_fields if f.name != "id"]
    row = {
        "indicator": indicator.pk,
        "place": place.pk,
        "year": 2019,
        "value": Decimal("3327791.50"),
        "source": "Tổng điều tra 2019",
        "note": "",
        "is_sample": False,
        "updated_at": stamp,
    }
    names = [f"{name}_id" if name in ("indicator", "place") else name for name in fields]

    insert_rows(Observation, names, [tuple(row[name] for name in fields)])

    stored = Observation.objects.get(indicator=indicator)
    assert (stored.year, stored.value) == (2019, Decimal("3327791.50"))
    assert stored.updated_at == stamp


@pytest.mark.django_db
def test_nothing_to_insert_sends_nothing() -> None:
    with CaptureQueriesContext(connection) as queries:
        insert_rows(Member, ("member_code",), [])
    assert len(queries) == 0


@pytest.mark.django_db
def test_a_column_of_varying_times_is_converted_row_by_row(units: Units) -> None:
    cell = units.nghiloc_cell
    fields = (
        "structure_id", "cell_id", "province_id", "member_code", "full_name", "cell_path",
        "is_sample", "loaded_at",
    )  # fmt: skip
    times = [datetime.datetime(2021, 1, day, 8, tzinfo=datetime.UTC) for day in (1, 2, 3)]
    rows = [
        (
            cell.structure_id,
            cell.pk,
            cell.province_id,
            f"TIME{i}",
            "Lê Thị Thuỷ",
            cell.path,
            False,
            at,
        )
        for i, at in enumerate(times)
    ]

    insert_rows(Member, fields, rows)

    stored = Member.objects.filter(member_code__startswith="TIME").order_by("member_code")
    assert list(stored.values_list("loaded_at", flat=True)) == times


@pytest.mark.django_db
def test_a_compiled_read_runs_its_sql_with_each_calls_values(units: Units) -> None:
    from tinhuy.bulk import CompiledRows, as_date
    from tinhuy.org.models import Structure, Unit

    children = CompiledRows(
        lambda parent_id: (
            Unit.objects.filter(parent_id=parent_id)
            .order_by("code")
            .values_list("code", "valid_from")
        ),
        arity=1,
        convert={1: as_date},
    )
    for parent in (units.vinh, units.nghiloc, units.vinh_cell):
        expected = list(parent.children.order_by("code").values_list("code", "valid_from"))
        assert children(parent.pk) == expected
    with pytest.raises(TypeError):
        children()
    unused = CompiledRows(lambda code: Structure.objects.values_list("id"), arity=1)
    with pytest.raises(ValueError, match="do not reach the SQL"):
        unused("x")


@pytest.mark.django_db
def test_a_read_by_ids_returns_the_rows_of_any_number_of_ids() -> None:
    from tinhuy.bulk import IDS_PER_STATEMENT, RowsByIds
    from tinhuy.org.models import Unit

    names = RowsByIds(lambda ids: Unit.objects.filter(pk__in=ids).values_list("id", "name"))
    ids = list(Unit.objects.order_by("id").values_list("id", flat=True)[: IDS_PER_STATEMENT + 7])
    assert len(ids) > IDS_PER_STATEMENT  # two statements
    expected = dict(Unit.objects.filter(pk__in=ids).values_list("id", "name"))
    assert dict(names(ids)) == expected
    assert names([]) == []


@pytest.mark.django_db
def test_any_of_many_ids_is_one_parameter(units: Units) -> None:
    """``field__any=[…]`` finds what ``__in`` finds, with one parameter for the whole list
    (thousands of ids cost Django and the driver more than the database), foreign keys too."""
    from tinhuy.org.models import Unit

    ids = list(Unit.objects.values_list("pk", flat=True)[:1_200])
    rows = Unit.objects.filter(pk__any=ids).values_list("pk", flat=True)
    assert len(rows.query.sql_with_params()[1]) == 1
    assert sorted(rows) == sorted(ids)
    parents = [units.vinh.pk, units.nghiloc.pk]
    assert set(Unit.objects.filter(parent_id__any=parents)) == set(
        Unit.objects.filter(parent__in=parents)
    )
    assert set(Unit.objects.filter(parent__any=parents)) == set(
        Unit.objects.filter(parent__in=parents)
    )
    assert not Unit.objects.filter(pk__any=[]).exists()
    assert list(Unit.objects.filter(code__any=[units.vinh.code]).values_list("pk", flat=True)) == [
        units.vinh.pk
    ]


def test_plain_rows_of_a_filter_that_matches_nothing_reads_nothing(units: Units) -> None:
    """``__in=[]`` cannot match: the ORM returns no rows without a query, and so does
    ``plain_rows`` (compiling it raises ``EmptyResultSet``, which a page showed as a 500)."""
    from tinhuy.bulk import plain_rows
    from tinhuy.org.models import Unit

    with CaptureQueriesContext(connection) as queries:
        assert plain_rows(Unit.objects.filter(level_id__in=[]).values_list("id")) == []
    assert len(queries) == 0
    assert plain_rows(Unit.objects.filter(pk=units.vinh.pk).values_list("id")) == [(units.vinh.pk,)]


def test_a_worker_leaves_what_it_loaded_out_of_garbage_collections(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Loading the application as gunicorn does (``tinhuy.wsgi``) freezes the objects made while
    it started: a later full collection does not walk them (``bulk.freeze_startup_objects``)."""
    environ = {
        **os.environ,
        "TINHUY_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "tinhuy.settings",
    }
    environ.pop("TINHUY_DATABASE_URL", None)
    script = (
        "import gc; print(gc.get_freeze_count()); import tinhuy.wsgi; print(gc.get_freeze_count())"
    )
    out = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", script], env=environ, capture_output=True, text=True, check=True
    ).stdout.split()
    before, after = (int(n) for n in out)
    assert before == 0
    assert after > 50_000  # the modules, models and settings of a loaded Django application
