"""Adjusting an approved plan ("điều chỉnh kế hoạch"): once a programme is approved or running,
whoever writes its plan may change an existing node's dates, owners, weight, money and roadmap,
each change with a reason recorded in its audit event; the baseline keeps what the Board
approved, so plan versus baseline shows what moved. The structure (nodes added, moved, removed,
a node's kind, indicators, the header) needs a new Board decision. Drafts need no reason.

Who may do what (the ``running`` programme of ``tests/programs/running.py``): the province
office adjusts; the Board member sees it and adjusts nothing (403); the Vinh officer sees the
task Vinh leads only (403 on adjusting it, 404 on the other task); the Nghi Lộc officer sees
nothing of it (404, as an id that does not exist)."""

from __future__ import annotations

import datetime
import json
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.programs.running import Running, running_fixture  # noqa: F401 - the fixture
from tinhuy.accounts.actions import do_create_user
from tinhuy.accounts.names import full_name
from tinhuy.audit.models import AuditEvent
from tinhuy.org.access import scope_for
from tinhuy.org.actions import do_grant_membership
from tinhuy.org.models import Role
from tinhuy.programs import actions, gantt, queries
from tinhuy.programs.models import (
    BaselineNode,
    BudgetLine,
    FundingSource,
    Milestone,
    Node,
    NodeKind,
    NodeStatus,
    Programme,
    ProgrammeState,
)

pytestmark = pytest.mark.django_db

D = datetime.date
REASON = "Chờ phê duyệt quy hoạch chung điều chỉnh của tỉnh."
SVG = "{http://www.w3.org/2000/svg}"


def _spec(node: Node, **changes: Any) -> actions.NodeSpec:
    """The node's current values, with ``changes``."""
    values: dict[str, Any] = {
        "kind": node.kind,
        "title": node.title,
        "code": node.code,
        "description": node.description,
        "is_focus": node.is_focus,
        "is_key": node.is_key,
        "is_breakthrough": node.is_breakthrough,
        "lead_unit": node.lead_unit,
        "coordinating_units": list(node.coordinating_units.all()),
        "responsible": node.responsible,
        "start_on": node.start_on,
        "due_on": node.due_on,
        "staff": node.staff,
        "weight": node.weight,
    }
    values.update(changes)
    return actions.NodeSpec(**values)


def _adjustments() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="programme.adjust").order_by("id"))


def _after(event: AuditEvent) -> dict[str, Any]:
    assert isinstance(event.after, dict)
    return event.after


def _before(event: AuditEvent) -> dict[str, Any]:
    assert isinstance(event.before, dict)
    return event.before


def _baseline(node: Node) -> BaselineNode:
    return BaselineNode.objects.get(node=node)


# --- The action ------------------------------------------------------------------------------


def test_an_adjustment_after_approval_is_refused_without_a_reason(
    running: Running, personas: Any
) -> None:
    """No reason (or only blanks): a Vietnamese refusal, nothing written, no event."""
    office = personas.province_office
    events = AuditEvent.objects.count()
    for reason in ("", "   \n "):
        with pytest.raises(ValidationError, match="lý do điều chỉnh"):
            actions.do_update_node(
                running.task,
                _spec(running.task, due_on=D(2023, 6, 30)),
                acting_user=office,
                reason=reason,
            )
    with pytest.raises(ValidationError, match="lý do điều chỉnh"):
        actions.do_add_milestone(
            running.task, title="Khảo sát", due_on=D(2021, 3, 1), acting_user=office
        )
    with pytest.raises(ValidationError, match="lý do điều chỉnh"):
        actions.do_set_budget(running.task, FundingSource.ODA, "1000", acting_user=office)
    with pytest.raises(ValidationError, match="dài quá"):
        actions.do_remove_milestone(
            running.task.milestones.get(), acting_user=office, reason="x" * 1001
        )
    assert Node.objects.get(pk=running.task.pk).due_on == D(2022, 12, 31)
    assert running.task.milestones.count() == 1
    assert not BudgetLine.objects.filter(node=running.task, source=FundingSource.ODA).exists()
    assert AuditEvent.objects.count() == events


