"""Long repeated rows of the meetings pages, built in Python: a meeting's follow-ups, the home
page's to-do list, the disposition table's opinions.

Issue 9 wants the meeting page, the disposition table and the to-do list within 3× a trivial
request. The template engine spent most of those pages' time on these rows (a ``{% url %}``
about 25 µs, a ``|date`` about 30 µs, an ``{% include %}`` and every variable node more, per
row). The rows are built with ``_html``: ``format_html``'s rule (every value escaped unless it
is already safe HTML) without the lazy-string check Django's ``escape`` makes per value, which
took two thirds of ``format_html``'s time (36 follow-up rows: 0.5 ms with ``format_html``,
0.15 ms with ``_html``). Dates read dd/mm/yyyy like ``|date:"d/m/Y"``, addresses are reversed
once per page (``url_for``), and the labels are the templates' msgids, so the translations
apply unchanged. The page around the rows stays in the templates.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tinhuy.meetings.models import DispositionKind, FollowUpState, Outcome
from tinhuy.meetings.queries import is_overdue

if TYPE_CHECKING:
    from tinhuy.meetings.queries import AgendaLine, DispositionLine, FollowUpLine
    from tinhuy.meetings.todo import TodoRow

# An id no row has, reversed once per page in place of each row's own (see ``url_for``).
_MARK = 987_654_321_987_654_321


def _html(template: str, *args: object) -> SafeString:
    """``format_html(template, *args)``: each value escaped with ``html.escape`` (what
    ``django.utils.html.escape`` runs) unless it is safe HTML already (``SafeData``, like
    ``conditional_escape``), a number or a date (the template formats it: ``{:%d/%m/%Y}``)."""
    return mark_safe(  # noqa: S308 - every value is escaped here
        template.format(
            *[a if isinstance(a, (SafeData, int, datetime.date)) else escape(str(a)) for a in args]
        )
    )


def _lines(rows: Iterable[str]) -> SafeString:
    """Rows built by ``_html``, one a line."""
    return mark_safe("\n".join(rows))  # noqa: S308 - each row is _html's


def url_for(name: str, key: str) -> Callable[[int], SafeString]:
    """``reverse(name, kwargs={key: id})`` for many ids, reversing once: the address is the
    same around the id (escaped once, ready for an attribute)."""
    url = reverse(name, kwargs={key: _MARK})
    before, mark, after = url.rpartition(str(_MARK))
    if not mark:  # pragma: no cover - a pattern that does not print its id
        raise ValueError(f"{name} does not hold {key} in its address.")
    before, after = escape(before), escape(after)
    return lambda pk: SafeString(f"{before}{int(pk)}{after}")


def follow_up_items(
    follow_ups: Mapping[int, Sequence[FollowUpLine]], today: datetime.date
) -> dict[int, SafeString]:
    """By agenda item, the ``<li>`` of each of its follow-ups: what (a link to it), lead unit,
    person, due date, and "Đã hoàn thành" or "Quá hạn"."""
    url = url_for("meetings_follow_up", "follow_up_id")
    due = _html("{}", _("hạn"))  # escaped once
    done = _html('<span class="badge text-bg-success">{}</span>', _("Đã hoàn thành"))
    overdue = _html('<span class="badge text-bg-danger">{}</span>', _("Quá hạn"))
    return {
        item_id: _lines(
            _html(
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
            conclusion = _html(
                '<p class="mb-1"><span class="fw-semibold">{}:</span> '
                '<span class="badge text-bg-primary">{}</span></p>\n'
                '      <div style="white-space: pre-wrap">{}</div>',
                conclusion_label,
                outcomes.get(item.outcome, item.outcome),
                item.conclusion,
            )
        else:
            conclusion = _html('<p class="text-muted mb-1">{}</p>', no_conclusion)
        work = (
            _html(
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
            action = _html(
                '\n    <div class="mt-2 d-flex flex-wrap gap-2"><a class="btn btn-sm '
                'btn-outline-danger" href="{}">{}</a></div>',
                follow_up_url(item.id),
                assign_more,
            )
        else:
            action = _html(
                '\n    <div class="mt-2 d-flex flex-wrap gap-2"><a class="btn btn-sm '
                'btn-danger" href="{}">{}</a></div>',
                conclude_url(item.id),
                conclude,
            )
        count = item.opinion_count
        cards.append(
            _html(
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


def todo_items(rows: Sequence[TodoRow]) -> SafeString:
    """The home page's to-do rows: what (a link), "Quá hạn" when it is, lead unit, person, due
    date."""
    url = url_for("meetings_follow_up", "follow_up_id")
    due = _html("{}", _("hạn"))  # escaped once
    overdue = _html('<span class="badge text-bg-danger">{}</span>', _("Quá hạn"))
    return _lines(
        _html(
            '<li class="py-1 border-bottom"><a href="{}">{}</a>\n'
            "  {}\n"
            '  <div class="small text-muted">{} · {} · {} {:%d/%m/%Y}</div></li>',
            url(row.follow_up.id),
            row.follow_up.what,
            overdue if row.overdue else "",
            row.follow_up.lead_unit,
            row.follow_up.person,
            due,
            row.follow_up.due_on,
        )
        for row in rows
    )


def disposition_table_rows(opinions: Iterable[DispositionLine]) -> SafeString:
    """The ``<tr>`` of each opinion of a disposition table (from ``queries.disposition_table``):
    its number, its lines (a link to them) or "chung", author, text and proposed wording, the
    answer and its explanation."""
    general, proposed = _("chung"), _("Đề nghị sửa thành:")
    unanswered = _html('<span class="text-danger">{}</span>', _("Chưa trả lời"))
    kinds = {kind.value: str(kind.label) for kind in DispositionKind}
    rows = []
    for n, o in enumerate(opinions, start=1):
        if o.line_from is None:
            lines: SafeString | str = general
        elif o.line_to != o.line_from:
            lines = _html('<a href="#L{}">{}–{}</a>', o.line_from, o.line_from, o.line_to)
        else:
            lines = _html('<a href="#L{}">{}</a>', o.line_from, o.line_from)
        answer: SafeString | str = unanswered if o.kind is None else kinds.get(o.kind, o.kind)
        rows.append(
            _html(
                "<tr>\n    <td>{}</td>\n"
                '    <td class="text-nowrap">{}</td>\n'
                "    <td>{}</td>\n"
                "    <td>{}{}</td>\n"
                "    <td>{}</td>\n"
                "    <td>{}</td>\n  </tr>",
                n,
                lines,
                o.author_name,
                o.text,
                _html('<div class="text-muted">{} {}</div>', proposed, o.proposed_text)
                if o.proposed_text
                else "",
                answer,
                o.explanation or "",
            )
        )
    return _lines(rows)
