"""API shapes of Standing Board meetings: drafts and their versions, opinions and dispositions,
meetings with their items and conclusions, follow-ups and issuing.

Outputs are read from what ``tinhuy.meetings.access`` and ``tinhuy.meetings.queries`` return;
nothing here decides who sees what. Inputs bound every number, date and string, so that bad
input is a 422 and never reaches the database. A follow-up's unit, person and due date are
optional in the shape on purpose: the action refuses a missing one with the Vietnamese message
the page shows, not with a generic "field required".
"""

import datetime
from enum import StrEnum
from typing import Annotated, Any

from django.utils import timezone
from ninja import Schema
from pydantic import AfterValidator, Field, StringConstraints

from tinhuy.apikit import MAX_ID, Payload
from tinhuy.meetings.models import DispositionKind, DraftKind, DraftState, FollowUpState, Outcome
from tinhuy.meetings.queries import is_overdue
from tinhuy.org.schemas import PersonOut, UnitRef
from tinhuy.register.models import MAX_NUMBER, DocType

MIN_DATE = datetime.date(1930, 2, 3)  # the Party's founding: no Party document is older
MAX_DATE = datetime.date(2100, 12, 31)
MAX_VERSION = 32_767  # DraftVersion.number is a PositiveSmallIntegerField
MAX_LINE = 2_147_483_647  # Opinion.line_from/line_to are PositiveIntegerFields

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Day = Annotated[datetime.date, Field(ge=MIN_DATE, le=MAX_DATE)]


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it here rather than fail in the driver.
    if "\x00" in value:
        raise ValueError("Không được chứa ký tự NUL.")
    return value


NoNul = AfterValidator(_no_nul)


Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), NoNul
]
Line150 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=150), NoNul
]
Line255 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=255), NoNul]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000), NoNul]
# The body of a draft (Markdown: leading spaces may matter) and the longer free texts.
LongText = Annotated[str, StringConstraints(max_length=200_000), NoNul]
OpinionText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000), NoNul]

# Enums of the choices the API takes, named apart from other apps' (one OpenAPI namespace).
DraftDocType = StrEnum("DraftDocType", {m.name: m.value for m in DocType})  # type: ignore[misc]
DraftStateIn = StrEnum("DraftStateIn", {m.name: m.value for m in DraftState})  # type: ignore[misc]
DraftKindIn = StrEnum("DraftKindIn", {m.name: m.value for m in DraftKind})  # type: ignore[misc]
DispositionKindIn = StrEnum(  # type: ignore[misc]
    "DispositionKindIn", {m.name: m.value for m in DispositionKind}
)
OutcomeIn = StrEnum("OutcomeIn", {m.name: m.value for m in Outcome})  # type: ignore[misc]
FollowUpStateIn = StrEnum(  # type: ignore[misc]
    "FollowUpStateIn", {m.name: m.value for m in FollowUpState}
)


# Drafts and versions


class DraftOut(Schema):
    id: int
    kind: str
    title: str
    doc_type: str
    state: str
    state_label: str
    submitting_unit: UnitRef
    issuing_unit: UnitRef
    plan_id: int | None
    register_number: str = Field(description="Số, ký hiệu khi đã ban hành (ví dụ 15-KH/TU)")
    created_at: datetime.datetime
    is_sample: bool

    @staticmethod
    def resolve_state_label(obj: Any) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_register_number(obj: Any) -> str:
        return obj.register_entry.symbol if obj.register_entry_id else ""


class VersionOut(Schema):
    number: int
    submitted_at: datetime.datetime
    note: str
    sha256: str
    opinion_count: int
    unanswered_count: int


class DraftDetailOut(DraftOut):
    text: str = Field(description="Nội dung đang soạn cho lần trình tới (Markdown)")
    issued_version: int | None
    versions: list[VersionOut]

    @staticmethod
    def resolve_issued_version(obj: Any) -> int | None:
        return obj.issued_version.number if obj.issued_version_id else None

    @staticmethod
    def resolve_versions(obj: Any) -> list[Any]:
        return obj.version_list  # type: ignore[no-any-return]


