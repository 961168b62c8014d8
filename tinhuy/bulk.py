"""Plain INSERT of many rows, for the imports that write hundreds of thousands of them, and
plain reads of thousands (``plain_rows``).

``bulk_create`` builds a model instance per row and prepares every value of every row through
its field in Python; for 225,000 attendance rows that is most of the import (``make bench``:
``bench/study.py`` prints both). Here a converter is chosen once per column and the rows go as
multi-row ``VALUES`` (SQLite) or one ``UNNEST`` of an array per column (PostgreSQL, as
``bulk_create`` itself does since Django 5.2). No signals, no ``save()``: the caller is an action
that checked every row and writes its audit event itself.
"""

from __future__ import annotations

import datetime
import gc
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models import Field, Lookup, QuerySet


@Field.register_lookup
class AnyOf(Lookup):  # type: ignore[type-arg]
    """``conference_id__any=[…]``: the rows whose value is one of many, as **one** parameter:
    ``= ANY(%s)`` with an array on PostgreSQL, ``IN (SELECT value FROM json_each(%s))`` with a
    JSON list on SQLite. Django's ``__in`` makes one parameter per value, and for a province's
    1,500 conferences preparing them (in Django, then in the driver) took ten times as long as
    the database took to answer. Integers and text only; an empty list matches nothing. Pass a
    set (or any iterable but a list or tuple) to spare Django's walk over every value."""

    lookup_name = "any"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if connection.vendor == "postgresql":
            if all(type(v) is int for v in values):
                # An array literal: the driver would adapt thousands of ints one by one.
                literal = "{" + ",".join(map(str, values)) + "}"
                return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, literal]
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        # ``lhs`` is a column Django compiled; the values go as a parameter.
        sql = f"{lhs} IN (SELECT value FROM json_each(%s))"  # noqa: S608
        return sql, [*lhs_params, json.dumps(values)]


models.ForeignObject.register_lookup(AnyOf)  # ``host_id__any``: a foreign key's own lookups


_UNNEST_BATCH = 10_000
_VALUES_BATCH = 1_000


def _converter(field: models.Field) -> Callable[[Any], Any] | None:  # type: ignore[type-arg]
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.DecimalField):
        return lambda v: ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)
    return None  # int, str, bool, None: the driver takes them as they are


