"""A programme's task table in Excel: exported, edited in Excel, imported again.

``task_table_xlsx`` writes one row per node of the tree, in tree order: the system id first
(grey, locked: it says which node a row is), the columns the office may edit (code, title,
emphasis, lead unit, responsible person, dates, staff, weight, money by source in whole đồng),
and the roadmap for reading. Dates are real dates shown dd/mm/yyyy, money whole numbers; every
text goes through ``documents.cells.neutralise``. A guide sheet explains the columns; a hidden
``_meta`` sheet names the programme and the file's version.

``preview_import`` reads the edited file (``documents.tables``: every hostile file is refused
there), checks EVERY row before anything else and answers either the errors — each naming the
row and the column — or the exact cells that change (node, column, old → new), with a signed
token of those changes. ``apply_import`` writes them all through the actions
(``do_update_node``, ``do_set_budget``) in one transaction, or nothing: only while the plan is
editable and only if nothing changed since the preview.

A row whose id was altered or deleted, a row added without an id and rows put in another order
are errors: the file is the tree as exported, not a new tree. A unit or a person the uploader
cannot see is answered exactly as one that does not exist.
"""

from __future__ import annotations

import datetime
import io
import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter

from tinhuy.bulk import CompiledRows, plain_rows
from tinhuy.documents.cells import FORMULA_TRIGGERS, neutralise
from tinhuy.documents.numbers import format_number
from tinhuy.documents.tables import (
    MAX_COUNT,
    ZIP_MAGIC,
    Column,
    Errors,
    Line,
    RowError,
    TableRefused,
    capped,
    cell_error,
    cell_text,
    file_error,
    header_key,
    match_header,
    parse_count,
    parse_date,
    read_lines,
    read_table,
)
from tinhuy.documents.xlsx import DATE_FORMAT, GUIDE_SHEET, INTEGER_FORMAT, META_SHEET
from tinhuy.org.access import Scope, scope_for
from tinhuy.org.models import Person, Unit
from tinhuy.programs import actions
from tinhuy.programs.models import BudgetLine, FundingSource, Milestone, Node, NodeKind, Programme
from tinhuy.programs.queries import dmy
from tinhuy.search.text import fold_text, normalize_text

if TYPE_CHECKING:
    from tinhuy.org.access import AnyUser

# Raise when the columns or _meta change: older files are then refused with a clear message.
TEMPLATE_VERSION = 1
TASK_SHEET = "Nhiệm vụ"
TOKEN_SALT = "tinhuy.programs.workbook"  # noqa: S105 (a signing salt, not a secret)
TOKEN_MAX_AGE = 2 * 60 * 60  # a preview is confirmed within two hours, or uploaded again
WEIGHT_FORMAT = "0.##"

# The file's columns are Vietnamese whatever the reader's language: a file format, not a page.
ID, CODE, KIND, TITLE, EMPHASIS = "id", "code", "kind", "title", "emphasis"
LEAD, RESPONSIBLE, START, DUE, STAFF, WEIGHT = (
    "lead_unit",
    "responsible",
    "start_on",
    "due_on",
    "staff",
    "weight",
)
MILESTONES = "milestones"
BUDGET_PREFIX = "budget_"


def budget_key(source: str) -> str:
    return BUDGET_PREFIX + source


_SOURCE_LABELS = {
    FundingSource.CENTRAL_BUDGET: "Ngân sách trung ương",
    FundingSource.LOCAL_BUDGET: "Ngân sách địa phương",
    FundingSource.ODA: "Vốn ODA, vay ưu đãi",
    FundingSource.PRIVATE: "Vốn doanh nghiệp, xã hội hóa",
    FundingSource.OTHER: "Nguồn khác",
}
_KIND_LABELS = {
    NodeKind.FIELD: "Lĩnh vực",
    NodeKind.ITEM: "Nội dung",
    NodeKind.TASK: "Nhiệm vụ",
}


@dataclass(frozen=True)
class TableColumn:
    key: str
    header: str
    width: float
    kind: str = "text"  # text, int, date, weight, money
    editable: bool = True


COLUMNS: tuple[TableColumn, ...] = (
    TableColumn(ID, "Mã hệ thống", 11, "int", editable=False),
    TableColumn(CODE, "Số hiệu", 9),
    TableColumn(KIND, "Loại", 11, editable=False),
    TableColumn(TITLE, "Tên", 50),
    TableColumn(EMPHASIS, "Trọng tâm, trọng điểm, đột phá", 18),
    TableColumn(LEAD, "Đơn vị chủ trì", 30),
    TableColumn(RESPONSIBLE, "Người phụ trách (đơn vị)", 34),
    TableColumn(START, "Ngày bắt đầu", 13, "date"),
    TableColumn(DUE, "Hạn hoàn thành", 13, "date"),
    TableColumn(STAFF, "Nhân lực (người)", 10, "int"),
    TableColumn(WEIGHT, "Trọng số", 9, "weight"),
    *(
        TableColumn(budget_key(source), f"Kinh phí: {label} (đồng)", 18, "money")
        for source, label in _SOURCE_LABELS.items()
    ),
    TableColumn(MILESTONES, "Mốc tiến độ", 50, editable=False),
)
BUDGET_KEYS = tuple(budget_key(source) for source in _SOURCE_LABELS)
# The columns read back: a change in another column (the kind, the roadmap) changes nothing.
EDITABLE = tuple(column.key for column in COLUMNS if column.editable)
READ_COLUMNS = [Column(column.key, column.header) for column in COLUMNS]
HEADERS = {column.key: column.header for column in COLUMNS}

_EMPHASIS_WORDS = {"trong tam": "is_focus", "trong diem": "is_key", "dot pha": "is_breakthrough"}
_EMPHASIS_LABELS = {"is_focus": "trọng tâm", "is_key": "trọng điểm", "is_breakthrough": "đột phá"}
_SEPARATORS = re.compile(r"\s*[,;/+]\s*")
_IN_BRACKETS = re.compile(r"^(.*?)\s*\((.*)\)\s*$")

