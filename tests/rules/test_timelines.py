"""Timeline rules, with worked examples counted by hand on a concrete calendar.

The 2026-27 test year: first day Mon Aug 17 2026, last day Fri May 28 2027. Closed: Labor Day
Mon Sep 7; Thanksgiving break Mon Nov 23 - Fri Nov 27 (5 school days); winter break Mon Dec 21
- Fri Jan 1 (10 school days); MLK Day Mon Jan 18; spring break Mon Mar 15 - Fri Mar 19.
The 2027-28 year starts Mon Aug 16 2027 (only its first weeks matter here).
"""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schoolot.rules.calendar import SchoolCalendar
from schoolot.rules.timelines import (
    PROFILES,
    TimelineError,
    TimelineProfile,
    annual_review_due,
    iep_meeting_due,
    initial_evaluation_due,
    profile_get,
    progress_report_dates,
    reevaluation_due,
    reevaluation_earliest,
    section_504_review_due,
)

D = dt.date


def span(a, b):
    return {a + dt.timedelta(days=i) for i in range((b - a).days + 1)}


BREAKS = (
    (D(2026, 11, 23), D(2026, 11, 27)),
    (D(2026, 12, 21), D(2027, 1, 1)),
    (D(2027, 3, 15), D(2027, 3, 19)),
)
THIS_YEAR = SchoolCalendar(
    first_day=D(2026, 8, 17),
    last_day=D(2027, 5, 28),
    closed_days=frozenset({D(2026, 9, 7), D(2027, 1, 18)}.union(*(span(a, b) for a, b in BREAKS))),
    breaks=BREAKS,
)
NEXT_YEAR = SchoolCalendar(first_day=D(2027, 8, 16), last_day=D(2028, 5, 26))
BOTH = [THIS_YEAR, NEXT_YEAR]


def due(code, consent, calendars=BOTH, **kwargs):
    return initial_evaluation_due(
        consent_on=consent, calendars=calendars, profile=profile_get(code), **kwargs
    )


class TestCalendarDays:
    def test_federal_60_calendar_days(self):
        # Oct 1 + 30 = Oct 31, + 30 = Nov 30.
        assert due("federal", D(2026, 10, 1)).due == D(2026, 11, 30)

    def test_new_york_the_same(self):
        assert due("NY", D(2026, 10, 1)).due == D(2026, 11, 30)

    def test_breaks_do_not_stop_calendar_days(self):
        # Dec 1 + 60 = Jan 30 (Dec has 31 days: Dec 1 + 30 = Dec 31, + 30 = Jan 30).
        assert due("federal", D(2026, 12, 1)).due == D(2027, 1, 30)


class TestPennsylvaniaSummerExcluded:
    def test_within_the_year(self):
        assert due("PA", D(2026, 10, 1)).due == D(2026, 11, 30)

    def test_across_summer(self):
        # May 15..May 28 = days 1-14; May 29 - Aug 15 is summer; Aug 16 = day 15;
        # day 60 = Aug 16 + 45 = Sep 30 2027.
        assert due("PA", D(2027, 5, 14)).due == D(2027, 9, 30)

    def test_needs_next_years_calendar(self):
        with pytest.raises(TimelineError, match="add the next school year's calendar"):
            due("PA", D(2027, 5, 14), calendars=[THIS_YEAR])


