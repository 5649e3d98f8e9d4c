"""The caseload and the student record. Thin: access and reads live in selectors."""

import datetime as dt

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from schoolot.accounts.models import Role
from schoolot.audit.models import AuditAction
from schoolot.audit.services import audit_event_record
from schoolot.core.access import sees_staff_filter
from schoolot.directory.forms import CaseloadFilterForm
from schoolot.directory.selectors import (
    CaseloadFilters,
    caseload_filter_choices,
    caseload_list,
    student_record_get,
)
from schoolot.schedules.models import CalendarFeed
from schoolot.schedules.selectors import ot_week_get, student_ot_times_get

PAGE_SIZE = 100


def caseload(request):
    """Students the user may see, grouped by school, with search and filters.

    Works as a plain GET form; with htmx only the results partial is swapped.
    """
    user = request.user
    show_staff = sees_staff_filter(user=user)
    form = CaseloadFilterForm(
        request.GET or None, show_staff=show_staff, **caseload_filter_choices(user=user)
    )
    filters = CaseloadFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = CaseloadFilters(
            q=data["q"].strip(),
            school_id=data["school"],
            plan_kind=data["plan_kind"],
            grade=data["grade"],
            staff_id=data.get("therapist"),
        )
    elif form.is_bound:
        filters = None  # an invalid filter shows its message and no list, never everything
    page = None
    if filters is not None:
        page = Paginator(caseload_list(user=user, filters=filters), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    template = "directory/caseload.html"
    context = {"form": form, "page": page, "show_staff": show_staff}
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    else:  # a teacher's or a parent's week of OT sessions, above the list, if any
        context["today"] = timezone.localdate()
        context["ahead"] = ahead = request.GET.get("week") == "next"
        week = ot_week_get(
            user=user, on=context["today"] + dt.timedelta(days=7 if ahead else 0)
        )
        context["ot_week"] = week or None  # none when her students have no OT
        if user.role == Role.TEACHER:  # her class's OT times in her own calendar
            context["feed"] = CalendarFeed.objects.filter(staff__user=user).first()
        elif user.role == Role.PARENT:  # her children's
            context["feed"] = CalendarFeed.objects.filter(user=user).first()
    return render(request, template, context)


def student_detail(request, student_id: int):
    record = student_record_get(user=request.user, student_id=student_id)
    audit_event_record(
        request=request,
        student=record.student,
        action=AuditAction.VIEW,
        what=f"student record ({record.scope.value})",
    )
    # When OT sees her: her teacher and family need it as much as her therapist.
    now = timezone.localtime()
    today = now.date()
    ot_times = student_ot_times_get(student=record.student, on=today, now=now.time())
    return render(
        request,
        "directory/student_detail.html",
        {"record": record, "ot_times": ot_times, "today": today},
    )
