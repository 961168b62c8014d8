"""A small gazetteer, built through the actions as an editor builds it.

- Places: Nghệ An's administrative units (``do_load_places``).
- Chapters: "Địa lý" (with the sub-chapter "Biển và hải đảo") and "Lịch sử".
- Entries, all published: the province, Thành phố Vinh, Vịnh Bắc Bộ, Huyện Đô Lương, Thủy lợi
  Bắc Nghệ An, Phan Bội Châu and Xô viết Nghệ Tĩnh.
- Figures: the area of Nghệ An (cited) and the population of Vinh (sample data).
- Edition 2024 freezes all that. Then the editor rewrites "Thành phố Vinh", adds "Sông Lam",
  revises Vinh's 2023 population and adds its 2024 population, and publishes edition 2025.

Who sees what: the anonymous citizen reads every published page of both editions; only the
``editor`` persona writes (and no page here writes).

The session database holds the demo gazetteer (its own editions 2024 and 2025). These fixtures
first empty the gazetteer inside the test's transaction (rolled back afterwards), so every test
starts from a gazetteer it knows entirely.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model

from tinhuy.gazetteer.actions import (
    EntrySpec,
    ObservationSpec,
    SourceSpec,
    do_load_places,
    do_publish_edition,
    do_save_entry,
    do_save_observations,
    do_set_entry_state,
)
from tinhuy.gazetteer.models import (
    Chapter,
    Edition,
    EditionEntry,
    EditionObservation,
    Entry,
    EntryRevision,
    EntryState,
    Indicator,
    Observation,
    Place,
)
from tinhuy.programs.models import Indicator as ProgrammeIndicator
from tinhuy.search.models import SearchDocument

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
VINH_2024_TEXT = "Vinh là thành phố tỉnh lỵ của tỉnh Nghệ An, bên bờ sông Lam."
VINH_2025_TEXT = "Vinh là thành phố tỉnh lỵ của tỉnh Nghệ An, trung tâm của vùng Bắc Trung Bộ."


def publish_entry(spec: EntrySpec, user: Any, approver: Any = None) -> Entry:
    """Save, review and publish an entry, as editors do: the author writes and reviews, a second
    person approves (two people; the province office unless ``approver`` is given)."""
    entry = do_save_entry(spec, acting_user=user)
    do_set_entry_state(entry, EntryState.REVIEWED, acting_user=user)
    if approver is None:
        approver = get_user_model().objects.get(username="vanphong")
    return do_set_entry_state(entry, EntryState.PUBLISHED, acting_user=approver)


def publish_edition(year: int, user: object) -> Edition:
    return do_publish_edition(
        year,
        title=f"Địa chí Nghệ An, ấn bản {year}",
        notes=f"Ấn bản **{year}** của Địa chí Nghệ An.",
        acting_user=user,
        published_at=datetime.datetime(year, 12, 30, 9, 0, tzinfo=HCM),
    )


def clear_gazetteer() -> None:
    """Remove the demo's entries, figures, chapters and editions (not the places)."""
    # Editions only ever move forward and nothing deletes them, so no action does this: the
    # rows go directly, dependents first (the foreign keys are PROTECT).
    EditionEntry.objects.all().delete()
    EditionObservation.objects.all().delete()
    Edition.objects.all().delete()
    SearchDocument.objects.filter(key__startswith="entry:").delete()
    EntryRevision.objects.all().delete()
    Entry.objects.all().delete()
    Observation.objects.all().delete()
    # The demo programmes' indicators read figures from the gazetteer (tinhuy.programs.demo).
    ProgrammeIndicator.objects.filter(gazetteer_indicator__isnull=False).update(
        gazetteer_indicator=None, gazetteer_place=None
    )
    Indicator.objects.all().delete()
    for chapter in Chapter.objects.order_by("-path"):  # children before their parents
        chapter.delete()


@pytest.fixture
def empty_gazetteer(db: None) -> None:
    """A gazetteer with its places and nothing else: before the first edition."""
    clear_gazetteer()
    do_load_places(acting_user=None)


@dataclass
class Gazetteer:
    edition_2024: Edition
    edition_2025: Edition
    geography: Chapter
    sea: Chapter
    history: Chapter
    province: Place
    vinh: Place
    do_luong: Place
    population: Indicator
    area: Indicator


