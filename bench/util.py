"""What every benchmark needs: its own database, a timer, and a table to print.

``prepare_database`` runs before ``django.setup()`` and imports nothing of Django: the settings
read ``TINHUY_DATABASE_URL`` and ``TINHUY_VAR_DIR`` once, at import.
"""

from __future__ import annotations

import math
import os
import shutil
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent
BENCH_VAR_DIR = PROJECT_DIR / "var" / "bench"
SQLITE_FILE = BENCH_VAR_DIR / "bench.sqlite3"
# The tantivy index (the search engine by default on SQLite) of the run's database: derived from
# it, so deleted with it at the start of every run.
SEARCH_INDEX_DIR = BENCH_VAR_DIR / "search-index"
PG_SCHEMES = ("postgres", "postgresql", "pgsql")
PG_SUFFIX = "_bench"

REPETITIONS = 20
WARM_UPS = 2

T = TypeVar("T")
R = TypeVar("R")


# --- The benchmark's own database ------------------------------------------------------------


@dataclass(frozen=True)
class BenchDatabase:
    """Where the run writes: a fresh SQLite file, or a PostgreSQL database made for the run."""

    engine: str  # "sqlite" or "postgresql"
    url: str  # what TINHUY_DATABASE_URL is set to for the run
    pg_admin_url: str = ""  # PostgreSQL: the maintenance database used to create and drop
    pg_name: str = ""  # PostgreSQL: the database created for the run
    notes: tuple[str, ...] = ()

    def create(self) -> None:
        if self.engine == "sqlite":
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
            shutil.rmtree(SEARCH_INDEX_DIR, ignore_errors=True)
            return
        _pg_admin(self.pg_admin_url, "DROP DATABASE IF EXISTS {} WITH (FORCE)", self.pg_name)
        _pg_admin(
            self.pg_admin_url, "CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0", self.pg_name
        )

    def drop(self) -> None:
        """PostgreSQL: drop the run's database. SQLite: keep the file to look at; the next run
        deletes it."""
        if self.engine != "postgresql":
            return
        from django.db import connections

        connections.close_all()
        _pg_admin(self.pg_admin_url, "DROP DATABASE IF EXISTS {} WITH (FORCE)", self.pg_name)


def prepare_database(environ: os._Environ[str] | dict[str, str] = os.environ) -> BenchDatabase:
    """Point the settings at the benchmark's own database, never the user's.

    - ``TINHUY_VAR_DIR`` is ``var/bench`` (the secret key and the SQLite file live there).
    - No ``TINHUY_DATABASE_URL``, or a SQLite one: ``var/bench/bench.sqlite3``, deleted first.
    - A PostgreSQL URL: same server and credentials, but the database named in the URL with
      ``_bench`` appended (``tinhuy`` → ``tinhuy_bench``), created for the run and dropped at
      its end. The database named in the URL itself is never opened.
    - ``TINHUY_DEBUG`` is forced off: the figures are those of a production configuration.
    - ``TINHUY_SEARCH_INDEX_DIR`` is ``var/bench/search-index`` (the search engine is left at
      its default: tantivy on SQLite, the database's full text on PostgreSQL).
    """
    BENCH_VAR_DIR.mkdir(parents=True, exist_ok=True)
    environ["TINHUY_VAR_DIR"] = str(BENCH_VAR_DIR)
    environ["TINHUY_DEBUG"] = "false"
    environ["TINHUY_SEARCH_INDEX_DIR"] = str(SEARCH_INDEX_DIR)
    environ.pop("TINHUY_SEARCH_ENGINE", None)  # as shipped: the default engine
    given = environ.get("TINHUY_DATABASE_URL", "").strip()
    sqlite_url = f"sqlite:///{SQLITE_FILE}"  # an absolute path: sqlite:////…/var/bench/…
    if not given:
        environ["TINHUY_DATABASE_URL"] = sqlite_url
        return BenchDatabase("sqlite", sqlite_url)
    parts = urlsplit(given)
    scheme = parts.scheme.split("+", 1)[0].lower()
    if scheme == "sqlite":
        environ["TINHUY_DATABASE_URL"] = sqlite_url
        note = f"TINHUY_DATABASE_URL is SQLite ({given}): the bench uses its own {SQLITE_FILE}"
        return BenchDatabase("sqlite", sqlite_url, notes=(note,))
    if scheme not in PG_SCHEMES:
        raise SystemExit(f"make bench runs on SQLite or PostgreSQL, not {parts.scheme!r}.")
    name = unquote(parts.path.lstrip("/")) or "tinhuy"
    bench_name = name + PG_SUFFIX
    bench_url = urlunsplit(parts._replace(path="/" + bench_name))
    admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    environ["TINHUY_DATABASE_URL"] = bench_url
    note = f"TINHUY_DATABASE_URL names {name!r}: the bench creates and drops {bench_name!r}"
    return BenchDatabase("postgresql", bench_url, admin_url, bench_name, notes=(note,))


def _pg_admin(admin_url: str, statement: str, database: str) -> None:
    """Run one statement about ``database`` from the server's maintenance database."""
    import psycopg
    from psycopg import sql

    query = sql.SQL(statement).format(sql.Identifier(database))  # type: ignore[arg-type]
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(query)
    except psycopg.OperationalError as exc:
        server = urlsplit(admin_url).netloc.rpartition("@")[2]  # no password in the message
        raise SystemExit(f"make bench cannot reach PostgreSQL at {server}: {exc}") from exc


