"""Writes from concern to plan. Each step checks who may take it and refuses bad input with
messages keyed by field (ValidationError), all or nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from schoolot.accounts.models import Role, User
from schoolot.core.access import students_visible_to
from schoolot.directory.models import CaseloadAssignment, District, Staff, Student
from schoolot.plans.models import GoalDomain, Plan, TeamMember
from schoolot.referrals import timeline
from schoolot.referrals.access import ReferralScope, may_refer, referral_scope_for
from schoolot.referrals.models import (
    CONCERN_SETTINGS,
    Attachment,
    Concern,
    Consent,
    EligibilityMeeting,
    Evaluation,
    Notification,
    Observation,
    Referral,
    StandardizedScore,
    StrategyTried,
    TeamMessage,
)

MAX_UPLOAD_BYTES = int(getattr(settings, "SCHOOLOT_MAX_UPLOAD_MB", 10)) * 1024 * 1024

#: What a file's first bytes must be for each accepted extension.
FILE_SIGNATURES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
}


class Errors:
    """Collects messages by field and raises them together."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, key: str, message: str) -> None:
        self.by_field.setdefault(key, []).append(message)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def _team_staff(*, user: User) -> Staff:
    if referral_scope_for(user=user) is not ReferralScope.TEAM:
        raise PermissionDenied("Only the OT team takes this step.")
    staff = Staff.objects.filter(user=user, district_id=user.district_id).first()
    if staff is None:
        raise PermissionDenied("Your login has no staff record.")
    return staff


# -- attachments ------------------------------------------------------------------------------


def attachment_check(upload: UploadedFile) -> str | None:
    """Why `upload` is refused, or None. Checks the size, the extension and that the bytes are
    really what the extension claims (a renamed executable is not a PDF)."""
    name = upload.name or ""
    suffix = Path(name).suffix.lower()
    if suffix not in FILE_SIGNATURES:
        return f"“{name}”: only PDF, PNG and JPEG files are accepted."
    if upload.size > MAX_UPLOAD_BYTES:
        return (
            f"“{name}” is {upload.size / 1048576:.1f} MB; the limit is "
            f"{MAX_UPLOAD_BYTES // 1048576} MB."
        )
    if upload.size == 0:
        return f"“{name}” is empty."
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    _content_type, signatures = FILE_SIGNATURES[suffix]
    if not any(head.startswith(sig) for sig in signatures):
        return f"“{name}” is not really a {suffix[1:].upper()} file; it was refused."
    return None


def _attachment_store(
    *,
    upload: UploadedFile,
    student: Student,
    user: User,
    referral=None,
    evaluation=None,
    classroom_visible: bool = True,
) -> Attachment:
    suffix = Path(upload.name).suffix.lower()
    stored = f"{uuid.uuid4().hex}{suffix}"
    folder = Path(settings.MEDIA_ROOT) / str(student.district_id)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / stored, "wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return Attachment.objects.create(
        district_id=student.district_id,
        referral=referral,
        evaluation=evaluation,
        student=student,
        original_name=Path(upload.name).name[:200],
        stored_name=stored,
        content_type=FILE_SIGNATURES[suffix][0],
        size=upload.size,
        uploaded_by=user,
        classroom_visible=classroom_visible,
    )


def attachment_path(attachment: Attachment) -> Path:
    return Path(settings.MEDIA_ROOT) / str(attachment.district_id) / attachment.stored_name


# -- notifications ----------------------------------------------------------------------------


def notify(*, users, student: Student | None, text: str, link: str = "") -> int:
    """In the app at once, and by email once the transaction commits (Django's email backend;
    the console in the demo)."""
    users = [u for u in users if u is not None and u.is_active]
    Notification.objects.bulk_create(
        Notification(district_id=u.district_id, user=u, student=student, text=text[:300], link=link)
        for u in users
    )
    recipients = [u.email for u in users if u.email]

    def send() -> None:
        for address in recipients:
            send_mail(
                subject=f"SchoolOT: {text[:80]}",
                message=f"{text}\n\n{link}",
                from_email=None,
                recipient_list=[address],
                fail_silently=True,
            )

    transaction.on_commit(send)
    return len(users)


