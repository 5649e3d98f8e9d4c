"""A team member's week, to read: her OT supervisor, an administrator, and, for a COTA, her
supervising OTR see what My week shows her, without what changes it; nobody else finds it.
The page's queries do not grow with her week."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schoolot.delivery.models import WeeklySlot
from tests.factories import weekly_slot_make


def _url(world, whose):
    return reverse("staff_week", args=[world.staff[whose].pk])


@pytest.mark.parametrize(
    ("who", "whose", "status"),
    [
        ("supervisor", "therapist", 200),
        ("supervisor", "cota", 200),
        ("supervisor", "other_therapist", 404),  # another team
        ("other_supervisor", "therapist", 404),
        ("other_supervisor", "other_therapist", 200),
        ("admin", "therapist", 200),
        ("admin", "other_therapist", 200),
        ("therapist", "cota", 200),  # the COTA she supervises
        ("therapist", "other_therapist", 404),
        ("cota", "therapist", 404),
        ("other_therapist", "therapist", 404),
        ("teacher", "therapist", 404),
        ("parent", "therapist", 404),
        ("admin", "teacher", 404),  # not a therapist: no week
        ("therapist", "therapist", 302),  # her own: My week
    ],
)
def test_who_reads_a_team_members_week(client, world, who, whose, status):
    client.force_login(world.users[who])
    response = client.get(_url(world, whose))
    assert response.status_code == status
    if status == 302:
        assert response.url == reverse("slot_list")


def test_another_districts_therapist_is_not_there(client, world, elsewhere):
    client.force_login(world.users["admin"])
    assert client.get(_url(elsewhere, "therapist")).status_code == 404


def test_her_week_reads_without_what_changes_it(client, world):
    world.staff["therapist"].schools.add(world.school)
    slot = weekly_slot_make(world=world, weekday=1, start=dt.time(9), locked=True)
    client.force_login(world.users["supervisor"])
    page = client.get(_url(world, "therapist")).content.decode()
    name = world.users["therapist"].display_name
    assert f"{name}&#x27;s week" in page or f"{name}'s week" in page
    assert world.students["own"].full_name in page and f'id="slot-{slot.pk}"' in page
    assert "🔒 Locked" in page
    for changes in (
        "Build my week",
        "Move and lock",
        "Add a recurring session",
        reverse("slot_lock", args=[slot.pk]),
        reverse("slot_delete", args=[slot.pk]),
        "Get a calendar address",
    ):
        assert changes not in page, changes
    # Her week breaks no rule and lacks her student's second session: the check says so.
    assert "Her week against today" in page


def test_the_district_page_and_my_week_lead_to_it(client, world):
    client.force_login(world.users["supervisor"])
    district = client.get(reverse("schedules_district")).content.decode()
    assert f'href="{_url(world, "therapist")}"' in district
    assert f'href="{_url(world, "cota")}"' in district
    client.force_login(world.users["therapist"])
    mine = client.get(reverse("slot_list")).content.decode()
    assert f'href="{_url(world, "cota")}"' in mine
    client.force_login(world.users["cota"])
    assert 'id="cota-weeks"' not in client.get(reverse("slot_list")).content.decode()


def test_the_page_reads_in_fixed_queries(client, world, django_assert_max_num_queries):
    world.staff["therapist"].schools.add(world.school)
    client.force_login(world.users["supervisor"])
    weekly_slot_make(world=world, weekday=0, start=dt.time(9))
    with CaptureQueriesContext(connection) as one:
        assert client.get(_url(world, "therapist")).status_code == 200
    for day in range(5):
        for hour in (10, 11, 13):
            weekly_slot_make(world=world, weekday=day, start=dt.time(hour))
    assert WeeklySlot.objects.count() == 16
    with django_assert_max_num_queries(len(one)):
        assert client.get(_url(world, "therapist")).status_code == 200


@pytest.mark.parametrize(
    ("who", "status"), [("supervisor", 302), ("admin", 302), ("other_supervisor", 404)]
)
def test_her_supervisor_builds_her_week_and_she_is_told(client, world, who, status):
    from schoolot.audit.models import AuditEvent
    from schoolot.referrals.models import Notification
    from schoolot.schedules.models import WeekBuild

    world.staff["therapist"].schools.add(world.school)
    therapist = world.staff["therapist"]
    client.force_login(world.users[who])
    response = client.post(reverse("week_build"), {"staff": therapist.pk, "seconds": "5"})
    assert response.status_code == status
    if status != 302:
        assert not WeeklySlot.objects.exists() and not WeekBuild.objects.exists()
        return
    assert response.url == _url(world, "therapist")
    build = WeekBuild.objects.get()
    assert (build.staff, build.started_by) == (therapist, world.users[who])
    slots = WeeklySlot.objects.filter(therapist=therapist)
    assert slots.exists()  # her student's mandated sessions placed
    (told,) = Notification.objects.filter(user=world.users["therapist"])
    assert told.text.startswith(f"{world.users[who].display_name} rebuilt your week for you")
    events = AuditEvent.objects.filter(student=world.students["own"], action="update")
    assert events.exists() and all(e.actor == world.users[who] for e in events)
    page = client.get(response.url).content.decode()
    assert "minutes placed. She is told when it changes her sessions." in page
    assert "Build her week" in page


def test_her_own_build_is_hers(client, world):
    from schoolot.schedules.models import WeekBuild

    world.staff["therapist"].schools.add(world.school)
    client.force_login(world.users["therapist"])
    own = client.post(reverse("week_build"), {"staff": world.staff["therapist"].pk, "seconds": "5"})
    assert own.url == reverse("slot_list")
    assert WeekBuild.objects.get().started_by is None
    assert client.post(reverse("week_build"), {"staff": "junk"}).status_code == 404


def test_a_build_she_asked_for_a_member_is_followed_and_cancelled_there(client, world, queued):
    """With a task worker, the member's week shows the build running and polls it, as My
    week does; whoever started it cancels it there, and the week is not written."""
    from schoolot.schedules.models import WeekBuild
    from schoolot.schedules.tasks import week_build

    world.staff["therapist"].schools.add(world.school)
    therapist = world.staff["therapist"]
    url = _url(world, "therapist")
    client.force_login(world.users["supervisor"])
    page = client.post(
        reverse("week_build"), {"staff": therapist.pk, "seconds": "3"}, follow=True
    ).content.decode()
    build = WeekBuild.objects.get()
    assert build.status == "queued"
    assert "Building her week" in page and f"by {world.users['supervisor'].display_name}" in page
    assert f'hx-get="{url}?partial=building"' in page
    assert reverse("week_build_cancel", args=[build.pk]) in page
    polled = client.get(url, {"partial": "building"}, HTTP_HX_REQUEST="true")
    assert 'id="building"' in polled.content.decode() and "HX-Refresh" not in polled

    # She reads the build on My week, with its cancel (her week), and who started it.
    client.force_login(world.users["therapist"])
    mine = client.get(reverse("slot_list")).content.decode()
    assert "Building your week" in mine and reverse("week_build_cancel", args=[build.pk]) in mine

    # Her other supervisor or a colleague neither sees it nor cancels it.
    client.force_login(world.users["other_supervisor"])
    assert client.get(url, {"partial": "building"}, HTTP_HX_REQUEST="true").status_code == 404
    client.post(reverse("week_build_cancel", args=[build.pk]), {"staff": therapist.pk})
    build.refresh_from_db()
    assert build.status == "queued"

    client.force_login(world.users["supervisor"])
    response = client.post(
        reverse("week_build_cancel", args=[build.pk]), {"staff": therapist.pk}, follow=True
    )
    assert response.redirect_chain[-1][0] == url
    assert "Build cancelled; her week stays as it was." in response.content.decode()
    build.refresh_from_db()
    assert build.status == "cancelled"
    polled = client.get(url, {"partial": "building"}, HTTP_HX_REQUEST="true")
    assert polled["HX-Refresh"] == "true"
    assert week_build.call(build_id=build.pk) == 0
    assert not WeeklySlot.objects.filter(therapist=therapist).exists()


def test_a_build_she_started_herself_is_not_the_supervisors_to_cancel(client, world, queued):
    from schoolot.schedules.models import WeekBuild

    world.staff["therapist"].schools.add(world.school)
    client.force_login(world.users["therapist"])
    client.post(reverse("week_build"), {"seconds": "3"})
    build = WeekBuild.objects.get()
    client.force_login(world.users["supervisor"])
    page = client.get(_url(world, "therapist")).content.decode()
    assert "Building her week" in page
    assert reverse("week_build_cancel", args=[build.pk]) not in page  # hers to cancel
    client.post(reverse("week_build_cancel", args=[build.pk]), {"staff": build.staff_id})
    build.refresh_from_db()
    assert build.status == "queued"
