"""Personal API tokens: a script or another system reads SchoolOT as the user who made the
token, through the same access rules as her pages.

Only a SHA-256 digest of the secret is kept; the secret is shown once, when it is made."""

from django.conf import settings
from django.db import models

from schoolot.directory.models import DistrictOwned


class ApiToken(DistrictOwned):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        max_length=80, help_text="What the token is for, e.g. 'data warehouse'."
    )
    digest = models.CharField(max_length=64, unique=True)
    # The secret's first characters, so that she can tell her tokens apart.
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_on = models.DateField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
