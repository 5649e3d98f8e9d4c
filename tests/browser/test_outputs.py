"""The demo therapist logs a group session, a missed session and a consultation, signs them,
and finds each in the service log, the billing export (with its units) and the timesheet."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from schoolot.directory.models import Student
from schoolot.directory.seed import district_seed
from tests.browser.test_session_logging import (
    Counter,
    group_slot,
    record_one_point,
    school_day,
)
from tests.browser.test_walking_skeleton import log_in


@pytest.fixture
def demo(transactional_db):
    return district_seed(size="small", seed=1, today=timezone.localdate(), history=False)


def download_rows(page, link_name):
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    path = info.value.path()
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(io.StringIO(handle.read())))


def test_one_entry_every_output(page, demo):
    day = school_day()
    group = group_slot(size=3, start=dt.time(8, 0))
    members = list(group.students.order_by("pk"))
    Student.objects.filter(pk__in=[s.pk for s in members]).update(
        medicaid_id="1234567890", medicaid_billing_consent=day - dt.timedelta(days=60)
    )
    single = group_slot(size=1, start=dt.time(13, 0))
    absent = single.students.get()

    log_in(page, "therapist")
    page.goto(f"/today/?date={day.isoformat()}")
    # The group, signed.
    page.get_by_role("link", name="Log 8:00 session").click()
    blocks = page.locator("fieldset.student-part")
    for i in range(3):
        record_one_point(Counter(page), blocks.nth(i))
    page.get_by_role("button", name="Save and sign").click()
    expect(page.locator(".messages")).to_contain_text("signed")
    # The missed session, signed.
    page.get_by_role("link", name="Log 1:00 session").click()
    block = page.locator("fieldset.student-part")
    block.get_by_role("radio", name="Missed").check()
    block.get_by_text("Missed or make-up").click()
    block.get_by_label("Reason missed").select_option("student_absent")
    page.get_by_role("button", name="Save and sign").click()
    expect(page.locator(".messages")).to_contain_text("signed")
    # A consultation about one of the group.
    page.get_by_role("link", name="Consultations").click()
    page.get_by_role("link", name="Log a consultation").click()
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Start").fill("14:30")
    page.get_by_label("End", exact=True).fill("14:50")
    page.get_by_label("With", exact=True).fill("Ms. Alicia Moreno")
    page.get_by_label(members[0].full_name, exact=False).first.check()
    page.get_by_label("Topic").fill("Seating during writing")
    page.get_by_label("Strategies recommended").fill("Feet flat on a box; slant board.")
    page.get_by_role("button", name="Save consultation").click()
    expect(page.locator(".messages")).to_contain_text("Consultation with Ms. Alicia Moreno")

    # Service log of the first group member: the session and the consultation.
    page.goto(f"/students/{members[0].pk}/service-log/?start={day}&end={day}")
    expect(page.get_by_role("table", name="Sessions")).to_contain_text("Group")
    expect(page.get_by_role("table", name="Consultations")).to_contain_text("Ms. Alicia Moreno")
    page.goto(f"/students/{absent.pk}/service-log/?start={day}&end={day}")
    expect(page.get_by_role("table", name="Sessions")).to_contain_text("Student absent")

    # Billing: three group lines of 97150, one unit each; the absence and the consultation
    # are exceptions with their reasons.
    page.goto(f"/billing/?start={day}&end={day}")
    rows = download_rows(page, "Download the billing file (CSV)")
    assert sorted((r["student"], r["service_code"], r["units"]) for r in rows) == sorted(
        (s.full_name, "97150", "1") for s in members
    )
    exceptions = download_rows(page, "Download the exceptions (CSV)")
    reasons = " ".join(r["reasons"] for r in exceptions)
    assert "missed session: no service delivered" in reasons
    assert "consultation is not billable" in reasons

    # Timesheet: one session delivered (the group, 30 minutes once), one missed, 20 minutes
    # of consultation.
    page.goto(f"/timesheet/?start={day}&end={day}")
    rows = download_rows(page, "Download as CSV")
    assert [
        (r["sessions"], r["direct_minutes"], r["missed_sessions"], r["consultation_minutes"])
        for r in rows
    ] == [("1", "30", "1", "20")]
