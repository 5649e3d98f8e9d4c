"""The 4-week rotation: weeks counted from the school year's first week; sessions per cycle
keep pace with the mandate (rounded up, never behind)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schoolot.rules.cycles import (
    CYCLE_WEEKS,
    assumed_first_day,
    cycle_week,
    rotation_holds,
    rotation_number,
    rotations_between,
    sessions_per_cycle,
    slot_recurrence,
    weeks_until,
)

FIRST = dt.date(2026, 8, 19)  # a Wednesday: week 1 runs Mon Aug 17 - Sun Aug 23


@pytest.mark.parametrize(
    "day, week",
    [
        (dt.date(2026, 8, 17), 1),  # the Monday before the first day is still week 1
        (dt.date(2026, 8, 19), 1),
        (dt.date(2026, 8, 23), 1),
        (dt.date(2026, 8, 24), 2),
        (dt.date(2026, 9, 7), 4),
        (dt.date(2026, 9, 14), 1),  # the rotation starts again
        (dt.date(2026, 11, 24), 3),  # the 15th week: through breaks, by the calendar
        (dt.date(2026, 8, 14), 4),  # before the year: the week before week 1
    ],
)
def test_cycle_week(day, week):
    assert cycle_week(day=day, first_day=FIRST) == week


@given(st.integers(-400, 400))
def test_a_week_later_is_the_next_week_of_the_rotation(offset):
    day = FIRST + dt.timedelta(days=offset)
    later = day + dt.timedelta(days=7)
    week = cycle_week(day=day, first_day=FIRST)
    assert 1 <= week <= CYCLE_WEEKS
    assert cycle_week(day=later, first_day=FIRST) == week % CYCLE_WEEKS + 1


@pytest.mark.parametrize(
    "sessions, period, per_cycle",
    [
        (1, "week", 4),
        (2, "week", 8),
        (1, "month", 1),  # 4 weeks of a 4.33-week month: 0.92, rounded up
        (2, "month", 2),  # 1.85
        (4, "month", 4),  # 3.69
        (5, "month", 5),  # 4.62
        (1, "quarter", 1),  # 0.44, at least one
        (3, "quarter", 2),  # 1.33
        (9, "quarter", 4),  # exactly one a week
        (10, "quarter", 5),  # 4.44
        (36, "year", 4),  # one a week of a 36-week school year
        (18, "year", 2),
        (20, "year", 3),  # 2.22
        (4, "year", 1),  # 0.44, at least one
    ],
)
def test_sessions_per_cycle(sessions, period, per_cycle):
    assert sessions_per_cycle(sessions=sessions, period=period) == per_cycle


@given(st.integers(1, 40), st.sampled_from(["week", "month", "quarter", "year"]))
def test_never_behind_the_mandate(sessions, period):
    weeks = {"week": 1, "month": 52 / 12, "quarter": 9, "year": 36}[period]
    per_cycle = sessions_per_cycle(sessions=sessions, period=period)
    # Over one period, the rotation holds at least what the mandate asks, and never a whole
    # extra session a week more.
    assert per_cycle / CYCLE_WEEKS * weeks >= sessions - 1e-9
    assert per_cycle - 1 < sessions * CYCLE_WEEKS / weeks + 1e-9 or per_cycle == 1


@pytest.mark.parametrize("sessions, period", [(0, "month"), (2, "semester"), (1, "fortnight")])
def test_bad_input(sessions, period):
    with pytest.raises(ValueError):
        sessions_per_cycle(sessions=sessions, period=period)


@pytest.mark.parametrize(
    "sessions, period, every",
    [
        (1, "week", 1),
        (1, "month", 1),  # 4.33 weeks a session: each rotation
        (2, "quarter", 1),  # 4.5 weeks
        (1, "quarter", 2),  # 9 weeks: every 8 weeks (4.5 a 36-week year for 4)
        (1, "year", 9),  # 36 weeks: once a year
        (2, "year", 4),  # 18 weeks: every 16
        (3, "year", 3),  # 12 weeks: every 12, exactly
        (4, "year", 2),  # 9 weeks: every 8
        (6, "year", 1),  # 6 weeks: a rotation is the longest step that keeps pace
    ],
)
def test_rotations_between(sessions, period, every):
    assert rotations_between(sessions=sessions, period=period) == every


@given(st.integers(1, 40), st.sampled_from(["week", "month", "quarter", "year"]))
def test_skipping_rotations_is_never_behind_and_only_for_one_a_rotation(sessions, period):
    every = rotations_between(sessions=sessions, period=period)
    weeks = {"week": 1, "month": 52 / 12, "quarter": 9, "year": 36}[period]
    assert every >= 1
    if every > 1:
        # Only a mandate of one session a rotation skips rotations, and one session every
        # `every` rotations still comes at least as often as the mandate asks.
        assert sessions_per_cycle(sessions=sessions, period=period) == 1
        assert every * CYCLE_WEEKS <= weeks / sessions + 1e-9
        # ...and is the longest such step: one more rotation would fall behind.
        assert (every + 1) * CYCLE_WEEKS > weeks / sessions


@pytest.mark.parametrize(
    "day, number",
    [
        (dt.date(2026, 8, 17), 0),
        (dt.date(2026, 9, 13), 0),  # the end of week 4
        (dt.date(2026, 9, 14), 1),
        (dt.date(2026, 11, 24), 3),  # the 15th week
        (dt.date(2026, 8, 14), -1),
    ],
)
def test_rotation_number(day, number):
    assert rotation_number(day=day, first_day=FIRST) == number


@given(st.integers(0, 200), st.integers(1, 4), st.integers(1, 9), st.integers(0, 8))
def test_weeks_until_lands_on_the_slots_week(index, week, every, offset):
    offset %= every
    ahead = weeks_until(week_index=index, cycle_week=week, every=every, offset=offset)
    assert 0 <= ahead < CYCLE_WEEKS * every
    rotation, in_rotation = divmod(index + ahead, CYCLE_WEEKS)
    assert in_rotation + 1 == week and rotation % every == offset
    # No earlier week qualifies.
    for earlier in range(ahead):
        r, w = divmod(index + earlier, CYCLE_WEEKS)
        assert not (w + 1 == week and r % every == offset)


@pytest.mark.parametrize(
    "day, first",
    [
        (dt.date(2026, 11, 25), dt.date(2026, 8, 1)),
        (dt.date(2026, 8, 1), dt.date(2026, 8, 1)),
        (dt.date(2026, 7, 31), dt.date(2025, 8, 1)),
        (dt.date(2027, 3, 2), dt.date(2026, 8, 1)),
    ],
)
def test_assumed_first_day(day, first):
    assert assumed_first_day(day=day) == first


LAST = dt.date(2027, 5, 28)
THANKSGIVING = (dt.date(2026, 11, 26), dt.date(2026, 11, 27))
WINTER = tuple(dt.date(2026, 12, 21) + dt.timedelta(days=i) for i in range(14))


def recurrence(weekday, week_of, cycle, every, offset, closed=()):
    """The slot's dates in the year FIRST..LAST."""
    return slot_recurrence(
        weekday=weekday,
        week_of=week_of,
        first_day=FIRST,
        last_day=LAST,
        cycle_week=cycle,
        every=every,
        offset=offset,
        closed=closed,
    )


