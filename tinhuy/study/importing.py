"""Files units fill in: the conference report (.xlsx template), member lists and attendance.

**Reports.** ``report_template`` writes an .xlsx pre-filled with one row per conference the
chosen unit's subtree must host (each unit at a level the plan has a rule for), and a hidden
sheet ``_meta`` naming the plan and the template version. ``import_reports`` reads the filled
file back: every row is validated first, then one transaction registers (``do_register_
conference``) and reports (``do_report_conference``) every filled row, or nothing is written.

**Members and attendance** (CSV or .xlsx): ``import_members`` loads the members of the cells of a
unit (``do_load_members``); ``import_attendance`` records who attended a conference
(``do_record_attendance``). Same rule: every row first, then all or nothing.

Every error names the spreadsheet row (header = row 1) and column as the user sees them. The
byte-level reading (size limit, UTF-8 CSV, cell text) is the structure import's
(``tinhuy.org.importing``); its header matching is tied to its own columns, so the header and row
helpers here take the columns as an argument.
"""

from __future__ import annotations

import datetime
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tinhuy.org.access import Scope, scope_for

# The structure import's byte-level helpers; private there, shared here on purpose so both
# imports read files (and refuse them) the same way.
from tinhuy.org.importing import (
    _OLE_MAGIC,
    _ZIP_MAGIC,
    XLSX_CONTENT_TYPE,
    RowError,
    _cell_text,
    _not_a_table,
    _read_csv,
    size_error,
)
from tinhuy.org.models import Unit
from tinhuy.search.text import fold
from tinhuy.study.actions import (
    AttendanceSpec,
    ConferenceSpec,
    MembersLoaded,
    MemberSpec,
    Problem,
    ProblemsError,
    ReportSpec,
    SegmentSpec,
    check_attendance,
    check_members,
    do_load_members,
    do_record_attendance,
    do_register_conference,
    do_report_conference,
)
from tinhuy.study.models import (
    AttendanceStatus,
    Conference,
    ConferenceMode,
    ContentKind,
    LevelRule,
    Member,
    Plan,
    PlanState,
    PresenterRole,
)

if TYPE_CHECKING:
    from tinhuy.org.access import AnyUser

__all__ = ["XLSX_CONTENT_TYPE", "RowError"]

# Raise when the report template's columns or _meta change; older files are then refused.
TEMPLATE_VERSION = 2  # 2: the topics and their presenter
REPORT_SHEET = "Báo cáo"
META_SHEET = "_meta"
GUIDE_SHEET = "Hướng dẫn"
DATE_FORMAT = "%d/%m/%Y"
_BATCH = 900  # codes per lookup query (SQLite's parameter limit)

# Field → header, in the template's order. Headers are matched folded (case, marks, đ/d).
REPORT_COLUMNS = {
    "code": "Mã đơn vị",
    "name": "Tên đơn vị",
    "level": "Cấp",
    "deadline": "Hạn hoàn thành",
    "status": "Tình trạng",
    "date": "Ngày tổ chức",
    "length": "Thời lượng (buổi)",
    "mode": "Hình thức",
    "venue": "Địa điểm",
    "expected": "Số người phải dự",
    "attended": "Số người dự",
    "made_up": "Số người học bù",
    "reflections": "Số bài thu hoạch",
    "presenter": "Người trình bày kế hoạch của đơn vị",
    "presenter_role": "Chức danh người trình bày",
    "topics": "Chuyên đề đã quán triệt",
    "topic_presenter": "Báo cáo viên chuyên đề",
}
# Written for the reader, never read back: a changed name or deadline in the file changes nothing.
REPORT_INFO = ("name", "level", "deadline", "status")
REPORT_ENTRY = (
    "date",
    "length",
    "mode",
    "venue",
    "expected",
    "attended",
    "made_up",
    "reflections",
    "presenter",
    "presenter_role",
    "topics",
    "topic_presenter",
)
_COUNTS = ("expected", "attended", "made_up", "reflections")
# “Chuyên đề đã quán triệt”: the topics' numbers (“1, 2”, “1; 2”, “1 và 2”) or every topic.
_ALL_TOPICS = frozenset({"tat ca", "ca hai", "ca 2", "toan bo"})
_TOPIC_SEPARATORS = re.compile(r"\s*(?:[,;/+]|\bva\b)\s*|\s+")

MEMBER_SHEET = "Đảng viên"
MEMBER_COLUMNS = {
    "full_name": "Họ và tên",
    "member_code": "Số thẻ đảng viên",
    "cell_code": "Mã chi bộ",
}
CELL_SHEET = "Chi bộ"

ATTENDANCE_SHEET = "Điểm danh"
ATTENDANCE_COLUMNS = {
    "member_code": "Số thẻ đảng viên",
    "full_name": "Họ và tên",
    "cell_code": "Mã chi bộ",
    "status": "Điểm danh",
    "reason": "Lý do vắng",
}
ATTENDANCE_REQUIRED = ("member_code", "status")


# Reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One data row: ``number`` is the spreadsheet row; ``cells`` the raw value per field."""

    number: int
    cells: dict[str, Any]

    def text(self, key: str) -> str:
        return _cell_text(self.cells.get(key))

    def filled(self, keys: Iterable[str]) -> bool:
        return any(self.text(key) for key in keys)


def _file_error(message: str) -> list[RowError]:
    return [RowError(None, None, message)]


def _open_xlsx(file_bytes: bytes) -> tuple[Any, str | None]:
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(file_bytes), read_only=True, data_only=True), None
    except Exception:  # a damaged archive raises any of a dozen error types, none of them ours
        return None, _("Tệp không đọc được như một bảng tính .xlsx; hãy mở bằng Excel và lưu lại.")


def _sheet_values(sheet: Any) -> list[list[Any]]:
    sheet.reset_dimensions()  # some programs write a wrong size; read every cell there is
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _find_sheet(workbook: Any, title: str) -> Any:
    return next((ws for ws in workbook.worksheets if fold(ws.title) == fold(title)), None)


