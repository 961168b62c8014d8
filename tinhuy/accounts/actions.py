"""Writes for accounts: accounts and passwords, API tokens, calendar links.

A password is checked by the validators of ``AUTH_PASSWORD_VALIDATORS`` wherever it is set
(the demo's too); setting one revokes the person's API tokens and calendar links, so a token
copied by whoever knew the old password stops working with it."""

from __future__ import annotations

import datetime
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhuy.accounts.models import TOKEN_PREFIX, ApiToken, FeedKey, hash_token
from tinhuy.audit.actions import record

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


@transaction.atomic
def do_create_api_token(
    user: User,
    *,
    name: str = "",
    days: int | None = None,
    acting_user: User | AnonymousUser | None,
) -> tuple[ApiToken, str]:
    """Create a token for ``user`` that lives ``days`` (at most, and by default,
    ``TINHUY_API_TOKEN_DAYS``); returns the row and the secret, which is not stored."""
    longest = settings.TINHUY_API_TOKEN_DAYS
    days = longest if days is None else days
    if not 1 <= days <= longest:
        raise ValidationError(_("Mã truy cập sống từ 1 đến %(n)s ngày.") % {"n": longest})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[:12],
        key_hash=hash_token(secret),
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    record(
        "api_token.create",
        token,
        acting_user=acting_user,
        after={
            "user": user.get_username(),
            "name": name,
            "prefix": token.prefix,
            "expires_at": token.expires_at.isoformat(),
        },
    )
    return token, secret


@transaction.atomic
def do_revoke_api_token(token: ApiToken, *, acting_user: User | AnonymousUser | None) -> None:
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is not None:
        raise ValidationError(_("Mã truy cập này đã bị thu hồi."))
    locked.revoked_at = token.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    record("api_token.revoke", locked, acting_user=acting_user, after={"prefix": locked.prefix})


def user_for_token(secret: str) -> User | None:
    """The active user a bearer token belongs to, or None (also once it expired)."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(
            key_hash=hash_token(secret),
            revoked_at__isnull=True,
            expires_at__gt=now,
            user__is_active=True,
        )
        .first()
    )
    if token is None:
        return None
    # Touch at most once a minute: a busy script should not write on every request.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def do_revoke_calendar_links(user: User, *, acting_user: User | AnonymousUser | None) -> int:
    """Every calendar link given to ``user`` so far stops working; the new generation."""
    key, _created = FeedKey.objects.select_for_update().get_or_create(user=user)
    FeedKey.objects.filter(pk=key.pk).update(
        generation=F("generation") + 1, revoked_at=timezone.now()
    )
    key.refresh_from_db()
    record(
        "calendar_links.revoke",
        user,
        acting_user=acting_user,
        after={"username": user.get_username(), "generation": key.generation},
    )
    return key.generation


def _revoke_everything(user: User, acting_user: User | AnonymousUser | None) -> list[str]:
    """A changed password revokes the person's live API tokens and calendar links; the
    prefixes of the tokens revoked."""
    live = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
    for token in live:
        do_revoke_api_token(token, acting_user=acting_user)
    do_revoke_calendar_links(user, acting_user=acting_user)
    return [token.prefix for token in live]


@transaction.atomic
def do_create_user(
    username: str,
    *,
    password: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    acting_user: User | AnonymousUser | None,
) -> User:
    """Create an account. Vietnamese names: ``last_name`` holds the family and middle names.
    The password must pass the validators (a ``ValidationError`` lists what it lacks)."""
    from django.contrib.auth import get_user_model

    model = get_user_model()
    validate_password(
        password,
        model(username=username, first_name=first_name, last_name=last_name, email=email),
    )
    user = model.objects.create_user(
        username=username,
        password=password,
        first_name=first_name,
        last_name=last_name,
        email=email,
    )
    record(
        "user.create",
        user,
        acting_user=acting_user,
        after={"username": username, "first_name": first_name, "last_name": last_name},
    )
    return user


@transaction.atomic
def do_set_password(
    user: User, password: str, *, acting_user: User | AnonymousUser | None
) -> list[str]:
    """Set a password that passes the validators; the person's API tokens and calendar links
    are revoked with the old one. The prefixes of the tokens revoked."""
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    revoked = _revoke_everything(user, acting_user)
    record(
        "user.set_password",
        user,
        acting_user=acting_user,
        after={"username": user.get_username(), "api_tokens_revoked": revoked},
    )
    return revoked
