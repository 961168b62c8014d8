"""The objects the authorisation matrix asks for: for each kind, one INSIDE the Vinh officer's
scope (Đảng bộ thành phố Vinh's subtree of the 2020 structure, or something that belongs to it)
and one OUTSIDE it (Nghi Lộc's where the kind belongs to a unit, else something the Vinh officer
cannot see at all), taken from the demo or made here through the apps' actions.

Everything made here carries a distinctive title (``World.titles``): leak sentinels, the Nghi Lộc
ones for the Vinh officer's answers and the Vinh ones for the Nghi Lộc officer's.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from tinhuy.accounts.actions import do_create_api_token
from tinhuy.gazetteer.actions import EntrySpec, do_save_entry
from tinhuy.gazetteer.models import Chapter, Edition, EditionEntry, Entry, EntryKind, Indicator
from tinhuy.meetings import actions as meetings
from tinhuy.meetings.models import Draft, DraftKind, Outcome
from tinhuy.org.loaders import CURRENT_CODE, STRUCTURE_2020_CODE
from tinhuy.org.models import Person, Structure, Unit
from tinhuy.programs import actions as programs
from tinhuy.programs.models import (
    DelegationKind,
    Frequency,
    FundingSource,
    NodeKind,
    NodeStatus,
    Programme,
)
from tinhuy.register.actions import do_create_issuing_body, do_issue, do_open_period
from tinhuy.study.actions import InviteeSpec, do_add_invitees
from tinhuy.study.demo import PLAN_2020_TITLE, PLAN_2025_TITLE
from tinhuy.study.models import Conference, Plan

D = datetime.date

# Distinctive titles of what is made for each side ("Zeta"/"Omega" never occur in the demo).
VINH_TAG = "Zeta Vinh"
NGHILOC_TAG = "Omega Nghi Lộc"


@dataclass
class World:
    inside: dict[str, Any]
    outside: dict[str, Any]
    shared: dict[str, Any]  # a province programme with a task of each district (see below)
    titles: dict[str, list[str]]  # "vinh"/"nghiloc" → titles of what was made for it
    users: dict[str, Any]
    units: dict[str, Unit]


def _titles(tag: str) -> list[str]:
    """The titles of what ``build_world`` makes for one side (leak sentinels for the other)."""
    return [
        f"Dự thảo kế hoạch {tag}",
        f"Ý kiến về dự thảo {tag}",
        f"Phiên họp {tag}",
        f"Việc giao {tag}",
        f"Chương trình hành động {tag}",
        f"Nhiệm vụ {tag}",
        f"Phân cấp {tag}",
        f"Văn bản {tag}",
        f"Khách mời {tag}",
        f"Mã {tag}",
        f"THÀNH ỦY {tag}".upper(),
        f"Nhiệm vụ chung {tag}",
        f"Mốc chung {tag}",
        f"Báo cáo chung {tag}",
    ]


def _user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def _unit(structure_code: str, code: str) -> Unit:
    return Unit.objects.select_related("structure", "level").get(
        structure__code=structure_code, code=code
    )


def _person(unit: Unit) -> Person:
    person = Person.objects.filter(unit=unit).order_by("pk").first()
    assert person is not None, f"the demo gives {unit.name} a sample person"
    return person


def _draft_with_opinion(
    unit: Unit, tag: str, officer: Any, board_member: Any
) -> tuple[Draft, Any, Any]:
    """A text draft the unit submits to its own committee, version 1 submitted, an opinion of a
    Board member on it and an attachment."""
    draft = meetings.do_create_draft(
        kind=DraftKind.TEXT,
        title=f"Dự thảo kế hoạch {tag}",
        doc_type="KH",
        submitting_unit=unit,
        issuing_unit=unit,
        text=f"KẾ HOẠCH\nDự thảo {tag}\n1. Mục đích.\n2. Yêu cầu.",
        acting_user=officer,
    )
    attachment = meetings.do_attach(
        draft,
        name=f"tai-lieu-{tag.split()[0].lower()}.txt",
        content=f"Tài liệu {tag}".encode(),
        content_type="text/plain",
        acting_user=officer,
    )
    version = meetings.do_submit_version(draft, note=f"Trình {tag}", acting_user=officer)
    opinion = meetings.do_give_opinion(
        version, text=f"Ý kiến về dự thảo {tag}", line_from=2, line_to=2, acting_user=board_member
    )
    return draft, opinion, attachment


def _meeting(unit: Unit, draft: Draft, tag: str, office: Any) -> dict[str, Any]:
    """A Standing Board session of the unit's committee that hears the draft, concludes it and
    gives the unit a follow-up."""
    meeting = meetings.do_create_meeting(
        body=unit, date=D(2020, 11, 5), title=f"Phiên họp {tag}", acting_user=office
    )
    item = meetings.do_add_item(meeting, draft, acting_user=office)
    meetings.do_conclude(
        item,
        conclusion=f"Kết luận {tag}.",
        outcome=Outcome.APPROVED_AFTER_REVISION,
        follow_ups=[
            meetings.FollowUpSpec(f"Việc giao {tag}", unit, _person(unit), D(2020, 12, 31))
        ],
        acting_user=office,
    )
    follow_up = item.follow_ups.get()
    return {"meeting_id": meeting.pk, "item_id": item.pk, "follow_up_id": follow_up.pk}


def _programme(unit: Unit, tag: str, officer: Any, office: Any, province: Unit) -> dict[str, Any]:
    """A programme the unit owns, with a task it leads, approved at a province Board meeting,
    with an open quarterly cycle, a report on the task and a file attached to it."""
    programme = programs.do_create_programme(
        programs.ProgrammeSpec(
            title=f"Chương trình hành động {tag}",
            owner_unit=unit,
            period_start=D(2020, 11, 1),
            period_end=D(2025, 12, 31),
            focal_agency=unit,  # the unit's own office co-ordinates (it sees no state agency)
        ),
        acting_user=officer,
    )
    field_node = programs.do_add_node(
        programme, programs.NodeSpec(NodeKind.FIELD, f"Lĩnh vực {tag}"), acting_user=officer
    )
    task = programs.do_add_node(
        programme,
        programs.NodeSpec(
            NodeKind.TASK,
            f"Nhiệm vụ {tag}",
            lead_unit=unit,
            responsible=_person(unit),
            start_on=D(2021, 1, 1),
            due_on=D(2021, 12, 31),
            staff=2,
        ),
        parent=field_node,
        acting_user=officer,
    )
    programs.do_add_milestone(task, title=f"Mốc {tag}", due_on=D(2021, 6, 1), acting_user=officer)
    programs.do_add_budget_line(
        task,
        source=FundingSource.LOCAL_BUDGET,
        amount=Decimal(1_000_000),
        year=2021,
        acting_user=officer,
    )
    _approve(programme, province, office)
    cycle = programs.do_open_cycle(
        Programme.objects.get(pk=programme.pk),
        frequency=Frequency.QUARTERLY,
        period_start=D(2021, 1, 1),
        period_end=D(2021, 3, 31),
        due_on=D(2021, 4, 10),
        acting_user=office,
    )
    report = programs.do_report(
        task,
        cycle,
        programs.ReportSpec(NodeStatus.ON_TRACK, 20, narrative=f"Báo cáo {tag}"),
        acting_user=officer,
    )
    attachment = programs.do_attach_to_report(
        report,
        name="bao-cao.txt",
        content=f"Báo cáo {tag}".encode(),
        content_type="text/plain",
        acting_user=officer,
    )
    children = list(Unit.objects.filter(parent=unit).order_by("code")[:1])
    delegation = programs.do_create_delegation(
        programs.DelegationSpec(
            DelegationKind.DELEGATION,
            f"Phân cấp {tag}",
            from_unit=unit,
            to_unit=children[0],
            programme=programme,
        ),
        acting_user=officer,
    )
    return {
        "programme_id": programme.pk,
        "node_id": task.pk,
        "cycle_id": cycle.pk,
        "report_attachment_id": attachment.pk,
        "delegation_id": delegation.pk,
    }


def _approve(programme: Programme, province: Unit, office: Any) -> None:
    """Heard and approved at a province Board meeting, then issued through its register."""
    draft = programs.do_create_programme_draft(
        programme, submitting_unit=province, issuing_unit=province, acting_user=office
    )
    meetings.do_submit_version(draft, acting_user=office)
    meeting = meetings.do_create_meeting(body=province, date=D(2020, 11, 20), acting_user=office)
    item = meetings.do_add_item(meeting, draft, acting_user=office)
    meetings.do_conclude(
        item, conclusion="Thống nhất thông qua.", outcome=Outcome.APPROVED, acting_user=office
    )
    meetings.do_issue_draft(
        draft, issued_on=D(2020, 11, 25), signer_name="Người ký thử nghiệm", acting_user=office
    )


def _shared_programme(
    province: Unit, sides: tuple[tuple[Unit, str, Any], ...], office: Any
) -> dict[str, Any]:
    """A province programme with one field and, in it, a task led by each district, each
    reported on by its officer: each district sees the programme with its own branch only, so
    the other's task, milestone and report are leak sentinels on the same pages."""
    programme = programs.do_create_programme(
        programs.ProgrammeSpec(
            title="Chương trình chung của tỉnh (thử nghiệm)",
            owner_unit=province,
            period_start=D(2020, 11, 1),
            period_end=D(2025, 12, 31),
            focal_agency=province,
        ),
        acting_user=office,
    )
    field_node = programs.do_add_node(
        programme, programs.NodeSpec(NodeKind.FIELD, "Lĩnh vực chung"), acting_user=office
    )
    tasks = []
    for unit, tag, _officer in sides:
        task = programs.do_add_node(
            programme,
            programs.NodeSpec(
                NodeKind.TASK,
                f"Nhiệm vụ chung {tag}",
                lead_unit=unit,
                responsible=_person(unit),
                start_on=D(2021, 1, 1),
                due_on=D(2021, 12, 31),
                staff=1,
            ),
            parent=field_node,
            acting_user=office,
        )
        programs.do_add_milestone(
            task, title=f"Mốc chung {tag}", due_on=D(2021, 6, 1), acting_user=office
        )
        tasks.append(task)
    _approve(programme, province, office)
    cycle = programs.do_open_cycle(
        Programme.objects.get(pk=programme.pk),
        frequency=Frequency.QUARTERLY,
        period_start=D(2021, 1, 1),
        period_end=D(2021, 3, 31),
        due_on=D(2021, 4, 10),
        acting_user=office,
    )
    for task, (_unit, tag, officer) in zip(tasks, sides, strict=True):
        programs.do_report(
            task,
            cycle,
            programs.ReportSpec(NodeStatus.ON_TRACK, 10, narrative=f"Báo cáo chung {tag}"),
            acting_user=officer,
        )
    return {"programme_id": programme.pk, "node_id": tasks[0].pk, "cycle_id": cycle.pk}


