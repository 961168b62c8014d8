"""Drafting a study plan in the browser (issue 9, item 1): the province office, and a unit's
office for its own unit, writes a plan's name, source, topics and level rules through pages,
with the checks every plan passes, then creates its draft for the Standing Board.

Who sees what: vanphong drafts the province's plans; vinh drafts TP Vinh's (unit 412) and gets
404 for the province's drafts, as for anything outside his scope; nghiloc never sees Vinh's;
btv (Board member) reads drafts but drafts nothing (403).
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tinhuy.audit.models import AuditEvent
from tinhuy.meetings import actions as meeting_actions
from tinhuy.meetings.models import Draft, DraftKind
from tinhuy.org.actions import do_create_unit
from tinhuy.org.models import Unit, UnitKind
from tinhuy.study import actions
from tinhuy.study.actions import RuleSpec, do_create_plan
from tinhuy.study.models import LevelRule, Plan, PlanState, Topic

D = datetime.date


@pytest.fixture
def advisory_body(units: Any) -> Unit:
    """The Propaganda Board, which submits the province's study plans to its Standing Board."""
    return do_create_unit(
        units.structure_2020,
        code="40-BTG",
        name="Ban Tuyên giáo Tỉnh ủy",
        level_code="huyen",
        kind=UnitKind.ADVISORY,
        parent=units.province_2020,
        is_sample=True,
        acting_user=None,
    )


def rule_data(code: str, **values: Any) -> dict[str, Any]:
    fields = {
        "audience": "Cán bộ chủ chốt",
        "length_sessions": "2",
        "window_start": "01/11/2020",
        "deadline": "30/11/2020",
        "online_allowed": "",
        "presenter_rule": "on",
        **values,
    }
    data: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "participant_levels" or value != "":
            data[f"cap-{code}-{name}"] = value
    return data


def draft_plan(units: Any, personas: Any, **kwargs: Any) -> Plan:
    """A province draft with two topics and the province and district rules."""
    defaults: dict[str, Any] = {
        "structure": units.structure_2020,
        "title": "Kế hoạch học tập Nghị quyết (dự thảo thử nghiệm)",
        "source_document": "Nghị quyết thử nghiệm",
        "topics": ["Chuyên đề một", "Chuyên đề hai"],
        "rules": [
            RuleSpec("tinh", "Cán bộ chủ chốt", 2, D(2020, 11, 1), D(2020, 11, 30)),
            RuleSpec("huyen", "Cán bộ cốt cán", 2, D(2020, 11, 1), D(2020, 12, 30)),
        ],
        "issuing_unit": units.province_2020,
        "acting_user": personas.province_office,
    }
    return do_create_plan(**{**defaults, **kwargs})


def counts() -> tuple[int, int, int, int, int]:
    return (
        Plan.objects.count(),
        Topic.objects.count(),
        LevelRule.objects.count(),
        AuditEvent.objects.count(),
        Draft.objects.count(),
    )


def page_url(plan: Plan) -> str:
    return reverse("study_plan_draft", args=[plan.pk])


def rule_url(plan: Plan, code: str) -> str:
    return reverse("study_plan_draft_rule", args=[plan.pk, code])


def topic_url(plan: Plan, topic: Topic) -> str:
    return reverse("study_plan_draft_topic", args=[plan.pk, topic.pk])


# The journey -------------------------------------------------------------------------------


