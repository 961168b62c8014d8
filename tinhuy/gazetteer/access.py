"""Who may edit the gazetteer. Reading the published gazetteer needs no login at all."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from tinhuy.org.access import scope_for
from tinhuy.org.models import Role

if TYPE_CHECKING:
    from tinhuy.org.access import AnyUser


def is_editor(user: AnyUser) -> bool:
    """Gazetteer editors and the province office administrators."""
    scope = scope_for(user)
    return scope.everything or Role.GAZETTEER_EDITOR in scope.roles


def require_editor(user: AnyUser) -> None:
    """Editor pages and write endpoints answer 404 to everyone else, as out-of-scope objects do."""
    if not is_editor(user):
        raise Http404
