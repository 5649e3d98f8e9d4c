"""The therapist builds her week, locks a session, re-solves, and the locked one is kept;
fixed time set on My hours is kept free."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from schoolot.delivery.models import WeeklySlot
from schoolot.directory.seed import DEMO_PASSWORD, district_seed
from tests.browser.test_walking_skeleton import log_in
from tests.factories import school_day_next


@pytest.fixture
def demo(transactional_db):
    return district_seed(size="small", seed=1, today=timezone.localdate(), history=False)


def test_lock_resolve_kept(page, demo):
    log_in(page, "therapist")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My week").click()
    page.get_by_role("button", name="Build my week").click()
    expect(page.get_by_role("heading", name=re.compile("Last build"))).to_be_visible()
    first = (
        WeeklySlot.objects.filter(therapist__user__username="therapist")
        .order_by("weekday", "start_time")
        .first()
    )
    page.get_by_role("button", name=f"Lock {first}").click()
    expect(page.get_by_role("button", name=f"Unlock {first}")).to_be_visible()
    page.get_by_role("button", name="Build my week").click()
    expect(page.get_by_role("heading", name=re.compile("Last build"))).to_be_visible()
    kept = WeeklySlot.objects.get(pk=first.pk)
    assert kept.locked and (kept.weekday, kept.start_time) == (first.weekday, first.start_time)
    expect(page.get_by_role("button", name=f"Unlock {first}")).to_be_visible()


def test_fixed_time_set_on_my_hours_is_kept_free(page, demo):
    log_in(page, "therapist")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My week").click()
    page.get_by_role("button", name="Build my week").click()
    expect(page.get_by_role("heading", name=re.compile("Last build"))).to_be_visible()
    slots = WeeklySlot.objects.filter(therapist__user__username="therapist", cycle_week=None)
    busiest = max(range(5), key=lambda d: slots.filter(weekday=d).count())
    first = slots.filter(weekday=busiest).order_by("start_time").first()
    page.get_by_role("link", name=re.compile("your hours")).click()
    fixed = page.locator("form", has=page.get_by_role("heading", name="Add fixed time"))
    fixed.get_by_label("What").fill("Team meeting")
    fixed.get_by_label(WeeklySlot.Weekday(busiest).label[:3], exact=True).check()
    fixed.get_by_label("Start").fill(first.start_time.strftime("%H:%M"))
    fixed.get_by_label("End").fill(first.end_time.strftime("%H:%M"))
    fixed.get_by_role("button", name="Add").click()
    expect(page.get_by_text(re.compile("Build my week moves (it|them)"))).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Team meeting")).to_be_visible()
    page.get_by_role("link", name="My week").first.click()
    page.get_by_role("button", name="Build my week").click()
    expect(page.get_by_role("heading", name=re.compile("Last build"))).to_be_visible()
    assert not slots.filter(
        weekday=busiest, start_time__lt=first.end_time, end_time__gt=first.start_time
    ).exists()


def test_a_meeting_on_a_date_is_marked_on_today_and_logged_as_missed(page, demo, monkeypatch):
    from schoolot.delivery.models import Session, SessionStudent

    log_in(page, "therapist")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My week").click()
    page.get_by_role("button", name="Build my week").click()
    expect(page.get_by_role("heading", name=re.compile("Last build"))).to_be_visible()
    slot = (
        WeeklySlot.objects.filter(therapist__user__username="therapist", cycle_week=None)
        .order_by("weekday", "start_time")
        .first()
    )
    day = school_day_next(district=demo, weekday=slot.weekday, after=timezone.localdate())
    page.get_by_role("link", name=re.compile("your hours")).click()
    fixed = page.locator("form", has=page.get_by_role("heading", name="Add fixed time"))
    fixed.get_by_label("What").fill("Annual review")
    fixed.get_by_label("Start").fill(slot.start_time.strftime("%H:%M"))
    fixed.get_by_label("End").fill(slot.end_time.strftime("%H:%M"))
    fixed.get_by_label("Or on one date").fill(day.isoformat())
    fixed.get_by_role("button", name="Add").click()
    expect(page.get_by_text(re.compile("that day's Today marks it"))).to_be_visible()

    # On the day itself (the live server runs in this process).
    monkeypatch.setattr(timezone, "localdate", lambda *a: day)
    page.goto(f"{page.url.split('/week/')[0]}/today/")
    card = page.get_by_role("listitem").filter(has_text="Falls in Annual review")
    expect(card).to_be_visible()
    card.get_by_role("link", name=re.compile("as missed")).click()
    student = slot.students.order_by("pk").first()
    expect(page.locator(f"input[name='s{student.pk}-attendance'][value='missed']")).to_be_checked()
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_role("link", name="Logged (draft)")).to_be_visible()
    expect(page.get_by_text("Falls in Annual review")).to_have_count(0)
    entry = SessionStudent.objects.get(session__date=day, student=student)
    assert (entry.attendance, entry.missed_reason, entry.makeup_owed) == (
        "missed",
        "therapist_pulled",
        True,
    )
    assert Session.objects.filter(date=day, slot=slot).count() == 1


def test_a_refused_move_says_why_beside_the_form_and_keeps_her_choice(page, demo):
    log_in(page, "therapist")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My week").click()
    page.get_by_role("button", name="Build my week").click()
    expect(page.get_by_role("heading", name=re.compile("Last build"))).to_be_visible()
    slots = WeeklySlot.objects.filter(therapist__user__username="therapist", cycle_week=None)
    first, second = slots.order_by("weekday", "start_time")[:2]
    card = page.get_by_role("listitem").filter(has=page.get_by_role("button", name=f"Lock {first}"))
    card.get_by_text("Move", exact=True).click()
    card.get_by_label("Day", exact=True).select_option(str(second.weekday))
    taken = second.start_time.strftime("%H:%M")
    card.get_by_label("Start").fill(taken)
    card.get_by_role("button", name="Move and lock").click()
    card = page.get_by_role("listitem").filter(has=page.get_by_role("button", name=f"Lock {first}"))
    expect(card.get_by_role("alert")).to_contain_text("This overlaps another of your sessions.")
    expect(card.get_by_label("Start")).to_have_value(taken)  # her choice kept, form open
    moved = WeeklySlot.objects.get(pk=first.pk)
    assert (moved.weekday, moved.start_time, moved.locked) == (
        first.weekday,
        first.start_time,
        False,
    )


def test_a_session_of_every_rotation_week_is_one_card_and_locks_as_one(page, demo):
    """A session at one time in each week of the rotation (8 a quarter is 4 a rotation): My
    week shows it once, and its Lock locks all four slots."""
    import datetime as dt

    from schoolot.schedules.selectors import rotation_every_week, session_alike

    log_in(page, "therapist")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My week").click()
    page.get_by_role("button", name="Build my week").click()
    expect(page.get_by_role("heading", name=re.compile("Last build"))).to_be_visible()
    mine = WeeklySlot.objects.filter(therapist__user__username="therapist")
    base = mine.filter(cycle_week=None).order_by("pk").first()
    for week in (1, 2, 3, 4):
        copy = WeeklySlot.objects.create(
            district=base.district,
            therapist=base.therapist,
            school=base.school,
            setting=base.setting,
            weekday=base.weekday,
            cycle_week=week,
            start_time=dt.time(15, 10),
            end_time=dt.time(15, 40),
        )
        copy.students.set(base.students.all())
    sets = rotation_every_week(list(mine.prefetch_related("students")), alike=session_alike)
    first = next(same[0] for same in sets if same[0].start_time == dt.time(15, 10))
    page.reload()
    lock = page.get_by_role("button", name=f"Lock {first}, every week of the rotation")
    expect(lock).to_have_count(1)
    expect(page.locator(".week-slot.every-week")).to_have_count(len(sets))
    lock.click()
    expect(
        page.get_by_role("button", name=f"Unlock {first}, every week of the rotation")
    ).to_be_visible()
    assert mine.filter(start_time=dt.time(15, 10), locked=True).count() == 4


def test_a_build_is_put_back(page, demo):
    def week():
        return sorted(
            (s.weekday, s.cycle_week, s.start_time, s.school_id, s.locked)
            for s in WeeklySlot.objects.filter(therapist__user__username="therapist")
        )

    log_in(page, "therapist")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My week").click()
    before = week()
    page.get_by_role("button", name="Build my week").click()
    expect(page.get_by_role("heading", name=re.compile("Last build"))).to_be_visible()
    expect(page.get_by_text(re.compile("What it changed|It changed no student"))).to_be_visible()
    page.get_by_role("button", name="Put back the week before this build").click()
    expect(
        page.get_by_text(re.compile("Your week is back as it was before the build"))
    ).to_be_visible()
    expect(page.get_by_role("button", name="Put back the week before this build")).to_have_count(0)
    assert week() == before


def test_time_away_reaches_the_teachers_week(page, demo):
    """She enters next week as time away; a teacher whose student she sees then reads, on
    her students' page, that OT with her is not held those days."""
    import datetime as dt

    from schoolot.referrals.models import Notification

    log_in(page, "therapist")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My week").click()
    page.get_by_role("button", name="Build my week").click()
    expect(page.get_by_role("heading", name=re.compile("Last build"))).to_be_visible()
    page.get_by_role("link", name="Time away").first.click()
    today = timezone.localdate()
    monday = today + dt.timedelta(days=7 - today.weekday())
    page.get_by_label("First day").fill(monday.isoformat())
    page.get_by_label("Last day").fill((monday + dt.timedelta(days=4)).isoformat())
    page.get_by_label("Note").fill("State OT conference")
    page.get_by_role("button", name="Save and tell them").click()
    expect(page.locator(".messages")).to_contain_text(re.compile(r"Saved: \d+ sessions? not held"))
    expect(page.locator("#away-coming")).to_contain_text("State OT conference")
    told = Notification.objects.filter(text__contains="is away (State OT conference)")
    teacher = told.filter(user__role="teacher").select_related("user").first().user
    teacher.set_password(DEMO_PASSWORD)  # one of the district's teachers, not a demo login
    teacher.save()
    page.get_by_role("button", name=re.compile("Log out")).click()
    log_in(page, teacher.username)
    page.goto("/caseload/?week=next")
    expect(page.locator(".ot-week")).to_contain_text("is away (State OT conference)")


