"""Input no page or endpoint can store is refused here, once, before any view runs.

A NUL byte reaches PostgreSQL as an error of the driver (a 500 on any page that puts the text in
a query), and the other C0 control characters have no place in a path, a query parameter or a
form field. So a request holding one in its path, its query string, or the names or values of
its form fields is answered 400 with a short Vietnamese message: an RFC 7807 problem document
under ``/api/``, plain text elsewhere. Tab, CR and LF stay allowed: textareas send them. (Django
already drops unprintable characters from the names of uploaded files.)

Numbers are bounded where they are parsed: every integer form field has a ``max_value`` and
every API integer a ``le=`` (``tinhuy.apikit.MAX_ID`` for ids).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from tinhuy.apikit import problem
from tinhuy.errors import frame

# C0 control characters but tab, LF and CR, literally or percent-encoded (query strings are
# checked before they are decoded, so the check costs one regex search and parses nothing).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
ENCODED_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]|%(?:0[0-8bcef]|1[0-9a-f])", re.I)
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_control(values: Iterable[str]) -> bool:
    return any(CONTROL.search(value) for value in values)


def _bad_form(request: HttpRequest) -> bool:
    """Whether a form field's name or value holds a control character. Only form bodies are
    parsed (JSON bodies are the API schemas' to check), and ``CsrfViewMiddleware`` parses the
    same body next, so this reads nothing twice."""
    if request.method != "POST" or request.content_type not in FORM_CONTENT_TYPES:
        return False
    try:
        fields = request.POST
    except OSError:
        return False  # the client went away mid-body; the view meets the same error
    return any(CONTROL.search(name) or _has_control(values) for name, values in fields.lists())


class RefuseControlCharactersMiddleware:
    """400 for a control character in the path, a query parameter or a form field."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            CONTROL.search(request.path_info)
            or ENCODED_CONTROL.search(request.META.get("QUERY_STRING", ""))
            or _bad_form(request)
        ):
            return self.refuse(request)
        return self.get_response(request)

    @staticmethod
    def refuse(request: HttpRequest) -> HttpResponse:
        title = _("Yêu cầu không hợp lệ.")
        detail = _(
            "Địa chỉ hoặc dữ liệu gửi lên có ký tự điều khiển (như NUL); hãy bỏ ký tự đó rồi "
            "gửi lại."
        )
        if request.path_info.startswith("/api/"):
            return problem(request, 400, title, detail)
        return HttpResponse(
            f"{title} {detail}\n", status=400, content_type="text/plain; charset=utf-8"
        )


class MethodNotAllowedPageMiddleware:
    """An address a form posts to, opened in the browser (a bookmark, Enter in the address bar
    after a refused form), answers 405 with an empty body: a blank page. Pages answer a
    Vietnamese one instead, with the same status and ``Allow``; the API keeps its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or response.content or request.path.startswith("/api/"):
            return response
        page = render(request, "405.html", frame(request), status=405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page


# What no page of the application uses: the browser refuses them to any script of ours too.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)


class PrivacyHeadersMiddleware:
    """``Permissions-Policy`` on every answer, and ``Cache-Control: private`` on every answer to
    a logged-in person (a page, a fragment, an export, an API answer read with a token): what
    their scope let them see is never kept by a shared cache. Anonymous answers (the public
    gazetteer) keep whatever their views set."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True)
        return response
