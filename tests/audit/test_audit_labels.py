"""The audit log speaks Vietnamese: every action and field named, values readable, names only in
scope, and filters that say what is wrong with them.

Who sees what: only the province office (``vanphong``) reads the log page; the officer of TP
Vinh's scope is used below to show that names of units out of a viewer's scope never appear.
"""

from __future__ import annotations

import ast
import datetime
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse

import tinhuy
from tinhuy.audit.forms import AuditFilterForm
from tinhuy.audit.labels import ACTION_LABELS, FIELD_ALIASES, ID_KEYS, NAME_FIELDS
from tinhuy.audit.models import AuditEvent
from tinhuy.audit.presenting import UNSEEN, describe, key_label
from tinhuy.org.access import scope_for
from tinhuy.org.actions import (
    do_add_person,
    do_grant_membership,
    do_rename_unit,
    do_set_unit_validity,
)
from tinhuy.org.models import Role, Structure

SOURCE = Path(tinhuy.__file__).parent


def _constants(node: ast.AST) -> list[str]:  # the string constants inside an expression
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]  # fmt: skip


def _from_parameter(arg: ast.JoinedStr, function: ast.AST, tree: ast.Module) -> list[str] | None:
    """``f"programme.{change}"`` where ``change`` is a parameter of the enclosing function:
    the codes are the constants every call of that function in the module passes for it."""
    parts = arg.values
    if not isinstance(function, ast.FunctionDef) or len(parts) not in (2, 3):
        return None
    prefix: ast.AST = parts[0]
    value: ast.AST = parts[1]
    suffix: ast.AST = parts[2] if len(parts) == 3 else ast.Constant("")
    if not (
        isinstance(prefix, ast.Constant)
        and isinstance(suffix, ast.Constant)
        and isinstance(value, ast.FormattedValue)
        and isinstance(value.value, ast.Name)
    ):
        return None
    names = [a.arg for a in function.args.args]
    if value.value.id not in names:
        return None
    index = names.index(value.value.id)
    codes = []
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and getattr(call.func, "id", "") == function.name:
            given = [k.value for k in call.keywords if k.arg == value.value.id]
            given += call.args[index : index + 1]
            if not given or not isinstance(given[0], ast.Constant):
                return None  # a call passes something the scan cannot read
            codes.append(f"{prefix.value!s}{given[0].value!s}{suffix.value!s}")
    return codes or None


def recorded_actions() -> tuple[dict[str, str], list[str]]:
    """Every action code the source writes (``record("…")`` and ``AuditEvent(action="…")``),
    with where; and the calls whose code this reading cannot work out."""
    module_constants: dict[str, list[str]] = {}  # NAME = "…" at module level, by NAME
    trees = {}
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        trees[path] = tree
        for statement in tree.body:
            if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant):
                for target in statement.targets:
                    if isinstance(target, ast.Name):
                        module_constants.setdefault(target.id, []).append(
                            str(statement.value.value)
                        )
    found: dict[str, str] = {}
    unread: list[str] = []
    for path, tree in trees.items():
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            local: dict[str, list[str]] = {}
            for assign in ast.walk(function):
                if isinstance(assign, ast.Assign):
                    for target in assign.targets:
                        if isinstance(target, ast.Name):
                            local.setdefault(target.id, []).extend(_constants(assign.value))
            for node in ast.walk(function):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                where = f"{path.relative_to(SOURCE.parent)}:{node.lineno}"
                codes: list[str] | None = []
                if name == "record" and node.args:
                    arg = node.args[0]
                    if isinstance(arg, ast.Constant | ast.IfExp):
                        codes = _constants(arg)
                    elif isinstance(arg, ast.JoinedStr):
                        codes = _from_parameter(arg, function, tree)
                    elif isinstance(arg, ast.Name):
                        codes = local.get(arg.id) or module_constants.get(arg.id)
                    elif isinstance(arg, ast.Attribute):
                        codes = module_constants.get(arg.attr)
                    else:
                        codes = None
                elif name == "AuditEvent":
                    codes = [
                        str(k.value.value)
                        for k in node.keywords
                        if k.arg == "action" and isinstance(k.value, ast.Constant)
                    ]
                if codes is None:
                    unread.append(where)
                for code in codes or []:
                    found.setdefault(code, where)
    return found, unread


def test_every_action_the_source_records_has_a_vietnamese_label() -> None:
    """Add the label to ``tinhuy/audit/labels.py`` when you add a ``record("…")``."""
    found, unread = recorded_actions()
    assert len(found) > 80  # the reading works: it finds the actions of every app
    assert {"unit.create", "plan.amend_rule", "study.reminders_sent"} <= set(found)
    missing = {code: where for code, where in found.items() if code not in ACTION_LABELS}
    assert not missing, f"actions without a label in tinhuy/audit/labels.py: {missing}"
    assert not unread, f"record() calls whose action code cannot be read: {unread}"


