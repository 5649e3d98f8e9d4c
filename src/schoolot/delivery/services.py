"""Writes for service delivery: log a session (all or nothing), sign, co-sign, add an addendum.

Every rule a session must obey is checked here, whatever the caller (form, API, import), and a
failure raises ValidationError with messages keyed by field ("date", "students", or
"student-<id>" for one student's part), so a form can show each in place.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from schoolot.accounts.models import Role, User
from schoolot.core.access import students_visible_to
from schoolot.delivery.models import (
    Addendum,
    Consultation,
    ConsultationStudent,
    GoalDataPoint,
    MissedReason,
    ServiceCodeLine,
    Session,
    SessionStudent,
    WeeklySlot,
)
from schoolot.directory.models import District, Staff, Student
from schoolot.plans.models import Goal, MeasurementType, Plan, ServiceMandate
from schoolot.rules.billing import GROUP_CODE

DEFAULT_INDIVIDUAL_CODE = "97530"  # therapeutic activities, the usual school OT code

#: The range each measurement type's value must fall in (inclusive).
VALUE_RANGES: dict[str, tuple[Decimal, Decimal, str]] = {
    MeasurementType.PERCENT_TRIALS: (Decimal(0), Decimal(100), "a percent from 0 to 100"),
    MeasurementType.PROMPT_LEVEL: (Decimal(0), Decimal(5), "a prompt level from 0 to 5"),
    MeasurementType.RUBRIC: (Decimal(0), Decimal(4), "a rubric score from 0 to 4"),
    MeasurementType.DURATION: (Decimal(0), Decimal(600), "minutes from 0 to 600"),
    MeasurementType.FREQUENCY: (Decimal(0), Decimal(999), "a count from 0 to 999"),
    MeasurementType.LETTERS_PER_MINUTE: (Decimal(0), Decimal(300), "0 to 300 letters a minute"),
    MeasurementType.LEGIBILITY: (Decimal(0), Decimal(100), "a percent from 0 to 100"),
}


@dataclass
class GoalMeasure:
    goal_id: int
    value: Decimal | None = None
    correct: int | None = None
    incorrect: int | None = None


@dataclass
class StudentPart:
    student_id: int
    mandate_id: int | None
    attendance: str = SessionStudent.Attendance.PRESENT
    minutes: int | None = None  # default: the session's minutes
    missed_reason: str = ""
    makeup_owed: bool = False
    makeup_for_id: int | None = None
    note: str = ""
    codes: list[tuple[str, int]] | None = None  # default: by group or individual
    measures: list[GoalMeasure] = field(default_factory=list)


@dataclass
class SessionInput:
    date: dt.date
    start_time: dt.time
    end_time: dt.time
    setting: str
    parts: list[StudentPart]
    delivery_model: str = Session.DeliveryModel.PULL_OUT
    activities: str = ""
    subjective: str = ""
    objective: str = ""
    assessment: str = ""
    plan_next: str = ""
    slot_id: int | None = None
    submission_key: uuid.UUID | None = None
    sign: bool = False


def _minutes_between(start: dt.time, end: dt.time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def therapist_staff_get(*, user: User) -> Staff:
    """The Staff row of a therapist user; PermissionDenied for anyone else."""
    if user.role != Role.THERAPIST or user.district_id is None:
        raise PermissionDenied("Only therapists log sessions.")
    staff = Staff.objects.filter(user=user, district_id=user.district_id).first()
    if staff is None:
        raise PermissionDenied("Your login has no staff record; ask your administrator.")
    return staff


def week_writes_serialize(*, staff: Staff) -> None:
    """Inside a transaction, before reading what a change to her weekly slots depends on:
    take the lock on her week (her Staff row). Every writer of her slots takes it (her own
    changes, a build writing its new week), so a build's check that her week is still the one
    it was built from and its write run alone (PostgreSQL; SQLite's IMMEDIATE transactions
    already run one writer at a time)."""
    list(Staff.objects.select_for_update().filter(pk=staff.pk).values_list("pk", flat=True))


def _slot_current(slot: WeeklySlot) -> None:
    """Re-read `slot` under the week's lock: a build may have replaced it since the page."""
    try:
        slot.refresh_from_db()
    except WeeklySlot.DoesNotExist:
        raise ValidationError(
            "That session is no longer in your week (rebuilt or removed meanwhile); reload My week."
        ) from None


def _check_measure(goal: Goal, measure: GoalMeasure) -> tuple[Decimal, str | None]:
    """The value to plot for one measure, or an error message."""
    kind = goal.measurement_type
    value = measure.value
    if kind == MeasurementType.PERCENT_TRIALS and (measure.correct or measure.incorrect):
        correct, incorrect = measure.correct or 0, measure.incorrect or 0
        if correct < 0 or incorrect < 0:
            return Decimal(0), "trial counts cannot be negative"
        value = (Decimal(100) * correct / (correct + incorrect)).quantize(Decimal("0.01"))
    if value is None:
        return Decimal(0), "no value entered"
    low, high, words = VALUE_RANGES[kind]
    if not low <= value <= high:
        return Decimal(0), f"must be {words}"
    return value, None


