"""Demo programmes: the plan to implement Decision 827 for TP Vinh, and the Gazetteer programme.

What is a fact: Decision 827/QĐ-TTg of 12/6/2020 of the Prime Minister on the project to develop
Vinh City into the economic and cultural centre of the North Central region (goals to 2030, a
vision to 2045); that the Standing Board heard the province's plan to implement it on
29/10/2020 and named the Department of Planning and Investment its focal agency; that the Board
approved the project "Địa chí Nghệ An trong bối cảnh đương đại" in principle the same day and
asked for a roadmap, digitisation and yearly updates; the bodies (``tinhuy.org.agencies``, the
Ban Tuyên giáo of ``tinhuy.meetings.demo``); and the census figure the gazetteer cites.

Everything else is sample data, marked ``is_sample`` and labelled "(minh họa)": the fields,
items and tasks, who is responsible, dates, milestones, money, staff, indicators and targets,
the Gazetteer programme's Board meeting (25/3/2021), its number's date, its reports, and the
delegations.

How the Decision 827 plan runs through the demo:
1. ``build_decision_827`` (called by the meetings demo before its meeting of 29/10/2020) writes
   the plan complete; the meetings demo makes it the Board draft, submits version 1 (dated
   26/10/2020), and the Board concludes "approved subject to revision" (the article).
2. ``load_programmes_demo`` then adds, to the plan being revised, one task with neither a
   responsible person nor a milestone: today the revised version is blocked by the completeness
   gate until the task is completed. The hand-over of the Department of Planning and
   Investment's work to the Department of Finance is left to the province office (a journey).

The Gazetteer programme is approved through the meeting machinery (draft, version, a sample
meeting, conclusion, issue with the register's next "CTr" number), then reported on quarterly
in 2026 (one report late, one cycle still open), so the dashboards have data.

The rows carry the dates of this story, not of the load: what the actions take an ``at`` for
(a version submitted, a conclusion, a report) through it, and the moments they stamp themselves
(a programme's or draft's creation, the meeting's, the register entry's, the baseline taken at
issue, a cycle closed a few days after its due date) set right after them here — sample rows
only; the audit events keep the load's time.

Idempotent: each part is written once, found again by its title on a second run.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone

from tinhuy.org import agencies as ag
from tinhuy.org.loaders import STRUCTURE_2020_CODE
from tinhuy.org.models import Person, Unit
from tinhuy.programs.actions import (
    DelegationSpec,
    IndicatorSpec,
    NodeSpec,
    ProgrammeSpec,
    ReportSpec,
    do_add_budget_line,
    do_add_indicator,
    do_add_milestone,
    do_add_node,
    do_close_cycle,
    do_create_delegation,
    do_create_programme,
    do_create_programme_draft,
    do_mark_milestone_done,
    do_open_cycle,
    do_report,
)
from tinhuy.programs.models import (
    Baseline,
    Delegation,
    DelegationKind,
    DelegationState,
    Frequency,
    FundingSource,
    Node,
    NodeKind,
    NodeStatus,
    Programme,
    ProgrammeKind,
    ReportingCycle,
)

D = datetime.date
ONE_DAY = datetime.timedelta(days=1)
NOBODY = AnonymousUser()

# The demo's province office account (``tinhuy.demo.PERSONAS``): the plans are entered as the
# office would enter them, so the actions check scope as they do for a user.
OFFICE_USERNAME = "vanphong"
PROVINCE_CODE = "40"
PROPAGANDA_CODE = "BTG"  # tinhuy.meetings.demo.PROPAGANDA_CODE
PROPAGANDA_OFFICER = "Phan Thị Ngọc (minh họa)"  # tinhuy.meetings.demo.PROPAGANDA_OFFICER

DECISION_827_SOURCE = "Quyết định 827/QĐ-TTg ngày 12/6/2020 của Thủ tướng Chính phủ"
DECISION_827_TITLE = (
    "Kế hoạch triển khai thực hiện Quyết định 827 ngày 12/6/2020 của Thủ tướng Chính phủ về Đề "
    "án phát triển thành phố Vinh thành trung tâm kinh tế - văn hóa vùng Bắc Trung Bộ"
)
DECISION_827_GOALS = (
    "Cụ thể hóa Đề án phát triển thành phố Vinh thành trung tâm kinh tế, văn hóa vùng Bắc Trung "
    "Bộ (Quyết định 827/QĐ-TTg ngày 12/6/2020): các mục tiêu đến năm 2030, tầm nhìn đến năm 2045.\n"
    "Các lĩnh vực, nhiệm vụ, người phụ trách, mốc tiến độ và kinh phí dưới đây là dữ liệu minh "
    "họa, không phải nội dung kế hoạch đã trình Ban Thường vụ."
)
# The plan's own period: from after the Board heard it to the decision's 2030 horizon (the
# start is sample; the end is the decision's).
DECISION_827_PERIOD = (D(2020, 11, 1), D(2030, 12, 31))

# Added after the meeting of 29/10/2020, while the plan is revised; still incomplete today.
INCOMPLETE_TASK_TITLE = (
    "Nghiên cứu, đề xuất mở rộng không gian phát triển đô thị thành phố Vinh (minh họa)"
)

GAZETTEER_TITLE = (
    "Chương trình thực hiện Đề án “Địa chí Nghệ An trong bối cảnh đương đại”: biên soạn, số hóa "
    "và cập nhật số liệu hằng năm (minh họa)"
)
GAZETTEER_SOURCE = (
    "Kết luận của Ban Thường vụ Tỉnh ủy tại phiên họp ngày 29/10/2020 về Đề án “Địa chí Nghệ An "
    "trong bối cảnh đương đại”"
)
GAZETTEER_GOALS = (
    "Biên soạn Địa chí khoa học, hợp lý trên nguồn sử liệu phong phú; số hóa để thuận tiện truy "
    "cập, tìm số liệu; hằng năm nghiên cứu, bổ sung, cập nhật số liệu, dữ liệu mới để cung cấp "
    "thông tin cho người dân (theo kết luận của Ban Thường vụ Tỉnh ủy ngày 29/10/2020).\n"
    "Lộ trình, nhiệm vụ, kinh phí và báo cáo tiến độ là dữ liệu minh họa."
)
GAZETTEER_PERIOD = (D(2021, 1, 1), D(2030, 12, 31))  # sample
GAZETTEER_WRITTEN = D(2021, 3, 1)  # sample
GAZETTEER_SUBMITTED = D(2021, 3, 15)  # sample
GAZETTEER_MEETING = D(2021, 3, 25)  # sample
GAZETTEER_ISSUED = D(2021, 3, 31)  # sample
DECISION_827_WRITTEN = D(2020, 10, 20)  # sample: before the meeting of 29/10/2020
CLOSED_AFTER_DUE = datetime.timedelta(days=4)  # sample: the office closes a cycle's books
SIGNER = "Bí thư Tỉnh ủy (minh họa)"

MECHANISM_TITLE = (
    "Đề xuất cơ chế, chính sách đặc thù để thành phố Vinh thực hiện các định hướng của Đề án "
    "(minh họa)"
)
DELEGATION_TITLE = (
    "Nghiên cứu phân cấp, phân quyền nhiều hơn cho thành phố Vinh trong quản lý đầu tư, xây dựng "
    "và đô thị (minh họa)"
)


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def office_user() -> User:
    return User.objects.get(username=OFFICE_USERNAME)


def _person(unit: Unit, full_name: str) -> Person:
    return Person.objects.get(unit=unit, full_name=full_name)


@dataclass(frozen=True)
class Task:
    """A sample task: its owners, dates, roadmap and money."""

    title: str
    lead: str  # a unit code of the agencies structure, or "BTG" (the 2020 structure)
    responsible: str
    start_on: datetime.date
    due_on: datetime.date
    milestones: tuple[tuple[str, datetime.date], ...]
    budget: tuple[tuple[str, int | None, int], ...] = ()  # (source, year, đồng)
    staff: int | None = None
    coordinating: tuple[str, ...] = ()
    indicator: IndicatorSpec | None = None


@dataclass(frozen=True)
class Item:
    title: str
    tasks: tuple[Task, ...]
    focus: bool = False
    key: bool = False
    breakthrough: bool = False


@dataclass(frozen=True)
class Field:
    title: str
    items: tuple[Item, ...]


S = FundingSource

DECISION_827_TREE: tuple[Field, ...] = (
    Field(
        "Kinh tế",
        (
            Item(
                "Phát triển thương mại, dịch vụ (minh họa)",
                (
                    Task(
                        "Xây dựng đề án phát triển thành phố Vinh thành trung tâm thương mại, "
                        "dịch vụ của vùng (minh họa)",
                        ag.VINH_COMMITTEE,
                        "Hoàng Văn Bình (minh họa)",
                        D(2021, 1, 1),
                        D(2022, 12, 31),
                        (("Trình UBND tỉnh dự thảo đề án (minh họa)", D(2022, 6, 30)),),
                        ((S.LOCAL_BUDGET, 2021, 1_200_000_000),),
                        staff=5,
                        coordinating=(ag.PLANNING,),
                    ),
                ),
                focus=True,
            ),
            Item(
                "Thu hút đầu tư (minh họa)",
                (
                    Task(
                        "Xây dựng danh mục dự án kêu gọi đầu tư vào thành phố Vinh (minh họa)",
                        ag.PLANNING,
                        "Trần Quốc Khánh (minh họa)",
                        D(2020, 11, 15),
                        D(2021, 6, 30),
                        (("Công bố danh mục dự án (minh họa)", D(2021, 3, 31)),),
                        ((S.LOCAL_BUDGET, 2021, 500_000_000),),
                        coordinating=(ag.VINH_COMMITTEE,),
                    ),
                ),
                key=True,
            ),
        ),
    ),
    Field(
        "Hạ tầng đô thị",
        (
            Item(
                "Hạ tầng giao thông kết nối vùng (minh họa)",
                (
                    Task(
                        "Rà soát, đề xuất danh mục công trình giao thông trọng điểm kết nối "
                        "thành phố Vinh với vùng (minh họa)",
                        ag.TRANSPORT,
                        "Nguyễn Đình Tuấn (minh họa)",
                        D(2021, 1, 1),
                        D(2023, 12, 31),
                        (
                            ("Hoàn thành rà soát (minh họa)", D(2021, 12, 31)),
                            ("Trình danh mục công trình (minh họa)", D(2023, 6, 30)),
                        ),
                        (
                            (S.CENTRAL_BUDGET, 2022, 20_000_000_000),
                            (S.LOCAL_BUDGET, 2022, 5_000_000_000),
                            (S.ODA, 2023, 15_000_000_000),
                        ),
                        coordinating=(ag.CONSTRUCTION, ag.VINH_COMMITTEE),
                    ),
                ),
                breakthrough=True,
            ),
            Item(
                "Chỉnh trang, phát triển đô thị (minh họa)",
                (
                    Task(
                        "Rà soát quy hoạch chi tiết các khu đô thị của thành phố Vinh (minh họa)",
                        ag.CONSTRUCTION,
                        "Hồ Sỹ Long (minh họa)",
                        D(2021, 3, 1),
                        D(2024, 12, 31),
                        (("Phê duyệt kết quả rà soát (minh họa)", D(2024, 6, 30)),),
                        (
                            (S.LOCAL_BUDGET, 2021, 2_000_000_000),
                            (S.PRIVATE, 2023, 8_000_000_000),
                        ),
                        coordinating=(ag.VINH_COMMITTEE,),
                    ),
                ),
                focus=True,
            ),
        ),
    ),
    Field(
        "Văn hóa – xã hội",
        (
            Item(
                "Trung tâm văn hóa, thể thao của vùng (minh họa)",
                (
                    Task(
                        "Xây dựng kế hoạch tổ chức các sự kiện văn hóa, thể thao cấp vùng tại "
                        "thành phố Vinh (minh họa)",
                        ag.CULTURE,
                        "Thái Thị Minh Nguyệt (minh họa)",
                        D(2021, 1, 1),
                        D(2021, 12, 31),
                        (("Ban hành kế hoạch (minh họa)", D(2021, 6, 30)),),
                        staff=8,
                    ),
                ),
                key=True,
            ),
            Item(
                "Đô thị thông minh (minh họa)",
                (
                    Task(
                        "Xây dựng trung tâm điều hành đô thị thông minh thành phố Vinh (minh họa)",
                        ag.VINH_COMMITTEE,
                        "Hoàng Văn Bình (minh họa)",
                        D(2021, 6, 1),
                        D(2025, 6, 30),
                        (
                            ("Phê duyệt đề án (minh họa)", D(2021, 12, 31)),
                            ("Đưa vào vận hành (minh họa)", D(2024, 12, 31)),
                        ),
                        (
                            (S.LOCAL_BUDGET, 2022, 30_000_000_000),
                            (S.PRIVATE, 2023, 10_000_000_000),
                        ),
                        coordinating=(ag.INFORMATION, ag.SCIENCE),
                        indicator=IndicatorSpec(
                            "Tỷ lệ hồ sơ thủ tục hành chính nộp trực tuyến (minh họa)",
                            "%",
                            baseline_value=Decimal(20),
                            baseline_year=2020,
                            targets={2023: Decimal(50), 2025: Decimal(80)},
                        ),
                    ),
                ),
                breakthrough=True,
            ),
        ),
    ),
    Field(
        "Cơ chế, chính sách",
        (
            Item(
                "Cơ chế, chính sách đặc thù cho thành phố Vinh (minh họa)",
                (
                    Task(
                        "Tổng hợp, đề xuất cơ chế, chính sách đặc thù cho thành phố Vinh "
                        "(minh họa)",
                        ag.PLANNING,
                        "Lê Thị Thanh Hương (minh họa)",
                        D(2020, 11, 15),
                        D(2021, 12, 31),
                        (("Trình UBND tỉnh (minh họa)", D(2021, 9, 30)),),
                        staff=4,
                        coordinating=(ag.FINANCE, ag.VINH_COMMITTEE),
                    ),
                ),
                focus=True,
            ),
        ),
    ),
)


def _unit(code: str, propaganda: Unit | None = None) -> Unit:
    if code == PROPAGANDA_CODE and propaganda is not None:
        return propaganda
    return ag.agency(code)


def _write_tree(
    programme: Programme, fields: tuple[Field, ...], user: User, propaganda: Unit | None = None
) -> list[Node]:
    """The fields, items and tasks with their roadmap, money and indicators; returns the tasks."""
    tasks: list[Node] = []
    for field in fields:
        field_node = do_add_node(
            programme, NodeSpec(NodeKind.FIELD, field.title), is_sample=True, acting_user=user
        )
        for item in field.items:
            item_node = do_add_node(
                programme,
                NodeSpec(
                    NodeKind.ITEM,
                    item.title,
                    is_focus=item.focus,
                    is_key=item.key,
                    is_breakthrough=item.breakthrough,
                ),
                parent=field_node,
                is_sample=True,
                acting_user=user,
            )
            tasks.extend(
                _write_task(programme, item_node, task, user, propaganda) for task in item.tasks
            )
    return tasks


def _write_task(
    programme: Programme, parent: Node, task: Task, user: User, propaganda: Unit | None
) -> Node:
    lead = _unit(task.lead, propaganda)
    node = do_add_node(
        programme,
        NodeSpec(
            NodeKind.TASK,
            task.title,
            lead_unit=lead,
            coordinating_units=[_unit(code, propaganda) for code in task.coordinating],
            responsible=_person(lead, task.responsible),
            start_on=task.start_on,
            due_on=task.due_on,
            staff=task.staff,
        ),
        parent=parent,
        is_sample=True,
        acting_user=user,
    )
    for title, due_on in task.milestones:
        do_add_milestone(node, title=title, due_on=due_on, acting_user=user)
    for source, year, amount in task.budget:
        do_add_budget_line(
            node,
            source=source,
            year=year,
            amount=Decimal(amount),
            note="minh họa",
            acting_user=user,
        )
    if task.indicator is not None:
        do_add_indicator(node, task.indicator, acting_user=user)
    return node


def decision_827() -> Programme | None:
    return Programme.objects.filter(title=DECISION_827_TITLE).first()


def build_decision_827(province: Unit) -> Programme:
    """The Decision 827 plan, complete (the gate lets it through), owned by the province's
    Party committee with the Department of Planning and Investment as its focal agency — as it
    was written in 2020, before that department was merged away."""
    user = office_user()
    programme = do_create_programme(
        ProgrammeSpec(
            title=DECISION_827_TITLE,
            owner_unit=province,
            kind=ProgrammeKind.PLAN,
            source_decision=DECISION_827_SOURCE,
            goals=DECISION_827_GOALS,
            period_start=DECISION_827_PERIOD[0],
            period_end=DECISION_827_PERIOD[1],
            focal_agency=ag.agency(ag.PLANNING),
            coordinating_units=[
                ag.agency(ag.VINH_COMMITTEE),
                ag.agency(ag.FINANCE),
                ag.agency(ag.CONSTRUCTION),
            ],
        ),
        is_sample=True,
        as_of=DECISION_827_WRITTEN,
        acting_user=user,
    )
    Programme.objects.filter(pk=programme.pk).update(created_at=_at(DECISION_827_WRITTEN))
    _write_tree(programme, DECISION_827_TREE, user)
    return programme


def load_programmes_demo() -> list[str]:
    """What follows the meeting of 29/10/2020 (nothing on a second run)."""
    structure_exists = Unit.objects.filter(
        structure__code=STRUCTURE_2020_CODE, code=PROVINCE_CODE
    ).exists()
    if not structure_exists or not Unit.objects.filter(structure__code=ag.AGENCIES_CODE).exists():
        return []
    changes: list[str] = []
    with transaction.atomic():
        changes += _incomplete_task()
        changes += _gazetteer_programme()
        changes += _delegations()
    return changes


def _gazetteer_link(indicator_code: str, place_code: str) -> tuple[int | None, int | None]:
    """The gazetteer's indicator and place, if its demo is loaded."""
    from tinhuy.gazetteer.models import Indicator, Place

    indicator = Indicator.objects.filter(code=indicator_code).values_list("pk", flat=True).first()
    place = Place.objects.filter(code=place_code).values_list("pk", flat=True).first()
    if indicator is None or place is None:
        return None, None
    return indicator, place


