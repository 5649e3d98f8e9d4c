"""Reads for referrals, always through referrals.access."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from schoolot.accounts.models import Role, User
from schoolot.core.access import students_visible_to
from schoolot.directory.models import Staff, Student
from schoolot.referrals.access import (
    ReferralScope,
    referral_scope_for,
    referrals_visible_to,
)
from schoolot.referrals.models import Attachment, Consent, Referral, TeamMessage


def referral_list(*, user: User) -> QuerySet[Referral]:
    return (
        referrals_visible_to(user=user)
        .select_related("student__school", "referred_by", "evaluation", "plan")
        .order_by("-received_on", "-pk")
    )


@dataclass
class ReferralRecord:
    referral: Referral
    scope: ReferralScope
    attachments: list[Attachment]
    consents: list[Consent]

    @property
    def team(self) -> bool:
        return self.scope is ReferralScope.TEAM

    @property
    def sees_evaluation(self) -> bool:
        return self.scope in {ReferralScope.TEAM, ReferralScope.FAMILY}


def referral_get(*, user: User, referral_id: int) -> ReferralRecord:
    """The referral as `user` may see it; Http404 when she may not see it at all."""
    scope = referral_scope_for(user=user)
    referral = (
        referrals_visible_to(user=user)
        .filter(pk=referral_id)
        .select_related("student__school", "referred_by", "triaged_by__user", "plan")
        .prefetch_related("concerns", "strategies")
        .first()
    )
    if referral is None or scope is ReferralScope.NONE:
        raise Http404("No such referral.")
    attachments = list(referral.attachments.all())
    evaluation = getattr(referral, "evaluation", None)
    if evaluation is not None:
        attachments += list(evaluation.attachments.all())
    if scope is ReferralScope.STATUS:
        # A teacher sees her own work samples, not evaluation documents.
        attachments = [a for a in attachments if a.classroom_visible and a.evaluation_id is None]
    return ReferralRecord(
        referral=referral,
        scope=scope,
        attachments=attachments,
        consents=list(referral.consents.order_by("requested_on", "pk")),
    )


def referable_students(*, user: User) -> QuerySet[Student]:
    if user.role == Role.THERAPIST:
        schools = Staff.objects.filter(user=user).values("schools")
        students = Student.objects.filter(district_id=user.district_id, school__in=schools) | (
            students_visible_to(user=user)
        )
    else:
        students = students_visible_to(user=user)
    return students.select_related("school").distinct().order_by("last_name", "first_name")


def attachment_get(*, user: User, attachment_id: int) -> Attachment:
    """An attachment the user may open: through a referral she sees, with the teacher limited
    to classroom-visible work samples."""
    attachment = (
        Attachment.objects.filter(pk=attachment_id, district_id=user.district_id)
        .select_related("referral", "evaluation__referral")
        .first()
    )
    if attachment is None:
        raise Http404("No such file.")
    referral = attachment.referral or (
        attachment.evaluation.referral if attachment.evaluation else None
    )
    if referral is None:
        raise Http404("No such file.")
    record = referral_get(user=user, referral_id=referral.pk)
    if attachment.pk not in {a.pk for a in record.attachments}:
        raise Http404("No such file.")
    return attachment


def team_thread(*, user: User, student_id: int) -> tuple[Student, list[TeamMessage]]:
    student = students_visible_to(user=user).filter(pk=student_id).select_related("school").first()
    if student is None:
        raise Http404("No such student.")
    audiences = {
        Role.TEACHER: [TeamMessage.Audience.TEAM_AND_TEACHERS, TeamMessage.Audience.EVERYONE],
        Role.PARENT: [TeamMessage.Audience.EVERYONE],
    }.get(user.role, list(TeamMessage.Audience.values))
    messages = list(
        TeamMessage.objects.filter(student=student, audience__in=audiences)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    return student, messages
