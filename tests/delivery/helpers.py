"""What the delivery tests share: a student's OT mandate, a billable student, a student on a
caseload, a student's part of a session, a logged session, and the rows of a CSV response."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

from django.utils import timezone

from schoolot.delivery.services import SessionInput, StudentPart, session_log
from schoolot.directory.models import CaseloadAssignment, Student
from schoolot.plans.models import ServiceMandate
from tests.factories import YEAR_AGO, plan_make, student_make

TODAY = timezone.localdate()
DAY = TODAY - dt.timedelta(days=1)


def mandate_of(student) -> ServiceMandate:
    return ServiceMandate.objects.filter(plan__student=student, service="ot").first()


def billable(student, *, diagnosis_codes: str = "F82; R27.8") -> Student:
    """The student with Medicaid consent (a month before DAY) and diagnosis codes."""
    Student.objects.filter(pk=student.pk).update(
        medicaid_billing_consent=DAY - dt.timedelta(days=30), diagnosis_codes=diagnosis_codes
    )
    student.refresh_from_db()
    return student


def caseload_student(world, first, *, last="Quinn", staff="therapist") -> Student:
    """A new student of the world's school with a plan, on `staff`'s caseload for a year."""
    s = student_make(district=world.district, school=world.school, first=first, last=last)
    plan_make(student=s)
    CaseloadAssignment.objects.create(
        district=world.district, staff=world.staff[staff], student=s, start_date=YEAR_AGO
    )
    return s


def part(student, **kwargs) -> StudentPart:
    """The student's part of a session, against her OT mandate."""
    return StudentPart(student_id=student.pk, mandate_id=mandate_of(student).pk, **kwargs)


def log(
    world,
    parts,
    *,
    start=(9, 0),
    end=(9, 40),
    sign=True,
    who="therapist",
    day=DAY,
    setting="classroom",
):
    """One session through the service, as `who` enters it."""
    return session_log(
        user=world.users[who],
        data=SessionInput(
            date=day,
            start_time=dt.time(*start),
            end_time=dt.time(*end),
            setting=setting,
            parts=parts,
            submission_key=uuid.uuid4(),
            sign=sign,
        ),
    )


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))
