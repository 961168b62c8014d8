"""Pages of the organisation: home, structure browser, unit page, children fragment."""

import pytest
from django.urls import reverse


def test_anonymous_citizen_is_sent_to_log_in(client_for, personas, units) -> None:
    client = client_for(personas.citizen)
    for url in (
        reverse("home"),
        reverse("structure_detail", args=[units.structure_2020.pk]),
        reverse("unit_detail", args=[units.vinh.pk]),
        reverse("unit_children", args=[units.vinh.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_home_lists_the_users_units_and_structures(client_for, personas, units) -> None:
    response = client_for(personas.vinh_officer).get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Đảng bộ thành phố Vinh" in body
    assert units.structure_2020.name in body
    assert units.structure_2025.name not in body


def test_home_query_count_is_bounded(client_for, personas, django_assert_max_num_queries) -> None:
    client = client_for(personas.province_office)
    # Session, user, scope; memberships, structures; the to-do list: follow-ups and their
    # count, programme tasks and milestones, the study campaign's duties, the office's
    # conferences, the units past the deadline and the reminders sent (tinhuy.todo).
    with django_assert_max_num_queries(12):
        assert client.get(reverse("home")).status_code == 200


def test_structure_browser_shows_levels_and_the_users_roots(client_for, personas, units) -> None:
    body = (
        client_for(personas.vinh_officer)
        .get(reverse("structure_detail", args=[units.structure_2020.pk]))
        .content.decode()
    )
    assert f'id="unit-{units.vinh.pk}"' in body
    assert f'id="unit-{units.province_2020.pk}"' not in body
    assert "Cấp cơ sở" in body


def test_current_structure_shows_all_130_communes_and_wards(client_for, personas, units) -> None:
    """Expanding the province root lists its 130 communes and wards."""
    client = client_for(personas.province_office)
    body = client.get(reverse("unit_children", args=[units.province_2025.pk])).content.decode()
    assert body.count('<li id="unit-') == 130
    assert "Đảng bộ xã Anh Sơn" in body


def test_2020_structure_shows_the_21_district_level_units(client_for, personas, units) -> None:
    client = client_for(personas.province_office)
    body = client.get(reverse("unit_children", args=[units.province_2020.pk])).content.decode()
    # 21 districts, towns and the city + 2 blocks + the Ban Tuyên giáo (tinhuy.meetings.demo)
    assert body.count('<li id="unit-') == 24
    for name in ("Đảng bộ thành phố Vinh", "Đảng bộ thị xã Hoàng Mai", "Đảng bộ huyện Quế Phong"):
        assert name in body


def test_children_are_in_vietnamese_order(client_for, personas, units) -> None:
    body = (
        client_for(personas.province_office)
        .get(reverse("unit_children", args=[units.province_2020.pk]))
        .content.decode()
    )
    # "huyện Đô Lương" sorts after "huyện Diễn Châu" (d < đ) and before "huyện Hưng Nguyên".
    assert (
        body.index("huyện Diễn Châu")
        < body.index("huyện Đô Lương")
        < body.index("huyện Hưng Nguyên")
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("nghi loc", "Đảng bộ huyện Nghi Lộc"), ("do luong", "Đảng bộ huyện Đô Lương"),
     ("ĐÔ LƯƠNG", "Đảng bộ huyện Đô Lương"), ("thai hoa", "Đảng bộ thị xã Thái Hòa"),
     ("Thái Hoà", "Đảng bộ thị xã Thái Hòa")],
)  # fmt: skip
def test_search_ignores_marks_and_d_bar(client_for, personas, units, typed, expected) -> None:
    response = client_for(personas.province_office).get(
        reverse("structure_detail", args=[units.structure_2020.pk]),
        {"q": typed},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert expected in response.content.decode()


def test_search_stays_in_scope(client_for, personas, units) -> None:
    """The Vinh officer searching for Nghi Lộc finds nothing."""
    body = (
        client_for(personas.vinh_officer)
        .get(reverse("structure_detail", args=[units.structure_2020.pk]), {"q": "nghi loc"})
        .content.decode()
    )
    assert "Đảng bộ huyện Nghi Lộc" not in body
    assert "Không tìm thấy đơn vị nào." in body


def test_unit_page_shows_path_children_and_people(client_for, personas, units) -> None:
    body = (
        client_for(personas.vinh_officer)
        .get(reverse("unit_detail", args=[units.vinh.pk]))
        .content.decode()
    )
    assert "Đảng bộ thành phố Vinh" in body
    assert "Bí thư (minh họa)" in body
    assert units.vinh_grassroots.name in body
    # The province is outside the Vinh officer's scope, so the path starts at Vinh.
    assert f'href="/don-vi/{units.province_2020.pk}/"' not in body
    body = (
        client_for(personas.province_office)
        .get(reverse("unit_detail", args=[units.vinh_cell.pk]))
        .content.decode()
    )
    assert f'href="/don-vi/{units.province_2020.pk}/"' in body
    assert f'href="/don-vi/{units.vinh_grassroots.pk}/"' in body


@pytest.mark.parametrize("page", ["unit_detail", "unit_children"])
def test_vinh_officer_gets_404_outside_vinh(client_for, personas, units, page) -> None:
    client = client_for(personas.vinh_officer)
    for unit in (units.nghiloc, units.nghiloc_cell, units.province_2020, units.commune_2025):
        assert client.get(reverse(page, args=[unit.pk])).status_code == 404
    assert client.get(reverse(page, args=[units.vinh_cell.pk])).status_code == 200


def test_vinh_officer_gets_404_for_a_structure_without_his_units(
    client_for, personas, units
) -> None:
    client = client_for(personas.vinh_officer)
    assert (
        client.get(reverse("structure_detail", args=[units.structure_2025.pk])).status_code == 404
    )
    assert client.get(reverse("structure_detail", args=[999999])).status_code == 404


def test_nghiloc_officer_gets_404_for_vinh(client_for, personas, units) -> None:
    client = client_for(personas.nghiloc_officer)
    assert client.get(reverse("unit_detail", args=[units.vinh.pk])).status_code == 404
    assert client.get(reverse("unit_detail", args=[units.nghiloc_cell.pk])).status_code == 200


def test_page_query_counts_do_not_grow_with_children(
    client_for, personas, units, django_assert_max_num_queries
) -> None:
    """The 130-commune fragment and the structure page cost a fixed number of queries."""
    client = client_for(personas.province_office)
    with django_assert_max_num_queries(6):
        client.get(reverse("unit_children", args=[units.province_2025.pk]))
    with django_assert_max_num_queries(8):
        client.get(reverse("structure_detail", args=[units.structure_2025.pk]))
    with django_assert_max_num_queries(8):
        client.get(reverse("structure_detail", args=[units.structure_2025.pk]), {"q": "xa"})
    with django_assert_max_num_queries(9):
        client.get(reverse("unit_detail", args=[units.province_2025.pk]))


def test_pages_are_vietnamese_with_an_english_option(client_for, personas, units) -> None:
    client = client_for(personas.vinh_officer)
    body = client.get(reverse("home")).content.decode()
    assert '<html lang="vi">' in body and "Đơn vị của tôi" in body
    client.cookies["django_language"] = "en"
    body = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in body and "My units" in body


def test_the_gazetteer_editor_sees_nothing_of_the_organisation(client_for, personas, units) -> None:
    """His membership says where he works; it opens no unit, structure or API list to him."""
    from tinhuy.org.access import scope_for

    scope = scope_for(personas.editor)
    assert not scope.can_view(units.province_2025) and not scope.can_view(units.commune_2025)
    client = client_for(personas.editor)
    assert client.get(reverse("unit_detail", args=[units.commune_2025.pk])).status_code == 404
    assert (
        client.get(reverse("structure_detail", args=[units.structure_2025.pk])).status_code == 404
    )
    assert client.get("/api/v1/structures/").json() == []
