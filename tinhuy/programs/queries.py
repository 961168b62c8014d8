"""Reads of programmes that pages, the API and exports share: the completeness gate, the tree
with its weighted roll-up, budget totals, plan versus baseline, and the overdue and due-soon
lists of tasks and milestones."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import CharField, Count, F, Max, Min, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, StrIndex, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tinhuy.accounts.names import full_name
from tinhuy.bulk import CompiledRows, RowsByIds, as_date
from tinhuy.documents.numbers import format_number
from tinhuy.org.access import Scope
from tinhuy.org.models import Unit
from tinhuy.programs.models import (
    BaselineNode,
    BudgetLine,
    FundingSource,
    Milestone,
    Node,
    NodeKind,
    NodeStatus,
    Programme,
)

DUE_SOON_DAYS = 30
_HUNDRED = Decimal(100)


def dmy(day: datetime.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


# --- The completeness gate ------------------------------------------------------------------


@dataclass(frozen=True)
class Missing:
    """One thing that keeps a programme from being submitted or approved; ``node`` is None for
    the programme itself, ``what`` names the piece (the page links to the form that fixes it)."""

    node_id: int | None
    what: str  # "focal_agency", "nodes", "tasks", "milestone", "due_on", "resources", "responsible"
    message: str


def missing_for_approval(programme: Programme) -> list[Missing]:
    """Everything missing before the programme may be submitted or approved, in tree order:
    the focal agency; and for every task a milestone, a due date, resources (a budget line or
    staff) and a named responsible person. Three queries."""
    missing: list[Missing] = []
    if programme.focal_agency_id is None:
        missing.append(Missing(None, "focal_agency", _("Chưa có cơ quan đầu mối.")))
    tasks = list(
        Node.objects.filter(programme=programme, kind=NodeKind.TASK)
        .exclude(status=NodeStatus.CANCELLED)
        .order_by("path")
        .values("id", "code", "title", "due_on", "responsible_id", "staff")
    )
    if not tasks:
        missing.append(Missing(None, "tasks", _("Chương trình chưa có nhiệm vụ nào.")))
        return missing
    ids = [t["id"] for t in tasks]
    with_milestone = set(
        Milestone.objects.filter(node_id__in=ids).values_list("node_id", flat=True).distinct()
    )
    with_budget = set(
        BudgetLine.objects.filter(node_id__in=ids, amount__gt=0)
        .values_list("node_id", flat=True)
        .distinct()
    )
    for task in tasks:
        name = f"{task['code']} {task['title']}".strip()
        if task["id"] not in with_milestone:
            missing.append(
                Missing(
                    task["id"],
                    "milestone",
                    _("Nhiệm vụ “%(t)s” chưa có mốc tiến độ (lộ trình).") % {"t": name},
                )
            )
        if task["due_on"] is None:
            missing.append(
                Missing(
                    task["id"],
                    "due_on",
                    _("Nhiệm vụ “%(t)s” chưa có hạn hoàn thành.") % {"t": name},
                )
            )
        if task["id"] not in with_budget and not task["staff"]:
            missing.append(
                Missing(
                    task["id"],
                    "resources",
                    _("Nhiệm vụ “%(t)s” chưa có nguồn lực (kinh phí hoặc nhân lực).") % {"t": name},
                )
            )
        if task["responsible_id"] is None:
            missing.append(
                Missing(
                    task["id"],
                    "responsible",
                    _("Nhiệm vụ “%(t)s” chưa phân công người phụ trách.") % {"t": name},
                )
            )
    return missing


# --- The tree and its roll-up -----------------------------------------------------------------


@dataclass(slots=True)
class TreeNode:
    """A node as the tree shows it: its own values, and ``rolled`` — its progress weighted over
    its children (its own for a leaf)."""

    id: int
    parent_id: int | None
    depth: int
    kind: str
    code: str
    title: str
    is_focus: bool
    is_key: bool
    is_breakthrough: bool
    lead_unit: str
    responsible: str
    start_on: datetime.date | None
    due_on: datetime.date | None
    weight: Decimal
    status: str
    progress: int
    budget: Decimal = Decimal(0)  # its own lines and its descendants'
    rolled: Decimal = Decimal(0)
    children: list[TreeNode] = field(default_factory=list)
    tasks: int = 0  # tasks below it, counted when ``tree`` is given ``today``
    overdue: int = 0  # of which overdue on that day

    @property
    def is_cancelled(self) -> bool:
        return self.status == NodeStatus.CANCELLED

    def is_overdue(self, today: datetime.date) -> bool:
        return bool(
            self.due_on
            and self.due_on < today
            and self.status not in (NodeStatus.DONE, NodeStatus.CANCELLED)
        )


@dataclass
class Tree:
    roots: list[TreeNode]
    by_id: dict[int, TreeNode]
    progress: Decimal  # the programme's, rolled up from its fields
    budget: Decimal
    # Each field's (root's) money by source, when ``tree`` was asked for it (``money_by_field``).
    field_money: dict[int, dict[str, Decimal]] | None = None

    def flat(self) -> list[TreeNode]:
        """Depth first, in order: the rows of a table."""
        out: list[TreeNode] = []

        def walk(nodes: Sequence[TreeNode]) -> None:
            for node in nodes:
                out.append(node)
                walk(node.children)

        walk(self.roots)
        return out


TREE_FIELDS = (
    "id",
    "parent_id",
    "depth",
    "kind",
    "code",
    "title",
    "is_focus",
    "is_key",
    "is_breakthrough",
    "lead_unit__name",
    "responsible__full_name",
    "start_on",
    "due_on",
    "weight",
    "status",
    "progress",
)


def weighted(children: Iterable[TreeNode]) -> Decimal:
    """Σ(weight · progress) / Σ weight over the children not cancelled; 0 when none count."""
    total_weight = Decimal(0)
    total = Decimal(0)
    cancelled = NodeStatus.CANCELLED
    for child in children:
        if child.status == cancelled:
            continue
        total_weight += child.weight
        total += child.weight * child.rolled
    if not total_weight:
        return Decimal(0)
    return (total / total_weight).quantize(Decimal("0.1"))


# What the roll-up needs of every node; ``DETAIL_FIELDS`` only for the rows a page shows.
_SHAPE_FIELDS = ("id", "parent_id", "kind", "weight", "status", "progress", "due")
DETAIL_FIELDS = (
    "id",
    "code",
    "title",
    "is_focus",
    "is_key",
    "is_breakthrough",
    "lead_unit__name",
    "responsible__full_name",
    "start_on",
    "due_on",
)
_OPEN_STATUSES = frozenset((NodeStatus.NOT_STARTED, NodeStatus.ON_TRACK, NodeStatus.BEHIND))
_PERCENTS = tuple(Decimal(n) for n in range(101))  # a leaf's rolled-up progress: its own
_TENTH = Decimal("0.1")


def _decimal(value: Any) -> Decimal:
    """A decimal column's value from ``plain_rows`` (a number on SQLite, exact on PostgreSQL)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(value) if isinstance(value, int) else Decimal(str(value))


