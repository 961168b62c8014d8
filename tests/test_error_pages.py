"""Error pages answer in Vietnamese, in the frame of the address: the application's for its pages,
the public gazetteer's (linking back to the gazetteer, not to the log-in form) for the citizen's;
the API keeps its JSON problem documents. The 500 page reads nothing. A form sent with an expired
token explains itself (on the log-in form: a fresh log-in form); the lock-out states its wait.

This module is also a URLconf (``ERROR_URLS``): the project's addresses plus two that fail, so a
500 can be reached through the whole stack.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import path, reverse

from tests.conftest import PASSWORD, Personas, Units
from tinhuy import errors
from tinhuy import urls as project_urls

# Django's own English pages, which no answer may show.
ENGLISH = ("Forbidden", "CSRF verification failed", "Server Error", "Not Found", "Bad Request")


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("A bug.")


urlpatterns = [
    path("loi/", boom),
    path("dia-chi/loi/", boom),
    path("api/v1/loi/", boom),
    *project_urls.urlpatterns,
]
handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500
ERROR_URLS = __name__


def page(response: Any) -> str:
    text: str = response.content.decode()
    for english in ENGLISH:
        assert english not in text, english
    return text


def app_frame(html: str) -> bool:
    return 'class="navbar-brand fw-bold"' in html and 'class="gz"' not in html


def public_frame(html: str) -> bool:
    """The gazetteer's frame, with no way into the log-in form."""
    return '<body class="gz">' in html and "/dang-nhap/" not in html and "navbar" not in html


