"""The Standing Board meetings benchmark (issue 9, "Performance"): a year of meetings.

50 meetings × 6 agenda items, each item a draft with 3 submitted versions × 30 opinions, and
2,000 open follow-ups. Everything is generated deterministically (``random.Random(2020)``) and
is sample data (``is_sample``, "(minh họa)" in names and texts):

- **Structure** through ``do_create_structure`` + ``do_create_units``: a province, 20
  district-level units with 5 grassroots organisations each, and an advisory body (an agency
  under the province) that submits every draft. People through ``do_add_person``: 7 Board
  members at the province, one named person per district-level unit and at the province and
  the advisory body (the follow-ups' "người phụ trách"). Users through ``do_create_user`` +
  ``do_grant_membership``: the province office, a Board member, a district officer, the
  advisory body's officer.
- **Drafts** through the meetings actions: ``do_create_draft`` (free text, about 60 numbered
  lines), then three times ``do_submit_version``, 30 opinions, and for versions 1 and 2 a
  ``do_dispose`` of every opinion (accepted, partly, not accepted) and ``do_save_text`` of the
  revised text — version n+1 is refused while an opinion on version n is unanswered. Version 3
  goes on the agenda of its meeting (``do_create_meeting`` with the Board's attendance,
  ``do_add_item``), and ``do_conclude`` records the conclusion with its follow-ups.
- **Opinions** are the one bulk step: ``Opinion.objects.bulk_create`` of the rows
  ``do_give_opinion`` writes (author's name, a line range of the version, the quoted lines cut
  from ``DraftVersion.lines()``, the text, sometimes a proposed wording), without its row lock
  and its audit event per opinion: 27,000 calls would make the generation minutes longer.
- **Follow-ups**: 2,000, all open, given to the items' ``do_conclude`` calls (6 or 7 each),
  led by a district-level unit (most), the province or the advisory body, due 2 to 17 weeks
  after their meeting; the meetings run weekly up to today, so a part is overdue.

Then, after checking the data and that each page shows what it should, it times through
``django.test.Client`` (logged in) beside the trivial request (``GET /api/v1/structures/``):

- the **meeting page** (``meetings_meeting``, every meeting): 6 items, their conclusions,
  follow-ups and opinion counts, attendance;
- the **disposition table** of a version with 30 opinions on its own page
  (``meetings_disposition_table``), beside it the draft page that also shows it
  (``meetings_draft`` with ``?lan=1``: the numbered text with each opinion and its
  disposition), and its .xlsx download;
- the **to-do list**: the home page's block (the first 10 of the user's open follow-ups and
  their count) as the province office (all 2,000) and as a district officer (its share), the
  follow-up list page (``meetings_follow_ups``, open ones) and the API's
  ``/api/v1/follow-ups/todo``.

Query counts are counted in a pass of their own for three different meetings, drafts and users
and must be the same (the pages' queries do not grow with the rows). The targets of issue 9 are
printed "met" or "NOT met" (medians: meeting page, disposition table, to-do home page ≤ 3× the
trivial request). ``TINHUY_BENCH_SCALE`` makes fewer meetings and follow-ups (the versions and
opinions per item stay: the disposition table is always of 30 opinions). The benchmark holds
no copy of the application's code.
"""

from __future__ import annotations

import datetime
import functools
import os
import random
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench.util import (
    Timing,
    Verdict,
    allow_test_host,
    count_queries,
    measure_each,
    timed,
    verdict_header,
)
from tinhuy.accounts.actions import do_create_user
from tinhuy.meetings.actions import (
    FollowUpSpec,
    MemberSpec,
    do_add_item,
    do_conclude,
    do_create_draft,
    do_create_meeting,
    do_dispose,
    do_save_text,
    do_submit_version,
)
from tinhuy.meetings.models import (
    AgendaItem,
    Disposition,
    DispositionKind,
    Draft,
    DraftKind,
    DraftVersion,
    FollowUp,
    FollowUpState,
    Meeting,
    Opinion,
    Outcome,
)
from tinhuy.meetings.queries import is_overdue
from tinhuy.org.actions import (
    LevelSpec,
    UnitSpec,
    do_add_person,
    do_create_structure,
    do_create_units,
    do_grant_membership,
)
from tinhuy.org.models import Person, Role, Unit, UnitKind

