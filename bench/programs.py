"""The programmes benchmark (issue 10, "Performance"): 50 programmes × 2,000 tasks × 8 quarterly
reports.

Everything is generated deterministically (``random.Random(827)``) and is sample data
(``is_sample``, "(minh họa)" in names):

- **Structure** through ``do_create_structure`` + ``do_create_units``: a province and 20 state
  agencies under it, each with a named person (``do_add_person``); users through
  ``do_create_user`` + ``do_grant_membership``: the province office and one agency's officer.
- **Programmes** through ``do_create_programme`` (owner: the province; focal agency: one of the
  agencies). Their state is then set to "in progress" by one UPDATE: approval runs through the
  Board's meeting machinery, which the meetings bench measures; here only reads are timed.
- **Nodes**, **milestones**, **budget lines**, **cycles** and **reports** by ``insert_rows``
  (the rows the actions write, without their per-row checks and audit events: 1.1 million rows
  through the actions would take the better part of an hour): per programme 5 fields × 8 items
  × 50 tasks = 2,000 tasks, each with a milestone, a budget line and 8 quarterly reports
  (2019–2020), its status and progress those of its last report; weights 1–3.

Then it times, beside floors measured in the same run:

- the **programme tree with its roll-ups**: ``tinhuy.programs.queries.tree`` and, when the page
  exists, the programme page (``programs_detail``) — against the raw SQL that reads the same
  rows (the nodes' parent, weight, status and progress; the budget summed per node) plus the
  same weighted roll-up over plain tuples: the cheapest known way to the same numbers;
- the **province-wide overdue list**: ``queries.overdue_tasks`` (first 50 and the count) and,
  when it exists, the page (``programs_due``) — against the raw SQL that selects the same 50
  rows and the same count.

``TINHUY_BENCH_SCALE`` makes fewer programmes (the tasks per programme stay 2,000).
"""

from __future__ import annotations

import datetime
import os
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from bench.util import (
    Timing,
    Verdict,
    allow_test_host,
    count_queries,
    measure,
    timed,
    verdict_header,
)
from tinhuy.accounts.actions import do_create_user
from tinhuy.bulk import insert_rows
from tinhuy.org.access import scope_for
from tinhuy.org.actions import (
    LevelSpec,
    UnitSpec,
    do_add_person,
    do_create_structure,
    do_create_units,
    do_grant_membership,
)
from tinhuy.org.models import Person, Role, Unit, UnitKind
from tinhuy.programs.actions import ProgrammeSpec, do_create_programme
from tinhuy.programs.models import (
    BudgetLine,
    Frequency,
    FundingSource,
    Milestone,
    Node,
    NodeKind,
    NodeStatus,
    Programme,
    ProgrammeState,
    ProgressReport,
    ReportingCycle,
)
from tinhuy.programs.queries import due_soon_tasks, overdue_tasks, tree

SEED = 827
SCALE = float(os.environ.get("TINHUY_BENCH_SCALE", "1") or "1")
PROGRAMMES = max(2, round(50 * SCALE))
FIELDS, ITEMS, TASKS = 5, 8, 50  # per programme, per field, per item: 2,000 tasks
CYCLES = 8  # quarterly, 2019–2020
AGENCIES = 20
STRUCTURE_CODE = "bench-programs"
REPS = 20
WARM_UPS = 3
TREE_TARGET = 2.0  # × the raw SQL (issue 10)
OVERDUE_TARGET = 2.0
PAGE = 50  # rows of the overdue list's first page
STATUSES = (NodeStatus.NOT_STARTED, NodeStatus.ON_TRACK, NodeStatus.BEHIND, NodeStatus.DONE)


@dataclass
class Generated:
    office: User
    programmes: list[Programme]
    rows: dict[str, int]
    seconds: dict[str, float]


def _quarters() -> list[tuple[datetime.date, datetime.date, datetime.date]]:
    out = []
    for year in (2019, 2020):
        for q in range(4):
            start = datetime.date(year, 3 * q + 1, 1)
            end = (
                datetime.date(year, 3 * q + 4, 1) - datetime.timedelta(days=1)
                if q < 3
                else datetime.date(year, 12, 31)
            )
            out.append((start, end, end + datetime.timedelta(days=10)))
    return out