def _register(unit: Unit, tag: str, office: Any) -> dict[str, Any]:
    body = do_create_issuing_body(
        unit,
        symbol="TU",
        superior_name="ĐẢNG BỘ TỈNH NGHỆ AN",
        name=f"THÀNH ỦY {tag}".upper(),
        place="Nghệ An",
        acting_user=office,
    )
    period = do_open_period(
        body, label="Nhiệm kỳ 2020–2025", starts_on=D(2020, 8, 1), acting_user=office
    )
    entry = do_issue(
        body,
        "KH",
        issued_on=D(2020, 11, 10),
        summary=f"Văn bản {tag}",
        signer_name="Người ký thử nghiệm",
        signer_position="BÍ THƯ",
        authority="T/M BAN THƯỜNG VỤ",
        acting_user=office,
    )
    return {"body_id": body.pk, "entry_id": entry.pk, "period_id": period.pk}


def _conference(plan: Plan, unit: Unit, tag: str, officer: Any) -> dict[str, Any]:
    # One not reported yet: a reported or cancelled registration has no edit page at all.
    conference = (
        Conference.objects.filter(
            plan=plan, host__path__startswith=unit.path, cancelled_at=None, reports=None
        )
        .order_by("pk")
        .first()
    )
    assert conference is not None, f"the study demo registers a conference under {unit.name}"
    (invitee,) = do_add_invitees(
        conference, [InviteeSpec(row=None, full_name=f"Khách mời {tag}")], acting_user=officer
    )
    return {"conference_id": conference.pk, "token": invitee.token}


