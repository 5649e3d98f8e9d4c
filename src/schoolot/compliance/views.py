"""Compliance pages. Thin: the reads are in due.py."""

from __future__ import annotations

import csv
import datetime as dt

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from schoolot.audit.models import AuditAction
from schoolot.audit.services import audit_event_record
from schoolot.compliance.due import due_items


class DueForm(forms.Form):
    days = forms.TypedChoiceField(
        label="Look ahead",
        coerce=int,
        required=False,
        empty_value=30,
        choices=[(7, "7 days"), (30, "30 days"), (60, "60 days"), (90, "90 days"), (365, "a year")],
    )


def _window(request):
    if request.user.role not in {"therapist", "supervisor", "district_admin"}:
        raise PermissionDenied("Due dates are for the OT team.")
    form = DueForm(request.GET or None)
    days = form.cleaned_data["days"] if form.is_valid() else 30
    today = timezone.localdate()
    return form, today, today + dt.timedelta(days=days)


def due_list(request):
    """Due in the next N days, and what is overdue, for the students the user sees."""
    form, today, end = _window(request)
    items = due_items(
        user=request.user, start=today, end=end, overdue_since=today - dt.timedelta(days=365)
    )
    overdue = [i for i in items if i.date < today]
    upcoming = [i for i in items if i.date >= today]
    return render(
        request,
        "compliance/due.html",
        {
            "form": form,
            "overdue": overdue,
            "upcoming": upcoming,
            "today": today,
            "end": end,
            "query": request.GET.urlencode(),
        },
    )


def due_csv(request):
    form, today, end = _window(request)
    items = due_items(
        user=request.user, start=today, end=end, overdue_since=today - dt.timedelta(days=365)
    )
    audit_event_record(
        request=request,
        student=None,
        action=AuditAction.EXPORT,
        what=f"due dates to {end} ({len(items)} rows)",
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="due-dates-{today}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["due_date", "status", "kind", "student", "student_id", "school", "therapist", "detail"]
    )
    for i in items:
        writer.writerow(
            [
                i.date.isoformat(),
                "overdue" if i.date < today else "upcoming",
                i.kind,
                i.student.full_name,
                i.student.local_id,
                i.student.school.name,
                i.therapist,
                i.detail,
            ]
        )
    return response
