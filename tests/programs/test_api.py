"""The programmes API: programmes and their roll-up, the tree, the gate, plan versus baseline,
nodes, roadmap and money, cycles and reports, hand-overs and delegations.

Who may do what (the ``plan`` of the conftest is the province's, 2020 structure, with the
Department of Planning as focal agency in a state-agency structure of its own):
- the province office (vanphong) sees and writes everything, and alone hands work over;
- the Board member (btv) sees the programme, writes nothing (403);
- the Vinh officer sees nothing of it (404) — until a task is led by TP Vinh: then he sees the
  programme with that branch only, and reports on that task;
- the Nghi Lộc officer and the gazetteer editor see nothing of it (404);
- the anonymous citizen gets 401 everywhere.
Out of scope is 404 in the very words of an id that does not exist; an id in a body that the
caller does not see reads as unknown (422) in the words of one that does not exist. Every answer
is checked against the schema the OpenAPI document declares for it.
"""

from __future__ import annotations

import datetime
import functools
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tinhuy.apikit import MAX_ID
from tinhuy.audit.models import AuditEvent
from tinhuy.org.actions import do_add_person
from tinhuy.programs import actions
from tinhuy.programs.models import (
    BudgetLine,
    Delegation,
    DelegationState,
    Frequency,
    HandOver,
    Node,
    NodeKind,
    NodeStatus,
    Programme,
)
from tinhuy.programs.queries import missing_for_approval

from .test_lifecycle import _approve

pytestmark = pytest.mark.django_db

D = datetime.date
PROBLEM = "application/problem+json"
NOT_FOUND = "/api/v1/programmes/999999999"  # an id that does not exist: its 404 is the yardstick


# Answers against the OpenAPI document -------------------------------------------------------


@functools.cache
def _openapi() -> dict[str, Any]:
    """The document as served (status codes as strings)."""
    from tinhuy.api import api

    return json.loads(json.dumps(api.get_openapi_schema()))  # type: ignore[no-any-return]


