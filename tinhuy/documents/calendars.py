"""Calendars out: events → the bytes of an RFC 5545 (.ics) feed, written by ``icalendar``.

A caller builds ``CalendarEvent`` values (plain facts, already worded) and gets the bytes that a
calendar app subscribes to. ``icalendar`` escapes text (``,`` ``;`` ``\\`` and line breaks),
folds lines at 75 octets without cutting a character and ends lines with CRLF; this module only
chooses the properties. A date is an all-day event; a time is written in UTC, so every calendar
app shows it in its reader's own zone.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from icalendar import Calendar, Event, vDuration, vText

ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"
DEFAULT_PRODUCT = "-//Tinh uy so//Lich//VI"
DISPLAY_ZONE = "Asia/Ho_Chi_Minh"  # the zone the site's dates are meant in (a hint for readers)
REFRESH = datetime.timedelta(hours=6)  # how often subscribers should fetch the feed again


@dataclass(frozen=True)
class CalendarEvent:
    """One event. ``end`` is exclusive, as RFC 5545 says (a one-day event ends the next day)."""

    uid: str
    summary: str
    start: datetime.date | datetime.datetime  # a date: an all-day event; a time: timezone-aware
    end: datetime.date | datetime.datetime
    description: str = ""
    location: str = ""
    busy: bool = False  # a deadline is a marker on the day; a conference takes up the time


def _moment(value: datetime.date | datetime.datetime) -> datetime.date | datetime.datetime:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise ValueError("A calendar time must be timezone-aware.")
        return value.astimezone(datetime.UTC)
    return value


def calendar_ics(
    name: str,
    events: Sequence[CalendarEvent],
    *,
    now: datetime.datetime,
    product: str = DEFAULT_PRODUCT,
) -> bytes:
    """A VCALENDAR named ``name`` holding ``events``, stamped ``now``; its bytes (UTF-8)."""
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", product)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", vText(name))  # RFC 7986
    calendar.add("x-wr-calname", vText(name))  # the name Google, Apple and Outlook read
    calendar.add("x-wr-timezone", DISPLAY_ZONE)
    calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    stamp = _moment(now)
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", _moment(item.start))
        event.add("dtend", _moment(item.end))
        event.add("summary", item.summary)
        if item.description:
            event.add("description", item.description)
        if item.location:
            event.add("location", item.location)
        event.add("transp", "OPAQUE" if item.busy else "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
