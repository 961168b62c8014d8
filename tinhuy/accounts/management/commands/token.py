from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tinhuy.accounts.actions import do_create_api_token, do_revoke_api_token
from tinhuy.accounts.models import ApiToken
from tinhuy.accounts.queries import tokens_of


class Command(BaseCommand):
    help = (
        "Manage API tokens. `tinhuy token create USERNAME [--days N]` prints a new token once "
        "(only its hash is stored; use it as `Authorization: Bearer <token>`); `tinhuy token "
        "list [USERNAME]` shows tokens by their prefix; `tinhuy token revoke PREFIX` revokes "
        "one. A token expires after TINHUY_API_TOKEN_DAYS days; a password change revokes all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="create a token for USERNAME and print it")
        create.add_argument("username")
        create.add_argument("--name", default="", help="a label to tell tokens apart")
        create.add_argument("--days", type=int, default=None, help="days it lives (default: all)")
        listing = sub.add_parser("list", help="list the tokens (of USERNAME)")
        listing.add_argument("username", nargs="?")
        revoke = sub.add_parser("revoke", help="revoke the token whose prefix is PREFIX")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['subcommand']}")(options)

    def _user(self, username: str) -> Any:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có tài khoản “{username}”.")
        return user

    def _create(self, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        try:
            token, secret = do_create_api_token(
                user, name=options["name"], days=options["days"], acting_user=None
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(secret)
        expires = timezone.localtime(token.expires_at)
        self.stderr.write(f"Hết hạn lúc {expires:%H:%M %d/%m/%Y}.")

    def _list(self, options: dict[str, Any]) -> None:
        if options["username"]:
            tokens = tokens_of(self._user(options["username"])).select_related("user")
        else:
            tokens = ApiToken.objects.select_related("user").order_by("user__username", "-id")
        now = timezone.now()
        rows = list(tokens)
        if not rows:
            self.stdout.write("Không có mã truy cập nào.")
            return
        for token in rows:
            if token.revoked_at is not None:
                state = f"thu hồi {timezone.localtime(token.revoked_at):%d/%m/%Y}"
            elif token.expires_at <= now:
                state = f"hết hạn {timezone.localtime(token.expires_at):%d/%m/%Y}"
            else:
                state = f"còn hạn đến {timezone.localtime(token.expires_at):%d/%m/%Y}"
            used = (
                f"dùng lần cuối {timezone.localtime(token.last_used_at):%d/%m/%Y}"
                if token.last_used_at
                else "chưa dùng"
            )
            self.stdout.write(
                f"{token.prefix}…  {token.user.get_username():<16} {token.name or '—':<20} "
                f"tạo {timezone.localtime(token.created_at):%d/%m/%Y}, {state}, {used}"
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        prefix = options["prefix"].rstrip("…").rstrip(".")
        found = list(ApiToken.objects.filter(prefix=prefix))
        if not found:
            raise CommandError(f"Không có mã truy cập nào có tiền tố “{prefix}”.")
        if len(found) > 1:  # 12 characters of 256 random bits: in practice never
            raise CommandError(f"Có {len(found)} mã cùng tiền tố “{prefix}”; thu hồi trong trang.")
        try:
            do_revoke_api_token(found[0], acting_user=None)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"Đã thu hồi mã {prefix}… của {found[0].user.get_username()}.")
