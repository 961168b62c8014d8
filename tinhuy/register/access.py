"""Who may read and keep which register (on top of ``tinhuy.org.access``).

A body's register is read by whoever sees the body's unit; numbers are given and cancelled by
the province office and by the office officers (``Role.OFFICE_OFFICER``) of a unit whose
subtree holds the body's unit. Outside scope is 404, as everywhere; a register seen but not
kept is 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404

from tinhuy.org.access import scope_for
from tinhuy.org.models import Membership, Role
from tinhuy.register.models import IssuingBody, RegisterEntry
from tinhuy.register.queries import bodies_for

if TYPE_CHECKING:
    from tinhuy.org.access import AnyUser

# The roles that keep a register (give and cancel numbers) in their subtree.
KEEPER_ROLES = (Role.PROVINCE_ADMIN, Role.OFFICE_OFFICER)


def get_body_for_user(user: AnyUser, body_id: int) -> IssuingBody:
    body = bodies_for(scope_for(user)).filter(pk=body_id).first()
    if body is None:
        raise Http404("No issuing body matches the given query.")
    return body


def can_keep(user: AnyUser, body: IssuingBody) -> bool:
    """Whether the user gives and cancels numbers in the body's register."""
    scope = scope_for(user)
    if scope.everything:
        return True
    if not scope.can_change(body.unit) or Role.OFFICE_OFFICER not in scope.roles:
        return False
    # The scope mixes roles; the office role must itself hold the body's unit.
    paths = Membership.objects.filter(user_id=user.pk or 0, role__in=KEEPER_ROLES).values_list(
        "unit__path", flat=True
    )
    return any(body.unit.path.startswith(path) for path in paths)


def get_body_for_keeper(user: AnyUser, body_id: int) -> IssuingBody:
    """The body if the user keeps its register; 404 when unseen, 403 when only read."""
    body = get_body_for_user(user, body_id)
    if not can_keep(user, body):
        raise PermissionDenied
    return body


def get_entry_for_keeper(user: AnyUser, body: IssuingBody, entry_id: int) -> RegisterEntry:
    """An entry of ``body``'s register (already fetched for a keeper), else 404."""
    entry = (
        RegisterEntry.objects.select_related("body__unit", "period")
        .filter(pk=entry_id, body=body)
        .first()
    )
    if entry is None:
        raise Http404("No register entry matches the given query.")
    return entry


def get_entry_for_change(user: AnyUser, entry_id: int) -> RegisterEntry:
    """An entry by its id alone (the API): 404 unless its body's register is seen, 403 unless
    kept."""
    entry = RegisterEntry.objects.select_related("body__unit", "period").filter(pk=entry_id).first()
    if entry is None or not scope_for(user).can_view(entry.body.unit):
        raise Http404("No register entry matches the given query.")
    if not can_keep(user, entry.body):
        raise PermissionDenied
    return entry
