"""The meetings API: drafts, versions, opinions, dispositions, meetings, conclusions, follow-ups
and issuing.

Who may do what (the draft of the conftest is the Ban Tuyên giáo's, issued by the Tỉnh ủy):
- the province office (vanphong) sees everything, runs meetings, concludes, issues, and may
  write a draft's text — but never answers opinions (only the submitting body does);
- the Board member (btv) sees drafts and meetings and gives opinions, nothing else (403);
- the Ban Tuyên giáo officer (the submitting body) writes, submits and answers opinions on its
  own draft; meetings are not theirs to see (404);
- the Vinh officer sees only Vinh's follow-ups and closes them; drafts and meetings of the
  province are 404 to him, as to the Nghi Lộc officer and the gazetteer editor;
- the anonymous citizen gets 401 everywhere.
Out of scope is 404 in the very words of an id that does not exist; nothing a caller does not
see is named in an answer.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tinhuy.accounts.actions import do_create_api_token
from tinhuy.apikit import MAX_ID
from tinhuy.meetings import actions
from tinhuy.meetings.actions import FollowUpSpec, MemberSpec
from tinhuy.meetings.models import (
    AgendaItem,
    Disposition,
    DispositionKind,
    Draft,
    DraftKind,
    DraftState,
    FollowUp,
    FollowUpState,
    Meeting,
    Opinion,
    Outcome,
)
from tinhuy.register.queries import body_for_unit, next_number

from .conftest import TEXT, Board

pytestmark = pytest.mark.django_db

D = datetime.date
NOT_FOUND = "/api/v1/drafts/999999999"  # an id that does not exist: its 404 is the yardstick
PROBLEM = "application/problem+json"


def send(client: Client, method: str, url: str, data: Any = None) -> Any:
    if method == "get":
        return client.get(url, data or {})
    return getattr(client, method)(url, json.dumps(data or {}), content_type="application/json")


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    return response.json()  # type: ignore[no-any-return]


def bearer_client(user: Any) -> Client:
    """A script's client: a bearer token, CSRF checks on (a token needs none)."""
    _, secret = do_create_api_token(user, name="test", acting_user=None)
    return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {secret}")


@dataclass
class Heard:
    """A draft submitted (version 1), on a meeting's agenda, with one opinion of the Board."""

    draft: Draft
    meeting: Meeting
    item: AgendaItem
    opinion: Opinion


MEETING_DAY = D(2020, 10, 29)


def _meeting(board: Board, units: Any, personas: Any, day: datetime.date = MEETING_DAY) -> Any:
    return actions.do_create_meeting(
        body=units.province_2020,
        date=day,
        presiding=board.members[0],
        members=[
            MemberSpec(board.members[0]),
            MemberSpec(board.members[1]),
            MemberSpec(board.members[2], present=False, absence_reason="Đi công tác"),
        ],
        acting_user=personas.province_office,
    )


@pytest.fixture
def heard(draft: Draft, board: Board, units: Any, personas: Any) -> Heard:
    version = actions.do_submit_version(draft, acting_user=board.officer)
    meeting = _meeting(board, units, personas)
    item = actions.do_add_item(meeting, draft, acting_user=personas.province_office)
    opinion = actions.do_give_opinion(
        version, text="Nêu rõ lộ trình.", line_from=2, line_to=2, acting_user=personas.board_member
    )
    return Heard(draft, meeting, item, opinion)


@pytest.fixture
def vinh_follow_up(heard: Heard, units: Any, personas: Any) -> FollowUp:
    """The item concluded, with a follow-up for TP Vinh due on 30/11/2020 (overdue today)."""
    actions.do_conclude(
        heard.item,
        conclusion="Thống nhất; giao tiếp thu, hoàn chỉnh.",
        outcome=Outcome.APPROVED_AFTER_REVISION,
        follow_ups=[
            FollowUpSpec(
                "Rà soát số liệu TP Vinh", units.vinh, _vinh_person(units), D(2020, 11, 30)
            )
        ],
        acting_user=personas.province_office,
    )
    return FollowUp.objects.get(item=heard.item)


def _vinh_person(units: Any) -> Any:
    return units.vinh.people.order_by("id").first()


def _second_draft(board: Board, units: Any, *, submit: bool = True) -> Draft:
    draft = actions.do_create_draft(
        kind=DraftKind.TEXT,
        title="Kế hoạch thứ hai (minh họa)",
        doc_type="KH",
        submitting_unit=board.body,
        issuing_unit=units.province_2020,
        text="Nội dung thứ hai",
        acting_user=board.officer,
    )
    if submit:
        actions.do_submit_version(draft, acting_user=board.officer)
    return draft