def test_the_scan_reads_codes_passed_through_a_helper() -> None:
    """``_record(change="node.move")`` calling ``record(f"programme.{change}")``."""
    tree = ast.parse(
        'def _record(change, x):\n    record(f"programme.{change}", x)\n'
        'def a():\n    _record("node.move", 1)\n'
        'def b():\n    _record(change="node.copy", x=1)\n'
    )
    function = tree.body[0]
    call = next(n for n in ast.walk(function) if isinstance(n, ast.Call))
    assert isinstance(call.args[0], ast.JoinedStr)
    codes = _from_parameter(call.args[0], function, tree)
    assert codes == ["programme.node.move", "programme.node.copy"]
    assert "programme.node.copy" not in ACTION_LABELS  # such a code would fail the test above


def test_every_alias_and_name_field_is_a_real_field() -> None:
    for key, spec in FIELD_ALIASES.items():
        model_label, _dot, name = spec.rpartition(".")
        apps.get_model(model_label)._meta.get_field(name)  # raises if the registry is wrong
        if ":" in key:
            assert key.split(":", 1)[0] in ACTION_LABELS, key
    for model_label, names in NAME_FIELDS.items():
        for name in (names,) if isinstance(names, str) else names:
            apps.get_model(model_label)._meta.get_field(name)
    for model_label in ID_KEYS.values():
        assert model_label in NAME_FIELDS, model_label


def test_every_action_and_field_the_demo_records_has_a_label(db) -> None:  # type: ignore[no-untyped-def]
    """The demo writes events of most kinds (some in bulk, as plain rows the source scan above
    cannot read); each action and each key is named in Vietnamese."""
    actions = set(AuditEvent.objects.values_list("action", flat=True).distinct())
    assert len(actions) > 30 and not actions - set(ACTION_LABELS)
    unnamed = set()
    for action, target_type, before, after in AuditEvent.objects.values_list(
        "action", "target_type", "before", "after"
    ):
        for data in (before, after):
            for key in data or {}:
                label = key_label(action, target_type, key)
                if label is None or label == key.replace("_", " "):
                    unnamed.add((action, key))
    assert not unnamed


def page(client, **params: str) -> str:  # type: ignore[no-untyped-def]
    return client.get(reverse("audit_log"), params).content.decode()


def test_the_page_shows_labels_and_readable_values(client_for, personas, units) -> None:
    """No code names, no dict dumps, no ids: labels, before → after, dates, yes/no, names."""
    do_rename_unit(units.vinh_cell, name="Chi bộ khối 9 (thử)", acting_user=personas.vinh_officer)
    do_set_unit_validity(
        units.vinh_cell,
        valid_from=datetime.date(2020, 1, 5),
        valid_to=None,
        acting_user=personas.vinh_officer,
    )
    do_add_person(units.vinh_cell, full_name="Hồ Thị Mai", acting_user=personas.vinh_officer)
    html = page(client_for(personas.province_office), person="vinh")
    html = html.split('id="audit-events"')[1]  # the events, not the filters' options
    assert "Đổi tên đơn vị" in html and "unit.rename" not in html
    assert "Thêm người" in html and "Ghi thời gian hiệu lực của đơn vị" in html
    assert "Tên:</dt>" in html
    assert ">Chi bộ số 01 (minh họa)</del> → <ins" in html
    assert ">Chi bộ khối 9 (thử)</ins>" in html
    assert "05/01/2020" in html and "2020-01-05" not in html
    assert "Dữ liệu minh họa:</dt>" in html and "không" in html
    assert "Đơn vị:</dt>" in html
    assert f"{{'unit': {units.vinh_cell.pk}" not in html and "{&#x27;" not in html
    assert "org.Person" not in html and f"#{units.vinh_cell.pk}" not in html


def test_ids_of_units_out_of_the_viewer_scope_are_never_named(personas, units) -> None:
    """The officer of TP Vinh reads a person added in Nghi Lộc as an unknown unit: the same
    words as for a unit that does not exist."""
    do_add_person(units.nghiloc_cell, full_name="Lê Văn Cường", acting_user=personas.nghiloc_officer)  # fmt: skip
    do_add_person(units.vinh_cell, full_name="Trần Thị Bích", acting_user=personas.vinh_officer)
    events = AuditEvent.objects.filter(action="person.create").order_by("-id")[:2]
    rows = describe(events, scope_for(personas.vinh_officer))
    text = " ".join(f"{c.label} {c.before} {c.after}" for r in rows for c in r.changes)
    assert units.nghiloc_cell.name not in text and UNSEEN in text
    assert units.vinh_cell.name in text
    everything = describe(events, scope_for(personas.province_office))
    assert units.nghiloc_cell.name in " ".join(str(c.after) for r in everything for c in r.changes)


