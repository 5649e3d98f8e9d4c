"""The REST API, version 1 (Django Ninja): reads of the caseload, a student's record, her
minutes ledger and her service log, each through the same selectors and access rules as the
pages, and each read of a student's record audited as the page's is. The OpenAPI schema is
at /api/v1/openapi.json, its docs at /api/v1/docs.

A student the caller may not see answers 404, never 403: as on the pages, the API does not
tell that she exists."""

import datetime as dt

from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI, Query, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from schoolot.api.auth import StaffSessionAuth, TokenAuth
from schoolot.audit.models import AuditAction
from schoolot.audit.services import audit_event_record
from schoolot.compliance.ledger import district_calendar, student_ledger
from schoolot.core.access import RecordScope
from schoolot.delivery.outputs import service_log_get
from schoolot.directory.selectors import CaseloadFilters, caseload_list, student_record_get

api = NinjaAPI(
    title="SchoolOT",
    version="1",
    description=(
        "Read a district's occupational therapy program as the user a token belongs to: "
        "the students she may see, their plans, minutes and service logs. Every call goes "
        "through her access by role and caseload; every read of a student's record is "
        "audited. Make a token on the API tokens page (administrators, OT supervisors and "
        "therapists)."
    ),
    auth=[TokenAuth(), StaffSessionAuth()],
    urls_namespace="api-v1",
)


# -- schemas ---------------------------------------------------------------------------------


class SchoolOut(Schema):
    id: int
    name: str


class TherapistOut(Schema):
    staff_id: int
    name: str
    credential: str
    role: str  # primary_otr or cota


class StudentOut(Schema):
    id: int
    local_id: str
    first_name: str
    last_name: str
    preferred_name: str
    grade: str
    school: SchoolOut
    plan_kind: str | None  # iep or 504, of the active plan
    services: list[str]  # the active plan's mandates in words
    therapists: list[TherapistOut]


class MandateOut(Schema):
    id: int
    in_words: str
    service: str
    delivery_model: str
    minutes_per_session: int
    sessions_per_period: int
    period: str
    group_allowed: bool
    max_group_size: int
    setting: str
    start_date: dt.date
    end_date: dt.date


class GoalOut(Schema):
    id: int
    domain: str
    text: str
    baseline: str
    measurement_type: str
    baseline_value: float | None
    target_value: float
    end_date: dt.date


class AccommodationOut(Schema):
    category: str
    text: str


class PlanOut(Schema):
    id: int
    kind: str
    status: str
    start_date: dt.date
    end_date: dt.date
    annual_review_due: dt.date
    reevaluation_due: dt.date | None
    mandates: list[MandateOut]
    goals: list[GoalOut]
    accommodations: list[AccommodationOut]


class StudentRecordOut(Schema):
    student: StudentOut
    plan: PlanOut | None
    date_of_birth: dt.date


class LedgerLineOut(Schema):
    period_start: dt.date
    period_end: dt.date
    period_name: str
    required: int
    delivered: int
    made_up: int
    missed: dict[str, int]
    owed: int
    finished: bool


class LedgerSumOut(Schema):
    required: int
    covered: int
    delivered: int
    made_up: int
    missed: dict[str, int]
    owed: int
    expected_by_now: int
    covered_to_date: int


class MandateMinutesOut(Schema):
    mandate: MandateOut
    periods: list[LedgerLineOut]  # newest first
    year: LedgerSumOut


class MinutesOut(Schema):
    student_id: int
    on: dt.date
    school_year: str | None  # None: the district has no school year around `on`
    mandates: list[MandateMinutesOut]


class CodeOut(Schema):
    code: str  # CPT or HCPCS
    minutes: int


class ServiceLogEntryOut(Schema):
    date: dt.date
    start: str
    end: str
    kind: str
    therapist: str
    credential: str
    delivery_model: str
    setting: str
    attendance: str
    missed_reason: str
    minutes: int
    mandate_id: int
    codes: list[CodeOut]
    signed: bool
    makeup_owed: bool
    makes_up: dt.date | None


class ConsultationOut(Schema):
    date: dt.date
    therapist: str
    minutes: int
    mandate_id: int | None


class ServiceLogOut(Schema):
    student_id: int
    start: dt.date | None
    end: dt.date | None
    sessions: list[ServiceLogEntryOut]  # newest first
    consultations: list[ConsultationOut]


class MeOut(Schema):
    username: str
    name: str
    role: str
    district: str


class StudentFilters(Schema):
    q: str = ""
    school_id: int | None = None
    grade: str = ""
    plan_kind: str = ""
    staff_id: int | None = None


class PeriodQuery(Schema):
    start: dt.date | None = None
    end: dt.date | None = None


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


def _full_record(request, student_id: int):
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
@paginate(LimitOffsetPagination)
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
    return _StudentPage(students)


class _StudentPage:
    """The caseload queryset shaped lazily: the paginator slices it, then each student on
    the page is shaped (its plans and therapists are prefetched for the page only)."""

    def __init__(self, queryset):
        self.queryset = queryset

    def __len__(self):
        return self.queryset.count()

    def count(self):
        return self.queryset.count()

    def __getitem__(self, index):
        return [_student_out(s) for s in self.queryset[index]]


@api.get(
    "/students/{student_id}",
    response=StudentRecordOut,
    summary="A student's record: her active plan's mandates, goals and accommodations",
)
def student_get(request, student_id: int):
    record = _full_record(request, student_id)
    audit_event_record(
        request=request,
        student=record.student,
        action=AuditAction.VIEW,
        what="student record (full) via API",
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
def student_minutes(request, student_id: int):
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
        what="minutes ledger via API",
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
def student_service_log(request, student_id: int, period: Query[PeriodQuery]):
    """Every session entry and consultation about her between `start` and `end`
    (inclusive, either optional), newest first. 400 when `start` comes after `end`."""
    if period.start and period.end and period.start > period.end:
        raise HttpError(400, "start must not come after end.")
    _full_record(request, student_id)
    log = service_log_get(
        user=request.user, student_id=student_id, start=period.start, end=period.end
    )
    audit_event_record(
        request=request,
        student=log.student,
        action=AuditAction.VIEW,
        what=f"service log via API {period.start or ''}..{period.end or ''}",
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


def api_urls():
    """The API's URL patterns. The API answers for itself (401 without a token or login),
    so the site's login redirect (LoginRequiredMiddleware) stays out of its way."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback.login_required = False
    return patterns, app_name, namespace
