"""The district and its people: schools, calendar, staff, students, guardians, classes, caseloads.

Every table carries `district` (the tenant) so the schema can be distributed by district.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from schoolot.rules.calendar import SchoolCalendar


class District(models.Model):
    """The tenant: one school district and its occupational therapy program."""

    name = models.CharField(max_length=200)
    state = models.CharField(max_length=2, help_text="Two-letter state code, e.g. TX.")
    time_zone = models.CharField(max_length=64, default="America/Chicago")
    timeline_profile = models.CharField(
        max_length=32,
        default="federal",
        help_text="Which state's evaluation timeline rules apply (federal, CA, NY, TX, IL, PA, "
        "MA), or 'custom' for the district's own below.",
    )
    timeline_custom = models.JSONField(
        null=True,
        blank=True,
        help_text='The district\'s own profile when the profile is "custom", e.g. {"code": '
        '"district", "name": "Board policy", "days": 50, "counting": "school", "source": '
        '"Policy 6164.4"}; counting is calendar, school, calendar_excluding_long_breaks or '
        "calendar_excluding_summer.",
    )
    cosign_cota_notes = models.BooleanField(
        default=True, help_text="COTA/L session notes need the supervising OTR/L's co-signature."
    )
    billing_units_method = models.CharField(
        max_length=10,
        choices=[("cms8", "CMS 8-minute rule"), ("per_code", "Each code on its own")],
        default="cms8",
        help_text="How timed 15-minute codes become units (the state Medicaid program decides).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from schoolot.rules.timelines import PROFILES, TimelineError, TimelineProfile

        if self.timeline_profile == "custom":
            try:
                TimelineProfile.from_dict(self.timeline_custom or {})
            except TimelineError as exc:
                raise ValidationError({"timeline_custom": str(exc)}) from exc
        elif self.timeline_profile not in PROFILES:
            raise ValidationError(
                {"timeline_profile": f"Choose one of {', '.join(PROFILES)} or custom."}
            )


class DistrictOwned(models.Model):
    """Every row belongs to a district."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class SchoolYear(DistrictOwned):
    """A school year: first and last instructional day; breaks and closures are CalendarEvents."""

    name = models.CharField(max_length=20, help_text="e.g. 2026-27")
    first_day = models.DateField()
    last_day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="schoolyear_unique_name"),
            models.CheckConstraint(
                condition=Q(last_day__gt=F("first_day")),
                name="schoolyear_last_after_first",
                violation_error_message="The last day must come after the first day.",
            ),
        ]
        ordering = ["first_day"]

    def __str__(self) -> str:
        return self.name

    def calendar(self, *, school_id: int | None = None, events=None) -> SchoolCalendar:
        """The pure calendar (instructional days) the domain rules compute with: the year's
        district-wide breaks and closures, and with `school_id` that school's own closures
        too (a building closed when the others are open). Reads `events` once, so a
        prefetch serves every school's calendar; or takes the year's `events` in hand."""
        closed: set[dt.date] = set()
        breaks: list[tuple[dt.date, dt.date]] = []
        for event in self.events.all() if events is None else events:
            if event.school_id is not None and event.school_id != school_id:
                continue
            day = event.start_date
            while day <= event.end_date:
                closed.add(day)
                day += dt.timedelta(days=1)
            if event.kind == CalendarEvent.Kind.BREAK:
                breaks.append((event.start_date, event.end_date))
        return SchoolCalendar(
            first_day=self.first_day,
            last_day=self.last_day,
            closed_days=frozenset(closed),
            breaks=tuple(sorted(breaks)),
        )


