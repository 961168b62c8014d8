"""``make load``'s parts that need no server: the targets, the locustfile, the statistics.

The locustfile is imported for real (with locust's gevent monkey-patching turned off, so the
rest of the test session is not changed by it) and its users are run task by task against
Django's test client: every address they ask for resolves to the page it is named after and
answers 200 to the right person, and the province office's log-in through the form succeeds.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.test import Client
from django.urls import resolve

from load import run
from load.pages import PAGES, URL_NAMES, paths
from load.targets import OFFICE_USERNAME, find
from tests.conftest import PASSWORD


@pytest.fixture
def locustfile(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setenv("LOCUST_SKIP_MONKEY_PATCH", "1")
    module = importlib.import_module("load.locustfile")
    module._targets.cache_clear()
    module._paths.cache_clear()
    # What ``--host`` gives the users in a real run.
    monkeypatch.setattr(module.HttpUser, "host", "http://testserver")
    return module


@pytest.fixture
def targets(db: None) -> dict[str, Any]:
    return find()


class _Answer:
    """What locust's ``catch_response=True`` context gives the task, from a test response."""

    def __init__(self, response: Any) -> None:
        self.status_code = response.status_code
        self.headers = response.headers
        self.text = response.content.decode()
        self.failed: str | None = None

    def __enter__(self) -> _Answer:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def failure(self, message: str) -> None:
        self.failed = message


class _RecordingClient:
    """Stands in for locust's HTTP session: Django's test client, with CSRF checked."""

    def __init__(self) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.calls: list[tuple[str, str, _Answer]] = []

    def get(self, path: str, *, name: str, **_: object) -> _Answer:
        answer = _Answer(self.client.get(path))
        self.calls.append((name, path, answer))
        return answer

    def post(self, path: str, *, data: dict[str, str], name: str, **_: object) -> _Answer:
        answer = _Answer(self.client.post(path, data))
        self.calls.append((name, path, answer))
        return answer


def test_every_target_resolves_to_its_page_and_answers_200(
    targets: dict[str, Any], client_for: Any, personas: Any
) -> None:
    """Each address of each page resolves to the URL pattern the page is named after; the
    dashboard answers the province office, the gazetteer pages anyone."""
    office = client_for(personas.province_office)
    anonymous = Client()
    addresses = paths(targets)
    assert set(addresses) == set(PAGES)
    for page, page_paths in addresses.items():
        assert page_paths, page
        for path in page_paths:
            assert resolve(path.split("?")[0]).url_name == URL_NAMES[page], path
            client = office if page == "study dashboard" else anonymous
            response = client.get(path)
            assert response.status_code == 200, (page, path, response.status_code)


def test_the_dashboard_is_not_a_page_for_anonymous_visitors(targets: dict[str, Any]) -> None:
    """The load counts a redirect as a failure: the dashboard must be behind the log-in."""
    path = paths(targets)["study dashboard"][0]
    assert Client().get(path).status_code == 302


def test_locust_users_log_in_through_the_form_and_ask_for_each_page(
    locustfile: ModuleType,
    targets: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    personas: Any,
) -> None:
    """The office user logs in once (CSRF token from the form, the right password) and opens
    the dashboard; the citizen's three tasks open an entry, a search and a look-up; all 200."""
    from locust.env import Environment

    assert personas.province_office.username == OFFICE_USERNAME
    target_file = tmp_path / "targets.json"
    target_file.write_text(json.dumps(targets), encoding="utf-8")
    monkeypatch.setenv("TINHUY_LOAD_TARGETS", str(target_file))
    monkeypatch.setenv("TINHUY_LOAD_PASSWORD", PASSWORD)
    environment = Environment()

    office = locustfile.ProvinceOffice(environment)
    office.client = _RecordingClient()
    office.on_start()
    office.study_dashboard()
    citizen = locustfile.Citizen(environment)
    citizen.client = _RecordingClient()
    citizen.gazetteer_entry()
    citizen.gazetteer_search()
    citizen.figure_lookup()

    calls = office.client.calls + citizen.client.calls
    names = [name for name, _, _ in calls]
    assert names == ["log-in form", "log-in", *PAGES]
    for name, path, answer in calls:
        assert answer.failed is None, (name, path, answer.failed)
        if name in URL_NAMES:
            assert resolve(path.split("?")[0]).url_name == URL_NAMES[name]
            assert answer.status_code == 200, (name, path)
    login = calls[1][2]
    assert login.status_code == 302
    assert login.headers["Location"] == "/"


