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


def parse_time(value, where: str) -> int:
    if isinstance(value, int):
        return value
    try:
        hours, minutes = str(value).split(":")
        result = int(hours) * 60 + int(minutes)
    except (ValueError, AttributeError):
        raise InstanceError(f"{where}: {value!r} is not a time like 08:30.") from None
    if not 0 <= result <= 24 * 60:
        raise InstanceError(f"{where}: {value!r} is not a time of day.")
    return result


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
    bunching: float = 15.0  # per pair of one student's sessions on the same or adjacent days
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
        if not isinstance(data, dict):
            raise InstanceError("The instance must be a JSON object.")
        try:
            days = int(data.get("days", 5))
            schools = {}
            for i, s in enumerate(data.get("schools", [])):
                where = f"schools[{i}]"
                school = School(
                    id=str(s["id"]),
                    name=str(s.get("name", s["id"])),
                    day_start=parse_time(s["day_start"], f"{where}.day_start"),
                    day_end=parse_time(s["day_end"], f"{where}.day_end"),
                    bells=tuple(
                        Bell(
                            kind=b.get("kind", "other"),
                            start=parse_time(b["start"], f"{where}.bells.start"),
                            end=parse_time(b["end"], f"{where}.bells.end"),
                            grades=frozenset(str(g) for g in b.get("grades", [])),
                            days=frozenset(int(d) for d in b.get("days", [])),
                        )
                        for b in s.get("bells", [])
                    ),
                    x=s.get("x"),
                    y=s.get("y"),
                )
                if school.id in schools:
                    raise InstanceError(f"{where}: school id {school.id!r} appears twice.")
                schools[school.id] = school
            students = []
            for i, s in enumerate(data.get("students", [])):
                where = f"students[{i}]"
                students.append(
                    Student(
                        id=str(s["id"]),
                        name=str(s.get("name", s["id"])),
                        school=str(s["school"]),
                        grade=str(s.get("grade", "")),
                        mandates=tuple(
                            Mandate(
                                id=str(m.get("id", f"{s['id']}-{j}")),
                                minutes=int(m["minutes"]),
                                sessions=int(m.get("sessions", 1)),
                                group_allowed=bool(m.get("group_allowed", False)),
                                max_group_size=int(m.get("max_group_size", 1)),
                                every=int(m.get("every", 1)),
                            )
                            for j, m in enumerate(s.get("mandates", []))
                        ),
                        protected=tuple(
                            Block(
                                start=parse_time(b["start"], f"{where}.protected.start"),
                                end=parse_time(b["end"], f"{where}.protected.end"),
                                days=frozenset(int(d) for d in b.get("days", [])),
                                reason=str(b.get("reason", "protected")),
                            )
                            for b in s.get("protected", [])
                        ),
                    )
                )
            therapist = data.get("therapist", {})
            availability = [
                Window(
                    day=int(w["day"]),
                    start=parse_time(w["start"], "availability.start"),
                    end=parse_time(w["end"], "availability.end"),
                    school=str(w["school"]) if w.get("school") is not None else None,
                )
                for w in therapist.get("availability", [])
            ]
            lunch = therapist.get("lunch", {})

            def sessions(items, where):
                return [
                    Session(
                        day=int(x["day"]),
                        start=parse_time(x["start"], where),
                        end=parse_time(x["end"], where),
                        school=str(x["school"]),
                        students=tuple(str(v) for v in x["students"]),
                        mandates=tuple(str(v) for v in x.get("mandates", [])),
                        locked=bool(x.get("locked", False)),
                    )
                    for x in items
                ]

            instance = cls(
                therapist=str(therapist.get("name", "therapist")),
                schools=schools,
                students=students,
                availability=availability,
                days=days,
                lunch_start=parse_time(lunch.get("window_start", "11:00"), "lunch"),
                lunch_end=parse_time(lunch.get("window_end", "13:00"), "lunch"),
                lunch_minutes=int(lunch.get("minutes", 30)),
                planning_minutes=int(therapist.get("planning_minutes", 0)),
                commitments=[
                    Commitment(
                        day=int(c["day"]),
                        start=parse_time(c["start"], "commitments.start"),
                        end=parse_time(c["end"], "commitments.end"),
                        label=str(c.get("label", "meeting")),
                        school=c.get("school"),
                    )
                    for c in therapist.get("commitments", [])
                ],
                locked=sessions(data.get("locked", []), "locked"),
                current=sessions(data.get("current", []), "current"),
                travel={(str(a), str(b)): int(m) for a, b, m in data.get("travel", [])},
                weights=Weights(**data.get("weights", {})),
                slot_minutes=int(data.get("slot_minutes", 5)),
            )
        except InstanceError:
            raise
        except KeyError as exc:
            raise InstanceError(f"A required field is missing: {exc.args[0]!r}.") from None
        except (TypeError, ValueError) as exc:
            raise InstanceError(f"A field has the wrong type: {exc}.") from None
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
            if s.id in ids:
                raise InstanceError(f"Student id {s.id!r} appears twice.")
            ids.add(s.id)
            if s.school not in self.schools:
                raise InstanceError(f"Student {s.id}: unknown school {s.school!r}.")
            school = self.schools[s.school]
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

    @property
    def complete(self) -> bool:
        return not self.unplaced

    def to_dict(self) -> dict:
        return {
            "solver": self.solver,
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "seconds": round(self.seconds, 3),
            "complete": self.complete,
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
        try:
            return cls(
                sessions=[
                    Session(
                        day=int(x["day"]),
                        start=parse_time(x["start"], "session"),
                        end=parse_time(x["end"], "session"),
                        school=str(x["school"]),
                        students=tuple(str(v) for v in x["students"]),
                        mandates=tuple(str(v) for v in x.get("mandates", [])),
                        locked=bool(x.get("locked", False)),
                    )
                    for x in data.get("sessions", [])
                ],
                unplaced=[
                    Unplaced(
                        student=str(u["student"]),
                        mandate=str(u["mandate"]),
                        minutes=int(u.get("minutes", 0)),
                        reasons=list(u.get("reasons", [])),
                    )
                    for u in data.get("unplaced", [])
                ],
                status=str(data.get("status", "UNKNOWN")),
                objective=data.get("objective"),
                bound=data.get("bound"),
                solver=str(data.get("solver", "")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InstanceError(f"Not a schedule: {exc}") from None
