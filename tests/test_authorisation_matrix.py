"""The authorisation matrix: every route of the resolver and every operation of the OpenAPI
schema, asked by every persona about an object INSIDE the Vinh officer's scope, one OUTSIDE it
and an ABSENT id, with GET and (pages: always; the API: as the schema declares) a write with an
empty body, which the test's transaction rolls back.

Expected, per answer:
- never a 5xx, for anyone;
- anonymous: a page behind log-in redirects to the log-in form, the API answers 401; the public
  gazetteer answers as it does to anyone;
- Vinh's officer: INSIDE is not 404 (``VINH_404`` lists where it is, and why), nor 403 but
  where he lacks the role (``VINH_403``), OUTSIDE answers
  exactly as ABSENT (same status; the same body once the id is taken out), ABSENT is 404;
- Nghi Lộc's officer, the mirror: Vinh's objects answer as ABSENT ones, his own are not 404;
- the province office: INSIDE and OUTSIDE are never 404 behind log-in; ABSENT is 404;
- the Board member (sees the province, changes nothing): INSIDE and OUTSIDE never 404 behind
  log-in but on the office's and the editors' own routes; the editor: never 404 on the editors'
  routes; both: ABSENT is 404;
- SHARED (a province programme with a task led by each district): Vinh's officer sees it (his
  task, its cycle), and no answer shows him Nghi Lộc's task, nor Nghi Lộc's officer Vinh's;
- the public gazetteer: what it publishes is 200 to all, an entry never published is ABSENT;
- no answer to Vinh's officer (HTML, htmx fragment, JSON, .xlsx, .docx, .ics, .csv) names a unit,
  a person or an object that is only in Nghi Lộc's subtree, nor any to Nghi Lộc's one of Vinh's,
  nor any to the gazetteer's editor one of either (he sees nothing of the organisation).

Where a route legitimately differs, a table says why: ``VINH_404`` (the office's and the editors'
own routes: ``OFFICE_ONLY``, ``EDITORS_ONLY``; and ``Param.vinh_404``: Board meetings, which an
office officer never sees), ``ANONYMOUS`` (what answers anonymous without the log-in), and
``Param.personal`` (one's own API token: no one else's). An API write with an empty body is
refused (422) by ninja before the handler looks anything up: INSIDE, OUTSIDE and ABSENT then
answer alike, which is all that is asked of it.

A route that takes no id (a list, a form for a new object) is asked once per method: it is judged
on 5xx, on the log-in and by the leak scan. A method a route does not take (405 whatever the
object) is not judged further. Query parameters that name an object (``QUERY_IDS``) are varied
like the path's; routes that answer htmx with a fragment (``HTMX``) are asked that way too.

A route whose parameter has no entry in ``PARAMS`` fails, naming the route and the parameter: a
new route is in the matrix without editing it. A real problem found here is not fixed here: its
case goes in ``KNOWN_PROBLEMS`` (strict xfail) for the lead.
"""

from __future__ import annotations

import copy
import difflib
import functools
import html
import io
import json
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory

from tests.matrix.routes import (
    SKIPPED_API_PATHS,
    SKIPPED_PREFIXES,
    Route,
    api_paths_outside_schema,
    api_routes,
    page_routes,
)
from tests.matrix.scan import body_bytes, leaks, readable_text
from tests.matrix.world import World, build_world
from tinhuy import errors
from tinhuy.org.models import Person, Unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ICS = "text/calendar; charset=utf-8"
ABSENT_ID = 987654
ABSENT_TEXT = "khong-co-987654"
PERSONAS = (
    "province_office",
    "vinh_officer",
    "nghiloc_officer",
    "board_member",
    "editor",
    "anonymous",
)
LOGIN_PATH = "/dang-nhap/"


@dataclass(frozen=True)
class Param:
    """A kind of URL parameter (its objects are ``World.inside[kind]`` and ``outside[kind]``,
    tests/matrix/world.py).

    ``private``: the INSIDE object is Vinh's alone (Nghi Lộc's officer must not see it);
    ``public``: the gazetteer's, seen by anyone (no OUTSIDE unless the world names one);
    ``vinh_404``: why Vinh's officer sees no object of this kind at all, if so;
    ``personal``: a person's own (INSIDE is Vinh's officer's, OUTSIDE Nghi Lộc's officer's):
    to anyone else, the province office included, it answers as ABSENT."""

    private: bool = False
    public: bool = False
    vinh_404: str = ""
    absent: Any = None  # when ABSENT_ID / ABSENT_TEXT is not a valid value of the parameter
    personal: bool = False
    text: bool = False  # a name, not an id (in a query parameter)