_BOLD = Font(bold=True)
_GREY = PatternFill("solid", fgColor="EEEEEE")
_WRAP = Alignment(wrap_text=True, vertical="top")
_UNLOCKED = Protection(locked=False)


# --- What a node shows in each column ----------------------------------------------------------


def unit_text(unit: Unit | None) -> str:
    return unit.name if unit is not None else ""


def person_text(person: Person | None) -> str:
    """ "Nguyễn Văn Kế (Sở Kế hoạch và Đầu tư)": a name is told apart by its unit."""
    if person is None:
        return ""
    return f"{person.full_name} ({person.unit.name})"


def emphasis_text(flags: dict[str, bool]) -> str:
    return ", ".join(label for name, label in _EMPHASIS_LABELS.items() if flags.get(name))


def money_by_source(node: Node) -> dict[str, list[Decimal]]:
    lines: dict[str, list[Decimal]] = {}
    for line in node.budget_lines.all():
        lines.setdefault(line.source, []).append(line.amount)
    return lines


def _load_nodes(programme: Programme, node_ids: set[int] | None = None) -> list[Node]:
    nodes = (
        Node.objects.filter(programme=programme)
        .order_by("path")
        .select_related("lead_unit", "responsible__unit")
        .prefetch_related("milestones", "budget_lines", "coordinating_units")
    )
    if node_ids is not None:
        nodes = nodes.filter(pk__in=node_ids)
    return list(nodes)


def _row(node: Node) -> list[Any]:
    money = money_by_source(node)
    roadmap = "; ".join(f"{dmy(m.due_on)}: {m.title}" for m in node.milestones.all())
    flags = {name: getattr(node, name) for name in _EMPHASIS_LABELS}
    return [
        node.pk,
        node.code,
        _KIND_LABELS.get(NodeKind(node.kind), node.kind),
        node.title,
        emphasis_text(flags),
        unit_text(node.lead_unit),
        person_text(node.responsible),
        node.start_on,
        node.due_on,
        node.staff,
        node.weight,
        *(
            int(sum(money[source])) if source in money else None
            for source in (k.removeprefix(BUDGET_PREFIX) for k in BUDGET_KEYS)
        ),
        roadmap,
    ]


# --- Export -----------------------------------------------------------------------------------


def task_table_xlsx(programme: Programme, *, node_ids: set[int] | None = None) -> bytes:
    """The task table of ``programme`` (only ``node_ids`` when given: a user who sees some
    branches), its guide and its hidden ``_meta``; the file's bytes."""
    nodes = _load_nodes(programme, node_ids)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(TASK_SHEET)
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "E2"
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font, cell.alignment, cell.fill = _BOLD, _WRAP, _GREY
        header.append(cell)
    sheet.append(header)
    for node in nodes:
        sheet.append(
            [_cell(sheet, value, column) for value, column in zip(_row(node), COLUMNS, strict=True)]
        )
    # The id and reading columns are locked (no password: a guard against slips, not a lock);
    # sorting stays off, since rows in another order are refused on import.
    protection = sheet.protection
    protection.sheet = True
    protection.formatColumns = protection.formatRows = False
    protection.autoFilter = False
    if nodes:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(nodes) + 1}"
    guide = workbook.create_sheet(GUIDE_SHEET)
    guide.column_dimensions["A"].width = 34
    guide.column_dimensions["B"].width = 100
    for line in _guide(programme):
        cells: list[Any] = [neutralise(value) for value in line]
        if len(cells) == 1:
            heading = WriteOnlyCell(guide, value=cells[0])
            heading.font = _BOLD
            cells = [heading]
        guide.append(cells)
    meta = workbook.create_sheet(META_SHEET)
    for key, value in (
        ("programme_id", programme.pk),
        ("template_version", TEMPLATE_VERSION),
        ("exported_at", timezone.localtime().strftime("%d/%m/%Y %H:%M")),
    ):
        meta.append([key, value])
    meta.sheet_state = "hidden"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _cell(sheet: Any, value: object, column: TableColumn) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=neutralise(value))
    if column.kind == "date":
        cell.number_format = DATE_FORMAT
    elif column.kind in ("int", "money"):
        cell.number_format = INTEGER_FORMAT if column.kind == "money" else "0"
    elif column.kind == "weight":
        cell.number_format = WEIGHT_FORMAT
    if column.editable:
        cell.protection = _UNLOCKED
    else:
        cell.fill = _GREY
    return cell


