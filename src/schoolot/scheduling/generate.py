"""Realistic scheduling instances: an itinerant OT's schools, bells, students and mandates."""

from __future__ import annotations

import random

from schoolot.scheduling.instance import (
    Bell,
    Block,
    Instance,
    Mandate,
    School,
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