_MEETINGS = "a Board meeting is seen by its committee's Board members and the province office only"
PARAMS: dict[str, Param] = {
    # org
    "structure_id": Param(),  # 2020 (his) / 2025 (not his)
    "unit_id": Param(private=True),  # Vinh / Nghi Lộc
    "unit_name": Param(private=True, text=True),  # a unit typed by its name
    "person_id": Param(private=True),  # a sample person of the unit
    # study
    "plan_id": Param(),  # the 2020 plan (all of 2020 sees it) / the 2025 draft plan
    "topic_id": Param(),
    "level_code": Param(),
    "conference_id": Param(private=True),  # hosted by Vinh / Nghi Lộc
    "token": Param(private=True),  # an invitee's check-in code of that conference
    # meetings
    "draft_id": Param(private=True),  # submitted by Vinh / Nghi Lộc
    "number": Param(absent=32_767),  # a version (1: both drafts have one; ≤ 32 767)
    "attachment_id": Param(private=True),  # a file of that draft
    "opinion_id": Param(private=True),  # a Board member's opinion on that draft
    "meeting_id": Param(private=True, vinh_404=_MEETINGS),  # of Vinh's committee
    "item_id": Param(private=True, vinh_404=_MEETINGS),  # its agenda item
    "follow_up_id": Param(private=True),  # led by Vinh / Nghi Lộc
    # register
    "body_id": Param(private=True),  # Thành ủy Vinh's register / Nghi Lộc's
    "entry_id": Param(private=True),  # a number in it
    "period_id": Param(private=True),  # its numbering period
    # programmes
    "programme_id": Param(private=True),  # owned by Vinh / Nghi Lộc
    "node_id": Param(private=True),  # a task the owner leads
    "cycle_id": Param(private=True),  # its open reporting cycle
    "report_attachment_id": Param(private=True),  # a report's file
    "delegation_id": Param(private=True),  # from the unit to a unit below
    # accounts
    "token_id": Param(private=True, personal=True),  # the officer's API token
    # gazetteer (public)
    "slug": Param(public=True),  # a published entry / a working copy never published
    "year": Param(public=True),  # the latest edition
    "chapter": Param(public=True),  # the published entry's chapter
    "code": Param(public=True),  # an indicator
    "place_code": Param(public=True),  # a place (Vinh)
}
# Where a route's parameter name means another kind than ``PARAMS`` says.
ROUTE_PARAMS: dict[tuple[str, str], str] = {
    ("page:programs_report_attachment", "attachment_id"): "report_attachment_id",
    ("page:gazetteer_place", "code"): "place_code",
    ("page:gazetteer_place_csv", "code"): "place_code",
    ("page:gazetteer_place_xlsx", "code"): "place_code",
}
# Query parameters that name an object, asked like a path's (INSIDE, OUTSIDE, ABSENT): route →
# {query parameter: kind}. When they are a route's only ids, ABSENT need not be 404 (a filter may
# answer an empty list), but OUTSIDE must still answer exactly as ABSENT.
QUERY_IDS: dict[str, dict[str, str]] = {
    "page:study_dashboard": {"don_vi": "unit_id"},
    "page:study_unit_table_xlsx": {"don_vi": "unit_id"},
    "page:study_report_docx": {"don_vi": "unit_id"},
    "page:study_report_template": {"don_vi": "unit_id"},
    "page:study_conference_register": {"don_vi": "unit_id"},
    "page:study_reminders": {"don_vi": "unit_id"},
    "page:programs_delegations": {"don-vi": "unit_id"},
    "page:programs_due": {"don-vi": "unit_id", "nguoi": "person_id"},
    "page:programs_hand_over": {"tu": "unit_id"},
    "page:programs_node_create": {"cha": "node_id"},
    "page:meetings_drafts": {"ke-hoach": "plan_id"},
    "page:meetings_meeting_create": {"cap-uy": "unit_id"},
    "page:register_body": {"thoi_ky": "period_id"},
    "page:audit_log": {"unit": "unit_name"},
    "api:list_units": {"parent": "unit_id", "structure": "structure_id"},
    "api:list_register_entries": {"period": "period_id"},
    "api:get_plan_progress": {"unit": "unit_id"},
    "api:list_plan_units": {"unit": "unit_id"},
    "api:list_delegations": {"unit_id": "unit_id"},
}
# Routes that answer an htmx request with a fragment: the headers it sends. Each is also asked
# with them (method "GET/htmx"), so the fragments are judged and scanned too.
HTMX: dict[str, dict[str, str]] = {
    "page:structure_detail": {"HX-Request": "true"},
    "page:study_dashboard": {"HX-Request": "true", "HX-Target": "unit-table"},
    "page:unit_children": {"HX-Request": "true"},
    "page:programs_tree_children": {"HX-Request": "true"},
}
# Query parameters an API operation requires, and the value the matrix sends.
REQUIRED_QUERY: dict[str, Any] = {"doc_type": "KH", "old": 1, "new": 1}

