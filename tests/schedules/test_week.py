"""The therapist's week from the records: solve, lock, protected time, the calendar feed."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from schoolot.delivery.models import WeeklySlot
from schoolot.schedules.models import Availability, CalendarFeed, ProtectedBlock, ScheduleRun
from schoolot.schedules.services import week_instance, week_solve
from schoolot.scheduling.scorer import score
from tests.factories import holiday_make, rotation_mandate_make

TODAY = timezone.localdate()


def test_instance_from_the_records(week):
    ProtectedBlock.objects.create(
        district=week.district,
        student=week.students["own"],
        reason="Reading block",
        start=dt.time(8),
        end=dt.time(9, 30),
    )
    instance, _ = week_instance(staff=week.staff["therapist"], on=TODAY)
    ids = {s.id for s in instance.students}
    assert ids == {str(week.students["own"].pk)}  # her own; "cota" is the COTA's to schedule
    student = instance.students[0]
    assert student.mandates[0].minutes == 30 and student.mandates[0].sessions == 2
    assert student.protected[0].reason == "Reading block"
    assert len(instance.availability) == 5  # the default week


def test_solve_writes_the_week_and_keeps_locked_slots(week):
    own = week.students["own"]
    locked = WeeklySlot.objects.create(
        district=week.district,
        therapist=week.staff["therapist"],
        weekday=2,
        start_time=dt.time(10),
        school=week.school,
        end_time=dt.time(10, 30),
        locked=True,
    )
    locked.students.add(own)
    run = week_solve(user=week.users["therapist"], on=TODAY, time_limit=3)
    slots = list(WeeklySlot.objects.filter(therapist=week.staff["therapist"]))
    assert len(slots) == 2 and locked in slots
    other = next(s for s in slots if s.pk != locked.pk)
    assert abs(other.weekday - 2) > 1  # not bunched next to the locked Wednesday
    assert run.placed_minutes == run.required_minutes == 60 and not run.unplaced
    instance, _ = week_instance(staff=week.staff["therapist"], on=TODAY)
    from schoolot.scheduling.instance import Schedule

    assert score(instance, Schedule(sessions=instance.current)).feasible


def test_unplaceable_is_recorded_with_reasons(client, week):
    Availability.objects.create(
        district=week.district,
        staff=week.staff["therapist"],
        weekday=0,
        start=dt.time(8),
        end=dt.time(8, 20),
    )
    run = week_solve(user=week.users["therapist"], on=TODAY, time_limit=2)
    assert run.placed_minutes == 0 and run.unplaced
    assert "needs 30" in " ".join(run.unplaced[0]["reasons"])
    # My week lists them, each day by its name.
    client.force_login(week.users["therapist"])
    html = client.get(reverse("slot_list")).content.decode()
    first, *days = run.unplaced[0]["reasons"]
    assert f"min): {first}<ul>" in html.replace("&#x27;", "'")
    assert days and all(f"<li>{d}</li>" in html.replace("&#x27;", "'") for d in days)
    assert any(d.startswith("Tuesday: ") for d in [first, *days])


def test_pages_and_access(client, week):
    client.force_login(week.users["therapist"])
    response = client.post(reverse("week_build"), {"seconds": "2"})
    assert response.status_code == 302
    html = client.get(reverse("slot_list")).content.decode()
    assert "Last build" in html and "mandated minutes placed" in html
    slot = WeeklySlot.objects.filter(therapist=week.staff["therapist"]).first()
    client.post(reverse("slot_lock", args=[slot.pk]))
    slot.refresh_from_db()
    assert slot.locked
    client.force_login(week.users["other_therapist"])
    assert client.post(reverse("slot_lock", args=[slot.pk])).status_code == 404
    client.force_login(week.users["teacher"])
    assert client.post(reverse("week_build")).status_code == 403


@pytest.mark.parametrize(
    "status, placed, seconds, offered",
    [
        ("FEASIBLE", 60, 10.0, 30),  # stopped at its limit with minutes out: 30 s offered
        ("FEASIBLE", 60, 15.0, 45),
        ("FEASIBLE", 60, 30.0, 60),
        ("FEASIBLE", 60, 60.0, None),  # already the longest a page may ask
        ("OPTIMAL", 60, 10.0, None),  # proven: no longer build places more
        ("FEASIBLE", 90, 10.0, None),  # nothing left out
    ],
)
def test_a_build_that_left_minutes_out_offers_a_longer_one(
    client, week, status, placed, seconds, offered
):
    ScheduleRun.objects.create(
        district=week.district,
        staff=week.staff["therapist"],
        status=status,
        required_minutes=90,
        placed_minutes=placed,
        seconds=seconds,
        unplaced=[{"student": "Ann", "minutes": 30, "reasons": ["In the week found ..."]}]
        if placed < 90
        else [],
    )
    client.force_login(week.users["therapist"])
    html = client.get(reverse("slot_list")).content.decode()
    if offered is None:
        assert "Build again with more time" not in html
    else:
        assert f'name="seconds" value="{offered}"' in html
        assert f"Build again with more time ({offered} s)" in html


@pytest.mark.parametrize("seconds", ["abc", "nan", "-5", ""])
def test_a_build_asking_an_odd_time_limit_builds_with_a_sensible_one(client, week, seconds):
    """Before: "abc" was a server error and "-5" a negative time limit."""
    client.force_login(week.users["therapist"])
    assert client.post(reverse("week_build"), {"seconds": seconds}).status_code == 302
    run = ScheduleRun.objects.get()
    assert run.placed_minutes == run.required_minutes > 0


def test_calendar_feed(client, week):
    client.force_login(week.users["therapist"])
    client.post(reverse("week_build"), {"seconds": "2"})
    client.post(reverse("calendar_feed_new"))
    feed = CalendarFeed.objects.get()
    client.logout()
    response = client.get(reverse("calendar_feed", args=[feed.token]))
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert body.startswith("BEGIN:VCALENDAR")
    # The two weekly sessions, and the lunch of each day they fall on.
    days = WeeklySlot.objects.values("weekday").distinct().count()
    assert body.count("SUMMARY:OT ") == 2 and body.count("SUMMARY:Lunch") == days
    assert body.count("BEGIN:VEVENT") == 2 + days
    assert "RRULE:FREQ=WEEKLY" in body
    assert week.students["own"].last_name not in body  # initials only
    assert client.get(reverse("calendar_feed", args=["wrong-token"])).status_code == 404
    old = feed.token
    client.force_login(week.users["therapist"])
    client.post(reverse("calendar_feed_new"))
    assert client.get(reverse("calendar_feed", args=[old])).status_code == 404


def test_calendar_feed_is_in_the_districts_time_zone(client, week):
    client.force_login(week.users["therapist"])
    client.post(reverse("week_build"), {"seconds": "2"})
    client.post(reverse("calendar_feed_new"))
    url = reverse("calendar_feed", args=[CalendarFeed.objects.get().token])
    week.district.time_zone = "America/New_York"
    week.district.save(update_fields=["time_zone"])
    body = client.get(url).content.decode()
    assert "X-WR-TIMEZONE:America/New_York" in body and "Chicago" not in body
    events = body.count("BEGIN:VEVENT")
    assert events >= 2 and body.count("DTSTART;TZID=America/New_York:") == events
    # The zone the events name is defined in the feed itself (RFC 5545 3.6.5), before them.
    assert body.count("BEGIN:VTIMEZONE") == 1 and "TZID:America/New_York\r\n" in body
    assert body.index("END:VTIMEZONE") < body.index("BEGIN:VEVENT")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    # A name that is not a time zone falls back to the site's rather than failing.
    week.district.time_zone = "Mars/Olympus"
    week.district.save(update_fields=["time_zone"])
    response = client.get(url)
    assert response.status_code == 200 and "TZID=America/Chicago:" in response.content.decode()


def test_run_history_is_per_therapist(week):
    week_solve(user=week.users["therapist"], on=TODAY, time_limit=1)
    assert ScheduleRun.objects.filter(staff=week.staff["therapist"]).count() == 1


def test_district_solve_as_a_task_with_progress(client, week):
    from schoolot.schedules.models import DistrictSolve

    client.force_login(week.users["supervisor"])
    assert client.post(reverse("schedules_district_start")).status_code == 302
    run = DistrictSolve.objects.get()
    assert run.status == "finished" and run.total == run.done == 2  # her OTR and COTA
    assert (
        ScheduleRun.objects.filter(staff__in=[week.staff["therapist"], week.staff["cota"]]).count()
        == 2
    )
    html = client.get(reverse("schedules_district")).content.decode()
    assert "2 of 2 weeks solved" in html
    partial = client.get(
        reverse("schedules_district"), {"partial": "progress"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert partial.lstrip().startswith('<div id="progress"')
    client.force_login(week.users["admin"])
    client.post(reverse("schedules_district_start"))
    assert DistrictSolve.objects.filter(started_by=week.users["admin"]).get().total == 3
    client.force_login(week.users["therapist"])
    assert client.get(reverse("schedules_district")).status_code == 403


def test_a_cancelled_run_stops(week):
    from schoolot.schedules.models import DistrictSolve
    from schoolot.schedules.tasks import district_solve

    run = DistrictSolve.objects.create(
        district=week.district, started_by=week.users["admin"], total=3, status="cancelled"
    )
    assert district_solve.call(run_id=run.pk) == 0
    assert not ScheduleRun.objects.exists()


def test_the_district_run_solves_the_week_of_today_in_each_districts_zone(week, monkeypatch):
    """A worker runs in the site's zone; each week is still the one holding her district's
    today (here UTC+14 at noon UTC: already tomorrow there, still this morning in Chicago)."""
    import datetime as dt

    from django.utils import timezone

    from schoolot.schedules import services
    from schoolot.schedules.models import DistrictSolve
    from schoolot.schedules.tasks import district_solve

    week.district.time_zone = "Pacific/Kiritimati"
    week.district.save(update_fields=["time_zone"])
    noon = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)  # a Sunday in Chicago
    monkeypatch.setattr(timezone, "now", lambda: noon)
    days = []
    monkeypatch.setattr(services, "week_solve", lambda *, user, on, **_: days.append(on))
    run = DistrictSolve.objects.create(
        district=week.district, started_by=week.users["admin"], total=3
    )
    district_solve.call(run_id=run.pk)
    assert days and set(days) == {dt.date(2026, 11, 30)}  # Monday there


def test_teacher_sets_protected_time_and_the_week_respects_it(client, week):
    own = week.students["own"]
    client.force_login(week.users["teacher"])
    response = client.post(
        reverse("protected_time", args=[own.pk]),
        {"reason": "Reading block", "start": "05:00", "end": "06:00"},
    )
    assert response.status_code == 400 and "is in session" in response.content.decode()
    response = client.post(
        reverse("protected_time", args=[own.pk]),
        {"reason": "Reading block", "start": "08:00", "end": "15:00", "weekdays": ["0", "1", "2"]},
    )
    assert response.status_code == 302
    block = ProtectedBlock.objects.get(student=own)
    assert block.weekdays == "0,1,2"
    week_solve(user=week.users["therapist"], on=TODAY, time_limit=2)
    days = set(
        WeeklySlot.objects.filter(therapist=week.staff["therapist"]).values_list(
            "weekday", flat=True
        )
    )
    assert days and days <= {3, 4}
    client.force_login(week.users["other_teacher"])
    assert client.get(reverse("protected_time", args=[own.pk])).status_code == 404
    client.force_login(week.users["parent"])
    assert client.get(reverse("protected_time", args=[own.pk])).status_code == 404


def test_move_a_session_by_hand(client, week):
    own = week.students["own"]
    slot = WeeklySlot.objects.create(
        district=week.district,
        therapist=week.staff["therapist"],
        weekday=0,
        start_time=dt.time(9),
        end_time=dt.time(9, 30),
        school=week.school,
    )
    slot.students.add(own)
    ProtectedBlock.objects.create(
        district=week.district,
        student=own,
        reason="Reading block",
        weekdays="1",
        start=dt.time(10),
        end=dt.time(11),
    )
    client.force_login(week.users["therapist"])
    response = client.post(
        reverse("slot_move", args=[slot.pk]), {"weekday": "1", "start_time": "10:15"}, follow=True
    )
    assert "reading block is then" in response.content.decode()
    client.post(reverse("slot_move", args=[slot.pk]), {"weekday": "1", "start_time": "13:00"})
    slot.refresh_from_db()
    assert (slot.weekday, slot.start_time, slot.end_time, slot.locked) == (
        1,
        dt.time(13),
        dt.time(13, 30),
        True,
    )
    response = client.post(
        reverse("slot_move", args=[slot.pk]), {"weekday": "1", "start_time": "06:00"}, follow=True
    )
    assert "is in session" in response.content.decode()
    client.force_login(week.users["cota"])
    assert (
        client.post(
            reverse("slot_move", args=[slot.pk]), {"weekday": "2", "start_time": "13:00"}
        ).status_code
        == 404
    )


def test_my_hours_page(client, week):
    client.force_login(week.users["therapist"])
    response = client.post(
        reverse("availability"), {"weekday": "1", "start": "10:00", "end": "09:00"}
    )
    assert response.status_code == 400 and "must end after" in response.content.decode()
    response = client.post(
        reverse("availability"),
        {"weekday": "1", "start": "08:00", "end": "12:00", "school": week.school.pk},
    )
    assert response.status_code == 302
    hours = Availability.objects.get(staff=week.staff["therapist"])
    instance, _ = week_instance(staff=week.staff["therapist"], on=TODAY)
    assert [(w.day, w.school) for w in instance.availability] == [(1, str(week.school.pk))]
    client.post(reverse("availability"), {"delete": hours.pk})
    assert not Availability.objects.exists()
    client.force_login(week.users["teacher"])
    assert client.get(reverse("availability")).status_code == 403


# -- the 4-week rotation for monthly, quarterly and yearly mandates -------------------------------


def _monthly(week, *, sessions=2, period="month"):
    own = week.students["own"]
    rotation_mandate_make(student=own, sessions=sessions, period=period)
    return own


def test_rotation_instance_holds_the_week_four_times(week):
    _monthly(week, sessions=2)
    instance, _ = week_instance(staff=week.staff["therapist"], on=TODAY)
    assert instance.days == 5
    assert [m.minutes for m in instance.students[0].mandates] == [30]  # weekly only
    from schoolot.scheduling.instance import Session

    own = (str(week.students["own"].pk),)
    the_week = [
        Session(1, 600, 630, str(week.school.pk), own, (instance.students[0].mandates[0].id,))
    ]
    cycle, _ = week_instance(staff=week.staff["therapist"], on=TODAY, week=the_week)
    assert cycle.days == 20 and len(cycle.availability) == 20
    sessions = {m.minutes: m.sessions for m in cycle.students[0].mandates}
    assert sessions == {30: 4, 45: 2}  # the week's one session four times; 2 a month
    assert sorted(x.day for x in cycle.locked) == [1, 6, 11, 16]


def test_monthly_mandate_is_placed_in_rotation_weeks(week):
    own = _monthly(week, sessions=2)
    run = week_solve(user=week.users["therapist"], on=TODAY, time_limit=6)
    assert not run.unplaced, run.unplaced
    slots = list(WeeklySlot.objects.filter(therapist=week.staff["therapist"]))
    every_week = [s for s in slots if s.cycle_week is None]
    rotation = [s for s in slots if s.cycle_week is not None]
    assert len(every_week) == 2 and all(s.minutes == 30 for s in every_week)
    assert len(rotation) == 2 and all(s.minutes == 45 for s in rotation)
    assert len({s.cycle_week for s in rotation}) == 2  # two different weeks of the four
    assert all(set(s.students.all()) == {own} for s in rotation)
    # Required: 2 x 30 a week + 2 x 45 a rotation, each minute counted once.
    assert run.required_minutes == run.placed_minutes == 60 + 90
    # Not on a day she has her weekly session (a bunched pair): Wednesday has none.
    for s in rotation:
        assert s.weekday not in {w.weekday for w in every_week}
    # Re-solving keeps the rotation (stability) and writes no duplicates.
    week_solve(user=week.users["therapist"], on=TODAY, time_limit=6)
    assert WeeklySlot.objects.filter(therapist=week.staff["therapist"]).count() == 4


def test_a_slot_counts_for_the_mandate_it_serves_when_two_have_its_length(week):
    """Her weekly 30 minutes (twice a week) and a monthly 30 minutes (twice a month) for one
    student: slots do not say which mandate they serve. The rotation's two locked slots count
    for the monthly mandate, not the weekly one, so a re-solve places no extra rotation
    session, and the week's two slots each count once."""
    own = week.students["own"]
    monthly = rotation_mandate_make(student=own, sessions=2, minutes=30)
    staff = week.staff["therapist"]
    for cycle_week in (1, 3):
        slot = WeeklySlot.objects.create(
            district=week.district,
            therapist=staff,
            weekday=4,
            cycle_week=cycle_week,
            start_time=dt.time(13),
            end_time=dt.time(13, 30),
            school=week.school,
            locked=True,
        )
        slot.students.add(own)
    run = week_solve(user=week.users["therapist"], on=TODAY, time_limit=6)
    assert not run.unplaced, run.unplaced
    assert run.required_minutes == run.placed_minutes == 2 * 30 + 2 * 30
    rotation = WeeklySlot.objects.filter(therapist=staff, cycle_week__isnull=False)
    assert sorted(rotation.values_list("cycle_week", flat=True)) == [1, 3]
    assert WeeklySlot.objects.filter(therapist=staff, cycle_week__isnull=True).count() == 2
    the_week, _ = week_instance(staff=staff, on=TODAY)
    cycle, _ = week_instance(staff=staff, on=TODAY, week=the_week.current)
    rotation_locked = [x for x in cycle.locked if x.day in (4, 14) and x.start == 13 * 60]
    assert [x.mandates for x in rotation_locked] == [(str(monthly.pk),)] * 2
    weekly = {m.id for m in the_week.students[0].mandates}
    assert len(weekly) == 1 and {x.mandates for x in the_week.current} == {tuple(weekly)}


