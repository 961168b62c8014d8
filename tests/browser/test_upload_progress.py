"""An upload that takes a while shows its progress in the page (tinhuy/static/uploads.js).

Chromium's own network emulation slows the upload to about 1 MB/s, so a 2 MB file takes two
seconds to go up, as it would from a district office: the ``<progress>`` under the form fills
part-way, then the server's answer replaces the page's content. The file is refused (a column the
import does not know), so the demo's structure is left as it was for the other tests.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import STRUCTURE_2020, AppServer

pytestmark = pytest.mark.browser

UPLOAD_BYTES_PER_SECOND = 1_000_000


def refused_csv(path: Path, size: int = 2_000_000) -> Path:
    """About ``size`` bytes of rows under a header with a column the import refuses."""
    header = "Mã,Tên,Cấp,Mã đơn vị cấp trên,Loại,Cột lạ\n"
    row = "412-CS{n},Chi bộ thử nghiệm số {n},co-so,412,Chi bộ,x\n"
    lines, total, n = [header], len(header.encode()), 0
    while total < size:
        line = row.format(n=n)
        lines.append(line)
        total += len(line.encode())
        n += 1
    path.write_text("".join(lines), encoding="utf-8")
    return path


def slow_upload(page: Page) -> None:
    """Throttle this page's uploads through the DevTools protocol (Chromium only)."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": UPLOAD_BYTES_PER_SECOND,
        },
    )


def test_a_slow_upload_fills_a_progress_bar_then_shows_the_answer(
    page_as: Callable[[str], Page], app_server: AppServer, tmp_path: Path
) -> None:
    page = page_as("vanphong")
    page.get_by_role("link", name=STRUCTURE_2020, exact=True).click()
    page.get_by_role("link", name="Nhập đơn vị từ tệp CSV/Excel").click()
    expect(page.get_by_role("heading", name="Nhập đơn vị từ tệp CSV hoặc .xlsx")).to_be_visible()
    import_url = page.url
    # Every progress value the page shows, recorded as it is set (the test reads them after).
    page.evaluate(
        """() => {
            window.seenProgress = [];
            new MutationObserver(() => {
                const bar = document.querySelector("form[data-upload-progress] progress");
                if (bar) window.seenProgress.push(bar.value);
            }).observe(document.body, {subtree: true, childList: true, attributes: true,
                                       characterData: true});
        }"""
    )
    slow_upload(page)

    page.locator("input[type=file]").set_input_files(refused_csv(tmp_path / "don-vi.csv"))
    page.get_by_role("button", name="Kiểm tra và nhập").click()

    bar = page.locator("form[data-upload-progress] progress")
    expect(bar).to_be_visible()
    expect(page.locator("[data-upload-status] [role=status]")).to_contain_text("Đang gửi tệp")
    expect(page.get_by_role("button", name="Kiểm tra và nhập")).to_be_disabled()

    # The answer (400: the unknown column) replaces the content; the page itself stays.
    expect(page.get_by_text("chưa có đơn vị nào được nhập", exact=False)).to_be_visible(
        timeout=30_000
    )
    expect(page.get_by_text("Cột lạ", exact=False).first).to_be_visible()
    assert page.url == import_url
    seen = page.evaluate("window.seenProgress")
    assert any(0 < value < 100 for value in seen), seen  # filled part-way while going up
    assert max(seen) == 100, seen

    # The new form (in the content swapped in) is ready for the next upload.
    expect(page.get_by_role("button", name="Kiểm tra và nhập")).to_be_enabled()
    expect(page.locator("[data-upload-status]")).to_have_count(0)
