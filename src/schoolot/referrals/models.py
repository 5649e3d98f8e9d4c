"""From concern to plan: referral, triage, consent, evaluation, eligibility.

A `Referral` records someone's concern about a student with examples, where they show and the
general-education strategies already tried. Triage sends it to consultation first (strategies
with a review date) or to evaluation. `Consent` rows track each consent IDEA requires
(34 CFR 300.300: initial evaluation, initial services, reevaluation; 300.154(d): Medicaid
billing). An `Evaluation` runs from the consent received to its due date under the district's
state timeline profile; its `EligibilityMeeting` decides IEP, 504 or not eligible, and a draft
`Plan` is built from it.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q

from schoolot.directory.models import DistrictOwned, Staff, Student
from schoolot.plans.models import GoalDomain, Plan

CONCERN_SETTINGS = [
    ("classroom", "Classroom"),
    ("cafeteria", "Cafeteria"),
    ("gym", "Gym"),
    ("hallway", "Hallway"),
    ("playground", "Playground / recess"),
    ("bus_area", "Bus area"),
    ("restroom", "Restroom"),
    ("home", "Home"),
]


class Referral(DistrictOwned):
    class ReferrerRole(models.TextChoices):
        TEACHER = "teacher", "Teacher"
        PARENT = "parent", "Parent"
        TEAM_MEMBER = "team_member", "Team member"

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for triage"
        CONSULTATION = "consultation", "Consultation first"
        EVALUATION = "evaluation", "Evaluation"
        REVIEW = "review", "Annual review"
        CLOSED = "closed", "Closed"

    class Kind(models.TextChoices):
        INITIAL = "initial", "Initial referral"
        REEVALUATION = "reevaluation", "Reevaluation"
        ANNUAL_REVIEW = "annual_review", "Annual review"

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="referrals")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.INITIAL)
    referred_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="referrals_made"
    )
    referrer_role = models.CharField(max_length=16, choices=ReferrerRole.choices)
    received_on = models.DateField()
    reason = models.TextField(help_text="In the referrer's words: what worries you?")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    # Triage
    triaged_by = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    triaged_on = models.DateField(null=True, blank=True)
    consultation_review_on = models.DateField(
        null=True, blank=True, help_text="When the team looks again at the strategies tried."
    )
    triage_note = models.TextField(blank=True)
    closed_reason = models.TextField(blank=True)
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    submission_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["district", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.student} ({self.received_on})"


class Concern(DistrictOwned):
    """One concern with a concrete example and where it shows."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="concerns")
    domain = models.CharField(max_length=20, choices=GoalDomain.choices)
    example = models.TextField(help_text="What you saw, concretely.")
    settings = models.JSONField(default=list, help_text="Where it shows (CONCERN_SETTINGS).")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_domain_display()}: {self.example[:60]}"

    @property
    def settings_display(self) -> list[str]:
        labels = dict(CONCERN_SETTINGS)
        return [labels.get(s, s) for s in self.settings]


