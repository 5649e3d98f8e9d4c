"""The week: build it with the solver, lock sessions, subscribe to it as a calendar."""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import time_format
from django.views.decorators.http import require_POST

from schoolot.accounts.models import Role
from schoolot.audit.models import AuditAction
from schoolot.audit.services import (
    audit_event_record,
    audit_events_record,
    audit_request_context,
)
from schoolot.core.access import students_visible_to
from schoolot.core.params import date_parse, id_parse
from schoolot.core.timezones import zone_get
from schoolot.delivery.models import WeeklySlot
from schoolot.delivery.outputs import therapists_visible_to
from schoolot.delivery.services import therapist_staff_get, weekly_slots_lock
from schoolot.directory.models import School, Staff, Student
from schoolot.schedules.away import (
    TEAM_AHEAD_DAYS,
    team_time_away_get,
    time_away_add,
    time_away_list,
    time_away_remove,
)
from schoolot.schedules.bell_import import COLUMNS, BellImportError, bell_periods_import
from schoolot.schedules.feed import calendar_text_get, class_calendar_text_get
from schoolot.schedules.forms import (
    AvailabilityForm,
    BellImportForm,
    BellPeriodForm,
    CommitmentForm,
    LunchAndPlanningForm,
    MileageForm,
    ProtectedBlockForm,
    SchedulePrioritiesForm,
    SchoolLocationForm,
    TimeAwayForm,
    TravelMatrixForm,
)
from schoolot.schedules.makeups import (
    makeup_hold,
    makeup_release,
    makeup_times_get,
    makeups_owed_get,
    makeups_team_get,
    makeups_unowned_get,
)
from schoolot.schedules.models import (
    WEEKDAYS,
    Availability,
    BellPeriod,
    CalendarFeed,
    Commitment,
    ProtectedBlock,
    ScheduleRun,
)
from schoolot.schedules.selectors import (
    lunch_and_planning_get,
    priorities_team_id,
    rotation_set_get,
    schedule_priorities_get,
    team_priorities_list,
    week_printout_get,
)
from schoolot.schedules.services import (
    PRIORITY_TOP,
    TRAVEL_DEFAULT_MINUTES,
    availability_add,
    availability_delete,
    bell_period_add,
    bell_period_delete,
    commitment_add,
    commitment_delete,
    commitment_slots_get,
    date_text,
    district_solve_teachers_notify,
    lunch_and_planning_set,
    protected_block_add,
    protected_block_delete,
    protected_block_slots_get,
    schedule_priorities_reset,
    schedule_priorities_set,
    school_location_set,
    school_mileage_get,
    school_mileage_save,
    school_setup_access,
    travel_times_get,
    travel_times_save,
    week_build_cancel,
    week_build_start,
    week_put_back,
)


def _solve_seconds(value: str | None) -> float:
    """The time limit a build asks for: 1 to 60 seconds; anything else, the default."""
    try:
        seconds = float(value or "")
    except ValueError:
        return settings.SCHOOLOT_SOLVE_SECONDS
    if not math.isfinite(seconds):
        return settings.SCHOOLOT_SOLVE_SECONDS
    return min(float(ScheduleRun.LONGEST_SECONDS), max(1.0, seconds))


@require_POST
def week_build(request):
    """Build her week as a task (schedules.services.week_build_start); My week shows it
    running, and the result when done (at once with the immediate task backend). With
    `staff` (a team member's, from her week's page), her week, built for her; the answer
    goes back to her week's page."""
    limit = _solve_seconds(request.POST.get("seconds"))
    member = id_parse(request.POST.get("staff", ""))
    if request.POST.get("staff") and member is None:
        raise Http404("No such therapist on your team.")
    build, new = week_build_start(
        user=request.user,
        seconds=limit,
        context=audit_request_context(request=request),
        staff_id=member,
    )
    if member is not None and build.staff.user_id != request.user.pk:
        name = build.staff.user.display_name
        if build.in_progress:
            messages.info(request, f"Building {name}'s week; reload her week to see it.")
        else:
            run = ScheduleRun.objects.filter(staff=build.staff).first()
            messages.info(
                request,
                f"{name}'s week: {build.get_status_display().lower()}"
                + (
                    f", {run.placed_minutes} of {run.required_minutes} minutes placed"
                    if run
                    else ""
                )
                + ". She is told when it changes her sessions.",
            )
        return redirect("staff_week", staff_id=build.staff_id)
    if not new:
        messages.info(request, "Your week is being built; this page shows it when done.")
    elif build.in_progress:
        messages.info(
            request, f"Building your week (up to {limit:.0f} s); this page shows it when done."
        )
    elif build.status == build.Status.FAILED:
        messages.error(request, f"The build failed: {build.error or 'unknown error'}.")
    else:
        run = ScheduleRun.objects.filter(staff=build.staff).first()
        placed = f"{run.placed_minutes} of {run.required_minutes} minutes placed"
        if run.superseded:
            messages.warning(request, run.note)
        elif run.unplaced:
            messages.warning(
                request, f"Week rebuilt: {placed}; see below what could not be placed and why."
            )
        else:
            messages.success(request, f"Week rebuilt: {placed}.")
    return redirect("slot_list")


