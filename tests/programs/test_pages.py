"""The programme pages: the list, the programme page with its gate, tree, money and draft, the
header and node forms, a task's page with its roadmap, money and indicators, moving and removing
a node, and the print view.

Who sees what: the province office sees and writes the province's programme; the Vinh and Nghi
Lộc officers see nothing of it (404) unless a unit of theirs leads a task, and then only that
branch, read-only (403 on writing)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tinhuy.audit.models import AuditEvent
from tinhuy.org.actions import do_add_person
from tinhuy.programs import actions
from tinhuy.programs.models import (
    BudgetLine,
    FundingSource,
    Indicator,
    Milestone,
    Node,
    NodeKind,
    Programme,
)

pytestmark = pytest.mark.django_db


def _url(name: str, *args: Any) -> str:
    return reverse(name, args=args)


def _events() -> int:
    return AuditEvent.objects.count()


# Pages render for the office ------------------------------------------------------------------


def test_every_page_renders_for_the_province_office(plan: Any, personas: Any, client_for: Any):
    """The list, the programme page, its forms, a task's page and forms, the print view."""
    client = client_for(personas.province_office)
    programme, task = plan.programme, plan.task
    pages = [
        _url("programs_list"),
        _url("programs_create"),
        _url("programs_detail", programme.pk),
        _url("programs_edit", programme.pk),
        _url("programs_node_create", programme.pk) + f"?cha={plan.item.pk}&loai=task",
        _url("programs_node", task.pk),
        _url("programs_node", plan.field.pk),
        _url("programs_node_edit", task.pk),
        _url("programs_node_move", task.pk),
        _url("programs_node_remove", task.pk),
        _url("programs_print", programme.pk),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
    detail = client.get(_url("programs_detail", programme.pk)).content.decode()
    assert "Lập quy hoạch mạng lưới giao thông" in detail
    assert "đột phá" in detail
    assert 'class="progress' in detail
    assert "2.500.000.000" in detail
    assert "Tạo dự thảo trình Ban Thường vụ" in detail
    assert "quá hạn" not in detail  # a plan being written has nothing overdue yet
    listing = client.get(_url("programs_list")).content.decode()
    assert programme.title in listing and "Tạo chương trình" in listing
    printed = client.get(_url("programs_print", programme.pk)).content.decode()
    assert "@media print" in printed and "Trình phê duyệt" in printed
    assert 'class="navbar' not in printed


def test_an_english_page_writes_numbers_the_english_way(plan: Any, personas: Any, client_for):
    """1,234.5 on an English page (money, progress, the tree's amounts); the Party documents
    stay Vietnamese whatever the page's language."""
    client = client_for(personas.province_office)
    client.cookies["django_language"] = "en"
    detail = client.get(_url("programs_detail", plan.programme.pk)).content.decode()
    assert "2,500,000,000" in detail and "2.500.000.000" not in detail
    client.cookies["django_language"] = "vi"
    assert (
        "2.500.000.000" in client.get(_url("programs_detail", plan.programme.pk)).content.decode()
    )


# Scope ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["vinh_officer", "nghiloc_officer"])
def test_officers_of_other_units_get_404_on_the_province_programme(
    plan: Any, personas: Any, client_for: Any, who: str
) -> None:
    client = client_for(getattr(personas, who))
    programme, task = plan.programme, plan.task
    for page in [
        _url("programs_detail", programme.pk),
        _url("programs_edit", programme.pk),
        _url("programs_print", programme.pk),
        _url("programs_node_create", programme.pk),
        _url("programs_node", task.pk),
        _url("programs_node_edit", task.pk),
        _url("programs_node_move", task.pk),
        _url("programs_node_remove", task.pk),
    ]:
        assert client.get(page).status_code == 404, page
    before = _events()
    assert client.post(_url("programs_create_draft", programme.pk)).status_code == 404
    assert (
        client.post(
            _url("programs_node_change", task.pk), {"thao-tac": "moc", "title": "x"}
        ).status_code
        == 404
    )
    assert _events() == before
    assert programme.title not in client.get(_url("programs_list")).content.decode()


def _vinh_task(plan: Any, units: Any, personas: Any) -> Node:
    """A second item and task of the province's programme, led by TP Vinh."""
    office = personas.province_office
    item = actions.do_add_node(
        plan.programme,
        actions.NodeSpec(NodeKind.ITEM, "Đô thị Vinh", is_focus=True),
        parent=plan.field,
        acting_user=office,
    )
    return actions.do_add_node(
        plan.programme,
        actions.NodeSpec(
            NodeKind.TASK,
            "Chỉnh trang đô thị trung tâm",
            lead_unit=units.vinh,
            start_on=datetime.date(2021, 1, 1),
            due_on=datetime.date(2023, 12, 31),
        ),
        parent=item,
        acting_user=office,
    )


def test_a_vinh_officer_whose_unit_leads_a_task_sees_only_that_branch(
    plan: Any, units: Any, personas: Any, client_for: Any
) -> None:
    task = _vinh_task(plan, units, personas)
    client = client_for(personas.vinh_officer)
    response = client.get(_url("programs_detail", plan.programme.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Chỉnh trang đô thị trung tâm" in page
    assert "Đô thị Vinh" in page  # its parent, for context
    assert "Lập quy hoạch mạng lưới giao thông" not in page  # another branch
    assert "Còn thiếu để trình/phê duyệt" not in page  # the gate is the writers'
    assert "budget-by-field" not in page  # the programme's money is not his
    assert "Tạo dự thảo" not in page
    assert plan.programme.title in client.get(_url("programs_list")).content.decode()
    assert client.get(_url("programs_node", task.pk)).status_code == 200
    assert client.get(_url("programs_node", plan.task.pk)).status_code == 404
    printed = client.get(_url("programs_print", plan.programme.pk)).content.decode()
    assert "Chỉnh trang đô thị trung tâm" in printed
    assert "Lập quy hoạch mạng lưới giao thông" not in printed
    # Seen but not his to write: 403, nothing written.
    before = _events()
    assert client.get(_url("programs_edit", plan.programme.pk)).status_code == 403
    assert client.get(_url("programs_node_edit", task.pk)).status_code == 403
    assert client.get(_url("programs_node_remove", task.pk)).status_code == 403
    assert client.post(_url("programs_node_remove", task.pk)).status_code == 403
    assert (
        client.post(
            _url("programs_node_change", task.pk),
            {"thao-tac": "moc", "title": "Khởi công", "due_on": "01/06/2021"},
        ).status_code
        == 403
    )
    assert _events() == before
    assert Node.objects.filter(pk=task.pk).exists()


def test_the_list_is_empty_for_an_officer_of_no_programme(personas: Any, client_for: Any, plan):
    page = client_for(personas.nghiloc_officer).get(_url("programs_list")).content.decode()
    assert "Chưa có chương trình, đề án nào bạn được xem." in page


# Writing the plan -------------------------------------------------------------------------------


def test_the_office_creates_a_programme_and_builds_its_tree(
    units: Any, agencies: Any, personas: Any, client_for: Any
) -> None:
    client = client_for(personas.province_office)
    response = client.post(
        _url("programs_create"),
        {
            "kind": "scheme",
            "title": "Đề án chuyển đổi số (thử nghiệm)",
            "source_decision": "Quyết định 827/QĐ-TTg ngày 12/6/2020",
            "period_start": "01/01/2021",
            "period_end": "31/12/2025",
            "owner_unit": units.province_2020.pk,
            "focal_agency": agencies.planning.pk,
            "coordinating_units": [agencies.finance.pk],
        },
    )
    programme = Programme.objects.get(title="Đề án chuyển đổi số (thử nghiệm)")
    assert response.status_code == 302
    assert programme.period_end == datetime.date(2025, 12, 31)
    assert list(programme.coordinating_units.all()) == [agencies.finance]
    add = _url("programs_node_create", programme.pk)
    assert (
        client.post(
            add + "?loai=field", {"kind": "field", "title": "Hạ tầng số", "weight": "1"}
        ).status_code
        == 302
    )
    field = Node.objects.get(programme=programme, title="Hạ tầng số")
    response = client.post(
        add + f"?cha={field.pk}&loai=task",
        {
            "kind": "task",
            "title": "Xây dựng trung tâm dữ liệu",
            "is_key": "on",
            "lead_unit": agencies.finance.pk,
            "responsible": agencies.finance_head.pk,
            "start_on": "01/03/2021",
            "due_on": "31/12/2023",
            "staff": "5",
            "weight": "1,5",
        },
    )
    task = Node.objects.get(programme=programme, title="Xây dựng trung tâm dữ liệu")
    assert response.status_code == 302
    assert task.parent == field and task.is_key and task.weight == Decimal("1.5")
    assert task.code == "1.1" and task.responsible == agencies.finance_head
    change = _url("programs_node_change", task.pk)
    client.post(change, {"thao-tac": "moc", "title": "Khởi công", "due_on": "01/06/2021"})
    client.post(change, {"thao-tac": "kinh-phi", "source": "local", "amount": "1.500.000"})
    client.post(
        change,
        {
            "thao-tac": "chi-tieu",
            "name": "Tỷ lệ hồ sơ trực tuyến",
            "unit_of_measure": "%",
            "baseline_value": "35,5",
            "targets": "2023: 80\n2025: 95,5",
        },
    )
    assert task.milestones.get().due_on == datetime.date(2021, 6, 1)
    assert task.budget_lines.get().amount == Decimal(1_500_000)
    indicator = task.indicators.get()
    assert indicator.baseline_value == Decimal("35.5")
    assert {t.year: t.value for t in indicator.targets.all()} == {
        2023: Decimal(80),
        2025: Decimal("95.5"),
    }
    page = client.get(_url("programs_node", task.pk)).content.decode()
    assert "1.500.000 đồng" in page and "95,5" in page and "01/06/2021" in page
    for what, model in (
        ("xoa-moc", Milestone),
        ("xoa-kinh-phi", BudgetLine),
        ("xoa-chi-tieu", Indicator),
    ):
        line = model.objects.get(node=task)
        assert client.post(change, {"thao-tac": what, "id": line.pk}).status_code == 302
        assert not model.objects.filter(node=task).exists()


def test_a_node_is_moved_and_removed_after_confirmation(
    plan: Any, personas: Any, client_for: Any
) -> None:
    client = client_for(personas.province_office)
    office = personas.province_office
    other = actions.do_add_node(
        plan.programme,
        actions.NodeSpec(NodeKind.ITEM, "Nội dung khác"),
        parent=plan.field,
        acting_user=office,
    )
    response = client.post(_url("programs_node_move", plan.task.pk), {"parent": other.pk})
    assert response.status_code == 302
    assert Node.objects.get(pk=plan.task.pk).parent_id == other.pk
    # Under itself (a cycle) is not among the choices: refused in Vietnamese, nothing moved.
    response = client.post(_url("programs_node_move", plan.item.pk), {"parent": plan.item.pk})
    assert "Hãy chọn một mục trong danh sách." in response.content.decode()
    assert Node.objects.get(pk=plan.item.pk).parent_id == plan.field.pk
    confirm = client.get(_url("programs_node_remove", plan.field.pk)).content.decode()
    assert "mục con" in confirm
    assert Node.objects.filter(programme=plan.programme).count() == 4
    client.post(_url("programs_node_remove", plan.field.pk))
    assert not Node.objects.filter(programme=plan.programme).exists()


# Out of scope in a form reads as non-existent ----------------------------------------------------


def test_an_out_of_scope_unit_or_person_reads_as_a_made_up_id(
    plan: Any, units: Any, personas: Any, client_for: Any
) -> None:
    """Nghi Lộc's officer writes his own programme; a Vinh unit or person is answered exactly
    like an id that does not exist."""
    officer = personas.nghiloc_officer
    programme = actions.do_create_programme(
        actions.ProgrammeSpec(title="Chương trình của Nghi Lộc", owner_unit=units.nghiloc),
        acting_user=officer,
    )
    vinh_person = do_add_person(units.vinh, full_name="Lê Văn Vinh", acting_user=None)
    client = client_for(officer)
    add = _url("programs_node_create", programme.pk)
    answers = []
    for field, value in (
        ("lead_unit", units.vinh.pk),
        ("lead_unit", 987_654_321),
        ("responsible", vinh_person.pk),
        ("responsible", 987_654_321),
    ):
        response = client.post(
            add, {"kind": "field", "title": "Lĩnh vực", "weight": "1", field: value}
        )
        assert response.status_code == 200
        errors = response.context["form"].errors[field]
        answers.append((field, errors))
    assert answers[0][1] == answers[1][1] == ["Hãy chọn một mục trong danh sách."]
    assert answers[2][1] == answers[3][1] == ["Hãy chọn một mục trong danh sách."]
    response = client.post(
        _url("programs_edit", programme.pk),
        {
            "kind": "programme",
            "title": "x",
            "owner_unit": units.nghiloc.pk,
            "focal_agency": units.vinh.pk,
        },
    )
    assert response.context["form"].errors["focal_agency"] == ["Hãy chọn một mục trong danh sách."]
    assert not Node.objects.filter(programme=programme).exists()
    assert Programme.objects.get(pk=programme.pk).title == "Chương trình của Nghi Lộc"


# Bad input ---------------------------------------------------------------------------------------


def test_bad_input_shows_vietnamese_errors_and_writes_nothing(
    plan: Any, personas: Any, client_for: Any
) -> None:
    client = client_for(personas.province_office)
    task = plan.task
    before = _events()
    nodes = Node.objects.count()
    response = client.post(
        _url("programs_node_edit", task.pk),
        {
            "kind": "task",
            "title": task.title,
            "start_on": "01/06/2022",
            "due_on": "01/01/2022",
            "weight": "1",
        },
    )
    assert "Hạn hoàn thành 01/01/2022 trước ngày bắt đầu 01/06/2022." in response.content.decode()
    response = client.post(
        _url("programs_node_edit", task.pk),
        {"kind": "task", "title": task.title, "start_on": "31/02/2022", "weight": "0"},
    )
    page = response.content.decode()
    assert "ngày phải có thật" in page and "Trọng số phải lớn hơn 0." in page
    change = _url("programs_node_change", task.pk)
    for what in ({}, {"thao-tac": "khong-co"}):  # no change named, or an unknown one
        unknown = client.post(change, what)
        assert unknown.status_code == 400
        assert "không rõ thao tác nào" in unknown.content.decode()
    response = client.post(change, {"thao-tac": "moc", "title": "Quá muộn", "due_on": "01/01/2024"})
    assert response.status_code == 400
    assert "nằm ngoài thời gian của nhiệm vụ" in response.content.decode()
    for amount, message in (
        ("-5", "không được âm"),
        ("1.500,5", "không có phần lẻ của đồng"),
        ("mười triệu", "không phải là số tiền"),
    ):
        response = client.post(
            change, {"thao-tac": "kinh-phi", "source": "local", "amount": amount}
        )
        assert response.status_code == 400
        assert message in response.content.decode(), amount
    response = client.post(
        change,
        {"thao-tac": "chi-tieu", "name": "x", "unit_of_measure": "%", "targets": "năm sau: 5"},
    )
    assert "ghi “năm: giá trị”" in response.content.decode()
    assert _events() == before
    assert Node.objects.count() == nodes
    assert task.milestones.count() == 1 and task.budget_lines.count() == 1
    assert not task.indicators.exists()
    assert Node.objects.get(pk=task.pk).due_on == datetime.date(2022, 12, 31)


# The gate ---------------------------------------------------------------------------------------


def test_the_gate_lists_what_is_missing_and_disappears_as_pieces_are_added(
    plan: Any, agencies: Any, personas: Any, client_for: Any
) -> None:
    client = client_for(personas.province_office)
    office = personas.province_office
    detail = _url("programs_detail", plan.programme.pk)
    assert "Đã đủ các nội dung bắt buộc" in client.get(detail).content.decode()
    bare = actions.do_add_node(
        plan.programme,
        actions.NodeSpec(NodeKind.TASK, "Xây dựng đề án cơ chế đặc thù"),
        parent=plan.item,
        acting_user=office,
    )
    page = client.get(detail).content.decode()
    assert "Còn thiếu để trình/phê duyệt" in page
    assert "chưa có mốc tiến độ" in page
    assert _url("programs_node", bare.pk) + "#moc" in page
    assert _url("programs_node", bare.pk) + "#kinh-phi" in page
    assert _url("programs_node_edit", bare.pk) + "#id_due_on" in page
    assert _url("programs_node_edit", bare.pk) + "#id_responsible" in page
    client.post(
        _url("programs_node_edit", bare.pk),
        {
            "kind": "task",
            "title": bare.title,
            "responsible": agencies.planning_head.pk,
            "start_on": "01/01/2021",
            "due_on": "31/12/2021",
            "weight": "1",
        },
    )
    page = client.get(detail).content.decode()
    assert "chưa có hạn hoàn thành" not in page and "chưa phân công" not in page
    assert "chưa có mốc tiến độ" in page
    change = _url("programs_node_change", bare.pk)
    client.post(change, {"thao-tac": "moc", "title": "Trình đề án", "due_on": "30/06/2021"})
    client.post(change, {"thao-tac": "kinh-phi", "source": "central", "amount": "100000000"})
    page = client.get(detail).content.decode()
    assert "Còn thiếu để trình/phê duyệt" not in page
    assert "Đã đủ các nội dung bắt buộc" in page


def test_a_programme_without_focal_agency_links_to_the_header_form(
    units: Any, personas: Any, client_for: Any
) -> None:
    office = personas.province_office
    programme = actions.do_create_programme(
        actions.ProgrammeSpec(title="Chương trình thiếu đầu mối", owner_unit=units.province_2020),
        acting_user=office,
    )
    page = client_for(office).get(_url("programs_detail", programme.pk)).content.decode()
    assert "Chưa có cơ quan đầu mối." in page
    assert _url("programs_edit", programme.pk) + "#id_focal_agency" in page
    assert "Chương trình chưa có nhiệm vụ nào." in page


# The Board draft ----------------------------------------------------------------------------------


def test_the_office_creates_the_board_draft_from_the_programme_page(
    plan: Any, units: Any, agencies: Any, personas: Any, client_for: Any
) -> None:
    client = client_for(personas.province_office)
    response = client.post(
        _url("programs_create_draft", plan.programme.pk),
        {"submitting_unit": agencies.committee.pk, "doc_type": "CTr"},
    )
    assert response.status_code == 302
    programme = Programme.objects.select_related("draft").get(pk=plan.programme.pk)
    assert programme.draft is not None
    assert programme.draft.doc_type == "CTr"
    assert programme.draft.issuing_unit_id == units.province_2020.pk
    page = client.get(_url("programs_detail", programme.pk)).content.decode()
    assert _url("meetings_draft", programme.draft.pk) in page
    assert "Tạo dự thảo trình Ban Thường vụ" not in page
    # A second one is refused in Vietnamese.
    response = client.post(
        _url("programs_create_draft", programme.pk),
        {"submitting_unit": agencies.committee.pk, "doc_type": "KH"},
    )
    assert response.status_code == 400
    assert "Chương trình này đã có dự thảo trình Ban Thường vụ." in response.content.decode()


def test_a_bad_draft_choice_is_refused(plan: Any, personas: Any, client_for: Any) -> None:
    client = client_for(personas.province_office)
    response = client.post(
        _url("programs_create_draft", plan.programme.pk),
        {"submitting_unit": 987_654_321, "doc_type": "NQ"},
    )
    assert response.status_code == 400
    assert "Hãy chọn một mục trong danh sách." in response.content.decode()
    assert Programme.objects.get(pk=plan.programme.pk).draft_id is None


# Query counts -------------------------------------------------------------------------------------


def _grow(plan: Any, personas: Any, tasks: int) -> None:
    for number in range(tasks):
        actions.do_add_node(
            plan.programme,
            actions.NodeSpec(NodeKind.TASK, f"Nhiệm vụ thêm {number}", is_focus=True),
            parent=plan.item,
            acting_user=personas.province_office,
        )


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["programs_list", "programs_detail", "programs_print"])
def test_the_list_programme_and_print_pages_read_a_fixed_number_of_queries(
    plan: Any, personas: Any, client_for: Any, page: str
) -> None:
    """3 nodes or 10, the same count (no query per node or per programme)."""
    client = client_for(personas.province_office)
    url = _url(page) if page == "programs_list" else _url(page, plan.programme.pk)
    client.get(url)  # warm the session and the caches
    small = _count(client, url)
    _grow(plan, personas, 7)
    assert Node.objects.filter(programme=plan.programme).count() == 10
    assert _count(client, url) == small


# Once approved -------------------------------------------------------------------------------------


def _approve(plan: Any, units: Any, personas: Any, agencies: Any) -> None:
    """Through the Board's machinery: draft, version, meeting, conclusion, issue."""
    from tinhuy.meetings import actions as meetings
    from tinhuy.meetings.models import Outcome

    office = personas.province_office
    draft = actions.do_create_programme_draft(
        plan.programme,
        submitting_unit=agencies.committee,
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


def test_an_approved_programme_shows_plan_versus_baseline_and_milestones_are_marked_done(
    plan: Any, units: Any, agencies: Any, personas: Any, client_for: Any
) -> None:
    _approve(plan, units, personas, agencies)
    client = client_for(personas.province_office)
    page = client.get(_url("programs_detail", plan.programme.pk)).content.decode()
    assert "Kế hoạch được duyệt và thực tế" in page
    assert "Còn thiếu để trình/phê duyệt" not in page
    assert "Thêm lĩnh vực" not in page  # the plan is frozen
    assert "quá hạn" in page  # the task was due 31/12/2022 and never reported done
    # The forms of the plan's structure send back to the page instead of writing; a node's form
    # is an adjustment now, with its reason (tests/programs/test_adjustments.py).
    assert client.get(_url("programs_edit", plan.programme.pk)).status_code == 302
    assert (
        "Lý do điều chỉnh" in client.get(_url("programs_node_edit", plan.task.pk)).content.decode()
    )
    assert client.get(_url("programs_node_move", plan.task.pk)).status_code == 302
    assert client.post(_url("programs_node_remove", plan.task.pk)).status_code == 302
    assert Node.objects.filter(pk=plan.task.pk).exists()
    node_page = client.get(_url("programs_node", plan.task.pk)).content.decode()
    assert "Đã xong" in node_page and "Lý do điều chỉnh" in node_page
    milestone = plan.task.milestones.get()
    change = _url("programs_node_change", plan.task.pk)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        change,
        {"thao-tac": "moc-xong", "id": milestone.pk, "done_on": tomorrow.strftime("%d/%m/%Y")},
        follow=True,
    )
    assert "Ngày hoàn thành không được sau hôm nay." in response.content.decode()
    assert Milestone.objects.get(pk=milestone.pk).done_on is None
    client.post(change, {"thao-tac": "moc-xong", "id": milestone.pk, "done_on": "30/06/2022"})
    assert Milestone.objects.get(pk=milestone.pk).done_on == datetime.date(2022, 6, 30)
    # Adding to the roadmap without a reason is refused now (an adjustment needs one).
    response = client.post(change, {"thao-tac": "moc", "title": "Mốc mới", "due_on": "01/07/2022"})
    assert response.status_code == 400
    assert "Hãy ghi lý do điều chỉnh" in response.content.decode()
    assert plan.task.milestones.count() == 1


def test_marking_a_milestone_done_is_for_who_reports_on_the_task(
    plan: Any, units: Any, agencies: Any, personas: Any, client_for: Any
) -> None:
    """A Vinh officer who sees the programme through his own task cannot mark another task's
    milestone (404: he does not see that task)."""
    _vinh_task(plan, units, personas)
    # The Vinh task needs its roadmap, money and person before approval.
    vinh_task = Node.objects.get(title="Chỉnh trang đô thị trung tâm")
    office = personas.province_office
    person = do_add_person(units.vinh, full_name="Hoàng Văn Đô", acting_user=None)
    actions.do_update_node(
        vinh_task,
        actions.NodeSpec(
            NodeKind.TASK,
            vinh_task.title,
            lead_unit=units.vinh,
            responsible=person,
            start_on=vinh_task.start_on,
            due_on=vinh_task.due_on,
            staff=3,
        ),
        acting_user=office,
    )
    own = actions.do_add_milestone(
        vinh_task, title="Khởi công", due_on=datetime.date(2021, 6, 1), acting_user=office
    )
    _approve(plan, units, personas, agencies)
    client = client_for(personas.vinh_officer)
    other = plan.task.milestones.get()
    response = client.post(
        _url("programs_node_change", plan.task.pk),
        {"thao-tac": "moc-xong", "id": other.pk, "done_on": "01/06/2022"},
    )
    assert response.status_code == 404
    client.post(
        _url("programs_node_change", vinh_task.pk),
        {"thao-tac": "moc-xong", "id": own.pk, "done_on": "02/06/2021"},
    )
    assert Milestone.objects.get(pk=own.pk).done_on == datetime.date(2021, 6, 2)
    assert Milestone.objects.get(pk=other.pk).done_on is None


def test_a_board_member_reads_every_programme_and_writes_none(
    plan: Any, personas: Any, client_for: Any
) -> None:
    client = client_for(personas.board_member)
    listing = client.get(_url("programs_list")).content.decode()
    assert plan.programme.title in listing and "Tạo chương trình" not in listing
    page = client.get(_url("programs_detail", plan.programme.pk)).content.decode()
    assert "Lập quy hoạch mạng lưới giao thông" in page
    assert "Sửa thông tin chung" not in page and "Thêm lĩnh vực" not in page
    assert "Tạo dự thảo" not in page
    assert client.get(_url("programs_create")).status_code == 403
    assert client.get(_url("programs_edit", plan.programme.pk)).status_code == 403
    assert client.get(_url("programs_node_edit", plan.task.pk)).status_code == 403
    assert client.post(_url("programs_create_draft", plan.programme.pk)).status_code == 403


def test_the_citizen_is_sent_to_log_in(plan: Any, personas: Any, client_for: Any) -> None:
    client = client_for(personas.citizen)
    for page in (_url("programs_list"), _url("programs_detail", plan.programme.pk)):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# A large programme's tree: fields and items, an item's tasks when it is opened ------------------


def _closed(monkeypatch: Any) -> None:
    """Any programme is "large": the page opens no item by itself."""
    from tinhuy.programs.views import programmes

    monkeypatch.setattr(programmes, "OPEN_ALL", 1)


def test_a_large_programme_shows_its_fields_and_items_and_opens_an_item_on_request(
    plan: Any, personas: Any, client_for: Any, monkeypatch: Any
) -> None:
    _closed(monkeypatch)
    client = client_for(personas.province_office)
    url = _url("programs_detail", plan.programme.pk)
    page = client.get(url).content.decode()
    tree = page.split('id="tree"')[1].split("</table>")[0]
    assert "Kinh tế" in tree and "Hạ tầng giao thông" in tree
    assert "Lập quy hoạch mạng lưới giao thông" not in tree
    assert "1 nhiệm vụ" in tree  # the item's count, and the link that opens it
    assert f'href="?mo={plan.item.pk}#n{plan.item.pk}"' in tree
    assert _url("programs_tree_children", plan.programme.pk, plan.item.pk) in tree
    assert "2.500.000.000" in tree  # the money rolled up to the item and the field
    opened = client.get(url, {"mo": plan.item.pk}).content.decode()
    assert "Lập quy hoạch mạng lưới giao thông" in opened.split('id="tree"')[1]
    # Opening a task opens the items above it; an unknown id opens nothing; not a number: 404.
    assert "Lập quy hoạch mạng lưới" in client.get(url, {"mo": plan.task.pk}).content.decode()
    response = client.get(url, {"mo": 999999})
    assert response.status_code == 200
    assert "Lập quy hoạch mạng lưới giao thông" not in response.content.decode()
    assert client.get(url, {"mo": "abc"}).status_code == 404


def test_the_tree_fragment_renders_a_nodes_closed_children_in_the_users_scope(
    plan: Any, units: Any, personas: Any, client_for: Any
) -> None:
    vinh_task = _vinh_task(plan, units, personas)
    office = client_for(personas.province_office)
    fragment = _url("programs_tree_children", plan.programme.pk, plan.item.pk)
    response = office.get(fragment)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="n{plan.task.pk}"' in body and "Lập quy hoạch mạng lưới giao thông" in body
    assert "<html" not in body and "Chỉnh trang đô thị trung tâm" not in body
    # The Vinh officer sees his branch only: the other item answers 404, his own its task.
    vinh = client_for(personas.vinh_officer)
    assert vinh.get(fragment).status_code == 404
    vinh_item = _url("programs_tree_children", plan.programme.pk, vinh_task.parent_id)
    assert "Chỉnh trang đô thị trung tâm" in vinh.get(vinh_item).content.decode()
    # Nghi Lộc sees nothing of the programme; a node of another programme or none: 404.
    assert client_for(personas.nghiloc_officer).get(fragment).status_code == 404
    other = Programme.objects.exclude(pk=plan.programme.pk).first()
    if other is not None:
        assert office.get(_url("programs_tree_children", other.pk, plan.item.pk)).status_code == 404
    assert office.get(_url("programs_tree_children", plan.programme.pk, 999999)).status_code == 404


def test_the_large_tree_page_and_the_fragment_read_a_fixed_number_of_queries(
    plan: Any, personas: Any, client_for: Any, monkeypatch: Any
) -> None:
    """One task or eight under the item, opened or not: the same queries."""
    _closed(monkeypatch)
    client = client_for(personas.province_office)
    page = _url("programs_detail", plan.programme.pk)
    opened = page + f"?mo={plan.item.pk}"
    fragment = _url("programs_tree_children", plan.programme.pk, plan.item.pk)
    client.get(page)
    before = [_count(client, url) for url in (page, opened, fragment)]
    _grow(plan, personas, 7)
    assert [_count(client, url) for url in (page, opened, fragment)] == before
    assert before[0] == before[1]


def test_the_roll_up_read_without_details_is_the_whole_trees(plan: Any, personas: Any) -> None:
    """``tree(details=False)`` (the page's) rolls up the same progress and money, and counts the
    tasks below each node and the overdue ones."""
    from tinhuy.programs.queries import fill_details, tree

    _grow(plan, personas, 3)
    whole = tree(plan.programme)
    today = datetime.date(2023, 1, 1)  # after the first task's due date, 31/12/2022
    narrow = tree(plan.programme, details=False, today=today)
    assert (narrow.progress, narrow.budget) == (whole.progress, whole.budget)
    for pk, node in whole.by_id.items():
        other = narrow.by_id[pk]
        assert (other.rolled, other.budget, other.depth) == (node.rolled, node.budget, node.depth)
        assert other.title == ""
    field = narrow.by_id[plan.field.pk]
    assert (field.tasks, field.overdue) == (4, 1)  # the three new tasks have no due date
    fill_details(narrow, [plan.field.pk])
    assert narrow.by_id[plan.field.pk].title == "Kinh tế"


# Plan versus baseline, a page of its own ------------------------------------------------------------


def test_plan_versus_baseline_has_a_page_of_its_own_paginated_and_summed_up_on_the_programme(
    plan: Any, units: Any, agencies: Any, personas: Any, client_for: Any, monkeypatch: Any
) -> None:
    from tinhuy.programs.views import programmes

    client = client_for(personas.province_office)
    url = _url("programs_plan_vs_actual", plan.programme.pk)
    draft = client.get(url)
    assert draft.status_code == 200
    assert "chưa có kế hoạch gốc" in draft.content.decode()
    _approve(plan, units, personas, agencies)
    page = client.get(_url("programs_detail", plan.programme.pk)).content.decode()
    summary = page.split('id="ke-hoach-goc"')[1]
    assert "0 trên 1 nhiệm vụ" in summary and "2.500.000.000 đồng" in summary
    assert url in summary and 'id="plan-vs-actual"' not in page
    table = client.get(url).content.decode()
    assert 'id="plan-vs-actual"' in table and "Lập quy hoạch mạng lưới giao thông" in table
    monkeypatch.setattr(programmes, "PLAN_PAGE_SIZE", 1)
    first = client.get(url).content.decode()
    assert "Trang 1/3" in first and "Kinh tế" in first  # field, item, task in tree order
    last = client.get(url, {"trang": 3}).content.decode()
    assert "Lập quy hoạch mạng lưới giao thông" in last and "Kinh tế</a>" not in last
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    with CaptureQueriesContext(connection) as other:
        client.get(url, {"trang": 3})
    assert len(one) == len(other)


def test_plan_versus_baseline_shows_a_branch_reader_his_rows_and_is_hidden_from_others(
    plan: Any, units: Any, agencies: Any, personas: Any, client_for: Any
) -> None:
    """As the API's plan-vs-actual: the reader of a branch sees its nodes and the way up to them,
    without the programme-wide line; who sees none of it gets 404."""
    _approve(plan, units, personas, agencies)
    url = _url("programs_plan_vs_actual", plan.programme.pk)
    office = client_for(personas.province_office).get(url).content.decode()
    assert 'id="plan-summary"' in office
    assert client_for(personas.vinh_officer).get(url).status_code == 404  # no branch of his yet
    Node.objects.filter(pk=plan.task.pk).update(lead_unit=units.vinh)  # his unit leads the task
    vinh = client_for(personas.vinh_officer).get(url)
    assert vinh.status_code == 200
    page = vinh.content.decode()
    assert plan.task.title in page and 'id="plan-summary"' not in page
    api = client_for(personas.vinh_officer).get(
        f"/api/v1/programmes/{plan.programme.pk}/plan-vs-actual"
    )
    assert {row["node_id"] for row in api.json()["rows"]} == {
        int(pk) for pk in re.findall(r'href="/chuong-trinh/muc/(\d+)/"', page)
    }
    assert client_for(personas.nghiloc_officer).get(url).status_code == 404


def test_the_money_by_field_read_with_the_roll_up_is_the_grouped_reads(
    plan: Any, personas: Any
) -> None:
    """``tree(money_by_field=True)`` (the page's) reads the budget lines once: each node's money
    and each field's by source are those of the per-node and per-field grouped reads."""
    from tinhuy.programs.queries import budget_by_field, tree

    office = personas.province_office
    second = actions.do_add_node(
        plan.programme, actions.NodeSpec(NodeKind.FIELD, "Văn hóa, xã hội"), acting_user=office
    )
    item = actions.do_add_node(
        plan.programme,
        actions.NodeSpec(NodeKind.ITEM, "Giáo dục"),
        parent=second,
        acting_user=office,
    )
    task = actions.do_add_node(
        plan.programme,
        actions.NodeSpec(NodeKind.TASK, "Xây trường"),
        parent=item,
        acting_user=office,
    )
    for node, source, amount in (
        (plan.task, FundingSource.CENTRAL_BUDGET, 700_000_000),
        (plan.task, FundingSource.LOCAL_BUDGET, 300_000_000),  # a second line of a source
        (task, FundingSource.ODA, 1_234_567),
        (task, FundingSource.OTHER, 1),
    ):
        actions.do_add_budget_line(
            node, source=source, amount=Decimal(amount), year=2022, acting_user=office
        )
    whole = tree(plan.programme)
    merged = tree(plan.programme, details=False, money_by_field=True)
    assert whole.field_money is None and merged.field_money is not None
    assert merged.budget == whole.budget == Decimal(3_501_234_568)
    for pk, node in whole.by_id.items():
        assert merged.by_id[pk].budget == node.budget
    grouped = [(root.id, amounts) for root, amounts in budget_by_field(plan.programme, whole)]
    assert [(root.id, amounts) for root, amounts in budget_by_field(plan.programme, merged)] == (
        grouped
    )
    assert dict(grouped)[plan.field.pk][FundingSource.LOCAL_BUDGET] == Decimal(2_800_000_000)
    assert dict(grouped)[second.pk][FundingSource.ODA] == Decimal(1_234_567)
    assert dict(grouped)[second.pk][FundingSource.PRIVATE] == Decimal(0)


def test_the_money_by_field_and_source_is_written_as_the_template_wrote_it(
    plan: Any, personas: Any, client_for: Any
) -> None:
    """The table and the list built in Python (``presenters.money_table``): a field's row, the
    sources' totals, the total, and only the sources with money listed, escaped."""
    actions.do_update_node(
        plan.field,
        actions.NodeSpec(NodeKind.FIELD, "Kinh tế & <hạ tầng>"),
        acting_user=personas.province_office,
    )
    page = client_for(personas.province_office).get(_url("programs_detail", plan.programme.pk))
    html = page.content.decode()
    cell = '<td class="text-end text-nowrap">{}</td>'.format
    amounts = "".join(cell(a) for a in ("0", "2.500.000.000", "0", "0", "0"))
    assert (
        f"<tr><td>1 Kinh tế &amp; &lt;hạ tầng&gt;</td>{amounts}"
        '<td class="text-end text-nowrap fw-semibold">2.500.000.000</td></tr>'
    ) in html
    assert (
        f'<tfoot><tr class="fw-semibold"><td>Tổng cộng</td>{amounts}'
        '<td class="text-end text-nowrap">2.500.000.000</td></tr></tfoot>'
    ) in html
    assert (
        '<ul class="list-unstyled small" id="budget-by-source">'
        "<li>Ngân sách địa phương: 2.500.000.000 đồng</li></ul>"
    ) in html
    assert '<dd class="col-sm-9">2.500.000.000 đồng</dd>' in html


def test_the_roll_up_in_one_pass_is_weighted_of_each_nodes_children(
    plan: Any, personas: Any
) -> None:
    """The roll-up's single pass over a node's children gives ``weighted``'s figures (decimal
    weights, a cancelled child left out) and sums the money below."""
    from tinhuy.programs.models import NodeStatus
    from tinhuy.programs.queries import tree, weighted

    _grow(plan, personas, 4)
    tasks = list(Node.objects.filter(parent=plan.item).order_by("path"))
    for task, weight, progress, status in zip(
        tasks,
        ("1.25", "0.50", "2.00", "3.00", "1.00"),
        (10, 35, 0, 100, 7),
        (
            NodeStatus.ON_TRACK,
            NodeStatus.BEHIND,
            NodeStatus.NOT_STARTED,
            NodeStatus.CANCELLED,
            NodeStatus.ON_TRACK,
        ),
        strict=True,
    ):
        Node.objects.filter(pk=task.pk).update(
            weight=Decimal(weight), progress=progress, status=status
        )
    for result in (tree(plan.programme), tree(plan.programme, details=False, money_by_field=True)):
        for node in result.by_id.values():
            if node.children:
                expected = weighted(node.children)
                assert (str(node.rolled), node.rolled) == (str(expected), expected)
                assert node.budget == sum((c.budget for c in node.children), Decimal(0))
        item = result.by_id[plan.item.pk]
        # (1.25·10 + 0.5·35 + 2·0 + 1·7) / 4.75 = 37 / 4.75 = 7.789… → 7.8
        assert item.rolled == Decimal("7.8") and item.budget == Decimal(2_500_000_000)
        assert result.progress == Decimal("7.8")


def test_an_indicator_linked_to_the_gazetteer_shows_the_published_figures(
    client_for: Any, personas: Any
) -> None:
    """The demo's 827 plan measures a task by the gazetteer's population of Vinh: the task's
    page shows the latest edition's figures for it, year by year."""
    from tinhuy.gazetteer.models import EditionObservation
    from tinhuy.gazetteer.queries import latest_edition
    from tinhuy.programs.models import Indicator
    from tinhuy.programs.queries import published_values

    indicator = Indicator.objects.filter(gazetteer_indicator__isnull=False).first()
    assert indicator is not None
    edition = latest_edition()
    expected = list(
        EditionObservation.objects.filter(
            edition=edition,
            indicator_id=indicator.gazetteer_indicator_id,
            place_id=indicator.gazetteer_place_id,
        )
        .order_by("year")
        .values_list("year", "value")
    )
    assert expected, "the demo's edition publishes the figure the indicator points to"
    got = published_values([indicator])[indicator.pk]
    assert [(p.year, p.value) for p in got] == expected
    page = client_for(personas.province_office).get(f"/chuong-trinh/muc/{indicator.node_id}/")
    html = page.content.decode()
    assert "Số liệu công bố trong Địa chí" in html
    assert f"{expected[-1][0]}: " in html
