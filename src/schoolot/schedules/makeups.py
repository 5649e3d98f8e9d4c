"""Times for a make-up session: when a therapist can give a student the session she owes her.

Contract: `makeup_times_get(staff=, student=, minutes=, on=, now=)` lists the times in the
school days from `on` (from `now` on that day) to the end of the next week at which the
session fits, best first: no core instruction missed before some, earlier before later.
A time fits when, that date:
- the district and the student's school have school (directory CalendarEvent: breaks,
  holidays, a school closed alone; a district with no school year entered has school on
  every weekday);
- she is not away (schedules.models.TimeAway);
- it lies inside the school's day and the therapist's hours there (My hours; without any,
  the scheduler's default day);
- it is clear of the student's protected time and of her other OT sessions that day (with
  any therapist);
- it is clear of the therapist's own day: her weekly sessions held that date (that week of
  the rotation, none at a closed school), her fixed time (recurring, and one-offs on that
  date), and the sessions she has logged that date;
- she can drive there from her stop before it and on to her stop after it (the scheduler's
  travel times), and her lunch still fits in its window.
At most two times a day, so that the list offers several days. Queries: a fixed number,
whatever the caseload.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from schoolot.directory.models import Staff, Student


@dataclass(frozen=True)
class MakeupTime:
    date: dt.date
    start: dt.time
    end: dt.time
    school: str
    core_minutes: int  # of core instruction she would miss
    after: str  # what she does just before: "after the 9:00 session at Lincoln", or ""


STEP = 5  # minutes between candidate starts
PER_DAY = 2


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def _clock(minutes: int) -> dt.time:
    return dt.time(minutes // 60, minutes % 60)


def makeup_times_get(
    *,
    staff: Staff,
    student: Student,
    minutes: int,
    on: dt.date,
    now: dt.time | None = None,
    limit: int = 6,
) -> list[MakeupTime]:
    """Times for a `minutes`-long make-up of `student` with `staff` (see the module's
    contract). The caller checks that the therapist may see the student."""
    from schoolot.delivery.models import Session, WeeklySlot
    from schoolot.directory.models import SchoolYear
    from schoolot.schedules.away import away_days_get
    from schoolot.schedules.models import Availability, BellPeriod, Commitment, ProtectedBlock
    from schoolot.schedules.selectors import (
        _closures_on,
        _drive_minutes,
        clock_minutes,
        lunch_and_planning_get,
        school_week_get,
        weekdays_held,
    )
    from schoolot.schedules.services import DEFAULT_DAY, _days, _grades

    school = student.school
    this_week = school_week_get(district_id=staff.district_id, on=on)
    next_week = school_week_get(
        district_id=staff.district_id, on=this_week.dates[0] + dt.timedelta(days=7)
    )
    weeks = [(d, w) for w in (this_week, next_week) for d in w.dates if d >= on]
    on_record = bool(this_week.years or next_week.years) or (
        SchoolYear.objects.filter(district_id=staff.district_id).exists()
    )
    slots = list(WeeklySlot.objects.filter(therapist=staff).select_related("school"))
    hers = list(  # the student's sessions with any therapist
        WeeklySlot.objects.filter(students=student).exclude(therapist=staff)
    )
    commitments = list(Commitment.objects.filter(staff=staff).select_related("school"))
    logged = list(
        Session.objects.filter(
            therapist=staff, date__range=(weeks[0][0], weeks[-1][0])
        ).select_related("school")
        if weeks
        else []
    )
    hours = list(Availability.objects.filter(staff=staff))
    bells = [
        b
        for b in BellPeriod.objects.filter(school=school, kind="core")
        if not b.grades or student.grade in _grades(b.grades)
    ]
    protected = list(ProtectedBlock.objects.filter(student=student))
    lunch = lunch_and_planning_get(staff=staff)
    schools = {s.school_id: s.school for s in slots}
    schools.update({c.school_id: c.school for c in commitments if c.school_id})
    schools.update({x.school_id: x.school for x in logged if x.school_id})
    schools[school.pk] = school
    drive = _drive_minutes(schools)

    away = (
        away_days_get(staff_ids=[staff.pk], first=weeks[0][0], last=weeks[-1][0]).get(staff.pk, {})
        if weeks
        else {}
    )

    found: list[MakeupTime] = []
    for date, week in weeks:
        closed, closed_schools = _closures_on(week.years, date, on_record=on_record)
        if closed or school.pk in closed_schools or date in away:
            continue
        weekday = date.weekday()
        # Her stops that day: (start, end, school or None, what).
        stops = [
            (clock_minutes(s.start_time), clock_minutes(s.end_time), s.school, "session")
            for s in slots
            if s.weekday == weekday
            and s.school_id not in closed_schools
            and s.comes_in(rotation=week.rotation, week=week.week)
        ]
        stops += [
            (clock_minutes(c.start), clock_minutes(c.end), c.school, c.label)
            for c in commitments
            if c.on == date or (c.on is None and weekday in weekdays_held(weekdays=c.weekdays))
        ]
        stops += [
            (clock_minutes(x.start_time), clock_minutes(x.end_time), x.school, "session")
            for x in logged
            if x.date == date and x.slot_id is None
        ]
        student_busy = [
            (clock_minutes(s.start_time), clock_minutes(s.end_time))
            for s in hers
            if s.weekday == weekday and s.comes_in(rotation=week.rotation, week=week.week)
        ] + [
            (clock_minutes(b.start), clock_minutes(b.end))
            for b in protected
            if weekday in weekdays_held(weekdays=b.weekdays)
        ]
        windows = [
            (clock_minutes(a.start), clock_minutes(a.end))
            for a in hours
            if a.weekday == weekday and a.school_id in (None, school.pk)
        ] or ([] if hours else [DEFAULT_DAY])
        core = [
            (clock_minutes(b.start), clock_minutes(b.end))
            for b in bells
            if not b.weekdays or weekday in _days(b.weekdays)
        ]
        lo = clock_minutes(school.day_start)
        hi = clock_minutes(school.day_end)
        if date == on and now is not None:
            lo = max(lo, clock_minutes(now))
        today: list[MakeupTime] = []
        for t in range(lo + (-lo) % STEP, hi - minutes + 1, STEP):
            end = t + minutes
            if not any(a <= t and end <= b for a, b in windows):
                continue
            if any(_overlap(t, end, a, b) for a, b in student_busy):
                continue
            if any(_overlap(t, end, a, b) for a, b, _s, _w in stops):
                continue
            before = max((x for x in stops if x[1] <= t), key=lambda x: x[1], default=None)
            after = min((x for x in stops if x[0] >= end), key=lambda x: x[0], default=None)
            elsewhere_before = before and before[2] and before[2].pk != school.pk
            if elsewhere_before and before[1] + drive(before[2], school) > t:
                continue  # no time to drive here from her stop before
            elsewhere_after = after and after[2] and after[2].pk != school.pk
            if elsewhere_after and end + drive(school, after[2]) > after[0]:
                continue  # nor on to her next
            if lunch.lunch_minutes and not _lunch_fits(
                [(a, b) for a, b, _s, _w in stops] + [(t, end)],
                clock_minutes(lunch.lunch_from),
                clock_minutes(lunch.lunch_until),
                lunch.lunch_minutes,
            ):
                continue
            just_before = (
                f"after the {_clock(before[0]):%-I:%M} {before[3]}"
                + (f" at {before[2].name}" if before[2] else "")
                if before and t - before[1] <= 30
                else ""
            )
            today.append(
                MakeupTime(
                    date,
                    _clock(t),
                    _clock(end),
                    school.name,
                    sum(_overlap(t, end, a, b) for a, b in core),
                    just_before,
                )
            )
        # The day's best two, apart: the least core instruction, then the earliest.
        today.sort(key=lambda m: (m.core_minutes, m.start))
        kept: list[MakeupTime] = []
        for m in today:
            if all(abs(clock_minutes(m.start) - clock_minutes(k.start)) >= 60 for k in kept):
                kept.append(m)
            if len(kept) == PER_DAY:
                break
        found += sorted(kept, key=lambda m: m.start)
    found.sort(key=lambda m: (m.core_minutes > 0, m.date, m.start))
    return found[:limit]


def _lunch_fits(busy: list[tuple[int, int]], lo: int, hi: int, minutes: int) -> bool:
    """Whether a free stretch of `minutes` is left in [lo, hi) beside `busy`."""
    t = lo
    for a, b in sorted(busy):
        if b <= t:
            continue
        if min(a, hi) - t >= minutes:
            return True
        t = max(t, b)
        if t >= hi:
            return False
    return hi - t >= minutes


def _owed(*, on: dt.date | None):
    """Open make-ups with who owes each (delivery.services.open_makeups_owned, on `on` or
    today), oldest first, with the student and the session; each with `held`, the times
    held for it from `on`, when `on` is given."""
    from django.db.models import Prefetch
    from django.utils import timezone

    from schoolot.delivery.services import open_makeups_owned
    from schoolot.schedules.models import Commitment

    owed = (
        open_makeups_owned(on=on or timezone.localdate())
        .select_related("student__school", "session")
        .order_by("date", "pk")
    )
    if on is not None:
        owed = owed.prefetch_related(
            Prefetch(
                "held_makeups",
                queryset=Commitment.objects.filter(on__gte=on).order_by("on", "start"),
                to_attr="held",
            )
        )
    return owed


def makeups_owed_get(*, staff: Staff, on: dt.date | None = None):
    """The make-ups she owes and has not given yet (delivery.services.open_makeups_owned:
    her missed sessions' while the student is hers, and those of students who moved to her
    caseload), oldest first, with the student and the session; each with `held`, the times
    held for it from `on` (makeup_hold), when `on` is given."""
    return _owed(on=on).filter(owner_id=staff.pk)


@dataclass(frozen=True)
class TeamMakeups:
    """One therapist's make-ups owed, as her supervisor reads them."""

    staff: Staff
    owed: list  # SessionStudent, oldest first, each with `held` and `waiting` (days)

    @property
    def minutes(self) -> int:
        return sum(e.minutes for e in self.owed)

    @property
    def unheld(self) -> int:
        return sum(1 for e in self.owed if not e.held)


