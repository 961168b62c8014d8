"""Reads of the organisation shared by pages, API and exports. All of them take a scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from tinhuy.org.access import Scope
from tinhuy.org.models import Person, Structure, Unit, UnitQuerySet


def with_child_counts(units: QuerySet[Unit]) -> QuerySet[Unit]:
    return units.select_related("level").annotate(child_count=Count("children"))


def units_list(
    scope: Scope,
    *,
    structure: Structure | None = None,
    parent: Unit | None = None,
    query: str = "",
) -> QuerySet[Unit]:
    """Units in scope, filtered; in Vietnamese name order. One query, whatever the page size."""
    units: UnitQuerySet = scope.units(Unit.objects.select_related("level", "structure"))  # type: ignore[assignment]
    if structure is not None:
        units = units.filter(structure=structure)
    if parent is not None:
        units = units.filter(parent=parent)
    if query:
        units = units.matching(query)
    return units.order_by("name_sort", "id")


def mark_has_children(units: list[Unit]) -> list[Unit]:
    """Set ``has_children`` on a page of units with one query (an Exists() per row made
    PostgreSQL scan the whole unit table on every list)."""
    parents = set(
        Unit.objects.filter(parent_id__in=[u.pk for u in units])
        .values_list("parent_id", flat=True)
        .distinct()
    )
    for unit in units:
        unit.has_children = unit.pk in parents  # type: ignore[attr-defined]
    return units


def scope_roots(scope: Scope, structure: Structure) -> QuerySet[Unit]:
    """The top units the user sees in a structure: the root, or their own units."""
    units = Unit.objects.filter(structure=structure)
    if scope.everything:
        units = units.filter(parent__isnull=True)
    else:
        units = units.filter(path__in=scope.view_paths)
    return with_child_counts(units).order_by("name_sort", "id")


def children_of(unit: Unit) -> QuerySet[Unit]:
    """The unit's direct children (every child of a visible unit is visible)."""
    return with_child_counts(unit.children.all()).order_by("name_sort", "id")


@dataclass(frozen=True)
class UnitDetail:
    unit: Unit
    ancestors: list[Unit]
    children: list[Unit]
    people: list[Person]
    successors: list[Unit]


def unit_detail(scope: Scope, unit: Unit) -> UnitDetail:
    """The unit with the part of its path the user may see, its children and its people."""
    ancestors = [
        a
        for a in Unit.objects.filter(pk__in=unit.ancestor_ids).order_by("depth")
        if scope.can_view(a)
    ]
    return UnitDetail(
        unit=unit,
        ancestors=ancestors,
        children=list(children_of(unit)),
        people=list(unit.people.all()),
        successors=[s for s in unit.successors.select_related("structure") if scope.can_view(s)],
    )


def level_counts(structure: Structure, scope: Scope) -> list[tuple[str, int]]:
    """(level name, number of units in scope) for each level of a structure, top first."""
    counts = dict(
        scope.units(Unit.objects.filter(structure=structure))
        .values_list("level_id")
        .annotate(n=Count("id"))
        .values_list("level_id", "n")
    )
    return [(level.name, counts.get(level.pk, 0)) for level in structure.levels.all()]
