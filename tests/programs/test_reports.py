"""The programme and a cycle's progress report as Party documents (.docx), read back with
python-docx: the header of the issuing body, the number (blank before issuing, the register's
after), the tree with owners, dates, money and roadmap, the budget by source, the roll-up."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document

from tests.programs.test_lifecycle import _approve
from tinhuy.meetings import actions as meetings
from tinhuy.meetings.models import Outcome
from tinhuy.programs import actions, cycles
from tinhuy.programs.models import Frequency, NodeKind, NodeStatus, Programme, ProgrammeKind
from tinhuy.programs.reports import cycle_report_docx, programme_docx
from tinhuy.register.models import DocType

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    """Every paragraph and table cell of the document, in order, one per line."""
    document = Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines += [cell.text for cell in row.cells]
    return "\n".join(lines)


def test_a_draft_programme_has_a_blank_number_and_its_whole_plan(plan: Any) -> None:
    text = _text(programme_docx(plan.programme))
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "TỈNH ỦY" in text
    assert "Số     -CTr/TU" in text
    assert "CHƯƠNG TRÌNH" in text.upper()
    assert "Căn cứ Quyết định 827/QĐ-TTg ngày 12/6/2020" in text
    assert "1.1. Hạ tầng giao thông (đột phá)" in text
    assert "1.1.1. Lập quy hoạch mạng lưới giao thông" in text
    assert "- Đơn vị chủ trì: Sở Kế hoạch và Đầu tư (thử nghiệm)." in text
    assert "- Người phụ trách: Nguyễn Văn Kế." in text
    assert "- Thời gian: từ 01/01/2021 đến 31/12/2022." in text
    assert "Ngân sách địa phương năm 2021: 2.500.000.000 đồng" in text
    assert "- Lộ trình: 30/06/2022: Trình phê duyệt." in text
    assert "Tổng kinh phí: 2.500.000.000 đồng" in text
    assert "Tổng cộng" in text and "100,0%" in text
    assert "Giao Sở Kế hoạch và Đầu tư (thử nghiệm) là cơ quan đầu mối" in text
    assert "Nơi nhận:" in text and "- Lưu Văn phòng Tỉnh ủy." in text


def test_an_issued_programme_carries_its_register_number_date_and_signer(
    plan: Any, units: Any, personas: Any, agencies: Any
) -> None:
    draft = _approve(plan, units, personas, agencies.committee)
    plan.programme.refresh_from_db()
    text = _text(programme_docx(plan.programme))
    assert draft.register_entry.number_line in text
    assert "-KH/TU" in text
    assert "Nghệ An, ngày 25 tháng 11 năm 2020" in text
    assert "KẾ HOẠCH" in text.upper()
    assert "Thái Thanh Quý" in text


def test_a_cycle_report_gives_each_task_and_the_roll_up(
    plan: Any, units: Any, personas: Any, agencies: Any
) -> None:
    office = personas.province_office
    _approve(plan, units, personas, agencies.committee)
    first = actions.do_open_cycle(
        plan.programme,
        frequency=Frequency.QUARTERLY,
        period_start=datetime.date(2021, 1, 1),
        period_end=datetime.date(2021, 3, 31),
        due_on=datetime.date(2021, 4, 10),
        acting_user=office,
    )
    actions.do_report(
        plan.task,
        first,
        actions.ReportSpec(
            NodeStatus.ON_TRACK, 40, narrative="Đã khảo sát hiện trạng.", spent="120.000.000"
        ),
        at=datetime.datetime(2021, 4, 5, 9, tzinfo=datetime.UTC),
        acting_user=office,
    )
    text = _text(cycle_report_docx(first))
    assert "BÁO CÁO" in text.upper()
    assert "Số     -BC/TU" in text
    assert "kỳ báo cáo từ 01/01/2021 đến 31/03/2021" in text
    assert "1/1 nhiệm vụ đã báo cáo" in text
    assert "Tiến độ chung của chương trình: 40,0%." in text
    assert "Đang thực hiện, đúng tiến độ" in text
    assert "Đã khảo sát hiện trạng." in text
    assert "120.000.000" in text
    assert "Kinh tế" in text  # the field's roll-up row
    second = actions.do_open_cycle(
        plan.programme,
        frequency=Frequency.QUARTERLY,
        period_start=datetime.date(2021, 4, 1),
        period_end=datetime.date(2021, 6, 30),
        due_on=datetime.date(2021, 7, 10),
        acting_user=office,
    )
    later = _text(cycle_report_docx(second))
    assert "0/1 nhiệm vụ đã báo cáo" in later
    assert "Chưa báo cáo kỳ này" in later
    assert "40,0%" in later  # the standing report of the earlier cycle


def test_document_pages_answer_within_scope(
    plan: Any, units: Any, personas: Any, agencies: Any, client_for: Any
) -> None:
    _approve(plan, units, personas, agencies.committee)
    cycle = actions.do_open_cycle(
        plan.programme,
        frequency=Frequency.YEARLY,
        period_start=datetime.date(2021, 1, 1),
        period_end=datetime.date(2021, 12, 31),
        due_on=datetime.date(2022, 1, 15),
        acting_user=personas.province_office,
    )
    for url in (
        reverse("programs_docx", args=[plan.programme.pk]),
        reverse("programs_cycle_docx", args=[cycle.pk]),
    ):
        response = client_for(personas.province_office).get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        Document(io.BytesIO(response.content))  # opens
        assert client_for(personas.board_member).get(url).status_code == 200
        assert client_for(personas.vinh_officer).get(url).status_code == 404
        assert client_for(personas.nghiloc_officer).get(url).status_code == 404
        assert client_for(personas.citizen).get(url).status_code == 302
    missing = reverse("programs_cycle_docx", args=[cycle.pk + 1000])
    assert client_for(personas.province_office).get(missing).status_code == 404


def _issue_with_recipients(plan: Any, units: Any, personas: Any, agencies: Any) -> Any:
    office = personas.province_office
    draft = actions.do_create_programme_draft(
        plan.programme,
        submitting_unit=agencies.committee,
        issuing_unit=units.province_2020,
        acting_user=office,
    )
    meetings.do_submit_version(draft, acting_user=office)
    meeting = meetings.do_create_meeting(
        body=units.province_2020, date=datetime.date(2020, 12, 15), acting_user=office
    )
    item = meetings.do_add_item(meeting, draft, acting_user=office)
    meetings.do_conclude(
        item, conclusion="Thống nhất thông qua.", outcome=Outcome.APPROVED, acting_user=office
    )
    meetings.do_issue_draft(
        draft,
        issued_on=datetime.date(2020, 12, 18),
        signer_name="Thái Thanh Quý",
        recipients="Các sở, ban, ngành; Thành ủy Vinh; Lưu VP",
        acting_user=office,
    )
    draft.refresh_from_db()
    return draft


def test_an_issued_programme_stays_as_issued_after_a_hand_over(
    plan: Any, units: Any, personas: Any, agencies: Any
) -> None:
    draft = _issue_with_recipients(plan, units, personas, agencies)
    actions.do_hand_over(
        agencies.planning,
        agencies.finance,
        effective_on=datetime.date(2025, 3, 1),
        reason="Hợp nhất Sở Kế hoạch và Đầu tư vào Sở Tài chính",
        acting_user=personas.province_office,
    )
    programme = Programme.objects.get(pk=plan.programme.pk)
    assert programme.focal_agency == agencies.finance  # today's data moved on
    text = _text(programme_docx(programme))
    assert draft.register_entry.number_line in text
    assert "Nghệ An, ngày 18 tháng 12 năm 2020" in text
    assert "Giao Sở Kế hoạch và Đầu tư (thử nghiệm) là cơ quan đầu mối" in text
    assert "- Đơn vị chủ trì: Sở Kế hoạch và Đầu tư (thử nghiệm)." in text
    assert "Sở Tài chính" not in text
    assert "- Các sở, ban, ngành," in text
    assert "- Thành ủy Vinh," in text
    assert "- Lưu Văn phòng Tỉnh ủy." in text
    assert "Lưu VP" not in text
    assert "1.1. Hạ tầng giao thông (đột phá)" in text
    assert "Ngân sách địa phương năm 2021: 2.500.000.000 đồng" in text
    assert "- Lộ trình: 30/06/2022: Trình phê duyệt." in text
    # A user who sees one branch sees it from the issued version too.
    branch = _text(programme_docx(programme, node_ids={plan.task.pk}))
    assert "1.1.1. Lập quy hoạch mạng lưới giao thông" in branch


def test_a_programme_not_issued_is_written_from_today_s_data(
    plan: Any, personas: Any, agencies: Any
) -> None:
    actions.do_hand_over(
        agencies.planning,
        agencies.finance,
        effective_on=datetime.date(2025, 3, 1),
        reason="Hợp nhất",
        acting_user=personas.province_office,
    )
    text = _text(programme_docx(Programme.objects.get(pk=plan.programme.pk)))
    assert "Giao Sở Tài chính (thử nghiệm) là cơ quan đầu mối" in text
    assert "Số     -CTr/TU" in text


@pytest.mark.parametrize(
    ("kind", "heading", "symbol", "wrong"),
    [
        (ProgrammeKind.PROGRAMME, "CHƯƠNG TRÌNH", "-CTr/TU", "ĐỀ ÁN"),
        (ProgrammeKind.SCHEME, "ĐỀ ÁN", "-ĐA/TU", "CHƯƠNG TRÌNH"),
        (ProgrammeKind.PROJECT, "KẾ HOẠCH", "-KH/TU", "ĐỀ ÁN"),
        (ProgrammeKind.PLAN, "KẾ HOẠCH", "-KH/TU", "ĐỀ ÁN"),
    ],
)
def test_the_document_type_follows_the_programme_s_kind(
    units: Any, personas: Any, kind: str, heading: str, symbol: str, wrong: str
) -> None:
    programme = actions.do_create_programme(
        actions.ProgrammeSpec(
            title="Dự án số hóa tư liệu lịch sử (thử nghiệm)",
            owner_unit=units.province_2020,
            kind=kind,
        ),
        acting_user=personas.province_office,
    )
    text = _text(programme_docx(programme))
    lines = text.splitlines()
    assert heading in lines
    assert f"Số     {symbol}" in text
    assert wrong not in lines
    if kind == ProgrammeKind.PROJECT:
        assert "thực hiện Dự án số hóa tư liệu lịch sử (thử nghiệm)" in text


def test_the_document_type_follows_the_board_draft(
    plan: Any, units: Any, personas: Any, agencies: Any
) -> None:
    actions.do_create_programme_draft(
        plan.programme,
        submitting_unit=agencies.committee,
        issuing_unit=units.province_2020,
        doc_type=DocType.DA,
        acting_user=personas.province_office,
    )
    text = _text(programme_docx(Programme.objects.get(pk=plan.programme.pk)))
    assert "Số     -ĐA/TU" in text
    assert "ĐỀ ÁN" in text.splitlines()


def _task(plan: Any, agencies: Any, office: Any, title: str, start: datetime.date) -> Any:
    task = actions.do_add_node(
        plan.programme,
        actions.NodeSpec(
            NodeKind.TASK,
            title,
            lead_unit=agencies.planning,
            responsible=agencies.planning_head,
            start_on=start,
            due_on=datetime.date(2022, 12, 31),
            staff=2,
        ),
        parent=plan.item,
        acting_user=office,
    )
    actions.do_add_milestone(
        task, title="Xong", due_on=datetime.date(2022, 12, 1), acting_user=office
    )
    return task


def test_the_cycle_report_counts_the_tasks_the_cycle_page_expects(
    plan: Any, units: Any, personas: Any, agencies: Any
) -> None:
    office = personas.province_office
    finished = _task(plan, agencies, office, "Nhiệm vụ xong sớm", datetime.date(2021, 1, 1))
    dropped = _task(plan, agencies, office, "Nhiệm vụ bị hủy", datetime.date(2021, 1, 1))
    _task(plan, agencies, office, "Nhiệm vụ bắt đầu muộn", datetime.date(2021, 7, 1))
    _approve(plan, units, personas, agencies.committee)
    first = actions.do_open_cycle(
        plan.programme,
        frequency=Frequency.QUARTERLY,
        period_start=datetime.date(2021, 1, 1),
        period_end=datetime.date(2021, 3, 31),
        due_on=datetime.date(2021, 4, 10),
        acting_user=office,
    )
    for node, status in ((finished, NodeStatus.DONE), (dropped, NodeStatus.CANCELLED)):
        actions.do_report(
            node,
            first,
            actions.ReportSpec(status, 100 if status == NodeStatus.DONE else 0),
            at=datetime.datetime(2021, 4, 5, 9, tzinfo=datetime.UTC),
            acting_user=office,
        )
    actions.do_close_cycle(first, acting_user=office)
    second = actions.do_open_cycle(
        plan.programme,
        frequency=Frequency.QUARTERLY,
        period_start=datetime.date(2021, 4, 1),
        period_end=datetime.date(2021, 6, 30),
        due_on=datetime.date(2021, 7, 10),
        acting_user=office,
    )
    actions.do_report(
        plan.task,
        second,
        actions.ReportSpec(NodeStatus.ON_TRACK, 30),
        at=datetime.datetime(2021, 7, 5, 9, tzinfo=datetime.UTC),
        acting_user=office,
    )
    (page,) = cycles.summarise(
        [second],
        cycles.leaf_tasks([plan.programme.pk]),
        cycles.reports_of([second]),
        timezone.localdate(),
    )
    assert (page.reported, page.expected, page.late) == (1, 1, 0)
    text = _text(cycle_report_docx(second))
    assert "1/1 nhiệm vụ đã báo cáo." in text
    assert "muộn" not in text
    assert "Nhiệm vụ bị hủy" not in text  # cancelled: not expected
    assert "Nhiệm vụ bắt đầu muộn" not in text  # starts after the period
    assert "Nhiệm vụ xong sớm" not in text  # done in an earlier cycle
    # The earlier cycle: the cancelled task's report took it out of every cycle's count, as on
    # the page; the finished one reported there and counts.
    (page_first,) = cycles.summarise(
        [first],
        cycles.leaf_tasks([plan.programme.pk]),
        cycles.reports_of([first]),
        timezone.localdate(),
    )
    first_text = _text(cycle_report_docx(first))
    assert f"{page_first.reported}/{page_first.expected} nhiệm vụ đã báo cáo" in first_text
