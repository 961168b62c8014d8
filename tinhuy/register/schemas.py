"""API shapes of the register. Inputs bound every number, date and string."""

import datetime
from enum import StrEnum
from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator, Field, StringConstraints

from tinhuy.apikit import MAX_ID, Payload
from tinhuy.register.models import MAX_NUMBER, DocType

MIN_DATE = datetime.date(1930, 2, 3)  # the Party's founding: no Party document is older
MAX_DATE = datetime.date(2100, 12, 31)

# The 409 of every operation that gives a number (the register's, issuing a draft), in the
# OpenAPI document.
NUMBER_TAKEN = "Số đã có trong sổ đăng ký văn bản đi."

DocTypeIn = StrEnum("DocTypeIn", {member.name: member.value for member in DocType})  # type: ignore[misc]


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it here rather than fail in the driver.
    if "\x00" in value:
        raise ValueError("Không được chứa ký tự NUL.")
    return value


NoNul = AfterValidator(_no_nul)
Line150 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=150), NoNul
]
Summary = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000), NoNul
]
Text = Annotated[str, StringConstraints(max_length=5000), NoNul]
Day = Annotated[datetime.date, Field(ge=MIN_DATE, le=MAX_DATE)]


class PeriodOut(Schema):
    id: int
    label: str
    starts_on: datetime.date
    ends_on: datetime.date | None


class IssuingBodyOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    symbol: str
    superior_name: str
    name: str
    scheme: str
    place: str

    @staticmethod
    def resolve_unit_name(obj: object) -> str:
        return obj.unit.name  # type: ignore[attr-defined]


class RegisterEntryOut(Schema):
    id: int
    body_id: int
    period: PeriodOut
    doc_type: str
    number: int
    symbol: str
    number_line: str
    issued_on: datetime.date
    summary: str
    signer_name: str
    signer_position: str
    authority: str
    recipients: str
    reason: str
    state: str
    cancel_reason: str
    linked: bool = Field(description="Số của một văn bản trong phần mềm (ví dụ kế hoạch)")

    @staticmethod
    def resolve_linked(obj: object) -> bool:
        return obj.content_type_id is not None  # type: ignore[attr-defined]


class EntryFilters(Schema):
    period: int | None = Field(None, ge=1, le=MAX_ID, description="Mã số (id) thời kỳ đánh số")
    doc_type: DocTypeIn | None = Field(None, description="Loại văn bản (viết tắt: KH, TB, …)")  # type: ignore[valid-type]


class NextIn(Payload):
    doc_type: DocTypeIn  # type: ignore[valid-type]
    on: Day | None = Field(None, description="Ngày ban hành (mặc định: hôm nay)")


class NextOut(Schema):
    period: PeriodOut
    doc_type: str
    number: int
    symbol: str
    number_line: str


class RegisterIssueIn(Payload):
    doc_type: DocTypeIn  # type: ignore[valid-type]
    issued_on: Day
    summary: Summary
    signer_name: Line150
    signer_position: Line150
    authority: Line150
    recipients: Text = ""
    number: int | None = Field(
        None, ge=1, le=MAX_NUMBER, description="Để trống để lấy số kế tiếp; số khác cần lý do"
    )
    reason: Text = ""


class RegisterCancelIn(Payload):
    reason: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), NoNul
    ]
