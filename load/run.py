"""``make load`` (``python -m load``): the load test of issue 12, on SQLite and then PostgreSQL.

For each database, in a folder of its own under ``var/load/`` (``TINHUY_VAR_DIR``):

1. the database: ``var/load/sqlite/tinhuy.sqlite3``, or the PostgreSQL database
   ``tinhuy_load`` (``--postgres-url`` to change), created if missing; ``--fresh``
   starts both over;
2. ``tinhuy migrate`` and ``tinhuy demo`` (a second run changes nothing), with a password made
   for the run (``TINHUY_DEMO_PASSWORD``), and ``tinhuy axes_reset_username`` for the office
   account, so an old failed log-in cannot lock the load out;
3. ``tinhuy serve`` (gunicorn, 2 workers as shipped) with production settings:
   ``TINHUY_DEBUG`` off, ``TINHUY_ALLOWED_HOSTS=127.0.0.1``, the default search engine;
4. one request to each anonymous address the users will ask for (a failure there stops this
   database's run before the clock starts);
5. locust, headless: 32 users (8 started a second) for 60 s (``load/locustfile.py``);
6. gunicorn stopped, locust's statistics read back from its CSV file.

It prints requests, failures, throughput and p50/p95/p99 per page and overall, beside the
machine's load average, and exits 1 if any request failed or any step did not complete.
Logs (server, locust, demo) stay in the database's folder.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from load.pages import LOGIN_PATH, PAGES, paths

PROJECT_DIR = Path(__file__).resolve().parent.parent
LOAD_VAR_DIR = PROJECT_DIR / "var" / "load"
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/tinhuy_load"
FIRST_PORT = 8111  # SQLite on 8111, PostgreSQL on 8112
# Pages the runner prints after the four under test: the office's log-ins, once per user.
LOGIN_PAGES = ("log-in form", "log-in")
READY_SECONDS = 90


class LoadError(Exception):
    """A step that did not complete; the message says which and where its log is."""


@dataclass(frozen=True)
class Database:
    engine: str  # "sqlite" or "postgresql"
    label: str
    url: str
    var_dir: Path
    port: int

    @property
    def shown(self) -> str:
        """Where the data is, without a password."""
        if self.engine == "sqlite":
            return str(self.var_dir / "tinhuy.sqlite3")
        parts = urlsplit(self.url)
        return f"{parts.hostname}:{parts.port or 5432}{parts.path}"


@dataclass
class Line:
    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float


@dataclass
class Outcome:
    database: Database
    lines: list[Line] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # locust's failure table, one per line
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    error: str = ""

    @property
    def failed_requests(self) -> int:
        return sum(line.failures for line in self.lines if line.name == "overall")

    @property
    def ok(self) -> bool:
        return not self.error and bool(self.lines) and self.failed_requests == 0


# --- The databases ---------------------------------------------------------------------------


def databases(engines: Sequence[str], postgres_url: str) -> list[Database]:
    found = []
    if "sqlite" in engines:
        var_dir = LOAD_VAR_DIR / "sqlite"
        url = f"sqlite:///{var_dir / 'tinhuy.sqlite3'}"  # absolute: sqlite:////…/var/load/…
        found.append(Database("sqlite", "SQLite", url, var_dir, FIRST_PORT))
    if "postgresql" in engines:
        scheme = urlsplit(postgres_url).scheme.split("+", 1)[0].lower()
        if scheme not in ("postgres", "postgresql", "pgsql"):
            raise SystemExit(f"--postgres-url is not a PostgreSQL URL: {scheme!r}.")
        var_dir = LOAD_VAR_DIR / "postgresql"
        found.append(Database("postgresql", "PostgreSQL", postgres_url, var_dir, FIRST_PORT + 1))
    return found


def prepare(db: Database, *, fresh: bool) -> None:
    """The database's folder, and the database itself (created if missing)."""
    if fresh:
        shutil.rmtree(db.var_dir, ignore_errors=True)
    db.var_dir.mkdir(parents=True, exist_ok=True)
    if db.engine == "postgresql":
        _create_postgres(db.url, drop_first=fresh)


def _create_postgres(url: str, *, drop_first: bool) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise SystemExit("--postgres-url names no database.")
    admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
            if drop_first:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(
                    sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(
                        sql.Identifier(name)
                    )
                )
    except psycopg.OperationalError as exc:
        server = f"{parts.hostname}:{parts.port or 5432}"  # no password in the message
        raise LoadError(f"cannot reach PostgreSQL at {server}: {exc}") from exc


