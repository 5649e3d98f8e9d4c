"""Who looked at or changed which student's record, when and from where.

Audit events are append-only: the model refuses updates and deletes, the admin is read-only,
and a database trigger (migration 0002) refuses UPDATE and DELETE on SQLite and PostgreSQL.
"""

from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"
    EXPORT = "export", "Exported"
    DOWNLOAD = "download", "Downloaded"


class ImmutableRecordError(Exception):
    """An audit event cannot be changed or deleted."""


class AuditEvent(models.Model):
    # No foreign-key constraints: the trail outlives the records and users it mentions.
    district = models.ForeignKey(
        "directory.District", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(max_length=160)
    actor_role = models.CharField(max_length=20, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    student = models.ForeignKey(
        "directory.Student",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    what = models.CharField(max_length=200, help_text="What was accessed, e.g. 'student record'.")
    path = models.CharField(max_length=400, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["district", "student", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.what}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ImmutableRecordError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecordError("Audit events cannot be deleted.")
