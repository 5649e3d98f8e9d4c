"""Writes to the district's directory that the app makes outside the back office: the school
calendar's years, breaks, holidays and closures (a snow day entered by the supervisor who heard
of it first), and its reporting periods (when progress reports are due)."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from schoolot.accounts.models import Role, User
from schoolot.directory.calendar_import import CalendarEntry
from schoolot.directory.models import (
    CalendarEvent,
    CaseloadAssignment,
    ReportingPeriod,
    School,
    SchoolYear,
    Staff,
    Student,
)
from schoolot.directory.selectors import school_calendar_access
from schoolot.rules.calendar import CalendarError, periods_split, weekdays

#: The code of calendar_event_save's refusal of days that are all without school already.
ALREADY_WITHOUT_SCHOOL = "already_without_school"


def _editor_check(*, user: User) -> None:
    if not school_calendar_access(user=user):
        raise PermissionDenied("Administrators and OT supervisors change the school calendar.")


def _closed_already(
    *, year: SchoolYear, school_id: int | None, start: dt.date, end: dt.date, other_than
) -> list[str]:
    """The names of the year's other events that already keep every weekday of [start, end]
    without school where `school_id` is (every school when None), or "a weekend" when it
    holds no weekday; empty when a weekday among them is still a school day there."""
    covering = [
        e
        for e in CalendarEvent.objects.filter(
            school_year=year, start_date__lte=end, end_date__gte=start
        ).exclude(pk=other_than)
        if e.school_id is None or e.school_id == school_id
    ]
    days = weekdays(start, end)
    if not days:
        return ["a weekend"]
    names = []
    for day in days:
        event = next((e for e in covering if e.start_date <= day <= e.end_date), None)
        if event is None:
            return []
        if event.name not in names:
            names.append(event.name)
    return names


def calendar_event_save(
    *,
    user: User,
    event_id: int | None = None,
    kind: str,
    name: str,
    school_id: int | None,
    start_date: dt.date,
    end_date: dt.date,
    today: dt.date,
) -> tuple[CalendarEvent, int]:
    """Add to the district's school calendar (or, with `event_id`, change) a run of days
    without instruction, in every school (`school_id` None) or one. Its school year is the
    one holding `start_date`. Refused with a ValidationError naming the field: dates outside
    any school year or past its end, a school of another district, days that are all already
    without school there. Then tells the therapists whose sessions it takes or gives back
    in the next two weeks (schedules.services.closure_therapists_notify). Returns the event
    and how many therapists were told. Administrators and OT supervisors only."""
    from schoolot.schedules.services import closure_therapists_notify

    _editor_check(user=user)
    district_id = user.district_id
    with transaction.atomic():
        year = SchoolYear.objects.filter(
            district_id=district_id, first_day__lte=start_date, last_day__gte=start_date
        ).first()
        if year is None:
            raise ValidationError(
                {
                    "start_date": f"No school year on record holds {start_date:%b %d, %Y}: "
                    "add the school year first."
                }
            )
        if end_date > year.last_day:
            raise ValidationError(
                {
                    "end_date": f"The {year.name} school year ends on {year.last_day:%b %d, %Y}: "
                    "end on that day at the latest."
                }
            )
        if (
            school_id is not None
            and not School.objects.filter(pk=school_id, district_id=district_id).exists()
        ):
            raise ValidationError({"school": "Choose a school of this district."})
        before = None
        if event_id is None:
            event = CalendarEvent(district_id=district_id)
        else:
            event = (
                CalendarEvent.objects.select_for_update()
                .filter(pk=event_id, district_id=district_id)
                .first()
            )
            if event is None:
                raise Http404("No such calendar event.")
            before = copy.copy(event)
        names = _closed_already(
            year=year, school_id=school_id, start=start_date, end=end_date, other_than=event_id
        )
        if names:
            where = "at that school" if school_id else "in the district"
            raise ValidationError(
                f"Those days are already without school {where}: {', '.join(names)}.",
                code=ALREADY_WITHOUT_SCHOOL,
            )
        event.school_year = year
        event.school_id = school_id
        event.kind = kind
        event.name = name
        event.start_date = start_date
        event.end_date = end_date
        event.full_clean()
        event.save()
        told = closure_therapists_notify(before=before, after=event, today=today)
    return event, told


def calendar_event_remove(
    *, user: User, event_id: int, today: dt.date
) -> tuple[CalendarEvent, int]:
    """Take a break, holiday or closure off the district's school calendar (Http404 when it
    is not the district's), and tell the therapists whose sessions in the next two weeks are
    held after all. Returns the removed event and how many therapists were told.
    Administrators and OT supervisors only."""
    from schoolot.schedules.services import closure_therapists_notify

    _editor_check(user=user)
    with transaction.atomic():
        event = (
            CalendarEvent.objects.select_for_update()
            .filter(pk=event_id, district_id=user.district_id)
            .first()
        )
        if event is None:
            raise Http404("No such calendar event.")
        event.delete()
        told = closure_therapists_notify(before=event, today=today)
    return event, told


@dataclass
class CalendarImport:
    """What calendar_events_import did: the events added, the entries left out as already
    on the calendar (with why), and how many therapists were told."""

    added: list[CalendarEvent]
    skipped: list[tuple[CalendarEntry, str]]
    told: int


def calendar_events_import(
    *, user: User, entries: list[CalendarEntry], today: dt.date, school_id: int | None = None
) -> CalendarImport:
    """Add the chosen entries of a published calendar (directory.calendar_import), each
    district-wide (or, with `school_id`, at that school alone: its own calendar) as
    calendar_event_save adds one, all or nothing: an entry whose days are
    all without school already (Christmas Day inside the winter break) is left out and named;
    any other refusal (a day outside the school years on record) raises a ValidationError
    listing every refused entry, and nothing is added. Administrators and OT supervisors
    only."""
    _editor_check(user=user)
    result = CalendarImport(added=[], skipped=[], told=0)
    problems: list[str] = []
    with transaction.atomic():
        for entry in entries:
            when = f"{entry.name} ({entry.start:%b %d, %Y}"
            when += f" to {entry.end:%b %d, %Y})" if entry.end != entry.start else ")"
            if not entry.kind:
                problems.append(f"{when}: choose what kind of day it is.")
                continue
            try:
                with transaction.atomic():
                    event, told = calendar_event_save(
                        user=user,
                        kind=entry.kind,
                        name=entry.name,
                        school_id=school_id,
                        start_date=entry.start,
                        end_date=entry.end,
                        today=today,
                    )
            except ValidationError as exc:
                codes = {e.code for e in getattr(exc, "error_list", [])}
                if ALREADY_WITHOUT_SCHOOL in codes:
                    result.skipped.append((entry, " ".join(exc.messages)))
                else:
                    problems.append(f"{when}: {' '.join(exc.messages)}")
            else:
                result.added.append(event)
                result.told += told
        if problems:  # nothing added: every entry's answer at once
            raise ValidationError(problems)
    return result


def school_year_add(*, user: User, name: str, first_day: dt.date, last_day: dt.date) -> SchoolYear:
    """Add a school year to the district (its breaks and closures are then entered on the
    school calendar). Refused with a ValidationError naming the field: a name the district
    already has, or days that overlap another of its years (a day belongs to one year).
    Administrators and OT supervisors only."""
    _editor_check(user=user)
    name = name.strip()
    with transaction.atomic():
        years = SchoolYear.objects.select_for_update().filter(district_id=user.district_id)
        if years.filter(name__iexact=name).exists():
            raise ValidationError({"name": f"The district has a school year named {name}."})
        overlap = years.filter(first_day__lte=last_day, last_day__gte=first_day).first()
        if overlap is not None:
            raise ValidationError(
                {
                    "first_day": f"These days overlap {overlap.name} ({overlap.first_day:%b %d, %Y}"
                    f" to {overlap.last_day:%b %d, %Y}): a day belongs to one school year."
                }
            )
        year = SchoolYear(
            district_id=user.district_id, name=name, first_day=first_day, last_day=last_day
        )
        year.full_clean()
        year.save()
    return year


def _reports_written(period_id: int) -> tuple[int, int]:
    """How many progress reports are written for the period, and how many of them signed."""
    from django.db.models import Count, Q

    from schoolot.progress.models import ProgressReport

    counts = ProgressReport.objects.filter(period_id=period_id).aggregate(
        written=Count("pk"), signed=Count("pk", filter=Q(status=ProgressReport.Status.SIGNED))
    )
    return counts["written"], counts["signed"]


def _reports_hold(period: ReportingPeriod, written: int, signed: int, *, what: str) -> str:
    """Why a period with progress reports keeps `what`: "those dates stay", "the period
    stays"."""
    n = f"{written} progress report{'s are' if written != 1 else ' is'}"
    whose = f" ({signed} signed)" if signed else ""
    return (
        f"{n} written for {period.name}{whose}: their minutes and sessions are counted over "
        f"{period.start_date:%b %d} to {period.end_date:%b %d, %Y}, so {what}."
    )