# A journey through the API -------------------------------------------------------------------


def test_a_draft_goes_from_writing_to_its_register_number_through_the_api(
    client_for: Callable[[Any], Client], board: Board, personas: Any, units: Any
) -> None:
    """Ban Tuyên giáo drafts and submits; the office puts it on a meeting; a Board member
    comments on lines; the body answers and submits version 2; the Secretary concludes with a
    follow-up for TP Vinh, which Vinh's officer closes; the office issues the draft with the
    next number of the Tỉnh ủy's register in the 2020–2025 term."""
    body, office, btv = (
        client_for(board.officer),
        bearer_client(personas.province_office),
        client_for(personas.board_member),
    )
    created = send(
        body,
        "post",
        "/api/v1/drafts/",
        {
            "title": "Kế hoạch triển khai Đề án Địa chí (API)",
            "doc_type": "KH",
            "submitting_unit_id": board.body.pk,
            "issuing_unit_id": units.province_2020.pk,
            "text": TEXT,
        },
    )
    assert created.status_code == 201, created.content
    draft = created.json()
    assert draft["state"] == "writing" and draft["versions"] == []
    assert draft["submitting_unit"]["name"] == "Ban Tuyên giáo Tỉnh ủy"
    url = f"/api/v1/drafts/{draft['id']}"

    v1 = send(body, "post", f"{url}/versions", {"note": "Trình lần đầu"})
    assert v1.status_code == 201, v1.content
    assert v1.json()["number"] == 1
    assert v1.json()["lines"][5] == {
        "number": 6,
        "text": "2. Số hóa để thuận tiện truy cập, tìm số liệu.",
    }

    meeting = send(
        office,
        "post",
        "/api/v1/meetings/",
        {
            "body_unit_id": units.province_2020.pk,
            "date": "2020-10-29",
            "title": "Phiên họp Ban Thường vụ (minh họa)",
            "presiding_person_id": board.members[0].pk,
            "members": [
                {"person_id": board.members[0].pk},
                {"person_id": board.members[1].pk},
                {"person_id": board.members[2].pk, "present": False, "absence_reason": "Ốm"},
            ],
            "guests": "Ban Tuyên giáo Tỉnh ủy",
        },
    )
    assert meeting.status_code == 201, meeting.content
    meeting_url = f"/api/v1/meetings/{meeting.json()['id']}"
    assert [a["present"] for a in meeting.json()["attendance"]] == [True, True, False]
    assert meeting.json()["presiding"]["full_name"] == "Nguyễn Văn An"
    item = send(office, "post", f"{meeting_url}/items", {"draft_id": draft["id"]})
    assert item.status_code == 201, item.content
    assert (item.json()["order"], item.json()["version"]) == (1, 1)

    opinion = send(
        btv,
        "post",
        f"{url}/versions/1/opinions",
        {
            "text": "Bổ sung yêu cầu công khai.",
            "line_from": 6,
            "line_to": 6,
            "proposed_text": "2. Số hóa, công khai để Nhân dân truy cập, tìm số liệu.",
        },
    )
    assert opinion.status_code == 201, opinion.content
    assert opinion.json()["quoted_text"] == "2. Số hóa để thuận tiện truy cập, tìm số liệu."
    assert opinion.json()["author_name"] == "Phạm Văn Hùng"
    assert opinion.json()["disposition"] is None

    answered = send(
        body,
        "put",
        f"/api/v1/opinions/{opinion.json()['id']}/disposition",
        {"kind": "partly", "explanation": "Tiếp thu ý công khai; giữ cách viết ngắn."},
    )
    assert answered.status_code == 200, answered.content
    assert answered.json()["disposition"]["kind_label"] == "Tiếp thu một phần"
    saved = send(
        body,
        "put",
        f"{url}/text",
        {"text": TEXT.replace("2. Số hóa để", "2. Số hóa, công khai để Nhân dân")},
    )
    assert saved.status_code == 200 and saved.json()["state"] == DraftState.REVISING
    assert send(body, "post", f"{url}/versions", {}).status_code == 201

    diff = send(btv, "get", f"{url}/diff", {"old": 1, "new": 2}).json()
    assert [
        (d["kind"], d["old_number"], d["new_number"]) for d in diff["lines"] if d["kind"] != "same"
    ] == [
        ("removed", 6, None),
        ("added", None, 6),
    ]
    assert diff["rules"] == []
    table = send(body, "get", f"{url}/versions/1/dispositions").json()
    assert table["unanswered"] == 0
    assert [(r["disposition"]["kind"], r["disposition"]["revised_in"]) for r in table["rows"]] == [
        ("partly", 2)
    ]

    blocked = send(office, "get", f"{url}/issue").json()
    assert blocked["issuable"] is False
    assert blocked["blocker"] == "Chưa có kết luận của Ban Thường vụ về dự thảo này."
    concluded = send(
        office,
        "post",
        f"{meeting_url}/items/{item.json()['id']}/conclusion",
        {
            "conclusion": "Thống nhất; giao Ban Tuyên giáo tiếp thu, hoàn chỉnh để ban hành.",
            "outcome": "approved_after_revision",
            "follow_ups": [
                {
                    "what": "Rà soát số liệu của TP Vinh",
                    "lead_unit_id": units.vinh.pk,
                    "person_id": _vinh_person(units).pk,
                    "due_on": "2020-11-30",
                }
            ],
        },
    )
    assert concluded.status_code == 201, concluded.content
    (follow_up,) = concluded.json()["follow_ups"]
    assert follow_up["lead_unit"]["name"] == units.vinh.name
    assert follow_up["overdue"] is True  # 30/11/2020 has passed

    vinh = client_for(personas.vinh_officer)
    todo = send(vinh, "get", "/api/v1/follow-ups/todo").json()["items"]
    (mine,) = (f for f in todo if f["id"] == follow_up["id"])
    assert mine["meeting_date"] == "2020-10-29"
    nghiloc = send(client_for(personas.nghiloc_officer), "get", "/api/v1/follow-ups/todo")
    assert follow_up["id"] not in [f["id"] for f in nghiloc.json()["items"]]
    closed = send(
        vinh, "post", f"/api/v1/follow-ups/{follow_up['id']}/close", {"note": "Đã rà soát, gửi."}
    )
    assert closed.status_code == 200, closed.content
    assert closed.json()["state"] == FollowUpState.DONE and closed.json()["overdue"] is False
    todo = send(vinh, "get", "/api/v1/follow-ups/todo").json()["items"]
    assert follow_up["id"] not in [f["id"] for f in todo]

    assert send(office, "get", f"{url}/issue").json() == {
        "draft_id": draft["id"],
        "state": DraftState.REVISING,
        "issuable": True,
        "blocker": None,
        "register_number": "",
    }
    tu = body_for_unit(units.province_2020)
    assert tu is not None
    expected = next_number(tu, "KH", D(2020, 11, 5))
    assert expected >= 2  # the demo's study plan holds 01-KH/TU
    issued = send(
        office, "post", f"{url}/issue", {"issued_on": "2020-11-05", "signer_name": "Thái Thanh Quý"}
    )
    assert issued.status_code == 201, issued.content
    assert issued.json()["number"] == expected
    assert issued.json()["symbol"] == f"{expected:02d}-KH/TU"
    assert issued.json()["version"] == 2
    final = send(btv, "get", url).json()
    assert final["state"] == DraftState.ISSUED and final["issued_version"] == 2
    assert final["register_number"] == f"{expected:02d}-KH/TU"
    assert [(v["number"], v["opinion_count"]) for v in final["versions"]] == [(1, 1), (2, 0)]
    again = send(
        office, "post", f"{url}/issue", {"issued_on": "2020-11-05", "signer_name": "Thái Thanh Quý"}
    )
    assert problem(again, 422)["detail"] == "Dự thảo đã ban hành."


