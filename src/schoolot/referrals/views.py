"""From concern to plan: pages. Thin: access and reads in selectors, rules in services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from schoolot.audit.models import AuditAction
from schoolot.audit.services import audit_event_record
from schoolot.core.params import ids_parse
from schoolot.plans.models import Plan
from schoolot.referrals import forms as f
from schoolot.referrals import services
from schoolot.referrals.access import ReferralScope, referral_scope_for
from schoolot.referrals.models import Consent, Notification
from schoolot.referrals.selectors import (
    attachment_get,
    referable_students,
    referral_get,
    referral_list,
    team_thread,
)


def _apply_errors(form, exc: ValidationError) -> None:
    problems = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for key, items in problems.items():
        for item in items:
            form.add_error(key if key in form.fields else None, item)


def referral_index(request):
    referrals = list(referral_list(user=request.user))
    return render(
        request,
        "referrals/list.html",
        {
            "referrals": referrals,
            "team": referral_scope_for(user=request.user) is ReferralScope.TEAM,
        },
    )


def referral_new(request):
    students = list(referable_students(user=request.user))
    if request.user.role not in {"teacher", "parent", "therapist", "supervisor", "district_admin"}:
        raise PermissionDenied("Your role cannot make referrals.")
    data = request.POST if request.method == "POST" else None
    initial = {"student": request.GET.get("student")} if request.GET.get("student") else None
    form = f.ReferralForm(data, request.FILES or None, students=students, initial=initial)
    concerns = f.ConcernFormSet(data, prefix="concern")
    strategies = f.StrategyFormSet(data, prefix="strategy")
    if request.method == "POST" and all(
        [form.is_valid(), concerns.is_valid(), strategies.is_valid()]
    ):
        concern_inputs = [
            services.ConcernInput(
                domain=c.cleaned_data["domain"],
                example=c.cleaned_data["example"],
                settings=c.cleaned_data["settings"],
            )
            for c in concerns
            if c.has_content()
        ]
        strategy_inputs = [
            services.StrategyInput(
                strategy=s.cleaned_data["strategy"],
                started_on=s.cleaned_data["started_on"],
                ended_on=s.cleaned_data["ended_on"],
                result=s.cleaned_data["result"],
            )
            for s in strategies
            if s.has_content()
        ]
        try:
            referral = services.referral_create(
                user=request.user,
                student_id=form.cleaned_data["student"],
                reason=form.cleaned_data["reason"],
                concerns=concern_inputs,
                strategies=strategy_inputs,
                files=form.cleaned_data["files"],
                submission_key=form.cleaned_data["submission_key"],
            )
        except ValidationError as exc:
            for key, items in exc.message_dict.items():
                for item in items:
                    if key.startswith("concern-"):
                        index = [i for i, c in enumerate(concerns) if c.has_content()]
                        n = int(key.split("-")[1])
                        concerns[index[n]].add_error(None, item)
                    elif key.startswith("strategy-"):
                        index = [i for i, s in enumerate(strategies) if s.has_content()]
                        n = int(key.split("-")[1])
                        strategies[index[n]].add_error(None, item)
                    elif key == "concerns":
                        form.add_error(None, item)
                    else:
                        form.add_error(key if key in form.fields else None, item)
        else:
            audit_event_record(
                request=request,
                student=referral.student,
                action=AuditAction.CREATE,
                what=f"referral {referral.pk}",
            )
            messages.success(
                request, f"Referral for {referral.student.full_name} sent to the OT team."
            )
            return redirect("referral_detail", referral.pk)
    return render(
        request,
        "referrals/new.html",
        {
            "form": form,
            "concerns": concerns,
            "strategies": strategies,
        },
        status=400 if request.method == "POST" else 200,
    )


def _detail_context(request, record, **bound):
    referral = record.referral
    evaluation = getattr(referral, "evaluation", None)
    context = {
        "record": record,
        "referral": referral,
        "evaluation": evaluation,
        "eligibility": getattr(evaluation, "eligibility", None) if evaluation else None,
        "today": timezone.localdate(),
    }
    if record.team:
        context.update(
            {
                "triage_form": bound.get("triage_form") or f.TriageForm(),
                "consent_forms": {
                    c.pk: (
                        bound.get("consent_form")
                        if bound.get("consent_id") == c.pk
                        else f.ConsentResponseForm(initial={"responded_on": timezone.localdate()})
                    )
                    for c in record.consents
                    if c.response == Consent.Response.PENDING
                },
                "consent_request_form": bound.get("consent_request_form")
                or f.ConsentRequestForm(
                    initial={"requested_on": timezone.localdate(), "kind": "initial_services"}
                ),
                "plan_form": bound.get("plan_form") or f.EvaluationPlanForm(),
                "score_form": bound.get("score_form") or f.ScoreForm(),
                "observation_form": bound.get("observation_form")
                or f.ObservationForm(initial={"observed_on": timezone.localdate()}),
                "complete_form": bound.get("complete_form")
                or f.CompleteForm(initial={"completed_on": timezone.localdate()}),
                "eligibility_form": bound.get("eligibility_form")
                or f.EligibilityForm(initial={"held_on": timezone.localdate()}),
                "error": bound.get("error"),
            }
        )
    return context


def referral_detail(request, referral_id: int):
    record = referral_get(user=request.user, referral_id=referral_id)
    audit_event_record(
        request=request,
        student=record.referral.student,
        action=AuditAction.VIEW,
        what=f"referral {referral_id} ({record.scope.value})",
    )
    return render(request, "referrals/detail.html", _detail_context(request, record))


def _team_record(request, referral_id):
    record = referral_get(user=request.user, referral_id=referral_id)
    if not record.team:
        raise PermissionDenied("Only the OT team takes this step.")
    return record


def _step(request, referral_id, form_class, form_name, action, done, **extra):
    """Run one step of the referral from a posted form; on error show the page with it."""
    record = _team_record(request, referral_id)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(record, form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            audit_event_record(
                request=request,
                student=record.referral.student,
                action=AuditAction.UPDATE,
                what=f"referral {referral_id}: {done}",
            )
            messages.success(request, done)
            return redirect("referral_detail", referral_id)
    record = referral_get(user=request.user, referral_id=referral_id)
    return render(
        request,
        "referrals/detail.html",
        _detail_context(request, record, **{form_name: form}, **extra),
        status=400,
    )


@require_POST
def referral_triage(request, referral_id: int):
    return _step(
        request,
        referral_id,
        f.TriageForm,
        "triage_form",
        lambda r, d: services.referral_triage(
            user=request.user,
            referral=r.referral,
            decision=d["decision"],
            review_on=d.get("review_on"),
            note=d.get("note", ""),
        ),
        "Triage recorded.",
    )


@require_POST
def consent_respond(request, referral_id: int, consent_id: int):
    record = _team_record(request, referral_id)
    consent = next((c for c in record.consents if c.pk == consent_id), None)
    if consent is None:
        raise Http404("No such consent.")
    return _step(
        request,
        referral_id,
        f.ConsentResponseForm,
        "consent_form",
        lambda r, d: services.consent_record(
            user=request.user,
            consent=consent,
            response=d["response"],
            responded_on=d["responded_on"],
        ),
        "Consent recorded.",
        consent_id=consent_id,
    )


@require_POST
def consent_new(request, referral_id: int):
    return _step(
        request,
        referral_id,
        f.ConsentRequestForm,
        "consent_request_form",
        lambda r, d: services.consent_request(
            user=request.user,
            student=r.referral.student,
            referral=r.referral,
            kind=d["kind"],
            requested_on=d["requested_on"],
        ),
        "Consent requested.",
    )


@require_POST
def evaluation_new(request, referral_id: int):
    return _step(
        request,
        referral_id,
        f.EvaluationPlanForm,
        "plan_form",
        lambda r, d: services.evaluation_plan(
            user=request.user,
            referral=r.referral,
            areas=d["areas"],
            tools=d["tools"],
            settings_to_observe=d["settings_to_observe"],
        ),
        "Evaluation planned.",
    )


def _evaluation(record):
    evaluation = getattr(record.referral, "evaluation", None)
    if evaluation is None:
        raise Http404("No evaluation yet.")
    return evaluation


@require_POST
def score_new(request, referral_id: int):
    return _step(
        request,
        referral_id,
        f.ScoreForm,
        "score_form",
        lambda r, d: services.score_add(user=request.user, evaluation=_evaluation(r), **d),
        "Score added.",
    )


@require_POST
def observation_new(request, referral_id: int):
    return _step(
        request,
        referral_id,
        f.ObservationForm,
        "observation_form",
        lambda r, d: services.observation_add(user=request.user, evaluation=_evaluation(r), **d),
        "Observation added.",
    )


@require_POST
def evaluation_complete(request, referral_id: int):
    return _step(
        request,
        referral_id,
        f.CompleteForm,
        "complete_form",
        lambda r, d: services.evaluation_complete(
            user=request.user, evaluation=_evaluation(r), **d
        ),
        "Evaluation completed.",
    )


@require_POST
def eligibility_new(request, referral_id: int):
    return _step(
        request,
        referral_id,
        f.EligibilityForm,
        "eligibility_form",
        lambda r, d: services.eligibility_record(user=request.user, evaluation=_evaluation(r), **d),
        "Eligibility recorded.",
    )


def evaluation_pdf(request, referral_id: int):
    """The evaluation report as a PDF: the team and the family, never the teacher."""
    record = referral_get(user=request.user, referral_id=referral_id)
    if not record.sees_evaluation:
        raise Http404("No such report.")
    evaluation = _evaluation(record)
    from weasyprint import HTML

    html = render_to_string(
        "referrals/evaluation_report.html",
        {
            "referral": record.referral,
            "evaluation": evaluation,
            "student": record.referral.student,
            "today": timezone.localdate(),
        },
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    audit_event_record(
        request=request,
        student=record.referral.student,
        action=AuditAction.DOWNLOAD,
        what=f"evaluation report {evaluation.pk}",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="ot-evaluation-{record.referral.student.local_id}.pdf"'
    )
    return response


def attachment_download(request, attachment_id: int):
    attachment = attachment_get(user=request.user, attachment_id=attachment_id)
    path = services.attachment_path(attachment)
    if not path.exists():
        raise Http404("The file is missing.")
    audit_event_record(
        request=request,
        student=attachment.student,
        action=AuditAction.DOWNLOAD,
        what=f"attachment {attachment.original_name}",
    )
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
        content_type=attachment.content_type,
        as_attachment=True,
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def plan_build(request, plan_id: int):
    """Build a draft plan from the evaluation: goals, services, accommodations; activate."""
    from schoolot.core.access import students_visible_to
    from schoolot.referrals.selectors import referrals_visible_to

    plan = get_object_or_404(
        Plan.objects.select_related("student__school"),
        pk=plan_id,
        district_id=request.user.district_id,
    )
    if referral_scope_for(user=request.user) is not ReferralScope.TEAM or not (
        students_visible_to(user=request.user).filter(pk=plan.student_id).exists()
        or referrals_visible_to(user=request.user).filter(plan=plan).exists()
    ):
        raise Http404("No such plan.")
    forms_by_kind = {
        "goal": f.GoalForm,
        "mandate": f.MandateForm,
        "accommodation": f.AccommodationForm,
    }
    bound = {}
    status = 200
    if request.method == "POST":
        kind = request.POST.get("add")
        if request.POST.get("activate"):
            therapist_ids = ids_parse([request.POST.get("therapist")])
            try:
                services.plan_activate(
                    user=request.user,
                    plan=plan,
                    therapist_id=therapist_ids[0] if therapist_ids else None,
                )
            except ValidationError as exc:
                for item in exc.messages:
                    messages.error(request, item)
                status = 400
            else:
                audit_event_record(
                    request=request,
                    student=plan.student,
                    action=AuditAction.UPDATE,
                    what=f"plan {plan.pk} activated",
                )
                messages.success(request, "The plan is in effect; the team has been told.")
                referral = plan.referrals.first()
                if referral is not None:
                    return redirect("referral_detail", referral.pk)
                return redirect("student_detail", plan.student_id)
        elif kind in forms_by_kind:
            if plan.status != Plan.Status.DRAFT:
                raise PermissionDenied("Only a draft plan is built here.")
            form = forms_by_kind[kind](request.POST, prefix=kind)
            form.instance.plan = plan
            form.instance.district_id = plan.district_id
            if form.is_valid():
                form.save()
                audit_event_record(
                    request=request,
                    student=plan.student,
                    action=AuditAction.UPDATE,
                    what=f"plan {plan.pk}: {kind} added",
                )
                messages.success(request, f"{kind.title()} added.")
                return redirect("plan_build", plan.pk)
            bound[kind] = form
            status = 400
    defaults = {
        "goal": {"end_date": plan.end_date},
        "mandate": {"start_date": plan.start_date, "end_date": plan.end_date, "max_group_size": 1},
        "accommodation": {},
    }
    context = {
        "plan": plan,
        "goals": plan.goals.all(),
        "mandates": plan.mandates.all(),
        "accommodations": plan.accommodations.all(),
        "forms": {
            kind: bound.get(kind) or cls(prefix=kind, initial=defaults[kind])
            for kind, cls in forms_by_kind.items()
        },
        "referral": plan.referrals.first(),
        "therapists": services.therapists_for(student=plan.student),
        "needs_therapist": not plan.student.assignments.filter(end_date__isnull=True).exists(),
    }
    return render(request, "referrals/plan_build.html", context, status=status)


def team_thread_view(request, student_id: int):
    student, thread = team_thread(user=request.user, student_id=student_id)
    form = f.TeamMessageForm(request.POST or None, initial={"audience": "team"})
    if request.method == "POST" and form.is_valid():
        try:
            services.team_message_post(
                user=request.user,
                student=student,
                body=form.cleaned_data["body"],
                audience=form.cleaned_data["audience"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "Message posted.")
            return redirect("team_thread", student_id)
    audit_event_record(
        request=request, student=student, action=AuditAction.VIEW, what="team thread"
    )
    return render(
        request,
        "referrals/team_thread.html",
        {"student": student, "thread": thread, "form": form},
        status=400 if form.errors else 200,
    )


def notification_list(request):
    items = list(Notification.objects.filter(user=request.user).select_related("student")[:100])
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return render(request, "referrals/notifications.html", {"items": items})


@require_POST
def review_start(request, student_id: int):
    """Start an annual review or a reevaluation from the student's record."""
    from schoolot.core.access import students_visible_to

    student = get_object_or_404(students_visible_to(user=request.user), pk=student_id)
    try:
        referral = services.review_start(
            user=request.user, student=student, kind=request.POST.get("kind", "")
        )
    except ValidationError as exc:
        for item in exc.messages:
            messages.error(request, item)
        return redirect("student_detail", student_id)
    audit_event_record(
        request=request,
        student=student,
        action=AuditAction.CREATE,
        what=f"{referral.get_kind_display()} {referral.pk}",
    )
    messages.success(request, f"{referral.get_kind_display()} started.")
    return redirect("referral_detail", referral.pk)


@require_POST
def medicaid_notice(request, referral_id: int, consent_id: int):
    record = _team_record(request, referral_id)
    consent = next((c for c in record.consents if c.pk == consent_id), None)
    if consent is None:
        raise Http404("No such consent.")
    form = f.MedicaidNoticeForm(request.POST)
    if form.is_valid():
        try:
            services.medicaid_notice_record(
                user=request.user, consent=consent, sent_on=form.cleaned_data["sent_on"]
            )
        except ValidationError as exc:
            for item in exc.messages:
                messages.error(request, item)
        else:
            messages.success(request, "Yearly Medicaid notice recorded.")
    else:
        messages.error(request, "Give the date the notice was sent.")
    return redirect("referral_detail", referral_id)
