"""The gazetteer's writes that were not actions before: chapters, indicators, places.

Each is one transaction with an audit event; places and indicators also retire the figure
look-up's cache (``CatalogueVersion``). ``get_entry_for_editor`` is the editors' one fetch of a
working copy: 404 for everyone else (the officers of Vinh and Nghi Lộc, the Board member) as for
a slug that does not exist.
"""

from __future__ import annotations

import pytest
from django.http import Http404

from tinhuy.audit.models import AuditEvent
from tinhuy.gazetteer.access import get_entry_for_editor
from tinhuy.gazetteer.actions import (
    catalogue_version,
    do_load_places,
    do_save_chapter,
    do_save_indicator,
)
from tinhuy.gazetteer.models import Chapter, Place

pytestmark = pytest.mark.usefixtures("empty_gazetteer")


def new_events(since: int, prefix: str) -> list[AuditEvent]:
    """The events written since event ``since`` (the session database holds the demo's)."""
    return list(AuditEvent.objects.filter(pk__gt=since, action__startswith=prefix).order_by("pk"))


def last_event() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_saving_a_chapter_is_audited(personas):
    start = last_event()
    chapter = do_save_chapter("dia-ly", "Địa lý", order=1, parent=None, acting_user=personas.editor)
    do_save_chapter("dia-ly", "Địa lý tự nhiên", order=2, parent=None, acting_user=personas.editor)
    chapter.refresh_from_db()
    assert (chapter.title, chapter.order) == ("Địa lý tự nhiên", 2)
    actions = [e.action for e in new_events(start, "gazetteer.chapter.")]
    assert actions == ["gazetteer.chapter.create", "gazetteer.chapter.change"]
    assert Chapter.objects.filter(path="dia-ly").count() == 1


def test_saving_an_indicator_is_audited_and_bumps_the_catalogue(personas):
    start = last_event()
    version = catalogue_version()
    assert do_save_indicator("dan-so", "Dân số", "người", acting_user=personas.editor)
    bumped = catalogue_version()
    assert bumped > version
    assert not do_save_indicator("dan-so", "Dân số", "người", acting_user=personas.editor)
    assert catalogue_version() == bumped  # nothing written, nothing retired
    assert do_save_indicator("dan-so", "Dân số", "nghìn người", acting_user=personas.editor)
    assert catalogue_version() > bumped
    actions = [e.action for e in new_events(start, "gazetteer.indicator.")]
    assert actions == ["gazetteer.indicator.create", "gazetteer.indicator.change"]


def test_loading_places_is_audited_once_and_idempotent(personas):
    Place.objects.filter(code="412").delete()
    start, version = last_event(), catalogue_version()
    assert do_load_places(acting_user=personas.editor) == 1
    [event] = new_events(start, "gazetteer.places.load")
    assert event.after == {"created": 1, "codes": ["412"]}
    assert catalogue_version() > version
    assert do_load_places(acting_user=personas.editor) == 0
    assert len(new_events(start, "gazetteer.places.load")) == 1


def test_the_catalogue_number_is_never_given_twice_even_after_a_restore(personas):
    """A restore brings an older number back; the next one lies beyond every number given."""
    from tinhuy.gazetteer.actions import LOOKUP_CATALOGUE, bump_catalogue
    from tinhuy.gazetteer.models import CatalogueVersion

    bump_catalogue()
    given = catalogue_version()
    CatalogueVersion.objects.filter(name=LOOKUP_CATALOGUE).update(value=1)  # "restored"
    bump_catalogue()
    assert catalogue_version() > given


def test_the_editors_entry_fetch_is_404_to_everyone_else(personas, gazetteer):
    entry = get_entry_for_editor(personas.editor, "thanh-pho-vinh")
    assert entry.slug == "thanh-pho-vinh"
    for user in (personas.vinh_officer, personas.nghiloc_officer, personas.board_member):
        with pytest.raises(Http404):
            get_entry_for_editor(user, "thanh-pho-vinh")
    with pytest.raises(Http404):
        get_entry_for_editor(personas.editor, "khong-co")