# Who gets what --------------------------------------------------------------------------------


def _statuses(
    client_for: Callable[[Any], Client],
    personas: Any,
    board: Board,
    method: str,
    url: str,
    data: Any,
    expected: dict[str, int],
) -> None:
    """Each persona's answer; refusals first (they write nothing), the allowed persona last.
    Every 404 is exactly the 404 of an id that does not exist."""
    users = {
        "office": personas.province_office,
        "btv": personas.board_member,
        "body": board.officer,
        "vinh": personas.vinh_officer,
        "nghiloc": personas.nghiloc_officer,
        "editor": personas.editor,
        "citizen": personas.citizen,
    }
    missing = send(client_for(personas.vinh_officer), "get", NOT_FOUND).json()
    for name in sorted(expected, key=lambda n: expected[n] < 400):
        response = send(client_for(users[name]), method, url, data)
        assert response.status_code == expected[name], (name, response.content)
        if expected[name] >= 400:
            assert response["Content-Type"] == PROBLEM, name
        if expected[name] == 404:
            assert response.json() == missing, name


READ = {"office": 200, "btv": 200, "body": 200, "vinh": 404, "nghiloc": 404, "editor": 404}
ANON = {"citizen": 401}


def test_draft_reads_are_for_the_office_the_board_and_the_submitting_body(
    client_for: Any, personas: Any, board: Board, heard: Heard
) -> None:
    url = f"/api/v1/drafts/{heard.draft.pk}"
    for path, data in [
        ("", None),
        ("/versions/1", None),
        ("/versions/1/opinions", None),
        ("/versions/1/dispositions", None),
        ("/diff", {"old": 1, "new": 1}),
        ("/issue", None),
    ]:
        _statuses(client_for, personas, board, "get", url + path, data, {**READ, **ANON})
    for name, user in (("vinh", personas.vinh_officer), ("editor", personas.editor)):
        listed = client_for(user).get("/api/v1/drafts/").json()
        assert heard.draft.pk not in [d["id"] for d in listed["items"]], name
    for user in (personas.province_office, personas.board_member, board.officer):
        listed = client_for(user).get("/api/v1/drafts/").json()
        assert heard.draft.pk in [d["id"] for d in listed["items"]]
    assert client_for(personas.citizen).get("/api/v1/drafts/").status_code == 401