def read_table(
    file_bytes: bytes, filename: str, sheet_name: str
) -> tuple[list[list[Any]], list[RowError]]:
    """The cells of a CSV file, or of an .xlsx file's sheet ``sheet_name`` (else its first)."""
    error = size_error(len(file_bytes))
    if error is not None:
        return [], [error]
    if file_bytes.startswith(_ZIP_MAGIC):
        workbook, message = _open_xlsx(file_bytes)
        if workbook is None:
            return [], _file_error(message or "")
        try:
            sheet = _find_sheet(workbook, sheet_name) or workbook.worksheets[0]
            return _sheet_values(sheet), []
        finally:
            workbook.close()
    if file_bytes.startswith(_OLE_MAGIC):
        return [], _file_error(
            _("Tệp Excel 97–2003 (.xls) không được hỗ trợ; hãy lưu lại thành .xlsx.")
        )
    if filename.lower().endswith((".xlsx", ".xlsm")) or b"\x00" in file_bytes:
        return [], _file_error(_not_a_table(filename))
    table, message = _read_csv(file_bytes)
    if message is not None:
        return [], _file_error(message)
    return table, []


def read_lines(
    table: list[list[Any]], columns: dict[str, str], required: Iterable[str]
) -> tuple[list[Line], list[RowError]]:
    """Data rows under the header (row 1), blank rows skipped but counted."""
    if not table:
        return [], _file_error(_("Tệp trống: không có dòng tiêu đề."))
    positions, errors = match_header(table[0], columns, required)
    if errors:
        return [], errors
    lines = []
    fields = list(positions.items())
    for number, cells in enumerate(table[1:], start=2):
        width = len(cells)
        values = {key: cells[i] if i < width else None for key, i in fields}
        if any(v is not None and _cell_text(v) for v in values.values()):
            lines.append(Line(number, values))
    if not lines:
        return [], _file_error(_("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."))
    return lines, []


def match_header(
    cells: Sequence[Any], columns: dict[str, str], required: Iterable[str]
) -> tuple[dict[str, int], list[RowError]]:
    """Column position of each field. Other columns (STT, Ghi chú…) are ignored; a field's
    column twice, or a required one missing, is an error."""
    by_folded = {fold(header): key for key, header in columns.items()}
    positions: dict[str, int] = {}
    errors = []
    for index, value in enumerate(cells):
        key = by_folded.get(fold(_cell_text(value)))
        if key is None:
            continue
        if key in positions:
            message = _("Dòng 1, cột “%(column)s”: cột này có hai lần.") % {"column": columns[key]}
            errors.append(RowError(1, columns[key], message))
        else:
            positions[key] = index
    expected = ", ".join(f"“{columns[key]}”" for key in required)
    found = ", ".join(f"“{t}”" for t in (_cell_text(c) for c in cells) if t) or _("(không có)")
    for key in required:
        if key not in positions:
            message = _(
                "Dòng 1, cột “%(column)s”: thiếu cột này. Các cột cần có: %(expected)s; tệp có "
                "các cột: %(found)s."
            ) % {"column": columns[key], "expected": expected, "found": found}
            errors.append(RowError(1, columns[key], message))
    return positions, errors


def _cell_error(columns: dict[str, str], number: int | None, key: str, detail: str) -> RowError:
    column = columns[key]
    if number is None:
        text = _("Cột “%(column)s”: %(detail)s") % {"column": column, "detail": detail}
    else:
        text = _("Dòng %(row)s, cột “%(column)s”: %(detail)s") % {
            "row": number,
            "column": column,
            "detail": detail,
        }
    return RowError(number, column, text)


def _sorted(errors: list[RowError], columns: dict[str, str]) -> list[RowError]:
    order = list(columns.values())
    return sorted(
        errors,
        key=lambda e: (e.row or 0, order.index(e.column) if e.column in order else len(order)),
    )


def _parse_date(value: Any) -> tuple[datetime.date | None, str | None]:
    """A date typed as text (dd/mm/yyyy) or stored by Excel as a date."""
    if isinstance(value, datetime.datetime):
        return value.date(), None
    if isinstance(value, datetime.date):
        return value, None
    text = _cell_text(value)
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if match is None:
        return None, _(
            "“%(value)s” không phải ngày; hãy ghi theo dạng dd/mm/yyyy, ví dụ 05/01/2021."
        ) % {"value": text}
    day, month, year = (int(part) for part in match.groups())
    try:
        return datetime.date(year, month, day), None
    except ValueError:
        return None, _("ngày “%(value)s” không có thật.") % {"value": text}


def _parse_count(value: Any) -> tuple[int | None, str | None]:
    """A whole number ≥ 0 (Excel may store 12 as 12.0)."""
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int | float) and float(value).is_integer():
        number = int(value)
    else:
        text = _cell_text(value)
        if not re.fullmatch(r"[+-]?\d+", text):
            return None, _("“%(value)s” không phải số nguyên.") % {"value": text}
        number = int(text)
    if number < 0:
        return None, _("không được là số âm (%(value)s).") % {"value": number}
    return number, None


def _choices_by_key(choices: Iterable[tuple[str, str]], *aliases: tuple[str, str]) -> dict:
    """A choice by its value or its Vietnamese label (or an alias), folded."""
    keys = {}
    for value, label in [*choices, *aliases]:
        keys[fold(value)] = keys[fold(label)] = value
    return keys


def _vi_choices(choices: Iterable[tuple[str, Any]]) -> list[tuple[str, str]]:
    """Choices as (value, Vietnamese label): the file format is Vietnamese in any language."""
    with translation.override("vi"):
        return [(value, str(label)) for value, label in choices]


def mode_choices() -> list[tuple[str, str]]:
    return _vi_choices(ConferenceMode.choices)


def role_choices() -> list[tuple[str, str]]:
    return _vi_choices(PresenterRole.choices)


def status_choices() -> list[tuple[str, str]]:
    return _vi_choices(AttendanceStatus.choices)


def _chunked_units(structure_id: int, codes: Iterable[str]) -> dict[str, Unit]:
    codes = sorted(set(codes))
    units: dict[str, Unit] = {}
    for i in range(0, len(codes), _BATCH):
        units.update(
            (u.code, u)
            for u in Unit.objects.filter(
                structure_id=structure_id, code__in=codes[i : i + _BATCH]
            ).select_related("level")
        )
    return units


