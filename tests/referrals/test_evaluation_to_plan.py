"""Evaluation, eligibility and the plan, through the services and the pages."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from schoolot.plans.models import Goal, Plan, ServiceMandate
from schoolot.referrals.models import Consent, Evaluation, Notification
from schoolot.referrals.services import (
    ConcernInput,
    consent_record,
    consent_request,
    eligibility_record,
    evaluation_complete,
    evaluation_plan,
    observation_add,
    plan_activate,
    referral_create,
    referral_triage,
    score_add,
)
from schoolot.rules.timelines import initial_evaluation_due, profile_get

TODAY = timezone.localdate()


@pytest.fixture
def consented(world):
    """A teacher's referral for a student with no OT yet, triaged to evaluation, consent in."""
    from tests.factories import student_make

    world.staff["therapist"].schools.add(world.school)
    new = student_make(district=world.district, school=world.school, first="Nina", last="Park")
    from schoolot.directory.models import Enrollment, SchoolClass

    Enrollment.objects.create(
        district=world.district,
        student=new,
        school_class=SchoolClass.objects.get(teacher=world.staff["teacher"]),
    )
    referral = referral_create(
        user=world.users["teacher"],
        student_id=new.pk,
        reason="Cannot open lunch containers.",
        concerns=[
            ConcernInput(
                domain="self_care",
                example="Asks for help with every container.",
                settings=["cafeteria"],
            )
        ],
        strategies=[],
    )
    referral.received_on = TODAY - dt.timedelta(days=10)
    referral.save()
    referral_triage(user=world.users["therapist"], referral=referral, decision="evaluation")
    consent = Consent.objects.get(referral=referral)
    consent.requested_on = TODAY - dt.timedelta(days=9)
    consent.save()
    consent_record(
        user=world.users["therapist"],
        consent=consent,
        response="received",
        responded_on=TODAY - dt.timedelta(days=7),
    )
    return referral


def test_no_evaluation_without_consent(world):
    world.staff["therapist"].schools.add(world.school)
    referral = referral_create(
        user=world.users["teacher"],
        student_id=world.students["own"].pk,
        reason="x",
        concerns=[ConcernInput(domain="sensory", example="Covers ears at assemblies.")],
        strategies=[],
    )
    referral_triage(user=world.users["therapist"], referral=referral, decision="evaluation")
    with pytest.raises(ValidationError) as excinfo:
        evaluation_plan(
            user=world.users["therapist"],
            referral=referral,
            areas=["sensory"],
            tools="SPM-2",
            settings_to_observe=[],
        )
    assert "consent first" in " ".join(excinfo.value.messages)
    assert not Evaluation.objects.exists()


def test_due_date_follows_the_districts_profile(consented, world):
    world.district.timeline_profile = "federal"
    world.district.save()
    evaluation = evaluation_plan(
        user=world.users["therapist"],
        referral=consented,
        areas=["self_care", "fine_motor"],
        tools="BOT-2 SF, SFA",
        settings_to_observe=["cafeteria", "classroom"],
    )
    assert evaluation.due_on == TODAY - dt.timedelta(days=7) + dt.timedelta(days=60)
    assert "60 calendar days" in evaluation.due_rule


def test_texas_counts_school_days(consented, world):
    world.district.timeline_profile = "TX"
    world.district.save()
    evaluation = evaluation_plan(
        user=world.users["therapist"],
        referral=consented,
        areas=["self_care"],
        tools="SFA",
        settings_to_observe=[],
    )
    from schoolot.directory.models import SchoolYear

    calendars = [y.calendar() for y in SchoolYear.objects.filter(district=world.district)]
    expected = initial_evaluation_due(
        consent_on=TODAY - dt.timedelta(days=7), calendars=calendars, profile=profile_get("TX")
    )
    assert evaluation.due_on == expected.due


