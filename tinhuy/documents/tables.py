"""Tables in: the bytes of a CSV or .xlsx file → rows of cells with their spreadsheet row numbers.

Every importer of the application reads its file here, so every file is refused the same way and
for the same reasons, before a single row is looked at:

- too many bytes (``TINHUY_IMPORT_MAX_BYTES``), checked on the size alone;
- an .xlsx whose archive unpacks to more than ``TINHUY_IMPORT_MAX_UNPACKED_BYTES`` (a "zip bomb":
  780 KB can hold a million rows) or whose sheet declares more than ``TINHUY_IMPORT_MAX_ROWS`` rows,
  both read from the archive's directory and the sheet's first bytes, never by parsing the sheet;
- an .xls (Excel 97–2003), a file that is neither a zip nor text, a CSV that is not UTF-8 or UTF-16.

.xlsx is read by python-calamine (Rust; twelve times openpyxl's read-only reader). A formula cell
is read as the value Excel saved with it; a formula saved without a value (some programs write
them) is an error naming the cell, never read as empty.

Then ``read_lines`` matches the header row (case, marks, đ/d and spacing ignored; Vietnamese or
English names) and yields ``Line``s. Every error is a ``RowError`` naming the row (header = 1)
and the column as the user sees them; ``capped`` keeps the first ``MAX_ERRORS`` and counts the
rest, so a file of a million bad rows answers with a hundred lines, not a million.

This module imports no app: ``tinhuy.search.text`` is plain text handling.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from tinhuy.documents.numbers import format_number
from tinhuy.search.text import fold

MAX_ERRORS = 100  # errors shown for one file; the rest are counted
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_MAGIC = b"PK\x03\x04"  # an .xlsx is a zip archive
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # Excel 97–2003 (.xls)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Cells an export neutralises with a leading apostrophe (tinhuy.documents.cells); read back, the
# apostrophe goes, so a value makes the round trip unchanged.
_NEUTRALISED = re.compile(r"'(?=[=+\-@\t\r])")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class RowError:
    """What is wrong, where. ``row`` and ``column`` are None for an error about the whole file;
    ``file`` names the file when one import reads several (a gazetteer folder)."""

    row: int | None
    column: str | None
    message: str
    file: str | None = None


class TableRefused(Exception):
    """The file cannot be read as a table at all; ``errors`` say why, in Vietnamese."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(errors[0].message if errors else "")
        self.errors = errors


def file_error(message: str) -> list[RowError]:
    return [RowError(None, None, message)]


# Bytes → table ------------------------------------------------------------------------------


def size_error(size: int) -> RowError | None:
    """The error for a file over ``TINHUY_IMPORT_MAX_BYTES``, checked before reading it."""
    limit = settings.TINHUY_IMPORT_MAX_BYTES
    if size <= limit:
        return None
    message = _(
        "Tệp quá lớn (%(size)s KB); chỉ nhận tệp đến %(limit)s KB. Hãy chia tệp thành nhiều phần."
    ) % {"size": kilobytes(size), "limit": kilobytes(limit)}
    return RowError(None, None, message)


