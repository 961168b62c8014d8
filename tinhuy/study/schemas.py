"""API shapes of study campaigns.

Outputs are read from the objects ``tinhuy.study.queries`` and ``tinhuy.study.access`` return
(plans, ``PlanProgress`` rows, conferences); nothing here computes a figure. Inputs bound every
number, date and string, so that bad input is a 422 and never reaches the database.
"""

import datetime
import re
from enum import StrEnum
from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, WithJsonSchema

from tinhuy.apikit import MAX_ID, Payload
from tinhuy.org.schemas import UnitRef
from tinhuy.study.compliance import (
    STATUS_LABELS,
    ExpectedSource,
    LevelTotals,
    Status,
    UnitProgress,
)
from tinhuy.study.models import ConferenceMode, ContentKind, PresenterRole

# Dates the API accepts: wide enough for any campaign, narrow enough that "the day after" never
# overflows (``queries.end_of_day`` adds a day; 9999-12-31 would raise OverflowError).
MIN_DATE = datetime.date(2000, 1, 1)
MAX_DATE = datetime.date(2100, 12, 31)
# Head counts: well inside a 32-bit PositiveIntegerField on every database.
MAX_COUNT = 1_000_000

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Day = Annotated[datetime.date, Field(ge=MIN_DATE, le=MAX_DATE)]


# A time on the local clock (Vietnam's), to the minute as the registration form and the imports
# take it: "07:30" (answered "07:30:00"). Not OpenAPI's ``format: time``, which is RFC 3339's
# full time with its offset: an offset would be dropped by PostgreSQL and refused by SQLite,
# seconds and their fractions kept and then lost on the form.
CLOCK_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:00)?$"
_CLOCK = re.compile(CLOCK_PATTERN)


def _on_the_clock(value: object) -> object:
    if isinstance(value, datetime.time) and value.tzinfo is None:
        return value.replace(second=0, microsecond=0)  # read from the database, for an answer
    if not isinstance(value, str) or not _CLOCK.fullmatch(value):
        raise ValueError("Giờ bắt đầu là giờ địa phương, dạng HH:MM, không kèm múi giờ.")
    return value


LocalTime = Annotated[
    datetime.time,
    BeforeValidator(_on_the_clock),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": CLOCK_PATTERN,
            "description": "Giờ địa phương đến phút, HH:MM (hoặc HH:MM:00), không kèm múi giờ",
            "example": "07:30",
        }
    ),
]


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it here rather than fail in the driver.
    if "\x00" in value:
        raise ValueError("Không được chứa ký tự NUL.")
    return value


# Strings bounded like the model fields they are stored in.
NoNul = AfterValidator(_no_nul)
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=150), NoNul]
Line150 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=150), NoNul]
Line255 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=255), NoNul]
Notes = Annotated[str, StringConstraints(max_length=100_000), NoNul]


class StatusFilter(StrEnum):
    """The unit table's status filter: a ``compliance.Status`` or ``non_compliant``."""

    NOT_SCHEDULED = Status.NOT_SCHEDULED.value
    SCHEDULED = Status.SCHEDULED.value
    HELD_ON_TIME = Status.HELD_ON_TIME.value
    HELD_LATE = Status.HELD_LATE.value
    MISSING = Status.MISSING.value
    NON_COMPLIANT = "non_compliant"


# Plans


class PlanOut(Schema):
    id: int
    title: str
    source_document: str
    number: str
    issued_on: datetime.date | None
    state: str
    structure_id: int
    structure_name: str
    is_sample: bool

    @staticmethod
    def resolve_structure_name(obj: object) -> str:
        return obj.structure.name  # type: ignore[attr-defined]


class TopicOut(Schema):
    order: int
    title: str


