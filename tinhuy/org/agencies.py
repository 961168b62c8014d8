"""Nghệ An's state agencies as units of a structure of their own (issue 10, "Deliver 1").

The Provincial People's Committee, the departments a programme of Decision 827 for Vinh works
with, and the People's Committee of Vinh City. Their names are those of real bodies; the people
in them are sample people, marked "(minh họa)".

Two 2025 changes are recorded as data:
- Sở Kế hoạch và Đầu tư was merged into Sở Tài chính. Nationally the Ministry of Planning and
  Investment was merged into the Ministry of Finance from 01/03/2025 (Nghị định 29/2025/NĐ-CP);
  the province's own effective date must be checked against the province's decision, so the
  department's last day below (28/02/2025, the day before the national date) is a value to
  confirm, said so in the structure's description. Its successor is Sở Tài chính.
- The People's Committee of Vinh City ceased with the district level on 01/07/2025 (two-level
  local government): its last day is 30/06/2025. Its successors — the wards that now cover the
  former city — are not set: the ``vietnam-provinces`` package lists today's wards but not which
  former district each came from, and we record no mapping we cannot source.

Other 2025 reorganisations of departments are not recorded here.

Idempotent like ``tinhuy.org.loaders``: a structure whose code already exists is left untouched.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction

from tinhuy.org.actions import (
    LevelSpec,
    UnitSpec,
    do_add_person,
    do_create_structure,
    do_create_units,
    do_set_successors,
    do_set_unit_validity,
)
from tinhuy.org.models import Structure, Unit, UnitKind

if TYPE_CHECKING:
    from tinhuy.org.actions import AnyUser

AGENCIES_CODE = "nghe-an-co-quan"

PROVINCE_COMMITTEE = "UBND-TINH"
PLANNING = "SKHDT"
FINANCE = "STC"
CONSTRUCTION = "SXD"
TRANSPORT = "SGTVT"
CULTURE = "SVHTT"
INFORMATION = "STTTT"
SCIENCE = "SKHCN"
VINH_COMMITTEE = "UBND-VINH"

# (code, name, parent code); all of kind "agency", the Provincial People's Committee at the
# province level, the departments and the city's committee at the level below it.
AGENCIES: tuple[tuple[str, str, str | None], ...] = (
    (PROVINCE_COMMITTEE, "Ủy ban nhân dân tỉnh Nghệ An", None),
    (PLANNING, "Sở Kế hoạch và Đầu tư", PROVINCE_COMMITTEE),
    (FINANCE, "Sở Tài chính", PROVINCE_COMMITTEE),
    (CONSTRUCTION, "Sở Xây dựng", PROVINCE_COMMITTEE),
    (TRANSPORT, "Sở Giao thông vận tải", PROVINCE_COMMITTEE),
    (CULTURE, "Sở Văn hóa và Thể thao", PROVINCE_COMMITTEE),
    (INFORMATION, "Sở Thông tin và Truyền thông", PROVINCE_COMMITTEE),
    (SCIENCE, "Sở Khoa học và Công nghệ", PROVINCE_COMMITTEE),
    (VINH_COMMITTEE, "Ủy ban nhân dân thành phố Vinh", PROVINCE_COMMITTEE),
)

# The department's last day before the merger: the day before the national date (01/03/2025,
# Nghị định 29/2025/NĐ-CP) — "ngày hiệu lực cần đối chiếu văn bản của tỉnh".
PLANNING_LAST_DAY = datetime.date(2025, 2, 28)
# The district level ended on 01/07/2025 (two-level local government).
VINH_COMMITTEE_LAST_DAY = datetime.date(2025, 6, 30)

DESCRIPTION = (
    "Cơ quan nhà nước của tỉnh Nghệ An là đơn vị có thật; cán bộ trong các cơ quan là dữ liệu "
    "minh họa. Năm 2025: Sở Kế hoạch và Đầu tư hợp nhất vào Sở Tài chính (đơn vị kế thừa); ngày "
    "thôi hoạt động 28/02/2025 lấy theo ngày hiệu lực ở trung ương (01/3/2025, Nghị định "
    "29/2025/NĐ-CP) — ngày hiệu lực cần đối chiếu văn bản của tỉnh. Ủy ban nhân dân thành phố Vinh "
    "thôi hoạt động từ 01/7/2025 (chính quyền địa phương 2 cấp); chưa ghi đơn vị kế thừa vì chưa "
    "có dữ liệu nguồn về các phường kế thừa. Các sắp xếp khác năm 2025 chưa được ghi nhận."
)

# Sample people (names and positions are sample data, labelled "minh họa"), family name first.
AGENCY_PEOPLE: dict[str, tuple[tuple[str, str], ...]] = {
    PROVINCE_COMMITTEE: (("Nguyễn Hữu Phong (minh họa)", "Chánh Văn phòng (minh họa)"),),
    PLANNING: (
        ("Trần Quốc Khánh (minh họa)", "Giám đốc Sở (minh họa)"),
        ("Lê Thị Thanh Hương (minh họa)", "Trưởng phòng (minh họa)"),
    ),
    FINANCE: (
        ("Võ Văn Thắng (minh họa)", "Giám đốc Sở (minh họa)"),
        ("Phan Thị Hạnh (minh họa)", "Trưởng phòng (minh họa)"),
    ),
    CONSTRUCTION: (("Hồ Sỹ Long (minh họa)", "Phó Giám đốc Sở (minh họa)"),),
    TRANSPORT: (("Nguyễn Đình Tuấn (minh họa)", "Phó Giám đốc Sở (minh họa)"),),
    CULTURE: (("Thái Thị Minh Nguyệt (minh họa)", "Phó Giám đốc Sở (minh họa)"),),
    INFORMATION: (("Đậu Văn Quang (minh họa)", "Phó Giám đốc Sở (minh họa)"),),
    SCIENCE: (("Chu Thị Bích Ngọc (minh họa)", "Phó Giám đốc Sở (minh họa)"),),
    VINH_COMMITTEE: (
        ("Hoàng Văn Bình (minh họa)", "Phó Chủ tịch UBND thành phố (minh họa)"),
        ("Ngô Thị Thu Trang (minh họa)", "Chánh Văn phòng HĐND và UBND thành phố (minh họa)"),
    ),
}


def load_agencies_structure(*, acting_user: AnyUser = None) -> Structure:
    """The state agencies of Nghệ An, their 2025 changes and sample people (idempotent)."""
    existing = Structure.objects.filter(code=AGENCIES_CODE).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        structure = do_create_structure(
            code=AGENCIES_CODE,
            name="Cơ quan nhà nước tỉnh Nghệ An",
            levels=[
                LevelSpec("tinh", "Cấp tỉnh"),
                LevelSpec("so-huyen", "Sở, ban, ngành và cấp huyện"),
            ],
            description=DESCRIPTION,
            acting_user=acting_user,
        )
        specs = [
            UnitSpec(code, name, "so-huyen" if parent else "tinh", UnitKind.AGENCY, parent)
            for code, name, parent in AGENCIES
        ]
        units = {
            u.code: u
            for u in do_create_units(structure, specs, acting_user=acting_user, source="agencies")
        }
        do_set_unit_validity(
            units[PLANNING], valid_from=None, valid_to=PLANNING_LAST_DAY, acting_user=acting_user
        )
        do_set_successors(units[PLANNING], [units[FINANCE]], acting_user=acting_user)
        do_set_unit_validity(
            units[VINH_COMMITTEE],
            valid_from=None,
            valid_to=VINH_COMMITTEE_LAST_DAY,
            acting_user=acting_user,
        )
        for code, people in AGENCY_PEOPLE.items():
            for full_name, position in people:
                do_add_person(
                    units[code],
                    full_name=full_name,
                    position=position,
                    is_sample=True,
                    acting_user=acting_user,
                )
    return structure


def agency(code: str) -> Unit:
    """A unit of the agencies structure by its code (the structure must be loaded)."""
    return Unit.objects.get(structure__code=AGENCIES_CODE, code=code)
