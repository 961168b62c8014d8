"""Who may see and change which plans and conferences (on top of ``tinhuy.org.access``).

A plan is visible to whoever sees a unit of its structure; a unit's officer sees the plan's
progress over their own subtree only. A conference belongs to its host unit: visible and
changeable exactly as the host is. Outside scope is 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from tinhuy.accounts.queries import feed_generation
from tinhuy.org.access import Scope, scope_for
from tinhuy.org.models import Unit
from tinhuy.study.models import Conference, Invitee, Plan
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


def _paths_above(paths: tuple[str, ...]) -> set[str]:
    """The paths of the units above those of ``paths`` ("/1/17/230/" → "/1/", "/1/17/")."""
    above: set[str] = set()
    for path in paths:
        ids = path.strip("/").split("/")
        above.update("/" + "/".join(ids[:n]) + "/" for n in range(1, len(ids)))
    return above


def nameable_units(scope: Scope, structure_id: int, *, presenters: bool = False) -> QuerySet[Unit]:
    """The units of a structure a caller may name, by code or by id, in a form, an import or
    an API body: those in ``scope``. A presenter may also come from a unit above it (the
    province's reporters present in every subtree, and a unit's superiors are no secret to it).
    Any other unit answers exactly as one that does not exist."""
    condition = scope.q()
    if presenters and not scope.everything:
        condition |= Q(path__in=_paths_above(scope.view_paths))
    return Unit.objects.filter(condition, structure_id=structure_id).select_related("level")


def presenter_unit_in_scope(scope: Scope, structure_id: int, code: str) -> Unit | None:
    """The unit of a presenter typed by its code: as ``unit_in_scope``, and the units above the
    caller's scope too (the rule of ``nameable_units``); None for anything else."""
    return nameable_units(scope, structure_id, presenters=True).filter(code=code).first()


def get_invitee_for_user(user: AnyUser, token: str) -> Invitee:
    """The invitee of a check-in code, with its conference, if the user sees the conference's
    host; any other code, of another unit's conference or of none, is the same 404."""
    invitee = (
        Invitee.objects.select_related("conference__host__level", "conference__plan")
        .filter(token=token)
        .first()
    )
    if invitee is None or not scope_for(user).can_view(invitee.conference.host):
        raise Http404("No invitee matches the given code.")
    return invitee


# A unit's calendar feed: calendar apps cannot log in, so its URL carries a signed token.
ICS_SALT = "tinhuy.ics"


def ics_token(user: AnyUser, unit: Unit) -> str:
    """The signed token of a unit's feed URL for a user: it lives as long as their scope and
    their links' generation (``tinhuy.accounts.actions.do_revoke_calendar_links``, a password
    change)."""
    generation = feed_generation(user.pk) if user.pk is not None else 0
    payload = {"u": user.pk, "unit": unit.pk, "g": generation}
    return signing.dumps(payload, salt=ICS_SALT)


def get_unit_for_ics_token(token: str, unit_id: int) -> Unit:
    """The unit of a calendar feed, if the token is genuine, names it, and its user is active
    and still sees the unit. Anything else (no token, a forged one, another unit's, a user
    who lost the unit) is the same 404."""
    not_found = Http404("No calendar matches the given query.")
    try:
        payload = signing.loads(token, salt=ICS_SALT)
    except signing.BadSignature:
        raise not_found from None
    if not isinstance(payload, dict) or payload.get("unit") != unit_id:
        raise not_found
    user_id = payload.get("u")
    if not isinstance(user_id, int) or payload.get("g", 0) != feed_generation(user_id):
        raise not_found
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    unit = Unit.objects.select_related("level").filter(pk=unit_id).first()
    if user is None or unit is None or not scope_for(user).can_view(unit):
        raise not_found
    return unit
