"""Reads for the caseload and the student record, always through the access rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from schoolot.accounts.models import Role, User
from schoolot.core.access import (
    RecordScope,
    current_assignments,
    district_role_access,
    record_scope_for,
    students_visible_to,
)
from schoolot.directory.models import (
    CalendarEvent,
    CaseloadAssignment,
    Enrollment,
    Guardian,
    ReportingPeriod,
    School,
    SchoolYear,
    Staff,
    Student,
)
from schoolot.plans.models import Plan, ServiceMandate
from schoolot.rules.calendar import weekdays_between
from schoolot.rules.cycles import assumed_first_day, cycle_week, rotation_number


@dataclass(frozen=True)
class CaseloadFilters:
    """What the caseload page was asked for; every field optional."""

    q: str = ""
    school_id: int | None = None
    plan_kind: str = ""
    grade: str = ""
    staff_id: int | None = None


def _active_plans() -> Prefetch:
    return Prefetch(
        "plans",
        queryset=Plan.objects.filter(status=Plan.Status.ACTIVE).prefetch_related(
            Prefetch("mandates", queryset=ServiceMandate.objects.order_by("id"))
        ),
        to_attr="active_plans",
    )


def current_therapists_prefetch() -> Prefetch:
    """A student's caseload assignments in force today, as `current_assignments`."""
    return Prefetch(
        "assignments",
        queryset=current_assignments().select_related("staff__user").order_by("role"),
        to_attr="current_assignments",
    )


def caseload_list(*, user: User, filters: CaseloadFilters) -> QuerySet[Student]:
    """The students `user` may see, filtered and ordered by school then name.

    Each student carries `active_plans` (with mandates) and `current_assignments` (with the
    therapist), so the page issues the same number of queries whatever the caseload size.
    """
    students = students_visible_to(user=user)
    if filters.q:
        words = filters.q.split()
        for word in words[:5]:
            students = students.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(preferred_name__icontains=word)
                | Q(local_id__iexact=word)
            )
    if filters.school_id:
        students = students.filter(school_id=filters.school_id)
    if filters.grade:
        students = students.filter(grade=filters.grade)
    if filters.plan_kind:
        students = students.filter(
            pk__in=Plan.objects.filter(status=Plan.Status.ACTIVE, kind=filters.plan_kind).values(
                "student_id"
            )
        )
    if filters.staff_id:
        students = students.filter(
            pk__in=current_assignments().filter(staff_id=filters.staff_id).values("student_id")
        )
    return (
        students.select_related("school")
        .prefetch_related(_active_plans(), current_therapists_prefetch())
        .order_by("school__name", "last_name", "first_name", "pk")
    )