def _conforms(value: Any, schema: dict[str, Any], spec: dict[str, Any], where: str = "$") -> None:
    """``value`` matches ``schema`` (the subset of JSON Schema ninja writes); every property
    present is declared, every required one is there."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        _conforms(value, spec["components"]["schemas"][name], spec, where)
        return
    if "anyOf" in schema:
        errors = []
        for option in schema["anyOf"]:
            try:
                _conforms(value, option, spec, where)
            except AssertionError as exc:
                errors.append(str(exc))
            else:
                return
        raise AssertionError(f"{where}: {value!r} matches no option: {errors}")
    if "enum" in schema:
        assert value in schema["enum"], (where, value)
    kind = schema.get("type")
    if kind == "object":
        assert isinstance(value, dict), (where, value)
        props = schema.get("properties", {})
        for key in schema.get("required", []):
            assert key in value, f"{where}: {key} missing"
        for key, item in value.items():
            if props:  # a free-form object (a problem's ``errors``) declares none
                assert key in props, f"{where}: {key} not declared"
                _conforms(item, props[key], spec, f"{where}.{key}")
    elif kind == "array":
        assert isinstance(value, list), (where, value)
        for i, item in enumerate(value):
            _conforms(item, schema.get("items", {}), spec, f"{where}[{i}]")
    elif kind == "string":
        assert isinstance(value, str), (where, value)
        if schema.get("format") == "date":
            datetime.date.fromisoformat(value)
        elif schema.get("format") == "date-time":
            datetime.datetime.fromisoformat(value)
    elif kind == "integer":
        assert isinstance(value, int) and not isinstance(value, bool), (where, value)
    elif kind == "number":
        assert isinstance(value, int | float) and not isinstance(value, bool), (where, value)
    elif kind == "boolean":
        assert isinstance(value, bool), (where, value)
    elif kind == "null":
        assert value is None, (where, value)


def _operation(spec: dict[str, Any], method: str, url: str) -> dict[str, Any]:
    path = url.split("?")[0]
    for pattern, operations in spec["paths"].items():
        parts, actual = pattern.split("/"), path.split("/")
        if (
            len(parts) == len(actual)
            and all(
                p == a or (p.startswith("{") and a.isdigit())
                for p, a in zip(parts, actual, strict=True)
            )
            and method in operations
        ):
            return operations[method]  # type: ignore[no-any-return]
    raise AssertionError(f"{method} {path} is not in the OpenAPI document")


def checked(response: Any, method: str, url: str) -> Any:
    """The response, after checking that its status is declared and its body is what the
    document says."""
    spec = _openapi()
    declared = _operation(spec, method, url)["responses"]
    status = str(response.status_code)
    assert status in declared, (method, url, status, response.content)
    content = declared[status].get("content", {})
    media = PROBLEM if response.status_code >= 400 else "application/json"
    assert response["Content-Type"].startswith(media), (url, response["Content-Type"])
    if media in content:
        _conforms(response.json(), content[media]["schema"], spec)
    return response


def send(client: Client, method: str, url: str, data: Any = None) -> Any:
    if method == "get":
        response = client.get(url, data or {})
    else:
        response = getattr(client, method)(
            url, json.dumps(data or {}), content_type="application/json"
        )
    return checked(response, method, url)


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    return response.json()  # type: ignore[no-any-return]


def _users(personas: Any) -> dict[str, Any]:
    return {
        "office": personas.province_office,
        "btv": personas.board_member,
        "vinh": personas.vinh_officer,
        "nghiloc": personas.nghiloc_officer,
        "editor": personas.editor,
        "citizen": personas.citizen,
    }


def _statuses(
    client_for: Callable[[Any], Client],
    personas: Any,
    method: str,
    url: str,
    data: Any,
    expected: dict[str, int],
) -> dict[str, Any]:
    """Each persona's answer; refusals first (they write nothing). Every 404 is exactly the
    404 of an id that does not exist."""
    users = _users(personas)
    missing = client_for(personas.vinh_officer).get(NOT_FOUND).json()
    answers = {}
    for name in sorted(expected, key=lambda n: expected[n] < 400):
        response = send(client_for(users[name]), method, url, data)
        assert response.status_code == expected[name], (name, url, response.content)
        if expected[name] == 404:
            assert response.json() == missing, name
        answers[name] = response
    return answers


READ = {"office": 200, "btv": 200, "vinh": 404, "nghiloc": 404, "editor": 404, "citizen": 401}
WRITE = {"btv": 403, "vinh": 404, "nghiloc": 404, "editor": 404, "citizen": 401}


def _vinh_task(plan: Any, units: Any, personas: Any) -> Node:
    """A task of the province's programme led by TP Vinh, with a Vinh person responsible."""
    person = do_add_person(units.vinh, full_name="Lê Văn Vinh", acting_user=None)
    task = actions.do_add_node(
        plan.programme,
        actions.NodeSpec(
            NodeKind.TASK,
            "Chỉnh trang đô thị ven sông (minh họa)",
            lead_unit=units.vinh,
            responsible=person,
            start_on=D(2021, 1, 1),
            due_on=D(2022, 6, 30),
            staff=3,
        ),
        parent=plan.item,
        acting_user=personas.province_office,
    )
    actions.do_add_milestone(
        task, title="Khởi công", due_on=D(2021, 3, 1), acting_user=personas.province_office
    )
    return task


# The programme list and its roll-up ---------------------------------------------------------


def test_the_programme_list_shows_a_programme_with_its_roll_up(
    client_for: Any, personas: Any, plan: Any, units: Any, agencies: Any
) -> None:
    office = personas.province_office
    _approve(plan, units, personas, agencies.committee)
    cycle = actions.do_open_cycle(
        plan.programme,
        frequency=Frequency.QUARTERLY,
        period_start=D(2021, 1, 1),
        period_end=D(2021, 3, 31),
        due_on=D(2021, 4, 10),
        acting_user=office,
    )
    actions.do_report(
        plan.task, cycle, actions.ReportSpec(NodeStatus.ON_TRACK, 40), acting_user=office
    )
    listed = send(client_for(office), "get", "/api/v1/programmes/").json()
    (row,) = [p for p in listed["items"] if p["id"] == plan.programme.pk]
    assert row["title"] == "Kế hoạch thực hiện Quyết định 827/QĐ-TTg (thử nghiệm)"
    assert row["progress"] == 40.0
    assert row["budget_total"] == "2500000000"
    assert row["state"] == "in_progress" and row["state_label"] == "Đang thực hiện"
    assert row["focal_agency"]["name"] == "Sở Kế hoạch và Đầu tư (thử nghiệm)"
    assert row["owner_unit"]["id"] == units.province_2020.pk
    filtered = send(client_for(office), "get", "/api/v1/programmes/", {"state": "draft"}).json()
    assert plan.programme.pk not in [p["id"] for p in filtered["items"]]
    detail = send(client_for(office), "get", f"/api/v1/programmes/{plan.programme.pk}").json()
    assert detail["progress"] == 40.0
    by_source = {s["source"]: s["amount"] for s in detail["budget_by_source"]}
    assert by_source["local"] == "2500000000" and by_source["oda"] == "0"
    for name in ("vinh", "nghiloc", "editor"):
        other = send(client_for(_users(personas)[name]), "get", "/api/v1/programmes/").json()
        assert plan.programme.pk not in [p["id"] for p in other["items"]], name
    problem(client_for(personas.citizen).get("/api/v1/programmes/"), 401)


