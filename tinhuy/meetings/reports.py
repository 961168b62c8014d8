"""What the meetings module hands out as files: a draft version's disposition table ("bảng tổng
hợp, tiếp thu, giải trình ý kiến góp ý") as a Party document (.docx, landscape) and as a
workbook (.xlsx), and a meeting's conclusion notice ("thông báo kết luận của Ban Thường vụ") as
a Party document.

The rows come from ``tinhuy.meetings.queries`` (the same reads as the pages and the API) and the
files are written by ``tinhuy.documents``; this module holds only their content. The header of
a document names its body as the register declares it (``register.queries.body_for_unit``:
superior body, name, symbol, place) and otherwise as the unit's name implies it.

A Party document's text is Vietnamese whatever the reader's language (an official document, not
a page), so it does not go through gettext; the workbook's headers and labels do.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _

from tinhuy.documents import docx
from tinhuy.documents.docx import Span
from tinhuy.documents.party_style import PARTY_STYLE_LANDSCAPE
from tinhuy.documents.xlsx import Column, table_xlsx
from tinhuy.meetings import queries
from tinhuy.meetings.models import (
    AgendaItem,
    Attendance,
    DispositionKind,
    DraftVersion,
    FollowUp,
    Meeting,
    Opinion,
)
from tinhuy.org.models import Unit
from tinhuy.register.models import DocType, RegisterEntry
from tinhuy.register.queries import body_for_unit

NOT_DISPOSED = "Chưa tiếp thu, giải trình"
WHOLE_DRAFT = "Ý kiến chung"
SAMPLE_NOTE = (
    "Ghi chú: nội dung văn bản này là dữ liệu minh họa của phần mềm, không phải văn bản thật."
)
NOTICE_AUTHORITY = "T/L BAN THƯỜNG VỤ"
NOTICE_POSITION = "CHÁNH VĂN PHÒNG"

# ---------------------------------------------------------------------------------------------
# Who speaks: the header block of a unit.


def party_body(unit: Unit) -> docx.IssuingBody:
    """The header names of ``unit`` as an issuing body.

    A committee ("Đảng bộ tỉnh Nghệ An") is named as ``docx.issuing_body`` names it; an agency
    of a committee ("Ban Tuyên giáo Tỉnh ủy" under "Đảng bộ tỉnh Nghệ An") as offices head its
    papers: TỈNH ỦY NGHỆ AN / **BAN TUYÊN GIÁO**. What the register declares for the unit
    (superior body, name, symbol, place) wins over both.
    """
    parent = unit.parent
    body = docx.issuing_body(unit.name, parent.name if parent else None)
    if not body.kind and parent is not None:
        above = docx.issuing_body(parent.name, None)
        if above.kind:
            # "Tỉnh ủy" alone names the province's committee; the header adds the province.
            committee = above.committee
            if committee == above.kind and above.place:
                committee = f"{committee} {above.place}"
            own = unit.name.removesuffix(f" {above.committee}").strip() or unit.name
            body = dataclasses.replace(
                body,
                superior=committee.upper(),
                name=own.upper(),
                symbol="",
                place=above.place,
                superior_committee=above.committee,
            )
    registered = body_for_unit(unit)
    if registered is not None:
        body = dataclasses.replace(
            body,
            superior=registered.superior_name,
            name=registered.name,
            symbol=registered.symbol,
            place=registered.place or body.place,
        )
    return body


def _sample_note(document: docx.PartyDocument) -> None:
    document.paragraph(SAMPLE_NOTE, italic=True)


# ---------------------------------------------------------------------------------------------
# The disposition table.


def line_label(opinion: Opinion) -> str:
    """ "Dòng 12–14", "Dòng 7", or "Ý kiến chung" for an opinion on the whole draft."""
    if opinion.line_from is None:
        return WHOLE_DRAFT
    if opinion.line_to is None or opinion.line_to == opinion.line_from:
        return f"Dòng {opinion.line_from}"
    return f"Dòng {opinion.line_from}–{opinion.line_to}"


def table_rows(version: DraftVersion) -> list[Opinion]:
    """``queries.disposition_rows`` with the opinions on the whole draft first, whatever the
    database does with NULLs in ORDER BY (SQLite first, PostgreSQL last)."""
    rows = list(queries.disposition_rows(version))
    return sorted(rows, key=lambda o: (o.line_from is not None, o.line_from or 0, o.pk))


# The Party document is Vietnamese whatever the reader's language: the labels are the model's
# Vietnamese source strings, not their translation.
_KIND_LABELS: dict[str, str] = {
    DispositionKind.ACCEPTED: "Tiếp thu",
    DispositionKind.PARTLY: "Tiếp thu một phần",
    DispositionKind.NOT_ACCEPTED: "Giải trình, không tiếp thu",
}


def _disposed(opinion: Opinion) -> bool:
    """Whether the opinion has a disposition (read from the select_related cache: the reverse
    one-to-one raises an AttributeError subclass when there is none)."""
    return hasattr(opinion, "disposition")


def _revised_note(opinion: Opinion) -> str:
    revised = opinion.disposition.revised_in
    return f"Đã sửa ở lần trình {revised.number}." if revised is not None else ""


def _part_cell(opinion: Opinion) -> list[Span]:
    spans = [Span(line_label(opinion), bold=True)]
    if opinion.quoted_text:
        spans.append(Span(f"\n“{opinion.quoted_text}”", italic=True))
    return spans


def _opinion_cell(opinion: Opinion) -> list[Span]:
    spans = [Span(opinion.text)]
    if opinion.proposed_text:
        spans += [Span("\nĐề nghị sửa thành: ", bold=True), Span(f"“{opinion.proposed_text}”")]
    return spans


def _answer_cell(opinion: Opinion) -> list[Span]:
    if not _disposed(opinion):
        return [Span(NOT_DISPOSED, italic=True)]
    disposition = opinion.disposition
    spans = [Span(_KIND_LABELS[disposition.kind], bold=True)]
    if disposition.explanation:
        spans.append(Span(f"\n{disposition.explanation}"))
    if note := _revised_note(opinion):
        spans.append(Span(f"\n{note}", italic=True))
    return spans


def _counts(rows: Sequence[Opinion]) -> str:
    kinds = [opinion.disposition.kind if _disposed(opinion) else "" for opinion in rows]
    parts = [
        f"{kinds.count(kind)} ý kiến {label[:1].lower()}{label[1:]}"
        for kind, label in _KIND_LABELS.items()
        if kinds.count(kind)
    ]
    if waiting := kinds.count(""):
        parts.append(f"{waiting} ý kiến chưa tiếp thu, giải trình")
    return ", ".join(parts)


DISPOSITION_WIDTHS_MM = (12, 55, 70, 35, 75)  # 247 mm: the text width of a landscape page


def disposition_table_docx(
    version: DraftVersion,
    *,
    authority: str | None = None,
    position: str = "",
    signer: str = "",
) -> bytes:
    """The disposition table of ``version``, landscape, signed by the drafting body.

    Dated the day the revised version was submitted (the table travels with it), or today
    while the body is still answering; an opinion not answered yet reads "Chưa tiếp thu, giải
    trình". ``authority`` defaults to "T/M" + the drafting body's name.
    """
    draft = version.draft
    unit = draft.submitting_unit
    body = party_body(unit)
    rows = table_rows(version)
    revised = draft.versions.filter(number=version.number + 1).first()
    day = timezone.localdate(revised.submitted_at) if revised else timezone.localdate()
    heard = (
        AgendaItem.objects.filter(version=version)
        .select_related("meeting")
        .order_by("meeting__date")
        .first()
    )
    note = (
        f"(Kèm theo dự thảo lần trình {revised.number})"
        if revised
        else f"(Dự thảo lần trình {version.number})"
    )
    document = docx.PartyDocument(
        body=body,
        number="",
        place_date=docx.place_date_line(body.place, day),
        document_type="Bảng tổng hợp, tiếp thu, giải trình ý kiến góp ý",
        summary=f"vào dự thảo {draft.title}",
        note=note,
        style=PARTY_STYLE_LANDSCAPE,
    )
    if draft.is_sample or any(opinion.is_sample for opinion in rows):
        _sample_note(document)
    where = f" tại phiên họp ngày {docx.date_text(heard.meeting.date)}" if heard else ""
    if rows:
        document.paragraph(
            f"Các đồng chí Ủy viên Ban Thường vụ đã góp ý {len(rows)} ý kiến vào dự thảo "
            f"{draft.title} (lần trình {version.number}){where}. {unit.name} tổng hợp, tiếp "
            f"thu, giải trình như sau ({_counts(rows)}):"
        )
        document.table(
            [
                "TT",
                "Phần của dự thảo",
                "Nội dung ý kiến",
                "Đồng chí / cơ quan góp ý",
                "Tiếp thu, giải trình",
            ],
            [
                [
                    str(index),
                    _part_cell(opinion),
                    _opinion_cell(opinion),
                    opinion.author_name,
                    _answer_cell(opinion),
                ]
                for index, opinion in enumerate(rows, start=1)
            ],
            widths_mm=DISPOSITION_WIDTHS_MM,
            centred=(0,),
        )
    else:
        document.paragraph(
            f"Dự thảo {draft.title} (lần trình {version.number}) chưa có ý kiến góp ý nào."
        )
    return document.close(
        signature=docx.Signature(
            authority=authority or f"T/M {body.name}", position=position, name=signer
        ),
        recipients=[],
    )


def disposition_columns() -> list[Column]:
    return [
        Column(_("TT"), 6, "int"),
        Column(_("Từ dòng"), 9, "int"),
        Column(_("Đến dòng"), 9, "int"),
        Column(_("Đoạn được góp ý"), 48),
        Column(_("Nội dung ý kiến"), 60),
        Column(_("Đề nghị sửa thành"), 48),
        Column(_("Đồng chí / cơ quan góp ý"), 28),
        Column(_("Tiếp thu, giải trình"), 24),
        Column(_("Giải trình"), 60),
        Column(_("Đã sửa ở lần trình"), 12, "int"),
        Column(_("Dữ liệu minh họa"), 12),
    ]


def disposition_xlsx_rows(version: DraftVersion) -> list[list[object]]:
    rows: list[list[object]] = []
    waiting = _("Chưa tiếp thu, giải trình")
    for index, opinion in enumerate(table_rows(version), start=1):
        disposed = _disposed(opinion)
        revised = opinion.disposition.revised_in if disposed else None
        rows.append(
            [
                index,
                opinion.line_from,
                opinion.line_to,
                opinion.quoted_text,
                opinion.text,
                opinion.proposed_text,
                opinion.author_name,
                opinion.disposition.get_kind_display() if disposed else waiting,
                opinion.disposition.explanation if disposed else "",
                revised.number if revised is not None else None,
                "x" if opinion.is_sample or version.draft.is_sample else "",
            ]
        )
    return rows


def disposition_table_xlsx(version: DraftVersion) -> bytes:
    """The same rows as the .docx, one opinion a row, lines as numbers (to sort and filter)."""
    return table_xlsx(
        disposition_columns(),
        disposition_xlsx_rows(version),
        sheet_title=_("Tiếp thu, giải trình"),
    )


# ---------------------------------------------------------------------------------------------
# The conclusion notice.


def _comrade(name: str, position: str) -> str:
    return f"đồng chí {name}, {position}" if position else f"đồng chí {name}"


def _attendance_paragraphs(meeting: Meeting, committee: str) -> list[str]:
    rows = list(Attendance.objects.filter(meeting=meeting).select_related("person").order_by("id"))
    presiding = meeting.presiding
    opening = f"Ngày {docx.date_text(meeting.date)}, Ban Thường vụ {committee} họp"
    if meeting.title:
        opening += f" ({meeting.title})"
    if presiding is not None:
        opening += f" dưới sự chủ trì của {_comrade(presiding.full_name, presiding.position)}"
    lines = [opening + "."]
    present = [row.person.full_name for row in rows if row.present]
    absent = [row for row in rows if not row.present]
    if present:
        lines.append(f"Dự họp có các đồng chí Ủy viên Ban Thường vụ: {', '.join(present)}.")
    if absent:
        lines.append(
            "Vắng: "
            + "; ".join(
                f"đồng chí {row.person.full_name} (lý do: {row.absence_reason})"
                if row.absence_reason
                else f"đồng chí {row.person.full_name}"
                for row in absent
            )
            + "."
        )
    if meeting.guests.strip():
        lines.append(f"Mời dự: {meeting.guests.strip().rstrip('.')}.")
    return lines


def follow_up_line(follow_up: FollowUp) -> str:
    """ "Giao <unit>: <what>; người phụ trách: <name>, <position>; hoàn thành trước dd/mm/yyyy."."""
    person = follow_up.person
    who = f"{person.full_name}, {person.position}" if person.position else person.full_name
    return (
        f"- Giao {follow_up.lead_unit.name}: {follow_up.what.strip().rstrip('.;')}; "
        f"người phụ trách: {who}; hoàn thành trước {docx.date_text(follow_up.due_on)}."
    )


def _recipients(
    entry: RegisterEntry | None, committee: str, items: Sequence[AgendaItem]
) -> list[str]:
    """The register's recipients when the notice has a number, else the Board members, the
    bodies that submitted and the units given work (each once, in order of appearance)."""
    if entry is not None and entry.recipients.strip():
        return docx.recipient_names(entry.recipients)
    names = [f"Các đồng chí Ủy viên Ban Thường vụ {committee}"]
    for item in items:
        names.append(item.draft.submitting_unit.name)
        names += [follow_up.lead_unit.name for follow_up in item.follow_ups.all()]
    return list(dict.fromkeys(names))


def notice_summary(meeting: Meeting, items: Sequence[AgendaItem], committee: str) -> str:
    """The notice's summary line (trích yếu): about one draft, or about the meeting."""
    if len(items) == 1:
        return f"kết luận của Ban Thường vụ {committee} về dự thảo {items[0].draft.title}"
    return (
        f"kết luận của Ban Thường vụ {committee} tại phiên họp ngày {docx.date_text(meeting.date)}"
    )