# The tree's reads, compiled once per process (``tinhuy.bulk.CompiledRows``): a page reads them
# on every request, and building them through the ORM costs a good part of what SQLite takes.
_tree_rows = CompiledRows(
    lambda programme_id: (
        Node.objects.filter(programme_id=programme_id).order_by("path").values_list(*TREE_FIELDS)
    ),
    arity=1,
)


def _due_text() -> Any:
    """The due date as the roll-up compares it: SQLite's ISO text as it is (its driver would
    parse every row's date, a fifth of the read), PostgreSQL's date (its driver's, in C)."""
    if connection.vendor == "sqlite":
        return Cast("due_on", CharField())
    return F("due_on")


_shape_rows = CompiledRows(
    lambda programme_id: (
        Node.objects.filter(programme_id=programme_id)
        .order_by("path")
        .annotate(due=_due_text())
        .values_list(*_SHAPE_FIELDS)
    ),
    arity=1,
)
_node_budgets = CompiledRows(
    lambda programme_id: (
        BudgetLine.objects.filter(node__programme_id=programme_id)
        .values_list("node_id")
        .annotate(total=Sum("amount"))
        .order_by()
    ),
    arity=1,
)
_PATH = "node__path"  # "/000001.12/…": the root's place and id come first
# Every budget line of a programme with its source: the per-node money of the roll-up and the
# money by field and source from one pass over the lines (each read of the lines costs the
# same index searches; grouping them in SQL, or finding their field from the node's path,
# costs more than summing them in Python by the field the tree knows).
_lines = CompiledRows(
    lambda programme_id: (
        BudgetLine.objects.filter(node__programme_id=programme_id)
        .values_list("node_id", "amount", "source")
        .order_by()
    ),
    arity=1,
)