def _first_weekly_slot():
    """Her first weekly session of the week (the build's), by day and time."""
    return (
        WeeklySlot.objects.filter(therapist__user__username="therapist", cycle_week=None)
        .order_by("weekday", "start_time")
        .first()
    )


class _TryOnly(Exception):
    """Rolls back a move tried only to learn that it is accepted."""


def _move_accepted(*, slot, user):
    """The first (weekday, start) on another day that the server accepts for `slot`."""
    import datetime as dt

    from django.core.exceptions import ValidationError
    from django.db import transaction

    from schoolot.delivery import services

    for weekday in (d for d in range(5) if d != slot.weekday):
        for minute in range(8 * 60, 15 * 60, 5):
            start = dt.time(minute // 60, minute % 60)
            try:
                with transaction.atomic():
                    services.weekly_slots_move(
                        user=user,
                        slots=[WeeklySlot.objects.get(pk=slot.pk)],
                        weekday=weekday,
                        start_time=start,
                    )
                    raise _TryOnly
            except _TryOnly:
                return weekday, start
            except ValidationError:
                continue
    raise AssertionError("no accepted move for the test's session")


def _drag(page, *, slot, weekday, start):
    """Drag `slot`'s block on the calendar so that its top lands at `start` on `weekday`."""
    grid = page.locator("#week-cal")
    first = int(grid.get_attribute("data-first"))
    minutes = int(grid.get_attribute("data-minutes"))
    block = page.locator(f"a.week-slot[data-slot='{slot.pk}']").bounding_box()
    body = page.locator(f".week-col[data-weekday='{weekday}'] .week-body").bounding_box()
    grab = 4  # pressed 4 px below the block's top
    x = body["x"] + body["width"] / 2
    y = body["y"] + (start.hour * 60 + start.minute - first) * body["height"] / minutes + grab
    page.mouse.move(block["x"] + block["width"] / 2, block["y"] + grab)
    page.mouse.down()
    page.mouse.move(x, y, steps=8)
    page.mouse.up()


def _week_built(page):
    log_in(page, "therapist")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My week").click()
    page.get_by_role("button", name="Build my week").click()
    expect(page.get_by_role("heading", name=re.compile("Last build"))).to_be_visible()
    expect(page.locator("#drag-hint")).to_be_visible()  # the script is running


def test_a_session_dragged_on_the_calendar_moves_there_and_is_locked(page, demo):
    _week_built(page)
    slot = _first_weekly_slot()
    weekday, start = _move_accepted(slot=slot, user=slot.therapist.user)
    _drag(page, slot=slot, weekday=weekday, start=start)
    expect(page.get_by_role("status").filter(has_text="and locked")).to_be_visible()
    assert page.url.endswith("/week/#week-cal")  # back at the calendar
    moved = WeeklySlot.objects.get(pk=slot.pk)
    assert (moved.weekday, moved.start_time, moved.locked) == (weekday, start, True)
    day = page.locator(f".week-col[data-weekday='{weekday}']")
    expect(day.locator(f"a.week-slot.locked[data-slot='{slot.pk}']")).to_be_visible()


def test_a_drag_the_server_refuses_opens_the_move_form_with_the_reasons(page, demo):
    _week_built(page)
    slots = WeeklySlot.objects.filter(therapist__user__username="therapist", cycle_week=None)
    first = slots.order_by("weekday", "start_time").first()
    other = slots.exclude(weekday=first.weekday).order_by("weekday", "start_time").first()
    _drag(page, slot=first, weekday=other.weekday, start=other.start_time)
    card = page.locator(f"#slot-{first.pk}")
    expect(card.get_by_role("alert")).to_contain_text("This overlaps another of your sessions.")
    expect(card.get_by_label("Start")).to_be_in_viewport()  # shown, not left below the fold
    expect(card.get_by_label("Start")).to_have_value(other.start_time.strftime("%H:%M"))
    expect(card.get_by_label("Day", exact=True)).to_have_value(str(other.weekday))
    kept = WeeklySlot.objects.get(pk=first.pk)
    assert (kept.weekday, kept.start_time, kept.locked) == (first.weekday, first.start_time, False)


def test_a_click_on_a_block_still_leads_to_its_card_and_a_short_drag_moves_nothing(page, demo):
    _week_built(page)
    slot = _first_weekly_slot()
    block = page.locator(f"a.week-slot[data-slot='{slot.pk}']")
    box = block.bounding_box()
    page.mouse.move(box["x"] + 10, box["y"] + 4)
    page.mouse.down()
    page.mouse.move(box["x"] + 12, box["y"] + 6)  # under the 5 px a drag needs
    page.mouse.up()
    expect(page).to_have_url(re.compile(f"#slot-{slot.pk}$"))
    assert WeeklySlot.objects.get(pk=slot.pk).start_time == slot.start_time
    expect(page.locator(".drag-tip")).to_have_count(0)


def test_while_she_drags_the_places_it_may_go_are_shaded_and_escape_puts_it_back(page, demo):
    _week_built(page)
    slot = _first_weekly_slot()
    box = page.locator(f"a.week-slot[data-slot='{slot.pk}']").bounding_box()
    page.mouse.move(box["x"] + 10, box["y"] + 4)
    page.mouse.down()
    page.mouse.move(box["x"] + 10, box["y"] + 60, steps=5)
    expect(page.locator(".drop-place").first).to_be_attached()
    expect(page.locator(".drag-tip")).to_contain_text(re.compile("core instruction|not open"))
    page.keyboard.press("Escape")
    expect(page.locator(".drop-place")).to_have_count(0)
    expect(page.locator(".drag-tip")).to_have_count(0)
    page.mouse.up()
    kept = WeeklySlot.objects.get(pk=slot.pk)
    assert (kept.weekday, kept.start_time, kept.locked) == (slot.weekday, slot.start_time, False)


def test_a_click_on_a_free_time_starts_a_new_session_there(page, demo):
    _week_built(page)
    body = page.locator(".week-col[data-weekday='2'] .week-body")
    grid = page.locator("#week-cal")
    first = int(grid.get_attribute("data-first"))
    minutes = int(grid.get_attribute("data-minutes"))
    box = body.bounding_box()
    # The middle of a free 5 minutes of Wednesday (nothing drawn there), nearest its bottom.
    start = page.evaluate(
        """([x, top, height, first, minutes]) => {
          for (let m = first + minutes - 5 - (first + minutes) % 5; m >= first; m -= 5) {
            const y = top + ((m + 2.5 - first) * height) / minutes;
            const hit = document.elementFromPoint(x, y);
            if (hit && hit.matches(".week-col[data-weekday='2'] .week-body")) return m;
          }
          return null;
        }""",
        [box["x"] + 4, box["y"], box["height"], first, minutes],
    )
    assert start is not None
    page.mouse.click(box["x"] + 4, box["y"] + (start + 2.5 - first) * box["height"] / minutes)
    form = page.locator("#add-slot")
    expect(form.get_by_label("Weekday")).to_have_value("2")
    expect(form.get_by_label("Start")).to_have_value(f"{start // 60:02d}:{start % 60:02d}")
    end = start + 30
    expect(form.get_by_label("End")).to_have_value(f"{end // 60:02d}:{end % 60:02d}")
    expect(form.get_by_role("heading", name="Add a recurring session")).to_be_in_viewport()


@pytest.fixture
def tablet_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 820, "height": 1180}, has_touch=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def _touch(cdp, kind, x=None, y=None):
    """One touch event, as a finger on the screen makes it (Chromium's DevTools protocol:
    Playwright's own touchscreen only taps)."""
    points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
    cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})


