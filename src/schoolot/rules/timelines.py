"""IDEA and state timelines as pure rules, with the district's school calendars as data.

Sources (DOMAIN.md section 2):
- 34 CFR 300.301(c)(1): initial evaluation within 60 days of parental consent, or within the
  state's own timeframe; 300.11: "day" means calendar day unless otherwise indicated.
- 34 CFR 300.323(c)(1): the IEP meeting within 30 days of the eligibility determination.
- 34 CFR 300.324(b)(1): the IEP reviewed at least annually.
- 34 CFR 300.303(b): reevaluation at least once every 3 years, not more than once a year
  unless parent and agency agree.
- 34 CFR 300.320(a)(3)(ii): progress reports when the IEP says (e.g. with report cards).
- 34 CFR 104.35 (Section 504): periodic reevaluation; districts commonly review yearly.
- State profiles, as DOMAIN.md gives them: California Ed. Code 56043(c) and 56344(a) (IEP
  within 60 days of consent, not counting days between terms or school vacations in excess of
  five school days; consent within 30 days of the end of the year: within 30 days of the next
  year's start); New York 8 NYCRR 200.4(b)(7) (60 calendar days); Texas Education Code 29.004
  (45 school days, extended by the days absent once absences reach 3; consent at least 35 but
  fewer than 45 school days before the last instructional day: report due June 30);
  Illinois 105 ILCS 5/14-8.02(b) (60 school days); Pennsylvania 22 Pa. Code 14.123(b)
  (60 calendar days, summer excluded); Massachusetts 603 CMR 28.05 (30 school working days to
  evaluate, 45 to the IEP).

Counting convention: the day consent is received is day 0; day 1 is the next day that counts.
A school-day count that runs past the year's last instructional day continues in the next
year's calendar, which must then be given (otherwise TimelineError says so).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from schoolot.rules.calendar import CalendarError, SchoolCalendar

CALENDAR = "calendar"  # every day counts
SCHOOL = "school"  # instructional days only
CALENDAR_EXCLUDING_LONG_BREAKS = "calendar_excluding_long_breaks"  # CA
CALENDAR_EXCLUDING_SUMMER = "calendar_excluding_summer"  # PA
COUNTINGS = frozenset({CALENDAR, SCHOOL, CALENDAR_EXCLUDING_LONG_BREAKS, CALENDAR_EXCLUDING_SUMMER})

END_OF_YEAR_NONE = "none"
END_OF_YEAR_CA = "ca"  # consent within 30 days of year end: next year's start + 30 days
END_OF_YEAR_TX = "tx"  # 35-44 school days left: June 30; fewer: continue next year


class TimelineError(ValueError):
    """A due date cannot be computed from the data given; the message says what is missing."""


@dataclass(frozen=True)
class TimelineProfile:
    """How a state (or a district) counts the initial evaluation timeline.

    `days` days counted the `counting` way from the consent; `long_break_school_days`: a
    break longer than this many school days does not count (CA); `end_of_year` selects a
    state's end-of-year rule; `absence_extension_threshold`: once the student's absences during
    the period reach it, the period is extended by that many school days (TX: 3);
    `meeting_days`: the IEP meeting's own deadline in the same counting (MA: 45), if any.
    """

    code: str
    name: str
    days: int
    counting: str
    source: str
    long_break_school_days: int = 5
    end_of_year: str = END_OF_YEAR_NONE
    absence_extension_threshold: int | None = None
    meeting_days: int | None = None

    def __post_init__(self) -> None:
        if self.counting not in COUNTINGS:
            raise TimelineError(f"Unknown counting {self.counting!r} for profile {self.code}.")
        if self.days <= 0:
            raise TimelineError(
                f"Profile {self.code}: the timeline needs a positive number of days."
            )
        if self.end_of_year not in {END_OF_YEAR_NONE, END_OF_YEAR_CA, END_OF_YEAR_TX}:
            raise TimelineError(f"Unknown end-of-year rule {self.end_of_year!r}.")

    @classmethod
    def from_dict(cls, data: dict) -> TimelineProfile:
        """A district's own profile, e.g. from its settings."""
        try:
            return cls(**data)
        except TypeError as exc:
            raise TimelineError(f"Not a timeline profile: {exc}") from exc


