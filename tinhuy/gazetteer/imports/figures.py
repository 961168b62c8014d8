"""Figures in: a CSV or .xlsx file (or the API's list) → observations, validated all or nothing.

The file is read by ``tinhuy.documents.tables`` (size, zip-bomb and row limits, encodings, one
reader for every import) from the sheet "Số liệu" or the first one. Columns: ``indicator_code``,
``place`` (name or code), ``year``, ``value``, ``source``, ``note`` and the optional
``is_sample``; the other columns of our own downloads are read past. Every error is a
``RowError`` naming the spreadsheet row (header = row 1) and the column as the file heads it.

Numbers in the ``value`` column (``parse_number``):
- digits with a dot as decimal point: ``1234.5``; or the Vietnamese way, dots grouping thousands
  and a comma before the decimals: ``1.234,5``, ``1.234.567``;
- a comma is the decimal separator when the value also has dots as thousands separators
  (``1.234,5``) or has exactly one comma (``1234,5``, and so ``1,5``);
- ambiguous values are refused rather than guessed: a single dot followed by exactly three
  digits (``1.234``: one thousand two hundred and thirty-four, or one point two three four?),
  several commas (``1,234,567``) and the English mix ``1,234.5``;
- spaces between digit groups are ignored; at most 4 decimals and 16 digits before them.
A number cell of an .xlsx stays a number: it is never ambiguous.

A figure without a source is by definition not from a cited source: it is stored and shown as
sample data ("số liệu minh họa") whatever its ``is_sample`` cell says.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tinhuy.documents import xlsx
from tinhuy.documents.csvfile import table_csv
from tinhuy.documents.numbers import format_number
from tinhuy.documents.tables import (
    Column,
    RowError,
    TableRefused,
    capped,
    cell_text,
    file_error,
    match_header,
    read_lines,
    read_table,
)
from tinhuy.gazetteer.actions import ObservationSpec, do_save_observations
from tinhuy.gazetteer.figures import MAX_YEAR, MIN_YEAR
from tinhuy.gazetteer.models import Indicator, Place
from tinhuy.gazetteer.queries import PlaceIndex
from tinhuy.search.text import fold

if TYPE_CHECKING:
    from tinhuy.org.actions import AnyUser

MAX_DECIMALS, MAX_WHOLE_DIGITS = 4, 16  # Observation.value: max_digits=20, decimal_places=4
MAX_TEXT = 500  # Observation.source and .note
MAX_ROWS = 100_000  # a year's figures for every unit of the province fit many times over
SHEET_NAME = "Số liệu"

# The field names are the headers the template writes; Vietnamese names are accepted too.
COLUMNS = [
    Column("indicator_code", "indicator_code", ("Mã chỉ tiêu", "chỉ tiêu")),
    Column("place", "place", ("Địa danh", "Mã địa danh")),
    Column("year", "year", ("Năm",)),
    Column("value", "value", ("Giá trị",)),
    Column("source", "source", ("Nguồn",)),
    Column("note", "note", ("Ghi chú",)),
    Column("is_sample", "is_sample", ("Số liệu minh họa", "Minh họa")),
]
REQUIRED = ("indicator_code", "place", "year", "value")
# Columns of our own downloads that the import reads past: a download imports back as it is.
READ_PAST = [
    Column("indicator_name", "indicator_name", ("Tên chỉ tiêu",)),
    Column("unit", "unit", ("Đơn vị tính",)),
    Column("place_name", "place_name", ("Tên địa danh",)),
]
_FIELDS = [column.key for column in COLUMNS]
TEMPLATE_HEADER = [column.header for column in COLUMNS]


@dataclass(frozen=True)
class FigureRow:
    """One row to import, cells stripped. ``number`` is the spreadsheet row (or the position
    in an API list, from 1); ``headers`` maps each field to the column name the user sees;
    ``file`` names the file when one import reads several (a gazetteer folder)."""

    number: int
    indicator_code: str
    place: str
    year: str
    value: str | Decimal  # a number cell of an .xlsx stays a number: it is never ambiguous
    source: str = ""
    note: str = ""
    is_sample: str = ""
    headers: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    file: str = ""


@dataclass(frozen=True)
class FigureImportResult:
    """``added``/``revised``: figures written (with ``dry_run``: that would be); 0 on error.
    ``errors`` are capped (the first 100 and a count); ``errors.total`` counts them all."""

    added: int
    revised: int
    errors: list[RowError]


# Reading the file ----------------------------------------------------------------------------


def parse_rows(
    file_bytes: bytes, filename: str, *, file: str = ""
) -> tuple[list[FigureRow], list[RowError]]:
    """The data rows of a CSV or .xlsx file, or the errors that stop it from being read.
    ``file`` (a folder's "observations.csv") is carried by each row for its messages."""
    try:
        table = read_table(file_bytes, filename, sheet=SHEET_NAME)
    except TableRefused as refused:
        return [], refused.errors
    spec = [*COLUMNS, *READ_PAST]
    lines, errors = read_lines(table, spec, REQUIRED, unknown_is_error=True)
    if errors:
        return [], errors
    positions, _errors = match_header(table[0], spec, REQUIRED)
    written = {key: cell_text(table[0][i]) for key, i in positions.items() if key in _FIELDS}
    if len(lines) > MAX_ROWS:
        message = _("Tệp có %(n)s dòng; mỗi lần chỉ nhập tối đa %(max)s dòng.") % {
            "n": format_number(len(lines)),
            "max": format_number(MAX_ROWS),
        }
        return [], file_error(message)
    rows = []
    for line in lines:
        values: dict[str, Any] = {key: line.text(key) for key in written if key != "value"}
        if "value" in written:
            values["value"] = _value_cell(line.cells.get("value"))
        rows.append(FigureRow(number=line.number, headers=written, file=file, **values))
    return rows, []


def _value_cell(value: object) -> str | Decimal:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return cell_text(value)


# Checking the rows ---------------------------------------------------------------------------


class NotANumber(ValueError):
    """A value ``parse_number`` refuses; the message says why, in Vietnamese."""


_SPACES = re.compile(r"[\s\u00a0\u202f]")
_INTEGER = re.compile(r"\d+")
_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+")  # 1.234.567
_GROUPED_DECIMAL = re.compile(r"\d{1,3}(?:\.\d{3})+,\d+")  # 1.234,5
_COMMA_DECIMAL = re.compile(r"\d+,\d+")  # 1234,5
_DOT_DECIMAL = re.compile(r"(\d+)\.(\d+)")  # 1234.5
_EXPONENT = re.compile(r"\d+(?:\.\d+)?[eE][-+]?\d+")  # 1e-05, as a spreadsheet may write it


def parse_number(text: str | Decimal) -> Decimal:
    """The value of a figure; see the module docstring for the rule. Raises ``NotANumber``."""
    number = text if isinstance(text, Decimal) else _parse_text(text)
    if not number.is_finite():
        raise NotANumber(_("“%(v)s” không phải là số.") % {"v": text})
    number = number.normalize()
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_DECIMALS:
        raise NotANumber(
            _("“%(v)s” có quá %(n)s chữ số sau dấu thập phân.") % {"v": text, "n": MAX_DECIMALS}
        )
    if abs(number) >= Decimal(10) ** MAX_WHOLE_DIGITS:
        raise NotANumber(_("“%(v)s” quá lớn.") % {"v": text})
    return number + 0  # normalises -0 to 0


def _parse_text(text: str) -> Decimal:
    compact = _SPACES.sub("", text).replace("\u2212", "-")
    sign, body = "", compact
    if body[:1] in ("-", "+"):
        sign, body = ("-" if body[0] == "-" else ""), body[1:]
    if not body:
        raise NotANumber(_("chưa có giá trị."))
    if _INTEGER.fullmatch(body) or _EXPONENT.fullmatch(body):
        plain = body
    elif _GROUPED_DECIMAL.fullmatch(body):
        plain = body.replace(".", "").replace(",", ".")
    elif _COMMA_DECIMAL.fullmatch(body):
        plain = body.replace(",", ".")
    elif match := _DOT_DECIMAL.fullmatch(body):
        whole, decimals = match.groups()
        if len(decimals) == 3 and len(whole) <= 3 and whole != "0":
            raise NotANumber(
                _(
                    "“%(v)s” không rõ nghĩa: dấu chấm ngăn hàng nghìn (%(grouped)s) hay là dấu "
                    "thập phân (%(decimal)s)? Hãy viết “%(grouped)s” hoặc “%(decimal)s”."
                )
                % {"v": text, "grouped": whole + decimals, "decimal": f"{whole},{decimals}"}
            )
        plain = body
    elif _GROUPED.fullmatch(body):
        plain = body.replace(".", "")
    else:
        hint = _(
            "Hãy viết kiểu Việt Nam (1.234,5: dấu chấm ngăn hàng nghìn, dấu phẩy trước phần thập "
            "phân) hoặc không ngăn hàng nghìn (1234.5 hay 1234,5)."
        )
        if re.fullmatch(r"[\d.,]+", body):
            raise NotANumber(
                _("cách viết số “%(v)s” không rõ nghĩa. %(hint)s") % {"v": text, "hint": hint}
            )
        raise NotANumber(_("“%(v)s” không phải là số. %(hint)s") % {"v": text, "hint": hint})
    return Decimal(sign + plain)


_TRUE = {"x", "1", "co", "yes", "true", "minh hoa", "so lieu minh hoa"}
_FALSE = {"", "0", "khong", "no", "false"}

Where = Callable[[FigureRow, str], str]


def row_where(row: FigureRow, column: str) -> str:
    """“Dòng 3, cột “value””, or “observations.csv, dòng 3, cột “value”” in a folder."""
    if row.file:
        return _("%(file)s, dòng %(row)s, cột “%(column)s”") % {
            "file": row.file,
            "row": row.number,
            "column": column,
        }
    return _("Dòng %(row)s, cột “%(column)s”") % {"row": row.number, "column": column}


@dataclass
class _Checker:
    """What rows are checked against: indicators, places and the other rows of the file."""

    indicators: dict[str, Indicator]  # by lower-case code and by folded name
    places: PlaceIndex
    where: Where
    errors: list[tuple[int, int, RowError]] = field(default_factory=list)  # with a sort key
    seen: dict[tuple[int, int, int], int] = field(default_factory=dict)  # key → first row

    def error(self, row: FigureRow, name: str, detail: str) -> None:
        column = row.headers.get(name, name)
        message = f"{self.where(row, column)}: {detail}"
        error = RowError(row.number, column, message, row.file or None)
        self.errors.append((row.number, _FIELDS.index(name), error))

    def indicator(self, row: FigureRow) -> Indicator | None:
        if not row.indicator_code:
            self.error(row, "indicator_code", _("chưa có mã chỉ tiêu."))
            return None
        found = self.indicators.get(row.indicator_code.lower()) or self.indicators.get(
            fold(row.indicator_code)
        )
        if found is None:
            codes = sorted({i.code for i in self.indicators.values()})
            known = ", ".join(f"“{c}”" for c in codes[:30]) + ("…" if len(codes) > 30 else "")
            self.error(
                row,
                "indicator_code",
                _("không có chỉ tiêu mã “%(code)s”. Các chỉ tiêu: %(known)s.")
                % {"code": row.indicator_code, "known": known or _("(chưa có chỉ tiêu nào)")},
            )
        return found

    def place(self, row: FigureRow) -> Place | None:
        if not row.place:
            self.error(row, "place", _("chưa có địa danh (tên hoặc mã)."))
            return None
        matches = self.places.find(row.place)
        if not matches:
            self.error(
                row,
                "place",
                _("không có địa danh “%(place)s” (theo tên hoặc mã).") % {"place": row.place},
            )
            return None
        if len(matches) > 1:
            choices = "; ".join(
                _("%(name)s (mã %(code)s)") % {"name": p.full_name, "code": p.code} for p in matches
            )
            self.error(
                row,
                "place",
                _(
                    "“%(place)s” là tên của nhiều địa danh: %(choices)s. Hãy ghi mã hoặc tên "
                    "đầy đủ (ví dụ “%(example)s”)."
                )
                % {"place": row.place, "choices": choices, "example": matches[0].full_name},
            )
            return None
        return matches[0]

    def year(self, row: FigureRow) -> int | None:
        if not row.year:
            self.error(row, "year", _("chưa có năm."))
            return None
        if not _INTEGER.fullmatch(row.year):
            self.error(
                row, "year", _("“%(y)s” không phải là một năm (ví dụ 2019).") % {"y": row.year}
            )
            return None
        year = int(row.year)
        if not MIN_YEAR <= year <= MAX_YEAR:
            self.error(
                row,
                "year",
                _("năm “%(y)s” không hợp lệ: năm phải từ %(min)s đến %(max)s.")
                % {"y": row.year, "min": MIN_YEAR, "max": MAX_YEAR},
            )
            return None
        return year

    def value(self, row: FigureRow) -> Decimal | None:
        try:
            return parse_number(row.value)
        except NotANumber as exc:
            self.error(row, "value", str(exc))
            return None

    def text(self, row: FigureRow, name: str) -> str:
        value: str = getattr(row, name)
        if len(value) > MAX_TEXT:
            self.error(row, name, _("dài quá %(n)s ký tự.") % {"n": MAX_TEXT})
        return value

    def is_sample(self, row: FigureRow) -> bool:
        key = fold(row.is_sample)
        if key in _FALSE:
            return False
        if key not in _TRUE:
            self.error(
                row,
                "is_sample",
                _(
                    "“%(v)s” không hiểu được: ghi “x”, “1” hoặc “có” nếu là số liệu minh họa, để "
                    "trống nếu không."
                )
                % {"v": row.is_sample},
            )
        return True

    def unique(self, row: FigureRow, key: tuple[int, int, int]) -> None:
        first = self.seen.setdefault(key, row.number)
        if first != row.number:
            self.error(
                row,
                "year",
                _(
                    "số liệu trùng với dòng %(other)s: cùng chỉ tiêu, địa danh và năm. Mỗi số liệu "
                    "chỉ ghi một lần."
                )
                % {"other": first},
            )

    def sorted_errors(self) -> list[RowError]:
        """By row, then in the order of the columns (rows of one file keep the file's order)."""
        return [error for _row, _col, error in sorted(self.errors, key=lambda e: e[:2])]


def validate(
    rows: Sequence[FigureRow],
    *,
    where: Where = row_where,
    places: PlaceIndex | None = None,
) -> tuple[list[ObservationSpec], list[RowError]]:
    """The figures to save, or every error found in the rows (then no specs at all).

    ``where`` says how an error names its place: "Dòng 3, cột “value”" for a file by default.
    """
    known = list(Indicator.objects.all())
    indicators = {i.name_folded: i for i in known}
    indicators.update({i.code.lower(): i for i in known})  # a code wins over a name
    check = _Checker(indicators, places or PlaceIndex.load(), where)
    specs = []
    for row in rows:
        if row.note == EXAMPLE_NOTE:
            check.error(
                row,
                "note",
                _("đây là dòng ví dụ của tệp mẫu; hãy thay bằng số liệu thật hoặc xóa dòng này."),
            )
            continue
        indicator, place = check.indicator(row), check.place(row)
        year, value = check.year(row), check.value(row)
        source, note = check.text(row, "source"), check.text(row, "note")
        is_sample = check.is_sample(row) or not source
        if indicator is None or place is None or year is None:
            continue
        check.unique(row, (indicator.pk, place.pk, year))
        if value is not None:
            specs.append(ObservationSpec(indicator, place, year, value, source, note, is_sample))
    if check.errors:
        return [], check.sorted_errors()
    return specs, []


# Writing ---------------------------------------------------------------------------------------


def import_observations(
    file_bytes: bytes,
    filename: str,
    *,
    acting_user: AnyUser,
    dry_run: bool = False,
) -> FigureImportResult:
    """Check the whole file, then add and revise all its figures in one transaction, or none.

    The figures go to the working set; the public sees them once an edition is published.
    """
    rows, errors = parse_rows(file_bytes, filename)
    if errors:
        return FigureImportResult(0, 0, capped(errors))
    return save_rows(rows, acting_user=acting_user, source_file=filename, dry_run=dry_run)


def save_rows(
    rows: Sequence[FigureRow],
    *,
    acting_user: AnyUser,
    source_file: str = "",
    dry_run: bool = False,
    where: Where = row_where,
) -> FigureImportResult:
    """Validate ``rows`` and save them through ``do_save_observations``: all or nothing."""
    try:
        with transaction.atomic():
            specs, errors = validate(rows, where=where)
            if errors:
                return FigureImportResult(0, 0, capped(errors))
            added, revised = do_save_observations(
                specs, acting_user=acting_user, source_file=source_file
            )
            if dry_run:
                transaction.set_rollback(True)  # counted exactly, then nothing is kept
    except IntegrityError:
        # Someone added one of these figures between our check and our write.
        message = _("Số liệu vừa được người khác thay đổi trong lúc nhập; hãy nhập lại tệp.")
        return FigureImportResult(0, 0, capped(file_error(message)))
    return FigureImportResult(added, revised, capped([]))


# Templates ---------------------------------------------------------------------------------------


# The template's example rows: figures nobody published, so marked sample ("x"), and refused
# by the import if they come back unchanged (a template uploaded as downloaded).
EXAMPLE_NOTE = "dòng ví dụ của tệp mẫu: thay bằng số liệu thật hoặc xóa dòng này"


def _example_rows() -> list[list[str]]:
    indicator = Indicator.objects.order_by("name").first()
    code = indicator.code if indicator else "dan-so"
    return [
        [code, "Huyện Nghi Lộc", "2019", "1.234,5", "", EXAMPLE_NOTE, "x"],
        [code, "412", "2019", "1234.5", "", EXAMPLE_NOTE, "x"],
    ]


def template_csv() -> bytes:
    """The CSV to fill in: the header and two example rows."""
    return table_csv(TEMPLATE_HEADER, _example_rows())


def template_xlsx() -> bytes:
    """The workbook to fill in: sheet "Số liệu" (every cell text, so "1.234,5" stays as typed)
    and, for reference, the indicators with their codes."""
    columns = [xlsx.Column(header, 18, typed_as_text=True) for header in TEMPLATE_HEADER]
    indicators = xlsx.Sheet(
        _("Chỉ tiêu"),
        [
            xlsx.Column(_("Mã chỉ tiêu"), 18),
            xlsx.Column(_("Tên chỉ tiêu"), 36),
            xlsx.Column(_("Đơn vị tính")),
        ],
        [[i.code, i.name, i.unit] for i in Indicator.objects.order_by("name", "code")],
    )
    return xlsx.template_xlsx(xlsx.Sheet(SHEET_NAME, columns, _example_rows()), others=[indicators])
