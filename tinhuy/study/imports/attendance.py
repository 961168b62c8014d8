"""Who attended a conference, person by person, from a CSV or .xlsx file
(``do_record_attendance``), and the pre-filled attendance list to download.

A province's file may hold 225,000 rows (``make bench``): the rows go straight from the table
to ``AttendanceSpec`` tuples, each cell read once, with no object per row on the way; the status
words are folded once per process and each distinct spelling once per file. Every row is checked
first; then one transaction records them all, or nothing is written. A member outside the
uploader's scope is answered exactly as a card number never loaded.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tinhuy.bulk import many_objects_kept
from tinhuy.documents import tables
from tinhuy.documents.tables import (
    RowError,
    TableRefused,
    capped,
    cell_error,
    cell_text,
    choices_by_key,
    file_error,
    header_key,
    match_header,
    sort_errors,
    vietnamese_choices,
)
from tinhuy.documents.xlsx import Column, Sheet, template_xlsx
from tinhuy.org.access import scope_for
from tinhuy.study.actions import (
    AttendanceSpec,
    ProblemsError,
    check_attendance,
    do_record_attendance,
)
from tinhuy.study.imports.common import problem_errors
from tinhuy.study.models import AttendanceStatus, Conference, Member

if TYPE_CHECKING:
    from tinhuy.org.access import AnyUser

ATTENDANCE_SHEET = "Điểm danh"
ATTENDANCE_COLUMNS = {
    "member_code": "Số thẻ đảng viên",
    "full_name": "Họ và tên",
    "cell_code": "Mã chi bộ",
    "status": "Điểm danh",
    "reason": "Lý do vắng",
}
ATTENDANCE_REQUIRED = ("member_code", "status")
_CHOICES = ("Có mặt", "Vắng", "Học bù")  # the template's in-cell list


@dataclass(frozen=True)
class AttendanceImport:
    recorded: int
    errors: list[RowError]
    unchanged: int = 0  # rows identical to what was recorded: skipped


def status_choices() -> list[tuple[str, str]]:
    return vietnamese_choices(AttendanceStatus.choices)


@functools.cache
def _statuses() -> dict[str, str]:
    """Status by its folded word; the file format is Vietnamese in any UI language, so the
    words are folded once per process."""
    return choices_by_key(
        status_choices(),
        (AttendanceStatus.MADE_UP, "Học bù"),
        (AttendanceStatus.ABSENT, "Vắng mặt"),
    )


def read_table(
    file_bytes: bytes, filename: str, sheet: str = ATTENDANCE_SHEET
) -> tuple[list[list[Any]], list[RowError]]:
    """The cells of an attendance file (sheet ``sheet`` of an .xlsx), or why it is refused."""
    try:
        return tables.read_table(file_bytes, filename, sheet=sheet), []
    except TableRefused as refused:
        return [], refused.errors


def read_lines(table: Sequence[Sequence[Any]]) -> tuple[list[AttendanceSpec], list[RowError]]:
    """One ``AttendanceSpec`` per filled row, and the rows whose status is not one of ours
    (their spec keeps the word typed). No specs with errors: the header is wrong or the file
    holds no data row."""
    if not table:
        return [], file_error(_("Tệp trống: không có dòng tiêu đề."))
    positions, errors = match_header(table[0], ATTENDANCE_COLUMNS, ATTENDANCE_REQUIRED)
    if errors:
        return [], errors
    code_at, status_at = positions["member_code"], positions["status"]
    reason_at = positions.get("reason")
    # Name and cell are for the reader; a row holding only them is a row without a card number.
    others = [i for key, i in positions.items() if key in ("full_name", "cell_code")]
    width = max(positions.values()) + 1
    statuses = _statuses()
    by_text: dict[str, str | None] = {}  # a file repeats a handful of spellings: fold each once
    specs: list[AttendanceSpec] = []
    rows = iter(table)
    next(rows)  # the header
    with many_objects_kept():
        for number, cells in enumerate(rows, start=2):
            if len(cells) < width:
                cells = [*cells, *([None] * (width - len(cells)))]
            # cell_text inlined for the common case: text (CSV, or a text cell) that is not an
            # export's neutralised formula ("'=…"); anything else goes through cell_text.
            code = cells[code_at]
            code = code.strip() if type(code) is str else cell_text(code)
            if code.startswith("'"):
                code = cell_text(code)
            status_text = cells[status_at]
            status_text = (
                status_text.strip() if type(status_text) is str else cell_text(status_text)
            )
            if status_text.startswith("'"):
                status_text = cell_text(status_text)
            if reason_at is None:
                reason = ""
            else:
                reason = cells[reason_at]
                reason = reason.strip() if type(reason) is str else cell_text(reason)
                if reason.startswith("'"):
                    reason = cell_text(reason)
            if not (code or status_text or reason) and not any(cell_text(cells[i]) for i in others):
                continue  # a blank row, counted in the numbering
            status = by_text.get(status_text)
            if status is None and status_text not in by_text:
                status = by_text[status_text] = statuses.get(header_key(status_text))
            if status is None:
                errors.append(_status_error(number, status_text))
                status = status_text
            specs.append(AttendanceSpec(code, status, reason, number))
    if not specs:
        return [], file_error(_("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."))
    return specs, errors


def _status_error(number: int, status_text: str) -> RowError:
    known = ", ".join(f"“{label}”" for _v, label in status_choices())
    detail = (
        _("chưa ghi điểm danh; ghi một trong: %(known)s.") % {"known": known}
        if not status_text
        else _("không có tình trạng “%(s)s”; ghi một trong: %(known)s.")
        % {"s": status_text, "known": known}
    )
    return cell_error(ATTENDANCE_COLUMNS, number, "status", detail)


def import_attendance(
    conference: Conference, file_bytes: bytes, filename: str, *, acting_user: AnyUser
) -> AttendanceImport:
    """Record who attended ``conference`` from a CSV or .xlsx file, all rows or none; rows
    saying what is recorded (the same file again) are skipped and counted."""
    table, errors = read_table(file_bytes, filename)
    if errors:
        return AttendanceImport(0, capped(errors))
    specs, errors = read_lines(table)
    if not specs:
        return AttendanceImport(0, capped(errors))
    try:
        if errors:
            # Nothing will be written: add what only the data can tell, to list every error.
            scope = scope_for(acting_user)
            problems = check_attendance(conference, specs, scope=scope).problems
            raise ProblemsError(problems)
        # The action checks the data itself; its problems come back row by row.
        done = do_record_attendance(conference, specs, acting_user=acting_user, source=filename)
    except ProblemsError as exc:
        # Unknown statuses were reported above, in the file's words.
        problems = [p for p in exc.problems if p.field != "status"]
        errors += problem_errors(problems, ATTENDANCE_COLUMNS)
        return AttendanceImport(0, capped(sort_errors(errors, ATTENDANCE_COLUMNS)))
    except ValidationError as exc:  # the conference itself: cancelled, or still to come
        return AttendanceImport(0, capped([RowError(None, None, m) for m in exc.messages]))
    return AttendanceImport(done.recorded, [], unchanged=done.unchanged)


def attendance_template(conference: Conference) -> bytes:
    """The attendance .xlsx, pre-filled with the members under the host not yet recorded
    (streamed: a province's list is 225,000 rows)."""
    members = (
        Member.objects.filter(
            structure_id=conference.host.structure_id,
            cell_path__startswith=conference.host.path,
        )
        .exclude(attendance__conference=conference)
        .order_by("cell_path", "full_name")
        .values_list("member_code", "full_name", "cell__code")
    )
    headers = ATTENDANCE_COLUMNS
    return template_xlsx(
        Sheet(
            ATTENDANCE_SHEET,
            [
                Column(headers["member_code"], 20),
                Column(headers["full_name"], 32),
                Column(headers["cell_code"], 20),
                Column(headers["status"], 18, choices=_CHOICES),
                Column(headers["reason"], 40),
            ],
            rows=(
                (code, name, cell_code, None, None)
                for code, name, cell_code in members.iterator(chunk_size=2000)
            ),
        )
    )
