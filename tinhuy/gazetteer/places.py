"""The places the gazetteer knows: Nghệ An today (province, 130 communes and wards, official
codes from vietnam-provinces) and its 21 district-level units of 2020 (statistical codes).

Only the data: ``tinhuy.gazetteer.actions.do_load_places`` writes them, audited.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from vietnam_provinces import Province, VietNamDivisionType, Ward

from tinhuy.gazetteer.models import PlaceKind
from tinhuy.org.loaders import DISTRICTS_2020, NGHE_AN_PROVINCE_CODE

_KIND = {
    VietNamDivisionType.XA: PlaceKind.COMMUNE,
    VietNamDivisionType.PHUONG: PlaceKind.WARD,
    VietNamDivisionType.DAC_KHU: PlaceKind.SPECIAL_ZONE,
}
_DISTRICT_KIND = {"city": PlaceKind.CITY, "town": PlaceKind.TOWN, "district": PlaceKind.DISTRICT}
_PREFIXES = ("Xã ", "Phường ", "Đặc khu ")


@dataclass(frozen=True)
class PlaceSpec:
    """A place to create under the province (``parent`` of every other place)."""

    code: str
    name: str
    kind: str
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None


def province() -> PlaceSpec:
    info = Province.from_code(NGHE_AN_PROVINCE_CODE)  # type: ignore[arg-type]
    return PlaceSpec(str(NGHE_AN_PROVINCE_CODE), info.name, PlaceKind.PROVINCE)


def places_below_province() -> Iterator[PlaceSpec]:
    """The district-level units of 2020 (until 30/6/2025), then today's communes and wards."""
    for code, party_name, kind in DISTRICTS_2020:
        # "Đảng bộ huyện Nghi Lộc" -> "Nghi Lộc"
        name = party_name.removeprefix("Đảng bộ ").split(" ", 2 if kind == "city" else 1)[-1]
        if kind == "town":
            name = party_name.removeprefix("Đảng bộ thị xã ")
        yield PlaceSpec(code, name, _DISTRICT_KIND[str(kind)], valid_to=datetime.date(2025, 6, 30))
    info = Province.from_code(NGHE_AN_PROVINCE_CODE)  # type: ignore[arg-type]
    for ward in Ward.iter_by_province(info.code):
        name = ward.name
        for prefix in _PREFIXES:
            name = name.removeprefix(prefix)
        yield PlaceSpec(
            f"{ward.code.value:05d}",
            name,
            _KIND[ward.division_type],
            valid_from=datetime.date(2025, 7, 1),
        )
