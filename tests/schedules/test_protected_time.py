"""A student's protected time (the reading block) kept up: shown by its days, removed by
those who may add it, and when it newly covers a weekly session, the therapist of that
session hears of it; every look and change is in the audit trail."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from schoolot.audit.models import AuditEvent
from schoolot.referrals.models import Notification
from schoolot.schedules.models import ProtectedBlock
from schoolot.schedules.services import protected_block_delete
from tests.factories import school_day_next, weekly_slot_make


def _block(**typed):
    data = {"reason": "Reading block", "start": "09:00", "end": "10:30", "weekdays": ["1", "3"]}
    data.update(typed)
    return data


def test_a_teachers_block_over_a_session_tells_its_therapist(client, week):
    own = week.students["own"]
    weekly_slot_make(world=week, weekday=1, start=dt.time(9, 15))
    # Wednesday is not a day of the block.
    weekly_slot_make(world=week, weekday=2, start=dt.time(9, 15))
    client.force_login(week.users["teacher"])
    response = client.post(reverse("protected_time", args=[own.pk]), _block(), follow=True)
    html = response.content.decode()
    assert "1 session of another therapist falls in it; the therapist was told." in html
    assert "Reading block: 9:00–10:30 AM" in html and "(Tue, Thu)" in html
    told = Notification.objects.get(user=week.users["therapist"])
    assert told.student == own
    assert told.text == (
        f"{own.full_name}'s new protected time, Reading block (Tue, Thu 9:00 AM–10:30 AM), "
        f"covers your session Tue 9:15 AM at {week.school.name}; Build my week moves it."
    )
    assert told.link == reverse("slot_list")
    assert Notification.objects.count() == 1  # no one else
    actions = list(
        AuditEvent.objects.filter(student=own, actor=week.users["teacher"])
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "view"]


def test_the_therapists_own_block_names_her_sessions_and_tells_no_one(client, week):
    own = week.students["own"]
    weekly_slot_make(world=week, weekday=1, start=dt.time(9, 15))
    weekly_slot_make(world=week, weekday=3, start=dt.time(10))
    client.force_login(week.users["therapist"])
    response = client.post(reverse("protected_time", args=[own.pk]), _block(), follow=True)
    html = response.content.decode()
    assert (
        f"It covers your 2 sessions (Tuesday 9:15 AM at {week.school.name}, Thursday 10:00 AM "
        f"at {week.school.name}); Build my week moves them."
    ) in html
    assert not Notification.objects.exists()
    # Clear of every session: nothing to move, no one to tell.
    response = client.post(
        reverse("protected_time", args=[own.pk]),
        _block(reason="Speech", start="13:00", end="13:30", weekdays=[]),
        follow=True,
    )
    html = response.content.decode()
    assert "Protected time added; the next week built keeps it free." in html
    assert 'Speech: 1:00–1:30 PM <span class="muted">(Every day)</span>' in html
    assert not Notification.objects.exists()


def test_protected_time_is_removed_by_those_who_may_add_it(client, week):
    own = week.students["own"]
    block = ProtectedBlock.objects.create(
        district=week.district,
        student=own,
        reason="Reading block",
        weekdays="1",
        start=dt.time(9),
        end=dt.time(10),
    )
    # Another teacher does not see the student: nothing to remove, and the page is not hers.
    assert (
        protected_block_delete(
            user=week.users["other_teacher"], student_id=own.pk, block_id=block.pk
        )
        is None
    )
    client.force_login(week.users["other_teacher"])
    url = reverse("protected_time", args=[own.pk])
    assert client.post(url, {"delete": block.pk}).status_code == 404
    with pytest.raises(PermissionDenied):
        protected_block_delete(user=week.users["parent"], student_id=own.pk, block_id=block.pk)
    assert ProtectedBlock.objects.filter(pk=block.pk).exists()
    # Through another student's page (one the admin sees), the block stays.
    other = week.students["other"]
    assert (
        protected_block_delete(user=week.users["admin"], student_id=other.pk, block_id=block.pk)
        is None
    )
    client.force_login(week.users["teacher"])
    response = client.post(url, {"delete": block.pk}, follow=True)
    html = response.content.decode()
    assert "Removed; the next week built may use that time." in html
    assert not ProtectedBlock.objects.exists()
    assert AuditEvent.objects.filter(
        student=own, actor=week.users["teacher"], action="delete"
    ).exists()
    response = client.post(url, {"delete": block.pk}, follow=True)
    assert "That protected time was already removed." in response.content.decode()


def test_today_marks_a_session_now_in_protected_time(client, week):
    own = week.students["own"]
    weekly_slot_make(world=week, weekday=1, start=dt.time(9, 15))
    weekly_slot_make(world=week, weekday=1, start=dt.time(13))
    client.force_login(week.users["teacher"])
    client.post(reverse("protected_time", args=[own.pk]), _block())
    tuesday = school_day_next(district=week.district, weekday=1)
    client.force_login(week.users["therapist"])
    page = client.get(reverse("today"), {"date": tuesday.isoformat()}).content.decode()
    assert page.count('class="clash"') == 1  # the 9:15, not the 1:00
    assert (
        f"Falls in {own.full_name}'s Reading block (9:00–10:30 AM), protected since your "
        "week was built: give it at another time;"
    ) in page
    wednesday = tuesday + dt.timedelta(days=1)
    page = client.get(reverse("today"), {"date": wednesday.isoformat()}).content.decode()
    assert 'class="clash"' not in page