@require_POST
def build_put_back(request, run_id: int):
    """Put back the week her last build replaced (schedules.services.week_put_back), while
    her week is still as that build wrote it."""
    try:
        run, changed = week_put_back(user=request.user, run_id=run_id, on=timezone.localdate())
    except ValidationError as exc:
        for problem in exc.messages:
            messages.error(request, problem)
    else:
        audit_events_record(
            request=request,
            students=changed,
            action=AuditAction.UPDATE,
            what="weekly OT sessions put back as before the build of "
            f"{run.created_at:%Y-%m-%d %H:%M}",
        )
        whose = f"{len(changed)} student{'s' if len(changed) != 1 else ''}"
        told = "; their teachers are told" if changed else ""
        messages.success(
            request,
            "Your week is back as it was before the build of "
            f"{timezone.localtime(run.created_at):%b %d, %-I:%M %p}: the sessions of {whose} "
            f"changed{told}.",
        )
    return redirect("slot_list")


@require_POST
def build_cancel(request, build_id: int):
    """Stop a build of her week, or of the team member's (`staff`) she started it for: what
    it is solving is not written. Back to the page of that week."""
    cancelled = week_build_cancel(user=request.user, build_id=build_id)
    member = id_parse(request.POST.get("staff", ""))
    whose = "her" if member is not None else "your"
    if cancelled:
        messages.success(request, f"Build cancelled; {whose} week stays as it was.")
    else:
        messages.info(request, "That build had finished already.")
    if member is not None:
        return redirect("staff_week", staff_id=member)
    return redirect("slot_list" if request.user.role == Role.THERAPIST else "schedules_district")


@require_POST
def slot_lock(request, slot_id: int):
    staff = therapist_staff_get(user=request.user)
    slot = get_object_or_404(WeeklySlot, pk=slot_id, therapist=staff)
    # "every_week": the session the rotation holds in each of its weeks, all its slots.
    together = rotation_set_get(slot=slot) if request.POST.get("every_week") else [slot]
    weekly_slots_lock(user=request.user, slots=together, locked=not slot.locked)
    weeks = " (every week of the rotation)" if len(together) > 1 else ""
    audit_events_record(
        request=request,
        students=slot.students.all(),
        action=AuditAction.UPDATE,
        what=f"weekly OT session {slot}{weeks} {'unlocked' if slot.locked else 'locked'}",
    )
    messages.success(request, f"{slot}{weeks} {'unlocked' if slot.locked else 'locked'}.")
    return redirect("slot_list")


@require_POST
def calendar_feed_new(request):
    """A new secret address for the feed (a therapist's week; a teacher's class's, a
    parent's children's OT times); the old one stops working. Nobody else keeps one."""
    user = request.user
    if user.role == Role.PARENT:
        CalendarFeed.objects.filter(user=user).delete()
        CalendarFeed.objects.create(district_id=user.district_id, user=user)
    else:
        staff = Staff.objects.filter(
            user=user, district_id=user.district_id, user__role__in=[Role.THERAPIST, Role.TEACHER]
        ).first()
        if staff is None:
            raise PermissionDenied("Calendar feeds are for therapists, teachers and parents.")
        CalendarFeed.objects.filter(staff=staff).delete()
        CalendarFeed.objects.create(district_id=staff.district_id, staff=staff)
    messages.success(request, "A new calendar address was made; the old one no longer works.")
    return redirect("slot_list" if user.role == Role.THERAPIST else "caseload")


