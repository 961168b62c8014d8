"""An upload that takes a while shows its progress in the page (tinhuy/static/uploads.js).

Chromium's own network emulation slows the upload to about 1 MB/s, so a 2 MB file takes two
seconds to go up, as it would from a district office: the ``<progress>`` under the form fills
part-way, then the server's answer replaces the page's content. Every form marked
``data-upload-progress`` that a test reaches here does the same, on a laptop (1366 px) and on a
phone (390 px): the structure import, the study module's three (a conference's attendance, a
unit's members, the plan's report in Excel) and the two attachment forms (a programme task's
report, a draft). The file is refused (columns the imports do not know; the report takes .xlsx
only; an attachment named .pdf whose content is not a PDF), so the demo is left as it was for the
other tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.browser.conftest import STRUCTURE_2020, AppServer

pytestmark = pytest.mark.browser

UPLOAD_BYTES_PER_SECOND = 1_000_000
# The demo's study plan, and the host of the conferences whose forms are tried (other tests add
# plans and conferences of their own; the newest of TP Vinh's own is the demo's).
DEMO_PLAN = re.compile("lần thứ XIX")
HOST = "Đảng bộ thành phố Vinh"
# The demo's programme with a reporting cycle still open, and a task reported in it; the demo's
# draft being revised by the Propaganda Department.
GAZETTEER_PROGRAMME = re.compile("^Chương trình thực hiện Đề án “Địa chí Nghệ An")
OPEN_CYCLE = "01/07/2026 – 30/09/2026"
REPORTED_TASK = re.compile("Số hóa nội dung, xây dựng cơ sở dữ liệu tra cứu Địa chí")
REVISED_DRAFT = "Đề án “Địa chí Nghệ An trong bối cảnh đương đại”"
WIDTHS = [
    pytest.param({"width": 1366, "height": 768}, id="1366px"),
    pytest.param({"width": 390, "height": 844}, id="390px"),
]


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


def open_structure_import(page: Page) -> None:
    page.get_by_role("link", name=STRUCTURE_2020, exact=True).click()
    page.get_by_role("link", name="Nhập đơn vị từ tệp CSV/Excel").click()


def open_conferences(page: Page, app_server: AppServer) -> None:
    """The demo plan's conferences, from the list of study plans."""
    page.goto(app_server.url("/hoc-tap/"))
    page.get_by_role("link", name=DEMO_PLAN).first.click()
    page.get_by_role("link", name="Hội nghị và báo cáo").click()


def open_report_upload(page: Page, app_server: AppServer) -> None:
    open_conferences(page, app_server)
    page.get_by_role("link", name="Báo cáo bằng tệp Excel").click()


def open_host_conference(page: Page, app_server: AppServer) -> None:
    open_conferences(page, app_server)
    page.locator("main tr", has_text=HOST).first.get_by_role("link").first.click()


def open_attendance_upload(page: Page, app_server: AppServer) -> None:
    open_host_conference(page, app_server)
    page.get_by_role("link", name="Nạp điểm danh").click()


def open_members_upload(page: Page, app_server: AppServer) -> None:
    open_host_conference(page, app_server)
    page.get_by_role("link", name="Nạp danh sách đảng viên của đơn vị").click()


def open_programme_report(page: Page, app_server: AppServer) -> None:
    """A task's report in the open cycle of the gazetteer's programme: its attachment form."""
    page.goto(app_server.url("/chuong-trinh/"))
    page.get_by_role("link", name=GAZETTEER_PROGRAMME).first.click()
    page.get_by_role("link", name="Kỳ báo cáo").first.click()
    page.get_by_role("link", name=OPEN_CYCLE).click()
    page.get_by_role("link", name=REPORTED_TASK).click()


def open_draft(page: Page, app_server: AppServer) -> None:
    """The draft being revised: its form for the documents the next version carries."""
    page.goto(app_server.url("/hop-ban-thuong-vu/du-thao/"))
    page.get_by_role("link", name=REVISED_DRAFT, exact=True).click()


