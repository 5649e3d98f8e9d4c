"""The therapist's day, session entry, the note, and the weekly slots. Thin: rules live in
services, reads in session_selectors."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from schoolot.audit.models import AuditAction
from schoolot.audit.services import audit_event_record, audit_events_record
from schoolot.core.params import date_parse, id_parse, ids_parse
from schoolot.delivery import services
from schoolot.delivery.forms import (
    AddendumForm,
    SessionForm,
    StudentPartForm,
    WeeklySlotForm,
    default_times,
)
from schoolot.delivery.models import MissedReason, SessionStudent, WeeklySlot
from schoolot.delivery.session_selectors import (
    entry_students_get,
    picker_students,
    session_get,
    today_get,
    unsigned_sessions,
)
from schoolot.schedules.models import (
    CalendarFeed,
    Commitment,
    ScheduleRun,
    TimeAway,
    WeekBuild,
)
from schoolot.schedules.selectors import (
    build_changes_get,
    rotation_set_get,
    rotation_sets_split,
    slot_places_get,
    supervised_cotas_get,
    team_member_get,
    week_breaks_get,
    weekdays_held,
)
from schoolot.schedules.services import week_state_get
from schoolot.schedules.week_check import week_check_get


def today(request):
    """Her sessions for the day, one tap to log each, and what is left to sign."""
    staff = services.therapist_staff_get(user=request.user)
    date = date_parse(request.GET.get("date"), default=timezone.localdate())
    day = today_get(staff=staff, date=date)
    return render(
        request,
        "delivery/today.html",
        {
            "day": day,
            "previous": date - dt.timedelta(days=1),
            "next": date + dt.timedelta(days=1),
            "is_today": date == timezone.localdate(),
            # Sessions are logged on or after their day: a day to come offers no logging.
            "is_future": date > timezone.localdate(),
            "open_slots": [i for i in day.slots if i.session is None and not i.closed],
            "day_missed_reasons": [(r.value, r.label) for r in services.DAY_MISSED_REASONS],
        },
    )


@require_POST
def day_missed(request):
    """Every session of hers not yet logged that day, logged at once as missed for her reason
    (out sick, pulled to a meeting), make-ups owed or not (services.day_missed_log); back to
    that day's Today, which says what was logged and what could not be, and why."""
    date = date_parse(request.POST.get("date"), default=timezone.localdate())
    try:
        result = services.day_missed_log(
            user=request.user,
            date=date,
            reason=request.POST.get("reason", ""),
            makeup_owed=request.POST.get("makeup_owed") == "on",
            today=timezone.localdate(),
            sign=request.POST.get("sign") == "on",
        )
    except ValidationError as exc:
        for problem in exc.messages:
            messages.error(request, problem)
    else:
        for session in result.logged:
            for entry in session.students.all():
                audit_event_record(
                    request=request,
                    student=entry.student,
                    action=AuditAction.CREATE,
                    what=f"session {session.pk} (missed)",
                )
        n = len(result.logged)
        owed = ", make-ups owed" if request.POST.get("makeup_owed") == "on" else ""
        signed = " and signed" if request.POST.get("sign") == "on" else " (drafts to sign)"
        messages.success(
            request, f"{n} session{'s' if n != 1 else ''} logged as missed{signed}{owed}."
        )
        for slot, why in result.refused:
            messages.error(
                request, f"{slot.start_time:%-I:%M} not logged: {why} Log it on its own."
            )
    return redirect(f"{_today_url()}?date={date.isoformat()}")


def _part_forms(entries, data=None, *, initial=None):
    return [
        StudentPartForm(
            data,
            prefix=f"s{e.student.pk}",
            student=e.student,
            mandates=e.mandates,
            goals=e.goals,
            open_makeups=e.open_makeups,
            initial=initial,
        )
        for e in entries
    ]


def session_new(request):
    """Log a session: choose students (or come from a slot), then one form for all of them."""
    return _session_entry(request, draft=None)


def session_edit(request, session_id: int):
    """Rewrite the author's unsigned draft with the same form."""
    draft = session_get(user=request.user, session_id=session_id)
    staff = services.therapist_staff_get(user=request.user)
    if draft.therapist_id != staff.pk or draft.is_signed:
        raise PermissionDenied("Only the author edits a note, and only before signing it.")
    return _session_entry(request, draft=draft)