def test_an_adjustment_with_a_reason_is_written_and_audited_and_the_baseline_stays(
    running: Running, personas: Any, agencies: Any
) -> None:
    office = personas.province_office
    before = _baseline(running.task)
    actions.do_update_node(
        running.task,
        _spec(running.task, due_on=D(2023, 6, 30), staff=5, responsible=agencies.finance_head),
        acting_user=office,
        reason=f"  {REASON}  ",
    )
    task = Node.objects.get(pk=running.task.pk)
    assert (task.due_on, task.staff, task.responsible) == (
        D(2023, 6, 30),
        5,
        agencies.finance_head,
    )
    (event,) = _adjustments()
    assert event.target_id == str(task.pk)
    assert _after(event)["reason"] == REASON  # cleaned
    assert _after(event)["change"] == "node.update"
    assert _after(event)["programme"] == running.programme.pk
    assert (_before(event)["due_on"], _after(event)["due_on"]) == ("2022-12-31", "2023-06-30")
    after = _baseline(running.task)
    assert (after.due_on, after.budget, after.milestones) == (
        before.due_on,
        before.budget,
        before.milestones,
    )
    assert after.due_on == D(2022, 12, 31)


def test_milestones_and_money_are_adjusted_with_their_reasons(
    running: Running, personas: Any
) -> None:
    office = personas.province_office
    task = running.task
    milestone = actions.do_add_milestone(
        task, title="Khảo sát hiện trạng", due_on=D(2021, 3, 1), acting_user=office, reason="A"
    )
    actions.do_update_milestone(
        milestone,
        title="Khảo sát hiện trạng",
        due_on=D(2021, 5, 1),
        acting_user=office,
        reason="B",
    )
    line = actions.do_add_budget_line(
        task, source=FundingSource.ODA, amount="1.000.000", acting_user=office, reason="C"
    )
    actions.do_set_budget(task, FundingSource.ODA, "3000000", acting_user=office, reason="D")
    actions.do_remove_budget_line(
        BudgetLine.objects.get(pk=line.pk), acting_user=office, reason="E"
    )
    actions.do_remove_milestone(milestone, acting_user=office, reason="F")
    events = _adjustments()
    assert [(_after(e)["change"], _after(e)["reason"]) for e in events] == [
        ("milestone.create", "A"),
        ("milestone.update", "B"),
        ("budget.create", "C"),
        ("budget.set", "D"),
        ("budget.remove", "E"),
        ("milestone.remove", "F"),
    ]
    assert _before(events[3])["amount"] == "1000000" and _after(events[3])["amount"] == "3000000"
    assert not Milestone.objects.filter(pk=milestone.pk).exists()
    assert _baseline(task).budget == Decimal(2_500_000_000)
    # A milestone reached is history: neither moved nor removed.
    reached = task.milestones.get()
    actions.do_mark_milestone_done(reached, done_on=D(2021, 6, 1), acting_user=office)
    with pytest.raises(ValidationError, match="đã hoàn thành ngày 01/06/2021"):
        actions.do_remove_milestone(reached, acting_user=office, reason="G")
    with pytest.raises(ValidationError, match="đã hoàn thành"):
        actions.do_update_milestone(
            reached, title="x", due_on=D(2022, 1, 1), acting_user=office, reason="G"
        )


