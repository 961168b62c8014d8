"""The calendar writer: events in, an RFC 5545 feed out that ``icalendar`` reads back unchanged."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from icalendar import Calendar

from tinhuy.documents.calendars import CalendarEvent, calendar_ics

NOW = datetime.datetime(2021, 1, 25, 1, 2, 3, tzinfo=datetime.UTC)
VINH = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def feed(*events: CalendarEvent, name: str = "Học tập, quán triệt — Vinh") -> bytes:
    return calendar_ics(name, events, now=NOW)


def parse(content: bytes) -> Calendar:
    return Calendar.from_ical(content)


def test_an_all_day_event_reads_back_as_dates() -> None:
    """A deadline is a day (DTSTART;VALUE=DATE), ends the next day, and does not block time."""
    content = feed(
        CalendarEvent(
            "deadline@tinhuy", "Hạn", datetime.date(2020, 12, 30), datetime.date(2020, 12, 31)
        )
    )
    assert b"DTSTART;VALUE=DATE:20201230\r\n" in content
    (event,) = parse(content).walk("VEVENT")
    assert event.decoded("DTSTART") == datetime.date(2020, 12, 30)
    assert event.decoded("DTEND") == datetime.date(2020, 12, 31)
    assert event.decoded("DTSTAMP") == NOW
    assert str(event["TRANSP"]) == "TRANSPARENT"
    assert str(event["UID"]) == "deadline@tinhuy"


def test_a_timed_event_is_written_in_utc() -> None:
    """07:30 in Vinh is 00:30 UTC: every calendar app shows it in its reader's zone."""
    start = datetime.datetime(2021, 1, 28, 7, 30, tzinfo=VINH)
    content = feed(
        CalendarEvent("c@tinhuy", "Hội nghị", start, start + datetime.timedelta(hours=4), busy=True)
    )
    assert b"DTSTART:20210128T003000Z\r\n" in content
    (event,) = parse(content).walk("VEVENT")
    assert event.decoded("DTSTART") == start
    assert event.decoded("DTEND") - event.decoded("DTSTART") == datetime.timedelta(hours=4)
    assert str(event["TRANSP"]) == "OPAQUE"


def test_a_time_without_a_zone_is_refused() -> None:
    naive = datetime.datetime(2021, 1, 28, 7, 30)  # noqa: DTZ001 - the case under test
    with pytest.raises(ValueError, match="timezone-aware"):
        feed(CalendarEvent("c@tinhuy", "Hội nghị", naive, naive))


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("a,b;c\\d", b"a\\,b\\;c\\\\d"),
        ("dòng 1\ndòng 2\r\ndòng 3", "dòng 1\\ndòng 2\\ndòng 3".encode()),
    ],
)
def test_text_is_escaped_and_reads_back_unchanged(text: str, escaped: bytes) -> None:
    """Commas, semicolons, backslashes and line breaks are escaped (a CRLF becomes one \\n)."""
    content = feed(CalendarEvent("e@tinhuy", text, datetime.date(2021, 1, 1), NOW.date()))
    assert b"SUMMARY:" + escaped + b"\r\n" in content
    (event,) = parse(content).walk("VEVENT")
    assert str(event["SUMMARY"]) == text.replace("\r\n", "\n")


def test_long_lines_fold_at_75_octets_without_splitting_a_character() -> None:
    summary = "Đảng bộ huyện Quế Phong — " * 10
    content = feed(
        CalendarEvent("e@tinhuy", summary, datetime.date(2021, 1, 1), datetime.date(2021, 1, 2))
    )
    assert content.endswith(b"\r\n")
    lines = content.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines)
    for line in lines:
        line.decode()  # no line ends inside a character
    folded = [i for i, line in enumerate(lines) if line.startswith(b" ")]
    assert folded
    (event,) = parse(content).walk("VEVENT")
    assert str(event["SUMMARY"]) == summary


def test_the_calendar_carries_its_name_and_refresh_hints() -> None:
    content = feed(name="Học tập, quán triệt — Vinh")
    calendar = parse(content)
    assert content.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert b"X-WR-CALNAME:H\xe1\xbb\x8dc t\xe1\xba\xadp\\, qu\xc3\xa1n tri\xe1\xbb\x87t" in content
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert calendar.decoded("REFRESH-INTERVAL") == datetime.timedelta(hours=6)
    assert b"X-PUBLISHED-TTL:PT6H\r\n" in content
    assert list(calendar.walk("VEVENT")) == []