class CalendarEvent(DistrictOwned):
    """A day or run of days without instruction inside a school year: in every school of
    the district, or in one school only (`school`: a water main break, a building used as a
    polling place)."""

    class Kind(models.TextChoices):
        BREAK = "break", "Break"
        HOLIDAY = "holiday", "Holiday"
        CLOSURE = "closure", "School closure"
        STAFF_DAY = "staff_day", "Staff development day (no students)"

    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="events")
    school = models.ForeignKey(
        "School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_events",
        help_text="Only this school has no instruction; leave empty for every school.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=120)
    start_date = models.DateField()
    end_date = models.DateField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="calendarevent_end_after_start",
                violation_error_message="The end date must be on or after the start date.",
            )
        ]
        ordering = ["start_date"]

    def __str__(self) -> str:
        return f"{self.name} ({self.start_date:%b %d})"

    def clean(self) -> None:
        try:
            year = self.school_year  # also a year being added with its events (unsaved)
        except SchoolYear.DoesNotExist:
            year = None
        if (
            self.school_id
            and year is not None
            and year.district_id
            and self.school.district_id != year.district_id
        ):
            raise ValidationError({"school": "Choose a school of this district."})
        known = year and year.first_day and year.last_day and self.start_date and self.end_date
        if known and (self.start_date < year.first_day or self.end_date > year.last_day):
            raise ValidationError(
                f"Keep the dates inside the school year ({year.first_day:%b %d, %Y} to "
                f"{year.last_day:%b %d, %Y})."
            )


class ReportingPeriod(DistrictOwned):
    """A grading/reporting period: progress reports are due at its end."""

    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.CASCADE, related_name="reporting_periods"
    )
    name = models.CharField(max_length=60)
    start_date = models.DateField()
    end_date = models.DateField()

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")),
                name="reportingperiod_end_after_start",
                violation_error_message="The period must end after it starts.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start_date and self.end_date and self.school_year_id:
            overlapping = ReportingPeriod.objects.filter(
                school_year_id=self.school_year_id,
                start_date__lte=self.end_date,
                end_date__gte=self.start_date,
            ).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError(
                    f"This period overlaps {overlapping.first().name}; reporting periods of a "
                    "school year must not overlap."
                )


SCHOOL_LOCATION_MESSAGE = (
    "Enter both the latitude (-90 to 90) and the longitude (-180 to 180) in degrees, or neither."
)


class School(DistrictOwned):
    class GradeBand(models.TextChoices):
        ELEMENTARY = "elementary", "Elementary (PK-5)"
        MIDDLE = "middle", "Middle (6-8)"
        HIGH = "high", "High (9-12)"
        K8 = "k8", "K-8"
        EARLY = "early", "Early childhood"

    name = models.CharField(max_length=200)
    grade_band = models.CharField(max_length=20, choices=GradeBand.choices)
    address = models.CharField(max_length=300, blank=True)
    day_start = models.TimeField(default=dt.time(8, 0), help_text="First bell.")
    day_end = models.TimeField(default=dt.time(15, 0), help_text="Dismissal bell.")
    # Where the school is (degrees), for travel estimates between schools nobody has entered.
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(day_end__gt=F("day_start")),
                name="school_day_end_after_start",
                violation_error_message="Dismissal must come after the first bell.",
            ),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | Q(
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="school_location_both_or_neither",
                violation_error_message=SCHOOL_LOCATION_MESSAGE,
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def location(self) -> tuple[float, float] | None:
        """(latitude, longitude), when both are known."""
        if self.latitude is None or self.longitude is None:
            return None
        return (self.latitude, self.longitude)


class Staff(DistrictOwned):
    """A staff member's professional record; `user.role` says what she may see."""

    class Credential(models.TextChoices):
        OTR = "OTR/L", "OTR/L (occupational therapist)"
        COTA = "COTA/L", "COTA/L (certified OT assistant)"
        TEACHER = "teacher", "Certified teacher"
        ADMIN = "admin", "Administrator"
        NONE = "", "None"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff"
    )
    credential = models.CharField(max_length=20, choices=Credential.choices, blank=True)
    title = models.CharField(max_length=120, blank=True)
    supervisor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervisees",
        help_text="The OT supervisor this person reports to.",
    )
    supervising_otr = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervised_cotas",
        help_text="For a COTA/L: the OTR/L who supervises her practice.",
    )
    schools = models.ManyToManyField(School, blank=True, related_name="staff")
    fte = models.DecimalField(max_digits=3, decimal_places=2, default=1)
    is_contractor = models.BooleanField(default=False)
    phone = models.CharField(max_length=40, blank=True)
    npi = models.CharField(max_length=10, blank=True, help_text="National Provider Identifier.")

    class Meta:
        verbose_name_plural = "staff"

    def __str__(self) -> str:
        name = self.user.display_name
        return f"{name}, {self.credential}" if self.credential else name

    def clean(self) -> None:
        if self.supervising_otr_id and self.credential != self.Credential.COTA:
            raise ValidationError({"supervising_otr": "Only a COTA/L has a supervising OTR/L."})
        if self.supervising_otr and self.supervising_otr.credential != self.Credential.OTR:
            raise ValidationError({"supervising_otr": "The supervising therapist must be OTR/L."})