def _draft_initial(draft, entries):
    initial = {}
    for entry in draft.students.all():
        prefix = f"s{entry.student_id}"
        initial[prefix] = {
            "attendance": entry.attendance,
            "minutes": entry.minutes if entry.minutes != draft.minutes else None,
            "missed_reason": entry.missed_reason,
            "makeup_owed": entry.makeup_owed,
            "makeup_for": entry.makeup_for_id,
            "mandate": entry.mandate_id,
            "note": entry.note,
        }
        for n, line in enumerate(entry.codes.all()[:2], start=1):
            initial[prefix][f"code_{n}"] = line.code
            initial[prefix][f"minutes_{n}"] = line.minutes
        for point in entry.data_points.all():
            if point.correct is not None:
                initial[prefix][f"g{point.goal_id}_correct"] = point.correct
                initial[prefix][f"g{point.goal_id}_incorrect"] = point.incorrect
            else:
                initial[prefix][f"g{point.goal_id}_value"] = (
                    int(point.value)
                    if point.measurement_type in ("prompt_level", "rubric")
                    else point.value
                )
    return initial


def _session_entry(request, *, draft):
    staff = services.therapist_staff_get(user=request.user)
    source = request.POST if request.method == "POST" else request.GET
    slot = draft.slot if draft else None
    if source.get("slot") and not draft:
        slot_ids = ids_parse([source.get("slot")])
        slot = (
            WeeklySlot.objects.filter(pk=slot_ids[0], therapist=staff)
            .prefetch_related("students")
            .first()
            if slot_ids
            else None
        )
    student_ids = ids_parse(source.getlist("students"))
    # From Today's "Log the make-up": the time she held for it (schedules.makeups), its
    # student, and what it makes up.
    held = None
    if source.get("commitment") and not draft and not slot:
        held = (
            Commitment.objects.filter(
                pk=id_parse(source.get("commitment")) or 0,
                staff=staff,
                makeup_for__isnull=False,
            )
            .select_related("makeup_for")
            .first()
        )
        if held and not student_ids:
            student_ids = [held.makeup_for.student_id]
    if draft and not student_ids:
        student_ids = [e.student_id for e in draft.students.all()]
    if slot and not student_ids:
        student_ids = [s.pk for s in slot.students.all()]
    if not student_ids:
        return render(
            request,
            "delivery/session_pick.html",
            {
                "students": picker_students(user=request.user),
                "date": source.get("date", ""),
            },
        )
    entries = entry_students_get(user=request.user, student_ids=student_ids)
    if len(entries) != len(set(student_ids)):
        # Never drop a student silently: one the user may not see fails the whole request.
        raise Http404("No such student on your caseload.")

    if request.method == "POST":
        form = SessionForm(request.POST)
        parts = _part_forms(entries, request.POST)
        if form.is_valid() & all([p.is_valid() for p in parts]):
            data = services.SessionInput(
                date=form.cleaned_data["date"],
                start_time=form.cleaned_data["start_time"],
                end_time=form.cleaned_data["end_time"],
                setting=form.cleaned_data["setting"],
                delivery_model=form.cleaned_data["delivery_model"],
                activities=form.cleaned_data["activities"],
                subjective=form.cleaned_data["subjective"],
                objective=form.cleaned_data["objective"],
                assessment=form.cleaned_data["assessment"],
                plan_next=form.cleaned_data["plan_next"],
                slot_id=slot.pk if slot else None,
                submission_key=form.cleaned_data["submission_key"],
                sign="sign" in request.POST,
                parts=[p.student_part() for p in parts],
            )
            try:
                session = services.session_log(user=request.user, data=data, draft=draft)
            except ValidationError as exc:
                by_student = {f"student-{p.student.pk}": p for p in parts}
                problems_by_key = (
                    exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
                )
                for key, problems in problems_by_key.items():
                    target = by_student.get(key)
                    for problem in problems:
                        if target is not None:
                            target.add_error(None, problem)
                        elif key in form.fields:
                            form.add_error(key, problem)
                        else:
                            form.add_error(None, problem)
            else:
                for entry in entries:
                    audit_event_record(
                        request=request,
                        student=entry.student,
                        action=AuditAction.UPDATE if draft else AuditAction.CREATE,
                        what=f"session {session.pk}",
                    )
                verb = "signed" if session.is_signed else "saved as a draft"
                messages.success(
                    request,
                    f"Session of {session.date:%b %-d} {verb} "
                    f"({', '.join(e.student.full_name for e in entries)}).",
                )
                return redirect(f"{_today_url()}?date={session.date.isoformat()}")
    elif draft:
        form = SessionForm(
            initial={
                "date": draft.date,
                "start_time": draft.start_time,
                "end_time": draft.end_time,
                "setting": draft.setting,
                "delivery_model": draft.delivery_model,
                "activities": draft.activities,
                "subjective": draft.subjective,
                "objective": draft.objective,
                "assessment": draft.assessment,
                "plan_next": draft.plan_next,
            }
        )
        initial = _draft_initial(draft, entries)
        parts = [
            StudentPartForm(
                prefix=f"s{e.student.pk}",
                student=e.student,
                mandates=e.mandates,
                goals=e.goals,
                open_makeups=e.open_makeups,
                initial=initial.get(f"s{e.student.pk}", {}),
            )
            for e in entries
        ]
    else:
        date = date_parse(source.get("date"), default=timezone.localdate())
        if slot:
            start, end, setting = slot.start_time, slot.end_time, slot.setting
        elif held:
            date, start, end = held.on, held.start, held.end
            setting = next((m.setting for e in entries for m in e.mandates), "therapy_room")
        else:
            minutes = next((m.minutes_per_session for e in entries for m in e.mandates), 30)
            start, end = default_times(minutes=minutes, now=timezone.localtime())
            setting = next((m.setting for e in entries for m in e.mandates), "therapy_room")
        form = SessionForm(
            initial={
                "date": date,
                "start_time": start,
                "end_time": end,
                "setting": setting,
                "slot": slot.pk if slot else None,
            }
        )
        # From Today's "Log as missed" (a meeting fell on the session): every student missed,
        # for that reason, and a make-up ticked when the cause was the therapist's (she may
        # untick it); an unknown reason is ignored.
        missed = source.get("missed", "")
        parts = _part_forms(
            entries,
            initial=(
                {
                    "attendance": SessionStudent.Attendance.MISSED,
                    "missed_reason": missed,
                    "makeup_owed": missed.startswith("therapist_"),
                }
                if missed in MissedReason.values
                else {"makeup_for": held.makeup_for_id}
                if held
                else None
            ),
        )
    return render(
        request,
        "delivery/session_form.html",
        {
            "form": form,
            "parts": parts,
            "entries": entries,
            "slot": slot,
            "draft": draft,
            "student_ids": student_ids,
        },
    )


