"""An advisory body, its officer, Board members as named people, and a draft it submits."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest

from tinhuy.accounts.actions import do_create_user
from tinhuy.meetings import actions
from tinhuy.meetings.models import Draft, DraftKind
from tinhuy.org.actions import do_add_person, do_create_unit, do_grant_membership
from tinhuy.org.models import Person, Role, Unit, UnitKind

TEXT = "\n".join(
    [
        "KẾ HOẠCH",
        "Triển khai Đề án Địa chí Nghệ An trong bối cảnh đương đại (dữ liệu minh họa)",
        "",
        "I. MỤC ĐÍCH, YÊU CẦU",
        "1. Biên soạn khoa học, có hệ thống, có sử liệu.",
        "2. Số hóa để thuận tiện truy cập, tìm số liệu.",
        "3. Hằng năm cập nhật số liệu mới.",
    ]
)


@dataclass
class Board:
    body: Unit  # the advisory body that submits
    officer: Any  # its office officer (a user)
    members: list[Person]  # Board members, as the people the minutes name


@pytest.fixture
def board(units: Any) -> Board:
    body = do_create_unit(
        units.structure_2020,
        code="40-BTG",
        name="Ban Tuyên giáo Tỉnh ủy",
        level_code="huyen",
        kind=UnitKind.ADVISORY,
        parent=units.province_2020,
        is_sample=True,
        acting_user=None,
    )
    officer = do_create_user("bantuyengiao", password="x-9Kq!-Hong-Linh-2020", acting_user=None)
    do_grant_membership(officer, body, Role.OFFICE_OFFICER, acting_user=None)
    members = [
        do_add_person(
            units.province_2020, full_name=name, position="Ủy viên Ban Thường vụ", acting_user=None
        )
        for name in ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường")
    ]
    return Board(body, officer, members)


@pytest.fixture
def draft(board: Board, units: Any) -> Draft:
    return actions.do_create_draft(
        kind=DraftKind.TEXT,
        title="Kế hoạch triển khai Đề án Địa chí Nghệ An",
        doc_type="KH",
        submitting_unit=board.body,
        issuing_unit=units.province_2020,
        text=TEXT,
        acting_user=board.officer,
    )


@pytest.fixture
def meeting_day() -> datetime.date:
    return datetime.date(2020, 10, 29)