def _day(value: datetime.date) -> str:
    return value.strftime(DATE_FORMAT)


# Report template ---------------------------------------------------------------------------


def expected_hosts(plan: Plan, root: Unit, scope: Scope) -> list[tuple[Unit, LevelRule]]:
    """Every unit of ``root``'s subtree (in scope) the plan expects to host a conference."""
    rules = {rule.level_id: rule for rule in plan.rules.select_related("level")}
    units = scope.units(
        Unit.objects.filter(
            structure_id=plan.structure_id, path__startswith=root.path, level_id__in=list(rules)
        )
    ).order_by("level__order", "name_sort", "id")
    return [(unit, rules[unit.level_id]) for unit in units]


def report_template(plan: Plan, root: Unit, scope: Scope) -> bytes:
    """The .xlsx to fill in: one row per expected conference, a guide, and the hidden ``_meta``.

    A unit with a registered but unreported conference gets its date, length, mode and venue
    pre-filled, so only the numbers remain to be typed.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    hosts = expected_hosts(plan, root, scope)
    known: dict[int, list[Any]] = defaultdict(list)  # conferences annotated with n_reports
    conferences = (
        Conference.objects.filter(
            plan=plan, cancelled_at__isnull=True, host_id__in=[u.pk for u, _ in hosts]
        )
        .annotate(n_reports=Count("reports"))
        .prefetch_related("segments__topic")
        .order_by("date", "id")
    )
    for conference in conferences:
        known[conference.host_id].append(conference)
    modes, roles = dict(mode_choices()), dict(role_choices())

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = REPORT_SHEET
    sheet.append(list(REPORT_COLUMNS.values()))
    for unit, rule in hosts:
        mine = known.get(unit.pk, [])
        reported = [c for c in mine if c.n_reports]
        pending = [c for c in mine if not c.n_reports]
        if reported:
            status = _("Đã báo cáo hội nghị ngày %(d)s") % {"d": _day(reported[0].date)}
        elif pending:
            status = _("Đã đăng ký ngày %(d)s, chưa báo cáo") % {"d": _day(pending[0].date)}
        else:
            status = _("Chưa đăng ký")
        row: list[Any] = [unit.code, unit.name, unit.level.name, _day(rule.deadline), status]
        if pending and not reported:
            conference = pending[0]
            segments = list(conference.segments.all())
            presenter = next((s for s in segments if s.content_kind == ContentKind.OWN_PLAN), None)
            topic_segments = [s for s in segments if s.topic_id is not None]
            row += [
                _day(conference.date),
                conference.length_sessions,
                modes.get(conference.mode, conference.mode),
                conference.venue,
                None,
                None,
                None,
                None,
                presenter.presenter_name if presenter else None,
                roles.get(presenter.presenter_role) if presenter else None,
                _topic_numbers(topic_segments) or None,
                _topic_presenters(topic_segments) or None,
            ]
        sheet.append(row)

    bold, grey = Font(bold=True), PatternFill("solid", fgColor="EEEEEE")
    widths = (14, 44, 22, 14, 30, 14, 10, 24, 28, 10, 10, 10, 10, 30, 18, 16, 36)
    for cell, width in zip(sheet[1], widths, strict=True):
        cell.font = bold
        sheet.column_dimensions[cell.column_letter].width = width
    last = max(sheet.max_row, 2)
    for key in ("code", *REPORT_INFO):
        letter = _letter(key)
        for (cell,) in sheet[f"{letter}2:{letter}{last}"]:
            cell.fill = grey
    # Text, so that Excel keeps “05/01/2021” as typed instead of guessing a month-first date.
    date_letter = _letter("date")
    for (cell,) in sheet[f"{date_letter}2:{date_letter}{last + 200}"]:
        cell.number_format = "@"
    for key, labels in (("mode", modes.values()), ("presenter_role", roles.values())):
        validation = DataValidation(
            type="list",
            formula1='"' + ",".join(labels) + '"',
            allow_blank=True,
            errorTitle=_("Giá trị không hợp lệ"),
            error=_("Hãy chọn một giá trị trong danh sách."),
        )
        validation.add(f"{_letter(key)}2:{_letter(key)}{last + 200}")
        sheet.add_data_validation(validation)
    sheet.freeze_panes = "C2"

    guide = workbook.create_sheet(GUIDE_SHEET)
    for line in _guide_lines(plan, root):
        guide.append(line)
        if len(line) == 1:
            guide.cell(row=guide.max_row, column=1).font = bold
    guide.column_dimensions["A"].width = 34
    guide.column_dimensions["B"].width = 100

    meta = workbook.create_sheet(META_SHEET)
    for key, value in (
        ("plan_id", plan.pk),
        ("template_version", TEMPLATE_VERSION),
        ("unit_id", root.pk),
        ("generated_at", timezone.localtime().strftime("%d/%m/%Y %H:%M")),
    ):
        meta.append([key, value])
    meta.sheet_state = "hidden"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _topic_numbers(segments: Iterable[Any]) -> str:
    """“1, 2”: the plan's numbers of the topics these agenda segments present."""
    return ", ".join(str(n) for n in sorted({s.topic.order for s in segments if s.topic}))


def _topic_presenters(segments: Iterable[Any]) -> str:
    return "; ".join(dict.fromkeys(s.presenter_name for s in segments))


