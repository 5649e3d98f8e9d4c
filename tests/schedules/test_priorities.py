"""Schedule priorities: an administrator sets how the district's weeks are weighed, a
supervisor her team's (which then weigh her team's weeks instead); a therapist sees what
weighs hers; the weeks built afterwards follow them."""

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
    assert "your supervisor may set your team's own." in page
    assert '<form method="post" class="card"' not in page
    assert "20 points a move" in page and "1 point a minute" in page  # the defaults, read only
    assert client.post(url, TYPED).status_code == 403
    assert not SchedulePriorities.objects.exists()
    for role in ("supervisor", "admin"):
        client.force_login(week.users[role])
        page = client.get(url).content.decode()
        assert "The defaults: nobody has changed them." in page
        whose = "your team's" if role == "supervisor" else "the district's"
        assert f"Save {whose} priorities" in page
    response = client.post(url, TYPED, follow=True)
    assert "every week built from now on uses the district&#x27;s." in response.content.decode()
    saved = SchedulePriorities.objects.get()
    assert (saved.district_id, saved.updated_by) == (week.district.pk, week.users["admin"])
    assert saved.team is None
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


def test_a_supervisor_sets_her_team_s_own_and_only_her_team_follows_them(client, week):
    """The district's (an administrator's) weigh every week; a supervisor's own weigh her
    team's weeks only (her therapist's, not another supervisor's therapist's); she can
    return her team to the district's. The page says whose weigh each one's week."""
    schedule_priorities_set(user=week.users["admin"], **TYPED)
    url = reverse("schedule_priorities")
    client.force_login(week.users["supervisor"])
    page = client.get(url).content.decode()
    assert "Your team follows them; saving below gives it its own." in page
    assert 'name="trips" value="40"' in page  # the district's, to start from
    assert "Follow the district" not in page

    own = {**TYPED, "trips": "100", "travel": "0"}
    response = client.post(url, own, follow=True)
    page = response.content.decode()
    assert "every week built from now on uses your team&#x27;s." in page
    assert "Your team's own priorities" in page and "Follow the district" in page
    team = SchedulePriorities.objects.get(team=week.staff["supervisor"])
    assert team.weights() == Weights(
        core_missed=2.5, travel=0.0, trips=100.0, bunching=0.0, changes=100.0
    )
    district = SchedulePriorities.objects.get(team=None)
    assert district.weights().trips == 40  # untouched

    mine, _ = week_instance(staff=week.staff["therapist"], on=TODAY)
    theirs, _ = week_instance(staff=week.staff["other_therapist"], on=TODAY)
    assert mine.weights == team.weights() and theirs.weights == district.weights()

    client.force_login(week.users["therapist"])
    page = client.get(url).content.decode()
    name = week.users["supervisor"].display_name
    assert f"The priorities of {name}'s team" in page and "100 points a move" in page
    client.force_login(week.users["other_therapist"])
    page = client.get(url).content.decode()
    assert "The district's priorities" in page and "40 points a move" in page
    client.force_login(week.users["admin"])
    page = client.get(url).content.decode()
    assert "Teams with priorities of their own" in page and name in page
    assert 'name="trips" value="40"' in page  # an administrator edits the district's

    client.force_login(week.users["supervisor"])
    client.post(url, {"action": "reset"})
    assert not SchedulePriorities.objects.filter(team__isnull=False).exists()
    mine, _ = week_instance(staff=week.staff["therapist"], on=TODAY)
    assert mine.weights == district.weights()


def test_only_a_supervisor_resets_her_team_s(week):
    from schoolot.schedules.services import schedule_priorities_reset

    for role in ("admin", "therapist", "teacher"):
        with pytest.raises(PermissionDenied):
            schedule_priorities_reset(user=week.users[role])
    assert schedule_priorities_reset(user=week.users["supervisor"]) is False  # none to reset
