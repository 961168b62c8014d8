"""Logging in, the lock-out, the language switch, and the page's own assets, in Chromium."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, Response, expect

from tests.browser.conftest import (
    DEMO_PASSWORD,
    STRUCTURE_2020,
    STRUCTURE_CURRENT,
    AppServer,
    tinhuy_on,
)

pytestmark = pytest.mark.browser

BOOTSTRAP_DANGER = "rgb(220, 53, 69)"  # .bg-danger, the navbar's red


def test_pages_load_bootstrap_htmx_and_the_stylesheet(page: Page, app_server: AppServer) -> None:
    """Every stylesheet and script the login page links answers 200: Bootstrap colours the navbar
    red and htmx is there (without it the tree and the search box do nothing)."""
    refused: list[str] = []  # what the Content-Security-Policy blocked, as the console says
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.goto(app_server.url("/dang-nhap/"))
    assets = page.locator("link[rel=stylesheet]").evaluate_all("links => links.map(l => l.href)")
    assets += page.locator("script[src]").evaluate_all("scripts => scripts.map(s => s.src)")
    # bootstrap.min.css, tinhuy.css, htmx.min.js, bootstrap.bundle.min.js, tinhuy.js
    assert len(assets) == 5
    broken = [
        f"{answer.status} {url}"
        for url in assets
        if (answer := page.request.get(url)).status != 200
    ]
    assert not broken, f"static files the pages link are not served: {broken}"
    expect(page.locator("nav.navbar")).to_have_css("background-color", BOOTSTRAP_DANGER)
    assert page.evaluate("typeof window.htmx") == "object"
    # The language list works without an inline handler (tinhuy.js), and nothing was refused.
    page.select_option("select[name=language]", "en")
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert refused == []


def test_province_office_logs_in_and_sees_both_structures_on_the_home_page(
    page: Page, log_in: Callable[[Page, str], None]
) -> None:
    """vanphong types the demo password into the login form and lands on the home page, which
    links both of Nghệ An's structures."""
    log_in(page, "vanphong")
    expect(page.get_by_role("heading", name="Đơn vị của tôi")).to_be_visible()
    expect(page.get_by_role("link", name=STRUCTURE_2020, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=STRUCTURE_CURRENT, exact=True)).to_be_visible()


def test_vinh_officer_logs_in_and_sees_vinh_only(
    page: Page, log_in: Callable[[Page, str], None]
) -> None:
    """vinh's home page shows his unit, Đảng bộ thành phố Vinh, and not today's structure."""
    log_in(page, "vinh")
    expect(page.get_by_role("link", name="Đảng bộ thành phố Vinh", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=STRUCTURE_CURRENT, exact=True)).to_have_count(0)


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(
    page: Page, app_server: AppServer
) -> None:
    """After five wrong passwords for nghiloc, the right one shows the lock-out page (429)."""

    def submit(password: str) -> Response:
        page.goto(app_server.url("/dang-nhap/"))
        page.locator("#id_username").fill("nghiloc")
        page.locator("#id_password").fill(password)
        with page.expect_response(
            lambda r: r.request.method == "POST" and r.url.endswith("/dang-nhap/")
        ) as answer:
            page.get_by_role("button", name="Đăng nhập", exact=True).click()
        return answer.value

    # The first four come back to the form with an error; the fifth failure already locks.
    assert [submit("mat-khau-sai").status for _ in range(5)] == [200, 200, 200, 200, 429]
    assert submit(DEMO_PASSWORD).status == 429
    expect(page.get_by_role("heading", name="Tạm khóa đăng nhập")).to_be_visible()
    page.goto(app_server.url("/"))
    expect(page).to_have_url(app_server.url("/dang-nhap/?next=/"))  # not logged in
    # The server is shared by every browser test: later ones log in as nghiloc.
    tinhuy_on(app_server, "axes_reset_username", "nghiloc")


def test_choosing_english_in_the_navbar_switches_the_page_language(
    page_as: Callable[[str], Page], app_server: AppServer
) -> None:
    """The navbar's language selector posts to set_language and comes back in English."""
    page = page_as("vanphong")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "vi")
    # By value: in Vietnamese the option reads "Tiếng Anh" (Django's own catalogue names it).
    page.get_by_label("Ngôn ngữ").select_option(value="en")
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(app_server.url("/"))