def _letter(key: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(list(REPORT_COLUMNS).index(key) + 1)


def _guide_lines(plan: Plan, root: Unit) -> list[list[str]]:
    rules = [
        [
            rule.level.name,
            _("%(n)s buổi; từ %(start)s đến hạn %(deadline)s; %(audience)s")
            % {
                "n": rule.length_sessions,
                "start": _day(rule.window_start),
                "deadline": _day(rule.deadline),
                "audience": rule.audience,
            },
        ]
        for rule in plan.rules.select_related("level")
    ]
    return [
        [_("Báo cáo kết quả học tập, quán triệt: %(plan)s") % {"plan": plan.title}],
        [_("Đơn vị"), f"{root.code} — {root.name}"],
        [
            _("Cách dùng"),
            _(
                "Mỗi dòng của trang “%(sheet)s” là một hội nghị đơn vị phải tổ chức. Điền các "
                "dòng đã tổ chức (hoặc đã lên lịch), để trống các dòng khác. Mọi dòng được kiểm "
                "tra trước; có một lỗi thì không dòng nào được ghi. Không đổi tên, không xóa "
                "trang “_meta” (ẩn): nó cho biết kế hoạch và phiên bản tệp mẫu."
            )
            % {"sheet": REPORT_SHEET},
        ],
        [],
        [_("Các cột")],
        [_("Mã đơn vị"), _("Mã của đơn vị tổ chức hội nghị; không sửa.")],
        [
            _("Tên đơn vị, Cấp, Hạn hoàn thành, Tình trạng"),
            _("Để đọc; sửa các cột này không thay đổi gì."),
        ],
        [_("Ngày tổ chức"), _("Dạng dd/mm/yyyy, ví dụ 05/01/2021. Sau hạn vẫn nhận, ghi là muộn.")],
        [_("Thời lượng (buổi)"), _("Số buổi (nửa ngày); một ngày là 2 buổi.")],
        [_("Hình thức"), ", ".join(label for _v, label in mode_choices())],
        [_("Địa điểm"), _("Nơi tổ chức.")],
        [
            _("Số người phải dự, Số người dự, Số người học bù, Số bài thu hoạch"),
            _(
                "Số nguyên, không âm; số người dự không lớn hơn số người phải dự; số người học "
                "bù không lớn hơn số người vắng. Để trống cả bốn cột nếu hội nghị chưa diễn ra "
                "(chỉ đăng ký lịch)."
            ),
        ],
        [
            _("Người trình bày kế hoạch của đơn vị, Chức danh"),
            _("Họ tên và chức danh người trình bày kế hoạch thực hiện của đơn vị; chức danh: ")
            + ", ".join(label for _v, label in role_choices()),
        ],
        [
            _("Chuyên đề đã quán triệt"),
            _(
                "Số thứ tự các chuyên đề đã trình bày tại hội nghị, ví dụ “1, 2”, hoặc “Tất cả”. "
                "Chuyên đề nào chưa trình bày thì hội nghị bị ghi là chưa quán triệt đủ chuyên đề."
            ),
        ],
        [
            _("Báo cáo viên chuyên đề"),
            _(
                "Họ tên báo cáo viên trình bày các chuyên đề, kèm đơn vị nếu là báo cáo viên cấp "
                "trên, ví dụ “Nguyễn Văn A, Ban Tuyên giáo Huyện ủy”; bắt buộc khi có chuyên đề."
            ),
        ],
        [],
        [_("Chuyên đề của kế hoạch")],
        *[[str(topic.order), topic.title] for topic in plan.topics.order_by("order")],
        [],
        [_("Quy định theo cấp")],
        *rules,
    ]


# Report upload -----------------------------------------------------------------------------


@dataclass
class ReportRow:
    """One filled row, validated: what to register and report, and what to flag."""

    number: int
    host: Unit
    rule: LevelRule
    date: datetime.date
    existing: Conference | None  # registered earlier, reported by this row
    registration: ConferenceSpec | None  # a new conference to register
    report: ReportSpec | None  # None: only registered (a conference still to come)
    notes: list[str] = field(default_factory=list)  # late, before the window, too short
    conference: Conference | None = None  # after writing

    @property
    def late(self) -> bool:
        return self.date > self.rule.deadline


@dataclass(frozen=True)
class ReportImport:
    rows: list[ReportRow]
    errors: list[RowError]


def import_reports(
    plan: Plan, file_bytes: bytes, filename: str, *, acting_user: AnyUser
) -> ReportImport:
    """Check the whole file, then register and report every filled row in one transaction."""
    lines, errors = read_report_file(plan, file_bytes, filename)
    if errors:
        return ReportImport([], errors)
    try:
        with transaction.atomic():
            rows, errors = validate_reports(plan, scope_for(acting_user), lines)
            if errors:
                return ReportImport([], errors)
            for row in rows:
                _write_row(plan, row, acting_user=acting_user)
    except _RowFailed as failed:
        return ReportImport([], [failed.error])
    except IntegrityError:
        message = _("Dữ liệu vừa được người khác thay đổi trong lúc nhập; hãy nhập lại tệp.")
        return ReportImport([], _file_error(message))
    return ReportImport(rows, [])


class _RowFailed(Exception):
    """An action refused a row after validation (a concurrent change): undo the whole file."""

    def __init__(self, error: RowError) -> None:
        self.error = error


def _write_row(plan: Plan, row: ReportRow, *, acting_user: AnyUser) -> None:
    try:
        conference = row.existing
        if row.registration is not None:
            conference = do_register_conference(plan, row.registration, acting_user=acting_user)
        if conference is None:
            raise RuntimeError("A validated row has a conference or a registration.")
        if row.report is not None:
            do_report_conference(conference, row.report, acting_user=acting_user)
    except ValidationError as exc:
        detail = " ".join(exc.messages)
        message = _("Dòng %(row)s: %(detail)s") % {"row": row.number, "detail": detail}
        raise _RowFailed(RowError(row.number, None, message)) from exc
    row.conference = conference


def read_report_file(
    plan: Plan, file_bytes: bytes, filename: str
) -> tuple[list[Line], list[RowError]]:
    """The filled rows of a report template of this plan, or why the file is refused."""
    error = size_error(len(file_bytes))
    if error is not None:
        return [], [error]
    if not file_bytes.startswith(_ZIP_MAGIC):
        return [], _file_error(
            _(
                "Báo cáo chỉ nhận tệp .xlsx tải từ trang này (tệp “%(name)s” không phải .xlsx); "
                "hãy tải tệp mẫu, điền rồi tải lên lại."
            )
            % {"name": filename}
        )
    workbook, message = _open_xlsx(file_bytes)
    if workbook is None:
        return [], _file_error(message or "")
    try:
        meta_sheet = _find_sheet(workbook, META_SHEET)
        if meta_sheet is None:
            return [], _file_error(
                _(
                    "Tệp không phải tệp mẫu báo cáo của hệ thống (không có trang tính ẩn "
                    "“%(meta)s”); hãy tải tệp mẫu của kế hoạch này rồi điền vào đó."
                )
                % {"meta": META_SHEET}
            )
        errors = _meta_errors(plan, _sheet_values(meta_sheet))
        if errors:
            return [], errors
        sheet = _find_sheet(workbook, REPORT_SHEET)
        if sheet is None:
            return [], _file_error(
                _("Tệp không có trang tính “%(sheet)s” như tệp mẫu.") % {"sheet": REPORT_SHEET}
            )
        table = _sheet_values(sheet)
    finally:
        workbook.close()
    lines, errors = read_lines(table, REPORT_COLUMNS, ("code", *REPORT_ENTRY))
    if errors:
        return [], errors
    filled = [line for line in lines if line.filled(REPORT_ENTRY)]
    if not filled:
        return [], _file_error(
            _("Tệp chưa có dòng nào được điền: hãy ghi ngày tổ chức và số liệu của hội nghị.")
        )
    return filled, []


def _meta_errors(plan: Plan, table: list[list[Any]]) -> list[RowError]:
    meta = {}
    for number, cells in enumerate(table, start=1):
        if cells and _cell_text(cells[0]):
            meta[_cell_text(cells[0])] = (number, _cell_text(cells[1]) if len(cells) > 1 else "")

    def where(key: str) -> str:
        number = meta.get(key, (None, ""))[0]
        return _("Trang tính “%(sheet)s”, dòng %(row)s, cột B") % {
            "sheet": META_SHEET,
            "row": number,
        }

    plan_id = meta.get("plan_id", (None, ""))[1]
    if plan_id != str(plan.pk):
        message = _(
            "%(where)s: tệp mẫu này không phải của kế hoạch “%(plan)s” (mã kế hoạch trong tệp: "
            "“%(found)s”); hãy tải tệp mẫu của kế hoạch này."
        ) % {"where": where("plan_id"), "plan": plan.title, "found": plan_id}
        return _file_error(message)
    version = meta.get("template_version", (None, ""))[1]
    if version != str(TEMPLATE_VERSION):
        message = _(
            "%(where)s: tệp mẫu phiên bản “%(found)s” đã cũ; hãy tải tệp mẫu mới (phiên bản "
            "%(current)s) và chép số liệu sang."
        ) % {"where": where("template_version"), "found": version, "current": TEMPLATE_VERSION}
        return _file_error(message)
    return []


def validate_reports(
    plan: Plan, scope: Scope, lines: Sequence[Line]
) -> tuple[list[ReportRow], list[RowError]]:
    """What each filled row registers and reports, or every error of every row (then no rows)."""
    if plan.state != PlanState.ISSUED:
        return [], _file_error(_("Kế hoạch chưa ban hành hoặc đã kết thúc; không nhận báo cáo."))
    check = _ReportChecker.load(plan, scope, lines)
    rows = [row for row in (check.row(line) for line in lines) if row is not None]
    if check.errors:
        return [], _sorted(check.errors, REPORT_COLUMNS)
    return rows, []


@dataclass
class _ReportChecker:
    plan: Plan
    scope: Scope
    units: dict[str, Unit]
    rules: dict[int, LevelRule]
    known: dict[tuple[int, datetime.date], Conference]  # (host, date) → registered conference
    topics: list[int]  # the plan's topic numbers
    today: datetime.date
    first_line: dict[tuple[int, datetime.date], Line] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)

    @classmethod
    def load(cls, plan: Plan, scope: Scope, lines: Sequence[Line]) -> _ReportChecker:
        units = _chunked_units(plan.structure_id, (line.text("code") for line in lines))
        conferences = (
            Conference.objects.filter(
                plan=plan, cancelled_at__isnull=True, host_id__in=[u.pk for u in units.values()]
            )
            .annotate(n_reports=Count("reports"))
            .prefetch_related("segments__topic")
            .order_by("id")
        )
        return cls(
            plan=plan,
            scope=scope,
            units=units,
            rules={rule.level_id: rule for rule in plan.rules.select_related("level")},
            known={(c.host_id, c.date): c for c in conferences},
            topics=sorted(plan.topics.values_list("order", flat=True)),
            today=timezone.localdate(),
        )

    def error(self, line: Line, key: str, detail: str) -> None:
        self.errors.append(_cell_error(REPORT_COLUMNS, line.number, key, detail))

    def row(self, line: Line) -> ReportRow | None:
        before = len(self.errors)
        host, rule = self.host(line)
        day = self.date(line)
        counts = self.counts(line)
        existing = self.known.get((host.pk, day)) if host is not None and day else None
        # A conference registered earlier keeps its registration; only a new one needs one.
        registration = self.registration(line) if existing is None else None
        if host is None or rule is None or day is None or len(self.errors) > before:
            return None
        if counts is not None and day > self.today:
            self.error(
                line,
                "date",
                _(
                    "hội nghị ngày %(d)s chưa diễn ra, chưa báo cáo số liệu được; để trống các "
                    "cột số liệu nếu chỉ đăng ký lịch."
                )
                % {"d": _day(day)},
            )
            return None
        other = self.first_line.setdefault((host.pk, day), line)
        if other is not line:
            self.error(
                line,
                "date",
                _("dòng %(other)s đã ghi hội nghị ngày %(d)s của đơn vị “%(code)s”.")
                % {"other": other.number, "d": _day(day), "code": host.code},
            )
            return None
        if existing is not None:
            return self.existing_row(line, host, rule, day, existing, counts)
        if registration is None:
            return None
        return ReportRow(
            line.number,
            host,
            rule,
            day,
            existing=None,
            registration=ConferenceSpec(host=host, date=day, **registration),
            report=counts,
            notes=self.notes(rule, day, registration["length_sessions"]),
        )

    def existing_row(
        self,
        line: Line,
        host: Unit,
        rule: LevelRule,
        day: datetime.date,
        conference: Conference,
        counts: ReportSpec | None,
    ) -> ReportRow | None:
        """A row naming a conference registered earlier (on the page, or by a previous file)."""
        if conference.n_reports:  # type: ignore[attr-defined]
            self.error(
                line,
                "date",
                _(
                    "hội nghị ngày %(d)s của đơn vị “%(code)s” đã có báo cáo; không gửi báo cáo "
                    "thứ hai. Muốn sửa số liệu, hãy dùng trang “Sửa báo cáo” của hội nghị."
                )
                % {"d": _day(day), "code": host.code},
            )
            return None
        self.same_registration(line, conference)
        if counts is None:
            return None  # the template's pre-filled registration, nothing new: skip the row
        return ReportRow(
            line.number,
            host,
            rule,
            day,
            existing=conference,
            registration=None,
            report=counts,
            notes=self.notes(rule, day, conference.length_sessions),
        )

    def same_registration(self, line: Line, conference: Conference) -> None:
        """The file cannot change a registered conference: its cells must be blank or equal."""
        unchanged = _("hội nghị này đã đăng ký với %(what)s; tệp không sửa được đăng ký.")
        length = line.text("length")
        if length and length != str(conference.length_sessions):
            what = _("thời lượng %(n)s buổi") % {"n": conference.length_sessions}
            self.error(line, "length", unchanged % {"what": what})
        mode = line.text("mode")
        if mode and _modes().get(fold(mode)) != conference.mode:
            what = _("hình thức “%(m)s”") % {"m": conference.get_mode_display()}
            self.error(line, "mode", unchanged % {"what": what})
        venue = line.text("venue")
        if venue and venue != conference.venue:
            what = _("địa điểm “%(v)s”") % {"v": conference.venue}
            self.error(line, "venue", unchanged % {"what": what})
        presenter = line.text("presenter")
        names = {
            s.presenter_name
            for s in conference.segments.all()
            if s.content_kind == ContentKind.OWN_PLAN
        }
        if presenter and presenter not in names:
            what = _("người trình bày “%(p)s”") % {"p": ", ".join(sorted(names)) or "—"}
            self.error(line, "presenter", unchanged % {"what": what})
        registered = [s for s in conference.segments.all() if s.topic_id is not None]
        numbers = self.topic_numbers(line)
        if numbers and numbers != sorted({s.topic.order for s in registered if s.topic}):
            what = _("chuyên đề “%(t)s”") % {"t": _topic_numbers(registered) or "—"}
            self.error(line, "topics", unchanged % {"what": what})
        topic_presenter = line.text("topic_presenter")
        if topic_presenter and topic_presenter != _topic_presenters(registered):
            what = _("báo cáo viên chuyên đề “%(p)s”") % {"p": _topic_presenters(registered) or "—"}
            self.error(line, "topic_presenter", unchanged % {"what": what})

    def notes(self, rule: LevelRule, day: datetime.date, length: int) -> list[str]:
        notes = []
        if day > rule.deadline:
            notes.append(_("Muộn: sau hạn %(d)s.") % {"d": _day(rule.deadline)})
        elif day < rule.window_start:
            notes.append(
                _("Trước thời gian của kế hoạch (bắt đầu %(d)s).") % {"d": _day(rule.window_start)}
            )
        if length < rule.length_sessions:
            notes.append(
                _("Thời lượng %(n)s buổi, ít hơn quy định %(rule)s buổi.")
                % {"n": length, "rule": rule.length_sessions}
            )
        return notes

    def host(self, line: Line) -> tuple[Unit | None, LevelRule | None]:
        code = line.text("code")
        unit = self.units.get(code)
        if not code:
            self.error(line, "code", _("chưa có mã đơn vị."))
        elif unit is None:
            self.error(
                line,
                "code",
                _("không có đơn vị mã “%(code)s” trong cơ cấu “%(structure)s” của kế hoạch.")
                % {"code": code, "structure": self.plan.structure},
            )
        elif not self.scope.can_change(unit):
            self.error(
                line,
                "code",
                _("đơn vị “%(code)s” không thuộc phạm vi của bạn.") % {"code": code},
            )
        elif unit.level_id not in self.rules:
            self.error(
                line,
                "code",
                _(
                    "đơn vị “%(code)s” (%(name)s) ở cấp “%(level)s”; kế hoạch không yêu cầu "
                    "cấp này tổ chức hội nghị."
                )
                % {"code": code, "name": unit.name, "level": unit.level.name},
            )
        else:
            return unit, self.rules[unit.level_id]
        return None, None

    def date(self, line: Line) -> datetime.date | None:
        if not line.text("date"):
            self.error(line, "date", _("chưa có ngày tổ chức."))
            return None
        day, problem = _parse_date(line.cells["date"])
        if problem is not None:
            self.error(line, "date", problem)
        return day

    def count(self, line: Line, key: str) -> int | None:
        if not line.text(key):
            return None
        number, problem = _parse_count(line.cells[key])
        if problem is not None:
            self.error(line, key, problem)
        return number

    def counts(self, line: Line) -> ReportSpec | None:
        """The report of the row, or None when the row only registers a conference."""
        if not line.filled(_COUNTS):
            return None
        before = len(self.errors)
        values = {key: self.count(line, key) for key in _COUNTS}
        for key in ("expected", "attended"):
            if not line.text(key):
                self.error(
                    line,
                    key,
                    _(
                        "chưa có số liệu; một hội nghị đã diễn ra cần cả số người phải dự và số "
                        "người dự."
                    ),
                )
        if len(self.errors) > before:
            return None
        expected, attended = values["expected"] or 0, values["attended"] or 0
        made_up, reflections = values["made_up"] or 0, values["reflections"] or 0
        if attended > expected:
            self.error(
                line,
                "attended",
                _("số người dự (%(a)s) lớn hơn số người phải dự (%(e)s).")
                % {"a": attended, "e": expected},
            )
            return None
        if attended + made_up > expected:
            self.error(
                line,
                "made_up",
                _("số người học bù (%(m)s) lớn hơn số người vắng mặt (%(absent)s).")
                % {"m": made_up, "absent": expected - attended},
            )
            return None
        return ReportSpec(
            expected_count=expected,
            attended_count=attended,
            made_up_count=made_up,
            reflections_count=reflections,
        )

    def registration(self, line: Line) -> dict[str, Any] | None:
        """The fields of a new conference (length, mode, venue, presenter of the own plan)."""
        before = len(self.errors)
        length = self.count(line, "length")
        if not line.text("length"):
            self.error(line, "length", _("chưa có thời lượng (số buổi)."))
        elif length is not None and length < 1:
            self.error(line, "length", _("thời lượng phải ít nhất 1 buổi."))
        mode = _modes().get(fold(line.text("mode") or "trực tiếp"))
        if mode is None:
            known = ", ".join(f"“{label}”" for _v, label in mode_choices())
            self.error(
                line,
                "mode",
                _("không có hình thức “%(m)s”; các hình thức: %(known)s.")
                % {"m": line.text("mode"), "known": known},
            )
        venue = line.text("venue")
        if len(venue) > 255:
            self.error(line, "venue", _("địa điểm dài quá 255 ký tự."))
        segments = self.topic_segments(line) + self.presenter(line)
        if len(self.errors) > before or length is None:
            return None
        return {
            "length_sessions": length,
            "mode": mode,
            "venue": venue,
            "segments": segments,
        }

    def topic_numbers(self, line: Line) -> list[int] | None:
        """The topics' numbers the row names, sorted; None after an error or when blank."""
        text = line.text("topics")
        if not text:
            return None
        folded = fold(text).strip(" .")
        if folded in _ALL_TOPICS:
            return list(self.topics)
        numbers, unknown = set(), []
        for word in _TOPIC_SEPARATORS.split(folded):
            if not word:
                continue
            if word.isdecimal() and int(word) in self.topics:
                numbers.add(int(word))
            else:
                unknown.append(word)
        if unknown or not numbers:
            self.error(
                line,
                "topics",
                _(
                    "không hiểu “%(found)s”: hãy ghi số thứ tự chuyên đề (kế hoạch có các chuyên "
                    "đề %(known)s), cách nhau bằng dấu phẩy, hoặc “Tất cả”."
                )
                % {"found": ", ".join(unknown) or text, "known": ", ".join(map(str, self.topics))},
            )
            return None
        return sorted(numbers)

    def topic_segments(self, line: Line) -> tuple[SegmentSpec, ...]:
        """One agenda segment per topic named, presented by the row's topic presenter."""
        numbers, name = self.topic_numbers(line), line.text("topic_presenter")
        if numbers is None:
            if name and not line.text("topics"):
                self.error(line, "topics", _("có báo cáo viên nhưng chưa ghi chuyên đề nào."))
            return ()
        if not name:
            self.error(line, "topic_presenter", _("có chuyên đề nhưng chưa có báo cáo viên."))
            return ()
        if len(name) > 150:
            self.error(line, "topic_presenter", _("họ tên dài quá 150 ký tự."))
            return ()
        host = self.units.get(line.text("code"))
        if host is None:
            return ()
        # The template does not ask the presenter's unit (the name may say it): the host stands
        # in. Topics are the Resolution's, which anyone may present, so the presenter rule holds.
        return tuple(
            SegmentSpec(
                content_kind=ContentKind.RESOLUTION,
                presenter_name=name,
                presenter_role=PresenterRole.REPORTER,
                presenter_unit=host,
                presenter_position=str(PresenterRole.REPORTER.label),
                topic_order=number,
            )
            for number in numbers
        )

    def presenter(self, line: Line) -> tuple[SegmentSpec, ...]:
        name, role_text = line.text("presenter"), line.text("presenter_role")
        if not name and not role_text:
            return ()
        if not name:
            self.error(line, "presenter", _("có chức danh nhưng chưa có họ tên người trình bày."))
            return ()
        if len(name) > 150:
            self.error(line, "presenter", _("họ tên dài quá 150 ký tự."))
        role = _roles().get(fold(role_text))
        if not role_text:
            self.error(line, "presenter_role", _("chưa có chức danh người trình bày."))
        elif role is None:
            known = ", ".join(f"“{label}”" for _v, label in role_choices())
            self.error(
                line,
                "presenter_role",
                _("không có chức danh “%(r)s”; các chức danh: %(known)s.")
                % {"r": role_text, "known": known},
            )
        code = line.text("code")
        host = self.units.get(code)
        if role is None or host is None:
            return ()
        # The column is the presenter of the unit's own plan, by its definition a person of the
        # host unit; whether the role may present it is compliance's to judge, not an error.
        return (
            SegmentSpec(
                content_kind=ContentKind.OWN_PLAN,
                presenter_name=name,
                presenter_role=role,
                presenter_unit=host,
                presenter_position=dict(role_choices())[role],
            ),
        )


