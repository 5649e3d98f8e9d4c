"""What the scheduler needs from the district's records: bell schedules, protected time,
therapist availability, travel between schools, and the calendar feed's token."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from schoolot.core.models import ProgressRun
from schoolot.directory.models import DistrictOwned, School, Staff, Student
from schoolot.scheduling.instance import Weights

WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri")]


class BellPeriod(DistrictOwned):
    class Kind(models.TextChoices):
        CORE = "core", "Core instruction"
        SPECIALS = "specials", "Specials"
        LUNCH = "lunch", "Lunch"
        RECESS = "recess", "Recess"
        OTHER = "other", "Other"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="bells")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=60, blank=True, help_text="e.g. Reading, Math")
    grades = models.CharField(
        max_length=60, blank=True, help_text="Comma-separated grades; empty for every grade."
    )
    weekdays = models.CharField(
        max_length=20, blank=True, help_text="Comma-separated 0 (Mon) to 4 (Fri); empty: daily."
    )
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["school", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="bellperiod_end_after_start",
                violation_error_message="The period must end after it starts.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.get_kind_display()} {self.start:%H:%M}"


class ProtectedBlock(DistrictOwned):
    """A student's time that OT never takes (set by a teacher or the therapist)."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="protected")
    reason = models.CharField(max_length=80, default="Reading block")
    weekdays = models.CharField(max_length=20, blank=True)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["student", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="protectedblock_end_after_start",
                violation_error_message="The protected time must end after it starts.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.reason} {self.start:%H:%M}"


class Availability(DistrictOwned):
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="availability")
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS)
    start = models.TimeField()
    end = models.TimeField()
    school = models.ForeignKey(
        School,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Empty: any of her schools.",
    )

    class Meta:
        ordering = ["staff", "weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="availability_end_after_start",
                violation_error_message="The hours must end after they start.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.get_weekday_display()} {self.start:%H:%M}"


class Commitment(DistrictOwned):
    """Fixed time of the therapist's week that the scheduler keeps free: IEP meetings, a team
    meeting, evaluations. Recurs on its weekdays (blank: every school day); held at one of
    her schools, the day's route takes her there. With a date (`on`) it is a one-off on that
    day instead (an annual review): the recurring week does not move for it, and that day's
    Today marks the sessions it displaces."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="commitments")
    label = models.CharField(max_length=80)
    weekdays = models.CharField(max_length=20, blank=True)
    start = models.TimeField()
    end = models.TimeField()
    school = models.ForeignKey(
        School,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Where it is held, for the drives; empty: no school (time only).",
    )
    on = models.DateField(
        null=True, blank=True, help_text="A one-off on this date; empty: every week."
    )
    # A one-off held for a make-up (schedules.makeups.makeup_hold): the missed entry it is for.
    makeup_for = models.ForeignKey(
        "delivery.SessionStudent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="held_makeups",
    )

    class Meta:
        ordering = ["staff", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="commitment_end_after_start",
                violation_error_message="The time must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(on__isnull=True) | Q(weekdays=""),
                name="commitment_date_or_weekdays",
                violation_error_message="Give a date or days of the week, not both.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.label} {self.start:%H:%M}"


class TimeAway(DistrictOwned):
    """Days ahead that a therapist gives no sessions (schedules.away): leave, a conference,
    a district training. Her weekly week does not move for it; those days' sessions are not
    held, the teachers know ahead, and on the day Today offers to log them as missed."""

    class Reason(models.TextChoices):
        # The values are delivery.models.MissedReason's: the day's sessions are logged so.
        OUT = "therapist_absent", "Out (leave, illness, personal)"
        PULLED = "therapist_pulled", "District work (training, conference)"

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="time_away")
    start_date = models.DateField()
    end_date = models.DateField()
    reason = models.CharField(max_length=24, choices=Reason.choices)
    note = models.CharField(
        max_length=120, blank=True, help_text="What the supervisor reads: State OT conference."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Who entered it: herself, or her supervisor when she could not (out sick, a leave).
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="timeaway_end_after_start",
                violation_error_message="The last day must be on or after the first day.",
            )
        ]
        indexes = [models.Index(fields=["district", "staff", "end_date"])]

    def __str__(self) -> str:
        return f"{self.staff} away {self.start_date}-{self.end_date}"

    @property
    def why(self) -> str:
        """In a teacher's words: the note, else the reason."""
        return self.note or ("out" if self.reason == self.Reason.OUT else "at district work")


class LunchAndPlanning(DistrictOwned):
    """The therapist's daily lunch (its length, somewhere in a window) and planning time (a
    free stretch each working day). Without a row: 30 minutes between 11:00 and 13:00, no
    planning time."""

    staff = models.OneToOneField(Staff, on_delete=models.CASCADE, related_name="lunch_and_planning")
    lunch_from = models.TimeField(default=dt.time(11, 0))
    lunch_until = models.TimeField(default=dt.time(13, 0))
    lunch_minutes = models.PositiveSmallIntegerField(default=30)
    planning_minutes = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(lunch_until__gt=F("lunch_from")),
                name="lunch_window_end_after_start",
                violation_error_message="The lunch window must end after it starts.",
            )
        ]

    def __str__(self) -> str:
        return f"Lunch and planning of {self.staff}"


