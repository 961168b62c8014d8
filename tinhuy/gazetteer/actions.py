"""Every write to the gazetteer: one ``do_*`` function per use case, audited.

An entry is saved as a working copy plus a new ``EntryRevision``; publishing an ``Edition``
freezes the latest published revision of every entry and the current value of every figure,
then re-indexes search so the public finds exactly what the edition shows.

Saving places or indicators bumps ``CatalogueVersion``: the figure look-up's cache is keyed on
it (``tinhuy.gazetteer.lookup``), and a published edition is a new key of its own.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhuy.audit.actions import record, user_or_none
from tinhuy.gazetteer.markdown import plain_text
from tinhuy.gazetteer.models import (
    CatalogueVersion,
    Chapter,
    Edition,
    EditionEntry,
    EditionObservation,
    Entry,
    EntryImage,
    EntryRevision,
    EntryState,
    Indicator,
    Observation,
    Place,
    Source,
)
from tinhuy.gazetteer.places import places_below_province, province
from tinhuy.search.backends import Document, index_documents, remove_documents
from tinhuy.search.models import SearchDocument
from tinhuy.search.text import normalize

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from tinhuy.org.actions import AnyUser


LOOKUP_CATALOGUE = "lookup"  # the CatalogueVersion the figure look-up's cache is keyed on


def bump_catalogue() -> None:
    """Retire every process's cached places and indicators (inside the writing transaction, so
    a rollback keeps the old number, and the old number still matches the old data).

    A number is never given to two states of the catalogue, even across a restore: the next
    number is at least the time in microseconds, so it lies beyond every number given before
    the restore (a restored number still matches the restored data, as it did when cached).
    """
    now = int(time.time() * 1_000_000)
    following = Greatest(F("value") + 1, Value(now))
    bumped = CatalogueVersion.objects.filter(name=LOOKUP_CATALOGUE).update(value=following)
    if not bumped:
        version, created = CatalogueVersion.objects.get_or_create(
            name=LOOKUP_CATALOGUE, defaults={"value": now}
        )
        if not created:  # created meanwhile by another transaction
            CatalogueVersion.objects.filter(pk=version.pk).update(value=following)


def catalogue_version() -> int:
    """The current number (0 before the first save)."""
    value = (
        CatalogueVersion.objects.filter(name=LOOKUP_CATALOGUE)
        .values_list("value", flat=True)
        .first()
    )
    return value or 0


@dataclass(frozen=True)
class SourceSpec:
    title: str
    author: str = ""
    year: str = ""
    publisher: str = ""
    url: str = ""
    pages: str = ""


@dataclass(frozen=True)
class EntrySpec:
    slug: str
    title: str
    kind: str
    chapter: Chapter
    body: str
    places: Sequence[Place] = ()
    period: str = ""
    sources: Sequence[SourceSpec] = field(default_factory=tuple)


@transaction.atomic
def do_save_entry(spec: EntrySpec, *, acting_user: AnyUser) -> Entry:
    """Create or change an entry (by slug); every save is a new revision. Saving an entry that
    was published sends it back to draft: it needs review again."""
    entry = Entry.objects.select_for_update().filter(slug=spec.slug).first()
    created = entry is None
    if entry is None:
        entry = Entry(slug=spec.slug)
    entry.title, entry.kind, entry.chapter = spec.title, spec.kind, spec.chapter
    entry.body, entry.period = spec.body, spec.period
    entry.state = EntryState.DRAFT
    entry.revision += 1
    entry.save()
    entry.places.set(spec.places)
    entry.sources.all().delete()
    Source.objects.bulk_create(
        Source(entry=entry, order=i, **vars(s)) for i, s in enumerate(spec.sources, start=1)
    )
    revision = _snapshot(entry, spec, acting_user)
    record(
        "gazetteer.entry.create" if created else "gazetteer.entry.change",
        entry,
        acting_user=acting_user,
        after={"slug": entry.slug, "title": entry.title, "revision": revision.number},
    )
    return entry


def _snapshot(entry: Entry, spec: EntrySpec, acting_user: AnyUser) -> EntryRevision:
    return EntryRevision.objects.create(
        entry=entry,
        number=entry.revision,
        title=entry.title,
        kind=entry.kind,
        chapter_path=entry.chapter.path,
        period=entry.period,
        body=entry.body,
        place_codes=sorted(p.code for p in spec.places),
        sources=[vars(s) for s in spec.sources],
        state=entry.state,
        created_by=user_or_none(acting_user),
    )


_NEXT_STATE = {
    EntryState.DRAFT: {EntryState.REVIEWED},
    EntryState.REVIEWED: {EntryState.PUBLISHED, EntryState.DRAFT},
    EntryState.PUBLISHED: {EntryState.DRAFT},
}


def revision_author(entry: Entry) -> User | None:
    """Who saved the entry's current revision (None: the system, e.g. a folder import)."""
    revision = (
        EntryRevision.objects.filter(entry=entry, number=entry.revision)
        .select_related("created_by")
        .first()
    )
    return revision.created_by if revision is not None else None


