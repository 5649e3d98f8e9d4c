"""Reads of the therapist's fixed time: her commitments, lunch and planning; the drives and
lunch her week implies."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from schoolot.accounts.models import Role
from schoolot.directory.models import Staff
from schoolot.schedules.models import (
    Availability,
    Commitment,
    LunchAndPlanning,
    SchedulePriorities,
    TravelTime,
)


def weekdays_held(*, weekdays: str) -> list[int]:
    """The weekdays (0 Mon to 4 Fri) a recurring record (a commitment, a protected block)
    holds, from its stored "1,3"; blank is every school day."""
    days = sorted({int(d) for d in weekdays.split(",") if d.strip().isdigit()})
    return days or list(range(5))


def commitment_clash_get(
    *, staff: Staff, weekday: int, start: dt.time, end: dt.time
) -> Commitment | None:
    """Her commitment that recurs on that weekday and overlaps start-end (ending as the
    other starts is no overlap), or None. One-offs on a date do not count: a recurring
    session may fall in one, and that day's Today marks it."""
    for commitment in Commitment.objects.filter(
        staff=staff, on__isnull=True, start__lt=end, end__gt=start
    ):
        if weekday in weekdays_held(weekdays=commitment.weekdays):
            return commitment
    return None


def commitments_on_date_get(*, staff: Staff, date: dt.date) -> list[Commitment]:
    """Her fixed time held on `date`, by start: the recurring commitments of its weekday and
    the one-offs of that date (school closures are the caller's to check)."""
    if date.weekday() > 4:
        return []
    return [
        c
        for c in Commitment.objects.filter(staff=staff)
        .filter(Q(on__isnull=True) | Q(on=date))
        .select_related("school")
        .order_by("start")
        if c.on is not None or date.weekday() in weekdays_held(weekdays=c.weekdays)
    ]


def lunch_and_planning_get(*, staff: Staff) -> LunchAndPlanning:
    """Her lunch and planning time; the defaults (an unsaved row) when she set none."""
    found = LunchAndPlanning.objects.filter(staff=staff).first()
    return found or LunchAndPlanning(district_id=staff.district_id, staff=staff)


def team_priorities_list(*, district_id: int) -> list[SchedulePriorities]:
    """The teams of the district whose supervisor has set their own priorities."""
    return list(
        SchedulePriorities.objects.filter(district_id=district_id, team__isnull=False)
        .select_related("team__user")
        .order_by("team__user__last_name", "team__user__first_name")
    )


def priorities_team_id(*, user) -> int | None:
    """The team whose priorities weigh `user`'s weeks or that she sets: a supervisor's
    own team (her Staff pk), a therapist's supervisor's; None for anyone else (the
    district's)."""
    if user.role not in (Role.SUPERVISOR, Role.THERAPIST):
        return None
    staff = Staff.objects.filter(user=user).values("pk", "supervisor_id").first()
    if staff is None:
        return None
    return staff["pk"] if user.role == Role.SUPERVISOR else staff["supervisor_id"]


def schedule_priorities_get(*, district_id: int, team_id: int | None = None) -> SchedulePriorities:
    """The priorities that weigh the weeks of the team of supervisor `team_id` (her Staff
    pk): her team's own when she has set them, else the district's, else the defaults (an
    unsaved row). Without `team_id`, the district's. Whose they are is the row's `team`
    (None: the district's, or the defaults). One query."""
    rows = (
        SchedulePriorities.objects.filter(district_id=district_id)
        .filter(Q(team__isnull=True) | Q(team_id=team_id))
        .select_related("updated_by", "team__user")
    )
    found = sorted(rows, key=lambda row: row.team_id is None)  # the team's first
    return found[0] if found else SchedulePriorities(district_id=district_id)


@dataclass(frozen=True)
class DayBreak:
    """A drive, her lunch or her planning time in a day of her week, in minutes after
    midnight."""

    kind: str  # "drive", "lunch" or "planning"
    start: int
    end: int
    label: str  # "20 min to Lincoln Elementary", "Lunch", "Planning"

    @property
    def minutes(self) -> int:
        return self.end - self.start


def clock_minutes(t: dt.time) -> int:
    """A time of day as minutes after midnight (the scheduling instance's clock)."""
    return t.hour * 60 + t.minute


def rotation_every_week(slots, *, alike=lambda slot: ()) -> list[list]:
    """The rotation slots among `slots` that the rotation holds at one weekday, start, end and
    school in each of its weeks (1 to CYCLE_WEEKS, every rotation): so she is there every
    week, as for a weekly slot. Each set in week order; `alike(slot)` adds what the slots of
    a set must share besides (the week's calendar draws one block for the same students).
    No query beyond what `alike` reads."""
    from schoolot.rules.cycles import CYCLE_WEEKS

    sets: dict[tuple, list] = defaultdict(list)
    for s in slots:
        if s.cycle_week is not None and s.every_rotations == 1:
            key = (s.weekday, s.start_time, s.end_time, s.school_id)
            sets[(*key, *alike(s))].append(s)
    every = list(range(1, CYCLE_WEEKS + 1))
    return [
        sorted(same, key=lambda s: s.cycle_week)
        for same in sets.values()
        if sorted(s.cycle_week for s in same) == every
    ]


def session_alike(slot) -> tuple:
    """What rotation slots at one time and school must share besides to be one session held
    every week (rotation_every_week's `alike` for My week): setting, lock and students
    (prefetched)."""
    return (slot.setting, slot.locked, frozenset(x.pk for x in slot.students.all()))