def test_every_read_is_the_programmes_readers(client_for: Any, personas: Any, plan: Any) -> None:
    programme = f"/api/v1/programmes/{plan.programme.pk}"
    node = f"/api/v1/programme-nodes/{plan.task.pk}"
    for url in (
        programme,
        f"{programme}/tree",
        f"{programme}/missing-for-approval",
        f"{programme}/plan-vs-actual",
        f"{programme}/cycles",
        node,
        f"{node}/reports",
    ):
        _statuses(client_for, personas, "get", url, None, READ)


def test_a_unit_leading_a_task_sees_its_branch_only(
    client_for: Any, personas: Any, plan: Any, units: Any
) -> None:
    task = _vinh_task(plan, units, personas)
    bare = actions.do_add_node(
        plan.programme,
        actions.NodeSpec(NodeKind.TASK, "Nhiệm vụ chưa đủ (minh họa)"),
        parent=plan.item,
        acting_user=personas.province_office,
    )
    vinh = client_for(personas.vinh_officer)
    listed = send(vinh, "get", "/api/v1/programmes/").json()
    assert plan.programme.pk in [p["id"] for p in listed["items"]]
    tree = send(vinh, "get", f"/api/v1/programmes/{plan.programme.pk}/tree").json()
    assert tree["whole"] is False
    assert [n["id"] for n in tree["nodes"]] == [plan.field.pk, plan.item.pk, task.pk]
    whole = send(
        client_for(personas.province_office), "get", f"/api/v1/programmes/{plan.programme.pk}/tree"
    ).json()
    assert whole["whole"] is True
    assert {n["id"] for n in whole["nodes"]} == {
        plan.field.pk,
        plan.item.pk,
        plan.task.pk,
        task.pk,
        bare.pk,
    }
    gate = send(vinh, "get", f"/api/v1/programmes/{plan.programme.pk}/missing-for-approval")
    assert gate.json()["missing"] == []  # the bare task is not Vinh's to see
    send(vinh, "get", f"/api/v1/programme-nodes/{task.pk}")
    problem(send(vinh, "get", f"/api/v1/programme-nodes/{plan.task.pk}"), 404)


def test_the_gate_lists_exactly_what_the_page_lists(
    client_for: Any, personas: Any, plan: Any
) -> None:
    bare = actions.do_add_node(
        plan.programme,
        actions.NodeSpec(NodeKind.TASK, "Xây dựng đề án cơ chế đặc thù"),
        parent=plan.item,
        acting_user=personas.province_office,
    )
    url = f"/api/v1/programmes/{plan.programme.pk}/missing-for-approval"
    gate = send(client_for(personas.board_member), "get", url).json()
    assert gate["complete"] is False
    assert gate["missing"] == [
        {"node_id": m.node_id, "what": m.what, "message": m.message}
        for m in missing_for_approval(plan.programme)
    ]
    assert {m["what"] for m in gate["missing"]} == {
        "milestone",
        "due_on",
        "resources",
        "responsible",
    }
    assert {m["node_id"] for m in gate["missing"]} == {bare.pk}


def test_plan_versus_baseline_once_approved(
    client_for: Any, personas: Any, plan: Any, units: Any, agencies: Any
) -> None:
    url = f"/api/v1/programmes/{plan.programme.pk}/plan-vs-actual"
    office = client_for(personas.province_office)
    before = send(office, "get", url).json()
    assert before == {"programme_id": plan.programme.pk, "baseline_taken_at": None, "rows": []}
    _approve(plan, units, personas, agencies.committee)
    rows = {r["node_id"]: r for r in send(office, "get", url).json()["rows"]}
    assert rows[plan.task.pk]["planned_budget"] == "2500000000"
    assert rows[plan.task.pk]["planned_due"] == "2022-12-31"
    assert rows[plan.task.pk]["slip_days"] == 0


