"""Workload in 15-minute blocks; sessions and consultations count on their own."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from schoolot.compliance.workload import workload_entry_add, workload_report
from schoolot.delivery.models import Consultation
from schoolot.delivery.services import SessionInput, StudentPart, session_log
from schoolot.plans.models import ServiceMandate

TODAY = timezone.localdate()
MONDAY = TODAY - dt.timedelta(days=TODAY.weekday())
DAY = MONDAY if MONDAY < TODAY else MONDAY - dt.timedelta(days=7)  # a past weekday


def log(world, who, key, start, attendance="present"):
    student = world.students[key]
    mandate = ServiceMandate.objects.filter(plan__student=student).first()
    return session_log(
        user=world.users[who],
        data=SessionInput(
            date=DAY,
            start_time=dt.time(*start),
            end_time=(dt.datetime.combine(DAY, dt.time(*start)) + dt.timedelta(minutes=30)).time(),
            setting="therapy_room",
            parts=[
                StudentPart(
                    student_id=student.pk,
                    mandate_id=mandate.pk,
                    attendance=attendance,
                    missed_reason="" if attendance == "present" else "student_absent",
                )
            ],
            submission_key=uuid.uuid4(),
        ),
    )


def test_report_counts_sessions_consultations_and_entries(world):
    log(world, "therapist", "own", (9, 0))
    log(world, "therapist", "own", (10, 0), attendance="missed")  # no direct time
    Consultation.objects.create(
        district=world.district,
        therapist=world.staff["therapist"],
        date=DAY,
        start_time=dt.time(11, 0),
        end_time=dt.time(11, 20),
        minutes=20,
        with_name="Ms. Reed",
        with_role="gened_teacher",
        domain="sensory",
        topic="Seating",
        strategies="Wobble seat",
    )
    workload_entry_add(
        user=world.users["therapist"],
        date=DAY,
        category="compliance",
        blocks=4,
        note="IEP drafting",
    )
    workload_entry_add(user=world.users["therapist"], date=DAY, category="travel", blocks=2)
    rows = workload_report(user=world.users["therapist"], start=DAY, end=DAY)
    assert len(rows) == 1
    row = rows[0]
    assert row.minutes == {"direct": 30, "indirect": 20, "compliance": 60, "travel": 30}
    assert row.total_hours == Decimal("2.3")  # 140 minutes
    assert row.caseload == 1  # her current assignments: "own" ("former" has ended)
    assert row.hours_per_fte == row.total_hours


def test_scope_by_role(world, elsewhere):
    names = {
        r.staff.user.username
        for r in workload_report(user=world.users["supervisor"], start=DAY, end=DAY)
    }
    assert names == {"north-therapist", "north-cota"}
    names = {
        r.staff.user.username
        for r in workload_report(user=world.users["admin"], start=DAY, end=DAY)
    }
    assert names == {"north-therapist", "north-cota", "north-other_therapist"}
    with pytest.raises(PermissionDenied):
        workload_report(user=world.users["teacher"], start=DAY, end=DAY)


def test_bad_entries(world):
    with pytest.raises(ValidationError):
        workload_entry_add(
            user=world.users["therapist"],
            date=TODAY + dt.timedelta(days=1),
            category="travel",
            blocks=1,
        )
    with pytest.raises(ValidationError):
        workload_entry_add(user=world.users["therapist"], date=DAY, category="naps", blocks=1)
    workload_entry_add(user=world.users["therapist"], date=DAY, category="indirect", blocks=40)
    with pytest.raises(ValidationError) as excinfo:
        workload_entry_add(user=world.users["therapist"], date=DAY, category="indirect", blocks=10)
    assert "at most 12 hours" in " ".join(excinfo.value.messages)
    with pytest.raises(PermissionDenied):
        workload_entry_add(user=world.users["teacher"], date=DAY, category="travel", blocks=1)


def test_page_records_and_shows(client, world):
    client.force_login(world.users["therapist"])
    response = client.post(
        reverse("workload") + f"?start={DAY}&end={DAY}",
        {"date": DAY.isoformat(), "category": "gened", "blocks": "3", "note": "Screening K"},
    )
    assert response.status_code == 302
    html = client.get(reverse("workload"), {"start": DAY, "end": DAY}).content.decode()
    assert "0.8" in html  # 45 minutes
    response = client.post(
        reverse("workload"), {"date": DAY.isoformat(), "category": "gened", "blocks": "0"}
    )
    assert response.status_code == 400
    client.force_login(world.users["parent"])
    assert client.get(reverse("workload")).status_code == 403


def _week_with_a_drive(world, day: dt.date):
    """Her week on `day`'s weekday: 9:00 at her school, 10:00 at the other, 20 minutes away."""
    from tests.factories import far_student_make, weekly_slot_make

    far_student_make(world=world)
    weekly_slot_make(world=world, weekday=day.weekday(), start=dt.time(9))
    far = weekly_slot_make(world=world, weekday=day.weekday(), start=dt.time(10), student="far")
    far.school = world.other_school
    far.save()


