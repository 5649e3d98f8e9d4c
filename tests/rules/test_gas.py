"""GAS T-scores, against values derived by hand from the formula of DOMAIN.md 3
(Kiresuk & Sherman 1968; Turner-Stokes 2009 with erratum):
T = 50 + 10 * sum(w x) / sqrt((1 - rho) sum(w^2) + rho (sum w)^2), rho = 0.3."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schoolot.rules.gas import analysed_score, t_score, weight


def test_one_goal_at_plus_one_is_60():
    # sum(wx) = 1; denominator sqrt(0.7 * 1 + 0.3 * 1) = 1: T = 50 + 10 = 60.
    assert t_score([1]) == pytest.approx(60)


def test_all_goals_at_zero_is_50():
    assert t_score([0, 0, 0]) == pytest.approx(50)


def test_three_goals_unweighted():
    # scores 1, 0, -1: numerator 0 -> 50. Scores 2, 1, 0: numerator 3; denominator
    # sqrt(0.7 * 3 + 0.3 * 9) = sqrt(4.8) = 2.19089; T = 50 + 30 / 2.19089 = 63.693.
    assert t_score([1, 0, -1]) == pytest.approx(50)
    assert t_score([2, 1, 0]) == pytest.approx(50 + 30 / math.sqrt(4.8))
    assert t_score([2, 1, 0]) == pytest.approx(63.693, abs=1e-3)


def test_weighted():
    # weights 2, 1; scores 1, -1: numerator 2 - 1 = 1; sum w^2 = 5, (sum w)^2 = 9;
    # denominator sqrt(0.7 * 5 + 0.3 * 9) = sqrt(6.2); T = 50 + 10 / sqrt(6.2) = 54.016.
    assert t_score([1, -1], weights=[2, 1]) == pytest.approx(50 + 10 / math.sqrt(6.2))


def test_partial_counts_as_minus_one():
    assert analysed_score(-0.5) == -1
    assert t_score([-0.5]) == pytest.approx(40)


def test_weight_is_importance_times_difficulty():
    assert weight(importance=3, difficulty=2) == 6
    with pytest.raises(ValueError):
        weight(importance=4, difficulty=1)


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        (([],), {}, "at least one goal"),
        (([3],), {}, "must be one of"),
        (([1, 0],), {"weights": [1]}, "one weight a goal"),
        (([1],), {"weights": [-1]}, "0 or more"),
        (([1],), {"weights": [0]}, "All GAS weights are zero"),
        (([1],), {"rho": 1.5}, "rho must be"),
    ],
)
def test_bad_input(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        t_score(*args, **kwargs)


@given(st.lists(st.sampled_from([-2, -1, 0, 1, 2]), min_size=1, max_size=8))
def test_t_score_is_symmetric_around_50(scores):
    assert t_score(scores) - 50 == pytest.approx(50 - t_score([-s for s in scores]))
