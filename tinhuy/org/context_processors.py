from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tinhuy.org.access import scope_for


def scope(request: HttpRequest) -> dict[str, object]:
    """``scope_is_admin`` and ``is_gazetteer_editor`` for the navigation bar, computed only if
    a template asks."""
    from tinhuy.gazetteer.access import is_editor

    return {
        "scope_is_admin": SimpleLazyObject(lambda: scope_for(request.user).everything),
        "is_gazetteer_editor": SimpleLazyObject(lambda: is_editor(request.user)),
    }
