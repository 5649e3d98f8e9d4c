"""The therapist's week from the records, solved, and written back as her weekly slots."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction

from schoolot.accounts.models import Role, User
from schoolot.core.access import current_assignments
from schoolot.delivery.models import WeeklySlot
from schoolot.directory.models import Staff, Student
from schoolot.plans.models import Plan, ServiceMandate
from schoolot.schedules.models import (
    Availability,
    BellPeriod,
    ProtectedBlock,
    ScheduleRun,
    TravelTime,
)
from schoolot.scheduling import instance as core
from schoolot.scheduling.scorer import score
from schoolot.scheduling.solver import solve

DEFAULT_DAY = (7 * 60 + 30, 16 * 60)


def _m(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _t(m: int) -> dt.time:
    return dt.time(m // 60, m % 60)


def _days(text: str) -> frozenset[int]:
    return frozenset(int(d) for d in text.split(",") if d.strip().isdigit())


def week_instance(*, staff: Staff, on: dt.date) -> tuple[core.Instance, dict]:
    """The instance for `staff`'s week: the students assigned to her with weekly direct OT,
    her schools' bells, the students' protected time, her availability (default: every day
    7:30-16:00 at any of her schools), travel times (default 15 minutes), her locked slots
    kept and her current slots as the schedule to stay close to. Returns the instance and a
    map from instance ids back to records."""
    # Her students; a student who also has a COTA is the COTA's to see.
    student_ids = (
        current_assignments(on=on)
        .filter(staff=staff)
        .exclude(
            student__in=current_assignments(on=on)
            .filter(role="cota")
            .exclude(staff=staff)
            .values("student_id")
        )
        .values("student_id")
    )
    mandates = list(
        ServiceMandate.objects.filter(
            plan__student_id__in=student_ids,
            plan__status=Plan.Status.ACTIVE,
            service=ServiceMandate.Service.OT,
            period=ServiceMandate.Period.WEEK,
            start_date__lte=on,
            end_date__gte=on,
        )
        .exclude(delivery_model=ServiceMandate.DeliveryModel.CONSULTATION)
        .select_related("plan__student__school")
    )
    by_student: dict[int, list[ServiceMandate]] = {}
    for m in mandates:
        by_student.setdefault(m.plan.student_id, []).append(m)
    students = {s.pk: s for s in Student.objects.filter(pk__in=by_student).select_related("school")}
    schools = {s.pk: s for s in staff.schools.all()}
    schools.update({s.school_id: s.school for s in students.values()})
    bells = {}
    for b in BellPeriod.objects.filter(school_id__in=schools):
        bells.setdefault(b.school_id, []).append(
            core.Bell(
                b.kind,
                _m(b.start),
                _m(b.end),
                frozenset(g.strip() for g in b.grades.split(",") if g.strip()),
                _days(b.weekdays),
            )
        )
    protected = {}
    for p in ProtectedBlock.objects.filter(student_id__in=students):
        protected.setdefault(p.student_id, []).append(
            core.Block(_m(p.start), _m(p.end), _days(p.weekdays), p.reason)
        )
    inst_schools = {
        str(s.pk): core.School(
            str(s.pk), s.name, _m(s.day_start), _m(s.day_end), tuple(bells.get(s.pk, ()))
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
                    m.sessions_per_period,
                    m.group_allowed,
                    m.max_group_size,
                )
                for m in by_student[s.pk]
            ),
            tuple(protected.get(s.pk, ())),
        )
        for s in students.values()
    ]
    windows = [
        core.Window(a.weekday, _m(a.start), _m(a.end), str(a.school_id) if a.school_id else None)
        for a in Availability.objects.filter(staff=staff)
    ]
    if not windows:
        windows = [core.Window(d, *DEFAULT_DAY) for d in range(5)]
    travel = {
        (str(t.origin_id), str(t.destination_id)): t.minutes
        for t in TravelTime.objects.filter(origin_id__in=schools, destination_id__in=schools)
    }
    for a in inst_schools:
        for b in inst_schools:
            if a < b and (a, b) not in travel and (b, a) not in travel:
                travel[(a, b)] = 15
    mandate_of = {s: {m.id for m in st.mandates} for st in inst_students for s in [st.id]}
    slots = list(WeeklySlot.objects.filter(therapist=staff).prefetch_related("students"))

    def as_session(slot: WeeklySlot, locked: bool) -> core.Session | None:
        ids = [str(s.pk) for s in slot.students.all() if str(s.pk) in mandate_of]
        if not ids:
            return None
        minutes = _m(slot.end_time) - _m(slot.start_time)
        mids = []
        for sid in ids:
            student = next(x for x in inst_students if x.id == sid)
            match = next(
                (m.id for m in student.mandates if m.minutes == minutes), student.mandates[0].id
            )
            mids.append(match)
        return core.Session(
            slot.weekday,
            _m(slot.start_time),
            _m(slot.end_time),
            str(slot.school_id),
            tuple(ids),
            tuple(mids),
            locked,
        )

    locked = [x for x in (as_session(s, True) for s in slots if s.locked) if x]
    current = [x for x in (as_session(s, False) for s in slots) if x]
    instance = core.Instance(
        therapist=staff.user.display_name,
        schools=inst_schools,
        students=inst_students,
        availability=windows,
        locked=locked,
        current=current,
        travel=travel,
    )
    return instance, {"slots": slots}


def week_solve(*, user: User, on: dt.date, time_limit: float = 10.0) -> ScheduleRun:
    """Re-solve the therapist's week: locked slots stay, the others are replaced by the
    solver's; what cannot be placed is recorded with its reasons."""
    if user.role != Role.THERAPIST:
        raise PermissionDenied("A therapist builds her own week.")
    staff = Staff.objects.select_related("user").get(user=user)
    instance, _refs = week_instance(staff=staff, on=on)
    schedule = solve(instance, time_limit=time_limit, workers=2)
    result = score(instance, schedule)
    names = {s.id: s.name for s in instance.students}
    with transaction.atomic():
        if result.feasible:
            WeeklySlot.objects.filter(therapist=staff, locked=False).delete()
            for x in schedule.sessions:
                if x.locked:
                    continue
                slot = WeeklySlot.objects.create(
                    district_id=staff.district_id,
                    therapist=staff,
                    weekday=x.day,
                    start_time=_t(x.start),
                    end_time=_t(x.end),
                    school_id=int(x.school),
                )
                slot.students.set([int(s) for s in x.students])
        return ScheduleRun.objects.create(
            district_id=staff.district_id,
            staff=staff,
            status=schedule.status,
            required_minutes=result.required_minutes,
            placed_minutes=result.placed_minutes,
            seconds=schedule.seconds,
            unplaced=[
                {
                    "student": names.get(u.student, u.student),
                    "minutes": u.minutes,
                    "reasons": u.reasons,
                }
                for u in schedule.unplaced
            ]
            + [{"student": "", "minutes": 0, "reasons": [v]} for v in result.violations],
        )


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


def district_solve_start(*, user: User, seconds_each: float = 5.0):
    """Queue the re-solving of every week `user` oversees; progress is on the run."""
    from schoolot.schedules.models import DistrictSolve
    from schoolot.schedules.tasks import district_solve

    total = team_therapists(user=user).count()
    run = DistrictSolve.objects.create(
        district_id=user.district_id, started_by=user, total=total, seconds_each=seconds_each
    )
    district_solve.enqueue(run_id=run.pk)
    run.refresh_from_db()
    return run


def protected_block_add(
    *, user: User, student_id: int, reason: str, weekdays: list[int], start: dt.time, end: dt.time
):
    """A teacher or the student's therapist marks time OT must not take (the reading block).
    Refuses a student the user does not see, a time outside the school day, end before
    start."""
    from django.core.exceptions import ValidationError

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
    return ProtectedBlock.objects.create(
        district_id=student.district_id,
        student=student,
        reason=reason.strip()[:80],
        weekdays=",".join(str(d) for d in sorted(set(weekdays))),
        start=start,
        end=end,
    )
