"""A school closed while the others are open (a water main break, a building that is a
polling place): its students are owed no minutes that day, its sessions are not held, and
everyone who reads the week sees why; the district's other schools carry on."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from schoolot.compliance.ledger import district_calendar, mandate_lines
from schoolot.delivery.models import WeeklySlot
from schoolot.directory.models import CalendarEvent, SchoolYear, Student
from schoolot.directory.selectors import closure_get, closures_get
from schoolot.rules.cycles import cycle_week
from schoolot.schedules.selectors import ot_week_get, student_ot_times_get
from tests.factories import (
    TODAY,
    YEAR_AGO,
    holiday_make,
    school_closure_make,
    weekly_slot_make,
    world_make,
)
from tests.schedules.test_week import _events

# A Wednesday of next week, inside the world's school year.
ON = TODAY + dt.timedelta(days=(2 - TODAY.weekday()) % 7 + 7)
MONDAY = ON - dt.timedelta(days=2)


def _other_school_slot(week, *, weekday: int, start: dt.time) -> WeeklySlot:
    """A session of the OTR's week at the world's other school, with its student."""
    slot = weekly_slot_make(world=week, weekday=weekday, start=start, student="other")
    slot.school = week.other_school
    slot.save()
    return slot


def test_a_schools_calendar_holds_its_own_closures_and_the_districts(week):
    thursday = MONDAY + dt.timedelta(days=3)
    school_closure_make(school=week.school, day=thursday)
    friday = holiday_make(district=week.district, day=MONDAY + dt.timedelta(days=4))
    year = SchoolYear.objects.get(district=week.district)
    assert year.calendar(school_id=week.school.pk).closed_days == {thursday, friday}
    assert year.calendar(school_id=week.other_school.pk).closed_days == {friday}
    assert year.calendar().closed_days == {friday}  # the district's own


def test_closures_say_why_for_the_school_or_the_district(week):
    thursday = MONDAY + dt.timedelta(days=3)
    school_closure_make(school=week.school, day=thursday)
    district = week.district.pk
    assert closure_get(district_id=district, day=thursday) is None
    assert closure_get(district_id=district, day=thursday, school_id=week.school.pk) == (
        "Water main break"
    )
    assert closure_get(district_id=district, day=thursday, school_id=week.other_school.pk) is None
    closures = closures_get(district_id=district, day=thursday)
    assert closures.district is None and closures.schools == {week.school.pk: "Water main break"}
    holiday_make(district=week.district, day=thursday)  # the district's reason comes first
    assert closure_get(district_id=district, day=thursday, school_id=week.school.pk) == (
        "Founders' Day"
    )


def test_today_marks_the_closed_schools_sessions_not_held(client, week):
    day = TODAY - dt.timedelta(days=(TODAY.weekday() - 1) % 7 or 7)  # last Tuesday
    school_closure_make(school=week.school, day=day)
    closed = weekly_slot_make(world=week, weekday=1, start=dt.time(9))
    open_ = _other_school_slot(week, weekday=1, start=dt.time(13))
    client.force_login(week.users["therapist"])
    page = client.get(reverse("today"), {"date": day.isoformat()}).content.decode()
    assert f"No school at {week.school.name}: Water main break." in page
    assert "This session is not held and not owed." in page
    assert f"slot={closed.pk}&amp;" not in page  # nothing to log there
    assert f"slot={open_.pk}&amp;" in page  # the other school's is logged as ever
    assert "No school:" not in page  # the district is open


def test_a_teachers_week_says_her_school_is_closed(client, week):
    weekly_slot_make(world=week, weekday=3, start=dt.time(13))
    thursday = MONDAY + dt.timedelta(days=3)
    school_closure_make(school=week.school, day=thursday)
    days = ot_week_get(user=week.users["teacher"], on=ON)
    (day,) = [d for d in days if d.date == thursday]
    assert day.closed == "" and day.sessions == []
    assert day.closed_schools == [f"{week.school.name}: Water main break"]
    next_thursday = ot_week_get(user=week.users["teacher"], on=ON + dt.timedelta(weeks=1))[3]
    assert [x.start for x in next_thursday.sessions] == [dt.time(13)]


def test_another_schools_closure_leaves_her_week_as_it_is(week):
    weekly_slot_make(world=week, weekday=3, start=dt.time(13))
    school_closure_make(school=week.other_school, day=MONDAY + dt.timedelta(days=3))
    thursday = ot_week_get(user=week.users["parent"], on=ON)[3]
    assert [x.start for x in thursday.sessions] == [dt.time(13)]
    assert thursday.closed_schools == []


def test_the_next_session_skips_her_schools_closure_only(week):
    weekly_slot_make(world=week, weekday=3, start=dt.time(13))
    thursday = MONDAY + dt.timedelta(days=3)
    school_closure_make(school=week.school, day=thursday)
    (time,) = student_ot_times_get(student=week.students["own"], on=ON)
    assert time.next_date == thursday + dt.timedelta(weeks=1)
    slot = _other_school_slot(week, weekday=3, start=dt.time(14))
    slot.therapist = week.staff["other_therapist"]  # hers
    slot.save()
    (other,) = student_ot_times_get(student=week.students["other"], on=ON)
    assert other.next_date == thursday  # her school is open


def test_the_feed_skips_the_closed_school_only(client, week):
    thursday = MONDAY + dt.timedelta(days=3)
    school_closure_make(school=week.school, day=thursday)
    closed = weekly_slot_make(world=week, weekday=3, start=dt.time(9))
    open_ = _other_school_slot(week, weekday=3, start=dt.time(13))
    events = _events(client, week)
    assert events[closed.pk]["EXDATE"] == f"{thursday:%Y%m%d}T090000"
    assert "EXDATE" not in events[open_.pk]


@pytest.fixture
def even_year(world):
    """A school year around today with no breaks (the mandates are 2 x 30 weekly)."""
    SchoolYear.objects.filter(district=world.district).update(
        first_day=TODAY - dt.timedelta(days=200), last_day=TODAY + dt.timedelta(days=165)
    )
    return world


def test_no_minutes_are_owed_at_a_school_on_its_closed_day(even_year):
    w = even_year
    school_closure_make(school=w.school, day=MONDAY)
    cal = district_calendar(district_id=w.district.pk, on=ON)
    students = Student.objects.filter(pk__in=[w.students["own"].pk, w.students["other"].pk])
    lines = {ml.student_id: ml.line for ml in mandate_lines(students=students, on=ON, cal=cal)}
    assert lines[w.students["own"].pk].required == 48  # four days of five
    assert lines[w.students["other"].pk].required == 60


def test_a_school_closure_is_held_to_its_district_and_year(world):
    other = world_make(name="elsewhere")
    year = SchoolYear.objects.get(district=world.district)
    event = CalendarEvent(
        district=world.district,
        school_year=year,
        school=other.school,
        kind=CalendarEvent.Kind.CLOSURE,
        name="Water main break",
        start_date=ON,
        end_date=ON,
    )
    with pytest.raises(ValidationError) as refused:
        event.full_clean()
    assert "Choose a school of this district." in str(refused.value)
    event.school = world.school
    event.start_date = event.end_date = year.last_day + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        event.full_clean()
    assert "Keep the dates inside the school year" in str(refused.value)
    event.start_date = event.end_date = ON
    event.full_clean()  # its own school, inside the year


def _notes(user):
    from schoolot.referrals.models import Notification

    return list(Notification.objects.filter(user=user).values_list("text", "link"))


def test_a_closure_close_ahead_tells_the_therapists_whose_sessions_it_takes(week):
    from schoolot.schedules.services import closure_therapists_notify

    friday = MONDAY + dt.timedelta(days=4)
    weekly_slot_make(world=week, weekday=4, start=dt.time(9))
    weekly_slot_make(world=week, weekday=4, start=dt.time(10), student="cota")
    elsewhen = weekly_slot_make(world=week, weekday=4, start=dt.time(11))
    elsewhen.cycle_week = cycle_week(day=friday, first_day=YEAR_AGO) % 4 + 1  # not that week
    elsewhen.save()
    slot = _other_school_slot(week, weekday=4, start=dt.time(13))
    slot.therapist = week.staff["other_therapist"]
    slot.save()
    sent = closure_therapists_notify(
        after=school_closure_make(school=week.school, day=friday), today=ON
    )
    assert sent == 1
    assert _notes(week.users["therapist"]) == [
        (
            f"No school at {week.school.name} on {friday:%a %b} {friday.day} (Water main "
            "break): 2 of your weekly sessions there are not held and not owed.",
            f"/today/?date={friday.isoformat()}",
        )
    ]
    assert _notes(week.users["other_therapist"]) == []  # her school is open
    snow = school_closure_make(school=None, day=friday, name="Snow day", district=week.district)
    # Her sessions at the closed school were already off: only the other school's count.
    assert closure_therapists_notify(after=snow, today=ON) == 1
    assert _notes(week.users["other_therapist"])[0][0] == (
        f"No school on {friday:%a %b} {friday.day} (Snow day): 1 of your weekly sessions is "
        "not held and not owed."
    )
    assert len(_notes(week.users["therapist"])) == 1


def test_a_changed_closure_tells_the_days_it_takes_and_the_days_it_gives_back(week):
    import copy

    from schoolot.schedules.services import closure_therapists_notify

    thursday, friday = MONDAY + dt.timedelta(days=3), MONDAY + dt.timedelta(days=4)
    weekly_slot_make(world=week, weekday=3, start=dt.time(9))
    weekly_slot_make(world=week, weekday=4, start=dt.time(9))
    event = school_closure_make(school=week.school, day=thursday)
    before = copy.copy(event)
    event.start_date = event.end_date = friday  # the repair moved a day later
    event.save()
    assert closure_therapists_notify(before=before, after=event, today=ON) == 2
    texts = sorted(text for text, _link in _notes(week.users["therapist"]))
    assert texts == [
        f"No school at {week.school.name} on {friday:%a %b} {friday.day} (Water main break): "
        "1 of your weekly sessions there is not held and not owed.",
        f"School is open at {week.school.name} on {thursday:%a %b} {thursday.day} after all "
        "(Water main break no longer takes that day): 1 of your weekly sessions there is held "
        "as usual.",
    ]
    # Renamed only: the same days, nothing to tell.
    before = copy.copy(event)
    event.name = "Water main repair"
    event.save()
    assert closure_therapists_notify(before=before, after=event, today=ON) == 0


def test_a_closure_moved_to_another_school_gives_the_first_its_sessions_back(week):
    import copy

    from schoolot.schedules.services import closure_therapists_notify

    friday = MONDAY + dt.timedelta(days=4)
    weekly_slot_make(world=week, weekday=4, start=dt.time(9))
    _other_school_slot(week, weekday=4, start=dt.time(13))
    event = school_closure_make(school=week.school, day=friday)
    before = copy.copy(event)
    event.school = week.other_school  # entered at the wrong school
    event.save()
    assert closure_therapists_notify(before=before, after=event, today=ON) == 2
    texts = sorted(text for text, _link in _notes(week.users["therapist"]))
    assert texts[0].startswith(f"No school at {week.other_school.name} on ")
    assert texts[1].startswith(f"School is open at {week.school.name} on ")


def test_a_closure_removed_where_another_still_closes_the_day_tells_no_one(week):
    from schoolot.schedules.services import closure_therapists_notify

    friday = MONDAY + dt.timedelta(days=4)
    weekly_slot_make(world=week, weekday=4, start=dt.time(9))
    holiday_make(district=week.district, day=friday)
    event = school_closure_make(school=week.school, day=friday)
    event.delete()
    assert closure_therapists_notify(before=event, today=ON) == 0
    assert _notes(week.users["therapist"]) == []


def test_a_closure_far_ahead_or_past_tells_no_one(week):
    from schoolot.schedules.services import CLOSURE_NOTICE_DAYS, closure_therapists_notify

    weekly_slot_make(world=week, weekday=4, start=dt.time(9))
    friday = MONDAY + dt.timedelta(days=4)
    later = friday + dt.timedelta(weeks=(CLOSURE_NOTICE_DAYS // 7) + 1)
    assert (
        closure_therapists_notify(
            after=school_closure_make(school=week.school, day=later), today=ON
        )
        == 0
    )
    past = friday - dt.timedelta(weeks=1)
    assert (
        closure_therapists_notify(after=school_closure_make(school=week.school, day=past), today=ON)
        == 0
    )
    assert _notes(week.users["therapist"]) == []


def test_a_closure_entered_in_the_back_office_is_told(client, week):
    from tests.core.test_back_office_input import management

    day = TODAY if TODAY.weekday() < 5 else TODAY + dt.timedelta(days=7 - TODAY.weekday())
    weekly_slot_make(world=week, weekday=day.weekday(), start=dt.time(9))
    year = SchoolYear.objects.get(district=week.district)
    client.force_login(week.users["admin"])
    response = client.post(
        f"/admin/directory/schoolyear/{year.pk}/change/",
        {
            "name": year.name,
            "first_day": year.first_day.isoformat(),
            "last_day": year.last_day.isoformat(),
            **management("events", total=1),
            **management("reporting_periods"),
            "events-0-kind": "closure",
            "events-0-name": "Power outage",
            "events-0-school": week.school.pk,
            "events-0-start_date": day.isoformat(),
            "events-0-end_date": day.isoformat(),
        },
    )
    assert response.status_code == 302
    (note,) = _notes(week.users["therapist"])
    assert note[0].startswith(f"No school at {week.school.name} on ")
    assert "(Power outage): 1 of your weekly sessions there is not held" in note[0]


def test_a_closure_removed_in_the_back_office_gives_the_sessions_back(client, week):
    day = TODAY if TODAY.weekday() < 5 else TODAY + dt.timedelta(days=7 - TODAY.weekday())
    weekly_slot_make(world=week, weekday=day.weekday(), start=dt.time(9))
    event = school_closure_make(school=week.school, day=day)
    response = _event_in_back_office(client, week, event, day=day, delete=True)
    assert response.status_code == 302
    assert not CalendarEvent.objects.exists()
    (note,) = _notes(week.users["therapist"])
    assert note[0].startswith(f"School is open at {week.school.name} on ")
    assert (
        "(Water main break is off the calendar): 1 of your weekly sessions there is held"
        in (note[0])
    )


def test_a_closure_moved_in_the_back_office_tells_both_days(client, week):
    day = TODAY if TODAY.weekday() < 4 else TODAY + dt.timedelta(days=7 - TODAY.weekday())
    later = day + dt.timedelta(days=1)
    weekly_slot_make(world=week, weekday=day.weekday(), start=dt.time(9))
    weekly_slot_make(world=week, weekday=later.weekday(), start=dt.time(9))
    event = school_closure_make(school=week.school, day=day)
    response = _event_in_back_office(client, week, event, day=later)
    assert response.status_code == 302
    texts = sorted(text for text, _link in _notes(week.users["therapist"]))
    assert len(texts) == 2
    assert texts[0].startswith(f"No school at {week.school.name} on {later:%a %b} {later.day} ")
    assert texts[1].startswith(f"School is open at {week.school.name} on {day:%a %b} {day.day} ")


def _event_in_back_office(client, week, event, *, day, delete=False):
    """The back office's school-year form posted with `event` set to `day` (or deleted)."""
    year = SchoolYear.objects.get(district=week.district)
    client.force_login(week.users["admin"])
    return client.post(
        f"/admin/directory/schoolyear/{year.pk}/change/",
        {
            "name": year.name,
            "first_day": year.first_day.isoformat(),
            "last_day": year.last_day.isoformat(),
            "events-TOTAL_FORMS": "1",
            "events-INITIAL_FORMS": "1",
            "events-MIN_NUM_FORMS": "0",
            "events-MAX_NUM_FORMS": "1000",
            "events-0-id": event.pk,
            "events-0-school_year": year.pk,
            "events-0-kind": "closure",
            "events-0-name": event.name,
            "events-0-school": event.school_id,
            "events-0-start_date": day.isoformat(),
            "events-0-end_date": day.isoformat(),
            **({"events-0-DELETE": "on"} if delete else {}),
            "reporting_periods-TOTAL_FORMS": "0",
            "reporting_periods-INITIAL_FORMS": "0",
            "reporting_periods-MIN_NUM_FORMS": "0",
            "reporting_periods-MAX_NUM_FORMS": "1000",
        },
    )
