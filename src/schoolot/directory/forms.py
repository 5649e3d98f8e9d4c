from django import forms
from django.template.defaultfilters import pluralize

from schoolot.directory.models import CalendarEvent, Grade
from schoolot.plans.models import Plan
from schoolot.rules.calendar import weekdays


class CaseloadFilterForm(forms.Form):
    """The caseload's search and filters; choices limited to what the user may see."""

    q = forms.CharField(label="Search", required=False, max_length=100)
    school = forms.TypedChoiceField(label="School", required=False, coerce=int, empty_value=None)
    plan_kind = forms.ChoiceField(
        label="Plan", required=False, choices=[("", "Any plan"), *Plan.Kind.choices]
    )
    grade = forms.ChoiceField(
        label="Grade", required=False, choices=[("", "Any grade"), *Grade.choices]
    )
    therapist = forms.TypedChoiceField(
        label="Therapist", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, schools, staff, show_staff: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", "All schools")] + [(s.pk, s.name) for s in schools]
        if show_staff:
            self.fields["therapist"].choices = [("", "All therapists")] + [
                (s.pk, str(s)) for s in staff
            ]
        else:
            del self.fields["therapist"]


class CalendarEventForm(forms.Form):
    """A run of days without instruction, as an administrator or supervisor enters it: the
    school year is the one its first day falls in (directory.services.calendar_event_save)."""

    kind = forms.ChoiceField(
        label="What", choices=CalendarEvent.Kind.choices, initial=CalendarEvent.Kind.CLOSURE
    )
    name = forms.CharField(
        label="Reason",
        max_length=120,
        help_text="As families hear it: Snow day, Water main break, Thanksgiving break.",
    )
    school = forms.TypedChoiceField(label="Where", required=False, coerce=int, empty_value=None)
    start_date = forms.DateField(label="First day", widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(
        label="Last day",
        required=False,
        help_text="Leave empty for one day.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", "Every school")] + [(s.pk, s.name) for s in schools]

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start is None:
            return data
        if end is None:
            end = data["end_date"] = start
        if end < start:
            self.add_error("end_date", "The last day must be on or after the first day.")
        elif not weekdays(start, end):
            self.add_error(
                "start_date",
                "Those days fall on a weekend: include at least one day Monday to Friday.",
            )
        return data


class ReportingPeriodForm(forms.Form):
    """A reporting period of a school year: progress reports are due at its end
    (directory.services.reporting_period_save)."""

    name = forms.CharField(
        label="Name", max_length=60, help_text="As report cards say it: Quarter 1, Trimester 2."
    )
    start_date = forms.DateField(label="First day", widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(
        label="Last day",
        help_text="Progress reports are due on it.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", "The last day must come after the first day.")
        return data


class PeriodsSplitForm(forms.Form):
    """A school year split at once into quarters, trimesters or semesters
    (directory.services.reporting_periods_split)."""

    parts = forms.TypedChoiceField(
        label="Split the year into",
        coerce=int,
        choices=[(4, "Quarters (4)"), (3, "Trimesters (3)"), (2, "Semesters (2)")],
        initial=4,
    )


class StudentMoveForm(forms.Form):
    """A student moved to another OTR's caseload (directory.services.student_therapist_move);
    `choices` are directory.selectors.therapist_choices_get's."""

    to_staff = forms.TypedChoiceField(
        label="To",
        coerce=int,
        error_messages={
            "required": "Choose the OTR to move the student to.",
            "invalid_choice": "Choose one of the OTRs listed.",
        },
    )
    on = forms.DateField(
        label="From",
        help_text="The first day the new OTR serves the student.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date such as 2026-12-07."},
    )
    until = forms.DateField(
        label="Until (a cover)",
        required=False,
        help_text="Empty for a lasting move. For a cover while her OTR is on leave, the last "
        "day: the day after, each student comes back to her OTR.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date such as 2027-01-29."},
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        # A district may have two hundred OTRs: a list to pick from, not as many radios.
        self.fields["to_staff"].choices = [("", "Choose an OTR…")] + [
            (c.staff.pk, _choice_label(c)) for c in choices
        ]


def _choice_label(choice) -> str:
    n = choice.students
    label = f"{choice.staff.user.display_name} · {n} student{'s' if n != 1 else ''}"
    if choice.serves_school:
        label += " · serves the student's school"
    return label if choice.mine else label + " · another team"


def _from_field(help_text: str) -> forms.DateField:
    return forms.DateField(
        label="From",
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": "Enter a date such as 2026-12-07.",
            "required": "Enter the day.",
        },
    )


class StudentCotaForm(forms.Form):
    """A student's sessions given to a COTA (directory.services.student_cota_assign);
    `choices` are directory.selectors.cota_choices_get's."""

    cota = forms.TypedChoiceField(
        label="COTA",
        coerce=int,
        error_messages={
            "required": "Choose the COTA who will serve the student.",
            "invalid_choice": "Choose one of the COTAs listed.",
        },
    )
    on = _from_field("The first day the COTA serves the student.")

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, prefix="give", **kwargs)
        self.fields["cota"].choices = [("", "Choose a COTA…")] + [
            (
                c.staff.pk,
                f"{c.staff.user.display_name} · {c.students} student{pluralize(c.students)}",
            )
            for c in choices
        ]


class CotaTakeBackForm(forms.Form):
    """A student's sessions taken back from her COTA (directory.services.student_cota_unassign)."""

    on = _from_field("The first day her OTR serves the student again.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="back", **kwargs)


class CalendarImportForm(forms.Form):
    """A district's published calendar (directory.calendar_import): an .ics file, or its text
    pasted; a file, when given, is read instead of the text."""

    file = forms.FileField(label="The calendar file (.ics)", required=False)
    text = forms.CharField(
        label="Or its text",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text="Beginning with BEGIN:VCALENDAR.",
    )
    school = forms.TypedChoiceField(
        label="Whose calendar",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="The district's (every school), or one school's own: a charter school, a "
        "high school with its own days off.",
    )

    def __init__(self, *args, schools=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", "The district's: every school")] + [
            (s.pk, s.name) for s in schools
        ]

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            try:
                data["text"] = upload.read(2_000_001).decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(
                    "This file is not text: export the calendar as .ics and choose that file."
                ) from None
        if not (data.get("text") or "").strip():
            raise forms.ValidationError("Choose the calendar's .ics file, or paste its text.")
        return data


class SchoolYearForm(forms.Form):
    """A new school year of the district: its name and first and last days of instruction
    (directory.services.school_year_add)."""

    name = forms.CharField(
        label="Name", max_length=20, help_text="As the district says it: 2027-28."
    )
    first_day = forms.DateField(
        label="First day of school", widget=forms.DateInput(attrs={"type": "date"})
    )
    last_day = forms.DateField(
        label="Last day of school", widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and last <= first:
            self.add_error("last_day", "The last day must come after the first day.")
        elif first and last and (last - first).days > 400:
            self.add_error("last_day", "A school year is at most about a year long.")
        return data
