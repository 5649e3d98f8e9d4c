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

from schoolot.accounts.models import Role
from schoolot.audit.models import AuditAction
from schoolot.audit.services import audit_event_record
from schoolot.core.access import sees_staff_filter, students_visible_to
from schoolot.core.params import id_parse
from schoolot.directory.calendar_import import (
    MAX_EVENTS,
    CalendarEntry,
    CalendarImportError,
    ics_days_off_read,
)
from schoolot.directory.forms import (
    CalendarEventForm,
    CalendarImportForm,
    CaseloadFilterForm,
    CotaTakeBackForm,
    PeriodsSplitForm,
    ReportingPeriodForm,
    SchoolYearForm,
    StudentCotaForm,
    StudentMoveForm,
)
from schoolot.directory.models import CalendarEvent, CaseloadAssignment, ReportingPeriod, School
from schoolot.directory.selectors import (
    CaseloadFilters,
    caseload_filter_choices,
    caseload_list,
    caseload_move_access,
    cota_assign_access,
    cota_choices_get,
    cota_give_access,
    current_therapists_prefetch,
    school_calendar_access,
    school_calendar_get,
    student_record_get,
    students_therapists_get,
    therapist_choices_get,
)
from schoolot.directory.services import (
    MOVE_MOST,
    calendar_event_remove,
    calendar_event_save,
    calendar_events_import,
    reporting_period_remove,
    reporting_period_save,
    reporting_periods_split,
    school_year_add,
    students_cota_assign,
    students_cota_unassign,
    students_therapist_move,
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
    context = {
        "form": form,
        "page": page,
        "show_staff": show_staff,
        "may_move": caseload_move_access(user=user),
        "may_give": cota_give_access(user=user),
        "move_most": MOVE_MOST,
    }
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    else:  # a teacher's or a parent's week of OT sessions, above the list, if any
        context["today"] = timezone.localdate()
        context["ahead"] = ahead = request.GET.get("week") == "next"
        week = ot_week_get(user=user, on=context["today"] + dt.timedelta(days=7 if ahead else 0))
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
        {
            "record": record,
            "ot_times": ot_times,
            "today": today,
            "may_move": caseload_move_access(user=request.user),
            "may_cota": record.full
            and cota_assign_access(
                user=request.user,
                otr=next(
                    (
                        a.staff
                        for a in record.therapists
                        if a.role == CaseloadAssignment.Role.PRIMARY_OTR
                    ),
                    None,
                ),
            ),
        },
    )


def student_move(request, student_id: int):
    """Move one student to another OTR's caseload (students_move, from her record)."""
    if not caseload_move_access(user=request.user):
        raise PermissionDenied("OT supervisors and administrators move caseloads.")
    record = student_record_get(user=request.user, student_id=student_id)
    return _move_page(request, students=[record.student], record=record)


def students_move(request):
    """Move students to another OTR's caseload from a day (OT supervisors and
    administrators, for students they see; chosen on the caseload list, `student` ids): the
    district's OTRs listed with their caseloads, those who serve the students' schools
    first. Each therapist and each of the students' teachers is told once; each move is
    audited. A refused form comes back in place (400) with what was chosen."""
    if not caseload_move_access(user=request.user):
        raise PermissionDenied("OT supervisors and administrators move caseloads.")
    students = _students_chosen(request, verb="move")
    if not isinstance(students, list):
        return students  # back to the list, with what to do
    return _move_page(request, students=students, record=None)


