"""Full-text search over ``SearchDocument`` with one interface and two engines.

Both engines match on the folded text (no marks, đ as d, prefix on the last word) and rank
matches of the text as typed (marks kept) higher, so "Vịnh" puts the bay first and "vinh" the
city. Queries are reduced to words before they reach an engine: no input can inject engine
syntax or make a search fail.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction

from tinhuy.search import tantivy_engine
from tinhuy.search.models import SearchDocument
from tinhuy.search.text import fold, fold_chars, fold_text, normalize, normalize_text

if TYPE_CHECKING:
    from tinhuy.progress import ProgressCallback

MAX_TERMS = 8
# Matches are counted up to this many; a total of COUNT_LIMIT + 1 means "more than COUNT_LIMIT".
# Counting every match of a common word is most of a search's time (``make bench``).
COUNT_LIMIT = 1000
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Document:
    key: str
    kind: str
    title: str
    body: str
    url: str
    chapter: str = ""
    places: tuple[str, ...] = ()
    period: str = ""


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    chapter: str = ""  # a chapter path; its sub-chapters match too
    place: str = ""  # a place code
    period: str = ""


@dataclass(frozen=True)
class Hit:
    key: str
    kind: str
    title: str
    url: str
    snippet: str  # safe HTML: escaped text with <mark> around matches
    score: float


@dataclass(frozen=True)
class Query:
    folded: tuple[str, ...]
    exact: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Query:
        text = text[:1000]
        return cls(
            folded=tuple(_WORD.findall(fold(text)))[:MAX_TERMS],
            exact=tuple(_WORD.findall(normalize(text).lower()))[:MAX_TERMS],
        )

    def __bool__(self) -> bool:
        return bool(self.folded)

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        """Any term as a whole folded word, the last also as a word's beginning (as typed so
        far): what a snippet marks."""
        last = len(self.folded) - 1
        return re.compile(
            "|".join(
                r"\b" + re.escape(term) + (r"\w*" if i == last else r"\b")
                for i, term in enumerate(self.folded)
            )
            or r"(?!)"
        )


def to_document_row(doc: Document) -> SearchDocument:
    title, body = normalize_text(doc.title), normalize_text(doc.body)
    return SearchDocument(
        key=doc.key, kind=doc.kind, title=title, url=doc.url, chapter=doc.chapter,
        places="|" + "|".join(doc.places) + "|" if doc.places else "", period=doc.period,
        title_exact=title.lower(), title_folded=fold_text(title),
        body=body, body_exact=body.lower(), body_folded=fold_text(body),
    )  # fmt: skip


FIELDS = ["kind", "title", "url", "chapter", "places", "period", "body",
          "title_exact", "title_folded", "body_exact", "body_folded"]  # fmt: skip


# Bumped whenever this process changes the index: what is kept from the titles
# (``tinhuy.search.suggest``) is then read again, an edited title seen at once.
_generation = 0


def index_generation() -> int:
    return _generation


def _changed() -> None:
    global _generation
    _generation += 1


@transaction.atomic
def index_documents(docs: Iterable[Document], *, batch_size: int = 1000) -> None:
    """Add or replace documents by key."""
    _changed()
    rows = {doc.key: to_document_row(doc) for doc in docs}
    existing = dict(SearchDocument.objects.filter(key__in=list(rows)).values_list("key", "id"))
    new = [row for key, row in rows.items() if key not in existing]
    changed = []
    for key, pk in existing.items():
        row = rows[key]
        row.pk = pk
        changed.append(row)
    SearchDocument.objects.bulk_create(new, batch_size=batch_size)
    if changed:
        SearchDocument.objects.bulk_update(changed, FIELDS, batch_size=batch_size)
    _follow_on_commit(rows)


@transaction.atomic
def remove_documents(keys: Iterable[str]) -> None:
    _changed()
    keys = list(keys)
    SearchDocument.objects.filter(key__in=keys).delete()
    _follow_on_commit(keys)


def uses_tantivy() -> bool:
    return settings.TINHUY_SEARCH_ENGINE == "tantivy"


def _follow_on_commit(keys: Iterable[str]) -> None:
    """With tantivy, the index follows the rows once they are committed (never a rollback). A
    failure there is logged, not raised: the save stands, and ``tinhuy search-reindex`` mends
    the index."""
    if uses_tantivy():
        keys = list(keys)
        transaction.on_commit(lambda: tantivy_engine.engine().follow(keys), robust=True)


def rebuild_index(progress: ProgressCallback | None = None) -> int:
    """The tantivy index again from the database (``tinhuy search-reindex``); returns the
    number of documents, reporting ``progress(done, total)`` on the way. With the database
    engines there is nothing to rebuild."""
    if not uses_tantivy():
        return SearchDocument.objects.count()
    return tantivy_engine.engine().rebuild(progress)


def _filter_sql(filters: Filters) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if filters.kind:
        clauses.append("d.kind = %s")
        params.append(filters.kind)
    if filters.chapter:
        clauses.append("(d.chapter = %s OR d.chapter LIKE %s)")
        params += [filters.chapter, filters.chapter.replace("%", "") + "/%"]
    if filters.place:
        clauses.append("d.places LIKE %s")
        params.append(f"%|{filters.place.replace('%', '')}|%")
    if filters.period:
        clauses.append("d.period = %s")
        params.append(filters.period)
    return "".join(f" AND {c}" for c in clauses), params


def _fts5_expr(terms: tuple[str, ...]) -> str:
    quoted = [f'"{t}"' for t in terms]
    quoted[-1] += "*"
    return " ".join(quoted)


def _tsquery(terms: tuple[str, ...]) -> str:
    return " & ".join([*terms[:-1], f"{terms[-1]}:*"])


def search(
    text: str, *, filters: Filters | None = None, limit: int = 10, offset: int = 0
) -> tuple[list[Hit], int]:
    """(hits, total) for what a user typed: a page of hits, best first, and how many match,
    counted up to ``COUNT_LIMIT + 1`` (that value means "more than COUNT_LIMIT"). Never raises
    on any input."""
    query = Query.parse(text)
    if not query:
        return [], 0
    if uses_tantivy():
        return _search_tantivy(query, filters or Filters(), limit=limit, offset=offset)
    where, params = _filter_sql(filters or Filters())
    if connection.vendor == "postgresql":
        sql_from = (
            "FROM search_searchdocument d, "
            "to_tsquery('simple', %s) qf, to_tsquery('simple', %s) qe "
            "WHERE d.tsv_folded @@ qf" + where
        )
        from_params = [_tsquery(query.folded), _tsquery(query.exact), *params]
        ranked = (
            "SELECT d.id, ts_rank(d.tsv_folded, qf) + 4 * ts_rank(d.tsv_exact, qe) AS score "
            f"{sql_from} ORDER BY score DESC, d.id LIMIT %s OFFSET %s"
        )
    else:
        match = (
            f"({{title_folded body_folded}} : ({_fts5_expr(query.folded)})) OR "
            f"({{title_exact body_exact}} : ({_fts5_expr(query.exact)}))"
        )
        from_params = [match, *params]
        # Without filters the FTS table alone answers: no join until the page's rows.
        sql_from = (
            "FROM search_fts JOIN search_searchdocument d ON d.id = search_fts.rowid "
            "WHERE search_fts MATCH %s" + where
            if where
            else "FROM search_fts WHERE search_fts MATCH %s"
        )
        # bm25 is lower-is-better; the weights favour titles and the text as typed.
        ranked = (
            "SELECT search_fts.rowid AS id, -bm25(search_fts, 10.0, 4.0, 2.5, 1.0) AS score "
            f"{sql_from} ORDER BY score DESC, search_fts.rowid LIMIT %s OFFSET %s"
        )
    # The SQL is assembled from constants; what the user typed only ever goes in as parameters.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 {sql_from} LIMIT {COUNT_LIMIT + 1}) AS matches",  # noqa: S608
            from_params,
        )
        total = cursor.fetchone()[0]
        if not total:
            return [], 0
        # The page's ids and scores first, then only those rows' text.
        cursor.execute(
            f"SELECT d.key, d.kind, d.title, d.url, d.body, t.score FROM ({ranked}) AS t "  # noqa: S608
            "JOIN search_searchdocument d ON d.id = t.id ORDER BY t.score DESC, d.id",
            [*from_params, limit, offset],
        )
        rows = cursor.fetchall()
    return [
        Hit(key, kind, title, url, snippet(body, query), float(score))
        for key, kind, title, url, body, score in rows
    ], total


def _search_tantivy(
    query: Query, filters: Filters, *, limit: int, offset: int
) -> tuple[list[Hit], int]:
    facets = {
        "kind": filters.kind,
        "chapter": filters.chapter,
        "places": filters.place,
        "period": filters.period,
    }
    found, total = tantivy_engine.engine().top(
        query.folded,
        query.exact,
        facets,
        limit=limit,
        offset=offset,
        count_limit=COUNT_LIMIT,
    )
    # The index stores what a hit shows: the page needs no second read of the same rows.
    return [
        Hit(f.key, f.kind, f.title, f.url, snippet(f.body, query, folded=f.body_chars), f.score)
        for f in found
    ], total


def snippet(text: str, query: Query, width: int = 160, *, folded: str | None = None) -> str:
    """Escaped text around the first match, with matched words in <mark>.

    ``folded`` is ``fold_chars(text)`` when the caller has it (tantivy stores it beside the
    body): folding is most of a snippet's cost. Only the window shown is scanned for marks.
    Escaped by ``html.escape``, which Django's ``escape`` wraps (the same characters) behind a
    lazy-string check that cost more than the escaping, a few times a hit.
    """
    escape = html.escape
    if folded is None:
        folded = fold_chars(text)
    pattern = query.pattern
    first = pattern.search(folded)
    start = max(0, first.start() - width // 3) if first else 0
    end = min(len(text), start + width)
    pieces: list[str] = []
    cursor = start
    if first is not None:
        # From the first match (the leftmost of all terms: none lies before it), a little past
        # the window so that a word cut by its end is left unmarked rather than half-marked.
        for match in pattern.finditer(folded, first.start(), min(len(folded), end + 40)):
            s, e = match.span()
            if e > end:
                break
            pieces.append(escape(text[cursor:s]))
            pieces.append(f"<mark>{escape(text[s:e])}</mark>")
            cursor = e
    pieces.append(escape(text[cursor:end]))
    return ("…" if start > 0 else "") + "".join(pieces) + ("…" if end < len(text) else "")
