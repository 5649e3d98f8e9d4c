from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from schoolot.accounts.models import User
from schoolot.core.admin import DistrictScopedAdmin


@admin.register(User)
class UserAdmin(DistrictScopedAdmin, BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "district", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("SchoolOT", {"fields": ("district", "role")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("SchoolOT", {"fields": ("district", "role", "first_name", "last_name", "email")}),
    )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        # A district administrator cannot hand out superuser rights, permissions or districts.
        hidden = {"district", "is_superuser", "groups", "user_permissions"}
        return [
            (name, {**opts, "fields": tuple(f for f in opts["fields"] if f not in hidden)})
            for name, opts in fieldsets
        ]