def unapproved_authors(entry: Entry) -> dict[int, int]:
    """Who wrote the revisions not yet approved (since the last approved one): user id → the
    newest revision number they saved. The system (imports) is nobody."""
    authors: dict[int, int] = {}
    for number, state, author_id in (
        EntryRevision.objects.filter(entry=entry, number__lte=entry.revision)
        .order_by("-number")
        .values_list("number", "state", "created_by_id")
    ):
        if state == EntryState.PUBLISHED and number != entry.revision:
            break  # approved before: its changes were checked by someone else then
        if author_id is not None:
            authors.setdefault(author_id, number)
    return authors


def may_approve(entry: Entry, user: AnyUser, authors: dict[int, int] | None = None) -> bool:
    """Two people: nobody who wrote any of the changes waiting for approval approves them."""
    actor = user_or_none(user)
    if actor is None:
        return True
    return actor.pk not in (authors if authors is not None else unapproved_authors(entry))


@transaction.atomic
def do_set_entry_state(entry: Entry, state: str, *, acting_user: AnyUser) -> Entry:
    """draft → reviewed → published (or back to draft). The state is recorded on the revision.

    Approving for publication takes a second person: whoever saved any revision since the last
    approved one is refused (the system, acting for an import, writes no text of its own and
    may approve)."""
    if state not in _NEXT_STATE[EntryState(entry.state)]:
        raise ValidationError(
            _("Không chuyển được mục từ từ “%(a)s” sang “%(b)s”.")
            % {"a": entry.get_state_display(), "b": EntryState(state).label}
        )
    author = revision_author(entry)
    if state == EntryState.PUBLISHED:
        authors = unapproved_authors(entry)
        if not may_approve(entry, acting_user, authors):
            actor = user_or_none(acting_user)
            raise ValidationError(
                _(
                    "Bạn đã viết phiên bản %(n)s, một phần thay đổi đang chờ duyệt, nên không tự "
                    "duyệt đăng được: cần một biên tập viên khác duyệt (nguyên tắc hai người)."
                )
                % {"n": authors[actor.pk] if actor is not None else entry.revision}
            )
    before = entry.state
    entry.state = state
    entry.save(update_fields=["state", "updated_at"])
    EntryRevision.objects.filter(entry=entry, number=entry.revision).update(state=state)
    record(
        "gazetteer.entry.state",
        entry,
        acting_user=acting_user,
        before={"state": before},
        after={
            "state": state,
            "revision": entry.revision,
            "author": author.get_username() if author is not None else "",
        },
    )
    return entry


@dataclass(frozen=True)
class ObservationSpec:
    indicator: Indicator
    place: Place
    year: int
    value: Decimal
    source: str = ""
    note: str = ""
    is_sample: bool = False