def _one_value(rows: Sequence[tuple[Any, ...]], i: int) -> bool:
    first = rows[0][i]
    return all(row[i] is first for row in rows)


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """INSERT ``rows`` (one value per name in ``fields``; a foreign key by its ``…_id``) into
    ``model``'s table, inside the caller's transaction."""
    if not rows:
        return
    meta = model._meta
    columns: list[models.Field] = [meta.get_field(name) for name in fields]  # type: ignore[type-arg, misc]
    quote = connection.ops.quote_name
    into = f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in columns)}) "
    converters = [(i, c) for i, f in enumerate(columns) if (c := _converter(f)) is not None]
    if converters:
        # An import stamps every row with one time: convert such a column once.
        same = {i: convert(rows[0][i]) for i, convert in converters if _one_value(rows, i)}
        varying = [(i, convert) for i, convert in converters if i not in same]
        converted = []
        for row in rows:
            values = list(row)
            for i, value in same.items():
                values[i] = value
            for i, convert in varying:
                values[i] = convert(values[i])
            converted.append(values)
        rows = converted  # type: ignore[assignment]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in columns)
            # Table, columns and types come from the model's meta, never from input.
            sql = into + f"SELECT * FROM UNNEST({arrays})"  # noqa: S608
            for start in range(0, len(rows), _UNNEST_BATCH):
                part = rows[start : start + _UNNEST_BATCH]
                cursor.execute(sql, [list(column) for column in zip(*part, strict=True)])
            return
        limit = connection.features.max_query_params or 999
        per_statement = max(1, min(_VALUES_BATCH, limit // len(columns)))
        placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
        for start in range(0, len(rows), per_statement):
            part = rows[start : start + per_statement]
            sql = into + "VALUES " + ", ".join([placeholder] * len(part))
            cursor.execute(sql, [value for row in part for value in row])


def plain_rows(rows: QuerySet[Any, Any]) -> list[tuple[Any, ...]]:
    """The rows of a ``values_list`` by the cursor, without the ORM's conversion of every value
    (most of the time of reading thousands of rows). For columns the drivers return as they
    are — integers and text; a date comes back as ISO text on SQLite, JSON as text (``as_date``,
    ``as_json``). A filter that can match nothing (``__in=[]``) reads nothing, as in the ORM."""
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def as_date(value: Any) -> datetime.date:
    """A date column's value from ``plain_rows``."""
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def as_datetime(value: Any) -> datetime.datetime:
    """A date-and-time column's value from ``plain_rows`` (aware, as the ORM gives it)."""
    if isinstance(value, datetime.datetime):
        return value
    parsed = datetime.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def as_json(value: Any) -> Any:
    """A JSON column's value from ``plain_rows``."""
    return json.loads(value) if isinstance(value, str | bytes) else value


# Stand-ins for a compiled read's arguments (ids): values no id of ours reaches and no query
# holds as a constant, inside every integer column's range (Django answers a value out of a
# column's range — a negative id for a positive column — with an empty result, not SQL).
_SENTINELS = tuple(2_147_480_000 + n for n in range(8))
# … and for a date argument (``dates=``): days no record of ours is dated.
_DATE_SENTINELS = tuple(datetime.date(1001, 1, 1 + n) for n in range(8))


def _hashable(value: Any) -> bool:
    return isinstance(value, int | str | datetime.date)


class CompiledRows:
    """The rows of a ``values_list`` read whose SQL changes only with its arguments' values
    (ids compared with ``=``), compiled once per process and database vendor and then run by
    the cursor with each call's values — for the small reads a page makes on every request,
    where building and compiling the query through the ORM costs several times what the
    database takes to answer it (``bench/meetings.py``: 0.3–0.6 ms against 0.02–0.07 ms).

    ``build`` receives stand-in values and returns the queryset; each stand-in must appear in
    the compiled parameters (checked once). ``convert``: a function for the columns the driver
    does not give as Python wants them (a date or a time is text on SQLite: ``as_date``,
    ``as_datetime``); the others come as the driver gives them (``plain_rows``), a boolean as
    0 or 1 on SQLite.
    """

    def __init__(
        self,
        build: Callable[..., QuerySet[Any, Any]],
        *,
        arity: int,
        convert: dict[int, Callable[[Any], Any]] | None = None,
        dates: Sequence[int] = (),
    ) -> None:
        """``dates``: the positions of the arguments that are dates (the others are ids)."""
        self.build, self.arity, self.convert = build, arity, convert or {}
        self.date_args = frozenset(dates)
        self.stand_ins = tuple(
            _DATE_SENTINELS[n] if n in dates else _SENTINELS[n] for n in range(arity)
        )
        self._compiled: dict[tuple[str, str], tuple[str, tuple[Any, ...], dict[int, int]]] = {}

    def _compile(self) -> tuple[str, tuple[Any, ...], dict[int, int]]:
        key = (connection.alias, connection.vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            stand_ins = self.stand_ins
            sql, params = self.build(*stand_ins).query.sql_with_params()
            # A date reaches SQLite's parameters as ISO text (the backend adapts it): found in
            # either form, and given back in the form found.
            forms: dict[object, int] = {v: n for n, v in enumerate(stand_ins)}
            for n, v in enumerate(stand_ins):
                if isinstance(v, datetime.date):
                    forms[v.isoformat()] = -1 - n
            where = {i: forms[p] for i, p in enumerate(params) if _hashable(p) and p in forms}
            missing = set(range(self.arity)) - {n if n >= 0 else -1 - n for n in where.values()}
            if missing:
                raise ValueError(f"Arguments {sorted(missing)} do not reach the SQL: {sql}")
            compiled = (sql, tuple(params), where)
            self._compiled[key] = compiled  # the same value whichever thread writes it
        return compiled

    def __call__(self, *args: Any) -> list[tuple[Any, ...]]:
        if len(args) != self.arity:
            raise TypeError(f"{self.arity} arguments expected, {len(args)} given")
        sql, template, where = self._compile()
        params = list(template)
        for position, argument in where.items():
            if argument >= 0:
                params[position] = args[argument]
            else:
                params[position] = args[-1 - argument].isoformat()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if self.convert:
            convert = self.convert
            rows = [
                tuple(
                    convert[i](v) if i in convert and v is not None else v
                    for i, v in enumerate(row)
                )
                for row in rows
            ]
        return rows


_IDS_STAND_IN = 2_147_480_100  # an id no row reaches, inside every id column's range
IDS_PER_STATEMENT = 500  # ids per statement, under every database's limit of parameters


class RowsByIds:
    """A ``values_list`` read of the rows whose ids are in a list (``pk__in``), compiled once
    per process and database with one stand-in id, then run with each call's ids — building and
    compiling such a read through the ORM costs more than the database takes to answer it."""

    def __init__(self, build: Callable[[list[int]], QuerySet[Any, Any]]) -> None:
        self.build = build
        self._compiled: dict[tuple[str, str], tuple[str, str, list[Any], int]] = {}

    def _compile(self) -> tuple[str, str, list[Any], int]:
        key = (connection.alias, connection.vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            sql, params = self.build([_IDS_STAND_IN]).query.sql_with_params()
            at = [i for i, value in enumerate(params) if value == _IDS_STAND_IN]
            if len(at) != 1 or sql.count(" IN (%s)") != 1:
                raise ValueError(f"One list of ids expected in: {sql}")
            head, tail = sql.split(" IN (%s)")
            compiled = self._compiled[key] = (head, tail, list(params), at[0])
        return compiled

    def __call__(self, ids: Iterable[int]) -> list[tuple[Any, ...]]:
        head, tail, params, at = self._compile()
        wanted = sorted(ids)
        rows: list[tuple[Any, ...]] = []
        with connection.cursor() as cursor:
            for start in range(0, len(wanted), IDS_PER_STATEMENT):
                part = wanted[start : start + IDS_PER_STATEMENT]
                marks = ", ".join(["%s"] * len(part))
                cursor.execute(
                    f"{head} IN ({marks}){tail}", [*params[:at], *part, *params[at + 1 :]]
                )
                rows.extend(cursor.fetchall())
        return rows


@contextmanager
def many_objects_kept() -> Iterator[None]:
    """No cyclic garbage collection while code builds tens of thousands of objects it keeps (a
    province's 3,000 standings, a nation's 50,000; an import's 225,000 rows made specs): each
    collection would walk all of them again, for nothing to collect — a third of the time of a
    province's dashboard (``make bench-national``), half the attendance import's loop. The
    cycles made meanwhile, if any, are collected afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def freeze_startup_objects() -> int:
    """Leave the objects made while the application started (modules, classes, models, settings:
    93,000 when ``tinhuy.wsgi`` is loaded) out of every later cyclic garbage collection; the
    number frozen.

    A full collection walks every object tracked: in a worker holding Ho Chi Minh City's kept
    progress (``make bench-national``'s database), one took 62–85 ms with them, 22–42 ms
    without. They live as long as the process, so nothing is lost by never examining them
    (Python's ``gc.freeze``); whatever was garbage already is collected first. Called once,
    where a worker loads the application (``tinhuy.wsgi``) — and by the benchmarks, which serve
    as a worker does."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
