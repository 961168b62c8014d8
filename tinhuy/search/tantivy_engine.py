"""tantivy as the search engine, behind ``tinhuy.search.backends``' interface.

Chosen with ``TINHUY_SEARCH_ENGINE=tantivy`` for a large gazetteer: FTS5 and PostgreSQL score
every match of a query, tantivy skips most of them (block-max WAND); at 100,000 entries the
database engines answer a common word in about 100 ms, tantivy in a few (``make bench``).

The database stays the source of truth. ``SearchDocument`` rows are written as always, in the
caller's transaction; **after the commit** the rows of the keys touched are read back and
replace those keys in the index (a rolled-back transaction never reaches it). The index holds
what is searched — the four text columns, every word's prefixes, the facets — and, stored
but not indexed, what a hit shows: key, kind, title, URL and the text its snippet is cut from.
So a page of hits is answered by the index alone, without reading the same rows again from
the database. The index is derived data: if it is missing, out of step (a crash between commit
and index), or another version's, ``tinhuy search-reindex`` rebuilds it from the database; a
search finding no index builds it first. Backups need not hold it.

Scoring follows the database engines: every folded word must match (the last as a prefix), in
the title or the body; the words as typed, marks kept, add to the score, so "Vịnh" puts the bay
before the city. The weights are ``backends``' bm25 column weights.
"""

from __future__ import annotations

import functools
import re
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import tantivy
from django.conf import settings

from tinhuy.search.models import SearchDocument
from tinhuy.search.text import fold_chars

if TYPE_CHECKING:
    from tinhuy.progress import ProgressCallback

TEXT_FIELDS = ("title_exact", "title_folded", "body_exact", "body_folded")
WEIGHTS = dict(zip(TEXT_FIELDS, (10.0, 4.0, 2.5, 1.0), strict=True))  # as backends' bm25
MAX_PREFIX = 12  # prefixes indexed per word; a Vietnamese syllable has at most 7 letters
SHOWN_FIELDS = ("title", "url", "body")  # stored, not indexed: what a hit shows
ROW_FIELDS = ("id", "key", "kind", "chapter", "places", "period", *TEXT_FIELDS, *SHOWN_FIELDS)
SCHEMA_VERSION = "3"  # raise when the schema or the document changes; the index is rebuilt
WRITER_HEAP = 50_000_000
LOCK_WAIT_SECONDS = 30.0  # another process (a gunicorn worker) may hold the writer

_WORD = re.compile(r"[^\W_]+")
_lock = threading.RLock()  # engine() may build the index while holding it


def index_dir() -> Path:
    return Path(settings.TINHUY_SEARCH_INDEX_DIR)


def _schema() -> Any:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    builder.add_text_field("key", stored=True, tokenizer_name="raw")
    builder.add_text_field("kind", stored=True, tokenizer_name="raw", index_option="basic")
    for facet in ("chapter", "places", "period"):
        builder.add_text_field(facet, tokenizer_name="raw", index_option="basic")
    for name in SHOWN_FIELDS:
        builder.add_bytes_field(name, stored=True)
    builder.add_bytes_field("body_chars", stored=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name="default", index_option="freq")
        builder.add_text_field(name + "_prefix", tokenizer_name="whitespace", index_option="freq")
    return builder.build()


@functools.lru_cache(maxsize=200_000)
def _word_prefixes(word: str) -> str:
    return " ".join(word[:i] for i in range(1, min(len(word), MAX_PREFIX) + 1))


def _prefixes(text: str) -> str:
    """Every prefix of every word ("nghe" → "n ng ngh nghe"): a term query on it is FTS5's
    ``"ngh"*`` with BM25 scoring (tantivy's own prefix queries score every hit the same)."""
    return " ".join(map(_word_prefixes, _WORD.findall(text)))


def _document(row: Sequence[Any]) -> Any:
    values = dict(zip(ROW_FIELDS, row, strict=True))
    doc = tantivy.Document()
    doc.add_unsigned("id", values["id"])
    doc.add_text("key", values["key"])
    doc.add_text("kind", values["kind"])
    parts = values["chapter"].split("/") if values["chapter"] else []
    for depth in range(1, len(parts) + 1):  # a chapter filter matches its sub-chapters
        doc.add_text("chapter", "/".join(parts[:depth]))
    for code in values["places"].strip("|").split("|"):
        if code:
            doc.add_text("places", code)
    doc.add_text("period", values["period"])
    for name in TEXT_FIELDS:
        doc.add_text(name, values[name])
        doc.add_text(name + "_prefix", _prefixes(values[name]))
    for name in SHOWN_FIELDS:
        doc.add_bytes(name, values[name].encode())
    # The body folded character by character (same length): a snippet finds its matches in it
    # without folding the whole body again for every hit of every query.
    doc.add_bytes("body_chars", fold_chars(values["body"]).encode())
    return doc


class Found(NamedTuple):
    """A hit as the index stored it."""

    key: str
    kind: str
    title: str
    url: str
    body: str
    body_chars: str  # ``fold_chars(body)``, stored at indexing
    score: float


