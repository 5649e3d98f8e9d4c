"""Progress pages: goal graphs, GAS scales, progress reports and their PDFs. Thin views."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from schoolot.audit.models import AuditAction
from schoolot.audit.services import audit_event_record
from schoolot.core.access import RecordScope, record_scope_for, students_visible_to
from schoolot.core.params import id_parse
from schoolot.delivery.models import GoalDataPoint
from schoolot.directory.models import ReportingPeriod
from schoolot.plans.models import Goal, Plan
from schoolot.progress import services
from schoolot.progress.graphs import goal_graph
from schoolot.progress.models import GAS_LEVELS, GasScale, ProgressReport, ReportBatch
from schoolot.rules import progress as rules


def _team_student(user, student_id):
    """A student whose full record the user sees, for the OT team (not parents)."""
    student = students_visible_to(user=user).filter(pk=student_id).select_related("school").first()
    if (
        student is None
        or record_scope_for(user=user) is not RecordScope.FULL
        or user.role == "parent"
    ):
        raise Http404("No such student.")
    return student


def student_progress(request, student_id: int):
    """Every goal of the plan in effect with its graph, and the progress reports."""
    student = (
        students_visible_to(user=request.user)
        .filter(pk=student_id)
        .select_related("school")
        .first()
    )
    if student is None or record_scope_for(user=request.user) is not RecordScope.FULL:
        raise Http404("No such student.")
    parent = request.user.role == "parent"
    reports = ProgressReport.objects.filter(student=student).select_related("period")
    if parent:
        reports = reports.filter(status=ProgressReport.Status.SIGNED)
    graphs = []
    if not parent:
        plan = (
            Plan.objects.filter(student=student, status=Plan.Status.ACTIVE).order_by("kind").first()
        )
        if plan:
            goals = list(plan.goals.select_related("plan", "gas_scale"))
            data = {}
            for point in GoalDataPoint.objects.filter(goal__in=goals).order_by("date", "pk"):
                data.setdefault(point.goal_id, []).append(point)
            graphs = [
                goal_graph(goal=g, on=timezone.localdate(), data=data.get(g.pk, [])) for g in goals
            ]
    audit_event_record(request=request, student=student, action=AuditAction.VIEW, what="progress")
    return render(
        request,
        "progress/student_progress.html",
        {
            "student": student,
            "graphs": graphs,
            "reports": reports,
            "parent": parent,
            "decisions": {
                rules.CHANGE_INTERVENTION: "Consider changing the intervention: 4 points "
                "in a row below the aim line.",
                rules.RAISE_GOAL: "Consider raising the goal: 4 points in a row above "
                "the aim line.",
            },
        },
    )


class GasScaleForm(forms.ModelForm):
    class Meta:
        model = GasScale
        fields = ["minus_2", "minus_1", "zero", "plus_1", "plus_2", "importance", "difficulty"]

    def clean(self):
        data = super().clean()
        for name in ("importance", "difficulty"):
            if data.get(name) is not None and data[name] > 3:
                self.add_error(name, "Rate it from 0 to 3.")
        return data


def gas_scale(request, goal_id: int):
    goal = (
        Goal.objects.filter(pk=goal_id, district_id=request.user.district_id)
        .select_related("plan")
        .first()
    )
    if goal is None:
        raise Http404("No such goal.")
    _team_student(request.user, goal.plan.student_id)
    instance = GasScale.objects.filter(goal=goal).first() or GasScale(
        goal=goal, district_id=goal.district_id
    )
    form = GasScaleForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Goal attainment scale saved.")
        return redirect("student_progress", goal.plan.student_id)
    return render(
        request,
        "progress/gas_scale.html",
        {"goal": goal, "form": form},
        status=400 if form.errors else 200,
    )


def _current_period(user, period_id=None):
    periods = ReportingPeriod.objects.filter(district_id=user.district_id)
    if period_id:
        period_pk = id_parse(period_id)
        period = periods.filter(pk=period_pk).first() if period_pk else None
        if period is None:
            raise Http404("No such reporting period.")
        return period
    today = timezone.localdate()
    return (
        periods.filter(start_date__lte=today, end_date__gte=today).first()
        or periods.filter(end_date__lt=today).order_by("-end_date").first()
        or periods.order_by("start_date").first()
    )


def report_list(request):
    """The reports due for the therapist's caseload in a period, and the batch's progress."""
    services._author(request.user)
    period = _current_period(request.user, request.GET.get("period"))
    if period is None:
        return render(request, "progress/reports.html", {"period": None})
    plans = list(services.reports_due(user=request.user, period=period))
    reports = {r.plan_id: r for r in ProgressReport.objects.filter(plan__in=plans, period=period)}
    batch = ReportBatch.objects.filter(author__user=request.user, period=period).first()
    template = "progress/reports.html"
    if request.htmx and request.GET.get("partial") == "batch":
        template += "#batch"
    return render(
        request,
        template,
        {
            "period": period,
            "plans": [(p, reports.get(p.pk)) for p in plans],
            "batch": batch,
            "periods": ReportingPeriod.objects.filter(district_id=request.user.district_id),
        },
    )


@require_POST
def batch_start(request):
    period = _current_period(request.user, request.POST.get("period"))
    if period is None:
        messages.error(request, "The district has no reporting period yet: nothing to draft.")
        return redirect("report_list")
    batch, new = services.batch_start(user=request.user, period=period)
    if new:
        messages.success(request, f"Drafting {batch.total} reports: {batch.done} done so far.")
    else:
        messages.info(
            request,
            f"Still drafting: {batch.done} of {batch.total} done; cancel it to start again.",
        )
    return redirect(f"/reports/?period={period.pk}")


@require_POST
def batch_cancel(request, batch_id: int):
    updated = ReportBatch.objects.filter(
        pk=batch_id,
        author__user=request.user,
        status__in=[ReportBatch.Status.QUEUED, ReportBatch.Status.RUNNING],
    ).update(status=ReportBatch.Status.CANCELLED)
    if updated:
        messages.success(request, "The batch was cancelled.")
    return redirect("report_list")


def _report(user, report_id):
    report = (
        ProgressReport.objects.filter(pk=report_id, district_id=user.district_id)
        .select_related("student__school", "period", "author__user", "plan")
        .first()
    )
    if report is None or not students_visible_to(user=user).filter(pk=report.student_id).exists():
        raise Http404("No such report.")
    if user.role == "parent" and not report.is_signed:
        raise Http404("No such report.")
    if record_scope_for(user=user) is not RecordScope.FULL:
        raise Http404("No such report.")
    return report


def report_detail(request, report_id: int):
    """Review and edit a draft (its author), or read a signed report."""
    report = _report(request.user, report_id)
    if request.user.role == "parent":
        raise Http404("No such report.")
    rows = list(report.goals.select_related("goal__plan", "goal__gas_scale"))
    data = {}
    for point in GoalDataPoint.objects.filter(goal__in=[r.goal for r in rows]).order_by(
        "date", "pk"
    ):
        data.setdefault(point.goal_id, []).append(point)
    as_of = min(timezone.localdate(), report.period.end_date)
    graphs = {
        r.goal_id: goal_graph(goal=r.goal, on=as_of, data=data.get(r.goal_id, [])) for r in rows
    }
    errors = {}
    editable = (
        not report.is_signed
        and request.user.role == "therapist"
        and report.author.user_id == request.user.pk
    )
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("Only the author edits a draft report.")
        goals = {}
        for r in rows:
            level = request.POST.get(f"gas-{r.goal_id}", "")
            goals[r.goal_id] = {
                "status": request.POST.get(f"status-{r.goal_id}", ""),
                "narrative": request.POST.get(f"narrative-{r.goal_id}", ""),
                "gas_level": int(level) if level.lstrip("-").isdigit() else None,
            }
        try:
            services.report_update(
                user=request.user,
                report=report,
                goals=goals,
                home_activities=request.POST.get("home_activities", ""),
            )
            if "sign" in request.POST:
                services.report_sign(user=request.user, report=report)
        except ValidationError as exc:
            errors = exc.message_dict
            for r in rows:  # keep what was typed (a null character, refused, taken out)
                r.status = goals[r.goal_id]["status"]
                r.narrative = goals[r.goal_id]["narrative"].replace("\x00", "")
                r.gas_level = goals[r.goal_id]["gas_level"]
            typed = request.POST.get("home_activities", "")
            report.home_activities = typed.replace("\x00", "")
        else:
            audit_event_record(
                request=request,
                student=report.student,
                action=AuditAction.UPDATE,
                what=f"progress report {report.pk}",
            )
            messages.success(request, "Report signed." if report.is_signed else "Saved.")
            return redirect("report_detail", report.pk)
    audit_event_record(
        request=request,
        student=report.student,
        action=AuditAction.VIEW,
        what=f"progress report {report.pk}",
    )
    return render(
        request,
        "progress/report_detail.html",
        {
            "report": report,
            "rows": [(r, graphs[r.goal_id], errors.get(f"goal-{r.goal_id}", [])) for r in rows],
            "editable": editable,
            "home_errors": errors.get("home_activities", []),
            "statuses": list(rules.STATUS_LABELS.items()),
            "gas_levels": GAS_LEVELS,
        },
        status=400 if errors else 200,
    )


@require_POST
def report_redraft(request, report_id: int):
    report = _report(request.user, report_id)
    services.report_draft(user=request.user, plan=report.plan, period=report.period)
    messages.success(request, "Redrafted from the latest data.")
    return redirect("report_detail", report.pk)


@require_POST
def report_new(request, plan_id: int, period_id: int):
    plan = Plan.objects.filter(pk=plan_id, district_id=request.user.district_id).first()
    period = ReportingPeriod.objects.filter(
        pk=period_id, district_id=request.user.district_id
    ).first()
    if plan is None or period is None:
        raise Http404("No such plan or period.")
    report = services.report_draft(user=request.user, plan=plan, period=period)
    return redirect("report_detail", report.pk)


def report_pdf(request, report_id: int, version: str):
    """The report as a PDF: the full version for the team, the family version (plain words,
    home activities, the family's language) for the team and the parent."""
    from weasyprint import HTML

    report = _report(request.user, report_id)
    if request.user.role == "parent" and version != "family":
        raise Http404("No such report.")
    rows = list(report.goals.select_related("goal__plan"))
    data = {}
    for point in GoalDataPoint.objects.filter(goal__in=[r.goal for r in rows]).order_by(
        "date", "pk"
    ):
        data.setdefault(point.goal_id, []).append(point)
    as_of = min(timezone.localdate(), report.period.end_date)
    graphs = {
        r.goal_id: goal_graph(goal=r.goal, on=as_of, data=data.get(r.goal_id, [])) for r in rows
    }
    language = services.family_language(report.plan) if version == "family" else "en"
    html = render_to_string(
        f"progress/pdf_{version}.html",
        {
            "report": report,
            "rows": [(r, graphs[r.goal_id]) for r in rows],
            "language": language,
            "today": timezone.localdate(),
        },
    )
    pdf = HTML(string=html).write_pdf()
    audit_event_record(
        request=request,
        student=report.student,
        action=AuditAction.DOWNLOAD,
        what=f"progress report {report.pk} ({version})",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="progress-{report.student.local_id}-{report.period.pk}-{version}.pdf"'
    )
    return response
