"""Forms for session entry: the session itself, then one block per student.

The forms check shape (dates, numbers, choices); the rules a session must obey live in
services.session_log, whose messages the view puts back on these forms.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django import forms

from schoolot.delivery.models import (
    Consultation,
    MissedReason,
    PromptLevel,
    Session,
    SessionStudent,
    WeeklySlot,
)
from schoolot.delivery.services import GoalMeasure, StudentPart
from schoolot.plans.models import GoalDomain, MeasurementType, ServiceMandate

CODE_CHOICES = [
    ("", "Default (97150 group, 97530 individual)"),
    ("97530", "97530 therapeutic activities (timed)"),
    ("97535", "97535 self-care training (timed)"),
    ("97533", "97533 sensory integration (timed)"),
    ("97110", "97110 therapeutic exercise (timed)"),
    ("97112", "97112 neuromuscular re-education (timed)"),
    ("97150", "97150 group therapy (per participant)"),
    ("97168", "97168 re-evaluation"),
]

TIME_WIDGET = forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SessionForm(forms.Form):
    date = forms.DateField(widget=DATE_WIDGET)
    start_time = forms.TimeField(label="Start", widget=TIME_WIDGET)
    end_time = forms.TimeField(label="End", widget=TIME_WIDGET)
    setting = forms.ChoiceField(choices=ServiceMandate.Setting.choices)
    delivery_model = forms.ChoiceField(
        label="Delivery model", choices=Session.DeliveryModel.choices
    )
    activities = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    subjective = forms.CharField(
        label="S: subjective",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )
    objective = forms.CharField(
        label="O: objective",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )
    assessment = forms.CharField(
        label="A: assessment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )
    plan_next = forms.CharField(
        label="P: plan",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    slot = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "The session must end after it starts.")
        return data


class StudentPartForm(forms.Form):
    """One student's part: attendance, minutes, mandate, make-up, note, goal data."""

    attendance = forms.ChoiceField(
        choices=SessionStudent.Attendance.choices,
        widget=forms.RadioSelect,
        initial=SessionStudent.Attendance.PRESENT,
    )
    minutes = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=600,
        help_text="Leave empty for the whole session.",
    )
    missed_reason = forms.ChoiceField(
        label="Reason missed", required=False, choices=[("", "—"), *MissedReason.choices]
    )
    makeup_owed = forms.BooleanField(label="Make-up owed (team decision)", required=False)
    makeup_for = forms.TypedChoiceField(
        label="Makes up", required=False, coerce=int, empty_value=None
    )
    mandate = forms.TypedChoiceField(label="Counts against", coerce=int)
    note = forms.CharField(
        label="Note line",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    code_1 = forms.ChoiceField(label="Service code", required=False, choices=CODE_CHOICES)
    minutes_1 = forms.IntegerField(label="Minutes", required=False, min_value=1, max_value=600)
    code_2 = forms.ChoiceField(label="Second code", required=False, choices=CODE_CHOICES)
    minutes_2 = forms.IntegerField(label="Minutes", required=False, min_value=1, max_value=600)

    def clean(self):
        data = super().clean()
        for n in (1, 2):
            if data.get(f"code_{n}") and not data.get(f"minutes_{n}"):
                self.add_error(f"minutes_{n}", "Give this code's minutes.")
            if data.get(f"minutes_{n}") and not data.get(f"code_{n}"):
                self.add_error(f"code_{n}", "Choose the code for these minutes.")
        if data.get("code_1") and data.get("code_1") == data.get("code_2"):
            self.add_error("code_2", "The same code twice: add the minutes together instead.")
        return data

    def codes(self) -> list[tuple[str, int]] | None:
        """The codes the therapist chose, or None for the defaults (97150 for a group,
        97530 alone)."""
        data = self.cleaned_data
        chosen = [
            (data[f"code_{n}"], data[f"minutes_{n}"])
            for n in (1, 2)
            if data.get(f"code_{n}") and data.get(f"minutes_{n}")
        ]
        return chosen or None

    def __init__(self, *args, student, mandates, goals, open_makeups, **kwargs):
        super().__init__(*args, **kwargs)
        self.student = student
        self.goals = goals
        self.fields["mandate"].choices = [(m.pk, m.in_words) for m in mandates]
        if len(mandates) == 1:
            self.fields["mandate"].initial = mandates[0].pk
        self.fields["makeup_for"].choices = [("", "Not a make-up")] + [
            (e.pk, f"{e.date:%b %-d}: {e.minutes} min missed ({e.get_missed_reason_display()})")
            for e in open_makeups
        ]
        self.goal_rows = []
        for goal in goals:
            kind = goal.measurement_type
            names = []
            if kind == MeasurementType.PERCENT_TRIALS:
                for which in ("correct", "incorrect"):
                    name = f"g{goal.pk}_{which}"
                    self.fields[name] = forms.IntegerField(
                        label=which.title(),
                        required=False,
                        min_value=0,
                        max_value=99,
                        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "tally"}),
                    )
                    names.append(name)
            elif kind in (MeasurementType.PROMPT_LEVEL, MeasurementType.RUBRIC):
                choices = (
                    PromptLevel.choices
                    if kind == MeasurementType.PROMPT_LEVEL
                    else [(n, str(n)) for n in range(5)]
                )
                name = f"g{goal.pk}_value"
                self.fields[name] = forms.TypedChoiceField(
                    label=goal.get_measurement_type_display(),
                    required=False,
                    coerce=int,
                    empty_value=None,
                    choices=choices,
                    widget=forms.RadioSelect,
                )
                names.append(name)
            else:
                name = f"g{goal.pk}_value"
                self.fields[name] = forms.DecimalField(
                    label=goal.get_measurement_type_display(),
                    required=False,
                    min_value=0,
                    max_digits=7,
                    decimal_places=2,
                    widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
                )
                names.append(name)
            self.goal_rows.append((goal, [self[n] for n in names]))

    def student_part(self) -> StudentPart:
        data = self.cleaned_data
        measures = []
        for goal in self.goals:
            kind = goal.measurement_type
            if kind == MeasurementType.PERCENT_TRIALS:
                correct = data.get(f"g{goal.pk}_correct")
                incorrect = data.get(f"g{goal.pk}_incorrect")
                if correct or incorrect:
                    measures.append(
                        GoalMeasure(goal_id=goal.pk, correct=correct or 0, incorrect=incorrect or 0)
                    )
            else:
                value = data.get(f"g{goal.pk}_value")
                if value is not None:
                    measures.append(GoalMeasure(goal_id=goal.pk, value=value))
        missed = data["attendance"] == SessionStudent.Attendance.MISSED
        return StudentPart(
            student_id=self.student.pk,
            mandate_id=data["mandate"],
            attendance=data["attendance"],
            minutes=data.get("minutes"),
            missed_reason=data.get("missed_reason") or "",
            makeup_owed=bool(data.get("makeup_owed")) and missed,
            makeup_for_id=data.get("makeup_for"),
            note=data.get("note", ""),
            measures=measures,
            codes=self.codes(),
        )


