"""The one independent judge of a schedule: every hard rule checked, every penalty computed.

It shares no code with the solver or the baseline (only the instance's data classes), so a
bug in how they build candidates cannot hide here. Tests and the benchmark judge both with it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from schoolot.scheduling.instance import Instance, Schedule, Session, hhmm

DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri"]


def _day(d: int) -> str:
    week, weekday = divmod(d, 5)
    return DAY_NAMES[weekday] + (f" (week {week + 1})" if week else "")


@dataclass
class Score:
    violations: list[str] = field(default_factory=list)
    required_minutes: int = 0
    placed_minutes: int = 0
    core_missed: int = 0
    travel_minutes: int = 0
    trips: int = 0
    bunching: int = 0  # pairs of a student's sessions a day apart, and twice those on one day
    changes: int = 0
    penalty: float = 0.0

    @property
    def feasible(self) -> bool:
        return not self.violations

    @property
    def placed_share(self) -> float:
        return 1.0 if not self.required_minutes else self.placed_minutes / self.required_minutes

    def to_dict(self) -> dict:
        return {
            **self.__dict__,
            "feasible": self.feasible,
            "placed_share": round(self.placed_share, 4),
        }


def _overlaps(a: Session, b: Session) -> bool:
    return a.start < b.end and b.start < a.end


def _longest_free(free: list[bool], offset: int, lo: int, hi: int) -> int:
    """The longest run of free minutes between lo and hi (`free[m - offset]` per minute)."""
    best = run = 0
    for m in range(lo, hi):
        run = run + 1 if free[m - offset] else 0
        best = max(best, run)
    return best


def _breaks_problem(instance: Instance, busy: list[tuple[int, int]], works: list) -> str | None:
    """What is wrong with the day's lunch and planning time, by trying every lunch minute."""
    lunch_lo, lunch_hi, lunch = instance.lunch_start, instance.lunch_end, instance.lunch_minutes
    plan_lo, plan_hi = min(w.start for w in works), max(w.end for w in works)
    planning = instance.planning_minutes
    offset = min(lunch_lo, plan_lo)
    free = [True] * (max(lunch_hi, plan_hi) - offset)
    for a, b in busy:
        for m in range(max(a, offset), min(b, offset + len(free))):
            free[m - offset] = False
    lunch_text = f"no {lunch}-minute lunch between {hhmm(lunch_lo)} and {hhmm(lunch_hi)}."
    if lunch and _longest_free(free, offset, lunch_lo, lunch_hi) < lunch:
        return lunch_text
    if not planning:
        return None
    planning_text = f"no {planning} minutes of planning time" + (" beside lunch." if lunch else ".")
    if not lunch:
        ok = _longest_free(free, offset, plan_lo, plan_hi) >= planning
        return None if ok else planning_text
    for t in range(lunch_lo, lunch_hi - lunch + 1):
        if all(free[m - offset] for m in range(t, t + lunch)):
            held = free[:]
            for m in range(t, t + lunch):
                held[m - offset] = False
            if _longest_free(held, offset, plan_lo, plan_hi) >= planning:
                return None
    return planning_text


