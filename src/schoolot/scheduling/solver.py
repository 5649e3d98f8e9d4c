"""The weekly schedule as a CP-SAT model (OR-Tools).

Decision: for each unit (a student's mandate, or a group), day and start among the times the
unit could go alone (feasibility.candidates, on the grid of `step` minutes), whether its
session is there; a unit has at most one session a day and as many as its mandate asks, the
rest counted unplaced (at a heavy cost per minute, so an infeasible week still yields the best
partial schedule and says what could not be placed and why).

Hard rules in the model: the mandate's duration; sessions of a mandate on separate days; no
overlap for the therapist (so for any student): every start on the grid, two sessions overlap
exactly when one covers the other's start, so one at-most-one constraint per grid time and day
covers sessions, lunch and planning time (a time-indexed model, whose LP relaxation is strong);
locked sessions and commitments remove the starts they overlap; school hours, protected blocks
and availability through the candidates; each school visited in one block a day, the blocks
ordered by a circuit with the travel time between them.

Minimised: weights x (core instruction minutes missed, travel minutes, moves between schools,
a unit's sessions on adjacent days, current sessions not kept) + unplaced minutes x 200.

Two stages: the day plan (plan.py, a relaxation solved first, usually to optimality) gives a
lower bound; a second plan that leaves each day some room (ROOM) gives the starting point, a
week held to its days (repaired where it leaves units out); the full model then searches from
that week, with its objective held at or above the bound, so CP-SAT's bound is never weaker
than the plan's. Where the greedy baseline's week is complete and the held week costs more
(or found nothing), the full model starts from the greedy's week instead; and the greedy's
week stands when nothing the model found in the time beats it.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict

from ortools.sat.python import cp_model

from schoolot.scheduling.cpsat import solve_stoppable
from schoolot.scheduling.feasibility import Unit, candidates, core_minutes, units
from schoolot.scheduling.instance import (
    Instance,
    Mandate,
    Schedule,
    Session,
    Student,
    Unplaced,
    day_name,
    hhmm,
)
from schoolot.scheduling.plan import (
    SCALE,
    UNPLACED_COST,
    day_load,
    plan_days,
    students_bunching,
    unit_sessions,
)
from schoolot.scheduling.scorer import score

PLAN_SHARE = 0.25  # of the time limit, at most, for the day plan
FIRST_WEEK_SHARE = 0.45  # of what is left, at most, for the week held to the plan's days
SHORT_SECONDS = 5.0  # under this, a stage presolves once (see below), not three times
REPAIR_SECONDS = 1.5  # at most, for the held week's units left out to find other days
GREEDY_START_SECONDS = 1.0  # at most, to complete the greedy's week in the model (routes, lunch)
ROOM = 0.9  # of each day's clock, for the day plan the week starts from (not its bound)


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
                m.id,
                m.minutes,
                m.sessions - done[(s.id, m.id)],
                m.group_allowed,
                m.max_group_size,
                m.every,
            )
            for m in s.mandates
            if m.sessions - done[(s.id, m.id)] > 0
        )
        students.append(Student(s.id, s.name, s.school, s.grade, mandates, s.protected))
    return Instance(**{**instance.__dict__, "students": students})


def explain(
    instance: Instance, unit: Unit, step: int, placed: list[Session], *, proven: bool = False
) -> list[str]:
    """Why a unit's session could not be placed, in words a therapist can act on. `proven`:
    the week was proven optimal, so a session left out only for want of room would be left
    out of every week; else the week is the best found in the time, and another may hold it."""
    names = ", ".join(instance.student(s).name for s in unit.students)
    school = instance.schools[unit.school]
    if not instance.availability:
        return ["The therapist has no availability in the week."]
    reasons = []
    days_with_room = []
    members = set(unit.members)
    held = {  # days with a locked session of the unit's mandate: one a day
        x.day for x in instance.locked if members & set(zip(x.students, x.mandates, strict=False))
    }
    for day in range(instance.days):
        when = day_name(day, instance.days)
        if not any(w.day == day and w.school in (None, unit.school) for w in instance.availability):
            reasons.append(f"{when}: the therapist is not at {school.name}.")
            continue
        if day in held:
            reasons.append(
                f"{when}: the locked session of this mandate for {names} is that day "
                "(one session of a mandate a day)."
            )
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
            f"{when}: {names} and the therapist share at most {gap} free "
            f"minutes in a row at {school.name} ({why}); the session needs "
            f"{unit.minutes}."
        )
    on_days = ", ".join(day_name(d, instance.days) for d in days_with_room)
    if len(days_with_room) < unit.sessions and days_with_room:
        reasons.insert(
            0,
            f"Only {len(days_with_room)} day(s) have a free {unit.minutes}-minute "
            f"time for {names}; the mandate needs {unit.sessions} separate days.",
        )
    elif days_with_room and proven:
        reasons = [
            f"Every free time for {names} on {on_days} is taken by other "
            "sessions, lunch, planning or travel: the therapist's week is full.",
            *(_taken(instance, unit, day, step, placed) for day in days_with_room),
        ]
    elif days_with_room:
        reasons = [
            f"In the week found, every free time for {names} on {on_days} is taken by other "
            "sessions, lunch, planning or travel. Nothing proves that no week holds it: a "
            "longer build may place it, or moving or unlocking a session may make room.",
            *(_taken(instance, unit, day, step, placed) for day in days_with_room),
        ]
    return reasons


TAKEN_LISTED = 6  # sessions named per day; the rest counted


def _taken(instance: Instance, unit: Unit, day: int, step: int, placed: list[Session]) -> str:
    """What fills a unit's free times on a day the week leaves it out of, so the therapist
    sees what to move: the times it could start and run (its free times), and the other
    sessions in them by start and students; where none is, the route (one visit to a school
    a day, the drives) and lunch are what leave no room."""
    windows: list[list[int]] = []  # merged [start, end) runs of the unit's possible sessions
    for t in candidates(instance, unit, day, step):
        if windows and t <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], t + unit.minutes)
        else:
            windows.append([t, t + unit.minutes])
    school = instance.schools[unit.school].name
    free = ", ".join(f"{hhmm(a)}-{hhmm(b)}" for a, b in windows)
    members = set(unit.students)
    inside = sorted(
        (
            x
            for x in placed
            if x.day == day
            and not members & set(x.students)
            and any(x.start < b and a < x.end for a, b in windows)
        ),
        key=lambda x: (x.start, x.students),
    )
    when = day_name(day, instance.days)
    if not inside:
        return (
            f"{when}: no session is in the free times at {school} ({free}); her one "
            f"visit to {school} that day, the drives between her schools and lunch leave no room."
        )
    listed = ", ".join(
        f"{hhmm(x.start)} {' & '.join(instance.student(s).name for s in x.students)}"
        for x in inside[:TAKEN_LISTED]
    )
    more = f" and {len(inside) - TAKEN_LISTED} more" if len(inside) > TAKEN_LISTED else ""
    return f"{when}: the free times at {school} ({free}) hold {listed}{more}."


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


def _grid(lo: int, hi: int, step: int) -> list[int]:
    """Multiples of `step` minutes from `lo` to `hi` (both included)."""
    return list(range(lo + (-lo) % step, hi + 1, step))


def _start_from_plan(
    model, plan, on_day, visit, x_vars, missing, units_school, seconds, *, workers, seed, stop
) -> tuple[list[int], float] | None:
    """Hint the model with a week built inside the day plan: first the model with every unit
    held to its planned days (the days apart, it is small and quick), then that week as the
    full model's starting point. Where the plan's days do not fit in a day's clock, the hint is
    the plan itself. Where the held week leaves units out (the plan's days too full for the
    clock), it is repaired: those units get every day back, the other units of their schools
    keep their days, every other session stays where it is; the repaired week is the start
    when it costs less. Returns the start (every variable's value, and its objective), if any."""
    started = time.perf_counter()
    for key, var in on_day.items():
        model.AddHint(var, 1 if key in plan.days else 0)
    for key, var in visit.items():
        model.AddHint(var, 1 if key in plan.visits else 0)
    # A copy with the other days shut (constraints, not assumptions: presolve then drops
    # those variables, and both workers search).
    held = model.Clone()
    for key, var in on_day.items():
        if key not in plan.days:
            held.Add(held.GetBoolVarFromProtoIndex(var.Index()) == 0)
    share = max(0.1, seconds * FIRST_WEEK_SHARE)
    week = _solve_held(
        model,
        held,
        share,
        workers=workers,
        seed=seed,
        presolve_once=share < SHORT_SECONDS,
        stop=stop,
    )
    if week is None:
        return None
    values = week[0]
    left_out = {ui for ui, var in missing.items() if values[var.Index()]}
    if not left_out or (stop is not None and stop.is_set()):
        return week
    # The neighbourhood that helped most (40 district weeks at 4 s: 99.3% placed, against
    # 98.5% with only the units left out freed, 98.9% with every unit of their schools free
    # on every day): sessions elsewhere fixed, so presolve leaves a small model.
    repair = model.Clone()
    schools = {units_school[ui] for ui in left_out}
    for (ui, _d, _t), var in x_vars.items():
        if units_school[ui] not in schools:
            repair.Add(repair.GetBoolVarFromProtoIndex(var.Index()) == values[var.Index()])
    for (ui, _d), var in on_day.items():
        if units_school[ui] in schools and ui not in left_out:
            repair.Add(repair.GetBoolVarFromProtoIndex(var.Index()) == values[var.Index()])
    rest = seconds - (time.perf_counter() - started)
    share = max(0.1, min(REPAIR_SECONDS, rest * FIRST_WEEK_SHARE))
    repaired = _solve_held(
        model,
        repair,
        share,
        workers=workers,
        seed=seed,
        presolve_once=share < SHORT_SECONDS,
        stop=stop,
    )
    if repaired is None or repaired[1] >= week[1]:
        _hint(model, values)  # the held week again
        return week
    return repaired


def _solve_held(
    model, held, seconds, *, workers, seed, presolve_once, stop=None
) -> tuple[list[int], float] | None:
    """Solve `held` (a copy of `model` with some choices held) and, if it finds a week, hint
    `model` with it. Returns that week (every variable's value, and its objective), if any."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, seconds)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    if presolve_once:
        solver.parameters.max_presolve_iterations = 1  # as for the whole week, below
    status = solve_stoppable(solver, held, stop)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    values = [solver.Value(held.GetIntVarFromProtoIndex(i)) for i in range(len(_variables(model)))]
    _hint(model, values)
    return values, solver.ObjectiveValue()


def _hint(model, values: list[int]) -> None:
    """Hint every variable of `model` with its value in `values` (by index), and nothing else."""
    model.ClearHints()
    for var, value in zip(_variables(model), values, strict=True):
        model.AddHint(var, value)


def _start_from_week(
    model, x_vars, the_units, week: Schedule, seconds, *, workers, seed, stop
) -> tuple[list[int], float] | None:
    """The model's values for a whole week found outside it (the greedy's): a copy with every
    session start held to that week's, the rest (lunch, the day's route) solved around it, then
    the model hinted with it. None, the model's hints untouched, when a session of the week is
    not among the model's starts or the copy finds nothing in the time."""
    # By (student, mandate) pairs: a student with two mandates has two units.
    unit_of = {frozenset(u.members): ui for ui, u in enumerate(the_units)}
    chosen = set()
    for x in week.sessions:
        if x.locked:
            continue
        members = frozenset(zip(x.students, x.mandates, strict=False))
        key = (unit_of.get(members), x.day, x.start)
        if key not in x_vars:
            return None
        chosen.add(key)
    held = model.Clone()
    held.ClearHints()
    for key, var in x_vars.items():
        held.Add(held.GetBoolVarFromProtoIndex(var.Index()) == (1 if key in chosen else 0))
    # Little is left to decide: one round of presolve.
    return _solve_held(
        model, held, seconds, workers=workers, seed=seed, presolve_once=True, stop=stop
    )


