"""A unit's headcount ("số đảng viên"): imported with the structure, set on the unit's page by
those who may change the unit, audited, and out of scope answered like an absent unit.

Campaign figures count it as the people a unit must reach until a member list or a report says
otherwise (``tests/study/test_honest_figures.py``).
"""

from __future__ import annotations

import re

from django.urls import reverse

from tests.conftest import Personas, Units
from tests.org.test_import import HEADER, csv_bytes, rejected, xlsx_bytes
from tinhuy.audit.models import AuditEvent
from tinhuy.org.actions import do_set_headcount
from tinhuy.org.importing import import_structure
from tinhuy.org.models import Unit

WITH_HEADCOUNT = [*HEADER, "Số đảng viên"]


def _url(unit: Unit) -> str:
    return reverse("unit_detail", args=[unit.pk])


# --- import ------------------------------------------------------------------------------------


def test_the_import_keeps_the_headcount_of_each_new_unit(personas: Personas, units: Units) -> None:
    rows = [
        ["412-CS91", "Đảng bộ phường Thử Nghiệm", "co-so", "412", "grassroots", "120"],
        ["412-CS92", "Đảng bộ xã Thử Nghiệm", "co-so", "412", "Xã", ""],  # not known: blank
        ["412-CS93", "Đảng bộ xã Thử Nghiệm Hai", "co-so", "412", "Xã", 0],
    ]
    result = import_structure(
        units.structure_2020,
        xlsx_bytes(rows, header=WITH_HEADCOUNT),
        "don-vi.xlsx",
        acting_user=personas.province_office,
    )
    assert result.errors == [] and result.created == 3
    stored = dict(
        Unit.objects.filter(code__in=["412-CS91", "412-CS92", "412-CS93"]).values_list(
            "code", "headcount"
        )
    )
    assert stored == {"412-CS91": 120, "412-CS92": None, "412-CS93": 0}
    assert not Unit.objects.filter(code="412-CS91", headcount_is_sample=True).exists()
    event = AuditEvent.objects.get(action="unit.create", target_repr="Đảng bộ phường Thử Nghiệm")
    assert event.after["headcount"] == 120


def test_a_file_without_the_headcount_column_still_imports(
    personas: Personas, units: Units
) -> None:
    rows = [["412-CS91", "Đảng bộ phường Thử Nghiệm", "co-so", "412", "grassroots"]]
    result = import_structure(
        units.structure_2020, csv_bytes(rows), "don-vi.csv", acting_user=personas.province_office
    )
    assert result.errors == [] and result.created == 1
    assert Unit.objects.get(code="412-CS91").headcount is None


def test_a_bad_headcount_names_its_row_and_column_and_nothing_is_written(
    personas: Personas, units: Units
) -> None:
    rows = [
        ["412-CS91", "Đảng bộ phường Một", "co-so", "412", "grassroots", "-3"],
        ["412-CS92", "Đảng bộ phường Hai", "co-so", "412", "grassroots", "khoảng 40"],
        ["412-CS93", "Đảng bộ phường Ba", "co-so", "412", "grassroots", "12,5"],
        ["412-CS94", "Đảng bộ phường Bốn", "co-so", "412", "grassroots", "45"],
    ]
    errors = rejected(
        units.structure_2020,
        xlsx_bytes(rows, header=WITH_HEADCOUNT),
        personas.province_office,
        "don-vi.xlsx",
    )
    assert [(e.row, e.column) for e in errors] == [
        (2, "Số đảng viên"),
        (3, "Số đảng viên"),
        (4, "Số đảng viên"),
    ]
    assert errors[0].message.startswith("Dòng 2, cột “Số đảng viên”:")
    assert "số âm" in errors[0].message
    assert "“khoảng 40” không phải số nguyên" in errors[1].message
    assert "“12,5” không phải số nguyên" in errors[2].message


# --- the unit's page ---------------------------------------------------------------------------


def test_the_province_office_sets_a_headcount_and_it_is_audited(
    client_for, personas: Personas, units: Units
) -> None:
    unit = units.vinh_grassroots
    before = unit.headcount
    response = client_for(personas.province_office).post(_url(unit), {"headcount": "57"})
    assert response.status_code == 302 and response["Location"] == _url(unit)
    unit.refresh_from_db()
    assert (unit.headcount, unit.headcount_is_sample) == (57, False)
    event = AuditEvent.objects.filter(action="unit.set_headcount", target_id=str(unit.pk)).latest(
        "id"
    )
    assert event.actor == personas.province_office
    assert event.before == {"headcount": before, "headcount_is_sample": before is not None}
    assert event.after == {"headcount": 57, "headcount_is_sample": False}
    assert event.unit_path == unit.path
    page = client_for(personas.province_office).get(_url(unit)).content.decode()
    assert 'id="headcount">57<' in page