# Query parameters a route is asked with (a question for the look-up, not an id).
ROUTE_QUERY: dict[str, dict[str, str]] = {
    "api:lookup_gazetteer_figure": {"q": "dân số Nghệ An"},
    "api:search_gazetteer": {"q": "Nghệ An"},
    "page:gazetteer_search": {"q": "Nghệ An"},
    "page:gazetteer_lookup": {"q": "dân số Nghệ An"},
    "page:structure_detail": {"q": "Nghi"},  # the unit search: Nghi Lộc's units are not Vinh's
}

# Routes of the province office alone, and of the gazetteer's editors (and the office) alone:
# anyone else gets 404 for any object, as for an unseen one.
OFFICE_ONLY: dict[str, str] = {
    "page:structure_import": "importing units into a structure",
    "page:structure_import_template": "the file to fill in for that import",
    "page:audit_log": "the audit log",
    "page:programs_hand_over": "handing a ceased unit's work over to its successor",
}
EDITORS_ONLY: dict[str, str] = {
    "page:gazetteer_editor_entry": "an entry's working copy",
    "page:gazetteer_editor_entry_state": "publishing or withdrawing an entry",
    "page:gazetteer_editor_revisions": "an entry's revisions",
}
# Routes where Vinh's officer legitimately gets 404 for INSIDE too (as for ABSENT), with why.
VINH_404: dict[str, str] = {
    **{key: f"the province office's alone: {why}" for key, why in OFFICE_ONLY.items()},
    **{key: f"the gazetteer editors' alone: {why}" for key, why in EDITORS_ONLY.items()},
}

# Routes where Vinh's officer sees the object but lacks the role (403); anywhere else a 403 to
# him on his own object is a refusal he should not meet.
_DRAFTING = "a plan is drafted by the province office; the officer reads it"
VINH_403: dict[str, str] = {
    "page:study_plan_draft": _DRAFTING,
    "page:study_plan_draft_topic_add": _DRAFTING,
    "page:study_plan_draft_topic": _DRAFTING,
    "page:study_plan_draft_rule": _DRAFTING,
    "page:study_plan_draft_board": _DRAFTING,
    "page:meetings_draft_opinion": "opinions are the Board members'; his unit submits the draft",
    "page:meetings_draft_issue": "issuing is the province office's",
    "page:meetings_meeting_create": "Board meetings are set up by the province office",
}

# Routes answering anonymous otherwise than the log-in redirect / 401, with why.
ANONYMOUS: dict[str, str] = {
    "page:login": "the log-in form itself",
    "page:logout": "log-out answers anyone (a POST ends no session for anonymous)",
    "page:set_language": "choosing the language needs no log-in",
    "page:study_unit_ics": "a calendar feed is opened by its signed token, not by a session "
    "(anonymous asks with the Vinh officer's: his unit's feed opens, Nghi Lộc's is ABSENT)",
    "page:meetings_home": "a plain redirect to the drafts list, which asks for the log-in",
}
# Routes asked with a client of their own for each request, with why.
OWN_CLIENT: dict[str, str] = {
    "page:logout": "it ends the session of the client that asks",
    "page:set_language": "it sets the language of the client that asks",
}

