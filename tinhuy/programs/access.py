"""Who sees and changes programmes (on top of ``tinhuy.org.access``).

A programme is seen whole by whoever sees its owner unit or its focal agency; a unit that leads
a task elsewhere sees that programme with the branches it leads (``queries.visible_node_ids``).
Its plan — tree, dates, owners, money — is written by the owner's or the focal agency's office
while it is a draft; a task's progress is reported by its lead unit's office. Outside what a
user sees is 404; seen but not theirs to do is 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404

from tinhuy.org.access import scope_for
from tinhuy.programs.models import Delegation, Node, Programme, ReportingCycle
from tinhuy.programs.queries import nodes_for, programmes_for

if TYPE_CHECKING:
    from tinhuy.org.access import AnyUser


def get_programme_for_user(user: AnyUser, programme_id: int) -> Programme:
    programme = programmes_for(scope_for(user)).filter(pk=programme_id).first()
    if programme is None:
        raise Http404("No programme matches the given query.")
    return programme


def get_node_for_user(user: AnyUser, node_id: int) -> Node:
    node = (
        nodes_for(scope_for(user))
        .select_related("programme__owner_unit", "programme__focal_agency", "lead_unit", "parent")
        .filter(pk=node_id)
        .first()
    )
    if node is None:
        raise Http404("No task matches the given query.")
    return node


def get_cycle_for_user(user: AnyUser, cycle_id: int) -> ReportingCycle:
    cycle = (
        ReportingCycle.objects.select_related("programme")
        .filter(pk=cycle_id, programme__in=programmes_for(scope_for(user)))
        .first()
    )
    if cycle is None:
        raise Http404("No reporting cycle matches the given query.")
    return cycle


def can_edit(user: AnyUser, programme: Programme) -> bool:
    """Writes the plan: the owner unit's office (or above), or the focal agency's."""
    scope = scope_for(user)
    if scope.can_change(programme.owner_unit):
        return True
    return programme.focal_agency is not None and scope.can_change(programme.focal_agency)


def check_can_edit(user: AnyUser, programme: Programme) -> None:
    if not can_edit(user, programme):
        raise PermissionDenied


def can_report(user: AnyUser, node: Node) -> bool:
    """Reports a task's progress: its lead unit's office, or whoever writes the programme."""
    if node.lead_unit is not None and scope_for(user).can_change(node.lead_unit):
        return True
    return can_edit(user, node.programme)


def check_can_report(user: AnyUser, node: Node) -> None:
    if not can_report(user, node):
        raise PermissionDenied


def check_can_hand_over(user: AnyUser) -> None:
    """Moving a ceased unit's work to its successor is the province office's."""
    if not scope_for(user).everything:
        raise PermissionDenied


def get_delegation_for_user(user: AnyUser, delegation_id: int) -> Delegation:
    scope = scope_for(user)
    delegation = (
        Delegation.objects.select_related("from_unit", "to_unit", "programme")
        .filter(pk=delegation_id)
        .filter(scope.q("to_unit__") | scope.q("from_unit__"))
        .first()
    )
    if delegation is None:
        raise Http404("No delegation matches the given query.")
    return delegation
