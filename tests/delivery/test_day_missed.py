"""A day she could not give her sessions (out sick, pulled to a meeting): one step logs each
session not yet logged as missed, make-ups owed; her supervisor hears of it, and on the day
the teachers too."""

import datetime as dt

import pytest
from django.urls import reverse

from schoolot.delivery.models import Session, SessionStudent
from schoolot.plans.models import ServiceMandate
from schoolot.referrals.models import Notification
from tests.delivery.helpers import TODAY, log, part
from tests.factories import holiday_make, weekly_slot_make

# The last school day up to today (a weekday).
SCHOOL_DAY = TODAY - dt.timedelta(days=max(0, TODAY.weekday() - 4))


@pytest.fixture
def week(world):
    world.staff["therapist"].schools.add(world.school)
    return world


def _post(client, *, day=SCHOOL_DAY, reason="therapist_absent", makeup_owed=True, sign=True):
    data = {"date": day.isoformat(), "reason": reason}
    if makeup_owed:
        data["makeup_owed"] = "on"
    if sign:
        data["sign"] = "on"
    return client.post(reverse("day_missed"), data, follow=True)


def _texts(user):
    return list(Notification.objects.filter(user=user).values_list("text", flat=True))


def test_a_day_out_logs_each_session_left_as_missed(client, week):
    weekday = SCHOOL_DAY.weekday()
    weekly_slot_make(world=week, weekday=weekday, start=dt.time(9))
    weekly_slot_make(world=week, weekday=weekday, start=dt.time(10), student="cota")
    given = weekly_slot_make(world=week, weekday=weekday, start=dt.time(13))
    log(week, [part(week.students["own"])], start=(13, 0), end=(13, 30), day=SCHOOL_DAY)
    Session.objects.filter(date=SCHOOL_DAY).update(slot=given)
    client.force_login(week.users["therapist"])
    today = client.get(reverse("today"), {"date": SCHOOL_DAY.isoformat()}).content.decode()
    assert "Could not give the 2 sessions not yet logged" in today
    page = _post(client).content.decode()
    assert "2 sessions logged as missed and signed, make-ups owed." in page
    missed = SessionStudent.objects.filter(date=SCHOOL_DAY, attendance="missed")
    assert {(e.student_id, e.missed_reason, e.makeup_owed) for e in missed} == {
        (week.students["own"].pk, "therapist_absent", True),
        (week.students["cota"].pk, "therapist_absent", True),
    }
    assert all(e.session.is_signed and e.mandate_id for e in missed)
    assert Session.objects.filter(date=SCHOOL_DAY).count() == 3  # the given one untouched
    assert "Could not give the" not in page and "Logged and signed" in page
    (note,) = _texts(week.users["supervisor"])
    assert "could not give sessions on" in note and "(therapist absent): 2 sessions" in note
    teacher = _texts(week.users["teacher"])
    if SCHOOL_DAY == TODAY:  # on the day, the teacher keeps the student in class
        assert teacher == [
            f"No OT today for {week.students['own'].full_name}: the therapist cannot come "
            "(therapist absent). They stay in class."
        ]
    else:
        assert teacher == []
    # Nothing left to log: refused.
    assert "Every session of that day is logged already." in _post(client).content.decode()


def test_pulled_to_a_meeting_without_make_ups(client, week):
    weekly_slot_make(world=week, weekday=SCHOOL_DAY.weekday(), start=dt.time(9))
    client.force_login(week.users["therapist"])
    page = _post(client, reason="therapist_pulled", makeup_owed=False, sign=False)
    assert "1 session logged as missed (drafts to sign)." in page.content.decode()
    entry = SessionStudent.objects.get(date=SCHOOL_DAY)
    assert (entry.missed_reason, entry.makeup_owed) == ("therapist_pulled", False)
    assert not entry.session.is_signed


def test_what_is_refused_writes_nothing(client, week):
    weekly_slot_make(world=week, weekday=SCHOOL_DAY.weekday(), start=dt.time(9))
    client.force_login(week.users["therapist"])
    ahead = SCHOOL_DAY + dt.timedelta(days=7)
    assert "for days ahead, enter them on Time away" in _post(client, day=ahead).content.decode()
    assert "Choose why" in _post(client, reason="student_absent").content.decode()
    assert "Choose why" in _post(client, reason="").content.decode()
    holiday_make(district=week.district, day=SCHOOL_DAY)
    assert "No school that day (Founders" in _post(client).content.decode()
    assert not Session.objects.exists()
    assert client.get(reverse("day_missed")).status_code == 405
    for who in ("teacher", "parent", "supervisor"):
        client.force_login(week.users[who])
        assert (
            client.post(reverse("day_missed"), {"date": SCHOOL_DAY.isoformat()}).status_code == 403
        )


def test_a_session_that_cannot_be_logged_is_named_and_the_rest_are_logged(client, week):
    weekday = SCHOOL_DAY.weekday()
    weekly_slot_make(world=week, weekday=weekday, start=dt.time(9))
    weekly_slot_make(world=week, weekday=weekday, start=dt.time(10), student="cota")
    # The COTA's student's mandate ended before that day.
    ServiceMandate.objects.filter(plan__student=week.students["cota"]).update(
        end_date=SCHOOL_DAY - dt.timedelta(days=1),
        start_date=SCHOOL_DAY - dt.timedelta(days=100),
    )
    client.force_login(week.users["therapist"])
    page = _post(client).content.decode()
    assert "1 session logged as missed and signed" in page
    assert "10:00 not logged:" in page and "Log it on its own." in page
    assert list(SessionStudent.objects.values_list("student", flat=True)) == [
        week.students["own"].pk
    ]


def test_no_offer_on_a_day_to_come(client, week):
    ahead = SCHOOL_DAY + dt.timedelta(days=7)
    weekly_slot_make(world=week, weekday=ahead.weekday(), start=dt.time(9))
    client.force_login(week.users["therapist"])
    page = client.get(reverse("today"), {"date": ahead.isoformat()}).content.decode()
    assert "Could not give the" not in page
