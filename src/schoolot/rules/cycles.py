"""The 4-week rotation for mandates that are not weekly (monthly, quarterly, yearly).

Contract:
- `cycle_week(day=, first_day=)`: which week of the rotation `day` falls in, 1..CYCLE_WEEKS,
  counted in Monday-to-Sunday weeks from the week holding `first_day` (the first day of the
  school year), so week 1 is the year's first week and the rotation runs on through breaks.
- `sessions_per_cycle(sessions=, period=)`: how many sessions a cycle of CYCLE_WEEKS weeks
  must hold to keep pace with a mandate of `sessions` per `period`; rounded up, so the
  mandate is never behind, and at least one. A month counts as 52/12 weeks; a quarter as the
  district's nine-week grading period (a 36-week year in four), the usual US reporting period;
  a year as those 36 instructional weeks (180 days, the usual US school year).
- `rotations_between(sessions=, period=)`: for a mandate given less often than once a
  rotation, how many rotations its one session a rotation may skip to, and still be never
  behind: floor(weeks per session / CYCLE_WEEKS), at least 1. 1 a quarter: every second
  rotation (every 8 weeks, not 9 sessions a year for 4); 1 a year: every ninth (36 weeks).
- `rotation_number(day=, first_day=)`: how many whole rotations lie between the school
  year's first week and the week holding `day` (0 in weeks 1-4; negative before the year).
- `rotation_holds(rotation=, week=, cycle_week=, every=, offset=)`: whether such a slot is
  held in week `week` of rotation number `rotation`.
- `weeks_until(week_index=, cycle_week=, every=, offset=)`: from the week `week_index`
  (0 = the year's first week), how many weeks until a slot in week `cycle_week` of the
  rotation, repeating every `every` rotations from rotation `offset` (mod `every`), next
  comes (0 when it is this week).
- `assumed_first_day(day=)`: the first day of the school year holding `day` when the
  district has none on record: August 1 (of `day`'s year from August, else the year before).
- `slot_recurrence(weekday=, week_of=, first_day=, last_day=, cycle_week=, every=, offset=,
  closed=)`: the dates a weekly slot is held from the week holding `week_of` to `last_day`:
  its first date (never before `first_day`, the school year's first day; None when none is
  left before `last_day`), its interval in weeks (1, or CYCLE_WEEKS x `every` for a slot of
  one rotation week), and the dates among them that are `closed` (breaks, holidays), for a
  calendar to leave out.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

CYCLE_WEEKS = 4
WEEKS_IN = {"week": 1.0, "month": 52 / 12, "quarter": 9.0, "year": 36.0}


def cycle_week(*, day: dt.date, first_day: dt.date) -> int:
    """The week of the rotation (1..CYCLE_WEEKS) that `day` falls in."""
    monday = first_day - dt.timedelta(days=first_day.weekday())
    return (day - monday).days // 7 % CYCLE_WEEKS + 1


def sessions_per_cycle(*, sessions: int, period: str) -> int:
    """Sessions a rotation must hold for a mandate of `sessions` per `period`."""
    if period not in WEEKS_IN:
        raise ValueError(f"No rotation for a {period!r} mandate: week, month, quarter or year.")
    if sessions < 1:
        raise ValueError("A mandate has at least one session per period.")
    # A small tolerance so that e.g. 13 a quarter over 9 weeks is not pushed up by float noise.
    return max(1, math.ceil(sessions * CYCLE_WEEKS / WEEKS_IN[period] - 1e-9))


def rotations_between(*, sessions: int, period: str) -> int:
    """Every how many rotations a mandate's one-a-rotation session recurs (see the contract)."""
    if sessions_per_cycle(sessions=sessions, period=period) > 1:
        return 1
    return max(1, math.floor(WEEKS_IN[period] / sessions / CYCLE_WEEKS + 1e-9))


def _week_index(*, day: dt.date, first_day: dt.date) -> int:
    monday = first_day - dt.timedelta(days=first_day.weekday())
    return (day - monday).days // 7


def rotation_number(*, day: dt.date, first_day: dt.date) -> int:
    """Whole rotations from the year's first week to the week holding `day`."""
    return _week_index(day=day, first_day=first_day) // CYCLE_WEEKS


def rotation_holds(*, rotation: int, week: int, cycle_week: int, every: int, offset: int) -> bool:
    """Whether a slot in week `cycle_week` of the rotation, repeating every `every` rotations
    from rotation `offset`, is held in week `week` (1-4) of rotation number `rotation`."""
    return week == cycle_week and (rotation - offset) % max(1, every) == 0


def weeks_until(*, week_index: int, cycle_week: int, every: int, offset: int) -> int:
    """Weeks from `week_index` to the next week of a slot (see the contract)."""
    for ahead in range(CYCLE_WEEKS * max(1, every)):
        rotation, week = divmod(week_index + ahead, CYCLE_WEEKS)
        if rotation_holds(
            rotation=rotation, week=week + 1, cycle_week=cycle_week, every=every, offset=offset
        ):
            return ahead
    raise ValueError(f"No week {cycle_week} of the rotation: weeks run 1-{CYCLE_WEEKS}.")


def assumed_first_day(*, day: dt.date) -> dt.date:
    """The school year's first day when none is on record (see the contract)."""
    return dt.date(day.year if day.month >= 8 else day.year - 1, 8, 1)


@dataclass(frozen=True)
class Recurrence:
    first: dt.date | None  # None: not held again before the year ends
    interval_weeks: int
    skipped: tuple[dt.date, ...]  # held on these dates but for the school calendar


def slot_recurrence(
    *,
    weekday: int,
    week_of: dt.date,
    first_day: dt.date,
    last_day: dt.date,
    cycle_week: int | None = None,
    every: int = 1,
    offset: int = 0,
    closed: Iterable[dt.date] = (),
) -> Recurrence:
    """When a weekly slot is held, from the week holding `week_of` (see the contract)."""
    monday = week_of - dt.timedelta(days=week_of.weekday())
    if cycle_week is None:
        ahead, interval = 0, 1
    else:
        ahead = weeks_until(
            week_index=_week_index(day=monday, first_day=first_day),
            cycle_week=cycle_week,
            every=every,
            offset=offset,
        )
        interval = CYCLE_WEEKS * max(1, every)
    first = monday + dt.timedelta(weeks=ahead, days=weekday)
    while first < first_day:
        first += dt.timedelta(weeks=interval)
    if first > last_day:
        return Recurrence(None, interval, ())
    skipped = tuple(
        sorted(
            d
            for d in set(closed)
            if first <= d <= last_day and (d - first).days % (7 * interval) == 0
        )
    )
    return Recurrence(first, interval, skipped)
