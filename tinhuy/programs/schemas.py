"""API shapes of programmes: programmes and their tree with the roll-up, the completeness gate,
plan versus baseline, nodes with their roadmap and money, reporting cycles and reports,
hand-overs and delegations.

Outputs are read from what ``tinhuy.programs.access`` and ``tinhuy.programs.queries`` return;
nothing here decides who sees what. Money is a string of digits (whole đồng, exact: never a
float), in and out. Inputs bound every number, date and string, so bad input is a 422 and never
reaches the database; what only the data can tell (a due date before the start, a negative sum)
is refused by the action, in Vietnamese.
"""

import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field, StringConstraints

from tinhuy.apikit import Payload
from tinhuy.meetings.schemas import MAX_DATE, MIN_DATE, Day, Id, Line255, NoNul, Title
from tinhuy.org.schemas import PersonOut, UnitRef
from tinhuy.programs.models import (
    DelegationKind,
    DelegationState,
    FundingSource,
    NodeKind,
    NodeStatus,
    ProgrammeKind,
    ProgrammeState,
)

Text = Annotated[str, StringConstraints(max_length=20_000), NoNul]
Line500 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), NoNul]
Code = Annotated[str, StringConstraints(strip_whitespace=True, max_length=32), NoNul]
# A sum of money as typed: the endpoint reads it with ``actions.parse_money`` (whole đồng, not
# negative) and takes digits only, so the refusal is the action's Vietnamese sentence.
Money = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
    NoNul,
    Field(description='Số tiền bằng đồng, chỉ gồm chữ số (ví dụ "2500000000")'),
]
Year = Annotated[int, Field(ge=MIN_DATE.year, le=MAX_DATE.year)]
Weight = Annotated[Decimal, Field(gt=0, max_digits=7, decimal_places=2)]
Measure = Annotated[Decimal, Field(max_digits=20, decimal_places=4)]
MAX_STAFF = 1_000_000
# Why an approved plan is adjusted: required once the programme is approved or running (the
# action refuses an empty one in Vietnamese), ignored while it is a draft; its length is the
# action's (``actions.MAX_REASON``).
Reason = Annotated[
    str,
    StringConstraints(max_length=1000),
    NoNul,
    Field(
        description=(
            "Lý do điều chỉnh: bắt buộc khi chương trình đã phê duyệt hoặc đang thực hiện "
            "(được ghi vào nhật ký); không cần khi đang xây dựng"
        )
    ),
]

# Enums of the choices the API takes, named apart from other apps' (one OpenAPI namespace).
ProgrammeKindIn = StrEnum(  # type: ignore[misc]
    "ProgrammeKindIn", {m.name: m.value for m in ProgrammeKind}
)
ProgrammeStateIn = StrEnum(  # type: ignore[misc]
    "ProgrammeStateIn", {m.name: m.value for m in ProgrammeState}
)
NodeKindIn = StrEnum("NodeKindIn", {m.name: m.value for m in NodeKind})  # type: ignore[misc]
NodeStatusIn = StrEnum("NodeStatusIn", {m.name: m.value for m in NodeStatus})  # type: ignore[misc]
FundingSourceIn = StrEnum(  # type: ignore[misc]
    "FundingSourceIn", {m.name: m.value for m in FundingSource}
)
DelegationKindIn = StrEnum(  # type: ignore[misc]
    "DelegationKindIn", {m.name: m.value for m in DelegationKind}
)
DelegationStateIn = StrEnum(  # type: ignore[misc]
    "DelegationStateIn", {m.name: m.value for m in DelegationState}
)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(Decimal(1)))


# Programmes


class ProgrammeOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    source_decision: str
    state: str
    state_label: str
    owner_unit: UnitRef
    focal_agency: UnitRef | None
    period_start: datetime.date | None
    period_end: datetime.date | None
    progress: float = Field(description="Tiến độ chung (%), bình quân gia quyền từ các lĩnh vực")
    budget_total: str = Field(description="Tổng kinh phí (đồng)")
    is_sample: bool

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_state_label(obj: Any) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_progress(obj: Any) -> float:
        return float(obj.rollup.progress)

    @staticmethod
    def resolve_budget_total(obj: Any) -> str:
        return _money(obj.rollup.budget) or "0"


class MoneyBySourceOut(Schema):
    source: str
    source_label: str
    amount: str = Field(description="Đồng")


