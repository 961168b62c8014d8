"""Rules checked when a conference is registered, and registrations corrected or cancelled.

Who may do what (``tests/conftest.py``): the Vinh officer registers, edits and cancels for
Vinh's subtree; a Nghi Lộc conference does not exist for him (404, like an absent id); the
Board member reads and writes nothing (403). Every problem the level's rule finds is shown,
named by its rule, before anything is saved; saving anyway needs a confirmation, which is kept
on the conference and in the audit event.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import Personas, Units
from tests.study.test_api import bearer_client, conference_body, plan_url
from tests.study.test_conferences import (
    DAY,
    ClientFor,
    counts,
    make_fresh_plan,
    post_confirmed,
    register,
    register_data,
    today,
)
from tinhuy.audit.models import AuditEvent
from tinhuy.org.access import scope_for
from tinhuy.study.actions import (
    BridgeSpec,
    ConferenceSpec,
    ReportSpec,
    RuleProblemsError,
    SegmentSpec,
    do_cancel_conference,
    do_edit_conference,
    do_register_conference,
    do_report_conference,
    registration_problems,
)
from tinhuy.study.models import Conference, Plan
from tinhuy.study.queries import plan_progress

D = datetime.date
MODE_RULE = "Quy định về hình thức học trực tuyến, điểm cầu (Cấp huyện và tương đương)"


@pytest.fixture
def fresh_plan(units: Units, personas: Personas) -> Plan:
    return make_fresh_plan(units, personas)


def second_vinh_conference(plan: Plan, units: Units, **extra: str) -> dict[str, str]:
    """The issue's case: Vinh's second district conference on 28/12/2020, online with a bridge
    point at a grassroots organisation, both topics presented."""
    topics = {t.order: str(t.id) for t in plan.topics.all()}
    return register_data(
        units.vinh.id,
        "28/12/2020",
        mode="online",
        **{
            "noi_dung-0-topic": topics[1],
            "noi_dung-1-topic": topics[2],
            "noi_dung-1-content_kind": "resolution",
            "noi_dung-1-presenter_name": "Báo cáo viên Tỉnh ủy",
            "noi_dung-1-presenter_role": "reporter",
            "noi_dung-1-presenter_unit": "40",
            "diem_cau-0-unit": units.vinh_grassroots.code,
            "diem_cau-0-expected_count": "40",
        },
        **extra,
    )


# The issue's case, on the page ---------------------------------------------------------------


def test_vinhs_online_conference_with_a_bridge_point_is_shown_the_rule_and_not_saved(
    plan_2020: Plan, units: Units, personas: Personas, client_for: ClientFor
) -> None:
    """District level may not study online with bridge points: the rule is named, nothing is
    written, and the page offers “Vẫn lưu”."""
    client = client_for(personas.vinh_officer)
    before = counts()

    response = client.post(
        reverse("study_conference_register", args=[plan_2020.id]),
        second_vinh_conference(plan_2020, units),
    )

    assert response.status_code == 200
    assert counts() == before
    assert [(p.rule, p.message) for p in response.context["problems"]] == [
        ("mode", f"{MODE_RULE}: Cấp này không được phép học trực tuyến có điểm cầu.")
    ]
    page = response.content.decode()
    assert MODE_RULE in page
    assert 'name="confirm_problems"' in page


def test_confirmed_it_is_saved_with_who_confirmed_which_problem_and_vinh_stays_compliant(
    plan_2020: Plan, units: Units, personas: Personas, client_for: ClientFor
) -> None:
    """Ticked “Vẫn lưu” under the problem shown: saved; the conference and the audit event
    keep the problem and the person; the reported 23/12/2020 conference keeps Vinh compliant."""
    client = client_for(personas.vinh_officer)
    url = reverse("study_conference_register", args=[plan_2020.id])
    data = second_vinh_conference(plan_2020, units)

    response = post_confirmed(client, url, data)

    assert response.status_code == 302
    conference = Conference.objects.get(plan=plan_2020, host=units.vinh, date=D(2020, 12, 28))
    assert [p["rule"] for p in conference.rule_problems] == ["mode"]
    assert conference.problems_confirmed_by == personas.vinh_officer
    assert conference.problems_confirmed_at is not None
    event = AuditEvent.objects.filter(action="conference.register").latest("id")
    assert event.actor == personas.vinh_officer
    assert event.after["problems_confirmed"] is True
    assert event.after["rule_problems"] == [conference.rule_problems[0]["message"]]
    page = client.get(response["Location"]).content.decode()
    assert "Đã xác nhận vẫn lưu" in page
    assert MODE_RULE in page

    progress = plan_progress(plan_2020, units.vinh, scope_for(personas.vinh_officer), D(2021, 2, 1))
    vinh = next(
        r for r in progress.rows if r.unit_id == units.vinh.id and r.progress.role == "host"
    )
    assert vinh.progress.held_on == D(2020, 12, 23)
    assert vinh.progress.problems == []


def test_a_confirmation_under_other_problems_does_not_save(
    plan_2020: Plan, units: Units, personas: Personas, client_for: ClientFor
) -> None:
    """“Vẫn lưu” ticked without having seen these problems (no or another fingerprint) shows
    them and writes nothing."""
    client = client_for(personas.vinh_officer)
    url = reverse("study_conference_register", args=[plan_2020.id])
    before = counts()
    for seen in ("", "0" * 32):
        data = second_vinh_conference(plan_2020, units, confirm_problems="on", problems_seen=seen)
        response = client.post(url, data)
        assert response.status_code == 200
        assert [p.rule for p in response.context["problems"]] == ["mode"]
    assert counts() == before


# Each rule, in the action ------------------------------------------------------------------


def spec(units: Units, day: datetime.date, **changes) -> ConferenceSpec:  # type: ignore[no-untyped-def]
    values = {
        "host": units.vinh_grassroots,
        "date": day,
        "length_sessions": 1,
        "segments": (
            SegmentSpec("resolution", "Báo cáo viên", "reporter", units.vinh, "", topic_order=1),
            SegmentSpec("own_plan", "Bí thư", "secretary", units.vinh_grassroots, "Bí thư"),
        ),
    }
    return ConferenceSpec(**(values | changes))


def test_a_registration_that_keeps_the_rules_is_saved_without_a_confirmation(
    fresh_plan: Plan, units: Units, personas: Personas
) -> None:
    conference = do_register_conference(
        fresh_plan, spec(units, today()), acting_user=personas.vinh_officer, confirm_problems=False
    )
    assert conference.rule_problems == []
    assert conference.problems_confirmed_by is None


@pytest.mark.parametrize(
    ("changes", "rule", "fragment"),
    [
        ({"date": "late"}, "window", "sau hạn hoàn thành"),
        ({"date": "early"}, "window", "trước ngày bắt đầu"),
        ({"host": "vinh"}, "length", "Thời lượng 1 buổi, ít hơn quy định 2 buổi."),
        ({"segments": "upper presenter"}, "presenter", "phải do Bí thư, Chủ tịch"),
        ({"segments": "no topic"}, "topics", "thiếu 1 chuyên đề"),
    ],
)
def test_each_rule_is_named_and_refused_until_confirmed(
    fresh_plan: Plan, units: Units, personas: Personas, changes, rule: str, fragment: str
) -> None:  # type: ignore[no-untyped-def]
    """The window, the length, the presenter of the unit's own plan and the topics (the mode
    is the issue's case above): each problem refused with its rule's name, then saved once
    confirmed."""
    values: dict[str, object] = {}
    if changes.get("date") == "late":
        values["date"] = today() + 31 * DAY
    if changes.get("date") == "early":
        values["date"] = today() - 31 * DAY
    if changes.get("host") == "vinh":
        values["host"] = units.vinh
        values["segments"] = (
            SegmentSpec("resolution", "Báo cáo viên", "reporter", units.vinh, "", topic_order=1),
            SegmentSpec("own_plan", "Bí thư", "secretary", units.vinh, "Bí thư"),
        )
    if changes.get("segments") == "upper presenter":
        values["segments"] = (
            SegmentSpec("resolution", "Báo cáo viên", "reporter", units.vinh, "", topic_order=1),
            SegmentSpec("own_plan", "Báo cáo viên huyện", "reporter", units.vinh, ""),
        )
    if changes.get("segments") == "no topic":
        values["segments"] = (
            SegmentSpec("own_plan", "Bí thư", "secretary", units.vinh_grassroots, "Bí thư"),
        )
    registration = spec(units, today(), **values)
    before = counts()

    with pytest.raises(RuleProblemsError) as refused:
        do_register_conference(
            fresh_plan, registration, acting_user=personas.vinh_officer, confirm_problems=False
        )

    assert counts() == before
    assert [p.rule for p in refused.value.problems] == [rule]
    assert fragment in refused.value.problems[0].message
    conference = do_register_conference(
        fresh_plan, registration, acting_user=personas.vinh_officer, confirm_problems=True
    )
    assert [p["rule"] for p in conference.rule_problems] == [rule]
    assert conference.problems_confirmed_by == personas.vinh_officer


def test_a_topic_presented_at_the_units_other_conference_counts(
    fresh_plan: Plan, units: Units, personas: Personas
) -> None:
    """The topics are judged over the unit's conferences together, as on the dashboard."""
    do_register_conference(fresh_plan, spec(units, today()), acting_user=None)
    only_own_plan = spec(
        units,
        today() + DAY,
        segments=(SegmentSpec("own_plan", "Bí thư", "secretary", units.vinh_grassroots, ""),),
    )
    rule = fresh_plan.rules.get(level=units.vinh_grassroots.level)
    assert registration_problems(fresh_plan, rule, only_own_plan) == []