def test_the_drives_of_her_week_are_offered_as_travel_until_recorded(client, world):
    from schoolot.compliance.models import WorkloadEntry
    from schoolot.compliance.workload import drives_to_record_get

    day = TODAY - dt.timedelta(days=1)  # the last weekday before today: in the page's week
    while day.weekday() > 4:
        day -= dt.timedelta(days=1)
    _week_with_a_drive(world, day)
    therapist = world.users["therapist"]
    offered = drives_to_record_get(user=therapist, on=TODAY)
    assert [(d.date, d.minutes, d.blocks) for d in offered] == [(day, 20, 1)]
    assert drives_to_record_get(user=world.users["cota"], on=TODAY) == []  # no week of hers
    client.force_login(therapist)
    page = client.get(reverse("workload")).content.decode()
    assert f'name="date" value="{day:%Y-%m-%d}"' in page
    assert "20 min driving" in page and "Record 1 block of travel" in page
    # One step records it, and the day is no longer offered.
    response = client.post(
        reverse("workload"),
        {"date": day.isoformat(), "category": "travel", "blocks": "1", "note": "Drives of my week"},
    )
    assert response.status_code == 302
    entry = WorkloadEntry.objects.get(staff=world.staff["therapist"], category="travel")
    assert (entry.date, entry.minutes) == (day, 15)
    assert drives_to_record_get(user=therapist, on=TODAY) == []
    assert "Drives to record" not in client.get(reverse("workload")).content.decode()


def test_drives_follow_the_school_calendar_and_round_to_the_nearest_block(world):
    from schoolot.compliance.workload import DrivesToRecord, drives_to_record_get
    from tests.factories import holiday_make

    _week_with_a_drive(world, DAY)
    holiday_make(district=world.district, day=DAY)
    assert drives_to_record_get(user=world.users["therapist"], on=DAY) == []  # no school
    assert [DrivesToRecord(DAY, m).blocks for m in (5, 22, 23, 37, 38)] == [1, 1, 2, 2, 3]


def test_a_day_one_of_her_schools_is_closed_alone_drives_nowhere(world):
    """Her week drives from her school to the other at 10:00; the day the other school is
    closed alone she stays where she is, and a week later she drives again."""
    from schoolot.compliance.workload import drives_to_record_get
    from tests.factories import school_closure_make

    _week_with_a_drive(world, DAY)
    school_closure_make(school=world.other_school, day=DAY)
    week_before = DAY - dt.timedelta(weeks=1)
    offered = drives_to_record_get(user=world.users["therapist"], on=DAY, days=8)
    assert [(d.date, d.minutes) for d in offered] == [(week_before, 20)]


