"""Forms from concern to plan. Shape only; the rules are in services."""

from __future__ import annotations

import uuid

from django import forms

from schoolot.plans.models import Accommodation, Goal, GoalDomain, ServiceMandate
from schoolot.referrals.models import CONCERN_SETTINGS, Consent, EligibilityMeeting, TeamMessage

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ReferralForm(forms.Form):
    student = forms.TypedChoiceField(coerce=int)
    reason = forms.CharField(
        label="What worries you?", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    files = MultipleFileField(
        label="Work samples",
        required=False,
        help_text="PDF, PNG or JPEG, up to 10 MB each. Seen only by the team and the family.",
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].choices = [("", "Choose the student")] + [
            (s.pk, f"{s.full_name} · grade {s.grade} · {s.school.name}") for s in students
        ]


class ConcernForm(forms.Form):
    domain = forms.ChoiceField(
        label="Area", choices=[("", "—"), *GoalDomain.choices], required=False
    )
    example = forms.CharField(
        label="Example",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="What you saw, e.g. “cannot open his milk carton at lunch”.",
    )
    settings = forms.MultipleChoiceField(
        label="Where it shows",
        required=False,
        choices=CONCERN_SETTINGS,
        widget=forms.CheckboxSelectMultiple,
    )

    def has_content(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return bool(data.get("domain") or data.get("example") or data.get("settings"))

    def clean(self):
        data = super().clean()
        if self.has_content():
            if not data.get("domain"):
                self.add_error("domain", "Choose the area of the concern.")
            if not (data.get("example") or "").strip():
                self.add_error("example", "Give a concrete example of what you saw.")
        return data


class StrategyForm(forms.Form):
    strategy = forms.CharField(label="Strategy tried", required=False, max_length=300)
    started_on = forms.DateField(label="From", required=False, widget=DATE)
    ended_on = forms.DateField(label="To", required=False, widget=DATE)
    result = forms.CharField(
        label="What happened",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def has_content(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return any(data.get(k) for k in ("strategy", "started_on", "ended_on", "result"))

    def clean(self):
        data = super().clean()
        if self.has_content() and not data.get("started_on"):
            self.add_error("started_on", "When did you start it?")
        return data


ConcernFormSet = forms.formset_factory(ConcernForm, extra=3, max_num=10)
StrategyFormSet = forms.formset_factory(StrategyForm, extra=2, max_num=10)


class TriageForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("consultation", "Consultation first: classroom strategies, then review"),
            ("evaluation", "Evaluate: request the parent's consent"),
            ("close", "Close: no OT concern"),
        ],
        widget=forms.RadioSelect,
    )
    review_on = forms.DateField(label="Review the strategies on", required=False, widget=DATE)
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ConsentResponseForm(forms.Form):
    response = forms.ChoiceField(
        choices=[(Consent.Response.RECEIVED, "Received"), (Consent.Response.REFUSED, "Refused")],
        widget=forms.RadioSelect,
    )
    responded_on = forms.DateField(label="Dated", widget=DATE)


class ConsentRequestForm(forms.Form):
    kind = forms.ChoiceField(choices=Consent.Kind.choices)
    requested_on = forms.DateField(label="Requested on", widget=DATE)


class EvaluationPlanForm(forms.Form):
    areas = forms.MultipleChoiceField(
        choices=GoalDomain.choices, widget=forms.CheckboxSelectMultiple
    )
    tools = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="e.g. BOT-2 short form, Beery VMI, SPM-2 school form",
    )
    settings_to_observe = forms.MultipleChoiceField(
        label="Settings to observe",
        choices=CONCERN_SETTINGS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ScoreForm(forms.Form):
    tool = forms.CharField(max_length=120)
    subtest = forms.CharField(max_length=120, required=False)
    standard_score = forms.IntegerField(required=False)
    scaled_score = forms.IntegerField(required=False)
    percentile = forms.DecimalField(required=False, max_digits=4, decimal_places=1)


class ObservationForm(forms.Form):
    setting = forms.ChoiceField(choices=CONCERN_SETTINGS)
    observed_on = forms.DateField(widget=DATE)
    text = forms.CharField(label="Observation", widget=forms.Textarea(attrs={"rows": 3}))


class CompleteForm(forms.Form):
    summary = forms.CharField(
        label="Summary and recommendations", widget=forms.Textarea(attrs={"rows": 4})
    )
    completed_on = forms.DateField(widget=DATE)


class EligibilityForm(forms.Form):
    held_on = forms.DateField(label="Meeting held on", widget=DATE)
    outcome = forms.ChoiceField(
        choices=EligibilityMeeting.Outcome.choices, widget=forms.RadioSelect
    )
    team_present = forms.CharField(
        label="Team present",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line, with role.",
    )
    recommendations = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = [
            "domain",
            "text",
            "baseline",
            "measurement_type",
            "baseline_value",
            "target_value",
            "end_date",
        ]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2}),
            "baseline": forms.Textarea(attrs={"rows": 2}),
            "end_date": DATE,
        }


class MandateForm(forms.ModelForm):
    class Meta:
        model = ServiceMandate
        fields = [
            "service",
            "delivery_model",
            "minutes_per_session",
            "sessions_per_period",
            "period",
            "group_allowed",
            "max_group_size",
            "setting",
            "start_date",
            "end_date",
        ]
        widgets = {"start_date": DATE, "end_date": DATE}


class AccommodationForm(forms.ModelForm):
    class Meta:
        model = Accommodation
        fields = ["category", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class TeamMessageForm(forms.Form):
    body = forms.CharField(
        label="Message", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    audience = forms.ChoiceField(label="Who may read it", choices=TeamMessage.Audience.choices)


class MedicaidNoticeForm(forms.Form):
    sent_on = forms.DateField(label="Yearly notice sent on", widget=DATE)
