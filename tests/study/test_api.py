"""The study API: /api/v1/study/ plans, progress, the unit table, conferences and reports.

Figures are checked against the demo's article plan (seeded, so deterministic) and, where the
demo makes them so, recomputed here straight from the database rather than copied from a run.
"""

import datetime

import pytest
from django.db.models import Min
from django.test import Client
from django.utils import timezone

from tinhuy.accounts.actions import do_create_api_token
from tinhuy.apikit import MAX_ID
from tinhuy.org.models import Unit, UnitKind
from tinhuy.study.compliance import Status
from tinhuy.study.models import Conference, ConferenceReport
from tinhuy.study.schemas import StatusFilter

D = datetime.date
MID_JANUARY = D(2021, 1, 15)
FIRST_OF_FEBRUARY = D(2021, 2, 1)


def bearer_client(user) -> Client:
    """A script's client: a bearer token, CSRF checks on (a token needs none)."""
    _, secret = do_create_api_token(user, name="test", acting_user=None)
    return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {secret}")


def plan_url(plan, tail: str = "") -> str:
    return f"/api/v1/study/plans/{plan.pk}{tail}"


def levels_by_code(plan) -> dict[str, int]:
    return {rule.level.code: rule.level_id for rule in plan.rules.select_related("level")}


def progress(client: Client, plan, **params) -> dict:
    response = client.get(plan_url(plan, "/progress"), params)
    assert response.status_code == 200, response.content
    data = response.json()
    return {level["level_name"]: level for level in data["levels"]} | {"_": data}


def unit_rows(client: Client, plan, **params) -> list[dict]:
    response = client.get(plan_url(plan, "/units"), {"page_size": 200, **params})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["count"] <= 200  # the demo fits on one page; no row is silently cut off
    return data["items"]


def known_by_end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min)) + (
        datetime.timedelta(days=1)
    )


def first_held(plan, level_code: str, as_of: datetime.date) -> dict[int, datetime.date]:
    """Host id -> date of its first conference held by ``as_of``, as known at the end of it."""
    rows = (
        Conference.objects.filter(
            plan=plan,
            host__level__code=level_code,
            recorded_at__lt=known_by_end_of(as_of),
            cancelled_at__isnull=True,
            date__lte=as_of,
        )
        .values("host_id")
        .annotate(first=Min("date"))
    )
    return {row["host_id"]: row["first"] for row in rows}


def conference_body(host: Unit, province: Unit, **overrides) -> dict:
    body = {
        "host_unit_id": host.pk,
        "date": "2021-01-20",
        "start_time": "07:30",
        "length_sessions": 1,
        "mode": "in_person",
        "venue": "Hội trường (kiểm thử)",
        "segments": [
            {
                "content_kind": "resolution",
                "topic_order": 1,
                "presenter_name": "Báo cáo viên Tỉnh ủy",
                "presenter_role": "reporter",
                "presenter_position": "Báo cáo viên",
                "presenter_unit_id": province.pk,
            },
            {
                "content_kind": "own_plan",
                "topic_order": 2,
                "presenter_name": "Bí thư (kiểm thử)",
                "presenter_role": "secretary",
                "presenter_unit_id": host.pk,
            },
        ],
        "bridge_points": [],
    }
    return body | overrides


def report_body(**overrides) -> dict:
    body = {
        "expected_count": 40,
        "attended_count": 37,
        "made_up_count": 2,
        "reflections_count": 37,
        "absence_notes": "Ốm: 2; công tác: 1.",
        "minutes": "Biên bản (kiểm thử).",
        "bridge_attended": [],
    }
    return body | overrides