def kilobytes(size: int) -> str:
    return format_number((size + 1023) // 1024)


def read_table(
    data: bytes, filename: str, *, sheet: str | None = None, require_sheet: bool = False
) -> list[list[Any]]:
    """The cells of a CSV file, or of an .xlsx file's sheet ``sheet`` (else its first sheet,
    unless ``require_sheet``), row 1 first; raises ``TableRefused``.

    The format is told by the content (an .xlsx is a zip archive); the name only sharpens the
    message. Cells are str (CSV) or what calamine reads (str, float, int, bool, date, datetime);
    ``cell_text`` turns any of them into the text the user typed.
    """
    error = size_error(len(data))
    if error is not None:
        raise TableRefused([error])
    if data.startswith(ZIP_MAGIC):
        table = _read_xlsx(data, sheet, require_sheet=require_sheet)
    elif data.startswith(OLE_MAGIC):
        raise TableRefused(
            file_error(_("Tệp Excel 97–2003 (.xls) không được hỗ trợ; hãy lưu lại thành .xlsx."))
        )
    elif data.startswith(_UTF16_BOMS):
        table = _read_csv_text(_decode_utf16(data))
    elif filename.lower().endswith((".xlsx", ".xlsm")) or b"\x00" in data:
        raise TableRefused(file_error(not_a_table(filename)))
    else:
        table = _read_csv_text(_decode_utf8(data))
    _check_rows(len(table))
    return table


def not_a_table(filename: str) -> str:
    return _(
        "Tệp “%(name)s” không phải bảng tính .xlsx hay tệp CSV; hãy dùng tệp mẫu tải từ trang nhập."
    ) % {"name": filename}


def _check_rows(count: int) -> None:
    limit = settings.TINHUY_IMPORT_MAX_ROWS
    if count > limit + 1:  # the header row is not a data row
        raise TableRefused(
            file_error(
                _(
                    "Tệp có %(count)s dòng; mỗi lần chỉ nhận đến %(limit)s dòng dữ liệu. Hãy chia "
                    "tệp thành nhiều phần."
                )
                % {"count": format_number(count), "limit": format_number(limit)}
            )
        )


def _decode_utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TableRefused(
            file_error(
                _(
                    "Tệp CSV phải được lưu với mã UTF-8: dòng %(line)s có ký tự không đọc được. "
                    "Trong Excel, chọn Lưu thành → “CSV UTF-8 (Comma delimited)” rồi nhập lại."
                )
                % {"line": line}
            )
        ) from None


def _decode_utf16(data: bytes) -> str:
    """Excel's "Unicode Text" is UTF-16 with a byte-order mark (and tabs): read it as it is."""
    try:
        return data.decode("utf-16")
    except UnicodeDecodeError:
        raise TableRefused(
            file_error(
                _(
                    "Tệp được lưu với mã UTF-16 nhưng bị hỏng, không đọc được. Trong Excel, chọn "
                    "Lưu thành → “CSV UTF-8 (Comma delimited)” rồi nhập lại."
                )
            )
        ) from None


def _read_csv_text(text: str) -> list[list[Any]]:
    if "\x00" in text:
        raise TableRefused(
            file_error(_("Tệp CSV có ký tự rỗng (NUL); hãy lưu lại tệp bằng Excel."))
        )
    header = text.split("\n", 1)[0]
    # Excel in a Vietnamese locale separates with ";", elsewhere with ","; "Unicode Text" with tabs.
    delimiter = max((",", ";", "\t"), key=header.count)
    if not header.count(delimiter):
        delimiter = ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise TableRefused(file_error(_("Tệp CSV bị hỏng: %(error)s.") % {"error": exc})) from None


def _damaged() -> list[RowError]:
    return file_error(
        _("Tệp không đọc được như một bảng tính .xlsx; hãy mở bằng Excel và lưu lại.")
    )


_SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MAX_COLUMNS = 256  # every template has a few dozen; a sheet's rectangle is rows × columns
# Byte scans that start with a literal (the regex engine skips to it): a few µs per KB.
_HIGH_ROW_REFERENCE = re.compile(rb'r="[A-Z]{0,3}(\d{6,})"')
_WIDE_COLUMN_REFERENCE = re.compile(rb'r="([A-Z]{2,})\d')
# What the two scans above look for, in one pass: most files have neither.
_LARGE_REFERENCE = re.compile(rb'r="(?:[A-Z]{2}|[A-Z]{0,3}\d{6})')
_CELL_REFERENCE = re.compile(rb'r="[A-Z]')
# A cell whose first attribute is not its reference (<c>, <c/>, <c s="1" r="A1">): none in the
# files most writers make, so the three counts of cells are made only when one is found.
_CELL_WITHOUT_LEADING_REFERENCE = re.compile(rb'<c(?:>|/>| (?!r="))')
# Literals looked for by the regex engine, which finds them faster than ``bytes.find``.
_PREFIXED_ROW_HINT = re.compile(rb":row")
_FORMULA_HINT = re.compile(rb"<f")
_ROW_BYTES = len(b"<row>")  # the fewest bytes a row element takes
_PREFIXED_ROW = re.compile(rb"<\w+:row[\s>/]")
_NUL_ESCAPE = re.compile(rb"_x0000_", re.IGNORECASE)  # OOXML's escape of the NUL character
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]*(\d*):?[A-Z]*(\d*)\"")
# A formula cell saved without its value: <c r="C3" ...><f>1+1</f></c> (or an empty <v/>).
_FORMULA_WITHOUT_VALUE = re.compile(
    rb"<(?:\w+:)?c\s[^>]*?r=\"([A-Z]+\d+)\"[^>]*>\s*<(?:\w+:)?f[\s>/][^<]*(?:</(?:\w+:)?f>)?"
    rb"\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>"
)