def tree(
    programme: Programme,
    *,
    node_ids: set[int] | None = None,
    details: bool = True,
    today: datetime.date | None = None,
    money_by_field: bool = False,
) -> Tree:
    """The programme's nodes as a tree with progress and budget rolled up (two queries).
    ``node_ids``: show only these (the roll-up is still over every node). ``details=False``:
    only what the roll-up needs is read (no code, title, owners or dates: ``fill_details``
    reads them for the rows a page shows). ``today``: each node counts the tasks below it and
    how many of them are overdue that day. ``money_by_field``: the budget lines are read one
    by one and also summed by field and source (``Tree.field_money``, ``budget_by_field``'s
    figures) — no third query for them."""
    by_id: dict[int, TreeNode] = {}
    roots: list[TreeNode] = []
    weights: dict[Any, Decimal] = {}  # a handful of distinct weights: convert each once
    late: set[int] = set()  # the tasks overdue ``today``
    task = NodeKind.TASK
    if details:
        for row in _tree_rows(programme.pk):
            # Plain rows (``tinhuy.bulk``): a date and a decimal as the driver gives them.
            start_on, due_on, weight = row[11], row[12], row[13]
            if weight not in weights:
                weights[weight] = _decimal(weight)
            node = TreeNode(
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                row[5],
                bool(row[6]),
                bool(row[7]),
                bool(row[8]),
                row[9] or "",
                row[10] or "",
                as_date(start_on) if start_on else None,
                as_date(due_on) if due_on else None,
                weights[weight],
                row[14],
                row[15],
            )
            by_id[node.id] = node
            if node.parent_id is None:
                roots.append(node)
            else:
                by_id[node.parent_id].children.append(node)
            if today is not None and node.kind == task and node.is_overdue(today):
                late.add(node.id)
    else:
        # The due date as the driver gives it, compared with today written the same way.
        today_key: Any = None
        if today is not None:
            today_key = today.isoformat() if connection.vendor == "sqlite" else today
        for pk, parent_id, kind, weight, status, progress, due in _shape_rows(programme.pk):
            if weight not in weights:
                weights[weight] = _decimal(weight)
            parent = by_id[parent_id] if parent_id is not None else None
            node = TreeNode(
                pk,
                parent_id,
                parent.depth + 1 if parent is not None else 0,
                kind,
                "",
                "",
                False,
                False,
                False,
                "",
                "",
                None,
                None,
                weights[weight],
                status,
                progress,
            )
            by_id[pk] = node
            if parent is None:
                roots.append(node)
            else:
                parent.children.append(node)
            if (
                today_key is not None
                and kind == task
                and due is not None
                and due < today_key
                and status in _OPEN_STATUSES
            ):
                late.add(pk)
    field_money: dict[int, dict[str, Decimal]] | None = None
    if money_by_field:
        root_of: dict[int, int] = {}  # each node's field, parents first (in path order)
        for node in by_id.values():
            parent_id = node.parent_id
            root_of[node.id] = node.id if parent_id is None else root_of[parent_id]
        own: dict[int, Any] = {}
        sums: dict[tuple[int, str], Any] = {}
        own_get, sums_get = own.get, sums.get
        for node_id, amount, source in _lines(programme.pk):
            # SQLite gives whole đồng as ints (summed as such), PostgreSQL decimals.
            if type(amount) is not int:
                amount = _decimal(amount or 0)
            own[node_id] = own_get(node_id, 0) + amount
            key = (root_of[node_id], source)
            sums[key] = sums_get(key, 0) + amount
        for node_id, total in own.items():
            by_id[node_id].budget = Decimal(total)
        field_money = {
            root.id: {source: Decimal(0) for source in FundingSource.values} for root in roots
        }
        for (root_id, source), total in sums.items():
            field_money[root_id][source] = Decimal(total)
    else:
        for node_id, total in _node_budgets(programme.pk):
            # SQLite sums whole đồng as an int: converted without ``_decimal``'s checks.
            by_id[node_id].budget = Decimal(total) if type(total) is int else _decimal(total or 0)
    zero = Decimal(0)
    percents = _PERCENTS
    cancelled = NodeStatus.CANCELLED
    counting = today is not None
    for node in reversed(by_id.values()):  # children before their parents
        children = node.children
        if not children:
            progress = node.progress
            node.rolled = percents[progress] if 0 <= progress <= 100 else Decimal(progress)
            continue
        # ``weighted``, the money and the tasks below in one pass over the children.
        total_weight = total = zero
        money = node.budget
        tasks = overdue = 0
        for c in children:
            money += c.budget
            if c.status != cancelled:
                weight = c.weight
                total_weight += weight
                total += weight * c.rolled
            if counting:
                tasks += c.tasks
                overdue += c.overdue
                if c.kind == task:
                    tasks += 1
                    if c.id in late:
                        overdue += 1
        node.rolled = (total / total_weight).quantize(_TENTH) if total_weight else zero
        node.budget = money
        if counting:
            node.tasks, node.overdue = tasks, overdue
    result = Tree(
        roots=roots,
        by_id=by_id,
        progress=weighted(roots),
        budget=sum((r.budget for r in roots), zero),
        field_money=field_money,
    )
    if node_ids is not None:
        _prune(result, node_ids)
    return result


_details = RowsByIds(
    lambda ids: Node.objects.filter(pk__in=ids).values_list(*DETAIL_FIELDS).order_by()
)


def fill_details(result: Tree, node_ids: Iterable[int]) -> None:
    """Read the code, title, marks, owners and dates of these nodes of a tree read with
    ``details=False`` (one query)."""
    wanted = [pk for pk in node_ids if pk in result.by_id]
    if not wanted:
        return
    rows = _details(wanted)
    for pk, code, title, focus, key, breakthrough, lead, responsible, start_on, due_on in rows:
        node = result.by_id[pk]
        node.code, node.title = code, title
        node.is_focus, node.is_key = bool(focus), bool(key)
        node.is_breakthrough = bool(breakthrough)
        node.lead_unit, node.responsible = lead or "", responsible or ""
        node.start_on = as_date(start_on) if start_on else None
        node.due_on = as_date(due_on) if due_on else None