def test_a_blank_headcount_records_that_it_is_not_known(
    client_for, personas: Personas, units: Units
) -> None:
    unit = units.vinh_grassroots
    response = client_for(personas.vinh_officer).post(_url(unit), {"headcount": ""})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.headcount is None
    page = client_for(personas.vinh_officer).get(_url(unit)).content.decode()
    assert "chưa rõ" in page


def test_a_request_without_the_field_keeps_the_headcount(
    client_for, personas: Personas, units: Units
) -> None:
    """Only a blank field says "not known": an empty POST (a script, a stale form) changes
    nothing, says so, and writes no audit event."""
    from tinhuy.audit.models import AuditEvent

    unit = units.vinh_grassroots
    before, events = unit.headcount, AuditEvent.objects.count()
    assert before is not None
    response = client_for(personas.vinh_officer).post(_url(unit), {})
    assert response.status_code == 400
    assert "Không có ô “Số đảng viên” trong yêu cầu; số đã ghi được giữ nguyên." in (
        response.content.decode()
    )
    unit.refresh_from_db()
    assert unit.headcount == before
    assert AuditEvent.objects.count() == events


def test_a_bad_headcount_is_refused_with_a_vietnamese_message(
    client_for, personas: Personas, units: Units
) -> None:
    unit = units.vinh_grassroots
    before = unit.headcount
    client = client_for(personas.vinh_officer)
    for value, message in (
        ("-1", "Số đảng viên không được là số âm."),
        ("bốn mươi", "Số đảng viên phải là một số nguyên, ví dụ 45."),
    ):
        response = client.post(_url(unit), {"headcount": value})
        assert response.status_code == 400
        assert message in response.content.decode()
    unit.refresh_from_db()
    assert unit.headcount == before


def test_the_demo_headcount_is_shown_as_sample(
    client_for, personas: Personas, units: Units
) -> None:
    unit = units.vinh_grassroots
    assert unit.headcount is not None and unit.headcount_is_sample  # tinhuy.study.demo
    page = client_for(personas.vinh_officer).get(_url(unit)).content.decode()
    shown = page.split('id="headcount">', 1)[1].split("</dd>", 1)[0]
    assert "minh họa" in shown
    assert 'id="headcount-form"' in page  # the officer may change it


def test_an_officer_cannot_set_a_headcount_outside_his_subtree(
    client_for, personas: Personas, units: Units
) -> None:
    """Nghi Lộc's cell is answered exactly like a unit that does not exist."""
    client = client_for(personas.vinh_officer)
    before = units.nghiloc_cell.headcount
    outside = client.post(_url(units.nghiloc_cell), {"headcount": "10"})
    absent = client.post(reverse("unit_detail", args=[10**9]), {"headcount": "10"})
    assert outside.status_code == absent.status_code == 404
    # The same page but for the address asked for and the CSRF token (new on every page).

    def page(response, pk: int) -> str:  # type: ignore[no-untyped-def]
        text = response.content.decode().replace(str(pk), "ID")
        text = re.sub(r'"X-CSRFToken": "[^"]+"', "", text)
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)

    assert page(outside, units.nghiloc_cell.pk) == page(absent, 10**9)
    units.nghiloc_cell.refresh_from_db()
    assert units.nghiloc_cell.headcount == before
    assert not AuditEvent.objects.filter(
        action="unit.set_headcount", target_id=str(units.nghiloc_cell.pk)
    ).exists()


def test_a_read_only_member_sees_the_headcount_but_cannot_set_it(
    client_for, personas: Personas, units: Units
) -> None:
    client = client_for(personas.board_member)
    page = client.get(_url(units.vinh_grassroots)).content.decode()
    assert 'id="headcount"' in page and 'id="headcount-form"' not in page
    assert client.post(_url(units.vinh_grassroots), {"headcount": "10"}).status_code == 403


def test_an_anonymous_citizen_is_sent_to_log_in(client_for, personas: Personas, units) -> None:
    response = client_for(personas.citizen).post(_url(units.vinh_grassroots), {"headcount": "1"})
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_the_action_refuses_a_negative_headcount(units: Units) -> None:
    try:
        do_set_headcount(units.vinh_grassroots, headcount=-1, acting_user=None)
    except ValueError:
        pass
    else:  # pragma: no cover - the assertion below explains
        raise AssertionError("a negative headcount was accepted")
