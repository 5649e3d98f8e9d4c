"""The demo therapist logs in, opens her caseload, opens a student, logs out."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from schoolot.directory.models import Student
from schoolot.directory.seed import DEMO_PASSWORD, district_seed


@pytest.fixture
def demo(transactional_db):
    return district_seed(size="small", seed=1, today=dt.date.today())


def log_in(page, username):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_therapist_caseload_student_logout(page, demo):
    log_in(page, "therapist")
    expect(page).to_have_url(re.compile(r"/today/"))
    page.get_by_role("link", name="My caseload").click()
    expect(page).to_have_url(re.compile(r"/caseload/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    # Grouped by school, mandates in words.
    expect(page.locator("section.school-group h2").first).to_be_visible()
    expect(page.locator(".mandates li").first).to_contain_text(
        re.compile(r"\d+ min (weekly|monthly|quarterly|yearly)")
    )

    # Search narrows the list in place (htmx), and the URL keeps the search.
    student = (
        Student.objects.filter(assignments__staff__user__username="therapist")
        .order_by("last_name")
        .first()
    )
    page.get_by_label("Search").fill(student.last_name)
    expect(page).to_have_url(re.compile(r"q=" + student.last_name))
    expect(page.get_by_role("link", name=student.full_name).first).to_be_visible()

    page.get_by_role("link", name=student.full_name).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(student.full_name)
    expect(page.get_by_role("heading", name="Goals")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Accommodations and classroom strategies")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Student and family")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login/"))
    page.goto(f"/students/{student.pk}/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))


def test_teacher_sees_the_classroom_view_only(page, demo):
    log_in(page, "teacher")
    expect(page.get_by_role("heading", level=1)).to_have_text("Students in my classes")
    page.locator("a.student-name").first.click()
    expect(
        page.get_by_role("heading", name="Accommodations and classroom strategies")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Goals")).to_have_count(0)
    expect(page.get_by_role("heading", name="Student and family")).to_have_count(0)


def test_every_printed_login_works(page, demo):
    for username in ["admin", "supervisor", "therapist", "cota", "teacher", "parent"]:
        log_in(page, username)
        expect(page.locator("h1")).to_be_visible()
        page.goto("/caseload/")
        expect(page.locator("a.student-name").first).to_be_visible()
        page.get_by_role("button", name="Log out").click()
        expect(page).to_have_url(re.compile(r"/login/"))


def test_caseload_is_usable_on_a_phone(phone_page, demo):
    log_in(phone_page, "therapist")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the caseload scrolls sideways on a phone ({width}px)"
    # Keyboard: the skip link is the first stop and leads to the content.
    phone_page.keyboard.press("Tab")
    focused = phone_page.evaluate("document.activeElement.textContent")
    assert "Skip" in focused