class StrategyTried(DistrictOwned):
    """A general-education strategy already tried, with dates and what happened."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="strategies")
    strategy = models.CharField(max_length=300)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    result = models.TextField()

    class Meta:
        ordering = ["started_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="strategytried_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.strategy


class Attachment(DistrictOwned):
    """A work sample or document, stored outside the web root and served through access checks.

    `stored_name` is a random name under MEDIA_ROOT/<district>/; the original name is kept for
    display only; `content_type` is what the file's own bytes say it is, not its extension.
    """

    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    evaluation = models.ForeignKey(
        "Evaluation", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="attachments")
    original_name = models.CharField(max_length=200)
    stored_name = models.CharField(max_length=200, unique=True)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    description = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Whether a teacher may open it (a work sample she gave: yes; an evaluation record: no).
    classroom_visible = models.BooleanField(default=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Consent(DistrictOwned):
    class Kind(models.TextChoices):
        INITIAL_EVALUATION = "initial_evaluation", "Consent to initial evaluation"
        INITIAL_SERVICES = "initial_services", "Consent to initial services"
        REEVALUATION = "reevaluation", "Consent to reevaluation"
        MEDICAID_BILLING = "medicaid_billing", "Consent to bill Medicaid"

    class Response(models.TextChoices):
        PENDING = "pending", "Requested, no answer yet"
        RECEIVED = "received", "Received"
        REFUSED = "refused", "Refused"

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="consents")
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.CASCADE, related_name="consents"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    requested_on = models.DateField()
    response = models.CharField(max_length=10, choices=Response.choices, default=Response.PENDING)
    responded_on = models.DateField(null=True, blank=True)
    # Medicaid billing: the yearly notice to parents (34 CFR 300.154(d)(2)(v)).
    notice_sent_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-requested_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(response="pending", responded_on__isnull=True)
                | (~Q(response="pending") & Q(responded_on__isnull=False)),
                name="consent_response_dated",
            ),
            models.CheckConstraint(
                condition=Q(responded_on__isnull=True) | Q(responded_on__gte=F("requested_on")),
                name="consent_response_after_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_response_display()}"


class Evaluation(DistrictOwned):
    """An OT evaluation: its plan, its results, its due date under the state's timeline."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        COMPLETED = "completed", "Completed"

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="evaluation")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="evaluations")
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="+")
    evaluator = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="evaluations")
    areas = models.JSONField(default=list, help_text="Goal domains to assess.")
    tools = models.TextField(help_text="Assessment tools planned, e.g. BOT-2, Beery VMI, SPM-2.")
    settings_to_observe = models.JSONField(default=list)
    due_on = models.DateField(help_text="From the consent date under the state's profile.")
    due_rule = models.CharField(max_length=300, help_text="How the due date was counted.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    completed_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True, help_text="Summary of findings and recommendations.")

    class Meta:
        ordering = ["due_on"]

    def __str__(self) -> str:
        return f"OT evaluation of {self.student} due {self.due_on}"


class StandardizedScore(DistrictOwned):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    tool = models.CharField(max_length=120)
    subtest = models.CharField(max_length=120, blank=True)
    standard_score = models.PositiveSmallIntegerField(null=True, blank=True)
    scaled_score = models.PositiveSmallIntegerField(null=True, blank=True)
    percentile = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percentile__isnull=True) | Q(percentile__gte=0, percentile__lte=100),
                name="score_percentile_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tool} {self.subtest}".strip()


class Observation(DistrictOwned):
    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="observations"
    )
    setting = models.CharField(max_length=20, choices=CONCERN_SETTINGS)
    observed_on = models.DateField()
    text = models.TextField()

    class Meta:
        ordering = ["observed_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_setting_display()} {self.observed_on}"


class EligibilityMeeting(DistrictOwned):
    class Outcome(models.TextChoices):
        IEP = "iep", "Eligible: IEP with OT as a related service"
        SECTION_504 = "504", "504 plan with accommodations"
        NOT_ELIGIBLE = "not_eligible", "Not eligible: classroom recommendations"

    evaluation = models.OneToOneField(
        Evaluation, on_delete=models.CASCADE, related_name="eligibility"
    )
    held_on = models.DateField()
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    team_present = models.TextField(help_text="Who attended, one per line with role.")
    recommendations = models.TextField(blank=True)
    iep_meeting_due = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.held_on})"


class TeamMessage(DistrictOwned):
    """The coordination thread around a student; each message says who may read it."""

    class Audience(models.TextChoices):
        TEAM = "team", "Therapists, supervisors and administrators"
        TEAM_AND_TEACHERS = "teachers", "The team and the student's teachers"
        EVERYONE = "everyone", "The team, teachers and the family"

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="team_messages")
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.TEAM)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]


class Notification(DistrictOwned):
    """Something a user should see in the app (also sent by email)."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="notifications"
    )
    student = models.ForeignKey(Student, null=True, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.text
