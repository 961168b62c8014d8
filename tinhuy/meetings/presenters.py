"""Long repeated rows of the meetings pages, built in Python (``tinhuy.presenting``): a
meeting's agenda cards and follow-ups, the disposition table's opinions — issue 9 wants the
meeting page and the disposition table within 3× a trivial request.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tinhuy.meetings.models import DispositionKind, FollowUpState, Outcome
from tinhuy.meetings.queries import is_overdue
from tinhuy.presenting import html, lines, url_for

if TYPE_CHECKING:
    from tinhuy.meetings.queries import AgendaLine, DispositionLine, FollowUpLine

def follow_up_items(
    follow_ups: Mapping[int, Sequence[FollowUpLine]], today: datetime.date
) -> dict[int, SafeString]:
    """By agenda item, the ``<li>`` of each of its follow-ups: what (a link to it), lead unit,
    person, due date, and "Đã hoàn thành" or "Quá hạn"."""
    url = url_for("meetings_follow_up", "follow_up_id")
    due = html("{}", _("hạn"))  # escaped once
    done = html('<span class="badge text-bg-success">{}</span>', _("Đã hoàn thành"))
    overdue = html('<span class="badge text-bg-danger">{}</span>', _("Quá hạn"))
    return {
        item_id: lines(
            html(
                '<li class="mb-1"><a href="{}">{}</a>\n'
                '  <span class="small text-muted">— {}, {}, {} {:%d/%m/%Y}</span>\n'
                "  {}</li>",
                url(f.id),
                f.what,
                f.lead_unit,
                f.person,
                due,
                f.due_on,
                done if f.state == FollowUpState.DONE else overdue if is_overdue(f, today) else "",
            )
            for f in rows
        )
        for item_id, rows in follow_ups.items()
    }


def agenda_cards(
    items: Iterable[AgendaLine],
    follow_ups: Mapping[int, Sequence[FollowUpLine]],
    today: datetime.date,
    *,
    runs_meetings: bool,
) -> list[SafeString]:
    """The meeting page's card of each agenda item (from ``queries.agenda``): the draft (a
    link to the version heard), who submitted it, its opinions, the conclusion, the follow-ups
    (from ``queries.meeting_follow_ups``) and, for the office, the button to conclude or to
    assign more work."""
    draft_url = url_for("meetings_draft", "draft_id")
    conclude_url = url_for("meetings_item_conclude", "item_id")
    follow_up_url = url_for("meetings_item_follow_up", "item_id")
    outcomes = {outcome.value: str(outcome.label) for outcome in Outcome}
    conclusion_label, no_conclusion = _("Kết luận"), _("Chưa có kết luận.")
    assigned, conclude, assign_more = _("Việc giao"), _("Ghi kết luận"), _("Giao thêm việc")
    rows = follow_up_items(follow_ups, today)
    cards = []
    for item in items:
        if item.concluded_at:
            conclusion = html(
                '<p class="mb-1"><span class="fw-semibold">{}:</span> '
                '<span class="badge text-bg-primary">{}</span></p>\n'
                '      <div style="white-space: pre-wrap">{}</div>',
                conclusion_label,
                outcomes.get(item.outcome, item.outcome),
                item.conclusion,
            )
        else:
            conclusion = html('<p class="text-muted mb-1">{}</p>', no_conclusion)
        work = (
            html(
                '\n    <h4 class="h6 mt-2">{}</h4>\n    <ul class="mb-1">{}</ul>',
                assigned,
                rows[item.id],
            )
            if item.id in rows
            else ""
        )
        if not runs_meetings:
            action = ""
        elif item.concluded_at:
            action = html(
                '\n    <div class="mt-2 d-flex flex-wrap gap-2"><a class="btn btn-sm '
                'btn-outline-danger" href="{}">{}</a></div>',
                follow_up_url(item.id),
                assign_more,
            )
        else:
            action = html(
                '\n    <div class="mt-2 d-flex flex-wrap gap-2"><a class="btn btn-sm '
                'btn-danger" href="{}">{}</a></div>',
                conclude_url(item.id),
                conclude,
            )
        count = item.opinion_count
        cards.append(
            html(
                '<section class="card mb-3" id="noi-dung-{}">\n  <div class="card-body">\n'
                '    <h3 class="h5">{}. <a href="{}?lan={}">{}</a></h3>\n'
                '    <p class="small text-muted mb-2">{} · {} · {}</p>\n'
                "    {}{}{}\n  </div>\n</section>",
                item.order,
                item.order,
                draft_url(item.draft_id),
                item.version,
                item.title,
                item.submitting_unit,
                _("lần trình %(n)s") % {"n": item.version},
                ngettext("%(n)s ý kiến góp ý", "%(n)s ý kiến góp ý", count) % {"n": count},
                conclusion,
                work,
                action,
            )
        )
    return cards


def disposition_table_rows(opinions: Iterable[DispositionLine]) -> SafeString:
    """The ``<tr>`` of each opinion of a disposition table (from ``queries.disposition_table``):
    its number, its lines (a link to them) or "chung", author, text and proposed wording, the
    answer and its explanation."""
    general, proposed = _("chung"), _("Đề nghị sửa thành:")
    unanswered = html('<span class="text-danger">{}</span>', _("Chưa trả lời"))
    kinds = {kind.value: str(kind.label) for kind in DispositionKind}
    rows = []
    for n, o in enumerate(opinions, start=1):
        if o.line_from is None:
            span: SafeString | str = general
        elif o.line_to != o.line_from:
            span = html('<a href="#L{}">{}–{}</a>', o.line_from, o.line_from, o.line_to)
        else:
            span = html('<a href="#L{}">{}</a>', o.line_from, o.line_from)
        answer: SafeString | str = unanswered if o.kind is None else kinds.get(o.kind, o.kind)
        rows.append(
            html(
                "<tr>\n    <td>{}</td>\n"
                '    <td class="text-nowrap">{}</td>\n'
                "    <td>{}</td>\n"
                "    <td>{}{}</td>\n"
                "    <td>{}</td>\n"
                "    <td>{}</td>\n  </tr>",
                n,
                span,
                o.author_name,
                o.text,
                html('<div class="text-muted">{} {}</div>', proposed, o.proposed_text)
                if o.proposed_text
                else "",
                answer,
                o.explanation or "",
            )
        )
    return lines(rows)
