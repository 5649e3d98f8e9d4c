"""Progress reports: drafted from the data by deterministic templates, edited and signed by
the therapist; a batch for a whole caseload runs as a background task with visible progress."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from schoolot.accounts.models import Role, User
from schoolot.core.access import students_visible_to
from schoolot.delivery.models import GoalDataPoint, SessionStudent
from schoolot.directory.models import ReportingPeriod, Staff
from schoolot.plans.models import Goal, Plan, ServiceMandate
from schoolot.progress.graphs import GoalGraph, goal_graph
from schoolot.progress.models import GasScale, ProgressReport, ProgressReportGoal, ReportBatch
from schoolot.rules import gas
from schoolot.rules import minutes as ledger_rules
from schoolot.rules import progress as rules

UNITS = {
    "percent_trials": "%",
    "legibility": "%",
    "letters_per_minute": " letters a minute",
    "duration": " minutes",
    "frequency": "",
    "prompt_level": "",
    "rubric": "",
}


def _fmt(value: float, kind: str) -> str:
    if kind == "prompt_level":
        from schoolot.delivery.models import PromptLevel

        return str(PromptLevel(int(round(value))).label).lower()
    return f"{value:g}{UNITS.get(kind, '')}"


def _week_rate(graph: GoalGraph) -> float | None:
    return graph.trend.slope_per_day * 7 if graph.trend else None


def narrative_draft(*, graph: GoalGraph, name: str, sessions: tuple[int, int]) -> str:
    """The therapist's narrative for one goal, from the numbers only (she edits it)."""
    goal = graph.goal
    kind = goal.measurement_type
    delivered, mandated = sessions
    parts = [f"{name} attended {delivered} of {mandated} OT sessions this period."]
    if not graph.points:
        parts.append("This goal has not been introduced yet: there is no data for it this period.")
        return " ".join(parts)
    day, value = graph.points[-1]
    parts.append(
        f"The latest measure, on {day:%B %-d}, was {_fmt(value, kind)}"
        + (
            f" (baseline {_fmt(graph.line.baseline, kind)}, target "
            f"{_fmt(graph.line.target, kind)} by {goal.end_date:%B %Y})."
            if graph.line
            else "."
        )
    )
    rate = _week_rate(graph)
    if rate is None:
        parts.append(
            f"With {len(graph.points)} data point"
            f"{'s' if len(graph.points) != 1 else ''}, there is not yet a trend."
        )
    elif abs(rate) < 0.05:
        parts.append(f"Over the last {graph.trend.points} sessions the trend is flat.")
    else:
        direction = "rising" if rate > 0 else "falling"
        parts.append(
            f"Over the last {graph.trend.points} sessions the trend is {direction} by "
            f"about {abs(rate):.1f} a week."
        )
    parts.append(f"Status: {graph.status_label.lower()}.")
    if graph.decision == rules.CHANGE_INTERVENTION:
        parts.append(
            "The last four points fell below the aim line; the intervention will be adjusted."
        )
    elif graph.decision == rules.RAISE_GOAL:
        parts.append("The last four points were above the aim line; the team may raise the goal.")
    return " ".join(parts)


DOMAIN_PLAIN = {
    "fine_motor": gettext_noop("using hands for school work, like handwriting and cutting"),
    "sensory": gettext_noop("staying calm and ready to learn"),
    "self_care": gettext_noop("taking care of things at school, like lunch, clothes and backpack"),
    "social": gettext_noop("playing and working with classmates and moving between places"),
    "assistive_tech": gettext_noop("using tools such as a keyboard or speech-to-text to write"),
}

HOME_ACTIVITIES = {
    "fine_motor": gettext_noop(
        "Play with playdough or clothespins for a few minutes a day, and let your "
        "child help with cooking (stirring, pouring)."
    ),
    "sensory": gettext_noop(
        "Keep a calm spot at home and practice slow breathing together before homework."
    ),
    "self_care": gettext_noop(
        "Practice zippers, buttons and opening lunch containers at home, without rushing."
    ),
    "social": gettext_noop(
        "Play short board games that take turns, and talk about what comes next in the day."
    ),
    "assistive_tech": gettext_noop(
        "Let your child type a short message or dictate a grocery list on a phone or computer."
    ),
}

STATUS_PLAIN = {
    rules.MASTERED: gettext_noop("has met this goal"),
    rules.ON_TRACK: gettext_noop("is making progress and should meet this goal"),
    rules.AT_RISK: gettext_noop("is making progress but may not meet this goal by the end date"),
    rules.NOT_PROGRESSING: gettext_noop(
        "is not making the progress we hoped for yet; we are changing how we work on it"
    ),
    rules.NOT_INTRODUCED: gettext_noop("has not started this goal yet"),
}


