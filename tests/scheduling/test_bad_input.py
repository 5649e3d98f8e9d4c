"""Bad input to the scheduler's JSON formats: a clear message naming the field, never a crash
or a hang (issue: "never a crash, never a partial schedule presented as complete").

Before these checks an availability ending at minute 1,000,000,000 loaded and the solver
walked every minute of it; a therapist given as a text, a weight given as a text or a
schedule naming an unknown school raised AttributeError, TypeError or KeyError."""

import contextlib
import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schoolot.scheduling.baseline import greedy
from schoolot.scheduling.generate import generate_instance
from schoolot.scheduling.instance import Instance, InstanceError, Schedule
from schoolot.scheduling.scorer import score
from schoolot.scheduling.solver import solve
from tests.scheduling.test_core import run_cli

VALID = generate_instance(students=6, schools=2, seed=1).to_dict()


def broken(change) -> dict:
    data = copy.deepcopy(VALID)
    change(data)
    return data


def _set(path, value):
    def change(data):
        for key in path[:-1]:
            data = data[key]
        data[path[-1]] = value

    return change


@pytest.mark.parametrize(
    "change, message",
    [
        (
            _set(("therapist", "availability", 0, "end"), 10**9),
            r"therapist\.availability\[0\]\.end: 1000000000 is not a time of day",
        ),
        (_set(("therapist",), "Ms. Ortiz"), r"therapist: expected an object"),
        (_set(("schools", 0, "bells"), {"kind": "core"}), r"schools\[0\]\.bells: expected a list"),
        (_set(("schools", 0, "day_start"), "07:75"), r"schools\[0\]\.day_start: .* not a time"),
        (_set(("schools", 0, "day_start"), True), r"schools\[0\]\.day_start: .* not a time"),
        (_set(("schools", 0, "x"), "far"), r"schools\[0\]\.x: expected a number"),
        (_set(("schools", 0, "bells", 0, "days"), [7]), r"bells\[0\]\.days\[0\]: 7 is out of"),
        (
            _set(("students", 0, "mandates", 0, "group_allowed"), "false"),
            r"students\[0\]\.mandates\[0\]\.group_allowed: expected true or false",
        ),
        (
            _set(("students", 0, "mandates", 0, "minutes"), 30.5),
            r"students\[0\]\.mandates\[0\]\.minutes: expected a whole number",
        ),
        (_set(("students", 1), "P2"), r"students\[1\]: expected an object"),
        (
            lambda data: data["students"][0]["mandates"].append({"id": "M1", "minutes": 20}),
            r"Student P1: mandate id 'M1' appears twice",
        ),
        (_set(("days",), 10**9), r"days: 1000000000 is out of range"),
        (_set(("weights",), {"travel": "high"}), r"weights\.travel: expected a number"),
        (_set(("weights",), {"travel": -1}), r"weights\.travel: -1 is out of range"),
        (_set(("weights",), {"speed": 1}), r"weights: unknown 'speed'"),
        (_set(("travel",), [["S1", "S2"]]), r"travel\[0\]: expected \[school_a, school_b"),
        (
            _set(("locked",), [{"day": 0, "start": "09:00", "end": "09:30", "school": "S1"}]),
            r"locked\[0\]: a required field is missing: 'students'",
        ),
    ],
)
def test_a_wrong_field_is_named_by_its_path(change, message):
    with pytest.raises(InstanceError, match=message):
        Instance.from_dict(broken(change))


def _paths(value, prefix=()):
    if prefix:
        yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*prefix, i))


PATHS = list(_paths(VALID))
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.sampled_from(["25:00", "07:75", "24:00", "S1", "S2", "P1", "core", "12:00"]),
    st.lists(st.integers(-3, 30), max_size=2),
    st.dictionaries(st.sampled_from(["day", "start", "id", "x"]), st.integers(0, 5), max_size=2),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PATHS), JUNK), min_size=1, max_size=3))
def test_any_wrong_value_is_refused_or_scheduled_never_a_crash(changes):
    """Any field of a valid instance replaced by anything: either a one-line InstanceError,
    or an instance the solver, the greedy and the scorer handle (short limit)."""
    data = copy.deepcopy(VALID)
    for path, value in changes:
        # An earlier change may have replaced what held this path: nothing to set.
        with contextlib.suppress(KeyError, IndexError, TypeError):
            _set(path, value)(data)
    try:
        instance = Instance.from_dict(data)
    except InstanceError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    for week in (solve(instance, time_limit=0.3, workers=1), greedy(instance)):
        result = score(instance, week)
        assert result.feasible or not week.complete, result.violations


