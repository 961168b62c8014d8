"""Three journeys through the real pages (issue 12, item 3), each on a laptop (1366 px) and on a
phone (390 px); every page visited must fit the screen (``steps.Overflow``: no sideways scroll,
nothing past the viewport, no select cutting its text), and the journey fails naming each page
that does not.

1. A study plan, from draft to figures: the province office (``vanphong``) drafts a plan whose
   district level may study online with bridge points at the grassroots level, submits it, a
   Standing Board meeting concludes "approved", it is issued with the register's next number;
   the TP Vinh officer (``vinh``) registers a hybrid conference of TP Vinh with a bridge point at
   one of its grassroots units and reports it; the plan's dashboard, read before and after,
   counts exactly the people reported.
2. A programme's approval, blocked then granted: the Decision 827 plan of the demo lists what
   blocks it (a task with no milestone and no responsible person, each with its link); the
   submission is refused with that list; the office fixes both through the links, the plan is
   submitted, concluded at a Board meeting and issued with a number: "Đã phê duyệt".
3. A citizen (no log-in) searches the gazetteer for "nghe an", opens the province's entry, its
   figures (population, unit and year) and the indicator's table.

The journeys share the session's server with the other browser tests, so they do not depend on
order: the plans have titles of their own per screen, and they are issued in the register's
2015–2020 term (in September 2020: the 2020 structure's register holds that term), so the
meetings journey still gets the number it expects in the 2020–2025 term. The programme journey
approves the demo's programme, which other tests read as blocked (its "+ nhiệm vụ" links): it
runs on a server of its own over a copy of the demo as loaded (``fresh_server``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, StorageState, ViewportSize, expect

from tests.browser.conftest import DEMO_PASSWORD, STRUCTURE_2020, AppServer
from tests.browser.steps import (
    Overflow,
    alert,
    create_meeting,
    issue,
    option_value,
    path_of,
    put_on_agenda,
)

pytestmark = pytest.mark.browser

SIZES = [
    pytest.param({"width": 1366, "height": 768}, id="1366px"),
    pytest.param({"width": 390, "height": 844}, id="390px"),
]
TUYEN_GIAO = "Ban Tuyên giáo Tỉnh ủy Nghệ An"
VINH_HOST = "412 — Đảng bộ thành phố Vinh (Cấp huyện và tương đương)"
# A grassroots unit of TP Vinh in the demo (its code, as the officer types it).
BRIDGE_UNIT = "412-CS01"
BRIDGE_NAME = "Tổ chức cơ sở đảng số 01, thành phố Vinh (minh họa)"
PROGRAMME = (
    "Kế hoạch triển khai thực hiện Quyết định 827 ngày 12/6/2020 của Thủ tướng Chính phủ về Đề "
    "án phát triển thành phố Vinh thành trung tâm kinh tế - văn hóa vùng Bắc Trung Bộ"
)
BLOCKING_TASK = "2.2.2 Nghiên cứu, đề xuất mở rộng không gian phát triển đô thị thành phố Vinh"


@pytest.fixture
def open_as(
    browser: Browser, app_server: AppServer, login_states: dict[str, StorageState]
) -> Iterator[Callable[[AppServer, str, ViewportSize], Page]]:
    """A page of ``server`` at the given size, logged in as the persona (``""``: a citizen). On
    the session's server a persona's cookies are reused; another server gets a form log-in."""
    contexts: list[BrowserContext] = []

    def make(server: AppServer, username: str, viewport: ViewportSize) -> Page:
        reuse = server == app_server and username in login_states
        context = browser.new_context(
            locale="vi-VN",
            viewport=viewport,
            storage_state=login_states[username] if reuse else None,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        if username and not reuse:
            page.goto(server.url("/dang-nhap/"))
            page.locator("#id_username").fill(username)
            page.locator("#id_password").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Đăng nhập", exact=True).click()
            expect(page).to_have_url(server.url("/"))
            if server == app_server:
                login_states[username] = context.storage_state()
        return page

    yield make
    for context in contexts:
        context.close()


def _number(text: str) -> int:
    """A count as the pages write it (3.327.791)."""
    return int(text.strip().replace(".", ""))


def _level_totals(page: Page, level: str) -> dict[str, str]:
    """The dashboard's totals of one level, by column heading (once the page a click opened has
    loaded: ``all_inner_texts`` does not wait)."""
    page.wait_for_load_state("load")
    table = page.locator("#level-totals")
    expect(table.locator("tbody tr", has_text=level).first).to_be_visible()
    headings = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    cells = table.locator("tbody tr", has_text=level).first.locator("th, td").all_inner_texts()
    return dict(zip(headings, (c.strip() for c in cells), strict=False))


@pytest.mark.parametrize("viewport", SIZES)
def test_a_study_plan_from_draft_to_a_conference_on_its_dashboard(
    open_as: Callable[[AppServer, str, ViewportSize], Page],
    app_server: AppServer,
    viewport: ViewportSize,
) -> None:
    """Drafted, concluded at a Board meeting, issued with a number; TP Vinh's hybrid conference
    with a bridge point, registered and reported, adds exactly its attendance to the dashboard's
    figures of the district level (read before and after)."""
    width = viewport["width"]
    title = f"Kế hoạch học tập chuyên đề chuyển đổi số (hành trình thử, màn hình {width} px)"
    pages = Overflow(f"study-{width}")

    # The province office drafts the plan: its topics, then the district level's rule.
    office = open_as(app_server, "vanphong", viewport)
    office.goto(app_server.url("/hoc-tap/"))
    pages.check(office, "the study plans")
    office.get_by_role("link", name="Soạn kế hoạch mới").click()
    pages.check(office, "a new plan")
    office.get_by_label("Cơ cấu tổ chức").select_option(label=STRUCTURE_2020)
    office.get_by_label("Cơ quan ban hành").select_option(
        label=f"Đảng bộ tỉnh Nghệ An — {STRUCTURE_2020}"
    )
    office.get_by_label("Tên kế hoạch").fill(title)
    office.get_by_label("Văn bản được quán triệt").fill("Nghị quyết về chuyển đổi số (thử nghiệm)")
    office.get_by_label("Chuyên đề").fill("Quan điểm, mục tiêu\nNhiệm vụ, giải pháp")
    office.get_by_role("button", name="Tạo dự thảo kế hoạch").click()
    alert(office, "Đã tạo dự thảo kế hoạch")
    plan_id = int(path_of(office, app_server).split("/")[2])

    district = office.locator("#level-huyen")
    district.locator("summary").first.click()
    district.get_by_label("Đối tượng").fill("Cán bộ chủ chốt cấp huyện")
    district.get_by_label("Thời lượng (buổi)").fill("1")
    district.get_by_label("Bắt đầu").fill("01/10/2020")
    district.get_by_label("Hạn hoàn thành").fill("31/12/2020")
    district.get_by_label("Cho phép học trực tuyến có điểm cầu").check()
    district.get_by_label("Cấp cơ sở").check()  # grassroots units take part at bridge points
    district.get_by_label("Áp dụng quy định báo cáo viên").uncheck()
    district.get_by_role("button", name="Thêm quy định").click()
    alert(office, "Đã lưu quy định của Cấp huyện và tương đương")
    expect(office.locator("#rules tr", has_text="Cấp huyện")).to_contain_text("Được phép")
    pages.check(office, "the plan's draft with its rule")

    # Submitted to the Standing Board, put on a meeting's agenda, concluded "approved".
    office.get_by_label("Cơ quan trình").select_option(label=TUYEN_GIAO)
    office.get_by_role("button", name="Tạo dự thảo trình Ban Thường vụ").click()
    alert(office, "để trình Ban Thường vụ")
    office.get_by_role("link", name=title).click()
    draft_path = path_of(office, app_server)
    office.get_by_role("button", name="Trình lần mới").click()
    alert(office, "Đã trình lần 1")
    expect(office.locator("main")).to_contain_text("Học trực tuyến có điểm cầu: có")
    pages.check(office, "the Board draft, version 1")
    meeting_path = create_meeting(
        office, app_server, f"{15 if width > 500 else 16}/09/2020", f"Phiên họp thử ({title})"
    )
    put_on_agenda(office, title)
    pages.check(office, "the meeting")
    office.get_by_role("link", name="Ghi kết luận").click()
    pages.check(office, "the conclusion form")
    office.get_by_label("Kết luận", exact=True).fill("Thông qua kế hoạch.")
    office.get_by_label("Kết quả").select_option(label="Thông qua")
    office.get_by_role("button", name="Ghi kết luận").click()
    alert(office, "Đã ghi kết luận")
    expect(office.locator("main")).to_contain_text("Kết luận: Thông qua")
    assert path_of(office, app_server) == meeting_path

    # Issued through the register with its next number.
    issue(office, app_server, draft_path, "25/09/2020")
    alert(office, "Đã ban hành dự thảo: số")
    issued = office.locator(".alert", has_text="Đã ban hành dự thảo").first.inner_text()
    number = re.search(r"số (\d+-KH/TU)", issued)
    assert number, issued
    pages.check(office, "the issued draft")
    office.goto(app_server.url(f"/hoc-tap/{plan_id}/"))
    expect(office.locator("main")).to_contain_text(number[1])
    expect(office.locator("main")).to_contain_text("Đã ban hành")
    pages.check(office, "the issued plan")

    # The TP Vinh officer reads the district level's figures on the dashboard.
    vinh = open_as(app_server, "vinh", viewport)
    vinh.goto(app_server.url("/hoc-tap/"))
    vinh.get_by_role("link", name=title).click()
    pages.check(vinh, "the plan, as TP Vinh")
    vinh.get_by_role("link", name="Xem tiến độ").click()
    expect(vinh.get_by_role("heading", name="Tiến độ học tập, quán triệt")).to_be_visible()
    before = _level_totals(vinh, "Cấp huyện và tương đương")
    pages.check(vinh, "the dashboard before the conference")
    expect(vinh.locator("#units tr", has_text="Đảng bộ thành phố Vinh")).to_contain_text(
        "Chưa tổ chức (quá hạn)"
    )

    # It registers TP Vinh's hybrid conference with a bridge point at one of its units.
    vinh.go_back()
    vinh.get_by_role("link", name="Hội nghị và báo cáo").click()
    pages.check(vinh, "the plan's conferences")
    vinh.get_by_role("link", name="Đăng ký hội nghị").first.click()
    form = vinh.locator("main form:has(select[name=host])")
    form.get_by_label("Đơn vị tổ chức").select_option(label=VINH_HOST)
    form.get_by_label("Ngày tổ chức").fill("15/10/2020")
    form.get_by_label("Giờ bắt đầu").fill("07:30")
    form.get_by_label("Thời lượng (buổi)").fill("1")
    form.get_by_label("Hình thức").select_option(label="Trực tiếp kết hợp trực tuyến")
    form.locator("[name=venue]").fill("Hội trường Thành ủy Vinh")
    for row, topic in enumerate(("1. Quan điểm, mục tiêu", "2. Nhiệm vụ, giải pháp")):
        form.locator(f"[name=noi_dung-{row}-topic]").select_option(label=topic)
        form.locator(f"[name=noi_dung-{row}-content_kind]").select_option(label="Nghị quyết")
        form.locator(f"[name=noi_dung-{row}-presenter_name]").fill("Nguyễn Văn An")
        form.locator(f"[name=noi_dung-{row}-presenter_role]").select_option(label="Bí thư")
        form.locator(f"[name=noi_dung-{row}-presenter_unit]").fill("412")
    form.locator("[name=diem_cau-0-unit]").fill(BRIDGE_UNIT)
    form.locator("[name=diem_cau-0-venue]").fill("Nhà văn hóa khối 1")
    form.locator("[name=diem_cau-0-host_person]").fill("Trần Văn Bình")
    form.locator("[name=diem_cau-0-expected_count]").fill("60")
    pages.check(vinh, "the registration form, filled")
    form.get_by_role("button", name="Đăng ký hội nghị").click()
    alert(vinh, "Đã đăng ký hội nghị của Đảng bộ thành phố Vinh ngày 15/10/2020")
    expect(vinh.locator("main tr", has_text=BRIDGE_NAME)).to_contain_text("60")
    pages.check(vinh, "the registered conference")

    # It reports the conference: 38 attended in the hall and 1 made up, 55 at the bridge point.
    vinh.get_by_role("link", name="Gửi báo cáo").click()
    pages.check(vinh, "the report form")
    vinh.get_by_label("Số người phải dự").fill("40")
    vinh.get_by_label("Số người dự", exact=True).fill("38")
    vinh.get_by_label("Số người học bù").fill("1")
    vinh.get_by_label("Số bài thu hoạch").fill("30")
    vinh.get_by_label(re.compile("^Số người dự tại điểm cầu")).fill("55")
    vinh.get_by_role("button", name="Gửi báo cáo").click()
    alert(vinh, "Đã gửi báo cáo (bản 1)")
    pages.check(vinh, "the reported conference")

    # The dashboard counts exactly what was reported.
    vinh.goto(app_server.url(f"/hoc-tap/{plan_id}/"))
    vinh.get_by_role("link", name="Xem tiến độ").click()
    after = _level_totals(vinh, "Cấp huyện và tương đương")
    pages.check(vinh, "the dashboard after the report")
    learnt = "Đã học (dự và học bù)"
    assert _number(after[learnt]) == _number(before[learnt]) + 38 + 1 + 55, (before, after)
    assert _number(after["Đã báo cáo"]) == _number(before["Đã báo cáo"]) + 2, (before, after)
    assert _number(after["Đúng hạn"]) == _number(before["Đúng hạn"]) + 2, (before, after)
    host_row = vinh.locator("#units tr", has_text="Đảng bộ thành phố Vinh").first
    expect(host_row).to_contain_text("Đã tổ chức đúng hạn")
    expect(vinh.locator("#units tr", has_text=BRIDGE_NAME).first).to_contain_text("dự tại điểm cầu")
    pages.assert_none()


def _answer_every_opinion(page: Page) -> None:
    """On a draft's page: every unanswered opinion accepted, one after the other (each answer
    reloads the page)."""
    page.wait_for_load_state("load")  # ``count`` does not wait for the page a click opened
    forms = page.locator("main form[action$='/tiep-thu/']")
    for n in range(forms.count()):
        form = forms.nth(n)
        form.evaluate("form => { const d = form.closest('details'); if (d) d.open = true; }")
        form.locator("select").select_option(label="Tiếp thu")
        form.get_by_role("button").click()
        alert(page, "Đã ghi việc tiếp thu, giải trình")
    expect(page.locator("main")).not_to_contain_text("Chưa tiếp thu, giải trình")


@pytest.mark.parametrize("viewport", SIZES)
def test_a_programmes_approval_is_blocked_then_granted(
    open_as: Callable[[AppServer, str, ViewportSize], Page],
    fresh_server: AppServer,
    viewport: ViewportSize,
) -> None:
    """The Decision 827 plan lists the task that blocks it, with links; its submission is
    refused naming that task; once the task has a responsible person and a milestone (through
    those links), the plan is submitted, approved at a Board meeting and issued with a number."""
    server = fresh_server
    pages = Overflow(f"programme-{viewport['width']}")

    office = open_as(server, "vanphong", viewport)
    office.goto(server.url("/chuong-trinh/"))
    pages.check(office, "the programmes")
    office.get_by_role("link", name=re.compile("Quyết định 827")).first.click()
    programme_path = path_of(office, server)
    gate = office.locator("#con-thieu")
    expect(gate).to_contain_text("Còn thiếu để trình/phê duyệt")
    expect(gate.get_by_role("link", name=re.compile("chưa có mốc tiến độ"))).to_contain_text(
        BLOCKING_TASK
    )
    expect(
        gate.get_by_role("link", name=re.compile("chưa phân công người phụ trách"))
    ).to_have_count(1)
    expect(office.locator("main")).to_contain_text("Đang xây dựng")
    pages.check(office, "the programme, blocked")

    # TP Vinh's office answers the Board's three opinions on version 1.
    vinh = open_as(server, "vinh", viewport)
    vinh.goto(server.url("/hop-ban-thuong-vu/"))
    vinh.get_by_role("link", name=PROGRAMME).first.click()
    draft_path = path_of(vinh, server)
    _answer_every_opinion(vinh)
    pages.check(vinh, "the programme's draft, answered")

    # Submitting version 2 is refused with the list of what is missing.
    office.goto(server.url(draft_path))
    office.get_by_role("button", name="Trình lần mới").click()
    refusal = office.locator(".alert", has_text="chưa đủ nội dung để trình, ban hành")
    expect(refusal).to_contain_text(f"Nhiệm vụ “{BLOCKING_TASK}")
    expect(refusal).to_contain_text("chưa có mốc tiến độ")
    expect(refusal).to_contain_text("chưa phân công người phụ trách")
    pages.check(office, "the refused submission")

    # The office follows the gate's links and completes the task.
    office.goto(server.url(programme_path))
    office.locator("#con-thieu").get_by_role("link", name=re.compile("người phụ trách")).click()
    office.get_by_label("Người phụ trách").select_option(
        option_value(office, "responsible", "Trần Quốc Khánh")
    )
    pages.check(office, "the task's form")
    office.get_by_role("button", name="Lưu", exact=True).click()
    alert(office, "Đã lưu “Nghiên cứu, đề xuất mở rộng không gian phát triển đô thị")
    office.goto(server.url(programme_path))
    office.locator("#con-thieu").get_by_role("link", name=re.compile("mốc tiến độ")).click()
    milestone = office.locator("main form:has([name=due_on]):has([name=title])").first
    milestone.get_by_label("Mốc").fill("Báo cáo đề xuất mở rộng không gian đô thị")
    milestone.get_by_label("Thời hạn").fill("30/06/2022")
    milestone.get_by_role("button", name="Thêm mốc").click()
    alert(office, "Đã lưu")
    expect(office.locator("main")).to_contain_text("Báo cáo đề xuất mở rộng không gian đô thị")
    pages.check(office, "the task with its milestone")
    office.goto(server.url(programme_path))
    expect(office.locator("#con-thieu")).to_contain_text("Đã đủ các nội dung bắt buộc")
    expect(office.locator("#con-thieu a")).to_have_count(0)

    # Submitted, concluded "approved" at a Board meeting, issued with the register's number.
    office.goto(server.url(draft_path))
    office.get_by_role("button", name="Trình lần mới").click()
    alert(office, "Đã trình lần 2")
    create_meeting(office, server, "10/11/2020", "Phiên họp thử: Kế hoạch thực hiện Quyết định 827")
    put_on_agenda(office, PROGRAMME)
    office.get_by_role("link", name="Ghi kết luận").click()
    office.get_by_label("Kết luận", exact=True).fill("Thông qua Kế hoạch.")
    office.get_by_label("Kết quả").select_option(label="Thông qua")
    office.get_by_role("button", name="Ghi kết luận").click()
    alert(office, "Đã ghi kết luận")
    pages.check(office, "the meeting, concluded")
    issue(office, server, draft_path, "12/11/2020")
    issued = office.locator(".alert", has_text="Đã ban hành dự thảo: số").first
    expect(issued).to_be_visible()
    number = re.search(r"số (\d+-KH/TU)", issued.inner_text())
    assert number, issued.inner_text()
    pages.check(office, "the issued draft")

    office.goto(server.url(programme_path))
    main = office.locator("main")
    expect(main).to_contain_text("Đã phê duyệt")
    expect(main).not_to_contain_text("Còn thiếu để trình/phê duyệt")
    expect(main.locator("a", has_text=PROGRAMME).locator("xpath=..")).to_contain_text("Đã ban hành")
    expect(main.get_by_role("link", name="+ nhiệm vụ")).to_have_count(0)  # the structure is fixed
    pages.check(office, "the approved programme")
    office.goto(server.url(draft_path))
    expect(office.locator("main")).to_contain_text(number[1])
    pages.assert_none()


@pytest.mark.parametrize("viewport", SIZES)
def test_a_citizen_finds_nghe_an_and_its_population(
    open_as: Callable[[AppServer, str, ViewportSize], Page],
    app_server: AppServer,
    viewport: ViewportSize,
) -> None:
    """No log-in: "nghe an" typed without marks finds the province's entry; from it, the
    province's figures (population, in people, for 2019) and the indicator's table."""
    pages = Overflow(f"citizen-{viewport['width']}")
    citizen = open_as(app_server, "", viewport)
    citizen.goto(app_server.url("/dia-chi/"))
    pages.check(citizen, "the gazetteer's home")
    search = citizen.locator("form[action$='/tim-kiem/']").first
    search.locator("[name=q]").fill("nghe an")
    search.get_by_role("button").click()
    expect(citizen.locator("main")).to_contain_text("Kết quả tìm “nghe an”")
    pages.check(citizen, "the search results")

    citizen.locator("main").get_by_role("link", name="Tỉnh Nghệ An", exact=True).first.click()
    expect(citizen.get_by_role("heading", name="Tỉnh Nghệ An", level=1)).to_be_visible()
    expect(citizen.locator("main")).to_contain_text("Nghệ An là tỉnh thuộc vùng Bắc Trung Bộ")
    pages.check(citizen, "the province's entry")

    citizen.locator("main a[href*='/dia-danh/']", has_text="Tỉnh Nghệ An").first.click()
    population = citizen.locator(".gz-figures", has_text="Dân số (người)")
    expect(population.locator("tbody tr").first).to_contain_text("2019")
    expect(population.locator("tbody tr").first).to_contain_text("3.327.791")
    expect(citizen.locator(".gz-figures", has_text="Diện tích tự nhiên")).to_contain_text("km²")
    pages.check(citizen, "the province's figures")

    population.get_by_role("link", name="Dân số").click()
    expect(citizen.locator("main")).to_contain_text("Đơn vị tính: người")
    province = citizen.locator("main tr", has_text="Tỉnh Nghệ An").first
    expect(province).to_contain_text("3.327.791")
    year = citizen.locator("main table").first.locator("thead th").nth(1)
    expect(year).to_have_text("2019")
    pages.check(citizen, "the population indicator")
    pages.assert_none()
