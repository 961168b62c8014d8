"""The citizen's gazetteer in Chromium, on a desktop (1366 px) and a phone (390 px): the home
page's ways in, a place page with its chart, a look-up answer and a search that found nothing.
No page scrolls sideways.

The server and the browser are this directory's (``conftest.py``: ``tinhuy serve`` with the
demo loaded, a throw-away database; one Playwright for the whole run). Public pages: no login.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import AppServer

pytestmark = pytest.mark.browser

WIDTHS = [1366, 390]


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="vi-VN", viewport={"width": request.param, "height": 900})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def test_the_home_page_leads_to_search_look_up_indicators_and_places(
    page: Page,
    app_server: AppServer,
) -> None:
    page.goto(app_server.url("/dia-chi/"))
    for name in (
        "Tìm trong các mục từ",
        "Hỏi một số liệu",
        "Các chỉ tiêu thống kê",
        "Các địa danh",
    ):
        expect(page.get_by_role("heading", name=name)).to_be_visible()
    _no_sideways_scroll(page)
    page.get_by_label("Hỏi như khi nói chuyện: chỉ tiêu, địa danh, năm").fill(
        "nghe an co bao nhieu dan nam 2019"
    )
    page.get_by_role("button", name="Hỏi").click()
    expect(page.locator(".gz-answer-value")).to_have_text("3.327.791")
    _no_sideways_scroll(page)


def test_a_place_page_shows_its_chart_and_downloads(
    page: Page,
    app_server: AppServer,
) -> None:
    page.goto(app_server.url("/dia-chi/2025/dia-danh/412/"))
    chart = page.locator("svg.gz-chart-svg")
    expect(chart).to_have_count(1)
    expect(chart).to_be_visible()
    expect(chart.locator("text", has_text="số liệu minh họa")).to_have_count(1)
    box = chart.bounding_box()
    assert box is not None and box["width"] <= page.viewport_size["width"]  # type: ignore[index]
    expect(page.get_by_role("link", name="CSV")).to_be_visible()
    expect(page.get_by_role("link", name="Excel (.xlsx)")).to_be_visible()
    _no_sideways_scroll(page)


@pytest.mark.parametrize(
    "path",
    [
        "/dia-chi/tra-cuu/?q=" + quote("mật độ dân số Vinh"),
        "/dia-chi/tra-cuu/?q=" + quote("Vinh có bao nhiêu người"),
        "/dia-chi/tim-kiem/?q=" + quote("phan boi chao"),
        "/dia-chi/2025/dia-danh/",
    ],
)
def test_answers_suggestions_and_lists_fit_the_screen(
    page: Page,
    app_server: AppServer,
    path: str,
) -> None:
    response = page.goto(app_server.url(path))
    assert response is not None and response.status == 200
    _no_sideways_scroll(page)
