"""The member list of the cells under a unit, from a CSV or .xlsx file (``do_load_members``).

Every row is checked first; then one transaction loads them all, or nothing is written. A cell
code outside the uploader's scope is answered exactly as one that does not exist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from tinhuy.documents.tables import (
    Errors,
    RowError,
    TableRefused,
    capped,
    cell_error,
    read_lines,
    read_table,
    sort_errors,
)
from tinhuy.documents.xlsx import Column, Sheet, template_xlsx
from tinhuy.org.access import scope_for
from tinhuy.org.models import Unit
from tinhuy.study.actions import (
    MembersLoaded,
    MemberSpec,
    ProblemsError,
    check_members,
    do_load_members,
)
from tinhuy.study.imports.common import problem_errors, units_in_scope

if TYPE_CHECKING:
    from tinhuy.org.access import AnyUser

MEMBER_SHEET = "Đảng viên"
CELL_SHEET = "Chi bộ"
# A card number as printed (digits, maybe letters, dots, dashes or slashes between them): "-5",
# "10^30" or "=1+1" are not card numbers.
MEMBER_CODE = re.compile(r"(?=[^\d]*\d)[0-9A-Za-z][0-9A-Za-z./-]*")
MEMBER_COLUMNS = {
    "full_name": "Họ và tên",
    "member_code": "Số thẻ đảng viên",
    "cell_code": "Mã chi bộ",
}
_KEYS = {"cell": "cell_code"}  # MemberSpec field → column


@dataclass(frozen=True)
class MembersImport:
    loaded: MembersLoaded | None
    errors: list[RowError]


def import_members(
    root: Unit, file_bytes: bytes, filename: str, *, acting_user: AnyUser
) -> MembersImport:
    """Load the members of the cells under ``root`` from a CSV or .xlsx file, all or none."""
    try:
        table = read_table(file_bytes, filename, sheet=MEMBER_SHEET)
    except TableRefused as refused:
        return MembersImport(None, capped(refused.errors))
    lines, errors = read_lines(table, MEMBER_COLUMNS)
    if errors:
        return MembersImport(None, capped(errors))
    scope = scope_for(acting_user)
    cells = units_in_scope(scope, root.structure_id, (line.text("cell_code") for line in lines))
    specs = []
    for line in lines:
        full_name, code, cell_code = (
            line.text("full_name"),
            line.text("member_code"),
            line.text("cell_code"),
        )
        cell = cells.get(cell_code)
        row_errors = []
        if not full_name:
            row_errors.append(("full_name", _("chưa có họ và tên.")))
        elif len(full_name) > 150:
            row_errors.append(("full_name", _("họ và tên dài quá 150 ký tự.")))
        if not code:
            row_errors.append(("member_code", _("chưa có số thẻ đảng viên.")))
        elif len(code) > 32:
            row_errors.append(("member_code", _("số thẻ dài quá 32 ký tự.")))
        elif not MEMBER_CODE.fullmatch(code):
            row_errors.append(
                (
                    "member_code",
                    _(
                        "“%(code)s” không phải số thẻ: chỉ gồm chữ số (có thể có chữ cái, dấu "
                        "chấm, gạch ngang, gạch chéo xen giữa), bắt đầu bằng chữ số hoặc chữ cái."
                    )
                    % {"code": code[:40]},
                )
            )
        if not cell_code:
            row_errors.append(("cell_code", _("chưa có mã chi bộ.")))
        elif cell is None:  # absent, or outside the uploader's scope: the same answer
            row_errors.append(
                (
                    "cell_code",
                    _("không có chi bộ mã “%(code)s” trong cơ cấu.") % {"code": cell_code},
                )
            )
        elif not cell.path.startswith(root.path):  # in the uploader's scope: say where it is
            row_errors.append(
                (
                    "cell_code",
                    _("chi bộ “%(code)s” không thuộc %(root)s.")
                    % {"code": cell_code, "root": root.name},
                )
            )
        errors += [cell_error(MEMBER_COLUMNS, line.number, k, m) for k, m in row_errors]
        if cell is not None and not row_errors:
            specs.append(MemberSpec(code, full_name, cell, row=line.number))
    if errors:
        # Nothing will be written: add what only the data can tell, to list every error at once.
        problems = check_members(root.structure, specs, scope=scope)
        errors += problem_errors(problems, MEMBER_COLUMNS, _KEYS)
        return MembersImport(None, _sorted(errors))
    try:
        # The action checks the data itself; its problems come back row by row.
        loaded = do_load_members(root.structure, specs, acting_user=acting_user, source=filename)
    except ProblemsError as exc:
        return MembersImport(None, _sorted(problem_errors(exc.problems, MEMBER_COLUMNS, _KEYS)))
    return MembersImport(loaded, [])


def _sorted(errors: list[RowError]) -> Errors:
    return capped(sort_errors(errors, MEMBER_COLUMNS))


def members_template(root: Unit) -> bytes:
    """The members .xlsx: sheet “Đảng viên” to fill, sheet “Chi bộ” listing the cells under
    ``root`` (a unit the caller sees, so its whole subtree is theirs to see)."""
    cells = (
        Unit.objects.filter(path__startswith=root.path, children__isnull=True)
        .order_by("path")
        .values_list("code", "name", "parent__name")
    )
    return template_xlsx(
        Sheet(
            MEMBER_SHEET,
            [
                Column(MEMBER_COLUMNS["full_name"], 32),
                # Text, so that a member code "012345" keeps its leading zero.
                Column(MEMBER_COLUMNS["member_code"], 20, typed_as_text=True),
                Column(MEMBER_COLUMNS["cell_code"], 20),
            ],
        ),
        others=[
            Sheet(
                CELL_SHEET,
                [
                    Column(_("Mã chi bộ"), 20),
                    Column(_("Tên chi bộ"), 40),
                    Column(_("Trực thuộc"), 50),
                ],
                rows=((code, name, parent or "") for code, name, parent in cells),
            )
        ],
        blank_rows=5000,
    )
