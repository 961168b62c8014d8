"""Phones (390 px) and a laptop (1366 px), issue 11 item 5: the pages a clerk or a citizen uses
fit the screen, their selects show their text, their key columns can be read, and the study
dashboard prints on A4 without navigation, with its charts and its whole unit table.

"Fits" means: the page does not scroll sideways (``scrollWidth`` ≤ ``innerWidth``) and no element
reaches past the viewport, except inside a box meant to scroll sideways (``.table-responsive``
and the like). A failing page leaves a full-page screenshot, named in the failure message, in
``$TINHUY_BROWSER_SHOTS`` (else ``var/browser-failures/``).

Personas: ``vinh`` (a clerk of TP Vinh: the study plan, its conferences and dashboard, the home
and account pages), ``sokhdt`` (a department clerk: a programme and one of its tasks),
``tuyengiao`` (drafts a document for the Standing Board), ``vanphong`` (the province office: a
meeting, the audit log), ``bientap`` (the gazetteer's editor) and an anonymous citizen (the
public gazetteer).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, StorageState, ViewportSize, expect

from tests.browser.conftest import AppServer, shoot
from tests.browser.steps import overflow_problems

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}
LAPTOP: ViewportSize = {"width": 1366, "height": 768}
# A4 at 96 px per inch is 794 px wide; Chromium prints with about 1 cm margins, so the content of
# a printed page is about 720 px wide.
A4_CONTENT: ViewportSize = {"width": 720, "height": 1040}
# The demo's study plan (other browser tests add plans of their own).
DEMO_PLAN = "lần thứ XIX"
# As of this day TP Vinh has three grassroots units overdue with nothing held (issue 11).
AS_OF = "01/02/2021"
# A key column (a unit's name) narrower than this shows a word or two per line: unreadable.
READABLE_PX = 110


@pytest.fixture
def open_as(
    browser: Browser,
    app_server: AppServer,
    page_as: Callable[[str], Page],
    login_states: dict[str, StorageState],
) -> Iterator[Callable[[str, ViewportSize], Page]]:
    """A page at the given size, logged in as the persona (``""``: an anonymous citizen)."""
    contexts: list[BrowserContext] = []

    def make(username: str, viewport: ViewportSize) -> Page:
        state: StorageState | None = None
        if username:
            if username not in login_states:
                page_as(username)  # logs in once through the form, keeps the cookies
            state = login_states[username]
        context = browser.new_context(locale="vi-VN", viewport=viewport, storage_state=state)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def _open(page: Page, app_server: AppServer, path: str) -> None:
    response = page.goto(app_server.url(path))
    assert response is not None and response.status == 200, (
        f"{path}: {response and response.status}"
    )
    page.wait_for_load_state("load")


def _fits(page: Page) -> None:
    """The page neither scrolls sideways nor has an element past the viewport (outside a box made
    to scroll sideways), and its selects show their text."""
    problems = overflow_problems(page)
    if problems:
        shot = shoot(page, "overflow")
        pytest.fail(f"{page.url} does not fit ({shot}):\n  " + "\n  ".join(problems), pytrace=False)


# Pairs of a form's text fields and selects that share a line.
SIDE_BY_SIDE_JS = r"""(form) => {
  const controls = Array.from(form.querySelectorAll("input, select, textarea")).filter(c => {
    const r = c.getBoundingClientRect();
    return r.width && r.height && !["hidden", "checkbox", "radio", "submit", "button"].includes(c.type);
  });
  const pairs = [];
  controls.forEach((a, i) => controls.slice(i + 1).forEach(b => {
    const ra = a.getBoundingClientRect(), rb = b.getBoundingClientRect();
    if (ra.top < rb.bottom - 2 && rb.top < ra.bottom - 2) pairs.push((a.name || a.id) + " | " + (b.name || b.id));
  }));
  return pairs;
}"""


def _fields_stacked(page: Page, forms: str) -> None:
    """On a phone the fields of each form the selector finds come one under another: none
    shares a line with another."""
    found = page.locator(forms).all()
    assert found, f"no {forms} on {page.url}"
    pairs = [pair for form in found for pair in form.evaluate(SIDE_BY_SIDE_JS)]
    if pairs:
        shot = shoot(page, "side-by-side")
        pytest.fail(f"fields side by side on {page.url} ({shot}): {pairs}", pytrace=False)


def _key_column_readable(page: Page, table: str) -> None:
    """Every body row's first cell (the name the row is about) is at least READABLE_PX wide."""
    widths: list[float] = page.locator(f"{table} > tbody > tr > :first-child").evaluate_all(
        "cells => cells.map(c => c.getBoundingClientRect().width)"
    )
    assert widths, f"{table} has no rows on {page.url}"
    if min(widths) < READABLE_PX:
        shot = shoot(page, "narrow")
        pytest.fail(
            f"{table}'s key column is {min(widths):.0f} px wide on {page.url} ({shot})",
            pytrace=False,
        )