def test_on_a_tablet_a_session_held_a_moment_is_dragged_to_its_new_time(tablet_page, demo):
    page = tablet_page
    _week_built(page)
    slot = _first_weekly_slot()
    weekday, start = _move_accepted(slot=slot, user=slot.therapist.user)
    grid = page.locator("#week-cal")
    first = int(grid.get_attribute("data-first"))
    minutes = int(grid.get_attribute("data-minutes"))
    block = page.locator(f"a.week-slot[data-slot='{slot.pk}']").bounding_box()
    body = page.locator(f".week-col[data-weekday='{weekday}'] .week-body").bounding_box()
    x0, y0 = block["x"] + block["width"] / 2, block["y"] + 4
    x1 = body["x"] + body["width"] / 2
    y1 = body["y"] + (start.hour * 60 + start.minute - first) * body["height"] / minutes + 4
    cdp = page.context.new_cdp_session(page)
    _touch(cdp, "touchStart", x0, y0)
    page.wait_for_timeout(700)  # held: picked up
    expect(page.locator(f"a.week-slot.dragging[data-slot='{slot.pk}']")).to_be_visible()
    for i in range(1, 9):
        _touch(cdp, "touchMove", x0 + (x1 - x0) * i / 8, y0 + (y1 - y0) * i / 8)
    _touch(cdp, "touchEnd")
    expect(page.get_by_role("status").filter(has_text="and locked")).to_be_visible()
    moved = WeeklySlot.objects.get(pk=slot.pk)
    assert (moved.weekday, moved.start_time, moved.locked) == (weekday, start, True)


