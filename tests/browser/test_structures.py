"""The structure browser in Chromium: the htmx tree, the search box, and how the page looks."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import STRUCTURE_2020, STRUCTURE_CURRENT, AppServer

pytestmark = pytest.mark.browser

PROVINCE = "Đảng bộ tỉnh Nghệ An"
VINH = "Đảng bộ thành phố Vinh"
NGHI_LOC = "Đảng bộ huyện Nghi Lộc"
DO_LUONG = "Đảng bộ huyện Đô Lương"
VINH_GRASSROOTS = "Tổ chức cơ sở đảng số 01, thành phố Vinh (minh họa)"


def open_structure(page_as: Callable[[str], Page], name: str) -> Page:
    """As the province office, follow the home page's link to a structure."""
    page = page_as("vanphong")
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    return page


def unit_row(page: Page, name: str) -> Locator:
    """The tree's ``<li>`` whose own link (not a descendant's) is the unit's name."""
    return page.locator(f"xpath=//li[starts-with(@id, 'unit-')][a[normalize-space(.)='{name}']]")


def toggle(row: Locator) -> Locator:
    return row.locator(":scope > button.toggle")


def children_of(row: Locator) -> Locator:
    """The rows loaded into the unit's ``#children-<id>`` list."""
    row_id = row.get_attribute("id") or ""
    return row.page.locator(f"#children-{row_id.removeprefix('unit-')} > li[id^='unit-']")


def test_province_root_expands_to_its_24_units_and_collapses_again(
    page_as: Callable[[str], Page],
) -> None:
    """In the 2020 structure "+" loads the province's 24 units through htmx; "−" empties the list
    and it stays empty; "+" again brings them back."""
    page = open_structure(page_as, STRUCTURE_2020)
    province = unit_row(page, PROVINCE)
    districts = children_of(province)
    expect(districts).to_have_count(0)

    toggle(province).click()
    expect(districts).to_have_count(24)  # 23 committees + Ban Tuyên giáo
    expect(toggle(province)).to_have_text("−")
    expect(unit_row(page, VINH)).to_be_visible()
    expect(unit_row(page, NGHI_LOC)).to_be_visible()

    toggle(province).click()
    shown = districts.filter(visible=True)  # emptied or hidden: either is collapsed
    expect(shown).to_have_count(0)
    expect(toggle(province)).to_have_text("+")
    # A later htmx round trip, the search box's, is the point to check at: a request the collapse
    # may have sent left before it and was answered before it (the server has one worker), so
    # once the search results are in, the list must still be collapsed.
    page.get_by_label("Tìm đơn vị").press_sequentially("vinh")
    expect(
        page.locator("#search-results").get_by_role("link", name=VINH, exact=True)
    ).to_be_visible()
    expect(shown).to_have_count(0)

    toggle(province).click()
    expect(shown).to_have_count(24)


def test_expanding_vinh_and_a_grassroots_organisation_shows_its_cells(
    page_as: Callable[[str], Page],
) -> None:
    """Three levels down: province, Vinh, one of Vinh's grassroots organisations, its cells."""
    page = open_structure(page_as, STRUCTURE_2020)
    toggle(unit_row(page, PROVINCE)).click()
    vinh = unit_row(page, VINH)
    toggle(vinh).click()
    expect(children_of(vinh).first).to_be_visible()
    grassroots = unit_row(page, VINH_GRASSROOTS)
    toggle(grassroots).click()
    cells = children_of(grassroots)
    expect(cells.first).to_be_visible()
    expect(cells.first.get_by_role("link")).to_have_text("Chi bộ số 01 (minh họa)")
    expect(cells.first.locator(":scope > small")).to_have_text("Chi bộ")
    expect(cells.first.locator(":scope > .badge-sample")).to_have_text("minh họa")


def test_current_structure_lists_130_communes_and_wards_under_the_province(
    page_as: Callable[[str], Page],
) -> None:
    """Today's two-level structure: the province root expands to its 130 communes and wards."""
    page = open_structure(page_as, STRUCTURE_CURRENT)
    province = unit_row(page, PROVINCE)
    toggle(province).click()
    expect(children_of(province)).to_have_count(130)


def test_search_box_finds_units_typed_without_diacritics(
    page_as: Callable[[str], Page],
) -> None:
    """Typing "nghi loc" finds Nghi Lộc, then "do luong" finds Đô Lương (đ typed as d)."""
    page = open_structure(page_as, STRUCTURE_2020)
    search = page.get_by_label("Tìm đơn vị")
    results = page.locator("#search-results")

    search.press_sequentially("nghi loc")
    expect(results.get_by_role("link", name=NGHI_LOC, exact=True)).to_be_visible()

    search.clear()
    search.press_sequentially("do luong")
    expect(results.get_by_role("link", name=DO_LUONG, exact=True)).to_be_visible()
    expect(results.get_by_role("link", name=NGHI_LOC, exact=True)).to_have_count(0)


def test_screenshot_of_the_structure_browser(
    page_as: Callable[[str], Page], app_server: AppServer
) -> None:
    """A full-page picture of the 2020 tree opened down to Vinh's grassroots organisations, in
    the session's scratch directory (not committed), for a person to look at. It is taken even
    when the tree fails to open: that is when the picture is wanted most."""
    page = open_structure(page_as, STRUCTURE_2020)
    path = app_server.tmp_dir / "browser.png"
    try:
        province = unit_row(page, PROVINCE)
        toggle(province).click()
        vinh = unit_row(page, VINH)
        toggle(vinh).click()
        expect(children_of(vinh).first).to_be_visible()
        # The tree is indented: every nested list sits 1.25rem to the right of its parent.
        expect(vinh.locator(":scope > ul")).to_have_css("padding-left", "20px")
    finally:
        page.screenshot(path=path, full_page=True)
    assert path.stat().st_size > 0
