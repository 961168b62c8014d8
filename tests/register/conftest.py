"""Registers for the register tests, built through the actions.

- ``tu``: the demo's Tỉnh ủy register (2020 structure, symbol TU), terms 2015–2020 and
  2020–2025; the demo's 2020 study plan holds 01-KH/TU.
- ``vinh_body``: the Thành ủy Vinh's register (symbol TU), kept by the Vinh officer, unseen by
  the Nghi Lộc officer.
- ``state_body``: a state body numbering per calendar year ("Số: 123/QĐ-UBND").
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from tests.conftest import Personas, Units
from tinhuy.register.actions import do_create_issuing_body, do_issue, do_open_period
from tinhuy.register.models import IssuingBody, RegisterEntry, Scheme

D = datetime.date
AFTER_THE_DEMO_PLAN = D(2020, 11, 10)  # in the 2020–2025 term, a week after 01-KH/TU


@pytest.fixture
def tu(units: Units) -> IssuingBody:
    return IssuingBody.objects.select_related("unit").get(unit=units.province_2020)


@pytest.fixture
def vinh_body(units: Units, personas: Personas) -> IssuingBody:
    body = do_create_issuing_body(
        units.vinh,
        symbol="TU",
        superior_name="ĐẢNG BỘ TỈNH NGHỆ AN",
        name="THÀNH ỦY VINH",
        place="Vinh",
        acting_user=personas.province_office,
    )
    do_open_period(
        body,
        label="Nhiệm kỳ 2020–2025",
        starts_on=D(2020, 8, 1),
        ends_on=D(2025, 7, 31),
        acting_user=personas.province_office,
    )
    return body


@pytest.fixture
def state_body(units: Units, personas: Personas) -> IssuingBody:
    body = do_create_issuing_body(
        units.vinh_grassroots,
        symbol="UBND",
        superior_name="ỦY BAN NHÂN DÂN THÀNH PHỐ VINH",
        name="ỦY BAN NHÂN DÂN",
        place="Vinh",
        scheme=Scheme.STATE,
        acting_user=personas.province_office,
    )
    for year in (2024, 2025):
        do_open_period(
            body,
            label=f"Năm {year}",
            starts_on=D(year, 1, 1),
            ends_on=D(year, 12, 31),
            acting_user=personas.province_office,
        )
    return body


def issue(
    body: IssuingBody, doc_type: str = "KH", on: datetime.date = AFTER_THE_DEMO_PLAN, **kwargs: Any
) -> RegisterEntry:
    """Give a number with sample signer details; ``kwargs`` override them."""
    values: dict[str, Any] = {
        "issued_on": on,
        "summary": "Kế hoạch thử nghiệm",
        "signer_name": "Người ký thử nghiệm",
        "signer_position": "BÍ THƯ",
        "authority": "T/M BAN THƯỜNG VỤ",
        "acting_user": None,
    }
    values.update(kwargs)
    return do_issue(body, doc_type, **values)