@pytest.mark.parametrize("sessions, per_rotation, every", [(18, 2, 1), (4, 1, 2)])
def test_yearly_mandate_is_placed_in_the_rotation_too(week, sessions, per_rotation, every):
    # 18 a year over a 36-week school year: 2 every 4 weeks; 4 a year: one every 8 weeks
    # (4 or 5 a year), not one every 4 (9 a year).
    from schoolot.directory.selectors import rotation_get

    own = _monthly(week, sessions=sessions, period="year")
    run = week_solve(user=week.users["therapist"], on=TODAY, time_limit=6)
    assert not run.unplaced, run.unplaced
    rotation = WeeklySlot.objects.filter(
        therapist=week.staff["therapist"], cycle_week__isnull=False
    )
    assert rotation.count() == per_rotation
    assert all(s.minutes == 45 and set(s.students.all()) == {own} for s in rotation)
    assert run.required_minutes == run.placed_minutes == 60 + 45 * per_rotation
    now = rotation_get(district_id=week.district.pk, day=TODAY)[0]
    assert {(s.every_rotations, s.rotation_offset) for s in rotation} == {(every, now % every)}


def test_today_offers_a_rotation_slot_only_in_its_week(client, week):
    from schoolot.directory.selectors import rotation_week_get

    own = week.students["own"]
    day = TODAY + dt.timedelta(days=(7 - TODAY.weekday()) % 7)  # a Monday
    this = rotation_week_get(district_id=week.district.pk, day=day)
    for cycle_week, hour in [(this, 9), (this % 4 + 1, 11)]:
        slot = WeeklySlot.objects.create(
            district=week.district,
            therapist=week.staff["therapist"],
            weekday=0,
            cycle_week=cycle_week,
            start_time=dt.time(hour),
            end_time=dt.time(hour, 45),
            school=week.school,
        )
        slot.students.add(own)
    client.force_login(week.users["therapist"])
    page = client.get(reverse("today"), {"date": day.isoformat()}).content.decode()
    assert "9:00" in page and "11:00" not in page
    later = day + dt.timedelta(weeks=1)
    page = client.get(reverse("today"), {"date": later.isoformat()}).content.decode()
    assert "11:00" in page and "9:00" not in page
    # The week page says which week of the rotation; the feed repeats every fourth week.
    assert f"week {this} of 4" in client.get(reverse("slot_list")).content.decode()
    client.post(reverse("calendar_feed_new"))
    feed = CalendarFeed.objects.get(staff=week.staff["therapist"])
    ics = client.get(reverse("calendar_feed", args=[feed.token])).content.decode()
    assert ics.count("RRULE:FREQ=WEEKLY;INTERVAL=4;") == 2


