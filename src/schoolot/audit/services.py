"""Writing the audit trail."""

from __future__ import annotations

from django.http import HttpRequest

from schoolot.audit.models import AuditAction, AuditEvent
from schoolot.directory.models import Student


def _client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: a forwarded-for header is client-controlled unless a trusted proxy
    # rewrites it, and the deployment guide puts the proxy's address in REMOTE_ADDR.
    return request.META.get("REMOTE_ADDR") or None


def audit_event_record(
    *, request: HttpRequest, student: Student | None, action: AuditAction, what: str
) -> AuditEvent:
    """Append one audit event for `request.user` acting on `student`."""
    user = request.user
    return AuditEvent.objects.create(
        district_id=student.district_id if student else user.district_id,
        actor=user if user.is_authenticated else None,
        actor_name=user.get_username() if user.is_authenticated else "anonymous",
        actor_role=getattr(user, "role", "") or "",
        student=student,
        action=action,
        what=what[:200],
        path=request.get_full_path()[:400],
        ip_address=_client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )



def audit_events_record(
    *,
    students,
    action: AuditAction,
    what: str,
    request: HttpRequest | None = None,
    actor=None,
) -> list[AuditEvent]:
    """One audit event per student of `students` (each once), for a change that touches
    several students' records at once (a group session moved, a week rebuilt). From a page,
    `request` says who and from where; from a background task, `actor` is the user who
    started it (no path or address)."""
    if (request is None) == (actor is None):
        raise ValueError("Give the request or, outside one, the actor.")
    seen, events = set(), []
    for student in students:
        if student.pk in seen:
            continue
        seen.add(student.pk)
        if request is not None:
            event = audit_event_record(
                request=request, student=student, action=action, what=what
            )
        else:
            event = AuditEvent.objects.create(
                district_id=student.district_id,
                actor=actor,
                actor_name=actor.get_username(),
                actor_role=getattr(actor, "role", "") or "",
                student=student,
                action=action,
                what=what[:200],
            )
        events.append(event)
    return events
