"""Each request in the time zone of the user's district.

`District.time_zone` (an IANA name such as "America/New_York") is remembered in the session
when a user logs in (one read of the district, then none per request), and the middleware
activates it for each of her requests, so "today", due dates and times on pages are the
district's. Without a district (the platform operator), before the next login after a
deploy, or with a name that is not a time zone, requests stay in the site's TIME_ZONE. A
district that changes its zone reaches each user at her next login.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

SESSION_KEY = "district_time_zone"


def zone_get(*, name: str | None) -> ZoneInfo:
    """The time zone called `name`; the site's own when it is blank or not a known one."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo(settings.TIME_ZONE)


@receiver(user_logged_in, dispatch_uid="schoolot.core.timezones.remember")
def _remember(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
    district = user.district if user.district_id else None
    if district is None:
        session.pop(SESSION_KEY, None)
    else:
        session[SESSION_KEY] = district.time_zone


class DistrictTimeZoneMiddleware:
    """Activates the session's district time zone for the request (after the session and
    authentication middleware); the site's zone otherwise. Never leaks to the next request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        name = session.get(SESSION_KEY) if session is not None else None
        if name:
            timezone.activate(zone_get(name=name))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
