"""Writes for accounts: API tokens."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from tinhuy.accounts.models import TOKEN_PREFIX, ApiToken, hash_token
from tinhuy.audit.actions import record

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User


@transaction.atomic
def do_create_api_token(
    user: User, *, name: str = "", acting_user: User | AnonymousUser | None
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the secret, which is not stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[:12], key_hash=hash_token(secret)
    )
    record(
        "api_token.create",
        token,
        acting_user=acting_user,
        after={"user": user.get_username(), "name": name, "prefix": token.prefix},
    )
    return token, secret


@transaction.atomic
def do_revoke_api_token(token: ApiToken, *, acting_user: User | AnonymousUser | None) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record("api_token.revoke", token, acting_user=acting_user, after={"prefix": token.prefix})


def user_for_token(secret: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Touch at most once a minute: a busy script should not write on every request.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


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
    """Create an account. Vietnamese names: ``last_name`` holds the family and middle names."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
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
def do_set_password(user: User, password: str, *, acting_user: User | AnonymousUser | None) -> None:
    user.set_password(password)
    user.save(update_fields=["password"])
    record(
        "user.set_password", user, acting_user=acting_user, after={"username": user.get_username()}
    )
