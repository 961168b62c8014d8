"""Gazetteer endpoints: search, figure look-up, entries, indicators and figures (public, no
login), and the editors' writes (entries, their state, figures).

Reads show the latest published edition, as the public site does, through the same functions
(``search``, ``lookup``, ``queries``, ``figures``). Writes call the actions the editor pages
call; ``require_editor`` answers 404 to any signed-in user who is not an editor, as an
out-of-scope object does. Figures sent here are checked by the figures import
(``imports.figures.validate``), its rules and messages: all or nothing.
"""

import dataclasses
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from tinhuy.apikit import (
    PAGINATION_PARAMS,
    Pagination,
    problem,
    problems,
    reject_unknown_params,
)
from tinhuy.documents.numbers import format_number
from tinhuy.gazetteer import figures, lookup, queries
from tinhuy.gazetteer.access import get_entry_for_editor, require_editor
from tinhuy.gazetteer.actions import (
    EntrySpec,
    SourceSpec,
    do_save_entry,
    do_set_entry_state,
    entry_url,
)
from tinhuy.gazetteer.imports import figures as figure_imports
from tinhuy.gazetteer.markdown import render as render_markdown
from tinhuy.gazetteer.models import Chapter, EditionObservation, Entry, Place
from tinhuy.gazetteer.schemas import (
    AnswerOut,
    EntryDraftOut,
    EntryIn,
    EntryOut,
    IndicatorOut,
    LookupFilters,
    LookupNotFoundOut,
    ObservationFilters,
    ObservationIn,
    ObservationOut,
    SavedOut,
    SearchFilters,
    SearchHitOut,
    StateIn,
)
from tinhuy.search.backends import COUNT_LIMIT, Filters, Hit, search

router = Router(tags=["Địa chí"])

SLUG = r"^[-a-zA-Z0-9_]+$"
INDICATOR_CODE = r"^[-a-zA-Z0-9_]+$"
SEARCH_PARAMS = ("q", "kind", "place", "chapter", "period")
MAX_OBSERVATIONS = 10_000  # per request; a larger set is a file for the import page


def _clean(value: str, max_length: int) -> str:
    # NUL is dropped: PostgreSQL refuses it in text. Long input is cut, never refused.
    return value.replace("\x00", "").strip()[:max_length]


def _unprocessable(request: HttpRequest, errors: list[tuple[list[str], str]]) -> HttpResponse:
    """422 in the shape of ninja's own validation errors; the messages are also the detail."""
    return problem(
        request,
        422,
        _("Dữ liệu không hợp lệ."),
        " ".join(message for _loc, message in errors),
        errors=[{"loc": loc, "msg": message} for loc, message in errors],
    )


# Search and look-up


class _SearchResults:
    """The search as a sequence for ninja's paginator: it takes one slice, then the length, so
    one call to ``search`` answers both."""

    def __init__(self, request: HttpRequest, text: str, filters: Filters) -> None:
        self.request, self.text, self.filters = request, text, filters
        self.total: int | None = None

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        start, stop = window.start or 0, window.stop or 0
        hits, self.total = search(
            self.text, filters=self.filters, limit=max(0, stop - start), offset=start
        )
        # Hit URLs are paths of this site: the scheme and host are worked out once a page.
        site = self.request.build_absolute_uri("/").removesuffix("/")
        return [self._item(hit, site) for hit in hits]

    def __len__(self) -> int:
        if self.total is None:
            _hits, self.total = search(self.text, filters=self.filters, limit=1)
        return self.total

    @staticmethod
    def _item(hit: Hit, site: str) -> dict[str, Any]:
        return {
            "slug": hit.key.removeprefix("entry:"),
            "title": hit.title,
            "kind": hit.kind,
            "snippet": hit.snippet,
            "url": site + hit.url,
            "score": hit.score,
        }


