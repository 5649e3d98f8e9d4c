"""The drives of her week recorded as travel in one step, in the browser."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from schoolot.accounts.models import User
from schoolot.compliance.workload import drives_to_record_get
from schoolot.directory.seed import district_seed
from tests.browser.test_walking_skeleton import log_in


@pytest.fixture
def demo(transactional_db):
    return district_seed(size="small", seed=1, today=timezone.localdate())


def test_the_drives_of_her_week_recorded_as_travel_in_one_step(page, demo):
    offered = drives_to_record_get(
        user=User.objects.get(username="therapist"), on=timezone.localdate()
    )
    if not offered:  # the whole last week closed (a break): nothing to offer, rightly
        pytest.skip("no school day with driving in the last seven days of the demo calendar")
    first = offered[0]
    log_in(page, "therapist")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Workload").click()
    drives = page.get_by_role("region", name="Drives to record")
    expect(drives).to_contain_text(f"{first.minutes} min driving")
    blocks = f"Record {first.blocks} block{'s' if first.blocks > 1 else ''} of travel"
    drives.get_by_role("button", name=blocks).first.click()
    expect(page.locator("body")).to_contain_text("Time recorded.")
    expect(page.locator("body")).to_contain_text(
        re.compile(rf"{first.date:%a %b} {first.date.day}: Travel, {first.blocks * 15} min")
    )
    # The day is recorded, so it is no longer offered.
    assert first.date not in [
        d.date
        for d in drives_to_record_get(
            user=User.objects.get(username="therapist"), on=timezone.localdate()
        )
    ]