def _guide(programme: Programme) -> list[list[str]]:
    sources = ", ".join(_SOURCE_LABELS.values())
    return [
        [f"Bảng nhiệm vụ: {programme.title}"],
        [""],
        ["Cách dùng"],
        [
            "1",
            "Sửa trực tiếp các ô cần sửa trên trang “Nhiệm vụ”, lưu tệp (.xlsx) rồi tải lên ở "
            "trang “Nhập bảng nhiệm vụ” của chương trình.",
        ],
        [
            "2",
            "Hệ thống kiểm tra mọi dòng, rồi cho xem trước đúng những ô thay đổi (mục, cột, giá "
            "trị cũ → mới). Chỉ khi xác nhận, các thay đổi mới được ghi, tất cả hoặc không gì cả.",
        ],
        [
            "3",
            "Không thêm, xóa hay sắp xếp lại dòng, không sửa cột “Mã hệ thống”: thêm hoặc bỏ mục "
            "làm trên trang chương trình, rồi tải bảng mới.",
        ],
        [""],
        ["Các cột"],
        ["Mã hệ thống", "Mã của mục trong hệ thống (ô xám, khóa): không sửa."],
        ["Số hiệu", "Số thứ tự hiển thị của mục, ví dụ 1.2.3."],
        ["Loại", "Lĩnh vực, nội dung hay nhiệm vụ (ô xám): chỉ để đọc."],
        ["Tên", "Tên lĩnh vực, nội dung, nhiệm vụ; không để trống."],
        [
            "Trọng tâm, trọng điểm, đột phá",
            "Ghi các từ “trọng tâm”, “trọng điểm”, “đột phá”, cách nhau bằng dấu phẩy; để trống "
            "nếu không có.",
        ],
        [
            "Đơn vị chủ trì",
            "Tên đơn vị như trong hệ thống. Nếu nhiều đơn vị trùng tên, ghi thêm mã đơn vị "
            "trong ngoặc, ví dụ “Sở Tài chính (STC)”.",
        ],
        [
            "Người phụ trách (đơn vị)",
            "Họ và tên, rồi tên đơn vị của người đó trong ngoặc, ví dụ “Nguyễn Văn A (Sở Tài "
            "chính)”.",
        ],
        ["Ngày bắt đầu, Hạn hoàn thành", "Ngày dạng dd/mm/yyyy; hạn không trước ngày bắt đầu."],
        ["Nhân lực (người)", "Số nguyên không âm; để trống nếu chưa xác định."],
        ["Trọng số", "Số lớn hơn 0, tối đa 2 chữ số thập phân; dùng để tính tiến độ chung."],
        [
            "Kinh phí (đồng)",
            f"Mỗi nguồn một cột ({sources}): số đồng nguyên, không âm. Chỉ nhiệm vụ có kinh phí. "
            "Để trống ô để bỏ kinh phí từ nguồn đó. Nguồn đã chia theo năm sửa trên trang nhiệm "
            "vụ.",
        ],
        ["Mốc tiến độ", "Lộ trình của nhiệm vụ (ô xám): sửa trên trang nhiệm vụ."],
    ]


# --- Import: the preview ----------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One cell that changes: the spreadsheet ``row``, the node, the column, old → new as shown,
    and ``value`` — what is written, as it travels in the token (ids, ISO dates, text)."""

    row: int
    node_id: int
    node: str
    key: str
    column: str
    old: str
    new: str
    value: Any


@dataclass
class Preview:
    changes: list[Change] = field(default_factory=list)
    errors: Errors | list[RowError] = field(default_factory=list)
    rows: int = 0
    token: str = ""


def preview_import(programme: Programme, data: bytes, filename: str, *, user: AnyUser) -> Preview:
    """Every row checked; the errors, or every cell that would change and the token that
    confirms them. Writes nothing."""
    try:
        with transaction.atomic():
            actions.lock_editable(programme)
    except ValidationError as exc:
        return Preview(errors=file_error(exc.messages[0]))
    table, errors = _read(programme, data, filename)
    if errors:
        return Preview(errors=capped(errors))
    positions, errors = match_header(table[0], READ_COLUMNS, (ID, *EDITABLE))
    if errors:
        return Preview(errors=capped(errors))
    check = _Checker.load(programme, scope_for(user))
    count = check.same_rows(table, positions)
    if count is None:  # rows added, removed, moved or blank: every row read as a line
        lines, errors = read_lines(table, READ_COLUMNS, (ID, *EDITABLE))
        if errors:
            return Preview(errors=capped(errors))
        check.structure(lines)
        check.rows()
        count = len(lines)
    if check.errors:
        return Preview(errors=capped(_sorted(check.errors)), rows=count)
    return Preview(
        changes=check.changes,
        rows=count,
        token=make_token(programme, user, check.changes),
    )


def _sorted(errors: Iterable[RowError]) -> list[RowError]:
    order = [column.header for column in COLUMNS]
    return sorted(
        errors,
        key=lambda e: (e.row or 0, order.index(e.column) if e.column in order else len(order)),
    )


def _read(
    programme: Programme, data: bytes, filename: str
) -> tuple[list[list[Any]], list[RowError]]:
    """The task sheet's cells as read (row 0: the header), or why the file is refused."""
    if not data.startswith(ZIP_MAGIC):
        return [], file_error(
            _(
                "Chỉ nhận tệp .xlsx tải từ trang này (tệp “%(name)s” không phải .xlsx); hãy tải "
                "bảng nhiệm vụ, sửa rồi tải lên lại."
            )
            % {"name": filename}
        )
    try:
        meta = _meta(read_table(data, filename, sheet=META_SHEET))
        if "programme_id" not in meta:
            return [], file_error(
                _(
                    "Tệp không phải bảng nhiệm vụ tải từ hệ thống (không có trang tính ẩn "
                    "“%(meta)s”); hãy tải bảng nhiệm vụ của chương trình rồi sửa trên đó."
                )
                % {"meta": META_SHEET}
            )
        if meta["programme_id"] != str(programme.pk):
            return [], file_error(
                _(
                    "Tệp này là bảng nhiệm vụ của một chương trình khác, không phải của “%(p)s”; "
                    "hãy tải bảng nhiệm vụ của chương trình này."
                )
                % {"p": programme.title}
            )
        if meta.get("template_version") != str(TEMPLATE_VERSION):
            return [], file_error(
                _("Tệp theo mẫu cũ; hãy tải bảng nhiệm vụ mới rồi chép các thay đổi sang.")
            )
        table = read_table(data, filename, sheet=TASK_SHEET, require_sheet=True)
    except TableRefused as refused:
        return [], refused.errors
    if not table:
        return [], file_error(_("Tệp trống: không có dòng tiêu đề."))
    return table, []


def _meta(table: list[list[Any]]) -> dict[str, str]:
    return {
        cell_text(cells[0]): cell_text(cells[1]) if len(cells) > 1 else ""
        for cells in table
        if cells and cell_text(cells[0])
    }


