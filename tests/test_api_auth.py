"""Who the API answers, and how: a write with neither a token nor a logged-in session is 401
(documented), never 403 "CSRF check Failed"; a logged-in browser still needs its CSRF token."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tinhuy.accounts.actions import do_create_api_token

pytestmark = pytest.mark.django_db

WRITE = "/api/v1/drafts/"


def test_an_anonymous_write_is_401_problem_json() -> None:
    for client in (Client(enforce_csrf_checks=True), Client()):
        response = client.post(WRITE, {}, content_type="application/json")
        assert response.status_code == 401, response.content
        assert response["Content-Type"] == "application/problem+json"
        assert "CSRF" not in response.content.decode()


def test_a_logged_in_browser_write_without_its_csrf_token_is_refused(personas: Any) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(personas.province_office)
    response = browser.post(WRITE, {}, content_type="application/json")
    assert response.status_code == 403


def test_a_token_needs_no_csrf_token(personas: Any) -> None:
    _token, secret = do_create_api_token(personas.province_office, acting_user=None)
    script = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = script.post(WRITE, {}, content_type="application/json")
    assert response.status_code == 422  # past authentication: the empty body is what is wrong
