"""A time for a make-up: the times her day and the student's allow, best first; one click
holds it as fixed time of that date; on the day, Today logs it with what it makes up."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from schoolot.directory.models import Student
from schoolot.schedules.makeups import makeup_hold, makeup_times_get, makeups_owed_get
from schoolot.schedules.models import BellPeriod, Commitment, ProtectedBlock
from tests.delivery.helpers import log, part
from tests.factories import (
    TODAY,
    far_student_make,
    school_closure_make,
    weekly_slot_make,
)

# Monday of next week, 7:00, inside the world's school year.
MONDAY = TODAY + dt.timedelta(days=7 - TODAY.weekday())
SEVEN = dt.time(7)


@pytest.fixture
def owed(week):
    """The OTR owes "own" a 40-minute make-up (absent yesterday); "own" has core instruction
    8:00-9:00 on Mondays and protected time 10:00-11:00 every day; the OTR has a session at
    9:00 on Mondays."""
    own = week.students["own"]
    (entry,) = log(
        week,
        [part(own, attendance="missed", missed_reason="student_absent", makeup_owed=True)],
        day=TODAY - dt.timedelta(days=1),
    ).students.all()
    BellPeriod.objects.create(
        district=week.district,
        school=week.school,
        kind="core",
        name="Math",
        weekdays="0",
        start=dt.time(8),
        end=dt.time(9),
    )
    ProtectedBlock.objects.create(
        district=week.district,
        student=own,
        reason="Reading block",
        start=dt.time(10),
        end=dt.time(11),
    )
    weekly_slot_make(world=week, weekday=0, start=dt.time(9), student="cota")
    return entry


def _times(week, entry, on=MONDAY, now=SEVEN):
    return makeup_times_get(
        staff=week.staff["therapist"],
        student=entry.student,
        minutes=entry.minutes,
        on=on,
        now=now,
        limit=100,
    )


def test_times_that_fit_her_day_and_the_students_best_first(week, owed):
    times = _times(week, owed)
    monday = [(t.start, t.end, t.core_minutes) for t in times if t.date == MONDAY]
    # 8:00 misses Math, 9:00 is her session, 10:00-11:00 the reading block: 9:30 is too
    # short (40 minutes), so the morning's best is 11:00, then one an hour or more apart.
    assert monday[0] == (dt.time(11), dt.time(11, 40), 0)
    assert all(core == 0 for _s, _e, core in monday) and len(monday) == 2
    assert all(t.date.weekday() < 5 and t.school == week.school.name for t in times)
    assert [t.date for t in times] == sorted(t.date for t in times)
    tuesday = [t.start for t in times if t.date == MONDAY + dt.timedelta(days=1)]
    assert tuesday[0] == dt.time(8)  # no Math on Tuesdays


def test_no_time_when_her_school_is_closed_or_before_now(week, owed):
    tuesday = MONDAY + dt.timedelta(days=1)
    school_closure_make(school=week.school, day=tuesday)
    school_closure_make(school=week.other_school, day=MONDAY + dt.timedelta(days=2))
    times = _times(week, owed, now=dt.time(13))
    assert tuesday not in {t.date for t in times}
    assert MONDAY + dt.timedelta(days=2) in {t.date for t in times}  # another school's
    assert all(t.start >= dt.time(13) for t in times if t.date == MONDAY)


def test_she_can_drive_to_it_and_still_has_lunch(week, owed):
    """Her session at the far school (20 minutes away) at 13:00 on Mondays: a make-up here
    must end by 12:40; her lunch (30 minutes between 11:00 and 13:00) must still fit."""
    far_student_make(world=week, travel_minutes=20)
    far = weekly_slot_make(world=week, weekday=0, start=dt.time(13), student="far")
    far.school = week.other_school
    far.save()
    weekly_slot_make(world=week, weekday=0, start=dt.time(11), student="cota", minutes=60)
    times = [t for t in _times(week, owed) if t.date == MONDAY]
    for t in times:
        start, end = (x.hour * 60 + x.minute for x in (t.start, t.end))
        assert end <= 12 * 60 + 40 or start >= 13 * 60 + 30 + 20
        assert not (12 * 60 <= start < 12 * 60 + 40)  # 12:00-13:00 is the only lunch left


def test_holding_a_time_and_logging_it_on_the_day(client, week, owed):
    therapist = week.users["therapist"]
    client.force_login(therapist)
    page = client.get(reverse("today")).content.decode()
    assert f'href="{reverse("makeups")}"' in page  # "1 make-up owed"
    page = client.get(reverse("makeups")).content.decode()
    assert week.students["own"].full_name in page and "Find a time" in page
    page = client.get(reverse("makeup_times", args=[owed.pk])).content.decode()
    assert "Hold this time" in page
    (first_date, first_start) = re.search(
        r'name="date" value="([\d-]+)"><input type="hidden" name="start" value="([\d:]+)"', page
    ).groups()
    response = client.post(
        reverse("makeup_times", args=[owed.pk]), {"date": first_date, "start": first_start}
    )
    assert response.status_code == 302
    held = Commitment.objects.get(makeup_for=owed)
    own = week.students["own"]
    assert held.label == f"Make-up: {own.first_name[0]}.{own.last_name[0]}."
    assert (held.on.isoformat(), held.start.strftime("%H:%M")) == (first_date, first_start)
    assert held.school == week.school
    # The same time again: taken now, refused in place, nothing more held.
    response = client.post(
        reverse("makeup_times", args=[owed.pk]),
        {"date": first_date, "start": first_start},
        follow=True,
    )
    assert "That time is no longer free" in response.content.decode()
    assert Commitment.objects.filter(makeup_for=owed).count() == 1
    page = client.get(reverse("makeups")).content.decode()
    assert f"Held {held.on:%a %b} {held.on.day}" in page
    # Before the day, Today shows the time held; on the day (here moved to the last school
    # day), it logs it: her time, the student, and what it makes up.
    page = client.get(reverse("today"), {"date": first_date}).content.decode()
    assert held.label in page
    if held.on > TODAY:
        assert f"?commitment={held.pk}" not in page
    day = TODAY - dt.timedelta(days=max(0, TODAY.weekday() - 4))
    Commitment.objects.filter(pk=held.pk).update(on=day)
    page = client.get(reverse("today"), {"date": day.isoformat()}).content.decode()
    assert f"?commitment={held.pk}" in page
    form = client.get(reverse("session_new"), {"commitment": held.pk}).content.decode()
    assert f'value="{day.isoformat()}"' in form and f'value="{first_start}"' in form
    assert re.search(rf'<option value="{owed.pk}" selected>', form)


def test_a_time_not_offered_is_refused(week, owed):
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    now = timezone.make_aware(dt.datetime.combine(MONDAY, SEVEN))
    with pytest.raises(ValidationError, match="no longer free"):
        makeup_hold(user=week.users["therapist"], entry=owed, on=MONDAY, start=dt.time(10), now=now)
    assert not Commitment.objects.exists()


def test_only_her_own_make_ups(client, week, owed):
    client.force_login(week.users["other_therapist"])
    assert client.get(reverse("makeup_times", args=[owed.pk])).status_code == 404
    assert "No make-ups owed." in client.get(reverse("makeups")).content.decode()
    for who in ("teacher", "parent"):
        client.force_login(week.users[who])
        assert client.get(reverse("makeups")).status_code == 403
    assert list(makeups_owed_get(staff=week.staff["other_therapist"])) == []


def _hold(week, owed, *, day, hour):
    """A time held for the make-up `owed`: 40 minutes from `hour` on `day`."""
    return Commitment.objects.create(
        district=week.district,
        staff=week.staff["therapist"],
        label="Make-up: x",
        start=dt.time(hour),
        end=dt.time(hour, 40),
        on=day,
        makeup_for=owed,
    )


def test_a_supervisor_reads_her_teams_make_ups(client, week, owed):
    own = week.students["own"]
    held = _hold(week, owed, day=MONDAY, hour=11)
    for who in ("supervisor", "admin"):
        client.force_login(week.users[who])
        page = client.get(reverse("makeups")).content.decode()
        assert f'id="staff-{week.staff["therapist"].pk}"' in page
        assert own.full_name in page and "1 make-up, 40 minutes." in page
        assert f"{held.on:%a %b} {held.on.day}, 11:00 AM" in page
        assert "1 day" in page  # missed yesterday
        dashboard = client.get(reverse("dashboard"), {"view": "team"}).content.decode()
        assert f'href="{reverse("makeups")}#staff-{week.staff["therapist"].pk}">1<' in dashboard
    held.delete()
    client.force_login(week.users["supervisor"])
    assert "with no time held" in client.get(reverse("makeups")).content.decode()
    client.force_login(week.users["other_supervisor"])  # not her team
    page = client.get(reverse("makeups")).content.decode()
    assert "No make-ups owed." in page and own.full_name not in page


def test_a_time_held_is_given_back_and_the_make_up_stays_owed(client, week, owed):
    held = _hold(week, owed, day=MONDAY, hour=11)
    url = reverse("makeup_held_release", args=[held.pk])
    client.force_login(week.users["other_therapist"])
    assert client.post(url).status_code == 404  # not hers
    client.force_login(week.users["therapist"])
    assert client.get(url).status_code == 405
    page = client.get(reverse("makeups")).content.decode()
    assert f'action="{url}"' in page
    response = client.post(url, follow=True)
    assert "11:00 AM is yours again" in response.content.decode()
    assert not Commitment.objects.exists()
    assert list(makeups_owed_get(staff=week.staff["therapist"])) == [owed]
    assert client.post(url).status_code == 404


def test_logging_the_make_up_gives_back_the_other_times_held(week, owed):
    def hold(day, hour):
        return _hold(week, owed, day=day, hour=hour)

    given_in = hold(TODAY, 9)  # the make-up is logged in this one
    later_that_day = hold(TODAY, 14)
    next_week = hold(MONDAY, 11)
    earlier = hold(TODAY - dt.timedelta(days=1), 13)  # past: stays on the record
    log(week, [part(week.students["own"], makeup_for_id=owed.pk)], day=TODAY)
    left = set(Commitment.objects.values_list("pk", flat=True))
    assert left == {given_in.pk, earlier.pk}
    assert later_that_day.pk not in left and next_week.pk not in left
    assert list(makeups_owed_get(staff=week.staff["therapist"])) == []


def test_queries_do_not_grow_with_her_week(week, owed, django_assert_max_num_queries):
    for hour in (12, 13, 14):
        for weekday in range(5):
            weekly_slot_make(world=week, weekday=weekday, start=dt.time(hour))
    owed.student = Student.objects.select_related("school").get(pk=owed.student_id)
    # A fixed number: thirteen, and her time away of the two weeks.
    with django_assert_max_num_queries(14):
        assert _times(week, owed)


def test_a_time_says_what_comes_just_before_it(week, owed):
    (eleven,) = [t for t in _times(week, owed) if t.date == MONDAY and t.start == dt.time(11)]
    assert eleven.after == ""  # the reading block is hers, not the therapist's
    Commitment.objects.create(
        district=week.district,
        staff=week.staff["therapist"],
        label="Team meeting",
        weekdays="0",
        start=dt.time(10, 15),
        end=dt.time(10, 45),
        school=week.school,
    )
    (eleven,) = [t for t in _times(week, owed) if t.date == MONDAY and t.start == dt.time(11)]
    assert eleven.after == f"after the 10:15 Team meeting at {week.school.name}"


def test_a_district_with_no_calendar_entered_has_school_every_weekday(week, owed):
    from schoolot.directory.models import SchoolYear

    SchoolYear.objects.filter(district=week.district).delete()
    assert {t.date for t in _times(week, owed)} >= {MONDAY, MONDAY + dt.timedelta(days=1)}


def test_the_team_page_reads_a_constant_number_of_queries(
    client, week, owed, django_assert_max_num_queries
):
    client.force_login(week.users["supervisor"])
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("makeups"))
    for days, who, key in ((2, "therapist", "own"), (3, "cota", "cota"), (4, "therapist", "own")):
        log(
            week,
            [
                part(
                    week.students[key],
                    attendance="missed",
                    missed_reason="student_absent",
                    makeup_owed=True,
                )
            ],
            day=TODAY - dt.timedelta(days=days),
            who=who,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("makeups")).content.decode()
    assert f'id="staff-{week.staff["cota"].pk}"' in page and "3 make-ups, 120 minutes" in page
