"""API tokens that expire and can be listed and revoked, calendar links that can be revoked, and
passwords checked by the validators wherever they are set, a change revoking both (issue 12)."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD
from tinhuy.accounts.actions import (
    do_create_api_token,
    do_create_user,
    do_revoke_calendar_links,
    do_set_password,
    user_for_token,
)
from tinhuy.accounts.models import ApiToken
from tinhuy.audit.models import AuditEvent
from tinhuy.study.access import ics_token

pytestmark = pytest.mark.django_db

STRONG = "Dat-lai-Mat-khau-2026"


def _api(secret: str) -> int:
    return Client().get("/api/v1/structures/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code


def _ics(user: Any, unit: Any, token: str | None = None) -> int:
    url = reverse("study_unit_ics", args=[unit.pk])
    return Client().get(url, {"token": token or ics_token(user, unit)}).status_code


# Tokens -----------------------------------------------------------------------------------------


def test_a_token_lives_the_configured_days_and_not_a_moment_more(personas: Any) -> None:
    token, secret = do_create_api_token(personas.vinh_officer, acting_user=None)
    lived = token.expires_at - token.created_at
    assert datetime.timedelta(days=89, hours=23) < lived <= datetime.timedelta(days=90)
    assert _api(secret) == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    assert user_for_token(secret) is None
    assert _api(secret) == 401


def test_a_token_may_be_asked_for_fewer_days_never_more(personas: Any) -> None:
    token, _secret = do_create_api_token(personas.vinh_officer, days=7, acting_user=None)
    assert (token.expires_at - timezone.now()).days == 6
    for days in (0, 91, -1):
        with pytest.raises(ValidationError, match="từ 1 đến 90 ngày"):
            do_create_api_token(personas.vinh_officer, days=days, acting_user=None)
    with (
        override_settings(TINHUY_API_TOKEN_DAYS=30),
        pytest.raises(ValidationError, match="từ 1 đến 30 ngày"),
    ):
        do_create_api_token(personas.vinh_officer, days=31, acting_user=None)
    assert ApiToken.objects.count() == 1


def test_the_command_lists_and_revokes_tokens_by_their_prefix(personas: Any) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "token", "create", "vinh", "--name", "Báo cáo", "--days", "10", stdout=out, stderr=err
    )
    secret = out.getvalue().strip()
    assert "Hết hạn lúc" in err.getvalue()
    token = ApiToken.objects.get()
    listing = io.StringIO()
    call_command("token", "list", "vinh", stdout=listing)
    line = listing.getvalue()
    assert token.prefix in line and "Báo cáo" in line and "còn hạn đến" in line
    assert "chưa dùng" in line and secret not in line
    done = io.StringIO()
    call_command("token", "revoke", f"{token.prefix}…", stdout=done)
    assert f"Đã thu hồi mã {token.prefix}" in done.getvalue()
    assert _api(secret) == 401
    listing = io.StringIO()
    call_command("token", "list", stdout=listing)
    assert "thu hồi" in listing.getvalue()
    with pytest.raises(CommandError, match="đã bị thu hồi"):
        call_command("token", "revoke", token.prefix, stdout=io.StringIO())
    with pytest.raises(CommandError, match="Không có mã truy cập nào có tiền tố"):
        call_command("token", "revoke", "tuy_khongco", stdout=io.StringIO())
    with pytest.raises(CommandError, match="từ 1 đến 90 ngày"):
        call_command("token", "create", "vinh", "--days", "400", stdout=io.StringIO())
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1


# Passwords ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("123", "quá ngắn"),
        ("12345678901", "hoàn toàn là số"),
        ("password123", "quá phổ biến"),
    ],
)
def test_a_weak_password_is_refused_wherever_it_is_set(
    personas: Any, password: str, why: str
) -> None:
    user = personas.vinh_officer
    before = user.password
    with pytest.raises(ValidationError) as refused:
        do_set_password(user, password, acting_user=None)
    assert why in " ".join(refused.value.messages)
    user.refresh_from_db()
    assert user.password == before
    with pytest.raises(ValidationError):
        do_create_user("moi-tao", password="123", acting_user=None)


def test_a_new_password_revokes_the_tokens_and_the_calendar_links(
    personas: Any, units: Any
) -> None:
    user = personas.vinh_officer
    _token, secret = do_create_api_token(user, acting_user=None)
    old_link = ics_token(user, units.vinh)
    assert _api(secret) == 200 and _ics(user, units.vinh, old_link) == 200
    do_set_password(user, STRONG, acting_user=user)
    assert _api(secret) == 401
    assert _ics(user, units.vinh, old_link) == 404
    assert _ics(user, units.vinh) == 200  # a link made now works
    event = AuditEvent.objects.filter(action="user.set_password").latest("id")
    assert event.after["api_tokens_revoked"] == [_token.prefix]
    assert STRONG not in str(event.after)


def test_calendar_links_can_be_revoked_alone(personas: Any, units: Any) -> None:
    user = personas.vinh_officer
    old_link = ics_token(user, units.vinh)
    assert do_revoke_calendar_links(user, acting_user=user) == 1
    assert _ics(user, units.vinh, old_link) == 404
    assert _ics(user, units.vinh) == 200
    # Another person's links are not touched.
    other = personas.nghiloc_officer
    assert _ics(other, units.nghiloc) == 200


def test_the_demo_refuses_a_weak_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TINHUY_DEMO_PASSWORD", "123")
    with pytest.raises(CommandError, match="chưa đủ mạnh: Mật khẩu quá ngắn: cần ít nhất 8 ký tự"):
        call_command("demo", stdout=io.StringIO())


# The account page ---------------------------------------------------------------------------------


def test_the_account_page_is_for_the_logged_in_only(client_for: Any, personas: Any) -> None:
    assert client_for(personas.citizen).get(reverse("account")).status_code == 302
    page = client_for(personas.vinh_officer).get(reverse("account"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Đổi mật khẩu" in text and "Mã truy cập API" in text and "Đường dẫn lịch" in text
    home = client_for(personas.vinh_officer).get(reverse("home")).content.decode()
    assert reverse("account") in home


def test_changing_the_password_on_the_page(client_for: Any, personas: Any) -> None:
    client = client_for(personas.vinh_officer)
    other_session = client_for(personas.vinh_officer)
    _token, secret = do_create_api_token(personas.vinh_officer, acting_user=None)
    url = reverse("account")
    wrong = client.post(
        url, {"old_password": "sai", "new_password1": STRONG, "new_password2": STRONG}
    )
    assert wrong.status_code == 200 and "Mật khẩu cũ không chính xác" in wrong.content.decode()
    weak = client.post(
        url, {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"}
    )
    assert weak.status_code == 200 and "Mật khẩu quá ngắn" in weak.content.decode()
    assert _api(secret) == 200  # nothing changed yet
    done = client.post(
        url, {"old_password": PASSWORD, "new_password1": STRONG, "new_password2": STRONG}
    )
    assert done.status_code == 302
    page = client.get(url).content.decode()
    assert "Đã đổi mật khẩu. 1 mã truy cập API" in page  # still logged in here
    assert other_session.get(reverse("home")).status_code == 302  # logged out elsewhere
    assert _api(secret) == 401
    logged_in = Client().post(reverse("login"), {"username": "vinh", "password": STRONG})
    assert logged_in.status_code == 302 and logged_in["Location"] == reverse("home")


def test_a_token_is_made_shown_once_and_revoked_on_the_page(client_for: Any, personas: Any) -> None:
    client = client_for(personas.vinh_officer)
    made = client.post(reverse("account_token_create"), {"name": "Tổng hợp", "days": "30"})
    assert made.status_code == 200
    token = ApiToken.objects.get(user=personas.vinh_officer)
    text = made.content.decode()
    start = text.index('value="tuy_') + len('value="')
    secret = text[start : text.index('"', start)]
    assert secret.startswith(token.prefix) and _api(secret) == 200
    assert secret not in client.get(reverse("account")).content.decode()  # once only
    too_long = client.post(reverse("account_token_create"), {"name": "x", "days": "365"})
    assert too_long.status_code == 200 and ApiToken.objects.count() == 1
    revoked = client.post(reverse("account_token_revoke", args=[token.pk]))
    assert revoked.status_code == 302
    assert _api(secret) == 401


def test_another_persons_token_is_answered_as_absent(client_for: Any, personas: Any) -> None:
    token, secret = do_create_api_token(personas.nghiloc_officer, acting_user=None)
    client = client_for(personas.vinh_officer)
    theirs = client.post(reverse("account_token_revoke", args=[token.pk]))
    absent = client.post(reverse("account_token_revoke", args=[987654]))
    assert theirs.status_code == absent.status_code == 404
    assert _api(secret) == 200
    assert token.prefix not in client.get(reverse("account")).content.decode()


def test_revoking_calendar_links_on_the_page(client_for: Any, personas: Any, units: Any) -> None:
    user = personas.vinh_officer
    old_link = ics_token(user, units.vinh)
    response = client_for(user).post(reverse("account_calendar_revoke"))
    assert response.status_code == 302
    assert _ics(user, units.vinh, old_link) == 404
    assert AuditEvent.objects.filter(action="calendar_links.revoke").count() == 1
