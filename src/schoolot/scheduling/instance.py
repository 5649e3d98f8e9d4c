"""The scheduling instance: one therapist's week (or a cycle of weeks) as plain data.

Times are minutes after midnight inside the code and "HH:MM" in JSON; days are 0 (Monday) to
4 (Friday), or 0 .. 5*weeks-1 for a cycle of weeks. docs/scheduling.md documents the format.
Everything is validated on load: `InstanceError` names the first problem found.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from schoolot.rules.travel import drive_minutes

CORE = "core"
BELL_KINDS = {CORE, "specials", "lunch", "recess", "other"}


class InstanceError(ValueError):
    """The instance cannot be used; the message says what is wrong and where."""


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def day_name(day: int, days: int) -> str:
    """Day `day` (0 is a Monday) of an instance of `days` days, in words: 'Tuesday' in a
    week, 'week 2 Tuesday' in a cycle of weeks."""
    name = WEEKDAYS[day % 5]
    return name if days <= 5 else f"week {day // 5 + 1} {name}"


MINUTES_A_DAY = 24 * 60
MAX_DAYS = 20  # a 4-week rotation
MAX_KM = 10_000.0  # school coordinates, in km
MAX_WEIGHT = 1_000.0  # per unit of a penalty; keeps the model's coefficients in range


def parse_time(value, where: str) -> int:
    """Minutes after midnight from "HH:MM" (or a whole number of minutes), 00:00 to 24:00."""
    if isinstance(value, int) and not isinstance(value, bool):
        result = value
    else:
        try:
            hours, minutes = str(value).split(":")
            if not (hours.strip().isdigit() and minutes.strip().isdigit()):
                raise ValueError
            if int(minutes) > 59:
                raise ValueError
            result = int(hours) * 60 + int(minutes)
        except (ValueError, AttributeError):
            raise InstanceError(f"{where}: {value!r} is not a time like 08:30.") from None
    if not 0 <= result <= MINUTES_A_DAY:
        raise InstanceError(f"{where}: {value!r} is not a time of day.")
    return result


# Reading JSON: each helper checks one value's type (and range) and names it by its path.


def _object(value, where: str) -> dict:
    if not isinstance(value, dict):
        raise InstanceError(f"{where}: expected an object {{...}}, got {_shown(value)}.")
    return value


def _items(value, where: str) -> list:
    if not isinstance(value, list):
        raise InstanceError(f"{where}: expected a list [...], got {_shown(value)}.")
    return value


def _objects(value, where: str):
    """Each object of the list `value`, with its path (`where[i]`)."""
    for i, item in enumerate(_items(value, where)):
        at = f"{where}[{i}]"
        yield at, _object(item, at)


def _texts(value, where: str) -> list[str]:
    """The texts of the list `value`."""
    return [_text(item, f"{where}[{i}]") for i, item in enumerate(_items(value, where))]


def _required(data: dict, key: str, where: str):
    if key not in data:
        raise InstanceError(f"{where}: a required field is missing: {key!r}.")
    return data[key]


def _integer(value, where: str, lo: int | None = None, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InstanceError(f"{where}: expected a whole number, got {_shown(value)}.")
    try:
        number = float(value)
        if not number.is_integer():
            raise ValueError
    except (ValueError, OverflowError):
        raise InstanceError(f"{where}: expected a whole number, got {_shown(value)}.") from None
    number = int(number)
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        bounds = f"from {lo} to {hi}" if hi is not None else f"at least {lo}"
        raise InstanceError(f"{where}: {number} is out of range ({bounds}).")
    return number


def _number(value, where: str, lo: float, hi: float, *, optional: bool = False) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InstanceError(f"{where}: expected a number, got {_shown(value)}.")
    if not (math.isfinite(value) and lo <= value <= hi):
        raise InstanceError(f"{where}: {value} is out of range (from {lo:g} to {hi:g}).")
    return value


def _text(value, where: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InstanceError(f"{where}: expected a text, got {_shown(value)}.")
    return str(value)


def _flag(value, where: str) -> bool:
    if not isinstance(value, bool):
        raise InstanceError(f"{where}: expected true or false, got {_shown(value)}.")
    return value


def _weekdays(value, where: str) -> frozenset[int]:
    """Weekdays, 0 (Monday) to 4 (Friday); a bell or protected block holds every week."""
    return frozenset(_integer(d, f"{where}[{i}]", 0, 4) for i, d in enumerate(_items(value, where)))


def _shown(value) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass(frozen=True)
class Bell:
    """A period of a school's day for some grades: core instruction, specials, lunch..."""

    kind: str
    start: int
    end: int
    grades: frozenset[str] = frozenset()  # empty: every grade
    days: frozenset[int] = frozenset()  # empty: every day


