"""Import of an organisation structure's units from a CSV or .xlsx file ("nhập cơ cấu tổ chức").

Three steps, each usable on its own: ``parse_rows`` reads the file into ``Row``s, ``validate``
checks every row against the structure and the rest of the file, ``import_structure`` runs both
and writes through ``do_create_units`` only when there is no error at all: all or nothing.
Every error names the spreadsheet row (header = row 1) and column as the user sees them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tinhuy.documents import tables, xlsx
from tinhuy.documents.csvfile import table_csv
from tinhuy.documents.numbers import format_number
from tinhuy.documents.tables import RowError, TableRefused, capped, size_error
from tinhuy.documents.xlsx import Column, Sheet
from tinhuy.org.actions import UnitSpec, do_create_units
from tinhuy.org.models import Level, Structure, Unit, UnitKind
from tinhuy.search.text import fold

if TYPE_CHECKING:
    from tinhuy.org.actions import AnyUser
    from tinhuy.progress import ProgressCallback

__all__ = [
    "XLSX_CONTENT_TYPE",
    "ImportResult",
    "RowError",
    "import_structure",
    "parse_rows",
    "size_error",
]
XLSX_CONTENT_TYPE = xlsx.XLSX_CONTENT_TYPE

# Field → header, in the order of the template. Headers are matched folded (case, marks, đ/d).
COLUMNS = {
    "code": "Mã",
    "name": "Tên",
    "level": "Cấp",
    "parent_code": "Mã đơn vị cấp trên",
    "kind": "Loại",
    "headcount": "Số đảng viên",  # optional: campaign figures fall back on it
}
REQUIRED = ("code", "name", "level", "parent_code", "kind")
SHEET_NAME = "Đơn vị"
_MAX_CODE, _MAX_NAME = 64, 255  # Unit.code and Unit.name
EXAMPLE_NAME = "Đảng bộ xã Ví Dụ"  # the template's example row, refused if it comes back


@dataclass(frozen=True)
class Row:
    """One data row of the file, cells stripped; ``number`` is the spreadsheet row."""

    number: int
    code: str
    name: str
    level: str
    parent_code: str
    kind: str
    headcount: str = ""  # optional column: blank when the file has none


@dataclass(frozen=True)
class ImportResult:
    """``created``: units written (with ``dry_run``: that would be written); 0 on any error."""

    created: int
    errors: list[RowError]


def import_structure(
    structure: Structure,
    file_bytes: bytes,
    filename: str,
    *,
    acting_user: AnyUser,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Check the whole file, then create all its units in one transaction, or none.
    ``progress(step, 3, what)`` is told as reading, checking and writing begin and end."""
    report = progress or _no_progress
    report(0, 3, _("đọc tệp"))
    rows, errors = parse_rows(file_bytes, filename)
    if errors:
        return ImportResult(0, capped(errors))
    try:
        with transaction.atomic():
            report(1, 3, _("kiểm tra %(n)s dòng") % {"n": format_number(len(rows))})
            specs, errors = validate(structure, rows)
            if errors:
                return ImportResult(0, capped(errors))
            if not dry_run:
                report(2, 3, _("ghi %(n)s đơn vị") % {"n": format_number(len(specs))})
                do_create_units(structure, specs, acting_user=acting_user, source=filename)
            report(3, 3)
    except IntegrityError:
        # Someone added one of these codes between our check and our write.
        message = _("Cơ cấu vừa được người khác thay đổi trong lúc nhập; hãy nhập lại tệp.")
        return ImportResult(0, [RowError(None, None, message)])
    return ImportResult(len(specs), [])


def _no_progress(done: int, total: int, /, note: str = "") -> None:
    """Nobody is watching."""


# Parsing -----------------------------------------------------------------------------------