def _today_url() -> str:
    return reverse("today")


def session_detail(request, session_id: int):
    session = session_get(user=request.user, session_id=session_id)
    for entry in session.students.all():
        audit_event_record(
            request=request,
            student=entry.student,
            action=AuditAction.VIEW,
            what=f"session note {session.pk}",
        )
    staff = getattr(request.user, "staff", None)
    is_author = staff is not None and session.therapist_id == staff.pk
    can_cosign = (
        staff is not None
        and session.awaits_cosign
        and services.cosign_allowed(staff=staff, session=session)
    )
    return render(
        request,
        "delivery/session_detail.html",
        {
            "session": session,
            "is_author": is_author,
            "can_cosign": can_cosign,
            "addendum_form": AddendumForm(),
        },
    )


def _act(request, session_id, action, done):
    session = session_get(user=request.user, session_id=session_id)
    try:
        action(session)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return session


@require_POST
def session_sign(request, session_id: int):
    _act(
        request,
        session_id,
        lambda s: services.session_sign(user=request.user, session=s),
        "Note signed.",
    )
    return redirect("session_detail", session_id)


@require_POST
def session_cosign(request, session_id: int):
    _act(
        request,
        session_id,
        lambda s: services.session_cosign(user=request.user, session=s),
        "Note co-signed.",
    )
    return redirect("session_detail", session_id)


@require_POST
def session_delete(request, session_id: int):
    session = _act(
        request,
        session_id,
        lambda s: services.session_delete_draft(user=request.user, session=s),
        "Draft discarded.",
    )
    if session.pk is None:
        return redirect("today")
    return redirect("session_detail", session_id)


