"""The demo district: deterministic, and believable to a school OT."""

import datetime as dt

import pytest
from django.db import transaction

from schoolot.accounts.models import Role, User
from schoolot.directory.models import Guardian, School, Staff, Student
from schoolot.directory.seed import DEMO_LOGINS, DEMO_PASSWORD, district_seed
from schoolot.plans.models import (
    Accommodation,
    Goal,
    GoalDomain,
    Plan,
    ServiceMandate,
    TeamMember,
)

TODAY = dt.date(2026, 11, 24)


def fingerprint():
    return (
        list(
            Student.objects.order_by("local_id").values_list(
                "first_name", "last_name", "grade", "date_of_birth", "school__name", "local_id"
            )
        ),
        list(
            Goal.objects.order_by("plan__student__local_id", "text").values_list(
                "plan__student__local_id", "domain", "text"
            )
        ),
        list(
            ServiceMandate.objects.order_by("plan__student__local_id", "pk").values_list(
                "plan__student__local_id",
                "delivery_model",
                "minutes_per_session",
                "sessions_per_period",
                "period",
            )
        ),
    )


class _Rollback(Exception):
    pass


def seeded_fingerprint(**kwargs):
    result = None
    try:
        with transaction.atomic():
            district_seed(**kwargs)
            result = fingerprint()
            raise _Rollback
    except _Rollback:
        pass
    return result


@pytest.mark.django_db
def test_same_seed_same_district_other_seed_other_district():
    first = seeded_fingerprint(size="small", seed=7, today=TODAY)
    second = seeded_fingerprint(size="small", seed=7, today=TODAY)
    third = seeded_fingerprint(size="small", seed=8, today=TODAY)
    assert first == second
    assert first != third


@pytest.fixture
def demo(db):
    return district_seed(size="small", seed=1, today=TODAY)


def test_sizes_and_logins(demo, client):
    assert School.objects.count() == 3
    # The OTR, the COTA, and a contract OTR with no caseload to move students to or cover.
    assert Staff.objects.filter(user__role=Role.THERAPIST).count() == 3
    cover = Staff.objects.get(is_contractor=True, credential=Staff.Credential.OTR)
    assert not cover.assignments.exists() and cover.schools.count() == 3
    assert Student.objects.filter(assignments__isnull=False).distinct().count() == 60
    for username, role, _label in DEMO_LOGINS:
        user = User.objects.get(username=username)
        assert user.role == role and user.district == demo
        assert client.login(username=username, password=DEMO_PASSWORD)


def test_content_a_school_ot_would_believe(demo):
    assert set(Goal.objects.values_list("domain", flat=True)) == set(GoalDomain.values)
    assert set(ServiceMandate.objects.values_list("delivery_model", flat=True)) == set(
        ServiceMandate.DeliveryModel.values
    )
    assert set(ServiceMandate.objects.values_list("period", flat=True)) == set(
        ServiceMandate.Period.values
    )
    assert set(Plan.objects.values_list("kind", flat=True)) == {"iep", "504"}
    assert set(Accommodation.objects.values_list("category", flat=True)) == set(
        Accommodation.Category.values
    )
    assert Guardian.objects.filter(preferred_language="es").count() >= 5
    team_roles = set(TeamMember.objects.values_list("role", flat=True))
    assert {"slp", "psychologist", "sped_teacher", "gened_teacher"} <= team_roles
    # Real goal language: a condition, a behaviour, a criterion.
    for text in Goal.objects.values_list("text", flat=True)[:50]:
        assert " will " in text, text
        assert any(c.isdigit() for c in text), text
    # Schools have bells; COTAs have a supervising OTR.
    assert all(s.day_start < s.day_end for s in School.objects.all())
    for cota in Staff.objects.filter(credential=Staff.Credential.COTA):
        assert cota.supervising_otr is not None


def test_the_demo_parent_sees_her_children_in_spanish_preference(demo, client):
    parent = User.objects.get(username="parent")
    children = Student.objects.filter(guardians__user=parent)
    assert children.count() == 2
    assert set(
        Guardian.objects.filter(user=parent).values_list("preferred_language", flat=True)
    ) == {"es"}


def test_medium_size_is_in_proportion(db):
    district_seed(size="medium", seed=2, today=TODAY)
    assert School.objects.count() == 12
    assert Staff.objects.filter(user__role=Role.THERAPIST).count() == 10
    assert Student.objects.filter(assignments__isnull=False).distinct().count() == 500


def test_every_school_has_a_location_in_one_town(demo):
    """Travel between schools nobody has timed is estimated from their locations."""
    from schoolot.rules.travel import distance_km
    from schoolot.schedules.services import TRAVEL_DEFAULT_MINUTES, travel_default_minutes

    schools = list(School.objects.all())
    assert schools and all(s.location for s in schools)
    widest = max(distance_km(a=a.location, b=b.location) for a in schools for b in schools)
    assert 1 < widest < 30  # one town, not one spot
    minutes = [travel_default_minutes(a=a, b=b) for a in schools for b in schools if a != b]
    assert min(minutes) >= 5 and max(minutes) <= 60
    assert len(set(minutes)) > 1 and set(minutes) != {TRAVEL_DEFAULT_MINUTES}
    # An itinerant therapist's run of schools are neighbours: short drives between them.
    for staff in Staff.objects.prefetch_related("schools"):
        mine = list(staff.schools.all())
        assert all(travel_default_minutes(a=a, b=b) <= 25 for a in mine for b in mine)


