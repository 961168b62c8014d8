"""``tinhuy.middleware``: a control character in a path, a query parameter or a form field is a
400 with a short Vietnamese message, never a 500 from the database driver (PostgreSQL refuses
NUL in text) and never a write.

Who may see what does not matter here: the refusal comes before any view, so the anonymous
citizen, the Vinh officer and a script with a token all get the same 400.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.conftest import Personas, Units
from tinhuy.audit.models import AuditEvent
from tinhuy.middleware import RefuseControlCharactersMiddleware
from tinhuy.study.models import Conference

ClientFor = Callable[[AbstractBaseUser | AnonymousUser], Client]
REFUSAL = "ký tự điều khiển"


def assert_refused_as_text(response: HttpResponse) -> None:
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert REFUSAL in response.content.decode()


def test_a_nul_in_a_gazetteer_path_is_400_for_the_citizen(
    personas: Personas, client_for: ClientFor
) -> None:
    """``/dia-chi/2025/dia-danh/a%00b/``: the place slug reached the database (500 on
    PostgreSQL); now the request stops before the view."""
    response = client_for(personas.citizen).get("/dia-chi/2025/dia-danh/a%00b/")

    assert_refused_as_text(response)


def test_a_nul_in_the_structure_pages_query_is_400(
    personas: Personas, units: Units, client_for: ClientFor
) -> None:
    """``/co-cau/<id>/?q=a%00b``: the search term reached the database."""
    url = reverse("structure_detail", args=[units.structure_2020.pk])

    response = client_for(personas.vinh_officer).get(f"{url}?q=a%00b")

    assert_refused_as_text(response)
    assert client_for(personas.vinh_officer).get(f"{url}?q=Vinh").status_code == 200


def test_a_nul_in_an_api_query_is_a_400_problem_document(
    personas: Personas, client_for: ClientFor
) -> None:
    """``/api/v1/units/?q=a%00b``: under /api/ the refusal is RFC 7807, like every API error."""
    response = client_for(personas.vinh_officer).get("/api/v1/units/?q=a%00b")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["status"], body["title"]) == (400, "Yêu cầu không hợp lệ.")
    assert REFUSAL in body["detail"]


@pytest.mark.parametrize("name", ["q", "a\x00b"])
def test_a_nul_in_a_query_parameters_name_or_value_is_refused(
    personas: Personas, client_for: ClientFor, name: str
) -> None:
    value = "a\x00b" if name == "q" else "x"

    response = client_for(personas.vinh_officer).get("/api/v1/units/", {name: value})

    assert response.status_code == 400
    assert REFUSAL in response.json()["detail"]


def test_a_control_character_in_a_form_field_is_400_and_nothing_is_written(
    personas: Personas, units: Units, plan_2020: object, client_for: ClientFor
) -> None:
    """A C0 control character in the venue of the registration form: 400 before the view, so
    no conference and no audit event. (Django's CharField already refuses NUL; \\x01 it took.)"""
    before = Conference.objects.count(), AuditEvent.objects.count()
    url = reverse("study_conference_register", args=[plan_2020.pk])  # type: ignore[attr-defined]

    response = client_for(personas.vinh_officer).post(
        url, {"host": str(units.vinh_grassroots.pk), "venue": "Hội trường\x01"}
    )

    assert_refused_as_text(response)
    assert (Conference.objects.count(), AuditEvent.objects.count()) == before


def _passes(request: HttpRequest) -> HttpResponse:
    return HttpResponse("passed")


@pytest.mark.parametrize(
    "data",
    [
        {"minutes": "Dòng một\r\nDòng hai\tcột"},  # textareas send CR, LF and tab
        {"lines": "Nguyễn Văn A\tBí thư\tChi bộ 1\nTrần Thị B;;"},
        {"q": "Nghệ An"},
    ],
)
def test_tab_cr_and_lf_in_form_fields_pass(data: dict[str, str]) -> None:
    request = RequestFactory().post("/hoc-tap/", data)

    response = RefuseControlCharactersMiddleware(_passes)(request)

    assert response.content == b"passed"


@pytest.mark.parametrize(
    "path",
    [
        "/co-cau/2/?q=a%01b",
        "/co-cau/2/?q=%1F",
        "/co-cau/2/?q=a%0Bb",
        "/dia-chi/2025/dia-danh/a%7Fb/?q=a%09b%0A%0D",
    ],
)
def test_control_characters_are_refused_but_tab_lf_cr_and_del_pass(path: str) -> None:
    """C0 but tab, LF and CR is refused; DEL (not C0) and the three allowed ones pass."""
    request = RequestFactory().get(path)

    response = RefuseControlCharactersMiddleware(_passes)(request)

    refused = "%7F" not in path
    assert response.status_code == (400 if refused else 200)


def test_json_bodies_are_left_to_the_api_schemas() -> None:
    """The middleware parses form bodies only; a JSON body reaches the API, which checks each
    string (``tinhuy.study.schemas.NoNul``) and answers 422 naming the field."""
    request = RequestFactory().post(
        "/api/v1/study/plans/1/conferences",
        '{"venue": "a\\u0000b"}',
        content_type="application/json",
    )

    response = RefuseControlCharactersMiddleware(_passes)(request)

    assert response.content == b"passed"
