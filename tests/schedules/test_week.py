"""The therapist's week from the records: solve, lock, protected time, the calendar feed."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from schoolot.delivery.models import WeeklySlot
from schoolot.schedules.models import Availability, CalendarFeed, ProtectedBlock, ScheduleRun
from schoolot.schedules.services import week_instance, week_solve
from schoolot.scheduling.scorer import score

TODAY = timezone.localdate()


@pytest.fixture
def week(world):
    world.staff["therapist"].schools.add(world.school)
    return world


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


def test_unplaceable_is_recorded_with_reasons(week):
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


def test_calendar_feed(client, week):
    client.force_login(week.users["therapist"])
    client.post(reverse("week_build"), {"seconds": "2"})
    client.post(reverse("calendar_feed_new"))
    feed = CalendarFeed.objects.get()
    client.logout()
    response = client.get(reverse("calendar_feed", args=[feed.token]))
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert body.startswith("BEGIN:VCALENDAR") and body.count("BEGIN:VEVENT") == 2
    assert "RRULE:FREQ=WEEKLY" in body
    assert week.students["own"].last_name not in body  # initials only
    assert client.get(reverse("calendar_feed", args=["wrong-token"])).status_code == 404
    old = feed.token
    client.force_login(week.users["therapist"])
    client.post(reverse("calendar_feed_new"))
    assert client.get(reverse("calendar_feed", args=[old])).status_code == 404


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