def conclusion_notice_docx(
    meeting: Meeting,
    *,
    authority: str | None = None,
    position: str | None = None,
    signer: str | None = None,
    recipients: Sequence[str] | None = None,
) -> bytes:
    """ "Thông báo kết luận của Ban Thường vụ … tại phiên họp ngày …".

    With a number in the register (an entry of type TB for the meeting) the notice carries it,
    its date, its signer and its recipients; before that, "Số     -TB/TU" and a blank date for
    the office to fill. ``authority`` / ``position`` / ``signer`` / ``recipients`` override
    both; the defaults are "T/L BAN THƯỜNG VỤ" / "CHÁNH VĂN PHÒNG" (the office decides).
    """
    body = party_body(meeting.body)
    committee = body.committee
    entry = queries.notice_entry(meeting)
    items = list(queries.meeting_items(meeting.pk))
    number = (
        entry.number_line
        if entry is not None
        else docx.number_line("", document_symbol=DocType.TB.value, body=body)
    )
    summary = notice_summary(meeting, items, committee)
    document = docx.PartyDocument(
        body=body,
        number=number,
        place_date=docx.place_date_line(body.place, entry.issued_on if entry else None),
        document_type="Thông báo",
        summary=summary,
    )
    if meeting.is_sample:
        _sample_note(document)
    for line in _attendance_paragraphs(meeting, committee):
        document.paragraph(line)
    document.paragraph(
        "Sau khi nghe các cơ quan trình bày dự thảo và ý kiến thảo luận của các đồng chí dự họp, "
        f"Ban Thường vụ {committee} kết luận như sau:"
    )
    for index, item in enumerate(items, start=1):
        draft = item.draft
        document.heading(f"{index}. {draft.title}")
        document.paragraph(
            f"Cơ quan trình: {draft.submitting_unit.name} (dự thảo lần trình "
            f"{item.version.number}).",
            italic=True,
        )
        conclusion = [part.strip() for part in item.conclusion.splitlines() if part.strip()]
        if not conclusion:
            document.paragraph("(Chưa có kết luận.)", italic=True)
        for part in conclusion:
            document.paragraph(part)
        for follow_up in item.follow_ups.all():
            document.paragraph(follow_up_line(follow_up))
    authority = authority or (entry.authority if entry else NOTICE_AUTHORITY)
    position = position or (entry.signer_position if entry else NOTICE_POSITION)
    signer = signer or (entry.signer_name if entry else "")
    speaker = (
        f"Văn phòng {committee} thông báo ý kiến kết luận của Ban Thường vụ {committee}"
        if authority.upper().startswith("T/L")
        else f"Ban Thường vụ {committee} thông báo"
    )
    document.paragraph(f"{speaker} để các cơ quan, đơn vị liên quan biết, thực hiện.")
    names = list(recipients) if recipients is not None else _recipients(entry, committee, items)
    return document.close(
        signature=docx.Signature(authority=authority, position=position, name=signer),
        recipients=docx.recipient_lines(names, body),
    )
