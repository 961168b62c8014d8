"""The task table's Excel round trip: export, edit, preview the exact cells that change, confirm,
and every way a file can be wrong refused with the row and column named, nothing written."""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from python_calamine import CalamineWorkbook

from tinhuy.audit.models import AuditEvent
from tinhuy.documents.xlsx import GUIDE_SHEET, META_SHEET
from tinhuy.org.access import scope_for
from tinhuy.org.actions import do_add_person
from tinhuy.org.models import Person, Unit
from tinhuy.programs import actions, workbook
from tinhuy.programs.models import BudgetLine, FundingSource, Milestone, Node, NodeKind
from tinhuy.programs.workbook import (
    BUDGET_KEYS,
    COLUMNS,
    TASK_SHEET,
    apply_import,
    preview_import,
    task_table_xlsx,
)

pytestmark = pytest.mark.django_db

COLUMN = {column.key: index for index, column in enumerate(COLUMNS, start=1)}
LOCAL = workbook.budget_key(FundingSource.LOCAL_BUDGET)
ODA = workbook.budget_key(FundingSource.ODA)


def _edit(content: bytes, edit: Any) -> bytes:
    """The file as Excel would save it after ``edit(sheet)``."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    edit(book[TASK_SHEET])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _set(row: int, key: str, value: Any) -> Any:
    def edit(sheet: Any) -> None:
        sheet.cell(row=row, column=COLUMN[key]).value = value

    return edit


def _export(plan: Any) -> bytes:
    return task_table_xlsx(plan.programme)


def _state(plan: Any) -> list[tuple[Any, ...]]:
    """Every node's columns and money, to compare before and after."""
    nodes = Node.objects.filter(programme=plan.programme).order_by("path")
    return [
        (
            *Node.objects.filter(pk=n.pk).values_list(
                "code",
                "title",
                "is_focus",
                "is_key",
                "is_breakthrough",
                "lead_unit",
                "responsible",
                "start_on",
                "due_on",
                "staff",
                "weight",
            )[0],
            sorted(n.budget_lines.values_list("source", "year", "amount")),
        )
        for n in nodes
    ]


def _messages(preview: Any) -> str:
    return "\n".join(error.message for error in preview.errors)


# --- Export ---------------------------------------------------------------------------------


def test_the_export_reopens_with_calamine_and_openpyxl_one_row_per_node(plan: Any) -> None:
    """Ids first, dates as real dates shown dd/mm/yyyy, money in whole đồng, a guide and a
    hidden _meta naming the programme."""
    content = _export(plan)
    calamine = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert calamine.sheet_names == [TASK_SHEET, GUIDE_SHEET, META_SHEET]
    rows = calamine.get_sheet_by_name(TASK_SHEET).to_python()
    assert rows[0][0] == "Mã hệ thống"
    assert [int(r[0]) for r in rows[1:]] == [plan.field.pk, plan.item.pk, plan.task.pk]
    task = rows[3]
    assert task[COLUMN["start_on"] - 1] == datetime.date(2021, 1, 1)
    assert task[COLUMN[LOCAL] - 1] == 2_500_000_000
    assert "30/06/2022: Trình phê duyệt" in task[COLUMN["milestones"] - 1]
    assert task[COLUMN["responsible"] - 1] == "Nguyễn Văn Kế (Sở Kế hoạch và Đầu tư (thử nghiệm))"
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book[TASK_SHEET]
    assert sheet.cell(row=4, column=COLUMN["due_on"]).number_format == "dd/mm/yyyy"
    assert sheet.protection.sheet
    assert sheet.cell(row=4, column=1).protection.locked
    assert not sheet.cell(row=4, column=COLUMN["title"]).protection.locked
    assert book[META_SHEET].sheet_state == "hidden"