def test_a_slot_that_skips_rotations_comes_every_eighth_week(client, week):
    """One a quarter: a slot in one week of the rotation, every second rotation; Today, the
    week page and the feed agree on when."""
    from schoolot.directory.selectors import rotation_get

    own = week.students["own"]
    # A fixed Monday, so that the 16 weeks below stay in one school year (none is on
    # record here: years start on August 1).
    day = dt.date(2026, 9, 14)
    rotation, this = rotation_get(district_id=week.district.pk, day=day)
    slot = WeeklySlot.objects.create(
        district=week.district,
        therapist=week.staff["therapist"],
        weekday=0,
        cycle_week=this,
        every_rotations=2,
        rotation_offset=rotation % 2,
        start_time=dt.time(9),
        end_time=dt.time(9, 45),
        school=week.school,
    )
    slot.students.add(own)
    client.force_login(week.users["therapist"])
    for weeks, held in [(0, True), (1, False), (4, False), (8, True), (12, False), (16, True)]:
        date = day + dt.timedelta(weeks=weeks)
        page = client.get(reverse("today"), {"date": date.isoformat()}).content.decode()
        assert ("9:00" in page) is held, (weeks, held)
    assert f"week {this} of 4, every 8 weeks" in client.get(reverse("slot_list")).content.decode()
    client.post(reverse("calendar_feed_new"))
    feed = CalendarFeed.objects.get(staff=week.staff["therapist"])
    ics = client.get(reverse("calendar_feed", args=[feed.token])).content.decode()
    assert "RRULE:FREQ=WEEKLY;INTERVAL=8;" in ics
    start = next(line for line in ics.split("\r\n") if line.startswith("DTSTART;"))
    first = dt.datetime.strptime(start.split(":")[1], "%Y%m%dT%H%M%S").date()
    # The feed starts from this week (today's, in the district's zone), at a week the
    # Today page holds the slot, within the next eight weeks.
    monday = TODAY - dt.timedelta(days=TODAY.weekday())
    assert first.weekday() == 0 and 0 <= (first - monday).days < 56
    if (
        rotation_get(district_id=week.district.pk, day=first)[0]
        >= rotation_get(district_id=week.district.pk, day=monday)[0]
    ):  # not across the start of a school year
        page = client.get(reverse("today"), {"date": first.isoformat()}).content.decode()
        assert "9:00" in page


