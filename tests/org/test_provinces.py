"""The province of a unit (``tinhuy.org.provinces``): the top of a province's structure, or in a
structure of many provinces (``Structure.roll_up_by_part``) the unit right below the national
top, the top being its own. The flag cannot change once a structure has units: every row's
province was written under it."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.test import RequestFactory

from tinhuy.org.actions import LevelSpec, UnitSpec, do_create_structure, do_create_units
from tinhuy.org.models import Structure, Unit
from tinhuy.org.provinces import province_of

LEVELS = [LevelSpec("tw", "Trung ương"), LevelSpec("tinh", "Tỉnh"), LevelSpec("co-so", "Cơ sở")]
SPECS = [
    UnitSpec("TW", "Trung ương (thử)", "tw", "province"),
    UnitSpec("T1", "Tỉnh Một (thử)", "tinh", "province", "TW"),
    UnitSpec("T2", "Tỉnh Hai (thử)", "tinh", "province", "TW"),
    UnitSpec("G1", "Đảng bộ xã Một (thử)", "co-so", "grassroots", "T1"),
    UnitSpec("G2", "Đảng bộ xã Hai (thử)", "co-so", "grassroots", "T2"),
]


@pytest.mark.parametrize(
    ("path", "by_part", "province"),
    [
        ("/1/", False, 1),
        ("/1/18/", False, 1),
        ("/1/18/123/", False, 1),
        ("/1/", True, 1),  # the national top is its own
        ("/1/18/", True, 18),
        ("/1/18/123/4567/", True, 18),
    ],
)
def test_the_province_is_read_from_the_path_and_the_flag(path, by_part, province) -> None:
    assert province_of(path, by_part) == province


def _structure(code: str, *, by_part: bool) -> dict[str, Unit]:
    structure = do_create_structure(
        code=code, name=code, levels=LEVELS, roll_up_by_part=by_part, acting_user=None
    )
    # Two calls, as an import adding units to a structure already loaded does.
    created = do_create_units(structure, SPECS[:2], acting_user=None)
    created += do_create_units(structure, SPECS[2:], acting_user=None)
    return {u.code: Unit.objects.get(pk=u.pk) for u in created}


@pytest.mark.django_db
def test_a_province_structure_has_its_top_as_every_units_province() -> None:
    units = _structure("mot-tinh", by_part=False)
    assert {u.province_id for u in units.values()} == {units["TW"].pk}


@pytest.mark.django_db
def test_a_national_structure_has_the_units_below_the_top_as_provinces() -> None:
    units = _structure("toan-quoc-thu", by_part=True)
    province = {code: u.province_id for code, u in units.items()}
    t1, t2 = units["T1"].pk, units["T2"].pk
    assert province == {"TW": units["TW"].pk, "T1": t1, "T2": t2, "G1": t1, "G2": t2}
    for unit in units.values():
        assert unit.province_id == province_of(unit.path, True)


@pytest.mark.django_db
def test_the_roll_up_cannot_change_once_the_structure_has_units() -> None:
    units = _structure("khoa-co", by_part=False)
    structure = units["TW"].structure
    structure.roll_up_by_part = True
    with pytest.raises(ValidationError) as raised:
        structure.full_clean()
    assert "roll_up_by_part" in raised.value.message_dict
    assert "đã có đơn vị" in raised.value.message_dict["roll_up_by_part"][0]
    structure.roll_up_by_part = False
    structure.full_clean()  # the rest may still change


@pytest.mark.django_db
def test_the_roll_up_can_change_while_the_structure_has_no_unit() -> None:
    structure = do_create_structure(code="trong", name="Trống", levels=LEVELS, acting_user=None)
    structure.roll_up_by_part = True
    structure.full_clean()


@pytest.mark.django_db
def test_the_admin_refuses_to_change_the_roll_up_of_a_structure_with_units() -> None:
    structure = Structure.objects.filter(units__isnull=False).distinct().first()
    assert structure is not None and not structure.roll_up_by_part
    request = RequestFactory().post("/")
    request.user = User.objects.create_superuser("quantri-tinh", password="x-admin-1")
    form_class = site._registry[Structure].get_form(request, structure, change=True)
    data = {**model_to_dict(structure, fields=form_class.base_fields), "roll_up_by_part": "on"}
    form = form_class(data={k: "" if v is None else v for k, v in data.items()}, instance=structure)
    assert not form.is_valid()
    assert "đã có đơn vị" in form.errors["roll_up_by_part"][0]
