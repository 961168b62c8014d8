"""The JSON API at /api/v1/: one NinjaAPI, one router per app, RFC 7807 errors."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import PageNumberPagination
from ninja.security import HttpBearer, django_auth

from tinhuy.accounts.actions import user_for_token

MAX_ID = 2**63 - 1  # the largest primary key a 64-bit column holds; larger ids are invalid


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>`` for scripts (``tinhuy token create USERNAME``)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user  # type: ignore[assignment]
        return user


api = NinjaAPI(
    title="Tỉnh ủy số API",
    version="1",
    description=(
        "API của Tỉnh ủy số. Đăng nhập bằng phiên trình duyệt, hoặc gửi "
        "`Authorization: Bearer <mã>` (tạo mã bằng `tinhuy token create TÊN_ĐĂNG_NHẬP`)."
    ),
    urls_namespace="api",
    auth=[BearerToken(), django_auth],
)


def problem(
    request: HttpRequest, status: int, title: str, detail: str = "", **extra: Any
) -> HttpResponse:
    """An RFC 7807 problem document."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = "application/problem+json"
    return response


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(
        request,
        404,
        _("Không tìm thấy."),
        _("Không có đối tượng này, hoặc bạn không có quyền xem."),
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(request, 403, _("Không được phép."), _("Bạn chỉ được xem, không được thay đổi."))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(
        request, 401, _("Chưa đăng nhập."), _("Hãy đăng nhập hoặc gửi mã truy cập hợp lệ.")
    )


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))}
        for error in exc.errors
    ]
    return problem(
        request, 422, _("Dữ liệu không hợp lệ."), _("Kiểm tra lại các tham số."), errors=errors
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(request, exc.status_code, str(exc))


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


def register_routers() -> None:
    from tinhuy.gazetteer.api import router as gazetteer_router
    from tinhuy.org.api import router as org_router
    from tinhuy.study.api import router as study_router

    api.add_router("/", org_router)
    api.add_router("/study/", study_router)
    api.add_router("/gazetteer/", gazetteer_router)


register_routers()