def reporting_period_save(
    *,
    user: User,
    school_year_id: int,
    name: str,
    start_date: dt.date,
    end_date: dt.date,
    period_id: int | None = None,
) -> ReportingPeriod:
    """Add a reporting period to one of the district's school years (or, with `period_id`,
    change one): progress reports are due at its end, and count the minutes and sessions
    between its dates. Refused with a ValidationError naming the field: dates outside the
    year, an end not after the start, an overlap with another period of the year, a name
    the year has already; and, for a period with progress reports written, new dates (its
    name may still change). Http404 for a year or period not the district's.
    Administrators and OT supervisors only. A new end (one not past) moves its reports' due
    date: the district's therapists and supervisors are told (_period_team_tell)."""
    _editor_check(user=user)
    name = name.strip()
    was_end = None
    with transaction.atomic():
        year = (
            SchoolYear.objects.select_for_update()
            .filter(pk=school_year_id, district_id=user.district_id)
            .first()
        )
        if year is None:
            raise Http404("No such school year.")
        if period_id is None:
            period = ReportingPeriod(district_id=user.district_id, school_year=year)
        else:
            period = ReportingPeriod.objects.filter(pk=period_id, school_year=year).first()
            if period is None:
                raise Http404("No such reporting period.")
            was_end = period.end_date
            if (period.start_date, period.end_date) != (start_date, end_date):
                written, signed = _reports_written(period.pk)
                if written:
                    raise ValidationError(
                        {
                            "start_date": _reports_hold(
                                period, written, signed, what="those dates stay"
                            )
                        }
                    )
        span = f"{year.first_day:%b %d, %Y} to {year.last_day:%b %d, %Y}"
        if not year.first_day <= start_date <= year.last_day:
            raise ValidationError(
                {"start_date": f"Start inside the {year.name} school year ({span})."}
            )
        if not year.first_day <= end_date <= year.last_day:
            raise ValidationError({"end_date": f"End inside the {year.name} school year ({span})."})
        same_name = ReportingPeriod.objects.filter(school_year=year, name__iexact=name)
        if same_name.exclude(pk=period.pk).exists():
            raise ValidationError({"name": f"{year.name} has a reporting period named {name}."})
        period.name = name
        period.start_date = start_date
        period.end_date = end_date
        period.full_clean()
        period.save()
        today = timezone.localdate()
        if was_end is not None and was_end != end_date and max(was_end, end_date) >= today:
            _period_team_tell(
                user=user,
                text=f"{period.name} ({year.name}) now ends {_day_text(end_date)}, not "
                f"{_day_text(was_end)}: its progress reports are due then.",
            )
    return period


