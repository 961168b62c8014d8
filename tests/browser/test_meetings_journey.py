"""The life of a document in Chromium (issue 9): a study plan drafted in the browser by the
province office, submitted by Ban Tuyên giáo, put on a Standing Board meeting's agenda, commented
on by a Board member, answered in a disposition table, revised, concluded with a follow-up for
TP Vinh, issued with the next number of its register; then the follow-up on the Vinh officer's
home page (overdue, closed with a note) and never on the Nghi Lộc officer's.

The meeting and the issue are dated inside the 2020–2025 term (the register of the 2020
structure has no numbering period after 30/09/2025), so the journey does not depend on today's
date. Every page of the journey is also opened at 390 px and must not scroll sideways.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator

import docx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, StorageState, ViewportSize, expect
from python_calamine import CalamineWorkbook

from tests.browser.conftest import STRUCTURE_2020, AppServer
from tests.browser.steps import (
    alert,
    create_meeting,
    dispose,
    issue,
    option_value,
    path_of,
    put_on_agenda,
)

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}
PLAN_TITLE = "Kế hoạch học tập, quán triệt Nghị quyết về chuyển đổi số (thử nghiệm trình duyệt)"
TUYEN_GIAO = "Ban Tuyên giáo Tỉnh ủy Nghệ An"
VINH = "Đảng bộ thành phố Vinh"
FOLLOW_UP = "Thành ủy Vinh xây dựng kế hoạch triển khai của thành phố"
MEETING_TITLE = "Phiên họp Ban Thường vụ Tỉnh ủy ngày 16/06/2025 (thử nghiệm)"


def _no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow} px at 390 px"


def _no_raw_text(page: Page) -> None:
    """Nothing in English, no code names, no ISO dates in what the user reads."""
    text = page.locator("main").inner_text()
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text), text
    for word in ("None", "True", "False", "approved_after_revision", "not_accepted", "partly"):
        assert not re.search(rf"\b{word}\b", text), f"{word!r} on {page.url}"


@pytest.fixture
def on_phone(
    browser: Browser, app_server: AppServer, login_states: dict[str, StorageState]
) -> Iterator[Callable[[str, str], None]]:
    """Opens a path as a persona (logged in before) at 390 px and checks the page."""
    contexts: list[BrowserContext] = []

    def check(username: str, path: str) -> None:
        context = browser.new_context(
            locale="vi-VN", viewport=PHONE, storage_state=login_states[username]
        )
        contexts.append(context)
        page = context.new_page()
        response = page.goto(app_server.url(path))
        assert response is not None and response.status == 200, path
        _no_sideways_scroll(page)
        _no_raw_text(page)

    yield check
    for context in contexts:
        context.close()


def _fill_rule(page: Page, level: str, audience: str, start: str, deadline: str) -> None:
    box = page.locator(f"#level-{level}")
    box.locator("summary").first.click()
    box.locator(f"[name=cap-{level}-audience]").fill(audience)
    box.locator(f"[name=cap-{level}-length_sessions]").fill("2")
    box.locator(f"[name=cap-{level}-window_start]").fill(start)
    box.locator(f"[name=cap-{level}-deadline]").fill(deadline)
    box.get_by_role("button", name=re.compile("^(Thêm|Lưu) quy định$")).click()


def test_a_plan_from_draft_to_issue_and_its_follow_up(
    page_as: Callable[[str], Page],
    app_server: AppServer,
    on_phone: Callable[[str, str], None],
) -> None:
    # 1. The province office drafts the plan: structure 2020, topics, three level rules.
    office = page_as("vanphong")
    office.goto(app_server.url("/hoc-tap/"))
    office.get_by_role("link", name="Soạn kế hoạch mới").click()
    on_phone("vanphong", "/hoc-tap/soan-thao/moi/")
    office.get_by_label("Cơ cấu tổ chức").select_option(label=STRUCTURE_2020)
    office.get_by_label("Cơ quan ban hành").select_option(
        label=f"Đảng bộ tỉnh Nghệ An — {STRUCTURE_2020}"
    )
    office.get_by_label("Tên kế hoạch").fill(PLAN_TITLE)
    office.get_by_label("Văn bản được quán triệt").fill("Nghị quyết số 45-NQ/TU (thử nghiệm)")
    office.get_by_label("Chuyên đề").fill(
        "Quan điểm, mục tiêu\nNhiệm vụ, giải pháp\nTổ chức thực hiện"
    )
    office.get_by_role("button", name="Tạo dự thảo kế hoạch").click()
    alert(office, "Đã tạo dự thảo kế hoạch")
    plan_edit = path_of(office, app_server)
    plan_id = int(plan_edit.split("/")[2])

    _fill_rule(office, "tinh", "Ủy viên Ban Chấp hành Đảng bộ tỉnh", "01/07/2025", "31/07/2025")
    alert(office, "Đã lưu quy định của Cấp tỉnh")
    # A lower level that must finish before the level above: refused, in Vietnamese.
    _fill_rule(office, "huyen", "Cán bộ chủ chốt cấp huyện", "01/07/2025", "20/07/2025")
    alert(office, "cấp dưới phải hoàn thành cùng lúc hoặc sau cấp trên")
    office.goto(app_server.url(plan_edit))
    expect(office.locator("#level-huyen")).to_contain_text("chưa có quy định")
    _fill_rule(office, "huyen", "Cán bộ chủ chốt cấp huyện", "01/08/2025", "31/08/2025")
    alert(office, "Đã lưu quy định của Cấp huyện và tương đương")
    _fill_rule(office, "co-so", "Đảng viên toàn Đảng bộ", "01/09/2025", "30/09/2025")
    alert(office, "Đã lưu quy định của Cấp cơ sở")
    on_phone("vanphong", plan_edit)

    office.get_by_label("Cơ quan trình").select_option(label=TUYEN_GIAO)
    office.get_by_role("button", name="Tạo dự thảo trình Ban Thường vụ").click()
    alert(office, "để trình Ban Thường vụ")
    office.get_by_role("link", name=PLAN_TITLE).click()
    draft_path = path_of(office, app_server)
    assert re.fullmatch(r"/hop-ban-thuong-vu/du-thao/\d+/", draft_path), draft_path

    # 2. Ban Tuyên giáo submits version 1.
    tuyen_giao = page_as("tuyengiao")
    tuyen_giao.goto(app_server.url("/hop-ban-thuong-vu/"))
    tuyen_giao.get_by_role("link", name=PLAN_TITLE).click()
    tuyen_giao.get_by_role("button", name="Trình lần mới").click()
    alert(tuyen_giao, "Đã trình lần 1")
    expect(tuyen_giao.locator("#L13")).to_contain_text("hoàn thành trước 31/07/2025")
    on_phone("tuyengiao", draft_path)

    # 3. The office creates a meeting and puts the draft on its agenda.
    meeting_path = create_meeting(office, app_server, "16/06/2025", MEETING_TITLE)
    put_on_agenda(office, PLAN_TITLE)
    on_phone("vanphong", meeting_path)

    # 4. A Board member comments on lines 12–13 with a proposed wording; a range outside the
    # text is refused and nothing is written.
    board = page_as("btv")
    board.goto(app_server.url(draft_path))
    board.get_by_label("Từ dòng").fill("31")
    board.get_by_label("Đến dòng").fill("35")
    board.get_by_label("Nội dung ý kiến").fill("Ngoài văn bản")
    board.get_by_role("button", name="Gửi ý kiến").click()
    alert(board, "ở ngoài văn bản")
    board.goto(app_server.url(draft_path))
    expect(board.locator(".draft-opinions")).to_have_count(0)
    board.get_by_label("Từ dòng").fill("12")
    board.get_by_label("Đến dòng").fill("13")
    board.get_by_label("Nội dung ý kiến").fill("Cấp tỉnh nên hoàn thành sớm hơn.")
    board.get_by_label("Đề nghị sửa thành").fill(
        "- Thời gian: từ 01/07/2025, hoàn thành trước 20/07/2025"
    )
    board.get_by_role("button", name="Gửi ý kiến").click()
    alert(board, "Đã ghi ý kiến góp ý")
    opinion = board.locator("[id^=y-kien-]").first.get_attribute("id")
    assert opinion is not None
    opinion_form = f"/y-kien/{opinion.removeprefix('y-kien-')}/tiep-thu/"
    on_phone("btv", draft_path)

    # 5. Ban Tuyên giáo answers: partly accepted needs an explanation.
    tuyen_giao.goto(app_server.url(draft_path))
    dispose(tuyen_giao, opinion_form, "Tiếp thu một phần", "")
    alert(tuyen_giao, "hãy ghi giải trình")
    tuyen_giao.goto(app_server.url(draft_path))
    expect(tuyen_giao.get_by_role("table").last).to_contain_text("Chưa trả lời")
    dispose(
        tuyen_giao, opinion_form, "Tiếp thu một phần", "Giữ thời lượng, rút hạn xuống 25/07/2025."
    )
    alert(tuyen_giao, "Đã ghi việc tiếp thu, giải trình")

    # The plan is revised (by the office: see the report) and version 2 submitted.
    office.goto(app_server.url(plan_edit))
    box = office.locator("#level-tinh")
    box.locator("summary").first.click()
    box.locator("[name=cap-tinh-deadline]").fill("25/07/2025")
    box.get_by_role("button", name="Lưu quy định").click()
    alert(office, "Đã lưu quy định của Cấp tỉnh")
    tuyen_giao.goto(app_server.url(draft_path))
    tuyen_giao.get_by_label("Ghi chú lần trình").fill("Tiếp thu ý kiến phiên họp 16/06/2025")
    tuyen_giao.get_by_role("button", name="Trình lần mới").click()
    alert(tuyen_giao, "Đã trình lần 2")

    # The comparison of versions 1 and 2, and the disposition table of version 1 (.docx, .xlsx).
    tuyen_giao.get_by_role("button", name="So sánh").click()
    expect(tuyen_giao.locator(".diff-line.removed").last).to_contain_text("trước 31/07/2025")
    expect(tuyen_giao.locator(".diff-line.added").last).to_contain_text("trước 25/07/2025")
    on_phone("tuyengiao", path_of(tuyen_giao, app_server) + "?lan=2&tu=1&den=2")
    tuyen_giao.goto(app_server.url(draft_path + "?lan=1"))
    with tuyen_giao.expect_download() as download:
        tuyen_giao.get_by_role("link", name="Tải về (.docx)").click()
    table_docx = docx.Document(str(download.value.path()))
    cells = " ".join(c.text for t in table_docx.tables for r in t.rows for c in r.cells)
    assert "Tiếp thu một phần" in cells and "rút hạn xuống 25/07/2025" in cells
    with tuyen_giao.expect_download() as download:
        tuyen_giao.get_by_role("link", name="Tải về (.xlsx)").click()
    rows = CalamineWorkbook.from_filelike(io.BytesIO(download.value.path().read_bytes()))
    sheet = rows.get_sheet_by_index(0).to_python()
    assert any("Tiếp thu một phần" in row for row in sheet), sheet

    # 6. The office records the conclusion; a follow-up without a due date is refused.
    office.goto(app_server.url(meeting_path))
    office.get_by_role("link", name="Ghi kết luận").click()
    conclusion_path = path_of(office, app_server)

    def conclude(due_on: str) -> None:
        office.get_by_label("Kết luận", exact=True).fill("Thông qua; giao tiếp thu, chỉnh sửa.")
        office.get_by_label("Kết quả").select_option("approved_after_revision")
        office.locator("[name=viec-0-what]").fill(FOLLOW_UP)
        office.locator("[name=viec-0-lead_unit]").select_option(label=VINH)
        office.locator("[name=viec-0-person]").select_option(
            option_value(office, "viec-0-person", "Võ Thị Thu,")
        )
        office.locator("[name=viec-0-due_on]").fill(due_on)
        office.get_by_role("button", name="Ghi kết luận").click()

    conclude("")
    alert(office, "chưa có hạn hoàn thành")
    office.goto(app_server.url(meeting_path))
    expect(office.get_by_text("Chưa có kết luận.")).to_be_visible()
    office.goto(app_server.url(conclusion_path))
    conclude("20/06/2025")
    alert(office, "Đã ghi kết luận")
    expect(office.locator("main")).to_contain_text(
        f"{FOLLOW_UP} — {VINH}, Võ Thị Thu, hạn 20/06/2025"
    )
    on_phone("vanphong", meeting_path)

    # 7. Issued with the register: a number already used is refused, then the next one given.
    issue(office, app_server, draft_path, "30/06/2025", "1", "Thử số đã dùng")
    alert(office, "Số 01-KH/TU đã cấp")
    office.goto(app_server.url(draft_path))
    expect(office.locator("main")).not_to_contain_text("Đã ban hành: số")
    issue(office, app_server, draft_path, "30/06/2025")
    alert(office, "Đã ban hành dự thảo: số 02-KH/TU")
    office.goto(app_server.url("/so-van-ban/"))
    office.get_by_role("row", name=re.compile(re.escape(STRUCTURE_2020))).get_by_role(
        "link"
    ).click()
    # The register lists every term: the journeys (test_journeys.py) issue 02-KH/TU of 2015–2020.
    issued_row = office.locator("tr", has_text="02-KH/TU").filter(has_text="30/06/2025")
    expect(issued_row).to_have_count(1)

    # The plan's dashboard works like the demo plan's.
    office.goto(app_server.url(f"/hoc-tap/{plan_id}/"))
    expect(office.locator("main")).to_contain_text("02-KH/TU")
    office.get_by_role("link", name="Xem tiến độ").click()
    expect(office.get_by_role("heading", name="Tiến độ học tập, quán triệt")).to_be_visible()
    expect(office.locator("tr", has_text="Cấp tỉnh").first).to_contain_text("25/07/2025")
    on_phone("vanphong", f"/hoc-tap/{plan_id}/tien-do/")

    # 8. The Vinh officer sees the follow-up overdue on the home page and closes it.
    vinh = page_as("vinh")
    item = vinh.locator("main li", has_text=FOLLOW_UP)
    expect(item).to_contain_text("Quá hạn")
    on_phone("vinh", "/")
    vinh.get_by_role("link", name=FOLLOW_UP).click()
    follow_up_path = path_of(vinh, app_server)
    on_phone("vinh", follow_up_path)
    vinh.get_by_label("Kết quả thực hiện").fill("Đã ban hành kế hoạch của Thành ủy.")
    vinh.get_by_role("button", name="Đóng việc").click()
    alert(vinh, "Đã đóng việc")
    expect(vinh.locator("main")).to_contain_text("Đã hoàn thành")
    vinh.goto(app_server.url("/"))
    expect(vinh.get_by_text(FOLLOW_UP)).to_have_count(0)

    # The Nghi Lộc officer never sees it: not on the home page, its address answers 404.
    nghi_loc = page_as("nghiloc")
    expect(nghi_loc.get_by_text(FOLLOW_UP)).to_have_count(0)
    response = nghi_loc.goto(app_server.url(follow_up_path))
    assert response is not None and response.status == 404
    expect(nghi_loc.get_by_role("heading", name="Không tìm thấy trang")).to_be_visible()
