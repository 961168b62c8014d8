from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tinhuy.accounts.actions import do_create_api_token


class Command(BaseCommand):
    help = (
        "Manage API tokens. `tinhuy token create USERNAME` prints a new token once; only its "
        "hash is stored. Use it as `Authorization: Bearer <token>`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        create = sub.add_parser("create", help="create a token for USERNAME and print it")
        create.add_argument("username")
        create.add_argument("--name", default="", help="a label to tell tokens apart")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"Không có tài khoản “{options['username']}”.")
        _, secret = do_create_api_token(user, name=options["name"], acting_user=None)
        self.stdout.write(secret)
