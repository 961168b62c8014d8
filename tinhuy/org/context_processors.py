from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tinhuy.org.access import scope_for


def scope(request: HttpRequest) -> dict[str, object]:
    """``scope_is_admin`` for the navigation bar, computed only if a template asks."""
    return {"scope_is_admin": SimpleLazyObject(lambda: scope_for(request.user).everything)}