def parse_rows(file_bytes: bytes, filename: str) -> tuple[list[Row], list[RowError]]:
    """The data rows of a CSV file or of the .xlsx sheet “Đơn vị”, or the errors that stop it
    from being read (``tinhuy.documents.tables``). Every header must be one of ours: a column
    this import does not know would be silently dropped otherwise."""
    try:
        table = tables.read_table(file_bytes, filename, sheet=SHEET_NAME, require_sheet=True)
    except TableRefused as refused:
        return [], refused.errors
    lines, errors = tables.read_lines(table, COLUMNS, REQUIRED, unknown_is_error=True)
    if errors:
        return [], errors
    return [Row(line.number, *(line.text(key) for key in COLUMNS)) for line in lines], []


# Validation --------------------------------------------------------------------------------


def validate(structure: Structure, rows: Sequence[Row]) -> tuple[list[UnitSpec], list[RowError]]:
    """The units to create, or every error found in the rows (then no specs at all)."""
    check = _Checker.load(structure, rows)
    specs = []
    for row in rows:
        check.code(row)
        check.name(row)
        level, kind = check.level(row), check.kind(row)
        parent_level = check.parent(row)
        headcount = check.headcount(row)
        if level is not None and parent_level is not None and level.order <= parent_level.order:
            check.error(
                row,
                "level",
                _("cấp “%(level)s” phải thấp hơn cấp của đơn vị cấp trên “%(parent)s” (%(up)s)."),
                level=level.name,
                parent=row.parent_code,
                up=parent_level.name,
            )
        if level is not None and kind is not None:
            specs.append(
                UnitSpec(
                    row.code,
                    row.name,
                    level.code,
                    kind,
                    row.parent_code or None,
                    headcount=headcount,
                )
            )
    check.cycles()
    if check.errors:
        columns = list(COLUMNS.values())
        check.errors.sort(key=lambda e: (e.row or 0, columns.index(e.column) if e.column else 0))
        return [], check.errors
    return specs, []


