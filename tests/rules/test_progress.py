"""Progress maths, with hand-computed examples."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schoolot.rules.progress import (
    AT_RISK,
    CHANGE_INTERVENTION,
    MASTERED,
    NOT_INTRODUCED,
    NOT_PROGRESSING,
    ON_TRACK,
    RAISE_GOAL,
    GoalLine,
    ProgressError,
    decision,
    mastered_on,
    status,
    trend,
)

D = dt.date
# Legibility from 40% on Sep 1 to 90% on Jun 1 (273 days).
UP = GoalLine(baseline=40, target=90, start=D(2026, 9, 1), end=D(2027, 6, 1))
# Prompt level from 4 (partial physical) to 0 (independent).
DOWN = GoalLine(baseline=4, target=0, start=D(2026, 9, 1), end=D(2027, 6, 1))


def test_aim_line():
    assert UP.value_on(D(2026, 9, 1)) == 40
    assert UP.value_on(D(2027, 6, 1)) == 90
    # Halfway in days (136.5 of 273 days -> Jan 15.5): Jan 15 is day 136: 40 + 50 * 136/273.
    assert UP.value_on(D(2027, 1, 15)) == pytest.approx(40 + 50 * 136 / 273)
    assert UP.value_on(D(2026, 1, 1)) == 40 and UP.value_on(D(2028, 1, 1)) == 90
    with pytest.raises(ProgressError):
        GoalLine(baseline=1, target=2, start=D(2027, 1, 1), end=D(2026, 1, 1))


def test_trend_least_squares():
    # Points (0, 40), (7, 44), (14, 48): slope 4/7 a day, intercept 40.
    points = [(D(2026, 9, 1), 40), (D(2026, 9, 8), 44), (D(2026, 9, 15), 48)]
    t = trend(points)
    assert t.slope_per_day == pytest.approx(4 / 7)
    assert t.intercept == pytest.approx(40)
    assert t.value_on(D(2026, 9, 22)) == pytest.approx(52)
    # Noisy: (0, 10), (1, 14), (2, 12): mean x 1, mean y 12; slope = ((-1)(-2) + 0 + 1*0)/2 = 1.
    t = trend([(D(2026, 9, 1), 10), (D(2026, 9, 2), 14), (D(2026, 9, 3), 12)])
    assert t.slope_per_day == pytest.approx(1) and t.intercept == pytest.approx(11)


def test_trend_needs_three_points_and_uses_the_latest():
    assert trend([(D(2026, 9, 1), 40), (D(2026, 9, 8), 44)]) is None
    assert trend([(D(2026, 9, 1), 40)] * 3) is None  # one day: no slope
    many = [(D(2026, 9, 1) + dt.timedelta(days=i), 100 if i < 4 else i) for i in range(10)]
    assert trend(many, latest=6).points == 6
    assert trend(many, latest=6).slope_per_day == pytest.approx(1)


def test_mastery_in_consecutive_sessions():
    pts = [(D(2026, 10, i), v) for i, v in [(1, 85), (2, 92), (3, 80), (6, 90), (7, 91), (8, 95)]]
    assert mastered_on(pts, line=UP) == D(2026, 10, 8)  # 90, 91, 95 at or above 90
    assert mastered_on(pts, line=UP, criterion=80) == D(2026, 10, 3)
    down = [(D(2026, 10, i), v) for i, v in [(1, 1), (2, 0), (3, 0), (6, 0)]]
    assert mastered_on(down, line=DOWN) == D(2026, 10, 6)


def test_decision_rules():
    below = [(D(2026, 10, i), 41) for i in (1, 8, 15, 22)]  # aim is ~58 by then
    assert decision(below, line=UP) == CHANGE_INTERVENTION
    above = [(D(2026, 10, i), 85) for i in (1, 8, 15, 22)]
    assert decision(above, line=UP) == RAISE_GOAL
    mixed = below[:2] + above[2:]
    assert decision(mixed, line=UP) is None
    assert decision(below[:3], line=UP) is None
    # Downward goal: prompt level 4 every time is worse than the aim line.
    assert decision([(d, 4) for d, _ in below], line=DOWN) == CHANGE_INTERVENTION


def test_statuses():
    on = D(2026, 12, 1)
    assert status([], line=UP, on=on) == NOT_INTRODUCED
    assert status([(D(2026, 12, 5), 50)], line=UP, on=on) == NOT_INTRODUCED  # after `on`
    assert (
        status([(D(2026, 11, 1), 90), (D(2026, 11, 2), 92), (D(2026, 11, 3), 95)], line=UP, on=on)
        == MASTERED
    )
    # Rising 1 point a week from 50 in Sep: by Jun 1 about 50 + 39 weeks = 89 < 90: at risk;
    # 2 points a week: well past 90: on track.
    weekly = [D(2026, 9, 7) + dt.timedelta(weeks=i) for i in range(8)]
    assert status([(d, 50 + i) for i, d in enumerate(weekly)], line=UP, on=on) == AT_RISK
    assert status([(d, 50 + 2 * i) for i, d in enumerate(weekly)], line=UP, on=on) == ON_TRACK
    assert status([(d, 60 - i) for i, d in enumerate(weekly)], line=UP, on=on) == NOT_PROGRESSING
    # Two points: judged against the aim line.
    assert status([(D(2026, 10, 1), 30), (D(2026, 10, 8), 70)], line=UP, on=on) == ON_TRACK
    assert status([(D(2026, 10, 1), 30), (D(2026, 10, 8), 41)], line=UP, on=on) == AT_RISK


@given(
    st.lists(
        st.tuples(
            st.dates(min_value=D(2026, 9, 1), max_value=D(2027, 6, 1)),
            st.floats(min_value=0, max_value=100),
        ),
        max_size=20,
    )
)
def test_status_is_always_one_of_five(points):
    assert status(points, line=UP, on=D(2027, 6, 1)) in {
        MASTERED,
        ON_TRACK,
        AT_RISK,
        NOT_PROGRESSING,
        NOT_INTRODUCED,
    }