class LineOut(Schema):
    number: int
    text: str


class VersionTextOut(Schema):
    draft_id: int
    number: int
    submitted_at: datetime.datetime
    note: str
    sha256: str
    line_length: int
    lines: list[LineOut] = Field(description="Các dòng đánh số trên máy chủ; dòng n là lines[n-1]")

    @staticmethod
    def resolve_lines(obj: Any) -> list[dict[str, Any]]:
        return [{"number": n, "text": text} for n, text in enumerate(obj.lines(), start=1)]


class DraftIn(Payload):
    title: Title
    doc_type: DraftDocType  # type: ignore[valid-type]
    submitting_unit_id: Id = Field(description="Cơ quan trình (đơn vị người dùng được thay đổi)")
    issuing_unit_id: Id = Field(
        description="Cấp ủy ban hành: chính cơ quan trình hoặc một cấp trên của nó"
    )
    text: LongText = ""


class TextIn(Payload):
    text: LongText


class SubmitIn(Payload):
    note: Note = ""


class DraftFilters(Schema):
    state: DraftStateIn | None = None  # type: ignore[valid-type]
    kind: DraftKindIn | None = None  # type: ignore[valid-type]


class DiffFilters(Schema):
    old: int = Field(..., ge=1, le=MAX_VERSION, description="Lần trình cũ")
    new: int = Field(..., ge=1, le=MAX_VERSION, description="Lần trình mới")


class DiffLineOut(Schema):
    kind: str = Field(description="same, added hoặc removed")
    old_number: int | None
    new_number: int | None
    text: str


class RuleChangeOut(Schema):
    level_name: str
    kind: str = Field(description="added, removed hoặc changed")
    old: list[str]
    new: list[str]


class DiffOut(Schema):
    draft_id: int
    old: int
    new: int
    lines: list[DiffLineOut]
    rules: list[RuleChangeOut] = Field(description="Dự thảo kế hoạch: các cấp có quy định đổi")


# Opinions and dispositions


class DispositionOut(Schema):
    kind: str
    kind_label: str
    explanation: str
    revised_in: int | None = Field(description="Lần trình đã sửa theo ý kiến")
    decided_at: datetime.datetime

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_revised_in(obj: Any) -> int | None:
        return obj.revised_in.number if obj.revised_in_id else None


class OpinionOut(Schema):
    id: int
    version: int
    author_name: str
    line_from: int | None
    line_to: int | None
    quoted_text: str
    text: str
    proposed_text: str
    created_at: datetime.datetime
    is_sample: bool
    disposition: DispositionOut | None

    @staticmethod
    def resolve_version(obj: Any) -> int:
        return obj.version.number  # type: ignore[no-any-return]

    @staticmethod
    def resolve_disposition(obj: Any) -> Any:
        return getattr(obj, "disposition", None)


class OpinionIn(Payload):
    text: OpinionText
    line_from: int | None = Field(
        None, ge=0, le=MAX_LINE, description="Từ dòng (để trống: cả văn bản)"
    )
    line_to: int | None = Field(None, ge=0, le=MAX_LINE, description="Đến dòng")
    proposed_text: OpinionText = ""


class DispositionIn(Payload):
    kind: DispositionKindIn  # type: ignore[valid-type]
    explanation: OpinionText = ""


class DispositionTableOut(Schema):
    draft_id: int
    draft_title: str
    submitting_unit: UnitRef
    version: int
    unanswered: int
    rows: list[OpinionOut]


# Meetings, items, conclusions, follow-ups


class FollowUpOut(Schema):
    id: int
    what: str
    lead_unit: UnitRef
    person: PersonOut
    due_on: datetime.date
    state: str
    overdue: bool
    closing_note: str
    closed_at: datetime.datetime | None

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        return is_overdue(obj, timezone.localdate())


