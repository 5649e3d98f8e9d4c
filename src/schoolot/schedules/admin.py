from django.contrib import admin

from schoolot.core.admin import DistrictScopedAdmin
from schoolot.schedules import models


@admin.register(models.BellPeriod)
class BellPeriodAdmin(DistrictScopedAdmin):
    list_display = ("school", "kind", "name", "grades", "weekdays", "start", "end")
    list_filter = ("kind",)
    list_select_related = ("school",)


@admin.register(models.ProtectedBlock)
class ProtectedBlockAdmin(DistrictScopedAdmin):
    list_display = ("student", "reason", "weekdays", "start", "end")
    list_select_related = ("student",)
    autocomplete_fields = ("student",)


@admin.register(models.Availability)
class AvailabilityAdmin(DistrictScopedAdmin):
    list_display = ("staff", "weekday", "start", "end", "school")
    list_select_related = ("staff__user", "school")


@admin.register(models.Commitment)
class CommitmentAdmin(DistrictScopedAdmin):
    list_display = ("staff", "label", "weekdays", "start", "end")
    list_select_related = ("staff__user",)


@admin.register(models.LunchAndPlanning)
class LunchAndPlanningAdmin(DistrictScopedAdmin):
    list_display = ("staff", "lunch_minutes", "lunch_from", "lunch_until", "planning_minutes")
    list_select_related = ("staff__user",)


@admin.register(models.TravelTime)
class TravelTimeAdmin(DistrictScopedAdmin):
    list_display = ("origin", "destination", "minutes")
    list_select_related = ("origin", "destination")