def _students_chosen(request, *, verb: str):
    """The students chosen with the caseload list's checkboxes (`student` ids) that the user
    sees, by name, each with her therapists now; or, with none chosen or more than
    MOVE_MOST, a redirect back to the list saying so. Http404 for a student she does not
    see."""
    source = request.POST if request.method == "POST" else request.GET
    ids = [pk for pk in (id_parse(v) for v in source.getlist("student")) if pk is not None]
    if not ids or len(set(ids)) > MOVE_MOST:
        messages.warning(
            request,
            f"Choose the students to {verb} on the list first."
            if not ids
            else f"{verb.capitalize()} at most {MOVE_MOST} students at once.",
        )
        return redirect("caseload")
    students = list(
        students_visible_to(user=request.user)
        .filter(pk__in=ids)
        .select_related("school")
        .prefetch_related(current_therapists_prefetch())
        .order_by("last_name", "first_name", "pk")
    )
    if len(students) != len(set(ids)):
        raise Http404("No such student.")
    return students


def _move_page(request, *, students, record):
    today = timezone.localdate()
    choices = therapist_choices_get(user=request.user, students=students, on=today)
    form = StudentMoveForm(
        request.POST if request.method == "POST" else None,
        choices=choices,
        initial={"on": today},
    )
    if request.method == "POST" and form.is_valid():
        try:
            moves = students_therapist_move(
                user=request.user,
                student_ids=[s.pk for s in students],
                to_staff_id=form.cleaned_data["to_staff"],
                on=form.cleaned_data["on"],
                today=today,
                until=form.cleaned_data["until"],
            )
        except ValidationError as exc:
            _refusal_show(form, exc)
        else:
            for moved in moves:
                audit_event_record(
                    request=request,
                    student=moved.student,
                    action=AuditAction.UPDATE,
                    what=f"caseload moved to {moved.to_staff.user.display_name} from {moved.on}"
                    + (f" until {moved.until}" if moved.until else ""),
                )
            who = moves[0].to_staff.user.display_name
            on = moves[0].on
            whom = moves[0].student.full_name if len(moves) == 1 else f"{len(moves)} students"
            told = "Both therapists are" if moves[0].from_staff else f"{who} is"
            if len(moves) > 1 or any(m.cota_left or m.cota_kept for m in moves):
                told = "Each therapist is"
            until = moves[0].until
            cover = f" until {until:%a %b} {until.day} (a cover)" if until else ""
            messages.success(
                request,
                f"{whom} {'moves' if len(moves) == 1 else 'move'} to {who} "
                f"{'today' if on == today else f'on {on:%a %b} {on.day}'}{cover}. {told} told, "
                "and the teachers of the students' classes." + _cota_left_text(moves),
            )
            if len(moves) == 1:
                still_seen = students_visible_to(user=request.user).filter(pk=moves[0].student.pk)
                if still_seen.exists():
                    return redirect("student_detail", student_id=moves[0].student.pk)
            return redirect("caseload")
    return render(
        request,
        "directory/student_move.html",
        {"record": record, "students": students, "form": form},
        status=400 if form.errors else 200,
    )


def student_cota(request, student_id: int):
    """Who serves the student, her OTR or a COTA the OTR supervises: give her sessions to a
    COTA from a day (`give-` fields), or take them back (`back-` fields). For her OTR, her
    OT supervisor and administrators (PermissionDenied for anyone else who sees her)."""
    record = student_record_get(user=request.user, student_id=student_id)
    serving = students_therapists_get(student_ids=[student_id], on=timezone.localdate())
    if not cota_assign_access(user=request.user, otr=serving[student_id].otr):
        raise PermissionDenied(
            "The student's OTR, her OT supervisor or an administrator gives her sessions to a COTA."
        )
    return _cota_page(request, students=[record.student], record=record, serving=serving)


def students_cota(request):
    """Give students chosen on the caseload list (`student` ids, at most MOVE_MOST) to a COTA
    from a day, or take them back, all or none: for their OTR, her OT supervisor and
    administrators, students of one OTR, the COTAs she supervises offered."""
    if not cota_give_access(user=request.user):
        raise PermissionDenied("An OTR who supervises a COTA gives students' sessions to her.")
    students = _students_chosen(request, verb="give")
    if not isinstance(students, list):
        return students  # back to the list, with what to do
    return _cota_page(request, students=students, record=None)


