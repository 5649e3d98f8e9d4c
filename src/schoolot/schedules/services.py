"""The therapist's week from the records, solved, and written back as her weekly slots."""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import time_format

from schoolot.accounts.models import Role, User
from schoolot.core.access import current_assignments, district_role_access, serving_assignments
from schoolot.delivery.models import WeeklySlot
from schoolot.directory.models import (
    SCHOOL_LOCATION_MESSAGE,
    CalendarEvent,
    Grade,
    School,
    SchoolYear,
    Staff,
    Student,
)
from schoolot.directory.selectors import rotation_get
from schoolot.plans.models import Plan, ServiceMandate
from schoolot.rules.calendar import weekdays
from schoolot.rules.cycles import CYCLE_WEEKS, rotations_between, sessions_per_cycle
from schoolot.rules.travel import distance_km, drive_minutes
from schoolot.schedules.models import (
    WEEKDAYS,
    Availability,
    BellPeriod,
    Commitment,
    LunchAndPlanning,
    ProtectedBlock,
    SchedulePriorities,
    ScheduleRun,
    SchoolMileage,
    TravelTime,
    WeekBuild,
    WeekCheckResult,
)
from schoolot.schedules.selectors import (
    clock_minutes,
    lunch_and_planning_get,
    priorities_team_id,
    schedule_priorities_get,
    weekdays_held,
    weekly_sessions_by_student_get,
    weekly_sessions_changed,
)
from schoolot.scheduling import instance as core
from schoolot.scheduling.scorer import score
from schoolot.scheduling.solver import solve

DEFAULT_DAY = (7 * 60 + 30, 16 * 60)
ROTATION_PERIODS = [
    ServiceMandate.Period.MONTH,
    ServiceMandate.Period.QUARTER,
    ServiceMandate.Period.YEAR,
]
CANCEL_POLL_SECONDS = 1.0  # how often a solving build looks whether it was cancelled
TRAVEL_DEFAULT_MINUTES = 15
TRAVEL_MAX_MINUTES = 180
TRAVEL_MINUTES_MESSAGE = f"Enter whole minutes from 1 to {TRAVEL_MAX_MINUTES}, or leave it blank."
GRADES_MESSAGE = "Grades are PK, K and 1 to 12."
WEEKDAYS_MESSAGE = "Days are Monday to Friday."
SCHOOL_SETUP_EDITORS = frozenset({Role.DISTRICT_ADMIN, Role.SUPERVISOR})
SCHOOL_SETUP_READERS = SCHOOL_SETUP_EDITORS | {Role.THERAPIST}


def travel_default_minutes(*, a: School, b: School) -> int:
    """The minutes the scheduler takes between two schools when nobody has entered a time
    either way: estimated from their locations (rules.travel) when both are known, else
    TRAVEL_DEFAULT_MINUTES. No query."""
    if a.location and b.location:
        return drive_minutes(km=distance_km(a=a.location, b=b.location))
    return TRAVEL_DEFAULT_MINUTES


