"""Annual review and reevaluation: started from the due dates, through the same steps, and
the new plan replaces the old one."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from schoolot.plans.models import Plan
from schoolot.referrals.models import Consent, Referral
from schoolot.referrals.services import (
    consent_record,
    eligibility_record,
    evaluation_complete,
    evaluation_plan,
    plan_activate,
    review_start,
    score_add,
)

TODAY = timezone.localdate()


def test_annual_review_drafts_the_next_iep_from_the_current_one(world):
    own = world.students["own"]
    current = own.plans.get()
    referral = review_start(user=world.users["therapist"], student=own, kind="annual_review")
    assert referral.status == Referral.Status.REVIEW
    draft = referral.plan
    assert draft.status == "draft" and draft.start_date == TODAY
    assert draft.goals.count() == current.goals.count()
    assert draft.mandates.get().in_words == current.mandates.get().in_words
    assert draft.mandates.get().start_date == TODAY
    plan_activate(user=world.users["therapist"], plan=draft)
    current.refresh_from_db()
    assert current.status == "ended" and current.end_date == TODAY - dt.timedelta(days=1)
    assert Plan.objects.get(student=own, status="active") == draft


def test_only_one_review_at_a_time_and_only_the_team(world):
    own = world.students["own"]
    review_start(user=world.users["therapist"], student=own, kind="annual_review")
    with pytest.raises(ValidationError, match="already under way"):
        review_start(user=world.users["therapist"], student=own, kind="annual_review")
    with pytest.raises(PermissionDenied):
        review_start(user=world.users["teacher"], student=own, kind="reevaluation")


def test_reevaluation_needs_its_consent_then_replaces_the_plan(world):
    own = world.students["own"]
    t = world.users["therapist"]
    referral = review_start(user=t, student=own, kind="reevaluation")
    consent = Consent.objects.get(referral=referral)
    assert consent.kind == "reevaluation"
    with pytest.raises(ValidationError, match="consent first"):
        evaluation_plan(
            user=t, referral=referral, areas=["fine_motor"], tools="BOT-2", settings_to_observe=[]
        )
    consent_record(user=t, consent=consent, response="received", responded_on=TODAY)
    evaluation = evaluation_plan(
        user=t, referral=referral, areas=["fine_motor"], tools="BOT-2", settings_to_observe=[]
    )
    score_add(
        user=t,
        evaluation=evaluation,
        tool="BOT-2",
        subtest="Fine motor precision",
        scaled_score=8,
        percentile=Decimal("25"),
    )
    evaluation_complete(
        user=t, evaluation=evaluation, summary="Gains in precision.", completed_on=TODAY
    )
    eligibility_record(
        user=t, evaluation=evaluation, held_on=TODAY, outcome="iep", team_present="Parent\nOT"
    )
    referral.refresh_from_db()
    draft = referral.plan
    assert draft.goals.exists() and draft.reevaluation_due.year == TODAY.year + 3
    plan_activate(user=t, plan=draft)
    assert Plan.objects.get(student=own, status="active") == draft


def test_buttons_on_the_student_record(client, world):
    own = world.students["own"]
    client.force_login(world.users["supervisor"])
    assert (
        "Start annual review"
        in client.get(reverse("student_detail", args=[own.pk])).content.decode()
    )
    response = client.post(reverse("review_start", args=[own.pk]), {"kind": "annual_review"})
    assert response.status_code == 302
    referral = Referral.objects.get(kind="annual_review")
    html = client.get(response.url).content.decode()
    assert "Build the IEP" in html and str(referral.plan.annual_review_due.year) in html
    client.force_login(world.users["parent"])
    assert (
        "Start annual review"
        not in client.get(reverse("student_detail", args=[own.pk])).content.decode()
    )
