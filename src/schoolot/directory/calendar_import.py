"""The days without school from a district's published calendar: an iCalendar file (.ics,
RFC 5545), as Google Calendar, Outlook and school-calendar sites export it.

Contract: `ics_days_off_read(text)` reads every all-day event (VEVENT whose DTSTART is a
DATE): its SUMMARY, its first day, and its last day (DTEND is the day after the last, RFC
5545 3.6.1; without DTEND it is one day), with a guessed kind (`kind_guess`): a break, a
holiday, a staff day, a closure, or None for an event that is not a day off (a concert, an
early release, picture day). Timed events (a board meeting at 6 PM) are not days off and are
left out. A recurring event (RRULE) is read at its first date only, with `recurring` set.
Text that is not an iCalendar file raises CalendarImportError. No Django here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MAX_CHARACTERS = 2_000_000
MAX_EVENTS = 2000


class CalendarImportError(ValueError):
    """The text cannot be read as an iCalendar file; the message says why, in words."""


@dataclass(frozen=True)
class CalendarEntry:
    name: str
    start: dt.date
    end: dt.date
    kind: str | None  # directory.models.CalendarEvent.Kind value, or None: not a day off
    recurring: bool = False


# Checked in this order: the first that matches names the kind.
_KINDS = (
    (
        "staff_day",
        r"staff development|professional (development|learning)|teacher (work|planning|"
        r"in-?service)\s*day|in-?service|workday|work day|\bpd\b|\bpl day",
    ),
    ("break", r"\bbreak\b|vacation|recess\b|intersession"),
    (
        "holiday",
        r"holiday|labou?r day|columbus|indigenous|veterans|thanksgiving|martin luther king|"
        r"\bmlk\b|president|memorial day|juneteenth|independence day|good friday|christmas|"
        r"new year|rosh hashanah|yom kippur|lunar new year|eid\b|diwali",
    ),
    ("closure", r"no school|school closed|closure|closed|snow day|weather day|no students"),
)
# Never a whole day off, whatever else the name says.
_NOT_OFF = r"early (release|dismissal)|half[- ]day|late start|delayed (start|opening)|"
_NOT_OFF += r"make-?up day|first day|last day|picture|concert|game|meeting|conference night"


def kind_guess(name: str) -> str | None:
    """The kind of day off an event's name says it is, or None when it says none."""
    text = name.lower()
    if re.search(_NOT_OFF, text):
        return None
    for kind, pattern in _KINDS:
        if re.search(pattern, text):
            return kind
    return None


def _unfolded(text: str) -> list[str]:
    """The content lines, folded lines joined (RFC 5545 3.1)."""
    lines: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if raw[:1] in (" ", "\t") and lines:
            lines[-1] += raw[1:]
        elif raw:
            lines.append(raw)
    return lines


def _text(value: str) -> str:
    """A TEXT value unescaped (RFC 5545 3.3.11)."""
    return re.sub(
        r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value
    ).strip()


def _date(value: str, params: str) -> dt.date | None:
    """A DATE value (YYYYMMDD, or VALUE=DATE); None for a DATE-TIME (a timed event)."""
    value = value.strip()
    if "VALUE=DATE-TIME" in params.upper() or "T" in value.upper():
        return None
    if not re.fullmatch(r"\d{8}", value):
        raise CalendarImportError(f"'{value}' is not a date of the form YYYYMMDD.")
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise CalendarImportError(f"'{value}' is not a date on the calendar.") from None


def ics_days_off_read(text: str) -> list[CalendarEntry]:
    """The all-day events of an iCalendar file, first day first (see the module's contract)."""
    if len(text) > MAX_CHARACTERS:
        raise CalendarImportError("The file is too large for a school calendar (2 MB at most).")
    lines = _unfolded(text.lstrip("\ufeff"))
    if not lines or lines[0].strip().upper() != "BEGIN:VCALENDAR":
        raise CalendarImportError(
            "This is not an iCalendar file: it should begin with BEGIN:VCALENDAR. Export the "
            "district's calendar as .ics (in Google Calendar: Settings, Import and export)."
        )
    entries: list[CalendarEntry] = []
    event: dict[str, tuple[str, str]] | None = None
    for line in lines:
        name, _, value = line.partition(":")
        key, _, params = name.partition(";")
        key = key.strip().upper()
        if key == "BEGIN" and value.strip().upper() == "VEVENT":
            event = {}
        elif key == "END" and value.strip().upper() == "VEVENT" and event is not None:
            entry = _entry(event)
            if entry is not None:
                entries.append(entry)
                if len(entries) > MAX_EVENTS:
                    raise CalendarImportError(
                        f"More than {MAX_EVENTS} all-day events: export one school year."
                    )
            event = None
        elif event is not None and key in ("SUMMARY", "DTSTART", "DTEND", "RRULE"):
            event.setdefault(key, (params, value))
    return sorted(entries, key=lambda e: (e.start, e.end, e.name))


def _entry(event: dict[str, tuple[str, str]]) -> CalendarEntry | None:
    if "DTSTART" not in event:
        return None
    start = _date(event["DTSTART"][1], event["DTSTART"][0])
    if start is None:
        return None  # a timed event
    end = start
    if "DTEND" in event:
        after = _date(event["DTEND"][1], event["DTEND"][0])
        if after is not None and after > start:
            end = after - dt.timedelta(days=1)
    name = _text(event.get("SUMMARY", ("", ""))[1])[:120] or "Untitled"
    return CalendarEntry(
        name=name, start=start, end=end, kind=kind_guess(name), recurring="RRULE" in event
    )