# Edit and cancel, in the action ---------------------------------------------------------------


def test_an_edit_is_checked_audited_and_a_same_edit_writes_nothing(
    fresh_plan: Plan, units: Units, personas: Personas
) -> None:
    conference = do_register_conference(
        fresh_plan, spec(units, today()), acting_user=personas.vinh_officer
    )
    events = AuditEvent.objects.count()

    assert not do_edit_conference(
        conference, spec(units, today()), acting_user=personas.vinh_officer
    )
    assert AuditEvent.objects.count() == events
    with pytest.raises(RuleProblemsError):
        do_edit_conference(
            conference,
            spec(units, today() + 40 * DAY),
            acting_user=personas.vinh_officer,
            confirm_problems=False,
        )
    assert do_edit_conference(
        conference, spec(units, today() + 2 * DAY, venue="Nhà văn hóa"),
        acting_user=personas.vinh_officer, confirm_problems=False,
    )  # fmt: skip
    conference.refresh_from_db()
    assert (conference.date, conference.venue) == (today() + 2 * DAY, "Nhà văn hóa")
    event = AuditEvent.objects.latest("id")
    assert event.action == "conference.edit"
    assert (event.before["venue"], event.after["venue"]) == ("", "Nhà văn hóa")
    assert event.actor == personas.vinh_officer