PROFILES: dict[str, TimelineProfile] = {
    p.code: p
    for p in [
        TimelineProfile("federal", "Federal default", 60, CALENDAR, "34 CFR 300.301(c)(1)"),
        TimelineProfile(
            "CA",
            "California",
            60,
            CALENDAR_EXCLUDING_LONG_BREAKS,
            "Cal. Ed. Code 56043(c), 56344(a)",
            long_break_school_days=5,
            end_of_year=END_OF_YEAR_CA,
        ),
        TimelineProfile("NY", "New York", 60, CALENDAR, "8 NYCRR 200.4(b)(7)"),
        TimelineProfile(
            "TX",
            "Texas",
            45,
            SCHOOL,
            "Tex. Educ. Code 29.004(a), (a-1)",
            end_of_year=END_OF_YEAR_TX,
            absence_extension_threshold=3,
        ),
        TimelineProfile("IL", "Illinois", 60, SCHOOL, "105 ILCS 5/14-8.02(b)"),
        TimelineProfile(
            "PA", "Pennsylvania", 60, CALENDAR_EXCLUDING_SUMMER, "22 Pa. Code 14.123(b)"
        ),
        TimelineProfile("MA", "Massachusetts", 30, SCHOOL, "603 CMR 28.05", meeting_days=45),
    ]
}


def profile_get(code: str) -> TimelineProfile:
    """A built-in profile by code (federal, CA, NY, TX, IL, PA, MA)."""
    try:
        return PROFILES[code]
    except KeyError:
        raise TimelineError(
            f"No timeline profile {code!r}; choose one of {', '.join(PROFILES)} or define "
            "the district's own."
        ) from None


@dataclass(frozen=True)
class TimelineResult:
    due: dt.date
    rule: str
    explanation: str
    notes: tuple[str, ...] = field(default=())
    meeting_due: dt.date | None = None


# -- calendars as a sequence of years --------------------------------------------------------


def _ordered(calendars: Sequence[SchoolCalendar]) -> list[SchoolCalendar]:
    if not calendars:
        raise TimelineError("No school calendar was given.")
    years = sorted(calendars, key=lambda c: c.first_day)
    for year in years:
        try:
            year.require_instructional_days()
        except CalendarError as exc:
            raise TimelineError(str(exc)) from exc
    for a, b in zip(years, years[1:], strict=False):
        if b.first_day <= a.last_day:
            raise TimelineError(
                f"School years overlap: {a.first_day}-{a.last_day} and {b.first_day}-{b.last_day}."
            )
    return years


def _year_of(years: list[SchoolCalendar], day: dt.date) -> SchoolCalendar | None:
    """The school year `day` belongs to: the one containing it, else the next one (summer
    belongs to the coming year), else None (after the last year given)."""
    for year in years:
        if day <= year.last_day:
            return year
    return None


def _is_instructional(years: list[SchoolCalendar], day: dt.date) -> bool:
    year = _year_of(years, day)
    return year is not None and year.is_instructional(day)


def _in_summer(years: list[SchoolCalendar], day: dt.date) -> bool:
    """Between one year's last day and the next year's first day (both exclusive), or before
    the first year's first day."""
    year = _year_of(years, day)
    return year is not None and day < year.first_day


def _long_break_days(years: list[SchoolCalendar], max_school_days: int) -> set[dt.date]:
    """Days inside a school vacation of more than `max_school_days` school days, with the
    weekends that run into it, and the summers: the days CA does not count."""
    excluded: set[dt.date] = set()
    for year in years:
        for start, end in year.breaks:
            weekdays = sum(
                1
                for i in range((end - start).days + 1)
                if (start + dt.timedelta(days=i)).weekday() in year.weekdays
            )
            if weekdays <= max_school_days:
                continue
            # Widen to the whole run of days off around the break (adjacent weekends).
            lo, hi = start, end
            while (
                not year.is_instructional(lo - dt.timedelta(days=1))
                and (lo - dt.timedelta(days=1)) >= year.first_day
            ):
                lo -= dt.timedelta(days=1)
            while (
                not year.is_instructional(hi + dt.timedelta(days=1))
                and (hi + dt.timedelta(days=1)) <= year.last_day
            ):
                hi += dt.timedelta(days=1)
            day = lo
            while day <= hi:
                excluded.add(day)
                day += dt.timedelta(days=1)
    return excluded


