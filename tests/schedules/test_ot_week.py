"""A teacher's and a parent's week of OT, above their students: when each leaves class, day
by day; only their own students named, only current therapists' sessions, rotation sessions
in their weeks, nothing on a day without school."""

import datetime as dt

from django.urls import reverse

from schoolot.directory.models import Enrollment, SchoolClass
from schoolot.rules.cycles import cycle_week
from schoolot.schedules.selectors import ot_week_get
from tests.factories import TODAY, YEAR_AGO, holiday_make, student_make, weekly_slot_make

# A Wednesday of next week, inside the world's school year.
ON = TODAY + dt.timedelta(days=(2 - TODAY.weekday()) % 7 + 7)
MONDAY = ON - dt.timedelta(days=2)


def _on(days, weekday):
    (day,) = [d for d in days if d.date.weekday() == weekday]
    return day


def test_a_teacher_sees_when_her_students_leave_class(client, week):
    own, cota = week.students["own"], week.students["cota"]
    slot = weekly_slot_make(world=week, weekday=1, start=dt.time(9, 15))
    slot.students.add(cota)  # not in her class: counted, not named
    client.force_login(week.users["teacher"])
    html = client.get(reverse("caseload")).content.decode()
    therapist = week.staff["therapist"].user.display_name
    assert "OT the week of" in html
    assert (
        f"<strong>9:15–9:45 AM</strong> {own.full_name} "
        f'<span class="muted">(group of 2)</span> · therapy room · {therapist} · {week.school.name}'
    ) in html
    assert cota.first_name not in html


def test_a_parent_sees_her_childs_week(client, week):
    slot = weekly_slot_make(world=week, weekday=3, start=dt.time(13))
    slot.setting = "classroom"  # OT comes into her class
    slot.save()
    client.force_login(week.users["parent"])
    html = client.get(reverse("caseload")).content.decode()
    assert "When OT sees your child at school." in html
    assert f"<strong>1:00–1:30 PM</strong> {week.students['own'].full_name} · in class ·" in html


def test_no_week_for_those_whose_students_have_no_ot_or_who_see_whole_weeks(client, week):
    weekly_slot_make(world=week, weekday=1, start=dt.time(9, 15))
    for who in ("other_teacher", "other_parent", "therapist", "supervisor", "admin"):
        client.force_login(week.users[who])
        assert "OT the week of" not in client.get(reverse("caseload")).content.decode()


def test_the_days_of_the_week_and_what_each_holds(week):
    weekly_slot_make(world=week, weekday=1, start=dt.time(9, 15))
    weekly_slot_make(world=week, weekday=1, start=dt.time(8, 30))
    days = ot_week_get(user=week.users["teacher"], on=ON)
    assert [d.date for d in days] == [MONDAY + dt.timedelta(days=i) for i in range(5)]
    tuesday = _on(days, 1)
    assert [x.start for x in tuesday.sessions] == [dt.time(8, 30), dt.time(9, 15)]
    assert tuesday.sessions[0].students == [week.students["own"].full_name]
    assert tuesday.sessions[0].group_size == 1
    assert all(not d.sessions for d in days if d.date.weekday() != 1)


def test_from_saturday_the_week_to_come(week):
    weekly_slot_make(world=week, weekday=1, start=dt.time(9, 15))
    saturday = MONDAY - dt.timedelta(days=2)
    days = ot_week_get(user=week.users["teacher"], on=saturday)
    assert days[0].date == MONDAY


def test_a_day_without_school_says_why_and_holds_no_session(week):
    weekly_slot_make(world=week, weekday=3, start=dt.time(13))
    holiday_make(district=week.district, day=MONDAY + dt.timedelta(days=3))
    thursday = _on(ot_week_get(user=week.users["parent"], on=ON), 3)
    assert thursday.closed == "Founders' Day" and thursday.sessions == []


def test_rotation_sessions_only_in_their_week_of_the_rotation(week):
    this_week = cycle_week(day=MONDAY, first_day=YEAR_AGO)
    for cycle in (1, 2, 3, 4):
        slot = weekly_slot_make(world=week, weekday=4, start=dt.time(8 + cycle))
        slot.cycle_week = cycle
        slot.save()
    friday = _on(ot_week_get(user=week.users["teacher"], on=ON), 4)
    assert [x.start for x in friday.sessions] == [dt.time(8 + this_week)]


def test_a_session_of_an_ended_assignment_is_not_shown(week):
    former = week.students["former"]  # the OTR's assignment ended ten days ago
    Enrollment.objects.create(
        district=week.district,
        school_class=SchoolClass.objects.get(teacher=week.staff["teacher"]),
        student=former,
    )
    weekly_slot_make(world=week, weekday=2, start=dt.time(10), student="former")
    days = ot_week_get(user=week.users["teacher"], on=ON)
    assert all(not d.sessions for d in days)


def test_seven_queries_whatever_the_class(week, django_assert_num_queries):
    klass = SchoolClass.objects.get(teacher=week.staff["teacher"])
    for i in range(6):
        kid = student_make(district=week.district, school=week.school, first=f"Kid{i}", last="Li")
        Enrollment.objects.create(district=week.district, school_class=klass, student=kid)
        week.students[f"kid{i}"] = kid
        week.staff["therapist"].assignments.create(
            district=week.district, student=kid, role="primary_otr", start_date=YEAR_AGO
        )
        weekly_slot_make(world=week, weekday=i % 5, start=dt.time(9), student=f"kid{i}")
    with django_assert_num_queries(7):  # six, and the week's time away
        days = ot_week_get(user=week.users["teacher"], on=ON)
    assert sum(len(d.sessions) for d in days) == 6


def test_the_week_after_is_one_click_away(client, week):
    """Next week's OT, for a teacher planning a field trip or a parent an appointment: the
    days of the following week, even when it holds no OT, and the way back."""
    from django.utils import timezone

    weekly_slot_make(world=week, weekday=1, start=dt.time(9, 15))
    client.force_login(week.users["teacher"])
    html = client.get(reverse("caseload")).content.decode()
    assert 'href="?week=next"' in html
    html = client.get(reverse("caseload"), {"week": "next"}).content.decode()
    today = timezone.localdate()
    coming = today + dt.timedelta(days=7 if today.weekday() < 5 else 14 - today.weekday())
    monday = coming - dt.timedelta(days=coming.weekday())
    assert f"OT the week of {monday:%b} {monday.day}" in html
    assert "‹ This week" in html and "9:15–9:45 AM" in html


def test_a_week_of_breaks_still_shows_its_days(client, week):
    """Her students have OT, but not this week (a holiday every day): the days say why, and
    next week and her calendar address are still there."""
    weekly_slot_make(world=week, weekday=1, start=dt.time(9, 15))
    for i in range(5):
        holiday_make(district=week.district, day=MONDAY + dt.timedelta(days=i))
    days = ot_week_get(user=week.users["teacher"], on=ON)
    assert [d.closed for d in days] == ["Founders' Day"] * 5
    assert ot_week_get(user=week.users["other_teacher"], on=ON) == []  # no OT at all