def _read_xlsx(data: bytes, wanted: str | None, *, require_sheet: bool) -> list[list[Any]]:
    """Check the archive before parsing anything, then read one sheet with calamine."""
    from python_calamine import CalamineWorkbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise TableRefused(_damaged()) from None
    limit = settings.TINHUY_IMPORT_MAX_UNPACKED_BYTES
    if unpacked > limit:
        raise TableRefused(
            file_error(
                _(
                    "Tệp .xlsx này giải nén ra %(size)s KB, quá giới hạn %(limit)s KB; hãy chia "
                    "tệp thành nhiều phần hoặc xóa các dòng, trang tính không cần."
                )
                % {"size": kilobytes(unpacked), "limit": kilobytes(limit)}
            )
        )
    with archive:
        sheets = _sheet_parts(archive)
        if not sheets:
            raise TableRefused(_damaged())
        chosen = _choose_sheet(list(sheets), wanted, require_sheet=require_sheet)
        # calamine finds a member whatever the case of its name: so must these checks, or a
        # renamed sheet would reach the parser unchecked.
        members = {name.lower(): name for name in archive.namelist()}
        member = members.get(sheets[chosen].lower())
        shared = members.get("xl/sharedstrings.xml")
        if member is None:
            raise TableRefused(_damaged())
        try:
            # A member is read up to the size the directory gives, then its checksum checked:
            # a lying size or a flipped byte is refused here, never inflated without bound.
            xml = archive.read(member)
            strings = archive.read(shared) if shared else b""
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError):
            raise TableRefused(_damaged()) from None
    _check_grid(xml)
    if _has_nul_escape(xml) or _has_nul_escape(strings):
        raise TableRefused(file_error(_nul_message()))
    uncomputed = _FORMULA_WITHOUT_VALUE.search(xml) if _FORMULA_HINT.search(xml) else None
    if uncomputed is not None:
        raise TableRefused(
            file_error(
                _(
                    "Trang “%(sheet)s”, ô %(cell)s có công thức chưa được tính ra giá trị. Hãy mở "
                    "tệp bằng Excel, lưu lại (để Excel tính công thức) rồi nhập lại, hoặc ghi "
                    "giá trị thay cho công thức."
                )
                % {"sheet": chosen, "cell": uncomputed.group(1).decode()}
            )
        )
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = workbook.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    except Exception:  # calamine raises its own types for every way an archive is damaged
        raise TableRefused(_damaged()) from None
    # Whole numbers come as floats (412.0): ``cell_text`` and ``parse_count`` read them as the
    # integers they are, so the rows go out as calamine made them (no pass over every cell).
    return rows  # type: ignore[no-any-return]


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the archive member holding it, in the workbook's order (no parse of data)."""
    try:
        book, rels = archive.read("xl/workbook.xml"), archive.read("xl/_rels/workbook.xml.rels")
    except (KeyError, zipfile.BadZipFile, zlib.error, EOFError, OSError):
        return {}
    return dict(_parse_sheet_parts(book, rels))


@functools.lru_cache(maxsize=64)
def _parse_sheet_parts(book_xml: bytes, rels_xml: bytes) -> tuple[tuple[str, str], ...]:
    """Of the workbook's two small parts: files made from one template repeat them byte for
    byte, so each pair is parsed once per process."""
    try:
        book = ElementTree.fromstring(book_xml)  # noqa: S314 (no DTDs)
        rels = ElementTree.fromstring(rels_xml)  # noqa: S314
    except ElementTree.ParseError:
        return ()
    targets = {
        rel.get("Id"): (rel.get("Target") or "") for rel in rels.iter(f"{_PKG_REL_NS}Relationship")
    }
    parts = {}
    for sheet in book.iter(f"{_SHEET_NS}sheet"):
        target = targets.get(sheet.get(f"{_REL_NS}id"), "")
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        parts[sheet.get("name") or ""] = path
    return tuple(parts.items())


