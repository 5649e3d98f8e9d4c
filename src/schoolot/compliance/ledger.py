"""The minutes ledger over the district's records: rows in, `rules.minutes` lines out.

`mandate_lines` reads, in a fixed number of queries, the mandates of the given students that
are in force on a day, their session and consultation entries for each mandate's current
period (and the make-ups that credit it), and returns one ledger line per mandate. Sums per
student, therapist, school and district are `rules.minutes.ledger_sum` over those lines.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet

from schoolot.core.access import current_assignments
from schoolot.delivery.models import ConsultationStudent, SessionStudent
from schoolot.directory.models import ReportingPeriod, Student
from schoolot.directory.selectors import school_year_ahead_get
from schoolot.plans.models import Plan, ServiceMandate
from schoolot.rules import minutes as rules
from schoolot.rules.calendar import SchoolCalendar


@dataclass
class MandateLine:
    mandate_id: int
    student_id: int
    school_id: int
    line: rules.LedgerLine
    therapist_ids: tuple[int, ...]
    # Loaded only when asked for (a therapist's page shows them; district sums need not).
    mandate: ServiceMandate | None = None
    student: Student | None = None


@dataclass
class DistrictCalendar:
    calendar: SchoolCalendar  # the district's: its breaks, holidays and closures
    year: rules.Period
    quarters: list[rules.Period]
    # The calendars of the schools with closures of their own (CalendarEvent.school).
    school_calendars: dict[int, SchoolCalendar] = field(default_factory=dict)

    def calendar_for(self, school_id: int | None) -> SchoolCalendar:
        """The calendar a student of that school is owed minutes by: a day her school alone
        is closed owes nothing there, as a district closure owes nothing anywhere."""
        return self.school_calendars.get(school_id, self.calendar)


def district_calendar(*, district_id: int, on: dt.date) -> DistrictCalendar | None:
    """The school year containing `on` (or the next one, in summer), with its quarters."""
    year = school_year_ahead_get(district_id=district_id, on=on)
    if year is None:
        return None
    quarters = [
        rules.Period(p.start_date, p.end_date, p.name)
        for p in ReportingPeriod.objects.filter(school_year=year).order_by("start_date")
    ]
    schools = {e.school_id for e in year.events.all() if e.school_id is not None}
    return DistrictCalendar(
        calendar=year.calendar(),
        year=rules.Period(year.first_day, year.last_day, year.name),
        quarters=quarters,
        school_calendars={pk: year.calendar(school_id=pk) for pk in schools},
    )


def mandate_lines(
    *,
    students: QuerySet[Student],
    on: dt.date,
    cal: DistrictCalendar,
    with_objects: bool = False,
) -> list[MandateLine]:
    """One ledger line per mandate in force on `on` for `students`, for the mandate's period
    containing `on`. A fixed number of queries whatever the number of students; rows are read
    as tuples, and the mandate and student objects are loaded only `with_objects`."""
    student_ids = students.values("pk")
    mandates = list(
        ServiceMandate.objects.filter(
            plan__student__in=student_ids,
            plan__status=Plan.Status.ACTIVE,
            start_date__lte=on,
            end_date__gte=on,
        ).values_list(
            "pk",
            "minutes_per_session",
            "sessions_per_period",
            "period",
            "start_date",
            "end_date",
            "plan__student_id",
            "plan__student__school_id",
        )
    )
    periods: dict[int, rules.Period] = {}
    cache: dict[str, rules.Period | None] = {}
    for m in mandates:
        pk, period = m[0], m[3]
        if period not in cache:
            try:
                cache[period] = rules.period_of(on, period, quarters=cal.quarters, year=cal.year)
            except rules.MinutesError:
                cache[period] = None
        if cache[period] is not None:
            periods[pk] = cache[period]
    mandates = [m for m in mandates if m[0] in periods]
    if not mandates:
        return []
    fields = (
        "pk",
        "mandate_id",
        "date",
        "attendance",
        "minutes",
        "missed_reason",
        "makeup_owed",
        "makeup_for_id",
    )
    # One query per kind of period in use (at most four): each reads only its own window.
    rows = []
    for kind, window in cache.items():
        if window is None:
            continue
        rows += SessionStudent.objects.filter(
            student_id__in=student_ids,
            date__range=(window.start, window.end),
            mandate__period=kind,
        ).values_list(*fields)
    seen = {r[0] for r in rows}
    # Later make-ups of this window's missed entries, and the earlier missed entries that
    # this window's make-ups make up: the ledger needs both to credit each minute once.
    owed_here = [r[0] for r in rows if r[6]]
    if owed_here:
        rows += [
            r
            for r in SessionStudent.objects.filter(makeup_for_id__in=owed_here).values_list(*fields)
            if r[0] not in seen
        ]
        seen = {r[0] for r in rows}
    targets = [r[7] for r in rows if r[7] and r[7] not in seen]
    if targets:
        rows += list(SessionStudent.objects.filter(pk__in=targets).values_list(*fields))
    wanted = set(periods)
    entries: dict[int, list[rules.Entry]] = defaultdict(list)
    for pk, mandate_id, date, attendance, minutes, reason, owed, makeup_for in rows:
        if mandate_id in wanted:
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
    # Consultation minutes count toward consultation mandates (negative ids: another table).
    consultation_rows = []
    for kind, window in cache.items():
        if window is not None:
            consultation_rows += ConsultationStudent.objects.filter(
                student_id__in=student_ids,
                date__range=(window.start, window.end),
                mandate__period=kind,
            ).values_list("pk", "mandate_id", "date", "minutes")
    for pk, mandate_id, date, minutes in consultation_rows:
        if mandate_id in wanted:
            entries[mandate_id].append(
                rules.Entry(id=-pk, date=date, kind=rules.DELIVERED, minutes=minutes)
            )
    therapists: dict[int, list[int]] = defaultdict(list)
    for staff_id, student_id in (
        current_assignments(on=on)
        .filter(student_id__in=student_ids)
        .values_list("staff_id", "student_id")
    ):
        therapists[student_id].append(staff_id)
    result = []
    for pk, per_session, sessions, period, start, end, student_id, school_id in mandates:
        rule_mandate = rules.Mandate(
            minutes_per_session=per_session,
            sessions_per_period=sessions,
            period=period,
            start=start,
            end=end,
        )
        line = rules.ledger(
            mandate=rule_mandate,
            periods=[periods[pk]],
            entries=entries.get(pk, ()),
            calendar=cal.calendar_for(school_id),
            today=on,
        )[0]
        result.append(
            MandateLine(
                mandate_id=pk,
                student_id=student_id,
                school_id=school_id,
                line=line,
                therapist_ids=tuple(therapists.get(student_id, ())),
            )
        )
    if with_objects:
        objects = ServiceMandate.objects.select_related("plan__student__school").in_bulk(
            [ml.mandate_id for ml in result]
        )
        for ml in result:
            ml.mandate = objects[ml.mandate_id]
            ml.student = ml.mandate.plan.student
    return result


def sum_by(lines: list[MandateLine], key) -> dict:
    """ledger_sum over lines grouped by key(line) (a line may belong to several keys)."""
    groups: dict = defaultdict(list)
    for ml in lines:
        keys = key(ml)
        for k in keys if isinstance(keys, tuple | list) else (keys,):
            groups[k].append(ml.line)
    return {k: rules.ledger_sum(v) for k, v in groups.items()}


@dataclass
class StudentLedger:
    student: Student
    mandates: list[tuple[ServiceMandate, list[rules.LedgerLine], rules.LedgerSum]]


def student_ledger(*, student: Student, on: dt.date, cal: DistrictCalendar) -> StudentLedger:
    """Every period of the school year so far for each of the student's mandates in force
    this year, with the year's sums: the full ledger behind the dashboards' current line."""
    mandates = list(
        ServiceMandate.objects.filter(
            plan__student=student,
            plan__status=Plan.Status.ACTIVE,
            end_date__gte=cal.year.start,
            start_date__lte=on,
        ).order_by("pk")
    )
    entries: dict[int, list[rules.Entry]] = defaultdict(list)
    for (
        pk,
        mandate_id,
        date,
        attendance,
        minutes,
        reason,
        owed,
        makeup_for,
    ) in SessionStudent.objects.filter(student=student).values_list(
        "pk",
        "mandate_id",
        "date",
        "attendance",
        "minutes",
        "missed_reason",
        "makeup_owed",
        "makeup_for_id",
    ):
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
    for pk, mandate_id, date, minutes in ConsultationStudent.objects.filter(
        student=student, mandate__isnull=False
    ).values_list("pk", "mandate_id", "date", "minutes"):
        entries[mandate_id].append(
            rules.Entry(id=-pk, date=date, kind=rules.DELIVERED, minutes=minutes)
        )
    result = []
    for m in mandates:
        start = max(m.start_date, cal.year.start)
        end = min(m.end_date, on, cal.year.end)
        periods = rules.periods_between(start, end, m.period, quarters=cal.quarters, year=cal.year)
        lines = rules.ledger(
            mandate=rules.Mandate(
                m.minutes_per_session, m.sessions_per_period, m.period, m.start_date, m.end_date
            ),
            periods=periods,
            entries=entries.get(m.pk, ()),
            calendar=cal.calendar_for(student.school_id),
            today=on,
        )
        lines = [ln for ln in lines if ln.required or ln.credited or ln.missed_total]
        result.append((m, list(reversed(lines)), rules.ledger_sum(lines)))
    return StudentLedger(student=student, mandates=result)