def test_a_reported_conference_is_neither_edited_nor_cancelled(
    fresh_plan: Plan, units: Units, personas: Personas
) -> None:
    conference = do_register_conference(fresh_plan, spec(units, today()), acting_user=None)
    do_report_conference(conference, ReportSpec(10, 9), acting_user=None)
    with pytest.raises(Exception, match="đã có báo cáo"):
        do_edit_conference(conference, spec(units, today(), venue="x"), acting_user=None)
    with pytest.raises(Exception, match="đã có báo cáo"):
        do_cancel_conference(conference, reason="Nhầm", acting_user=None)


# Pages: edit and cancel -----------------------------------------------------------------------


@pytest.fixture
def vinh_conference(fresh_plan: Plan, units: Units, personas: Personas) -> Conference:
    return register(fresh_plan, units.vinh_grassroots, today() + 3 * DAY, personas.vinh_officer)


@pytest.fixture
def nghiloc_conference(fresh_plan: Plan, units: Units, personas: Personas) -> Conference:
    return register(fresh_plan, units.nghiloc, today() + 3 * DAY, personas.nghiloc_officer)


def test_edit_and_cancel_pages_are_scoped(
    vinh_conference: Conference,
    nghiloc_conference: Conference,
    personas: Personas,
    client_for: ClientFor,
) -> None:
    """Nghi Lộc's conference is 404 to the Vinh officer, as an absent id; the Board member
    may not write (403); nothing changes."""
    vinh = client_for(personas.vinh_officer)
    board = client_for(personas.board_member)
    before = counts()
    for name in ("study_conference_edit", "study_conference_cancel"):
        assert vinh.get(reverse(name, args=[vinh_conference.id])).status_code == 200
        assert vinh.get(reverse(name, args=[nghiloc_conference.id])).status_code == 404
        assert vinh.get(reverse(name, args=[999_999_999])).status_code == 404
        post = vinh.post(reverse(name, args=[nghiloc_conference.id]), {"reason": "x"})
        assert post.status_code == 404
        assert board.get(reverse(name, args=[vinh_conference.id])).status_code == 403
        assert (
            board.post(reverse(name, args=[vinh_conference.id]), {"reason": "x"}).status_code == 403
        )
    assert counts() == before
    assert Conference.objects.get(pk=nghiloc_conference.pk).cancelled_at is None


