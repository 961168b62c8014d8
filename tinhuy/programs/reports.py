"""What the programmes module hands out as Party documents (.docx): the programme itself
("kế hoạch, chương trình, đề án" — its tree as numbered sections with owners, dates, money and
roadmap, and a budget summary by source) and a reporting cycle's progress report ("báo cáo
tiến độ": per task status, % done, results and money spent; the roll-up per field and overall).

The rows come from ``tinhuy.programs.queries`` (the tree and its weighted roll-up, as the pages
show them); the file is written by ``tinhuy.documents.docx`` in the layout of
``documents.party_style``. The header names the issuing body as the meetings module does
(``meetings.reports.party_body``: the register's declaration wins). An issued programme carries
its register number, date and signer; otherwise "Số     -KH/TU" and a blank date for the office.

A Party document is Vietnamese whatever the reader's language: its text does not go through
gettext (the views render it under ``translation.override("vi")`` for the model labels).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from tinhuy.documents import docx
from tinhuy.documents.numbers import format_number
from tinhuy.meetings.reports import SAMPLE_NOTE, party_body
from tinhuy.programs.models import (
    FundingSource,
    Indicator,
    Node,
    NodeKind,
    NodeStatus,
    Programme,
    ProgrammeKind,
    ProgressReport,
    ReportingCycle,
)
from tinhuy.programs.queries import Tree, TreeNode, dmy, tree, weighted
from tinhuy.register.models import DocType
from tinhuy.search.text import fold

# The Vietnamese words of the document, fixed (not the UI's translation).
SOURCE_WORDS = {
    FundingSource.CENTRAL_BUDGET: "Ngân sách trung ương",
    FundingSource.LOCAL_BUDGET: "Ngân sách địa phương",
    FundingSource.ODA: "Vốn ODA, vay ưu đãi",
    FundingSource.PRIVATE: "Vốn doanh nghiệp, xã hội hóa",
    FundingSource.OTHER: "Nguồn khác",
}
STATUS_WORDS = {
    NodeStatus.NOT_STARTED: "Chưa triển khai",
    NodeStatus.ON_TRACK: "Đang thực hiện, đúng tiến độ",
    NodeStatus.BEHIND: "Đang thực hiện, chậm tiến độ",
    NodeStatus.DONE: "Đã hoàn thành",
    NodeStatus.CANCELLED: "Dừng, hủy bỏ",
}
DOC_TYPE_WORDS = {
    DocType.KH: "Kế hoạch",
    DocType.CTR: "Chương trình",
    DocType.DA: "Đề án",
    DocType.BC: "Báo cáo",
}
# A programme without a Board draft yet is written as the document its kind is.
DOC_TYPE_OF_KIND = {
    ProgrammeKind.PROGRAMME: DocType.CTR,
    ProgrammeKind.SCHEME: DocType.DA,
    ProgrammeKind.PROJECT: DocType.DA,
    ProgrammeKind.PLAN: DocType.KH,
}
NOT_REPORTED = "Chưa báo cáo"
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")


def money(amount: Decimal | int | None) -> str:
    """ "2.500.000.000 đồng"."""
    return f"{format_number(amount or 0)} đồng"


def percent(value: Decimal | int) -> str:
    return f"{format_number(Decimal(value), 1)}%"


def _summary(title: str, document_type: str) -> str:
    """The summary line without the type it repeats ("Kế hoạch thực hiện …" → "thực hiện …")."""
    if fold(title).startswith(fold(document_type) + " "):
        return title[len(document_type) + 1 :].strip()
    return title


def _sections() -> Any:
    """I., II., … in the order the body's headings come."""
    return iter(ROMAN)


# --- The programme ------------------------------------------------------------------------------


def _nodes(programme: Programme, shown: set[int]) -> list[Node]:
    return [
        node
        for node in Node.objects.filter(programme=programme)
        .order_by("path")
        .select_related("lead_unit", "responsible")
        .prefetch_related(
            "coordinating_units",
            "milestones",
            "budget_lines",
            Prefetch("indicators", queryset=Indicator.objects.prefetch_related("targets")),
        )
        if node.pk in shown
    ]


def _emphasis(node: Node) -> str:
    words = [
        word
        for on, word in (
            (node.is_focus, "trọng tâm"),
            (node.is_key, "trọng điểm"),
            (node.is_breakthrough, "đột phá"),
        )
        if on
    ]
    return f" ({', '.join(words)})" if words else ""