@dataclass(frozen=True)
class School:
    id: str
    name: str
    day_start: int
    day_end: int
    bells: tuple[Bell, ...] = ()
    x: float | None = None  # km, for a default travel estimate
    y: float | None = None


@dataclass(frozen=True)
class Block:
    """A student's protected time (e.g. the reading block): never a session."""

    start: int
    end: int
    days: frozenset[int] = frozenset()
    reason: str = "protected"


@dataclass(frozen=True)
class Mandate:
    id: str
    minutes: int
    sessions: int  # per week (per cycle when the instance is a cycle)
    group_allowed: bool = False
    max_group_size: int = 1
    # In a rotation: its session recurs every `every` rotations (rules.cycles); only
    # mandates with the same `every` share a group, as a group's slot has one recurrence.
    every: int = 1


@dataclass(frozen=True)
class Student:
    id: str
    name: str
    school: str
    grade: str
    mandates: tuple[Mandate, ...]
    protected: tuple[Block, ...] = ()


@dataclass(frozen=True)
class Window:
    """When the therapist can work: a day, a time range, and optionally the one school."""

    day: int
    start: int
    end: int
    school: str | None = None


@dataclass(frozen=True)
class Commitment:
    """A fixed commitment (an IEP meeting): the therapist is busy; with `school`, she is
    there, so the day's route takes her there and back (drives, one visit a school)."""

    day: int
    start: int
    end: int
    label: str = "meeting"
    school: str | None = None


