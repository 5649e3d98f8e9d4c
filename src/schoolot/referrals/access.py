"""Who sees which referral, and how much of it.

Built on `core.access` (students a user may see) with two additions a referral needs:
- a referral's triage is done by the district's OT leadership and by the therapists who serve
  the student's school, who may not have the student on a caseload yet;
- the person who referred sees her referral's status (and what she wrote), never the
  evaluation's scores; parents see their own children's documents.
"""

from __future__ import annotations

import enum

from django.db.models import Q, QuerySet

from schoolot.accounts.models import Role, User
from schoolot.core.access import students_visible_to
from schoolot.directory.models import Staff
from schoolot.referrals.models import Referral


class ReferralScope(enum.Enum):
    NONE = "none"
    STATUS = "status"  # what was referred, its status and due dates; no scores, no reports
    FAMILY = "family"  # the parent: everything about her child, read-only
    TEAM = "team"  # acts on it: triage, consent, evaluation, eligibility, plan


def referrals_visible_to(*, user: User) -> QuerySet[Referral]:
    if not user.is_authenticated or not user.is_active or user.district_id is None:
        return Referral.objects.none()
    referrals = Referral.objects.filter(district_id=user.district_id)
    if user.role in {Role.DISTRICT_ADMIN, Role.SUPERVISOR}:
        return referrals
    if user.role == Role.THERAPIST:
        schools = Staff.objects.filter(user=user).values("schools")
        return referrals.filter(
            Q(student__school__in=schools)
            | Q(student__in=students_visible_to(user=user).values("pk"))
        )
    if user.role == Role.TEACHER:
        return referrals.filter(
            Q(referred_by=user) | Q(student__in=students_visible_to(user=user).values("pk"))
        )
    if user.role == Role.PARENT:
        return referrals.filter(student__in=students_visible_to(user=user).values("pk"))
    return Referral.objects.none()


def referral_scope_for(*, user: User) -> ReferralScope:
    if not user.is_authenticated or user.district_id is None:
        return ReferralScope.NONE
    if user.role in {Role.DISTRICT_ADMIN, Role.SUPERVISOR, Role.THERAPIST}:
        return ReferralScope.TEAM
    if user.role == Role.PARENT:
        return ReferralScope.FAMILY
    if user.role == Role.TEACHER:
        return ReferralScope.STATUS
    return ReferralScope.NONE


def may_refer(*, user: User, student_id: int) -> bool:
    """Teachers for students in their classes, parents for their children, the team for the
    students it sees (and therapists for students at their schools)."""
    if user.role == Role.THERAPIST:
        return (
            students_visible_to(user=user).filter(pk=student_id).exists()
            or Staff.objects.filter(user=user, schools__students__pk=student_id).exists()
        )
    return students_visible_to(user=user).filter(pk=student_id).exists()