def environment(db: Database, password: str) -> dict[str, str]:
    """The server's (and its commands') environment: production settings, this run's data."""
    env = dict(os.environ)
    for name in ("TINHUY_SEARCH_ENGINE", "TINHUY_SEARCH_INDEX_DIR", "TINHUY_HTTPS_PROXY"):
        env.pop(name, None)  # as shipped: the default search engine, plain HTTP on loopback
    env |= {
        "DJANGO_SETTINGS_MODULE": "tinhuy.settings",
        "TINHUY_VAR_DIR": str(db.var_dir),
        "TINHUY_DATABASE_URL": db.url,
        "TINHUY_DEBUG": "false",
        "TINHUY_ALLOWED_HOSTS": "127.0.0.1",
        "TINHUY_DEMO_PASSWORD": password,
        "PYTHONUNBUFFERED": "1",
    }
    return env


# --- The steps -------------------------------------------------------------------------------


def tinhuy(*args: str) -> list[str]:
    return [sys.executable, "-m", "tinhuy.cli", *args]


def step(what: str, command: list[str], env: dict[str, str], log: Path) -> str:
    """Run one command to its end, its output into ``log``; LoadError if it fails."""
    print(f"  {what} …", flush=True)
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
            command, env=env, cwd=PROJECT_DIR, stdout=out, stderr=subprocess.STDOUT, check=False
        )
    text = log.read_text(encoding="utf-8", errors="replace")
    if done.returncode != 0:
        raise LoadError(f"{what} failed (exit {done.returncode}); see {log}:\n{_tail(text)}")
    return text


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join("    " + line for line in text.splitlines()[-lines:])


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def start_server(db: Database, env: dict[str, str], workers: int) -> subprocess.Popen[bytes]:
    """``tinhuy serve`` (it becomes gunicorn) in a process group of its own; returns when the
    log-in page answers 200."""
    if not port_is_free(db.port):
        raise LoadError(f"port {db.port} is in use: stop what listens there first")
    log = (db.var_dir / "server.log").open("wb")
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        tinhuy("serve", "--port", str(db.port), "--workers", str(workers)),
        env=env,
        cwd=PROJECT_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            text = (db.var_dir / "server.log").read_text(encoding="utf-8", errors="replace")
            raise LoadError(f"the server stopped (exit {server.returncode}):\n{_tail(text)}")
        if _status(f"http://127.0.0.1:{db.port}{LOGIN_PATH}") == 200:
            return server
        time.sleep(0.5)
    stop_server(server)
    raise LoadError(f"the server did not answer within {READY_SECONDS} s; see its log")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM to gunicorn's group (it finishes its requests), SIGKILL if it will not go."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def _status(url: str) -> int:
    """The status of one GET, redirects not followed; 0 when nothing answered."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def preflight(db: Database, targets: dict[str, object]) -> None:
    """Every anonymous address once, before the clock starts: a wrong target fails here with
    its address, not as thousands of failures in the run."""
    bad = []
    for page in PAGES[1:]:
        for path in paths(targets)[page]:
            status = _status(f"http://127.0.0.1:{db.port}{path}")
            if status != 200:
                bad.append(f"    {page}: {unquote(path)} answered {status or 'nothing'}")
    if bad:
        raise LoadError("addresses that do not answer 200:\n" + "\n".join(bad))


def drive(
    db: Database, env: dict[str, str], targets_file: Path, args: argparse.Namespace
) -> Outcome:
    """Locust against the running server; its statistics read back from the CSV file."""
    outcome = Outcome(db)
    prefix = db.var_dir / "locust"
    for old in db.var_dir.glob("locust_*.csv"):
        old.unlink()
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{args.run_time}s",
        "--stop-timeout",
        "10",
        "--host",
        f"http://127.0.0.1:{db.port}",
        "--csv",
        str(prefix),
        "--only-summary",
    ]
    locust_env = env | {
        "TINHUY_LOAD_TARGETS": str(targets_file),
        "TINHUY_LOAD_PASSWORD": env["TINHUY_DEMO_PASSWORD"],
    }
    print(
        f"  locust: {args.users} users ({args.spawn_rate} a second) for {args.run_time} s …",
        flush=True,
    )
    outcome.load_before = os.getloadavg()
    with (db.var_dir / "locust.log").open("w", encoding="utf-8") as out:
        done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
            command, env=locust_env, cwd=PROJECT_DIR, stdout=out, stderr=subprocess.STDOUT
        )
    outcome.load_after = os.getloadavg()
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        log = (db.var_dir / "locust.log").read_text(encoding="utf-8", errors="replace")
        outcome.error = f"locust wrote no statistics (exit {done.returncode}):\n{_tail(log)}"
        return outcome
    outcome.lines = read_stats(stats)
    outcome.failures = read_failures(Path(f"{prefix}_failures.csv"))
    if done.returncode != 0 and outcome.failed_requests == 0:
        log = (db.var_dir / "locust.log").read_text(encoding="utf-8", errors="replace")
        outcome.error = f"locust exited {done.returncode}:\n{_tail(log)}"
    return outcome


def read_stats(path: Path) -> list[Line]:
    """Locust's ``*_stats.csv``: one row per request name, then "Aggregated" (all of them)."""
    lines = []
    with path.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            name = "overall" if row["Name"] == "Aggregated" else row["Name"]
            lines.append(
                Line(
                    name=name,
                    requests=int(row["Request Count"]),
                    failures=int(row["Failure Count"]),
                    rps=float(row["Requests/s"]),
                    p50=_ms(row["50%"]),
                    p95=_ms(row["95%"]),
                    p99=_ms(row["99%"]),
                )
            )
    order = {name: i for i, name in enumerate((*PAGES, *LOGIN_PAGES, "overall"))}
    return sorted(lines, key=lambda line: order.get(line.name, len(order) - 1))