# -- The school calendar: breaks, holidays and the year's bounds ---------------------------


def _slot(week, *, weekday, hour=9, cycle_week=None, every=1, offset=0):
    slot = WeeklySlot.objects.create(
        district=week.district,
        therapist=week.staff["therapist"],
        weekday=weekday,
        cycle_week=cycle_week,
        every_rotations=every,
        rotation_offset=offset,
        start_time=dt.time(hour),
        end_time=dt.time(hour, 30),
        school=week.school,
    )
    slot.students.add(week.students["own"])
    return slot


def _events(client, week) -> dict[int, dict[str, str]]:
    """The feed's events by slot id, each as {property name: value} (lines unfolded)."""
    client.force_login(week.users["therapist"])
    client.post(reverse("calendar_feed_new"))
    feed = CalendarFeed.objects.get(staff=week.staff["therapist"])
    ics = client.get(reverse("calendar_feed", args=[feed.token])).content.decode()
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))
    return {
        int(uid.removeprefix("slot-")): props
        for uid, props in _feed_events(ics).items()
        if uid.startswith("slot-")
    }


def _feed_events(ics: str) -> dict[str, dict[str, str]]:
    """Every event of the feed by its UID (without "@schoolot"), lines unfolded."""
    events = {}
    for chunk in ics.replace("\r\n ", "").split("BEGIN:VEVENT\r\n")[1:]:
        lines = chunk.split("END:VEVENT")[0].split("\r\n")
        props = {ln.split(":", 1)[0].split(";")[0]: ln.split(":", 1)[1] for ln in lines if ln}
        events[props["UID"].removesuffix("@schoolot")] = props
    return events


