"""Service delivery: one entry per session gives the note, the service log, the Medicaid record
and the timesheet.

A `Session` is one sitting of a therapist with one student or a group; each student in it has a
`SessionStudent` row (present with minutes delivered, or missed with a reason and the minutes
missed), with the mandate the minutes count against, service-code lines for billing, goal data
points and a note line. A signed session is locked: corrections are `Addendum` rows.
"""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from schoolot.directory.models import DistrictOwned, School, Staff, Student
from schoolot.plans.models import Goal, MeasurementType, ServiceMandate
from schoolot.rules.cycles import CYCLE_WEEKS, rotation_holds

Setting = ServiceMandate.Setting


class SignedNoteError(Exception):
    """A signed note cannot be changed."""


class WeeklySlot(DistrictOwned):
    """A recurring place in the therapist's week (set by hand now, by the solver later)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"

    therapist = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="weekly_slots")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    students = models.ManyToManyField(Student, related_name="weekly_slots")
    setting = models.CharField(max_length=20, choices=Setting.choices, default=Setting.THERAPY_ROOM)
    locked = models.BooleanField(default=False, help_text="Kept in place when re-solving.")
    cycle_week = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text="Blank: every week. 1-4: only that week of the 4-week rotation "
        "(monthly, quarterly and yearly mandates).",
    )
    every_rotations = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1)],
        help_text="A rotation slot of a mandate given less than once a rotation comes only "
        "every this many rotations (2: every 8 weeks).",
    )
    rotation_offset = models.PositiveSmallIntegerField(
        default=0,
        help_text="It comes in the rotations whose number (counted from 0 at the school "
        "year's first week) leaves this remainder when divided by every_rotations.",
    )

    class Meta:
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="weeklyslot_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(cycle_week__isnull=True) | Q(cycle_week__gte=1, cycle_week__lte=4),
                name="weeklyslot_cycle_week_1_to_4",
            ),
            models.CheckConstraint(
                condition=Q(every_rotations__gte=1, rotation_offset__lt=F("every_rotations")),
                name="weeklyslot_rotation_offset_below_every",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"

    @property
    def rotation(self) -> str:
        """'' for a slot of every week, else e.g. 'week 2 of 4' or, for a slot that skips
        rotations, 'week 2 of 4, every 8 weeks'."""
        if not self.cycle_week:
            return ""
        label = f"week {self.cycle_week} of {CYCLE_WEEKS}"
        if self.every_rotations > 1:
            label += f", every {self.every_rotations * CYCLE_WEEKS} weeks"
        return label

    def comes_in(self, *, rotation: int, week: int) -> bool:
        """Whether the slot is held in week `week` (1-4) of rotation number `rotation`."""
        if self.cycle_week is None:
            return True
        return rotation_holds(
            rotation=rotation,
            week=week,
            cycle_week=self.cycle_week,
            every=self.every_rotations,
            offset=self.rotation_offset,
        )

    @property
    def minutes(self) -> int:
        return (self.end_time.hour * 60 + self.end_time.minute) - (
            self.start_time.hour * 60 + self.start_time.minute
        )


class Session(DistrictOwned):
    """One sitting: a therapist with one student or a group, at a date and time."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", "Individual"
        GROUP = "group", "Group"

    class DeliveryModel(models.TextChoices):
        PULL_OUT = "pull_out", "pull-out"
        PUSH_IN = "push_in", "push-in"

    therapist = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="sessions")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(db_index=True)
    start_time = models.TimeField()
    end_time = models.TimeField()
    minutes = models.PositiveSmallIntegerField(help_text="End minus start.")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    delivery_model = models.CharField(
        max_length=12, choices=DeliveryModel.choices, default=DeliveryModel.PULL_OUT
    )
    setting = models.CharField(max_length=20, choices=Setting.choices)
    activities = models.TextField(blank=True)
    subjective = models.TextField(blank=True, help_text="S: what the student or teacher said.")
    objective = models.TextField(blank=True, help_text="O: what was done and measured.")
    assessment = models.TextField(blank=True, help_text="A: what it means for the goals.")
    plan_next = models.TextField(blank=True, help_text="P: what comes next.")
    slot = models.ForeignKey(
        WeeklySlot, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    # Idempotency: the form carries a fresh key; a second submit of it finds this session.
    submission_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cosign_required = models.BooleanField(default=False)
    cosigned_at = models.DateTimeField(null=True, blank=True)
    cosigned_by = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-start_time"]
        indexes = [
            models.Index(fields=["district", "therapist", "date"]),
            models.Index(fields=["district", "date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="session_end_after_start"
            ),
            models.CheckConstraint(condition=Q(minutes__gt=0), name="session_minutes_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.start_time:%H:%M} {self.get_kind_display()}"

    #: What may still change once a note is signed: the signature itself and the co-signature.
    SIGNATURE_FIELDS = frozenset(
        {"signed_at", "signed_by", "cosign_required", "cosigned_at", "cosigned_by"}
    )

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        only_signature = bool(update_fields) and set(update_fields) <= self.SIGNATURE_FIELDS
        if (
            self.pk
            and not only_signature
            and Session.objects.filter(pk=self.pk, signed_at__isnull=False).exists()
        ):
            raise SignedNoteError("A signed note is locked; add an addendum instead.")
        super().save(*args, **kwargs)

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def awaits_cosign(self) -> bool:
        return self.is_signed and self.cosign_required and self.cosigned_at is None


class MissedReason(models.TextChoices):
    STUDENT_ABSENT = "student_absent", "Student absent"
    STUDENT_UNAVAILABLE = "student_unavailable", "Student unavailable (test, assembly, trip)"
    THERAPIST_ABSENT = "therapist_absent", "Therapist absent"
    THERAPIST_PULLED = "therapist_pulled", "Therapist pulled to a meeting or evaluation"
    SCHOOL_CLOSURE = "school_closure", "School closure"
    HOLIDAY = "holiday", "Holiday"
    OTHER = "other", "Other"


class SessionStudent(DistrictOwned):
    """One student's part in a session: attended minutes or missed minutes with a reason."""

    class Attendance(models.TextChoices):
        PRESENT = "present", "Present"
        MISSED = "missed", "Missed"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="students")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="session_entries")
    mandate = models.ForeignKey(
        ServiceMandate, on_delete=models.PROTECT, related_name="session_entries"
    )
    attendance = models.CharField(max_length=8, choices=Attendance.choices)
    minutes = models.PositiveSmallIntegerField(
        help_text="Minutes delivered when present; minutes missed when missed."
    )
    missed_reason = models.CharField(max_length=24, choices=MissedReason.choices, blank=True)
    makeup_owed = models.BooleanField(
        default=False, help_text="The team decided these missed minutes will be made up."
    )
    makeup_for = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="makeups",
        help_text="The missed entry this session makes up.",
    )
    note = models.TextField(blank=True, help_text="This student's line in the note.")
    # Denormalised from the session so ledgers and exports filter without a join.
    date = models.DateField(db_index=True)

    class Meta:
        ordering = ["session", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "student"], name="sessionstudent_once"),
            models.CheckConstraint(condition=Q(minutes__gt=0), name="sessionstudent_minutes_pos"),
            models.CheckConstraint(
                condition=Q(attendance="present", missed_reason="")
                | (Q(attendance="missed") & ~Q(missed_reason="")),
                name="sessionstudent_reason_iff_missed",
            ),
            models.CheckConstraint(
                condition=Q(makeup_owed=False) | Q(attendance="missed"),
                name="sessionstudent_makeup_owed_only_missed",
            ),
        ]
        indexes = [models.Index(fields=["district", "student", "date"])]

    def __str__(self) -> str:
        return f"{self.student} {self.get_attendance_display()} {self.minutes} min"


