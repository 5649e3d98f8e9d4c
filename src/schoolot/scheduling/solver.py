"""The weekly schedule as a CP-SAT model (OR-Tools).

Decision: for each unit (a student's mandate, or a group) and each of its weekly sessions, one
start among the times the unit could go alone (feasibility.candidates), or none (unplaced, at a
heavy cost per minute, so an infeasible week still yields the best partial schedule and says
what could not be placed and why).

Hard rules in the model: the mandate's duration; one session per day per unit (sessions of a
mandate on separate days); no overlap for the therapist (sessions, locked sessions, fixed
commitments, lunch in its window, planning time) nor for a student; school hours, protected
blocks and availability through the candidates; each school visited in one block a day, the
blocks ordered by a circuit with the travel time between them.

Minimised: weights x (core instruction minutes missed, travel minutes, moves between schools,
a student's sessions on adjacent days, current sessions not kept) + unplaced minutes x 200.
"""

from __future__ import annotations

import time
from collections import defaultdict

from ortools.sat.python import cp_model

from schoolot.scheduling.feasibility import Unit, candidates, core_minutes, units
from schoolot.scheduling.instance import Instance, Mandate, Schedule, Session, Student, Unplaced

UNPLACED_COST = 200  # per minute: placing minutes dominates every preference
SCALE = 10  # weights are floats; the model works in tenths


def remaining_instance(instance: Instance) -> Instance:
    """The instance with locked sessions' mandates counted as done."""
    done: dict[tuple[str, str], int] = defaultdict(int)
    for x in instance.locked:
        for i, sid in enumerate(x.students):
            mandate = x.mandates[i] if i < len(x.mandates) else None
            if mandate is None:
                student = instance.student(sid)
                mandate = next((m.id for m in student.mandates if m.minutes == x.minutes), None)
            if mandate:
                done[(sid, mandate)] += 1
    students = []
    for s in instance.students:
        mandates = tuple(
            Mandate(
                m.id, m.minutes, m.sessions - done[(s.id, m.id)], m.group_allowed, m.max_group_size
            )
            for m in s.mandates
            if m.sessions - done[(s.id, m.id)] > 0
        )
        students.append(Student(s.id, s.name, s.school, s.grade, mandates, s.protected))
    return Instance(**{**instance.__dict__, "students": students})


def explain(instance: Instance, unit: Unit, step: int, placed: list[Session]) -> list[str]:
    """Why a unit's session could not be placed, in words a therapist can act on."""
    names = ", ".join(instance.student(s).name for s in unit.students)
    school = instance.schools[unit.school]
    if not instance.availability:
        return ["The therapist has no availability in the week."]
    reasons = []
    days_with_room = []
    for day in range(instance.days):
        if not any(w.day == day and w.school in (None, unit.school) for w in instance.availability):
            reasons.append(f"Day {day + 1}: the therapist is not at {school.name}.")
            continue
        if candidates(instance, unit, day, step):
            days_with_room.append(day)
            continue
        gap = _longest_gap(instance, unit, day)
        blocks = sorted(
            {
                b.reason
                for s in unit.students
                for b in instance.student(s).protected
                if not b.days or day % 5 in b.days
            }
        )
        why = f"protected time ({', '.join(blocks)})" if blocks else "availability and meetings"
        reasons.append(
            f"Day {day + 1}: {names} and the therapist share at most {gap} free "
            f"minutes in a row at {school.name} ({why}); the session needs "
            f"{unit.minutes}."
        )
    if len(days_with_room) < unit.sessions and days_with_room:
        reasons.insert(
            0,
            f"Only {len(days_with_room)} day(s) have a free {unit.minutes}-minute "
            f"time for {names}; the mandate needs {unit.sessions} separate days.",
        )
    elif days_with_room:
        reasons = [
            f"Every free time for {names} on days "
            f"{', '.join(str(d + 1) for d in days_with_room)} is taken by other "
            "sessions, lunch, planning or travel: the therapist's week is full."
        ]
    return reasons


def _longest_gap(instance: Instance, unit: Unit, day: int) -> int:
    school = instance.schools[unit.school]
    best = run = 0
    for minute in range(school.day_start, school.day_end):
        free = (
            all(
                not any(
                    b.start <= minute < b.end and (not b.days or day % 5 in b.days)
                    for b in instance.student(s).protected
                )
                for s in unit.students
            )
            and any(
                w.day == day and w.start <= minute < w.end and w.school in (None, unit.school)
                for w in instance.availability
            )
            and not any(c.day == day and c.start <= minute < c.end for c in instance.commitments)
        )
        run = run + 1 if free else 0
        best = max(best, run)
    return best