@router.get(
    "/search",
    response=list[SearchHitOut],
    auth=None,
    operation_id="search_gazetteer",
    openapi_extra=problems(public=True),
    summary="Tìm mục từ trong địa chí (có dấu hay không dấu), lọc theo loại, địa danh, chương, "
    "thời kỳ",
    description=f"`count` đếm số mục từ khớp tối đa đến {COUNT_LIMIT + 1}: giá trị "
    f"{COUNT_LIMIT + 1} nghĩa là hơn {COUNT_LIMIT} (các trang sau đó vẫn đọc được).",
)
@paginate(Pagination)
def search_gazetteer(request: HttpRequest, filters: Query[SearchFilters]) -> Any:
    reject_unknown_params(request, (*SEARCH_PARAMS, *PAGINATION_PARAMS))
    return _SearchResults(
        request,
        _clean(filters.q, 1000),
        Filters(
            kind=_clean(filters.kind, 32),
            chapter=_clean(filters.chapter, 500).strip("/"),
            place=_clean(filters.place, 16),
            period=_clean(filters.period, 100),
        ),
    )


@router.get(
    "/lookup",
    response={200: AnswerOut, 404: LookupNotFoundOut},
    auth=None,
    operation_id="lookup_gazetteer_figure",
    openapi_extra=problems(public=True),
    summary="Tra cứu một số liệu (“dân số Nghi Lộc 2019”); không có thì 404 kèm gợi ý",
)
def lookup_figure(request: HttpRequest, filters: Query[LookupFilters]) -> Any:
    reject_unknown_params(request, ("q",))
    result = lookup.lookup(_clean(filters.q, lookup.MAX_QUERY))
    if result.answer is not None:
        answer = dataclasses.asdict(result.answer)
        for key in ("series_url", "place_url"):
            answer[key] = request.build_absolute_uri(answer[key])
        return answer
    suggestions = result.suggestions or lookup.Suggestions("")
    return problem(
        request,
        404,
        _("Không tìm thấy số liệu."),
        suggestions.message,
        suggestions={
            "message": suggestions.message,
            "indicators": [_link(request, link) for link in suggestions.indicators],
            "places": [_link(request, link) for link in suggestions.places],
            "years": suggestions.years,
        },
    )


def _link(request: HttpRequest, link: lookup.Link) -> dict[str, str]:
    return {"code": link.code, "name": link.name, "url": request.build_absolute_uri(link.url)}


# Entries


def _place_out(place: Place) -> dict[str, str]:
    return {
        "code": place.code,
        "name": place.name,
        "full_name": place.full_name,
        "kind": place.kind,
    }


@router.get(
    "/entries/{slug}",
    response=EntryOut,
    auth=None,
    operation_id="get_gazetteer_entry",
    openapi_extra=problems(404, public=True),
    summary="Một mục từ như ấn bản mới nhất đã công bố: nội dung HTML, địa danh, nguồn",
)
def get_entry(request: HttpRequest, slug: str = Path(..., max_length=150, pattern=SLUG)) -> Any:
    reject_unknown_params(request, ())
    edition = queries.get_edition(None)
    row = queries.get_edition_entry(edition, slug)
    revision = row.revision
    by_code = {p.code: p for p in Place.objects.filter(code__in=revision.place_codes)}
    chapter = Chapter.objects.filter(path=revision.chapter_path).first()
    return {
        "slug": row.slug,
        "title": revision.title,
        "kind": revision.kind,
        "chapter": revision.chapter_path,
        "chapter_title": chapter.title if chapter else revision.chapter_path.rsplit("/", 1)[-1],
        "period": revision.period,
        # A revision may name a place since removed: it is left out.
        "places": [_place_out(by_code[c]) for c in revision.place_codes if c in by_code],
        "body_html": render_markdown(revision.body),
        "sources": revision.sources,
        "revision": revision.number,
        "edition_year": edition.year,
        "url": request.build_absolute_uri(entry_url(edition.year, row.slug)),
    }


def _draft_out(entry: Entry) -> dict[str, Any]:
    return {
        "slug": entry.slug,
        "title": entry.title,
        "kind": entry.kind,
        "chapter": entry.chapter.path,
        "period": entry.period,
        "places": [_place_out(p) for p in entry.places.all()],
        "body": entry.body,
        "sources": list(entry.sources.all()),
        "state": entry.state,
        "revision": entry.revision,
    }