def _prune(result: Tree, keep: set[int]) -> None:
    """Keep only the nodes in ``keep``, their ancestors (for context) and their descendants."""
    shown: set[int] = set()
    for node_id in keep:
        node = result.by_id.get(node_id)
        while node is not None and node.id not in shown:
            shown.add(node.id)
            node = result.by_id.get(node.parent_id) if node.parent_id else None

    def below(node: TreeNode) -> None:
        for child in node.children:
            shown.add(child.id)
            below(child)

    for node_id in keep:
        if node_id in result.by_id:
            below(result.by_id[node_id])

    def cut(nodes: list[TreeNode]) -> list[TreeNode]:
        kept = [n for n in nodes if n.id in shown]
        for n in kept:
            n.children = cut(n.children)
        return kept

    result.roots = cut(result.roots)
    result.by_id = {k: v for k, v in result.by_id.items() if k in shown}


def progress_of(programme: Programme) -> Decimal:
    return tree(programme).progress


# --- Money ----------------------------------------------------------------------------------


def budget_by_source(programme: Programme) -> dict[str, Decimal]:
    """The programme's money by funding source, every source listed."""
    totals = dict(
        BudgetLine.objects.filter(node__programme=programme)
        .values_list("source")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {source: totals.get(source) or Decimal(0) for source in FundingSource.values}


_root_budgets = CompiledRows(
    lambda programme_id: (
        BudgetLine.objects.filter(node__programme_id=programme_id)
        .annotate(root=Substr(_PATH, 2, StrIndex(Substr(_PATH, 2), Value("/")) - 1))
        .values_list("root", "source")
        .annotate(total=Sum("amount"))
        .order_by()
    ),
    arity=1,
)


def budget_by_field(
    programme: Programme, result: Tree | None = None
) -> list[tuple[TreeNode, dict[str, Decimal]]]:
    """Each field (a root) with its money by source, its subtree's lines summed in one grouped
    query (by the first step of the lines' node paths). ``result``: the programme's whole tree
    when the caller has it (its roots with their code and title), else it is read; read with
    ``money_by_field``, it already holds the sums (no query)."""
    if result is None:
        result = tree(programme)
    if result.field_money is not None:
        return [(root, result.field_money[root.id]) for root in result.roots]
    lines = _root_budgets(programme.pk)
    sums: dict[int, dict[str, Decimal]] = defaultdict(
        lambda: {source: Decimal(0) for source in FundingSource.values}
    )
    for root, source, total in lines:
        sums[int(root.rpartition(".")[2])][source] += _decimal(total or 0)
    return [(root, sums[root.id]) for root in result.roots]


# --- Plan versus baseline -------------------------------------------------------------------


@dataclass(frozen=True)
class Variance:
    node_id: int
    title: str
    planned_start: datetime.date | None
    planned_due: datetime.date | None
    start_on: datetime.date | None
    due_on: datetime.date | None
    planned_budget: Decimal
    budget: Decimal
    spent: Decimal | None
    # The day a task was done: the day its last milestone was reached when its whole roadmap
    # was, else the day of its first report "done"; None while it is not done.
    done_on: datetime.date | None = None

    @property
    def slip_days(self) -> int | None:
        """Days the due date moved since approval: later (> 0), earlier (< 0)."""
        if self.planned_due and self.due_on:
            return (self.due_on - self.planned_due).days
        return None

    @property
    def done_slip_days(self) -> int | None:
        """Days the task was done after (> 0) or before (< 0) its approved due date."""
        if self.planned_due and self.done_on:
            return (self.done_on - self.planned_due).days
        return None

    @property
    def slip_early(self) -> int:
        """Days the due date moved earlier (0 unless it did), for the page's words."""
        return -self.slip_days if self.slip_days and self.slip_days < 0 else 0

    @property
    def done_early(self) -> int:
        """Days the task was done before its approved due date (0 unless it was)."""
        days = self.done_slip_days
        return -days if days and days < 0 else 0


BASELINE_FIELDS = ("node_id", "title", "start_on", "due_on", "budget")


def plan_vs_actual(programme: Programme) -> list[Variance]:
    """Every node of the baseline beside its dates and money now, and the money its latest
    report says was spent (tasks). Empty before the programme is approved."""
    baseline = getattr(programme, "baseline", None)
    if baseline is None:
        return []
    return variances(programme, baseline.nodes.order_by("node__path").values(*BASELINE_FIELDS))


def variances(
    programme: Programme, rows: Iterable[dict[str, Any]], *, page: bool = False
) -> list[Variance]:
    """These baseline rows (``BASELINE_FIELDS``) beside their nodes' dates and money now and the
    latest spending reported, and the day each was first reported done; ``page``: the rows are
    a page, the dates and spending read keep to their nodes. Money is a node's with everything
    under it (a field's or an item's is its tasks'), planned and now alike: the baseline's and
    the budget lines summed up the paths (six queries)."""
    from tinhuy.programs.models import BaselineNode, ProgressReport

    rows = list(rows)
    nodes = Node.objects.filter(programme=programme)
    reports = ProgressReport.objects.filter(node__programme=programme, spent__isnull=False)
    if page:
        ids = [row["node_id"] for row in rows]
        nodes, reports = nodes.filter(pk__in=ids), reports.filter(node_id__in=ids)
    now: dict[int, tuple[datetime.date | None, datetime.date | None]] = {
        pk: (start, due) for pk, start, due in nodes.values_list("id", "start_on", "due_on")
    }
    path_of = dict(Node.objects.filter(programme=programme).values_list("id", "path"))
    planned = _subtree_sums(
        BaselineNode.objects.filter(baseline__programme=programme).values_list(
            "node__path", "budget"
        )
    )
    current = _subtree_sums(
        BudgetLine.objects.filter(node__programme=programme).values_list("node__path", "amount")
    )
    # The latest cycle's figure wins: rows come in cycle order.
    spent: dict[int, Decimal | None] = dict(
        reports.order_by("node_id", "cycle__period_start").values_list("node_id", "spent")
    )
    done = ProgressReport.objects.filter(node__programme=programme, status=NodeStatus.DONE)
    if page:
        done = done.filter(node_id__in=ids)
    done_on = {
        node_id: timezone.localdate(first)
        for node_id, first in done.values_list("node_id")
        .annotate(first=Min("submitted_at"))
        .order_by()
    }
    # A report says "done" when it is sent, often a cycle later; a roadmap all reached says
    # the day the work ended (the last milestone's), which is what the approved date is held to.
    roadmaps = (
        Milestone.objects.filter(node_id__in=list(done_on))
        .values_list("node_id")
        .annotate(last=Max("done_on"), open_count=Count("pk", filter=Q(done_on__isnull=True)))
        .order_by()
    )
    done_on |= {
        node_id: last
        for node_id, last, open_count in roadmaps
        if last is not None and not open_count
    }
    out = []
    for row in rows:
        start_on, due_on = now.get(row["node_id"], (None, None))
        path = path_of.get(row["node_id"], "")
        out.append(
            Variance(
                node_id=row["node_id"],
                title=row["title"],
                planned_start=row["start_on"],
                planned_due=row["due_on"],
                start_on=start_on,
                due_on=due_on,
                planned_budget=planned.get(path, Decimal(0)),
                budget=current.get(path, Decimal(0)),
                spent=spent.get(row["node_id"]),
                done_on=done_on.get(row["node_id"]),
            )
        )
    return out


def _subtree_sums(rows: Iterable[tuple[str, Decimal]]) -> dict[str, Decimal]:
    """Amounts by node path, each added to the node and to every ancestor on its path."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for path, amount in rows:
        end = path.find("/", 1)
        while end != -1:
            sums[path[: end + 1]] += amount
            end = path.find("/", end + 1)
    return sums


@dataclass(frozen=True)
class PlanSummary:
    """Plan versus baseline in a few figures, for the programme page."""

    nodes: int  # in the baseline
    tasks: int
    slipped: int  # tasks due later now than the baseline planned
    planned_budget: Decimal  # every node's own lines when approved


_TASK = Q(node__kind=NodeKind.TASK)
_plan_figures = CompiledRows(
    lambda programme_id: (
        BaselineNode.objects.filter(baseline__programme_id=programme_id)
        .values_list("baseline__programme_id")
        .annotate(
            nodes=Count("pk"),
            tasks=Count("pk", filter=_TASK),
            slipped=Count("pk", filter=_TASK & Q(node__due_on__gt=F("due_on"))),
            planned=Sum("budget"),
        )
        .order_by()
    ),
    arity=1,
)


def plan_summary(programme: Programme) -> PlanSummary | None:
    """None before the programme has a baseline (one query)."""
    for _programme, nodes, tasks, slipped, planned in _plan_figures(programme.pk):
        return PlanSummary(nodes, tasks, slipped, _decimal(planned or 0))
    return None


# --- Adjustments after approval -------------------------------------------------------------

ADJUST_ACTION = "programme.adjust"  # the audit action of every adjustment (``actions``)
ADJUSTMENTS_SHOWN = 20

# What an adjustment changed, as the programme page names it (``after["change"]``).
_CHANGES = {
    "node.update": _lazy("Sửa thông tin mục"),
    "milestone.create": _lazy("Thêm mốc"),
    "milestone.update": _lazy("Sửa mốc"),
    "milestone.remove": _lazy("Xóa mốc"),
    "budget.create": _lazy("Thêm kinh phí"),
    "budget.remove": _lazy("Xóa dòng kinh phí"),
    "budget.set": _lazy("Đổi kinh phí"),
    "indicator.targets": _lazy("Sửa mục tiêu chỉ tiêu"),
}
_DATES = ("start_on", "due_on")
_SHOWN_FIELDS = (
    "code",
    "title",
    "description",
    "is_focus",
    "is_key",
    "is_breakthrough",
    "lead_unit",
    "responsible",
    "start_on",
    "due_on",
    "staff",
    "weight",
    "coordinating_units",
)


@dataclass(frozen=True)
class Adjustment:
    """One change to an approved plan, as its audit event records it."""

    at: datetime.datetime
    who: str
    node_id: int
    node: str  # the node's code and title then
    what: str  # the change, in words
    detail: str  # the fields changed ("hạn hoàn thành: 31/12/2022 → 30/06/2023")
    reason: str


def _detail(change: str, before: dict[str, Any], after: dict[str, Any]) -> str:
    """What moved, in a few words: a node's changed fields (dates written dd/mm/yyyy), a
    milestone's title and date, a sum of money."""
    if change == "node.update":
        parts = []
        for name in _SHOWN_FIELDS:
            old, new = before.get(name), after.get(name)
            if old == new or (name == "weight" and _same_number(old, new)):
                continue
            label = (
                _("đơn vị phối hợp")
                if name == "coordinating_units"
                else str(getattr(Node._meta.get_field(name), "verbose_name", name))
            )
            if name in _DATES:
                parts.append(f"{label}: {_iso_dmy(old) or '…'} → {_iso_dmy(new) or '…'}")
            else:
                parts.append(label)
        return "; ".join(parts)
    if change.startswith("milestone."):
        title = after.get("title") or before.get("title") or ""
        old, new = _iso_dmy(before.get("due_on")), _iso_dmy(after.get("due_on"))
        if old and new and old != new:
            return f"{title}: {old} → {new}"
        return f"{title} ({new or old})" if (new or old) else str(title)
    if change == "indicator.targets":
        return "{}: {} → {}".format(
            after.get("name") or before.get("name") or "",
            _targets(before.get("targets")),
            _targets(after.get("targets")),
        )
    if change.startswith("budget."):
        old, new = before.get("amount"), after.get("amount")
        source = str(after.get("source") or before.get("source") or "")
        label = str(FundingSource(source).label) if source in FundingSource.values else source
        if change == "budget.set":
            return f"{label}: {_amount(old)} → {_amount(new)}"
        return f"{label}: {_amount(new if change == 'budget.create' else old)}"
    return ""


def _targets(targets: Any) -> str:
    """{"2025": "80.5"} → "2025: 80,5"; none → a dash."""
    if not targets:
        return "—"
    return "; ".join(f"{year}: {format_number(value)}" for year, value in sorted(targets.items()))


def _same_number(old: Any, new: Any) -> bool:
    """ "1.00" and "1": one weight (read from the row, and as typed)."""
    try:
        return Decimal(str(old)) == Decimal(str(new))
    except ArithmeticError:
        return False


def _iso_dmy(value: Any) -> str:
    return dmy(datetime.date.fromisoformat(value)) if value else ""


def _amount(value: Any) -> str:
    return format_number(value) + " đ" if value not in (None, "") else "—"


def adjustments(
    programme: Programme, *, node_ids: set[int] | None = None, limit: int = ADJUSTMENTS_SHOWN
) -> list[Adjustment]:
    """The latest adjustments of an approved plan, newest first, from the audit log (one query
    on the log's action index): who, when, which node, what changed and why. ``node_ids``: only
    those of these nodes (a user who sees some branches only)."""
    from tinhuy.audit.models import AuditEvent

    events = (
        AuditEvent.objects.filter(
            action=ADJUST_ACTION, target_type=Node._meta.label, after__programme=programme.pk
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
    if node_ids is not None:
        events = events.filter(target_id__in=[str(pk) for pk in node_ids])
    out = []
    for event in events[:limit]:
        after, before = event.after or {}, event.before or {}
        change = after.get("change", "")
        actor = event.actor
        who = full_name(actor) if actor is not None else event.actor_name
        out.append(
            Adjustment(
                at=event.created_at,
                who=who,
                node_id=int(event.target_id),
                node=event.target_repr,
                what=str(_CHANGES.get(change, change)),
                detail=_detail(change, before, after),
                reason=after.get("reason", ""),
            )
        )
    return out


# --- Lists across programmes ----------------------------------------------------------------


def programmes_for(scope: Scope) -> QuerySet[Programme]:
    """The programmes a user sees: those of a unit in their scope, those whose focal agency is,
    and those with a node led by a unit in their scope."""
    programmes = Programme.objects.select_related("owner_unit", "focal_agency", "draft")
    if scope.everything:
        return programmes
    led = Node.objects.filter(scope.q("lead_unit__")).values("programme_id")
    return programmes.filter(
        scope.q("owner_unit__") | scope.q("focal_agency__") | Q(pk__in=led)
    ).distinct()


def sees_whole(scope: Scope, programme: Programme) -> bool:
    """Sees every node (its owner's or its focal agency's people); others only the branches
    their units lead."""
    if scope.everything or scope.can_view(programme.owner_unit):
        return True
    return programme.focal_agency is not None and scope.can_view(programme.focal_agency)


def visible_node_ids(scope: Scope, programme: Programme) -> set[int] | None:
    """None when the user sees the whole tree; else the nodes their units lead."""
    if sees_whole(scope, programme):
        return None
    return set(
        Node.objects.filter(programme=programme)
        .filter(scope.q("lead_unit__"))
        .values_list("id", flat=True)
    )


def nodes_for(scope: Scope) -> QuerySet[Node]:
    """Nodes a user sees: every node of a programme they see whole, and the nodes their units
    lead elsewhere (for lists across programmes)."""
    nodes = Node.objects.all()
    if scope.everything:
        return nodes
    whole = Programme.objects.filter(scope.q("owner_unit__") | scope.q("focal_agency__"))
    return nodes.filter(Q(programme__in=whole.values("pk")) | scope.q("lead_unit__"))


# What a list of tasks shows: the task, its programme, its lead unit and responsible person.
LIST_FIELDS = (
    "id",
    "programme_id",
    "code",
    "title",
    "kind",
    "start_on",
    "due_on",
    "status",
    "progress",
    "lead_unit_id",
    "responsible_id",
    "programme__id",
    "programme__title",
    "programme__state",
    "lead_unit__id",
    "lead_unit__name",
    "responsible__id",
    "responsible__full_name",
)
_OPEN = (NodeStatus.NOT_STARTED, NodeStatus.ON_TRACK, NodeStatus.BEHIND)
_RUNNING_PROGRAMMES = ("approved", "in_progress")


def open_tasks(scope: Scope) -> QuerySet[Node]:
    """Tasks of running programmes not done or cancelled, with a due date, in a user's sight."""
    return (
        nodes_for(scope)
        .filter(
            kind=NodeKind.TASK,
            status__in=_OPEN,
            due_on__isnull=False,
            programme__state__in=_RUNNING_PROGRAMMES,
        )
        .select_related("programme", "lead_unit", "responsible")
        .only(*LIST_FIELDS)
        .order_by("due_on", "id")
    )


def overdue_tasks(scope: Scope, today: datetime.date) -> QuerySet[Node]:
    return open_tasks(scope).filter(due_on__lt=today)


def due_soon_tasks(scope: Scope, today: datetime.date, days: int = DUE_SOON_DAYS) -> QuerySet[Node]:
    return open_tasks(scope).filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days))


def open_milestones(scope: Scope) -> QuerySet[Milestone]:
    """Milestones not reached of running programmes, in a user's sight, soonest first. Joined,
    not ``node IN (…)``: a subquery of every node of a province's programmes is read whole
    before the first milestone (7 ms at the benchmark's size, against a walk of the open
    milestones' index that stops at a page)."""
    milestones = Milestone.objects.filter(
        done_on__isnull=True, node__programme__state__in=_RUNNING_PROGRAMMES
    )
    if not scope.everything:
        milestones = milestones.filter(node__in=nodes_for(scope))
    return milestones.select_related("node__programme", "node__lead_unit").order_by("due_on", "id")


def node_detail(node_id: int) -> QuerySet[Node]:
    """A node with what its page shows."""
    return (
        Node.objects.filter(pk=node_id)
        .select_related("programme", "parent", "lead_unit", "responsible")
        .prefetch_related(
            "coordinating_units",
            "milestones",
            "budget_lines",
            Prefetch("indicators__targets"),
            "hand_overs__hand_over__from_unit",
        )
    )


def snapshot_of(programme: Programme) -> dict[str, Any]:
    """The programme as a submitted version freezes it (compared to tell whether it changed
    after a version): header and every node with its dates, owners, money and roadmap."""
    nodes = list(
        Node.objects.filter(programme=programme)
        .order_by("path")
        .select_related("lead_unit", "responsible")
        .prefetch_related("coordinating_units", "milestones", "budget_lines", "indicators__targets")
    )
    return {
        "title": programme.title,
        "source_decision": programme.source_decision,
        "goals": programme.goals,
        "period": [dmy(programme.period_start), dmy(programme.period_end)],
        "focal_agency": programme.focal_agency.name if programme.focal_agency else "",
        "coordinating_units": sorted(u.name for u in programme.coordinating_units.all()),
        "nodes": [
            {
                "id": n.pk,
                "depth": n.depth,
                "kind": n.kind,
                "code": n.code,
                "title": n.title,
                "emphasis": n.emphasis,
                "lead_unit": n.lead_unit.name if n.lead_unit else "",
                "coordinating_units": sorted(u.name for u in n.coordinating_units.all()),
                "responsible": n.responsible.full_name if n.responsible else "",
                "start_on": dmy(n.start_on),
                "due_on": dmy(n.due_on),
                "weight": str(n.weight),
                "staff": n.staff,
                "milestones": [[m.title, dmy(m.due_on)] for m in n.milestones.all()],
                "budget": [
                    [b.source, b.year, str(b.amount)]
                    for b in sorted(n.budget_lines.all(), key=lambda b: (b.source, b.year or 0))
                ],
                "indicators": [
                    [
                        i.name,
                        i.unit_of_measure,
                        str(i.baseline_value) if i.baseline_value is not None else "",
                        [[t.year, str(t.value)] for t in i.targets.all()],
                    ]
                    for i in n.indicators.all()
                ],
            }
            for n in nodes
        ],
    }


# --- Lists of programmes and hand-overs (the API's and the hand-over page's) ---------------------


@dataclass(frozen=True)
class Rollup:
    progress: Decimal  # as ``tree(programme).progress``
    budget: Decimal  # every budget line of the programme


def rollups(programme_ids: Iterable[int]) -> dict[int, Rollup]:
    """Each programme's overall progress and money as ``tree`` rolls them up, for a page of
    programmes in two queries whatever their number."""
    ids = list(programme_ids)
    if not ids:
        return {}
    rows = (
        Node.objects.filter(programme_id__in=ids)
        .order_by("programme_id", "path")  # a parent before its children
        .values_list("id", "parent_id", "programme_id", "weight", "status", "progress")
    )
    nodes: dict[int, TreeNode] = {}
    roots: dict[int, list[TreeNode]] = defaultdict(list)
    for pk, parent_id, programme_id, weight, status, progress in rows:
        node = TreeNode(
            id=pk,
            parent_id=parent_id,
            depth=0,
            kind="",
            code="",
            title="",
            is_focus=False,
            is_key=False,
            is_breakthrough=False,
            lead_unit="",
            responsible="",
            start_on=None,
            due_on=None,
            weight=Decimal(weight),
            status=status,
            progress=progress,
        )
        nodes[pk] = node
        if parent_id is None:
            roots[programme_id].append(node)
        else:
            nodes[parent_id].children.append(node)
    for node in reversed(list(nodes.values())):  # children before their parents
        node.rolled = weighted(node.children) if node.children else Decimal(node.progress)
    budgets = dict(
        BudgetLine.objects.filter(node__programme_id__in=ids)
        .values_list("node__programme_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {pk: Rollup(weighted(roots.get(pk, [])), budgets.get(pk) or Decimal(0)) for pk in ids}


@dataclass(frozen=True)
class HandOverPreview:
    """What a hand-over of a unit's work would move now (``actions.do_hand_over``)."""

    lead: list[Node]  # tasks it leads, not done or cancelled
    coordinating: list[Node]  # nodes it co-ordinates
    focal: list[Programme]  # programmes it is the focal agency of

    @property
    def is_empty(self) -> bool:
        return not (self.lead or self.coordinating or self.focal)


def hand_over_preview(from_unit: Unit) -> HandOverPreview:
    """The dry run of a hand-over: the open work ``do_hand_over`` would move from the unit, in
    programmes not ended, with the same filters (three queries)."""
    ended = ("completed", "cancelled")
    nodes = (
        Node.objects.select_related("programme")
        .exclude(status__in=(NodeStatus.DONE, NodeStatus.CANCELLED))
        .exclude(programme__state__in=ended)
        .order_by("programme__title", "programme_id", "path")
    )
    return HandOverPreview(
        lead=list(nodes.filter(lead_unit=from_unit)),
        coordinating=list(nodes.filter(coordinating_units=from_unit)),
        focal=list(
            Programme.objects.filter(focal_agency=from_unit)
            .exclude(state__in=ended)
            .order_by("title", "id")
        ),
    )


@dataclass(frozen=True)
class PublishedValue:
    year: int
    value: Decimal
    source: str
    is_sample: bool


def published_values(indicators: Iterable[Any]) -> dict[int, list[PublishedValue]]:
    """By indicator id, the figures the gazetteer's latest published edition gives for the
    indicators that point to a gazetteer indicator and place, by year: their actual values come
    from what the province published, not from a report (one query, none when none points)."""
    from tinhuy.gazetteer.models import EditionObservation
    from tinhuy.gazetteer.queries import latest_edition

    linked = {
        i.pk: (i.gazetteer_indicator_id, i.gazetteer_place_id)
        for i in indicators
        if i.gazetteer_indicator_id is not None and i.gazetteer_place_id is not None
    }
    if not linked:
        return {}
    edition = latest_edition()
    if edition is None:
        return {}
    wanted = Q()
    for indicator_id, place_id in set(linked.values()):
        wanted |= Q(indicator_id=indicator_id, place_id=place_id)
    rows = (
        EditionObservation.objects.filter(wanted, edition=edition)
        .order_by("year")
        .values_list("indicator_id", "place_id", "year", "value", "source", "is_sample")
    )
    by_pair: dict[tuple[int, int], list[PublishedValue]] = defaultdict(list)
    for indicator_id, place_id, year, value, source, is_sample in rows:
        by_pair[(indicator_id, place_id)].append(PublishedValue(year, value, source, is_sample))
    return {pk: by_pair.get(pair, []) for pk, pair in linked.items()}