def solve(
    instance: Instance,
    *,
    time_limit: float = 10.0,
    seed: int = 1,
    workers: int = 2,
    step: int | None = None,
    grouping: bool = True,
    hint: bool = True,
) -> Schedule:
    """The best schedule CP-SAT finds in `time_limit` seconds (deterministic for a seed with
    one worker; with several, the best found in the time given)."""
    started = time.perf_counter()
    step = step or max(instance.slot_minutes, 10)
    todo = remaining_instance(instance)
    the_units = units(todo, grouping=grouping, step=step)
    weights = instance.weights
    model = cp_model.CpModel()
    days = range(instance.days)

    locked_by_day: dict[int, list[Session]] = defaultdict(list)
    for x in instance.locked:
        locked_by_day[x.day].append(x)
    locked_days: dict[str, set[int]] = defaultdict(set)
    for x in instance.locked:
        for sid in x.students:
            locked_days[sid].add(x.day)

    x_vars: dict[tuple[int, int, int, int], cp_model.IntVar] = {}
    misses: dict[tuple[int, int], cp_model.IntVar] = {}
    by_day_school: dict[tuple[int, str], list] = defaultdict(list)
    therapist_intervals: dict[int, list] = defaultdict(list)
    student_intervals: dict[tuple[str, int], list] = defaultdict(list)
    objective = []
    cand: dict[tuple[int, int], list[int]] = {}
    for ui, unit in enumerate(the_units):
        for d in days:
            blocked = any(d in locked_days[s] for s in unit.students)
            cand[(ui, d)] = [] if blocked else candidates(instance, unit, d, step)
    for ui, unit in enumerate(the_units):
        members = [instance.student(s) for s in unit.students]
        for k in range(unit.sessions):
            chosen = []
            for d in days:
                for t in cand[(ui, d)]:
                    var = model.NewBoolVar(f"x{ui}_{k}_{d}_{t}")
                    x_vars[(ui, k, d, t)] = var
                    chosen.append(var)
                    interval = model.NewOptionalIntervalVar(
                        t, unit.minutes, t + unit.minutes, var, ""
                    )
                    therapist_intervals[d].append(interval)
                    for s in unit.students:
                        student_intervals[(s, d)].append(interval)
                    by_day_school[(d, unit.school)].append((var, t, t + unit.minutes))
                    core = sum(core_minutes(instance, m, d, t, t + unit.minutes) for m in members)
                    if core:
                        objective.append(round(weights.core_missed * SCALE * core) * var)
            miss = model.NewBoolVar(f"miss{ui}_{k}")
            misses[(ui, k)] = miss
            model.AddExactlyOne([*chosen, miss])
            objective.append(UNPLACED_COST * SCALE * unit.minutes * len(unit.members) * miss)
        # Sessions of a unit on separate days, in day order (no symmetric solutions).
        for d in days:
            model.AddAtMostOne(
                x_vars[(ui, k, d, t)] for k in range(unit.sessions) for t in cand[(ui, d)]
            )
        day_of = []
        for k in range(unit.sessions):
            expr = sum(d * x_vars[(ui, k, d, t)] for d in days for t in cand[(ui, d)])
            day_of.append(expr)
            if k:
                model.Add(misses[(ui, k - 1)] <= misses[(ui, k)])
                model.Add(day_of[k] > day_of[k - 1]).OnlyEnforceIf(misses[(ui, k)].Not())
        # Bunching: consecutive sessions of the unit on adjacent days.
        if unit.sessions > 1 and weights.bunching:
            for k in range(1, unit.sessions):
                for d in days:
                    if d + 1 >= instance.days:
                        continue
                    first = [x_vars[(ui, k - 1, d, t)] for t in cand[(ui, d)]]
                    second = [x_vars[(ui, k, d + 1, t)] for t in cand[(ui, d + 1)]]
                    if first and second:
                        adjacent = model.NewBoolVar("")
                        model.Add(sum(first) + sum(second) - 1 <= adjacent)
                        objective.append(
                            round(weights.bunching * SCALE) * len(unit.members) * adjacent
                        )

    # Fixed time: locked sessions, commitments, lunch and planning.
    for d in days:
        for x in locked_by_day[d]:
            interval = model.NewIntervalVar(x.start, x.minutes, x.end, "")
            therapist_intervals[d].append(interval)
            for s in x.students:
                student_intervals[(s, d)].append(interval)
            by_day_school[(d, x.school)].append((None, x.start, x.end))
        for c in instance.commitments:
            if c.day == d:
                therapist_intervals[d].append(
                    model.NewIntervalVar(c.start, c.end - c.start, c.end, "")
                )
        works = [w for w in instance.availability if w.day == d]
        if works:
            if instance.lunch_minutes:
                start = model.NewIntVar(
                    instance.lunch_start, instance.lunch_end - instance.lunch_minutes, ""
                )
                therapist_intervals[d].append(
                    model.NewFixedSizeIntervalVar(start, instance.lunch_minutes, "")
                )
            if instance.planning_minutes:
                lo = min(w.start for w in works)
                hi = max(w.end for w in works) - instance.planning_minutes
                if hi >= lo:
                    start = model.NewIntVar(lo, hi, "")
                    therapist_intervals[d].append(
                        model.NewFixedSizeIntervalVar(start, instance.planning_minutes, "")
                    )
        model.AddNoOverlap(therapist_intervals[d])
    for (_s, _d), intervals in student_intervals.items():
        if len(intervals) > 1:
            model.AddNoOverlap(intervals)

    # Schools: one block a day each, ordered by a circuit with travel between them.
    for d in days:
        schools = sorted({s for (dd, s) in by_day_school if dd == d})
        if len(schools) < 2:
            continue
        present, begin, end = {}, {}, {}
        for s in schools:
            items = by_day_school[(d, s)]
            fixed = [(a, b) for v, a, b in items if v is None]
            present[s] = model.NewBoolVar("")
            begin[s] = model.NewIntVar(0, 24 * 60, "")
            end[s] = model.NewIntVar(0, 24 * 60, "")
            if fixed:
                model.Add(present[s] == 1)
            for var, a, b in items:
                if var is None:
                    model.Add(begin[s] <= a)
                    model.Add(end[s] >= b)
                else:
                    model.AddImplication(var, present[s])
                    model.Add(begin[s] <= a).OnlyEnforceIf(var)
                    model.Add(end[s] >= b).OnlyEnforceIf(var)
            if not fixed:
                model.AddBoolOr([var for var, _a, _b in items]).OnlyEnforceIf(present[s])
            model.Add(begin[s] <= end[s])
        arcs = []
        index = {s: i + 1 for i, s in enumerate(schools)}
        nobody = model.NewBoolVar("")
        arcs.append((0, 0, nobody))
        for s in schools:
            arcs.append((index[s], index[s], present[s].Not()))
            out = model.NewBoolVar("")
            back = model.NewBoolVar("")
            arcs += [(0, index[s], out), (index[s], 0, back)]
            for s2 in schools:
                if s2 == s:
                    continue
                arc = model.NewBoolVar("")
                arcs.append((index[s], index[s2], arc))
                minutes = instance.travel_minutes(s, s2)
                model.Add(end[s] + minutes <= begin[s2]).OnlyEnforceIf(arc)
                objective.append(round(SCALE * (weights.travel * minutes + weights.trips)) * arc)
        model.AddCircuit(arcs)

    # Stability: the current schedule's sessions kept where possible.
    if instance.current and weights.changes:
        for x in instance.current:
            keep = [
                v
                for (ui, _k, d, t), v in x_vars.items()
                if d == x.day and t == x.start and set(the_units[ui].students) == set(x.students)
            ]
            kept = sum(keep) if keep else 0
            objective.append(round(weights.changes * SCALE) * (1 - kept))

    model.Minimize(sum(objective))
    # Start from the greedy week: the solver is never worse than the spreadsheet method.
    if hint:
        from schoolot.scheduling.baseline import greedy

        start_week = greedy(instance, step=step)
        chosen = set()
        copies: dict[int, int] = defaultdict(int)
        index = {u.key: i for i, u in enumerate(the_units)}
        for x in sorted(start_week.sessions, key=lambda x: (x.day, x.start)):
            if x.locked:
                continue
            key = "+".join(f"{s}/{m}" for s, m in zip(x.students, x.mandates, strict=False))
            ui = index.get(key)
            if ui is None:
                continue
            chosen.add((ui, copies[ui], x.day, x.start))
            copies[ui] += 1
        for key, var in x_vars.items():
            model.AddHint(var, 1 if key in chosen else 0)
        for (ui, k), miss in misses.items():
            model.AddHint(miss, 0 if k < copies[ui] else 1)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.Solve(model)
    name = solver.StatusName(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # No solution at all in the time (every unit can always be left unplaced, so this
        # only happens when the time runs out first): report everything as unplaced.
        return Schedule(
            sessions=list(instance.locked),
            status=name,
            solver="cp-sat",
            seconds=time.perf_counter() - started,
            unplaced=[
                Unplaced(
                    s,
                    m,
                    u.minutes * u.sessions,
                    [f"The solver found no schedule in {time_limit} s; give it more time."],
                )
                for u in the_units
                for s, m in u.members
            ],
        )
    sessions = list(instance.locked)
    unplaced = []
    for (ui, _k, d, t), var in x_vars.items():
        if solver.Value(var):
            unit = the_units[ui]
            sessions.append(
                Session(
                    day=d,
                    start=t,
                    end=t + unit.minutes,
                    school=unit.school,
                    students=unit.students,
                    mandates=tuple(m for _, m in unit.members),
                )
            )
    for (ui, _k), miss in misses.items():
        if solver.Value(miss):
            unit = the_units[ui]
            reasons = explain(instance, unit, step, sessions)
            for sid, mid in unit.members:
                unplaced.append(Unplaced(sid, mid, unit.minutes, reasons))
    return Schedule(
        sessions=sessions,
        unplaced=unplaced,
        status=name,
        objective=solver.ObjectiveValue() / SCALE,
        bound=solver.BestObjectiveBound() / SCALE,
        solver="cp-sat",
        seconds=time.perf_counter() - started,
    )
