"""The therapist's calendar feed (RFC 5545): her weekly sessions, her fixed time, and the
drives, lunch and planning time her week implies; and a teacher's, of when her students
leave class for OT (class_calendar_text_get).

Contract: `calendar_text_get(staff=, today=)` is the feed's whole text, from the week holding
`today` (or the next school year's first day, in summer) to the school year's last day, in
her district's time zone, lines folded at 75 octets and ended by CRLF.
- Each weekly session is a weekly event (every rotation week it is held in: INTERVAL; one
  the rotation holds in each of its weeks, rotation_every_week, is one weekly event), with
  the school calendar's closed days as EXDATE (the district's, and the days its school
  alone is closed); students by initials only, never by name.
- Each recurring commitment is one weekly event per weekday it holds, closed days (of its
  school, when it names one) excepted;
  each one-off still to come (from that week's Monday) is a single event, unless its day has
  since closed. Their summary is the label she gave them; where, their school's name.
- The drives, lunch and planning time of each weekday, as My week draws them
  (selectors.week_breaks_get), are weekly events too, closed days excepted, so that whoever
  books a meeting by her calendar sees that time taken. A drive's summary names where to.
- Her time away to come (schedules.models.TimeAway) is an all-day event ("Away: ..."),
  and none of her weekly events is held on its days (EXDATE).
- A session or commitment not held again before the year's last day is left out.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from schoolot.accounts.models import Role
from schoolot.core.timezones import zone_get
from schoolot.delivery.models import WeeklySlot
from schoolot.directory.models import Staff
from schoolot.rules.cycles import slot_recurrence
from schoolot.schedules import ical
from schoolot.schedules.away import away_days_get
from schoolot.schedules.models import Commitment
from schoolot.schedules.selectors import (
    rotation_sets_split,
    school_year_span_get,
    week_breaks_get,
    weekdays_held,
)


def _event(*, uid: str, stamp: str, zone: str, day: dt.date, start: dt.time, end: dt.time):
    return [
        "BEGIN:VEVENT",
        f"UID:{uid}@schoolot",
        f"DTSTAMP:{stamp}",
        f"DTSTART;TZID={zone}:{day:%Y%m%d}T{start:%H%M%S}",
        f"DTEND;TZID={zone}:{day:%Y%m%d}T{end:%H%M%S}",
    ]


class _Feed:
    """A feed being written: its header (the district's time zone), its weekly events from
    the week holding `today` (or the next school year's first week, in summer) to the
    school year's last day, closed days excepted."""

    def __init__(self, *, district, name: str, today: dt.date):
        self.zone = zone_get(name=district.time_zone)
        # The school year holding today, or the next one (in summer), with its closures.
        self.span = school_year_span_get(district_id=district.pk, on=today)
        self.week_of = max(today, self.span.first_day)
        self.monday = self.week_of - dt.timedelta(self.week_of.weekday())
        # RFC 5545 3.3.10: with a zoned DTSTART, UNTIL is in UTC; the year's last day ends
        # at midnight where the district is.
        self.until = (
            dt.datetime.combine(self.span.last_day, dt.time(23, 59, 59), tzinfo=self.zone)
            .astimezone(dt.UTC)
            .strftime("%Y%m%dT%H%M%SZ")
        )
        self.stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        # Therapists' days away (schedules.away.away_days_get): their weekly events skip them.
        self.away: dict[int, dict[dt.date, object]] = {}
        self.lines = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//SchoolOT//Week//EN",
            f"X-WR-CALNAME:{ical.escape(name)}",
            f"X-WR-TIMEZONE:{self.zone.key}",
            *ical.vtimezone(self.zone, start=self.monday, end=self.span.last_day),
        ]

    def event(self, *, uid: str, day: dt.date, start: dt.time, end: dt.time) -> None:
        self.lines += _event(
            uid=uid, stamp=self.stamp, zone=self.zone.key, day=day, start=start, end=end
        )

    def weekly(
        self,
        *,
        uid,
        weekday,
        start,
        end,
        cycle_week=None,
        every=1,
        offset=0,
        school_id=None,
        therapist_id=None,
    ) -> bool:
        """The lines of a weekly event (its school's closed days excepted, with the
        district's, and the days its therapist is away), False when it is not held again
        this year."""
        dates = slot_recurrence(
            weekday=weekday,
            week_of=self.week_of,
            first_day=self.span.first_day,
            last_day=self.span.last_day,
            cycle_week=cycle_week,
            every=every,
            offset=offset,
            closed=self.span.closed_at(school_id) | set(self.away.get(therapist_id, ())),
        )
        if dates.first is None:
            return False
        interval = f"INTERVAL={dates.interval_weeks};" if dates.interval_weeks > 1 else ""
        self.event(uid=uid, day=dates.first, start=start, end=end)
        self.lines.append(f"RRULE:FREQ=WEEKLY;{interval}UNTIL={self.until}")
        if dates.skipped:  # breaks and holidays: not held
            times = ",".join(f"{d:%Y%m%d}T{start:%H%M%S}" for d in dates.skipped)
            self.lines.append(f"EXDATE;TZID={self.zone.key}:{times}")
        return True

    def weekly_slot(self, *, uid: str, slot, every_week: set[int]) -> bool:
        """A weekly session's event (weekly, lines begun), as `weekly`: one the rotation
        holds in each of its weeks (its id in `every_week`) is weekly."""
        return self.weekly(
            uid=uid,
            weekday=slot.weekday,
            start=slot.start_time,
            end=slot.end_time,
            cycle_week=None if slot.pk in every_week else slot.cycle_week,
            every=slot.every_rotations,
            offset=slot.rotation_offset,
            school_id=slot.school_id,
            therapist_id=slot.therapist_id,
        )

    def text(self) -> str:
        lines = [*self.lines, "END:VCALENDAR"]
        return "\r\n".join(ical.fold(line) for line in lines) + "\r\n"


def calendar_text_get(*, staff: Staff, today: dt.date) -> str:
    """The feed's text (see the module contract)."""
    feed = _Feed(district=staff.district, name="OT week: " + staff.user.display_name, today=today)
    monday, last_day, span = feed.monday, feed.span.last_day, feed.span
    feed.away = away_days_get(staff_ids=[staff.pk], first=monday, last=last_day)

    def weekly(**kwargs) -> bool:
        return feed.weekly(therapist_id=staff.pk, **kwargs)

    lines = feed.lines
    for away in {a.pk: a for a in feed.away.get(staff.pk, {}).values()}.values():
        lines += [
            "BEGIN:VEVENT",
            f"UID:away-{away.pk}@schoolot",
            f"DTSTAMP:{feed.stamp}",
            f"DTSTART;VALUE=DATE:{away.start_date:%Y%m%d}",
            f"DTEND;VALUE=DATE:{away.end_date + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{ical.escape('Away: ' + (away.note or away.get_reason_display()))}",
            "TRANSP:OPAQUE",
            "END:VEVENT",
        ]

    slots = list(
        WeeklySlot.objects.filter(therapist=staff)
        .select_related("school")
        .prefetch_related("students")
    )
    # A session the rotation holds in each of its weeks is one weekly event (as My week
    # shows it), under its first slot's UID.
    every_week, later_weeks = rotation_sets_split(slots)
    for slot in slots:
        if slot.pk in later_weeks:
            continue
        if feed.weekly_slot(uid=f"slot-{slot.pk}", slot=slot, every_week=every_week):
            initials = ", ".join(
                f"{s.first_name[0]}.{s.last_name[0]}." for s in slot.students.all()
            )
            lines += [
                f"SUMMARY:{ical.escape('OT ' + initials)}",
                f"LOCATION:{ical.escape(slot.school.name)}",
                "END:VEVENT",
            ]

    commitments = list(Commitment.objects.filter(staff=staff).select_related("school"))
    for commitment in commitments:
        where = [f"LOCATION:{ical.escape(commitment.school.name)}"] if commitment.school else []
        tail = [f"SUMMARY:{ical.escape(commitment.label)}", *where, "END:VEVENT"]
        if commitment.on is None:
            for weekday in weekdays_held(weekdays=commitment.weekdays):
                if weekly(
                    uid=f"commitment-{commitment.pk}-{weekday}",
                    weekday=weekday,
                    start=commitment.start,
                    end=commitment.end,
                    school_id=commitment.school_id,
                ):
                    lines += tail
        elif monday <= commitment.on <= last_day and commitment.on not in span.closed_at(
            commitment.school_id
        ):
            feed.event(
                uid=f"commitment-{commitment.pk}",
                day=commitment.on,
                start=commitment.start,
                end=commitment.end,
            )
            lines += tail
    recurring = [c for c in commitments if c.on is None]
    breaks = week_breaks_get(staff=staff, slots=slots, commitments=recurring)
    for weekday, day in sorted(breaks.items()):
        for b in day:
            start, end = dt.time(*divmod(b.start, 60)), dt.time(*divmod(b.end, 60))
            # RFC 5545 3.8.4.7: a UID is globally unique; a colleague's lunch at the same
            # hour, subscribed in the same calendar app, is another event.
            uid = f"{b.kind}-{staff.pk}-{weekday}-{start:%H%M}"
            if weekly(uid=uid, weekday=weekday, start=start, end=end):
                summary = "Drive: " + b.label if b.kind == "drive" else b.label
                lines += [f"SUMMARY:{ical.escape(summary)}", "END:VEVENT"]
    return feed.text()


def class_calendar_text_get(*, user, today: dt.date) -> str:
    """A teacher's feed: when her students leave class for OT, for her own calendar (as
    ot_week_get shows the week on her students' page); a parent's, likewise for her
    children. Each weekly session holding students
    of her classes (schedules.selectors.ot_slots_get: only those their therapist serves
    now) is a weekly event like the therapist's (rotation weeks as INTERVAL, one held in
    each week of the rotation as one weekly event, the district's and its school's closed
    days as EXDATE); its summary gives her students by initials only, never by name, and
    whether OT comes into the class; its description the therapist and the group's size;
    its location the school; none on the days its therapist is away. Nothing else of the
    therapist's week."""
    from schoolot.schedules.selectors import ot_slots_get

    mine = "my children" if user.role == Role.PARENT else "my class"
    feed = _Feed(district=user.district, name=f"OT for {mine}", today=today)
    held = ot_slots_get(user=user, on=feed.week_of)
    feed.away = away_days_get(
        staff_ids={h.slot.therapist_id for h in held}, first=feed.monday, last=feed.span.last_day
    )
    every_week, later_weeks = rotation_sets_split([h.slot for h in held])
    for h in held:
        slot = h.slot
        if slot.pk in later_weeks:
            continue
        if not feed.weekly_slot(
            uid=f"class-{user.pk}-slot-{slot.pk}", slot=slot, every_week=every_week
        ):
            continue
        initials = ", ".join(f"{s.first_name[:1]}.{s.last_name[:1]}." for s in h.students)
        what = "OT in class" if slot.setting == "classroom" else "OT"
        group = f", group of {h.group_size}" if h.group_size > 1 else ""
        feed.lines += [
            f"SUMMARY:{ical.escape(f'{what}: {initials}')}",
            f"DESCRIPTION:{ical.escape(f'{slot.therapist.user.display_name}{group}')}",
            f"LOCATION:{ical.escape(slot.school.name)}",
            "END:VEVENT",
        ]
    return feed.text()