SEED = 2020
# TINHUY_BENCH_SCALE=0.1 makes a quick run for trying the bench out; its figures are not
# comparable with a full run (the header says so).
SCALE = float(os.environ.get("TINHUY_BENCH_SCALE", "1") or "1")
MEETINGS = max(3, round(50 * SCALE))
ITEMS = 6  # per meeting
VERSIONS = 3  # per draft
OPINIONS = 30  # per version
FOLLOW_UPS = max(3 * MEETINGS, round(2_000 * SCALE))  # open, over all items
DISTRICTS = 20
GRASSROOTS = 5  # per district-level unit
BOARD = 7
TEXT_LINES = 60  # paragraphs of a draft (one numbered line or two each)
STRUCTURE_CODE = "bench-meetings"
REPS = 20  # samples of a single URL (home page, list pages, the trivial request)
WARM_UPS = 3
TARGET = 3.0  # × the trivial request (issue 9)

KINDS = (DispositionKind.ACCEPTED, DispositionKind.PARTLY, DispositionKind.NOT_ACCEPTED)
PHRASES = (
    "Quán triệt sâu sắc các quan điểm, mục tiêu của Nghị quyết",
    "xác định rõ lộ trình, thời gian và nguồn lực thực hiện",
    "phân công người phụ trách cụ thể cho từng nhiệm vụ",
    "tăng cường công tác kiểm tra, giám sát việc thực hiện",
    "chọn trọng tâm, trọng điểm, tính đột phá để chỉ đạo",
    "đẩy mạnh chuyển đổi số trong hoạt động của các cơ quan",
    "phát huy vai trò của người đứng đầu cấp ủy, chính quyền",
    "định kỳ sơ kết, đánh giá kết quả và báo cáo Ban Thường vụ",
    "bảo đảm kinh phí và các điều kiện cần thiết",
    "phối hợp chặt chẽ giữa các cơ quan tham mưu",
)


@dataclass
class Generated:
    office: User
    board_member: User
    district_officer: User
    district: Unit
    meetings: list[Meeting]
    drafts: list[Draft]  # the first item's draft of every meeting
    seconds: dict[str, float]


@dataclass
class _Setup:
    province: Unit
    agency: Unit
    districts: list[Unit]
    board: list[Person]
    leads: list[tuple[Unit, Person]]  # lead units of follow-ups and their named person
    office: User
    member: User
    officer: User
    body_officer: User


def _paragraph(rng: random.Random, n: int) -> str:
    words = rng.sample(PHRASES, k=rng.randint(1, 3))
    return f"{n}. " + "; ".join(words).capitalize() + " (dữ liệu minh họa)."


def _text(rng: random.Random, title: str, revision: int) -> str:
    lines = [title, f"(dự thảo minh họa, lần {revision})", ""]
    lines += [_paragraph(rng, n) for n in range(1, TEXT_LINES + 1)]
    return "\n".join(lines)


def _opinions(rng: random.Random, version: DraftVersion, board: Sequence[Person]) -> list[Opinion]:
    """30 opinions as ``do_give_opinion`` writes them (see the module's docstring)."""
    lines = version.lines()
    rows = []
    for i in range(OPINIONS):
        author = board[i % len(board)]
        if i % 6 == 5:  # on the whole draft
            line_from = line_to = None
            quoted = ""
        else:
            line_from = rng.randint(4, len(lines) - 2)
            line_to = min(len(lines), line_from + rng.randint(0, 2))
            quoted = "\n".join(lines[line_from - 1 : line_to])
        rows.append(
            Opinion(
                version=version,
                author_name=author.full_name,
                line_from=line_from,
                line_to=line_to,
                quoted_text=quoted,
                text=f"Đề nghị {rng.choice(PHRASES).lower()} (ý kiến minh họa {i + 1}).",
                proposed_text=(rng.choice(PHRASES) + ".") if i % 3 == 0 else "",
                is_sample=True,
            )
        )
    return Opinion.objects.bulk_create(rows)