def _cota_page(request, *, students, record, serving=None):
    """The page of student_cota (`record`: one student's) and students_cota: a give form and,
    where a COTA serves one of them, a take-back form (action "give" or "back"). `serving`:
    students_therapists_get's for them today, when the caller read it already. Each change
    is audited; a refused form comes back in place (400) with what was chosen."""
    today = timezone.localdate()
    if serving is None:
        serving = students_therapists_get(student_ids=[s.pk for s in students], on=today)
    otrs = {t.otr.pk: t.otr for t in serving.values() if t.otr is not None}
    otr = next(iter(otrs.values())) if len(otrs) == 1 else None
    choices = cota_choices_get(otr=otr, on=today) if otr else []
    posted = request.POST if request.method == "POST" else None
    action = posted.get("action") if posted else None
    give = StudentCotaForm(
        posted if action == "give" else None, choices=choices, initial={"on": today}
    )
    back = CotaTakeBackForm(posted if action == "back" else None, initial={"on": today})
    form = give if action == "give" else back if action == "back" else None
    if form is not None and form.is_valid():
        data, ids = form.cleaned_data, [s.pk for s in students]
        try:
            if form is give:
                changes = students_cota_assign(
                    user=request.user,
                    student_ids=ids,
                    cota_staff_id=data["cota"],
                    on=data["on"],
                    today=today,
                )
            else:
                changes = students_cota_unassign(
                    user=request.user, student_ids=ids, on=data["on"], today=today
                )
        except ValidationError as exc:
            _refusal_show(form, exc)
        else:
            first = changes[0]
            who = (
                f"{first.cota.user.display_name} (COTA)"
                if first.cota
                else f"{first.otr.user.display_name} (OTR)"
            )
            for change in changes:
                audit_event_record(
                    request=request,
                    student=change.student,
                    action=AuditAction.UPDATE,
                    what=f"served by {who} from {change.on}",
                )
            on = first.on
            whom = first.student.full_name if record else f"{len(changes)} students"
            messages.success(
                request,
                f"{whom} {'is' if record or len(changes) == 1 else 'are'} served by {who} "
                f"{'from today' if on == today else f'from {on:%a %b} {on.day}'}. "
                "The therapists it concerns and the teachers are told.",
            )
            if record is not None:
                return redirect("student_detail", student_id=record.student.pk)
            return redirect("caseload")
    return render(
        request,
        "directory/student_cota.html" if record else "directory/students_cota.html",
        {
            "record": record,
            "students": students,
            "serving": serving[students[0].pk] if record else None,
            "served": any(t.cota or t.cota_later for t in serving.values()),
            "otr": otr,
            "several_otrs": len(otrs) > 1,
            "give": give,
            "back": back,
            "choices": choices,
        },
        status=400 if form is not None and form.errors else 200,
    )


def _cota_left_text(moves) -> str:
    """What a move did to the students' COTAs, a COTA at a time: ended (she does not work
    under the new OTR) or kept (a cover: she goes on under the OTR who covers)."""
    parts = []
    for field, done in (
        ("cota_left", "no longer serves {whom}: the new OTR does not supervise her"),
        ("cota_kept", "goes on serving {whom}, under the supervision of the OTR who covers"),
    ):
        by_cota: dict[int, list] = {}
        for move in moves:
            if getattr(move, field) is not None:
                by_cota.setdefault(getattr(move, field).pk, []).append(move)
        for mine in by_cota.values():
            name = getattr(mine[0], field).user.display_name
            n = len(mine)
            whom = "her" if len(moves) == 1 else f"{n} of them"
            if n == 1 and len(moves) > 1:
                whom = mine[0].student.full_name
            parts.append(f"{name} (COTA) " + done.format(whom=whom))
    return "".join(f" {p[0].upper()}{p[1:]}." for p in parts)


def _calendar_editor_check(request) -> None:
    if not school_calendar_access(user=request.user):
        raise PermissionDenied("Administrators and OT supervisors change the school calendar.")


