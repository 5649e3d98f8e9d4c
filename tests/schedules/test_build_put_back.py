"""A build replaced her week: she sees whose sessions it changed, and may put back the week
before it while her week is still as the build wrote it."""

import datetime as dt

from django.urls import reverse

from schoolot.delivery.models import WeeklySlot
from schoolot.delivery.services import weekly_slots_lock
from schoolot.referrals.models import Notification
from schoolot.schedules.models import ProtectedBlock, ScheduleRun
from schoolot.schedules.services import week_solve
from tests.factories import TODAY, weekly_slot_make


def _week(staff):
    return sorted(
        (
            s.weekday,
            s.start_time,
            s.end_time,
            s.locked,
            tuple(sorted(x.pk for x in s.students.all())),
        )
        for s in WeeklySlot.objects.filter(therapist=staff).prefetch_related("students")
    )


def _build(week):
    run = week_solve(user=week.users["therapist"], on=TODAY, time_limit=3)
    assert run.written_state and run.placed_minutes == run.required_minutes
    return run


def test_a_build_says_whose_sessions_it_changed_and_can_be_put_back(client, week):
    staff, own = week.staff["therapist"], week.students["own"]
    weekly_slot_make(world=week, weekday=0, start=dt.time(8))  # hers by hand, unlocked
    locked = weekly_slot_make(world=week, weekday=2, start=dt.time(10), locked=True)
    # Her teacher has since protected Monday at 8: the build moves that session.
    ProtectedBlock.objects.create(
        district=week.district,
        student=own,
        reason="Reading block",
        weekdays="0",
        start=dt.time(8),
        end=dt.time(8, 30),
    )
    before = _week(staff)
    run = _build(week)
    assert _week(staff) != before
    (change,) = [c for c in run.changes if c["student"] == own.pk]
    assert change["before"] == ["Mon 8:00–8:30 AM", "Wed 10:00–10:30 AM"]
    assert len(change["after"]) == 2 and "Wed 10:00–10:30 AM" in change["after"]
    client.force_login(week.users["therapist"])
    page = client.get(reverse("slot_list")).content.decode()
    assert "What it changed: the weekly sessions of 1 student" in page
    assert own.full_name in page and "Mon 8:00–8:30 AM; Wed 10:00–10:30 AM" in page
    url = reverse("week_put_back", args=[run.pk])
    assert f'action="{url}"' in page
    Notification.objects.all().delete()
    response = client.post(url, follow=True)
    assert "Your week is back as it was before the build" in response.content.decode()
    assert _week(staff) == before
    assert WeeklySlot.objects.filter(pk=locked.pk).exists()  # her locked one never moved
    run.refresh_from_db()
    assert run.put_back_at is not None
    teacher = Notification.objects.get(user=week.users["teacher"])
    assert own.first_name in teacher.text
    # Once only: the button is gone and a second try changes nothing.
    page = client.get(reverse("slot_list")).content.decode()
    assert f'action="{url}"' not in page and "was put back on" in page
    response = client.post(url, follow=True)
    assert "already back" in response.content.decode()
    assert _week(staff) == before


def test_a_week_changed_since_the_build_is_not_put_back(client, week):
    staff = week.staff["therapist"]
    weekly_slot_make(world=week, weekday=0, start=dt.time(8))
    run = _build(week)
    built = WeeklySlot.objects.filter(therapist=staff).first()
    weekly_slots_lock(user=week.users["therapist"], slots=[built], locked=True)
    after = _week(staff)
    client.force_login(week.users["therapist"])
    url = reverse("week_put_back", args=[run.pk])
    assert f'action="{url}"' not in client.get(reverse("slot_list")).content.decode()
    response = client.post(url, follow=True)
    assert "Your week has changed since that build" in response.content.decode()
    assert _week(staff) == after
    assert ScheduleRun.objects.get(pk=run.pk).put_back_at is None


def test_only_she_puts_back_her_week(client, week):
    run = _build(week)
    for who in ("other_therapist", "cota"):
        client.force_login(week.users[who])
        assert client.post(reverse("week_put_back", args=[run.pk])).status_code == 404
    for who in ("supervisor", "teacher", "parent"):
        client.force_login(week.users[who])
        assert client.post(reverse("week_put_back", args=[run.pk])).status_code == 403
    client.force_login(week.users["therapist"])
    assert client.get(reverse("week_put_back", args=[run.pk])).status_code == 405
    assert ScheduleRun.objects.get(pk=run.pk).put_back_at is None


def test_sessions_in_words_count_a_rotation_session_of_every_week_as_weekly():
    from schoolot.schedules.services import _sessions_words

    t = dt.time
    every_week = [(2, week, t(8), t(8, 30)) for week in (1, 2, 3, 4)]
    assert _sessions_words(
        [
            *every_week,
            (0, None, t(9), t(9, 30)),
            (1, 2, t(10), t(10, 30)),
            (1, 4, t(10), t(10, 30)),
            (3, 1, t(13), t(13, 30)),
        ]
    ) == [
        "Mon 9:00–9:30 AM",
        "Tue 10:00–10:30 AM (weeks 2 and 4 of the rotation)",
        "Wed 8:00–8:30 AM",
        "Thu 1:00–1:30 PM (week 1 of the rotation)",
    ]


def test_a_build_superseded_since_leaves_the_last_written_one_to_put_back(client, week):
    run = _build(week)
    ScheduleRun.objects.create(
        district=week.district,
        staff=week.staff["therapist"],
        status=ScheduleRun.SUPERSEDED,
        note="Not written: your week changed while it was being built.",
    )
    client.force_login(week.users["therapist"])
    page = client.get(reverse("slot_list")).content.decode()
    assert f'action="{reverse("week_put_back", args=[run.pk])}"' in page
    assert "Put back the week before the build of" in page
