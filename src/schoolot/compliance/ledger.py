"""The minutes ledger over the district's records: rows in, `rules.minutes` lines out.

`mandate_lines` reads, in a fixed number of queries, the mandates of the given students that
are in force on a day, their session and consultation entries for each mandate's current
period (and the make-ups that credit it), and returns one ledger line per mandate. Sums per
student, therapist, school and district are `rules.minutes.ledger_sum` over those lines.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from schoolot.core.access import current_assignments
from schoolot.delivery.models import ConsultationStudent, SessionStudent
from schoolot.directory.models import ReportingPeriod, SchoolYear, Student
from schoolot.plans.models import Plan, ServiceMandate
from schoolot.rules import minutes as rules
from schoolot.rules.calendar import SchoolCalendar


@dataclass
class MandateLine:
    mandate: ServiceMandate
    student: Student
    line: rules.LedgerLine
    therapist_ids: tuple[int, ...]


@dataclass
class DistrictCalendar:
    calendar: SchoolCalendar
    year: rules.Period
    quarters: list[rules.Period]


def district_calendar(*, district_id: int, on: dt.date) -> DistrictCalendar | None:
    """The school year containing `on` (or the next one, in summer), with its quarters."""
    year = (
        SchoolYear.objects.filter(district_id=district_id, last_day__gte=on)
        .prefetch_related("events")
        .order_by("first_day")
        .first()
    )
    if year is None:
        return None
    quarters = [
        rules.Period(p.start_date, p.end_date, p.name)
        for p in ReportingPeriod.objects.filter(school_year=year).order_by("start_date")
    ]
    return DistrictCalendar(
        calendar=year.calendar(),
        year=rules.Period(year.first_day, year.last_day, year.name),
        quarters=quarters,
    )


def _period(mandate: ServiceMandate, on: dt.date, cal: DistrictCalendar) -> rules.Period | None:
    try:
        return rules.period_of(on, mandate.period, quarters=cal.quarters, year=cal.year)
    except rules.MinutesError:
        return None


def mandate_lines(
    *, students: QuerySet[Student], on: dt.date, cal: DistrictCalendar
) -> list[MandateLine]:
    """One ledger line per mandate in force on `on` for `students`, for the mandate's period
    containing `on`. Five queries whatever the number of students."""
    mandates = list(
        ServiceMandate.objects.filter(
            plan__student__in=students.values("pk"),
            plan__status=Plan.Status.ACTIVE,
            start_date__lte=on,
            end_date__gte=on,
        ).select_related("plan__student__school")
    )
    periods = {}
    for m in mandates:
        p = _period(m, on, cal)
        if p is not None:
            periods[m.pk] = p
    mandates = [m for m in mandates if m.pk in periods]
    if not mandates:
        return []
    lo = min(p.start for p in periods.values())
    hi = max(p.end for p in periods.values())
    ids = [m.pk for m in mandates]
    entries: dict[int, list[rules.Entry]] = defaultdict(list)
    rows = (
        SessionStudent.objects.filter(mandate_id__in=ids)
        .filter(
            Q(date__range=(lo, hi)) | Q(makeup_for__date__range=(lo, hi)) | Q(makeups__date__gte=lo)
        )
        .values_list(
            "pk",
            "mandate_id",
            "date",
            "attendance",
            "minutes",
            "missed_reason",
            "makeup_owed",
            "makeup_for_id",
        )
        .distinct()
    )
    for pk, mandate_id, date, attendance, minutes, reason, owed, makeup_for in rows:
        entries[mandate_id].append(
            rules.Entry(
                id=pk,
                date=date,
                kind=rules.DELIVERED if attendance == "present" else rules.MISSED,
                minutes=minutes,
                reason=reason,
                makeup_owed=owed,
                makeup_for=makeup_for,
            )
        )
    # Consultation minutes count toward consultation mandates (ids far from session ids).
    for pk, mandate_id, date, minutes in ConsultationStudent.objects.filter(
        mandate_id__in=ids, date__range=(lo, hi)
    ).values_list("pk", "mandate_id", "date", "minutes"):
        entries[mandate_id].append(
            rules.Entry(id=-pk, date=date, kind=rules.DELIVERED, minutes=minutes)
        )
    therapists: dict[int, list[int]] = defaultdict(list)
    for staff_id, student_id in (
        current_assignments(on=on)
        .filter(student_id__in={m.plan.student_id for m in mandates})
        .values_list("staff_id", "student_id")
    ):
        therapists[student_id].append(staff_id)
    result = []
    for m in mandates:
        rule_mandate = rules.Mandate(
            minutes_per_session=m.minutes_per_session,
            sessions_per_period=m.sessions_per_period,
            period=m.period,
            start=m.start_date,
            end=m.end_date,
        )
        line = rules.ledger(
            mandate=rule_mandate,
            periods=[periods[m.pk]],
            entries=entries.get(m.pk, []),
            calendar=cal.calendar,
            today=on,
        )[0]
        result.append(
            MandateLine(
                mandate=m,
                student=m.plan.student,
                line=line,
                therapist_ids=tuple(therapists.get(m.plan.student_id, ())),
            )
        )
    return result


def sum_by(lines: list[MandateLine], key) -> dict:
    """ledger_sum over lines grouped by key(line) (a line may belong to several keys)."""
    groups: dict = defaultdict(list)
    for ml in lines:
        keys = key(ml)
        for k in keys if isinstance(keys, tuple | list) else (keys,):
            groups[k].append(ml.line)
    return {k: rules.ledger_sum(v) for k, v in groups.items()}
