"""Figures of the gazetteer: the reads behind indicator and place pages and their downloads, and
the import of observations from a CSV or .xlsx file (or the API), validated all or nothing.

Reads show what an ``Edition`` froze (``EditionObservation``), never the working figures, so a
page, its CSV and its .xlsx always agree with each other and with the edition's citation.

The import reuses the structure import's file handling (``tinhuy.org.importing``: size limit,
CSV decoding with its non-UTF-8 message, the error type) and adds the figure columns:
``indicator_code``, ``place`` (name or code), ``year``, ``value``, ``source``, ``note`` and the
optional ``is_sample``. Every error names the spreadsheet row (header = row 1) and column.

Numbers in the ``value`` column (``parse_number``):
- digits with a dot as decimal point: ``1234.5``; or the Vietnamese way, dots grouping thousands
  and a comma before the decimals: ``1.234,5``, ``1.234.567``;
- a comma is the decimal separator when the value also has dots as thousands separators
  (``1.234,5``) or has exactly one comma (``1234,5``, and so ``1,5``);
- ambiguous values are refused rather than guessed: a single dot followed by exactly three
  digits (``1.234``: one thousand two hundred and thirty-four, or one point two three four?),
  several commas (``1,234,567``) and the English mix ``1,234.5``;
- spaces between digit groups are ignored; at most 4 decimals and 16 digits before them.

A figure without a source is by definition not from a cited source: it is stored and shown as
sample data ("số liệu minh họa") whatever its ``is_sample`` cell says.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from tinhuy.documents.xlsx import Column, table_xlsx
from tinhuy.gazetteer.actions import ObservationSpec, do_save_observations
from tinhuy.gazetteer.models import Edition, EditionObservation, Indicator, Place, PlaceKind
from tinhuy.org.importing import (
    _OLE_MAGIC,
    _ZIP_MAGIC,
    RowError,
    _cell_text,
    _not_a_table,
    _read_csv,
    size_error,
)
from tinhuy.search.text import fold

if TYPE_CHECKING:
    from tinhuy.org.actions import AnyUser

MIN_YEAR, MAX_YEAR = 1800, 2100
MAX_DECIMALS, MAX_WHOLE_DIGITS = 4, 16  # Observation.value: max_digits=20, decimal_places=4
MAX_TEXT = 500  # Observation.source and .note
MAX_ROWS = 100_000  # a year's figures for every unit of the province fit many times over
# Tables list the province first, then the district level, then communes and wards.
KIND_RANK: dict[str, int] = {
    kind.value: rank
    for rank, kind in enumerate(
        [
            PlaceKind.PROVINCE,
            PlaceKind.CITY,
            PlaceKind.TOWN,
            PlaceKind.DISTRICT,
            PlaceKind.WARD,
            PlaceKind.COMMUNE,
            PlaceKind.SPECIAL_ZONE,
        ]
    )
}

# Display ------------------------------------------------------------------------------------


def format_value(value: Decimal | int | float | str) -> str:
    """A figure the Vietnamese way: dots group thousands, a comma before the decimals, all the
    significant decimals and no trailing zero (1234.50 → "1.234,5"), whatever the UI language."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(number)
    text = f"{abs(number).normalize():f}"
    whole, _sep, decimals = text.partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    sign = "-" if number < 0 else ""
    return sign + ".".join(groups) + ("," + decimals if decimals else "")


def shown_as_sample(is_sample: bool, source: str) -> bool:
    """Whether a figure carries the "số liệu minh họa" badge: flagged, or with no source."""
    return is_sample or not source.strip()


# Reads --------------------------------------------------------------------------------------


def indicators_in(edition: Edition | None) -> QuerySet[Indicator]:
    """Indicators with at least one figure in the edition, by name (an index lookup each)."""
    if edition is None:
        return Indicator.objects.none()
    has_figures = EditionObservation.objects.filter(edition=edition, indicator=OuterRef("pk"))
    return Indicator.objects.filter(Exists(has_figures)).order_by("name", "code")