def generate() -> Generated:
    rng = random.Random(SEED)
    seconds: dict[str, float] = {}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    def setup() -> _Setup:
        with transaction.atomic():
            structure = do_create_structure(
                code=STRUCTURE_CODE,
                name="Tỉnh minh họa của make bench (phiên họp Ban Thường vụ)",
                levels=[
                    LevelSpec("tinh", "Cấp tỉnh"),
                    LevelSpec("huyen", "Cấp huyện và tương đương"),
                    LevelSpec("co-so", "Cấp cơ sở"),
                ],
                acting_user=None,
            )
            specs = [UnitSpec("40", "Đảng bộ tỉnh minh họa", "tinh", UnitKind.PROVINCE)]
            specs.append(
                UnitSpec(
                    "BTG",
                    "Ban Tuyên giáo (minh họa)",
                    "co-so",
                    UnitKind.AGENCY,
                    "40",
                    is_sample=True,
                )
            )
            for d in range(1, DISTRICTS + 1):
                code = f"H{d:02d}"
                specs.append(
                    UnitSpec(
                        code, f"Huyện minh họa {d:02d}", "huyen", UnitKind.DISTRICT, "40", True
                    )
                )
                specs += [
                    UnitSpec(
                        f"{code}-CS{g:02d}",
                        f"Tổ chức cơ sở đảng {g:02d}, huyện {d:02d} (minh họa)",
                        "co-so",
                        UnitKind.GRASSROOTS,
                        code,
                        True,
                    )
                    for g in range(1, GRASSROOTS + 1)
                ]
            do_create_units(structure, specs, acting_user=None, source="bench")
            units = {u.code: u for u in Unit.objects.filter(structure=structure)}
            province, agency = units["40"], units["BTG"]
            districts = [units[f"H{d:02d}"] for d in range(1, DISTRICTS + 1)]
            board = [
                do_add_person(
                    province,
                    full_name=f"Ủy viên số {n} (minh họa)",
                    position="Ủy viên Ban Thường vụ",
                    is_sample=True,
                    acting_user=None,
                )
                for n in range(1, BOARD + 1)
            ]
            leads = [
                (
                    unit,
                    do_add_person(
                        unit,
                        full_name=f"Cán bộ phụ trách, {unit.name} (minh họa)",
                        position="Chánh Văn phòng (minh họa)",
                        is_sample=True,
                        acting_user=None,
                    ),
                )
                for unit in [*districts, province, agency]
            ]

            def user(name: str, unit: Unit, role: str) -> User:
                made = do_create_user(name, password=secrets.token_urlsafe(12), acting_user=None)
                do_grant_membership(made, unit, role, acting_user=None)
                return made

            office = user("bench-hop-vanphong", province, Role.PROVINCE_ADMIN)
            member = user("bench-hop-btv", province, Role.BOARD_MEMBER)
            officer = user("bench-hop-huyen", districts[0], Role.OFFICE_OFFICER)
            body_officer = user("bench-hop-btg", agency, Role.OFFICE_OFFICER)
        return _Setup(
            province, agency, districts, board, leads, office, member, officer, body_officer
        )

    made, seconds["setup"] = timed(setup)
    assert isinstance(made, _Setup)
    province, agency, districts, board, leads = (
        made.province,
        made.agency,
        made.districts,
        made.board,
        made.leads,
    )
    office, member, officer, body_officer = (
        made.office,
        made.member,
        made.officer,
        made.body_officer,
    )

    # Follow-ups: most led by a district-level unit, some by the province or the advisory body.
    weights = [8] * DISTRICTS + [3, 3]
    n_items = MEETINGS * ITEMS
    per_item = [
        FOLLOW_UPS // n_items + (1 if i < FOLLOW_UPS % n_items else 0) for i in range(n_items)
    ]
    today = timezone.localdate()
    first_meeting = today - datetime.timedelta(weeks=MEETINGS - 1)
    meetings: list[Meeting] = []
    firsts: list[Draft] = []
    totals = {"drafts": 0.0, "opinions": 0.0, "dispositions": 0.0, "meetings": 0.0}

    for m in range(MEETINGS):
        day = first_meeting + datetime.timedelta(weeks=m)
        with transaction.atomic():
            items: list[AgendaItem] = []
            start = timezone.now()
            meeting = do_create_meeting(
                body=province,
                date=day,
                title=f"Phiên họp Ban Thường vụ ngày {day:%d/%m/%Y} (minh họa)",
                presiding=board[0],
                members=[
                    MemberSpec(p, present=i != m % BOARD or i == 0, absence_reason="Đi công tác")
                    for i, p in enumerate(board)
                ],
                guests="Lãnh đạo các cơ quan tham mưu (minh họa)",
                is_sample=True,
                acting_user=office,
            )
            totals["meetings"] += (timezone.now() - start).total_seconds()
            for i in range(ITEMS):
                n = m * ITEMS + i + 1
                title = f"Dự thảo số {n:03d}: kế hoạch thực hiện nhiệm vụ (dữ liệu minh họa)"
                t0 = timezone.now()
                draft = do_create_draft(
                    kind=DraftKind.TEXT,
                    title=title,
                    doc_type="KH",
                    submitting_unit=agency,
                    issuing_unit=province,
                    text=_text(rng, title, 1),
                    is_sample=True,
                    acting_user=body_officer,
                )
                totals["drafts"] += (timezone.now() - t0).total_seconds()
                for v in range(1, VERSIONS + 1):
                    t0 = timezone.now()
                    if v > 1:
                        do_save_text(draft, text=_text(rng, title, v), acting_user=body_officer)
                    version = do_submit_version(draft, acting_user=body_officer)
                    totals["drafts"] += (timezone.now() - t0).total_seconds()
                    t0 = timezone.now()
                    opinions = _opinions(rng, version, board)
                    totals["opinions"] += (timezone.now() - t0).total_seconds()
                    if v < VERSIONS:
                        t0 = timezone.now()
                        for k, opinion in enumerate(opinions):
                            kind = KINDS[k % 3]
                            do_dispose(
                                opinion,
                                kind=kind,
                                explanation=""
                                if kind == DispositionKind.ACCEPTED
                                else "Đã có trong mục khác của dự thảo (giải trình minh họa).",
                                acting_user=body_officer,
                            )
                        totals["dispositions"] += (timezone.now() - t0).total_seconds()
                t0 = timezone.now()
                items.append(do_add_item(meeting, draft, acting_user=office))
                if i == 0:
                    firsts.append(draft)
                specs = []
                for _ in range(per_item[m * ITEMS + i]):
                    unit, person = rng.choices(leads, weights=weights)[0]
                    specs.append(
                        FollowUpSpec(
                            f"Triển khai {rng.choice(PHRASES).lower()} (việc giao minh họa)",
                            unit,
                            person,
                            day + datetime.timedelta(days=rng.randint(14, 120)),
                        )
                    )
                do_conclude(
                    items[-1],
                    conclusion="Thống nhất với dự thảo; đề nghị cơ quan tham mưu tiếp thu, "
                    "chỉnh sửa theo ý kiến các đồng chí Ủy viên (kết luận minh họa).",
                    outcome=Outcome.APPROVED_AFTER_REVISION,
                    follow_ups=specs,
                    is_sample=True,
                    acting_user=office,
                )
                totals["meetings"] += (timezone.now() - t0).total_seconds()
        meetings.append(meeting)
    seconds.update(totals)
    return Generated(office, member, officer, districts[0], meetings, firsts, seconds)


