"""Reads of the therapist's fixed time: her commitments, lunch and planning."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from schoolot.directory.models import Staff
from schoolot.schedules.models import Commitment, LunchAndPlanning, SchedulePriorities


def weekdays_held(*, weekdays: str) -> list[int]:
    """The weekdays (0 Mon to 4 Fri) a recurring record (a commitment, a protected block)
    holds, from its stored "1,3"; blank is every school day."""
    days = sorted({int(d) for d in weekdays.split(",") if d.strip().isdigit()})
    return days or list(range(5))


def commitment_clash_get(
    *, staff: Staff, weekday: int, start: dt.time, end: dt.time
) -> Commitment | None:
    """Her commitment that recurs on that weekday and overlaps start-end (ending as the
    other starts is no overlap), or None. One-offs on a date do not count: a recurring
    session may fall in one, and that day's Today marks it."""
    for commitment in Commitment.objects.filter(
        staff=staff, on__isnull=True, start__lt=end, end__gt=start
    ):
        if weekday in weekdays_held(weekdays=commitment.weekdays):
            return commitment
    return None


def commitments_on_date_get(*, staff: Staff, date: dt.date) -> list[Commitment]:
    """Her fixed time held on `date`, by start: the recurring commitments of its weekday and
    the one-offs of that date (school closures are the caller's to check)."""
    if date.weekday() > 4:
        return []
    return [
        c
        for c in Commitment.objects.filter(staff=staff)
        .filter(Q(on__isnull=True) | Q(on=date))
        .select_related("school")
        .order_by("start")
        if c.on is not None or date.weekday() in weekdays_held(weekdays=c.weekdays)
    ]


def lunch_and_planning_get(*, staff: Staff) -> LunchAndPlanning:
    """Her lunch and planning time; the defaults (an unsaved row) when she set none."""
    found = LunchAndPlanning.objects.filter(staff=staff).first()
    return found or LunchAndPlanning(district_id=staff.district_id, staff=staff)


def schedule_priorities_get(*, district_id: int) -> SchedulePriorities:
    """The district's schedule priorities; the defaults (an unsaved row) when none were set."""
    found = (
        SchedulePriorities.objects.filter(district_id=district_id)
        .select_related("updated_by")
        .first()
    )
    return found or SchedulePriorities(district_id=district_id)
