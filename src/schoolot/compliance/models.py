"""Workload: time recorded in 15-minute blocks by category (AOTA/APTA/ASHA workload
approach, DOMAIN.md 6). Sessions and consultations count on their own; these entries hold
the rest of the work."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from schoolot.directory.models import DistrictOwned, Staff

BLOCK_MINUTES = 15


class WorkloadCategory(models.TextChoices):
    DIRECT = "direct", "Direct services"
    INDIRECT = "indirect", "Indirect services (consultation, planning, documentation, meetings)"
    GENED_SUPPORT = "gened", "General-education support (MTSS, screening)"
    COMPLIANCE = "compliance", "Compliance (evaluations, IEPs, Medicaid paperwork)"
    TRAVEL = "travel", "Travel"


class WorkloadEntry(DistrictOwned):
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="workload_entries")
    date = models.DateField(db_index=True)
    category = models.CharField(max_length=12, choices=WorkloadCategory.choices)
    blocks = models.PositiveSmallIntegerField(help_text="Number of 15-minute blocks.")
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["district", "staff", "date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(blocks__gte=1, blocks__lte=48), name="workload_blocks_in_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_category_display()} {self.minutes} min"

    @property
    def minutes(self) -> int:
        return self.blocks * BLOCK_MINUTES
