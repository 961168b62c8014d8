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

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone, translation

from tinhuy.documents import docx
from tinhuy.documents.numbers import format_number
from tinhuy.meetings.reports import SAMPLE_NOTE, party_body
from tinhuy.programs import cycles
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
from tinhuy.programs.queries import Tree, dmy, tree, weighted
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
# A programme without a Board draft yet is written as the document its kind is. A project ("dự
# án") is no type of Party document (Hướng dẫn 36-HD/VPTW, ``DocType``): a Party committee
# carries one out by its plan, "Kế hoạch thực hiện Dự án …" — never as an "Đề án" (a scheme).
DOC_TYPE_OF_KIND = {
    ProgrammeKind.PROGRAMME: DocType.CTR,
    ProgrammeKind.SCHEME: DocType.DA,
    ProgrammeKind.PROJECT: DocType.KH,
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

# The plan the document writes, whether frozen (an issued version's snapshot) or today's.
Indicator_ = tuple[str, str, Decimal | None, int | None, list[tuple[int, Decimal]]]


@dataclass
class PlanNode:
    id: int
    depth: int
    kind: str
    code: str
    title: str
    emphasis: list[str]
    description: str
    lead_unit: str
    coordinating_units: list[str]
    responsible: str  # "Full Name" or "Full Name, position"
    start_on: str  # dd/mm/yyyy or ""
    due_on: str
    staff: int | None
    milestones: list[tuple[str, str]]  # (title, dd/mm/yyyy)
    budget: list[tuple[str, int | None, Decimal]]  # (source, year, đồng)
    indicators: list[Indicator_]  # (name, unit, baseline, baseline year, targets)


@dataclass
class Plan:
    title: str
    source_decision: str
    goals: str
    period: tuple[str, str]
    focal_agency: str
    coordinating_units: list[str]
    nodes: list[PlanNode]


def _live_nodes(programme: Programme, shown: set[int] | None) -> list[Node]:
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
        if shown is None or node.pk in shown
    ]


def _live_plan(programme: Programme, shown: set[int] | None) -> Plan:
    """Today's plan (a programme not issued yet: the draft being written)."""
    nodes = []
    for node in _live_nodes(programme, shown):
        who = ""
        if node.responsible is not None:
            who = node.responsible.full_name
            if node.responsible.position:
                who += f", {node.responsible.position}"
        nodes.append(
            PlanNode(
                id=node.pk,
                depth=node.depth,
                kind=node.kind,
                code=node.code,
                title=node.title,
                emphasis=[
                    word
                    for on, word in (
                        (node.is_focus, "trọng tâm"),
                        (node.is_key, "trọng điểm"),
                        (node.is_breakthrough, "đột phá"),
                    )
                    if on
                ],
                description=node.description,
                lead_unit=node.lead_unit.name if node.lead_unit else "",
                coordinating_units=[u.name for u in node.coordinating_units.all()],
                responsible=who,
                start_on=dmy(node.start_on),
                due_on=dmy(node.due_on),
                staff=node.staff,
                milestones=[(m.title, dmy(m.due_on)) for m in node.milestones.all()],
                budget=[(b.source, b.year, Decimal(b.amount)) for b in node.budget_lines.all()],
                indicators=[
                    (
                        i.name,
                        i.unit_of_measure,
                        i.baseline_value,
                        i.baseline_year,
                        [(t.year, t.value) for t in i.targets.all()],
                    )
                    for i in node.indicators.all()
                ],
            )
        )
    return Plan(
        title=programme.title,
        source_decision=programme.source_decision,
        goals=programme.goals,
        period=(dmy(programme.period_start), dmy(programme.period_end)),
        focal_agency=programme.focal_agency.name if programme.focal_agency else "",
        coordinating_units=[u.name for u in programme.coordinating_units.all()],
        nodes=nodes,
    )


def _emphasis_words() -> dict[str, str]:
    """The flags' words in every language of the site → the Vietnamese word: a snapshot keeps
    ``Node.emphasis`` as the submitter's language gave it."""
    words = {}
    for word in ("trọng tâm", "trọng điểm", "đột phá"):
        words[word] = word
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                words[str(translation.gettext(word))] = word
    return words


def _decimal_or_none(text: str) -> Decimal | None:
    return Decimal(text) if text not in ("", None) else None


