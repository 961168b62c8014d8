"""Review of stop 21: the unit selector fed by the progress's children, the kept parts evicted
when superseded, and a conference's start time on the local clock in the API."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.study.test_api import bearer_client, conference_body, plan_url
from tests.study.test_dashboard import _selector_in_one_query
from tests.study.test_progress_by_part import _plan, no_kept_parts  # noqa: F401 - the autouse fixture
from tinhuy.api import api
from tinhuy.org.access import scope_for
from tinhuy.org.actions import do_create_unit
from tinhuy.org.models import Membership, Role, Unit, UnitKind
from tinhuy.study import queries
from tinhuy.study.models import Conference

DAY = datetime.date(2021, 1, 15)


def _two_roles(units):  # type: ignore[no-untyped-def]
    """An officer of Nghi Lộc (depth 1) who also heads a grassroots organisation of Vinh
    (depth 2): two subtrees at different depths."""
    user = get_user_model().objects.create_user("hai-vai", password="mat-khau-thu-nghiem-1")
    Membership.objects.create(user=user, unit=units.nghiloc, role=Role.OFFICE_OFFICER)
    Membership.objects.create(user=user, unit=units.vinh_grassroots, role=Role.UNIT_HEAD)
    return user


# --- the unit selector -------------------------------------------------------------------------


@pytest.mark.parametrize("by_part", [False, True])
def test_the_selector_of_an_officer_with_two_roles_at_two_depths(
    plan_2020, units, client_for, by_part
) -> None:
    """Every unit the selector lists is in the officer's scope, and the list is the one query's
    for each root he may choose, a childless cell included; Vinh itself stays 404."""
    plan = _plan(plan_2020, by_part=by_part)
    user = _two_roles(units)
    scope = scope_for(user)
    roots = [units.nghiloc, units.vinh_grassroots, units.vinh_cell, units.nghiloc_cell]
    for root in roots:
        progress = queries.plan_progress(plan, root, scope, DAY, with_children=True)
        choices = queries.unit_choices(scope, progress)
        assert choices == _selector_in_one_query(scope, progress), root
        listed = Unit.objects.filter(pk__in=[pk for pk, _label in choices])
        assert all(scope.can_view(unit) for unit in listed), root
        assert units.vinh.pk not in {pk for pk, _label in choices}
    client = client_for(user)
    url = reverse("study_dashboard", args=[plan.pk])
    response = client.get(f"{url}?don_vi={units.vinh_grassroots.pk}&ngay=15/01/2021")
    assert response.status_code == 200
    shown = {int(pk) for pk in re.findall(r'<option value="(\d+)"', response.content.decode())}
    assert {pk for pk, _label in response.context["unit_choices"]} <= shown
    assert units.vinh.pk not in shown and units.province_2020.pk not in shown
    assert client.get(f"{url}?don_vi={units.vinh.pk}").status_code == 404


@pytest.mark.parametrize("by_part", [False, True])
def test_the_selector_at_the_top_of_the_2025_structure_and_under_an_advisory_board(
    plan_2020, plan_2025, personas, units, by_part
) -> None:
    """The 2025 structure's top (depth 0) and a commune, and an advisory board chosen as the root
    (depth 1: a kept part of its own when rolled up by part): the one query's list."""
    board = do_create_unit(
        units.structure_2020,
        code="40-BTC-R",
        name="Ban Tổ chức Tỉnh ủy (rà soát)",
        level_code="huyen",
        kind=UnitKind.ADVISORY,
        parent=units.province_2020,
        is_sample=True,
        acting_user=None,
    )
    organisation = do_create_unit(
        units.structure_2020,
        code="40-BTC-R-CS",
        name="Chi bộ Ban Tổ chức (rà soát)",
        level_code="co-so",
        kind=UnitKind.GRASSROOTS,
        parent=board,
        is_sample=True,
        acting_user=None,
    )
    cases = [
        (_plan(plan_2025, by_part=by_part), personas.province_office, units.province_2025),
        (_plan(plan_2025, by_part=by_part), personas.province_office, units.commune_2025),
        (_plan(plan_2020, by_part=by_part), personas.province_office, units.province_2020),
        (_plan(plan_2020, by_part=by_part), personas.board_member, board),
    ]
    for plan, user, root in cases:
        scope = scope_for(user)
        progress = queries.plan_progress(plan, root, scope, DAY, with_children=True)
        choices = queries.unit_choices(scope, progress)
        assert choices == _selector_in_one_query(scope, progress), (plan, root)
        assert choices
        if root == board:
            assert organisation.pk in {pk for pk, _label in choices}


# --- kept parts --------------------------------------------------------------------------------


def test_a_part_judged_in_a_rolled_back_transaction_leaves_the_kept_one_in_memory(
    plan_2020, personas, units, django_capture_on_commit_callbacks
) -> None:
    """``_remember`` runs on commit: a province viewed again after a change that is then rolled
    back neither keeps the rolled-back part nor evicts the one it had."""
    from django.db import transaction

    from tests.study.test_progress_by_part import _change_under

    plan = _plan(plan_2020, by_part=True)
    office = personas.province_office
    scope = scope_for(office)
    with django_capture_on_commit_callbacks(execute=True):
        first = queries.plan_progress(plan, units.vinh, scope, DAY, with_children=True)
    [kept] = queries._PARTS.values()
    with transaction.atomic():
        _change_under(Unit.objects.filter(parent=units.vinh).order_by("code").first(), office)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            queries.plan_progress(plan, units.vinh, scope, DAY, with_children=True)
        transaction.set_rollback(True)
    assert callbacks  # what would have been remembered, had it committed
    assert list(queries._PARTS.values()) == [kept]
    again = queries.plan_progress(plan, units.vinh, scope, DAY, with_children=True)
    assert [r.progress for r in again.rows] == [r.progress for r in first.rows]


# --- a conference's start time in the API -----------------------------------------------------


def test_a_start_time_with_a_fraction_of_a_second_is_answered_as_documented(
    personas, units, plan_2020
) -> None:
    """The API documents a start time by a pattern (``LocalTime``) but took "07:30:00.5": the
    conference was stored with the fraction and the answer's start time was "07:30:00.500",
    outside the pattern the document gives for it. Either refuse the fraction (422) or answer
    within the pattern."""
    documented = api.get_openapi_schema()["components"]["schemas"]["ConferenceOut"]
    [pattern] = [
        option["pattern"]
        for option in documented["properties"]["start_time"]["anyOf"]
        if "pattern" in option
    ]
    response = bearer_client(personas.vinh_officer).post(
        plan_url(plan_2020, "/conferences"),
        conference_body(units.vinh_grassroots, units.province_2020, start_time="07:30:00.5"),
        content_type="application/json",
    )
    if response.status_code == 422:
        return
    assert response.status_code == 201, response.content
    answered = response.json()["start_time"]
    assert re.match(pattern, answered), answered
    stored = Conference.objects.get(pk=response.json()["id"]).start_time
    assert stored is not None and stored.microsecond == 0