def parent_summary(*, goal: Goal, state: str, name: str, language: str) -> str:
    """Plain-language words for a family, in its language (Spanish or English)."""
    with override(language):
        return _("In OT, %(name)s is working on %(what)s. %(name)s %(how)s.") % {
            "name": name,
            "what": _(DOMAIN_PLAIN.get(goal.domain, "school skills")),
            "how": _(STATUS_PLAIN[state]),
        }


def home_activities_text(*, domains: list[str], language: str) -> str:
    with override(language):
        return "\n".join(
            _(HOME_ACTIVITIES[d]) for d in dict.fromkeys(domains) if d in HOME_ACTIVITIES
        )


def family_language(plan: Plan) -> str:
    """Spanish when a guardian with educational rights prefers it, else English."""
    languages = {
        g.preferred_language for g in plan.student.guardians.all() if g.holds_educational_rights
    }
    return "es" if "es" in languages else "en"


def _sessions(plan: Plan, period: ReportingPeriod, on: dt.date) -> tuple[int, int, int, int]:
    """(sessions delivered, sessions mandated, minutes delivered, minutes required) for the
    plan's direct mandates over the period up to `on`."""
    year = period.school_year
    calendar = year.calendar(school_id=plan.student.school_id)
    end = min(period.end_date, on)
    delivered_sessions = delivered_minutes = required_minutes = mandated_sessions = 0
    mandates = [
        m
        for m in plan.mandates.all()
        if m.service == ServiceMandate.Service.OT
        and m.delivery_model != ServiceMandate.DeliveryModel.CONSULTATION
    ]
    quarters = [
        ledger_rules.Period(p.start_date, p.end_date, p.name) for p in year.reporting_periods.all()
    ]
    school_year = ledger_rules.Period(year.first_day, year.last_day, year.name)
    entries = list(
        SessionStudent.objects.filter(
            student_id=plan.student_id, date__range=(period.start_date, end)
        )
    )
    for m in mandates:
        mandate = ledger_rules.Mandate(
            m.minutes_per_session, m.sessions_per_period, m.period, m.start_date, m.end_date
        )
        for p in ledger_rules.periods_between(
            period.start_date, end, m.period, quarters=quarters, year=school_year
        ):
            # The part of each mandate period inside the reporting period counts.
            part = ledger_rules.Period(max(p.start, period.start_date), min(p.end, end))
            full = ledger_rules.required_minutes(mandate, p, calendar)
            share_days = calendar.count_instructional(part.start, part.end)
            all_days = calendar.count_instructional(p.start, p.end) or 1
            required = round(full * share_days / all_days)
            required_minutes += required
            mandated_sessions += round(required / m.minutes_per_session)
        mine = [e for e in entries if e.mandate_id == m.pk]
        delivered_sessions += sum(1 for e in mine if e.attendance == "present")
        delivered_minutes += sum(e.minutes for e in mine if e.attendance == "present")
    return delivered_sessions, mandated_sessions, delivered_minutes, required_minutes


def _author(user: User) -> Staff:
    if user.role != Role.THERAPIST:
        raise PermissionDenied("Progress reports are written by therapists.")
    return Staff.objects.get(user=user, district_id=user.district_id)


def report_draft(
    *, user: User, plan: Plan, period: ReportingPeriod, on: dt.date | None = None
) -> ProgressReport:
    """Draft (or redraft, while unsigned) the report of `plan` for `period` from the data."""
    author = _author(user)
    if not students_visible_to(user=user).filter(pk=plan.student_id).exists():
        raise PermissionDenied("Not a student on your caseload.")
    if plan.district_id != period.district_id:
        raise PermissionDenied("Another district's reporting period.")
    on = on or timezone.localdate()
    existing = ProgressReport.objects.filter(plan=plan, period=period).first()
    if existing and existing.is_signed:
        return existing
    student = plan.student
    name = student.preferred_name or student.first_name
    language = family_language(plan)
    delivered, mandated, minutes, required = _sessions(plan, period, on)
    goals = list(plan.goals.all())
    data = {}
    for point in GoalDataPoint.objects.filter(goal__in=goals).order_by("date", "pk"):
        data.setdefault(point.goal_id, []).append(point)
    as_of = min(on, period.end_date)
    with transaction.atomic():
        report, _created = ProgressReport.objects.update_or_create(
            plan=plan,
            period=period,
            defaults=dict(
                district_id=plan.district_id,
                student=student,
                author=author,
                sessions_delivered=delivered,
                sessions_mandated=mandated,
                minutes_delivered=minutes,
                minutes_required=required,
                home_activities=home_activities_text(
                    domains=[g.domain for g in goals], language=language
                ),
            ),
        )
        kept = {g.goal_id: g for g in report.goals.all()}
        for goal in goals:
            graph = goal_graph(goal=goal, on=as_of, data=data.get(goal.pk, []))
            values = dict(
                district_id=plan.district_id,
                status=graph.status,
                narrative=narrative_draft(graph=graph, name=name, sessions=(delivered, mandated)),
                parent_summary=parent_summary(
                    goal=goal, state=graph.status, name=name, language=language
                ),
                latest_value=Decimal(str(graph.latest[1])) if graph.latest else None,
                data_points=len(graph.points),
            )
            if goal.pk in kept:
                for key, value in values.items():
                    setattr(kept[goal.pk], key, value)
                kept[goal.pk].save()
            else:
                ProgressReportGoal.objects.create(report=report, goal=goal, **values)
    return report