@dataclass(slots=True)
class _Row:
    """A node as the import checks a row that differs from the export (built only for such a
    row, from the plain rows the preview reads)."""

    pk: int
    kind: str
    code: str
    title: str
    flags: dict[str, bool]
    lead_unit_id: int | None
    lead: str  # unit_text of the lead unit
    responsible_id: int | None
    person: str  # person_text of the responsible person
    start_on: datetime.date | None
    due_on: datetime.date | None
    staff: int | None
    stored_weight: Any  # as the driver gives it (SQLite: an int or a float): ``weight`` reads it
    money: dict[str, tuple[Decimal, int]] = field(default_factory=dict)  # source → (sum, lines)

    def __str__(self) -> str:
        return f"{self.code} {self.title}".strip()

    @property
    def weight(self) -> Decimal:
        return _decimal(self.stored_weight).quantize(_CENT)

    def exported(self) -> tuple[Any, ...]:
        """The editable cells as the export wrote them and calamine reads them back (numbers
        as floats, an empty cell as ""): a row equal to this changes nothing."""
        money = self.money
        code, title, lead, person = self.code, self.title, self.lead, self.person
        return (
            neutralise(code) if code.startswith(FORMULA_TRIGGERS) else code,
            neutralise(title) if title.startswith(FORMULA_TRIGGERS) else title,
            emphasis_text(self.flags) if any(self.flags.values()) else "",
            neutralise(lead) if lead.startswith(FORMULA_TRIGGERS) else lead,
            neutralise(person) if person.startswith(FORMULA_TRIGGERS) else person,
            self.start_on or "",
            self.due_on or "",
            "" if self.staff is None else self.staff,
            float(self.stored_weight),
            *(int(money[source][0]) if source in money else "" for source in _SOURCES),
        )


_SOURCES = tuple(key.removeprefix(BUDGET_PREFIX) for key in BUDGET_KEYS)
_EDITABLE_CELLS = operator.itemgetter(*EDITABLE)
_SOURCE_INDEX = {source: index for index, source in enumerate(_SOURCES)}
_NO_MONEY = ("",) * len(_SOURCES)
_CENT = Decimal("0.01")
# The emphasis cell as exported, by the node's three flags.
_EMPHASIS_SHOWN = {
    (focus, key, bold): emphasis_text({"is_focus": focus, "is_key": key, "is_breakthrough": bold})
    for focus in (False, True)
    for key in (False, True)
    for bold in (False, True)
}


class _Days(dict[Any, datetime.date]):
    """A date column's value as read (ISO text on SQLite, a date on PostgreSQL) → the date,
    each distinct value made once."""

    def __missing__(self, value: Any) -> datetime.date:
        day = self[value] = (
            value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)
        )
        return day