def test_a_title_that_looks_like_a_formula_is_written_as_text_and_survives(
    plan: Any, personas: Any
) -> None:
    actions.do_update_node(
        plan.item,
        actions.NodeSpec(NodeKind.ITEM, '=HYPERLINK("http://x")', is_breakthrough=True),
        acting_user=personas.province_office,
    )
    content = _export(plan)
    sheet = openpyxl.load_workbook(io.BytesIO(content))[TASK_SHEET]
    assert sheet.cell(row=3, column=COLUMN["title"]).value.startswith("'=")
    preview = preview_import(plan.programme, content, "t.xlsx", user=personas.province_office)
    assert not preview.errors and preview.changes == []


# --- Round trip -----------------------------------------------------------------------------


def test_export_then_import_unchanged_changes_nothing(plan: Any, personas: Any) -> None:
    office = personas.province_office
    preview = preview_import(plan.programme, _export(plan), "t.xlsx", user=office)
    assert not preview.errors
    assert preview.changes == []
    assert preview.rows == 3


def test_editing_one_cell_changes_that_cell_only(plan: Any, personas: Any) -> None:
    """Export → edit the task's due date → import: a diff of one cell, then only it changes;
    untouched dates and money survive the round trip."""
    office = personas.province_office
    before = _state(plan)
    content = _edit(_export(plan), _set(4, "due_on", datetime.date(2023, 3, 31)))
    preview = preview_import(plan.programme, content, "t.xlsx", user=office)
    assert not preview.errors
    assert [(c.node_id, c.column, c.old, c.new) for c in preview.changes] == [
        (plan.task.pk, "Hạn hoàn thành", "31/12/2022", "31/03/2023")
    ]
    assert _state(plan) == before  # the preview writes nothing
    assert apply_import(plan.programme, preview.token, acting_user=office) == 1
    after = _state(plan)
    assert after[:2] == before[:2]
    changed = list(before[2])
    changed[8] = datetime.date(2023, 3, 31)
    assert after[2] == tuple(changed)
    assert AuditEvent.objects.filter(action="programme.node.update").count() == 1


def test_money_titles_people_and_units_are_edited_through_the_actions(
    plan: Any, personas: Any, agencies: Any
) -> None:
    office = personas.province_office

    def edit(sheet: Any) -> None:
        sheet.cell(row=4, column=COLUMN[LOCAL]).value = 3_000_000_000
        sheet.cell(row=4, column=COLUMN[ODA]).value = "1.500.000"
        sheet.cell(row=4, column=COLUMN["title"]).value = "Lập quy hoạch giao thông"
        sheet.cell(row=4, column=COLUMN["lead_unit"]).value = "sở tài chính (thử nghiệm)"
        sheet.cell(
            row=4, column=COLUMN["responsible"]
        ).value = "Trần Thị Tài (Sở Tài chính (thử nghiệm))"
        sheet.cell(row=3, column=COLUMN["emphasis"]).value = "Trọng tâm, đột phá"
        sheet.cell(row=4, column=COLUMN["staff"]).value = 4
        sheet.cell(row=4, column=COLUMN["weight"]).value = 2.5

    line = BudgetLine.objects.get(node=plan.task)
    line.year = None  # one line for the source: editable in the file
    line.save(update_fields=["year"])
    preview = preview_import(plan.programme, _edit(_export(plan), edit), "t.xlsx", user=office)
    assert not preview.errors, _messages(preview)
    assert {(c.node_id, c.key) for c in preview.changes} == {
        (plan.item.pk, "emphasis"),
        *(
            (plan.task.pk, key)
            for key in ("title", "lead_unit", "responsible", "staff", "weight", LOCAL, ODA)
        ),
    }
    money = next(c for c in preview.changes if c.key == LOCAL)
    assert (money.old, money.new) == ("2.500.000.000 đồng", "3.000.000.000 đồng")
    apply_import(plan.programme, preview.token, acting_user=office)
    task = Node.objects.get(pk=plan.task.pk)
    assert task.title == "Lập quy hoạch giao thông"
    assert task.lead_unit == agencies.finance
    assert task.responsible == agencies.finance_head
    assert (task.staff, task.weight) == (4, Decimal("2.5"))
    assert sorted(task.budget_lines.values_list("source", "amount")) == [
        (FundingSource.LOCAL_BUDGET, Decimal(3_000_000_000)),
        (FundingSource.ODA, Decimal(1_500_000)),
    ]
    item = Node.objects.get(pk=plan.item.pk)
    assert (item.is_focus, item.is_key, item.is_breakthrough) == (True, False, True)
    assert AuditEvent.objects.filter(action="programme.budget.set").count() == 2


