"""The audit log: written by every action, append-only, readable by the province office only."""

import pytest
from django.db import transaction
from django.urls import reverse

from tinhuy.audit.actions import record
from tinhuy.audit.labels import NAME_FIELDS
from tinhuy.audit.models import AppendOnlyError, AuditEvent
from tinhuy.org.actions import do_add_person, do_create_unit, do_rename_unit


def test_an_action_writes_its_event_in_the_same_transaction(personas, units) -> None:
    unit = do_create_unit(
        units.structure_2020, code="412-CS99", name="Đảng bộ phường Hưng Bình (thử)",
        level_code="co-so", kind="grassroots", parent=units.vinh, acting_user=personas.vinh_officer,
    )  # fmt: skip
    event = AuditEvent.objects.get(action="unit.create", target_id=str(unit.pk))
    assert event.actor == personas.vinh_officer and event.actor_name == "vinh"
    assert event.unit == unit and event.unit_path == unit.path
    assert event.after is not None
    assert event.after["name"] == "Đảng bộ phường Hưng Bình (thử)"
    assert event.after["parent"] == units.vinh.pk


def test_a_failed_action_leaves_no_event(personas, units) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        do_add_person(units.vinh, full_name="Nguyễn Văn A", acting_user=personas.vinh_officer)
        raise RuntimeError("rolled back")
    assert AuditEvent.objects.count() == before


def test_rename_records_before_and_after(personas, units) -> None:
    do_rename_unit(
        units.vinh_cell, name="Chi bộ khối phố 1 (minh họa)", acting_user=personas.vinh_officer
    )
    event = AuditEvent.objects.filter(action="unit.rename").latest("id")
    assert event.before == {"name": "Chi bộ số 01 (minh họa)"}
    assert event.after == {"name": "Chi bộ khối phố 1 (minh họa)"}


def test_events_cannot_be_changed_or_deleted(personas, units) -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    event.action = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(action="x")


def test_record_refuses_to_run_outside_a_transaction(units) -> None:
    with pytest.raises(RuntimeError):
        transaction.get_connection().in_atomic_block = False  # as in autocommit mode
        try:
            record("x", units.vinh, acting_user=None)
        finally:
            transaction.get_connection().in_atomic_block = True


def test_audit_page_is_for_the_province_office_only(client_for, personas) -> None:
    url = reverse("audit_log")
    assert client_for(personas.province_office).get(url).status_code == 200
    for persona in (personas.vinh_officer, personas.board_member, personas.editor):
        assert client_for(persona).get(url).status_code == 404
    assert client_for(personas.citizen).get(url).status_code == 302


def test_audit_page_filters_by_person_unit_action_and_date(client_for, personas, units) -> None:
    do_add_person(units.vinh_cell, full_name="Trần Thị Bích", acting_user=personas.vinh_officer)
    do_add_person(
        units.nghiloc_cell, full_name="Lê Văn Cường", acting_user=personas.nghiloc_officer
    )
    client = client_for(personas.province_office)
    body = client.get(
        reverse("audit_log"), {"person": "vinh", "action": "person.create"}
    ).content.decode()
    assert "Trần Thị Bích" in body and "Lê Văn Cường" not in body
    body = client.get(
        reverse("audit_log"), {"unit": units.nghiloc.name, "action": "person.create"}
    ).content.decode()
    assert "Lê Văn Cường" in body and "Trần Thị Bích" not in body
    body = client.get(
        reverse("audit_log"), {"date_from": "01/01/2020", "date_to": "31/12/2020"}
    ).content.decode()
    assert "Trần Thị Bích" not in body
    response = client.get(reverse("audit_log"), {"date_from": "31/02/2021"})
    assert response.status_code == 200  # a bad date is a form error, not a crash


def test_audit_page_query_count_is_bounded(
    client_for, personas, units, django_assert_max_num_queries
) -> None:
    """Fixed queries, plus at most one per kind of named object (units, people, …) the page's
    events mention: never one per row."""
    client = client_for(personas.province_office)
    with django_assert_max_num_queries(9 + len(NAME_FIELDS)):
        assert client.get(reverse("audit_log")).status_code == 200
    for i in range(30):
        do_add_person(units.vinh_cell, full_name=f"Người {i}", acting_user=personas.vinh_officer)
    with django_assert_max_num_queries(9 + 2):  # the 50 newest: units and people only
        assert "Người 29" in client.get(reverse("audit_log")).content.decode()
