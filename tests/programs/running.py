"""A running programme for the progress tests: the ``plan`` fixture's programme with a second
task led by TP Vinh, approved at a Board meeting (so it has a baseline) and with one quarterly
cycle open. The Nghi Lộc officer sees none of it; the Vinh officer sees Vinh's task only."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest

from tinhuy.meetings import actions as meetings
from tinhuy.meetings.models import Outcome
from tinhuy.org.actions import do_add_person
from tinhuy.programs import actions
from tinhuy.programs.models import Frequency, Node, NodeKind, Programme, ReportingCycle


@dataclass
class Running:
    programme: Programme
    task: Node  # led by the department of planning (province level)
    vinh_task: Node  # led by TP Vinh
    cycle: ReportingCycle  # Q1 2021, due 10/04/2021


def approve(programme: Programme, units: Any, personas: Any, board_body: Any) -> None:
    office = personas.province_office
    draft = actions.do_create_programme_draft(
        programme,
        submitting_unit=board_body,
        issuing_unit=units.province_2020,
        acting_user=office,
    )
    meetings.do_submit_version(draft, acting_user=office)
    meeting = meetings.do_create_meeting(
        body=units.province_2020, date=datetime.date(2020, 11, 20), acting_user=office
    )
    item = meetings.do_add_item(meeting, draft, acting_user=office)
    meetings.do_conclude(
        item, conclusion="Thống nhất thông qua.", outcome=Outcome.APPROVED, acting_user=office
    )
    meetings.do_issue_draft(
        draft,
        issued_on=datetime.date(2020, 11, 25),
        signer_name="Thái Thanh Quý",
        acting_user=office,
    )


@pytest.fixture(name="running")
def running_fixture(plan: Any, units: Any, personas: Any, agencies: Any) -> Running:
    office = personas.province_office
    vinh_person = do_add_person(units.vinh, full_name="Lê Văn Vinh", acting_user=None)
    vinh_task = actions.do_add_node(
        plan.programme,
        actions.NodeSpec(
            NodeKind.TASK,
            "Chỉnh trang đô thị <Vinh> & ven sông",
            lead_unit=units.vinh,
            responsible=vinh_person,
            start_on=datetime.date(2021, 1, 1),
            due_on=datetime.date(2021, 12, 31),
            staff=3,
        ),
        parent=plan.item,
        acting_user=office,
    )
    actions.do_add_milestone(
        vinh_task, title="Khởi công", due_on=datetime.date(2021, 6, 1), acting_user=office
    )
    actions.do_add_indicator(
        vinh_task,
        actions.IndicatorSpec(name="Tuyến phố chỉnh trang", unit_of_measure="tuyến"),
        acting_user=office,
    )
    approve(plan.programme, units, personas, agencies.committee)
    cycle = actions.do_open_cycle(
        plan.programme,
        frequency=Frequency.QUARTERLY,
        period_start=datetime.date(2021, 1, 1),
        period_end=datetime.date(2021, 3, 31),
        due_on=datetime.date(2021, 4, 10),
        acting_user=office,
    )
    programme = Programme.objects.get(pk=plan.programme.pk)
    return Running(programme, plan.task, vinh_task, cycle)