@dataclass(frozen=True)
class UploadForm:
    """A form with upload progress: who reaches it and how, and what its refusal says."""

    persona: str
    open: Callable[[Page, AppServer], None]
    heading: str
    button: str
    refused: str  # the answer's summary
    detail: str  # and the error it lists
    file_name: str = "don-vi.csv"  # the name the 2 MB file is sent under
    anchor: str = ""  # where on the form's page the answer lands ("#…"), if not at the top


UPLOAD_FORMS = {
    "structure-import": UploadForm(
        "vanphong",
        lambda page, _server: open_structure_import(page),
        "Nhập đơn vị từ tệp CSV hoặc .xlsx",
        "Kiểm tra và nhập",
        "chưa có đơn vị nào được nhập",
        "Cột lạ",
    ),
    "study-attendance": UploadForm(
        "vinh",
        open_attendance_upload,
        "Nạp điểm danh từng người",
        "Kiểm tra và ghi",
        "chưa có gì được ghi",
        "thiếu cột này",
    ),
    "study-members": UploadForm(
        "vinh",
        open_members_upload,
        "Nạp danh sách đảng viên theo chi bộ",
        "Kiểm tra và nạp",
        "chưa có gì được ghi",
        "thiếu cột này",
    ),
    "study-report": UploadForm(
        "vinh",
        open_report_upload,
        "Báo cáo kết quả bằng tệp Excel",
        "Kiểm tra và ghi",
        "chưa có gì được ghi",
        "không phải .xlsx",
    ),
    "programme-report-attachment": UploadForm(
        "vanphong",
        open_programme_report,
        "Đính kèm tài liệu",
        "Đính kèm",
        "Nội dung tệp “bao-cao.pdf”",
        "không phải tệp .pdf",
        file_name="bao-cao.pdf",
    ),
    "draft-attachment": UploadForm(
        "tuyengiao",
        open_draft,
        "Kèm theo lần trình tới",
        "Đính kèm",
        "Nội dung tệp “bao-cao.pdf”",
        "không phải tệp .pdf",
        file_name="bao-cao.pdf",
        anchor="#tai-lieu",  # as the plain form's redirect: at the draft's documents
    ),
}


@pytest.mark.parametrize("viewport", WIDTHS)
@pytest.mark.parametrize("form", UPLOAD_FORMS.values(), ids=UPLOAD_FORMS.keys())
def test_a_slow_upload_fills_a_progress_bar_then_shows_the_answer(
    form: UploadForm,
    viewport: ViewportSize,
    page_as: Callable[[str], Page],
    app_server: AppServer,
    tmp_path: Path,
) -> None:
    page = page_as(form.persona)
    page.set_viewport_size(viewport)
    form.open(page, app_server)
    expect(page.get_by_role("heading", name=form.heading)).to_be_visible()
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
    upload = page.locator("form[data-upload-progress]")
    button = upload.get_by_role("button", name=form.button)

    upload.locator("input[type=file]").set_input_files(refused_csv(tmp_path / form.file_name))
    button.click()

    expect(upload.locator("progress")).to_be_visible()
    expect(upload.locator("[data-upload-status] [role=status]")).to_contain_text("Đang gửi tệp")
    expect(button).to_be_disabled()

    # The answer (400: the file refused) replaces the content; the page itself stays.
    expect(page.get_by_text(form.refused, exact=False)).to_be_visible(timeout=30_000)
    expect(page.get_by_text(form.detail, exact=False).first).to_be_visible()
    assert page.url == import_url + form.anchor
    seen = page.evaluate("window.seenProgress")
    assert any(0 < value < 100 for value in seen), seen  # filled part-way while going up
    assert max(seen) == 100, seen

    # The new form (in the content swapped in) is ready for the next upload.
    expect(button).to_be_enabled()
    expect(page.locator("[data-upload-status]")).to_have_count(0)