def allow_test_host() -> None:
    """Let ``django.test.Client`` in (its host is "testserver"), under production settings."""
    from django.conf import settings

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    assert not settings.DEBUG


def test_client() -> Any:
    """A ``django.test.Client`` for a timed run (``allow_test_host``)."""
    from django.test import Client

    allow_test_host()
    return Client()


# --- Timing ----------------------------------------------------------------------------------


@dataclass
class Timing:
    samples: list[float]  # seconds

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def p95_ms(self) -> float:
        """Nearest-rank 95th percentile (the 19th of 20 sorted samples)."""
        return self.percentile_ms(95)

    def percentile_ms(self, percent: float) -> float:
        """Nearest-rank percentile."""
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)] * 1000


def measure(fn: Callable[[], object], reps: int = REPETITIONS, warm_ups: int = WARM_UPS) -> Timing:
    for _ in range(warm_ups):
        fn()
    samples = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return Timing(samples)


def measure_each(
    fn: Callable[[T], R],
    items: Sequence[T],
    rounds: int = 1,
    warm_ups: int = 5,
    results: list[R] | None = None,
) -> Timing:
    """One sample per item per round, round after round, after untimed calls on the first
    ``warm_ups`` items: the percentiles are over a fixed list of inputs (queries), not over
    repetitions of one. ``results`` (if given) receives what the first round returned."""
    for item in items[:warm_ups]:
        fn(item)
    samples = []
    for round_ in range(rounds):
        for item in items:
            start = time.perf_counter()
            result = fn(item)
            samples.append(time.perf_counter() - start)
            if results is not None and round_ == 0:
                results.append(result)
    return Timing(samples)


def timed(fn: Callable[[], object]) -> tuple[object, float]:
    """(result, seconds) of one call, for one-off steps such as generating the data."""
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def count_queries(fn: Callable[[], object]) -> int:
    """SQL statements one call makes; counted in a pass of its own, outside the timed runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


# --- The table -------------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    queries: int
    timing: Timing
    floor: str = ""  # key of a floor row


NAME_WIDTH = 48


def floor_header() -> str:
    return (
        f"{'floor':<{NAME_WIDTH}} {'key':<15} {'queries':>7} {'runs':>4} "
        f"{'median ms':>10} {'p95 ms':>9}"
    )


def floor_line(key: str, row: Row) -> str:
    return (
        f"{_cut(row.name):<{NAME_WIDTH}} {key:<15} {row.queries:>7} {len(row.timing.samples):>4} "
        f"{row.timing.median_ms:>10.2f} {row.timing.p95_ms:>9.2f}"
    )


def figure_header() -> str:
    return (
        f"{'figure':<{NAME_WIDTH}} {'queries':>7} {'runs':>4} {'median ms':>10} {'p95 ms':>9}  "
        f"{'floor':<15} {'floor ms':>9} {'ratio':>7} {'×http':>6}"
    )


def figure_line(row: Row, floors: dict[str, Row], request_floor: str = "") -> str:
    """One figure beside its floor; for a request, also its ratio to the trivial request."""
    floor = floors[row.floor]
    ratio = row.timing.median_ms / floor.timing.median_ms
    versus_http = ""
    if request_floor:
        versus_http = f"{row.timing.median_ms / floors[request_floor].timing.median_ms:.1f}×"
    return (
        f"  {_cut(row.name, NAME_WIDTH - 2):<{NAME_WIDTH - 2}} {row.queries:>7} "
        f"{len(row.timing.samples):>4} {row.timing.median_ms:>10.2f} {row.timing.p95_ms:>9.2f}  "
        f"{row.floor:<15} {floor.timing.median_ms:>9.2f} {ratio:>6.1f}× {versus_http:>6}"
    )


def _cut(text: str, width: int = NAME_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# --- Verdicts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """A target of an issue: the figure may take at most ``limit`` × its floor, both measured
    in the same run."""

    what: str
    figure_ms: float
    floor_ms: float
    limit: float

    @property
    def met(self) -> bool:
        return self.figure_ms <= self.limit * self.floor_ms

    def line(self) -> str:
        allowed = self.limit * self.floor_ms
        if self.met:
            verdict = "met"
        else:
            verdict = (
                f"NOT met: {self.figure_ms / allowed:.2f}× the {_ms(allowed)} allowed "
                f"({_ms(self.figure_ms - allowed)} over)"
            )
        return (
            f"  {_cut(self.what, VERDICT_WIDTH - 2):<{VERDICT_WIDTH - 2}} "
            f"{_ms(self.figure_ms):>10} {_ms(self.floor_ms):>10} "
            f"{self.figure_ms / self.floor_ms:>6.2f}× {'≤ ' + format(self.limit, '.1f') + '×':>7}"
            f"  {verdict}"
        )


VERDICT_WIDTH = 54


def verdict_header(title: str) -> str:
    return (
        f"{_cut(title, VERDICT_WIDTH):<{VERDICT_WIDTH}} {'figure':>10} {'floor':>10} "
        f"{'ratio':>7} {'target':>7}  verdict"
    )


def _ms(ms: float) -> str:
    return f"{ms / 1000:.2f} s" if ms >= 10_000 else f"{ms:.1f} ms"
