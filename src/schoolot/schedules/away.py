"""Time away: the days ahead a therapist gives no sessions (schedules.models.TimeAway: leave,
a conference, a district training), entered before they come so that nobody waits for her.

Contract:
- `time_away_add(user=, start_date=, end_date=, reason=, note=, today=, staff_id=)` records
  her own time away (a therapist or COTA), or, with `staff_id`, a team member's as her OT
  supervisor (an administrator: any therapist of the district's) enters it: out sick and
  unable to log in, or a leave; that therapist is told too. Refused, with a ValidationError
  naming the field and writing nothing: a first day before `today` (days gone by are logged
  on Today: Day missed), a last day before the first, days overlapping time away she has
  entered, days without school in the whole district, a therapist `user` does not oversee.
  Then it tells her OT supervisor (and a COTA's supervising OTR) which
  days and how many sessions are not held, and the teacher of each student whose session
  falls on them which days her students have no OT (they stay in class), and each parent
  with a login which days her children have none (not why): one notification each, in the
  app and by email. Times she held for make-ups on those days are given back
  (the make-ups stay owed); her one-off meetings on them are returned, for her to move.
- `time_away_remove(user=, away_id=, today=)` takes back time away of hers (or, for a
  supervisor or administrator, of a therapist she oversees) that has not ended before
  `today` (Http404 otherwise: what is past was logged). The same people hear that the
  sessions from `today` on are held as usual.
- `away_sessions_get(staff=, first=, last=)`: her weekly sessions held on the days of
  [first, last], as Today would list them: that week of the rotation's, none on a day
  without school in the district or at the session's school. A fixed number of queries.
- `away_days_get(staff_ids=, first=, last=)`: for each therapist, the weekdays of
  [first, last] she is away, with the time away that holds each. One query.
- `time_away_list(staff=, today=)`: hers to come (and under way), and the latest past ones.
- `team_time_away_get(user=, today=, days=TEAM_AHEAD_DAYS)`: the time away under way or
  beginning within `days` (None: any to come) of the therapists a supervisor oversees (an
  administrator: the district's), soonest first, for planning make-ups and cover. One
  query.

Her weekly schedule does not change for time away; the week is built as usual.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse

from schoolot.accounts.models import User
from schoolot.delivery.models import WeeklySlot
from schoolot.directory.models import SchoolYear, Staff
from schoolot.rules.calendar import weekdays
from schoolot.rules.cycles import assumed_first_day, cycle_week, rotation_number
from schoolot.schedules.models import Commitment, TimeAway

PAST_SHOWN = 5  # past time away listed, newest first


@dataclass(frozen=True)
class HeldSession:
    """One of her weekly sessions on one date."""

    date: dt.date
    slot: WeeklySlot


@dataclass(frozen=True)
class AwayAdded:
    """What time_away_add did: the time away, the sessions it keeps her from, and how many
    people were told."""

    away: TimeAway
    sessions: list[HeldSession]
    told: int
    released: int = 0  # times she held for make-ups on those days, given back
    meetings: list = field(default_factory=list)  # her one-off fixed time on those days


def _years(*, district_id: int) -> list[SchoolYear]:
    """The district's school years with their days without school, in order."""
    return list(
        SchoolYear.objects.filter(district_id=district_id)
        .prefetch_related("events")
        .order_by("first_day")
    )


def away_sessions_get(
    *, staff: Staff, first: dt.date, last: dt.date, years: list[SchoolYear] | None = None
) -> list[HeldSession]:
    """Her weekly sessions held on the school days of [first, last] (see the module);
    `years` when the caller has read them (_years)."""
    from schoolot.schedules.selectors import _closures_on

    if years is None:
        years = _years(district_id=staff.district_id)
    slots = list(
        WeeklySlot.objects.filter(therapist=staff)
        .select_related("school")
        .prefetch_related("students")
        .order_by("start_time")
    )
    held = []
    for day in weekdays(first, last):
        closed, schools_closed = _closures_on(years, day, on_record=bool(years))
        if closed:
            continue
        begun = [y.first_day for y in years if y.first_day <= day]
        start = begun[-1] if begun else assumed_first_day(day=day)
        rotation = rotation_number(day=day, first_day=start)
        week = cycle_week(day=day, first_day=start)
        held.extend(
            HeldSession(day, slot)
            for slot in slots
            if slot.weekday == day.weekday()
            and slot.comes_in(rotation=rotation, week=week)
            and slot.school_id not in schools_closed
        )
    return held


def away_days_get(
    *, staff_ids, first: dt.date, last: dt.date
) -> dict[int, dict[dt.date, TimeAway]]:
    """Each therapist's weekdays of [first, last] away, with the time away holding each."""
    days: dict[int, dict[dt.date, TimeAway]] = {}
    for away in TimeAway.objects.filter(
        staff_id__in=staff_ids, start_date__lte=last, end_date__gte=first
    ):
        mine = days.setdefault(away.staff_id, {})
        for day in weekdays(max(away.start_date, first), min(away.end_date, last)):
            mine[day] = away
    return days


