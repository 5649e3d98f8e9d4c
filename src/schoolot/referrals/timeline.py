"""The district's records in, due dates out: a thin adapter over schoolot.rules.timelines.

The rules are pure (a calendar and a profile as plain data); this module builds those from
the district's school years and its timeline profile, and turns rule errors into messages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from schoolot.directory.models import District, SchoolYear


class TimelineUnavailable(Exception):
    """The district's data cannot give this due date (e.g. no school year covers it)."""


@dataclass(frozen=True)
class Due:
    date: dt.date
    explanation: str


def _calendars(district: District, school_id: int | None):
    years = list(
        SchoolYear.objects.filter(district=district)
        .prefetch_related("events")
        .order_by("first_day")
    )
    return [y.calendar(school_id=school_id) for y in years]


def evaluation_due(
    *, district: District, consent_on: dt.date, school_id: int | None = None
) -> Due:
    """The initial evaluation's due date under the district's timeline profile, counted on
    the calendar of the student's school (`school_id`: its own closures are days without
    school for her too) or the district's."""
    from schoolot.rules import timelines as rules

    calendars = _calendars(district, school_id)
    if not calendars:
        raise TimelineUnavailable(
            "The district has no school calendar yet; add the school year first."
        )
    try:
        profile = (
            rules.TimelineProfile.from_dict(district.timeline_custom or {})
            if district.timeline_profile == "custom"
            else rules.profile_get(district.timeline_profile)
        )
        result = rules.initial_evaluation_due(
            consent_on=consent_on, calendars=calendars, profile=profile
        )
    except (rules.TimelineError, KeyError) as exc:
        raise TimelineUnavailable(str(exc)) from exc
    return Due(date=result.due, explanation=result.explanation)


def iep_meeting_due(*, eligibility_on: dt.date) -> dt.date:
    from schoolot.rules import timelines as rules

    return rules.iep_meeting_due(eligibility_on=eligibility_on)


def annual_review_due(*, meeting_on: dt.date) -> dt.date:
    from schoolot.rules import timelines as rules

    return rules.annual_review_due(meeting_on=meeting_on)


def reevaluation_due(*, evaluated_on: dt.date) -> dt.date:
    from schoolot.rules import timelines as rules

    return rules.reevaluation_due(evaluated_on=evaluated_on)