def test_a_cleared_money_cell_removes_that_source(plan: Any, personas: Any) -> None:
    office = personas.province_office
    BudgetLine.objects.filter(node=plan.task).update(year=None)
    preview = preview_import(
        plan.programme, _edit(_export(plan), _set(4, LOCAL, None)), "t.xlsx", user=office
    )
    assert [(c.old, c.new) for c in preview.changes] == [("2.500.000.000 đồng", "")]
    apply_import(plan.programme, preview.token, acting_user=office)
    assert not BudgetLine.objects.filter(node=plan.task).exists()


# --- Bad files and bad cells ----------------------------------------------------------------


def _refused(plan: Any, personas: Any, content: bytes) -> str:
    before = _state(plan)
    preview = preview_import(plan.programme, content, "t.xlsx", user=personas.province_office)
    assert preview.errors and not preview.changes and not preview.token
    assert _state(plan) == before
    return _messages(preview)


def test_an_altered_id_is_an_error_naming_row_and_column(plan: Any, personas: Any) -> None:
    message = _refused(plan, personas, _edit(_export(plan), _set(3, "id", 999_999)))
    assert "Dòng 3, cột “Mã hệ thống”: mã hệ thống “999999” không có" in message
    assert "Thiếu dòng" not in message


def test_a_deleted_row_is_an_error_naming_the_node(plan: Any, personas: Any) -> None:
    def delete(sheet: Any) -> None:
        sheet.delete_rows(4)

    message = _refused(plan, personas, _edit(_export(plan), delete))
    assert f"Thiếu dòng của mục “{plan.task}” (mã hệ thống {plan.task.pk})" in message


def test_a_row_added_without_id_is_an_error(plan: Any, personas: Any) -> None:
    def add(sheet: Any) -> None:
        sheet.cell(row=5, column=COLUMN["title"]).value = "Nhiệm vụ mới"

    message = _refused(plan, personas, _edit(_export(plan), add))
    assert "Dòng 5, cột “Mã hệ thống”: dòng không có mã hệ thống" in message


def test_reordered_rows_are_an_error(plan: Any, personas: Any) -> None:
    def swap(sheet: Any) -> None:
        for column in range(1, len(COLUMNS) + 1):
            a, b = sheet.cell(row=3, column=column), sheet.cell(row=4, column=column)
            a.value, b.value = b.value, a.value

    message = _refused(plan, personas, _edit(_export(plan), swap))
    assert "Dòng 3, cột “Mã hệ thống”: thứ tự các dòng đã bị thay đổi" in message


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("due_on", "31/02/2022", "Dòng 4, cột “Hạn hoàn thành”: ngày “31/02/2022” không có thật"),
        ("due_on", "sắp tới", "Dòng 4, cột “Hạn hoàn thành”: “sắp tới” không phải ngày"),
        (
            "due_on",
            datetime.date(2020, 12, 1),
            "Dòng 4, cột “Hạn hoàn thành”: hạn hoàn thành 01/12/2020 trước ngày bắt đầu",
        ),
        (LOCAL, -5, "Dòng 4, cột “Kinh phí: Ngân sách địa phương (đồng)”: Số tiền không được âm"),
        (ODA, 10.5, "Dòng 4, cột “Kinh phí: Vốn ODA, vay ưu đãi (đồng)”: Số tiền tính bằng đồng"),
        (ODA, "nhiều", "không phải là số tiền"),
        (LOCAL, 1, "kinh phí nguồn này chia thành"),  # fixture's line has a year: one line
        ("lead_unit", "Sở Không Có", "Dòng 4, cột “Đơn vị chủ trì”: không tìm thấy đơn vị"),
        ("responsible", "Ai Đó (Sở Tài chính (thử nghiệm))", "không tìm thấy người"),
        ("title", None, "Dòng 4, cột “Tên”: tên không được để trống"),
        ("weight", 0, "trọng số phải lớn hơn 0"),
        ("staff", -1, "Dòng 4, cột “Nhân lực (người)”: không được là số âm"),
        ("emphasis", "quan trọng", "không phải “trọng tâm”"),
    ],
)
def test_a_bad_cell_is_an_error_naming_row_and_column(
    plan: Any, personas: Any, key: str, value: Any, expected: str
) -> None:
    if expected.startswith("kinh phí nguồn"):
        actions.do_add_budget_line(
            plan.task,
            source=FundingSource.LOCAL_BUDGET,
            amount=1,
            year=2022,
            acting_user=personas.province_office,
        )
    message = _refused(plan, personas, _edit(_export(plan), _set(4, key, value)))
    assert expected in message