def _task_lines(node: Node) -> list[str]:
    lines = []
    if node.lead_unit is not None:
        lead = f"- Đơn vị chủ trì: {node.lead_unit.name}"
        coordinating = [u.name for u in node.coordinating_units.all()]
        if coordinating:
            lead += f"; phối hợp: {', '.join(coordinating)}"
        lines.append(lead + ".")
    if node.responsible is not None:
        who = node.responsible.full_name
        if node.responsible.position:
            who += f", {node.responsible.position}"
        lines.append(f"- Người phụ trách: {who}.")
    if node.start_on or node.due_on:
        period = (
            f"từ {dmy(node.start_on)} đến {dmy(node.due_on)}"
            if node.start_on and node.due_on
            else f"hoàn thành trước {dmy(node.due_on)}"
            if node.due_on
            else f"từ {dmy(node.start_on)}"
        )
        lines.append(f"- Thời gian: {period}.")
    budget = list(node.budget_lines.all())
    if budget:
        parts = [
            f"{SOURCE_WORDS.get(FundingSource(b.source), b.source)}"
            f"{f' năm {b.year}' if b.year else ''}: {money(b.amount)}"
            for b in budget
        ]
        total = sum((b.amount for b in budget), Decimal(0))
        lines.append(f"- Kinh phí: {money(total)} ({'; '.join(parts)}).")
    if node.staff is not None:
        lines.append(f"- Nhân lực: {node.staff} người.")
    milestones = list(node.milestones.all())
    if milestones:
        lines.append(
            "- Lộ trình: " + "; ".join(f"{dmy(m.due_on)}: {m.title}" for m in milestones) + "."
        )
    for indicator in node.indicators.all():
        text = f"- Chỉ tiêu “{indicator.name}” ({indicator.unit_of_measure})"
        if indicator.baseline_value is not None:
            year = f" {indicator.baseline_year}" if indicator.baseline_year else ""
            text += f": năm gốc{year} đạt {format_number(indicator.baseline_value)}"
        targets = [f"năm {t.year}: {format_number(t.value)}" for t in indicator.targets.all()]
        if targets:
            text += f"; mục tiêu {', '.join(targets)}"
        lines.append(text + ".")
    return lines


