"""Versions of the data under the parts of a structure (``DataVersion``).

``bump`` runs inside every audited change (``tinhuy.audit.actions.record``), so the version of
the part a change falls under moves in the same transaction as the change; ``current`` reads a
structure's versions in one query. A result computed from a part's rows can be kept while the
versions it was computed at are the current ones: it cannot be older than the data it reports.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db import connection

from tinhuy.org.models import DataVersion, Unit

WHOLE = 0  # the part that stands for the whole structure


def part_of(path: str) -> int:
    """The part a unit's data falls under: the unit right below the top ("/1/18/123/" → 18);
    the top itself falls under the whole structure."""
    ids = path.strip("/").split("/")
    return int(ids[1]) if len(ids) > 1 else WHOLE


def sub_part_of(path: str) -> int | None:
    """The unit two below the top a unit falls under ("/1/18/123/456/" → 123), if any."""
    ids = path.strip("/").split("/")
    return int(ids[2]) if len(ids) > 2 else None


def own_part(part: int) -> int:
    """Where a part's own changes that reach no unit below it are counted (``bump``)."""
    return -part


def bump(
    structure_id: int,
    path: str | None,
    *,
    reaches_below: bool = True,
    reached: Iterable[str] = (),
) -> None:
    """One more change under ``path`` (a unit's path; None: anywhere in the structure).

    A change below a part moves the unit two below the top it falls under too, in the same
    statement: a part's changes are then either its own (at the part's unit itself) or those
    of its sub-parts, and a kept result can tell which (``tinhuy.study.queries``: a province
    whose one organisation changed judges that organisation again, not the province).

    ``reaches_below=False``: a change at a part's unit that bears on that unit's own standing
    and on the units taking part in its conferences, never otherwise on the units below it (a
    conference of the province's own, its headcount), but for the units at ``reached`` (the
    cells of a member list recorded at the province, their common ancestor): it is counted at
    ``own_part`` and the sub-parts it reached move as if changed each, so that a kept result
    can judge those again instead of the whole part. A change that reaches below in any other
    way (a unit's validity) is not: unaccounted for, it has the part judged whole."""
    moves: Counter[int] = Counter()
    if path is None:
        moves[WHOLE] += 1
    else:
        part, sub = part_of(path), sub_part_of(path)
        moves[part] += 1
        if sub is not None:
            moves[sub] += 1
        elif part != WHOLE and not reaches_below:
            moves[own_part(part)] += 1
            for below_sub in {s for p in reached if (s := sub_part_of(p)) is not None}:
                moves[part] += 1
                moves[below_sub] += 1
    table = connection.ops.quote_name(DataVersion._meta.db_table)
    values = ", ".join(["(%s, %s, %s)"] * len(moves))
    with connection.cursor() as cursor:
        # One statement, so that two writers at once both count (no read-then-insert race),
        # its rows in one order, so that two writers never wait for each other's.
        cursor.execute(
            f"INSERT INTO {table} (structure_id, part, version) VALUES {values} "  # noqa: S608
            f"ON CONFLICT (structure_id, part) DO UPDATE SET version = {table}.version + "
            "EXCLUDED.version",
            [value for part, n in sorted(moves.items()) for value in (structure_id, part, n)],
        )


def current(structure_id: int, parts: Iterable[int] | None = None) -> dict[int, int]:
    """The versions of these parts, of every part by default (a part never changed is absent:
    version 0). A year of changes leaves a row per organisation that changed: a view reads
    the parts it is keyed by, not those."""
    rows = DataVersion.objects.filter(structure_id=structure_id)
    if parts is not None:
        rows = rows.filter(part__in=set(parts))
    return dict(rows.values_list("part", "version"))


def below(structure_id: int, part: int) -> dict[int, int]:
    """The versions of the sub-parts of a part: of the units right below its unit."""
    return dict(
        DataVersion.objects.filter(
            structure_id=structure_id,
            part__in=Unit.objects.filter(parent_id=part).values("pk"),
        ).values_list("part", "version")
    )