def test_money_on_a_field_is_an_error(plan: Any, personas: Any) -> None:
    message = _refused(plan, personas, _edit(_export(plan), _set(2, ODA, 1000)))
    assert "Dòng 2, cột “Kinh phí: Vốn ODA, vay ưu đãi (đồng)”: chỉ nhiệm vụ mới có" in message


def test_a_unit_outside_the_uploaders_scope_reads_as_unknown(
    plan: Any, personas: Any, units: Any
) -> None:
    """The Vinh officer cannot see Nghi Lộc: named in a file, it is 'not found', exactly like a
    unit that does not exist (the province office would find it)."""
    programme = plan.programme
    vinh = personas.vinh_officer
    vinh_programme = actions.do_create_programme(
        actions.ProgrammeSpec(title="Chương trình của Vinh", owner_unit=units.vinh),
        acting_user=vinh,
    )
    field = actions.do_add_node(
        vinh_programme, actions.NodeSpec(NodeKind.FIELD, "Đô thị"), acting_user=vinh
    )
    del programme, field
    nghiloc_person = do_add_person(units.nghiloc, full_name="Lê Văn Lộc", acting_user=None)
    content = task_table_xlsx(vinh_programme)
    outside = _edit(content, _set(2, "lead_unit", units.nghiloc.name))
    unknown = _edit(content, _set(2, "lead_unit", "Đảng bộ không có"))
    messages = [
        _messages(preview_import(vinh_programme, data, "t.xlsx", user=vinh))
        for data in (outside, unknown)
    ]
    assert messages[0].replace(units.nghiloc.name, "X") == messages[1].replace(
        "Đảng bộ không có", "X"
    )
    person = _edit(content, _set(2, "responsible", f"Lê Văn Lộc ({units.nghiloc.name})"))
    assert "không tìm thấy người" in _messages(
        preview_import(vinh_programme, person, "t.xlsx", user=vinh)
    )
    assert nghiloc_person.pk