@pytest.fixture
def registered(personas, units, plan_2020) -> dict:
    """A conference of Vinh's first grassroots organisation, registered by the Vinh officer."""
    client = bearer_client(personas.vinh_officer)
    response = client.post(
        plan_url(plan_2020, "/conferences"),
        conference_body(units.vinh_grassroots, units.province_2020),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


# The article's plan


def test_the_demo_plan_read_through_the_api_matches_the_article(
    client_for, personas, plan_2020
) -> None:
    """Two topics; province / district / grassroots levels of 2 / 2 / 1 sessions (1 day, 1 day,
    1 session), due 30/11/2020, 30/12/2020, 30/01/2021; online study from the province only."""
    response = client_for(personas.province_office).get(plan_url(plan_2020))
    assert response.status_code == 200
    data = response.json()
    assert data["number"] == "01-KH/TU"
    assert data["state"] == "issued"
    assert data["is_sample"] is True
    assert [t["order"] for t in data["topics"]] == [1, 2]
    assert data["topics"][0]["title"].startswith("Chuyên đề phát triển kinh tế")
    levels = data["levels"]
    assert [lv["level_name"] for lv in levels] == [
        "Cấp tỉnh",
        "Cấp huyện và tương đương",
        "Cấp cơ sở",
    ]
    assert [lv["length_sessions"] for lv in levels] == [2, 2, 1]
    assert [lv["deadline"] for lv in levels] == ["2020-11-30", "2020-12-30", "2021-01-30"]
    assert [lv["online_allowed"] for lv in levels] == [True, False, False]
    assert levels[0]["participant_levels"] == ["Cấp huyện và tương đương"]
    assert levels[0]["audience"] == "Cán bộ chủ chốt cấp tỉnh và cấp huyện"
    assert all(lv["presenter_rule"] for lv in levels)


def test_plan_list_shows_only_plans_on_structures_in_scope(
    client_for, personas, plan_2020, plan_2025
) -> None:
    """The province office sees both demo plans; the Vinh officer only the 2020 one."""
    data = client_for(personas.province_office).get("/api/v1/study/plans/").json()
    assert {p["id"] for p in data["items"]} >= {plan_2020.pk, plan_2025.pk}
    assert data["count"] == len(data["items"])
    data = client_for(personas.vinh_officer).get("/api/v1/study/plans/").json()
    assert [p["id"] for p in data["items"]] == [plan_2020.pk]
    assert data["items"][0]["structure_name"] == plan_2020.structure.name
    assert client_for(personas.vinh_officer).get(plan_url(plan_2025)).status_code == 404


# Progress as of a date


def test_progress_in_mid_january_shows_late_missing_and_non_compliant_districts(
    client_for, personas, units, plan_2020
) -> None:
    """As of 15/01/2021 (district deadline 30/12/2020): Kỳ Sơn and Tương Dương held late, Quế
    Phong and Quỳ Châu (scheduled for 20/01) missing, Anh Sơn breaks the presenter rule."""
    client = client_for(personas.province_office)
    data = progress(client, plan_2020, as_of="2021-01-15")
    assert data["_"]["as_of"] == "2021-01-15"
    assert data["_"]["unit"]["id"] == units.province_2020.pk  # the issuing unit, by default
    district = data["Cấp huyện và tương đương"]

    hosts = Unit.objects.filter(structure=plan_2020.structure, level__code="huyen").exclude(
        kind=UnitKind.ADVISORY  # an advisory board expects no conference
    )
    held = first_held(plan_2020, "huyen", MID_JANUARY)
    deadline = D(2020, 12, 30)
    assert district["expected_units"] == hosts.count() == 23
    assert district["held_on_time"] == sum(day <= deadline for day in held.values())
    assert district["held_late"] == sum(day > deadline for day in held.values()) == 2
    assert district["missing"] == hosts.count() - len(held) == 2
    assert district["non_compliant"] == 1
    assert district["scheduled"] == district["not_scheduled"] == 0

    huyen = levels_by_code(plan_2020)["huyen"]
    rows = unit_rows(client, plan_2020, as_of="2021-01-15", level=huyen, status="held_late")
    assert sorted(r["code"] for r in rows) == ["417", "418"]  # Kỳ Sơn, Tương Dương
    rows = unit_rows(client, plan_2020, as_of="2021-01-15", level=huyen, status="missing")
    assert sorted(r["code"] for r in rows) == ["415", "416"]  # Quế Phong, Quỳ Châu
    rows = unit_rows(client, plan_2020, as_of="2021-01-15", status="non_compliant")
    assert [r["code"] for r in rows] == ["424"]  # Anh Sơn
    assert rows[0]["role"] == "host"
    assert rows[0]["status"] == "held_on_time"
    assert any("Kế hoạch thực hiện của đơn vị" in p for p in rows[0]["problems"])


def test_on_the_first_of_february_the_grassroots_deadline_has_passed(
    client_for, personas, plan_2020
) -> None:
    """No grassroots organisation is missing on 15/01 (its deadline is 30/01); on 01/02 every one
    without a conference held by then is. Quỳ Châu's district conference of 20/01 turns it from
    missing into late."""
    client = client_for(personas.province_office)
    january = progress(client, plan_2020, as_of="2021-01-15")
    february = progress(client, plan_2020, as_of="2021-02-01")

    grassroots = Unit.objects.filter(structure=plan_2020.structure, level__code="co-so")
    held = first_held(plan_2020, "co-so", FIRST_OF_FEBRUARY)
    assert january["Cấp cơ sở"]["missing"] == 0
    assert february["Cấp cơ sở"]["missing"] == grassroots.count() - len(held)
    assert february["Cấp cơ sở"]["missing"] > january["Cấp cơ sở"]["missing"]
    assert february["Cấp cơ sở"]["held_late"] == sum(day > D(2021, 1, 30) for day in held.values())
    assert january["Cấp cơ sở"]["not_scheduled"] + january["Cấp cơ sở"]["scheduled"] > 0
    assert february["Cấp cơ sở"]["not_scheduled"] == february["Cấp cơ sở"]["scheduled"] == 0

    assert january["Cấp huyện và tương đương"]["missing"] == 2
    assert february["Cấp huyện và tương đương"]["missing"] == 1
    assert february["Cấp huyện và tương đương"]["held_late"] == 3
    huyen = levels_by_code(plan_2020)["huyen"]
    [quy_chau] = [
        r
        for r in unit_rows(client, plan_2020, as_of="2021-02-01", level=huyen)
        if r["code"] == "416"
    ]
    assert (quy_chau["status"], quy_chau["held_on"]) == ("held_late", "2021-01-20")


def test_people_and_coverage_come_from_the_latest_report_known_by_then(
    client_for, personas, plan_2020
) -> None:
    """Expected and attended people (attended + made up) per level add up the reports known by
    the date; coverage is their ratio."""
    client = client_for(personas.province_office)
    data = progress(client, plan_2020, as_of="2021-01-15")
    district = data["Cấp huyện và tương đương"]
    reports = ConferenceReport.objects.filter(
        conference__plan=plan_2020,
        conference__host__level__code="huyen",
        conference__date__lte=MID_JANUARY,
        reported_at__lt=known_by_end_of(MID_JANUARY),
    )
    assert district["reported"] == reports.count()
    assert district["expected_people"] == sum(r.expected_count for r in reports)
    assert district["attended_people"] == sum(r.attended_count + r.made_up_count for r in reports)
    assert district["coverage"] == pytest.approx(
        district["attended_people"] / district["expected_people"]
    )


def test_unit_table_agrees_with_the_progress_totals(client_for, personas, plan_2020) -> None:
    """Filtering the unit table by level and status counts exactly what progress reports."""
    client = client_for(personas.province_office)
    data = progress(client, plan_2020, as_of="2021-01-15")["_"]
    for level in data["levels"]:
        rows = unit_rows(client, plan_2020, as_of="2021-01-15", level=level["level_id"])
        assert len(rows) == level["expected_units"]
        for status in Status:
            filtered = [r for r in rows if r["status"] == status.value]
            assert len(filtered) == level[status.value], (level["level_name"], status)
        assert sum(bool(r["problems"]) for r in rows) == level["non_compliant"]
        assert sum(r["reported"] for r in rows) == level["reported"]


def test_the_status_filter_takes_every_compliance_status_and_non_compliant() -> None:
    """The filter's choices are the compliance statuses plus ``non_compliant``, no more."""
    assert {f.value for f in StatusFilter} == {s.value for s in Status} | {"non_compliant"}


def test_progress_defaults_to_today(client_for, personas, plan_2020) -> None:
    data = progress(client_for(personas.province_office), plan_2020)["_"]
    assert data["as_of"] == timezone.localdate().isoformat()


# Scope: the Vinh officer


def test_vinh_officer_sees_progress_of_vinhs_subtree_only(
    client_for, personas, units, plan_2020
) -> None:
    """By default and with ``unit=<Vinh>`` he sees Vinh's subtree; Nghi Lộc and the province
    are 404."""
    client = client_for(personas.vinh_officer)
    default = progress(client, plan_2020, as_of="2021-01-15")
    assert default["_"]["unit"] == {"id": units.vinh.pk, "code": "412", "name": units.vinh.name}
    explicit = progress(client, plan_2020, as_of="2021-01-15", unit=units.vinh.pk)
    assert explicit == default

    vinh_grassroots = Unit.objects.filter(path__startswith=units.vinh.path, level__code="co-so")
    assert explicit["Cấp cơ sở"]["expected_units"] == vinh_grassroots.count()
    assert explicit["Cấp huyện và tương đương"]["expected_units"] == 1
    assert explicit["Cấp tỉnh"]["expected_units"] == 1  # Vinh, as a bridge point
    vinh_ids = set(
        Unit.objects.filter(path__startswith=units.vinh.path).values_list("pk", flat=True)
    )
    assert {r["id"] for r in unit_rows(client, plan_2020, as_of="2021-01-15")} <= vinh_ids

    for unit in (units.nghiloc, units.province_2020, units.commune_2025):
        response = client.get(plan_url(plan_2020, "/progress"), {"unit": unit.pk})
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
        assert client.get(plan_url(plan_2020, "/units"), {"unit": unit.pk}).status_code == 404


def test_vinh_officer_registers_a_conference_for_a_vinh_grassroots_unit(
    personas, units, plan_2020, registered, client_for
) -> None:
    """201 with the conference as stored; it reads back through the detail endpoint."""
    assert registered["host"]["id"] == units.vinh_grassroots.pk
    assert registered["level_name"] == "Cấp cơ sở"
    assert registered["date"] == "2021-01-20"
    assert registered["start_time"] == "07:30:00"
    assert [s["topic_order"] for s in registered["segments"]] == [1, 2]
    assert registered["segments"][0]["presenter_unit"]["id"] == units.province_2020.pk
    assert registered["report"] is None
    conference = Conference.objects.get(pk=registered["id"])
    assert conference.recorded_by == personas.vinh_officer
    response = client_for(personas.vinh_officer).get(
        f"/api/v1/study/conferences/{registered['id']}"
    )
    assert response.json() == registered
    # Nghi Lộc's officer does not see it.
    response = client_for(personas.nghiloc_officer).get(
        f"/api/v1/study/conferences/{registered['id']}"
    )
    assert response.status_code == 404


def test_registering_outside_vinh_is_404_read_only_is_403_anonymous_is_401(
    client_for, personas, units, plan_2020
) -> None:
    """Vinh's officer cannot register for Nghi Lộc (404); the Board member sees but may not
    change (403); the anonymous citizen is not signed in (401). Nothing is written."""
    url = plan_url(plan_2020, "/conferences")
    nghiloc_grassroots = Unit.objects.get(structure=units.structure_2020, code="429-CS02")
    before = Conference.objects.count()
    cases = [
        (personas.vinh_officer, nghiloc_grassroots, 404),
        (personas.vinh_officer, units.nghiloc, 404),
        (personas.board_member, units.vinh_grassroots, 403),
        (personas.citizen, units.vinh_grassroots, 401),
    ]
    for user, host, status in cases:
        response = client_for(user).post(
            url, conference_body(host, units.province_2020), content_type="application/json"
        )
        assert response.status_code == status, (user, host)
        assert response["Content-Type"] == "application/problem+json"
    assert Conference.objects.count() == before


def test_session_posts_need_a_csrf_token_and_bearer_posts_do_not(
    personas, units, plan_2020
) -> None:
    """A browser session must send the CSRF token (ninja's session auth checks it); a script
    with a bearer token need not."""
    url = plan_url(plan_2020, "/conferences")
    body = conference_body(units.vinh_grassroots, units.province_2020)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(personas.vinh_officer)
    assert browser.post(url, body, content_type="application/json").status_code == 403
    browser.cookies["csrftoken"] = "a" * 32
    response = browser.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN="a" * 32)
    assert response.status_code == 201
    response = bearer_client(personas.vinh_officer).post(url, body, content_type="application/json")
    assert response.status_code == 201