# Writing a programme ------------------------------------------------------------------------


def test_a_programme_is_created_for_a_unit_the_caller_changes(
    client_for: Any, personas: Any, units: Any, agencies: Any
) -> None:
    payload = {
        "kind": "scheme",
        "title": "Đề án Địa chí số (minh họa)",
        "source_decision": "Quyết định 827/QĐ-TTg ngày 12/6/2020",
        "period_start": "2021-01-01",
        "period_end": "2025-12-31",
        "owner_unit_id": units.province_2020.pk,
        "focal_agency_id": agencies.finance.pk,
        "coordinating_unit_ids": [agencies.committee.pk],
    }
    before = Programme.objects.count()
    answers = _statuses(
        client_for,
        personas,
        "post",
        "/api/v1/programmes/",
        payload,
        {"btv": 403, "citizen": 401, "office": 201},
    )
    created = answers["office"].json()
    assert created["state"] == "draft" and created["progress"] == 0.0
    assert [u["id"] for u in created["coordinating_units"]] == [agencies.committee.pk]
    assert Programme.objects.count() == before + 1
    # Vinh cannot see the province: its id reads as unknown, in the words of a missing one.
    vinh = client_for(personas.vinh_officer)
    hidden = problem(send(vinh, "post", "/api/v1/programmes/", payload), 422)
    absent = problem(
        send(vinh, "post", "/api/v1/programmes/", {**payload, "owner_unit_id": 999999999}), 422
    )
    assert hidden["errors"][0]["loc"] == ["body", "payload", "owner_unit_id"]
    assert hidden["detail"].replace(str(units.province_2020.pk), "N") == absent["detail"].replace(
        "999999999", "N"
    )
    own = {**payload, "owner_unit_id": units.vinh.pk, "focal_agency_id": None}
    own["coordinating_unit_ids"] = [units.nghiloc.pk]
    sideways = problem(send(vinh, "post", "/api/v1/programmes/", own), 422)
    assert sideways["errors"][0]["loc"] == ["body", "payload", "coordinating_unit_ids", "0"]
    assert "Nghi Lộc" not in json.dumps(sideways, ensure_ascii=False)
    own["coordinating_unit_ids"] = []
    assert send(vinh, "post", "/api/v1/programmes/", own).status_code == 201
    assert Programme.objects.count() == before + 2


def test_a_programme_with_its_period_reversed_is_refused_in_vietnamese(
    client_for: Any, personas: Any, units: Any
) -> None:
    before = Programme.objects.count()
    response = send(
        client_for(personas.province_office),
        "post",
        "/api/v1/programmes/",
        {
            "title": "Ngược",
            "owner_unit_id": units.province_2020.pk,
            "period_start": "2025-01-01",
            "period_end": "2021-01-01",
        },
    )
    assert "trước ngày bắt đầu" in problem(response, 422)["detail"]
    assert Programme.objects.count() == before


