"""Dashboards: the therapist's week, the supervisor's team, the district's schools.

Each is built from `ledger.mandate_lines` (minutes), `due.due_items` (dates) and
`workload.workload_report` (hours), in a constant number of queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q

from schoolot.accounts.models import Role, User
from schoolot.compliance.due import DueItem, due_items
from schoolot.compliance.ledger import (
    MandateLine,
    district_calendar,
    mandate_lines,
    sum_by,
)
from schoolot.compliance.workload import workload_report
from schoolot.core.access import students_visible_to
from schoolot.delivery.models import Session
from schoolot.delivery.services import awaiting_cosign_q, open_makeups_owned
from schoolot.directory.models import School, Staff
from schoolot.rules.minutes import LedgerSum, ledger_sum


@dataclass
class TherapistDashboard:
    on: dt.date
    lines: list[MandateLine]
    total: LedgerSum
    unsigned: int
    to_cosign: int
    due: list[DueItem]
    overdue: list[DueItem]
    owed_lines: list[MandateLine] = field(default_factory=list)


@dataclass
class TeamRow:
    staff: Staff
    total: LedgerSum
    students_behind: int
    overdue: int
    hours: object  # WorkloadRow
    makeups: int = 0  # make-ups owed, not yet made up


@dataclass
class SchoolRow:
    school: School
    total: LedgerSum
    students: int
    students_behind: int


def _week(on: dt.date) -> tuple[dt.date, dt.date]:
    monday = on - dt.timedelta(days=on.weekday())
    return monday, monday + dt.timedelta(days=6)


def therapist_dashboard(*, user: User, on: dt.date) -> TherapistDashboard:
    if user.role != Role.THERAPIST:
        raise PermissionDenied("This dashboard is a therapist's.")
    staff = Staff.objects.get(user=user)
    cal = district_calendar(district_id=user.district_id, on=on)
    lines = (
        mandate_lines(students=students_visible_to(user=user), on=on, cal=cal, with_objects=True)
        if cal
        else []
    )
    lines.sort(key=lambda ml: (not ml.line.behind_pace, ml.student.last_name))

    items = due_items(
        user=user,
        start=on,
        end=on + dt.timedelta(days=30),
        overdue_since=on - dt.timedelta(days=365),
    )
    return TherapistDashboard(
        on=on,
        lines=lines,
        total=ledger_sum(ml.line for ml in lines),
        unsigned=Session.objects.filter(therapist=staff, signed_at__isnull=True).count(),
        to_cosign=Session.objects.filter(awaiting_cosign_q(staff=staff)).count(),
        due=[i for i in items if i.date >= on],
        overdue=[i for i in items if i.date < on],
        owed_lines=[ml for ml in lines if ml.line.owed],
    )


def _team_staff(user: User):
    therapists = Staff.objects.filter(district_id=user.district_id, user__role=Role.THERAPIST)
    if user.role == Role.SUPERVISOR:
        return therapists.filter(supervisor__user=user)
    if user.role == Role.DISTRICT_ADMIN:
        return therapists
    raise PermissionDenied("This dashboard is for supervisors and administrators.")


def supervisor_dashboard(*, user: User, on: dt.date) -> list[TeamRow]:
    """Per therapist: this period's minutes, students behind pace, overdue items, hours."""
    staff = list(_team_staff(user).select_related("user").order_by("user__last_name"))
    cal = district_calendar(district_id=user.district_id, on=on)
    lines = mandate_lines(students=students_visible_to(user=user), on=on, cal=cal) if cal else []
    by_staff = sum_by(lines, lambda ml: ml.therapist_ids)
    behind: dict[int, set[int]] = {}
    for ml in lines:
        if ml.line.behind_pace:
            for sid in ml.therapist_ids:
                behind.setdefault(sid, set()).add(ml.student_id)
    overdue_items = [
        i
        for i in due_items(user=user, start=on, end=on, overdue_since=on - dt.timedelta(days=365))
        if i.date < on
    ]
    overdue_by_staff: dict[int, int] = {}
    for i in overdue_items:
        for staff_id in i.therapist_ids:
            overdue_by_staff[staff_id] = overdue_by_staff.get(staff_id, 0) + 1
    start, end = _week(on)
    hours = {r.staff.pk: r for r in workload_report(user=user, start=start, end=end)}
    makeups = dict(
        open_makeups_owned(on=on)
        .filter(owner_id__in=[s.pk for s in staff], student__in=students_visible_to(user=user))
        .values_list("owner_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        TeamRow(
            staff=s,
            total=by_staff.get(s.pk, LedgerSum()),
            students_behind=len(behind.get(s.pk, ())),
            overdue=overdue_by_staff.get(s.pk, 0),
            hours=hours.get(s.pk),
            makeups=makeups.get(s.pk, 0),
        )
        for s in staff
    ]


def district_dashboard(*, user: User, on: dt.date) -> list[SchoolRow]:
    """Per school: this period's minutes, fidelity, owed, students behind pace."""
    if user.role != Role.DISTRICT_ADMIN:
        raise PermissionDenied("The district dashboard is for district administrators.")
    cal = district_calendar(district_id=user.district_id, on=on)
    students = students_visible_to(user=user)
    lines = mandate_lines(students=students, on=on, cal=cal) if cal else []
    by_school = sum_by(lines, lambda ml: ml.school_id)
    behind: dict[int, set[int]] = {}
    counted: dict[int, set[int]] = {}
    for ml in lines:
        counted.setdefault(ml.school_id, set()).add(ml.student_id)
        if ml.line.behind_pace:
            behind.setdefault(ml.school_id, set()).add(ml.student_id)
    schools = (
        School.objects.filter(district_id=user.district_id)
        .annotate(n=Count("students", filter=Q(students__plans__status="active"), distinct=True))
        .order_by("name")
    )
    return [
        SchoolRow(
            school=s,
            total=by_school.get(s.pk, LedgerSum()),
            students=len(counted.get(s.pk, ())),
            students_behind=len(behind.get(s.pk, ())),
        )
        for s in schools
    ]
