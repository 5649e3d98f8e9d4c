"""Realistic scheduling instances: an itinerant OT's schools, bells, students and mandates."""

from __future__ import annotations

import random
from dataclasses import replace

from schoolot.scheduling.instance import (
    CORE,
    Bell,
    Block,
    Instance,
    Mandate,
    Schedule,
    School,
    Session,
    Student,
    Weights,
    Window,
)

FIRST = [
    "Ava",
    "Liam",
    "Mia",
    "Noah",
    "Zoe",
    "Eli",
    "Ivy",
    "Leo",
    "Ana",
    "Sam",
    "Kai",
    "Lea",
    "Max",
    "Ada",
    "Ben",
    "Uma",
    "Gus",
    "Nia",
    "Ray",
    "Tess",
]
LAST = [
    "Garcia",
    "Nguyen",
    "Smith",
    "Patel",
    "Lopez",
    "Kim",
    "Brown",
    "Ali",
    "Chen",
    "Diaz",
    "Reed",
    "Ortiz",
    "Wong",
    "Hale",
    "Cruz",
]


def _elementary(
    school_id: str, name: str, rng: random.Random, tight: bool, x: float, y: float
) -> School:
    start = rng.choice([7 * 60 + 45, 8 * 60, 8 * 60 + 15])
    end = start + (6 * 60 + 30 if tight else 7 * 60)
    bells = []
    for grades, reading, math, lunch in [
        ({"K", "1", "2"}, 15, 270, 195),
        ({"3", "4", "5"}, 120, 315, 225),
    ]:
        bells.append(
            Bell(
                "core", start + reading, start + reading + (105 if tight else 90), frozenset(grades)
            )
        )
        bells.append(Bell("core", start + math, start + math + 60, frozenset(grades)))
        bells.append(Bell("lunch", start + lunch, start + lunch + 30, frozenset(grades)))
        bells.append(Bell("recess", start + lunch + 30, start + lunch + 50, frozenset(grades)))
        special_day = rng.randrange(5)
        bells.append(
            Bell(
                "specials",
                start + 90,
                start + 135,
                frozenset(grades),
                frozenset({special_day, (special_day + 2) % 5}),
            )
        )
    return School(school_id, name, start, end, tuple(bells), x, y)


def generate_instance(
    *, students: int = 50, schools: int = 4, seed: int = 1, tight: bool = False, days: int = 5
) -> Instance:
    """An itinerant therapist's week: `schools` elementary schools a few km apart, `students`
    with one mandate each (20-45 minutes, 1-2 sessions a week, 70% group-allowed),
    reading blocks and other protected time; `tight` shortens days, protects more time, opens
    each school to the therapist on three fixed days, and loads her week to 80-90% of her free
    minutes (before travel)."""
    rng = random.Random(seed)
    the_schools = {}
    for i in range(schools):
        sid = f"S{i + 1}"
        the_schools[sid] = _elementary(
            sid,
            f"{rng.choice(LAST)} Elementary",
            rng,
            tight,
            x=rng.uniform(0, 9),
            y=rng.uniform(0, 9),
        )
    the_students = []
    grades = ["K", "1", "2", "3", "4", "5"]
    for i in range(students):
        school = the_schools[f"S{i % schools + 1}"]
        grade = rng.choice(grades)
        protected = []
        reading = next(b for b in school.bells if b.kind == "core" and grade in b.grades)
        if rng.random() < (0.8 if tight else 0.5):
            protected.append(Block(reading.start, reading.end, reason="reading block"))
        if rng.random() < (0.5 if tight else 0.25):
            start = school.day_start + rng.randrange(0, school.day_end - school.day_start - 60, 15)
            protected.append(
                Block(start, start + 30, frozenset(rng.sample(range(5), 2)), "speech therapy")
            )
        minutes = rng.choice([20, 30, 30, 30, 30, 45] if not tight else [20, 30, 30, 30])
        sessions = 2 if rng.random() < (0.2 if tight else 0.3) else 1
        group = rng.random() < 0.7
        the_students.append(
            Student(
                id=f"P{i + 1}",
                name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                school=school.id,
                grade=grade,
                mandates=(
                    Mandate(
                        f"M{i + 1}", minutes, sessions, group, rng.choice([2, 3, 4]) if group else 1
                    ),
                ),
                protected=tuple(protected),
            )
        )
    availability = [Window(day, 7 * 60 + 30, 16 * 60) for day in range(days)]
    if tight:
        # The district gives each school three fixed days a week.
        availability = []
        for day in range(days):
            open_schools = [s for i, s in enumerate(the_schools) if (i + day) % 5 < 3] or list(
                the_schools
            )[:1]
            for s in open_schools:
                availability.append(Window(day, 7 * 60 + 30, 16 * 60, s))
    travel = {}
    ids = list(the_schools)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            travel[(a, b)] = rng.randint(8, 25)
    return Instance(
        therapist="Generated OT",
        schools=the_schools,
        students=the_students,
        availability=availability,
        days=days,
        lunch_start=11 * 60,
        lunch_end=13 * 60,
        lunch_minutes=30,
        travel=travel,
        weights=Weights(),
    )


