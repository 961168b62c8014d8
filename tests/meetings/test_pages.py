"""The meetings pages through the test client: who sees which page (200 / 404 / 403), a draft's
whole life through the forms, bad input shown in Vietnamese with nothing written, the to-do list
on the home page, and query counts that do not grow with the rows shown."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tinhuy.meetings import actions
from tinhuy.meetings.actions import FollowUpSpec, MemberSpec
from tinhuy.meetings.models import (
    AgendaItem,
    Disposition,
    DispositionKind,
    Draft,
    DraftState,
    DraftVersion,
    FollowUp,
    FollowUpState,
    Meeting,
    Opinion,
    Outcome,
)
from tinhuy.meetings.queries import open_follow_ups
from tinhuy.org.access import scope_for
from tinhuy.org.models import Person
from tinhuy.register.models import RegisterEntry
from tinhuy.register.queries import body_for_unit, next_number
from tinhuy.study.models import Plan, PlanState

from .conftest import TEXT, Board

pytestmark = pytest.mark.django_db

ClientFor = Callable[[Any], Client]
DAY = datetime.date(2020, 10, 29)
DUE = datetime.date(2020, 11, 30)  # long past: an open follow-up due then is overdue today
ISSUED_ON = datetime.date(2020, 11, 20)
WHAT = "Rà soát số liệu phường Hưng Dũng (thử)"  # no demo follow-up says this


def text_of(response: Any) -> str:
    return response.content.decode()


def vinh_person(units: Any) -> Person:
    person = units.vinh.people.first()
    assert person is not None
    return person


def submitted(draft: Draft, board: Board) -> DraftVersion:
    return actions.do_submit_version(draft, acting_user=board.officer)


def meeting_for(board: Board, personas: Any, units: Any) -> Meeting:
    return actions.do_create_meeting(
        body=units.province_2020,
        date=DAY,
        presiding=board.members[0],
        members=[
            MemberSpec(board.members[0]),
            MemberSpec(board.members[1]),
            MemberSpec(board.members[2], present=False, absence_reason="Đi công tác"),
        ],
        acting_user=personas.province_office,
    )


def on_agenda(draft: Draft, board: Board, personas: Any, units: Any) -> AgendaItem:
    submitted(draft, board)
    meeting = meeting_for(board, personas, units)
    return actions.do_add_item(meeting, draft, acting_user=personas.province_office)


def concluded(item: AgendaItem, personas: Any, units: Any, *, due: datetime.date = DUE) -> FollowUp:
    actions.do_conclude(
        item,
        conclusion="Thống nhất; giao tiếp thu, hoàn chỉnh.",
        outcome=Outcome.APPROVED_AFTER_REVISION,
        follow_ups=[FollowUpSpec(WHAT, units.vinh, vinh_person(units), due)],
        acting_user=personas.province_office,
    )
    return FollowUp.objects.get(item=item)


# Who sees which page ------------------------------------------------------------------------


@pytest.fixture
def world(draft: Draft, board: Board, personas: Any, units: Any) -> dict[str, Any]:
    """A draft on a concluded meeting's agenda with an opinion, and a follow-up for TP Vinh."""
    item = on_agenda(draft, board, personas, units)
    opinion = actions.do_give_opinion(
        item.version, text="Nêu rõ lộ trình.", acting_user=personas.board_member
    )
    follow_up = concluded(item, personas, units)
    item.refresh_from_db()
    return {"draft": draft, "item": item, "opinion": opinion, "follow_up": follow_up}


def _urls(world: dict[str, Any]) -> dict[str, str]:
    draft, item = world["draft"], world["item"]
    return {
        "drafts": reverse("meetings_drafts"),
        "draft": reverse("meetings_draft", args=[draft.pk]),
        "meetings": reverse("meetings_meetings"),
        "meeting": reverse("meetings_meeting", args=[item.meeting_id]),
        "meeting_create": reverse("meetings_meeting_create"),
        "conclude": reverse("meetings_item_conclude", args=[item.pk]),
        "add_follow_up": reverse("meetings_item_follow_up", args=[item.pk]),
        "follow_ups": reverse("meetings_follow_ups"),
        "follow_up": reverse("meetings_follow_up", args=[world["follow_up"].pk]),
    }


