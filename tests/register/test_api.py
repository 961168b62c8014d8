"""The register API: bodies in scope, a body's entries, the next number, issuing, cancelling.
Outside scope is 404 in the same words as an id that does not exist; a register read but not
kept is 403; a taken number is 409; other refusals 422, in Vietnamese."""

from __future__ import annotations

import datetime
import json

from django.test import Client

from tests.register.conftest import issue
from tinhuy.accounts.actions import do_create_api_token
from tinhuy.register.models import EntryState, RegisterEntry

D = datetime.date
API = "/api/v1/register"


def bearer_client(user) -> Client:  # type: ignore[no-untyped-def]
    """A script's client: a bearer token, CSRF checks on (a token needs none)."""
    _, secret = do_create_api_token(user, name="test", acting_user=None)
    return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {secret}")


def post(client: Client, url: str, data: dict) -> object:
    return client.post(url, json.dumps(data), content_type="application/json")


ISSUE = {
    "doc_type": "TB",
    "issued_on": "2020-11-10",
    "summary": "Thông báo kết luận thử nghiệm",
    "signer_name": "Người ký thử nghiệm",
    "signer_position": "PHÓ BÍ THƯ THƯỜNG TRỰC",
    "authority": "T/L BAN THƯỜNG VỤ",
}


def test_bodies_are_listed_within_scope(client_for, personas, tu, vinh_body) -> None:
    ids = {b["id"] for b in client_for(personas.vinh_officer).get(f"{API}/bodies/").json()["items"]}
    assert ids == {vinh_body.pk}
    office = client_for(personas.province_office).get(f"{API}/bodies/").json()["items"]
    assert {tu.pk, vinh_body.pk} <= {b["id"] for b in office}
    assert client_for(personas.nghiloc_officer).get(f"{API}/bodies/").json()["items"] == []


def test_entries_are_listed_and_filtered(client_for, personas, tu) -> None:
    issue(tu, "TB")
    client = client_for(personas.board_member)
    items = client.get(f"{API}/bodies/{tu.pk}/entries").json()["items"]
    # 01-CTr/TU is the demo's Gazetteer programme (tinhuy.programs.demo), issued 31/03/2021.
    assert [i["symbol"] for i in items] == ["01-CTr/TU", "01-TB/TU", "01-KH/TU"]
    assert items[2]["number_line"] == "Số 01-KH/TU" and items[2]["linked"] is True
    kh = client.get(f"{API}/bodies/{tu.pk}/entries", {"doc_type": "KH"}).json()["items"]
    assert [i["symbol"] for i in kh] == ["01-KH/TU"]
    assert client.get(f"{API}/bodies/{tu.pk}/entries", {"doc_type": "XX"}).status_code == 422
    assert client.get(f"{API}/bodies/{tu.pk}/entries", {"nam": "2020"}).status_code == 400


def test_the_next_number_is_proposed(client_for, personas, tu) -> None:
    client = client_for(personas.board_member)
    data = client.get(f"{API}/bodies/{tu.pk}/next", {"doc_type": "KH", "on": "2020-11-10"}).json()
    assert data["number"] == 2 and data["number_line"] == "Số 02-KH/TU"
    assert data["period"]["label"] == "Nhiệm kỳ 2020–2025"
    outside = client.get(f"{API}/bodies/{tu.pk}/next", {"doc_type": "KH", "on": "2014-05-06"})
    assert outside.status_code == 422
    assert "Ngày 06/05/2014 không thuộc thời kỳ đánh số nào" in outside.json()["detail"]


def test_the_office_issues_and_cancels(personas, tu) -> None:
    client = bearer_client(personas.province_office)
    response = post(client, f"{API}/bodies/{tu.pk}/entries", ISSUE)
    assert response.status_code == 201, response.content
    entry = response.json()
    assert entry["symbol"] == "01-TB/TU" and entry["state"] == "issued"
    taken = post(client, f"{API}/bodies/{tu.pk}/entries", {**ISSUE, "number": 1, "reason": "x"})
    assert taken.status_code == 409
    assert taken["Content-Type"] == "application/problem+json"
    assert taken.json()["detail"].startswith("Số 01-TB/TU đã cấp ngày 10/11/2020")
    gap = post(client, f"{API}/bodies/{tu.pk}/entries", {**ISSUE, "number": 5})
    assert gap.status_code == 422 and "không phải số kế tiếp" in gap.json()["detail"]
    cancelled = post(client, f"{API}/entries/{entry['id']}/cancel", {"reason": "Không ban hành"})
    assert cancelled.status_code == 200 and cancelled.json()["state"] == EntryState.CANCELLED
    again = post(client, f"{API}/entries/{entry['id']}/cancel", {"reason": "Lần nữa"})
    assert again.status_code == 422