def _weekday_after(day: dt.date, days: int) -> dt.date:
    day += dt.timedelta(days=days)
    while day.weekday() > 4:
        day += dt.timedelta(days=1)
    return day


def _holiday(week, day: dt.date) -> dt.date:
    """Founders' Day on `day`, a holiday of the district's school year."""
    return holiday_make(district=week.district, day=day)


def test_a_session_of_every_rotation_week_is_one_weekly_event(client, week):
    """Four rotation slots alike but for their week are where she is every week: one weekly
    event in the feed (the first slot's), not four every fourth week. A rotation slot of one
    week stays every fourth week."""
    four = [_slot(week, weekday=3, hour=13, cycle_week=k) for k in (1, 2, 3, 4)]
    single = _slot(week, weekday=1, hour=13, cycle_week=2)
    events = _events(client, week)
    assert four[0].pk in events and not any(s.pk in events for s in four[1:])
    assert "INTERVAL" not in events[four[0].pk]["RRULE"]
    assert events[single.pk]["RRULE"].startswith("FREQ=WEEKLY;INTERVAL=4;")


def test_holidays_are_not_held_on_today_or_in_the_feed(client, week):
    holiday = _holiday(week, _weekday_after(TODAY, 8))
    that_day = _slot(week, weekday=holiday.weekday())
    other_day = _slot(week, weekday=(holiday.weekday() + 1) % 5, hour=10)
    events = _events(client, week)
    assert events[that_day.pk]["EXDATE"] == f"{holiday:%Y%m%d}T090000"
    assert "EXDATE" not in events[other_day.pk]
    page = client.get(reverse("today"), {"date": holiday.isoformat()}).content.decode()
    assert "No school: Founders&#x27; Day" in page and "9:00" not in page
    after = _weekday_after(holiday, 1)
    assert f"Next school day: {after:%A}, {after:%b} {after.day}" in page
    week_before = holiday - dt.timedelta(days=7)
    page = client.get(reverse("today"), {"date": week_before.isoformat()}).content.decode()
    assert "9:00" in page and "No school" not in page