class ServiceCodeLine(DistrictOwned):
    """A billing code and its minutes for one student's part in a session."""

    entry = models.ForeignKey(SessionStudent, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(max_length=5)
    minutes = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "code"], name="servicecodeline_once"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.minutes} min"


class PromptLevel(models.IntegerChoices):
    """Least to most support; the value is what the graph plots (lower is more independent)."""

    INDEPENDENT = 0, "Independent"
    VERBAL = 1, "Verbal"
    GESTURAL = 2, "Gestural"
    MODEL = 3, "Model"
    PARTIAL_PHYSICAL = 4, "Partial physical"
    FULL_PHYSICAL = 5, "Full physical"


class GoalDataPoint(DistrictOwned):
    """One measurement of a goal, taken at a session.

    `value` is what the graph plots, in the goal's measurement type: percent (trials,
    legibility), prompt level 0-5, rubric score, minutes, count, or letters per minute. For
    trials the raw correct and incorrect counts are kept too.
    """

    entry = models.ForeignKey(SessionStudent, on_delete=models.CASCADE, related_name="data_points")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="data_points")
    measurement_type = models.CharField(max_length=24, choices=MeasurementType.choices)
    value = models.DecimalField(max_digits=7, decimal_places=2)
    correct = models.PositiveSmallIntegerField(null=True, blank=True)
    incorrect = models.PositiveSmallIntegerField(null=True, blank=True)
    date = models.DateField(db_index=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "goal"], name="goaldatapoint_once"),
        ]

    def __str__(self) -> str:
        return f"{self.goal_id} {self.date} {self.value}"


class Addendum(DistrictOwned):
    """A dated correction to a signed note, by its author."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="addenda")
    author = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Addendum {self.created_at:%Y-%m-%d}"


class Consultation(DistrictOwned):
    """Time spent advising a teacher or staff about one or more students."""

    class WithRole(models.TextChoices):
        GENED_TEACHER = "gened_teacher", "General education teacher"
        SPED_TEACHER = "sped_teacher", "Special education teacher"
        PARAPROFESSIONAL = "para", "Paraprofessional"
        SLP = "slp", "Speech-language pathologist"
        PSYCHOLOGIST = "psychologist", "School psychologist"
        NURSE = "nurse", "School nurse"
        ADMINISTRATOR = "administrator", "Administrator"
        PARENT = "parent", "Parent"
        OTHER = "other", "Other"

    therapist = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="consultations")
    date = models.DateField(db_index=True)
    start_time = models.TimeField()
    end_time = models.TimeField()
    minutes = models.PositiveSmallIntegerField()
    with_name = models.CharField(max_length=160)
    with_role = models.CharField(max_length=20, choices=WithRole.choices)
    domain = models.CharField(max_length=20, choices=Goal._meta.get_field("domain").choices)
    topic = models.CharField(max_length=200)
    strategies = models.TextField(help_text="Strategies recommended.")
    follow_up_date = models.DateField(null=True, blank=True)
    submission_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-date", "-start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="consultation_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} consultation with {self.with_name}"


class ConsultationStudent(DistrictOwned):
    """A student a consultation was about; its minutes count toward a consultation mandate."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="students"
    )
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="consultation_entries"
    )
    mandate = models.ForeignKey(
        ServiceMandate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultation_entries",
    )
    minutes = models.PositiveSmallIntegerField()
    date = models.DateField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "student"], name="consultationstudent_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.minutes} min"
