"""A supervisor makes an API token in the browser, sees it once, reads the API with it,
revokes it, and the API refuses it; the API's docs page works from the app's own files."""

import re

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from schoolot.accounts.models import User
from schoolot.core.access import students_visible_to
from schoolot.directory.seed import district_seed
from tests.browser.test_walking_skeleton import log_in


@pytest.fixture
def demo(transactional_db):
    return district_seed(size="small", seed=1, today=timezone.localdate(), history=False)


def test_a_token_made_read_with_and_revoked(page, demo):
    supervisor = User.objects.get(username="supervisor")
    log_in(page, "supervisor")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="API tokens").click()
    page.get_by_label("What it is for").fill("District data warehouse")
    page.get_by_label("Good for").select_option(label="30 days")
    page.get_by_role("button", name="Make the token").click()
    secret = page.locator("#token-secret").inner_text()
    assert re.fullmatch(r"sot_[\w-]{40,}", secret)
    row = page.get_by_role("row", name=re.compile("District data warehouse"))
    expect(row).to_contain_text(secret[:10])
    # Shown once: not on the page again.
    page.reload()
    expect(page.locator("#token-secret")).to_have_count(0)
    assert secret not in page.content()

    # As another system calls it: the token alone, without her login's cookie.
    system = Client()
    headers = {"Authorization": f"Bearer {secret}"}
    answer = system.get("/api/v1/students?limit=500", headers=headers)
    assert answer.status_code == 200
    assert answer.json()["count"] == students_visible_to(user=supervisor).count() > 0

    page.get_by_role("button", name="Revoke District data warehouse").click()
    expect(page.locator(".messages")).to_contain_text("revoked")
    expect(page.get_by_role("row", name=re.compile("District data warehouse"))).to_contain_text(
        "Revoked"
    )
    assert system.get("/api/v1/students", headers=headers).status_code == 401


def test_the_api_docs_page_lists_the_calls(page, demo):
    log_in(page, "therapist")
    page.goto("/api/v1/docs")
    expect(page.get_by_text("/api/v1/students/{student_id}/minutes")).to_be_visible()
    expect(page.get_by_text("/api/v1/sessions", exact=True)).to_be_visible()