def test_the_office_drafts_a_plan_through_the_pages_and_creates_its_board_draft(
    client_for: Any, personas: Any, units: Any, advisory_body: Unit
) -> None:
    """Create → topics → three level rules with participants → the Standing Board's draft."""
    client = client_for(personas.province_office)
    assert "Soạn kế hoạch mới" in client.get(reverse("study_plan_drafts")).content.decode()
    new = client.get(reverse("study_plan_draft_new"))
    assert new.status_code == 200
    response = client.post(
        reverse("study_plan_draft_new"),
        {
            "structure": units.structure_2020.pk,
            "issuing_unit": units.province_2020.pk,
            "title": "Kế hoạch học tập, quán triệt Nghị quyết thử nghiệm",
            "source_document": "Nghị quyết Đại hội đại biểu Đảng bộ tỉnh lần thứ XIX",
            "topics": "Chuyên đề kinh tế\n\nChuyên đề xây dựng Đảng\n",
        },
    )
    plan = Plan.objects.get(title="Kế hoạch học tập, quán triệt Nghị quyết thử nghiệm")
    assert response.status_code == 302 and response["Location"] == page_url(plan)
    assert plan.state == PlanState.DRAFT and plan.issuing_unit == units.province_2020
    assert list(plan.topics.values_list("title", flat=True)) == [
        "Chuyên đề kinh tế",
        "Chuyên đề xây dựng Đảng",
    ]
    # Topics: add one, edit it, move it up, remove another.
    client.post(
        reverse("study_plan_draft_topic_add", args=[plan.pk]),
        {"moi-title": "Chuyên đề văn hóa", "moi-documents": ""},
    )
    third = plan.topics.get(order=3)
    client.post(
        topic_url(plan, third),
        {
            "thao_tac": "luu",
            f"cd-{third.pk}-title": "Chuyên đề văn hóa, con người",
            f"cd-{third.pk}-documents": "Tài liệu số 3",
        },
    )
    client.post(topic_url(plan, third), {"thao_tac": "len"})
    assert list(plan.topics.values_list("title", flat=True)) == [
        "Chuyên đề kinh tế",
        "Chuyên đề văn hóa, con người",
        "Chuyên đề xây dựng Đảng",
    ]
    client.post(topic_url(plan, plan.topics.get(order=3)), {"thao_tac": "xoa"})
    assert list(plan.topics.values_list("order", "title")) == [
        (1, "Chuyên đề kinh tế"),
        (2, "Chuyên đề văn hóa, con người"),
    ]
    # Three level rules; the province's with the district level as participants, online.
    for code, data in (
        (
            "tinh",
            rule_data(
                "tinh",
                audience="Cán bộ chủ chốt cấp tỉnh và cấp huyện",
                online_allowed="on",
                participant_levels=["huyen"],
            ),
        ),
        ("huyen", rule_data("huyen", audience="Cán bộ cốt cán", deadline="30/12/2020")),
        (
            "co-so",
            rule_data(
                "co-so", audience="Toàn thể đảng viên", length_sessions="1", deadline="30/01/2021"
            ),
        ),
    ):
        response = client.post(rule_url(plan, code), data)
        assert response.status_code == 302, response.content.decode()[:2000]
    rules = {r.level.code: r for r in plan.rules.select_related("level")}
    assert set(rules) == {"tinh", "huyen", "co-so"}
    assert rules["tinh"].online_allowed and rules["co-so"].deadline == D(2021, 1, 30)
    assert [lv.code for lv in rules["tinh"].participant_levels.all()] == ["huyen"]
    # Editing a rule replaces it.
    client.post(
        rule_url(plan, "huyen"),
        rule_data("huyen", audience="Cán bộ cốt cán", deadline="25/12/2020"),
    )
    assert plan.rules.get(level__code="huyen").deadline == D(2020, 12, 25)
    page = client.get(page_url(plan)).content.decode()
    assert "25/12/2020" in page and "Cấp huyện và tương đương" in page
    assert "Tạo dự thảo trình Ban Thường vụ" in page and advisory_body.name in page
    # The Standing Board's draft, submitted by the Propaganda Board.
    response = client.post(
        reverse("study_plan_draft_board", args=[plan.pk]), {"submitting_unit": advisory_body.pk}
    )
    assert response.status_code == 302
    draft = Draft.objects.get(plan=plan)
    assert (draft.kind, draft.doc_type, draft.title) == (DraftKind.STUDY_PLAN, "KH", plan.title)
    assert draft.submitting_unit == advisory_body and draft.issuing_unit == units.province_2020
    page = client.get(page_url(plan)).content.decode()
    assert draft.title in page and reverse("meetings_draft", args=[draft.pk]) in page
    actions_written = list(
        AuditEvent.objects.filter(actor=personas.province_office)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions_written[-10:] == [
        "plan.create",
        "plan.topic_add",
        "plan.topic_edit",
        "plan.topics_reorder",
        "plan.topic_remove",
        "plan.rule_add",
        "plan.rule_add",
        "plan.rule_add",
        "plan.edit_rule",
        "draft.create",
    ]


# Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "values", "message"),
    [
        ("xa", {}, "không có cấp “xa”"),
        (
            "huyen",
            {"deadline": "20/11/2020"},
            "Hạn hoàn thành của Cấp huyện và tương đương (20/11/2020) trước hạn của Cấp tỉnh (30/11/2020)",
        ),
        (
            "co-so",
            {"deadline": "15/11/2020"},
            "cấp dưới phải hoàn thành cùng lúc hoặc sau cấp trên",
        ),
        ("huyen", {"window_start": "31/12/2020"}, "ngày bắt đầu phải trước hạn hoàn thành"),
        ("huyen", {"length_sessions": "0"}, "Thời lượng phải ít nhất 1 buổi."),
        ("huyen", {"deadline": "31/02/2021"}, "Ghi ngày theo dạng dd/mm/yyyy"),
        ("huyen", {"audience": ""}, "This field is required|Trường này là bắt buộc"),
        ("huyen", {"participant_levels": ["tinh"]}, "Cấp dự cùng phải là một cấp dưới"),
    ],
)
def test_a_bad_rule_is_refused_in_words_and_nothing_is_written(
    client_for: Any, personas: Any, units: Any, code: str, values: dict[str, Any], message: str
) -> None:
    plan = draft_plan(units, personas)
    before = counts()
    rules_before = list(plan.rules.values_list("level__code", "deadline", "window_start"))
    response = client_for(personas.province_office).post(
        rule_url(plan, code), rule_data(code, **values)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert any(m in html for m in message.split("|")), message
    assert counts() == before
    assert list(plan.rules.values_list("level__code", "deadline", "window_start")) == rules_before


def test_the_new_plan_page_refuses_a_plan_without_topics(
    client_for: Any, personas: Any, units: Any
) -> None:
    before = counts()
    response = client_for(personas.province_office).post(
        reverse("study_plan_draft_new"),
        {
            "structure": units.structure_2020.pk,
            "issuing_unit": units.province_2020.pk,
            "title": "Kế hoạch không chuyên đề",
            "source_document": "Nghị quyết",
            "topics": "  \n \n",
        },
    )
    assert response.status_code == 200
    assert "Kế hoạch phải có ít nhất một chuyên đề." in response.content.decode()
    assert counts() == before


def test_the_new_plan_page_refuses_an_issuing_unit_of_another_structure(
    client_for: Any, personas: Any, units: Any
) -> None:
    before = counts()
    response = client_for(personas.province_office).post(
        reverse("study_plan_draft_new"),
        {
            "structure": units.structure_2020.pk,
            "issuing_unit": units.province_2025.pk,
            "title": "Kế hoạch",
            "source_document": "Nghị quyết",
            "topics": "Chuyên đề",
        },
    )
    assert "không thuộc cơ cấu" in response.content.decode()
    assert counts() == before


def test_the_last_topic_stays(client_for: Any, personas: Any, units: Any) -> None:
    plan = draft_plan(units, personas, topics=["Chuyên đề duy nhất"])
    before = counts()
    response = client_for(personas.province_office).post(
        topic_url(plan, plan.topics.get()), {"thao_tac": "xoa"}
    )
    assert "Kế hoạch phải có ít nhất một chuyên đề" in response.content.decode()
    assert counts() == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"topics": []}, "ít nhất một chuyên đề"),
        ({"topics": ["  "]}, "ít nhất một chuyên đề"),
        ({"title": " "}, "Kế hoạch cần có tên"),
        (
            {"rules": [RuleSpec("quan", "Cán bộ", 1, D(2020, 11, 1), D(2020, 11, 30))]},
            "không có cấp “quan”",
        ),
        (
            {
                "rules": [
                    RuleSpec("tinh", "Cán bộ", 1, D(2020, 11, 1), D(2020, 11, 30)),
                    RuleSpec("tinh", "Cán bộ", 1, D(2020, 11, 1), D(2020, 11, 30)),
                ]
            },
            "được quy định hai lần",
        ),
        (
            {"rules": [RuleSpec("tinh", "Cán bộ", 1, D(2020, 12, 1), D(2020, 11, 30))]},
            "ngày bắt đầu phải trước hạn hoàn thành",
        ),
        (
            {"rules": [RuleSpec("tinh", "Cán bộ", 0, D(2020, 11, 1), D(2020, 11, 30))]},
            "thời lượng phải ít nhất 1 buổi",
        ),
        (
            {
                "rules": [
                    RuleSpec("co-so", "Đảng viên", 1, D(2020, 11, 1), D(2020, 11, 15)),
                    RuleSpec("tinh", "Cán bộ", 1, D(2020, 11, 1), D(2020, 11, 30)),
                ]
            },
            "Hạn hoàn thành của Cấp cơ sở",
        ),
        (
            {
                "rules": [
                    RuleSpec(
                        "huyen",
                        "Cán bộ",
                        1,
                        D(2020, 11, 1),
                        D(2020, 11, 30),
                        participant_level_codes=("tinh",),
                    )
                ]
            },
            "phải là cấp dưới",
        ),
    ],
)
def test_do_create_plan_refuses_what_the_demo_data_never_has(
    personas: Any, units: Any, changes: dict[str, Any], message: str
) -> None:
    before = counts()
    with pytest.raises(ValidationError, match=message):
        draft_plan(units, personas, **changes)
    assert counts() == before