def session_log(*, user: User, data: SessionInput, draft: Session | None = None) -> Session:
    """Record one session with every student's part, all or nothing.

    With `draft`, the author's unsigned note is rewritten from `data` instead (same rules).

    Refuses (ValidationError, messages keyed by field): end not after start; a date after today
    or outside a student's plan or mandate; a session longer than the school day; overlap with
    another session of the therapist or of a student; a student not on the user's caseload, or
    at another school; group service for a student whose mandate does not allow it or beyond its
    group size; a mandate or goal not on the student's active plan; a goal value out of range; a
    make-up for an entry that is not owed or already made up. A repeated `submission_key`
    returns the session it already created (a double submit makes no duplicate).
    """
    staff = therapist_staff_get(user=user)
    if draft is not None:
        if draft.therapist_id != staff.pk:
            raise PermissionDenied("Only the author edits a draft.")
        if draft.is_signed:
            raise ValidationError("A signed note is locked; add an addendum instead.")
        if SessionStudent.objects.filter(makeup_for__session=draft).exists():
            raise ValidationError(
                "A later session makes up a missed entry of this note; change that one first."
            )
    elif data.submission_key:
        existing = Session.objects.filter(
            submission_key=data.submission_key, therapist=staff
        ).first()
        if existing:
            return existing
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    today = timezone.localdate()
    minutes = _minutes_between(data.start_time, data.end_time)
    if minutes <= 0:
        add("end_time", "The session must end after it starts.")
    if data.date > today:
        add("date", "Sessions are logged on or after the day they happen, not before.")
    if not data.parts:
        add("students", "Choose at least one student.")

    student_ids = [p.student_id for p in data.parts]
    if len(set(student_ids)) != len(student_ids):
        add("students", "A student appears twice in this session.")
    visible = {
        s.pk: s
        for s in students_visible_to(user=user).filter(pk__in=student_ids).select_related("school")
    }
    for sid in student_ids:
        if sid not in visible:
            add("students", "You can log sessions only for students on your caseload.")
            break
    schools = {s.school_id for s in visible.values()}
    if len(schools) > 1:
        add("students", "All students of one session must be at the same school.")
    school = next(iter(visible.values())).school if visible else None
    if school and minutes > _minutes_between(school.day_start, school.day_end):
        add("end_time", f"{minutes} minutes is longer than the school day at {school.name}.")

    plans = {
        p.student_id: p
        for p in Plan.objects.filter(
            student_id__in=visible, status=Plan.Status.ACTIVE
        ).prefetch_related("mandates", "goals")
    }
    present = [p for p in data.parts if p.attendance == SessionStudent.Attendance.PRESENT]
    group = len(data.parts) > 1
    prepared = []
    for part in data.parts:
        student = visible.get(part.student_id)
        if student is None:
            continue
        key = f"student-{student.pk}"
        name = student.full_name
        plan = plans.get(student.pk)
        if plan is None:
            add(key, f"{name} has no active plan.")
            continue
        if not plan.start_date <= data.date <= plan.end_date:
            add(
                key,
                f"{data.date:%b %-d, %Y} is outside {name}'s plan "
                f"({plan.start_date:%b %-d, %Y} to {plan.end_date:%b %-d, %Y}).",
            )
        mandate = next((m for m in plan.mandates.all() if m.pk == part.mandate_id), None)
        if mandate is None:
            add(key, f"Choose which of {name}'s mandates these minutes count against.")
            continue
        if mandate.service != ServiceMandate.Service.OT:
            add(key, "Consultation mandates are logged as consultations, not sessions.")
        if not mandate.start_date <= data.date <= mandate.end_date:
            add(key, f"{data.date:%b %-d, %Y} is outside the mandate's dates.")
        if group and not mandate.group_allowed:
            add(key, f"{name}'s plan calls for individual sessions, not a group.")
        elif group and len(data.parts) > mandate.max_group_size:
            add(key, f"{name}'s plan allows groups of at most {mandate.max_group_size}.")
        part_minutes = part.minutes if part.minutes is not None else max(minutes, 0)
        if part_minutes <= 0:
            add(key, "Minutes must be at least 1.")
        elif minutes > 0 and part_minutes > minutes:
            add(key, f"{part_minutes} minutes is more than the session's {minutes}.")
        missed = part.attendance == SessionStudent.Attendance.MISSED
        if part.attendance not in SessionStudent.Attendance.values:
            add(key, "Mark the student present or missed.")
        if missed and not part.missed_reason:
            add(key, f"Give the reason {name} missed the session.")
        if not missed and (part.missed_reason or part.makeup_owed):
            add(key, "A reason and a make-up apply only to a missed session.")
        if missed and part.measures:
            add(key, "Goal data can be recorded only for a student who was present.")
        makeup_for = None
        if part.makeup_for_id:
            makeup_for = SessionStudent.objects.filter(
                pk=part.makeup_for_id, student=student, makeup_owed=True
            ).first()
            if makeup_for is None:
                add(key, "That missed session is not one owed to this student.")
            elif makeup_for.makeups.exclude(session=draft).exists():
                add(key, "That missed session has already been made up.")
            elif makeup_for.date >= data.date:
                add(key, "A make-up comes after the session it makes up.")
            if missed:
                add(key, "A missed session cannot be a make-up.")
        goals = {g.pk: g for g in plan.goals.all()}
        values = []
        for measure in part.measures:
            goal = goals.get(measure.goal_id)
            if goal is None:
                add(key, "That goal is not on the student's active plan.")
                continue
            value, problem = _check_measure(goal, measure)
            if problem:
                add(key, f"Goal “{goal.text[:40]}…”: {problem}.")
            values.append((goal, value, measure))
        codes = [] if missed else part.codes
        if codes is None:
            codes = [(GROUP_CODE if len(present) > 1 else DEFAULT_INDIVIDUAL_CODE, part_minutes)]
        for code, code_minutes in codes:
            if not re.fullmatch(r"\d{5}", code or ""):
                add(key, f"“{code}” is not a five-digit service code.")
            if code_minutes <= 0:
                add(key, f"Service code {code} needs its minutes.")
        if sum(m for _, m in codes) > max(part_minutes, 0):
            add(key, "The service codes' minutes add up to more than the student's minutes.")
        prepared.append((student, mandate, part, part_minutes, makeup_for, values, codes))

    if minutes > 0 and not errors:
        overlapping = Session.objects.filter(
            date=data.date, start_time__lt=data.end_time, end_time__gt=data.start_time
        )
        if draft is not None:
            overlapping = overlapping.exclude(pk=draft.pk)
        if overlapping.filter(therapist=staff).exists():
            add("start_time", "You already have a session at this time on this day.")
        busy = (
            SessionStudent.objects.filter(
                student_id__in=student_ids,
                session__in=overlapping,
            )
            .select_related("student")
            .first()
        )
        if busy:
            add(
                f"student-{busy.student_id}",
                f"{busy.student.full_name} is already in a session at this time.",
            )

    if errors:
        raise ValidationError(errors)

    try:
        with transaction.atomic():
            fields = dict(
                school=school,
                date=data.date,
                start_time=data.start_time,
                end_time=data.end_time,
                minutes=minutes,
                kind=Session.Kind.GROUP if group else Session.Kind.INDIVIDUAL,
                delivery_model=data.delivery_model,
                setting=data.setting,
                activities=data.activities,
                subjective=data.subjective,
                objective=data.objective,
                assessment=data.assessment,
                plan_next=data.plan_next,
            )
            if draft is not None:
                session = Session.objects.select_for_update().get(pk=draft.pk)
                if session.is_signed:
                    raise ValidationError("A signed note is locked; add an addendum instead.")
                for name, value in fields.items():
                    setattr(session, name, value)
                session.save()
                session.students.all().delete()
            else:
                session = Session.objects.create(
                    district_id=staff.district_id,
                    therapist=staff,
                    slot_id=data.slot_id,
                    submission_key=data.submission_key or uuid.uuid4(),
                    created_by=user,
                    **fields,
                )
            for student, mandate, part, part_minutes, makeup_for, values, codes in prepared:
                entry = SessionStudent.objects.create(
                    district_id=staff.district_id,
                    session=session,
                    student=student,
                    mandate=mandate,
                    attendance=part.attendance,
                    minutes=part_minutes,
                    missed_reason=part.missed_reason,
                    makeup_owed=part.makeup_owed,
                    makeup_for=makeup_for,
                    note=part.note,
                    date=data.date,
                )
                ServiceCodeLine.objects.bulk_create(
                    ServiceCodeLine(district_id=staff.district_id, entry=entry, code=c, minutes=m)
                    for c, m in codes
                )
                GoalDataPoint.objects.bulk_create(
                    GoalDataPoint(
                        district_id=staff.district_id,
                        entry=entry,
                        goal=goal,
                        measurement_type=goal.measurement_type,
                        value=value,
                        correct=measure.correct,
                        incorrect=measure.incorrect,
                        date=data.date,
                    )
                    for goal, value, measure in values
                )
            made_up = [makeup_for for *_, makeup_for, _v, _c in prepared if makeup_for]
            if made_up:  # the times held for them elsewhere are hers again
                from schoolot.schedules.makeups import makeup_holds_settle

                makeup_holds_settle(
                    entries=made_up, on=data.date, start=data.start_time, end=data.end_time
                )
            if data.sign:
                _sign(session=session, staff=staff)
    except IntegrityError:
        # Two submits of one form racing: the first one won; return it.
        if data.submission_key:
            existing = Session.objects.filter(submission_key=data.submission_key).first()
            if existing:
                return existing
        raise
    return session