@pytest.fixture
def gazetteer(personas, empty_gazetteer) -> Gazetteer:  # type: ignore[no-untyped-def]
    editor = personas.editor
    places = {p.code: p for p in Place.objects.filter(code__in=["40", "412", "427", "430"])}
    # Chapters and indicators have no action yet (the editor's pages will add them).
    geography = Chapter.objects.create(slug="dia-ly", title="Địa lý", order=1)
    sea = Chapter.objects.create(slug="bien", title="Biển và hải đảo", parent=geography, order=1)
    history = Chapter.objects.create(slug="lich-su", title="Lịch sử", order=2)
    population = Indicator.objects.create(code="dan-so", name="Dân số", unit="người")
    area = Indicator.objects.create(code="dien-tich", name="Diện tích", unit="km²")

    yearbook = SourceSpec(
        title="Niên giám thống kê tỉnh Nghệ An 2023",
        author="Cục Thống kê tỉnh Nghệ An",
        year="2024",
        publisher="Nhà xuất bản Thống kê",
        pages="15–20",
        url="https://thongkenghean.gov.vn/",
    )
    specs = [
        EntrySpec("tinh-nghe-an", "Tỉnh Nghệ An", "place", geography,
                  "Nghệ An là tỉnh có diện tích lớn nhất Việt Nam, thuộc vùng Bắc Trung Bộ.",
                  (places["40"],), "hiện đại", (yearbook,)),
        EntrySpec("thanh-pho-vinh", "Thành phố Vinh", "place", geography, VINH_2024_TEXT,
                  (places["412"], places["40"]), "hiện đại"),
        EntrySpec("vinh-bac-bo", "Vịnh Bắc Bộ", "place", sea,
                  "Vịnh Bắc Bộ là vùng biển phía đông của tỉnh, nơi có cảng Cửa Lò."),
        EntrySpec("huyen-do-luong", "Huyện Đô Lương", "place", geography,
                  "Đô Lương là huyện trung du nằm hai bên bờ sông Lam.", (places["427"],)),
        EntrySpec("thuy-loi-bac-nghe-an", "Thủy lợi Bắc Nghệ An", "topic", geography,
                  "Hệ thống thuỷ lợi Bắc Nghệ An tưới cho nhiều huyện đồng bằng."),
        EntrySpec("phan-boi-chau", "Phan Bội Châu", "person", history,
                  "Phan Bội Châu (1867–1940), nhà yêu nước, quê ở Nam Đàn.",
                  (places["430"],), "cận đại"),
        EntrySpec("xo-viet-nghe-tinh", "Xô viết Nghệ Tĩnh", "event", history,
                  "Phong trào cách mạng 1930–1931 ở Nghệ An và Hà Tĩnh.",
                  (places["40"],), "1930–1931"),
    ]  # fmt: skip
    for spec in specs:
        publish_entry(spec, editor)
    do_save_observations(
        [
            ObservationSpec(area, places["40"], 2023, Decimal("16486.5"), source="Niên giám 2023"),
            ObservationSpec(population, places["412"], 2023, Decimal("339114"), is_sample=True),
        ],
        acting_user=editor,
    )
    edition_2024 = publish_edition(2024, editor)

    publish_entry(
        EntrySpec("thanh-pho-vinh", "Thành phố Vinh", "place", geography, VINH_2025_TEXT,
                  (places["412"], places["40"]), "hiện đại"),
        editor,
    )  # fmt: skip
    publish_entry(
        EntrySpec("song-lam", "Sông Lam", "place", geography,
                  "Sông Lam chảy qua Đô Lương và Vinh rồi đổ ra biển ở Cửa Hội.",
                  (places["427"], places["412"])),
        editor,
    )  # fmt: skip
    do_save_observations(
        [
            ObservationSpec(population, places["412"], 2023, Decimal("340000"), is_sample=True),
            ObservationSpec(population, places["412"], 2024, Decimal("1234.5"), is_sample=True),
        ],
        acting_user=editor,
    )
    edition_2025 = publish_edition(2025, editor)
    return Gazetteer(
        edition_2024=edition_2024,
        edition_2025=edition_2025,
        geography=geography,
        sea=sea,
        history=history,
        province=places["40"],
        vinh=places["412"],
        do_luong=places["427"],
        population=population,
        area=area,
    )
