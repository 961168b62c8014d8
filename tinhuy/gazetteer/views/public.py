"""The public site: home, chapters, entries, places, search, editions and what changed.

No login and no JavaScript: citizens on old phones get small server-rendered pages. Every page
shows a published ``Edition`` only (the latest by default, any older one at its own permanent
URL, so a citation never breaks), and runs a fixed number of queries whatever the edition holds.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlencode

from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from tinhuy.documents.numbers import format_number, page_locale
from tinhuy.gazetteer import figures, queries
from tinhuy.gazetteer.actions import entry_url
from tinhuy.gazetteer.lookup import Answer, answer_for, latest_edition
from tinhuy.gazetteer.markdown import plain_text, rendered_diff
from tinhuy.gazetteer.markdown import render as render_markdown
from tinhuy.gazetteer.models import (
    Chapter,
    Edition,
    EditionEntry,
    EntryKind,
    Place,
    PlaceKind,
)
from tinhuy.gazetteer.sitemaps import sitemap
from tinhuy.search.backends import COUNT_LIMIT, Filters, Hit, search
from tinhuy.search.suggest import did_you_mean as did_you_mean_for
from tinhuy.search.text import fold

SEARCH_PAGE_SIZE = 10
CHAPTER_PAGE_SIZE = 50
HOME_ENTRIES = 8
HOME_PLACES = 12  # places with figures shown on the home page; the rest on the places page
CHANGES_SHOWN = 300  # items per list on the changes page
KIND_LABELS = dict(EntryKind.choices)


# --- Small helpers ------------------------------------------------------------------------------


def _edition(year: int) -> Edition:
    """The edition of that year, or 404 (a year too large for the column is simply unknown)."""
    if year > 32767:  # PositiveSmallIntegerField; a larger number overflows SQLite's INTEGER.
        raise Http404("No edition.")
    return queries.get_edition(year)


def _param(request: HttpRequest, name: str, max_length: int) -> str:
    """A query-string value, trimmed; NUL is dropped because PostgreSQL refuses it in text."""
    return request.GET.get(name, "").replace("\x00", "").strip()[:max_length]


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("trang", "1")), 100_000))
    except ValueError:
        return 1


def _querystring(params: QueryDict, **changes: str | None) -> str:
    """What ``{% querystring key=value … %}`` renders for ``params`` (None removes a key), the
    same string, without copying the whole ``QueryDict`` for every link of a page."""
    lists = dict(params.lists())
    for key, value in changes.items():
        if value is None:
            lists.pop(key, None)
        else:
            lists[key] = [value]
    if not lists and not params:
        return ""
    return "?" + "&".join(urlencode({key: str(v)}) for key, values in lists.items() for v in values)


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def _indicator_url(year: int, code: str) -> str | None:
    # Indicator pages are built in the figures module; until that URL exists, no link.
    try:
        return reverse("gazetteer_indicator", kwargs={"year": year, "code": code})
    except NoReverseMatch:
        return None


def _listing(edition: Edition) -> QuerySet[EditionEntry]:
    """The edition's entries for lists: titles and facets, without the (long) bodies."""
    return queries.edition_entries(edition).defer("revision__body", "revision__sources")


# --- Chapters ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChapterLink:
    path: str
    title: str
    count: int  # entries of the edition in this chapter and its sub-chapters


