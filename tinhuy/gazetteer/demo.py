"""The gazetteer demo: real entries about Nghệ An and a few figures, in two editions.

The content is the folder ``content/`` in the format ``tinhuy gazetteer import`` reads (see
``tinhuy.gazetteer.imports.folder``): 19 entries with their sources, the chapters, three
indicators and the figures. Figures taken from a cited public source carry that source; every
other figure is marked ``is_sample`` with the source "Số liệu minh họa".

``content/`` is the gazetteer as edition 2025 shows it. ``content/an-ban-2024/`` holds what
edition 2024 said differently, so that "what changed" has something to show: the entry
"Thành phố Vinh" of 2024 has no paragraph on the reorganisation of 1 July 2025 (it had not
happened yet) and a different period, and the sample population of Vinh for 2023 was revised.

Loading: the places (``do_load_places``), then content with the 2024 differences laid over it,
published as edition 2024, then ``content/`` itself, published as edition 2025. Idempotent: once
the gazetteer has an edition, the demo leaves entries, figures and editions alone.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import transaction

from tinhuy.gazetteer.actions import do_load_places, do_publish_edition
from tinhuy.gazetteer.imports.folder import (
    Folder,
    FolderImportResult,
    read_folder,
    write_folder,
)
from tinhuy.gazetteer.models import Edition
from tinhuy.gazetteer.queries import PlaceIndex

CONTENT_DIR = Path(__file__).resolve().parent / "content"
CHANGES_2024_DIR = CONTENT_DIR / "an-ban-2024"
HCM = ZoneInfo("Asia/Ho_Chi_Minh")

EDITIONS = {
    2024: (
        "Địa chí Nghệ An — ấn bản 2024 (minh họa)",
        "Ấn bản trình diễn: các mục từ có nguồn trích dẫn; số liệu theo huyện là số liệu minh họa.",
        datetime.datetime(2024, 12, 30, 9, 0, tzinfo=HCM),
    ),
    2025: (
        "Địa chí Nghệ An — ấn bản 2025 (minh họa)",
        "Bổ sung việc sắp xếp đơn vị hành chính từ ngày 1/7/2025 vào mục “Thành phố Vinh”; "
        "sửa một số liệu minh họa.",
        datetime.datetime(2025, 12, 29, 9, 0, tzinfo=HCM),
    ),
}


def load_gazetteer_demo() -> list[str]:
    """Load the demo gazetteer; returns a line per change made (empty on a second run)."""
    changes: list[str] = []
    with transaction.atomic():
        created = do_load_places(acting_user=None)
        if created:
            changes.append(f"địa danh của địa chí: {created}")
        if Edition.objects.exists():
            return changes  # the gazetteer is in use: leave it as it is
        places = PlaceIndex.load()
        current = _read(CONTENT_DIR, places)
        changes_2024 = _read(CHANGES_2024_DIR, places)
        for year, folder in ((2024, current.overlaid(changes_2024)), (2025, current)):
            result = _write(folder)
            title, notes, published_at = EDITIONS[year]
            edition = do_publish_edition(
                year, title=title, notes=notes, acting_user=None, published_at=published_at
            )
            changes.append(
                f"{edition.title}: {edition.entries.count()} mục từ, "
                f"{edition.observations.count()} số liệu "
                f"({result.entries_created} mục mới, {result.entries_changed} mục sửa)"
            )
    return changes


def _read(root: Path, places: PlaceIndex) -> Folder:
    folder, errors = read_folder(root, places=places)
    if errors:
        raise RuntimeError("\n".join(e.message for e in errors))
    return folder


def _write(folder: Folder) -> FolderImportResult:
    result = write_folder(folder, acting_user=None, publish=True)
    if result.errors:
        raise RuntimeError("\n".join(e.message for e in result.errors))
    return result