def test_in_summer_the_feed_starts_with_the_next_school_year(client, week):
    """Between years: nothing is held until the next year's first day (a Wednesday), the
    rotation counts from that year's first week, and UNTIL is the year's last day where
    the district is (Honolulu, UTC-10), in UTC."""
    from schoolot.directory.models import SchoolYear

    SchoolYear.objects.filter(district=week.district).update(
        first_day=TODAY - dt.timedelta(days=300), last_day=TODAY - dt.timedelta(days=60)
    )
    first_day = TODAY + dt.timedelta(days=21 + (2 - TODAY.weekday()) % 7)  # a Wednesday
    last_day = first_day + dt.timedelta(days=275)
    SchoolYear.objects.create(
        district=week.district, name="next year", first_day=first_day, last_day=last_day
    )
    week.district.time_zone = "Pacific/Honolulu"
    week.district.save(update_fields=["time_zone"])
    monday = _slot(week, weekday=0, hour=10)
    first_week = _slot(week, weekday=2, cycle_week=1)
    second_week = _slot(week, weekday=0, cycle_week=2, hour=11)
    events = _events(client, week)
    assert events[monday.pk]["DTSTART"] == f"{first_day + dt.timedelta(days=5):%Y%m%d}T100000"
    assert events[first_week.pk]["DTSTART"] == f"{first_day:%Y%m%d}T090000"
    assert events[second_week.pk]["DTSTART"] == f"{first_day + dt.timedelta(days=5):%Y%m%d}T110000"
    until = f"UNTIL={last_day + dt.timedelta(days=1):%Y%m%d}T095959Z"
    assert all(until in e["RRULE"] for e in events.values())
    # Today agrees: no school in summer, the rotation's first week on the first day.
    summer = first_day - dt.timedelta(days=7)
    page = client.get(reverse("today"), {"date": summer.isoformat()}).content.decode()
    assert "No school: no school year is in session" in page and "9:00" not in page
    assert f"?date={first_day.isoformat()}" in page  # the next school day: the first day
    page = client.get(reverse("today"), {"date": first_day.isoformat()}).content.decode()
    assert "9:00" in page


