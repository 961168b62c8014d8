"""Reading the audit log with the filters of the audit page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from tinhuy.audit.models import AuditEvent
from tinhuy.org.access import Scope
from tinhuy.org.models import Structure, Unit
from tinhuy.search.text import fold, sort_key


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


def find_units(
    text: str, scope: Scope, structure: Structure | None = None, *, limit: int = 10
) -> list[Unit]:
    """Units of the scope named ``text``: its code, or its whole name folded ("tp vinh" does
    not match, "thanh pho vinh" does); failing that, names that contain it. Units out of the
    scope are never found, exactly as units that do not exist."""
    units = scope.units(Unit.objects.select_related("structure"))
    if structure is not None:
        units = units.filter(structure=structure)
    folded = fold(text.strip())
    exact = list(units.filter(code__iexact=text.strip())[:limit]) or list(
        units.filter(name_folded=folded)[:limit]
    )
    if exact or not folded:
        return exact
    # "Thành phố Vinh" means "Đảng bộ thành phố Vinh", not every cell "…, thành phố Vinh
    # (minh họa)": names that end with the text come first.
    containing = units.filter(name_folded__contains=folded)
    ending = list(containing.filter(name_folded__endswith=folded)[:limit])
    return ending or list(containing[:limit])


def unit_suggestions(scope: Scope) -> list[str]:
    """Names of the upper units (province and district level) for the filter's suggestions."""
    names = scope.units().filter(depth__lte=1).values_list("name", flat=True)
    return sorted(set(names), key=sort_key)