@transaction.atomic
def do_save_observations(
    specs: Sequence[ObservationSpec], *, acting_user: AnyUser, source_file: str = ""
) -> tuple[int, int]:
    """Add or revise figures (validated by the caller); returns (added, revised)."""
    existing = {
        (o.indicator_id, o.place_id, o.year): o
        for o in Observation.objects.filter(
            indicator__in={s.indicator.pk for s in specs}, year__in={s.year for s in specs}
        )
    }
    new, changed, revisions = [], [], []
    for spec in specs:
        current = existing.get((spec.indicator.pk, spec.place.pk, spec.year))
        if current is None:
            new.append(Observation(**vars(spec)))
            continue
        if (current.value, current.source, current.note, current.is_sample) != (
            spec.value,
            spec.source,
            spec.note,
            spec.is_sample,
        ):
            revisions.append(
                {"id": current.pk, "before": str(current.value), "after": str(spec.value)}
            )
            current.value, current.source, current.note = spec.value, spec.source, spec.note
            current.is_sample = spec.is_sample
            changed.append(current)
    Observation.objects.bulk_create(new, batch_size=1000)
    Observation.objects.bulk_update(
        changed, ["value", "source", "note", "is_sample", "updated_at"], batch_size=1000
    )
    if new or changed:
        anchor = new[0] if new else changed[0]
        record(
            "gazetteer.observations.save",
            anchor,
            acting_user=acting_user,
            after={"added": len(new), "revised": revisions[:1000], "file": source_file},
        )
    return len(new), len(changed)


@transaction.atomic
def do_save_chapter(
    slug: str, title: str, *, order: int = 0, parent: Chapter | None, acting_user: AnyUser
) -> Chapter:
    """Create the chapter at ``parent``/``slug``, or change its title and order."""
    path = f"{parent.path}/{slug}" if parent else slug
    chapter = Chapter.objects.filter(path=path).first()
    if chapter is None:
        chapter = Chapter.objects.create(slug=slug, title=title, order=order, parent=parent)
        record("gazetteer.chapter.create", chapter, acting_user=acting_user, after={"path": path})
        return chapter
    before = {"title": chapter.title, "order": chapter.order}
    chapter.title, chapter.order = title, order
    chapter.save(update_fields=["title", "order", "path"])
    record(
        "gazetteer.chapter.change",
        chapter,
        acting_user=acting_user,
        before=before,
        after={"title": title, "order": order},
    )
    return chapter


@transaction.atomic
def do_save_indicator(
    code: str, name: str, unit: str, definition: str = "", *, acting_user: AnyUser
) -> bool:
    """Create or change an indicator by code; returns whether anything was written."""
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None:
        indicator = Indicator.objects.create(code=code, name=name, unit=unit, definition=definition)
        record(
            "gazetteer.indicator.create",
            indicator,
            acting_user=acting_user,
            after={"code": code, "name": indicator.name, "unit": unit},
        )
        bump_catalogue()
        return True
    before = {"name": indicator.name, "unit": indicator.unit, "definition": indicator.definition}
    after = {"name": normalize(name), "unit": unit, "definition": definition}  # as save() stores
    if after == before:
        return False
    indicator.name, indicator.unit, indicator.definition = name, unit, definition
    indicator.save(update_fields=["name", "name_folded", "unit", "definition"])
    record(
        "gazetteer.indicator.change", indicator, acting_user=acting_user, before=before, after=after
    )
    bump_catalogue()
    return True


@transaction.atomic
def do_load_places(*, acting_user: AnyUser) -> int:
    """Create the places that are missing (``tinhuy.gazetteer.places``); returns how many were
    created. Idempotent: a second run writes nothing, not even an audit event."""
    existing = set(Place.objects.values_list("code", flat=True))
    spec = province()
    root, root_created = Place.objects.get_or_create(
        code=spec.code, defaults={"name": spec.name, "kind": spec.kind}
    )
    created = [spec.code] if root_created else []
    for place in places_below_province():
        if place.code in existing:
            continue
        Place.objects.create(
            code=place.code,
            name=place.name,
            kind=place.kind,
            parent=root,
            valid_from=place.valid_from,
            valid_to=place.valid_to,
        )
        existing.add(place.code)
        created.append(place.code)
    if created:
        record(
            "gazetteer.places.load",
            root,
            acting_user=acting_user,
            after={"created": len(created), "codes": created[:1000]},
        )
        bump_catalogue()
    return len(created)


