from django.contrib import admin

from schoolot.core.admin import DistrictScopedAdmin, DistrictScopedInline
from schoolot.plans import models


class GoalInline(DistrictScopedInline):
    model = models.Goal


class MandateInline(DistrictScopedInline):
    model = models.ServiceMandate


class AccommodationInline(DistrictScopedInline):
    model = models.Accommodation


class TeamMemberInline(DistrictScopedInline):
    model = models.TeamMember


@admin.register(models.Plan)
class PlanAdmin(DistrictScopedAdmin):
    list_display = ("student", "kind", "status", "start_date", "end_date", "annual_review_due")
    list_select_related = ("student",)
    list_filter = ("kind", "status")
    search_fields = ("student__last_name", "student__first_name", "student__local_id")
    autocomplete_fields = ("student",)
    inlines = [GoalInline, MandateInline, AccommodationInline, TeamMemberInline]
