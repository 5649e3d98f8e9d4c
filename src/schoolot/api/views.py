"""The API tokens page: a user makes, lists and revokes her own tokens."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from schoolot.api import services
from schoolot.api.selectors import api_token_access, api_tokens_list


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="What it is for", max_length=80, help_text="e.g. 'district data warehouse'."
    )
    days = forms.TypedChoiceField(
        label="Good for",
        coerce=int,
        choices=[(d, f"{d} days") for d in services.LIFETIMES],
        initial=90,
    )


# The new secret waits in her session between the POST and the page that shows it, once.
SHOW_ONCE = "api_tokens_show_once"


def api_tokens(request):
    """Her tokens (GET), or a new one (POST, then back here: a reload makes no second
    token). The new secret is shown once, on the page the POST leads to. A refused form
    comes back in place (400) with what was typed."""
    if not api_token_access(user=request.user):
        raise PermissionDenied("Administrators, OT supervisors and therapists use API tokens.")
    secret = request.session.pop(SHOW_ONCE, None) if request.method == "GET" else None
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _token, new = services.api_token_create(
                request=request, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except ValidationError as e:
            for field, errors in e.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            request.session[SHOW_ONCE] = new
            return redirect("api_tokens")
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "secret": secret,
            "tokens": list(api_tokens_list(user=request.user)),
            "today": timezone.localdate(),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def api_token_revoke(request, token_id: int):
    token = services.api_token_revoke(request=request, token_id=token_id)
    messages.success(request, f"Token “{token.name}” revoked: it no longer opens the API.")
    return redirect("api_tokens")
