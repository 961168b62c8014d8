"""The demo: both Nghệ An structures and the state agencies, one account per persona, a few
sample people, then the meetings, study, gazetteer and programmes demos.

Idempotent: a second run finds everything in place and changes nothing. The demo password is
``TINHUY_DEMO_PASSWORD`` if set, else generated once into ``var/demo-password`` and reused.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tinhuy.accounts.actions import do_create_user, do_set_password
from tinhuy.org.actions import do_add_person, do_grant_membership
from tinhuy.org.agencies import (
    AGENCIES_CODE,
    FINANCE,
    PLANNING,
    VINH_COMMITTEE,
    load_agencies_structure,
)
from tinhuy.org.loaders import (
    CURRENT_CODE,
    STRUCTURE_2020_CODE,
    load_2020_structure,
    load_current_structure,
)
from tinhuy.org.models import Role, Structure, Unit

if TYPE_CHECKING:
    from tinhuy.progress import ProgressCallback


@dataclass(frozen=True)
class Persona:
    username: str
    last_name: str  # family and middle names
    first_name: str  # given name
    role: str
    units: tuple[tuple[str, str], ...]  # (structure code, unit code)
    description: str


# The personas of STYLE.md. Their names are sample names, not real officials.
PERSONAS: tuple[Persona, ...] = (
    Persona(
        "vanphong",
        "Nguyễn Thị",
        "Hoa",
        Role.PROVINCE_ADMIN,
        ((STRUCTURE_2020_CODE, "40"), (CURRENT_CODE, "40")),
        "Văn phòng Tỉnh ủy: xem và sửa mọi đơn vị",
    ),
    Persona(
        "vinh",
        "Trần Văn",
        "Minh",
        Role.OFFICE_OFFICER,
        ((STRUCTURE_2020_CODE, "412"),),
        "Cán bộ văn phòng Thành ủy Vinh: chỉ Đảng bộ thành phố Vinh",
    ),
    Persona(
        "nghiloc",
        "Lê Thị",
        "Lan",
        Role.OFFICE_OFFICER,
        ((STRUCTURE_2020_CODE, "429"),),
        "Cán bộ văn phòng Huyện ủy Nghi Lộc: chỉ Đảng bộ huyện Nghi Lộc",
    ),
    Persona(
        "btv",
        "Phạm Văn",
        "Hùng",
        Role.BOARD_MEMBER,
        ((STRUCTURE_2020_CODE, "40"), (CURRENT_CODE, "40")),
        "Ủy viên Ban Thường vụ: xem toàn tỉnh, không sửa",
    ),
    Persona(
        "bientap",
        "Hoàng Thị",
        "Mai",
        Role.GAZETTEER_EDITOR,
        ((CURRENT_CODE, "40"),),
        "Biên tập viên Địa chí Nghệ An",
    ),
    # Its unit, the Ban Tuyên giáo, is made by the meetings demo (tinhuy.meetings.demo).
    Persona(
        "tuyengiao",
        "Đinh Thị",
        "Ngọc",
        Role.OFFICE_OFFICER,
        ((STRUCTURE_2020_CODE, "BTG"),),
        "Cán bộ Ban Tuyên giáo Tỉnh ủy: soạn, trình dự thảo, tiếp thu, giải trình ý kiến",
    ),
    # The state agencies (tinhuy.org.agencies): the focal agency of the Decision 827 plan, its
    # successor after the 2025 merger, and TP Vinh's People's Committee.
    Persona(
        "sokhdt",
        "Cao Thị",
        "Yến",
        Role.OFFICE_OFFICER,
        ((AGENCIES_CODE, PLANNING),),
        "Cán bộ văn phòng Sở Kế hoạch và Đầu tư: cơ quan đầu mối Kế hoạch thực hiện Quyết định 827",
    ),
    Persona(
        "sotaichinh",
        "Dương Văn",
        "Lực",
        Role.OFFICE_OFFICER,
        ((AGENCIES_CODE, FINANCE),),
        "Cán bộ văn phòng Sở Tài chính: đơn vị kế thừa Sở Kế hoạch và Đầu tư từ năm 2025",
    ),
    Persona(
        "ubndvinh",
        "Lã Thị",
        "Thủy",
        Role.OFFICE_OFFICER,
        ((AGENCIES_CODE, VINH_COMMITTEE),),
        "Cán bộ văn phòng UBND thành phố Vinh: nhiệm vụ do thành phố chủ trì",
    ),
)

# Sample heads and office chiefs for the two district-level units the personas work in.
SAMPLE_PEOPLE = {
    "412": [("Đặng Văn Thành", "Bí thư (minh họa)"), ("Võ Thị Thu", "Chánh Văn phòng (minh họa)")],
    "429": [("Bùi Đình Nam", "Bí thư (minh họa)"), ("Hồ Thị Hằng", "Chánh Văn phòng (minh họa)")],
}


def demo_password() -> tuple[str, bool]:
    """(password, whether it was just generated)."""
    from_env = os.environ.get("TINHUY_DEMO_PASSWORD")
    if from_env:
        return from_env, False
    path = Path(settings.VAR_DIR) / "demo-password"
    if path.exists():
        return path.read_text().strip(), False
    password = secrets.token_urlsafe(9)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password)
    return password, True


def ensure_propaganda_board() -> None:
    from tinhuy.meetings.demo import propaganda_board

    propaganda_board(Structure.objects.get(code=STRUCTURE_2020_CODE))


# The steps of ``load_demo``, as its progress callback names them.
DEMO_STEPS = (
    _("cơ cấu tổ chức hiện nay"),
    _("cơ cấu tổ chức năm 2020"),
    _("cơ quan nhà nước"),
    _("tài khoản mẫu"),
    _("Ban Thường vụ"),
    _("học tập, quán triệt"),
    _("Địa chí"),
    _("chương trình"),
)


def load_demo(password: str, progress: ProgressCallback | None = None) -> list[str]:
    """Load everything; returns a line per change made (empty on a second run).
    ``progress(step, len(DEMO_STEPS), name)`` is told as each step begins, and at the end."""
    changes: list[str] = []

    def step(number: int) -> None:
        if progress:
            total = len(DEMO_STEPS)
            progress(number, total, str(DEMO_STEPS[number]) if number < total else "")

    with transaction.atomic():
        loaders: tuple[tuple[Callable[[], Structure], str], ...] = (
            (load_current_structure, CURRENT_CODE),
            (load_2020_structure, STRUCTURE_2020_CODE),
            (load_agencies_structure, AGENCIES_CODE),
        )
        for number, (loader, label) in enumerate(loaders):
            step(number)
            existed = Unit.objects.filter(structure__code=label).exists()
            structure = loader()
            if not existed:
                changes.append(f"{structure.name}: {structure.units.count()} đơn vị")
        # The Ban Tuyên giáo that one persona works in is an advisory body under the province.
        ensure_propaganda_board()
        step(3)
        for persona in PERSONAS:
            user = User.objects.filter(username=persona.username).first()
            if user is None:
                user = do_create_user(
                    persona.username,
                    password=password,
                    first_name=persona.first_name,
                    last_name=persona.last_name,
                    acting_user=None,
                )
                changes.append(f"tài khoản {persona.username}")
            elif not user.check_password(password):
                do_set_password(user, password, acting_user=None)
                changes.append(f"mật khẩu {persona.username}")
            for structure_code, unit_code in persona.units:
                unit = Unit.objects.get(structure__code=structure_code, code=unit_code)
                if not user.memberships.filter(unit=unit, role=persona.role).exists():
                    do_grant_membership(user, unit, persona.role, acting_user=None)
                    changes.append(f"phân quyền {persona.username} tại {unit.name}")
        for unit_code, people in SAMPLE_PEOPLE.items():
            unit = Unit.objects.get(structure__code=STRUCTURE_2020_CODE, code=unit_code)
            if not unit.people.exists():
                for full_name, position in people:
                    do_add_person(
                        unit,
                        full_name=full_name,
                        position=position,
                        is_sample=True,
                        acting_user=None,
                    )
                changes.append(f"cán bộ minh họa của {unit.name}")
    # The Standing Board meeting of 29/10/2020 drafts, hears and issues the 2020 study plan;
    # the study demo then adds its sample conferences (and the 2025 draft plan).
    from tinhuy.meetings.demo import load_meetings_demo

    step(4)
    changes += load_meetings_demo()
    from tinhuy.study.demo import load_study_demo

    step(5)
    changes += load_study_demo()
    from tinhuy.gazetteer.demo import load_gazetteer_demo

    step(6)
    changes += load_gazetteer_demo()
    # The Decision 827 plan was built and heard by the meetings demo; this adds what came after
    # (the task still incomplete today), the Gazetteer programme and the delegations.
    from tinhuy.programs.demo import load_programmes_demo

    step(7)
    changes += load_programmes_demo()
    step(8)
    return changes
