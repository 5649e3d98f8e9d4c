"""A make-up owed, given a time in the browser: from Today to the times, one held, and the
session logged from it with what it makes up."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from schoolot.accounts.models import User
from schoolot.directory.seed import district_seed
from schoolot.schedules.makeups import makeups_owed_get
from schoolot.schedules.models import Commitment
from tests.browser.test_walking_skeleton import log_in


@pytest.fixture
def demo(transactional_db):
    return district_seed(size="small", seed=1, today=timezone.localdate())


def test_a_make_up_owed_gets_a_time_held(page, demo):
    staff = User.objects.get(username="therapist").staff
    owed = list(makeups_owed_get(staff=staff))
    if not owed:
        pytest.skip("the demo's therapist owes no make-up")
    first = owed[0]
    log_in(page, "therapist")
    page.get_by_role("link", name="make-ups owed").click()
    expect(page.get_by_role("heading", name="Make-ups owed")).to_be_visible()
    page.get_by_role(
        "link", name=f"Find a time for {first.student.full_name}'s make-up"
    ).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(first.student.full_name)
    hold = page.get_by_role("button", name="Hold").first
    if not hold.count():
        pytest.skip("no time fits in the demo's next two weeks")
    hold.click()
    expect(page.locator("body")).to_contain_text(f"for {first.student.full_name}'s make-up")
    held = Commitment.objects.get(makeup_for=first)
    expect(page.locator("body")).to_contain_text(held.label)