def _day_text(day: dt.date) -> str:
    return f"{day:%a %b} {day.day}"


def _period_team_tell(*, user: User, text: str) -> int:
    """Tell the district's therapists and OT supervisors (not `user`) of a change to when
    progress reports are due, once each."""
    from schoolot.referrals.services import notify

    team = User.objects.filter(
        district_id=user.district_id,
        role__in=(Role.THERAPIST, Role.SUPERVISOR),
        is_active=True,
    ).exclude(pk=user.pk)
    return notify(users=list(team), student=None, text=text, link=reverse("due_list"))


def reporting_period_remove(*, user: User, period_id: int) -> ReportingPeriod:
    """Take a reporting period off the district's calendar (Http404 when it is not the
    district's). Refused with a ValidationError while progress reports are written for it:
    they belong to it. Administrators and OT supervisors only. Returns the removed period.
    One that had not ended: the district's therapists and supervisors are told."""
    _editor_check(user=user)
    with transaction.atomic():
        period = (
            ReportingPeriod.objects.select_for_update()
            .filter(pk=period_id, district_id=user.district_id)
            .first()
        )
        if period is None:
            raise Http404("No such reporting period.")
        written, signed = _reports_written(period.pk)
        if written:
            raise ValidationError(_reports_hold(period, written, signed, what="the period stays"))
        period.delete()
        if period.end_date >= timezone.localdate():
            _period_team_tell(
                user=user,
                text=f"{period.name} ({period.school_year.name}) is off the calendar: no "
                f"progress reports are due on {_day_text(period.end_date)} for it.",
            )
    return period


#: How a school year is commonly split for report cards, and what each part is called.
PERIOD_SPLITS = {4: "Quarter", 3: "Trimester", 2: "Semester"}


def reporting_periods_split(
    *, user: User, school_year_id: int, parts: int
) -> list[ReportingPeriod]:
    """Give a school year without reporting periods `parts` of them (PERIOD_SPLITS:
    quarters, trimesters or semesters) of as equal a number of the district's school days as
    can be (rules.calendar.periods_split), each ending on its last school day. Refused with
    a ValidationError when the year has periods already (change those one by one) or too few
    school days. Http404 for a year not the district's. Administrators and OT supervisors
    only."""
    _editor_check(user=user)
    if parts not in PERIOD_SPLITS:
        raise ValidationError("Split the year into quarters, trimesters or semesters.")
    with transaction.atomic():
        year = (
            SchoolYear.objects.select_for_update()
            .filter(pk=school_year_id, district_id=user.district_id)
            .first()
        )
        if year is None:
            raise Http404("No such school year.")
        if ReportingPeriod.objects.filter(school_year=year).exists():
            raise ValidationError(
                f"{year.name} has reporting periods already: change them one by one."
            )
        events = CalendarEvent.objects.filter(school_year=year, school__isnull=True)
        try:
            spans = periods_split(year.calendar(events=events).instructional_days(), parts)
        except CalendarError as exc:
            raise ValidationError(str(exc)) from exc
        word = PERIOD_SPLITS[parts]
        periods = [
            ReportingPeriod(
                district_id=user.district_id,
                school_year=year,
                name=f"{word} {k}",
                start_date=start,
                end_date=end,
            )
            for k, (start, end) in enumerate(spans, start=1)
        ]
        for period in periods:
            period.full_clean()
        ReportingPeriod.objects.bulk_create(periods)
    return periods


@dataclass(frozen=True)
class CaseloadMove:
    """What student_therapist_move did."""

    student: Student
    from_staff: Staff | None  # her primary OTR before (None: she had none)
    to_staff: Staff
    on: dt.date
    told: int
    cota_left: Staff | None = None  # her COTA, not supervised by the new OTR: that ends too
    cota_kept: Staff | None = None  # her COTA in a cover: she goes on, under the cover OTR
    until: dt.date | None = None  # a cover's last day: she returns to her OTR the day after


#: How far ahead a move may be dated: the next school year's start at most.
MOVE_AHEAD_DAYS = 366


def student_therapist_move(
    *,
    user: User,
    student_id: int,
    to_staff_id: int,
    on: dt.date,
    today: dt.date,
    until: dt.date | None = None,
) -> CaseloadMove:
    """Move one student to another OTR's caseload from `on` (students_therapist_move)."""
    (moved,) = students_therapist_move(
        user=user,
        student_ids=[student_id],
        to_staff_id=to_staff_id,
        on=on,
        today=today,
        until=until,
    )
    return moved


#: The most students moved at once (a caseload: one OTR's fifty, with room).
MOVE_MOST = 80