# Real problems the matrix found, for the lead to fix: (route id, persona) → what is wrong.
KNOWN_PROBLEMS: dict[tuple[str, str], str] = {}


class KnownProblem(AssertionError):
    """Raised when a case fails exactly as ``KNOWN_PROBLEMS`` says (its strict xfail)."""


# --- The routes ------------------------------------------------------------------------------


ROUTES: list[Route] = [*page_routes(), *api_routes()]


def _params() -> list[Any]:
    cases = []
    for route in ROUTES:
        for persona in PERSONAS:
            marks = []
            reason = KNOWN_PROBLEMS.get((route.id, persona))
            if reason:
                marks.append(pytest.mark.xfail(strict=True, raises=KnownProblem, reason=reason))
            cases.append(pytest.param(route, persona, id=f"{route.id}-{persona}", marks=marks))
    return cases


def test_every_api_route_of_the_resolver_is_in_the_schema() -> None:
    """The API's part of the matrix comes from the schema: no route may hide outside it."""
    assert api_paths_outside_schema() == []


def test_the_skips_are_few_and_explained() -> None:
    assert set(SKIPPED_PREFIXES) == {"quan-tri/", "media/"}
    assert all(SKIPPED_PREFIXES.values()) and all(SKIPPED_API_PATHS.values())
    assert len(ROUTES) > 150  # every page and operation, not a sample


def test_the_exception_tables_name_routes_that_exist() -> None:
    ids = {route.id for route in ROUTES}
    named = {
        *VINH_404,
        *VINH_403,
        *OFFICE_ONLY,
        *EDITORS_ONLY,
        *ANONYMOUS,
        *OWN_CLIENT,
        *ROUTE_QUERY,
        *QUERY_IDS,
        *HTMX,
    }
    named |= {key for key, _ in KNOWN_PROBLEMS}
    assert named - ids == set()
    assert {persona for _, persona in KNOWN_PROBLEMS} <= set(PERSONAS)


# --- The world and the clients, once for the module ------------------------------------------


@dataclass
class Stats:
    requests: int = 0
    seconds: float = 0.0
    started: float = field(default_factory=time.perf_counter)
    by_route: dict[str, float] = field(default_factory=dict)
    answers: list[tuple[str, str, str, str, int]] = field(default_factory=list)


@dataclass
class Matrix:
    world: World
    clients: dict[str, Client]
    cookies: dict[str, SimpleCookie]  # each client's cookies once logged in
    sentinels: dict[str, list[str]]  # persona → names no answer to them may show
    stats: Stats


def _sentinels(world: World, side: str) -> list[str]:
    """Names only one district's subtree holds ("vinh" or "nghiloc"): its committee, its
    grassroots organisations, its people, and the titles of what the world made for it."""
    unit = world.units[side]
    subtree = Unit.objects.filter(path__startswith=unit.path)
    names = {unit.name}
    # "Tổ chức cơ sở đảng số 01, huyện Nghi Lộc (minh họa)"; the cells below are "Chi bộ số 01".
    names |= set(subtree.filter(depth=unit.depth + 1).values_list("name", flat=True))
    names |= set(Person.objects.filter(unit__in=subtree).values_list("full_name", flat=True))
    elsewhere = set(
        Unit.objects.exclude(path__startswith=unit.path).values_list("name", flat=True)
    ) | set(Person.objects.exclude(unit__in=subtree).values_list("full_name", flat=True))
    names -= elsewhere  # a name also found outside the subtree proves nothing
    return sorted(names) + world.titles[side]


def _report(request: pytest.FixtureRequest, stats: Stats) -> None:
    """How many requests the module made and how long they took (issue 12 asks for both)."""
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if not stats.requests or capture is None:
        return
    slowest = sorted(stats.by_route.items(), key=lambda kv: -kv[1])[:8]
    dump = os.environ.get("TINHUY_MATRIX_DUMP")  # every answer's status, for a reader
    if dump:
        Path(dump).write_text("\n".join("\t".join(map(str, row)) for row in stats.answers))
    with capture.global_and_fixture_disabled():
        print(
            f"\nauthorisation matrix: {stats.requests} requests in {stats.seconds:.1f} s of "
            f"requests, {time.perf_counter() - stats.started:.1f} s in all; slowest routes: "
            + ", ".join(f"{key} {seconds:.1f} s" for key, seconds in slowest)
        )