def _entry_spec(slug: str, payload: EntryIn) -> tuple[EntrySpec | None, list]:
    """The action's spec with the chapter and places resolved, or the errors naming the field."""
    errors: list[tuple[list[str], str]] = []
    chapter = Chapter.objects.filter(path=payload.chapter.strip("/")).first()
    if chapter is None:
        errors.append(
            (
                ["body", "payload", "chapter"],
                _("Không có chương “%(path)s”.") % {"path": payload.chapter},
            )
        )
    index = queries.PlaceIndex.load()
    places: list[Place] = []
    for i, name in enumerate(payload.places):
        found = index.find(name)
        if len(found) == 1:
            if found[0] not in places:
                places.append(found[0])
            continue
        message = (
            _("Địa danh thứ %(n)s: không có địa danh “%(place)s” (theo tên hoặc mã).")
            if not found
            else _(
                "Địa danh thứ %(n)s: “%(place)s” là tên của nhiều địa danh; hãy ghi mã hoặc tên "
                "đầy đủ."
            )
        ) % {"n": i + 1, "place": name}
        errors.append((["body", "payload", "places", str(i)], message))
    if errors or chapter is None:
        return None, errors
    spec = EntrySpec(
        slug=slug,
        title=payload.title,
        kind=payload.kind.value,
        chapter=chapter,
        body=payload.body,
        places=places,
        period=payload.period,
        sources=tuple(SourceSpec(**source.dict()) for source in payload.sources),
    )
    return spec, []


@router.put(
    "/entries/{slug}",
    response={200: EntryDraftOut, 201: EntryDraftOut},
    operation_id="save_gazetteer_entry",
    openapi_extra=problems(403, 404),
    summary="Biên tập viên: tạo hoặc sửa một mục từ (lưu thành phiên bản mới, trạng thái nháp)",
)
def save_entry(
    request: HttpRequest, payload: EntryIn, slug: str = Path(..., max_length=150, pattern=SLUG)
) -> Any:
    reject_unknown_params(request, ())
    require_editor(request.user)
    spec, errors = _entry_spec(slug, payload)
    if spec is None:
        return _unprocessable(request, errors)
    created = not Entry.objects.filter(slug=slug).exists()
    do_save_entry(spec, acting_user=request.user)
    body = _draft_out(get_entry_for_editor(request.user, slug))
    return Status(201, body) if created else body


@router.post(
    "/entries/{slug}/state",
    response=EntryDraftOut,
    operation_id="set_gazetteer_entry_state",
    openapi_extra=problems(403, 404, conflict="Mục từ không chuyển được sang trạng thái này."),
    summary="Biên tập viên: chuyển trạng thái mục từ (nháp → đã thẩm định → đã duyệt đăng)",
)
def set_entry_state(
    request: HttpRequest, payload: StateIn, slug: str = Path(..., max_length=150, pattern=SLUG)
) -> Any:
    reject_unknown_params(request, ())
    entry = get_entry_for_editor(request.user, slug)
    try:
        do_set_entry_state(entry, payload.state.value, acting_user=request.user)
    except ValidationError as exc:
        return problem(request, 409, _("Không chuyển được trạng thái."), " ".join(exc.messages))
    return _draft_out(entry)


# Indicators and figures


@router.get(
    "/indicators/",
    response=list[IndicatorOut],
    auth=None,
    operation_id="list_gazetteer_indicators",
    openapi_extra=problems(public=True),
    summary="Các chỉ tiêu có số liệu trong ấn bản mới nhất",
)
@paginate(Pagination)
def list_indicators(request: HttpRequest) -> Any:
    reject_unknown_params(request, PAGINATION_PARAMS)
    edition = queries.latest_edition()
    year = edition.year if edition else None
    return _WithUrl(figures.indicators_in(edition), request, year)