def students_therapist_move(
    *,
    user: User,
    student_ids: list[int],
    to_staff_id: int,
    on: dt.date,
    today: dt.date,
    until: dt.date | None = None,
) -> list[CaseloadMove]:
    """Move students to another OTR's caseload from `on` (a new school, caseloads
    balanced), all or none: each one's primary OTR's assignment ends the day before, the
    new one's begins that day (a move dated later is replaced). With `until`, a cover (her
    OTR on a leave): the new OTR serves them from `on` to `until`, and the day after, each
    returns to the OTR who served her on `on`, for as long as that would have lasted; moves
    dated after `until` stand; a COTA who serves one goes on serving her, under the
    supervision of the OTR who covers (both told). Their weekly sessions with
    the one they leave stay in that week until its next build (My week then lists them as
    no longer hers; the new OTR's lists the sessions their mandates lack). Each therapist
    is told once, in the app and by email: the new OTR of all of them, each OTR left of
    hers; and each teacher of the students' classes, of hers (her OT times end then). A COTA
    assignment ends from `on` too (the COTA told once), unless the new OTR supervises that COTA
    or the move is a cover.
    Refused with a ValidationError naming the field: a date before `today` or over a year
    ahead, `until` before `on` or over a year after it, no student or more than MOVE_MOST,
    a student whose OTR on that day is the
    one chosen already, someone who is not an active OTR of the district. Http404 for a
    student `user` may not see. OT supervisors and administrators only."""
    from schoolot.directory.selectors import caseload_move_access
    from schoolot.referrals.services import notify

    if not caseload_move_access(user=user):
        raise PermissionDenied("OT supervisors and administrators move caseloads.")
    students = _students_dated_get(
        user=user, student_ids=student_ids, on=on, today=today, verb="move"
    )
    ids = [s.pk for s in students]
    if until is not None and until < on:
        raise ValidationError({"until": "End the cover on or after its first day."})
    if until is not None and until > on + dt.timedelta(days=MOVE_AHEAD_DAYS):
        raise ValidationError({"until": "End the cover within a year of its first day."})
    to_staff = (
        Staff.objects.filter(
            pk=to_staff_id,
            district_id=user.district_id,
            user__role=Role.THERAPIST,
            user__is_active=True,
            credential=Staff.Credential.OTR,
        )
        .select_related("user")
        .first()
    )
    if to_staff is None:
        raise ValidationError({"to_staff": "Choose an OTR of this district."})
    with transaction.atomic():
        # Every primary assignment over the span, in force on `on` or dated within it.
        spanned = list(
            _overlapping(
                CaseloadAssignment.objects.filter(
                    student_id__in=ids, role=CaseloadAssignment.Role.PRIMARY_OTR
                ),
                on=on,
                until=until,
            ).select_related("staff__user")
        )
        before: dict[int, Staff] = {}
        for assignment in spanned:
            if assignment.start_date <= on:
                before.setdefault(assignment.student_id, assignment.staff)
        hers = [s for s in students if s.pk in before and before[s.pk].pk == to_staff.pk]
        if hers:
            names = ", ".join(s.full_name for s in hers)
            raise ValidationError(
                {
                    "to_staff": f"{to_staff.user.display_name} is the OTR of {names} on that "
                    "day already."
                }
            )
        for assignment in spanned:  # after a cover, what each held after it stands again
            _span_cut(assignment, on=on, until=until)
        CaseloadAssignment.objects.bulk_create(
            CaseloadAssignment(
                district_id=user.district_id,
                staff=to_staff,
                student=student,
                role=CaseloadAssignment.Role.PRIMARY_OTR,
                start_date=on,
                end_date=until,
            )
            for student in students
        )
        # A COTA works under her supervising OTR: with another OTR, the student leaves her;
        # in a cover she goes on, supervised by the OTR who covers.
        left, kept = {}, {}
        if until is None:
            left = _cota_assignments_end(student_ids=ids, on=on, unless_supervised_by=to_staff)
        else:
            from schoolot.directory.selectors import students_therapists_get

            kept = {
                pk: t.cota.staff
                for pk, t in students_therapists_get(student_ids=ids, on=on).items()
                if t.cota is not None
            }
        moves = [
            CaseloadMove(
                student=student,
                from_staff=before.get(student.pk),
                to_staff=to_staff,
                on=on,
                told=0,
                cota_left=left.get(student.pk),
                cota_kept=kept.get(student.pk),
                until=until,
            )
            for student in students
        ]
        told = _moves_tell(moves=moves, on=on, today=today, notify=notify)
        if until is not None:
            transaction.on_commit(
                lambda: _cover_end_schedule(
                    student_ids=ids, cover=to_staff, until=until, zone=user.district.time_zone
                )
            )
    return [replace(m, told=told) for m in moves]


COVER_END_HOUR = 6  # the morning after a cover's last day, in the district's time zone


def _cover_end_schedule(*, student_ids, cover: Staff, until: dt.date, zone: str) -> bool:
    """Queue the notices of a cover's end (cover_end_tell) for the morning after its last
    day, where the task backend can run work later (the database backend and its worker);
    the demo's inline backend cannot, and nothing is queued. Whether it was queued."""
    from schoolot.core.timezones import zone_get
    from schoolot.directory.tasks import cover_end_tell as later

    if not later.get_backend().supports_defer:
        return False
    morning = dt.datetime.combine(
        until + dt.timedelta(days=1), dt.time(COVER_END_HOUR), tzinfo=zone_get(name=zone)
    )
    later.using(run_after=morning).enqueue(
        student_ids=list(student_ids), cover_staff_id=cover.pk, until=until.isoformat()
    )
    return True


