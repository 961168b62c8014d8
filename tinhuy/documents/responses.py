"""A file as an HTTP answer: every download of the application goes out the same way."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header


def download(
    content: bytes, filename: str, content_type: str, *, inline: bool = False
) -> HttpResponse:
    """``content`` to save as ``filename`` (Vietnamese names survive: RFC 6266 ``filename*``).

    A download is the caller's own data: never kept by a shared cache (``private``)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename) or ""
    response["Cache-Control"] = "private"
    return response