def _issued_plan(programme: Programme, snapshot: dict[str, Any], shown: set[int] | None) -> Plan:
    """The plan as the issued version froze it (``queries.snapshot_of``): owners, dates, money
    and roadmap as they were issued, whatever hand-over came later. The snapshot keeps no
    description: a node's description is read from the node, which cannot change once the
    programme is submitted (``Programme.is_editable``) and which a hand-over does not touch."""
    words = _emphasis_words()
    descriptions = dict(
        Node.objects.filter(programme=programme)
        .exclude(description="")
        .values_list("id", "description")
    )
    nodes = [
        PlanNode(
            id=n["id"],
            depth=n["depth"],
            kind=n["kind"],
            code=n["code"],
            title=n["title"],
            emphasis=[words.get(w, w) for w in n.get("emphasis", [])],
            description=descriptions.get(n["id"], ""),
            lead_unit=n["lead_unit"],
            coordinating_units=list(n["coordinating_units"]),
            responsible=n["responsible"],
            start_on=n["start_on"],
            due_on=n["due_on"],
            staff=n["staff"],
            milestones=[(title, due) for title, due in n["milestones"]],
            budget=[(source, year, Decimal(amount)) for source, year, amount in n["budget"]],
            indicators=[
                (
                    name,
                    unit,
                    _decimal_or_none(baseline),
                    None,  # the snapshot keeps no baseline year
                    [(year, Decimal(value)) for year, value in targets],
                )
                for name, unit, baseline, targets in n["indicators"]
            ],
        )
        for n in snapshot["nodes"]
        if shown is None or n["id"] in shown
    ]
    start, end = snapshot["period"]
    return Plan(
        title=snapshot["title"],
        source_decision=snapshot["source_decision"],
        goals=snapshot["goals"],
        period=(start, end),
        focal_agency=snapshot["focal_agency"],
        coordinating_units=list(snapshot["coordinating_units"]),
        nodes=nodes,
    )


def _emphasis(node: PlanNode) -> str:
    return f" ({', '.join(node.emphasis)})" if node.emphasis else ""


def _task_lines(node: PlanNode) -> list[str]:
    lines = []
    if node.lead_unit:
        lead = f"- Đơn vị chủ trì: {node.lead_unit}"
        if node.coordinating_units:
            lead += f"; phối hợp: {', '.join(node.coordinating_units)}"
        lines.append(lead + ".")
    if node.responsible:
        lines.append(f"- Người phụ trách: {node.responsible}.")
    if node.start_on or node.due_on:
        period = (
            f"từ {node.start_on} đến {node.due_on}"
            if node.start_on and node.due_on
            else f"hoàn thành trước {node.due_on}"
            if node.due_on
            else f"từ {node.start_on}"
        )
        lines.append(f"- Thời gian: {period}.")
    if node.budget:
        parts = [
            f"{SOURCE_WORDS.get(FundingSource(source), source)}"
            f"{f' năm {year}' if year else ''}: {money(amount)}"
            for source, year, amount in node.budget
        ]
        total = sum((amount for _s, _y, amount in node.budget), Decimal(0))
        lines.append(f"- Kinh phí: {money(total)} ({'; '.join(parts)}).")
    if node.staff is not None:
        lines.append(f"- Nhân lực: {node.staff} người.")
    if node.milestones:
        lines.append(
            "- Lộ trình: " + "; ".join(f"{due}: {title}" for title, due in node.milestones) + "."
        )
    for name, unit_of_measure, baseline, baseline_year, targets in node.indicators:
        text = f"- Chỉ tiêu “{name}” ({unit_of_measure})"
        if baseline is not None:
            year = f" {baseline_year}" if baseline_year else ""
            text += f": năm gốc{year} đạt {format_number(baseline)}"
        if targets:
            text += f"; mục tiêu {', '.join(f'năm {y}: {format_number(v)}' for y, v in targets)}"
        lines.append(text + ".")
    return lines


def document_type_of(programme: Programme) -> str:
    """The Party document type (``DocType``) the programme is written as: its Board draft's when
    it has one, else the one its kind is (``DOC_TYPE_OF_KIND``)."""
    draft = programme.draft
    if draft is not None:
        return str(draft.doc_type)
    return str(DOC_TYPE_OF_KIND[ProgrammeKind(programme.kind)])


