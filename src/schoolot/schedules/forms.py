"""Forms for the district's school data: a school's bell periods and location, the travel
matrix, a student's protected time, and a therapist's hours, fixed time, lunch and planning.

The forms check shape (times, numbers, choices); the rules (inside the school day, whole
minutes 1-180, coordinates in range, who may) live in services.bell_period_add,
school_location_set, travel_times_save, protected_block_add, availability_add,
commitment_add and lunch_and_planning_set, whose messages the views put back on these
forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django import forms

from schoolot.directory.models import Grade, School
from schoolot.rules.travel import distance_km, road_miles
from schoolot.schedules.models import WEEKDAYS, BellPeriod, TimeAway
from schoolot.schedules.services import (
    GRADES_MESSAGE,
    LUNCH_MAX_MINUTES,
    MILEAGE_MAX,
    MILEAGE_MESSAGE,
    PLANNING_MAX_MINUTES,
    PRIORITY_TOP,
    TRAVEL_MAX_MINUTES,
    TRAVEL_MINUTES_MESSAGE,
    WEEKDAYS_MESSAGE,
    travel_default_minutes,
)

TIME_WIDGET = forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")


def time_field(*, when: str, example: str) -> forms.TimeField:
    """A clock time with messages in words: `when` completes "Enter when ..." (e.g. "the
    period starts"), `example` a time such as "9:30"."""
    return forms.TimeField(
        widget=TIME_WIDGET,
        error_messages={
            "required": f"Enter when {when}.",
            "invalid": f"Enter a time such as {example}.",
        },
    )


def weekdays_field() -> forms.TypedMultipleChoiceField:
    """Monday to Friday as boxes to tick, as ints; none ticked means every day."""
    return forms.TypedMultipleChoiceField(
        label="Days (none: every day)",
        coerce=int,
        choices=WEEKDAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": WEEKDAYS_MESSAGE},
    )


class ProtectedBlockForm(forms.Form):
    """A student's protected time (services.protected_block_add checks the rules)."""

    reason = forms.CharField(max_length=80, initial="Reading block")
    weekdays = weekdays_field()
    start = time_field(when="the protected time starts", example="9:00")
    end = time_field(when="the protected time ends", example="10:30")


class AvailabilityForm(forms.Form):
    """Hours a therapist can see students (services.availability_add checks the rules)."""

    weekday = forms.TypedChoiceField(
        label="Day",
        coerce=int,
        choices=WEEKDAYS,
        error_messages={"required": WEEKDAYS_MESSAGE, "invalid_choice": WEEKDAYS_MESSAGE},
    )
    start = time_field(when="the hours start", example="8:00")
    end = time_field(when="the hours end", example="12:30")
    school = forms.ModelChoiceField(
        queryset=School.objects.none(),
        required=False,
        empty_label="Any of my schools",
        error_messages={"invalid_choice": "Choose one of your schools."},
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools


class CommitmentForm(forms.Form):
    """Fixed time of her week (services.commitment_add checks the rules)."""

    label = forms.CharField(
        label="What",
        max_length=80,
        help_text="Shown in your calendar feed: use no student names.",
        error_messages={
            "required": "Say what the time is for, e.g. IEP meetings.",
            "max_length": "Keep it to 80 characters.",
        },
    )
    weekdays = weekdays_field()
    start = time_field(when="the time starts", example="2:30 PM")
    end = time_field(when="the time ends", example="3:30 PM")
    school = forms.ModelChoiceField(
        label="Where",
        queryset=School.objects.none(),
        required=False,
        empty_label="Not at a school",
        error_messages={"invalid_choice": "Choose one of your schools."},
    )
    on = forms.DateField(
        label="Or on one date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date such as 2026-12-03."},
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools


class TimeAwayForm(forms.Form):
    """Days ahead she gives no sessions (schedules.away.time_away_add checks the rules)."""

    start_date = forms.DateField(
        label="First day",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the first day away.",
            "invalid": "Enter a date such as 2026-12-10.",
        },
    )
    end_date = forms.DateField(
        label="Last day",
        required=False,
        help_text="Leave empty for one day.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date such as 2026-12-11."},
    )
    reason = forms.ChoiceField(
        label="Why", choices=TimeAway.Reason.choices, initial=TimeAway.Reason.PULLED
    )
    note = forms.CharField(
        label="Note",
        max_length=120,
        required=False,
        help_text="Teachers and your supervisor read it: State OT conference.",
    )

    def __init__(self, *args, team=None, **kwargs):
        """`team`: the therapists a supervisor enters time away for (a field to choose one)."""
        super().__init__(*args, **kwargs)
        if team is not None:
            self.fields = {
                "staff_id": forms.TypedChoiceField(
                    label="Therapist",
                    coerce=int,
                    choices=[("", "Choose…")] + [(s.pk, s.user.display_name) for s in team],
                    error_messages={
                        "required": "Choose whose time away it is.",
                        "invalid_choice": "Choose a therapist of your team.",
                    },
                ),
                **self.fields,
            }
            self.fields["note"].help_text = "The therapist, teachers and you read it."

    def clean(self):
        data = super().clean()
        if data.get("start_date") and not data.get("end_date"):
            data["end_date"] = data["start_date"]
        return data