def score(instance: Instance, schedule: Schedule) -> Score:
    result = Score(
        required_minutes=sum(m.minutes * m.sessions for s in instance.students for m in s.mandates)
    )
    bad = result.violations
    students = {s.id: s for s in instance.students}
    mandates = {(s.id, m.id): m for s in instance.students for m in s.mandates}
    counts: Counter = Counter()
    for x in schedule.sessions:
        where = f"{_day(x.day)} {hhmm(x.start)}-{hhmm(x.end)}"
        if x.school not in instance.schools:
            bad.append(f"{where}: unknown school {x.school}.")
            continue
        school = instance.schools[x.school]
        if x.end <= x.start:
            bad.append(f"{where}: ends before it starts.")
            continue
        if not 0 <= x.day < instance.days:
            bad.append(f"{where}: day outside the week.")
        if x.start < school.day_start or x.end > school.day_end:
            bad.append(
                f"{where}: outside {school.name}'s hours "
                f"({hhmm(school.day_start)}-{hhmm(school.day_end)})."
            )
        if not any(
            w.day == x.day
            and w.start <= x.start
            and x.end <= w.end
            and (w.school is None or w.school == x.school)
            for w in instance.availability
        ):
            bad.append(f"{where}: the therapist is not available at {school.name} then.")
        for c in instance.commitments:
            if c.day == x.day and c.start < x.end and x.start < c.end:
                bad.append(f"{where}: clashes with {c.label}.")
        members = []
        for i, sid in enumerate(x.students):
            student = students.get(sid)
            if student is None:
                bad.append(f"{where}: unknown student {sid}.")
                continue
            if student.school != x.school:
                bad.append(f"{where}: {student.name} is not at {school.name}.")
            mandate_id = x.mandates[i] if i < len(x.mandates) else None
            mandate = (
                mandates.get((sid, mandate_id))
                if mandate_id
                else next((m for m in student.mandates if m.minutes == x.minutes), None)
            )
            if mandate is None:
                bad.append(f"{where}: no mandate of {student.name} matches this session.")
                continue
            members.append((student, mandate))
            counts[(sid, mandate.id)] += 1
            if x.minutes != mandate.minutes:
                bad.append(
                    f"{where}: {student.name}'s mandate is {mandate.minutes} minutes, "
                    f"not {x.minutes}."
                )
            for b in student.protected:
                if (not b.days or x.day % 5 in b.days) and b.start < x.end and x.start < b.end:
                    bad.append(f"{where}: in {student.name}'s protected time ({b.reason}).")
            for bell in school.bells:
                if (
                    bell.kind == "core"
                    and (not bell.grades or student.grade in bell.grades)
                    and (not bell.days or x.day % 5 in bell.days)
                ):
                    result.core_missed += max(0, min(x.end, bell.end) - max(x.start, bell.start))
        if len(members) > 1:
            for student, mandate in members:
                if not mandate.group_allowed:
                    bad.append(f"{where}: {student.name}'s mandate does not allow group service.")
                elif len(members) > mandate.max_group_size:
                    bad.append(
                        f"{where}: a group of {len(members)}; {student.name}'s mandate "
                        f"allows at most {mandate.max_group_size}."
                    )
        result.placed_minutes += x.minutes * len(members)
    for key, n in counts.items():
        mandate = mandates[key]
        if n > mandate.sessions:
            bad.append(
                f"{students[key[0]].name}: {n} sessions for a mandate of {mandate.sessions}."
            )
            result.placed_minutes -= (n - mandate.sessions) * mandate.minutes

    weeks = instance.days // 5
    if weeks > 1:
        # A cycle of weeks: each mandate's sessions spread, ceil(sessions / weeks) a week.
        per_week: Counter = Counter()
        for x in schedule.sessions:
            for i, sid in enumerate(x.students):
                mandate_id = x.mandates[i] if i < len(x.mandates) else None
                if (sid, mandate_id) in mandates:
                    per_week[(sid, mandate_id, x.day // 5)] += 1
        for (sid, mandate_id, week), n in sorted(per_week.items()):
            most = -(-mandates[(sid, mandate_id)].sessions // weeks)
            if n > most:
                bad.append(
                    f"{students[sid].name}: {n} sessions in week {week + 1} of the cycle; "
                    f"the mandate's {mandates[(sid, mandate_id)].sessions} spread over "
                    f"{weeks} weeks allow {most}."
                )

    by_day: dict[int, list[Session]] = defaultdict(list)
    for x in schedule.sessions:
        by_day[x.day].append(x)
    for day, items in by_day.items():
        items.sort(key=lambda x: (x.start, x.end))
        for i, a in enumerate(items):
            for b in items[i + 1 :]:
                if _overlaps(a, b):
                    bad.append(f"{_day(day)} {hhmm(b.start)}: the therapist is double-booked.")
                if set(a.students) & set(b.students) and _overlaps(a, b):
                    bad.append(f"{_day(day)} {hhmm(b.start)}: a student is double-booked.")
        # The day's stops: its sessions and the commitments held at a school.
        stops = sorted(
            [*items, *(c for c in instance.commitments if c.day == day and c.school)],
            key=lambda x: (x.start, x.end),
        )
        for a, b in zip(stops, stops[1:], strict=False):
            if a.school != b.school and {a.school, b.school} <= instance.schools.keys():
                drive = instance.travel_minutes(a.school, b.school)
                result.travel_minutes += drive
                result.trips += 1
                if b.start - a.end < drive:
                    bad.append(
                        f"{_day(day)} {hhmm(a.end)}-{hhmm(b.start)}: "
                        f"{b.start - a.end} minutes to drive a {drive}-minute trip."
                    )
        # Lunch (a free stretch of its minutes inside its window) and planning time (a free
        # stretch inside the working hours, apart from lunch). Drives may hold either.
        works = [w for w in instance.availability if w.day == day]
        if works and (instance.lunch_minutes or instance.planning_minutes):
            busy = [(x.start, x.end) for x in items] + [
                (c.start, c.end) for c in instance.commitments if c.day == day
            ]
            problem = _breaks_problem(instance, busy, works)
            if problem:
                bad.append(f"{_day(day)}: {problem}")
    for x in instance.locked:
        if not any(
            y.day == x.day
            and y.start == x.start
            and y.end == x.end
            and set(y.students) == set(x.students)
            for y in schedule.sessions
        ):
            bad.append(f"The locked session {_day(x.day)} {hhmm(x.start)} was moved or dropped.")

    days_of: dict[str, list[int]] = defaultdict(list)
    for x in schedule.sessions:
        for sid in x.students:
            days_of[sid].append(x.day)
    for day_list in days_of.values():
        day_list.sort()
        for i, a in enumerate(day_list):
            for b in day_list[i + 1 :]:
                # Adjacent: the next school day of the same week. In a cycle, Friday and the
                # next Monday are not (a weekend apart), as a weekly week's Friday and the
                # Monday it repeats into are not.
                if b == a:
                    result.bunching += 2  # two sessions in one day: worse than a day apart
                elif b - a == 1 and a % 5 != 4:
                    result.bunching += 1
    for x in instance.current:
        if not any(
            y.day == x.day and y.start == x.start and set(y.students) == set(x.students)
            for y in schedule.sessions
        ):
            result.changes += 1
    w = instance.weights
    result.penalty = round(
        w.core_missed * result.core_missed
        + w.travel * result.travel_minutes
        + w.trips * result.trips
        + w.bunching * result.bunching
        + w.changes * result.changes,
        1,
    )
    return result