@pytest.mark.parametrize(
    "weekday, week_of, cycle, every, offset, first, interval, skipped",
    [
        # A Thursday slot, weekly, from Thanksgiving week: held on the 26th but for the
        # holiday, and not over winter break.
        (
            3,
            dt.date(2026, 11, 23),
            None,
            1,
            0,
            dt.date(2026, 11, 26),
            1,
            (dt.date(2026, 11, 26), dt.date(2026, 12, 24), dt.date(2026, 12, 31)),
        ),
        # This week's Monday, before today, is still this week's (the week is shown whole).
        (
            0,
            dt.date(2026, 11, 25),
            None,
            1,
            0,
            dt.date(2026, 11, 23),
            1,
            (dt.date(2026, 12, 21), dt.date(2026, 12, 28)),
        ),
        # Before the year: the year's first week; a Monday before a Wednesday start is not
        # held, the next one is.
        (
            0,
            dt.date(2026, 7, 1),
            None,
            1,
            0,
            dt.date(2026, 8, 24),
            1,
            (dt.date(2026, 12, 21), dt.date(2026, 12, 28)),
        ),
        (
            2,
            dt.date(2026, 7, 1),
            None,
            1,
            0,
            dt.date(2026, 8, 19),
            1,
            (dt.date(2026, 12, 23), dt.date(2026, 12, 30)),
        ),
        # Week 1 of the rotation, Monday: week 1's Monday is before the first day, so the
        # first is week 1 of the next rotation (Sep 14).
        (0, dt.date(2026, 7, 1), 1, 1, 0, dt.date(2026, 9, 14), 4, ()),
        # Week 3 of the rotation from Nov 23 (week 15, rotation 3, week 3): this week.
        (
            4,
            dt.date(2026, 11, 23),
            3,
            1,
            0,
            dt.date(2026, 11, 27),
            4,
            (dt.date(2026, 11, 27), dt.date(2026, 12, 25)),
        ),
        # Every second rotation from rotation 0: rotation 3 is out, rotation 4's week 3 is
        # Dec 21 (winter break, skipped), then every 8 weeks.
        (1, dt.date(2026, 11, 23), 3, 2, 0, dt.date(2026, 12, 22), 8, (dt.date(2026, 12, 22),)),
        # Not held again before the year's last day.
        (0, dt.date(2027, 5, 24), 4, 2, 1, None, 8, ()),
    ],
)
def test_slot_recurrence(weekday, week_of, cycle, every, offset, first, interval, skipped):
    got = recurrence(weekday, week_of, cycle, every, offset, closed={*THANKSGIVING, *WINTER})
    assert (got.first, got.interval_weeks, got.skipped) == (first, interval, skipped)


@given(
    st.integers(-10, 300),
    st.integers(0, 4),
    st.one_of(st.none(), st.integers(1, 4)),
    st.integers(1, 9),
    st.integers(0, 8),
)
def test_slot_recurrence_is_the_first_week_the_rotation_holds(days, weekday, cycle, every, offset):
    offset %= every
    week_of = FIRST + dt.timedelta(days=days)
    got = recurrence(weekday, week_of, cycle, every, offset)

    def held(day):
        if day.weekday() != weekday or not FIRST <= day <= LAST:
            return False
        if day - dt.timedelta(days=day.weekday()) < week_of - dt.timedelta(week_of.weekday()):
            return False
        return cycle is None or rotation_holds(
            rotation=rotation_number(day=day, first_day=FIRST),
            week=cycle_week(day=day, first_day=FIRST),
            cycle_week=cycle,
            every=every,
            offset=offset,
        )

    dates = [FIRST + dt.timedelta(days=i) for i in range(-7, (LAST - FIRST).days + 1)]
    expected = [d for d in dates if held(d)]
    assert got.first == (expected[0] if expected else None)
    if expected:
        # Every interval from the first lands on a held date, and every held date is one.
        series = [
            d
            for d in dates
            if d >= got.first and (d - got.first).days % (7 * got.interval_weeks) == 0
        ]
        assert series == expected