def rotation_set_get(*, slot) -> list:
    """`slot` and the other slots of its every-week set (rotation_every_week, session_alike),
    in week order; [slot] alone when it is in none. Two queries for a rotation slot."""
    from schoolot.delivery.models import WeeklySlot

    if slot.cycle_week is None:
        return [slot]
    alike = WeeklySlot.objects.filter(
        therapist_id=slot.therapist_id,
        weekday=slot.weekday,
        start_time=slot.start_time,
        end_time=slot.end_time,
        school_id=slot.school_id,
        cycle_week__isnull=False,
    ).prefetch_related("students")
    for same in rotation_every_week(list(alike), alike=session_alike):
        if any(s.pk == slot.pk for s in same):
            return same
    return [slot]


@dataclass(frozen=True)
class MovePlace:
    """A stretch of a weekday where a session may be moved (slot_places_get): starts every
    5 minutes from `first` to `last` (minutes after midnight), each one missing core
    instruction of its students (`core`) or none."""

    weekday: int
    first: int
    last: int
    core: bool


def slot_places_get(*, slots: list, step: int = 5) -> list[MovePlace]:
    """Where the session of `slots` (one slot, or the slots of a session held in every week
    of the rotation, moved together) may be moved by the rules no hand move breaks
    (delivery.services.weekly_slot_move): inside its school's day, clear of her other
    sessions that meet it (a rotation week's meet the weekly ones and their own week's),
    of her recurring fixed time and of its students' protected time. Each stretch says
    whether its students then miss core instruction (their school's bells for their grade).
    The rules of her own week (hours, drives, lunch) are the move's to judge. Five queries."""
    from schoolot.delivery.models import WeeklySlot
    from schoolot.rules.cycles import CYCLE_WEEKS
    from schoolot.schedules.models import BellPeriod, ProtectedBlock

    slot = slots[0]
    school, minutes = slot.school, slot.minutes
    students = list(slot.students.all())
    weeks = {s.cycle_week for s in slots}
    if None in weeks or len(weeks) == CYCLE_WEEKS:
        meets = WeeklySlot.objects.filter(therapist_id=slot.therapist_id)
    else:
        meets = WeeklySlot.objects.filter(
            Q(cycle_week__isnull=True) | Q(cycle_week__in=weeks), therapist_id=slot.therapist_id
        )
    taken: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for other in meets.exclude(pk__in=[s.pk for s in slots]).only(
        "weekday", "start_time", "end_time"
    ):
        taken[other.weekday].append(
            (clock_minutes(other.start_time), clock_minutes(other.end_time))
        )
    for c in Commitment.objects.filter(staff_id=slot.therapist_id, on__isnull=True):
        for d in weekdays_held(weekdays=c.weekdays):
            taken[d].append((clock_minutes(c.start), clock_minutes(c.end)))
    for p in ProtectedBlock.objects.filter(student__in=students):
        for d in weekdays_held(weekdays=p.weekdays):
            taken[d].append((clock_minutes(p.start), clock_minutes(p.end)))
    core: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for b in BellPeriod.objects.filter(
        school_id__in={x.school_id for x in students}, kind=BellPeriod.Kind.CORE
    ):
        grades = {g.strip() for g in b.grades.split(",") if g.strip()}
        if any(x.school_id == b.school_id and (not grades or x.grade in grades) for x in students):
            for d in weekdays_held(weekdays=b.weekdays):
                core[d].append((clock_minutes(b.start), clock_minutes(b.end)))

    def meets_any(spans, a: int, b: int) -> bool:
        return any(a < end and start < b for start, end in spans)

    places: list[MovePlace] = []
    opens, closes = clock_minutes(school.day_start), clock_minutes(school.day_end)
    first_start = -(-opens // step) * step  # the first start on the step
    for d in range(5):
        run: list = []  # [first, last, core] of the stretch being read
        for t in range(first_start, closes - minutes + 1, step):
            if meets_any(taken[d], t, t + minutes):
                kind = None
            else:
                kind = meets_any(core[d], t, t + minutes)
            if run and (kind is None or kind != run[2] or t != run[1] + step):
                places.append(MovePlace(d, *run))
                run = []
            if kind is not None:
                run = [run[0] if run else t, t, kind]
        if run:
            places.append(MovePlace(d, *run))
    return places


def week_breaks_get(*, staff: Staff, slots, commitments) -> dict[int, list[DayBreak]]:
    """Per weekday (0 Mon to 4 Fri) with a weekly session, the drives, the lunch and the
    planning time her weekly sessions imply.

    Drives: between consecutive stops at different schools (her weekly `slots`, and her
    `commitments` held at a school), from the first stop's end, for the minutes the scheduler
    uses (the travel-times page, else the estimate), at most the gap between the stops.
    Lunch: the earliest free stretch of her lunch minutes in her lunch window on the 5-minute
    grid, free of sessions, fixed time and drives, else over a drive (she may eat on the
    way), clear of her rotation's sessions too where it can be; none when no stretch is free
    (the week check says so). Planning: likewise the earliest free stretch of her planning
    minutes within her hours that day (My hours; without any, the scheduler's default day),
    apart from lunch. Rotation slots make no drives (each holds one week in four), but for
    those at one weekday, time and school in each of the rotation's weeks
    (rotation_every_week): she is there every week, as for a weekly slot. Two queries, three
    when she keeps planning time; `slots` with their school, `commitments` recurring, with
    theirs."""
    from schoolot.schedules.services import DEFAULT_DAY

    rotation = [s for s in slots if s.cycle_week is not None]
    held_weekly = [same[0] for same in rotation_every_week(rotation)]
    slots = [s for s in slots if s.cycle_week is None] + held_weekly
    stops: dict[int, list[tuple[int, int, object]]] = {d: [] for d in range(5)}
    busy: dict[int, list[tuple[int, int]]] = {d: [] for d in range(5)}
    every_week: dict[int, list[tuple[int, int]]] = {d: [] for d in range(5)}  # and rotation
    for s in slots:
        stops[s.weekday].append((clock_minutes(s.start_time), clock_minutes(s.end_time), s.school))
        busy[s.weekday].append((clock_minutes(s.start_time), clock_minutes(s.end_time)))
    for s in rotation:
        every_week[s.weekday].append((clock_minutes(s.start_time), clock_minutes(s.end_time)))
    for c in commitments:
        for d in weekdays_held(weekdays=c.weekdays):
            busy[d].append((clock_minutes(c.start), clock_minutes(c.end)))
            if c.school_id:
                stops[d].append((clock_minutes(c.start), clock_minutes(c.end), c.school))
    drive = _drive_minutes({x[2].pk: x[2] for items in stops.values() for x in items})
    breaks_of = lunch_and_planning_get(staff=staff)
    lunch_lo, lunch_hi = clock_minutes(breaks_of.lunch_from), clock_minutes(breaks_of.lunch_until)
    hours: dict[int, tuple[int, int]] = {}  # her working span per weekday, for planning
    if breaks_of.planning_minutes:
        for a in Availability.objects.filter(staff=staff):
            lo, hi = hours.get(a.weekday, (24 * 60, 0))
            hours[a.weekday] = (min(lo, clock_minutes(a.start)), max(hi, clock_minutes(a.end)))
        if not hours:  # no hours on record: the day the scheduler assumes
            hours = {d: DEFAULT_DAY for d in range(5)}
    result: dict[int, list[DayBreak]] = {}
    for d in range(5):
        if not any(s.weekday == d for s in slots):
            continue
        day = [
            DayBreak("drive", end, end + driven, f"{minutes} min to {there.name}")
            for end, driven, minutes, there in _route_drives(stops[d], drive)
        ]
        drives = [(x.start, x.end) for x in day]
        needs = [("lunch", "Lunch", lunch_lo, lunch_hi, breaks_of.lunch_minutes)]
        if d in hours:
            needs.append(("planning", "Planning", *hours[d], breaks_of.planning_minutes))
        taken: list[tuple[int, int]] = []  # lunch, once placed: planning is apart from it
        for kind, label, lo, hi, minutes in needs:
            # Clear of the rotation's sessions too, it holds in every week; else the week's.
            start = _stretch_place(busy[d] + every_week[d] + taken, drives, lo, hi, minutes)
            if start is None:
                start = _stretch_place(busy[d] + taken, drives, lo, hi, minutes)
            if start is not None:
                day.append(DayBreak(kind, start, start + minutes, label))
                taken.append((start, start + minutes))
        result[d] = day
    return result


def _route_drives(stops: list[tuple[int, int, object]], drive) -> list[tuple]:
    """The drives between a day's consecutive `stops` (start, end, school) at different
    schools: (the first stop's end, the minutes driven, at most the gap to the next stop,
    the drive's full minutes by `drive`, the school driven to)."""
    items = sorted(stops, key=lambda x: (x[0], x[1]))
    return [
        (end, min(minutes, start - end), minutes, there)
        for (_s, end, here), (start, _e, there) in zip(items, items[1:], strict=False)
        if here.pk != there.pk and start > end
        for minutes in [drive(here, there)]
    ]


def rotation_sets_split(slots) -> tuple[set[int], set[int]]:
    """The ids of the first slot of each every-week set among `slots` (rotation_every_week,
    session_alike: one session held in each week of the rotation), and of the sets' other
    slots, for a page or a feed that shows each set once."""
    sets = rotation_every_week(slots, alike=session_alike)
    return {same[0].pk for same in sets}, {s.pk for same in sets for s in same[1:]}


def _drive_minutes(schools: dict):
    """A function (school, school) -> the minutes the scheduler takes between them: the
    travel-times page either way, else the estimate. One query, for these `schools` (by id)."""
    from schoolot.schedules.services import travel_default_minutes

    travel = {
        (t.origin_id, t.destination_id): t.minutes
        for t in TravelTime.objects.filter(origin_id__in=schools, destination_id__in=schools)
    }

    def drive(a, b) -> int:
        found = travel.get((a.pk, b.pk), travel.get((b.pk, a.pk)))
        return found if found is not None else travel_default_minutes(a=a, b=b)

    return drive


def _logged_stops(*, staff: Staff, dates: list[dt.date]) -> dict[dt.date, list[tuple]]:
    """Per date of `dates` she logged any session on, her stops that day (start, end, school
    in minutes after midnight): her sessions, and her fixed time held at a school (one on
    that date, or recurring that weekday) that no session of hers overlaps (she was there
    between them). Two queries, whatever the number of dates."""
    from schoolot.delivery.models import Session

    sessions = list(
        Session.objects.filter(district_id=staff.district_id, therapist=staff, date__in=dates)
        .select_related("school")
        .order_by("date", "start_time", "end_time")
    )
    if not sessions:
        return {}
    logged = sorted({x.date for x in sessions})
    fixed = list(
        Commitment.objects.filter(
            Q(on__in=logged) | Q(on__isnull=True),
            district_id=staff.district_id,
            staff=staff,
            school__isnull=False,
        ).select_related("school")
    )
    stops: dict[dt.date, list[tuple[int, int, object]]] = defaultdict(list)
    for x in sessions:
        stops[x.date].append((clock_minutes(x.start_time), clock_minutes(x.end_time), x.school))
    for day in logged:
        held = [
            (clock_minutes(c.start), clock_minutes(c.end), c.school)
            for c in fixed
            if c.on == day or (c.on is None and day.weekday() in weekdays_held(weekdays=c.weekdays))
        ]
        sat = [(a, b) for a, b, _s in stops[day]]
        stops[day] += [c for c in held if all(c[1] <= a or b <= c[0] for a, b in sat)]
        stops[day].sort(key=lambda x: (x[0], x[1]))
    return stops


def logged_drives_get(*, staff: Staff, dates: list[dt.date]) -> dict[dt.date, int]:
    """The minutes of driving her logged sessions show on each of `dates` she logged any:
    between consecutive stops at different schools (_logged_stops), the scheduler's minutes
    between them (the travel-times page, else the estimate), at most the gap between the two
    stops, as on her week. A date with stops at one school only maps to 0. Three queries,
    whatever the number of dates."""
    stops = _logged_stops(staff=staff, dates=dates)
    if not stops:
        return {}
    drive = _drive_minutes({x[2].pk: x[2] for day in stops.values() for x in day})
    return {
        day: sum(driven for _e, driven, _m, _t in _route_drives(stops[day], drive)) for day in stops
    }


@dataclass(frozen=True)
class Leg:
    """A drive between two schools in her day, for her mileage log: the road miles of the
    district's mileage chart (SchoolMileage), else estimated from the schools' locations
    (rules.travel.road_miles, `estimated`); None when neither is known."""

    origin: object  # School
    destination: object  # School
    miles: float | None
    estimated: bool = False


def logged_legs_get(*, staff: Staff, dates: list[dt.date]) -> dict[dt.date, list[Leg]]:
    """Per date of `dates` she logged any session on, the drives between consecutive stops
    at different schools (_logged_stops), in order: the legs of a mileage log. The drive to
    her first school and home from her last are her commute, not listed. Three queries."""
    from schoolot.rules.travel import distance_km, road_miles
    from schoolot.schedules.models import SchoolMileage

    stops = _logged_stops(staff=staff, dates=dates)
    schools = {x[2].pk for day in stops.values() for x in day}
    chart = (
        {
            (a, b): float(miles)
            for a, b, miles in SchoolMileage.objects.filter(
                school_a_id__in=schools, school_b_id__in=schools
            ).values_list("school_a_id", "school_b_id", "miles")
        }
        if len(schools) > 1
        else {}
    )

    def leg(here, there) -> Leg:
        entered = chart.get((min(here.pk, there.pk), max(here.pk, there.pk)))
        if entered is not None:
            return Leg(here, there, entered)
        if here.location and there.location:
            km = distance_km(a=here.location, b=there.location)
            return Leg(here, there, road_miles(km=km), estimated=True)
        return Leg(here, there, None)

    return {
        day: [
            leg(here, there)
            for (_s, _e, here), (_s2, _e2, there) in zip(day_stops, day_stops[1:], strict=False)
            if here.pk != there.pk
        ]
        for day, day_stops in stops.items()
    }


def week_drives_get(*, staff: Staff, dates: list[dt.date]) -> dict[dt.date, int]:
    """The minutes of driving her week implies (week_breaks_get) on each of `dates` that is a
    school day: not a weekend, inside a school year on record (when any is) and not one of
    its closed days. On a day one of her schools is closed alone, the route skips it (her
    sessions and fixed time there are not held). Dates without driving are left out. Six
    queries (seven when she keeps planning time), and as many more for each other set of
    her schools closed on one weekday of `dates`."""
    from schoolot.delivery.models import WeeklySlot
    from schoolot.directory.models import SchoolYear

    if not dates:
        return {}
    years = list(
        SchoolYear.objects.filter(
            district_id=staff.district_id, first_day__lte=max(dates), last_day__gte=min(dates)
        ).prefetch_related("events")
    )
    calendars = [y.calendar() for y in years]
    any_year = bool(years) or SchoolYear.objects.filter(district_id=staff.district_id).exists()

    def school_day(day: dt.date) -> bool:
        if day.weekday() > 4:
            return False
        if not any_year:  # no calendar on record: every weekday
            return True
        return any(c.is_instructional(day) for c in calendars)

    open_days = [d for d in dates if school_day(d)]
    if not open_days:
        return {}
    slots = list(WeeklySlot.objects.filter(therapist=staff).select_related("school"))
    commitments = list(
        Commitment.objects.filter(staff=staff, on__isnull=True).select_related("school")
    )
    driving: dict[frozenset, dict[int, int]] = {}

    def driven(day: dt.date) -> int:
        """Her week's driving that weekday, without the schools closed alone on `day`."""
        closed = frozenset(
            e.school_id
            for y in years
            for e in y.events.all()
            if e.school_id is not None and e.start_date <= day <= e.end_date
        )
        if closed not in driving:
            breaks = week_breaks_get(
                staff=staff,
                slots=[s for s in slots if s.school_id not in closed],
                commitments=[c for c in commitments if c.school_id not in closed],
            )
            driving[closed] = {
                weekday: sum(b.minutes for b in items if b.kind == "drive")
                for weekday, items in breaks.items()
            }
        return driving[closed].get(day.weekday(), 0)

    return {d: driven(d) for d in open_days if driven(d)}


def _stretch_place(
    busy: list[tuple[int, int]], drives: list[tuple[int, int]], lo: int, hi: int, minutes: int
) -> int | None:
    """The earliest start on the 5-minute grid of a stretch of `minutes` inside [lo, hi)
    clear of `busy` and `drives`, then of `busy` alone (over a drive); None when neither fits
    or none is kept."""
    if not minutes:
        return None
    for blocked in (busy + drives, busy):
        for t in range(lo + (-lo) % 5, hi - minutes + 1, 5):
            if all(t + minutes <= a or b <= t for a, b in blocked):
                return t
    return None


def weekly_sessions_by_student_get(*, staff: Staff) -> dict:
    """Each student of the therapist's week (a Student) with the set of her weekly sessions
    (weekday, rotation week, start, end): what a rebuilt week is compared with, to tell whose
    sessions it changed."""
    from schoolot.delivery.models import WeeklySlot  # delivery imports this module

    sessions: dict = defaultdict(set)
    slots = WeeklySlot.objects.filter(therapist=staff).prefetch_related("students")
    for slot in slots:
        for student in slot.students.all():
            sessions[student].add((slot.weekday, slot.cycle_week, slot.start_time, slot.end_time))
    return sessions


def weekly_sessions_changed(*, before: dict, after: dict) -> list:
    """The students (of two weekly_sessions_by_student_get readings) whose weekly sessions
    differ: added, moved or left out."""
    return [s for s in {*before, *after} if before.get(s) != after.get(s)]


@dataclass(frozen=True)
class YearSpan:
    """The school year a weekly session is held in: its first and last day, the days the
    whole district has no instruction, and each school's own closed days."""

    first_day: dt.date
    last_day: dt.date
    closed: frozenset[dt.date]
    school_closed: dict[int, frozenset[dt.date]]

    def closed_at(self, school_id: int | None) -> frozenset[dt.date]:
        """The days without instruction at that school (the district's and its own)."""
        return self.closed | self.school_closed.get(school_id, frozenset())


def school_year_span_get(*, district_id: int, on: dt.date) -> YearSpan:
    """The school year a weekly session is held in from `on` (directory.selectors.
    school_year_ahead_get), with its closed days. Without one on record: the usual year
    start (rules.cycles.assumed_first_day), half a year ahead, no closed days. Two
    queries."""
    from schoolot.directory.selectors import school_year_ahead_get
    from schoolot.rules.cycles import assumed_first_day

    year = school_year_ahead_get(district_id=district_id, on=on)
    if year is None:
        return YearSpan(assumed_first_day(day=on), on + dt.timedelta(180), frozenset(), {})
    closed = year.calendar().closed_days
    schools = {e.school_id for e in year.events.all() if e.school_id is not None}
    return YearSpan(
        year.first_day,
        year.last_day,
        closed,
        {pk: year.calendar(school_id=pk).closed_days - closed for pk in schools},
    )


@dataclass(frozen=True)
class OtTime:
    """A time OT sees a student: one of her weekly sessions (a rotation session held in
    every week of the rotation counts as weekly)."""

    weekday: int  # 0 Monday
    start: dt.time
    end: dt.time
    school: str
    therapist: str  # name and credential
    group_size: int  # students in the session, she included
    setting: str  # in words
    rotation: str  # '' every week; else e.g. 'week 2 of 4'
    next_date: dt.date | None  # the next school day it is held (None: not again this year)

    @property
    def weekday_name(self) -> str:
        """'Mondays' and so on."""
        from schoolot.delivery.models import WeeklySlot

        return f"{WeeklySlot.Weekday(self.weekday).label}s"


def student_ot_times_get(*, student, on: dt.date, now: dt.time | None = None) -> list[OtTime]:
    """When OT sees `student`, for the people who may read her record (her teacher must
    know when she leaves class, her family when she has OT): the weekly sessions that hold
    her, of the therapists assigned to her on `on` (a session left from an ended assignment
    is no longer hers; My week lists it for its therapist to remove), in weekday and time
    order, each with the next school day from `on` it is held (the school year's breaks and
    holidays skipped, and the days her session's school alone is closed,
    rules.cycles.slot_recurrence; not `on` itself once it has ended, when
    `now`, the time of day on `on`, is given). A group says how many students it
    holds, never who. The caller checks that the user may see the student. At most three
    queries."""
    from django.db.models import Count

    from schoolot.core.access import serving_assignments
    from schoolot.delivery.models import WeeklySlot
    from schoolot.rules.cycles import slot_recurrence

    slots = list(
        WeeklySlot.objects.filter(
            district_id=student.district_id,
            pk__in=WeeklySlot.students.through.objects.filter(student_id=student.pk).values(
                "weeklyslot_id"
            ),
            therapist_id__in=serving_assignments(on=on)
            .filter(student_id=student.pk)
            .values("staff_id"),
        )
        .select_related("school", "therapist__user")
        .annotate(group_size=Count("students"))
        .order_by("weekday", "start_time", "pk")
    )
    if not slots:
        return []
    span = school_year_span_get(district_id=student.district_id, on=on)
    first_day, last_day = span.first_day, span.last_day
    sets = rotation_every_week(slots, alike=lambda s: (s.therapist_id, s.setting))
    every_week = {same[0].pk for same in sets}
    later_weeks = {s.pk for same in sets for s in same[1:]}
    times = []
    for slot in slots:
        if slot.pk in later_weeks:
            continue  # its set's first slot stands for it
        rotation = slot.cycle_week is not None and slot.pk not in every_week
        held = slot_recurrence(
            weekday=slot.weekday,
            week_of=max(on, first_day),
            first_day=first_day,
            last_day=last_day,
            cycle_week=slot.cycle_week if rotation else None,
            every=slot.every_rotations,
            offset=slot.rotation_offset,
            closed=span.closed_at(slot.school_id),
        )
        day = held.first
        over = now is not None and slot.end_time <= now  # today's has ended
        while day is not None and (day < on or day in held.skipped or (day == on and over)):
            day += dt.timedelta(weeks=held.interval_weeks)
            if day > last_day:
                day = None
        therapist = slot.therapist
        times.append(
            OtTime(
                weekday=slot.weekday,
                start=slot.start_time,
                end=slot.end_time,
                school=slot.school.name,
                therapist=f"{therapist.user.display_name}, {therapist.credential}",
                group_size=slot.group_size,
                setting=slot.get_setting_display(),
                rotation=slot.rotation if rotation else "",
                next_date=day,
            )
        )
    return times


@dataclass(frozen=True)
class OtPullOut:
    """One OT session of a week that takes some of the user's students."""

    start: dt.time
    end: dt.time
    students: list[str]  # the user's students in it (a teacher's, a parent's children)
    group_size: int  # students in the session, others included
    therapist: str
    school: str
    setting: str  # in words: "classroom" means OT comes into the class (push-in)


@dataclass(frozen=True)
class OtDay:
    date: dt.date
    closed: str  # '' on a school day, else why there is no school
    sessions: list[OtPullOut]
    # Schools of the user's sessions closed that day while the district is not, each as
    # "Lincoln Elementary: Water main break"; their sessions are not held, so not listed.
    closed_schools: list[str] = field(default_factory=list)
    # Therapists away that day (schedules.models.TimeAway), each as "Ms. Rivera is away
    # (State OT conference)"; their sessions are not held, so not listed.
    away: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class OtSlot:
    """A weekly session that takes some of a teacher's or a parent's students."""

    slot: object  # a delivery WeeklySlot, with its school and therapist's user loaded
    students: list  # the user's students in it (Students), by name
    group_size: int  # students in the session, others included


def ot_slots_get(*, user, on: dt.date) -> list[OtSlot]:
    """The weekly sessions of the students a teacher or a parent sees (students_visible_to),
    in start time order: each with those of her students a therapist assigned to them on
    `on` serves in it (a session left from an ended assignment is no longer theirs), and
    its size. Empty for other roles. Four queries, whatever the students."""
    from django.db.models import Count, Prefetch

    from schoolot.core.access import serving_assignments, students_visible_to
    from schoolot.delivery.models import WeeklySlot
    from schoolot.directory.models import Student

    if user.role not in (Role.TEACHER, Role.PARENT):
        return []
    visible = students_visible_to(user=user)
    assigned = set(
        serving_assignments(on=on).filter(student__in=visible).values_list("staff_id", "student_id")
    )
    slots = list(
        WeeklySlot.objects.filter(
            district_id=user.district_id,
            pk__in=WeeklySlot.students.through.objects.filter(student__in=visible).values(
                "weeklyslot_id"
            ),
        )
        .select_related("school", "therapist__user")
        .prefetch_related(
            Prefetch(
                "students",
                queryset=Student.objects.filter(pk__in=visible.values("pk")).order_by(
                    "last_name", "first_name"
                ),
                to_attr="visible_students",
            )
        )
        .order_by("start_time", "pk")
    )
    sizes = dict(
        WeeklySlot.students.through.objects.filter(weeklyslot_id__in=[s.pk for s in slots])
        .values("weeklyslot_id")
        .annotate(n=Count("student_id"))
        .values_list("weeklyslot_id", "n")
    )
    result = []
    for slot in slots:
        mine = [s for s in slot.visible_students if (slot.therapist_id, s.pk) in assigned]
        if mine:
            result.append(OtSlot(slot, mine, sizes.get(slot.pk, len(mine))))
    return result


@dataclass(frozen=True)
class SchoolWeek:
    """Monday to Friday of a week, with the school years over it (their events loaded) and
    where it falls in the 4-week rotation."""

    dates: list[dt.date]
    years: list
    rotation: int  # the rotation's number
    week: int  # its week, 1-4


def school_week_get(*, district_id: int, on: dt.date) -> SchoolWeek:
    """The week holding `on` (from Saturday, the next), for pages and printouts that show a
    week with its dates. One query (two with the events)."""
    from schoolot.directory.models import SchoolYear
    from schoolot.rules.cycles import assumed_first_day, rotation_number
    from schoolot.rules.cycles import cycle_week as week_of_rotation

    if on.weekday() >= 5:
        on += dt.timedelta(days=7 - on.weekday())
    monday = on - dt.timedelta(days=on.weekday())
    dates = [monday + dt.timedelta(days=i) for i in range(5)]
    years = list(
        SchoolYear.objects.filter(
            district_id=district_id, first_day__lte=dates[-1], last_day__gte=monday
        ).prefetch_related("events")
    )
    first_day = min((y.first_day for y in years), default=assumed_first_day(day=monday))
    return SchoolWeek(
        dates,
        years,
        rotation_number(day=monday, first_day=first_day),
        week_of_rotation(day=monday, first_day=first_day),
    )


def ot_week_get(*, user, on: dt.date) -> list[OtDay]:
    """The week's OT sessions of the students a teacher or a parent sees (ot_slots_get), day
    by day, Monday to Friday of the week holding `on` (the next week from Saturday): when
    each leaves class for OT, as a teacher posts it by the door. Rotation sessions only in
    the weeks of the rotation that hold them, none on a day the school calendar closes (its
    reason said instead), none at a school closed that day while the others are open (its
    name and reason said instead). A group names only the user's own students in it, with
    its size. None by a therapist away that day (schedules.away: her name and why said
    instead). Empty for other roles (their pages show whole weeks), and when none of the
    user's students has a weekly OT session (a week of breaks still shows its days). At most
    seven queries, whatever the students."""
    from schoolot.schedules.away import away_days_get

    if user.role not in (Role.TEACHER, Role.PARENT):
        return []
    school_week = school_week_get(district_id=user.district_id, on=on)
    sessions_of_week = ot_slots_get(user=user, on=on if on.weekday() < 5 else school_week.dates[0])
    if not sessions_of_week:
        return []
    away = away_days_get(
        staff_ids={held.slot.therapist_id for held in sessions_of_week},
        first=school_week.dates[0],
        last=school_week.dates[-1],
    )
    days = []
    for date in school_week.dates:
        closed, school_closed = _closures_on(school_week.years, date)
        sessions, closed_schools, away_notes = [], [], []
        for held in sessions_of_week if not closed else []:
            slot = held.slot
            if slot.weekday != date.weekday():
                continue
            if not slot.comes_in(rotation=school_week.rotation, week=school_week.week):
                continue
            if slot.school_id in school_closed:
                note = f"{slot.school.name}: {school_closed[slot.school_id]}"
                if note not in closed_schools:
                    closed_schools.append(note)
            elif date in away.get(slot.therapist_id, {}):
                why = away[slot.therapist_id][date].why
                note = f"{slot.therapist.user.display_name} is away ({why})"
                if note not in away_notes:
                    away_notes.append(note)
            else:
                sessions.append(
                    OtPullOut(
                        start=slot.start_time,
                        end=slot.end_time,
                        students=[s.full_name for s in held.students],
                        group_size=held.group_size,
                        therapist=slot.therapist.user.display_name,
                        school=slot.school.name,
                        setting=slot.get_setting_display(),
                    )
                )
        days.append(OtDay(date, closed, sessions, closed_schools, away_notes))
    return days


@dataclass(frozen=True)
class PrintedStop:
    """One line of a day of the printed week."""

    start: dt.time
    end: dt.time
    kind: str  # "session", "fixed", "drive", "lunch" or "planning"
    text: str  # the students (initials or names), the meeting, "20 min to Lincoln", "Lunch"
    detail: str  # a session's school, setting and rotation week; fixed time's school


@dataclass(frozen=True)
class PrintedDay:
    weekday: int
    name: str
    stops: list[PrintedStop]
    driving: int  # minutes
    date: dt.date | None = None  # a dated week's (week_printout_get with `week_of`)
    closed: str = ""  # a dated day without school: why
    closed_schools: list[str] = field(default_factory=list)  # "Lincoln: Water main break"
    away: str = ""  # a dated day of her time away: why (schedules.models.TimeAway)


def _closures_on(years, day: dt.date, *, on_record: bool = True) -> tuple[str, dict[int, str]]:
    """Why `day` has no school in the district ('' on a school day), and the schools closed
    alone that day with why, from school years with their events loaded. Outside them, no
    school year is in session, unless the district has none `on_record` (no calendar
    entered: every weekday is a school day)."""
    year = next((y for y in years if y.first_day <= day <= y.last_day), None)
    if year is None:
        return ("No school year in session" if on_record else ""), {}
    closed, schools = "", {}
    for event in year.events.all():
        if event.start_date <= day <= event.end_date:
            if event.school_id is None:
                closed = closed or event.name
            else:
                schools.setdefault(event.school_id, event.name)
    return closed, schools


def week_printout_get(
    *, staff: Staff, names: bool, week_of: dt.date | None = None
) -> list[PrintedDay]:
    """Her week on paper, Monday to Friday, each day's stops in time order: her weekly
    sessions (a rotation session with its week of the rotation; one held in every week of
    it once, as weekly), her recurring fixed time, and the drives, lunch and planning the
    week implies (week_breaks_get, as My week draws them). Students by their initials, as
    the calendar feed shows them, for a copy on the door or at the front office; by name
    when `names` (her own copy).

    With `week_of`, the dated week holding that day (from Saturday, the next): each day as
    it will be held, the sessions of that week of the rotation only, none on a day without
    school (its reason instead) or at a school closed alone that day (named instead), her
    one-off fixed time of that week too, and the drives, lunch and planning of those days;
    on a day of her time away, nothing but why. Four queries and those of week_breaks_get
    (and the calendar's two and her time away's one when dated)."""
    import copy

    from schoolot.delivery.models import WeeklySlot

    slots = list(
        WeeklySlot.objects.filter(therapist=staff)
        .select_related("school")
        .prefetch_related("students")
        .order_by("weekday", "start_time", "pk")
    )
    commitments = list(Commitment.objects.filter(staff=staff).select_related("school"))
    recurring = [c for c in commitments if c.on is None]
    first_weeks, later_weeks = rotation_sets_split(slots)
    names_of = dict(WeeklySlot.Weekday.choices)

    def clock(minutes: int) -> dt.time:
        return dt.time(minutes // 60, minutes % 60)

    def session(slot, *, rotation_week: bool) -> PrintedStop:
        students = sorted(slot.students.all(), key=lambda s: (s.last_name, s.first_name))
        who = ", ".join(
            s.full_name if names else f"{s.first_name[:1]}.{s.last_name[:1]}." for s in students
        )
        detail = [slot.school.name, slot.get_setting_display()]
        if rotation_week:
            detail.append(slot.rotation)
        return PrintedStop(slot.start_time, slot.end_time, "session", who, " · ".join(detail))

    def fixed(c) -> PrintedStop:
        return PrintedStop(c.start, c.end, "fixed", c.label, c.school.name if c.school else "")

    def day_of(weekday, stops, breaks, **dated) -> PrintedDay:
        stops += [
            PrintedStop(clock(b.start), clock(b.end), b.kind, b.label, "")
            for b in breaks.get(weekday, ())
        ]
        stops.sort(key=lambda s: (s.start, s.end))
        driving = sum(b.minutes for b in breaks.get(weekday, ()) if b.kind == "drive")
        return PrintedDay(weekday, names_of[weekday], stops, driving, **dated)

    if week_of is None:
        breaks = week_breaks_get(staff=staff, slots=slots, commitments=recurring)
        return [
            day_of(
                weekday,
                [
                    session(s, rotation_week=s.cycle_week is not None and s.pk not in first_weeks)
                    for s in slots
                    if s.weekday == weekday and s.pk not in later_weeks
                ]
                + [fixed(c) for c in recurring if weekday in weekdays_held(weekdays=c.weekdays)],
                breaks,
            )
            for weekday in range(5)
        ]

    from schoolot.directory.models import SchoolYear

    school_week = school_week_get(district_id=staff.district_id, on=week_of)
    dates = school_week.dates
    on_record = bool(school_week.years) or (
        SchoolYear.objects.filter(district_id=staff.district_id).exists()
    )
    from schoolot.schedules.away import away_days_get

    away = away_days_get(staff_ids=[staff.pk], first=dates[0], last=dates[-1]).get(staff.pk, {})
    held, held_fixed, closures = [], [], {}
    for date in dates:
        closed, schools = closures[date] = _closures_on(
            school_week.years, date, on_record=on_record
        )
        if closed or date in away:
            continue
        for slot in slots:
            if (
                slot.weekday == date.weekday()
                and slot.school_id not in schools
                and slot.comes_in(rotation=school_week.rotation, week=school_week.week)
            ):
                weekly = copy.copy(slot)  # her route that day, as a weekly session makes it
                weekly.cycle_week = None
                held.append((slot, weekly))
        for c in commitments:
            on_day = c.on == date or (
                c.on is None and date.weekday() in weekdays_held(weekdays=c.weekdays)
            )
            if on_day and c.school_id not in schools:
                that_day = copy.copy(c)
                that_day.weekdays = str(date.weekday())
                held_fixed.append((c, that_day))
    breaks = week_breaks_get(
        staff=staff, slots=[w for _s, w in held], commitments=[d for _c, d in held_fixed]
    )
    sets = first_weeks | later_weeks  # held in every week of the rotation: weekly
    school_names = {s.school_id: s.school.name for s in slots} | {
        c.school_id: c.school.name for c in commitments if c.school_id
    }
    printed = []
    for date in dates:
        closed, schools = closures[date]
        weekday = date.weekday()
        stops = [
            session(s, rotation_week=s.cycle_week is not None and s.pk not in sets)
            for s, _w in held
            if s.weekday == weekday
        ] + [fixed(c) for c, d in held_fixed if d.weekdays == str(weekday)]
        mine = {s.school_id for s in slots if s.weekday == weekday} | {
            c.school_id for c in commitments if c.school_id
        }
        printed.append(
            day_of(
                weekday,
                stops,
                {} if closed or date in away else breaks,
                date=date,
                closed=closed,
                away=away[date].why if date in away and not closed else "",
                closed_schools=[
                    f"{school_names[pk]}: {why}" for pk, why in schools.items() if pk in mine
                ],
            )
        )
    return printed


def build_changes_get(*, run) -> list[dict]:
    """What a written build (ScheduleRun) changed, for My week: each student whose weekly
    sessions it changed (by name, from her record as it is now; one removed since is left
    out), with her sessions before and after in words. One query."""
    from schoolot.directory.models import Student

    if not run or not run.changes:
        return []
    full = {
        s.pk: s.full_name
        for s in Student.objects.filter(
            district_id=run.district_id, pk__in=[c["student"] for c in run.changes]
        )
    }
    return [
        {"name": full[c["student"]], "before": c["before"], "after": c["after"]}
        for c in run.changes
        if c["student"] in full
    ]


def team_member_get(*, user, staff_id: int) -> Staff:
    """The therapist (OTR or COTA) of `staff_id` whose week `user` may read: a member of an OT
    supervisor's team, any therapist of an administrator's district, a COTA her OTR
    supervises, or `user` herself. Http404 for anyone else, as for no such therapist."""
    from django.http import Http404

    found = Staff.objects.filter(
        pk=staff_id, district_id=user.district_id, user__role=Role.THERAPIST
    ).select_related("user")
    if user.role == Role.SUPERVISOR:
        found = found.filter(Q(supervisor__user=user) | Q(user=user))
    elif user.role == Role.THERAPIST:
        found = found.filter(Q(supervising_otr__user=user) | Q(user=user))
    elif user.role != Role.DISTRICT_ADMIN:
        found = found.none()
    staff = found.first() if user.district_id is not None else None
    if staff is None:
        raise Http404("No such therapist on your team.")
    return staff


def supervised_cotas_get(*, staff: Staff) -> list[Staff]:
    """The active COTAs `staff` (an OTR) supervises, by name: hers to read the weeks of."""
    return list(
        Staff.objects.filter(supervising_otr=staff, user__is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )
