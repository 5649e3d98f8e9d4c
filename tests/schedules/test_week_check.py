"""My week checked against today's records (schedules.week_check): a built week passes; a
changed mandate, new protected time, a student gone from the caseload, or hours that moved
under a locked session show on the page, each once, with what to do."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from schoolot.delivery.models import WeeklySlot
from schoolot.directory.models import CaseloadAssignment
from schoolot.plans.models import ServiceMandate
from schoolot.schedules.models import Availability, ProtectedBlock
from schoolot.schedules.services import week_solve
from schoolot.schedules.week_check import week_check_get
from tests.factories import plan_make, rotation_mandate_make, student_make

TODAY = timezone.localdate()


def _page(client, week) -> str:
    client.force_login(week.users["therapist"])
    return client.get(reverse("slot_list")).content.decode()


def _slot(week, *, weekday, start=dt.time(9), locked=False, student="own"):
    slot = WeeklySlot.objects.create(
        district=week.district,
        therapist=week.staff["therapist"],
        weekday=weekday,
        start_time=start,
        end_time=(dt.datetime.combine(TODAY, start) + dt.timedelta(minutes=30)).time(),
        school=week.school,
        locked=locked,
    )
    slot.students.add(week.students[student])
    return slot


def test_a_built_week_holds_to_the_records(client, week):
    week_solve(user=week.users["therapist"], on=TODAY, time_limit=3)
    assert not week_check_get(staff=week.staff["therapist"], on=TODAY)
    assert "against today's records" not in _page(client, week)


def test_a_mandate_asking_more_shows_the_week_short(client, week):
    _slot(week, weekday=0)
    _slot(week, weekday=3)
    assert not week_check_get(staff=week.staff["therapist"], on=TODAY)
    ServiceMandate.objects.filter(plan__student=week.students["own"]).update(sessions_per_period=3)
    page = _page(client, week)
    assert "Fewer sessions than the mandate asks:" in page
    assert f"{week.students['own'].full_name}: 2 of 3 sessions a week (30 min)" in page
    assert "Build my week builds a new week from today's records" in page


def test_protected_time_added_after_the_build_is_named(client, week):
    _slot(week, weekday=0)
    _slot(week, weekday=3)
    ProtectedBlock.objects.create(
        district=week.district,
        student=week.students["own"],
        reason="Reading block",
        weekdays="0",
        start=dt.time(8, 30),
        end=dt.time(10),
    )
    check = week_check_get(staff=week.staff["therapist"], on=TODAY)
    name = week.students["own"].full_name
    assert check.problems == [f"Mon 09:00-09:30: in {name}'s protected time (Reading block)."]
    assert not check.short and not check.strays and not check.locked_problem
    assert "It breaks 1 rule:" in _page(client, week)


def test_a_student_gone_from_her_caseload_is_named(client, week):
    _slot(week, weekday=0)
    _slot(week, weekday=3)
    CaseloadAssignment.objects.filter(
        student=week.students["own"], staff=week.staff["therapist"]
    ).update(end_date=TODAY - dt.timedelta(days=1))
    check = week_check_get(staff=week.staff["therapist"], on=TODAY)
    name = week.students["own"].full_name
    assert [(slot.weekday, names) for slot, names in check.strays] == [(0, [name]), (3, [name])]
    page = _page(client, week)
    assert "not yours to schedule now" in page and f"Monday 9:00 AM: {name}" in page


def test_hours_moved_under_a_locked_session_ask_her_to_act(client, week):
    _slot(week, weekday=0, locked=True)
    _slot(week, weekday=3)
    therapist = week.staff["therapist"]
    for weekday in range(5):  # from now on, only afternoons
        Availability.objects.create(
            district=week.district,
            staff=therapist,
            weekday=weekday,
            start=dt.time(12),
            end=dt.time(16),
        )
    check = week_check_get(staff=therapist, on=TODAY)
    assert len(check.problems) == 2 and check.locked_problem
    assert all("is not available" in p for p in check.problems)
    assert "move or unlock them, then build" in _page(client, week)


def test_the_check_costs_the_same_queries_for_a_bigger_week(client, week):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(week.users["therapist"])
    counts = []
    for i in range(12):
        student = student_make(
            district=week.district, school=week.school, first=f"Extra{i}", last="Ng"
        )
        plan_make(student=student)
        CaseloadAssignment.objects.create(
            district=week.district,
            student=student,
            staff=week.staff["therapist"],
            start_date=TODAY - dt.timedelta(days=30),
        )
        week.students[f"extra{i}"] = student
        _slot(week, weekday=i % 5, start=dt.time(8 + i // 5, 30), student=f"extra{i}")
        if i in (1, 11):
            with CaptureQueriesContext(connection) as queries:
                page = client.get(reverse("slot_list")).content.decode()
            counts.append(len(queries))
    assert "Fewer sessions than the mandate asks:" in page  # each has 1 of 2: checked, listed
    assert counts[0] == counts[1] <= 40, counts


def test_a_session_at_a_school_no_longer_hers_is_named(week):
    slot = _slot(week, weekday=0)
    slot.school = week.other_school  # neither hers nor her student's now
    slot.save()
    _slot(week, weekday=3)
    check = week_check_get(staff=week.staff["therapist"], on=TODAY)
    assert check.problems == [
        f"Mon 09:00-09:30: at {week.other_school.name}, no longer one of your schools or "
        "your students'."
    ]
    assert check.short[0].held == 1  # that session no longer counts for the mandate


def test_the_rotation_is_checked_too(client, week):
    """Monthly sessions (in one week of the 4-week rotation) are judged against the rotation
    around the week: a built one passes; protected time over one of them is named with its
    week; a mandate asking more shows the rotation short."""
    own = week.students["own"]
    rotation_mandate_make(student=own, sessions=2)
    run = week_solve(user=week.users["therapist"], on=TODAY, time_limit=6)
    assert not run.unplaced
    therapist = week.staff["therapist"]
    assert not week_check_get(staff=therapist, on=TODAY)
    monthly = WeeklySlot.objects.filter(therapist=therapist, cycle_week__isnull=False)
    slot = monthly.order_by("cycle_week").first()
    ProtectedBlock.objects.create(
        district=week.district,
        student=own,
        reason="Speech",
        weekdays=str(slot.weekday),
        start=slot.start_time,
        end=slot.end_time,
    )
    ServiceMandate.objects.filter(plan__student=own, period="month").update(sessions_per_period=3)
    check = week_check_get(staff=therapist, on=TODAY)
    day = ["Mon", "Tue", "Wed", "Thu", "Fri"][slot.weekday]
    expected = (
        f"{day} (week {slot.cycle_week}) {slot.start_time:%H:%M}-{slot.end_time:%H:%M}: "
        f"in {own.full_name}'s protected time (Speech)."
    )
    assert expected in check.problems
    assert all("(week " in p for p in check.problems)  # the weekly sessions are clear of it
    assert [(s.per, s.asked, s.held, s.minutes) for s in check.short] == [("rotation", 3, 2, 45)]
    assert "2 of 3 sessions in the 4-week rotation (45 min)" in _page(client, week)