def test_a_wrong_password_is_a_failed_log_in_not_a_silent_one(
    locustfile: ModuleType,
    targets: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The form shown again (200) is reported as a failure and the user stops."""
    from locust.env import Environment
    from locust.exception import StopUser

    target_file = tmp_path / "targets.json"
    target_file.write_text(json.dumps(targets), encoding="utf-8")
    monkeypatch.setenv("TINHUY_LOAD_TARGETS", str(target_file))
    monkeypatch.setenv("TINHUY_LOAD_PASSWORD", "not-the-password-9")
    office = locustfile.ProvinceOffice(Environment())
    office.client = _RecordingClient()
    with pytest.raises(StopUser):
        office.on_start()
    assert office.client.calls[-1][2].failed == "log-in refused (HTTP 200)"


STATS_CSV = """\
Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%
GET,figure look-up,94,0,3700,3560.1,30,5600,20000,1.5,0.0,3700,4000,4200,4300,4700,5100,5400,5500,5600,5600,5600
GET,study dashboard,80,2,4300,4100.0,200,6100,100000,1.3,0.03,4300,4600,4800,5000,5300,5500,6000,6100,6100,6100,6100
POST,log-in,8,0,4800,4500.0,900,6800,0,0.1,0.0,4800,5000,5200,5300,6800,6800,6800,6800,6800,6800,6800
,Aggregated,182,2,3800,3700.0,30,6800,50000,2.9,0.03,3800,4100,4300,4500,5000,5300,5800,5900,6800,6800,6800
"""


def test_statistics_are_read_in_page_order_and_failures_fail_the_run(tmp_path: Path) -> None:
    """Locust's CSV: the pages in the printed order, the overall line last; one failed request
    makes the database's run a failure, and the report says what failed."""
    stats = tmp_path / "locust_stats.csv"
    stats.write_text(STATS_CSV, encoding="utf-8")
    failures = tmp_path / "locust_failures.csv"
    failures.write_text(
        "Method,Name,Error,Occurrences\nGET,study dashboard,HTTP 302 /dang-nhap/,2\n",
        encoding="utf-8",
    )
    lines = run.read_stats(stats)
    assert [line.name for line in lines] == [
        "study dashboard",
        "figure look-up",
        "log-in",
        "overall",
    ]
    overall = lines[-1]
    assert (overall.requests, overall.failures, overall.rps) == (182, 2, 2.9)
    assert (overall.p50, overall.p95, overall.p99) == (3800, 5300, 5900)

    db = run.databases(["sqlite"], run.DEFAULT_POSTGRES_URL)[0]
    outcome = run.Outcome(db, lines=lines, failures=run.read_failures(failures))
    assert not outcome.ok
    printed = run.report(outcome, run.argparse.Namespace(workers=2, users=32, run_time=60))
    assert "FAILED 2 × GET study dashboard: HTTP 302 /dang-nhap/" in printed
    assert "  overall                 182       2     2.9    3800    5300    5900" in printed

    clean = run.Outcome(db, lines=[line for line in lines if not line.failures])
    clean.lines[-1:] = [run.Line("overall", 100, 0, 1.0, 1, 2, 3)]
    assert clean.ok


def test_each_database_has_a_folder_and_port_of_its_own() -> None:
    """SQLite under var/load/sqlite on 8111, PostgreSQL under var/load/postgresql on 8112; a
    password in the PostgreSQL URL is never shown."""
    sqlite, postgres = run.databases(
        ["sqlite", "postgresql"], "postgres://postgres:secret@127.0.0.1:5432/tinhuy_load"
    )
    assert (sqlite.var_dir.name, sqlite.port) == ("sqlite", 8111)
    assert sqlite.var_dir.parent == run.LOAD_VAR_DIR
    assert (postgres.var_dir.name, postgres.port) == ("postgresql", 8112)
    assert postgres.shown == "127.0.0.1:5432/tinhuy_load"
    env = run.environment(postgres, "pw")
    assert env["TINHUY_DEBUG"] == "false"
    assert env["TINHUY_ALLOWED_HOSTS"] == "127.0.0.1"
    assert env["TINHUY_VAR_DIR"] == str(postgres.var_dir)
    with pytest.raises(SystemExit, match="not a PostgreSQL URL"):
        run.databases(["postgresql"], "mysql://x@127.0.0.1/y")