# persona → expected status per page. The submitting body's officer is ``officer``.
EXPECTED = {
    "province_office": {
        "drafts": 200,
        "draft": 200,
        "meetings": 200,
        "meeting": 200,
        "meeting_create": 200,
        "conclude": 302,  # already concluded: back to the meeting
        "add_follow_up": 200,
        "follow_ups": 200,
        "follow_up": 200,
    },
    "board_member": {
        "drafts": 200,
        "draft": 200,
        "meetings": 200,
        "meeting": 200,
        "meeting_create": 403,
        "conclude": 403,
        "add_follow_up": 403,
        "follow_ups": 200,
        "follow_up": 200,
    },
    "officer": {
        "drafts": 200,
        "draft": 200,
        "meetings": 200,  # an empty list: no Board seat
        "meeting": 404,
        "meeting_create": 403,
        "conclude": 404,
        "add_follow_up": 404,
        "follow_ups": 200,
        "follow_up": 404,  # TP Vinh's follow-up is outside the Propaganda Board
    },
    "vinh_officer": {
        "drafts": 200,
        "draft": 404,
        "meetings": 200,
        "meeting": 404,
        "meeting_create": 403,
        "conclude": 404,
        "add_follow_up": 404,
        "follow_ups": 200,
        "follow_up": 200,
    },
    "nghiloc_officer": {
        "drafts": 200,
        "draft": 404,
        "meetings": 200,
        "meeting": 404,
        "meeting_create": 403,
        "conclude": 404,
        "add_follow_up": 404,
        "follow_ups": 200,
        "follow_up": 404,
    },
    "editor": {
        "drafts": 200,
        "draft": 404,
        "meetings": 200,
        "meeting": 404,
        "meeting_create": 403,
        "conclude": 404,
        "add_follow_up": 404,
        "follow_ups": 200,
        "follow_up": 404,
    },
}


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_each_page_answers_each_persona_as_the_rules_say(
    world: dict[str, Any], board: Board, personas: Any, client_for: ClientFor, persona: str
) -> None:
    user = board.officer if persona == "officer" else getattr(personas, persona)
    client = client_for(user)
    urls = _urls(world)
    got = {name: client.get(url).status_code for name, url in urls.items()}
    assert got == EXPECTED[persona]


def test_an_anonymous_visitor_is_sent_to_the_login_page(
    world: dict[str, Any], client_for: ClientFor, personas: Any
) -> None:
    client = client_for(personas.citizen)
    for url in _urls(world).values():
        response = client.get(url)
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_a_404_names_nothing_out_of_scope(
    world: dict[str, Any], client_for: ClientFor, personas: Any
) -> None:
    """Nghi Lộc's officer learns nothing of the draft or the follow-up: a missing id reads the
    same."""
    client = client_for(personas.nghiloc_officer)
    seen = client.get(reverse("meetings_draft", args=[world["draft"].pk]))
    missing = client.get(reverse("meetings_draft", args=[999_999]))
    assert seen.status_code == missing.status_code == 404
    assert world["draft"].title not in text_of(seen)
    follow_up = client.get(reverse("meetings_follow_up", args=[world["follow_up"].pk]))
    assert follow_up.status_code == 404 and WHAT not in text_of(follow_up)


def test_posts_by_those_not_allowed_are_refused_and_write_nothing(
    world: dict[str, Any], board: Board, personas: Any, client_for: ClientFor
) -> None:
    draft, opinion, follow_up = world["draft"], world["opinion"], world["follow_up"]
    btv = client_for(personas.board_member)
    officer = client_for(board.officer)
    nghiloc = client_for(personas.nghiloc_officer)
    dispose = reverse("meetings_opinion_dispose", args=[opinion.pk])
    form = {f"y{opinion.pk}-kind": "accepted", f"y{opinion.pk}-explanation": ""}
    assert btv.post(dispose, form).status_code == 403  # only the submitting body answers
    assert nghiloc.post(dispose, form).status_code == 404
    opine = reverse("meetings_draft_opinion", args=[draft.pk, 1])
    assert officer.post(opine, {"text": "Tự góp ý."}).status_code == 403  # only Board members
    issue = reverse("meetings_draft_issue", args=[draft.pk])
    assert btv.post(issue, {"issued_on": "20/11/2020"}).status_code == 403
    close = reverse("meetings_follow_up", args=[follow_up.pk])
    assert btv.post(close, {"note": "Xong."}).status_code == 403
    assert nghiloc.post(close, {"note": "Xong."}).status_code == 404
    text = reverse("meetings_draft_text", args=[draft.pk])
    assert btv.post(text, {"text": "Sửa."}).status_code == 403
    add = reverse("meetings_meeting_add_item", args=[world["item"].meeting_id])
    assert btv.post(add, {"draft": draft.pk}).status_code == 403
    assert not Disposition.objects.filter(opinion__version__draft=draft).exists()
    assert Opinion.objects.filter(version__draft=draft).count() == 1
    follow_up.refresh_from_db()
    assert follow_up.state == FollowUpState.OPEN


