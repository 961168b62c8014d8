"""A real server and a real Chromium for the browser tests.

The server is the application as a user runs it (``tinhuy migrate``, ``tinhuy demo``,
``tinhuy serve``, so gunicorn), in a subprocess, against its own throw-away SQLite file. It does
not share pytest-django's test database: that one is loaded once per session by
``tests/conftest.py`` and ``live_server`` would flush it. Nothing here asks for ``db``.

One server and one browser per session; every test gets fresh browser contexts (own cookies).
Without /usr/bin/chromium the tests are skipped, unless ``TINHUY_REQUIRE_BROWSER=1`` (CI), when
they fail.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    StorageState,
    expect,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_PASSWORD = "Trinh-duyet-thu-nghiem-2025"
SERVER_START_TIMEOUT = 30.0  # seconds until the login page must answer
COMMAND_TIMEOUT = 180  # seconds for `tinhuy migrate` and `tinhuy demo`

STRUCTURE_2020 = "Đảng bộ tỉnh Nghệ An, nhiệm kỳ 2020–2025 (3 cấp)"
STRUCTURE_CURRENT = "Đảng bộ tỉnh Nghệ An (chính quyền địa phương 2 cấp, từ 01/7/2025)"

expect.set_options(timeout=10_000)


@dataclass(frozen=True)
class AppServer:
    """The running application: where it answers, and its scratch directory."""

    base_url: str
    tmp_dir: Path

    def url(self, path: str) -> str:
        return self.base_url + path


@pytest.fixture(scope="session", autouse=True)
def chromium_executable() -> str:
    """Debian's Chromium; its absence skips the browser tests, or fails them in CI."""
    if CHROMIUM.exists():
        return str(CHROMIUM)
    reason = f"{CHROMIUM} is missing (apt-get install chromium); browser tests need it"
    if os.environ.get("TINHUY_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and TINHUY_REQUIRE_BROWSER=1 forbids skipping them", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_env(tmp_dir: Path) -> dict[str, str]:
    """The caller's environment without any TINHUY_* setting, plus the server's own.

    In particular TINHUY_DATABASE_URL (CI points pytest at PostgreSQL) and TINHUY_DEBUG (the 404
    page under test is the production one) never leak in.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("TINHUY_")}
    env.update(
        TINHUY_DATABASE_URL=f"sqlite:///{tmp_dir / 'e2e.sqlite3'}",
        TINHUY_VAR_DIR=str(tmp_dir / "var"),
        TINHUY_DEMO_PASSWORD=DEMO_PASSWORD,
        TINHUY_ALLOWED_HOSTS="127.0.0.1,localhost",
        # gunicorn's control socket defaults to one path per user ($HOME/.gunicorn/gunicorn.ctl):
        # the test server must not take it over from a `make run` going on at the same time.
        GUNICORN_CMD_ARGS="--no-control-socket",
    )
    return env


def _run_tinhuy(tinhuy: Path, args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [str(tinhuy), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"`tinhuy {' '.join(args)}` exited with {result.returncode}:\n"
            f"{result.stdout}\n{result.stderr}",
            pytrace=False,
        )


def _wait_until_answering(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while True:
        if process.poll() is not None:
            pytest.fail(
                f"`tinhuy serve` exited with {process.returncode}:\n{log.read_text()}",
                pytrace=False,
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - http://127.0.0.1
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            pytest.fail(
                f"{url} did not answer within {SERVER_START_TIMEOUT:.0f} s:\n{log.read_text()}",
                pytrace=False,
            )
        time.sleep(0.2)


@contextlib.contextmanager
def _serving(tmp_dir: Path) -> Iterator[AppServer]:
    """``tinhuy serve`` (gunicorn, one worker) on a free port over ``tmp_dir``'s database."""
    tinhuy = Path(sys.executable).parent / "tinhuy"
    port = _free_port()
    log = tmp_dir / "serve.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
            [str(tinhuy), "serve", "--port", str(port), "--workers", "1"],
            env=_server_env(tmp_dir),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(base_url + "/dang-nhap/", process, log)
        yield AppServer(base_url=base_url, tmp_dir=tmp_dir)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _copy_state(source: Path, target: Path) -> None:
    """The database and the var directory (search index, secret key) of one server to another
    directory."""
    target.mkdir(parents=True, exist_ok=True)
    for database in source.glob("e2e.sqlite3*"):
        shutil.copy2(database, target / database.name)
    shutil.copytree(source / "var", target / "var", dirs_exist_ok=True)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The session's server, with the demo loaded; every browser test may write to it."""
    tmp_dir = tmp_path_factory.mktemp("e2e")
    tinhuy = Path(sys.executable).parent / "tinhuy"
    if not tinhuy.exists():
        pytest.fail(f"{tinhuy} is missing: install the project (make install)", pytrace=False)
    env = _server_env(tmp_dir)
    _run_tinhuy(tinhuy, ["migrate", "--no-input"], env)
    _run_tinhuy(tinhuy, ["demo"], env)
    # The demo as loaded, before any test writes, for ``fresh_server``.
    _copy_state(tmp_dir, tmp_dir / "as-loaded")
    with _serving(tmp_dir) as server:
        yield server


@pytest.fixture
def fresh_server(
    app_server: AppServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppServer]:
    """A second server of the test's own over a copy of the demo as loaded, for a journey that
    changes what other tests read on the session's server (the demo's programme, blocked, is
    approved). Log-ins of ``page_as`` do not carry over: its sessions are in the other
    database."""
    tmp_dir = tmp_path_factory.mktemp("e2e-fresh")
    _copy_state(app_server.tmp_dir / "as-loaded", tmp_dir)
    with _serving(tmp_dir) as server:
        yield server


def tinhuy_on(app_server: AppServer, *args: str) -> None:
    """Run a ``tinhuy`` command against the browser tests' server (its database, its var)."""
    _run_tinhuy(Path(sys.executable).parent / "tinhuy", list(args), _server_env(app_server.tmp_dir))


def shots_directory() -> Path:
    """Where screenshots of failing pages go: ``$TINHUY_BROWSER_SHOTS``, else the project's
    ``var/browser-failures/`` (CI keeps it as an artefact)."""
    configured = os.environ.get("TINHUY_BROWSER_SHOTS")
    directory = Path(configured) if configured else REPO / "var" / "browser-failures"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def shoot(page: Page, name: str) -> Path:
    """A full-page screenshot of the page in the shots directory, named from ``name``, the width
    and the page's address."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    slug = re.sub(r"[^a-z0-9]+", "-", f"{name}-{width}-{page.url.split('//', 1)[-1]}".lower())
    path = shots_directory() / f"{slug.strip('-')[:150]}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """When a browser test fails, every page it still has open is saved as a full-page PNG
    (before the fixtures close their contexts), and the report names the files."""
    report: pytest.TestReport = yield  # type: ignore[misc]
    browser = getattr(item, "funcargs", {}).get("browser")
    if report.when == "call" and report.failed and isinstance(browser, Browser):
        test = re.sub(r"[^A-Za-z0-9]+", "-", item.name)
        saved: list[str] = []
        for c, context in enumerate(browser.contexts):
            for p, page in enumerate(context.pages):
                try:
                    saved.append(str(shoot(page, f"failed-{test}-{c}{p}")))
                except PlaywrightError as error:  # a page that crashed or is closing
                    saved.append(f"(no screenshot of {page.url}: {error.message})")
        if saved:
            report.sections.append(("screenshots", "\n".join(saved)))
    return report  # type: ignore[return-value]


@pytest.fixture(scope="session")
def browser(chromium_executable: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Opens a page in a fresh context (own cookies, unless a ``storage_state`` is given); the
    contexts are closed after the test."""
    contexts: list[BrowserContext] = []

    def make(storage_state: StorageState | None = None) -> Page:
        context = browser.new_context(
            locale="vi-VN", viewport={"width": 1280, "height": 900}, storage_state=storage_state
        )
        context.set_default_timeout(10_000)  # a broken page fails in seconds, not minutes
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()


@pytest.fixture(scope="session")
def login_states() -> dict[str, StorageState]:
    """The cookies of the latest form log-in of each persona, for ``page_as`` to reuse: every
    log-in costs the server a full password hash, otherwise most of a test's time."""
    return {}


@pytest.fixture
def log_in(
    app_server: AppServer, login_states: dict[str, StorageState]
) -> Callable[[Page, str], None]:
    """Logs the page in through the login form and waits for the home page."""

    def do_log_in(page: Page, username: str) -> None:
        page.goto(app_server.url("/dang-nhap/"))
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Đăng nhập", exact=True).click()
        expect(page).to_have_url(app_server.url("/"))
        login_states[username] = page.context.storage_state()

    return do_log_in


@pytest.fixture
def page_as(
    new_page: Callable[..., Page],
    log_in: Callable[[Page, str], None],
    login_states: dict[str, StorageState],
    app_server: AppServer,
) -> Callable[[str], Page]:
    """A page in a fresh context logged in as the persona, on the home page."""

    def make(username: str) -> Page:
        state = login_states.get(username)
        if state is None:
            page = new_page()
            log_in(page, username)
            return page
        page = new_page(storage_state=state)
        page.goto(app_server.url("/"))
        expect(page).to_have_url(app_server.url("/"))
        return page

    return make
