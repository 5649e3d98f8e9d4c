"""A school calendar as plain data: which days are instructional.

Contract: a day is instructional when it lies within [first_day, last_day], falls on one of the
calendar's school weekdays (Monday-Friday unless told otherwise), and is not a closed day
(break, holiday, closure or staff day). Breaks are also kept as ranges because some state
timelines treat long breaks specially (California: breaks over 5 school days do not count).
No Django here: the district's records build one with `SchoolYear.calendar()`.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

MONDAY_TO_FRIDAY = frozenset({0, 1, 2, 3, 4})


def weekdays(start: dt.date, end: dt.date) -> list[dt.date]:
    """The days Monday to Friday in [start, end], both inclusive, in order (none if end < start)."""
    days = (start + dt.timedelta(days=i) for i in range((end - start).days + 1))
    return [day for day in days if day.weekday() < 5]


def weekdays_between(start: dt.date, end: dt.date) -> int:
    """How many days Monday to Friday lie in [start, end], both inclusive, without walking
    them (a calendar page counts every event's)."""
    if end < start:
        return 0
    whole, rest = divmod((end - start).days + 1, 7)
    return whole * 5 + sum((start.weekday() + i) % 7 < 5 for i in range(rest))


class CalendarError(ValueError):
    """The calendar cannot answer: e.g. it has no instructional days at all."""


def periods_split(days: Sequence[dt.date], parts: int) -> list[tuple[dt.date, dt.date]]:
    """Split a school year's instructional `days` (in order) into `parts` reporting periods
    of as equal a number of school days as can be (the earlier ones one longer when they do
    not divide), as (first day, last day) of each: quarters, trimesters or semesters, each
    ending on its last school day, when reports are due. CalendarError when there are too
    few days for each period to span at least two."""
    if parts < 1:
        raise CalendarError("Split the year into at least one period.")
    if len(days) < 2 * parts:
        raise CalendarError(
            f"The year has {len(days)} school day{'s' if len(days) != 1 else ''}: too few for "
            f"{parts} periods of at least two days each."
        )
    size, longer = divmod(len(days), parts)
    spans, at = [], 0
    for k in range(parts):
        n = size + (1 if k < longer else 0)
        spans.append((days[at], days[at + n - 1]))
        at += n
    return spans


@dataclass(frozen=True)
class SchoolCalendar:
    first_day: dt.date
    last_day: dt.date
    closed_days: frozenset[dt.date] = frozenset()
    breaks: tuple[tuple[dt.date, dt.date], ...] = ()
    weekdays: frozenset[int] = field(default=MONDAY_TO_FRIDAY)

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise CalendarError(
                f"The school year ends ({self.last_day}) before it starts ({self.first_day})."
            )
        for start, end in self.breaks:
            if end < start:
                raise CalendarError(f"A break ends ({end}) before it starts ({start}).")

    def is_instructional(self, day: dt.date) -> bool:
        return (
            self.first_day <= day <= self.last_day
            and day.weekday() in self.weekdays
            and day not in self.closed_days
        )

    @cached_property
    def _days(self) -> tuple[dt.date, ...]:
        days = []
        day = self.first_day
        while day <= self.last_day:
            if self.is_instructional(day):
                days.append(day)
            day += dt.timedelta(days=1)
        return tuple(days)

    def instructional_days(
        self, start: dt.date | None = None, end: dt.date | None = None
    ) -> tuple[dt.date, ...]:
        """Instructional days in [start, end], both inclusive (default: the whole year)."""
        days = self._days
        lo = 0 if start is None else bisect.bisect_left(days, start)
        hi = len(days) if end is None else bisect.bisect_right(days, end)
        return days[lo:hi]

    def count_instructional(self, start: dt.date, end: dt.date) -> int:
        """How many instructional days lie in [start, end], both inclusive (0 if end < start)."""
        if end < start:
            return 0
        days = self._days
        return bisect.bisect_right(days, end) - bisect.bisect_left(days, start)

    def require_instructional_days(self) -> None:
        """Raise CalendarError with a clear message if the year has no instructional day."""
        if not self._days:
            raise CalendarError(
                f"The school year {self.first_day} to {self.last_day} has no instructional days:"
                " check its weekdays, breaks and closures."
            )
