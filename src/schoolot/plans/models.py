"""A student's plan (IEP or Section 504): goals, service mandates, accommodations and team."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from schoolot.directory.models import DistrictOwned, Staff, Student


class Plan(DistrictOwned):
    class Kind(models.TextChoices):
        IEP = "iep", "IEP"
        SECTION_504 = "504", "504 plan"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="plans")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    start_date = models.DateField()
    end_date = models.DateField()
    annual_review_due = models.DateField()
    reevaluation_due = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")), name="plan_end_after_start"
            )
        ]
        indexes = [models.Index(fields=["student", "status"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start_date:%Y-%m-%d} – {self.end_date:%Y-%m-%d}"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            raise ValidationError({"end_date": "The plan must end after it starts."})

    @property
    def next_due_date(self):
        """The nearest of the plan's own due dates (annual review, reevaluation)."""
        dates = [d for d in (self.annual_review_due, self.reevaluation_due) if d]
        return min(dates) if dates else None


class TeamMember(DistrictOwned):
    class Role(models.TextChoices):
        OT = "ot", "Occupational therapist"
        SLP = "slp", "Speech-language pathologist"
        PSYCHOLOGIST = "psychologist", "School psychologist"
        SPED_TEACHER = "sped_teacher", "Special education teacher"
        GENED_TEACHER = "gened_teacher", "General education teacher"
        NURSE = "nurse", "School nurse"
        PT = "pt", "Physical therapist"
        OUTSIDE = "outside", "Outside provider"
        CASE_MANAGER = "case_manager", "Case manager"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="team")
    role = models.CharField(max_length=20, choices=Role.choices)
    staff = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.SET_NULL)
    name = models.CharField(max_length=160)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["role", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class GoalDomain(models.TextChoices):
    FINE_MOTOR = "fine_motor", "Handwriting and fine motor"
    SENSORY = "sensory", "Sensory processing and self-regulation"
    SELF_CARE = "self_care", "Self-care and school routines"
    SOCIAL = "social", "Social participation"
    ASSISTIVE_TECH = "assistive_tech", "Assistive technology"


class MeasurementType(models.TextChoices):
    PERCENT_TRIALS = "percent_trials", "Percent of trials"
    PROMPT_LEVEL = "prompt_level", "Prompt level"
    RUBRIC = "rubric", "Rubric score"
    DURATION = "duration", "Duration (minutes)"
    FREQUENCY = "frequency", "Frequency count"
    LETTERS_PER_MINUTE = "letters_per_minute", "Letters per minute"
    LEGIBILITY = "legibility", "Legibility percent"


class Goal(DistrictOwned):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    domain = models.CharField(max_length=20, choices=GoalDomain.choices)
    text = models.TextField(help_text="Condition, behaviour, criterion and timeframe.")
    baseline = models.TextField(help_text="Present level, in words.")
    measurement_type = models.CharField(max_length=24, choices=MeasurementType.choices)
    baseline_value = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    target_value = models.DecimalField(max_digits=7, decimal_places=2)
    end_date = models.DateField()

    class Meta:
        ordering = ["domain", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class ServiceMandate(DistrictOwned):
    """What the plan promises: e.g. 2 x 30 min weekly, pull-out, small group."""

    class Service(models.TextChoices):
        OT = "ot", "Occupational therapy"
        OT_CONSULT = "ot_consult", "OT consultation"

    class DeliveryModel(models.TextChoices):
        PULL_OUT = "pull_out", "pull-out"
        PUSH_IN = "push_in", "push-in"
        CONSULTATION = "consultation", "consultation"
        COMBINED = "combined", "combined"

    class Period(models.TextChoices):
        WEEK = "week", "weekly"
        MONTH = "month", "monthly"
        QUARTER = "quarter", "quarterly"
        YEAR = "year", "yearly"

    class Setting(models.TextChoices):
        THERAPY_ROOM = "therapy_room", "therapy room"
        CLASSROOM = "classroom", "classroom"
        CAFETERIA = "cafeteria", "cafeteria"
        GYM = "gym", "gym"
        HALLWAY = "hallway", "hallway"
        PLAYGROUND = "playground", "playground"
        BUS_AREA = "bus_area", "bus area"
        VIRTUAL = "virtual", "virtual"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="mandates")
    service = models.CharField(max_length=20, choices=Service.choices, default=Service.OT)
    delivery_model = models.CharField(max_length=20, choices=DeliveryModel.choices)
    minutes_per_session = models.PositiveSmallIntegerField()
    sessions_per_period = models.PositiveSmallIntegerField()
    period = models.CharField(max_length=10, choices=Period.choices)
    group_allowed = models.BooleanField(default=False)
    max_group_size = models.PositiveSmallIntegerField(default=1)
    setting = models.CharField(max_length=20, choices=Setting.choices)
    start_date = models.DateField()
    end_date = models.DateField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes_per_session__gt=0), name="mandate_minutes_positive"
            ),
            models.CheckConstraint(
                condition=Q(sessions_per_period__gt=0), name="mandate_sessions_positive"
            ),
            models.CheckConstraint(
                condition=Q(group_allowed=False, max_group_size=1)
                | Q(group_allowed=True, max_group_size__gte=2),
                name="mandate_group_size_consistent",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")), name="mandate_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.in_words

    def clean(self) -> None:
        errors = {}
        if self.minutes_per_session is not None and self.minutes_per_session <= 0:
            errors["minutes_per_session"] = "A session needs at least one minute."
        if self.sessions_per_period is not None and self.sessions_per_period <= 0:
            errors["sessions_per_period"] = "At least one session per period."
        if self.group_allowed and (self.max_group_size or 0) < 2:
            errors["max_group_size"] = "A group has at least 2 students."
        if not self.group_allowed and self.max_group_size != 1:
            errors["max_group_size"] = "Individual service: the group size is 1."
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            errors["end_date"] = "The mandate must end after it starts."
        if errors:
            raise ValidationError(errors)

    @property
    def in_words(self) -> str:
        """The mandate as a therapist writes it: '2 x 30 min weekly, pull-out, small group'."""
        if self.sessions_per_period == 1:
            amount = f"{self.minutes_per_session} min"
        else:
            amount = f"{self.sessions_per_period} x {self.minutes_per_session} min"
        parts = [f"{amount} {self.get_period_display()}", self.get_delivery_model_display()]
        if self.group_allowed:
            parts.append(f"small group (up to {self.max_group_size})")
        elif self.delivery_model != self.DeliveryModel.CONSULTATION:
            parts.append("individual")
        return ", ".join(parts)


class Accommodation(DistrictOwned):
    class Category(models.TextChoices):
        ASSISTIVE_TECH = "assistive_tech", "Assistive technology"
        SENSORY = "sensory", "Sensory"
        SEATING = "seating", "Seating and environment"
        MATERIALS = "materials", "Materials"
        SCHEDULE = "schedule", "Schedule"
        STRATEGY = "strategy", "Classroom strategy"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="accommodations")
    category = models.CharField(max_length=20, choices=Category.choices)
    text = models.TextField()

    class Meta:
        ordering = ["category", "id"]

    def __str__(self) -> str:
        return self.text[:80]