def _t(m: int) -> dt.time:
    return dt.time(m // 60, m % 60)


def _days(text: str) -> frozenset[int]:
    return frozenset(int(d) for d in text.split(",") if d.strip().isdigit())


def _grades(text: str) -> frozenset[str]:
    return frozenset(g.strip() for g in text.split(",") if g.strip())


def week_instance(
    *, staff: Staff, on: dt.date, week: list[core.Session] | None = None
) -> tuple[core.Instance, dict]:
    """The instance for `staff`'s week: the students assigned to her with weekly direct OT,
    her schools' bells, the students' protected time, her availability (default: every day
    7:30-16:00 at any of her schools), her commitments and her lunch and planning time
    (selectors.lunch_and_planning_get), travel times (default 15 minutes), her locked slots
    kept and her current slots as the schedule to stay close to; a locked slot of the 4-week
    rotation is busy time every week. Returns the instance and a map from instance ids back
    to records.

    With `week` (the weekly sessions already chosen), the instance is instead the 4-week
    rotation (20 days) for the monthly, quarterly and yearly mandates: each needs
    `rules.cycles.sessions_per_cycle` sessions (one given less than once a rotation: one,
    recurring every `rules.cycles.rotations_between` rotations, the mandate's `every`);
    `week` repeats, locked, in each of the four weeks (its weekly mandates count exactly
    those); the rotation's own slots are the ones kept (locked) or stayed close to."""
    rotation = week is not None
    # Her students; a student who also has a COTA is the COTA's to see.
    student_ids = serving_assignments(on=on).filter(staff=staff).values("student_id")
    mandates = list(
        ServiceMandate.objects.filter(
            plan__student_id__in=student_ids,
            plan__status=Plan.Status.ACTIVE,
            service=ServiceMandate.Service.OT,
            period__in=[ServiceMandate.Period.WEEK, *ROTATION_PERIODS]
            if rotation
            else [ServiceMandate.Period.WEEK],
            start_date__lte=on,
            end_date__gte=on,
        )
        .exclude(delivery_model=ServiceMandate.DeliveryModel.CONSULTATION)
        .select_related("plan__student__school")
        .order_by("pk")  # the same records give the same instance (week_solve compares them)
    )
    in_week: dict[tuple[str, str], int] = {}
    for x in week or []:
        for sid, mid in zip(x.students, x.mandates, strict=False):
            in_week[(sid, mid)] = in_week.get((sid, mid), 0) + 1

    def sessions_needed(m: ServiceMandate) -> int:
        if not rotation:
            return m.sessions_per_period
        if m.period == ServiceMandate.Period.WEEK:
            # The week's placed sessions, in each week of the rotation (already locked).
            return CYCLE_WEEKS * in_week.get((str(m.plan.student_id), str(m.pk)), 0)
        return sessions_per_cycle(sessions=m.sessions_per_period, period=m.period)

    by_student: dict[int, list[ServiceMandate]] = {}
    for m in mandates:
        if sessions_needed(m):
            by_student.setdefault(m.plan.student_id, []).append(m)
    students = {
        s.pk: s
        for s in Student.objects.filter(pk__in=by_student).select_related("school").order_by("pk")
    }
    schools = {s.pk: s for s in staff.schools.all()}
    schools.update({s.school_id: s.school for s in students.values()})
    bells = {}
    for b in BellPeriod.objects.filter(school_id__in=schools).order_by("pk"):
        bells.setdefault(b.school_id, []).append(
            core.Bell(
                b.kind,
                clock_minutes(b.start),
                clock_minutes(b.end),
                _grades(b.grades),
                _days(b.weekdays),
            )
        )
    protected = {}
    for p in ProtectedBlock.objects.filter(student_id__in=students).order_by("pk"):
        protected.setdefault(p.student_id, []).append(
            core.Block(clock_minutes(p.start), clock_minutes(p.end), _days(p.weekdays), p.reason)
        )
    inst_schools = {
        str(s.pk): core.School(
            str(s.pk),
            s.name,
            clock_minutes(s.day_start),
            clock_minutes(s.day_end),
            tuple(bells.get(s.pk, ())),
        )
        for s in schools.values()
    }
    inst_students = [
        core.Student(
            str(s.pk),
            s.full_name,
            str(s.school_id),
            s.grade,
            tuple(
                core.Mandate(
                    str(m.pk),
                    m.minutes_per_session,
                    sessions_needed(m),
                    m.group_allowed,
                    m.max_group_size,
                    rotations_between(sessions=m.sessions_per_period, period=m.period)
                    if rotation and m.period != ServiceMandate.Period.WEEK
                    else 1,
                )
                for m in by_student[s.pk]
            ),
            tuple(protected.get(s.pk, ())),
        )
        for s in students.values()
    ]
    windows = [
        core.Window(
            a.weekday,
            clock_minutes(a.start),
            clock_minutes(a.end),
            str(a.school_id) if a.school_id else None,
        )
        for a in Availability.objects.filter(staff=staff).order_by("pk")
    ]
    if not windows:
        windows = [core.Window(d, *DEFAULT_DAY) for d in range(5)]
    if rotation:
        windows = [
            core.Window(w.day + 5 * k, w.start, w.end, w.school)
            for k in range(CYCLE_WEEKS)
            for w in windows
        ]
    travel = {
        (str(t.origin_id), str(t.destination_id)): t.minutes
        for t in TravelTime.objects.filter(origin_id__in=schools, destination_id__in=schools)
    }
    for a in inst_schools:
        for b in inst_schools:
            if a < b and (a, b) not in travel and (b, a) not in travel:
                travel[(a, b)] = travel_default_minutes(a=schools[int(a)], b=schools[int(b)])
    slots = list(
        WeeklySlot.objects.filter(therapist=staff).prefetch_related("students").order_by("pk")
    )
    own = [s for s in slots if (s.cycle_week is not None) == rotation]
    served = _slot_mandates(
        own,
        students={x.id: x for x in inst_students},
        # A rotation slot serves a monthly, quarterly or yearly mandate (the weekly ones
        # are the week's copies).
        preferred={str(m.pk) for m in mandates if m.period != ServiceMandate.Period.WEEK}
        if rotation
        else set(),
    )

    def as_session(slot: WeeklySlot, locked: bool) -> core.Session | None:
        pairs = served[slot.pk]
        if not pairs:
            return None
        return core.Session(
            slot.weekday + (5 * (slot.cycle_week - 1) if rotation else 0),
            clock_minutes(slot.start_time),
            clock_minutes(slot.end_time),
            str(slot.school_id),
            tuple(sid for sid, _m in pairs),
            tuple(mid for _s, mid in pairs),
            locked,
        )

    locked = [x for x in (as_session(s, True) for s in own if s.locked) if x]
    current = [x for x in (as_session(s, False) for s in own) if x]
    # Her fixed time (IEP meetings, a team meeting) recurs in every week of a rotation.
    commitments = [
        core.Commitment(
            d + 5 * k,
            clock_minutes(c.start),
            clock_minutes(c.end),
            c.label,
            # Held at a school she no longer serves: the time still counts, not the drive.
            str(c.school_id) if str(c.school_id) in inst_schools else None,
        )
        # One-offs are not weekly.
        for c in Commitment.objects.filter(staff=staff, on__isnull=True).order_by("pk")
        for d in weekdays_held(weekdays=c.weekdays)
        for k in range(CYCLE_WEEKS if rotation else 1)
    ]
    if rotation:
        locked += week_copies(week=week)
    else:
        # A locked rotation slot keeps its time free in every week.
        commitments += [
            core.Commitment(
                s.weekday,
                clock_minutes(s.start_time),
                clock_minutes(s.end_time),
                "rotation session",
            )
            for s in slots
            if s.cycle_week is not None and s.locked
        ]
    breaks = lunch_and_planning_get(staff=staff)
    instance = core.Instance(
        therapist=staff.user.display_name,
        schools=inst_schools,
        students=inst_students,
        availability=windows,
        days=CYCLE_WEEKS * 5 if rotation else 5,
        lunch_start=clock_minutes(breaks.lunch_from),
        lunch_end=clock_minutes(breaks.lunch_until),
        lunch_minutes=breaks.lunch_minutes,
        planning_minutes=breaks.planning_minutes,
        commitments=commitments,
        locked=locked,
        current=current,
        travel=travel,
        weights=schedule_priorities_get(
            district_id=staff.district_id, team_id=staff.supervisor_id
        ).weights(),
    )
    return instance, {"slots": slots}


def _slot_mandates(
    slots: list[WeeklySlot], *, students: dict[str, core.Student], preferred: set[str]
) -> dict[int, list[tuple[str, str]]]:
    """Which mandate each slot serves for each of its students in the instance (slots do not
    record it): one of the student's mandates of the slot's length, those in `preferred`
    first, then one with sessions left to fill (locked slots first, then by id), so two
    mandates of one length each get their own slots and a locked slot is never counted
    against the wrong one; failing a length that matches, her first mandate."""
    used: dict[tuple[str, str], int] = defaultdict(int)
    result: dict[int, list[tuple[str, str]]] = {}
    for slot in sorted(slots, key=lambda s: (not s.locked, s.pk)):
        minutes = clock_minutes(slot.end_time) - clock_minutes(slot.start_time)
        pairs = []
        for member in slot.students.all():
            student = students.get(str(member.pk))
            if student is None:
                continue
            fitting = [m for m in student.mandates if m.minutes == minutes]
            if not fitting:
                pairs.append((student.id, student.mandates[0].id))
                continue
            mandate = min(
                fitting,
                key=lambda m: (
                    m.id not in preferred,
                    used[(student.id, m.id)] >= m.sessions,
                    used[(student.id, m.id)],
                ),
            )
            used[(student.id, mandate.id)] += 1
            pairs.append((student.id, mandate.id))
        result[slot.pk] = pairs
    return result


def week_copies(*, week: list[core.Session]) -> list[core.Session]:
    """The week's sessions as the 4-week rotation holds them: in each of its weeks, locked."""
    return [replace(x, day=x.day + 5 * k, locked=True) for x in week for k in range(CYCLE_WEEKS)]


ROTATION_SHARE = 0.4  # of the time limit, for the 4-week rotation when one is needed


def rotation_needed(*, staff: Staff, on: dt.date) -> bool:
    """Whether a student assigned to her on `on` has an active monthly, quarterly or yearly
    OT mandate: her week then has a 4-week rotation around it."""
    return ServiceMandate.objects.filter(
        plan__student_id__in=current_assignments(on=on).filter(staff=staff).values("student_id"),
        plan__status=Plan.Status.ACTIVE,
        service=ServiceMandate.Service.OT,
        period__in=ROTATION_PERIODS,
        start_date__lte=on,
        end_date__gte=on,
    ).exists()


WEEK_SESSIONS_CHANGED = (
    "Not written: the week's sessions changed while it was being built (a session added, "
    "moved, locked or removed, or another build written first). The week stays as it was; "
    "build again to build from it."
)
WEEK_RECORDS_CHANGED = (
    "Not written: the records the week is built from changed while it was being built "
    "(students, mandates, protected time, bells, hours, fixed time, lunch, travel or "
    "priorities). The week stays as it was; build again to build from them."
)


def _slots_state(slots: list[WeeklySlot]) -> list[tuple]:
    """Her weekly slots as stored (students prefetched), to tell whether any changed."""
    return sorted(
        (
            slot.pk,
            slot.weekday,
            slot.cycle_week,
            slot.every_rotations,
            slot.rotation_offset,
            slot.start_time,
            slot.end_time,
            slot.school_id,
            slot.locked,
            tuple(sorted(s.pk for s in slot.students.all())),
        )
        for slot in slots
    )


def _week_change(*, staff: Staff, on: dt.date, instance: core.Instance, slots: list) -> str:
    """Why a week built from `instance` and `slots` must not be written now (her slots, or the
    records behind the instance, are no longer what they were); "" when both still hold."""
    now, refs = week_instance(staff=staff, on=on)
    if _slots_state(refs["slots"]) != _slots_state(slots):
        return WEEK_SESSIONS_CHANGED
    if now != instance:
        return WEEK_RECORDS_CHANGED
    return ""


@contextmanager
def _cancel_watch(cancelled: Callable[[], bool]) -> Iterator[threading.Event]:
    """An event set once `cancelled()` is true, asked every CANCEL_POLL_SECONDS on a thread
    of its own while the block runs, for the solver's `stop`: a cancelled build frees its
    worker within about a second, not at its time limit. The thread's database connection
    (Django opens one per thread) is closed when it ends."""
    stop, finished = threading.Event(), threading.Event()

    def poll() -> None:
        try:
            while not finished.wait(CANCEL_POLL_SECONDS):
                if cancelled():
                    stop.set()
                    return
        finally:
            connection.close()

    watcher = threading.Thread(target=poll, name="week-build-cancel", daemon=True)
    watcher.start()
    try:
        yield stop
    finally:
        finished.set()
        watcher.join()


def week_solve(
    *,
    user: User,
    on: dt.date,
    time_limit: float = 10.0,
    cancelled=lambda: False,
    on_written=None,
) -> ScheduleRun | None:
    """Re-solve the therapist's week: locked slots stay, the others are replaced by the
    solver's; what cannot be placed is recorded with its reasons. Monthly, quarterly and
    yearly mandates are then placed in the 4-week rotation around that week (slots of one week
    of four). Nothing is written unless the scorer finds every placed session within the rules.

    The solve takes up to `time_limit` s, and her week may change meanwhile. The new week is
    written only if, under the lock every writer of her slots takes
    (delivery.services.week_writes_serialize), her slots and the records it was built from
    are still as they were; else the run says why it was not written (SUPERSEDED) and her
    week stays as she left it. `cancelled()` is asked about every second during the solve,
    which stops once it is true; when it is true by the time of writing, nothing is written
    and None is returned. `on_written(run, students)`, when given, is called in the same
    transaction after a new week is written, with the students whose weekly sessions it
    changed (added, moved or left out)."""
    if user.role != Role.THERAPIST:
        raise PermissionDenied("A therapist builds her own week.")
    from schoolot.delivery.services import week_writes_serialize

    staff = Staff.objects.select_related("user").get(user=user)
    needs_rotation = rotation_needed(staff=staff, on=on)
    week_seconds = time_limit * (1 - ROTATION_SHARE) if needs_rotation else time_limit
    instance, refs = week_instance(staff=staff, on=on)
    with _cancel_watch(cancelled) as stop:
        schedule = solve(instance, time_limit=week_seconds, workers=2, stop=stop)
        result = score(instance, schedule)
        names = {s.id: s.name for s in instance.students}
        runs = [(instance, schedule, result)]
        if needs_rotation and result.feasible and not cancelled():
            cycle, _refs = week_instance(staff=staff, on=on, week=schedule.sessions)
            cycle_schedule = solve(
                cycle, time_limit=time_limit * ROTATION_SHARE, workers=2, stop=stop
            )
            names.update({s.id: s.name for s in cycle.students})
            runs.append((cycle, cycle_schedule, score(cycle, cycle_schedule)))
    feasible = all(r.feasible for _i, _s, r in runs)
    rotation_now = rotation_get(district_id=staff.district_id, day=on)[0] if len(runs) > 1 else 0
    with transaction.atomic():
        week_writes_serialize(staff=staff)
        if cancelled():
            return None
        changed = _week_change(staff=staff, on=on, instance=instance, slots=refs["slots"])
        if changed:
            run = ScheduleRun.objects.create(
                district_id=staff.district_id,
                staff=staff,
                status=ScheduleRun.SUPERSEDED,
                note=changed,
                required_minutes=result.required_minutes,
                seconds=sum(placed.seconds for _i, placed, _r in runs),
            )
        else:
            before = weekly_sessions_by_student_get(staff=staff) if feasible else {}
            replaced = _slots_snapshot(staff=staff) if feasible else []
            if feasible:
                _week_write(staff=staff, runs=runs, rotation_now=rotation_now)
            run = _week_run_save(staff=staff, runs=runs, names=names)
            if feasible:
                after = weekly_sessions_by_student_get(staff=staff)
                students = weekly_sessions_changed(before=before, after=after)
                run.replaced = replaced
                run.changes = _sessions_changes(before=before, after=after, students=students)
                run.written_state = week_state_get(slots=_slots_of(staff=staff))
                run.save(update_fields=["replaced", "changes", "written_state"])
                if on_written is not None:
                    on_written(run, students)
    week_check_save(staff=staff, on=on)  # her supervisor sees the new week hold (or not)
    return run


def _slots_of(*, staff: Staff) -> list[WeeklySlot]:
    return list(WeeklySlot.objects.filter(therapist=staff).prefetch_related("students"))


def week_state_get(*, slots: list[WeeklySlot]) -> str:
    """A fingerprint of her weekly slots as stored (`slots`: all of hers, students
    prefetched): any session added, moved, locked, removed or rebuilt changes it."""
    import hashlib

    return hashlib.sha256(repr(_slots_state(slots)).encode()).hexdigest()


def _slots_snapshot(*, staff: Staff) -> list[dict]:
    """Her unlocked slots as plain data, for a build to put back (week_put_back)."""
    return [
        {
            "weekday": slot.weekday,
            "cycle_week": slot.cycle_week,
            "every_rotations": slot.every_rotations,
            "rotation_offset": slot.rotation_offset,
            "start": slot.start_time.isoformat(timespec="minutes"),
            "end": slot.end_time.isoformat(timespec="minutes"),
            "school": slot.school_id,
            "students": sorted(s.pk for s in slot.students.all()),
        }
        for slot in WeeklySlot.objects.filter(therapist=staff, locked=False)
        .prefetch_related("students")
        .order_by("weekday", "start_time", "pk")
    ]


def _sessions_words(sessions) -> list[str]:
    """Weekly sessions, each (weekday, rotation week or None, start, end), in words: "Tue
    9:00-9:30 AM", then "(weeks 1 and 3)" for one held in some weeks of the rotation only
    (one held at that time in all four is as weekly as a weekly one)."""
    weeks: dict[tuple, set] = defaultdict(set)
    for weekday, cycle, start, end in sessions:
        weeks[(weekday, start, end)].add(cycle)
    words = []
    for (weekday, start, end), held in sorted(weeks.items()):
        day = ("Mon", "Tue", "Wed", "Thu", "Fri")[weekday]
        text = f"{day} {time_format(start, 'g:i')}–{time_format(end, 'g:i A')}"
        some = sorted(held - {None})
        if None not in held and len(some) < CYCLE_WEEKS:
            named = [str(w) for w in some]
            listed = f"{', '.join(named[:-1])} and {named[-1]}" if len(named) > 1 else named[0]
            text += f" (week{'s' if len(named) > 1 else ''} {listed} of the rotation)"
        words.append(text)
    return words


def _sessions_changes(*, before: dict, after: dict, students: list) -> list[dict]:
    """Each changed student's weekly sessions before and after (weekly_sessions_by_student_
    get readings), in words (_sessions_words), by name."""
    words = _sessions_words

    return [
        {
            "student": student.pk,
            "before": words(before.get(student, ())),
            "after": words(after.get(student, ())),
        }
        for student in sorted(students, key=lambda s: (s.last_name, s.first_name, s.pk))
    ]


WEEK_PUT_BACK_REFUSED = (
    "Your week has changed since that build (a session moved, locked, added or removed, or "
    "another build written), so the week before it cannot be put back whole."
)


def week_put_back(*, user: User, run_id: int, on: dt.date) -> tuple[ScheduleRun, list]:
    """Put back the week a build of hers (`run_id`) replaced: its unlocked sessions as they
    were before it; her locked ones, which the build kept, stay. Only while her week is
    exactly as that build wrote it (`written_state`), once; else a ValidationError says why
    and nothing changes. A student or school removed from the records since is left out.
    Her students' teachers hear of their times again, and her week is checked as a build's
    is. Returns the run and the students whose weekly sessions changed. Http404 when the
    run is not hers."""
    from django.http import Http404

    from schoolot.delivery.services import therapist_staff_get, week_writes_serialize

    staff = therapist_staff_get(user=user)
    with transaction.atomic():
        week_writes_serialize(staff=staff)
        run = ScheduleRun.objects.filter(pk=run_id, staff=staff).first()
        if run is None:
            raise Http404("No such build.")
        if run.put_back_at is not None:
            raise ValidationError("The week before that build is already back.")
        if not run.written_state or run.written_state != week_state_get(
            slots=_slots_of(staff=staff)
        ):
            raise ValidationError(WEEK_PUT_BACK_REFUSED)
        before = weekly_sessions_by_student_get(staff=staff)
        ids = {i for item in run.replaced for i in item["students"]}
        students = set(
            Student.objects.filter(district_id=staff.district_id, pk__in=ids).values_list(
                "pk", flat=True
            )
        )
        schools = set(
            School.objects.filter(
                district_id=staff.district_id, pk__in={item["school"] for item in run.replaced}
            ).values_list("pk", flat=True)
        )
        WeeklySlot.objects.filter(therapist=staff, locked=False).delete()
        for item in run.replaced:
            kept = [i for i in item["students"] if i in students]
            if not kept or item["school"] not in schools:
                continue
            slot = WeeklySlot.objects.create(
                district_id=staff.district_id,
                therapist=staff,
                weekday=item["weekday"],
                cycle_week=item["cycle_week"],
                every_rotations=item["every_rotations"],
                rotation_offset=item["rotation_offset"],
                start_time=dt.time.fromisoformat(item["start"]),
                end_time=dt.time.fromisoformat(item["end"]),
                school_id=item["school"],
            )
            slot.students.set(kept)
        changed = weekly_sessions_changed(
            before=before, after=weekly_sessions_by_student_get(staff=staff)
        )
        run.put_back_at = timezone.now()
        run.save(update_fields=["put_back_at"])
        teachers_ot_times_notify(students=changed, on=on, by=user)
    week_check_save(staff=staff, on=on)
    return run, changed


def _week_write(*, staff: Staff, runs: list, rotation_now: int) -> None:
    """Her unlocked slots replaced by the solved week's sessions (and the rotation's)."""
    WeeklySlot.objects.filter(therapist=staff, locked=False).delete()
    for i, (inst, placed, _r) in enumerate(runs):
        every_of = {(s.id, m.id): m.every for s in inst.students for m in s.mandates}
        for x in placed.sessions:
            if x.locked:
                continue
            # A group shares one recurrence (units() groups equal `every` only);
            # the most frequent keeps every member's pace.
            every = min(
                (every_of.get(k, 1) for k in zip(x.students, x.mandates, strict=False)),
                default=1,
            )
            slot = WeeklySlot.objects.create(
                district_id=staff.district_id,
                therapist=staff,
                weekday=x.day % 5,
                cycle_week=x.day // 5 + 1 if i else None,
                # Skipping slots start in the current rotation.
                every_rotations=every,
                rotation_offset=rotation_now % every,
                start_time=_t(x.start),
                end_time=_t(x.end),
                school_id=int(x.school),
            )
            slot.students.set([int(s) for s in x.students])


WEEK_COST_KEYS = ("travel_minutes", "trips", "core_missed", "bunching", "changes")


def _week_run_save(*, staff: Staff, runs: list, names: dict[str, str]) -> ScheduleRun:
    """The run's record: minutes placed of those required, and what could not be, with why."""
    result = runs[0][2]
    # The rotation holds the week four times over: count the week's minutes once.
    required, placed_minutes = result.required_minutes, result.placed_minutes
    if len(runs) > 1:
        rotation_result = runs[1][2]
        required += rotation_result.required_minutes - CYCLE_WEEKS * result.placed_minutes
        placed_minutes += rotation_result.placed_minutes - CYCLE_WEEKS * result.placed_minutes
    return ScheduleRun.objects.create(
        district_id=staff.district_id,
        staff=staff,
        status=_weakest([placed.status for _i, placed, _r in runs]),
        required_minutes=required,
        placed_minutes=placed_minutes,
        week_cost={key: getattr(result, key) for key in WEEK_COST_KEYS},
        seconds=sum(placed.seconds for _i, placed, _r in runs),
        unplaced=[
            {
                "student": names.get(u.student, u.student),
                "minutes": u.minutes,
                "reasons": (["In the 4-week rotation: "] if i else []) + u.reasons,
            }
            for i, (_inst, placed, _r) in enumerate(runs)
            for u in placed.unplaced
        ]
        + [
            {"student": "", "minutes": 0, "reasons": [v]}
            for _i, _s, r in runs
            for v in r.violations
        ],
    )


def week_check_save(*, staff: Staff, on: dt.date) -> WeekCheckResult:
    """Check her week against the records on `on` (schedules.week_check) and keep the
    result for her supervisor's Schedules page: one row per therapist, replaced each time."""
    from schoolot.schedules.week_check import week_check_get

    check = week_check_get(staff=staff, on=on)
    result, _created = WeekCheckResult.objects.update_or_create(
        staff=staff,
        defaults={
            "district_id": staff.district_id,
            "checked_on": on,
            "problems": check.problems,
            "short": [str(s) for s in check.short],
            "strays": [f"{slot}: {', '.join(names)}" for slot, names in check.strays],
        },
    )
    return result


def week_solve_audited(
    *,
    staff: Staff,
    actor: User,
    on: dt.date,
    time_limit: float,
    what: str,
    context: dict | None = None,
    cancelled=lambda: False,
    teachers_told=None,
) -> ScheduleRun | None:
    """week_solve for `staff`, with one audit event (by `actor`, asking from `context`,
    saying `what`) for each student whose weekly sessions the new week changed (added, moved
    or left out), written with the week; those students' teachers are told their new times
    (teachers_ot_times_notify), or `teachers_told(students)` is called instead (a district
    re-solve tells them once for all its weeks). When the actor is not she (a district
    re-solve) and the new week changed anyone's sessions, she is told (in the app and by
    email): her week changed without her asking."""
    from schoolot.audit.models import AuditAction
    from schoolot.audit.services import audit_events_record
    from schoolot.referrals.services import notify

    def written(run: ScheduleRun, students: list) -> None:
        audit_events_record(
            actor=actor, context=context, students=students, action=AuditAction.UPDATE, what=what
        )
        if teachers_told is not None:
            teachers_told(students)
        else:
            teachers_ot_times_notify(students=students, on=on, by=actor)
        if students and actor.pk != staff.user_id:
            n = len(students)
            how = "in a re-solve of the team's weeks" if teachers_told else "for you"
            notify(
                users=[staff.user],
                student=None,
                text=(
                    f"{actor.display_name} rebuilt your week {how}: the sessions of {n} "
                    f"student{'s' if n != 1 else ''} changed; "
                    f"{run.placed_minutes} of {run.required_minutes} mandated minutes placed. "
                    "Lock a session on My week to keep it where it is."
                ),
                link=reverse("slot_list"),
            )

    return week_solve(
        user=staff.user, on=on, time_limit=time_limit, cancelled=cancelled, on_written=written
    )


def week_build_start(
    *, user: User, seconds: float, context: dict | None = None, staff_id: int | None = None
) -> tuple[WeekBuild, bool]:
    """Queue the therapist's Build my week (schedules.tasks.week_build) unless one of hers is
    in progress already (one at a time; ProgressRun.in_progress: one that has not moved for
    its STALE, a worker lost, no longer counts). With `staff_id`, a team member's week,
    built for her by whoever may read it (selectors.team_member_get: her supervisor, an
    administrator, a COTA's OTR; Http404 for anyone else): she is told when it changes her
    sessions, and the audit trail names who asked. `context` (audit_request_context) goes on
    the audit events the build writes. Returns the build and whether it is new. With the
    immediate task backend (the demo, the tests) the build has run when this returns."""
    from schoolot.delivery.services import therapist_staff_get
    from schoolot.schedules.selectors import team_member_get
    from schoolot.schedules.tasks import week_build

    if staff_id is not None:
        staff = team_member_get(user=user, staff_id=staff_id)
    else:
        staff = therapist_staff_get(user=user)
    latest = WeekBuild.in_progress_get(staff=staff)
    if latest is not None:
        return latest, False
    build = WeekBuild.objects.create(
        district_id=staff.district_id,
        staff=staff,
        total=1,
        seconds=seconds,
        request_context=context or {},
        started_by=user if user.pk != staff.user_id else None,
    )
    week_build.enqueue(build_id=build.pk)
    build.refresh_from_db()
    return build, True


def week_build_cancel(*, user: User, build_id: int) -> bool:
    """Cancel the build `build_id` if it is still queued or running: a build of her own week,
    or one she started for a team member (week_build_start(staff_id=)). The week it is
    solving is then not written (week_solve), that week stays as it is. Whether it was
    cancelled; False for a build done already, or neither hers nor started by her.
    PermissionDenied for a role that builds no week (a teacher, a parent)."""
    if user.role not in (Role.THERAPIST, Role.SUPERVISOR, Role.DISTRICT_ADMIN):
        raise PermissionDenied("Only therapists, supervisors and administrators build weeks.")
    return bool(
        WeekBuild.objects.filter(
            Q(staff__user=user) | Q(started_by=user),
            pk=build_id,
            district_id=user.district_id,
            status__in=[WeekBuild.Status.QUEUED, WeekBuild.Status.RUNNING],
        ).update(status=WeekBuild.Status.CANCELLED, finished_at=timezone.now())
    )


def _weakest(statuses: list[str]) -> str:
    order = ["OPTIMAL", "FEASIBLE"]
    return max(statuses, key=lambda s: order.index(s) if s in order else len(order))


def team_therapists(*, user: User):
    """Whose weeks `user` may re-solve: a supervisor her team, an administrator everyone."""
    therapists = Staff.objects.filter(
        district_id=user.district_id, user__role=Role.THERAPIST, user__is_active=True
    ).order_by("pk")
    if user.role == Role.DISTRICT_ADMIN:
        return therapists
    if user.role == Role.SUPERVISOR:
        return therapists.filter(supervisor__user=user)
    raise PermissionDenied("Re-solving many weeks is for supervisors and administrators.")


def district_run_start(
    *, user: User, kind: str, seconds_each: float = 5.0, context: dict | None = None
):
    """Queue the re-solving (`kind` "solve") or the check against today's records ("check")
    of every week `user` oversees; progress is on the run. `context`
    (audit_request_context) goes on the audit events a re-solve writes. One run of hers at a
    time: while her last run is in progress (ProgressRun.in_progress; one stalled no longer
    counts), that run is returned and nothing new is queued. Returns the run and whether it
    is new."""
    from schoolot.schedules.models import DistrictSolve
    from schoolot.schedules.tasks import district_check, district_solve

    task = {DistrictSolve.Kind.SOLVE: district_solve, DistrictSolve.Kind.CHECK: district_check}[
        kind
    ]
    total = team_therapists(user=user).count()
    latest = DistrictSolve.in_progress_get(started_by=user)
    if latest is not None:
        return latest, False
    run = DistrictSolve.objects.create(
        district_id=user.district_id,
        started_by=user,
        kind=kind,
        total=total,
        seconds_each=seconds_each,
        request_context=context or {},
    )
    task.enqueue(run_id=run.pk)
    run.refresh_from_db()
    return run, True


def protected_block_add(
    *, user: User, student_id: int, reason: str, weekdays: list[int], start: dt.time, end: dt.time
):
    """A teacher or the student's therapist marks time OT must not take (the reading block).
    Refuses a student the user does not see, a time outside the school day, end before
    start."""
    from schoolot.core.access import students_visible_to

    if user.role not in {Role.TEACHER, Role.THERAPIST, Role.SUPERVISOR, Role.DISTRICT_ADMIN}:
        raise PermissionDenied("Teachers and the OT team set protected time.")
    student = students_visible_to(user=user).filter(pk=student_id).select_related("school").first()
    if student is None:
        raise PermissionDenied("Not a student you work with.")
    errors: dict[str, list[str]] = {}
    if end <= start:
        errors.setdefault("end", []).append("The protected time must end after it starts.")
    if start < student.school.day_start or end > student.school.day_end:
        errors.setdefault("start", []).append(
            f"{student.school.name} is in session {student.school.day_start:%-I:%M} to "
            f"{student.school.day_end:%-I:%M}."
        )
    if not reason.strip():
        errors.setdefault("reason", []).append("Say what the time is for.")
    if any(d not in range(5) for d in weekdays):
        errors.setdefault("weekdays", []).append("Days are Monday to Friday.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        block = ProtectedBlock.objects.create(
            district_id=student.district_id,
            student=student,
            reason=reason.strip()[:80],
            weekdays=",".join(str(d) for d in sorted(set(weekdays))),
            start=start,
            end=end,
        )
        _protected_block_notify(user=user, block=block)
    return block


def protected_block_slots_get(*, block: ProtectedBlock) -> list[WeeklySlot]:
    """The weekly sessions (any therapist's) that take the block's student in its time: the
    next week their therapist builds moves them."""
    return list(
        WeeklySlot.objects.filter(
            students=block.student_id,
            weekday__in=weekdays_held(weekdays=block.weekdays),
            start_time__lt=block.end,
            end_time__gt=block.start,
        )
        .select_related("school", "therapist__user")
        .order_by("weekday", "start_time")
    )


def _protected_block_notify(*, user: User, block: ProtectedBlock) -> None:
    """Tell each therapist (but the one adding it) whose week has a session in new protected
    time: her week is now wrong until she builds it again."""
    from schoolot.referrals.services import notify

    by_therapist: dict[int, list[WeeklySlot]] = defaultdict(list)
    for slot in protected_block_slots_get(block=block):
        if slot.therapist.user_id != user.pk:
            by_therapist[slot.therapist_id].append(slot)
    days = _days_text(weekdays_held(weekdays=block.weekdays))
    for slots in by_therapist.values():
        sessions = ", ".join(
            f"{dict(WEEKDAYS)[s.weekday]} {_clock(s.start_time)} at {s.school.name}" for s in slots
        )
        notify(
            users=[slots[0].therapist.user],
            student=block.student,
            text=(
                f"{block.student.full_name}'s new protected time, {block.reason} ({days} "
                f"{_clock(block.start)}–{_clock(block.end)}), covers your "
                f"session{'s' if len(slots) > 1 else ''} "
                f"{sessions}; Build my week moves {'them' if len(slots) > 1 else 'it'}."
            ),
            link=reverse("slot_list"),
        )


def protected_block_delete(*, user: User, student_id: int, block_id: int) -> ProtectedBlock | None:
    """Remove a student's protected time (a reading block that moved, one added by
    mistake): those who may add it may remove it. Returns the removed block (unsaved), or
    None when that student has no such block the user may change."""
    from schoolot.core.access import students_visible_to

    if user.role not in {Role.TEACHER, Role.THERAPIST, Role.SUPERVISOR, Role.DISTRICT_ADMIN}:
        raise PermissionDenied("Teachers and the OT team set protected time.")
    block = (
        ProtectedBlock.objects.filter(
            pk=block_id,
            student_id=student_id,
            student__in=students_visible_to(user=user).values("pk"),
        )
        .select_related("student")
        .first()
    )
    if block is None:
        return None
    block.delete()
    return block


def availability_add(
    *, user: User, weekday: int, start: dt.time, end: dt.time, school_id: int | None = None
) -> Availability:
    """A therapist records hours she can see students: a weekday (0 Mon to 4 Fri), a start
    and an end, at one of her schools or (None) any of them. Only her own (PermissionDenied
    for anyone but a therapist). Refuses, with a ValidationError keyed by field and writing
    nothing: a day other than Monday to Friday; an end not after the start; a school not
    hers; hours overlapping hours she has that day (one message per overlap, naming them:
    she changes those first; ending as the other starts is not overlapping). Her staff row
    is locked while checking and adding, so two requests at once cannot overlap either."""
    from schoolot.delivery.services import therapist_staff_get

    staff = therapist_staff_get(user=user)
    with transaction.atomic():
        Staff.objects.select_for_update().filter(pk=staff.pk).first()
        errors: dict[str, list[str]] = {}
        if isinstance(weekday, bool) or weekday not in range(5):
            errors.setdefault("weekday", []).append(WEEKDAYS_MESSAGE)
        if end <= start:
            errors.setdefault("end", []).append("The hours must end after they start.")
        school = None
        if school_id is not None:
            school = staff.schools.filter(pk=school_id).first()
            if school is None:
                errors.setdefault("school", []).append("Choose one of your schools.")
        if not errors:
            for other in Availability.objects.filter(
                staff=staff, weekday=weekday, start__lt=end, end__gt=start
            ).select_related("school"):
                where = other.school.name if other.school else "any of your schools"
                errors.setdefault("start", []).append(
                    f"These overlap your hours on {dict(WEEKDAYS)[weekday]} "
                    f"{_clock(other.start)}–{_clock(other.end)} ({where}); change or remove "
                    "those first."
                )
        if errors:
            raise ValidationError(errors)
        return Availability.objects.create(
            district_id=staff.district_id,
            staff=staff,
            weekday=weekday,
            start=start,
            end=end,
            school=school,
        )


def availability_delete(*, user: User, availability_id: int) -> bool:
    """Remove hours the therapist recorded; only her own. Returns whether there were such
    hours (False: nothing to remove, including another therapist's)."""
    from schoolot.delivery.services import therapist_staff_get

    staff = therapist_staff_get(user=user)
    deleted, _ = Availability.objects.filter(staff=staff, pk=availability_id).delete()
    return bool(deleted)


# -- The therapist's fixed time: commitments, lunch and planning --------------------------

LUNCH_MAX_MINUTES = 90
PLANNING_MAX_MINUTES = 240


def _days_text(days: list[int]) -> str:
    names = dict(WEEKDAYS)
    return "every day" if len(days) == 5 else ", ".join(names[d] for d in days)


def commitment_add(
    *,
    user: User,
    label: str,
    weekdays: list[int],
    start: dt.time,
    end: dt.time,
    school_id: int | None = None,
    on: dt.date | None = None,
) -> Commitment:
    """A therapist records fixed time the scheduler keeps free (IEP meetings, a team
    meeting), recurring on `weekdays` (0 Mon to 4 Fri; empty: every day), or a one-off `on` a
    date (an annual review: the weekly schedule stays as it is, and that day's Today marks
    the sessions it displaces); held at one of her schools (the day's route then takes her
    there) or at none. Only her own (PermissionDenied for anyone but a therapist).

    Refuses, with a ValidationError keyed by field and writing nothing: no label or one over
    80 characters; a day other than Monday to Friday; an end not after the start; a school
    not hers; a date with days as well, a date past, on a weekend or when the district's
    calendar has no school (at her school, when she names one); an overlap with her other
    fixed time on a day both hold (a recurring one and a one-off to come on its weekday, two
    one-offs on one date; ending as the other starts is not overlapping); recurring time
    over a locked session of her week (she changes that first). Unlocked sessions in that
    time stay until she builds her week again, and a one-off may fall on any session
    (commitment_slots_get lists them). Her staff row is locked while checking and adding."""
    from schoolot.delivery.services import therapist_staff_get
    from schoolot.directory.selectors import closures_get

    staff = therapist_staff_get(user=user)
    label = label.strip()
    with transaction.atomic():
        Staff.objects.select_for_update().filter(pk=staff.pk).first()
        errors: dict[str, list[str]] = {}
        if not label:
            errors.setdefault("label", []).append("Say what the time is for, e.g. IEP meetings.")
        elif len(label) > 80:
            errors.setdefault("label", []).append("Keep it to 80 characters.")
        if any(isinstance(d, bool) or d not in range(5) for d in weekdays):
            errors.setdefault("weekdays", []).append(WEEKDAYS_MESSAGE)
        if end <= start:
            errors.setdefault("end", []).append("The time must end after it starts.")
        school = None
        if school_id is not None:
            school = staff.schools.filter(pk=school_id).first()
            if school is None:
                errors.setdefault("school", []).append("Choose one of your schools.")
        today = timezone.localdate()
        if on is not None:
            if weekdays:
                errors.setdefault("on", []).append(
                    "A one-off is held on its date only: clear the days, or clear the date to "
                    "repeat it every week."
                )
            elif on < today:
                errors.setdefault("on", []).append(
                    f"{date_text(on)} has passed; choose today or a day to come."
                )
            elif on.weekday() > 4:
                errors.setdefault("on", []).append(
                    f"{date_text(on)} is a weekend; choose a school day."
                )
            else:
                closures = closures_get(district_id=staff.district_id, day=on)
                if closures.district:
                    errors.setdefault("on", []).append(
                        f"There is no school on {date_text(on)} ({closures.district}); choose "
                        "a school day."
                    )
                elif school and school.pk in closures.schools:
                    errors.setdefault("on", []).append(
                        f"There is no school at {school.name} on {date_text(on)} "
                        f"({closures.schools[school.pk]}); choose another day or place."
                    )
        days = [on.weekday()] if on is not None else sorted(set(weekdays)) or list(range(5))
        if not errors:
            overlapping = Commitment.objects.filter(staff=staff, start__lt=end, end__gt=start)
            if on is not None:
                overlapping = overlapping.filter(Q(on__isnull=True) | Q(on=on))
            else:
                overlapping = overlapping.filter(Q(on__isnull=True) | Q(on__gte=today))
            for other in overlapping.order_by("on", "start"):
                if other.on is not None:
                    if other.on.weekday() in days:
                        errors.setdefault("start", []).append(
                            f"This overlaps {other.label} ({date_text(other.on, short=True)} "
                            f"{_clock(other.start)}–{_clock(other.end)}); change or remove "
                            "that first."
                        )
                    continue
                shared = [d for d in weekdays_held(weekdays=other.weekdays) if d in days]
                if shared:
                    errors.setdefault("start", []).append(
                        f"This overlaps {other.label} ({_days_text(shared)} "
                        f"{_clock(other.start)}–{_clock(other.end)}); change or remove that "
                        "first."
                    )
            # A one-off may fall on a locked session: that day's Today marks it.
            locked = (
                []
                if on is not None
                else (
                    WeeklySlot.objects.filter(
                        therapist=staff,
                        locked=True,
                        weekday__in=days,
                        start_time__lt=end,
                        end_time__gt=start,
                    )
                    .select_related("school")
                    .order_by("weekday", "start_time")
                )
            )
            for slot in locked:
                errors.setdefault("start", []).append(
                    f"Your locked session {slot} at {slot.school.name} is then; unlock or move it "
                    "first."
                )
        if errors:
            raise ValidationError(errors)
        return Commitment.objects.create(
            district_id=staff.district_id,
            staff=staff,
            label=label,
            weekdays=",".join(str(d) for d in sorted(set(weekdays))),
            start=start,
            end=end,
            school=school,
            on=on,
        )


def commitment_slots_get(*, commitment: Commitment) -> list[WeeklySlot]:
    """The sessions of her week that fall in a commitment's time (Build my week moves the
    unlocked ones); for a one-off, those held on its date (rotation weeks counted)."""
    days = (
        [commitment.on.weekday()]
        if commitment.on is not None
        else weekdays_held(weekdays=commitment.weekdays)
    )
    slots = list(
        WeeklySlot.objects.filter(
            therapist_id=commitment.staff_id,
            weekday__in=days,
            start_time__lt=commitment.end,
            end_time__gt=commitment.start,
        )
        .select_related("school")
        .order_by("weekday", "start_time")
    )
    if commitment.on is None:
        return slots
    rotation, week = rotation_get(district_id=commitment.district_id, day=commitment.on)
    return [s for s in slots if s.comes_in(rotation=rotation, week=week)]


def commitment_delete(*, user: User, commitment_id: int) -> bool:
    """Remove one of her commitments; only her own. Returns whether there was one."""
    from schoolot.delivery.services import therapist_staff_get

    staff = therapist_staff_get(user=user)
    deleted, _ = Commitment.objects.filter(staff=staff, pk=commitment_id).delete()
    return bool(deleted)


def lunch_and_planning_set(
    *,
    user: User,
    lunch_from: dt.time,
    lunch_until: dt.time,
    lunch_minutes: int,
    planning_minutes: int,
) -> LunchAndPlanning:
    """A therapist sets her lunch (`lunch_minutes` somewhere between `lunch_from` and
    `lunch_until`, 0 for none) and her planning time (a free stretch of `planning_minutes`
    each working day, 0 for none); the scheduler keeps both. Refuses, with a ValidationError
    keyed by field and writing nothing: a window not ending after it starts; minutes that are
    not whole numbers in range (lunch up to 90, planning up to 240); a lunch longer than its
    window."""
    from schoolot.delivery.services import therapist_staff_get

    staff = therapist_staff_get(user=user)
    errors: dict[str, list[str]] = {}

    def whole(value, top: int) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= top

    if lunch_until <= lunch_from:
        errors.setdefault("lunch_until", []).append("The lunch window must end after it starts.")
    if not whole(lunch_minutes, LUNCH_MAX_MINUTES):
        errors.setdefault("lunch_minutes", []).append(
            f"Enter whole minutes from 0 to {LUNCH_MAX_MINUTES}."
        )
    elif not errors and lunch_minutes > clock_minutes(lunch_until) - clock_minutes(lunch_from):
        errors.setdefault("lunch_minutes", []).append(
            f"A {lunch_minutes}-minute lunch does not fit between {_clock(lunch_from)} and "
            f"{_clock(lunch_until)}."
        )
    if not whole(planning_minutes, PLANNING_MAX_MINUTES):
        errors.setdefault("planning_minutes", []).append(
            f"Enter whole minutes from 0 to {PLANNING_MAX_MINUTES}."
        )
    if errors:
        raise ValidationError(errors)
    found, _ = LunchAndPlanning.objects.update_or_create(
        staff=staff,
        defaults={
            "district_id": staff.district_id,
            "lunch_from": lunch_from,
            "lunch_until": lunch_until,
            "lunch_minutes": lunch_minutes,
            "planning_minutes": planning_minutes,
        },
    )
    return found


# -- The district's school data the scheduler reads: bell schedules, travel between schools --

# What `week_instance` assumes for a pair of schools with no TravelTime row either way
# (tests/schedules/test_school_setup.py checks that the two agree).


def school_setup_access(*, user: User) -> bool:
    """Whether `user` may change (True) or only read (False) her district's bell schedules
    and travel times: district administrators and OT supervisors change them, therapists
    (OTR/L and COTA/L) read them. PermissionDenied for everyone else (teachers, parents, the
    platform operator, who has no district). Rows are always those of `user.district`."""
    return district_role_access(
        user=user,
        readers=SCHOOL_SETUP_READERS,
        editors=SCHOOL_SETUP_EDITORS,
        refusal="Bell schedules and travel times are for the OT team.",
    )


def school_setup_editor_check(*, user: User) -> None:
    """PermissionDenied unless `user` may change bell schedules and travel times."""
    if not school_setup_access(user=user):
        raise PermissionDenied(
            "Only district administrators and OT supervisors change bell schedules and "
            "travel times."
        )


def _clock(t: dt.time) -> str:
    return time_format(t, "g:i A")


def date_text(day: dt.date, *, short: bool = False) -> str:
    """ "Tuesday, December 1", or "Tue Dec 1" when `short`."""
    return f"{day:%a %b} {day.day}" if short else f"{day:%A, %B} {day.day}"


def bell_period_add(
    *,
    user: User,
    school_id: int,
    kind: str,
    name: str = "",
    grades: list[str] | tuple[str, ...] = (),
    weekdays: list[int] | tuple[int, ...] = (),
    start: dt.time,
    end: dt.time,
) -> BellPeriod:
    """Add a period to a school's day. Only an administrator or OT supervisor of the school's
    district (PermissionDenied otherwise, and for a school of another district). Refuses,
    with a ValidationError keyed by field and writing nothing: an unknown kind; a name over
    60 characters; a grade not in the grade list (no grades: every grade); a day other than
    0 (Mon) to 4 (Fri) (no days: every day); an end not after the start; a period outside
    the school's day (`School.day_start` to `day_end`); a period overlapping one of the
    school's periods for a grade they share on a day they share (no grades: shares every
    grade; no days: every day; ending as the other starts is not overlapping), keyed
    "start", one message per period overlapped, naming it, its times and the shared grades
    and days (checked, in one query, only once times, grades and days are otherwise valid).
    The school's row is locked while checking and adding, so two periods added at once
    cannot overlap either. Grades and days are stored comma-separated in a fixed order, as
    `week_instance` reads them."""
    school_setup_editor_check(user=user)
    with transaction.atomic():
        school = (
            School.objects.select_for_update()
            .filter(district_id=user.district_id, pk=school_id)
            .first()
        )
        if school is None:
            raise PermissionDenied("Not a school of your district.")
        name = (name or "").strip()
        errors: dict[str, list[str]] = {}
        if kind not in BellPeriod.Kind.values:
            errors.setdefault("kind", []).append("Choose the kind of period.")
        if len(name) > 60:
            errors.setdefault("name", []).append("Keep the name to 60 characters.")
        unknown = [g for g in grades if g not in Grade.values]
        if unknown:
            errors.setdefault("grades", []).append(
                f"{GRADES_MESSAGE} Not a grade: {', '.join(map(str, unknown))}."
            )
        if any(isinstance(d, bool) or d not in range(5) for d in weekdays):
            errors.setdefault("weekdays", []).append(WEEKDAYS_MESSAGE)
        if end <= start:
            errors.setdefault("end", []).append("The period must end after it starts.")
        day = f"{_clock(school.day_start)} to {_clock(school.day_end)}"
        if start < school.day_start:
            errors.setdefault("start", []).append(
                f"{school.name}'s day starts at {_clock(school.day_start)}; "
                f"periods fit inside {day}."
            )
        if end > school.day_end:
            errors.setdefault("end", []).append(
                f"{school.name}'s day ends at {_clock(school.day_end)}; periods fit inside {day}."
            )
        if not errors.keys() & {"start", "end", "grades", "weekdays"}:
            overlaps = _bell_overlaps(
                school=school, grades=set(grades), weekdays=set(weekdays), start=start, end=end
            )
            if overlaps:
                errors.setdefault("start", []).extend(overlaps)
        if errors:
            raise ValidationError(errors)
        return BellPeriod.objects.create(
            district_id=school.district_id,
            school=school,
            kind=kind,
            name=name,
            grades=",".join(g for g in Grade.values if g in set(grades)),
            weekdays=",".join(str(d) for d in sorted(set(weekdays))),
            start=start,
            end=end,
        )


def school_location_set(
    *, user: User, school_id: int, latitude: float | None, longitude: float | None
) -> School:
    """Record where a school is (decimal degrees; both None: not on record), for the drive
    estimate between schools without an entered travel time (rules.travel). Only an
    administrator or OT supervisor of the school's district (PermissionDenied otherwise, and
    for a school of another district). Refuses, with a ValidationError keyed "location" and
    writing nothing, one coordinate without the other and a coordinate out of range (the
    database's own check says the same). Returns the school as saved."""
    school_setup_editor_check(user=user)
    school = School.objects.filter(district_id=user.district_id, pk=school_id).first()
    if school is None:
        raise PermissionDenied("Not a school of your district.")
    if (latitude is None) != (longitude is None) or (
        latitude is not None
        and longitude is not None
        and not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
    ):
        raise ValidationError({"location": [SCHOOL_LOCATION_MESSAGE]})
    school.latitude, school.longitude = latitude, longitude
    school.save(update_fields=["latitude", "longitude"])
    return school


def _shared(mine: set, theirs: set) -> set | None:
    """What two periods' grades (or days) have in common, an empty set meaning every one:
    None when both are every one, else the shared ones (empty: nothing shared)."""
    if not mine and not theirs:
        return None
    return mine & theirs if mine and theirs else mine or theirs


def _bell_overlaps(
    *, school: School, grades: set[str], weekdays: set[int], start: dt.time, end: dt.time
) -> list[str]:
    """A message for each of `school`'s periods overlapping `start`-`end` for a shared grade
    on a shared day (empty sets: every grade, every day), by start time. One query."""
    day_names = dict(WEEKDAYS)
    messages = []
    for b in BellPeriod.objects.filter(
        district_id=school.district_id, school=school, start__lt=end, end__gt=start
    ).order_by("start", "end", "pk"):
        shared_grades = _shared(grades, set(_grades(b.grades)))
        shared_days = _shared(weekdays, set(_days(b.weekdays)))
        if shared_grades == set() or shared_days == set():
            continue
        if shared_grades is None:
            who = "every grade"
        else:
            listed = [g for g in Grade.values if g in shared_grades]
            who = f"{'grade' if len(listed) == 1 else 'grades'} {', '.join(listed)}"
        if shared_days is None:
            when = "every day"
        else:
            when = "on " + ", ".join(day_names[d] for d in sorted(shared_days))
        messages.append(
            f"This overlaps {b.name or b.get_kind_display()} "
            f"({_clock(b.start)}–{_clock(b.end)}, {who}) {when}; "
            "a grade's periods cannot overlap."
        )
    return messages


def bell_period_delete(*, user: User, school_id: int, bell_id: int) -> bool:
    """Remove one period of a school's day; only an administrator or OT supervisor, only in
    her district. Returns whether there was such a period (False: nothing to remove)."""
    school_setup_editor_check(user=user)
    deleted, _ = BellPeriod.objects.filter(
        district_id=user.district_id, school_id=school_id, pk=bell_id
    ).delete()
    return bool(deleted)


def travel_times_get(*, user: User) -> tuple[list, dict[tuple[int, int], int]]:
    """The district's schools (by name) and the travel minutes recorded between them, keyed
    (origin id, destination id). Anyone `school_setup_access` lets read (two queries)."""
    school_setup_access(user=user)
    schools = list(School.objects.filter(district_id=user.district_id).order_by("name", "pk"))
    ids = [s.pk for s in schools]
    saved = {
        (o, d): m
        for o, d, m in TravelTime.objects.filter(
            district_id=user.district_id, origin_id__in=ids, destination_id__in=ids
        ).values_list("origin_id", "destination_id", "minutes")
    }
    return schools, saved


def travel_times_save(*, user: User, minutes: dict[tuple[int, int], int | None]) -> dict[str, int]:
    """Save the travel matrix, all or nothing. `minutes` maps (origin id, destination id)
    to whole minutes 1-180, or None to clear the pair; pairs not in it are left as they are.
    The scheduler reads a pair entered one way only as the same both ways, and a pair with
    neither way entered as `travel_default_minutes` (an estimate from the schools'
    locations). Only an administrator or OT supervisor, only between different schools of
    her district (PermissionDenied otherwise). A value
    out of range raises ValidationError keyed "origin-destination" for each bad pair, and
    nothing is written. Returns how many pairs were added, changed and cleared. Queries do
    not grow with the number of schools."""
    school_setup_editor_check(user=user)
    ids = {o for o, _ in minutes} | {d for _, d in minutes}
    known = set(
        School.objects.filter(district_id=user.district_id, pk__in=ids).values_list("pk", flat=True)
    )
    if ids - known or any(o == d for o, d in minutes):
        raise PermissionDenied("Travel times are between different schools of your district.")
    errors = {
        f"{o}-{d}": [TRAVEL_MINUTES_MESSAGE]
        for (o, d), m in minutes.items()
        if m is not None
        and (not isinstance(m, int) or isinstance(m, bool) or not 1 <= m <= TRAVEL_MAX_MINUTES)
    }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        existing = {
            (t.origin_id, t.destination_id): t
            for t in TravelTime.objects.select_for_update().filter(
                district_id=user.district_id, origin_id__in=known, destination_id__in=known
            )
        }
        to_create, to_update, to_clear = [], [], []
        for pair, m in minutes.items():
            row = existing.get(pair)
            if m is None:
                if row is not None:
                    to_clear.append(row.pk)
            elif row is None:
                to_create.append(
                    TravelTime(
                        district_id=user.district_id,
                        origin_id=pair[0],
                        destination_id=pair[1],
                        minutes=m,
                    )
                )
            elif row.minutes != m:
                row.minutes = m
                to_update.append(row)
        if to_clear:
            TravelTime.objects.filter(pk__in=to_clear).delete()
        if to_update:
            TravelTime.objects.bulk_update(to_update, ["minutes"])
        if to_create:
            TravelTime.objects.bulk_create(to_create)
    return {"added": len(to_create), "changed": len(to_update), "cleared": len(to_clear)}


MILEAGE_MAX = Decimal("500.0")
MILEAGE_MESSAGE = "Enter road miles from 0.1 to 500, to a tenth, or leave it blank."


def school_mileage_get(*, user: User) -> tuple[list[School], dict[tuple[int, int], Decimal]]:
    """The district's schools (by name) and its mileage chart, keyed (lower school id,
    higher school id). Anyone `school_setup_access` lets read (two queries)."""
    school_setup_access(user=user)
    schools = list(School.objects.filter(district_id=user.district_id).order_by("name", "pk"))
    saved = {
        (a, b): miles
        for a, b, miles in SchoolMileage.objects.filter(district_id=user.district_id).values_list(
            "school_a_id", "school_b_id", "miles"
        )
    }
    return schools, saved


def school_mileage_save(
    *, user: User, miles: dict[tuple[int, int], Decimal | None]
) -> dict[str, int]:
    """Save the district's mileage chart, all or nothing. `miles` maps a pair of school ids
    (either order) to road miles, 0.1 to 500 to a tenth, or None to clear the pair (the
    estimate from the schools' locations then serves); pairs not in it are left as they are.
    Only an administrator or OT supervisor, only between different schools of her district
    (PermissionDenied otherwise). A bad value raises ValidationError keyed "a-b" (lower id
    first) for each bad pair, and nothing is written. Returns how many pairs were added,
    changed and cleared. Queries do not grow with the number of schools."""
    school_setup_editor_check(user=user)
    pairs = {tuple(sorted(pair)): value for pair, value in miles.items()}
    ids = {i for pair in pairs for i in pair}
    known = set(
        School.objects.filter(district_id=user.district_id, pk__in=ids).values_list("pk", flat=True)
    )
    if ids - known or any(a == b for a, b in pairs):
        raise PermissionDenied("Mileage is between different schools of your district.")
    errors = {}
    for (a, b), value in pairs.items():
        if value is None:
            continue
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            number = None
        if (
            number is None
            or not number.is_finite()
            or not Decimal("0.1") <= number <= MILEAGE_MAX
            or number != number.quantize(Decimal("0.1"))
        ):
            errors[f"{a}-{b}"] = [MILEAGE_MESSAGE]
        else:
            pairs[(a, b)] = number
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        existing = {
            (m.school_a_id, m.school_b_id): m
            for m in SchoolMileage.objects.select_for_update().filter(district_id=user.district_id)
        }
        to_create, to_update, to_clear = [], [], []
        for (a, b), value in pairs.items():
            row = existing.get((a, b))
            if value is None:
                if row is not None:
                    to_clear.append(row.pk)
            elif row is None:
                to_create.append(
                    SchoolMileage(
                        district_id=user.district_id, school_a_id=a, school_b_id=b, miles=value
                    )
                )
            elif row.miles != value:
                row.miles = value
                to_update.append(row)
        SchoolMileage.objects.filter(pk__in=to_clear).delete()
        SchoolMileage.objects.bulk_update(to_update, ["miles"])
        SchoolMileage.objects.bulk_create(to_create)
    return {"added": len(to_create), "changed": len(to_update), "cleared": len(to_clear)}


# The most points each cost may carry: a per-minute cost at most 10, any other at most 100,
# so placing a mandated minute (scheduling.plan.UNPLACED_COST, 200 a minute) always
# outweighs what placing it costs, and no priority turns a placeable session into a gap.
PRIORITY_TOP = {"core_missed": 10, "travel": 10, "trips": 100, "bunching": 100, "changes": 100}


def _priorities_team(*, user: User) -> int | None:
    """Whose priorities `user` sets: a supervisor her team's (her Staff pk), an
    administrator the district's (None). Refuses anyone else."""
    if user.district_id is None or user.role not in (Role.SUPERVISOR, Role.DISTRICT_ADMIN):
        raise PermissionDenied("Supervisors and administrators set the schedule priorities.")
    if user.role == Role.DISTRICT_ADMIN:
        return None
    team_id = priorities_team_id(user=user)
    if team_id is None:
        raise PermissionDenied("Only a supervisor with a staff record has a team.")
    return team_id


def schedule_priorities_set(*, user: User, **points) -> SchedulePriorities:
    """Set how weeks are weighed: a district administrator the district's, a supervisor
    her team's (the therapists who report to her; the district's then no longer weigh
    them). `points` for each of core_missed, travel, trips, bunching and changes (all
    five), each a number from 0 to its PRIORITY_TOP, to a tenth. Every week built
    afterwards uses them. Refuses anyone else (PermissionDenied), and values out of range
    or finer than a tenth with a ValidationError keyed by name, writing nothing."""
    team_id = _priorities_team(user=user)
    if set(points) != set(PRIORITY_TOP):
        raise TypeError(f"Give exactly {', '.join(PRIORITY_TOP)}.")
    errors: dict[str, list[str]] = {}
    values = {}
    for name, top in PRIORITY_TOP.items():
        try:
            value = Decimal(str(points[name]))
        except (InvalidOperation, ValueError):
            value = None
        if value is None or not value.is_finite() or not 0 <= value <= top:
            errors[name] = [f"Enter points from 0 to {top}."]
        elif value != value.quantize(Decimal("0.1")):
            errors[name] = ["Give the points to a tenth at most, e.g. 2.5."]
        else:
            values[name] = value
    if errors:
        raise ValidationError(errors)
    priorities, _ = SchedulePriorities.objects.update_or_create(
        district_id=user.district_id,
        team_id=team_id,
        defaults={**values, "updated_by": user, "updated_at": timezone.now()},
    )
    return priorities


def schedule_priorities_reset(*, user: User) -> bool:
    """A supervisor's team is weighed by the district's priorities again (her team's own
    are removed). Whether her team had its own. Refuses anyone but a supervisor."""
    if user.role != Role.SUPERVISOR:
        raise PermissionDenied("A supervisor sets her team's priorities.")
    team_id = _priorities_team(user=user)
    deleted, _ = SchedulePriorities.objects.filter(team_id=team_id).delete()
    return bool(deleted)


def teachers_ot_times_notify(*, students, on: dt.date, by: User) -> int:
    """Tell the teachers of `students` (of their classes) that their OT times changed, after
    `by` changed them: a week built or rebuilt, a session added, moved or removed. A teacher
    must know when her student leaves class. One notification per teacher, in the app and
    by email: for one student of hers, that student's times as they now are
    (schedules.selectors.student_ot_times_get) and a link to the record; for several (a
    rebuilt week), their names and a link to her students' page, whose week of OT shows
    the new times. Returns how many were sent."""
    from schoolot.directory.selectors import class_teachers_get
    from schoolot.referrals.services import notify
    from schoolot.schedules.selectors import student_ot_times_get

    sent = 0
    for teacher, mine in class_teachers_get(students=students):
        if len(mine) == 1:
            (student,) = mine
            times = "; ".join(
                f"{t.weekday_name[:3]} {_clock(t.start)}-{_clock(t.end)}"
                + (f" ({t.rotation} of the rotation)" if t.rotation else "")
                for t in student_ot_times_get(student=student, on=on)
            )
            text = (
                f"{student.full_name}'s OT times changed ({by.display_name}): "
                f"{times or 'no weekly OT session now'}."
            )
            link = reverse("student_detail", args=[student.pk])
        else:
            shown = ", ".join(s.full_name for s in mine[:3])
            more = f" and {len(mine) - 3} more" if len(mine) > 3 else ""
            text = (
                f"OT times changed for {len(mine)} of your students ({by.display_name}): "
                f"{shown}{more}. Your students' page shows the week of OT."
            )
            link, student = reverse("caseload"), None
        sent += notify(users=[teacher], student=student, text=text, link=link)
    return sent


# A closure entered further ahead than this is on the calendar in time for everyone.
CLOSURE_NOTICE_DAYS = 14


def _closure_days(event, *, first: dt.date, last: dt.date) -> set[dt.date]:
    """The weekdays of `event` (a CalendarEvent, or None) inside [first, last]."""
    if event is None:
        return set()
    return set(weekdays(max(event.start_date, first), min(event.end_date, last)))


def closure_therapists_notify(*, before=None, after=None, today: dt.date) -> int:
    """Tell each therapist whose weekly sessions a closure (directory.models.CalendarEvent: a
    snow day, a water main break at one school) takes away or gives back in the next
    CLOSURE_NOTICE_DAYS days from `today`: an itinerant therapist may not hear a building's
    own message before she drives there. `after` is the closure as entered or changed (None
    when removed); `before` is what it was (None when new; for a change, a copy read before
    saving). A session counts only where this change decides it: not on a day another
    closure, or the end of the school year, already keeps her away. One notification per
    therapist and direction, in the app and by email: where (the school closed alone, or
    every school), which days, the reason, and how many of her sessions are not held (and
    not owed), or held as usual after all; the link opens Today on the first of those days.
    Sessions held in other weeks of the rotation are not counted. Returns how many were
    sent."""
    from schoolot.referrals.services import notify

    event = after or before
    if event is None:
        return 0
    district_id = event.district_id
    last = today + dt.timedelta(days=CLOSURE_NOTICE_DAYS - 1)
    was_days = _closure_days(before, first=today, last=last)
    now_days = _closure_days(after, first=today, last=last)
    dates = sorted(was_days | now_days)
    if not dates:
        return 0
    own = {e.pk for e in (before, after) if e is not None and e.pk}
    others = list(
        CalendarEvent.objects.filter(
            district_id=district_id, start_date__lte=dates[-1], end_date__gte=dates[0]
        )
        .exclude(pk__in=own)
        .values_list("school_id", "start_date", "end_date")
    )
    years = list(
        SchoolYear.objects.filter(district_id=district_id).values_list("first_day", "last_day")
    )

    def closed_anyway(school_id: int, day: dt.date) -> bool:
        if years and not any(first <= day <= end for first, end in years):
            return True  # no school year in session: nothing to take or give back
        return any(
            start <= day <= end and (school in (None, school_id)) for school, start, end in others
        )

    def covers(closure, days: set[dt.date], school_id: int, day: dt.date) -> bool:
        return day in days and closure.school_id in (None, school_id)

    slots = WeeklySlot.objects.filter(
        district_id=district_id, weekday__in={d.weekday() for d in dates}
    ).select_related("therapist__user")
    schools = {e.school_id for e in (before, after) if e is not None}
    if None not in schools:
        slots = slots.filter(school_id__in=schools)
    slots = list(slots)
    lost: dict[int, list[dt.date]] = defaultdict(list)  # therapist: a date per session
    regained: dict[int, list[dt.date]] = defaultdict(list)
    therapists: dict[int, Staff] = {}
    for day in dates:
        rotation, week = rotation_get(district_id=district_id, day=day)
        for slot in slots:
            if slot.weekday != day.weekday() or not slot.comes_in(rotation=rotation, week=week):
                continue
            was = before is not None and covers(before, was_days, slot.school_id, day)
            now = after is not None and covers(after, now_days, slot.school_id, day)
            if was == now or closed_anyway(slot.school_id, day):
                continue
            (lost if now else regained)[slot.therapist_id].append(day)
            therapists[slot.therapist_id] = slot.therapist
    names = dict(
        School.objects.filter(
            pk__in={e.school_id for e in (before, after) if e is not None and e.school_id}
        ).values_list("pk", "name")
    )
    sent = 0
    for taken, closure in ((lost, after), (regained, before)):
        where = f"at {names[closure.school_id]} " if closure and closure.school_id else ""
        there = "there " if where else ""
        for staff_id, days in taken.items():
            n, held = len(days), sorted(set(days))
            named = [date_text(d, short=True) for d in held]
            on = f"{', '.join(named[:-1])} and {named[-1]}" if len(named) > 1 else named[0]
            are = "are" if n != 1 else "is"
            if taken is lost:
                text = (
                    f"No school {where}on {on} ({closure.name}): {n} of your weekly sessions "
                    f"{there}{are} not held and not owed."
                )
            else:
                days_word = "those days" if len(held) > 1 else "that day"
                why = (
                    f"{closure.name} is off the calendar"
                    if after is None
                    else f"{closure.name} no longer takes {days_word}"
                )
                text = (
                    f"School is open {where}on {on} after all ({why}): {n} of your weekly "
                    f"sessions {there}{are} held as usual."
                )
            link = f"{reverse('today')}?date={held[0].isoformat()}"
            sent += notify(users=[therapists[staff_id].user], student=None, text=text, link=link)
    return sent


def district_solve_changes_record(*, run_id: int, students) -> None:
    """Keep the students whose weekly times a week of district re-solve `run_id` changed,
    for their teachers to hear of once (district_solve_teachers_notify)."""
    from schoolot.schedules.models import ResolveChange

    ResolveChange.objects.bulk_create(
        [ResolveChange(district_id=s.district_id, run_id=run_id, student=s) for s in students],
        ignore_conflicts=True,
    )


def district_solve_teachers_notify(*, run_id: int, on: dt.date) -> int:
    """Tell the teachers of the students a district re-solve changed, not yet told
    (district_solve_changes_record), in one notification each (teachers_ot_times_notify, by
    whoever started it): called when the run ends (its last week done, or cancelled, or
    failed), so that a teacher whose class several therapists serve hears once. Each
    student is told of once, whoever calls it first (the rows are locked while taken).
    Returns how many notifications were sent."""
    from schoolot.schedules.models import DistrictSolve, ResolveChange

    with transaction.atomic():
        pending = list(
            ResolveChange.objects.select_for_update(of=("self",))
            .filter(run_id=run_id, told=False)
            .select_related("student")
        )
        if not pending:
            return 0
        ResolveChange.objects.filter(pk__in=[p.pk for p in pending]).update(told=True)
        run = DistrictSolve.objects.select_related("started_by").get(pk=run_id)
        return teachers_ot_times_notify(
            students=[p.student for p in pending], on=on, by=run.started_by
        )
