"""From a teacher's concern to a plan in effect, with the due dates shown at each step."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from schoolot.directory.models import Student
from schoolot.directory.seed import district_seed
from schoolot.plans.models import Plan
from schoolot.referrals.models import Evaluation
from tests.browser.test_walking_skeleton import log_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def demo(transactional_db):
    return district_seed(size="small", seed=1, today=timezone.localdate(), history=False)


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login/"))


def test_teacher_referral_to_active_plan(page, demo, tmp_path):
    student = (
        Student.objects.filter(
            enrollments__school_class__teacher__user__username="teacher", plans__isnull=True
        )
        .order_by("last_name")
        .first()
    )
    sample = tmp_path / "copying-sample.pdf"
    sample.write_bytes(PDF)

    # The teacher refers.
    log_in(page, "teacher")
    page.get_by_role("link", name="Referrals").click()
    page.get_by_role("link", name="Refer a student").click()
    page.get_by_label("Student", exact=True).select_option(str(student.pk))
    page.get_by_label("What worries you?", exact=True).fill(
        "Cannot keep up with copying from the board."
    )
    first = page.locator(".concern").first
    first.get_by_label("Area", exact=True).select_option("fine_motor")
    first.get_by_label("Example", exact=True).fill("Copies 3 words a minute; letters collide.")
    first.get_by_label("Classroom", exact=True).check()
    strategy = page.locator(".strategy").first
    strategy.get_by_label("Strategy tried", exact=True).fill("Near-point copy on the desk")
    strategy.get_by_label("From", exact=True).fill(
        (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    )
    strategy.get_by_label("What happened", exact=True).fill("A little faster, still illegible.")
    page.get_by_label("Work samples", exact=True).set_input_files(str(sample))
    page.get_by_role("button", name="Send referral").click()
    expect(page.get_by_role("heading", name="Status: Waiting for triage")).to_be_visible()
    expect(page.get_by_role("link", name="copying-sample.pdf")).to_be_visible()
    referral_url = page.url
    log_out(page)

    # The OT supervisor triages to evaluation and records the consent.
    log_in(page, "supervisor")
    page.goto(referral_url)
    page.get_by_label("Evaluate: request the parent's consent", exact=True).check()
    page.get_by_role("button", name="Record triage").click()
    expect(page.get_by_text("Consent to initial evaluation: requested")).to_be_visible()
    page.get_by_label("Received", exact=True).check()
    page.get_by_role("button", name="Record answer").click()
    expect(
        page.get_by_text(re.compile(r"Consent to initial evaluation: requested .*, received"))
    ).to_be_visible()

    # Plan the evaluation: the due date appears.
    page.get_by_label("Handwriting and fine motor", exact=True).check()
    page.get_by_label("Tools", exact=True).fill("BOT-2 short form, Beery VMI, ETCH")
    page.get_by_role("button", name="Plan evaluation").click()
    evaluation = Evaluation.objects.get()
    due_text = f"{evaluation.due_on:%b} {evaluation.due_on.day}, {evaluation.due_on.year}"
    expect(page.locator(".steps")).to_contain_text(f"Evaluation due {due_text}")

    page.get_by_label("Tool", exact=True).fill("Beery VMI")
    page.get_by_label("Standard score", exact=True).fill("78")
    page.get_by_label("Percentile", exact=True).fill("7")
    page.get_by_role("button", name="Add score").click()
    expect(page.get_by_role("table", name="Standardized scores")).to_contain_text("Beery VMI")
    page.get_by_label("Summary and recommendations", exact=True).fill(
        "Visual-motor integration well below age; direct OT recommended."
    )
    page.get_by_role("button", name="Complete evaluation").click()

    # Eligibility: IEP; the IEP meeting due date appears.
    page.get_by_label("Eligible: IEP with OT as a related service", exact=True).check()
    page.get_by_label("Team present", exact=True).fill("Parent\nSpecial education teacher\nOT")
    page.get_by_role("button", name="Record eligibility").click()
    expect(page.locator(".steps")).to_contain_text("IEP meeting due")

    # Consent to services, then build the IEP.
    page.get_by_role("button", name="Request consent").click()
    page.get_by_label("Received", exact=True).check()
    page.get_by_role("button", name="Record answer").click()
    expect(page.locator(".steps")).to_contain_text("Consent to initial services")
    page.get_by_role("link", name="Build the IEP").click()
    expect(page.locator(".lead")).to_contain_text("annual review due")

    goal = page.locator("form", has=page.get_by_role("heading", name="Add a goal"))
    goal.get_by_label("Domain", exact=True).select_option("fine_motor")
    goal.get_by_label("Text", exact=True).fill(
        f"Given a slant board, {student.first_name} will copy a 3-sentence paragraph with 90% "
        "letter legibility in 4 of 5 trials."
    )
    goal.get_by_label("Baseline", exact=True).fill("40% legible letters")
    goal.get_by_label("Measurement type", exact=True).select_option("legibility")
    goal.get_by_label("Target value", exact=True).fill("90")
    goal.get_by_role("button", name="Add goal").click()
    expect(page.get_by_role("region", name="Goals")).to_contain_text("slant board")

    service = page.locator("form", has=page.get_by_role("heading", name="Add a service"))
    service.get_by_label("Delivery model", exact=True).select_option("pull_out")
    service.get_by_label("Minutes per session", exact=True).fill("30")
    service.get_by_label("Sessions per period", exact=True).fill("2")
    service.get_by_label("Period", exact=True).select_option("week")
    service.get_by_label("Setting", exact=True).select_option("therapy_room")
    service.get_by_role("button", name="Add mandate").click()
    expect(page.get_by_role("region", name="Services")).to_contain_text("2 x 30 min weekly")

    page.get_by_role("button", name="Put the plan in effect").click()
    expect(page.locator(".steps")).to_contain_text("annual review due")
    page.get_by_role("link", name="Open the student's record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(student.full_name)
    expect(page.get_by_role("heading", name="Goals")).to_be_visible()
    expect(page.locator("body")).to_contain_text("slant board")
    assert Plan.objects.filter(
        student=student, status="active", kind="iep", goals__isnull=False
    ).exists()
    log_out(page)

    # The teacher sees the status and due dates, not the scores.
    log_in(page, "teacher")
    page.goto(referral_url)
    expect(page.locator(".steps")).to_contain_text(f"Evaluation due {due_text}")
    expect(page.locator("body")).not_to_contain_text("Beery VMI")