def _choose_sheet(names: list[str], wanted: str | None, *, require_sheet: bool) -> str:
    if wanted is None:
        return names[0]
    chosen = next((name for name in names if fold(name) == fold(wanted)), None)
    if chosen is not None:
        return chosen
    if not require_sheet:
        return names[0]
    found = ", ".join(f"“{name}”" for name in names)
    raise TableRefused(
        file_error(
            _(
                "Tệp .xlsx không có trang tính “%(sheet)s”; các trang tính có trong tệp: "
                "%(found)s. Hãy đặt dữ liệu vào trang “%(sheet)s” như trong tệp mẫu."
            )
            % {"sheet": wanted, "found": found}
        )
    )


def _check_grid(xml: bytes) -> None:
    """Bound the rectangle calamine will build (first to last cell, empty cells included)
    before it builds it, by byte scans: rows by their elements and by the highest row any
    reference names; columns by the widest reference; cells without a reference (their place
    is their order, which only a parse can bound) are refused.

    An ordinary sheet costs four scans, each a search for a literal (the regex engine skips to
    it): its rows counted, a prefixed row looked for, a large reference looked for, a cell that
    does not start with its reference looked for. What they find is then looked at closely,
    by the slower scans, with the same result as running those on every file."""
    _check_declared_rows(xml[:4096])
    limit = settings.TINHUY_IMPORT_MAX_ROWS
    if len(xml) >= _ROW_BYTES * limit:  # may hold too many rows
        rows = xml.count(b"<row")
        if _PREFIXED_ROW_HINT.search(xml) is not None:  # <x:row>: rare, by the slower scan
            rows += len(_PREFIXED_ROW.findall(xml))
        if rows > limit + 1:  # <rowBreaks> is not a row: counted only when it may matter
            rows -= xml.count(b"<rowBreaks")
        _check_rows(rows)
    widest = 0
    if _LARGE_REFERENCE.search(xml) is not None:
        # Row numbers of six digits or more are the only ones that can pass the limit.
        _check_rows(max(int(n) for n in [b"0", *_HIGH_ROW_REFERENCE.findall(xml)]))
        letters = set(_WIDE_COLUMN_REFERENCE.findall(xml))  # two letters or more: AA…
        widest = max((_column_number(c.decode()) for c in letters), default=0)
    # Most writers put the reference first (<c r="A1" …>): when every cell does, the counts
    # below agree without being made; otherwise count references apart.
    referenced = True
    if _CELL_WITHOUT_LEADING_REFERENCE.search(xml) is not None:
        cells = xml.count(b"<c ") + xml.count(b"<c>") + xml.count(b"<c/>")
        referenced = cells == xml.count(b'<c r="') or cells <= len(_CELL_REFERENCE.findall(xml))
    if widest > MAX_COLUMNS or not referenced:
        raise TableRefused(
            file_error(
                _(
                    "Trang tính có ô ở ngoài %(n)s cột đầu hoặc ô không ghi vị trí; hãy mở tệp "
                    "bằng Excel, chỉ giữ các cột của tệp mẫu rồi lưu lại."
                )
                % {"n": MAX_COLUMNS}
            )
        )


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _has_nul_escape(xml: bytes) -> bool:
    return _NUL_ESCAPE.search(xml) is not None


def _nul_message() -> str:
    return _("Tệp có ký tự rỗng (NUL); hãy lưu lại tệp bằng Excel.")


def _check_declared_rows(head: bytes) -> None:
    """The row count the sheet declares in its first bytes (``<dimension ref="A1:E1000000">``).
    A sheet that lies is still bounded by the unpacked size."""
    match = _DIMENSION.search(head)
    if match is not None:
        last = match.group(2) or match.group(1)
        if last:
            _check_rows(int(last))


# Table → lines -----------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """What the user typed: stripped text; whole numbers without ".0"; an export's neutralising
    apostrophe removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M") if value.time() else value.strftime("%d/%m/%Y")
    elif isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    text = str(value).strip()
    if text[:1] == "'":
        text = _NEUTRALISED.sub("", text, count=1)
    return text


@dataclass(frozen=True)
class Column:
    """A column of an imported file: the field ``key``, its ``header`` in the template and other
    names it may carry (English, older templates)."""

    key: str
    header: str
    aliases: tuple[str, ...] = ()


Columns = Mapping[str, str] | Sequence[Column]


def as_columns(columns: Columns) -> list[Column]:
    if isinstance(columns, Mapping):
        return [Column(key, header) for key, header in columns.items()]
    return list(columns)


@functools.lru_cache(maxsize=4096)  # files repeat the same headers and choice words
def header_key(text: str) -> str:
    """A header as compared: no case, marks or đ, one space between words."""
    return _SPACES.sub(" ", fold(text)).strip()


