"""The text a person would read in an answer, whatever its format, folded for the leak scan."""

from __future__ import annotations

import html
import io
import json
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse

from tinhuy.search.text import fold


def body_bytes(response: HttpResponse | StreamingHttpResponse) -> bytes:
    if getattr(response, "streaming", False):
        data = b"".join(response.streaming_content)  # type: ignore[union-attr,arg-type]
        # The test client's response reads its content only once: keep it for later reads.
        response._matrix_body = data  # type: ignore[union-attr]
        return data
    return getattr(response, "_matrix_body", None) or response.content  # type: ignore[union-attr]


def _xlsx_text(data: bytes) -> str:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    cells: list[str] = []
    for name in workbook.sheet_names:
        cells.append(name)
        for row in workbook.get_sheet_by_name(name).to_python():
            cells.extend(str(value) for value in row if value not in ("", None))
    return "\n".join(cells)


def _docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in document.sections:
        parts.extend(p.text for p in section.header.paragraphs)
        parts.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(parts)


def _json_text(data: bytes) -> str:
    value: Any = json.loads(data)
    return json.dumps(value, ensure_ascii=False)  # "\u1ea3" escapes back to letters


def readable_text(response: HttpResponse | StreamingHttpResponse) -> str:
    """The answer as text: HTML and fragments unescaped, JSON with its escapes undone, the cells
    of an .xlsx, the paragraphs and tables of a .docx, an .ics or a .csv as they are."""
    data = body_bytes(response)
    content_type = response.get("Content-Type", "").split(";")[0].strip()
    if content_type.endswith("spreadsheetml.sheet"):
        return _xlsx_text(data)
    if content_type.endswith("wordprocessingml.document"):
        return _docx_text(data)
    if content_type.endswith("json"):
        return _json_text(data)
    if data.startswith(b"PK\x03\x04"):
        raise AssertionError(f"an unexpected zip file ({content_type!r}) the scan cannot read")
    text = data.decode("utf-8", errors="replace")
    if content_type == "text/calendar":
        text = text.replace("\r\n ", "").replace("\\,", ",")  # unfold lines, unescape commas
    return html.unescape(text)


def leaks(text: str, sentinels: list[str]) -> list[str]:
    """The sentinels whose folded form occurs in the folded text."""
    folded = " ".join(fold(text).split())
    return [s for s in sentinels if " ".join(fold(s).split()) in folded]