class LevelRuleOut(Schema):
    level_id: int
    level_name: str
    audience: str
    length_sessions: int = Field(description="Thời lượng theo buổi (một ngày là hai buổi)")
    window_start: datetime.date
    deadline: datetime.date
    online_allowed: bool
    participant_levels: list[str] = Field(
        description="Tên các cấp dự hội nghị của cấp này (tại hội trường hoặc điểm cầu)"
    )
    presenter_rule: bool

    @staticmethod
    def resolve_level_name(obj: object) -> str:
        return obj.level.name  # type: ignore[attr-defined]

    @staticmethod
    def resolve_participant_levels(obj: object) -> list[str]:
        return [level.name for level in obj.participant_levels.all()]  # type: ignore[attr-defined]


class PlanDetailOut(PlanOut):
    """A plan with its topics and, in level order, the rule of every level it covers."""

    topics: list[TopicOut]
    levels: list[LevelRuleOut]

    @staticmethod
    def resolve_topics(obj: object) -> list:
        return list(obj.topics.all())  # type: ignore[attr-defined]

    @staticmethod
    def resolve_levels(obj: object) -> list:
        return list(obj.rules.all())  # type: ignore[attr-defined]


# Progress


class ProgressFilters(Schema):
    as_of: Day | None = Field(
        None,
        description="Tính theo những gì đã biết đến hết ngày này (YYYY-MM-DD); mặc định hôm nay",
    )
    unit: Id | None = Field(
        None, description="Đơn vị gốc của cây đơn vị được tính; mặc định theo phạm vi người dùng"
    )


class PlanUnitFilters(ProgressFilters):
    status: StatusFilter | None = Field(None, description="Lọc theo trạng thái")
    level: Id | None = Field(None, description="Mã số (id) cấp của quy định (level_id)")


class LevelProgressOut(Schema):
    """Totals of one level of the plan over the unit's subtree (``compliance.LevelTotals``)."""

    level_id: int
    level_name: str
    deadline: datetime.date
    expected_units: int = Field(description="Số đơn vị phải tổ chức hoặc dự hội nghị cấp này")
    not_scheduled: int
    scheduled: int
    held_on_time: int
    held_late: int
    missing: int
    reported: int
    non_compliant: int
    expected_people: int
    attended_people: int = Field(description="Số người dự cộng số người học bù")
    coverage: float | None = Field(description="(dự + học bù) / phải dự; null khi không ai phải dự")
    unknown_people_units: int = Field(
        description=(
            "Số đơn vị đã đến hạn (đã tổ chức hoặc quá hạn) nhưng chưa rõ số người phải học "
            "(chưa báo cáo; ở cấp thấp nhất, cũng chưa nạp danh sách đảng viên và chưa ghi số "
            "đảng viên): không tính vào expected_people và coverage"
        )
    )

    @classmethod
    def from_totals(
        cls, level_name: str, deadline: datetime.date, totals: LevelTotals
    ) -> "LevelProgressOut":
        by_status = totals.by_status
        return cls(
            level_id=totals.level_id,
            level_name=level_name,
            deadline=deadline,
            expected_units=totals.units,
            not_scheduled=by_status[Status.NOT_SCHEDULED],
            scheduled=by_status[Status.SCHEDULED],
            held_on_time=by_status[Status.HELD_ON_TIME],
            held_late=by_status[Status.HELD_LATE],
            missing=by_status[Status.MISSING],
            reported=totals.reported,
            non_compliant=totals.non_compliant,
            expected_people=totals.people.expected,
            attended_people=totals.people.attended + totals.people.made_up,
            coverage=totals.people.coverage,
            unknown_people_units=totals.unknown,
        )


class ProgressOut(Schema):
    plan_id: int
    as_of: datetime.date
    unit: UnitRef
    levels: list[LevelProgressOut]


class PeopleOut(Schema):
    expected: int
    attended: int
    made_up: int