@dataclass(frozen=True)
class TimeAwayList:
    coming: list[TimeAway]  # under way or to come, soonest first
    past: list[TimeAway]  # the latest PAST_SHOWN ended, newest first


def time_away_list(*, staff: Staff, today: dt.date) -> TimeAwayList:
    """Her time away to come (and under way) and the latest past. Two queries."""
    mine = TimeAway.objects.filter(staff=staff)
    return TimeAwayList(
        coming=list(mine.filter(end_date__gte=today).order_by("start_date")),
        past=list(mine.filter(end_date__lt=today).order_by("-start_date")[:PAST_SHOWN]),
    )


TEAM_AHEAD_DAYS = 28


def team_time_away_get(
    *, user: User, today: dt.date, days: int | None = TEAM_AHEAD_DAYS
) -> list[TimeAway]:
    """Her team's time away soon (see the module). PermissionDenied for anyone but a
    supervisor or an administrator."""
    from django.core.exceptions import PermissionDenied

    from schoolot.accounts.models import Role
    from schoolot.delivery.outputs import therapists_visible_to

    if user.role not in (Role.SUPERVISOR, Role.DISTRICT_ADMIN):
        raise PermissionDenied("A team's time away is for supervisors and administrators.")
    away = TimeAway.objects.filter(staff__in=therapists_visible_to(user=user), end_date__gte=today)
    if days is not None:
        away = away.filter(start_date__lte=today + dt.timedelta(days=days))
    return list(
        away.select_related("staff__user", "entered_by").order_by(
            "start_date", "staff__user__last_name"
        )
    )


def _span_text(first: dt.date, last: dt.date) -> str:
    from schoolot.schedules.services import date_text

    if first == last:
        return date_text(first, short=True)
    return f"{date_text(first, short=True)} to {date_text(last, short=True)}"


def _days_text(days: list[dt.date]) -> str:
    from schoolot.schedules.services import date_text

    named = [date_text(d, short=True) for d in sorted(set(days))]
    if len(named) > 4:
        return f"{', '.join(named[:3])} and {len(named) - 3} more days"
    return f"{', '.join(named[:-1])} and {named[-1]}" if len(named) > 1 else named[0]


def _tell(
    *,
    staff: Staff,
    away: TimeAway,
    first: dt.date,
    sessions: list[HeldSession],
    back: bool,
    by: User,
) -> int:
    """Her supervisors hear of the days from `first` and their sessions; each teacher, of her
    students' days; each parent, of her children's; she herself when someone else (`by`)
    entered or took back the days."""
    from schoolot.directory.selectors import class_teachers_get, student_parents_get
    from schoolot.referrals.services import notify

    name = staff.user.display_name
    span = _span_text(first, away.end_date)
    n = len(sessions)
    count = f"{n} session{'s' if n != 1 else ''}"
    if back:
        text = f"{name} is not away after all on {span}: {count} held as usual."
    else:
        owed = " Log them as missed on the day; make-ups as the team decides." if n else ""
        text = f"{name} is away {span} ({away.why}): {count} not held.{owed}"
    leads = [s.user for s in (staff.supervisor, staff.supervising_otr) if s is not None]
    told = notify(
        users=[u for u in leads if u.pk != by.pk], student=None, text=text, link=reverse("makeups")
    )
    if by.pk != staff.user_id:
        span_days = _span_text(first, away.end_date)
        own = (
            f"{by.display_name} took back your time away {span_days}: your sessions are held."
            if back
            else f"{by.display_name} entered time away for you {span_days} ({away.why}): "
            f"{count} not held; your students' teachers are told."
        )
        told += notify(users=[staff.user], student=None, text=own, link=reverse("time_away"))
    dates: dict[int, list[dt.date]] = {}  # a student's dates with a session
    students = {}
    for held in sessions:
        for student in held.slot.students.all():
            students[student.pk] = student
            dates.setdefault(student.pk, []).append(held.date)
    for teacher, mine in class_teachers_get(students=students.values()):
        names = ", ".join(s.full_name for s in mine)
        days = _days_text([d for s in mine for d in dates[s.pk]])
        if back:
            text = f"OT as usual for {names} on {days} after all: {name} is not away."
        else:
            text = (
                f"No OT for {names} on {days}: {name} is away ({away.why}). "
                f"{'They stay' if len(mine) > 1 else 'The student stays'} in class."
            )
        told += notify(
            users=[teacher],
            student=mine[0] if len(mine) == 1 else None,
            text=text,
            link=reverse("caseload"),
        )
    # Families: which days, not why (her leave is her own business).
    for parent, mine in student_parents_get(students=students.values()):
        names = " and ".join(s.first_name for s in mine)
        days = _days_text([d for s in mine for d in dates[s.pk]])
        if back:
            text = f"OT for {names} is held as usual on {days} after all."
        else:
            text = (
                f"No OT for {names} on {days}: the therapist, {name}, is away. The OT team "
                "decides how the time missed is made up."
            )
        told += notify(
            users=[parent],
            student=mine[0] if len(mine) == 1 else None,
            text=text,
            link=reverse("caseload"),
        )
    return told