class TravelTime(DistrictOwned):
    origin = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    destination = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    minutes = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["origin", "destination"], name="traveltime_once")
        ]

    def __str__(self) -> str:
        return f"{self.origin} -> {self.destination}: {self.minutes} min"


class SchoolMileage(DistrictOwned):
    """The district's own road miles between two schools (its mileage chart), the same both
    ways: the timesheet's mileage log takes it over the estimate from the schools'
    locations. One row a pair, the school with the lower id first."""

    school_a = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    school_b = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    miles = models.DecimalField(max_digits=4, decimal_places=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school_a", "school_b"], name="schoolmileage_once"),
            models.CheckConstraint(
                condition=Q(school_a__lt=F("school_b")), name="schoolmileage_pair_ordered"
            ),
            models.CheckConstraint(condition=Q(miles__gt=0), name="schoolmileage_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.school_a} - {self.school_b}: {self.miles} mi"


def _token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(DistrictOwned):
    """The secret address of an iCalendar feed; a new token revokes the old. A therapist's
    (her week) or a teacher's (her class's OT times) by her staff row; a parent's (her
    children's OT times) by her user, as parents have no staff row."""

    staff = models.OneToOneField(
        Staff, null=True, blank=True, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    user = models.OneToOneField(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    token = models.CharField(max_length=64, unique=True, default=_token)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(staff__isnull=True, user__isnull=False)
                | Q(staff__isnull=False, user__isnull=True),
                name="calendarfeed_staff_or_user",
                violation_error_message="A feed is a staff member's or a parent's.",
            )
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.staff or self.user}"


class ScheduleRun(DistrictOwned):
    """One solve of a therapist's week: what it placed and what it could not, with why."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="schedule_runs")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20)
    required_minutes = models.PositiveIntegerField(default=0)
    placed_minutes = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    unplaced = models.JSONField(default=list)
    note = models.TextField(blank=True)  # why a SUPERSEDED run's week was not written
    # What a written week replaced, to put it back (services.week_put_back): her unlocked
    # slots as they were, each {"weekday", "cycle_week", "every_rotations",
    # "rotation_offset", "start", "end", "school", "students"}.
    replaced = models.JSONField(default=list, blank=True)
    # Whose weekly sessions it changed: {"student": id, "before": [...], "after": [...]},
    # each session as its day and times in words ("Tue 9:00-9:30").
    changes = models.JSONField(default=list, blank=True)
    # Her week as the run wrote it (services.week_state): it can be put back while unchanged.
    written_state = models.CharField(max_length=64, blank=True)
    put_back_at = models.DateTimeField(null=True, blank=True)
    # What the week it built costs, by the scorer (scheduling.scorer.Score), the 4-week
    # rotation aside: {"travel_minutes", "trips", "core_missed", "bunching", "changes"}.
    week_cost = models.JSONField(default=dict, blank=True)

    # The week was not written: her slots or its records changed during the solve.
    SUPERSEDED = "SUPERSEDED"

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.staff} {self.created_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def superseded(self) -> bool:
        return self.status == self.SUPERSEDED

    @property
    def driving(self) -> str:
        """The week's driving between schools, as "1 h 05 min" ("" when not recorded)."""
        minutes = self.week_cost.get("travel_minutes")
        if minutes is None:
            return ""
        return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"

    LONGEST_SECONDS = 60  # what a build asked from the page may take (views._solve_seconds)

    @property
    def longer_seconds(self) -> int | None:
        """The time limit to offer for building again, when this run left minutes out
        without a proof that no week places them (the solver stopped at its limit) and a
        longer build is allowed: three times its time, at least 30 s, at most 60 s."""
        if self.superseded or self.status == "OPTIMAL":
            return None
        if self.placed_minutes >= self.required_minutes:
            return None
        if self.seconds >= self.LONGEST_SECONDS - 1:
            return None
        return min(self.LONGEST_SECONDS, max(30, round(3 * self.seconds)))


class WeekCheckResult(DistrictOwned):
    """The last check of a therapist's week against the records (schedules.week_check), kept
    for her supervisor's Schedules page: what it breaks, the mandates it is short of, the
    sessions holding students no longer hers. Empty lists: her week held on `checked_on`."""

    staff = models.OneToOneField(Staff, on_delete=models.CASCADE, related_name="week_check")
    checked_on = models.DateField()
    checked_at = models.DateTimeField(auto_now=True)
    problems = models.JSONField(default=list)  # the scorer's words, one string each
    short = models.JSONField(default=list)  # "Name: 2 of 3 sessions a week (30 min)"
    strays = models.JSONField(default=list)  # "Monday 9:00-9:30: Name, Name"

    def __str__(self) -> str:
        return f"{self.staff} checked {self.checked_on}: {self.summary}"

    @property
    def holds(self) -> bool:
        return not (self.problems or self.short or self.strays)

    @property
    def summary(self) -> str:
        stray = "session holding a student she no longer schedules"
        parts = [
            (len(self.problems), "rule broken", "rules broken"),
            (len(self.short), "mandate short of sessions", "mandates short of sessions"),
            (len(self.strays), stray, stray.replace("session", "sessions", 1)),
        ]
        said = [f"{n} {one if n == 1 else many}" for n, one, many in parts if n]
        return "; ".join(said) or "holds to the records"


class DistrictSolve(ProgressRun):
    """Re-solving (or checking) every therapist's week (a supervisor's team or the district)
    as a task."""

    class Kind(models.TextChoices):
        SOLVE = "solve", "solved"
        CHECK = "check", "checked"

    started_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=5, choices=Kind.choices, default=Kind.SOLVE)
    seconds_each = models.FloatField(default=5)
    # Where it was started from (audit.services.audit_request_context), for the trail.
    request_context = models.JSONField(default=dict, blank=True)

    # One worker solves 200 weeks in about 15 minutes: a run queued behind another
    # district's waits that long before its first week.
    STALE = dt.timedelta(minutes=30)

    class Meta(ProgressRun.Meta):
        pass


class ResolveChange(DistrictOwned):
    """A student whose weekly OT times a district re-solve changed, kept until her teachers
    are told: once per run, however many therapists' weeks changed her class's times
    (services.district_solve_teachers_notify)."""

    run = models.ForeignKey(DistrictSolve, on_delete=models.CASCADE, related_name="changes")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="+")
    told = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "student"], name="resolvechange_once")
        ]


