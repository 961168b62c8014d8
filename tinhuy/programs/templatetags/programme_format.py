"""Money and percentages on the programme pages, written as the page's language writes numbers
(``documents.numbers.page_locale``: 1.234,5 in Vietnamese, 1,234.5 in English)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import gettext as _

from tinhuy.documents.numbers import DASH, format_number, page_locale

register = template.Library()


@register.filter
def dong(value: Any) -> str:
    """2500000000 → "2.500.000.000 đồng"; nothing → a dash."""
    if value is None or value == "":
        return DASH
    return _("%(n)s đồng") % {"n": format_number(Decimal(value), 0, locale=page_locale())}


@register.filter
def number(value: Any) -> str:
    """1234.5 → "1.234,5" (every significant decimal); nothing → a dash."""
    if value is None or value == "":
        return DASH
    return format_number(value, locale=page_locale())


@register.filter
def percent(value: Any) -> str:
    """A rolled-up progress 45.0 → "45%", 45.5 → "45,5%"."""
    if value is None:
        return DASH
    return format_number(format(Decimal(value).normalize(), "f"), locale=page_locale()) + "%"


@register.filter
def bar(value: Any) -> str:
    """A progress as a CSS width ("45.5"), dot-decimal whatever the page's language."""
    if value is None:
        return "0"
    return format(min(max(Decimal(value), Decimal(0)), Decimal(100)).normalize(), "f")