def _incomplete_task() -> list[str]:
    """After the Board's conclusion the plan is revised: a task is added that has neither a
    responsible person nor a milestone yet, so the revised version cannot be submitted."""
    from tinhuy.meetings.models import DraftState

    programme = decision_827()
    if programme is None or programme.draft is None:
        return []
    if programme.draft.state != DraftState.REVISING:
        return []
    if programme.nodes.filter(title=INCOMPLETE_TASK_TITLE).exists():
        return []
    user = office_user()
    parent = programme.nodes.get(title="Chỉnh trang, phát triển đô thị (minh họa)")
    node = do_add_node(
        programme,
        NodeSpec(
            NodeKind.TASK,
            INCOMPLETE_TASK_TITLE,
            lead_unit=ag.agency(ag.PLANNING),
            coordinating_units=[ag.agency(ag.CONSTRUCTION), ag.agency(ag.VINH_COMMITTEE)],
            start_on=D(2021, 1, 1),
            due_on=D(2022, 12, 31),
            staff=3,
        ),
        parent=parent,
        is_sample=True,
        acting_user=user,
    )
    # Its result is read against the population the gazetteer publishes for Vinh.
    indicator_id, place_id = _gazetteer_link("dan-so", "412")
    do_add_indicator(
        node,
        IndicatorSpec(
            "Dân số thành phố Vinh (theo số liệu Địa chí)",
            "người",
            gazetteer_indicator_id=indicator_id,
            gazetteer_place_id=place_id,
        ),
        acting_user=user,
    )
    return [f"{programme.title}: nhiệm vụ bổ sung chưa đủ thông tin ({node.title})"]


