"""A therapist's day through the API, and a session logged from one of its slots: what her
own tools need to show her day and log it."""

import datetime as dt

from schoolot.delivery.models import Session, WeeklySlot
from schoolot.directory.selectors import closure_get
from tests.api.conftest import session_body
from tests.delivery.helpers import TODAY, mandate_of
from tests.factories import holiday_make, weekly_slot_make


def school_day_before(world, day: dt.date) -> dt.date:
    day -= dt.timedelta(days=1)
    while day.weekday() > 4 or closure_get(district_id=world.district.pk, day=day):
        day -= dt.timedelta(days=1)
    return day


def test_her_day_lists_her_sessions_with_what_to_log_against(client, world, bearer):
    day = school_day_before(world, TODAY)
    slot = weekly_slot_make(world=world, weekday=day.weekday(), start=dt.time(9, 0))
    own = world.students["own"]
    headers = bearer(world.users["therapist"])
    body = client.get("/api/v1/today", {"date": day.isoformat()}, headers=headers).json()
    assert body["date"] == day.isoformat() and body["closed"] is None
    (got,) = body["slots"]
    assert (got["slot_id"], got["start_time"], got["end_time"]) == (slot.pk, "09:00:00", "09:30:00")
    assert got["students"] == [
        {
            "id": own.pk,
            "name": own.full_name,
            "mandates": [{"id": mandate_of(own).pk, "in_words": mandate_of(own).in_words}],
        }
    ]
    assert got["session_id"] is None

    logged = client.post(
        "/api/v1/sessions",
        session_body(own, slot_id=slot.pk, date=day.isoformat()),
        content_type="application/json",
        headers=headers,
    )
    assert logged.status_code == 201, logged.content
    assert Session.objects.get(pk=logged.json()["id"]).slot_id == slot.pk
    body = client.get("/api/v1/today", {"date": day.isoformat()}, headers=headers).json()
    assert body["slots"][0]["session_id"] == logged.json()["id"]
    assert body["slots"][0]["signed"] is False and body["unsigned"] == 1


def test_a_holiday_has_no_sessions_and_says_why(client, world, bearer):
    day = school_day_before(world, TODAY)
    weekly_slot_make(world=world, weekday=day.weekday(), start=dt.time(9, 0))
    holiday_make(district=world.district, day=day)
    body = client.get(
        "/api/v1/today", {"date": day.isoformat()}, headers=bearer(world.users["therapist"])
    ).json()
    assert body["slots"] == [] and body["closed"]
    assert body["next_school_day"] > day.isoformat()


def test_a_slot_of_another_therapists_week_is_refused(client, world, bearer):
    day = school_day_before(world, TODAY)
    theirs = WeeklySlot.objects.create(
        district=world.district,
        therapist=world.staff["other_therapist"],
        weekday=day.weekday(),
        start_time=dt.time(9, 0),
        end_time=dt.time(9, 30),
        school=world.school,
    )
    own = world.students["own"]
    response = client.post(
        "/api/v1/sessions",
        session_body(own, slot_id=theirs.pk, date=day.isoformat()),
        content_type="application/json",
        headers=bearer(world.users["therapist"]),
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "slot_id"], "msg": "That session is not in your week."}
    ]
    assert not Session.objects.exists()


def test_the_day_is_a_therapists(client, world, bearer):
    for who in ("supervisor", "admin"):
        response = client.get("/api/v1/today", headers=bearer(world.users[who]))
        assert response.status_code == 403