def _sign(*, session: Session, staff: Staff) -> None:
    session.signed_at = timezone.now()
    session.signed_by = staff
    session.cosign_required = (
        staff.credential == Staff.Credential.COTA
        and District.objects.filter(pk=staff.district_id, cosign_cota_notes=True).exists()
    )
    session.save(update_fields=["signed_at", "signed_by", "cosign_required"])


def session_sign(*, user: User, session: Session) -> Session:
    """The author signs her note; it is locked from then on."""
    staff = therapist_staff_get(user=user)
    if session.therapist_id != staff.pk:
        raise PermissionDenied("Only the therapist who wrote a note signs it.")
    if session.is_signed:
        raise ValidationError("This note is already signed.")
    with transaction.atomic():
        _sign(session=session, staff=staff)
    return session


def cosigner_q(*, staff: Staff) -> Q:
    """The sessions `staff` may co-sign (a Session filter): a COTA's she supervises, and a
    COTA's with a student whose OTR she was on the session's date (she covered for the
    COTA's supervising OTR, who was on leave)."""
    from schoolot.directory.models import CaseloadAssignment

    of_her_students = SessionStudent.objects.filter(
        student__assignments__staff=staff,
        student__assignments__role=CaseloadAssignment.Role.PRIMARY_OTR,
        student__assignments__start_date__lte=F("session__date"),
    ).filter(
        Q(student__assignments__end_date__isnull=True)
        | Q(student__assignments__end_date__gte=F("session__date"))
    )
    return Q(therapist__supervising_otr=staff) | Q(
        therapist__credential=Staff.Credential.COTA,
        pk__in=of_her_students.values("session_id"),
    )


