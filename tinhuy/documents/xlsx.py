"""One table as an .xlsx: a bold, frozen header row, column widths and typed cells.

Numbers stay numbers and dates stay dates, so the office can sort, filter and sum in Excel;
dates are shown dd/mm/yyyy and ratios as percentages whatever the reader's Excel locale.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "dd/mm/yyyy"
PERCENT_FORMAT = "0.0%"
INTEGER_FORMAT = "#,##0"

Kind = Literal["text", "int", "date", "percent"]


@dataclass(frozen=True)
class Column:
    header: str
    width: float = 14  # in Excel's character widths
    kind: Kind = "text"


_FORMATS: dict[str, str] = {"date": DATE_FORMAT, "percent": PERCENT_FORMAT, "int": INTEGER_FORMAT}


def table_xlsx(
    columns: Sequence[Column],
    rows: Iterable[Sequence[object]],
    *,
    sheet_title: str = "Dữ liệu",
) -> bytes:
    """The rows under a bold header row that stays in view when scrolling; the file's bytes."""
    workbook = Workbook()
    sheet = workbook.active
    # Excel limits sheet names to 31 characters.
    sheet.title = sheet_title[:31]
    sheet.append([column.header for column in columns])
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for cell, column in zip(sheet[1], columns, strict=True):
        cell.font = bold
        cell.alignment = wrap
        sheet.column_dimensions[cell.column_letter].width = column.width
    sheet.freeze_panes = "A2"
    formats = [_FORMATS.get(column.kind) for column in columns]
    for values in rows:
        sheet.append(list(values))
        for cell, number_format in zip(sheet[sheet.max_row], formats, strict=True):
            if number_format and cell.value is not None:
                cell.number_format = number_format
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
