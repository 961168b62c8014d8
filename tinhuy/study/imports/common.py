"""What the study imports share: units typed by code, looked up in the caller's scope, and an
action's problems worded as row/column errors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from tinhuy.documents.tables import Columns, RowError, cell_error
from tinhuy.org.access import Scope
from tinhuy.org.models import Unit
from tinhuy.study.access import nameable_units
from tinhuy.study.actions import Problem

_BATCH = 900  # codes per lookup query (SQLite's parameter limit)


def units_in_scope(scope: Scope, structure_id: int, codes: Iterable[str]) -> dict[str, Unit]:
    """Code → unit for the codes of a file, a batch of queries for all of them.

    The rule of ``tinhuy.study.access`` (``unit_in_scope`` for one code, ``nameable_units``)
    for many: a unit outside the caller's scope is left out, so the import answers for it
    exactly as for a code that does not exist, and no file tells an officer which codes exist
    elsewhere.
    """
    wanted = sorted({code for code in codes if code})
    units: dict[str, Unit] = {}
    nameable = nameable_units(scope, structure_id)
    for i in range(0, len(wanted), _BATCH):
        units.update((u.code, u) for u in nameable.filter(code__in=wanted[i : i + _BATCH]))
    return units


def problem_errors(
    problems: Sequence[Problem], columns: Columns, keys: Mapping[str, str] | None = None
) -> list[RowError]:
    """An action's problems as row/column errors (``keys``: spec field → column field)."""
    keys = keys or {}
    return [cell_error(columns, p.row, keys.get(p.field, p.field), p.message) for p in problems]