def test_an_adjustment_keeps_what_the_gate_asked_of_an_approved_task(
    running: Running, personas: Any
) -> None:
    """A due date, a responsible person, a milestone, resources: an adjustment may change them,
    not take the last of them away."""
    office = personas.province_office
    task = running.task  # one milestone, one budget line, no staff
    for change, message in (
        ({"due_on": None}, "phải có hạn hoàn thành"),
        ({"responsible": None}, "phải có người phụ trách"),
    ):
        with pytest.raises(ValidationError, match=message):
            actions.do_update_node(task, _spec(task, **change), acting_user=office, reason=REASON)
    with pytest.raises(ValidationError, match="mốc tiến độ duy nhất"):
        actions.do_remove_milestone(task.milestones.get(), acting_user=office, reason=REASON)
    line = task.budget_lines.get()
    with pytest.raises(ValidationError, match="phải còn nguồn lực"):
        actions.do_remove_budget_line(line, acting_user=office, reason=REASON)
    with pytest.raises(ValidationError, match="phải còn nguồn lực"):
        actions.do_set_budget(task, line.source, None, acting_user=office, reason=REASON)
    assert not _adjustments()
    # With staff instead, the money may go.
    actions.do_update_node(task, _spec(task, staff=4), acting_user=office, reason=REASON)
    actions.do_remove_budget_line(line, acting_user=office, reason=REASON)
    assert not task.budget_lines.exists()


def test_a_draft_is_written_as_before_without_a_reason(plan: Any, personas: Any) -> None:
    """No reason asked, none recorded; the events keep their names."""
    office = personas.province_office
    actions.do_update_node(plan.task, _spec(plan.task, staff=2), acting_user=office)
    actions.do_add_milestone(plan.task, title="Khởi động", due_on=D(2021, 2, 1), acting_user=office)
    assert Node.objects.get(pk=plan.task.pk).staff == 2
    assert not _adjustments()
    update = AuditEvent.objects.filter(action="programme.node.update").latest("id")
    assert "reason" not in _after(update)
    assert AuditEvent.objects.filter(action="programme.milestone.create").exists()
    indicator = actions.do_add_indicator(
        plan.task, actions.IndicatorSpec("Tỷ lệ đô thị hóa", "%"), acting_user=office
    )
    actions.do_set_indicator_targets(indicator, {2025: Decimal(40)}, acting_user=office)
    assert indicator.targets.get().value == Decimal(40)
    assert not _adjustments()
    assert AuditEvent.objects.filter(action="programme.indicator.targets").exists()


def test_the_structure_of_an_approved_plan_is_refused(running: Running, personas: Any) -> None:
    """Adding, moving, removing nodes, a node's kind, indicators and the header: a new Board
    decision, said so — a reason does not help."""
    office = personas.province_office
    programme, task = running.programme, running.task
    item = task.parent
    assert item is not None
    nodes = Node.objects.count()
    board = "quyết định mới của Ban Thường vụ"
    with pytest.raises(ValidationError, match=board):
        actions.do_add_node(
            programme, actions.NodeSpec(NodeKind.TASK, "Việc mới"), parent=item, acting_user=office
        )
    with pytest.raises(ValidationError, match=board):
        actions.do_move_node(running.vinh_task, task, acting_user=office)
    with pytest.raises(ValidationError, match=board):
        actions.do_remove_node(running.vinh_task, acting_user=office)
    with pytest.raises(ValidationError, match=board):
        actions.do_add_indicator(task, actions.IndicatorSpec("Chỉ tiêu", "%"), acting_user=office)
    with pytest.raises(ValidationError, match=board):
        actions.do_update_node(
            item, _spec(item, kind=NodeKind.TASK), acting_user=office, reason=REASON
        )
    assert Node.objects.count() == nodes
    assert Node.objects.get(pk=item.pk).kind == NodeKind.ITEM
    assert not _adjustments()


@pytest.mark.parametrize("state", [ProgrammeState.COMPLETED, ProgrammeState.CANCELLED])
def test_an_ended_programme_stays_locked_even_with_a_reason(
    running: Running, personas: Any, state: str
) -> None:
    office = personas.province_office
    actions.do_finish_programme(
        running.programme, state=state, reason="Kết thúc.", acting_user=office
    )
    with pytest.raises(ValidationError, match="không sửa được nữa"):
        actions.do_update_node(
            running.task, _spec(running.task, staff=9), acting_user=office, reason=REASON
        )
    with pytest.raises(ValidationError, match="không sửa được nữa"):
        actions.do_add_milestone(
            running.task, title="x", due_on=D(2021, 3, 1), acting_user=office, reason=REASON
        )