@require_POST
def addendum_add(request, session_id: int):
    session = session_get(user=request.user, session_id=session_id)
    form = AddendumForm(request.POST)
    if form.is_valid():
        try:
            services.addendum_add(
                user=request.user, session=session, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, "Addendum added.")
            return redirect("session_detail", session_id)
    staff = getattr(request.user, "staff", None)
    return render(
        request,
        "delivery/session_detail.html",
        {
            "session": session_get(user=request.user, session_id=session_id),
            "is_author": staff is not None and session.therapist_id == staff.pk,
            "can_cosign": False,
            "addendum_form": form,
        },
        status=400,
    )


def unsigned_list(request):
    staff = services.therapist_staff_get(user=request.user)
    return render(
        request,
        "delivery/unsigned.html",
        {
            "sessions": unsigned_sessions(staff=staff),
            "staff": staff,
        },
    )


def slot_list(request):
    """Her recurring week, set by hand until the scheduler fills it. While a build of hers
    runs, htmx polls `?partial=building`; once it is done the answer reloads the page."""
    staff = services.therapist_staff_get(user=request.user)
    if request.htmx and request.GET.get("partial") == "building":
        return _building_poll(request, staff=staff)
    students = list(picker_students(user=request.user))
    form = WeeklySlotForm(request.POST or None, students=students)
    if request.method == "POST" and form.is_valid():
        try:
            slot = services.weekly_slot_create(
                user=request.user,
                weekday=form.cleaned_data["weekday"],
                start_time=form.cleaned_data["start_time"],
                end_time=form.cleaned_data["end_time"],
                setting=form.cleaned_data["setting"],
                student_ids=form.cleaned_data["students"],
            )
        except ValidationError as exc:
            for key, problems in exc.message_dict.items():
                for problem in problems:
                    form.add_error(key if key in form.fields else None, problem)
        else:
            audit_events_record(
                request=request,
                students=slot.students.all(),
                action=AuditAction.CREATE,
                what=f"weekly OT session {slot}",
            )
            messages.success(request, "Added to your week.")
            return redirect("slot_list")
    return _slots_page(request, staff=staff, form=form)


def _building_poll(request, *, staff, member=None):
    """htmx's poll of a build of `staff`'s week: the running card, or, once it is done, a
    reload of the page that shows the result."""
    build = _build_get(staff=staff)
    if build is None or not build.in_progress:
        response = HttpResponse("")
        response["HX-Refresh"] = "true"
        return response
    return render(
        request,
        "delivery/slots.html#building",
        {"build": build, "member": member, "cancel": _build_cancellable(request, build, member)},
    )


def _build_get(*, staff):
    return WeekBuild.objects.filter(staff=staff).select_related("started_by").first()


def _build_cancellable(request, build, member) -> bool:
    """Her own build she cancels; a team member's, whoever started it
    (schedules.services.week_build_cancel)."""
    return member is None or (build is not None and build.started_by_id == request.user.pk)


def _slots_page(request, *, staff, form, move: dict | None = None):
    """My week; `move` (a refused move: the slot, what she chose, why not) opens that
    session's move form with her choice kept and the reasons beside it."""
    return render(
        request,
        "delivery/slots.html",
        {
            **week_page_context(staff=staff),
            "weekdays": WeeklySlot.Weekday.choices,
            "form": form,
            "build": _build_get(staff=staff),
            "cancel": True,
            "feed": CalendarFeed.objects.filter(staff=staff).first(),
            "cotas": supervised_cotas_get(staff=staff),
            "move": move,
        },
        status=400 if form.errors or move else 200,
    )


def staff_week(request, staff_id: int):
    """A team member's week, to read: her supervisor's, an administrator's, or her
    supervising OTR's for a COTA (schedules.selectors.team_member_get; Http404 for anyone
    else). What My week shows her, without what changes it; her own opens My week. A build
    of her week in progress shows there and is polled as on My week (`?partial=building`);
    whoever started it may cancel it."""
    staff = team_member_get(user=request.user, staff_id=staff_id)
    if staff.user_id == request.user.pk:
        return redirect("slot_list")
    if request.htmx and request.GET.get("partial") == "building":
        return _building_poll(request, staff=staff, member=staff)
    build = _build_get(staff=staff)
    return render(
        request,
        "delivery/slots.html",
        {
            **week_page_context(staff=staff),
            "member": staff,
            "build": build,
            "cancel": _build_cancellable(request, build, staff),
        },
    )


