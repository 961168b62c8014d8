"""Production headers (issue 12): a Content-Security-Policy that allows scripts from the site's
own files only — so no template may carry an inline script or an on… handler —,
Permissions-Policy and Referrer-Policy everywhere, ``Cache-Control: private`` on everything a
logged-in person receives, and ``check --deploy`` clean with the documented environment."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

import tinhuy
from tinhuy.accounts.actions import do_create_api_token

TEMPLATES = Path(tinhuy.__file__).resolve().parent / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def _directives(header: str) -> dict[str, list[str]]:
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part
    }


@pytest.mark.django_db
def test_every_answer_carries_the_policies(client: Any) -> None:
    response = client.get(reverse("login"))
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_what_a_logged_in_person_receives_is_private(
    client_for: Any, personas: Any, units: Any
) -> None:
    office = client_for(personas.province_office)
    for url in (
        reverse("home"),
        reverse("unit_detail", args=[units.vinh.pk]),
        "/api/v1/structures/",
    ):
        response = office.get(url)
        assert response.status_code == 200
        assert "private" in response["Cache-Control"], url
    _token, secret = do_create_api_token(personas.vinh_officer, acting_user=None)
    script = client_for(personas.citizen).get(
        "/api/v1/structures/", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert "private" in script["Cache-Control"]


@pytest.mark.django_db
def test_a_citizens_answer_is_not_marked_private(client: Any) -> None:
    response = client.get("/dia-chi/")  # the public gazetteer
    assert response.status_code == 200
    assert "private" not in response.get("Cache-Control", "")


def test_no_template_has_an_inline_script_or_handler() -> None:
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, HANDLER):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(TEMPLATES)}:{line}: {match.group(0).strip()}")
    assert not found, (
        "inline scripts are refused by the CSP; use tinhuy/static/*.js:\n" + "\n".join(found)
    )


def test_check_deploy_is_clean_with_the_documented_environment(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TINHUY_VAR_DIR": str(tmp_path),
        "TINHUY_ALLOWED_HOSTS": "tinhuy.example.vn",
        "TINHUY_HTTPS_PROXY": "1",
        "TINHUY_HSTS_PRELOAD": "1",
        "DJANGO_SETTINGS_MODULE": "tinhuy.settings",
    }
    env.pop("TINHUY_DEBUG", None)
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