def generate_planted(
    *, students: int = 70, schools: int = 8, seed: int = 1, days: int = 5
) -> tuple[Instance, Schedule]:
    """A tight week built around a known complete schedule, and that schedule (the witness).

    The schools, bells, fixed days and drives are those of `generate_instance(tight=True)`.
    Each day the therapist drives a route of three or four of the schools open that day and
    fills each with back-to-back sessions on the 10-minute grid (20-30 minutes, now and then
    ten idle minutes), with a 30-minute lunch between 11:00 and 13:00. The sessions become
    mandates (about a quarter of them paired into two-session mandates at one school; some
    groups of 2-4) until `students` students hold them, and each student's protected time
    (a reading block for most, speech therapy for half) is drawn so that it never covers one
    of her sessions. Every mandated minute can therefore be placed, as the witness shows: on
    these weeks "minutes placed" measures the solver, not whether the draw was feasible
    (`generate_instance(tight=True)` loads a week to 80-90% of the free minutes before
    travel, which may be more than any route allows)."""
    base = generate_instance(students=students, schools=schools, seed=seed, tight=True, days=days)
    rng = random.Random(seed * 7919 + students * 31 + schools)
    grid = 10
    lunch_earliest, lunch_latest = base.lunch_start, base.lunch_end - base.lunch_minutes

    def up(t: int) -> int:
        return t + (-t) % grid

    slots: list[tuple[int, str, int, int]] = []  # day, school, start, minutes
    for day in range(days):
        opened = sorted({w.school for w in base.availability if w.day == day})
        rng.shuffle(opened)
        route = opened[: rng.choice([3, 3, 4])]
        route.sort(key=lambda s: base.schools[s].day_start + rng.randint(-20, 20))
        route_end = base.schools[route[-1]].day_end
        lunch_at = rng.randrange(lunch_earliest, lunch_latest + 1, grid)
        lunched = False
        t = 0

        def lunch_before(t: int, until: int, lunch_at: int = lunch_at) -> int:
            # Lunch first when the next item would run past the day's lunch time.
            nonlocal lunched
            if lunched or until <= lunch_at:
                return t
            lunched = True
            return up(max(t, lunch_earliest) + base.lunch_minutes)

        for i, sid in enumerate(route):
            school = base.schools[sid]
            t = up(max(t, school.day_start))
            block_end = min(school.day_end, t + max(60, (route_end - t) // (len(route) - i)))
            if i == len(route) - 1:  # to the day's end, after any lunch time: lunch comes
                block_end = school.day_end
            while True:
                minutes = rng.choice([20, 30, 30, 30])
                t = lunch_before(t, t + minutes)
                if t + minutes > block_end:
                    break
                slots.append((day, sid, t, minutes))
                t += minutes
                if rng.random() < 0.05:
                    t = lunch_before(t, t + grid) + grid
            if i < len(route) - 1:
                drive = base.travel_minutes(sid, route[i + 1])
                t = up(lunch_before(t, t + drive) + drive)
    # Mandates: a session alone, or two at one school on different days (the same minutes).
    by_kind: dict[tuple[str, int], list[tuple[int, str, int, int]]] = {}
    for x in slots:
        by_kind.setdefault((x[1], x[3]), []).append(x)
    units: list[list[tuple[int, str, int, int]]] = []
    for kind in sorted(by_kind):
        pool = by_kind[kind]
        rng.shuffle(pool)
        while pool:
            first = pool.pop()
            other = next((x for x in pool if x[0] != first[0]), None)
            if other is not None and rng.random() < 0.3:
                pool.remove(other)
                units.append([first, other])
            else:
                units.append([first])
    rng.shuffle(units)
    sizes = [1 if rng.random() < 0.9 else rng.choice([2, 2, 3]) for _ in units]
    while sum(sizes) > students:
        units.pop()
        sizes.pop()
    while sum(sizes) < students and any(s < 4 for s in sizes):
        i = rng.randrange(len(sizes))
        sizes[i] += sizes[i] < 4
    grades = ["K", "1", "2", "3", "4", "5"]
    the_students: list[Student] = []
    witness: list[Session] = []

    def clear(unit, start: int, end: int, weekdays: frozenset[int] = frozenset()) -> bool:
        return all(
            (weekdays and x[0] % 5 not in weekdays) or x[2] + x[3] <= start or end <= x[2]
            for x in unit
        )

    for unit, size in zip(units, sizes, strict=True):
        school = base.schools[unit[0][1]]
        members = []
        for _ in range(size):
            n = len(the_students) + 1
            order = rng.sample(grades, len(grades))
            grade, protected = order[0], []
            if rng.random() < 0.8:  # a reading block, in a grade whose block is clear
                for g in order:
                    reading = next(b for b in school.bells if b.kind == CORE and g in b.grades)
                    if clear(unit, reading.start, reading.end):
                        grade = g
                        protected.append(Block(reading.start, reading.end, reason="reading block"))
                        break
            if rng.random() < 0.5:
                for _try in range(20):
                    start = school.day_start + rng.randrange(
                        0, school.day_end - school.day_start - 60, 15
                    )
                    on = frozenset(rng.sample(range(5), 2))
                    if clear(unit, start, start + 30, on):
                        protected.append(Block(start, start + 30, on, "speech therapy"))
                        break
            group = size > 1 or rng.random() < 0.5
            mandate = Mandate(
                f"M{n}",
                unit[0][3],
                len(unit),
                group,
                max(size, rng.choice([2, 3, 4])) if group else 1,
            )
            the_students.append(
                Student(
                    f"P{n}",
                    f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    school.id,
                    grade,
                    (mandate,),
                    tuple(protected),
                )
            )
            members.append((f"P{n}", f"M{n}"))
        for day, sid, start, minutes in unit:
            witness.append(
                Session(
                    day,
                    start,
                    start + minutes,
                    sid,
                    tuple(s for s, _ in members),
                    tuple(m for _, m in members),
                )
            )
    instance = replace(base, students=the_students)
    return instance, Schedule(sessions=witness, status="WITNESS", solver="planted")
