"""Django admin for reference data: superusers only, audited writes."""

import pytest
from django.contrib.auth.models import User

from tinhuy.audit.models import AuditEvent
from tinhuy.org.models import Membership


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser("quantri", password="x-admin-1")


@pytest.mark.parametrize(
    "url",
    ["/quan-tri/", "/quan-tri/org/unit/", "/quan-tri/org/structure/", "/quan-tri/org/person/",
     "/quan-tri/org/membership/", "/quan-tri/audit/auditevent/", "/quan-tri/accounts/apitoken/"],
)  # fmt: skip
def test_superuser_reads_reference_data(client, superuser, url) -> None:
    client.force_login(superuser)
    assert client.get(url).status_code == 200


def test_admin_unit_search_ignores_marks(client, superuser) -> None:
    client.force_login(superuser)
    body = client.get("/quan-tri/org/unit/", {"q": "Đô Lương"}).content.decode()
    assert "Đảng bộ huyện Đô Lương" in body


def test_personas_without_staff_status_cannot_use_the_admin(client_for, personas) -> None:
    response = client_for(personas.province_office).get("/quan-tri/")
    assert response.status_code == 302


def test_audit_events_are_read_only_in_the_admin(client, superuser) -> None:
    client.force_login(superuser)
    event = AuditEvent.objects.first()
    assert event is not None
    assert (
        client.post(f"/quan-tri/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_membership_granted_in_the_admin_is_audited(client, superuser, personas, units) -> None:
    client.force_login(superuser)
    response = client.post(
        "/quan-tri/org/membership/add/",
        {"user": personas.editor.pk, "unit": units.vinh.pk, "role": "office_officer"},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=personas.editor, unit=units.vinh).exists()
    assert AuditEvent.objects.filter(action="membership.grant", actor=superuser).exists()


@pytest.mark.parametrize(
    "url",
    ["/quan-tri/study/plan/", "/quan-tri/study/conference/", "/quan-tri/study/conferencereport/",
     "/quan-tri/study/member/"],
)  # fmt: skip
def test_study_data_is_readable_but_not_editable_in_the_admin(client, superuser, url) -> None:
    client.force_login(superuser)
    assert client.get(url).status_code == 200
    assert client.get(url + "add/").status_code == 403
