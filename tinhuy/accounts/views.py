"""A person's own account: change the password, see and revoke their API tokens (or make one),
revoke the calendar links they gave out. Nobody reaches another person's account here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tinhuy.accounts.actions import (
    do_create_api_token,
    do_revoke_api_token,
    do_revoke_calendar_links,
    do_set_password,
)
from tinhuy.accounts.models import ApiToken
from tinhuy.accounts.queries import tokens_of


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Tên gợi nhớ"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Ví dụ: “Phần mềm tổng hợp của Văn phòng”."),
    )
    days = forms.IntegerField(label=gettext_lazy("Số ngày hiệu lực"), min_value=1)

    def __init__(self, *args: Any, longest: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        days = self.fields["days"]
        days.initial = longest
        days.validators.append(MaxValueValidator(longest))
        days.widget.attrs.update(min=1, max=longest)


def _context(request: HttpRequest, **extra: object) -> dict[str, object]:
    longest = settings.TINHUY_API_TOKEN_DAYS
    return {
        "password_form": PasswordChangeForm(request.user),
        "token_form": TokenForm(longest=longest),
        "tokens": list(tokens_of(request.user)),  # type: ignore[arg-type]
        "now": timezone.now(),
        "longest": longest,
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """The page; a POST changes the password."""
    if request.method == "POST":
        form = PasswordChangeForm(request.user, request.POST)
        if form.is_valid():
            user = form.user
            revoked = do_set_password(user, form.cleaned_data["new_password1"], acting_user=user)
            update_session_auth_hash(request, user)  # stay logged in here, nowhere else
            messages.success(
                request,
                _(
                    "Đã đổi mật khẩu. %(n)s mã truy cập API và mọi đường dẫn lịch đã cấp trước "
                    "đây đã bị thu hồi; các phiên đăng nhập khác đã kết thúc."
                )
                % {"n": len(revoked)},
            )
            return redirect("account")
        return render(request, "accounts/account.html", _context(request, password_form=form))
    return render(request, "accounts/account.html", _context(request))


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST, longest=settings.TINHUY_API_TOKEN_DAYS)
    if not form.is_valid():
        return render(request, "accounts/account.html", _context(request, token_form=form))
    try:
        token, secret = do_create_api_token(
            request.user,  # type: ignore[arg-type]
            name=form.cleaned_data["name"],
            days=form.cleaned_data["days"],
            acting_user=request.user,
        )
    except ValidationError as exc:
        form.add_error("days", exc)
        return render(request, "accounts/account.html", _context(request, token_form=form))
    # Shown once, on this answer only: it is stored as a hash.
    return render(request, "accounts/account.html", _context(request, new=token, secret=secret))


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=token_id, user=request.user).first()  # type: ignore[misc]
    if token is None:  # another person's token is answered as one that does not exist
        raise Http404("No token matches the given query.")
    try:
        do_revoke_api_token(token, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã thu hồi mã %(p)s…") % {"p": token.prefix})
    return redirect("account")


@login_required
@require_POST
def calendar_links_revoke(request: HttpRequest) -> HttpResponse:
    do_revoke_calendar_links(request.user, acting_user=request.user)  # type: ignore[arg-type]
    messages.success(
        request,
        _(
            "Mọi đường dẫn lịch (.ics) đã cấp trước đây đã bị thu hồi; lấy đường dẫn mới ở trang "
            "lịch của đơn vị."
        ),
    )
    return redirect("account")


urlpatterns: list[URLPattern] = [
    path("", account, name="account"),
    path("ma-truy-cap/tao/", token_create, name="account_token_create"),
    path("ma-truy-cap/<int:token_id>/thu-hoi/", token_revoke, name="account_token_revoke"),
    path("duong-dan-lich/thu-hoi/", calendar_links_revoke, name="account_calendar_revoke"),
]