def test_on_a_tablet_a_quick_swipe_over_a_session_moves_nothing(tablet_page, demo):
    page = tablet_page
    _week_built(page)
    slot = _first_weekly_slot()
    block = page.locator(f"a.week-slot[data-slot='{slot.pk}']").bounding_box()
    x0, y0 = block["x"] + block["width"] / 2, block["y"] + 4
    cdp = page.context.new_cdp_session(page)
    _touch(cdp, "touchStart", x0, y0)
    for i in range(1, 6):
        _touch(cdp, "touchMove", x0, y0 + 30 * i)  # at once: a swipe
    _touch(cdp, "touchEnd")
    page.wait_for_timeout(700)
    expect(page.locator(".week-slot.dragging")).to_have_count(0)
    expect(page.locator(".drag-tip")).to_have_count(0)
    kept = WeeklySlot.objects.get(pk=slot.pk)
    assert (kept.weekday, kept.start_time, kept.locked) == (slot.weekday, slot.start_time, False)


def test_on_a_phone_the_calendar_fits_the_screen(phone_page, demo):
    """Five days side by side in 390 px: the days go by their short names, each within its
    column, and the last day ends within the screen."""
    page = phone_page
    _week_built(page)
    friday = page.locator(".week-col[data-weekday='4']").bounding_box()
    assert friday["x"] + friday["width"] <= page.viewport_size["width"]
    expect(page.locator(".week-col[data-weekday='2'] .day-short")).to_be_visible()
    expect(page.locator(".week-col[data-weekday='2'] .day-long")).to_be_hidden()
    overflowing = page.evaluate(
        """[...document.querySelectorAll(".week-col[data-weekday] .week-day")]
             .filter((day) => day.scrollWidth > day.clientWidth).length"""
    )
    assert overflowing == 0
