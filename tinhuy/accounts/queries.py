"""Reads for accounts: a person's API tokens and calendar-link generation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from tinhuy.accounts.models import ApiToken, FeedKey

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def feed_generation(user_id: int) -> int:
    """The generation the person's calendar links must carry (0 until one is revoked)."""
    found = FeedKey.objects.filter(user_id=user_id).values_list("generation", flat=True).first()
    return found or 0


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """A person's API tokens, newest first (the revoked and expired ones too: they are history)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")
