"""The three dashboards in the browser, on the demo district with its history."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from schoolot.directory.seed import district_seed
from tests.browser.test_walking_skeleton import log_in


@pytest.fixture
def demo(transactional_db):
    return district_seed(size="small", seed=1, today=timezone.localdate())


def test_therapist_supervisor_and_district(page, demo):
    log_in(page, "therapist")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("My dashboard")
    expect(page.locator("body")).to_contain_text(re.compile(r"Required \d+"))
    expect(page.get_by_role("heading", name="Due dates")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    log_in(page, "supervisor")
    page.get_by_role("link", name="Dashboard").click()
    table = page.get_by_role("table", name="Per therapist, current period of each mandate")
    expect(table).to_contain_text("Rosa Delgado")
    expect(table.locator("svg").first).to_be_attached()
    page.get_by_role("button", name="Log out").click()

    log_in(page, "admin")
    page.get_by_role("link", name="Dashboard").click()
    table = page.get_by_role("table", name="Per school, current period of each mandate")
    expect(table.locator("tbody tr")).to_have_count(3)
    page.get_by_role("link", name="By therapist").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Team dashboard")
