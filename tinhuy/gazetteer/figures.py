"""Figures of the gazetteer: the reads behind indicator and place pages and their downloads.

Reads show what an ``Edition`` froze (``EditionObservation``), never the working figures, so a
page, its CSV and its .xlsx always agree with each other and with the edition's citation: a
place's page and its downloads run the same query (``place_figures``), and so do an indicator's.
Downloads go through ``tinhuy.documents`` (every text cell neutralised: an indicator, a place, a
source or a note starting with "=" is never a live formula in the reader's spreadsheet).

The import of figures is ``tinhuy.gazetteer.imports.figures``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from tinhuy.documents.csvfile import table_csv
from tinhuy.documents.numbers import format_number
from tinhuy.documents.xlsx import Column, table_xlsx
from tinhuy.gazetteer.models import Edition, EditionObservation, Indicator, Place, PlaceKind

MIN_YEAR, MAX_YEAR = 1800, 2100
# The download's ``is_sample`` cell of a sample figure: read by people, and by the import as "x".
SAMPLE_LABEL = "số liệu minh họa"
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


def places_with_figures(edition: Edition | None) -> list[Place]:
    """The places with at least one figure in the edition: the province first, then the
    district level, then communes and wards, each in dictionary order (one query)."""
    if edition is None:
        return []
    has_figures = EditionObservation.objects.filter(edition=edition, place=OuterRef("pk"))
    rows = Place.objects.filter(Exists(has_figures)).order_by("name_sort", "code")
    return sorted(rows, key=lambda p: KIND_RANK.get(p.kind, 99))  # stable: keeps the rest


def all_places(edition: Edition) -> list[Place]:
    """Every place, each annotated ``has_figures`` (in the edition), in the order above."""
    has_figures = EditionObservation.objects.filter(edition=edition, place=OuterRef("pk"))
    rows = Place.objects.annotate(has_figures=Exists(has_figures)).order_by("name_sort", "code")
    return sorted(rows, key=lambda p: KIND_RANK.get(p.kind, 99))


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
    """The place's figures in the edition, by indicator name then year: the one query behind
    the place's page (``figures_by_indicator``) and its CSV and .xlsx downloads."""
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
class IndicatorFigures:
    """A place's figures of one indicator, for its page: the latest year first."""

    indicator: Indicator
    cells: list[Cell]


def figures_by_indicator(figures: Sequence[EditionObservation]) -> list[IndicatorFigures]:
    """``place_figures`` grouped by indicator (in its order), each group's latest year first."""
    groups: dict[int, IndicatorFigures] = {}
    for o in figures:
        group = groups.get(o.indicator_id)
        if group is None:
            group = groups[o.indicator_id] = IndicatorFigures(o.indicator, [])
        group.cells.append(cell(o))
    for group in groups.values():
        group.cells.reverse()
    return list(groups.values())


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
        format_number(o.value),
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


# Charts -------------------------------------------------------------------------------------
#
# A place's page draws each indicator over the years as a small SVG line chart, computed here
# and written by ``gazetteer/_public_chart.html``: no script, so it shows on any phone and in
# print. Sample figures are hollow points, and the chart says "số liệu minh họa" in its legend.

CHART_WIDTH, CHART_HEIGHT = 320, 150
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 62, 8, 12, 40  # room for the axes' labels
CHART_INSET = 16


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    year: int
    display: str  # "340.000"
    is_sample: bool


@dataclass(frozen=True)
class Tick:
    at: float  # x or y in the chart's coordinates
    label: str


@dataclass(frozen=True)
class LineChart:
    """What ``gazetteer/_public_chart.html`` draws: coordinates in a 320 × 150 box."""

    width: int
    height: int
    points: list[ChartPoint]
    y_ticks: list[Tick]
    plot_left: int
    plot_right: int
    plot_bottom: int
    legend_y: int

    @property
    def line(self) -> str:
        """The polyline's points attribute: "x,y x,y …"."""
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)

    @property
    def has_sample(self) -> bool:
        return any(p.is_sample for p in self.points)


def _nice_step(span: float, count: int) -> float:
    """A round step (1, 2 or 5 × 10ⁿ) giving about ``count`` intervals over ``span``."""
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def line_chart(cells: Sequence[Cell]) -> LineChart | None:
    """The chart of an indicator's figures over the years (in any order); None under two years
    (one point is no line: the table says it)."""
    cells = sorted(cells, key=lambda c: c.year)
    if len({c.year for c in cells}) < 2:
        return None
    values = [float(c.value) for c in cells]
    low, high = min(values), max(values)
    if low == high:  # a flat line: a band around it
        low, high = low - (abs(low) or 1) * 0.1, high + (abs(high) or 1) * 0.1
    step = _nice_step(high - low, 3)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    left, right = CHART_LEFT, CHART_WIDTH - CHART_RIGHT
    top, bottom = CHART_TOP, CHART_HEIGHT - CHART_BOTTOM
    first, last = cells[0].year, cells[-1].year

    def x(year: int) -> float:
        # The first and last points stand in from the edges: their years are centred under them.
        inset = CHART_INSET
        return left + inset + (right - left - 2 * inset) * (year - first) / (last - first)

    def y(value: float) -> float:
        return bottom - (bottom - top) * (value - low) / (high - low)

    ticks = []
    value = low
    while value <= high + step / 2:
        ticks.append(Tick(y(value), format_number(Decimal(str(round(value, 6))))))
        value += step
    return LineChart(
        CHART_WIDTH,
        CHART_HEIGHT,
        [ChartPoint(x(c.year), y(float(c.value)), c.year, c.display, c.is_sample) for c in cells],
        ticks,
        left,
        right,
        bottom,
        CHART_HEIGHT - 6,
    )


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
        SAMPLE_LABEL if shown_as_sample(o.is_sample, o.source) else "",
    ]


def figures_csv(figures: Iterable[EditionObservation]) -> bytes:
    """UTF-8 with a BOM (so Excel shows the Vietnamese letters); values with a dot as decimal
    point and no grouping (``1234.5``), which the import reads back; "số liệu minh họa" marks
    sample data (the import reads it as sample again)."""

    def row(o: EditionObservation) -> list[object]:
        values = _download_row(o)
        values[6] = f"{values[6]:f}"  # Decimal("1E+3") would be written "1E+3"
        return values

    return table_csv([c.header for c in DOWNLOAD_COLUMNS], (row(o) for o in figures))


def figures_xlsx(figures: Iterable[EditionObservation], *, sheet_title: str) -> bytes:
    """The same table as an .xlsx, values as numbers (Excel shows them in the reader's locale);
    the sheet is named after the indicator or place (made a valid, inert sheet name)."""
    return table_xlsx(
        DOWNLOAD_COLUMNS, (_download_row(o) for o in figures), sheet_title=sheet_title
    )
