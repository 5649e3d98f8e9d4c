"""The therapist drafts her caseload's reports as a batch, reviews and signs one and opens its
PDF; the parent then sees that signed report, and nothing unsigned."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from schoolot.directory.models import Student
from schoolot.directory.seed import district_seed
from schoolot.progress.models import ProgressReport
from tests.browser.test_walking_skeleton import log_in


@pytest.fixture
def demo(transactional_db):
    return district_seed(size="small", seed=1, today=timezone.localdate())


def test_batch_review_sign_pdf_and_the_parent(page, demo):
    child, other_child = Student.objects.filter(guardians__user__username="parent").order_by("pk")[
        :2
    ]
    log_in(page, "therapist")
    page.get_by_role("link", name="Progress reports").click()
    page.get_by_role("button", name=re.compile(r"Draft all \d+ reports")).click()
    expect(page.locator("#batch")).to_contain_text("Finished")
    row = page.get_by_role("row").filter(has_text=child.full_name)
    row.get_by_role("link", name="Review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(child.full_name)
    narrative = page.locator("textarea[name^=narrative-]").first
    expect(narrative).to_contain_text("OT sessions this period")
    narrative.fill("Reviewed by the OT: steady gains with the slant board.")
    page.get_by_role("button", name="Save and sign").click()
    expect(page.locator(".messages")).to_contain_text("Report signed")
    response = page.request.get(page.get_by_role("link", name="Report (PDF)").get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    report = ProgressReport.objects.get(student=child)
    assert report.is_signed
    page.get_by_role("button", name="Log out").click()

    log_in(page, "parent")
    page.goto(f"/students/{child.pk}/progress/")
    link = page.get_by_role("link", name="Open the report (PDF)")
    expect(link).to_have_count(1)
    response = page.request.get(link.get_attribute("href"))
    assert response.ok and response.body().startswith(b"%PDF")
    page.goto(f"/students/{other_child.pk}/progress/")
    expect(page.get_by_role("link", name="Open the report (PDF)")).to_have_count(0)
    assert page.request.get(f"/reports/{report.pk}/").status == 404