def awaiting_cosign_q(*, staff: Staff) -> Q:
    """Signed notes waiting for `staff`'s co-signature (cosigner_q)."""
    return cosigner_q(staff=staff) & Q(
        cosign_required=True, cosigned_at__isnull=True, signed_at__isnull=False
    )


def cosign_allowed(*, staff: Staff, session: Session) -> bool:
    """Whether `staff` may co-sign `session` (cosigner_q). One query."""
    return Session.objects.filter(cosigner_q(staff=staff), pk=session.pk).exists()


def session_cosign(*, user: User, session: Session) -> Session:
    """The supervising OTR/L co-signs a COTA/L's signed note (or the OTR who covered for
    her: cosigner_q)."""
    staff = therapist_staff_get(user=user)
    if not cosign_allowed(staff=staff, session=session):
        raise PermissionDenied("Only the author's supervising OTR/L co-signs this note.")
    if not session.is_signed:
        raise ValidationError("The author has not signed this note yet.")
    if not session.cosign_required or session.cosigned_at:
        raise ValidationError("This note needs no co-signature.")
    session.cosigned_at = timezone.now()
    session.cosigned_by = staff
    session.save(update_fields=["cosigned_at", "cosigned_by"])
    return session


def session_delete_draft(*, user: User, session: Session) -> None:
    """The author discards an unsigned note. Signed notes are never deleted."""
    staff = therapist_staff_get(user=user)
    if session.therapist_id != staff.pk:
        raise PermissionDenied("Only the author discards a draft.")
    if session.is_signed:
        raise ValidationError("A signed note cannot be deleted; add an addendum instead.")
    if SessionStudent.objects.filter(makeup_for__session=session).exists():
        raise ValidationError("A later session makes up this one; it cannot be discarded.")
    session.delete()


def addendum_add(*, user: User, session: Session, text: str) -> Addendum:
    """A dated correction to a signed note, by its author."""
    staff = therapist_staff_get(user=user)
    if session.therapist_id != staff.pk:
        raise PermissionDenied("Only the author adds an addendum to a note.")
    if not session.is_signed:
        raise ValidationError("Edit the draft instead: addenda are for signed notes.")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the correction."})
    return Addendum.objects.create(
        district_id=session.district_id, session=session, author=staff, text=text
    )


def open_makeups_q() -> Q:
    """Missed entries marked make-up owed that no later session has made up yet."""
    return Q(makeup_owed=True, makeups__isnull=True)