GAZETTEER_TREE: tuple[Field, ...] = (
    Field(
        "Biên soạn",
        (
            Item(
                "Biên soạn nội dung Địa chí (minh họa)",
                (
                    Task(
                        "Hệ thống hóa các nguồn sử liệu, tư liệu (minh họa)",
                        PROPAGANDA_CODE,
                        PROPAGANDA_OFFICER,
                        D(2021, 4, 1),
                        D(2022, 6, 30),
                        (("Hoàn thành danh mục nguồn tư liệu (minh họa)", D(2021, 12, 31)),),
                        ((S.LOCAL_BUDGET, 2021, 800_000_000),),
                        coordinating=(ag.CULTURE,),
                    ),
                    Task(
                        "Biên soạn các phần, chương (minh họa)",
                        PROPAGANDA_CODE,
                        PROPAGANDA_OFFICER,
                        D(2022, 1, 1),
                        D(2025, 12, 31),
                        (
                            ("Bản thảo phần tự nhiên, lịch sử (minh họa)", D(2023, 6, 30)),
                            ("Bản thảo hoàn chỉnh (minh họa)", D(2025, 6, 30)),
                        ),
                        (
                            (S.LOCAL_BUDGET, 2022, 1_500_000_000),
                            (S.LOCAL_BUDGET, 2023, 1_500_000_000),
                        ),
                        staff=12,
                        coordinating=(ag.CULTURE,),
                    ),
                ),
                focus=True,
            ),
        ),
    ),
    Field(
        "Số hóa",
        (
            Item(
                "Số hóa để thuận tiện truy cập, tìm số liệu (minh họa)",
                (
                    Task(
                        "Số hóa nội dung, xây dựng cơ sở dữ liệu tra cứu Địa chí (minh họa)",
                        ag.INFORMATION,
                        "Đậu Văn Quang (minh họa)",
                        D(2023, 1, 1),
                        D(2026, 6, 30),
                        (
                            ("Vận hành thử trang tra cứu (minh họa)", D(2024, 12, 31)),
                            ("Số hóa toàn bộ bản thảo (minh họa)", D(2026, 6, 30)),
                        ),
                        ((S.LOCAL_BUDGET, 2023, 2_000_000_000), (S.OTHER, 2024, 300_000_000)),
                        coordinating=(ag.SCIENCE, PROPAGANDA_CODE),
                        indicator=IndicatorSpec(
                            "Số mục từ đã số hóa (minh họa)",
                            "mục từ",
                            baseline_value=Decimal(0),
                            baseline_year=2022,
                            targets={2024: Decimal(100), 2026: Decimal(300)},
                        ),
                    ),
                ),
                breakthrough=True,
            ),
        ),
    ),
    Field(
        "Cập nhật số liệu hằng năm",
        (
            Item(
                "Nghiên cứu, bổ sung, cập nhật số liệu, dữ liệu mới hằng năm (minh họa)",
                (
                    Task(
                        "Cập nhật số liệu năm 2026 (minh họa)",
                        ag.CULTURE,
                        "Thái Thị Minh Nguyệt (minh họa)",
                        D(2026, 1, 1),
                        D(2026, 12, 31),
                        (
                            ("Thu thập số liệu niên giám (minh họa)", D(2026, 6, 30)),
                            ("Công bố ấn bản cập nhật (minh họa)", D(2026, 12, 29)),
                        ),
                        ((S.LOCAL_BUDGET, 2026, 400_000_000),),
                        coordinating=(PROPAGANDA_CODE,),
                    ),
                    Task(
                        "Cập nhật số liệu năm 2027 (minh họa)",
                        ag.CULTURE,
                        "Thái Thị Minh Nguyệt (minh họa)",
                        D(2027, 1, 1),
                        D(2027, 12, 31),
                        (("Công bố ấn bản cập nhật (minh họa)", D(2027, 12, 29)),),
                        ((S.LOCAL_BUDGET, 2027, 400_000_000),),
                        coordinating=(PROPAGANDA_CODE,),
                    ),
                ),
                key=True,
            ),
        ),
    ),
)

