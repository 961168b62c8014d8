"""The state agencies as units of a structure of their own: real bodies, levels as data, the 2025
merger of the Department of Planning and Investment into the Department of Finance recorded as a
successor link, TP Vinh's People's Committee ceased with the district level, sample people."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from tinhuy.audit.models import AuditEvent
from tinhuy.org import agencies as ag
from tinhuy.org.access import scope_for
from tinhuy.org.models import Person, Structure, Unit, UnitKind

pytestmark = pytest.mark.django_db

D = datetime.date


def _structure() -> Structure:
    return Structure.objects.get(code=ag.AGENCIES_CODE)


def test_the_agencies_are_a_structure_with_levels_as_data() -> None:
    structure = _structure()
    assert structure.name == "Cơ quan nhà nước tỉnh Nghệ An"
    assert [level.name for level in structure.levels.all()] == [
        "Cấp tỉnh",
        "Sở, ban, ngành và cấp huyện",
    ]
    units = {u.code: u for u in structure.units.select_related("parent", "level")}
    assert {u.name for u in units.values()} == {name for _code, name, _parent in ag.AGENCIES}
    root = units[ag.PROVINCE_COMMITTEE]
    assert (root.name, root.parent, root.level.order) == ("Ủy ban nhân dân tỉnh Nghệ An", None, 1)
    below = [u for u in units.values() if u != root]
    assert all(u.parent == root and u.level.order == 2 for u in below)
    assert {u.kind for u in units.values()} == {UnitKind.AGENCY}
    # Real bodies, not sample units.
    assert not structure.units.filter(is_sample=True).exists()
    for name in (
        "Sở Kế hoạch và Đầu tư",
        "Sở Tài chính",
        "Sở Xây dựng",
        "Sở Giao thông vận tải",
        "Sở Văn hóa và Thể thao",
        "Sở Thông tin và Truyền thông",
        "Sở Khoa học và Công nghệ",
        "Ủy ban nhân dân thành phố Vinh",
    ):
        assert name in {u.name for u in below}


def test_the_2025_merger_is_a_successor_link_with_a_date_to_confirm() -> None:
    planning, finance = ag.agency(ag.PLANNING), ag.agency(ag.FINANCE)
    assert planning.valid_to == D(2025, 2, 28)
    assert list(planning.successors.all()) == [finance]
    assert finance.valid_to is None and list(finance.predecessors.all()) == [planning]
    # The province's own effective date is not asserted as a fact: the description says so.
    assert "ngày hiệu lực cần đối chiếu văn bản của tỉnh" in _structure().description
    assert AuditEvent.objects.filter(
        action="unit.set_validity", target_id=str(planning.pk)
    ).exists()
    assert AuditEvent.objects.filter(
        action="unit.set_successors", target_id=str(planning.pk)
    ).exists()


def test_tp_vinhs_committee_ceased_with_the_district_level_and_has_no_successors_claimed() -> None:
    vinh = ag.agency(ag.VINH_COMMITTEE)
    assert vinh.valid_to == D(2025, 6, 30)
    assert not vinh.successors.exists()
    assert "chưa ghi đơn vị kế thừa" in _structure().description


def test_the_people_in_the_agencies_are_sample_people() -> None:
    people = Person.objects.filter(unit__structure__code=ag.AGENCIES_CODE)
    assert people.count() == sum(len(p) for p in ag.AGENCY_PEOPLE.values())
    assert all(p.is_sample and "(minh họa)" in p.full_name for p in people)
    assert all("(minh họa)" in p.position for p in people)


def test_loading_again_changes_nothing(django_assert_max_num_queries: Any) -> None:
    before = (Unit.objects.count(), Person.objects.count(), AuditEvent.objects.count())
    structure = _structure()
    with django_assert_max_num_queries(1):
        assert ag.load_agencies_structure() == structure
    assert (Unit.objects.count(), Person.objects.count(), AuditEvent.objects.count()) == before


def test_the_agency_personas_see_their_own_department_only(personas: Any, units: Any) -> None:
    """sokhdt sees the Department of Planning and Investment, not the Department of Finance nor
    any Party unit; the Vinh Party officer sees no agency."""
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["sokhdt", "sotaichinh", "ubndvinh"])
    }
    planning, finance = ag.agency(ag.PLANNING), ag.agency(ag.FINANCE)
    vinh = ag.agency(ag.VINH_COMMITTEE)
    sokhdt = scope_for(users["sokhdt"])
    assert sokhdt.can_change(planning) and not sokhdt.can_view(finance)
    assert not sokhdt.can_view(units.vinh) and not sokhdt.can_view(units.province_2020)
    assert scope_for(users["sotaichinh"]).can_change(finance)
    assert scope_for(users["ubndvinh"]).can_change(vinh)
    assert not scope_for(users["ubndvinh"]).can_view(units.vinh)  # the Party unit is not hers
    assert not scope_for(personas.vinh_officer).can_view(vinh)
    assert scope_for(personas.province_office).can_change(planning)