class WeekBuild(ProgressRun):
    """A therapist's "Build my week" as a task (one week: `total` 1), so that a solve of up
    to a minute runs on a task worker, not in a web request; My week shows it running. Her
    own, or asked for her by whoever reads her week (`started_by`)."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="week_builds")
    seconds = models.FloatField(default=10)
    # Where she asked from (audit.services.audit_request_context), for the trail.
    request_context = models.JSONField(default=dict, blank=True)
    # Who asked: she herself (empty), or her supervisor, an administrator or a COTA's OTR.
    started_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(ProgressRun.Meta):
        pass


def _points(name: str) -> models.DecimalField:
    """A weight in points, to a tenth, its default the solver's (scheduling.instance.Weights)."""
    return models.DecimalField(
        max_digits=4, decimal_places=1, default=Decimal(str(getattr(Weights(), name)))
    )


class SchedulePriorities(DistrictOwned):
    """How the scheduler weighs what a week costs: points per minute of core instruction a
    student misses, per minute driven, per move between schools in a day, per pair of one
    student's sessions on adjacent days (twice on the same day), per session of the current
    week that moves. The district's (no `team`; set by an administrator) weigh every week
    whose therapist's supervisor has not set her team's own (`team`: that supervisor).
    Without either, the defaults (scheduling.instance.Weights)."""

    team = models.ForeignKey(
        Staff,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The supervisor whose team these weigh; empty: the district's.",
    )
    core_missed = _points("core_missed")
    travel = _points("travel")
    trips = _points("trips")
    bunching = _points("bunching")
    changes = _points("changes")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "schedule priorities"
        constraints = [
            models.UniqueConstraint(
                fields=["district"],
                condition=Q(team__isnull=True),
                name="one_schedule_priorities_a_district",
            ),
            models.UniqueConstraint(fields=["team"], name="one_schedule_priorities_a_team"),
        ]

    def weights(self) -> Weights:
        names = Weights.__dataclass_fields__
        return Weights(**{name: float(getattr(self, name)) for name in names})

    def __str__(self) -> str:
        if self.team_id:
            return f"Schedule priorities of the team of {self.team}"
        return f"Schedule priorities of district {self.district_id}"