def locked_violations(instance: Instance) -> list[str]:
    """The hard rules the instance's locked sessions and fixed time break on their own, in
    the scorer's words: kept as they are, they make every week of it break them."""
    if not instance.locked:
        return []
    return score(instance, Schedule(sessions=list(instance.locked))).violations


def _cost(instance: Instance, schedule: Schedule) -> float | None:
    """A week's objective as the model counts it, from the independent scorer (penalty, and
    200 a student-minute left unplaced); None when the week breaks a hard rule."""
    result = score(instance, schedule)
    if not result.feasible:
        return None
    return result.penalty + UNPLACED_COST * (result.required_minutes - result.placed_minutes)


def _variables(model: cp_model.CpModel) -> list[cp_model.IntVar]:
    return [model.GetIntVarFromProtoIndex(i) for i in range(len(model.Proto().variables))]


def solve(
    instance: Instance,
    *,
    time_limit: float = 10.0,
    seed: int = 1,
    workers: int = 2,
    step: int | None = None,
    grouping: bool = True,
    hint: bool = True,
    stop: threading.Event | None = None,
) -> Schedule:
    """The best schedule CP-SAT finds in `time_limit` seconds, with its proven lower bound
    (`bound`; equal to `objective` when `status` is OPTIMAL). Never worse than the greedy
    baseline's week (baseline.greedy, as the scorer counts it), which it returns when nothing
    the model finds in the time is better; deterministic for a seed with one worker. Locked
    sessions that break a rule on their own are kept, and listed in `violations` (the week
    is then not complete).

    Once `stop` is set (from another thread: the build was cancelled), every CP-SAT stage
    ends within a fraction of a second and the rest are skipped: the result is the best week
    found so far, or the greedy's, as when the time runs out."""
    week = _solve(
        instance,
        time_limit=time_limit,
        seed=seed,
        workers=workers,
        step=step,
        grouping=grouping,
        hint=hint,
        stop=stop,
    )
    week.violations = locked_violations(instance)
    return week


