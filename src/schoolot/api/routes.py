"""The REST API, version 1 (Django Ninja): reads of the caseload, a student's record, her
minutes ledger and service log, a therapist's day, this period's minutes, due dates and the
billing export; and a session logged. Each goes through the same selectors, services and
access rules as the pages; each read of a student's record is audited as the page's is, a
read of many students as one export. Schemas in schemas.py; the OpenAPI schema is at
/api/v1/openapi.json, its docs at /api/v1/docs.

A student the caller may not see answers 404, never 403: as on the pages, the API does not
tell that she exists."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI, Query, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from schoolot.accounts.models import Role
from schoolot.api.auth import StaffSessionAuth, TokenAuth
from schoolot.api.schemas import (
    BillingOut,
    BillingQuery,
    DayQuery,
    DetailOut,
    DueOut,
    DueQuery,
    Id,
    MeOut,
    MinutesLineOut,
    MinutesOut,
    MinutesQuery,
    PeriodQuery,
    ProblemsOut,
    ServiceLogOut,
    SessionIn,
    SessionOut,
    StudentFilters,
    StudentOut,
    StudentRecordOut,
    TodayOut,
)
from schoolot.audit.models import AuditAction
from schoolot.audit.services import audit_event_record
from schoolot.compliance.due import due_items
from schoolot.compliance.ledger import district_calendar, mandate_lines, student_ledger
from schoolot.core.access import RecordScope, students_visible_to
from schoolot.delivery import services as delivery
from schoolot.delivery.models import Session, WeeklySlot
from schoolot.delivery.outputs import billing_export, service_log_get
from schoolot.delivery.session_selectors import today_get
from schoolot.directory.selectors import CaseloadFilters, caseload_list, student_record_get
from schoolot.plans.models import Plan, ServiceMandate
from schoolot.rules.billing import GROUP_CODE


class Pages(LimitOffsetPagination):
    """`limit` (NINJA_PAGINATION_PER_PAGE by default, NINJA_PAGINATION_MAX_LIMIT at most) and
    `offset`, held to what a database's OFFSET takes (a 20-digit offset is a 422, not a
    server error)."""

    class Input(Schema):
        limit: int = Field(
            settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT
        )
        offset: int = Field(0, ge=0, le=10**12)


api = NinjaAPI(
    title="SchoolOT",
    version="1",
    description=(
        "Read a district's occupational therapy program as the user a token belongs to: "
        "the students she may see, their plans, minutes, service logs, due dates and "
        "billing; a therapist also logs her sessions, as drafts she signs in SchoolOT. "
        "Every call goes through her access by role and caseload; every read of a "
        "student's record is audited. Make a token on the API tokens page "
        "(administrators, OT supervisors and therapists)."
    ),
    auth=[TokenAuth(), StaffSessionAuth()],
    urls_namespace="api-v1",
)


# -- shaping ---------------------------------------------------------------------------------


def _student_out(student) -> dict:
    plan = student.active_plans[0] if getattr(student, "active_plans", None) else None
    return {
        "id": student.pk,
        "local_id": student.local_id,
        "first_name": student.first_name,
        "last_name": student.last_name,
        "preferred_name": student.preferred_name,
        "grade": student.grade,
        "school": {"id": student.school_id, "name": student.school.name},
        "plan_kind": plan.kind if plan else None,
        "services": [m.in_words for m in plan.mandates.all()] if plan else [],
        "therapists": [
            {
                "staff_id": a.staff_id,
                "name": a.staff.user.display_name,
                "credential": a.staff.credential,
                "role": a.role,
            }
            for a in student.current_assignments
        ],
    }


def _mandate_out(m) -> dict:
    return {
        "id": m.pk,
        "in_words": m.in_words,
        "service": m.service,
        "delivery_model": m.delivery_model,
        "minutes_per_session": m.minutes_per_session,
        "sessions_per_period": m.sessions_per_period,
        "period": m.period,
        "group_allowed": m.group_allowed,
        "max_group_size": m.max_group_size,
        "setting": m.setting,
        "start_date": m.start_date,
        "end_date": m.end_date,
    }


def _via(request) -> str:
    """How the audit trail says a call came: by which token (its first characters, as the
    API tokens page lists it), or from a staff login in the browser."""
    token = getattr(request, "api_token", None)
    return f"via API token {token.prefix}" if token else "via API (login)"


def _full_record(request, student_id: Id):
    """The record as student_record_get gives it; 404 unless the caller sees all of it."""
    record = student_record_get(user=request.user, student_id=student_id)
    if record.scope is not RecordScope.FULL:
        raise Http404("No such student.")
    return record


# -- endpoints -------------------------------------------------------------------------------


@api.get("/me", response=MeOut, summary="Who the token acts as")
def me(request):
    user = request.user
    return {
        "username": user.get_username(),
        "name": user.display_name,
        "role": user.role,
        "district": user.district.name,
    }


@api.get("/students", response=list[StudentOut], summary="The students the caller may see")
@paginate(Pages)
def students_list(request, filters: Query[StudentFilters]):
    """Her caseload (or, for a supervisor, her team's; for an administrator, the
    district's), ordered by school and name, as the caseload page lists it; paged with
    `limit` and `offset`. `staff_id` keeps one therapist's students."""
    students = caseload_list(
        user=request.user,
        filters=CaseloadFilters(
            q=filters.q.strip(),
            school_id=filters.school_id,
            grade=filters.grade,
            plan_kind=filters.plan_kind,
            staff_id=filters.staff_id,
        ),
    )
    return _Shaped(students, lambda page: [_student_out(s) for s in page])


class _Shaped:
    """A sequence the paginator slices and counts, shaped page by page: only the page's
    items are loaded and turned into the API's dicts (`shape` takes the page's slice)."""

    def __init__(self, items, shape):
        self.items, self.shape = items, shape

    def __len__(self):
        return len(self.items) if isinstance(self.items, list) else self.items.count()

    def __getitem__(self, index):
        return self.shape(self.items[index])


@api.get(
    "/students/{student_id}",
    response=StudentRecordOut,
    summary="A student's record: her active plan's mandates, goals and accommodations",
)
def student_get(request, student_id: Id):
    record = _full_record(request, student_id)
    audit_event_record(
        request=request,
        student=record.student,
        action=AuditAction.VIEW,
        what=f"student record (full) {_via(request)}",
    )
    student, plan = record.student, record.plan
    student.active_plans = [plan] if plan else []
    return {
        "student": _student_out(student),
        "date_of_birth": student.date_of_birth,
        "plan": None
        if plan is None
        else {
            "id": plan.pk,
            "kind": plan.kind,
            "status": plan.status,
            "start_date": plan.start_date,
            "end_date": plan.end_date,
            "annual_review_due": plan.annual_review_due,
            "reevaluation_due": plan.reevaluation_due,
            "mandates": [_mandate_out(m) for m in plan.mandates.all()],
            "goals": [
                {
                    "id": g.pk,
                    "domain": g.domain,
                    "text": g.text,
                    "baseline": g.baseline,
                    "measurement_type": g.measurement_type,
                    "baseline_value": g.baseline_value,
                    "target_value": g.target_value,
                    "end_date": g.end_date,
                }
                for g in plan.goals.all()
            ],
            "accommodations": [
                {"category": a.category, "text": a.text} for a in plan.accommodations.all()
            ],
        },
    }


@api.get(
    "/students/{student_id}/minutes",
    response=MinutesOut,
    summary="A student's minutes ledger: each period of the school year, mandate by mandate",
)
def student_minutes(request, student_id: Id):
    """Required, delivered, made up, missed by reason and owed minutes for every period of
    the school year so far, newest first, with the year's sums: the Minutes page's ledger."""
    record = _full_record(request, student_id)
    on = timezone.localdate()
    cal = district_calendar(district_id=record.student.district_id, on=on)
    ledger = student_ledger(student=record.student, on=on, cal=cal) if cal else None
    audit_event_record(
        request=request,
        student=record.student,
        action=AuditAction.VIEW,
        what=f"minutes ledger {_via(request)}",
    )
    return {
        "student_id": record.student.pk,
        "on": on,
        "school_year": f"{cal.year.start:%Y}-{cal.year.end:%y}" if cal else None,
        "mandates": [
            {
                "mandate": _mandate_out(m),
                "periods": [
                    {
                        "period_start": ln.period.start,
                        "period_end": ln.period.end,
                        "period_name": ln.period.name,
                        "required": ln.required,
                        "delivered": ln.delivered,
                        "made_up": ln.made_up,
                        "missed": ln.missed,
                        "owed": ln.owed,
                        "finished": ln.finished,
                    }
                    for ln in lines
                ],
                "year": {
                    "required": total.required,
                    "covered": total.covered,
                    "delivered": total.delivered,
                    "made_up": total.made_up,
                    "missed": total.missed,
                    "owed": total.owed,
                    "expected_by_now": total.expected_by_now,
                    "covered_to_date": total.covered_to_date,
                },
            }
            for m, lines, total in (ledger.mandates if ledger else [])
        ],
    }


@api.get(
    "/students/{student_id}/service-log",
    response=ServiceLogOut,
    summary="A student's service log: her session entries and consultations",
)
def student_service_log(request, student_id: Id, period: Query[PeriodQuery]):
    """Every session entry and consultation about her between `start` and `end`
    (inclusive, either optional), newest first. 400 when `start` comes after `end`."""
    if period.start and period.end and period.start > period.end:
        raise HttpError(400, "start must not come after end.")
    log = service_log_get(
        user=request.user, student_id=student_id, start=period.start, end=period.end
    )
    audit_event_record(
        request=request,
        student=log.student,
        action=AuditAction.VIEW,
        what=f"service log {period.start or ''}..{period.end or ''} {_via(request)}",
    )
    return {
        "student_id": log.student.pk,
        "start": period.start,
        "end": period.end,
        "sessions": [
            {
                "date": e.date,
                "start": f"{e.session.start_time:%H:%M}",
                "end": f"{e.session.end_time:%H:%M}",
                "kind": e.session.kind,
                "therapist": e.session.therapist.user.display_name,
                "credential": e.session.therapist.credential,
                "delivery_model": e.session.delivery_model,
                "setting": e.session.setting,
                "attendance": e.attendance,
                "missed_reason": e.missed_reason,
                "minutes": e.minutes,
                "mandate_id": e.mandate_id,
                "codes": [{"code": c.code, "minutes": c.minutes} for c in e.codes.all()],
                "signed": e.session.is_signed,
                "makeup_owed": e.makeup_owed,
                "makes_up": e.makeup_for.date if e.makeup_for else None,
            }
            for e in log.entries
        ],
        "consultations": [
            {
                "date": c.date,
                "therapist": c.consultation.therapist.user.display_name,
                "minutes": c.minutes,
                "mandate_id": c.mandate_id,
            }
            for c in log.consultations
        ],
    }


def _export_audit(request, what: str) -> None:
    """A read of many students at once is audited as the pages' CSV downloads are: one
    export event, no student."""
    audit_event_record(request=request, student=None, action=AuditAction.EXPORT, what=what)


@api.get(
    "/minutes",
    response=list[MinutesLineOut],
    summary="Mandated, delivered and owed minutes of this period, mandate by mandate",
)
@paginate(Pages)
def minutes_list(request, query: Query[MinutesQuery]):
    """For every student the caller sees, each mandate in force on `on` (default today) with
    its current period's line (week, month, quarter or year): required, delivered, made up,
    missed by reason, owed, and whether it is behind pace. The dashboards' figures, for a
    district's own reports. One export event is audited per call."""
    on = query.on or timezone.localdate()
    cal = district_calendar(district_id=request.user.district_id, on=on)
    students = students_visible_to(user=request.user)
    lines = mandate_lines(students=students, on=on, cal=cal) if cal else []
    # Each student's (sort key, name as Student.full_name says it).
    names = {
        pk: ((last, first), f"{preferred or first} {last}")
        for pk, last, first, preferred in students.values_list(
            "pk", "last_name", "first_name", "preferred_name"
        )
    }
    lines.sort(key=lambda ml: (names[ml.student_id][0], ml.student_id, ml.mandate_id))
    _export_audit(request, f"minutes on {on} {_via(request)} ({len(lines)} lines)")

    def shape(page):
        mandates = ServiceMandate.objects.in_bulk([ml.mandate_id for ml in page])
        return [
            {
                "student_id": ml.student_id,
                "student": names[ml.student_id][1],
                "school_id": ml.school_id,
                "mandate_id": ml.mandate_id,
                "mandate": mandates[ml.mandate_id].in_words,
                "period_start": ml.line.period.start,
                "period_end": ml.line.period.end,
                "required": ml.line.required,
                "delivered": ml.line.delivered,
                "made_up": ml.line.made_up,
                "missed": ml.line.missed,
                "owed": ml.line.owed,
                "expected_by_now": ml.line.expected_by_now,
                "behind_pace": ml.line.behind_pace,
                "therapist_ids": list(ml.therapist_ids),
            }
            for ml in page
        ]

    return _Shaped(lines, shape)


@api.get("/due", response=list[DueOut], summary="Due dates: what is due soon, and overdue")
def due_list(request, query: Query[DueQuery]):
    """Evaluations, IEP meetings, annual reviews, reevaluations, progress reports and the
    rest due in the next `days` days for the students the caller sees, with what is
    overdue (up to a year back), by date. Audited as one export."""
    today = timezone.localdate()
    items = due_items(
        user=request.user,
        start=today,
        end=today + dt.timedelta(days=query.days),
        overdue_since=today - dt.timedelta(days=365),
    )
    _export_audit(
        request,
        f"due dates to {today + dt.timedelta(days=query.days)} {_via(request)} ({len(items)} rows)",
    )
    return [
        {
            "date": i.date,
            "overdue": i.overdue_on(today),
            "kind": i.kind,
            "student_id": i.student.pk,
            "student": i.student.full_name,
            "school": i.student.school.name,
            "therapist": i.therapist,
            "detail": i.detail,
        }
        for i in items
    ]


@api.get(
    "/billing",
    response={200: BillingOut, 400: DetailOut},
    summary="Medicaid billing: billable rows with units, and the exceptions",
)
def billing_get(request, query: Query[BillingQuery]):
    """The billing export for `start`..`end` (at most a year), as the Billing page's CSVs:
    one row per student, session and service code with its units, and every entry that
    cannot be billed with its reasons. Audited as one export."""
    if query.end < query.start:
        return Status(400, {"detail": "The period must end after it starts."})
    if (query.end - query.start).days > 400:
        return Status(400, {"detail": "Choose a period of at most a year."})
    export = billing_export(user=request.user, start=query.start, end=query.end)
    _export_audit(
        request,
        f"Medicaid billing export {query.start}..{query.end} {_via(request)} "
        f"({len(export.rows)} rows)",
    )
    return {
        "start": export.start,
        "end": export.end,
        "units": export.total_units,
        "rows": [
            {
                "date": r.entry.date,
                "student_id": r.entry.student_id,
                "local_id": r.entry.student.local_id,
                "medicaid_id": r.entry.student.medicaid_id,
                "date_of_birth": r.entry.student.date_of_birth,
                "diagnosis_codes": r.entry.student.diagnosis_codes,
                "provider": r.entry.session.therapist.user.display_name,
                "credential": r.entry.session.therapist.credential,
                "npi": r.entry.session.therapist.npi,
                "signed_at": r.entry.session.signed_at,
                "cosigned_at": r.entry.session.cosigned_at,
                "place_of_service": r.entry.session.get_setting_display(),
                "school": r.entry.student.school.name,
                "begin_time": f"{r.entry.session.start_time:%H:%M}",
                "end_time": f"{r.entry.session.end_time:%H:%M}",
                "group_or_individual": "group"
                if r.code == GROUP_CODE or r.group_size > 1
                else "individual",
                "group_size": r.group_size,
                "service_code": r.code,
                "minutes": r.minutes,
                "units": r.units,
            }
            for r in export.rows
        ],
        "exceptions": [
            {
                "date": x.date,
                "student_id": x.student.pk,
                "local_id": x.student.local_id,
                "provider": x.therapist.user.display_name,
                "what": x.what,
                "minutes": x.minutes,
                "reasons": x.reasons,
            }
            for x in export.exceptions
        ],
    }


@api.get(
    "/today",
    response={200: TodayOut, 403: DetailOut},
    summary="A therapist's day: her sessions to log, what is logged, why a school is closed",
)
def today(request, query: Query[DayQuery]):
    """Her sessions of the week that fall on `date` (default today), each with its students
    and the mandates their minutes may count against, and the session logged from it if
    any; her other sessions logged that day; why the day or a school has no instruction;
    her time away. What the Today page shows, for her own tools. Therapists only."""
    if request.user.role != Role.THERAPIST:
        return Status(403, {"detail": "The day is a therapist's."})
    date = query.date or timezone.localdate()
    day = today_get(staff=delivery.therapist_staff_get(user=request.user), date=date)
    student_ids = {st.pk for item in day.slots for st in item.slot.students.all()}
    mandates: dict[int, list] = {}
    for m in (
        ServiceMandate.objects.filter(
            plan__student_id__in=student_ids,
            plan__status=Plan.Status.ACTIVE,
            start_date__lte=date,
            end_date__gte=date,
        )
        .exclude(delivery_model=ServiceMandate.DeliveryModel.CONSULTATION)
        .select_related("plan")
        .order_by("pk")
    ):
        mandates.setdefault(m.plan.student_id, []).append({"id": m.pk, "in_words": m.in_words})
    return {
        "date": day.date,
        "closed": day.closed,
        "next_school_day": day.next_school_day,
        "away": day.away.get_reason_display() if day.away else None,
        "slots": [
            {
                "slot_id": item.slot.pk,
                "start_time": item.slot.start_time,
                "end_time": item.slot.end_time,
                "school": item.slot.school.name,
                "setting": item.slot.setting,
                "students": [
                    {"id": st.pk, "name": st.full_name, "mandates": mandates.get(st.pk, [])}
                    for st in item.slot.students.all()
                ],
                "session_id": item.session.pk if item.session else None,
                "signed": item.session.is_signed if item.session else None,
                "closed": item.closed,
                "clash": item.clash.label if item.clash else None,
            }
            for item in day.slots
        ],
        "other_sessions": [
            {
                "id": s.pk,
                "start_time": s.start_time,
                "end_time": s.end_time,
                "signed": s.is_signed,
            }
            for s in day.other_sessions
        ],
        "unsigned": day.unsigned_count,
    }


@api.post(
    "/sessions",
    response={200: SessionOut, 201: SessionOut, 403: DetailOut, 404: DetailOut, 422: ProblemsOut},
    summary="Log a session (a draft note for the therapist to sign)",
)
def session_create(request, payload: SessionIn):
    """Log one session with each student's part, all or nothing, by the rules of the
    session form: her caseload, the student's mandate and plan dates, group sizes, no
    overlap with her other sessions or the student's, make-ups, goal data, service codes.
    Therapists only (403 for anyone else). The note is saved as a draft: she signs it in
    SchoolOT (Notes to sign), as a signature is hers to give, not a token's.

    201 with the session; 200 with the same session when `submission_key` was already
    used (a retried call makes no duplicate); 404 when a student is not one she sees;
    422 with each refusal, `loc` naming the field or the student's place in `students`."""
    if request.user.role != Role.THERAPIST:
        return Status(403, {"detail": "Only therapists log sessions."})
    ids = [p.student_id for p in payload.students]
    seen = set(
        students_visible_to(user=request.user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    if seen != set(ids):
        return Status(404, {"detail": "No such student on your caseload."})
    if (
        payload.slot_id is not None
        and not WeeklySlot.objects.filter(pk=payload.slot_id, therapist__user=request.user).exists()
    ):
        return Status(
            422,
            {"detail": [{"loc": ["body", "slot_id"], "msg": "That session is not in your week."}]},
        )
    data = delivery.SessionInput(
        date=payload.date,
        start_time=payload.start_time,
        end_time=payload.end_time,
        setting=payload.setting,
        delivery_model=payload.delivery_model,
        activities=payload.activities,
        subjective=payload.subjective,
        objective=payload.objective,
        assessment=payload.assessment,
        plan_next=payload.plan_next,
        submission_key=payload.submission_key,
        slot_id=payload.slot_id,
        sign=False,
        parts=[
            delivery.StudentPart(
                student_id=p.student_id,
                mandate_id=p.mandate_id,
                attendance=p.attendance,
                minutes=p.minutes,
                missed_reason=p.missed_reason or "",
                makeup_owed=p.makeup_owed,
                makeup_for_id=p.makes_up_entry_id,
                note=p.note,
                codes=None if p.codes is None else [(c.code, c.minutes) for c in p.codes],
                measures=[
                    delivery.GoalMeasure(
                        goal_id=m.goal_id, value=m.value, correct=m.correct, incorrect=m.incorrect
                    )
                    for m in p.measures
                ],
            )
            for p in payload.students
        ],
    )
    used_by = (
        Session.objects.filter(submission_key=payload.submission_key)
        .values_list("therapist__user_id", flat=True)
        .first()
    )
    if used_by is not None and used_by != request.user.pk:
        return Status(
            422,
            {
                "detail": [
                    {"loc": ["body", "submission_key"], "msg": "This key names another session."}
                ]
            },
        )
    before = used_by is not None
    try:
        session = delivery.session_log(user=request.user, data=data)
    except PermissionDenied as e:
        return Status(403, {"detail": str(e) or "Only therapists log sessions."})
    except ValidationError as e:
        return Status(422, {"detail": _problems(e, ids)})
    entries = list(
        session.students.select_related("student").prefetch_related("codes").order_by("pk")
    )
    if not before:
        for entry in entries:
            audit_event_record(
                request=request,
                student=entry.student,
                action=AuditAction.CREATE,
                what=f"session {session.pk} {_via(request)}",
            )
    return Status(
        200 if before else 201,
        {
            "id": session.pk,
            "date": session.date,
            "start_time": session.start_time,
            "end_time": session.end_time,
            "kind": session.kind,
            "signed": session.is_signed,
            "students": [
                {
                    "entry_id": e.pk,
                    "student_id": e.student_id,
                    "mandate_id": e.mandate_id,
                    "attendance": e.attendance,
                    "minutes": e.minutes,
                    "codes": [{"code": c.code, "minutes": c.minutes} for c in e.codes.all()],
                }
                for e in entries
            ],
        },
    )


def _problems(error: ValidationError, student_ids: list[int]) -> list[dict]:
    """The service's refusals as the API says them: `loc` is ["body", field] for a field of
    the session, ["body", "students", i] for the i-th student's part, ["body"] otherwise."""
    by_key = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    problems = []
    for key, messages in by_key.items():
        if key and key.startswith("student-") and key[8:].isdigit():
            sid = int(key[8:])
            loc = ["body", "students", student_ids.index(sid)] if sid in student_ids else ["body"]
        elif key and key != "__all__":
            loc = ["body", key]
        else:
            loc = ["body"]
        problems.extend({"loc": loc, "msg": m} for m in messages)
    return problems


def api_urls():
    """The API's URL patterns. The API answers for itself (401 without a token or login),
    so the site's login redirect (LoginRequiredMiddleware) stays out of its way."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback.login_required = False
    return patterns, app_name, namespace
