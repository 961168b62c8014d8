"""Times and dates as officials type them in a form or a spreadsheet cell
(``tinhuy.documents.tables.parse_time`` and ``parse_date``): every spelling in use is read, and
anything else is refused with the reason, never guessed."""

from __future__ import annotations

import datetime

import pytest

from tinhuy.documents.tables import parse_date, parse_time

T = datetime.time


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("7h30", T(7, 30)),
        ("7H30", T(7, 30)),
        ("7:30", T(7, 30)),
        ("07:30", T(7, 30)),
        ("07.30", T(7, 30)),
        ("7.30", T(7, 30)),
        ("7h", T(7, 0)),
        ("7 giờ 30", T(7, 30)),
        ("13g45", T(13, 45)),
        # What Excel keeps of “07.30” or “7.05” typed in a plain cell: a number.
        (7.3, T(7, 30)),
        (7.05, T(7, 5)),
        (14, T(14, 0)),
        (T(8, 15), T(8, 15)),
        (datetime.datetime(2021, 1, 5, 8, 15), T(8, 15)),  # noqa: DTZ001 - as Excel stores it
    ],
)
def test_every_spelling_of_a_time_in_use_is_read(typed: object, expected: datetime.time) -> None:
    assert parse_time(typed) == (expected, None)


@pytest.mark.parametrize("typed", ["25:00", "7:60", "7.3", "7.300", "bảy giờ", "", 24.0, 7.75])
def test_a_time_that_is_not_one_is_refused_with_the_spellings_accepted(typed: object) -> None:
    value, problem = parse_time(typed)
    assert value is None
    assert problem is not None
    assert "07:30, 7h30 hoặc 07.30" in problem


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1/2/2021", datetime.date(2021, 2, 1)),
        ("01/02/2021", datetime.date(2021, 2, 1)),
        ("1-2-2021", datetime.date(2021, 2, 1)),
        ("01.02.2021", datetime.date(2021, 2, 1)),
        (" 1 / 2 / 2021 ", datetime.date(2021, 2, 1)),
        (datetime.date(2021, 2, 1), datetime.date(2021, 2, 1)),
        (datetime.datetime(2021, 2, 1, 0, 0), datetime.date(2021, 2, 1)),  # noqa: DTZ001 - as Excel
    ],
)
def test_a_date_is_read_day_first_with_or_without_leading_zeros(
    typed: object, expected: datetime.date
) -> None:
    assert parse_date(typed) == (expected, None)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("1/2/21", "dd/mm/yyyy"),  # 2021 or 1921: not guessed
        ("2021-02-01", "dd/mm/yyyy"),  # year first would be read another way elsewhere
        ("31/2/2021", "không có thật"),
        ("", "dd/mm/yyyy"),
    ],
)
def test_a_date_that_is_not_one_is_refused_saying_why(typed: str, says: str) -> None:
    value, problem = parse_date(typed)
    assert value is None
    assert problem is not None and says in problem
