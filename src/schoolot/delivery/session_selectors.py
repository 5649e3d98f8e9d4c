"""Reads for the therapist's day and for session entry, through the access rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from schoolot.accounts.models import User
from schoolot.core.access import students_visible_to
from schoolot.delivery.models import Session, SessionStudent, WeeklySlot
from schoolot.delivery.services import awaiting_cosign_q, open_makeups_owned, open_makeups_q
from schoolot.directory.models import Staff, Student
from schoolot.directory.selectors import closures_get, next_school_day_get, rotation_get
from schoolot.plans.models import Goal, Plan, ServiceMandate
from schoolot.schedules.models import Commitment, ProtectedBlock
from schoolot.schedules.selectors import commitments_on_date_get, weekdays_held


@dataclass
class TodaySlot:
    slot: WeeklySlot
    session: Session | None  # the session logged from this slot today, if any
    clash: Commitment | None = None  # her fixed time that day overlapping it, if any
    protected: ProtectedBlock | None = None  # a student's protected time it now falls in
    closed: str | None = None  # why its school alone has no instruction that day, if so


@dataclass
class Today:
    date: dt.date
    slots: list[TodaySlot]
    other_sessions: list[Session]  # logged today, not from a slot
    unsigned_count: int
    cosign_count: int
    owed_makeups: int
    closed: str | None = None  # why the day has no instruction (a break, a holiday), if so
    next_school_day: dt.date | None = None  # when closed: the next day with instruction
    fixed: list = field(default_factory=list)  # her fixed time that weekday (IEP meetings)
    away: object = None  # her time away holding the date (schedules.models.TimeAway), if any


def today_get(*, staff: Staff, date: dt.date) -> Today:
    """The therapist's slots for `date`'s weekday (those of every week, and those of the
    rotation's week that `date` falls in, when their rotation comes), what is logged, and
    her to-dos, and her fixed time that day (schedules.models.Commitment: the weekday's
    recurring ones and that date's one-offs), each slot with the fixed time it overlaps
    (`clash`: a one-off meeting on a session, or time added since the week was built) and
    the protected time of one of its students it falls in (`protected`: added by a teacher
    since the week was built), and why its school has no instruction that day when that
    school alone is closed (`closed`: no session is owed there). On a day without
    instruction in the district's calendar (a break, a holiday, outside the school year) no
    slot or fixed time is offered, `closed` says why and `next_school_day` when school
    resumes. `away` is her time away holding the date, if any (its sessions are not held;
    Today offers to log them as missed)."""
    from schoolot.schedules.models import TimeAway

    sessions = list(
        Session.objects.filter(therapist=staff, date=date)
        .select_related("school")
        .prefetch_related(
            Prefetch("students", queryset=SessionStudent.objects.select_related("student"))
        )
        .order_by("start_time")
    )
    by_slot = {s.slot_id: s for s in sessions if s.slot_id}
    slots, fixed, closed, closed_schools = [], [], None, {}
    if date.weekday() < 5:
        closures = closures_get(district_id=staff.district_id, day=date)
        closed, closed_schools = closures.district, closures.schools
    if date.weekday() < 5 and closed is None:
        rotation, week = rotation_get(district_id=staff.district_id, day=date)
        slots = [
            slot
            for slot in WeeklySlot.objects.filter(therapist=staff, weekday=date.weekday())
            .filter(Q(cycle_week__isnull=True) | Q(cycle_week=week))
            .select_related("school")
            .prefetch_related("students__protected")
            .order_by("start_time")
            if slot.comes_in(rotation=rotation, week=week)
        ]
        fixed = commitments_on_date_get(staff=staff, date=date)
    return Today(
        date=date,
        slots=[
            TodaySlot(
                slot=s,
                session=by_slot.get(s.pk),
                clash=next(
                    (c for c in fixed if c.start < s.end_time and s.start_time < c.end), None
                ),
                protected=next(
                    (
                        b
                        for student in s.students.all()
                        for b in student.protected.all()
                        if b.start < s.end_time
                        and s.start_time < b.end
                        and date.weekday() in weekdays_held(weekdays=b.weekdays)
                    ),
                    None,
                ),
                closed=closed_schools.get(s.school_id),
            )
            for s in slots
        ],
        other_sessions=[s for s in sessions if not s.slot_id],
        closed=closed,
        fixed=fixed,
        away=(
            TimeAway.objects.filter(staff=staff, start_date__lte=date, end_date__gte=date).first()
            if date.weekday() < 5 and closed is None
            else None
        ),
        next_school_day=(
            next_school_day_get(district_id=staff.district_id, after=date) if closed else None
        ),
        unsigned_count=Session.objects.filter(therapist=staff, signed_at__isnull=True).count(),
        cosign_count=Session.objects.filter(awaiting_cosign_q(staff=staff)).count(),
        owed_makeups=open_makeups_owned(on=date).filter(owner_id=staff.pk).count(),
    )


@dataclass
class EntryStudent:
    student: Student
    mandates: list[ServiceMandate]
    goals: list[Goal]
    open_makeups: list[SessionStudent]


def entry_students_get(*, user: User, student_ids: list[int]) -> list[EntryStudent]:
    """The chosen students, with what their blocks of the form need, in a fixed few queries.

    Students the user may not see are left out (the service refuses them again on save).
    """
    students = list(
        students_visible_to(user=user)
        .filter(pk__in=student_ids)
        .select_related("school")
        .prefetch_related(
            Prefetch(
                "plans",
                queryset=Plan.objects.filter(status=Plan.Status.ACTIVE).prefetch_related(
                    Prefetch(
                        "mandates",
                        queryset=ServiceMandate.objects.filter(
                            service=ServiceMandate.Service.OT
                        ).exclude(delivery_model=ServiceMandate.DeliveryModel.CONSULTATION),
                    ),
                    "goals",
                ),
                to_attr="active_plans",
            ),
            Prefetch(
                "session_entries",
                queryset=SessionStudent.objects.filter(open_makeups_q()).order_by("date"),
                to_attr="open_makeups",
            ),
        )
    )
    order = {sid: i for i, sid in enumerate(student_ids)}
    students.sort(key=lambda s: order.get(s.pk, 0))
    result = []
    for s in students:
        plan = s.active_plans[0] if s.active_plans else None
        result.append(
            EntryStudent(
                student=s,
                mandates=list(plan.mandates.all()) if plan else [],
                goals=list(plan.goals.all()) if plan else [],
                open_makeups=s.open_makeups,
            )
        )
    return result


def picker_students(*, user: User) -> QuerySet[Student]:
    return (
        students_visible_to(user=user)
        .select_related("school")
        .order_by("school__name", "last_name", "first_name")
    )


def session_get(*, user: User, session_id: int) -> Session:
    """A session the user may read: its author, her supervising OTR, her supervisor, or the
    district admin; and never one with a student outside what the user sees."""
    session = (
        Session.objects.filter(pk=session_id, district_id=user.district_id)
        .select_related(
            "therapist__user",
            "therapist__supervising_otr",
            "therapist__supervisor",
            "school",
            "signed_by__user",
            "cosigned_by__user",
        )
        .prefetch_related(
            Prefetch(
                "students",
                queryset=SessionStudent.objects.select_related(
                    "student", "mandate", "makeup_for"
                ).prefetch_related("codes", "data_points__goal"),
            ),
            "addenda__author__user",
        )
        .first()
    )
    if session is None:
        raise Http404("No such session.")
    student_ids = {e.student_id for e in session.students.all()}
    visible = set(
        students_visible_to(user=user).filter(pk__in=student_ids).values_list("pk", flat=True)
    )
    if student_ids - visible or user.role not in {"therapist", "supervisor", "district_admin"}:
        raise Http404("No such session.")
    return session


def unsigned_sessions(*, staff: Staff) -> list[Session]:
    """Her own unsigned notes, and COTA notes waiting for her co-signature."""
    return list(
        Session.objects.filter(
            Q(therapist=staff, signed_at__isnull=True) | awaiting_cosign_q(staff=staff)
        )
        .select_related("therapist__user")
        .order_by("date", "start_time")
    )