#: A null character (pasted from some programs) cannot be stored: said so, not a 500.
NUL_REFUSED = (
    "The text held a null character (\\x00), which cannot be kept: it is taken out; check "
    "the text and save again."
)


def report_update(
    *, user: User, report: ProgressReport, goals: dict[int, dict], home_activities: str
) -> ProgressReport:
    """The therapist's edits: per goal a status, narrative and GAS level; home activities."""
    author = _author(user)
    if report.author_id != author.pk:
        raise PermissionDenied("Only the report's author edits it.")
    if report.is_signed:
        raise ValidationError("A signed report cannot change.")
    errors: dict[str, list[str]] = {}
    rows = {g.goal_id: g for g in report.goals.all()}
    for goal_id, values in goals.items():
        if goal_id not in rows:
            errors.setdefault("goals", []).append("That goal is not in this report.")
            continue
        if not (values.get("narrative") or "").strip():
            errors.setdefault(f"goal-{goal_id}", []).append("Write the narrative.")
        elif "\x00" in values["narrative"]:
            errors.setdefault(f"goal-{goal_id}", []).append(NUL_REFUSED)
        if values.get("status") not in rules.STATUS_LABELS:
            errors.setdefault(f"goal-{goal_id}", []).append("Choose a status.")
        level = values.get("gas_level")
        if level is not None and level not in (-2, -1, 0, 1, 2):
            errors.setdefault(f"goal-{goal_id}", []).append("GAS levels run from -2 to +2.")
    if "\x00" in home_activities:
        errors.setdefault("home_activities", []).append(NUL_REFUSED)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for goal_id, values in goals.items():
            row = rows[goal_id]
            row.narrative = values["narrative"].strip()
            row.status = values["status"]
            row.gas_level = values.get("gas_level")
            row.save()
        report.home_activities = home_activities.strip()
        report.gas_t_score = _t_score(report)
        report.save(update_fields=["home_activities", "gas_t_score"])
    return report


def _t_score(report: ProgressReport) -> Decimal | None:
    rows = [r for r in report.goals.select_related("goal") if r.gas_level is not None]
    if not rows:
        return None
    scales = {s.goal_id: s for s in GasScale.objects.filter(goal__in=[r.goal for r in rows])}
    weights = [
        gas.weight(importance=scales[r.goal_id].importance, difficulty=scales[r.goal_id].difficulty)
        if r.goal_id in scales
        else 1
        for r in rows
    ]
    if not any(weights):
        weights = [1] * len(rows)
    value = gas.t_score([r.gas_level for r in rows], weights=weights)
    return Decimal(f"{value:.1f}")


def report_sign(*, user: User, report: ProgressReport) -> ProgressReport:
    author = _author(user)
    if report.author_id != author.pk:
        raise PermissionDenied("Only the report's author signs it.")
    if report.is_signed:
        raise ValidationError("This report is already signed.")
    report.status = ProgressReport.Status.SIGNED
    report.signed_at = timezone.now()
    report.save(update_fields=["status", "signed_at"])
    return report


def reports_due(*, user: User, period: ReportingPeriod):
    """The active IEPs of her caseload that overlap the period."""
    return (
        Plan.objects.filter(
            student__in=students_visible_to(user=user).values("pk"),
            status=Plan.Status.ACTIVE,
            kind=Plan.Kind.IEP,
            start_date__lte=period.end_date,
            end_date__gte=period.start_date,
        )
        .select_related("student")
        .order_by("student__last_name", "student__first_name")
    )


def batch_start(*, user: User, period: ReportingPeriod) -> tuple[ReportBatch, bool]:
    """Queue the drafting of every report due for the user's caseload in `period`, unless
    her batch for that period is in progress already (ProgressRun.in_progress; a stalled one
    no longer counts): that batch is returned and nothing new is queued. Returns the batch
    and whether it is new."""
    from schoolot.progress.tasks import reports_generate

    author = _author(user)
    latest = ReportBatch.in_progress_get(author=author, period=period)
    if latest is not None:
        return latest, False
    total = reports_due(user=user, period=period).count()
    batch = ReportBatch.objects.create(
        district_id=author.district_id, author=author, period=period, total=total
    )
    reports_generate.enqueue(batch_id=batch.pk)
    batch.refresh_from_db()
    return batch, True