# (task title, quarter) → (status, progress, narrative, submitted on); Q1–Q3 of 2026.
QUARTERS = (
    (D(2026, 1, 1), D(2026, 3, 31), D(2026, 4, 15)),
    (D(2026, 4, 1), D(2026, 6, 30), D(2026, 7, 15)),
    (D(2026, 7, 1), D(2026, 9, 30), D(2026, 10, 15)),
)


def _gazetteer_programme() -> list[str]:
    """The Gazetteer programme: written, heard at a sample Board meeting, issued, reported on."""
    from tinhuy.meetings.actions import (
        MemberSpec,
        do_add_item,
        do_conclude,
        do_create_meeting,
        do_issue_draft,
        do_submit_version,
    )
    from tinhuy.meetings.models import Outcome
    from tinhuy.register.models import DocType

    if Programme.objects.filter(title=GAZETTEER_TITLE).exists():
        return []
    user = office_user()
    province = Unit.objects.get(structure__code=STRUCTURE_2020_CODE, code=PROVINCE_CODE)
    propaganda = Unit.objects.filter(
        structure__code=STRUCTURE_2020_CODE, code=PROPAGANDA_CODE
    ).first()
    if propaganda is None or not propaganda.people.filter(full_name=PROPAGANDA_OFFICER).exists():
        return []  # the meetings demo makes the advisory body and its officer
    # The focal agency: the Ban Tuyên giáo, the Party advisory body for propaganda that submitted
    # the project to the Board (tinhuy.meetings.demo) — a body of the 2020 structure that exists
    # in the demo, where the tuyengiao persona works. The Sở Văn hóa và Thể thao, a state body,
    # co-ordinates (and leads the yearly updates); it was itself reorganised in 2025.
    programme = do_create_programme(
        ProgrammeSpec(
            title=GAZETTEER_TITLE,
            owner_unit=province,
            kind=ProgrammeKind.PROGRAMME,
            source_decision=GAZETTEER_SOURCE,
            goals=GAZETTEER_GOALS,
            period_start=GAZETTEER_PERIOD[0],
            period_end=GAZETTEER_PERIOD[1],
            focal_agency=propaganda,
            coordinating_units=[
                ag.agency(ag.CULTURE),
                ag.agency(ag.INFORMATION),
                ag.agency(ag.SCIENCE),
            ],
        ),
        is_sample=True,
        acting_user=user,
    )
    tasks = {t.title: t for t in _write_tree(programme, GAZETTEER_TREE, user, propaganda)}
    update_2026 = tasks["Cập nhật số liệu năm 2026 (minh họa)"]
    # The population of the province as the gazetteer publishes it (the 2019 census figure).
    indicator_id, place_id = _gazetteer_link("dan-so", PROVINCE_CODE)
    do_add_indicator(
        update_2026,
        IndicatorSpec(
            "Dân số tỉnh Nghệ An (theo số liệu Địa chí)",
            "người",
            baseline_value=Decimal(3_327_791) if indicator_id else None,
            baseline_year=2019 if indicator_id else None,
            gazetteer_indicator_id=indicator_id,
            gazetteer_place_id=place_id,
        ),
        acting_user=user,
    )

    draft = do_create_programme_draft(
        programme,
        submitting_unit=propaganda,
        issuing_unit=province,
        doc_type=DocType.CTR,
        is_sample=True,
        acting_user=user,
    )
    do_submit_version(
        draft,
        note="Ban Tuyên giáo Tỉnh ủy trình lộ trình thực hiện Đề án (minh họa).",
        at=_at(GAZETTEER_SUBMITTED),
        acting_user=NOBODY,
    )
    board = list(province.people.filter(is_sample=True, full_name__endswith="(minh họa)"))
    meeting = do_create_meeting(
        body=province,
        date=GAZETTEER_MEETING,
        title=f"Phiên họp Ban Thường vụ Tỉnh ủy ngày {GAZETTEER_MEETING:%d/%m/%Y} (minh họa)",
        presiding=board[0] if board else None,
        members=[MemberSpec(person) for person in board],
        is_sample=True,
        acting_user=NOBODY,
    )
    item = do_add_item(meeting, draft, acting_user=NOBODY)
    do_conclude(
        item,
        conclusion="Ban Thường vụ Tỉnh ủy thống nhất thông qua lộ trình thực hiện Đề án (kết "
        "luận minh họa).",
        outcome=Outcome.APPROVED,
        at=_at(GAZETTEER_MEETING, 11),
        is_sample=True,
        acting_user=NOBODY,
    )
    entry = do_issue_draft(
        draft, issued_on=GAZETTEER_ISSUED, signer_name=SIGNER, acting_user=NOBODY
    )
    _date_the_gazetteer(programme, draft.pk, meeting.pk, entry.pk)
    _gazetteer_progress(programme, tasks, user)
    return [f"{programme.title}: ban hành số {entry.symbol}, {len(QUARTERS)} kỳ báo cáo"]