def _chapter_counts(edition: Edition) -> Counter[str]:
    """Entries per chapter path in the edition, each counted in its chapter and every ancestor."""
    rows = (
        EditionEntry.objects.filter(edition=edition)
        .values_list("revision__chapter_path")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: Counter[str] = Counter()
    for chapter_path, n in rows:
        parts = chapter_path.split("/")
        for depth in range(1, len(parts) + 1):
            counts["/".join(parts[:depth])] += n
    return counts


def _chapter_info(paths: list[str]) -> dict[str, tuple[str, int]]:
    """Title and order of each chapter path, in one query."""
    # Chapters are not versioned: an edition shows today's chapter titles for its frozen paths.
    rows = Chapter.objects.filter(path__in=paths).values_list("path", "title", "order")
    return {p: (title, order) for p, title, order in rows}


def _title_of(info: dict[str, tuple[str, int]], chapter_path: str) -> str:
    # A path whose chapter is gone still shows, by its last slug.
    return info[chapter_path][0] if chapter_path in info else chapter_path.rsplit("/", 1)[-1]


def _chapter_links(counts: Counter[str], parent: str | None) -> list[ChapterLink]:
    """The chapters directly under ``parent`` (None: the top) that have entries, in order."""
    depth = 0 if parent is None else parent.count("/") + 1
    paths = [
        p
        for p in counts
        if p.count("/") == depth and (parent is None or p.startswith(parent + "/"))
    ]
    info = _chapter_info(paths)
    paths.sort(key=lambda p: (info.get(p, ("", 0))[1], _title_of(info, p)))
    return [ChapterLink(p, _title_of(info, p), counts[p]) for p in paths]


def _breadcrumb(chapter_path: str) -> list[ChapterLink]:
    parts = chapter_path.split("/")
    paths = ["/".join(parts[:depth]) for depth in range(1, len(parts) + 1)]
    info = _chapter_info(paths)
    return [ChapterLink(p, _title_of(info, p), 0) for p in paths]


# --- Home, edition, chapter ---------------------------------------------------------------------


def _edition_page(request: HttpRequest, edition: Edition | None) -> HttpResponse:
    context: dict[str, object] = {"edition": edition, "is_latest": True}
    if edition is not None:
        latest = queries.latest_edition()
        counts = _chapter_counts(edition)
        context.update(
            is_latest=latest is not None and latest.pk == edition.pk,
            latest=latest,
            notes=mark_safe(render_markdown(edition.notes)),  # noqa: S308 - sanitised by nh3
            chapters=_chapter_links(counts, None),
            total=sum(n for p, n in counts.items() if "/" not in p),
            recent=list(_listing(edition).order_by("-revision__created_at")[:HOME_ENTRIES]),
            indicators=list(figures.indicators_in(edition)),
            places=figures.places_with_figures(edition)[:HOME_PLACES],
        )
    return render(request, "gazetteer/public_edition.html", context)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The latest edition; before the first edition, a page saying so (not an error)."""
    return _edition_page(request, queries.latest_edition())


@require_safe
def edition_home(request: HttpRequest, year: int) -> HttpResponse:
    return _edition_page(request, _edition(year))


@require_safe
def chapter(request: HttpRequest, year: int, chapter: str) -> HttpResponse:
    """Sub-chapters and entries of one chapter as the edition froze it."""
    edition = _edition(year)
    chapter_path = chapter.strip("/")[:500]
    counts = _chapter_counts(edition)
    if not counts.get(chapter_path):
        raise Http404("No such chapter in this edition.")
    entries = Paginator(
        _listing(edition).filter(revision__chapter_path=chapter_path), CHAPTER_PAGE_SIZE
    )
    page = entries.get_page(_page_number(request))
    crumbs = _breadcrumb(chapter_path)
    return render(
        request,
        "gazetteer/public_chapter.html",
        {
            "edition": edition,
            "chapter": crumbs[-1],
            "crumbs": crumbs[:-1],
            "count": counts[chapter_path],
            "subchapters": _chapter_links(counts, chapter_path),
            "page": page,
        },
    )


# --- Entries --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Citation:
    """A source as the revision froze it; ``url`` only when it is a web address."""

    title: str
    author: str
    year: str
    publisher: str
    pages: str
    url: str

    @property
    def url_display(self) -> str:
        """The address as people read it: "…/wiki/Phượng_Hoàng", not "%C6%B0…"."""
        return unquote(self.url)


def _citations(sources: list[dict[str, str]]) -> list[Citation]:
    citations = []
    for source in sources:
        url = str(source.get("url") or "")
        # Revisions store what the editor typed: only http(s) becomes a link.
        if not url.lower().startswith(("http://", "https://")):
            url = ""
        citations.append(
            Citation(
                title=str(source.get("title") or ""),
                author=str(source.get("author") or ""),
                year=str(source.get("year") or ""),
                publisher=str(source.get("publisher") or ""),
                pages=str(source.get("pages") or ""),
                url=url,
            )
        )
    return citations


@require_safe
def entry(request: HttpRequest, year: int, slug: str) -> HttpResponse:
    """One entry exactly as the edition froze it, with its sources and a citation box."""
    edition = _edition(year)
    row = queries.get_edition_entry(edition, slug)
    revision = row.revision
    places = list(Place.objects.filter(code__in=revision.place_codes))
    latest = queries.latest_edition()
    newer = None
    if latest is not None and latest.pk != edition.pk:
        newer = latest if latest.entries.filter(slug=slug).exists() else None
    permalink = request.build_absolute_uri(entry_url(edition.year, slug))
    text = plain_text(revision.body)
    return render(
        request,
        "gazetteer/public_entry.html",
        {
            "edition": edition,
            "row": row,
            "revision": revision,
            "kind": kind_label(revision.kind),
            "crumbs": _breadcrumb(revision.chapter_path),
            "places": places,
            # Markdown-it renders without raw HTML and nh3 keeps only an allow-list.
            "body": mark_safe(render_markdown(revision.body)),  # noqa: S308
            "sources": _citations(revision.sources),
            # The images as this edition published them (a later change is the next edition's).
            "images": [
                {**image, "url": default_storage.url(image["file"])} for image in row.images
            ],
            "description": Truncator(text).chars(200),
            "permalink": permalink,
            # "Địa chí Nghệ An, ấn bản 2025" already names its year; other titles get it added.
            "edition_label": edition.title
            if str(edition.year) in edition.title
            else f"{edition.title} ({edition.year})",
            "newer": newer,
            "accessed": timezone.localdate(),
        },
    )


@require_safe
def entry_latest(request: HttpRequest, slug: str) -> HttpResponse:
    """``muc/<slug>/``: to the entry in the newest edition that has it (302, it moves yearly)."""
    row = (
        EditionEntry.objects.filter(slug=slug)
        .select_related("edition")
        .order_by("-edition__year")
        .first()
    )
    if row is None:
        raise Http404("No entry.")
    return HttpResponseRedirect(entry_url(row.edition.year, slug))


# --- Places ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureRow:
    year: int
    value: str
    source: str
    note: str
    is_sample: bool


@dataclass(frozen=True)
class IndicatorFigures:
    name: str
    unit: str
    url: str | None
    rows: list[FigureRow]
    chart: figures.LineChart | None = None  # two years or more


SAMPLE_SOURCE = fold("Số liệu minh họa")


def _source(cell: figures.Cell) -> str:
    # A sample figure's "source" often just repeats what its badge already says.
    if cell.is_sample and fold(cell.source).strip(" .") == SAMPLE_SOURCE:
        return ""
    return cell.source


def _place_figures(edition: Edition, place: Place) -> list[IndicatorFigures]:
    """The place's figures as the edition published them (the downloads' query), by indicator,
    latest year first."""
    return [
        IndicatorFigures(
            name=group.indicator.name,
            unit=group.indicator.unit,
            url=_indicator_url(edition.year, group.indicator.code),
            rows=[
                FigureRow(c.year, c.display, _source(c), c.note, c.is_sample) for c in group.cells
            ],
            chart=figures.line_chart(group.cells),
        )
        for group in figures.figures_by_indicator(figures.place_figures(edition, place))
    ]


@require_safe
def place(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """A place: the edition's entries about it and its figures in that edition."""
    edition = _edition(year)
    found = Place.objects.select_related("parent").filter(code=code[:16]).first()
    if found is None:
        raise Http404("No place.")
    # The frozen revisions hold place codes as a JSON list: ["412", "429"].
    entries = list(_listing(edition).filter(revision__place_codes__icontains=f'"{found.code}"'))
    return render(
        request,
        "gazetteer/public_place.html",
        {
            "edition": edition,
            "place": found,
            "entries": entries,
            "figures": _place_figures(edition, found),
            "children": list(found.children.all()),
        },
    )


