"""Ids and dates read from a request (its path, query or form): a value that is not one is
None or the default, never a server error.

A database key is a 64-bit integer: SQLite refuses a larger one outright (OverflowError),
so "99999999999999999999" in a URL or a form is no id at all, like "abc".
"""

from __future__ import annotations

import datetime as dt

MAX_ID = 2**63 - 1
ID_PATTERN = "[0-9]{1,18}"  # every such number is a 64-bit key


def id_parse(value) -> int | None:
    """The id in `value` ("42"), or None when it is none (empty, text, negative, too big)."""
    text = str(value).strip() if value is not None else ""
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def ids_parse(values) -> list[int]:
    """The ids among `values`, in their order; the rest left out."""
    return [number for number in map(id_parse, values) if number is not None]


def date_parse(value, *, default: dt.date, years: int = 20) -> dt.date:
    """The ISO date in `value` (2026-12-02), or `default` when it is none or more than
    `years` years from it (a day's page links to the day before and after)."""
    try:
        day = dt.date.fromisoformat(value) if value else default
    except (TypeError, ValueError):
        return default
    return day if abs((day - default).days) <= years * 366 else default


class IdConverter:
    """`<id:name>` in a URL: a database id, as `<int:...>` but never past a 64-bit key."""

    regex = ID_PATTERN

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))
