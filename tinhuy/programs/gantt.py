"""The timeline of a programme (a Gantt chart) as server-rendered SVG: no script, no library.

One row per node of the tree (``queries.tree``, pruned to what the user sees): a task's plan bar
from its start to its due date, filled as far as its progress; under it, once the programme is
approved, the baseline's bar (the plan as approved); a field's or an item's bar spans its
children's dates. Milestones are diamonds (filled once done); a red line marks today; the axis
shows years and quarters. Every text is escaped; every width is computed here from the dates.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tinhuy.programs.models import BaselineNode, Milestone, NodeKind, Programme
from tinhuy.programs.queries import Tree, TreeNode, dmy

LABEL_WIDTH = 240  # the names' column, px
DAY_WIDTH = Decimal("0.5")  # px per day: a year is about 183 px
ROW_HEIGHT = 30
AXIS_HEIGHT = 40
BAR_HEIGHT = 10
BASELINE_HEIGHT = 5
LABEL_CHARS = 34  # a longer name is cut with "…" (the full name is in the row's title)

COLOURS = {
    "plan": "#9ec5fe",
    "done": "#0d6efd",
    "summary": "#495057",
    "baseline": "#adb5bd",
    "overdue": "#dc3545",
    "milestone": "#fd7e14",
    "today": "#dc3545",
    "grid": "#dee2e6",
}


@dataclass(frozen=True)
class MilestoneMark:
    node_id: int
    title: str
    due_on: datetime.date
    done: bool


@dataclass
class Row:
    node: TreeNode
    start: datetime.date | None
    end: datetime.date | None
    baseline: tuple[datetime.date | None, datetime.date | None] | None = None
    milestones: list[MilestoneMark] = field(default_factory=list)


@dataclass
class Chart:
    """The chart's geometry: ``x(day)`` gives a date's position."""

    first: datetime.date
    last: datetime.date
    rows: list[Row]
    today: datetime.date

    @property
    def width(self) -> int:
        return LABEL_WIDTH + self.x_offset(self.last) + 10

    @property
    def height(self) -> int:
        return AXIS_HEIGHT + ROW_HEIGHT * len(self.rows) + 4

    def x_offset(self, day: datetime.date) -> int:
        return int(Decimal((day - self.first).days) * DAY_WIDTH)

    def x(self, day: datetime.date) -> int:
        return LABEL_WIDTH + self.x_offset(day)


def milestones_of(programme: Programme, node_ids: Iterable[int]) -> list[MilestoneMark]:
    """The milestones of these nodes (one query)."""
    return [
        MilestoneMark(node_id, title, due_on, done_on is not None)
        for node_id, title, due_on, done_on in Milestone.objects.filter(
            node__programme=programme, node_id__in=list(node_ids)
        )
        .order_by("due_on", "id")
        .values_list("node_id", "title", "due_on", "done_on")
    ]


def baseline_of(
    programme: Programme,
) -> dict[int, tuple[datetime.date | None, datetime.date | None]]:
    """Each node's dates as approved (one query; empty before approval)."""
    return {
        node_id: (start, due)
        for node_id, start, due in BaselineNode.objects.filter(
            baseline__programme=programme
        ).values_list("node_id", "start_on", "due_on")
    }


def build(
    tree: Tree,
    milestones: Iterable[MilestoneMark],
    baseline: dict[int, tuple[datetime.date | None, datetime.date | None]],
    today: datetime.date,
) -> Chart | None:
    """The rows and the span of dates, or None when no node has a date at all."""
    marks: dict[int, list[MilestoneMark]] = defaultdict(list)
    for mark in milestones:
        marks[mark.node_id].append(mark)
    rows: list[Row] = []
    spans: dict[int, tuple[datetime.date | None, datetime.date | None]] = {}

    def span(node: TreeNode) -> tuple[datetime.date | None, datetime.date | None]:
        """A node's own dates, widened to its children's (a field has none of its own)."""
        starts = [node.start_on] if node.start_on else []
        ends = [node.due_on] if node.due_on else []
        for child in node.children:
            s, e = span(child)
            starts += [s] if s else []
            ends += [e] if e else []
        spans[node.id] = (min(starts) if starts else None, max(ends) if ends else None)
        return spans[node.id]

    for root in tree.roots:
        span(root)
    for node in tree.flat():
        start, end = spans[node.id]
        rows.append(Row(node, start, end, baseline.get(node.id), marks.get(node.id, [])))
    days = [today]
    for row in rows:
        days += [d for d in (row.start, row.end) if d]
        if row.baseline:
            days += [d for d in row.baseline if d]
        days += [m.due_on for m in row.milestones]
    if len(days) == 1:
        return None
    first = datetime.date(min(days).year, 1, 1)
    last = datetime.date(max(days).year, 12, 31)
    return Chart(first, last, rows, today)


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def _attrs(**values: object) -> str:
    return " ".join(
        f'{k.rstrip("_").replace("_", "-")}="{escape(str(v))}"' for k, v in values.items()
    )