def _triage_people(*, student: Student) -> list[User]:
    staff = (
        Staff.objects.filter(district_id=student.district_id)
        .filter(
            Q(user__role__in=[Role.SUPERVISOR, Role.DISTRICT_ADMIN])
            | Q(user__role=Role.THERAPIST, schools=student.school_id)
        )
        .select_related("user")
        .distinct()
    )
    return [s.user for s in staff]


def _team_users(*, student: Student) -> list[User]:
    """Everyone on the student's team with a login: plan team members, current therapists,
    their supervisors."""
    users = {}
    members = TeamMember.objects.filter(plan__student=student, staff__isnull=False).select_related(
        "staff__user"
    )
    for m in members:
        users[m.staff.user_id] = m.staff.user
    for staff in Staff.objects.filter(
        assignments__student=student, assignments__end_date__isnull=True
    ).select_related("user", "supervisor__user"):
        users[staff.user_id] = staff.user
        if staff.supervisor_id:
            users[staff.supervisor.user_id] = staff.supervisor.user
    return list(users.values())


# -- referral ----------------------------------------------------------------------------------


@dataclass
class ConcernInput:
    domain: str
    example: str
    settings: list[str] = field(default_factory=list)


@dataclass
class StrategyInput:
    strategy: str
    started_on: dt.date
    ended_on: dt.date | None
    result: str


def referral_create(
    *,
    user: User,
    student_id: int,
    reason: str,
    concerns: list[ConcernInput],
    strategies: list[StrategyInput],
    files: list[UploadedFile] = (),
    submission_key: uuid.UUID | None = None,
    kind: str = Referral.Kind.INITIAL,
) -> Referral:
    """A teacher, a parent or a team member refers a student for OT.

    Refuses: a student the user may not refer; no concern; a concern without an example or
    with an unknown domain or setting; a strategy ending before it starts or starting in the
    future; an attachment too large, empty, of another type, or disguised. A repeated
    `submission_key` returns the referral already made.
    """
    if submission_key:
        existing = Referral.objects.filter(submission_key=submission_key, referred_by=user).first()
        if existing:
            return existing
    if user.role not in {
        Role.TEACHER,
        Role.PARENT,
        Role.THERAPIST,
        Role.SUPERVISOR,
        Role.DISTRICT_ADMIN,
    }:
        raise PermissionDenied("Your role cannot make referrals.")
    student = Student.objects.filter(pk=student_id, district_id=user.district_id).first()
    if student is None or not may_refer(user=user, student_id=student_id):
        raise PermissionDenied("You can refer only students you work with.")
    today = timezone.localdate()
    errors = Errors()
    if not (reason or "").strip():
        errors.add("reason", "Say in a sentence or two what worries you.")
    if not concerns:
        errors.add("concerns", "Describe at least one concern with an example.")
    valid_settings = {key for key, _ in CONCERN_SETTINGS}
    for i, c in enumerate(concerns):
        if c.domain not in GoalDomain.values:
            errors.add(f"concern-{i}", "Choose the area of the concern.")
        if not (c.example or "").strip():
            errors.add(f"concern-{i}", "Give a concrete example of what you saw.")
        if set(c.settings) - valid_settings:
            errors.add(f"concern-{i}", "Choose where it shows from the list.")
    for i, s in enumerate(strategies):
        if not (s.strategy or "").strip():
            errors.add(f"strategy-{i}", "Name the strategy tried.")
        if s.started_on and s.started_on > today:
            errors.add(f"strategy-{i}", "A strategy already tried cannot start in the future.")
        if s.ended_on and s.started_on and s.ended_on < s.started_on:
            errors.add(f"strategy-{i}", "The strategy must end after it starts.")
        if not (s.result or "").strip():
            errors.add(f"strategy-{i}", "Say what happened when it was tried.")
    for upload in files:
        problem = attachment_check(upload)
        if problem:
            errors.add("files", problem)
    errors.raise_if_any()
    role = {
        Role.TEACHER: Referral.ReferrerRole.TEACHER,
        Role.PARENT: Referral.ReferrerRole.PARENT,
    }.get(user.role, Referral.ReferrerRole.TEAM_MEMBER)
    with transaction.atomic():
        referral = Referral.objects.create(
            district_id=student.district_id,
            student=student,
            kind=kind,
            referred_by=user,
            referrer_role=role,
            received_on=today,
            reason=reason.strip(),
            submission_key=submission_key or uuid.uuid4(),
        )
        Concern.objects.bulk_create(
            Concern(
                district_id=student.district_id,
                referral=referral,
                domain=c.domain,
                example=c.example.strip(),
                settings=list(c.settings),
            )
            for c in concerns
        )
        StrategyTried.objects.bulk_create(
            StrategyTried(
                district_id=student.district_id,
                referral=referral,
                strategy=s.strategy.strip(),
                started_on=s.started_on,
                ended_on=s.ended_on,
                result=s.result.strip(),
            )
            for s in strategies
        )
        for upload in files:
            _attachment_store(upload=upload, student=student, user=user, referral=referral)
        link = reverse("referral_detail", args=[referral.pk])
        notify(
            users=_triage_people(student=student),
            student=student,
            text=f"New OT referral for {student.full_name} from {user.display_name}.",
            link=link,
        )
    return referral


