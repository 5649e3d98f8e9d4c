"""The day plan: which unit goes on which day, and which schools the therapist visits each day.

A relaxation of the week (solver.py): the same units, days, costs for travel, trips, bunching
and unplaced minutes, but no clock inside a day. A day only has to hold its minutes: at each
school within the school's open time, and over the day within the span the therapist can work,
with the drives between schools and a lunch in its window. Core instruction missed is each
unit's cheapest start that day.

Every schedule of the week gives a day plan of no higher cost, so the plan's optimum (or
CP-SAT's bound on it) is a lower bound on the week's penalty. CP-SAT proves that optimum in
about a second for a 50-student week; the full model then starts from the plan (a hint) and
cannot end below its bound.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from schoolot.scheduling.cpsat import solve_stoppable
from schoolot.scheduling.feasibility import Unit, core_minutes
from schoolot.scheduling.instance import Instance

UNPLACED_COST = 200  # per minute: placing minutes dominates every preference
SCALE = 10  # weights are floats; the models work in tenths


@dataclass
class DayPlan:
    status: str
    bound: int  # in tenths (SCALE): a lower bound on the week's objective
    objective: int | None = None
    days: set[tuple[int, int]] = field(default_factory=set)  # (unit index, day)
    visits: set[tuple[str, int]] = field(default_factory=set)  # (school, day)
    unplaced: int = 0  # student-minutes the plan leaves out


def open_span(instance: Instance, school: str, day: int) -> tuple[int, int]:
    """The part of the day the therapist can work at `school` (its hours and her windows)."""
    s = instance.schools[school]
    windows = [w for w in instance.availability if w.day == day and w.school in (None, school)]
    if not windows:
        return (0, 0)
    start = max(s.day_start, min(w.start for w in windows))
    end = min(s.day_end, max(w.end for w in windows))
    return (start, max(start, end))


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def spread(model, instance: Instance, unit: Unit, ui: int, on_day: dict) -> None:
    """In a cycle of weeks, a mandate's sessions spread over them: at most
    ceil(sessions / weeks) in any one week, locked sessions included (the week model's rule)."""
    weeks = instance.days // 5
    if weeks < 2:
        return
    sid, mid = unit.members[0]
    locked = [
        x.day // 5
        for x in instance.locked
        if (sid, mid) in zip(x.students, x.mandates, strict=False)
    ]
    most = -(-(unit.sessions + len(locked)) // weeks)
    for week in range(weeks):
        days = [on_day[(ui, d)] for d in range(5 * week, 5 * week + 5) if (ui, d) in on_day]
        room = most - locked.count(week)
        if len(days) > room:
            model.Add(sum(days) <= max(0, room))


def _locked_neighbours(instance: Instance, unit: Unit) -> dict[int, int]:
    """Per day, how many (student, locked session) pairs of the unit's students fall on that
    day or the day before or after it: a session of the unit that day makes that many
    bunched pairs more (the scorer counts every pair of a student's sessions on the same or
    adjacent days; a unit has no session on a day its own mandate's is locked)."""
    count: dict[int, int] = defaultdict(int)
    members = set(unit.students)
    for x in instance.locked:
        for _sid in members.intersection(x.students):
            for day in (x.day - 1, x.day, x.day + 1):
                if day // 5 == x.day // 5:  # the same week: Friday and Monday are not adjacent
                    count[day] += 2 if day == x.day else 1  # a same-day pair counts twice
    return count


def unit_sessions(model, instance: Instance, unit: Unit, ui: int, on_day, used, objective):
    """A unit's sessions, the same in the day plan and the week model: those on its days
    (`used`) and those missing make the mandate's count; the spread over a cycle's weeks;
    the costs of unplaced minutes, of its sessions on adjacent days and of a session next
    to a student's locked one, appended to `objective`. Returns the missing count."""
    w = instance.weights
    missing = model.NewIntVar(0, unit.sessions, f"miss{ui}")
    model.Add(sum(used) + missing == unit.sessions)
    spread(model, instance, unit, ui, on_day)
    objective.append(UNPLACED_COST * SCALE * unit.minutes * len(unit.members) * missing)
    if unit.sessions > 1 and w.bunching:
        for d in range(instance.days):
            if d % 5 != 4 and (ui, d) in on_day and (ui, d + 1) in on_day:  # same week
                adjacent = model.NewBoolVar("")
                model.Add(on_day[(ui, d)] + on_day[(ui, d + 1)] - 1 <= adjacent)
                objective.append(round(w.bunching * SCALE) * len(unit.members) * adjacent)
    if w.bunching:
        for d, pairs in _locked_neighbours(instance, unit).items():
            if (ui, d) in on_day:
                objective.append(round(w.bunching * SCALE) * pairs * on_day[(ui, d)])
    return missing


def students_bunching(model, instance: Instance, the_units, on_day, objective) -> None:
    """A student in two units (two mandates, or a group and a mandate of her own): a session
    of each on the same or adjacent days is a bunched pair, as the scorer counts it (per
    student they share), appended to `objective`. The same in the day plan and the week."""
    w = instance.weights
    if not w.bunching:
        return
    units_of: dict[str, list[int]] = defaultdict(list)
    for ui, unit in enumerate(the_units):
        for sid in unit.students:
            units_of[sid].append(ui)
    shared: dict[tuple[int, int], int] = defaultdict(int)  # unit pair: students in both
    for uis in units_of.values():
        for i, u1 in enumerate(uis):
            for u2 in uis[i + 1 :]:
                shared[(u1, u2)] += 1
    for (u1, u2), count in shared.items():
        for d1 in range(instance.days):
            for d2 in (d1 - 1, d1, d1 + 1):
                if d2 // 5 == d1 // 5 and (u1, d1) in on_day and (u2, d2) in on_day:
                    pair = model.NewBoolVar("")
                    model.Add(on_day[(u1, d1)] + on_day[(u2, d2)] - 1 <= pair)
                    same_day = 2 if d2 == d1 else 1  # as the scorer counts a same-day pair
                    objective.append(round(w.bunching * SCALE) * count * same_day * pair)


def day_load(model, instance: Instance, d: int, schools, sessions, drives, *, room=1.0) -> None:
    """A day's load, the same in the day plan and the week model: its sessions
    (`sessions`: (minutes, literal) pairs), locked sessions, commitments and the drives
    between its schools (`drives`: minutes x arc literal) fit in the span those `schools`
    are open to her that day (times `room`); with lunch beside the sessions when its window
    lies inside that span (lunch may fall during a drive). In the week model the clock holds
    this already, but its LP did not see that drives take time: with it, Typical seed 1's
    week is proven optimal in 42-56 s instead of 112 s or more (docs/performance.md)."""
    spans = [open_span(instance, s, d) for s in schools]
    lo, hi = min(a for a, _ in spans), max(b for _, b in spans)
    busy = sum(minutes * v for minutes, v in sessions)
    fixed = sum(x.minutes for x in instance.locked if x.day == d) + sum(
        _overlap(c.start, c.end, lo, hi) for c in instance.commitments if c.day == d
    )
    # Sessions and drives never overlap; lunch may fall during a drive.
    model.Add(busy + fixed + sum(drives) <= int((hi - lo) * room))
    if instance.lunch_minutes and lo <= instance.lunch_start and instance.lunch_end <= hi:
        model.Add(busy + fixed <= int((hi - lo) * room) - instance.lunch_minutes)


def _windows(model, instance: Instance, the_units, starts, on_day, d: int) -> None:
    """Energy in time windows: the sessions that can only fall inside [a, b) fit in it, less
    the locked sessions, commitments and lunch that must be there too (one therapist)."""
    span = {}
    for (ui, dd), var in on_day.items():
        if dd == d:
            options = starts[(ui, d)]
            span[ui] = (options[0], options[-1] + the_units[ui].minutes, var)
    fixed = [(x.start, x.end) for x in instance.locked if x.day == d] + [
        (c.start, c.end) for c in instance.commitments if c.day == d
    ]
    for a in sorted({e for e, _l, _v in span.values()}):
        for b in sorted({end for _e, end, _v in span.values()}):
            inside = [(ui, v) for ui, (e, end, v) in span.items() if e >= a and end <= b]
            if b <= a or len(inside) < 2:
                continue
            room = b - a - sum(_overlap(f0, f1, a, b) for f0, f1 in fixed)
            if instance.lunch_minutes and a <= instance.lunch_start and instance.lunch_end <= b:
                room -= instance.lunch_minutes
            if sum(the_units[ui].minutes for ui, _v in inside) > room:
                model.Add(sum(the_units[ui].minutes * v for ui, v in inside) <= max(0, room))


def plan_days(
    instance: Instance,
    the_units: list[Unit],
    starts: dict[tuple[int, int], list[int]],
    *,
    time_limit: float,
    workers: int = 2,
    seed: int = 1,
    room: float = 1.0,
    stop: threading.Event | None = None,
) -> DayPlan:
    """The cheapest day plan, given each unit's candidate starts per day (`starts`, already
    clear of locked sessions and commitments). Locked sessions count as fixed minutes.
    `room` < 1 keeps only that share of each day's span for sessions and drives: no longer a
    relaxation (its bound means nothing), but its days fit the clock more often, so the week
    starts from it. Ends early once `stop` is set (cpsat.solve_stoppable)."""
    w = instance.weights
    model = cp_model.CpModel()
    days = range(instance.days)
    on_day: dict[tuple[int, int], cp_model.IntVar] = {}
    objective = []
    missing = {}
    at_school: dict[tuple[str, int], list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for ui, unit in enumerate(the_units):
        members = [instance.student(s) for s in unit.students]
        used = []
        for d in days:
            options = starts.get((ui, d))
            if not options:
                continue
            var = model.NewBoolVar(f"u{ui}d{d}")
            on_day[(ui, d)] = var
            used.append(var)
            at_school[(unit.school, d)].append((ui, var))
            core = min(
                sum(core_minutes(instance, m, d, t, t + unit.minutes) for m in members)
                for t in options
            )
            if core:
                objective.append(round(w.core_missed * SCALE * core) * var)
        missing[ui] = unit_sessions(model, instance, unit, ui, on_day, used, objective)
    students_bunching(model, instance, the_units, on_day, objective)

    locked_at: dict[tuple[str, int], int] = defaultdict(int)
    for x in instance.locked:
        locked_at[(x.school, x.day)] += x.minutes
    visit: dict[tuple[str, int], cp_model.IntVar] = {}
    for d in days:
        schools = sorted(
            {s for (s, dd) in at_school if dd == d} | {s for (s, dd) in locked_at if dd == d}
        )
        if not schools:
            continue
        for s in schools:
            var = visit[(s, d)] = model.NewBoolVar(f"visit{s}d{d}")
            items = at_school.get((s, d), [])
            for _ui, v in items:
                model.AddImplication(v, var)
            if locked_at.get((s, d)):
                model.Add(var == 1)
            elif items:
                model.AddBoolOr([v for _, v in items]).OnlyEnforceIf(var)
            lo, hi = open_span(instance, s, d)
            minutes = sum(the_units[ui].minutes * v for ui, v in items)
            model.Add(minutes + locked_at.get((s, d), 0) <= max(0, hi - lo))
        drives = []
        if len(schools) > 1:
            index = {s: i + 1 for i, s in enumerate(schools)}
            idle = model.NewBoolVar("")
            arcs = [(0, 0, idle)]
            moves = []
            for s in schools:
                arcs.append((index[s], index[s], visit[(s, d)].Not()))
                arcs += [(0, index[s], model.NewBoolVar("")), (index[s], 0, model.NewBoolVar(""))]
                for s2 in schools:
                    if s2 == s:
                        continue
                    arc = model.NewBoolVar("")
                    arcs.append((index[s], index[s2], arc))
                    moves.append(arc)
                    minutes = instance.travel_minutes(s, s2)
                    drives.append(minutes * arc)
                    objective.append(round(SCALE * (w.travel * minutes + w.trips)) * arc)
            model.AddCircuit(arcs)
            # Moves = schools visited - 1 on a working day (the LP sees it at once).
            model.Add(sum(moves) == sum(visit[(s, d)] for s in schools) - (1 - idle))
        sessions = [(the_units[ui].minutes, v) for s in schools for ui, v in at_school[(s, d)]]
        day_load(model, instance, d, schools, sessions, drives, room=room)
        _windows(model, instance, the_units, starts, on_day, d)

    # A school needs as many visiting days as any of its units has sessions.
    for ui, unit in enumerate(the_units):
        if unit.sessions > 1:
            visits = [visit[(unit.school, d)] for d in days if (unit.school, d) in visit]
            model.Add(sum(visits) >= unit.sessions - missing[ui])

    # Stability: a current session can only be kept if its unit is on that day.
    if instance.current and w.changes:
        by_students = {frozenset(u.students): ui for ui, u in enumerate(the_units)}
        for x in instance.current:
            ui = by_students.get(frozenset(x.students))
            var = on_day.get((ui, x.day)) if ui is not None else None
            objective.append(round(w.changes * SCALE) * (1 - var if var is not None else 1))

    model.Minimize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solve_stoppable(solver, model, stop)
    name = solver.StatusName(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # UNKNOWN (out of time) still has a valid bound; anything else gives none.
        bound = solver.BestObjectiveBound() if status == cp_model.UNKNOWN else 0
        return DayPlan(status=name, bound=max(0, round(bound)))
    return DayPlan(
        status=name,
        bound=max(0, round(solver.BestObjectiveBound())),
        objective=round(solver.ObjectiveValue()),
        days={k for k, v in on_day.items() if solver.Value(v)},
        visits={k for k, v in visit.items() if solver.Value(v)},
        unplaced=sum(
            solver.Value(miss) * unit.minutes * len(unit.members)
            for unit, miss in zip(the_units, missing.values(), strict=True)
        ),
    )