def test_nodes_milestones_and_money_are_written_by_the_programmes_editors(
    client_for: Any, personas: Any, plan: Any, agencies: Any
) -> None:
    url = f"/api/v1/programmes/{plan.programme.pk}/nodes"
    payload = {
        "parent_id": plan.item.pk,
        "kind": "task",
        "title": "Số hóa hồ sơ quy hoạch (minh họa)",
        "lead_unit_id": agencies.finance.pk,
        "responsible_id": agencies.finance_head.pk,
        "coordinating_unit_ids": [agencies.committee.pk],
        "start_on": "2021-02-01",
        "due_on": "2022-12-31",
        "weight": "2.5",
        "is_focus": True,
    }
    answers = _statuses(client_for, personas, "post", url, payload, {**WRITE, "office": 201})
    node = answers["office"].json()
    assert node["code"] == "1.1.2" and node["weight"] == "2.50" and node["is_focus"] is True
    assert node["responsible"]["full_name"] == "Trần Thị Tài"
    node_url = f"/api/v1/programme-nodes/{node['id']}"

    patched = _statuses(
        client_for, personas, "patch", node_url, {"staff": 4}, {**WRITE, "office": 200}
    )["office"].json()
    assert patched["staff"] == 4 and patched["title"] == payload["title"]
    assert patched["coordinating_units"][0]["id"] == agencies.committee.pk

    milestone = _statuses(
        client_for,
        personas,
        "post",
        f"{node_url}/milestones",
        {"title": "Hoàn thành số hóa 50%", "due_on": "2021-12-31"},
        {**WRITE, "office": 201},
    )["office"].json()
    assert milestone["due_on"] == "2021-12-31" and milestone["done_on"] is None

    line = _statuses(
        client_for,
        personas,
        "post",
        f"{node_url}/budget-lines",
        {"source": "central", "amount": "1234567890123", "year": 2021},
        {**WRITE, "office": 201},
    )["office"].json()
    assert line["amount"] == "1234567890123"
    saved = BudgetLine.objects.get(pk=line["id"])
    assert saved.amount == Decimal("1234567890123")
    detail = send(client_for(personas.board_member), "get", node_url).json()
    assert [m["title"] for m in detail["milestones"]] == ["Hoàn thành số hóa 50%"]
    assert [b["amount"] for b in detail["budget_lines"]] == ["1234567890123"]


@pytest.mark.parametrize(
    ("amount", "says"),
    [
        ("-5", "không được âm"),
        ("1000,5", "phần lẻ"),
        ("1000.5", "chữ số liền nhau"),
        ("mười tỷ", "không phải là số tiền"),
        ("1.500.000", "chữ số liền nhau"),
        ("1e30", "quá lớn"),
    ],
)
def test_bad_money_is_refused_and_nothing_is_written(
    client_for: Any, personas: Any, plan: Any, amount: str, says: str
) -> None:
    before = BudgetLine.objects.count()
    response = send(
        client_for(personas.province_office),
        "post",
        f"/api/v1/programme-nodes/{plan.task.pk}/budget-lines",
        {"source": "oda", "amount": amount},
    )
    assert says in problem(response, 422)["detail"]
    assert BudgetLine.objects.count() == before


def test_money_as_a_number_is_refused(client_for: Any, personas: Any, plan: Any) -> None:
    """A float would not be exact: the amount is a string of digits."""
    for amount in (2500.0, 2500):
        response = send(
            client_for(personas.province_office),
            "post",
            f"/api/v1/programme-nodes/{plan.task.pk}/budget-lines",
            {"source": "oda", "amount": amount},
        )
        assert problem(response, 422)["errors"][0]["loc"][-1] == "amount"


def test_bad_nodes_are_refused_in_vietnamese(
    client_for: Any, personas: Any, plan: Any, units: Any
) -> None:
    office = client_for(personas.province_office)
    url = f"/api/v1/programmes/{plan.programme.pk}/nodes"
    before = Node.objects.count()
    reversed_dates = {
        "parent_id": plan.item.pk,
        "kind": "task",
        "title": "Ngược",
        "start_on": "2022-01-01",
        "due_on": "2021-01-01",
    }
    assert "trước ngày bắt đầu" in problem(send(office, "post", url, reversed_dates), 422)["detail"]
    orphan = {"kind": "task", "title": "Mồ côi"}
    assert "phải thuộc một lĩnh vực" in problem(send(office, "post", url, orphan), 422)["detail"]
    elsewhere = {"kind": "task", "title": "Lạc", "parent_id": 999999999}
    body = problem(send(office, "post", url, elsewhere), 422)
    assert body["errors"][0]["loc"] == ["body", "payload", "parent_id"]
    assert Node.objects.count() == before
    milestone = send(
        office,
        "post",
        f"/api/v1/programme-nodes/{plan.task.pk}/milestones",
        {"title": "Quá hạn", "due_on": "2023-06-01"},
    )
    assert "ngoài thời gian" in problem(milestone, 422)["detail"]
    patch = send(
        office, "patch", f"/api/v1/programme-nodes/{plan.task.pk}", {"due_on": "2020-12-01"}
    )
    assert "trước ngày bắt đầu" in problem(patch, 422)["detail"]
    unknown = send(
        office,
        "patch",
        f"/api/v1/programme-nodes/{plan.task.pk}",
        {"responsible_id": 999999999},
    )
    assert "không có người mã số 999999999" in problem(unknown, 422)["detail"]


# Reports ------------------------------------------------------------------------------------