def makeups_team_get(*, user, on: dt.date) -> list[TeamMakeups]:
    """The make-ups owed by the therapists `user` oversees (a supervisor her team, an
    administrator the district: delivery.outputs.therapists_visible_to), per therapist with
    any, by name; each entry with the times held for it from `on` and how many days it has
    waited. Only students `user` may see. PermissionDenied for anyone else. Three queries,
    whatever the team."""
    from django.core.exceptions import PermissionDenied

    from schoolot.accounts.models import Role
    from schoolot.core.access import students_visible_to
    from schoolot.delivery.outputs import therapists_visible_to

    if user.role not in (Role.SUPERVISOR, Role.DISTRICT_ADMIN):
        raise PermissionDenied("A team's make-ups are for supervisors and administrators.")
    staff = {s.pk: s for s in therapists_visible_to(user=user).select_related("user")}
    owed = _owed(on=on).filter(owner_id__in=list(staff), student__in=students_visible_to(user=user))
    by_staff: dict[int, list] = {}
    for entry in owed:
        entry.waiting = (on - entry.date).days
        by_staff.setdefault(entry.owner_id, []).append(entry)
    return sorted(
        (TeamMakeups(staff[pk], entries) for pk, entries in by_staff.items()),
        key=lambda t: (t.staff.user.last_name, t.staff.user.first_name, t.staff.pk),
    )