def test_a_schedule_naming_an_unknown_school_or_running_backwards_is_judged_not_crashed():
    instance = Instance.from_dict(VALID)
    week = greedy(instance).to_dict()
    week["sessions"][0]["school"] = "Nowhere"
    week["sessions"][1]["end"] = week["sessions"][1]["start"]
    result = score(instance, Schedule.from_dict(week))
    assert any("unknown school Nowhere" in v for v in result.violations)
    assert any("ends before it starts" in v for v in result.violations)


@pytest.mark.parametrize(
    "schedule, message",
    [
        ([], r"the schedule: expected an object"),
        ({"sessions": {"day": 0}}, r"sessions: expected a list"),
        (
            {
                "sessions": [
                    {
                        "day": "Mon",
                        "start": "9:00",
                        "end": "9:30",
                        "school": "S1",
                        "students": ["P1"],
                    }
                ]
            },
            r"sessions\[0\]\.day: expected a whole number",
        ),
        ({"objective": "low"}, r"objective: expected a number"),
        ({"unplaced": [{"student": "P1"}]}, r"unplaced\[0\]: a required field is missing"),
    ],
)
def test_a_wrong_schedule_field_is_named(schedule, message):
    with pytest.raises(InstanceError, match=message):
        Schedule.from_dict(schedule)


def test_cli_names_the_wrong_field_in_one_line(tmp_path):
    data = broken(_set(("therapist", "availability", 0, "end"), 10**9))
    (tmp_path / "i.json").write_text(json.dumps(data))
    result = run_cli("solve", "i.json", "--time-limit", "1", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "schoolot schedule: therapist.availability[0].end: 1000000000 is not a time of day."
    ]


def _locked(day, start, end, *pairs):
    return {
        "day": day,
        "start": start,
        "end": end,
        "school": "S1",
        "students": [sid for sid, _m in pairs],
        "mandates": [mid for _s, mid in pairs],
    }


# A contradictory instance: Ben (P1, one-to-one) and Mia (P3, one-to-one) locked together as a
# group, in Ben's reading block (09:45-11:15), and a second locked session at the same time.
CONTRADICTORY = {
    **VALID,
    "locked": [
        _locked(0, "10:00", "10:30", ("P1", "M1"), ("P3", "M3")),
        _locked(0, "10:00", "10:45", ("P5", "M5")),
    ],
}


def test_locked_sessions_that_break_rules_are_reported_not_presented_as_complete():
    instance = Instance.from_dict(CONTRADICTORY)
    for week in (solve(instance, time_limit=2), greedy(instance)):
        assert not week.complete and week.to_dict()["complete"] is False
        text = " | ".join(week.violations)
        assert "does not allow group service" in text
        assert "protected time (reading block)" in text
        assert "double-booked" in text
        # Kept as they are, and nothing around them breaks a rule of its own.
        assert set(score(instance, week).violations) == set(week.violations)
        kept = [x for x in week.sessions if (x.day, x.start) == (0, 600)]
        assert len(kept) == 2
        # The other students' sessions are still placed around them.
        placed = {sid for x in week.sessions for sid in x.students}
        assert {"P2", "P4", "P6"} <= placed, week.unplaced


def test_cli_solve_of_a_contradictory_instance_says_so_and_exits_1(tmp_path):
    (tmp_path / "i.json").write_text(json.dumps(CONTRADICTORY))
    result = run_cli("solve", "i.json", "--time-limit", "2", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "break" in result.stderr and "'violations'" in result.stderr
    out = json.loads(result.stdout)
    assert out["complete"] is False and out["violations"]
    again = Schedule.from_dict(out)
    assert again.violations == out["violations"] and not again.complete


@pytest.mark.parametrize(
    "args, message",
    [
        (["--time-limit", "-5"], "--time-limit: '-5' is not a number of seconds above 0"),
        (["--time-limit", "nan"], "--time-limit: 'nan' is not a number of seconds"),
        (["--workers", "0"], "--workers: '0' is not a number of workers from 1 to 64"),
        (["--out", "no/such/folder/s.json"], "Cannot write no/such/folder/s.json"),
    ],
)
def test_cli_solve_refuses_odd_arguments_in_one_line(tmp_path, args, message):
    """Before: a negative or NaN time limit and 0 workers were taken as they came, and an
    --out in a missing folder was a traceback."""
    (tmp_path / "i.json").write_text(json.dumps(VALID))
    result = run_cli("solve", "i.json", *args, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert message in lines[-1] and "Traceback" not in result.stderr