def _ms(value: str) -> float:
    return float(value) if value not in ("", "N/A") else float("nan")


def read_failures(path: Path) -> list[str]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as file:
        return [
            f"{row['Occurrences']} × {row['Method']} {row['Name']}: {row['Error']}"
            for row in csv.DictReader(file)
        ]


def run_one(db: Database, args: argparse.Namespace) -> Outcome:
    print(f"\n== {db.label}: {db.shown} (TINHUY_VAR_DIR={db.var_dir})", flush=True)
    # The demo accounts get a password made for this run; the load logs in with it.
    password = secrets.token_urlsafe(18)
    server = None
    try:
        prepare(db, fresh=args.fresh)
        env = environment(db, password)
        step("tinhuy migrate", tinhuy("migrate", "--no-input"), env, db.var_dir / "migrate.log")
        step("tinhuy demo", tinhuy("demo"), env, db.var_dir / "demo.log")
        targets_text = step(
            "targets", [sys.executable, "-m", "load.targets"], env, db.var_dir / "targets.log"
        )
        targets = json.loads(targets_text.strip().splitlines()[-1])
        step(
            "tinhuy axes_reset_username",
            tinhuy("axes_reset_username", targets["username"]),
            env,
            db.var_dir / "axes.log",
        )
        targets_file = db.var_dir / "targets.json"
        targets_file.write_text(json.dumps(targets, ensure_ascii=False), encoding="utf-8")
        print(f"  tinhuy serve on http://127.0.0.1:{db.port} ({args.workers} workers) …")
        server = start_server(db, env, args.workers)
        preflight(db, targets)
        return drive(db, env, targets_file, args)
    except LoadError as exc:
        return Outcome(db, error=str(exc))
    finally:
        if server is not None:
            stop_server(server)


# --- The report ------------------------------------------------------------------------------


def report(outcome: Outcome, args: argparse.Namespace) -> str:
    db = outcome.database
    head = (
        f"{db.label} — gunicorn {args.workers} workers (TINHUY_DEBUG off) on 127.0.0.1:{db.port},"
        f" locust {args.users} users for {args.run_time} s"
    )
    if outcome.error and not outcome.lines:
        return f"{head}\n  NOT RUN: {outcome.error}"
    cpus = os.cpu_count() or 0
    before = " ".join(f"{x:.2f}" for x in outcome.load_before)
    after = " ".join(f"{x:.2f}" for x in outcome.load_after)
    rows = [
        head,
        f"  load average (1, 5, 15 min) on {cpus} CPUs: {before} before, {after} after",
        f"  {'page':<18}{'requests':>9}{'failed':>8}{'req/s':>8}"
        f"{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}",
    ]
    rows.extend(
        f"  {line.name:<18}{line.requests:>9}{line.failures:>8}{line.rps:>8.1f}"
        f"{line.p50:>8.0f}{line.p95:>8.0f}{line.p99:>8.0f}"
        for line in outcome.lines
    )
    rows.extend(f"  FAILED {failure}" for failure in outcome.failures)
    if outcome.error:
        rows.append(f"  ERROR {outcome.error}")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m load", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--only", choices=("sqlite", "postgresql"), help="one database instead of both"
    )
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--spawn-rate", type=int, default=8)
    parser.add_argument("--run-time", type=int, default=60, help="seconds (default 60)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES_URL,
        help=f"the PostgreSQL database to load (default {DEFAULT_POSTGRES_URL})",
    )
    parser.add_argument(
        "--fresh", action="store_true", help="start the databases over (drop, migrate, demo)"
    )
    args = parser.parse_args(argv)
    engines = [args.only] if args.only else ["sqlite", "postgresql"]
    outcomes = [run_one(db, args) for db in databases(engines, args.postgres_url)]
    print("\nmake load: figures (locust's percentiles are rounded to 2 significant digits)\n")
    for outcome in outcomes:
        print(report(outcome, args) + "\n")
    failed = [o.database.label for o in outcomes if not o.ok]
    if failed:
        print(f"make load FAILED on {', '.join(failed)}.")
        return 1
    print(f"make load: no failed request on {', '.join(o.database.label for o in outcomes)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
