"""The greedy baseline: what a careful therapist with a spreadsheet does.

Most-constrained unit first (fewest free times in the week), each session at the earliest
feasible time, on a day the unit has no session yet, away from its other days where possible,
keeping lunch, planning time and travel between schools.
"""

from __future__ import annotations

import time

from schoolot.scheduling.feasibility import breaks_fit, candidates, units
from schoolot.scheduling.instance import Instance, Schedule, Session, Unplaced
from schoolot.scheduling.solver import explain, locked_violations, remaining_instance


def _fits(instance: Instance, placed: list[Session], new: Session) -> bool:
    # The day's stops: its sessions and the commitments held at a school.
    stops = [x for x in placed if x.day == new.day]
    stops += [c for c in instance.commitments if c.day == new.day and c.school]
    for x in stops:
        # The therapist (and so every student) is in one place at a time, with the drive
        # between two schools.
        gap = instance.travel_minutes(x.school, new.school)
        if not (x.end + gap <= new.start or new.end + gap <= x.start):
            return False
    # Each school is one visit a day (no back and forth): its sessions are consecutive.
    order = [x.school for x in sorted([*stops, new], key=lambda x: x.start)]
    runs = [school for i, school in enumerate(order) if i == 0 or order[i - 1] != school]
    if len(runs) != len(set(runs)):
        return False
    busy = [(x.start, x.end) for x in [*stops, new]]
    busy += [(c.start, c.end) for c in instance.commitments if c.day == new.day and not c.school]
    # Lunch and planning time still fit.
    return breaks_fit(instance, new.day, busy)


def greedy(instance: Instance, *, step: int | None = None) -> Schedule:
    started = time.perf_counter()
    step = step or max(instance.slot_minutes, 10)
    todo = remaining_instance(instance)
    the_units = units(todo, grouping=True, step=step)
    options = {
        u.key: {d: candidates(instance, u, d, step) for d in range(instance.days)}
        for u in the_units
    }
    order = sorted(
        the_units,
        key=lambda u: (sum(len(v) for v in options[u.key].values()) / max(1, u.sessions), u.key),
    )
    placed: list[Session] = list(instance.locked)
    unplaced: list[Unplaced] = []
    for unit in order:
        used: list[int] = [x.day for x in placed if set(x.students) & set(unit.students)]
        for _k in range(unit.sessions):
            days = sorted(
                range(instance.days),
                key=lambda d: (d in used, any(abs(d - u) == 1 for u in used), d),
            )
            done = False
            for day in days:
                if day in used:
                    continue
                for start in options[unit.key][day]:
                    session = Session(
                        day=day,
                        start=start,
                        end=start + unit.minutes,
                        school=unit.school,
                        students=unit.students,
                        mandates=tuple(m for _, m in unit.members),
                    )
                    if _fits(instance, placed, session):
                        placed.append(session)
                        used.append(day)
                        done = True
                        break
                if done:
                    break
            if not done:
                reasons = explain(instance, unit, step, placed)
                unplaced += [Unplaced(s, m, unit.minutes, reasons) for s, m in unit.members]
    return Schedule(
        sessions=placed,
        unplaced=unplaced,
        status="GREEDY",
        solver="greedy",
        seconds=time.perf_counter() - started,
        violations=locked_violations(instance),
    )
