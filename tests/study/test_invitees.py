"""Invitation lists and check-in at the door by QR code.

The Vinh officer lists the guests of Vinh's conference; each card's QR code is the check-in URL;
scanning it opens a page that writes nothing until the officer confirms, once. Nghi Lộc's
officer gets 404 everywhere; the Board member reads but does not write (403).
"""

from __future__ import annotations

import pytest
import segno
from django.test import Client
from django.urls import reverse

from tests.conftest import Personas, Units
from tests.study.test_conferences import DAY, ClientFor, make_fresh_plan, register, today
from tinhuy.audit.models import AuditEvent
from tinhuy.study.models import Conference, Invitee

GUESTS = (
    "Nguyễn Văn An; Phó Chủ tịch; UBND thành phố Vinh\n"
    "Trần Thị Bình\tTrưởng ban\tBan Tuyên giáo Thành ủy\n"
    "\n"
    "Lê Văn Cường\n"
)


@pytest.fixture
def conference(units: Units, personas: Personas) -> Conference:
    """Vinh's district conference, held today."""
    plan = make_fresh_plan(units, personas)
    return register(plan, units.vinh, today(), personas.vinh_officer)


@pytest.fixture
def vinh(personas: Personas, client_for: ClientFor) -> Client:
    return client_for(personas.vinh_officer)


def list_url(conference: Conference) -> str:
    return reverse("study_invitees", args=[conference.id])


def check_in_url(invitee: Invitee) -> str:
    return reverse("study_check_in", args=[invitee.token])