def test_the_demo_therapist_has_an_annual_review_on_her_next_school_day(demo, client, monkeypatch):
    from django.urls import reverse
    from django.utils import timezone

    from schoolot.directory.selectors import next_school_day_get
    from schoolot.schedules.models import Commitment

    day = next_school_day_get(district_id=demo.pk, after=TODAY)
    therapist = User.objects.get(username="therapist")
    review = Commitment.objects.get(staff__user=therapist, on__isnull=False)
    assert (review.on, review.label) == (day, "Annual IEP review")
    assert review.school in therapist.staff.schools.all()
    client.force_login(therapist)
    monkeypatch.setattr(timezone, "localdate", lambda *a: day)  # on the day itself
    page = client.get(reverse("today")).content.decode()
    assert "Falls in Annual IEP review" in page and "Log as missed" in page


def test_every_seeded_week_holds_to_the_records(demo):
    """The seed places each week around the students' reading blocks (seeded first) and her
    lunch, and gives the monthly and quarterly mandates their rotation weeks, so My week
    opens with nothing to check: no rule broken, no mandate short."""
    from schoolot.directory.models import Staff
    from schoolot.schedules.models import ProtectedBlock, WeekCheckResult
    from schoolot.schedules.week_check import week_check_get

    assert ProtectedBlock.objects.filter(district=demo).count() >= 5
    therapists = Staff.objects.filter(district=demo, weekly_slots__isnull=False).distinct()
    for staff in therapists:
        check = week_check_get(staff=staff, on=TODAY)
        assert not check, (staff, check)  # nor anything else: the demo opens clean
    # The seed kept each week's check, so the supervisor's Schedules page says so at once.
    kept = WeekCheckResult.objects.filter(district=demo)
    assert kept.count() == therapists.count() > 0
    assert all(r.holds and r.checked_on == TODAY for r in kept)


def test_some_schools_close_while_the_others_are_open(demo):
    """A polling place on Election Day, a water main break, repairs ahead: no session is
    logged at that school on its day, while the district's other schools carry on."""
    from schoolot.delivery.models import Session
    from schoolot.directory.models import CalendarEvent

    closures = CalendarEvent.objects.filter(district=demo, school__isnull=False)
    assert sorted(closures.values_list("name", flat=True)) == [
        "Closed for Election Day (polling place)",
        "HVAC repairs (no students)",
        "Water main break",
    ]
    past = closures.filter(end_date__lt=TODAY)
    assert past.count() == 2
    for closure in past:
        on = closure.start_date
        assert not Session.objects.filter(school=closure.school, date=on).exists()
        assert Session.objects.filter(district=demo, date=on).exists()  # the others are open
    assert closures.get(name__startswith="HVAC").start_date > TODAY


def test_the_demo_therapist_has_a_training_day_ahead(demo):
    """Time away entered long ago: her My week and the teachers' weeks show it; nobody is
    told again now."""
    from schoolot.referrals.models import Notification
    from schoolot.schedules.models import TimeAway

    entries = list(TimeAway.objects.filter(district=demo).select_related("staff__user"))
    assert any(e.staff.user.username == "therapist" for e in entries)
    assert all(e.start_date > TODAY and e.start_date.weekday() < 5 for e in entries)
    assert not Notification.objects.filter(district=demo, text__contains=" is away ").exists()


def test_medicaid_billing_a_district_would_recognise(demo):
    """Most families of students with a Medicaid ID have consented to billing (34 CFR
    300.154(d)), a few have not answered yet; so the billing export has billable rows and
    exceptions, and yearly notices fall due."""
    from schoolot.compliance.due import due_items
    from schoolot.delivery.outputs import billing_export
    from schoolot.referrals.models import Consent

    with_id = Student.objects.filter(district=demo, plans__isnull=False).exclude(medicaid_id="")
    with_id = with_id.distinct()
    consents = Consent.objects.filter(kind=Consent.Kind.MEDICAID_BILLING)
    received = consents.filter(response=Consent.Response.RECEIVED).select_related("student")
    assert consents.filter(response=Consent.Response.PENDING).exists()
    assert received.count() >= 0.7 * with_id.count()
    for c in received:
        assert c.student.medicaid_billing_consent == c.responded_on <= c.notice_sent_on
        assert TODAY - dt.timedelta(days=365) < c.notice_sent_on < TODAY
    assert not Student.objects.filter(medicaid_id="", medicaid_billing_consent__isnull=False)
    assert all(
        Student.objects.filter(district=demo, plans__isnull=False).values_list(
            "diagnosis_codes", flat=True
        )
    )
    supervisor = User.objects.get(username="supervisor")
    export = billing_export(
        user=supervisor, start=TODAY - dt.timedelta(days=60), end=TODAY - dt.timedelta(days=1)
    )
    assert len(export.rows) > 50 and export.total_units > 50
    assert any("no Medicaid billing consent" in x.reasons for x in export.exceptions)
    due = due_items(user=supervisor, start=TODAY, end=TODAY + dt.timedelta(days=365))
    assert any(i.kind == "Medicaid yearly notice" for i in due)
