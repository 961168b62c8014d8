"""What every API router uses: RFC 7807 problem documents (422 for input that names what is not
there, or that an action refused) and their description in the OpenAPI document, bounded
pagination, the refusal of unknown query parameters
and the largest valid id.

The routers import these from here, not from ``tinhuy.api`` (which imports every router), so no
module of the API is in an import circle.
"""

from __future__ import annotations

import copy
import decimal
import json
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination
from ninja.responses import NinjaJSONEncoder
from pydantic import ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

MAX_ID = 2**63 - 1  # the largest primary key a 64-bit column holds; larger ids are invalid
PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem(
    request: HttpRequest, status: int, title: str, detail: str = "", **extra: Any
) -> HttpResponse:
    """An RFC 7807 problem document, encoded as the API encodes every body."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return HttpResponse(
        json.dumps(body, cls=NinjaJSONEncoder), status=status, content_type=PROBLEM_CONTENT_TYPE
    )


# Problem documents in the OpenAPI document: every status an operation can answer, each as the
# one shape and the one media type ``problem`` serves. Written out (not a ninja ``Schema``)
# because ninja documents a model's answers as ``application/json``.
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}

PROBLEM_TEXT = {
    400: "Tham số truy vấn không được hỗ trợ, hoặc ký tự điều khiển trong yêu cầu.",
    401: "Chưa đăng nhập, hoặc mã truy cập không hợp lệ.",
    403: "Xem được nhưng không được làm việc này (hoặc phiên trình duyệt thiếu mã CSRF).",
    404: "Không có đối tượng này, hoặc nằm ngoài phạm vi của người dùng.",
    422: "Dữ liệu không hợp lệ (thông báo tiếng Việt trong detail và errors).",
}


def problems(*codes: int, public: bool = False, conflict: str = "") -> dict[str, Any]:
    """``openapi_extra`` documenting the problem answers an operation can give: 400 and 422 on
    every one (unknown parameters, control characters, ids beyond ``MAX_ID``), 401 unless it is
    ``public`` (``auth=None``), the ``codes`` given (403, 404) and 409 described by ``conflict``
    (what the operation conflicts with). Every write can answer 403: a logged-in browser
    without its CSRF token."""
    texts = {code: PROBLEM_TEXT[code] for code in {400, 422, *codes}}
    if not public:
        texts[401] = PROBLEM_TEXT[401]
    if conflict:
        texts[409] = conflict
    return {
        "responses": {
            code: {
                "description": texts[code],
                "content": {PROBLEM_CONTENT_TYPE: {"schema": copy.deepcopy(PROBLEM_SCHEMA)}},
            }
            for code in sorted(texts)
        }
    }


def parse_id(value: str | None) -> int | None:
    """An id typed in an address or a form (ASCII digits, 1 to ``MAX_ID``), or None for
    anything else — "²".isdigit() is true but int("²") fails, and int() refuses texts of more
    than 4,300 digits, so the length is checked first."""
    if not value or not (value.isascii() and value.isdigit()) or len(value) > 19:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


@dataclass
class Invalid(Exception):
    """Input that has the right shape but names something that is not there (for the caller:
    an id out of their scope reads exactly like one that does not exist)."""

    message: str
    loc: tuple[str | int, ...]


def unprocessable(
    request: HttpRequest, message: str, loc: tuple[str | int, ...] = ("body",)
) -> HttpResponse:
    """422 in the shape of ninja's own validation errors, with the message also as detail."""
    return problem(
        request,
        422,
        _("Dữ liệu không hợp lệ."),
        message,
        errors=[{"loc": [str(part) for part in loc], "msg": message}],
    )


def refused(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """An action's refusal: 422 with its Vietnamese message(s)."""
    return unprocessable(request, " ".join(exc.messages))


def reject_unknown_params(request: HttpRequest, allowed: Iterable[str]) -> None:
    """Answer 400 for query parameters the endpoint does not take, instead of ignoring them."""
    unknown = sorted(set(request.GET) - set(allowed))
    if unknown:
        raise HttpError(
            400, _("Tham số không được hỗ trợ: %(names)s.") % {"names": ", ".join(unknown)}
        )


class Pagination(PageNumberPagination):
    """Page-number pagination with bounds, so no page number can overflow the database."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=200)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(page_size=50, max_page_size=200, **kwargs)


PAGINATION_PARAMS = ("page", "page_size")


_NUMBERS = (int, float, decimal.Decimal)


def _is_number(annotation: Any) -> bool:
    """``int``, ``float``, ``Decimal``, or one of them optional or constrained."""
    if annotation in _NUMBERS:
        return True
    if typing.get_origin(annotation) is typing.Annotated:
        return _is_number(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return len(args) == 1 and _is_number(args[0])
    return False


class Payload(Schema):
    """A request body. JSON's ``true`` and ``false`` are not numbers, though pydantic reads them
    as 1 and 0 ("reflections_count": false would be saved as none): a number field refuses them."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_booleans_for_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, bool) and info.field_name is not None:
            field = cls.model_fields.get(info.field_name)
            if field is not None and _is_number(field.annotation):
                raise PydanticCustomError(
                    "bool_not_number", _("Phải là số, không phải true hoặc false.")
                )
        return value
