"""Error pages: 400, 403, 404, 500, the CSRF failure and the log-in lock-out, in Vietnamese.

Each page is drawn in the frame of the part of the site it answers for: the public gazetteer's
frame (linking back to the gazetteer, never to the log-in form) for its public addresses, the
application's frame for everything else. Under ``/api/`` the answer stays an RFC 7807 problem
document, as the API's own errors are (``tinhuy.api``).

None of these pages shows the exception's text, with one exception: a ``BadRequest`` raised by
our own code carries a Vietnamese message meant for the user. A 404 for an object out of the
user's scope therefore reads exactly like one for an absent object.

The 500 page reads nothing: no database, no context processor, no ``{% url %}``. It is drawn from
``500.html`` with two plain strings, and from a constant if even that fails.
"""

from __future__ import annotations

import logging
import math
import traceback
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from axes.conf import settings as axes_settings
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, HttpResponseServerError
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import render, resolve_url
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from tinhuy.apikit import problem

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
# The public gazetteer lives under /dia-chi/, its editors' pages under /dia-chi/bien-tap/ (both
# checked against the URLconf by tests/test_error_pages.py); /media/ holds its images.
GAZETTEER_PREFIX = "/dia-chi/"
GAZETTEER_EDITOR_PREFIX = "/dia-chi/bien-tap/"
# The fixed words of the public gazetteer's addresses (tinhuy/gazetteer/views/public.py).
ROUTE_WORDS = frozenset(
    {"muc", "chuong", "dia-danh", "chi-tieu", "thay-doi", "an-ban", "tim-kiem", "tra-cuu"}
)
PUBLIC_FRAME = "gazetteer/base_public.html"
APP_FRAME = "base.html"

# When everything else fails (the template itself cannot be read): the same words, no markup
# that could fail. Not translated: gettext itself may be what broke.
LAST_RESORT_500 = (
    '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Lỗi máy chủ</title>'
    "</head><body><h1>Lỗi máy chủ</h1><p>Hệ thống gặp lỗi khi xử lý yêu cầu này. Lỗi đã được "
    'ghi vào nhật ký máy chủ; hãy thử lại sau ít phút.</p><p><a href="/">Về trang chủ</a></p>'
    "</body></html>"
)


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def is_public(request: HttpRequest) -> bool:
    """Whether the address belongs to the public site a citizen visits without logging in."""
    path = request.path_info
    if path.startswith(settings.MEDIA_URL):
        return True
    return path.startswith(GAZETTEER_PREFIX) and not path.startswith(GAZETTEER_EDITOR_PREFIX)


def frame(request: HttpRequest) -> dict[str, Any]:
    """What an error template needs to draw itself in the frame its address belongs to:
    ``error_frame`` (the template it extends) and ``public`` (which links and words fit)."""
    public = is_public(request)
    return {"public": public, "error_frame": PUBLIC_FRAME if public else APP_FRAME}


def _page(request: HttpRequest, template: str, status: int, **context: Any) -> HttpResponse:
    return render(request, template, {**frame(request), **context}, status=status)


