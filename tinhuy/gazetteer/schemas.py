"""API shapes of the gazetteer.

Outputs are read from what ``tinhuy.gazetteer.queries``, ``figures`` and ``lookup`` return; URLs
are made absolute with the request. Inputs bound every string like the model field it is stored
in, so that bad input is a 422 and never reaches the database. Figures sent to the API are
checked by ``figures.validate``, the same rules as the file import, with the same messages.
"""

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from tinhuy.apikit import Payload
from tinhuy.gazetteer.models import EntryKind, EntryState


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it here rather than fail in the driver.
    if "\x00" in value:
        raise ValueError("Không được chứa ký tự NUL.")
    return value


def _web_address(value: str) -> str:
    if value and not value.lower().startswith(("http://", "https://")):
        raise ValueError("Địa chỉ phải bắt đầu bằng http:// hoặc https://.")
    return value


NoNul = AfterValidator(_no_nul)


def _trimmed(max_length: int, min_length: int = 0) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


# Strings bounded like the model fields they are stored in (the figures' own checks give the
# Vietnamese message for source and note over 500 characters, as the import does).
Text16 = Annotated[str, _trimmed(16), NoNul]
Text50 = Annotated[str, _trimmed(50), NoNul]
Text100 = Annotated[str, _trimmed(100), NoNul]
Text255 = Annotated[str, _trimmed(255), NoNul]
Text1000 = Annotated[str, _trimmed(1000), NoNul]
Required150 = Annotated[str, _trimmed(150, 1), NoNul]
Required255 = Annotated[str, _trimmed(255, 1), NoNul]
Required500 = Annotated[str, _trimmed(500, 1), NoNul]
WebAddress = Annotated[str, _trimmed(500), NoNul, AfterValidator(_web_address)]
Markdown = Annotated[str, StringConstraints(max_length=200_000), NoNul]


# Search and look-up


class SearchFilters(Schema):
    # Not bounded: search must answer any input; the view trims what it passes on.
    q: str = Field("", description="Từ khóa, có dấu hay không dấu đều được.")
    kind: str = Field("", description="Loại mục từ: place, person, event, institution, topic.")
    place: str = Field("", description="Mã địa danh, ví dụ 412 (Thành phố Vinh).")
    chapter: str = Field("", description="Đường dẫn chương, ví dụ dia-ly; gồm cả chương con.")
    period: str = Field("", description="Thời kỳ, đúng như ghi ở mục từ.")


# A plain pydantic model, not a ninja ``Schema``: the hits are dicts, which need none of
# ``Schema``'s reading of Django objects (half a search request's time for 50 hits).
class SearchHitOut(BaseModel):
    slug: str
    title: str
    kind: str
    snippet: str = Field(description="Đoạn trích (HTML đã lọc): từ khớp nằm trong <mark>.")
    url: str
    score: float


class LookupFilters(Schema):
    q: str = Field("", description="Câu hỏi, ví dụ “dân số Nghi Lộc 2019” hay “dien tich Vinh”.")


class AnswerOut(Schema):
    value: float
    value_display: str = Field(description="Giá trị viết kiểu Việt Nam, ví dụ 1.234,5.")
    unit: str
    year: int
    place_code: str
    place_name: str
    indicator_code: str
    indicator_name: str
    source: str
    note: str
    is_sample: bool = Field(description="Số liệu minh họa: không lấy từ một nguồn trích dẫn.")
    edition_year: int
    edition_title: str = Field(description="Tên ấn bản Địa chí công bố số liệu.")
    series_url: str = Field(description="Trang chỉ tiêu (cả chuỗi số liệu) trong ấn bản.")
    place_url: str
    year_given: bool = Field(
        description="Câu hỏi có nêu năm; false: đây là năm gần nhất có số liệu."
    )
    other_years: str = Field(
        description="Các năm khác câu hỏi nêu (“2019, 2021”): câu trả lời là năm sau cùng."
    )
    other_indicators: str = Field(
        description="Các chỉ tiêu khác câu hỏi nêu (“Diện tích tự nhiên”): hãy hỏi riêng."
    )
    ignored: str = Field(description="Những chữ trong câu hỏi không hiểu được, đã bỏ qua.")


