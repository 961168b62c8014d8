"""The two Nghệ An structures the demo loads."""

from vietnam_provinces import Ward

from tinhuy.org.loaders import load_2020_structure, load_current_structure
from tinhuy.org.models import Unit, UnitKind


def test_current_structure_has_the_province_and_its_130_communes_and_wards(units) -> None:
    """Today's two levels, with the official codes of vietnam-provinces."""
    communes = Unit.objects.filter(structure=units.structure_2025, parent=units.province_2025)
    assert communes.count() == 130
    official = {f"{w.code.value:05d}" for w in Ward.iter_by_province(40)}  # type: ignore[arg-type]
    assert set(communes.values_list("code", flat=True)) == official
    assert set(communes.values_list("kind", flat=True)) == {UnitKind.COMMUNE, UnitKind.WARD}
    assert communes.filter(kind=UnitKind.WARD).count() == 11
    assert not communes.filter(is_sample=True).exists()


def test_2020_structure_has_21_district_level_units_and_two_blocks(units) -> None:
    upper = Unit.objects.filter(structure=units.structure_2020, parent=units.province_2020)
    districts = upper.filter(kind__in=[UnitKind.CITY, UnitKind.TOWN, UnitKind.DISTRICT])
    assert districts.count() == 21
    assert upper.filter(kind=UnitKind.BLOCK).count() == 2
    names = set(districts.values_list("name", flat=True))
    assert {"Đảng bộ thành phố Vinh", "Đảng bộ huyện Nghi Lộc", "Đảng bộ huyện Đô Lương"} <= names
    assert not upper.filter(is_sample=True).exists()


def test_2020_grassroots_and_cells_are_marked_as_sample_data(units) -> None:
    below = Unit.objects.filter(structure=units.structure_2020, depth__gte=2)
    assert below.exists()
    assert not below.filter(is_sample=False).exists()
    assert all("minh họa" in name for name in below.values_list("name", flat=True))


def test_paths_and_depths_follow_the_parents(units) -> None:
    assert units.vinh_cell.path.startswith(units.vinh_grassroots.path)
    assert units.vinh_grassroots.path.startswith(units.vinh.path)
    assert units.vinh.path == f"{units.province_2020.path}{units.vinh.pk}/"
    assert (units.province_2020.depth, units.vinh.depth, units.vinh_cell.depth) == (0, 1, 3)
    assert units.vinh_cell.level.order == 4


def test_loaders_are_idempotent(units, django_assert_max_num_queries) -> None:
    """Loading again finds the structure by its code and writes nothing."""
    before = Unit.objects.count()
    with django_assert_max_num_queries(2):
        assert load_current_structure() == units.structure_2025
        assert load_2020_structure() == units.structure_2020
    assert Unit.objects.count() == before
