"""Who may see and change which units — the one place every page, API call and export asks.

A user's scope is the union of the subtrees of the units they hold a membership in. The province
office administrator sees and changes everything. Anything outside a user's scope does not exist
for them: the helpers raise ``Http404``, never 403, so ids cannot be probed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from tinhuy.org.models import Membership, Role, Structure, Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser

# Roles that may change what is in their subtree (report, import, edit); the others only read.
CHANGE_ROLES = frozenset({Role.PROVINCE_ADMIN, Role.OFFICE_OFFICER, Role.UNIT_HEAD})
# Roles that see their unit's subtree. The gazetteer's editors work on the gazetteer: their
# membership says where they belong, and shows them nothing of the organisation.
VIEW_ROLES = CHANGE_ROLES | {Role.BOARD_MEMBER}


def _outermost(paths: set[str]) -> tuple[str, ...]:
    """Drop paths that lie inside another path of the set ("/1/5/" inside "/1/")."""
    kept: list[str] = []
    for path in sorted(paths, key=len):
        if not any(path.startswith(outer) for outer in kept):
            kept.append(path)
    return tuple(sorted(kept))


class HasPath(Protocol):
    """A unit as plain values (``tinhuy.study.queries.Child``): what a scope checks of it."""

    @property
    def path(self) -> str: ...


@dataclass(frozen=True)
class Scope:
    """What one user may see and change, as materialised-path prefixes."""

    everything: bool
    view_paths: tuple[str, ...]
    change_paths: tuple[str, ...]
    roles: frozenset[str]

    def q(self, prefix: str = "", *, change: bool = False) -> Q:
        """A filter for units (or, with ``prefix="unit__"``, for rows that point at a unit)."""
        if self.everything:
            return Q()
        paths = self.change_paths if change else self.view_paths
        if not paths:
            return Q(pk__in=[])
        condition = Q()
        for path in paths:
            condition |= Q(**{f"{prefix}path__subtree": path})
        return condition

    def units(
        self, queryset: QuerySet[Unit] | None = None, *, change: bool = False
    ) -> QuerySet[Unit]:
        base = Unit.objects.all() if queryset is None else queryset
        return base.filter(self.q(change=change))

    def can_view(self, unit: Unit | HasPath) -> bool:
        return self.everything or any(unit.path.startswith(p) for p in self.view_paths)

    def can_change(self, unit: Unit | HasPath) -> bool:
        return self.everything or any(unit.path.startswith(p) for p in self.change_paths)

    @property
    def is_province_admin(self) -> bool:
        return self.everything


NO_SCOPE = Scope(everything=False, view_paths=(), change_paths=(), roles=frozenset())
# What the machine acts with when nobody asked (reminders by cron, warming the progress).
EVERYTHING = Scope(everything=True, view_paths=(), change_paths=(), roles=frozenset())


def scope_for(user: AnyUser) -> Scope:
    """The user's scope, computed once per request (cached on the user object)."""
    if not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    cached: Scope | None = getattr(user, "_tinhuy_scope", None)
    if cached is not None:
        return cached
    rows = Membership.objects.filter(user_id=user.pk).values_list("role", "unit__path")
    roles = frozenset(role for role, _ in rows)
    everything = Role.PROVINCE_ADMIN in roles or bool(getattr(user, "is_superuser", False))
    scope = Scope(
        everything=everything,
        view_paths=_outermost({path for role, path in rows if role in VIEW_ROLES}),
        change_paths=_outermost({path for role, path in rows if role in CHANGE_ROLES}),
        roles=roles,
    )
    user._tinhuy_scope = scope  # type: ignore[union-attr,attr-defined]
    return scope


def get_unit_for_user(user: AnyUser, unit_id: int) -> Unit:
    """The unit if the user may see it, else ``Http404``."""
    unit = Unit.objects.select_related("structure", "level", "parent").filter(pk=unit_id).first()
    if unit is None or not scope_for(user).can_view(unit):
        raise Http404("No unit matches the given query.")
    return unit


def get_unit_for_change(user: AnyUser, unit_id: int) -> Unit:
    """The unit if the user may change it; 404 when unseen, 403 when seen but read-only."""
    unit = get_unit_for_user(user, unit_id)
    if not scope_for(user).can_change(unit):
        raise PermissionDenied
    return unit


def visible_structures(user: AnyUser) -> QuerySet[Structure]:
    """Structures in which the user can see at least one unit."""
    scope = scope_for(user)
    if scope.everything:
        return Structure.objects.all()
    ids = scope.units().values("structure_id")
    return Structure.objects.filter(pk__in=ids)


def get_structure_for_user(user: AnyUser, structure_id: int) -> Structure:
    structure = visible_structures(user).filter(pk=structure_id).first()
    if structure is None:
        raise Http404("No structure matches the given query.")
    return structure


def require_province_admin(user: AnyUser) -> None:
    """Pages for the province office only (audit log, structure import) answer 404 to others."""
    if not scope_for(user).everything:
        raise Http404
