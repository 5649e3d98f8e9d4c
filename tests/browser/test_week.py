"""The therapist builds her week, locks a session, re-solves, and the locked one is kept."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from schoolot.delivery.models import WeeklySlot
from schoolot.directory.seed import district_seed
from tests.browser.test_walking_skeleton import log_in


@pytest.fixture
def demo(transactional_db):
    return district_seed(size="small", seed=1, today=timezone.localdate(), history=False)


def test_lock_resolve_kept(page, demo):
    log_in(page, "therapist")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My week").click()
    page.get_by_role("button", name="Build my week").click()
    expect(page.get_by_role("heading", name=re.compile("Last build"))).to_be_visible()
    first = (
        WeeklySlot.objects.filter(therapist__user__username="therapist")
        .order_by("weekday", "start_time")
        .first()
    )
    page.get_by_role("button", name=f"Lock {first}").click()
    expect(page.get_by_role("button", name=f"Unlock {first}")).to_be_visible()
    page.get_by_role("button", name="Build my week").click()
    expect(page.get_by_role("heading", name=re.compile("Last build"))).to_be_visible()
    kept = WeeklySlot.objects.get(pk=first.pk)
    assert kept.locked and (kept.weekday, kept.start_time) == (first.weekday, first.start_time)
    expect(page.get_by_role("button", name=f"Unlock {first}")).to_be_visible()