def referral_triage(
    *,
    user: User,
    referral: Referral,
    decision: str,
    review_on: dt.date | None = None,
    note: str = "",
) -> Referral:
    """Consultation first (strategies to try until `review_on`), evaluation (a consent to
    evaluate is requested today), or close with a reason."""
    staff = _team_staff(user=user)
    today = timezone.localdate()
    errors = Errors()
    if referral.status not in {Referral.Status.OPEN, Referral.Status.CONSULTATION}:
        errors.add("decision", "This referral has already been triaged.")
    if decision == "consultation":
        if review_on is None or review_on <= today:
            errors.add("review_on", "Set a review date after today for the strategies.")
    elif decision == "close":
        if not note.strip():
            errors.add("note", "Say why the referral is closed.")
    elif decision != "evaluation":
        errors.add("decision", "Choose consultation first, evaluation, or close.")
    errors.raise_if_any()
    with transaction.atomic():
        referral.triaged_by = staff
        referral.triaged_on = today
        referral.triage_note = note.strip()
        if decision == "consultation":
            referral.status = Referral.Status.CONSULTATION
            referral.consultation_review_on = review_on
        elif decision == "close":
            referral.status = Referral.Status.CLOSED
            referral.closed_reason = note.strip()
        else:
            referral.status = Referral.Status.EVALUATION
            kind = (
                Consent.Kind.REEVALUATION
                if referral.kind == Referral.Kind.REEVALUATION
                else Consent.Kind.INITIAL_EVALUATION
            )
            Consent.objects.create(
                district_id=referral.district_id,
                student=referral.student,
                referral=referral,
                kind=kind,
                requested_on=today,
                recorded_by=staff,
            )
        referral.save()
        referral_user = referral.referred_by
        notify(
            users=[referral_user],
            student=referral.student,
            text=f"Your referral for {referral.student.full_name}: "
            f"{referral.get_status_display().lower()}.",
            link=reverse("referral_detail", args=[referral.pk]),
        )
    return referral