def main_part(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


# --- Where the public site is --------------------------------------------------------------------


def test_the_public_prefixes_match_the_urlconf() -> None:
    assert reverse("gazetteer_home") == errors.GAZETTEER_PREFIX
    assert reverse("gazetteer_editor_entries") == errors.GAZETTEER_EDITOR_PREFIX
    assert reverse("gazetteer_figures_import").startswith(errors.GAZETTEER_EDITOR_PREFIX)
    factory = RequestFactory()
    assert errors.is_public(factory.get("/dia-chi/2024/muc/x/"))
    assert errors.is_public(factory.get("/media/anh.png"))
    assert not errors.is_public(factory.get("/dia-chi/bien-tap/muc/x/"))
    assert not errors.is_public(factory.get("/don-vi/1/"))


# --- 400 -----------------------------------------------------------------------------------------


def test_a_bad_value_in_an_export_link_answers_a_vietnamese_400(personas: Personas) -> None:
    """``bang.xlsx?ngay=99/99/9999`` showed Django's English "Bad Request (400)"."""
    client = Client()
    client.force_login(personas.vinh_officer)  # type: ignore[arg-type]
    response = client.get("/hoc-tap/1/tien-do/bang.xlsx", {"ngay": "99/99/9999"})

    assert response.status_code == 400
    html = page(response)
    assert "Yêu cầu không hợp lệ" in html and app_frame(html)
    # The view's own Vietnamese message says what is wrong.
    assert "Ngày phải có dạng dd/mm/yyyy" in html


def test_a_400_on_a_public_address_is_in_the_gazetteers_frame(db: None) -> None:
    """A forged Host header (Django's DisallowedHost) on a gazetteer page."""
    response = Client().get("/dia-chi/", HTTP_HOST="gia-mao.example")
    assert response.status_code == 400
    html = page(response)
    assert "Yêu cầu không hợp lệ" in html and public_frame(html)
    assert "Invalid HTTP_HOST" not in html  # Django's own message is for the log, not the page
    # Refused before the user is read (CommonMiddleware): the application's frame draws anyway.
    app = Client().get("/don-vi/1/", HTTP_HOST="gia-mao.example")
    assert app.status_code == 400 and app_frame(page(app))


def test_djangos_own_bad_request_text_is_not_shown() -> None:
    from django.core.exceptions import BadRequest, SuspiciousOperation

    try:
        raise BadRequest("Multipart form parse error")  # as if Django had raised it
    except BadRequest as exc:
        # Raised here, in tests/, not in tinhuy/: not a message meant for the user.
        assert errors._user_message(exc) == ""
    assert errors._user_message(SuspiciousOperation("x")) == ""


# --- 403 -----------------------------------------------------------------------------------------


def test_a_refused_action_answers_a_vietnamese_403_page(client_for, personas) -> None:
    """A Board member sees the drafts but may not issue one: Django's English 403 is gone."""
    from tinhuy.meetings.models import Draft

    draft = Draft.objects.order_by("id").first()
    assert draft is not None
    response = client_for(personas.board_member).post(
        f"/hop-ban-thuong-vu/du-thao/{draft.pk}/ban-hanh/", {}
    )
    assert response.status_code == 403
    html = page(response)
    assert "Không có quyền thực hiện việc này" in html and app_frame(html)


def test_a_board_member_opening_the_registration_form_gets_the_vietnamese_403(
    client_for, personas: Personas, plan_2020: Any
) -> None:
    """The issue's case: the Board member sees everything and registers nothing."""
    response = client_for(personas.board_member).get(
        reverse("study_conference_register", args=[plan_2020.pk])
    )
    assert response.status_code == 403
    html = page(response)
    assert "Không có quyền thực hiện việc này" in html and app_frame(html)
    assert "<strong>btv</strong>" in html  # says which account is logged in
    assert 'href="/"' in html


def test_the_api_403_stays_a_json_problem(
    client_for, personas: Personas, units: Units, plan_2020: Any
) -> None:
    """The Board member registering through the API: the API's own 403, not the page."""
    from tests.study.test_api import conference_body

    response = client_for(personas.board_member).post(
        f"/api/v1/study/plans/{plan_2020.pk}/conferences",
        conference_body(units.vinh_grassroots, units.province_2020),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    # A 403 raised outside the API's routers, under /api/, is a problem document too.
    direct = errors.permission_denied(RequestFactory().get("/api/v1/structures/"))
    assert direct.status_code == 403 and direct["Content-Type"] == "application/problem+json"


# --- 404 -----------------------------------------------------------------------------------------


def test_an_out_of_scope_unit_and_an_absent_one_get_the_same_404(
    client_for, personas: Personas, units: Units
) -> None:
    client = client_for(personas.vinh_officer)
    hidden = client.get(f"/don-vi/{units.nghiloc.pk}/")
    absent = client.get("/don-vi/987654321/")
    assert hidden.status_code == absent.status_code == 404
    assert main_part(page(hidden)) == main_part(page(absent))
    html = page(absent)
    assert "Không tìm thấy trang" in html and app_frame(html)


def test_a_broken_gazetteer_link_gets_the_gazetteers_404(db: None) -> None:
    """A citizen's broken link: the gazetteer's frame, links back into it, a search offered
    from the words of the address; never the log-in form."""
    response = Client().get("/dia-chi/2024/muc/song-lam-khong-co/")
    assert response.status_code == 404
    html = page(response)
    assert public_frame(html)
    assert "Không tìm thấy trang này trong Địa chí" in html
    assert f'href="{reverse("gazetteer_home")}"' in html
    assert f'href="{reverse("gazetteer_lookup")}"' in html
    assert "?q=song%20lam%20khong%20co" in html


def test_an_unknown_gazetteer_edition_and_address_are_404_in_its_frame(db: None) -> None:
    for address in ("/dia-chi/1800/", "/dia-chi/khong-co/trang/", "/dia-chi/2024/dia-danh/99999/"):
        response = Client().get(address)
        assert response.status_code == 404, address
        assert public_frame(page(response)), address


def test_the_citizens_404_reads_nothing(db: None, django_assert_num_queries: Any) -> None:
    """An address that matches no page: no session, no scope, no query at all."""
    with django_assert_num_queries(0):
        response = Client().get("/dia-chi/khong-co/trang/")
    assert response.status_code == 404


def test_the_search_words_skip_years_codes_and_route_words() -> None:
    factory = RequestFactory()
    assert errors._search_words(factory.get("/dia-chi/2024/dia-danh/412/")) == ""
    assert errors._search_words(factory.get("/dia-chi/chi-tieu/dan-so/")) == "dan so"
    assert errors._search_words(factory.get("/don-vi/ha-noi/")) == ""


def test_the_editors_pages_keep_the_application_frame(client_for, personas: Personas) -> None:
    response = client_for(personas.editor).get("/dia-chi/bien-tap/muc/khong-co-muc-nay/")
    assert response.status_code == 404
    assert app_frame(page(response))


def test_an_unknown_api_address_is_a_json_404(client_for, personas: Personas) -> None:
    """Not the HTML page: the same problem document as an unknown object."""
    response = client_for(personas.province_office).get("/api/v1/khong-co-dia-chi-nay")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Không tìm thấy."
    unknown_object = client_for(personas.province_office).get("/api/v1/structures/987654321")
    assert unknown_object.status_code == 404
    assert unknown_object.json()["detail"] == response.json()["detail"]


# --- 405 -----------------------------------------------------------------------------------------


def test_opening_a_form_address_answers_a_vietnamese_405_page(client_for, personas) -> None:
    """Enter in the address bar after a refused form: not a blank page."""
    from tinhuy.meetings.models import Draft

    draft = Draft.objects.order_by("id").first()
    assert draft is not None
    response = client_for(personas.province_office).get(
        f"/hop-ban-thuong-vu/du-thao/{draft.pk}/ban-hanh/"
    )
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert "Địa chỉ này chỉ nhận dữ liệu gửi từ một biểu mẫu" in page(response)
    api = client_for(personas.province_office).delete("/api/v1/structures/")
    assert api.status_code == 405 and "biểu mẫu" not in api.content.decode()


def test_the_405_page_draws_itself_in_the_gazetteers_frame_when_given_it(db: None) -> None:
    """``errors.frame`` is what the page needs to pick the gazetteer's frame and words."""
    request = RequestFactory().post("/dia-chi/")
    html = render_to_string("405.html", errors.frame(request), request=request)
    assert public_frame(html) and "Trang này chỉ để xem" in html
    # And so it is drawn when a public page is sent a form (tinhuy.middleware).
    response = Client().post("/dia-chi/")
    assert response.status_code == 405
    assert public_frame(page(response)) and "Trang này chỉ để xem" in page(response)


# --- 500 -----------------------------------------------------------------------------------------


def test_the_500_page_is_vietnamese_and_stands_alone() -> None:
    html = render_to_string("500.html")
    assert "Lỗi máy chủ" in html and 'lang="vi"' in html and 'href="/"' in html


def test_the_500_handler_reads_no_database() -> None:
    """No ``db`` fixture: pytest-django fails any query. The handler renders all the same."""
    factory = RequestFactory()
    response = errors.server_error(factory.get("/don-vi/1/"))
    assert response.status_code == 500
    html = page(response)
    assert "Lỗi máy chủ" in html and "Tỉnh ủy số" in html and 'href="/"' in html
    public = page(errors.server_error(factory.get("/dia-chi/2024/muc/x/")))
    assert "Địa chí Nghệ An" in public and 'href="/dia-chi/"' in public
    assert "#8b1a1a" in public  # the gazetteer's colour


def test_the_500_handler_draws_a_page_even_when_its_template_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("templates unreadable")

    monkeypatch.setattr(errors, "render_to_string", broken)
    response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and "Lỗi máy chủ" in page(response)


@pytest.mark.urls(ERROR_URLS)
def test_a_failing_page_answers_the_vietnamese_500_in_its_frame(
    client_for, personas: Personas
) -> None:
    client = client_for(personas.vinh_officer)
    client.raise_request_exception = False
    response = client.get("/loi/")
    assert response.status_code == 500
    assert "Lỗi máy chủ" in page(response) and "Tỉnh ủy số" in page(response)
    citizen = Client(raise_request_exception=False).get("/dia-chi/loi/")
    assert citizen.status_code == 500
    assert "Về trang chủ Địa chí" in page(citizen) and "/dang-nhap/" not in page(citizen)
    api = client.get("/api/v1/loi/")
    assert api.status_code == 500 and api["Content-Type"] == "application/problem+json"


# --- CSRF ----------------------------------------------------------------------------------------


def _token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match is not None
    return match.group(1)


def test_logging_in_from_a_second_tab_after_the_first_sends_the_user_on(db: None) -> None:
    """Two log-in tabs: the first logs in (and renews the token), the second's form is then
    stale. It answers no English 403: the user is logged in, so they go home and are told."""
    browser = Client(enforce_csrf_checks=True)
    tab_one = _token(browser.get("/dang-nhap/").content.decode())
    tab_two = _token(browser.get("/dang-nhap/").content.decode())
    first = browser.post(
        "/dang-nhap/", {"username": "vinh", "password": PASSWORD, "csrfmiddlewaretoken": tab_one}
    )
    assert first.status_code == 302

    second = browser.post(
        "/dang-nhap/", {"username": "vinh", "password": PASSWORD, "csrfmiddlewaretoken": tab_two}
    )
    assert second.status_code == 302 and second["Location"] == reverse("home")
    home = page(browser.get(second["Location"]))
    assert "Bạn đã đăng nhập với tài khoản vinh" in home


def test_a_stale_log_in_form_leads_to_a_fresh_one_that_works(db: None) -> None:
    """Logged out in another tab (or the page opened long ago): back to a fresh log-in form,
    which explains why, keeps where the user was going, and logs in."""
    browser = Client(enforce_csrf_checks=True)
    stale = _token(browser.get("/dang-nhap/?next=/nhat-ky/").content.decode())
    browser.cookies["csrftoken"] = "b" * 32  # the cookie was renewed elsewhere
    response = browser.post(
        "/dang-nhap/",
        {
            "username": "vanphong",
            "password": PASSWORD,
            "csrfmiddlewaretoken": stale,
            "next": "/nhat-ky/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/dang-nhap/?next=%2Fnhat-ky%2F"
    fresh = browser.get(response["Location"])
    html = page(fresh)
    assert "Trang đăng nhập vừa rồi đã hết hạn" in html
    logged_in = browser.post(
        "/dang-nhap/",
        {
            "username": "vanphong",
            "password": PASSWORD,
            "csrfmiddlewaretoken": _token(html),
            "next": "/nhat-ky/",
        },
    )
    assert logged_in.status_code == 302 and logged_in["Location"] == "/nhat-ky/"


def test_a_stale_admin_log_in_form_leads_to_a_fresh_one(db: None) -> None:
    browser = Client(enforce_csrf_checks=True)
    stale = _token(browser.get("/quan-tri/login/?next=/quan-tri/").content.decode())
    browser.cookies["csrftoken"] = "e" * 32
    response = browser.post(
        "/quan-tri/login/?next=/quan-tri/",
        {
            "username": "quantri",
            "password": "x",
            "csrfmiddlewaretoken": stale,
            "next": "/quan-tri/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/quan-tri/login/?next=%2Fquan-tri%2F"
    assert "Trang đăng nhập vừa rồi đã hết hạn" in page(browser.get(response["Location"]))


def test_a_stale_log_in_form_never_redirects_elsewhere(db: None) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.get("/dang-nhap/")
    response = browser.post(
        "/dang-nhap/",
        {
            "username": "vinh",
            "password": "x",
            "csrfmiddlewaretoken": "c" * 32,
            "next": "https://gia-mao.example/",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/dang-nhap/"


def test_a_browser_refusing_cookies_is_told_so(db: None) -> None:
    """No cookie at all: a fresh form would fail the same way, so the page says why."""
    response = Client(enforce_csrf_checks=True).post(
        "/dang-nhap/", {"username": "vinh", "password": PASSWORD}
    )
    assert response.status_code == 403
    html = page(response)
    assert "chặn cookie" in html and app_frame(html)


def test_a_stale_form_elsewhere_explains_and_offers_to_go_back(
    personas: Personas, units: Units
) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(personas.vinh_officer)  # type: ignore[arg-type]
    browser.get("/")  # sets the CSRF cookie
    referer = f"http://testserver/don-vi/{units.vinh.pk}/"
    response = browser.post("/dang-xuat/", {"csrfmiddlewaretoken": "d" * 32}, HTTP_REFERER=referer)
    assert response.status_code == 403
    html = page(response)
    assert "Biểu mẫu đã hết hạn" in html and "thẻ khác" in html and app_frame(html)
    assert f'href="{referer}"' in html
    assert get_user_model().objects.filter(username="vinh").exists()
    elsewhere = browser.post(
        "/dang-xuat/", {"csrfmiddlewaretoken": "d" * 32}, HTTP_REFERER="https://gia-mao.example/"
    )
    assert "gia-mao" not in page(elsewhere)


# --- Lock-out ------------------------------------------------------------------------------------


def _lock(client: Client, username: str) -> Any:
    for _ in range(5):
        client.post("/dang-nhap/", {"username": username, "password": "sai"})
    return client.post("/dang-nhap/", {"username": username, "password": PASSWORD})


def test_the_lock_out_page_states_the_real_wait_and_links_back(db: None) -> None:
    response = _lock(Client(), "nghiloc")
    assert response.status_code == 429
    html = page(response)
    assert "Tạm khóa đăng nhập" in html and "Hãy đợi 15 phút" in html
    assert "ít phút" not in html
    assert re.search(r"đến sau \d\d:\d\d ngày \d\d/\d\d/\d{4}", html)
    assert 'href="/dang-nhap/"' in html and f'href="{reverse("gazetteer_home")}"' in html
    assert "<strong>nghiloc</strong>" in html


def test_the_lock_out_page_follows_the_setting(db: None, settings: Any) -> None:
    settings.AXES_COOLOFF_TIME = 40 / 60  # TINHUY_LOGIN_COOLOFF_MINUTES=40
    html = page(_lock(Client(), "vinh"))
    assert "Hãy đợi 40 phút" in html


def test_a_lock_without_cool_off_says_who_lifts_it(db: None, settings: Any) -> None:
    """``AXES_COOLOFF_TIME = None``: django-axes never lifts the lock by itself."""
    settings.AXES_COOLOFF_TIME = None
    html = page(_lock(Client(), "btv"))
    assert "sẽ không tự mở khóa" in html and "phút" not in html.split("<main", 1)[1]
