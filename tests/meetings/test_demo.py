"""The demo's Standing Board meeting of 29/10/2020 (the source article): three items with the
article's conclusions, the study plan through opinions, a disposition table and a revised version
to its register number, the follow-ups on the right to-do lists, and a second run that changes
nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from tinhuy.audit.models import AuditEvent
from tinhuy.meetings import demo
from tinhuy.meetings.models import (
    AgendaItem,
    Disposition,
    DispositionKind,
    Draft,
    DraftKind,
    DraftState,
    DraftVersion,
    FollowUp,
    FollowUpState,
    Meeting,
    Opinion,
    Outcome,
)
from tinhuy.meetings.queries import (
    diff_plan_rules,
    disposition_rows,
    is_overdue,
    open_follow_ups,
)
from tinhuy.org.access import scope_for
from tinhuy.org.models import Person, Unit, UnitKind
from tinhuy.register.models import RegisterEntry
from tinhuy.study.demo import PLAN_2020_TITLE, load_study_demo
from tinhuy.study.models import PlanState

D = datetime.date

pytestmark = pytest.mark.django_db


def _meeting() -> Meeting:
    meeting = demo.demo_meeting()
    assert meeting is not None
    return meeting


def test_the_meeting_of_29_october_2020_presided_by_the_secretary(units: Any) -> None:
    meeting = _meeting()
    assert meeting.date == D(2020, 10, 29) and meeting.body == units.province_2020
    assert meeting.presiding is not None
    assert meeting.presiding.full_name == "Thái Thanh Quý"  # the article names him
    assert not meeting.presiding.is_sample and meeting.presiding.unit == units.province_2020
    attendance = list(meeting.attendance.select_related("person"))
    assert len(attendance) == len(demo.BOARD)
    others = [a.person for a in attendance if a.person != meeting.presiding]
    assert all(p.is_sample and "(minh họa)" in p.full_name for p in others)
    assert all(p.unit_id == units.province_2020.pk for p in others)
    absent = [a for a in attendance if not a.present]
    assert len(absent) == 1 and "minh họa" in absent[0].absence_reason


def test_three_items_with_the_articles_conclusions() -> None:
    items = demo.demo_items()
    assert [i.order for i in items] == [1, 2, 3]
    assert [i.draft.title for i in items] == [
        demo.DECISION_827_TITLE,
        PLAN_2020_TITLE,
        demo.GAZETTEER_TITLE,
    ]
    # The Decision 827 plan is a programme draft (tinhuy.programs.demo), the others as before.
    assert [i.draft.kind for i in items] == [
        DraftKind.PROGRAMME,
        DraftKind.STUDY_PLAN,
        DraftKind.TEXT,
    ]
    assert all(i.outcome == Outcome.APPROVED_AFTER_REVISION for i in items)
    decision_827, study, gazetteer = (i.conclusion for i in items)
    for phrase in (
        "lộ trình, thời gian và nguồn lực",
        "trọng tâm, trọng điểm, tính đột phá",
        "người phụ trách cụ thể",
        "Sở Kế hoạch và Đầu tư là cơ quan đầu mối",
        "cơ chế, chính sách đặc thù",
        "phân cấp, phân quyền",
    ):
        assert phrase in decision_827
    assert "tiếp thu, điều chỉnh" in study and "trực tuyến" in study
    for phrase in ("lộ trình, thời gian thực hiện", "khoa học, hợp lý", "số hóa", "hằng năm"):
        assert phrase in gazetteer
    assert "cung cấp thông tin cho người dân" in gazetteer


def test_sample_data_is_marked_and_labelled() -> None:
    items = demo.demo_items()
    assert _meeting().is_sample
    drafts = [i.draft for i in items]
    assert all(d.is_sample for d in drafts)
    assert "dự thảo minh họa" in drafts[2].text
    # The programme's version 1 is its text frozen from the programme, which says it is sample.
    v827 = drafts[0].versions.get()
    assert "dữ liệu minh họa" in v827.text and "(minh họa)" in v827.text
    opinions = Opinion.objects.filter(version__draft__in=drafts)
    assert opinions.count() == 8
    assert all(
        o.is_sample and "minh họa" in o.text and "minh họa" in o.author_name for o in opinions
    )
    assert all(
        "minh họa" in d.explanation for d in Disposition.objects.filter(opinion__in=opinions)
    )
    follow_ups = FollowUp.objects.filter(item__in=items)
    assert follow_ups.count() == 3
    assert all(f.is_sample and "(minh họa)" in f.what for f in follow_ups)


def test_the_advisory_body_is_an_agency_under_the_province(units: Any) -> None:
    body = Unit.objects.get(structure=units.structure_2020, code=demo.PROPAGANDA_CODE)
    assert (body.name, body.kind, body.parent) == (
        "Ban Tuyên giáo Tỉnh ủy Nghệ An",
        UnitKind.ADVISORY,
        units.province_2020,
    )
    items = demo.demo_items()
    assert [i.draft.submitting_unit for i in items] == [units.vinh, body, body]


def test_the_study_plan_draft_has_two_versions_and_a_disposition_table() -> None:
    draft = demo.demo_study_draft()
    assert draft is not None and draft.plan is not None
    v1, v2 = draft.versions.order_by("number")
    assert (v1.number, v2.number) == (1, 2)
    assert "- Học trực tuyến có điểm cầu: không" in v1.lines()
    assert "- Dự tại điểm cầu: Cấp huyện và tương đương" in v2.lines()
    assert [c.level_name for c in diff_plan_rules(v1, v2)] == ["Cấp tỉnh"]
    rows = list(disposition_rows(v1))
    assert len(rows) == 3 and v2.opinions.count() == 0
    kinds = {row.disposition.kind for row in rows}
    assert kinds == {DispositionKind.ACCEPTED, DispositionKind.PARTLY, DispositionKind.NOT_ACCEPTED}
    accepted = next(r for r in rows if r.disposition.kind == DispositionKind.ACCEPTED)
    assert accepted.disposition.revised_in == v2
    assert accepted.line_from is not None and accepted.quoted_text == (
        "- Học trực tuyến có điểm cầu: không"
    )
    assert all(r.disposition.explanation for r in rows if r.disposition.kind != "accepted")
    # The item heard version 1; the plan was issued from version 2.
    item = AgendaItem.objects.get(draft=draft)
    assert item.version == v1
    assert draft.issued_version == v2
    # Recorded as the 2020 process ran, not as the demo was loaded (local dates).
    local = [
        timezone.localtime(t).date() for t in (v1.submitted_at, item.concluded_at, v2.submitted_at)
    ]
    assert local[0] < item.meeting.date == local[1] < local[2] <= draft.plan.issued_on


def test_the_plan_is_issued_with_the_registers_number(plan_2020: Any) -> None:
    draft = Draft.objects.select_related("register_entry").get(plan=plan_2020)
    assert draft.state == DraftState.ISSUED and plan_2020.state == PlanState.ISSUED
    entry = draft.register_entry
    assert entry is not None
    assert plan_2020.number == entry.symbol == "01-KH/TU"
    assert entry.target == plan_2020 and entry.issued_on == plan_2020.issued_on == D(2020, 11, 3)
    # Its follow-up ("revise and submit for issue") is closed with the number.
    closed = FollowUp.objects.get(item__draft=draft)
    assert closed.state == FollowUpState.DONE and "01-KH/TU" in closed.closing_note
    # The other two drafts are being revised, not issued.
    others = Draft.objects.filter(items__meeting=_meeting()).exclude(pk=draft.pk)
    assert {d.state for d in others} == {DraftState.REVISING}
    assert not RegisterEntry.objects.filter(summary__in=[d.title for d in others]).exists()


def test_the_decision_827_opinions_wait_for_tp_vinh() -> None:
    item = demo.demo_items()[0]
    assert item.version.opinions.count() == 3
    assert item.version.opinions.filter(disposition__isnull=True).count() == 3
    # Two are anchored to lines of the text frozen from the programme, one to the whole draft.
    quoted = sorted(o.quoted_text for o in item.version.opinions.all())
    assert quoted[0] == ""
    assert quoted[1].startswith("Cơ quan đầu mối: Sở Kế hoạch và Đầu tư")
    assert quoted[2] == "NHIỆM VỤ, LỘ TRÌNH VÀ NGUỒN LỰC"


def test_tp_vinh_follow_up_is_on_vinhs_to_do_and_overdue(personas: Any, units: Any) -> None:
    vinh_todo = list(open_follow_ups(scope_for(personas.vinh_officer)))
    assert len(vinh_todo) == 1
    follow_up = vinh_todo[0]
    assert follow_up.lead_unit == units.vinh and follow_up.person.unit == units.vinh
    assert follow_up.person.full_name == "Đặng Văn Thành"  # tinhuy.demo.SAMPLE_PEOPLE
    assert follow_up.item.order == 1
    assert is_overdue(follow_up)  # due 31/12/2020, still open
    assert not is_overdue(follow_up, today=D(2020, 12, 31))
    assert list(open_follow_ups(scope_for(personas.nghiloc_officer))) == []
    # The office and the Board see both open follow-ups: TP Vinh's and the advisory body's.
    office = open_follow_ups(scope_for(personas.province_office))
    assert {f.lead_unit.code for f in office} == {"412", demo.PROPAGANDA_CODE}


def test_running_the_demo_again_changes_nothing() -> None:
    models = (
        Unit,
        Person,
        Meeting,
        AgendaItem,
        Draft,
        DraftVersion,
        Opinion,
        Disposition,
        FollowUp,
        RegisterEntry,
        AuditEvent,
    )
    before = [m.objects.count() for m in models]  # type: ignore[attr-defined]
    assert demo.load_meetings_demo() == []
    assert load_study_demo() == []
    assert [m.objects.count() for m in models] == before  # type: ignore[attr-defined]


def test_the_demo_rows_carry_the_dates_of_the_2020_story() -> None:
    """The opinions on a version submitted 26/10/2020 dated before the meeting of 29/10/2020,
    answered after it and before the revision; the drafts and the meeting made before; the
    follow-ups given at the meeting; the plan's number taken on its issue day."""

    def local(moment: datetime.datetime) -> datetime.date:
        return timezone.localtime(moment).date()

    meeting = _meeting()
    assert local(meeting.created_at) < meeting.date
    opinions = list(Opinion.objects.filter(version__draft__items__meeting=meeting))
    assert opinions
    for opinion in opinions:
        assert local(opinion.version.submitted_at) <= local(opinion.created_at) < meeting.date
    for draft in Draft.objects.filter(items__meeting=meeting):
        assert local(draft.created_at) < meeting.date
    dispositions = list(Disposition.objects.filter(opinion__version__draft__items__meeting=meeting))
    assert dispositions
    for disposition in dispositions:
        assert meeting.date < local(disposition.decided_at) < D(2020, 11, 2)
    for follow_up in FollowUp.objects.filter(item__meeting=meeting):
        assert local(follow_up.created_at) == meeting.date
    entry = RegisterEntry.objects.get(summary__icontains="học tập")
    assert local(entry.created_at) == entry.issued_on == demo.PLAN_ISSUED_ON
