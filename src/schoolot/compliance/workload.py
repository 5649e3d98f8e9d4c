"""Workload: record time in 15-minute blocks; report hours by category per therapist.

Logged sessions with at least one student present count as direct service, consultations as
indirect service, on their own; a therapist records the rest (planning, documentation,
meetings, screening, evaluations, travel) as workload entries. The report sets hours beside
the caseload count and per FTE: the workload approach of DOMAIN.md 6.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Sum
from django.utils import timezone

from schoolot.accounts.models import Role, User
from schoolot.compliance.models import BLOCK_MINUTES, WorkloadCategory, WorkloadEntry
from schoolot.core.access import current_assignments
from schoolot.delivery.models import Consultation, Session, SessionStudent
from schoolot.directory.models import Staff

MAX_BLOCKS_A_DAY = 48  # 12 hours


def workload_entry_add(
    *, user: User, date: dt.date, category: str, blocks: int, note: str = ""
) -> WorkloadEntry:
    """Record time. Refuses: someone without a staff record in a therapy role; a future date;
    a category not in the list; fewer than 1 or more than 48 blocks, or a day past 12 hours of
    recorded entries."""
    if user.role not in {Role.THERAPIST, Role.SUPERVISOR}:
        raise PermissionDenied("Workload is recorded by therapists and supervisors.")
    staff = Staff.objects.filter(user=user, district_id=user.district_id).first()
    if staff is None:
        raise PermissionDenied("Your login has no staff record.")
    errors: dict[str, list[str]] = {}
    if date > timezone.localdate():
        errors.setdefault("date", []).append("Record time once it has been spent.")
    if category not in WorkloadCategory.values:
        errors.setdefault("category", []).append("Choose a category.")
    if not 1 <= blocks <= MAX_BLOCKS_A_DAY:
        errors.setdefault("blocks", []).append("Between 1 and 48 blocks of 15 minutes.")
    else:
        already = (
            WorkloadEntry.objects.filter(staff=staff, date=date).aggregate(n=Sum("blocks"))["n"]
            or 0
        )
        if already + blocks > MAX_BLOCKS_A_DAY:
            errors.setdefault("blocks", []).append(
                f"That day already has {already * BLOCK_MINUTES // 60} h "
                f"{already * BLOCK_MINUTES % 60} min recorded; a day holds at most 12 hours."
            )
    if errors:
        raise ValidationError(errors)
    return WorkloadEntry.objects.create(
        district_id=staff.district_id,
        staff=staff,
        date=date,
        category=category,
        blocks=blocks,
        note=note.strip()[:200],
    )


def staff_for_report(*, user: User):
    """Whose workload the user sees: her own; a supervisor her team; an admin the district."""
    therapists = Staff.objects.filter(district_id=user.district_id, user__role=Role.THERAPIST)
    if user.role == Role.DISTRICT_ADMIN:
        return therapists
    if user.role == Role.SUPERVISOR:
        return therapists.filter(supervisor__user=user)
    if user.role == Role.THERAPIST:
        return therapists.filter(user=user)
    raise PermissionDenied("Workload reports are for the OT team.")


@dataclass
class WorkloadRow:
    staff: Staff
    caseload: int
    minutes: dict[str, int] = field(default_factory=dict)

    @property
    def total_minutes(self) -> int:
        return sum(self.minutes.values())

    def hours(self, category: str) -> Decimal:
        return (Decimal(self.minutes.get(category, 0)) / 60).quantize(Decimal("0.1"))

    @property
    def total_hours(self) -> Decimal:
        return (Decimal(self.total_minutes) / 60).quantize(Decimal("0.1"))

    @property
    def hours_per_fte(self) -> Decimal | None:
        if not self.staff.fte:
            return None
        return (Decimal(self.total_minutes) / 60 / self.staff.fte).quantize(Decimal("0.1"))


def workload_report(*, user: User, start: dt.date, end: dt.date) -> list[WorkloadRow]:
    """Hours by category per therapist over [start, end], in five queries."""
    staff = list(
        staff_for_report(user=user)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    ids = [s.pk for s in staff]
    rows = {s.pk: WorkloadRow(staff=s, caseload=0) for s in staff}
    for r in (
        current_assignments()
        .filter(staff_id__in=ids)
        .values("staff_id")
        .annotate(n=Count("student_id", distinct=True))
    ):
        rows[r["staff_id"]].caseload = r["n"]
    present = SessionStudent.objects.filter(session=OuterRef("pk"), attendance="present")
    for r in (
        Session.objects.filter(therapist_id__in=ids, date__range=(start, end))
        .filter(Exists(present))
        .values("therapist_id")
        .annotate(m=Sum("minutes"))
    ):
        rows[r["therapist_id"]].minutes[WorkloadCategory.DIRECT] = r["m"] or 0
    for r in (
        Consultation.objects.filter(therapist_id__in=ids, date__range=(start, end))
        .values("therapist_id")
        .annotate(m=Sum("minutes"))
    ):
        row = rows[r["therapist_id"]]
        row.minutes[WorkloadCategory.INDIRECT] = row.minutes.get(WorkloadCategory.INDIRECT, 0) + (
            r["m"] or 0
        )
    for r in (
        WorkloadEntry.objects.filter(staff_id__in=ids, date__range=(start, end))
        .values("staff_id", "category")
        .annotate(b=Sum("blocks"))
    ):
        row = rows[r["staff_id"]]
        row.minutes[r["category"]] = row.minutes.get(r["category"], 0) + r["b"] * BLOCK_MINUTES
    return [rows[i] for i in ids]


@dataclass(frozen=True)
class DrivesToRecord:
    """A day on which she drove between schools (by her logged sessions, else her week) and
    has recorded no travel yet."""

    date: dt.date
    minutes: int  # the driving her logged sessions show that day, else her week implies
    logged: bool = False  # from her logged sessions (else from her week)

    @property
    def blocks(self) -> int:
        """The drive in 15-minute blocks, to the nearest block (at least one)."""
        return max(1, (self.minutes + BLOCK_MINUTES // 2) // BLOCK_MINUTES)


def drives_to_record_get(*, user: User, on: dt.date, days: int = 7) -> list[DrivesToRecord]:
    """The days of the `days` up to `on` on which she drove between schools and has no
    travel entry of hers yet, oldest first: what she can record as travel in one step. A day
    she logged sessions on counts the drives between them (schedules.selectors.
    logged_drives_get: what she did, even after her week was rebuilt, with her meetings at
    schools); any other school day, the drives her week implies (week_drives_get). Empty for
    anyone without sessions or a week. Eleven queries (twelve when she keeps planning time),
    whatever the number of days."""
    from schoolot.schedules.selectors import logged_drives_get, week_drives_get

    staff = Staff.objects.filter(user=user, district_id=user.district_id).first()
    if staff is None:
        return []
    dates = [on - dt.timedelta(days=n) for n in range(days - 1, -1, -1)]
    from_logs = logged_drives_get(staff=staff, dates=dates)
    drives = {d: (m, True) for d, m in from_logs.items() if m}
    week = week_drives_get(staff=staff, dates=[d for d in dates if d not in from_logs])
    drives.update({d: (m, False) for d, m in week.items()})
    if not drives:
        return []
    recorded = set(
        WorkloadEntry.objects.filter(
            staff=staff, category=WorkloadCategory.TRAVEL, date__in=list(drives)
        ).values_list("date", flat=True)
    )
    return [
        DrivesToRecord(d, minutes, logged)
        for d, (minutes, logged) in sorted(drives.items())
        if d not in recorded
    ]
