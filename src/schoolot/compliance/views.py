"""Compliance pages. Thin: the reads are in due.py."""

from __future__ import annotations

import csv
import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from schoolot.audit.models import AuditAction
from schoolot.audit.services import audit_event_record
from schoolot.compliance.due import due_items
from schoolot.compliance.models import WorkloadCategory, WorkloadEntry
from schoolot.compliance.workload import (
    drives_to_record_get,
    workload_entry_add,
    workload_report,
)


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


class WorkloadPeriodForm(forms.Form):
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The period must end after it starts.")
        return data


class WorkloadEntryForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    category = forms.ChoiceField(choices=WorkloadCategory.choices)
    blocks = forms.IntegerField(label="15-minute blocks", min_value=1, max_value=48)
    note = forms.CharField(required=False, max_length=200)


def workload(request):
    """Record time in 15-minute blocks; see hours by category per therapist and per FTE."""
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    period = WorkloadPeriodForm(request.GET or None)
    start, end = monday, monday + dt.timedelta(days=4)
    if period.is_bound and period.is_valid():
        start = period.cleaned_data.get("start") or start
        end = period.cleaned_data.get("end") or end
    entry_form = None
    if request.user.role in {"therapist", "supervisor"}:
        entry_form = WorkloadEntryForm(request.POST or None, initial={"date": today})
        if request.method == "POST" and entry_form.is_valid():
            try:
                workload_entry_add(user=request.user, **entry_form.cleaned_data)
            except ValidationError as exc:
                for key, items in exc.message_dict.items():
                    for item in items:
                        entry_form.add_error(key if key in entry_form.fields else None, item)
            else:
                messages.success(request, "Time recorded.")
                return redirect(f"{request.path}?{request.GET.urlencode()}")
    rows = workload_report(user=request.user, start=start, end=end)
    recent = WorkloadEntry.objects.filter(staff__user=request.user).order_by("-date", "-pk")[:10]
    drives = drives_to_record_get(user=request.user, on=today) if entry_form is not None else []
    return render(
        request,
        "compliance/workload.html",
        {
            "period": period,
            "entry_form": entry_form,
            "rows": rows,
            "start": start,
            "end": end,
            "categories": WorkloadCategory.choices,
            "recent": recent,
            "drives": drives,
        },
        status=400 if entry_form is not None and entry_form.errors else 200,
    )


def dashboard(request):
    """The dashboard for the user's role: therapist, supervisor, or district."""
    from schoolot.compliance import dashboards

    on = timezone.localdate()
    role = request.user.role
    if role == "therapist":
        data = dashboards.therapist_dashboard(user=request.user, on=on)
        return render(request, "compliance/dashboard_therapist.html", {"d": data})
    if role == "supervisor":
        rows = dashboards.supervisor_dashboard(user=request.user, on=on)
        return render(request, "compliance/dashboard_team.html", {"rows": rows, "on": on})
    if role == "district_admin":
        if request.GET.get("view") == "team":
            rows = dashboards.supervisor_dashboard(user=request.user, on=on)
            return render(request, "compliance/dashboard_team.html", {"rows": rows, "on": on})
        rows = dashboards.district_dashboard(user=request.user, on=on)
        return render(request, "compliance/dashboard_district.html", {"rows": rows, "on": on})
    raise PermissionDenied("Dashboards are for the OT team.")


def student_minutes(request, student_id: int):
    """The minutes ledger of one student: every period of the year for each mandate."""
    from django.http import Http404

    from schoolot.compliance.ledger import district_calendar, student_ledger
    from schoolot.core.access import RecordScope, record_scope_for, students_visible_to

    student = students_visible_to(user=request.user).filter(pk=student_id).first()
    if student is None or record_scope_for(user=request.user) is not RecordScope.FULL:
        raise Http404("No such student.")
    on = timezone.localdate()
    cal = district_calendar(district_id=student.district_id, on=on)
    ledger = student_ledger(student=student, on=on, cal=cal) if cal else None
    audit_event_record(
        request=request, student=student, action=AuditAction.VIEW, what="minutes ledger"
    )
    return render(
        request, "compliance/student_minutes.html", {"student": student, "ledger": ledger, "on": on}
    )