# --- Checking, measuring, printing ---------------------------------------------------------------

NAME = 62


def _line(name: str, timing: Timing, queries: int | str, trivial: Timing | None) -> str:
    ratio = f"{timing.median_ms / trivial.median_ms:.1f}×" if trivial else ""
    return (
        f"  {name:<{NAME - 2}} {queries!s:>7} {len(timing.samples):>5} {timing.median_ms:>8.2f} "
        f"{timing.p95_ms:>8.2f} {max(timing.samples) * 1000:>8.1f}  {ratio:>8}"
    )


def _header(title: str) -> str:
    return (
        f"{title:<{NAME}} {'queries':>7} {'calls':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  "
        f"{'×trivial':>8}"
    )


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _get(client: Client) -> Callable[[str], object]:
    def run(url: str) -> object:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return run


def _at_least(urls: Sequence[str], n: int = REPS) -> list[str]:
    """The URLs, repeated in order until there are ``n`` (a reduced run has few meetings)."""
    out = list(urls)
    while len(out) < n:
        out += urls
    return out


def _fixed(client: Client, urls: Sequence[str]) -> int | str:
    """The queries one request makes, the same for three different URLs, else all three."""
    counts = [count_queries(functools.partial(client.get, url)) for url in urls[:3]]
    return counts[0] if len(set(counts)) == 1 else "/".join(map(str, counts))