# The places page groups the levels as people know them.
PLACE_LEVELS: list[tuple[str, tuple[str, ...]]] = [
    ("province", (PlaceKind.PROVINCE,)),
    ("district", (PlaceKind.CITY, PlaceKind.TOWN, PlaceKind.DISTRICT)),
    ("commune", (PlaceKind.WARD, PlaceKind.COMMUNE, PlaceKind.SPECIAL_ZONE)),
]


@dataclass(frozen=True)
class PlaceGroup:
    level: str  # "province", "district" or "commune"
    places: list[Place]


@require_safe
def places_latest(request: HttpRequest) -> HttpResponse:
    """``dia-danh/``: to the latest edition's places (302: it moves every year)."""
    edition = queries.get_edition(None)
    return HttpResponseRedirect(reverse("gazetteer_places", kwargs={"year": edition.year}))


@require_safe
def places(request: HttpRequest, year: int) -> HttpResponse:
    """Every place by level, those with figures marked; ``?ten=`` narrows by name (marks or not;
    not ``q``, which the header's search box shows)."""
    edition = _edition(year)
    name = _param(request, "ten", 100)
    rows = figures.all_places(edition)
    if name:
        wanted = fold(name)
        rows = [p for p in rows if wanted in p.name_folded or wanted in fold(p.full_name)]
    groups = [
        PlaceGroup(level, [p for p in rows if p.kind in kinds]) for level, kinds in PLACE_LEVELS
    ]
    return render(
        request,
        "gazetteer/public_places.html",
        {
            "edition": edition,
            "name": name,
            "groups": [g for g in groups if g.places],
            "with_figures": [p for p in rows if getattr(p, "has_figures", False)],
            "total": len(rows),
        },
    )


