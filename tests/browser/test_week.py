"""The therapist builds her week, locks a session, re-solves, and the locked one is kept;
fixed time set on My hours is kept free."""

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


def test_fixed_time_set_on_my_hours_is_kept_free(page, demo):
    log_in(page, "therapist")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My week").click()
    page.get_by_role("button", name="Build my week").click()
    expect(page.get_by_role("heading", name=re.compile("Last build"))).to_be_visible()
    slots = WeeklySlot.objects.filter(therapist__user__username="therapist", cycle_week=None)
    busiest = max(range(5), key=lambda d: slots.filter(weekday=d).count())
    first = slots.filter(weekday=busiest).order_by("start_time").first()
    page.get_by_role("link", name=re.compile("your hours")).click()
    fixed = page.locator("form", has=page.get_by_role("heading", name="Add fixed time"))
    fixed.get_by_label("What").fill("Team meeting")
    fixed.get_by_label(WeeklySlot.Weekday(busiest).label[:3], exact=True).check()
    fixed.get_by_label("Start").fill(first.start_time.strftime("%H:%M"))
    fixed.get_by_label("End").fill(first.end_time.strftime("%H:%M"))
    fixed.get_by_role("button", name="Add").click()
    expect(page.get_by_text(re.compile("Build my week moves (it|them)"))).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Team meeting")).to_be_visible()
    page.get_by_role("link", name="My week").first.click()
    page.get_by_role("button", name="Build my week").click()
    expect(page.get_by_role("heading", name=re.compile("Last build"))).to_be_visible()
    assert not slots.filter(
        weekday=busiest, start_time__lt=first.end_time, end_time__gt=first.start_time
    ).exists()