def build_world() -> World:
    """Make the objects (inside an enclosing transaction the caller rolls back)."""
    users = {
        "province_office": _user("vanphong"),
        "vinh_officer": _user("vinh"),
        "nghiloc_officer": _user("nghiloc"),
        "board_member": _user("btv"),
        "editor": _user("bientap"),
    }
    office = users["province_office"]
    province = _unit(STRUCTURE_2020_CODE, "40")
    vinh = _unit(STRUCTURE_2020_CODE, "412")
    nghiloc = _unit(STRUCTURE_2020_CODE, "429")
    plan_2020 = Plan.objects.get(title=PLAN_2020_TITLE)
    plan_2025 = Plan.objects.get(title=PLAN_2025_TITLE)

    sides: dict[str, dict[str, Any]] = {}
    for side, unit, tag, officer in (
        ("inside", vinh, VINH_TAG, users["vinh_officer"]),
        ("outside", nghiloc, NGHILOC_TAG, users["nghiloc_officer"]),
    ):
        draft, opinion, attachment = _draft_with_opinion(unit, tag, officer, users["board_member"])
        values: dict[str, Any] = {
            "unit_id": unit.pk,
            "unit_name": unit.name,
            "person_id": _person(unit).pk,
            "draft_id": draft.pk,
            "number": 1,
            "opinion_id": opinion.pk,
            "attachment_id": attachment.pk,
        }
        values |= _meeting(unit, draft, tag, office)
        values |= _programme(unit, tag, officer, office, province)
        values |= _register(unit, tag, office)
        values |= _conference(plan_2020, unit, tag, officer)
        token, _secret = do_create_api_token(officer, name=f"Mã {tag}", acting_user=officer)
        values["token_id"] = token.pk  # the officer's own API token
        sides[side] = values

    # Kinds that belong to no district: the Vinh officer sees the 2020 structure and its plan;
    # the 2025 structure and its draft plan are outside his scope (for Nghi Lộc's officer too).
    sides["inside"] |= {
        "structure_id": Structure.objects.get(code=STRUCTURE_2020_CODE).pk,
        "plan_id": plan_2020.pk,
        "topic_id": plan_2020.topics.order_by("order").first().pk,  # type: ignore[union-attr]
        "level_code": "huyen",
    }
    sides["outside"] |= {
        "structure_id": Structure.objects.get(code=CURRENT_CODE).pk,
        "plan_id": plan_2025.pk,
        "topic_id": plan_2025.topics.order_by("order").first().pk,  # type: ignore[union-attr]
        "level_code": "xa",
    }

    # The gazetteer is public: INSIDE is what it publishes; OUTSIDE, for an entry, a working
    # copy never published (no page may show it, as if it did not exist).
    edition = Edition.objects.order_by("-year").first()
    assert edition is not None, "the gazetteer demo publishes an edition"
    published = (
        EditionEntry.objects.filter(edition=edition)
        .select_related("entry")
        .order_by("entry__slug")
        .first()
    )
    assert published is not None
    unpublished = do_save_entry(
        EntrySpec(
            slug="muc-nhap-omega",
            title="Mục nháp Omega chưa công bố",
            kind=EntryKind.values[0],
            chapter=Chapter.objects.order_by("path").first(),  # type: ignore[arg-type]
            body="Nội dung nháp Omega.",
        ),
        acting_user=users["editor"],
    )
    assert not EditionEntry.objects.filter(entry=unpublished).exists()
    chapter_path = (
        Chapter.objects.filter(pk=published.entry.chapter_id).values_list("path", flat=True).get()
    )
    indicator = Indicator.objects.order_by("code").first()
    assert indicator is not None
    sides["inside"] |= {
        "slug": published.entry.slug,
        "year": edition.year,
        "chapter": chapter_path,
        "code": indicator.code,
        "place_code": "412",
    }
    sides["outside"] |= {"slug": unpublished.slug}
    assert Entry.objects.filter(slug=unpublished.slug).exists()

    shared = _shared_programme(
        province,
        (
            (vinh, VINH_TAG, users["vinh_officer"]),
            (nghiloc, NGHILOC_TAG, users["nghiloc_officer"]),
        ),
        office,
    )
    return World(
        inside=sides["inside"],
        outside=sides["outside"],
        shared=shared,
        titles={"vinh": _titles(VINH_TAG), "nghiloc": _titles(NGHILOC_TAG)},
        users=users,
        units={"province": province, "vinh": vinh, "nghiloc": nghiloc},
    )
