"""The register pages: who reads a register, who gives and cancels numbers, and how many
queries a page costs.

Scope (``tests/conftest.py``): the Vinh officer keeps the Thành ủy Vinh's register and sees
nothing of the province's; the Nghi Lộc officer sees neither (404, never 403, and no message
names what he cannot see); the Board member reads every register in the province and keeps
none (403 on the forms).
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.register.conftest import issue
from tinhuy.register.models import EntryState, RegisterEntry

D = datetime.date


def test_the_list_shows_the_bodies_in_scope(client_for, personas, tu, vinh_body) -> None:
    office = client_for(personas.province_office).get(reverse("register_bodies")).content.decode()
    assert reverse("register_body", args=[tu.pk]) in office
    assert reverse("register_body", args=[vinh_body.pk]) in office
    vinh = client_for(personas.vinh_officer).get(reverse("register_bodies")).content.decode()
    assert reverse("register_body", args=[vinh_body.pk]) in vinh
    assert reverse("register_body", args=[tu.pk]) not in vinh
    nghiloc = client_for(personas.nghiloc_officer).get(reverse("register_bodies")).content.decode()
    assert "THÀNH ỦY VINH" not in nghiloc


def test_the_register_lists_numbers_with_filters(client_for, personas, tu) -> None:
    issue(tu, "TB", summary="Thông báo kết luận thử nghiệm")
    client = client_for(personas.board_member)
    url = reverse("register_body", args=[tu.pk])
    body = client.get(url).content.decode()
    assert "01-KH/TU" in body and "01-TB/TU" in body and "03/11/2020" in body
    only_kh = client.get(url, {"loai": "KH"}).content.decode()
    assert "01-KH/TU" in only_kh and "01-TB/TU" not in only_kh
    old_term = tu.periods.get(label="Nhiệm kỳ 2015–2020")
    assert "01-KH/TU" not in client.get(url, {"thoi_ky": old_term.pk}).content.decode()
    # Unknown filter values are ignored, not errors.
    assert client.get(url, {"loai": "XX", "thoi_ky": "99999999999999999999"}).status_code == 200
    assert reverse("register_issue", args=[tu.pk]) not in body  # the Board member keeps none


@pytest.mark.parametrize("persona", ["nghiloc_officer", "editor"])
def test_a_register_outside_scope_is_404(client_for, personas, vinh_body, persona) -> None:
    entry = issue(vinh_body)
    client = client_for(getattr(personas, persona))
    for url in (
        reverse("register_body", args=[vinh_body.pk]),
        reverse("register_issue", args=[vinh_body.pk]),
        reverse("register_cancel", args=[vinh_body.pk, entry.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "VINH" not in response.content.decode().upper()


def test_the_citizen_is_sent_to_log_in(client_for, personas, tu) -> None:
    response = client_for(personas.citizen).get(reverse("register_body", args=[tu.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_board_member_cannot_issue_or_cancel(client_for, personas, tu) -> None:
    entry = issue(tu)
    client = client_for(personas.board_member)
    assert client.get(reverse("register_issue", args=[tu.pk])).status_code == 403
    response = client.post(reverse("register_issue", args=[tu.pk]), _form())
    assert response.status_code == 403
    assert (
        client.post(reverse("register_cancel", args=[tu.pk, entry.pk]), {"reason": "x"}).status_code
        == 403
    )
    assert RegisterEntry.objects.filter(body=tu).count() == 3  # the demo's two, and this one


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "doc_type": "KH",
        "issued_on": "10/11/2020",
        "number": "",
        "reason": "",
        "summary": "Kế hoạch soạn ngoài phần mềm",
        "signer_name": "Người ký thử nghiệm",
        "signer_position": "PHÓ BÍ THƯ",
        "authority": "T/M BAN THƯỜNG VỤ",
        "recipients": "- Các đảng bộ trực thuộc,",
    }
    data.update(overrides)
    return data


def test_the_office_issues_the_next_number_by_hand(client_for, personas, tu) -> None:
    client = client_for(personas.province_office)
    page = client.get(reverse("register_issue", args=[tu.pk])).content.decode()
    assert "Cấp số văn bản" in page
    response = client.post(reverse("register_issue", args=[tu.pk]), _form())
    assert response.status_code == 302
    entry = RegisterEntry.objects.get(body=tu, doc_type="KH", number=2)
    assert entry.issued_by == personas.province_office
    assert entry.signer_position == "PHÓ BÍ THƯ"
    followed = client.get(response["Location"]).content.decode()
    assert "Đã cấp Số 02-KH/TU ngày 10/11/2020." in followed


def test_the_form_shows_a_refusal_and_writes_nothing(client_for, personas, tu) -> None:
    client = client_for(personas.province_office)
    response = client.post(reverse("register_issue", args=[tu.pk]), _form(number="1", reason="x"))
    assert response.status_code == 200
    assert "Số 01-KH/TU đã cấp ngày 03/11/2020" in response.content.decode()
    response = client.post(reverse("register_issue", args=[tu.pk]), _form(number="7"))
    assert "không phải số kế tiếp" in response.content.decode()
    response = client.post(reverse("register_issue", args=[tu.pk]), _form(number="9" * 30))
    assert response.status_code == 200
    assert RegisterEntry.objects.filter(body=tu).count() == 2  # the demo's 01-KH/TU and 01-CTr/TU


def test_an_office_officer_keeps_his_own_register_only(client_for, personas, tu, vinh_body) -> None:
    client = client_for(personas.vinh_officer)
    assert client.post(reverse("register_issue", args=[vinh_body.pk]), _form()).status_code == 302
    assert RegisterEntry.objects.get(body=vinh_body).symbol == "01-KH/TU"
    assert client.get(reverse("register_issue", args=[tu.pk])).status_code == 404


def test_the_office_cancels_a_number_with_a_reason(client_for, personas, tu) -> None:
    entry = issue(tu)
    client = client_for(personas.province_office)
    url = reverse("register_cancel", args=[tu.pk, entry.pk])
    assert "Hủy Số 02-KH/TU" in client.get(url).content.decode()
    assert client.post(url, {"reason": ""}).status_code == 200
    assert client.post(url, {"reason": "Văn bản không ban hành"}).status_code == 302
    entry.refresh_from_db()
    assert entry.state == EntryState.CANCELLED
    body = client.get(reverse("register_body", args=[tu.pk])).content.decode()
    assert "Văn bản không ban hành" in body


def test_an_entry_of_another_register_is_404_on_the_cancel_form(
    client_for, personas, tu, vinh_body
) -> None:
    entry = issue(tu)
    response = client_for(personas.vinh_officer).get(
        reverse("register_cancel", args=[vinh_body.pk, entry.pk])
    )
    assert response.status_code == 404


def test_the_register_page_costs_the_same_queries_for_5_or_60_lines(
    client_for, personas, tu
) -> None:
    client = client_for(personas.province_office)
    url = reverse("register_body", args=[tu.pk])
    client.get(url)  # the session and content types are read once

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    # Dated before the demo plan's number, so the page always shows a linked document too.
    for _ in range(4):
        issue(tu, "TB", on=D(2020, 10, 5))
    few = count()
    for _ in range(55):
        issue(tu, "TB", on=D(2020, 10, 5))
    assert count() == few
    assert few <= 12


def test_the_office_opens_the_next_period_and_an_overlap_is_refused(client_for, personas) -> None:
    from tinhuy.register.models import IssuingBody, NumberingPeriod

    body = IssuingBody.objects.get(unit__structure__code="nghe-an-2020", unit__code="40")
    url = f"/so-van-ban/{body.pk}/thoi-ky/"
    office = client_for(personas.province_office)
    assert "Mở thời kỳ đánh số" in office.get(f"/so-van-ban/{body.pk}/").content.decode()
    before = NumberingPeriod.objects.filter(body=body).count()
    overlapping = office.post(url, {"label": "Chồng", "starts_on": "01/01/2021"})
    assert overlapping.status_code == 200 and "trùng với thời kỳ" in overlapping.content.decode()
    bad_date = office.post(url, {"label": "Năm", "starts_on": "2030-01-01"})
    assert "Ghi ngày theo dạng dd/mm/yyyy." in bad_date.content.decode()
    assert NumberingPeriod.objects.filter(body=body).count() == before
    opened = office.post(
        url, {"label": "Nhiệm kỳ 2030–2035 (thử)", "starts_on": "01/10/2030", "ends_on": ""}
    )
    assert opened.status_code == 302
    assert NumberingPeriod.objects.filter(body=body, label="Nhiệm kỳ 2030–2035 (thử)").exists()
    assert client_for(personas.board_member).get(url).status_code == 403
    assert client_for(personas.nghiloc_officer).get(url).status_code == 404


def test_a_hostile_period_id_in_the_address_is_ignored(client_for, personas, tu) -> None:
    office = client_for(personas.province_office)
    for value in ("²", "٣", "9" * 30, "-1", "0"):
        response = office.get(reverse("register_body", args=[tu.pk]), {"thoi_ky": value})
        assert response.status_code == 200, value