def programme_docx(programme: Programme, *, node_ids: set[int] | None = None) -> bytes:
    """The programme as a Party document; ``node_ids`` (a user who sees some branches) keeps
    those branches, their ancestors and descendants, as the tree page does."""
    draft = programme.draft
    unit = draft.issuing_unit if draft is not None else programme.owner_unit
    body = party_body(unit)
    doc_type = (
        draft.doc_type if draft is not None else DOC_TYPE_OF_KIND[ProgrammeKind(programme.kind)]
    )
    document_type = DOC_TYPE_WORDS.get(DocType(doc_type), str(DocType(doc_type).label))
    entry = draft.register_entry if draft is not None and draft.register_entry_id else None
    number = (
        entry.number_line
        if entry is not None
        else docx.number_line("", document_symbol=doc_type, body=body)
    )
    document = docx.PartyDocument(
        body=body,
        number=number,
        place_date=docx.place_date_line(body.place, entry.issued_on if entry else None),
        document_type=document_type,
        summary=_summary(programme.title, document_type),
    )
    if programme.is_sample:
        document.paragraph(SAMPLE_NOTE, italic=True)
    if programme.source_decision:
        document.paragraph(f"Căn cứ {programme.source_decision};")
        issuer = f"Ban Thường vụ {body.committee}" if body.kind else unit.name
        document.paragraph(f"{issuer} ban hành {document_type} với các nội dung sau:")
    sections = _sections()
    document.heading(f"{next(sections)}. MỤC TIÊU, THỜI GIAN THỰC HIỆN")
    for goal in [g.strip() for g in programme.goals.splitlines() if g.strip()]:
        document.paragraph(goal)
    if programme.period_start or programme.period_end:
        document.paragraph(
            f"Thời gian thực hiện: từ {dmy(programme.period_start) or '…'} "
            f"đến {dmy(programme.period_end) or '…'}."
        )
    result = tree(programme, node_ids=node_ids)
    nodes = _nodes(programme, set(result.by_id))
    document.heading(f"{next(sections)}. NHIỆM VỤ, GIẢI PHÁP")
    if not nodes:
        document.paragraph("(Chưa có nhiệm vụ.)", italic=True)
    for node in nodes:
        label = f"{node.code}. {node.title}" if node.code else node.title
        document.paragraph(
            f"{label}{_emphasis(node)}", bold=node.kind != NodeKind.TASK, italic=node.depth > 1
        )
        if node.description:
            document.paragraph(node.description)
        for line in _task_lines(node):
            document.paragraph(line)
    document.heading(f"{next(sections)}. KINH PHÍ THỰC HIỆN")
    by_source = {source: Decimal(0) for source in SOURCE_WORDS}
    for node in nodes:
        for budget_line in node.budget_lines.all():
            by_source[FundingSource(budget_line.source)] += budget_line.amount
    total = sum(by_source.values(), Decimal(0))
    document.paragraph(f"Tổng kinh phí: {money(total)}, gồm:")
    document.table(
        ["TT", "Nguồn vốn", "Kinh phí (đồng)", "Tỷ lệ"],
        [
            [str(i), SOURCE_WORDS[source], format_number(amount), _share(amount, total)]
            for i, (source, amount) in enumerate(by_source.items(), start=1)
        ]
        + [["", "Tổng cộng", format_number(total), _share(total, total)]],
        widths_mm=(12, 78, 45, 25),
        right_aligned=(2, 3),
        centred=(0,),
    )
    document.heading(f"{next(sections)}. TỔ CHỨC THỰC HIỆN")
    if programme.focal_agency is not None:
        document.paragraph(
            f"Giao {programme.focal_agency.name} là cơ quan đầu mối, chủ trì theo dõi, đôn đốc, "
            "tổng hợp tình hình thực hiện, định kỳ báo cáo."
        )
    coordinating = [u.name for u in programme.coordinating_units.all()]
    if coordinating:
        document.paragraph(f"Các đơn vị phối hợp: {', '.join(coordinating)}.")
    document.paragraph(
        "Các đơn vị chủ trì nhiệm vụ xây dựng kế hoạch cụ thể, bảo đảm đúng lộ trình, nguồn lực "
        "và báo cáo tiến độ theo từng kỳ."
    )
    day = entry.issued_on if entry is not None else timezone.localdate()
    recipients = list(docx.upward_recipients(body, day))
    recipients += [name for name in _owners(programme, nodes) if name not in recipients]
    signature = (
        docx.Signature(
            authority=entry.authority, position=entry.signer_position, name=entry.signer_name
        )
        if entry is not None
        else docx.Signature()
    )
    return document.close(signature=signature, recipients=docx.recipient_lines(recipients, body))


def _share(amount: Decimal, total: Decimal) -> str:
    return percent(amount * 100 / total) if total else "—"


def _owners(programme: Programme, nodes: Sequence[Node]) -> list[str]:
    names = [programme.focal_agency.name] if programme.focal_agency is not None else []
    names += [n.lead_unit.name for n in nodes if n.lead_unit is not None]
    return list(dict.fromkeys(names))


# --- A cycle's progress report ---------------------------------------------------------------


def _reports_as_of(cycle: ReportingCycle) -> tuple[dict[int, ProgressReport], set[int]]:
    """Each task's report standing at ``cycle``: its own, else its latest earlier one; and the
    tasks that reported in this very cycle."""
    reports = (
        ProgressReport.objects.filter(
            node__programme_id=cycle.programme_id, cycle__period_start__lte=cycle.period_start
        )
        .select_related("cycle")
        .order_by("node_id", "cycle__period_start")
    )
    standing: dict[int, ProgressReport] = {}
    this_cycle: set[int] = set()
    for report in reports:
        standing[report.node_id] = report  # later cycles come later
        if report.cycle_id == cycle.pk:
            this_cycle.add(report.node_id)
    return standing, this_cycle


def _roll_up(result: Tree, standing: dict[int, ProgressReport]) -> None:
    """The tree's progress as the cycle stood: leaves from their standing report."""
    for node in reversed(result.flat()):
        if node.children:
            node.rolled = weighted(node.children)
        else:
            report = standing.get(node.id)
            node.status = report.status if report else NodeStatus.NOT_STARTED
            node.rolled = Decimal(report.progress if report else 0)
    result.progress = weighted(result.roots)


def _is_late(report: ProgressReport | None, cycle: ReportingCycle, today: datetime.date) -> bool:
    if report is None or report.cycle_id != cycle.pk:
        return today > cycle.due_on
    return timezone.localdate(report.submitted_at) > cycle.due_on


