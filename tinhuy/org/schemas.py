"""API shapes of the organisation."""

from __future__ import annotations

import datetime

from ninja import Schema


class LevelOut(Schema):
    id: int
    order: int
    code: str
    name: str


class StructureOut(Schema):
    id: int
    code: str
    name: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    levels: list[LevelOut]


class UnitRef(Schema):
    id: int
    code: str
    name: str


class UnitOut(Schema):
    id: int
    structure_id: int
    code: str
    name: str
    kind: str
    level_id: int
    level_name: str
    parent_id: int | None
    depth: int
    is_sample: bool
    has_children: bool

    @staticmethod
    def resolve_level_name(obj: object) -> str:
        return obj.level.name  # type: ignore[attr-defined]

    @staticmethod
    def resolve_has_children(obj: object) -> bool:
        has = getattr(obj, "has_children", None)
        if has is None:
            has = getattr(obj, "child_count", 0) > 0
        return bool(has)


class PersonOut(Schema):
    id: int
    full_name: str
    position: str
    is_sample: bool


class UnitDetailOut(UnitOut):
    """A unit with the ancestors the caller may see (root first), children, people, successors.

    Resolved from a ``queries.UnitDetail`` attached to the unit as ``detail``.
    """

    ancestors: list[UnitRef]
    children: list[UnitOut]
    people: list[PersonOut]
    successors: list[UnitRef]

    @staticmethod
    def resolve_ancestors(obj: object) -> list:
        return obj.detail.ancestors  # type: ignore[attr-defined]

    @staticmethod
    def resolve_children(obj: object) -> list:
        return obj.detail.children  # type: ignore[attr-defined]

    @staticmethod
    def resolve_people(obj: object) -> list:
        return obj.detail.people  # type: ignore[attr-defined]

    @staticmethod
    def resolve_successors(obj: object) -> list:
        return obj.detail.successors  # type: ignore[attr-defined]

    @staticmethod
    def resolve_has_children(obj: object) -> bool:
        return bool(obj.detail.children)  # type: ignore[attr-defined]