class ProgrammeDetailOut(ProgrammeOut):
    goals: str
    coordinating_units: list[UnitRef]
    draft_id: int | None
    budget_by_source: list[MoneyBySourceOut]

    @staticmethod
    def resolve_coordinating_units(obj: Any) -> list[Any]:
        return list(obj.coordinating_units.all())

    @staticmethod
    def resolve_budget_by_source(obj: Any) -> list[dict[str, str]]:
        return [
            {"source": s, "source_label": str(FundingSource(s).label), "amount": _money(a) or "0"}
            for s, a in obj.by_source.items()
        ]


class ProgrammeFilters(Schema):
    state: ProgrammeStateIn | None = None  # type: ignore[valid-type]


class ProgrammeIn(Payload):
    kind: ProgrammeKindIn = ProgrammeKindIn.PROGRAMME  # type: ignore[valid-type,attr-defined]
    title: Title
    source_decision: Line500 = ""
    goals: Text = ""
    period_start: Day | None = None
    period_end: Day | None = None
    owner_unit_id: Id = Field(description="Đơn vị chủ trì (đơn vị người dùng được thay đổi)")
    focal_agency_id: Id | None = Field(None, description="Cơ quan đầu mối")
    coordinating_unit_ids: list[Id] = Field(default_factory=list, max_length=200)


# The tree


class TreeNodeOut(Schema):
    id: int
    parent_id: int | None
    depth: int
    kind: str
    code: str
    title: str
    is_focus: bool
    is_key: bool
    is_breakthrough: bool
    lead_unit: str = Field(description="Tên đơn vị chủ trì")
    responsible: str = Field(description="Họ tên người phụ trách")
    start_on: datetime.date | None
    due_on: datetime.date | None
    weight: str
    status: str
    progress: int = Field(description="Tiến độ theo báo cáo gần nhất (%)")
    rolled: float = Field(description="Tiến độ tổng hợp từ các mục con, có trọng số (%)")
    budget: str = Field(description="Kinh phí của mục và các mục con (đồng)")

    @staticmethod
    def resolve_weight(obj: Any) -> str:
        return str(obj.weight)

    @staticmethod
    def resolve_rolled(obj: Any) -> float:
        return float(obj.rolled)

    @staticmethod
    def resolve_budget(obj: Any) -> str:
        return _money(obj.budget) or "0"


class TreeOut(Schema):
    programme_id: int
    progress: float
    budget: str
    whole: bool = Field(description="false: chỉ các nhánh do đơn vị của người dùng chủ trì")
    nodes: list[TreeNodeOut] = Field(description="Theo thứ tự cây, cha trước con")


class MissingOut(Schema):
    node_id: int | None = Field(description="Mục còn thiếu; null là của cả chương trình")
    what: str = Field(
        description="focal_agency, tasks, milestone, due_on, resources hoặc responsible"
    )
    message: str


class GateOut(Schema):
    programme_id: int
    complete: bool
    missing: list[MissingOut]


class VarianceOut(Schema):
    node_id: int
    title: str
    planned_start: datetime.date | None
    planned_due: datetime.date | None
    start_on: datetime.date | None
    due_on: datetime.date | None
    slip_days: int | None = Field(description="Số ngày hạn hiện nay chậm hơn kế hoạch gốc")
    planned_budget: str
    budget: str
    spent: str | None
    done_on: datetime.date | None = Field(
        description="Ngày hoàn thành thực tế: ngày của báo cáo đầu tiên ghi đã hoàn thành"
    )

    @staticmethod
    def resolve_planned_budget(obj: Any) -> str:
        return _money(obj.planned_budget) or "0"

    @staticmethod
    def resolve_budget(obj: Any) -> str:
        return _money(obj.budget) or "0"

    @staticmethod
    def resolve_spent(obj: Any) -> str | None:
        return _money(obj.spent)


class PlanVsActualOut(Schema):
    programme_id: int
    baseline_taken_at: datetime.datetime | None = Field(description="null: chưa phê duyệt")
    rows: list[VarianceOut]


# Nodes


class MilestoneOut(Schema):
    id: int
    title: str
    due_on: datetime.date
    done_on: datetime.date | None


class BudgetLineOut(Schema):
    id: int
    source: str
    source_label: str
    year: int | None
    amount: str = Field(description="Đồng")
    note: str

    @staticmethod
    def resolve_source_label(obj: Any) -> str:
        return str(obj.get_source_display())

    @staticmethod
    def resolve_amount(obj: Any) -> str:
        return _money(obj.amount) or "0"


