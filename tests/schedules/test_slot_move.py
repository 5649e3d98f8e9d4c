"""A session moved by hand (delivery.services.weekly_slot_move) keeps every hard rule of her
week: beyond overlaps, the school day and protected time, it is refused when it leaves too
little time to drive, no lunch, or falls outside her hours, for the week and for the 4-week
rotation that holds it; a move that breaks nothing new goes through even when the week
already breaks a rule elsewhere."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from schoolot.delivery.models import WeeklySlot
from schoolot.delivery.services import weekly_slot_move
from schoolot.schedules.models import Availability, LunchAndPlanning, ProtectedBlock
from tests.factories import far_student_make, rotation_mandate_make, weekly_slot_make


@pytest.fixture
def week(world):
    """Her own student at her school, and one of hers at the middle school, 20 minutes away."""
    far_student_make(world=world)
    return world


def _far_slot(week, *, weekday, start, cycle_week=None, minutes=30):
    slot = weekly_slot_make(
        world=week, weekday=weekday, start=start, minutes=minutes, student="far"
    )
    slot.school, slot.cycle_week = week.other_school, cycle_week
    slot.save()
    return slot


def _move(week, slot, weekday, start):
    weekly_slot_move(user=week.users["therapist"], slot=slot, weekday=weekday, start_time=start)
    slot.refresh_from_db()
    return (slot.weekday, slot.start_time, slot.locked)


def _refused(week, slot, weekday, start) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        _move(week, slot, weekday, start)
    slot.refresh_from_db()
    return refused.value.messages


def test_a_move_that_leaves_no_time_to_drive_is_refused(week):
    weekly_slot_make(world=week, weekday=0, start=dt.time(9))  # 9:00-9:30 at her school
    far = _far_slot(week, weekday=2, start=dt.time(10))
    assert _refused(week, far, 0, dt.time(9, 40)) == [
        "Mon 09:30-09:40: 10 minutes to drive a 20-minute trip."
    ]
    assert (far.weekday, far.start_time, far.locked) == (2, dt.time(10), False)  # unchanged
    assert _move(week, far, 0, dt.time(9, 50)) == (0, dt.time(9, 50), True)
    # And the other way: a session at her school moved too soon after the far one.
    near = weekly_slot_make(world=week, weekday=3, start=dt.time(9))
    assert _refused(week, near, 0, dt.time(10, 30)) == [
        "Mon 10:20-10:30: 10 minutes to drive a 20-minute trip."
    ]


def test_a_move_that_takes_her_lunch_is_refused(week):
    LunchAndPlanning.objects.create(
        district=week.district,
        staff=week.staff["therapist"],
        lunch_from=dt.time(11),
        lunch_until=dt.time(12),
        lunch_minutes=30,
    )
    weekly_slot_make(world=week, weekday=1, start=dt.time(11))
    slot = weekly_slot_make(world=week, weekday=3, start=dt.time(9))
    assert _refused(week, slot, 1, dt.time(11, 30)) == [
        "Tue: no 30-minute lunch between 11:00 and 12:00."
    ]
    assert _move(week, slot, 1, dt.time(12)) == (1, dt.time(12), True)


def test_a_move_outside_her_hours_is_refused(client, week):
    for weekday in range(5):
        Availability.objects.create(
            district=week.district,
            staff=week.staff["therapist"],
            weekday=weekday,
            start=dt.time(8),
            end=dt.time(12),
        )
    slot = weekly_slot_make(world=week, weekday=0, start=dt.time(9))
    client.force_login(week.users["therapist"])
    page = client.post(
        reverse("slot_move", args=[slot.pk]), {"weekday": "2", "start_time": "13:00"}, follow=True
    ).content.decode()
    assert "Wed 13:00-13:30: the therapist is not available at" in page
    slot.refresh_from_db()
    assert (slot.weekday, slot.start_time) == (0, dt.time(9))


def test_a_rule_the_week_already_breaks_does_not_block_other_moves(week):
    broken = weekly_slot_make(world=week, weekday=0, start=dt.time(9))
    ProtectedBlock.objects.create(  # added after the session was placed
        district=week.district,
        student=week.students["own"],
        reason="Reading block",
        weekdays="0",
        start=dt.time(9),
        end=dt.time(10),
    )
    slot = weekly_slot_make(world=week, weekday=2, start=dt.time(9))
    assert _move(week, slot, 3, dt.time(13)) == (3, dt.time(13), True)
    # The broken one may move out of the reading block (that removes a problem).
    assert _move(week, broken, 0, dt.time(10)) == (0, dt.time(10), True)


def test_the_rotation_is_held_to_the_same_rules(week):
    """A rotation session moved next to a weekly one at the other school, and a weekly session
    moved next to a rotation one, are refused with the rotation's week named."""
    rotation_mandate_make(student=week.students["far"], sessions=1)
    monthly = _far_slot(week, weekday=4, start=dt.time(13), cycle_week=2, minutes=45)
    weekly_slot_make(world=week, weekday=1, start=dt.time(9))  # Tuesday, every week
    assert _refused(week, monthly, 1, dt.time(9, 40)) == [
        "Tue (week 2) 09:30-09:40: 10 minutes to drive a 20-minute trip."
    ]
    assert _move(week, monthly, 1, dt.time(10)) == (1, dt.time(10), True)
    assert monthly.cycle_week == 2  # a move keeps the session in its week of the rotation
    weekly = weekly_slot_make(world=week, weekday=3, start=dt.time(9))
    assert _refused(week, weekly, 1, dt.time(10, 50)) == [
        "Tue (week 2) 10:45-10:50: 5 minutes to drive a 20-minute trip."
    ]


