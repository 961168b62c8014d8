"""Steps and checks that more than one browser journey takes.

The checks: ``overflow_problems`` (what makes a page not fit its screen), ``Overflow`` (collects
them page after page of a journey and fails naming each page). The steps: a Board meeting
created with everybody present, a draft put on its agenda, a conclusion, a draft issued through
the register, an opinion answered; each goes through the page's own forms, as a user does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from tests.browser.conftest import STRUCTURE_2020, AppServer, shoot

# The elements reaching past the viewport, outermost first, other than those inside a box that
# scrolls or clips sideways on purpose (which must itself fit).
OVERFLOW_JS = r"""() => {
  const limit = document.documentElement.clientWidth;
  // A box that scrolls sideways holds what is inside it, except an absolutely positioned element
  // whose containing block is outside the box (such as Bootstrap's .visually-hidden in a table
  // whose scroller is not positioned): that one stretches the page.
  const inScroller = (el) => {
    const start = getComputedStyle(el).position === "absolute" ? el.offsetParent : el.parentElement;
    for (let a = start; a && a !== document.body; a = a.parentElement) {
      if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(a).overflowX)) return true;
    }
    return false;
  };
  const outside = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && (r.right > limit + 1 || r.left < -1);
  };
  const found = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (!outside(el) || inScroller(el)) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.position === "fixed") continue;
    const parent = el.parentElement;
    if (parent && parent !== document.body && outside(parent) && !inScroller(parent)) continue;
    const r = el.getBoundingClientRect();
    const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
      (typeof el.className === "string" && el.className.trim()
        ? "." + el.className.trim().split(/\s+/).join(".") : "");
    found.push(name + " [" + Math.round(r.left) + " → " + Math.round(r.right) + " px] " +
      (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 60));
  }
  // Text can reach past its own box (a long address or word that cannot wrap).
  const clips = (el) => ["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(el).overflowX);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const owner = node.parentElement;
    if (!owner || !node.textContent.trim() || clips(owner) || inScroller(owner)) continue;
    if (outside(owner) && !inScroller(owner)) continue;  // the element is already listed
    const range = document.createRange();
    range.selectNodeContents(node);
    const r = range.getBoundingClientRect();
    if (r.width > 0 && (r.right > limit + 1 || r.left < -1)) {
      found.push("text in " + owner.tagName.toLowerCase() + " [" + Math.round(r.left) + " → " +
        Math.round(r.right) + " px] " + node.textContent.trim().replace(/\s+/g, " ").slice(0, 60));
    }
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    offenders: found,
  };
}"""

# Visible selects whose text is cut although the select could be wider: a select either shows
# its whole text (on a phone: its longest option's) or takes (nearly) the whole line.
SELECTS_JS = """() => {
  const canvas = document.createElement("canvas").getContext("2d");
  const line = document.documentElement.clientWidth;
  const cut = [];
  for (const select of document.querySelectorAll("select")) {
    const r = select.getBoundingClientRect();
    if (!r.width || !r.height || select.multiple || select.size > 1) continue;
    // On a phone every option must fit (the one chosen later, not only "—" shown now); wider,
    // the option shown.
    const options = line < 576 ? Array.from(select.options) : [select.options[select.selectedIndex]];
    const style = getComputedStyle(select);
    canvas.font = style.fontWeight + " " + style.fontSize + " " + style.fontFamily;
    const option = options.filter(Boolean).reduce((widest, o) =>
      !widest || canvas.measureText(o.text.trim()).width > canvas.measureText(widest.text.trim()).width
        ? o : widest, null);
    if (!option) continue;
    const text = canvas.measureText(option.text.trim()).width;
    const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (text > room + 1 && r.width < 0.75 * line) {
      cut.push((select.name || select.id) + ": “" + option.text.trim() + "” needs " +
        Math.ceil(text) + " px, has " + Math.floor(room) + " px");
    }
  }
  return cut;
}"""


def _when_loaded(page: Page, script: str) -> Any:
    """The script's answer on the page once loaded. Right after a click that leaves the page,
    the next one may not have committed yet, or have no document element yet (seen on a busy
    machine: "Cannot read properties of null (reading 'clientWidth')"): wait for it to load and
    ask again, twice at most."""
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            return page.evaluate(script)
        except PlaywrightError:
            if attempt == 2:
                raise
            page.wait_for_timeout(200)
    raise AssertionError("unreachable")


def overflow_problems(page: Page) -> list[str]:
    """Why the page does not fit its screen, if it does not: it scrolls sideways, an element
    reaches past the viewport (outside a box made to scroll sideways), a select cuts its text."""
    found: dict[str, Any] = _when_loaded(page, OVERFLOW_JS)
    problems = list(found["offenders"])
    if found["scrollWidth"] > found["innerWidth"]:
        problems.insert(0, f"scrollWidth {found['scrollWidth']} > innerWidth {found['innerWidth']}")
    problems += [f"select cut: {cut}" for cut in _when_loaded(page, SELECTS_JS)]
    return problems


@dataclass
class Overflow:
    """The pages of a journey that do not fit, collected as the journey goes (a screenshot of
    each), so one run names them all; ``assert_none`` fails naming each page."""

    name: str
    found: dict[str, list[str]] = field(default_factory=dict)

    def check(self, page: Page, what: str) -> None:
        problems = overflow_problems(page)
        if problems:
            shot = shoot(page, f"overflow-{self.name}")
            self.found[f"{what} ({page.url}, {shot})"] = problems

    def assert_none(self) -> None:
        if self.found:
            pytest.fail(
                "pages that do not fit the screen:\n"
                + "\n".join(
                    f"- {page}:\n    " + "\n    ".join(p) for page, p in self.found.items()
                ),
                pytrace=False,
            )


def alert(page: Page, text: str) -> None:
    """The page shows a message holding ``text``."""
    expect(page.locator(".alert", has_text=text).first).to_be_visible()


def path_of(page: Page, app_server: AppServer) -> str:
    """The page's address without the server and the fragment."""
    return page.url.removeprefix(app_server.base_url).split("#")[0]