def test_bad_input_is_422_and_writes_nothing(personas, tu) -> None:
    client = bearer_client(personas.province_office)
    before = RegisterEntry.objects.count()
    for bad in (
        {**ISSUE, "number": 10**30},
        {**ISSUE, "number": 0},
        {**ISSUE, "summary": ""},
        {**ISSUE, "doc_type": "XX"},
        {**ISSUE, "issued_on": "9999-12-31"},
        {**ISSUE, "signer_name": "a\x00b"},
    ):
        assert post(client, f"{API}/bodies/{tu.pk}/entries", bad).status_code == 422, bad
    assert post(client, f"{API}/bodies/{10**30}/entries", ISSUE).status_code in (404, 422)
    assert RegisterEntry.objects.count() == before


def test_outside_scope_reads_as_absent(personas, vinh_body) -> None:
    entry = issue(vinh_body)
    client = bearer_client(personas.nghiloc_officer)
    missing = client.get(f"{API}/bodies/999999/entries").json()
    for response in (
        client.get(f"{API}/bodies/{vinh_body.pk}/entries"),
        client.get(f"{API}/bodies/{vinh_body.pk}/next", {"doc_type": "KH"}),
        post(client, f"{API}/bodies/{vinh_body.pk}/entries", ISSUE),
        post(client, f"{API}/entries/{entry.pk}/cancel", {"reason": "x"}),
    ):
        assert response.status_code == 404
        assert response.json() == missing
    assert RegisterEntry.objects.get(pk=entry.pk).state == EntryState.ISSUED


def test_a_board_member_cannot_issue_or_cancel(personas, tu) -> None:
    entry = issue(tu)
    client = bearer_client(personas.board_member)
    assert post(client, f"{API}/bodies/{tu.pk}/entries", ISSUE).status_code == 403
    assert post(client, f"{API}/entries/{entry.pk}/cancel", {"reason": "x"}).status_code == 403
    assert RegisterEntry.objects.filter(body=tu).count() == 3  # the demo's two, and this one


def test_the_citizen_gets_401(client_for, personas, tu) -> None:
    assert client_for(personas.citizen).get(f"{API}/bodies/").status_code == 401


def test_the_entry_list_costs_fixed_queries(
    client_for, personas, tu, django_assert_max_num_queries
) -> None:
    for _ in range(30):
        issue(tu, "TB", on=D(2020, 10, 5))
    client = client_for(personas.board_member)
    client.get(f"{API}/bodies/{tu.pk}/entries")
    with django_assert_max_num_queries(8):
        assert client.get(f"{API}/bodies/{tu.pk}/entries").status_code == 200


def test_the_register_documents_its_own_shapes() -> None:
    """The register's entry, issue and cancel shapes are documented under names of their own:
    under the gazetteer's "EntryOut" (and meetings' "IssueIn", study's "CancelIn") the document
    described an entry of the register as a gazetteer entry, and every answer broke it."""
    from tinhuy.api import api

    document = api.get_openapi_schema()
    operation = document["paths"]["/api/v1/register/bodies/{body_id}/entries"]["post"]
    created = operation["responses"][201]["content"]["application/json"]["schema"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    components = document["components"]["schemas"]
    assert created == {"$ref": "#/components/schemas/RegisterEntryOut"}
    assert {"symbol", "number_line", "period"} <= set(components["RegisterEntryOut"]["properties"])
    assert body == {"$ref": "#/components/schemas/RegisterIssueIn"}
    assert {"slug", "body_html"} <= set(components["EntryOut"]["properties"])  # the gazetteer's
    assert operation["responses"][409]["content"].keys() == {"application/problem+json"}