@dataclass
class _Checker:
    """What each row is checked against: the structure as stored and the other rows of the file.

    Each check records its errors; those that resolve something return it, or None.
    """

    levels: list[Level]
    level_by_key: dict[str, Level]  # by folded code and folded name
    kinds: dict[str, str]
    existing: dict[str, tuple[str, int]]  # code → (name, level order) of the stored units
    root_name: str | None  # the stored root, if any
    first_row: dict[str, Row]  # code → the row of the file that first uses it
    root_row: Row | None = None  # the file's root row, if any
    errors: list[RowError] = field(default_factory=list)

    @classmethod
    def load(cls, structure: Structure, rows: Sequence[Row]) -> _Checker:
        levels = list(structure.levels.all())
        units = Unit.objects.filter(structure=structure)
        first_row: dict[str, Row] = {}
        for row in rows:
            first_row.setdefault(row.code, row)
        return cls(
            levels=levels,
            level_by_key={fold(k): lv for lv in levels for k in (lv.code, lv.name)},
            kinds=_kinds_by_key(),
            existing={
                code: (name, order)
                for code, name, order in units.values_list("code", "name", "level__order")
            },
            root_name=units.filter(parent=None).values_list("name", flat=True).first(),
            first_row=first_row,
        )

    def error(self, row: Row, key: str, message: str, **values: object) -> None:
        column = COLUMNS[key]
        detail = message % values if values else message
        text = _("Dòng %(row)s, cột “%(column)s”: %(detail)s") % {
            "row": row.number,
            "column": column,
            "detail": detail,
        }
        self.errors.append(RowError(row.number, column, text))

    def code(self, row: Row) -> None:
        if not row.code:
            self.error(row, "code", _("chưa có mã đơn vị."))
        elif len(row.code) > _MAX_CODE:
            self.error(row, "code", _("mã dài quá %(n)s ký tự."), n=_MAX_CODE)
        elif self.first_row[row.code] is not row:
            other = self.first_row[row.code].number
            message = _("mã “%(code)s” đã dùng ở dòng %(other)s của tệp.")
            self.error(row, "code", message, code=row.code, other=other)
        elif row.code in self.existing:
            name = self.existing[row.code][0]
            message = _("mã “%(code)s” đã có trong cơ cấu (%(name)s).")
            self.error(row, "code", message, code=row.code, name=name)

    def name(self, row: Row) -> None:
        if not row.name:
            self.error(row, "name", _("chưa có tên đơn vị."))
        elif len(row.name) > _MAX_NAME:
            self.error(row, "name", _("tên dài quá %(n)s ký tự."), n=_MAX_NAME)
        elif row.name == EXAMPLE_NAME:  # the template uploaded as downloaded
            message = _(
                "đây là dòng ví dụ của tệp mẫu; hãy thay bằng đơn vị thật hoặc xóa dòng này."
            )
            self.error(row, "name", message)

    def level(self, row: Row) -> Level | None:
        level = self.level_by_key.get(fold(row.level))
        if not row.level:
            self.error(row, "level", _("chưa có cấp."))
        elif level is None:
            known = ", ".join(f"“{lv.code}” ({lv.name})" for lv in self.levels)
            message = _("không có cấp “%(level)s” trong cơ cấu; các cấp: %(levels)s.")
            self.error(row, "level", message, level=row.level, levels=known)
        return level

    def kind(self, row: Row) -> str | None:
        kind = self.kinds.get(tables.header_key(row.kind))
        if not row.kind:
            self.error(row, "kind", _("chưa có loại đơn vị."))
        elif kind is None:
            known = ", ".join(label for _value, label in kind_choices())
            message = _("không có loại “%(kind)s”; các loại: %(kinds)s.")
            self.error(row, "kind", message, kind=row.kind, kinds=known)
        return kind

    def headcount(self, row: Row) -> int | None:
        """The unit's Party members: blank (not known) or a whole number from 0."""
        if not row.headcount:
            return None
        number, problem = tables.parse_count(row.headcount)
        if problem is not None:
            self.error(row, "headcount", _("số đảng viên %(problem)s"), problem=problem)
        return number

    def parent(self, row: Row) -> Level | None:
        """The parent's level; the parent is in the file or stored, none only for the root."""
        if not row.parent_code:
            self._root(row)
            return None
        if row.parent_code == row.code:
            return None  # reported as a cycle; a level error as well would only confuse
        if row.parent_code in self.first_row:
            return self.level_by_key.get(fold(self.first_row[row.parent_code].level))
        if row.parent_code in self.existing:
            order = self.existing[row.parent_code][1]
            return next(lv for lv in self.levels if lv.order == order)
        message = _("không có đơn vị mã “%(code)s” trong tệp hay trong cơ cấu.")
        self.error(row, "parent_code", message, code=row.parent_code)
        return None

    def _root(self, row: Row) -> None:
        if self.root_name is not None:
            message = _("cơ cấu đã có đơn vị gốc (%(root)s); hãy ghi mã đơn vị cấp trên.")
            self.error(row, "parent_code", message, root=self.root_name)
        elif self.root_row is not None:
            message = _("dòng %(other)s đã là đơn vị gốc; một cơ cấu chỉ có một đơn vị gốc.")
            self.error(row, "parent_code", message, other=self.root_row.number)
        else:
            self.root_row = row

    def cycles(self) -> None:
        for cycle in _cycles(self.first_row.values()):
            chain = " → ".join(f"“{code}”" for code in [*cycle, cycle[0]])
            message = _("các đơn vị %(chain)s là cấp trên của nhau thành vòng tròn.")
            for code in cycle:
                self.error(self.first_row[code], "parent_code", message, chain=chain)


def _cycles(rows: Iterable[Row]) -> list[list[str]]:
    """Codes of the file whose parents, followed upwards, come back to themselves."""
    parent_of = {row.code: row.parent_code for row in rows if row.code}
    done: set[str] = set()
    cycles = []
    for start in parent_of:
        path: list[str] = []
        code = start
        while code in parent_of and code not in done and code not in path:
            path.append(code)
            code = parent_of[code]
        if code in path:
            cycles.append(path[path.index(code) :])
        done.update(path)
    return cycles