def caseload_filter_choices(*, user: User) -> dict:
    """Schools and therapists to offer as filters: only those among the visible students."""
    visible = students_visible_to(user=user)
    schools = School.objects.filter(pk__in=visible.values("school_id")).order_by("name")
    staff = (
        Staff.objects.filter(
            pk__in=current_assignments().filter(student__in=visible).values("staff_id")
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    return {"schools": list(schools), "staff": list(staff)}


@dataclass
class StudentRecord:
    student: Student
    scope: RecordScope
    plan: Plan | None
    other_plans: list[Plan]
    therapists: list
    guardians: list[Guardian]

    @property
    def full(self) -> bool:
        return self.scope is RecordScope.FULL


def student_record_get(*, user: User, student_id: int) -> StudentRecord:
    """The student's record as `user` may see it; Http404 when she may not see it at all.

    404 rather than 403: a user must not learn that a student she may not see exists.
    """
    scope = record_scope_for(user=user)
    student = (
        students_visible_to(user=user)
        .select_related("school")
        .prefetch_related(current_therapists_prefetch())
        .filter(pk=student_id)
        .first()
    )
    if student is None or scope is RecordScope.NONE:
        raise Http404("No such student.")
    plans = list(
        Plan.objects.filter(student=student)
        .prefetch_related("goals", "mandates", "accommodations", "team__staff__user")
        .order_by("-start_date")
    )
    active = next((p for p in plans if p.status == Plan.Status.ACTIVE), None)
    guardians = list(student.guardians.all()) if scope is RecordScope.FULL else []
    return StudentRecord(
        student=student,
        scope=scope,
        plan=active,
        other_plans=[p for p in plans if p is not active] if scope is RecordScope.FULL else [],
        therapists=student.current_assignments,
        guardians=guardians,
    )


def school_year_ahead_get(*, district_id: int, on: dt.date) -> SchoolYear | None:
    """The district's school year holding `on`, or the next one (in summer), with its
    calendar events prefetched; None when none lies ahead. Two queries."""
    return (
        SchoolYear.objects.filter(district_id=district_id, last_day__gte=on)
        .prefetch_related("events")
        .order_by("first_day")
        .first()
    )


def rotation_get(*, district_id: int, day: dt.date) -> tuple[int, int]:
    """Where `day` falls in the 4-week rotation: (the rotation's number, counted from 0 at
    the first week of the district's school year holding `day`, or of the latest one begun
    before it; the week of that rotation, 1-4). Without a school year on record, counted
    from August 1 of the year's start."""
    year = (
        SchoolYear.objects.filter(district_id=district_id, first_day__lte=day)
        .order_by("-first_day")
        .values_list("first_day", flat=True)
        .first()
    )
    if year is None:
        year = assumed_first_day(day=day)
    return rotation_number(day=day, first_day=year), cycle_week(day=day, first_day=year)


@dataclass(frozen=True)
class Closures:
    """Why a day has no instruction: in the whole district (`district`, None on a school
    day), and at single schools only (`schools`, by school id)."""

    district: str | None
    schools: dict[int, str]

    def at(self, school_id: int | None) -> str | None:
        """Why that school has no instruction that day, or None."""
        return self.district or self.schools.get(school_id)


def closures_get(*, district_id: int, day: dt.date) -> Closures:
    """Why `day` has no instruction in the district's calendar, in words (the break's or
    holiday's name, or that no school year is in session), and at which schools alone
    (CalendarEvent.school: a water main break, a building used as a polling place). A
    district with no school year on record has no known closures. Two queries."""
    year = (
        SchoolYear.objects.filter(district_id=district_id, first_day__lte=day, last_day__gte=day)
        .values_list("pk", flat=True)
        .first()
    )
    if year is None:
        if SchoolYear.objects.filter(district_id=district_id).exists():
            return Closures("no school year is in session", {})
        return Closures(None, {})
    district, schools = None, {}
    for school_id, name in (
        CalendarEvent.objects.filter(school_year_id=year, start_date__lte=day, end_date__gte=day)
        .order_by("start_date", "pk")
        .values_list("school_id", "name")
    ):
        if school_id is None:
            district = district or name
        else:
            schools.setdefault(school_id, name)
    return Closures(district, schools)


def closure_get(*, district_id: int, day: dt.date, school_id: int | None = None) -> str | None:
    """Why `day` has no instruction (closures_get), in the whole district or, with
    `school_id`, at that school; None on a school day. Two queries."""
    return closures_get(district_id=district_id, day=day).at(school_id)


def next_school_day_get(*, district_id: int, after: dt.date) -> dt.date | None:
    """The first day with instruction after `after` in the district's calendar (this school
    year's or a later one's), or None when none is on record."""
    for year in (
        SchoolYear.objects.filter(district_id=district_id, last_day__gt=after)
        .prefetch_related("events")
        .order_by("first_day")[:2]
    ):
        days = year.calendar().instructional_days(start=after + dt.timedelta(days=1))
        if days:
            return days[0]
    return None


def rotation_week_get(*, district_id: int, day: dt.date) -> int:
    """Which week (1-4) of the 4-week rotation `day` falls in (see rotation_get)."""
    return rotation_get(district_id=district_id, day=day)[1]


#: Who reads the school calendar's page, and who changes it there.
CALENDAR_EDITORS = frozenset({Role.DISTRICT_ADMIN, Role.SUPERVISOR})
CALENDAR_READERS = CALENDAR_EDITORS | {Role.THERAPIST}


def class_teachers_get(*, students) -> list[tuple[User, list[Student]]]:
    """The teachers of `students`' classes, each with her students among them (by last name,
    then first), for telling teachers about their students' OT. A student in two teachers'
    classes is under both. One query."""
    students = {s.pk: s for s in students}
    theirs: dict[int, tuple[User, list[Student]]] = {}
    for enrollment in Enrollment.objects.filter(student_id__in=students).select_related(
        "school_class__teacher__user"
    ):
        teacher = enrollment.school_class.teacher.user
        mine = theirs.setdefault(teacher.pk, (teacher, []))[1]
        if students[enrollment.student_id] not in mine:
            mine.append(students[enrollment.student_id])
    for _, mine in theirs.values():
        mine.sort(key=lambda s: (s.last_name, s.first_name))
    return list(theirs.values())


def student_parents_get(*, students) -> list[tuple[User, list[Student]]]:
    """The parents with a login of `students` (their guardians' users), each with her
    children among them (by last name, then first), for telling families about their
    children's OT. One query."""
    students = {s.pk: s for s in students}
    theirs: dict[int, tuple[User, list[Student]]] = {}
    for guardian in Guardian.objects.filter(
        student_id__in=students, user__isnull=False, user__is_active=True
    ).select_related("user"):
        mine = theirs.setdefault(guardian.user_id, (guardian.user, []))[1]
        if students[guardian.student_id] not in mine:
            mine.append(students[guardian.student_id])
    for _, mine in theirs.values():
        mine.sort(key=lambda s: (s.last_name, s.first_name))
    return list(theirs.values())


def school_calendar_access(*, user: User) -> bool:
    """Whether `user` may change (True) or only read (False) her district's school calendar
    (breaks, holidays, closures): district administrators and OT supervisors change it, as
    they hear of a snow day first; therapists read it. PermissionDenied for everyone else
    (teachers, parents, the platform operator, who has no district)."""
    return district_role_access(
        user=user,
        readers=CALENDAR_READERS,
        editors=CALENDAR_EDITORS,
        refusal="The school calendar's page is for the OT team.",
    )


@dataclass(frozen=True)
class CalendarRow:
    """One break, holiday or closure as the school calendar's page lists it."""

    event: CalendarEvent
    weekdays: int  # Monday to Friday inside its dates: the school days it takes
    past: bool


@dataclass(frozen=True)
class PeriodRow:
    """One reporting period as the school calendar's page lists it."""

    period: ReportingPeriod
    school_days: int  # of the district's calendar (every school) inside its dates
    reports: int  # progress reports written for it (drafts and signed)
    now: bool  # today lies inside it
    past: bool


@dataclass(frozen=True)
class SchoolCalendarPage:
    years: list[SchoolYear]
    year: SchoolYear | None
    rows: list[CalendarRow]
    school_days: int  # instructional days of the district's calendar (every school)
    school_days_left: int  # from today on
    periods: list[PeriodRow] = field(default_factory=list)


def school_calendar_get(
    *, district_id: int, today: dt.date, year_id: int | None = None
) -> SchoolCalendarPage:
    """The district's school years, and one year's breaks, holidays and closures (the whole
    district's and single schools') and reporting periods (each with its school days and the
    progress reports written for it) in date order: the year `year_id` (Http404 if it is not
    the district's), else the year holding `today`, else the next, else the latest. Three
    queries, however many events and periods."""
    from schoolot.progress.models import ProgressReport

    years = list(SchoolYear.objects.filter(district_id=district_id).order_by("first_day"))
    if year_id is not None:
        year = next((y for y in years if y.pk == year_id), None)
        if year is None:
            raise Http404("No such school year.")
    else:
        year = next((y for y in years if y.last_day >= today), years[-1] if years else None)
    if year is None:
        return SchoolCalendarPage(years, None, [], 0, 0)
    events = list(
        CalendarEvent.objects.filter(district_id=district_id, school_year=year)
        .select_related("school")
        .order_by("start_date", "end_date", "pk")
    )
    calendar = year.calendar(events=events)  # the district's own: every school's days
    written = (
        ProgressReport.objects.filter(period=OuterRef("pk"))
        .order_by()
        .values("period")
        .annotate(n=Count("pk"))
        .values("n")
    )
    periods = ReportingPeriod.objects.filter(school_year=year).annotate(
        reports=Coalesce(Subquery(written), 0)
    )
    return SchoolCalendarPage(
        years=years,
        year=year,
        rows=[
            CalendarRow(e, weekdays_between(e.start_date, e.end_date), e.end_date < today)
            for e in events
        ],
        school_days=len(calendar.instructional_days()),
        school_days_left=len(calendar.instructional_days(start=today)),
        periods=[
            PeriodRow(
                p,
                calendar.count_instructional(p.start_date, p.end_date),
                p.reports,
                p.start_date <= today <= p.end_date,
                p.end_date < today,
            )
            for p in periods.order_by("start_date")
        ],
    )


def caseload_move_access(*, user: User) -> bool:
    """Whether `user` may move a student she sees to another therapist's caseload: OT
    supervisors and district administrators."""
    return user.is_active and user.role in (Role.SUPERVISOR, Role.DISTRICT_ADMIN)


@dataclass(frozen=True)
class TherapistChoice:
    """An OTR a student may move to, as the move page offers her."""

    staff: Staff
    students: int  # on her caseload today
    serves_school: bool  # the student's school is one of hers
    mine: bool  # on the supervisor's own team (always True for an administrator)


def _caseload_on(on: dt.date) -> Count:
    """A staff member's caseload on `on`: the students she has an assignment for then."""
    return Count(
        "assignments",
        filter=Q(assignments__start_date__lte=on)
        & (Q(assignments__end_date__isnull=True) | Q(assignments__end_date__gte=on)),
        distinct=True,
    )


def therapist_choices_get(
    *, user: User, students: list[Student], on: dt.date
) -> list[TherapistChoice]:
    """The district's OTRs `students` could move to (not the one who is the primary OTR of
    all of them on `on`): those who serve one of their schools first, then the supervisor's
    own team, then by name; each with her caseload's size on `on`. Two queries."""
    ids = [s.pk for s in students]
    primaries = set(
        current_assignments(on=on)
        .filter(student_id__in=ids, role=CaseloadAssignment.Role.PRIMARY_OTR)
        .values_list("staff_id", "student_id")
    )
    staff_ids = {staff_id for staff_id, _ in primaries}
    current = [pk for pk in staff_ids if {sid for st, sid in primaries if st == pk} == set(ids)]
    otrs = (
        Staff.objects.filter(
            district_id=user.district_id,
            user__role=Role.THERAPIST,
            user__is_active=True,
            credential=Staff.Credential.OTR,
        )
        .exclude(pk__in=current)
        .select_related("user", "supervisor")
        .annotate(
            caseload=_caseload_on(on),
            serves=Count(
                "schools",
                filter=Q(schools__in={s.school_id for s in students}),
                distinct=True,
            ),
        )
    )
    choices = [
        TherapistChoice(
            staff=s,
            students=s.caseload,
            serves_school=bool(s.serves),
            mine=user.role == Role.DISTRICT_ADMIN
            or (s.supervisor is not None and s.supervisor.user_id == user.pk),
        )
        for s in otrs
    ]
    return sorted(
        choices,
        key=lambda c: (
            not c.serves_school,
            not c.mine,
            c.staff.user.last_name,
            c.staff.user.first_name,
        ),
    )


@dataclass(frozen=True)
class StudentTherapists:
    """Who serves a student on a day: her primary OTR, and the COTA her OTR gave her
    sessions to (an assignment in force that day), or one due to begin later."""

    otr: Staff | None
    cota: CaseloadAssignment | None  # in force on the day
    cota_later: CaseloadAssignment | None  # begins after the day (a change already made)


def student_therapists_get(*, student_id: int, on: dt.date) -> StudentTherapists:
    """The student's OTR and COTA on `on`, and a COTA assignment dated later. One query."""
    return students_therapists_get(student_ids=[student_id], on=on)[student_id]


def students_therapists_get(*, student_ids, on: dt.date) -> dict[int, StudentTherapists]:
    """student_therapists_get for each of `student_ids`, by student pk. One query."""
    rows: dict[int, list[CaseloadAssignment]] = {pk: [] for pk in student_ids}
    for a in (
        CaseloadAssignment.objects.filter(student_id__in=rows)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .select_related("staff__user")
        .order_by("start_date", "pk")
    ):
        rows[a.student_id].append(a)
    found = {}
    for pk, theirs in rows.items():
        otr = next(
            (
                a.staff
                for a in theirs
                if a.role == CaseloadAssignment.Role.PRIMARY_OTR and a.start_date <= on
            ),
            None,
        )
        cotas = [a for a in theirs if a.role == CaseloadAssignment.Role.COTA]
        found[pk] = StudentTherapists(
            otr=otr,
            cota=next((a for a in cotas if a.start_date <= on), None),
            cota_later=next((a for a in cotas if a.start_date > on), None),
        )
    return found


def cota_give_access(*, user: User) -> bool:
    """Whether the caseload offers `user` to give chosen students' sessions to a COTA: OT
    supervisors and administrators, and an OTR who supervises a COTA. At most one query."""
    if not user.is_active:
        return False
    if user.role in (Role.SUPERVISOR, Role.DISTRICT_ADMIN):
        return True
    return (
        user.role == Role.THERAPIST
        and Staff.objects.filter(
            supervising_otr__user=user,
            credential=Staff.Credential.COTA,
            user__is_active=True,
        ).exists()
    )


def cota_assign_access(*, user: User, otr: Staff | None) -> bool:
    """Whether `user` may give a student's sessions to a COTA, or take them back: the
    student's OTR (`otr`, her primary OTR), her OT supervisor or a district administrator
    (for students they see: the caller checks). A COTA works under an OTR's supervision, so
    it is the OTR's call, not the COTA's."""
    if not user.is_active:
        return False
    if user.role in (Role.SUPERVISOR, Role.DISTRICT_ADMIN):
        return True
    return user.role == Role.THERAPIST and otr is not None and otr.user_id == user.pk


@dataclass(frozen=True)
class CotaChoice:
    """A COTA a student's sessions may go to, as the page offers her."""

    staff: Staff
    students: int  # on her caseload on the day


def cota_choices_get(*, otr: Staff, on: dt.date) -> list[CotaChoice]:
    """The active COTAs `otr` supervises, by name, each with her caseload's size on `on`.
    One query."""
    cotas = (
        Staff.objects.filter(
            supervising_otr=otr,
            credential=Staff.Credential.COTA,
            user__is_active=True,
            user__role=Role.THERAPIST,
        )
        .select_related("user")
        .annotate(caseload=_caseload_on(on))
        .order_by("user__last_name", "user__first_name", "pk")
    )
    return [CotaChoice(staff=c, students=c.caseload) for c in cotas]
