"""What the REST API takes and answers: its request and response schemas (Django Ninja,
pydantic), from which the OpenAPI schema is made."""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated

from ninja import Schema
from pydantic import Field

from schoolot.core.params import MAX_ID
from schoolot.delivery.models import MissedReason, Session, SessionStudent, Setting

# A record's id as the API takes it: a number the database's 64-bit keys can hold.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# Words as the API takes them: no NUL character (PostgreSQL's text cannot hold one).
NoNul = Field(pattern=r"^[^\x00]*$")
Words = Annotated[str, NoNul, Field(max_length=4000)]
Search = Annotated[str, NoNul, Field(max_length=100)]
# Minutes of one session or code: a school day holds fewer.
Minutes = Annotated[int, Field(ge=0, le=24 * 60)]


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


class CodeIn(Schema):
    code: Annotated[str, NoNul, Field(max_length=5)]  # CPT or HCPCS
    minutes: Minutes


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
    q: Search = ""
    school_id: Id | None = None
    grade: Search = ""
    plan_kind: Search = ""
    staff_id: Id | None = None


class PeriodQuery(Schema):
    start: dt.date | None = None
    end: dt.date | None = None


class GoalMeasureIn(Schema):
    goal_id: Id
    value: Annotated[Decimal, Field(ge=-99999, le=99999)] | None = None  # in its measure
    correct: Minutes | None = None  # or, for a percent of trials, the trials
    incorrect: Minutes | None = None


class StudentPartIn(Schema):
    student_id: Id
    mandate_id: Id
    attendance: SessionStudent.Attendance = SessionStudent.Attendance.PRESENT
    minutes: Minutes | None = None  # default: the session's
    missed_reason: MissedReason | None = None
    makeup_owed: bool = False
    makes_up_entry_id: Id | None = None  # the missed entry this session makes up
    note: Words = ""
    codes: list[CodeIn] | None = None  # default: 97530, or 97150 for a group
    measures: list[GoalMeasureIn] = []


class SessionIn(Schema):
    submission_key: uuid.UUID  # the client's own id for this session: a retry makes no twin
    slot_id: Id | None = None  # the session of her week it was (GET /today)
    date: dt.date
    start_time: dt.time
    end_time: dt.time
    setting: Setting
    delivery_model: Session.DeliveryModel = Session.DeliveryModel.PULL_OUT
    activities: Words = ""
    subjective: Words = ""
    objective: Words = ""
    assessment: Words = ""
    plan_next: Words = ""
    students: list[StudentPartIn] = Field(..., min_length=1, max_length=12)


class SessionEntryOut(Schema):
    entry_id: int
    student_id: int
    mandate_id: int
    attendance: str
    minutes: int
    codes: list[CodeOut]


class SessionOut(Schema):
    id: int
    date: dt.date
    start_time: dt.time
    end_time: dt.time
    kind: str
    signed: bool
    students: list[SessionEntryOut]


class ProblemOut(Schema):
    loc: list[str | int]
    msg: str


class ProblemsOut(Schema):
    detail: list[ProblemOut]


class DetailOut(Schema):
    detail: str


class MinutesLineOut(Schema):
    student_id: int
    student: str
    school_id: int
    mandate_id: int
    mandate: str
    period_start: dt.date
    period_end: dt.date
    required: int
    delivered: int
    made_up: int
    missed: dict[str, int]
    owed: int
    expected_by_now: int
    behind_pace: bool
    therapist_ids: list[int]


class MinutesQuery(Schema):
    on: dt.date | None = None  # default today


class DueOut(Schema):
    date: dt.date
    overdue: bool
    kind: str
    student_id: int
    student: str
    school: str
    therapist: str
    detail: str


class DueQuery(Schema):
    days: int = Field(30, ge=1, le=365)  # how far ahead; what is overdue comes too


class BillingRowOut(Schema):
    date: dt.date
    student_id: int
    local_id: str
    medicaid_id: str
    date_of_birth: dt.date
    diagnosis_codes: str
    provider: str
    credential: str
    npi: str
    signed_at: dt.datetime | None
    cosigned_at: dt.datetime | None
    place_of_service: str
    school: str
    begin_time: str
    end_time: str
    group_or_individual: str
    group_size: int
    service_code: str
    minutes: int
    units: int


class BillingExceptionOut(Schema):
    date: dt.date
    student_id: int
    local_id: str
    provider: str
    what: str
    minutes: int
    reasons: list[str]


class BillingOut(Schema):
    start: dt.date
    end: dt.date
    units: int
    rows: list[BillingRowOut]
    exceptions: list[BillingExceptionOut]


class BillingQuery(Schema):
    start: dt.date
    end: dt.date


class MandateChoiceOut(Schema):
    id: int
    in_words: str


class TodayStudentOut(Schema):
    id: int
    name: str
    mandates: list[MandateChoiceOut]  # what a session's minutes may count against that day


class TodaySlotOut(Schema):
    slot_id: int
    start_time: dt.time
    end_time: dt.time
    school: str
    setting: str
    students: list[TodayStudentOut]
    session_id: int | None  # logged from this slot that day
    signed: bool | None
    closed: str | None  # why her school alone has no instruction that day
    clash: str | None  # her fixed time that day over it (a meeting)


class LoggedOut(Schema):
    id: int
    start_time: dt.time
    end_time: dt.time
    signed: bool


class TodayOut(Schema):
    date: dt.date
    closed: str | None  # why the district has no instruction that day
    next_school_day: dt.date | None
    away: str | None  # her time away holding the day, its reason
    slots: list[TodaySlotOut]
    other_sessions: list[LoggedOut]  # logged that day, not from a slot
    unsigned: int  # her notes waiting for her signature


class DayQuery(Schema):
    date: dt.date | None = None  # default today
