"""A small state-agency structure (a province's people's committee and two departments, one
merged into the other) and a programme of the province with one field, one item and one task."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from tinhuy.org.actions import (
    LevelSpec,
    UnitSpec,
    do_add_person,
    do_create_structure,
    do_create_units,
    do_set_successors,
)
from tinhuy.org.models import Person, Unit, UnitKind
from tinhuy.programs import actions
from tinhuy.programs.models import FundingSource, Node, NodeKind, Programme


@dataclass
class Agencies:
    committee: Unit  # UBND tỉnh (sample)
    planning: Unit  # the department merged away
    finance: Unit  # its successor
    planning_head: Person
    finance_head: Person


@pytest.fixture
def agencies(db: None) -> Agencies:
    structure = do_create_structure(
        code="test-agencies",
        name="Cơ quan nhà nước (thử nghiệm)",
        levels=[LevelSpec("tinh", "Cấp tỉnh"), LevelSpec("so", "Sở, ngành")],
        acting_user=None,
    )
    committee, planning, finance = do_create_units(
        structure,
        [
            UnitSpec("UBND", "Ủy ban nhân dân tỉnh (thử nghiệm)", "tinh", UnitKind.AGENCY),
            UnitSpec("SKHDT", "Sở Kế hoạch và Đầu tư (thử nghiệm)", "so", UnitKind.AGENCY, "UBND"),
            UnitSpec("STC", "Sở Tài chính (thử nghiệm)", "so", UnitKind.AGENCY, "UBND"),
        ],
        acting_user=None,
    )
    do_set_successors(planning, [finance], acting_user=None)
    planning_head = do_add_person(planning, full_name="Nguyễn Văn Kế", acting_user=None)
    finance_head = do_add_person(finance, full_name="Trần Thị Tài", acting_user=None)
    return Agencies(committee, planning, finance, planning_head, finance_head)


@dataclass
class Plan:
    programme: Programme
    field: Node
    item: Node
    task: Node


@pytest.fixture
def plan(agencies: Agencies, units: Any, personas: Any) -> Plan:
    office = personas.province_office
    programme = actions.do_create_programme(
        actions.ProgrammeSpec(
            title="Kế hoạch thực hiện Quyết định 827/QĐ-TTg (thử nghiệm)",
            owner_unit=units.province_2020,
            source_decision="Quyết định 827/QĐ-TTg ngày 12/6/2020 của Thủ tướng Chính phủ",
            period_start=datetime.date(2020, 11, 1),
            period_end=datetime.date(2030, 12, 31),
            focal_agency=agencies.planning,
        ),
        acting_user=office,
    )
    field = actions.do_add_node(
        programme, actions.NodeSpec(NodeKind.FIELD, "Kinh tế"), acting_user=office
    )
    item = actions.do_add_node(
        programme,
        actions.NodeSpec(NodeKind.ITEM, "Hạ tầng giao thông", is_breakthrough=True),
        parent=field,
        acting_user=office,
    )
    task = actions.do_add_node(
        programme,
        actions.NodeSpec(
            NodeKind.TASK,
            "Lập quy hoạch mạng lưới giao thông",
            lead_unit=agencies.planning,
            responsible=agencies.planning_head,
            start_on=datetime.date(2021, 1, 1),
            due_on=datetime.date(2022, 12, 31),
        ),
        parent=item,
        acting_user=office,
    )
    actions.do_add_milestone(
        task, title="Trình phê duyệt", due_on=datetime.date(2022, 6, 30), acting_user=office
    )
    actions.do_add_budget_line(
        task,
        source=FundingSource.LOCAL_BUDGET,
        amount=Decimal(2_500_000_000),
        year=2021,
        acting_user=office,
    )
    return Plan(programme, field, item, task)