def minutes_field(*, label: str, top: int) -> forms.IntegerField:
    message = f"Enter whole minutes from 0 to {top}."
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=top,
        error_messages={
            "required": message,
            "invalid": message,
            "min_value": message,
            "max_value": message,
        },
    )


class LunchAndPlanningForm(forms.Form):
    """Her lunch and planning time (services.lunch_and_planning_set checks the rules)."""

    lunch_minutes = minutes_field(label="Lunch (minutes)", top=LUNCH_MAX_MINUTES)
    lunch_from = time_field(when="lunch may start", example="11:00")
    lunch_until = time_field(when="lunch must be over", example="1:00 PM")
    planning_minutes = minutes_field(label="Planning (minutes a day)", top=PLANNING_MAX_MINUTES)


class BellPeriodForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("", "Choose…"), *BellPeriod.Kind.choices],
        error_messages={
            "required": "Choose the kind of period.",
            "invalid_choice": "Choose the kind of period.",
        },
    )
    name = forms.CharField(
        max_length=60,
        required=False,
        help_text="e.g. Reading, Math (optional)",
        error_messages={"max_length": "Keep the name to 60 characters."},
    )
    start = time_field(when="the period starts", example="9:30")
    end = time_field(when="the period ends", example="10:15")
    grades = forms.MultipleChoiceField(
        label="Grades (none: every grade)",
        choices=[(g, g) for g in Grade.values],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": GRADES_MESSAGE + " Not a grade: %(value)s."},
    )
    weekdays = weekdays_field()


LOCATION_FORMAT_MESSAGE = (
    "Enter the latitude and the longitude in decimal degrees, separated by a comma, as a map "
    "gives them: e.g. 39.9526, -75.1652 (or 39.9526° N, 75.1652° W)."
)
_COORDINATE = re.compile(r"^([+-]?\d{1,3}(?:\.\d+)?)\s*°?\s*([NSEW]?)$", re.IGNORECASE)


def _coordinate(text: str, *, positive: str, negative: str) -> float:
    """One coordinate: a signed decimal, or an unsigned one with its hemisphere letter."""
    match = _COORDINATE.match(text.strip())
    if not match:
        raise forms.ValidationError(LOCATION_FORMAT_MESSAGE)
    number, letter = match.group(1), match.group(2).upper()
    if letter and (letter not in (positive, negative) or number[0] in "+-"):
        raise forms.ValidationError(LOCATION_FORMAT_MESSAGE)
    value = float(number)
    return -value if letter == negative else value


class SchoolLocationForm(forms.Form):
    """Where a school is, pasted from a map as "latitude, longitude"; blank: not on record.
    The form reads the two numbers; services.school_location_set checks their ranges."""

    location = forms.CharField(
        label="Latitude, longitude",
        required=False,
        max_length=60,
        help_text="Decimal degrees, as a map gives them (e.g. 39.9526, -75.1652); clear it "
        "to take the location off record.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 28}),
        error_messages={"max_length": LOCATION_FORMAT_MESSAGE},
    )

    def clean_location(self) -> tuple[float, float] | None:
        text = self.cleaned_data["location"].strip()
        if not text:
            return None
        parts = text.split(",")
        if len(parts) != 2:
            raise forms.ValidationError(LOCATION_FORMAT_MESSAGE)
        return (
            _coordinate(parts[0], positive="N", negative="S"),
            _coordinate(parts[1], positive="E", negative="W"),
        )