def _decimal(value: Any) -> Decimal:
    """A decimal column's value from ``plain_rows`` (SQLite gives an int or a float)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


# The preview's reads, compiled once per process (building and compiling them through the ORM
# cost more than SQLite takes to answer them). The nodes come without joins; the few units and
# people they name are read apart, the money summed per node and source as
# read.
_NODE_ROWS = CompiledRows(
    lambda programme_id: (
        Node.objects.filter(programme_id=programme_id)
        .order_by("path")
        # A date column through COALESCE with itself: SQLite then gives the ISO text as
        # stored, not a date made in Python by the driver's converter for each of 4,000
        # values; each distinct day is made once (``_Days``). PostgreSQL gives a date.
        .annotate(start=Coalesce("start_on", "start_on"), due=Coalesce("due_on", "due_on"))
        .values_list(
            "id",
            "kind",
            "code",
            "title",
            "is_focus",
            "is_key",
            "is_breakthrough",
            "lead_unit_id",
            "responsible_id",
            "start",
            "due",
            "staff",
            "weight",
        )
    ),
    arity=1,
)
_MONEY_ROWS = CompiledRows(
    lambda programme_id: (
        BudgetLine.objects.filter(node__programme_id=programme_id)
        .order_by()  # summed per source below: no sort (SQLite's GROUP BY sorts)
        .values_list("node_id", "source", "amount")
    ),
    arity=1,
)
_UNIT_NAMES = CompiledRows(
    lambda programme_id: Unit.objects.filter(
        pk__in=Node.objects.filter(programme_id=programme_id).values("lead_unit_id")
    ).values_list("id", "name"),
    arity=1,
)
_PEOPLE_NAMES = CompiledRows(
    lambda programme_id: Person.objects.filter(
        pk__in=Node.objects.filter(programme_id=programme_id).values("responsible_id")
    ).values_list("id", "full_name", "unit__name"),
    arity=1,
)
# The nodes whose stored values would not pass the import's checks (none, normally): a row of
# theirs is checked whole even when it equals the export.
_UNFIT = CompiledRows(
    lambda programme_id: (
        Node.objects.filter(programme_id=programme_id)
        .filter(
            Q(weight__lte=0)
            | Q(staff__gt=MAX_COUNT)
            | Q(due_on__lt=F("start_on"))
            | Q(start_on__lt=F("programme__period_start"))
            | Q(due_on__gt=F("programme__period_end"))
        )
        .order_by()
        .values_list("id")
        .union(  # a roadmap outside its node's dates
            Milestone.objects.filter(node__programme_id=programme_id)
            .filter(Q(due_on__lt=F("node__start_on")) | Q(due_on__gt=F("node__due_on")))
            .order_by()
            .values_list("node_id")
        )
    ),
    arity=1,
)


@dataclass
class _Checker:
    programme: Programme
    scope: Scope
    nodes: dict[int, tuple[Any, ...]]  # id → its row of _NODE_ROWS, in tree order
    order: list[int]
    units: dict[int, str]  # the lead units' names
    people: dict[int, str]  # the responsible people as shown ("Name (Unit)")
    money: dict[int, dict[str, tuple[Any, int]]]  # node → source → (sum, lines)
    unfit: set[int]  # nodes whose stored values fail the checks (_UNFIT)
    days: _Days = field(default_factory=_Days)
    errors: list[RowError] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    row_of: dict[int, Line] = field(default_factory=dict)
    _units: dict[str, list[Unit]] | None = None
    _people: dict[str, list[tuple[int, str, int, str]]] | None = None
    _roadmaps: dict[int, list[tuple[str, datetime.date]]] | None = None
    # Each distinct text normalised and folded once per import.
    _normal: dict[str, str] = field(default_factory=dict)
    _folded: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, programme: Programme, scope: Scope) -> _Checker:
        """Every node of ``programme`` as plain rows, its money summed per source, the names
        it shows: five reads by the cursor, no object per node."""
        pk = programme.pk
        nodes = {row[0]: row for row in _NODE_ROWS(pk)}
        money: dict[int, dict[str, tuple[Any, int]]] = {}
        for node_id, source, amount in _MONEY_ROWS(pk):
            by_source = money.get(node_id)
            if by_source is None:
                by_source = money[node_id] = {}
            found = by_source.get(source)
            by_source[source] = (amount, 1) if found is None else (found[0] + amount, found[1] + 1)
        return cls(
            programme,
            scope,
            nodes,
            list(nodes),
            dict(_UNIT_NAMES(pk)),
            {person: f"{name} ({unit})" for person, name, unit in _PEOPLE_NAMES(pk)},
            money,
            {node_id for (node_id,) in _UNFIT(pk)},
        )

    def node(self, node_id: int) -> _Row:
        """The node ``node_id`` as a row that differs from the export is checked against."""
        (pk, kind, code, title, focus, key, bold, lead, person, start, due, staff, weight) = (
            self.nodes[node_id]
        )
        return _Row(
            pk,
            kind,
            code,
            title,
            {"is_focus": bool(focus), "is_key": bool(key), "is_breakthrough": bool(bold)},
            lead,
            self.units.get(lead, "") if lead is not None else "",
            person,
            self.people.get(person, "") if person is not None else "",
            None if start is None else self.days[start],
            None if due is None else self.days[due],
            staff,
            weight,
            {
                source: (_decimal(total), lines)
                for source, (total, lines) in self.money.get(pk, {}).items()
            },
        )

    def same_rows(self, table: Sequence[Sequence[Any]], positions: Mapping[str, int]) -> int | None:
        """The rows of ``table`` when they are the nodes' rows, in their order, none added or
        removed (their number): each row that equals what the export wrote for a node whose
        stored values pass the checks costs one tuple comparison, the others are checked.
        None when the rows are not those (``structure`` then says how)."""
        body = table[1:]
        order = self.order
        id_at = positions[ID]
        if len(body) != len(order) or not body:
            return None
        width = max(positions.values()) + 1
        if any(len(cells) < width for cells in body):
            return None
        ids = [cells[id_at] for cells in body]
        # An id is a number Excel holds as a float; a True cell would equal 1.
        if ids != order or any(value.__class__ is bool for value in ids):
            return None
        editable = operator.itemgetter(*(positions[key] for key in EDITABLE))
        nodes, units, people, money, unfit = (
            self.nodes,
            self.units,
            self.people,
            self.money,
            self.unfit,
        )
        shown_flags, index_of, days = _EMPHASIS_SHOWN, _SOURCE_INDEX, self.days
        sums: dict[int, tuple[Any, ...]] = {}
        for node_id, by_source in money.items():
            amounts = list(_NO_MONEY)
            for source, (total, _lines) in by_source.items():
                amounts[index_of[source]] = total
            sums[node_id] = tuple(amounts)
        for number, (cells, row) in enumerate(zip(body, nodes.values(), strict=True), start=2):
            (
                node_id,
                _kind,
                code,
                title,
                focus,
                is_key,
                bold,
                lead,
                person,
                start,
                due,
                staff,
                weight,
            ) = row
            if (
                editable(cells)
                == (
                    code,
                    title,
                    shown_flags[focus, is_key, bold],
                    "" if lead is None else units[lead],
                    "" if person is None else people[person],
                    "" if start is None else days[start],
                    "" if due is None else days[due],
                    "" if staff is None else staff,
                    float(weight),
                    *sums.get(node_id, _NO_MONEY),
                )
                and node_id not in unfit
            ):
                continue
            line = Line(number, {key: cells[at] for key, at in positions.items()})
            self.row_of[node_id] = line
            self.check(line, self.node(node_id))
        return len(body)

    def normalize(self, text: str) -> str:
        """``normalize``, word by word through the search module's cache."""
        found = self._normal.get(text)
        if found is None:
            found = self._normal[text] = normalize_text(text)
        return found

    def fold(self, text: str) -> str:
        """``fold``, word by word through the search module's cache."""
        found = self._folded.get(text)
        if found is None:
            found = self._folded[text] = fold_text(self.normalize(text))
        return found

    def error(self, line: Line | None, key: str | None, detail: str) -> None:
        if line is None or key is None:
            self.errors.append(RowError(line.number if line else None, None, detail))
        else:
            self.errors.append(cell_error(READ_COLUMNS, line.number, key, detail))

    # -- rows: ids, deletions, additions, order -----------------------------------------------

    def structure(self, lines: Sequence[Line]) -> None:
        seen: list[int] = []
        for line in lines:
            text = line.text(ID)
            if not text:
                self.error(
                    line,
                    ID,
                    _(
                        "dòng không có mã hệ thống: không thêm mục bằng tệp được; hãy thêm mục "
                        "trên trang chương trình rồi tải bảng mới."
                    ),
                )
                continue
            number, _problem = parse_count(line.cells.get(ID))
            if number is None or number not in self.nodes:
                self.error(
                    line,
                    ID,
                    _(
                        "mã hệ thống “%(v)s” không có trong chương trình này (mã đã bị sửa?); "
                        "hãy giữ nguyên cột này như tệp tải về."
                    )
                    % {"v": text[:40]},
                )
                continue
            if number in self.row_of:
                self.error(
                    line,
                    ID,
                    _("mã hệ thống %(v)s đã có ở dòng %(r)s; mỗi mục chỉ một dòng.")
                    % {"v": number, "r": self.row_of[number].number},
                )
                continue
            self.row_of[number] = line
            seen.append(number)
        for node_id in self.order:
            if node_id not in self.row_of and not any(e.column == HEADERS[ID] for e in self.errors):
                node = self.node(node_id)
                self.error(
                    None,
                    None,
                    _(
                        "Thiếu dòng của mục “%(n)s” (mã hệ thống %(id)s): không xóa mục bằng tệp "
                        "được; hãy xóa mục trên trang chương trình, hoặc tải bảng mới."
                    )
                    % {"n": str(node), "id": node_id},
                )
        expected = [node_id for node_id in self.order if node_id in self.row_of]
        for found, wanted in zip(seen, expected, strict=False):
            if found != wanted:
                line = self.row_of[found]
                self.error(
                    line,
                    ID,
                    _(
                        "thứ tự các dòng đã bị thay đổi (ở đây là “%(f)s”, đúng ra là “%(w)s”); "
                        "hãy giữ các dòng theo thứ tự như tệp tải về, không sắp xếp lại."
                    )
                    % {"f": str(self.node(found)), "w": str(self.node(wanted))},
                )
                break

    # -- cells --------------------------------------------------------------------------------

    def rows(self) -> None:
        """Every row (read as lines) against its node."""
        for node_id, line in self.row_of.items():
            self.check(line, self.node(node_id))

    def check(self, line: Line, node: _Row) -> None:
        """A row against its node. A cell equal to what the export wrote for a node whose
        stored values pass the checks changes nothing: no parse, no look-up."""
        if node.pk in self.unfit:
            self.row(line, node, set(EDITABLE))
            return
        found, exported = _EDITABLE_CELLS(line.cells), node.exported()
        if found != exported:
            self.row(
                line, node, {k for k, a, b in zip(EDITABLE, found, exported, strict=True) if a != b}
            )

    def row(self, line: Line, node: _Row, keys: set[str]) -> None:
        """The cells ``keys`` of a row checked against its node."""
        new: dict[str, tuple[str, str, Any]] = {}  # key → (old shown, new shown, value)

        def changed(key: str, old: str, shown: str, value: Any) -> None:
            new[key] = (old, shown, value)

        if TITLE in keys:
            self._title(line, node, changed)
        if CODE in keys:
            self._code(line, node, changed)
        if EMPHASIS in keys:
            self._emphasis(line, node, changed)
        if LEAD in keys:
            self._unit(line, node, changed)
        if RESPONSIBLE in keys:
            self._person(line, node, changed)
        if START in keys or DUE in keys:
            start = self._date(line, node, START, changed) if START in keys else node.start_on
            due = self._date(line, node, DUE, changed) if DUE in keys else node.due_on
            self._dates_agree(line, node, start, due)
        if STAFF in keys:
            self._staff(line, node, changed)
        if WEIGHT in keys:
            self._weight(line, node, changed)
        self._money(line, node, changed, [key for key in BUDGET_KEYS if key in keys])
        for key, (old, shown, value) in new.items():
            self.changes.append(
                Change(line.number, node.pk, str(node), key, HEADERS[key], old, shown, value)
            )

    def _title(self, line: Line, node: _Row, changed: Callable[..., None]) -> None:
        title = self.normalize(line.text(TITLE))
        if not title:
            self.error(line, TITLE, _("tên không được để trống."))
        elif len(title) > 500:
            self.error(line, TITLE, _("tên dài quá 500 ký tự."))
        elif title != node.title:
            changed(TITLE, node.title, title, title)

    def _code(self, line: Line, node: _Row, changed: Callable[..., None]) -> None:
        code = self.normalize(line.text(CODE))
        if len(code) > 32:
            self.error(line, CODE, _("số hiệu dài quá 32 ký tự."))
        elif code != node.code:
            if not code:
                self.error(line, CODE, _("số hiệu không được để trống."))
            else:
                changed(CODE, node.code, code, code)

    def _emphasis(self, line: Line, node: _Row, changed: Callable[..., None]) -> None:
        text = line.text(EMPHASIS)
        flags = dict.fromkeys(_EMPHASIS_LABELS, False)
        for word in _SEPARATORS.split(self.fold(text)) if text else []:
            name = _EMPHASIS_WORDS.get(word.strip())
            if name is None:
                self.error(
                    line,
                    EMPHASIS,
                    _("“%(w)s” không phải “trọng tâm”, “trọng điểm” hay “đột phá”.")
                    % {"w": word.strip()[:40]},
                )
                return
            flags[name] = True
        if flags != node.flags:
            changed(EMPHASIS, emphasis_text(node.flags), emphasis_text(flags), flags)

    def _unit(self, line: Line, node: _Row, changed: Callable[..., None]) -> None:
        text = self.normalize(line.text(LEAD))
        if self.fold(text) == self.fold(node.lead):
            return
        if not text:
            changed(LEAD, node.lead, "", None)
            return
        unit, problem = self.find_unit(text)
        if unit is None:
            self.error(line, LEAD, problem)
        elif unit.pk != node.lead_unit_id:
            changed(LEAD, node.lead, unit.name, unit.pk)

    def _person(self, line: Line, node: _Row, changed: Callable[..., None]) -> None:
        text = self.normalize(line.text(RESPONSIBLE))
        if self.fold(text) == self.fold(node.person):
            return
        if not text:
            changed(RESPONSIBLE, node.person, "", None)
            return
        person, problem = self.find_person(text)
        if person is None:
            self.error(line, RESPONSIBLE, problem)
        elif person[0] != node.responsible_id:
            changed(RESPONSIBLE, node.person, person[1], person[0])

    def _date(
        self, line: Line, node: _Row, key: str, changed: Callable[..., None]
    ) -> datetime.date | bool | None:
        """The date now in the row (False when the cell is wrong)."""
        current: datetime.date | None = node.start_on if key == START else node.due_on
        raw = line.cells.get(key)
        if not cell_text(raw):
            if current is not None:
                changed(key, dmy(current), "", None)
            return None
        day, problem = parse_date(raw)
        if day is None:
            self.error(line, key, problem or "")
            return False
        if day != current:
            changed(key, dmy(current), dmy(day), day.isoformat())
        return day

    def _dates_agree(self, line: Line, node: _Row, start: Any, due: Any) -> None:
        if start is False or due is False:
            return
        period = self.programme
        if start and due and due < start:
            self.error(
                line,
                DUE,
                _("hạn hoàn thành %(d)s trước ngày bắt đầu %(s)s.")
                % {"d": dmy(due), "s": dmy(start)},
            )
            return
        if start and period.period_start and start < period.period_start:
            self.error(
                line,
                START,
                _("ngày bắt đầu %(d)s trước thời gian của chương trình (từ %(p)s).")
                % {"d": dmy(start), "p": dmy(period.period_start)},
            )
        if due and period.period_end and due > period.period_end:
            self.error(
                line,
                DUE,
                _("hạn %(d)s sau thời gian của chương trình (đến %(p)s).")
                % {"d": dmy(due), "p": dmy(period.period_end)},
            )
        for title, day in self.roadmap(node.pk):
            if (start and day < start) or (due and day > due):
                self.error(
                    line,
                    START if start and day < start else DUE,
                    _(
                        "mốc “%(m)s” (%(d)s) nằm ngoài thời gian mới của nhiệm vụ; hãy sửa mốc "
                        "trên trang nhiệm vụ trước."
                    )
                    % {"m": title, "d": dmy(day)},
                )
                return

    def _staff(self, line: Line, node: _Row, changed: Callable[..., None]) -> None:
        raw = line.cells.get(STAFF)
        if not cell_text(raw):
            if node.staff is not None:
                changed(STAFF, str(node.staff), "", None)
            return
        number, problem = parse_count(raw)
        if number is None:
            self.error(line, STAFF, problem or "")
        elif number != node.staff:
            changed(STAFF, "" if node.staff is None else str(node.staff), str(number), number)

    def _weight(self, line: Line, node: _Row, changed: Callable[..., None]) -> None:
        raw = line.cells.get(WEIGHT)
        text = cell_text(raw)
        try:
            if isinstance(raw, float):
                weight = Decimal(repr(raw))
            else:
                weight = Decimal(text.replace(",", "."))
        except InvalidOperation:
            self.error(line, WEIGHT, _("“%(v)s” không phải là số.") % {"v": text[:40]})
            return
        if not weight.is_finite() or weight <= 0:
            self.error(line, WEIGHT, _("trọng số phải lớn hơn 0."))
        elif weight != weight.quantize(_CENT) or weight >= 100_000:
            self.error(line, WEIGHT, _("trọng số có tối đa 2 chữ số thập phân, nhỏ hơn 100.000."))
        elif weight != node.weight:
            changed(WEIGHT, _weight_text(node.weight), _weight_text(weight), str(weight))

    def _money(
        self, line: Line, node: _Row, changed: Callable[..., None], keys: Sequence[str]
    ) -> None:
        money = node.money
        for key in keys:
            source = key.removeprefix(BUDGET_PREFIX)
            raw = line.cells.get(key)
            current, lines = money.get(source, (None, 0))
            if not cell_text(raw):
                amount = None
            elif isinstance(raw, float) and current is not None and raw == float(current):
                continue  # a large sum Excel holds as a float: the exported value, unchanged
            else:
                try:
                    # A number Excel stored is a number (10.5 is ten and a half, not 105).
                    typed = Decimal(repr(raw)) if isinstance(raw, float) else raw
                    amount = actions.parse_money(typed, _("Số tiền"))
                except ValidationError as exc:
                    self.error(line, key, exc.messages[0])
                    continue
            if amount == current:
                continue
            if node.kind != NodeKind.TASK:
                self.error(line, key, _("chỉ nhiệm vụ mới có kinh phí; hãy để trống ô này."))
            elif lines > 1:
                self.error(
                    line,
                    key,
                    _(
                        "kinh phí nguồn này chia thành %(n)s dòng theo năm; hãy sửa từng dòng trên "
                        "trang nhiệm vụ."
                    )
                    % {"n": lines},
                )
            else:
                changed(
                    key,
                    _money_text(current),
                    _money_text(amount),
                    None if amount is None else str(amount),
                )

    # -- look-ups in the uploader's scope, each table read once and only when a cell needs it --

    def roadmap(self, node_id: int) -> list[tuple[str, datetime.date]]:
        """A node's milestones in the roadmap's order (read for every node at the first need)."""
        if self._roadmaps is None:
            self._roadmaps = {}
            for owner, title, day in Milestone.objects.filter(
                node__programme=self.programme
            ).values_list("node_id", "title", "due_on"):
                self._roadmaps.setdefault(owner, []).append((title, day))
        return self._roadmaps.get(node_id, [])

    def units_by_name(self) -> dict[str, list[Unit]]:
        if self._units is None:
            today = timezone.localdate()
            self._units = {}
            for unit in self.scope.units().only("id", "name", "code", "path", "valid_to"):
                if unit.valid_to is not None and unit.valid_to < today:
                    continue  # a ceased unit leads nothing new
                self._units.setdefault(header_key(unit.name), []).append(unit)
        return self._units

    def find_unit(self, text: str) -> tuple[Unit | None, str]:
        candidates = self.units_by_name().get(header_key(text), [])
        if not candidates:
            match = _IN_BRACKETS.match(text)
            if match is not None:
                name, code = match.groups()
                candidates = [
                    u
                    for u in self.units_by_name().get(header_key(name), [])
                    if self.fold(u.code) == self.fold(code)
                ]
        if len(candidates) == 1:
            return candidates[0], ""
        if not candidates:
            return None, _("không tìm thấy đơn vị “%(u)s”.") % {"u": text[:120]}
        return None, _(
            "có %(n)s đơn vị tên “%(u)s”; hãy ghi thêm mã đơn vị trong ngoặc, ví dụ “%(u)s "
            "(%(code)s)”."
        ) % {"n": len(candidates), "u": text[:120], "code": candidates[0].code}

    def people_by_name(self) -> dict[str, list[tuple[int, str, int, str]]]:
        """Everyone in the uploader's scope by folded name: (id, name, unit id, unit name)."""
        if self._people is None:
            self._people = {}
            for pk, name, unit_id, unit_name in plain_rows(
                Person.objects.filter(unit__in=self.scope.units()).values_list(
                    "id", "full_name", "unit_id", "unit__name"
                )
            ):
                key = self.fold(name)
                self._people.setdefault(key, []).append((pk, name, unit_id, unit_name))
        return self._people

    def find_person(self, text: str) -> tuple[tuple[int, str] | None, str]:
        """ "Họ tên (Đơn vị)": the person of that name in that unit; a name alone when it is
        the only one in the uploader's scope. (id, as the table shows them), or why not."""
        not_found = _("không tìm thấy người “%(p)s”.") % {"p": text[:120]}
        match = _IN_BRACKETS.match(text)
        name, unit_name = (match.group(1), match.group(2)) if match else (text, "")
        people = self.people_by_name().get(self.fold(name), [])
        if unit_name:
            unit, _problem = self.find_unit(unit_name)
            if unit is None:
                return None, not_found
            candidates = [p for p in people if p[2] == unit.pk]
        else:
            lowered = name.lower()
            candidates = [p for p in people if p[1].lower() == lowered]
        if len(candidates) == 1:
            pk, full_name, _unit_id, unit_title = candidates[0]
            return (pk, f"{full_name} ({unit_title})"), ""
        if not candidates:
            return None, not_found
        example = f"{candidates[0][1]} ({candidates[0][3]})"
        return None, _(
            "có %(n)s người tên “%(p)s”; hãy ghi thêm tên đơn vị trong ngoặc, ví dụ “%(e)s”."
        ) % {"n": len(candidates), "p": name[:120], "e": example}