def test_a_missing_version_is_404(client_for: Any, personas: Any, heard: Heard) -> None:
    client = client_for(personas.board_member)
    url = f"/api/v1/drafts/{heard.draft.pk}"
    problem(client.get(f"{url}/versions/2"), 404)
    problem(client.get(f"{url}/diff", {"old": 1, "new": 2}), 404)
    problem(client.get(f"{url}/versions/2/opinions"), 404)


def test_only_the_submitting_body_or_the_office_writes_and_submits(
    client_for: Any, personas: Any, board: Board, draft: Draft
) -> None:
    url = f"/api/v1/drafts/{draft.pk}"
    refused = {"btv": 403, "vinh": 404, "nghiloc": 404, "editor": 404, **ANON}
    _statuses(
        client_for,
        personas,
        board,
        "put",
        f"{url}/text",
        {"text": "Mới"},
        {**refused, "office": 200},
    )
    _statuses(client_for, personas, board, "post", f"{url}/versions", {}, {**refused, "body": 201})
    assert draft.versions.get().text == "Mới"


def test_a_draft_is_created_for_a_unit_the_caller_changes(
    client_for: Any, personas: Any, board: Board, units: Any
) -> None:
    payload = {
        "title": "Dự thảo (minh họa)",
        "doc_type": "TB",
        "submitting_unit_id": board.body.pk,
        "issuing_unit_id": units.province_2020.pk,
        "text": "Nội dung",
    }
    before = Draft.objects.count()
    _statuses(
        client_for,
        personas,
        board,
        "post",
        "/api/v1/drafts/",
        payload,
        {"btv": 403, "vinh": 404, "nghiloc": 404, "editor": 404, **ANON, "body": 201},
    )
    assert Draft.objects.count() == before + 1
    # Vinh drafts for its own committee; an issuing unit outside its line is refused, unnamed.
    vinh = client_for(personas.vinh_officer)
    own = {**payload, "submitting_unit_id": units.vinh.pk, "issuing_unit_id": units.vinh.pk}
    assert send(vinh, "post", "/api/v1/drafts/", own).status_code == 201
    sideways = send(vinh, "post", "/api/v1/drafts/", {**own, "issuing_unit_id": units.nghiloc.pk})
    body = problem(sideways, 422)
    assert body["errors"][0]["loc"] == ["body", "payload", "issuing_unit_id"]
    assert "Nghi Lộc" not in json.dumps(body, ensure_ascii=False)


def test_opinions_are_the_boards_and_dispositions_the_bodys(
    client_for: Any, personas: Any, board: Board, heard: Heard
) -> None:
    url = f"/api/v1/drafts/{heard.draft.pk}/versions/1/opinions"
    refused = {"vinh": 404, "nghiloc": 404, "editor": 404, **ANON}
    _statuses(
        client_for,
        personas,
        board,
        "post",
        url,
        {"text": "Ý kiến"},
        {**refused, "office": 403, "body": 403, "btv": 201},
    )
    assert Opinion.objects.filter(version__draft=heard.draft).count() == 2
    _statuses(
        client_for,
        personas,
        board,
        "put",
        f"/api/v1/opinions/{heard.opinion.pk}/disposition",
        {"kind": "accepted"},
        {**refused, "office": 403, "btv": 403, "body": 200},
    )
    assert Disposition.objects.get(opinion=heard.opinion).kind == DispositionKind.ACCEPTED