@dataclass(frozen=True)
class Line:
    """One data row: ``number`` is the spreadsheet row; ``cells`` the raw value per field."""

    number: int
    cells: dict[str, Any]

    def text(self, key: str) -> str:
        return cell_text(self.cells.get(key))

    def filled(self, keys: Iterable[str]) -> bool:
        return any(self.text(key) for key in keys)


def read_lines(
    table: Sequence[Sequence[Any]],
    columns: Columns,
    required: Iterable[str] | None = None,
    *,
    unknown_is_error: bool = False,
) -> tuple[list[Line], list[RowError]]:
    """Data rows under the header (row 1), blank rows skipped but counted, so numbers match the
    spreadsheet. ``required`` defaults to every column."""
    if not table:
        return [], file_error(_("Tệp trống: không có dòng tiêu đề."))
    positions, errors = match_header(table[0], columns, required, unknown_is_error=unknown_is_error)
    if errors:
        return [], errors
    lines = []
    fields = list(positions.items())
    for number, cells in enumerate(table[1:], start=2):
        width = len(cells)
        values = {key: cells[i] if i < width else None for key, i in fields}
        if any(cell_text(value) for value in values.values() if value is not None):
            lines.append(Line(number, values))
    if not lines:
        return [], file_error(_("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."))
    return lines, []


def match_header(
    cells: Sequence[Any],
    columns: Columns,
    required: Iterable[str] | None = None,
    *,
    unknown_is_error: bool = False,
) -> tuple[dict[str, int], list[RowError]]:
    """Column position of each field. A field's column twice, or a required one missing, is an
    error; other columns (STT, Ghi chú…) are ignored unless ``unknown_is_error``."""
    spec = as_columns(columns)
    headers = {column.key: column.header for column in spec}
    by_key: dict[str, str] = {}
    for column in spec:
        for name in (column.header, column.key, *column.aliases):
            by_key.setdefault(header_key(name), column.key)
    required = list(headers) if required is None else list(required)
    expected = ", ".join(f"“{headers[key]}”" for key in required)
    positions: dict[str, int] = {}
    errors = []
    for index, value in enumerate(cells):
        text = cell_text(value)
        if not text:
            continue  # spreadsheets often carry empty columns after the last one
        key = by_key.get(header_key(text))
        if key is None:
            if unknown_is_error:
                message = _(
                    "Dòng 1, cột “%(found)s”: tiêu đề này không được nhận ra. Các cột cần có: "
                    "%(expected)s."
                ) % {"found": text, "expected": expected}
                errors.append(RowError(1, text, message))
        elif key in positions:
            message = _("Dòng 1, cột “%(column)s”: cột này có hai lần.") % {"column": text}
            errors.append(RowError(1, headers[key], message))
        else:
            positions[key] = index
    found = ", ".join(f"“{t}”" for t in (cell_text(c) for c in cells) if t) or _("(không có)")
    for key in required:
        if key not in positions:
            message = _(
                "Dòng 1, cột “%(column)s”: thiếu cột này. Các cột cần có: %(expected)s; tệp có "
                "các cột: %(found)s."
            ) % {"column": headers[key], "expected": expected, "found": found}
            errors.append(RowError(1, headers[key], message))
    return positions, errors


# Errors ------------------------------------------------------------------------------------


def cell_error(columns: Columns, row: int | None, key: str, detail: str) -> RowError:
    """“Dòng 7, cột “Ngày tổ chức”: …” — or “Cột …” for a value the whole file shares."""
    column = {c.key: c.header for c in as_columns(columns)}[key]
    if row is None:
        text = _("Cột “%(column)s”: %(detail)s") % {"column": column, "detail": detail}
    else:
        text = _("Dòng %(row)s, cột “%(column)s”: %(detail)s") % {
            "row": row,
            "column": column,
            "detail": detail,
        }
    return RowError(row, column, text)


def sort_errors(errors: Iterable[RowError], columns: Columns) -> list[RowError]:
    """By row, then in the order of the template's columns; whole-file errors first."""
    order = [column.header for column in as_columns(columns)]
    return sorted(
        errors,
        key=lambda e: (e.row or 0, order.index(e.column) if e.column in order else len(order)),
    )


class Errors(list[RowError]):
    """Errors to show, with ``total``: how many there were before ``capped`` kept the first."""

    total: int = 0