def _count_forward(
    years: list[SchoolCalendar], start: dt.date, n: int, counts, what: str
) -> dt.date:
    """The n-th day after `start` for which counts(day) is true."""
    day, counted = start, 0
    limit = years[-1].last_day
    while counted < n:
        day += dt.timedelta(days=1)
        if day > limit:
            raise TimelineError(
                f"The {n} {what} from {start:%b %-d, %Y} run past the last school calendar "
                f"given ({limit:%b %-d, %Y}); add the next school year's calendar."
            )
        if counts(day):
            counted += 1
    return day


def _school_days(years: list[SchoolCalendar], start: dt.date, n: int) -> dt.date:
    return _count_forward(years, start, n, lambda d: _is_instructional(years, d), "school days")


def _consent_notes(years: list[SchoolCalendar], consent_on: dt.date) -> list[str]:
    notes = []
    year = _year_of(years, consent_on)
    if year is None:
        raise TimelineError(
            f"Consent on {consent_on:%b %-d, %Y} is after the last school calendar given; add "
            "that school year's calendar."
        )
    if consent_on < year.first_day:
        notes.append(f"Consent was received over the summer ({consent_on:%b %-d}).")
    elif not year.is_instructional(consent_on):
        for start, end in year.breaks:
            if start <= consent_on <= end:
                notes.append(
                    f"Consent was received during a break ({start:%b %-d}–"
                    f"{end:%b %-d}); school days count from its end."
                )
                break
        else:
            notes.append(f"Consent was received on a day without school ({consent_on:%a %b %-d}).")
    return notes


# -- the rules --------------------------------------------------------------------------------


def initial_evaluation_due(
    *,
    consent_on: dt.date,
    calendars: Sequence[SchoolCalendar],
    profile: TimelineProfile,
    absences: int = 0,
) -> TimelineResult:
    """When the initial evaluation (CA: the IEP) is due, counted from the parental consent.

    `calendars` are the district's school years (this one and, where the count may run into
    it, the next). `absences`: the student's days absent during the period, for profiles that
    extend on absences (TX). Raises TimelineError with a clear message when the calendars
    cannot answer (no instructional days, a count running past the last year given).
    """
    if absences < 0:
        raise TimelineError("Absences cannot be negative.")
    years = _ordered(calendars)
    notes = _consent_notes(years, consent_on)
    year = _year_of(years, consent_on)
    source = profile.source
    n = profile.days

    if profile.counting == CALENDAR:
        due = consent_on + dt.timedelta(days=n)
        explanation = f"{n} calendar days from consent ({source})"
    elif profile.counting == CALENDAR_EXCLUDING_SUMMER:
        due = _count_forward(
            years,
            consent_on,
            n,
            lambda d: not _in_summer(years, d),
            "calendar days (summer excluded)",
        )
        explanation = f"{n} calendar days from consent, summer excluded ({source})"
    elif profile.counting == CALENDAR_EXCLUDING_LONG_BREAKS:
        if (
            profile.end_of_year == END_OF_YEAR_CA
            and consent_on >= year.first_day
            and (year.last_day - consent_on).days <= 30
        ):
            following = next((y for y in years if y.first_day > year.last_day), None)
            if following is None:
                raise TimelineError(
                    "Consent came within 30 days of the end of the school year: the due date "
                    "is 30 days into the next year; add next year's calendar."
                )
            due = following.first_day + dt.timedelta(days=30)
            return TimelineResult(
                due=due,
                rule=profile.code,
                explanation=f"consent within 30 days of the year's end: 30 days after the next "
                f"school year starts ({source})",
                notes=tuple(notes),
            )
        off = _long_break_days(years, profile.long_break_school_days)
        due = _count_forward(
            years,
            consent_on,
            n,
            lambda d: d not in off and not _in_summer(years, d),
            "counted days",
        )
        explanation = (
            f"{n} days from consent, not counting summer or breaks over "
            f"{profile.long_break_school_days} school days ({source})"
        )
    else:  # SCHOOL
        explanation = f"{n} school days from consent ({source})"
        if profile.absence_extension_threshold and absences >= profile.absence_extension_threshold:
            n += absences
            explanation += f", extended by {absences} days absent"
        if profile.end_of_year == END_OF_YEAR_TX and consent_on >= year.first_day:
            left = year.count_instructional(consent_on + dt.timedelta(days=1), year.last_day)
            if 35 <= left < 45:
                due = dt.date(year.last_day.year, 6, 30)
                return TimelineResult(
                    due=due,
                    rule=profile.code,
                    explanation=f"consent {left} school days before the last instructional "
                    f"day (35-44): report due June 30 ({source})",
                    notes=tuple(notes),
                )
        due = _school_days(years, consent_on, n)

    meeting_due = None
    if profile.meeting_days:
        meeting_due = (
            _school_days(years, consent_on, profile.meeting_days)
            if profile.counting == SCHOOL
            else consent_on + dt.timedelta(days=profile.meeting_days)
        )
    return TimelineResult(
        due=due,
        rule=profile.code,
        explanation=explanation,
        notes=tuple(notes),
        meeting_due=meeting_due,
    )


