"""Time away: days ahead she gives no sessions (a conference, leave), entered before they
come. Her supervisor and the teachers of the students whose sessions fall on them are told;
the teachers' and parents' week of OT, the calendar feeds and the make-up times leave those
days out; on the day, Today offers to log them as missed. Bad input answers in place."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from schoolot.referrals.models import Notification
from schoolot.rules.cycles import cycle_week
from schoolot.schedules.away import away_sessions_get, time_away_add
from schoolot.schedules.makeups import makeup_times_get
from schoolot.schedules.models import CalendarFeed, TimeAway
from schoolot.schedules.selectors import ot_week_get
from tests.delivery.helpers import log, part
from tests.factories import (
    TODAY,
    YEAR_AGO,
    holiday_make,
    school_closure_make,
    weekly_slot_make,
)
from tests.schedules.test_week import _feed_events

# Next week, inside the world's school year.
MONDAY = TODAY + dt.timedelta(days=7 - TODAY.weekday())
TUESDAY, WEDNESDAY, THURSDAY = (MONDAY + dt.timedelta(days=i) for i in (1, 2, 3))
URL = "/week/away/"


def _post(client, **fields):
    data = {"start_date": TUESDAY, "end_date": WEDNESDAY, "reason": "therapist_pulled"}
    data["note"] = "State OT conference"
    data.update(fields)
    return client.post(
        URL, {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in data.items()}
    )


def _texts(user):
    return list(
        Notification.objects.filter(user=user).order_by("pk").values_list("text", flat=True)
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [("therapist", 200), ("cota", 200), ("teacher", 403), ("parent", 403)],
)
def test_therapists_enter_their_own_time_away(client, week, who, status):
    client.force_login(week.users[who])
    assert client.get(URL).status_code == status
    # A therapist's form has no one else to choose: a staff id posted is not read.
    other = week.staff["other_therapist"].pk
    assert _post(client, staff_id=other).status_code == (302 if status == 200 else 403)
    assert TimeAway.objects.count() == (1 if status == 200 else 0)
    if status == 200:
        (away,) = TimeAway.objects.all()
        assert away.staff == week.staff[who] and away.district == week.district
        assert away.entered_by == week.users[who]


@pytest.mark.parametrize(
    ("who", "whom", "ok"),
    [
        ("supervisor", "therapist", True),
        ("supervisor", "cota", True),
        ("supervisor", "other_therapist", False),  # another supervisor's team
        ("other_supervisor", "therapist", False),
        ("admin", "other_therapist", True),
        ("admin", "teacher", False),
    ],
)
def test_supervisors_enter_time_away_for_their_team(client, week, elsewhere, who, whom, ok):
    weekly_slot_make(world=week, weekday=1, start=dt.time(9))
    client.force_login(week.users[who])
    assert client.get(URL).status_code == 200
    response = _post(client, staff_id=week.staff[whom].pk)
    assert response.status_code == (302 if ok else 400)
    if not ok:
        errors = response.context["form"].errors
        assert "Choose a therapist of your team." in errors["staff_id"]
        assert not TimeAway.objects.exists()
        return
    (away,) = TimeAway.objects.all()
    assert (away.staff, away.entered_by) == (week.staff[whom], week.users[who])
    name = week.users[who].display_name
    (own,) = _texts(week.users[whom])
    assert own.startswith(f"{name} entered time away for you Tue")
    lead = week.staff[whom].supervisor.user
    # Her supervisor hears of it unless she entered it herself.
    assert len(_texts(lead)) == (0 if lead == week.users[who] else 1)
    if whom == "therapist":  # her session's student's teacher hears
        assert len(_texts(week.users["teacher"])) == 1
    page = client.get(URL).content.decode()
    assert week.users[whom].display_name in page and f'value="{away.pk}"' in page
    assert client.post(URL, {"remove": away.pk}).status_code == 302
    assert not TimeAway.objects.exists()
    assert _texts(week.users[whom])[-1].startswith(f"{name} took back your time away")
    # Nobody takes back another district's.
    theirs = TimeAway.objects.create(
        district=elsewhere.district,
        staff=elsewhere.staff["therapist"],
        start_date=TUESDAY,
        end_date=TUESDAY,
        reason="therapist_absent",
    )
    assert client.post(URL, {"remove": theirs.pk}).status_code == 404


def test_time_away_tells_the_supervisor_and_the_teachers(client, week):
    weekly_slot_make(world=week, weekday=1, start=dt.time(9))
    weekly_slot_make(world=week, weekday=2, start=dt.time(10))
    weekly_slot_make(world=week, weekday=2, start=dt.time(13), student="cota")  # in no class
    weekly_slot_make(world=week, weekday=3, start=dt.time(9))  # Thursday: not away
    client.force_login(week.users["therapist"])
    response = _post(client)
    assert response.status_code == 302
    away = TimeAway.objects.get()
    assert (away.start_date, away.end_date, away.note) == (
        TUESDAY,
        WEDNESDAY,
        "State OT conference",
    )
    page = client.get(URL).content.decode()
    assert "Saved: 3 sessions not held." in page and "State OT conference" in page
    name = week.users["therapist"].display_name
    (lead,) = _texts(week.users["supervisor"])
    assert lead == (
        f"{name} is away Tue {TUESDAY:%b} {TUESDAY.day} to Wed {WEDNESDAY:%b} {WEDNESDAY.day} "
        "(State OT conference): 3 sessions not held. Log them as missed on the day; make-ups "
        "as the team decides."
    )
    (teacher,) = _texts(week.users["teacher"])
    own = week.students["own"]
    assert teacher == (
        f"No OT for {own.full_name} on Tue {TUESDAY:%b} {TUESDAY.day} and Wed {WEDNESDAY:%b} "
        f"{WEDNESDAY.day}: {name} is away (State OT conference). The student stays in class."
    )
    assert _texts(week.users["other_teacher"]) == []
    # Her parent hears of the days, not why; the COTA's student has no parent with a login.
    (parent,) = _texts(week.users["parent"])
    assert parent == (
        f"No OT for {own.first_name} on Tue {TUESDAY:%b} {TUESDAY.day} and Wed {WEDNESDAY:%b} "
        f"{WEDNESDAY.day}: the therapist, {name}, is away. The OT team decides how the time "
        "missed is made up."
    )
    assert _texts(week.users["other_parent"]) == []
    assert "Time away ahead" in client.get(reverse("slot_list")).content.decode()


def test_the_teachers_and_parents_week_leaves_the_days_out(week):
    weekly_slot_make(world=week, weekday=1, start=dt.time(9))
    weekly_slot_make(world=week, weekday=3, start=dt.time(9))
    time_away_add(
        user=week.users["therapist"],
        start_date=TUESDAY,
        end_date=TUESDAY,
        reason="therapist_absent",
        today=TODAY,
    )
    name = week.users["therapist"].display_name
    for who in ("teacher", "parent"):
        days = {d.date: d for d in ot_week_get(user=week.users[who], on=TUESDAY)}
        assert days[TUESDAY].sessions == [] and days[TUESDAY].away == [f"{name} is away (out)"]
        assert len(days[THURSDAY].sessions) == 1 and days[THURSDAY].away == []


def test_on_the_day_today_offers_to_log_them_missed(client, week):
    if TODAY.weekday() > 4:
        pytest.skip("today is a weekend: no sessions to offer")
    weekly_slot_make(world=week, weekday=TODAY.weekday(), start=dt.time(9))
    client.force_login(week.users["therapist"])
    posted = _post(client, start_date=TODAY, end_date=TODAY, reason="therapist_absent")
    assert posted.status_code == 302
    page = client.get(reverse("today")).content.decode()
    assert "You are away today (State OT conference)." in page
    assert '<details class="card" id="day-missed" open>' in page
    assert 'value="therapist_absent" checked' in page
    ahead = client.get(reverse("today"), {"date": TUESDAY.isoformat()}).content.decode()
    assert 'id="away"' not in ahead


def test_a_day_ahead_shows_on_its_today(client, week):
    weekly_slot_make(world=week, weekday=1, start=dt.time(9))
    client.force_login(week.users["therapist"])
    _post(client)
    page = client.get(reverse("today"), {"date": TUESDAY.isoformat()}).content.decode()
    assert "You are away that day" in page and "on the day, log them as missed" in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"start_date": TODAY - dt.timedelta(days=1)}, "start_date", "Start today or later"),
        ({"end_date": MONDAY}, "end_date", "on or after the first day"),
        ({"start_date": "next week"}, "start_date", "Enter a date such as"),
        ({"start_date": ""}, "start_date", "Enter the first day away"),
        ({"reason": "vacation"}, "reason", "Select a valid choice"),
        (
            {
                "start_date": MONDAY - dt.timedelta(days=2),
                "end_date": MONDAY - dt.timedelta(days=1),
            },
            "start_date",
            "no school on those days",
        ),
        ({"start_date": MONDAY, "end_date": THURSDAY}, "start_date", "You are away Tue"),
    ],
)
def test_bad_input_answers_in_place(client, week, fields, field, message):
    client.force_login(week.users["therapist"])
    time_away_add(
        user=week.users["therapist"],
        start_date=TUESDAY,
        end_date=TUESDAY,
        reason="therapist_pulled",
        today=TODAY,
    )
    response = _post(client, note="Kept as typed", **fields)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert message in " ".join(errors.get(field, [])), errors
    page = response.content.decode()
    assert "Nothing was saved" in page and 'value="Kept as typed"' in page
    assert TimeAway.objects.count() == 1


def test_days_without_school_are_not_planned(week):
    holiday_make(district=week.district, day=TUESDAY)
    with pytest.raises(ValidationError, match="no school on those days"):
        time_away_add(
            user=week.users["therapist"],
            start_date=TUESDAY,
            end_date=TUESDAY,
            reason="therapist_absent",
            today=TODAY,
        )


def test_the_sessions_counted_are_those_held(week):
    weekly = weekly_slot_make(world=week, weekday=1, start=dt.time(9))
    rotation = weekly_slot_make(world=week, weekday=2, start=dt.time(9))
    rotation.cycle_week = cycle_week(day=WEDNESDAY, first_day=YEAR_AGO) % 4 + 1  # another week
    rotation.save()
    closed = weekly_slot_make(world=week, weekday=3, start=dt.time(9))
    school_closure_make(school=week.school, day=THURSDAY)
    held = away_sessions_get(staff=week.staff["therapist"], first=MONDAY, last=THURSDAY)
    assert [(h.date, h.slot) for h in held] == [(TUESDAY, weekly)]
    assert closed.pk and rotation.pk


def test_make_up_times_leave_her_days_away_out(week):
    own = week.students["own"]
    (entry,) = log(
        week,
        [part(own, attendance="missed", missed_reason="student_absent", makeup_owed=True)],
        day=TODAY - dt.timedelta(days=1),
    ).students.all()

    def days():
        times = makeup_times_get(
            staff=week.staff["therapist"],
            student=own,
            minutes=entry.minutes,
            on=MONDAY,
            now=dt.time(7),
            limit=100,
        )
        return {t.date for t in times}

    assert TUESDAY in days()
    time_away_add(
        user=week.users["therapist"],
        start_date=TUESDAY,
        end_date=WEDNESDAY,
        reason="therapist_pulled",
        today=TODAY,
    )
    assert {TUESDAY, WEDNESDAY}.isdisjoint(days()) and THURSDAY in days()


def test_the_feeds_leave_the_days_out(client, week):
    slot = weekly_slot_make(world=week, weekday=1, start=dt.time(9))
    time_away_add(
        user=week.users["therapist"],
        start_date=TUESDAY,
        end_date=WEDNESDAY,
        reason="therapist_pulled",
        note="State OT conference",
        today=TODAY,
    )
    away = TimeAway.objects.get()
    for who in ("therapist", "teacher"):
        client.force_login(week.users[who])
        client.post(reverse("calendar_feed_new"))
        token = CalendarFeed.objects.get(staff=week.staff[who]).token
        events = _feed_events(client.get(reverse("calendar_feed", args=[token])).content.decode())
        uid = (
            f"slot-{slot.pk}"
            if who == "therapist"
            else f"class-{week.users[who].pk}-slot-{slot.pk}"
        )
        assert f"{TUESDAY:%Y%m%d}T090000" in events[uid]["EXDATE"]
        if who == "therapist":
            day = events[f"away-{away.pk}"]
            assert day["SUMMARY"] == "Away: State OT conference"
            assert day["DTSTART"] == f"{TUESDAY:%Y%m%d}"
            assert day["DTEND"] == f"{THURSDAY:%Y%m%d}"  # the day after the last, as RFC 5545
        else:
            assert not any(k.startswith("away-") for k in events)


def test_taken_back_the_teachers_hear_ot_is_as_usual(client, week, elsewhere):
    weekly_slot_make(world=week, weekday=1, start=dt.time(9))
    client.force_login(week.users["therapist"])
    _post(client)
    away = TimeAway.objects.get()
    response = client.post(URL, {"remove": away.pk})
    assert response.status_code == 302 and not TimeAway.objects.exists()
    texts = _texts(week.users["teacher"])
    assert len(texts) == 2 and texts[1].startswith(
        f"OT as usual for {week.students['own'].full_name}"
    )
    assert "held as usual" in _texts(week.users["supervisor"])[1]
    parent = _texts(week.users["parent"])
    assert len(parent) == 2 and parent[1].startswith(
        f"OT for {week.students['own'].first_name} is held as usual on Tue"
    )
    # Another's, or one over, cannot be taken back.
    past = TimeAway.objects.create(
        district=week.district,
        staff=week.staff["therapist"],
        start_date=TODAY - dt.timedelta(days=9),
        end_date=TODAY - dt.timedelta(days=8),
        reason="therapist_absent",
    )
    theirs = TimeAway.objects.create(
        district=week.district,
        staff=week.staff["cota"],
        start_date=TUESDAY,
        end_date=TUESDAY,
        reason="therapist_absent",
    )
    for pk in (past.pk, theirs.pk):
        assert client.post(URL, {"remove": pk}).status_code == 404
    assert TimeAway.objects.count() == 2
    page = client.get(URL).content.decode()
    assert 'id="h-past"' in page and f'value="{past.pk}"' not in page  # listed, not taken back


def test_supervisors_see_their_teams_time_away_ahead(client, week, elsewhere):
    def away(staff, start, days=0):
        return TimeAway.objects.create(
            district=staff.district,
            staff=staff,
            start_date=start,
            end_date=start + dt.timedelta(days=days),
            reason="therapist_pulled",
            note=f"Training of {staff.user.username}",
        )

    away(week.staff["therapist"], TUESDAY, days=1)
    away(week.staff["cota"], TODAY + dt.timedelta(days=40))  # beyond the four weeks
    away(week.staff["other_therapist"], THURSDAY)  # another supervisor's team
    away(elsewhere.staff["therapist"], TUESDAY)
    seen = {}
    for who in ("supervisor", "other_supervisor", "admin"):
        client.force_login(week.users[who])
        page = client.get(reverse("makeups")).content.decode()
        seen[who] = {
            name
            for name in (
                "north-therapist",
                "north-cota",
                "north-other_therapist",
                "south-therapist",
            )
            if f"Training of {name}" in page
        }
    assert seen["supervisor"] == {"north-therapist"}
    assert seen["other_supervisor"] == {"north-other_therapist"}
    assert seen["admin"] == {"north-therapist", "north-other_therapist"}
    client.force_login(week.users["therapist"])
    assert "Away in the next" not in client.get(reverse("makeups")).content.decode()


def test_make_up_times_held_on_those_days_go_back_and_meetings_are_named(client, week):
    from schoolot.schedules.makeups import makeups_owed_get
    from schoolot.schedules.models import Commitment

    own = week.students["own"]
    (entry,) = log(
        week,
        [part(own, attendance="missed", missed_reason="student_absent", makeup_owed=True)],
        day=TODAY - dt.timedelta(days=1),
    ).students.all()
    staff = week.staff["therapist"]

    def one_off(label, day, **kwargs):
        return Commitment.objects.create(
            district=week.district,
            staff=staff,
            label=label,
            start=dt.time(13),
            end=dt.time(13, 30),
            on=day,
            **kwargs,
        )

    held = one_off("Make-up: O.A.", TUESDAY, makeup_for=entry)
    kept = one_off("Make-up: O.A.", THURSDAY, makeup_for=entry)  # after the time away
    meeting = one_off("Annual IEP review", WEDNESDAY)
    client.force_login(week.users["therapist"])
    page = client.post(
        URL,
        {
            "start_date": TUESDAY.isoformat(),
            "end_date": WEDNESDAY.isoformat(),
            "reason": "therapist_pulled",
        },
        follow=True,
    ).content.decode()
    assert "1 time held for make-ups on those days was given back" in page
    assert (
        "Fixed time on those days to move or cancel: Annual IEP review, "
        f"Wed {WEDNESDAY:%b} {WEDNESDAY.day} 1:00 PM." in page
    )
    assert not Commitment.objects.filter(pk=held.pk).exists()
    assert Commitment.objects.filter(pk__in=[kept.pk, meeting.pk]).count() == 2
    assert [e.pk for e in makeups_owed_get(staff=staff)] == [entry.pk]  # still owed


def test_the_team_page_reads_in_fixed_queries(client, week, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(week.users["supervisor"])
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for i in range(6):
        for key in ("therapist", "cota"):
            day = TUESDAY + dt.timedelta(days=7 * i)
            TimeAway.objects.create(
                district=week.district,
                staff=week.staff[key],
                start_date=day,
                end_date=day,
                reason="therapist_pulled",
                entered_by=week.users["supervisor"],
            )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(URL).content.decode()
    assert page.count("Take back<") == 12


def test_the_service_refuses_a_therapist_she_does_not_oversee(week):
    with pytest.raises(ValidationError) as refused:
        time_away_add(
            user=week.users["supervisor"],
            staff_id=week.staff["other_therapist"].pk,
            start_date=TUESDAY,
            end_date=TUESDAY,
            reason="therapist_absent",
            today=TODAY,
        )
    assert refused.value.message_dict == {"staff_id": ["Choose a therapist of your team."]}
    assert not TimeAway.objects.exists()


def test_the_printed_week_with_dates_says_she_is_away(week):
    from schoolot.schedules.selectors import week_printout_get

    weekly_slot_make(world=week, weekday=1, start=dt.time(9))
    weekly_slot_make(world=week, weekday=3, start=dt.time(9))
    time_away_add(
        user=week.users["therapist"],
        start_date=TUESDAY,
        end_date=TUESDAY,
        reason="therapist_pulled",
        note="State OT conference",
        today=TODAY,
    )
    days = {
        d.date: d
        for d in week_printout_get(staff=week.staff["therapist"], names=False, week_of=TUESDAY)
    }
    assert (days[TUESDAY].away, days[TUESDAY].stops) == ("State OT conference", [])
    assert days[THURSDAY].away == ""
    assert [s.kind for s in days[THURSDAY].stops] == ["session", "lunch"]
    # Her usual week, undated, is as it always is.
    undated = week_printout_get(staff=week.staff["therapist"], names=False)
    assert [s.kind for s in undated[1].stops] == ["session", "lunch"] and undated[1].away == ""


def test_today_says_she_is_away_on_a_day_without_sessions(client, week):
    client.force_login(week.users["therapist"])
    _post(client, start_date=THURSDAY, end_date=THURSDAY)
    page = client.get(reverse("today"), {"date": THURSDAY.isoformat()}).content.decode()
    assert "You are away that day (State OT conference)." in page
    assert "The teachers were told" not in page