def _modes() -> dict[str, str]:
    return _choices_by_key(mode_choices(), ("hybrid", "Kết hợp"), ("online", "Trực tuyến"))


def _roles() -> dict[str, str]:
    return _choices_by_key(role_choices())


# Members -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MembersImport:
    loaded: MembersLoaded | None
    errors: list[RowError]


def problem_errors(
    problems: Sequence[Problem], columns: dict[str, str], keys: dict[str, str]
) -> list[RowError]:
    """An action's problems as row/column errors (``keys``: spec field → column field)."""
    return [_cell_error(columns, p.row, keys.get(p.field, p.field), p.message) for p in problems]


def import_members(
    root: Unit, file_bytes: bytes, filename: str, *, acting_user: AnyUser
) -> MembersImport:
    """Load the members of the cells under ``root`` from a CSV or .xlsx file, all or none."""
    table, errors = read_table(file_bytes, filename, MEMBER_SHEET)
    if errors:
        return MembersImport(None, errors)
    lines, errors = read_lines(table, MEMBER_COLUMNS, MEMBER_COLUMNS)
    if errors:
        return MembersImport(None, errors)
    cells = _chunked_units(root.structure_id, (line.text("cell_code") for line in lines))
    specs, errors = [], []
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
        if not cell_code:
            row_errors.append(("cell_code", _("chưa có mã chi bộ.")))
        elif cell is None:
            row_errors.append(
                (
                    "cell_code",
                    _("không có chi bộ mã “%(code)s” trong cơ cấu.") % {"code": cell_code},
                )
            )
        elif not cell.path.startswith(root.path):
            row_errors.append(
                (
                    "cell_code",
                    _("chi bộ “%(code)s” không thuộc %(root)s, không thuộc phạm vi của bạn.")
                    % {"code": cell_code, "root": root.name},
                )
            )
        errors += [_cell_error(MEMBER_COLUMNS, line.number, k, m) for k, m in row_errors]
        if cell is not None and not row_errors:
            specs.append(MemberSpec(code, full_name, cell, row=line.number))
    keys = {"cell": "cell_code"}
    if errors:
        # Nothing will be written: add what only the data can tell, to list every error at once.
        errors += problem_errors(check_members(root.structure, specs), MEMBER_COLUMNS, keys)
        return MembersImport(None, _sorted(errors, MEMBER_COLUMNS))
    try:
        # The action checks the data itself; its problems come back row by row.
        loaded = do_load_members(root.structure, specs, acting_user=acting_user, source=filename)
    except ProblemsError as exc:
        errors = problem_errors(exc.problems, MEMBER_COLUMNS, keys)
        return MembersImport(None, _sorted(errors, MEMBER_COLUMNS))
    return MembersImport(loaded, [])