def check(g: Generated, office: Client, officer: Client) -> list[str]:
    """The data is what the figures claim, and each page shows it; lines to print."""
    n_items = MEETINGS * ITEMS
    assert Meeting.objects.filter(body__structure__code=STRUCTURE_CODE).count() == MEETINGS
    items = AgendaItem.objects.filter(meeting__in=g.meetings)
    assert items.count() == n_items
    assert items.filter(concluded_at__isnull=True).count() == 0
    versions = DraftVersion.objects.filter(draft__items__in=items)
    assert versions.count() == n_items * VERSIONS
    opinions = Opinion.objects.filter(version__in=versions)
    assert opinions.count() == n_items * VERSIONS * OPINIONS
    dispositions = Disposition.objects.filter(opinion__in=opinions)
    assert dispositions.count() == n_items * (VERSIONS - 1) * OPINIONS
    follow_ups = FollowUp.objects.filter(item__in=items)
    assert follow_ups.filter(state=FollowUpState.OPEN).count() == FOLLOW_UPS
    today = timezone.localdate()
    overdue = sum(1 for f in follow_ups if is_overdue(f, today))
    district_open = follow_ups.filter(lead_unit=g.district).count()

    meeting = g.meetings[-1]
    page = office.get(reverse("meetings_meeting", kwargs={"meeting_id": meeting.pk}))
    body = page.content.decode()
    assert page.status_code == 200
    assert all(item.draft.title in body for item in meeting.items.select_related("draft"))
    draft = g.drafts[-1]
    v1 = draft.versions.get(number=1)
    for url in (
        reverse("meetings_draft", kwargs={"draft_id": draft.pk}) + "?lan=1",
        reverse("meetings_disposition_table", kwargs={"draft_id": draft.pk, "number": 1}),
    ):
        page = office.get(url)
        body = page.content.decode()
        assert page.status_code == 200
        assert all(o.text in body for o in v1.opinions.all())
        assert "Đã có trong mục khác của dự thảo" in body  # the dispositions' explanations
    home = office.get(reverse("home")).content.decode()
    first_due = follow_ups.filter(state=FollowUpState.OPEN).order_by("due_on", "id").first()
    assert first_due is not None and first_due.what in home
    mine = officer.get(reverse("home")).content.decode()
    foreign = follow_ups.exclude(lead_unit=g.district).order_by("due_on", "id").first()
    assert foreign is not None and foreign.lead_unit.name not in mine
    return [
        f"data       {MEETINGS} meetings (weekly, {g.meetings[0].date:%d/%m/%Y}–"
        f"{g.meetings[-1].date:%d/%m/%Y}) × {ITEMS} items = {n_items} drafts × {VERSIONS} "
        f"versions × {OPINIONS} opinions = {opinions.count():,} opinions, "
        f"{dispositions.count():,} dispositions (versions 1 and 2); {FOLLOW_UPS:,} open "
        f"follow-ups ({overdue:,} overdue today, {district_open} led by {g.district.name})",
        "checks     the meeting page lists its 6 drafts; the disposition table of version 1 shows "
        "its 30 opinions and their explanations; the office's home page shows the soonest "
        "follow-up, the district officer's shows no other unit's",
    ]