def _date_the_gazetteer(
    programme: Programme, draft_id: int, meeting_id: int, entry_id: int
) -> None:
    """The moments the actions stamped at the load, put where the 2021 story has them."""
    from tinhuy.meetings.models import Draft, FollowUp, Meeting
    from tinhuy.register.models import RegisterEntry

    Programme.objects.filter(pk=programme.pk).update(created_at=_at(GAZETTEER_WRITTEN))
    Draft.objects.filter(pk=draft_id).update(created_at=_at(GAZETTEER_SUBMITTED - ONE_DAY * 5))
    Meeting.objects.filter(pk=meeting_id).update(created_at=_at(GAZETTEER_SUBMITTED, 15))
    FollowUp.objects.filter(item__meeting_id=meeting_id).update(created_at=_at(GAZETTEER_MEETING))
    RegisterEntry.objects.filter(pk=entry_id).update(created_at=_at(GAZETTEER_ISSUED, 10))
    Baseline.objects.filter(programme=programme).update(taken_at=_at(GAZETTEER_ISSUED, 10))


def _gazetteer_progress(programme: Programme, tasks: dict[str, Node], user: User) -> None:
    """Milestones reached, and three quarterly cycles of 2026: the first two closed, the third
    still open; one report sent after its deadline."""
    sources = tasks["Hệ thống hóa các nguồn sử liệu, tư liệu (minh họa)"]
    writing = tasks["Biên soạn các phần, chương (minh họa)"]
    digital = tasks["Số hóa nội dung, xây dựng cơ sở dữ liệu tra cứu Địa chí (minh họa)"]
    update = tasks["Cập nhật số liệu năm 2026 (minh họa)"]
    done_on = {
        "Hoàn thành danh mục nguồn tư liệu (minh họa)": D(2021, 12, 20),
        "Bản thảo phần tự nhiên, lịch sử (minh họa)": D(2023, 7, 10),
        "Bản thảo hoàn chỉnh (minh họa)": D(2025, 9, 15),
        "Vận hành thử trang tra cứu (minh họa)": D(2025, 2, 28),
        "Thu thập số liệu niên giám (minh họa)": D(2026, 7, 5),
    }
    for node in (sources, writing, digital, update):
        for milestone in node.milestones.all():
            if milestone.title in done_on:
                do_mark_milestone_done(
                    milestone, done_on=done_on[milestone.title], acting_user=user
                )
    digitised = digital.indicators.get()
    # (task, status, progress, narrative, indicator values) per quarter; a late one says when.
    plan: list[list[tuple[Node, str, int, str, dict[int, Decimal], datetime.date | None]]] = [
        [
            (sources, NodeStatus.DONE, 100, "Đã hoàn thành từ năm 2022 (minh họa).", {}, None),
            (writing, NodeStatus.DONE, 100, "Bản thảo đã nghiệm thu (minh họa).", {}, None),
            (
                digital,
                NodeStatus.ON_TRACK,
                60,
                "Đã số hóa 180 mục từ (minh họa).",
                {digitised.pk: Decimal(180)},
                None,
            ),
            (
                update,
                NodeStatus.ON_TRACK,
                15,
                "Đã đề nghị cung cấp số liệu (minh họa).",
                {},
                None,
            ),
        ],
        [
            (
                digital,
                NodeStatus.BEHIND,
                70,
                "Chậm do chờ bổ sung kinh phí (minh họa).",
                {digitised.pk: Decimal(210)},
                D(2026, 7, 28),  # sent after the 15/07 deadline
            ),
            (
                update,
                NodeStatus.ON_TRACK,
                45,
                "Đã có số liệu niên giám (minh họa).",
                {},
                None,
            ),
        ],
        [
            (
                digital,
                NodeStatus.BEHIND,
                80,
                "Còn 60 mục từ chưa số hóa (minh họa).",
                {digitised.pk: Decimal(240)},
                None,
            ),
            (update, NodeStatus.ON_TRACK, 70, "Đang biên tập số liệu mới (minh họa).", {}, None),
        ],
    ]
    for (start, end, due), reports in zip(QUARTERS, plan, strict=True):
        cycle = do_open_cycle(
            programme,
            frequency=Frequency.QUARTERLY,
            period_start=start,
            period_end=end,
            due_on=due,
            acting_user=user,
        )
        for node, status, progress, narrative, values, sent_on in reports:
            do_report(
                node,
                cycle,
                ReportSpec(status, progress, narrative, indicator_values=values),
                at=_at(sent_on or due - datetime.timedelta(days=3)),
                acting_user=user,
            )
        if end < QUARTERS[-1][1]:
            do_close_cycle(cycle, acting_user=user)
            ReportingCycle.objects.filter(pk=cycle.pk).update(
                closed_at=_at(due + CLOSED_AFTER_DUE, 16)
            )