def _period_get(request, period_id: int) -> ReportingPeriod:
    """The district's reporting period, or Http404."""
    period = ReportingPeriod.objects.filter(
        pk=period_id, district_id=request.user.district_id
    ).first()
    if period is None:
        raise Http404("No such reporting period.")
    return period


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
        _refusal_show(form, exc)
        return None
    messages.success(request, f"Saved: {event.name}. {_told_text(told)}")
    return event


def _schools(request):
    return School.objects.filter(district_id=request.user.district_id).order_by("name")


def school_calendar(request):
    """The district's school calendar: one school year's breaks, holidays and closures (the
    whole district's and single schools'), how many school days it has, and its reporting
    periods. Administrators and OT supervisors add days without school here (a snow day, a
    water main break at one school; the therapists whose sessions they take are told),
    school years, and reporting periods (one at a time, or the year split at once).
    Therapists read it. A refused form comes back in place (status 400) with what was
    typed."""
    may_edit = school_calendar_access(user=request.user)
    if request.method == "POST":
        _calendar_editor_check(request)
    # What a POST does: "event" (the days without school: the default), "year", "period"
    # (a reporting period added) or "split" (a year's periods added at once).
    action = (request.POST.get("action") or "event") if request.method == "POST" else None
    adding_year = action == "year"
    form = CalendarEventForm(request.POST if action == "event" else None, schools=_schools(request))
    year_form = SchoolYearForm(request.POST if adding_year else None)
    period_form = ReportingPeriodForm(request.POST if action == "period" else None)
    split_form = PeriodsSplitForm(request.POST if action == "split" else None)
    year_id = id_parse(request.GET.get("year"))
    if action in ("period", "split"):
        year_id = id_parse(request.POST.get("year"))
        if year_id is None:
            raise Http404("No such school year.")
        done = _periods_form_save(
            request, period_form if action == "period" else split_form, year_id
        )
        if done:
            return redirect(f"{reverse('school_calendar')}?year={year_id}#periods")
    elif adding_year and year_form.is_valid():
        try:
            year = school_year_add(user=request.user, **year_form.cleaned_data)
        except ValidationError as exc:
            _refusal_show(year_form, exc)
        else:
            messages.success(
                request, f"School year {year.name} added: now enter its days without school."
            )
            return redirect(f"{reverse('school_calendar')}?year={year.pk}")
    elif form.is_bound and form.is_valid():
        event = _calendar_form_save(request, form)
        if event is not None:
            return redirect(f"{reverse('school_calendar')}?year={event.school_year_id}")
    page = school_calendar_get(
        district_id=request.user.district_id, today=timezone.localdate(), year_id=year_id
    )
    forms_shown = (form, year_form, period_form, split_form)
    return render(
        request,
        "directory/school_calendar.html",
        {
            "page": page,
            "form": form,
            "year_form": year_form,
            "period_form": period_form,
            "split_form": split_form,
            "may_edit": may_edit,
        },
        status=400 if any(f.errors for f in forms_shown) else 200,
    )


def _refusal_show(form, exc: ValidationError) -> None:
    """Put a service's refusal onto the form: on the field it names, else above them all."""
    problems = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for key, texts in problems.items():
        for text in texts:
            form.add_error(key if key in form.fields else None, text)


def _periods_form_save(request, form, year_id: int, *, period_id: int | None = None) -> bool:
    """Save a reporting period (ReportingPeriodForm) or split a year into periods
    (PeriodsSplitForm); a refusal goes back onto the form. True when saved."""
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        if isinstance(form, PeriodsSplitForm):
            made = reporting_periods_split(
                user=request.user, school_year_id=year_id, parts=data["parts"]
            )
            done = f"{len(made)} reporting periods added: {', '.join(p.name for p in made)}."
        else:
            period = reporting_period_save(
                user=request.user,
                school_year_id=year_id,
                period_id=period_id,
                name=data["name"],
                start_date=data["start_date"],
                end_date=data["end_date"],
            )
            done = f"Saved: {period.name}, {period.start_date:%b %d} to {period.end_date:%b %d}."
    except ValidationError as exc:
        _refusal_show(form, exc)
        return False
    messages.success(request, f"{done} Progress reports are due at the end of each.")
    return True


