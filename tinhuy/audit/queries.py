"""Reading the audit log with the filters of the audit page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from tinhuy.audit.models import AuditEvent
from tinhuy.org.models import Unit


@dataclass(frozen=True)
class AuditFilters:
    person: str = ""  # user name, as typed; matched without case
    unit: Unit | None = None  # the unit and its subtree
    action: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_events(filters: AuditFilters) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("unit")
    if filters.person:
        events = events.filter(actor_name__iexact=filters.person)
    if filters.unit is not None:
        events = events.filter(unit_path__subtree=filters.unit.path)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.date_from:
        events = events.filter(created_at__gte=_local_midnight(filters.date_from))
    if filters.date_to:
        next_day = filters.date_to + datetime.timedelta(days=1)
        events = events.filter(created_at__lt=_local_midnight(next_day))
    return events.order_by("-created_at", "-id")


def known_actions() -> list[str]:
    return list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())
