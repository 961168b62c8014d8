"""What every kind of reminder shares, whatever it reminds of (a study plan's conferences, the
work a Standing Board conclusion assigns):

- **who receives** a unit's reminders: the active office officers and heads of the unit, by the
  e-mail address of their account (``recipients_by_unit``);
- **what was already sent**: each run writes one audit event listing the reminders it sent, by
  kind, for an as-of date; a later run reads them back (``sent_keys``) and skips them, so nobody
  is reminded twice of the same thing on the same day;
- **sending** the messages once the run's transaction commits (``send_after_commit``), so a
  rolled-back run sends nothing;
- reading a date typed dd/mm/yyyy, counting days to a deadline, and rendering a message from a
  text template (``render_text``).

Each app keeps what is its own: what is due, the texts, the audit action. This module imports
``org`` and ``audit`` only, never an app that uses it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.mail import EmailMessage, get_connection
from django.core.management.base import CommandError
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from tinhuy.audit.models import AuditEvent
from tinhuy.org.access import EVERYTHING as EVERYTHING
from tinhuy.org.models import Membership, Role

# Who receives a unit's reminders: the people who can act on them there.
RECIPIENT_ROLES = (Role.OFFICE_OFFICER, Role.UNIT_HEAD)
DEFAULT_WITHIN_DAYS = 7
MAX_WITHIN_DAYS = 366
# A command runs over everything, as the province office would.

# One message: (subject, text, e-mail addresses).
Message = tuple[str, str, Sequence[str]]


def parse_day(text: str) -> datetime.date:
    """A date written dd/mm/yyyy; ``ValueError`` for anything else (31/02/2021 included)."""
    return datetime.datetime.strptime(text.strip(), "%d/%m/%Y").date()  # noqa: DTZ007 - a date


def day_of_command(text: str | None) -> datetime.date:
    """A command's ``--as-of``: the day written dd/mm/yyyy, today without one."""
    if not text:
        return timezone.localdate()
    try:
        return parse_day(text)
    except ValueError as exc:
        raise CommandError(
            f"Ngày “{text}” không hợp lệ; hãy viết ngày/tháng/năm, ví dụ 25/01/2021."
        ) from exc


def days_left(deadline: datetime.date, as_of: datetime.date) -> int:
    """Whole days from ``as_of`` to the deadline (0 on the deadline day, negative after it)."""
    return (deadline - as_of).days


def recipients_by_unit(
    unit_ids: Iterable[int], roles: Sequence[str] = RECIPIENT_ROLES
) -> dict[int, tuple[str, ...]]:
    """E-mail addresses of the active members of each unit holding one of ``roles`` (by
    default its office officers and heads), in one query. A unit nobody can be written to at
    is absent from the answer."""
    found: dict[int, dict[str, str]] = defaultdict(dict)
    for unit_id, email in (
        Membership.objects.filter(
            unit_id__in=list(unit_ids), role__in=list(roles), user__is_active=True
        )
        .exclude(user__email="")
        .order_by("unit_id", "user__email")
        .values_list("unit_id", "user__email")
    ):
        found[unit_id].setdefault(email.lower(), email)  # one person, two roles: one address
    return {unit_id: tuple(emails.values()) for unit_id, emails in found.items()}


def merge_addresses(*groups: Iterable[str]) -> tuple[str, ...]:
    """The addresses of several groups in order, each person once (addresses compared without
    case)."""
    merged: dict[str, str] = {}
    for group in groups:
        for email in group:
            merged.setdefault(email.lower(), email)
    return tuple(merged.values())


def sent_record(sent: Mapping[str, Iterable[Any]]) -> dict[str, list[Any]]:
    """The ``sent`` part of a run's audit event: per kind, what identifies each reminder sent
    (a unit code, a follow-up's id). ``sent_keys`` reads it back."""
    return {str(kind): list(ids) for kind, ids in sent.items()}


def sent_keys(action: str, target: models.Model, as_of: datetime.date) -> set[tuple[str, str]]:
    """(kind, identifier as text) of every reminder already sent for ``target`` and this as-of
    date, read from the audit events ``action`` of earlier runs (their ``after["as_of"]`` and
    ``after["sent"]``, as ``sent_record`` writes it)."""
    keys: set[tuple[str, str]] = set()
    for after in AuditEvent.objects.filter(
        action=action,
        target_type=target._meta.label,
        target_id=str(target.pk),
        after__as_of=as_of.isoformat(),
    ).values_list("after", flat=True):
        for kind, ids in (after or {}).get("sent", {}).items():
            keys.update((kind, str(x)) for x in ids)
    return keys


def render_text(template: str, context: Mapping[str, Any]) -> str:
    """A message body from a text template, with the blank lines template tags leave behind
    squeezed: a message reads as paragraphs, the same e-mailed or copied into Zalo."""
    lines = render_to_string(template, dict(context)).strip().splitlines()
    squeezed: list[str] = []
    for line in (line.rstrip() for line in lines):
        if line or (squeezed and squeezed[-1]):
            squeezed.append(line)
    return "\n".join(squeezed) + "\n"


def send_after_commit(messages: Iterable[Message]) -> int:
    """E-mail each (subject, text, recipients) once the current transaction commits, over one
    connection; a message with no recipient is skipped. Returns how many will be sent."""
    emails = [
        EmailMessage(subject=subject, body=text, to=list(to))
        for subject, text, to in messages
        if to
    ]
    if emails:
        transaction.on_commit(lambda: get_connection().send_messages(emails))
    return len(emails)