def cover_end_tell(*, student_ids: list[int], cover_staff_id: int, until: dt.date) -> int:
    """The day after a cover's last day (`until`): the OTR who covered hears which of
    `student_ids` went back to whom (their sessions stay in her week until she builds it
    again); each OTR they went back to, which are hers again; each COTA who serves one of
    them, that her own OTR supervises those sessions again. Only the students whose cover by
    `cover_staff_id` still ends on `until` (a later move may have changed it); a student
    with no OTR the day after is named to the OTR who covered. Returns how many were told
    (0 when no cover ends so any more)."""
    from schoolot.directory.selectors import students_therapists_get
    from schoolot.referrals.services import notify

    day = until + dt.timedelta(days=1)
    ended = list(
        CaseloadAssignment.objects.filter(
            staff_id=cover_staff_id,
            student_id__in=student_ids,
            role=CaseloadAssignment.Role.PRIMARY_OTR,
            end_date=until,
        )
        .select_related("student", "staff__user")
        .order_by("student__last_name", "student__first_name", "student_id")
    )
    if not ended:
        return 0
    cover = ended[0].staff
    students = [a.student for a in ended]
    serving = students_therapists_get(student_ids=[s.pk for s in students], on=day)
    when = f"{day:%a %b} {day.day}"
    back: dict[int, list] = {}  # OTR's user pk -> (user, her students)
    cotas: dict[int, list] = {}
    no_otr = []
    for student in students:
        them = serving.get(student.pk)
        if them is None or them.otr is None:
            no_otr.append(student)
            continue
        back.setdefault(them.otr.user_id, [them.otr.user, []])[1].append(student)
        if them.cota is not None:
            entry = cotas.setdefault(them.cota.staff.user_id, [them.cota.staff.user, [], []])
            entry[1].append(student)
            entry[2].append(them.otr.user.display_name)

    def names(group) -> str:
        return ", ".join(s.full_name for s in group)

    went = "; ".join(f"{names(group)} to {otr.display_name}" for otr, group in back.values())
    text = f"Your cover ended on {until:%a %b} {until.day}" + (
        f": {went} went back." if went else "."
    )
    if no_otr:
        verb = "has" if len(no_otr) == 1 else "have"
        text += f" {names(no_otr)} {verb} no OTR from {when}: tell your supervisor."
    text += (
        " Their sessions stay in your week until you build it again: Build my week frees "
        "those times."
    )
    told = notify(users=[cover.user], student=None, text=text, link=reverse("slot_list"))
    for otr, group in back.values():
        told += notify(
            users=[otr],
            student=group[0] if len(group) == 1 else None,
            text=(
                f"{cover.user.display_name}'s cover ended: from {when} {names(group)} "
                f"{'is' if len(group) == 1 else 'are'} on your caseload again. Build your "
                "week to place their sessions."
            ),
            link=reverse("slot_list"),
        )
    for cota, group, otrs in cotas.values():
        told += notify(
            users=[cota],
            student=group[0] if len(group) == 1 else None,
            text=(
                f"{cover.user.display_name}'s cover ended: from {when} "
                f"{', '.join(dict.fromkeys(otrs))} supervises your sessions with "
                f"{names(group)} again."
            ),
            link=reverse("slot_list"),
        )
    return told


def _students_dated_get(*, user: User, student_ids, on: dt.date, today: dt.date, verb: str):
    """The students of `student_ids` `user` sees, by name, for a change from `on` that
    `verb`s them: refused (ValidationError) with none or more than MOVE_MOST, or a day
    before `today` or over a year ahead; Http404 for a student she does not see."""
    from schoolot.core.access import students_visible_to

    ids = list(dict.fromkeys(student_ids))
    if not ids:
        raise ValidationError({"student": f"Choose at least one student to {verb}."})
    if len(ids) > MOVE_MOST:
        raise ValidationError(
            {"student": f"{verb.capitalize()} at most {MOVE_MOST} students at once."}
        )
    students = list(
        students_visible_to(user=user)
        .filter(pk__in=ids)
        .select_related("school")
        .order_by("last_name", "first_name", "pk")
    )
    if len(students) != len(ids):
        raise Http404("No such student.")
    if on < today:
        raise ValidationError({"on": "Choose today or a later day."})
    if on > today + dt.timedelta(days=MOVE_AHEAD_DAYS):
        raise ValidationError({"on": "Choose a day within the next year."})
    return students


def _overlapping(assignments, *, on: dt.date, until: dt.date | None):
    """The assignments that hold any day from `on` to `until` (None: on and on)."""
    rows = assignments.filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
    if until is not None:
        rows = rows.filter(start_date__lte=until)
    return rows.select_for_update(of=("self",)).order_by("start_date", "pk")


def _span_cut(assignment: CaseloadAssignment, *, on: dt.date, until: dt.date | None) -> None:
    """Take the days from `on` to `until` (None: every day from `on`) out of an assignment
    that holds some of them: what comes before stays (ending the day before `on`), and what
    comes after `until` stays (from the day after, as the same row or a new one). Call
    inside a transaction."""
    end = assignment.end_date
    after = until is not None and (end is None or end > until)
    if assignment.start_date < on:
        assignment.end_date = on - dt.timedelta(days=1)
        assignment.save(update_fields=["end_date"])
        if after:
            CaseloadAssignment.objects.create(
                district_id=assignment.district_id,
                staff_id=assignment.staff_id,
                student_id=assignment.student_id,
                role=assignment.role,
                start_date=until + dt.timedelta(days=1),
                end_date=end,
            )
    elif after:
        assignment.start_date = until + dt.timedelta(days=1)
        assignment.save(update_fields=["start_date"])
    else:
        assignment.delete()