def test_a_unit_plan_has_no_rule_above_its_unit(personas: Any, units: Any) -> None:
    with pytest.raises(ValidationError, match="ở trên cơ quan ban hành “Đảng bộ thành phố Vinh”"):
        draft_plan(units, personas, issuing_unit=units.vinh)


# An issued plan, a plan before the Board --------------------------------------------------


def test_an_issued_plan_refuses_every_edit(client_for: Any, personas: Any, plan_2020: Plan) -> None:
    client = client_for(personas.province_office)
    page = client.get(page_url(plan_2020)).content.decode()
    assert "Kế hoạch đã ban hành hoặc đã kết thúc" in page
    assert "Thêm chuyên đề" not in page
    before = counts()
    topic = plan_2020.topics.first()
    assert topic is not None
    refused = "chỉ sửa được kế hoạch đang là dự thảo"
    for url, data in (
        (page_url(plan_2020), {"title": "Tên mới", "source_document": "Nguồn mới"}),
        (reverse("study_plan_draft_topic_add", args=[plan_2020.pk]), {"moi-title": "Mới"}),
        (topic_url(plan_2020, topic), {"thao_tac": "xoa"}),
        (topic_url(plan_2020, topic), {"thao_tac": "xuong"}),
        (rule_url(plan_2020, "huyen"), rule_data("huyen", deadline="30/12/2020")),
        (rule_url(plan_2020, "co-so"), {"thao_tac": "xoa"}),
    ):
        response = client.post(url, data)
        assert refused in response.content.decode(), url
    response = client.post(
        reverse("study_plan_draft_board", args=[plan_2020.pk]),
        {"submitting_unit": plan_2020.issuing_unit_id},
    )
    assert "Kế hoạch đã ban hành; không trình lại" in response.content.decode()
    assert counts() == before
    with pytest.raises(ValidationError, match=refused):
        actions.do_add_topic(plan_2020, title="Mới", acting_user=personas.province_office)


