"""Scope in Chromium: a unit outside the officer's subtree is a 404 page, not a refusal."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import AppServer

pytestmark = pytest.mark.browser

NGHI_LOC = "Đảng bộ huyện Nghi Lộc"


def test_vinh_officer_gets_the_404_page_for_nghi_loc(
    page_as: Callable[[str], Page], app_server: AppServer
) -> None:
    """The province office finds Nghi Lộc through the API and can open its page; the same address
    answers vinh with status 404 and the "not found" page, without Nghi Lộc's name."""
    office = page_as("vanphong")
    answer = office.request.get(app_server.url("/api/v1/units/"), params={"q": "nghi loc"})
    assert answer.ok, answer.text()
    matches = [unit for unit in answer.json()["items"] if unit["name"] == NGHI_LOC]
    assert len(matches) == 1
    unit_url = app_server.url(f"/don-vi/{matches[0]['id']}/")
    response = office.goto(unit_url)
    assert response is not None and response.status == 200
    expect(office.get_by_role("heading", name=NGHI_LOC)).to_be_visible()

    vinh = page_as("vinh")
    response = vinh.goto(unit_url)
    assert response is not None and response.status == 404
    expect(vinh.get_by_role("heading", name="Không tìm thấy trang")).to_be_visible()
    expect(vinh.get_by_text(NGHI_LOC)).to_have_count(0)