def test_a_submitted_programme_stays_locked_even_with_a_reason(
    plan: Any, personas: Any, units: Any, agencies: Any
) -> None:
    from tinhuy.meetings import actions as meetings

    office = personas.province_office
    draft = actions.do_create_programme_draft(
        plan.programme,
        submitting_unit=agencies.committee,
        issuing_unit=units.province_2020,
        acting_user=office,
    )
    meetings.do_submit_version(draft, acting_user=office)
    assert Programme.objects.get(pk=plan.programme.pk).state == ProgrammeState.SUBMITTED
    with pytest.raises(ValidationError, match="không sửa được nữa"):
        actions.do_update_node(
            plan.task, _spec(plan.task, staff=9), acting_user=office, reason=REASON
        )


# --- Plan versus baseline, the Gantt ---------------------------------------------------------


def test_plan_versus_baseline_shows_the_slip_the_money_and_the_day_it_was_done(
    running: Running, personas: Any, client_for: Any
) -> None:
    office = personas.province_office
    actions.do_update_node(
        running.task, _spec(running.task, due_on=D(2023, 3, 31)), acting_user=office, reason=REASON
    )
    actions.do_set_budget(
        running.task, FundingSource.LOCAL_BUDGET, "3.000.000.000", acting_user=office, reason=REASON
    )
    # Vinh's task: reported on track, then done on 20/12/2021, 11 days before its due date.
    actions.do_report(
        running.vinh_task,
        running.cycle,
        actions.ReportSpec(status=NodeStatus.ON_TRACK, progress=50),
        at=datetime.datetime(2021, 4, 2, 9, tzinfo=datetime.UTC),
        acting_user=office,
    )
    q2 = actions.do_open_cycle(
        running.programme,
        frequency="quarterly",
        period_start=D(2021, 10, 1),
        period_end=D(2021, 12, 31),
        due_on=D(2022, 1, 10),
        acting_user=office,
    )
    actions.do_report(
        running.vinh_task,
        q2,
        actions.ReportSpec(status=NodeStatus.DONE),
        at=datetime.datetime(2021, 12, 20, 3, tzinfo=datetime.UTC),
        acting_user=office,
    )
    rows = {v.node_id: v for v in queries.plan_vs_actual(running.programme)}
    task, vinh = rows[running.task.pk], rows[running.vinh_task.pk]
    assert (task.planned_due, task.due_on, task.slip_days) == (D(2022, 12, 31), D(2023, 3, 31), 90)
    assert (task.planned_budget, task.budget) == (Decimal(2_500_000_000), Decimal(3_000_000_000))
    assert (vinh.done_on, vinh.done_slip_days, vinh.done_early) == (D(2021, 12, 20), -11, 11)
    assert task.done_on is None
    page = (
        client_for(office)
        .get(reverse("programs_plan_vs_actual", args=[running.programme.pk]))
        .content.decode()
    )
    assert "31/12/2022" in page and "31/03/2023" in page and "lùi 90 ngày" in page
    assert "2.500.000.000" in page and "3.000.000.000" in page
    assert "20/12/2021" in page and "sớm 11 ngày so với hạn gốc" in page
    assert "1 trên 2 nhiệm vụ lùi hạn" in page
    api = client_for(office).get(f"/api/v1/programmes/{running.programme.pk}/plan-vs-actual")
    by_id = {r["node_id"]: r for r in api.json()["rows"]}
    assert by_id[running.vinh_task.pk]["done_on"] == "2021-12-20"
    assert by_id[running.task.pk]["slip_days"] == 90
    # Once its whole roadmap is reached, the task was done the day the last milestone was
    # (the report saying so came later).
    roadmap = list(running.vinh_task.milestones.order_by("due_on"))
    assert roadmap
    for n, milestone in enumerate(roadmap):
        actions.do_mark_milestone_done(milestone, done_on=D(2021, 11, 20 + n), acting_user=office)
    rows = {v.node_id: v for v in queries.plan_vs_actual(running.programme)}
    assert rows[running.vinh_task.pk].done_on == D(2021, 11, 19 + len(roadmap))