@dataclass(frozen=True)
class Session:
    """A placed session: one or more students, one school, one time."""

    day: int
    start: int
    end: int
    school: str
    students: tuple[str, ...]
    mandates: tuple[str, ...] = ()  # aligned with students
    locked: bool = False

    @property
    def minutes(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Weights:
    core_missed: float = 1.0  # per minute of core instruction a student misses
    travel: float = 1.0  # per minute of driving
    trips: float = 20.0  # per move between schools in a day
    bunching: float = 15.0  # per pair of a student's sessions on adjacent days; twice on one day
    changes: float = 10.0  # per session of the current schedule not kept


@dataclass
class Instance:
    therapist: str
    schools: dict[str, School]
    students: list[Student]
    availability: list[Window]
    days: int = 5
    lunch_start: int = 11 * 60
    lunch_end: int = 13 * 60
    lunch_minutes: int = 30
    planning_minutes: int = 0  # a free stretch each day for planning and notes
    commitments: list[Commitment] = field(default_factory=list)
    locked: list[Session] = field(default_factory=list)
    current: list[Session] = field(default_factory=list)
    travel: dict[tuple[str, str], int] = field(default_factory=dict)
    weights: Weights = field(default_factory=Weights)
    slot_minutes: int = 5

    # -- derived ----------------------------------------------------------------------------

    def travel_minutes(self, a: str, b: str) -> int:
        if a == b:
            return 0
        if (a, b) in self.travel:
            return self.travel[(a, b)]
        if (b, a) in self.travel:
            return self.travel[(b, a)]
        sa, sb = self.schools[a], self.schools[b]
        if None not in (sa.x, sa.y, sb.x, sb.y):
            return drive_minutes(km=math.hypot(sa.x - sb.x, sa.y - sb.y))
        return 20

    def student(self, student_id: str) -> Student:
        for s in self.students:
            if s.id == student_id:
                return s
        raise KeyError(student_id)

    def required_minutes(self) -> int:
        return sum(m.minutes * m.sessions for s in self.students for m in s.mandates)

    # -- JSON -------------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: dict) -> Instance:
        """The instance in `data` (the JSON format of docs/scheduling.md). Every field is
        checked for its type and range on the way in: a wrong one raises `InstanceError`
        naming it by its path (`students[3].mandates[0].minutes: ...`), never another error,
        and no number reaches the solver that could make it loop or overflow."""
        data = _object(data, "the instance")
        days = _integer(data.get("days", 5), "days", 5, MAX_DAYS)
        schools = {}
        for where, s in _objects(data.get("schools", []), "schools"):
            school_id = _text(_required(s, "id", where), f"{where}.id")
            school = School(
                id=school_id,
                name=_text(s.get("name", school_id), f"{where}.name"),
                day_start=parse_time(_required(s, "day_start", where), f"{where}.day_start"),
                day_end=parse_time(_required(s, "day_end", where), f"{where}.day_end"),
                bells=tuple(
                    _bell(b, at) for at, b in _objects(s.get("bells", []), f"{where}.bells")
                ),
                x=_number(s.get("x"), f"{where}.x", -MAX_KM, MAX_KM, optional=True),
                y=_number(s.get("y"), f"{where}.y", -MAX_KM, MAX_KM, optional=True),
            )
            if (school.x is None) != (school.y is None):
                raise InstanceError(f"{where}: give both x and y, or neither.")
            if school.id in schools:
                raise InstanceError(f"{where}: school id {school.id!r} appears twice.")
            schools[school.id] = school
        students = [_student(s, at) for at, s in _objects(data.get("students", []), "students")]
        therapist = _object(data.get("therapist", {}), "therapist")
        availability = []
        for where, w in _objects(therapist.get("availability", []), "therapist.availability"):
            availability.append(
                Window(
                    day=_integer(_required(w, "day", where), f"{where}.day", 0, days - 1),
                    start=parse_time(_required(w, "start", where), f"{where}.start"),
                    end=parse_time(_required(w, "end", where), f"{where}.end"),
                    school=_text(w.get("school"), f"{where}.school", optional=True),
                )
            )
        lunch = _object(therapist.get("lunch", {}), "therapist.lunch")
        commitments = []
        for where, c in _objects(therapist.get("commitments", []), "therapist.commitments"):
            commitments.append(
                Commitment(
                    day=_integer(_required(c, "day", where), f"{where}.day"),
                    start=parse_time(_required(c, "start", where), f"{where}.start"),
                    end=parse_time(_required(c, "end", where), f"{where}.end"),
                    label=_text(c.get("label", "meeting"), f"{where}.label"),
                    school=_text(c.get("school"), f"{where}.school", optional=True),
                )
            )
        travel = {}
        for i, row in enumerate(_items(data.get("travel", []), "travel")):
            where = f"travel[{i}]"
            row = _items(row, where)
            if len(row) != 3:
                raise InstanceError(f"{where}: expected [school_a, school_b, minutes].")
            a, b = _text(row[0], f"{where}[0]"), _text(row[1], f"{where}[1]")
            travel[(a, b)] = _integer(row[2], f"{where}[2]", 0, MINUTES_A_DAY)
        weights = _object(data.get("weights", {}), "weights")
        unknown = sorted(set(weights) - set(Weights.__dataclass_fields__))
        if unknown:
            raise InstanceError(
                f"weights: unknown {', '.join(map(repr, unknown))} (known: "
                f"{', '.join(Weights.__dataclass_fields__)})."
            )
        instance = cls(
            therapist=_text(therapist.get("name", "therapist"), "therapist.name"),
            schools=schools,
            students=students,
            availability=availability,
            days=days,
            lunch_start=parse_time(lunch.get("window_start", "11:00"), "lunch.window_start"),
            lunch_end=parse_time(lunch.get("window_end", "13:00"), "lunch.window_end"),
            lunch_minutes=_integer(lunch.get("minutes", 30), "lunch.minutes", 0, MINUTES_A_DAY),
            planning_minutes=_integer(
                therapist.get("planning_minutes", 0),
                "therapist.planning_minutes",
                0,
                MINUTES_A_DAY,
            ),
            commitments=commitments,
            locked=_sessions(data.get("locked", []), "locked"),
            current=_sessions(data.get("current", []), "current"),
            travel=travel,
            weights=Weights(
                **{
                    key: _number(value, f"weights.{key}", 0, MAX_WEIGHT)
                    for key, value in weights.items()
                }
            ),
            slot_minutes=_integer(data.get("slot_minutes", 5), "slot_minutes"),
        )
        instance.validate()
        return instance

    def validate(self) -> None:
        if self.days < 1 or self.days % 5:
            raise InstanceError("days must be 5 (a week) or a multiple of 5 (a cycle of weeks).")
        if self.slot_minutes not in (5, 10, 15):
            raise InstanceError("slot_minutes must be 5, 10 or 15.")
        ids = set()
        for school in self.schools.values():
            if school.day_end <= school.day_start:
                raise InstanceError(f"School {school.id}: the day ends before it starts.")
            for bell in school.bells:
                if bell.kind not in BELL_KINDS:
                    raise InstanceError(f"School {school.id}: unknown bell kind {bell.kind!r}.")
                if bell.end <= bell.start:
                    raise InstanceError(f"School {school.id}: a bell period ends before it starts.")
        for s in self.students:
            for b in s.protected:
                if b.end <= b.start:
                    raise InstanceError(f"Student {s.id}: protected time ends before it starts.")
            if s.id in ids:
                raise InstanceError(f"Student id {s.id!r} appears twice.")
            ids.add(s.id)
            if s.school not in self.schools:
                raise InstanceError(f"Student {s.id}: unknown school {s.school!r}.")
            school = self.schools[s.school]
            mandate_ids = [m.id for m in s.mandates]
            for mandate_id in sorted({i for i in mandate_ids if mandate_ids.count(i) > 1}):
                raise InstanceError(f"Student {s.id}: mandate id {mandate_id!r} appears twice.")
            for m in s.mandates:
                if m.minutes <= 0 or m.sessions <= 0:
                    raise InstanceError(
                        f"Student {s.id}, mandate {m.id}: minutes and sessions must be positive."
                    )
                if m.minutes > school.day_end - school.day_start:
                    raise InstanceError(
                        f"Student {s.id}, mandate {m.id}: {m.minutes} minutes is longer than "
                        f"the school day at {school.name}."
                    )
                if m.max_group_size < 1:
                    raise InstanceError(
                        f"Student {s.id}, mandate {m.id}: the group size is at least 1."
                    )
                if m.every < 1:
                    raise InstanceError(
                        f"Student {s.id}, mandate {m.id}: `every` is at least 1 (rotation)."
                    )
                if m.sessions > self.days:
                    raise InstanceError(
                        f"Student {s.id}, mandate {m.id}: {m.sessions} "
                        f"sessions do not fit in {self.days} days."
                    )
        for w in self.availability:
            if not 0 <= w.day < self.days or w.end <= w.start:
                raise InstanceError(f"Availability on day {w.day}: not a valid window.")
            if w.school is not None and w.school not in self.schools:
                raise InstanceError(f"Availability: unknown school {w.school!r}.")
        for x in [*self.locked, *self.current]:
            if x.school not in self.schools or any(sid not in ids for sid in x.students):
                raise InstanceError(
                    "A locked or current session names an unknown school or student."
                )
            if x.end <= x.start or not 0 <= x.day < self.days:
                raise InstanceError("A locked or current session has an impossible time.")
        for c in self.commitments:
            if c.end <= c.start or not 0 <= c.day < self.days:
                raise InstanceError(f"Commitment {c.label!r}: an impossible time.")
            if c.school is not None and c.school not in self.schools:
                raise InstanceError(f"Commitment {c.label!r}: unknown school {c.school!r}.")
        if self.lunch_end - self.lunch_start < self.lunch_minutes:
            raise InstanceError("The lunch window is shorter than lunch.")
        for (a, b), minutes in self.travel.items():
            if a not in self.schools or b not in self.schools or minutes < 0:
                raise InstanceError(f"Travel {a}->{b}: unknown school or negative minutes.")

    def to_dict(self) -> dict:
        def session(x: Session) -> dict:
            return {
                "day": x.day,
                "start": hhmm(x.start),
                "end": hhmm(x.end),
                "school": x.school,
                "students": list(x.students),
                "mandates": list(x.mandates),
                "locked": x.locked,
            }

        return {
            "days": self.days,
            "slot_minutes": self.slot_minutes,
            "therapist": {
                "name": self.therapist,
                "availability": [
                    {
                        "day": w.day,
                        "start": hhmm(w.start),
                        "end": hhmm(w.end),
                        **({"school": w.school} if w.school else {}),
                    }
                    for w in self.availability
                ],
                "lunch": {
                    "window_start": hhmm(self.lunch_start),
                    "window_end": hhmm(self.lunch_end),
                    "minutes": self.lunch_minutes,
                },
                "planning_minutes": self.planning_minutes,
                "commitments": [
                    {
                        "day": c.day,
                        "start": hhmm(c.start),
                        "end": hhmm(c.end),
                        "label": c.label,
                        **({"school": c.school} if c.school else {}),
                    }
                    for c in self.commitments
                ],
            },
            "schools": [
                {
                    "id": s.id,
                    "name": s.name,
                    "day_start": hhmm(s.day_start),
                    "day_end": hhmm(s.day_end),
                    **({"x": s.x, "y": s.y} if s.x is not None else {}),
                    "bells": [
                        {
                            "kind": b.kind,
                            "start": hhmm(b.start),
                            "end": hhmm(b.end),
                            "grades": sorted(b.grades),
                            "days": sorted(b.days),
                        }
                        for b in s.bells
                    ],
                }
                for s in self.schools.values()
            ],
            "students": [
                {
                    "id": s.id,
                    "name": s.name,
                    "school": s.school,
                    "grade": s.grade,
                    "mandates": [
                        {
                            "id": m.id,
                            "minutes": m.minutes,
                            "sessions": m.sessions,
                            "group_allowed": m.group_allowed,
                            "max_group_size": m.max_group_size,
                            **({"every": m.every} if m.every != 1 else {}),
                        }
                        for m in s.mandates
                    ],
                    "protected": [
                        {
                            "start": hhmm(b.start),
                            "end": hhmm(b.end),
                            "days": sorted(b.days),
                            "reason": b.reason,
                        }
                        for b in s.protected
                    ],
                }
                for s in self.students
            ],
            "travel": [[a, b, m] for (a, b), m in sorted(self.travel.items())],
            "locked": [session(x) for x in self.locked],
            "current": [session(x) for x in self.current],
            "weights": self.weights.__dict__,
        }

    @classmethod
    def load(cls, path: str) -> Instance:
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except FileNotFoundError:
            raise InstanceError(f"No such file: {path}") from None
        except json.JSONDecodeError as exc:
            raise InstanceError(f"{path} is not valid JSON: {exc}") from None
        return cls.from_dict(data)


def _bell(b, where: str) -> Bell:
    b = _object(b, where)
    return Bell(
        kind=_text(b.get("kind", "other"), f"{where}.kind"),
        start=parse_time(_required(b, "start", where), f"{where}.start"),
        end=parse_time(_required(b, "end", where), f"{where}.end"),
        grades=frozenset(_texts(b.get("grades", []), f"{where}.grades")),
        days=_weekdays(b.get("days", []), f"{where}.days"),
    )


def _student(s, where: str) -> Student:
    s = _object(s, where)
    student_id = _text(_required(s, "id", where), f"{where}.id")
    mandates = []
    for j, (at, m) in enumerate(_objects(s.get("mandates", []), f"{where}.mandates")):
        mandates.append(
            Mandate(
                id=_text(m.get("id", f"{student_id}-{j}"), f"{at}.id"),
                # Ranges beyond these are the validation's, in the mandate's words.
                minutes=_integer(_required(m, "minutes", at), f"{at}.minutes"),
                sessions=_integer(m.get("sessions", 1), f"{at}.sessions"),
                group_allowed=_flag(m.get("group_allowed", False), f"{at}.group_allowed"),
                max_group_size=_integer(m.get("max_group_size", 1), f"{at}.max_group_size"),
                every=_integer(m.get("every", 1), f"{at}.every", None, 100),
            )
        )
    protected = []
    for at, b in _objects(s.get("protected", []), f"{where}.protected"):
        protected.append(
            Block(
                start=parse_time(_required(b, "start", at), f"{at}.start"),
                end=parse_time(_required(b, "end", at), f"{at}.end"),
                days=_weekdays(b.get("days", []), f"{at}.days"),
                reason=_text(b.get("reason", "protected"), f"{at}.reason"),
            )
        )
    return Student(
        id=student_id,
        name=_text(s.get("name", student_id), f"{where}.name"),
        school=_text(_required(s, "school", where), f"{where}.school"),
        grade=_text(s.get("grade", ""), f"{where}.grade"),
        mandates=tuple(mandates),
        protected=tuple(protected),
    )


def _sessions(items, where: str) -> list[Session]:
    sessions = []
    for at, x in _objects(items, where):
        students = _texts(_required(x, "students", at), f"{at}.students")
        if not students:
            raise InstanceError(f"{at}.students: a session has at least one student.")
        sessions.append(
            Session(
                day=_integer(_required(x, "day", at), f"{at}.day", 0, MAX_DAYS - 1),
                start=parse_time(_required(x, "start", at), f"{at}.start"),
                end=parse_time(_required(x, "end", at), f"{at}.end"),
                school=_text(_required(x, "school", at), f"{at}.school"),
                students=tuple(students),
                mandates=tuple(_texts(x.get("mandates", []), f"{at}.mandates")),
                locked=_flag(x.get("locked", False), f"{at}.locked"),
            )
        )
    return sessions


@dataclass
class Unplaced:
    student: str
    mandate: str
    minutes: int
    reasons: list[str]


@dataclass
class Schedule:
    sessions: list[Session]
    unplaced: list[Unplaced] = field(default_factory=list)
    status: str = "UNKNOWN"
    objective: float | None = None
    bound: float | None = None
    seconds: float = 0.0
    solver: str = ""
    # Hard rules the schedule breaks. The solver and the baseline keep every rule around the
    # locked sessions and fixed time they are given, so only those can: a contradictory
    # instance (locked sessions that overlap, sit in protected time, make a group larger
    # than allowed...) is reported here, not presented as a complete week.
    violations: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every mandated minute placed, and no rule broken."""
        return not self.unplaced and not self.violations

    def to_dict(self) -> dict:
        return {
            "solver": self.solver,
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "seconds": round(self.seconds, 3),
            "complete": self.complete,
            "violations": list(self.violations),
            "sessions": [
                {
                    "day": x.day,
                    "start": hhmm(x.start),
                    "end": hhmm(x.end),
                    "school": x.school,
                    "students": list(x.students),
                    "mandates": list(x.mandates),
                    "locked": x.locked,
                }
                for x in sorted(self.sessions, key=lambda x: (x.day, x.start))
            ],
            "unplaced": [
                {
                    "student": u.student,
                    "mandate": u.mandate,
                    "minutes": u.minutes,
                    "reasons": u.reasons,
                }
                for u in self.unplaced
            ],
        }

    @classmethod
    def from_dict(cls, data: dict) -> Schedule:
        """A schedule in the JSON format (docs/scheduling.md), checked as an instance is:
        a wrong field raises `InstanceError` naming it."""
        data = _object(data, "the schedule")
        unplaced = []
        for at, u in _objects(data.get("unplaced", []), "unplaced"):
            unplaced.append(
                Unplaced(
                    student=_text(_required(u, "student", at), f"{at}.student"),
                    mandate=_text(_required(u, "mandate", at), f"{at}.mandate"),
                    minutes=_integer(u.get("minutes", 0), f"{at}.minutes", 0, MINUTES_A_DAY),
                    reasons=_texts(u.get("reasons", []), f"{at}.reasons"),
                )
            )
        return cls(
            sessions=_sessions(data.get("sessions", []), "sessions"),
            unplaced=unplaced,
            status=_text(data.get("status", "UNKNOWN"), "status"),
            objective=_number(data.get("objective"), "objective", 0, math.inf, optional=True),
            bound=_number(data.get("bound"), "bound", -math.inf, math.inf, optional=True),
            solver=_text(data.get("solver", ""), "solver"),
            violations=_texts(data.get("violations", []), "violations"),
        )