def written() -> tuple[int, int, int]:
    return (
        Invitee.objects.count(),
        Invitee.objects.filter(checked_in_at__isnull=False).count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def guests(conference: Conference, vinh: Client) -> list[Invitee]:
    response = vinh.post(list_url(conference), {"lines": GUESTS})
    assert response.status_code == 302, response.content.decode()[:2000]
    return list(conference.invitees.all())


def test_pasted_lines_become_the_invitation_list(
    conference: Conference, vinh: Client, guests: list[Invitee]
) -> None:
    """Semicolons or Excel's tabs; blank lines skipped; one audit event for the batch."""
    assert [(i.order, i.full_name, i.position, i.organisation) for i in guests] == [
        (1, "Nguyễn Văn An", "Phó Chủ tịch", "UBND thành phố Vinh"),
        (2, "Trần Thị Bình", "Trưởng ban", "Ban Tuyên giáo Thành ủy"),
        (3, "Lê Văn Cường", "", ""),
    ]
    assert len({i.token for i in guests}) == 3
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None and event.action == "conference.invitees.add"
    page = vinh.get(list_url(conference)).content.decode()
    assert "Đã có mặt <strong>0</strong> / 3 khách mời." in page


def test_each_card_carries_the_qr_code_of_its_check_in_url(
    conference: Conference, vinh: Client, guests: list[Invitee]
) -> None:
    page = vinh.get(reverse("study_invitee_cards", args=[conference.id])).content.decode()
    for invitee in guests:
        url = f"http://testserver{check_in_url(invitee)}"
        expected = segno.make(url, error="m").svg_inline(scale=4, border=2, title=url)
        assert expected in page
        assert invitee.full_name in page


@pytest.mark.parametrize(
    ("lines", "fragment"),
    [
        ("Nguyễn Văn An\n; Chánh Văn phòng; Thành ủy", "Dòng 2, cột “Họ và tên”: chưa có họ và tên"),
        ("Nguyễn Văn An; ; Thành ủy\nNguyễn  Văn An;;thành ủy", "Dòng 2, cột “Họ và tên”: “Nguyễn  Văn An” trùng với dòng 1"),
        ("A" * 151, "Dòng 1, cột “Họ và tên”: dài quá 150 ký tự"),
        ("An; Bí thư; Thành ủy; thừa", "Dòng 1: có 4 cột"),
        ("\n \n", "Chưa có dòng nào"),
    ],
)  # fmt: skip
def test_a_bad_line_is_named_and_nothing_is_added(
    conference: Conference, vinh: Client, lines: str, fragment: str
) -> None:
    before = written()
    response = vinh.post(list_url(conference), {"lines": lines})
    assert response.status_code == 400
    assert fragment in response.content.decode()
    assert written() == before


def test_a_guest_already_listed_is_refused(
    conference: Conference, vinh: Client, guests: list[Invitee]
) -> None:
    before = written()
    response = vinh.post(list_url(conference), {"lines": "Trần Thị Bình;;Ban Tuyên giáo Thành ủy"})
    assert response.status_code == 400
    assert "“Trần Thị Bình” đã có trong danh sách khách mời" in response.content.decode()
    assert written() == before


def test_scanning_shows_who_it_is_and_only_the_button_records_the_arrival(
    conference: Conference, vinh: Client, guests: list[Invitee], personas: Personas
) -> None:
    guest = guests[1]
    before = written()
    page = vinh.get(check_in_url(guest))
    assert page.status_code == 200
    assert "Trần Thị Bình" in page.content.decode()
    assert "Xác nhận có mặt" in page.content.decode()
    assert written() == before  # opening the link writes nothing

    response = vinh.post(check_in_url(guest))
    assert response.status_code == 302
    guest.refresh_from_db()
    assert guest.checked_in_at is not None and guest.checked_in_by == personas.vinh_officer
    first = guest.checked_in_at
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None and event.action == "conference.check_in"
    assert "Đã có mặt lúc" in vinh.get(check_in_url(guest)).content.decode()

    events = AuditEvent.objects.count()
    assert vinh.post(check_in_url(guest)).status_code == 302  # a second scan
    guest.refresh_from_db()
    assert guest.checked_in_at == first
    assert AuditEvent.objects.count() == events
    page = vinh.get(list_url(conference)).content.decode()
    assert "Đã có mặt <strong>1</strong> / 3 khách mời." in page
    detail = vinh.get(reverse("study_conference_detail", args=[conference.id])).content.decode()
    assert "Đã có mặt 1 / 3 khách mời." in detail


def test_check_in_is_refused_on_another_day(units: Units, personas: Personas, vinh: Client) -> None:
    plan = make_fresh_plan(units, personas)
    earlier = register(plan, units.vinh, today() - 2 * DAY, personas.vinh_officer)
    assert vinh.post(list_url(earlier), {"lines": "Nguyễn Văn An"}).status_code == 302
    guest = earlier.invitees.get()
    before = written()

    response = vinh.post(check_in_url(guest))

    assert response.status_code == 400
    assert "Chỉ điểm danh được vào ngày hội nghị" in response.content.decode()
    assert written() == before


def test_nghi_loc_gets_404_and_the_board_member_reads_only(
    conference: Conference,
    guests: list[Invitee],
    personas: Personas,
    client_for: ClientFor,
) -> None:
    guest = guests[0]
    urls = [
        list_url(conference),
        reverse("study_invitee_cards", args=[conference.id]),
        check_in_url(guest),
    ]
    before = written()
    nghiloc = client_for(personas.nghiloc_officer)
    for url in urls:
        assert nghiloc.get(url).status_code == 404, url
    assert nghiloc.post(urls[0], {"lines": "Nguyễn Văn An"}).status_code == 404
    assert nghiloc.post(urls[2]).status_code == 404

    board = client_for(personas.board_member)
    assert board.get(urls[0]).status_code == 200
    assert "Thêm khách mời" not in board.get(urls[0]).content.decode()
    assert board.get(urls[1]).status_code == 403  # the cards are the door's keys
    page = board.get(urls[2])
    assert page.status_code == 200 and "Xác nhận có mặt" not in page.content.decode()
    assert board.post(urls[0], {"lines": "Nguyễn Văn An"}).status_code == 403
    assert board.post(urls[2]).status_code == 403

    citizen = client_for(personas.citizen)
    for url in urls:
        response = citizen.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert Client().get(reverse("study_check_in", args=["no-such-token"])).status_code == 302
    assert (
        client_for(personas.vinh_officer)
        .get(reverse("study_check_in", args=["no-such-token"]))
        .status_code
        == 404
    )
    assert written() == before