def test_drives_to_record_take_constant_queries(world, django_assert_num_queries):
    from schoolot.schedules.selectors import week_drives_get

    _week_with_a_drive(world, DAY)
    dates = [DAY - dt.timedelta(days=n) for n in range(30)]
    with django_assert_num_queries(6):  # calendar (2), week, fixed time, travel, lunch
        drives = week_drives_get(staff=world.staff["therapist"], dates=dates)
    assert drives[DAY] == 20 and all(d.weekday() == DAY.weekday() for d in drives)


def test_a_day_she_logged_counts_the_drives_between_its_sessions_not_her_week(world):
    """Her logged sessions say where she was, even after her week was rebuilt: a day she
    logged at one school only drove nowhere; a day she logged at both schools drove between
    them, at most the gap between the two sessions."""
    from schoolot.compliance.workload import drives_to_record_get

    _week_with_a_drive(world, DAY)  # her week: 9:00 here, 10:00 at the school 20 min away
    therapist = world.users["therapist"]
    offered = drives_to_record_get(user=therapist, on=DAY)
    assert [(d.date, d.minutes, d.logged) for d in offered] == [(DAY, 20, False)]
    log(world, "therapist", "own", (9, 0))
    assert drives_to_record_get(user=therapist, on=DAY) == []  # she stayed at one school
    log(world, "therapist", "far", (9, 40))  # ten minutes after the first ended
    offered = drives_to_record_get(user=therapist, on=DAY)
    assert [(d.date, d.minutes, d.logged, d.blocks) for d in offered] == [(DAY, 10, True, 1)]


def test_a_meeting_at_another_school_between_logged_sessions_is_a_stop(world):
    """A day she logged at her school only, with an IEP meeting on that date at the school
    20 minutes away between the sessions, drove there and back. A meeting that recurs that
    weekday at the far school, but at a time she logged a session at her own, was not held
    there: no stop. A meeting without a school is time, not a place."""
    from schoolot.compliance.workload import drives_to_record_get
    from schoolot.schedules.models import Commitment

    def meeting(start, end, **fields):
        Commitment.objects.create(
            district=world.district,
            staff=world.staff["therapist"],
            label="IEP meeting",
            start=dt.time(*start),
            end=dt.time(*end),
            **fields,
        )

    _week_with_a_drive(world, DAY)
    log(world, "therapist", "own", (9, 0))
    log(world, "therapist", "own", (11, 0))
    therapist = world.users["therapist"]
    assert drives_to_record_get(user=therapist, on=DAY) == []
    meeting((11, 10), (11, 40), weekdays=str(DAY.weekday()), school=world.other_school)
    meeting((9, 40), (10, 0), on=DAY)  # no school: no stop
    assert drives_to_record_get(user=therapist, on=DAY) == []
    meeting((10, 0), (10, 30), on=DAY, school=world.other_school)
    offered = drives_to_record_get(user=therapist, on=DAY)
    # 9:30 to the meeting at 10:00 (20 min), 10:30 back for 11:00 (20 min).
    assert [(d.date, d.minutes, d.logged) for d in offered] == [(DAY, 40, True)]
    other_day = DAY - dt.timedelta(days=7)
    meeting((10, 0), (10, 30), on=other_day, school=world.other_school)
    assert drives_to_record_get(user=therapist, on=DAY, days=1)[0].minutes == 40


def test_drives_to_record_take_the_same_queries_for_a_week_or_a_month(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from schoolot.compliance.workload import drives_to_record_get

    _week_with_a_drive(world, DAY)
    log(world, "therapist", "own", (9, 0))
    log(world, "therapist", "far", (9, 40))
    counts = []
    for days in (7, 30):
        with CaptureQueriesContext(connection) as queries:
            offered = drives_to_record_get(user=world.users["therapist"], on=DAY, days=days)
        counts.append(len(queries))
        # DAY from its logged sessions; the same weekday of the weeks before from her week.
        assert [(d.date.weekday(), d.logged) for d in offered] == [(DAY.weekday(), False)] * (
            len(offered) - 1
        ) + [(DAY.weekday(), True)]
        assert offered[-1].date == DAY and len(offered) == (1 if days == 7 else 5)
    assert counts[0] == counts[1] <= 11
