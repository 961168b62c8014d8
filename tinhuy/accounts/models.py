"""API tokens for scripts: only a hash is stored; the token is shown once, when created, and
lives ``TINHUY_API_TOKEN_DAYS`` days at most. A person's calendar links carry a generation
(``FeedKey``): raising it revokes every link given before."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "tuy_"  # noqa: S105 - a public marker, not a secret


def hash_token(token: str) -> str:
    # A token is 256 random bits, so a fast unsalted hash is enough; it lets the look-up be one
    # indexed equality instead of checking every stored hash with a slow password hasher.
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("tên"), max_length=100, blank=True)
    # The first characters, so an administrator can tell tokens apart without the secret.
    prefix = models.CharField(_("tiền tố"), max_length=16)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class FeedKey(models.Model):
    """The generation of a person's calendar (.ics) links: each link carries the generation it
    was made in, and only links of the current one are answered. No row: generation 0."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.CASCADE,
        related_name="feed_key",
    )
    generation = models.PositiveIntegerField(_("thế hệ đường dẫn lịch"), default=0)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("khóa đường dẫn lịch")
        verbose_name_plural = _("khóa đường dẫn lịch")

    def __str__(self) -> str:
        return f"{self.user} ({self.generation})"