def week_page_context(*, staff) -> dict:
    """What the page of `staff`'s week shows, whoever reads it (she on My week, or her
    supervisor): the calendar, the sessions by day with the day's driving, her last build and
    what it changed, the put-back it offers, the check against today's records, time away
    ahead. The same queries whatever the week's size."""
    slots = list(
        WeeklySlot.objects.filter(therapist=staff)
        .select_related("school")
        .prefetch_related("students")
        .order_by("weekday", "start_time")
    )
    commitments = list(
        Commitment.objects.filter(staff=staff, on__isnull=True).select_related("school")
    )
    breaks = week_breaks_get(staff=staff, slots=slots, commitments=commitments)
    # The same session in each week of the rotation (8 a quarter is 4 a rotation, often at
    # one weekday and time): one block on the calendar, one card in the list, whose actions
    # take all its slots ("every_week"); `every_week` marks its first slot.
    first_weeks, later_weeks = rotation_sets_split(slots)
    for slot in slots:
        slot.every_week = slot.pk in first_weeks
    listed = [s for s in slots if s.pk not in later_weeks]
    run = ScheduleRun.objects.filter(staff=staff).first()
    # The week before her last build that wrote one (a build superseded since wrote
    # nothing), while her week is still as that build wrote it.
    written = run
    if run and not run.written_state:
        written = ScheduleRun.objects.filter(staff=staff).exclude(written_state="").first()
    put_back = bool(
        written
        and written.put_back_at is None
        and written.written_state == week_state_get(slots=slots)
    )
    return {
        "slots": slots,
        "grid": _week_grid(listed, commitments, breaks),
        # The list, a day at a time, with the minutes she drives that day.
        "by_day": [
            {
                "grouper": WeeklySlot.Weekday(d).label,
                "list": [s for s in listed if s.weekday == d],
                "driving": sum(b.minutes for b in breaks.get(d, ()) if b.kind == "drive"),
            }
            for d in sorted({s.weekday for s in slots})
        ],
        "run": run,
        "changes": build_changes_get(run=run),
        "put_back": put_back,
        "written": written,
        "check": week_check_get(staff=staff, on=timezone.localdate()),
        "away_coming": TimeAway.objects.filter(
            staff=staff, end_date__gte=timezone.localdate()
        ).order_by("start_date")[:3],
    }


SCHOOL_COLOURS = 8  # app.css: .week-slot.school-0 to school-7