def kind_choices() -> list[tuple[str, str]]:
    """Unit kinds as (value, Vietnamese label): the file format is Vietnamese in any language."""
    return tables.vietnamese_choices(UnitKind.choices)


def _kinds_by_key() -> dict[str, str]:
    """A kind by its value ("commune") or its Vietnamese label ("Xã"), folded."""
    return tables.choices_by_key(kind_choices())


# Templates ---------------------------------------------------------------------------------


def _example_row(structure: Structure) -> list[str]:
    """A plausible row for this structure: a unit at the second level under the root."""
    levels = list(structure.levels.all())
    root = Unit.objects.filter(structure=structure, parent=None).first()
    # Under the root one level down; without a root, the root itself.
    below = 1 if root is not None and len(levels) > 1 else 0
    level = levels[below] if levels else None
    kind = (
        Unit.objects.filter(structure=structure, level=level).values_list("kind", flat=True).first()
        or UnitKind.COMMUNE
    )
    kind_label = dict(kind_choices())[kind]
    parent_code = root.code if root is not None else ""
    code = f"{parent_code}-VD01" if parent_code else "VD01"
    return [code, EXAMPLE_NAME, level.name if level else "", parent_code, kind_label, "120"]


def template_csv(structure: Structure) -> bytes:
    """The CSV template: UTF-8 with BOM so Excel shows Vietnamese letters, header and example."""
    return table_csv(list(COLUMNS.values()), [_example_row(structure)])


def template_xlsx(structure: Structure) -> bytes:
    """The .xlsx template: sheet “Đơn vị” (header and an example) and sheet “Hướng dẫn”."""
    widths = (18, 45, 26, 22, 22, 16)
    columns = [
        Column(header, width, typed_as_text=key == "code")
        for (key, header), width in zip(COLUMNS.items(), widths, strict=True)
    ]
    return xlsx.template_xlsx(
        Sheet(SHEET_NAME, columns, [_example_row(structure)]),
        guide=_guide_lines(structure),
        guide_widths=(24, 90),
        blank_rows=0,
    )


def _guide_lines(structure: Structure) -> list[list[str]]:
    """The “Hướng dẫn” sheet: one-cell lines are headings."""
    levels = [[f"{lv.order}. {lv.code}", lv.name] for lv in structure.levels.all()]
    return [
        [f"Nhập đơn vị vào cơ cấu: {structure.name}"],
        [
            "Cách dùng",
            f"Mỗi dòng của trang “{SHEET_NAME}” là một đơn vị mới; thay dòng ví dụ bằng đơn vị "
            "thật. Mọi dòng được kiểm tra trước; có một lỗi thì không đơn vị nào được nhập.",
        ],
        [],
        ["Các cột"],
        ["Mã", "Mã đơn vị, không trùng trong tệp và trong cơ cấu (ví dụ 412-CS07)."],
        ["Tên", "Tên đầy đủ của đơn vị (ví dụ Đảng bộ phường Hưng Dũng)."],
        ["Cấp", "Mã hoặc tên của một cấp trong cơ cấu (xem dưới), thấp hơn cấp của cấp trên."],
        [
            "Mã đơn vị cấp trên",
            "Mã của đơn vị cấp trên: một đơn vị trong tệp hoặc đã có trong cơ cấu. Để trống chỉ "
            "cho đơn vị gốc, khi cơ cấu chưa có đơn vị gốc.",
        ],
        ["Loại", "Mã hoặc tên của loại đơn vị (xem dưới), ví dụ “commune” hoặc “Xã”."],
        [
            "Số đảng viên",
            "Không bắt buộc. Số đảng viên của đơn vị, số nguyên từ 0; để trống nếu chưa rõ. Là "
            "số người phải học tập của đơn vị khi chưa nạp danh sách đảng viên và chưa có báo cáo.",
        ],
        [],
        ["Các cấp của cơ cấu (thứ tự, mã, tên)"],
        *levels,
        [],
        ["Các loại đơn vị (mã, tên)"],
        *[[value, label] for value, label in kind_choices()],
    ]