def _moves_tell(*, moves: list[CaseloadMove], on: dt.date, today: dt.date, notify) -> int:
    """The new OTR hears once of all the students; each OTR they leave, once of hers; each
    COTA they leave, once of hers; each teacher of theirs, once of hers. A cover's notices
    say when it ends and that the students come back then."""
    when = "today" if on == today else f"on {on:%a %b} {on.day}"
    until = moves[0].until
    span = when if until is None else f"{when} until {until:%a %b} {until.day}"
    back = ""
    if until is not None:
        day_after = until + dt.timedelta(days=1)
        back = f"{day_after:%a %b} {day_after.day}"
    to_staff = moves[0].to_staff
    whom = to_staff.user.display_name
    if len(moves) == 1:
        (move,) = moves
        student, was = move.student, move.from_staff
        joins = (
            f"{student.full_name} ({student.school.name}) joins your caseload {span}"
            + (f", {'covering for' if until else 'from'} {was.user.display_name}" if was else "")
            + f": build your week to place {student.first_name}'s sessions."
        )
    else:
        names = ", ".join(m.student.full_name for m in moves)
        joins = (
            f"{len(moves)} students join your caseload {span}"
            + (" (a cover)" if until else "")
            + f": {names}. Build your week to place their sessions."
        )
    kept = [m for m in moves if m.cota_kept is not None]
    if kept:
        by_cota = ", ".join(
            f"{m.student.full_name} with {m.cota_kept.user.display_name}" for m in kept
        )
        joins += f" A COTA goes on serving {by_cota}, under your supervision then."
    told = notify(
        users=[to_staff.user],
        student=moves[0].student if len(moves) == 1 else None,
        text=joins,
        link=reverse("slot_list"),
    )
    cotas_kept: dict[int, list[CaseloadMove]] = {}
    for move in kept:
        cotas_kept.setdefault(move.cota_kept.pk, []).append(move)
    for mine in cotas_kept.values():
        one = len(mine) == 1
        told += notify(
            users=[mine[0].cota_kept.user],
            student=mine[0].student if one else None,
            text=f"{whom} is the OTR of {', '.join(m.student.full_name for m in mine)} {span}, "
            f"a cover: you go on serving {'her' if one else 'them'}, under her supervision "
            "then.",
            link=reverse("slot_list"),
        )
    left: dict[int, list[CaseloadMove]] = {}
    for move in moves:
        if move.from_staff is not None:
            left.setdefault(move.from_staff.pk, []).append(move)
    for mine in left.values():
        was = mine[0].from_staff
        one = len(mine) == 1
        names = mine[0].student.full_name if one else f"{len(mine)} students"
        listed = "" if one else f" ({', '.join(m.student.full_name for m in mine)})"
        if until is None:
            text = (
                f"{names} {'leaves' if one else 'leave'} your caseload {when}, for {whom}"
                f"{listed}: {'her' if one else 'their'} sessions in your week end then; build "
                "your week after."
            )
        else:
            text = (
                f"{whom} covers {names}{listed} {span}; {'she comes' if one else 'they come'} "
                f"back to your caseload on {back}. Your week keeps "
                f"{'her' if one else 'their'} sessions for then."
            )
        told += notify(
            users=[was.user],
            student=mine[0].student if one else None,
            text=text,
            link=reverse("slot_list"),
        )
    cotas: dict[int, list[CaseloadMove]] = {}
    for move in moves:
        if move.cota_left is not None:
            cotas.setdefault(move.cota_left.pk, []).append(move)
    for mine in cotas.values():
        one = len(mine) == 1
        names = ", ".join(m.student.full_name for m in mine)
        text = (
            f"{names} {'leaves' if one else 'leave'} your caseload {span}: {whom} is the OTR "
            f"then and serves {'her' if one else 'them'}. "
        )
        text += (
            "Those sessions in your week end then; build your week after."
            if until is None
            else f"{'She comes' if one else 'They come'} back to you on {back}."
        )
        told += notify(
            users=[mine[0].cota_left.user],
            student=mine[0].student if one else None,
            text=text,
            link=reverse("slot_list"),
        )
    # Her teachers: the times they know end then, and new ones come with the new OTR's week.
    from schoolot.directory.selectors import class_teachers_get

    with_cota = {m.student.pk for m in kept}
    for teacher, mine in class_teachers_get(students=[m.student for m in moves]):
        names = ", ".join(s.full_name for s in mine)
        has = "has" if len(mine) == 1 else "have"
        if until is None:
            text = (
                f"{names} {has} a new OTR, {whom}, {when}: the OT times you know end then; "
                "the new times come once she builds her week."
            )
        else:
            pause = [s for s in mine if s.pk not in with_cota]
            go_on = [s for s in mine if s.pk in with_cota]
            text = ""
            if pause:
                text = (
                    f"{', '.join(s.full_name for s in pause)} "
                    f"{'has' if len(pause) == 1 else 'have'} OT with {whom} {span}, covering "
                    "for the OTR: the OT times you know pause then; the cover's come once she "
                    f"builds her week. From {back}, the usual times again."
                )
            if go_on:
                text += (
                    f"{' ' if text else ''}{', '.join(s.full_name for s in go_on)} "
                    f"{'keeps' if len(go_on) == 1 else 'keep'} OT with the COTA at the usual "
                    f"times while {whom} covers for the OTR {span}."
                )
        told += notify(
            users=[teacher],
            student=mine[0] if len(mine) == 1 else None,
            text=text,
            link=reverse("caseload"),
        )
    return told


