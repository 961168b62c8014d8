"""The ``tinhuy`` command line: the overview, each command's help, tokens, the demo."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tests.conftest import PASSWORD
from tinhuy.accounts.models import ApiToken
from tinhuy.audit.models import AuditEvent
from tinhuy.cli import main
from tinhuy.org.loaders import STRUCTURE_2020_CODE

COMMANDS = ("serve", "demo", "import-structure", "token", "backup", "restore")


def test_tinhuy_help_lists_every_operator_command(capsys: pytest.CaptureFixture[str]) -> None:
    """``tinhuy --help`` is the overview a newcomer reads; each command is on it."""
    assert main(["--help"]) == 0
    overview = capsys.readouterr().out
    for command in COMMANDS:
        assert f"  {command} " in overview, command


@pytest.mark.parametrize("command", ["demo", "backup", "restore", "token", "serve"])
def test_each_command_explains_itself_with_help(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``tinhuy COMMAND --help`` exits successfully and shows the command's own description."""
    with pytest.raises(SystemExit) as exit_:
        call_command(command, "--help")
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: ")
    description = text.split("\n\n")[1].strip()
    assert len(description) > 40, description


@pytest.mark.django_db
def test_token_create_prints_a_token_that_opens_the_api_and_stores_only_its_hash() -> None:
    """The token is printed once; the database keeps its sha256 and a short prefix, and the
    token works as ``Authorization: Bearer``. A wrong token gets a 401 problem document."""
    out = io.StringIO()
    call_command("token", "create", "vinh", stdout=out)
    token = out.getvalue().strip()
    assert token.startswith("tuy_")

    stored = ApiToken.objects.get(user__username="vinh")
    assert stored.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token.startswith(stored.prefix)
    assert len(stored.prefix) < len(token) // 2
    values = [str(getattr(stored, field.attname)) for field in ApiToken._meta.concrete_fields]
    event = AuditEvent.objects.filter(action="api_token.create").latest("id")
    assert token not in " ".join(values) + str(event.after)

    response = Client().get("/api/v1/structures/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    # Vinh's officer works in the 2020 structure only.
    assert [structure["code"] for structure in response.json()] == [STRUCTURE_2020_CODE]

    wrong = Client().get("/api/v1/structures/", HTTP_AUTHORIZATION=f"Bearer {token}x")
    assert wrong.status_code == 401
    assert wrong["Content-Type"] == "application/problem+json"
    assert wrong.json()["status"] == 401


@pytest.mark.django_db
def test_token_create_for_an_unknown_user_is_an_error() -> None:
    """No account, no token: the operator is told the name is unknown."""
    with pytest.raises(CommandError, match="khong-co-ai"):
        call_command("token", "create", "khong-co-ai", stdout=io.StringIO())
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_running_the_demo_again_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo is already loaded (with the test password); a second run writes no event."""
    monkeypatch.setenv("TINHUY_DEMO_PASSWORD", PASSWORD)
    events = AuditEvent.objects.count()
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "không thay đổi gì" in out.getvalue()
    assert AuditEvent.objects.count() == events