@pytest.fixture(scope="module")
def matrix(
    django_db_setup: None,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> Iterator[Matrix]:
    """The world, built once inside a transaction rolled back after the module (each test's
    own transaction is a savepoint in it), and a logged-in client per persona."""
    saved_var = settings.VAR_DIR
    settings.VAR_DIR = tmp_path_factory.mktemp("matrix-var")  # attached files go there
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        atomic._from_testcase = True  # type: ignore[attr-defined]  # as Django's TestCase does
        try:
            world = build_world()
            clients: dict[str, Client] = {}
            for persona in PERSONAS:
                client = Client()
                if persona != "anonymous":
                    client.force_login(world.users[persona])
                clients[persona] = client
            # An API script without a session cookie meets the CSRF check as a browser would not.
            clients["anonymous-api"] = Client(enforce_csrf_checks=True)
            stats = Stats()
            cookies = {name: copy.deepcopy(c.cookies) for name, c in clients.items()}
            sentinels = {
                "vinh_officer": _sentinels(world, "nghiloc"),
                "nghiloc_officer": _sentinels(world, "vinh"),
                # The gazetteer's editor sees nothing of the organisation (issue 12).
                "editor": _sentinels(world, "vinh") + _sentinels(world, "nghiloc"),
            }
            yield Matrix(world, clients, cookies, sentinels, stats)
            _report(request, stats)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            settings.VAR_DIR = saved_var


# --- Asking ----------------------------------------------------------------------------------


@dataclass
class Answer:
    method: str
    variant: str  # "none" (no parameter), "inside", "outside", "shared", "absent"
    url: str
    status: int
    location: str
    content_type: str
    values: dict[str, Any]
    response: Any = field(repr=False)

    @functools.cached_property
    def text(self) -> str:
        """What a reader reads (tests/matrix/scan.py), worked out only when a check needs it."""
        return readable_text(self.response) if self.status != 302 else ""

    def __str__(self) -> str:
        return f"{self.method} {self.url} ({self.variant}) → {self.status}"


def _kind(route: Route, name: str) -> str:
    return QUERY_IDS.get(route.id, {}).get(name) or ROUTE_PARAMS.get((route.id, name), name)


def _id_params(route: Route, method: str) -> tuple[tuple[str, str], ...]:
    """The path's parameters and (for a GET) the query's that name an object, as
    (name, converter)."""
    if not method.startswith("GET"):
        return route.params
    return route.params + tuple(
        (name, "str" if PARAMS[kind].text else "int")
        for name, kind in QUERY_IDS.get(route.id, {}).items()
    )


def _param(route: Route, name: str) -> Param:
    return PARAMS[_kind(route, name)]


def _values(route: Route, method: str, variant: str, world: World) -> dict[str, Any] | None:
    """The parameters for a variant, or None when the route has no such variant. OUTSIDE takes
    the outside object of each parameter; but where a private parameter (Nghi Lộc's unit) makes
    the request outside, the shared ones keep their INSIDE object (the 2020 plan, not the 2025
    one), so that the request stays coherent for those who see both."""
    params = _id_params(route, method)
    for name, _converter in params:
        if _kind(route, name) not in PARAMS:
            pytest.fail(
                f"{route.id} ({route.template}) takes {name!r}, which has no entry in PARAMS: "
                "add it to PARAMS (tests/test_authorisation_matrix.py) with an object inside "
                "the Vinh officer's scope and one outside it (tests/matrix/world.py)"
            )
    any_private = any(_param(route, name).private for name, _ in params)
    values: dict[str, Any] = {}
    has_outside = has_shared = False
    for name, converter in params:
        kind = _kind(route, name)
        if variant == "absent":
            absent = PARAMS[kind].absent
            values[name] = absent or (ABSENT_ID if converter == "int" else ABSENT_TEXT)
        elif (
            variant == "outside"
            and kind in world.outside
            and (PARAMS[kind].private or not any_private)
        ):
            values[name] = world.outside[kind]
            has_outside = True
        elif variant == "shared" and kind in world.shared:
            values[name] = world.shared[kind]
            has_shared = True
        else:
            values[name] = world.inside[kind]
    if (variant == "outside" and not has_outside) or (variant == "shared" and not has_shared):
        return None
    return values


def _query(route: Route, persona: str, values: dict[str, Any], m: Matrix) -> dict[str, Any]:
    query: dict[str, Any] = dict(ROUTE_QUERY.get(route.id, {}))
    query |= {name: values[name] for name in QUERY_IDS.get(route.id, {}) if name in values}
    for name in route.required_query:
        if name not in REQUIRED_QUERY:
            pytest.fail(
                f"{route.id} ({route.template}) requires the query parameter {name!r}: "
                "add a value to REQUIRED_QUERY (tests/test_authorisation_matrix.py)"
            )
        query[name] = REQUIRED_QUERY[name]
    if route.id == "page:study_unit_ics":
        from tinhuy.study.access import ics_token

        # A calendar application asks without a session: anonymous, with the officer's link.
        owner = m.world.users["vinh_officer" if persona == "anonymous" else persona]
        query["token"] = ics_token(owner, Unit(pk=values["unit_id"]))
    return query


def _client(route: Route, persona: str, m: Matrix) -> Client:
    if route.id in OWN_CLIENT:
        client = Client()
        if persona != "anonymous":
            client.force_login(m.world.users[persona])
        return client
    if persona == "anonymous" and route.kind == "api":
        return m.clients["anonymous-api"]
    return m.clients[persona]


def _ask(route: Route, persona: str, method: str, variant: str, m: Matrix) -> Answer | None:
    values = _values(route, method, variant, m.world) if _id_params(route, method) else {}
    if values is None:
        return None
    url = route.template.format(**values)  # the query's ids are left out
    query = _query(route, persona, values, m)
    client = _client(route, persona, m)
    started = time.perf_counter()
    response: Any  # the test client's response
    if method == "GET":
        response = client.get(url, query)
    elif method == "GET/htmx":
        response = client.get(url, query, headers=HTMX[route.id])
    elif route.kind == "page":
        response = client.post(url + ("?" + _encode(query) if query else ""), {})
    else:
        response = client.generic(
            method, url + ("?" + _encode(query) if query else ""), b"", "application/json"
        )
    body_bytes(response)  # a streamed download is read inside the timing
    # A message a write left for the next page would show on the next answer, whatever it is.
    client.cookies.pop("messages", None)
    spent = time.perf_counter() - started
    m.stats.seconds += spent
    m.stats.by_route[route.id] = m.stats.by_route.get(route.id, 0.0) + spent
    m.stats.requests += 1
    m.stats.answers.append((route.id, persona, method, variant, response.status_code))
    return Answer(
        method,
        variant,
        url,
        response.status_code,
        response.get("Location", ""),
        response.get("Content-Type", ""),
        values,
        response,
    )


def _encode(query: dict[str, Any]) -> str:
    return urlencode(query)


# --- Judging ---------------------------------------------------------------------------------

_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value|name="csrf-token" content)="[^"]*"')


