"""The scope: which units each persona may see and change."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tinhuy.org.access import get_unit_for_change, get_unit_for_user, scope_for, visible_structures
from tinhuy.org.models import Unit


def test_province_office_sees_and_changes_everything(personas, units) -> None:
    """The province office's scope has no limit, in either structure."""
    scope = scope_for(personas.province_office)
    assert scope.everything
    assert scope.units().count() == Unit.objects.count()
    assert scope.can_change(units.nghiloc_cell) and scope.can_change(units.commune_2025)


def test_vinh_officer_sees_exactly_vinhs_subtree(personas, units) -> None:
    """The Vinh officer's units are Vinh and what lies below it — nothing else."""
    scope = scope_for(personas.vinh_officer)
    seen = set(scope.units().values_list("pk", flat=True))
    expected = set(
        Unit.objects.filter(path__startswith=units.vinh.path).values_list("pk", flat=True)
    )
    assert seen == expected
    assert len(expected) > 1
    assert scope.can_view(units.vinh_cell) and scope.can_change(units.vinh_cell)
    assert not scope.can_view(units.nghiloc) and not scope.can_view(units.province_2020)
    assert not scope.can_view(units.commune_2025)


def test_sibling_paths_with_a_common_prefix_do_not_leak(personas, units) -> None:
    """Paths end with "/", so unit 4's scope never covers unit 41 or 412."""
    scope = scope_for(personas.vinh_officer)
    others = Unit.objects.exclude(path__startswith=units.vinh.path)
    assert not any(scope.can_view(u) for u in others)


def test_board_member_sees_all_but_changes_nothing(personas, units) -> None:
    scope = scope_for(personas.board_member)
    assert scope.can_view(units.nghiloc_cell) and scope.can_view(units.commune_2025)
    assert not scope.can_change(units.nghiloc_cell)
    with pytest.raises(PermissionDenied):
        get_unit_for_change(personas.board_member, units.vinh.pk)


def test_out_of_scope_units_are_404_not_403(personas, units) -> None:
    """A unit the user may not see does not exist for them: Http404, like a wrong id."""
    with pytest.raises(Http404):
        get_unit_for_user(personas.vinh_officer, units.nghiloc.pk)
    with pytest.raises(Http404):
        get_unit_for_change(personas.vinh_officer, units.nghiloc_cell.pk)
    with pytest.raises(Http404):
        get_unit_for_user(personas.vinh_officer, 10**12)


def test_anonymous_citizen_has_no_scope(personas, units) -> None:
    scope = scope_for(personas.citizen)
    assert scope.units().count() == 0
    assert not visible_structures(personas.citizen).exists()


def test_structures_are_visible_only_where_the_user_has_units(personas, units) -> None:
    assert list(visible_structures(personas.vinh_officer)) == [units.structure_2020]
    assert set(visible_structures(personas.board_member)) == {
        units.structure_2020,
        units.structure_2025,
    }


def test_scope_is_computed_once_per_user_object(personas, django_assert_num_queries) -> None:
    """Pages call scope_for many times; only the first call reads the memberships."""
    user = personas.vinh_officer
    with django_assert_num_queries(1):
        scope_for(user)
        scope_for(user)
