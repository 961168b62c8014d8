"""The rows of the programme tree, built in Python (``tinhuy.presenting``'s way).

Issue 10 wants the programme page within 2× the raw SQL that rolls the tree up. The template
engine took about 200 µs a row of the tree (a ``{% url %}`` or three, an ``{% include %}`` of
the progress bar, a ``|date``, Babel's number format, a dozen variables): 45 rows of fields and
items cost twice the whole roll-up. Here each row is one ``html`` call, addresses are reversed
once per page, money (whole đồng) and percentages are formatted as ``programme_format``'s
``number`` and ``percent`` filters print them, and the labels are the templates' msgids.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tinhuy.documents.numbers import format_number
from tinhuy.presenting import html, lines, url_for
from tinhuy.programs.models import NodeKind, NodeStatus

if TYPE_CHECKING:
    from tinhuy.programs.views.programmes import Row

_HUNDRED = Decimal(100)


def money(value: Decimal) -> str:
    """``|number`` of an amount: 1234567 → "1.234.567" (a whole number without Babel)."""
    if value == value.to_integral_value():
        return f"{int(value):,}".replace(",", ".")
    return format_number(value)


def progress_bar(value: Decimal, overdue: bool, label: str) -> SafeString:
    """``programs/_progress.html``: the bar and "45,5%"."""
    width = format(min(max(value, Decimal(0)), _HUNDRED).normalize(), "f")
    shown = format(value.normalize(), "f").replace(".", ",")
    colour = " bg-danger" if overdue else " bg-success" if value >= _HUNDRED else ""
    return html(
        '<div class="d-flex align-items-center gap-2"><div class="progress flex-grow-1" '
        'role="progressbar" aria-label="{}" aria-valuenow="{}" aria-valuemin="0" '
        'aria-valuemax="100" style="height:.75rem;min-width:4rem"><div class="progress-bar{}" '
        'style="width: {}%"></div></div><span class="small text-nowrap">{}%</span></div>',
        label,
        width,
        colour,
        width,
        shown,
    )


def tree_rows(rows: Iterable[Row], *, programme_id: int, editable: bool, running: bool) -> str:
    """The ``<tr>`` of each row of the tree table: code, title (linked when the user may open
    the node) with its marks, the tasks below it (how many overdue) and the link that opens
    the ones not shown, owners, dates, money, progress."""
    node_url = url_for("programs_node", "node_id")
    children_url = reverse("programs_tree_children", args=[programme_id, 0])[: -len("0/")]
    create_url = reverse("programs_node_create", args=[programme_id])
    marks = {
        "focus": html(' <span class="badge text-bg-info">{}</span>', _("trọng tâm")),
        "key": html(' <span class="badge text-bg-primary">{}</span>', _("trọng điểm")),
        "breakthrough": html(' <span class="badge text-bg-danger">{}</span>', _("đột phá")),
        "overdue": html(' <span class="badge text-bg-danger">{}</span>', _("quá hạn")),
        "cancelled": html(' <span class="badge text-bg-secondary">{}</span>', _("dừng, hủy bỏ")),
    }
    add_item, add_task = "+ " + _("nội dung"), "+ " + _("nhiệm vụ")
    out = []
    for row in rows:
        n = row.node
        title = html('<a href="{}">{}</a>', node_url(n.id), n.title) if row.linked else n.title
        badges = "".join(
            [
                marks["focus"] if n.is_focus else "",
                marks["key"] if n.is_key else "",
                marks["breakthrough"] if n.is_breakthrough else "",
                marks["overdue"] if row.overdue else "",
                marks["cancelled"] if n.status == NodeStatus.CANCELLED else "",
            ]
        )
        below = ""
        if n.tasks:
            below = _("%(t)s nhiệm vụ") % {"t": n.tasks}
            late = ""
            if running and n.overdue:
                late = html(
                    ', <span class="text-danger">{}</span>', _("%(o)s quá hạn") % {"o": n.overdue}
                )
            more = ""
            if row.closed:
                more = html(
                    ' · <a href="?mo={}#n{}" hx-get="{}{}/" hx-target="#n{}" hx-swap="afterend" '
                    'hx-on::after-request="if (event.detail.successful) this.remove()">{}</a>',
                    n.id,
                    n.id,
                    SafeString(children_url),
                    n.id,
                    n.id,
                    _("xem %(c)s nhiệm vụ") % {"c": row.closed},
                )
            below = html('<div class="small text-muted">{}{}{}</div>', below, late, more)
        adding = ""
        if editable:
            item = ""
            if n.kind != NodeKind.TASK:
                item = html(
                    '<a href="{}?cha={}&amp;loai=item">{}</a> · ', create_url, n.id, add_item
                )
            adding = html(
                '<div class="small">{}<a href="{}?cha={}&amp;loai=task">{}</a></div>',
                item,
                create_url,
                n.id,
                add_task,
            )
        owners = html("{}", n.lead_unit)
        if n.responsible:
            owners = html('{}<div class="text-muted">{}</div>', owners, n.responsible)
        dates = ""
        if n.start_on or n.due_on:
            dates = html(
                "{} – {}",
                f"{n.start_on:%d/%m/%Y}" if n.start_on else "…",
                f"{n.due_on:%d/%m/%Y}" if n.due_on else "…",
            )
        classes = "table-light fw-semibold" if n.kind == NodeKind.FIELD else ""
        if row.overdue:
            classes += " table-danger"
        out.append(
            html(
                '<tr id="n{}" class="{}"><td class="text-nowrap">{}</td>'
                '<td style="padding-left: {}rem">{}{}{}{}</td><td class="small">{}</td>'
                '<td class="small text-nowrap">{}</td>'
                '<td class="small text-end text-nowrap">{}</td><td>{}</td></tr>',
                n.id,
                classes,
                n.code,
                n.depth,
                title,
                badges and SafeString(badges),
                below,
                adding,
                owners,
                dates,
                money(n.budget) if n.budget else "",
                progress_bar(n.rolled, row.overdue, n.title),
            )
        )
    return lines(out)