def _solve(
    instance: Instance,
    *,
    time_limit: float,
    seed: int,
    workers: int,
    step: int | None,
    grouping: bool,
    hint: bool,
    stop: threading.Event | None,
) -> Schedule:
    from schoolot.scheduling.baseline import greedy  # it uses this module's helpers

    started = time.perf_counter()

    def stopped() -> bool:
        return stop is not None and stop.is_set()

    step = step or max(instance.slot_minutes, 10)
    todo = remaining_instance(instance)
    the_units = units(todo, grouping=grouping, step=step)
    weights = instance.weights
    model = cp_model.CpModel()
    days = range(instance.days)

    fixed: dict[int, list[tuple[int, int]]] = defaultdict(list)  # locked sessions, meetings
    # (student, mandate) -> days with a locked session of it; (student, None) when the
    # locked session does not say which mandate it serves.
    locked_days: dict[tuple[str, str | None], set[int]] = defaultdict(set)
    for x in instance.locked:
        fixed[x.day].append((x.start, x.end))
        for i, sid in enumerate(x.students):
            locked_days[(sid, x.mandates[i] if i < len(x.mandates) else None)].add(x.day)
    for c in instance.commitments:
        fixed[c.day].append((c.start, c.end))

    def clear(day: int, start: int, end: int) -> bool:
        return all(end <= a or b <= start for a, b in fixed[day])

    # The spreadsheet method's week (baseline.greedy: a tenth of a second for 50 students),
    # returned when nothing the model finds in the time beats it: the solver is never worse
    # than the greedy, whatever the limit and the machine.
    spreadsheet = greedy(instance, step=step) if grouping else None  # it groups
    spreadsheet_cost = _cost(instance, spreadsheet) if spreadsheet is not None else None

    starts: dict[tuple[int, int], list[int]] = {}
    for ui, unit in enumerate(the_units):
        for d in days:
            if any(
                d in locked_days[(sid, mid)] or d in locked_days[(sid, None)]
                for sid, mid in unit.members
            ):
                # That mandate's session that day is locked already (one a day). A locked
                # session of her other mandate is no bar, only a bunched pair (plan.py).
                continue
            options = [
                t for t in candidates(instance, unit, d, step) if clear(d, t, t + unit.minutes)
            ]
            if options:
                starts[(ui, d)] = options

    plan_started = time.perf_counter()
    plan = plan_days(
        instance,
        the_units,
        starts,
        time_limit=time_limit * PLAN_SHARE,
        workers=workers,
        seed=seed,
        stop=stop,
    )
    plan_seconds = time.perf_counter() - plan_started

    x_vars: dict[tuple[int, int, int], cp_model.IntVar] = {}
    on_day: dict[tuple[int, int], cp_model.IntVar] = {}
    missing: dict[int, cp_model.IntVar] = {}
    busy: dict[int, list[tuple[cp_model.IntVar, int, int]]] = defaultdict(list)
    by_day_school: dict[tuple[int, str], list] = defaultdict(list)
    objective = []
    for ui, unit in enumerate(the_units):
        members = [instance.student(s) for s in unit.students]
        used = []
        for d in days:
            chosen = []
            for t in starts.get((ui, d), []):
                var = x_vars[(ui, d, t)] = model.NewBoolVar(f"x{ui}_{d}_{t}")
                chosen.append(var)
                busy[d].append((var, t, t + unit.minutes))
                by_day_school[(d, unit.school)].append((var, t, t + unit.minutes))
                core = sum(core_minutes(instance, m, d, t, t + unit.minutes) for m in members)
                if core:
                    objective.append(round(weights.core_missed * SCALE * core) * var)
            if chosen:
                on_day[(ui, d)] = model.NewBoolVar(f"y{ui}_{d}")
                model.Add(sum(chosen) == on_day[(ui, d)])
                used.append(on_day[(ui, d)])
        missing[ui] = unit_sessions(model, instance, unit, ui, on_day, used, objective)
    students_bunching(model, instance, the_units, on_day, objective)

    # Lunch in its window and planning time, each on the grid, every working day.
    for d in days:
        works = [w for w in instance.availability if w.day == d]
        if not works:
            continue
        needs = []
        if instance.lunch_minutes:
            needs.append((instance.lunch_start, instance.lunch_end, instance.lunch_minutes))
        if instance.planning_minutes:
            needs.append(
                (min(w.start for w in works), max(w.end for w in works), instance.planning_minutes)
            )
        for lo, hi, minutes in needs:
            options = []
            for t in _grid(lo, hi - minutes, 5):
                if clear(d, t, t + minutes):
                    var = model.NewBoolVar("")
                    options.append(var)
                    busy[d].append((var, t, t + minutes))
            if options:
                model.AddExactlyOne(options)
    # The therapist does one thing at a time: at most one item covers any start time.
    for d in days:
        for point in sorted({a for _v, a, _b in busy[d]}):
            covering = [v for v, a, b in busy[d] if a <= point < b]
            if len(covering) > 1:
                model.AddAtMostOne(covering)

    # Schools: one block a day each, ordered by a circuit with travel between them.
    visit: dict[tuple[str, int], cp_model.IntVar] = {}
    drives: dict[int, list] = defaultdict(list)  # per day: minutes x arc
    for x in instance.locked:
        by_day_school[(x.day, x.school)].append((None, x.start, x.end))
    for c in instance.commitments:
        if c.school is not None:  # she is at that school then: part of the day's route
            by_day_school[(c.day, c.school)].append((None, c.start, c.end))
    for d in days:
        schools = sorted({s for (dd, s) in by_day_school if dd == d})
        if len(schools) < 2:
            continue
        begin, end = {}, {}
        for s in schools:
            items = by_day_school[(d, s)]
            is_fixed = any(v is None for v, _a, _b in items)
            present = visit[(s, d)] = model.NewBoolVar(f"visit{s}d{d}")
            lo = min(a for _v, a, _b in items)
            hi = max(b for _v, _a, b in items)
            begin[s] = model.NewIntVar(lo, hi, "")
            end[s] = model.NewIntVar(lo, hi, "")
            if is_fixed:
                model.Add(present == 1)
            for var, a, b in items:
                if var is None:
                    model.Add(begin[s] <= a)
                    model.Add(end[s] >= b)
                else:
                    model.AddImplication(var, present)
                    model.Add(begin[s] <= a).OnlyEnforceIf(var)
                    model.Add(end[s] >= b).OnlyEnforceIf(var)
            if not is_fixed:
                model.AddBoolOr([var for var, _a, _b in items]).OnlyEnforceIf(present)
            model.Add(begin[s] <= end[s])
        arcs = []
        index = {s: i + 1 for i, s in enumerate(schools)}
        idle = model.NewBoolVar("")
        arcs.append((0, 0, idle))
        moves = []
        for s in schools:
            arcs.append((index[s], index[s], visit[(s, d)].Not()))
            out = model.NewBoolVar("")
            back = model.NewBoolVar("")
            arcs += [(0, index[s], out), (index[s], 0, back)]
            for s2 in schools:
                if s2 == s:
                    continue
                arc = model.NewBoolVar("")
                arcs.append((index[s], index[s2], arc))
                moves.append(arc)
                minutes = instance.travel_minutes(s, s2)
                model.Add(end[s] + minutes <= begin[s2]).OnlyEnforceIf(arc)
                drives[d].append(minutes * arc)
                objective.append(round(SCALE * (weights.travel * minutes + weights.trips)) * arc)
        model.AddCircuit(arcs)
        # Moves = schools visited - 1 on a working day (the LP sees it at once).
        model.Add(sum(moves) == sum(visit[(s, d)] for s in schools) - (1 - idle))
    # A school needs as many visiting days as any of its units has sessions.
    for ui, unit in enumerate(the_units):
        if unit.sessions > 1:
            visits = [
                visit[(unit.school, d)] if (unit.school, d) in visit else on_day[(ui, d)]
                for d in days
                if (unit.school, d) in visit or (ui, d) in on_day
            ]
            model.Add(sum(visits) >= unit.sessions - missing[ui])
    # The day plan's load per day, and its school visits, on the week's own literals: the
    # clock implies both, but its LP needs them said (see plan.day_load).
    for (ui, d), var in on_day.items():
        if (the_units[ui].school, d) in visit:
            model.AddImplication(var, visit[(the_units[ui].school, d)])
    for d in days:
        schools = sorted({s for (dd, s) in by_day_school if dd == d})
        if schools:
            sessions = [(the_units[ui].minutes, v) for (ui, dd), v in on_day.items() if dd == d]
            day_load(model, instance, d, schools, sessions, drives[d])

    # Stability: the current schedule's sessions kept where possible.
    if instance.current and weights.changes:
        for x in instance.current:
            keep = [
                v
                for (ui, d, t), v in x_vars.items()
                if d == x.day and t == x.start and set(the_units[ui].students) == set(x.students)
            ]
            kept = sum(keep) if keep else 0
            objective.append(round(weights.changes * SCALE) * (1 - kept))

    total = sum(objective)
    model.Minimize(total)
    # The day plan is a relaxation: no week costs less than its bound.
    if plan.bound > 0:
        model.Add(total >= plan.bound)
    held = None
    start = plan
    if hint and plan.objective is not None and ROOM < 1 and not stopped():
        # The start only: the plan's days are often too full for the clock (idle time
        # between protected blocks, drives at awkward hours); a plan that leaves each day
        # some room fits far more often. The bound stays the exact plan's. Where the room
        # would leave minutes out (a week near capacity), the exact plan is the start.
        roomy = plan_days(
            instance,
            the_units,
            starts,
            # Half the plans' share, or what the exact plan left of it: stopped short of
            # its optimum, the roomy plan's days differ from run to run, and so does
            # whether the week held to them places everything.
            time_limit=max(time_limit * PLAN_SHARE / 2, time_limit * PLAN_SHARE - plan_seconds),
            workers=workers,
            seed=seed,
            room=ROOM,
            stop=stop,
        )
        if roomy.objective is not None and roomy.unplaced <= plan.unplaced:
            start = roomy  # as long as the room costs no minutes
    if hint and plan.objective is not None and not stopped():
        held = _start_from_plan(
            model,
            start,
            on_day,
            visit,
            x_vars,
            missing,
            [u.school for u in the_units],
            time_limit - (time.perf_counter() - started),
            workers=workers,
            seed=seed,
            stop=stop,
        )
    if (
        hint
        and not stopped()
        and spreadsheet_cost is not None
        and not spreadsheet.unplaced
        and (held is None or spreadsheet_cost * SCALE < held[1] - 1e-6)
    ):
        # The week held to the plan's days costs more than the spreadsheet method's complete
        # week (a plan too full for the clock, or a held stage out of time): the whole week
        # starts from the greedy's instead, and improves on it. (From an incomplete greedy
        # week the search placed fewer minutes than from the held one, however costly.)
        from_greedy = _start_from_week(
            model,
            x_vars,
            the_units,
            spreadsheet,
            min(GREEDY_START_SECONDS, time_limit - (time.perf_counter() - started)),
            workers=workers,
            seed=seed,
            stop=stop,
        )
        if from_greedy is not None:
            held = from_greedy
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit - (time.perf_counter() - started))
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    if held is not None and solver.parameters.max_time_in_seconds < SHORT_SECONDS:
        # Presolve alone (probing, three rounds) can take the whole of a short limit; with a
        # complete start in hand, one round leaves the search its time.
        solver.parameters.max_presolve_iterations = 1
    status = solve_stoppable(solver, model, stop)
    name = solver.StatusName(status)
    value, objective_value = solver.Value, None
    bound = plan.bound
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        objective_value = solver.ObjectiveValue()
        bound = max(solver.BestObjectiveBound(), plan.bound)
    if held is not None and (objective_value is None or held[1] < objective_value):
        # The whole week found nothing better in its time (on a busy machine it may not even
        # load its start): the week held to the plan's days stands.
        name, objective_value = "FEASIBLE", held[1]
        value = lambda var: held[0][var.Index()]  # noqa: E731
    greedy_week = (
        None
        if spreadsheet_cost is None
        else Schedule(
            sessions=spreadsheet.sessions,
            unplaced=spreadsheet.unplaced,
            status="FEASIBLE",
            objective=spreadsheet_cost,
            bound=bound / SCALE,
            solver="cp-sat",
        )
    )
    if objective_value is None and greedy_week is not None:
        greedy_week.seconds = time.perf_counter() - started
        return greedy_week
    if objective_value is None:
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
                    [
                        "The solve was stopped before it found a schedule."
                        if stopped()
                        else f"The solver found no schedule in {time_limit} s; give it more time."
                    ],
                )
                for u in the_units
                for s, m in u.members
            ],
        )
    sessions = list(instance.locked)
    unplaced = []
    for (ui, d, t), var in x_vars.items():
        if value(var):
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
    for ui, miss in missing.items():
        count = value(miss)
        if count:
            unit = the_units[ui]
            reasons = explain(instance, unit, step, sessions, proven=name == "OPTIMAL")
            for _ in range(count):  # one entry per session, as the baseline reports them
                unplaced += [Unplaced(sid, mid, unit.minutes, reasons) for sid, mid in unit.members]
    week = Schedule(
        sessions=sessions,
        unplaced=unplaced,
        status=name,
        objective=objective_value / SCALE,
        bound=bound / SCALE,
        solver="cp-sat",
    )
    # A week short of proven optimal may carry penalty indicators the search left on (a
    # bunching or a move it need not pay): what the week costs is the scorer's count.
    cost = _cost(instance, week)
    if cost is not None and cost < week.objective:
        week.objective = cost
    if greedy_week is not None and greedy_week.objective < week.objective - 1e-6:
        # Nothing the model found in the time beats the spreadsheet method's week.
        week = greedy_week
    week.seconds = time.perf_counter() - started
    return week