def open_makeups_owned(*, on: dt.date):
    """The open make-ups (open_makeups_q), each with `owner_id`: the therapist who owes it
    on `on`. The minutes are owed to the student, not to whoever missed them: the therapist
    of the missed session while she still serves the student (core.access.
    serving_assignments), else whoever serves the student then: her COTA, if her OTR gave
    her sessions to one, else her OTR (a student moved to another OTR takes her make-ups
    along); None when the student has no therapist."""
    from django.db.models import OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from schoolot.core.access import serving_assignments

    serving = serving_assignments(on=on)
    still = serving.filter(
        staff_id=OuterRef("session__therapist_id"), student_id=OuterRef("student_id")
    ).values("staff_id")[:1]
    primary = (
        serving.filter(student_id=OuterRef("student_id"))
        .order_by("start_date", "pk")
        .values("staff_id")[:1]
    )
    return SessionStudent.objects.filter(open_makeups_q()).annotate(
        owner_id=Coalesce(Subquery(still), Subquery(primary))
    )


def _commitment_clash(staff: Staff, weekday: int, start: dt.time, end: dt.time) -> str | None:
    """The message when her fixed time (an IEP meeting) falls in start-end that weekday."""
    from schoolot.schedules.selectors import commitment_clash_get

    found = commitment_clash_get(staff=staff, weekday=weekday, start=start, end=end)
    if found is None:
        return None
    return f"That is your fixed time: {found.label}, {found.start:%-I:%M}-{found.end:%-I:%M}."


def weekly_slot_create(
    *,
    user: User,
    weekday: int,
    start_time: dt.time,
    end_time: dt.time,
    setting: str,
    student_ids: list[int],
) -> WeeklySlot:
    """Add a recurring session to the therapist's week.

    Refuses: end not after start; no students, or a student not on her caseload; students at
    different schools; a time outside that school's day; an overlap with another of her slots
    or with her fixed time (schedules.models.Commitment) on that weekday.
    """
    staff = therapist_staff_get(user=user)
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    if _minutes_between(start_time, end_time) <= 0:
        add("end_time", "The slot must end after it starts.")
    students = list(
        students_visible_to(user=user).filter(pk__in=student_ids).select_related("school")
    )
    if not student_ids:
        add("students", "Choose at least one student.")
    elif len(students) != len(set(student_ids)):
        add("students", "You can schedule only students on your caseload.")
    schools = {s.school for s in students}
    if len(schools) > 1:
        add("students", "All students of one slot must be at the same school.")
    if len(schools) == 1:
        school = next(iter(schools))
        if start_time < school.day_start or end_time > school.day_end:
            add(
                "start_time",
                f"{school.name} is in session from {school.day_start:%-I:%M %p} "
                f"to {school.day_end:%-I:%M %p}.",
            )
    with transaction.atomic():
        week_writes_serialize(staff=staff)  # her week as it is when the slot is written
        if (
            not errors
            and WeeklySlot.objects.filter(
                therapist=staff, weekday=weekday, start_time__lt=end_time, end_time__gt=start_time
            ).exists()
        ):
            add("start_time", "This overlaps another of your slots that day.")
        if not errors and (clash := _commitment_clash(staff, weekday, start_time, end_time)):
            add("start_time", clash)
        if errors:
            raise ValidationError(errors)
        slot = WeeklySlot.objects.create(
            district_id=staff.district_id,
            therapist=staff,
            weekday=weekday,
            start_time=start_time,
            end_time=end_time,
            school=students[0].school,
            setting=setting,
        )
        slot.students.set(students)
        _teachers_told(students=students, user=user)
    return slot


def _teachers_told(*, students, user: User) -> None:
    """Her students' teachers hear of their new OT times (a session added, moved, removed)."""
    from schoolot.schedules.services import teachers_ot_times_notify

    teachers_ot_times_notify(students=students, on=timezone.localdate(), by=user)


def weekly_slot_delete(*, user: User, slot: WeeklySlot) -> None:
    staff = therapist_staff_get(user=user)
    if slot.therapist_id != staff.pk:
        raise PermissionDenied("Not your slot.")
    with transaction.atomic():
        week_writes_serialize(staff=staff)
        students = list(Student.objects.filter(weekly_slots=slot.pk))
        if WeeklySlot.objects.filter(pk=slot.pk).delete()[0]:  # gone already: nothing to do
            _teachers_told(students=students, user=user)


def weekly_slots_lock(*, user: User, slots: list[WeeklySlot], locked: bool) -> None:
    """Lock (re-solving keeps them where they are) or unlock her `slots`, together."""
    staff = therapist_staff_get(user=user)
    if any(slot.therapist_id != staff.pk for slot in slots):
        raise PermissionDenied("Not your slot.")
    with transaction.atomic():
        week_writes_serialize(staff=staff)
        WeeklySlot.objects.filter(pk__in=[slot.pk for slot in slots]).update(locked=locked)


