"""``tinhuy serve`` prints the addresses it really serves, with the port it was given."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from tinhuy.ops.management.commands import serve


@pytest.fixture
def execv(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """gunicorn is not started: the arguments it would get are kept instead."""
    calls: list[list[str]] = []
    monkeypatch.setattr(serve.os, "execv", lambda path, argv: calls.append(list(argv)))
    return calls


def run(**options: Any) -> str:
    out = io.StringIO()
    call_command("serve", stdout=out, **options)
    return out.getvalue()


def test_it_prints_the_log_in_link_on_the_port_it_serves(execv: list[list[str]]) -> None:
    output = run(port=8123)
    assert "đang chạy tại http://127.0.0.1:8123/" in output
    assert "Đăng nhập tại http://127.0.0.1:8123/dang-nhap/" in output
    assert execv[0][execv[0].index("--bind") + 1] == "127.0.0.1:8123"


def test_the_port_comes_from_PORT_when_not_given(
    execv: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``PORT=8080 make run``: the default of ``--port`` is read when the command is parsed."""
    monkeypatch.setenv("PORT", "8080")
    assert "Đăng nhập tại http://127.0.0.1:8080/dang-nhap/" in run()


def test_all_addresses_are_shown_as_this_machines(execv: list[list[str]]) -> None:
    output = run(port=8124, host="0.0.0.0")  # noqa: S104 - what the test is about
    assert "Đăng nhập tại http://127.0.0.1:8124/dang-nhap/" in output
    assert execv[0][execv[0].index("--bind") + 1] == "0.0.0.0:8124"