def get_indicator(edition: Edition, code: str) -> Indicator:
    """The indicator if the edition has figures for it; 404 otherwise (an unknown code, or an
    indicator the edition never published: its page would be empty)."""
    indicator = indicators_in(edition).filter(code=code[:64]).first()
    if indicator is None:
        raise Http404("No such indicator in this edition.")
    return indicator


def get_place(code: str) -> Place:
    place = Place.objects.filter(code=code[:16]).first()
    if place is None:
        raise Http404("No such place.")
    return place


def indicator_figures(edition: Edition, indicator: Indicator) -> list[EditionObservation]:
    """The indicator's figures in the edition: the province first, then the district level,
    then communes and wards, each in dictionary order; then by year."""
    rows = (
        EditionObservation.objects.filter(edition=edition, indicator=indicator)
        .select_related("place", "indicator")
        .order_by("place__name_sort", "place__code", "year")
    )
    return sorted(rows, key=lambda o: KIND_RANK.get(o.place.kind, 99))  # stable: keeps the rest


def place_figures(edition: Edition, place: Place) -> list[EditionObservation]:
    """The place's figures in the edition, by indicator name then year."""
    return list(
        EditionObservation.objects.filter(edition=edition, place=place)
        .select_related("place", "indicator")
        .order_by("indicator__name", "indicator__code", "year")
    )


@dataclass(frozen=True)
class Cell:
    """One figure in a table: the value as Vietnamese read it, and where it comes from."""

    year: int
    value: Decimal
    display: str
    source: str
    note: str
    is_sample: bool


@dataclass(frozen=True)
class PlaceSeries:
    place: Place
    cells: list[Cell | None]  # one per year of the table, None where there is no figure


@dataclass(frozen=True)
class IndicatorTable:
    """Place × year: ``years`` are the columns, every series has one cell per year."""

    years: list[int]
    series: list[PlaceSeries]

    @property
    def has_sample(self) -> bool:
        return any(c is not None and c.is_sample for s in self.series for c in s.cells)

    @property
    def sources(self) -> list[str]:
        """The distinct cited sources of the table, in order of first appearance."""
        seen: dict[str, None] = {}
        for s in self.series:
            for c in s.cells:
                if c is not None and c.source:
                    seen.setdefault(c.source, None)
        return list(seen)

    def chart_data(self) -> dict[str, Any]:
        """What ``static/gazetteer/figures.js`` draws: one line per place over the years."""
        return {
            "years": self.years,
            "series": [
                {
                    "code": s.place.code,
                    "place": s.place.full_name,
                    "values": [float(c.value) if c else None for c in s.cells],
                    "labels": [c.display if c else None for c in s.cells],
                    "sample": [bool(c and c.is_sample) for c in s.cells],
                }
                for s in self.series
            ],
        }


def cell(o: EditionObservation) -> Cell:
    return Cell(
        o.year,
        o.value,
        format_value(o.value),
        o.source,
        o.note,
        shown_as_sample(o.is_sample, o.source),
    )


def indicator_table(figures: Sequence[EditionObservation]) -> IndicatorTable:
    """The table of an indicator's figures (as ``indicator_figures`` orders them)."""
    years = sorted({o.year for o in figures})
    column = {year: i for i, year in enumerate(years)}
    series: dict[int, PlaceSeries] = {}
    for o in figures:
        row = series.get(o.place_id)
        if row is None:
            row = series[o.place_id] = PlaceSeries(o.place, [None] * len(years))
        row.cells[column[o.year]] = cell(o)
    return IndicatorTable(years, list(series.values()))


# Downloads ----------------------------------------------------------------------------------

# The download's columns. ``indicator_code``, ``place`` (the code), ``year``, ``value``,
# ``source``, ``note`` and ``is_sample`` are the import's columns, the others are there to be
# read and the import ignores them: a downloaded file, corrected, imports back as it is.
DOWNLOAD_COLUMNS = [
    Column("indicator_code", 16),
    Column("indicator_name", 28),
    Column("unit", 10),
    Column("place", 8),
    Column("place_name", 26),
    Column("year", 8, "int"),
    Column("value", 14),
    Column("source", 36),
    Column("note", 24),
    Column("is_sample", 10),
]


