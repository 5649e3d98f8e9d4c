"""Who logs in, and in which role.

Every user but the platform operator belongs to one district (the tenant); the role decides
what the server lets her see (see schoolot.core.access).
"""

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", "District administrator"
    SUPERVISOR = "supervisor", "OT supervisor"
    THERAPIST = "therapist", "Therapist (OTR or COTA)"
    TEACHER = "teacher", "Teacher"
    PARENT = "parent", "Parent or guardian"


class User(AbstractUser):
    """A login. `district` is empty only for the platform operator (a superuser)."""

    district = models.ForeignKey(
        "directory.District", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)

    class Meta:
        indexes = [models.Index(fields=["district", "role"])]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