def test_only_the_office_issues(client_for: Any, personas: Any, board: Board, heard: Heard) -> None:
    url = f"/api/v1/drafts/{heard.draft.pk}/issue"
    sign = {"issued_on": "2020-11-05", "signer_name": "Thái Thanh Quý"}
    refused = {"btv": 403, "body": 403, "vinh": 404, "nghiloc": 404, "editor": 404, **ANON}
    _statuses(client_for, personas, board, "post", url, sign, refused)
    # The office is allowed, but an opinion waits for its answer: the reason, in Vietnamese.
    body = problem(send(client_for(personas.province_office), "post", url, sign), 422)
    assert body["detail"] == ("Còn 1 ý kiến góp ý vào lần trình 1 chưa được tiếp thu, giải trình.")
    heard.draft.refresh_from_db()
    assert heard.draft.state == DraftState.SUBMITTED and heard.draft.register_entry is None


def test_meetings_are_the_offices_and_the_boards(
    client_for: Any, personas: Any, board: Board, units: Any, heard: Heard
) -> None:
    url = f"/api/v1/meetings/{heard.meeting.pk}"
    meeting_read = {"office": 200, "btv": 200, "body": 404, "vinh": 404, "nghiloc": 404}
    _statuses(
        client_for, personas, board, "get", url, None, {**meeting_read, "editor": 404, **ANON}
    )
    for user in (personas.vinh_officer, board.officer, personas.editor):
        assert client_for(user).get("/api/v1/meetings/").json()["items"] == []
    office_list = client_for(personas.province_office).get("/api/v1/meetings/").json()
    assert heard.meeting.pk in [m["id"] for m in office_list["items"]]
    _statuses(
        client_for,
        personas,
        board,
        "post",
        "/api/v1/meetings/",
        {"body_unit_id": units.province_2020.pk, "date": "2020-11-12"},
        {
            "btv": 403,
            "body": 403,
            "vinh": 403,
            "nghiloc": 403,
            "editor": 403,
            **ANON,
            "office": 201,
        },
    )
    second = _second_draft(board, units)
    writes = {"btv": 403, "body": 404, "vinh": 404, "nghiloc": 404, "editor": 404, **ANON}
    _statuses(
        client_for,
        personas,
        board,
        "post",
        f"{url}/items",
        {"draft_id": second.pk},
        {**writes, "office": 201},
    )
    _statuses(
        client_for,
        personas,
        board,
        "post",
        f"{url}/items/{heard.item.pk}/conclusion",
        {"conclusion": "Thông qua.", "outcome": "approved"},
        {**writes, "office": 201},
    )
    _statuses(
        client_for,
        personas,
        board,
        "post",
        f"{url}/items/{heard.item.pk}/follow-ups",
        {
            "what": "Báo cáo kết quả",
            "lead_unit_id": units.vinh.pk,
            "person_id": _vinh_person(units).pk,
            "due_on": "2020-12-15",
        },
        {**writes, "office": 201},
    )
    # An item of another meeting is not found under this one.
    other = _meeting(board, units, personas, D(2020, 11, 20))
    problem(
        send(
            client_for(personas.province_office),
            "post",
            f"/api/v1/meetings/{other.pk}/items/{heard.item.pk}/conclusion",
            {"conclusion": "x", "outcome": "approved"},
        ),
        404,
    )


def test_follow_ups_are_seen_by_whoever_sees_the_lead_unit(
    client_for: Any, personas: Any, board: Board, vinh_follow_up: FollowUp
) -> None:
    url = f"/api/v1/follow-ups/{vinh_follow_up.pk}"
    read = {"office": 200, "btv": 200, "vinh": 200, "body": 404, "nghiloc": 404, "editor": 404}
    _statuses(client_for, personas, board, "get", url, None, {**read, **ANON})
    for user, sees in (
        (personas.vinh_officer, True),
        (personas.nghiloc_officer, False),
        (board.officer, False),
        (personas.province_office, True),
    ):
        for path in ("/api/v1/follow-ups/", "/api/v1/follow-ups/todo"):
            ids = [f["id"] for f in client_for(user).get(path).json()["items"]]
            assert (vinh_follow_up.pk in ids) == sees, (user, path)
    for path in ("/api/v1/follow-ups/", "/api/v1/follow-ups/todo"):
        assert client_for(personas.citizen).get(path).status_code == 401
    _statuses(
        client_for,
        personas,
        board,
        "post",
        f"{url}/close",
        {"note": "Đã xong."},
        {"btv": 403, "body": 404, "nghiloc": 404, "editor": 404, **ANON, "vinh": 200},
    )


def test_a_vinh_follow_up_names_nothing_vinh_does_not_see(
    client_for: Any, personas: Any, heard: Heard, vinh_follow_up: FollowUp
) -> None:
    """The officer of Vinh reads the work given to Vinh: not the draft, not the body that
    submitted it, not the Board members' names."""
    vinh = client_for(personas.vinh_officer)
    answers = [
        json.dumps(vinh.get(url).json(), ensure_ascii=False)
        for url in (
            "/api/v1/follow-ups/",
            "/api/v1/follow-ups/todo",
            f"/api/v1/follow-ups/{vinh_follow_up.pk}",
        )
    ]
    for text in answers:
        for unseen in (heard.draft.title, "Ban Tuyên giáo", "Nguyễn Văn An", "Phạm Văn Hùng"):
            assert unseen not in text
    assert "Rà soát số liệu TP Vinh" in answers[2]