def test_a_task_is_reported_by_its_lead_unit_and_a_closed_cycle_refuses(
    client_for: Any, personas: Any, plan: Any, units: Any, agencies: Any
) -> None:
    office_user = personas.province_office
    task = _vinh_task(plan, units, personas)
    _approve(plan, units, personas, agencies.committee)
    cycle = actions.do_open_cycle(
        plan.programme,
        frequency=Frequency.QUARTERLY,
        period_start=D(2021, 1, 1),
        period_end=D(2021, 3, 31),
        due_on=D(2021, 4, 10),
        acting_user=office_user,
    )
    url = f"/api/v1/programme-cycles/{cycle.pk}/reports/{task.pk}"
    report = {
        "status": "on_track",
        "progress": 30,
        "narrative": "Đã khảo sát.",
        "spent": "150000000",
    }
    answers = _statuses(
        client_for,
        personas,
        "post",
        url,
        report,
        {"btv": 403, "nghiloc": 404, "editor": 404, "citizen": 401, "vinh": 201},
    )
    sent = answers["vinh"].json()
    assert sent["unit"]["id"] == units.vinh.pk and sent["spent"] == "150000000"
    # A task of the programme Vinh does not see is 404 to him, like one of another cycle.
    problem(
        send(
            client_for(personas.vinh_officer),
            "post",
            url.replace(f"/reports/{task.pk}", f"/reports/{plan.task.pk}"),
            report,
        ),
        404,
    )
    reports = send(
        client_for(personas.vinh_officer), "get", f"/api/v1/programme-nodes/{task.pk}/reports"
    )
    assert [r["progress"] for r in reports.json()["items"]] == [30]
    cycles = send(
        client_for(personas.board_member), "get", f"/api/v1/programmes/{plan.programme.pk}/cycles"
    ).json()
    assert [(c["id"], c["report_count"], c["is_closed"]) for c in cycles["items"]] == [
        (cycle.pk, 1, False)
    ]
    done_wrong = send(client_for(office_user), "post", url, {"status": "done", "progress": 50})
    assert "tiến độ là 100%" in problem(done_wrong, 422)["detail"]
    actions.do_close_cycle(cycle, acting_user=office_user)
    locked = send(client_for(office_user), "post", url, {"status": "done"})
    assert "đã khóa sổ" in problem(locked, 422)["detail"]
    assert task.reports.get().progress == 30


# Hand-overs ---------------------------------------------------------------------------------


def test_only_the_province_office_hands_work_over(
    client_for: Any, personas: Any, plan: Any, agencies: Any
) -> None:
    payload = {
        "from_unit_id": agencies.planning.pk,
        "to_unit_id": agencies.finance.pk,
        "effective_on": "2025-03-01",
        "reason": "Hợp nhất Sở Kế hoạch và Đầu tư vào Sở Tài chính",
    }
    before = AuditEvent.objects.filter(action="programme.hand_over").count()
    answers = _statuses(
        client_for,
        personas,
        "post",
        "/api/v1/hand-overs",
        payload,
        {
            "btv": 403,
            "vinh": 403,
            "nghiloc": 403,
            "editor": 403,
            "citizen": 401,
            "office": 201,
        },
    )
    moved = answers["office"].json()
    assert moved["moved"] == {
        "lead": [plan.task.pk],
        "coordinating": [],
        "focal": [plan.programme.pk],
    }
    assert moved["to_unit"]["id"] == agencies.finance.pk
    assert AuditEvent.objects.filter(action="programme.hand_over").count() == before + 1
    assert Node.objects.get(pk=plan.task.pk).lead_unit_id == agencies.finance.pk
    listed = send(client_for(personas.province_office), "get", "/api/v1/hand-overs").json()
    assert [h["id"] for h in listed["items"]] == [moved["id"]]
    vinh = send(client_for(personas.vinh_officer), "get", "/api/v1/hand-overs").json()
    assert vinh["items"] == []
    again = send(client_for(personas.province_office), "post", "/api/v1/hand-overs", payload)
    assert "không còn nhiệm vụ nào" in problem(again, 422)["detail"]
    wrong = send(
        client_for(personas.province_office),
        "post",
        "/api/v1/hand-overs",
        {**payload, "from_unit_id": agencies.finance.pk, "to_unit_id": agencies.committee.pk},
    )
    assert "không phải là đơn vị kế thừa" in problem(wrong, 422)["detail"]
    unknown = send(
        client_for(personas.province_office),
        "post",
        "/api/v1/hand-overs",
        {**payload, "to_unit_id": 999999999},
    )
    assert problem(unknown, 422)["errors"][0]["loc"] == ["body", "payload", "to_unit_id"]
    assert HandOver.objects.count() == 1


