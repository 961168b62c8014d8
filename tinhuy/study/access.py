"""Who may see and change which plans and conferences (on top of ``tinhuy.org.access``).

A plan is visible to whoever sees a unit of its structure; a unit's officer sees the plan's
progress over their own subtree only. A conference belongs to its host unit: visible and
changeable exactly as the host is. Outside scope is 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404

from tinhuy.org.access import Scope, scope_for
from tinhuy.org.models import Unit
from tinhuy.study.models import Conference, Plan
from tinhuy.study.queries import plans_for

if TYPE_CHECKING:
    from tinhuy.org.access import AnyUser


def get_plan_for_user(user: AnyUser, plan_id: int) -> Plan:
    plan = plans_for(scope_for(user)).filter(pk=plan_id).first()
    if plan is None:
        raise Http404("No plan matches the given query.")
    return plan


def get_plan_for_admin(user: AnyUser, plan_id: int) -> Plan:
    """Plans are drafted, issued, amended and closed by the province office only."""
    plan = get_plan_for_user(user, plan_id)
    if not scope_for(user).everything:
        raise Http404("No plan matches the given query.")
    return plan


def progress_root_for(user: AnyUser, plan: Plan, unit_id: int | None) -> Unit:
    """The unit whose subtree a progress view covers: the one asked for, if the user sees it and
    it belongs to the plan's structure; by default the plan's issuing unit for users who see it,
    else the user's first unit in the structure."""
    scope = scope_for(user)
    units = scope.units(Unit.objects.filter(structure_id=plan.structure_id))
    if unit_id is not None:
        unit = units.select_related("level").filter(pk=unit_id).first()
        if unit is None:
            raise Http404("No unit matches the given query.")
        return unit
    if scope.can_view(plan.issuing_unit):
        return plan.issuing_unit
    unit = units.filter(path__in=scope.view_paths).order_by("depth", "name_sort").first()
    if unit is None:
        raise Http404("No unit matches the given query.")
    return unit


def get_conference_for_user(user: AnyUser, conference_id: int) -> Conference:
    conference = (
        Conference.objects.select_related("plan", "rule__level", "host__level")
        .filter(pk=conference_id)
        .first()
    )
    if conference is None or not scope_for(user).can_view(conference.host):
        raise Http404("No conference matches the given query.")
    return conference


def get_conference_for_change(user: AnyUser, conference_id: int) -> Conference:
    conference = get_conference_for_user(user, conference_id)
    if not scope_for(user).can_change(conference.host):
        raise PermissionDenied
    return conference


def get_host_for_report(user: AnyUser, plan: Plan, unit_id: int) -> Unit:
    """A unit of the plan's structure the user may report for (404 outside their scope)."""
    unit = (
        Unit.objects.select_related("level")
        .filter(pk=unit_id, structure_id=plan.structure_id)
        .first()
    )
    scope = scope_for(user)
    if unit is None or not scope.can_view(unit):
        raise Http404("No unit matches the given query.")
    if not scope.can_change(unit):
        raise PermissionDenied
    return unit


def unit_in_scope(scope: Scope, structure_id: int, code: str) -> Unit | None:
    """The unit of ``code`` in structure ``structure_id`` if ``scope`` sees it, else None.

    The one lookup of a unit typed by its code (presenter units, bridge points, cells in an
    imported file): a unit that exists outside the caller's scope answers exactly as one that
    does not exist, so no page, import or API call tells an officer which codes exist elsewhere.
    """
    return (
        scope.units(Unit.objects.filter(structure_id=structure_id, code=code))
        .select_related("level")
        .first()
    )
