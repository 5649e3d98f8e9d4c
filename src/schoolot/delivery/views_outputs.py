"""Consultations, the service log, the billing export and the timesheet. Thin views."""

from __future__ import annotations

import csv
import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from schoolot.audit.models import AuditAction
from schoolot.audit.services import audit_event_record
from schoolot.core.params import ids_parse
from schoolot.delivery import outputs, services
from schoolot.delivery.forms import ConsultationForm, PeriodForm
from schoolot.delivery.models import Consultation
from schoolot.delivery.session_selectors import picker_students


def _csv(filename: str, rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    for row in rows:
        writer.writerow(row)
    return response


def _period(request, default_days: int = 30):
    today = timezone.localdate()
    initial = {"start": today - dt.timedelta(days=default_days), "end": today}
    form = PeriodForm(request.GET or None, initial=initial)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    if form.is_bound:
        return form, None, None
    return form, initial["start"], initial["end"]


def consultation_new(request):
    services.therapist_staff_get(user=request.user)
    students = list(picker_students(user=request.user))
    now = timezone.localtime()
    form = ConsultationForm(
        request.POST or None,
        students=students,
        initial={
            "date": now.date(),
            "start_time": (now - dt.timedelta(minutes=20)).strftime("%H:%M"),
            "end_time": now.strftime("%H:%M"),
            "students": ids_parse(request.GET.getlist("student")),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consultation = services.consultation_log(
                user=request.user,
                data=services.ConsultationInput(
                    date=data["date"],
                    start_time=data["start_time"],
                    end_time=data["end_time"],
                    with_name=data["with_name"],
                    with_role=data["with_role"],
                    domain=data["domain"],
                    topic=data["topic"],
                    strategies=data["strategies"],
                    student_ids=data["students"],
                    follow_up_date=data["follow_up_date"],
                    submission_key=data["submission_key"],
                ),
            )
        except ValidationError as exc:
            for key, items in exc.message_dict.items():
                for item in items:
                    form.add_error(key if key in form.fields else None, item)
        else:
            for sid in data["students"]:
                audit_event_record(
                    request=request,
                    student=next(s for s in students if s.pk == sid),
                    action=AuditAction.CREATE,
                    what=f"consultation {consultation.pk}",
                )
            messages.success(request, f"Consultation with {consultation.with_name} logged.")
            return redirect("consultation_list")
    return render(
        request,
        "delivery/consultation_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def consultation_list(request):
    staff = services.therapist_staff_get(user=request.user)
    today = timezone.localdate()
    consultations = list(
        Consultation.objects.filter(therapist=staff)
        .prefetch_related("students__student")
        .order_by("-date", "-start_time")[:200]
    )
    follow_ups = sorted(
        (c for c in consultations if c.follow_up_date and c.follow_up_date >= today),
        key=lambda c: c.follow_up_date,
    )
    return render(
        request,
        "delivery/consultation_list.html",
        {
            "consultations": consultations,
            "follow_ups": follow_ups,
            "today": today,
        },
    )


def service_log(request, student_id: int):
    form, start, end = _period(request, default_days=365)
    log = (
        outputs.service_log_get(user=request.user, student_id=student_id, start=start, end=end)
        if start
        else None
    )
    if log is None:  # bad dates: show the form with its messages and the whole log
        log = outputs.service_log_get(user=request.user, student_id=student_id)
    audit_event_record(
        request=request, student=log.student, action=AuditAction.VIEW, what="service log"
    )
    return render(
        request,
        "delivery/service_log.html",
        {"log": log, "form": form, "query": request.GET.urlencode()},
        status=400 if form.errors else 200,
    )


SERVICE_LOG_HEADER = [
    "date",
    "start",
    "end",
    "kind",
    "therapist",
    "credential",
    "delivery_model",
    "setting",
    "attendance",
    "missed_reason",
    "minutes",
    "mandate",
    "codes",
    "signed",
    "signed_by",
    "makeup_owed",
    "makes_up",
    "made_up_by",
]


def service_log_csv(request, student_id: int):
    form, start, end = _period(request, default_days=365)
    if not start:
        return HttpResponse(
            "Bad dates: " + "; ".join(m for ms in form.errors.values() for m in ms),
            status=400,
            content_type="text/plain",
        )
    log = outputs.service_log_get(user=request.user, student_id=student_id, start=start, end=end)
    audit_event_record(
        request=request,
        student=log.student,
        action=AuditAction.EXPORT,
        what=f"service log {start}..{end}",
    )

    def rows():
        yield SERVICE_LOG_HEADER
        for e in log.entries:
            s = e.session
            yield [
                e.date.isoformat(),
                f"{s.start_time:%H:%M}",
                f"{s.end_time:%H:%M}",
                s.kind,
                s.therapist.user.display_name,
                s.therapist.credential,
                s.delivery_model,
                s.setting,
                e.attendance,
                e.missed_reason,
                e.minutes,
                e.mandate.in_words,
                " ".join(f"{c.code}:{c.minutes}" for c in e.codes.all()),
                "yes" if s.is_signed else "no",
                s.signed_by.user.display_name if s.signed_by else "",
                "yes" if e.makeup_owed else "no",
                e.makeup_for.date.isoformat() if e.makeup_for else "",
                " ".join(m.date.isoformat() for m in e.makeups.all()),
            ]
        for c in log.consultations:
            k = c.consultation
            yield [
                c.date.isoformat(),
                f"{k.start_time:%H:%M}",
                f"{k.end_time:%H:%M}",
                "consultation",
                k.therapist.user.display_name,
                k.therapist.credential,
                "consultation",
                "",
                "",
                "",
                c.minutes,
                c.mandate.in_words if c.mandate else "",
                "",
                "yes",
                "",
                "",
                "",
                "",
            ]

    return _csv(f"service-log-{log.student.local_id}.csv", rows())


def billing(request):
    form, start, end = _period(request)
    export = outputs.billing_export(user=request.user, start=start, end=end) if start else None
    return render(
        request,
        "delivery/billing.html",
        {
            "form": form,
            "export": export,
            "query": request.GET.urlencode(),
        },
        status=400 if form.errors else 200,
    )


def billing_csv(request, kind: str):
    form, start, end = _period(request)
    if not start:
        return HttpResponse("Bad dates.", status=400, content_type="text/plain")
    export = outputs.billing_export(user=request.user, start=start, end=end)
    if kind == "exceptions":
        audit_event_record(
            request=request,
            student=None,
            action=AuditAction.EXPORT,
            what=f"billing exceptions {start}..{end} ({len(export.exceptions)})",
        )
        return _csv(f"billing-exceptions-{start}-{end}.csv", outputs.exceptions_csv_rows(export))
    audit_event_record(
        request=request,
        student=None,
        action=AuditAction.EXPORT,
        what=f"Medicaid billing export {start}..{end} ({len(export.rows)} rows)",
    )
    return _csv(f"medicaid-{start}-{end}.csv", outputs.billing_csv_rows(export))


def _timesheet(request):
    form, start, end = _period(request, default_days=14)
    staff_id = ids_parse([request.GET.get("therapist", "")])
    therapists = list(
        outputs.therapists_visible_to(user=request.user)
        .select_related("user")
        .order_by("user__last_name")
    )
    if not start:
        return form, None, [], therapists, start, end
    staff, days = outputs.timesheet(
        user=request.user, staff_id=staff_id[0] if staff_id else None, start=start, end=end
    )
    return form, staff, days, therapists, start, end


def timesheet_page(request):
    form, staff, days, therapists, start, end = _timesheet(request)
    return render(
        request,
        "delivery/timesheet.html",
        {
            "form": form,
            "staff": staff,
            "days": days,
            "therapists": therapists,
            "query": request.GET.urlencode(),
            "totals": {
                k: sum(getattr(d, k) for d in days)
                for k in [
                    "sessions",
                    "direct_minutes",
                    "missed_sessions",
                    "consultation_minutes",
                    "total_minutes",
                ]
            }
            | {"miles": round(sum(d.miles for d in days), 1)},
        },
        status=400 if form.errors else 200,
    )


def timesheet_csv(request):
    form, staff, days, _therapists, start, end = _timesheet(request)
    if staff is None:
        return HttpResponse("Bad dates.", status=400, content_type="text/plain")
    audit_event_record(
        request=request,
        student=None,
        action=AuditAction.EXPORT,
        what=f"timesheet of {staff} {start}..{end}",
    )
    rows = [
        [
            "date",
            "provider",
            "credential",
            "schools",
            "sessions",
            "direct_minutes",
            "missed_sessions",
            "consultation_minutes",
            "total_minutes",
            "miles_between_schools",
            "drives",
        ]
    ]
    rows += [
        [
            d.date.isoformat(),
            staff.user.display_name,
            staff.credential,
            "; ".join(d.schools),
            d.sessions,
            d.direct_minutes,
            d.missed_sessions,
            d.consultation_minutes,
            d.total_minutes,
            d.miles,
            "; ".join(
                f"{leg.origin.name} to {leg.destination.name} "
                + (
                    f"{leg.miles} mi" + (" (est.)" if leg.estimated else "")
                    if leg.miles is not None
                    else "(no location)"
                )
                for leg in d.legs
            ),
        ]
        for d in days
    ]
    return _csv(f"timesheet-{staff.user.username}-{start}-{end}.csv", rows)