# Delegations --------------------------------------------------------------------------------


def _delegation(units: Any, personas: Any, plan: Any) -> Delegation:
    return actions.do_create_delegation(
        actions.DelegationSpec(
            kind="delegation",
            title="Phân cấp phê duyệt dự án nhóm C cho thành phố (minh họa)",
            from_unit=units.province_2020,
            to_unit=units.vinh,
            legal_basis="Nghị quyết 36/2021/QH15",
            programme=plan.programme,
        ),
        acting_user=personas.province_office,
    )


def test_delegations_are_seen_by_the_units_they_concern(
    client_for: Any, personas: Any, plan: Any, units: Any
) -> None:
    delegation = _delegation(units, personas, plan)
    office = send(client_for(personas.province_office), "get", "/api/v1/delegations").json()
    (row,) = [d for d in office["items"] if d["id"] == delegation.pk]
    assert row["programme"] == {"id": plan.programme.pk, "title": plan.programme.title}
    vinh = send(client_for(personas.vinh_officer), "get", "/api/v1/delegations").json()
    (seen,) = [d for d in vinh["items"] if d["id"] == delegation.pk]
    assert seen["programme"] is None  # the province's programme is not Vinh's to see
    nghiloc = send(client_for(personas.nghiloc_officer), "get", "/api/v1/delegations").json()
    assert delegation.pk not in [d["id"] for d in nghiloc["items"]]
    filtered = send(
        client_for(personas.province_office),
        "get",
        "/api/v1/delegations",
        {"state": "in_effect", "unit_id": units.vinh.pk},
    ).json()
    assert filtered["items"] == []
    url = f"/api/v1/delegations/{delegation.pk}"
    _statuses(
        client_for,
        personas,
        "patch",
        url,
        {"state": "in_effect", "effective_on": "2021-07-01"},
        {"btv": 403, "nghiloc": 404, "editor": 404, "citizen": 401, "vinh": 200},
    )
    delegation.refresh_from_db()
    assert (delegation.state, delegation.effective_on) == (DelegationState.IN_EFFECT, D(2021, 7, 1))
    undated = send(
        client_for(personas.province_office),
        "patch",
        f"/api/v1/delegations/{_delegation(units, personas, plan).pk}",
        {"state": "in_effect"},
    )
    assert "cần ngày hiệu lực" in problem(undated, 422)["detail"]


def test_a_delegation_is_written_by_who_changes_one_of_its_units(
    client_for: Any, personas: Any, plan: Any, units: Any
) -> None:
    payload = {
        "kind": "mechanism",
        "title": "Cơ chế đặc thù về đầu tư hạ tầng đô thị (minh họa)",
        "from_unit_id": units.province_2020.pk,
        "to_unit_id": units.vinh.pk,
        "scope": "Dự án đầu tư công nhóm B, C trên địa bàn thành phố",
    }
    before = Delegation.objects.count()
    _statuses(
        client_for,
        personas,
        "post",
        "/api/v1/delegations",
        payload,
        {"btv": 403, "nghiloc": 422, "editor": 422, "citizen": 401, "office": 201},
    )
    assert Delegation.objects.count() == before + 1
    vinh = client_for(personas.vinh_officer)
    # The province is not Vinh's to see: its id reads as unknown.
    body = problem(send(vinh, "post", "/api/v1/delegations", payload), 422)
    assert body["errors"][0]["loc"] == ["body", "payload", "from_unit_id"]
    own = {**payload, "from_unit_id": units.vinh.pk, "to_unit_id": units.vinh_grassroots.pk}
    hidden = problem(
        send(vinh, "post", "/api/v1/delegations", {**own, "programme_id": plan.programme.pk}), 422
    )
    absent = problem(
        send(vinh, "post", "/api/v1/delegations", {**own, "programme_id": 999999999}), 422
    )
    assert hidden["detail"].replace(str(plan.programme.pk), "N") == absent["detail"].replace(
        "999999999", "N"
    )
    assert send(vinh, "post", "/api/v1/delegations", own).status_code == 201
    assert Delegation.objects.count() == before + 2


