"""The Excel round trip of a programme's task table (issue 10, "Performance"): the import of one
2,000-task programme ≤ 2× its parse plus the raw UPDATE of the changed rows.

It runs after ``bench.programs`` (whose data it reuses): one of its programmes is put back to
"being written" (one UPDATE: an import edits only a plan still being written), its task table
exported by ``tinhuy.programs.workbook.task_table_xlsx``, and the title of every tenth task
changed with openpyxl (200 cells), outside the timing. Then it times:

- the **import**: ``preview_import`` (every row read and checked, the changes and the token)
  and ``apply_import`` (the changes written through the actions, all or none, with their audit
  events) — each run on the original titles again, restored by a raw UPDATE between runs,
  outside the timing;
- its **floor**: python-calamine's parse of the same file (the bare engine, no checks) and the
  raw ``UPDATE programs_node SET title = %s WHERE id = %s`` of the same 200 rows.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable

from django.contrib.auth.models import User
from django.db import connection, transaction

from bench.util import Timing, Verdict, count_queries, verdict_header
from tinhuy.documents.tables import read_table
from tinhuy.programs.models import Node, NodeKind, Programme, ProgrammeState
from tinhuy.programs.workbook import TASK_SHEET, apply_import, preview_import, task_table_xlsx

EVERY = 10  # one task in ten gets a new title
REPS = 5
TARGET = 2.0


def _edited(data: bytes, ids: set[int]) -> bytes:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[TASK_SHEET]
    header = [cell.value for cell in sheet[1]]
    id_col, title_col = header.index("Mã hệ thống") + 1, header.index("Tên") + 1
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, id_col).value in ids:
            cell = sheet.cell(row, title_col)
            cell.value = f"{cell.value} (đã sửa)"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _parse(data: bytes) -> list[list[object]]:
    from python_calamine import CalamineWorkbook

    return (
        CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(TASK_SHEET).to_python()
    )


def _restore(titles: dict[int, str]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE programs_node SET title = %s WHERE id = %s",
            [(title, pk) for pk, title in titles.items()],
        )


def _timed(fn: Callable[[], object], reset: Callable[[], None]) -> Timing:
    import time

    fn()
    reset()  # one untimed warm-up
    samples = []
    for _ in range(REPS):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
        reset()
    return Timing(samples)


def run(out: Callable[[str], None] = print) -> list[Verdict]:
    programme = (
        Programme.objects.filter(owner_unit__structure__code="bench-programs")
        .order_by("id")
        .first()
    )
    office = User.objects.get(username="bench-ct-vanphong")
    assert programme is not None
    Programme.objects.filter(pk=programme.pk).update(state=ProgrammeState.DRAFT)
    programme.refresh_from_db()
    tasks = list(
        Node.objects.filter(programme=programme, kind=NodeKind.TASK)
        .order_by("path")
        .values_list("id", "title")
    )
    titles = dict(tasks[::EVERY])
    original = task_table_xlsx(programme)
    data = _edited(original, set(titles))
    out("")
    out(
        f"import     one programme's task table: {len(tasks) + 45:,} rows, the title of every "
        f"{EVERY}th task changed ({len(titles)} cells); {len(data) / 1024:,.0f} KB; "
        f"{REPS} runs after a warm-up, the titles restored between runs (untimed)"
    )
    preview = preview_import(programme, data, "bang.xlsx", user=office)
    assert not preview.errors, preview.errors
    assert len(preview.changes) == len(titles), len(preview.changes)

    def full_import() -> None:
        found = preview_import(programme, data, "bang.xlsx", user=office)
        assert apply_import(programme, found.token, acting_user=office) == len(titles)

    queries = count_queries(full_import)
    _restore(titles)
    new_titles = {pk: f"{title} (đã sửa)" for pk, title in titles.items()}

    def floor() -> None:
        rows = _parse(data)
        assert len(rows) == len(tasks) + 46
        _restore(new_titles)

    floor_t = _timed(floor, lambda: _restore(titles))
    read_t = _timed(
        lambda: read_table(data, "bang.xlsx", sheet=TASK_SHEET, require_sheet=True), lambda: None
    )
    preview_t = _timed(
        lambda: preview_import(programme, data, "bang.xlsx", user=office), lambda: None
    )
    import_t = _timed(full_import, lambda: _restore(titles))
    floor_name = f"floor: calamine parse + raw UPDATE of {len(titles)} rows"
    out(f"  {floor_name:<50} {floor_t.median_ms:>9.1f} ms")
    out(f"  preview_import (read, check every row, diff)       {preview_t.median_ms:>9.1f} ms")
    out(f"    of which the task sheet read (file guards, calamine) {read_t.median_ms:>6.1f} ms")
    out(
        f"  preview_import + apply_import (through the actions, {queries:,} queries) "
        f"{import_t.median_ms:>9.1f} ms"
    )
    Programme.objects.filter(pk=programme.pk).update(state=ProgrammeState.IN_PROGRESS)
    verdicts = [
        Verdict(
            "Excel import, 2,000 tasks ≤ 2× parse + raw update",
            import_t.median_ms,
            floor_t.median_ms,
            TARGET,
        )
    ]
    out("")
    out(verdict_header("target (issue 10), medians beside the floor"))
    for verdict in verdicts:
        out(verdict.line())
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    out(f"end        load {load} (1, 5, 15 min)")
    return verdicts
