"""The minutes ledger: worked examples and properties over any sequence of entries."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schoolot.rules.calendar import SchoolCalendar
from schoolot.rules.minutes import (
    DELIVERED,
    MISSED,
    Entry,
    Mandate,
    MinutesError,
    Period,
    ledger,
    ledger_sum,
    period_of,
    periods_between,
    required_minutes,
)

D = dt.date
# Fall 2026: Mon Nov 2 .. Fri Nov 20 are full weeks; Mon Nov 9 is a holiday (4-day week);
# Nov 23-27 is Thanksgiving break.
CAL = SchoolCalendar(
    first_day=D(2026, 8, 17),
    last_day=D(2027, 5, 28),
    closed_days=frozenset({D(2026, 11, 9)} | {D(2026, 11, 23) + dt.timedelta(i) for i in range(5)}),
    breaks=((D(2026, 11, 23), D(2026, 11, 27)),),
)
WEEKLY = Mandate(
    minutes_per_session=30,
    sessions_per_period=2,
    period="week",
    start=D(2026, 8, 17),
    end=D(2027, 5, 28),
)
WEEK1 = period_of(D(2026, 11, 4), "week")  # Nov 2-8
WEEK2 = period_of(D(2026, 11, 10), "week")  # Nov 9-15, holiday Monday
THANKS = period_of(D(2026, 11, 25), "week")


LATER = D(2026, 12, 1)


def line(entries, period=WEEK1, today=LATER, mandate=WEEKLY):
    return ledger(mandate=mandate, periods=[period], entries=entries, calendar=CAL, today=today)[0]


class TestRequired:
    def test_full_week(self):
        assert required_minutes(WEEKLY, WEEK1, CAL) == 60

    def test_holiday_week_is_four_fifths(self):
        assert required_minutes(WEEKLY, WEEK2, CAL) == 48

    def test_holiday_week_without_proration(self):
        assert required_minutes(WEEKLY, WEEK2, CAL, proration="none") == 60

    def test_break_week_requires_nothing(self):
        assert required_minutes(WEEKLY, THANKS, CAL) == 0

    def test_mandate_starting_mid_week(self):
        # Starts Wed Nov 4: Wed-Fri in force, 3 of 5 days: 36 minutes.
        m = Mandate(30, 2, "week", D(2026, 11, 4), D(2027, 5, 28))
        assert required_minutes(m, WEEK1, CAL) == 36

    def test_monthly_not_shrunk_by_breaks(self):
        m = Mandate(60, 1, "month", D(2026, 8, 17), D(2027, 5, 28))
        assert required_minutes(m, period_of(D(2026, 11, 1), "month"), CAL) == 60

    def test_zero_minutes_is_a_clear_error(self):
        with pytest.raises(MinutesError, match="zero minutes"):
            Mandate(0, 2, "week", D(2026, 8, 17), D(2027, 5, 28))


class TestLines:
    def test_all_delivered(self):
        ln = line(
            [Entry(1, D(2026, 11, 3), DELIVERED, 30), Entry(2, D(2026, 11, 5), DELIVERED, 30)]
        )
        assert (ln.required, ln.covered, ln.fidelity, ln.to_come) == (60, 60, 100, 0)

    def test_missed_with_reason_then_made_up_once(self):
        entries = [
            Entry(1, D(2026, 11, 3), DELIVERED, 30),
            Entry(2, D(2026, 11, 5), MISSED, 30, reason="student_absent", makeup_owed=True),
        ]
        first = line(entries)
        assert first.covered == 30 and first.missed == {"student_absent": 30}
        assert first.missed_short == 30 and first.owed == 30 and first.to_come == 0
        # A make-up the next week credits week 1, not week 2; a second make-up of the same
        # missed entry cannot credit it again and counts where it happened.
        entries += [
            Entry(3, D(2026, 11, 10), DELIVERED, 30, makeup_for=2),
            Entry(4, D(2026, 11, 12), DELIVERED, 30, makeup_for=2),
        ]
        w1, w2 = ledger(
            mandate=WEEKLY,
            periods=[WEEK1, WEEK2],
            entries=entries,
            calendar=CAL,
            today=D(2026, 12, 1),
        )
        assert (w1.made_up, w1.covered, w1.owed, w1.missed_short) == (30, 60, 0, 0)
        assert (w2.delivered, w2.made_up) == (30, 0)

    def test_minutes_beyond_the_mandate_are_shown(self):
        ln = line([Entry(i, D(2026, 11, 2 + i), DELIVERED, 30) for i in range(3)])
        assert (ln.covered, ln.excess) == (60, 30)

    def test_pace_flags_before_the_period_ends(self):
        # Wednesday Nov 4: 3 of 5 days elapsed, 36 of 60 minutes expected; 30 delivered.
        ln = line([Entry(1, D(2026, 11, 3), DELIVERED, 30)], today=D(2026, 11, 4))
        assert ln.expected_by_now == 36 and ln.behind_pace and not ln.finished
        assert ln.to_come == 30

    def test_entries_need_reasons(self):
        with pytest.raises(MinutesError, match="reason"):
            Entry(1, D(2026, 11, 3), MISSED, 30)


def test_periods_between_weeks_and_quarters():
    weeks = periods_between(D(2026, 11, 4), D(2026, 11, 18), "week")
    assert [w.start for w in weeks] == [D(2026, 11, 2), D(2026, 11, 9), D(2026, 11, 16)]
    quarters = [
        Period(D(2026, 8, 17), D(2026, 10, 16), "Q1"),
        Period(D(2026, 10, 19), D(2027, 1, 8), "Q2"),
    ]
    assert [
        q.name
        for q in periods_between(D(2026, 10, 1), D(2026, 11, 1), "quarter", quarters=quarters)
    ] == ["Q1", "Q2"]
    with pytest.raises(MinutesError, match="none of the district's reporting periods"):
        period_of(D(2026, 10, 17), "quarter", quarters=quarters)


SEPT_WEEKS = periods_between(D(2026, 9, 7), D(2026, 10, 4), "week")
DAYS = [D(2026, 9, 7) + dt.timedelta(days=i) for i in range(28)]


@st.composite
def entry_lists(draw):
    n = draw(st.integers(0, 14))
    entries = []
    for i in range(n):
        kind = draw(st.sampled_from([DELIVERED, MISSED]))
        day = draw(st.sampled_from(DAYS))
        minutes = draw(st.integers(0, 60))
        if kind == MISSED:
            entries.append(
                Entry(
                    i,
                    day,
                    MISSED,
                    minutes,
                    reason=draw(st.sampled_from(["student_absent", "holiday"])),
                    makeup_owed=draw(st.booleans()),
                )
            )
        else:
            missed = [e.id for e in entries if e.kind == MISSED]
            target = draw(st.sampled_from([None, *missed])) if missed else None
            entries.append(Entry(i, day, DELIVERED, minutes, makeup_for=target))
    return entries


@settings(max_examples=200, deadline=None)
@given(entry_lists(), st.sampled_from(DAYS))
def test_every_required_minute_is_accounted_for(entries, today):
    lines = ledger(mandate=WEEKLY, periods=SEPT_WEEKS, entries=entries, calendar=CAL, today=today)
    for ln in lines:
        assert ln.required == ln.covered + ln.missed_short + ln.to_come
        assert min(ln.covered, ln.missed_short, ln.to_come, ln.excess, ln.owed) >= 0
    # Nothing delivered is lost or counted twice: delivered + made up over all lines equals
    # the delivered minutes of the entries.
    total = ledger_sum(lines)
    assert total.delivered + total.made_up == sum(e.minutes for e in entries if e.kind == DELIVERED)
    # Each missed entry is made up at most once: credits never exceed what was missed.
    assert total.made_up <= sum(e.minutes for e in entries if e.kind == MISSED)
    assert total.covered + total.excess == total.delivered + total.made_up
