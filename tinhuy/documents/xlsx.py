"""Workbooks out: a data table, and the templates offices fill in and upload again.

Numbers stay numbers and dates stay dates, so the office can sort, filter and sum in Excel;
dates are shown dd/mm/yyyy and ratios as percentages whatever the reader's Excel locale. Every
text cell goes through ``tinhuy.documents.cells.neutralise``: no export carries a live formula.
Both writers use openpyxl's write-only mode, which streams rows instead of holding a cell object
per value (an attendance template lists a province's members).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from tinhuy.documents.cells import neutralise, sheet_title
from tinhuy.documents.tables import XLSX_CONTENT_TYPE

__all__ = ["XLSX_CONTENT_TYPE", "Column", "Sheet", "table_xlsx", "template_xlsx"]

DATE_FORMAT = "dd/mm/yyyy"
PERCENT_FORMAT = "0.0%"
INTEGER_FORMAT = "#,##0"
TEXT_FORMAT = "@"  # Excel keeps "05/01/2021" and "012345" as typed instead of guessing
META_SHEET = "_meta"
GUIDE_SHEET = "Hướng dẫn"

Kind = Literal["text", "int", "date", "percent"]
_FORMATS: dict[str, str] = {"date": DATE_FORMAT, "percent": PERCENT_FORMAT, "int": INTEGER_FORMAT}
_BOLD = Font(bold=True)
_GREY = PatternFill("solid", fgColor="EEEEEE")
_WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class Column:
    """A column written to a workbook.

    ``kind`` sets the number format of a data table's cells; in a template, ``typed_as_text``
    formats the column as text, ``choices`` offers an in-cell list and ``read_only`` greys the
    column (written for the reader, never read back).
    """

    header: str
    width: float = 14  # in Excel's character widths
    kind: Kind = "text"
    typed_as_text: bool = False
    choices: Sequence[str] = ()
    read_only: bool = False


@dataclass(frozen=True)
class Sheet:
    """A sheet of a template: its columns, its rows and the cell that stays in view."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[object]] = ()
    freeze: str = "A2"


def table_xlsx(
    columns: Sequence[Column],
    rows: Iterable[Sequence[object]],
    *,
    sheet_title: str = "Dữ liệu",
) -> bytes:
    """The rows under a bold header row that stays in view when scrolling; the file's bytes."""
    workbook = Workbook(write_only=True)
    sheet = _start_sheet(workbook, Sheet(sheet_title, columns))
    formats = [_FORMATS.get(column.kind) for column in columns]
    count = 0
    for values in rows:
        sheet.append(
            [
                _cell(sheet, value, number_format=fmt)
                for value, fmt in zip(values, formats, strict=True)
            ]
        )
        count += 1
    if count:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    return _save(workbook)


def template_xlsx(
    main: Sheet,
    *,
    others: Sequence[Sheet] = (),
    guide: Sequence[Sequence[str]] = (),
    guide_widths: tuple[float, float] = (34, 100),
    meta: Mapping[str, object] | None = None,
    blank_rows: int = 200,
) -> bytes:
    """A template to fill in: ``main`` with its rows and ``blank_rows`` more formatted and
    validated rows, then ``others`` (reference lists), the guide (one-cell lines are headings)
    and, hidden, ``_meta`` (what the file is for and the template's version, checked on upload).
    """
    workbook = Workbook(write_only=True)
    sheet = _start_sheet(workbook, main)
    columns = main.columns
    count = 0
    for values in main.rows:
        sheet.append(
            [
                _template_cell(sheet, value, column)
                for value, column in zip(values, columns, strict=True)
            ]
        )
        count += 1
    last = count + 1 + blank_rows
    for _row in range(blank_rows):
        sheet.append([_template_cell(sheet, None, column) for column in columns])
    for index, column in enumerate(columns, start=1):
        if column.choices:
            letter = get_column_letter(index)
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(column.choices) + '"',
                allow_blank=True,
                errorTitle=_("Giá trị không hợp lệ"),
                error=_("Hãy chọn một giá trị trong danh sách."),
            )
            validation.add(f"{letter}2:{letter}{last}")
            sheet.data_validations.append(validation)
    for other in others:
        extra = _start_sheet(workbook, other)
        for values in other.rows:
            extra.append([_cell(extra, value) for value in values])
    if guide:
        sheet = workbook.create_sheet(GUIDE_SHEET)
        for letter, width in zip("AB", guide_widths, strict=True):
            sheet.column_dimensions[letter].width = width
        for line in guide:
            cells: list[Any] = [_cell(sheet, value) for value in line]
            if len(cells) == 1:  # a heading
                heading = WriteOnlyCell(sheet, value=cells[0])
                heading.font = _BOLD
                cells = [heading]
            sheet.append(cells)
    if meta is not None:
        sheet = workbook.create_sheet(META_SHEET)
        for key, value in meta.items():
            sheet.append([key, value])
        sheet.sheet_state = "hidden"
    return _save(workbook)


def _start_sheet(workbook: Workbook, spec: Sheet) -> Any:
    sheet = workbook.create_sheet(sheet_title(spec.title))
    for index, column in enumerate(spec.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = spec.freeze
    header = []
    for column in spec.columns:
        cell = WriteOnlyCell(sheet, value=neutralise(column.header))
        cell.font = _BOLD
        cell.alignment = _WRAP
        header.append(cell)
    sheet.append(header)
    return sheet


def _cell(sheet: Any, value: object, *, number_format: str | None = None) -> Any:
    if number_format is None or value is None:
        return neutralise(value)
    cell = WriteOnlyCell(sheet, value=neutralise(value))  # text in a number column too
    cell.number_format = number_format
    return cell


def _template_cell(sheet: Any, value: object, column: Column) -> Any:
    if not (column.typed_as_text or column.read_only):
        return neutralise(value)
    cell = WriteOnlyCell(sheet, value=neutralise(value))
    if column.typed_as_text:
        cell.number_format = TEXT_FORMAT
    if column.read_only:
        cell.fill = _GREY
    return cell


def _save(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