def _delegations() -> list[str]:
    """R5: a special mechanism TP Vinh proposes and a delegation the province studies."""
    programme = decision_827()
    committee = ag.agency(ag.PROVINCE_COMMITTEE)
    vinh = ag.agency(ag.VINH_COMMITTEE)
    user = office_user()
    changes = []
    for kind, title, state, scope in (
        (
            DelegationKind.MECHANISM,
            MECHANISM_TITLE,
            DelegationState.PROPOSED,
            "Thành phố Vinh chủ động đề xuất theo kết luận của Ban Thường vụ Tỉnh ủy ngày "
            "29/10/2020; nội dung cụ thể là dữ liệu minh họa.",
        ),
        (
            DelegationKind.DELEGATION,
            DELEGATION_TITLE,
            DelegationState.STUDYING,
            "Tỉnh nghiên cứu theo kết luận của Ban Thường vụ Tỉnh ủy ngày 29/10/2020; phạm vi "
            "cụ thể là dữ liệu minh họa.",
        ),
    ):
        if Delegation.objects.filter(title=title).exists():
            continue
        do_create_delegation(
            DelegationSpec(
                kind=kind,
                title=title,
                from_unit=committee,
                to_unit=vinh,
                scope=scope,
                state=state,
                programme=programme,
            ),
            is_sample=True,
            acting_user=user,
        )
        changes.append(f"phân cấp, cơ chế (minh họa): {title}")
    return changes