def test_the_edit_page_changes_the_registration_and_reads_7h30(
    fresh_plan: Plan, units: Units, vinh_conference: Conference, personas: Personas,
    client_for: ClientFor,
) -> None:  # fmt: skip
    client = client_for(personas.vinh_officer)
    url = reverse("study_conference_edit", args=[vinh_conference.id])
    page = client.get(url)
    assert page.context["form"]["date"].value() == vinh_conference.date
    data = register_data(
        units.vinh_grassroots.id,
        (today() + 5 * DAY).strftime("%d/%m/%Y"),
        start_time="7h30",
        length_sessions="1",
        **{
            "noi_dung-0-presenter_unit": units.vinh_grassroots.code,
            "noi_dung-0-topic": str(fresh_plan.topics.get().id),
        },
    )
    del data["host"]  # disabled on the edit page: the host does not change

    response = client.post(url, data)

    assert response.status_code == 302, response.context["form"].errors
    vinh_conference.refresh_from_db()
    assert (vinh_conference.date, vinh_conference.start_time) == (
        today() + 5 * DAY,
        datetime.time(7, 30),
    )
    assert vinh_conference.edited_at is not None
    assert AuditEvent.objects.latest("id").action == "conference.edit"


def test_the_cancel_page_requires_a_reason_and_keeps_it(
    vinh_conference: Conference, personas: Personas, client_for: ClientFor
) -> None:
    client = client_for(personas.vinh_officer)
    url = reverse("study_conference_cancel", args=[vinh_conference.id])
    before = counts()

    refused = client.post(url, {"reason": "  "})

    assert refused.status_code == 400
    assert "Hãy ghi lý do hủy đăng ký." in refused.content.decode()
    assert counts() == before
    response = client.post(url, {"reason": "Trùng lịch họp Ban Thường vụ"})
    assert response.status_code == 302
    vinh_conference.refresh_from_db()
    assert vinh_conference.cancelled_at is not None
    assert (vinh_conference.cancelled_by, vinh_conference.cancel_reason) == (
        personas.vinh_officer,
        "Trùng lịch họp Ban Thường vụ",
    )
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.after["reason"]) == (
        "conference.cancel",
        "Trùng lịch họp Ban Thường vụ",
    )
    detail = client.get(reverse("study_conference_detail", args=[vinh_conference.id]))
    assert "Trùng lịch họp Ban Thường vụ" in detail.content.decode()
    # Cancelled, the registration no longer changes: its pages are gone.
    assert client.get(url).status_code == 404


# The API --------------------------------------------------------------------------------------


def vinh_api_body(plan: Plan, units: Units, **overrides) -> dict:  # type: ignore[no-untyped-def]
    body = conference_body(units.vinh, units.province_2020, date="2020-12-28", length_sessions=2)
    body["mode"] = "online"
    body["segments"][1]["topic_order"] = None
    body["bridge_points"] = [{"unit_id": units.vinh_grassroots.pk, "expected_count": 40}]
    return body | overrides