def render(chart: Chart) -> SafeString:
    """The chart as an ``<svg>`` element; every text escaped."""
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" {_attrs(width=chart.width, height=chart.height)}'
        f' viewBox="0 0 {chart.width} {chart.height}" role="img"'
        f' aria-labelledby="gantt-title" class="gantt" font-family="sans-serif" font-size="12">',
        f'<title id="gantt-title">{escape(_("Tiến độ thực hiện"))}</title>',
    ]
    for index in range(1, len(chart.rows), 2):  # stripes first: the grid is drawn over them
        top = AXIS_HEIGHT + index * ROW_HEIGHT
        out.append(
            f'<rect {_attrs(x=0, y=top, width=chart.width, height=ROW_HEIGHT)} fill="#f8f9fa"/>'
        )
    out += _axis(chart)
    for index, row in enumerate(chart.rows):
        out += _row(chart, index, row)
    if chart.first <= chart.today <= chart.last:
        x = chart.x(chart.today)
        out.append(
            f'<line class="today" {_attrs(x1=x, x2=x, y1=AXIS_HEIGHT - 6, y2=chart.height)}'
            f' stroke="{COLOURS["today"]}" stroke-width="1.5" stroke-dasharray="4 2">'
            f"<title>{escape(_('Hôm nay, %(d)s') % {'d': dmy(chart.today)})}</title></line>"
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above went through escape()


def _axis(chart: Chart) -> list[str]:
    out = []
    for year in range(chart.first.year, chart.last.year + 1):
        x = chart.x(datetime.date(year, 1, 1))
        out.append(
            f'<line {_attrs(x1=x, x2=x, y1=0, y2=chart.height)} stroke="{COLOURS["grid"]}"/>'
            f'<text class="year" {_attrs(x=x + 3, y=14)} font-weight="bold">{year}</text>'
        )
        for quarter in range(1, 5):
            qx = chart.x(datetime.date(year, 3 * quarter - 2, 1))
            if quarter > 1:
                out.append(
                    f"<line {_attrs(x1=qx, x2=qx, y1=20, y2=chart.height)}"
                    f' stroke="{COLOURS["grid"]}" stroke-dasharray="2 3"/>'
                )
            out.append(
                f'<text class="quarter" {_attrs(x=qx + 3, y=32)} fill="#6c757d"'
                f' font-size="10">{escape(_("Q%(n)s") % {"n": quarter})}</text>'
            )
    return out


def _row(chart: Chart, index: int, row: Row) -> list[str]:
    node = row.node
    top = AXIS_HEIGHT + index * ROW_HEIGHT
    name = f"{node.code} {node.title}".strip()
    overdue = node.kind == NodeKind.TASK and node.is_overdue(chart.today)
    out = [f'<g class="gantt-row" data-node="{node.id}">']
    weight = "bold" if node.kind != NodeKind.TASK else "normal"
    out.append(
        f'<text class="label" {_attrs(x=4 + 10 * node.depth, y=top + 19)} font-weight="{weight}">'
        f"<title>{escape(name)}</title>{escape(_short(name))}</text>"
    )
    if row.start and row.end:
        x, end = chart.x(row.start), chart.x(row.end + datetime.timedelta(days=1))
        width = max(end - x, 2)
        summary = node.kind != NodeKind.TASK
        colour = COLOURS["summary"] if summary else COLOURS["plan"]
        tip = _("%(n)s: %(s)s – %(e)s, đạt %(p)s%%") % {
            "n": name,
            "s": dmy(row.start),
            "e": dmy(row.end),
            "p": node.rolled.normalize() if node.rolled else 0,
        }
        bar_top = top + 6
        out.append(
            f'<rect class="plan" {_attrs(x=x, y=bar_top, width=width, height=BAR_HEIGHT)}'
            f' rx="2" fill="{colour}"'
            + (f' stroke="{COLOURS["overdue"]}" stroke-width="2"' if overdue else "")
            + f"><title>{escape(tip)}</title></rect>"
        )
        done = int(width * min(node.rolled, Decimal(100)) / 100)
        if done and not summary:
            out.append(
                f'<rect class="progress" {_attrs(x=x, y=bar_top, width=done, height=BAR_HEIGHT)}'
                f' rx="2" fill="{COLOURS["done"]}"><title>{escape(tip)}</title></rect>'
            )
    base_start, base_due = row.baseline or (None, None)
    if base_start and base_due:
        start, due = base_start, base_due
        x, end = chart.x(start), chart.x(due + datetime.timedelta(days=1))
        tip = _("Kế hoạch được duyệt: %(s)s – %(e)s") % {"s": dmy(start), "e": dmy(due)}
        out.append(
            f'<rect class="baseline" {_attrs(x=x, y=top + 6 + BAR_HEIGHT + 3)}'
            f" {_attrs(width=max(end - x, 2), height=BASELINE_HEIGHT)}"
            f' fill="{COLOURS["baseline"]}"><title>{escape(tip)}</title></rect>'
        )
    for mark in row.milestones:
        cx, cy, r = chart.x(mark.due_on), top + 6 + BAR_HEIGHT // 2, 6
        fill = COLOURS["milestone"] if mark.done else "#fff"
        state = _("đã xong") if mark.done else _("chưa xong")
        tip = f"{mark.title} — {dmy(mark.due_on)} ({state})"
        points = f"{cx},{cy - r} {cx + r},{cy} {cx},{cy + r} {cx - r},{cy}"
        out.append(
            f'<polygon class="milestone" points="{points}" fill="{fill}"'
            f' stroke="{COLOURS["milestone"]}" stroke-width="2"><title>{escape(tip)}</title>'
            "</polygon>"
        )
    out.append("</g>")
    return out
