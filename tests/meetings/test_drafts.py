"""Drafts through a meeting: versions, opinions, dispositions, conclusions, follow-ups."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tinhuy.audit.models import AuditEvent
from tinhuy.meetings import access, actions, queries
from tinhuy.meetings.actions import FollowUpSpec, MemberSpec
from tinhuy.meetings.models import (
    DispositionKind,
    Draft,
    DraftKind,
    DraftState,
    FollowUp,
    FollowUpState,
    MeetingState,
    Opinion,
    Outcome,
    number_lines,
)
from tinhuy.org.access import scope_for
from tinhuy.org.actions import do_add_person
from tinhuy.study.actions import RuleSpec, do_amend_rule, do_create_plan

from .conftest import Board

pytestmark = pytest.mark.django_db


def _on_agenda(draft: Draft, board: Board, personas: Any, units: Any) -> Any:
    version = actions.do_submit_version(draft, acting_user=board.officer)
    meeting = actions.do_create_meeting(
        body=units.province_2020,
        date=datetime.date(2020, 10, 29),
        presiding=board.members[0],
        members=[
            MemberSpec(board.members[0]),
            MemberSpec(board.members[1]),
            MemberSpec(board.members[2], present=False, absence_reason="Đi công tác"),
        ],
        acting_user=personas.province_office,
    )
    item = actions.do_add_item(meeting, draft, acting_user=personas.province_office)
    return version, meeting, item


def test_lines_are_wrapped_and_numbered_once() -> None:
    long = "Chữ " * 40
    lines = number_lines(f"Tiêu đề\n\n{long}\n", width=30)
    assert lines[0] == "Tiêu đề" and lines[1] == ""
    assert all(len(line) <= 30 for line in lines)
    assert " ".join(lines[2:]) == long.strip()


def test_a_draft_goes_through_opinions_dispositions_and_a_second_version(
    draft: Draft, board: Board, personas: Any, units: Any
) -> None:
    v1, meeting, item = _on_agenda(draft, board, personas, units)
    assert v1.number == 1 and item.version == v1 and item.order == 1
    assert draft.versions.get().text == v1.text
    anchored = actions.do_give_opinion(
        v1,
        text="Bổ sung yêu cầu công khai cho Nhân dân.",
        line_from=6,
        line_to=7,
        proposed_text="2. Số hóa, công khai để Nhân dân truy cập, tìm số liệu.",
        acting_user=personas.board_member,
    )
    general = actions.do_give_opinion(
        v1, text="Nêu rõ lộ trình, thời gian.", acting_user=personas.board_member
    )
    assert (
        anchored.quoted_text
        == "2. Số hóa để thuận tiện truy cập, tìm số liệu.\n3. Hằng năm cập nhật số liệu mới."
    )
    assert anchored.author_name == "Phạm Văn Hùng"  # Vietnamese order: family name first

    with pytest.raises(ValidationError, match="2 ý kiến góp ý vào lần trình 1 chưa được"):
        actions.do_submit_version(draft, acting_user=board.officer)
    with pytest.raises(ValidationError, match="hãy ghi giải trình"):
        actions.do_dispose(anchored, kind=DispositionKind.PARTLY, acting_user=board.officer)
    actions.do_dispose(
        anchored,
        kind=DispositionKind.PARTLY,
        explanation="Tiếp thu ý công khai; giữ cách viết ngắn.",
        acting_user=board.officer,
    )
    actions.do_dispose(general, kind=DispositionKind.ACCEPTED, acting_user=board.officer)
    draft.refresh_from_db()
    assert draft.state == DraftState.REVISING

    actions.do_save_text(
        draft,
        text=v1.text.replace("2. Số hóa để", "2. Số hóa, công khai để Nhân dân"),
        acting_user=board.officer,
    )
    v2 = actions.do_submit_version(draft, note="Tiếp thu ý kiến", acting_user=board.officer)
    assert v2.number == 2
    anchored.refresh_from_db()
    assert anchored.disposition.revised_in == v2
    # Version 1 is closed: no more opinions on it, its dispositions are kept as they are.
    with pytest.raises(ValidationError, match="đã được thay bằng lần trình 2"):
        actions.do_give_opinion(v1, text="Muộn.", acting_user=personas.board_member)
    with pytest.raises(ValidationError, match="đã khép lại"):
        actions.do_dispose(
            general, kind=DispositionKind.NOT_ACCEPTED, explanation="…", acting_user=board.officer
        )

    diff = queries.diff_versions(v1, v2)
    assert [(d.kind, d.old_number, d.new_number) for d in diff if d.kind != "same"] == [
        ("removed", 6, None),
        ("added", None, 6),
    ]
    table = list(queries.disposition_rows(v1))
    assert [o.disposition.kind for o in table] == [
        "accepted",
        "partly",
    ]  # general first, then line order
    versions = list(queries.draft_versions(draft))
    assert [(v.opinion_count, v.unanswered_count) for v in versions] == [(2, 0), (0, 0)]
    actions_logged = set(
        AuditEvent.objects.filter(
            target_id=str(draft.pk), target_type="meetings.Draft"
        ).values_list("action", flat=True)
    )
    assert {
        "draft.create",
        "draft.submit",
        "draft.opinion",
        "draft.disposition",
        "draft.text",
    } <= actions_logged
    assert meeting.state == MeetingState.PLANNED


@pytest.mark.parametrize(
    ("line_from", "line_to", "message"),
    [
        (5, 99, "Dòng 5–99 ở ngoài văn bản: lần trình 1 có 7 dòng"),
        (4, 3, r"Dòng bắt đầu \(4\) ở sau dòng kết thúc \(3\)"),
        (0, 1, "Dòng 0–1 ở ngoài văn bản"),
        (2, None, "cả dòng bắt đầu và dòng kết thúc"),
    ],
)
def test_a_line_range_outside_the_text_is_refused(
    draft: Draft,
    board: Board,
    personas: Any,
    units: Any,
    line_from: int,
    line_to: int | None,
    message: str,
) -> None:
    v1, _meeting, _item = _on_agenda(draft, board, personas, units)
    with pytest.raises(ValidationError, match=message):
        actions.do_give_opinion(
            v1,
            text="Ý kiến",
            line_from=line_from,
            line_to=line_to,
            acting_user=personas.board_member,
        )
    assert not Opinion.objects.filter(version=v1).exists()


def test_a_conclusion_with_an_incomplete_follow_up_writes_nothing(
    draft: Draft, board: Board, personas: Any, units: Any
) -> None:
    _v1, _meeting, item = _on_agenda(draft, board, personas, units)
    secretary_vinh = units.vinh.people.first()
    for spec, message in [
        (
            FollowUpSpec("Hoàn thiện kế hoạch", units.vinh, None, datetime.date(2020, 11, 15)),
            "người phụ trách",
        ),
        (FollowUpSpec("Hoàn thiện kế hoạch", units.vinh, secretary_vinh, None), "hạn hoàn thành"),
        (
            FollowUpSpec("Hoàn thiện kế hoạch", None, secretary_vinh, datetime.date(2020, 11, 15)),
            "đơn vị chủ trì",
        ),
        (
            FollowUpSpec("  ", units.vinh, secretary_vinh, datetime.date(2020, 11, 15)),
            "cần có nội dung",
        ),
        (
            FollowUpSpec(
                "Hoàn thiện kế hoạch", units.nghiloc, secretary_vinh, datetime.date(2020, 11, 15)
            ),
            "không thuộc đơn vị chủ trì",
        ),
    ]:
        with pytest.raises(ValidationError, match=message):
            actions.do_conclude(
                item,
                conclusion="Thống nhất.",
                outcome=Outcome.APPROVED_AFTER_REVISION,
                follow_ups=[spec],
                acting_user=personas.province_office,
            )
    item.refresh_from_db()
    assert item.concluded_at is None and not FollowUp.objects.filter(item=item).exists()
    draft.refresh_from_db()
    assert draft.state == DraftState.SUBMITTED


def test_a_follow_up_is_on_the_lead_units_to_do_list_and_goes_overdue(
    draft: Draft, board: Board, personas: Any, units: Any
) -> None:
    _v1, meeting, item = _on_agenda(draft, board, personas, units)
    secretary_vinh = units.vinh.people.first()
    actions.do_conclude(
        item,
        conclusion="Thống nhất chủ trương; giao tiếp thu, hoàn chỉnh.",
        outcome=Outcome.APPROVED_AFTER_REVISION,
        follow_ups=[
            FollowUpSpec(
                "Rà soát số liệu TP Vinh", units.vinh, secretary_vinh, datetime.date(2020, 11, 30)
            )
        ],
        acting_user=personas.province_office,
    )
    meeting.refresh_from_db()
    draft.refresh_from_db()
    assert meeting.state == MeetingState.HELD and draft.state == DraftState.REVISING
    with pytest.raises(ValidationError, match="đã có kết luận"):
        actions.do_conclude(
            item, conclusion="Lại.", outcome=Outcome.APPROVED, acting_user=personas.province_office
        )

    follow_up = FollowUp.objects.get(item=item)
    vinh = list(queries.open_follow_ups(scope_for(personas.vinh_officer)).filter(item=item))
    assert vinh == [follow_up]
    assert not queries.open_follow_ups(scope_for(personas.nghiloc_officer)).filter(item=item)
    assert not queries.is_overdue(follow_up, datetime.date(2020, 11, 30))
    assert queries.is_overdue(follow_up, datetime.date(2020, 12, 1))
    with pytest.raises(Http404):
        access.get_follow_up_for_user(personas.nghiloc_officer, follow_up.pk)
    seen = access.get_follow_up_for_user(personas.vinh_officer, follow_up.pk)
    access.check_can_close(personas.vinh_officer, seen)
    with pytest.raises(PermissionDenied):
        access.check_can_close(personas.board_member, seen)
    with pytest.raises(ValidationError, match="ghi kết quả thực hiện"):
        actions.do_close_follow_up(seen, note=" ", acting_user=personas.vinh_officer)
    closed = actions.do_close_follow_up(
        seen, note="Đã rà soát, gửi Ban Tuyên giáo.", acting_user=personas.vinh_officer
    )
    assert closed.state == FollowUpState.DONE and not queries.is_overdue(
        closed, datetime.date(2021, 1, 1)
    )
    assert not queries.open_follow_ups(scope_for(personas.vinh_officer)).filter(item=item)


def test_who_sees_and_does_what(draft: Draft, board: Board, personas: Any, units: Any) -> None:
    v1, _meeting, _item = _on_agenda(draft, board, personas, units)
    for user in (personas.province_office, personas.board_member, board.officer):
        assert access.get_draft_for_user(user, draft.pk) == draft
    for user in (
        personas.vinh_officer,
        personas.nghiloc_officer,
        personas.editor,
        personas.citizen,
    ):
        with pytest.raises(Http404):
            access.get_draft_for_user(user, draft.pk)
    # Opinions are the Board's; dispositions the submitting body's — not even the office's.
    access.check_can_opine(personas.board_member, draft)
    for user in (board.officer, personas.province_office):
        with pytest.raises(PermissionDenied):
            access.check_can_opine(user, draft)
    access.check_can_dispose(board.officer, draft)
    for user in (personas.province_office, personas.board_member):
        with pytest.raises(PermissionDenied):
            access.check_can_dispose(user, draft)
    access.check_runs_meetings(personas.province_office)
    with pytest.raises(PermissionDenied):
        access.check_runs_meetings(personas.board_member)
    opinion = actions.do_give_opinion(v1, text="Ý kiến", acting_user=personas.board_member)
    with pytest.raises(Http404):
        access.get_opinion_for_user(personas.vinh_officer, opinion.pk)
    assert access.get_opinion_for_user(board.officer, opinion.pk) == opinion


def test_a_meeting_needs_a_reason_for_each_absence(board: Board, personas: Any, units: Any) -> None:
    with pytest.raises(ValidationError, match="vắng: hãy ghi lý do"):
        actions.do_create_meeting(
            body=units.province_2020,
            date=datetime.date(2020, 10, 29),
            members=[MemberSpec(board.members[0], present=False)],
            acting_user=personas.province_office,
        )
    with pytest.raises(ValidationError, match="có tên hai lần"):
        actions.do_create_meeting(
            body=units.province_2020,
            date=datetime.date(2020, 10, 29),
            members=[MemberSpec(board.members[0]), MemberSpec(board.members[0])],
            acting_user=personas.province_office,
        )


def test_a_plan_draft_freezes_its_rules_and_versions_compare_them(
    board: Board, personas: Any, units: Any
) -> None:
    plan = do_create_plan(
        structure=units.structure_2020,
        title="Kế hoạch học tập Nghị quyết (dự thảo minh họa)",
        source_document="Nghị quyết Đại hội đại biểu Đảng bộ tỉnh Nghệ An lần thứ XIX",
        topics=["Chuyên đề 1", "Chuyên đề 2"],
        rules=[
            RuleSpec(
                "tinh",
                "Cán bộ chủ chốt",
                2,
                datetime.date(2020, 11, 1),
                datetime.date(2020, 11, 30),
            ),
            RuleSpec(
                "huyen",
                "Cán bộ cốt cán",
                2,
                datetime.date(2020, 11, 1),
                datetime.date(2020, 12, 30),
            ),
        ],
        issuing_unit=units.province_2020,
        acting_user=personas.province_office,
    )
    draft = actions.do_create_draft(
        kind=DraftKind.STUDY_PLAN,
        title=plan.title,
        doc_type="KH",
        submitting_unit=board.body,
        issuing_unit=units.province_2020,
        plan=plan,
        acting_user=board.officer,
    )
    v1 = actions.do_submit_version(draft, acting_user=board.officer)
    assert "- Thời gian: từ 01/11/2020, hoàn thành trước 30/12/2020" in v1.lines()
    with pytest.raises(ValidationError, match="soạn ở các trang của kế hoạch"):
        actions.do_save_text(draft, text="…", acting_user=board.officer)
    opinion = actions.do_give_opinion(
        v1, text="Cấp huyện xong trước 25/12.", acting_user=personas.board_member
    )
    actions.do_dispose(opinion, kind=DispositionKind.ACCEPTED, acting_user=board.officer)
    do_amend_rule(
        plan.rules.get(level__code="huyen"),
        deadline=datetime.date(2020, 12, 25),
        acting_user=personas.province_office,
    )
    v2 = actions.do_submit_version(draft, acting_user=board.officer)
    (change,) = queries.diff_plan_rules(v1, v2)
    assert (change.kind, change.level_name) == ("changed", "Cấp huyện và tương đương")
    assert "- Thời gian: từ 01/11/2020, hoàn thành trước 25/12/2020" in change.new
    assert "- Thời gian: từ 01/11/2020, hoàn thành trước 30/12/2020" in change.old
    with pytest.raises(ValidationError, match="đã có dự thảo"):
        actions.do_create_draft(
            kind=DraftKind.STUDY_PLAN,
            title="x",
            doc_type="KH",
            submitting_unit=board.body,
            issuing_unit=units.province_2020,
            plan=plan,
            acting_user=board.officer,
        )


def test_people_named_in_follow_ups_come_from_the_structure(board: Board, units: Any) -> None:
    person = do_add_person(units.vinh, full_name="Nguyễn Thị Hà", acting_user=None)
    assert person.unit == units.vinh


def test_issuing_waits_for_the_boards_approval_and_takes_the_next_register_number(
    draft: Draft, board: Board, personas: Any, units: Any
) -> None:
    v1, _meeting, item = _on_agenda(draft, board, personas, units)
    sign = {"issued_on": datetime.date(2020, 11, 5), "signer_name": "Thái Thanh Quý"}
    with pytest.raises(ValidationError, match="Chưa có kết luận"):
        actions.do_issue_draft(draft, **sign, acting_user=personas.province_office)
    opinion = actions.do_give_opinion(
        v1, text="Bổ sung lộ trình.", acting_user=personas.board_member
    )
    actions.do_conclude(
        item,
        conclusion="Thống nhất; giao Ban Tuyên giáo tiếp thu, hoàn chỉnh để ban hành.",
        outcome=Outcome.APPROVED_AFTER_REVISION,
        acting_user=personas.province_office,
    )
    with pytest.raises(ValidationError, match="1 ý kiến góp ý vào lần trình 1 chưa được"):
        actions.do_issue_draft(draft, **sign, acting_user=personas.province_office)
    actions.do_dispose(opinion, kind=DispositionKind.ACCEPTED, acting_user=board.officer)
    with pytest.raises(ValidationError, match="hãy trình bản đã chỉnh sửa"):
        actions.do_issue_draft(draft, **sign, acting_user=personas.province_office)
    actions.do_save_text(draft, text=v1.text + "\nIV. LỘ TRÌNH", acting_user=board.officer)
    v2 = actions.do_submit_version(draft, acting_user=board.officer)
    first = actions.do_issue_draft(draft, **sign, acting_user=personas.province_office)
    draft.refresh_from_db()
    assert draft.state == DraftState.ISSUED and draft.issued_version == v2
    assert draft.register_entry == first and first.doc_type == "KH"
    assert first.symbol.endswith("-KH/TU") and first.summary == draft.title
    # The next document of the same register and period takes the next number.
    second_draft = actions.do_create_draft(
        kind=DraftKind.TEXT,
        title="Kế hoạch thứ hai (minh họa)",
        doc_type="KH",
        submitting_unit=board.body,
        issuing_unit=units.province_2020,
        text="Nội dung",
        acting_user=board.officer,
    )
    _v, _m, second_item = _on_agenda(second_draft, board, personas, units)
    actions.do_conclude(
        second_item,
        conclusion="Thông qua.",
        outcome=Outcome.APPROVED,
        acting_user=personas.province_office,
    )
    second = actions.do_issue_draft(second_draft, **sign, acting_user=personas.province_office)
    assert second.number == first.number + 1
    with pytest.raises(ValidationError, match="đã ban hành"):
        actions.do_issue_draft(second_draft, **sign, acting_user=personas.province_office)
    with pytest.raises(ValidationError, match="không góp ý được nữa"):
        actions.do_give_opinion(v2, text="Muộn.", acting_user=personas.board_member)


def test_the_conclusion_notice_is_numbered_once_every_item_is_concluded(
    draft: Draft, board: Board, personas: Any, units: Any, client_for: Any
) -> None:
    from tinhuy.meetings.reports import conclusion_notice_docx

    _v1, meeting, item = _on_agenda(draft, board, personas, units)
    sign = {"issued_on": datetime.date(2020, 10, 30), "signer_name": "Nguyễn Văn An (minh họa)"}
    with pytest.raises(ValidationError, match="Nội dung 1 chưa có kết luận"):
        actions.do_issue_notice(meeting, **sign, acting_user=personas.province_office)
    actions.do_conclude(
        item,
        conclusion="Thông qua.",
        outcome=Outcome.APPROVED,
        acting_user=personas.province_office,
    )
    before_meeting = {**sign, "issued_on": meeting.date - datetime.timedelta(days=1)}
    with pytest.raises(ValidationError, match="trước ngày họp"):
        actions.do_issue_notice(meeting, **before_meeting, acting_user=personas.province_office)
    assert queries.notice_entry(meeting) is None
    page = client_for(personas.province_office).get(f"/hop-ban-thuong-vu/phien-hop/{meeting.pk}/")
    assert "Cấp số thông báo kết luận" in page.content.decode()
    form = client_for(personas.province_office).get(
        f"/hop-ban-thuong-vu/phien-hop/{meeting.pk}/cap-so-thong-bao/"
    )
    assert form.status_code == 200 and "CHÁNH VĂN PHÒNG" in form.content.decode()
    response = client_for(personas.province_office).post(
        f"/hop-ban-thuong-vu/phien-hop/{meeting.pk}/cap-so-thong-bao/",
        {
            "issued_on": "30/10/2020",
            "signer_name": "Nguyễn Văn An (minh họa)",
            "signer_position": "CHÁNH VĂN PHÒNG",
            "authority": "T/L BAN THƯỜNG VỤ",
            "recipients": "- Các đồng chí Ủy viên Ban Thường vụ,\n- Lưu Văn phòng Tỉnh ủy.",
        },
    )
    assert response.status_code == 302
    entry = queries.notice_entry(meeting)
    assert entry is not None and entry.symbol.endswith("-TB/TU")
    assert entry.recipients.splitlines() == [
        "- Các đồng chí Ủy viên Ban Thường vụ,",
        "- Lưu Văn phòng Tỉnh ủy.",
    ]
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.CLOSED
    with pytest.raises(ValidationError, match="đã có số"):
        actions.do_issue_notice(meeting, **sign, acting_user=personas.province_office)
    forbidden = client_for(personas.board_member).post(
        f"/hop-ban-thuong-vu/phien-hop/{meeting.pk}/cap-so-thong-bao/", {}
    )
    assert forbidden.status_code == 403
    hidden = client_for(personas.vinh_officer).post(
        f"/hop-ban-thuong-vu/phien-hop/{meeting.pk}/cap-so-thong-bao/", {}
    )
    assert hidden.status_code == 404
    import io

    from docx import Document

    document = Document(io.BytesIO(conclusion_notice_docx(meeting)))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert any(entry.symbol in text for text in cells)  # the number line, in the header block


def test_the_disposition_table_has_a_page_of_its_own_in_fixed_queries(
    draft: Draft, board: Board, personas: Any, units: Any, client_for: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    v1, _meeting, _item = _on_agenda(draft, board, personas, units)
    url = f"/hop-ban-thuong-vu/du-thao/{draft.pk}/lan/1/bang-tiep-thu/"
    office = client_for(personas.province_office)

    def opinion(n: int) -> None:
        actions.do_give_opinion(v1, text=f"Ý kiến {n}", acting_user=personas.board_member)

    opinion(1)
    office.get(url)
    with CaptureQueriesContext(connection) as one:
        page = office.get(url)
    assert page.status_code == 200 and "Ý kiến 1" in page.content.decode()
    for n in range(2, 6):
        opinion(n)
    with CaptureQueriesContext(connection) as five:
        page = office.get(url)
    assert "Ý kiến 5" in page.content.decode() and len(five) == len(one)
    first = v1.opinions.order_by("id").first()
    actions.do_dispose(first, kind=DispositionKind.ACCEPTED, acting_user=board.officer)
    with CaptureQueriesContext(connection) as answered:
        assert "Tiếp thu" in office.get(url).content.decode()
    assert len(answered) == len(one)
    for user in (personas.board_member, board.officer):
        assert client_for(user).get(url).status_code == 200
    for user in (personas.vinh_officer, personas.nghiloc_officer):
        assert client_for(user).get(url).status_code == 404
    assert office.get(url.replace("/lan/1/", "/lan/9/")).status_code == 404


def test_the_presiding_person_cannot_be_absent_nor_a_draft_issued_before_its_meeting(
    draft: Draft, board: Board, personas: Any, units: Any
) -> None:
    with pytest.raises(ValidationError, match="chủ trì phiên họp nên không thể vắng mặt"):
        actions.do_create_meeting(
            body=units.province_2020,
            date=datetime.date(2020, 10, 29),
            presiding=board.members[0],
            members=[MemberSpec(board.members[0], present=False, absence_reason="Đi công tác")],
            acting_user=personas.province_office,
        )
    _v1, _meeting, item = _on_agenda(draft, board, personas, units)
    actions.do_conclude(
        item,
        conclusion="Thông qua.",
        outcome=Outcome.APPROVED,
        acting_user=personas.province_office,
    )
    with pytest.raises(ValidationError, match="trước phiên họp Ban Thường vụ kết luận"):
        actions.do_issue_draft(
            draft,
            issued_on=datetime.date(2020, 10, 28),
            signer_name="Nguyễn Văn An (minh họa)",
            acting_user=personas.province_office,
        )
    draft.refresh_from_db()
    assert draft.register_entry is None


def test_a_follow_up_is_due_after_the_meeting_that_assigns_it(
    draft: Draft, board: Board, personas: Any, units: Any
) -> None:
    _v1, _meeting, item = _on_agenda(draft, board, personas, units)
    secretary_vinh = units.vinh.people.first()
    early = FollowUpSpec("Báo cáo", units.vinh, secretary_vinh, datetime.date(2020, 10, 29))
    with pytest.raises(ValidationError, match="phải sau ngày họp 29/10/2020"):
        actions.do_conclude(
            item,
            conclusion="Thống nhất.",
            outcome=Outcome.APPROVED,
            follow_ups=[early],
            acting_user=personas.province_office,
        )
    assert not FollowUp.objects.filter(item=item).exists()


def test_an_empty_text_never_wipes_what_was_written(
    draft: Draft, board: Board, client_for: Any
) -> None:
    """A form that comes back empty (a lost field, a stale tab) keeps the text; the message
    says so."""
    before = draft.text
    assert before
    with pytest.raises(ValidationError, match="được giữ nguyên"):
        actions.do_save_text(draft, text="  \r\n ", acting_user=board.officer)
    draft.refresh_from_db()
    assert draft.text == before
    response = client_for(board.officer).post(
        f"/hop-ban-thuong-vu/du-thao/{draft.pk}/noi-dung/", {}
    )
    draft.refresh_from_db()
    assert draft.text == before
    assert response.status_code in (200, 302, 400)
    actions.do_save_text(draft, text="Nội dung mới", acting_user=board.officer)
    draft.refresh_from_db()
    assert draft.text == "Nội dung mới"