def _link(page: Page, pattern: str, text: str = "") -> str:
    """The first link on the page whose address matches the pattern (and whose text holds
    ``text``)."""
    links: list[list[str]] = page.locator("a[href]").evaluate_all(
        "links => links.map(a => [a.getAttribute('href'), a.textContent])"
    )
    for href, label in links:
        if re.fullmatch(pattern, href) and text in label:
            return href
    raise AssertionError(f"no link like {pattern} {text!r} on {page.url}")


def _open_dashboard(page: Page, app_server: AppServer) -> None:
    """The demo study plan's dashboard as of AS_OF."""
    _open(page, app_server, "/hoc-tap/")
    _open(page, app_server, _link(page, r"/hoc-tap/\d+/", DEMO_PLAN) + f"tien-do/?ngay={AS_OF}")


SIZES = [pytest.param(PHONE, id="390px"), pytest.param(LAPTOP, id="1366px")]


@pytest.mark.parametrize("viewport", SIZES)
def test_a_clerks_study_pages_fit(
    open_as: Callable[[str, ViewportSize], Page],
    app_server: AppServer,
    viewport: ViewportSize,
) -> None:
    """As vinh: the home page, the account page, the study plans, a plan (its rules by level
    readable), the conference registration form, a conference, its report form, the report
    upload and the dashboard (its two tables with a readable unit name) fit the screen."""
    page = open_as("vinh", viewport)
    _open(page, app_server, "/")
    _fits(page)
    _open(page, app_server, "/tai-khoan/")
    _fits(page)

    _open(page, app_server, "/hoc-tap/")
    _fits(page)
    plan = _link(page, r"/hoc-tap/\d+/", DEMO_PLAN)
    _open(page, app_server, plan)
    _fits(page)
    _key_column_readable(page, "#rules")
    _open(page, app_server, plan + "hoi-nghi/dang-ky/")
    expect(page.locator("select[name=host]")).to_be_visible()
    _fits(page)
    if viewport == PHONE:
        _fields_stacked(page, "main form:has(select[name=host])")
    _open(page, app_server, plan + "hoi-nghi/")
    _fits(page)
    conference = _link(page, r"/hoc-tap/hoi-nghi/\d+/")
    _open(page, app_server, conference)
    _fits(page)
    _open(page, app_server, conference + "bao-cao/")
    _fits(page)
    _open(page, app_server, plan + "bao-cao/nhap/")
    _fits(page)

    _open(page, app_server, f"{plan}tien-do/?ngay={AS_OF}")
    expect(page.locator("#units > tbody > tr")).not_to_have_count(0)
    _fits(page)
    _key_column_readable(page, "#units")
    _key_column_readable(page, "#level-totals")


@pytest.mark.parametrize("viewport", SIZES)
def test_a_programme_and_a_task_fit(
    open_as: Callable[[str, ViewportSize], Page],
    app_server: AppServer,
    viewport: ViewportSize,
) -> None:
    """As sokhdt: a programme (its tree and its budget by field, whose field names stay
    readable), one of its tasks and its reporting cycles fit the screen."""
    page = open_as("sokhdt", viewport)
    _open(page, app_server, "/chuong-trinh/")
    programme = _link(page, r"/chuong-trinh/\d+/", "Quyết định 827")
    _open(page, app_server, programme)
    _fits(page)
    _key_column_readable(page, "#budget-by-field")
    task = _link(page, r"/chuong-trinh/muc/\d+/#moc").removesuffix(
        "#moc"
    )  # a task, with milestones
    new_task = _link(page, r"/chuong-trinh/\d+/them-muc/\?cha=\d+&loai=task")
    _open(page, app_server, programme + "ky-bao-cao/")
    _fits(page)
    _open(page, app_server, task)
    _fits(page)
    if viewport == PHONE:  # the forms adding a milestone, a budget line, an indicator
        _fields_stacked(page, "main form.card-body")
    _open(page, app_server, new_task)
    _fits(page)
    if viewport == PHONE:
        _fields_stacked(page, "main form:has(textarea)")


