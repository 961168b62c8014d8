"""What the meetings pages share: bounded integer parameters."""

from __future__ import annotations

from django.http import Http404

from tinhuy.apikit import MAX_ID


def int_param(value: str | None, *, limit: int = MAX_ID) -> int | None:
    """A positive integer from the address, or None when absent; anything else is 404 (ASCII
    digits only, and nothing past what a key holds)."""
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 19 or int(value) > limit:
        raise Http404("Not a number.")
    return int(value)