def consent_record(
    *, user: User, consent: Consent, response: str, responded_on: dt.date
) -> Consent:
    """The parent's answer. Refuses a date before the request or the referral, or after
    today. A received consent to evaluate starts the evaluation timeline."""
    _team_staff(user=user)
    today = timezone.localdate()
    errors = Errors()
    if response not in {Consent.Response.RECEIVED, Consent.Response.REFUSED}:
        errors.add("response", "Choose received or refused.")
    if consent.response != Consent.Response.PENDING:
        errors.add("response", "This consent has already been answered.")
    if responded_on > today:
        errors.add("responded_on", "The answer cannot be dated in the future.")
    if responded_on < consent.requested_on:
        errors.add(
            "responded_on",
            f"The answer cannot come before the request ({consent.requested_on:%b %-d}).",
        )
    if consent.referral and responded_on < consent.referral.received_on:
        errors.add("responded_on", "Consent cannot be dated before the referral.")
    errors.raise_if_any()
    consent.response = response
    consent.responded_on = responded_on
    consent.save()
    if consent.kind == Consent.Kind.MEDICAID_BILLING and response == Consent.Response.RECEIVED:
        # The billing export reads it from the student (34 CFR 300.154(d)(2)(iv)).
        Student.objects.filter(pk=consent.student_id).update(medicaid_billing_consent=responded_on)
    if (
        response == Consent.Response.REFUSED
        and consent.referral
        and consent.kind in {Consent.Kind.INITIAL_EVALUATION, Consent.Kind.REEVALUATION}
    ):
        consent.referral.status = Referral.Status.CLOSED
        consent.referral.closed_reason = "The parent did not consent to the evaluation."
        consent.referral.save(update_fields=["status", "closed_reason"])
    return consent


def consent_request(
    *,
    user: User,
    student: Student,
    kind: str,
    requested_on: dt.date,
    referral: Referral | None = None,
) -> Consent:
    """Ask the parent for a consent. Refuses a request dated in the future or before the
    referral, and a second open request of the same kind."""
    staff = _team_staff(user=user)
    errors = Errors()
    if kind not in Consent.Kind.values:
        errors.add("kind", "Choose which consent.")
    if requested_on > timezone.localdate():
        errors.add("requested_on", "A request cannot be dated in the future.")
    if referral and requested_on < referral.received_on:
        errors.add("requested_on", "A consent cannot be requested before the referral.")
    if Consent.objects.filter(
        student=student, kind=kind, response=Consent.Response.PENDING
    ).exists():
        errors.add("kind", "That consent has already been requested and is pending.")
    errors.raise_if_any()
    return Consent.objects.create(
        district_id=student.district_id,
        student=student,
        referral=referral,
        kind=kind,
        requested_on=requested_on,
        recorded_by=staff,
    )


def evaluation_plan(
    *,
    user: User,
    referral: Referral,
    areas: list[str],
    tools: str,
    settings_to_observe: list[str],
) -> Evaluation:
    """Plan the evaluation: due date from the consent under the district's timeline profile,
    counted on the calendar of the student's school.
    Refuses without a received consent to evaluate."""
    staff = _team_staff(user=user)
    errors = Errors()
    consent = (
        referral.consents.filter(
            kind__in=[Consent.Kind.INITIAL_EVALUATION, Consent.Kind.REEVALUATION],
            response=Consent.Response.RECEIVED,
        )
        .order_by("-responded_on")
        .first()
    )
    if consent is None:
        errors.add("consent", "An evaluation needs the parent's consent first.")
    if hasattr(referral, "evaluation"):
        errors.add("consent", "This referral already has an evaluation.")
    if not areas or set(areas) - set(GoalDomain.values):
        errors.add("areas", "Choose the areas to assess.")
    if not tools.strip():
        errors.add("tools", "Name the tools you plan to use.")
    if set(settings_to_observe) - {key for key, _ in CONCERN_SETTINGS}:
        errors.add("settings_to_observe", "Choose settings from the list.")
    errors.raise_if_any()
    district = District.objects.get(pk=referral.district_id)
    try:
        due = timeline.evaluation_due(
            district=district,
            consent_on=consent.responded_on,
            school_id=referral.student.school_id,
        )
    except timeline.TimelineUnavailable as exc:
        raise ValidationError({"consent": str(exc)}) from exc
    return Evaluation.objects.create(
        district_id=referral.district_id,
        referral=referral,
        student=referral.student,
        consent=consent,
        evaluator=staff,
        areas=areas,
        tools=tools.strip(),
        settings_to_observe=settings_to_observe,
        due_on=due.date,
        due_rule=due.explanation,
    )