class TestCaliforniaLongBreaks:
    def test_winter_break_over_five_school_days_is_not_counted(self):
        # Dec 2..Dec 18 = days 1-17. Dec 19 (Sat) - Jan 3 (Sun): the winter vacation with its
        # weekends, 10 school days > 5, not counted. Jan 4 = day 18; day 60 = Jan 4 + 42 =
        # Feb 15 2027. MLK Day (one day) counts.
        assert due("CA", D(2026, 12, 1)).due == D(2027, 2, 15)

    def test_thanksgiving_five_school_days_counts(self):
        # Nov 1 + 60 = Dec 31 would cross winter break: Nov 2..Dec 18 = 47 days (Thanksgiving
        # counted); Jan 4 = day 48; day 60 = Jan 16 2027.
        assert due("CA", D(2026, 11, 1)).due == D(2027, 1, 16)

    def test_consent_within_30_days_of_year_end(self):
        # May 28 - May 1 = 27 days <= 30: due 30 days after Aug 16 2027 = Sep 15 2027.
        result = due("CA", D(2027, 5, 1))
        assert result.due == D(2027, 9, 15)
        assert "30 days" in result.explanation

    def test_consent_before_the_last_30_days_counts_across_summer(self):
        # Apr 20: May 28 - Apr 20 = 38 > 30. Apr 21..May 28 = days 1-38 (spring break was in
        # March); summer not counted; Aug 16 = day 39; day 60 = Aug 16 + 21 = Sep 6 2027.
        assert due("CA", D(2027, 4, 20)).due == D(2027, 9, 6)


class TestTexasSchoolDays:
    def test_45_school_days(self):
        # From Oct 2 (Fri) = 1: Oct 5-9 = 2-6, 12-16 = 7-11, 19-23 = 12-16, 26-30 = 17-21,
        # Nov 2-6 = 22-26, 9-13 = 27-31, 16-20 = 32-36, Thanksgiving closed, Nov 30-Dec 4 =
        # 37-41, Dec 7 = 42, 8 = 43, 9 = 44, 10 = 45.
        assert due("TX", D(2026, 10, 1)).due == D(2026, 12, 10)

    def test_extended_once_absences_reach_three(self):
        assert due("TX", D(2026, 10, 1), absences=2).due == D(2026, 12, 10)
        # 3 absences: 48 school days: Dec 11 = 46, Dec 14 = 47, Dec 15 = 48.
        assert due("TX", D(2026, 10, 1), absences=3).due == D(2026, 12, 15)

    def test_35_to_44_school_days_before_year_end_due_june_30(self):
        # Counting back from Fri May 28: the 40th school day is Mon Apr 5. Consent Fri Apr 2:
        # 40 school days left (35-44).
        result = due("TX", D(2027, 4, 2))
        assert result.due == D(2027, 6, 30)
        assert "June 30" in result.explanation

    def test_fewer_than_35_left_continues_next_year(self):
        # Consent Fri Apr 16: 30 school days left (Apr 19..May 28). 15 more in 2027-28:
        # Aug 16-20 = 5, Aug 23-27 = 10, Aug 30-Sep 3 = 15.
        assert due("TX", D(2027, 4, 16)).due == D(2027, 9, 3)

    def test_consent_in_a_break_counts_from_its_end(self):
        # Dec 23 is in winter break: Jan 4-8 = 1-5, Jan 11-15 = 6-10, MLK closed, Jan 19-22 =
        # 11-14, ... 45th school day: Jan 25-29 = 15-19, Feb 1-5 = 20-24, Feb 8-12 = 25-29,
        # Feb 15-19 = 30-34, Feb 22-26 = 35-39, Mar 1-5 = 40-44, Mar 8 = 45.
        result = due("TX", D(2026, 12, 23))
        assert result.due == D(2027, 3, 8)
        assert any("during a break" in note for note in result.notes)


class TestIllinoisAndMassachusetts:
    def test_illinois_60_school_days(self):
        # Continuing the Texas count: Dec 10 = 45, Dec 11 = 46, Dec 14-18 = 47-51, winter
        # break, Jan 4-8 = 52-56, Jan 11 = 57, 12 = 58, 13 = 59, 14 = 60.
        assert due("IL", D(2026, 10, 1)).due == D(2027, 1, 14)

    def test_massachusetts_30_to_evaluate_45_to_the_iep(self):
        # Nov 2-6 = 22-26, Nov 9 = 27, 10 = 28, 11 = 29, 12 = 30; 45th = Dec 10.
        result = due("MA", D(2026, 10, 1))
        assert result.due == D(2026, 11, 12)
        assert result.meeting_due == D(2026, 12, 10)