def weekly_slots_move(
    *,
    user: User,
    slots: list[WeeklySlot],
    weekday: int,
    start_time: dt.time,
    on: dt.date | None = None,
    anyway: bool = False,
) -> list[WeeklySlot]:
    """Move several sessions together (the slots of one session held in each week of the
    rotation), each as weekly_slot_move moves one (`anyway` as there), all or none: if any
    is refused, the reasons of every refused one are raised, each naming its week of the
    rotation, and nothing is moved; a WeekRulesRefusal when each was refused for her week's
    rules alone. (A slot of one rotation week meets only the weekly sessions and its own
    week's, so each week's move is judged on its own.)"""
    rotation = len(slots) > 1 and all(slot.cycle_week is not None for slot in slots)
    problems: list[str] = []
    week_rules_only = True
    try:
        with transaction.atomic():
            week_writes_serialize(staff=therapist_staff_get(user=user))
            for slot in slots:
                try:
                    with transaction.atomic():  # a refused week leaves nothing behind
                        weekly_slot_move(
                            user=user,
                            slot=slot,
                            weekday=weekday,
                            start_time=start_time,
                            on=on,
                            tell_teachers=False,
                            anyway=anyway,
                        )
                except ValidationError as exc:
                    if not rotation:
                        raise
                    week_rules_only &= isinstance(exc, WeekRulesRefusal)
                    week = f"Week {slot.cycle_week} of the rotation: "
                    problems += [week + m for m in exc.messages]
            if problems:
                raise (WeekRulesRefusal if week_rules_only else ValidationError)(problems)
            _teachers_told(
                students=Student.objects.filter(weekly_slots__in=slots).distinct(), user=user
            )
    except ValidationError:
        for slot in slots:
            # Every move of the set is rolled back (a slot rebuilt away meanwhile is gone).
            with contextlib.suppress(WeeklySlot.DoesNotExist):
                slot.refresh_from_db()
        raise
    return slots


@dataclass
class ConsultationInput:
    date: dt.date
    start_time: dt.time
    end_time: dt.time
    with_name: str
    with_role: str
    domain: str
    topic: str
    strategies: str
    student_ids: list[int]
    follow_up_date: dt.date | None = None
    mandate_ids: dict[int, int] = field(default_factory=dict)  # student id -> mandate id
    submission_key: uuid.UUID | None = None


def consultation_log(*, user: User, data: ConsultationInput) -> Consultation:
    """Record a consultation with a teacher or staff member about one or more students.

    Its minutes count toward each student's consultation mandate when one is in force (the
    one given, else the student's only consultation mandate). Refuses: end not after start; a
    date after today; a follow-up before the consultation; no student, or one not on the
    user's caseload; a mandate not a consultation mandate of that student's active plan;
    missing who, topic or strategies. A repeated `submission_key` returns the first record.
    """
    staff = therapist_staff_get(user=user)
    if data.submission_key:
        existing = Consultation.objects.filter(
            submission_key=data.submission_key, therapist=staff
        ).first()
        if existing:
            return existing
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    minutes = _minutes_between(data.start_time, data.end_time)
    if minutes <= 0:
        add("end_time", "The consultation must end after it starts.")
    if data.date > timezone.localdate():
        add("date", "Consultations are logged on or after the day they happen.")
    if data.follow_up_date and data.follow_up_date < data.date:
        add("follow_up_date", "The follow-up comes after the consultation.")
    for name, label in [
        ("with_name", "whom you consulted"),
        ("topic", "the topic"),
        ("strategies", "the strategies recommended"),
    ]:
        if not (getattr(data, name) or "").strip():
            add(name, f"Say {label}.")
    if data.with_role not in Consultation.WithRole.values:
        add("with_role", "Choose their role.")
    if not data.student_ids:
        add("students", "Choose at least one student.")
    students = {s.pk: s for s in students_visible_to(user=user).filter(pk__in=data.student_ids)}
    if set(data.student_ids) - set(students):
        add("students", "You can log consultations only about students on your caseload.")
    consult_mandates: dict[int, list[ServiceMandate]] = defaultdict(list)
    for m in ServiceMandate.objects.filter(
        plan__student_id__in=students,
        plan__status=Plan.Status.ACTIVE,
        start_date__lte=data.date,
        end_date__gte=data.date,
    ).filter(
        Q(service=ServiceMandate.Service.OT_CONSULT)
        | Q(delivery_model__in=["consultation", "combined"])
    ):
        consult_mandates[m.plan.student_id].append(m)
    chosen: dict[int, ServiceMandate | None] = {}
    for sid in students:
        options = consult_mandates.get(sid, [])
        wanted = data.mandate_ids.get(sid)
        if wanted:
            match = next((m for m in options if m.pk == wanted), None)
            if match is None:
                add(
                    "students",
                    f"That is not a consultation mandate of {students[sid].full_name}'s plan.",
                )
            chosen[sid] = match
        else:
            chosen[sid] = options[0] if len(options) == 1 else None
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        consultation = Consultation.objects.create(
            district_id=staff.district_id,
            therapist=staff,
            date=data.date,
            start_time=data.start_time,
            end_time=data.end_time,
            minutes=minutes,
            with_name=data.with_name.strip(),
            with_role=data.with_role,
            domain=data.domain,
            topic=data.topic.strip(),
            strategies=data.strategies.strip(),
            follow_up_date=data.follow_up_date,
            submission_key=data.submission_key or uuid.uuid4(),
            signed_at=timezone.now(),
        )
        ConsultationStudent.objects.bulk_create(
            ConsultationStudent(
                district_id=staff.district_id,
                consultation=consultation,
                student_id=sid,
                mandate=chosen[sid],
                minutes=minutes,
                date=data.date,
            )
            for sid in students
        )
    return consultation


