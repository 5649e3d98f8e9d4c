"""When a session could go, for the solver and the baseline (the scorer checks on its own).

A "unit" is what needs placing: one student's mandate, or a group of students whose
mandates allow group service, each needing `sessions` sessions of `minutes` a week.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from schoolot.scheduling.instance import CORE, Instance, Mandate, Student


@dataclass(frozen=True)
class Unit:
    key: str
    school: str
    members: tuple[tuple[str, str], ...]  # (student id, mandate id)
    minutes: int
    sessions: int

    @property
    def students(self) -> tuple[str, ...]:
        return tuple(s for s, _ in self.members)


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def _free_gaps(busy: list[tuple[int, int]], lo: int, hi: int) -> list[tuple[int, int]]:
    gaps, cursor = [], lo
    for a, b in sorted(busy):
        if a > cursor:
            gaps.append((cursor, min(a, hi)))
        cursor = max(cursor, b)
        if cursor >= hi:
            break
    if cursor < hi:
        gaps.append((cursor, hi))
    return [(a, b) for a, b in gaps if b > a]


def breaks_fit(instance: Instance, day: int, busy: list[tuple[int, int]]) -> bool:
    """A lunch (its minutes inside its window) and the planning time (a stretch inside the
    day's working hours, apart from lunch) both still fit around `busy` (sessions and
    commitments). Drives may hold either, as in the solver."""
    works = [w for w in instance.availability if w.day == day]
    lunch = (instance.lunch_start, instance.lunch_end, instance.lunch_minutes)
    if not instance.planning_minutes or not works:
        lo, hi, minutes = lunch
        return not minutes or any(b - a >= minutes for a, b in _free_gaps(busy, lo, hi))
    planning = (min(w.start for w in works), max(w.end for w in works), instance.planning_minutes)
    starts = [None]  # no lunch to place
    if instance.lunch_minutes:
        lo, hi, minutes = lunch
        starts = [t for a, b in _free_gaps(busy, lo, hi) for t in range(a, b - minutes + 1)]
    for t in starts:
        taken = busy if t is None else [*busy, (t, t + instance.lunch_minutes)]
        lo, hi, minutes = planning
        if any(b - a >= minutes for a, b in _free_gaps(taken, lo, hi)):
            return True
    return False


def core_minutes(instance: Instance, student: Student, day: int, start: int, end: int) -> int:
    school = instance.schools[student.school]
    weekday = day % 5
    return sum(
        _overlap(start, end, b.start, b.end)
        for b in school.bells
        if b.kind == CORE
        and (not b.grades or student.grade in b.grades)
        and (not b.days or weekday in b.days)
    )


def student_free(student: Student, day: int, start: int, end: int) -> bool:
    weekday = day % 5
    return not any(
        _overlap(start, end, b.start, b.end)
        for b in student.protected
        if not b.days or weekday in b.days
    )


def therapist_at(instance: Instance, day: int, school: str, start: int, end: int) -> bool:
    """The therapist is available then, at that school, and has no commitment."""
    inside = any(
        w.day == day and w.start <= start and end <= w.end and w.school in (None, school)
        for w in instance.availability
    )
    if not inside:
        return False
    return not any(
        c.day == day and _overlap(start, end, c.start, c.end) for c in instance.commitments
    )


def candidates(instance: Instance, unit: Unit, day: int, step: int) -> list[int]:
    """Start times on `day` where the unit's session fits every rule that involves it alone."""
    school = instance.schools[unit.school]
    members = [instance.student(s) for s in unit.students]
    result = []
    first = school.day_start + (-school.day_start) % step
    for start in range(first, school.day_end - unit.minutes + 1, step):
        end = start + unit.minutes
        if all(student_free(m, day, start, end) for m in members) and therapist_at(
            instance, day, unit.school, start, end
        ):
            result.append(start)
    return result


def units(instance: Instance, *, grouping: bool = True, step: int = 15) -> list[Unit]:
    """Individual units, and groups of students at one school whose mandates allow group
    service with the same minutes, sessions and recurrence (`every`), when they share enough
    free times."""
    singles: list[Unit] = []
    pools: dict[tuple, list[tuple[Student, Mandate]]] = defaultdict(list)
    for s in instance.students:
        for m in s.mandates:
            if grouping and m.group_allowed and m.max_group_size >= 2:
                pools[(s.school, m.minutes, m.sessions, m.every)].append((s, m))
            else:
                singles.append(
                    Unit(f"{s.id}/{m.id}", s.school, ((s.id, m.id),), m.minutes, m.sessions)
                )
    result = list(singles)
    for (school, minutes, sessions, _every), pool in sorted(pools.items()):
        pool.sort(key=lambda sm: (sm[0].grade, sm[0].id))
        while pool:
            seed_student, seed_mandate = pool.pop(0)
            group = [(seed_student, seed_mandate)]
            limit = seed_mandate.max_group_size
            for other in list(pool):
                if len(group) >= limit:
                    break
                if len(group) >= other[1].max_group_size:
                    continue
                trial = Unit(
                    "g", school, tuple((s.id, m.id) for s, m in [*group, other]), minutes, sessions
                )
                days_ok = sum(
                    1 for d in range(instance.days) if candidates(instance, trial, d, step)
                )
                if days_ok >= sessions:
                    group.append(other)
                    pool.remove(other)
                    limit = min(limit, other[1].max_group_size)
            members = tuple((s.id, m.id) for s, m in group)
            key = "+".join(f"{s}/{m}" for s, m in members)
            result.append(Unit(key, school, members, minutes, sessions))
    return result


@dataclass(frozen=True)
class Capacity:
    """A quick necessary condition: the therapist's free minutes against the minutes the
    units need (groups count once). `short` > 0 proves that many unit-minutes cannot all be
    placed, whatever the solver does (travel only makes it worse)."""

    needed: int
    available: int
    impossible_units: tuple[str, ...]  # units with fewer feasible days than sessions

    @property
    def short(self) -> int:
        return max(0, self.needed - self.available)


def capacity(instance: Instance, *, step: int = 10) -> Capacity:
    the_units = units(instance, step=step)
    needed = sum(u.minutes * u.sessions for u in the_units)
    available = 0
    for day in range(instance.days):
        minutes = set()
        for w in instance.availability:
            if w.day != day:
                continue
            schools = [instance.schools[w.school]] if w.school else instance.schools.values()
            for school in schools:
                minutes.update(range(max(w.start, school.day_start), min(w.end, school.day_end)))
        for c in instance.commitments:
            if c.day == day:
                minutes.difference_update(range(c.start, c.end))
        if minutes:
            available += max(0, len(minutes) - instance.lunch_minutes - instance.planning_minutes)
    impossible = tuple(
        u.key
        for u in the_units
        if sum(1 for d in range(instance.days) if candidates(instance, u, d, step)) < u.sessions
    )
    return Capacity(needed=needed, available=available, impossible_units=impossible)