def score_add(
    *,
    user: User,
    evaluation: Evaluation,
    tool: str,
    subtest: str = "",
    standard_score: int | None = None,
    scaled_score: int | None = None,
    percentile=None,
) -> StandardizedScore:
    _team_staff(user=user)
    errors = Errors()
    if not tool.strip():
        errors.add("tool", "Name the tool.")
    if standard_score is None and scaled_score is None and percentile is None:
        errors.add("tool", "Enter a standard score, a scaled score or a percentile.")
    if standard_score is not None and not 20 <= standard_score <= 180:
        errors.add("standard_score", "Standard scores run from 20 to 180 (mean 100).")
    if scaled_score is not None and not 1 <= scaled_score <= 20:
        errors.add("scaled_score", "Scaled scores run from 1 to 20 (mean 10).")
    if percentile is not None and not 0 <= percentile <= 100:
        errors.add("percentile", "A percentile is between 0 and 100.")
    errors.raise_if_any()
    return StandardizedScore.objects.create(
        district_id=evaluation.district_id,
        evaluation=evaluation,
        tool=tool.strip(),
        subtest=subtest.strip(),
        standard_score=standard_score,
        scaled_score=scaled_score,
        percentile=percentile,
    )


def observation_add(
    *, user: User, evaluation: Evaluation, setting: str, observed_on: dt.date, text: str
) -> Observation:
    _team_staff(user=user)
    errors = Errors()
    if setting not in {key for key, _ in CONCERN_SETTINGS}:
        errors.add("setting", "Choose the setting.")
    if observed_on > timezone.localdate():
        errors.add("observed_on", "An observation cannot be dated in the future.")
    if observed_on < evaluation.consent.responded_on:
        errors.add("observed_on", "Observations for the evaluation follow the consent.")
    if not text.strip():
        errors.add("text", "Write what you observed.")
    errors.raise_if_any()
    return Observation.objects.create(
        district_id=evaluation.district_id,
        evaluation=evaluation,
        setting=setting,
        observed_on=observed_on,
        text=text.strip(),
    )


def evaluation_complete(
    *, user: User, evaluation: Evaluation, summary: str, completed_on: dt.date
) -> Evaluation:
    _team_staff(user=user)
    errors = Errors()
    if not summary.strip():
        errors.add("summary", "Summarise the findings and recommendations.")
    if completed_on > timezone.localdate():
        errors.add("completed_on", "The evaluation cannot be completed in the future.")
    if completed_on < evaluation.consent.responded_on:
        errors.add("completed_on", "The evaluation is completed after the consent.")
    if not evaluation.scores.exists() and not evaluation.observations.exists():
        errors.add("summary", "Record at least one score or observation first.")
    errors.raise_if_any()
    evaluation.summary = summary.strip()
    evaluation.completed_on = completed_on
    evaluation.status = Evaluation.Status.COMPLETED
    evaluation.save()
    return evaluation


