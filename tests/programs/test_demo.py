"""The programmes demo: the Decision 827 plan for TP Vinh heard by the Board on 29/10/2020 and,
revised with one incomplete task, blocked by the completeness gate until it is completed; then
approved, issued with a number and baselined; the Department of Planning and Investment's work
handed over to the Department of Finance; the Gazetteer programme in progress with its reports;
the delegations; and a second run that changes nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from tinhuy.audit.models import AuditEvent
from tinhuy.meetings import actions as meetings
from tinhuy.meetings.demo import load_meetings_demo
from tinhuy.meetings.models import (
    DispositionKind,
    DraftKind,
    DraftState,
    Opinion,
    Outcome,
)
from tinhuy.org import agencies as ag
from tinhuy.org.access import scope_for
from tinhuy.programs import actions
from tinhuy.programs import demo as programs_demo
from tinhuy.programs.models import (
    BudgetLine,
    Delegation,
    DelegationKind,
    DelegationState,
    Indicator,
    Milestone,
    Node,
    NodeHandOver,
    NodeKind,
    NodeStatus,
    Programme,
    ProgrammeState,
    ProgressReport,
    ReportingCycle,
)
from tinhuy.programs.queries import (
    missing_for_approval,
    nodes_for,
    open_tasks,
    overdue_tasks,
    programmes_for,
    tree,
)
from tinhuy.register.models import DocType
from tinhuy.register.queries import next_number, register_of

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 12, 4)  # the lists below are read as of a fixed day


def _plan() -> Programme:
    programme = programs_demo.decision_827()
    assert programme is not None
    return programme


def _gazetteer() -> Programme:
    return Programme.objects.get(title=programs_demo.GAZETTEER_TITLE)


def _user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def _incomplete_task() -> Node:
    return _plan().nodes.get(title=programs_demo.INCOMPLETE_TASK_TITLE)


def test_running_the_demo_again_changes_nothing() -> None:
    models = (
        Programme,
        Node,
        Milestone,
        BudgetLine,
        Indicator,
        ReportingCycle,
        ProgressReport,
        Delegation,
        AuditEvent,
    )
    before = [m.objects.count() for m in models]  # type: ignore[attr-defined]
    ag.load_agencies_structure()
    assert load_meetings_demo() == []
    assert programs_demo.load_programmes_demo() == []
    assert [m.objects.count() for m in models] == before  # type: ignore[attr-defined]
    assert Programme.objects.filter(title=programs_demo.DECISION_827_TITLE).count() == 1


def test_the_decision_827_plan_is_the_boards_programme_draft(units: Any) -> None:
    """Owned by the province's Party committee, Sở Kế hoạch và Đầu tư its focal agency, heard
    on 29/10/2020 as a programme draft and approved there subject to revision."""
    programme = _plan()
    assert programme.is_sample
    assert programme.owner_unit == units.province_2020
    assert programme.focal_agency == ag.agency(ag.PLANNING)
    assert {u.code for u in programme.coordinating_units.all()} == {
        ag.VINH_COMMITTEE,
        ag.FINANCE,
        ag.CONSTRUCTION,
    }
    assert programme.source_decision == (
        "Quyết định 827/QĐ-TTg ngày 12/6/2020 của Thủ tướng Chính phủ"
    )
    assert (programme.period_start, programme.period_end) == (D(2020, 11, 1), D(2030, 12, 31))
    draft = programme.draft
    assert draft is not None and draft.kind == DraftKind.PROGRAMME
    assert draft.state == DraftState.REVISING and programme.state == ProgrammeState.DRAFT
    v1 = draft.versions.get()
    assert v1.submitted_at.year == 2020
    item = draft.items.get()
    assert item.meeting.date == D(2020, 10, 29)
    assert item.outcome == Outcome.APPROVED_AFTER_REVISION and item.version == v1
    # The version froze the plan as it was then: without the task added while revising.
    assert programs_demo.INCOMPLETE_TASK_TITLE not in v1.text
    assert "Cơ quan đầu mối: Sở Kế hoạch và Đầu tư" in v1.lines()


def test_fields_items_with_emphasis_and_complete_tasks() -> None:
    programme = _plan()
    fields = list(programme.nodes.filter(kind=NodeKind.FIELD).values_list("title", flat=True))
    assert set(fields) == {"Kinh tế", "Hạ tầng đô thị", "Văn hóa – xã hội", "Cơ chế, chính sách"}
    items = programme.nodes.filter(kind=NodeKind.ITEM)
    assert items.filter(is_focus=True).exists()
    assert items.filter(is_key=True).exists()
    assert items.filter(is_breakthrough=True).exists()
    tasks = programme.nodes.filter(kind=NodeKind.TASK).select_related("lead_unit", "responsible")
    assert tasks.count() >= 7
    assert all(n.is_sample for n in programme.nodes.all())
    assert all(n.title.endswith("(minh họa)") for n in programme.nodes.exclude(kind=NodeKind.FIELD))
    others = [t for t in tasks if t.title != programs_demo.INCOMPLETE_TASK_TITLE]
    assert all(t.lead_unit and t.responsible and t.due_on for t in others)
    assert all(t.responsible.unit == t.lead_unit for t in others)
    assert all("(minh họa)" in t.responsible.full_name for t in others)
    sources = set(
        BudgetLine.objects.filter(node__programme=programme).values_list("source", flat=True)
    )
    assert sources == {"central", "local", "oda", "private"}


def test_approval_is_blocked_by_the_one_incomplete_task() -> None:
    """The gate names the task added while revising: no milestone, no responsible person."""
    programme = _plan()
    task = _incomplete_task()
    missing = missing_for_approval(programme)
    assert {(m.node_id, m.what) for m in missing} == {
        (task.pk, "milestone"),
        (task.pk, "responsible"),
    }
    assert all(programs_demo.INCOMPLETE_TASK_TITLE in m.message for m in missing)
    # Its indicator reads the population the gazetteer publishes for Vinh.
    indicator = task.indicators.get()
    assert indicator.gazetteer_indicator is not None and indicator.gazetteer_place is not None
    assert (indicator.gazetteer_indicator.code, indicator.gazetteer_place.code) == ("dan-so", "412")


def test_the_revised_version_cannot_be_submitted_until_the_task_is_completed(
    personas: Any,
) -> None:
    draft = _plan().draft
    assert draft is not None
    _answer_opinions(draft)
    with pytest.raises(ValidationError) as refused:
        meetings.do_submit_version(draft, acting_user=personas.province_office)
    text = " ".join(refused.value.messages)
    assert programs_demo.INCOMPLETE_TASK_TITLE in text
    assert draft.versions.count() == 1


def _answer_opinions(draft: Any) -> None:
    """TP Vinh's office answers the Board's three opinions (the disposition table)."""
    for opinion in Opinion.objects.filter(version__draft=draft, disposition__isnull=True):
        meetings.do_dispose(
            opinion,
            kind=DispositionKind.ACCEPTED,
            explanation="Đã tiếp thu.",
            acting_user=_user("vinh"),
        )


def _complete_and_approve(units: Any, office: Any) -> Any:
    """Complete the task, submit version 2, the Board approves it, the office issues it."""
    programme = _plan()
    task = _incomplete_task()
    head = ag.agency(ag.PLANNING).people.get(full_name="Trần Quốc Khánh (minh họa)")
    actions.do_update_node(
        task,
        actions.NodeSpec(
            NodeKind.TASK,
            task.title,
            lead_unit=task.lead_unit,
            coordinating_units=list(task.coordinating_units.all()),
            responsible=head,
            start_on=task.start_on,
            due_on=task.due_on,
            staff=task.staff,
        ),
        acting_user=office,
    )
    actions.do_add_milestone(
        task, title="Trình UBND tỉnh đề xuất", due_on=D(2022, 6, 30), acting_user=office
    )
    assert missing_for_approval(programme) == []
    draft = programme.draft
    _answer_opinions(draft)
    meetings.do_submit_version(draft, at=programs_demo._at(D(2020, 12, 1)), acting_user=office)
    meeting = meetings.do_create_meeting(
        body=units.province_2020, date=D(2020, 12, 10), acting_user=office
    )
    item = meetings.do_add_item(meeting, draft, acting_user=office)
    meetings.do_conclude(
        item, conclusion="Thống nhất ban hành.", outcome=Outcome.APPROVED, acting_user=office
    )
    expected = next_number(register_of(units.province_2020), DocType.KH, D(2020, 12, 15))
    entry = meetings.do_issue_draft(
        draft, issued_on=D(2020, 12, 15), signer_name="Bí thư (thử nghiệm)", acting_user=office
    )
    assert entry.symbol == f"{expected:02d}-KH/TU"
    return entry


def test_completed_it_is_approved_issued_with_the_next_number_and_baselined(
    units: Any, personas: Any
) -> None:
    entry = _complete_and_approve(units, personas.province_office)
    programme = Programme.objects.get(pk=_plan().pk)
    assert programme.state == ProgrammeState.APPROVED
    assert programme.draft is not None and programme.draft.register_entry == entry
    baseline = programme.baseline
    assert baseline.register_entry == entry
    assert baseline.nodes.count() == programme.nodes.count()
    total = sum(
        BudgetLine.objects.filter(node__programme=programme).values_list("amount", flat=True)
    )
    assert baseline.budget_total == total > 0


def test_the_hand_over_moves_the_departments_open_work_to_finance(
    units: Any, personas: Any
) -> None:
    """After approval, the province office hands the merged department's work to its successor:
    its open tasks and the focal agency move, the history keeps the old name, one audit event."""
    office = personas.province_office
    _complete_and_approve(units, office)
    planning, finance = ag.agency(ag.PLANNING), ag.agency(ag.FINANCE)
    led = set(
        Node.objects.filter(lead_unit=planning)
        .exclude(status__in=[NodeStatus.DONE, NodeStatus.CANCELLED])
        .values_list("pk", flat=True)
    )
    assert len(led) >= 3
    finance_scope = scope_for(_user("sotaichinh"))
    assert not set(open_tasks(finance_scope).values_list("pk", flat=True)) & led
    hand_over = actions.do_hand_over(
        planning,
        finance,
        effective_on=D(2025, 3, 1),
        reason="Hợp nhất Sở Kế hoạch và Đầu tư vào Sở Tài chính.",
        acting_user=office,
    )
    programme = Programme.objects.get(pk=_plan().pk)
    assert programme.focal_agency == finance
    assert not Node.objects.filter(lead_unit=planning).exclude(status=NodeStatus.DONE).exists()
    assert set(open_tasks(finance_scope).values_list("pk", flat=True)) >= led
    assert programme in programmes_for(finance_scope)
    # The history still names the department that led them.
    moved = NodeHandOver.objects.filter(hand_over=hand_over, role="lead")
    assert set(moved.values_list("node_id", flat=True)) == led
    assert hand_over.from_unit.name == "Sở Kế hoạch và Đầu tư"
    assert AuditEvent.objects.filter(action="programme.hand_over").count() == 1


def test_the_gazetteer_programme_is_in_progress_with_reports(units: Any) -> None:
    programme = _gazetteer()
    assert programme.is_sample and programme.state == ProgrammeState.IN_PROGRESS
    assert programme.owner_unit == units.province_2020
    assert programme.focal_agency is not None and programme.focal_agency.code == "BTG"
    draft = programme.draft
    assert draft is not None and draft.state == DraftState.ISSUED
    assert draft.register_entry is not None and draft.register_entry.symbol.endswith("-CTr/TU")
    assert draft.register_entry.issued_on == programs_demo.GAZETTEER_ISSUED
    assert programme.baseline.budget_total > 0
    titles = set(programme.nodes.filter(kind=NodeKind.FIELD).values_list("title", flat=True))
    assert titles == {"Biên soạn", "Số hóa", "Cập nhật số liệu hằng năm"}
    cycles = list(programme.cycles.all())
    assert len(cycles) == 3 and [c.is_closed for c in cycles] == [True, True, False]
    reports = list(
        ProgressReport.objects.filter(cycle__programme=programme).select_related("cycle")
    )
    assert len(reports) == 8
    assert [r.node.title for r in reports if r.is_late] == [
        "Số hóa nội dung, xây dựng cơ sở dữ liệu tra cứu Địa chí (minh họa)"
    ]
    assert 0 < tree(programme).progress < 100
    overdue = overdue_tasks(scope_for(_user("vanphong")), TODAY).filter(programme=programme)
    assert [t.title for t in overdue] == [
        "Số hóa nội dung, xây dựng cơ sở dữ liệu tra cứu Địa chí (minh họa)"
    ]
    # The yearly update reads the province's population from the gazetteer (the 2019 census).
    indicator = Indicator.objects.get(node__programme=programme, gazetteer_indicator__isnull=False)
    assert indicator.gazetteer_place is not None and indicator.gazetteer_place.code == "40"
    assert indicator.baseline_value == 3_327_791 and indicator.baseline_year == 2019


def test_the_delegations_are_sample_and_serve_the_decision_827_plan() -> None:
    delegations = {d.kind: d for d in Delegation.objects.filter(programme=_plan())}
    mechanism = delegations[DelegationKind.MECHANISM]
    assert mechanism.state == DelegationState.PROPOSED
    assert mechanism.to_unit == ag.agency(ag.VINH_COMMITTEE)
    assert mechanism.from_unit == ag.agency(ag.PROVINCE_COMMITTEE)
    assert delegations[DelegationKind.DELEGATION].state == DelegationState.STUDYING
    assert all(d.is_sample and "(minh họa)" in d.title for d in delegations.values())


def test_who_sees_the_demo_programmes(personas: Any) -> None:
    """The focal agency's office sees its programme whole; Nghi Lộc sees neither programme;
    TP Vinh's People's Committee sees the plan through the tasks it leads."""
    plan, gazetteer = _plan(), _gazetteer()
    assert set(programmes_for(scope_for(_user("sokhdt")))) == {plan}
    assert set(programmes_for(scope_for(_user("tuyengiao")))) == {gazetteer}
    assert not programmes_for(scope_for(personas.nghiloc_officer)).exists()
    vinh_scope = scope_for(_user("ubndvinh"))
    assert set(programmes_for(vinh_scope)) == {plan}
    assert set(nodes_for(vinh_scope).values_list("lead_unit__code", flat=True)) == {
        ag.VINH_COMMITTEE
    }


def test_the_demo_rows_carry_the_dates_of_their_story() -> None:
    """Not the day the demo was loaded: the programmes written before their meetings, the
    gazetteer's number and baseline on its issue day, each closed cycle closed a few days
    after its due date, every report sent by 2026."""
    from tinhuy.meetings.models import Meeting

    def local(moment: datetime.datetime) -> datetime.date:
        return timezone.localtime(moment).date()

    assert local(_plan().created_at) < D(2020, 10, 29)
    programme = _gazetteer()
    draft = programme.draft
    assert draft is not None and draft.register_entry is not None
    assert (
        local(programme.created_at) < local(draft.created_at) <= programs_demo.GAZETTEER_SUBMITTED
    )
    meeting = Meeting.objects.get(items__draft=draft)
    assert local(meeting.created_at) <= meeting.date == programs_demo.GAZETTEER_MEETING
    assert local(draft.register_entry.created_at) == programs_demo.GAZETTEER_ISSUED
    assert local(programme.baseline.taken_at) == programs_demo.GAZETTEER_ISSUED
    for cycle in programme.cycles.filter(closed_at__isnull=False):
        assert cycle.due_on < local(cycle.closed_at) <= cycle.due_on + datetime.timedelta(days=7)
    sent = ProgressReport.objects.filter(cycle__programme=programme)
    assert all(local(r.submitted_at) <= D(2026, 10, 31) for r in sent)