def run(out: Callable[[str], None] = print) -> list[Verdict]:
    allow_test_host()
    out("")
    out(
        f"meetings — {MEETINGS} Standing Board meetings × {ITEMS} items × {VERSIONS} versions × "
        f"{OPINIONS} opinions, {FOLLOW_UPS:,} open follow-ups (seed {SEED})"
    )
    if SCALE != 1:
        out(f"           TINHUY_BENCH_SCALE={SCALE}: a reduced run, not comparable with a full one")
    out(
        f"method     p50, p95, max over the listed URLs (time.perf_counter) after {WARM_UPS} "
        f"untimed requests, through django.test.Client, logged in; a single URL {REPS} times; "
        "queries counted apart for three URLs (one figure: the same for all three)"
    )
    g, seconds = timed(generate)
    assert isinstance(g, Generated)
    s = g.seconds
    out(
        f"generate   {seconds:.1f} s — structure, people, users {s['setup']:.1f} s; drafts and "
        f"versions {s['drafts']:.1f} s; opinions (bulk_create) {s['opinions']:.1f} s; "
        f"dispositions (do_dispose) {s['dispositions']:.1f} s; meetings, items, conclusions and "
        f"follow-ups {s['meetings']:.1f} s"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    office, board, officer = _client(g.office), _client(g.board_member), _client(g.district_officer)
    for line in check(g, office, officer):
        out(line)

    def http(client: Client, urls: Sequence[str]) -> Timing:
        return measure_each(_get(client), list(urls), warm_ups=WARM_UPS)

    trivial_urls = ["/api/v1/structures/"] * REPS
    meeting_urls = [reverse("meetings_meeting", kwargs={"meeting_id": m.pk}) for m in g.meetings]
    table_urls = [
        reverse("meetings_disposition_table", kwargs={"draft_id": d.pk, "number": 1})
        for d in g.drafts
    ]
    draft_urls = [reverse("meetings_draft", kwargs={"draft_id": d.pk}) + "?lan=1" for d in g.drafts]
    xlsx_urls = [
        reverse("meetings_disposition_xlsx", kwargs={"draft_id": d.pk, "number": 1})
        for d in g.drafts
    ]
    home = [reverse("home")] * REPS
    follow_up_list = [reverse("meetings_follow_ups") + "?trang-thai=dang-lam"] * REPS
    todo_api = ["/api/v1/follow-ups/todo"] * REPS

    out("")
    out(_header("requests (django.test.Client)"))
    trivial = http(office, trivial_urls)
    out(
        _line(
            "floor: trivial GET /api/v1/structures/ (logged in)",
            trivial,
            _fixed(office, trivial_urls),
            trivial,
        )
    )
    meeting_t = http(office, _at_least(meeting_urls))
    out(
        _line(
            f"meeting page, every meeting ({len(meeting_urls)}), office",
            meeting_t,
            _fixed(office, meeting_urls),
            trivial,
        )
    )
    meeting_b = http(board, _at_least(meeting_urls))
    out(_line("  the same as a Board member", meeting_b, _fixed(board, meeting_urls), trivial))
    table_t = http(office, _at_least(table_urls))
    out(
        _line(
            f"disposition table page, version 1, 30 opinions ({len(table_urls)} drafts)",
            table_t,
            _fixed(office, table_urls),
            trivial,
        )
    )
    draft_t = http(office, _at_least(draft_urls))
    out(
        _line(
            "  the draft page ?lan=1: the numbered text, the opinions and the table",
            draft_t,
            _fixed(office, draft_urls),
            trivial,
        )
    )
    xlsx_t = http(office, _at_least(xlsx_urls))
    out(_line("  its .xlsx download", xlsx_t, _fixed(office, xlsx_urls), trivial))
    home_t = http(office, home)
    out(
        _line(
            f"to-do: home page, office (10 of {FOLLOW_UPS:,} open)",
            home_t,
            _fixed(office, home),
            trivial,
        )
    )
    home_d = http(officer, home)
    out(_line("  home page, district officer (its share)", home_d, _fixed(officer, home), trivial))
    list_t = http(office, follow_up_list)
    out(
        _line(
            "to-do: follow-up list page ?trang-thai=dang-lam, office",
            list_t,
            _fixed(office, follow_up_list),
            trivial,
        )
    )
    api_t = http(office, todo_api)
    out(
        _line(
            "to-do: GET /api/v1/follow-ups/todo, office (page 1)",
            api_t,
            _fixed(office, todo_api),
            trivial,
        )
    )

    out("")
    verdicts = [
        Verdict("meeting page ≤ 3× trivial", meeting_t.median_ms, trivial.median_ms, TARGET),
        Verdict("disposition table (30 opinions) ≤ 3× trivial", table_t.median_ms,
                trivial.median_ms, TARGET),
        Verdict("to-do list (home page, office) ≤ 3× trivial", home_t.median_ms,
                trivial.median_ms, TARGET),
    ]  # fmt: skip
    out(verdict_header("targets (issue 9), medians beside the trivial request's"))
    for verdict in verdicts:
        out(verdict.line())
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    out(f"end        load {load} (1, 5, 15 min)")
    return verdicts