class AddendumForm(forms.Form):
    text = forms.CharField(
        label="Addendum",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text="Dated and kept beside the signed note; the note itself does not change.",
    )


class WeeklySlotForm(forms.Form):
    weekday = forms.TypedChoiceField(coerce=int, choices=WeeklySlot.Weekday.choices)
    start_time = forms.TimeField(label="Start", widget=TIME_WIDGET)
    end_time = forms.TimeField(label="End", widget=TIME_WIDGET)
    setting = forms.ChoiceField(
        choices=ServiceMandate.Setting.choices, initial=ServiceMandate.Setting.THERAPY_ROOM
    )
    students = forms.TypedMultipleChoiceField(
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one student."},
    )

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["students"].choices = [
            (s.pk, f"{s.full_name} · grade {s.grade} · {s.school.name}") for s in students
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "The slot must end after it starts.")
        return data


def default_times(*, minutes: int = 30, now: dt.datetime) -> tuple[dt.time, dt.time]:
    """A session just finished: end at now rounded down to 5 minutes, start `minutes` before."""
    end = now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0)
    start = end - dt.timedelta(minutes=minutes)
    if start.date() != end.date():
        start = end.replace(hour=0, minute=0)
    return start.time(), end.time()


class ConsultationForm(forms.Form):
    date = forms.DateField(widget=DATE_WIDGET)
    start_time = forms.TimeField(label="Start", widget=TIME_WIDGET)
    end_time = forms.TimeField(label="End", widget=TIME_WIDGET)
    with_name = forms.CharField(label="With", max_length=160)
    with_role = forms.ChoiceField(label="Their role", choices=Consultation.WithRole.choices)
    students = forms.TypedMultipleChoiceField(
        label="About",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one student."},
    )
    domain = forms.ChoiceField(label="Area", choices=GoalDomain.choices)
    topic = forms.CharField(max_length=200)
    strategies = forms.CharField(
        label="Strategies recommended", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    follow_up_date = forms.DateField(label="Follow up on", required=False, widget=DATE_WIDGET)
    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["students"].choices = [
            (s.pk, f"{s.full_name} · {s.school.name}") for s in students
        ]

    def clean(self):
        data = super().clean()
        if (
            data.get("start_time")
            and data.get("end_time")
            and (data["end_time"] <= data["start_time"])
        ):
            self.add_error("end_time", "The consultation must end after it starts.")
        return data


class PeriodForm(forms.Form):
    start = forms.DateField(label="From", widget=DATE_WIDGET)
    end = forms.DateField(label="To", widget=DATE_WIDGET)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end"):
            if data["end"] < data["start"]:
                self.add_error("end", "The period must end after it starts.")
            elif (data["end"] - data["start"]).days > 400:
                self.add_error("end", "Choose a period of at most a year.")
        return data