def eligibility_record(
    *,
    user: User,
    evaluation: Evaluation,
    held_on: dt.date,
    outcome: str,
    team_present: str,
    recommendations: str = "",
) -> EligibilityMeeting:
    """The team's decision. IEP or 504: a draft plan for the student, the IEP meeting due
    within 30 days (34 CFR 300.323(c)). Not eligible: the referral closes with the classroom
    recommendations."""
    _team_staff(user=user)
    errors = Errors()
    if evaluation.status != Evaluation.Status.COMPLETED:
        errors.add("outcome", "Complete the evaluation before the eligibility meeting.")
    if hasattr(evaluation, "eligibility"):
        errors.add("outcome", "Eligibility has already been decided.")
    if outcome not in EligibilityMeeting.Outcome.values:
        errors.add("outcome", "Choose the outcome.")
    if held_on > timezone.localdate():
        errors.add("held_on", "Record the meeting once it has been held.")
    if evaluation.completed_on and held_on < evaluation.completed_on:
        errors.add("held_on", "The meeting follows the evaluation.")
    if not team_present.strip():
        errors.add("team_present", "List who attended.")
    if outcome == EligibilityMeeting.Outcome.NOT_ELIGIBLE and not recommendations.strip():
        errors.add("recommendations", "Give the classroom recommendations.")
    errors.raise_if_any()
    referral = evaluation.referral
    with transaction.atomic():
        meeting = EligibilityMeeting.objects.create(
            district_id=evaluation.district_id,
            evaluation=evaluation,
            held_on=held_on,
            outcome=outcome,
            team_present=team_present.strip(),
            recommendations=recommendations.strip(),
            iep_meeting_due=timeline.iep_meeting_due(eligibility_on=held_on)
            if outcome == EligibilityMeeting.Outcome.IEP
            else None,
        )
        if outcome == EligibilityMeeting.Outcome.NOT_ELIGIBLE:
            referral.status = Referral.Status.CLOSED
            referral.closed_reason = "Not eligible; classroom recommendations given."
            referral.save(update_fields=["status", "closed_reason"])
        elif referral.kind == Referral.Kind.REEVALUATION and (
            current := Plan.objects.filter(
                student=evaluation.student,
                status=Plan.Status.ACTIVE,
                kind=Plan.Kind.IEP
                if outcome == EligibilityMeeting.Outcome.IEP
                else Plan.Kind.SECTION_504,
            ).first()
        ):
            plan = _plan_draft_from(current=current, start=max(held_on, timezone.localdate()))
            if outcome == EligibilityMeeting.Outcome.IEP:
                plan.reevaluation_due = timeline.reevaluation_due(
                    evaluated_on=evaluation.completed_on
                )
                plan.save(update_fields=["reevaluation_due"])
            referral.plan = plan
            referral.save(update_fields=["plan"])
        else:
            start = max(held_on, timezone.localdate())
            end = timeline.annual_review_due(meeting_on=start)
            plan = Plan.objects.create(
                district_id=evaluation.district_id,
                student=evaluation.student,
                kind=Plan.Kind.IEP
                if outcome == EligibilityMeeting.Outcome.IEP
                else Plan.Kind.SECTION_504,
                status=Plan.Status.DRAFT,
                start_date=start,
                end_date=end,
                annual_review_due=end,
                reevaluation_due=timeline.reevaluation_due(evaluated_on=evaluation.completed_on)
                if outcome == EligibilityMeeting.Outcome.IEP
                else None,
            )
            TeamMember.objects.create(
                district_id=plan.district_id,
                plan=plan,
                role=TeamMember.Role.OT,
                staff=evaluation.evaluator,
                name=evaluation.evaluator.user.display_name,
                email=evaluation.evaluator.user.email,
            )
            referral.plan = plan
            referral.save(update_fields=["plan"])
    return meeting