# Bad requests and the document --------------------------------------------------------------


def test_unknown_query_parameters_are_400(client_for: Any, personas: Any, plan: Any) -> None:
    client = client_for(personas.province_office)
    programme = f"/api/v1/programmes/{plan.programme.pk}"
    for url in (
        "/api/v1/programmes/",
        programme,
        f"{programme}/tree",
        f"{programme}/missing-for-approval",
        f"{programme}/plan-vs-actual",
        f"{programme}/cycles",
        f"/api/v1/programme-nodes/{plan.task.pk}",
        f"/api/v1/programme-nodes/{plan.task.pk}/reports",
        "/api/v1/hand-overs",
        "/api/v1/delegations",
    ):
        body = problem(send(client, "get", f"{url}?nam=2020"), 400)
        assert body["title"] == "Tham số không được hỗ trợ: nam.", url
    problem(
        send(
            client,
            "post",
            f"/api/v1/programme-nodes/{plan.task.pk}/milestones?x=1",
            {"title": "Mốc", "due_on": "2021-06-01"},
        ),
        400,
    )


def test_ids_beyond_max_id_are_422(client_for: Any, personas: Any, plan: Any) -> None:
    client = client_for(personas.province_office)
    big = MAX_ID + 1
    for url in (
        f"/api/v1/programmes/{big}",
        f"/api/v1/programmes/{big}/tree",
        f"/api/v1/programme-nodes/{big}",
        f"/api/v1/programme-nodes/{big}/reports",
        f"/api/v1/delegations?unit_id={big}",
    ):
        problem(send(client, "get", url), 422)
    problem(send(client, "patch", f"/api/v1/delegations/{big}", {"state": "proposed"}), 422)
    problem(
        send(
            client,
            "post",
            f"/api/v1/programmes/{plan.programme.pk}/nodes",
            {"kind": "task", "title": "x", "parent_id": big},
        ),
        422,
    )
    problem(
        send(
            client,
            "post",
            f"/api/v1/programme-cycles/{big}/reports/{plan.task.pk}",
            {"status": "done"},
        ),
        422,
    )


def test_every_error_status_is_in_the_openapi_document() -> None:
    paths = _openapi()["paths"]
    ours = {
        p: ops
        for p, ops in paths.items()
        if p.split("/")[3]
        in {"programmes", "programme-nodes", "programme-cycles", "hand-overs", "delegations"}
    }
    assert len(ours) == 15
    for path, operations in ours.items():
        for method, operation in operations.items():
            codes = {str(code) for code in operation["responses"]}
            assert {"400", "401", "422"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if method != "get":
                assert "403" in codes, (method, path)


# Query counts ---------------------------------------------------------------------------------


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


def test_list_endpoints_cost_the_same_for_one_row_and_for_many(
    client_for: Any, personas: Any, plan: Any, units: Any, agencies: Any
) -> None:
    office = client_for(personas.province_office)
    _delegation(units, personas, plan)
    urls = [
        "/api/v1/programmes/",
        f"/api/v1/programmes/{plan.programme.pk}/tree",
        f"/api/v1/programmes/{plan.programme.pk}/missing-for-approval",
        "/api/v1/delegations",
        f"/api/v1/programme-nodes/{plan.task.pk}",
    ]
    for url in urls:
        office.get(url)  # the session and the scope, once
    before = {url: _count(office, url) for url in urls}
    for n in range(4):
        other = actions.do_create_programme(
            actions.ProgrammeSpec(title=f"Chương trình {n} (minh họa)", owner_unit=units.vinh),
            acting_user=personas.province_office,
        )
        field = actions.do_add_node(
            other,
            actions.NodeSpec(NodeKind.FIELD, "Lĩnh vực"),
            acting_user=personas.province_office,
        )
        actions.do_add_node(
            other,
            actions.NodeSpec(NodeKind.TASK, "Việc", lead_unit=agencies.finance),
            parent=field,
            acting_user=personas.province_office,
        )
        _vinh_task(plan, units, personas)
        _delegation(units, personas, plan)
    for n in range(3):
        actions.do_add_budget_line(
            plan.task,
            source="oda",
            amount=Decimal(1000 * (n + 1)),
            acting_user=personas.province_office,
        )
    after = {url: _count(office, url) for url in urls}
    assert after == before