def test_a_plan_before_the_board_waits_for_the_revision(
    personas: Any, units: Any, advisory_body: Unit
) -> None:
    """Once a version is submitted, the plan is frozen until the Board's opinions come back."""
    plan = draft_plan(units, personas)
    draft = meeting_actions.do_create_draft(
        kind=DraftKind.STUDY_PLAN,
        title=plan.title,
        doc_type="KH",
        submitting_unit=advisory_body,
        issuing_unit=units.province_2020,
        plan=plan,
        acting_user=personas.province_office,
    )
    actions.do_add_topic(plan, title="Chuyên đề ba", acting_user=personas.province_office)
    meeting_actions.do_submit_version(draft, acting_user=personas.province_office)
    with pytest.raises(ValidationError, match="“Đã trình”"):
        actions.do_add_topic(plan, title="Chuyên đề bốn", acting_user=personas.province_office)
    assert plan.topics.count() == 3


# Scope -------------------------------------------------------------------------------------


def test_vinh_cannot_open_the_provinces_draft(client_for: Any, personas: Any, units: Any) -> None:
    plan = draft_plan(units, personas)
    topic = plan.topics.first()
    assert topic is not None
    before = counts()
    for persona in (personas.vinh_officer, personas.nghiloc_officer, personas.editor):
        client = client_for(persona)
        assert client.get(page_url(plan)).status_code == 404
        for url in (
            page_url(plan),
            reverse("study_plan_draft_topic_add", args=[plan.pk]),
            topic_url(plan, topic),
            rule_url(plan, "huyen"),
            reverse("study_plan_draft_board", args=[plan.pk]),
        ):
            assert client.post(url, {"thao_tac": "xoa"}).status_code == 404, url
    # The Board member reads drafts, drafts none.
    btv = client_for(personas.board_member)
    assert btv.get(page_url(plan)).status_code == 403
    assert btv.post(rule_url(plan, "huyen"), {"thao_tac": "xoa"}).status_code == 403
    assert counts() == before
    # The citizen logs in first.
    assert client_for(personas.citizen).get(page_url(plan)).status_code == 302


