"""Progress monitoring: Goal Attainment Scaling and progress reports.

A goal's `GasScale` writes its five levels (-2 .. +2); a `GasRating` places the goal on its
scale at a reporting period. A `ProgressReport` per student and reporting period holds, per
goal, a status, a narrative the therapist edits (drafted from the data), and for parents a
plain-language summary; signed reports are immutable and reach the family.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from schoolot.core.models import ProgressRun
from schoolot.directory.models import DistrictOwned, ReportingPeriod, Staff, Student
from schoolot.plans.models import Goal, Plan
from schoolot.rules import progress as rules

GAS_LEVELS = [
    (-2, "-2: much less than expected"),
    (-1, "-1: less than expected"),
    (0, "0: expected outcome"),
    (1, "+1: more than expected"),
    (2, "+2: much more than expected"),
]


class GasScale(DistrictOwned):
    goal = models.OneToOneField(Goal, on_delete=models.CASCADE, related_name="gas_scale")
    minus_2 = models.CharField("-2", max_length=300)
    minus_1 = models.CharField("-1", max_length=300)
    zero = models.CharField("0 (expected)", max_length=300)
    plus_1 = models.CharField("+1", max_length=300)
    plus_2 = models.CharField("+2", max_length=300)
    importance = models.PositiveSmallIntegerField(default=1, help_text="0-3")
    difficulty = models.PositiveSmallIntegerField(default=1, help_text="0-3")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(importance__lte=3, difficulty__lte=3), name="gasscale_weights_0_3"
            ),
        ]

    def __str__(self) -> str:
        return f"GAS scale for goal {self.goal_id}"

    def level_text(self, level: int) -> str:
        return {-2: self.minus_2, -1: self.minus_1, 0: self.zero, 1: self.plus_1, 2: self.plus_2}[
            level
        ]


class ProgressReport(DistrictOwned):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED = "signed", "Signed"

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="progress_reports")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="progress_reports")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    sessions_delivered = models.PositiveSmallIntegerField(default=0)
    sessions_mandated = models.PositiveSmallIntegerField(default=0)
    minutes_delivered = models.PositiveIntegerField(default=0)
    minutes_required = models.PositiveIntegerField(default=0)
    gas_t_score = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    home_activities = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period__end_date", "student__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "period"], name="progressreport_once"),
        ]

    def __str__(self) -> str:
        return f"Progress report {self.student} {self.period}"

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED


class ProgressReportGoal(DistrictOwned):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="goals")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=30, choices=list(rules.STATUS_LABELS.items()))
    narrative = models.TextField()
    parent_summary = models.TextField(blank=True)
    gas_level = models.SmallIntegerField(null=True, blank=True, choices=GAS_LEVELS)
    latest_value = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    data_points = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["goal__domain", "goal_id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "goal"], name="progressreportgoal_once"),
            models.CheckConstraint(
                condition=Q(gas_level__isnull=True) | Q(gas_level__gte=-2, gas_level__lte=2),
                name="progressreportgoal_gas_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.goal_id}: {self.get_status_display()}"


class ReportBatch(ProgressRun):
    """Drafting all of a therapist's reports for a period, as one background task."""

    author = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="+")

    class Meta(ProgressRun.Meta):
        pass
