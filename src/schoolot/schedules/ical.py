"""iCalendar (RFC 5545) text for the therapist's calendar feed; pure functions, no Django.

Contract:
- `escape(text)`: a TEXT value with backslashes, semicolons, commas and newlines escaped.
- `fold(line)`: a content line cut into lines of at most 75 octets, each continuation line
  starting with a space (RFC 5545 3.1), never inside a UTF-8 character.
- `vtimezone(zone, start=, end=)`: the VTIMEZONE component for `zone` over the dates from
  `start` to `end`: the observance in effect at `start` (from its local midnight), then one
  STANDARD or DAYLIGHT observance per change of UTC offset up to `end`, each starting at the
  local time of the change in the offset before it (RFC 5545 3.6.5). Events that name the
  zone in TZID then mean the same times in every calendar, whether or not it knows the zone.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

LINE_OCTETS = 75


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """`line` folded into lines of at most 75 octets, joined by CRLF and a space."""
    parts: list[str] = []
    current, size = "", 0
    for char in line:
        octets = len(char.encode())
        limit = LINE_OCTETS if not parts else LINE_OCTETS - 1  # the leading space counts
        if size + octets > limit:
            parts.append(current)
            current, size = "", 0
        current += char
        size += octets
    parts.append(current)
    return "\r\n ".join(parts)


def _offset(delta: dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")


def _changes(zone: ZoneInfo, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The UTC instants (to the minute) in [start, end) at which `zone` changes offset."""
    found = []
    step = dt.timedelta(hours=6)  # no zone changes its offset twice within six hours
    at = start
    while at < end:
        nxt = min(at + step, end)
        if at.astimezone(zone).utcoffset() != nxt.astimezone(zone).utcoffset():
            lo, hi = at, nxt  # the offset at `lo` differs from the one at `hi`
            while hi - lo > dt.timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                if mid.astimezone(zone).utcoffset() == lo.astimezone(zone).utcoffset():
                    lo = mid
                else:
                    hi = mid
            found.append(hi.replace(second=0, microsecond=0))
        at = nxt
    return found


def vtimezone(zone: ZoneInfo, *, start: dt.date, end: dt.date) -> list[str]:
    """The VTIMEZONE lines for `zone` from `start` to `end` (see the module contract)."""
    first = dt.datetime.combine(start, dt.time(), tzinfo=zone)
    last = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    utc_first, utc_last = first.astimezone(dt.UTC), last.astimezone(dt.UTC)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{zone.key}"]

    def observance(local_start: dt.datetime, before: dt.timedelta, after: dt.datetime) -> None:
        kind = "DAYLIGHT" if after.dst() else "STANDARD"
        lines.extend(
            [
                f"BEGIN:{kind}",
                f"DTSTART:{local_start:%Y%m%dT%H%M%S}",
                f"TZOFFSETFROM:{_offset(before)}",
                f"TZOFFSETTO:{_offset(after.utcoffset())}",
                f"TZNAME:{escape(after.tzname() or zone.key)}",
                f"END:{kind}",
            ]
        )

    observance(first.replace(tzinfo=None), first.utcoffset(), first)
    for instant in _changes(zone, utc_first, utc_last):
        before = (instant - dt.timedelta(minutes=1)).astimezone(zone).utcoffset()
        observance((instant + before).replace(tzinfo=None), before, instant.astimezone(zone))
    lines.append("END:VTIMEZONE")
    return lines