def weekly_slot_move(
    *,
    user: User,
    slot: WeeklySlot,
    weekday: int,
    start_time: dt.time,
    on: dt.date | None = None,
    tell_teachers: bool = True,
    anyway: bool = False,
) -> WeeklySlot:
    """Move a session of the week by hand; it is locked so that re-solving keeps it.

    Refuses: a day other than Monday to Friday; a time outside the school's day; an overlap
    with another of her sessions held that week (one of a rotation week meets the weekly
    ones and its own week's) or her fixed time that day; a student's protected time;
    then any other hard rule the move would break that her week (as of `on`, default today)
    does not break already: outside her hours, too little time to drive to or from her
    sessions at other schools, no lunch or planning time left (schedules.week_check), raised
    as a WeekRulesRefusal: those are hers to accept, and with `anyway` the move is made
    despite them (My week's check then lists what it breaks); the others never are. The
    students' teachers hear of the new time unless `tell_teachers` is False (a set of slots
    moved together tells them once)."""
    staff = therapist_staff_get(user=user)
    if slot.therapist_id != staff.pk:
        raise PermissionDenied("Not your session.")
    with transaction.atomic():
        week_writes_serialize(staff=staff)
        _slot_current(slot)
        moved = _weekly_slot_move(
            staff=staff, slot=slot, weekday=weekday, start_time=start_time, on=on, anyway=anyway
        )
        if tell_teachers:
            _teachers_told(students=moved.students.all(), user=user)
        return moved


class WeekRulesRefusal(ValidationError):
    """A hand move refused only for rules of her own week (her hours, drives, lunch and
    planning, the rest the scorer checks): she may make it anyway."""