def therapists_for(*, student: Student) -> list[Staff]:
    """The OTs and COTAs who serve the student's school: who may take her on."""
    return list(
        Staff.objects.filter(
            district_id=student.district_id,
            user__role=Role.THERAPIST,
            schools=student.school_id,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__last_name")
    )


def plan_activate(*, user: User, plan: Plan, therapist_id: int | None = None) -> Plan:
    """Make a draft plan the student's plan in force.

    Refuses: an IEP without the parent's consent to initial services (34 CFR 300.300(b)) when
    it is the student's first; a plan without goals (IEP) or without services or
    accommodations; dates overlapping another active plan of the same kind; a student with
    OT services and nobody to serve her: with no current caseload assignment, `therapist_id`
    must name a therapist serving her school, who takes her on.
    """
    _team_staff(user=user)
    errors = Errors()
    assigned = (
        CaseloadAssignment.objects.filter(
            student_id=plan.student_id, start_date__lte=timezone.localdate()
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=timezone.localdate()))
        .exists()
    )
    therapist = None
    if not assigned and plan.mandates.exists():
        therapist = next(
            (t for t in therapists_for(student=plan.student) if t.pk == therapist_id), None
        )
        if therapist is None:
            errors.add("therapist", "Choose the therapist who will serve the student.")
    if plan.status != Plan.Status.DRAFT:
        errors.add("plan", "Only a draft plan can be activated.")
    if plan.kind == Plan.Kind.IEP and not plan.goals.exists():
        errors.add("plan", "An IEP needs at least one measurable goal.")
    if not plan.mandates.exists() and not plan.accommodations.exists():
        errors.add("plan", "Add the services or accommodations the plan provides.")
    overlapping = Plan.objects.filter(
        student_id=plan.student_id,
        kind=plan.kind,
        status=Plan.Status.ACTIVE,
        start_date__lte=plan.end_date,
        end_date__gte=plan.start_date,
    ).exclude(pk=plan.pk)
    first_iep = (
        not Plan.objects.filter(student_id=plan.student_id, kind=Plan.Kind.IEP)
        .exclude(pk=plan.pk)
        .exclude(status=Plan.Status.DRAFT)
        .exists()
    )
    if (
        plan.kind == Plan.Kind.IEP
        and first_iep
        and not Consent.objects.filter(
            student_id=plan.student_id,
            kind=Consent.Kind.INITIAL_SERVICES,
            response=Consent.Response.RECEIVED,
        ).exists()
    ):
        errors.add("plan", "The parent's consent to initial services has not been received.")
    # A plan from an annual review or a reevaluation replaces the one in effect: the old plan
    # ends the day before. Any other overlap with an active plan of the same kind is refused.
    replaces = None
    if (
        plan.referrals.filter(
            kind__in=[Referral.Kind.ANNUAL_REVIEW, Referral.Kind.REEVALUATION]
        ).exists()
        and overlapping.count() == 1
    ):
        replaces = overlapping.first()
        if replaces.start_date >= plan.start_date:
            errors.add(
                "plan",
                f"The new plan must start after the current one began "
                f"({replaces.start_date:%b %-d, %Y}).",
            )
    elif overlapping.exists():
        other = overlapping.first()
        errors.add(
            "plan",
            f"Its dates overlap the active {other} of the same kind; end that "
            "plan first or change the dates.",
        )
    errors.raise_if_any()
    with transaction.atomic():
        if replaces is not None:
            replaces.status = Plan.Status.ENDED
            replaces.end_date = plan.start_date - dt.timedelta(days=1)
            replaces.save(update_fields=["status", "end_date"])
        plan.status = Plan.Status.ACTIVE
        plan.save(update_fields=["status"])
        student = plan.student
        if therapist is not None:
            CaseloadAssignment.objects.create(
                district_id=plan.district_id,
                staff=therapist,
                student=student,
                role=CaseloadAssignment.Role.COTA
                if therapist.credential == Staff.Credential.COTA
                else CaseloadAssignment.Role.PRIMARY_OTR,
                start_date=max(plan.start_date, timezone.localdate()),
            )
            if not plan.team.filter(staff=therapist).exists():
                TeamMember.objects.create(
                    district_id=plan.district_id,
                    plan=plan,
                    role=TeamMember.Role.OT,
                    staff=therapist,
                    name=therapist.user.display_name,
                    email=therapist.user.email,
                )
        notify(
            users=_team_users(student=student),
            student=student,
            text=f"{student.full_name}'s {plan.get_kind_display()} is now in effect.",
            link=reverse("student_detail", args=[student.pk]),
        )
    return plan


def team_message_post(*, user: User, student: Student, body: str, audience: str) -> TeamMessage:
    """A message in the student's coordination thread; teachers and parents post to the
    audience that includes them."""
    if not students_visible_to(user=user).filter(pk=student.pk).exists():
        raise PermissionDenied("You are not on this student's team.")
    errors = Errors()
    if not body.strip():
        errors.add("body", "Write the message.")
    if audience not in TeamMessage.Audience.values:
        errors.add("audience", "Choose who may read it.")
    if user.role == Role.TEACHER and audience == TeamMessage.Audience.TEAM:
        audience = TeamMessage.Audience.TEAM_AND_TEACHERS
    if user.role == Role.PARENT:
        audience = TeamMessage.Audience.EVERYONE
    errors.raise_if_any()
    return TeamMessage.objects.create(
        district_id=student.district_id,
        student=student,
        author=user,
        audience=audience,
        body=body.strip(),
    )


