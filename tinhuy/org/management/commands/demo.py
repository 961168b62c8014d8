from __future__ import annotations

import os
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tinhuy.demo import PERSONAS, demo_password, load_demo
from tinhuy.progress import command_reporter


class Command(BaseCommand):
    help = (
        "Load the demo: Nghệ An's current two-level structure (130 communes and wards), the 2020 "
        "three-level structure, and one account per persona. Safe to run again: nothing changes. "
        "The password is TINHUY_DEMO_PASSWORD, or generated once into var/demo-password."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        password, generated = demo_password()
        try:
            # The demo's accounts can change real data: their password must pass the same
            # validators as anyone's (AUTH_PASSWORD_VALIDATORS).
            validate_password(password)
        except ValidationError as exc:
            raise CommandError(
                "Mật khẩu mẫu (TINHUY_DEMO_PASSWORD hoặc var/demo-password) chưa đủ mạnh: "
                + " ".join(exc.messages)
                + " Hãy đặt mật khẩu khác hoặc bỏ TINHUY_DEMO_PASSWORD để hệ thống tự sinh."
            ) from None
        with command_reporter(self, options, "Nạp dữ liệu mẫu", unit="bước") as progress:
            changes = load_demo(password, progress=progress)
        if changes:
            for line in changes:
                self.stdout.write(f"  + {line}")
        else:
            self.stdout.write("Dữ liệu mẫu đã có sẵn; không thay đổi gì.")
        self.stdout.write("")
        port = os.environ.get("PORT", "8000")  # as `tinhuy serve` (and `make run`) will take it
        self.stdout.write(f"Tài khoản mẫu (đăng nhập tại http://127.0.0.1:{port}/dang-nhap/):")
        for persona in PERSONAS:
            self.stdout.write(f"  {persona.username:<10} {persona.description}")
        source = (
            "mới sinh, lưu ở var/demo-password"
            if generated
            else ("từ TINHUY_DEMO_PASSWORD hoặc var/demo-password")
        )
        self.stdout.write(f"Mật khẩu chung: {password}   ({source})")
