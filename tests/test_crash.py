"""Crash safety: kill -9 during a large import, backup → restore, pg_dump → pg_restore.

Everything runs ``tinhuy`` in subprocesses against databases of their own, never the test run's:

- **kill -9 during an import**, on the run's engine (SQLite, or a database ``tinhuy_crash_<pid>``
  on the run's PostgreSQL server): ``tinhuy import-structure`` of a 20,000-row file (1,000
  grassroots organisations and 19,000 cells under TP Vinh), the largest all-or-nothing import
  with a command, is killed with SIGKILL ten times at seeded moments. After each kill the import
  has written either nothing or all of its units with their audit events, and on SQLite
  ``PRAGMA integrity_check`` is ``ok`` and ``PRAGMA foreign_key_check`` finds nothing.
- **backup → restore** on SQLite: ``tinhuy backup`` of the demo, ``tinhuy restore`` into a fresh
  installation; every table's rows are equal and the search index has been rebuilt.
- **pg_dump → pg_restore** on PostgreSQL, with the commands ``docs/operations.md`` gives (the
  ones ``tinhuy backup`` prints): a database with the demo into a new database, rows compared
  table by table. On a SQLite run it uses CI's server (``postgres@127.0.0.1:5432``) and is
  skipped only when no server answers there; on a PostgreSQL run it always runs.

Marked ``slow`` (about three minutes on 2 CPUs): ``pytest -m "not slow"`` leaves them out
locally; ``make test`` and CI run them.
"""

from __future__ import annotations

import csv
import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import dj_database_url
import pytest
from django.conf import settings

from tinhuy.ops.backup import pg_dump_command, pg_restore_command

pytestmark = pytest.mark.slow

DEMO_PASSWORD = "mat-khau-sao-luu-1"
STRUCTURE = "nghe-an-2020"  # the demo's 2020 structure: province, district, grassroots, cell
PARENT = "412"  # Đảng bộ thành phố Vinh
GRASSROOTS, CELLS_EACH = 1_000, 19  # 1,000 + 19,000 = 20,000 rows
ROWS = GRASSROOTS * (1 + CELLS_EACH)
KILLS = 10
SEED = 20261204
# CI's PostgreSQL (.ci/run), tried when the run itself is on SQLite.
CI_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"
POSTGRESQL_ENGINES = {"django.db.backends.postgresql", "django.db.backends.postgresql_psycopg2"}


def run_on_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"] in POSTGRESQL_ENGINES


# --- Installations driven through the command line ------------------------------------------