def option_value(page: Page, name: str, starts_with: str) -> str:
    """The value of the option of ``select[name=name]`` whose label starts so.

    Waits for the page and such an option first: a click that opens the form returns once the
    new page has begun to load, ``evaluate_all`` does not wait, and a CI run read a list whose
    options had not all arrived."""
    page.wait_for_load_state("load")
    options = page.locator(f"select[name={name}] option")
    expect(options.filter(has_text=starts_with).first).to_be_attached()
    value = options.evaluate_all(
        "(options, start) => options.find(o => o.text.startsWith(start))?.value ?? ''", starts_with
    )
    assert value, f"no option {starts_with!r} in {name}"
    return str(value)


def dispose(page: Page, opinion_form: str, kind: str, explanation: str) -> None:
    """Answers the opinion whose disposition form posts to ``opinion_form`` (on a draft's page)."""
    form = page.locator(f"form[action$='{opinion_form}']")
    form.evaluate("form => { form.closest('details').open = true; }")
    form.locator("select").select_option(label=kind)
    form.locator("textarea").fill(explanation)
    form.get_by_role("button", name="Ghi tiếp thu, giải trình").click()


def create_meeting(page: Page, app_server: AppServer, day: str, title: str) -> str:
    """As the province office: a meeting of the 2020 province committee on ``day``, chaired by
    the Secretary, every member present; its address."""
    page.goto(app_server.url("/hop-ban-thuong-vu/phien-hop/"))
    page.get_by_role("link", name="Tạo phiên họp").click()
    page.get_by_label("Cấp ủy").select_option(label=f"Đảng bộ tỉnh Nghệ An ({STRUCTURE_2020})")
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_label("Ngày họp").fill(day)
    page.get_by_label("Tên phiên họp").fill(title)
    page.get_by_label("Chủ trì").select_option(option_value(page, "presiding", "Thái Thanh Quý,"))
    page.wait_for_load_state("load")  # ``all`` does not wait for the rest of the list
    for member in page.locator("select[name^=member_]").all():
        member.select_option("present")
    page.get_by_role("button", name="Tạo phiên họp").click()
    alert(page, f"Đã tạo phiên họp ngày {day}")
    return path_of(page, app_server)


def put_on_agenda(page: Page, draft_title: str) -> None:
    """On a meeting's page: the submitted draft on its agenda."""
    page.get_by_label("Dự thảo đã trình").select_option(label=draft_title)
    page.get_by_role("button", name="Thêm vào chương trình").click()
    alert(page, "vào chương trình")


def issue(
    page: Page, app_server: AppServer, draft_path: str, day: str, number: str = "", reason: str = ""
) -> None:
    """On the draft's page: issued on ``day`` through the register, the next number unless one
    is written by hand (with its reason)."""
    page.goto(app_server.url(draft_path))
    page.get_by_label("Ngày ban hành").fill(day)
    page.get_by_label("Người ký").fill("Thái Thanh Quý")
    page.get_by_label("Nơi nhận").fill("- Các huyện, thành, thị ủy,\n- Lưu Văn phòng Tỉnh ủy.")
    page.get_by_label("Số (ghi tay)").fill(number)
    page.get_by_label("Lý do ghi số tay").fill(reason)
    page.get_by_role("button", name="Ban hành và cấp số").click()