class Grade(models.TextChoices):
    PK = "PK", "Pre-K"
    K = "K", "Kindergarten"
    G1 = "1", "Grade 1"
    G2 = "2", "Grade 2"
    G3 = "3", "Grade 3"
    G4 = "4", "Grade 4"
    G5 = "5", "Grade 5"
    G6 = "6", "Grade 6"
    G7 = "7", "Grade 7"
    G8 = "8", "Grade 8"
    G9 = "9", "Grade 9"
    G10 = "10", "Grade 10"
    G11 = "11", "Grade 11"
    G12 = "12", "Grade 12"


class Student(DistrictOwned):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="students")
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    preferred_name = models.CharField(max_length=80, blank=True)
    grade = models.CharField(max_length=2, choices=Grade.choices)
    date_of_birth = models.DateField()
    local_id = models.CharField(max_length=40, help_text="The district's student number.")
    medicaid_id = models.CharField(max_length=40, blank=True)
    medicaid_billing_consent = models.DateField(
        null=True, blank=True, help_text="When the parent consented to Medicaid billing."
    )
    diagnosis_codes = models.CharField(
        max_length=100, blank=True, help_text="ICD-10 codes for claims, comma-separated."
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "local_id"], name="student_unique_local_id")
        ]
        indexes = [models.Index(fields=["district", "last_name", "first_name"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        first = self.preferred_name or self.first_name
        return f"{first} {self.last_name}"


class Guardian(DistrictOwned):
    """A parent or guardian of one student; `user` is her login, shared across her children."""

    class Relation(models.TextChoices):
        MOTHER = "mother", "Mother"
        FATHER = "father", "Father"
        GRANDPARENT = "grandparent", "Grandparent"
        FOSTER = "foster_parent", "Foster parent"
        LEGAL = "legal_guardian", "Legal guardian"
        OTHER = "other", "Other"

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        SPANISH = "es", "Spanish"
        VIETNAMESE = "vi", "Vietnamese"
        ARABIC = "ar", "Arabic"
        CHINESE = "zh", "Chinese"
        OTHER = "other", "Other"

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="guardians")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="guardianships",
    )
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    relation = models.CharField(max_length=20, choices=Relation.choices)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    preferred_language = models.CharField(
        max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    holds_educational_rights = models.BooleanField(default=True)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.get_relation_display()})"


class SchoolClass(DistrictOwned):
    """A class section taught by a teacher (minimal until the roster import)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classes")
    name = models.CharField(max_length=120)
    teacher = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="classes")
    students = models.ManyToManyField(Student, through="Enrollment", related_name="classes")

    class Meta:
        verbose_name = "class"
        verbose_name_plural = "classes"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Enrollment(DistrictOwned):
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="enrollments"
    )
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="enrollments")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "student"], name="enrollment_unique_student"
            )
        ]

    def __str__(self) -> str:
        return f"{self.student_id} in {self.school_class_id}"


class CaseloadAssignment(DistrictOwned):
    """A therapist's responsibility for a student over a span of dates."""

    class Role(models.TextChoices):
        PRIMARY_OTR = "primary_otr", "Primary OTR"
        COTA = "cota", "COTA"

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="assignments")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PRIMARY_OTR)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Empty while current.")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="caseload_end_after_start",
                violation_error_message="The assignment must end on or after its start.",
            )
        ]
        indexes = [models.Index(fields=["staff", "end_date"])]

    def __str__(self) -> str:
        return f"{self.staff} → {self.student}"
