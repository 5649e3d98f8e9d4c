"""Due dates: the therapist's next 30 days and overdue items, the supervisor's team, the
district; CSV export; constant queries."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from schoolot.directory.models import CaseloadAssignment, ReportingPeriod, SchoolYear
from schoolot.plans.models import Plan
from tests.factories import YEAR_AGO, plan_make, student_make

TODAY = timezone.localdate()


@pytest.fixture
def dated(world):
    """own: annual review in 10 days; cota: reevaluation overdue by 5 days;
    other: annual review in 20 days (another therapist's)."""
    Plan.objects.filter(student=world.students["own"]).update(
        annual_review_due=TODAY + dt.timedelta(days=10)
    )
    Plan.objects.filter(student=world.students["cota"]).update(
        reevaluation_due=TODAY - dt.timedelta(days=5)
    )
    Plan.objects.filter(student=world.students["other"]).update(
        annual_review_due=TODAY + dt.timedelta(days=20)
    )
    year = SchoolYear.objects.get(district=world.district)
    ReportingPeriod.objects.create(
        district=world.district,
        school_year=year,
        name="Quarter 2",
        start_date=TODAY - dt.timedelta(days=40),
        end_date=TODAY + dt.timedelta(days=15),
    )
    return world


def rows(client, **params):
    response = client.get(reverse("due_csv"), params)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_therapist_sees_her_students_next_30_days_and_overdue(client, dated):
    client.force_login(dated.users["therapist"])
    got = {(r["kind"], r["student"], r["status"]) for r in rows(client)}
    own, cota = dated.students["own"].full_name, dated.students["cota"].full_name
    assert ("Annual review", own, "upcoming") in got
    assert ("Reevaluation due", cota, "overdue") in got
    assert ("Progress report", own, "upcoming") in got
    assert all(r[1] != dated.students["other"].full_name for r in got)


def test_window_and_page(client, dated):
    client.force_login(dated.users["therapist"])
    assert not any(r["kind"] == "Annual review" for r in rows(client, days=7))
    html = client.get(reverse("due_list")).content.decode()
    assert "Overdue" in html and "Reevaluation due" in html and "Annual review" in html


def test_supervisor_sees_her_team_admin_the_district(client, dated):
    client.force_login(dated.users["other_supervisor"])
    names = {r["student"] for r in rows(client)}
    assert names == {dated.students["other"].full_name}
    client.force_login(dated.users["admin"])
    names = {r["student"] for r in rows(client)}
    assert {dated.students[k].full_name for k in ["own", "cota", "other"]} <= names


def test_nobody_crosses_districts(client, dated, elsewhere):
    Plan.objects.filter(district=elsewhere.district).update(
        annual_review_due=TODAY + dt.timedelta(days=3)
    )
    client.force_login(dated.users["admin"])
    assert all("south" not in r["student"].lower() for r in rows(client))


@pytest.mark.parametrize("who", ["teacher", "parent"])
def test_not_for_teachers_or_parents(client, dated, who):
    client.force_login(dated.users[who])
    assert client.get(reverse("due_list")).status_code == 403
    assert client.get(reverse("due_csv")).status_code == 403


@pytest.mark.parametrize("n", [0, 25])
def test_queries_do_not_grow(client, dated, n, django_assert_max_num_queries):
    for i in range(n):
        s = student_make(district=dated.district, school=dated.school, first=f"D{i}", last="Q")
        plan = plan_make(student=s)
        plan.annual_review_due = TODAY + dt.timedelta(days=i % 30)
        plan.save()
        CaseloadAssignment.objects.create(
            district=dated.district, staff=dated.staff["therapist"], student=s, start_date=YEAR_AGO
        )
    client.force_login(dated.users["therapist"])
    with django_assert_max_num_queries(14):
        response = client.get(reverse("due_list"), {"days": 30})
    assert response.content.decode().count("Annual review") >= n