def members_template(root: Unit) -> bytes:
    """The members .xlsx: sheet “Đảng viên” to fill, sheet “Chi bộ” listing the cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = MEMBER_SHEET
    sheet.append(list(MEMBER_COLUMNS.values()))
    for cell, width in zip(sheet[1], (32, 20, 20), strict=True):
        cell.font = bold
        sheet.column_dimensions[cell.column_letter].width = width
    for (cell,) in sheet["B2:B5000"]:
        cell.number_format = "@"  # a member code "012345" keeps its leading zero
    sheet.freeze_panes = "A2"
    cells = workbook.create_sheet(CELL_SHEET)
    cells.append([_("Mã chi bộ"), _("Tên chi bộ"), _("Trực thuộc")])
    for cell in cells[1]:
        cell.font = bold
    for code, name, parent in (
        Unit.objects.filter(path__startswith=root.path, children__isnull=True)
        .order_by("path")
        .values_list("code", "name", "parent__name")
    ):
        cells.append([code, name, parent or ""])
    cells.column_dimensions["A"].width = 20
    cells.column_dimensions["B"].width = 40
    cells.column_dimensions["C"].width = 50
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# Attendance --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceImport:
    recorded: int
    errors: list[RowError]


def _statuses() -> dict[str, str]:
    return _choices_by_key(
        status_choices(),
        (AttendanceStatus.MADE_UP, "Học bù"),
        (AttendanceStatus.ABSENT, "Vắng mặt"),
    )


def import_attendance(
    conference: Conference, file_bytes: bytes, filename: str, *, acting_user: AnyUser
) -> AttendanceImport:
    """Record who attended ``conference`` from a CSV or .xlsx file, all rows or none."""
    table, errors = read_table(file_bytes, filename, ATTENDANCE_SHEET)
    if errors:
        return AttendanceImport(0, errors)
    lines, errors = read_lines(table, ATTENDANCE_COLUMNS, ATTENDANCE_REQUIRED)
    if errors:
        return AttendanceImport(0, errors)
    statuses = _statuses()
    by_text: dict[str, str | None] = {}  # a file repeats a handful of spellings: fold each once
    specs, errors = [], []
    for line in lines:
        status_text = _cell_text(line.cells.get("status"))
        if status_text not in by_text:
            by_text[status_text] = statuses.get(fold(status_text))
        status = by_text[status_text]
        if status is None:
            known = ", ".join(f"“{label}”" for _v, label in status_choices())
            detail = (
                _("chưa ghi điểm danh; ghi một trong: %(known)s.") % {"known": known}
                if not status_text
                else _("không có tình trạng “%(s)s”; ghi một trong: %(known)s.")
                % {"s": status_text, "known": known}
            )
            errors.append(_cell_error(ATTENDANCE_COLUMNS, line.number, "status", detail))
            status = status_text
        cells = line.cells
        specs.append(
            AttendanceSpec(
                _cell_text(cells.get("member_code")),
                status,
                _cell_text(cells.get("reason")),
                line.number,
            )
        )
    try:
        if errors:
            # Nothing will be written: add what only the data can tell, to list every error.
            _members, problems = check_attendance(conference, specs)
            raise ProblemsError(problems)
        # The action checks the data itself; its problems come back row by row.
        recorded = do_record_attendance(conference, specs, acting_user=acting_user, source=filename)
    except ProblemsError as exc:
        # Unknown statuses were reported above, in the file's words.
        problems = [p for p in exc.problems if p.field != "status"]
        errors += problem_errors(problems, ATTENDANCE_COLUMNS, {})
        return AttendanceImport(0, _sorted(errors, ATTENDANCE_COLUMNS))
    except ValidationError as exc:  # the conference itself: cancelled, or still to come
        return AttendanceImport(0, [RowError(None, None, m) for m in exc.messages])
    return AttendanceImport(recorded, [])


def attendance_template(conference: Conference) -> bytes:
    """The attendance .xlsx, pre-filled with the members under the host not yet recorded."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(ATTENDANCE_SHEET)
    for letter, width in zip("ABCDE", (20, 32, 20, 18, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    members = (
        Member.objects.filter(
            structure_id=conference.host.structure_id,
            cell_path__startswith=conference.host.path,
        )
        .exclude(attendance__conference=conference)
        .order_by("cell_path", "full_name")
        .values_list("member_code", "full_name", "cell__code")
    )
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(("Có mặt", "Vắng", "Học bù")) + '"',
        allow_blank=True,
    )
    validation.add("D2:D300000")
    sheet.data_validations.append(validation)  # a write-only sheet has no add_data_validation

    header = []
    for title in ATTENDANCE_COLUMNS.values():
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for code, name, cell_code in members.iterator(chunk_size=2000):
        sheet.append([code, name, cell_code, None, None])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
