"""Nghệ An's Party organisation as it is today and as it was in 2020.

Both loaders are idempotent: a structure whose code already exists is left untouched.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from vietnam_provinces import Province, VietNamDivisionType, Ward

from tinhuy.org.actions import LevelSpec, UnitSpec, do_create_structure, do_create_units
from tinhuy.org.models import Structure, UnitKind

if TYPE_CHECKING:
    from tinhuy.org.actions import AnyUser

NGHE_AN_PROVINCE_CODE = 40  # the official province code, as in vietnam-provinces

CURRENT_CODE = "nghe-an-2025"
STRUCTURE_2020_CODE = "nghe-an-2020"

_WARD_KIND = {
    VietNamDivisionType.XA: UnitKind.COMMUNE,
    VietNamDivisionType.PHUONG: UnitKind.WARD,
    VietNamDivisionType.DAC_KHU: UnitKind.SPECIAL_ZONE,
}

# The 21 district-level units of Nghệ An in 2020, with their statistical codes
# (Danh mục đơn vị hành chính Việt Nam, Tổng cục Thống kê).
DISTRICTS_2020: list[tuple[str, str, str]] = [
    ("412", "Đảng bộ thành phố Vinh", UnitKind.CITY),
    ("413", "Đảng bộ thị xã Cửa Lò", UnitKind.TOWN),
    ("414", "Đảng bộ thị xã Thái Hòa", UnitKind.TOWN),
    ("415", "Đảng bộ huyện Quế Phong", UnitKind.DISTRICT),
    ("416", "Đảng bộ huyện Quỳ Châu", UnitKind.DISTRICT),
    ("417", "Đảng bộ huyện Kỳ Sơn", UnitKind.DISTRICT),
    ("418", "Đảng bộ huyện Tương Dương", UnitKind.DISTRICT),
    ("419", "Đảng bộ huyện Nghĩa Đàn", UnitKind.DISTRICT),
    ("420", "Đảng bộ huyện Quỳ Hợp", UnitKind.DISTRICT),
    ("421", "Đảng bộ huyện Quỳnh Lưu", UnitKind.DISTRICT),
    ("422", "Đảng bộ huyện Con Cuông", UnitKind.DISTRICT),
    ("423", "Đảng bộ huyện Tân Kỳ", UnitKind.DISTRICT),
    ("424", "Đảng bộ huyện Anh Sơn", UnitKind.DISTRICT),
    ("425", "Đảng bộ huyện Diễn Châu", UnitKind.DISTRICT),
    ("426", "Đảng bộ huyện Yên Thành", UnitKind.DISTRICT),
    ("427", "Đảng bộ huyện Đô Lương", UnitKind.DISTRICT),
    ("428", "Đảng bộ huyện Thanh Chương", UnitKind.DISTRICT),
    ("429", "Đảng bộ huyện Nghi Lộc", UnitKind.DISTRICT),
    ("430", "Đảng bộ huyện Nam Đàn", UnitKind.DISTRICT),
    ("431", "Đảng bộ huyện Hưng Nguyên", UnitKind.DISTRICT),
    ("432", "Đảng bộ thị xã Hoàng Mai", UnitKind.TOWN),
]
# Party committees of the provincial blocks, at the district-equivalent level.
BLOCKS_2020: list[tuple[str, str]] = [
    ("KCCQ", "Đảng bộ Khối các cơ quan tỉnh"),
    ("KDN", "Đảng bộ Khối doanh nghiệp tỉnh"),
]


def load_current_structure(*, acting_user: AnyUser = None) -> Structure:
    """Nghệ An since 1 July 2025: the province and its 130 communes and wards (official codes)."""
    existing = Structure.objects.filter(code=CURRENT_CODE).first()
    if existing is not None:
        return existing
    province = Province.from_code(NGHE_AN_PROVINCE_CODE)  # type: ignore[arg-type]
    with transaction.atomic():
        structure = do_create_structure(
            code=CURRENT_CODE,
            name="Đảng bộ tỉnh Nghệ An (chính quyền địa phương 2 cấp, từ 01/7/2025)",
            levels=[LevelSpec("tinh", "Cấp tỉnh"), LevelSpec("xa", "Cấp xã")],
            valid_from=datetime.date(2025, 7, 1),
            description="Đơn vị hành chính theo gói vietnam-provinces (mã chính thức).",
            acting_user=acting_user,
        )
        root_code = f"{province.code.value:02d}"
        specs = [UnitSpec(root_code, f"Đảng bộ tỉnh {province.name}", "tinh", UnitKind.PROVINCE)]
        for ward in Ward.iter_by_province(province.code):
            kind = _WARD_KIND[ward.division_type]
            specs.append(
                UnitSpec(
                    f"{ward.code.value:05d}",
                    f"Đảng bộ {ward.division_type.value} {_place_name(ward.name)}",
                    "xa",
                    kind,
                    parent_code=root_code,
                )
            )
        do_create_units(structure, specs, acting_user=acting_user, source="vietnam-provinces")
    return structure


def _place_name(full_name: str) -> str:
    """'Xã Anh Sơn' → 'Anh Sơn' (the division type is said once, in lower case, by the caller)."""
    for prefix in ("Xã ", "Phường ", "Đặc khu ", "Thị trấn "):
        if full_name.startswith(prefix):
            return full_name[len(prefix) :]
    return full_name


def load_2020_structure(
    *, grassroots_per_district: int = 6, cells_per_grassroots: int = 4, acting_user: AnyUser = None
) -> Structure:
    """Nghệ An in 2020: province, 21 district-level units and two block committees (real), with
    grassroots organisations and cells below them generated deterministically as sample data."""
    existing = Structure.objects.filter(code=STRUCTURE_2020_CODE).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        structure = do_create_structure(
            code=STRUCTURE_2020_CODE,
            name="Đảng bộ tỉnh Nghệ An, nhiệm kỳ 2020–2025 (3 cấp)",
            levels=[
                LevelSpec("tinh", "Cấp tỉnh"),
                LevelSpec("huyen", "Cấp huyện và tương đương"),
                LevelSpec("co-so", "Cấp cơ sở"),
                LevelSpec("chi-bo", "Chi bộ"),
            ],
            valid_from=datetime.date(2020, 10, 1),
            valid_to=datetime.date(2025, 6, 30),
            description=(
                "Cấp tỉnh và cấp huyện là đơn vị có thật; tổ chức cơ sở đảng và chi bộ là dữ "
                "liệu minh họa sinh tự động."
            ),
            acting_user=acting_user,
        )
        specs = [UnitSpec("40", "Đảng bộ tỉnh Nghệ An", "tinh", UnitKind.PROVINCE)]
        upper = [(code, name, str(kind)) for code, name, kind in DISTRICTS_2020]
        upper += [(code, name, UnitKind.BLOCK.value) for code, name in BLOCKS_2020]
        for code, name, kind in upper:
            specs.append(UnitSpec(code, name, "huyen", kind, parent_code="40"))
            place = name.removeprefix("Đảng bộ ")
            specs.extend(sample_subtree(code, place, grassroots_per_district, cells_per_grassroots))
        do_create_units(structure, specs, acting_user=acting_user, source="demo-2020")
    return structure


def sample_subtree(parent_code: str, place: str, grassroots: int, cells: int) -> list[UnitSpec]:
    """Grassroots organisations and their cells under one unit, marked as sample data."""
    specs: list[UnitSpec] = []
    for g in range(1, grassroots + 1):
        g_code = f"{parent_code}-CS{g:02d}"
        specs.append(
            UnitSpec(
                g_code,
                f"Tổ chức cơ sở đảng số {g:02d}, {place} (minh họa)",
                "co-so",
                UnitKind.GRASSROOTS,
                parent_code=parent_code,
                is_sample=True,
            )
        )
        specs.extend(
            UnitSpec(
                f"{g_code}-CB{c:02d}",
                f"Chi bộ số {c:02d} (minh họa)",
                "chi-bo",
                UnitKind.CELL,
                parent_code=g_code,
                is_sample=True,
            )
            for c in range(1, cells + 1)
        )
    return specs
