"""What the study app hands out as files: the plan and the progress report as Party documents
(.docx), the unit table as a workbook (.xlsx) and a unit's calendar (.ics).

The figures come from ``tinhuy.study.queries`` (the same reads as the dashboard and the API) and
the files are written by ``tinhuy.documents``; this module holds only their content. Numbers
are written by ``tinhuy.documents.numbers``, the one Vietnamese formatter.

A Party document's text is Vietnamese whatever the reader's language (an official document, not
a page), so it does not go through gettext; the workbook's headers and the calendar's texts do.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence

from django.utils import timezone
from django.utils.translation import gettext as _

from tinhuy.documents import docx
from tinhuy.documents.calendars import CalendarEvent, calendar_ics
from tinhuy.documents.numbers import format_number, format_percent
from tinhuy.documents.xlsx import Column, table_xlsx
from tinhuy.org.models import Unit
from tinhuy.study import queries
from tinhuy.study.models import BridgePoint, Conference, LevelRule, Plan, PlanState
from tinhuy.study.queries import LevelLine, Line, PlanProgress, RowFilter, UnitRow

# ---------------------------------------------------------------------------------------------
# Words shared by the documents, the reminders and the pages.


def length_label(sessions: int) -> str:
    """Half-day sessions as an office writes them: 1 → "1 buổi", 2 → "1 ngày", 3 → "3 buổi"."""
    if sessions % 2 == 0:
        return _("%(n)s ngày") % {"n": sessions // 2}
    return _("%(n)s buổi") % {"n": sessions}


def plan_reference(plan: Plan) -> str:
    """The plan as a sentence names it: title, then number and date once issued."""
    if plan.number and plan.issued_on:
        return _("%(title)s (số %(number)s, ngày %(date)s)") % {
            "title": plan.title,
            "number": plan.number,
            "date": plan.issued_on.strftime("%d/%m/%Y"),
        }
    return plan.title


def plan_summary(plan: Plan) -> str:
    """The summary line under "KẾ HOẠCH": the title without its leading "Kế hoạch"."""
    summary = plan.title.removeprefix("Kế hoạch").strip()
    return summary[:1].lower() + summary[1:]


# ---------------------------------------------------------------------------------------------
# The issued plan as a Party document.


def plan_document(plan: Plan) -> bytes:
    """ "Kế hoạch học tập, quán triệt …": purpose, topics, levels, form, organisation.

    The caller renders it under ``translation.override("vi")`` (lengths are worded by
    ``length_label``)."""
    parts = queries.plan_parts(plan)
    issuer, parent = plan.issuing_unit, plan.issuing_unit.parent
    body = docx.issuing_body(issuer.name, parent.name if parent else None)
    draft = plan.state == PlanState.DRAFT
    document = docx.PartyDocument(
        body=body,
        number=docx.number_line(plan.number, document_symbol="KH", body=body),
        place_date=docx.place_date_line(plan.place, plan.issued_on),
        document_type="Kế hoạch",
        summary=plan_summary(plan),
        note="(Dự thảo)" if draft else "",
    )
    if plan.is_sample:
        document.paragraph(
            "Ghi chú: số, ngày của kế hoạch là dữ liệu minh họa của phần mềm, không phải văn "
            "bản thật.",
            italic=True,
        )
    document.heading("I. MỤC ĐÍCH, YÊU CẦU")
    document.paragraph(
        f"1. Tổ chức học tập, quán triệt {plan.source_document} nhằm giúp cán bộ, đảng viên nắm "
        "vững nội dung cơ bản, tư tưởng cốt lõi của Nghị quyết; tạo sự thống nhất cao về nhận "
        "thức và hành động trong toàn Đảng bộ."
    )
    document.paragraph(
        "2. Việc học tập, quán triệt phải được tổ chức nghiêm túc, đúng thành phần, thời lượng "
        "và thời hạn quy định cho từng cấp; các đơn vị báo cáo kết quả đầy đủ, kịp thời."
    )
    document.heading("II. NỘI DUNG HỌC TẬP, QUÁN TRIỆT")
    for topic in parts.topics:
        document.paragraph(f"{topic.order}. {topic.title}.")
    document.heading("III. THÀNH PHẦN, THỜI LƯỢNG, THỜI GIAN")
    rows = []
    for rule in parts.rules:
        participants = [level.name.lower() for level in rule.participant_levels.all()]
        rows.append(
            [
                rule.level.name,
                rule.audience + (f" (cùng {', '.join(participants)})" if participants else ""),
                length_label(rule.length_sessions),
                f"{docx.date_text(rule.window_start)} – {docx.date_text(rule.deadline)}",
                "Có" if rule.online_allowed else "Không",
            ]
        )
    document.table(
        ["Cấp", "Thành phần", "Thời lượng", "Thời gian", "Trực tuyến có điểm cầu"],
        rows,
        widths_mm=[28, 58, 20, 32, 22],
    )
    document.heading("IV. HÌNH THỨC VÀ BÁO CÁO VIÊN")
    if any(rule.presenter_rule for rule in parts.rules):
        document.paragraph(
            "1. Báo cáo viên cấp trên chỉ trình bày Nghị quyết và Chương trình hành động của "
            "Tỉnh ủy; kế hoạch thực hiện của đơn vị do đồng chí Bí thư, Chủ tịch hoặc thủ trưởng "
            "đơn vị trình bày."
        )
    online = [rule.level.name.lower() for rule in parts.rules if rule.online_allowed]
    if online:
        document.paragraph(
            f"2. Hội nghị {', '.join(online)} được tổ chức trực tuyến, kết nối đến các điểm cầu; "
            "mỗi điểm cầu có người chủ trì và báo cáo số người phải dự, số người dự."
        )
    else:
        document.paragraph("2. Các hội nghị được tổ chức trực tiếp.")
    document.heading("V. TỔ CHỨC THỰC HIỆN")
    document.paragraph(
        "Các đảng bộ trực thuộc xây dựng kế hoạch, tổ chức học tập, quán triệt ở cấp mình và "
        "chỉ đạo cấp dưới; báo cáo kết quả về Ban Thường vụ "
        f"{body.committee} (qua Văn phòng) sau khi tổ chức hội nghị."
    )
    on = plan.issued_on or timezone.localdate(plan.created_at)
    return document.close(
        signature=docx.Signature(),
        recipients=docx.recipient_lines(docx.upward_recipients(body, on), body),
    )


# ---------------------------------------------------------------------------------------------
# The progress report as a Party document.


def _totals_table(levels: list[LevelLine]) -> tuple[list[str], list[list[str]]]:
    """Indicators down, levels across: reads well on a portrait page."""
    n = format_number
    indicators: list[tuple[str, Callable[[LevelLine], str]]] = [
        ("Hạn hoàn thành", lambda x: docx.date_text(x.deadline)),
        ("Số đơn vị phải thực hiện", lambda x: n(x.units)),
        ("Đã tổ chức đúng hạn", lambda x: n(x.on_time)),
        ("Tổ chức muộn", lambda x: n(x.late)),
        ("Chưa tổ chức, đã quá hạn", lambda x: n(x.missing)),
        ("Đã lên lịch", lambda x: n(x.scheduled)),
        ("Chưa đăng ký", lambda x: n(x.not_scheduled)),
        ("Đã báo cáo kết quả", lambda x: n(x.reported)),
        ("Chưa đạt yêu cầu", lambda x: n(x.non_compliant)),
        ("Số người phải học tập", lambda x: n(x.expected)),
        ("Số người đã học tập (kể cả học bù)", lambda x: n(x.learned)),
        ("Tỷ lệ", lambda x: format_percent(x.coverage)),
        ("Đơn vị chưa rõ số phải học (không tính vào tỷ lệ)", lambda x: n(x.unknown)),
    ]
    header = ["Nội dung", *(level.name for level in levels)]
    return header, [[label, *(value(level) for level in levels)] for label, value in indicators]


def _level_sentence(level: LevelLine) -> str:
    n = format_number
    return (
        f"- {level.name} (hạn {docx.date_text(level.deadline)}): {n(level.held)}/{n(level.units)}"
        f" đơn vị đã tổ chức hoặc dự hội nghị ({n(level.on_time)} đúng hạn, {n(level.late)} "
        f"muộn), {n(level.missing)} đơn vị chưa tổ chức đã quá hạn, {n(level.reported)} đơn vị "
        f"đã báo cáo kết quả, {n(level.non_compliant)} đơn vị chưa đạt yêu cầu; "
        f"{n(level.learned)}/{n(level.expected)} người đã học tập, kể cả học bù "
        f"(đạt {format_percent(level.coverage)})"
        + (
            f"; {n(level.unknown)} đơn vị chưa rõ số người phải học, chưa tính vào tỷ lệ."
            if level.unknown
            else "."
        )
    )


def report_document(progress: PlanProgress) -> bytes:
    """ "Báo cáo kết quả học tập, quán triệt …" for the root's subtree, as of the date.

    Status labels and problems come worded in the active language: the caller renders the
    document under ``translation.override("vi")``.
    """
    plan, root, as_of = progress.plan, progress.root, progress.as_of
    parent, issuer = root.parent, plan.issuing_unit
    body = docx.issuing_body(root.name, parent.name if parent else None)
    issuer_parent = issuer.parent
    plan_body = docx.issuing_body(issuer.name, issuer_parent.name if issuer_parent else None)
    # The province's report is dated at the plan's place; a district's at its own.
    is_top = root.pk == issuer.pk or parent is None
    place = plan.place if is_top or not body.place else body.place
    document = docx.PartyDocument(
        body=body,
        number=docx.number_line("", document_symbol="BC", body=body),
        place_date=docx.place_date_line(place, as_of),
        document_type="Báo cáo",
        summary=f"kết quả học tập, quán triệt {plan.source_document}",
    )
    if plan.is_sample:
        document.paragraph(
            "Ghi chú: mọi số liệu trong báo cáo này là dữ liệu minh họa của phần mềm, không phải "
            "số liệu thật.",
            italic=True,
        )
    reference = (
        f"Kế hoạch số {plan.number} ngày {docx.date_text(plan.issued_on)}"
        if plan.number
        else "Kế hoạch"
    )
    document.paragraph(
        f"Thực hiện {reference} của Ban Thường vụ {plan_body.committee} về {plan_summary(plan)}, "
        f"Ban Thường vụ {body.committee} báo cáo kết quả học tập, quán triệt trong {root.name} "
        f"(số liệu đến hết ngày {docx.date_text(as_of)}) như sau:"
    )
    levels = queries.level_lines(progress)
    document.heading("I. KẾT QUẢ CHUNG")
    for level in levels:
        document.paragraph(_level_sentence(level))
    document.paragraph(
        "Số người phải học tập gồm mọi đơn vị đã đến hạn, kể cả đơn vị quá hạn chưa tổ chức; "
        "ở cấp thấp nhất (toàn thể đảng viên), đơn vị chưa báo cáo tính theo danh sách đảng "
        "viên đã nạp hoặc số đảng viên ghi trên đơn vị; ở các cấp trên, đơn vị chưa báo cáo "
        "chưa rõ số người phải học, chưa tính vào tỷ lệ.",
        italic=True,
    )
    header, rows = _totals_table(levels)
    other = (docx.PARTY_STYLE.text_width_mm - 62) / max(len(levels), 1)
    document.table(
        header,
        rows,
        widths_mm=[62] + [other] * len(levels),
        right_aligned=range(1, len(header)),
    )
    document.heading("II. CÁC ĐƠN VỊ TỔ CHỨC MUỘN, CHƯA TỔ CHỨC HOẶC CHƯA ĐẠT YÊU CẦU")
    attention = queries.unit_lines(
        progress, queries.UnitFilters(status=RowFilter.ATTENTION).apply(progress.rows)
    )
    if attention:
        document.table(
            ["TT", "Đơn vị", "Hội nghị", "Hạn", "Tình hình", "Tồn tại"],
            [
                [
                    str(index),
                    line.name,
                    f"{line.level}{' (dự tại điểm cầu)' if line.participant else ''}",
                    docx.date_text(line.deadline),
                    line.status_label
                    + (f", ngày {docx.date_text(line.held_on)}" if line.held_on else "")
                    + ("" if line.expected_known else ", chưa rõ số người phải học"),
                    " ".join(line.problems),
                ]
                for index, line in enumerate(attention, start=1)
            ],
            widths_mm=[9, 38, 26, 23, 28, 36],
        )
    else:
        document.paragraph("Không có đơn vị nào tổ chức muộn, chưa tổ chức hoặc chưa đạt yêu cầu.")
    document.paragraph(
        f"Trên đây là báo cáo kết quả học tập, quán triệt {plan.source_document} trong "
        f"{root.name} đến hết ngày {docx.date_text(as_of)}."
    )
    return document.close(
        signature=docx.Signature(),
        recipients=docx.recipient_lines(docx.upward_recipients(body, as_of), body),
    )


# ---------------------------------------------------------------------------------------------
# The unit table as a workbook: numbers stay numbers, dates stay dates.


def unit_table_columns() -> list[Column]:
    return [
        Column(_("Đơn vị"), 48),
        Column(_("Mã"), 12),
        Column(_("Hội nghị cấp"), 24),
        Column(_("Vai trò"), 14),
        Column(_("Hạn hoàn thành"), 14, "date"),
        Column(_("Trạng thái"), 24),
        Column(_("Ngày tổ chức"), 14, "date"),
        Column(_("Đã báo cáo"), 11),
        Column(_("Số người phải dự"), 12, "int"),
        Column(_("Số người dự"), 12, "int"),
        Column(_("Số người học bù"), 12, "int"),
        Column(_("Tỷ lệ học tập"), 12, "percent"),
        Column(_("Số phải dự theo"), 28),
        Column(_("Tồn tại"), 60),
        Column(_("Ghi chú"), 60),
    ]


def unit_table_rows(lines: Sequence[Line]) -> list[list[object]]:
    return [
        [
            line.name,
            line.code,
            line.level,
            line.role,
            line.deadline,
            line.status_label,
            line.held_on,
            _("Có") if line.reported else _("Chưa"),
            # Unknown is a blank, not a 0 nobody counted.
            line.expected if line.expected_known and line.is_due else None,
            line.attended,
            line.made_up,
            line.coverage,
            str(queries.EXPECTED_SOURCE_LABELS[line.expected_source]),
            " ".join(line.problems),
            " ".join(line.notes),
        ]
        for line in lines
    ]


def unit_table_xlsx(progress: PlanProgress, rows: Sequence[UnitRow]) -> bytes:
    """The rows (``UnitFilters.apply`` of ``progress.rows``) as the page shows them, all pages."""
    lines = queries.unit_lines(progress, rows)
    return table_xlsx(unit_table_columns(), unit_table_rows(lines), sheet_title=_("Tiến độ"))


# ---------------------------------------------------------------------------------------------
# A unit's calendar: deadlines and conferences, for calendar apps.

CALENDAR_PRODUCT = "-//Tinh uy so//Hoc tap quan triet//VI"
SESSION_HOURS = 4  # a session ("buổi") is a morning or an afternoon


def _conference_span(
    day: datetime.date, start_time: datetime.time | None, sessions: int
) -> tuple[datetime.date | datetime.datetime, datetime.date | datetime.datetime]:
    """A timed event for up to a day with a known start time; else whole days."""
    if start_time is not None and sessions <= 2:
        # Conferences are timed in the province's zone, whatever the request's zone is.
        start = timezone.make_aware(
            datetime.datetime.combine(day, start_time), timezone.get_default_timezone()
        )
        return start, start + datetime.timedelta(hours=SESSION_HOURS * sessions)
    days = (sessions + 1) // 2
    return day, day + datetime.timedelta(days=days)


def _deadline_event(rule: LevelRule, unit: Unit) -> CalendarEvent:
    return CalendarEvent(
        uid=f"plan-{rule.plan_id}-rule-{rule.pk}-unit-{unit.pk}@tinhuy",
        summary=_("Hạn hội nghị học tập, quán triệt — %(level)s") % {"level": rule.level.name},
        start=rule.deadline,
        end=rule.deadline + datetime.timedelta(days=1),
        description=_(
            "%(plan)s\nĐối tượng: %(audience)s\nThời lượng: %(length)s\n"
            "Thời gian: từ %(start)s đến hết %(deadline)s."
        )
        % {
            "plan": plan_reference(rule.plan),
            "audience": rule.audience,
            "length": length_label(rule.length_sessions),
            "start": rule.window_start.strftime("%d/%m/%Y"),
            "deadline": rule.deadline.strftime("%d/%m/%Y"),
        },
    )


def _conference_event(conference: Conference, unit: Unit) -> CalendarEvent:
    start, end = _conference_span(
        conference.date, conference.start_time, conference.length_sessions
    )
    return CalendarEvent(
        uid=f"conference-{conference.pk}-unit-{unit.pk}@tinhuy",
        summary=_("Hội nghị học tập, quán triệt — %(unit)s") % {"unit": unit.name},
        start=start,
        end=end,
        description=_("%(plan)s\nThời lượng: %(length)s\nHình thức: %(mode)s.")
        % {
            "plan": plan_reference(conference.plan),
            "length": length_label(conference.length_sessions),
            "mode": conference.get_mode_display(),
        },
        location=conference.venue,
        busy=True,
    )


def _bridge_event(bridge: BridgePoint, unit: Unit) -> CalendarEvent:
    conference = bridge.conference
    start, end = _conference_span(
        conference.date, conference.start_time, conference.length_sessions
    )
    return CalendarEvent(
        uid=f"conference-{conference.pk}-bridge-unit-{unit.pk}@tinhuy",
        summary=_("Điểm cầu hội nghị học tập, quán triệt — %(host)s")
        % {"host": conference.host.name},
        start=start,
        end=end,
        description=_("%(plan)s\nThời lượng: %(length)s\nNgười chủ trì điểm cầu: %(person)s")
        % {
            "plan": plan_reference(conference.plan),
            "length": length_label(conference.length_sessions),
            "person": bridge.host_person or "—",
        },
        location=bridge.venue,
        busy=True,
    )


def unit_events(unit: Unit) -> list[CalendarEvent]:
    """The deadlines of every issued plan's rule the unit hosts, its conferences and the
    conferences where it is a bridge point, by start (three queries)."""
    items = queries.unit_calendar_items(unit)
    events = [
        *(_deadline_event(rule, unit) for rule in items.rules),
        *(_conference_event(conference, unit) for conference in items.conferences),
        *(_bridge_event(bridge, unit) for bridge in items.bridges),
    ]
    return sorted(events, key=lambda e: (str(e.start), e.uid))


def unit_calendar(unit: Unit, *, now: datetime.datetime | None = None) -> bytes:
    """The unit's calendar as .ics bytes."""
    name = _("Học tập, quán triệt — %(unit)s") % {"unit": unit.name}
    return calendar_ics(
        name, unit_events(unit), now=now or timezone.now(), product=CALENDAR_PRODUCT
    )
