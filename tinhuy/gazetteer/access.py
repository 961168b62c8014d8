"""Who may edit the gazetteer, and the editors' fetch of a working copy. Reading the published
gazetteer needs no login at all."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from tinhuy.gazetteer.models import Entry
from tinhuy.org.access import scope_for
from tinhuy.org.models import Role

if TYPE_CHECKING:
    from tinhuy.org.access import AnyUser

MAX_SLUG = 150  # Entry.slug


def is_editor(user: AnyUser) -> bool:
    """Gazetteer editors and the province office administrators."""
    scope = scope_for(user)
    return scope.everything or Role.GAZETTEER_EDITOR in scope.roles


def require_editor(user: AnyUser) -> None:
    """Editor pages and write endpoints answer 404 to everyone else, as out-of-scope objects do."""
    if not is_editor(user):
        raise Http404


def get_entry_for_editor(user: AnyUser, slug: str) -> Entry:
    """The working copy of an entry with its chapter, places and sources, for an editor; 404 to
    anyone else, and for no such slug (the page and the API answer alike)."""
    require_editor(user)
    entry = (
        Entry.objects.select_related("chapter")
        .prefetch_related("places", "sources")
        .filter(slug=slug[:MAX_SLUG])
        .first()
    )
    if entry is None:
        raise Http404("No entry.")
    return entry
