"""The calendar's pure rules: weekdays of a span, and a year split into reporting periods."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schoolot.rules.calendar import CalendarError, SchoolCalendar, periods_split

# 2026-27 in a district with a winter break: 180 school days is the common state minimum.
YEAR = SchoolCalendar(
    first_day=dt.date(2026, 8, 31),
    last_day=dt.date(2027, 6, 11),
    closed_days=frozenset(dt.date(2026, 12, 21) + dt.timedelta(days=i) for i in range(14)),
)


def test_quarters_of_a_year_are_even_and_end_on_school_days():
    days = YEAR.instructional_days()
    quarters = periods_split(days, 4)
    assert len(quarters) == 4
    assert quarters[0][0] == YEAR.first_day and quarters[-1][1] == YEAR.last_day
    sizes = [YEAR.count_instructional(a, b) for a, b in quarters]
    assert sum(sizes) == len(days) and max(sizes) - min(sizes) <= 1
    assert sizes == sorted(sizes, reverse=True)  # the earlier ones take the extra day
    for (_, end), (start, _) in zip(quarters, quarters[1:], strict=False):
        assert YEAR.is_instructional(end) and end < start
        # The next period starts on the next school day: no school day is left out.
        assert YEAR.count_instructional(end, start) == 2


def test_a_break_falls_between_school_days_not_inside_a_count():
    days = YEAR.instructional_days()
    (first, _), (second, _) = periods_split(days, 2)
    assert YEAR.count_instructional(first, second) - 1 == (len(days) + 1) // 2


@given(st.integers(min_value=0, max_value=60), st.integers(min_value=1, max_value=6))
def test_split_covers_every_day_once(n, parts):
    days = [dt.date(2026, 9, 1) + dt.timedelta(days=i) for i in range(n)]
    if n < 2 * parts:
        with pytest.raises(CalendarError, match="too few"):
            periods_split(days, parts)
        return
    spans = periods_split(days, parts)
    covered = [d for a, b in spans for d in days if a <= d <= b]
    assert covered == days
    assert all(b > a for a, b in spans)


def test_no_periods_is_refused():
    with pytest.raises(CalendarError):
        periods_split(YEAR.instructional_days(), 0)