# Reports


def test_a_first_report_is_201_a_second_is_409_and_an_amendment_is_a_new_version(
    personas, registered
) -> None:
    """The first report is stored; a second POST is refused with the action's message; PUT
    adds version 2 and keeps version 1."""
    client = bearer_client(personas.vinh_officer)
    url = f"/api/v1/study/conferences/{registered['id']}/report"
    response = client.post(url, report_body(), content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["report"]["version"] == 1
    assert response.json()["report"]["attended_count"] == 37

    response = client.post(url, report_body(attended_count=38), content_type="application/json")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert "đã có báo cáo" in response.json()["detail"]

    response = client.put(
        url, report_body(attended_count=38, made_up_count=1), content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["report"]["version"] == 2
    assert response.json()["report"]["attended_count"] == 38
    assert list(
        ConferenceReport.objects.filter(conference_id=registered["id"]).values_list(
            "version", "attended_count"
        )
    ) == [(2, 38), (1, 37)]


def test_amending_before_any_report_is_422(personas, registered) -> None:
    response = bearer_client(personas.vinh_officer).put(
        f"/api/v1/study/conferences/{registered['id']}/report",
        report_body(),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "Hội nghị chưa có báo cáo để sửa."


def test_the_board_member_may_not_report_and_nghi_loc_cannot_see_the_conference(
    client_for, personas, registered
) -> None:
    url = f"/api/v1/study/conferences/{registered['id']}/report"
    for user, status in ((personas.board_member, 403), (personas.nghiloc_officer, 404)):
        response = client_for(user).post(url, report_body(), content_type="application/json")
        assert response.status_code == status
    assert not ConferenceReport.objects.filter(conference_id=registered["id"]).exists()


def test_a_report_updates_the_bridge_points_attendance(client_for, personas, units, plan_2020):
    """Vinh's district conference with a bridge point at two of its grassroots organisations:
    the report records each bridge point's attendance."""
    client = bearer_client(personas.vinh_officer)
    sites = list(Unit.objects.filter(parent=units.vinh, level__code="co-so").order_by("code")[:2])
    body = conference_body(
        units.vinh,
        units.province_2020,
        length_sessions=2,
        mode="hybrid",
        bridge_points=[
            {"unit_id": u.pk, "expected_count": 30, "venue": "Nhà văn hóa", "host_person": "Bí thư"}
            for u in sites
        ],
        confirm_problems=True,  # online with bridge points at district level, after its deadline
    )
    response = client.post(
        plan_url(plan_2020, "/conferences"), body, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    conference = response.json()
    assert sorted(b["unit"]["id"] for b in conference["bridge_points"]) == [u.pk for u in sites]
    response = client.post(
        f"/api/v1/study/conferences/{conference['id']}/report",
        report_body(bridge_attended=[{"unit_id": sites[0].pk, "attended_count": 28}]),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    attended = {b["unit"]["id"]: b["attended_count"] for b in response.json()["bridge_points"]}
    assert attended == {sites[0].pk: 28, sites[1].pk: None}


# Bad input: 4xx JSON, never 500, nothing written


def _assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


@pytest.mark.parametrize(
    ("overrides", "status", "says"),
    [
        ({"date": "2021-02-31"}, 422, ""),
        ({"date": "9999-12-31"}, 422, ""),
        ({"length_sessions": 0}, 422, ""),
        ({"length_sessions": -1}, 422, ""),
        ({"mode": "telepathy"}, 422, ""),
        ({"venue": "x" * 256}, 422, ""),
        ({"venue": "nul\x00"}, 422, ""),
        ({"host_unit_id": 999_999_999}, 404, ""),
        ({"host_unit_id": MAX_ID + 1}, 422, ""),
        ({"host_unit_id": 0}, 422, ""),
        (
            {"bridge_points": [{"unit_id": 999_999_999, "expected_count": 5}]},
            422,
            "bridge_points[0]",
        ),
        ({"bridge_points": [{"unit_id": 1, "expected_count": -5}]}, 422, ""),
        # A start time is on the local clock: an offset was a 500 on SQLite and silently
        # dropped on PostgreSQL.
        ({"start_time": "07:30:00+07:00"}, 422, ""),
        ({"start_time": "00:30:00Z"}, 422, ""),
        ({"start_time": "25:00"}, 422, ""),
        ({"start_time": "07:30:00.5"}, 422, ""),
        ({"start_time": "07:30:15"}, 422, ""),  # to the minute, as the form keeps it
        ({"start_time": "07:30\n"}, 422, ""),
        ({"start_time": 27000}, 422, ""),
    ],
)
def test_bad_conference_bodies_are_4xx_problems_and_write_nothing(
    personas, units, plan_2020, overrides, status, says
) -> None:
    before = Conference.objects.count()
    response = bearer_client(personas.vinh_officer).post(
        plan_url(plan_2020, "/conferences"),
        conference_body(units.vinh_grassroots, units.province_2020, **overrides),
        content_type="application/json",
    )
    data = _assert_problem(response, status)
    assert says in data["detail"]
    assert Conference.objects.count() == before


def test_a_start_time_with_an_offset_is_refused_in_vietnamese(personas, units, plan_2020) -> None:
    """A conference starts at a time on the local clock; one sent with an offset is refused with
    the reason, on every database (SQLite answered 500, PostgreSQL dropped the offset)."""
    response = bearer_client(personas.vinh_officer).post(
        plan_url(plan_2020, "/conferences"),
        conference_body(units.vinh_grassroots, units.province_2020, start_time="07:30:00+07:00"),
        content_type="application/json",
    )
    [error] = _assert_problem(response, 422)["errors"]
    assert error["loc"][-1] == "start_time"
    assert "giờ địa phương, dạng HH:MM, không kèm múi giờ" in error["msg"]


def test_unknown_presenter_unit_and_topic_are_422_naming_the_field(
    personas, units, plan_2020
) -> None:
    """An id that is not a unit of the plan's structure (or that the officer cannot see and is
    not above the host) is unknown; so is a topic the plan does not have."""
    client = bearer_client(personas.vinh_officer)
    url = plan_url(plan_2020, "/conferences")
    for presenter in (999_999_999, units.nghiloc.pk, units.commune_2025.pk):
        body = conference_body(units.vinh_grassroots, units.province_2020)
        body["segments"][1]["presenter_unit_id"] = presenter
        data = _assert_problem(client.post(url, body, content_type="application/json"), 422)
        assert "segments[1].presenter_unit_id" in data["detail"]
        assert data["errors"][0]["loc"][-1] == "presenter_unit_id"
    body = conference_body(units.vinh_grassroots, units.province_2020)
    body["segments"][0]["topic_order"] = 3
    data = _assert_problem(client.post(url, body, content_type="application/json"), 422)
    assert "segments[0].topic_order" in data["detail"]


def test_refusals_of_the_action_are_422_with_its_vietnamese_message(
    personas, units, plan_2020, plan_2025
) -> None:
    """A bridge point outside the host's subtree, a host at a level the plan does not cover
    (a cell), a plan still in draft: the action's message is the problem's detail."""
    client = bearer_client(personas.vinh_officer)
    url = plan_url(plan_2020, "/conferences")
    outside = conference_body(
        units.vinh_grassroots,
        units.province_2020,
        bridge_points=[{"unit_id": units.vinh.pk, "expected_count": 10}],  # Vinh is its parent
    )
    data = _assert_problem(client.post(url, outside, content_type="application/json"), 422)
    assert "không phải đơn vị trực thuộc đơn vị tổ chức" in data["detail"]
    cell = conference_body(units.vinh_cell, units.province_2020)
    data = _assert_problem(client.post(url, cell, content_type="application/json"), 422)
    assert data["detail"] == "Kế hoạch không yêu cầu cấp “Chi bộ” tổ chức hội nghị."

    office = bearer_client(personas.province_office)
    body = conference_body(units.commune_2025, units.province_2025)
    data = _assert_problem(
        office.post(plan_url(plan_2025, "/conferences"), body, content_type="application/json"),
        422,
    )
    assert "chưa ban hành" in data["detail"]


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"attended_count": 41}, "Số người dự (41) lớn hơn số người phải dự (40)."),
        ({"made_up_count": 4}, "Số người học bù lớn hơn số người vắng mặt."),
        ({"expected_count": -1}, ""),
        ({"attended_count": -3}, ""),
        ({"reflections_count": -1}, ""),
        ({"expected_count": 10**12}, ""),
        ({"expected_count": "bốn mươi"}, ""),
        ({"bridge_attended": [{"unit_id": 1, "attended_count": 1}]}, "không phải điểm cầu"),
        ({"minutes": "\x00"}, ""),
    ],
)
def test_bad_reports_are_422_and_write_nothing(personas, registered, overrides, says) -> None:
    response = bearer_client(personas.vinh_officer).post(
        f"/api/v1/study/conferences/{registered['id']}/report",
        report_body(**overrides),
        content_type="application/json",
    )
    data = _assert_problem(response, 422)
    assert says in data["detail"]
    assert not ConferenceReport.objects.filter(conference_id=registered["id"]).exists()


def test_a_conference_cannot_be_reported_before_it_is_held(personas, units, plan_2020) -> None:
    client = bearer_client(personas.vinh_officer)
    response = client.post(
        plan_url(plan_2020, "/conferences"),
        conference_body(
            units.vinh_grassroots,
            units.province_2020,
            date="2021-01-25",
            confirm_problems=True,
        ),
        content_type="application/json",
    )
    assert response.status_code == 201
    # A 2020 plan takes no date years away (a slip of the year): the conference is moved to
    # tomorrow behind the API's back, to stand for one not held yet.
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    Conference.objects.filter(pk=response.json()["id"]).update(date=tomorrow)
    response = client.post(
        f"/api/v1/study/conferences/{response.json()['id']}/report",
        report_body(),
        content_type="application/json",
    )
    assert "chưa diễn ra" in _assert_problem(response, 422)["detail"]


@pytest.mark.parametrize(
    "tail",
    [
        "/progress?as_of=2021-02-31",
        "/progress?as_of=31/01/2021",
        "/progress?as_of=9999-12-31",
        "/progress?unit=abc",
        "/progress?unit=0",
        f"/progress?unit={MAX_ID + 1}",
        "/progress?foo=1",
        "/progress?unit=999999999",
        "/units?status=late",
        "/units?level=-1",
        "/units?page=0",
        "/units?page_size=100000",
        "/units?foo=1",
        "?foo=1",
    ],
)
def test_bad_query_parameters_are_4xx_json_never_500(client_for, personas, plan_2020, tail) -> None:
    response = client_for(personas.province_office).get(plan_url(plan_2020) + tail)
    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == response.status_code


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/study/plans/0",
        "/api/v1/study/plans/abc",
        f"/api/v1/study/plans/{MAX_ID + 1}",
        "/api/v1/study/plans/99999999999999999999999/progress",
        "/api/v1/study/plans/999999999",
        "/api/v1/study/plans/?foo=1",
        "/api/v1/study/plans/?page=99999999999999999999",
        "/api/v1/study/conferences/999999999",
        f"/api/v1/study/conferences/{MAX_ID + 1}",
        "/api/v1/study/conferences/1?foo=1",
    ],
)
def test_bad_ids_are_4xx_json_never_500(client_for, personas, url) -> None:
    response = client_for(personas.province_office).get(url)
    assert 400 <= response.status_code < 500
    assert response["Content-Type"] in ("application/json", "application/problem+json")
    assert response.json()


