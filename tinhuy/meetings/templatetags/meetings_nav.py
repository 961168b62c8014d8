"""The navigation bar's link to the meetings module, for whoever may see a meeting or a draft:
the province office, Board members, and the offices that submit drafts for their unit (a change
role). Read from the scope the bar already computed: no query of its own."""

from __future__ import annotations

from typing import Any

from django import template

from tinhuy.meetings.access import is_board_member
from tinhuy.org.access import CHANGE_ROLES, scope_for

register = template.Library()


@register.simple_tag(takes_context=True)
def sees_meetings(context: dict[str, Any]) -> bool:
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return False
    scope = scope_for(user)
    return scope.everything or is_board_member(scope) or bool(scope.roles & CHANGE_ROLES)