def test_texas_counts_the_school_days_of_the_students_own_school(consented, world):
    """A day her school alone is closed is no school day for her: the due date moves one
    school day later; another school's closure leaves it where it was."""
    from schoolot.referrals import timeline
    from tests.factories import school_closure_make

    world.district.timeline_profile = "TX"
    world.district.save()
    consent_on = TODAY - dt.timedelta(days=7)

    def due(school):
        return timeline.evaluation_due(
            district=world.district, consent_on=consent_on, school_id=school.pk
        ).date

    before = due(world.school)
    day = consent_on + dt.timedelta(days=14)
    if day.weekday() > 4:
        day += dt.timedelta(days=7 - day.weekday())  # the Monday after
    school_closure_make(school=world.other_school, day=day)
    assert due(world.school) == before and due(world.other_school) > before
    school_closure_make(school=world.school, day=day)
    assert due(world.school) > before
    evaluation = evaluation_plan(
        user=world.users["therapist"],
        referral=consented,
        areas=["self_care"],
        tools="SFA",
        settings_to_observe=[],
    )
    assert evaluation.due_on == due(world.school)


def walk_to_eligibility(world, referral, outcome="iep"):
    t = world.users["therapist"]
    evaluation = evaluation_plan(
        user=t,
        referral=referral,
        areas=["self_care"],
        tools="School Function Assessment",
        settings_to_observe=[],
    )
    with pytest.raises(ValidationError):
        evaluation_complete(user=t, evaluation=evaluation, summary="Done.", completed_on=TODAY)
    score_add(
        user=t,
        evaluation=evaluation,
        tool="BOT-2",
        subtest="Manual dexterity",
        scaled_score=5,
        percentile=Decimal("5.0"),
    )
    with pytest.raises(ValidationError):
        score_add(user=t, evaluation=evaluation, tool="BOT-2", standard_score=300)
    observation_add(
        user=t,
        evaluation=evaluation,
        setting="cafeteria",
        observed_on=TODAY - dt.timedelta(days=2),
        text="Opened 1 of 4 containers; gave up after 20 s.",
    )
    evaluation_complete(
        user=t,
        evaluation=evaluation,
        completed_on=TODAY,
        summary="Below-average manual dexterity limits lunch independence.",
    )
    return eligibility_record(
        user=t,
        evaluation=evaluation,
        held_on=TODAY,
        outcome=outcome,
        team_present="Parent\nSped teacher\nOT",
        recommendations="Pre-opened containers while learning.",
    )


def test_iep_outcome_makes_a_draft_plan_with_due_dates(consented, world):
    meeting = walk_to_eligibility(world, consented)
    assert meeting.iep_meeting_due == TODAY + dt.timedelta(days=30)
    consented.refresh_from_db()
    plan = consented.plan
    assert plan.status == Plan.Status.DRAFT and plan.kind == Plan.Kind.IEP
    assert plan.reevaluation_due.year == TODAY.year + 3
    assert plan.team.get().staff == world.staff["therapist"]


def test_not_eligible_closes_with_recommendations(consented, world):
    walk_to_eligibility(world, consented, outcome="not_eligible")
    consented.refresh_from_db()
    assert consented.status == "closed" and consented.plan is None


def test_activation_rules(consented, world):
    walk_to_eligibility(world, consented)
    consented.refresh_from_db()
    plan = consented.plan
    t = world.users["therapist"]
    with pytest.raises(ValidationError) as excinfo:
        plan_activate(user=t, plan=plan)
    text = " ".join(excinfo.value.messages)
    assert "measurable goal" in text and "services or accommodations" in text
    assert "consent to initial services" in text
    Goal.objects.create(
        district=world.district,
        plan=plan,
        domain="self_care",
        text="Nina will open 4 of 4 lunch containers independently by May.",
        baseline="1 of 4",
        measurement_type="frequency",
        baseline_value=1,
        target_value=4,
        end_date=plan.end_date,
    )
    ServiceMandate.objects.create(
        district=world.district,
        plan=plan,
        delivery_model="push_in",
        minutes_per_session=30,
        sessions_per_period=1,
        period="week",
        setting="cafeteria",
        start_date=plan.start_date,
        end_date=plan.end_date,
    )
    c = consent_request(user=t, student=plan.student, kind="initial_services", requested_on=TODAY)
    consent_record(user=t, consent=c, response="received", responded_on=TODAY)
    with pytest.raises(ValidationError) as excinfo:
        plan_activate(user=t, plan=plan)  # nobody on her caseload yet
    assert "Choose the therapist" in " ".join(excinfo.value.messages)
    with pytest.raises(ValidationError):  # not serving her school
        plan_activate(user=t, plan=plan, therapist_id=world.staff["other_therapist"].pk)
    plan_activate(user=t, plan=plan, therapist_id=world.staff["therapist"].pk)
    assert plan.status == Plan.Status.ACTIVE
    assert plan.student.assignments.get().staff == world.staff["therapist"]
    assert Notification.objects.filter(text__contains="now in effect").exists()