# --- Search ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    hit: Hit
    kind: str
    snippet: SafeString


def _answer_for(q: str, edition: Edition | None) -> Answer | None:
    """The figure look-up answer box on top of the results ("dân số Nghi Lộc 2019"), or None
    (then ``gazetteer/_answer_box.html`` is not rendered at all)."""
    return answer_for(q, edition=edition) if q and edition else None


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    """Results with highlighted snippets, filters and pages; no input makes it fail."""
    q = _param(request, "q", 1000)
    filters = Filters(
        kind=k if (k := _param(request, "loai", 32)) in KIND_LABELS else "",
        chapter=_param(request, "chuong", 500).strip("/"),
        place=_param(request, "dia_danh", 16),
        period=_param(request, "thoi_ky", 100),
    )
    page = _page_number(request)
    hits, total = search(
        q, filters=filters, limit=SEARCH_PAGE_SIZE, offset=(page - 1) * SEARCH_PAGE_SIZE
    )
    pages = math.ceil(min(total, COUNT_LIMIT) / SEARCH_PAGE_SIZE)
    if total and page > pages:  # past the end (an old link): show the last page
        page = pages
        hits, total = search(
            q, filters=filters, limit=SEARCH_PAGE_SIZE, offset=(page - 1) * SEARCH_PAGE_SIZE
        )
    top_chapters = queries.top_chapters()
    # The latest edition (the footer's) with the catalogue version the answer box is keyed on.
    edition = latest_edition()
    chapter_title = next((c.title for c in top_chapters if c.path == filters.chapter), "")
    if filters.chapter and not chapter_title:
        chapter_title = _title_of(_chapter_info([filters.chapter]), filters.chapter)
    place_name = ""
    if filters.place:
        found = Place.objects.filter(code=filters.place).first()
        place_name = found.full_name if found else filters.place
    answer = _answer_for(q, edition)
    # Nothing found (and no figure answers): the query spelled again from the indexed titles,
    # and the places spelled alike.
    missed = bool(q) and not total and answer is None
    did_you_mean = did_you_mean_for(q, filters=filters) if missed else None
    close = queries.close_places(q) if missed else []
    return render(
        request,
        "gazetteer/public_search.html",
        {
            "edition": edition,
            "q": q,
            "q_short": Truncator(q).chars(80),
            "filters": filters,
            "results": [
                Result(h, kind_label(h.kind), mark_safe(h.snippet))  # noqa: S308 - escaped by search
                for h in hits
            ],
            "total": total,
            "count_limit": COUNT_LIMIT,
            "page": page,
            "pages": pages,
            # The filter links, worked out here: a {% querystring %} each cost more than the
            # rest of the page's rendering together.
            "kind_all_href": _querystring(request.GET, loai=None, trang=None),
            "kinds": [
                (value, label, _querystring(request.GET, loai=value, trang=None))
                for value, label in EntryKind.choices
            ],
            "chapter_all_href": _querystring(request.GET, chuong=None, trang=None),
            "chapters": [
                (c, _querystring(request.GET, chuong=c.path, trang=None)) for c in top_chapters
            ],
            "chapter_title": chapter_title,
            "place_name": place_name,
            "answer": answer,
            "did_you_mean": did_you_mean,
            "did_you_mean_href": _querystring(request.GET, q=did_you_mean.query, trang=None)
            if did_you_mean
            else "",
            "close_places": close,
        },
    )


# --- Editions and what changed --------------------------------------------------------------------


