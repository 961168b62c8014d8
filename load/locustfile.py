"""What ``make load``'s simulated users do (locust; started by ``load/run.py``).

- **The province office** (one in four users): logs in once through the log-in form, with the
  right password (one log-in per user: django-axes counts failures only, so the account cannot
  be locked out), then opens the study dashboard of an issued plan again and again.
- **Citizens** (three in four, anonymous): open a gazetteer entry, search the gazetteer, look a
  figure up — one of the three, in turn at random.

Each user waits 0.5–1.5 s between two pages (a person reading, not a flood): with 32 users the
offered load is about 32 pages a second, and the server answers slower than that only when it
cannot keep up. Every page must answer 200 itself (redirects are not followed: the dashboard
redirected to the log-in form is a failure, not a page); anything else is a failed request.

The targets (plan ids, entries, questions) come from ``load/targets.py`` through the JSON file
named by ``TINHUY_LOAD_TARGETS``; the password from ``TINHUY_LOAD_PASSWORD``. This module
imports nothing of Django: the addresses are written in ``load/pages.py`` and
``tests/test_load_runner.py`` checks that they resolve to the pages meant.
"""

from __future__ import annotations

import functools
import json
import os
import random
from typing import Any

from locust import HttpUser, between, task
from locust.exception import StopUser

from load.pages import CSRF_FIELD, LOGIN_PATH, paths


@functools.cache
def _targets() -> dict[str, Any]:
    with open(os.environ["TINHUY_LOAD_TARGETS"], encoding="utf-8") as file:
        loaded: dict[str, Any] = json.load(file)
    return loaded


@functools.cache
def _paths() -> dict[str, list[str]]:
    return paths(_targets())


def _pick(page: str) -> str:
    # Load generation, not security: any spread over the targets does.
    return random.choice(_paths()[page])  # noqa: S311


class _Visitor(HttpUser):
    abstract = True
    wait_time = between(0.5, 1.5)

    def open(self, page: str) -> None:
        """GET one of the page's addresses; anything but a 200 of its own is a failure."""
        with self.client.get(
            _pick(page), name=page, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                where = response.headers.get("Location", "")
                response.failure(f"HTTP {response.status_code} {where}".strip())


class ProvinceOffice(_Visitor):
    """The province office's officer: logs in once, then watches the study dashboard."""

    weight = 1

    def on_start(self) -> None:
        with self.client.get(LOGIN_PATH, name="log-in form", catch_response=True) as form:
            token = CSRF_FIELD.search(form.text or "")
            if form.status_code != 200 or token is None:
                form.failure(f"no log-in form (HTTP {form.status_code})")
                raise StopUser
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "username": _targets()["username"],
            "password": os.environ["TINHUY_LOAD_PASSWORD"],
        }
        with self.client.post(
            LOGIN_PATH, data=data, name="log-in", allow_redirects=False, catch_response=True
        ) as response:
            # A good log-in redirects away from the form; a bad one shows the form again (200).
            if response.status_code != 302 or LOGIN_PATH in response.headers.get("Location", ""):
                response.failure(f"log-in refused (HTTP {response.status_code})")
                raise StopUser

    @task
    def study_dashboard(self) -> None:
        self.open("study dashboard")


class Citizen(_Visitor):
    """An anonymous reader of the gazetteer."""

    weight = 3

    @task
    def gazetteer_entry(self) -> None:
        self.open("gazetteer entry")

    @task
    def gazetteer_search(self) -> None:
        self.open("gazetteer search")

    @task
    def figure_lookup(self) -> None:
        self.open("figure look-up")