@pytest.mark.parametrize("viewport", SIZES)
def test_meetings_and_the_audit_log_fit(
    open_as: Callable[[str, ViewportSize], Page],
    app_server: AppServer,
    viewport: ViewportSize,
) -> None:
    """As tuyengiao: the drafts and a draft; as vanphong: a draft with its disposition table, a
    meeting, the new-meeting form and the audit log fit the screen."""
    page = open_as("tuyengiao", viewport)
    _open(page, app_server, "/hop-ban-thuong-vu/du-thao/")
    _fits(page)
    _open(page, app_server, _link(page, r"/hop-ban-thuong-vu/du-thao/\d+/"))
    _fits(page)

    page = open_as("vanphong", viewport)
    _open(page, app_server, "/hop-ban-thuong-vu/du-thao/")
    _open(page, app_server, _link(page, r"/hop-ban-thuong-vu/du-thao/\d+/"))
    _fits(page)
    _open(page, app_server, "/hop-ban-thuong-vu/phien-hop/")
    _fits(page)
    _open(page, app_server, _link(page, r"/hop-ban-thuong-vu/phien-hop/\d+/"))
    _fits(page)
    _open(page, app_server, "/hop-ban-thuong-vu/phien-hop/moi/")
    _fits(page)
    _open(page, app_server, "/nhat-ky/")
    _fits(page)


@pytest.mark.parametrize("viewport", SIZES)
def test_the_gazetteer_fits_a_citizens_screen(
    open_as: Callable[[str, ViewportSize], Page],
    app_server: AppServer,
    viewport: ViewportSize,
) -> None:
    """Anonymous: the gazetteer's home, an entry, a search and a figure look-up fit the screen."""
    page = open_as("", viewport)
    _open(page, app_server, "/dia-chi/")
    _fits(page)
    _open(page, app_server, _link(page, r"/dia-chi/\d+/muc/[\w-]+/"))
    _fits(page)
    _open(page, app_server, "/dia-chi/tim-kiem/?q=s%C3%B4ng+Lam")
    _fits(page)
    _open(page, app_server, "/dia-chi/tra-cuu/?q=d%C3%A2n+s%E1%BB%91+Ngh%E1%BB%87+An+2019")
    _fits(page)


@pytest.mark.parametrize("viewport", SIZES)
def test_an_editors_version_list_fits(
    open_as: Callable[[str, ViewportSize], Page],
    app_server: AppServer,
    viewport: ViewportSize,
) -> None:
    """As bientap: the version list of TP Vinh's entry, whose sources include a long web address,
    fits the screen (the address breaks instead of pushing the page sideways)."""
    page = open_as("bientap", viewport)
    _open(page, app_server, "/dia-chi/bien-tap/")
    _open(page, app_server, _link(page, r"/dia-chi/bien-tap/muc/thanh-pho-vinh/phien-ban/"))
    expect(page.get_by_text("http", exact=False).first).to_be_visible()
    _fits(page)


def test_an_overdue_unit_shows_a_stub_in_the_coverage_chart(
    open_as: Callable[[str, ViewportSize], Page], app_server: AppServer
) -> None:
    """As of 01/02/2021 Vinh's overdue units are at 0 %: their bars are drawn a few pixels long,
    not left out."""
    page = open_as("vinh", LAPTOP)
    _open_dashboard(page, app_server)
    lengths: list[float] = page.evaluate(
        """() => {
          const chart = Chart.getChart("coverage-chart");
          const lengths = [];
          chart.data.datasets.forEach((dataset, i) => {
            chart.getDatasetMeta(i).data.forEach((bar, j) => {
              if (dataset.data[j] === 0) lengths.push(Math.abs(bar.x - bar.base));
            });
          });
          return lengths;
        }"""
    )
    assert lengths, "no unit at 0 % in the coverage chart as of 01/02/2021"
    assert min(lengths) >= 3, lengths