def week_pdf(request):
    """Her week as a PDF to print (letter, landscape): by initials for the door or the front
    office, by name (`?names=1`) for her own copy. With `?staff=`, a team member's week, for
    whoever may read it (selectors.team_member_get: her supervisor, an administrator, a
    COTA's OTR; Http404 for anyone else). The students whose sessions it holds get a
    download in the audit trail."""
    from weasyprint import HTML

    from schoolot.schedules.selectors import team_member_get

    member = id_parse(request.GET.get("staff", ""))
    if request.GET.get("staff") and member is None:
        raise Http404("No such therapist on your team.")
    staff = (
        team_member_get(user=request.user, staff_id=member)
        if member is not None
        else therapist_staff_get(user=request.user)
    )
    names = request.GET.get("names") == "1"
    kind = "names" if names else "initials"
    today = timezone.localdate()
    # ?week=this or next: that week with its dates, as it will be held (from a weekend, the
    # coming one and the one after); else her usual week.
    week_of = {"this": today, "next": today + dt.timedelta(days=7)}.get(request.GET.get("week"))
    days = week_printout_get(staff=staff, names=names, week_of=week_of)
    html = render_to_string(
        "schedules/week_pdf.html",
        {"staff": staff, "days": days, "names": names, "today": today, "dated": week_of},
    )
    pdf = HTML(string=html).write_pdf()
    students = Student.objects.filter(  # everyone it prints, as My week shows them
        pk__in=WeeklySlot.students.through.objects.filter(weeklyslot__therapist=staff).values(
            "student_id"
        )
    )
    audit_events_record(
        request=request,
        students=students,
        action=AuditAction.DOWNLOAD,
        what=f"week schedule PDF ({kind})",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"ot-week-{days[0].date:%Y-%m-%d}" if week_of else "ot-week"
    response["Content-Disposition"] = f'inline; filename="{name}-{kind}.pdf"'
    return response


@login_not_required
def calendar_feed(request, token: str):
    """The therapist's week and fixed time, or the OT times of a teacher's class or of a
    parent's children, as iCalendar, for Google Calendar or Outlook (schedules.feed). The
    token is the only key: no student names, initials only. A feed of someone no longer
    active (or no longer a therapist, a teacher or a parent) is gone."""
    feed = (
        CalendarFeed.objects.filter(token=token)
        .filter(
            Q(staff__user__is_active=True, staff__user__role__in=[Role.THERAPIST, Role.TEACHER])
            | Q(user__is_active=True, user__role=Role.PARENT)
        )
        .select_related("staff__user__district", "user__district")
        .first()
    )
    if feed is None:
        raise Http404("No such calendar.")
    owner = feed.staff.user if feed.staff else feed.user
    zone = zone_get(name=owner.district.time_zone)
    today = timezone.localdate(timezone=zone)
    if owner.role == Role.THERAPIST:
        text = calendar_text_get(staff=feed.staff, today=today)
    else:
        text = class_calendar_text_get(user=owner, today=today)
    return HttpResponse(text, content_type="text/calendar; charset=utf-8")


def district_page(request):
    """Re-solve or check the weeks of a supervisor's team or the whole district, with
    progress; each therapist's last build and how her week stood at its last check."""
    from django.db.models import OuterRef, Subquery

    from schoolot.schedules.models import DistrictSolve, WeekCheckResult
    from schoolot.schedules.services import team_therapists

    last_run = ScheduleRun.objects.filter(staff=OuterRef("pk")).order_by("-created_at")
    therapists = list(
        team_therapists(user=request.user)
        .select_related("user")
        .annotate(last_run_id=Subquery(last_run.values("pk")[:1]))
    )
    runs = ScheduleRun.objects.in_bulk([t.last_run_id for t in therapists if t.last_run_id])
    checks = {c.staff_id: c for c in WeekCheckResult.objects.filter(staff__in=therapists)}
    run = DistrictSolve.objects.filter(started_by=request.user).first()
    template = "schedules/district.html"
    if request.htmx and request.GET.get("partial") == "progress":
        template += "#progress"
    rows = [(t, runs.get(t.last_run_id), checks.get(t.pk)) for t in therapists]
    return render(
        request,
        template,
        {
            "therapists": rows,
            "failing": sum(1 for _t, _r, c in rows if c and not c.holds),
            "run": run,
        },
    )


@require_POST
def district_start(request):
    """Start re-solving (`kind` "solve") or checking ("check") every week she oversees."""
    from schoolot.schedules.models import DistrictSolve
    from schoolot.schedules.services import district_run_start

    kind = request.POST.get("kind", DistrictSolve.Kind.SOLVE)
    if kind not in DistrictSolve.Kind.values:
        return HttpResponse("Unknown kind of run.", status=400)
    run, new = district_run_start(
        user=request.user,
        kind=kind,
        seconds_each=settings.SCHOOLOT_SOLVE_SECONDS,
        context=audit_request_context(request=request),
    )
    if not new:
        messages.info(
            request,
            f"Your last run is still going ({run.done} of {run.total} weeks "
            f"{run.get_kind_display()}); cancel it to start another.",
        )
        return redirect("schedules_district")
    verb = "Re-solving" if kind == DistrictSolve.Kind.SOLVE else "Checking"
    messages.success(request, f"{verb} {run.total} weeks.")
    return redirect("schedules_district")


@require_POST
def district_cancel(request, run_id: int):
    from schoolot.schedules.models import DistrictSolve

    if DistrictSolve.objects.filter(
        pk=run_id, started_by=request.user, status__in=["queued", "running"]
    ).update(status=DistrictSolve.Status.CANCELLED):
        # The weeks written before the cancel changed times: their teachers hear now.
        district_solve_teachers_notify(run_id=run_id, on=timezone.localdate())
        messages.success(request, "Cancelled.")
    return redirect("schedules_district")


def _points_text(value) -> str:
    """Points as typed: 20, not 20.0; 2.5 as it is."""
    return str(int(value)) if value == int(value) else str(value)


def schedule_priorities(request):
    """Schedule priorities: an administrator sets the district's, a supervisor her team's
    (or returns her team to the district's, `action` "reset"); a therapist sees what her
    week is weighed by and whose they are; nobody else sees them. A refused form comes back
    in place (status 400) with what was typed."""
    user = request.user
    if user.role not in (Role.THERAPIST, Role.SUPERVISOR, Role.DISTRICT_ADMIN):
        raise PermissionDenied("Schedule priorities are for the OT team and administrators.")
    may_set = user.role in (Role.SUPERVISOR, Role.DISTRICT_ADMIN)
    if request.method == "POST" and not may_set:
        raise PermissionDenied("Supervisors and administrators set the schedule priorities.")
    team_id = priorities_team_id(user=user)
    if request.method == "POST" and request.POST.get("action") == "reset":
        if schedule_priorities_reset(user=user):
            messages.success(request, "Your team's weeks are weighed by the district's again.")
        return redirect("schedule_priorities")
    current = schedule_priorities_get(district_id=user.district_id, team_id=team_id)
    form = SchedulePrioritiesForm(
        request.POST if request.method == "POST" else None,
        initial={name: _points_text(getattr(current, name)) for name in PRIORITY_TOP},
    )
    if request.method == "POST" and form.is_valid():
        try:
            schedule_priorities_set(user=user, **form.cleaned_data)
        except ValidationError as exc:
            for key, problems in exc.message_dict.items():
                for problem in problems:
                    form.add_error(key if key in form.fields else None, problem)
        else:
            whose = "your team's" if user.role == Role.SUPERVISOR else "the district's"
            messages.success(
                request, f"Priorities saved: every week built from now on uses {whose}."
            )
            return redirect("schedule_priorities")
    # What a move between schools and a moved session weigh in minutes of core instruction.
    per_core = None
    if current.core_missed:
        per_core = {
            name: getattr(current, name) / current.core_missed
            for name in ("trips", "changes", "bunching")
        }
    return render(
        request,
        "schedules/priorities.html",
        {
            "form": form,
            "current": current,
            "may_set": may_set,
            "supervisor": user.role == Role.SUPERVISOR,
            "teams": (
                [
                    (row, [getattr(row, name) for name in PRIORITY_TOP])
                    for row in team_priorities_list(district_id=user.district_id)
                ]
                if user.role == Role.DISTRICT_ADMIN
                else []
            ),
            "per_core": per_core,
            "rows": [
                (form[name].label, getattr(current, name), form[name].help_text.split()[-1])
                for name in PRIORITY_TOP
            ],
        },
        status=400 if form.errors else 200,
    )


def protected_time(request, student_id: int):
    """A student's protected time: teachers and the OT team see it, add to it and remove
    it. Adding it names the weekly sessions now in that time (their therapists are told);
    every look and change is in the audit trail."""
    if request.user.role == "parent":
        raise Http404("No such page.")
    student = get_object_or_404(students_visible_to(user=request.user), pk=student_id)
    if request.method == "POST" and "delete" in request.POST:
        block_id = id_parse(request.POST["delete"])
        removed = block_id and protected_block_delete(
            user=request.user, student_id=student.pk, block_id=block_id
        )
        if removed:
            audit_event_record(
                request=request,
                student=student,
                action=AuditAction.DELETE,
                what=f"protected time {removed.reason} {removed.start:%H:%M}",
            )
            messages.success(request, "Removed; the next week built may use that time.")
        else:
            messages.warning(request, "That protected time was already removed.")
        return redirect("protected_time", student.pk)
    form = ProtectedBlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            block = protected_block_add(
                user=request.user, student_id=student.pk, **form.cleaned_data
            )
        except ValidationError as exc:
            _errors_on_form(form, exc)
        else:
            audit_event_record(
                request=request,
                student=student,
                action=AuditAction.CREATE,
                what=f"protected time {block.reason} {block.start:%H:%M}",
            )
            slots = protected_block_slots_get(block=block)
            if slots:
                mine = [s for s in slots if s.therapist.user_id == request.user.pk]
                others = len(slots) - len(mine)
                text = "Protected time added."
                if mine:
                    text += (
                        f" It covers your {_count(len(mine), 'session')} "
                        f"({', '.join(_slot_text(s) for s in mine)}); Build my week moves "
                        f"{'them' if len(mine) > 1 else 'it'}."
                    )
                if others == 1:
                    text += " 1 session of another therapist falls in it; the therapist was told."
                elif others:
                    text += f" {others} sessions of other therapists fall in it; they were told."
                messages.warning(request, text)
            else:
                messages.success(
                    request, "Protected time added; the next week built keeps it free."
                )
            return redirect("protected_time", student.pk)
    if request.method == "GET":
        audit_event_record(
            request=request, student=student, action=AuditAction.VIEW, what="protected time"
        )
    blocks = [
        {"item": b, "days": _days_label(b.weekdays)}
        for b in ProtectedBlock.objects.filter(student=student)
    ]
    return render(
        request,
        "schedules/protected.html",
        {"student": student, "blocks": blocks, "form": form},
        status=400 if form.errors else 200,
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def availability_page(request):
    """The therapist's hours by day (and school), her fixed time (IEP meetings and the like)
    and her lunch and planning time: what the scheduler works within. With no hours
    recorded, every school day 7:30-16:00 at any of her schools. Each form posts here with
    its `action` (none: hours); a refused one comes back in place with its messages (status
    400) and the other forms as they were."""
    staff = therapist_staff_get(user=request.user)
    action = request.POST.get("action", "hours") if request.method == "POST" else None
    if action and "delete" in request.POST:
        hours_id = id_parse(request.POST["delete"])
        if hours_id and availability_delete(user=request.user, availability_id=hours_id):
            messages.success(request, "Hours removed; the next week you build goes without them.")
        else:
            messages.warning(request, "Those hours were already removed.")
        return redirect("availability")
    if action and "delete_commitment" in request.POST:
        commitment_id = id_parse(request.POST["delete_commitment"])
        if commitment_id and commitment_delete(user=request.user, commitment_id=commitment_id):
            messages.success(request, "Removed; the next week you build may use that time.")
        else:
            messages.warning(request, "That was already removed.")
        return redirect("availability")
    breaks = lunch_and_planning_get(staff=staff)
    hours_form = AvailabilityForm(
        request.POST if action == "hours" else None, schools=staff.schools.all()
    )
    commitment_form = CommitmentForm(
        request.POST if action == "commitment" else None,
        prefix="commitment",
        schools=staff.schools.all(),
    )
    breaks_form = LunchAndPlanningForm(
        request.POST if action == "breaks" else None,
        prefix="breaks",
        initial={
            "lunch_minutes": breaks.lunch_minutes,
            "lunch_from": breaks.lunch_from,
            "lunch_until": breaks.lunch_until,
            "planning_minutes": breaks.planning_minutes,
        },
    )
    if action == "hours" and hours_form.is_valid():
        data = hours_form.cleaned_data
        try:
            availability_add(
                user=request.user,
                weekday=data["weekday"],
                start=data["start"],
                end=data["end"],
                school_id=data["school"].pk if data["school"] else None,
            )
        except ValidationError as exc:
            _errors_on_form(hours_form, exc)
        else:
            messages.success(request, "Hours added; the next week you build works within them.")
            return redirect("availability")
    if action == "commitment" and commitment_form.is_valid():
        try:
            data = commitment_form.cleaned_data
            commitment = commitment_add(
                user=request.user,
                label=data["label"],
                weekdays=data["weekdays"],
                start=data["start"],
                end=data["end"],
                school_id=data["school"].pk if data["school"] else None,
                on=data["on"],
            )
        except ValidationError as exc:
            _errors_on_form(commitment_form, exc)
        else:
            clashes = commitment_slots_get(commitment=commitment)
            if clashes and commitment.on is not None:
                day = commitment.on
                messages.warning(
                    request,
                    f"Added. On {date_text(day)} it falls on your "
                    + ", ".join(
                        f"{time_format(s.start_time, 'g:i A')} session at {s.school.name}"
                        for s in clashes
                    )
                    + f"; that day's Today marks "
                    f"{'them' if len(clashes) > 1 else 'it'}, to log as missed or to move.",
                )
            elif commitment.on is not None:
                messages.success(request, "Added; it shows on that day's Today.")
            elif clashes:
                messages.warning(
                    request,
                    f"Added. {len(clashes)} session{'s' if len(clashes) > 1 else ''} of your "
                    f"week fall{'' if len(clashes) > 1 else 's'} in that time "
                    f"({', '.join(_slot_text(s) for s in clashes)}); Build my week moves "
                    f"{'them' if len(clashes) > 1 else 'it'}.",
                )
            else:
                messages.success(request, "Added; the next week you build keeps that time free.")
            return redirect("availability")
    if action == "breaks" and breaks_form.is_valid():
        try:
            lunch_and_planning_set(user=request.user, **breaks_form.cleaned_data)
        except ValidationError as exc:
            _errors_on_form(breaks_form, exc)
        else:
            messages.success(request, "Saved; the next week you build keeps that time.")
            return redirect("availability")
    refused = any(f.errors for f in (hours_form, commitment_form, breaks_form))
    commitments = [
        {"item": c, "days": _days_label(c.weekdays)}
        for c in Commitment.objects.filter(staff=staff, on__isnull=True)
        .select_related("school")
        .order_by("start")
    ]
    # One-offs to come (past ones are history, kept but not listed).
    one_offs = (
        Commitment.objects.filter(staff=staff, on__gte=timezone.localdate())
        .select_related("school")
        .order_by("on", "start")
    )
    return render(
        request,
        "schedules/availability.html",
        {
            "hours": Availability.objects.filter(staff=staff).select_related("school"),
            "form": hours_form,
            "commitments": commitments,
            "one_offs": one_offs,
            "commitment_form": commitment_form,
            "breaks": breaks,
            "breaks_form": breaks_form,
        },
        status=400 if refused else 200,
    )


def time_away_page(request):
    """Time away (schedules.away): the days ahead a therapist gives no sessions, entered
    before they come. A therapist or COTA lists hers to come and the latest past, adds (her
    supervisor and the teachers of the students whose sessions fall on them are told) and
    takes back (`remove`). An OT supervisor does the same for the therapists of her team (an
    administrator for the district's): one out sick who cannot log in, a leave; the
    therapist is told too. A refused form comes back in place with what was typed (400)."""
    today = timezone.localdate()
    team = None
    if request.user.role in (Role.SUPERVISOR, Role.DISTRICT_ADMIN):
        team = list(
            therapists_visible_to(user=request.user)
            .select_related("user")
            .order_by("user__last_name", "user__first_name")
        )
    else:
        staff = therapist_staff_get(user=request.user)
    form = TimeAwayForm(request.POST if request.method == "POST" else None, team=team)
    if request.method == "POST" and "remove" in request.POST:
        away_id = id_parse(request.POST["remove"])
        if away_id is None:
            raise Http404("No such time away.")
        away, told = time_away_remove(user=request.user, away_id=away_id, today=today)
        whose = "your" if team is None else f"{away.staff.user.display_name}'s"
        messages.success(
            request,
            f"Taken back: {whose} sessions from {date_text(max(away.start_date, today))} on "
            f"are held as usual. {'1 person' if told == 1 else f'{told} people'} told.",
        )
        return redirect("time_away")
    if request.method == "POST" and form.is_valid():
        try:
            added = time_away_add(user=request.user, today=today, **form.cleaned_data)
        except ValidationError as exc:
            _errors_on_form(form, exc)
        else:
            n = len(added.sessions)
            who = "Your supervisor" if team is None else added.away.staff.user.display_name
            text = (
                f"Saved: {_count(n, 'session')} not held. {who} and the teachers of those "
                f"students are told ({_count(added.told, 'notification')}). On each day, "
                "Today offers to log them as missed."
            )
            if added.released:
                text += (
                    f" {_count(added.released, 'time')} held for make-ups on those days "
                    f"{'was' if added.released == 1 else 'were'} given back; the make-ups "
                    "stay owed."
                )
            messages.success(request, text)
            if added.meetings:
                messages.warning(
                    request,
                    "Fixed time on those days to move or cancel: "
                    + "; ".join(
                        f"{c.label}, {date_text(c.on, short=True)} {time_format(c.start, 'g:i A')}"
                        for c in added.meetings
                    )
                    + ".",
                )
            return redirect("time_away")
    if team is None:
        listed = time_away_list(staff=staff, today=today)
        coming, past = listed.coming, listed.past
    else:
        coming, past = team_time_away_get(user=request.user, today=today, days=None), []
    return render(
        request,
        "schedules/time_away.html",
        {"form": form, "coming": coming, "past": past, "today": today, "team": team},
        status=400 if form.errors else 200,
    )


def _slot_text(slot: WeeklySlot) -> str:
    return (
        f"{slot.get_weekday_display()} {time_format(slot.start_time, 'g:i A')} "
        f"at {slot.school.name}"
    )


def _errors_on_form(form, exc: ValidationError, *, field_of=lambda form, key: key) -> None:
    """A service's ValidationError back on the form: each message on its field where the form
    has one (`field_of` maps the service's key to a field name), else above the form."""
    for key, items in exc.message_dict.items():
        name = field_of(form, key)
        for item in items:
            form.add_error(name if name in form.fields else None, item)


def _travel_field(form, key: str) -> str | None:
    """travel_times_save keys a bad pair "origin-destination"; the form names its cell."""
    origin, _, destination = (id_parse(part) for part in key.partition("-"))
    return form.name_of(origin, destination) if origin and destination else None


def _days_label(text: str) -> str:
    names = dict(WEEKDAYS)
    days = [names[int(d)] for d in text.split(",") if d.strip().isdigit() and int(d) in names]
    return ", ".join(days) if days else "Every day"


def _grades_label(text: str) -> str:
    grades = [g.strip() for g in text.split(",") if g.strip()]
    return ", ".join(grades) if grades else "Every grade"


def school_bells_index(request):
    """The district's schools, each with its day and how many bell periods it has."""
    can_edit = school_setup_access(user=request.user)
    schools = School.objects.filter(district_id=request.user.district_id).annotate(
        bell_count=Count("bells")
    )
    return render(
        request, "schedules/school_bells_index.html", {"schools": schools, "can_edit": can_edit}
    )


def school_bells_import(request):
    """Bell periods for many schools at once, as CSV (schedules.bell_import): added whole,
    or not at all with every problem listed by line and the text kept to correct."""
    if not school_setup_access(user=request.user):
        raise PermissionDenied("Therapists read the bell schedule; supervisors change it.")
    form = BellImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            added = bell_periods_import(
                user=request.user,
                text=form.cleaned_data["rows"],
                replace=form.cleaned_data["replace"],
            )
        except BellImportError as exc:
            problems = exc.problems
        else:
            messages.success(
                request,
                f"{added} period{'s' if added != 1 else ''} added; the next week built uses them.",
            )
            return redirect("school_bells_index")
    return render(
        request,
        "schedules/school_bells_import.html",
        {"form": form, "problems": problems, "columns": COLUMNS},
        status=400 if problems or form.errors else 200,
    )


def school_bells(request, school_id: int):
    """A school's day: its bell periods by start time, and where the school is (for the drive
    estimates); administrators and OT supervisors add and remove periods and set the
    location, therapists read them."""
    can_edit = school_setup_access(user=request.user)
    school = get_object_or_404(School, pk=school_id, district_id=request.user.district_id)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied("Therapists read the bell schedule; supervisors change it.")
    if request.method == "POST" and "delete" in request.POST:
        bell_id = id_parse(request.POST["delete"])
        if bell_id and bell_period_delete(user=request.user, school_id=school.pk, bell_id=bell_id):
            messages.success(request, "Period removed; the next week built no longer uses it.")
        else:
            messages.warning(request, "That period was already removed.")
        return redirect("school_bells", school.pk)
    posted = request.POST if request.method == "POST" else None
    saving_location = posted is not None and "location" in posted
    location = _location_text(school)
    location_form = SchoolLocationForm(
        posted if saving_location else None, initial={"location": location}
    )
    if saving_location:
        if location_form.is_valid():
            latitude, longitude = location_form.cleaned_data["location"] or (None, None)
            try:
                school_location_set(
                    user=request.user,
                    school_id=school.pk,
                    latitude=latitude,
                    longitude=longitude,
                )
            except ValidationError as exc:
                _errors_on_form(location_form, exc)
            else:
                messages.success(
                    request,
                    "Location saved; drives without an entered time are estimated from it."
                    if latitude is not None
                    else "Location cleared; drives without an entered time take the default.",
                )
                return redirect("school_bells", school.pk)
        posted = None  # the period form stays as it was
    form = BellPeriodForm(posted)
    if posted is not None and form.is_valid():
        try:
            bell_period_add(user=request.user, school_id=school.pk, **form.cleaned_data)
        except ValidationError as exc:
            _errors_on_form(form, exc)
        else:
            messages.success(request, "Period added; the next week built works around it.")
            return redirect("school_bells", school.pk)
    bells = [
        (b, _grades_label(b.grades), _days_label(b.weekdays))
        for b in BellPeriod.objects.filter(
            district_id=request.user.district_id, school=school
        ).order_by("start", "end", "pk")
    ]
    return render(
        request,
        "schedules/school_bells.html",
        {
            "school": school,
            "bells": bells,
            "form": form if can_edit else None,
            "location_form": location_form if can_edit else None,
            "location": location,
            "can_edit": can_edit,
        },
        status=400 if form.errors or location_form.errors else 200,
    )


def _location_text(school: School) -> str:
    """A school's location as the form shows it: "latitude, longitude", or blank."""
    if school.location is None:
        return ""
    return ", ".join(f"{x:.6f}".rstrip("0").rstrip(".") for x in school.location)


def _school_pairs_page(
    request, *, refusal, read, form_class, save, field_of, saved, here, template, rows, extra
):
    """A page of one number per pair of the district's schools (travel minutes, road miles),
    saved all at once or not at all: supervisors and administrators change it, therapists
    read it (`refusal` for their POST). `read` gives the schools and what is saved, `save`
    writes the valid form and returns the counts `saved` (a message) names; `field_of`
    finds the field of a refusal; `rows` lays the form out for the template, beside
    `extra`."""
    can_edit = school_setup_access(user=request.user)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied(refusal)
    schools, values = read(user=request.user)
    form = form_class(
        request.POST if request.method == "POST" else None, schools=schools, saved=values
    )
    if request.method == "POST" and form.is_valid():
        try:
            counts = save(form)
        except ValidationError as exc:
            _errors_on_form(form, exc, field_of=field_of)
        else:
            messages.success(request, saved.format(**counts))
            return redirect(here)
    return render(
        request,
        template,
        {"form": form, "rows": rows(form), "can_edit": can_edit, **extra},
        status=400 if form.errors else 200,
    )


def travel_times(request):
    """Travel minutes between the district's schools as one matrix (row: from, column: to),
    saved all at once or not at all. A blank cell takes the other direction's minutes, or
    the scheduler's default when both are blank."""
    return _school_pairs_page(
        request,
        refusal="Therapists read travel times; supervisors change them.",
        read=travel_times_get,
        form_class=TravelMatrixForm,
        save=lambda form: travel_times_save(user=request.user, minutes=form.minutes()),
        field_of=_travel_field,
        saved="Travel times saved ({added} added, {changed} changed, {cleared} cleared); "
        "the next week built uses them.",
        here="travel_times",
        template="schedules/travel_times.html",
        rows=lambda form: form.matrix(),
        extra={"default_minutes": TRAVEL_DEFAULT_MINUTES},
    )


def school_mileage(request):
    """The district's road miles between its schools (its mileage chart), the same both
    ways, saved all at once or not at all: the timesheet's mileage log takes them over the
    estimate from the schools' locations, shown in each blank field. Supervisors and
    administrators change them; therapists read them."""
    return _school_pairs_page(
        request,
        refusal="Therapists read the mileage; supervisors change it.",
        read=school_mileage_get,
        form_class=MileageForm,
        save=lambda form: school_mileage_save(user=request.user, miles=form.miles()),
        field_of=_mileage_field,
        saved="Mileage saved ({added} added, {changed} changed, {cleared} cleared); "
        "timesheets use it from now on.",
        here="school_mileage",
        template="schedules/mileage.html",
        rows=lambda form: form.rows(),
        extra={},
    )


def _mileage_field(form, key: str) -> str | None:
    """school_mileage_save keys a bad pair "a-b"; the form names its field."""
    a, _, b = (id_parse(part) for part in key.partition("-"))
    return form.name_of(a, b) if a and b else None


def makeups_page(request):
    """The make-ups she owes (missed sessions of hers marked make-up owed), each with a way to
    find a time for it, and the times she holds for them to give back. A supervisor reads her
    team's (an administrator the district's), per therapist, with how long each has waited
    and whether a time is held."""
    today = timezone.localdate()
    if request.user.role in (Role.SUPERVISOR, Role.DISTRICT_ADMIN):
        team = makeups_team_get(user=request.user, on=today)
        away = team_time_away_get(user=request.user, today=today)
        return render(
            request,
            "schedules/makeups_team.html",
            {
                "team": team,
                "away": away,
                "unowned": makeups_unowned_get(user=request.user, on=today),
                "today": today,
                "ahead_days": TEAM_AHEAD_DAYS,
            },
        )
    staff = therapist_staff_get(user=request.user)
    owed = list(makeups_owed_get(staff=staff, on=today))
    return render(request, "schedules/makeups.html", {"owed": owed})


@require_POST
def makeup_held_release(request, commitment_id: int):
    """Give back a time held for a make-up: it leaves her calendar, the make-up stays owed."""
    held = makeup_release(user=request.user, commitment_id=commitment_id)
    student = held.makeup_for.student
    audit_event_record(
        request=request,
        student=student,
        action=AuditAction.UPDATE,
        what=f"make-up time released ({held.on:%Y-%m-%d} {held.start:%H:%M})",
    )
    messages.success(
        request,
        f"{held.on:%a %b} {held.on.day}, {time_format(held.start, 'g:i A')} is yours again; "
        f"{student.full_name}'s make-up is still owed.",
    )
    return redirect("makeups")


def makeup_times(request, entry_id: int):
    """Times for one make-up she owes (schedules.makeups), each to hold with one click: a
    one-off of her fixed time on that date, which that day's Today lists."""
    staff = therapist_staff_get(user=request.user)
    entry = makeups_owed_get(staff=staff).filter(pk=entry_id).first()
    if entry is None:
        raise Http404("No such make-up owed.")
    now = timezone.localtime()
    if request.method == "POST":
        day = date_parse(request.POST.get("date"), default=now.date())
        try:
            start = dt.time.fromisoformat(request.POST.get("start", ""))
        except ValueError:
            start = None
        try:
            if start is None:
                raise ValidationError("Choose one of the times listed.")
            held = makeup_hold(user=request.user, entry=entry, on=day, start=start, now=now)
        except ValidationError as exc:
            for problem in exc.messages:
                messages.error(request, problem)
        else:
            audit_event_record(
                request=request,
                student=entry.student,
                action=AuditAction.UPDATE,
                what=f"make-up time held ({held.on:%Y-%m-%d} {held.start:%H:%M})",
            )
            messages.success(
                request,
                f"Held {held.on:%a %b} {held.on.day}, {time_format(held.start, 'g:i')}–"
                f"{time_format(held.end, 'g:i A')} at {held.school.name} for "
                f"{entry.student.full_name}'s make-up. Log it on the day and mark what it "
                "makes up.",
            )
            return redirect(f"{reverse('today')}?date={held.on.isoformat()}")
    times = makeup_times_get(
        staff=staff,
        student=entry.student,
        minutes=entry.minutes,
        on=now.date(),
        now=now.time(),
    )
    audit_event_record(
        request=request, student=entry.student, action=AuditAction.VIEW, what="make-up times"
    )
    return render(request, "schedules/makeup_times.html", {"entry": entry, "times": times})