def test_follow_ups_are_filtered_by_state_and_overdue(
    client_for: Any, personas: Any, units: Any, heard: Heard, vinh_follow_up: FollowUp
) -> None:
    heard.item.refresh_from_db()
    later = actions.do_add_follow_up(
        heard.item,
        FollowUpSpec("Việc còn hạn", units.vinh, _vinh_person(units), D(2100, 1, 1)),
        acting_user=personas.province_office,
    )
    client = client_for(personas.vinh_officer)
    ours = {vinh_follow_up.pk, later.pk}  # the demo's follow-ups for Vinh are left aside

    def ids(**params: str) -> list[int]:
        items = client.get("/api/v1/follow-ups/", params).json()["items"]
        return [f["id"] for f in items if f["id"] in ours]

    assert ids() == [vinh_follow_up.pk, later.pk]
    assert ids(overdue="true") == [vinh_follow_up.pk]
    assert ids(overdue="false") == [later.pk]
    assert ids(state="open") == [vinh_follow_up.pk, later.pk]
    assert ids(state="done") == []
    actions.do_close_follow_up(vinh_follow_up, note="Xong.", acting_user=personas.vinh_officer)
    assert ids(state="done") == [vinh_follow_up.pk]
    assert ids(overdue="true") == []
    problem(client.get("/api/v1/follow-ups/", {"state": "closed"}), 422)
    problem(client.get("/api/v1/follow-ups/", {"overdue": "maybe"}), 422)


# Bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line_from", "line_to", "says"),
    [
        (5, 99, "Dòng 5–99 ở ngoài văn bản: lần trình 1 có 7 dòng"),
        (4, 3, "Dòng bắt đầu (4) ở sau dòng kết thúc (3)"),
        (0, 1, "Dòng 0–1 ở ngoài văn bản"),
        (2, None, "cả dòng bắt đầu và dòng kết thúc"),
    ],
)
def test_a_line_range_outside_the_text_is_422_in_vietnamese(
    client_for: Any, personas: Any, heard: Heard, line_from: int, line_to: int | None, says: str
) -> None:
    response = send(
        client_for(personas.board_member),
        "post",
        f"/api/v1/drafts/{heard.draft.pk}/versions/1/opinions",
        {"text": "Ý kiến", "line_from": line_from, "line_to": line_to},
    )
    body = problem(response, 422)
    assert says in body["detail"] and body["errors"][0]["msg"] == body["detail"]
    assert Opinion.objects.filter(version__draft=heard.draft).count() == 1


def test_a_disposition_needs_an_explanation_unless_accepted(
    client_for: Any, personas: Any, board: Board, heard: Heard
) -> None:
    url = f"/api/v1/opinions/{heard.opinion.pk}/disposition"
    body = client_for(board.officer)
    for kind in ("partly", "not_accepted"):
        refused = problem(send(body, "put", url, {"kind": kind, "explanation": "  "}), 422)
        assert refused["detail"] == "Tiếp thu một phần hoặc không tiếp thu: hãy ghi giải trình."
    problem(send(body, "put", url, {"kind": "maybe"}), 422)
    # The wrong body (the office, which sees the draft) is refused before anything is checked.
    problem(send(client_for(personas.province_office), "put", url, {"kind": "partly"}), 403)
    assert not Disposition.objects.filter(opinion=heard.opinion).exists()
    changed = send(body, "put", url, {"kind": "not_accepted", "explanation": "Đã có ở mục II."})
    assert changed.json()["disposition"]["explanation"] == "Đã có ở mục II."
    changed = send(body, "put", url, {"kind": "accepted"})
    assert changed.status_code == 200 and changed.json()["disposition"]["kind"] == "accepted"


def test_a_new_version_waits_for_every_answer(client_for: Any, board: Board, heard: Heard) -> None:
    response = send(client_for(board.officer), "post", f"/api/v1/drafts/{heard.draft.pk}/versions")
    assert "1 ý kiến góp ý vào lần trình 1 chưa được" in problem(response, 422)["detail"]
    assert heard.draft.versions.count() == 1