def test_posts_with_bad_ids_or_unknown_query_parameters_are_4xx(personas, units, plan_2020) -> None:
    client = bearer_client(personas.province_office)
    body = conference_body(units.vinh_grassroots, units.province_2020)
    for url, status in (
        (f"/api/v1/study/plans/{MAX_ID + 1}/conferences", 422),
        ("/api/v1/study/plans/999999999/conferences", 404),
    ):
        _assert_problem(client.post(url, body, content_type="application/json"), status)
    for url, status in (
        (f"/api/v1/study/conferences/{MAX_ID + 1}/report", 422),
        ("/api/v1/study/conferences/999999999/report", 404),
    ):
        _assert_problem(client.post(url, report_body(), content_type="application/json"), status)
        _assert_problem(client.put(url, report_body(), content_type="application/json"), status)
    response = client.post(
        plan_url(plan_2020, "/conferences?dry_run=1"), body, content_type="application/json"
    )
    _assert_problem(response, 400)


# Query counts


def test_progress_and_lists_cost_a_bounded_number_of_queries(
    client_for, personas, units, plan_2020, django_assert_max_num_queries
) -> None:
    """The whole province (about 190 unit rows) costs what Vinh's eight rows cost: no query per
    unit, per conference or per plan."""
    office = client_for(personas.province_office)
    vinh = client_for(personas.vinh_officer)
    # Session, user, scope, plan, root unit, then plan_progress's fixed set (one more query when
    # per-person attendance is loaded; one more below the top of the structure, for the
    # conferences above that the subtree's units attend as bridge points).
    for client in (office, vinh):
        with django_assert_max_num_queries(17):
            assert client.get(plan_url(plan_2020, "/progress"), {"as_of": "2021-02-01"}).json()
        with django_assert_max_num_queries(17):
            response = client.get(
                plan_url(plan_2020, "/units"), {"as_of": "2021-02-01", "page_size": 200}
            )
            assert response.json()["count"] > 0
        with django_assert_max_num_queries(5):
            assert client.get("/api/v1/study/plans/").json()["count"] >= 1
        with django_assert_max_num_queries(7):
            assert client.get(plan_url(plan_2020)).status_code == 200
    province_conference = Conference.objects.get(plan=plan_2020, host=units.province_2020)
    with django_assert_max_num_queries(7):
        data = office.get(f"/api/v1/study/conferences/{province_conference.pk}").json()
    assert len(data["bridge_points"]) == 23