class Engine:
    """One index directory, opened once per process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.schema = _schema()
        fresh = not (path / "meta.json").exists() or self._stamp() != SCHEMA_VERSION
        path.mkdir(parents=True, exist_ok=True)
        if fresh:
            for child in path.iterdir():  # another schema's files: start over
                if child.is_file():
                    child.unlink()
        self.index = tantivy.Index(self.schema, path=str(path))
        self._loaded_meta: tuple[int, int, int] | None = None  # meta.json at the last reload
        if fresh:
            self.rebuild()

    def _meta_state(self) -> tuple[int, int, int] | None:
        """meta.json as the file system sees it: tantivy rewrites it (a new file renamed into
        place) on every commit and merge, so a change of it is the sign of one."""
        try:
            st = (self.path / "meta.json").stat()
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _reload_if_committed(self) -> None:
        """Reload the reader when meta.json changed since the last reload (another process
        committed): one ``stat`` a search instead of a reload (0.07 ms at 100,000 entries).
        While meta.json is less than a second old, always: file times tick coarsely, and two
        commits within one tick could leave the same name, size and time."""
        state = self._meta_state()
        if state is None or state != self._loaded_meta or time.time_ns() - state[1] < 1_000_000_000:
            self._reload()

    def _reload(self) -> None:
        # meta.json is read before the reload: a commit between the two reloads again next time.
        state = self._meta_state()
        self.index.reload()
        self._loaded_meta = state

    def _stamp(self) -> str:
        stamp = self.path / "tinhuy-schema"
        return stamp.read_text().strip() if stamp.exists() else ""

    # Writing

    def _writer(self, heap: int = WRITER_HEAP) -> Any:
        """The index's one writer; waits while another process holds it."""
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                return self.index.writer(heap_size=heap, num_threads=1)
            except ValueError:  # "Failed to acquire Lockfile: LockBusy"
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def rebuild(self, progress: ProgressCallback | None = None) -> int:
        """The whole index again from the ``SearchDocument`` rows; returns how many.
        ``progress(done, total)`` is called every thousand rows and at the end."""
        with _lock:
            writer = self._writer(heap=200_000_000)
            writer.delete_all_documents()
            count = 0
            rows = SearchDocument.objects.order_by("id").values_list(*ROW_FIELDS)
            total = rows.count() if progress else 0
            for row in rows.iterator(chunk_size=2_000):
                writer.add_document(_document(row))
                count += 1
                if progress and count % 1_000 == 0:
                    progress(count, max(total, count))
            writer.commit()
            if progress:
                progress(count, max(total, count))
            writer.wait_merging_threads()
            (self.path / "tinhuy-schema").write_text(SCHEMA_VERSION)
            self._reload()
        return count

    def follow(self, keys: Iterable[str]) -> None:
        """Make the index hold exactly the committed rows of these keys (none: removed)."""
        keys = list(dict.fromkeys(keys))
        if not keys:
            return
        with _lock:
            writer = self._writer()
            for key in keys:
                writer.delete_documents_by_term("key", key)
            for start in range(0, len(keys), 900):
                rows = SearchDocument.objects.filter(key__in=keys[start : start + 900])
                for row in rows.values_list(*ROW_FIELDS):
                    writer.add_document(_document(row))
            writer.commit()
            writer.wait_merging_threads()
            self._reload()

    # Reading

    def top(
        self,
        folded: Sequence[str],
        exact: Sequence[str],
        facets: dict[str, str],
        *,
        limit: int,
        offset: int,
        count_limit: int,
    ) -> tuple[list[Found], int]:
        """A page of hits, best first, with what they show (stored in the index: no second
        read of the rows), and the number of matches (exact up to ``count_limit``, then
        ``count_limit + 1``, as the database engines say it)."""
        self._reload_if_committed()  # what another process committed since
        searcher = self.index.searcher()
        query = self._query(folded, exact, facets)
        found = searcher.search(query, limit, count=True, offset=offset)
        hits = []
        for score, address in found.hits:
            # Only the fields shown, each once; ``to_dict`` converts them all into lists.
            get: Any = searcher.doc(address).get_first
            hits.append(
                Found(
                    get("key"),
                    get("kind"),
                    get("title").decode(),
                    get("url").decode(),
                    get("body").decode(),
                    get("body_chars").decode(),
                    float(score),
                )
            )
        count: int = found.count  # type: ignore[attr-defined]
        return hits, min(count, count_limit + 1)

    def _term(self, name: str, value: str) -> Any:
        return tantivy.Query.term_query(self.schema, name, value, index_option="freq")

    def _query(self, folded: Sequence[str], exact: Sequence[str], facets: dict[str, str]) -> Any:
        q, must, should = tantivy.Query, tantivy.Occur.Must, tantivy.Occur.Should

        def word(kind: str, term: str, prefix: bool) -> Any:
            suffix = "_prefix" if prefix else ""
            return q.boolean_query(
                [
                    (
                        should,
                        q.boost_query(
                            self._term(f"{part}_{kind}{suffix}", term),
                            WEIGHTS[f"{part}_{kind}"],
                        ),
                    )
                    for part in ("title", "body")
                ]
            )

        def all_of(kind: str, terms: Sequence[str]) -> Any:
            last = len(terms) - 1
            return q.boolean_query(
                [(must, word(kind, t[:MAX_PREFIX], i == last)) for i, t in enumerate(terms)]
            )

        clauses = [(must, all_of("folded", folded)), (should, all_of("exact", exact))]
        for name, value in facets.items():
            if value:
                clauses.append((must, q.const_score_query(self._term(name, value), 0.0)))
        return q.boolean_query(clauses)


_engine: Engine | None = None


def engine() -> Engine:
    """This process's engine (the index opened, or built from the database if missing)."""
    global _engine
    path = index_dir()
    if _engine is None or _engine.path != path:
        with _lock:
            if _engine is None or _engine.path != path:
                _engine = Engine(path)
    return _engine


def reset() -> None:
    """Forget the open index (tests point ``TINHUY_SEARCH_INDEX_DIR`` elsewhere)."""
    global _engine
    _engine = None
