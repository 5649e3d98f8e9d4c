"""The Schedules page (supervisor, administrator) shows which weeks no longer hold to the
records: each build records its week's check, and a task checks every week the user
oversees, with progress; the page lists what each failing week breaks, at a constant number
of queries, and only for her own team."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from schoolot.accounts.models import Role
from schoolot.plans.models import ServiceMandate
from schoolot.schedules.models import DistrictSolve, ProtectedBlock, WeekCheckResult
from schoolot.schedules.services import week_solve
from schoolot.schedules.tasks import district_check
from tests.factories import staff_make, weekly_slot_make

TODAY = timezone.localdate()


def _check_all(client, user) -> str:
    client.force_login(user)
    response = client.post(reverse("schedules_district_start"), {"kind": "check"})
    assert response.status_code == 302
    return client.get(reverse("schedules_district")).content.decode()


def test_a_build_records_that_its_week_holds(client, week):
    week_solve(user=week.users["therapist"], on=TODAY, time_limit=2)
    result = WeekCheckResult.objects.get(staff=week.staff["therapist"])
    assert result.holds and result.checked_on == TODAY
    client.force_login(week.users["supervisor"])
    assert "Holds <span" in client.get(reverse("schedules_district")).content.decode()


def test_checking_all_weeks_names_what_each_breaks(client, week):
    own = week.students["own"]
    weekly_slot_make(world=week, weekday=0, start=dt.time(9))
    weekly_slot_make(world=week, weekday=3, start=dt.time(9))
    ProtectedBlock.objects.create(  # a teacher's reading block, after the week was set
        district=week.district,
        student=own,
        reason="Reading block",
        weekdays="0",
        start=dt.time(9),
        end=dt.time(10),
    )
    ServiceMandate.objects.filter(plan__student=own).update(sessions_per_period=3)
    page = _check_all(client, week.users["supervisor"])
    run = DistrictSolve.objects.get()
    assert (run.kind, run.status, run.done, run.total) == ("check", "finished", 2, 2)
    assert "2 of 2 weeks checked" in page
    assert "2 weeks no longer hold to the records" in page
    result = WeekCheckResult.objects.get(staff=week.staff["therapist"])
    assert result.problems == [
        f"Mon 09:00-09:30: in {own.full_name}'s protected time (Reading block)."
    ]
    assert result.short == [f"{own.full_name}: 2 of 3 sessions a week (30 min)"]
    assert "1 rule broken; 1 mandate short of sessions" in page
    assert escape(result.problems[0]) in page and result.short[0] in page
    # The COTA has set no week yet for her student: short, nothing broken.
    cota = WeekCheckResult.objects.get(staff=week.staff["cota"])
    assert cota.short == [f"{week.students['cota'].full_name}: 0 of 2 sessions a week (30 min)"]
    assert not cota.problems
    # Fixed: the next check says so, on the same row.
    ProtectedBlock.objects.all().delete()
    ServiceMandate.objects.filter(plan__student=own).update(sessions_per_period=2)
    page = _check_all(client, week.users["supervisor"])
    assert WeekCheckResult.objects.get(staff=week.staff["therapist"]).holds
    assert "1 week no longer holds to the records" in page
    assert WeekCheckResult.objects.count() == 2


def test_only_her_team_and_only_supervisors(client, week, elsewhere):
    weekly_slot_make(world=week, weekday=0, start=dt.time(9))
    ServiceMandate.objects.filter(plan__student=week.students["own"]).update(sessions_per_period=3)
    _check_all(client, elsewhere.users["supervisor"])  # another district's supervisor
    assert not WeekCheckResult.objects.filter(staff__district=week.district).exists()
    page = _check_all(client, week.users["admin"])  # the whole district
    assert DistrictSolve.objects.filter(started_by=week.users["admin"]).get().total == 3
    assert week.students["own"].full_name in page
    for role in ("therapist", "teacher", "parent"):
        client.force_login(week.users[role])
        assert client.get(reverse("schedules_district")).status_code == 403
        assert (
            client.post(reverse("schedules_district_start"), {"kind": "check"}).status_code == 403
        )
    client.force_login(week.users["supervisor"])
    assert client.post(reverse("schedules_district_start"), {"kind": "x"}).status_code == 400


def test_a_cancelled_check_stops(week):
    run = DistrictSolve.objects.create(
        district=week.district,
        started_by=week.users["admin"],
        kind="check",
        total=3,
        status="cancelled",
    )
    assert district_check.call(run_id=run.pk) == 0
    assert not WeekCheckResult.objects.exists()


def test_the_page_costs_the_same_queries_for_a_bigger_team(client, week):
    """Each row has its last build and its last check; the queries do not grow with them."""
    client.force_login(week.users["supervisor"])
    counts = []
    for first, size in ((0, 1), (1, 10)):
        for i in range(first, size):
            staff = staff_make(
                district=week.district,
                username=f"ot{i}",
                role=Role.THERAPIST,
                credential="OTR/L",
                supervisor=week.staff["supervisor"],
            )
            week_solve(user=staff.user, on=TODAY, time_limit=0.5)  # a build and its check
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("schedules_district")).content.decode()
        counts.append(len(queries))
    assert page.count("Holds <span") == 10
    assert counts[0] == counts[1] <= 12, counts