def test_the_drafting_list_shows_each_office_its_own_drafts(
    client_for: Any, personas: Any, units: Any
) -> None:
    province = draft_plan(units, personas, title="Kế hoạch của Tỉnh ủy (dự thảo)")
    vinh = draft_plan(
        units,
        personas,
        title="Kế hoạch của Thành ủy Vinh (dự thảo)",
        issuing_unit=units.vinh,
        rules=[],
        acting_user=personas.vinh_officer,
    )
    office = client_for(personas.province_office).get(reverse("study_plan_drafts"))
    assert province.title in office.content.decode() and vinh.title in office.content.decode()
    mine = client_for(personas.vinh_officer).get(reverse("study_plan_drafts")).content.decode()
    assert vinh.title in mine and province.title not in mine
    theirs = client_for(personas.nghiloc_officer).get(reverse("study_plan_drafts"))
    assert vinh.title not in theirs.content.decode()
    assert client_for(personas.nghiloc_officer).get(page_url(vinh)).status_code == 404
    assert client_for(personas.editor).get(reverse("study_plan_drafts")).status_code == 404
    assert client_for(personas.editor).get(reverse("study_plan_draft_new")).status_code == 404
    # Vinh sees the province's issued plans, but drafts none of them.
    from tinhuy.study.demo import PLAN_2020_TITLE

    issued = Plan.objects.get(title=PLAN_2020_TITLE)
    assert client_for(personas.vinh_officer).get(page_url(issued)).status_code == 403


