"""Who may see which student, and how much of the record.

This module is the single place where access by role and caseload is decided. Every page, API
call and export that shows a student starts from `students_visible_to` (the rows) and
`record_scope_for` (the parts of the record). Rules:

- nobody ever sees another district's students; the platform operator (no district) sees none
  in the application (she works in the back office);
- district administrator: every student of her district;
- OT supervisor: students currently on the caseload of a therapist she supervises;
- therapist: students currently on her own caseload, and, for an OTR/L, those of the COTAs
  she supervises;
- teacher: students currently enrolled in her classes, and only the classroom scope;
- parent: her own children (students she is a guardian of with a login).
"""

from __future__ import annotations

import datetime as dt
import enum

from django.db.models import Q, QuerySet
from django.utils import timezone

from schoolot.accounts.models import Role, User
from schoolot.directory.models import CaseloadAssignment, Staff, Student


class RecordScope(enum.Enum):
    """How much of a student's record a role sees."""

    NONE = "none"
    CLASSROOM = "classroom"  # accommodations, strategies, services in words, providers
    FULL = "full"  # plan, goals, mandates, team, guardians, identifiers


def current_assignments(*, on: dt.date | None = None) -> QuerySet[CaseloadAssignment]:
    """Caseload assignments in force on `on` (default today)."""
    on = on or timezone.localdate()
    return CaseloadAssignment.objects.filter(start_date__lte=on).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on)
    )


def serving_assignments(*, on: dt.date | None = None) -> QuerySet[CaseloadAssignment]:
    """The assignments in force on `on` whose therapist schedules and sees the student in
    sessions: her COTA's where her OTR gave her sessions to a COTA, else her OTR's. (Her OTR
    still sees her record and answers for her plan.)"""
    current = current_assignments(on=on)
    with_cota = current.filter(role=CaseloadAssignment.Role.COTA).values("student_id")
    return current.exclude(
        Q(role=CaseloadAssignment.Role.PRIMARY_OTR) & Q(student_id__in=with_cota)
    )


def caseload_staff_ids(*, user: User) -> QuerySet | None:
    """The staff whose caseloads `user` sees through (None: not a caseload-based role)."""
    if user.role == Role.SUPERVISOR:
        return Staff.objects.filter(district_id=user.district_id, supervisor__user=user).values(
            "pk"
        )
    if user.role == Role.THERAPIST:
        return (
            Staff.objects.filter(district_id=user.district_id)
            .filter(Q(user=user) | Q(supervising_otr__user=user))
            .values("pk")
        )
    return None


def students_visible_to(*, user: User) -> QuerySet[Student]:
    """The students whose record `user` may open (never across districts)."""
    if not user.is_authenticated or not user.is_active or user.district_id is None:
        return Student.objects.none()
    students = Student.objects.filter(district_id=user.district_id)
    if user.role == Role.DISTRICT_ADMIN:
        return students
    staff_ids = caseload_staff_ids(user=user)
    if staff_ids is not None:
        on_caseload = current_assignments().filter(staff_id__in=staff_ids).values("student_id")
        return students.filter(pk__in=on_caseload)
    if user.role == Role.TEACHER:
        return students.filter(
            pk__in=Student.objects.filter(enrollments__school_class__teacher__user=user).values(
                "pk"
            )
        )
    if user.role == Role.PARENT:
        return students.filter(pk__in=Student.objects.filter(guardians__user=user).values("pk"))
    return Student.objects.none()


def record_scope_for(*, user: User) -> RecordScope:
    """How much of a visible student's record `user`'s role shows."""
    if not user.is_authenticated or user.district_id is None:
        return RecordScope.NONE
    if user.role in {Role.DISTRICT_ADMIN, Role.SUPERVISOR, Role.THERAPIST, Role.PARENT}:
        return RecordScope.FULL
    if user.role == Role.TEACHER:
        return RecordScope.CLASSROOM
    return RecordScope.NONE


def sees_staff_filter(*, user: User) -> bool:
    """Whether the caseload page offers a filter by therapist (people who see several)."""
    return user.role in {Role.DISTRICT_ADMIN, Role.SUPERVISOR}


def district_role_access(*, user: User, readers, editors, refusal: str) -> bool:
    """Whether `user` may change (True) or only read (False) a page of her district's set up
    (bell schedules, the school calendar): an active user of a district whose role is among
    `editors` changes it, among `readers` reads it. PermissionDenied(`refusal`) for anyone
    else (another role, the platform operator, who has no district)."""
    from django.core.exceptions import PermissionDenied

    if (
        not user.is_authenticated
        or not user.is_active
        or user.district_id is None
        or user.role not in readers
    ):
        raise PermissionDenied(refusal)
    return user.role in editors