def _plan_draft_from(*, current: Plan, start: dt.date) -> Plan:
    """A draft for the next plan, starting from the current one's goals, services,
    accommodations and team, with this year's dates, for the team to revise."""
    end = timeline.annual_review_due(meeting_on=start)
    draft = Plan.objects.create(
        district_id=current.district_id,
        student_id=current.student_id,
        kind=current.kind,
        status=Plan.Status.DRAFT,
        start_date=start,
        end_date=end,
        annual_review_due=end,
        reevaluation_due=current.reevaluation_due,
    )
    for goal in current.goals.all():
        goal.pk = None
        goal.plan = draft
        goal.end_date = end
        goal.save()
    for mandate in current.mandates.all():
        mandate.pk = None
        mandate.plan = draft
        mandate.start_date, mandate.end_date = start, end
        mandate.save()
    for item in list(current.accommodations.all()) + list(current.team.all()):
        item.pk = None
        item.plan = draft
        item.save()
    return draft


def review_start(*, user: User, student: Student, kind: str) -> Referral:
    """Start a reevaluation (consent to reevaluate requested, then the evaluation steps) or
    an annual review (a draft of the next IEP from the current one), from the due dates."""
    staff = _team_staff(user=user)
    errors = Errors()
    if kind not in {Referral.Kind.REEVALUATION, Referral.Kind.ANNUAL_REVIEW}:
        errors.add("kind", "Choose a reevaluation or an annual review.")
    current = Plan.objects.filter(
        student=student, status=Plan.Status.ACTIVE, kind=Plan.Kind.IEP
    ).first()
    if current is None:
        errors.add("kind", "The student has no IEP in effect to review.")
    if (
        Referral.objects.filter(student=student, kind=kind)
        .exclude(status=Referral.Status.CLOSED)
        .filter(Q(plan__isnull=True) | Q(plan__status=Plan.Status.DRAFT))
        .exists()
    ):
        errors.add("kind", "One is already under way for this student.")
    errors.raise_if_any()
    today = timezone.localdate()
    due = (
        current.reevaluation_due
        if kind == Referral.Kind.REEVALUATION
        else current.annual_review_due
    )
    with transaction.atomic():
        referral = Referral.objects.create(
            district_id=student.district_id,
            student=student,
            kind=kind,
            referred_by=user,
            referrer_role=Referral.ReferrerRole.TEAM_MEMBER,
            received_on=today,
            reason=f"{Referral.Kind(kind).label} due {due:%b %-d, %Y}.",
            triaged_by=staff,
            triaged_on=today,
        )
        if kind == Referral.Kind.REEVALUATION:
            referral.status = Referral.Status.EVALUATION
            Consent.objects.create(
                district_id=student.district_id,
                student=student,
                referral=referral,
                kind=Consent.Kind.REEVALUATION,
                requested_on=today,
                recorded_by=staff,
            )
        else:
            referral.status = Referral.Status.REVIEW
            referral.plan = _plan_draft_from(current=current, start=today)
        referral.save()
    return referral


def medicaid_notice_record(*, user: User, consent: Consent, sent_on: dt.date) -> Consent:
    """The yearly written notice to parents before billing Medicaid again (34 CFR
    300.154(d)(2)(v)); the next one falls due a year later (on the due-dates list)."""
    _team_staff(user=user)
    errors = Errors()
    if (
        consent.kind != Consent.Kind.MEDICAID_BILLING
        or consent.response != Consent.Response.RECEIVED
    ):
        errors.add("sent_on", "A yearly notice follows a received Medicaid billing consent.")
    elif sent_on < consent.responded_on:
        errors.add("sent_on", "The notice cannot come before the consent.")
    if sent_on > timezone.localdate():
        errors.add("sent_on", "Record the notice once it has been sent.")
    errors.raise_if_any()
    consent.notice_sent_on = sent_on
    consent.save(update_fields=["notice_sent_on"])
    return consent
