"""The programme and a cycle's progress report as Party documents (.docx), read back with
python-docx: the header of the issuing body, the number (blank before issuing, the register's
after), the tree with owners, dates, money and roadmap, the budget by source, the roll-up."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.urls import reverse
from docx import Document

from tests.programs.test_lifecycle import _approve
from tinhuy.programs import actions
from tinhuy.programs.models import Frequency, NodeStatus
from tinhuy.programs.reports import cycle_report_docx, programme_docx

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