def generate() -> Generated:
    rng = random.Random(SEED)
    seconds: dict[str, float] = {}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    t0 = timezone.now()
    with transaction.atomic():
        structure = do_create_structure(
            code=STRUCTURE_CODE,
            name="Tỉnh minh họa của make bench (chương trình, đề án)",
            levels=[LevelSpec("tinh", "Cấp tỉnh"), LevelSpec("so", "Sở, ngành")],
            acting_user=None,
        )
        specs = [UnitSpec("UB", "Ủy ban nhân dân tỉnh minh họa", "tinh", UnitKind.AGENCY)]
        specs += [
            UnitSpec(f"S{n:02d}", f"Sở minh họa {n:02d}", "so", UnitKind.AGENCY, "UB", True)
            for n in range(1, AGENCIES + 1)
        ]
        do_create_units(structure, specs, acting_user=None, source="bench")
        units = {u.code: u for u in Unit.objects.filter(structure=structure)}
        province = units["UB"]
        agencies = [units[f"S{n:02d}"] for n in range(1, AGENCIES + 1)]
        people: list[Person] = [
            do_add_person(
                unit,
                full_name=f"Người phụ trách, {unit.name} (minh họa)",
                is_sample=True,
                acting_user=None,
            )
            for unit in agencies
        ]
        office = do_create_user(
            "bench-ct-vanphong", password=secrets.token_urlsafe(12), acting_user=None
        )
        do_grant_membership(office, province, Role.PROVINCE_ADMIN, acting_user=None)
        programmes = [
            do_create_programme(
                ProgrammeSpec(
                    title=f"Chương trình minh họa số {n:02d}",
                    owner_unit=province,
                    source_decision="Quyết định minh họa",
                    period_start=datetime.date(2019, 1, 1),
                    period_end=datetime.date(2030, 12, 31),
                    focal_agency=agencies[n % AGENCIES],
                ),
                is_sample=True,
                acting_user=office,
            )
            for n in range(1, PROGRAMMES + 1)
        ]
        Programme.objects.filter(pk__in=[p.pk for p in programmes]).update(
            state=ProgrammeState.IN_PROGRESS
        )
    seconds["setup"] = (timezone.now() - t0).total_seconds()

    t0 = timezone.now()
    rows = {"nodes": 0, "milestones": 0, "budget": 0, "cycles": 0, "reports": 0}
    quarters = _quarters()
    with transaction.atomic():
        next_id = (Node.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        next_cycle = (
            ReportingCycle.objects.order_by("-id").values_list("id", flat=True).first() or 0
        ) + 1
        for programme in programmes:
            nodes: list[tuple[object, ...]] = []
            milestones: list[tuple[object, ...]] = []
            budget: list[tuple[object, ...]] = []
            reports: list[tuple[object, ...]] = []
            cycles = []
            for start, end, due in quarters:
                cycles.append((next_cycle, programme.pk, Frequency.QUARTERLY, start, end, due, t0))
                next_cycle += 1
            insert_rows(
                ReportingCycle,
                ("id", "programme", "frequency", "period_start", "period_end", "due_on",
                 "closed_at"),
                cycles,
            )  # fmt: skip
            rows["cycles"] += len(cycles)

            def node(
                parent: tuple[int, str, int] | None,
                kind: str,
                order: int,
                title: str,
                nodes: list[tuple[object, ...]] = nodes,
                programme: Programme = programme,
                **extra: object,
            ) -> tuple[int, str, int]:
                nonlocal next_id
                pk = next_id
                next_id += 1
                path = node_path_text(parent[1] if parent else "/", order, pk)
                depth = parent[2] + 1 if parent else 0
                nodes.append(
                    (
                        pk, programme.pk, parent[0] if parent else None, path, depth, order,
                        kind, extra.get("code", str(order)), title, "",
                        extra.get("focus", False), False, extra.get("breakthrough", False),
                        extra.get("lead"), extra.get("person"), extra.get("start"),
                        extra.get("due"), extra.get("staff"), extra.get("weight", Decimal(1)),
                        extra.get("status", NodeStatus.NOT_STARTED), extra.get("progress", 0),
                        True,
                    )
                )  # fmt: skip
                return pk, path, depth

            for f in range(1, FIELDS + 1):
                field = node(None, NodeKind.FIELD, f, f"Lĩnh vực minh họa {f}")
                for i in range(1, ITEMS + 1):
                    item = node(
                        field,
                        NodeKind.ITEM,
                        i,
                        f"Nội dung minh họa {f}.{i}",
                        code=f"{f}.{i}",
                        focus=i == 1,
                        breakthrough=i == 2,
                    )
                    for t in range(1, TASKS + 1):
                        lead = rng.randrange(AGENCIES)
                        start = datetime.date(2019, 1, 1) + datetime.timedelta(rng.randrange(365))
                        due = start + datetime.timedelta(days=rng.randrange(180, 1500))
                        progress = 0
                        status = NodeStatus.NOT_STARTED
                        task_reports = []
                        for q, (cycle_id, *_rest) in enumerate(cycles):
                            progress = min(100, progress + rng.randrange(0, 20))
                            status = (
                                NodeStatus.DONE
                                if progress == 100
                                else rng.choice(STATUSES[1:3])
                                if progress
                                else NodeStatus.NOT_STARTED
                            )
                            task_reports.append(
                                (cycle_id, status, progress, quarters[q][2], Decimal(progress))
                            )
                        pk, _path, _depth = node(
                            item,
                            NodeKind.TASK,
                            t,
                            f"Nhiệm vụ minh họa {f}.{i}.{t}",
                            code=f"{f}.{i}.{t}",
                            lead=agencies[lead].pk,
                            person=people[lead].pk,
                            start=start,
                            due=due,
                            staff=rng.randrange(1, 10),
                            weight=Decimal(rng.randrange(1, 4)),
                            status=status,
                            progress=progress,
                        )
                        milestones.append((pk, "Mốc minh họa", start + (due - start) / 2, None))
                        budget.append(
                            (
                                pk,
                                rng.choice(FundingSource.values),
                                2020,
                                Decimal(rng.randrange(1, 500)) * 10_000_000,
                                "",
                            )
                        )
                        agency = agencies[lead].pk
                        reports += [
                            (cycle_id, pk, agency, st, pr, "", Decimal(pr) * 1_000_000,
                             datetime.datetime.combine(day, datetime.time(9), datetime.UTC))
                            for cycle_id, st, pr, day, _m in task_reports
                        ]  # fmt: skip
            insert_rows(
                Node,
                ("id", "programme", "parent", "path", "depth", "order", "kind", "code", "title",
                 "description", "is_focus", "is_key", "is_breakthrough", "lead_unit",
                 "responsible", "start_on", "due_on", "staff", "weight", "status", "progress",
                 "is_sample"),
                nodes,
            )  # fmt: skip
            insert_rows(Milestone, ("node", "title", "due_on", "done_on"), milestones)
            insert_rows(BudgetLine, ("node", "source", "year", "amount", "note"), budget)
            insert_rows(
                ProgressReport,
                ("cycle", "node", "unit", "status", "progress", "narrative", "spent",
                 "submitted_at"),
                reports,
            )  # fmt: skip
            rows["nodes"] += len(nodes)
            rows["milestones"] += len(milestones)
            rows["budget"] += len(budget)
            rows["reports"] += len(reports)
    seconds["rows"] = (timezone.now() - t0).total_seconds()
    return Generated(office, programmes, rows, seconds)


def node_path_text(parent_path: str, order: int, pk: int) -> str:
    """``tinhuy.programs.actions.node_path`` for rows written without a parent instance."""
    return f"{parent_path}{order:06d}.{pk}/"


# --- Floors ---------------------------------------------------------------------------------


def raw_tree(programme_id: int) -> tuple[Decimal, Decimal, int]:
    """The cheapest known way to the tree's numbers: the nodes' rows and the budget summed per
    node by raw SQL, then the same weighted roll-up over tuples (children before parents)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, parent_id, weight, status, progress FROM programs_node "
            "WHERE programme_id = %s ORDER BY path",
            [programme_id],
        )
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT b.node_id, SUM(b.amount) FROM programs_budgetline b "
            "JOIN programs_node n ON n.id = b.node_id WHERE n.programme_id = %s "
            "GROUP BY b.node_id",
            [programme_id],
        )
        budget = {node_id: Decimal(total) for node_id, total in cursor.fetchall()}
    children: dict[int | None, list[int]] = {}
    info = {}
    for pk, parent, weight, status, progress in rows:
        children.setdefault(parent, []).append(pk)
        info[pk] = (Decimal(weight), status == "cancelled", Decimal(progress))
    rolled: dict[int, Decimal] = {}
    money: dict[int, Decimal] = {}
    for pk, *_rest in reversed(rows):
        kids = children.get(pk)
        money[pk] = budget.get(pk, Decimal(0)) + sum((money[k] for k in kids or ()), Decimal(0))
        if not kids:
            rolled[pk] = info[pk][2]
            continue
        weights = [(info[k][0], rolled[k]) for k in kids if not info[k][1]]
        total = sum((w for w, _p in weights), Decimal(0))
        rolled[pk] = (
            (sum((w * p for w, p in weights), Decimal(0)) / total).quantize(Decimal("0.1"))
            if total
            else Decimal(0)
        )
    roots = children.get(None, [])
    weights = [(info[k][0], rolled[k]) for k in roots if not info[k][1]]
    total = sum((w for w, _p in weights), Decimal(0))
    progress = (sum((w * p for w, p in weights), Decimal(0)) / total).quantize(Decimal("0.1"))
    return progress, sum((money[r] for r in roots), Decimal(0)), len(rows)


def raw_overdue(today: datetime.date) -> tuple[list[tuple[object, ...]], int, int]:
    """The due list's numbers by raw SQL over the same rows: the first page of overdue tasks,
    and the counts of the overdue and of the due within 30 days. The counts in one pass over
    the open tasks (``COUNT … FILTER``): the cheapest known way — a count bounded by
    ``due_on < today`` walks the due-date index and fetches each of the ~90,000 overdue rows
    from the table, about four times slower on SQLite than reading the table once."""
    soon = today + datetime.timedelta(days=30)
    open_tasks = (
        "FROM programs_node n JOIN programs_programme p ON p.id = n.programme_id "
        "WHERE n.kind = 'task' AND n.status IN ('not_started', 'on_track', 'behind') "
        "AND n.due_on IS NOT NULL AND p.state IN ('approved', 'in_progress')"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT n.id, n.title, n.due_on, n.lead_unit_id, n.responsible_id {open_tasks} "
            f"AND n.due_on < %s ORDER BY n.due_on, n.id LIMIT {PAGE}",
            [today],
        )
        page = cursor.fetchall()
        cursor.execute(
            "SELECT COUNT(*) FILTER (WHERE n.due_on < %s), "
            f"COUNT(*) FILTER (WHERE n.due_on >= %s AND n.due_on <= %s) {open_tasks}",
            [today, today, soon],
        )
        late, coming = cursor.fetchone()
    return page, late, coming


# --- Run --------------------------------------------------------------------------------------

NAME = 62


def _line(name: str, timing: Timing, queries: int | str, floor: Timing | None) -> str:
    ratio = f"{timing.median_ms / floor.median_ms:.2f}×" if floor else ""
    return (
        f"  {name:<{NAME - 2}} {queries!s:>7} {len(timing.samples):>5} {timing.median_ms:>8.2f} "
        f"{timing.p95_ms:>8.2f}  {ratio:>8}"
    )


def _header(title: str) -> str:
    return f"{title:<{NAME}} {'queries':>7} {'calls':>5} {'p50 ms':>8} {'p95 ms':>8}  {'×floor':>8}"


def _url(name: str, **kwargs: object) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def run(out: Callable[[str], None] = print) -> list[Verdict]:
    allow_test_host()
    out("")
    out(
        f"programmes — {PROGRAMMES} programmes × {FIELDS * ITEMS * TASKS:,} tasks × {CYCLES} "
        f"quarterly reports (seed {SEED})"
    )
    if SCALE != 1:
        out(f"           TINHUY_BENCH_SCALE={SCALE}: a reduced run, not comparable with a full one")
    g, seconds = timed(generate)
    assert isinstance(g, Generated)
    out(
        f"generate   {seconds:.1f} s — structure, people, users, programmes (actions) "
        f"{g.seconds['setup']:.1f} s; rows (insert_rows) {g.seconds['rows']:.1f} s: "
        + ", ".join(f"{n:,} {what}" for what, n in g.rows.items())
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    today = timezone.localdate()
    scope = scope_for(g.office)
    programme = g.programmes[len(g.programmes) // 2]

    # The figures must be the floors' numbers.
    result = tree(programme)
    floor_progress, floor_budget, floor_rows = raw_tree(programme.pk)
    assert (result.progress, result.budget, len(result.by_id)) == (
        floor_progress,
        floor_budget,
        floor_rows,
    ), (result.progress, floor_progress, result.budget, floor_budget)
    overdue = overdue_tasks(scope, today)
    floor_page, floor_count, floor_coming = raw_overdue(today)
    assert [n.pk for n in overdue[:PAGE]] == [r[0] for r in floor_page]
    assert overdue.count() == floor_count
    assert due_soon_tasks(scope, today).count() == floor_coming
    out(
        f"checks     programme {programme.pk}: {floor_rows:,} nodes, progress "
        f"{floor_progress}%, budget {floor_budget:,} đồng — the same by tree() and by raw SQL; "
        f"{floor_count:,} overdue and {floor_coming:,} due-soon tasks province-wide, the first "
        f"{PAGE} overdue the same"
    )

    client = Client()
    client.force_login(g.office)
    out("")
    out(_header("reads"))
    floor_tree = measure(lambda: raw_tree(programme.pk), REPS, WARM_UPS)
    out(_line("floor: raw SQL + roll-up over tuples (one programme)", floor_tree, 2, floor_tree))
    tree_t = measure(lambda: tree(programme), REPS, WARM_UPS)
    out(
        _line(
            "queries.tree (one programme)",
            tree_t,
            count_queries(lambda: tree(programme)),
            floor_tree,
        )
    )
    verdicts = []
    page = _url("programs_detail", programme_id=programme.pk)
    if page:
        page_t = measure(lambda: client.get(page), REPS, WARM_UPS)
        assert client.get(page).status_code == 200
        queries = count_queries(lambda: client.get(page))
        out(_line("programme page (programs_detail)", page_t, queries, floor_tree))
        tree_figure = ("programme tree page ≤ 2× raw SQL", page_t)
        # An item opened: its 50 tasks, by the fragment (htmx) and by the page (?mo=).
        item = Node.objects.filter(programme=programme, kind=NodeKind.ITEM).order_by("path")[0]
        fragment = _url("programs_tree_children", programme_id=programme.pk, node_id=item.pk)
        if fragment:
            assert client.get(fragment).status_code == 200
            for name, url in (
                ("the fragment of an item's 50 tasks (programs_tree_children)", fragment),
                ("programme page, one item opened (?mo=)", f"{page}?mo={item.pk}"),
            ):

                def get(url: str = url) -> object:
                    return client.get(url)

                out(_line(name, measure(get, REPS, WARM_UPS), count_queries(get), floor_tree))
    else:
        tree_figure = ("programme tree (queries.tree; no page yet) ≤ 2× raw SQL", tree_t)
    verdicts.append(
        Verdict(tree_figure[0], tree_figure[1].median_ms, floor_tree.median_ms, TREE_TARGET)
    )
    floor_due = measure(lambda: raw_overdue(today), REPS, WARM_UPS)
    out(
        _line(
            "floor: raw SQL, overdue first 50; overdue and due-soon counts", floor_due, 2, floor_due
        )
    )

    def overdue_list() -> object:
        tasks = overdue_tasks(scope, today)
        return list(tasks[:PAGE]), tasks.count()

    due_t = measure(overdue_list, REPS, WARM_UPS)
    queries = count_queries(overdue_list)
    out(_line("queries.overdue_tasks, first 50 and count", due_t, queries, floor_due))
    due_page = _url("programs_due")
    if due_page:
        due_page_t = measure(lambda: client.get(due_page), REPS, WARM_UPS)
        queries = count_queries(lambda: client.get(due_page))
        out(_line("overdue and due-soon page (programs_due)", due_page_t, queries, floor_due))
        due_figure = ("province-wide overdue page ≤ 2× raw SQL", due_page_t)
    else:
        due_figure = ("overdue list (queries; no page yet) ≤ 2× raw SQL", due_t)
    verdicts.append(
        Verdict(due_figure[0], due_figure[1].median_ms, floor_due.median_ms, OVERDUE_TARGET)
    )
    out("")
    out(verdict_header("targets (issue 10), medians beside their floors"))
    for verdict in verdicts:
        out(verdict.line())
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    out(f"end        load {load} (1, 5, 15 min)")
    return verdicts