def test_a_slot_not_held_again_this_year_is_left_out_of_the_feed(client, week):
    from schoolot.directory.models import SchoolYear
    from schoolot.directory.selectors import rotation_get

    SchoolYear.objects.filter(district=week.district).update(last_day=TODAY + dt.timedelta(10))
    rotation, this = rotation_get(district_id=week.district.pk, day=TODAY)
    weekly = _slot(week, weekday=0)
    # In this week of the rotation, but every second rotation, and not this one: next
    # held four weeks on, after the year's last day.
    later = _slot(week, weekday=4, cycle_week=this, every=2, offset=(rotation + 1) % 2)
    events = _events(client, week)
    assert weekly.pk in events and later.pk not in events


def test_the_feed_holds_her_fixed_time(client, week):
    """Recurring fixed time comes once a weekday it holds, closed days excepted; a one-off
    comes once on its date, while it is still to come and its day is open."""
    from schoolot.schedules.models import Commitment

    therapist = week.staff["therapist"]
    holiday = _holiday(week, _weekday_after(TODAY, 8))
    other = (holiday.weekday() + 2) % 5
    team = Commitment.objects.create(
        district=week.district,
        staff=therapist,
        label="Team meeting; room 4",
        weekdays=f"{holiday.weekday()},{other}",
        start=dt.time(15, 0),
        end=dt.time(16, 0),
        school=week.school,
    )
    review_day = _weekday_after(TODAY, 3)

    def one_off(label, day):
        return Commitment.objects.create(
            district=week.district,
            staff=therapist,
            label=label,
            on=day,
            start=dt.time(8, 30),
            end=dt.time(9, 0),
        )

    review = one_off("Annual IEP review", review_day)
    one_off("Last month's review", TODAY - dt.timedelta(days=30))
    one_off("Review on the holiday", holiday)
    ics = client.get(
        reverse(
            "calendar_feed",
            args=[CalendarFeed.objects.create(district=week.district, staff=therapist).token],
        )
    ).content.decode()
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))
    events = _feed_events(ics)
    assert set(events) == {
        f"commitment-{team.pk}-{holiday.weekday()}",
        f"commitment-{team.pk}-{other}",
        f"commitment-{review.pk}",
    }
    on_holiday = events[f"commitment-{team.pk}-{holiday.weekday()}"]
    assert on_holiday["SUMMARY"] == "Team meeting\\; room 4"
    assert on_holiday["LOCATION"] == week.school.name
    assert on_holiday["RRULE"].startswith("FREQ=WEEKLY;UNTIL=")
    assert on_holiday["EXDATE"] == f"{holiday:%Y%m%d}T150000"
    assert "EXDATE" not in events[f"commitment-{team.pk}-{other}"]
    first = dt.date.fromisoformat(events[f"commitment-{team.pk}-{other}"]["DTSTART"][:8])
    assert first.weekday() == other and first - TODAY < dt.timedelta(days=7)
    single = events[f"commitment-{review.pk}"]
    assert single["DTSTART"] == f"{review_day:%Y%m%d}T083000"
    assert single["DTEND"] == f"{review_day:%Y%m%d}T090000"
    assert "RRULE" not in single and "LOCATION" not in single  # not at a school


