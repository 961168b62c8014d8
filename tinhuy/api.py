"""The JSON API at /api/v1/: one NinjaAPI, one router per app, RFC 7807 errors.

Only ``tinhuy.urls`` imports this module; the routers take their helpers (``problem``,
``Pagination``, ``reject_unknown_params``, ``MAX_ID``) from ``tinhuy.apikit``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from tinhuy.accounts.actions import user_for_token
from tinhuy.apikit import PROBLEM_CONTENT_TYPE, problem
from tinhuy.gazetteer.api import router as gazetteer_router
from tinhuy.meetings.api import router as meetings_router
from tinhuy.org.api import router as org_router
from tinhuy.programs.api import router as programs_router
from tinhuy.register.api import router as register_router
from tinhuy.study.api import router as study_router


class BearerToken(HttpBearer):
    """``Authorization: Bearer <token>`` for scripts (``tinhuy token create USERNAME``)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user  # type: ignore[assignment]
        return user


class BrowserSession(SessionAuth):
    """The browser's logged-in session, CSRF-checked on writes. A request with no logged-in
    session has nothing the check protects: it is answered 401 ("log in or send a token", as
    documented), not 403 "CSRF check Failed"."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


class ProblemAPI(NinjaAPI):
    """Every error answer is a problem document served as ``application/problem+json``
    (``tinhuy.apikit.problem``): an error status that an operation documents with a schema of
    its own (``response={404: …}``, which ninja lists as ``application/json``) is listed with the
    media type it is served with."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, answer in operation.get("responses", {}).items():
                    content = answer.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
        return schema


api = ProblemAPI(
    title="Tỉnh ủy số API",
    version="1",
    description=(
        "API của Tỉnh ủy số. Đăng nhập bằng phiên trình duyệt, hoặc gửi "
        "`Authorization: Bearer <mã>` (tạo mã bằng `tinhuy token create TÊN_ĐĂNG_NHẬP`)."
    ),
    urls_namespace="api",
    auth=[BearerToken(), BrowserSession()],
    # The schema and its page describe every internal operation: for people who log in.
    docs_decorator=login_required,
)


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


# What the schemas' checks (pydantic) say, in Vietnamese, by the kind of error; a message our
# own validators wrote ("Value error, …") is passed on as written.
_SCHEMA_MESSAGES: dict[str, Any] = {
    "missing": gettext_lazy("Thiếu trường này."),
    "extra_forbidden": gettext_lazy("Không có trường này."),
    "int_parsing": gettext_lazy("Phải là số nguyên."),
    "int_type": gettext_lazy("Phải là số nguyên."),
    "int_from_float": gettext_lazy("Phải là số nguyên, không có phần lẻ."),
    "float_parsing": gettext_lazy("Phải là số."),
    "float_type": gettext_lazy("Phải là số."),
    "decimal_parsing": gettext_lazy("Phải là số."),
    "bool_parsing": gettext_lazy("Phải là true hoặc false."),
    "bool_type": gettext_lazy("Phải là true hoặc false."),
    "string_type": gettext_lazy("Phải là chuỗi ký tự."),
    "string_too_short": gettext_lazy("Cần ít nhất {min_length} ký tự."),
    "string_too_long": gettext_lazy("Dài quá {max_length} ký tự."),
    "too_short": gettext_lazy("Cần ít nhất {min_length} phần tử."),
    "too_long": gettext_lazy("Nhiều quá {max_length} phần tử."),
    "greater_than": gettext_lazy("Phải lớn hơn {gt}."),
    "greater_than_equal": gettext_lazy("Phải từ {ge} trở lên."),
    "less_than": gettext_lazy("Phải nhỏ hơn {lt}."),
    "less_than_equal": gettext_lazy("Phải từ {le} trở xuống."),
    "date_parsing": gettext_lazy("Ngày phải có dạng yyyy-mm-dd và có thật."),
    "date_from_datetime_parsing": gettext_lazy("Ngày phải có dạng yyyy-mm-dd và có thật."),
    "date_type": gettext_lazy("Ngày phải có dạng yyyy-mm-dd."),
    "time_parsing": gettext_lazy("Giờ phải có dạng hh:mm."),
    "time_type": gettext_lazy("Giờ phải có dạng hh:mm."),
    "datetime_parsing": gettext_lazy(
        "Thời điểm phải theo ISO 8601, ví dụ 2021-01-05T07:30:00+07:00."
    ),
    "enum": gettext_lazy("Phải là một trong: {expected}."),
    "literal_error": gettext_lazy("Phải là một trong: {expected}."),
    "list_type": gettext_lazy("Phải là một danh sách."),
    "dict_type": gettext_lazy("Phải là một đối tượng JSON."),
    "model_type": gettext_lazy("Phải là một đối tượng JSON."),
    "json_invalid": gettext_lazy("Nội dung gửi lên không phải JSON hợp lệ."),
}


def schema_message(error: dict[str, Any]) -> str:
    """The Vietnamese message of one schema error (its ``type`` and ``ctx``), else its own."""
    kind, message = str(error.get("type", "")), str(error.get("msg", ""))
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    template = _SCHEMA_MESSAGES.get(kind)
    if template is None:
        return message
    context = {key: str(value) for key, value in (error.get("ctx") or {}).items()}
    try:
        return str(template).format(**context)
    except (KeyError, IndexError):
        return message


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"loc": [str(part) for part in error.get("loc", ())], "msg": schema_message(error)}
        for error in exc.errors
    ]
    return problem(
        request, 422, _("Dữ liệu không hợp lệ."), _("Kiểm tra lại các tham số."), errors=errors
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem(request, exc.status_code, str(exc))


api.add_router("/", org_router)
api.add_router("/study/", study_router)
api.add_router("/register/", register_router)
api.add_router("/gazetteer/", gazetteer_router)
api.add_router("/", meetings_router)
api.add_router("/", programs_router)
