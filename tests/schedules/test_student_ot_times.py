"""When OT sees a student, on her record: her teacher knows when she leaves class, her family
when she has OT. Only her current therapists' sessions, a group by its size (never its other
students' names), each with the next school day it is held."""

import datetime as dt

import pytest
from django.urls import reverse

from schoolot.delivery.models import WeeklySlot
from schoolot.rules.cycles import cycle_week
from schoolot.schedules.selectors import student_ot_times_get
from tests.factories import TODAY, YEAR_AGO, YEAR_ON, holiday_make, weekly_slot_make

# The pages' clock: 7:00 on a Wednesday of next week, inside the world's school year.
ON = TODAY + dt.timedelta(days=(2 - TODAY.weekday()) % 7 + 7)


@pytest.fixture
def pinned(monkeypatch):
    """The pages read the time of day: pinned to 7:00 on ON, before any session."""
    from django.utils import timezone

    real = timezone.localtime
    morning = dt.datetime.combine(ON, dt.time(7), tzinfo=timezone.get_current_timezone())

    def localtime(value=None, timezone=None):
        return real(value, timezone) if value is not None else morning

    monkeypatch.setattr(timezone, "localtime", localtime)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: ON)


def _next_held(*, district, weekday: int, week: int | None = None) -> dt.date:
    """The first school day from ON on `weekday` (and in week `week` of the rotation),
    found day by day from the calendar, apart from the code under test."""
    from schoolot.directory.selectors import closure_get

    day = ON
    while (
        day.weekday() != weekday
        or (week is not None and cycle_week(day=day, first_day=YEAR_AGO) != week)
        or closure_get(district_id=district.pk, day=day)
    ):
        day += dt.timedelta(days=1)
    return day


def _next_text(day: dt.date) -> str:
    return "Next: today" if day == ON else f"Next: {day:%A}, {day:%b} {day.day}"


def test_a_session_today_says_today_until_it_ends(client, week, pinned):
    weekly_slot_make(world=week, weekday=2, start=dt.time(13))
    own = week.students["own"]
    (before,) = student_ot_times_get(student=own, on=ON, now=dt.time(13, 29))
    (after,) = student_ot_times_get(student=own, on=ON, now=dt.time(13, 30))
    assert before.next_date == ON
    assert after.next_date == ON + dt.timedelta(weeks=1)  # no holiday in the world
    client.force_login(week.users["teacher"])
    html = client.get(reverse("student_detail", args=[own.pk])).content.decode()
    assert "Next: today" in html  # at 7:00


@pytest.mark.parametrize("who", ["teacher", "parent", "therapist", "supervisor", "admin"])
def test_everyone_who_reads_her_record_sees_when_ot_sees_her(client, week, pinned, who):
    own, cota = week.students["own"], week.students["cota"]
    slot = weekly_slot_make(world=week, weekday=1, start=dt.time(9, 15))
    slot.students.add(cota)  # a group of two
    client.force_login(week.users[who])
    html = client.get(reverse("student_detail", args=[own.pk])).content.decode()
    therapist = week.staff["therapist"]
    nxt = _next_held(district=week.district, weekday=1)
    assert f"When OT sees {own.first_name}" in html
    assert "Tuesdays 9:15–9:45 AM" in html
    assert (
        f"{week.school.name} · {therapist.user.display_name}, OTR/L · group of 2, therapy room"
        in html
    )
    assert _next_text(nxt) in html
    assert cota.first_name not in html  # the group by its size, not its students


def test_the_next_session_skips_a_holiday(client, week, pinned):
    own = week.students["own"]
    weekly_slot_make(world=week, weekday=3, start=dt.time(13))
    holiday_make(district=week.district, day=_next_held(district=week.district, weekday=3))
    client.force_login(week.users["teacher"])
    html = client.get(reverse("student_detail", args=[own.pk])).content.decode()
    nxt = _next_held(district=week.district, weekday=3)  # the week after the holiday
    assert "Thursdays 1:00–1:30 PM" in html and "individual, therapy room" in html
    assert _next_text(nxt) in html


def test_those_who_may_not_read_her_record_see_nothing(client, week):
    weekly_slot_make(world=week, weekday=1, start=dt.time(9, 15))
    for who in ("other_teacher", "other_parent", "other_therapist"):
        client.force_login(week.users[who])
        response = client.get(reverse("student_detail", args=[week.students["own"].pk]))
        assert response.status_code == 404


def test_a_session_from_an_ended_assignment_is_not_hers(client, week):
    former = week.students["former"]  # the OTR's assignment ended ten days ago
    weekly_slot_make(world=week, weekday=2, start=dt.time(10), student="former")
    client.force_login(week.users["admin"])
    html = client.get(reverse("student_detail", args=[former.pk])).content.decode()
    assert "No weekly OT sessions are scheduled yet." in html
    assert "Wednesdays" not in html


def _rotation_slot(week, *, cycle: int, start=dt.time(14)) -> WeeklySlot:
    slot = weekly_slot_make(world=week, weekday=4, start=start, minutes=45)
    slot.cycle_week = cycle
    slot.save()
    return slot


def test_a_rotation_session_says_its_week_and_when_it_comes_next(client, week, pinned):
    own = week.students["own"]
    _rotation_slot(week, cycle=2)
    client.force_login(week.users["parent"])
    html = client.get(reverse("student_detail", args=[own.pk])).content.decode()
    nxt = _next_held(district=week.district, weekday=4, week=2)
    assert "Fridays 2:00–2:45 PM" in html and "week 2 of 4 of the rotation" in html
    assert _next_text(nxt) in html


def test_a_rotation_session_held_every_week_shows_once_as_weekly(week):
    for cycle in (1, 2, 3, 4):
        _rotation_slot(week, cycle=cycle)
    times = student_ot_times_get(student=week.students["own"], on=ON)
    assert len(times) == 1
    assert times[0].rotation == ""
    assert times[0].next_date == _next_held(district=week.district, weekday=4)


def test_none_is_next_after_the_school_years_last_day(week):
    weekday = (YEAR_ON.weekday() + 1) % 5  # never the last day's own weekday
    weekly_slot_make(world=week, weekday=weekday, start=dt.time(9))
    (time,) = student_ot_times_get(student=week.students["own"], on=YEAR_ON)
    assert time.next_date is None


def test_three_queries_whatever_the_sessions(week, django_assert_num_queries):
    for weekday in range(5):
        weekly_slot_make(world=week, weekday=weekday, start=dt.time(9))
    for cycle in (1, 2, 3, 4):
        _rotation_slot(week, cycle=cycle, start=dt.time(11))
    with django_assert_num_queries(3):
        times = student_ot_times_get(student=week.students["own"], on=TODAY)
    assert len(times) == 6  # five weekly; the four rotation slots on Fridays held every week


def test_a_student_with_no_plan_and_no_sessions_has_no_such_card(client, week):
    from schoolot.directory.models import Enrollment, SchoolClass
    from tests.factories import student_make

    classmate = student_make(
        district=week.district, school=week.school, first="Classmate", last="Ortiz"
    )
    Enrollment.objects.create(
        district=week.district,
        school_class=SchoolClass.objects.get(teacher=week.staff["teacher"]),
        student=classmate,
    )
    client.force_login(week.users["teacher"])
    html = client.get(reverse("student_detail", args=[classmate.pk])).content.decode()
    assert "Classmate" in html and "When OT sees" not in html