def reporting_period_edit(request, period_id: int):
    """Change a reporting period's name or dates (administrators and OT supervisors); a
    period with progress reports written keeps its dates."""
    _calendar_editor_check(request)
    period = _period_get(request, period_id)
    initial = {"name": period.name, "start_date": period.start_date, "end_date": period.end_date}
    form = ReportingPeriodForm(request.POST or None, initial=initial)
    if request.method == "POST" and _periods_form_save(
        request, form, period.school_year_id, period_id=period.pk
    ):
        return redirect(f"{reverse('school_calendar')}?year={period.school_year_id}#periods")
    return render(
        request,
        "directory/reporting_period_form.html",
        {"period": period, "form": form},
        status=400 if form.errors else 200,
    )


def reporting_period_delete(request, period_id: int):
    """Take a reporting period off the calendar (administrators and OT supervisors): asked
    first (GET), then done (POST); refused, and said why, while progress reports are
    written for it."""
    _calendar_editor_check(request)
    period = _period_get(request, period_id)
    refused = None
    if request.method == "POST":
        try:
            reporting_period_remove(user=request.user, period_id=period.pk)
        except ValidationError as exc:
            refused = " ".join(exc.messages)
        else:
            messages.success(request, f"{period.name} is off the calendar.")
            return redirect(f"{reverse('school_calendar')}?year={period.school_year_id}#periods")
    return render(
        request,
        "directory/reporting_period_remove.html",
        {"period": period, "refused": refused},
        status=400 if refused else 200,
    )


def calendar_event_edit(request, event_id: int):
    """Change one break, holiday or closure: its days, where and why (administrators and OT
    supervisors). The therapists whose sessions the change takes or gives back are told."""
    _calendar_editor_check(request)
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


def calendar_event_delete(request, event_id: int):
    """Take a break, holiday or closure off the calendar (administrators and OT
    supervisors): asked first (GET), then done (POST); the therapists whose sessions are
    held after all are told."""
    _calendar_editor_check(request)
    if request.method != "POST":
        event = (
            CalendarEvent.objects.filter(pk=event_id, district_id=request.user.district_id)
            .select_related("school")
            .first()
        )
        if event is None:
            raise Http404("No such calendar event.")
        return render(request, "directory/calendar_event_remove.html", {"event": event})
    event, told = calendar_event_remove(
        user=request.user, event_id=event_id, today=timezone.localdate()
    )
    messages.success(
        request, f"{event.name} is off the calendar. {_told_text(told, gives_back=True)}"
    )
    return redirect(f"{reverse('school_calendar')}?year={event.school_year_id}")


def _import_rows(post) -> tuple[list[dict], list[str]]:
    """The rows of an import preview as posted back (each entry's name, days and kind, and
    whether it is taken), and what is wrong with the ones taken."""
    rows, problems = [], []
    taken = set(post.getlist("take"))
    for i in range(min(id_parse(post.get("rows")) or 0, MAX_EVENTS)):
        name = (post.get(f"n-{i}") or "").strip()[:120]
        kind = post.get(f"k-{i}") or ""
        try:
            start = dt.date.fromisoformat(post.get(f"s-{i}") or "")
            end = dt.date.fromisoformat(post.get(f"e-{i}") or "")
        except ValueError:
            start = end = None
        row = {"i": i, "name": name, "start": start, "end": end, "kind": kind}
        row["taken"] = str(i) in taken
        if row["taken"] and (not name or start is None or end is None or end < start):
            problems.append(f"Row {i + 1}: its name or days are missing; read the file again.")
        elif row["taken"] and kind not in CalendarEvent.Kind.values:
            problems.append(f"{name}: choose what kind of day it is.")
        rows.append(row)
    return rows, problems


