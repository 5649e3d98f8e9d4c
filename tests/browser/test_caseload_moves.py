"""A supervisor covers a therapist's leave from the caseload list, and an OTR gives chosen
students to her COTA, in the browser: the list's buttons reach the right page with the
right students, and the change lands."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from schoolot.core.access import current_assignments
from schoolot.directory.models import Staff
from schoolot.directory.seed import district_seed
from tests.browser.test_walking_skeleton import log_in


@pytest.fixture
def demo(transactional_db):
    return district_seed(size="small", seed=1, today=timezone.localdate(), history=False)


def test_a_supervisor_covers_a_leave_for_a_whole_caseload(page, demo):
    rosa = Staff.objects.get(user__username="therapist")
    cover = Staff.objects.get(is_contractor=True, credential=Staff.Credential.OTR)
    theirs = set(
        current_assignments()
        .filter(staff=rosa, role="primary_otr")
        .values_list("student_id", flat=True)
    )
    today = timezone.localdate()
    last = today + dt.timedelta(days=20)
    log_in(page, "supervisor")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Students").click()
    page.get_by_label("Therapist").select_option(label=str(rosa))
    page.get_by_role("button", name="Apply").click()
    # The filter swaps the list in place (htmx): wait for the swap, or the click may land
    # on the unfiltered list's button just as it is replaced.
    expect(page).to_have_url(re.compile(rf"therapist={rosa.pk}"))
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)
    page.get_by_role("button", name=re.compile(r"Move all \d+ listed \(or cover them\)")).click()
    expect(
        page.get_by_role("heading", name=re.compile(r"Move \d+ students to another OTR"))
    ).to_be_visible()
    page.get_by_label("To").select_option(value=str(cover.pk))
    page.get_by_label("Until (a cover)").fill(last.isoformat())
    page.get_by_role("button", name="Move").click()
    expect(
        page.get_by_text(re.compile(rf"move to {cover.user.display_name} today until"))
    ).to_be_visible()
    during = set(
        current_assignments(on=today)
        .filter(staff=cover, role="primary_otr")
        .values_list("student_id", flat=True)
    )
    after = set(
        current_assignments(on=last + dt.timedelta(days=1))
        .filter(staff=rosa, role="primary_otr")
        .values_list("student_id", flat=True)
    )
    assert during == theirs == after and len(theirs) > 1


def test_an_otr_gives_chosen_students_to_her_cota(page, demo):
    rosa = Staff.objects.get(user__username="therapist")
    ben = Staff.objects.get(user__username="cota")
    mine = list(
        current_assignments()
        .filter(staff=rosa, role="primary_otr")
        .exclude(student__assignments__role="cota")
        .select_related("student")
        .order_by("student__last_name", "student__first_name")[:2]
    )
    log_in(page, "therapist")
    page.get_by_role("link", name="My caseload").click()
    for a in mine:
        page.get_by_label(f"Choose {a.student.full_name}").check()
    page.get_by_role("button", name="Give the chosen students to a COTA or take them back…").click()
    expect(page.get_by_role("heading", name="Give 2 students to a COTA")).to_be_visible()
    page.get_by_label("COTA", exact=True).select_option(value=str(ben.pk))
    page.get_by_role("button", name="Give to the COTA").click()
    expect(
        page.get_by_text(re.compile(rf"2 students are served by {ben.user.display_name}"))
    ).to_be_visible()
    for a in mine:
        held = current_assignments().filter(student=a.student, role="cota")
        assert [x.staff for x in held] == [ben]