@dataclass
class TravelCell:
    """One cell of the matrix: from `origin` to `destination`; `field` is None on the
    diagonal. `saved` is the recorded minutes; `hint` what the scheduler uses while the cell
    is blank, `mirrored` whether that comes from the other direction, else `estimated`
    whether it comes from the two schools' locations (else it is the flat default)."""

    origin: School
    destination: School
    field: forms.BoundField | None
    saved: int | None
    hint: int | None
    mirrored: bool
    estimated: bool = False


class TravelMatrixForm(forms.Form):
    """The whole matrix in one form: a field per ordered pair of different schools, blank
    for "no time recorded this way"."""

    def __init__(self, *args, schools: list[School], saved: dict[tuple[int, int], int], **kw):
        super().__init__(*args, **kw)
        self.schools = schools
        self.saved = saved
        self.by_id = {s.pk: s for s in schools}
        for a in schools:
            for b in schools:
                if a.pk == b.pk:
                    continue
                self.fields[self.name_of(a.pk, b.pk)] = forms.IntegerField(
                    label=f"Minutes from {a.name} to {b.name}",
                    required=False,
                    min_value=1,
                    max_value=TRAVEL_MAX_MINUTES,
                    initial=saved.get((a.pk, b.pk)),
                    error_messages={
                        key: TRAVEL_MINUTES_MESSAGE for key in ("invalid", "min_value", "max_value")
                    },
                    widget=forms.TextInput(
                        attrs={
                            "inputmode": "numeric",
                            "size": 3,
                            "autocomplete": "off",
                            "aria-label": f"Minutes from {a.name} to {b.name}",
                            "placeholder": str(self._hint(b.pk, a.pk)[0]),
                        }
                    ),
                )

    @staticmethod
    def name_of(origin_id: int, destination_id: int) -> str:
        return f"travel-{origin_id}-{destination_id}"

    def _hint(self, mirror_origin: int, mirror_destination: int) -> tuple[int, bool]:
        """What a blank cell means: the other direction's minutes (as typed, when the form
        is bound) if any, else the scheduler's default for the pair (an estimate from the
        schools' locations, or TRAVEL_DEFAULT_MINUTES)."""
        default = travel_default_minutes(
            a=self.by_id[mirror_origin], b=self.by_id[mirror_destination]
        )
        if self.is_bound:
            raw = (self.data.get(self.name_of(mirror_origin, mirror_destination)) or "").strip()
            if raw.isdigit() and 1 <= int(raw) <= TRAVEL_MAX_MINUTES:
                return int(raw), True
            return default, False
        mirror = self.saved.get((mirror_origin, mirror_destination))
        return (mirror, True) if mirror is not None else (default, False)

    def matrix(self) -> list[tuple[School, list[TravelCell]]]:
        """Rows (origin school, its cells) in the schools' order, for the template."""
        rows = []
        for a in self.schools:
            cells = []
            for b in self.schools:
                if a.pk == b.pk:
                    cells.append(TravelCell(a, b, None, None, None, False))
                    continue
                hint, mirrored = self._hint(b.pk, a.pk)
                cells.append(
                    TravelCell(
                        a,
                        b,
                        self[self.name_of(a.pk, b.pk)],
                        self.saved.get((a.pk, b.pk)),
                        hint,
                        mirrored,
                        estimated=bool(a.location and b.location),
                    )
                )
            rows.append((a, cells))
        return rows

    def minutes(self) -> dict[tuple[int, int], int | None]:
        """The cleaned matrix, every pair: minutes, or None for a blank cell."""
        return {
            (a.pk, b.pk): self.cleaned_data.get(self.name_of(a.pk, b.pk))
            for a in self.schools
            for b in self.schools
            if a.pk != b.pk
        }

    def error_cells(self) -> list[tuple[str, str, str]]:
        """(input id, label, message) of each bad cell, for the summary above the matrix."""
        return [
            (self[name].auto_id, self.fields[name].label, message)
            for name, messages in self.errors.items()
            if name in self.fields
            for message in messages
        ]


@dataclass(frozen=True)
class MileageRow:
    """One pair of schools on the mileage page: its field, the miles saved, and the estimate
    from the two schools' locations (None when either has none)."""

    a: School
    b: School
    field: forms.BoundField
    saved: object
    estimate: float | None