def _normalised(answer: Answer) -> str:
    """The body with what legitimately differs between two ids taken out: the ids themselves
    (and the address that carries them) and the CSRF token."""
    text = _CSRF.sub("", answer.text)
    text = text.replace(answer.url, "{url}")
    # The 404 page offers to search the words of the address ("muc-nhap" → "muc nhap").
    forms = {str(v) for v in answer.values.values()}
    forms |= {f.replace("-", " ") for f in forms} | {quote(f.replace("-", " ")) for f in forms}
    for value in sorted(forms, key=lambda v: -len(v)):
        text = re.sub(rf"(?<![\w-]){re.escape(value)}(?![\w-])", "{id}", text)
    if "<main" in text:
        text = text.split("<main", 1)[1].split("</main>", 1)[0]
    return text


def _diff(answer: Answer, absent: Answer) -> str:
    lines = difflib.unified_diff(
        _normalised(absent).splitlines(), _normalised(answer).splitlines(), lineterm="", n=0
    )
    return " | ".join(line.strip() for line in list(lines)[2:8])


def _is_public(route: Route) -> bool:
    if route.kind == "api":
        return route.public
    path = route.template.format(**{name: "x" for name, _ in route.params})
    return errors.is_public(RequestFactory().get(path))


def _writes_body(route: Route, method: str) -> bool:
    """An API write whose empty body ninja refuses (422) before the handler looks anything up:
    INSIDE, OUTSIDE and ABSENT then answer alike, which is all the matrix can ask."""
    return route.kind == "api" and method != "GET"


