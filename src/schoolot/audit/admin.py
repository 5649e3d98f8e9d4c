from django.contrib import admin

from schoolot.audit.models import AuditEvent
from schoolot.core.admin import OverflowSafeChangelist, is_district_admin


@admin.register(AuditEvent)
class AuditEventAdmin(OverflowSafeChangelist, admin.ModelAdmin):
    """Read-only: nobody adds, changes or deletes audit events from the application."""

    list_display = ("at", "actor_name", "actor_role", "action", "what", "student_id", "ip_address")
    list_filter = ("action", "actor_role")
    search_fields = ("actor_name", "what")
    date_hierarchy = "at"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(district_id=request.user.district_id)

    def has_module_permission(self, request):
        return request.user.is_superuser or is_district_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