def _week_grid(slots, commitments=(), breaks=None) -> dict:
    """The week as a calendar: one column a day, each slot placed by its time (minutes from
    the earliest start; one marked `every_week` across the day, the others of a rotation
    week in its lane), her fixed time (IEP meetings) behind them, and the drives and lunch
    her week implies (`breaks`, schedules.selectors.week_breaks_get), for a picture of the
    week beside the list."""
    slots, commitments = list(slots), list(commitments)
    if not slots and not commitments:
        return {}
    spans = [(s.start_time, s.end_time) for s in slots] + [(c.start, c.end) for c in commitments]
    gaps = [b for day in (breaks or {}).values() for b in day]
    first = min([a.hour * 60 + a.minute for a, _b in spans] + [b.start for b in gaps])
    last = max([b.hour * 60 + b.minute for _a, b in spans] + [b.end for b in gaps])
    first -= first % 60
    columns = {d: [] for d in range(5)}
    for c in commitments:
        top = c.start.hour * 60 + c.start.minute - first
        height = c.end.hour * 60 + c.end.minute - first - top
        for d in weekdays_held(weekdays=c.weekdays):
            columns[d].append({"fixed": c, "top": top, "height": height})
    # Each school its colour (its place in the week's schools, by name), so the route of a
    # day shows at a glance; the legend names them.
    schools = sorted({s.school.name for s in slots})
    for s in slots:
        top = s.start_time.hour * 60 + s.start_time.minute - first
        columns[s.weekday].append(
            {
                "slot": s,
                "top": top,
                "height": s.minutes,
                "school": schools.index(s.school.name) % SCHOOL_COLOURS,
                "who": ", ".join(
                    f"{m.preferred_name or m.first_name} {m.last_name[:1]}."
                    for m in s.students.all()
                ),
            }
        )
    for d, day in (breaks or {}).items():
        for b in day:
            columns[d].append({"gap": b, "top": b.start - first, "height": b.minutes})
    return {
        "columns": [(d, WeeklySlot.Weekday(d).label, columns[d]) for d in range(5)],
        "first": first,  # the minute after midnight at the top of every column
        "schools": [(name, i % SCHOOL_COLOURS) for i, name in enumerate(schools)],
        "height": last - first,
        # The time axis: each whole hour at its height, as "8 AM".
        "hours": [
            {"top": h * 60 - first, "label": f"{(h - 1) % 12 + 1} {'AM' if h < 12 else 'PM'}"}
            for h in range(first // 60, last // 60 + 1)
        ],
    }


def slot_places(request, slot_id: int):
    """Where a session of her week may be moved (schedules.selectors.slot_places_get), as
    JSON for the calendar's drag (week-drag.js shades them): her own sessions only (404
    otherwise); `every_week` for the session held in every week of the rotation."""
    staff = services.therapist_staff_get(user=request.user)
    slot = get_object_or_404(
        WeeklySlot.objects.select_related("school"), pk=slot_id, therapist=staff
    )
    together = rotation_set_get(slot=slot) if request.GET.get("every_week") else [slot]
    places = slot_places_get(slots=together)
    return JsonResponse({"minutes": slot.minutes, "places": [asdict(p) for p in places]})


@require_POST
def slot_move(request, slot_id: int):
    """Move a session of the week (it is then locked). A refused move comes back on My week
    (400) with that session's move form open, her choice kept and the reasons beside it;
    refused only for her own week's rules (services.WeekRulesRefusal: hours, drives, lunch),
    it offers to move anyway (`anyway`), and My week's check then lists what it breaks.
    Dragged on the calendar (week-drag.js sends this form, `from=calendar`), a move made
    returns to the calendar."""
    staff = services.therapist_staff_get(user=request.user)
    slot = get_object_or_404(WeeklySlot, pk=slot_id, therapist=staff)
    chosen = {"slot": slot.pk, "weekday": None, "start": request.POST.get("start_time", "")}
    anyway = request.POST.get("anyway") == "1"
    try:
        chosen["weekday"] = int(request.POST.get("weekday", ""))
        start = dt.time.fromisoformat(chosen["start"])
    except ValueError:
        problems = ["Give a day and a start time."]
    else:
        # "every_week": the session the rotation holds in each of its weeks, all its slots.
        together = rotation_set_get(slot=slot) if request.POST.get("every_week") else [slot]
        try:
            services.weekly_slots_move(
                user=request.user,
                slots=together,
                weekday=chosen["weekday"],
                start_time=start,
                anyway=anyway,
            )
        except ValidationError as exc:
            problems = exc.messages
            chosen["anyway"] = isinstance(exc, services.WeekRulesRefusal)
        else:
            weeks = " in every week of the rotation" if len(together) > 1 else ""
            despite = " despite her week's rules" if anyway else ""
            audit_events_record(
                request=request,
                students=slot.students.all(),
                action=AuditAction.UPDATE,
                what=f"weekly OT session moved to {together[0]}{weeks}{despite}",
            )
            messages.success(
                request,
                f"Moved to {together[0]}{weeks} and locked."
                + (" The check of your week below lists what it breaks." if anyway else ""),
            )
            if request.POST.get("from") == "calendar":  # dragged there: back to the calendar
                return redirect(f"{reverse('slot_list')}#week-cal")
            return redirect("slot_list")
    form = WeeklySlotForm(students=list(picker_students(user=request.user)))
    return _slots_page(request, staff=staff, form=form, move={**chosen, "problems": problems})


@require_POST
def slot_delete(request, slot_id: int):
    staff = services.therapist_staff_get(user=request.user)
    slot = get_object_or_404(WeeklySlot, pk=slot_id, therapist=staff)
    together = rotation_set_get(slot=slot) if request.POST.get("every_week") else [slot]
    weeks = " (every week of the rotation)" if len(together) > 1 else ""
    with transaction.atomic():
        audit_events_record(
            request=request,
            students=slot.students.all(),
            action=AuditAction.DELETE,
            what=f"weekly OT session {slot}{weeks}",
        )
        for each in together:
            services.weekly_slot_delete(user=request.user, slot=each)
    messages.success(request, f"Removed from your week{weeks}.")
    return redirect("slot_list")
