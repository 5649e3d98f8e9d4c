"""The demo therapist logs a group session and a missed session from her day, and signs."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from schoolot.delivery.models import Session, SessionStudent, WeeklySlot
from schoolot.directory.models import SchoolYear, Staff, Student
from schoolot.directory.seed import district_seed
from schoolot.plans.models import ServiceMandate
from tests.browser.test_walking_skeleton import log_in


class Counter:
    """Counts the user's interactions (clicks, taps, fills) with the page."""

    def __init__(self, page):
        self.page = page
        self.count = 0

    def click(self, locator):
        self.count += 1
        locator.click()

    def fill(self, locator, value):
        self.count += 1
        locator.fill(value)


@pytest.fixture
def demo(transactional_db):
    return district_seed(size="small", seed=1, today=timezone.localdate(), history=False)


def school_day() -> dt.date:
    """Today, or the last day with instruction before it in the demo's calendar (Today
    offers no slot on a weekend, a break or a holiday, or outside the school year)."""
    day = timezone.localdate()
    year = SchoolYear.objects.filter(first_day__lte=day).prefetch_related("events").last()
    calendar = year.calendar()
    day = min(day, calendar.last_day)
    while not calendar.is_instructional(day):
        day -= dt.timedelta(days=1)
    return day


def group_slot(*, size: int, start: dt.time) -> WeeklySlot:
    """A slot today for `size` of the demo therapist's students at one school, group allowed."""
    therapist = Staff.objects.get(user__username="therapist")
    students = list(
        Student.objects.filter(
            assignments__staff=therapist, plans__status="active", plans__kind="iep"
        ).order_by("school_id", "pk")
    )
    by_school = {}
    for s in students:
        by_school.setdefault(s.school_id, []).append(s)
    chosen = next(group for group in by_school.values() if len(group) >= size)[:size]
    ServiceMandate.objects.filter(plan__student__in=chosen).update(
        group_allowed=True,
        max_group_size=3,
        service="ot",
        period="week",
        delivery_model="pull_out",
    )
    slot = WeeklySlot.objects.create(
        district=therapist.district,
        therapist=therapist,
        weekday=school_day().weekday(),
        start_time=start,
        end_time=(dt.datetime.combine(dt.date.today(), start) + dt.timedelta(minutes=30)).time(),
        school=chosen[0].school,
    )
    slot.students.set(chosen)
    return slot


def record_one_point(counter, block):
    """One data point for the student's first goal, whatever its measurement type."""
    goal = block.locator(".goal-data").first
    if goal.locator("button.step").count():
        # The tap buttons work once the page's deferred script has run.
        block.page.wait_for_load_state("load")
        counter.click(goal.get_by_role("button", name=re.compile("One more correct")))
        expect(goal.locator("input.tally").first).to_have_value("1")
    elif goal.locator("input[type=radio]").count():
        counter.click(goal.locator("label.tap").nth(1))
    else:
        counter.fill(goal.locator("input").first, "12")


def test_group_session_in_few_interactions(page, demo):
    slot = group_slot(size=3, start=dt.time(8, 0))
    day = school_day()
    log_in(page, "therapist")
    page.goto(f"/today/?date={day.isoformat()}")
    counter = Counter(page)
    counter.click(page.get_by_role("link", name="Log 8:00 session"))
    blocks = page.locator("fieldset.student-part")
    expect(blocks).to_have_count(3)
    for i in range(3):
        record_one_point(counter, blocks.nth(i))
    counter.click(page.get_by_role("button", name="Save and sign"))
    expect(page.locator(".messages")).to_contain_text("signed")
    assert counter.count <= 15, counter.count

    session = Session.objects.get(slot=slot, date=day)
    assert session.is_signed and session.kind == "group"
    entries = list(session.students.all())
    assert len(entries) == 3
    assert all(e.attendance == "present" for e in entries)
    assert all(e.data_points.count() == 1 for e in entries)
    assert all(list(e.codes.values_list("code", flat=True)) == ["97150"] for e in entries)
    # The Today page shows it done.
    expect(page.get_by_text("Logged and signed")).to_be_visible()


def test_missed_session_with_reason_and_makeup_owed(page, demo):
    slot = group_slot(size=1, start=dt.time(13, 0))
    student = slot.students.get()
    day = school_day()
    log_in(page, "therapist")
    page.goto(f"/today/?date={day.isoformat()}")
    page.get_by_role("link", name="Log 1:00 session").click()
    block = page.locator("fieldset.student-part")
    block.get_by_role("radio", name="Missed").check()
    block.get_by_text("Missed or make-up").click()
    block.get_by_label("Reason missed").select_option("student_unavailable")
    block.get_by_label("Make-up owed").check()
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".messages")).to_contain_text("draft")

    entry = SessionStudent.objects.get(student=student, date=day)
    assert entry.attendance == "missed" and entry.makeup_owed
    assert entry.missed_reason == "student_unavailable" and entry.minutes == 30

    # The unsigned note is a to-do; sign it from there.
    page.get_by_role("link", name="Notes to sign").click()
    page.get_by_role("link", name="Open note").first.click()
    page.get_by_role("button", name="Sign note").click()
    expect(page.locator(".messages")).to_contain_text("Note signed")
    expect(page.get_by_text("Signed", exact=True)).to_be_visible()


def test_bad_input_answers_in_place(page, demo):
    group_slot(size=1, start=dt.time(10, 0))
    day = school_day()
    log_in(page, "therapist")
    page.goto(f"/today/?date={day.isoformat()}")
    page.get_by_role("link", name="Log 10:00 session").click()
    page.get_by_label("End", exact=True).fill("09:00")
    page.get_by_role("button", name="Save and sign").click()
    expect(page.get_by_role("alert").first).to_contain_text("nothing was saved")
    expect(page.get_by_text("The session must end after it starts.")).to_be_visible()
    assert not Session.objects.exists()