def _weight_text(weight: Decimal) -> str:
    return format_number(weight)


def _money_text(amount: Decimal | None) -> str:
    return "" if amount is None else f"{format_number(amount)} đồng"


# --- Import: confirm and apply ---------------------------------------------------------------


def make_token(programme: Programme, user: AnyUser, changes: Sequence[Change]) -> str:
    """The changes, signed for this programme and user (what the confirm form carries back)."""
    payload = {
        "p": programme.pk,
        "u": user.pk,
        "c": [[c.node_id, c.key, c.old, c.value] for c in changes],
    }
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


def read_token(programme: Programme, user: AnyUser, token: str) -> list[list[Any]]:
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(
            _("Bản xem trước đã quá hạn; hãy tải tệp lên lại để xem trước rồi xác nhận.")
        ) from None
    except signing.BadSignature:
        raise ValidationError(_("Bản xem trước không hợp lệ; hãy tải tệp lên lại.")) from None
    if payload.get("p") != programme.pk or payload.get("u") != user.pk:
        raise ValidationError(_("Bản xem trước không hợp lệ; hãy tải tệp lên lại."))
    return list(payload["c"])


def apply_import(programme: Programme, token: str, *, acting_user: AnyUser) -> int:
    """Write the confirmed changes, all or none, through ``actions.do_apply_node_changes``; the
    number of cells changed. Refused when the plan is no longer editable or changed since the
    preview."""
    changes = read_token(programme, acting_user, token)
    by_node: dict[int, dict[str, tuple[str, Any]]] = {}
    for node_id, key, old, value in changes:
        by_node.setdefault(node_id, {})[key] = (old, value)
    fields: dict[int, dict[str, Any]] = {}
    money: dict[int, dict[str, Any]] = {}
    for node_id, cells in by_node.items():
        for key, (_old, value) in cells.items():
            if key in BUDGET_KEYS:
                money.setdefault(node_id, {})[key.removeprefix(BUDGET_PREFIX)] = value
            else:
                fields.setdefault(node_id, {}).update(_field_values(key, value))

    def unchanged_since_preview(nodes: Mapping[int, actions.NodeNow]) -> None:
        for node_id, cells in by_node.items():
            node = nodes.get(node_id)
            if node is None or any(
                _shown(node, key) != old for key, (old, _value) in cells.items()
            ):
                raise ValidationError(
                    _(
                        "Kế hoạch đã được sửa sau khi xem trước; hãy tải bảng nhiệm vụ mới, sửa "
                        "lại rồi nhập."
                    )
                )

    actions.do_apply_node_changes(
        programme, fields, money=money, acting_user=acting_user, check=unchanged_since_preview
    )
    return len(changes)


