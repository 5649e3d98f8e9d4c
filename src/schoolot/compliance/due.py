"""Due dates: what is coming and what is overdue, for the people a user sees.

One list from every dated obligation the records hold: annual reviews and reevaluations of
plans in effect, evaluations in progress (due under the state profile when planned), IEP
meetings after eligibility (34 CFR 300.323(c)), consultation reviews of referrals, and
progress reports at the end of each reporting period (34 CFR 300.320(a)(3)(ii)). A constant
number of queries whatever the caseload size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse

from schoolot.accounts.models import Role, User
from schoolot.core.access import current_assignments, students_visible_to
from schoolot.directory.models import ReportingPeriod, Student
from schoolot.plans.models import Plan
from schoolot.referrals.access import referrals_visible_to
from schoolot.referrals.models import Consent, EligibilityMeeting, Evaluation, Referral
from schoolot.rules.timelines import add_years


@dataclass(frozen=True)
class DueItem:
    date: dt.date
    kind: str
    student: Student
    therapist: str
    detail: str
    link: str
    therapist_ids: tuple[int, ...] = ()

    def overdue_on(self, today: dt.date) -> bool:
        return self.date < today


KIND_ORDER = [
    "Initial evaluation",
    "Reevaluation due",
    "IEP meeting",
    "Annual review",
    "504 review",
    "Progress report",
    "Consultation review",
]


def _therapists(students: list[Student]) -> dict[int, tuple[str, tuple[int, ...]]]:
    """Per student: her current therapists' names (one string) and staff ids."""
    found: dict[int, list] = {}
    for a in current_assignments().filter(student__in=students).select_related("staff__user"):
        found.setdefault(a.student_id, []).append((a.staff.user.display_name, a.staff_id))
    return {
        sid: (", ".join(sorted(n for n, _ in pairs)), tuple(i for _, i in pairs))
        for sid, pairs in found.items()
    }


def due_items(
    *, user: User, start: dt.date, end: dt.date, overdue_since: dt.date | None = None
) -> list[DueItem]:
    """Obligations due in [start, end], plus open ones overdue since `overdue_since`.

    Completed things are not due: an evaluation completed, an IEP meeting once the plan is in
    effect, a referral no longer in consultation. Sorted by date, then kind.
    """
    lo = overdue_since or start
    visible = students_visible_to(user=user)
    items: list[DueItem] = []

    plans = list(
        Plan.objects.filter(student__in=visible.values("pk"), status=Plan.Status.ACTIVE)
        .filter(
            Q(annual_review_due__range=(lo, end))
            | Q(reevaluation_due__range=(lo, end))
            | Q(start_date__lte=end, end_date__gte=start)
        )
        .select_related("student__school")
    )
    students = {p.student_id: p.student for p in plans}

    referrals = referrals_visible_to(user=user)
    if user.role == Role.THERAPIST:
        # Her evaluations and the referrals of students she serves, not every school referral.
        referrals = referrals.filter(
            Q(evaluation__evaluator__user=user) | Q(student__in=visible.values("pk"))
        )
    evaluations = list(
        Evaluation.objects.filter(
            referral__in=referrals.values("pk"),
            status=Evaluation.Status.PLANNED,
            due_on__range=(lo, end),
        ).select_related("student__school", "evaluator__user", "referral")
    )
    meetings = list(
        EligibilityMeeting.objects.filter(
            evaluation__referral__in=referrals.values("pk"),
            iep_meeting_due__range=(lo, end),
        )
        .filter(
            Q(evaluation__referral__plan__isnull=True)
            | Q(evaluation__referral__plan__status=Plan.Status.DRAFT)
        )
        .select_related(
            "evaluation__student__school", "evaluation__evaluator__user", "evaluation__referral"
        )
    )
    reviews = list(
        referrals.filter(
            status=Referral.Status.CONSULTATION, consultation_review_on__range=(lo, end)
        ).select_related("student__school")
    )
    medicaid = list(
        Consent.objects.filter(
            student__in=visible.values("pk"),
            kind=Consent.Kind.MEDICAID_BILLING,
            response=Consent.Response.RECEIVED,
        ).select_related("student__school")
    )
    periods = list(
        ReportingPeriod.objects.filter(district_id=user.district_id, end_date__range=(lo, end))
    )
    names = _therapists(list(students.values()))

    for p in plans:
        who, ids = names.get(p.student_id, ("", ()))
        if lo <= p.annual_review_due <= end:
            kind = "Annual review" if p.kind == Plan.Kind.IEP else "504 review"
            items.append(
                DueItem(
                    p.annual_review_due,
                    kind,
                    p.student,
                    who,
                    f"{p.get_kind_display()} from {p.start_date:%b %-d, %Y}",
                    reverse("student_detail", args=[p.student_id]),
                    ids,
                )
            )
        if p.reevaluation_due and lo <= p.reevaluation_due <= end:
            items.append(
                DueItem(
                    p.reevaluation_due,
                    "Reevaluation due",
                    p.student,
                    who,
                    "Three-year reevaluation (34 CFR 300.303)",
                    reverse("student_detail", args=[p.student_id]),
                    ids,
                )
            )
        if p.kind == Plan.Kind.IEP:
            for period in periods:
                if p.start_date <= period.end_date <= p.end_date and start <= period.end_date:
                    items.append(
                        DueItem(
                            period.end_date,
                            "Progress report",
                            p.student,
                            who,
                            f"{period.name} progress report",
                            reverse("student_detail", args=[p.student_id]),
                            ids,
                        )
                    )
    for e in evaluations:
        items.append(
            DueItem(
                e.due_on,
                "Initial evaluation" if e.referral.kind == "initial" else "Reevaluation due",
                e.student,
                e.evaluator.user.display_name,
                e.due_rule,
                reverse("referral_detail", args=[e.referral_id]),
                (e.evaluator_id,),
            )
        )
    for m in meetings:
        ev = m.evaluation
        items.append(
            DueItem(
                m.iep_meeting_due,
                "IEP meeting",
                ev.student,
                ev.evaluator.user.display_name,
                f"Within 30 days of eligibility ({m.held_on:%b %-d})",
                reverse("referral_detail", args=[ev.referral_id]),
                (ev.evaluator_id,),
            )
        )
    for c in medicaid:
        notice_due = add_years(c.notice_sent_on or c.responded_on, 1)
        if lo <= notice_due <= end:
            items.append(
                DueItem(
                    notice_due,
                    "Medicaid yearly notice",
                    c.student,
                    "",
                    "Written notice to parents before billing Medicaid (34 CFR 300.154(d))",
                    reverse("student_detail", args=[c.student_id]),
                )
            )
    for r in reviews:
        items.append(
            DueItem(
                r.consultation_review_on,
                "Consultation review",
                r.student,
                "",
                "Review the classroom strategies tried",
                reverse("referral_detail", args=[r.pk]),
            )
        )
    order = {k: i for i, k in enumerate(KIND_ORDER)}
    items.sort(key=lambda i: (i.date, order.get(i.kind, 99), i.student.last_name))
    return items