def _cota_assignments_end(
    *,
    student_ids,
    on: dt.date,
    unless_supervised_by: Staff | None = None,
) -> dict[int, Staff]:
    """End the students' COTA assignments from `on` (_span_cut: one in force ends the day
    before, one dated later is removed); a COTA supervised by `unless_supervised_by` keeps
    hers. Returns the COTA each student leaves, by student pk. Call inside a transaction."""
    left: dict[int, Staff] = {}
    rows = _overlapping(
        CaseloadAssignment.objects.filter(
            student_id__in=student_ids, role=CaseloadAssignment.Role.COTA
        ),
        on=on,
        until=None,
    ).select_related("staff__user")
    for assignment in rows:
        staff = assignment.staff
        if unless_supervised_by is not None and staff.supervising_otr_id == unless_supervised_by.pk:
            continue
        _span_cut(assignment, on=on, until=None)
        left.setdefault(assignment.student_id, staff)
    return left


@dataclass(frozen=True)
class CotaChange:
    """What student_cota_assign or student_cota_unassign did."""

    student: Student
    otr: Staff | None  # her OTR on the day
    cota: Staff | None  # the COTA who serves her from the day (None: her OTR does)
    was: Staff | None  # the COTA who served her before the day
    left: Staff | None  # the COTA whose assignment the change ended or cut short
    on: dt.date
    told: int


def _cota_students_get(*, user: User, student_ids, on: dt.date, today: dt.date):
    """The students `user` may see (by name) and who serves each on `on`, after the checks
    every COTA change shares: the date, and that `user` is the OTR of each, a supervisor or
    an administrator."""
    from schoolot.directory.selectors import cota_assign_access, students_therapists_get

    students = _students_dated_get(
        user=user, student_ids=student_ids, on=on, today=today, verb="give"
    )
    serving = students_therapists_get(student_ids=[s.pk for s in students], on=on)
    if not all(cota_assign_access(user=user, otr=serving[s.pk].otr) for s in students):
        raise PermissionDenied(
            "The student's OTR, her OT supervisor or an administrator gives her sessions to a COTA."
        )
    return students, serving


def _students_otr(*, students, serving, field: str, why: str) -> Staff:
    """The one OTR of `students` on the day (`serving`: students_therapists_get's). Refused
    with a ValidationError: a student with none (on `field`), students of two OTRs."""
    without = [s.full_name for s in students if serving[s.pk].otr is None]
    if without:
        n = len(without)
        raise ValidationError(
            {
                field: f"{', '.join(without)} {'has' if n == 1 else 'have'} no OTR on that day, "
                f"and {why}: move {'her' if n == 1 else 'them'} to an OTR first."
            }
        )
    otrs = {serving[s.pk].otr.pk: serving[s.pk].otr for s in students}
    if len(otrs) > 1:
        raise ValidationError({"student": f"Choose students of one OTR: {why}."})
    (otr,) = otrs.values()
    return otr


def student_cota_assign(
    *, user: User, student_id: int, cota_staff_id: int, on: dt.date, today: dt.date
) -> CotaChange:
    """Give one student's sessions to a COTA from `on` (students_cota_assign)."""
    (change,) = students_cota_assign(
        user=user, student_ids=[student_id], cota_staff_id=cota_staff_id, on=on, today=today
    )
    return change


def students_cota_assign(
    *, user: User, student_ids, cota_staff_id: int, on: dt.date, today: dt.date
) -> list[CotaChange]:
    """Give students' sessions to a COTA from `on`, all or none: the COTA serves them, under
    the supervision of their OTR, who stays their OTR (and answers for their plans and
    evaluations). The COTA's week then holds their sessions (they leave the week that held
    them at its next build). A COTA assignment in force ends the day before (another
    COTA's, or the same change dated earlier); one dated later is replaced.

    Who: the students' OTR on `on`, an OT supervisor or an administrator who sees them
    (PermissionDenied otherwise; Http404 for a student `user` does not see). Refused with a
    ValidationError naming the field: no student or more than MOVE_MOST; `on` before
    `today` or over a year ahead; a student with no OTR on `on`; students of more than one
    OTR; a COTA who is not an active COTA supervised by their OTR; a student the COTA serves
    on `on` already. Tells the COTA, each COTA they leave, the OTR (when someone else made
    the change) and their teachers, once each."""
    from schoolot.referrals.services import notify

    students, serving = _cota_students_get(user=user, student_ids=student_ids, on=on, today=today)
    otr = _students_otr(
        students=students,
        serving=serving,
        field="cota",
        why="a COTA works under the student's OTR",
    )
    cota = (
        Staff.objects.filter(
            pk=cota_staff_id,
            district_id=otr.district_id,
            supervising_otr=otr,
            credential=Staff.Credential.COTA,
            user__is_active=True,
            user__role=Role.THERAPIST,
        )
        .select_related("user")
        .first()
    )
    if cota is None:
        raise ValidationError({"cota": f"Choose a COTA whom {otr.user.display_name} supervises."})
    hers = [
        s.full_name
        for s in students
        if serving[s.pk].cota is not None
        and serving[s.pk].cota.staff_id == cota.pk
        and serving[s.pk].cota_later is None
    ]
    if hers:
        raise ValidationError(
            {"cota": f"{cota.user.display_name} serves {', '.join(hers)} on that day already."}
        )
    ids = [s.pk for s in students]
    with transaction.atomic():
        left = _cota_assignments_end(student_ids=ids, on=on)
        CaseloadAssignment.objects.bulk_create(
            CaseloadAssignment(
                district_id=otr.district_id,
                staff=cota,
                student=student,
                role=CaseloadAssignment.Role.COTA,
                start_date=on,
            )
            for student in students
        )
        changes = [
            CotaChange(
                student=s,
                otr=otr,
                cota=cota,
                was=serving[s.pk].cota.staff if serving[s.pk].cota is not None else None,
                left=left.get(s.pk),
                on=on,
                told=0,
            )
            for s in students
        ]
        told = _cota_tell(user=user, changes=changes, today=today, notify=notify)
    return [replace(c, told=told) for c in changes]