def test_a_get_never_writes(world: dict[str, Any], personas: Any, client_for: ClientFor) -> None:
    client = client_for(personas.province_office)
    counts = (Draft.objects.count(), Opinion.objects.count(), FollowUp.objects.count())
    for url in _urls(world).values():
        client.get(url)
    assert counts == (Draft.objects.count(), Opinion.objects.count(), FollowUp.objects.count())


def test_every_form_carries_a_csrf_token(
    world: dict[str, Any], personas: Any, client_for: ClientFor
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.province_office)
    page = text_of(client.get(reverse("meetings_draft", args=[world["draft"].pk])))
    posts = page.count('method="post"')
    assert posts >= 3 and posts == page.count("csrfmiddlewaretoken")  # + language, logout
    refused = client.post(
        reverse("meetings_follow_up", args=[world["follow_up"].pk]), {"note": "Xong."}
    )
    assert refused.status_code == 403


def test_the_navigation_links_the_module_for_those_who_use_it(
    personas: Any, board: Board, client_for: ClientFor
) -> None:
    link = reverse("meetings_drafts")
    for user, shown in [
        (personas.province_office, True),
        (personas.board_member, True),
        (board.officer, True),
        (personas.vinh_officer, True),  # an office: drafts of its own unit, its follow-ups
        (personas.editor, False),
    ]:
        page = text_of(client_for(user).get(reverse("home")))
        assert (f'href="{link}"' in page) is shown, user


# The journey ---------------------------------------------------------------------------------


