"""Writing the audit trail."""

from __future__ import annotations

from django.http import HttpRequest

from schoolot.audit.models import AuditAction, AuditEvent
from schoolot.directory.models import Student


def _client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: a forwarded-for header is client-controlled unless a trusted proxy
    # rewrites it, and the deployment guide puts the proxy's address in REMOTE_ADDR.
    return request.META.get("REMOTE_ADDR") or None


def audit_request_context(*, request: HttpRequest) -> dict:
    """Where a request came from, as an audit event records it: path, address and browser.
    Kept on a task's row (WeekBuild, DistrictSolve) so the events the task writes later say
    where the change was asked from."""
    return {
        "path": request.get_full_path()[:400],
        "ip_address": _client_ip(request),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
    }


def _event(
    *,
    actor,
    student: Student | None,
    action: AuditAction,
    what: str,
    request=None,
    context: dict | None = None,
) -> AuditEvent:
    """An unsaved audit event by `actor` on `student`; `request`, when there is one, gives
    the path, address and browser; else `context` (audit_request_context), when given."""
    authenticated = actor is not None and actor.is_authenticated
    where = audit_request_context(request=request) if request else (context or {})
    return AuditEvent(
        district_id=student.district_id if student else actor.district_id,
        actor=actor if authenticated else None,
        actor_name=actor.get_username() if authenticated else "anonymous",
        actor_role=getattr(actor, "role", "") or "",
        student=student,
        action=action,
        what=what[:200],
        path=where.get("path", ""),
        ip_address=where.get("ip_address"),
        user_agent=where.get("user_agent", ""),
    )


def audit_event_record(
    *, request: HttpRequest, student: Student | None, action: AuditAction, what: str
) -> AuditEvent:
    """Append one audit event for `request.user` acting on `student`."""
    event = _event(actor=request.user, student=student, action=action, what=what, request=request)
    event.save()
    return event


def audit_events_record(
    *,
    students,
    action: AuditAction,
    what: str,
    request: HttpRequest | None = None,
    actor=None,
    context: dict | None = None,
) -> list[AuditEvent]:
    """One audit event per student of `students` (each once), for a change that touches
    several students' records at once (a group session moved, a week rebuilt), written in
    one insert. From a page, `request` says who and from where; from a background task,
    `actor` is the user who started it and `context` where she asked from (the request's
    audit_request_context, kept on the task's row)."""
    if (request is None) == (actor is None):
        raise ValueError("Give the request or, outside one, the actor.")
    unique = {student.pk: student for student in students}
    return AuditEvent.objects.bulk_create(
        _event(
            actor=actor if actor is not None else request.user,
            student=student,
            action=action,
            what=what,
            request=request,
            context=context,
        )
        for student in unique.values()
    )
