"""The one rule every export applies to a cell of user text: never a live formula.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel
and LibreOffice as a formula (``=HYPERLINK(…)`` sends the reader's data to a stranger's site;
``=cmd|…`` runs a program on old Excel). OWASP's rule: prefix such a cell with an apostrophe so
it shows as the text it is. A number written as text ("-5", "+84 238 …" is not one) stays as
it is: it is not a formula, and the apostrophe would only get in the way of sorting.
``tinhuy.documents.tables.cell_text`` removes the apostrophe again on import, so a value makes
the round trip unchanged.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d.,]*")


def neutralise(value: Any) -> Any:
    """``value`` unchanged unless it is text a spreadsheet would run: then ``'`` + the text."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        if _PLAIN_NUMBER.fullmatch(value):
            return value
        return "'" + value
    return value


def sheet_title(text: str) -> str:
    """A sheet name Excel accepts (31 characters, none of ``[]:*?/\\``) that is not a formula."""
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", text).strip().lstrip("'=+-@") or "Sheet"
    return cleaned[:31]