def test_a_file_of_another_programme_is_refused(plan: Any, personas: Any, units: Any) -> None:
    other = actions.do_create_programme(
        actions.ProgrammeSpec(title="Khác", owner_unit=units.province_2020),
        acting_user=personas.province_office,
    )
    preview = preview_import(other, _export(plan), "t.xlsx", user=personas.province_office)
    assert "chương trình khác" in _messages(preview)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"not a zip at all", "không phải .xlsx"),
        (b"PK\x03\x04garbage", "không đọc được như một bảng tính"),
    ],
)
def test_hostile_files_are_refused_cleanly(
    plan: Any, personas: Any, content: bytes, expected: str
) -> None:
    assert expected in _refused(plan, personas, content)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(
    plan: Any, personas: Any, settings: Any
) -> None:
    settings.TINHUY_IMPORT_MAX_UNPACKED_BYTES = 200_000
    original = zipfile.ZipFile(io.BytesIO(_export(plan)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in original.infolist():
            bomb.writestr(item, original.read(item.filename))
        bomb.writestr("xl/padding.bin", b"\0" * 1_000_000)
    assert "giải nén ra" in _refused(plan, personas, out.getvalue())


def test_a_sheet_of_huge_dimensions_is_refused(plan: Any, personas: Any, settings: Any) -> None:
    settings.TINHUY_IMPORT_MAX_ROWS = 1000
    content = _edit(_export(plan), _set(50_000, "title", "xa"))
    assert "dòng dữ liệu" in _refused(plan, personas, content)


def test_nothing_changes_once_the_plan_is_no_longer_editable(plan: Any, personas: Any) -> None:
    office = personas.province_office
    content = _edit(_export(plan), _set(4, "title", "Tên mới"))
    preview = preview_import(plan.programme, content, "t.xlsx", user=office)
    assert preview.token
    type(plan.programme).objects.filter(pk=plan.programme.pk).update(state="submitted")
    with pytest.raises(ValidationError, match="không sửa được nữa"):
        apply_import(plan.programme, preview.token, acting_user=office)
    assert "không sửa được nữa" in _messages(
        preview_import(plan.programme, content, "t.xlsx", user=office)
    )


def test_a_change_made_after_the_preview_refuses_the_confirmation(plan: Any, personas: Any) -> None:
    office = personas.province_office
    preview = preview_import(
        plan.programme, _edit(_export(plan), _set(4, "title", "Tên mới")), "t.xlsx", user=office
    )
    actions.do_update_node(
        plan.task,
        actions.NodeSpec(
            NodeKind.TASK,
            "Tên khác",
            lead_unit=plan.task.lead_unit,
            responsible=plan.task.responsible,
            start_on=plan.task.start_on,
            due_on=plan.task.due_on,
        ),
        acting_user=office,
    )
    with pytest.raises(ValidationError, match="đã được sửa sau khi xem trước"):
        apply_import(plan.programme, preview.token, acting_user=office)
    with pytest.raises(ValidationError, match="không hợp lệ"):
        apply_import(plan.programme, preview.token + "x", acting_user=office)
    assert Node.objects.get(pk=plan.task.pk).title == "Tên khác"


def test_all_or_nothing_when_an_action_refuses_midway(plan: Any, personas: Any) -> None:
    """Two rows change; the second is refused by its action at apply time: the first is rolled
    back too."""
    office = personas.province_office
    BudgetLine.objects.filter(node=plan.task).update(year=None)

    def edit(sheet: Any) -> None:
        sheet.cell(row=2, column=COLUMN["title"]).value = "Kinh tế - xã hội"
        sheet.cell(row=4, column=COLUMN[LOCAL]).value = 7

    preview = preview_import(plan.programme, _edit(_export(plan), edit), "t.xlsx", user=office)
    assert len(preview.changes) == 2
    actions.do_add_budget_line(  # now two lines: do_set_budget refuses
        plan.task, source=FundingSource.LOCAL_BUDGET, amount=0, year=2022, acting_user=office
    )
    with pytest.raises(ValidationError):
        apply_import(plan.programme, preview.token, acting_user=office)
    assert Node.objects.get(pk=plan.field.pk).title == "Kinh tế"
    assert BUDGET_KEYS


# --- Pages ----------------------------------------------------------------------------------


def test_export_page_scope(plan: Any, personas: Any, client_for: Any) -> None:
    url = reverse("programs_export_xlsx", args=[plan.programme.pk])
    response = client_for(personas.province_office).get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content.startswith(b"PK")
    assert client_for(personas.vinh_officer).get(url).status_code == 404
    assert client_for(personas.nghiloc_officer).get(url).status_code == 404
    assert client_for(personas.citizen).get(url).status_code == 302


def test_import_page_previews_then_confirms(plan: Any, personas: Any, client_for: Any) -> None:
    office = client_for(personas.province_office)
    url = reverse("programs_import_xlsx", args=[plan.programme.pk])
    assert office.get(url).status_code == 200
    content = _edit(_export(plan), _set(4, "title", "Tên mới của nhiệm vụ"))
    upload = io.BytesIO(content)
    upload.name = "bang.xlsx"
    response = office.post(url, {"file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tên mới của nhiệm vụ" in page and "Lập quy hoạch mạng lưới giao thông" in page
    assert Node.objects.get(pk=plan.task.pk).title == "Lập quy hoạch mạng lưới giao thông"
    token = response.context["preview"].token
    response = office.post(url, {"token": token})
    assert response.status_code == 302
    assert Node.objects.get(pk=plan.task.pk).title == "Tên mới của nhiệm vụ"


def test_import_page_shows_errors_with_400(plan: Any, personas: Any, client_for: Any) -> None:
    office = client_for(personas.province_office)
    url = reverse("programs_import_xlsx", args=[plan.programme.pk])
    upload = io.BytesIO(_edit(_export(plan), _set(3, "id", 5)))
    upload.name = "bang.xlsx"
    response = office.post(url, {"file": upload})
    assert response.status_code == 400
    assert "Dòng 3, cột “Mã hệ thống”" in response.content.decode()
    bad_token = office.post(url, {"token": "sai"})
    assert bad_token.status_code == 400
    assert "không hợp lệ" in bad_token.content.decode()


def test_import_page_scope(plan: Any, personas: Any, client_for: Any) -> None:
    """404 for who does not see the programme, 403 for who sees it but cannot edit."""
    url = reverse("programs_import_xlsx", args=[plan.programme.pk])
    assert client_for(personas.vinh_officer).get(url).status_code == 404
    assert client_for(personas.nghiloc_officer).get(url).status_code == 404
    assert client_for(personas.board_member).get(url).status_code == 403
    assert client_for(personas.board_member).post(url, {"token": "x"}).status_code == 403


def test_import_page_explains_when_the_plan_is_locked(
    plan: Any, personas: Any, client_for: Any
) -> None:
    type(plan.programme).objects.filter(pk=plan.programme.pk).update(state="submitted")
    url = reverse("programs_import_xlsx", args=[plan.programme.pk])
    response = client_for(personas.province_office).get(url)
    assert "không sửa được nữa" in response.content.decode()


def test_export_and_preview_read_a_fixed_number_of_queries(plan: Any, personas: Any) -> None:
    """No query per row: three more tasks cost the export and an unchanged preview nothing."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    office = personas.province_office

    def counts() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as export:
            content = _export(plan)
        with CaptureQueriesContext(connection) as preview:
            assert not preview_import(plan.programme, content, "t.xlsx", user=office).errors
        return len(export), len(preview)

    before = counts()
    for number in range(3):
        task = actions.do_add_node(
            plan.programme,
            actions.NodeSpec(NodeKind.TASK, f"Nhiệm vụ {number}", staff=number),
            parent=plan.item,
            acting_user=office,
        )
        actions.do_add_milestone(
            task, title="Mốc", due_on=datetime.date(2024, 1, 1), acting_user=office
        )
    assert counts() == before


# --- The batch that writes a confirmed import ------------------------------------------------


def _titles(plan: Any, **titles: str) -> bytes:
    """The exported table with new titles for the rows of ``field``, ``item`` or ``task``."""
    rows = {"field": 2, "item": 3, "task": 4}

    def edit(sheet: Any) -> None:
        for name, title in titles.items():
            sheet.cell(row=rows[name], column=COLUMN["title"]).value = title

    return _edit(_export(plan), edit)


def test_a_confirmed_import_writes_one_audit_event_per_changed_node(
    plan: Any, personas: Any
) -> None:
    """Two cells of the task and one of the item: two events, each with the whole node before
    and after, as do_update_node records one edit."""
    office = personas.province_office
    actions.do_update_node(
        plan.field, actions.NodeSpec(NodeKind.FIELD, "Kinh tế"), acting_user=office
    )
    single = AuditEvent.objects.get(action="programme.node.update")

    def edit(sheet: Any) -> None:
        sheet.cell(row=4, column=COLUMN["title"]).value = "Quy hoạch giao thông"
        sheet.cell(row=4, column=COLUMN["due_on"]).value = datetime.date(2023, 3, 31)
        sheet.cell(row=3, column=COLUMN["title"]).value = "Hạ tầng"

    preview = preview_import(plan.programme, _edit(_export(plan), edit), "t.xlsx", user=office)
    assert len(preview.changes) == 3
    assert apply_import(plan.programme, preview.token, acting_user=office) == 3
    events = list(AuditEvent.objects.filter(action="programme.node.update").exclude(pk=single.pk))
    assert sorted(int(e.target_id) for e in events) == sorted([plan.item.pk, plan.task.pk])
    task_event = next(e for e in events if int(e.target_id) == plan.task.pk)
    assert set(task_event.before) == set(task_event.after) == set(single.after)
    assert (task_event.before["title"], task_event.after["title"]) == (
        "Lập quy hoạch mạng lưới giao thông",
        "Quy hoạch giao thông",
    )
    assert (task_event.before["due_on"], task_event.after["due_on"]) == (
        "2022-12-31",
        "2023-03-31",
    )
    assert task_event.after["lead_unit"] == plan.task.lead_unit_id
    assert task_event.target_repr == f"{plan.task.code} Quy hoạch giao thông"
    assert task_event.actor == office
    assert task_event.unit == plan.programme.owner_unit
    # Written as plain rows, not through ``record``: the owner's province all the same.
    province = plan.programme.owner_unit.province_id
    assert {e.province_id for e in events} == {single.province_id} == {province}


def _spec(node: Node, **values: Any) -> actions.NodeSpec:
    node = Node.objects.get(pk=node.pk)
    spec = actions.NodeSpec(
        kind=node.kind,
        title=node.title,
        code=node.code,
        description=node.description,
        is_focus=node.is_focus,
        is_key=node.is_key,
        is_breakthrough=node.is_breakthrough,
        lead_unit=node.lead_unit,
        coordinating_units=list(node.coordinating_units.all()),
        responsible=node.responsible,
        start_on=node.start_on,
        due_on=node.due_on,
        staff=node.staff,
        weight=node.weight,
    )
    for name, value in values.items():
        if name == "lead_unit":
            value = Unit.objects.get(pk=value)
        elif name == "responsible":
            value = Person.objects.get(pk=value)
        setattr(spec, name, value)
    return spec


@pytest.mark.parametrize(
    ("node", "user", "values"),
    [
        ("task", "province_office", {"due_on": datetime.date(2020, 12, 1)}),
        ("task", "province_office", {"start_on": datetime.date(2020, 1, 1)}),
        ("task", "province_office", {"due_on": datetime.date(2031, 1, 1)}),
        ("task", "province_office", {"due_on": datetime.date(2022, 3, 31)}),  # the milestone
        ("task", "province_office", {"weight": Decimal(0)}),
        ("task", "province_office", {"staff": -1}),
        ("task", "province_office", {"title": "  "}),
        ("field", "vinh_officer", {"lead_unit": "nghiloc"}),  # a new unit Vinh cannot see
        ("field", "vinh_officer", {"responsible": "nghiloc"}),  # a person Vinh cannot see
    ],
)
def test_the_batch_refuses_what_do_update_node_refuses_with_its_message(
    plan: Any, personas: Any, units: Any, node: str, user: str, values: dict[str, Any]
) -> None:
    """The same message, named by the node, and nothing written (the province office's edit
    before it is rolled back too)."""
    if values.get("responsible") == "nghiloc":
        values = {
            "responsible": do_add_person(units.nghiloc, full_name="Lê Lộc", acting_user=None).pk
        }
    if values.get("lead_unit") == "nghiloc":
        values = {"lead_unit": units.nghiloc.pk}
    target, acting = getattr(plan, node), getattr(personas, user)
    with pytest.raises(ValidationError) as single:
        actions.do_update_node(target, _spec(target, **values), acting_user=acting)
    before, events = _state(plan), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as batch:
        actions.do_apply_node_changes(
            plan.programme,
            {plan.item.pk: {"title": "Hạ tầng"}, target.pk: values},
            acting_user=acting,
        )
    assert batch.value.messages == [f"Mục “{target}”: {' '.join(single.value.messages)}"]
    assert _state(plan) == before and AuditEvent.objects.count() == events


def test_a_unit_the_node_already_names_stays_though_its_editor_does_not_see_it(
    plan: Any, personas: Any
) -> None:
    """Vinh's officer renames a task whose lead unit he does not see: the unit is the node's
    already, so the change passes, by the form's action and by the batch alike."""
    task, vinh = plan.task, personas.vinh_officer
    assert task.lead_unit is not None and not scope_for(vinh).can_view(task.lead_unit)
    actions.do_update_node(task, _spec(task, title="Tên mới"), acting_user=vinh)
    actions.do_apply_node_changes(
        plan.programme, {task.pk: {"title": "Tên mới nữa"}}, acting_user=vinh
    )
    task.refresh_from_db()
    assert task.title == "Tên mới nữa" and task.lead_unit is not None


def test_an_import_takes_the_same_queries_for_one_changed_row_or_three(
    plan: Any, personas: Any
) -> None:
    """Preview and confirmation together: no query per changed row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    office = personas.province_office

    def queries(content: bytes) -> int:
        with CaptureQueriesContext(connection) as captured:
            preview = preview_import(plan.programme, content, "t.xlsx", user=office)
            apply_import(plan.programme, preview.token, acting_user=office)
        return len(captured)

    one = queries(_titles(plan, task="Nhiệm vụ một"))
    three = queries(_titles(plan, field="Lĩnh vực hai", item="Nội dung hai", task="Nhiệm vụ hai"))
    assert one == three
    assert Node.objects.get(pk=plan.field.pk).title == "Lĩnh vực hai"


def test_a_row_equal_to_the_export_is_checked_when_its_stored_roadmap_no_longer_fits(
    plan: Any, personas: Any
) -> None:
    """The one-comparison path passes a row only for a node whose stored values pass the
    checks: a milestone moved outside its task's dates by other means is still reported."""
    content = _export(plan)
    Milestone.objects.filter(node=plan.task).update(due_on=datetime.date(2023, 6, 30))
    message = _refused(plan, personas, content)
    assert "Dòng 4, cột “Hạn hoàn thành”: mốc “Trình phê duyệt” (30/06/2023)" in message


def test_blank_rows_and_ids_typed_as_text_are_read_line_by_line(plan: Any, personas: Any) -> None:
    """Rows that are not exactly the nodes' rows (a blank row, an id typed as text) take the
    line-by-line path: same changes, spreadsheet rows numbered as Excel shows them."""

    def edit(sheet: Any) -> None:
        sheet.insert_rows(3)
        sheet.cell(row=5, column=COLUMN["id"]).value = str(plan.task.pk)
        sheet.cell(row=5, column=COLUMN["title"]).value = "Nhiệm vụ đã sửa"

    preview = preview_import(
        plan.programme, _edit(_export(plan), edit), "t.xlsx", user=personas.province_office
    )
    assert not preview.errors
    assert preview.rows == 3
    assert [(c.row, c.node_id, c.key, c.new) for c in preview.changes] == [
        (5, plan.task.pk, "title", "Nhiệm vụ đã sửa")
    ]
