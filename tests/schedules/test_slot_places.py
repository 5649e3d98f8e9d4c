"""Where a session of her week may be moved (schedules.selectors.slot_places_get), shaded on
the calendar while she drags it: the school day, clear of her other sessions, her fixed
time and its students' protected time, each stretch marked by the core instruction its
students would miss. It agrees with what a hand move (delivery.services.weekly_slot_move)
accepts, and only she reads her sessions' places."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from schoolot.delivery.services import WeekRulesRefusal, weekly_slots_move
from schoolot.schedules.models import BellPeriod, ProtectedBlock
from schoolot.schedules.selectors import MovePlace, slot_places_get
from schoolot.schedules.services import commitment_add
from tests.factories import weekly_slot_make


def _minute(hour, minute=0):
    return hour * 60 + minute


@pytest.fixture
def day(week):
    """Her session Monday 9:00 with her own student (grade 2), another Tuesday 10:00; fixed
    time Tuesday 13:00-14:00; the student's reading block daily 11:00-11:30; core
    instruction (math) for grade 2 daily 9:30-10:00, and for grade 5 at 12:00 (not hers)."""
    week.school.day_start, week.school.day_end = dt.time(8), dt.time(15)
    week.school.save()
    slot = weekly_slot_make(world=week, weekday=0, start=dt.time(9))
    weekly_slot_make(world=week, weekday=1, start=dt.time(10))
    commitment_add(
        user=week.users["therapist"],
        label="IEP meetings",
        weekdays=[1],
        start=dt.time(13),
        end=dt.time(14),
    )
    ProtectedBlock.objects.create(
        district=week.district,
        student=week.students["own"],
        reason="Reading block",
        start=dt.time(11),
        end=dt.time(11, 30),
    )
    for grades, start in (("2", dt.time(9, 30)), ("5", dt.time(12))):
        BellPeriod.objects.create(
            district=week.district,
            school=week.school,
            kind="core",
            name="Math",
            grades=grades,
            start=start,
            end=(dt.datetime.combine(dt.date.today(), start) + dt.timedelta(minutes=30)).time(),
        )
    return slot


def test_the_places_of_a_session(day, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        places = slot_places_get(slots=[day])
    monday = [p for p in places if p.weekday == 0]
    # 30 minutes: free 8:00-9:00 (starts 8:00-9:00, before math at 9:30), math 9:05-9:55,
    # free 10:00-10:30, the reading block 11:00-11:30 closed (starts 10:35-11:25), free
    # from 11:30 to the day's last start, 14:30.
    assert monday == [
        MovePlace(0, _minute(8), _minute(9), False),
        MovePlace(0, _minute(9, 5), _minute(9, 55), True),
        MovePlace(0, _minute(10), _minute(10, 30), False),
        MovePlace(0, _minute(11, 30), _minute(14, 30), False),
    ]
    tuesday = [(p.first, p.last) for p in places if p.weekday == 1]
    # Her 10:00 session (starts 9:35-10:25 closed) and her fixed time 13:00-14:00.
    assert (_minute(9, 5), _minute(9, 30)) in tuesday
    assert not any(p.first <= _minute(10) <= p.last for p in places if p.weekday == 1)
    assert not any(p.first <= _minute(13) <= p.last for p in places if p.weekday == 1)
    assert (_minute(14), _minute(14, 30)) in tuesday


class _TryOnly(Exception):
    pass


def _accepted(week, slot, weekday, start) -> bool | None:
    """Whether the hand move is accepted by the rules no move breaks (True), refused by
    them (False); None when only her own week's rules refuse it (hers to accept)."""
    try:
        with transaction.atomic():
            weekly_slots_move(
                user=week.users["therapist"], slots=[slot], weekday=weekday, start_time=start
            )
            raise _TryOnly
    except _TryOnly:
        return True
    except WeekRulesRefusal:
        return None
    except ValidationError:
        return False
    finally:
        slot.refresh_from_db()


def test_the_places_are_where_a_hand_move_is_accepted(week, day):
    """Every start from before the school day to after it, every 10 minutes, each weekday:
    shaded exactly where the move's own rules let it go."""
    places = slot_places_get(slots=[day])
    for weekday in range(5):
        for minute in range(_minute(7, 30), _minute(15, 30), 10):
            start = dt.time(minute // 60, minute % 60)
            shaded = any(p.weekday == weekday and p.first <= minute <= p.last for p in places)
            accepted = _accepted(week, day, weekday, start)
            if accepted is None:  # her hours, drives, lunch: not the shading's to say
                assert shaded, (weekday, start)
            else:
                assert shaded == accepted, (weekday, start)


def test_a_session_of_one_rotation_week_meets_the_weekly_ones_and_its_own_week(week, day):
    rotation = weekly_slot_make(world=week, weekday=2, start=dt.time(8))
    rotation.cycle_week = 2
    rotation.save()
    other_week = weekly_slot_make(world=week, weekday=3, start=dt.time(8))
    other_week.cycle_week = 3
    other_week.save()
    places = slot_places_get(slots=[rotation])
    opens = {(p.weekday, p.first) for p in places}
    assert (3, _minute(8)) in opens  # week 3's session does not meet week 2's
    assert not any(p.first <= _minute(9) <= p.last for p in places if p.weekday == 0)
    weekly = slot_places_get(slots=[day])
    assert not any(p.first <= _minute(8) <= p.last for p in weekly if p.weekday == 3)


def test_only_she_reads_the_places_of_her_sessions(client, week, day):
    url = reverse("slot_places", args=[day.pk])
    client.force_login(week.users["therapist"])
    response = client.get(url)
    assert response.status_code == 200
    found = response.json()
    assert found["minutes"] == 30
    assert {"weekday": 0, "first": _minute(8), "last": _minute(9), "core": False} in found["places"]
    assert set(found) == {"minutes", "places"}  # times only: no student named
    for who, status in (
        ("other_therapist", 404),
        ("cota", 404),
        ("supervisor", 403),
        ("teacher", 403),
        ("parent", 403),
    ):
        client.force_login(week.users[who])
        assert client.get(url).status_code == status, who


def test_a_session_held_in_every_week_of_the_rotation_meets_every_session(week, day):
    """Its four slots move together (every_week), so each week's own sessions close their
    times as the weekly ones do."""
    every = []
    for k in (1, 2, 3, 4):
        slot = weekly_slot_make(world=week, weekday=4, start=dt.time(8))
        slot.cycle_week = k
        slot.save()
        every.append(slot)
    week_three = weekly_slot_make(world=week, weekday=2, start=dt.time(14))
    week_three.cycle_week = 3
    week_three.save()
    places = slot_places_get(slots=every)
    assert not any(p.first <= _minute(14) <= p.last for p in places if p.weekday == 2)
    assert not any(p.first <= _minute(9) <= p.last for p in places if p.weekday == 0)
    # Its own four slots do not close Friday 8:00 to it.
    assert any(p.first <= _minute(8) <= p.last for p in places if p.weekday == 4)