class TargetOut(Schema):
    year: int
    value: str

    @staticmethod
    def resolve_value(obj: Any) -> str:
        return str(obj.value)


class ProgrammeIndicatorOut(Schema):
    id: int
    name: str
    unit_of_measure: str
    baseline_value: str | None
    baseline_year: int | None
    targets: list[TargetOut]

    @staticmethod
    def resolve_baseline_value(obj: Any) -> str | None:
        return None if obj.baseline_value is None else str(obj.baseline_value)

    @staticmethod
    def resolve_targets(obj: Any) -> list[Any]:
        return list(obj.targets.all())


class NodeHandOverOut(Schema):
    hand_over_id: int
    role: str
    from_unit: UnitRef = Field(description="Đơn vị trước khi bàn giao")
    effective_on: datetime.date

    @staticmethod
    def resolve_from_unit(obj: Any) -> Any:
        return obj.hand_over.from_unit

    @staticmethod
    def resolve_effective_on(obj: Any) -> datetime.date:
        return obj.hand_over.effective_on  # type: ignore[no-any-return]


class NodeOut(Schema):
    id: int
    programme_id: int
    parent_id: int | None
    depth: int
    kind: str
    code: str
    title: str
    description: str
    is_focus: bool
    is_key: bool
    is_breakthrough: bool
    lead_unit: UnitRef | None
    coordinating_units: list[UnitRef]
    responsible: PersonOut | None
    start_on: datetime.date | None
    due_on: datetime.date | None
    staff: int | None
    weight: str
    status: str
    progress: int
    milestones: list[MilestoneOut]
    budget_lines: list[BudgetLineOut]
    indicators: list[ProgrammeIndicatorOut]
    hand_overs: list[NodeHandOverOut]

    @staticmethod
    def resolve_weight(obj: Any) -> str:
        return str(obj.weight)

    @staticmethod
    def resolve_coordinating_units(obj: Any) -> list[Any]:
        return list(obj.coordinating_units.all())

    @staticmethod
    def resolve_milestones(obj: Any) -> list[Any]:
        return list(obj.milestones.all())

    @staticmethod
    def resolve_budget_lines(obj: Any) -> list[Any]:
        return list(obj.budget_lines.all())

    @staticmethod
    def resolve_indicators(obj: Any) -> list[Any]:
        return list(obj.indicators.all())

    @staticmethod
    def resolve_hand_overs(obj: Any) -> list[Any]:
        return list(obj.hand_overs.all())


class NodeIn(Payload):
    parent_id: Id | None = Field(None, description="Mục cha; để trống với lĩnh vực")
    kind: NodeKindIn  # type: ignore[valid-type]
    title: Title
    code: Code = ""
    description: Text = ""
    is_focus: bool = False
    is_key: bool = False
    is_breakthrough: bool = False
    lead_unit_id: Id | None = None
    coordinating_unit_ids: list[Id] = Field(default_factory=list, max_length=200)
    responsible_id: Id | None = Field(None, description="Người phụ trách")
    start_on: Day | None = None
    due_on: Day | None = None
    staff: int | None = Field(None, ge=0, le=MAX_STAFF, description="Nhân lực (người)")
    weight: Weight = Decimal(1)


class NodePatch(Schema):
    """Only the fields sent change; null clears an optional one. Once the programme is approved
    or running, an adjustment: ``reason`` is required, the kind stays."""

    kind: NodeKindIn | None = None  # type: ignore[valid-type]
    title: Title | None = None
    code: Code | None = None
    description: Text | None = None
    is_focus: bool | None = None
    is_key: bool | None = None
    is_breakthrough: bool | None = None
    lead_unit_id: Id | None = None
    coordinating_unit_ids: list[Id] | None = Field(None, max_length=200)
    responsible_id: Id | None = None
    start_on: Day | None = None
    due_on: Day | None = None
    staff: int | None = Field(None, ge=0, le=MAX_STAFF)
    weight: Weight | None = None
    reason: Reason = ""


class MilestoneIn(Payload):
    title: Title
    due_on: Day
    reason: Reason = ""


class BudgetLineIn(Payload):
    source: FundingSourceIn  # type: ignore[valid-type]
    amount: Money
    year: Year | None = None
    note: Line255 = ""
    reason: Reason = ""


# Cycles and reports


