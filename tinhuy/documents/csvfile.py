"""CSV out: UTF-8 with a byte-order mark (so Excel shows Vietnamese letters), every cell
neutralised (``tinhuy.documents.cells``), ``\\r\\n`` line ends as Excel writes them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from tinhuy.documents.cells import neutralise

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def table_csv(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    bom: bool = True,
    newline: str = "\r\n",
) -> bytes:
    """The header and the rows as CSV bytes."""
    return table_csv_text(header, rows, newline=newline, bom=bom).encode("utf-8")


def table_csv_text(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    bom: bool = False,
    newline: str = "\n",
) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow([neutralise(cell) for cell in header])
    writer.writerows([neutralise(cell) for cell in row] for row in rows)
    return ("\ufeff" if bom else "") + out.getvalue()