class TestBadInput:
    def test_calendar_without_instructional_days(self):
        empty = SchoolCalendar(
            first_day=D(2026, 8, 17),
            last_day=D(2026, 8, 21),
            closed_days=frozenset(span(D(2026, 8, 17), D(2026, 8, 21))),
        )
        with pytest.raises(TimelineError, match="no instructional days"):
            due("TX", D(2026, 8, 17), calendars=[empty])

    def test_no_calendar(self):
        with pytest.raises(TimelineError, match="No school calendar"):
            due("TX", D(2026, 8, 17), calendars=[])

    def test_consent_after_the_calendars(self):
        with pytest.raises(TimelineError, match="after the last school calendar"):
            due("TX", D(2028, 7, 1))

    def test_unknown_profile_and_bad_custom_profile(self):
        with pytest.raises(TimelineError, match="No timeline profile"):
            profile_get("ZZ")
        with pytest.raises(TimelineError):
            TimelineProfile.from_dict(
                {"code": "x", "name": "x", "days": 0, "counting": "school", "source": "district"}
            )
        with pytest.raises(TimelineError):
            TimelineProfile.from_dict(
                {"code": "x", "name": "x", "days": 30, "counting": "lunar", "source": "district"}
            )

    def test_a_district_profile(self):
        ours = TimelineProfile.from_dict(
            {
                "code": "district",
                "name": "Our district",
                "days": 50,
                "counting": "school",
                "source": "Board policy 6164.4",
            }
        )
        result = initial_evaluation_due(consent_on=D(2026, 10, 1), calendars=BOTH, profile=ours)
        assert result.due == D(2026, 12, 17)  # 45th is Dec 10; Dec 11, 14, 15, 16, 17


def test_every_named_state_has_a_profile():
    assert {"federal", "CA", "NY", "TX", "IL", "PA", "MA"} <= set(PROFILES)


@given(
    st.dates(min_value=D(2026, 8, 17), max_value=D(2027, 3, 1)), st.sampled_from(sorted(PROFILES))
)
def test_due_is_after_consent_and_on_school_days_when_counting_school_days(consent, code):
    result = due(code, consent)
    assert result.due > consent
    if PROFILES[code].counting == "school" and result.due.month != 6:
        assert THIS_YEAR.is_instructional(result.due) or NEXT_YEAR.is_instructional(result.due)


class TestOtherDeadlines:
    def test_iep_meeting_within_30_days(self):
        assert iep_meeting_due(eligibility_on=D(2026, 11, 10)) == D(2026, 12, 10)

    def test_annual_review_and_reevaluation(self):
        assert annual_review_due(meeting_on=D(2026, 11, 10)) == D(2027, 11, 9)
        assert reevaluation_due(evaluated_on=D(2026, 11, 10)) == D(2029, 11, 9)
        assert annual_review_due(meeting_on=D(2028, 2, 29)) == D(2029, 2, 27)

    def test_reevaluation_not_more_than_once_a_year(self):
        assert reevaluation_earliest(evaluated_on=D(2026, 11, 10)) == D(2027, 11, 10)

    def test_504_review(self):
        assert section_504_review_due(reviewed_on=D(2026, 9, 1)) == D(2027, 8, 31)
        with pytest.raises(TimelineError):
            section_504_review_due(reviewed_on=D(2026, 9, 1), every_years=0)

    def test_progress_reports_at_each_period_end_within_the_plan(self):
        periods = [
            (D(2026, 8, 17), D(2026, 10, 16)),
            (D(2026, 10, 19), D(2027, 1, 8)),
            (D(2027, 1, 11), D(2027, 3, 26)),
            (D(2027, 3, 29), D(2027, 5, 28)),
        ]
        assert progress_report_dates(
            periods=periods, plan_start=D(2026, 11, 1), plan_end=D(2027, 10, 31)
        ) == [D(2027, 1, 8), D(2027, 3, 26), D(2027, 5, 28)]
        with pytest.raises(TimelineError, match="overlap"):
            progress_report_dates(
                periods=[(D(2026, 8, 17), D(2026, 10, 16)), (D(2026, 10, 1), D(2026, 12, 1))],
                plan_start=D(2026, 8, 17),
                plan_end=D(2027, 5, 28),
            )
