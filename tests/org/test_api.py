"""The organisation API: /api/v1/structures/ and /api/v1/units/."""

import pytest

from tinhuy.org.models import Unit


def test_anonymous_citizen_gets_401_problem_json(client_for, personas, units) -> None:
    client = client_for(personas.citizen)
    for url in ("/api/v1/structures/", "/api/v1/units/", f"/api/v1/units/{units.vinh.pk}"):
        response = client.get(url)
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == 401


def test_structures_lists_only_structures_in_scope_with_levels(client_for, personas, units) -> None:
    data = client_for(personas.vinh_officer).get("/api/v1/structures/").json()
    assert [s["code"] for s in data] == ["nghe-an-2020"]
    assert [level["name"] for level in data[0]["levels"]] == [
        "Cấp tỉnh", "Cấp huyện và tương đương", "Cấp cơ sở", "Chi bộ",
    ]  # fmt: skip
    data = client_for(personas.province_office).get("/api/v1/structures/").json()
    assert {s["code"] for s in data} == {"nghe-an-2020", "nghe-an-2025", "nghe-an-co-quan"}


def test_units_are_paginated_and_counted(client_for, personas, units) -> None:
    client = client_for(personas.province_office)
    data = client.get("/api/v1/units/", {"parent": units.province_2025.pk}).json()
    assert data["count"] == 130
    assert len(data["items"]) == 50
    page3 = client.get("/api/v1/units/", {"parent": units.province_2025.pk, "page": 3}).json()
    assert len(page3["items"]) == 30
    names = [u["name"] for u in client.get(
        "/api/v1/units/", {"parent": units.province_2025.pk, "page_size": 200}
    ).json()["items"]]  # fmt: skip
    assert len(names) == 130
    from tinhuy.search.text import sort_key

    assert names == sorted(names, key=sort_key)


def test_units_filter_by_structure_and_folded_query(client_for, personas, units) -> None:
    client = client_for(personas.province_office)
    data = client.get(
        "/api/v1/units/", {"structure": units.structure_2020.pk, "q": "do luong"}
    ).json()
    names = [u["name"] for u in data["items"]]
    assert names[0] == "Đảng bộ huyện Đô Lương"  # then its sample grassroots organisations
    assert all("Đô Lương" in name for name in names)
    assert data["items"][0]["level_name"] == "Cấp huyện và tương đương"
    assert data["items"][0]["has_children"] is True
    data = client.get("/api/v1/units/", {"structure": units.structure_2020.pk, "q": "429"}).json()
    assert [u["code"] for u in data["items"]] == ["429"]


def test_vinh_officer_lists_only_vinhs_subtree(client_for, personas, units) -> None:
    client = client_for(personas.vinh_officer)
    data = client.get("/api/v1/units/", {"page_size": 200}).json()
    expected = Unit.objects.filter(path__startswith=units.vinh.path).count()
    assert data["count"] == expected
    assert {u["id"] for u in data["items"]} <= set(
        Unit.objects.filter(path__startswith=units.vinh.path).values_list("pk", flat=True)
    )
    assert client.get("/api/v1/units/", {"q": "nghi loc"}).json()["count"] == 0


def test_vinh_officer_gets_404_outside_vinh_by_api(client_for, personas, units) -> None:
    client = client_for(personas.vinh_officer)
    for unit in (units.nghiloc, units.nghiloc_cell, units.province_2020, units.commune_2025):
        response = client.get(f"/api/v1/units/{unit.pk}")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
        assert client.get("/api/v1/units/", {"parent": unit.pk}).status_code == 404
    assert client.get("/api/v1/units/", {"structure": units.structure_2025.pk}).status_code == 404
    assert client.get(f"/api/v1/units/{units.vinh_cell.pk}").status_code == 200


def test_unit_detail_has_visible_ancestors_children_and_people(client_for, personas, units) -> None:
    data = client_for(personas.vinh_officer).get(f"/api/v1/units/{units.vinh_cell.pk}").json()
    assert [a["id"] for a in data["ancestors"]] == [units.vinh.pk, units.vinh_grassroots.pk]
    data = client_for(personas.vinh_officer).get(f"/api/v1/units/{units.vinh.pk}").json()
    assert data["ancestors"] == []  # the province is outside his scope
    assert {p["position"] for p in data["people"]} == {
        "Bí thư (minh họa)",
        "Chánh Văn phòng (minh họa)",
    }
    assert len(data["children"]) == Unit.objects.filter(parent=units.vinh).count()
    assert data["has_children"] is True


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/units/?foo=1",
        "/api/v1/units/?structure=abc",
        "/api/v1/units/?parent=-1",
        "/api/v1/units/?page=0",
        "/api/v1/units/?page=99999999999999999999",
        "/api/v1/units/?page_size=100000",
        "/api/v1/units/?q=" + "x" * 201,
        "/api/v1/units/abc",
        "/api/v1/units/0",
        "/api/v1/units/99999999999999999999999",
        "/api/v1/units/123456789",
        "/api/v1/structures/?structure=1",
        "/api/v1/units/?structure=999999",
    ],
)
def test_bad_parameters_and_ids_are_4xx_json_never_500(client_for, personas, url) -> None:
    response = client_for(personas.province_office).get(url)
    assert 400 <= response.status_code < 500
    assert response["Content-Type"] in ("application/json", "application/problem+json")
    assert response.json()


def test_api_query_counts_are_bounded(
    client_for, personas, units, django_assert_max_num_queries
) -> None:
    """Listing 200 units costs the same as listing 5: no query per unit."""
    client = client_for(personas.province_office)
    with django_assert_max_num_queries(5):
        assert client.get("/api/v1/structures/").status_code == 200
    with django_assert_max_num_queries(7):
        client.get("/api/v1/units/", {"parent": units.province_2025.pk, "page_size": 200})
    with django_assert_max_num_queries(7):
        client.get("/api/v1/units/", {"parent": units.province_2025.pk, "page_size": 5})
    with django_assert_max_num_queries(9):
        client.get(f"/api/v1/units/{units.province_2025.pk}")
