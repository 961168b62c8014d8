"""Writing audit events. Every ``do_*`` action calls ``record`` inside its own transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractUser
from django.db import models, transaction

from tinhuy.audit.models import AuditEvent
from tinhuy.org import versions

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    from tinhuy.org.models import Unit


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The given fields of ``obj`` as JSON-safe values (foreign keys as ids, dates as ISO text)."""
    data: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        value = getattr(obj, field.attname)  # type: ignore[union-attr]
        if value is not None and not isinstance(value, bool | int | float | str):
            value = value.isoformat() if hasattr(value, "isoformat") else str(value)
        data[name] = value
    return data


def user_or_none(user: User | AnonymousUser | None) -> User | None:
    """The acting user if a real, logged-in account acted; None for the system or a citizen."""
    return user if isinstance(user, AbstractUser) else None  # type: ignore[return-value]


def record(
    action: str,
    target: models.Model,
    *,
    acting_user: User | AnonymousUser | None,
    unit: Unit | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reaches_below: bool = True,
    reached: Iterable[str] = (),
) -> AuditEvent:
    """Append one event; must run inside the transaction that made the change.

    ``reaches_below=False``: the change bears on ``unit``'s own standing and on the units
    taking part in its conferences only, never otherwise on the units below it but those at
    the paths ``reached`` (``tinhuy.org.versions.bump``)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Audit events are written inside the acting transaction.")
    actor = user_or_none(acting_user)
    if unit is not None:
        versions.bump(unit.structure_id, unit.path, reaches_below=reaches_below, reached=reached)
    return AuditEvent.objects.create(
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "",
        action=action,
        target_type=target._meta.label,
        target_id=str(target.pk),
        target_repr=str(target)[:255],
        unit=unit,
        unit_path=unit.path if unit is not None else "",
        province_id=unit.province_id if unit is not None else None,
        before=before,
        after=after,
    )