def test_vinh_drafts_a_plan_for_his_own_unit(client_for: Any, personas: Any, units: Any) -> None:
    client = client_for(personas.vinh_officer)
    form = client.get(reverse("study_plan_draft_new")).content.decode()
    assert "Đảng bộ thành phố Vinh" in form and "Đảng bộ tỉnh Nghệ An —" not in form
    before = counts()
    fields = {
        "structure": units.structure_2020.pk,
        "title": "Kế hoạch của Thành ủy Vinh học tập Nghị quyết",
        "source_document": "Nghị quyết Đại hội đại biểu Đảng bộ tỉnh lần thứ XIX",
        "topics": "Chuyên đề một",
    }
    # The province (or Nghi Lộc) is no issuing unit of his: the same words as a unit that is none.
    for unit in (units.province_2020, units.nghiloc, units.vinh_grassroots):
        response = client.post(reverse("study_plan_draft_new"), {**fields, "issuing_unit": unit.pk})
        assert "Hãy chọn một đơn vị mà bạn được soạn kế hoạch" in response.content.decode()
        assert units.nghiloc.name not in response.content.decode()
    assert counts() == before
    response = client.post(
        reverse("study_plan_draft_new"), {**fields, "issuing_unit": units.vinh.pk}
    )
    plan = Plan.objects.get(title=fields["title"])
    assert response.status_code == 302 and plan.issuing_unit == units.vinh
    page = client.get(page_url(plan)).content.decode()
    # His plan's levels are his unit's and those below: no province card.
    assert 'id="level-huyen"' in page and 'id="level-tinh"' not in page
    response = client.post(rule_url(plan, "tinh"), rule_data("tinh"))
    assert "ở trên cơ quan ban hành" in response.content.decode()
    for code, deadline in (("huyen", "30/12/2020"), ("co-so", "30/01/2021")):
        response = client.post(rule_url(plan, code), rule_data(code, deadline=deadline))
        assert response.status_code == 302
    response = client.post(
        reverse("study_plan_draft_board", args=[plan.pk]), {"submitting_unit": units.vinh.pk}
    )
    assert response.status_code == 302
    draft = Draft.objects.get(plan=plan)
    assert draft.submitting_unit == units.vinh and draft.issuing_unit == units.vinh
    # Nghi Lộc's office cannot submit for Vinh, nor see the plan.
    assert client_for(personas.nghiloc_officer).get(page_url(plan)).status_code == 404


def test_a_board_draft_needs_a_rule_and_a_body_the_user_may_choose(
    client_for: Any, personas: Any, units: Any, advisory_body: Unit
) -> None:
    plan = draft_plan(units, personas, rules=[])
    client = client_for(personas.province_office)
    before = counts()
    url = reverse("study_plan_draft_board", args=[plan.pk])
    response = client.post(url, {"submitting_unit": advisory_body.pk})
    assert "chưa có quy định cho cấp nào" in response.content.decode()
    response = client.post(url, {"submitting_unit": units.vinh_grassroots.pk})
    assert "Hãy chọn cơ quan trình trong danh sách." in response.content.decode()
    assert counts() == before


# Query counts ------------------------------------------------------------------------------


def test_the_editing_page_spends_the_same_queries_whatever_the_plan_holds(
    client_for: Any, personas: Any, units: Any, advisory_body: Unit
) -> None:
    small = draft_plan(
        units,
        personas,
        topics=["Một"],
        rules=[RuleSpec("huyen", "Cán bộ cốt cán", 2, D(2020, 11, 1), D(2020, 12, 30))],
    )
    large = draft_plan(
        units,
        personas,
        topics=[f"Chuyên đề {n}" for n in range(1, 9)],
        rules=[
            RuleSpec(
                "tinh",
                "Cán bộ chủ chốt",
                2,
                D(2020, 11, 1),
                D(2020, 11, 30),
                online_allowed=True,
                participant_level_codes=("huyen", "co-so"),
            ),
            RuleSpec("huyen", "Cán bộ cốt cán", 2, D(2020, 11, 1), D(2020, 12, 30)),
            RuleSpec("co-so", "Đảng viên", 1, D(2020, 11, 1), D(2021, 1, 30)),
            RuleSpec("chi-bo", "Đảng viên", 1, D(2020, 11, 1), D(2021, 1, 30)),
        ],
    )
    client = client_for(personas.province_office)
    spent = []
    for plan in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page_url(plan)).status_code == 200
        spent.append(len(queries))
    assert spent[0] == spent[1], spent
    assert spent[1] <= 16, spent


