"""A study plan is issued only through the register: its number is the register's next "KH"
number of its issuing unit's body (or a manual number with a reason), linked both ways, and
its exports and the reports that cite it print that number."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from docx import Document

from tinhuy.audit.models import AuditEvent
from tinhuy.org.access import scope_for
from tinhuy.register.models import RegisterEntry
from tinhuy.register.queries import entry_for_target
from tinhuy.study import queries, reports
from tinhuy.study.actions import RuleSpec, do_create_plan, do_issue_plan
from tinhuy.study.models import Plan, PlanState

D = datetime.date


def draft(units, personas, issuing_unit=None) -> Plan:  # type: ignore[no-untyped-def]
    return do_create_plan(
        structure=units.structure_2020,
        title="Kế hoạch học tập Nghị quyết thử nghiệm",
        source_document="Nghị quyết thử nghiệm",
        topics=["Chuyên đề thử nghiệm"],
        rules=[RuleSpec("huyen", "Cán bộ cốt cán", 2, D(2021, 2, 1), D(2021, 3, 1))],
        issuing_unit=issuing_unit or units.province_2020,
        acting_user=personas.province_office,
    )


def test_the_demo_plan_carries_its_register_number(plan_2020, tu) -> None:
    entry = entry_for_target(plan_2020)
    assert entry is not None and entry.body == tu
    assert plan_2020.number == entry.symbol == "01-KH/TU"
    assert entry.issued_on == plan_2020.issued_on == D(2020, 11, 3)


def test_a_plan_takes_the_next_kh_number(units, personas, tu) -> None:
    plan = do_issue_plan(
        draft(units, personas),
        issued_on=D(2021, 1, 20),
        signer_name="Người ký thử nghiệm",
        acting_user=personas.province_office,
    )
    assert (plan.state, plan.number) == (PlanState.ISSUED, "02-KH/TU")
    entry = RegisterEntry.objects.get(body=tu, doc_type="KH", number=2)
    assert entry.target == plan and entry.summary == plan.title
    assert (entry.authority, entry.signer_position) == ("T/M BAN THƯỜNG VỤ", "BÍ THƯ")
    actions = AuditEvent.objects.filter(action__in=["register.issue", "plan.issue"])
    assert set(actions.values_list("action", flat=True)) == {"register.issue", "plan.issue"}
    assert actions.get(action="plan.issue", target_id=str(plan.pk)).after["number"] == "02-KH/TU"


def test_a_manual_number_needs_a_reason_and_a_taken_one_is_refused(units, personas) -> None:
    plan = draft(units, personas)
    with pytest.raises(ValidationError, match="không phải số kế tiếp"):
        do_issue_plan(plan, issued_on=D(2021, 1, 20), signer_name="X", number=40, acting_user=None)
    with pytest.raises(ValidationError, match="Số 01-KH/TU đã cấp ngày 03/11/2020"):
        do_issue_plan(
            plan, issued_on=D(2021, 1, 20), signer_name="X", number=1, reason="x", acting_user=None
        )
    plan.refresh_from_db()
    assert (plan.state, plan.number) == (PlanState.DRAFT, "")
    issued = do_issue_plan(
        plan,
        issued_on=D(2021, 1, 20),
        signer_name="X",
        number=40,
        reason="Số đã giữ theo sổ giấy",
        acting_user=None,
    )
    assert issued.number == "40-KH/TU"


def test_an_issued_plan_is_not_issued_twice(plan_2020) -> None:
    with pytest.raises(ValidationError, match="đang là dự thảo"):
        do_issue_plan(plan_2020, issued_on=D(2021, 1, 20), signer_name="X", acting_user=None)


def test_a_unit_without_a_register_cannot_issue(units, personas) -> None:
    plan = draft(units, personas, issuing_unit=units.nghiloc)
    with pytest.raises(ValidationError, match="chưa có sổ đăng ký văn bản đi"):
        do_issue_plan(plan, issued_on=D(2021, 1, 20), signer_name="X", acting_user=None)
    assert not RegisterEntry.objects.filter(object_id=plan.pk, content_type__model="plan").exists()


def test_a_date_outside_the_register_periods_leaves_the_plan_a_draft(units, personas) -> None:
    plan = draft(units, personas)
    with pytest.raises(ValidationError, match="Ngày 06/05/2014"):
        do_issue_plan(plan, issued_on=D(2014, 5, 6), signer_name="X", acting_user=None)
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT


def test_the_progress_report_cites_the_register_number(personas, plan_2020) -> None:
    scope = scope_for(personas.province_office)
    progress = queries.plan_progress(plan_2020, plan_2020.issuing_unit, scope, D(2021, 1, 15))
    with translation.override("vi"):
        document = Document(io.BytesIO(reports.report_document(progress)))
    assert any("Kế hoạch số 01-KH/TU ngày 03/11/2020" in p.text for p in document.paragraphs)