def test_the_gantt_baseline_bar_stays_where_the_plan_bar_moved_from(
    running: Running, personas: Any
) -> None:
    actions.do_update_node(
        running.task,
        _spec(running.task, due_on=D(2023, 12, 31)),
        acting_user=personas.province_office,
        reason=REASON,
    )
    result = queries.tree(running.programme)
    chart = gantt.build(
        result,
        gantt.milestones_of(running.programme, result.by_id),
        gantt.baseline_of(running.programme),
        D(2021, 7, 1),
    )
    assert chart is not None
    svg = ET.fromstring(str(gantt.render(chart)))  # noqa: S314 - our own output
    (row,) = [g for g in svg.iter(f"{SVG}g") if g.get("data-node") == str(running.task.pk)]
    rects = {r.get("class"): r for r in row.iter(f"{SVG}rect")}
    plan, base = int(rects["plan"].get("width") or 0), int(rects["baseline"].get("width") or 0)
    # 1/1/2021 → 31/12/2023 now, → 31/12/2022 as approved: a year longer.
    assert plan == int(Decimal(1095) * gantt.DAY_WIDTH)
    assert base == int(Decimal(730) * gantt.DAY_WIDTH)


# --- Pages -----------------------------------------------------------------------------------


def test_the_node_form_asks_a_reason_after_approval_and_keeps_the_kind(
    running: Running, personas: Any, client_for: Any
) -> None:
    client = client_for(personas.province_office)
    url = reverse("programs_node_edit", args=[running.task.pk])
    page = client.get(url).content.decode()
    assert "Lý do điều chỉnh" in page and "Điều chỉnh “" in page
    data = {
        "kind": "field",  # disabled: ignored
        "title": running.task.title,
        "lead_unit": running.task.lead_unit_id,
        "responsible": running.task.responsible_id,
        "start_on": "01/01/2021",
        "due_on": "30/06/2023",
        "weight": "1",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "Hãy ghi lý do điều chỉnh kế hoạch đã phê duyệt." in refused.content.decode()
    assert Node.objects.get(pk=running.task.pk).due_on == D(2022, 12, 31)
    done = client.post(url, {**data, "reason": REASON})
    assert done.status_code == 302
    task = Node.objects.get(pk=running.task.pk)
    assert (task.due_on, task.kind) == (D(2023, 6, 30), NodeKind.TASK)
    assert _after(_adjustments()[-1])["reason"] == REASON


def test_the_task_page_adjusts_milestones_and_money_with_a_reason(
    running: Running, personas: Any, client_for: Any
) -> None:
    client = client_for(personas.province_office)
    page_url = reverse("programs_node", args=[running.task.pk])
    url = reverse("programs_node_change", args=[running.task.pk])
    page = client.get(page_url).content.decode()
    assert "Điều chỉnh" in page and "Lý do điều chỉnh" in page
    assert reverse("programs_node_move", args=[running.task.pk]) not in page
    assert 'value="chi-tieu"' not in page  # indicators: a draft's only
    milestone = {"thao-tac": "moc", "title": "Khảo sát", "due_on": "01/03/2021"}
    refused = client.post(url, milestone)
    assert refused.status_code == 400
    assert "Hãy ghi lý do điều chỉnh" in refused.content.decode()
    assert client.post(url, {**milestone, "reason": "Thêm bước khảo sát."}).status_code == 302
    added = running.task.milestones.get(title="Khảo sát")
    moved = {"thao-tac": "sua-moc", "id": added.pk, "title": "Khảo sát", "due_on": "01/04/2021"}
    refused = client.post(url, moved, follow=True)  # no reason: refused, said above the page
    assert "Lý do điều chỉnh: Hãy ghi lý do điều chỉnh" in refused.content.decode()
    assert Milestone.objects.get(pk=added.pk).due_on == D(2021, 3, 1)
    client.post(url, {**moved, "reason": "Lùi một tháng."})
    assert Milestone.objects.get(pk=added.pk).due_on == D(2021, 4, 1)
    line = running.task.budget_lines.get()
    client.post(url, {"thao-tac": "xoa-kinh-phi", "id": line.pk})
    assert BudgetLine.objects.filter(pk=line.pk).exists()
    money = {"thao-tac": "kinh-phi", "source": "oda", "amount": "1.000.000"}
    response = client.post(url, {**money, "reason": "Vốn ODA thay ngân sách."})
    assert response.status_code == 302
    response = client.post(url, {"thao-tac": "xoa-kinh-phi", "id": line.pk, "reason": "Cắt giảm."})
    assert response.status_code == 302
    assert not BudgetLine.objects.filter(pk=line.pk).exists()
    assert [_after(e)["reason"] for e in _adjustments()] == [
        "Thêm bước khảo sát.",
        "Lùi một tháng.",
        "Vốn ODA thay ngân sách.",
        "Cắt giảm.",
    ]


def test_the_programme_page_lists_the_adjustments_scoped(
    running: Running, personas: Any, client_for: Any
) -> None:
    office = personas.province_office
    actions.do_update_node(
        running.task, _spec(running.task, due_on=D(2023, 3, 31)), acting_user=office, reason=REASON
    )
    actions.do_add_milestone(
        running.vinh_task,
        title="Nghiệm thu",
        due_on=D(2021, 11, 1),
        acting_user=office,
        reason="Bổ sung mốc nghiệm thu <tuyến 1>.",
    )
    url = reverse("programs_detail", args=[running.programme.pk])
    page = client_for(office).get(url).content.decode()
    assert "Điều chỉnh sau phê duyệt" in page
    assert REASON in page and "hạn hoàn thành: 31/12/2022 → 31/03/2023" in page
    assert "Bổ sung mốc nghiệm thu &lt;tuyến 1&gt;." in page
    assert timezone.localdate().strftime("%d/%m/%Y") in page
    assert full_name(office) in page  # family name first
    # Vinh sees its own task's adjustment only.
    vinh = client_for(personas.vinh_officer).get(url).content.decode()
    assert "Nghiệm thu" in vinh and REASON not in vinh
    # A draft has none to list.
    assert not queries.adjustments(running.programme, node_ids=set())


def test_the_adjustment_forms_are_404_outside_the_scope_and_403_without_the_right(
    running: Running, personas: Any, client_for: Any
) -> None:
    edit = reverse("programs_node_edit", args=[running.task.pk])
    change = reverse("programs_node_change", args=[running.task.pk])
    vinh_edit = reverse("programs_node_edit", args=[running.vinh_task.pk])
    vinh_change = reverse("programs_node_change", args=[running.vinh_task.pk])
    absent_edit = reverse("programs_node_edit", args=[999_999_999])
    post = {"thao-tac": "moc", "title": "x", "due_on": "01/03/2021", "reason": REASON}
    nghiloc = client_for(personas.nghiloc_officer)
    assert nghiloc.get(absent_edit).status_code == 404
    for url, node in ((edit, running.task), (vinh_edit, running.vinh_task)):
        response = nghiloc.get(url)
        assert response.status_code == 404  # as the id that does not exist
        assert node.title not in response.content.decode()
    assert nghiloc.post(change, post).status_code == 404
    vinh = client_for(personas.vinh_officer)
    assert vinh.get(edit).status_code == 404  # the department's task: not his branch
    assert vinh.get(vinh_edit).status_code == 403  # his branch: he reports, does not adjust
    assert vinh.post(vinh_change, post).status_code == 403
    board = client_for(personas.board_member)
    assert board.get(edit).status_code == 403
    assert board.post(change, post).status_code == 403
    assert not _adjustments()


# --- API -------------------------------------------------------------------------------------


def _json(client: Any, method: str, url: str, data: Any) -> Any:
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


def test_the_api_takes_the_reason_and_refuses_without_it(
    running: Running, personas: Any, client_for: Any
) -> None:
    client = client_for(personas.province_office)
    node_url = f"/api/v1/programme-nodes/{running.task.pk}"
    refused = _json(client, "patch", node_url, {"staff": 7})
    assert refused.status_code == 422
    assert "lý do điều chỉnh" in refused.json()["detail"]
    done = _json(client, "patch", node_url, {"staff": 7, "reason": REASON})
    assert done.status_code == 200 and done.json()["staff"] == 7
    milestone = {"title": "Khảo sát", "due_on": "2021-03-01"}
    assert _json(client, "post", f"{node_url}/milestones", milestone).status_code == 422
    added = _json(client, "post", f"{node_url}/milestones", {**milestone, "reason": "Bổ sung."})
    assert added.status_code == 201
    money = {"source": "oda", "amount": "1000000"}
    assert _json(client, "post", f"{node_url}/budget-lines", money).status_code == 422
    assert (
        _json(client, "post", f"{node_url}/budget-lines", {**money, "reason": "ODA."}).status_code
        == 201
    )
    assert [_after(e)["change"] for e in _adjustments()] == [
        "node.update",
        "milestone.create",
        "budget.create",
    ]
    structure = _json(
        client,
        "post",
        f"/api/v1/programmes/{running.programme.pk}/nodes",
        {"parent_id": running.task.parent_id, "kind": "task", "title": "Việc mới"},
    )
    assert structure.status_code == 422
    assert "quyết định mới của Ban Thường vụ" in structure.json()["detail"]
    nghiloc = client_for(personas.nghiloc_officer)
    assert _json(nghiloc, "patch", node_url, {"staff": 1, "reason": REASON}).status_code == 404


def test_a_node_form_never_drops_a_unit_its_editor_does_not_see(
    running: Running, personas: Any, client_for: Any, agencies: Any, units: Any
) -> None:
    """The Department of Planning's officer writes the plan (its focal agency) but does not see
    TP Vinh: the form of Vinh's task still shows Vinh, selected, so that saving it cannot drop
    Vinh unnoticed; the units the task already names stay, so his adjustment of the dates is
    saved; a unit out of his sight that the task does not name is refused."""
    office = personas.province_office
    actions.do_update_node(
        running.vinh_task,
        _spec(running.vinh_task, coordinating_units=[units.vinh, agencies.finance]),
        acting_user=office,
        reason="Thêm đơn vị phối hợp.",
    )
    officer = do_create_user("vp-skhdt-dc", password="mat-khau-1", acting_user=None)
    do_grant_membership(officer, agencies.planning, Role.OFFICE_OFFICER, acting_user=None)
    scope = scope_for(officer)
    assert not scope.can_view(units.vinh) and not scope.can_view(agencies.finance)
    task = Node.objects.get(pk=running.vinh_task.pk)
    client = client_for(officer)
    url = reverse("programs_node_edit", args=[task.pk])
    page = client.get(url).content.decode()
    assert f'<option value="{units.vinh.pk}" selected>' in page
    assert f'<option value="{agencies.finance.pk}" selected>' in page
    response = client.post(
        url,
        {
            "title": task.title,
            "lead_unit": units.vinh.pk,
            "coordinating_units": [units.vinh.pk, agencies.finance.pk],
            "responsible": task.responsible_id,
            "start_on": "01/01/2021",
            "due_on": "31/03/2022",
            "staff": "3",
            "weight": "1",
            "reason": "Chờ giải phóng mặt bằng.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    after = Node.objects.get(pk=task.pk)
    assert (after.due_on, after.lead_unit_id) == (D(2022, 3, 31), units.vinh.pk)
    assert set(after.coordinating_units.values_list("pk", flat=True)) == {
        units.vinh.pk,
        agencies.finance.pk,
    }
    with pytest.raises(ValidationError, match="Không tìm thấy đơn vị này"):
        actions.do_update_node(
            after,
            _spec(after, coordinating_units=[units.vinh, agencies.finance, units.nghiloc]),
            acting_user=officer,
            reason="Thêm đơn vị.",
        )
    assert set(after.coordinating_units.values_list("pk", flat=True)) == {
        units.vinh.pk,
        agencies.finance.pk,
    }


def test_the_programme_page_reads_the_same_queries_for_one_adjustment_or_many(
    running: Running, personas: Any, client_for: Any
) -> None:
    """The list is one query on the audit log's action, the actors joined: no query per row."""
    office = personas.province_office
    client = client_for(office)
    url = reverse("programs_detail", args=[running.programme.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries_run:
            assert client.get(url).status_code == 200
        return len(queries_run)

    actions.do_update_node(
        running.task, _spec(running.task, staff=1), acting_user=office, reason=REASON
    )
    one = count()
    for staff in range(2, 7):
        actions.do_update_node(
            running.task, _spec(running.task, staff=staff), acting_user=office, reason=REASON
        )
    assert count() == one
    assert client.get(url).content.decode().count(REASON) == 6


def test_an_indicators_targets_are_adjusted_with_a_reason(
    running: Running, personas: Any, client_for: Any
) -> None:
    """The targets change (the baseline keeps those approved); without a reason, refused; the
    programme page says what moved."""
    office = personas.province_office
    indicator = running.vinh_task.indicators.get()
    with pytest.raises(ValidationError, match="lý do điều chỉnh"):
        actions.do_set_indicator_targets(indicator, {2021: Decimal(5)}, acting_user=office)
    client = client_for(office)
    url = reverse("programs_node_change", args=[running.vinh_task.pk])
    page = client.get(reverse("programs_node", args=[running.vinh_task.pk])).content.decode()
    assert 'value="muc-tieu"' in page and "Điều chỉnh mục tiêu" in page
    post = {"thao-tac": "muc-tieu", "id": indicator.pk, "targets": "2021: 4\n2022: 1234,5"}
    refused = client.post(url, post, follow=True).content.decode()
    assert "Hãy ghi lý do điều chỉnh" in refused
    bad = client.post(url, {**post, "targets": "năm nay: 4", "reason": "x"}, follow=True)
    assert "Dòng 1: ghi “năm: giá trị”" in bad.content.decode()
    assert not indicator.targets.exists()
    client.post(url, {**post, "reason": "Giao thêm chỉ tiêu."})
    assert dict(indicator.targets.values_list("year", "value")) == {
        2021: Decimal(4),
        2022: Decimal("1234.5"),
    }
    assert _baseline(running.vinh_task).targets == []
    event = _adjustments()[-1]
    assert _after(event)["change"] == "indicator.targets"
    assert _after(event)["targets"] == {"2021": "4", "2022": "1234.5"}
    # The form gives the targets back as typed, and the same targets write nothing.
    page = client.get(reverse("programs_node", args=[running.vinh_task.pk])).content.decode()
    assert "2021: 4\n2022: 1234,5</textarea>" in page
    client.post(url, {**post, "reason": "Không đổi."})
    assert len(_adjustments()) == 1
    programme_page = client.get(reverse("programs_detail", args=[running.programme.pk]))
    assert "Tuyến phố chỉnh trang: — → 2021: 4; 2022: 1.234,5" in programme_page.content.decode()
