"""A teacher's calendar feed: when her students leave class for OT, in her own calendar, by
initials only, behind a secret address she can replace; gone when she is. A parent's, of
her children's OT times, likewise."""

import datetime as dt

import pytest
from django.urls import reverse

from schoolot.rules.cycles import cycle_week
from schoolot.schedules.models import CalendarFeed
from tests.factories import TODAY, YEAR_AGO, school_closure_make, weekly_slot_make
from tests.schedules.test_week import _feed_events


def _feed(client, world) -> tuple[str, str]:
    """The teacher asks for an address from her students' page: (the address, the feed)."""
    client.force_login(world.users["teacher"])
    response = client.post(reverse("calendar_feed_new"))
    assert response.status_code == 302 and response.url == reverse("caseload")
    token = CalendarFeed.objects.get(staff=world.staff["teacher"]).token
    address = reverse("calendar_feed", args=[token])
    ics = client.get(address).content.decode()
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))
    return address, ics


def test_her_students_sessions_by_initials_in_her_calendar(client, week):
    own, cota = week.students["own"], week.students["cota"]
    slot = weekly_slot_make(world=week, weekday=1, start=dt.time(9, 15))
    slot.students.add(cota)  # not in her class: counted, never named
    slot.setting = "classroom"
    slot.save()
    weekly_slot_make(world=week, weekday=2, start=dt.time(10), student="cota")
    address, ics = _feed(client, week)
    events = _feed_events(ics)
    teacher = week.users["teacher"]
    assert set(events) == {f"class-{teacher.pk}-slot-{slot.pk}"}  # not cota's own session
    event = events[f"class-{teacher.pk}-slot-{slot.pk}"]
    assert event["SUMMARY"] == f"OT in class: {own.first_name[0]}.{own.last_name[0]}."
    therapist = week.staff["therapist"].user.display_name
    assert event["DESCRIPTION"] == f"{therapist}\\, group of 2"
    assert event["LOCATION"] == week.school.name
    assert event["RRULE"].startswith("FREQ=WEEKLY;UNTIL=")
    assert own.last_name not in ics and cota.first_name not in ics
    page = client.get(reverse("caseload")).content.decode()
    assert address in page and "Make a new address" in page


def test_her_schools_closures_and_rotation_weeks(client, week):
    thursday = TODAY + dt.timedelta(days=(3 - TODAY.weekday()) % 7 + 7)
    weekly = weekly_slot_make(world=week, weekday=3, start=dt.time(13))
    rotation = weekly_slot_make(world=week, weekday=4, start=dt.time(14))
    rotation.cycle_week = cycle_week(day=TODAY, first_day=YEAR_AGO)
    rotation.save()
    school_closure_make(school=week.school, day=thursday)
    _address, ics = _feed(client, week)
    events = _feed_events(ics)
    teacher = week.users["teacher"]
    assert events[f"class-{teacher.pk}-slot-{weekly.pk}"]["EXDATE"] == (
        f"{thursday:%Y%m%d}T130000"
    )
    assert events[f"class-{teacher.pk}-slot-{rotation.pk}"]["RRULE"].startswith(
        "FREQ=WEEKLY;INTERVAL=4;"
    )


def test_a_new_address_ends_the_old_and_a_leaver_has_none(client, week):
    weekly_slot_make(world=week, weekday=1, start=dt.time(9, 15))
    old, _ics = _feed(client, week)
    new, _ics = _feed(client, week)
    assert client.get(old).status_code == 404 and client.get(new).status_code == 200
    week.users["teacher"].is_active = False
    week.users["teacher"].save()
    assert client.get(new).status_code == 404


def test_a_therapist_who_left_has_no_feed_either(client, week):
    client.force_login(week.users["therapist"])
    client.post(reverse("calendar_feed_new"))
    address = reverse(
        "calendar_feed", args=[CalendarFeed.objects.get(staff=week.staff["therapist"]).token]
    )
    assert client.get(address).status_code == 200
    week.users["therapist"].is_active = False
    week.users["therapist"].save()
    assert client.get(address).status_code == 404


def test_a_parent_keeps_one_of_her_childs_ot_times(client, week):
    own = week.students["own"]
    slot = weekly_slot_make(world=week, weekday=3, start=dt.time(13))
    weekly_slot_make(world=week, weekday=1, start=dt.time(9), student="cota")  # not hers
    parent = week.users["parent"]
    client.force_login(parent)
    response = client.post(reverse("calendar_feed_new"))
    assert response.status_code == 302 and response.url == reverse("caseload")
    feed = CalendarFeed.objects.get(user=parent)
    assert feed.staff is None
    page = client.get(reverse("caseload")).content.decode()
    address = reverse("calendar_feed", args=[feed.token])
    assert address in page and "with your children by initials" in page
    ics = client.get(address).content.decode()
    assert "X-WR-CALNAME:OT for my children" in ics
    events = _feed_events(ics)
    assert set(events) == {f"class-{parent.pk}-slot-{slot.pk}"}
    assert events[f"class-{parent.pk}-slot-{slot.pk}"]["SUMMARY"] == (
        f"OT: {own.first_name[0]}.{own.last_name[0]}."
    )
    assert own.last_name not in ics
    parent.is_active = False
    parent.save()
    assert client.get(address).status_code == 404


@pytest.mark.parametrize("who", ["supervisor", "admin"])
def test_only_therapists_teachers_and_parents_keep_a_feed(client, week, who):
    client.force_login(week.users[who])
    assert client.post(reverse("calendar_feed_new")).status_code == 403
    assert not CalendarFeed.objects.exists()