def programme_docx(programme: Programme, *, node_ids: set[int] | None = None) -> bytes:
    """The programme as a Party document; ``node_ids`` (a user who sees some branches) keeps
    those branches, their ancestors and descendants, as the tree page does.

    An issued programme (its Board draft's version issued) is written as it was issued: the plan
    of that version's frozen snapshot, the register's number, date, signer and the recipients
    typed at issue — a later hand-over does not rewrite a 2020 document. A programme not issued
    yet is a draft: today's plan, a blank number and date."""
    draft = programme.draft
    unit = draft.issuing_unit if draft is not None else programme.owner_unit
    body = party_body(unit)
    doc_type = document_type_of(programme)
    document_type = DOC_TYPE_WORDS.get(DocType(doc_type), str(DocType(doc_type).label))
    issued = draft.issued_version if draft is not None and draft.issued_version_id else None
    entry = (
        draft.register_entry
        if draft is not None and issued is not None and draft.register_entry_id
        else None
    )
    shown = set(tree(programme, node_ids=node_ids).by_id) if node_ids is not None else None
    if issued is not None and issued.plan_snapshot:
        plan = _issued_plan(programme, issued.plan_snapshot, shown)
    else:
        plan = _live_plan(programme, shown)
    number = (
        entry.number_line
        if entry is not None
        else docx.number_line("", document_symbol=doc_type, body=body)
    )
    summary = _summary(plan.title, document_type)
    if (
        doc_type == DocType.KH
        and programme.kind == ProgrammeKind.PROJECT
        and not fold(plan.title).startswith(fold(document_type) + " ")
    ):
        # A project is carried out by the committee's plan (DOC_TYPE_OF_KIND): "KẾ HOẠCH thực
        # hiện Dự án …" unless its title already says "Kế hoạch".
        summary = f"thực hiện {plan.title}"
    document = docx.PartyDocument(
        body=body,
        number=number,
        place_date=docx.place_date_line(body.place, entry.issued_on if entry else None),
        document_type=document_type,
        summary=summary,
    )
    if programme.is_sample:
        document.paragraph(SAMPLE_NOTE, italic=True)
    if plan.source_decision:
        document.paragraph(f"Căn cứ {plan.source_decision};")
        issuer = f"Ban Thường vụ {body.committee}" if body.kind else unit.name
        document.paragraph(f"{issuer} ban hành {document_type} với các nội dung sau:")
    sections = _sections()
    document.heading(f"{next(sections)}. MỤC TIÊU, THỜI GIAN THỰC HIỆN")
    for goal in [g.strip() for g in plan.goals.splitlines() if g.strip()]:
        document.paragraph(goal)
    start, end = plan.period
    if start or end:
        document.paragraph(f"Thời gian thực hiện: từ {start or '…'} đến {end or '…'}.")
    nodes = plan.nodes
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
        for source, _year, amount in node.budget:
            by_source[FundingSource(source)] += amount
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
    if plan.focal_agency:
        document.paragraph(
            f"Giao {plan.focal_agency} là cơ quan đầu mối, chủ trì theo dõi, đôn đốc, "
            "tổng hợp tình hình thực hiện, định kỳ báo cáo."
        )
    if plan.coordinating_units:
        document.paragraph(f"Các đơn vị phối hợp: {', '.join(plan.coordinating_units)}.")
    document.paragraph(
        "Các đơn vị chủ trì nhiệm vụ xây dựng kế hoạch cụ thể, bảo đảm đúng lộ trình, nguồn lực "
        "và báo cáo tiến độ theo từng kỳ."
    )
    recipients = docx.recipient_names(entry.recipients) if entry is not None else []
    if not recipients:
        day = entry.issued_on if entry is not None else timezone.localdate()
        recipients = list(docx.upward_recipients(body, day))
        recipients += [name for name in _owners(plan) if name not in recipients]
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


def _owners(plan: Plan) -> list[str]:
    names = [plan.focal_agency] if plan.focal_agency else []
    names += [n.lead_unit for n in plan.nodes if n.lead_unit]
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


def cycle_report_docx(cycle: ReportingCycle, *, node_ids: set[int] | None = None) -> bytes:
    """The progress report of a cycle: the overall roll-up, each field's, then a table of the
    tasks with status, % done, results and money spent (a task that did not report in this
    cycle shows its latest earlier report, marked "Chưa báo cáo kỳ này").

    Which tasks the cycle expects a report from, which reported and which are late is the cycle
    page's read (``cycles.summarise``: leaf tasks, not cancelled, started by the period's end,
    not done before it), so the document and the page say the same."""
    programme = cycle.programme
    body = party_body(programme.owner_unit)
    result = tree(programme, node_ids=node_ids)
    standing, _this_cycle = _reports_as_of(cycle)
    _roll_up(result, standing)
    leaves = [n for n in result.flat() if n.kind == NodeKind.TASK and not n.children]
    today = timezone.localdate()
    (summary,) = cycles.summarise(
        [cycle],
        cycles.leaf_tasks([programme.pk], node_ids),
        cycles.reports_of([cycle]),
        today,
        with_rows=True,
    )
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
    late = summary.late
    sections = _sections()
    document.heading(f"{next(sections)}. KẾT QUẢ CHUNG")
    document.paragraph(
        f"Kỳ báo cáo {period} (hạn báo cáo {dmy(cycle.due_on)}"
        f"{', đã khóa sổ' if cycle.is_closed else ''}): {summary.reported}/{summary.expected} "
        f"nhiệm vụ đã báo cáo"
        f"{f', {late} nhiệm vụ báo cáo muộn hoặc chưa báo cáo khi đã quá hạn' if late else ''}."
    )
    document.paragraph(f"Tiến độ chung của chương trình: {percent(result.progress)}.")
    spent = sum(
        (r.spent for t in leaves if (r := standing.get(t.id)) is not None and r.spent is not None),
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
    if summary.rows:
        document.table(
            ["TT", "Nhiệm vụ", "Tình trạng", "Tiến độ", "Kết quả thực hiện", "Đã giải ngân (đồng)"],
            [
                _task_row(i, row.task, standing.get(row.task.id), row.report is not None)
                for i, row in enumerate(summary.rows, 1)
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
    index: int, task: cycles.TaskLine, report: ProgressReport | None, reported: bool
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