def frozen_images(entry_ids: Sequence[int]) -> dict[int, list[dict[str, str]]]:
    """Each entry's images as an edition keeps them: file name, caption, credit, in order."""
    images: dict[int, list[dict[str, str]]] = {}
    for entry_id, name, caption, credit in (
        EntryImage.objects.filter(entry_id__in=entry_ids)
        .order_by("entry_id", "order", "id")
        .values_list("entry_id", "image", "caption", "credit")
    ):
        images.setdefault(entry_id, []).append({"file": name, "caption": caption, "credit": credit})
    return images


_FROZEN = ("indicator_id", "place_id", "year", "value", "source", "note", "is_sample")


def _freeze_observations(edition: Edition) -> None:
    """Copy every working figure into the edition in one INSERT … SELECT: a million figures
    never pass through Python."""
    quote = connection.ops.quote_name
    frozen = EditionObservation._meta
    source = Observation._meta
    columns = ", ".join(quote(frozen.get_field(name).column) for name in _FROZEN)  # type: ignore[union-attr, arg-type]
    selected = ", ".join(quote(source.get_field(name).column) for name in _FROZEN)  # type: ignore[union-attr, arg-type]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(frozen.db_table)} ({quote('edition_id')}, "  # noqa: S608
            f"{quote('observation_id')}, {columns}) "
            f"SELECT %s, {quote(source.pk.column)}, {selected} FROM {quote(source.db_table)}",
            [edition.pk],
        )


def entry_url(edition_year: int, slug: str) -> str:
    return reverse("gazetteer_entry", kwargs={"year": edition_year, "slug": slug})


@transaction.atomic
def do_publish_edition(
    year: int,
    *,
    title: str,
    notes: str = "",
    acting_user: AnyUser,
    published_at: datetime.datetime | None = None,
) -> Edition:
    """Freeze what the public sees: the latest published revision of each published entry and
    every figure as it stands. Then the search index follows the new edition."""
    if Edition.objects.filter(year__gte=year).exists():
        raise ValidationError(_("Đã có ấn bản năm %(y)s hoặc mới hơn.") % {"y": year})
    edition = Edition.objects.create(
        year=year,
        title=title,
        notes=notes,
        published_at=published_at or timezone.now(),
        published_by=user_or_none(acting_user),
    )
    newest: dict[int, EntryRevision] = {}  # entry id -> its latest published revision
    for revision in EntryRevision.objects.filter(state=EntryState.PUBLISHED).order_by(
        "entry_id", "number"
    ):
        newest[revision.entry_id] = revision
    slugs = dict(Entry.objects.filter(pk__in=list(newest)).values_list("pk", "slug"))
    images = frozen_images(list(newest))
    EditionEntry.objects.bulk_create(
        EditionEntry(
            edition=edition,
            entry_id=entry_id,
            revision=revision,
            slug=slugs[entry_id],
            images=images.get(entry_id, []),
        )
        for entry_id, revision in newest.items()
    )
    _freeze_observations(edition)
    reindex_edition(edition)
    record(
        "gazetteer.edition.publish",
        edition,
        acting_user=acting_user,
        after={"year": year, "entries": len(newest)},
    )
    return edition


def reindex_edition(edition: Edition) -> None:
    """Make the search index hold exactly the entries of ``edition``."""
    rows = EditionEntry.objects.filter(edition=edition).select_related("revision")
    docs = [
        Document(
            key=f"entry:{row.slug}",
            kind=row.revision.kind,
            title=row.revision.title,
            body=plain_text(row.revision.body),
            url=entry_url(edition.year, row.slug),
            chapter=row.revision.chapter_path,
            places=tuple(row.revision.place_codes),
            period=row.revision.period,
        )
        for row in rows
    ]
    keep = {doc.key for doc in docs}
    remove_documents(
        k
        for k in SearchDocument.objects.filter(key__startswith="entry:").values_list(
            "key", flat=True
        )
        if k not in keep
    )
    index_documents(docs)
