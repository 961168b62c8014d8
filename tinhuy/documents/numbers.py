"""Numbers the Vietnamese way — 1.234,5 and 96,9% — for pages, exports and documents.

One formatter (Babel's, with the ``vi`` locale's symbols) so a figure reads the same on the page,
in the .xlsx guide, in the .docx report and in an error message. Documents and files are
Vietnamese whatever the reader's UI language, so ``locale`` defaults to ``vi``; a page that
follows the UI language passes ``translation.get_language()``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.numbers import format_decimal
from django.utils import translation

DASH = "—"


def format_number(
    value: Decimal | int | float | str, decimals: int | None = None, *, locale: str = "vi"
) -> str:
    """Dots group thousands, a comma before the decimals: 1234.50 → "1.234,5".

    ``decimals=None`` keeps every significant decimal and no trailing zero (a published figure is
    shown as exact as its source gave it); a number rounds to exactly ``decimals`` places.
    Text that is not a number comes back unchanged.
    """
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(number)
    if decimals is None:
        return format_decimal(number.normalize(), locale=locale, decimal_quantization=False)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(number, format=pattern, locale=locale)


def page_locale() -> str:
    """How the page being answered writes numbers: 1,234.5 in English, 1.234,5 otherwise.
    Documents (.docx, .xlsx) are Vietnamese whatever the page: they keep the default."""
    return "en" if (translation.get_language() or "").startswith("en") else "vi"


def format_percent(ratio: float | Decimal | None, decimals: int = 1, *, locale: str = "vi") -> str:
    """96,9% for 0.969; a dash when there is no ratio (nobody was expected)."""
    if ratio is None:
        return DASH
    return format_number(Decimal(str(ratio)) * 100, decimals, locale=locale) + "%"
