"""The check of the therapist's current week against today's records.

Her week was built (or set by hand) from the records as they were; since then a mandate may
have changed, a student may have left her caseload, a teacher may have added protected
time, a bell schedule or her hours may have moved, or she may have moved a session by hand.
`week_check_get(staff=, on=)` judges her weekly sessions with the independent scorer against
the instance the records give on `on`, then the sessions of her 4-week rotation (monthly,
quarterly and yearly mandates) against the rotation's instance around that week, and returns:

- `problems`: every hard rule the week breaks, in the scorer's words (a session in protected
  time, outside her hours or the school's, too little time to drive, no lunch, ...), then
  what the rotation's sessions break beyond that (named by their week of the rotation);
- `short`: each mandate her week (`per` "week") or her rotation (`per` "rotation") gives
  fewer sessions than it asks (student, minutes, sessions asked, sessions held);
- `strays`: sessions holding a student who is no longer hers to schedule (left her caseload,
  no active weekly OT mandate, now scheduled by a COTA): (the slot, the students' names);
- `locked_problem`: her locked sessions alone break a rule (rebuilding keeps them).

An empty check means her week holds to the records. Constant queries in the week's size.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field, replace

from schoolot.delivery.models import WeeklySlot
from schoolot.directory.models import School, Staff
from schoolot.rules.cycles import CYCLE_WEEKS
from schoolot.scheduling.instance import Schedule, Session, hhmm
from schoolot.scheduling.scorer import DAY_NAMES, score


@dataclass(frozen=True)
class Short:
    student: str
    minutes: int
    asked: int
    held: int
    per: str = "week"  # "week": sessions a week; "rotation": in the 4-week rotation

    def __str__(self) -> str:
        """ "Ana Ruiz: 1 of 2 sessions a week (30 min)"."""
        per = "a week" if self.per == "week" else "in the 4-week rotation"
        sessions = "session" if self.asked == 1 else "sessions"
        return f"{self.student}: {self.held} of {self.asked} {sessions} {per} ({self.minutes} min)"


@dataclass
class WeekCheck:
    problems: list[str] = field(default_factory=list)
    short: list[Short] = field(default_factory=list)
    strays: list[tuple[WeeklySlot, list[str]]] = field(default_factory=list)
    locked_problem: bool = False  # locked sessions alone break a rule; rebuilding keeps them

    def __bool__(self) -> bool:
        return bool(self.problems or self.short or self.strays)


def week_check_get(*, staff: Staff, on: dt.date) -> WeekCheck:
    """Her weekly sessions judged against the records on `on` (see the module contract)."""
    from schoolot.schedules.services import rotation_needed, week_copies, week_instance

    instance, records = week_instance(staff=staff, on=on)
    check = WeekCheck()
    # A session at a school that is neither hers nor any of her students' now (she was
    # moved off it): named here, since the scorer knows the school only by its id.
    elsewhere = [x for x in instance.current if x.school not in instance.schools]
    if elsewhere:
        names = dict(
            School.objects.filter(pk__in={int(x.school) for x in elsewhere}).values_list(
                "pk", "name"
            )
        )
        for x in elsewhere:
            check.problems.append(
                f"{DAY_NAMES[x.day]} {hhmm(x.start)}-{hhmm(x.end)}: at {names.get(int(x.school))}, "
                "no longer one of your schools or your students'."
            )
    sessions = [x for x in instance.current if x.school in instance.schools]
    result = score(instance, Schedule(sessions=sessions))
    check.problems = list(dict.fromkeys(check.problems + result.violations))  # once each
    # Locked sessions alone already break a rule: rebuilding keeps them, so she must act.
    check.locked_problem = bool(score(instance, Schedule(sessions=instance.locked)).violations)
    held = Counter(
        (sid, mid)
        for x in sessions  # one at a school no longer hers does not count
        for sid, mid in zip(x.students, x.mandates, strict=False)
    )
    for student in instance.students:
        for mandate in student.mandates:
            have = held[(student.id, mandate.id)]
            if have < mandate.sessions:
                check.short.append(Short(student.name, mandate.minutes, mandate.sessions, have))
    scheduled = {s.id for s in instance.students}
    # The 4-week rotation (monthly, quarterly and yearly mandates) around this week: what
    # its sessions break beyond what the week itself breaks, and what it is short of.
    if any(s.cycle_week is not None for s in records["slots"]) or rotation_needed(
        staff=staff, on=on
    ):
        cycle, _records = week_instance(staff=staff, on=on, week=sessions)
        weekly_ids = {(st.id, m.id) for st in instance.students for m in st.mandates}
        rotation_mandates = [
            (st, m) for st in cycle.students for m in st.mandates if (st.id, m.id) not in weekly_ids
        ]
        copies = week_copies(week=sessions)
        own = [x for x in cycle.current if x.school in cycle.schools]
        week_only = set(score(cycle, Schedule(sessions=copies)).violations)
        for problem in score(cycle, Schedule(sessions=copies + own)).violations:
            if problem not in week_only and problem not in check.problems:
                check.problems.append(_rotation_named(problem))
        in_cycle = Counter(
            (sid, mid) for x in own for sid, mid in zip(x.students, x.mandates, strict=False)
        )
        for student, mandate in rotation_mandates:
            have = in_cycle[(student.id, mandate.id)]
            if have < mandate.sessions:
                check.short.append(
                    Short(student.name, mandate.minutes, mandate.sessions, have, "rotation")
                )
        scheduled |= {s.id for s in cycle.students}
    for slot in records["slots"]:
        gone = [s.full_name for s in slot.students.all() if str(s.pk) not in scheduled]
        if gone:
            check.strays.append((slot, gone))
    return check


def _rotation_named(problem: str) -> str:
    """A rotation problem on its first week named as such ("Mon" alone reads as every week)."""
    return re.sub(r"^(Mon|Tue|Wed|Thu|Fri)(?! \()", r"\1 (week 1)", problem)


def _swap(items: list[Session], moves: dict) -> list[Session]:
    """Each session at a (day, start, school) key of `moves` replaced by its value."""
    return [moves.get((x.day, x.start, x.school), x) for x in items]


def _new_problems(instance, sessions: list[Session], moves: dict) -> list[str]:
    """What the sessions break once `moves` are made (locked sessions too) that they do not
    break now."""
    before = set(score(instance, Schedule(sessions=sessions)).violations)
    moved = replace(instance, locked=_swap(instance.locked, moves))
    after = score(moved, Schedule(sessions=_swap(sessions, moves)))
    return [p for p in after.violations if p not in before]


def move_problems_get(
    *, staff: Staff, slot: WeeklySlot, weekday: int, start: int, on: dt.date
) -> list[str]:
    """What moving `slot` to `weekday` at `start` (minutes after midnight; the same week of
    the rotation for a rotation slot) would break that her week does not break now, judged
    by the scorer against the records on `on`: her hours, the drives to and from her
    sessions at other schools, lunch and planning time, and every other hard rule; for a
    weekly session also against her 4-week rotation, which holds it every week. Empty when
    the move breaks nothing new, or when the slot holds none of the students she schedules
    now (the week check names those)."""
    from schoolot.schedules.selectors import clock_minutes
    from schoolot.schedules.services import week_copies, week_instance

    instance, records = week_instance(staff=staff, on=on)
    weekly = [x for x in instance.current if x.school in instance.schools]
    school, minutes = str(slot.school_id), slot.minutes
    old_start = clock_minutes(slot.start_time)
    offset = 5 * (slot.cycle_week - 1) if slot.cycle_week is not None else 0
    key = (slot.weekday + offset, old_start, school)
    problems: list[str] = []
    if slot.cycle_week is None:
        old = next((x for x in weekly if (x.day, x.start, x.school) == key), None)
        if old is None:
            return []
        new = replace(old, day=weekday, start=start, end=start + minutes, locked=True)
        problems += _new_problems(instance, weekly, {key: new})
        # Each week of the rotation holds the weekly sessions (as copies, locked).
        moves = {
            (key[0] + 5 * k, old_start, school): replace(new, day=weekday + 5 * k)
            for k in range(CYCLE_WEEKS)
        }
    else:
        moves = None
    if any(s.cycle_week is not None for s in records["slots"]):
        cycle, _records = week_instance(staff=staff, on=on, week=weekly)
        copies = week_copies(week=weekly)
        own = [x for x in cycle.current if x.school in cycle.schools]
        if moves is None:
            old = next((x for x in own if (x.day, x.start, x.school) == key), None)
            if old is None:
                return []
            day = weekday + offset
            moves = {key: replace(old, day=day, start=start, end=start + minutes, locked=True)}
        # What the week's copies break alone is the week's own (already said once above).
        moved_cycle = replace(cycle, locked=_swap(cycle.locked, moves))
        week_only = set(score(moved_cycle, Schedule(sessions=_swap(copies, moves))).violations)
        for problem in _new_problems(cycle, copies + own, moves):
            problem_named = _rotation_named(problem)
            if problem not in week_only and problem_named not in problems:
                problems.append(problem_named)
    return problems
