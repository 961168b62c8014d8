"""Reminders of the work a Standing Board conclusion assigns (follow-ups), through the same
machinery as a study plan's reminders (``tinhuy.reminders``):

- **due** ("sắp đến hạn"): an open follow-up whose due date is at most N days away (the due day
  itself included);
- **overdue** ("quá hạn"): an open follow-up whose due date has passed.

A closed follow-up is never reminded. Each reminder goes to the office officers and heads of
the follow-up's lead unit; an overdue one goes as well to the province office — the members
holding the province administrator role at the committee whose Board concluded (the meeting's
body) — which follows the Board's conclusions up. Nobody of another unit receives it.

A reminder is identified by (kind, follow-up, as-of date): each run's audit event lists the
follow-ups it reminded, by kind, and a later run the same day skips them. Reading what a run
would send is ``plan_run`` (the command's ``--dry-run`` prints it); sending is the action
``tinhuy.meetings.actions.do_send_follow_up_reminders``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from tinhuy import reminders as shared
from tinhuy.meetings.access import follow_ups_for
from tinhuy.meetings.models import FollowUp, FollowUpState
from tinhuy.org.access import Scope
from tinhuy.org.models import Role

AUDIT_ACTION = "follow_up.reminders_sent"
# Who follows the Board's conclusions up, at the committee that met.
ESCALATION_ROLES = (Role.PROVINCE_ADMIN,)
# The page of one follow-up, once the meetings pages are there (then the text links to it).
FOLLOW_UP_URL_NAME = "meetings_follow_up"
TEMPLATE = "meetings/email/follow_up_reminder.txt"


class Kind(StrEnum):
    DUE = "due"
    OVERDUE = "overdue"


KIND_LABELS = {Kind.DUE: "Sắp đến hạn", Kind.OVERDUE: "Quá hạn"}


@dataclass
class Reminder:
    """One message about one follow-up."""

    kind: Kind
    follow_up: FollowUp
    days: int  # days left (due: 0 on the due day) or days past the due date (overdue)
    subject: str = ""
    text: str = ""
    link: str = ""
    recipients: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        """What identifies the reminder within an as-of date (as ``shared.sent_keys`` reads)."""
        return (str(self.kind), str(self.follow_up.pk))


# --- Selection -------------------------------------------------------------------------------


def kind_of(follow_up: FollowUp, as_of: datetime.date, within_days: int) -> Kind | None:
    """Due, overdue, or neither (closed, or due later than N days from ``as_of``)."""
    if follow_up.state != FollowUpState.OPEN:
        return None
    left = shared.days_left(follow_up.due_on, as_of)
    if left < 0:
        return Kind.OVERDUE
    if left <= within_days:
        return Kind.DUE
    return None


def select(
    follow_ups: Iterable[FollowUp], as_of: datetime.date, within_days: int
) -> tuple[list[Reminder], list[Reminder]]:
    """(due, overdue) reminders, in the follow-ups' order."""
    due: list[Reminder] = []
    overdue: list[Reminder] = []
    for follow_up in follow_ups:
        kind = kind_of(follow_up, as_of, within_days)
        left = shared.days_left(follow_up.due_on, as_of)
        if kind == Kind.DUE:
            due.append(Reminder(kind, follow_up, left))
        elif kind == Kind.OVERDUE:
            overdue.append(Reminder(kind, follow_up, -left))
    return due, overdue


def candidates(scope: Scope, as_of: datetime.date, within_days: int) -> QuerySet[FollowUp]:
    """Open follow-ups of lead units in the scope, due by ``as_of`` + N days (overdue ones
    included), soonest due first, with what their texts name."""
    return (
        follow_ups_for(scope)
        .filter(
            state=FollowUpState.OPEN,
            due_on__lte=as_of + datetime.timedelta(days=within_days),
        )
        .select_related("lead_unit", "person", "item__meeting", "item__draft")
        .order_by("due_on", "id")
    )


# --- Texts -----------------------------------------------------------------------------------


def link_for(follow_up: FollowUp) -> str:
    """The path of the follow-up's page, or "" while there is no such page."""
    try:
        return reverse(FOLLOW_UP_URL_NAME, args=[follow_up.pk])
    except NoReverseMatch:
        return ""