@pytest.mark.parametrize(
    ("drop", "says"),
    [
        ("person_id", "chưa có người phụ trách cụ thể"),
        ("due_on", "chưa có hạn hoàn thành"),
        ("lead_unit_id", "chưa có đơn vị chủ trì"),
    ],
)
def test_a_follow_up_without_person_or_due_date_writes_nothing(
    client_for: Any, personas: Any, units: Any, heard: Heard, drop: str, says: str
) -> None:
    follow_up = {
        "what": "Hoàn thiện kế hoạch",
        "lead_unit_id": units.vinh.pk,
        "person_id": _vinh_person(units).pk,
        "due_on": "2020-11-30",
    }
    del follow_up[drop]
    response = send(
        client_for(personas.province_office),
        "post",
        f"/api/v1/meetings/{heard.meeting.pk}/items/{heard.item.pk}/conclusion",
        {"conclusion": "Thống nhất.", "outcome": "approved", "follow_ups": [follow_up]},
    )
    assert says in problem(response, 422)["detail"]
    heard.item.refresh_from_db()
    assert heard.item.concluded_at is None and not FollowUp.objects.filter(item=heard.item)


def test_unknown_ids_in_a_body_read_as_unknown(
    client_for: Any, personas: Any, units: Any, board: Board, heard: Heard
) -> None:
    office = client_for(personas.province_office)
    url = f"/api/v1/meetings/{heard.meeting.pk}/items/{heard.item.pk}/conclusion"
    conclusion = {
        "conclusion": "Thống nhất.",
        "outcome": "approved",
        "follow_ups": [
            {
                "what": "x",
                "lead_unit_id": units.vinh.pk,
                "person_id": 999999999,
                "due_on": "2020-11-30",
            }
        ],
    }
    body = problem(send(office, "post", url, conclusion), 422)
    assert body["errors"][0]["loc"] == ["body", "payload", "follow_ups", "0", "person_id"]
    assert "không có người mã số 999999999" in body["detail"]
    item = send(
        office, "post", f"/api/v1/meetings/{heard.meeting.pk}/items", {"draft_id": 999999999}
    )
    assert problem(item, 422)["errors"][0]["loc"] == ["body", "payload", "draft_id"]
    again = send(
        office, "post", f"/api/v1/meetings/{heard.meeting.pk}/items", {"draft_id": heard.draft.pk}
    )
    assert problem(again, 422)["detail"] == "Dự thảo này đã có trong chương trình phiên họp."
    absent = send(
        office,
        "post",
        "/api/v1/meetings/",
        {
            "body_unit_id": units.province_2020.pk,
            "date": "2020-11-12",
            "members": [{"person_id": board.members[0].pk, "present": False}],
        },
    )
    assert "vắng: hãy ghi lý do vắng" in problem(absent, 422)["detail"]


def test_unknown_query_parameters_are_400(
    client_for: Any, personas: Any, heard: Heard, vinh_follow_up: FollowUp
) -> None:
    client = client_for(personas.province_office)
    draft = f"/api/v1/drafts/{heard.draft.pk}"
    for url in (
        "/api/v1/drafts/",
        draft,
        f"{draft}/versions/1",
        f"{draft}/versions/1/opinions",
        f"{draft}/versions/1/dispositions",
        f"{draft}/diff?old=1&new=1",
        f"{draft}/issue",
        "/api/v1/meetings/",
        f"/api/v1/meetings/{heard.meeting.pk}",
        "/api/v1/follow-ups/",
        "/api/v1/follow-ups/todo",
        f"/api/v1/follow-ups/{vinh_follow_up.pk}",
    ):
        joiner = "&" if "?" in url else "?"
        body = problem(client.get(f"{url}{joiner}nam=2020"), 400)
        assert body["title"] == "Tham số không được hỗ trợ: nam.", url
    response = send(
        client, "post", f"/api/v1/follow-ups/{vinh_follow_up.pk}/close?dry_run=1", {"note": "x"}
    )
    problem(response, 400)


def test_ids_beyond_max_id_are_422(client_for: Any, personas: Any, heard: Heard) -> None:
    client = client_for(personas.province_office)
    big = MAX_ID + 1
    for url in (
        f"/api/v1/drafts/{big}",
        f"/api/v1/drafts/{heard.draft.pk}/versions/{2**15}",
        f"/api/v1/drafts/{heard.draft.pk}/diff?old=1&new={big}",
        f"/api/v1/meetings/{big}",
        f"/api/v1/follow-ups/{big}",
    ):
        problem(client.get(url), 422)
    problem(send(client, "put", f"/api/v1/opinions/{big}/disposition", {"kind": "accepted"}), 422)
    problem(
        send(client, "post", f"/api/v1/meetings/{heard.meeting.pk}/items", {"draft_id": big}), 422
    )
    problem(
        send(
            client_for(personas.board_member),
            "post",
            f"/api/v1/drafts/{heard.draft.pk}/versions/1/opinions",
            {"text": "x", "line_from": 2**31, "line_to": 2**31},
        ),
        422,
    )
    problem(
        send(
            client,
            "post",
            f"/api/v1/drafts/{heard.draft.pk}/issue",
            {"issued_on": "2020-11-05", "signer_name": "A", "number": 10**30},
        ),
        422,
    )


