"""The addresses the load asks for, written without Django (locust runs apart from the server);
``tests/test_load_runner.py`` checks that each resolves to the page it names."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlencode

LOGIN_PATH = "/dang-nhap/"
# The page names locust reports, in the order the runner prints them.
PAGES = ("study dashboard", "gazetteer entry", "gazetteer search", "figure look-up")
# Their URL pattern names (tinhuy's urls), checked by tests/test_load_runner.py.
URL_NAMES = {
    "study dashboard": "study_dashboard",
    "gazetteer entry": "gazetteer_entry",
    "gazetteer search": "gazetteer_search",
    "figure look-up": "gazetteer_lookup",
}
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def dashboard_path(plan_id: int) -> str:
    return f"/hoc-tap/{int(plan_id)}/tien-do/"


def entry_path(year: int, slug: str) -> str:
    return f"/dia-chi/{int(year)}/muc/{quote(slug)}/"


def search_path(question: str) -> str:
    return "/dia-chi/tim-kiem/?" + urlencode({"q": question})


def lookup_path(question: str) -> str:
    return "/dia-chi/tra-cuu/?" + urlencode({"q": question})


def paths(targets: dict[str, Any]) -> dict[str, list[str]]:
    """Every address each page is asked at, from ``load/targets.py``'s JSON."""
    return {
        "study dashboard": [dashboard_path(pk) for pk in targets["plan_ids"]],
        "gazetteer entry": [entry_path(year, slug) for year, slug in targets["entries"]],
        "gazetteer search": [search_path(q) for q in targets["search"]],
        "figure look-up": [lookup_path(q) for q in targets["lookup"]],
    }
