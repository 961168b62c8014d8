"""Long repeated rows of a page, built in Python instead of the template engine.

The template engine spends about 25 µs on a ``{% url %}``, 30 µs on a ``|date``, more on an
``{% include %}`` and some on every variable, per row: on the pages with a target (issue 9's
meeting page, disposition table and to-do list) most of their time. ``html`` keeps
``format_html``'s rule (every value escaped unless it is already safe HTML) without the
lazy-string check Django's ``escape`` makes per value (36 rows: 0.15 ms instead of 0.5 ms).
Dates read dd/mm/yyyy like ``|date:"d/m/Y"``; an address is reversed once per page
(``url_for``); labels are gettext msgids, so the translations apply. The page around the rows
stays in the templates.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from html import escape

from django.urls import reverse
from django.utils.safestring import SafeData, SafeString, mark_safe

# An id no row has, reversed once per page in place of each row's own (see ``url_for``).
_MARK = 987_654_321_987_654_321


def html(template: str, *args: object) -> SafeString:
    """``format_html(template, *args)``: each value escaped with ``html.escape`` (what
    ``django.utils.html.escape`` runs) unless it is safe HTML already (``SafeData``, like
    ``conditional_escape``), a number or a date (the template formats it: ``{:%d/%m/%Y}``)."""
    return mark_safe(  # noqa: S308 - every value is escaped here
        template.format(
            *[a if isinstance(a, (SafeData, int, datetime.date)) else escape(str(a)) for a in args]
        )
    )


def lines(rows: Iterable[str]) -> SafeString:
    """Rows built by ``html``, one a line."""
    return mark_safe("\n".join(rows))  # noqa: S308 - each row is html()'s


def url_for(name: str, key: str) -> Callable[[int], SafeString]:
    """``reverse(name, kwargs={key: id})`` for many ids, reversing once: the address is the
    same around the id (escaped once, ready for an attribute)."""
    url = reverse(name, kwargs={key: _MARK})
    before, mark, after = url.rpartition(str(_MARK))
    if not mark:  # pragma: no cover - a pattern that does not print its id
        raise ValueError(f"{name} does not hold {key} in its address.")
    before, after = escape(before), escape(after)
    return lambda pk: SafeString(f"{before}{int(pk)}{after}")
