"""Bell schedules for many schools at once, from a spreadsheet saved as CSV.

One row a period, under a header row naming the columns (any order, any case):

    school,kind,name,grades,days,start,end
    Lincoln Elementary,core,Reading,K 1 2,,8:30,10:00
    Lincoln Elementary,lunch,,,Mon Wed Fri,11:30 AM,12:00 PM

`school` is a school of the district by its name; `kind` core, specials, lunch, recess or
other (or its label, e.g. "Core instruction"); `name` optional; `grades` the grades it holds
(PK, K, 1-12, separated by spaces, commas or semicolons; blank: every grade); `days` Monday
to Friday by name or three letters (blank: every day); `start` and `end` clock times (8:30,
13:15 or 1:15 PM). Each row is checked by the same rules as a period added by hand
(services.bell_period_add: inside the school's day, no overlap with its periods, those of
the file's earlier rows included), and the file is added whole or not at all.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re

from django.core.exceptions import ValidationError
from django.db import transaction

from schoolot.accounts.models import User
from schoolot.directory.models import School
from schoolot.schedules.models import BellPeriod
from schoolot.schedules.services import bell_period_add, school_setup_editor_check

COLUMNS = ("school", "kind", "name", "grades", "days", "start", "end")
REQUIRED = ("school", "kind", "start", "end")
MAX_ROWS = 2000
MAX_CHARACTERS = 200_000
DAYS = {
    name: i
    for i, full in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday"))
    for name in (full, full[:3])
}
FIELD_NAMES = {"weekdays": "days"}  # the service's field, as the file calls it


class BellImportError(Exception):
    """The file cannot be added; `problems` lists why, row by row, in words."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _kind(value: str) -> str | None:
    value = value.strip().lower()
    for kind, label in BellPeriod.Kind.choices:
        if value in (kind, label.lower()):
            return kind
    return None


_CLOCK = re.compile(r"^(\d{1,2})[:.](\d{2})(?::00)?\s*(?:([ap])\.?\s*m\.?)?$", re.IGNORECASE)


def _time(value: str) -> dt.time | None:
    """8:30, 08:30, 13:15, 1:15 PM, 1.15 p.m.; None for anything else."""
    match = _CLOCK.match(value.strip())
    if not match:
        return None
    hour, minute, half = int(match[1]), int(match[2]), (match[3] or "").lower()
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


def _split(value: str) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", value.strip()) if part]


def bell_periods_import(*, user: User, text: str, replace: bool = False) -> int:
    """Add every period of `text` (the CSV of the module's contract) to its school, or none:
    BellImportError lists every problem with its line number (a column missing from the
    header, a school not of the user's district, an unknown kind or day, a time that is not
    one, and whatever bell_period_add refuses, in its words), and nothing is written. With
    `replace` (a new school year's bells), the periods of every school the file names are
    removed first, in the same all-or-nothing change. Only an administrator or OT
    supervisor (PermissionDenied). Returns the number of periods added."""
    school_setup_editor_check(user=user)
    if len(text) > MAX_CHARACTERS:
        raise BellImportError([f"The file is over {MAX_CHARACTERS:,} characters; split it."])
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))  # a spreadsheet's byte-order mark
    rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        raise BellImportError(["The file has no rows: a header row and one row a period."])
    header_line, header = rows[0]
    names = [cell.strip().lower() for cell in header]
    missing = [c for c in REQUIRED if c not in names]
    unknown = [n for n in names if n and n not in COLUMNS]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"Line {header_line}: the header has no {', '.join(missing)} column.")
        if unknown:
            problems.append(
                f"Line {header_line}: unknown column {', '.join(unknown)}; the columns are "
                f"{', '.join(COLUMNS)}."
            )
        raise BellImportError(problems)
    if len(rows) - 1 > MAX_ROWS:
        raise BellImportError([f"The file has over {MAX_ROWS} periods; split it."])
    schools: dict[str, list[School]] = {}
    for school in School.objects.filter(district_id=user.district_id):
        schools.setdefault(school.name.strip().lower(), []).append(school)
    problems: list[str] = []
    added = 0
    with transaction.atomic():
        if replace:
            column = names.index("school")
            named = {
                school.pk
                for _line, row in rows[1:]
                if column < len(row)
                for school in schools.get(row[column].strip().lower(), [])
            }
            BellPeriod.objects.filter(district_id=user.district_id, school_id__in=named).delete()
        for line, row in rows[1:]:
            cell = {n: (row[i].strip() if i < len(row) else "") for i, n in enumerate(names)}
            wrong = []
            named = schools.get(cell["school"].lower(), [])
            school = named[0] if len(named) == 1 else None
            if not named:
                near = difflib.get_close_matches(cell["school"].lower(), schools, n=1)
                wrong.append(
                    f"no school of the district is named {cell['school']!r}"
                    + (f" (did you mean {schools[near[0]][0].name!r}?)" if near else "")
                )
            elif school is None:
                wrong.append(f"{len(named)} schools are named {cell['school']!r}; rename one")
            kind = _kind(cell["kind"])
            if kind is None:
                wrong.append(
                    f"kind {cell['kind']!r} is not one of core, specials, lunch, recess, other"
                )
            days = [DAYS.get(d.lower()) for d in _split(cell.get("days", ""))]
            if None in days:
                wrong.append(f"days {cell['days']!r}: name Monday to Friday, e.g. Mon Wed")
            start, end = _time(cell["start"]), _time(cell["end"])
            for label, parsed in (("start", start), ("end", end)):
                if parsed is None:
                    wrong.append(f"{label} {cell[label]!r} is not a time such as 8:30 or 1:15 PM")
            if not wrong:
                try:
                    bell_period_add(
                        user=user,
                        school_id=school.pk,
                        kind=kind,
                        name=cell.get("name", ""),
                        grades=[g.upper() for g in _split(cell.get("grades", ""))],
                        weekdays=days,
                        start=start,
                        end=end,
                    )
                    added += 1
                except ValidationError as exc:
                    wrong += [
                        f"{FIELD_NAMES.get(field, field)}: {message}"
                        for field, messages in exc.message_dict.items()
                        for message in messages
                    ]
            if wrong:
                problems.append(f"Line {line}: {'; '.join(wrong)}.")
        if problems:
            transaction.set_rollback(True)  # the whole file or nothing
    if problems:
        raise BellImportError(problems)
    return added
