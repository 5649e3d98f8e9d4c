"""Billing units, tested against the Medicare Claims Processing Manual's worked examples
(Pub. 100-04, ch. 5, section 20.2) and DOMAIN.md section 4."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schoolot.rules.billing import (
    TIMED_CODES,
    group_units,
    session_units,
    timed_units,
    units_for_minutes,
)


@pytest.mark.parametrize(
    "minutes, units",
    [
        (0, 0),
        (7, 0),
        (8, 1),
        (22, 1),
        (23, 2),
        (37, 2),
        (38, 3),
        (52, 3),
        (53, 4),
        (67, 4),
        (68, 5),
        (82, 5),
        (83, 6),
    ],
)
def test_the_time_interval_chart(minutes, units):
    assert units_for_minutes(minutes) == units


class TestManualExamples:
    def test_33_and_7_minutes(self):
        # 33 min 97110 + 7 min 97140 = 40 timed minutes = 3 units: 2 for 97110 (30 min of
        # it are 2 full units) and 1 for 97140 (its 7 min beat 97110's remaining 3).
        assert timed_units({"97110": 33, "97140": 7}) == {"97110": 2, "97140": 1}

    def test_24_and_23_minutes(self):
        # 24 + 23 = 47 min = 3 units; one full unit each, the third to the larger remainder
        # (97112: 9 min left vs 97110: 8).
        assert timed_units({"97112": 24, "97110": 23}) == {"97112": 2, "97110": 1}

    def test_two_codes_of_7_minutes(self):
        # 7 + 7 = 14 min = 1 unit: one code billed, the other not.
        units = timed_units({"97110": 7, "97140": 7})
        assert sorted(units.values()) == [0, 1]

    def test_under_8_minutes_in_total_is_nothing(self):
        assert timed_units({"97530": 5}) == {"97530": 0}

    def test_three_codes(self):
        # 33 97110 + 7 97140 + 7 97116 = 47 min = 3 units: 97110 2 full units; the third to
        # one of the two 7-minute codes (tie broken by the code's number: 97116).
        assert timed_units({"97110": 33, "97140": 7, "97116": 7}) == {
            "97110": 2,
            "97140": 0,
            "97116": 1,
        }

    def test_preference_breaks_ties(self):
        assert timed_units({"97110": 7, "97140": 7}, prefer=["97140"]) == {"97110": 0, "97140": 1}


def test_per_code_method_counts_each_code_alone():
    # 33 min -> 2 units; 7 min -> 0 (under 8 on its own).
    assert timed_units({"97110": 33, "97140": 7}, method="per_code") == {"97110": 2, "97140": 0}


def test_group_97150_one_unit_per_participant():
    assert group_units(participants=3) == 3
    assert session_units({"97150": 30}) == {"97150": 1}
    with pytest.raises(ValueError, match="2 or more"):
        group_units(participants=1)


def test_untimed_minutes_never_count_toward_timed_units():
    # A 45-minute evaluation (untimed) and 7 minutes of 97530: 1 unit for the evaluation,
    # 0 for 97530 (7 timed minutes alone).
    assert session_units({"97166": 45, "97530": 7}) == {"97166": 1, "97530": 0}


@pytest.mark.parametrize(
    "args, message",
    [
        (({"97530": -1},), "cannot be negative"),
        (({"97530": 10}, "weekly"), "Unknown unit method"),
        (({"12345": 10},), "Unknown CPT code"),
        (({"97150": 10},), "untimed code"),
        (({"97530": 7.5},), "whole number"),
    ],
)
def test_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        timed_units(*args)


def test_two_evaluation_levels_on_one_day_refused():
    with pytest.raises(ValueError, match="one initial evaluation"):
        session_units({"97165": 30, "97166": 30})


@given(st.dictionaries(st.sampled_from(sorted(TIMED_CODES)), st.integers(0, 120), max_size=4))
def test_cms8_units_add_up_to_the_chart_for_the_total(minutes_by_code):
    units = timed_units(minutes_by_code)
    assert sum(units.values()) == units_for_minutes(sum(minutes_by_code.values()))
    for code, n in units.items():
        # No code gets more than its full units plus one.
        assert n <= minutes_by_code[code] // 15 + 1