def test_a_taken_register_number_is_409(
    client_for: Any, personas: Any, board: Board, units: Any
) -> None:
    """01-KH/TU is the demo's study plan: asking for it again is a conflict."""
    draft = _second_draft(board, units)
    meeting = _meeting(board, units, personas)
    item = actions.do_add_item(meeting, draft, acting_user=personas.province_office)
    actions.do_conclude(
        item,
        conclusion="Thông qua.",
        outcome=Outcome.APPROVED,
        acting_user=personas.province_office,
    )
    response = send(
        client_for(personas.province_office),
        "post",
        f"/api/v1/drafts/{draft.pk}/issue",
        {"issued_on": "2020-11-05", "signer_name": "Thái Thanh Quý", "number": 1, "reason": "Thử"},
    )
    assert "01-KH/TU" in problem(response, 409)["detail"]
    draft.refresh_from_db()
    assert draft.state == DraftState.APPROVED and draft.register_entry is None


def test_every_error_status_is_in_the_openapi_document() -> None:
    from tinhuy.api import api

    paths = api.get_openapi_schema()["paths"]
    ours = {
        p: ops
        for p, ops in paths.items()
        if p.split("/")[3] in {"drafts", "meetings", "opinions", "follow-ups"}
    }
    assert len(ours) == 19
    for path, operations in ours.items():
        for method, operation in operations.items():
            codes = {str(code) for code in operation["responses"]}
            assert {"400", "401", "422"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if method != "get" and "{" in path:
                assert "403" in codes, (method, path)


# Query counts ---------------------------------------------------------------------------------


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


def _concluded_item(heard: Heard, board: Board, units: Any, personas: Any, n: int) -> None:
    """Another draft on the heard meeting, concluded with two follow-ups for Vinh."""
    item = actions.do_add_item(
        heard.meeting, _second_draft(board, units), acting_user=personas.province_office
    )
    actions.do_conclude(
        item,
        conclusion="Chưa thông qua; chỉnh sửa, trình lại.",
        outcome=Outcome.RESUBMIT,
        follow_ups=[
            FollowUpSpec(f"Việc {n}", units.vinh, _vinh_person(units), D(2020, 12, 1 + n)),
            FollowUpSpec(f"Việc {n}b", units.vinh, _vinh_person(units), D(2021, 1, 1 + n)),
        ],
        acting_user=personas.province_office,
    )


def test_list_endpoints_cost_the_same_for_one_row_and_for_many(
    client_for: Any, personas: Any, board: Board, units: Any, heard: Heard
) -> None:
    _concluded_item(heard, board, units, personas, 0)
    vinh_follow_ups = FollowUp.objects.filter(lead_unit=units.vinh).count()
    office = client_for(personas.province_office)
    vinh = client_for(personas.vinh_officer)
    urls = [
        (office, "/api/v1/drafts/"),
        (office, "/api/v1/meetings/"),
        (office, f"/api/v1/meetings/{heard.meeting.pk}"),
        (office, f"/api/v1/drafts/{heard.draft.pk}/versions/1/opinions"),
        (office, f"/api/v1/drafts/{heard.draft.pk}/versions/1/dispositions"),
        (vinh, "/api/v1/follow-ups/"),
        (vinh, "/api/v1/follow-ups/todo"),
    ]
    for client, url in urls:
        client.get(url)  # the session and the scope, once
    before = {url: _count(client, url) for client, url in urls}

    # More of everything: drafts, meetings, opinions (answered), items, follow-ups.
    version = heard.draft.versions.get()
    opinions = [
        actions.do_give_opinion(
            version, text=f"Ý kiến {n}", line_from=1, line_to=3, acting_user=personas.board_member
        )
        for n in range(8)
    ]
    for opinion in opinions[::2]:
        actions.do_dispose(
            opinion, kind=DispositionKind.PARTLY, explanation="Một phần.", acting_user=board.officer
        )
    for n in range(1, 6):
        _second_draft(board, units)
        _meeting(board, units, personas, D(2020, 11, 1 + n))
        _concluded_item(heard, board, units, personas, n)
    assert FollowUp.objects.filter(lead_unit=units.vinh).count() == vinh_follow_ups + 10
    after = {url: _count(client, url) for client, url in urls}
    assert after == before
