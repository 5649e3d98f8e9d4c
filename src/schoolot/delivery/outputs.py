"""What one session entry yields besides the note: the student's service log, the Medicaid
billing export with its exceptions, and the provider timesheet. Reads only, through the
access rules; a constant number of queries for any date range.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from schoolot.accounts.models import Role, User
from schoolot.core.access import RecordScope, record_scope_for, students_visible_to
from schoolot.delivery.models import (
    Consultation,
    ConsultationStudent,
    ServiceCodeLine,
    Session,
    SessionStudent,
)
from schoolot.directory.models import District, Staff, Student
from schoolot.plans.models import ServiceMandate
from schoolot.rules.billing import GROUP_CODE, TIMED_CODES, UNTIMED_CODES, timed_units

# -- the student's service log --------------------------------------------------------------


@dataclass
class ServiceLog:
    student: Student
    entries: list[SessionStudent]
    consultations: list[ConsultationStudent]


def service_log_get(
    *, user: User, student_id: int, start: dt.date | None = None, end: dt.date | None = None
) -> ServiceLog:
    """Every session entry and consultation about the student, newest first. Only for users
    who see the student's full record (teachers and others: 404)."""
    student = students_visible_to(user=user).filter(pk=student_id).select_related("school").first()
    if student is None or record_scope_for(user=user) is not RecordScope.FULL:
        raise Http404("No such student.")
    entries = SessionStudent.objects.filter(student=student)
    consults = ConsultationStudent.objects.filter(student=student)
    if start:
        entries, consults = entries.filter(date__gte=start), consults.filter(date__gte=start)
    if end:
        entries, consults = entries.filter(date__lte=end), consults.filter(date__lte=end)
    return ServiceLog(
        student=student,
        entries=list(
            entries.select_related(
                "session__therapist__user", "session__signed_by__user", "mandate", "makeup_for"
            )
            .prefetch_related("codes", "makeups")
            .order_by("-date", "-session__start_time")
        ),
        consultations=list(
            consults.select_related("consultation__therapist__user", "mandate").order_by("-date")
        ),
    )


# -- who sees whose sessions ------------------------------------------------------------------


def therapists_visible_to(*, user: User) -> QuerySet[Staff]:
    """Whose sessions `user` may export: her own; a supervisor her team; an admin all."""
    staff = Staff.objects.filter(district_id=user.district_id, user__role=Role.THERAPIST)
    if user.role == Role.DISTRICT_ADMIN:
        return staff
    if user.role == Role.SUPERVISOR:
        return staff.filter(supervisor__user=user)
    if user.role == Role.THERAPIST:
        return staff.filter(user=user)
    raise PermissionDenied("Exports are for the OT team.")


# -- Medicaid billing -------------------------------------------------------------------------


@dataclass
class BillingRow:
    entry: SessionStudent
    code: str
    minutes: int
    units: int
    group_size: int


@dataclass
class BillingException:
    date: dt.date
    student: Student
    therapist: Staff
    what: str
    minutes: int
    reasons: list[str] = field(default_factory=list)
    session_id: int | None = None


@dataclass
class BillingExport:
    district: District
    start: dt.date
    end: dt.date
    rows: list[BillingRow]
    exceptions: list[BillingException]

    @property
    def total_units(self) -> int:
        return sum(r.units for r in self.rows)


