"""Error pages answer in Vietnamese: a 400 from a view's bad input, and the 500 page."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.test import Client

from tests.conftest import Personas


def test_a_bad_value_in_an_export_link_answers_a_vietnamese_400(personas: Personas) -> None:
    """``bang.xlsx?ngay=99/99/9999`` showed Django's English "Bad Request (400)"."""
    client = Client()
    client.force_login(personas.vinh_officer)
    response = client.get("/hoc-tap/1/tien-do/bang.xlsx", {"ngay": "99/99/9999"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Yêu cầu không hợp lệ" in page and "Bad Request" not in page


def test_the_500_page_is_vietnamese_and_stands_alone() -> None:
    page = render_to_string("500.html")
    assert "Lỗi máy chủ" in page and 'lang="vi"' in page


def test_a_refused_action_answers_a_vietnamese_403_page(client_for, personas) -> None:
    """A Board member sees the drafts but may not issue one: Django's English 403 is gone."""
    from tinhuy.meetings.models import Draft

    draft = Draft.objects.order_by("id").first()
    assert draft is not None
    response = client_for(personas.board_member).post(
        f"/hop-ban-thuong-vu/du-thao/{draft.pk}/ban-hanh/", {}
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "Không có quyền thực hiện việc này" in html and "Forbidden" not in html


def test_opening_a_form_address_answers_a_vietnamese_405_page(client_for, personas) -> None:
    """Enter in the address bar after a refused form: not a blank page."""
    from tinhuy.meetings.models import Draft

    draft = Draft.objects.order_by("id").first()
    assert draft is not None
    response = client_for(personas.province_office).get(
        f"/hop-ban-thuong-vu/du-thao/{draft.pk}/ban-hanh/"
    )
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert "Địa chỉ này chỉ nhận dữ liệu gửi từ một biểu mẫu" in response.content.decode()
    api = client_for(personas.province_office).delete("/api/v1/structures/")
    assert api.status_code == 405 and "biểu mẫu" not in api.content.decode()
