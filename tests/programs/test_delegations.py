"""The delegation register pages (R5): the list (filtered by state and unit, scoped), a
delegation's page with its state form, and the form that records one.

Who sees what: a delegation from the province to TP Vinh is seen by the province office, the
Board member (read-only) and the Vinh officer (it concerns his unit); it does not exist for the
Nghi Lộc officer (404). The programme it serves is linked only for who sees the programme.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tinhuy.audit.models import AuditEvent
from tinhuy.programs import actions
from tinhuy.programs.models import Delegation, DelegationState

pytestmark = pytest.mark.django_db

LIST = "/chuong-trinh/phan-cap/"
CREATE = "/chuong-trinh/phan-cap/moi/"


def _main(html: bytes) -> bytes:
    """What a page says (its <main>), without the token and address the frame carries."""
    found = re.search(rb"<main.*</main>", html, re.S)
    assert found is not None
    return found.group(0)


def _delegation(units: Any, personas: Any, plan: Any, **extra: Any) -> Delegation:
    spec = {
        "kind": "delegation",
        "title": "Phân cấp phê duyệt dự án nhóm C cho thành phố (minh họa)",
        "from_unit": units.province_2020,
        "to_unit": units.vinh,
        "legal_basis": "Nghị quyết 36/2021/QH15",
        "effective_on": datetime.date(2021, 7, 1),
        "state": DelegationState.IN_EFFECT,
        "programme": plan.programme,
        **extra,
    }
    return actions.do_create_delegation(
        actions.DelegationSpec(**spec), acting_user=personas.province_office
    )


def test_the_register_lists_delegations_with_their_dates_state_and_programme(
    client_for: Any, personas: Any, units: Any, plan: Any
) -> None:
    delegation = _delegation(units, personas, plan)
    page = client_for(personas.province_office).get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert delegation.title in html
    assert "01/07/2021" in html
    assert "Đã có hiệu lực" in html and "Nghị quyết 36/2021/QH15" in html
    assert f"/chuong-trinh/{plan.programme.pk}/" in html  # the programme it serves, linked
    assert "table-responsive" in html
    # Vinh sees it (his unit is concerned), without the province's programme.
    vinh = client_for(personas.vinh_officer).get(LIST).content.decode()
    assert delegation.title in vinh
    assert plan.programme.title not in vinh
    nghiloc = client_for(personas.nghiloc_officer).get(LIST).content.decode()
    assert delegation.title not in nghiloc
    assert client_for(personas.citizen).get(LIST).status_code == 302


def test_the_register_filters_by_state_and_unit(
    client_for: Any, personas: Any, units: Any, plan: Any
) -> None:
    in_effect = _delegation(units, personas, plan)
    proposed = _delegation(
        units,
        personas,
        plan,
        kind="mechanism",
        title="Cơ chế đặc thù thu hút đầu tư (minh họa)",
        to_unit=units.nghiloc,
        state=DelegationState.PROPOSED,
        effective_on=None,
    )
    office = client_for(personas.province_office)
    by_state = office.get(LIST, {"trang-thai": "proposed"}).content.decode()
    assert proposed.title in by_state and in_effect.title not in by_state
    by_unit = office.get(LIST, {"don-vi": units.vinh.pk}).content.decode()
    assert in_effect.title in by_unit and proposed.title not in by_unit
    # Nonsense filters are ignored, not errors.
    loose = office.get(LIST, {"trang-thai": "x", "don-vi": "9" * 30})
    assert loose.status_code == 200
    assert proposed.title in loose.content.decode()


def test_a_delegations_page_is_404_outside_scope_and_its_form_is_for_who_changes_it(
    client_for: Any, personas: Any, units: Any, plan: Any
) -> None:
    delegation = _delegation(units, personas, plan, state=DelegationState.SUBMITTED)
    url = f"/chuong-trinh/phan-cap/{delegation.pk}/"
    for user in (personas.nghiloc_officer, personas.editor):
        missing = client_for(user).get("/chuong-trinh/phan-cap/999999999/")
        assert missing.status_code == 404
        response = client_for(user).get(url)
        assert response.status_code == 404
        assert _main(response.content) == _main(missing.content)
        assert client_for(user).post(url, {"state": "rejected"}).status_code == 404
    board = client_for(personas.board_member)
    assert board.get(url).status_code == 200
    assert "Cập nhật trạng thái" not in board.get(url).content.decode()
    assert board.post(url, {"state": "rejected"}).status_code == 403
    vinh = client_for(personas.vinh_officer)
    assert "Cập nhật trạng thái" in vinh.get(url).content.decode()
    response = vinh.post(url, {"state": "in_effect", "effective_on": "15/08/2021"})
    assert response.status_code == 302
    delegation.refresh_from_db()
    assert delegation.state == DelegationState.IN_EFFECT
    assert delegation.effective_on == datetime.date(2021, 8, 15)


def test_a_bad_state_change_shows_the_reason_and_writes_nothing(
    client_for: Any, personas: Any, units: Any, plan: Any
) -> None:
    delegation = _delegation(
        units, personas, plan, state=DelegationState.PROPOSED, effective_on=None
    )
    url = f"/chuong-trinh/phan-cap/{delegation.pk}/"
    office = client_for(personas.province_office)
    before = AuditEvent.objects.count()
    undated = office.post(url, {"state": "in_effect"})
    assert undated.status_code == 200
    assert "Phân cấp đã có hiệu lực cần ngày hiệu lực." in undated.content.decode()
    bad_date = office.post(url, {"state": "in_effect", "effective_on": "31/02/2021"})
    assert "dd/mm/yyyy" in bad_date.content.decode()
    delegation.refresh_from_db()
    assert delegation.state == DelegationState.PROPOSED
    assert AuditEvent.objects.count() == before


def test_a_delegation_is_recorded_by_who_changes_one_of_its_units(
    client_for: Any, personas: Any, units: Any, plan: Any
) -> None:
    form = {
        "kind": "mechanism",
        "title": "Cơ chế đặc thù về đầu tư hạ tầng đô thị (minh họa)",
        "scope": "Dự án nhóm B, C",
        "from_unit": units.province_2020.pk,
        "to_unit": units.vinh.pk,
        "legal_basis": "",
        "effective_on": "",
        "state": "proposed",
        "programme": plan.programme.pk,
    }
    assert client_for(personas.board_member).get(CREATE).status_code == 403
    assert client_for(personas.board_member).post(CREATE, form).status_code == 403
    office = client_for(personas.province_office)
    page = office.get(CREATE).content.decode()
    assert "Cấp phân cấp" in page and plan.programme.title in page
    response = office.post(CREATE, form)
    assert response.status_code == 302, response.content.decode()
    created = Delegation.objects.get(title=form["title"])
    assert created.programme == plan.programme and created.to_unit == units.vinh
    # Vinh cannot pick the province (not in his list) nor the province's programme.
    vinh = client_for(personas.vinh_officer)
    page = vinh.get(CREATE).content.decode()
    assert plan.programme.title not in page
    refused = vinh.post(CREATE, {**form, "title": "Khác"}).content.decode()
    assert "Hãy chọn một mục trong danh sách." in refused
    own = {
        **form,
        "title": "Ủy quyền cho cơ sở (minh họa)",
        "from_unit": units.vinh.pk,
        "to_unit": units.vinh_grassroots.pk,
        "programme": "",
    }
    assert vinh.post(CREATE, own).status_code == 302
    assert Delegation.objects.filter(title=own["title"], from_unit=units.vinh).exists()
    in_effect_undated = office.post(
        CREATE, {**form, "title": "Thiếu ngày", "state": "in_effect"}
    ).content.decode()
    assert "Phân cấp đã có hiệu lực cần ngày hiệu lực." in in_effect_undated
    assert not Delegation.objects.filter(title="Thiếu ngày").exists()


def test_the_register_reads_a_fixed_number_of_queries(
    client_for: Any, personas: Any, units: Any, plan: Any
) -> None:
    office = client_for(personas.province_office)
    _delegation(units, personas, plan)
    office.get(LIST)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert office.get(LIST).status_code == 200
        return len(queries)

    before = count()
    for n in range(6):
        _delegation(units, personas, plan, title=f"Phân cấp {n} (minh họa)", to_unit=units.nghiloc)
    assert count() == before


def test_hostile_ids_in_the_filters_are_ignored(client_for: Any, personas: Any) -> None:
    """"²".isdigit() is true and int("²") fails: such a filter reads as none, not a 500."""
    office = client_for(personas.province_office)
    for value in ("²", "٣", "9" * 30, "-1"):
        assert office.get("/chuong-trinh/phan-cap/", {"don-vi": value}).status_code == 200
        assert office.get("/chuong-trinh/ban-giao/", {"tu": value}).status_code == 200
