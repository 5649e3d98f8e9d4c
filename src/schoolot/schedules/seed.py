"""Demo data for the scheduler: bell schedules, protected reading blocks, travel times,
each therapist's IEP meeting time and one annual review on a date."""

from __future__ import annotations

import datetime as dt
import random

from schoolot.directory.models import District, School, Staff, Student
from schoolot.schedules.models import BellPeriod, Commitment, ProtectedBlock, TravelTime
from schoolot.schedules.services import TRAVEL_MAX_MINUTES, travel_default_minutes

# Per grade group: minutes after the first bell that Reading (90), Math (60), Lunch (30) and
# then Recess (20) start; a group's periods never overlap (bell_period_add refuses that).
BANDS = {
    School.GradeBand.ELEMENTARY: [("K,1,2", 15, 270, 195), ("3,4,5", 120, 315, 225)],
    School.GradeBand.MIDDLE: [("6,7,8", 10, 130, 215)],
    School.GradeBand.HIGH: [("9,10,11,12", 10, 130, 215)],
}


def _plus(t: dt.time, minutes: int) -> dt.time:
    total = t.hour * 60 + t.minute + minutes
    return dt.time(total // 60, total % 60)


def _at(school: School, minutes: int) -> dt.time:
    base = school.day_start.hour * 60 + school.day_start.minute + minutes
    return dt.time(base // 60, base % 60)


def schedule_data_seed(*, district: District, rng: random.Random) -> None:
    bells, blocks, travel = [], [], []
    schools = list(School.objects.filter(district=district))
    for school in schools:
        for grades, reading, math, lunch in BANDS.get(school.grade_band, BANDS["elementary"]):
            bells += [
                BellPeriod(
                    district=district,
                    school=school,
                    kind="core",
                    name="Reading",
                    grades=grades,
                    start=_at(school, reading),
                    end=_at(school, reading + 90),
                ),
                BellPeriod(
                    district=district,
                    school=school,
                    kind="core",
                    name="Math",
                    grades=grades,
                    start=_at(school, math),
                    end=_at(school, math + 60),
                ),
                BellPeriod(
                    district=district,
                    school=school,
                    kind="lunch",
                    name="Lunch",
                    grades=grades,
                    start=_at(school, lunch),
                    end=_at(school, lunch + 30),
                ),
                BellPeriod(
                    district=district,
                    school=school,
                    kind="recess",
                    name="Recess",
                    grades=grades,
                    start=_at(school, lunch + 30),
                    end=_at(school, lunch + 50),
                ),
            ]
    BellPeriod.objects.bulk_create(bells, batch_size=5000)
    reading = {}
    for b in bells:
        if b.name == "Reading":
            for grade in b.grades.split(","):
                reading[(b.school_id, grade)] = b
    for student in (
        Student.objects.filter(district=district, assignments__isnull=False)
        .distinct()
        .only("pk", "school_id", "grade")
    ):
        block = reading.get((student.school_id, student.grade))
        if block and rng.random() < 0.4:
            blocks.append(
                ProtectedBlock(
                    district=district,
                    student=student,
                    reason="Reading block",
                    start=block.start,
                    end=block.end,
                )
            )
    ProtectedBlock.objects.bulk_create(blocks, batch_size=5000)
    pairs, commitments = set(), []
    therapists = {Staff.Credential.OTR, Staff.Credential.COTA}
    for staff in Staff.objects.filter(district=district).prefetch_related("schools"):
        ids = sorted(s.pk for s in staff.schools.all())
        if staff.credential in therapists and ids:
            # IEP meetings on Thursdays after the last dismissal of her schools: clear of any
            # session the demo week holds (those end before dismissal).
            end = max(s.day_end for s in staff.schools.all())
            commitments.append(
                Commitment(
                    district=district,
                    staff=staff,
                    label="IEP meetings",
                    weekdays="3",
                    start=end,
                    end=_plus(end, 45),
                )
            )
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                pairs.add((a, b))
    # Therapists have timed about half of the drives they make (a few minutes off the
    # estimate either way); the rest the scheduler estimates from the schools' locations.
    by_id = {s.pk: s for s in schools}
    for a, b in sorted(pairs):
        if rng.random() < 0.5:
            continue
        estimate = travel_default_minutes(a=by_id[a], b=by_id[b])
        minutes = max(1, min(TRAVEL_MAX_MINUTES, estimate + rng.randint(-2, 4)))
        travel.append(TravelTime(district=district, origin_id=a, destination_id=b, minutes=minutes))
    TravelTime.objects.bulk_create(travel, batch_size=5000)
    Commitment.objects.bulk_create(commitments, batch_size=5000)


def one_off_meetings_seed(*, district: District, today: dt.date, slots: list) -> int:
    """Each therapist's annual IEP review on the next school day after `today`, 30 minutes
    from the start of her first weekly session that day, at its school: a one-off that falls
    on that session, so the demo's Today shows what to do with it. Returns how many."""
    from schoolot.directory.selectors import next_school_day_get

    day = next_school_day_get(district_id=district.pk, after=today)
    if day is None:
        return 0
    first: dict[int, object] = {}
    for slot in sorted(slots, key=lambda s: s.start_time):
        if slot.weekday == day.weekday() and slot.cycle_week is None:
            first.setdefault(slot.therapist_id, slot)
    meetings = []
    for therapist_id, slot in sorted(first.items()):
        meetings.append(
            Commitment(
                district=district,
                staff_id=therapist_id,
                label="Annual IEP review",
                start=slot.start_time,
                end=_plus(slot.start_time, 30),
                school_id=slot.school_id,
                on=day,
            )
        )
    Commitment.objects.bulk_create(meetings, batch_size=5000)
    return len(meetings)


def time_away_seed(*, district: District, today: dt.date, rng: random.Random) -> int:
    """A district training that takes one therapist in eight (the demo's own OTR among them)
    away for a day, the second school day of the week after next; and a few days of leave
    for one of them in the weeks after. Seeded as entered long ago: nobody is notified now.
    Returns how many entries."""
    from schoolot.directory.models import Staff
    from schoolot.directory.selectors import next_school_day_get
    from schoolot.schedules.models import TimeAway

    monday = today + dt.timedelta(days=14 - today.weekday())
    day = next_school_day_get(district_id=district.pk, after=monday)
    if day is None:
        return 0
    therapists = list(
        Staff.objects.filter(district=district, weekly_slots__isnull=False)
        .distinct()
        .select_related("user")
        .order_by("pk")
    )
    chosen = [s for s in therapists if s.user.username == "therapist" or rng.random() < 0.125]
    entries = [
        TimeAway(
            district=district,
            staff=staff,
            start_date=day,
            end_date=day,
            reason=TimeAway.Reason.PULLED,
            note="District sensory processing training",
        )
        for staff in chosen
    ]
    others = [s for s in therapists if s not in chosen]
    if others:
        start = day + dt.timedelta(days=14)
        entries.append(
            TimeAway(
                district=district,
                staff=rng.choice(others),
                start_date=start,
                end_date=start + dt.timedelta(days=2),
                reason=TimeAway.Reason.OUT,
            )
        )
    TimeAway.objects.bulk_create(entries)
    return len(entries)


def week_checks_seed(*, district: District, today: dt.date) -> int:
    """Each seeded week checked against the records as of `today` and the result kept
    (services.week_check_save), as a build keeps it: the supervisor's Schedules page then
    says whose week holds without a first "Check all weeks". Returns how many."""
    from schoolot.directory.models import Staff
    from schoolot.schedules.services import week_check_save

    therapists = Staff.objects.filter(district=district, weekly_slots__isnull=False).distinct()
    for staff in therapists.select_related("district"):
        week_check_save(staff=staff, on=today)
    return therapists.count()