@require_safe
def editions(request: HttpRequest) -> HttpResponse:
    rows = list(Edition.objects.annotate(n_entries=Count("entries")).order_by("-year"))
    return render(
        request,
        "gazetteer/public_editions.html",
        {"editions": rows, "edition": rows[0] if rows else None},
    )


@dataclass(frozen=True)
class FigureChangeView:
    indicator: str
    unit: str
    place: str
    year: int
    before: str
    after: str


@require_safe
def changes(request: HttpRequest, year: int) -> HttpResponse:
    """Entries added, changed (the new text rendered, what changed marked in it) and removed;
    figures added and revised."""
    edition = _edition(year)
    found = queries.changes_since_previous(edition, figure_limit=CHANGES_SHOWN)

    def figure(change: queries.FigureChange) -> FigureChangeView:
        return FigureChangeView(
            change.indicator,
            change.unit,
            change.place,
            change.year,
            format_number(change.before, locale=page_locale()) if change.before else "",
            format_number(change.after, locale=page_locale()),
        )

    added = [c for c in found.entries if c.kind == "added"]
    changed = [c for c in found.entries if c.kind == "changed"]
    removed = [c for c in found.entries if c.kind == "removed"]
    figures_added = [f for f in found.figures if f.kind == "added"]
    figures_revised = [f for f in found.figures if f.kind == "revised"]
    # Readers compare what they read: both revisions rendered (sanitised as published), compared
    # block by block and word by word (``markdown.rendered_diff``); one query for all of them.
    shown = changed[:CHANGES_SHOWN]
    revisions: dict[tuple[int | None, str], Any] = {  # revisions by (edition, slug)
        (row.edition_id, row.slug): row.revision
        for row in EditionEntry.objects.filter(
            edition__in=[e for e in (edition, found.previous) if e is not None],
            slug__in=[c.slug for c in shown],
        ).select_related("revision")
    }
    previous_id = found.previous.pk if found.previous else None

    def diff(slug: str) -> SafeString:
        old, new = revisions.get((previous_id, slug)), revisions.get((edition.pk, slug))
        if old is None or new is None:
            return SafeString("")
        if old.title == new.title:  # the title is the heading above; shown only if it changed
            return rendered_diff(old.body, new.body).html
        return rendered_diff(f"# {old.title}\n\n{old.body}", f"# {new.title}\n\n{new.body}").html

    diffs = [(c, diff(c.slug)) for c in shown]
    # A first edition "adds" everything: the page lists the first items and counts the rest.
    return render(
        request,
        "gazetteer/public_changes.html",
        {
            "edition": edition,
            "previous": found.previous,
            "added": _capped(added, CHANGES_SHOWN),
            "changed": _capped(diffs, CHANGES_SHOWN, len(changed)),
            "removed": _capped(removed, CHANGES_SHOWN),
            "figures_added": _capped(
                [figure(f) for f in figures_added], CHANGES_SHOWN, found.figures_added
            ),
            "figures_revised": _capped(
                [figure(f) for f in figures_revised], CHANGES_SHOWN, found.figures_revised
            ),
        },
    )


@dataclass(frozen=True)
class Capped:
    """The first items of a long list, and how many there are in all."""

    shown: list[Any]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.shown)


def _capped(items: list[Any], limit: int, total: int | None = None) -> Capped:
    return Capped(items[:limit], len(items) if total is None else total)


urlpatterns: list[URLPattern] = [
    path("", home, name="gazetteer_home"),
    path("tim-kiem/", search_page, name="gazetteer_search"),
    path("an-ban/", editions, name="gazetteer_editions"),
    path("sitemap.xml", sitemap, name="gazetteer_sitemap"),
    path("muc/<slug:slug>/", entry_latest, name="gazetteer_entry_latest"),
    path("<int:year>/", edition_home, name="gazetteer_edition"),
    path("<int:year>/chuong/<path:chapter>/", chapter, name="gazetteer_chapter"),
    path("<int:year>/muc/<slug:slug>/", entry, name="gazetteer_entry"),
    path("dia-danh/", places_latest, name="gazetteer_places_latest"),
    path("<int:year>/dia-danh/", places, name="gazetteer_places"),
    path("<int:year>/dia-danh/<str:code>/", place, name="gazetteer_place"),
    path("<int:year>/thay-doi/", changes, name="gazetteer_changes"),
]