def test_the_feed_holds_the_drives_lunch_and_planning_her_week_implies(client, week):
    """Each weekday's drives, lunch and planning, as My week draws them, are weekly events
    with the closed days excepted, so a colleague booking by her calendar sees them taken."""
    from schoolot.schedules.models import LunchAndPlanning
    from tests.factories import far_student_make

    far_student_make(world=week)
    LunchAndPlanning.objects.create(
        district=week.district, staff=week.staff["therapist"], planning_minutes=30
    )
    holiday = _holiday(week, _weekday_after(TODAY, 8))
    day = holiday.weekday()
    _slot(week, weekday=day)  # 9:00-9:30 at her school
    far = _slot(week, weekday=day, hour=10)
    far.school = week.other_school
    far.save()
    far.students.set([week.students["far"]])
    feed = CalendarFeed.objects.create(district=week.district, staff=week.staff["therapist"])
    events = _feed_events(client.get(reverse("calendar_feed", args=[feed.token])).content.decode())
    pk = week.staff["therapist"].pk
    drive, lunch, planning = (
        events[f"drive-{pk}-{day}-0930"],
        events[f"lunch-{pk}-{day}-1100"],
        events[f"planning-{pk}-{day}-0730"],  # no hours on record: from the day's 7:30
    )
    assert drive["SUMMARY"] == f"Drive: 20 min to {week.other_school.name}"
    assert drive["DTEND"].endswith("T095000") and drive["EXDATE"] == f"{holiday:%Y%m%d}T093000"
    assert lunch["SUMMARY"] == "Lunch" and lunch["DTEND"].endswith("T113000")
    assert planning["SUMMARY"] == "Planning" and planning["DTEND"].endswith("T080000")
    assert all(e["RRULE"].startswith("FREQ=WEEKLY;UNTIL=") for e in (drive, lunch, planning))
    assert len(events) == 5  # and the two sessions

    # A colleague's lunch at the same hour is another event (UIDs are globally unique): a
    # supervisor subscribed to both feeds sees both.
    colleague = week.staff["other_therapist"]
    colleague.schools.add(week.school)
    theirs = _slot(week, weekday=day)
    theirs.therapist = colleague
    theirs.save()
    theirs = CalendarFeed.objects.create(district=week.district, staff=colleague)
    their_events = _feed_events(
        client.get(reverse("calendar_feed", args=[theirs.token])).content.decode()
    )
    assert f"lunch-{colleague.pk}-{day}-1100" in their_events
    assert not set(their_events) & set(events)


# -- My hours: the rules in the service, answered in place ----------------------------------


def _hours(**typed):
    return {"weekday": "1", "start": "08:00", "end": "12:00", **typed}


@pytest.mark.parametrize(
    "typed, field, message",
    [
        ({"weekday": "5"}, "weekday", "Days are Monday to Friday."),
        ({"weekday": ""}, "weekday", "Days are Monday to Friday."),
        ({"start": ""}, "start", "Enter when the hours start."),
        ({"end": "7 pm"}, "end", "Enter a time such as 12:30."),
        ({"end": "08:00"}, "end", "The hours must end after they start."),
        ({"school": "999999"}, "school", "Choose one of your schools."),
    ],
)
def test_bad_hours_are_answered_in_place(client, week, typed, field, message):
    client.force_login(week.users["therapist"])
    response = client.post(reverse("availability"), _hours(**typed))
    html = response.content.decode()
    assert response.status_code == 400
    assert "The hours were not added" in html and message in html
    assert f'id="id_{field}_error"' in html  # on its field
    if field != "start":
        assert 'value="08:00"' in html  # what was typed stays
    assert not Availability.objects.exists()


def test_overlapping_hours_name_the_hours_they_overlap(client, week):
    staff = week.staff["therapist"]
    client.force_login(week.users["therapist"])
    assert client.post(reverse("availability"), _hours()).status_code == 302
    # Touching is fine; another day is fine.
    assert (
        client.post(reverse("availability"), _hours(start="12:00", end="15:00")).status_code == 302
    )
    assert client.post(reverse("availability"), _hours(weekday="2")).status_code == 302
    response = client.post(
        reverse("availability"), _hours(start="11:30", end="13:00", school=week.school.pk)
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "These overlap your hours on Tue 8:00 AM–12:00 PM (any of your schools)" in html
    assert "Tue 12:00 PM–3:00 PM" in html  # both overlaps named
    assert Availability.objects.filter(staff=staff).count() == 3


def test_hours_of_another_therapist_are_not_removed(client, week):
    from schoolot.schedules.services import availability_add, availability_delete

    mine = availability_add(
        user=week.users["therapist"], weekday=0, start=dt.time(8), end=dt.time(12)
    )
    client.force_login(week.users["cota"])
    assert client.post(reverse("availability"), {"delete": mine.pk}).status_code == 302
    assert client.post(reverse("availability"), {"delete": "abc"}).status_code == 302
    assert Availability.objects.filter(pk=mine.pk).exists()
    assert not availability_delete(user=week.users["cota"], availability_id=mine.pk)
    assert "already removed" in client.get(reverse("availability")).content.decode()
    with pytest.raises(PermissionDenied):
        availability_add(user=week.users["teacher"], weekday=0, start=dt.time(8), end=dt.time(9))
    with pytest.raises(ValidationError) as refused:
        availability_add(
            user=week.users["therapist"],
            weekday=0,
            start=dt.time(9),
            end=dt.time(10),
            school_id=week.school.pk + 10_000,
        )
    assert list(refused.value.message_dict) == ["school"]  # overlaps checked once all is valid
