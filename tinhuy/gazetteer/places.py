"""The places the gazetteer knows: Nghệ An today (province, 130 communes and wards, official
codes from vietnam-provinces) and its 21 district-level units of 2020 (statistical codes)."""

from __future__ import annotations

import datetime

from django.db import transaction
from vietnam_provinces import Province, VietNamDivisionType, Ward

from tinhuy.gazetteer.models import Place, PlaceKind
from tinhuy.org.loaders import DISTRICTS_2020, NGHE_AN_PROVINCE_CODE

_KIND = {
    VietNamDivisionType.XA: PlaceKind.COMMUNE,
    VietNamDivisionType.PHUONG: PlaceKind.WARD,
    VietNamDivisionType.DAC_KHU: PlaceKind.SPECIAL_ZONE,
}
_DISTRICT_KIND = {"city": PlaceKind.CITY, "town": PlaceKind.TOWN, "district": PlaceKind.DISTRICT}
_PREFIXES = ("Xã ", "Phường ", "Đặc khu ")


@transaction.atomic
def load_places() -> int:
    """Create the places that are missing; returns how many were created. Idempotent."""
    existing = set(Place.objects.values_list("code", flat=True))
    province_info = Province.from_code(NGHE_AN_PROVINCE_CODE)  # type: ignore[arg-type]
    created = 0
    province, was_created = Place.objects.get_or_create(
        code=str(NGHE_AN_PROVINCE_CODE),
        defaults={"name": province_info.name, "kind": PlaceKind.PROVINCE},
    )
    created += was_created
    for code, party_name, kind in DISTRICTS_2020:
        if code in existing:
            continue
        # "Đảng bộ huyện Nghi Lộc" -> "Nghi Lộc"
        name = party_name.removeprefix("Đảng bộ ").split(" ", 2 if kind == "city" else 1)[-1]
        if kind == "town":
            name = party_name.removeprefix("Đảng bộ thị xã ")
        Place.objects.create(
            code=code,
            name=name,
            kind=_DISTRICT_KIND[str(kind)],
            parent=province,
            valid_to=datetime.date(2025, 6, 30),
        )
        created += 1
    for ward in Ward.iter_by_province(province_info.code):
        code = f"{ward.code.value:05d}"
        if code in existing:
            continue
        name = ward.name
        for prefix in _PREFIXES:
            name = name.removeprefix(prefix)
        Place.objects.create(
            code=code,
            name=name,
            kind=_KIND[ward.division_type],
            parent=province,
            valid_from=datetime.date(2025, 7, 1),
        )
        created += 1
    return created
