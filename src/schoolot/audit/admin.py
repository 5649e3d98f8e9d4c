from django.contrib import admin

from schoolot.audit.models import AuditEvent
from schoolot.core.admin import DistrictAdminOnly, OverflowSafeChangelist


@admin.register(AuditEvent)
class AuditEventAdmin(DistrictAdminOnly, OverflowSafeChangelist, admin.ModelAdmin):
    """Read-only: nobody adds, changes or deletes audit events from the application."""

    list_display = ("at", "actor_name", "actor_role", "action", "what", "student_id", "ip_address")
    list_filter = ("action", "actor_role")
    search_fields = ("actor_name", "what")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