def _whose(*, user: User, staff_id: int | None) -> Staff:
    """The therapist whose time away `user` enters or takes back: herself, or (`staff_id`)
    one she oversees (delivery.outputs.therapists_visible_to)."""
    from schoolot.delivery.outputs import therapists_visible_to
    from schoolot.delivery.services import therapist_staff_get

    if staff_id is None:
        return therapist_staff_get(user=user)
    staff = (
        therapists_visible_to(user=user)
        .filter(pk=staff_id)
        .select_related("user", "supervisor__user", "supervising_otr__user")
        .first()
    )
    if staff is None:
        raise ValidationError({"staff_id": "Choose a therapist of your team."})
    return staff


def time_away_add(
    *,
    user: User,
    start_date: dt.date,
    end_date: dt.date,
    reason: str,
    note: str = "",
    today: dt.date,
    staff_id: int | None = None,
) -> AwayAdded:
    """Record her time away, or a team member's, and tell who must know (see the module)."""
    staff = _whose(user=user, staff_id=staff_id)
    she = "You are" if staff.user_id == user.pk else f"{staff.user.display_name} is"
    if reason not in TimeAway.Reason.values:
        raise ValidationError({"reason": "Choose why you are away."})
    if start_date < today:
        raise ValidationError(
            {
                "start_date": "Start today or later; a day gone by is logged on its Today "
                "(Day missed)."
            }
        )
    if end_date < start_date:
        raise ValidationError({"end_date": "The last day must be on or after the first day."})
    with transaction.atomic():
        # One writer at a time per therapist, so that two overlapping entries cannot both pass.
        Staff.objects.select_for_update().filter(pk=staff.pk).first()
        clash = (
            TimeAway.objects.filter(staff=staff, start_date__lte=end_date, end_date__gte=start_date)
            .order_by("start_date")
            .first()
        )
        if clash is not None:
            raise ValidationError(
                {
                    "start_date": f"{she} away {_span_text(clash.start_date, clash.end_date)} "
                    "already; change the days so they do not overlap, or remove that entry."
                }
            )
        years = _years(district_id=staff.district_id)
        if not _school_days(years=years, first=start_date, last=end_date):
            raise ValidationError(
                {"start_date": "There is no school on those days: nothing to plan for."}
            )
        away = TimeAway(
            district_id=staff.district_id,
            staff=staff,
            start_date=start_date,
            end_date=end_date,
            reason=reason,
            note=note.strip(),
            entered_by=user,
        )
        away.full_clean()
        away.save()
        sessions = away_sessions_get(staff=staff, first=start_date, last=end_date, years=years)
        dated = Commitment.objects.filter(staff=staff, on__range=(start_date, end_date))
        # A make-up cannot be given on a day away: the time goes back, the make-up stays owed.
        released, _ = dated.filter(makeup_for__isnull=False).delete()
        meetings = list(dated.filter(makeup_for__isnull=True).order_by("on", "start"))
        told = _tell(
            staff=staff, away=away, first=start_date, sessions=sessions, back=False, by=user
        )
    return AwayAdded(away, sessions, told, released, meetings)


def _school_days(*, years: list[SchoolYear], first: dt.date, last: dt.date) -> list[dt.date]:
    """The weekdays of [first, last] that have school somewhere in the district (`years`:
    its school years with their events; none on record, every weekday has school)."""
    from schoolot.schedules.selectors import _closures_on

    on_record = bool(years)
    return [d for d in weekdays(first, last) if not _closures_on(years, d, on_record=on_record)[0]]


def time_away_remove(*, user: User, away_id: int, today: dt.date) -> tuple[TimeAway, int]:
    """Take back time away of hers (or of a therapist she oversees) not ended before `today`
    (see the module). Returns it and how many people were told."""
    from schoolot.accounts.models import Role
    from schoolot.delivery.outputs import therapists_visible_to
    from schoolot.delivery.services import therapist_staff_get

    if user.role in (Role.SUPERVISOR, Role.DISTRICT_ADMIN):
        whose = therapists_visible_to(user=user)
    else:
        whose = Staff.objects.filter(pk=therapist_staff_get(user=user).pk)
    with transaction.atomic():
        away = (
            # Only the entry is locked: the joined supervisors may be missing (outer joins).
            TimeAway.objects.select_for_update(of=("self",))
            .filter(pk=away_id, staff__in=whose, end_date__gte=today)
            .select_related(
                "staff__user", "staff__supervisor__user", "staff__supervising_otr__user"
            )
            .first()
        )
        if away is None:
            raise Http404("No such time away to come.")
        staff = away.staff
        first = max(away.start_date, today)
        sessions = away_sessions_get(staff=staff, first=first, last=away.end_date)
        away.delete()
        told = _tell(staff=staff, away=away, first=first, sessions=sessions, back=True, by=user)
    return away, told