class _WithUrl:
    """Indicators with their page's absolute URL, sliced by the paginator like a queryset."""

    def __init__(self, indicators: QuerySet, request: HttpRequest, year: int | None) -> None:
        self.indicators, self.request, self.year = indicators, request, year

    def __getitem__(self, window: slice) -> list[dict[str, str]]:
        return [
            {
                "code": i.code,
                "name": i.name,
                "unit": i.unit,
                "definition": i.definition,
                "url": self.request.build_absolute_uri(
                    reverse("gazetteer_indicator", kwargs={"year": self.year, "code": i.code})
                ),
            }
            for i in self.indicators[window]
        ]

    def __len__(self) -> int:
        return self.indicators.count()


@router.get(
    "/indicators/{code}/observations",
    response=list[ObservationOut],
    auth=None,
    operation_id="list_gazetteer_observations",
    openapi_extra=problems(404, public=True),
    summary="Số liệu của một chỉ tiêu trong ấn bản mới nhất, lọc theo địa danh (mã) và năm",
)
@paginate(Pagination)
def list_observations(
    request: HttpRequest,
    filters: Query[ObservationFilters],
    code: str = Path(..., max_length=64, pattern=INDICATOR_CODE),
) -> Any:
    reject_unknown_params(request, ("place", "year", *PAGINATION_PARAMS))
    edition = queries.get_edition(None)
    indicator = figures.get_indicator(edition, code)
    rows = (
        EditionObservation.objects.filter(edition=edition, indicator=indicator)
        .select_related("place")
        .order_by("place__name_sort", "place__code", "year")
    )
    if filters.place:
        rows = rows.filter(place__code=_clean(filters.place, 16))
    if filters.year is not None:
        rows = rows.filter(year=filters.year)
    return _Observations(rows, indicator.code, edition.year)


class _Observations:
    def __init__(self, rows: QuerySet[EditionObservation], code: str, year: int) -> None:
        self.rows, self.code, self.year = rows, code, year

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        return [
            {
                "indicator_code": self.code,
                "place_code": o.place.code,
                "place_name": o.place.full_name,
                "year": o.year,
                "value": float(o.value),
                "value_display": format_number(o.value),
                "source": o.source,
                "note": o.note,
                "is_sample": figures.shown_as_sample(o.is_sample, o.source),
                "edition_year": self.year,
            }
            for o in self.rows[window]
        ]

    def __len__(self) -> int:
        return self.rows.count()


def _api_where(row: figure_imports.FigureRow, field: str) -> str:
    number = row.number
    return _("Số liệu thứ %(n)s (%(field)s)") % {"n": number, "field": f"[{number - 1}].{field}"}


@router.post(
    "/observations",
    response={201: SavedOut},
    operation_id="save_gazetteer_observations",
    openapi_extra=problems(403, 404),
    summary="Biên tập viên: thêm hoặc sửa số liệu (một danh sách, kiểm tra như tệp nhập: "
    "đúng hết mới ghi)",
)
def save_observations(request: HttpRequest, payload: list[ObservationIn]) -> Any:
    reject_unknown_params(request, ())
    require_editor(request.user)
    if len(payload) > MAX_OBSERVATIONS:
        message = _("Mỗi lần gửi tối đa %(max)s số liệu; hãy chia nhỏ hoặc nhập bằng tệp.") % {
            "max": MAX_OBSERVATIONS
        }
        return _unprocessable(request, [(["body", "payload"], message)])
    rows = [
        figure_imports.FigureRow(
            number=i + 1,
            indicator_code=item.indicator_code,
            place=item.place,
            year=str(item.year),
            value=item.value,
            source=item.source,
            note=item.note,
            is_sample="x" if item.is_sample else "",
        )
        for i, item in enumerate(payload)
    ]
    result = figure_imports.save_rows(rows, acting_user=request.user, where=_api_where)
    if result.errors:
        return _unprocessable(
            request,
            [
                (
                    ["body", "payload", str((e.row or 1) - 1), e.column or ""]  # a field name
                    if e.row is not None
                    else ["body", "payload"],
                    e.message,
                )
                for e in result.errors
            ],
        )
    return Status(201, {"added": result.added, "revised": result.revised})
