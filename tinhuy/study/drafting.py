"""Who may draft which study plans, on top of ``tinhuy.study.access``.

The province office drafts the plans of the province committee (and of any unit); a unit's
office drafts the plans its own unit issues — a unit where the user holds a change role
(``tinhuy.org.access.CHANGE_ROLES``) itself, not one below it. A draft is seen by those who may
draft it, the province office and the Board members (``tinhuy.study.queries.plans_for``);
anyone else gets the same 404 as for a plan that does not exist. Seen but not theirs to draft
(a Board member, an issued plan of a unit above) is 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from tinhuy.org.access import CHANGE_ROLES, scope_for
from tinhuy.org.models import Membership, Structure, Unit, UnitKind
from tinhuy.study.models import Plan, PlanState
from tinhuy.study.queries import plans_for

if TYPE_CHECKING:
    from tinhuy.org.access import AnyUser


def own_unit_ids(user: AnyUser) -> set[int]:
    """The units where the user holds a change role themselves (one query)."""
    if not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(user_id=user.pk, role__in=CHANGE_ROLES).values_list(
            "unit_id", flat=True
        )
    )


def drafting_units(user: AnyUser) -> QuerySet[Unit]:
    """The units a user may draft plans for (the issuing unit of a new plan): their own units,
    and for the province office the province committee of every structure."""
    condition = Q(pk__in=own_unit_ids(user))
    if scope_for(user).everything:
        condition |= Q(depth=0)
    return (
        Unit.objects.filter(condition)
        .select_related("structure", "level")
        .order_by("structure__name", "depth", "name_sort", "id")
    )


def drafting_structures(units: QuerySet[Unit]) -> QuerySet[Structure]:
    return Structure.objects.filter(pk__in=units.values("structure_id")).order_by("name")


def may_draft(user: AnyUser, plan: Plan, own: set[int] | None = None) -> bool:
    """The province office; a unit office for its own unit's plan; and the body that submits
    the plan to its Standing Board (it revises the plan after the Board's opinions)."""
    if scope_for(user).everything:
        return True
    own = own_unit_ids(user) if own is None else own
    if plan.issuing_unit_id in own:
        return True
    return Plan.objects.filter(pk=plan.pk, draft__submitting_unit_id__in=own).exists()


def draft_plans_for(user: AnyUser, own: set[int] | None = None) -> QuerySet[Plan]:
    """The draft plans a user may edit, newest first (``own``: ``own_unit_ids``, if read)."""
    plans = Plan.objects.filter(state=PlanState.DRAFT).select_related("structure", "issuing_unit")
    if not scope_for(user).everything:
        own = own_unit_ids(user) if own is None else own
        plans = plans.filter(Q(issuing_unit_id__in=own) | Q(draft__submitting_unit_id__in=own))
    return plans.order_by("-created_at", "-id")


def get_plan_for_drafting(user: AnyUser, plan_id: int) -> Plan:
    """The plan, if the user may draft it (any state: an issued plan's page says it is
    closed to edits). 404 if the user does not see it, 403 if they see it but may not draft."""
    own = own_unit_ids(user)
    plan = (
        Plan.objects.select_related("structure", "issuing_unit__level").filter(pk=plan_id).first()
    )
    if plan is None:
        raise Http404("No plan matches the given query.")
    if may_draft(user, plan, own):
        return plan
    if plans_for(scope_for(user)).filter(pk=plan.pk).exists():
        raise PermissionDenied
    raise Http404("No plan matches the given query.")


def submitting_units(user: AnyUser, plan: Plan) -> QuerySet[Unit]:
    """The bodies that may submit the plan to its Standing Board: the user's own units in the
    plan's structure at or under the issuing unit, and for the province office the advisory
    bodies (agencies such as the Propaganda Board) directly under the issuing unit."""
    condition = Q(pk__in=own_unit_ids(user), path__startswith=plan.issuing_unit.path)
    if scope_for(user).everything:
        condition |= Q(parent_id=plan.issuing_unit_id, kind=UnitKind.ADVISORY)
    return (
        Unit.objects.filter(condition, structure_id=plan.structure_id)
        .select_related("level")
        .order_by("depth", "name_sort", "id")
    )