def _download_row(o: EditionObservation) -> list[object]:
    return [
        o.indicator.code,
        o.indicator.name,
        o.indicator.unit,
        o.place.code,
        o.place.full_name,
        o.year,
        o.value.normalize(),
        o.source,
        o.note,
        "x" if shown_as_sample(o.is_sample, o.source) else "",
    ]


def figures_csv(figures: Iterable[EditionObservation]) -> bytes:
    """UTF-8 with a BOM (so Excel shows the Vietnamese letters); values with a dot as decimal
    point and no grouping (``1234.5``), which the import reads back; ``x`` marks sample data."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in DOWNLOAD_COLUMNS])
    for o in figures:
        row = _download_row(o)
        row[6] = f"{row[6]:f}"  # Decimal("1E+3") would be written "1E+3"
        writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def figures_xlsx(figures: Iterable[EditionObservation], *, sheet_title: str) -> bytes:
    """The same table as an .xlsx, values as numbers (Excel shows them in the reader's locale)."""
    # Excel refuses these characters in a sheet name ("Thu nhập/người").
    title = re.sub(r"[\[\]:*?/\\]", " ", sheet_title).strip() or SHEET_NAME
    return table_xlsx(DOWNLOAD_COLUMNS, (_download_row(o) for o in figures), sheet_title=title)


# Import: reading the file -------------------------------------------------------------------

# Field → accepted headers, matched folded (case, marks, đ/d); the first is the one we write.
COLUMNS: dict[str, tuple[str, ...]] = {
    "indicator_code": ("indicator_code", "Mã chỉ tiêu", "chỉ tiêu"),
    "place": ("place", "Địa danh", "Mã địa danh"),
    "year": ("year", "Năm"),
    "value": ("value", "Giá trị"),
    "source": ("source", "Nguồn"),
    "note": ("note", "Ghi chú"),
    "is_sample": ("is_sample", "Số liệu minh họa", "Minh họa"),
}
REQUIRED = ("indicator_code", "place", "year", "value")
# Columns of our own downloads that the import reads past.
IGNORED = ("indicator_name", "Tên chỉ tiêu", "unit", "Đơn vị tính", "place_name", "Tên địa danh")
SHEET_NAME = "Số liệu"


@dataclass(frozen=True)
class FigureRow:
    """One row to import, cells stripped. ``number`` is the spreadsheet row (or the position
    in an API list, from 1); ``headers`` maps each field to the column name the user sees."""

    number: int
    indicator_code: str
    place: str
    year: str
    value: str | Decimal  # a number cell of an .xlsx stays a number: it is never ambiguous
    source: str = ""
    note: str = ""
    is_sample: str = ""
    headers: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class FigureError(RowError):
    """A ``RowError`` that also knows the field (for the API's ``loc``)."""

    field: str | None = None


@dataclass(frozen=True)
class FigureImportResult:
    """``added``/``revised``: figures written (with ``dry_run``: that would be); 0 on error."""

    added: int
    revised: int
    errors: list[RowError]


def parse_rows(file_bytes: bytes, filename: str) -> tuple[list[FigureRow], list[RowError]]:
    """The data rows of a CSV or .xlsx file, or the errors that stop it from being read.

    As the structure import: the content tells the format, empty rows are skipped but counted.
    """
    if file_bytes.startswith(_ZIP_MAGIC):
        table, error = _read_xlsx(file_bytes)
    elif file_bytes.startswith(_OLE_MAGIC):
        table, error = [], _("Tệp Excel 97–2003 (.xls) không được hỗ trợ; hãy lưu lại thành .xlsx.")
    elif filename.lower().endswith((".xlsx", ".xlsm")) or b"\x00" in file_bytes:
        table, error = [], _not_a_table(filename)
    else:
        table, error = _read_csv(file_bytes)  # type: ignore[assignment]
    if error is not None:
        return [], [RowError(None, None, error)]
    return _rows_from_table(table)


def _read_xlsx(file_bytes: bytes) -> tuple[list[list[object]], str | None]:
    """The cells of sheet "Số liệu" (or of the first sheet), numbers kept as numbers.

    Not ``importing._read_xlsx``: that one looks for the structure's sheet and turns every
    cell into text, and a value of 1.234 typed as a number must not read as the text "1.234".
    """
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(file_bytes), read_only=True, data_only=True)
    except Exception:  # a damaged archive raises any of a dozen error types, none of them ours
        return [], _("Tệp không đọc được như một bảng tính .xlsx; hãy mở bằng Excel và lưu lại.")
    try:
        sheets = workbook.worksheets
        if not sheets:
            return [], _("Tệp .xlsx không có trang tính nào.")
        sheet = next((ws for ws in sheets if fold(ws.title) == fold(SHEET_NAME)), sheets[0])
        sheet.reset_dimensions()  # some programs write a wrong size; read every cell there is
        return [list(row) for row in sheet.iter_rows(values_only=True)], None
    finally:
        workbook.close()