def makeups_unowned_get(*, user, on: dt.date) -> list:
    """The make-ups owed to students who have no therapist now (their OTR left them and
    nobody took them on: delivery.services.open_makeups_owned gives no owner), oldest
    first, each with how many days it has waited: the district still owes those minutes.
    For district administrators (the others get an empty list: they see no such student).
    One query."""
    from schoolot.accounts.models import Role

    if user.role != Role.DISTRICT_ADMIN:
        return []
    owed = list(
        _owed(on=None)
        .filter(owner_id__isnull=True, student__district_id=user.district_id)
        .select_related("session__therapist__user")
    )
    for entry in owed:
        entry.waiting = (on - entry.date).days
    return owed


def makeup_holds_settle(*, entries, on: dt.date, start: dt.time, end: dt.time) -> int:
    """Release the times held for the make-ups `entries` (missed SessionStudents) that a
    session on `on` from `start` to `end` has just given: holds on later dates, and holds
    that day at another time. The hold the make-up was given in stays on her calendar.
    Returns how many were released."""
    from django.db.models import Q

    from schoolot.schedules.models import Commitment

    released, _ = (
        Commitment.objects.filter(makeup_for__in=entries)
        .filter(Q(on__gt=on) | Q(on=on) & (Q(end__lte=start) | Q(start__gte=end)))
        .delete()
    )
    return released


def makeup_release(*, user, commitment_id: int):
    """Give back a time she held for a make-up (makeup_hold): its one-off leaves her
    calendar; the make-up stays owed. Http404 when it is not a make-up hold of hers.
    Returns the removed hold."""
    from django.http import Http404

    from schoolot.delivery.services import therapist_staff_get
    from schoolot.schedules.models import Commitment

    staff = therapist_staff_get(user=user)
    held = (
        Commitment.objects.filter(pk=commitment_id, staff=staff, makeup_for__isnull=False)
        .select_related("makeup_for__student", "school")
        .first()
    )
    if held is None:
        raise Http404("No such make-up time held.")
    held.delete()
    return held


def makeup_hold(*, user, entry, on: dt.date, start: dt.time, now: dt.datetime):
    """Hold a time for the make-up `entry` owes (one of makeups_owed_get): a one-off of her
    fixed time on that date at the student's school, labelled with the student's initials
    (her calendar feed shows it), so that the time is hers and that day's Today lists it.
    Refuses, with a ValidationError and writing nothing, a time makeup_times_get does not
    offer now (taken since, or never free), and whatever schedules.services.commitment_add
    refuses."""
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from schoolot.delivery.services import therapist_staff_get
    from schoolot.schedules.services import commitment_add

    staff = therapist_staff_get(user=user)
    student = entry.student
    offered = makeup_times_get(
        staff=staff,
        student=student,
        minutes=entry.minutes,
        on=now.date(),
        now=now.time(),
        limit=10**6,
    )
    chosen = next((m for m in offered if (m.date, m.start) == (on, start)), None)
    if chosen is None:
        raise ValidationError(
            "That time is no longer free for this make-up; choose one of the times listed."
        )
    with transaction.atomic():
        held = commitment_add(
            user=user,
            label=f"Make-up: {student.first_name[:1]}.{student.last_name[:1]}.",
            weekdays=[],
            start=chosen.start,
            end=chosen.end,
            school_id=student.school_id,
            on=on,
        )
        held.makeup_for = entry
        held.save(update_fields=["makeup_for"])
    return held