def _judge(route: Route, persona: str, answers: list[Answer], m: Matrix) -> list[str]:
    problems: list[str] = []
    public = _is_public(route)
    by = {(a.method, a.variant): a for a in answers}

    def flags(method: str) -> tuple[bool, bool, bool, str]:
        """(private, scoped, personal, why Vinh sees none) of the parameters a method sends."""
        params = [_param(route, name) for name, _ in _id_params(route, method)]
        return (
            any(p.private for p in params),
            not any(p.public for p in params),
            any(p.personal for p in params),
            VINH_404.get(route.id) or next((p.vinh_404 for p in params if p.vinh_404), ""),
        )

    def same_as_absent(answer: Answer, label: str) -> None:
        absent = by.get((answer.method, "absent"))
        if absent is None:
            return
        if answer.status != absent.status:
            problems.append(f"{label}: {answer} but ABSENT → {absent.status}")
        elif _normalised(answer) != _normalised(absent):
            problems.append(
                f"{label}: {answer}: the body differs from ABSENT's: {_diff(answer, absent)}"
            )

    problems += [f"5xx: {a}" for a in answers if a.status >= 500]
    if persona == "anonymous" and not public and route.id not in ANONYMOUS:
        for answer in answers:
            if route.kind == "api" and answer.status != 401:
                problems.append(f"anonymous: {answer}, not 401")
            to_login = answer.status == 302 and answer.location.startswith(LOGIN_PATH)
            if route.kind == "page" and not to_login:
                problems.append(f"anonymous: {answer}, not the log-in redirect")
        return problems
    # A method the route does not take answers 405 whatever the object: nothing to judge.
    refused = {
        method
        for method in {a.method for a in answers}
        if all(a.status == 405 for a in answers if a.method == method)
    }
    for answer in answers:
        if answer.method in refused:
            continue
        private, scoped, personal, vinh_404 = flags(answer.method)
        refused_body = _writes_body(route, answer.method) and answer.status in (400, 422)
        if (
            answer.variant == "absent"
            and answer.status != 404
            and route.params
            and not refused_body
        ):
            problems.append(f"ABSENT: {answer}, not 404")
        if public:
            if answer.variant == "outside":
                same_as_absent(answer, "unpublished")
            # 302: "the latest" addresses send to the latest edition's page.
            shown = answer.status == 200 or (
                answer.status == 302 and not answer.location.startswith(LOGIN_PATH)
            )
            if answer.variant in ("inside", "none") and answer.method == "GET" and not shown:
                problems.append(f"public: {answer}, not 200")
            continue
        if persona == "vinh_officer" and answer.variant == "inside":
            if vinh_404:
                same_as_absent(answer, "INSIDE, unseen by Vinh")
            elif answer.status == 404:
                problems.append(f"INSIDE: {answer} (add the route to VINH_404 if it is right)")
            elif answer.status == 403 and route.id not in VINH_403:
                problems.append(f"INSIDE: {answer} (add the route to VINH_403 if it is right)")
        shared = answer.variant == "shared" and not vinh_404
        if persona == "vinh_officer" and shared and answer.status == 404:
            # The province programme he leads a task of: seen, with his branch alone.
            problems.append(f"SHARED: {answer}")
        if persona in ("vinh_officer", "anonymous") and answer.variant == "outside":
            same_as_absent(answer, "OUTSIDE")
        if persona == "nghiloc_officer" and private and answer.variant == "inside":
            same_as_absent(answer, "Vinh's object to Nghi Lộc")
        if persona == "nghiloc_officer" and private and answer.variant == "outside":
            # The mirror of INSIDE for Vinh: Nghi Lộc's officer sees Nghi Lộc's objects.
            if vinh_404:
                same_as_absent(answer, "his own, unseen by Nghi Lộc")
            elif answer.status == 404:
                problems.append(f"Nghi Lộc's own: {answer}")
        if answer.variant not in ("inside", "outside", "shared"):
            continue
        if personal and persona not in ("vinh_officer", "nghiloc_officer"):
            same_as_absent(answer, "someone else's own")
        elif persona == "province_office" and scoped and answer.status == 404:
            problems.append(f"province office: {answer}")
        elif persona == "board_member" and scoped and answer.status == 404:
            # The Board member sees the whole province (both structures), changing nothing.
            if route.id not in VINH_404:
                problems.append(f"Board member: {answer}")
        elif persona == "editor" and route.id in EDITORS_ONLY and answer.status == 404:
            problems.append(f"editor: {answer}")
    for answer in answers if persona in m.sentinels else ():
        found = leaks(answer.text, m.sentinels[persona])
        if found:
            problems.append(f"leak: {answer} shows {found}")
    return problems