def test_out_of_scope_and_unknown_unit_ids_get_the_same_422_as_on_the_page(
    personas, units, plan_2020
) -> None:
    """The rule of the register page (``study.access.nameable_units``): a Nghi Lộc unit named
    by the Vinh officer, as presenter or bridge point, gets the words of an id that does not
    exist (only the id differs), names nothing of Nghi Lộc and writes nothing; the province
    above Vinh may present."""
    client = bearer_client(personas.vinh_officer)
    url = plan_url(plan_2020, "/conferences")
    before = Conference.objects.count()
    unknown = 999_999_999

    def presenter_detail(unit_id: int) -> str:
        body = conference_body(units.vinh_grassroots, units.province_2020)
        body["segments"][1]["presenter_unit_id"] = unit_id
        response = client.post(url, body, content_type="application/json")
        assert "Nghi Lộc" not in response.content.decode()
        return _assert_problem(response, 422)["detail"].replace(str(unit_id), "<id>")

    def bridge_detail(unit_id: int) -> str:
        body = conference_body(
            units.vinh,
            units.province_2020,
            mode="online",
            bridge_points=[{"unit_id": unit_id, "expected_count": 5}],
        )
        response = client.post(url, body, content_type="application/json")
        assert "Nghi Lộc" not in response.content.decode()
        return _assert_problem(response, 422)["detail"].replace(str(unit_id), "<id>")

    assert presenter_detail(units.nghiloc.pk) == presenter_detail(unknown)
    assert presenter_detail(units.nghiloc_cell.pk) == presenter_detail(unknown)
    assert bridge_detail(units.nghiloc.pk) == bridge_detail(unknown)
    assert bridge_detail(units.nghiloc_cell.pk) == bridge_detail(unknown)
    assert "không có đơn vị mã số <id> trong cơ cấu của kế hoạch" in bridge_detail(unknown)
    assert Conference.objects.count() == before