def _value_cell(value: object) -> str | Decimal:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return _cell_text(value)


def _rows_from_table(table: Sequence[Sequence[object]]) -> tuple[list[FigureRow], list[RowError]]:
    if not table:
        return [], [RowError(None, None, _("Tệp trống: không có dòng tiêu đề."))]
    header = [_cell_text(cell) for cell in table[0]]
    positions, errors = _match_header(header)
    if errors:
        return [], errors
    headers = {name: header[i] for name, i in positions.items()}
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values: dict[str, Any] = {}
        for name, i in positions.items():
            raw = cells[i] if i < len(cells) else None
            values[name] = _value_cell(raw) if name == "value" else _cell_text(raw)
        if any(v != "" for v in values.values()):
            rows.append(FigureRow(number=number, headers=headers, **values))
    if not rows:
        return [], [RowError(None, None, _("Tệp không có dòng dữ liệu nào dưới dòng tiêu đề."))]
    if len(rows) > MAX_ROWS:
        message = _("Tệp có %(n)s dòng; mỗi lần chỉ nhập tối đa %(max)s dòng.") % {
            "n": len(rows),
            "max": MAX_ROWS,
        }
        return [], [RowError(None, None, message)]
    return rows, []


def _match_header(cells: Sequence[str]) -> tuple[dict[str, int], list[RowError]]:
    """Column position of each field; unknown, repeated and missing headers are errors."""
    by_folded = {fold(h): name for name, headers in COLUMNS.items() for h in headers}
    ignored = {fold(h) for h in IGNORED}
    expected = ", ".join(f"“{COLUMNS[name][0]}”" for name in COLUMNS)
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    for index, cell in enumerate(cells):
        key = fold(cell)
        if not cell or key in ignored:
            continue
        name = by_folded.get(key)
        if name is None:
            message = _(
                "Dòng 1, cột “%(found)s”: tiêu đề này không được nhận ra. Các cột: %(expected)s "
                "(“is_sample”, “source”, “note” có thể bỏ)."
            ) % {"found": cell, "expected": expected}
            errors.append(FigureError(1, cell, message))
        elif name in positions:
            message = _("Dòng 1, cột “%(column)s”: cột này có hai lần.") % {"column": cell}
            errors.append(FigureError(1, cell, message, name))
        else:
            positions[name] = index
    found = ", ".join(f"“{cell}”" for cell in cells if cell) or _("(không có)")
    for name in REQUIRED:
        if name not in positions:
            header = COLUMNS[name][0]
            message = _(
                "Dòng 1, cột “%(column)s”: thiếu cột này. Các cột cần có: %(expected)s; tệp có "
                "các cột: %(found)s."
            ) % {"column": header, "expected": expected, "found": found}
            errors.append(FigureError(1, header, message, name))
    return positions, errors


# Import: checking the rows ------------------------------------------------------------------


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


def _file_where(row: int, column: str) -> str:
    return _("Dòng %(row)s, cột “%(column)s”") % {"row": row, "column": column}