def test_overlapping_active_plan_of_same_kind_is_refused(world):
    from tests.factories import plan_make

    own = world.students["own"]
    draft = plan_make(student=own)
    draft.status = Plan.Status.DRAFT
    draft.save()
    with pytest.raises(ValidationError) as excinfo:
        plan_activate(user=world.users["therapist"], plan=draft)
    assert "overlap the active" in " ".join(excinfo.value.messages)


def test_teacher_sees_status_not_scores_parent_sees_report(client, consented, world):
    walk_to_eligibility(world, consented)
    url = reverse("referral_detail", args=[consented.pk])
    client.force_login(world.users["teacher"])
    html = client.get(url).content.decode()
    assert "Evaluation due" in html
    assert "Manual dexterity" not in html and "Below-average" not in html
    assert client.get(reverse("evaluation_pdf", args=[consented.pk])).status_code == 404
    # The student's parent (a new guardian login) sees the report.
    from schoolot.directory.models import Guardian

    Guardian.objects.create(
        district=world.district,
        student=consented.student,
        user=world.users["other_parent"],
        first_name="Ana",
        last_name="Park",
        relation="mother",
    )
    client.force_login(world.users["other_parent"])
    html = client.get(url).content.decode()
    assert "Manual dexterity" in html
    response = client.get(reverse("evaluation_pdf", args=[consented.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    client.force_login(world.users["parent"])  # another family
    assert client.get(url).status_code == 404


def test_evaluation_pdf_text(consented, world, client, tmp_path):
    import subprocess

    walk_to_eligibility(world, consented)
    client.force_login(world.users["therapist"])
    pdf = client.get(reverse("evaluation_pdf", args=[consented.pk])).content
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Occupational therapy evaluation report" in text
    assert "Nina Park" in text and "Manual dexterity" in text
    assert "Below-average manual dexterity" in text


def test_a_districts_own_timeline_profile(consented, world):
    world.district.timeline_profile = "custom"
    world.district.timeline_custom = {
        "code": "district",
        "name": "Board policy",
        "days": 20,
        "counting": "calendar",
        "source": "Policy 6164.4",
    }
    world.district.full_clean()
    world.district.save()
    evaluation = evaluation_plan(
        user=world.users["therapist"],
        referral=consented,
        areas=["self_care"],
        tools="SFA",
        settings_to_observe=[],
    )
    assert evaluation.due_on == TODAY - dt.timedelta(days=7) + dt.timedelta(days=20)
    assert "Policy 6164.4" in evaluation.due_rule


def test_a_broken_custom_profile_is_refused_in_the_back_office(client, world):
    client.force_login(world.users["admin"])
    url = f"/admin/directory/district/{world.district.pk}/change/"
    response = client.post(
        url,
        {
            "name": world.district.name,
            "state": "TX",
            "time_zone": "America/Chicago",
            "timeline_profile": "custom",
            "timeline_custom": '{"days": 0}',
            "billing_units_method": "cms8",
            "cosign_cota_notes": "on",
        },
    )
    assert response.status_code == 200
    assert (
        "Not a timeline profile" in response.content.decode()
        or "positive" in response.content.decode()
    )
    world.district.refresh_from_db()
    assert world.district.timeline_profile != "custom"
    client.force_login(world.users["admin"])
    assert client.get("/admin/directory/district/").status_code == 200