def _field_values(key: str, value: Any) -> dict[str, Any]:
    """A cell's value as the token carries it → the node's fields it sets."""
    if key == EMPHASIS:
        return {name: bool(on) for name, on in value.items()}
    if key in (START, DUE):
        return {key: datetime.date.fromisoformat(value) if value else None}
    if key == WEIGHT:
        return {key: Decimal(value)}
    return {key: value}  # code, title, staff; the lead unit and the person by id


def _shown(node: actions.NodeNow, key: str) -> str:
    """What the preview showed as the cell's old value, read from the node now."""
    values = node.values
    if key in (TITLE, CODE):
        return str(values[key])
    if key == EMPHASIS:
        return emphasis_text({name: values[name] for name in _EMPHASIS_LABELS})
    if key == LEAD:
        return node.lead_unit_name if values[LEAD] is not None else ""
    if key == RESPONSIBLE:
        if values[RESPONSIBLE] is None:
            return ""
        return f"{node.responsible_name} ({node.responsible_unit_name})"
    if key in (START, DUE):
        return dmy(values[key])
    if key == STAFF:
        return "" if values[STAFF] is None else str(values[STAFF])
    if key == WEIGHT:
        return _weight_text(values[WEIGHT])
    lines = node.money.get(key.removeprefix(BUDGET_PREFIX))
    return _money_text(sum((amount for _id, amount in lines), Decimal(0)) if lines else None)