def cycle_report_docx(cycle: ReportingCycle, *, node_ids: set[int] | None = None) -> bytes:
    """The progress report of a cycle: the overall roll-up, each field's, then a table of the
    tasks with status, % done, results and money spent (a task that did not report in this
    cycle shows its latest earlier report, marked "Chưa báo cáo kỳ này")."""
    programme = cycle.programme
    body = party_body(programme.owner_unit)
    result = tree(programme, node_ids=node_ids)
    standing, this_cycle = _reports_as_of(cycle)
    _roll_up(result, standing)
    tasks = [n for n in result.flat() if n.kind == NodeKind.TASK and not n.children]
    today = timezone.localdate()
    period = f"từ {dmy(cycle.period_start)} đến {dmy(cycle.period_end)}"
    document = docx.PartyDocument(
        body=body,
        number=docx.number_line("", document_symbol=DocType.BC.value, body=body),
        place_date=docx.place_date_line(body.place, None),
        document_type="Báo cáo",
        summary=f"tiến độ thực hiện {programme.title} (kỳ báo cáo {period})",
    )
    if programme.is_sample:
        document.paragraph(SAMPLE_NOTE, italic=True)
    reported = sum(1 for t in tasks if t.id in this_cycle)
    late = sum(1 for t in tasks if _is_late(standing.get(t.id), cycle, today))
    sections = _sections()
    document.heading(f"{next(sections)}. KẾT QUẢ CHUNG")
    document.paragraph(
        f"Kỳ báo cáo {period} (hạn báo cáo {dmy(cycle.due_on)}"
        f"{', đã khóa sổ' if cycle.is_closed else ''}): {reported}/{len(tasks)} nhiệm vụ đã báo "
        f"cáo{f', {late} nhiệm vụ báo cáo muộn hoặc chưa báo cáo khi đã quá hạn' if late else ''}."
    )
    document.paragraph(f"Tiến độ chung của chương trình: {percent(result.progress)}.")
    spent = sum(
        (r.spent for t in tasks if (r := standing.get(t.id)) is not None and r.spent is not None),
        Decimal(0),
    )
    document.paragraph(
        f"Kinh phí đã giải ngân lũy kế: {money(spent)} / kế hoạch {money(result.budget)}."
    )
    if result.roots:
        document.table(
            ["TT", "Lĩnh vực", "Tiến độ", "Kinh phí kế hoạch (đồng)"],
            [
                [
                    str(i),
                    f"{root.code}. {root.title}".lstrip(". "),
                    percent(root.rolled),
                    format_number(root.budget),
                ]
                for i, root in enumerate(result.roots, start=1)
            ],
            widths_mm=(12, 83, 25, 40),
            right_aligned=(2, 3),
            centred=(0,),
        )
    document.heading(f"{next(sections)}. TÌNH HÌNH THỰC HIỆN CÁC NHIỆM VỤ")
    if tasks:
        document.table(
            ["TT", "Nhiệm vụ", "Tình trạng", "Tiến độ", "Kết quả thực hiện", "Đã giải ngân (đồng)"],
            [
                _task_row(i, t, standing.get(t.id), t.id in this_cycle)
                for i, t in enumerate(tasks, 1)
            ],
            widths_mm=(10, 42, 28, 16, 40, 24),
            right_aligned=(3, 5),
            centred=(0,),
        )
    else:
        document.paragraph("(Chưa có nhiệm vụ.)", italic=True)
    recipients = docx.upward_recipients(body, today)
    return document.close(
        signature=docx.Signature(), recipients=docx.recipient_lines(recipients, body)
    )


def _task_row(
    index: int, task: TreeNode, report: ProgressReport | None, reported: bool
) -> list[docx.CellText]:
    name: list[docx.Span] = [docx.Span(f"{task.code}. {task.title}".lstrip(". "), bold=True)]
    if task.lead_unit:
        name.append(docx.Span(f"\nChủ trì: {task.lead_unit}", italic=True))
    if task.due_on:
        name.append(docx.Span(f"\nHạn: {dmy(task.due_on)}", italic=True))
    if report is None:
        return [str(index), name, NOT_REPORTED, percent(0), "", ""]
    status: list[docx.Span] = [
        docx.Span(STATUS_WORDS.get(NodeStatus(report.status), report.status))
    ]
    if not reported:
        status.append(
            docx.Span(f"\n{NOT_REPORTED} kỳ này (theo báo cáo kỳ {report.cycle})", italic=True)
        )
    return [
        str(index),
        name,
        status,
        percent(report.progress),
        report.narrative,
        format_number(report.spent) if report.spent is not None else "",
    ]
