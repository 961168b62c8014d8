"""The dashboard's unit table rows, built in Python (``tinhuy.presenting``): a province of the
two-level government has 1,500–3,000 units a page of the table runs through, and a template
loop spent more on them than the judging of the page (``make bench-national``)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.template.defaultfilters import floatformat
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tinhuy.presenting import html, lines
from tinhuy.study.queries import Line

DASH = "—"


def _items(css: str, texts: list[str]) -> SafeString:
    if not texts:
        return SafeString("")
    return html(
        '<ul class="{} mb-0 ps-3">{}</ul>', css, lines(html("<li>{}</li>", t) for t in texts)
    )


def unit_rows(rows: Iterable[Line], row_url: Callable[[int], str]) -> SafeString:
    """The ``<tr>`` of each line, as ``study/_unit_table.html`` lays them out: the unit (a link
    to its own dashboard, ``row_url``), its problems and notes, then one cell per column with
    the label the phone layout shows."""
    label = {
        "level": _("Hội nghị"),
        "deadline": _("Hạn"),
        "status": _("Trạng thái"),
        "held": _("Ngày tổ chức"),
        "report": _("Báo cáo"),
        "expected": _("Phải học"),
        "learned": _("Đã học"),
        "rate": _("Tỷ lệ"),
    }
    at_bridge = html('<div class="text-muted">{}</div>', _("dự tại điểm cầu"))
    failed = html(' <span class="badge text-bg-danger">{}</span>', _("Chưa đạt"))
    sent = html("{}", _("Đã gửi"))
    not_sent = html('<span class="text-danger">{}</span>', _("Chưa gửi"))
    not_due = html('<span title="{}">{}</span>', _("Chưa đến hạn: chưa tính vào số phải học"), DASH)
    unknown = html('<span class="text-danger expected-unknown">{}</span>', _("chưa rõ số phải học"))
    out = []
    for line in rows:
        if not line.is_due:
            expected = not_due
        elif not line.expected_known:
            expected = unknown
        else:
            note = line.expected_note
            expected = html(
                "{}{}",
                floatformat(line.expected, "g"),
                html('<div class="text-muted expected-source">{}</div>', note) if note else "",
            )
        if line.reported:
            report = sent
        elif line.held_on:
            report = not_sent
        else:
            report = SafeString(DASH)
        pct = line.coverage_pct
        out.append(
            html(
                '<tr data-unit="{}" data-status="{}">\n'
                '  <td><a href="{}">{}</a>{}{}</td>\n'
                '  <td data-label="{}">{}{}</td>\n'
                '  <td class="text-nowrap" data-label="{}">{}</td>\n'
                '  <td data-label="{}"><span class="badge {}">{}</span>{}</td>\n'
                '  <td class="text-nowrap" data-label="{}">{}</td>\n'
                '  <td class="text-nowrap" data-label="{}">{}</td>\n'
                '  <td class="text-end" data-label="{}">{}</td>\n'
                '  <td class="text-end" data-label="{}">{}</td>\n'
                '  <td class="text-end" data-label="{}">{}</td>\n'
                "</tr>",
                line.unit_id,
                str(line.status),
                row_url(line.unit_id),
                line.name,
                _items("problems text-danger", line.problems),
                _items("notes text-warning-emphasis", line.notes),
                label["level"],
                line.level,
                at_bridge if line.participant else "",
                label["deadline"],
                _date(line.deadline),
                label["status"],
                line.badge,
                line.status_label,
                failed if line.problems else "",
                label["held"],
                _date(line.held_on),
                label["report"],
                report,
                label["expected"],
                expected,
                label["learned"],
                floatformat(line.learned, "g"),
                label["rate"],
                DASH if pct is None else floatformat(pct, "1g") + "%",
            )
        )
    return lines(out)


def _date(day: datetime.date | None) -> str:
    return DASH if day is None else f"{day:%d/%m/%Y}"
