"""The calendar feed's iCalendar text (schoolot.schedules.ical), checked against RFC 5545."""

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from schoolot.schedules.ical import escape, fold, vtimezone


def _observances(lines: list[str]) -> list[dict[str, str]]:
    found, current = [], None
    for line in lines:
        if line in ("BEGIN:STANDARD", "BEGIN:DAYLIGHT"):
            current = {"KIND": line.split(":")[1]}
        elif line.startswith("END:") and current is not None:
            found.append(current)
            current = None
        elif current is not None:
            key, value = line.split(":", 1)
            current[key] = value
    return found


def test_a_us_school_year_from_november_has_its_march_change():
    lines = vtimezone(
        ZoneInfo("America/Chicago"), start=dt.date(2026, 11, 23), end=dt.date(2027, 6, 10)
    )
    assert lines[:2] == ["BEGIN:VTIMEZONE", "TZID:America/Chicago"]
    assert lines[-1] == "END:VTIMEZONE"
    assert _observances(lines) == [
        {
            "KIND": "STANDARD",
            "DTSTART": "20261123T000000",
            "TZOFFSETFROM": "-0600",
            "TZOFFSETTO": "-0600",
            "TZNAME": "CST",
        },
        # The second Sunday of March at 2:00 local standard time (US Energy Policy Act 2005).
        {
            "KIND": "DAYLIGHT",
            "DTSTART": "20270314T020000",
            "TZOFFSETFROM": "-0600",
            "TZOFFSETTO": "-0500",
            "TZNAME": "CDT",
        },
    ]


def test_a_whole_year_has_both_changes_in_order():
    kinds = [
        (o["KIND"], o["DTSTART"])
        for o in _observances(
            vtimezone(
                ZoneInfo("America/New_York"), start=dt.date(2026, 8, 17), end=dt.date(2027, 8, 16)
            )
        )
    ]
    # First Sunday of November at 2:00 daylight time; second Sunday of March at 2:00.
    assert kinds == [
        ("DAYLIGHT", "20260817T000000"),
        ("STANDARD", "20261101T020000"),
        ("DAYLIGHT", "20270314T020000"),
    ]


def test_southern_hemisphere_and_zones_without_changes():
    sydney = _observances(
        vtimezone(
            ZoneInfo("Australia/Sydney"), start=dt.date(2027, 1, 27), end=dt.date(2027, 6, 30)
        )
    )
    assert [(o["KIND"], o["TZOFFSETFROM"], o["TZOFFSETTO"]) for o in sydney] == [
        ("DAYLIGHT", "+1100", "+1100"),
        ("STANDARD", "+1100", "+1000"),
    ]
    assert sydney[1]["DTSTART"] == "20270404T030000"  # first Sunday of April, 3:00 daylight
    for name, offset in [("Pacific/Kiritimati", "+1400"), ("America/Phoenix", "-0700")]:
        only = _observances(
            vtimezone(ZoneInfo(name), start=dt.date(2026, 8, 17), end=dt.date(2027, 6, 10))
        )
        assert [(o["KIND"], o["TZOFFSETTO"]) for o in only] == [("STANDARD", offset)]


def test_escape():
    assert escape("Lee, Ann; OT\\notes\nsecond") == "Lee\\, Ann\\; OT\\\\notes\\nsecond"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=400))
def test_fold_keeps_every_character_and_the_line_limit(text):
    line = "SUMMARY:" + text
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert parts[0] + "".join(p[1:] for p in parts[1:]) == line  # unfolding gives it back