def student_cota_unassign(
    *, user: User, student_id: int, on: dt.date, today: dt.date
) -> CotaChange:
    """Take one student's sessions back from her COTA from `on` (students_cota_unassign)."""
    (change,) = students_cota_unassign(user=user, student_ids=[student_id], on=on, today=today)
    return change


def students_cota_unassign(
    *, user: User, student_ids, on: dt.date, today: dt.date
) -> list[CotaChange]:
    """Take students' sessions back from their COTAs from `on`, all or none: their OTR
    serves them herself (the sessions leave the COTA's week at its next build, and the OTR's
    next build places them). Each COTA assignment in force ends the day before; one dated
    later is removed. Who and refusals as students_cota_assign, and: a student no COTA
    serves on or after `on`; one with no OTR on `on` to take her sessions back (move her
    to an OTR first). Tells each COTA, the OTR (when someone else made the change) and
    their teachers, once each."""
    from schoolot.referrals.services import notify

    students, serving = _cota_students_get(user=user, student_ids=student_ids, on=on, today=today)
    one = len(students) == 1
    served = [s for s in students if serving[s.pk].cota or serving[s.pk].cota_later]
    if len(served) != len(students):
        names = ", ".join(s.first_name if one else s.full_name for s in students if s not in served)
        raise ValidationError({"on": f"No COTA serves {names} on or after that day."})
    otr = _students_otr(
        students=students, serving=serving, field="on", why="their OTR serves them again herself"
    )
    with transaction.atomic():
        left = _cota_assignments_end(student_ids=[s.pk for s in students], on=on)
        changes = [
            CotaChange(
                student=s,
                otr=otr,
                cota=None,
                was=left.get(s.pk),
                left=left.get(s.pk),
                on=on,
                told=0,
            )
            for s in students
        ]
        told = _cota_tell(user=user, changes=changes, today=today, notify=notify)
    return [replace(c, told=told) for c in changes]


def _cota_tell(*, user, changes: list[CotaChange], today, notify) -> int:
    """Of one change for several students (one OTR, one COTA or none): the COTA they join,
    each COTA they leave, their OTR when someone else made the change, and their teachers:
    once each."""
    from schoolot.directory.selectors import class_teachers_get

    first = changes[0]
    otr, cota, on = first.otr, first.cota, first.on
    when = "today" if on == today else f"on {on:%a %b} {on.day}"
    one = len(changes) == 1
    student = first.student if one else None
    names = ", ".join(c.student.full_name for c in changes)
    her = "her" if one else "them"
    serves = f"{cota.user.display_name} (COTA)" if cota else f"{otr.user.display_name} (her OTR)"
    told = 0
    if cota is not None:
        text = (
            f"{first.student.full_name} ({first.student.school.name}) joins your caseload "
            f"{when}, under the supervision of {otr.user.display_name}: build your week to "
            f"place {first.student.first_name}'s sessions."
            if one
            else f"{len(changes)} students join your caseload {when}, under the supervision of "
            f"{otr.user.display_name}: {names}. Build your week to place their sessions."
        )
        told += notify(users=[cota.user], student=student, text=text, link=reverse("slot_list"))
    leaving: dict[int, list[CotaChange]] = {}
    for change in changes:
        if change.left is not None and (cota is None or change.left.pk != cota.pk):
            leaving.setdefault(change.left.pk, []).append(change)
    for theirs in leaving.values():
        gone = ", ".join(c.student.full_name for c in theirs)
        single = len(theirs) == 1
        told += notify(
            users=[theirs[0].left.user],
            student=theirs[0].student if single else None,
            text=f"{gone} {'leaves' if single else 'leave'} your caseload {when}: {serves} "
            f"serves {'her' if single else 'them'} then. Those sessions in your week end then; "
            "build your week after.",
            link=reverse("slot_list"),
        )
    if otr.user_id != user.pk:
        told += notify(
            users=[otr.user],
            student=student,
            text=f"{user.display_name} changed who serves {names} {when}: {serves} serves "
            f"{her} then. Build your week after.",
            link=reverse("slot_list"),
        )
    for teacher, mine in class_teachers_get(students=[c.student for c in changes]):
        single = len(mine) == 1
        told += notify(
            users=[teacher],
            student=mine[0] if single else None,
            text=f"{', '.join(s.full_name for s in mine)} {'sees' if single else 'see'} "
            f"{serves} for OT {when}. {'Her' if single else 'Their'} OT times may change when "
            "the new week is built; you will be told.",
            link=reverse("student_detail", args=[mine[0].pk]) if single else reverse("caseload"),
        )
    return told
