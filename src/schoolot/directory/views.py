"""The caseload, the student record and the school calendar. Thin: access and reads live in
selectors, writes in services."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from schoolot.accounts.models import Role
from schoolot.audit.models import AuditAction
from schoolot.audit.services import audit_event_record
from schoolot.core.access import sees_staff_filter
from schoolot.core.params import id_parse
from schoolot.directory.forms import CalendarEventForm, CaseloadFilterForm
from schoolot.directory.models import CalendarEvent, School
from schoolot.directory.selectors import (
    CaseloadFilters,
    caseload_filter_choices,
    caseload_list,
    school_calendar_access,
    school_calendar_get,
    student_record_get,
)
from schoolot.directory.services import calendar_event_remove, calendar_event_save
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


def _told_text(told: int, *, gives_back: bool = False) -> str:
    if not told:
        return "No therapist has sessions it changes in the next two weeks."
    whom = f"{told} therapist{'s' if told != 1 else ''}"
    return f"{whom} told, with the sessions it {'gives back' if gives_back else 'changes'}."


def _calendar_form_save(request, form, *, event_id=None) -> CalendarEvent | None:
    """Save a valid form (calendar_event_save); a refusal goes back onto the form."""
    data = form.cleaned_data
    try:
        event, told = calendar_event_save(
            user=request.user,
            event_id=event_id,
            kind=data["kind"],
            name=data["name"].strip(),
            school_id=data["school"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            today=timezone.localdate(),
        )
    except ValidationError as exc:
        problems = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
        for key, texts in problems.items():
            for text in texts:
                form.add_error(key if key in form.fields else None, text)
        return None
    messages.success(request, f"Saved: {event.name}. {_told_text(told)}")
    return event


def _schools(request):
    return School.objects.filter(district_id=request.user.district_id).order_by("name")


def school_calendar(request):
    """The district's school calendar: one school year's breaks, holidays and closures (the
    whole district's and single schools'), and how many school days it has. Administrators
    and OT supervisors add days without school here (a snow day, a water main break at one
    school); the therapists whose sessions they take are told. Therapists read it. A refused
    form comes back in place (status 400) with what was typed."""
    may_edit = school_calendar_access(user=request.user)
    if request.method == "POST" and not may_edit:
        raise PermissionDenied("Administrators and OT supervisors change the school calendar.")
    today = timezone.localdate()
    page = school_calendar_get(
        district_id=request.user.district_id,
        today=today,
        year_id=id_parse(request.GET.get("year")),
    )
    form = CalendarEventForm(request.POST or None, schools=_schools(request))
    if request.method == "POST" and form.is_valid():
        event = _calendar_form_save(request, form)
        if event is not None:
            return redirect(f"{reverse('school_calendar')}?year={event.school_year_id}")
    return render(
        request,
        "directory/school_calendar.html",
        {"page": page, "form": form, "may_edit": may_edit, "today": today},
        status=400 if form.errors else 200,
    )


def calendar_event_edit(request, event_id: int):
    """Change one break, holiday or closure: its days, where and why (administrators and OT
    supervisors). The therapists whose sessions the change takes or gives back are told."""
    if not school_calendar_access(user=request.user):
        raise PermissionDenied("Administrators and OT supervisors change the school calendar.")
    event = (
        CalendarEvent.objects.filter(pk=event_id, district_id=request.user.district_id)
        .select_related("school_year")
        .first()
    )
    if event is None:
        raise Http404("No such calendar event.")
    initial = {
        "kind": event.kind,
        "name": event.name,
        "school": event.school_id or "",
        "start_date": event.start_date,
        "end_date": event.end_date,
    }
    form = CalendarEventForm(request.POST or None, initial=initial, schools=_schools(request))
    if request.method == "POST" and form.is_valid():
        saved = _calendar_form_save(request, form, event_id=event.pk)
        if saved is not None:
            return redirect(f"{reverse('school_calendar')}?year={saved.school_year_id}")
    return render(
        request,
        "directory/calendar_event_form.html",
        {"event": event, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
def calendar_event_delete(request, event_id: int):
    """Take a break, holiday or closure off the calendar (administrators and OT
    supervisors); the therapists whose sessions are held after all are told."""
    event, told = calendar_event_remove(
        user=request.user, event_id=event_id, today=timezone.localdate()
    )
    messages.success(
        request, f"{event.name} is off the calendar. {_told_text(told, gives_back=True)}"
    )
    return redirect(f"{reverse('school_calendar')}?year={event.school_year_id}")