@dataclass
class _Checker:
    """What rows are checked against: indicators, places and the other rows of the file."""

    indicators: dict[str, Indicator]  # by lower-case code and by folded name
    places: PlaceIndex
    where: Callable[[int, str], str]
    errors: list[RowError] = field(default_factory=list)
    seen: dict[tuple[int, int, int], int] = field(default_factory=dict)  # key → first row

    def error(self, row: FigureRow, name: str, detail: str) -> None:
        column = row.headers.get(name, name)
        message = f"{self.where(row.number, column)}: {detail}"
        self.errors.append(FigureError(row.number, column, message, name))

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


class PlaceIndex:
    """Places by code, by folded name and by folded full name ("huyen nghi loc")."""

    def __init__(self, places: Iterable[Place]) -> None:
        self.by_code: dict[str, Place] = {}
        self.by_key: dict[str, list[Place]] = {}
        for place in places:
            self.by_code[place.code] = place
            for key in {place.name_folded, fold(place.full_name)}:
                self.by_key.setdefault(key, []).append(place)

    @classmethod
    def load(cls) -> PlaceIndex:
        return cls(Place.objects.all())

    def find(self, text: str) -> list[Place]:
        """The place with that code, or every place with that name (more than one: ambiguous)."""
        if text in self.by_code:
            return [self.by_code[text]]
        return list(self.by_key.get(fold(text), []))


def validate(
    rows: Sequence[FigureRow], *, where: Callable[[int, str], str] = _file_where
) -> tuple[list[ObservationSpec], list[RowError]]:
    """The figures to save, or every error found in the rows (then no specs at all).

    ``where`` says how an error names its place: "Dòng 3, cột “value”" for a file by default.
    """
    known = list(Indicator.objects.all())
    indicators = {i.name_folded: i for i in known}
    indicators.update({i.code.lower(): i for i in known})  # a code wins over a name
    check = _Checker(indicators, PlaceIndex.load(), where)
    specs = []
    for row in rows:
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
        order = list(COLUMNS)

        def position(e: RowError) -> tuple[int, int]:
            name = getattr(e, "field", None)
            return (e.row or 0, order.index(name) if name in order else 0)

        check.errors.sort(key=position)
        return [], check.errors
    return specs, []


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
    error = size_error(len(file_bytes))
    if error is not None:
        return FigureImportResult(0, 0, [error])
    rows, errors = parse_rows(file_bytes, filename)
    if errors:
        return FigureImportResult(0, 0, errors)
    return save_rows(rows, acting_user=acting_user, source_file=filename, dry_run=dry_run)


def save_rows(
    rows: Sequence[FigureRow],
    *,
    acting_user: AnyUser,
    source_file: str = "",
    dry_run: bool = False,
    where: Callable[[int, str], str] = _file_where,
) -> FigureImportResult:
    """Validate ``rows`` and save them through ``do_save_observations``: all or nothing."""
    try:
        with transaction.atomic():
            specs, errors = validate(rows, where=where)
            if errors:
                return FigureImportResult(0, 0, errors)
            added, revised = do_save_observations(
                specs, acting_user=acting_user, source_file=source_file
            )
            if dry_run:
                transaction.set_rollback(True)  # counted exactly, then nothing is kept
    except IntegrityError:
        # Someone added one of these figures between our check and our write.
        message = _("Số liệu vừa được người khác thay đổi trong lúc nhập; hãy nhập lại tệp.")
        return FigureImportResult(0, 0, [RowError(None, None, message)])
    return FigureImportResult(added, revised, [])


# Templates ----------------------------------------------------------------------------------

TEMPLATE_HEADER = [COLUMNS[name][0] for name in COLUMNS]


def _example_rows() -> list[list[str]]:
    indicator = Indicator.objects.order_by("name").first()
    code = indicator.code if indicator else "dan-so"
    return [
        [code, "Huyện Nghi Lộc", "2019", "1.234,5", "Niên giám thống kê tỉnh Nghệ An 2019", "", ""],
        [code, "412", "2019", "1234.5", "", "ước tính", "x"],
    ]


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADER)
    writer.writerows(_example_rows())
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    return table_xlsx(
        [Column(h, 18) for h in TEMPLATE_HEADER], _example_rows(), sheet_title=SHEET_NAME
    )
