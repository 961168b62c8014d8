"""A programme from draft to approval and reporting: the completeness gate, the Board draft, the
baseline frozen at issuing, reports rolling up, and a hand-over when an agency is merged away."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tinhuy.audit.models import AuditEvent
from tinhuy.meetings import actions as meetings
from tinhuy.meetings.models import Outcome
from tinhuy.programs import actions
from tinhuy.programs.models import (
    Frequency,
    NodeHandOver,
    NodeKind,
    NodeStatus,
    Programme,
    ProgrammeState,
)
from tinhuy.programs.queries import missing_for_approval, plan_vs_actual, tree

pytestmark = pytest.mark.django_db


def _approve(plan: Any, units: Any, personas: Any, board_body: Any) -> Any:
    office = personas.province_office
    draft = actions.do_create_programme_draft(
        plan.programme,
        submitting_unit=board_body,
        issuing_unit=units.province_2020,
        acting_user=office,
    )
    meetings.do_submit_version(draft, acting_user=office)
    meeting = meetings.do_create_meeting(
        body=units.province_2020, date=datetime.date(2020, 11, 20), acting_user=office
    )
    item = meetings.do_add_item(meeting, draft, acting_user=office)
    meetings.do_conclude(
        item, conclusion="Thống nhất thông qua.", outcome=Outcome.APPROVED, acting_user=office
    )
    meetings.do_issue_draft(
        draft,
        issued_on=datetime.date(2020, 11, 25),
        signer_name="Thái Thanh Quý",
        acting_user=office,
    )
    draft.refresh_from_db()
    return draft


def test_a_complete_programme_is_approved_at_a_meeting_issued_and_baselined(
    plan: Any, units: Any, personas: Any, agencies: Any
) -> None:
    assert missing_for_approval(plan.programme) == []
    draft = _approve(plan, units, personas, agencies.committee)
    programme = Programme.objects.get(pk=plan.programme.pk)
    assert programme.state == ProgrammeState.APPROVED
    assert draft.register_entry is not None
    assert draft.register_entry.symbol.endswith("-KH/TU")
    baseline = programme.baseline
    assert baseline.budget_total == Decimal(2_500_000_000)
    assert baseline.nodes.count() == 3
    assert "Lập quy hoạch mạng lưới giao thông" in draft.versions.get().text
    assert "2.500.000.000 đồng" in draft.versions.get().text


def test_an_incomplete_programme_is_refused_listing_every_missing_piece(
    plan: Any, units: Any, personas: Any, agencies: Any
) -> None:
    office = personas.province_office
    bare = actions.do_add_node(
        plan.programme,
        actions.NodeSpec(NodeKind.TASK, "Xây dựng đề án cơ chế đặc thù"),
        parent=plan.item,
        acting_user=office,
    )
    missing = missing_for_approval(plan.programme)
    assert {m.what for m in missing} == {"milestone", "due_on", "resources", "responsible"}
    assert all(m.node_id == bare.pk for m in missing)
    draft = actions.do_create_programme_draft(
        plan.programme,
        submitting_unit=agencies.committee,
        issuing_unit=units.province_2020,
        acting_user=office,
    )
    with pytest.raises(ValidationError) as refused:
        meetings.do_submit_version(draft, acting_user=office)
    text = " ".join(refused.value.messages)
    assert "chưa có mốc tiến độ" in text and "chưa phân công người phụ trách" in text
    assert not draft.versions.exists()


def test_the_plan_is_frozen_once_submitted(
    plan: Any, units: Any, personas: Any, agencies: Any
) -> None:
    office = personas.province_office
    draft = actions.do_create_programme_draft(
        plan.programme,
        submitting_unit=agencies.committee,
        issuing_unit=units.province_2020,
        acting_user=office,
    )
    meetings.do_submit_version(draft, acting_user=office)
    with pytest.raises(ValidationError, match="không sửa được nữa"):
        actions.do_add_milestone(
            plan.task, title="Khởi công", due_on=datetime.date(2021, 3, 1), acting_user=office
        )


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5", "không được âm"),
        ("1000,5", "phần lẻ"),
        ("mười tỷ", "không phải là số tiền"),
        ("1e30", "quá lớn"),
    ],
)
def test_bad_money_is_refused(plan: Any, personas: Any, amount: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        actions.do_add_budget_line(
            plan.task, source="oda", amount=amount, acting_user=personas.province_office
        )


def test_bad_dates_and_a_cycle_in_the_tree_are_refused(plan: Any, personas: Any) -> None:
    office = personas.province_office
    with pytest.raises(ValidationError, match="trước ngày bắt đầu"):
        actions.do_add_node(
            plan.programme,
            actions.NodeSpec(
                NodeKind.TASK,
                "Ngược",
                start_on=datetime.date(2022, 1, 1),
                due_on=datetime.date(2021, 1, 1),
            ),
            parent=plan.item,
            acting_user=office,
        )
    with pytest.raises(ValidationError, match="ngoài thời gian"):
        actions.do_add_milestone(
            plan.task, title="Quá hạn", due_on=datetime.date(2023, 6, 1), acting_user=office
        )
    with pytest.raises(ValidationError, match="vòng lặp"):
        actions.do_move_node(plan.item, plan.task, acting_user=office)


def test_reports_roll_up_weighted_and_a_closed_cycle_is_locked(
    plan: Any, units: Any, personas: Any, agencies: Any
) -> None:
    office = personas.province_office
    second = actions.do_add_node(
        plan.programme,
        actions.NodeSpec(
            NodeKind.TASK,
            "Nâng cấp đường ven sông Lam",
            lead_unit=agencies.planning,
            responsible=agencies.planning_head,
            start_on=datetime.date(2021, 1, 1),
            due_on=datetime.date(2023, 12, 31),
            staff=5,
            weight=Decimal(3),
        ),
        parent=plan.item,
        acting_user=office,
    )
    actions.do_add_milestone(
        second, title="Khởi công", due_on=datetime.date(2021, 6, 1), acting_user=office
    )
    _approve(plan, units, personas, agencies.committee)
    cycle = actions.do_open_cycle(
        plan.programme,
        frequency=Frequency.QUARTERLY,
        period_start=datetime.date(2021, 1, 1),
        period_end=datetime.date(2021, 3, 31),
        due_on=datetime.date(2021, 4, 10),
        acting_user=office,
    )
    actions.do_report(
        plan.task, cycle, actions.ReportSpec(NodeStatus.ON_TRACK, 40), acting_user=office
    )
    actions.do_report(second, cycle, actions.ReportSpec(NodeStatus.BEHIND, 20), acting_user=office)
    result = tree(plan.programme)
    # (1·40 + 3·20) / 4 = 25
    assert result.by_id[plan.item.pk].rolled == Decimal("25.0")
    assert result.progress == Decimal("25.0")
    assert Programme.objects.get(pk=plan.programme.pk).state == ProgrammeState.IN_PROGRESS
    actions.do_close_cycle(cycle, acting_user=office)
    with pytest.raises(ValidationError, match="khóa sổ"):
        actions.do_report(plan.task, cycle, actions.ReportSpec(NodeStatus.DONE), acting_user=office)
    variance = {v.node_id: v for v in plan_vs_actual(plan.programme)}
    assert variance[plan.task.pk].planned_budget == Decimal(2_500_000_000)


def test_a_merged_agency_hands_its_open_work_to_its_successor(
    plan: Any, units: Any, personas: Any, agencies: Any
) -> None:
    office = personas.province_office
    _approve(plan, units, personas, agencies.committee)
    before = AuditEvent.objects.filter(action="programme.hand_over").count()
    hand_over = actions.do_hand_over(
        agencies.planning,
        agencies.finance,
        effective_on=datetime.date(2025, 3, 1),
        reason="Hợp nhất Sở Kế hoạch và Đầu tư vào Sở Tài chính",
        acting_user=office,
    )
    plan.task.refresh_from_db()
    assert plan.task.lead_unit == agencies.finance
    assert Programme.objects.get(pk=plan.programme.pk).focal_agency == agencies.finance
    history = NodeHandOver.objects.get(node=plan.task)
    assert history.hand_over.from_unit == agencies.planning
    assert AuditEvent.objects.filter(action="programme.hand_over").count() == before + 1
    assert hand_over.moved["lead"] == [plan.task.pk]
    with pytest.raises(ValidationError, match="không phải là đơn vị kế thừa"):
        actions.do_hand_over(
            agencies.finance,
            agencies.planning,
            effective_on=datetime.date(2025, 3, 1),
            reason="ngược",
            acting_user=office,
        )


def test_siblings_keep_their_order_past_nine(plan: Any, personas: Any) -> None:
    """Paths sort as text: a tenth field must still come after the second (not "/10/" < "/2/")."""
    office = personas.province_office
    for n in range(2, 13):
        actions.do_add_node(
            plan.programme, actions.NodeSpec(NodeKind.FIELD, f"Lĩnh vực {n}"), acting_user=office
        )
    roots = [node.title for node in tree(plan.programme).roots]
    assert roots == ["Kinh tế", *(f"Lĩnh vực {n}" for n in range(2, 13))]
    missing_order = [
        n.title for n in plan.programme.nodes.order_by("path") if n.kind == NodeKind.FIELD
    ]
    assert missing_order == roots


def test_a_successor_that_co_ordinated_a_task_now_leads_it_and_is_not_listed_twice(
    plan: Any, units: Any, personas: Any, agencies: Any
) -> None:
    office = personas.province_office
    actions.do_update_node(
        plan.task,
        actions.NodeSpec(
            NodeKind.TASK,
            plan.task.title,
            lead_unit=agencies.planning,
            coordinating_units=[agencies.finance],
            responsible=agencies.planning_head,
            start_on=plan.task.start_on,
            due_on=plan.task.due_on,
        ),
        acting_user=office,
    )
    plan.programme.coordinating_units.set([agencies.planning, agencies.committee])
    actions.do_hand_over(
        agencies.planning,
        agencies.finance,
        effective_on=datetime.date(2025, 3, 1),
        reason="Hợp nhất",
        acting_user=office,
    )
    plan.task.refresh_from_db()
    assert plan.task.lead_unit == agencies.finance
    assert list(plan.task.coordinating_units.all()) == []
    programme = Programme.objects.get(pk=plan.programme.pk)
    assert programme.focal_agency == agencies.finance
    # The programme's co-ordinators: the ceased unit gone, the successor not beside itself.
    assert set(programme.coordinating_units.all()) == {agencies.committee}


def test_plan_versus_baseline_sums_a_fields_money_over_its_tasks(
    plan: Any, units: Any, personas: Any, agencies: Any
) -> None:
    _approve(plan, units, personas, agencies.committee)
    rows = {v.node_id: v for v in plan_vs_actual(plan.programme)}
    for node in (plan.field, plan.item, plan.task):
        assert rows[node.pk].planned_budget == Decimal(2_500_000_000)
        assert rows[node.pk].budget == Decimal(2_500_000_000)