def _preview_rows(
    *, district_id: int, entries: list[CalendarEntry], school_id: int | None
) -> list[dict]:
    """The entries of a calendar file as the preview lists them: taken when they look like a
    day off inside a school year on record and are not on the calendar already (the
    district's, or with `school_id` that school's)."""
    from schoolot.directory.models import SchoolYear

    years = list(
        SchoolYear.objects.filter(district_id=district_id).values_list("first_day", "last_day")
    )
    known = set(
        CalendarEvent.objects.filter(district_id=district_id, school_id=school_id).values_list(
            "name", "start_date", "end_date"
        )
    )
    rows = []
    for i, e in enumerate(entries):
        in_year = any(first <= e.start and e.end <= last for first, last in years)
        there = (e.name, e.start, e.end) in known
        rows.append(
            {
                "i": i,
                "name": e.name,
                "start": e.start,
                "end": e.end,
                "kind": e.kind or "",
                "taken": bool(e.kind) and in_year and not there,
                "note": (
                    "On the calendar already"
                    if there
                    else "Outside the school years on record"
                    if not in_year
                    else "Repeats: read at its first date only"
                    if e.recurring
                    else ""
                ),
            }
        )
    return rows


def calendar_import(request):
    """The days without school from the district's published calendar (an .ics file): read
    it, choose the entries that are days off (those that look like one are chosen) and
    their kind, and add them at once (directory.services.calendar_events_import: all or
    nothing; days already without school are left out and named). Administrators and OT
    supervisors. A refused file or choice comes back in place (status 400)."""
    _calendar_editor_check(request)
    schools = _schools(request)
    form, rows, problems, school = CalendarImportForm(schools=schools), None, [], None
    if request.method == "POST" and request.POST.get("action") == "add":
        rows, problems = _import_rows(request.POST)
        school_id = id_parse(request.POST.get("school"))
        if school_id is not None:
            school = next((s for s in schools if s.pk == school_id), None)
            if school is None:
                raise Http404("No such school.")
        chosen = [r for r in rows if r["taken"]]
        if not problems and not chosen:
            problems = ["Choose at least one entry to add."]
        if not problems:
            try:
                result = calendar_events_import(
                    user=request.user,
                    entries=[
                        CalendarEntry(r["name"], r["start"], r["end"], r["kind"]) for r in chosen
                    ],
                    today=timezone.localdate(),
                    school_id=school.pk if school else None,
                )
            except ValidationError as exc:
                problems = exc.messages
            else:
                n = len(result.added)
                text = f"{n} day{'s' if n != 1 else ''} without school added"
                text += f" at {school.name}" if school else ""
                if result.skipped:
                    names = ", ".join(e.name for e, _why in result.skipped)
                    text += f"; left out as without school already: {names}"
                messages.success(request, f"{text}. {_told_text(result.told)}")
                return redirect("school_calendar")
    elif request.method == "POST":
        form = CalendarImportForm(request.POST, request.FILES, schools=schools)
        if form.is_valid():
            school_id = form.cleaned_data["school"]
            school = next((s for s in schools if s.pk == school_id), None)
            try:
                entries = ics_days_off_read(form.cleaned_data["text"])
            except CalendarImportError as exc:
                form.add_error(None, str(exc))
            else:
                if not entries:
                    form.add_error(None, "The file holds no all-day events.")
                else:
                    rows = _preview_rows(
                        district_id=request.user.district_id,
                        entries=entries,
                        school_id=school.pk if school else None,
                    )
    return render(
        request,
        "directory/calendar_import.html",
        {
            "form": form,
            "rows": rows,
            "problems": problems,
            "kinds": CalendarEvent.Kind.choices,
            "school": school,
        },
        status=400 if problems or form.errors else 200,
    )