@pytest.mark.parametrize(("route", "persona"), _params())
def test_route_answers_each_persona_as_its_scope_allows(
    route: Route, persona: str, matrix: Matrix, db: None
) -> None:
    # Each case starts from the log-in's cookies: a write of the case before (a new session key
    # or a language, in a transaction since rolled back) does not reach this one.
    for name, client in matrix.clients.items():
        client.cookies = copy.deepcopy(matrix.cookies[name])
    answers = []
    methods = route.methods + (("GET/htmx",) if route.id in HTMX else ())
    for method in methods:
        has_ids = bool(_id_params(route, method))
        for variant in ("inside", "outside", "shared", "absent") if has_ids else ("none",):
            answer = _ask(route, persona, method, variant, matrix)
            if answer is not None:
                answers.append(answer)
    problems = _judge(route, persona, answers, matrix)
    if problems and (route.id, persona) in KNOWN_PROBLEMS:
        raise KnownProblem("\n".join(problems))
    assert not problems, "\n".join(problems)


# --- The scan reads what a person reads ------------------------------------------------------


def _download(data: bytes, content_type: str) -> HttpResponse:
    return HttpResponse(data, content_type=content_type)


def test_the_leak_scan_reads_every_format_a_download_comes_in() -> None:
    """A name hidden in a cell, a table, an escaped JSON string, a folded calendar line, an
    HTML entity or an unmarked spelling is found; a page without it is clean."""
    import docx
    import openpyxl

    name = "Tổ chức cơ sở đảng số 02, huyện Nghi Lộc (minh họa)"
    workbook = openpyxl.Workbook()
    workbook.active.append(["Đơn vị", name])  # type: ignore[union-attr]
    xlsx = io.BytesIO()
    workbook.save(xlsx)
    document = docx.Document()
    document.add_table(rows=1, cols=1).rows[0].cells[0].text = name
    word = io.BytesIO()
    document.save(word)
    answers = [
        _download(xlsx.getvalue(), XLSX),
        _download(word.getvalue(), DOCX),
        _download(json.dumps({"name": name}).encode(), "application/problem+json"),
        _download(f"SUMMARY:Hội nghị\r\nLOCATION:{name[:20]}\r\n {name[20:]}\r\n".encode(), ICS),
        _download(f"<p>{html.escape(name)}</p>".encode(), "text/html; charset=utf-8"),
        _download(b"to chuc co so dang so 02, huyen nghi loc (minh hoa)", "text/csv"),
    ]
    for answer in answers:
        assert leaks(readable_text(answer), [name]) == [name], answer["Content-Type"]
    assert leaks(readable_text(_download(b"<p>Vinh</p>", "text/html")), [name]) == []


def test_the_sentinels_are_names_only_nghi_loc_holds(matrix: Matrix, db: None) -> None:
    for_vinh, for_nghiloc = matrix.sentinels["vinh_officer"], matrix.sentinels["nghiloc_officer"]
    assert {"Đảng bộ huyện Nghi Lộc", "Bùi Đình Nam", "Hồ Thị Hằng"} <= set(for_vinh)
    assert {"Đảng bộ thành phố Vinh", "Đặng Văn Thành", "Võ Thị Thu"} <= set(for_nghiloc)
    assert not any("Vinh" in name for name in for_vinh)
    assert not any("Nghi Lộc" in name for name in for_nghiloc)
