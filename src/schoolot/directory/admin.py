from django import forms
from django.contrib import admin

from schoolot.audit.models import AuditAction
from schoolot.audit.services import audit_event_record
from schoolot.core.admin import (
    DistrictScopedAdmin,
    DistrictScopedInline,
    OverflowSafeChangelist,
    is_district_admin,
)
from schoolot.directory import models


@admin.register(models.District)
class DistrictAdmin(OverflowSafeChangelist, admin.ModelAdmin):
    """The platform operator manages districts; a district administrator edits her own
    district's settings (timeline profile, co-signature, billing units)."""

    list_display = ("name", "state", "timeline_profile", "time_zone")

    def _own(self, request, obj=None) -> bool:
        return is_district_admin(request.user) and (
            obj is None or obj.pk == request.user.district_id
        )

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(pk=request.user.district_id)

    def has_module_permission(self, request):
        return request.user.is_superuser or self._own(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or self._own(request, obj)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser or self._own(request, obj)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class CalendarEventInline(DistrictScopedInline):
    model = models.CalendarEvent
    fields = ("kind", "name", "school", "start_date", "end_date")


class ReportingPeriodFormSet(forms.BaseInlineFormSet):
    """Reporting periods submitted together must not overlap each other either."""

    def clean(self):
        super().clean()
        spans = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("DELETE") or not data.get("start_date") or not data.get("end_date"):
                continue
            for name, start, end in spans:
                if data["start_date"] <= end and start <= data["end_date"]:
                    raise forms.ValidationError(
                        f"{data.get('name') or 'A period'} overlaps {name}; reporting periods "
                        "of a school year must not overlap."
                    )
            spans.append(
                (data.get("name") or "another period", data["start_date"], data["end_date"])
            )


class ReportingPeriodInline(DistrictScopedInline):
    model = models.ReportingPeriod
    formset = ReportingPeriodFormSet


@admin.register(models.SchoolYear)
class SchoolYearAdmin(DistrictScopedAdmin):
    list_display = ("name", "first_day", "last_day")
    inlines = [CalendarEventInline, ReportingPeriodInline]

    def save_formset(self, request, form, formset, change):
        """A closure entered, changed or removed close to its days is told to the therapists
        whose sessions it takes away or gives back (schedules.services.
        closure_therapists_notify)."""
        from django.utils import timezone

        from schoolot.schedules.services import closure_therapists_notify

        if formset.model is not models.CalendarEvent:
            return super().save_formset(request, form, formset, change)
        # The rows as they were: the forms' instances already hold what was typed.
        originals = models.CalendarEvent.objects.in_bulk(
            [f.instance.pk for f in formset.initial_forms if f.instance.pk]
        )
        super().save_formset(request, form, formset, change)
        today = timezone.localdate()
        for event in formset.new_objects:
            closure_therapists_notify(after=event, today=today)
        for event, _fields in formset.changed_objects:
            closure_therapists_notify(before=originals.get(event.pk), after=event, today=today)
        for event in formset.deleted_objects:
            closure_therapists_notify(before=event, today=today)


@admin.register(models.School)
class SchoolAdmin(DistrictScopedAdmin):
    list_display = ("name", "grade_band", "day_start", "day_end")
    search_fields = ("name",)


@admin.register(models.Staff)
class StaffAdmin(DistrictScopedAdmin):
    list_display = ("__str__", "title", "supervisor", "fte", "is_contractor")
    list_select_related = ("user", "supervisor__user")
    search_fields = ("user__last_name", "user__first_name")
    filter_horizontal = ("schools",)


class GuardianInline(DistrictScopedInline):
    model = models.Guardian
    fields = ("first_name", "last_name", "relation", "email", "phone", "preferred_language", "user")


class CaseloadInline(DistrictScopedInline):
    model = models.CaseloadAssignment


@admin.register(models.Student)
class StudentAdmin(DistrictScopedAdmin):
    list_display = ("last_name", "first_name", "grade", "school", "local_id")
    list_select_related = ("school",)
    list_filter = ("grade",)
    search_fields = ("last_name", "first_name", "local_id")
    inlines = [GuardianInline, CaseloadInline]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        student = self.get_queryset(request).filter(pk=object_id).first()
        if student is not None:
            action = AuditAction.UPDATE if request.method == "POST" else AuditAction.VIEW
            audit_event_record(
                request=request, student=student, action=action, what="student (back office)"
            )
        return response


class EnrollmentInline(DistrictScopedInline):
    model = models.Enrollment
    autocomplete_fields = ("student",)


@admin.register(models.SchoolClass)
class SchoolClassAdmin(DistrictScopedAdmin):
    list_display = ("name", "school", "teacher")
    list_select_related = ("school", "teacher__user")
    inlines = [EnrollmentInline]


@admin.register(models.CaseloadAssignment)
class CaseloadAssignmentAdmin(DistrictScopedAdmin):
    list_display = ("staff", "student", "role", "start_date", "end_date")
    list_select_related = ("staff__user", "student")