def _weekly_slot_move(
    *,
    staff: Staff,
    slot: WeeklySlot,
    weekday: int,
    start_time: dt.time,
    on: dt.date | None,
    anyway: bool = False,
) -> WeeklySlot:
    from schoolot.schedules.models import ProtectedBlock
    from schoolot.schedules.selectors import weekdays_held
    from schoolot.schedules.week_check import move_problems_get

    minutes = slot.minutes
    start = start_time.hour * 60 + start_time.minute
    end_time = dt.time((start + minutes) // 60 % 24, (start + minutes) % 60)
    errors: dict[str, list[str]] = {}
    school = slot.school
    if weekday not in range(5):
        errors.setdefault("weekday", []).append("Choose a school day.")
    if start_time < school.day_start or end_time > school.day_end or start + minutes >= 24 * 60:
        errors.setdefault("start_time", []).append(
            f"{school.name} is in session {school.day_start:%-I:%M} to {school.day_end:%-I:%M}."
        )
    others = WeeklySlot.objects.filter(
        therapist=staff, weekday=weekday, start_time__lt=end_time, end_time__gt=start_time
    ).exclude(pk=slot.pk)
    if slot.cycle_week is not None:
        # Held in one week of the rotation: only the weekly sessions and that week's meet it.
        others = others.filter(Q(cycle_week__isnull=True) | Q(cycle_week=slot.cycle_week))
    if others.exists():
        errors.setdefault("start_time", []).append("This overlaps another of your sessions.")
    if clash := _commitment_clash(staff, weekday, start_time, end_time):
        errors.setdefault("start_time", []).append(clash)
    for block in ProtectedBlock.objects.filter(
        student__in=slot.students.all(), start__lt=end_time, end__gt=start_time
    ).select_related("student"):
        if weekday in weekdays_held(weekdays=block.weekdays):
            errors.setdefault("start_time", []).append(
                f"{block.student.full_name}'s {block.reason.lower()} is then."
            )
    if errors:
        raise ValidationError(errors)
    if not anyway:  # the rules that need her whole week, once the quick ones hold
        problems = move_problems_get(
            staff=staff, slot=slot, weekday=weekday, start=start, on=on or timezone.localdate()
        )
        if problems:
            raise WeekRulesRefusal({"start_time": problems})
    slot.weekday, slot.start_time, slot.end_time, slot.locked = weekday, start_time, end_time, True
    slot.save(update_fields=["weekday", "start_time", "end_time", "locked"])
    return slot


#: The reasons a whole day of her sessions is missed for: hers, so make-ups are owed.
DAY_MISSED_REASONS = (MissedReason.THERAPIST_ABSENT, MissedReason.THERAPIST_PULLED)


@dataclass
class DayMissed:
    """What day_missed_log did: the sessions logged, and the ones it could not log, why."""

    logged: list[Session]
    refused: list[tuple[WeeklySlot, str]]


def day_missed_log(
    *, user: User, date: dt.date, reason: str, makeup_owed: bool, today: dt.date, sign: bool = True
) -> DayMissed:
    """A day she could not give her sessions (out sick, pulled to a district meeting): each of
    her sessions held on `date` (Today's slots: the weekly ones and that rotation week's, none
    at a school closed that day) not yet logged is logged as one signed session whose students
    all missed it for `reason` (DAY_MISSED_REASONS), with a make-up owed when `makeup_owed`,
    each counted against the student's OT mandate in force whose session length is the
    slot's (else her only one). Refused (ValidationError) for a date after `today`, a day
    without instruction, a reason that is not hers, or a day with nothing left to log. Each
    session is written whole or not at all (session_log): one that cannot be (a student with
    no mandate in force that day) is returned with why, the others are logged. Her
    supervisor hears of the day; on `today`, so do the students' teachers (the student stays
    in class)."""
    from schoolot.delivery.session_selectors import entry_students_get, today_get

    staff = therapist_staff_get(user=user)
    if reason not in DAY_MISSED_REASONS:
        raise ValidationError({"reason": "Choose why you could not give the sessions."})
    if date > today:
        raise ValidationError(
            {
                "date": "A day is marked missed on the day or after; for days ahead, enter "
                "them on Time away (the teachers are told)."
            }
        )
    day = today_get(staff=staff, date=date)
    if day.closed:
        raise ValidationError({"date": f"No school that day ({day.closed}): nothing is owed."})
    open_slots = [item.slot for item in day.slots if item.session is None and not item.closed]
    if not open_slots:
        raise ValidationError({"date": "Every session of that day is logged already."})
    entries = {
        e.student.pk: e
        for e in entry_students_get(
            user=user, student_ids=[s.pk for slot in open_slots for s in slot.students.all()]
        )
    }
    result = DayMissed(logged=[], refused=[])
    for slot in sorted(open_slots, key=lambda s: s.start_time):
        parts = []
        for student in slot.students.all():
            entry = entries.get(student.pk)
            mandates = [
                m for m in (entry.mandates if entry else []) if m.start_date <= date <= m.end_date
            ]
            mandate = next(
                (m for m in mandates if m.minutes_per_session == slot.minutes),
                mandates[0] if len(mandates) == 1 else None,
            )
            parts.append(
                StudentPart(
                    student_id=student.pk,
                    mandate_id=mandate.pk if mandate else None,
                    attendance=SessionStudent.Attendance.MISSED,
                    missed_reason=reason,
                    makeup_owed=makeup_owed,
                )
            )
        try:
            session = session_log(
                user=user,
                data=SessionInput(
                    date=date,
                    start_time=slot.start_time,
                    end_time=slot.end_time,
                    setting=slot.setting,
                    parts=parts,
                    slot_id=slot.pk,
                    submission_key=uuid.uuid4(),
                    sign=sign,
                ),
            )
        except ValidationError as exc:
            result.refused.append((slot, " ".join(exc.messages)))
        else:
            result.logged.append(session)
    if result.logged:
        _day_missed_tell(staff=staff, date=date, reason=reason, day=result, today=today)
    return result


def _day_missed_tell(*, staff: Staff, date: dt.date, reason: str, day: DayMissed, today):
    """Her supervisor hears of a day of sessions missed; on the day, the teachers too."""
    from schoolot.directory.selectors import class_teachers_get
    from schoolot.referrals.services import notify

    why = MissedReason(reason).label.lower()
    when = f"{date:%a %b} {date.day}"
    n = len(day.logged)
    if staff.supervisor_id:
        notify(
            users=[staff.supervisor.user],
            student=None,
            text=f"{staff.user.display_name} could not give sessions on {when} ({why}): "
            f"{n} session{'s' if n != 1 else ''} logged as missed.",
            link=reverse("makeups"),
        )
    if date != today:
        return
    students = {e.student_id: e.student for s in day.logged for e in s.students.all()}
    for teacher, mine in class_teachers_get(students=students.values()):
        names = ", ".join(s.full_name for s in mine)
        notify(
            users=[teacher],
            student=mine[0] if len(mine) == 1 else None,
            text=f"No OT today for {names}: the therapist cannot come ({why}). They stay in class.",
            link=reverse("caseload"),
        )