def add_years(day: dt.date, years: int) -> dt.date:
    """The same month and day `years` later; Feb 29 becomes Feb 28 in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def iep_meeting_due(*, eligibility_on: dt.date) -> dt.date:
    """34 CFR 300.323(c)(1): a meeting to develop the IEP within 30 (calendar) days of the
    eligibility determination."""
    return eligibility_on + dt.timedelta(days=30)


def annual_review_due(*, meeting_on: dt.date) -> dt.date:
    """34 CFR 300.324(b)(1): reviewed at least annually. Due the day before the anniversary of
    the meeting, so a new IEP is in effect when the old one's year ends."""
    return add_years(meeting_on, 1) - dt.timedelta(days=1)


def reevaluation_due(*, evaluated_on: dt.date) -> dt.date:
    """34 CFR 300.303(b)(2): at least once every 3 years; due the day before the third
    anniversary of the last evaluation."""
    return add_years(evaluated_on, 3) - dt.timedelta(days=1)


def reevaluation_earliest(*, evaluated_on: dt.date) -> dt.date:
    """34 CFR 300.303(b)(1): not more than once a year unless parent and agency agree."""
    return add_years(evaluated_on, 1)


def section_504_review_due(*, reviewed_on: dt.date, every_years: int = 1) -> dt.date:
    """34 CFR 104.35(d): periodic reevaluation; no federal interval, districts commonly review
    yearly (the interval is the district's setting)."""
    if every_years < 1:
        raise TimelineError("A 504 review interval is at least one year.")
    return add_years(reviewed_on, every_years) - dt.timedelta(days=1)


def progress_report_dates(
    *, periods: Sequence[tuple[dt.date, dt.date]], plan_start: dt.date, plan_end: dt.date
) -> list[dt.date]:
    """34 CFR 300.320(a)(3)(ii): progress reported with the district's reporting periods. One
    report at the end of each period that overlaps the plan. Overlapping periods are refused."""
    ordered = sorted(periods)
    for (s1, e1), (s2, _e2) in zip(ordered, ordered[1:], strict=False):
        if s2 <= e1:
            raise TimelineError(f"Reporting periods overlap ({s1}–{e1} and one from {s2}).")
    for start, end in ordered:
        if end < start:
            raise TimelineError(f"A reporting period ends ({end}) before it starts ({start}).")
    return [end for start, end in ordered if start <= plan_end and end >= plan_start]
