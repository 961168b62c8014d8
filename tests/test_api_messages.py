"""The API's refusals of a body its schema does not accept speak Vietnamese, name the field, and
a number field refuses JSON's true and false (pydantic would read them as 1 and 0)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.study.test_api import bearer_client, conference_body, plan_url, report_body
from tinhuy.apikit import Payload
from tinhuy.study.models import Conference

pytestmark = pytest.mark.django_db


def _errors(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    return {error["loc"][-1]: error["msg"] for error in response.json()["errors"]}


def test_schema_refusals_are_vietnamese_and_name_their_field(
    personas: Any, units: Any, plan_2020: Any
) -> None:
    client = bearer_client(personas.vinh_officer)
    body = conference_body(units.vinh_grassroots, units.province_2020, date="1900-01-01")
    body["length_sessions"] = "hai"
    del body["host_unit_id"]
    body["mode"] = "qua-zalo"
    errors = _errors(
        client.post(plan_url(plan_2020, "/conferences"), body, content_type="application/json")
    )
    assert errors["date"] == "Phải từ 2000-01-01 trở lên."  # as the API writes dates
    assert errors["length_sessions"] == "Phải là số nguyên."
    assert errors["host_unit_id"] == "Thiếu trường này."
    assert errors["mode"].startswith("Phải là một trong: ")


def test_a_count_refuses_true_and_false(personas: Any, units: Any, plan_2020: Any) -> None:
    client = bearer_client(personas.vinh_officer)
    made = client.post(
        plan_url(plan_2020, "/conferences"),
        conference_body(units.vinh_grassroots, units.province_2020),
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    body = {**report_body(), "reflections_count": False}
    errors = _errors(
        client.post(
            f"/api/v1/study/conferences/{made.json()['id']}/report",
            body,
            content_type="application/json",
        )
    )
    assert errors["reflections_count"] == "Phải là số, không phải true hoặc false."
    assert not Conference.objects.get(pk=made.json()["id"]).reports.exists()


def test_every_request_body_schema_refuses_booleans_for_numbers() -> None:
    """Every *In schema of every app is a Payload (a new one that is not fails here)."""
    import tinhuy.gazetteer.schemas
    import tinhuy.meetings.schemas
    import tinhuy.programs.schemas
    import tinhuy.register.schemas
    import tinhuy.study.schemas

    modules = (
        tinhuy.gazetteer.schemas,
        tinhuy.meetings.schemas,
        tinhuy.programs.schemas,
        tinhuy.register.schemas,
        tinhuy.study.schemas,
    )
    bodies = [
        (module.__name__, name)
        for module in modules
        for name, value in vars(module).items()
        if name.endswith("In") and isinstance(value, type) and hasattr(value, "model_fields")
    ]
    assert len(bodies) > 20
    not_payloads = [
        f"{module}.{name}"
        for module, name in bodies
        if not issubclass(getattr(__import__(module, fromlist=[name]), name), Payload)
    ]
    assert not_payloads == []