class MileageForm(forms.Form):
    """The district's mileage chart in one form: a field per pair of different schools (the
    same miles both ways), blank for "use the estimate"."""

    def __init__(self, *args, schools: list[School], saved: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.pairs = [
            (a, b) for i, a in enumerate(schools) for b in schools[i + 1 :]
        ]  # by name, as the page lists them
        self.saved = saved
        for a, b in self.pairs:
            label = f"Miles between {a.name} and {b.name}"
            estimate = self._estimate(a, b)
            self.fields[self.name_of(a.pk, b.pk)] = forms.DecimalField(
                label=label,
                required=False,
                min_value=Decimal("0.1"),
                max_value=MILEAGE_MAX,
                decimal_places=1,
                max_digits=4,
                initial=saved.get((min(a.pk, b.pk), max(a.pk, b.pk))),
                error_messages={
                    key: MILEAGE_MESSAGE
                    for key in (
                        "invalid",
                        "min_value",
                        "max_value",
                        "max_digits",
                        "max_decimal_places",
                        "max_whole_digits",
                    )
                },
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "decimal",
                        "size": 5,
                        "autocomplete": "off",
                        "placeholder": "" if estimate is None else f"{estimate:.1f}",
                    }
                ),
            )

    @staticmethod
    def name_of(a: int, b: int) -> str:
        return f"miles-{min(a, b)}-{max(a, b)}"

    @staticmethod
    def _estimate(a: School, b: School) -> float | None:
        if not (a.location and b.location):
            return None
        return road_miles(km=distance_km(a=a.location, b=b.location))

    def rows(self) -> list[MileageRow]:
        return [
            MileageRow(
                a,
                b,
                self[self.name_of(a.pk, b.pk)],
                self.saved.get((min(a.pk, b.pk), max(a.pk, b.pk))),
                self._estimate(a, b),
            )
            for a, b in self.pairs
        ]

    def miles(self) -> dict[tuple[int, int], Decimal | None]:
        """The cleaned chart, every pair: miles, or None for a blank field."""
        return {
            (a.pk, b.pk): self.cleaned_data.get(self.name_of(a.pk, b.pk)) for a, b in self.pairs
        }


def points_field(*, label: str, unit: str, top: int) -> forms.DecimalField:
    message = f"Enter points from 0 to {top}."
    return forms.DecimalField(
        label=label,
        help_text=f"points {unit}",
        min_value=0,
        max_value=top,
        decimal_places=1,
        max_digits=4,
        widget=forms.NumberInput(attrs={"step": "0.1", "min": "0", "max": str(top)}),
        error_messages={
            "required": message,
            "invalid": message,
            "min_value": message,
            "max_value": message,
            "max_digits": message,
            "max_decimal_places": "Give the points to a tenth at most, e.g. 2.5.",
        },
    )


class SchedulePrioritiesForm(forms.Form):
    """How the district's weeks are weighed (services.schedule_priorities_set checks them)."""

    core_missed = points_field(
        label="Core instruction a student misses", unit="a minute", top=PRIORITY_TOP["core_missed"]
    )
    travel = points_field(
        label="Driving between schools", unit="a minute", top=PRIORITY_TOP["travel"]
    )
    trips = points_field(
        label="A move between schools in a day", unit="a move", top=PRIORITY_TOP["trips"]
    )
    bunching = points_field(
        label="Two sessions of one student on adjacent days (on the same day: twice)",
        unit="a pair",
        top=PRIORITY_TOP["bunching"],
    )
    changes = points_field(
        label="A session of the current week that moves",
        unit="a session",
        top=PRIORITY_TOP["changes"],
    )


class BellImportForm(forms.Form):
    """Bell periods as CSV (schedules.bell_import): pasted, or a file saved from a
    spreadsheet; a file, when given, is read instead of the text."""

    rows = forms.CharField(
        label="Periods (CSV, with its header row)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
    )
    file = forms.FileField(label="Or a CSV file", required=False)
    replace = forms.BooleanField(
        label="Replace the periods of the schools in the file (a new school year's bells)",
        required=False,
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            raw = upload.read(2_000_001)
            try:
                data["rows"] = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(
                    "Save the file as CSV UTF-8 (Excel: File, Save As, CSV UTF-8) and try again."
                ) from None
            self.data = self.data.copy()
            self.data["rows"] = data["rows"]  # shown in the box, to correct in place
        if not (data.get("rows") or "").strip():
            raise forms.ValidationError("Paste the periods or choose a CSV file.")
        return data