def _user_message(exception: Exception | None) -> str:
    """The text of a ``BadRequest`` raised by our own code (a Vietnamese sentence for the
    user, e.g. the dashboard's invalid date), else nothing: Django's own exceptions speak
    English to developers."""
    if type(exception) is not BadRequest or exception.__traceback__ is None:
        return ""
    frames = traceback.extract_tb(exception.__traceback__)
    raised_in = frames[-1].filename if frames else ""
    return str(exception) if f"{settings.PACKAGE_DIR}" in raised_in else ""


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler400``."""
    detail = _user_message(exception)
    if is_api(request):
        return problem(request, 400, _("Yêu cầu không hợp lệ."), detail)
    return _page(request, "400.html", 400, detail=detail)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler403``."""
    if is_api(request):
        # The words of the API's own 403 (tinhuy.api), so both read alike.
        return problem(
            request, 403, _("Không được phép."), _("Bạn chỉ được xem, không được thay đổi.")
        )
    return _page(request, "403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler404``: the same page whether the object is absent or out of the user's scope."""
    if is_api(request):
        # The words of the API's own 404 (tinhuy.api): an unknown address reads like an
        # unknown object.
        return problem(
            request,
            404,
            _("Không tìm thấy."),
            _("Không có đối tượng này, hoặc bạn không có quyền xem."),
        )
    return _page(request, "404.html", 404, search_words=_search_words(request))


def _search_words(request: HttpRequest) -> str:
    """The words of a public address's last named part (``/dia-chi/muc/song-lam/`` gives
    "song lam"), offered as a search on the 404 page; nothing for years, codes and the fixed
    words of the gazetteer's addresses."""
    path = request.path_info
    if not path.startswith(GAZETTEER_PREFIX):
        return ""
    for part in reversed(path.removeprefix(GAZETTEER_PREFIX).strip("/").split("/")):
        if part in ROUTE_WORDS:
            continue
        words = " ".join(part.replace("-", " ").replace("_", " ").split())[:100]
        if sum(char.isalpha() for char in words) >= 3:
            return words
    return ""


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: ``500.html`` with two plain strings, no request and no database (which
    may be what failed)."""
    try:
        api, public = is_api(request), is_public(request)
    except Exception:  # a broken request must not stop the error page
        api = public = False
    if api:
        return problem(
            request,
            500,
            _("Lỗi máy chủ."),
            _("Lỗi đã được ghi vào nhật ký máy chủ; hãy thử lại sau ít phút."),
        )
    context = {
        "public": public,
        "home_url": GAZETTEER_PREFIX if public else "/",
        "site_name": _("Địa chí Nghệ An") if public else _("Tỉnh ủy số"),
    }
    try:
        body: str = render_to_string("500.html", context)
    except Exception:  # the last page must always be drawn
        logger.exception("The 500 page could not be rendered.")
        body = LAST_RESORT_500
    return HttpResponseServerError(body)


# --- CSRF failure ------------------------------------------------------------------------------


def _token_problem(request: HttpRequest, reason: str) -> bool:
    """Whether the form simply carried a token that no longer matches (opened before a log-in
    or log-out elsewhere, or long ago), as opposed to cookies switched off or a proxy that
    hides the site's origin, which a fresh form would not mend."""
    if reason == REASON_NO_CSRF_COOKIE:
        return bool(request.COOKIES)  # no cookie at all: the browser refuses cookies
    return reason.startswith(("CSRF token", "CSRF cookie"))


def _safe_next(request: HttpRequest, value: str) -> str:
    allowed = url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return value if value and allowed else ""


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a form sent with a token that is no longer valid.

    On the log-in form (two log-in tabs: logging in on one renews the token the other still
    holds) the user is sent on: to where they were going if the other tab logged them in, else
    to a fresh log-in form, with a message saying what happened. Elsewhere a page explains it
    and offers to go back."""
    if is_api(request):
        return problem(
            request,
            403,
            _("Không được phép."),
            _("Thiếu mã chống giả mạo (CSRF) hoặc mã đã hết hạn; hãy tải lại trang rồi gửi lại."),
        )
    # Each log-in form and where it leads once logged in: the application's and the admin's.
    logins = {
        reverse("login"): resolve_url(settings.LOGIN_REDIRECT_URL),
        reverse("admin:login"): reverse("admin:index"),
    }
    if request.path in logins and _token_problem(request, reason):
        next_url = _safe_next(request, request.POST.get("next", "") or request.GET.get("next", ""))
        if request.user.is_authenticated:
            messages.info(
                request,
                _(
                    "Bạn đã đăng nhập với tài khoản %(username)s (có lẽ ở một thẻ khác của "
                    "trình duyệt), nên trang đăng nhập cũ không dùng được nữa."
                )
                % {"username": request.user.get_username()},
            )
            return HttpResponseRedirect(next_url or logins[request.path])
        messages.warning(
            request,
            _(
                "Trang đăng nhập vừa rồi đã hết hạn (mở đã lâu, hoặc bạn vừa đăng nhập hay đăng "
                "xuất ở một thẻ khác). Hãy nhập lại tên đăng nhập và mật khẩu."
            ),
        )
        query = f"?{urlencode({'next': next_url})}" if next_url else ""
        return HttpResponseRedirect(f"{request.path}{query}")
    back = _safe_next(request, request.headers.get("referer", ""))
    return _page(
        request,
        "403_csrf.html",
        403,
        back_url=back,
        cookies_refused=reason == REASON_NO_CSRF_COOKIE and not request.COOKIES,
    )


# --- Lock-out ----------------------------------------------------------------------------------


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: 429 with the real wait. Each try while locked starts the wait
    again (django-axes' ``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT``), so the lock ends one
    cool-off after this very try."""
    cool_off: timedelta | None = get_cool_off(request)
    # No cool-off (None) is a lock that lasts until an administrator lifts it.
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off is not None else 0
    until = timezone.localtime() + cool_off if cool_off is not None else None
    return render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        {
            "minutes": minutes,
            "until": until,
            "failure_limit": get_failure_limit(request, credentials),
            "username": get_client_username(request, credentials) or "",
        },
        status=axes_settings.AXES_HTTP_RESPONSE_CODE,
    )
