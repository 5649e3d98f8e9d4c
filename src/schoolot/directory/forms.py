from django import forms

from schoolot.directory.models import Grade
from schoolot.plans.models import Plan


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