def capped(errors: Sequence[RowError], limit: int = MAX_ERRORS) -> Errors:
    """The first ``limit`` errors and one line counting the others (“… và 2.999.900 lỗi khác”)."""
    if len(errors) <= limit:
        shown = Errors(errors)
    else:
        rest = len(errors) - limit
        message = _("… và %(n)s lỗi khác (chỉ hiện %(limit)s lỗi đầu; hãy sửa rồi nhập lại).") % {
            "n": format_number(rest),
            "limit": limit,
        }
        shown = Errors([*errors[:limit], RowError(None, None, message)])
    shown.total = len(errors)
    return shown


# Values ------------------------------------------------------------------------------------


_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_TIME = re.compile(r"(\d{1,2})\s*(?:[:hg]|giờ)\s*(\d{1,2})?\s*(?:p|phút)?", re.IGNORECASE)


def parse_date(value: Any) -> tuple[datetime.date | None, str | None]:
    """A date typed as text — day first: 05/01/2021, 5/1/2021, 1-2-2021, 01.02.2021 — or
    stored by Excel as a date; (date, None) or (None, the reason in Vietnamese). Only a
    four-digit year: “1/2/21” could be 2021 or 1921, so it is refused, not guessed."""
    if isinstance(value, datetime.datetime):
        return value.date(), None
    if isinstance(value, datetime.date):
        return value, None
    text = cell_text(value)
    match = _DATE.fullmatch(text.replace(" ", ""))
    if match is None:
        return None, _(
            "“%(value)s” không phải ngày; hãy ghi theo dạng dd/mm/yyyy, ví dụ 05/01/2021."
        ) % {"value": text}
    day, month, year = (int(part) for part in match.groups())
    try:
        return datetime.date(year, month, day), None
    except ValueError:
        return None, _("ngày “%(value)s” không có thật.") % {"value": text}


def parse_time(value: Any) -> tuple[datetime.time | None, str | None]:
    """07:30, 7:30, 7h30, 7H30, 07.30, 7h, 7 giờ 30 — or a time Excel stored as such. A number
    is what Excel makes of “07.30” typed in a plain cell (7.3): hours, then minutes in the
    first two decimals."""
    if isinstance(value, datetime.datetime):
        return value.time(), None
    if isinstance(value, datetime.time):
        return value, None
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 24:
        hour = int(value)
        minute = round((value - hour) * 100)
        if minute < 60:
            return datetime.time(hour, minute), None
    text = cell_text(value)
    match = _TIME.fullmatch(re.sub(r"^(\d{1,2})\.(\d{2})$", r"\1:\2", text))
    if match is not None:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if hour < 24 and minute < 60:
            return datetime.time(hour, minute), None
    return None, _("“%(value)s” không phải giờ; hãy ghi dạng 07:30, 7h30 hoặc 07.30.") % {
        "value": text
    }


MAX_COUNT = 2**31 - 1  # every count column of the application fits a 32-bit integer


def parse_count(value: Any, *, maximum: int = MAX_COUNT) -> tuple[int | None, str | None]:
    """A whole number from 0 to ``maximum`` (Excel may store 12 as 12.0)."""
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int | float) and float(value).is_integer():
        number = int(value)
    else:
        text = cell_text(value)
        if not re.fullmatch(r"[+-]?\d{1,30}", text):
            return None, _("“%(value)s” không phải số nguyên.") % {"value": text[:40]}
        number = int(text)
    if number < 0:
        return None, _("không được là số âm (%(value)s).") % {"value": number}
    if number > maximum:
        return None, _("số quá lớn (%(value)s); lớn nhất là %(max)s.") % {
            "value": format_number(number),
            "max": format_number(maximum),
        }
    return number, None


def vietnamese_choices(choices: Iterable[tuple[str, Any]]) -> list[tuple[str, str]]:
    """Choices as (value, Vietnamese label): a file format is Vietnamese in any UI language."""
    with translation.override("vi"):
        return [(value, str(label)) for value, label in choices]


def choices_by_key(choices: Iterable[tuple[str, str]], *aliases: tuple[str, str]) -> dict[str, str]:
    """A choice by its value or its label (or an alias), folded."""
    keys = {}
    for value, label in [*choices, *aliases]:
        keys[header_key(value)] = keys[header_key(label)] = value
    return keys
