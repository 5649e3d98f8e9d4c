"""The therapist's fixed time (IEP meetings, a team meeting) and her lunch and planning: set
on My hours, refused in place when wrong, and kept free by every week the scheduler builds."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from schoolot.delivery.models import WeeklySlot
from schoolot.delivery.services import weekly_slot_create
from schoolot.schedules.models import Commitment, LunchAndPlanning
from schoolot.schedules.services import (
    commitment_add,
    commitment_delete,
    lunch_and_planning_set,
    week_instance,
    week_solve,
)
from schoolot.scheduling.instance import Schedule
from schoolot.scheduling.scorer import score
from tests.factories import holiday_make, weekly_slot_make

TODAY = timezone.localdate()


def _fixed(**typed):
    data = {
        "action": "commitment",
        "commitment-label": "IEP meetings",
        "commitment-weekdays": ["1"],
        "commitment-start": "14:00",
        "commitment-end": "15:00",
    }
    data.update({f"commitment-{k}": v for k, v in typed.items()})
    return data


def _breaks(**typed):
    data = {
        "action": "breaks",
        "breaks-lunch_minutes": "45",
        "breaks-lunch_from": "11:30",
        "breaks-lunch_until": "12:30",
        "breaks-planning_minutes": "30",
    }
    data.update({f"breaks-{k}": v for k, v in typed.items()})
    return data


# -- fixed time -------------------------------------------------------------------------------


def test_fixed_time_is_added_shown_and_removed(client, week):
    client.force_login(week.users["therapist"])
    response = client.post(reverse("availability"), _fixed(), follow=True)
    html = response.content.decode()
    assert "the next week you build keeps that time free" in html
    assert "IEP meetings · Tue 2:00–3:00 PM" in html
    every_day = client.post(
        reverse("availability"),
        _fixed(label="Team huddle", weekdays=[], start="07:30", end="07:45"),
        follow=True,
    )
    assert "Team huddle · Every day 7:30–7:45 AM" in every_day.content.decode()
    meeting = Commitment.objects.get(label="IEP meetings")
    assert (meeting.weekdays, meeting.start, meeting.end) == ("1", dt.time(14), dt.time(15))
    assert meeting.district_id == week.district.pk
    # The week page draws it behind the sessions, on a time axis from 7 AM to 3 PM.
    page = client.get(reverse("slot_list")).content.decode()
    assert "week-slot fixed" in page
    axis = page.split('class="week-col week-hours"')[1].split('class="week-col"')[0]
    hours = [f"{h} AM" for h in (7, 8, 9, 10, 11)] + [f"{h} PM" for h in (12, 1, 2, 3)]
    assert re.findall(r">(\d+ [AP]M)<", axis) == hours
    assert 'style="top: calc(0 * var(--px))">7 AM<' in axis  # the first hour at the top
    client.post(reverse("availability"), {"action": "commitment", "delete_commitment": meeting.pk})
    assert list(Commitment.objects.values_list("label", flat=True)) == ["Team huddle"]


@pytest.mark.parametrize(
    "typed, field, message",
    [
        ({"label": "  "}, "label", "Say what the time is for, e.g. IEP meetings."),
        ({"label": "x" * 81}, "label", "Keep it to 80 characters."),
        ({"weekdays": ["5"]}, "weekdays", "Days are Monday to Friday."),
        ({"start": ""}, "start", "Enter when the time starts."),
        ({"end": "3 pm"}, "end", "Enter a time such as 3:30 PM."),
        ({"end": "14:00"}, "end", "The time must end after it starts."),
    ],
)
def test_bad_fixed_time_is_answered_in_place(client, week, typed, field, message):
    client.force_login(week.users["therapist"])
    response = client.post(reverse("availability"), _fixed(**typed))
    html = response.content.decode()
    assert response.status_code == 400
    assert "The fixed time was not added" in html and message in html
    assert f'id="id_commitment-{field}_error"' in html  # on its field
    if field != "start":
        assert 'value="14:00"' in html  # what was typed stays
    assert "The hours were not added" not in html  # the other forms are untouched
    assert not Commitment.objects.exists()


def test_fixed_time_overlaps_are_named(client, week):
    therapist = week.users["therapist"]
    commitment_add(
        user=therapist, label="IEP meetings", weekdays=[1, 3], start=dt.time(14), end=dt.time(15)
    )
    # Touching is fine; a day it does not recur on is fine.
    commitment_add(user=therapist, label="Evals", weekdays=[1], start=dt.time(15), end=dt.time(16))
    commitment_add(user=therapist, label="Evals", weekdays=[2], start=dt.time(14), end=dt.time(16))
    client.force_login(therapist)
    response = client.post(
        reverse("availability"), _fixed(label="Team", weekdays=[], start="14:30", end="15:30")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "This overlaps IEP meetings (Tue, Thu 2:00 PM–3:00 PM)" in html
    assert "This overlaps Evals (Tue 3:00 PM–4:00 PM)" in html
    assert "This overlaps Evals (Wed 2:00 PM–4:00 PM)" in html
    assert Commitment.objects.count() == 3


def test_a_locked_session_refuses_fixed_time_and_an_unlocked_one_is_named(client, week):
    locked = weekly_slot_make(world=week, weekday=1, start=dt.time(14), locked=True)
    client.force_login(week.users["therapist"])
    response = client.post(reverse("availability"), _fixed())
    assert response.status_code == 400
    assert f"Your locked session {locked} at {week.school.name} is then" in (
        response.content.decode()
    )
    locked.locked = False
    locked.save()
    response = client.post(reverse("availability"), _fixed(), follow=True)
    html = response.content.decode()
    assert "1 session of your week falls in that time (Tuesday 2:00 PM at " in html
    assert "); Build my week moves it." in html
    assert Commitment.objects.count() == 1


def test_sessions_by_hand_keep_out_of_fixed_time(client, week):
    therapist = week.users["therapist"]
    commitment_add(
        user=therapist, label="IEP meetings", weekdays=[1], start=dt.time(14), end=dt.time(15)
    )
    with pytest.raises(ValidationError) as refused:
        weekly_slot_create(
            user=therapist,
            weekday=1,
            start_time=dt.time(14, 30),
            end_time=dt.time(15),
            setting="pull_out",
            student_ids=[week.students["own"].pk],
        )
    assert refused.value.message_dict["start_time"] == [
        "That is your fixed time: IEP meetings, 2:00-3:00."
    ]
    slot = weekly_slot_make(world=week, weekday=0, start=dt.time(14))
    client.force_login(therapist)
    response = client.post(
        reverse("slot_move", args=[slot.pk]), {"weekday": "1", "start_time": "13:45"}, follow=True
    )
    assert "That is your fixed time: IEP meetings" in response.content.decode()
    slot.refresh_from_db()
    assert (slot.weekday, slot.locked) == (0, False)
    # Another day is free.
    client.post(reverse("slot_move", args=[slot.pk]), {"weekday": "2", "start_time": "14:00"})
    slot.refresh_from_db()
    assert (slot.weekday, slot.start_time) == (2, dt.time(14))


def test_fixed_time_is_each_therapists_own(client, week):
    mine = commitment_add(
        user=week.users["therapist"],
        label="Staffing",
        weekdays=[],
        start=dt.time(8),
        end=dt.time(9),
    )
    assert not commitment_delete(user=week.users["cota"], commitment_id=mine.pk)
    client.force_login(week.users["cota"])
    client.post(reverse("availability"), {"action": "commitment", "delete_commitment": mine.pk})
    assert Commitment.objects.filter(pk=mine.pk).exists()
    assert "Staffing" not in client.get(reverse("availability")).content.decode()
    cota_instance, _ = week_instance(staff=week.staff["cota"], on=TODAY)
    assert cota_instance.commitments == []
    with pytest.raises(PermissionDenied):
        commitment_add(
            user=week.users["teacher"], label="x", weekdays=[], start=dt.time(8), end=dt.time(9)
        )
    with pytest.raises(PermissionDenied):
        lunch_and_planning_set(
            user=week.users["supervisor"],
            lunch_from=dt.time(11),
            lunch_until=dt.time(13),
            lunch_minutes=30,
            planning_minutes=0,
        )
    client.force_login(week.users["teacher"])
    assert client.post(reverse("availability"), _fixed()).status_code == 403
    assert not Commitment.objects.exclude(pk=mine.pk).exists()


def test_the_week_and_the_rotation_keep_fixed_time_free(week):
    therapist = week.users["therapist"]
    commitment_add(
        user=therapist, label="IEP meetings", weekdays=[1, 3], start=dt.time(14), end=dt.time(15)
    )
    instance, _ = week_instance(staff=week.staff["therapist"], on=TODAY)
    assert sorted((c.day, c.start, c.end, c.label) for c in instance.commitments) == [
        (1, 840, 900, "IEP meetings"),
        (3, 840, 900, "IEP meetings"),
    ]
    cycle, _ = week_instance(staff=week.staff["therapist"], on=TODAY, week=[])
    assert sorted(c.day for c in cycle.commitments) == [1, 3, 6, 8, 11, 13, 16, 18]
    # All but 12:30-13:30 taken every day (lunch in the first half hour): the solver puts
    # both sessions at 13:00.
    commitment_add(
        user=therapist, label="Evaluations", weekdays=[], start=dt.time(7), end=dt.time(12, 30)
    )
    commitment_add(
        user=therapist,
        label="Paperwork",
        weekdays=[0, 2, 4],
        start=dt.time(13, 30),
        end=dt.time(17),
    )
    commitment_add(
        user=therapist, label="IEP meetings", weekdays=[1, 3], start=dt.time(15), end=dt.time(17)
    )
    commitment_add(
        user=therapist, label="Screening", weekdays=[1, 3], start=dt.time(13, 30), end=dt.time(14)
    )
    run = week_solve(user=therapist, on=TODAY, time_limit=3)
    assert run.placed_minutes == run.required_minutes == 60
    slots = WeeklySlot.objects.filter(therapist=week.staff["therapist"])
    assert {s.start_time for s in slots} == {dt.time(13)}
    instance, _ = week_instance(staff=week.staff["therapist"], on=TODAY)
    assert score(instance, Schedule(sessions=instance.current)).feasible


# -- lunch and planning -----------------------------------------------------------------------


def test_lunch_and_planning_are_set_and_reach_the_week(client, week):
    instance, _ = week_instance(staff=week.staff["therapist"], on=TODAY)
    assert (instance.lunch_start, instance.lunch_end, instance.lunch_minutes) == (660, 780, 30)
    assert instance.planning_minutes == 0
    client.force_login(week.users["therapist"])
    html = client.get(reverse("availability")).content.decode()
    assert "a 30-minute lunch between 11:00 AM and 1:00 PM; no planning time kept" in html
    response = client.post(reverse("availability"), _breaks(), follow=True)
    assert "a 45-minute lunch between 11:30 AM and 12:30 PM; 30 minutes of planning" in (
        response.content.decode()
    )
    instance, _ = week_instance(staff=week.staff["therapist"], on=TODAY)
    assert (instance.lunch_start, instance.lunch_end, instance.lunch_minutes) == (690, 750, 45)
    assert instance.planning_minutes == 30
    # Saving again changes the one row; no lunch at all is allowed.
    client.post(reverse("availability"), _breaks(lunch_minutes="0", planning_minutes="0"))
    breaks = LunchAndPlanning.objects.get(staff=week.staff["therapist"])
    assert (breaks.lunch_minutes, breaks.planning_minutes) == (0, 0)


@pytest.mark.parametrize(
    "typed, field, message",
    [
        ({"lunch_minutes": "91"}, "lunch_minutes", "Enter whole minutes from 0 to 90."),
        ({"lunch_minutes": "half"}, "lunch_minutes", "Enter whole minutes from 0 to 90."),
        ({"planning_minutes": "-5"}, "planning_minutes", "Enter whole minutes from 0 to 240."),
        ({"lunch_from": ""}, "lunch_from", "Enter when lunch may start."),
        ({"lunch_until": "11:30"}, "lunch_until", "The lunch window must end after it starts."),
        (
            {"lunch_minutes": "75"},
            "lunch_minutes",
            "A 75-minute lunch does not fit between 11:30 AM and 12:30 PM.",
        ),
    ],
)
def test_bad_lunch_and_planning_are_answered_in_place(client, week, typed, field, message):
    client.force_login(week.users["therapist"])
    response = client.post(reverse("availability"), _breaks(**typed))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Lunch and planning were not saved" in html and message in html
    assert f'id="id_breaks-{field}_error"' in html
    if field != "lunch_from":
        assert 'value="11:30"' in html  # what was typed stays
    assert not LunchAndPlanning.objects.exists()


def test_lunch_is_kept_in_the_solved_week(week):
    lunch_and_planning_set(
        user=week.users["therapist"],
        lunch_from=dt.time(12),
        lunch_until=dt.time(12, 45),
        lunch_minutes=45,
        planning_minutes=60,
    )
    run = week_solve(user=week.users["therapist"], on=TODAY, time_limit=3)
    assert run.placed_minutes == run.required_minutes > 0
    slots = WeeklySlot.objects.filter(therapist=week.staff["therapist"])
    assert not any(s.start_time < dt.time(12, 45) and s.end_time > dt.time(12) for s in slots)
    instance, _ = week_instance(staff=week.staff["therapist"], on=TODAY)
    assert score(instance, Schedule(sessions=instance.current)).feasible


def test_fixed_time_at_a_school_is_on_her_route(client, week):
    client.force_login(week.users["therapist"])
    response = client.post(reverse("availability"), _fixed(school=str(week.school.pk)), follow=True)
    assert f"IEP meetings · Tue 2:00–3:00 PM · {week.school.name}" in response.content.decode()
    instance, _ = week_instance(staff=week.staff["therapist"], on=TODAY)
    assert [(c.day, c.school) for c in instance.commitments] == [(1, str(week.school.pk))]
    # Not one of her schools: refused by the form and by the service.
    response = client.post(
        reverse("availability"), _fixed(weekdays=["2"], school=str(week.other_school.pk))
    )
    assert response.status_code == 400
    assert 'id="id_commitment-school_error"' in response.content.decode()
    with pytest.raises(ValidationError) as refused:
        commitment_add(
            user=week.users["therapist"],
            label="Evals",
            weekdays=[2],
            start=dt.time(9),
            end=dt.time(10),
            school_id=week.other_school.pk,
        )
    assert refused.value.message_dict == {"school": ["Choose one of your schools."]}
    # Held at a school no longer in her week (neither hers nor her students'): time only.
    Commitment.objects.update(school=week.other_school)
    instance, _ = week_instance(staff=week.staff["therapist"], on=TODAY)
    assert [(c.day, c.school) for c in instance.commitments] == [(1, None)]


def test_today_lists_the_days_fixed_time_unless_school_is_out(client, week):
    commitment_add(
        user=week.users["therapist"],
        label="IEP meetings",
        weekdays=[1],
        start=dt.time(14),
        end=dt.time(15),
        school_id=week.school.pk,
    )
    tuesday = TODAY + dt.timedelta(days=(1 - TODAY.weekday()) % 7 or 7)
    client.force_login(week.users["therapist"])
    page = client.get(reverse("today"), {"date": tuesday.isoformat()}).content.decode()
    assert "Fixed time" in page and "2:00–3:00 PM</strong> IEP meetings" in page
    assert week.school.name in page
    wednesday = tuesday + dt.timedelta(days=1)
    page = client.get(reverse("today"), {"date": wednesday.isoformat()}).content.decode()
    assert "IEP meetings" not in page
    holiday_make(district=week.district, day=tuesday)
    page = client.get(reverse("today"), {"date": tuesday.isoformat()}).content.decode()
    assert "No school" in page and "IEP meetings" not in page
