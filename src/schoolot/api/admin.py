"""API tokens in the back office: a district administrator sees her district's tokens (never
their secrets, which nobody keeps) and revokes any of them, as when someone leaves."""

from django.contrib import admin, messages

from schoolot.api.models import ApiToken
from schoolot.api.services import api_tokens_district_revoke
from schoolot.core.admin import DistrictAdminOnly, OverflowSafeChangelist


@admin.register(ApiToken)
class ApiTokenAdmin(DistrictAdminOnly, OverflowSafeChangelist, admin.ModelAdmin):
    """Read-only but for the revoke action: tokens are made by their users, on their page."""

    list_display = (
        "name",
        "user",
        "prefix",
        "created_at",
        "expires_on",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("expires_on", "revoked_at")
    search_fields = ("name", "prefix", "user__username", "user__last_name")
    actions = ["tokens_revoke"]
    fields = list_display

    list_select_related = ("user",)

    def has_change_permission(self, request, obj=None):
        # The action needs it; every field stays read-only.
        return self.has_module_permission(request)

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke the chosen tokens")
    def tokens_revoke(self, request, queryset):
        revoked = api_tokens_district_revoke(
            request=request, token_ids=queryset.values_list("pk", flat=True)
        )
        self.message_user(request, f"{revoked} token(s) revoked.", messages.SUCCESS)