def test_ids_beyond_any_key_are_404(client_for: Any, personas: Any, units: Any) -> None:
    plan = draft_plan(units, personas)
    client = client_for(personas.province_office)
    huge = 10**20
    assert client.get(reverse("study_plan_draft", args=[huge])).status_code == 404
    response = client.post(reverse("study_plan_draft_topic", args=[plan.pk, huge]), {})
    assert response.status_code == 404
    response = client.post(
        reverse("study_plan_draft_board", args=[plan.pk]), {"submitting_unit": str(huge)}
    )
    assert "Hãy chọn cơ quan trình trong danh sách." in response.content.decode()


def test_the_plan_list_leads_to_drafting_and_a_unit_office_sees_its_own_draft(
    client_for, personas, units
) -> None:
    from tinhuy.study.actions import RuleSpec as Rule
    from tinhuy.study.actions import do_create_plan

    plan = do_create_plan(
        structure=units.structure_2020,
        title="Kế hoạch của Thành ủy Vinh (dự thảo minh họa)",
        source_document="Nghị quyết Đại hội (minh họa)",
        topics=["Chuyên đề 1"],
        rules=[Rule("co-so", "Toàn thể đảng viên", 1, D(2020, 11, 1), D(2021, 1, 30))],
        issuing_unit=units.vinh,
        acting_user=personas.vinh_officer,
    )
    vinh = client_for(personas.vinh_officer)
    page = vinh.get("/hoc-tap/").content.decode()
    assert "Soạn kế hoạch mới" in page and f"/hoc-tap/{plan.pk}/soan-thao/" in page
    assert vinh.get(f"/hoc-tap/{plan.pk}/").status_code == 200
    assert client_for(personas.nghiloc_officer).get(f"/hoc-tap/{plan.pk}/").status_code == 404
    assert "Soạn kế hoạch mới" not in client_for(personas.editor).get("/hoc-tap/").content.decode()


def test_the_body_that_submits_a_plan_revises_it(client_for, personas, units) -> None:
    """The Ban Tuyên giáo officer (the demo's tuyengiao) opens and edits the province's plan it
    submits to the Standing Board; another unit's officer, who sees the issued plan, may not."""
    from django.contrib.auth import get_user_model

    from tinhuy.meetings.demo import demo_study_draft
    from tinhuy.meetings.models import DraftState

    draft = demo_study_draft()
    assert draft is not None and draft.plan is not None
    plan = draft.plan
    tuyengiao = get_user_model().objects.get(username="tuyengiao")
    assert client_for(tuyengiao).get(f"/hoc-tap/{plan.pk}/").status_code == 200
    # Issued already in the demo: the drafting page opens and says it is closed to edits.
    assert client_for(tuyengiao).get(f"/hoc-tap/{plan.pk}/soan-thao/").status_code == 200
    assert (
        client_for(personas.vinh_officer).get(f"/hoc-tap/{plan.pk}/soan-thao/").status_code == 403
    )
    assert draft.state == DraftState.ISSUED


def test_the_plan_list_marks_drafts_in_the_same_queries_however_many(client_for, personas, units):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tinhuy.study.actions import RuleSpec as Rule
    from tinhuy.study.actions import do_create_plan

    def plan(n: int) -> None:
        do_create_plan(
            structure=units.structure_2020,
            title=f"Kế hoạch {n} của Thành ủy Vinh (dự thảo minh họa)",
            source_document="Nghị quyết (minh họa)",
            topics=["Chuyên đề 1"],
            rules=[Rule("co-so", "Toàn thể đảng viên", 1, D(2020, 11, 1), D(2021, 1, 30))],
            issuing_unit=units.vinh,
            acting_user=personas.vinh_officer,
        )

    vinh = client_for(personas.vinh_officer)
    plan(1)
    vinh.get("/hoc-tap/")
    with CaptureQueriesContext(connection) as one:
        assert vinh.get("/hoc-tap/").content.decode().count('/soan-thao/"') >= 1
    for n in range(2, 5):
        plan(n)
    with CaptureQueriesContext(connection) as four:
        page = vinh.get("/hoc-tap/").content.decode()
    assert page.count("Soạn thảo</a>") == 4 and len(four) == len(one)