def _distribute(units: int, entries_minutes: list[tuple[int, int]]) -> dict[int, int]:
    """Share a code's units for a day among its entries: full 15-minute units first, the rest
    to the largest remainders; the shares add up to `units`."""
    shares = {key: minutes // 15 for key, minutes in entries_minutes}
    left = units - sum(shares.values())
    if left < 0:  # the day's total gave fewer units than the entries' full units
        for key, _ in sorted(entries_minutes, key=lambda km: km[1]):
            take = min(shares[key], -left)
            shares[key] -= take
            left += take
            if left == 0:
                break
    for key, _ in sorted(entries_minutes, key=lambda km: (-(km[1] % 15), -km[1], km[0])):
        if left <= 0:
            break
        shares[key] += 1
        left -= 1
    return shares


def _entries_share(entries: list[SessionStudent]) -> None:
    """Give the entries their students (with schools), mandates (with plans) and the
    sessions' therapists and signers (with users), each loaded once and shared: a district's
    month is tens of thousands of entries for a few thousand students and a few hundred
    therapists, and one copy per entry (select_related) cost most of the export's time."""
    students = Student.objects.select_related("school").in_bulk({e.student_id for e in entries})
    mandates = ServiceMandate.objects.select_related("plan").in_bulk(
        {e.mandate_id for e in entries}
    )
    staff = Staff.objects.select_related("user").in_bulk(
        {e.session.therapist_id for e in entries}
        | {e.session.signed_by_id for e in entries if e.session.signed_by_id}
    )
    for e in entries:
        e.student = students[e.student_id]
        e.mandate = mandates[e.mandate_id]
        e.session.therapist = staff[e.session.therapist_id]
        e.session.signed_by = staff.get(e.session.signed_by_id)


def billing_export(*, user: User, start: dt.date, end: dt.date) -> BillingExport:
    """Billable student-session-code rows for [start, end] with units, and the exceptions.

    Units: the district's method (CMS 8-minute rule or per code) over each student's timed
    minutes of a day with one provider; 97150 (group) one unit per participant per session.
    An entry is an exception, with every reason that applies, when: the student missed the
    session; the note is unsigned or awaits its co-signature; the student has no Medicaid ID or
    no billing consent dated on or before the session; the service is not billable
    (consultation mandates); the session falls outside the plan's dates. Consultations in the
    range are listed as exceptions too: consultation with a teacher is not billable.
    """
    if end < start:
        raise ValueError("The period must end after it starts.")
    district = District.objects.get(pk=user.district_id)
    therapists = therapists_visible_to(user=user)
    in_range = SessionStudent.objects.filter(
        session__therapist__in=therapists, date__range=(start, end)
    )
    entries = list(
        in_range.select_related("session").order_by(
            "date", "session__start_time", "student__last_name"
        )
    )
    _entries_share(entries)
    # Each entry's service codes, read by the same filter rather than a list of every id.
    codes_of: dict[int, list[ServiceCodeLine]] = defaultdict(list)
    for c in ServiceCodeLine.objects.filter(entry__in=in_range).order_by("id"):
        codes_of[c.entry_id].append(c)
    group_sizes: dict[int, int] = defaultdict(int)
    for e in entries:
        if e.attendance == SessionStudent.Attendance.PRESENT:
            group_sizes[e.session_id] += 1

    billable: list[SessionStudent] = []
    exceptions: list[BillingException] = []
    for e in entries:
        reasons = []
        s, student, plan = e.session, e.student, e.mandate.plan
        if e.attendance != SessionStudent.Attendance.PRESENT:
            reasons.append("missed session: no service delivered")
        if not s.is_signed:
            reasons.append("note not signed")
        elif s.awaits_cosign:
            reasons.append("awaiting the supervising OTR's co-signature")
        if not student.medicaid_id:
            reasons.append("no Medicaid ID")
        if not student.medicaid_billing_consent or student.medicaid_billing_consent > e.date:
            reasons.append("no Medicaid billing consent")
        if e.mandate.service != ServiceMandate.Service.OT:
            reasons.append("not a billable service")
        if not plan.start_date <= e.date <= plan.end_date:
            reasons.append("outside the plan's dates")
        codes = [c for c in codes_of[e.pk] if c.code in TIMED_CODES | UNTIMED_CODES]
        if e.attendance == SessionStudent.Attendance.PRESENT and not codes:
            reasons.append("no billable service code")
        if reasons:
            exceptions.append(
                BillingException(
                    date=e.date,
                    student=student,
                    therapist=s.therapist,
                    what=f"{s.get_kind_display()} session {s.start_time:%H:%M}",
                    minutes=e.minutes,
                    reasons=reasons,
                    session_id=s.pk,
                )
            )
        else:
            billable.append(e)

    # Timed units per student, day and provider.
    day_minutes: dict[tuple, dict[str, list[tuple[int, int]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for e in billable:
        for c in codes_of[e.pk]:
            if c.code in TIMED_CODES:
                day_minutes[(e.student_id, e.date, e.session.therapist_id)][c.code].append(
                    (c.pk, c.minutes)
                )
    units_by_line: dict[int, int] = {}
    for by_code in day_minutes.values():
        totals = {code: sum(m for _, m in lines) for code, lines in by_code.items()}
        day_units = timed_units(totals, district.billing_units_method)
        for code, lines in by_code.items():
            units_by_line.update(_distribute(day_units[code], lines))

    rows = []
    for e in billable:
        for c in codes_of[e.pk]:
            if c.code in TIMED_CODES:
                units = units_by_line.get(c.pk, 0)
            elif c.code in UNTIMED_CODES:
                units = 1 if c.minutes > 0 else 0  # 97150: one unit for this participant
            else:
                continue
            rows.append(
                BillingRow(
                    entry=e,
                    code=c.code,
                    minutes=c.minutes,
                    units=units,
                    group_size=group_sizes[e.session_id],
                )
            )

    for cs in ConsultationStudent.objects.filter(
        consultation__therapist__in=therapists, date__range=(start, end)
    ).select_related("student__school", "consultation__therapist__user"):
        exceptions.append(
            BillingException(
                date=cs.date,
                student=cs.student,
                therapist=cs.consultation.therapist,
                what=f"Consultation with {cs.consultation.with_name}",
                minutes=cs.minutes,
                reasons=["consultation is not billable"],
            )
        )
    exceptions.sort(key=lambda x: (x.date, x.student.last_name))
    return BillingExport(district=district, start=start, end=end, rows=rows, exceptions=exceptions)


BILLING_HEADER = [
    "date",
    "student",
    "student_id",
    "medicaid_id",
    "date_of_birth",
    "diagnosis_codes",
    "provider_agency",
    "provider",
    "credential",
    "npi",
    "signed_at",
    "cosigned_at",
    "place_of_service",
    "school",
    "begin_time",
    "end_time",
    "group_or_individual",
    "group_size",
    "service_code",
    "minutes",
    "units",
]


def billing_csv_rows(export: BillingExport):
    yield BILLING_HEADER
    for r in export.rows:
        e, s, st = r.entry, r.entry.session, r.entry.student
        yield [
            e.date.isoformat(),
            st.full_name,
            st.local_id,
            st.medicaid_id,
            st.date_of_birth.isoformat(),
            st.diagnosis_codes,
            export.district.name,
            s.therapist.user.display_name,
            s.therapist.credential,
            s.therapist.npi,
            s.signed_at.isoformat() if s.signed_at else "",
            s.cosigned_at.isoformat() if s.cosigned_at else "",
            s.get_setting_display(),
            st.school.name,
            f"{s.start_time:%H:%M}",
            f"{s.end_time:%H:%M}",
            "group" if r.code == GROUP_CODE or r.group_size > 1 else "individual",
            r.group_size,
            r.code,
            r.minutes,
            r.units,
        ]


def exceptions_csv_rows(export: BillingExport):
    yield ["date", "student", "student_id", "provider", "what", "minutes", "reasons"]
    for x in export.exceptions:
        yield [
            x.date.isoformat(),
            x.student.full_name,
            x.student.local_id,
            x.therapist.user.display_name,
            x.what,
            x.minutes,
            "; ".join(x.reasons),
        ]


# -- provider timesheet -----------------------------------------------------------------------


@dataclass
class TimesheetDay:
    date: dt.date
    schools: list[str]
    sessions: int = 0
    direct_minutes: int = 0
    missed_sessions: int = 0
    consultation_minutes: int = 0
    legs: list = field(default_factory=list)  # schedules.selectors.Leg, her drives in order

    @property
    def total_minutes(self) -> int:
        return self.direct_minutes + self.consultation_minutes

    @property
    def miles(self) -> float:
        """The road miles of her drives between schools that day, of those with a known
        distance (a school without a location has none)."""
        return round(sum(leg.miles for leg in self.legs if leg.miles is not None), 1)

    @property
    def legs_unknown(self) -> int:
        return sum(leg.miles is None for leg in self.legs)


def timesheet(*, user: User, staff_id: int | None, start: dt.date, end: dt.date):
    """Per day for one therapist: schools, sessions, direct minutes (a group session's
    minutes once), sessions missed entirely, consultation minutes, and her drives between
    schools with their road miles, for her mileage log (schedules.selectors.logged_legs_get:
    the stops of her logged sessions and her fixed time at schools)."""
    from schoolot.schedules.selectors import logged_legs_get

    allowed = therapists_visible_to(user=user).select_related("user")
    if staff_id:
        staff = allowed.filter(pk=staff_id).first()
    else:  # her own; a supervisor or administrator starts with the first she oversees
        staff = (
            allowed.filter(user=user).first()
            or allowed.order_by("user__last_name", "user__first_name").first()
        )
    if staff is None:
        raise Http404("No such therapist.")
    days: dict[dt.date, TimesheetDay] = {}
    sessions = (
        Session.objects.filter(therapist=staff, date__range=(start, end))
        .select_related("school")
        .prefetch_related(
            Prefetch(
                "students", queryset=SessionStudent.objects.only("id", "session_id", "attendance")
            )
        )
        .order_by("date", "start_time")
    )
    for s in sessions:
        day = days.setdefault(s.date, TimesheetDay(date=s.date, schools=[]))
        if s.school.name not in day.schools:
            day.schools.append(s.school.name)
        if any(e.attendance == "present" for e in s.students.all()):
            day.sessions += 1
            day.direct_minutes += s.minutes
        else:
            day.missed_sessions += 1
    for c in Consultation.objects.filter(therapist=staff, date__range=(start, end)):
        day = days.setdefault(c.date, TimesheetDay(date=c.date, schools=[]))
        day.consultation_minutes += c.minutes
    for date, legs in logged_legs_get(staff=staff, dates=list(days)).items():
        days[date].legs = legs
    return staff, [days[d] for d in sorted(days)]