def test_years_ids_without_names_and_revised_figures_read_plainly(personas) -> None:
    """A year is 2025, not 2.025; a revised figure reads "trước: 346.000; sau: 347.000" with no
    internal id; a period is its dates."""
    event = AuditEvent(
        action="gazetteer.observations.save",
        target_type="gazetteer.Observation",
        after={"added": 1200, "revised": [{"id": 33, "before": "346000.0000", "after": "347000"}]},
    )
    published = AuditEvent(
        action="gazetteer.edition.publish", target_type="gazetteer.Edition", after={"year": 2025}
    )
    rows = describe([event, published], scope_for(personas.province_office))
    changes = {c.label: c.after for r in rows for c in r.changes}
    assert changes["Số mới thêm"] == "1.200"
    assert changes["Số liệu điều chỉnh"] == "trước: 346.000; sau: 347.000"
    assert changes["Năm"] == "2025"


def test_a_membership_names_the_account_and_the_role(client_for, personas, units) -> None:
    do_grant_membership(
        personas.board_member, units.vinh, Role.UNIT_HEAD, acting_user=personas.province_office
    )
    html = page(client_for(personas.province_office), action="membership.grant")
    assert "Cấp quyền cho tài khoản tại đơn vị" in html
    assert "Bí thư / Thủ trưởng đơn vị" in html and "unit_head" not in html
    assert units.vinh.name in html and "btv" in html


def test_a_unit_is_picked_by_its_name_or_code(client_for, personas, units) -> None:
    do_add_person(units.vinh_cell, full_name="Trần Thị Bích", acting_user=personas.vinh_officer)
    do_add_person(units.nghiloc_cell, full_name="Lê Văn Cường", acting_user=personas.nghiloc_officer)  # fmt: skip
    client = client_for(personas.province_office)
    for typed in (units.vinh.name, "đảng bộ thành phố vinh", "dang bo thanh pho Vinh", "412"):
        html = page(client, unit=typed, action="person.create")
        assert "Trần Thị Bích" in html and "Lê Văn Cường" not in html, typed
    # The city's Party committee and its People's Committee (another structure) both end so:
    html = page(client, unit="Thành phố Vinh", action="person.create")
    assert "khớp với nhiều đơn vị" in html and "Ủy ban nhân dân thành phố Vinh" in html
    assert "Trần Thị Bích" not in html
    html = page(
        client,
        unit="Thành phố Vinh",
        structure=str(units.structure_2020.pk),
        action="person.create",
    )
    assert "Trần Thị Bích" in html and "Lê Văn Cường" not in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"date_from": "31/02/2021"}, "Ghi ngày theo dạng dd/mm/yyyy"),
        ({"date_from": "2021-01-05"}, "Ghi ngày theo dạng dd/mm/yyyy"),
        ({"date_from": "05/01/2021", "date_to": "01/01/2021"}, "Ngày bắt đầu phải trước"),
        ({"action": "khong.co"}, "Không có hành động “khong.co” trong nhật ký"),
        ({"unit": "Huyện Không Có"}, "Không có đơn vị nào có tên hoặc mã “Huyện Không Có”"),
        ({"unit": "Vinh"}, "khớp với nhiều đơn vị"),
        ({"structure": "999999"}, "Không có cơ cấu tổ chức này"),
    ],
)
def test_a_bad_filter_value_is_named_and_nothing_is_listed(
    client_for, personas, params: dict[str, str], message: str
) -> None:
    response = client_for(personas.province_office).get(reverse("audit_log"), params)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="audit-filter-errors"' in html and message in html
    assert response.context["page"] is None  # no unfiltered list under a filter not applied


def test_a_unit_out_of_scope_is_answered_like_an_absent_one(personas, units) -> None:
    """(The page is the province office's; the form itself follows whatever scope it is given.)"""
    scope = scope_for(personas.vinh_officer)

    def errors(text: str) -> str:
        form = AuditFilterForm({"unit": text}, scope=scope, structures=Structure.objects.all())
        assert not form.is_valid()
        return str(form.errors["unit"][0]).replace(text, "…")

    assert errors(units.nghiloc.name) == errors("Đơn vị không hề có")
    form = AuditFilterForm({"unit": units.vinh.name}, scope=scope, structures=Structure.objects.all())  # fmt: skip
    assert form.is_valid() and form.cleaned_data["unit"] == units.vinh