class UnitRowOut(Schema):
    """One row of the unit table (``queries.UnitRow``): a unit's standing on one level.

    ``level_name`` is the unit's own level; ``rule_level_id``/``rule_level_name`` the level whose
    conference it hosts (role ``host``) or attends as a bridge point (role ``participant``).
    """

    id: int
    name: str
    code: str
    level_name: str
    rule_level_id: int
    rule_level_name: str
    role: str
    status: str
    status_label: str
    deadline: datetime.date
    conference_id: int | None
    held_on: datetime.date | None
    reported: bool
    people: PeopleOut
    expected_source: ExpectedSource = Field(
        description=(
            "Nguồn của people.expected: not_due (chưa đến hạn, chưa tính), report (báo cáo), "
            "bridge (đăng ký điểm cầu), members (danh sách đảng viên đã nạp), headcount / "
            "sample_headcount (số đảng viên ghi trên đơn vị; sample_headcount là số liệu minh "
            "họa) — hai nguồn này chỉ dùng ở cấp thấp nhất của kế hoạch, đối tượng là toàn "
            "thể đảng viên —, unknown (đã đến hạn nhưng chưa rõ số phải học)"
        )
    )
    coverage: float | None
    problems: list[str] = Field(description="Những điểm khiến đơn vị chưa đạt yêu cầu")
    notes: list[str] = Field(
        description=(
            "Sai sót của những hội nghị không quyết định kết quả của đơn vị (ví dụ một hội nghị "
            "sau, khi đơn vị đã có hội nghị đạt yêu cầu đúng hạn)"
        )
    )

    @staticmethod
    def resolve_id(obj: object) -> int:
        return obj.unit_id  # type: ignore[attr-defined]

    @staticmethod
    def _progress(obj: object) -> UnitProgress:
        return obj.progress  # type: ignore[attr-defined,no-any-return]

    @staticmethod
    def resolve_rule_level_id(obj: object) -> int:
        return UnitRowOut._progress(obj).level_id

    @staticmethod
    def resolve_role(obj: object) -> str:
        return UnitRowOut._progress(obj).role

    @staticmethod
    def resolve_status(obj: object) -> str:
        return UnitRowOut._progress(obj).status.value

    @staticmethod
    def resolve_status_label(obj: object) -> str:
        return STATUS_LABELS[UnitRowOut._progress(obj).status]

    @staticmethod
    def resolve_conference_id(obj: object) -> int | None:
        return UnitRowOut._progress(obj).conference_id

    @staticmethod
    def resolve_held_on(obj: object) -> datetime.date | None:
        return UnitRowOut._progress(obj).held_on

    @staticmethod
    def resolve_reported(obj: object) -> bool:
        return UnitRowOut._progress(obj).reported

    @staticmethod
    def resolve_people(obj: object) -> object:
        return UnitRowOut._progress(obj).people

    @staticmethod
    def resolve_coverage(obj: object) -> float | None:
        return UnitRowOut._progress(obj).people.coverage

    @staticmethod
    def resolve_problems(obj: object) -> list[str]:
        return UnitRowOut._progress(obj).problems

    @staticmethod
    def resolve_expected_source(obj: object) -> ExpectedSource:
        return UnitRowOut._progress(obj).expected_source

    @staticmethod
    def resolve_notes(obj: object) -> list[str]:
        return UnitRowOut._progress(obj).notes


# Conferences


class SegmentOut(Schema):
    order: int
    topic_order: int | None
    topic_title: str | None
    content_kind: str
    presenter_name: str
    presenter_role: str
    presenter_position: str
    presenter_unit: UnitRef

    @staticmethod
    def resolve_topic_order(obj: object) -> int | None:
        topic = obj.topic  # type: ignore[attr-defined]
        return topic.order if topic else None

    @staticmethod
    def resolve_topic_title(obj: object) -> str | None:
        topic = obj.topic  # type: ignore[attr-defined]
        return topic.title if topic else None


class BridgePointOut(Schema):
    unit: UnitRef
    venue: str
    host_person: str
    expected_count: int
    attended_count: int | None


class ReportOut(Schema):
    version: int
    reported_at: datetime.datetime
    expected_count: int
    attended_count: int
    made_up_count: int
    reflections_count: int
    absence_notes: str
    minutes: str


