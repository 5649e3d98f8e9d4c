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
"""

from __future__ import annotations

import datetime as dt
import math

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
