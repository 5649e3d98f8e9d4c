"""Schedule priorities: a supervisor or an administrator sets how the district's weeks are
weighed; a therapist sees them; the weeks built afterwards follow them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from schoolot.delivery.models import WeeklySlot
from schoolot.schedules.models import BellPeriod, SchedulePriorities
from schoolot.schedules.services import schedule_priorities_set, week_instance, week_solve
from schoolot.scheduling.instance import Weights

TODAY = timezone.localdate()
TYPED = {"core_missed": "2.5", "travel": "1", "trips": "40", "bunching": "0", "changes": "100"}


def test_who_sees_and_who_sets_them(client, week, elsewhere):
    url = reverse("schedule_priorities")
    for role in ("teacher", "parent"):
        client.force_login(week.users[role])
        assert client.get(url).status_code == 403
    client.force_login(week.users["therapist"])
    page = client.get(url).content.decode()
    assert "Your supervisor sets these." in page and '<form method="post" class="card"' not in page
    assert "20 points a move" in page and "1 point a minute" in page  # the defaults, read only
    assert client.post(url, TYPED).status_code == 403
    assert not SchedulePriorities.objects.exists()
    for role in ("supervisor", "admin"):
        client.force_login(week.users[role])
        page = client.get(url).content.decode()
        assert "Save priorities" in page and "The defaults: nobody has changed them." in page
    response = client.post(url, TYPED, follow=True)
    assert "Priorities saved" in response.content.decode()
    saved = SchedulePriorities.objects.get()
    assert (saved.district_id, saved.updated_by) == (week.district.pk, week.users["admin"])
    assert saved.weights() == Weights(
        core_missed=2.5, travel=1.0, trips=40.0, bunching=0.0, changes=100.0
    )
    page = client.get(url).content.decode()
    assert "weighs as much as 16 minutes of core instruction missed" in page  # 40 / 2.5
    # Another district keeps its own (the defaults).
    other, _ = week_instance(staff=elsewhere.staff["therapist"], on=TODAY)
    assert other.weights == Weights()
    mine, _ = week_instance(staff=week.staff["therapist"], on=TODAY)
    assert mine.weights == saved.weights()


@pytest.mark.parametrize(
    "typed, field, message",
    [
        ({"core_missed": "11"}, "core_missed", "Enter points from 0 to 10."),
        ({"travel": "-1"}, "travel", "Enter points from 0 to 10."),
        ({"trips": "lots"}, "trips", "Enter points from 0 to 100."),
        ({"bunching": ""}, "bunching", "Enter points from 0 to 100."),
        ({"changes": "2.55"}, "changes", "Give the points to a tenth at most, e.g. 2.5."),
    ],
)
def test_bad_points_are_answered_in_place(client, week, typed, field, message):
    client.force_login(week.users["supervisor"])
    response = client.post(reverse("schedule_priorities"), {**TYPED, **typed})
    page = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_{field}_error">{message}<' in page
    for name, value in TYPED.items():  # what was typed is kept
        if name != field:
            assert f'name="{name}" value="{value}"' in page
    assert not SchedulePriorities.objects.exists()


def test_the_service_checks_the_rules_too(week):
    with pytest.raises(PermissionDenied):
        schedule_priorities_set(user=week.users["therapist"], **TYPED)
    with pytest.raises(ValidationError) as refused:
        schedule_priorities_set(
            user=week.users["supervisor"], **{**TYPED, "travel": "NaN", "trips": Decimal("100.1")}
        )
    assert set(refused.value.message_dict) == {"travel", "trips"}
    assert not SchedulePriorities.objects.exists()


def _two_sessions_in_core(week):
    """Her student's two weekly sessions, now Monday and Thursday at 9:00, in core
    instruction (8:00-12:00 every day); the afternoon is free of it."""
    BellPeriod.objects.create(
        district=week.district,
        school=week.school,
        kind="core",
        start=dt.time(8),
        end=dt.time(12),
    )
    for weekday in (0, 3):
        slot = WeeklySlot.objects.create(
            district=week.district,
            therapist=week.staff["therapist"],
            weekday=weekday,
            start_time=dt.time(9),
            end_time=dt.time(9, 30),
            school=week.school,
        )
        slot.students.add(week.students["own"])


def _priorities(week, **points):
    schedule_priorities_set(
        user=week.users["supervisor"],
        **{"core_missed": 1, "travel": 1, "trips": 20, "bunching": 15, "changes": 10, **points},
    )


def test_a_week_built_keeps_her_sessions_when_changes_weigh_most(week):
    _two_sessions_in_core(week)
    _priorities(week, core_missed=0, changes=100)
    week_solve(user=week.users["therapist"], on=TODAY, time_limit=3)
    kept = WeeklySlot.objects.filter(therapist=week.staff["therapist"])
    assert sorted((s.weekday, s.start_time) for s in kept) == [(0, dt.time(9)), (3, dt.time(9))]


def test_a_week_built_moves_her_sessions_out_of_core_when_core_weighs_most(week):
    _two_sessions_in_core(week)
    _priorities(week, core_missed=10, changes=0)
    run = week_solve(user=week.users["therapist"], on=TODAY, time_limit=3)
    moved = WeeklySlot.objects.filter(therapist=week.staff["therapist"])
    assert run.placed_minutes == 60 and len(moved) == 2
    assert all(s.start_time >= dt.time(12) or s.end_time <= dt.time(8) for s in moved)