@pytest.mark.parametrize("viewport", SIZES)
def test_the_coverage_charts_unit_names_are_whole(
    open_as: Callable[[str, ViewportSize], Page], app_server: AppServer, viewport: ViewportSize
) -> None:
    """Each unit's name beside its bar is drawn whole, on a phone wrapped onto several lines: no
    line is wider than the axis that holds it (Chart.js would cut it at the canvas's edge)."""
    page = open_as("vinh", viewport)
    _open_dashboard(page, app_server)
    found: dict[str, Any] = page.evaluate(
        """() => {
          const axis = Chart.getChart("coverage-chart").scales.y;
          const context = document.createElement("canvas").getContext("2d");
          context.font = Chart.defaults.font.size + "px " + Chart.defaults.font.family;
          const lines = axis.ticks.flatMap(tick => [].concat(tick.label));
          return {
            axis: axis.width,
            widest: Math.max(...lines.map(line => context.measureText(line).width)),
            lines: lines,
          };
        }"""
    )
    assert found["widest"] <= found["axis"], found
    assert "Tổ chức cơ sở đảng số 01, thành phố Vinh (minh họa)" in " ".join(found["lines"])


def test_printing_from_a_laptop_redraws_the_charts_at_the_sheets_width(
    open_as: Callable[[str, ViewportSize], Page], app_server: AppServer
) -> None:
    """Chromium fires "beforeprint" before it lays the page out for paper: the charts, drawn
    1 200 px wide on a laptop, are redrawn at most 680 px wide (an A4 sheet's content), their
    height kept, then follow their boxes again after printing."""
    page = open_as("vinh", LAPTOP)
    _open_dashboard(page, app_server)
    widths = "['coverage-chart', 'timeline-chart'].map(id => Chart.getChart(id).width)"
    heights = "['coverage-chart', 'timeline-chart'].map(id => Chart.getChart(id).height)"
    on_screen: list[float] = page.evaluate(widths)
    tall: list[float] = page.evaluate(heights)
    assert min(on_screen) > 1000, on_screen
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert max(page.evaluate(widths)) <= 680
    assert page.evaluate(heights) == tall
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    page.wait_for_function(f"Math.min(...{widths}) > 1000")


def test_the_dashboard_prints_on_a4_without_navigation(
    open_as: Callable[[str, ViewportSize], Page],
    app_server: AppServer,
) -> None:
    """The dashboard has an "In" button; printed, the navigation, the breadcrumb, the forms and
    the buttons are gone, both charts are drawn within the page and the unit table is whole:
    none of its columns cut off or left in a sideways scroller."""
    page = open_as("vinh", A4_CONTENT)
    _open_dashboard(page, app_server)
    expect(page.get_by_role("button", name="In", exact=True)).to_be_visible()

    page.emulate_media(media="print")
    for hidden in ("nav.navbar", ".breadcrumb", "#dashboard-form", "#unit-filters", "[data-print]"):
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.get_by_role("heading", name="Tiến độ học tập, quán triệt")).to_be_visible()
    for chart in ("coverage-chart", "timeline-chart"):
        box = page.locator(f"#{chart}").bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 150, (chart, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= A4_CONTENT["width"] + 1, (chart, box)
        assert page.evaluate(f"Chart.getChart('{chart}') !== undefined"), chart
    for table in ("#units", "#level-totals"):
        clipped = page.locator(table).evaluate(
            """table => {
              const limit = document.documentElement.clientWidth;
              const cut = [];
              for (let box = table; box; box = box.parentElement) {
                if (box.scrollWidth > box.clientWidth + 1) cut.push(box.tagName + "." + box.className);
              }
              for (const cell of table.querySelectorAll("th, td")) {
                const r = cell.getBoundingClientRect();
                if (r.width && r.right > limit + 1) cut.push(cell.textContent.trim().slice(0, 30));
              }
              return cut;
            }"""
        )
        if clipped:
            shot = shoot(page, "print")
            pytest.fail(f"{table} is clipped in print ({shot}): {clipped}", pytrace=False)
        # Printed, the tables are tables again (not the phone's stacked cards).
        assert page.locator(table).evaluate("t => getComputedStyle(t).display") == "table"
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
