"""Each request runs in the time zone of the user's district (schoolot.core.timezones)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from schoolot.accounts.models import User
from schoolot.core.timezones import SESSION_KEY, DistrictTimeZoneMiddleware, zone_get

# UTC+14 against the site's America/Chicago (UTC-6 or -5): the two dates differ most of the day.
FAR = "Pacific/Kiritimati"


def _zone_of(session: dict) -> str:
    request = RequestFactory().get("/")
    request.session = session
    middleware = DistrictTimeZoneMiddleware(
        lambda request: HttpResponse(timezone.get_current_timezone_name())
    )
    name = middleware(request).content.decode()
    assert timezone.get_current_timezone_name() == "America/Chicago"  # nothing leaks after
    return name


@pytest.mark.parametrize(
    "session, zone",
    [
        ({SESSION_KEY: FAR}, FAR),
        ({SESSION_KEY: "America/New_York"}, "America/New_York"),
        ({}, "America/Chicago"),
        ({SESSION_KEY: "Mars/Olympus"}, "America/Chicago"),  # not a zone: the site's
        ({SESSION_KEY: ""}, "America/Chicago"),
    ],
)
def test_the_request_runs_in_the_sessions_district_zone(session, zone):
    assert _zone_of(session) == zone


def test_a_failing_view_does_not_leave_its_zone_behind():
    request = RequestFactory().get("/")
    request.session = {SESSION_KEY: FAR}

    def boom(request):
        raise RuntimeError("the view failed")

    with pytest.raises(RuntimeError):
        DistrictTimeZoneMiddleware(boom)(request)
    assert timezone.get_current_timezone_name() == "America/Chicago"


def test_zone_get():
    assert zone_get(name="Europe/Paris") == ZoneInfo("Europe/Paris")
    assert zone_get(name=None) == zone_get(name="../etc/passwd") == ZoneInfo("America/Chicago")


def test_login_remembers_the_districts_zone_and_today_follows_it(client, world):
    world.district.time_zone = FAR
    world.district.save(update_fields=["time_zone"])
    client.force_login(world.users["therapist"])
    assert client.session[SESSION_KEY] == FAR
    html = client.get(reverse("today")).content.decode()
    here = timezone.localdate(timezone=ZoneInfo(FAR))
    there = timezone.localdate()
    assert f"{here:%A}, {here:%b} {here.day}" in html
    if here != there:  # most of the day
        assert f"{there:%A}, {there:%b} {there.day}" not in html
    assert (here - there) in (dt.timedelta(0), dt.timedelta(days=1))


def test_a_user_without_a_district_stays_in_the_sites_zone(client, db):
    operator = User.objects.create_superuser(username="operator", password="x" * 12)
    client.force_login(operator)
    assert SESSION_KEY not in client.session