class LinkOut(Schema):
    code: str
    name: str
    url: str


class SuggestionsOut(Schema):
    message: str
    indicators: list[LinkOut]
    places: list[LinkOut]
    years: list[int]


class LookupNotFoundOut(Schema):
    """The 404 problem document (RFC 7807) of a question with no answer, with suggestions."""

    type: str
    title: str
    status: int
    detail: str
    suggestions: SuggestionsOut


# Entries


class PlaceOut(Schema):
    code: str
    name: str
    full_name: str
    kind: str


class SourceOut(Schema):
    title: str
    author: str = ""
    year: str = ""
    publisher: str = ""
    url: str = ""
    pages: str = ""


class EntryOut(Schema):
    """An entry as the latest edition published it."""

    slug: str
    title: str
    kind: str
    chapter: str = Field(description="Đường dẫn chương, ví dụ dia-ly/song-ngoi.")
    chapter_title: str
    period: str
    places: list[PlaceOut]
    body_html: str = Field(description="Nội dung đã chuyển từ Markdown sang HTML và đã lọc.")
    sources: list[SourceOut]
    revision: int
    edition_year: int
    url: str


class EntryKindIn(StrEnum):
    PLACE = EntryKind.PLACE.value
    PERSON = EntryKind.PERSON.value
    EVENT = EntryKind.EVENT.value
    INSTITUTION = EntryKind.INSTITUTION.value
    TOPIC = EntryKind.TOPIC.value


class EntryStateIn(StrEnum):
    DRAFT = EntryState.DRAFT.value
    REVIEWED = EntryState.REVIEWED.value
    PUBLISHED = EntryState.PUBLISHED.value


class SourceIn(Payload):
    title: Required500
    author: Text255 = ""
    year: Text16 = ""
    publisher: Text255 = ""
    url: WebAddress = ""
    pages: Text50 = ""


class EntryIn(Payload):
    """A new text of an entry: saved as a new revision, in draft (it needs review again)."""

    title: Required255
    kind: EntryKindIn
    chapter: Required500 = Field(description="Đường dẫn chương, ví dụ dia-ly/song-ngoi.")
    body: Markdown = Field(description="Nội dung, viết bằng Markdown.")
    places: list[Required150] = Field(
        default_factory=list, max_length=200, description="Mã hoặc tên các địa danh liên quan."
    )
    period: Text100 = ""
    sources: list[SourceIn] = Field(default_factory=list, max_length=200)


class StateIn(Payload):
    state: EntryStateIn


class EntryDraftOut(Schema):
    """The working copy of an entry, as editors see it."""

    slug: str
    title: str
    kind: str
    chapter: str
    period: str
    places: list[PlaceOut]
    body: str
    sources: list[SourceOut]
    state: str
    revision: int


# Figures


class IndicatorOut(Schema):
    code: str
    name: str
    unit: str
    definition: str
    url: str = Field(description="Trang chỉ tiêu trong ấn bản mới nhất.")


class ObservationFilters(Schema):
    place: str = Field("", max_length=150, description="Mã địa danh, ví dụ 412.")
    year: int | None = Field(None, ge=1800, le=2100)


class ObservationOut(Schema):
    indicator_code: str
    place_code: str
    place_name: str
    year: int
    value: float
    value_display: str
    source: str
    note: str
    is_sample: bool
    edition_year: int


class ObservationIn(Payload):
    """One figure; checked like a row of the import file (year 1800–2100, the value as a JSON
    number or as text written 1.234,5 or 1234.5)."""

    indicator_code: Text255
    place: Text255 = Field(description="Mã hoặc tên địa danh.")
    year: int
    value: Decimal | Text100
    source: Text1000 = ""
    note: Text1000 = ""
    is_sample: bool = False


class SavedOut(Schema):
    added: int = Field(description="Số liệu mới.")
    revised: int = Field(description="Số liệu đã có, được sửa.")
