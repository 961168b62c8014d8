"""Every API operation, fuzzed from the OpenAPI document (schemathesis), anonymously and as two
personas with an API token: no answer is a 5xx, and every answer — its status code, its media
type and its body — is one the document describes.

The run is bounded and repeatable: a fixed number of examples per operation and persona
(``TINHUY_FUZZ_EXAMPLES``, default ``CI_EXAMPLES``), derandomised, without Hypothesis' example
database. Every example runs in a savepoint that is rolled back, so what a write made is seen by
no other example and no other test. The application is called in-process through WSGI.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from schemathesis.specs.openapi import checks as openapi_checks

from tinhuy.accounts.actions import do_create_api_token
from tinhuy.api import api
from tinhuy.org.loaders import STRUCTURE_2020_CODE

CI_EXAMPLES = 5  # per operation and persona: the file runs in under a minute on either database
EXAMPLES = int(os.environ.get("TINHUY_FUZZ_EXAMPLES", CI_EXAMPLES))
# A longer run adds schemathesis' coverage phase (Hypothesis' explicit examples): the boundary
# values of every parameter and field, tried one by one, which a short random run rarely hits.
PHASES = [Phase.generate, Phase.shrink]
if EXAMPLES > CI_EXAMPLES:
    PHASES.insert(0, Phase.explicit)

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()

CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]

# Who calls: nobody, an officer of TP Vinh (his subtree only), the province office (everything).
PERSONAS = {"anonymous": None, "vinh_officer": "vinh", "province_office": "vanphong"}


# What each path parameter names, so that most examples reach past the look-up to the
# operation's own checks (a random id is almost always 404): the first few of the demo's rows.
REAL_VALUES: dict[str, tuple[str, str]] = {
    "unit_id": ("org.Unit", "pk"),
    "plan_id": ("study.Plan", "pk"),
    "conference_id": ("study.Conference", "pk"),
    "body_id": ("register.IssuingBody", "pk"),
    "entry_id": ("register.RegisterEntry", "pk"),
    "draft_id": ("meetings.Draft", "pk"),
    "number": ("meetings.DraftVersion", "number"),
    "meeting_id": ("meetings.Meeting", "pk"),
    "item_id": ("meetings.AgendaItem", "pk"),
    "opinion_id": ("meetings.Opinion", "pk"),
    "follow_up_id": ("meetings.FollowUp", "pk"),
    "programme_id": ("programs.Programme", "pk"),
    "node_id": ("programs.Node", "pk"),
    "cycle_id": ("programs.ReportingCycle", "pk"),
    "delegation_id": ("programs.Delegation", "pk"),
    "slug": ("gazetteer.Entry", "slug"),
    "code": ("gazetteer.Indicator", "code"),
}
_real: dict[str, list[Any]] = {}


def _real_values(name: str) -> list[Any]:
    """Up to eight values of the parameter in the demo (loaded once a session, never changed:
    every example's writes are rolled back)."""
    if name not in _real:
        label, field = REAL_VALUES[name]
        model = apps.get_model(label)
        values = model.objects.order_by(field).values_list(field, flat=True).distinct()
        _real[name] = list(values[:8])
    return _real[name]


@schema.hook("flatmap_path_parameters")
def _real_ids_too(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    if not path_parameters:
        return st.just(path_parameters)
    return st.fixed_dictionaries(
        {
            name: st.sampled_from([value, *_real_values(name)])
            if name in REAL_VALUES and _real_values(name)
            else st.just(value)
            for name, value in path_parameters.items()
        }
    )


# Ids a request body names, by the field's name: the demo's units of both districts and the
# province, its people, programmes, tasks, indicators and drafts.
BODY_IDS: dict[str, str] = {
    "unit_id": "org.Unit",
    "focal_agency_id": "org.Unit",
    "person_id": "org.Person",
    "responsible_id": "org.Person",
    "programme_id": "programs.Programme",
    "parent_id": "programs.Node",
    "indicator_id": "programs.Indicator",
    "draft_id": "meetings.Draft",
}
UNIT_CODES = ("40", "412", "412-CS01", "412-CS01-CB01", "429", "429-CS02-CB03")


def _body_ids(key: str) -> list[int]:
    label = next(
        (m for suffix, m in BODY_IDS.items() if key.removesuffix("s").endswith(suffix)), ""
    )
    if not label:
        return []
    if label not in _real:
        objects = apps.get_model(label).objects.order_by("pk")
        if label == "org.Unit":
            objects = objects.filter(code__in=UNIT_CODES, structure__code=STRUCTURE_2020_CODE)
        _real[label] = list(objects.values_list("pk", flat=True)[:8])
    return _real[label]


def _with_real_ids(value: Any) -> Any:
    """The body with two in three of its ids (by ``BODY_IDS``) replaced by real ones, chosen by
    the generated number so that the run stays repeatable."""
    if isinstance(value, list):
        return [_with_real_ids(item) for item in value]
    if not isinstance(value, dict):
        return value
    body = {}
    for key, item in value.items():
        real = _body_ids(key) if isinstance(key, str) else []
        if real and isinstance(item, int) and not isinstance(item, bool) and item % 3:
            item = real[item % len(real)]
        elif real and isinstance(item, list):
            item = [
                real[i % len(real)]
                if isinstance(i, int) and not isinstance(i, bool) and i % 3
                else i
                for i in item
            ]
        body[key] = _with_real_ids(item)
    return body


@schema.hook("map_body")
def _real_ids_in_bodies(context: Any, body: Any) -> Any:
    return _with_real_ids(body)


@pytest.fixture
def connections_kept() -> Iterator[None]:
    """The WSGI handler closes "old" connections at the start and end of every request; in a
    test that would close the test's own transaction. Django's test client disconnects the same
    handlers for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(params=list(PERSONAS))
def auth_headers(request: pytest.FixtureRequest, db: None) -> dict[str, str]:
    """The persona's ``Authorization`` header: a fresh API token (none for the anonymous)."""
    username = PERSONAS[request.param]
    if username is None:
        return {}
    user = get_user_model().objects.get(username=username)
    _token, secret = do_create_api_token(user, acting_user=None)
    return {"Authorization": f"Bearer {secret}"}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=PHASES,
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_is_one_the_schema_documents(
    case: Any, auth_headers: dict[str, str], connections_kept: None
) -> None:
    """No 5xx; the status code, the media type and the body are documented for the operation."""
    with transaction.atomic():
        response = case.call(headers=auth_headers)
        transaction.set_rollback(True)
    case.validate_response(response, checks=CHECKS)


def test_no_two_api_shapes_share_a_name() -> None:
    """The OpenAPI document names each shape by its class name only, so two shapes of one name
    are documented as one of them (the register's entries were documented as gazetteer
    entries, and its issue and cancel bodies as the meetings' and the study's)."""
    import importlib
    import inspect
    import pkgutil

    import tinhuy

    modules = [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(tinhuy.__path__, "tinhuy.")
        if info.name.rsplit(".", 1)[-1] in ("api", "apikit", "schemas")
    ]
    owners: dict[str, set[str]] = {}
    for module in modules:
        for value in vars(module).values():
            defined_here = getattr(value, "__module__", None) == module.__name__
            if defined_here and inspect.isclass(value) and issubclass(value, BaseModel):
                owners.setdefault(value.__name__, set()).add(module.__name__)
    assert len(modules) >= 10
    assert {name: where for name, where in owners.items() if len(where) > 1} == {}