def subject_for(reminder: Reminder) -> str:
    follow_up = reminder.follow_up
    values = {
        "due": follow_up.due_on.strftime("%d/%m/%Y"),
        "days": reminder.days,
        "unit": follow_up.lead_unit.name,
    }
    if reminder.kind == Kind.OVERDUE:
        return _("Quá hạn %(days)s ngày việc Ban Thường vụ giao (hạn %(due)s) — %(unit)s") % values
    if reminder.days == 0:
        return _("Nhắc việc: việc Ban Thường vụ giao đến hạn hôm nay, %(due)s — %(unit)s") % values
    return (
        _("Nhắc việc: việc Ban Thường vụ giao, hạn %(due)s (còn %(days)s ngày) — %(unit)s") % values
    )


def text_for(reminder: Reminder, as_of: datetime.date) -> str:
    """The message body: the conclusion it comes from (meeting date, draft), what is asked, the
    named person, the due date and the page to report on."""
    follow_up = reminder.follow_up
    item = follow_up.item
    return shared.render_text(
        TEMPLATE,
        {
            "r": reminder,
            "overdue": reminder.kind == Kind.OVERDUE,
            "unit": follow_up.lead_unit.name,
            "meeting_date": item.meeting.date.strftime("%d/%m/%Y"),
            "draft_title": item.draft.title,
            "what": follow_up.what.strip().rstrip("."),
            "person": follow_up.person.full_name,
            "position": follow_up.person.position,
            "due": follow_up.due_on.strftime("%d/%m/%Y"),
            "as_of": as_of.strftime("%d/%m/%Y"),
            "link": reminder.link,
        },
    )


# --- Reading: what a run would send ----------------------------------------------------------


@dataclass
class ReminderSet:
    as_of: datetime.date
    within_days: int
    due: list[Reminder] = field(default_factory=list)
    overdue: list[Reminder] = field(default_factory=list)

    @property
    def all(self) -> list[Reminder]:
        return [*self.due, *self.overdue]


def reminders_for(
    as_of: datetime.date, within_days: int, scope: Scope = shared.EVERYTHING
) -> ReminderSet:
    """Every follow-up reminder in the scope as of a date, with texts and recipients, in at
    most three queries (the follow-ups, the lead units' officers, the province office)."""
    due, overdue = select(candidates(scope, as_of, within_days), as_of, within_days)
    result = ReminderSet(as_of, within_days, due, overdue)
    by_unit = shared.recipients_by_unit({r.follow_up.lead_unit_id for r in result.all})
    by_body = (
        shared.recipients_by_unit(
            {r.follow_up.item.meeting.body_id for r in overdue}, roles=ESCALATION_ROLES
        )
        if overdue
        else {}
    )
    for reminder in result.all:
        follow_up = reminder.follow_up
        reminder.link = link_for(follow_up)
        reminder.subject = subject_for(reminder)
        reminder.text = text_for(reminder, as_of)
        escalated = (
            by_body.get(follow_up.item.meeting.body_id, ()) if reminder.kind == Kind.OVERDUE else ()
        )
        reminder.recipients = shared.merge_addresses(
            by_unit.get(follow_up.lead_unit_id, ()), escalated
        )
    return result


def run_target() -> ContentType:
    """What a run's audit event is about: follow-ups as a whole (a run covers every meeting)."""
    return ContentType.objects.get_for_model(FollowUp)


def sent_keys(as_of: datetime.date) -> set[tuple[str, str]]:
    """(kind, follow-up id) of every follow-up reminder already sent for this as-of date."""
    return shared.sent_keys(AUDIT_ACTION, run_target(), as_of)


@dataclass
class Outcome:
    """What a run sends, what it skips and why."""

    reminders: ReminderSet
    to_send: list[Reminder]
    already_sent: list[Reminder]
    no_recipients: list[Reminder]

    def ids(self, kind: Kind) -> list[int]:
        return [r.follow_up.pk for r in self.to_send if r.kind == kind]

    @property
    def emails(self) -> int:
        return len(self.to_send)


def plan_run(
    *, as_of: datetime.date, within_days: int, scope: Scope = shared.EVERYTHING
) -> Outcome:
    """What ``do_send_follow_up_reminders`` would send now (``--dry-run`` prints this)."""
    reminders = reminders_for(as_of, within_days, scope)
    done = sent_keys(as_of)
    outcome = Outcome(reminders, [], [], [])
    for reminder in reminders.all:
        if reminder.key in done:
            outcome.already_sent.append(reminder)
        elif not reminder.recipients:
            # Not recorded as sent: once the unit has an officer with an address, it gets it.
            outcome.no_recipients.append(reminder)
        else:
            outcome.to_send.append(reminder)
    return outcome