class FollowUpDetailOut(FollowUpOut):
    meeting_id: int
    meeting_date: datetime.date

    @staticmethod
    def resolve_meeting_id(obj: Any) -> int:
        return obj.item.meeting_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_meeting_date(obj: Any) -> datetime.date:
        return obj.item.meeting.date  # type: ignore[no-any-return]


class ItemOut(Schema):
    id: int
    order: int
    draft_id: int
    draft_title: str
    submitting_unit: UnitRef
    version: int
    opinion_count: int
    conclusion: str
    outcome: str
    concluded_at: datetime.datetime | None
    follow_ups: list[FollowUpOut]

    @staticmethod
    def resolve_draft_title(obj: Any) -> str:
        return obj.draft.title  # type: ignore[no-any-return]

    @staticmethod
    def resolve_submitting_unit(obj: Any) -> Any:
        return obj.draft.submitting_unit

    @staticmethod
    def resolve_version(obj: Any) -> int:
        return obj.version.number  # type: ignore[no-any-return]

    @staticmethod
    def resolve_opinion_count(obj: Any) -> int:
        return getattr(obj, "opinion_count", 0)

    @staticmethod
    def resolve_follow_ups(obj: Any) -> list[Any]:
        return obj.follow_up_list  # type: ignore[no-any-return]


class AttendanceOut(Schema):
    person: PersonOut
    present: bool
    absence_reason: str


class MeetingOut(Schema):
    id: int
    body: UnitRef
    date: datetime.date
    title: str
    state: str
    presiding: PersonOut | None
    is_sample: bool


class MeetingDetailOut(MeetingOut):
    guests: str
    attendance: list[AttendanceOut]
    items: list[ItemOut]

    @staticmethod
    def resolve_attendance(obj: Any) -> list[Any]:
        return obj.attendance_list  # type: ignore[no-any-return]

    @staticmethod
    def resolve_items(obj: Any) -> list[Any]:
        return obj.item_list  # type: ignore[no-any-return]


class MemberIn(Payload):
    person_id: Id
    present: bool = True
    absence_reason: Line255 = ""


class MeetingIn(Payload):
    body_unit_id: Id = Field(description="Cấp ủy họp (ví dụ Tỉnh ủy)")
    date: Day
    title: Line255 = ""
    presiding_person_id: Id | None = None
    members: list[MemberIn] = Field(default_factory=list, max_length=200)
    guests: Note = ""


class ItemIn(Payload):
    draft_id: Id


class FollowUpIn(Payload):
    what: Note
    lead_unit_id: Id | None = None
    person_id: Id | None = None
    due_on: Day | None = None


class ConclusionIn(Payload):
    conclusion: LongText
    outcome: OutcomeIn  # type: ignore[valid-type]
    follow_ups: list[FollowUpIn] = Field(default_factory=list, max_length=100)


class FollowUpFilters(Schema):
    state: FollowUpStateIn | None = None  # type: ignore[valid-type]
    overdue: bool | None = Field(None, description="true: quá hạn mà chưa xong; false: còn lại")


class CloseIn(Payload):
    note: Note


# Issuing


class IssueStateOut(Schema):
    draft_id: int
    state: str
    issuable: bool
    blocker: str | None = Field(description="Lý do chưa ban hành được (tiếng Việt), nếu có")
    register_number: str


class IssueIn(Payload):
    issued_on: Day
    signer_name: Line150
    signer_position: Line150 = "BÍ THƯ"
    authority: Line150 = "T/M BAN THƯỜNG VỤ"
    recipients: Note = ""
    number: int | None = Field(
        None, ge=1, le=MAX_NUMBER, description="Để trống để lấy số kế tiếp; số khác cần lý do"
    )
    reason: Note = ""


class IssuedOut(Schema):
    draft_id: int
    version: int
    doc_type: str
    number: int
    symbol: str
    issued_on: datetime.date
    signer_name: str
