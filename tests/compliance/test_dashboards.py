"""The three dashboards: figures from the ledger, scoped by role, constant queries."""

import datetime as dt
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from schoolot.compliance.dashboards import supervisor_dashboard, therapist_dashboard
from schoolot.delivery.services import SessionInput, StudentPart, session_log
from schoolot.directory.models import CaseloadAssignment, SchoolYear
from schoolot.plans.models import ServiceMandate
from tests.factories import YEAR_AGO, plan_make, student_make

TODAY = timezone.localdate()
MONDAY = TODAY - dt.timedelta(days=TODAY.weekday())


def log(world, who, student, day, minutes=30, attendance="present"):
    mandate = ServiceMandate.objects.filter(plan__student=student).first()
    return session_log(
        user=world.users[who],
        data=SessionInput(
            date=day,
            start_time=dt.time(9, 0),
            end_time=dt.time(9, minutes),
            setting="classroom",
            parts=[
                StudentPart(
                    student_id=student.pk,
                    mandate_id=mandate.pk,
                    attendance=attendance,
                    missed_reason="" if attendance == "present" else "student_absent",
                    makeup_owed=attendance != "present",
                )
            ],
            submission_key=uuid.uuid4(),
        ),
    )


@pytest.fixture
def week(world):
    """A school year around today with no breaks; the mandates are 2 x 30 weekly."""
    SchoolYear.objects.filter(district=world.district).update(
        first_day=TODAY - dt.timedelta(days=200), last_day=TODAY + dt.timedelta(days=165)
    )
    return world


def test_therapist_week(week):
    own = week.students["own"]
    if TODAY.weekday() == 0 or TODAY.weekday() > 4:
        pytest.skip("needs an earlier school day in this week")
    log(week, "therapist", own, MONDAY)
    d = therapist_dashboard(user=week.users["therapist"], on=TODAY)
    lines = {ml.student.pk: ml.line for ml in d.lines}
    assert lines[own.pk].required == 60
    assert lines[own.pk].credited == 30
    assert set(lines) == {own.pk, week.students["cota"].pk}  # her caseload and her COTA's
    assert d.unsigned == 1


def test_missed_minutes_and_owed_show(week):
    if TODAY.weekday() == 0 or TODAY.weekday() > 4:
        pytest.skip("needs an earlier school day in this week")
    own = week.students["own"]
    log(week, "therapist", own, MONDAY, attendance="missed")
    d = therapist_dashboard(user=week.users["therapist"], on=TODAY)
    line = next(ml.line for ml in d.lines if ml.student.pk == own.pk)
    assert line.missed == {"student_absent": 30} and line.owed == 30
    assert d.total.owed == 30


def test_supervisor_rows_per_therapist(week):
    rows = supervisor_dashboard(user=week.users["supervisor"], on=TODAY)
    assert [r.staff.user.username for r in rows] == ["north-cota", "north-therapist"] or {
        r.staff.user.username for r in rows
    } == {"north-cota", "north-therapist"}
    rows = supervisor_dashboard(user=week.users["other_supervisor"], on=TODAY)
    assert {r.staff.user.username for r in rows} == {"north-other_therapist"}


@pytest.mark.parametrize(
    "who, heading",
    [
        ("therapist", "My dashboard"),
        ("supervisor", "Team dashboard"),
        ("admin", "District dashboard"),
    ],
)
def test_pages(client, week, who, heading):
    client.force_login(week.users[who])
    html = client.get(reverse("dashboard")).content.decode()
    assert heading in html
    assert "<svg" in html or "No mandates" in html or "No therapists" in html
    assert "<caption" in html  # every chart has its table


@pytest.mark.parametrize("who", ["teacher", "parent"])
def test_not_for_teachers_or_parents(client, week, who):
    client.force_login(week.users[who])
    assert client.get(reverse("dashboard")).status_code == 403


def test_district_shows_only_its_schools(client, week, elsewhere):
    client.force_login(week.users["admin"])
    html = client.get(reverse("dashboard")).content.decode()
    assert "north Elementary" in html and "south Elementary" not in html


@pytest.mark.parametrize("n", [1, 20])
def test_queries_do_not_grow(client, week, n, django_assert_max_num_queries):
    for i in range(n):
        s = student_make(district=week.district, school=week.school, first=f"Q{i}", last="Z")
        plan_make(student=s)
        CaseloadAssignment.objects.create(
            district=week.district, staff=week.staff["therapist"], student=s, start_date=YEAR_AGO
        )
    for who, limit in [("therapist", 30), ("supervisor", 30), ("admin", 30)]:
        client.force_login(week.users[who])
        with django_assert_max_num_queries(limit):
            html = client.get(reverse("dashboard")).content.decode()
        assert re.search(r"dashboard", html, re.I)


def test_student_minutes_page(client, week):
    own = week.students["own"]
    day = TODAY - dt.timedelta(days=7)
    while day.weekday() > 4:
        day -= dt.timedelta(days=1)
    log(week, "therapist", own, day, attendance="missed")
    client.force_login(week.users["therapist"])
    html = client.get(reverse("student_minutes", args=[own.pk])).content.decode()
    assert "2 x 30 min weekly" in html and "Student absent" in html
    client.force_login(week.users["teacher"])
    assert client.get(reverse("student_minutes", args=[own.pk])).status_code == 404
    client.force_login(week.users["other_therapist"])
    assert client.get(reverse("student_minutes", args=[own.pk])).status_code == 404