@dataclass
class Site:
    """A Tỉnh ủy số installation: a var directory and a database URL, used through ``tinhuy``."""

    root: Path
    database_url: str

    @property
    def var(self) -> Path:
        return self.root / "var"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tinhuy.settings",
            "TINHUY_DATABASE_URL": self.database_url,
            "TINHUY_VAR_DIR": str(self.var),
            "TINHUY_DEMO_PASSWORD": DEMO_PASSWORD,
            "TINHUY_SEARCH_INDEX_DIR": str(self.var / "search-index"),
        }

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "tinhuy.cli", *args]

    def tinhuy(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(  # noqa: S603 - our own command line, fixed arguments
            self.command(*args),
            cwd=self.root,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert result.returncode == 0, (
            f"tinhuy {' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
        )
        return result

    def start(self, *args: str, output: Path) -> subprocess.Popen[bytes]:
        """``tinhuy`` in the background, its output into the file ``output`` (a pipe nobody
        reads while it runs could fill up and stop it)."""
        with output.open("wb") as out:
            return subprocess.Popen(  # noqa: S603 - our own command line, fixed arguments
                self.command(*args),
                cwd=self.root,
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def load_demo(self) -> None:
        self.tinhuy("migrate", "--no-input", "--skip-checks", "-v0")
        self.tinhuy("demo")


def sqlite_site(root: Path, db: Path) -> Site:
    root.mkdir(parents=True, exist_ok=True)
    return Site(root, f"sqlite:///{db}")


def copy_sqlite(src: Path, dest: Path) -> None:
    """A consistent copy through SQLite's backup API (the source may have a -wal file)."""
    source, target = sqlite3.connect(src), sqlite3.connect(dest)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


@pytest.fixture(scope="module")
def sqlite_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database with the demo loaded, made once through the command line."""
    root = tmp_path_factory.mktemp("crash-template")
    site = sqlite_site(root, root / "demo.sqlite3")
    site.load_demo()
    return root / "demo.sqlite3"


# --- PostgreSQL ------------------------------------------------------------------------------


@dataclass
class Postgres:
    """A PostgreSQL server reached with ``admin_url`` (its maintenance database), on which the
    tests create and drop databases of their own."""

    admin_url: str
    created: list[str] = field(default_factory=list)

    def url(self, name: str) -> str:
        parsed = dj_database_url.parse(self.admin_url)
        user = quote(parsed["USER"] or "", safe="")
        password = quote(parsed["PASSWORD"] or "", safe="")
        auth = f"{user}:{password}@" if password else f"{user}@" if user else ""
        host = parsed["HOST"] or "127.0.0.1"
        port = f":{parsed['PORT']}" if parsed["PORT"] else ""
        return f"postgres://{auth}{host}{port}/{name}"

    def settings(self, name: str) -> dict[str, Any]:
        """Django's settings for database ``name``: what ``tinhuy backup`` builds its commands
        from."""
        return {**dj_database_url.parse(self.url(name)), "NAME": name}

    def connect(self, name: str | None = None) -> Any:
        import psycopg

        return psycopg.connect(
            self.url(name) if name else self.admin_url, autocommit=True, connect_timeout=10
        )

    def create(self, name: str) -> str:
        with self.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
        self.created.append(name)
        return name

    def drop_all(self) -> None:
        with self.connect() as conn:
            for name in self.created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def client_env(self) -> dict[str, str]:
        """The environment for pg_dump and pg_restore: the password only in PGPASSWORD."""
        password = dj_database_url.parse(self.admin_url)["PASSWORD"]
        return {**os.environ, **({"PGPASSWORD": password} if password else {})}


def _postgres_admin_url() -> tuple[str | None, str]:
    """The server to use and, when there is none, why."""
    if run_on_postgresql():
        db = settings.DATABASES["default"]
        url = os.environ.get("TINHUY_DATABASE_URL", "")
        return Postgres(url).url("postgres") if url else None, f"no URL for {db['NAME']}"
    import psycopg

    try:
        with psycopg.connect(CI_POSTGRES_URL, connect_timeout=3):
            return CI_POSTGRES_URL, ""
    except psycopg.OperationalError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, (
            "this run is on SQLite and no PostgreSQL server answers at "
            f"postgres@127.0.0.1:5432 ({first_line}); CI's PostgreSQL pass runs this test"
        )


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    url, why = _postgres_admin_url()
    if url is None:
        if run_on_postgresql():
            pytest.fail(f"the run is on PostgreSQL but its server cannot be used: {why}")
        pytest.skip(why)
    server = Postgres(url)
    yield server
    server.drop_all()


@pytest.fixture(scope="module")
def postgres_demo(postgres: Postgres, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database ``tinhuy_crash_<pid>`` on the server with the demo loaded; its name."""
    name = postgres.create(f"tinhuy_crash_{os.getpid()}")
    Site(tmp_path_factory.mktemp("crash-pg"), postgres.url(name)).load_demo()
    return name


# --- The import and what it left -----------------------------------------------------------


def write_import(path: Path, prefix: str) -> Path:
    """A CSV of ROWS new units under TP Vinh whose codes start with ``prefix-`` and whose names
    carry `` prefix ``: 1,000 grassroots organisations, each with 19 cells (two generations)."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Mã", "Tên", "Cấp", "Mã đơn vị cấp trên", "Loại"])
        for i in range(GRASSROOTS):
            code = f"{prefix}-CS{i:04d}"
            writer.writerow([code, f"Đảng bộ thử {prefix} số {i}", "co-so", PARENT, "grassroots"])
            for j in range(CELLS_EACH):
                name = f"Chi bộ thử {prefix} số {i}.{j}"
                writer.writerow([f"{code}-CB{j:02d}", name, "chi-bo", code, "cell"])
    return path


COUNT_UNITS = (
    "SELECT count(*) FROM org_unit u JOIN org_structure s ON s.id = u.structure_id "
    "WHERE s.code = {p} AND u.code LIKE {p}"
)
COUNT_EVENTS = (
    "SELECT count(*) FROM audit_auditevent WHERE action = 'unit.create' AND target_repr LIKE {p}"
)


@dataclass
class CrashDatabase:
    """The database the imports are killed on, for either engine: what an import left, whether
    a writer has started, and the engine's own consistency checks."""

    site: Site
    sqlite_path: Path | None = None  # None: PostgreSQL
    pg: Postgres | None = None
    pg_name: str = ""
    _pg_conn: Any = None  # one connection for the checks, polled every few milliseconds

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        if self.sqlite_path is not None:
            # A connection a query: the last one to close empties and removes the WAL.
            conn = sqlite3.connect(self.sqlite_path, timeout=30)
            try:
                return conn.execute(sql.format(p="?"), params).fetchall()
            finally:
                conn.close()
        assert self.pg is not None
        if self._pg_conn is None:
            self._pg_conn = self.pg.connect(self.pg_name)
        return self._pg_conn.execute(sql.format(p="%s"), params).fetchall()

    def close(self) -> None:
        if self._pg_conn is not None:
            self._pg_conn.close()

    def left_by(self, prefix: str) -> tuple[int, int]:
        """(units, their audit events) written by the import of ``prefix``'s file."""
        units = self._query(COUNT_UNITS, (STRUCTURE, f"{prefix}-%"))[0][0]
        events = self._query(COUNT_EVENTS, (f"% thử {prefix} số %",))[0][0]
        return units, events

    def writing(self) -> bool:
        """Has a writer begun to write? SQLite: the WAL holds frames (it is emptied and removed
        when the last connection closes, as the checks' connection does after each run).
        PostgreSQL: another session of the database holds a transaction id (taken on its first
        write)."""
        if self.sqlite_path is not None:
            wal = self.sqlite_path.with_name(self.sqlite_path.name + "-wal")
            return wal.exists() and wal.stat().st_size > 0
        rows = self._query(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = {p} "
            "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()",
            (self.pg_name,),
        )
        return rows[0][0] > 0

    def settle(self) -> None:
        """On PostgreSQL, wait for the killed client's server process to notice and end (it
        rolls back); on SQLite there is no such process."""
        if self.pg is None:
            return
        sql = (
            "SELECT count(*) FROM pg_stat_activity WHERE datname = {p} AND pid <> pg_backend_pid()"
        )
        deadline = time.monotonic() + 60
        while self._query(sql, (self.pg_name,))[0][0] and time.monotonic() < deadline:
            time.sleep(0.1)

    def consistency_problems(self) -> list[str]:
        """SQLite's own checks of the file; PostgreSQL's crash safety is its WAL's business."""
        if self.sqlite_path is None:
            return []
        problems = []
        conn = sqlite3.connect(self.sqlite_path, timeout=30)
        try:
            integrity = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            if integrity != ["ok"]:
                problems.append(f"integrity_check: {integrity[:5]}")
            foreign = conn.execute("PRAGMA foreign_key_check").fetchall()
            if foreign:
                problems.append(f"foreign_key_check: {foreign[:5]}")
        finally:
            conn.close()
        return problems


@pytest.fixture
def crash_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CrashDatabase]:
    """A copy of the demo on the run's engine: a SQLite file, or the PostgreSQL demo database."""
    if run_on_postgresql():
        server: Postgres = request.getfixturevalue("postgres")
        name: str = request.getfixturevalue("postgres_demo")
        database = CrashDatabase(Site(tmp_path, server.url(name)), pg=server, pg_name=name)
    else:
        demo: Path = request.getfixturevalue("sqlite_demo")
        db = tmp_path / "crash.sqlite3"
        copy_sqlite(demo, db)
        database = CrashDatabase(sqlite_site(tmp_path, db), sqlite_path=db)
    yield database
    database.close()


@dataclass(frozen=True)
class Outcome:
    prefix: str
    kill_after: float | None  # seconds from the start; None: left to finish
    returncode: int
    saw_writing: bool  # a write had begun when the kill was sent
    units: int
    events: int

    def __str__(self) -> str:
        when = "not killed" if self.kill_after is None else f"kill at {self.kill_after:.2f} s"
        return (
            f"{self.prefix}: {when}, exit {self.returncode}, writing seen: {self.saw_writing}, "
            f"{self.units} units, {self.events} audit events"
        )


def run_import(
    db: CrashDatabase, prefix: str, *, kill_at: Callable[[float], float | None]
) -> Outcome:
    """Import ``prefix``'s file; ``kill_at(elapsed)`` is asked every few milliseconds and
    answers the moment (seconds from the start) to send SIGKILL, or None while undecided."""
    path = write_import(db.site.root / f"{prefix}.csv", prefix)
    args = ("import-structure", str(path), "--structure", STRUCTURE, "--skip-checks")
    log = db.site.root / f"{prefix}.log"
    process = db.site.start(*args, output=log)
    started = time.monotonic()
    moment: float | None = None
    saw_writing = False
    try:
        while process.poll() is None:
            elapsed = time.monotonic() - started
            if moment is None:
                moment = kill_at(elapsed)
            if moment is not None and elapsed >= moment:
                saw_writing = db.writing()
                os.kill(process.pid, signal.SIGKILL)  # our own child, by its id
                break
            if elapsed > 600:
                pytest.fail(f"the import of {prefix} ran for ten minutes")
            time.sleep(0.005)
    finally:
        process.wait(timeout=60)
    if process.returncode not in (0, -signal.SIGKILL):
        output = log.read_text(encoding="utf-8", errors="replace")
        pytest.fail(f"the import of {prefix} failed ({process.returncode}):\n{output}")
    db.settle()
    units, events = db.left_by(prefix)
    killed = process.returncode == -signal.SIGKILL
    return Outcome(
        prefix, moment if killed else None, process.returncode, saw_writing, units, events
    )


def test_an_import_killed_at_any_moment_leaves_all_of_its_rows_or_none(
    crash_database: CrashDatabase,
) -> None:
    """A 20,000-row structure import is killed with SIGKILL ten times at seeded moments spread
    over its run (its duration measured first on a complete import): even-numbered runs at a
    moment anywhere in the run, odd-numbered ones at a moment after the import was seen to
    begin writing. After every kill the import left either none of its units and audit events
    or all of them, and the SQLite file passes integrity_check and foreign_key_check."""
    db = crash_database
    assert db.consistency_problems() == []

    started = time.monotonic()
    full = run_import(db, "M", kill_at=lambda elapsed: None)
    duration = time.monotonic() - started
    assert (full.returncode, full.units, full.events) == (0, ROWS, ROWS), str(full)

    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    kills_started = time.monotonic()
    rng = random.Random(SEED)  # noqa: S311 - seeded moments to kill at, not a secret
    fractions = [rng.random() for _ in range(KILLS)]
    outcomes: list[Outcome] = []
    for run, fraction in enumerate(fractions):
        if run % 2 == 0:
            # Anywhere in the run, from the interpreter's start to the commit.
            def kill_at(elapsed: float, fraction: float = fraction) -> float | None:
                return fraction * duration
        else:
            # Once the first write is seen, a moment in what is left of the measured run.
            def kill_at(elapsed: float, fraction: float = fraction) -> float | None:
                if not db.writing():
                    return None
                return elapsed + fraction * max(duration - elapsed, 0.2)

        outcome = run_import(db, f"K{run}", kill_at=kill_at)
        outcomes.append(outcome)
        report = "\n".join(str(o) for o in outcomes)
        assert (outcome.units, outcome.events) in {(0, 0), (ROWS, ROWS)}, (
            f"a partial import after kill -9 (seed {SEED}):\n{report}"
        )
        assert db.consistency_problems() == [], f"after {outcome}"

    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    wall = time.monotonic() - kills_started
    report = "\n".join(str(o) for o in outcomes)
    killed = [o for o in outcomes if o.returncode == -signal.SIGKILL]
    assert killed, f"no run was killed: the kills came too late\n{report}"
    assert any(o.saw_writing for o in killed), (
        f"no kill landed after the import had begun writing\n{report}"
    )
    sys.stdout.write(
        f"\nkill -9 during the import (seed {SEED}; a whole import {duration:.1f} s; the ten "
        f"runs {wall:.1f} s, of which the imports' CPU {cpu:.1f} s):\n{report}\n"
    )


# --- Backup and restore ----------------------------------------------------------------------


def sqlite_tables(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted: equal dictionaries mean equal data."""
    conn = sqlite3.connect(db)
    try:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            name: sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)  # noqa: S608
            for name in names
        }
    finally:
        conn.close()


def sqlite_dump(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_a_backup_restored_into_a_fresh_installation_holds_the_same_data(
    sqlite_demo: Path, tmp_path: Path
) -> None:
    """``tinhuy backup`` of the demo, ``tinhuy restore`` of that file into a new installation
    (no database, no var directory yet): every table holds the same rows (and the same schema, as
    ``iterdump`` shows), and the restore rebuilt the new installation's search index, which
    then holds every search document and finds what the database holds."""
    live = tmp_path / "live"
    live.mkdir()
    copy_sqlite(sqlite_demo, live / "t.sqlite3")
    source = sqlite_site(live, live / "t.sqlite3")
    backup = tmp_path / "backup.sqlite3"
    source.tinhuy("backup", str(backup))

    fresh_root = tmp_path / "fresh"
    fresh = sqlite_site(fresh_root, fresh_root / "t.sqlite3")
    assert not fresh.var.exists()  # a new installation: no database, no var directory yet
    result = fresh.tinhuy("restore", str(backup), "--yes")
    assert "Đã phục hồi" in result.stdout

    before, after = sqlite_tables(live / "t.sqlite3"), sqlite_tables(fresh_root / "t.sqlite3")
    assert sorted(after) == sorted(before)
    different = [name for name in before if before[name] != after[name]]
    assert different == [], f"tables that differ after the restore: {different}"
    assert sqlite_dump(fresh_root / "t.sqlite3") == sqlite_dump(live / "t.sqlite3")
    assert len(before["org_unit"]) > 800  # the demo really is there
    assert before["search_searchdocument"], "the demo indexes its gazetteer"

    # The restore rebuilt the index (nothing searched in the fresh installation before it).
    import tantivy

    index_dir = fresh.var / "search-index"
    assert (index_dir / "meta.json").exists(), "the restore did not rebuild the search index"
    assert tantivy.Index.open(str(index_dir)).searcher().num_docs == len(
        before["search_searchdocument"]
    )
    # Both installations find the same documents (the live one builds its index on this search).
    found = search_keys(fresh)
    assert found, "the rebuilt index finds nothing"
    assert found == search_keys(source)


def search_keys(site: Site) -> list[str]:
    """The keys of every document a search for “Nghệ An” finds in the installation, sorted."""
    script = (
        "from tinhuy.search.backends import search, uses_tantivy\n"
        "assert uses_tantivy()\n"
        "hits, total = search('Nghệ An', limit=100_000)\n"
        "print(*(hit.key for hit in hits))"
    )
    return sorted(site.tinhuy("shell", "--no-startup", "-c", script).stdout.split())


def postgres_tables(conn: Any) -> dict[str, list[str]]:
    """Every table of the public schema: its rows as text, sorted."""
    names = [
        row[0]
        for row in conn.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
    ]
    return {
        name: sorted(row[0] for row in conn.execute(f'SELECT t::text FROM "{name}" AS t'))  # noqa: S608
        for name in names
    }


def postgres_sequences(conn: Any) -> dict[str, Any]:
    rows = conn.execute(
        "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
    ).fetchall()
    return dict(rows)


def test_pg_dump_restored_with_pg_restore_into_a_new_database_holds_the_same_data(
    postgres: Postgres, postgres_demo: str, tmp_path: Path
) -> None:
    """The documented PostgreSQL backup (``pg_dump --format=custom``) of a database with the
    demo, restored with the documented ``pg_restore --clean --if-exists --no-owner
    --single-transaction`` into a new, empty UTF-8 database: every table holds the same rows
    and every sequence the same value."""
    for program in ("pg_dump", "pg_restore"):
        assert shutil.which(program), f"{program} is missing: install postgresql-client"
    dump = tmp_path / "tinhuy.dump"
    env = postgres.client_env()
    subprocess.run(  # noqa: S603 - the documented command, built by tinhuy.ops.backup
        pg_dump_command(postgres.settings(postgres_demo), dump), env=env, check=True, timeout=300
    )
    target = postgres.create(f"tinhuy_crash_{os.getpid()}_{uuid.uuid4().hex[:8]}")
    subprocess.run(  # noqa: S603 - the documented command, built by tinhuy.ops.backup
        pg_restore_command(postgres.settings(target), dump), env=env, check=True, timeout=300
    )

    with postgres.connect(postgres_demo) as source, postgres.connect(target) as restored:
        before, after = postgres_tables(source), postgres_tables(restored)
        sequences_before, sequences_after = postgres_sequences(source), postgres_sequences(restored)
    assert sorted(after) == sorted(before)
    different = [name for name in before if before[name] != after[name]]
    assert different == [], f"tables that differ after pg_restore: {different}"
    assert sequences_after == sequences_before
    assert len(before["org_unit"]) > 800  # the demo really is there
    assert before["auth_user"] and before["search_searchdocument"]