def test_the_api_refuses_the_issues_case_naming_the_rule_then_saves_it_confirmed(
    plan_2020: Plan, units: Units, personas: Personas
) -> None:
    client = bearer_client(personas.vinh_officer)
    url = plan_url(plan_2020, "/conferences")
    before = counts()

    refused = client.post(url, vinh_api_body(plan_2020, units), content_type="application/json")

    assert refused.status_code == 422, refused.content
    body = refused.json()
    assert [p["rule"] for p in body["problems"]] == ["mode"]
    assert MODE_RULE in body["detail"]
    assert "confirm_problems" in body["detail"]
    assert counts() == before
    response = client.post(
        url,
        vinh_api_body(plan_2020, units, confirm_problems=True),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert [p["rule"] for p in data["rule_problems"]] == ["mode"]
    assert data["problems_confirmed_at"] is not None
    assert Conference.objects.get(pk=data["id"]).problems_confirmed_by == personas.vinh_officer


def test_the_api_edits_and_cancels_a_registration_in_scope_only(
    fresh_plan: Plan,
    units: Units,
    personas: Personas,
    vinh_conference: Conference,
    nghiloc_conference: Conference,
) -> None:
    client = bearer_client(personas.vinh_officer)
    body = conference_body(units.vinh_grassroots, units.province_2020, date=str(today() + 4 * DAY))
    body["segments"] = body["segments"][:1]
    body["segments"][0]["presenter_unit_id"] = units.vinh.pk
    del body["host_unit_id"]
    before = counts()
    for conference_id in (nghiloc_conference.id, 999_999_999):
        put = client.put(
            f"/api/v1/study/conferences/{conference_id}", body, content_type="application/json"
        )
        assert put.status_code == 404
        cancel = client.post(
            f"/api/v1/study/conferences/{conference_id}/cancel",
            {"reason": "Nhầm"},
            content_type="application/json",
        )
        assert cancel.status_code == 404
    assert counts() == before

    edited = client.put(
        f"/api/v1/study/conferences/{vinh_conference.id}", body, content_type="application/json"
    )
    assert edited.status_code == 200, edited.content
    assert edited.json()["date"] == str(today() + 4 * DAY)
    assert edited.json()["edited_at"] is not None
    blank = client.post(
        f"/api/v1/study/conferences/{vinh_conference.id}/cancel",
        {"reason": ""},
        content_type="application/json",
    )
    assert blank.status_code == 422
    cancelled = client.post(
        f"/api/v1/study/conferences/{vinh_conference.id}/cancel",
        {"reason": "Hoãn theo chỉ đạo"},
        content_type="application/json",
    )
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["cancel_reason"] == "Hoãn theo chỉ đạo"
    again = client.post(
        f"/api/v1/study/conferences/{vinh_conference.id}/cancel",
        {"reason": "Lần nữa"},
        content_type="application/json",
    )
    assert again.status_code == 409


def test_the_api_refuses_to_edit_a_reported_conference_with_409(
    fresh_plan: Plan, units: Units, personas: Personas
) -> None:
    conference = register(fresh_plan, units.vinh_grassroots, today() - DAY, personas.vinh_officer)
    do_report_conference(conference, ReportSpec(10, 10), acting_user=None)
    body = conference_body(units.vinh_grassroots, units.province_2020, date=str(today()))
    body["segments"] = body["segments"][:1]
    del body["host_unit_id"]
    client: Client = bearer_client(personas.vinh_officer)
    response = client.put(
        f"/api/v1/study/conferences/{conference.id}", body, content_type="application/json"
    )
    assert response.status_code == 409
    assert "đã có báo cáo" in response.json()["detail"]


def test_a_bridge_point_spec_is_kept_through_an_edit(
    fresh_plan: Plan, units: Units, personas: Personas
) -> None:
    """Editing replaces the agenda and the bridge points with the new ones, nothing else."""
    conference = do_register_conference(
        fresh_plan,
        spec(
            units,
            today(),
            host=units.vinh,
            length_sessions=2,
            mode="hybrid",
            bridge_points=(BridgeSpec(units.vinh_grassroots, 30),),
            segments=(
                SegmentSpec("resolution", "Báo cáo viên", "reporter", units.vinh, "", 1),
                SegmentSpec("own_plan", "Bí thư", "secretary", units.vinh, ""),
            ),
        ),
        acting_user=None,
    )
    changed = spec(
        units,
        today(),
        host=units.vinh,
        length_sessions=2,
        mode="hybrid",
        bridge_points=(BridgeSpec(units.vinh_grassroots, 45, venue="Nhà văn hóa"),),
        segments=(
            SegmentSpec("resolution", "Báo cáo viên", "reporter", units.vinh, "", 1),
            SegmentSpec("own_plan", "Bí thư", "secretary", units.vinh, ""),
        ),
    )
    assert do_edit_conference(conference, changed, acting_user=None)
    bridge = conference.bridge_points.get()
    assert (bridge.expected_count, bridge.venue) == (45, "Nhà văn hóa")
    assert conference.segments.count() == 2


# Plausibility (issue 12): a slip of the year or of the length is refused outright -------------


@pytest.mark.parametrize(
    ("date", "length", "fragment"),
    [
        ("1900-01-01", 2, "2000-01-01"),  # the API's schema refuses it first
        ("2012-12-20", 2, "quá xa thời gian học tập của cấp này"),
        ("2020-12-20", 50, "quá dài cho một hội nghị (tối đa 20 buổi)"),
    ],
)
def test_an_implausible_date_or_length_is_refused_even_when_confirmed(
    personas: Personas, units: Units, plan_2020: Plan, date: str, length: int, fragment: str
) -> None:
    before = Conference.objects.count()
    response = bearer_client(personas.vinh_officer).post(
        plan_url(plan_2020, "/conferences"),
        conference_body(
            units.vinh_grassroots,
            units.province_2020,
            date=date,
            length_sessions=length,
            confirm_problems=True,
        ),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert fragment in str(response.json())
    assert Conference.objects.count() == before