class CycleOut(Schema):
    id: int
    programme_id: int
    frequency: str
    period_start: datetime.date
    period_end: datetime.date
    due_on: datetime.date
    is_closed: bool
    closed_at: datetime.datetime | None
    report_count: int

    @staticmethod
    def resolve_report_count(obj: Any) -> int:
        return getattr(obj, "report_count", 0)


class IndicatorValueIn(Payload):
    indicator_id: Id
    value: Measure


class IndicatorValueOut(Schema):
    indicator_id: int
    value: str

    @staticmethod
    def resolve_value(obj: Any) -> str:
        return str(obj.value)


class ProgressReportIn(Payload):
    status: NodeStatusIn  # type: ignore[valid-type]
    progress: int | None = Field(None, ge=0, le=100, description="Để trống: theo tình trạng")
    narrative: Text = ""
    spent: Money | None = Field(None, description="Kinh phí đã giải ngân lũy kế (đồng)")
    indicator_values: list[IndicatorValueIn] = Field(default_factory=list, max_length=100)


class ProgressReportOut(Schema):
    id: int
    cycle_id: int
    node_id: int
    period_start: datetime.date
    period_end: datetime.date
    unit: UnitRef = Field(description="Đơn vị báo cáo (đơn vị chủ trì khi đó)")
    status: str
    status_label: str
    progress: int
    narrative: str
    spent: str | None
    submitted_at: datetime.datetime
    is_late: bool
    values: list[IndicatorValueOut]

    @staticmethod
    def resolve_period_start(obj: Any) -> datetime.date:
        return obj.cycle.period_start  # type: ignore[no-any-return]

    @staticmethod
    def resolve_period_end(obj: Any) -> datetime.date:
        return obj.cycle.period_end  # type: ignore[no-any-return]

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_spent(obj: Any) -> str | None:
        return _money(obj.spent)

    @staticmethod
    def resolve_values(obj: Any) -> list[Any]:
        return list(obj.values.all())


# Hand-overs


class MovedOut(Schema):
    lead: list[int] = Field(description="Nhiệm vụ chuyển đơn vị chủ trì")
    coordinating: list[int] = Field(description="Mục chuyển vai trò phối hợp")
    focal: list[int] = Field(description="Chương trình chuyển cơ quan đầu mối")


class HandOverOut(Schema):
    id: int
    from_unit: UnitRef
    to_unit: UnitRef
    effective_on: datetime.date
    reason: str
    moved: MovedOut
    done_at: datetime.datetime

    @staticmethod
    def resolve_moved(obj: Any) -> dict[str, list[int]]:
        moved = obj.moved or {}
        return {key: list(moved.get(key, [])) for key in ("lead", "coordinating", "focal")}


class HandOverIn(Payload):
    from_unit_id: Id = Field(description="Đơn vị đã thôi hoạt động (hoặc có đơn vị kế thừa)")
    to_unit_id: Id = Field(description="Đơn vị kế thừa")
    effective_on: Day
    reason: Line500


# Delegations


class ProgrammeRef(Schema):
    id: int
    title: str


class DelegationOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    scope: str
    from_unit: UnitRef
    to_unit: UnitRef
    legal_basis: str
    effective_on: datetime.date | None
    state: str
    state_label: str
    programme: ProgrammeRef | None = Field(
        description="Chương trình được phục vụ (null nếu không có hoặc người dùng không xem được)"
    )
    is_sample: bool

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_state_label(obj: Any) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_programme(obj: Any) -> Any:
        return obj.programme if getattr(obj, "programme_visible", False) else None


class DelegationFilters(Schema):
    state: DelegationStateIn | None = None  # type: ignore[valid-type]
    unit_id: Id | None = Field(None, description="Đơn vị phân cấp hoặc được phân cấp")


class DelegationIn(Payload):
    kind: DelegationKindIn  # type: ignore[valid-type]
    title: Title
    scope: Text = ""
    from_unit_id: Id = Field(description="Cấp phân cấp (ví dụ Tỉnh ủy, UBND tỉnh)")
    to_unit_id: Id = Field(description="Đơn vị được phân cấp, đề xuất")
    legal_basis: Line500 = ""
    effective_on: Day | None = None
    state: DelegationStateIn = DelegationStateIn.PROPOSED  # type: ignore[valid-type,attr-defined]
    programme_id: Id | None = None


class DelegationPatch(Schema):
    state: DelegationStateIn  # type: ignore[valid-type]
    effective_on: Day | None = None
    legal_basis: Line500 = ""