def test_a_rotation_session_meets_only_the_weekly_ones_and_its_own_week(week):
    """Sessions of two different weeks of the rotation never meet: one moves to the other's
    time. Into a weekly session's time, or one of its own week's, it does not."""
    rotation_mandate_make(student=week.students["far"], sessions=3)
    first = _far_slot(week, weekday=4, start=dt.time(13), cycle_week=1, minutes=45)
    second = _far_slot(week, weekday=4, start=dt.time(9), cycle_week=2, minutes=45)
    also_second = _far_slot(week, weekday=2, start=dt.time(9), cycle_week=2, minutes=45)
    weekly = _far_slot(week, weekday=3, start=dt.time(10))
    assert _move(week, second, 4, dt.time(13)) == (4, dt.time(13), True)
    assert _refused(week, also_second, 4, dt.time(13, 30)) == [
        "This overlaps another of your sessions."
    ]
    assert _refused(week, first, 3, dt.time(10)) == ["This overlaps another of your sessions."]
    assert weekly.cycle_week is None


def test_the_session_of_every_rotation_week_locks_moves_and_goes_as_one(client, week):
    """The card of a session the rotation holds in each of its weeks acts on its four slots:
    lock, move (all or none: a refusal names the week and moves nothing) and remove. A slot
    posted without "every_week" is one week's, as before."""
    rotation_mandate_make(student=week.students["far"], sessions=4)
    four = [
        _far_slot(week, weekday=4, start=dt.time(13), cycle_week=k, minutes=45)
        for k in (1, 2, 3, 4)
    ]
    first = four[0]
    client.force_login(week.users["therapist"])
    every_week = {"every_week": "1"}

    def state():
        return sorted(
            WeeklySlot.objects.filter(cycle_week__isnull=False).values_list(
                "cycle_week", "weekday", "start_time", "locked"
            )
        )

    client.post(reverse("slot_lock", args=[first.pk]), every_week)
    assert [locked for *_x, locked in state()] == [True] * 4
    client.post(reverse("slot_lock", args=[first.pk]))  # this week's only
    assert [locked for *_x, locked in state()] == [False, True, True, True]
    client.post(reverse("slot_lock", args=[first.pk]))
    # Weeks 1 and 3 hold another session on Wednesday at 9:00: the move is refused, none
    # moves, and both weeks' reasons are given (not only the first week's).
    _far_slot(week, weekday=2, start=dt.time(9), cycle_week=3, minutes=45)
    _far_slot(week, weekday=2, start=dt.time(8, 30), cycle_week=1, minutes=45)
    page = client.post(
        reverse("slot_move", args=[first.pk]), {**every_week, "weekday": "2", "start_time": "09:00"}
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert "Week 1 of the rotation: This overlaps another of your sessions." in html
    assert "Week 3 of the rotation: This overlaps another of your sessions." in html
    assert [(w, d, t) for w, d, t, _l in state() if d != 2] == [
        (k, 4, dt.time(13)) for k in (1, 2, 3, 4)
    ]
    WeeklySlot.objects.filter(cycle_week=1, weekday=2).delete()
    response = client.post(
        reverse("slot_move", args=[first.pk]), {**every_week, "weekday": "1", "start_time": "13:00"}
    )
    assert response.status_code == 302
    assert "Tuesday 13:00-13:45 in every week of the rotation and locked." in (
        client.get(reverse("slot_list")).content.decode()
    )
    moved = [(w, d, t, locked) for w, d, t, locked in state() if (w, d) != (3, 2)]
    assert moved == [(k, 1, dt.time(13), True) for k in (1, 2, 3, 4)]
    client.post(reverse("slot_delete", args=[first.pk]), every_week)
    assert [(w, d) for w, d, _t, _l in state()] == [(3, 2)]


def test_with_a_rotation_a_weekly_problem_is_said_once(week):
    """The rotation holds the week four times over: what the move breaks in the week is not
    repeated for each week of the rotation."""
    rotation_mandate_make(student=week.students["own"], sessions=1)
    _far_slot(week, weekday=4, start=dt.time(13))  # a weekly session at the far school
    monthly = weekly_slot_make(world=week, weekday=2, start=dt.time(13), minutes=45)
    monthly.cycle_week = 3  # a monthly one, elsewhere in the week
    monthly.save()
    near = weekly_slot_make(world=week, weekday=0, start=dt.time(9))
    assert _refused(week, near, 4, dt.time(12, 20)) == [
        "Fri 12:50-13:00: 10 minutes to drive a 20-minute trip."
    ]


def test_a_session_of_a_student_no_longer_hers_moves_on_the_quick_rules(week):
    slot = weekly_slot_make(world=week, weekday=0, start=dt.time(9), student="cota")
    assert _move(week, slot, 2, dt.time(13)) == (2, dt.time(13), True)
    assert WeeklySlot.objects.get(pk=slot.pk).locked


def test_a_refused_move_comes_back_in_place_with_her_choice_kept(client, week):
    weekly_slot_make(world=week, weekday=0, start=dt.time(9))
    far = _far_slot(week, weekday=2, start=dt.time(10))
    client.force_login(week.users["therapist"])
    response = client.post(
        reverse("slot_move", args=[far.pk]), {"weekday": "0", "start_time": "09:40"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert '<details class="move" open>' in page and page.count("open><summary>Move") == 1
    assert f'id="mv-e{far.pk}" role="alert"><li>Mon 09:30-09:40: 10 minutes to drive' in page
    assert f'id="mv-t{far.pk}" value="09:40"' in page  # what she chose, kept
    assert '<option value="0" selected>Monday</option>' in page
    response = client.post(reverse("slot_move", args=[far.pk]), {"weekday": "0", "start_time": ""})
    assert (
        response.status_code == 400 and "Give a day and a start time." in response.content.decode()
    )
    assert (
        client.post(
            reverse("slot_move", args=[far.pk]), {"weekday": "0", "start_time": "09:50"}
        ).status_code
        == 302
    )


def test_refused_for_her_own_weeks_rules_she_may_move_it_anyway(client, week):
    """Too little time to drive is hers to accept (she knows the back road): the refusal
    offers to move anyway, and then My week's check lists what the move breaks. An overlap or
    a student's protected time is never offered."""
    from schoolot.audit.models import AuditEvent
    from schoolot.schedules.week_check import week_check_get

    near = weekly_slot_make(world=week, weekday=0, start=dt.time(9))
    far = _far_slot(week, weekday=2, start=dt.time(10))
    client.force_login(week.users["therapist"])
    url = reverse("slot_move", args=[far.pk])
    refused = client.post(url, {"weekday": "0", "start_time": "09:40"}).content.decode()
    assert 'name="anyway" value="1"' in refused
    response = client.post(url, {"weekday": "0", "start_time": "09:40", "anyway": "1"})
    assert response.status_code == 302
    far.refresh_from_db()
    assert (far.weekday, far.start_time, far.locked) == (0, dt.time(9, 40), True)
    check = week_check_get(staff=week.staff["therapist"], on=dt.date.today())
    assert any("10 minutes to drive a 20-minute trip" in p for p in check.problems)
    page = client.get(reverse("slot_list")).content.decode()
    assert "The check of your week below lists what it breaks." in page
    assert AuditEvent.objects.filter(what__contains="despite her week's rules").exists()
    # An overlap: refused, nothing offered, and "anyway" changes nothing.
    overlap = client.post(
        reverse("slot_move", args=[near.pk]),
        {"weekday": "0", "start_time": "09:40", "anyway": "1"},
    )
    assert overlap.status_code == 400
    assert "overlaps another of your sessions" in overlap.content.decode()
    assert 'name="anyway" value="1"' not in overlap.content.decode()
    near.refresh_from_db()
    assert near.start_time == dt.time(9)