def test_a_draft_goes_from_writing_to_issued_through_the_pages(
    board: Board, personas: Any, units: Any, client_for: ClientFor
) -> None:
    officer, office = client_for(board.officer), client_for(personas.province_office)
    btv = client_for(personas.board_member)

    # The body drafts and submits.
    response = officer.post(
        reverse("meetings_drafts"),
        {
            "title": "Kế hoạch triển khai Đề án Địa chí",
            "doc_type": "KH",
            "submitting_unit": board.body.pk,
            "issuing_unit": units.province_2020.pk,
            "text": TEXT,
        },
    )
    draft = Draft.objects.get(title="Kế hoạch triển khai Đề án Địa chí")
    draft_url = reverse("meetings_draft", args=[draft.pk])
    assert response.status_code == 302 and response["Location"] == draft_url
    response = officer.post(
        reverse("meetings_draft_text", args=[draft.pk]),
        {"text": TEXT, "note": "Trình lần đầu", "buoc": "trinh"},
    )
    assert response.status_code == 302
    assert draft.versions.get().number == 1

    # The office holds a meeting and puts the draft on its agenda.
    create = reverse("meetings_meeting_create")
    page = text_of(office.get(create, {"cap-uy": units.province_2020.pk}))
    assert "Nguyễn Văn An" in page
    members = board.members
    response = office.post(
        create,
        {
            "body": units.province_2020.pk,
            "date": "29/10/2020",
            "title": "",
            "presiding": members[0].pk,
            "guests": "Đại diện Ban Tuyên giáo",
            f"member_{members[0].pk}": "present",
            f"member_{members[1].pk}": "present",
            f"member_{members[2].pk}": "absent",
            f"reason_{members[2].pk}": "Đi công tác",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert (meeting.date, meeting.body) == (DAY, units.province_2020)
    meeting_url = reverse("meetings_meeting", args=[meeting.pk])
    response = office.post(
        reverse("meetings_meeting_add_item", args=[meeting.pk]), {"draft": draft.pk}
    )
    assert response.status_code == 302
    page = text_of(office.get(meeting_url))
    assert "Kế hoạch triển khai Đề án Địa chí" in page
    assert "Lê Văn Cường (lý do: Đi công tác)" in page

    # A Board member comments on lines 6–7; the body answers.
    response = btv.post(
        reverse("meetings_draft_opinion", args=[draft.pk, 1]),
        {
            "line_from": "6",
            "line_to": "7",
            "text": "Bổ sung yêu cầu công khai.",
            "proposed_text": "2. Số hóa, công khai để Nhân dân truy cập.",
        },
    )
    opinion = Opinion.objects.get(version__draft=draft)
    assert response.status_code == 302 and f"#y-kien-{opinion.pk}" in response["Location"]
    page = text_of(officer.get(draft_url))
    assert 'id="L6"' in page and "Đề nghị sửa thành" in page and "Phạm Văn Hùng" in page
    response = officer.post(
        reverse("meetings_opinion_dispose", args=[opinion.pk]),
        {f"y{opinion.pk}-kind": "partly", f"y{opinion.pk}-explanation": "Tiếp thu ý công khai."},
    )
    assert response.status_code == 302
    assert opinion.disposition.kind == DispositionKind.PARTLY  # type: ignore[attr-defined]

    # The conclusion, with a follow-up for TP Vinh.
    item = meeting.items.get()
    person = vinh_person(units)
    response = office.post(
        reverse("meetings_item_conclude", args=[item.pk]),
        {
            "conclusion": "Thống nhất; giao Ban Tuyên giáo tiếp thu, hoàn chỉnh.",
            "outcome": Outcome.APPROVED_AFTER_REVISION,
            "viec-TOTAL_FORMS": "3",
            "viec-INITIAL_FORMS": "0",
            "viec-0-what": WHAT,
            "viec-0-lead_unit": units.vinh.pk,
            "viec-0-person": person.pk,
            "viec-0-due_on": "30/11/2020",
        },
    )
    assert response.status_code == 302, text_of(response)
    follow_up = FollowUp.objects.get(item__draft=draft)
    assert (follow_up.lead_unit, follow_up.person, follow_up.due_on) == (units.vinh, person, DUE)
    page = text_of(office.get(meeting_url))
    assert WHAT in page and "Quá hạn" in page

    # The revised version, then the comparison of the two.
    revised = TEXT.replace("2. Số hóa để", "2. Số hóa, công khai để Nhân dân")
    response = officer.post(
        reverse("meetings_draft_text", args=[draft.pk]),
        {"text": revised, "note": "Tiếp thu ý kiến", "buoc": "trinh"},
    )
    assert response.status_code == 302
    assert draft.versions.count() == 2
    page = text_of(officer.get(draft_url, {"tu": 1, "den": 2}))
    assert "<del>2. Số hóa để thuận tiện" in page and "<ins>2. Số hóa, công khai" in page
    assert "Bỏ:" in page and "Thêm:" in page  # not only by colour

    # The office issues it with the register's next number.
    body = body_for_unit(units.province_2020)
    assert body is not None
    expected = body.symbol_for("KH", next_number(body, "KH", ISSUED_ON))
    page = text_of(office.get(draft_url))
    assert "Ban hành và cấp số" in page
    response = office.post(
        reverse("meetings_draft_issue", args=[draft.pk]),
        {
            "issued_on": "20/11/2020",
            "signer_name": "Thái Thanh Quý",
            "signer_position": "BÍ THƯ",
            "authority": "T/M BAN THƯỜNG VỤ",
            "recipients": "Các huyện ủy, thành ủy",
        },
    )
    assert response.status_code == 302, text_of(response)
    draft.refresh_from_db()
    assert draft.state == DraftState.ISSUED and draft.register_entry is not None
    assert draft.register_entry.symbol == expected
    assert expected in text_of(office.get(draft_url))

    # The follow-up is on TP Vinh's home page, overdue; never on Nghi Lộc's.
    vinh_home = text_of(client_for(personas.vinh_officer).get(reverse("home")))
    assert "Việc cần làm" in vinh_home and WHAT in vinh_home
    assert re.search(re.escape(WHAT) + r"</a>\s*<span[^>]*>Quá hạn</span>", vinh_home)
    nghiloc_home = text_of(client_for(personas.nghiloc_officer).get(reverse("home")))
    assert WHAT not in nghiloc_home

    # TP Vinh closes it with a note.
    vinh = client_for(personas.vinh_officer)
    response = vinh.post(
        reverse("meetings_follow_up", args=[follow_up.pk]), {"note": "Đã rà soát, gửi báo cáo."}
    )
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.state == FollowUpState.DONE
    vinh.get(response["Location"])  # the page that says it is closed
    assert WHAT not in text_of(vinh.get(reverse("home")))


# Bad input -------------------------------------------------------------------------------------


def test_a_line_range_outside_the_text_is_shown_and_nothing_written(
    draft: Draft, board: Board, personas: Any, units: Any, client_for: ClientFor
) -> None:
    on_agenda(draft, board, personas, units)
    response = client_for(personas.board_member).post(
        reverse("meetings_draft_opinion", args=[draft.pk, 1]),
        {"line_from": "5", "line_to": "99", "text": "Ý kiến giữ nguyên", "proposed_text": "Mới"},
    )
    page = text_of(response)
    assert response.status_code == 200
    assert "Dòng 5–99 ở ngoài văn bản: lần trình 1 có 7 dòng" in page
    assert "Ý kiến giữ nguyên</textarea>" in page and 'value="99"' in page
    assert not Opinion.objects.filter(version__draft=draft).exists()


def test_a_disposition_without_explanation_is_shown_and_nothing_written(
    world: dict[str, Any], board: Board, client_for: ClientFor
) -> None:
    opinion = world["opinion"]
    response = client_for(board.officer).post(
        reverse("meetings_opinion_dispose", args=[opinion.pk]),
        {f"y{opinion.pk}-kind": "not_accepted", f"y{opinion.pk}-explanation": "  "},
    )
    page = text_of(response)
    assert response.status_code == 200
    assert "hãy ghi giải trình" in page
    assert 'value="not_accepted" selected' in page
    assert not Disposition.objects.filter(opinion=opinion).exists()


@pytest.mark.parametrize(
    ("missing", "message"),
    [("person", "chưa có người phụ trách cụ thể"), ("due_on", "chưa có hạn hoàn thành")],
)
def test_a_follow_up_without_person_or_due_date_is_shown_and_nothing_written(
    draft: Draft,
    board: Board,
    personas: Any,
    units: Any,
    client_for: ClientFor,
    missing: str,
    message: str,
) -> None:
    item = on_agenda(draft, board, personas, units)
    row = {
        "viec-0-what": WHAT,
        "viec-0-lead_unit": str(units.vinh.pk),
        "viec-0-person": str(vinh_person(units).pk),
        "viec-0-due_on": "30/11/2020",
    }
    row[f"viec-0-{missing}"] = ""
    response = client_for(personas.province_office).post(
        reverse("meetings_item_conclude", args=[item.pk]),
        {
            "conclusion": "Kết luận đã gõ",
            "outcome": Outcome.APPROVED_AFTER_REVISION,
            "viec-TOTAL_FORMS": "3",
            "viec-INITIAL_FORMS": "0",
            **row,
        },
    )
    page = text_of(response)
    assert response.status_code == 200
    assert f"Việc “{WHAT}” {message}" in page
    assert "Kết luận đã gõ</textarea>" in page and f"{WHAT}</textarea>" in page
    assert f'<option value="{units.vinh.pk}" selected>' in page
    item.refresh_from_db()
    assert item.concluded_at is None and not FollowUp.objects.filter(item=item).exists()


def test_a_later_follow_up_with_a_bad_date_is_shown_and_nothing_written(
    world: dict[str, Any], personas: Any, units: Any, client_for: ClientFor
) -> None:
    response = client_for(personas.province_office).post(
        reverse("meetings_item_follow_up", args=[world["item"].pk]),
        {
            "what": "Báo cáo thêm",
            "lead_unit": units.vinh.pk,
            "person": vinh_person(units).pk,
            "due_on": "31/02/2021",
        },
    )
    assert response.status_code == 200
    assert "Ghi ngày theo dạng dd/mm/yyyy" in text_of(response)
    assert FollowUp.objects.filter(item=world["item"]).count() == 1


def test_a_duplicate_manual_number_is_shown_and_nothing_written(
    draft: Draft, board: Board, personas: Any, units: Any, client_for: ClientFor
) -> None:
    item = on_agenda(draft, board, personas, units)
    actions.do_conclude(
        item,
        conclusion="Thông qua.",
        outcome=Outcome.APPROVED,
        acting_user=personas.province_office,
    )
    body = body_for_unit(units.province_2020)
    assert body is not None
    taken = RegisterEntry.objects.filter(body=body, doc_type="KH").first()
    assert taken is not None  # the demo plan's 01-KH/TU
    before = RegisterEntry.objects.count()
    response = client_for(personas.province_office).post(
        reverse("meetings_draft_issue", args=[draft.pk]),
        {
            "issued_on": taken.issued_on.strftime("%d/%m/%Y"),
            "signer_name": "Người ký đã gõ",
            "signer_position": "BÍ THƯ",
            "authority": "T/M BAN THƯỜNG VỤ",
            "number": str(taken.number),
            "reason": "Số ghi tay",
        },
    )
    page = text_of(response)
    assert response.status_code == 200
    assert re.search(r"alert-danger[^>]*>\s*<div>[^<]*" + re.escape(taken.symbol), page), page
    assert 'value="Người ký đã gõ"' in page
    assert RegisterEntry.objects.count() == before
    draft.refresh_from_db()
    assert draft.state == DraftState.APPROVED


def test_closing_a_follow_up_needs_a_note(
    world: dict[str, Any], personas: Any, client_for: ClientFor
) -> None:
    response = client_for(personas.vinh_officer).post(
        reverse("meetings_follow_up", args=[world["follow_up"].pk]), {"note": " "}
    )
    assert response.status_code == 200
    assert "Hãy ghi kết quả thực hiện khi đóng việc." in text_of(response)
    world["follow_up"].refresh_from_db()
    assert world["follow_up"].state == FollowUpState.OPEN


def test_a_submission_refused_keeps_the_text_typed_and_saves_nothing(
    world: dict[str, Any], board: Board, client_for: ClientFor
) -> None:
    """An opinion is unanswered: "save and submit" writes neither the text nor a version."""
    draft = world["draft"]
    Draft.objects.filter(pk=draft.pk).update(state=DraftState.REVISING)
    response = client_for(board.officer).post(
        reverse("meetings_draft_text", args=[draft.pk]),
        {"text": "Văn bản mới đã gõ", "note": "", "buoc": "trinh"},
    )
    page = text_of(response)
    assert response.status_code == 200
    assert "chưa được tiếp thu, giải trình" in page and "Văn bản mới đã gõ</textarea>" in page
    draft.refresh_from_db()
    assert draft.text == TEXT and draft.versions.count() == 1


# Follow-ups and the to-do list -----------------------------------------------------------------


def test_the_follow_up_list_filters_and_marks_overdue_in_words(
    world: dict[str, Any], draft: Draft, personas: Any, units: Any, client_for: ClientFor
) -> None:
    later = actions.do_add_follow_up(
        world["item"],
        FollowUpSpec(
            "Việc chưa tới hạn", units.vinh, vinh_person(units), datetime.date(2999, 1, 1)
        ),
        acting_user=personas.province_office,
    )
    client = client_for(personas.vinh_officer)
    url = reverse("meetings_follow_ups")
    overdue = text_of(client.get(url, {"trang-thai": "qua-han"}))
    assert WHAT in overdue and "Quá hạn" in overdue
    assert later.what not in overdue
    open_page = text_of(client.get(url, {"trang-thai": "dang-lam"}))
    assert later.what in open_page and WHAT in open_page
    assert WHAT not in text_of(client.get(url, {"trang-thai": "xong"}))
    assert WHAT not in text_of(client_for(personas.nghiloc_officer).get(url))


def test_the_home_page_lists_at_most_ten_soonest_first_with_a_link_to_all(
    world: dict[str, Any], personas: Any, units: Any, client_for: ClientFor
) -> None:
    for n in range(12):
        actions.do_add_follow_up(
            world["item"],
            FollowUpSpec(
                f"Việc số {n:02d}", units.vinh, vinh_person(units), datetime.date(2999, 1, 1 + n)
            ),
            acting_user=personas.province_office,
        )
    # The follow-ups alone: the study campaign's lines (tests/study/test_home_todo.py) are
    # left out by closing the demo's plan.
    Plan.objects.filter(state=PlanState.ISSUED).update(state=PlanState.CLOSED)
    page = text_of(client_for(personas.vinh_officer).get(reverse("home")))
    todo = page[page.index('id="viec-can-lam"') : page.index("Đơn vị của tôi")]
    expected = list(open_follow_ups(scope_for(personas.vinh_officer)))  # the demo's too
    assert len(expected) > 10
    assert todo.index(WHAT) < todo.index("Việc số 00")
    for shown in expected[:10]:
        assert shown.what in todo
    assert expected[10].what not in todo
    assert f"Xem tất cả {len(expected)} việc" in todo


# Query counts --------------------------------------------------------------------------------


def _count(client: Client, url: str, params: dict[str, Any] | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


def _more_rows(world: dict[str, Any], personas: Any, units: Any, n: int) -> None:
    """More opinions (with dispositions), agenda items and follow-ups."""
    item = world["item"]
    for i in range(n):
        actions.do_add_follow_up(
            item,
            FollowUpSpec(f"Việc thêm {i}", units.vinh, vinh_person(units), DUE),
            acting_user=personas.province_office,
        )
    draft = world["draft"]
    Draft.objects.filter(pk=draft.pk).update(state=DraftState.SUBMITTED)
    opinions = [
        actions.do_give_opinion(
            item.version,
            text=f"Ý kiến thêm {i}",
            line_from=1 + i % 5,
            line_to=2 + i % 5,
            acting_user=personas.board_member,
        )
        for i in range(n)
    ]
    for opinion in opinions:
        actions.do_dispose(opinion, kind=DispositionKind.ACCEPTED, acting_user=world["officer"])


def test_query_counts_do_not_grow_with_the_rows_shown(
    world: dict[str, Any],
    board: Board,
    personas: Any,
    units: Any,
    client_for: ClientFor,
) -> None:
    world["officer"] = board.officer
    office, vinh = client_for(personas.province_office), client_for(personas.vinh_officer)
    officer = client_for(board.officer)
    # A second item on the same meeting.
    other = actions.do_create_draft(
        kind="text",
        title="Đề án thứ hai",
        doc_type="ĐA",
        submitting_unit=board.body,
        issuing_unit=units.province_2020,
        text="Nội dung",
        acting_user=board.officer,
    )
    submitted(other, board)
    meeting = world["item"].meeting
    urls = {
        "meeting": (office, reverse("meetings_meeting", args=[meeting.pk]), None),
        "draft_office": (office, reverse("meetings_draft", args=[world["draft"].pk]), None),
        "draft_body": (officer, reverse("meetings_draft", args=[world["draft"].pk]), None),
        "follow_ups": (vinh, reverse("meetings_follow_ups"), None),
        "home": (vinh, reverse("home"), None),
        "drafts": (officer, reverse("meetings_drafts"), None),
    }
    before = {name: _count(c, url, p) for name, (c, url, p) in urls.items()}
    actions.do_add_item(meeting, other, acting_user=personas.province_office)
    _more_rows(world, personas, units, 6)
    actions.do_create_draft(
        kind="text",
        title="Dự thảo thứ ba",
        doc_type="KH",
        submitting_unit=board.body,
        issuing_unit=units.province_2020,
        acting_user=board.officer,
    )
    after = {name: _count(c, url, p) for name, (c, url, p) in urls.items()}
    assert after == before


def test_the_exports_download_for_those_who_see_them(
    world: dict[str, Any], personas: Any, client_for: ClientFor
) -> None:
    draft, meeting_id = world["draft"], world["item"].meeting_id
    btv = client_for(personas.board_member)
    for name in ("meetings_disposition_docx", "meetings_disposition_xlsx"):
        response = btv.get(reverse(name, args=[draft.pk, 1]))
        assert response.status_code == 200 and response["Cache-Control"] == "private"
        assert (
            client_for(personas.nghiloc_officer).get(reverse(name, args=[draft.pk, 1])).status_code
            == 404
        )
        assert btv.get(reverse(name, args=[draft.pk, 9])).status_code == 404
    notice = btv.get(reverse("meetings_meeting_notice", args=[meeting_id]))
    assert notice.status_code == 200 and notice.content[:2] == b"PK"
    assert (
        client_for(personas.vinh_officer)
        .get(reverse("meetings_meeting_notice", args=[meeting_id]))
        .status_code
        == 404
    )


def test_a_plan_draft_is_started_from_its_plan_and_its_rules_compared(
    board: Board, personas: Any, units: Any, client_for: ClientFor
) -> None:
    """``?ke-hoach=<id>`` starts a plan draft (no text field: the plan is the text); its page
    offers "Trình lần mới" and compares the rules of two versions."""
    from tinhuy.study.actions import RuleSpec, do_amend_rule, do_create_plan

    plan = do_create_plan(
        structure=units.structure_2020,
        title="Kế hoạch học tập Nghị quyết (dự thảo minh họa)",
        source_document="Nghị quyết Đại hội đại biểu Đảng bộ tỉnh Nghệ An lần thứ XIX",
        topics=["Chuyên đề 1"],
        rules=[
            RuleSpec(
                "huyen",
                "Cán bộ cốt cán",
                2,
                datetime.date(2020, 11, 1),
                datetime.date(2020, 12, 30),
            )
        ],
        issuing_unit=units.province_2020,
        acting_user=personas.province_office,
    )
    officer = client_for(personas.province_office)  # draft plans are the office's
    url = reverse("meetings_drafts") + f"?ke-hoach={plan.pk}"
    form_page = text_of(officer.get(url))
    assert "Dự thảo kế hoạch học tập, quán triệt" in form_page and 'name="text"' not in form_page
    response = officer.post(
        url,
        {
            "title": plan.title,
            "doc_type": "KH",
            "submitting_unit": board.body.pk,
            "issuing_unit": units.province_2020.pk,
        },
    )
    assert response.status_code == 302
    draft = Draft.objects.get(plan=plan)
    submit = reverse("meetings_draft_submit", args=[draft.pk])
    assert officer.post(submit, {"note": ""}).status_code == 302
    do_amend_rule(
        plan.rules.get(level__code="huyen"),
        deadline=datetime.date(2020, 12, 25),
        acting_user=personas.province_office,
    )
    Draft.objects.filter(pk=draft.pk).update(state=DraftState.REVISING)
    assert officer.post(submit, {"note": "Sửa hạn"}).status_code == 302
    page = text_of(officer.get(reverse("meetings_draft", args=[draft.pk]), {"tu": 1, "den": 2}))
    assert "Thay đổi quy định theo cấp" in page
    assert "<del>- Thời gian: từ 01/11/2020, hoàn thành trước 30/12/2020</del>" in page
    assert "<ins>- Thời gian: từ 01/11/2020, hoàn thành trước 25/12/2020</ins>" in page


def test_the_meeting_page_offers_the_drafts_waiting_or_says_none_wait(
    world: dict[str, Any], board: Board, personas: Any, units: Any, client_for: ClientFor
) -> None:
    """The office is offered the submitted drafts not yet on the agenda; when none waits, the
    page says so instead of an empty list. A Board member is offered neither."""
    other = actions.do_create_draft(
        kind="text",
        title="Đề án <chờ> đưa vào chương trình",
        doc_type="ĐA",
        submitting_unit=board.body,
        issuing_unit=units.province_2020,
        text="Nội dung",
        acting_user=board.officer,
    )
    submitted(other, board)
    office, btv = client_for(personas.province_office), client_for(personas.board_member)
    url = reverse("meetings_meeting", args=[world["item"].meeting_id])
    page = text_of(office.get(url))
    assert f'<option value="{other.pk}">Đề án &lt;chờ&gt; đưa vào chương trình</option>' in page
    assert world["draft"].title not in page.split('id="id_draft"')[1]  # on the agenda already
    assert 'id="khong-co-du-thao"' not in page
    member = text_of(btv.get(url))
    assert 'id="id_draft"' not in member and 'id="khong-co-du-thao"' not in member
    added = office.post(
        reverse("meetings_meeting_add_item", args=[world["item"].meeting_id]), {"draft": other.pk}
    )
    assert added.status_code == 302
    page = text_of(office.get(url))
    assert 'id="id_draft"' not in page
    assert "Không có dự thảo đã trình nào đang chờ đưa vào chương trình" in page


def test_a_refused_addition_shows_the_form_with_its_reason(
    world: dict[str, Any], personas: Any, client_for: ClientFor
) -> None:
    """A draft that is not waiting (here: already on the agenda) is refused in Vietnamese on
    the meeting page, with the form, and nothing is written."""
    office = client_for(personas.province_office)
    meeting_id = world["item"].meeting_id
    response = office.post(
        reverse("meetings_meeting_add_item", args=[meeting_id]), {"draft": world["draft"].pk}
    )
    page = text_of(response)
    assert response.status_code == 200
    assert "Hãy chọn một mục trong danh sách." in page and 'id="id_draft"' in page
    assert AgendaItem.objects.filter(meeting_id=meeting_id).count() == 1


# Issue 9: the pages it times read a fixed number of queries -------------------------------


def test_the_pages_issue_9_times_read_a_fixed_number_of_queries(
    world: dict[str, Any],
    board: Board,
    personas: Any,
    units: Any,
    client_for: ClientFor,
    django_assert_num_queries: Any,
) -> None:
    """The meeting page, the disposition table and the home page's to-do list (the office has
    more than ten open follow-ups, so they are counted) read the same queries whatever they
    show: session, user and scope (3), then their own."""
    world["officer"] = board.officer
    _more_rows(world, personas, units, 12)
    office, btv = client_for(personas.province_office), client_for(personas.board_member)
    meeting = reverse("meetings_meeting", args=[world["item"].meeting_id])
    table = reverse("meetings_disposition_table", args=[world["draft"].pk, 1])
    for url in (meeting, table, reverse("home")):
        office.get(url)  # a running server has its content types cached
    # The meeting, its agenda, follow-ups, attendance, notice number; for the office the
    # drafts that may join the agenda.
    with django_assert_num_queries(3 + 6):
        assert office.get(meeting).status_code == 200
    with django_assert_num_queries(3 + 5):
        assert btv.get(meeting).status_code == 200
    # The draft (access), its version, the opinions with their answers.
    with django_assert_num_queries(3 + 3):
        assert btv.get(table).status_code == 200
    # Memberships, structures, the first eleven open follow-ups and their count; programme
    # tasks and milestones due; the study campaign's duties, the office's conferences, the
    # units past the deadline and the reminders sent (the one to-do list, tinhuy.todo).
    with django_assert_num_queries(3 + 6 + 4):
        assert office.get(reverse("home")).status_code == 200