class RuleProblemOut(Schema):
    """A way a registration breaks its level's rule (``actions.RuleProblem``)."""

    rule: str = Field(description="window, length, mode, presenter hoặc topics")
    message: str = Field(description="Câu tiếng Việt, mở đầu bằng tên quy định")


class ConferenceOut(Schema):
    """A conference with its agenda, bridge points and latest report revision.

    Resolved from a conference carrying ``segment_list``, ``bridge_list`` and ``latest``.
    """

    id: int
    plan_id: int
    level_id: int
    level_name: str
    host: UnitRef
    date: datetime.date
    start_time: LocalTime | None
    length_sessions: int
    mode: str
    venue: str
    recorded_at: datetime.datetime
    edited_at: datetime.datetime | None
    cancelled_at: datetime.datetime | None
    cancel_reason: str
    rule_problems: list[RuleProblemOut] = Field(
        description="Vấn đề so với quy định của cấp, khi đăng ký hoặc sửa đăng ký lần cuối"
    )
    problems_confirmed_at: datetime.datetime | None = Field(
        description="Lúc người đăng ký xác nhận vẫn lưu dù có vấn đề; null nếu không có"
    )
    segments: list[SegmentOut]
    bridge_points: list[BridgePointOut]
    report: ReportOut | None = Field(description="Bản báo cáo mới nhất, hoặc null")

    @staticmethod
    def resolve_level_id(obj: object) -> int:
        return obj.rule.level_id  # type: ignore[attr-defined]

    @staticmethod
    def resolve_level_name(obj: object) -> str:
        return obj.rule.level.name  # type: ignore[attr-defined]

    @staticmethod
    def resolve_segments(obj: object) -> list:
        return obj.segment_list  # type: ignore[attr-defined]

    @staticmethod
    def resolve_bridge_points(obj: object) -> list:
        return obj.bridge_list  # type: ignore[attr-defined]

    @staticmethod
    def resolve_report(obj: object) -> object:
        return obj.latest  # type: ignore[attr-defined]


class SegmentIn(Payload):
    content_kind: ContentKind
    topic_order: int | None = Field(None, ge=1, le=1000, description="Thứ tự chuyên đề")
    presenter_name: Name
    presenter_role: PresenterRole
    presenter_position: Line255 = ""
    presenter_unit_id: Id


class BridgePointIn(Payload):
    unit_id: Id
    expected_count: Count
    venue: Line255 = ""
    host_person: Line150 = ""


class RegistrationIn(Payload):
    """A registration's content: what registering sets and editing replaces."""

    date: Day
    start_time: LocalTime | None = None
    length_sessions: int = Field(ge=1, le=60, description="Thời lượng theo buổi")
    mode: ConferenceMode = ConferenceMode.IN_PERSON
    venue: Line255 = ""
    segments: list[SegmentIn] = Field(default_factory=list, max_length=50)
    bridge_points: list[BridgePointIn] = Field(default_factory=list, max_length=500)
    confirm_problems: bool = Field(
        False,
        description=(
            "Vẫn lưu dù đăng ký có vấn đề so với quy định của cấp. Không có trường này, đăng ký "
            "có vấn đề bị từ chối (422) kèm danh sách vấn đề (problems); xác nhận được ghi lại."
        ),
    )


class ConferenceIn(RegistrationIn):
    host_unit_id: Id


class CancelIn(Payload):
    reason: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), NoNul
    ] = Field(description="Lý do hủy đăng ký (bắt buộc)")


class BridgeAttendedIn(Payload):
    unit_id: Id
    attended_count: Count


class ReportIn(Payload):
    expected_count: Count
    attended_count: Count
    made_up_count: Count = 0
    reflections_count: Count = 0
    absence_notes: Notes = ""
    minutes: Notes = ""
    bridge_attended: list[BridgeAttendedIn] = Field(default_factory=list, max_length=500)
